/* flow.h - one TCP connection as two peers (pf/Zeek style) with their sequence facts and pending records. */
#ifndef PCAPSTATE_FLOW_H
#define PCAPSTATE_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "segment.h"
#include "sink.h"
#include "zeek.h"

#define SEQ_HOLES 4

/* Canonical key: side 0 is the lower (address, port); direction-free. */
struct flow_key {
	uint8_t af;
	uint8_t pad;
	uint16_t port[2];
	uint8_t addr[2][16];
};

struct endpoint {
	uint8_t state;             /* enum tcp_state */
	uint8_t side;              /* which key side this endpoint is */
	bool isn_valid, fin_valid, syn_seen, fin_seen, rst_seen, synack_seen, seen_any;
	uint8_t wscale;            /* our window-scale shift, valid when both SYNs offered it */
	bool wscale_offered;
	uint32_t isn;              /* our initial sequence number */
	uint32_t isn_from_peer;    /* one-sided: our ISN as the peer's SYN-ACK acknowledges it */
	bool isn_from_peer_valid;
	uint32_t snd_max;          /* highest seq+len (incl. SYN/FIN) we sent: what the peer may ack */
	uint32_t fin_seq;          /* seq of our FIN */
	uint32_t last_ack;         /* last ACK number we sent */
	uint32_t last_win;         /* last raw window we advertised */
	bool ack_valid;
	bool zero_win;             /* currently advertising a zero window */
	uint32_t holes[SEQ_HOLES][2];   /* our sequence ranges the capture never saw */
	uint8_t nholes;
	int64_t state_ts;          /* when the current state was entered */
	int64_t last_ts;           /* last segment sent */
	int64_t pkts, bytes;
	int64_t retrans, dup_acks, keepalives, zwin_probes, missed_bytes;
	uint32_t fin_count, syn_count, synack_count;
	uint32_t last_fin_frame, last_syn_frame;
	int64_t last_data_retrans_ts;   /* last retransmission into silence (half-open) */
	uint32_t retrans_since_peer;    /* retransmissions since the peer last sent anything */
	int64_t zero_win_start;
	uint64_t zero_win_frame;
	uint32_t zero_win_input;
	int64_t fin_ack_seen_ts;        /* when an ACK covering our FIN was seen */
	int64_t fin_retx_after_ack_ts;  /* a FIN retransmitted after its ACK was seen */
	uint64_t fin_retx_after_ack_frame;
	uint32_t fin_retx_after_ack_input;
	int64_t first_fin_ts;
};

/* A transition or anomaly waiting for the flow row to be written (flow first, then these). */
struct pending {
	int kind;                  /* 0 transition (t), 1 anomaly (a) */
	union {
		struct transition_rec t;
		struct anomaly_rec a;
	};
	char *detail;              /* owned (anomalies) */
};

struct flow {
	int64_t id;
	struct flow_key key;
	struct endpoint ep[2];     /* [0] originator, [1] responder */
	bool midstream, one_sided_checked;
	bool orig_by_syn;          /* orientation proven by a SYN */
	bool simopen_reported;
	int8_t prev_dir;           /* sender of the previous segment, -1 before the first */
	int64_t first_ts, last_ts;
	uint32_t first_input;
	uint64_t first_frame;
	uint32_t first_frame_input;
	bool done;                 /* both closed: lingering for late segments */
	bool in_expiry;            /* on the expiry list */
	int64_t expire_at;         /* TIME_WAIT end or linger end */
	bool syn_rcvd_counted;     /* counted in the SYN flood host table */
	bool tw_counted[2];        /* counted in the TIME_WAIT pile-up table */
	struct zeek_conn zeek;
	struct pending *pend;
	uint32_t npend, cappend;
	uint32_t anomalies_dropped;
	struct flow *hnext;        /* hash chain */
	struct flow *lru_prev, *lru_next;      /* by last activity */
	struct flow *exp_prev, *exp_next;      /* by expiry deadline */
	struct flow *all_prev, *all_next;      /* creation order */
};

#endif
