/* htmlstate.c - the state palette: one colour per TCP state, the same in chips, timeline spans, curves and lanes. */
#include "html.h"

#include "reportdb.h"
#include "tcpstate.h"

/*
 * Hue families tell the phase at a glance: blues for opening (LISTEN, SYN_*; SYN_RECEIVED
 * darkest because a pile of it is a flood), green for ESTABLISHED, ambers to browns for the
 * closing states, purple for TIME_WAIT, grey for CLOSED and hatching for UNKNOWN (no history).
 * ink is the text colour that stays readable on the fill.
 */
static const struct {
	const char *fill, *ink;
} palette[ST_MAX] = {
	[ST_UNKNOWN]      = { "#eef0f3", "#3d4654" },
	[ST_CLOSED]       = { "#98a2b3", "#ffffff" },
	[ST_LISTEN]       = { "#b7d3f6", "#12396b" },
	[ST_SYN_SENT]     = { "#5d9cec", "#ffffff" },
	[ST_SYN_RECEIVED] = { "#1a4fb5", "#ffffff" },
	[ST_ESTABLISHED]  = { "#2f9e5f", "#ffffff" },
	[ST_FIN_WAIT_1]   = { "#f4c54f", "#4a3300" },
	[ST_FIN_WAIT_2]   = { "#e9a23b", "#3d2600" },
	[ST_CLOSE_WAIT]   = { "#d9791f", "#ffffff" },
	[ST_CLOSING]      = { "#b5601b", "#ffffff" },
	[ST_LAST_ACK]     = { "#8c4716", "#ffffff" },
	[ST_TIME_WAIT]    = { "#7b3fc8", "#ffffff" },
};

const char *htmlstate_class(const char *name)
{
	int st = name ? reportdb_state(name) : -1;
	return st < 0 ? "other" : tcpstate_name(st);
}

void htmlstate_css(FILE *f)
{
	for (int st = 0; st < ST_MAX; st++) {
		const char *n = tcpstate_name(st);
		fprintf(f, ".s-%s{fill:%s;background:%s;color:%s}.t-%s{fill:%s}.ln.s-%s{stroke:%s}\n",
		    n, palette[st].fill, palette[st].fill, palette[st].ink, n, palette[st].ink, n,
		    palette[st].fill);
	}
	/* UNKNOWN is hatched, so "no history" never reads as a real state. */
	fputs(".s-UNKNOWN{fill:url(#hatch);background:repeating-linear-gradient(135deg,#eef0f3 0 3px,#c5cbd5 3px 5px)}\n"
	      ".ln.s-UNKNOWN{stroke:#8a94a6;stroke-dasharray:4 3}\n"
	      ".s-other{fill:#fff;background:#fff;color:#b42318;outline:1px dashed #b42318}\n", f);
}

void htmlstate_chip(FILE *f, const char *name)
{
	htmlesc_printf(f, "<span class=\"st s-%S\">%s</span>", htmlstate_class(name), name);
}

void htmlstate_legend(FILE *f)
{
	fputs("<ul class=\"legend\">", f);
	for (int st = 0; st < ST_MAX; st++)
		fprintf(f, "<li><span class=\"sw s-%s\"></span>%s</li>", tcpstate_name(st), tcpstate_name(st));
	fputs("</ul>\n", f);
}

void htmlstate_svg_defs(FILE *f)
{
	/* Zero-sized rather than display:none: Chromium does not paint patterns from undisplayed SVGs. */
	fputs("<svg class=\"defs\" width=\"0\" height=\"0\" aria-hidden=\"true\" focusable=\"false\"><defs>"
	      "<pattern id=\"hatch\" width=\"5\" height=\"5\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
	      "<rect width=\"5\" height=\"5\" fill=\"#eef0f3\"/><rect width=\"2\" height=\"5\" fill=\"#c5cbd5\"/></pattern>"
	      "<marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">"
	      "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#3d4654\"/></marker>"
	      "</defs></svg>\n", f);
}
