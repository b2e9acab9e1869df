/* fuzz_pipeline.c - libFuzzer harness: a whole capture file -> capture, decode, analyze, checked sink. */
/*
 * The input is a capture file as stored (pcap, pcapng, or gzip/zstd/xz of either): it is written
 * to a memfd and opened by capture_open() through /proc/self/fd/N, so instream (hashing,
 * decompression, pcapng patching), libpcap's pcap_fopen_offline_with_tstamp_precision(), the
 * decoder and the analyzer all run as run.c drives them for one input. The sink keeps nothing:
 * it checks every record against the contract of sink.h and the state vocabulary, and aborts
 * with a message on a violation.
 *
 * The analyzer runs with small caps so that a small input reaches eviction and the host
 * detectors. A crashing input reproduces with the command-line tool:
 *   pcapstate analyze -q -d /tmp/x.db --max-flows 16 --syn-flood 4 --time-wait-pileup 4 -r FILE
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "analyze.h"
#include "capture.h"
#include "decode.h"
#include "sink.h"
#include "tcpstate.h"

#define FIRST_FLOW_ID 1

static void violated(const char *what, const char *expr)
{
	fprintf(stderr, "fuzz_pipeline: sink contract violated in %s: %s\n", what, expr);
	abort();
}
#define REQUIRE(what, cond) do { if (!(cond)) violated(what, #cond); } while (0)

/* Reads every byte of a string the analyzer handed over: ASan checks the pointer. */
static size_t touch(const char *s)
{
	return s ? strlen(s) : 0;
}

struct vsink {
	int64_t next_input_id;
	bool in_input;
	/* The flow whose transitions and anomalies are arriving now. */
	int64_t cur_flow;
	int cur_final[2];
	int last_to[2];
	bool have_tr[2];
	/* Which flow ids were written (bit per id - FIRST_FLOW_ID). */
	uint8_t *seen;
	size_t seen_bytes;
	uint64_t flows, transitions, anomalies;
};

static bool state_ok(int s) { return s >= 0 && s < ST_MAX; }

/* The transitions of the previous flow ended in the states its flow row gave. */
static void close_flow(struct vsink *v)
{
	for (int i = 0; i < 2; i++)
		if (v->have_tr[i])
			REQUIRE("flow end", v->last_to[i] == v->cur_final[i]);
	v->have_tr[0] = v->have_tr[1] = false;
}

static int vs_input_begin(void *ctx, struct input_rec *in)
{
	struct vsink *v = ctx;
	REQUIRE("input_begin", !v->in_input);
	touch(in->path); touch(in->format); touch(in->compression); touch(in->status);
	in->id = ++v->next_input_id;
	v->in_input = true;
	return 0;
}

static int vs_input_end(void *ctx, const struct input_rec *in)
{
	struct vsink *v = ctx;
	REQUIRE("input_end", v->in_input && in->id == v->next_input_id);
	REQUIRE("input_end", in->sha256 != NULL && strlen(in->sha256) == 64);
	REQUIRE("input_end", in->status != NULL);
	REQUIRE("input_end", in->packets >= in->tcp_packets && in->tcp_packets >= 0);
	REQUIRE("input_end", in->first_ts <= in->last_ts);
	touch(in->error);
	v->in_input = false;
	return 0;
}

static int vs_flow(void *ctx, const struct flow_rec *f)
{
	struct vsink *v = ctx;
	close_flow(v);
	REQUIRE("flow", f->id >= FIRST_FLOW_ID);
	size_t bit = (size_t)(f->id - FIRST_FLOW_ID);
	if (bit / 8 >= v->seen_bytes) {
		size_t n = v->seen_bytes ? v->seen_bytes : 64;
		while (bit / 8 >= n)
			n *= 2;
		uint8_t *p = realloc(v->seen, n);
		if (p == NULL)
			abort();
		memset(p + v->seen_bytes, 0, n - v->seen_bytes);
		v->seen = p;
		v->seen_bytes = n;
	}
	REQUIRE("flow", !(v->seen[bit / 8] & (1u << (bit % 8))));   /* written once */
	v->seen[bit / 8] |= (uint8_t)(1u << (bit % 8));
	REQUIRE("flow", f->uid != NULL && f->uid[0] == 'C');
	REQUIRE("flow", f->community_id != NULL && f->orig_addr != NULL && f->resp_addr != NULL);
	REQUIRE("flow", f->conn_state != NULL && f->history != NULL);
	touch(f->uid); touch(f->community_id); touch(f->orig_addr); touch(f->resp_addr);
	touch(f->conn_state); touch(f->history);
	REQUIRE("flow", f->ip_version == 4 || f->ip_version == 6);
	REQUIRE("flow", f->orig_port >= 0 && f->orig_port <= 65535);
	REQUIRE("flow", f->resp_port >= 0 && f->resp_port <= 65535);
	REQUIRE("flow", f->first_ts <= f->last_ts);
	REQUIRE("flow", f->orig_pkts >= 0 && f->resp_pkts >= 0 && f->orig_pkts + f->resp_pkts > 0);
	REQUIRE("flow", f->orig_bytes >= 0 && f->resp_bytes >= 0);
	REQUIRE("flow", state_ok(f->orig_state) && state_ok(f->resp_state));
	REQUIRE("flow", f->midstream == 0 || f->midstream == 1);
	v->cur_flow = f->id;
	v->cur_final[0] = f->orig_state;
	v->cur_final[1] = f->resp_state;
	v->flows++;
	return 0;
}

static int vs_transition(void *ctx, const struct transition_rec *t)
{
	struct vsink *v = ctx;
	REQUIRE("transition", v->cur_flow != 0 && t->flow_id == v->cur_flow);
	REQUIRE("transition", t->endpoint == 0 || t->endpoint == 1);
	REQUIRE("transition", state_ok(t->from_state) && state_ok(t->to_state));
	REQUIRE("transition", t->evidence >= 0 && t->evidence < EVIDENCE_MAX);
	REQUIRE("transition", t->from_state != t->to_state || t->evidence == EV_END ||
	    t->evidence == EV_TIMEOUT);
	REQUIRE("transition", t->trigger != NULL);
	touch(t->trigger);
	int ep = t->endpoint;
	if (v->have_tr[ep])
		REQUIRE("transition", t->from_state == v->last_to[ep]);   /* one unbroken chain */
	else
		REQUIRE("transition", t->from_state == ST_UNKNOWN || t->from_state == ST_CLOSED ||
		    t->from_state == ST_LISTEN);
	v->have_tr[ep] = true;
	v->last_to[ep] = t->to_state;
	v->transitions++;
	return 0;
}

static int vs_anomaly(void *ctx, const struct anomaly_rec *a)
{
	struct vsink *v = ctx;
	REQUIRE("anomaly", a->kind != NULL && a->kind[0] != '\0');
	REQUIRE("anomaly", a->severity != NULL && (strcmp(a->severity, "info") == 0 ||
	    strcmp(a->severity, "warning") == 0 || strcmp(a->severity, "error") == 0));
	REQUIRE("anomaly", a->endpoint >= -1 && a->endpoint <= 1);
	if (a->flow_id != 0)
		REQUIRE("anomaly", a->flow_id == v->cur_flow);
	touch(a->kind); touch(a->host); touch(a->detail);
	v->anomalies++;
	return 0;
}

static int memfd = -1;
static char memfd_path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (memfd < 0) {
		memfd = memfd_create("fuzz_pipeline", 0);
		if (memfd < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(memfd_path, sizeof memfd_path, "/proc/self/fd/%d", memfd);
	}
	if (ftruncate(memfd, 0) != 0 || (size > 0 && pwrite(memfd, data, size, 0) != (ssize_t)size)) {
		perror("memfd write");
		abort();
	}

	struct capture cap;
	char err[1024];
	if (capture_open(&cap, memfd_path, NULL, err, sizeof err) != 0)
		return 0;

	struct vsink v = { 0 };
	struct sink sink = { &v, vs_input_begin, vs_input_end, vs_flow, vs_transition, vs_anomaly };
	struct analyze_opts o;
	analyze_default_opts(&o);
	o.max_flows = 16;
	o.syn_flood_threshold = 4;
	o.tw_pileup_threshold = 4;
	struct analyzer an;
	if (analyze_init(&an, &o, &sink, FIRST_FLOW_ID) != 0)
		abort();

	struct input_rec rec = { .path = memfd_path, .size = (int64_t)size, .sha256 = "",
		.format = cap.format ? cap.format : "pcap", .compression = "?",
		.link_type = cap.dlt, .snaplen = cap.snaplen, .status = "running" };
	sink.input_begin(sink.ctx, &rec);
	analyze_input_start(&an, rec.id);
	int64_t prev_ts = 0;
	struct segment seg;
	while (!an.failed && capture_next(&cap) == CAP_OK) {
		const struct pcap_pkthdr *h = cap.hdr;
		REQUIRE("capture", h != NULL && cap.frame > 0);
		REQUIRE("capture", h->caplen == 0 || cap.data != NULL);
		rec.packets++;
		if (rec.first_ts == 0 || cap.ts_ns < rec.first_ts)
			rec.first_ts = cap.ts_ns;
		if (cap.ts_ns > rec.last_ts)
			rec.last_ts = cap.ts_ns;
		if (rec.packets > 1 && cap.ts_ns < prev_ts)
			analyze_capture_anomaly(&an, AN_TIMESTAMP_REGRESSION, rec.id, cap.frame, cap.ts_ns,
			    "timestamp regression");
		prev_ts = cap.ts_ns;
		enum decode_status ds = decode_frame(cap.pkt_dlt, cap.data, h->caplen, h->len, &seg);
		if (ds == DECODE_OK) {
			rec.tcp_packets++;
			seg.ts_ns = cap.ts_ns;
			seg.frame = cap.frame;
			seg.input_id = (uint32_t)rec.id;
			analyze_segment(&an, &seg);
		} else if (ds == DECODE_TRUNCATED || ds == DECODE_MALFORMED || ds == DECODE_FRAGMENT) {
			enum anomaly_kind k = ds == DECODE_TRUNCATED ? AN_TRUNCATED_PACKET :
			    ds == DECODE_MALFORMED ? AN_MALFORMED_PACKET : AN_IP_FRAGMENT;
			analyze_capture_anomaly(&an, k, rec.id, cap.frame, cap.ts_ns, decode_status_name(ds));
		}
	}
	if (cap.status == CAP_DAMAGED) {
		touch(cap.error);
		rec.status = "truncated";
		rec.error = cap.error;
	} else {
		rec.status = "complete";
	}
	char sha[65];
	instream_finish_hash(cap.in, sha);
	rec.sha256 = sha;
	rec.compression = instream_compression_name(instream_compression(cap.in));
	sink.input_end(sink.ctx, &rec);
	capture_close(&cap);

	REQUIRE("finish", analyze_finish(&an) == 0);
	close_flow(&v);
	/* Every flow created was written exactly once, and nothing is left in the table. */
	REQUIRE("finish", an.tab.count == 0);
	REQUIRE("finish", v.flows == (uint64_t)(an.next_flow_id - FIRST_FLOW_ID));
	REQUIRE("finish", an.flows_emitted == an.next_flow_id - FIRST_FLOW_ID);
	analyze_free(&an);
	free(v.seen);
	return 0;
}
