/* htmlaxis.c - a time axis for the SVG drawings: round UTC ticks and grid lines across a nanosecond range. */
#include "html.h"

#include <string.h>

#include "report.h"

#define S 1000000000LL

/* Round tick steps from a nanosecond to a year; the first that gives at most ~8 ticks wins. */
static const int64_t steps[] = {
	1, 2, 5, 10, 20, 50, 100, 200, 500,
	1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000,
	1000000, 2000000, 5000000, 10000000, 20000000, 50000000, 100000000, 200000000, 500000000,
	S, 2 * S, 5 * S, 10 * S, 15 * S, 30 * S, 60 * S, 120 * S, 300 * S, 600 * S, 900 * S, 1800 * S,
	3600 * S, 7200 * S, 10800 * S, 21600 * S, 43200 * S, 86400 * S, 172800 * S, 604800 * S,
	2419200 * S, 7862400 * S, 31449600 * S,      /* 4, 13 and 52 weeks */
};

/* Characters of "HH:MM:SS.nnnnnnnnn" worth showing for this step: no digits finer than it. */
static int label_len(int64_t step)
{
	if (step >= 60 * S && step % (60 * S) == 0)
		return 5;                     /* HH:MM */
	if (step >= S)
		return 8;                     /* HH:MM:SS */
	if (step >= 1000000)
		return 12;                    /* .mmm */
	if (step >= 1000)
		return 15;                    /* .uuuuuu */
	return 18;
}

void htmlaxis_time(FILE *f, double x0, double x1, double y_top, double y_bottom,
                   int64_t t0, int64_t t1)
{
	int64_t span = t1 > t0 ? t1 - t0 : 1, step = steps[sizeof steps / sizeof steps[0] - 1];
	char iso[40], day[11] = "";

	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if (span / steps[i] <= 8) {
			step = steps[i];
			break;
		}
	int len = label_len(step);
	int64_t first = timefmt_floor(t0, step);
	if (first < t0)
		first += step;
	/* Counting ticks rather than adding steps up to t1 cannot overflow near the int64 end. */
	int64_t nticks = first <= t1 ? (t1 - first) / step + 1 : 0;

	fputs("<g class=\"grid axis\">", f);
	for (int64_t i = 0; i < nticks; i++) {
		int64_t t = first + i * step;
		double x = x0 + (x1 - x0) * (double)(t - t0) / (double)span;
		/* Labels near the ends are anchored inward so they stay inside the drawing. */
		const char *anchor = x < x0 + 40 ? "start" : x > x1 - 40 ? "end" : "middle";

		htmlesc_printf(f, "<line x1=\"%F\" x2=\"%F\" y1=\"%F\" y2=\"%F\"/>", x, x, y_top, y_bottom);
		timefmt_iso(t, iso);
		iso[10] = '\0';
		iso[11 + len] = '\0';
		/* The date sits on a row above the times, written where it changes. */
		if (strcmp(day, iso) != 0) {
			htmlesc_printf(f, "<text class=\"cap\" x=\"%F\" y=\"%F\" text-anchor=\"%S\">%S%S</text>",
			    x, y_top - 20, anchor, iso, day[0] ? "" : " UTC");
			memcpy(day, iso, sizeof day);
		}
		htmlesc_printf(f, "<text x=\"%F\" y=\"%F\" text-anchor=\"%S\">%S</text>", x, y_top - 6,
		    anchor, iso + 11);
	}
	fputs("</g>\n", f);
}
