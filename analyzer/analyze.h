/* analyze.h - the analysis pipeline: segments in, flows/transitions/anomalies out to a sink. */
#ifndef PCAPSTATE_ANALYZE_H
#define PCAPSTATE_ANALYZE_H

#include <stdbool.h>
#include <stdint.h>

#include "anomaly.h"
#include "flowtab.h"
#include "hostwatch.h"
#include "segment.h"
#include "sink.h"

struct analyze_opts {
	int64_t msl_ns;              /* TIME_WAIT lasts 2*MSL (--msl, default 30 s) */
	int64_t idle_ns;             /* idle connections stop being tracked (--idle-timeout) */
	int64_t stuck_ns;            /* close_wait_stuck / fin_wait_2_stuck threshold */
	uint32_t syn_flood_threshold;
	uint32_t tw_pileup_threshold;
	uint32_t half_open_retrans;  /* retransmissions into silence that make a half-open */
	size_t max_flows;            /* connection cap: the oldest idle are evicted beyond it */
	uint32_t max_anomalies_per_flow;
	uint32_t max_capture_anomalies;   /* per input and kind */
};

void analyze_default_opts(struct analyze_opts *o);

struct analyzer {
	struct analyze_opts opt;
	struct sink *sink;
	struct flowtab tab;
	struct hostwatch hosts;
	int64_t next_flow_id;
	int64_t now;                 /* latest capture time seen */
	int64_t last_expiry_check;
	uint64_t evicted;
	int64_t flows_emitted;
	bool failed;                 /* the sink failed: stop */
	uint32_t cap_anomaly_count[AN_MAX];
	int64_t cur_input;
};

/* Returns 0, or -1 when out of memory. FIRST_FLOW_ID makes ids continue a database's. */
int analyze_init(struct analyzer *an, const struct analyze_opts *o, struct sink *sink,
    int64_t first_flow_id);
/* Feeds one decoded segment (ts_ns, frame and input_id set). Returns -1 once the sink failed. */
int analyze_segment(struct analyzer *an, const struct segment *seg);
/* Records a capture-level finding (truncated, malformed, fragment, timestamp regression). */
int analyze_capture_anomaly(struct analyzer *an, enum anomaly_kind k, int64_t input_id,
    uint64_t frame, int64_t ts, const char *detail);
/* Call when a new input starts: capture-level anomaly caps are per input. */
void analyze_input_start(struct analyzer *an, int64_t input_id);
/* Ends every live flow (states still held are recorded with evidence "end") and writes them. */
int analyze_finish(struct analyzer *an);
void analyze_free(struct analyzer *an);

/* Used by the detectors (detect.c) and the host watch: queue an anomaly on a flow. */
void analyze_flow_anomaly(struct analyzer *an, struct flow *f, enum anomaly_kind k, int endpoint,
    int64_t ts, int64_t input_id, uint64_t frame, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));
/* Emits a host-level anomaly straight to the sink. */
int analyze_host_anomaly(struct analyzer *an, enum anomaly_kind k, const char *host, int64_t ts,
    const char *detail);
/* The one setter: every state change of every endpoint passes here and is recorded. */
void endpoint_set_state(struct analyzer *an, struct flow *f, int ep, int to, int evidence,
    const char *trigger, int64_t ts, int64_t input_id, uint64_t frame);

/* Formats an address of AF (4/6) into buf (INET6_ADDRSTRLEN). */
void analyze_addr_str(int af, const uint8_t *addr, char *buf, size_t len);

#endif
