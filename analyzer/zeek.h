/* zeek.h - a model of Zeek's per-connection TCP bookkeeping: conn_state, history and role flips. */
#ifndef PCAPSTATE_ZEEK_H
#define PCAPSTATE_ZEEK_H

#include <stddef.h>
#include <stdint.h>

#include "segment.h"

/*
 * What this reproduces, and from where (zeek/zeek, 8.x source):
 *   - the endpoint state machine (INACTIVE .. RESET) and its transitions per flag combination:
 *     src/packet_analysis/protocol/tcp/TCPSessionAdapter.cc (Process, Update*State,
 *     ConnectionClosed, IsReuse, the timers), src/analyzer/protocol/tcp/TCP_Endpoint.{h,cc};
 *   - the history letters: update_history() in TCPSessionAdapter.cc, Session::CheckHistory and
 *     ScaledHistoryEntry (src/session/Session.{h,cc}), TCP_Endpoint::DidRxmit/ZeroWindow/Gap;
 *   - content gaps ('g'): src/analyzer/protocol/tcp/TCP_Reassembler.cc (AckReceived,
 *     Undelivered, Gap) and src/Reassem.cc (DataBlockList::Trim);
 *   - role flips: TCPAnalyzer::WantConnection (src/packet_analysis/protocol/tcp/TCP.cc),
 *     IPBasedAnalyzer::NewConn, Connection::FlipRoles (src/Conn.cc), the SYN/SYN-ACK reversal in
 *     UpdateInactiveState, and the flip of a connection that starts with a SYN-ACK once an ACK
 *     or data follows (zeek/zeek PR #2191);
 *   - conn_state: function conn_state() in scripts/base/protocols/conn/main.zeek;
 *   - timer constants: scripts/base/init-bare.zeek.
 *
 * Assumptions, stated once:
 *   - Zeek runs with -C (checksums ignored).  A caller that does verify checksums reports a bad
 *     segment with zeek_bad_checksum() instead of zeek_segment(); Zeek then only adds 'C'/'c'.
 *   - TCP reassembly is on for every connection (Zeek's default dpd_reassemble_first_packets=T),
 *     so content gaps are reported; report_gaps_for_partial and detect_filtered_trace are F.
 *   - Event handlers that only exist in some script sets are absent: no ResetTimer and no
 *     PartialCloseTimer (they need connection_reset / connection_partial_close handlers).
 *   - Timers that Zeek fires when *any* packet advances network time are evaluated lazily, when
 *     this connection's next segment arrives, as if traffic were dense (a timer due at T fires
 *     at T).  zeek_starts_new() tells the caller when such a timer, or a reused 4-tuple, would
 *     have made Zeek end the connection.
 *   - Analyzer-driven flips (DNS, NTP, ...) and the 'x' letter are not modelled (not TCP state).
 */

/* Zeek's endpoint states; the values are Zeek's own (init-bare.zeek TCP_INACTIVE .. TCP_RESET). */
enum zeek_tcp_state {
	ZEEK_INACTIVE = 0,
	ZEEK_SYN_SENT = 1,
	ZEEK_SYN_ACK_SENT = 2,
	ZEEK_PARTIAL = 3,
	ZEEK_ESTABLISHED = 4,
	ZEEK_CLOSED = 5,
	ZEEK_RESET = 6
};

/* Out-of-order data ranges kept per endpoint to tell a content gap from data seen out of order. */
#define ZEEK_MAX_BLOCKS 8
/* Zeek's history is unbounded; repeated f/h/r/s on new sequence numbers stop being recorded here. */
#define ZEEK_HISTORY_MAX 96

/* One side of the connection, kept with the physical host (Zeek swaps roles, not data). */
struct zeek_endpoint {
	uint8_t state, prev_state;
	uint8_t did_close;          /* Zeek reported this side closed (TCP_Endpoint::did_close) */
	uint8_t did_eof;            /* the reassembler delivered everything up to the FIN/RST */
	uint8_t skip_deliveries;    /* the reassembler gave up on this side */
	uint8_t nblocks;
	int64_t start_seq;          /* signed, as Zeek keeps it */
	uint32_t last_seq, ack_seq; /* ack_seq: how far the peer acknowledged this side's data */
	uint32_t seq_wraps, ack_wraps;
	uint64_t hist_last_syn, hist_last_fin, hist_last_rst;
	uint64_t fin_seq;           /* relative sequence number one past the FIN */
	uint32_t fin_cnt, rst_cnt;
	int64_t last_time;          /* 0 until this side sent something */
	/* logarithmic history counters: next letter when cnt reaches thresh (1, 10, 100, ...) */
	uint32_t chk_cnt, chk_thresh, rxmt_cnt, rxmt_thresh;
	uint32_t win0_cnt, win0_thresh, gap_cnt, gap_thresh;
	/* reassembly, in relative sequence numbers (first data byte is 1) */
	uint64_t reassem_seq;       /* next byte not yet delivered in order */
	uint64_t trim_seq;          /* everything below was acknowledged and forgotten */
	uint64_t blk_seq[ZEEK_MAX_BLOCKS], blk_upper[ZEEK_MAX_BLOCKS]; /* sorted, disjoint */
};

/* A connection as Zeek sees it; embed it, no allocation.  Initialise with zeek_init(). */
struct zeek_conn {
	struct zeek_endpoint ep[2];  /* [0] = the host that sent the first segment, [1] = its peer */
	uint8_t ep0_addr[16];        /* identity of ep[0], so dir can follow the caller's view */
	uint16_t ep0_port;
	uint8_t started;
	uint8_t zorig;               /* index in ep[] of Zeek's originator */
	uint8_t corig;               /* index in ep[] of the caller's originator (last segment's dir) */
	uint8_t first_packet_seen;   /* bit 1: Zeek's originator, bit 2: responder */
	uint8_t is_partial;
	uint8_t is_active;
	uint8_t close_deferred, deferred_gen_event;
	uint8_t custom_ports;        /* zeek_set_server_ports() was called */
	uint32_t hist_seen;          /* once-only letters: low 16 bits originator, high responder */
	size_t hist_len;
	char history[ZEEK_HISTORY_MAX + 1];
	int64_t start_time, last_time;        /* ns; last_time is Zeek's Connection::LastTime() */
	int64_t inactivity_timeout;           /* ns */
	int64_t attempt_at;                   /* 0 = no AttemptTimer pending */
	int64_t expire_at[3];                 /* pending ExpireTimer chains, 0 = unused */
	int64_t delete_at;                    /* ConnDeleteTimer after a complete close, 0 = none */
	const uint16_t *server_ports;         /* likely_server_ports (TCP) when custom_ports */
	size_t n_server_ports;
};

/* Resets *z to a connection that has seen nothing, with Zeek's default likely_server_ports. */
void zeek_init(struct zeek_conn *z);

/*
 * Replaces likely_server_ports (TCP port numbers, host order) with ports[0..n).  Zeek's set
 * depends on the scripts loaded: the default list is what the full default script set registers;
 * "zeek -b" runs only have the ports of the protocols the script loads (pass n = 0 for none).
 * The array is not copied and must outlive *z.  Call after zeek_init(), before the first segment.
 */
void zeek_set_server_ports(struct zeek_conn *z, const uint16_t *ports, size_t n);

/*
 * Feeds one segment.  dir: 0 = the segment was sent by the side pcapstate currently calls the
 * originator, 1 = responder.  The model tells the hosts apart by address and port, so pcapstate
 * may change its own view between segments; dir only says what that view is.  Constant work.
 */
void zeek_segment(struct zeek_conn *z, int dir, const struct segment *seg);

/*
 * A segment whose TCP checksum is bad, for callers that verify checksums (Zeek without -C):
 * Zeek creates the connection from it (role decision included) but only records 'C' or 'c'.
 */
void zeek_bad_checksum(struct zeek_conn *z, int dir, const struct segment *seg);

/*
 * Returns 1 if Zeek would not give this segment to the existing connection: a timer removed the
 * connection before seg->ts_ns (attempt, expire, close or inactivity timer), or the segment is a
 * SYN (or a SYN-ACK on a half-open connection) that IsReuse() treats as a new connection.  The
 * caller then reports *z as finished, calls zeek_init() and feeds seg as the first segment of a
 * new connection.  Returns 0 for a connection that has seen nothing.
 */
int zeek_starts_new(const struct zeek_conn *z, int dir, const struct segment *seg);

/* Zeek's conn_state ("SF", "S0", "REJ", "OTH", ...), or "" before the first segment. */
const char *zeek_conn_state(const struct zeek_conn *z);

/* Zeek's history string, e.g. "ShADadFf"; "" when nothing was recorded. */
const char *zeek_history(const struct zeek_conn *z);

/*
 * 1 if Zeek's originator is the host the caller (as of the last segment's dir) calls the
 * responder.  Zeek marks each of its own swaps with '^' in the history.
 */
int zeek_flipped(const struct zeek_conn *z);

/* Zeek's state of the endpoint in Zeek's originator (resp = 0) or responder (resp = 1) role. */
enum zeek_tcp_state zeek_endpoint_state(const struct zeek_conn *z, int resp);

/* Zeek's payload byte count (TCP_Endpoint::Size(), from sequence numbers) for the same roles. */
uint64_t zeek_endpoint_size(const struct zeek_conn *z, int resp);

#endif
