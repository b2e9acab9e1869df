/* csv.c - the CSV export: each case table as an RFC 4180 file, written forward only through libcsv's csv_fwrite. */
#define _POSIX_C_SOURCE 200809L
#include "report.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "outfile.h"
#include "reportdb.h"

/*
 * A row writer over csv_fwrite: the writer puts the separator before every field but the
 * first, so nothing is ever taken back (libcsv's example rewinds to drop a trailing comma,
 * which fails on pipes). Text is always quoted; NULL is an empty unquoted field, so a
 * reader can tell it from the empty string ("").
 */
struct csvout {
	FILE *f;
	int fields;      /* fields written in the current row */
};

static int csvout_sep(struct csvout *w)
{
	return w->fields++ > 0 && fputc(',', w->f) == EOF ? -1 : 0;
}

static int csvout_text(struct csvout *w, const void *s, size_t len)
{
	return csvout_sep(w) < 0 || csv_fwrite(w->f, s, len) != 0 ? -1 : 0;
}

static int csvout_int(struct csvout *w, long long v)
{
	return csvout_sep(w) < 0 || fprintf(w->f, "%lld", v) < 0 ? -1 : 0;
}

static int csvout_null(struct csvout *w)
{
	return csvout_sep(w);
}

static int csvout_end(struct csvout *w)
{
	w->fields = 0;
	return fputs("\r\n", w->f) == EOF ? -1 : 0;
}

/* Columns that hold a time (DESIGN.md section 3: integer nanoseconds) get an _iso twin. */
static int is_time_column(const char *name)
{
	size_t n = strlen(name);
	return strcmp(name, "ts") == 0 || (n > 3 && strcmp(name + n - 3, "_ts") == 0);
}

/* Writes one column value as SQLite typed it; BLOBs (none in schema 1) as lowercase hex. */
static int write_value(struct csvout *w, sqlite3_stmt *st, int c)
{
	switch (sqlite3_column_type(st, c)) {
	case SQLITE_NULL:
		return csvout_null(w);
	case SQLITE_INTEGER:
		return csvout_int(w, sqlite3_column_int64(st, c));
	case SQLITE_FLOAT: {
		char buf[32];
		snprintf(buf, sizeof buf, "%.17g", sqlite3_column_double(st, c));
		return csvout_sep(w) < 0 || fputs(buf, w->f) == EOF ? -1 : 0;
	}
	case SQLITE_BLOB: {
		const unsigned char *b = sqlite3_column_blob(st, c);
		int n = sqlite3_column_bytes(st, c);
		if (csvout_sep(w) < 0 || fputc('"', w->f) == EOF)
			return -1;
		for (int i = 0; i < n; i++)
			if (fprintf(w->f, "%02x", b[i]) < 0)
				return -1;
		return fputc('"', w->f) == EOF ? -1 : 0;
	}
	default: {
		const unsigned char *s = sqlite3_column_text(st, c);
		return csvout_text(w, s, (size_t)sqlite3_column_bytes(st, c));
	}
	}
}

static int write_iso(struct csvout *w, sqlite3_stmt *st, int c)
{
	char iso[40];

	if (sqlite3_column_type(st, c) != SQLITE_INTEGER)
		return csvout_null(w);
	timefmt_iso(sqlite3_column_int64(st, c), iso);
	return csvout_text(w, iso, strlen(iso));
}

/* Streams one table; returns 0, or 4 after a message naming the file at fault. */
static int export_table(sqlite3 *db, const char *db_path, const char *dir, const char *table)
{
	char sql[96], path[4096];
	sqlite3_stmt *st;
	struct outfile out;
	struct csvout w = { NULL, 0 };
	int rc = SQLITE_DONE, ncol, bad = 0;

	/* Table names are the four constants below, never user input. */
	snprintf(sql, sizeof sql, "SELECT * FROM %s ORDER BY id", table);
	if (reportdb_prepare(db, db_path, sql, &st) != 0)
		return 4;
	if ((size_t)snprintf(path, sizeof path, "%s/%s.csv", dir, table) >= sizeof path) {
		fprintf(stderr, "pcapstate: %s: directory name too long\n", dir);
		sqlite3_finalize(st);
		return 4;
	}
	if (outfile_open(&out, path) != 0) {
		sqlite3_finalize(st);
		return 4;
	}
	w.f = out.f;
	ncol = sqlite3_column_count(st);
	for (int c = 0; c < ncol && !bad; c++) {
		const char *name = sqlite3_column_name(st, c);
		bad |= csvout_text(&w, name, strlen(name));
		if (is_time_column(name)) {
			char iso[80];
			snprintf(iso, sizeof iso, "%s_iso", name);
			bad |= csvout_text(&w, iso, strlen(iso));
		}
	}
	bad |= csvout_end(&w);
	while (!bad && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int c = 0; c < ncol && !bad; c++) {
			bad |= write_value(&w, st, c);
			if (is_time_column(sqlite3_column_name(st, c)))
				bad |= write_iso(&w, st, c);
		}
		bad |= csvout_end(&w);
	}
	if (bad)
		fprintf(stderr, "pcapstate: %s: write failed: %s\n", path, strerror(errno));
	else if (rc != SQLITE_DONE)
		bad = reportdb_fail(db, db_path, "reading the case database");
	sqlite3_finalize(st);
	if (bad) {
		outfile_abort(&out);
		return 4;
	}
	return outfile_commit(&out);
}

/* mkdir -p: creates dir and its missing parents; returns 0 or -1 with errno set. */
static int make_dirs(const char *dir)
{
	char *p, *buf = strdup(dir);
	struct stat sb;
	int rc = 0;

	if (buf == NULL)
		return -1;
	for (p = buf + 1; rc == 0; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(buf, 0777) != 0 && errno != EEXIST)
			rc = -1;
		*p = c;
		if (c == '\0')
			break;
	}
	free(buf);
	if (rc == 0 && (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
		errno = ENOTDIR;
		rc = -1;
	}
	return rc;
}

int report_csv(const char *db_path, const char *out_dir)
{
	static const char *const tables[] = { "inputs", "flows", "transitions", "anomalies" };
	sqlite3 *db;
	int rc;

	if (out_dir == NULL || *out_dir == '\0') {
		fprintf(stderr, "pcapstate: --csv needs a directory\n");
		return 2;
	}
	if ((rc = reportdb_open(db_path, &db)) != 0)
		return rc;
	if (make_dirs(out_dir) != 0) {
		fprintf(stderr, "pcapstate: %s: cannot create directory: %s\n", out_dir, strerror(errno));
		sqlite3_close(db);
		return 4;
	}
	for (size_t i = 0; i < sizeof tables / sizeof tables[0] && rc == 0; i++)
		rc = export_table(db, db_path, out_dir, tables[i]);
	sqlite3_close(db);
	return rc;
}
