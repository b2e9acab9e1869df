/* outfile.c - report files appear whole or not at all: written to a temporary name, renamed when complete. */
#define _POSIX_C_SOURCE 200809L
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int outfile_open(struct outfile *o, const char *path)
{
	int fd;

	o->path = path;
	o->tmp[0] = '\0';
	if (strcmp(path, "-") == 0) {
		o->f = stdout;
		return 0;
	}
	if ((size_t)snprintf(o->tmp, sizeof o->tmp, "%s.%ld.tmp", path, (long)getpid()) >= sizeof o->tmp) {
		fprintf(stderr, "pcapstate: %s: file name too long\n", path);
		return 4;
	}
	/* open(2) rather than mkstemp: mkstemp makes 0600 files, a report should follow the umask. */
	fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
	if (fd < 0 || (o->f = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "pcapstate: %s: %s\n", o->tmp, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(o->tmp);
		}
		return 4;
	}
	return 0;
}

int outfile_commit(struct outfile *o)
{
	int bad;

	if (o->f == stdout)
		bad = ferror(stdout) | (fflush(stdout) != 0);
	else
		/* A full disk often shows only at the final flush: fclose is checked too. */
		bad = ferror(o->f) | (fclose(o->f) != 0);
	if (bad) {
		fprintf(stderr, "pcapstate: %s: write failed: %s\n", o->path, strerror(errno));
		if (o->f != stdout)
			unlink(o->tmp);
		return 4;
	}
	if (o->f != stdout && rename(o->tmp, o->path) != 0) {
		fprintf(stderr, "pcapstate: %s: %s\n", o->path, strerror(errno));
		unlink(o->tmp);
		return 4;
	}
	return 0;
}

void outfile_abort(struct outfile *o)
{
	if (o->f == stdout) {
		fflush(stdout);
		return;
	}
	fclose(o->f);
	unlink(o->tmp);
}
