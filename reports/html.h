/* html.h - the pieces the HTML pages are built from, shared by the html*.c units (not part of the public API). */
#ifndef PCAPSTATE_HTML_H
#define PCAPSTATE_HTML_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * htmlesc.c - output that is safe by default. htmlesc_printf understands:
 *   %s  text, HTML-escaped (& < > " ') so it is safe in content and in quoted attributes
 *   %S  trusted markup or a constant, written as is
 *   %d  int     %D  long long     %F  double with one decimal (SVG coordinates)     %%
 * Every string that comes from a database goes through %s; %S is only for literals and
 * for names this code has checked against a vocabulary.
 */
void htmlesc_printf(FILE *f, const char *fmt, ...);
void htmlesc_puts(FILE *f, const char *s);
/* Writes at most n bytes of s, escaped. */
void htmlesc_putn(FILE *f, const char *s, size_t n);
/* Writes addr:port, or [addr]:port for IPv6, escaped. */
void htmlesc_endpoint(FILE *f, const char *addr, int port, int ipv6);
/* Writes ns in ISO 8601 UTC, breakable (<wbr>) between the date and the time only. */
void htmlesc_time(FILE *f, int64_t ns);
/* Writes an integer with its thousands grouped by thin spaces (12 345 678). */
void htmlesc_count(FILE *f, long long v);

/* htmlcell.c - table cells; data-v holds the key the page's script sorts by. */
/* A time column (NULL gives an empty cell). */
void htmlcell_time(FILE *f, sqlite3_stmt *st, int col);
/* A count, digits grouped. */
void htmlcell_count(FILE *f, long long v);
/* An input id or frame number: identifiers to look up (in Wireshark), so digits not grouped. */
void htmlcell_id(FILE *f, sqlite3_stmt *st, int col);
/* A severity badge (info, warning, error). */
void htmlcell_severity(FILE *f, const char *sev);

/* htmlstate.c - one colour per TCP state, used by every chip, span and curve. */
/* Returns the state's own name if it is in the vocabulary (safe in a class name), else "other". */
const char *htmlstate_class(const char *name);
/* Writes the CSS rules of the state palette (classes s-NAME, t-NAME). */
void htmlstate_css(FILE *f);
/* Writes <span class="st s-NAME">NAME</span>, escaped. */
void htmlstate_chip(FILE *f, const char *name);
/* Writes the legend of the state colours as an HTML list. */
void htmlstate_legend(FILE *f);
/* Writes the <defs> shared by every SVG on a page (the UNKNOWN hatching). */
void htmlstate_svg_defs(FILE *f);

/* htmlpage.c - the page frame: head with inline CSS and JS, each allowed by its CSP hash. */
#define HTMLPAGE_HASH_LEN 60   /* 'sha256-' + 44 base64 digits + quote + NUL */
/* Writes "'sha256-<base64>'", the CSP source that allows exactly this inline text. */
void htmlpage_csp_source(const char *text, size_t len, char out[HTMLPAGE_HASH_LEN]);
/* Writes everything up to and including <body>; title is escaped. Returns 0, or -1 when out of memory. */
int htmlpage_begin(FILE *f, const char *title);
void htmlpage_end(FILE *f);

/* htmlaxis.c - a time axis with round ticks (labels in UTC) across [x0, x1]. */
void htmlaxis_time(FILE *f, double x0, double x1, double y_top, double y_bottom,
                   int64_t t0, int64_t t1);

/* The drawings. Each returns 0, or 4 after a message naming db_path. */
/* htmltimeline.c: one row per flow (the first max_rows by first_ts), two lanes of state spans. */
int htmltimeline_write(FILE *f, sqlite3 *db, const char *db_path, long max_rows);
/* htmlchart.c: how many endpoints were in each state over time, over every flow. */
int htmlchart_write(FILE *f, sqlite3 *db, const char *db_path, int64_t t0, int64_t t1);
/* htmlladder.c: one flow's segments between its two endpoints, with the states beside each lane. */
int htmlladder_write(FILE *f, sqlite3 *db, const char *db_path, int64_t flow_id, long max_rows);

/* htmlcase.c and htmlflow.c - the two pages (html.c opens the files and picks one). */
int htmlcase_write(FILE *f, sqlite3 *db, const char *db_path, long max_rows);
/* Returns the meaning of a Zeek conn_state code ("SF": "normal establishment and termination"), or "". */
const char *htmlcase_conn_state_meaning(const char *code);
/* Returns 2 when no flow has that uid. */
int htmlflow_write(FILE *f, sqlite3 *db, const char *db_path, const char *uid, long max_rows);

#endif
