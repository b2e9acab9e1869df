/* outfile.h - report files written beside their final name and renamed into place only when complete. */
#ifndef PCAPSTATE_OUTFILE_H
#define PCAPSTATE_OUTFILE_H

#include <stdio.h>

struct outfile {
	FILE *f;             /* write here */
	const char *path;    /* the final name; "-" = standard output, written directly */
	char tmp[4200];      /* path.<pid>.tmp while writing */
};

/*
 * Opens a temporary file next to path (permissions from the umask, like any new file).
 * Returns 0, or 4 after a message naming the file.
 */
int outfile_open(struct outfile *o, const char *path);

/*
 * Flushes, closes and renames the file to its final name, so a reader never sees half a
 * report and a failed run leaves an earlier report untouched. Returns 0, or 4 after a
 * message (the temporary file is removed).
 */
int outfile_commit(struct outfile *o);

/* Closes and removes the temporary file after a failure. */
void outfile_abort(struct outfile *o);

#endif
