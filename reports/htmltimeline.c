/* htmltimeline.c - the case timeline: one SVG row per connection, each endpoint's states as coloured spans on a shared time axis. */
#include "html.h"

#include <string.h>

#include "report.h"
#include "reportdb.h"

/* Geometry in SVG user units; the figure scales down to the page width. */
#define W 1240.0
#define LABEL_W 404.0      /* uid and endpoints; clipped, the full text is in the tooltip */
#define X0 (LABEL_W + 10)
#define X1 (W - 16)
#define TOP 46.0           /* room for the date and time rows of the axis */
#define ROW 22.0
#define LANE 7.0           /* orig lane at +3, resp lane at +11 */

/* Each endpoint's last state is drawn up to the flow's horizon. */
static const char flows_sql[] =
	"SELECT f.id, f.uid, f.ip_version, f.orig_addr, f.orig_port, f.resp_addr, f.resp_port, f.first_ts, "
	REPORTDB_HORIZON_SQL " FROM flows f ORDER BY f.first_ts, f.id LIMIT ?1";

static const char trans_sql[] =
	"SELECT endpoint, ts, from_state, to_state FROM transitions WHERE flow_id = ?1"
	" ORDER BY endpoint, ts, id";

static const char anom_sql[] =
	"SELECT ts, kind, endpoint FROM anomalies WHERE flow_id = ?1 ORDER BY ts, id";

struct scale {
	int64_t t0, t1;
};

static double xof(const struct scale *sc, int64_t t)
{
	double span = sc->t1 > sc->t0 ? (double)(sc->t1 - sc->t0) : 1.0;
	double x = X0 + (X1 - X0) * (double)(t - sc->t0) / span;
	return x < X0 ? X0 : x > X1 ? X1 : x;
}

static void span(FILE *f, const struct scale *sc, double y, const char *ep, const char *state,
                 int64_t from, int64_t to)
{
	char iso[40], dur[32];
	double x = xof(sc, from), w = xof(sc, to) - x;

	/* Passed through in an instant (the transitions table has it), or no connection at all. */
	if (to <= from || strcmp(state, "CLOSED") == 0)
		return;
	if (w < 1.0)
		w = 1.0;                 /* short but real: keep it visible */
	timefmt_iso(from, iso);
	timefmt_duration(to - from, dur);
	htmlesc_printf(f, "<rect class=\"s-%S\" x=\"%F\" y=\"%F\" width=\"%F\" height=\"%F\">"
	    "<title>%s %s for %s from %s</title></rect>", htmlstate_class(state), x, y, w, LANE,
	    ep, state, dur, iso);
}

/* The top of an endpoint's lane in the row at y: originator above, responder below. */
static double lane_y(double y, const char *ep)
{
	return y + (strcmp(ep, "orig") == 0 ? 3.0 : 11.0);
}

/* Draws both lanes of one flow from its transitions (ordered by endpoint, then time). */
static int lanes(FILE *f, sqlite3_stmt *tr, const struct scale *sc, double y,
                 int64_t first, int64_t horizon)
{
	char ep[8] = "", state[24] = "";
	int64_t since = first;
	int rc;

	while ((rc = sqlite3_step(tr)) == SQLITE_ROW) {
		const char *e = reportdb_text(tr, 0);
		int64_t ts = sqlite3_column_int64(tr, 1);

		if (strcmp(ep, e) != 0) {
			if (ep[0])               /* close the previous endpoint's last state */
				span(f, sc, lane_y(y, ep), ep, state, since, horizon);
			snprintf(ep, sizeof ep, "%s", e);
			snprintf(state, sizeof state, "%s", reportdb_text(tr, 2));
			since = first;
		}
		span(f, sc, lane_y(y, ep), ep, state, since, ts);
		snprintf(state, sizeof state, "%s", reportdb_text(tr, 3));
		since = ts;
	}
	if (ep[0])
		span(f, sc, lane_y(y, ep), ep, state, since, horizon);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int markers(FILE *f, sqlite3_stmt *an, const struct scale *sc, double y)
{
	char iso[40];
	int rc;

	while ((rc = sqlite3_step(an)) == SQLITE_ROW) {
		double x = xof(sc, sqlite3_column_int64(an, 0));
		const char *ep = reportdb_text(an, 2);
		double my = y + (strcmp(ep, "orig") == 0 ? 2.0 : strcmp(ep, "resp") == 0 ? 10.0 : 6.0);

		timefmt_iso(sqlite3_column_int64(an, 0), iso);
		htmlesc_printf(f, "<path class=\"amark\" d=\"M%F,%F l4,-6 h-8 z\"><title>%s %s at %s</title></path>",
		    x, my + 4, reportdb_text(an, 1), ep[0] ? ep : "flow", iso);
	}
	return rc == SQLITE_DONE ? 0 : -1;
}

static void flow_pair(FILE *f, sqlite3_stmt *fl)
{
	int v6 = sqlite3_column_int(fl, 2) == 6;

	htmlesc_endpoint(f, reportdb_text(fl, 3), sqlite3_column_int(fl, 4), v6);
	fputs(" \xe2\x86\x92 ", f);
	htmlesc_endpoint(f, reportdb_text(fl, 5), sqlite3_column_int(fl, 6), v6);
}

int htmltimeline_write(FILE *f, sqlite3 *db, const char *db_path, long max_rows)
{
	/* The axis spans the drawn flows only, so a capped timeline is not squeezed into a corner. */
	static const char range_sql[] =
		"SELECT count(*), min(first_ts), max(horizon) FROM (SELECT f.first_ts, " REPORTDB_HORIZON_SQL " AS horizon"
		" FROM flows f ORDER BY f.first_ts, f.id LIMIT ?1)";
	sqlite3_stmt *fl = NULL, *tr = NULL, *an = NULL;
	struct scale sc = { 0, 0 };
	long nrows = 0;
	int rc;

	if (reportdb_prepare(db, db_path, range_sql, &fl) != 0)
		return 4;
	sqlite3_bind_int64(fl, 1, max_rows);
	if ((rc = sqlite3_step(fl)) == SQLITE_ROW) {
		nrows = (long)sqlite3_column_int64(fl, 0);
		sc.t0 = sqlite3_column_int64(fl, 1);
		sc.t1 = sqlite3_column_int64(fl, 2);
	}
	sqlite3_finalize(fl);
	if (rc != SQLITE_ROW)
		return reportdb_fail(db, db_path, "reading the case database");
	if (nrows == 0) {
		fputs("<p class=\"muted\">No connections in this case.</p>\n", f);
		return 0;
	}
	if (reportdb_prepare(db, db_path, flows_sql, &fl) || reportdb_prepare(db, db_path, trans_sql, &tr) ||
	    reportdb_prepare(db, db_path, anom_sql, &an)) {
		sqlite3_finalize(fl);
		sqlite3_finalize(tr);
		return 4;
	}
	double h = TOP + ROW * (double)nrows + 8;
	htmlesc_printf(f, "<div class=\"wrap\"><svg class=\"fig timeline\" viewBox=\"0 0 %F %F\" width=\"%F\" height=\"%F\" "
	    "role=\"img\" aria-label=\"State timeline of %D connections\">\n", W, h, W, h, (long long)nrows);
	htmlesc_printf(f, "<clipPath id=\"tl-clip\"><rect x=\"0\" y=\"0\" width=\"%F\" height=\"%F\"/></clipPath>\n",
	    LABEL_W, h);
	for (long i = 0; i < nrows; i += 2)   /* zebra bands guide the eye from label to spans */
		htmlesc_printf(f, "<rect class=\"band\" x=\"0\" y=\"%F\" width=\"%F\" height=\"%F\"/>",
		    TOP + ROW * (double)i, W, ROW);
	htmlaxis_time(f, X0, X1, TOP, TOP + ROW * (double)nrows, sc.t0, sc.t1);
	sqlite3_bind_int64(fl, 1, max_rows);
	long row = 0;
	while ((rc = sqlite3_step(fl)) == SQLITE_ROW) {
		double y = TOP + ROW * (double)row++;
		const char *uid = reportdb_text(fl, 1);

		htmlesc_printf(f, "<g><g clip-path=\"url(#tl-clip)\"><a href=\"#f-%s\"><text class=\"tl-uid\" x=\"8\" y=\"%F\">%s</text></a>"
		    "<text class=\"tl-ep\" x=\"150\" y=\"%F\">", uid, y + 15, uid, y + 15);
		flow_pair(f, fl);
		htmlesc_printf(f, "<title>%s ", uid);
		flow_pair(f, fl);
		fputs("</title></text></g>", f);

		sqlite3_bind_int64(tr, 1, sqlite3_column_int64(fl, 0));
		sqlite3_bind_int64(an, 1, sqlite3_column_int64(fl, 0));
		if (lanes(f, tr, &sc, y, sqlite3_column_int64(fl, 7), sqlite3_column_int64(fl, 8)) != 0 ||
		    markers(f, an, &sc, y) != 0)
			break;
		sqlite3_reset(tr);
		sqlite3_reset(an);
		fputs("</g>\n", f);
	}
	htmlesc_printf(f, "<rect class=\"frame\" x=\"%F\" y=\"%F\" width=\"%F\" height=\"%F\"/>", X0, TOP, X1 - X0,
	    ROW * (double)nrows);
	fputs("</svg></div>\n", f);
	if (rc != SQLITE_DONE)
		rc = reportdb_fail(db, db_path, "reading the case database");
	else
		rc = 0;
	sqlite3_finalize(fl);
	sqlite3_finalize(tr);
	sqlite3_finalize(an);
	return rc;
}
