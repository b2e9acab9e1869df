/* netstat.c - the endpoints alive at one instant, laid out like netstat, with each system's state names. */
#define _POSIX_C_SOURCE 200809L
#include "report.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reportdb.h"
#include "tcpstate.h"

enum naming { NAMING_RFC, NAMING_LINUX, NAMING_BSD, NAMING_WINDOWS, NAMING_SOLARIS, NAMING_MAX };

static const char *const naming_names[NAMING_MAX] = { "rfc", "linux", "bsd", "windows", "solaris" };

/*
 * How each system's netstat prints the states (DESIGN.md section 4). The rfc column is the
 * database's own vocabulary (tcpstate_name). UNKNOWN is ours: no system has it.
 */
static const char *const system_names[ST_MAX][NAMING_MAX - 1] = {
	/*                  linux          bsd (FreeBSD)  windows          solaris */
	[ST_UNKNOWN]      = { "UNKNOWN",     "UNKNOWN",     "UNKNOWN",       "UNKNOWN" },
	[ST_CLOSED]       = { "CLOSE",       "CLOSED",      "CLOSED",        "CLOSED" },
	[ST_LISTEN]       = { "LISTEN",      "LISTEN",      "LISTENING",     "LISTEN" },
	[ST_SYN_SENT]     = { "SYN_SENT",    "SYN_SENT",    "SYN_SENT",      "SYN_SENT" },
	[ST_SYN_RECEIVED] = { "SYN_RECV",    "SYN_RCVD",    "SYN_RECEIVED",  "SYN_RECEIVED" },
	[ST_ESTABLISHED]  = { "ESTABLISHED", "ESTABLISHED", "ESTABLISHED",   "ESTABLISHED" },
	[ST_FIN_WAIT_1]   = { "FIN_WAIT1",   "FIN_WAIT_1",  "FIN_WAIT_1",    "FIN_WAIT_1" },
	[ST_FIN_WAIT_2]   = { "FIN_WAIT2",   "FIN_WAIT_2",  "FIN_WAIT_2",    "FIN_WAIT_2" },
	[ST_CLOSE_WAIT]   = { "CLOSE_WAIT",  "CLOSE_WAIT",  "CLOSE_WAIT",    "CLOSE_WAIT" },
	[ST_CLOSING]      = { "CLOSING",     "CLOSING",     "CLOSING",       "CLOSING" },
	[ST_LAST_ACK]     = { "LAST_ACK",    "LAST_ACK",    "LAST_ACK",      "LAST_ACK" },
	[ST_TIME_WAIT]    = { "TIME_WAIT",   "TIME_WAIT",   "TIME_WAIT",     "TIME_WAIT" },
};

/*
 * One query does the work. A flow is a candidate when it had begun by T and its horizon
 * (REPORTDB_HORIZON_SQL) reaches T, so an endpoint is never shown beyond what the capture
 * knows. Each endpoint's state at T is the to_state of its last transition at or before T;
 * before its first transition it is that transition's from_state (a responder not yet
 * reached by the SYN: CLOSED or LISTEN).
 */
static const char netstat_sql[] =
	"SELECT f.ip_version, f.orig_addr, f.orig_port, f.resp_addr, f.resp_port,"
	" coalesce((SELECT t.to_state FROM transitions t WHERE t.flow_id = f.id AND t.endpoint = 'orig'"
	"           AND t.ts <= ?1 ORDER BY t.ts DESC, t.id DESC LIMIT 1),"
	"          (SELECT t.from_state FROM transitions t WHERE t.flow_id = f.id AND t.endpoint = 'orig'"
	"           ORDER BY t.ts, t.id LIMIT 1), 'UNKNOWN'),"
	" coalesce((SELECT t.to_state FROM transitions t WHERE t.flow_id = f.id AND t.endpoint = 'resp'"
	"           AND t.ts <= ?1 ORDER BY t.ts DESC, t.id DESC LIMIT 1),"
	"          (SELECT t.from_state FROM transitions t WHERE t.flow_id = f.id AND t.endpoint = 'resp'"
	"           ORDER BY t.ts, t.id LIMIT 1), 'UNKNOWN')"
	" FROM flows f"
	" WHERE f.first_ts <= ?1"
	"   AND " REPORTDB_HORIZON_SQL " >= ?1"
	" ORDER BY f.first_ts, f.id";

struct line {
	char proto[8];
	char local[64];
	char foreign[64];
	char state[24];
};

struct lines {
	struct line *v;
	size_t n, cap;
};

/* Rewrites an address in inet_ntop's canonical text; returns the address family or 0 if it is not one. */
static int canonical_addr(const char *in, char out[INET6_ADDRSTRLEN])
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, in, buf) == 1) {
		inet_ntop(AF_INET, buf, out, INET6_ADDRSTRLEN);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, in, buf) == 1) {
		inet_ntop(AF_INET6, buf, out, INET6_ADDRSTRLEN);
		return AF_INET6;
	}
	return 0;
}

static void format_endpoint(char out[64], int ipv6, const char *addr, const char *port)
{
	snprintf(out, 64, ipv6 ? "[%s]:%s" : "%s:%s", addr, port);
}

static const char *state_label(const char *db_name, enum naming naming)
{
	int st = reportdb_state(db_name);
	if (st < 0 || naming == NAMING_RFC)
		return db_name;
	return system_names[st][naming - 1];
}

static int lines_push(struct lines *ls, const struct line *l)
{
	if (ls->n == ls->cap) {
		size_t cap = ls->cap ? ls->cap * 2 : 64;
		struct line *v = realloc(ls->v, cap * sizeof *v);
		if (v == NULL)
			return -1;
		ls->v = v;
		ls->cap = cap;
	}
	ls->v[ls->n++] = *l;
	return 0;
}

/* A listener is one socket however many connections it accepted: print it once, like netstat. */
static int seen_listener(const struct lines *ls, const struct line *l)
{
	for (size_t i = 0; i < ls->n; i++)
		if (strcmp(ls->v[i].local, l->local) == 0 && strcmp(ls->v[i].foreign, l->foreign) == 0 &&
		    strcmp(ls->v[i].state, l->state) == 0)
			return 1;
	return 0;
}

/* Adds the line of one endpoint unless it was CLOSED at T. */
static int add_endpoint(struct lines *ls, int ipv6, const char *addr, int port,
                        const char *peer, int peer_port, const char *state, enum naming naming)
{
	struct line l;
	char p[8];

	if (strcmp(state, "CLOSED") == 0)
		return 0;
	snprintf(l.proto, sizeof l.proto, "%s", ipv6 ? "tcp6" : "tcp");
	snprintf(p, sizeof p, "%d", port);
	format_endpoint(l.local, ipv6, addr, p);
	if (strcmp(state, "LISTEN") == 0)
		format_endpoint(l.foreign, ipv6, ipv6 ? "::" : "0.0.0.0", "*");
	else {
		snprintf(p, sizeof p, "%d", peer_port);
		format_endpoint(l.foreign, ipv6, peer, p);
	}
	snprintf(l.state, sizeof l.state, "%s", state_label(state, naming));
	if (strcmp(state, "LISTEN") == 0 && seen_listener(ls, &l))
		return 0;
	return lines_push(ls, &l);
}

static int print_lines(FILE *out, const struct lines *ls, const char *at_iso, const char *host)
{
	/* Column widths from the longest value, so the columns line up whatever the addresses. */
	size_t wp = strlen("Proto"), wl = strlen("Local Address"), wf = strlen("Foreign Address");

	for (size_t i = 0; i < ls->n; i++) {
		const struct line *l = &ls->v[i];
		wp = strlen(l->proto) > wp ? strlen(l->proto) : wp;
		wl = strlen(l->local) > wl ? strlen(l->local) : wl;
		wf = strlen(l->foreign) > wf ? strlen(l->foreign) : wf;
	}
	if (host)
		fprintf(out, "Active TCP connections of %s at %s\n", host, at_iso);
	else
		fprintf(out, "Active TCP connections at %s\n", at_iso);
	fprintf(out, "%-*s  %-*s  %-*s  %s\n", (int)wp, "Proto", (int)wl, "Local Address",
	    (int)wf, "Foreign Address", "State");
	for (size_t i = 0; i < ls->n; i++)
		fprintf(out, "%-*s  %-*s  %-*s  %s\n", (int)wp, ls->v[i].proto, (int)wl, ls->v[i].local,
		    (int)wf, ls->v[i].foreign, ls->v[i].state);
	return ferror(out) ? -1 : 0;
}

static int parse_naming(const char *s, enum naming *out)
{
	for (int i = 0; i < NAMING_MAX; i++)
		if (strcmp(s ? s : "rfc", naming_names[i]) == 0) {
			*out = (enum naming)i;
			return 0;
		}
	return -1;
}

int report_netstat(const char *db_path, const char *at_time, const char *host,
                   const char *naming_s, FILE *out)
{
	char want[INET6_ADDRSTRLEN], iso[40];
	struct lines ls = { NULL, 0, 0 };
	enum naming naming;
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t at;
	int rc;

	if (timefmt_parse(at_time, &at) < 0) {
		fprintf(stderr, "pcapstate: --at %s: not a time (ISO 8601 like 2026-11-23T10:15:00.25Z, or epoch seconds)\n",
		    at_time ? at_time : "");
		return 2;
	}
	if (parse_naming(naming_s, &naming) < 0) {
		fprintf(stderr, "pcapstate: --naming %s: expected rfc, linux, bsd, windows or solaris\n", naming_s);
		return 2;
	}
	if (host && canonical_addr(host, want) == 0) {
		fprintf(stderr, "pcapstate: --host %s: not an IPv4 or IPv6 address\n", host);
		return 2;
	}
	if ((rc = reportdb_open(db_path, &db)) != 0)
		return rc;
	if ((rc = reportdb_prepare(db, db_path, netstat_sql, &st)) != 0) {
		sqlite3_close(db);
		return rc;
	}
	sqlite3_bind_int64(st, 1, at);
	int step, oom = 0;
	while (!oom && (step = sqlite3_step(st)) == SQLITE_ROW) {
		int v6 = sqlite3_column_int(st, 0) == 6;
		int op = sqlite3_column_int(st, 2), rp = sqlite3_column_int(st, 4);
		char oa[INET6_ADDRSTRLEN], ra[INET6_ADDRSTRLEN];

		/* Compare canonical forms so "2001:DB8::1" finds "2001:db8::1". */
		if (canonical_addr(reportdb_text(st, 1), oa) == 0)
			snprintf(oa, sizeof oa, "%s", reportdb_text(st, 1));
		if (canonical_addr(reportdb_text(st, 3), ra) == 0)
			snprintf(ra, sizeof ra, "%s", reportdb_text(st, 3));
		if (!host || strcmp(oa, want) == 0)
			oom |= add_endpoint(&ls, v6, oa, op, ra, rp, reportdb_text(st, 5), naming);
		if (!host || strcmp(ra, want) == 0)
			oom |= add_endpoint(&ls, v6, ra, rp, oa, op, reportdb_text(st, 6), naming);
	}
	if (oom) {
		fprintf(stderr, "pcapstate: netstat: out of memory\n");
		rc = 4;
	} else if (step != SQLITE_DONE) {
		rc = reportdb_fail(db, db_path, "reading the case database");
	} else {
		timefmt_iso(at, iso);
		if (print_lines(out, &ls, iso, host ? want : NULL) != 0) {
			fprintf(stderr, "pcapstate: netstat: write failed\n");
			rc = 4;
		}
	}
	free(ls.v);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}
