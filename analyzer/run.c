/* run.c - analyze driver: opens inputs, orders and merges them by time, decodes, analyzes, stores. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "anomaly.h"
#include "capture.h"
#include "decode.h"
#include "run.h"
#include "store.h"

volatile sig_atomic_t run_interrupted;

struct in {
	const char *path;
	size_t order;                /* position on the command line */
	bool usable, is_stdin, skip;
	int64_t first_ts;            /* first packet, or INT64_MAX when none */
	struct capture cap;          /* open while active */
	bool open;
	struct input_rec rec;
	char sha[65];
	char errbuf[512];
	int64_t prev_ts;
};

static int cmp_in(const void *a, const void *b)
{
	const struct in *x = *(const struct in *const *)a, *y = *(const struct in *const *)b;
	if (x->first_ts != y->first_ts)
		return x->first_ts < y->first_ts ? -1 : 1;
	return x->order < y->order ? -1 : (x->order > y->order);
}

/* SHA-256 of a whole file as stored; used before analysis to skip inputs already in the database. */
static int hash_file(const char *path, char out[65])
{
	char err[256];
	struct instream *s = instream_open(path, err, sizeof err);
	if (s == NULL)
		return -1;
	instream_finish_hash(s, out);
	instream_close(s);
	return 0;
}

static bool looks_like_capture_name(const char *w)
{
	const char *ext[] = { ".pcap", ".pcapng", ".cap", ".gz", ".zst", ".xz", ".dmp" };
	struct stat st;
	for (size_t i = 0; i < sizeof ext / sizeof *ext; i++) {
		size_t n = strlen(w), m = strlen(ext[i]);
		if (n > m && strcmp(w + n - m, ext[i]) == 0)
			return true;
	}
	return stat(w, &st) == 0 && S_ISREG(st.st_mode);
}

static void filter_hint(const char *filter)
{
	char *copy = strdup(filter);
	if (copy == NULL)
		return;
	for (char *w = strtok(copy, " "); w; w = strtok(NULL, " "))
		if (looks_like_capture_name(w)) {
			fprintf(stderr, "pcapstate: hint: '%s' looks like a capture file; read it with -r %s\n", w, w);
			break;
		}
	free(copy);
}

/* The min-heap of active inputs, ordered by their current frame's time (then input order). */
struct heap {
	struct in **v;
	size_t n;
};

static bool heap_less(const struct in *a, const struct in *b)
{
	if (a->cap.ts_ns != b->cap.ts_ns)
		return a->cap.ts_ns < b->cap.ts_ns;
	return a->order < b->order;
}

static void heap_push(struct heap *h, struct in *x)
{
	size_t i = h->n++;
	h->v[i] = x;
	while (i > 0 && heap_less(h->v[i], h->v[(i - 1) / 2])) {
		struct in *t = h->v[i]; h->v[i] = h->v[(i - 1) / 2]; h->v[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static struct in *heap_pop(struct heap *h)
{
	struct in *top = h->v[0];
	h->v[0] = h->v[--h->n];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < h->n && heap_less(h->v[l], h->v[m])) m = l;
		if (r < h->n && heap_less(h->v[r], h->v[m])) m = r;
		if (m == i) break;
		struct in *t = h->v[i]; h->v[i] = h->v[m]; h->v[m] = t;
		i = m;
	}
	return top;
}

static void progress(const struct run_opts *o, uint64_t pkts, time_t *last, bool force)
{
	if (!o->progress)
		return;
	time_t now = time(NULL);
	if (!force && now == *last)
		return;
	*last = now;
	fprintf(stderr, "\rpcapstate: %llu packets%s", (unsigned long long)pkts, force ? "\n" : "");
}

int run_analyze(struct run_opts *o)
{
	size_t n = o->inputs.n;
	struct in *ins = calloc(n ? n : 1, sizeof *ins);
	struct in **order = calloc(n ? n : 1, sizeof *order);
	struct heap heap = { calloc(n ? n : 1, sizeof *heap.v), 0 };
	int worst = 0;
	char err[1024];
	struct store *st = NULL;
	struct analyzer an;
	bool an_ok = false;

	if (ins == NULL || order == NULL || heap.v == NULL) {
		fprintf(stderr, "pcapstate: out of memory\n");
		free(ins); free(order); free(heap.v);
		return 5;
	}

	/* Pass 1: open every input once: is it a capture, does the filter compile, first time. */
	bool db_existed = access(o->db, F_OK) == 0;
	size_t not_captures = 0;
	for (size_t i = 0; i < n; i++) {
		struct in *x = &ins[i];
		x->path = o->inputs.paths[i];
		x->order = i;
		x->first_ts = INT64_MAX;
		x->is_stdin = strcmp(x->path, "-") == 0;
		if (o->inputs.from_dir[i] && !inputs_looks_like_capture(x->path)) {
			/* A directory holds notes and READMEs too: only captures are inputs. */
			not_captures++;
			continue;
		}
		int rc = capture_open(&x->cap, x->path, o->filter, err, sizeof err);
		if (rc == 2) {
			fprintf(stderr, "pcapstate: %s\n", err);
			filter_hint(o->filter);
			for (size_t j = 0; j < i; j++)
				if (ins[j].open)
					capture_close(&ins[j].cap);
			free(ins); free(order); free(heap.v);
			return 2;
		}
		if (rc != 0) {
			fprintf(stderr, "pcapstate: %s\n", err);
			if (worst < 3)
				worst = 3;
			continue;
		}
		x->usable = true;
		x->open = true;
		if (capture_next(&x->cap) == CAP_OK)
			x->first_ts = x->cap.ts_ns;
		if (!x->is_stdin) {
			capture_close(&x->cap);
			x->open = false;
		}
	}

	if (not_captures && !o->quiet)
		fprintf(stderr, "pcapstate: %zu file%s in the given directories %s not captures: skipped\n",
		    not_captures, not_captures == 1 ? "" : "s", not_captures == 1 ? "is" : "are");
	struct store_kind kinds[AN_MAX];
	for (int k = 0; k < AN_MAX; k++) {
		const struct anomaly_info *ai = anomaly_info((enum anomaly_kind)k);
		kinds[k] = (struct store_kind){ ai->name, ai->severity, ai->scope, ai->description };
	}
	st = store_open(o->db, kinds, AN_MAX, err, sizeof err);
	if (st == NULL) {
		fprintf(stderr, "pcapstate: %s\n", err);
		for (size_t i = 0; i < n; i++)
			if (ins[i].open)
				capture_close(&ins[i].cap);
		free(ins); free(order); free(heap.v);
		return 4;
	}
	struct sink sink = store_sink(st);

	/* Inputs already complete in the database (same SHA-256) are skipped. */
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		struct in *x = &ins[i];
		if (!x->usable)
			continue;
		if (db_existed && !x->is_stdin && hash_file(x->path, x->sha) == 0) {
			int k = store_input_known(st, x->sha);
			if (k < 0)
				goto dbfail;
			if (k == 1) {
				if (!o->quiet)
					fprintf(stderr, "pcapstate: %s: already in %s (same SHA-256), skipped\n",
					    x->path, o->db);
				x->skip = true;
				continue;
			}
		}
		order[m++] = x;
	}
	qsort(order, m, sizeof *order, cmp_in);

	int64_t first_id = store_next_flow_id(st);
	if (first_id < 0)
		goto dbfail;
	if (analyze_init(&an, &o->aopt, &sink, first_id) != 0) {
		fprintf(stderr, "pcapstate: out of memory\n");
		store_abandon(st, err, sizeof err);
		free(ins); free(order); free(heap.v);
		return 5;
	}
	an_ok = true;

	/* Pass 2: the chronological merge. An input joins the heap when the stream reaches its
	 * first packet, so a rotation set keeps one or two files open at a time. */
	size_t next = 0;
	uint64_t total = 0;
	time_t last_progress = 0;
	struct segment seg;
	while (!run_interrupted && !an.failed) {
		while (next < m && (heap.n == 0 || order[next]->first_ts <= heap.v[0]->cap.ts_ns)) {
			struct in *x = order[next++];
			if (!x->open) {
				int rc = capture_open(&x->cap, x->path, o->filter, err, sizeof err);
				if (rc != 0) {
					fprintf(stderr, "pcapstate: %s\n", err);
					if (worst < 3)
						worst = 3;
					continue;
				}
				x->open = true;
			}
			x->rec.path = x->path;
			x->rec.size = instream_size(x->cap.in);
			x->rec.sha256 = x->sha[0] ? x->sha : "";
			x->rec.format = x->cap.format ? x->cap.format : "pcap";
			x->rec.compression = instream_compression_name(instream_compression(x->cap.in));
			x->rec.link_type = x->cap.dlt;
			x->rec.snaplen = x->cap.snaplen;
			x->rec.status = "running";
			if (sink.input_begin(sink.ctx, &x->rec) != 0)
				goto dbfail;
			analyze_input_start(&an, x->rec.id);
			if (x->is_stdin && x->cap.frame == 1) {
				/* stdin's first frame was read in pass 1 and is still current */
			} else if (x->cap.status == CAP_OK && x->cap.frame == 0) {
				capture_next(&x->cap);
			}
			/* An input that ended at once (empty or damaged) is popped and closed below. */
			heap_push(&heap, x);
		}
		if (heap.n == 0)
			break;
		struct in *x = heap_pop(&heap);
		if (x->cap.status == CAP_OK) {
			const struct pcap_pkthdr *h = x->cap.hdr;
			total++;
			x->rec.packets++;
			if (x->rec.first_ts == 0 || x->cap.ts_ns < x->rec.first_ts)
				x->rec.first_ts = x->cap.ts_ns;
			if (x->cap.ts_ns > x->rec.last_ts)
				x->rec.last_ts = x->cap.ts_ns;
			if (x->rec.packets > 1 && x->cap.ts_ns < x->prev_ts) {
				char d[160];
				snprintf(d, sizeof d, "frame %llu is %.6f s earlier than the frame before it",
				    (unsigned long long)x->cap.frame, (double)(x->prev_ts - x->cap.ts_ns) / 1e9);
				analyze_capture_anomaly(&an, AN_TIMESTAMP_REGRESSION, x->rec.id, x->cap.frame,
				    x->cap.ts_ns, d);
			}
			x->prev_ts = x->cap.ts_ns;
			enum decode_status ds = decode_frame(x->cap.pkt_dlt, x->cap.data, h->caplen, h->len, &seg);
			if (ds == DECODE_OK) {
				x->rec.tcp_packets++;
				seg.ts_ns = x->cap.ts_ns;
				seg.frame = x->cap.frame;
				seg.input_id = (uint32_t)x->rec.id;
				analyze_segment(&an, &seg);
			} else if (ds == DECODE_TRUNCATED || ds == DECODE_MALFORMED || ds == DECODE_FRAGMENT) {
				enum anomaly_kind k = ds == DECODE_TRUNCATED ? AN_TRUNCATED_PACKET :
				    ds == DECODE_MALFORMED ? AN_MALFORMED_PACKET : AN_IP_FRAGMENT;
				if (ds == DECODE_TRUNCATED)
					x->rec.truncated_packets++;
				else if (ds == DECODE_MALFORMED)
					x->rec.malformed_packets++;
				char d[200];
				snprintf(d, sizeof d, "frame %llu (%u of %u bytes captured): %s",
				    (unsigned long long)x->cap.frame, h->caplen, h->len, decode_status_name(ds));
				analyze_capture_anomaly(&an, k, x->rec.id, x->cap.frame, x->cap.ts_ns, d);
			}
			progress(o, total, &last_progress, false);
			if (capture_next(&x->cap) == CAP_OK) {
				heap_push(&heap, x);
				continue;
			}
		}
		/* The input ended: cleanly or damaged. */
		if (x->cap.status == CAP_DAMAGED) {
			fprintf(stderr, "pcapstate: %s\n", x->cap.error);
			snprintf(x->errbuf, sizeof x->errbuf, "%s", x->cap.error);
			x->rec.error = x->errbuf;
			if (x->cap.mixed_link_types) {
				/* Not damage: a file libpcap cannot read past this point (exit 3). */
				x->rec.status = "error";
				if (worst < 3)
					worst = 3;
			} else {
				x->rec.status = "truncated";
				if (worst < 1)
					worst = 1;
			}
		} else {
			x->rec.status = "complete";
		}
		instream_finish_hash(x->cap.in, x->sha);
		x->rec.sha256 = x->sha;
		if (sink.input_end(sink.ctx, &x->rec) != 0)
			goto dbfail;
		capture_close(&x->cap);
		x->open = false;
	}
	progress(o, total, &last_progress, true);

	if (run_interrupted) {
		/* Keep what was committed; the interrupted inputs stay 'running' (incomplete). */
		fprintf(stderr, "pcapstate: interrupted: committed results kept; interrupted inputs are "
		    "marked incomplete and will be analysed again from their start\n");
		for (size_t i = 0; i < n; i++)
			if (ins[i].open)
				capture_close(&ins[i].cap);
		analyze_free(&an);
		if (store_suspend(st, err, sizeof err) != 0)
			fprintf(stderr, "pcapstate: %s: %s\n", o->db, err);
		free(ins); free(order); free(heap.v);
		return 130;
	}
	if (an.failed || analyze_finish(&an) != 0)
		goto dbfail;
	if (an.evicted && !o->quiet)
		fprintf(stderr, "pcapstate: %llu connections evicted by the --max-flows cap\n",
		    (unsigned long long)an.evicted);
	analyze_free(&an);
	if (store_close(st, err, sizeof err) != 0) {
		fprintf(stderr, "pcapstate: %s: %s\n", o->db, err);
		free(ins); free(order); free(heap.v);
		return 4;
	}
	free(ins); free(order); free(heap.v);
	return worst;

dbfail:
	fprintf(stderr, "pcapstate: %s\n", store_errmsg(st));
	for (size_t i = 0; i < n; i++)
		if (ins[i].open)
			capture_close(&ins[i].cap);
	if (an_ok)
		analyze_free(&an);
	store_abandon(st, err, sizeof err);
	free(ins); free(order); free(heap.v);
	return 4;
}
