/* html.c - report_html: opens the database and the output file, writes the case page or one connection's page. */
#include "report.h"

#include <stdio.h>

#include "html.h"
#include "outfile.h"
#include "reportdb.h"

int report_html(const char *db_path, const char *out_path, const char *flow_uid, long max_rows)
{
	struct outfile out;
	sqlite3 *db;
	int rc;

	if (out_path == NULL || *out_path == '\0') {
		fprintf(stderr, "pcapstate: --html needs a file name (or - for standard output)\n");
		return 2;
	}
	if (max_rows < 1) {
		fprintf(stderr, "pcapstate: --max-rows %ld: must be at least 1\n", max_rows);
		return 2;
	}
	if ((rc = reportdb_open(db_path, &db)) != 0)
		return rc;
	if ((rc = outfile_open(&out, out_path)) != 0) {
		sqlite3_close(db);
		return rc;
	}
	rc = flow_uid ? htmlflow_write(out.f, db, db_path, flow_uid, max_rows)
	              : htmlcase_write(out.f, db, db_path, max_rows);
	sqlite3_close(db);
	if (rc != 0) {
		outfile_abort(&out);
		return rc;
	}
	return outfile_commit(&out);
}
