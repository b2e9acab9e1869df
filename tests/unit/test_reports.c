/* test_reports.c - tests of reports/: CSV read back with libcsv, timefmt, netstat lines, HTML escaping and determinism. */
#define _POSIX_C_SOURCE 200809L
#include <csv.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "html.h"
#include "report.h"
#include "store.h"
#include "tcpstate.h"
#include "unit.h"

/* 2026-11-23T10:15:00Z: the fixture's capture starts here. */
#define T0 1795428900000000000LL
#define MS 1000000LL
#define SEC 1000000000LL

/* ---------------------------------------------------------------- fixture */

struct fx_input {
	const char *path, *sha256, *format, *compression, *status, *error;
	long long size, link_type, snaplen, first, last, packets, tcp;   /* -1 = NULL */
};

struct fx_flow {
	const char *uid, *cid;
	int ipv;
	const char *oa;
	int op;
	const char *ra;
	int rp;
	long long first, last, opk, rpk, ob, rb;
	const char *os, *rs, *conn, *hist;
	int mid;
	long long input;
};

struct fx_trans {
	int flow;
	const char *ep;
	long long ts, input, frame;       /* input and frame: 0 = NULL */
	const char *from, *to, *trigger, *evidence;
};

struct fx_anom {
	int flow;                         /* 0 = NULL (host- or capture-level) */
	const char *kind, *ep, *host;
	long long ts, input, frame;
	const char *sev, *detail;
};

static const struct fx_input fx_inputs[] = {
	{ "/cases/2026-11/edge-<script>alert(1)</script>.pcapng.gz",
	  "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "pcapng", "gzip", "complete", NULL,
	  1048576, 1, 262144, T0, T0 + 45500 * MS, 4211, 4100 },
	{ "/cases/2026-11/edge-2.pcap", "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", "pcap", "none",
	  "truncated", "truncated: packet 5012 cut at offset 1048576 (\"unexpected EOF\"), last 12 bytes lost",
	  1048576, 1, 65535, T0 + 45500 * MS, T0 + 90 * SEC, 5012, 4990 },
	{ "/cases/notes, \"Q3\".txt", "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9", NULL, "none",
	  "error", "not a capture file: magic 0x23212f75", -1, -1, -1, -1, -1, 0, 0 },
};

#define UID_HTTP "CHhAvVGS1DHFjwGM9"
#define UID_V6 "C4J4Th3PJpwUYZZ6gc"

static const struct fx_flow fx_flows[] = {
	/* 1: a complete exchange, ending in TIME_WAIT then CLOSED by the 2*MSL timer */
	{ UID_HTTP, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=", 4, "10.0.0.5", 51000, "93.184.216.34", 80,
	  T0 + 100 * MS, T0 + 350 * MS, 6, 5, 420, 15230, "CLOSED", "CLOSED", "SF", "ShADadFf", 0, 1 },
	/* 2: refused */
	{ "CmES5u32sYpV7JYN", "1:3V71V58M3Ksw/yuFALMcW0LAHvc=", 4, "10.0.0.5", 51002, "10.0.0.9", 23,
	  T0 + 1000 * MS, T0 + 1000 * MS + 400000, 1, 1, 0, 0, "CLOSED", "CLOSED", "REJ", "Sr", 0, 1 },
	/* 3: IPv6, still established when the capture ended */
	{ UID_V6, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=", 6, "2001:db8::1", 40000, "2001:db8::2", 443,
	  T0 + 2000 * MS, T0 + 30 * SEC, 40, 38, 5120, 880000, "ESTABLISHED", "ESTABLISHED", "S1", "ShADad", 0, 1 },
	/* 4: mid-stream SSH whose FINs crossed */
	{ "CwjjYJ2WqgTbAqiHl6", "1:eJYTW6AOzFLlSUoESovMjnu7rMw=", 4, "10.0.0.5", 50122, "10.0.0.7", 22,
	  T0 + 10 * SEC, T0 + 70 * SEC + 300 * 1000, 120, 118, 9000, 64000, "TIME_WAIT", "TIME_WAIT", "OTH", "DdFfAa", 1, 1 },
	/* 5: reset by the responder, across the two files */
	{ "C0LAHyvtKSQHyJxIl", "1:Dd9LrlHkX4SuzPM0Tk8iIvu7yeQ=", 4, "10.0.0.5", 51010, "10.0.0.9", 8080,
	  T0 + 40 * SEC, T0 + 48 * SEC, 10, 9, 700, 4096, "CLOSED", "CLOSED", "RSTR", "ShADadR", 0, 1 },
};

/* Flows 6..11: a SYN flood on 10.0.0.9:80 from spoofed sources; SYN-ACKs never acknowledged. */
#define FLOOD_N 6

static const struct fx_trans fx_trans[] = {
	{ 1, "orig", T0 + 100 * MS, 1, 1, "CLOSED", "SYN_SENT", "SYN sent", "seen" },
	{ 1, "resp", T0 + 100 * MS + 200000, 1, 2, "LISTEN", "SYN_RECEIVED", "SYN received, SYN-ACK sent", "seen" },
	{ 1, "orig", T0 + 120 * MS, 1, 3, "SYN_SENT", "ESTABLISHED", "ACK of SYN-ACK sent", "seen" },
	{ 1, "resp", T0 + 120 * MS, 1, 3, "SYN_RECEIVED", "ESTABLISHED", "ACK of SYN-ACK received", "inferred" },
	{ 1, "orig", T0 + 300 * MS, 1, 8, "ESTABLISHED", "FIN_WAIT_1", "FIN sent", "seen" },
	{ 1, "resp", T0 + 300 * MS, 1, 8, "ESTABLISHED", "CLOSE_WAIT", "FIN received", "inferred" },
	{ 1, "orig", T0 + 320 * MS, 1, 9, "FIN_WAIT_1", "FIN_WAIT_2", "ACK of FIN received", "inferred" },
	{ 1, "resp", T0 + 330 * MS, 1, 10, "CLOSE_WAIT", "LAST_ACK", "FIN sent", "seen" },
	{ 1, "orig", T0 + 340 * MS, 1, 11, "FIN_WAIT_2", "TIME_WAIT", "ACK of FIN sent", "seen" },
	{ 1, "resp", T0 + 340 * MS, 1, 11, "LAST_ACK", "CLOSED", "ACK of FIN received", "inferred" },
	{ 1, "orig", T0 + 60340 * MS, 0, 0, "TIME_WAIT", "CLOSED", "2*MSL expired", "timeout" },

	{ 2, "orig", T0 + 1000 * MS, 1, 12, "CLOSED", "SYN_SENT", "SYN sent", "seen" },
	{ 2, "orig", T0 + 1000 * MS + 400000, 1, 13, "SYN_SENT", "CLOSED", "RST received in SYN_SENT", "inferred" },

	{ 3, "orig", T0 + 2000 * MS, 1, 20, "CLOSED", "SYN_SENT", "SYN sent", "seen" },
	{ 3, "resp", T0 + 2000 * MS + 90000, 1, 21, "LISTEN", "SYN_RECEIVED", "SYN received, SYN-ACK sent", "seen" },
	{ 3, "orig", T0 + 2000 * MS + 180000, 1, 22, "SYN_SENT", "ESTABLISHED", "ACK of SYN-ACK sent", "seen" },
	{ 3, "resp", T0 + 2000 * MS + 180000, 1, 22, "SYN_RECEIVED", "ESTABLISHED", "ACK of SYN-ACK received", "inferred" },
	{ 3, "orig", T0 + 90 * SEC, 0, 0, "ESTABLISHED", "ESTABLISHED", "capture ended", "end" },
	{ 3, "resp", T0 + 90 * SEC, 0, 0, "ESTABLISHED", "ESTABLISHED", "capture ended", "end" },

	{ 4, "orig", T0 + 10 * SEC, 1, 300, "UNKNOWN", "ESTABLISHED", "data sent, no handshake seen", "assumed" },
	{ 4, "resp", T0 + 10 * SEC, 1, 300, "UNKNOWN", "ESTABLISHED", "data received, no handshake seen", "assumed" },
	{ 4, "orig", T0 + 70 * SEC, 2, 900, "ESTABLISHED", "FIN_WAIT_1", "FIN sent", "seen" },
	{ 4, "resp", T0 + 70 * SEC + 100 * 1000, 2, 901, "ESTABLISHED", "FIN_WAIT_1", "FIN sent (crossing)", "seen" },
	{ 4, "orig", T0 + 70 * SEC + 100 * 1000, 2, 901, "FIN_WAIT_1", "CLOSING", "FIN received before the ACK of its own", "inferred" },
	{ 4, "resp", T0 + 70 * SEC + 200 * 1000, 2, 902, "FIN_WAIT_1", "CLOSING", "FIN received before the ACK of its own", "inferred" },
	{ 4, "resp", T0 + 70 * SEC + 200 * 1000 + 1, 2, 902, "CLOSING", "TIME_WAIT", "ACK of FIN received", "inferred" },
	{ 4, "orig", T0 + 70 * SEC + 300 * 1000, 2, 903, "CLOSING", "TIME_WAIT", "ACK of FIN received", "inferred" },
	{ 4, "orig", T0 + 90 * SEC, 0, 0, "TIME_WAIT", "TIME_WAIT", "capture ended", "end" },
	{ 4, "resp", T0 + 90 * SEC, 0, 0, "TIME_WAIT", "TIME_WAIT", "capture ended", "end" },

	{ 5, "orig", T0 + 40 * SEC, 1, 1500, "CLOSED", "SYN_SENT", "SYN sent", "seen" },
	{ 5, "resp", T0 + 40 * SEC + 50000, 1, 1501, "LISTEN", "SYN_RECEIVED", "SYN received, SYN-ACK sent", "seen" },
	{ 5, "orig", T0 + 40 * SEC + 90000, 1, 1502, "SYN_SENT", "ESTABLISHED", "ACK, window 0 sent", "seen" },
	{ 5, "resp", T0 + 40 * SEC + 90000, 1, 1502, "SYN_RECEIVED", "ESTABLISHED", "ACK of SYN-ACK received", "inferred" },
	{ 5, "resp", T0 + 48 * SEC, 2, 40, "ESTABLISHED", "CLOSED", "RST sent (\"SO_LINGER 0\"), ACK 4097", "seen" },
	{ 5, "orig", T0 + 48 * SEC, 2, 40, "ESTABLISHED", "CLOSED", "RST received", "inferred" },
};

static const struct fx_anom fx_anoms[] = {
	{ 2, "connection_refused", "resp", NULL, T0 + 1000 * MS + 400000, 1, 13, "info", "SYN answered by RST, ACK 1" },
	{ 3, "zero_window", "resp", NULL, T0 + 12 * SEC, 1, 880, "info",
	  "window 0 advertised by \"resp\" <script>alert('x')</script>, for 3 probes,\nthen reopened" },
	{ 4, "midstream", NULL, NULL, T0 + 10 * SEC, 1, 300, "info", "first segment carried data; history before it unknown" },
	{ 4, "simultaneous_close", NULL, NULL, T0 + 70 * SEC + 100 * 1000, 2, 901, "info",
	  "FINs crossed within 0.1 ms \xe2\x80\x94 \xc2\xabsimultaneous close\xc2\xbb, both ends via CLOSING" },
	{ 5, "abortive_close", "resp", NULL, T0 + 48 * SEC, 2, 40, "warning", "" },
	{ 0, "syn_flood", NULL, "10.0.0.9", T0 + 5500 * MS, 1, 2111, "error",
	  "6 endpoints of 10.0.0.9:80 in SYN_RECEIVED at once (threshold 5)" },
	{ 0, "truncated_packet", NULL, NULL, T0 + 89 * SEC, 2, 5012, "info", "frame 5012: 54 of 1514 bytes captured" },
};

static const char *const fx_kinds[][3] = {
	{ "connection_refused", "info", "flow" }, { "zero_window", "info", "flow" }, { "midstream", "info", "flow" },
	{ "simultaneous_close", "info", "flow" }, { "abortive_close", "warning", "flow" },
	{ "handshake_incomplete", "warning", "flow" }, { "syn_flood", "error", "host" },
	{ "truncated_packet", "info", "capture" },
};

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL) {
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
			if (len)
				*len = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void bind_int(sqlite3_stmt *st, int i, long long v, long long null_value)
{
	if (v == null_value)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

static int step_reset(sqlite3 *db, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		fprintf(stderr, "fixture: %s\n", sqlite3_errmsg(db));
	return rc == SQLITE_DONE ? 0 : -1;
}

static int insert_trans(sqlite3 *db, sqlite3_stmt *st, const struct fx_trans *t)
{
	sqlite3_bind_int(st, 1, t->flow);
	bind_text(st, 2, t->ep);
	sqlite3_bind_int64(st, 3, t->ts);
	bind_int(st, 4, t->input, 0);
	bind_int(st, 5, t->frame, 0);
	bind_text(st, 6, t->from);
	bind_text(st, 7, t->to);
	bind_text(st, 8, t->trigger);
	bind_text(st, 9, t->evidence);
	return step_reset(db, st);
}

static int insert_anom(sqlite3 *db, sqlite3_stmt *st, const struct fx_anom *a)
{
	bind_int(st, 1, a->flow, 0);
	bind_text(st, 2, a->kind);
	bind_text(st, 3, a->ep);
	bind_text(st, 4, a->host);
	sqlite3_bind_int64(st, 5, a->ts);
	bind_int(st, 6, a->input, 0);
	bind_int(st, 7, a->frame, 0);
	bind_text(st, 8, a->sev);
	bind_text(st, 9, a->detail);
	return step_reset(db, st);
}

static int insert_flow(sqlite3 *db, sqlite3_stmt *st, const struct fx_flow *f)
{
	sqlite3_bind_text(st, 1, f->uid, -1, SQLITE_TRANSIENT);
	bind_text(st, 2, f->cid);
	sqlite3_bind_int64(st, 3, f->input);
	sqlite3_bind_int(st, 4, f->ipv);
	bind_text(st, 5, f->oa);
	sqlite3_bind_int(st, 6, f->op);
	bind_text(st, 7, f->ra);
	sqlite3_bind_int(st, 8, f->rp);
	sqlite3_bind_int64(st, 9, f->first);
	sqlite3_bind_int64(st, 10, f->last);
	sqlite3_bind_int64(st, 11, f->opk);
	sqlite3_bind_int64(st, 12, f->rpk);
	sqlite3_bind_int64(st, 13, f->ob);
	sqlite3_bind_int64(st, 14, f->rb);
	bind_text(st, 15, f->os);
	bind_text(st, 16, f->rs);
	bind_text(st, 17, f->conn);
	bind_text(st, 18, f->hist);
	sqlite3_bind_int(st, 19, f->mid);
	return step_reset(db, st);
}

/* Builds the fixture case database at path from the schema compiled into the store (schema.sql). Returns 0 or -1. */
static int fixture_build(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *in, *fl, *tr, *an, *ks, *ss;
	int bad = 0;

	unlink(path);
	if (sqlite3_open(path, &db) != SQLITE_OK || sqlite3_exec(db, store_schema_sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, store_schema_doc_sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA foreign_keys = ON; BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "fixture: %s\n", sqlite3_errmsg(db));
		sqlite3_close(db);
		return -1;
	}
	sqlite3_prepare_v2(db, "INSERT INTO states(code, name, meaning) VALUES (?1, ?2, ?3)", -1, &ss, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO anomaly_kinds(kind, severity, scope, description) VALUES (?1, ?2, ?3, ?4)", -1, &ks, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO inputs(path, size, sha256, format, compression, link_type, snaplen, first_ts,"
	    " last_ts, packets, tcp_packets, status, error) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)", -1, &in, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO flows(uid, community_id, input_id, ip_version, orig_addr, orig_port, resp_addr,"
	    " resp_port, first_ts, last_ts, orig_pkts, resp_pkts, orig_bytes, resp_bytes, orig_state, resp_state, conn_state,"
	    " history, midstream) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19)", -1, &fl, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO transitions(flow_id, endpoint, ts, input_id, frame, from_state, to_state, trigger,"
	    " evidence) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)", -1, &tr, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO anomalies(flow_id, kind, endpoint, host, ts, input_id, frame, severity, detail)"
	    " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)", -1, &an, NULL);
	if (!ss || !ks || !in || !fl || !tr || !an) {
		fprintf(stderr, "fixture: %s\n", sqlite3_errmsg(db));
		bad = 1;
	}
	for (int i = 0; !bad && i < ST_MAX; i++) {
		sqlite3_bind_int(ss, 1, i);
		bind_text(ss, 2, tcpstate_name(i));
		bind_text(ss, 3, "see RFC 9293 section 3.3.2");
		bad |= step_reset(db, ss);
	}
	for (size_t i = 0; !bad && i < sizeof fx_kinds / sizeof fx_kinds[0]; i++) {
		for (int k = 0; k < 3; k++)
			bind_text(ks, k + 1, fx_kinds[i][k]);
		bind_text(ks, 4, "as catalogued in DESIGN.md section 5");
		bad |= step_reset(db, ks);
	}
	for (size_t i = 0; !bad && i < sizeof fx_inputs / sizeof fx_inputs[0]; i++) {
		const struct fx_input *x = &fx_inputs[i];
		bind_text(in, 1, x->path);
		bind_int(in, 2, x->size, -1);
		bind_text(in, 3, x->sha256);
		bind_text(in, 4, x->format);
		bind_text(in, 5, x->compression);
		bind_int(in, 6, x->link_type, -1);
		bind_int(in, 7, x->snaplen, -1);
		bind_int(in, 8, x->first, -1);
		bind_int(in, 9, x->last, -1);
		sqlite3_bind_int64(in, 10, x->packets);
		sqlite3_bind_int64(in, 11, x->tcp);
		bind_text(in, 12, x->status);
		bind_text(in, 13, x->error);
		bad |= step_reset(db, in);
	}
	for (size_t i = 0; !bad && i < sizeof fx_flows / sizeof fx_flows[0]; i++)
		bad |= insert_flow(db, fl, &fx_flows[i]);
	for (size_t i = 0; !bad && i < sizeof fx_trans / sizeof fx_trans[0]; i++)
		bad |= insert_trans(db, tr, &fx_trans[i]);
	for (int k = 0; !bad && k < FLOOD_N; k++) {
		char uid[32], addr[32];
		int id = 6 + k;
		long long t = T0 + 5000 * MS + k * 100 * MS;
		snprintf(uid, sizeof uid, "CfL00d%02dXq7RkP3", k);
		snprintf(addr, sizeof addr, "198.51.100.%d", 10 + k);
		struct fx_flow f = { uid, "1:fl00d", 4, addr, 40000 + 17 * k, "10.0.0.9", 80, t, t + 3 * SEC, 1, 4, 0, 0,
		    "CLOSED", "CLOSED", "S1", "Sh", 0, 1 };
		struct fx_trans ts[] = {
			{ id, "orig", t, 1, 2100 + 2 * k, "CLOSED", "SYN_SENT", "SYN sent", "seen" },
			{ id, "resp", t + 100000, 1, 2101 + 2 * k, "LISTEN", "SYN_RECEIVED", "SYN received, SYN-ACK sent", "seen" },
			{ id, "orig", t + 30 * SEC, 0, 0, "SYN_SENT", "CLOSED", "idle expiry", "timeout" },
			{ id, "resp", t + 30 * SEC, 0, 0, "SYN_RECEIVED", "CLOSED", "SYN-ACK retransmissions exhausted", "timeout" },
		};
		struct fx_anom a = { id, "handshake_incomplete", "resp", NULL, t + 3 * SEC, 1, 2101 + 2 * k, "warning",
		    "SYN-ACK sent 4 times, never acknowledged" };
		bad |= insert_flow(db, fl, &f);
		for (size_t i = 0; !bad && i < sizeof ts / sizeof ts[0]; i++)
			bad |= insert_trans(db, tr, &ts[i]);
		bad |= insert_anom(db, an, &a);
	}
	for (size_t i = 0; !bad && i < sizeof fx_anoms / sizeof fx_anoms[0]; i++)
		bad |= insert_anom(db, an, &fx_anoms[i]);
	sqlite3_finalize(ss);
	sqlite3_finalize(ks);
	sqlite3_finalize(in);
	sqlite3_finalize(fl);
	sqlite3_finalize(tr);
	sqlite3_finalize(an);
	if (!bad && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "fixture: %s\n", sqlite3_errmsg(db));
		bad = 1;
	}
	sqlite3_close(db);
	return bad ? -1 : 0;
}

/* ---------------------------------------------------------------- timefmt */

static void test_timefmt(void)
{
	char iso[40], d[32];
	int64_t ns = 0;

	timefmt_iso(0, iso);
	CHECK_STR(iso, "1970-01-01T00:00:00.000000000Z");
	timefmt_iso(-1, iso);
	CHECK_STR(iso, "1969-12-31T23:59:59.999999999Z");
	timefmt_iso(T0 + 250 * MS, iso);
	CHECK_STR(iso, "2026-11-23T10:15:00.250000000Z");
	timefmt_iso(951782400LL * SEC, iso);              /* a leap day in a century leap year */
	CHECK_STR(iso, "2000-02-29T00:00:00.000000000Z");
	timefmt_iso(INT64_MAX, iso);
	CHECK_STR(iso, "2262-04-11T23:47:16.854775807Z");

	CHECK_INT(timefmt_parse("2026-11-23T10:15:00.25Z", &ns), 0);
	CHECK_INT(ns, T0 + 250 * MS);
	CHECK_INT(timefmt_parse("2026-11-23T11:15:00.25+01:00", &ns), 0);
	CHECK_INT(ns, T0 + 250 * MS);
	CHECK_INT(timefmt_parse("2026-11-23T05:15:00,25-0500", &ns), 0);
	CHECK_INT(ns, T0 + 250 * MS);
	CHECK_INT(timefmt_parse("2026-11-23 10:15:00.25z", &ns), 0);
	CHECK_INT(ns, T0 + 250 * MS);
	CHECK_INT(timefmt_parse("2026-11-23T10:15:00.25", &ns), 0);   /* no offset: UTC */
	CHECK_INT(ns, T0 + 250 * MS);
	CHECK_INT(timefmt_parse("2026-11-23T10:15Z", &ns), 0);
	CHECK_INT(ns, T0);
	CHECK_INT(timefmt_parse("2026-11-23T15:45:00+05:30", &ns), 0);
	CHECK_INT(ns, T0);
	CHECK_INT(timefmt_parse("2026-11-23T10:15:00.000000001Z", &ns), 0);
	CHECK_INT(ns, T0 + 1);
	CHECK_INT(timefmt_parse("2026-11-23", &ns), 0);
	CHECK_INT(ns, T0 - (10 * 3600 + 15 * 60) * SEC);
	CHECK_INT(timefmt_parse("1795428900.25", &ns), 0);
	CHECK_INT(ns, T0 + 250 * MS);
	CHECK_INT(timefmt_parse("1795428900", &ns), 0);
	CHECK_INT(ns, T0);
	CHECK_INT(timefmt_parse("-1.5", &ns), 0);
	CHECK_INT(ns, -1500 * MS);
	CHECK_INT(timefmt_parse("2024-02-29T00:00:00Z", &ns), 0);

	ns = 42;
	static const char *const bad[] = {
		"", "abc", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "2026-11-31", "2026-11-23T24:00:00Z",
		"2026-11-23T10:60:00Z", "2026-11-23T10:15:00.1234567891Z", "2026-11-23T10:15:00.Z", "1795428900.25x",
		"1795428900.", "2026-11-23T10:15:00Zjunk", "2026-11-23T10:15:00+25:00", "99999999999", "2026-1-23",
		"2026-11-23T10", "1677-01-01T00:00:00Z", " 1795428900",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (timefmt_parse(bad[i], &ns) != -1)
			fprintf(stderr, "accepted bad time \"%s\"\n", bad[i]);
		CHECK(timefmt_parse(bad[i], &ns) == -1);
	}
	CHECK_INT(ns, 42);                                /* untouched on failure */

	/* Round trips through both forms, over the whole range and across 1970. */
	const int64_t rt[] = { 0, 1, -1, T0, T0 + 123456789, -86400LL * SEC - 7, 4102444799LL * SEC + 999999999,
	    -5364662400LL * SEC, INT64_MAX / 2, 9223372035LL * SEC, -9223372035LL * SEC };
	for (size_t i = 0; i < sizeof rt / sizeof rt[0]; i++) {
		char epoch[40];
		int64_t back = 0;
		timefmt_iso(rt[i], iso);
		CHECK_INT(timefmt_parse(iso, &back), 0);
		CHECK_INT(back, rt[i]);
		long long s = rt[i] / SEC, frac = rt[i] % SEC;
		snprintf(epoch, sizeof epoch, "%s%lld.%09lld", rt[i] < 0 ? "-" : "", s < 0 ? -s : s, frac < 0 ? -frac : frac);
		CHECK_INT(timefmt_parse(epoch, &back), 0);
		CHECK_INT(back, rt[i]);
	}

	CHECK_INT(timefmt_floor(-1, SEC), -SEC);
	CHECK_INT(timefmt_floor(T0 + 5, SEC), T0);
	CHECK_INT(timefmt_floor(-2 * SEC, SEC), -2 * SEC);

	timefmt_duration(850, d);
	CHECK_STR(d, "850 ns");
	timefmt_duration(12400 * 1000, d);
	CHECK_STR(d, "12.4 ms");
	timefmt_duration(3250 * MS, d);
	CHECK_STR(d, "3.250 s");
	timefmt_duration(245 * SEC, d);
	CHECK_STR(d, "4 min 05 s");
	timefmt_duration(7800 * SEC, d);
	CHECK_STR(d, "2 h 10 min");
}

/* ---------------------------------------------------------------- CSV */

struct field {
	char *s;         /* NULL for an empty unquoted field (= SQL NULL) */
	size_t len;
};

struct table {
	struct field *f;
	size_t n, cap;
	size_t *row_len; /* fields per row */
	size_t rows, rows_cap, cur;
};

static void on_field(void *s, size_t len, void *data)
{
	struct table *t = data;
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 256;
		t->f = realloc(t->f, t->cap * sizeof *t->f);
	}
	t->f[t->n].s = s ? memcpy(malloc(len + 1), s, len + 1) : NULL;
	t->f[t->n++].len = len;
	t->cur++;
}

static void on_row(int c, void *data)
{
	struct table *t = data;
	(void)c;
	if (t->rows == t->rows_cap) {
		t->rows_cap = t->rows_cap ? 2 * t->rows_cap : 64;
		t->row_len = realloc(t->row_len, t->rows_cap * sizeof *t->row_len);
	}
	t->row_len[t->rows++] = t->cur;
	t->cur = 0;
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->f[i].s);
	free(t->f);
	free(t->row_len);
}

/* Every record ends in CRLF; CR and LF appear alone only inside quoted fields (they are data there). */
static int crlf_only(const char *buf, size_t len)
{
	int q = 0;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '"')
			q = !q;
		else if (!q && buf[i] == '\r' && (i + 1 >= len || buf[i + 1] != '\n'))
			return 0;
		else if (!q && buf[i] == '\n' && (i == 0 || buf[i - 1] != '\r'))
			return 0;
	}
	return len >= 2 && buf[len - 2] == '\r' && buf[len - 1] == '\n' && !q;
}

static int field_eq(const struct field *f, const char *s, size_t len)
{
	return f->s && f->len == len && memcmp(f->s, s, len) == 0;
}

/* Reads dir/table.csv back with libcsv and compares every field with SELECT * from the database. */
static void check_csv_table(sqlite3 *db, const char *dir, const char *table, long long expect_rows)
{
	char path[4096], sql[64];
	struct csv_parser p;
	struct table t = { 0 };
	size_t len = 0;
	sqlite3_stmt *st;

	snprintf(path, sizeof path, "%s/%s.csv", dir, table);
	char *buf = slurp(path, &len);
	CHECK(buf != NULL);
	if (buf == NULL)
		return;
	CHECK(crlf_only(buf, len));
	CHECK(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_EMPTY_IS_NULL) == 0);
	CHECK(csv_parse(&p, buf, len, on_field, on_row, &t) == len);
	CHECK(csv_fini(&p, on_field, on_row, &t) == 0);
	csv_free(&p);
	free(buf);

	snprintf(sql, sizeof sql, "SELECT * FROM %s ORDER BY id", table);
	CHECK(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK);
	int ncol = sqlite3_column_count(st);
	size_t k = 0, width = 0;
	for (int c = 0; c < ncol; c++) {               /* header: names in order, _iso after each time */
		const char *name = sqlite3_column_name(st, c);
		size_t n = strlen(name);
		int is_ts = strcmp(name, "ts") == 0 || (n > 3 && strcmp(name + n - 3, "_ts") == 0);
		char iso_name[80];
		CHECK(k < t.n && field_eq(&t.f[k], name, n));
		k++;
		if (is_ts) {
			snprintf(iso_name, sizeof iso_name, "%s_iso", name);
			CHECK(k < t.n && field_eq(&t.f[k], iso_name, strlen(iso_name)));
			k++;
		}
	}
	width = k;
	CHECK_INT(t.rows, expect_rows + 1);
	for (size_t r = 0; r < t.rows; r++)
		CHECK_INT(t.row_len[r], width);
	long long rows = 0;
	while (sqlite3_step(st) == SQLITE_ROW && k + width <= t.n) {
		rows++;
		for (int c = 0; c < ncol; c++) {
			const char *name = sqlite3_column_name(st, c);
			size_t n = strlen(name);
			int is_ts = strcmp(name, "ts") == 0 || (n > 3 && strcmp(name + n - 3, "_ts") == 0);
			const struct field *f = &t.f[k++];
			char num[32], iso[40];
			switch (sqlite3_column_type(st, c)) {
			case SQLITE_NULL:
				if (f->s != NULL)
					fprintf(stderr, "%s row %lld %s: NULL came back as \"%s\"\n", table, rows, name, f->s);
				CHECK(f->s == NULL);
				break;
			case SQLITE_INTEGER:
				snprintf(num, sizeof num, "%lld", (long long)sqlite3_column_int64(st, c));
				CHECK(field_eq(f, num, strlen(num)));
				break;
			default:
				if (!field_eq(f, (const char *)sqlite3_column_text(st, c), (size_t)sqlite3_column_bytes(st, c)))
					fprintf(stderr, "%s row %lld %s: \"%s\" came back as \"%s\"\n", table, rows, name,
					    sqlite3_column_text(st, c), f->s ? f->s : "(NULL)");
				CHECK(field_eq(f, (const char *)sqlite3_column_text(st, c), (size_t)sqlite3_column_bytes(st, c)));
			}
			if (is_ts) {
				const struct field *g = &t.f[k++];
				if (sqlite3_column_type(st, c) == SQLITE_NULL) {
					CHECK(g->s == NULL);
				} else {
					int64_t back = 0;
					timefmt_iso(sqlite3_column_int64(st, c), iso);
					CHECK(field_eq(g, iso, strlen(iso)));
					CHECK(g->s && timefmt_parse(g->s, &back) == 0 && back == sqlite3_column_int64(st, c));
				}
			}
		}
	}
	CHECK_INT(rows, expect_rows);
	sqlite3_finalize(st);
	table_free(&t);
}

static void test_csv(const char *db_path, const char *tmp)
{
	char dir[4096];
	sqlite3 *db;

	snprintf(dir, sizeof dir, "%s/csv/nested/out", tmp);    /* parents created too */
	CHECK_INT(report_csv(db_path, dir), 0);
	CHECK(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
	check_csv_table(db, dir, "inputs", 3);
	check_csv_table(db, dir, "flows", 5 + FLOOD_N);
	check_csv_table(db, dir, "transitions", (long long)(sizeof fx_trans / sizeof fx_trans[0]) + 4 * FLOOD_N);
	check_csv_table(db, dir, "anomalies", (long long)(sizeof fx_anoms / sizeof fx_anoms[0]) + FLOOD_N);
	sqlite3_close(db);

	/* Text is quoted with doubled quotes; NULL is an empty unquoted field, "" an empty string. */
	char path[4200];
	snprintf(path, sizeof path, "%s/inputs.csv", dir);
	char *buf = slurp(path, NULL);
	CHECK(buf && strstr(buf, "\"/cases/notes, \"\"Q3\"\".txt\""));
	CHECK(buf && strstr(buf, ",\"2026-11-23T10:15:00.000000000Z\","));
	CHECK(buf && strstr(buf, "notes, \"\"Q3\"\".txt\",,\"fcde"));   /* size NULL */
	free(buf);
	snprintf(path, sizeof path, "%s/anomalies.csv", dir);
	buf = slurp(path, NULL);
	CHECK(buf && strstr(buf, "\"warning\",\"\"\r\n"));            /* empty detail */
	CHECK(buf && strstr(buf, ",\"syn_flood\",,\"10.0.0.9\","));       /* NULL endpoint */
	free(buf);

	/* A file where the directory should be: a clear failure, status 4. */
	snprintf(dir, sizeof dir, "%s/csv/nested/out/inputs.csv", tmp);
	CHECK_INT(report_csv(db_path, dir), 4);
}

/* ---------------------------------------------------------------- netstat */

static char *netstat_text(const char *db, const char *at, const char *host, const char *naming, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	*rc = report_netstat(db, at, host, naming, f);
	fclose(f);
	return buf;
}

static void check_netstat(const char *db, const char *at, const char *host, const char *naming, const char *want)
{
	int rc;
	char *got = netstat_text(db, at, host, naming, &rc);
	CHECK_INT(rc, 0);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "netstat --at %s --naming %s:\n--- got\n%s--- want\n%s", at, naming ? naming : "rfc", got, want);
	CHECK_STR(got, want);
	free(got);
}

static void test_netstat(const char *db)
{
	int rc;

	check_netstat(db, "2026-11-23T10:15:00.2Z", NULL, NULL,
	    "Active TCP connections at 2026-11-23T10:15:00.200000000Z\n"
	    "Proto  Local Address     Foreign Address   State\n"
	    "tcp    10.0.0.5:51000    93.184.216.34:80  ESTABLISHED\n"
	    "tcp    93.184.216.34:80  10.0.0.5:51000    ESTABLISHED\n");
	/* The SYN is on the wire, the responder not yet reached: it is still the listener. */
	check_netstat(db, "1795428900.1", NULL, "windows",
	    "Active TCP connections at 2026-11-23T10:15:00.100000000Z\n"
	    "Proto  Local Address     Foreign Address   State\n"
	    "tcp    10.0.0.5:51000    93.184.216.34:80  SYN_SENT\n"
	    "tcp    93.184.216.34:80  0.0.0.0:*         LISTENING\n");
	/* Mid-flood: TIME_WAIT of flow 1 (its responder is CLOSED: left out), v6 established, half-open SYN_RECEIVED. */
	check_netstat(db, "2026-11-23T10:15:05.3Z", NULL, "linux",
	    "Active TCP connections at 2026-11-23T10:15:05.300000000Z\n"
	    "Proto  Local Address        Foreign Address      State\n"
	    "tcp    10.0.0.5:51000       93.184.216.34:80     TIME_WAIT\n"
	    "tcp6   [2001:db8::1]:40000  [2001:db8::2]:443    ESTABLISHED\n"
	    "tcp6   [2001:db8::2]:443    [2001:db8::1]:40000  ESTABLISHED\n"
	    "tcp    198.51.100.10:40000  10.0.0.9:80          SYN_SENT\n"
	    "tcp    10.0.0.9:80          198.51.100.10:40000  SYN_RECV\n"
	    "tcp    198.51.100.11:40017  10.0.0.9:80          SYN_SENT\n"
	    "tcp    10.0.0.9:80          198.51.100.11:40017  SYN_RECV\n"
	    "tcp    198.51.100.12:40034  10.0.0.9:80          SYN_SENT\n"
	    "tcp    10.0.0.9:80          198.51.100.12:40034  SYN_RECV\n"
	    "tcp    198.51.100.13:40051  10.0.0.9:80          SYN_SENT\n"
	    "tcp    10.0.0.9:80          0.0.0.0:*            LISTEN\n");
	check_netstat(db, "2026-11-23T10:15:05.3Z", "10.0.0.9", "bsd",
	    "Active TCP connections of 10.0.0.9 at 2026-11-23T10:15:05.300000000Z\n"
	    "Proto  Local Address  Foreign Address      State\n"
	    "tcp    10.0.0.9:80    198.51.100.10:40000  SYN_RCVD\n"
	    "tcp    10.0.0.9:80    198.51.100.11:40017  SYN_RCVD\n"
	    "tcp    10.0.0.9:80    198.51.100.12:40034  SYN_RCVD\n"
	    "tcp    10.0.0.9:80    0.0.0.0:*            LISTEN\n");
	/* Crossing FINs: both ends in CLOSING; solaris names FIN_WAIT_1 like the database. */
	check_netstat(db, "2026-11-23T10:16:10.00015Z", NULL, "solaris",
	    "Active TCP connections at 2026-11-23T10:16:10.000150000Z\n"
	    "Proto  Local Address        Foreign Address      State\n"
	    "tcp6   [2001:db8::1]:40000  [2001:db8::2]:443    ESTABLISHED\n"
	    "tcp6   [2001:db8::2]:443    [2001:db8::1]:40000  ESTABLISHED\n"
	    "tcp    10.0.0.5:50122       10.0.0.7:22          CLOSING\n"
	    "tcp    10.0.0.7:22          10.0.0.5:50122       FIN_WAIT_1\n");
	/* After the close: both in TIME_WAIT until the capture ends; host given in upper case. */
	check_netstat(db, "2026-11-23T10:16:20Z", "2001:DB8::2", "linux",
	    "Active TCP connections of 2001:db8::2 at 2026-11-23T10:16:20.000000000Z\n"
	    "Proto  Local Address      Foreign Address      State\n"
	    "tcp6   [2001:db8::2]:443  [2001:db8::1]:40000  ESTABLISHED\n");
	check_netstat(db, "2026-11-23T10:16:20Z", "10.0.0.7", "rfc",
	    "Active TCP connections of 10.0.0.7 at 2026-11-23T10:16:20.000000000Z\n"
	    "Proto  Local Address  Foreign Address  State\n"
	    "tcp    10.0.0.7:22    10.0.0.5:50122   TIME_WAIT\n");
	/* The SYN_RECEIVED timeouts close the half-open endpoints one by one. */
	check_netstat(db, "2026-11-23T10:15:35.05Z", NULL, "bsd",
	    "Active TCP connections at 2026-11-23T10:15:35.050000000Z\n"
	    "Proto  Local Address        Foreign Address      State\n"
	    "tcp    10.0.0.5:51000       93.184.216.34:80     TIME_WAIT\n"
	    "tcp6   [2001:db8::1]:40000  [2001:db8::2]:443    ESTABLISHED\n"
	    "tcp6   [2001:db8::2]:443    [2001:db8::1]:40000  ESTABLISHED\n"
	    "tcp    198.51.100.11:40017  10.0.0.9:80          SYN_SENT\n"
	    "tcp    10.0.0.9:80          198.51.100.11:40017  SYN_RCVD\n"
	    "tcp    198.51.100.12:40034  10.0.0.9:80          SYN_SENT\n"
	    "tcp    10.0.0.9:80          198.51.100.12:40034  SYN_RCVD\n"
	    "tcp    198.51.100.13:40051  10.0.0.9:80          SYN_SENT\n"
	    "tcp    10.0.0.9:80          198.51.100.13:40051  SYN_RCVD\n"
	    "tcp    198.51.100.14:40068  10.0.0.9:80          SYN_SENT\n"
	    "tcp    10.0.0.9:80          198.51.100.14:40068  SYN_RCVD\n"
	    "tcp    198.51.100.15:40085  10.0.0.9:80          SYN_SENT\n"
	    "tcp    10.0.0.9:80          198.51.100.15:40085  SYN_RCVD\n"
	    "tcp    10.0.0.5:50122       10.0.0.7:22          ESTABLISHED\n"
	    "tcp    10.0.0.7:22          10.0.0.5:50122       ESTABLISHED\n");
	/* Beyond the capture nothing is claimed. */
	check_netstat(db, "2026-11-23T10:20:00Z", NULL, NULL,
	    "Active TCP connections at 2026-11-23T10:20:00.000000000Z\n"
	    "Proto  Local Address  Foreign Address  State\n");

	char *s = netstat_text(db, "yesterday", NULL, NULL, &rc);
	CHECK_INT(rc, 2);
	CHECK_STR(s, "");
	free(s);
	s = netstat_text(db, "1795428900", NULL, "macos", &rc);
	CHECK_INT(rc, 2);
	free(s);
	s = netstat_text(db, "1795428900", "10.0.0.300", NULL, &rc);
	CHECK_INT(rc, 2);
	free(s);
	s = netstat_text("/nonexistent/case.db", "1795428900", NULL, NULL, &rc);
	CHECK_INT(rc, 4);
	free(s);
}

/* ---------------------------------------------------------------- HTML */

static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* The inline style and script must be exactly what the CSP hashes allow. */
static void check_csp(const char *page)
{
	const char *tags[][2] = { { "<style>", "</style>" }, { "<script>", "</script>" } };
	const char *csp = strstr(page, "Content-Security-Policy");
	const char *csp_end = csp ? strchr(strstr(csp, "content=\"") + 9, '"') : NULL;

	CHECK(csp != NULL && csp_end != NULL);
	if (!csp || !csp_end)
		return;
	CHECK(strstr(csp, "default-src 'none'") && strstr(csp, "default-src 'none'") < csp_end);
	CHECK(strstr(csp, "unsafe-inline") == NULL || strstr(csp, "unsafe-inline") > csp_end);
	for (int i = 0; i < 2; i++) {
		const char *a = strstr(page, tags[i][0]), *b = a ? strstr(a, tags[i][1]) : NULL;
		char src[HTMLPAGE_HASH_LEN], *dir = NULL;
		CHECK(a && b);
		if (!a || !b)
			continue;
		a += strlen(tags[i][0]);
		htmlpage_csp_source(a, (size_t)(b - a), src);
		dir = strstr(csp, i == 0 ? "style-src " : "script-src ");
		CHECK(dir && strncmp(dir + (i == 0 ? 10 : 11), src, strlen(src)) == 0);
	}
}

static void test_html(const char *db, const char *tmp)
{
	char a[4096], b[4096], c[4096], fp[4096], fp2[4096], bad[4096];
	size_t la = 0, lb = 0;

	snprintf(a, sizeof a, "%s/case.html", tmp);
	snprintf(b, sizeof b, "%s/case-again.html", tmp);
	snprintf(c, sizeof c, "%s/case-capped.html", tmp);
	snprintf(fp, sizeof fp, "%s/flow.html", tmp);
	snprintf(fp2, sizeof fp2, "%s/flow-v6.html", tmp);
	CHECK_INT(report_html(db, a, NULL, REPORT_MAX_ROWS_DEFAULT), 0);
	CHECK_INT(report_html(db, b, NULL, REPORT_MAX_ROWS_DEFAULT), 0);
	CHECK_INT(report_html(db, c, NULL, 3), 0);
	CHECK_INT(report_html(db, fp, UID_HTTP, REPORT_MAX_ROWS_DEFAULT), 0);
	CHECK_INT(report_html(db, fp2, UID_V6, REPORT_MAX_ROWS_DEFAULT), 0);

	char *pa = slurp(a, &la), *pb = slurp(b, &lb), *pc = slurp(c, NULL), *pf = slurp(fp, NULL), *pv = slurp(fp2, NULL);
	CHECK(pa && pb && pc && pf && pv);
	if (!pa || !pb || !pc || !pf || !pv)
		goto out;
	/* Deterministic: the same database gives the same bytes. */
	CHECK(la == lb && memcmp(pa, pb, la) == 0);

	/* Escaping: the data's markup is text, the page's own script is the only script. */
	const char *pages[] = { pa, pc, pf, pv };
	for (size_t i = 0; i < 4; i++) {
		CHECK_INT(count_of(pages[i], "<script"), 1);
		CHECK(strstr(pages[i], "alert(") == NULL || strstr(pages[i], "<script>alert") == NULL);
		CHECK(strstr(pages[i], "onerror") == NULL);
		CHECK(strstr(pages[i], "style=\"") == NULL);     /* CSP forbids inline style attributes */
		check_csp(pages[i]);
	}
	CHECK(strstr(pa, "edge-&lt;script&gt;alert(1)&lt;/script&gt;.pcapng.gz") != NULL);
	CHECK(strstr(pa, "window 0 advertised by &quot;resp&quot; &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;, for 3 probes,\nthen reopened") != NULL);
	CHECK(strstr(pa, "notes, &quot;Q3&quot;.txt") != NULL);
	CHECK(strstr(pa, "\xc2\xabsimultaneous close\xc2\xbb") != NULL);
	CHECK(strstr(pa, "(&quot;unexpected EOF&quot;)") != NULL);
	CHECK(strstr(pf, "RST sent") == NULL);                     /* another flow's trigger */

	/* Case page: sections, one anchor per flow, linked anomalies, drawings. */
	const char *sections[] = { "id=\"inputs\"", "id=\"outcome\"", "id=\"anomalies\"", "id=\"timeline\"",
	    "id=\"states\"", "id=\"talkers\"", "id=\"flows\"", "id=\"occurrences\"" };
	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
		CHECK(strstr(pa, sections[i]) != NULL);
	CHECK_INT(count_of(pa, "<tr id=\"f-"), 5 + FLOOD_N);
	CHECK(strstr(pa, "<tr id=\"f-" UID_HTTP "\">") != NULL);
	CHECK(strstr(pa, "href=\"#f-CmES5u32sYpV7JYN\"") != NULL);     /* connection_refused -> its flow */
	CHECK(strstr(pa, "id=\"k-syn_flood\"") && strstr(pa, "href=\"#k-syn_flood\""));
	CHECK(strstr(pa, "host <span class=\"mono\">10.0.0.9</span>") != NULL);
	CHECK(strstr(pa, "<svg class=\"fig timeline\"") != NULL);
	CHECK(strstr(pa, "<svg class=\"fig chart\"") != NULL);
	CHECK(strstr(pa, "class=\"ln s-SYN_RECEIVED hot\"") != NULL);
	CHECK(strstr(pa, "class=\"ln s-TIME_WAIT hot\"") != NULL);
	/* The flood: the sixth SYN_RECEIVED came at 10:15:05.5001 (the last SYN-ACK). */
	CHECK(strstr(pa, "SYN_RECEIVED</b> &middot; peak 6 at 2026-11-23T10:15:05.500100000Z") != NULL);
	CHECK(count_of(pa, "<rect class=\"s-") >= 40);
	CHECK(strstr(pa, "<rect class=\"s-TIME_WAIT\"") != NULL);
	CHECK(strstr(pa, "<rect class=\"s-UNKNOWN\"") == NULL);          /* flow 4's UNKNOWN lasted no time */
	CHECK(strstr(pa, "<span class=\"st s-ESTABLISHED\">ESTABLISHED</span>") != NULL);
	CHECK(strstr(pa, "class=\"legend\"") != NULL);
	CHECK(strstr(pa, "<span class=\"status status-truncated\">truncated</span>") != NULL);
	CHECK(strstr(pa, "<td>pcapng, gzip<div") && strstr(pa, "<td>pcap, uncompressed<div"));
	CHECK(strstr(pa, "Showing the first") == NULL);
	CHECK(strstr(pa, "data-ready=\"") == NULL);                       /* set by the script, not the page */

	/* The cap: three connections listed and drawn, a note saying where the rest are. */
	CHECK_INT(count_of(pc, "<tr id=\"f-"), 3);
	CHECK(strstr(pc, "Showing the first 3 of 11 connections") != NULL);
	CHECK(strstr(pc, "(table <code>flows</code>)") != NULL);
	CHECK(strstr(pc, "aria-label=\"State timeline of 3 connections\"") != NULL);
	CHECK(strstr(pc, "beyond the row cap") != NULL);                 /* flood flows: listed as text, not links */

	/* Flow page: ladder with arrows, every transition, the flow's anomalies only. */
	CHECK(strstr(pf, "<svg class=\"fig ladder\"") != NULL);
	CHECK_INT(count_of(pf, "marker-end=\"url(#arrow)\""), 7);        /* frames 1, 2, 3, 8, 9, 10, 11 */
	CHECK_INT(count_of(pf, "<line class=\"mark\""), 1);               /* the 2*MSL timeout */
	CHECK(strstr(pf, ">2*MSL expired<") != NULL);
	CHECK(strstr(pf, ">frame 11</tspan>  ACK of FIN sent<tspan x=\"610.0\" dy=\"13.0\">ACK of FIN received</tspan>") != NULL);
	CHECK(strstr(pf, "2026-11-23<wbr>T10:15:00.340000000Z") != NULL);
	CHECK(strstr(pf, "No anomalies on this connection.") != NULL);
	CHECK(strstr(pv, "zero_window") != NULL);
	CHECK(strstr(pv, "[2001:db8::1]:40000") != NULL);
	CHECK(strstr(pv, ">capture ended<") != NULL);
	CHECK(strstr(pv, "id=\"transitions\"") != NULL);

	/* Failures: unknown uid (2, no file left), bad rows, missing database, not a case database. */
	snprintf(bad, sizeof bad, "%s/nope.html", tmp);
	CHECK_INT(report_html(db, bad, "Cnonexistent", 10), 2);
	CHECK(access(bad, F_OK) != 0);
	CHECK_INT(report_html(db, a, "Cnonexistent", 10), 2);
	char *again = slurp(a, NULL);
	CHECK(again && strcmp(again, pa) == 0);
	free(again);
	CHECK_INT(report_html(db, bad, NULL, 0), 2);
	CHECK_INT(report_html("/nonexistent/case.db", bad, NULL, 10), 4);
	snprintf(bad, sizeof bad, "%s/other.db", tmp);
	sqlite3 *o;
	CHECK(sqlite3_open(bad, &o) == SQLITE_OK);
	CHECK(sqlite3_exec(o, "CREATE TABLE t(x); PRAGMA user_version = 1", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(o);
	CHECK_INT(report_html(bad, a, NULL, 10), 4);
	CHECK_INT(report_csv(bad, tmp), 4);
	CHECK(sqlite3_open(bad, &o) == SQLITE_OK);
	CHECK(sqlite3_exec(o, "PRAGMA application_id = 1346589524; PRAGMA user_version = 2", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(o);
	CHECK_INT(report_html(bad, a, NULL, 10), 4);                      /* written by a newer pcapstate */
	again = slurp(a, NULL);                                           /* a failure leaves the earlier page whole */
	CHECK(again && strcmp(again, pa) == 0);
	free(again);
	snprintf(bad, sizeof bad, "%s/garbage.db", tmp);
	FILE *g = fopen(bad, "w");
	fputs("this is not an SQLite database, just some text that is long enough to look like a header......", g);
	fclose(g);
	CHECK_INT(report_html(bad, c, NULL, 10), 4);

	/* The hash function itself, against a known vector (SHA-256 of the empty string). */
	char src[HTMLPAGE_HASH_LEN];
	htmlpage_csp_source("", 0, src);
	CHECK_STR(src, "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='");
	htmlpage_csp_source("abc", 3, src);
	CHECK_STR(src, "'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='");
out:
	free(pa);
	free(pb);
	free(pc);
	free(pf);
	free(pv);
}

/* A case with the schema and nothing else (an analysis that found no TCP): every report still works. */
static void test_empty(const char *tmp)
{
	char db[4096], out[4200];
	sqlite3 *e;
	int rc;

	snprintf(db, sizeof db, "%s/empty.db", tmp);
	CHECK(sqlite3_open(db, &e) == SQLITE_OK);
	CHECK(sqlite3_exec(e, store_schema_sql, NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(e);
	snprintf(out, sizeof out, "%s/empty.html", tmp);
	CHECK_INT(report_html(db, out, NULL, 10), 0);
	char *page = slurp(out, NULL);
	CHECK(page && strstr(page, "no packets in this case") && strstr(page, "No connections in this case."));
	free(page);
	snprintf(out, sizeof out, "%s/empty-csv", tmp);
	CHECK_INT(report_csv(db, out), 0);
	snprintf(out, sizeof out, "%s/empty-csv/flows.csv", tmp);
	page = slurp(out, NULL);
	CHECK(page && strncmp(page, "\"id\",\"uid\",", 11) == 0 && strstr(page, "\r\n") == page + strlen(page) - 2);
	free(page);
	char *s = netstat_text(db, "2026-11-23T10:15:00Z", NULL, "linux", &rc);
	CHECK_INT(rc, 0);
	CHECK_STR(s, "Active TCP connections at 2026-11-23T10:15:00.000000000Z\n"
	    "Proto  Local Address  Foreign Address  State\n");
	free(s);
}

int main(int argc, char **argv)
{
	char tmp[] = "/tmp/test_reports.XXXXXX", db[4096];

	/* tests/browser/test_html.sh builds its pages from the same fixture. */
	if (argc == 3 && strcmp(argv[1], "--fixture") == 0)
		return fixture_build(argv[2]) == 0 ? 0 : 99;
	if (mkdtemp(tmp) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	snprintf(db, sizeof db, "%s/case.db", tmp);
	if (fixture_build(db) != 0)
		return 99;   /* automake: hard error, the test could not run */
	test_timefmt();
	test_csv(db, tmp);
	test_netstat(db);
	test_html(db, tmp);
	test_empty(tmp);
	if (unit_failed == 0) {
		char cmd[4200];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmp);
	} else {
		fprintf(stderr, "test files kept in %s\n", tmp);
	}
	return unit_done("test_reports");
}
