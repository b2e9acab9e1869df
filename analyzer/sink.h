/* sink.h - the analyzer's output interface: records out, no SQL (the store is one implementation). */
#ifndef PCAPSTATE_SINK_H
#define PCAPSTATE_SINK_H

#include <stdint.h>

/* One capture input. The analyzer fills it at input start and again at input end. */
struct input_rec {
	int64_t id;              /* assigned by the sink at input_begin */
	const char *path;        /* as given, or "-" for stdin */
	int64_t size;            /* bytes as stored (compressed size), -1 unknown */
	const char *sha256;      /* lowercase hex of the bytes as stored */
	const char *format;      /* "pcap" or "pcapng" */
	const char *compression; /* "none", "gzip", "zstd", "xz" */
	int link_type;           /* DLT of the first interface */
	int snaplen;
	int64_t first_ts, last_ts;   /* ns; 0 when no packet */
	int64_t packets, tcp_packets;
	int64_t truncated_packets, malformed_packets;
	const char *status;      /* "running", "complete", "truncated", "error" */
	const char *error;       /* NULL or a message naming offset/packet */
};

/* A finished flow with its summary. Transitions and anomalies of the flow come right after it. */
struct flow_rec {
	int64_t id;              /* deterministic: assigned in creation order by the analyzer */
	const char *uid;         /* "C" + base62 */
	const char *community_id;
	int ip_version;
	const char *orig_addr, *resp_addr;   /* text form */
	int orig_port, resp_port;
	int64_t first_ts, last_ts;
	int64_t first_input_id;
	int64_t orig_pkts, resp_pkts, orig_bytes, resp_bytes;
	int orig_state, resp_state;          /* enum tcp_state */
	const char *conn_state, *history;    /* Zeek vocabulary */
	int midstream;
	int64_t orig_retrans, resp_retrans;
	int64_t orig_dup_acks, resp_dup_acks;
	int64_t orig_keepalives, resp_keepalives;
	int64_t orig_zero_win_probes, resp_zero_win_probes;
	int64_t orig_missed_bytes, resp_missed_bytes;
};

struct transition_rec {
	int64_t flow_id;
	int endpoint;            /* 0 orig, 1 resp */
	int64_t ts;
	int64_t input_id;        /* 0 when not tied to a frame (timeout, end) */
	int64_t frame;           /* 0 when not tied to a frame */
	int from_state, to_state;
	const char *trigger;     /* short text: "SYN sent", "ACK of FIN received", ... */
	int evidence;            /* enum evidence */
};

struct anomaly_rec {
	int64_t flow_id;         /* 0 = none (host- or capture-level) */
	const char *kind;        /* catalogue name, e.g. "lost_final_ack" */
	int endpoint;            /* 0 orig, 1 resp, -1 none */
	const char *host;        /* NULL or address text */
	int64_t ts;
	int64_t input_id, frame; /* 0 when not tied to a frame */
	const char *severity;    /* "info", "warning", "error" */
	const char *detail;
};

/* Every callback returns 0 on success, -1 on failure (the sink keeps the message). */
struct sink {
	void *ctx;
	int (*input_begin)(void *ctx, struct input_rec *in);   /* sets in->id */
	int (*input_end)(void *ctx, const struct input_rec *in);
	int (*flow)(void *ctx, const struct flow_rec *f);
	int (*transition)(void *ctx, const struct transition_rec *t);
	int (*anomaly)(void *ctx, const struct anomaly_rec *a);
};

#endif
