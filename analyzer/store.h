/* store.h - the SQLite case-database writer: implements the analyzer's sink; the only code that speaks SQL when writing. */
#ifndef PCAPSTATE_STORE_H
#define PCAPSTATE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "sink.h"

#define STORE_APPLICATION_ID 0x50435354L  /* "PCST": PRAGMA application_id of every case database */
#define STORE_SCHEMA_VERSION 1            /* PRAGMA user_version this build reads and writes */
#define STORE_DEFAULT_BATCH 100000UL      /* records per transaction while a run is written */

/* One entry of the anomaly catalogue, seeded into anomaly_kinds (same fields as anomaly_info). */
struct store_kind {
	const char *kind;        /* "lost_final_ack" */
	const char *severity;    /* "info", "warning", "error" */
	const char *scope;       /* "flow", "host", "capture" */
	const char *description;
};

/* A store is used from one thread (the sink callbacks, like every function below). */
struct store;
struct sqlite3;

/*
 * Opens the case database at path for appending, creating it with the schema when it does not
 * exist (or is an empty file). An existing file is checked by reading its header bytes before
 * SQLite opens it: a file that is not a SQLite database, or one with another application_id or
 * user_version, is refused and never written to. kinds[0..nkinds) is the anomaly catalogue:
 * kinds missing from anomaly_kinds are added, existing ones keep their recorded text (the
 * database is evidence); the store copies it, so the caller may free it after the call.
 * kinds may be NULL when nkinds is 0 (merge does that). The open connection holds an exclusive
 * lock until store_close, so a second writer (or reader) fails with "in use" instead of
 * interleaving with this run.
 * Returns the store (freed only by store_close or store_abandon), or NULL with a message in
 * err naming the file (creation of a new file that fails leaves no file behind).
 */
struct store *store_open(const char *path, const struct store_kind *kinds, size_t nkinds,
                         char *err, size_t errlen);

/*
 * Returns the sink that writes into s (ctx is s; valid until s is closed). Callbacks copy what
 * they need, so records may be freed as soon as a callback returns. A callback that fails
 * returns -1; the store then refuses everything else (store_errmsg says why) and store_close
 * rolls the run back. Conversions: negative size/link_type/snaplen, first_ts/last_ts of an
 * input without packets, and input_id/frame/flow_id 0 are stored as NULL; an anomaly with
 * no flow and no input is attributed to the input begun last (so each row has an owner);
 * an anomaly's NULL severity takes the catalogue's. input_end only records the figures: the
 * input's final status is written by the next store_commit/store_close (see store_commit).
 */
struct sink store_sink(struct store *s);

/* Returns the first error the store met, or "" if none. The string belongs to s. */
const char *store_errmsg(const struct store *s);

/* Sets the number of records written per transaction (default STORE_DEFAULT_BATCH; 0 = 1). */
void store_set_batch(struct store *s, unsigned long records);

/*
 * Starts a run: removes every input left 'running' by an interrupted run, with its flows (by
 * flows.input_id), their transitions and anomalies, and the rows that point at those inputs,
 * in one transaction, so that analysing them again gives what an uninterrupted run would have.
 * Called implicitly by the first store_input_known, store_next_flow_id or input_begin.
 * Returns the number of inputs removed (>= 0), or -1 (message in store_errmsg).
 */
int store_begin_run(struct store *s);

/*
 * Returns 1 if the database already holds an input with this SHA-256 (lowercase hex) that is
 * finished (complete, truncated or error: the same bytes give the same rows, so analysing it
 * again would add them twice) or that is being analysed in this run; the caller then skips
 * the file. Returns 0 if not, -1 on a database error (message in store_errmsg).
 */
int store_input_known(struct store *s, const char *sha256);

/*
 * Returns the id for the run's first flow: max(flows.id) + 1 once interrupted runs are removed,
 * so ids are deterministic. The analyzer numbers flows from there in creation order.
 * Returns -1 on a database error (message in store_errmsg).
 */
int64_t store_next_flow_id(struct store *s);

/*
 * Commits everything written so far and, in the same transaction, gives every input whose
 * input_end was seen its final status: from then on store_input_known reports it and a crash
 * no longer removes it. Call it only when no flow that has packets from an ended input is
 * still to be emitted (a flow may span inputs): at the end of the run that always holds, and
 * store_close calls it. (Batches of STORE_DEFAULT_BATCH records are committed on their own
 * without finishing any input.) Returns 0, or -1 (message in store_errmsg; the transaction is
 * rolled back and the store refuses further records).
 */
int store_commit(struct store *s);

/*
 * Ends the run and closes: store_commit, then (should the file be in WAL mode) a TRUNCATE
 * checkpoint and a switch to the rollback journal, so only the database file is left. If the
 * store had failed, the open transaction is rolled back and the run's unfinished inputs are
 * removed (best effort: on a full disk the removal itself may not fit; they then stay
 * 'running' and the next store_begin_run removes them), so the file keeps what it had before
 * the run. Always frees s (NULL is accepted). Returns 0, or -1 with the first error in err.
 */
int store_close(struct store *s, char *err, size_t errlen);

/*
 * Abandons the run (interrupted, or the analyzer failed): rolls back, removes the run's
 * unfinished inputs and their rows, checkpoints and closes. Inputs already finished by a
 * store_commit stay. Always frees s. Returns 0, or -1 with a message in err.
 */
int store_abandon(struct store *s, char *err, size_t errlen);

/*
 * Ends an interrupted run (SIGINT/SIGTERM): commits what was written but finishes no input, so
 * every input of the run stays 'running' (incomplete) in the file until the next run removes
 * it and analyses it again from its start. Always frees s. Returns 0, or -1 with err.
 */
int store_suspend(struct store *s, char *err, size_t errlen);

/* ---- for merge.c and readers of case databases (not for the analyzer) ---- */

/*
 * Checks, by reading the header with plain read(2) (SQLite never touches the file), whether
 * path may be opened as a case database. Returns 1 for a SQLite file with pcapstate's
 * application_id and user_version, 0 for a file that does not exist or is empty, -1 for
 * anything else with a message in err naming the file (not a SQLite database, another
 * application, another schema version, not a regular file, unreadable).
 */
int store_check_file(const char *path, char *err, size_t errlen);

/* Formats a message into err (nothing when err is NULL or errlen is 0). */
void store_message(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Returns the connection of s for merge.c; it stays owned by s (store_close closes it). */
struct sqlite3 *store_handle(struct store *s);

/* Returns the path s was opened with (owned by s). */
const char *store_path(const struct store *s);

/*
 * Writes "PATH: WHAT: <plain-words reason> (<SQLite's message>)" into err for result code rc of
 * db (db may be NULL): the one place a SQLite error becomes a message. Disk full, I/O errors,
 * unwritable files, locks and constraint failures each get words a user can act on.
 */
void store_sql_message(char *err, size_t errlen, struct sqlite3 *db, int rc,
                       const char *path, const char *what);

/* The embedded schema (schema.sql) and its documentation (schema_doc.sql), NUL-terminated;
 * defined in the generated schema_sql.c. */
extern const char store_schema_sql[];
extern const char store_schema_doc_sql[];

#endif
