/* store.c - writes the analyzer's records into the SQLite case database: prepared statements, batched transactions, crash-safe runs. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tcpstate.h"

/*
 * Journal used while a run is written: the rollback journal with synchronous=FULL. Measured
 * against WAL (tests/unit/test_store.c --bench, 1M flows + 5M transitions, 100k-record
 * batches) it is as fast (the work is B-tree inserts, not syncs: a few dozen commits per
 * million flows) and writes each page once instead of twice. It also fails better on a full
 * disk: a failed transaction rolls back inside the file and the journal goes away, where a
 * WAL would have to stay beside the file (holding committed pages) until space is freed.
 * FULL because NORMAL with a rollback journal is not power-loss safe. A crash (SIGKILL) at
 * any point leaves a hot journal that the next open rolls back. Overridable at compile time
 * only so the benchmark can measure the alternatives (WAL/NORMAL is the other sane pair).
 */
#ifndef STORE_RUN_JOURNAL
#define STORE_RUN_JOURNAL "DELETE"
#endif
#ifndef STORE_RUN_SYNC
#define STORE_RUN_SYNC "FULL"
#endif

/*
 * The indexes that answer analysts' questions. Maintaining them row by row costs more than the
 * inserts themselves, so a run builds them once, at its end (CREATE INDEX IF NOT EXISTS: on a
 * database that has them, SQLite maintains them during the run as usual).
 */
static const char bulk_indexes[] =
	"CREATE INDEX IF NOT EXISTS flows_uid ON flows(uid); "
	"CREATE INDEX IF NOT EXISTS flows_community_id ON flows(community_id); "
	"CREATE INDEX IF NOT EXISTS flows_orig ON flows(orig_addr); "
	"CREATE INDEX IF NOT EXISTS flows_resp ON flows(resp_addr, resp_port); "
	"CREATE INDEX IF NOT EXISTS flows_first_ts ON flows(first_ts); "
	"CREATE INDEX IF NOT EXISTS flows_conn_state ON flows(conn_state); "
	"CREATE INDEX IF NOT EXISTS transitions_ts ON transitions(ts); "
	"CREATE INDEX IF NOT EXISTS anomalies_kind ON anomalies(kind, ts); "
	"CREATE INDEX IF NOT EXISTS anomalies_host ON anomalies(host) WHERE host IS NOT NULL;";

/* The tables a case database must have before we append to it. */
static const char *const required_tables[] = {
	"states", "anomaly_kinds", "inputs", "flows", "transitions", "anomalies", "schema_doc",
};

/* Meanings for the states table, after RFC 9293 section 3.3.2; names come from tcpstate_name(). */
static const char *const state_meaning[ST_MAX] = {
	[ST_UNKNOWN] = "history not in the capture: what the endpoint did before the first segment seen cannot be known",
	[ST_CLOSED] = "no connection state at all",
	[ST_LISTEN] = "waiting for a connection request from any remote TCP endpoint and port",
	[ST_SYN_SENT] = "waiting for a matching connection request after having sent a connection request",
	[ST_SYN_RECEIVED] = "waiting for a confirming connection request acknowledgment after having both received and sent a connection request",
	[ST_ESTABLISHED] = "an open connection: data received can be delivered to the user (the data transfer phase)",
	[ST_FIN_WAIT_1] = "waiting for a connection termination request from the remote peer, or an acknowledgment of the termination request previously sent",
	[ST_FIN_WAIT_2] = "waiting for a connection termination request from the remote peer",
	[ST_CLOSE_WAIT] = "waiting for a connection termination request from the local user (the application has not closed yet)",
	[ST_CLOSING] = "waiting for a connection termination request acknowledgment from the remote peer",
	[ST_LAST_ACK] = "waiting for an acknowledgment of the connection termination request previously sent to the remote peer",
	[ST_TIME_WAIT] = "waiting for enough time to pass to be sure the peer received the acknowledgment of its termination request (2*MSL)",
};

/* Every statement the store runs, prepared once at open and reused (bind, step, reset). */
enum stmt_id {
	Q_BEGIN, Q_COMMIT, Q_ROLLBACK,
	Q_INPUT_INSERT, Q_INPUT_END, Q_INPUT_FINISH,
	Q_FLOW_INSERT, Q_TRANS_INSERT, Q_ANOM_INSERT,
	Q_INPUT_KNOWN, Q_MAX_FLOW, Q_MAX_INPUT, Q_RUNNING_COUNT,
	Q_DOOM_CLEAR_I, Q_DOOM_CLEAR_F, Q_DOOM_INPUTS,
	Q_DOOM_FLOWS_BY_INPUT, Q_DOOM_FLOWS_BY_TRANS, Q_DOOM_FLOWS_BY_ANOM,
	Q_DEL_ANOM, Q_DEL_TRANS, Q_DEL_FLOWS, Q_DEL_INPUTS,
	Q_KIND_INSERT, Q_STATE_NAME,
	Q_CHECKPOINT, Q_JOURNAL_DELETE,
	Q_COUNT
};

static const char *const stmt_sql[Q_COUNT] = {
	[Q_BEGIN] = "BEGIN IMMEDIATE",
	[Q_COMMIT] = "COMMIT",
	[Q_ROLLBACK] = "ROLLBACK",
	[Q_INPUT_INSERT] =
		"INSERT INTO inputs (id, path, size, sha256, format, compression, link_type, snaplen,"
		" first_ts, last_ts, packets, tcp_packets, truncated_packets, malformed_packets, error, status)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, 'running')",
	[Q_INPUT_END] =
		"UPDATE inputs SET path = ?2, size = ?3, sha256 = ?4, format = ?5, compression = ?6,"
		" link_type = ?7, snaplen = ?8, first_ts = ?9, last_ts = ?10, packets = ?11,"
		" tcp_packets = ?12, truncated_packets = ?13, malformed_packets = ?14, error = ?15"
		" WHERE id = ?1 AND status = 'running'",
	[Q_INPUT_FINISH] = "UPDATE inputs SET status = ?2 WHERE id = ?1 AND status = 'running'",
	[Q_FLOW_INSERT] =
		"INSERT INTO flows (id, uid, community_id, input_id, ip_version, orig_addr, orig_port,"
		" resp_addr, resp_port, first_ts, last_ts, orig_pkts, resp_pkts, orig_bytes, resp_bytes,"
		" orig_state, resp_state, conn_state, history, midstream, orig_retrans, resp_retrans,"
		" orig_dup_acks, resp_dup_acks, orig_keepalives, resp_keepalives, orig_zero_win_probes,"
		" resp_zero_win_probes, orig_missed_bytes, resp_missed_bytes)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
		" ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30)",
	[Q_TRANS_INSERT] =
		"INSERT INTO transitions (flow_id, endpoint, ts, input_id, frame, from_state, to_state,"
		" trigger, evidence) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[Q_ANOM_INSERT] =
		"INSERT INTO anomalies (flow_id, kind, endpoint, host, ts, input_id, frame, severity,"
		" detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[Q_INPUT_KNOWN] = "SELECT 1 FROM inputs WHERE sha256 = ?1 LIMIT 1",
	[Q_MAX_FLOW] = "SELECT coalesce(max(id), 0) + 1 FROM flows",
	[Q_MAX_INPUT] = "SELECT coalesce(max(id), 0) + 1 FROM inputs",
	[Q_RUNNING_COUNT] = "SELECT count(*) FROM inputs WHERE status = 'running'",
	/* Cleanup of interrupted runs: collect the doomed ids first so that a flow is removed
	 * whole, with every row that points at it, even one that (against the store_commit
	 * contract) has rows from a running input while its own input is finished. */
	[Q_DOOM_CLEAR_I] = "DELETE FROM temp.doomed_inputs",
	[Q_DOOM_CLEAR_F] = "DELETE FROM temp.doomed_flows",
	[Q_DOOM_INPUTS] = "INSERT INTO temp.doomed_inputs SELECT id FROM inputs WHERE status = 'running'",
	[Q_DOOM_FLOWS_BY_INPUT] =
		"INSERT OR IGNORE INTO temp.doomed_flows SELECT id FROM flows"
		" WHERE input_id IN (SELECT id FROM temp.doomed_inputs)",
	[Q_DOOM_FLOWS_BY_TRANS] =
		"INSERT OR IGNORE INTO temp.doomed_flows SELECT flow_id FROM transitions"
		" WHERE input_id IN (SELECT id FROM temp.doomed_inputs)",
	[Q_DOOM_FLOWS_BY_ANOM] =
		"INSERT OR IGNORE INTO temp.doomed_flows SELECT flow_id FROM anomalies"
		" WHERE flow_id IS NOT NULL AND input_id IN (SELECT id FROM temp.doomed_inputs)",
	[Q_DEL_ANOM] =
		"DELETE FROM anomalies WHERE flow_id IN (SELECT id FROM temp.doomed_flows)"
		" OR input_id IN (SELECT id FROM temp.doomed_inputs)",
	[Q_DEL_TRANS] =
		"DELETE FROM transitions WHERE flow_id IN (SELECT id FROM temp.doomed_flows)"
		" OR input_id IN (SELECT id FROM temp.doomed_inputs)",
	[Q_DEL_FLOWS] = "DELETE FROM flows WHERE id IN (SELECT id FROM temp.doomed_flows)",
	[Q_DEL_INPUTS] = "DELETE FROM inputs WHERE id IN (SELECT id FROM temp.doomed_inputs)",
	[Q_KIND_INSERT] =
		"INSERT INTO anomaly_kinds (kind, severity, scope, description) VALUES (?1, ?2, ?3, ?4)"
		" ON CONFLICT (kind) DO NOTHING",
	[Q_STATE_NAME] = "SELECT name FROM states WHERE code = ?1",
	[Q_CHECKPOINT] = "PRAGMA wal_checkpoint(TRUNCATE)",
	[Q_JOURNAL_DELETE] = "PRAGMA journal_mode = DELETE",
};

/*
 * A record as the store keeps it: the sink's struct plus owned copies of its strings. The
 * callbacks build one and submit it; today submit() applies it at once, a writer thread would
 * take it from a queue of these instead (that is why nothing here points into the caller's
 * memory, and why ids and the current input are settled in the callback, not in apply).
 */
enum op_type { OP_INPUT_BEGIN, OP_INPUT_END, OP_FLOW, OP_TRANSITION, OP_ANOMALY };

struct op {
	enum op_type type;
	union {
		struct input_rec in;
		struct flow_rec f;
		struct transition_rec t;
		struct anomaly_rec a;
	} u;
	char *buf;       /* the strings u points at */
	size_t cap;
};

struct kind_copy {
	char *kind, *severity;
};

/* An input whose input_end was seen; its final status is written by store_commit. */
struct pending {
	int64_t id;
	const char *status;   /* one of final_status[] */
};

struct store {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *st[Q_COUNT];
	struct kind_copy *kinds;
	size_t nkinds;

	int run_begun;
	int64_t next_input_id;   /* assigned by input_begin */
	int64_t cur_input;       /* the input begun last: owner of frame-less host-level anomalies */

	int in_txn;
	unsigned long batch, nrec;   /* records per transaction, records in the open one */
	struct pending *pend;
	size_t npend, cappend;

	int failed;
	char msg[1024];
	struct op op;            /* the one slot of the (for now synchronous) queue */
};

static const char *const final_status[] = { "complete", "truncated", "error" };

/* ---------------------------------------------------------------- errors */

void store_sql_message(char *err, size_t errlen, struct sqlite3 *db, int rc,
                       const char *path, const char *what)
{
	int sys = db ? sqlite3_system_errno(db) : 0;
	const char *why;

	if (!err || !errlen)
		return;
	switch (rc & 0xff) {
	case SQLITE_FULL:
		why = sys == EFBIG ? "the file size limit was reached" : "the disk is full";
		break;
	case SQLITE_IOERR:
		/* SQLite turns ENOSPC into SQLITE_FULL, but EFBIG, EDQUOT and EIO into IOERR_WRITE,
		 * often without keeping errno: name the likely causes. */
		why = sys == ENOSPC ? "the disk is full" : sys == EFBIG ? "the file size limit was reached"
		    : rc == SQLITE_IOERR_WRITE ? "could not write (disk full, quota or file size limit reached, or a device error)"
		    : rc == SQLITE_IOERR_FSYNC || rc == SQLITE_IOERR_DIR_FSYNC ? "could not flush to disk (device error)"
		    : rc == SQLITE_IOERR_READ || rc == SQLITE_IOERR_SHORT_READ ? "could not read (device error, or the file shrank)"
		    : "input/output error";
		break;
	case SQLITE_CANTOPEN:
		why = "cannot open or create a file there (does the directory exist, and is it writable?)";
		break;
	case SQLITE_READONLY: why = "the database or its directory is read-only"; break;
	case SQLITE_PERM: why = "permission denied"; break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: why = "the database is in use by another process"; break;
	case SQLITE_CORRUPT: why = "the database file is damaged"; break;
	case SQLITE_NOTADB: why = "not a SQLite database"; break;
	case SQLITE_CONSTRAINT: why = "a record breaks the schema's rules"; break;
	case SQLITE_NOMEM: why = "out of memory"; break;
	default: why = "database error"; break;
	}
	/* The OS error only explains failures of the file layer; elsewhere it is stale. */
	int show_sys = sys && ((rc & 0xff) == SQLITE_FULL || (rc & 0xff) == SQLITE_IOERR ||
	                       (rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_READONLY ||
	                       (rc & 0xff) == SQLITE_PERM);
	snprintf(err, errlen, "%s: %s: %s (%s%s%s)", path ? path : "(database)", what, why,
	         db ? sqlite3_errmsg(db) : sqlite3_errstr(rc),
	         show_sys ? ": " : "", show_sys ? strerror(sys) : "");
}

void store_message(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void rollback(struct store *s);

/* Records the first failure (later ones are consequences), rolls the open batch back, returns -1. */
static int fail_sql(struct store *s, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail_sql(struct store *s, int rc, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	if (!s->failed) {
		va_start(ap, fmt);
		vsnprintf(what, sizeof what, fmt, ap);
		va_end(ap);
		store_sql_message(s->msg, sizeof s->msg, s->db, rc, s->path, what);
		s->failed = 1;
	}
	rollback(s);
	return -1;
}

static int fail_msg(struct store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail_msg(struct store *s, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	if (!s->failed) {
		va_start(ap, fmt);
		vsnprintf(what, sizeof what, fmt, ap);
		va_end(ap);
		snprintf(s->msg, sizeof s->msg, "%s: %s", s->path, what);
		s->failed = 1;
	}
	rollback(s);
	return -1;
}

const char *store_errmsg(const struct store *s)
{
	return s && s->failed ? s->msg : "";
}

/* ---------------------------------------------------------------- statements */

/* Steps statement q to completion (or its first row), resets it; returns SQLITE_DONE/ROW or the error. */
static int step(struct store *s, enum stmt_id q)
{
	int rc = sqlite3_step(s->st[q]);

	if (rc != SQLITE_ROW) {
		/* reset only clears the VM; the message stays for store_sql_message. */
		sqlite3_reset(s->st[q]);
	}
	return rc;
}

/* Runs a statement that returns one integer; returns 0 with *v, or the SQLite error code. */
static int step_int(struct store *s, enum stmt_id q, int64_t *v)
{
	int rc = sqlite3_step(s->st[q]);

	*v = 0;
	if (rc == SQLITE_ROW) {
		*v = sqlite3_column_int64(s->st[q], 0);
		sqlite3_reset(s->st[q]);
		return 0;
	}
	sqlite3_reset(s->st[q]);
	return rc == SQLITE_DONE || rc == SQLITE_OK ? SQLITE_ERROR : rc;
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	/* SQLITE_STATIC: the op owns the string until the statement is reset. */
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* Binds v, or NULL when v is the record's "none" value. */
static void bind_opt(sqlite3_stmt *st, int i, int64_t v, int64_t none_below)
{
	if (v < none_below)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

/* ---------------------------------------------------------------- transactions */

static void rollback(struct store *s)
{
	if (s->db && !sqlite3_get_autocommit(s->db)) {
		/* Some errors (SQLITE_FULL among them) have already rolled back; this covers the rest. */
		sqlite3_step(s->st[Q_ROLLBACK]);
		sqlite3_reset(s->st[Q_ROLLBACK]);
	}
	s->in_txn = 0;
	s->nrec = 0;
}

static int txn_begin(struct store *s)
{
	if (s->in_txn)
		return 0;
	int rc = step(s, Q_BEGIN);
	if (rc != SQLITE_DONE)
		return fail_sql(s, rc, "starting a transaction");
	s->in_txn = 1;
	s->nrec = 0;
	return 0;
}

static int txn_commit(struct store *s)
{
	if (!s->in_txn)
		return 0;
	int rc = step(s, Q_COMMIT);
	if (rc != SQLITE_DONE)
		return fail_sql(s, rc, "committing");
	s->in_txn = 0;
	s->nrec = 0;
	return 0;
}

/* Counts a record; a full batch is committed (without finishing any input). */
static int counted(struct store *s)
{
	if (++s->nrec >= s->batch)
		return txn_commit(s);
	return 0;
}

/* ---------------------------------------------------------------- applying records */

static void bind_input(struct store *s, sqlite3_stmt *st, const struct input_rec *in)
{
	int nopkt = in->packets <= 0;

	(void)s;
	sqlite3_bind_int64(st, 1, in->id);
	bind_text(st, 2, in->path ? in->path : "");
	bind_opt(st, 3, in->size, 0);
	bind_text(st, 4, in->sha256 && *in->sha256 ? in->sha256 : NULL);
	bind_text(st, 5, in->format && *in->format ? in->format : NULL);
	bind_text(st, 6, in->compression && *in->compression ? in->compression : NULL);
	bind_opt(st, 7, in->link_type, 0);
	bind_opt(st, 8, in->snaplen, 0);
	if (nopkt) {
		sqlite3_bind_null(st, 9);
		sqlite3_bind_null(st, 10);
	} else {
		sqlite3_bind_int64(st, 9, in->first_ts);
		sqlite3_bind_int64(st, 10, in->last_ts);
	}
	sqlite3_bind_int64(st, 11, in->packets);
	sqlite3_bind_int64(st, 12, in->tcp_packets);
	sqlite3_bind_int64(st, 13, in->truncated_packets);
	sqlite3_bind_int64(st, 14, in->malformed_packets);
	bind_text(st, 15, in->error);
}

/* The running row goes in on its own, committed, before any row that belongs to the input. */
static int apply_input_begin(struct store *s, const struct input_rec *in)
{
	if (txn_commit(s) < 0 || txn_begin(s) < 0)
		return -1;
	bind_input(s, s->st[Q_INPUT_INSERT], in);
	int rc = step(s, Q_INPUT_INSERT);
	if (rc != SQLITE_DONE)
		return fail_sql(s, rc, "recording input %lld (%s)", (long long)in->id, in->path ? in->path : "?");
	return txn_commit(s);
}

static int apply_input_end(struct store *s, const struct input_rec *in)
{
	const char *fin = NULL;

	for (size_t i = 0; i < sizeof final_status / sizeof final_status[0]; i++)
		if (in->status && strcmp(in->status, final_status[i]) == 0)
			fin = final_status[i];
	if (!fin)
		return fail_msg(s, "input %lld (%s): input_end with status '%s' (want complete, truncated or error)",
		                (long long)in->id, in->path ? in->path : "?", in->status ? in->status : "(null)");
	if (txn_begin(s) < 0)
		return -1;
	bind_input(s, s->st[Q_INPUT_END], in);
	int rc = step(s, Q_INPUT_END);
	if (rc != SQLITE_DONE)
		return fail_sql(s, rc, "recording the end of input %lld (%s)", (long long)in->id,
		                in->path ? in->path : "?");
	if (sqlite3_changes(s->db) != 1)
		return fail_msg(s, "input_end for input %lld, which this run did not begin", (long long)in->id);
	if (s->npend == s->cappend) {
		size_t n = s->cappend ? 2 * s->cappend : 16;
		struct pending *p = realloc(s->pend, n * sizeof *p);
		if (!p)
			return fail_msg(s, "out of memory");
		s->pend = p;
		s->cappend = n;
	}
	s->pend[s->npend].id = in->id;
	s->pend[s->npend].status = fin;
	s->npend++;
	return counted(s);
}

static int apply_flow(struct store *s, const struct flow_rec *f)
{
	sqlite3_stmt *st = s->st[Q_FLOW_INSERT];
	const char *os = tcpstate_name(f->orig_state), *rs = tcpstate_name(f->resp_state);

	if (f->id <= 0)
		return fail_msg(s, "flow with id %lld (ids start at store_next_flow_id)", (long long)f->id);
	if (*os == '?' || *rs == '?')
		return fail_msg(s, "flow %lld: state code %d/%d is not a tcp_state", (long long)f->id,
		                f->orig_state, f->resp_state);
	if (txn_begin(s) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, f->id);
	bind_text(st, 2, f->uid);
	bind_text(st, 3, f->community_id);
	sqlite3_bind_int64(st, 4, f->first_input_id);
	sqlite3_bind_int(st, 5, f->ip_version);
	bind_text(st, 6, f->orig_addr);
	sqlite3_bind_int(st, 7, f->orig_port);
	bind_text(st, 8, f->resp_addr);
	sqlite3_bind_int(st, 9, f->resp_port);
	sqlite3_bind_int64(st, 10, f->first_ts);
	sqlite3_bind_int64(st, 11, f->last_ts);
	sqlite3_bind_int64(st, 12, f->orig_pkts);
	sqlite3_bind_int64(st, 13, f->resp_pkts);
	sqlite3_bind_int64(st, 14, f->orig_bytes);
	sqlite3_bind_int64(st, 15, f->resp_bytes);
	bind_text(st, 16, os);
	bind_text(st, 17, rs);
	bind_text(st, 18, f->conn_state);
	bind_text(st, 19, f->history ? f->history : "");
	sqlite3_bind_int(st, 20, f->midstream ? 1 : 0);
	sqlite3_bind_int64(st, 21, f->orig_retrans);
	sqlite3_bind_int64(st, 22, f->resp_retrans);
	sqlite3_bind_int64(st, 23, f->orig_dup_acks);
	sqlite3_bind_int64(st, 24, f->resp_dup_acks);
	sqlite3_bind_int64(st, 25, f->orig_keepalives);
	sqlite3_bind_int64(st, 26, f->resp_keepalives);
	sqlite3_bind_int64(st, 27, f->orig_zero_win_probes);
	sqlite3_bind_int64(st, 28, f->resp_zero_win_probes);
	sqlite3_bind_int64(st, 29, f->orig_missed_bytes);
	sqlite3_bind_int64(st, 30, f->resp_missed_bytes);
	int rc = step(s, Q_FLOW_INSERT);
	if (rc != SQLITE_DONE)
		return fail_sql(s, rc, "writing flow %lld (uid %s, input %lld)", (long long)f->id,
		                f->uid ? f->uid : "?", (long long)f->first_input_id);
	return counted(s);
}

static const char *endpoint_name(int ep)
{
	return ep == 0 ? "orig" : ep == 1 ? "resp" : NULL;
}

static int apply_transition(struct store *s, const struct transition_rec *t)
{
	sqlite3_stmt *st = s->st[Q_TRANS_INSERT];
	const char *from = tcpstate_name(t->from_state), *to = tcpstate_name(t->to_state);
	const char *ev = tcpstate_evidence_name(t->evidence), *ep = endpoint_name(t->endpoint);

	if (*from == '?' || *to == '?' || *ev == '?' || !ep)
		return fail_msg(s, "transition of flow %lld: endpoint %d, states %d->%d, evidence %d out of range",
		                (long long)t->flow_id, t->endpoint, t->from_state, t->to_state, t->evidence);
	if (txn_begin(s) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, t->flow_id);
	bind_text(st, 2, ep);
	sqlite3_bind_int64(st, 3, t->ts);
	bind_opt(st, 4, t->input_id, 1);
	bind_opt(st, 5, t->frame, 1);
	bind_text(st, 6, from);
	bind_text(st, 7, to);
	bind_text(st, 8, t->trigger ? t->trigger : "");
	bind_text(st, 9, ev);
	int rc = step(s, Q_TRANS_INSERT);
	if (rc != SQLITE_DONE)
		return fail_sql(s, rc, "writing a transition of flow %lld (%s %s->%s)", (long long)t->flow_id,
		                ep, from, to);
	return counted(s);
}

static int apply_anomaly(struct store *s, const struct anomaly_rec *a)
{
	sqlite3_stmt *st = s->st[Q_ANOM_INSERT];

	if (txn_begin(s) < 0)
		return -1;
	bind_opt(st, 1, a->flow_id, 1);
	bind_text(st, 2, a->kind);
	bind_text(st, 3, endpoint_name(a->endpoint));
	bind_text(st, 4, a->host);
	sqlite3_bind_int64(st, 5, a->ts);
	bind_opt(st, 6, a->input_id, 1);
	bind_opt(st, 7, a->frame, 1);
	bind_text(st, 8, a->severity);
	bind_text(st, 9, a->detail ? a->detail : "");
	int rc = step(s, Q_ANOM_INSERT);
	if (rc != SQLITE_DONE)
		return fail_sql(s, rc, "writing anomaly %s of flow %lld", a->kind, (long long)a->flow_id);
	return counted(s);
}

static int apply(struct store *s, const struct op *op)
{
	switch (op->type) {
	case OP_INPUT_BEGIN: return apply_input_begin(s, &op->u.in);
	case OP_INPUT_END: return apply_input_end(s, &op->u.in);
	case OP_FLOW: return apply_flow(s, &op->u.f);
	case OP_TRANSITION: return apply_transition(s, &op->u.t);
	case OP_ANOMALY: return apply_anomaly(s, &op->u.a);
	}
	return fail_msg(s, "internal error: unknown record type");
}

/* Hands the op to the writer. Synchronous today: see struct op. */
static int submit(struct store *s)
{
	return apply(s, &s->op);
}

/* Copies the strings *fields[0..n) point at into the op and points the fields at the copies. */
static int op_own(struct store *s, struct op *op, const char **const fields[], size_t n)
{
	size_t need = 0;

	for (size_t i = 0; i < n; i++)
		if (*fields[i])
			need += strlen(*fields[i]) + 1;
	if (need > op->cap) {
		size_t cap = op->cap ? op->cap : 256;
		while (cap < need)
			cap *= 2;
		char *b = realloc(op->buf, cap);
		if (!b)
			return fail_msg(s, "out of memory");
		op->buf = b;
		op->cap = cap;
	}
	char *p = op->buf;
	for (size_t i = 0; i < n; i++) {
		if (!*fields[i])
			continue;
		size_t len = strlen(*fields[i]) + 1;
		memcpy(p, *fields[i], len);
		*fields[i] = p;
		p += len;
	}
	return 0;
}

/* ---------------------------------------------------------------- sink callbacks */

static int own_input(struct store *s, enum op_type type, const struct input_rec *in)
{
	struct op *op = &s->op;

	op->type = type;
	op->u.in = *in;
	const char **const f[] = { &op->u.in.path, &op->u.in.sha256, &op->u.in.format,
	                           &op->u.in.compression, &op->u.in.status, &op->u.in.error };
	return op_own(s, op, f, sizeof f / sizeof f[0]);
}

static int cb_input_begin(void *ctx, struct input_rec *in)
{
	struct store *s = ctx;

	if (s->failed || store_begin_run(s) < 0)
		return -1;
	/* Assigned here, not by SQLite, so a writer thread could answer at once. */
	in->id = s->next_input_id++;
	s->cur_input = in->id;
	if (own_input(s, OP_INPUT_BEGIN, in) < 0)
		return -1;
	return submit(s);
}

static int cb_input_end(void *ctx, const struct input_rec *in)
{
	struct store *s = ctx;

	if (s->failed)
		return -1;
	if (own_input(s, OP_INPUT_END, in) < 0)
		return -1;
	return submit(s);
}

static int cb_flow(void *ctx, const struct flow_rec *f)
{
	struct store *s = ctx;
	struct op *op = &s->op;

	if (s->failed)
		return -1;
	op->type = OP_FLOW;
	op->u.f = *f;
	const char **const fl[] = { &op->u.f.uid, &op->u.f.community_id, &op->u.f.orig_addr,
	                            &op->u.f.resp_addr, &op->u.f.conn_state, &op->u.f.history };
	if (op_own(s, op, fl, sizeof fl / sizeof fl[0]) < 0)
		return -1;
	return submit(s);
}

static int cb_transition(void *ctx, const struct transition_rec *t)
{
	struct store *s = ctx;
	struct op *op = &s->op;

	if (s->failed)
		return -1;
	op->type = OP_TRANSITION;
	op->u.t = *t;
	const char **const fl[] = { &op->u.t.trigger };
	if (op_own(s, op, fl, 1) < 0)
		return -1;
	return submit(s);
}

static int cb_anomaly(void *ctx, const struct anomaly_rec *a)
{
	struct store *s = ctx;
	struct op *op = &s->op;
	const struct kind_copy *k = NULL;

	if (s->failed)
		return -1;
	for (size_t i = 0; i < s->nkinds && !k; i++)
		if (a->kind && strcmp(a->kind, s->kinds[i].kind) == 0)
			k = &s->kinds[i];
	if (!k)
		return fail_msg(s, "anomaly kind '%s' is not in the catalogue given to store_open",
		                a->kind ? a->kind : "(null)");
	op->type = OP_ANOMALY;
	op->u.a = *a;
	if (!op->u.a.severity)
		op->u.a.severity = k->severity;
	if (op->u.a.flow_id <= 0 && op->u.a.input_id <= 0) {
		/* Host-level findings belong to the input being read, so they leave with it. */
		if (s->cur_input <= 0)
			return fail_msg(s, "anomaly %s with neither flow nor input before any input began", a->kind);
		op->u.a.input_id = s->cur_input;
	}
	const char **const fl[] = { &op->u.a.kind, &op->u.a.host, &op->u.a.severity, &op->u.a.detail };
	if (op_own(s, op, fl, sizeof fl / sizeof fl[0]) < 0)
		return -1;
	return submit(s);
}

struct sink store_sink(struct store *s)
{
	struct sink k = {
		.ctx = s,
		.input_begin = cb_input_begin,
		.input_end = cb_input_end,
		.flow = cb_flow,
		.transition = cb_transition,
		.anomaly = cb_anomaly,
	};
	return k;
}

/* ---------------------------------------------------------------- runs */

/* Removes every 'running' input with all its rows, in the open transaction; returns the count or -1. */
static int remove_running(struct store *s)
{
	static const enum stmt_id seq[] = {
		Q_DOOM_CLEAR_I, Q_DOOM_CLEAR_F, Q_DOOM_INPUTS, Q_DOOM_FLOWS_BY_INPUT,
		Q_DOOM_FLOWS_BY_TRANS, Q_DOOM_FLOWS_BY_ANOM, Q_DEL_ANOM, Q_DEL_TRANS, Q_DEL_FLOWS,
		Q_DEL_INPUTS,
	};
	int n = 0;

	for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++) {
		int rc = step(s, seq[i]);
		if (rc != SQLITE_DONE)
			return fail_sql(s, rc, "removing the rows of an interrupted run");
		if (seq[i] == Q_DEL_INPUTS)
			n = sqlite3_changes(s->db);
	}
	step(s, Q_DOOM_CLEAR_I);
	step(s, Q_DOOM_CLEAR_F);
	return n;
}

int store_begin_run(struct store *s)
{
	int64_t running = 0, next = 0;
	int rc, n = 0;

	if (!s || s->failed)
		return -1;
	if (s->run_begun)
		return 0;
	if ((rc = step_int(s, Q_RUNNING_COUNT, &running)) != 0)
		return fail_sql(s, rc, "looking for interrupted runs");
	if (running > 0) {
		if (txn_begin(s) < 0 || (n = remove_running(s)) < 0 || txn_commit(s) < 0)
			return -1;
	}
	if ((rc = step_int(s, Q_MAX_INPUT, &next)) != 0)
		return fail_sql(s, rc, "numbering inputs");
	s->next_input_id = next;
	s->run_begun = 1;
	return n;
}

int store_input_known(struct store *s, const char *sha256)
{
	sqlite3_stmt *st;
	int rc;

	if (!s || s->failed || store_begin_run(s) < 0)
		return -1;
	if (!sha256 || !*sha256)
		return 0;
	st = s->st[Q_INPUT_KNOWN];
	bind_text(st, 1, sha256);
	rc = step(s, Q_INPUT_KNOWN);
	if (rc == SQLITE_ROW) {
		sqlite3_reset(st);
		return 1;
	}
	if (rc != SQLITE_DONE)
		return fail_sql(s, rc, "looking up input %s", sha256);
	return 0;
}

int64_t store_next_flow_id(struct store *s)
{
	int64_t v = 0;
	int rc;

	if (!s || s->failed || store_begin_run(s) < 0)
		return -1;
	if ((rc = step_int(s, Q_MAX_FLOW, &v)) != 0)
		return fail_sql(s, rc, "numbering flows");
	return v;
}

void store_set_batch(struct store *s, unsigned long records)
{
	if (s)
		s->batch = records ? records : 1;
}

int store_commit(struct store *s)
{
	if (!s || s->failed)
		return -1;
	if (s->npend) {
		if (txn_begin(s) < 0)
			return -1;
		for (size_t i = 0; i < s->npend; i++) {
			sqlite3_stmt *st = s->st[Q_INPUT_FINISH];
			sqlite3_bind_int64(st, 1, s->pend[i].id);
			bind_text(st, 2, s->pend[i].status);
			int rc = step(s, Q_INPUT_FINISH);
			if (rc != SQLITE_DONE)
				return fail_sql(s, rc, "marking input %lld %s", (long long)s->pend[i].id,
				                s->pend[i].status);
		}
	}
	if (txn_commit(s) < 0)
		return -1;
	s->npend = 0;
	return 0;
}

/* ---------------------------------------------------------------- opening */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

int store_check_file(const char *path, char *err, size_t errlen)
{
	unsigned char h[100];
	struct stat sb;
	ssize_t got = 0;
	int fd;

	if (stat(path, &sb) < 0) {
		if (errno == ENOENT)
			return 0;
		store_message(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		store_message(err, errlen, "%s: not a regular file, so not a case database", path);
		return -1;
	}
	if (sb.st_size == 0)
		return 0;
	/* Plain read(2): SQLite must not touch a file that is not ours (it could roll back a hot
	 * journal or change the header of someone else's database). */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		store_message(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (got < (ssize_t)sizeof h) {
		ssize_t r = read(fd, h + got, sizeof h - (size_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			store_message(err, errlen, "%s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		got += r;
	}
	close(fd);
	if (got < (ssize_t)sizeof h || memcmp(h, "SQLite format 3", 16) != 0) {
		store_message(err, errlen, "%s: not a SQLite database, so not a pcapstate case database; refusing to touch it", path);
		return -1;
	}
	uint32_t app = be32(h + 68), ver = be32(h + 60);
	if (app != (uint32_t)STORE_APPLICATION_ID) {
		if (app == 0)
			store_message(err, errlen, "%s: a SQLite database, but not a pcapstate case database "
			        "(application_id 0); refusing to touch it", path);
		else
			store_message(err, errlen, "%s: a SQLite database of another application "
			        "(application_id 0x%08lx, pcapstate's is 0x%08lx); refusing to touch it",
			        path, (unsigned long)app, (unsigned long)STORE_APPLICATION_ID);
		return -1;
	}
	if (ver != STORE_SCHEMA_VERSION) {
		store_message(err, errlen, "%s: a pcapstate case database of schema version %lu; this pcapstate "
		        "reads and writes version %d only%s", path, (unsigned long)ver, STORE_SCHEMA_VERSION,
		        ver > STORE_SCHEMA_VERSION ? " (it was written by a newer pcapstate)" : "");
		return -1;
	}
	return 1;
}

/* Runs a setup script (pragmas, the embedded schema); returns the SQLite code. */
static int run_script(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* Returns a malloc'd copy of the directory part of path ("." when there is none). */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 1;
	char *d;

	if (slash && n == 0)
		n = 1;   /* "/file" lives in "/" */
	d = malloc(n + 1);
	if (!d)
		return NULL;
	memcpy(d, slash ? path : ".", n);
	d[n] = 0;
	return d;
}

static void sync_dir(const char *path)
{
	char *d = dir_of(path);
	int fd = d ? open(d, O_RDONLY | O_CLOEXEC) : -1;

	/* The new name must survive a power loss too; failure here loses nothing but that. */
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(d);
}

/* Builds the schema in db (one transaction); returns 0, or -1 with err. */
static int build_schema(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = run_script(db, "BEGIN IMMEDIATE")) != SQLITE_OK)
		goto sqlfail;
	if ((rc = run_script(db, store_schema_sql)) != SQLITE_OK ||
	    (rc = run_script(db, store_schema_doc_sql)) != SQLITE_OK)
		goto sqlfail;
	rc = sqlite3_prepare_v2(db, "INSERT INTO states (code, name, meaning) VALUES (?1, ?2, ?3)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	for (int i = 0; i < ST_MAX; i++) {
		sqlite3_bind_int(st, 1, i);
		sqlite3_bind_text(st, 2, tcpstate_name(i), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, state_meaning[i] ? state_meaning[i] : "", -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(st)) != SQLITE_DONE)
			goto sqlfail;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	st = NULL;
	if ((rc = run_script(db, "COMMIT")) != SQLITE_OK)
		goto sqlfail;
	return 0;
sqlfail:
	store_sql_message(err, errlen, db, rc, path, "creating the schema");
	sqlite3_finalize(st);
	if (!sqlite3_get_autocommit(db))
		run_script(db, "ROLLBACK");
	return -1;
}

/*
 * Creates a new case database at path: the schema is built in a temporary file beside it,
 * which then takes the name at once (link, so nobody's file is replaced; rename over an empty
 * file). A crash or a full disk therefore never leaves a half-made database under path.
 * Returns 1 when the new file now has the name, 0 when another process created one first
 * (the caller checks that one like any existing file), -1 with err (no file left behind).
 */
static int create_new(const char *path, char *err, size_t errlen)
{
	size_t n = strlen(path) + 48;
	char *tmp = malloc(n), *tmpj = malloc(n + 8);
	sqlite3 *db = NULL;
	int fd, rc, ret = -1;
	struct stat sb;

	if (!tmp || !tmpj) {
		store_message(err, errlen, "%s: out of memory", path);
		goto out;
	}
	snprintf(tmp, n, "%s.new-%ld", path, (long)getpid());
	snprintf(tmpj, n + 8, "%s-journal", tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		char *d = dir_of(path);
		store_message(err, errlen, "%s: cannot create the database in directory %s: %s", path,
		        d ? d : "?", strerror(errno));
		free(d);
		free(tmp);
		tmp = NULL;   /* not ours: never unlink it */
		goto out;
	}
	close(fd);
	rc = sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		store_sql_message(err, errlen, db, rc, path, "creating the database");
		goto out;
	}
	sqlite3_extended_result_codes(db, 1);
	if (build_schema(db, path, err, errlen) < 0)
		goto out;
	rc = sqlite3_close(db);
	db = NULL;
	if (rc != SQLITE_OK) {
		store_message(err, errlen, "%s: creating the database: closing failed (%s)", path, sqlite3_errstr(rc));
		goto out;
	}
	if (link(tmp, path) < 0) {
		int e = errno;
		if (e == EEXIST && stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size == 0) {
			e = rename(tmp, path) < 0 ? errno : 0;
		} else if (e == EEXIST) {
			/* Someone created it meanwhile: keep theirs, the caller checks it again. */
			e = 0;
			ret = 0;
			goto out;
		} else if (e == EPERM || e == ENOSYS || e == EOPNOTSUPP || e == EXDEV) {
			/* A file system without hard links: rename (a racing creator could lose). */
			e = rename(tmp, path) < 0 ? errno : 0;
		}
		if (e) {
			store_message(err, errlen, "%s: cannot give the new database its name: %s", path, strerror(e));
			goto out;
		}
	}
	sync_dir(path);
	ret = 1;
out:
	if (db)
		sqlite3_close(db);
	if (tmp) {
		unlink(tmp);   /* after link or rename it is only the second name (or already gone) */
		unlink(tmpj);
	}
	free(tmp);
	free(tmpj);
	return ret;
}

static int64_t pragma_int(sqlite3 *db, const char *sql, int *rc)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	*rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (*rc == SQLITE_OK) {
		*rc = sqlite3_step(st);
		if (*rc == SQLITE_ROW) {
			v = sqlite3_column_int64(st, 0);
			*rc = SQLITE_OK;
		} else if (*rc == SQLITE_DONE) {
			*rc = SQLITE_ERROR;
		}
	}
	sqlite3_finalize(st);
	return v;
}

/* Checks what SQLite sees (the header may be stale when a WAL is pending) and the tables. */
static int verify_db(struct store *s, char *err, size_t errlen)
{
	int rc;
	int64_t app = pragma_int(s->db, "PRAGMA application_id", &rc);

	if (rc != SQLITE_OK) {
		store_sql_message(err, errlen, s->db, rc, s->path, "reading the database");
		return -1;
	}
	int64_t ver = pragma_int(s->db, "PRAGMA user_version", &rc);
	if (rc != SQLITE_OK) {
		store_sql_message(err, errlen, s->db, rc, s->path, "reading the database");
		return -1;
	}
	if (app != STORE_APPLICATION_ID || ver != STORE_SCHEMA_VERSION) {
		store_message(err, errlen, "%s: not a pcapstate case database of schema version %d "
		        "(application_id 0x%08llx, user_version %lld)", s->path, STORE_SCHEMA_VERSION,
		        (unsigned long long)app, (long long)ver);
		return -1;
	}
	for (size_t i = 0; i < sizeof required_tables / sizeof required_tables[0]; i++) {
		char sql[160];
		snprintf(sql, sizeof sql, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '%s'",
		         required_tables[i]);
		if (pragma_int(s->db, sql, &rc) != 1 || rc != SQLITE_OK) {
			store_message(err, errlen, "%s: a pcapstate header but no table %s: damaged or not made by pcapstate",
			        s->path, required_tables[i]);
			return -1;
		}
	}
	return 0;
}

/* The stored state names must be this build's (the numbering is frozen); 0 or -1 with err. */
static int verify_states(struct store *s, char *err, size_t errlen)
{
	for (int i = 0; i < ST_MAX; i++) {
		sqlite3_stmt *st = s->st[Q_STATE_NAME];
		sqlite3_bind_int(st, 1, i);
		int rc = sqlite3_step(st);
		const char *name = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
		int same = name && strcmp(name, tcpstate_name(i)) == 0;
		sqlite3_reset(st);
		if (!same) {
			store_message(err, errlen, "%s: its states table does not match this pcapstate (code %d is not %s)",
			        s->path, i, tcpstate_name(i));
			return -1;
		}
	}
	return 0;
}

/* Adds the catalogue's kinds that the database lacks; returns 0 or -1 with err. */
static int seed_kinds(struct store *s, const struct store_kind *kinds, size_t nkinds, char *err, size_t errlen)
{
	int rc;

	if (!nkinds)
		return 0;
	if ((rc = step(s, Q_BEGIN)) != SQLITE_DONE)
		goto fail;
	for (size_t i = 0; i < nkinds; i++) {
		sqlite3_stmt *st = s->st[Q_KIND_INSERT];
		bind_text(st, 1, kinds[i].kind);
		bind_text(st, 2, kinds[i].severity);
		bind_text(st, 3, kinds[i].scope);
		bind_text(st, 4, kinds[i].description);
		if ((rc = step(s, Q_KIND_INSERT)) != SQLITE_DONE) {
			char what[160];
			snprintf(what, sizeof what, "recording anomaly kind '%s' of the catalogue",
			         kinds[i].kind ? kinds[i].kind : "(null)");
			store_sql_message(err, errlen, s->db, rc, s->path, what);
			rollback(s);
			return -1;
		}
	}
	if ((rc = step(s, Q_COMMIT)) != SQLITE_DONE)
		goto fail;
	return 0;
fail:
	store_sql_message(err, errlen, s->db, rc, s->path, "recording the anomaly catalogue");
	rollback(s);
	return -1;
}

static void free_store(struct store *s)
{
	if (!s)
		return;
	for (int i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	if (s->db)
		sqlite3_close(s->db);
	for (size_t i = 0; i < s->nkinds; i++) {
		free(s->kinds[i].kind);
		free(s->kinds[i].severity);
	}
	free(s->kinds);
	free(s->pend);
	free(s->op.buf);
	free(s->path);
	free(s);
}

struct store *store_open(const char *path, const struct store_kind *kinds, size_t nkinds,
                         char *err, size_t errlen)
{
	struct store *s;
	int rc, created = 0, st;

	if (!path || !*path || (nkinds && !kinds)) {
		store_message(err, errlen, "store_open: no database path given");
		return NULL;
	}
	if ((st = store_check_file(path, err, errlen)) < 0)
		return NULL;
	if (st == 0) {
		if ((created = create_new(path, err, errlen)) < 0)
			return NULL;
		if (store_check_file(path, err, errlen) != 1)   /* a racing creator's file */
			return NULL;
	}
	/* The journal and WAL live beside the file: say so before SQLite fails obscurely. */
	char *d = dir_of(path);
	if (d && access(d, W_OK | X_OK) < 0) {
		store_message(err, errlen, "%s: directory %s is not writable (the database needs its journal beside it): %s",
		        path, d, strerror(errno));
		free(d);
		return NULL;
	}
	free(d);
	if (access(path, W_OK) < 0) {
		store_message(err, errlen, "%s: the database file is not writable: %s", path, strerror(errno));
		return NULL;
	}

	s = calloc(1, sizeof *s);
	if (!s || !(s->path = strdup(path)) ||
	    (nkinds && !(s->kinds = calloc(nkinds, sizeof *s->kinds)))) {
		store_message(err, errlen, "%s: out of memory", path);
		free_store(s);
		return NULL;
	}
	s->batch = STORE_DEFAULT_BATCH;
	for (size_t i = 0; i < nkinds; i++) {
		s->kinds[i].kind = kinds[i].kind ? strdup(kinds[i].kind) : NULL;
		s->kinds[i].severity = kinds[i].severity ? strdup(kinds[i].severity) : NULL;
		s->nkinds++;
		if (!s->kinds[i].kind || !s->kinds[i].severity) {
			store_message(err, errlen, "%s: anomaly catalogue entry %zu lacks a kind or severity", path, i);
			goto fail;
		}
	}

	/* No SQLITE_OPEN_CREATE: the file was checked above and must not be replaced by a new one.
	 * SQLITE_OPEN_URI lets merge.c ATTACH sources read-only ("file:...?mode=ro"); a path that
	 * itself starts with "file:" is made relative ("./file:...") so it stays a plain name. */
	{
		size_t len = strlen(path) + 3;
		char *name = malloc(len);
		if (!name) {
			store_message(err, errlen, "%s: out of memory", path);
			goto fail;
		}
		snprintf(name, len, "%s%s", strncmp(path, "file:", 5) == 0 ? "./" : "", path);
		rc = sqlite3_open_v2(name, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI, NULL);
		free(name);
	}
	if (rc != SQLITE_OK) {
		store_sql_message(err, errlen, s->db, rc, path, "opening");
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	/* EXCLUSIVE: the lock taken by the first read is held until close, so no other process
	 * can write (or remove our 'running' inputs) while this run is going, and WAL keeps its
	 * index in memory: no -shm file. A brief wait covers a reader that is just finishing. */
	sqlite3_busy_timeout(s->db, 2000);
	rc = run_script(s->db, "PRAGMA locking_mode = EXCLUSIVE; PRAGMA foreign_keys = ON;"
	                       " PRAGMA trusted_schema = OFF; PRAGMA temp_store = MEMORY;"
	                       " PRAGMA cache_size = -65536");
	if (rc != SQLITE_OK) {
		store_sql_message(err, errlen, s->db, rc, path, "configuring the connection");
		goto fail;
	}
	{
		int64_t fk = pragma_int(s->db, "PRAGMA foreign_keys", &rc);
		if (rc != SQLITE_OK || fk != 1) {
			/* The first read: this is where a locked or damaged file shows. */
			if (rc != SQLITE_OK)
				store_sql_message(err, errlen, s->db, rc, path, "opening");
			else
				store_message(err, errlen, "%s: this SQLite does not enforce foreign keys", path);
			goto fail;
		}
	}
	{
		const char *sql = "PRAGMA journal_mode = " STORE_RUN_JOURNAL;
		sqlite3_stmt *q = NULL;
		rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);
		if (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW)
			rc = sqlite3_stricmp((const char *)sqlite3_column_text(q, 0), STORE_RUN_JOURNAL) == 0
			     ? SQLITE_OK : SQLITE_ERROR;
		sqlite3_finalize(q);
		if (rc != SQLITE_OK) {
			store_sql_message(err, errlen, s->db, rc, path, "switching to the " STORE_RUN_JOURNAL " journal");
			goto fail;
		}
	}
	if (verify_db(s, err, errlen) < 0)
		goto fail;
	/* Take the exclusive lock now (kept until close in this locking mode), so a second
	 * pcapstate on the same file fails here, not after it removed our 'running' inputs. */
	rc = run_script(s->db, "BEGIN EXCLUSIVE; COMMIT");
	if (rc != SQLITE_OK) {
		store_sql_message(err, errlen, s->db, rc, path, "locking the database for this run");
		if (!sqlite3_get_autocommit(s->db))
			run_script(s->db, "ROLLBACK");
		goto fail;
	}
	rc = run_script(s->db, "PRAGMA synchronous = " STORE_RUN_SYNC ";"
	                       " CREATE TEMP TABLE doomed_inputs (id INTEGER PRIMARY KEY);"
	                       " CREATE TEMP TABLE doomed_flows (id INTEGER PRIMARY KEY)");
	if (rc != SQLITE_OK) {
		store_sql_message(err, errlen, s->db, rc, path, "configuring the connection");
		goto fail;
	}
	for (int i = 0; i < Q_COUNT; i++) {
		rc = sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL);
		if (rc != SQLITE_OK) {
			/* A schema that lacks what we write to: damaged or not ours after all. */
			store_sql_message(err, errlen, s->db, rc, path, "preparing the store's statements");
			goto fail;
		}
	}
	if (verify_states(s, err, errlen) < 0 || seed_kinds(s, kinds, nkinds, err, errlen) < 0)
		goto fail;
	return s;
fail:
	free_store(s);
	if (created) {
		/* Ours and empty: leave nothing behind. */
		unlink(path);
	}
	return NULL;
}

/* ---------------------------------------------------------------- closing */

/*
 * A process killed between two transactions leaves a journal whose header is zeroed (in the
 * exclusive locking mode SQLite keeps the file between transactions): not hot, so SQLite
 * ignores it, and a later run that writes nothing never removes it. We hold the exclusive
 * lock and no transaction is open, so no journal can be live: remove one that is not hot.
 * A journal that still has its magic (hot) is left to SQLite.
 */
static void remove_stale_journal(struct store *s)
{
	static const unsigned char magic[8] = { 0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7 };
	unsigned char head[8] = { 0 };
	size_t n = strlen(s->path) + 9;
	char *j = malloc(n);
	int fd;

	if (!j || !sqlite3_get_autocommit(s->db))
		goto out;
	snprintf(j, n, "%s-journal", s->path);
	fd = open(j, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto out;
	ssize_t got = read(fd, head, sizeof head);
	close(fd);
	if (got < (ssize_t)sizeof head || memcmp(head, magic, sizeof magic) != 0)
		unlink(j);
out:
	free(j);
}

/* Leaves only the database file. The run uses the rollback journal (nothing to do then); a
 * file found in WAL mode (converted by another tool) is checkpointed and switched back. */
static int finish_file(struct store *s, char *err, size_t errlen)
{
	int rc;

	rc = step(s, Q_CHECKPOINT);
	sqlite3_reset(s->st[Q_CHECKPOINT]);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_sql_message(err, errlen, s->db, rc, s->path, "checkpointing the WAL into the database");
		return -1;
	}
	rc = step(s, Q_JOURNAL_DELETE);
	sqlite3_reset(s->st[Q_JOURNAL_DELETE]);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_sql_message(err, errlen, s->db, rc, s->path, "switching back to the rollback journal");
		return -1;
	}
	remove_stale_journal(s);
	return 0;
}

/* Shared end of store_close and store_abandon; keep = commit the run. */
/* Builds the bulk indexes missing from the file, in one transaction. Returns 0 or -1. */
static int build_indexes(struct store *s)
{
	if (txn_begin(s) < 0)
		return -1;
	int rc = run_script(s->db, bulk_indexes);
	if (rc != SQLITE_OK)
		return fail_sql(s, rc, "building the indexes");
	return txn_commit(s);
}

static int end(struct store *s, int keep, char *err, size_t errlen)
{
	int ret = 0, rc;

	if (!s)
		return 0;
	if (keep == 2 && !s->failed) {
		/* Interrupted: keep what was written, finish no input (they stay 'running', and the
		 * next store_begin_run removes them so that run equals an uninterrupted one). */
		s->npend = 0;
		if (txn_commit(s) < 0) {
			store_message(err, errlen, "%s", s->msg);
			ret = -1;
		}
	} else if (keep == 1 && !s->failed && store_commit(s) == 0 && build_indexes(s) == 0) {
		/* committed, indexes built */
	} else {
		if (s->failed) {
			store_message(err, errlen, "%s", s->msg);
			ret = -1;
		}
		rollback(s);
		s->npend = 0;
		if (s->run_begun) {
			/* Put the file back as it was before the run (inputs finished by an earlier
			 * store_commit stay). On failure the next store_begin_run does it. */
			s->failed = 0;
			if (txn_begin(s) < 0 || remove_running(s) < 0 || txn_commit(s) < 0) {
				if (!ret)
					store_message(err, errlen, "%s", s->msg);
				ret = -1;
			}
		}
	}
	if (finish_file(s, ret ? NULL : err, ret ? 0 : errlen) < 0)
		ret = -1;
	for (int i = 0; i < Q_COUNT; i++) {
		sqlite3_finalize(s->st[i]);
		s->st[i] = NULL;
	}
	rc = sqlite3_close(s->db);
	s->db = NULL;
	if (rc != SQLITE_OK && !ret) {
		store_message(err, errlen, "%s: closing: %s", s->path, sqlite3_errstr(rc));
		ret = -1;
	}
	free_store(s);
	return ret;
}

int store_close(struct store *s, char *err, size_t errlen)
{
	return end(s, 1, err, errlen);
}

int store_abandon(struct store *s, char *err, size_t errlen)
{
	return end(s, 0, err, errlen);
}

int store_suspend(struct store *s, char *err, size_t errlen)
{
	return end(s, 2, err, errlen);
}

struct sqlite3 *store_handle(struct store *s)
{
	return s ? s->db : NULL;
}

const char *store_path(const struct store *s)
{
	return s ? s->path : NULL;
}
