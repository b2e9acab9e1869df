/* test_store.c - unit tests of the case-database store and merge: schema, sink, refusals, crash safety, merge; --bench N measures throughput. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "merge.h"
#include "store.h"
#include "tcpstate.h"
#include "unit.h"

static char dir[256];

static const struct store_kind catalogue[] = {
	{ "lost_final_ack", "warning", "flow", "the last FIN was never acknowledged" },
	{ "midstream", "info", "flow", "the flow began without a handshake in the capture" },
	{ "syn_flood", "error", "host", "many endpoints held in SYN_RECEIVED at once" },
	{ "truncated_packet", "info", "capture", "a frame cut short inside its headers" },
};
#define NKINDS (sizeof catalogue / sizeof catalogue[0])

/* ---------------------------------------------------------------- helpers */

static const char *p(const char *name)
{
	/* a ring: each test keeps fewer than 64 paths alive at once */
	static char buf[64][1024];
	static int i;
	char *b = buf[i++ & 63];
	snprintf(b, sizeof buf[0], "%s/%s", dir, name);
	return b;
}

static int exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static int sidecars(const char *path)
{
	char b[600];
	int n = 0;
	const char *suf[] = { "-wal", "-shm", "-journal" };
	for (int i = 0; i < 3; i++) {
		snprintf(b, sizeof b, "%s%s", path, suf[i]);
		n += exists(b);
	}
	return n;
}

static sqlite3 *ro(const char *path)
{
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fprintf(stderr, "cannot open %s: %s\n", path, sqlite3_errmsg(db));
		exit(2);
	}
	return db;
}

static long long q_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -999;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "prepare %s: %s\n", sql, sqlite3_errmsg(db));
		return -998;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static char *q_text(sqlite3 *db, const char *sql)
{
	static char buf[4096];
	sqlite3_stmt *st;
	strcpy(buf, "(none)");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(buf, sizeof buf, "(prepare: %s)", sqlite3_errmsg(db));
		return buf;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(buf, sizeof buf, "%s", sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "(null)");
	sqlite3_finalize(st);
	return buf;
}

/* FNV-1a over every value of every row of the user tables, in id order: a logical dump. */
static uint64_t db_hash(sqlite3 *db)
{
	static const char *const q[] = {
		"SELECT * FROM inputs ORDER BY id", "SELECT * FROM flows ORDER BY id",
		"SELECT * FROM transitions ORDER BY id", "SELECT * FROM anomalies ORDER BY id",
		"SELECT * FROM anomaly_kinds ORDER BY kind", "SELECT * FROM states ORDER BY code",
		"SELECT * FROM schema_doc ORDER BY tbl, col",
	};
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(db, q[i], -1, &st, NULL) != SQLITE_OK)
			return 0;
		while (sqlite3_step(st) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(st); c++) {
				const unsigned char *t = sqlite3_column_text(st, c);
				const char *v = t ? (const char *)t : "\x01NULL";
				for (; *v; v++)
					h = (h ^ (unsigned char)*v) * 1099511628211ULL;
				h = (h ^ 0xff) * 1099511628211ULL;
			}
			h = (h ^ 0xfe) * 1099511628211ULL;
		}
		sqlite3_finalize(st);
	}
	return h;
}

/* Like db_hash, restricted to finished inputs and their rows (what a failed run must not touch). */
static uint64_t finished_hash(sqlite3 *db)
{
	static const char *const q[] = {
		"SELECT * FROM inputs WHERE status <> 'running' ORDER BY id",
		"SELECT f.* FROM flows f JOIN inputs i ON i.id = f.input_id WHERE i.status <> 'running' ORDER BY f.id",
		"SELECT t.* FROM transitions t JOIN flows f ON f.id = t.flow_id JOIN inputs i ON i.id = f.input_id"
		" WHERE i.status <> 'running' ORDER BY t.id",
		"SELECT a.* FROM anomalies a LEFT JOIN flows f ON f.id = a.flow_id"
		" JOIN inputs i ON i.id = coalesce(f.input_id, a.input_id) WHERE i.status <> 'running' ORDER BY a.id",
	};
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(db, q[i], -1, &st, NULL) != SQLITE_OK)
			return 0;
		while (sqlite3_step(st) == SQLITE_ROW)
			for (int c = 0; c < sqlite3_column_count(st); c++) {
				const unsigned char *t = sqlite3_column_text(st, c);
				for (const char *v = t ? (const char *)t : "\x01NULL"; *v; v++)
					h = (h ^ (unsigned char)*v) * 1099511628211ULL;
				h = (h ^ 0xff) * 1099511628211ULL;
			}
		sqlite3_finalize(st);
	}
	return h;
}

static uint64_t file_hash(const char *path)
{
	sqlite3 *db = ro(path);
	uint64_t h = db_hash(db);
	sqlite3_close(db);
	return h;
}

static size_t read_all(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0;
	if (f) {
		n = fread(buf, 1, cap, f);
		fclose(f);
	}
	return n;
}

static void write_file(const char *path, const void *buf, size_t n)
{
	FILE *f = fopen(path, "wb");
	fwrite(buf, 1, n, f);
	fclose(f);
}

static void sha_of(int k, char out[65])
{
	for (int i = 0; i < 64; i++)
		out[i] = "0123456789abcdef"[(k * 7 + i * 13 + (k >> 4)) & 15];
	out[0] = "0123456789abcdef"[k & 15];
	out[1] = "0123456789abcdef"[(k >> 4) & 15];
	out[64] = 0;
}

/* Feeds one input with nflows flows through the sink; tag makes uids unique per input. */
static int feed_input(struct store *s, struct sink *k, int tag, int nflows, int64_t *input_id)
{
	char sha[65], uid[32], cid[48], path[32], addr[32];
	struct input_rec in = { 0 };
	int64_t fid = store_next_flow_id(s);

	if (fid < 1)
		return -1;
	sha_of(tag, sha);
	snprintf(path, sizeof path, "cap%d.pcap", tag);
	in.path = path;
	in.size = 1000 + tag;
	in.sha256 = sha;
	in.format = "pcap";
	in.compression = "none";
	in.link_type = 1;
	in.snaplen = 262144;
	in.status = "running";
	if (k->input_begin(k->ctx, &in) < 0)
		return -1;
	*input_id = in.id;
	int64_t t0 = 1700000000000000000LL + (int64_t)tag * 1000000000000LL;
	for (int i = 0; i < nflows; i++) {
		struct flow_rec f = { 0 };
		snprintf(uid, sizeof uid, "Ct%dn%d", tag, i);
		snprintf(cid, sizeof cid, "1:tag%d/flow%d=", tag, i);
		snprintf(addr, sizeof addr, "10.%d.%d.%d", tag & 255, (i >> 8) & 255, i & 255);
		f.id = fid + i;
		f.uid = uid;
		f.community_id = cid;
		f.ip_version = 4;
		f.orig_addr = addr;
		f.resp_addr = "192.0.2.1";
		f.orig_port = 40000 + i % 20000;
		f.resp_port = 443;
		f.first_ts = t0 + i * 1000;
		f.last_ts = f.first_ts + 500;
		f.first_input_id = in.id;
		f.orig_pkts = 5;
		f.resp_pkts = 4;
		f.orig_bytes = 100;
		f.resp_bytes = 2000;
		f.orig_state = ST_TIME_WAIT;
		f.resp_state = i % 3 ? ST_CLOSED : ST_LAST_ACK;
		f.conn_state = "SF";
		f.history = "ShADadFf";
		if (k->flow(k->ctx, &f) < 0)
			return -1;
		struct transition_rec t = { .flow_id = f.id, .input_id = in.id, .trigger = "SYN sent" };
		t.endpoint = 0; t.ts = f.first_ts; t.frame = 3 * i + 1;
		t.from_state = ST_CLOSED; t.to_state = ST_SYN_SENT; t.evidence = EV_SEEN;
		if (k->transition(k->ctx, &t) < 0)
			return -1;
		t.endpoint = 1; t.ts = f.first_ts + 10; t.frame = 3 * i + 2; t.trigger = "SYN received";
		t.from_state = ST_LISTEN; t.to_state = ST_SYN_RECEIVED; t.evidence = EV_INFERRED;
		if (k->transition(k->ctx, &t) < 0)
			return -1;
		t.endpoint = 0; t.ts = f.first_ts + 20; t.frame = 3 * i + 3; t.trigger = "SYN-ACK received";
		t.from_state = ST_SYN_SENT; t.to_state = ST_ESTABLISHED; t.evidence = EV_SEEN;
		if (k->transition(k->ctx, &t) < 0)
			return -1;
		/* no frame: held at end of capture */
		t.endpoint = 1; t.ts = f.last_ts; t.frame = 0; t.input_id = 0; t.trigger = "end of capture";
		t.from_state = ST_SYN_RECEIVED; t.to_state = ST_LAST_ACK; t.evidence = EV_END;
		if (k->transition(k->ctx, &t) < 0)
			return -1;
		if (i % 3 == 0) {
			struct anomaly_rec a = { .flow_id = f.id, .kind = "lost_final_ack", .endpoint = 1,
			                         .ts = f.last_ts, .detail = "FIN never acknowledged" };
			if (k->anomaly(k->ctx, &a) < 0)
				return -1;
		}
	}
	/* host-level, no frame, no input: attributed to the current input */
	struct anomaly_rec h = { .flow_id = 0, .kind = "syn_flood", .endpoint = -1, .host = "192.0.2.1",
	                         .ts = t0 + 5, .severity = NULL, .detail = "40 endpoints in SYN_RECEIVED" };
	if (k->anomaly(k->ctx, &h) < 0)
		return -1;
	/* capture-level with a frame */
	struct anomaly_rec c = { .flow_id = 0, .kind = "truncated_packet", .endpoint = -1,
	                         .ts = t0 + 6, .input_id = in.id, .frame = 2, .severity = "info",
	                         .detail = "frame 2 cut at 54 bytes" };
	if (k->anomaly(k->ctx, &c) < 0)
		return -1;
	in.packets = 3 * nflows;
	in.tcp_packets = 3 * nflows;
	in.first_ts = t0;
	in.last_ts = t0 + nflows * 1000;
	in.status = "complete";
	return k->input_end(k->ctx, &in);
}

/* Opens (or creates) path and adds inputs tags[0..n) that it lacks, one run; returns 0/-1. */
static int build(const char *path, const int *tags, int n, int nflows, unsigned long batch)
{
	char err[512];
	struct store *s = store_open(path, catalogue, NKINDS, err, sizeof err);
	if (!s) {
		fprintf(stderr, "build: %s\n", err);
		return -1;
	}
	store_set_batch(s, batch);
	struct sink k = store_sink(s);
	for (int i = 0; i < n; i++) {
		char sha[65];
		int64_t id;
		sha_of(tags[i], sha);
		if (store_input_known(s, sha) == 1)
			continue;
		if (feed_input(s, &k, tags[i], nflows, &id) < 0 || store_commit(s) < 0) {
			fprintf(stderr, "build: %s\n", store_errmsg(s));
			store_close(s, err, sizeof err);
			return -1;
		}
	}
	if (store_close(s, err, sizeof err) < 0) {
		fprintf(stderr, "build close: %s\n", err);
		return -1;
	}
	return 0;
}

static void check_clean(const char *path)
{
	sqlite3 *db = ro(path);
	CHECK_STR(q_text(db, "PRAGMA integrity_check"), "ok");
	CHECK_INT(q_int(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	CHECK_INT(q_int(db, "PRAGMA application_id"), 0x50435354);
	CHECK_INT(q_int(db, "PRAGMA user_version"), 1);
	CHECK_STR(q_text(db, "PRAGMA journal_mode"), "delete");
	sqlite3_close(db);
	CHECK_INT(sidecars(path), 0);
}

/* ---------------------------------------------------------------- tests */

static void test_create_and_feed(void)
{
	const char *path = p("a.db");
	char err[512];
	struct store *s = store_open(path, catalogue, NKINDS, err, sizeof err);
	CHECK(s != NULL);
	if (!s) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	CHECK_INT(store_begin_run(s), 0);
	CHECK_INT(store_next_flow_id(s), 1);
	struct sink k = store_sink(s);
	int64_t id;
	CHECK_INT(feed_input(s, &k, 1, 6, &id), 0);
	CHECK_INT(id, 1);
	/* Before store_commit the input is known (this run) but still running. */
	sqlite3 *h = store_handle(s);
	CHECK_STR(q_text(h, "SELECT status FROM inputs WHERE id = 1"), "running");
	char sha[65];
	sha_of(1, sha);
	CHECK_INT(store_input_known(s, sha), 1);
	CHECK_INT(store_commit(s), 0);
	CHECK_STR(q_text(h, "SELECT status FROM inputs WHERE id = 1"), "complete");
	CHECK_INT(store_input_known(s, sha), 1);
	sha_of(2, sha);
	CHECK_INT(store_input_known(s, sha), 0);
	CHECK_INT(store_close(s, err, sizeof err), 0);

	check_clean(path);
	sqlite3 *db = ro(path);
	CHECK_INT(q_int(db, "SELECT count(*) FROM flows"), 6);
	CHECK_INT(q_int(db, "SELECT count(*) FROM transitions"), 24);
	CHECK_INT(q_int(db, "SELECT count(*) FROM transitions WHERE frame IS NULL AND input_id IS NULL AND evidence = 'end'"), 6);
	CHECK_INT(q_int(db, "SELECT count(*) FROM anomalies"), 4);
	CHECK_INT(q_int(db, "SELECT count(*) FROM anomalies WHERE flow_id IS NULL"), 2);
	CHECK_INT(q_int(db, "SELECT input_id FROM anomalies WHERE kind = 'syn_flood'"), 1);
	CHECK(q_int(db, "SELECT frame IS NULL FROM anomalies WHERE kind = 'syn_flood'") == 1);
	CHECK_STR(q_text(db, "SELECT severity FROM anomalies WHERE kind = 'syn_flood'"), "error");
	CHECK(q_int(db, "SELECT endpoint IS NULL FROM anomalies WHERE kind = 'syn_flood'") == 1);
	CHECK_STR(q_text(db, "SELECT endpoint FROM anomalies WHERE kind = 'lost_final_ack' LIMIT 1"), "resp");
	CHECK_STR(q_text(db, "SELECT orig_state || '/' || resp_state FROM flows WHERE id = 1"), "TIME_WAIT/LAST_ACK");
	CHECK_STR(q_text(db, "SELECT status FROM inputs WHERE id = 1"), "complete");
	CHECK_STR(q_text(db, "SELECT sha256 FROM inputs WHERE id = 1"), (sha_of(1, sha), sha));
	CHECK_INT(q_int(db, "SELECT count(*) FROM states"), ST_MAX);
	for (int i = 0; i < ST_MAX; i++) {
		char sql[96];
		snprintf(sql, sizeof sql, "SELECT name FROM states WHERE code = %d", i);
		CHECK_STR(q_text(db, sql), tcpstate_name(i));
	}
	CHECK_INT(q_int(db, "SELECT count(*) FROM anomaly_kinds"), NKINDS);
	/* schema_doc: every column of every table and view, and each table/view itself. */
	CHECK_INT(q_int(db, "SELECT count(*) FROM sqlite_schema m JOIN pragma_table_info(m.name) c"
	                    " WHERE m.type IN ('table','view') AND m.name NOT LIKE 'sqlite^_%' ESCAPE '^' AND NOT EXISTS"
	                    " (SELECT 1 FROM schema_doc d WHERE d.tbl = m.name AND d.col = c.name)"), 0);
	CHECK_INT(q_int(db, "SELECT count(*) FROM sqlite_schema m WHERE m.type IN ('table','view') AND m.name NOT LIKE 'sqlite^_%' ESCAPE '^' AND NOT EXISTS"
	                    " (SELECT 1 FROM schema_doc d WHERE d.tbl = m.name AND d.col = '')"), 0);
	CHECK_INT(q_int(db, "SELECT count(*) FROM schema_doc d WHERE d.col <> '' AND NOT EXISTS"
	                    " (SELECT 1 FROM pragma_table_info(d.tbl) c WHERE c.name = d.col)"), 0);
	/* STRICT everywhere */
	CHECK_INT(q_int(db, "SELECT count(*) FROM pragma_table_list WHERE schema = 'main' AND type = 'table'"
	                    " AND name NOT LIKE 'sqlite_%' AND strict = 0"), 0);
	/* the views work */
	CHECK_INT(q_int(db, "SELECT count(*) FROM state_intervals"), 24);
	CHECK_INT(q_int(db, "SELECT count(*) FROM state_intervals WHERE end_ts IS NULL"), 12);
	CHECK_INT(q_int(db, "SELECT count(*) FROM open_at_end"), 2);
	CHECK_INT(q_int(db, "SELECT count(*) FROM open_at_end WHERE end_ts IS NOT NULL"), 2);
	CHECK_INT(q_int(db, "SELECT count(*) FROM half_open"), 0);
	CHECK_INT(q_int(db, "SELECT count(*) FROM handshake_times WHERE handshake_ns = 20"), 6);
	CHECK_INT(q_int(db, "SELECT sum(endpoints) FROM host_state_counts"), 24);
	CHECK_INT(q_int(db, "SELECT endpoints FROM per_host_state_counts WHERE host = '192.0.2.1' AND state = 'CLOSED'"), 4);
	CHECK_INT(q_int(db, "SELECT flows FROM per_host_state_counts WHERE host = '192.0.2.1' AND state = 'LAST_ACK'"), 2);
	CHECK_INT(q_int(db, "SELECT count(*) FROM flows_by_anomaly"), 2);
	sqlite3_close(db);

	/* Appending: ids go on; the same input is known. */
	s = store_open(path, catalogue, NKINDS, err, sizeof err);
	CHECK(s != NULL);
	if (!s)
		return;
	k = store_sink(s);
	sha_of(1, sha);
	CHECK_INT(store_input_known(s, sha), 1);
	CHECK_INT(store_next_flow_id(s), 7);
	CHECK_INT(feed_input(s, &k, 2, 3, &id), 0);
	CHECK_INT(id, 2);
	CHECK_INT(store_close(s, err, sizeof err), 0);
	check_clean(path);
	db = ro(path);
	CHECK_INT(q_int(db, "SELECT count(*) FROM flows"), 9);
	CHECK_INT(q_int(db, "SELECT max(id) FROM flows"), 9);
	CHECK_INT(q_int(db, "SELECT count(*) FROM flows WHERE input_id = 2"), 3);
	CHECK_STR(q_text(db, "SELECT status FROM inputs WHERE id = 2"), "complete");
	sqlite3_close(db);
}

/* While a store is open nobody else reads or writes the file: a second run fails at open. */
static void test_lock(void)
{
	const char *path = p("lock.db");
	char err[512];
	struct store *a = store_open(path, catalogue, NKINDS, err, sizeof err);
	CHECK(a != NULL);
	sqlite3 *r;
	sqlite3_open_v2(path, &r, SQLITE_OPEN_READONLY, NULL);
	CHECK_INT(sqlite3_exec(r, "SELECT count(*) FROM inputs", NULL, NULL, NULL), SQLITE_BUSY);
	sqlite3_close(r);
	struct store *b = store_open(path, catalogue, NKINDS, err, sizeof err);
	CHECK(b == NULL);
	CHECK(strstr(err, "in use by another process") != NULL);
	store_close(b, NULL, 0);
	CHECK_INT(store_close(a, err, sizeof err), 0);
	b = store_open(path, catalogue, NKINDS, err, sizeof err);
	CHECK(b != NULL);
	CHECK_INT(store_close(b, err, sizeof err), 0);
	check_clean(path);
}

static void test_stdin_like_input(void)
{
	/* sha256 unknown at input_begin (stdin), given at input_end; no packets -> NULL times. */
	const char *path = p("stdin.db");
	char err[512], sha[65];
	struct store *s = store_open(path, catalogue, NKINDS, err, sizeof err);
	CHECK(s != NULL);
	if (!s)
		return;
	struct sink k = store_sink(s);
	struct input_rec in = { .path = "-", .size = -1, .compression = "gzip", .link_type = -1,
	                        .snaplen = -1, .status = "running" };
	CHECK_INT(k.input_begin(k.ctx, &in), 0);
	sha_of(99, sha);
	in.sha256 = sha;
	in.format = "pcapng";
	in.link_type = 1;
	in.snaplen = 65535;
	in.status = "truncated";
	in.error = "file ends inside record 1 at offset 32";
	CHECK_INT(k.input_end(k.ctx, &in), 0);
	CHECK_INT(store_close(s, err, sizeof err), 0);
	sqlite3 *db = ro(path);
	CHECK_STR(q_text(db, "SELECT status || ' ' || sha256 || ' ' || format || ' ' || (size IS NULL) || (first_ts IS NULL) FROM inputs"),
	          (snprintf(err, sizeof err, "truncated %s pcapng 11", sha), err));
	sqlite3_close(db);
	s = store_open(path, catalogue, NKINDS, err, sizeof err);
	CHECK_INT(store_input_known(s, sha), 1);
	store_close(s, NULL, 0);
}

static void test_refusals(void)
{
	char err[512], before[8192], after[8192];
	size_t nb, na;

	/* not a SQLite file: refused, bytes unchanged, nothing created beside it */
	const char *txt = p("notes.db");
	const char *content = "evidence notes, not a database\n";
	for (int i = 0; i < 10; i++) {
		FILE *f = fopen(txt, i ? "ab" : "wb");
		fputs(content, f);
		fclose(f);
	}
	nb = read_all(txt, before, sizeof before);
	struct store *s = store_open(txt, catalogue, NKINDS, err, sizeof err);
	CHECK(s == NULL);
	CHECK(strstr(err, "not a SQLite database") != NULL);
	CHECK(strstr(err, txt) != NULL);
	na = read_all(txt, after, sizeof after);
	CHECK(nb == na && memcmp(before, after, nb) == 0);
	CHECK_INT(sidecars(txt), 0);

	/* a short file */
	const char *shortf = p("short.db");
	write_file(shortf, "SQLite", 6);
	s = store_open(shortf, catalogue, NKINDS, err, sizeof err);
	CHECK(s == NULL);
	CHECK(strstr(err, "not a SQLite database") != NULL);

	/* SQLite databases of another application, of none, and of another schema version */
	static const struct { const char *name, *sql, *want; } other[] = {
		{ "other.db", "PRAGMA application_id = 305419896; CREATE TABLE t(x); INSERT INTO t VALUES (1);", "another application" },
		{ "plain.db", "CREATE TABLE t(x); INSERT INTO t VALUES (1);", "not a pcapstate case database" },
		{ "v2.db", "PRAGMA application_id = 1346589524; PRAGMA user_version = 2; CREATE TABLE t(x);", "schema version 2" },
	};
	for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
		const char *o = p(other[i].name);
		sqlite3 *db;
		sqlite3_open(o, &db);
		sqlite3_exec(db, other[i].sql, NULL, NULL, NULL);
		sqlite3_close(db);
		nb = read_all(o, before, sizeof before);
		struct stat sb0, sb1;
		stat(o, &sb0);
		s = store_open(o, catalogue, NKINDS, err, sizeof err);
		CHECK(s == NULL);
		CHECK(strstr(err, other[i].want) != NULL);
		if (!strstr(err, other[i].want))
			fprintf(stderr, "  message was: %s\n", err);
		na = read_all(o, after, sizeof after);
		stat(o, &sb1);
		CHECK(nb == na && memcmp(before, after, nb) == 0);
		CHECK(sb0.st_mtime == sb1.st_mtime);
		CHECK_INT(sidecars(o), 0);
	}

	/* a directory */
	s = store_open(dir, catalogue, NKINDS, err, sizeof err);
	CHECK(s == NULL);
	CHECK(strstr(err, "not a regular file") != NULL);

	/* a directory that does not exist: clear message, nothing created */
	const char *nodir = p("no/such/dir/case.db");
	s = store_open(nodir, catalogue, NKINDS, err, sizeof err);
	CHECK(s == NULL);
	CHECK(strstr(err, "cannot create the database in directory") != NULL);
	CHECK(strstr(err, "No such file or directory") != NULL);

	/* an unwritable directory (only meaningful when not root) */
	if (geteuid() != 0) {
		const char *rodir = p("rodir");
		mkdir(rodir, 0555);
		char path[600];
		snprintf(path, sizeof path, "%s/case.db", rodir);
		s = store_open(path, catalogue, NKINDS, err, sizeof err);
		CHECK(s == NULL);
		CHECK(strstr(err, "Permission denied") != NULL);
		chmod(rodir, 0755);
	}

	/* an empty file is a new database */
	const char *empty = p("empty.db");
	write_file(empty, "", 0);
	s = store_open(empty, catalogue, NKINDS, err, sizeof err);
	CHECK(s != NULL);
	store_close(s, NULL, 0);
	if (s)
		check_clean(empty);

	/* a bad catalogue entry fails the open and leaves no new file */
	const char *badcat = p("badcat.db");
	struct store_kind bad = { "weird", "fatal", "flow", "severity out of the vocabulary" };
	s = store_open(badcat, &bad, 1, err, sizeof err);
	CHECK(s == NULL);
	CHECK(strstr(err, "weird") != NULL);
	CHECK(!exists(badcat));
	CHECK_INT(sidecars(badcat), 0);
}

static void test_bad_records(void)
{
	const char *path = p("bad.db");
	char err[512];
	int64_t id;

	CHECK_INT(build(path, (int[]){ 1 }, 1, 5, 100), 0);
	uint64_t h0 = file_hash(path);

	/* unknown anomaly kind: refused with a clear message; the run is rolled back */
	struct store *s = store_open(path, catalogue, NKINDS, err, sizeof err);
	struct sink k = store_sink(s);
	CHECK_INT(feed_input(s, &k, 2, 5, &id), 0);
	struct anomaly_rec a = { .flow_id = 0, .kind = "no_such_kind", .endpoint = -1, .ts = 1, .detail = "x" };
	CHECK_INT(k.anomaly(k.ctx, &a), -1);
	CHECK(strstr(store_errmsg(s), "no_such_kind") != NULL);
	/* sticky: everything after fails */
	struct transition_rec t = { .flow_id = 1, .endpoint = 0, .ts = 1, .trigger = "x" };
	CHECK_INT(k.transition(k.ctx, &t), -1);
	CHECK_INT(store_close(s, err, sizeof err), -1);
	CHECK(strstr(err, "no_such_kind") != NULL);
	check_clean(path);
	CHECK(file_hash(path) == h0);

	/* a transition of a flow never emitted: foreign key */
	s = store_open(path, catalogue, NKINDS, err, sizeof err);
	k = store_sink(s);
	struct input_rec in = { .path = "x.pcap", .status = "running" };
	CHECK_INT(k.input_begin(k.ctx, &in), 0);
	t.flow_id = 12345;
	t.input_id = in.id;
	t.frame = 1;
	CHECK_INT(k.transition(k.ctx, &t), -1);
	CHECK(strstr(store_errmsg(s), "FOREIGN KEY") != NULL);
	CHECK(strstr(store_errmsg(s), "flow 12345") != NULL);
	CHECK_INT(store_close(s, err, sizeof err), -1);
	check_clean(path);
	CHECK(file_hash(path) == h0);

	/* abandon keeps what the file had */
	s = store_open(path, catalogue, NKINDS, err, sizeof err);
	k = store_sink(s);
	CHECK_INT(feed_input(s, &k, 3, 5, &id), 0);
	CHECK_INT(store_abandon(s, err, sizeof err), 0);
	check_clean(path);
	CHECK(file_hash(path) == h0);
}

/* A child that writes and dies without closing, as a killed process would. */
static void interrupted_run(const char *path, int tag, int nflows, int commit_batches)
{
	pid_t pid = fork();
	if (pid == 0) {
		char err[512];
		int64_t id;
		struct store *s = store_open(path, catalogue, NKINDS, err, sizeof err);
		if (!s)
			_exit(3);
		store_set_batch(s, commit_batches ? 7 : 1000000);
		struct sink k = store_sink(s);
		feed_input(s, &k, tag, nflows, &id);
		_exit(0);   /* no store_commit, no close */
	}
	int st;
	waitpid(pid, &st, 0);
}

static void test_begin_run_cleanup(void)
{
	const char *ref = p("ref.db"), *path = p("cut.db");
	char err[512];

	CHECK_INT(build(ref, (int[]){ 1, 2, 3 }, 3, 20, 100), 0);
	CHECK_INT(build(path, (int[]){ 1, 2 }, 2, 20, 100), 0);
	interrupted_run(path, 3, 20, 1);
	CHECK(sidecars(path) > 0);   /* a WAL left by the "crash" */

	struct store *s = store_open(path, catalogue, NKINDS, err, sizeof err);
	CHECK(s != NULL);
	if (!s) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	sqlite3 *h = store_handle(s);
	CHECK_STR(q_text(h, "PRAGMA integrity_check"), "ok");
	CHECK_INT(q_int(h, "SELECT count(*) FROM inputs WHERE status = 'running'"), 1);
	CHECK(q_int(h, "SELECT count(*) FROM flows WHERE input_id = 3") > 0);
	char sha[65];
	sha_of(3, sha);
	CHECK_INT(store_begin_run(s), 1);
	CHECK_INT(store_input_known(s, sha), 0);
	CHECK_INT(q_int(h, "SELECT count(*) FROM inputs WHERE status = 'running'"), 0);
	CHECK_INT(q_int(h, "SELECT count(*) FROM flows WHERE input_id = 3"), 0);
	CHECK_INT(q_int(h, "SELECT count(*) FROM anomalies WHERE input_id = 3"), 0);
	CHECK_INT(q_int(h, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	CHECK_INT(store_next_flow_id(s), 41);
	CHECK_INT(store_close(s, err, sizeof err), 0);

	/* re-analysis equals an uninterrupted run */
	CHECK_INT(build(path, (int[]){ 1, 2, 3 }, 3, 20, 100), 0);
	check_clean(path);
	CHECK(file_hash(path) == file_hash(ref));

	/* an interruption before any batch was committed leaves only the running input row */
	interrupted_run(path, 4, 5, 0);
	s = store_open(path, catalogue, NKINDS, err, sizeof err);
	CHECK_INT(store_begin_run(s), 1);
	store_close(s, NULL, 0);
	CHECK(file_hash(path) == file_hash(ref));
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * SIGKILL at random moments while a multi-input analysis writes (creation, batches, commits,
 * close included), then resume, until a run completes: after every kill the file passes
 * integrity_check and every finished input is whole; the end result equals an uninterrupted
 * run. Repeated `scenarios` times on fresh files; returns the number of kills.
 */
static int test_sigkill(int scenarios, unsigned seed)
{
	enum { K = 6, NF = 150 };
	const char *ref = p("kref.db");
	int tags[K], total = 0;

	for (int i = 0; i < K; i++)
		tags[i] = 10 + i;
	double t0 = now();
	CHECK_INT(build(ref, tags, K, NF, 37), 0);
	double dt = now() - t0;
	uint64_t want = file_hash(ref);
	for (int sc = 0; sc < scenarios; sc++) {
		char kname[32];
		snprintf(kname, sizeof kname, "kill%d.db", sc);
		const char *path = p(kname);
		int kills = 0, done = 0, bad_whole = 0, bad_integrity = 0;
		long long finished = 0;
		double scale = 0.5;
		srand(seed + (unsigned)sc);
		for (int round = 0; round < 200 && !done; round++) {
			pid_t pid = fork();
			if (pid == 0)
				_exit(build(path, tags, K, NF, 37) == 0 ? 0 : 1);
			/* Kill within [0, scale * one run's time]; the window widens while rounds make no
			 * progress, so a machine slower than when dt was measured still finishes. */
			double wait = dt * scale * (rand() % 1000) / 1000.0;
			struct timespec ts = { (time_t)wait, (long)((wait - (time_t)wait) * 1e9) };
			nanosleep(&ts, NULL);
			int st;
			if (waitpid(pid, &st, WNOHANG) == 0) {
				kill(pid, SIGKILL);
				waitpid(pid, &st, 0);
				kills++;
			} else {
				done = WIFEXITED(st) && WEXITSTATUS(st) == 0;
				CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
			}
			if (!exists(path))
				continue;   /* killed while creating it */
			char err[512];
			struct store *s = store_open(path, catalogue, NKINDS, err, sizeof err);
			CHECK(s != NULL);
			if (!s) {
				fprintf(stderr, "after kill %d: %s\n", kills, err);
				continue;
			}
			sqlite3 *h = store_handle(s);
			if (strcmp(q_text(h, "PRAGMA integrity_check"), "ok") != 0)
				bad_integrity++;
			char sql[512];
			snprintf(sql, sizeof sql,
			         "SELECT count(*) FROM inputs i WHERE status <> 'running' AND ("
			         " (SELECT count(*) FROM flows WHERE input_id = i.id) <> %d OR"
			         " (SELECT count(*) FROM transitions t JOIN flows f ON f.id = t.flow_id WHERE f.input_id = i.id) <> %d OR"
			         " (SELECT count(*) FROM anomalies WHERE input_id = i.id AND flow_id IS NULL) <> 2)", NF, 4 * NF);
			bad_whole += q_int(h, sql) != 0;
			long long now_finished = q_int(h, "SELECT count(*) FROM inputs WHERE status <> 'running'");
			scale = now_finished > finished ? 0.5 : scale * 1.5;
			finished = now_finished;
			store_close(s, NULL, 0);   /* no run begun: leaves running inputs for the next run */
		}
		CHECK(done);
		CHECK_INT(bad_integrity, 0);
		CHECK_INT(bad_whole, 0);
		check_clean(path);
		CHECK(file_hash(path) == want);
		total += kills;
		unlink(path);
	}
	unlink(ref);
	/* a child may outrun a kill under varying load; over all scenarios some must land */
	CHECK(total >= 1);
	printf("test_store: %d SIGKILLs survived in %d scenarios\n", total, scenarios);
	return total;
}

/*
 * A write failure mid-run: clear message naming the file, and the file keeps what it had.
 * limit > 0: RLIMIT_FSIZE of the database's size + limit (any machine); limit == 0: the file
 * system must really fill up (--enospc DIR, on a small tmpfs).
 */
static void write_failure(const char *path, long limit)
{
	CHECK_INT(build(path, (int[]){ 1 }, 1, 50, 100), 0);
	uint64_t h0 = file_hash(path);
	sqlite3 *db0 = ro(path);
	uint64_t f0 = finished_hash(db0);
	sqlite3_close(db0);
	struct stat sb;
	stat(path, &sb);
	int fds[2];
	if (pipe(fds) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		char err[512] = "";
		int64_t id;
		close(fds[0]);
		if (limit > 0) {
			signal(SIGXFSZ, SIG_IGN);
			struct rlimit rl = { (rlim_t)(sb.st_size + limit), (rlim_t)(sb.st_size + limit) };
			setrlimit(RLIMIT_FSIZE, &rl);
		}
		struct store *s = store_open(path, catalogue, NKINDS, err, sizeof err);
		int r = -2;
		if (s) {
			struct sink k = store_sink(s);
			store_set_batch(s, 200);
			r = feed_input(s, &k, 2, limit > 0 ? 5000 : 200000, &id);
			if (r == 0)
				r = store_commit(s);
			r = store_close(s, err, sizeof err) < 0 ? -1 : r;
		}
		if (write(fds[1], err, strlen(err) + 1) < 0)
			_exit(2);
		_exit(r == -1 ? 0 : 1);
	}
	close(fds[1]);
	char msg[512] = "";
	ssize_t n = read(fds[0], msg, sizeof msg - 1);
	msg[n > 0 ? n : 0] = 0;
	close(fds[0]);
	int st;
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(strstr(msg, "file size limit") != NULL || strstr(msg, "disk is full") != NULL ||
	      strstr(msg, "could not write") != NULL);
	CHECK(strstr(msg, path) != NULL);
	printf("test_store: write failure message: %s\n", msg);
	/* Consistent at once, with every finished input as it was. */
	sqlite3 *db = ro(path);
	CHECK_STR(q_text(db, "PRAGMA integrity_check"), "ok");
	CHECK_INT(q_int(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	CHECK(finished_hash(db) == f0);
	sqlite3_close(db);
	CHECK_INT(sidecars(path), 0);
	if (limit == 0) {
		/* The disk is still full of the partial run: removing it needs journal space too.
		 * It stays 'running' (reports can tell) until a run finds room. */
		return;
	}
	/* the run was removed (or is removed by the next begin_run): the file is as before */
	char err[512];
	struct store *s = store_open(path, catalogue, NKINDS, err, sizeof err);
	CHECK(s != NULL);
	if (s) {
		CHECK(store_begin_run(s) >= 0);
		store_close(s, NULL, 0);
	} else {
		fprintf(stderr, "reopen: %s\n", err);
	}
	check_clean(path);
	CHECK(file_hash(path) == h0);
}

/* --enospc DIR: a real full disk (DIR a small tmpfs): a failed run, then a failed creation. */
static int enospc(const char *fsdir)
{
	char path[600], fill[600], created[600], err[512];
	snprintf(path, sizeof path, "%s/full.db", fsdir);
	snprintf(fill, sizeof fill, "%s/filler", fsdir);
	snprintf(created, sizeof created, "%s/new.db", fsdir);
	unlink(path);
	write_failure(path, 0);
	/* fill what is left, then a new database cannot be created: message, nothing left */
	FILE *f = fopen(fill, "wb");
	static char block[65536];
	while (f && fwrite(block, 1, sizeof block, f) == sizeof block)
		;
	if (f)
		fclose(f);
	struct store *s = store_open(created, catalogue, NKINDS, err, sizeof err);
	CHECK(s == NULL);
	printf("test_store: creation on a full disk: %s\n", s ? "(succeeded?)" : err);
	CHECK(strstr(err, "disk is full") != NULL || strstr(err, "No space left") != NULL);
	CHECK(!exists(created));
	store_close(s, NULL, 0);
	unlink(fill);
	return unit_done("test_store --enospc");
}

static void test_merge(void)
{
	const char *a = p("m_a.db"), *b = p("m_b.db"), *out = p("m_out.db"), *all = p("m_all.db");
	char err[512];

	CHECK_INT(build(a, (int[]){ 21, 22 }, 2, 10, 100), 0);
	CHECK_INT(build(b, (int[]){ 22, 23 }, 2, 7, 100), 0);   /* 22 again, with other flows */
	CHECK_INT(build(all, (int[]){ 21, 22, 23 }, 3, 10, 100), 0);
	const char *srcs[] = { a, b };
	CHECK_INT(merge_run(out, srcs, 2, err, sizeof err), 3);
	check_clean(out);
	sqlite3 *db = ro(out);
	CHECK_INT(q_int(db, "SELECT count(*) FROM inputs"), 3);
	CHECK_INT(q_int(db, "SELECT count(*) FROM flows"), 10 + 10 + 7);
	CHECK_INT(q_int(db, "SELECT max(id) FROM flows"), 27);
	CHECK_INT(q_int(db, "SELECT count(*) FROM transitions"), 4 * 27);
	CHECK_INT(q_int(db, "SELECT count(*) FROM anomalies WHERE flow_id IS NULL"), 6);
	CHECK_INT(q_int(db, "SELECT count(*) FROM anomalies WHERE flow_id IS NOT NULL"), 4 + 4 + 3);
	/* the skipped copy of input 22 from b brought nothing: 22's flows are a's 10 */
	CHECK_INT(q_int(db, "SELECT count(*) FROM flows f JOIN inputs i ON i.id = f.input_id WHERE i.path = 'cap22.pcap'"), 10);
	/* references follow their rows: each flow's transitions and the uid they were made for */
	CHECK_INT(q_int(db, "SELECT count(*) FROM transitions t JOIN flows f ON f.id = t.flow_id"
	                    " WHERE t.input_id IS NOT NULL AND t.input_id <> f.input_id"), 0);
	CHECK_INT(q_int(db, "SELECT count(*) FROM flows f JOIN inputs i ON i.id = f.input_id"
	                    " WHERE f.uid NOT LIKE 'Ct' || substr(i.path, 4, 2) || 'n%'"), 0);
	CHECK_INT(q_int(db, "SELECT count(*) FROM flows WHERE (SELECT count(*) FROM transitions t WHERE t.flow_id = flows.id) <> 4"), 0);
	CHECK_STR(q_text(db, "SELECT group_concat(path, ',') FROM (SELECT path FROM inputs ORDER BY id)"),
	          "cap21.pcap,cap22.pcap,cap23.pcap");
	sqlite3_close(db);
	/* with equal-sized inputs, the merge equals one database built from all inputs */
	const char *out2 = p("m_out2.db"), *c = p("m_c.db");
	CHECK_INT(build(c, (int[]){ 23 }, 1, 10, 100), 0);
	const char *srcs2[] = { a, c };
	CHECK_INT(merge_run(out2, srcs2, 2, err, sizeof err), 3);
	CHECK(file_hash(out2) == file_hash(all));

	/* merging again adds nothing */
	uint64_t h = file_hash(out);
	CHECK_INT(merge_run(out, srcs, 2, err, sizeof err), 0);
	CHECK(file_hash(out) == h);
	check_clean(out);

	/* an input that failed before it could be hashed is merged once, too */
	const char *e = p("m_err.db");
	struct store *s = store_open(e, catalogue, NKINDS, err, sizeof err);
	struct sink k = store_sink(s);
	struct input_rec in = { .path = "broken.pcap", .size = 12, .status = "running" };
	CHECK_INT(k.input_begin(k.ctx, &in), 0);
	in.status = "error";
	in.error = "not a capture file (magic 0x41424344)";
	CHECK_INT(k.input_end(k.ctx, &in), 0);
	CHECK_INT(store_close(s, err, sizeof err), 0);
	const char *srcs3[] = { e, e };
	CHECK_INT(merge_run(out2, srcs3, 2, err, sizeof err), 1);
	CHECK_INT(merge_run(out2, srcs3, 1, err, sizeof err), 0);
	db = ro(out2);
	CHECK_INT(q_int(db, "SELECT count(*) FROM inputs WHERE status = 'error' AND sha256 IS NULL"), 1);
	sqlite3_close(db);

	/* refusals name the file and leave out as it was */
	const char *txt = p("notes.db"), *other = p("other.db");
	const char *bad1[] = { a, txt };
	CHECK_INT(merge_run(out, bad1, 2, err, sizeof err), -1);
	CHECK(strstr(err, txt) != NULL && strstr(err, "not a SQLite database") != NULL);
	const char *bad2[] = { other };
	CHECK_INT(merge_run(out, bad2, 1, err, sizeof err), -1);
	CHECK(strstr(err, other) != NULL);
	const char *bad3[] = { a, out };
	CHECK_INT(merge_run(out, bad3, 2, err, sizeof err), -1);
	CHECK(strstr(err, "output database itself") != NULL);
	const char *run = p("m_run.db");
	CHECK_INT(build(run, (int[]){ 31 }, 1, 4, 100), 0);
	interrupted_run(run, 32, 4, 1);
	const char *bad4[] = { run };
	CHECK_INT(merge_run(out, bad4, 1, err, sizeof err), -1);
	CHECK(strstr(err, "interrupted") != NULL && strstr(err, run) != NULL);
	CHECK(file_hash(out) == h);
	check_clean(out);
	/* a bad source refuses before a new output is even created */
	const char *never = p("m_never.db");
	CHECK_INT(merge_run(never, bad1, 2, err, sizeof err), -1);
	CHECK(!exists(never));
	CHECK_INT(merge_run(never, bad4, 1, err, sizeof err), -1);
	CHECK(!exists(never));
	/* another application's database among the sources: refused, its bytes unchanged */
	char before[8192], after[8192];
	size_t nb = read_all(other, before, sizeof before);
	const char *bad5[] = { a, other };
	CHECK_INT(merge_run(never, bad5, 2, err, sizeof err), -1);
	CHECK(strstr(err, other) != NULL && strstr(err, "another application") != NULL);
	size_t na = read_all(other, after, sizeof after);
	CHECK(na == nb && memcmp(before, after, nb) == 0);
	CHECK(!exists(never));

	/* more sources than one ATTACH group */
	enum { NS = 12 };
	const char *many[NS];
	char names[NS][32];
	for (int i = 0; i < NS; i++) {
		snprintf(names[i], sizeof names[i], "m_s%d.db", i);
		many[i] = strdup(p(names[i]));
		build(many[i], (int[]){ 40 + i }, 1, 3, 100);
	}
	const char *mout = p("m_many.db");
	CHECK_INT(merge_run(mout, many, NS, err, sizeof err), NS);
	check_clean(mout);
	db = ro(mout);
	CHECK_INT(q_int(db, "SELECT count(*) FROM flows"), 3 * NS);
	CHECK_INT(q_int(db, "SELECT count(*) FROM transitions"), 12 * NS);
	sqlite3_close(db);
	for (int i = 0; i < NS; i++)
		free((void *)many[i]);
}

/* ---------------------------------------------------------------- benchmark */

static int bench(long nflows, const char *path)
{
	char err[512], uid[32], cid[64], addr[32];
	struct store *s;
	unlink(path);
	double t0 = now();
	s = store_open(path, catalogue, NKINDS, err, sizeof err);
	if (!s) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	struct sink k = store_sink(s);
	char sha[65];
	sha_of(1, sha);
	struct input_rec in = { .path = "bench.pcap", .size = 1, .sha256 = sha, .format = "pcap",
	                        .compression = "none", .link_type = 1, .snaplen = 65535, .status = "running" };
	k.input_begin(k.ctx, &in);
	int64_t fid = store_next_flow_id(s), rows = 0, base = 1700000000000000000LL;
	uint64_t x = 88172645463325252ULL;
	for (long i = 0; i < nflows; i++) {
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		snprintf(uid, sizeof uid, "C%016llx", (unsigned long long)x);
		snprintf(cid, sizeof cid, "1:%016llx%08lx=", (unsigned long long)(x * 31), i);
		snprintf(addr, sizeof addr, "10.%u.%u.%u", (unsigned)(x >> 8 & 255), (unsigned)(x >> 16 & 255), (unsigned)(x >> 24 & 255));
		int64_t t = base + i * 100000 + (int64_t)(x % 50000000);
		struct flow_rec f = { .id = fid + i, .uid = uid, .community_id = cid, .ip_version = 4,
		                      .orig_addr = addr, .resp_addr = "192.0.2.10", .orig_port = 1024 + (int)(x % 60000),
		                      .resp_port = 443, .first_ts = t, .last_ts = t + 900000, .first_input_id = in.id,
		                      .orig_pkts = 8, .resp_pkts = 7, .orig_bytes = 500, .resp_bytes = 9000,
		                      .orig_state = ST_TIME_WAIT, .resp_state = ST_CLOSED, .conn_state = "SF",
		                      .history = "ShADadFf" };
		if (k.flow(k.ctx, &f) < 0)
			break;
		rows++;
		static const int tr[5][3] = { { 0, ST_CLOSED, ST_SYN_SENT }, { 1, ST_LISTEN, ST_SYN_RECEIVED },
		                              { 0, ST_SYN_SENT, ST_ESTABLISHED }, { 1, ST_SYN_RECEIVED, ST_ESTABLISHED },
		                              { 0, ST_ESTABLISHED, ST_FIN_WAIT_1 } };
		for (int j = 0; j < 5; j++) {
			struct transition_rec r = { .flow_id = f.id, .endpoint = tr[j][0], .ts = t + j * 1000,
			                            .input_id = in.id, .frame = i * 8 + j + 1, .from_state = tr[j][1],
			                            .to_state = tr[j][2], .trigger = "bench", .evidence = EV_SEEN };
			if (k.transition(k.ctx, &r) < 0)
				goto out;
			rows++;
		}
		if (i % 10 == 0) {
			struct anomaly_rec a = { .flow_id = f.id, .kind = "lost_final_ack", .endpoint = 1, .ts = t,
			                         .detail = "bench" };
			if (k.anomaly(k.ctx, &a) < 0)
				goto out;
			rows++;
		}
	}
out:
	in.packets = nflows * 8;
	in.status = "complete";
	k.input_end(k.ctx, &in);
	double t1 = now();
	int rc = store_close(s, err, sizeof err);
	double t2 = now();
	if (rc < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	struct stat sb;
	stat(path, &sb);
	printf("bench: %lld rows (%ld flows) in %.2f s + close %.2f s = %.0f rows/s; file %.0f MB\n",
	       (long long)rows, nflows, t1 - t0, t2 - t1, rows / (t2 - t0), sb.st_size / 1e6);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "--bench") == 0)
		return bench(argc >= 3 ? atol(argv[2]) : 1000000, argc >= 4 ? argv[3] : "/tmp/pcapstate-bench.db");
	snprintf(dir, sizeof dir, "%s/test_store.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 99;
	}
	if (argc >= 3 && strcmp(argv[1], "--enospc") == 0)
		return enospc(argv[2]);
	if (argc >= 2 && strcmp(argv[1], "--crash") == 0) {
		/* stress: many more kill scenarios than the default run */
		test_sigkill(argc >= 3 ? atoi(argv[2]) : 100, (unsigned)time(NULL));
		return unit_done("test_store --crash");
	}
	test_create_and_feed();
	test_stdin_like_input();
	test_lock();
	test_refusals();
	test_bad_records();
	test_begin_run_cleanup();
	test_sigkill(3, 12345);
	write_failure(p("full.db"), 64 * 1024);
	test_merge();
	if (!unit_failed) {
		char cmd[300];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	} else {
		fprintf(stderr, "test_store: files kept in %s\n", dir);
	}
	return unit_done("test_store");
}
