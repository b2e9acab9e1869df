/* merge.c - combines case databases of different inputs into one: ATTACH read-only, INSERT ... SELECT with renumbered ids. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "merge.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"

#define MERGE_GROUP 10   /* SQLITE_MAX_ATTACHED's default: sources attached at once */

/* The columns copied as they are (ids and references are rewritten by the statements). */
#define INPUT_COLS "path, size, sha256, format, compression, link_type, snaplen, first_ts," \
	" last_ts, packets, tcp_packets, truncated_packets, malformed_packets, status, error"
#define FLOW_COLS "uid, community_id, ip_version, orig_addr, orig_port, resp_addr, resp_port," \
	" first_ts, last_ts, orig_pkts, resp_pkts, orig_bytes, resp_bytes, orig_state, resp_state," \
	" conn_state, history, midstream, orig_retrans, resp_retrans, orig_dup_acks, resp_dup_acks," \
	" orig_keepalives, resp_keepalives, orig_zero_win_probes, resp_zero_win_probes," \
	" orig_missed_bytes, resp_missed_bytes"

static const char *const required_tables[] = {
	"states", "anomaly_kinds", "inputs", "flows", "transitions", "anomalies", "schema_doc",
};

/*
 * One source's copy, in order; %1$s is the source's schema name. Inputs: those already
 * finished in main map onto that row (keep 0); the others get ids after main's largest.
 */
static const char *const merge_steps[] = {
	"DELETE FROM temp.merge_input",
	"DELETE FROM temp.merge_flow",
	/* (an input never read far enough to be hashed is the same when all else is) */
	"INSERT INTO temp.merge_input (old, new, keep)"
	" SELECT id, dup, 0 FROM (SELECT i.id, CASE WHEN i.sha256 IS NOT NULL"
	"  THEN (SELECT min(o.id) FROM main.inputs o WHERE o.sha256 = i.sha256 AND o.status <> 'running')"
	"  ELSE (SELECT min(o.id) FROM main.inputs o WHERE o.sha256 IS NULL AND o.path = i.path"
	"   AND o.size IS i.size AND o.status = i.status AND o.error IS i.error) END AS dup"
	" FROM %1$s.inputs i) WHERE dup IS NOT NULL",
	"INSERT INTO temp.merge_input (old, new, keep)"
	" SELECT id, (SELECT coalesce(max(id), 0) FROM main.inputs) + row_number() OVER (ORDER BY id), 1"
	" FROM %1$s.inputs WHERE id NOT IN (SELECT old FROM temp.merge_input) ORDER BY id",
	"INSERT INTO main.inputs (id, " INPUT_COLS ")"
	" SELECT m.new, " INPUT_COLS " FROM %1$s.inputs i JOIN temp.merge_input m ON m.old = i.id"
	" WHERE m.keep ORDER BY m.new",
	"INSERT INTO main.anomaly_kinds (kind, severity, scope, description)"
	" SELECT kind, severity, scope, description FROM %1$s.anomaly_kinds WHERE true"
	" ORDER BY kind ON CONFLICT (kind) DO NOTHING",
	"INSERT INTO temp.merge_flow (old, new)"
	" SELECT f.id, (SELECT coalesce(max(id), 0) FROM main.flows) + row_number() OVER (ORDER BY f.id)"
	" FROM %1$s.flows f JOIN temp.merge_input m ON m.old = f.input_id WHERE m.keep ORDER BY f.id",
	"INSERT INTO main.flows (id, input_id, " FLOW_COLS ")"
	" SELECT mf.new, mi.new, " FLOW_COLS " FROM %1$s.flows f"
	" JOIN temp.merge_flow mf ON mf.old = f.id JOIN temp.merge_input mi ON mi.old = f.input_id"
	" ORDER BY mf.new",
	"INSERT INTO main.transitions (flow_id, endpoint, ts, input_id, frame, from_state, to_state, trigger, evidence)"
	" SELECT mf.new, t.endpoint, t.ts, mi.new, t.frame, t.from_state, t.to_state, t.trigger, t.evidence"
	" FROM %1$s.transitions t JOIN temp.merge_flow mf ON mf.old = t.flow_id"
	" LEFT JOIN temp.merge_input mi ON mi.old = t.input_id ORDER BY t.id",
	"INSERT INTO main.anomalies (flow_id, kind, endpoint, host, ts, input_id, frame, severity, detail)"
	" SELECT mf.new, a.kind, a.endpoint, a.host, a.ts, mi.new, a.frame, a.severity, a.detail"
	" FROM %1$s.anomalies a LEFT JOIN temp.merge_flow mf ON mf.old = a.flow_id"
	" LEFT JOIN temp.merge_input mi ON mi.old = a.input_id"
	" WHERE (a.flow_id IS NOT NULL AND mf.new IS NOT NULL) OR (a.flow_id IS NULL AND mi.keep = 1)"
	" ORDER BY a.id",
};
enum { STEP_INPUTS = 4 };   /* merge_steps[] index whose changes count the inputs added */


/* Runs one statement: fmt itself, or fmt with schema put in; returns SQLITE_OK or the error code. */
static int run(sqlite3 *db, const char *fmt, const char *schema, int64_t *changes, int64_t *value)
{
	char sql[2048];
	sqlite3_stmt *st = NULL;
	int rc;

	if (schema) {
		/* fmt is one of this file's constants; schema is "sN" chosen here, never user text. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		int len = snprintf(sql, sizeof sql, fmt, schema);
#pragma GCC diagnostic pop
		if (len < 0 || (size_t)len >= sizeof sql)
			return SQLITE_TOOBIG;
	}
	rc = sqlite3_prepare_v2(db, schema ? sql : fmt, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && value)
		*value = sqlite3_column_int64(st, 0);
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		rc = SQLITE_OK;
		if (changes)
			*changes = sqlite3_changes64(db);
	}
	sqlite3_finalize(st);
	return rc;
}

/* Returns a malloc'd "file:" URI for path, opened read-only (SQLite never writes to a source). */
static char *ro_uri(const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(path);
	char *u = malloc(3 * n + 32), *p = u;

	if (!u)
		return NULL;
	p += sprintf(p, "file:");
	for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		    strchr("/-._~", *c)) {
			*p++ = (char)*c;
		} else {
			*p++ = '%';
			*p++ = hex[*c >> 4];
			*p++ = hex[*c & 15];
		}
	}
	strcpy(p, "?mode=ro");
	return u;
}

static int attach(sqlite3 *db, const char *path, const char *schema, char *err, size_t errlen)
{
	char sql[64];
	sqlite3_stmt *st = NULL;
	char *uri = ro_uri(path);
	int rc;

	if (!uri) {
		store_message(err, errlen, "%s: out of memory", path);
		return -1;
	}
	snprintf(sql, sizeof sql, "ATTACH ?1 AS %s", schema);
	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, uri, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(st);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	sqlite3_finalize(st);
	free(uri);
	if (rc != SQLITE_OK) {
		/* Read-only, SQLite cannot replay a journal or WAL left by a crash: say what it is. */
		size_t n = strlen(path) + 16;
		char *side = malloc(n);
		int crashed = 0;
		for (int i = 0; side && i < 2; i++) {
			snprintf(side, n, "%s%s", path, i ? "-journal" : "-wal");
			crashed |= access(side, F_OK) == 0;
		}
		free(side);
		if (crashed)
			store_message(err, errlen, "%s: was left by an interrupted analysis (its -wal or -journal file is "
			    "beside it); run pcapstate analyze on it again before merging", path);
		else
			store_sql_message(err, errlen, db, rc, path, "opening it (read-only) to merge it");
		return -1;
	}
	return 0;
}

static void detach(sqlite3 *db, const char *schema)
{
	run(db, "DETACH %s", schema, NULL, NULL);
}

/* Checks an attached source as SQLite sees it; returns 0, or -1 with err naming path. */
static int check_source(sqlite3 *db, const char *schema, const char *path, char *err, size_t errlen)
{
	int64_t app = -1, ver = -1, running = -1, v;
	int rc;

	if ((rc = run(db, "PRAGMA %s.application_id", schema, NULL, &app)) != SQLITE_OK ||
	    (rc = run(db, "PRAGMA %s.user_version", schema, NULL, &ver)) != SQLITE_OK) {
		store_sql_message(err, errlen, db, rc, path, "reading it");
		return -1;
	}
	if (app != STORE_APPLICATION_ID || ver != STORE_SCHEMA_VERSION) {
		store_message(err, errlen, "%s: not a pcapstate case database of schema version %d "
		    "(application_id 0x%08llx, user_version %lld)", path, STORE_SCHEMA_VERSION,
		    (unsigned long long)app, (long long)ver);
		return -1;
	}
	for (size_t i = 0; i < sizeof required_tables / sizeof required_tables[0]; i++) {
		char fmt[160];
		v = 0;
		snprintf(fmt, sizeof fmt, "SELECT count(*) FROM %%1$s.sqlite_schema WHERE type = 'table' AND name = '%s'",
		         required_tables[i]);
		if ((rc = run(db, fmt, schema, NULL, &v)) != SQLITE_OK) {
			store_sql_message(err, errlen, db, rc, path, "reading it");
			return -1;
		}
		if (v != 1) {
			store_message(err, errlen, "%s: a pcapstate header but no table %s: damaged or not made by pcapstate",
			    path, required_tables[i]);
			return -1;
		}
	}
	if ((rc = run(db, "SELECT count(*) FROM %1$s.inputs WHERE status = 'running'", schema, NULL, &running)) != SQLITE_OK) {
		store_sql_message(err, errlen, db, rc, path, "reading it");
		return -1;
	}
	if (running) {
		store_message(err, errlen, "%s: holds %lld input(s) whose analysis was interrupted (status running); "
		    "run pcapstate analyze on it again before merging", path, (long long)running);
		return -1;
	}
	return 0;
}

static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int merge_run(const char *out, const char *const *inputs, int n, char *err, size_t errlen)
{
	struct store *s = NULL;
	sqlite3 *db = NULL;
	char schema[16], cerr[512];
	int64_t added = 0, ch;
	int rc, existed, committed = 0;

	if (!out || !*out || n < 1 || !inputs) {
		store_message(err, errlen, "merge: needs an output database and at least one input database");
		return -1;
	}
	/* Pass 0: headers only, so SQLite never opens a file that is not a case database. */
	for (int i = 0; i < n; i++) {
		int c = store_check_file(inputs[i], err, errlen);
		if (c < 0)
			return -1;
		if (c == 0) {
			store_message(err, errlen, "%s: no such file, or empty: not a pcapstate case database", inputs[i]);
			return -1;
		}
		if (same_file(inputs[i], out)) {
			store_message(err, errlen, "%s: is the output database itself", inputs[i]);
			return -1;
		}
	}
	/* Pass 1: every source as SQLite sees it (read-only, on a scratch connection), before
	 * the output is created or written. */
	rc = sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI, NULL);
	if (rc != SQLITE_OK) {
		store_sql_message(err, errlen, db, rc, "merge", "opening a scratch database");
		sqlite3_close(db);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		int bad = attach(db, inputs[i], "s0", err, errlen) < 0;
		if (!bad) {
			bad = check_source(db, "s0", inputs[i], err, errlen) < 0;
			detach(db, "s0");
		}
		if (bad) {
			sqlite3_close(db);
			return -1;
		}
	}
	sqlite3_close(db);

	existed = store_check_file(out, NULL, 0) == 1;
	s = store_open(out, NULL, 0, err, errlen);
	if (!s)
		return -1;
	if (store_begin_run(s) < 0) {
		store_message(err, errlen, "%s", store_errmsg(s));
		goto fail;
	}
	db = store_handle(s);
	rc = sqlite3_exec(db, "CREATE TEMP TABLE IF NOT EXISTS merge_input (old INTEGER PRIMARY KEY, new INTEGER NOT NULL, keep INTEGER NOT NULL);"
	                      " CREATE TEMP TABLE IF NOT EXISTS merge_flow (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)",
	                  NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		store_sql_message(err, errlen, db, rc, out, "preparing the merge");
		goto fail;
	}
	/* Pass 2: groups of attached sources, one transaction each. */
	for (int g = 0; g < n; g += MERGE_GROUP) {
		int m = n - g < MERGE_GROUP ? n - g : MERGE_GROUP, attached = 0, ok = 1;
		for (; attached < m; attached++) {
			snprintf(schema, sizeof schema, "s%d", attached);
			if (attach(db, inputs[g + attached], schema, err, errlen) < 0) {
				ok = 0;
				break;
			}
		}
		if (ok && (rc = run(db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) != SQLITE_OK) {
			store_sql_message(err, errlen, db, rc, out, "starting the merge");
			ok = 0;
		}
		for (int k = 0; ok && k < m; k++) {
			snprintf(schema, sizeof schema, "s%d", k);
			/* The source could have changed since pass 1. */
			if (check_source(db, schema, inputs[g + k], err, errlen) < 0) {
				ok = 0;
				break;
			}
			for (size_t q = 0; q < sizeof merge_steps / sizeof merge_steps[0]; q++) {
				ch = 0;
				if ((rc = run(db, merge_steps[q], schema, &ch, NULL)) != SQLITE_OK) {
					snprintf(cerr, sizeof cerr, "merging %s (step %zu)", inputs[g + k], q + 1);
					store_sql_message(err, errlen, db, rc, out, cerr);
					ok = 0;
					break;
				}
				if (q == STEP_INPUTS)
					added += ch;
			}
		}
		if (ok && (rc = run(db, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK) {
			store_sql_message(err, errlen, db, rc, out, "committing the merge");
			ok = 0;
		}
		if (!ok && !sqlite3_get_autocommit(db))
			run(db, "ROLLBACK", NULL, NULL, NULL);
		while (attached > 0) {
			snprintf(schema, sizeof schema, "s%d", --attached);
			detach(db, schema);
		}
		if (!ok)
			goto fail;
		committed = 1;
	}
	run(db, "DROP TABLE IF EXISTS temp.merge_input", NULL, NULL, NULL);
	run(db, "DROP TABLE IF EXISTS temp.merge_flow", NULL, NULL, NULL);
	if (store_close(s, err, errlen) < 0)
		return -1;
	return added > 0x7fffffff ? 0x7fffffff : (int)added;
fail:
	/* The failed group rolled back; close without touching what out had, and remove an
	 * output this call created if nothing was committed to it. */
	store_close(s, NULL, 0);
	if (!existed && !committed)
		unlink(out);
	return -1;
}
