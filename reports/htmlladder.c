/* htmlladder.c - one connection as a ladder diagram: the segments that moved a state, drawn between the two endpoints' lanes. */
#define _POSIX_C_SOURCE 200809L
#include "html.h"

#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "reportdb.h"

#define W 1100.0
#define XO 370.0           /* originator's lane */
#define XR 850.0           /* responder's lane */
#define HEAD 64.0          /* lane headers */
#define Y0 104.0           /* first row, when its label has one line */
#define HALF 28.0          /* a row's least room above and below its arrow */
#define LINE 13.0          /* label line spacing */
#define WRAP 68            /* label characters per line: about the room between the lanes */
#define MAX_LINES 16       /* per row; the transitions table below has every word anyway */
#define LANE_W 8.0

struct trans {
	int ep;                /* 0 orig, 1 resp */
	int64_t ts, input_id, frame;
	int has_frame;
	char *from, *to, *trigger, *evidence;
};

struct row {
	size_t first, n;       /* transitions[first .. first+n) */
	int sender;            /* endpoint that sent the segment, -1 when no segment (timeout, end) */
	double y;              /* where its arrow (or mark) is drawn */
};

struct line {
	const char *s;
	size_t len;
};

/* Transitions of one segment share its frame; frameless ones (timeout, end) share ts and evidence. */
static int same_row(const struct trans *a, const struct trans *b)
{
	if (a->has_frame || b->has_frame)
		return a->has_frame && b->has_frame && a->input_id == b->input_id && a->frame == b->frame;
	return a->ts == b->ts && strcmp(a->evidence, b->evidence) == 0;
}

/*
 * Who sent the segment: "seen" means the endpoint's own segment proved the change, so that
 * endpoint sent it; "inferred" means it followed from what the peer sent or acknowledged,
 * so the peer sent it. Anything else (assumed, timeout, end) has no segment to draw.
 */
static int sender_of(const struct trans *t, size_t n)
{
	int s = -1;
	for (size_t i = 0; i < n; i++) {
		if (!t[i].has_frame)
			continue;
		if (strcmp(t[i].evidence, "seen") == 0)
			return t[i].ep;
		if (strcmp(t[i].evidence, "inferred") == 0 && s < 0)
			s = !t[i].ep;
	}
	return s;
}

static void free_trans(struct trans *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(t[i].from);
		free(t[i].to);
		free(t[i].trigger);
		free(t[i].evidence);
	}
	free(t);
}

/* Loads up to max transitions of the flow in time order; returns the count, or -1 on failure. */
static long load(sqlite3_stmt *st, struct trans **out, long max)
{
	struct trans *t = calloc((size_t)max, sizeof *t);
	long n = 0;
	int rc = SQLITE_DONE;

	if (t == NULL)
		return -1;
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct trans *x = &t[n++];
		x->ep = strcmp(reportdb_text(st, 0), "resp") == 0;
		x->ts = sqlite3_column_int64(st, 1);
		x->has_frame = sqlite3_column_type(st, 3) != SQLITE_NULL;
		x->input_id = sqlite3_column_int64(st, 2);
		x->frame = sqlite3_column_int64(st, 3);
		x->from = strdup(reportdb_text(st, 4));
		x->to = strdup(reportdb_text(st, 5));
		x->trigger = strdup(reportdb_text(st, 6));
		x->evidence = strdup(reportdb_text(st, 7));
		if (!x->from || !x->to || !x->trigger || !x->evidence) {
			free_trans(t, (size_t)n);
			return -1;
		}
	}
	if (n < max && rc != SQLITE_DONE) {
		free_trans(t, (size_t)n);
		return -1;
	}
	*out = t;
	return n;
}

static double chip_width(const char *state)
{
	return 9.0 + 7.0 * (double)strlen(state);
}

/* A state name in a coloured box with its left edge at x, and the evidence under it. */
static void chip(FILE *f, double x, double y, const char *state, const char *evidence)
{
	double w = chip_width(state);
	const char *c = htmlstate_class(state);

	htmlesc_printf(f, "<rect class=\"s-%S\" x=\"%F\" y=\"%F\" width=\"%F\" height=\"17\" rx=\"3\"/>"
	    "<text class=\"t-%S tick\" x=\"%F\" y=\"%F\" text-anchor=\"middle\">%s</text>"
	    "<text class=\"ev\" x=\"%F\" y=\"%F\" text-anchor=\"middle\">%s</text>",
	    c, x, y - 9, w, c, x + w / 2, y + 3.5, state, x + w / 2, y + 21, evidence);
}

/*
 * The states one endpoint entered in a row, in time order from left to right: leftwards
 * from the originator's lane, rightwards from the responder's. Most rows have one; a
 * segment can move an endpoint twice (CLOSING then TIME_WAIT), and both are shown.
 */
static void chips(FILE *f, const struct trans *t, size_t n, int ep, double y)
{
	const double gap = 6.0;
	double total = 0, x;

	for (size_t i = 0; i < n; i++)
		if (t[i].ep == ep)
			total += chip_width(t[i].to) + gap;
	if (total == 0)
		return;
	x = ep ? XR + 16 : XO - 16 - (total - gap);
	for (size_t i = 0; i < n; i++)
		if (t[i].ep == ep) {
			chip(f, x, y, t[i].to, t[i].evidence);
			x += chip_width(t[i].to) + gap;
		}
}

static void lane_span(FILE *f, double x, double y1, double y2, const char *state)
{
	if (y2 > y1)
		htmlesc_printf(f, "<rect class=\"s-%S\" x=\"%F\" y=\"%F\" width=\"%F\" height=\"%F\"><title>%s</title></rect>",
		    htmlstate_class(state), x - LANE_W / 2, y1, LANE_W, y2 - y1, state);
}

static void lane_head(FILE *f, double x, const char *role, const char *addr, int port, int v6)
{
	htmlesc_printf(f, "<rect class=\"lanehead\" x=\"%F\" y=\"8\" width=\"250\" height=\"46\" rx=\"6\"/>"
	    "<text class=\"lanehead-t\" x=\"%F\" y=\"27\" text-anchor=\"middle\">%S</text>"
	    "<text class=\"lanehead-s\" x=\"%F\" y=\"44\" text-anchor=\"middle\">", x - 125, x, role, x);
	htmlesc_endpoint(f, addr, port, v6);
	fputs("</text>", f);
}

/* Length of the first line of s wrapped at width characters: at the last space that fits, else cut. */
static size_t wrap_at(const char *s, size_t width)
{
	size_t n = strlen(s), cut = 0;

	if (n <= width)
		return n;
	for (size_t i = 1; i <= width; i++)
		if (s[i] == ' ')
			cut = i;
	if (cut == 0) {
		cut = width;
		while (cut > 1 && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut--;             /* never split a UTF-8 sequence */
	}
	return cut;
}

/*
 * Splits a row's label into lines: each distinct trigger of the row, wrapped so no line runs
 * into the lanes; the first line is shorter by the frame number written before it.
 * Returns the number of lines (at most MAX_LINES are kept).
 */
static size_t label_lines(const struct trans *t, size_t n, size_t indent, struct line out[MAX_LINES])
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		int dup = 0;
		for (size_t j = 0; j < i; j++)
			dup |= strcmp(t[i].trigger, t[j].trigger) == 0;
		if (dup)
			continue;
		const char *s = t[i].trigger;
		do {
			size_t len = wrap_at(s, WRAP - (k == 0 ? indent : 0));
			if (k < MAX_LINES)
				out[k++] = (struct line){ s, len };
			s += len;
			while (*s == ' ')
				s++;
		} while (*s && k < MAX_LINES);
	}
	return k;
}

static void frame_label(char out[64], const struct trans *t, int many_inputs)
{
	out[0] = '\0';
	if (t->has_frame && many_inputs)
		snprintf(out, 64, "input %lld frame %lld", (long long)t->input_id, (long long)t->frame);
	else if (t->has_frame)
		snprintf(out, 64, "frame %lld", (long long)t->frame);
}

/* Room a row needs above its arrow for its label. */
static double row_above(const struct trans *t, size_t n, int sender, int many_inputs)
{
	struct line lines[MAX_LINES];
	char frame[64];

	frame_label(frame, t, many_inputs);
	size_t k = label_lines(t, n, frame[0] ? strlen(frame) + 2 : 0, lines);
	double above = (sender >= 0 ? 10.0 : -4.0) + LINE * (double)(k - 1) + 16.0;
	return above > HALF ? above : HALF;
}

/* Writes the label of a row, its last line just above the arrow (or across the mark). */
static void row_label(FILE *f, const struct trans *t, size_t n, double y, int sender, int many_inputs)
{
	struct line lines[MAX_LINES];
	char frame[64];

	frame_label(frame, t, many_inputs);
	size_t k = label_lines(t, n, frame[0] ? strlen(frame) + 2 : 0, lines);
	double base = sender >= 0 ? y - 10 : y + 4;

	htmlesc_printf(f, "<text class=\"msg-l\" x=\"%F\" y=\"%F\" text-anchor=\"middle\">", (XO + XR) / 2,
	    base - LINE * (double)(k - 1));
	if (frame[0])
		htmlesc_printf(f, "<tspan class=\"msg-f\">%S</tspan>  ", frame);
	for (size_t i = 0; i < k; i++) {
		if (i > 0)
			htmlesc_printf(f, "<tspan x=\"%F\" dy=\"%F\">", (XO + XR) / 2, LINE);
		htmlesc_putn(f, lines[i].s, lines[i].len);
		if (i > 0)
			fputs("</tspan>", f);
	}
	fputs("</text>", f);
}

static void draw(FILE *f, const struct trans *t, size_t nt, const struct row *rows, size_t nr,
                 int64_t first_ts, sqlite3_stmt *fl, int many_inputs)
{
	double h = rows[nr - 1].y + HALF + 10;
	int v6 = sqlite3_column_int(fl, 0) == 6;
	char state[2][24];
	double since[2] = { HEAD, HEAD };

	/* Before its first transition an endpoint is in that transition's from_state. */
	for (int ep = 0; ep < 2; ep++) {
		snprintf(state[ep], sizeof state[ep], "UNKNOWN");
		for (size_t i = 0; i < nt; i++)
			if (t[i].ep == ep) {
				snprintf(state[ep], sizeof state[ep], "%s", t[i].from);
				break;
			}
	}
	htmlesc_printf(f, "<div class=\"wrap\"><svg class=\"fig ladder\" viewBox=\"0 0 %F %F\" width=\"%F\" height=\"%F\" "
	    "role=\"img\" aria-label=\"Ladder diagram\">\n", W, h, W, h);
	for (size_t r = 0; r < nr; r++)
		htmlesc_printf(f, "<line class=\"rowsep\" x1=\"16\" x2=\"%F\" y1=\"%F\" y2=\"%F\"/>", W - 16,
		    rows[r].y + HALF, rows[r].y + HALF);
	lane_head(f, XO, "originator", reportdb_text(fl, 1), sqlite3_column_int(fl, 2), v6);
	lane_head(f, XR, "responder", reportdb_text(fl, 3), sqlite3_column_int(fl, 4), v6);
	fputs("\n", f);
	/* Lanes first (coloured by state), then the segments and labels over them. */
	for (size_t r = 0; r < nr; r++) {
		double y = rows[r].y;
		for (size_t i = rows[r].first; i < rows[r].first + rows[r].n; i++) {
			int ep = t[i].ep;
			if (strcmp(state[ep], t[i].to) == 0)
				continue;
			lane_span(f, ep ? XR : XO, since[ep], y, state[ep]);
			snprintf(state[ep], sizeof state[ep], "%s", t[i].to);
			since[ep] = y;
		}
	}
	lane_span(f, XO, since[0], h - 4, state[0]);
	lane_span(f, XR, since[1], h - 4, state[1]);
	fputs("\n", f);
	for (size_t r = 0; r < nr; r++) {
		const struct trans *rt = &t[rows[r].first];
		double y = rows[r].y;
		char iso[40], rel[32];

		timefmt_iso(rt->ts, iso);
		iso[29] = '\0';
		timefmt_duration(rt->ts - first_ts, rel);
		htmlesc_printf(f, "<g><text class=\"tick\" x=\"20\" y=\"%F\">+%s</text>"
		    "<text class=\"tick2\" x=\"20\" y=\"%F\">%s</text>", y - 1, rel, y + 13, iso + 11);
		if (rows[r].sender >= 0) {
			double xs = rows[r].sender ? XR : XO, xd = rows[r].sender ? XO : XR;
			double pad = rows[r].sender ? -LANE_W : LANE_W;
			htmlesc_printf(f, "<line class=\"msg\" x1=\"%F\" y1=\"%F\" x2=\"%F\" y2=\"%F\" marker-end=\"url(#arrow)\"/>",
			    xs + pad, y - 5, xd - pad, y + 7);
		} else {
			for (size_t i = 0; i < rows[r].n; i++) {
				double x = rt[i].ep ? XR : XO;
				htmlesc_printf(f, "<line class=\"mark\" x1=\"%F\" x2=\"%F\" y1=\"%F\" y2=\"%F\"/>",
				    x - 14, x + 14, y, y);
			}
		}
		row_label(f, rt, rows[r].n, y, rows[r].sender, many_inputs);
		/* The states each endpoint entered here, written beside its lane. */
		chips(f, rt, rows[r].n, 0, y);
		chips(f, rt, rows[r].n, 1, y);
		fputs("</g>\n", f);
	}
	fputs("</svg></div>\n", f);
}

int htmlladder_write(FILE *f, sqlite3 *db, const char *db_path, int64_t flow_id, long max_rows)
{
	sqlite3_stmt *fl = NULL, *st = NULL;
	struct trans *t = NULL;
	struct row *rows = NULL;
	long nt = 0;
	size_t nr = 0;
	int rc = 4;

	if (reportdb_prepare(db, db_path, "SELECT ip_version, orig_addr, orig_port, resp_addr, resp_port, first_ts"
	    " FROM flows WHERE id = ?1", &fl) != 0)
		return 4;
	if (reportdb_prepare(db, db_path, "SELECT endpoint, ts, input_id, frame, from_state, to_state, trigger, evidence"
	    " FROM transitions WHERE flow_id = ?1 ORDER BY ts, id", &st) != 0)
		goto out;
	sqlite3_bind_int64(fl, 1, flow_id);
	sqlite3_bind_int64(st, 1, flow_id);
	if (sqlite3_step(fl) != SQLITE_ROW || (nt = load(st, &t, max_rows)) < 0) {
		rc = reportdb_fail(db, db_path, "reading the case database");
		goto out;
	}
	if (nt == 0) {
		fputs("<p class=\"muted\">No state transitions were recorded for this connection.</p>\n", f);
		rc = 0;
		goto out;
	}
	rows = calloc((size_t)nt, sizeof *rows);
	if (rows == NULL) {
		fprintf(stderr, "pcapstate: out of memory\n");
		goto out;
	}
	for (size_t i = 0; i < (size_t)nt; i++) {
		if (nr > 0 && same_row(&t[rows[nr - 1].first], &t[i])) {
			rows[nr - 1].n++;
			continue;
		}
		rows[nr].first = i;
		rows[nr++].n = 1;
	}
	int many_inputs = 0;
	for (long i = 1; i < nt; i++)
		many_inputs |= t[i].has_frame && t[0].has_frame && t[i].input_id != t[0].input_id;
	/* Rows are evenly spaced unless a long label needs more room above its arrow. */
	for (size_t r = 0; r < nr; r++) {
		rows[r].sender = sender_of(&t[rows[r].first], rows[r].n);
		double above = row_above(&t[rows[r].first], rows[r].n, rows[r].sender, many_inputs);
		rows[r].y = (r ? rows[r - 1].y + HALF : Y0 - HALF) + above;
	}
	draw(f, t, (size_t)nt, rows, nr, sqlite3_column_int64(fl, 5), fl, many_inputs);
	rc = 0;
out:
	if (t)
		free_trans(t, (size_t)nt);
	free(rows);
	sqlite3_finalize(st);
	sqlite3_finalize(fl);
	return rc;
}
