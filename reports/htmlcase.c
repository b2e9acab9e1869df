/* htmlcase.c - the case report page: inputs, outcomes, anomalies, timeline, state chart, top talkers, connections, occurrences. */
#include "html.h"

#include <string.h>

#include "report.h"
#include "reportdb.h"

#define TALKERS 15         /* hosts in each top-talker table */

struct casectx {
	FILE *f;
	sqlite3 *db;
	const char *path;
	long max_rows;
	int64_t t0, t1;        /* the case's time range: inputs, flows and transitions */
	int has_range;         /* 0 for a case without a single packet */
	long long inputs, packets, flows, transitions, anomalies, damaged;
};

/* Zeek's conn_state vocabulary (scripts/base/protocols/conn/main.zeek), shown beside the codes. */
static const struct {
	const char *code, *meaning;
} conn_states[] = {
	{ "S0", "attempt seen, no reply" },
	{ "S1", "established, not terminated" },
	{ "SF", "normal establishment and termination" },
	{ "REJ", "attempt rejected" },
	{ "S2", "established, close attempt by originator seen (no reply from responder)" },
	{ "S3", "established, close attempt by responder seen (no reply from originator)" },
	{ "RSTO", "established, originator aborted (sent a RST)" },
	{ "RSTR", "responder sent a RST" },
	{ "RSTOS0", "originator sent a SYN then a RST, never saw a SYN-ACK" },
	{ "RSTRH", "responder sent a SYN-ACK then a RST, never saw a SYN" },
	{ "SH", "originator sent a SYN then a FIN, never saw a SYN-ACK (half open)" },
	{ "SHR", "responder sent a SYN-ACK then a FIN, never saw a SYN" },
	{ "OTH", "no SYN seen, just midstream traffic" },
};

const char *htmlcase_conn_state_meaning(const char *code)
{
	for (size_t i = 0; i < sizeof conn_states / sizeof conn_states[0]; i++)
		if (strcmp(conn_states[i].code, code) == 0)
			return conn_states[i].meaning;
	return "";
}

/* Returns a value from a closed vocabulary (safe in a class name), or "other". */
static const char *pick(const char *v, const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (strcmp(v, *allowed) == 0)
			return *allowed;
	return "other";
}

static const char *const statuses[] = { "complete", "truncated", "error", "running", NULL };

/* Finalizes st; returns 0 if the steps ended cleanly (rc == SQLITE_DONE), else 4 with a message. */
static int finish(struct casectx *c, sqlite3_stmt *st, int rc)
{
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : reportdb_fail(c->db, c->path, "reading the case database");
}

/* A horizontal bar, value/max of 100 units, for the count tables. */
static void bar_cell(FILE *f, long long v, long long max)
{
	double w = max > 0 ? 100.0 * (double)v / (double)max : 0;
	htmlesc_printf(f, "<td data-v=\"%D\"><svg class=\"bar\" width=\"100\" height=\"10\" aria-hidden=\"true\">"
	    "<rect class=\"barbg\" width=\"100\" height=\"10\" rx=\"2\"/><rect class=\"barfg\" width=\"%F\" height=\"10\" rx=\"2\"/>"
	    "</svg></td>", v, w < 1 && v > 0 ? 1.0 : w);
}

static void flow_link(FILE *f, const char *uid, int listed)
{
	if (listed)
		htmlesc_printf(f, "<a class=\"mono\" href=\"#f-%s\">%s</a>", uid, uid);
	else
		htmlesc_printf(f, "<span class=\"mono\" title=\"beyond the row cap: see the database or the CSV\">%s</span>", uid);
}

static void cap_note(struct casectx *c, long long total, const char *what, const char *table)
{
	if (total <= c->max_rows)
		return;
	htmlesc_printf(c->f, "<p class=\"note warn\">Showing the first %D of %D %S (--max-rows %D). "
	    "The other %D are in the case database (table <code>%S</code>) and in the CSV export "
	    "(<code>pcapstate report --csv DIR</code>).</p>\n", (long long)c->max_rows, total, what,
	    (long long)c->max_rows, total - c->max_rows, table);
}

static int load_summary(struct casectx *c)
{
	static const char sql[] =
		"SELECT (SELECT count(*) FROM inputs), (SELECT coalesce(sum(packets), 0) FROM inputs),"
		" (SELECT count(*) FROM flows), (SELECT count(*) FROM transitions), (SELECT count(*) FROM anomalies),"
		" (SELECT count(*) FROM inputs WHERE status <> 'complete'),"
		/* an input without packets may hold 0 for its times: that is not a time */
		" (SELECT min(t) FROM (SELECT min(nullif(first_ts, 0)) AS t FROM inputs"
		"   UNION ALL SELECT min(first_ts) FROM flows UNION ALL SELECT min(ts) FROM transitions)),"
		" (SELECT max(t) FROM (SELECT max(nullif(last_ts, 0)) AS t FROM inputs"
		"   UNION ALL SELECT max(last_ts) FROM flows UNION ALL SELECT max(ts) FROM transitions))";
	sqlite3_stmt *st;
	int rc;

	if (reportdb_prepare(c->db, c->path, sql, &st) != 0)
		return 4;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		c->inputs = sqlite3_column_int64(st, 0);
		c->packets = sqlite3_column_int64(st, 1);
		c->flows = sqlite3_column_int64(st, 2);
		c->transitions = sqlite3_column_int64(st, 3);
		c->anomalies = sqlite3_column_int64(st, 4);
		c->damaged = sqlite3_column_int64(st, 5);
		c->has_range = sqlite3_column_type(st, 6) != SQLITE_NULL;
		c->t0 = sqlite3_column_int64(st, 6);
		c->t1 = sqlite3_column_int64(st, 7);
		rc = SQLITE_DONE;
	}
	return finish(c, st, rc);
}

static void header(struct casectx *c)
{
	FILE *f = c->f;
	char a[40], b[40], dur[32];

	timefmt_iso(c->t0, a);
	timefmt_iso(c->t1, b);
	timefmt_duration(c->t1 - c->t0, dur);
	htmlesc_printf(f, "<header class=\"top\"><h1>pcapstate case report</h1><div class=\"sub\">%s</div>", c->path);
	if (c->has_range)
		htmlesc_printf(f, "<div class=\"sub\">%S &rarr; %S (%S)</div>\n", a, b, dur);
	else
		fputs("<div class=\"sub\">no packets in this case</div>\n", f);
	fputs("<div class=\"kpis\">", f);
	htmlesc_printf(f, "<div class=\"kpi\"><b>%D</b><span>inputs</span></div>", c->inputs);
	fputs("<div class=\"kpi\"><b>", f);
	htmlesc_count(f, c->packets);
	fputs("</b><span>packets</span></div><div class=\"kpi\"><b>", f);
	htmlesc_count(f, c->flows);
	fputs("</b><span>TCP connections</span></div><div class=\"kpi\"><b>", f);
	htmlesc_count(f, c->transitions);
	fputs("</b><span>state transitions</span></div>", f);
	htmlesc_printf(f, "<div class=\"kpi%S\"><b>", c->anomalies ? " alert" : "");
	htmlesc_count(f, c->anomalies);
	fputs("</b><span>anomalies</span></div>", f);
	if (c->damaged)
		htmlesc_printf(f, "<div class=\"kpi alert\"><b>%D</b><span>damaged inputs</span></div>", c->damaged);
	fputs("</div></header>\n<nav class=\"toc\"><a href=\"#inputs\">Inputs</a><a href=\"#outcome\">Outcome</a>"
	      "<a href=\"#anomalies\">Anomalies</a><a href=\"#timeline\">Timeline</a><a href=\"#states\">States over time</a>"
	      "<a href=\"#talkers\">Top talkers</a><a href=\"#flows\">Connections</a>"
	      "<a href=\"#occurrences\">Anomaly occurrences</a></nav>\n<main>\n", f);
}

static int sec_inputs(struct casectx *c)
{
	FILE *f = c->f;
	sqlite3_stmt *st;
	int rc;

	if (reportdb_prepare(c->db, c->path, "SELECT id, path, size, sha256, format, compression, link_type, snaplen,"
	    " first_ts, last_ts, packets, tcp_packets, status, error FROM inputs ORDER BY id LIMIT ?1", &st) != 0)
		return 4;
	sqlite3_bind_int64(st, 1, c->max_rows);
	fputs("<section id=\"inputs\"><h2>Inputs</h2><p class=\"lead\">The capture files read into this case, in the order "
	      "they were analysed, with the SHA-256 of their bytes as stored. A status other than complete means the file "
	      "is damaged: the error says where.</p>\n<div class=\"wrap\"><table class=\"sortable\"><thead><tr>"
	      "<th class=\"n\">#</th><th>File and SHA-256</th><th>Format</th><th>First packet</th><th>Last packet</th>"
	      "<th class=\"n\">Packets</th><th class=\"n\">TCP</th><th class=\"n\">Bytes</th><th>Status</th></tr></thead><tbody>\n", f);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *status = reportdb_text(st, 12);
		htmlesc_printf(f, "<tr><td class=\"n\" data-v=\"%D\">%D</td><td><div class=\"mono\">%s</div><div class=\"hash\">%s</div></td>",
		    (long long)sqlite3_column_int64(st, 0), (long long)sqlite3_column_int64(st, 0),
		    reportdb_text(st, 1), reportdb_text(st, 3));
		htmlesc_printf(f, "<td>%s", sqlite3_column_type(st, 4) == SQLITE_NULL ? "unknown" : reportdb_text(st, 4));
		if (sqlite3_column_type(st, 5) != SQLITE_NULL)
			htmlesc_printf(f, ", %s", strcmp(reportdb_text(st, 5), "none") == 0 ? "uncompressed" : reportdb_text(st, 5));
		fputs("<div class=\"muted nw\">", f);
		if (sqlite3_column_type(st, 6) != SQLITE_NULL)
			htmlesc_printf(f, "link %d", sqlite3_column_int(st, 6));
		if (sqlite3_column_type(st, 7) != SQLITE_NULL)
			htmlesc_printf(f, ", snap %d", sqlite3_column_int(st, 7));
		fputs("</div></td>", f);
		htmlcell_time(f, st, 8);
		htmlcell_time(f, st, 9);
		htmlcell_count(f, sqlite3_column_int64(st, 10));
		htmlcell_count(f, sqlite3_column_int64(st, 11));
		if (sqlite3_column_type(st, 2) == SQLITE_NULL)
			fputs("<td class=\"n\" data-v=\"-1\"></td>", f);
		else
			htmlcell_count(f, sqlite3_column_int64(st, 2));
		htmlesc_printf(f, "<td><span class=\"status status-%S\">%s</span>", pick(status, statuses), status);
		if (sqlite3_column_type(st, 13) != SQLITE_NULL)
			htmlesc_printf(f, "<div class=\"damage detail\">%s</div>", reportdb_text(st, 13));
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table></div>\n", f);
	cap_note(c, c->inputs, "inputs", "inputs");
	fputs("</section>\n", f);
	return finish(c, st, rc);
}

static int sec_outcome(struct casectx *c)
{
	FILE *f = c->f;
	sqlite3_stmt *st;
	int rc;

	if (reportdb_prepare(c->db, c->path, "SELECT orig_state, resp_state, count(*) FROM flows"
	    " GROUP BY orig_state, resp_state ORDER BY count(*) DESC, orig_state, resp_state", &st) != 0)
		return 4;
	fputs("<section id=\"outcome\"><h2>Outcome of the connections</h2><p class=\"lead\">How the connections ended: "
	      "the final state of each endpoint (originator, responder) as the capture last showed it, and Zeek's "
	      "<code>conn_state</code> summary of the same.</p>\n<div class=\"grid2\"><div><h3>Final states</h3>"
	      "<table class=\"sortable\"><thead><tr><th>Originator</th><th>Responder</th><th class=\"n\">Connections</th>"
	      "<th>Share</th></tr></thead><tbody>\n", f);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fputs("<tr><td>", f);
		htmlstate_chip(f, reportdb_text(st, 0));
		fputs("</td><td>", f);
		htmlstate_chip(f, reportdb_text(st, 1));
		fputs("</td>", f);
		htmlcell_count(f, sqlite3_column_int64(st, 2));
		bar_cell(f, sqlite3_column_int64(st, 2), c->flows);
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table></div>\n", f);
	if ((rc = finish(c, st, rc)) != 0)
		return rc;

	if (reportdb_prepare(c->db, c->path, "SELECT conn_state, count(*) FROM flows GROUP BY conn_state"
	    " ORDER BY count(*) DESC, conn_state", &st) != 0)
		return 4;
	fputs("<div><h3>Zeek conn_state</h3><table class=\"sortable\"><thead><tr><th>Code</th><th>Meaning</th>"
	      "<th class=\"n\">Connections</th><th>Share</th></tr></thead><tbody>\n", f);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		htmlesc_printf(f, "<tr><td class=\"mono\"><b>%s</b></td><td>%S</td>", reportdb_text(st, 0),
		    htmlcase_conn_state_meaning(reportdb_text(st, 0)));
		htmlcell_count(f, sqlite3_column_int64(st, 1));
		bar_cell(f, sqlite3_column_int64(st, 1), c->flows);
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table></div></div></section>\n", f);
	return finish(c, st, rc);
}

/* The occurrences of one kind, each linked to its connection's row when that row is listed. */
static int kind_detail(struct casectx *c, sqlite3_stmt *st, const char *kind, long long total)
{
	FILE *f = c->f;
	int rc;

	sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, c->max_rows);
	/* <details open>: shown in full without JS, yet a long list can be folded away by hand. */
	htmlesc_printf(f, "<details class=\"kind\" id=\"k-%s\" open><summary><h3><span class=\"mono\">%s</span> "
	    "<span class=\"muted\">(%D)</span></h3></summary>\n<div class=\"wrap\"><table class=\"sortable\"><thead><tr><th>Time (UTC)</th><th>Connection or host</th>"
	    "<th>Endpoint</th><th class=\"n\">Input</th><th class=\"n\">Frame</th><th>Detail</th></tr></thead><tbody>\n",
	    kind, kind, total);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fputs("<tr>", f);
		htmlcell_time(f, st, 0);
		fputs("<td>", f);
		if (sqlite3_column_type(st, 6) != SQLITE_NULL) {
			flow_link(f, reportdb_text(st, 6), sqlite3_column_int(st, 12));
			fputs(" <span class=\"muted\">", f);
			htmlesc_endpoint(f, reportdb_text(st, 7), sqlite3_column_int(st, 8), sqlite3_column_int(st, 11) == 6);
			fputs(" &rarr; ", f);
			htmlesc_endpoint(f, reportdb_text(st, 9), sqlite3_column_int(st, 10), sqlite3_column_int(st, 11) == 6);
			fputs("</span>", f);
		} else if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
			htmlesc_printf(f, "host <span class=\"mono\">%s</span>", reportdb_text(st, 2));
		} else {
			fputs("<span class=\"muted\">capture</span>", f);
		}
		htmlesc_printf(f, "</td><td>%s</td>", reportdb_text(st, 1));
		htmlcell_id(f, st, 3);
		htmlcell_id(f, st, 4);
		htmlesc_printf(f, "<td class=\"detail\">%s</td></tr>\n", reportdb_text(st, 5));
	}
	fputs("</tbody></table></div>\n", f);
	if (total > c->max_rows)
		htmlesc_printf(f, "<p class=\"note warn\">Showing the first %D of %D occurrences (--max-rows). The rest are in "
		    "the case database (table <code>anomalies</code>) and in <code>anomalies.csv</code>.</p>\n",
		    (long long)c->max_rows, total);
	fputs("</details>\n", f);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Kinds worst first, then by how often they occurred. */
static const char kinds_sql[] =
	"SELECT a.kind, coalesce(k.severity, max(a.severity)), coalesce(k.description, ''), count(*),"
	" count(DISTINCT a.flow_id), count(DISTINCT a.host)"
	" FROM anomalies a LEFT JOIN anomaly_kinds k ON k.kind = a.kind GROUP BY a.kind"
	" ORDER BY CASE coalesce(k.severity, max(a.severity)) WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,"
	" count(*) DESC, a.kind";

static int sec_anomalies(struct casectx *c)
{
	FILE *f = c->f;
	sqlite3_stmt *st;
	int rc;

	fputs("<section id=\"anomalies\"><h2>Anomalies</h2><p class=\"lead\">Findings of the detectors by kind, worst first. "
	      "Each kind links to its occurrences, listed with the connection they hit or the host they are about at the "
	      "end of the page.</p>\n", f);
	if (c->anomalies == 0) {
		fputs("<p class=\"muted\">No anomalies were found.</p></section>\n", f);
		return 0;
	}
	if (reportdb_prepare(c->db, c->path, kinds_sql, &st) != 0)
		return 4;
	fputs("<table class=\"sortable\"><thead><tr><th>Kind</th><th>Severity</th><th>Meaning</th><th class=\"n\">Occurrences</th>"
	      "<th class=\"n\">Connections</th><th class=\"n\">Hosts</th></tr></thead><tbody>\n", f);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		htmlesc_printf(f, "<tr><td><a class=\"mono\" href=\"#k-%s\">%s</a></td>", reportdb_text(st, 0),
		    reportdb_text(st, 0));
		htmlcell_severity(f, reportdb_text(st, 1));
		htmlesc_printf(f, "<td>%s</td>", reportdb_text(st, 2));
		htmlcell_count(f, sqlite3_column_int64(st, 3));
		htmlcell_count(f, sqlite3_column_int64(st, 4));
		htmlcell_count(f, sqlite3_column_int64(st, 5));
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table></section>\n", f);
	return finish(c, st, rc);
}

/* The occurrences of every kind; last on the page because a flood makes these lists long. */
static int sec_occurrences(struct casectx *c)
{
	/* The listed connections are the first max_rows by first packet, as in the Connections table. */
	static const char occ_sql[] =
		"SELECT a.ts, a.endpoint, a.host, a.input_id, a.frame, a.detail,"
		" f.uid, f.orig_addr, f.orig_port, f.resp_addr, f.resp_port, f.ip_version,"
		" f.id IN (SELECT id FROM flows ORDER BY first_ts, id LIMIT ?2)"
		" FROM anomalies a LEFT JOIN flows f ON f.id = a.flow_id"
		" WHERE a.kind = ?1 ORDER BY a.ts, a.id LIMIT ?2";
	FILE *f = c->f;
	sqlite3_stmt *st, *occ;
	int rc;

	fputs("<section id=\"occurrences\"><h2>Anomaly occurrences</h2><p class=\"lead\">Every finding by kind, in time "
	      "order, with the connection it hit (linked to its row above) or the host it is about.</p>\n", f);
	if (c->anomalies == 0) {
		fputs("<p class=\"muted\">No anomalies were found.</p></section>\n", f);
		return 0;
	}
	if (reportdb_prepare(c->db, c->path, kinds_sql, &st) != 0)
		return 4;
	if (reportdb_prepare(c->db, c->path, occ_sql, &occ) != 0) {
		sqlite3_finalize(st);
		return 4;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (kind_detail(c, occ, reportdb_text(st, 0), sqlite3_column_int64(st, 3)) != 0) {
			rc = SQLITE_ERROR;
			break;
		}
	sqlite3_finalize(occ);
	fputs("</section>\n", f);
	return finish(c, st, rc);
}

static int sec_timeline(struct casectx *c)
{
	FILE *f = c->f;

	fputs("<section id=\"timeline\"><h2>Timeline</h2><p class=\"lead\">One row per connection, in order of first packet. "
	      "The upper lane of a row is the originator, the lower lane the responder; each span is the state the endpoint "
	      "was in. A red mark is an anomaly. Hover a span for its state, start and duration; the UID links to the "
	      "connection's row.</p>\n", f);
	htmlstate_legend(f);
	if (htmltimeline_write(f, c->db, c->path, c->max_rows) != 0)
		return 4;
	cap_note(c, c->flows, "connections", "flows");
	fputs("</section>\n", f);
	return 0;
}

static int sec_chart(struct casectx *c)
{
	FILE *f = c->f;

	fputs("<section id=\"states\"><h2>States over time</h2><p class=\"lead\">How many endpoints were in each state, over every "
	      "connection in the case (the row cap does not apply). Each step shows the highest count reached in its time "
	      "slice. <b>SYN_RECEIVED</b> and <b>TIME_WAIT</b> are drawn thick: a SYN_RECEIVED mountain is what a SYN flood "
	      "looks like, a TIME_WAIT one a pile-up of closed connections.</p>\n", f);
	if (htmlchart_write(f, c->db, c->path, c->t0, c->t1) != 0)
		return 4;
	fputs("</section>\n", f);
	return 0;
}

static int talkers_table(struct casectx *c, const char *title, const char *order, int bar_col)
{
	static const char sql[] =
		"WITH ends(host, orig, sent, rcvd) AS ("
		"  SELECT orig_addr, 1, orig_bytes, resp_bytes FROM flows"
		"  UNION ALL SELECT resp_addr, 0, resp_bytes, orig_bytes FROM flows)"
		" SELECT host, count(*), sum(orig), count(*) - sum(orig), sum(sent), sum(rcvd), sum(sent) + sum(rcvd)"
		" FROM ends GROUP BY host ORDER BY %s DESC, host LIMIT %d";
	char q[512];
	FILE *f = c->f;
	sqlite3_stmt *st;
	long long top = -1;
	int rc;

	/* order is one of two constant column numbers from the caller, never user input. */
	snprintf(q, sizeof q, sql, order, TALKERS);
	if (reportdb_prepare(c->db, c->path, q, &st) != 0)
		return 4;
	htmlesc_printf(f, "<div class=\"wrap\"><h3>%S</h3><table class=\"sortable\"><thead><tr><th>Host</th>"
	    "<th class=\"n\">Conns</th><th class=\"n\">Orig / resp</th><th class=\"n\">Bytes sent</th>"
	    "<th class=\"n\">Bytes recv</th><th>%S</th></tr></thead><tbody>\n", title, bar_col == 1 ? "Conns" : "Bytes");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (top < 0)
			top = sqlite3_column_int64(st, bar_col);
		htmlesc_printf(f, "<tr><td class=\"mono\">%s</td>", reportdb_text(st, 0));
		htmlcell_count(f, sqlite3_column_int64(st, 1));
		htmlesc_printf(f, "<td class=\"n\" data-v=\"%D\">%D / %D</td>", (long long)sqlite3_column_int64(st, 2),
		    (long long)sqlite3_column_int64(st, 2), (long long)sqlite3_column_int64(st, 3));
		htmlcell_count(f, sqlite3_column_int64(st, 4));
		htmlcell_count(f, sqlite3_column_int64(st, 5));
		bar_cell(f, sqlite3_column_int64(st, bar_col), top);
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table></div>\n", f);
	return finish(c, st, rc);
}

static int sec_talkers(struct casectx *c)
{
	fputs("<section id=\"talkers\"><h2>Top talkers</h2><p class=\"lead\">Hosts by the number of connections they took part "
	      "in, and by the bytes of TCP payload they sent and received.</p>\n<div class=\"grid2\">", c->f);
	if (talkers_table(c, "By connections", "2", 1) != 0 || talkers_table(c, "By bytes", "7", 6) != 0)
		return 4;
	fputs("</div></section>\n", c->f);
	return 0;
}

static int sec_flows(struct casectx *c)
{
	static const char sql[] =
		"SELECT f.uid, f.ip_version, f.orig_addr, f.orig_port, f.resp_addr, f.resp_port, f.first_ts, f.last_ts,"
		" f.orig_pkts, f.resp_pkts, f.orig_bytes, f.resp_bytes, f.orig_state, f.resp_state, f.conn_state, f.history,"
		" f.midstream,"
		" (SELECT group_concat(kind, ' ') FROM (SELECT DISTINCT kind FROM anomalies a WHERE a.flow_id = f.id ORDER BY kind))"
		" FROM flows f ORDER BY f.first_ts, f.id LIMIT ?1";
	FILE *f = c->f;
	sqlite3_stmt *st;
	int rc;
	char dur[32];

	if (reportdb_prepare(c->db, c->path, sql, &st) != 0)
		return 4;
	sqlite3_bind_int64(st, 1, c->max_rows);
	fputs("<section id=\"flows\"><h2>Connections</h2><p class=\"lead\">Every connection with its final states, in order of "
	      "first packet. Packets and bytes are originator / responder. For one connection's full history, run "
	      "<code>pcapstate report --flow UID --html FILE</code>.</p>\n<div class=\"wrap\"><table class=\"sortable\"><thead><tr>"
	      "<th>UID</th><th>Originator &rarr; responder</th><th>First packet (UTC)</th><th class=\"n\">Duration</th>"
	      "<th class=\"n\">Packets</th><th class=\"n\">Bytes</th><th>Final states</th><th>conn_state</th>"
	      "<th>Anomalies</th></tr></thead><tbody>\n", f);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int v6 = sqlite3_column_int(st, 1) == 6;
		int64_t d = sqlite3_column_int64(st, 7) - sqlite3_column_int64(st, 6);
		htmlesc_printf(f, "<tr id=\"f-%s\"><td class=\"mono\">%s%S</td><td class=\"mono\">", reportdb_text(st, 0),
		    reportdb_text(st, 0), sqlite3_column_int(st, 16) ? " <span class=\"muted\" title=\"picked up mid-stream\">(mid)</span>" : "");
		htmlesc_endpoint(f, reportdb_text(st, 2), sqlite3_column_int(st, 3), v6);
		fputs("<br>&rarr; ", f);
		htmlesc_endpoint(f, reportdb_text(st, 4), sqlite3_column_int(st, 5), v6);
		fputs("</td>", f);
		htmlcell_time(f, st, 6);
		timefmt_duration(d, dur);
		htmlesc_printf(f, "<td class=\"n\" data-v=\"%D\">%S</td>", (long long)d, dur);
		htmlesc_printf(f, "<td class=\"n\" data-v=\"%D\">%D / %D</td>",
		    (long long)(sqlite3_column_int64(st, 8) + sqlite3_column_int64(st, 9)),
		    (long long)sqlite3_column_int64(st, 8), (long long)sqlite3_column_int64(st, 9));
		htmlesc_printf(f, "<td class=\"n\" data-v=\"%D\">", (long long)(sqlite3_column_int64(st, 10) + sqlite3_column_int64(st, 11)));
		htmlesc_count(f, sqlite3_column_int64(st, 10));
		fputs(" / ", f);
		htmlesc_count(f, sqlite3_column_int64(st, 11));
		fputs("</td><td class=\"pair\">", f);
		htmlstate_chip(f, reportdb_text(st, 12));
		fputs("<span class=\"sep\">:</span>", f);
		htmlstate_chip(f, reportdb_text(st, 13));
		htmlesc_printf(f, "</td><td class=\"mono\">%s<br><span class=\"muted\" title=\"history\">%s</span></td><td class=\"kinds\">",
		    reportdb_text(st, 14),
		    reportdb_text(st, 15));
		/* Kinds are space-separated catalogue names; link each to its list above. */
		const char *k = reportdb_text(st, 17);
		while (*k) {
			size_t n = strcspn(k, " ");
			char kind[64];
			snprintf(kind, sizeof kind, "%.*s", (int)n, k);
			htmlesc_printf(f, "<a class=\"mono\" href=\"#k-%s\">%s</a>", kind, kind);
			k += n + (k[n] == ' ');
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table></div>\n", f);
	cap_note(c, c->flows, "connections", "flows");
	fputs("</section>\n", f);
	return finish(c, st, rc);
}

int htmlcase_write(FILE *f, sqlite3 *db, const char *db_path, long max_rows)
{
	struct casectx c = { .f = f, .db = db, .path = db_path, .max_rows = max_rows };
	int rc;

	if ((rc = load_summary(&c)) != 0)
		return rc;
	if (htmlpage_begin(f, "pcapstate case report") != 0) {
		fprintf(stderr, "pcapstate: out of memory\n");
		return 4;
	}
	header(&c);
	if ((rc = sec_inputs(&c)) || (rc = sec_outcome(&c)) || (rc = sec_anomalies(&c)) || (rc = sec_timeline(&c)) ||
	    (rc = sec_chart(&c)) || (rc = sec_talkers(&c)) || (rc = sec_flows(&c)) || (rc = sec_occurrences(&c)))
		return rc;
	htmlesc_printf(f, "</main>\n<footer>Built by pcapstate from the case database <span class=\"mono\">%s</span> alone; "
	    "the same database gives the same page. Tables and the timeline list at most %D rows each "
	    "(<code>--max-rows</code>); the complete data is in the database and in "
	    "<code>pcapstate report --csv DIR</code>. Times are UTC.</footer>\n", db_path, (long long)max_rows);
	htmlpage_end(f);
	return 0;
}
