/* inputs.h - expands -r arguments and -V list files into the ordered list of capture inputs. */
#ifndef PCAPSTATE_INPUTS_H
#define PCAPSTATE_INPUTS_H

#include <stddef.h>

struct input_list {
	char **paths;
	unsigned char *from_dir;     /* 1 when found by walking a directory given to -r */
	size_t n, cap;
};

/* 1 when the file starts like a capture: pcap, pcapng, or gzip/zstd/xz compressed. */
int inputs_looks_like_capture(const char *path);

/*
 * Adds ARG: "-" (stdin), a file, or a directory (every regular file below it, recursively,
 * in byte order of their paths so runs are deterministic). Returns 0, or -1 with a message
 * in err (missing path, unreadable directory).
 */
int inputs_add(struct input_list *l, const char *arg, char *err, size_t errlen);
/* Adds every non-empty line of LISTFILE ("-" = stdin) as with inputs_add. */
int inputs_add_listfile(struct input_list *l, const char *listfile, char *err, size_t errlen);
void inputs_free(struct input_list *l);

#endif
