/* reportdb.c - read-only access to a case database for the reports; the store words the errors. */
#include "reportdb.h"

#include <stdio.h>
#include <string.h>

#include "store.h"
#include "tcpstate.h"

int reportdb_fail(sqlite3 *db, const char *path, const char *what)
{
	char err[1024];

	store_sql_message(err, sizeof err, db, db ? sqlite3_extended_errcode(db) : SQLITE_NOMEM, path, what);
	fprintf(stderr, "pcapstate: %s\n", err);
	return 4;
}

int reportdb_prepare(sqlite3 *db, const char *path, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
		return reportdb_fail(db, path, "reading the case database");
	return 0;
}

int reportdb_open(const char *path, sqlite3 **dbp)
{
	char err[1024];
	sqlite3 *db = NULL;

	*dbp = NULL;
	switch (store_check_file(path, err, sizeof err)) {
	case 1:
		break;
	case 0:
		fprintf(stderr, "pcapstate: %s: no case database there (pcapstate analyze -d %s creates one)\n", path, path);
		return 4;
	default:
		fprintf(stderr, "pcapstate: %s\n", err);
		return 4;
	}
	/* One read transaction for the whole report: every query sees the same state of the case,
	 * even if another process appends to it meanwhile. Closing the connection ends it. */
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		reportdb_fail(db, path, "opening it read-only");
		sqlite3_close(db);
		return 4;
	}
	*dbp = db;
	return 0;
}

const char *reportdb_text(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	return s ? (const char *)s : "";
}

int reportdb_state(const char *name)
{
	for (int st = 0; st < ST_MAX; st++)
		if (strcmp(tcpstate_name(st), name) == 0)
			return st;
	return -1;
}
