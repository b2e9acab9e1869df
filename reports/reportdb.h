/* reportdb.h - how the reports open and query a case database: read-only, checked, errors named by file. */
#ifndef PCAPSTATE_REPORTDB_H
#define PCAPSTATE_REPORTDB_H

#include <sqlite3.h>

/*
 * A flow's horizon, as an SQL expression over flows f: its last packet, or its last
 * transition when that is later (a 2*MSL timeout, or the "end" record written when the
 * capture stopped). Up to there the capture knows each endpoint's state; past it, nothing.
 */
#define REPORTDB_HORIZON_SQL \
	"max(f.last_ts, coalesce((SELECT max(t.ts) FROM transitions t WHERE t.flow_id = f.id), f.last_ts))"

/*
 * Checks the file's header (store_check_file: pcapstate's application_id and a schema
 * version this build reads) before SQLite touches it, then opens it read-only inside one
 * read transaction, so a whole report sees one state of the case. Returns 0 with *db set
 * (the caller closes it with sqlite3_close), or 4 after a message on stderr.
 */
int reportdb_open(const char *path, sqlite3 **db);

/* Prepares sql; returns 0, or 4 after a message naming path and the reason. */
int reportdb_prepare(sqlite3 *db, const char *path, const char *sql, sqlite3_stmt **st);

/* Prints "pcapstate: PATH: WHAT: <reason> (<SQLite's message>)" and returns 4, the database exit status. */
int reportdb_fail(sqlite3 *db, const char *path, const char *what);

/* Returns the column's text, or "" for NULL, so callers can print it without a check. */
const char *reportdb_text(sqlite3_stmt *st, int col);

/* Returns the enum tcp_state of a database state name, or -1 for a name not in the vocabulary. */
int reportdb_state(const char *name);

#endif
