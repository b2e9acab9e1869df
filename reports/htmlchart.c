/* htmlchart.c - how many endpoints were in each state over time, as SVG step lines; floods and pile-ups stand out. */
#include "html.h"

#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "reportdb.h"
#include "tcpstate.h"

#define W 1240.0
#define H 330.0
#define X0 64.0
#define X1 (W - 20)
#define TOP 46.0
#define BOTTOM (H - 26)
#define NBUCKETS 300       /* about 4 units each: finer than the eye, coarse enough to stay small */

/*
 * Every transition moves one endpoint from from_state to to_state. An endpoint is counted
 * from its first transition on (first = 1 there: nothing to take away from from_state, the
 * endpoint did not exist before), and stays in its last state to the end of the chart,
 * which is what the capture last knew of it. Over every flow: the row cap does not apply.
 */
static const char events_sql[] =
	"SELECT ts, from_state, to_state,"
	" row_number() OVER (PARTITION BY flow_id, endpoint ORDER BY ts, id) = 1"
	" FROM transitions ORDER BY ts, id";

/* The states whose build-up is the story (SYN flood, TIME_WAIT pile-up) get thick lines and a fill. */
static int hot(int st)
{
	return st == ST_SYN_RECEIVED || st == ST_TIME_WAIT;
}

/* A gridline step of 1, 2 or 5 times a power of ten giving at most 5 steps up to v. */
static int64_t nice_step(int64_t v)
{
	for (int64_t p = 1;; p *= 10)
		for (int m = 1; m <= 5; m += m == 1 ? 1 : 3)
			if (v <= 5 * m * p)
				return m * p;
}

struct series {
	int64_t peak[NBUCKETS][ST_MAX];   /* the highest count reached in each bucket */
	int64_t top[ST_MAX];              /* over the whole chart */
	int64_t top_ts[ST_MAX];           /* when it was first reached */
	int top_bucket[ST_MAX];
};

static int bucket_of(int64_t t, int64_t t0, int64_t t1)
{
	double span = t1 > t0 ? (double)(t1 - t0) : 1.0;
	int b = (int)((double)(t - t0) / span * NBUCKETS);
	return b < 0 ? 0 : b >= NBUCKETS ? NBUCKETS - 1 : b;
}

/* Sweeps the transitions in time order, keeping the live counts and each bucket's peak. */
static int sweep(sqlite3_stmt *st, struct series *s, int64_t t0, int64_t t1)
{
	int64_t count[ST_MAX] = { 0 };
	int cur = 0, rc;

	memset(s, 0, sizeof *s);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int b = bucket_of(sqlite3_column_int64(st, 0), t0, t1);
		int from = reportdb_state(reportdb_text(st, 1));
		int to = reportdb_state(reportdb_text(st, 2));

		while (cur < b)              /* levels carry over the buckets without events */
			memcpy(s->peak[++cur], count, sizeof count);
		if (from >= 0 && !sqlite3_column_int(st, 3))
			count[from]--;
		if (to >= 0 && ++count[to] > s->top[to]) {
			s->top[to] = count[to];
			s->top_ts[to] = sqlite3_column_int64(st, 0);
			s->top_bucket[to] = b;
		}
		for (int k = 0; k < ST_MAX; k++)
			if (count[k] > s->peak[b][k])
				s->peak[b][k] = count[k];
	}
	while (cur < NBUCKETS - 1)
		memcpy(s->peak[++cur], count, sizeof count);
	return rc == SQLITE_DONE ? 0 : -1;
}

static double bx(int b)
{
	return X0 + (X1 - X0) * b / NBUCKETS;
}

static double vy(int64_t v, int64_t ymax)
{
	return BOTTOM - (BOTTOM - TOP) * (double)v / (double)ymax;
}

static void curve(FILE *f, const struct series *s, int st, int64_t ymax)
{
	const char *n = tcpstate_name(st);

	if (hot(st)) {               /* the area under a hot curve, faint, so its mass shows */
		htmlesc_printf(f, "<path class=\"area s-%S\" d=\"M%F,%F", n, bx(0), BOTTOM);
		for (int b = 0; b < NBUCKETS; b++)
			htmlesc_printf(f, " V%F H%F", vy(s->peak[b][st], ymax), bx(b + 1));
		htmlesc_printf(f, " V%F Z\"/>\n", BOTTOM);
	}
	htmlesc_printf(f, "<path class=\"ln s-%S%S\" d=\"M%F,%F", n, hot(st) ? " hot" : "", bx(0),
	    vy(s->peak[0][st], ymax));
	for (int b = 0; b < NBUCKETS; b++)
		htmlesc_printf(f, " V%F H%F", vy(s->peak[b][st], ymax), bx(b + 1));
	htmlesc_printf(f, "\"><title>%S: at most %D endpoints at once</title></path>\n", n,
	    (long long)s->top[st]);
}

static void legend(FILE *f, const struct series *s)
{
	char iso[40];

	fputs("<ul class=\"legend\">", f);
	for (int st = 0; st < ST_MAX; st++) {
		if (st == ST_CLOSED || s->top[st] == 0)
			continue;
		timefmt_iso(s->top_ts[st], iso);
		htmlesc_printf(f, "<li><span class=\"sw s-%S\"></span>%S%S%S &middot; peak %D at %S</li>",
		    tcpstate_name(st), hot(st) ? "<b>" : "", tcpstate_name(st), hot(st) ? "</b>" : "",
		    (long long)s->top[st], iso);
	}
	fputs("</ul>\n", f);
}

int htmlchart_write(FILE *f, sqlite3 *db, const char *db_path, int64_t t0, int64_t t1)
{
	sqlite3_stmt *st;
	struct series *s;
	int64_t ymax = 0;

	if (reportdb_prepare(db, db_path, events_sql, &st) != 0)
		return 4;
	s = malloc(sizeof *s);
	if (s == NULL) {
		sqlite3_finalize(st);
		fprintf(stderr, "pcapstate: out of memory\n");
		return 4;
	}
	if (sweep(st, s, t0, t1) != 0) {
		free(s);
		sqlite3_finalize(st);
		return reportdb_fail(db, db_path, "reading the case database");
	}
	sqlite3_finalize(st);
	for (int k = 0; k < ST_MAX; k++)
		if (k != ST_CLOSED && s->top[k] > ymax)
			ymax = s->top[k];
	if (ymax == 0) {
		fputs("<p class=\"muted\">No state transitions in this case.</p>\n", f);
		free(s);
		return 0;
	}
	/* Headroom above the highest curve (an eighth, then up to a gridline) for its peak label. */
	int64_t ystep = nice_step(ymax);
	ymax = ((ymax + ymax / 8) / ystep + 1) * ystep;
	htmlesc_printf(f, "<div class=\"wrap\"><svg class=\"fig chart\" viewBox=\"0 0 %F %F\" width=\"%F\" height=\"%F\" "
	    "role=\"img\" aria-label=\"Endpoints in each state over time\">\n", W, H, W, H);
	htmlaxis_time(f, X0, X1, TOP, BOTTOM, t0, t1);
	fputs("<g class=\"grid\">", f);
	for (int64_t v = 0; v <= ymax; v += ystep)
		htmlesc_printf(f, "<line x1=\"%F\" x2=\"%F\" y1=\"%F\" y2=\"%F\"/>", X0, X1, vy(v, ymax), vy(v, ymax));
	fputs("</g><g>", f);
	for (int64_t v = 0; v <= ymax; v += ystep)
		htmlesc_printf(f, "<text class=\"ylab\" x=\"%F\" y=\"%F\" text-anchor=\"end\">%D</text>", X0 - 8,
		    vy(v, ymax) + 4, (long long)v);
	htmlesc_printf(f, "<text class=\"ylab\" x=\"14\" y=\"%F\" transform=\"rotate(-90 14 %F)\" text-anchor=\"middle\">"
	    "endpoints</text></g>\n", (TOP + BOTTOM) / 2, (TOP + BOTTOM) / 2);
	/* Quiet states first, hot ones last so they are drawn on top. */
	for (int pass = 0; pass < 2; pass++)
		for (int k = 0; k < ST_MAX; k++)
			if (k != ST_CLOSED && s->top[k] > 0 && hot(k) == pass)
				curve(f, s, k, ymax);
	for (int k = 0; k < ST_MAX; k++)
		if (hot(k) && s->top[k] > 0) {
			double x = (bx(s->top_bucket[k]) + bx(s->top_bucket[k] + 1)) / 2, y = vy(s->top[k], ymax);
			htmlesc_printf(f, "<circle class=\"s-%S\" cx=\"%F\" cy=\"%F\" r=\"4\"/>"
			    "<text class=\"peak s-%S\" x=\"%F\" y=\"%F\" text-anchor=\"%S\">%S %D</text>\n",
			    tcpstate_name(k), x, y, tcpstate_name(k), x > X1 - 150 ? x - 8 : x + 8, y - 8,
			    x > X1 - 150 ? "end" : "start", tcpstate_name(k), (long long)s->top[k]);
		}
	htmlesc_printf(f, "<rect class=\"frame\" x=\"%F\" y=\"%F\" width=\"%F\" height=\"%F\"/>", X0, TOP, X1 - X0,
	    BOTTOM - TOP);
	fputs("</svg></div>\n", f);
	legend(f, s);
	free(s);
	return 0;
}
