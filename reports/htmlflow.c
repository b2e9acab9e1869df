/* htmlflow.c - the page of one connection: summary, ladder diagram, every transition with its evidence, and its anomalies. */
#include "html.h"

#include <string.h>

#include "report.h"
#include "reportdb.h"

enum {
	F_ID, F_UID, F_COMMUNITY, F_IPV, F_OADDR, F_OPORT, F_RADDR, F_RPORT, F_FIRST, F_LAST,
	F_OPKTS, F_RPKTS, F_OBYTES, F_RBYTES, F_OSTATE, F_RSTATE, F_CONN, F_HISTORY, F_MID, F_SAME_UID
};

static const char flow_sql[] =
	"SELECT id, uid, community_id, ip_version, orig_addr, orig_port, resp_addr, resp_port, first_ts, last_ts,"
	" orig_pkts, resp_pkts, orig_bytes, resp_bytes, orig_state, resp_state, conn_state, history, midstream,"
	" (SELECT count(*) FROM flows g WHERE g.uid = ?1)"
	" FROM flows WHERE uid = ?1 ORDER BY id LIMIT 1";

static int failed(sqlite3 *db, const char *path, sqlite3_stmt *st)
{
	sqlite3_finalize(st);
	return reportdb_fail(db, path, "reading the case database");
}

static void kv_time(FILE *f, const char *label, int64_t ns)
{
	char iso[40];
	timefmt_iso(ns, iso);
	htmlesc_printf(f, "<dt>%S</dt><dd class=\"mono\">%S</dd>", label, iso);
}

static void header(FILE *f, sqlite3_stmt *fl)
{
	int v6 = sqlite3_column_int(fl, F_IPV) == 6;
	char dur[32];

	timefmt_duration(sqlite3_column_int64(fl, F_LAST) - sqlite3_column_int64(fl, F_FIRST), dur);
	htmlesc_printf(f, "<header class=\"top\"><h1>Connection <span class=\"mono\">%s</span></h1><div class=\"sub mono\">",
	    reportdb_text(fl, F_UID));
	htmlesc_endpoint(f, reportdb_text(fl, F_OADDR), sqlite3_column_int(fl, F_OPORT), v6);
	fputs(" &rarr; ", f);
	htmlesc_endpoint(f, reportdb_text(fl, F_RADDR), sqlite3_column_int(fl, F_RPORT), v6);
	htmlesc_printf(f, "</div>\n<div class=\"kpis\"><div class=\"kpi\"><b>%S</b><span>duration</span></div>"
	    "<div class=\"kpi\"><b>%D / %D</b><span>packets orig / resp</span></div><div class=\"kpi\"><b>",
	    dur, (long long)sqlite3_column_int64(fl, F_OPKTS), (long long)sqlite3_column_int64(fl, F_RPKTS));
	htmlesc_count(f, sqlite3_column_int64(fl, F_OBYTES));
	fputs(" / ", f);
	htmlesc_count(f, sqlite3_column_int64(fl, F_RBYTES));
	htmlesc_printf(f, "</b><span>bytes orig / resp</span></div><div class=\"kpi\"><b class=\"mono\">%s</b><span>conn_state</span></div>"
	    "</div></header>\n<nav class=\"toc\"><a href=\"#summary\">Summary</a><a href=\"#ladder\">Ladder</a>"
	    "<a href=\"#transitions\">Transitions</a><a href=\"#anomalies\">Anomalies</a></nav>\n<main>\n",
	    reportdb_text(fl, F_CONN));
}

static int summary(FILE *f, sqlite3 *db, const char *path, sqlite3_stmt *fl)
{
	int v6 = sqlite3_column_int(fl, F_IPV) == 6;
	sqlite3_stmt *st;
	char dur[32];
	int rc;

	fputs("<section id=\"summary\"><h2>Summary</h2><dl class=\"kv\">", f);
	htmlesc_printf(f, "<dt>UID</dt><dd class=\"mono\">%s</dd><dt>Community ID</dt><dd class=\"mono\">%s</dd>",
	    reportdb_text(fl, F_UID), reportdb_text(fl, F_COMMUNITY));
	fputs("<dt>Originator</dt><dd class=\"mono\">", f);
	htmlesc_endpoint(f, reportdb_text(fl, F_OADDR), sqlite3_column_int(fl, F_OPORT), v6);
	fputs("</dd><dt>Responder</dt><dd class=\"mono\">", f);
	htmlesc_endpoint(f, reportdb_text(fl, F_RADDR), sqlite3_column_int(fl, F_RPORT), v6);
	htmlesc_printf(f, "</dd><dt>Protocol</dt><dd>TCP over IPv%d</dd>", sqlite3_column_int(fl, F_IPV));
	kv_time(f, "First packet (UTC)", sqlite3_column_int64(fl, F_FIRST));
	kv_time(f, "Last packet (UTC)", sqlite3_column_int64(fl, F_LAST));
	timefmt_duration(sqlite3_column_int64(fl, F_LAST) - sqlite3_column_int64(fl, F_FIRST), dur);
	htmlesc_printf(f, "<dt>Duration</dt><dd>%S</dd><dt>Final states</dt><dd class=\"pair\">", dur);
	htmlstate_chip(f, reportdb_text(fl, F_OSTATE));
	fputs("<span class=\"sep\">:</span>", f);
	htmlstate_chip(f, reportdb_text(fl, F_RSTATE));
	htmlesc_printf(f, " <span class=\"muted\">originator : responder</span></dd>"
	    "<dt>conn_state</dt><dd><span class=\"mono\">%s</span> <span class=\"muted\">%S</span></dd>"
	    "<dt>History</dt><dd class=\"mono\">%s</dd><dt>Picked up mid-stream</dt><dd>%S</dd>",
	    reportdb_text(fl, F_CONN), htmlcase_conn_state_meaning(reportdb_text(fl, F_CONN)),
	    reportdb_text(fl, F_HISTORY), sqlite3_column_int(fl, F_MID) ? "yes: the handshake is not in the capture" : "no");

	if (reportdb_prepare(db, path, "SELECT id, path, sha256 FROM inputs WHERE id IN"
	    " (SELECT input_id FROM transitions WHERE flow_id = ?1 UNION SELECT input_id FROM anomalies WHERE flow_id = ?1)"
	    " ORDER BY id", &st) != 0)
		return 4;
	sqlite3_bind_int64(st, 1, sqlite3_column_int64(fl, F_ID));
	fputs("<dt>Inputs</dt><dd>", f);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		htmlesc_printf(f, "<div><span class=\"muted\">#%D</span> <span class=\"mono\">%s</span> <span class=\"hash\">%s</span></div>",
		    (long long)sqlite3_column_int64(st, 0), reportdb_text(st, 1), reportdb_text(st, 2));
	fputs("</dd></dl>", f);
	if (sqlite3_column_int64(fl, F_SAME_UID) > 1)
		htmlesc_printf(f, "<p class=\"note warn\">%D connections share this UID; this page shows the first (lowest id).</p>",
		    (long long)sqlite3_column_int64(fl, F_SAME_UID));
	fputs("</section>\n", f);
	if (rc != SQLITE_DONE)
		return failed(db, path, st);
	sqlite3_finalize(st);
	return 0;
}

static int transitions(FILE *f, sqlite3 *db, const char *path, int64_t flow_id, int64_t first, long max_rows)
{
	sqlite3_stmt *st;
	long long total = 0;
	long n = 0;
	int rc;

	if (reportdb_prepare(db, path, "SELECT ts, endpoint, input_id, frame, from_state, to_state, trigger, evidence,"
	    " count(*) OVER () FROM transitions WHERE flow_id = ?1 ORDER BY ts, id LIMIT ?2", &st) != 0)
		return 4;
	sqlite3_bind_int64(st, 1, flow_id);
	sqlite3_bind_int64(st, 2, max_rows);
	fputs("<section id=\"transitions\"><h2>Transitions</h2><p class=\"lead\">Every state change of either endpoint, in time "
	      "order. Evidence says how it is known: <i>seen</i> (the endpoint's own segment proves it), <i>inferred</i> "
	      "(from what the peer sent or acknowledged), <i>assumed</i> (mid-stream pickup), <i>timeout</i> (2&middot;MSL or "
	      "idle expiry), <i>end</i> (state held when the capture ended).</p>\n<div class=\"wrap\"><table class=\"sortable\">"
	      "<thead><tr><th class=\"n\">#</th><th>Time (UTC)</th><th class=\"n\">Since first packet</th><th>Endpoint</th>"
	      "<th class=\"n\">Input</th><th class=\"n\">Frame</th><th>From</th><th>To</th><th>Trigger</th><th>Evidence</th>"
	      "</tr></thead><tbody>\n", f);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char rel[32];
		int64_t ts = sqlite3_column_int64(st, 0);

		total = sqlite3_column_int64(st, 8);
		n++;
		timefmt_duration(ts - first, rel);
		htmlesc_printf(f, "<tr><td class=\"n\" data-v=\"%D\">%D</td>", (long long)n, (long long)n);
		htmlcell_time(f, st, 0);
		htmlesc_printf(f, "<td class=\"n\" data-v=\"%D\">+%S</td><td>%s</td>", (long long)(ts - first), rel,
		    reportdb_text(st, 1));
		htmlcell_id(f, st, 2);
		htmlcell_id(f, st, 3);
		fputs("<td>", f);
		htmlstate_chip(f, reportdb_text(st, 4));
		fputs("</td><td>", f);
		htmlstate_chip(f, reportdb_text(st, 5));
		htmlesc_printf(f, "</td><td>%s</td><td>%s</td></tr>\n", reportdb_text(st, 6), reportdb_text(st, 7));
	}
	fputs("</tbody></table></div>\n", f);
	if (total > max_rows)
		htmlesc_printf(f, "<p class=\"note warn\">Showing the first %D of %D transitions (--max-rows). All are in the case "
		    "database (table <code>transitions</code>) and in <code>transitions.csv</code>.</p>\n", (long long)max_rows, total);
	fputs("</section>\n", f);
	if (rc != SQLITE_DONE)
		return failed(db, path, st);
	sqlite3_finalize(st);
	return 0;
}

static int anomalies(FILE *f, sqlite3 *db, const char *path, int64_t flow_id, long max_rows)
{
	sqlite3_stmt *st;
	long n = 0;
	int rc;

	if (reportdb_prepare(db, path, "SELECT ts, kind, severity, endpoint, input_id, frame, detail"
	    " FROM anomalies WHERE flow_id = ?1 ORDER BY ts, id LIMIT ?2", &st) != 0)
		return 4;
	sqlite3_bind_int64(st, 1, flow_id);
	sqlite3_bind_int64(st, 2, max_rows);
	fputs("<section id=\"anomalies\"><h2>Anomalies</h2>\n", f);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ == 0)
			fputs("<div class=\"wrap\"><table class=\"sortable\"><thead><tr><th>Time (UTC)</th><th>Kind</th><th>Severity</th>"
			      "<th>Endpoint</th><th class=\"n\">Input</th><th class=\"n\">Frame</th><th>Detail</th></tr></thead><tbody>\n", f);
		fputs("<tr>", f);
		htmlcell_time(f, st, 0);
		htmlesc_printf(f, "<td class=\"mono\">%s</td>", reportdb_text(st, 1));
		htmlcell_severity(f, reportdb_text(st, 2));
		htmlesc_printf(f, "<td>%s</td>", sqlite3_column_type(st, 3) == SQLITE_NULL ? "both" : reportdb_text(st, 3));
		htmlcell_id(f, st, 4);
		htmlcell_id(f, st, 5);
		htmlesc_printf(f, "<td class=\"detail\">%s</td></tr>\n", reportdb_text(st, 6));
	}
	fputs(n ? "</tbody></table></div>\n" : "<p class=\"muted\">No anomalies on this connection.</p>\n", f);
	fputs("</section>\n", f);
	if (rc != SQLITE_DONE)
		return failed(db, path, st);
	sqlite3_finalize(st);
	return 0;
}

int htmlflow_write(FILE *f, sqlite3 *db, const char *db_path, const char *uid, long max_rows)
{
	sqlite3_stmt *fl;
	int rc;

	if (reportdb_prepare(db, db_path, flow_sql, &fl) != 0)
		return 4;
	sqlite3_bind_text(fl, 1, uid, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(fl);
	if (rc == SQLITE_DONE) {
		fprintf(stderr, "pcapstate: %s: no connection with uid %s\n", db_path, uid);
		sqlite3_finalize(fl);
		return 2;
	}
	if (rc != SQLITE_ROW)
		return failed(db, db_path, fl);

	int64_t id = sqlite3_column_int64(fl, F_ID), first = sqlite3_column_int64(fl, F_FIRST);
	char title[128];
	snprintf(title, sizeof title, "pcapstate connection %s", reportdb_text(fl, F_UID));
	if (htmlpage_begin(f, title) != 0) {
		sqlite3_finalize(fl);
		fprintf(stderr, "pcapstate: out of memory\n");
		return 4;
	}
	header(f, fl);
	if ((rc = summary(f, db, db_path, fl)) != 0) {
		sqlite3_finalize(fl);
		return rc;
	}
	fputs("<section id=\"ladder\"><h2>Ladder diagram</h2><p class=\"lead\">Time runs down. Each arrow is a segment that "
	      "changed a state, drawn from the endpoint that sent it, with its frame number and trigger above it. The state "
	      "each endpoint entered is written beside its lane, the evidence under it, and each lane is coloured by the "
	      "state the endpoint was in. A dotted mark is a change without a segment (a timer, the end of the capture). "
	      "Rows follow the order of events, not the scale of time: read the time column.</p>\n", f);
	htmlstate_legend(f);
	rc = htmlladder_write(f, db, db_path, id, max_rows);
	fputs("</section>\n", f);
	sqlite3_finalize(fl);
	if (rc || (rc = transitions(f, db, db_path, id, first, max_rows)) || (rc = anomalies(f, db, db_path, id, max_rows)))
		return rc;
	htmlesc_printf(f, "</main>\n<footer>Built by pcapstate from the case database <span class=\"mono\">%s</span> alone; "
	    "the same database gives the same page. Times are UTC.</footer>\n", db_path);
	htmlpage_end(f);
	return 0;
}
