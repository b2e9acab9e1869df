/* report.h - the reports' public API: HTML, CSV and netstat views built from a case database alone. */
#ifndef PCAPSTATE_REPORT_H
#define PCAPSTATE_REPORT_H

#include <stdint.h>
#include <stdio.h>

/*
 * Default for --max-rows: flows drawn in the HTML timeline and listed in each HTML table.
 * Chromium stays responsive well past this; the full data is always in the database and
 * the CSV export, and the page says how many rows it left out.
 */
#define REPORT_MAX_ROWS_DEFAULT 2000

/*
 * Every report function opens db_path read-only, checks that it is a pcapstate case database
 * of a schema version it can read, and returns an exit status as DESIGN.md section 2 lists
 * them: 0 done, 2 usage (bad argument, unknown flow uid), 4 database or output failure.
 * On failure a message naming the file goes to stderr and nothing else is printed.
 */

/*
 * Writes one self-contained HTML page to out_path ("-" = stdout): the case report, or, when
 * flow_uid is not NULL, the page of that one connection. max_rows (>= 1) caps the flows in
 * the timeline and the rows of each table. The same database gives a byte-identical page.
 * A failed write removes the partial file.
 */
int report_html(const char *db_path, const char *out_path, const char *flow_uid, long max_rows);

/*
 * Writes inputs.csv, flows.csv, transitions.csv and anomalies.csv into out_dir (created,
 * with its parents, when missing): RFC 4180, CRLF, a header row, every column in table
 * order, NULL as an empty unquoted field, and after each ts / *_ts column a <name>_iso
 * column with the time in ISO 8601 UTC.
 */
int report_csv(const char *db_path, const char *out_dir);

/*
 * Prints, netstat-style, the endpoints that existed at at_time (see timefmt_parse) and were
 * not CLOSED then, each in the state it had at that instant according to the transitions.
 * host (NULL = every endpoint) keeps only that address's endpoints; naming is one of
 * "rfc" (database names, the default when NULL), "linux", "bsd", "windows", "solaris".
 */
int report_netstat(const char *db_path, const char *at_time, const char *host,
                   const char *naming, FILE *out);

/*
 * Parses a time given by a user into nanoseconds since the Unix epoch. Accepts ISO 8601
 * (2026-11-23T10:15:00.25Z, a space for the T, +01:00 / +0100 / +01 offsets, a date alone;
 * no offset means UTC, never the local zone, so a case does not depend on the examiner's
 * machine) and epoch seconds with up to 9 decimals (1795429500.25), within int64 nanoseconds (1677-09-21 to 2262-04-11).
 * Returns 0, or -1 when s is not such a time (ns_out untouched).
 */
int timefmt_parse(const char *s, int64_t *ns_out);

/* Writes ns as ISO 8601 UTC with nanoseconds: 2026-11-23T10:15:00.250000000Z. */
void timefmt_iso(int64_t ns, char out[40]);

/* Rounds ns down (towards the past, also before 1970) to a multiple of unit (> 0). */
int64_t timefmt_floor(int64_t ns, int64_t unit);

/* Writes a duration for people to read: "850 ns", "12.4 ms", "3.250 s", "4 min 05 s", "2 h 10 min". */
void timefmt_duration(int64_t ns, char out[32]);

#endif
