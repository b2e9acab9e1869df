/* inputs.c - input expansion: files, directories (recursive, sorted), list files, stdin. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "inputs.h"

static int push_kind(struct input_list *l, const char *p, int from_dir)
{
	if (l->n == l->cap) {
		size_t n = l->cap ? l->cap * 2 : 16;
		char **v = realloc(l->paths, n * sizeof *v);
		if (v == NULL)
			return -1;
		l->paths = v;
		unsigned char *d = realloc(l->from_dir, n);
		if (d == NULL)
			return -1;
		l->from_dir = d;
		l->cap = n;
	}
	if ((l->paths[l->n] = strdup(p)) == NULL)
		return -1;
	l->from_dir[l->n] = (unsigned char)from_dir;
	l->n++;
	return 0;
}

static int push(struct input_list *l, const char *p)
{
	return push_kind(l, p, 0);
}

int inputs_looks_like_capture(const char *path)
{
	static const uint8_t magics[][4] = {
		{ 0xd4, 0xc3, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0xc3, 0xd4 },   /* pcap, microseconds */
		{ 0x4d, 0x3c, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0x3c, 0x4d },   /* pcap, nanoseconds */
		{ 0x0a, 0x0d, 0x0d, 0x0a },                               /* pcapng */
		{ 0x28, 0xb5, 0x2f, 0xfd }, { 0xfd, '7', 'z', 'X' },      /* zstd, xz */
	};
	uint8_t b[4] = { 0 };
	FILE *fp = fopen(path, "rb");
	if (fp == NULL)
		return 1;   /* let the open report why */
	size_t n = fread(b, 1, sizeof b, fp);
	fclose(fp);
	if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		return 1;   /* gzip */
	for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
		if (n == 4 && memcmp(b, magics[i], 4) == 0)
			return 1;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_dir(struct input_list *l, const char *dir, int depth, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	if (d == NULL) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	struct input_list names = { 0 };
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;   /* ., .., and hidden files (editor swap files, .DS_Store) */
		size_t n = strlen(dir) + strlen(de->d_name) + 2;
		char *p = malloc(n);
		if (p == NULL || snprintf(p, n, "%s/%s", dir, de->d_name) < 0 || push(&names, p) != 0) {
			free(p);
			closedir(d);
			inputs_free(&names);
			snprintf(err, errlen, "%s: out of memory", dir);
			return -1;
		}
		free(p);
	}
	closedir(d);
	qsort(names.paths, names.n, sizeof *names.paths, cmp_str);
	int rc = 0;
	for (size_t i = 0; i < names.n && rc == 0; i++) {
		struct stat st;
		if (stat(names.paths[i], &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth < 64)
				rc = add_dir(l, names.paths[i], depth + 1, err, errlen);
		} else if (S_ISREG(st.st_mode)) {
			rc = push_kind(l, names.paths[i], 1);
		}
	}
	inputs_free(&names);
	return rc;
}

int inputs_add(struct input_list *l, const char *arg, char *err, size_t errlen)
{
	struct stat st;
	if (strcmp(arg, "-") != 0 && stat(arg, &st) == 0 && S_ISDIR(st.st_mode))
		return add_dir(l, arg, 0, err, errlen);
	/* Missing or unreadable files are reported when opened, with the others still analysed. */
	if (push(l, arg) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int inputs_add_listfile(struct input_list *l, const char *listfile, char *err, size_t errlen)
{
	FILE *fp = strcmp(listfile, "-") == 0 ? stdin : fopen(listfile, "r");
	if (fp == NULL) {
		snprintf(err, errlen, "%s: %s", listfile, strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;
	while (rc == 0 && (n = getline(&line, &cap, fp)) > 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		rc = inputs_add(l, line, err, errlen);
	}
	free(line);
	if (fp != stdin)
		fclose(fp);
	return rc;
}

void inputs_free(struct input_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->paths[i]);
	free(l->paths);
	free(l->from_dir);
	memset(l, 0, sizeof *l);
}
