/* htmlcell.c - table cells shared by the pages: times, counts, identifiers and severities, each with its sort key. */
#include "html.h"

#include <string.h>

void htmlcell_time(FILE *f, sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) != SQLITE_INTEGER) {
		fputs("<td class=\"t\" data-v=\"0\"></td>", f);
		return;
	}
	htmlesc_printf(f, "<td class=\"t\" data-v=\"%D\">", (long long)sqlite3_column_int64(st, col));
	htmlesc_time(f, sqlite3_column_int64(st, col));
	fputs("</td>", f);
}

void htmlcell_count(FILE *f, long long v)
{
	htmlesc_printf(f, "<td class=\"n\" data-v=\"%D\">", v);
	htmlesc_count(f, v);
	fputs("</td>", f);
}

void htmlcell_id(FILE *f, sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		fputs("<td class=\"n\" data-v=\"0\"></td>", f);
	else
		htmlesc_printf(f, "<td class=\"n\" data-v=\"%D\">%D</td>", (long long)sqlite3_column_int64(st, col),
		    (long long)sqlite3_column_int64(st, col));
}

void htmlcell_severity(FILE *f, const char *sev)
{
	/* The class comes from the vocabulary, never from the data. */
	const char *c = strcmp(sev, "error") == 0 ? "error" : strcmp(sev, "warning") == 0 ? "warning" : "info";
	htmlesc_printf(f, "<td><span class=\"sev sev-%S\">%s</span></td>", c, sev);
}
