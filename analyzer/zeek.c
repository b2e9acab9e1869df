/* zeek.c - Zeek's per-connection TCP bookkeeping (states, history, flips, conn_state), per segment. */
#include "zeek.h"

#include <stdbool.h>
#include <string.h>

/* Timer values: Zeek's defaults in scripts/base/init-bare.zeek. */
#define NS 1000000000LL
#define TCP_SYN_TIMEOUT (5 * NS)
#define TCP_SESSION_TIMER (6 * NS)
#define TCP_CONNECTION_LINGER (5 * NS)
#define TCP_ATTEMPT_DELAY (5 * NS)
#define TCP_CLOSE_DELAY (5 * NS)
#define TCP_INACTIVITY_TIMEOUT (300 * NS)
/* TCPAnalyzer::MakeSessionAdapter really starts a TCP connection on the UDP timeout (1 min);
 * leaving the handshake states switches it to tcp_inactivity_timeout. */
#define UDP_INACTIVITY_TIMEOUT (60 * NS)

/* init-bare.zeek reassembler limits, and TOO_LARGE_SEQ_DELTA from TCPSessionAdapter.cc. */
#define TCP_MAX_INITIAL_WINDOW 16384u
#define TCP_MAX_ABOVE_HOLE_WITHOUT_ANY_ACKS 16384u
#define TCP_EXCESSIVE_DATA_WITHOUT_FURTHER_ACKS (10u * 1024u * 1024u)
#define TOO_LARGE_SEQ_DELTA 1048576

/* Session::hist_seen bits (TCP_Endpoint.h HIST_*); the responder's are shifted up by 16. */
enum {
	HIST_SYN_PKT = 0x1,
	HIST_FIN_PKT = 0x2,
	HIST_RST_PKT = 0x4,
	HIST_FIN_RST_PKT = 0x8,
	HIST_DATA_PKT = 0x10,
	HIST_ACK_PKT = 0x20,
	HIST_MULTI_FLAG_PKT = 0x40,
};

/* TCPSessionAdapter::first_packet_seen bits. */
enum { FP_ORIG = 1, FP_RESP = 2 };

/*
 * TCP ports that Zeek's full default script set puts into likely_server_ports: each
 * base/protocols/<proto>/main.zeek adds its analyzer's server ports (UDP-only protocols left
 * out).  Sorted.
 */
static const uint16_t default_server_ports[] = {
	21, 22, 25, 53, 79, 80, 81, 88, 110, 135, 139, 143, 389, 443, 445, 502, 514, 563, 585,
	587, 614, 631, 636, 989, 990, 992, 993, 995, 1080, 1434, 1883, 2811, 3128, 3268, 3306,
	3389, 5222, 5223, 5269, 5432, 6379, 6666, 6667, 6668, 6669, 8000, 8080, 8888, 20000,
};

static int32_t seq_delta(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

static uint64_t full_seq(uint32_t seq, uint32_t wraps)
{
	return ((uint64_t)wraps << 32) + seq;
}

static uint64_t to_relative(const struct zeek_endpoint *e, uint32_t seq, uint32_t wraps)
{
	return full_seq(seq, wraps) - (uint64_t)e->start_seq;
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool is_orig_side(const struct zeek_conn *z, int side)
{
	return side == z->zorig;
}

static struct zeek_endpoint *zorig_ep(struct zeek_conn *z)
{
	return &z->ep[z->zorig];
}

/* ---- history ----------------------------------------------------------------------------- */

static void add_history(struct zeek_conn *z, char c)
{
	if (z->hist_len < ZEEK_HISTORY_MAX) {
		z->history[z->hist_len++] = c;
		z->history[z->hist_len] = '\0';
	}
}

/* TCP_Endpoint::AddHistory: the letter's case says which role the sender has right now. */
static void ep_add_history(struct zeek_conn *z, int side, char code)
{
	add_history(z, is_orig_side(z, side) ? code : lower(code));
}

/* TCP_Endpoint::CheckHistory + Session::CheckHistory: adds the letter the first time only.
 * Returns true if it had been seen before (Zeek's convention). */
static bool check_history(struct zeek_conn *z, int side, uint32_t mask, char code)
{
	if (!is_orig_side(z, side)) {
		mask <<= 16;
		code = lower(code);
	}
	if ((z->hist_seen & mask) == 0) {
		z->hist_seen |= mask;
		add_history(z, code);
		return false;
	}
	return true;
}

/* Session::ScaledHistoryEntry: a letter at the 1st, 10th, 100th ... event. */
static void scaled_history(struct zeek_conn *z, int side, char code, uint32_t *cnt,
			   uint32_t *thresh)
{
	if (++*cnt != *thresh)
		return;
	ep_add_history(z, side, code);
	uint32_t next = *thresh * 10u;
	if (next <= *thresh)
		*cnt = 0;  /* wrapped: Zeek keeps the threshold and restarts the count */
	else
		*thresh = next;
}

/* ---- roles and states -------------------------------------------------------------------- */

static bool is_handshake(int st)
{
	return st == ZEEK_INACTIVE || st == ZEEK_SYN_SENT || st == ZEEK_SYN_ACK_SENT;
}

/* TCP_Endpoint::SetState, including the switch to the TCP inactivity timeout once the handshake
 * is over (it matters for when Zeek forgets an idle connection). */
static void set_state(struct zeek_conn *z, int side, int st)
{
	struct zeek_endpoint *e = &z->ep[side];
	if (st == e->state)
		return;
	if (!is_handshake(st) && is_handshake(e->state) && is_handshake(z->ep[!side].state))
		z->inactivity_timeout = TCP_INACTIVITY_TIMEOUT;
	e->prev_state = e->state;
	e->state = (uint8_t)st;
}

static void swap_first_packet_bits(struct zeek_conn *z)
{
	uint8_t f = z->first_packet_seen;
	z->first_packet_seen = (uint8_t)(((f & FP_ORIG) ? FP_RESP : 0) | ((f & FP_RESP) ? FP_ORIG : 0));
}

/* Connection::FlipRoles with TCPSessionAdapter::FlipRoles: swap the roles, append '^'.  The
 * once-only history bits (hist_seen) are Connection state and are not swapped, as in Zeek. */
static void flip_roles(struct zeek_conn *z)
{
	z->zorig = !z->zorig;
	swap_first_packet_bits(z);
	z->is_partial = 0;
	add_history(z, '^');
}

static bool likely_server_port(const struct zeek_conn *z, uint16_t port)
{
	const uint16_t *p = z->custom_ports ? z->server_ports : default_server_ports;
	size_t n = z->custom_ports ? z->n_server_ports
				   : sizeof default_server_ports / sizeof default_server_ports[0];
	for (size_t i = 0; i < n; i++)
		if (p[i] == port)
			return true;
	return false;
}

static void endpoint_init(struct zeek_endpoint *e)
{
	memset(e, 0, sizeof *e);
	e->state = e->prev_state = ZEEK_INACTIVE;
	e->chk_thresh = e->rxmt_thresh = e->win0_thresh = e->gap_thresh = 1;
	e->reassem_seq = e->trim_seq = 1;  /* Zeek's TCP_Reassembler starts at relative 1 */
}

void zeek_init(struct zeek_conn *z)
{
	memset(z, 0, sizeof *z);
	endpoint_init(&z->ep[0]);
	endpoint_init(&z->ep[1]);
	z->history[0] = '\0';
}

void zeek_set_server_ports(struct zeek_conn *z, const uint16_t *ports, size_t n)
{
	z->custom_ports = 1;
	z->server_ports = n ? ports : NULL;
	z->n_server_ports = ports ? n : 0;
}

/* Which ep[] sent seg: by address and port, so the caller's own view may change; dir decides
 * only when both ends have the same address and port. */
static int side_of(const struct zeek_conn *z, int dir, const struct segment *seg)
{
	bool src0 = memcmp(seg->src, z->ep0_addr, 16) == 0 && seg->sport == z->ep0_port;
	bool dst0 = memcmp(seg->dst, z->ep0_addr, 16) == 0 && seg->dport == z->ep0_port;
	if (src0 && !dst0)
		return 0;
	if (dst0 && !src0)
		return 1;
	return dir == 0 ? z->corig : !z->corig;
}

/* IPBasedAnalyzer::NewConn with TCPAnalyzer::WantConnection: the first packet's sender is the
 * originator unless the packet is not a pure SYN and its source port looks like a server's. */
static void new_connection(struct zeek_conn *z, int dir, const struct segment *seg)
{
	z->started = 1;
	memcpy(z->ep0_addr, seg->src, 16);
	z->ep0_port = seg->sport;
	z->zorig = 0;
	z->corig = dir == 0 ? 0 : 1;
	z->is_active = 1;
	z->start_time = z->last_time = seg->ts_ns;
	z->inactivity_timeout = UDP_INACTIVITY_TIMEOUT;
	z->expire_at[0] = seg->ts_ns + TCP_SYN_TIMEOUT;

	uint8_t fl = seg->flags;
	if (!(fl & TH_SYN) || (fl & TH_ACK)) {
		bool flip = false;
		if (likely_server_port(z, seg->sport)) {
			if (likely_server_port(z, seg->dport))
				/* both plausible: flip only a non-SYN toward a higher port */
				flip = !(fl & TH_SYN) && seg->sport < seg->dport;
			else
				flip = true;
		}
		if (flip) {
			/* Connection::FlipRoles before any analyzer exists: only roles and '^' */
			z->zorig = 1;
			add_history(z, '^');
		}
	}
}

/* ---- timers ------------------------------------------------------------------------------ */

/* The removal test of TCPSessionAdapter::ExpireTimer (after the linger check). */
static bool expire_removes(const struct zeek_conn *z)
{
	const struct zeek_endpoint *o = &z->ep[z->zorig], *r = &z->ep[!z->zorig];
	if ((o->did_close || r->did_close) &&
	    ((o->did_close && r->did_close) || o->state == ZEEK_RESET || r->state == ZEEK_RESET ||
	     o->state == ZEEK_INACTIVE || r->state == ZEEK_INACTIVE))
		return true;
	return r->state == ZEEK_INACTIVE && o->state == ZEEK_INACTIVE;
}

/* Whether some timer due by ts removed the connection.  The state cannot have changed since the
 * last segment, so every firing in between sees the current state; O(1) per chain. */
static bool removed_by_timers(const struct zeek_conn *z, int64_t ts)
{
	if (z->inactivity_timeout && ts >= z->last_time + z->inactivity_timeout)
		return true;  /* Session::InactivityTimer */
	if (z->delete_at && ts >= z->delete_at)
		return true;  /* ConnDeleteTimer after a complete close */
	if (z->attempt_at && ts >= z->attempt_at && z->is_active) {
		int os = z->ep[z->zorig].state, rs = z->ep[!z->zorig].state;
		if ((os == ZEEK_SYN_SENT || os == ZEEK_SYN_ACK_SENT) && rs == ZEEK_INACTIVE)
			return true;  /* AttemptTimer: an unanswered attempt */
	}
	for (int i = 0; i < 3; i++) {
		int64_t t0 = z->expire_at[i];
		if (!t0 || t0 > ts || !z->is_active)
			continue;
		/* the chain fires at t0, t0+6s, ...; the latest firing by ts is the likeliest to
		 * pass the linger test */
		int64_t last = t0 + ((ts - t0) / TCP_SESSION_TIMER) * TCP_SESSION_TIMER;
		if (z->last_time + TCP_CONNECTION_LINGER < last && expire_removes(z))
			return true;
	}
	return false;
}

/* Consumes the timers that fired (without removing) before a segment at ts. */
static void advance_timers(struct zeek_conn *z, int64_t ts)
{
	if (z->attempt_at && z->attempt_at <= ts)
		z->attempt_at = 0;
	for (int i = 0; i < 3; i++) {
		int64_t t0 = z->expire_at[i];
		if (!t0 || t0 > ts)
			continue;
		if (!z->is_active)
			z->expire_at[i] = 0;  /* ExpireTimer does not reschedule an inactive connection */
		else
			z->expire_at[i] = t0 + ((ts - t0) / TCP_SESSION_TIMER + 1) * TCP_SESSION_TIMER;
	}
}

static void add_expire_timer(struct zeek_conn *z, int64_t t)
{
	for (int i = 0; i < 3; i++)
		if (!z->expire_at[i]) {
			z->expire_at[i] = t;
			return;
		}
	/* all chains busy: the earliest one stands for this one too */
}

/* ---- reassembly (content gaps) ----------------------------------------------------------- */

static bool no_data_acked(const struct zeek_endpoint *e)
{
	uint64_t ack = full_seq(e->ack_seq, e->ack_wraps);
	uint64_t start = (uint64_t)e->start_seq;
	return ack == start || ack == start + 1;
}

static uint64_t endpoint_size(const struct zeek_conn *z, int side)
{
	const struct zeek_endpoint *e = &z->ep[side], *p = &z->ep[!side];
	/* a half-open attempt that was discovered and aborted: the sequence numbers mislead */
	if (e->prev_state == ZEEK_SYN_SENT && e->state == ZEEK_RESET && p->state == ZEEK_INACTIVE &&
	    !no_data_acked(e))
		return 0;
	uint64_t last = full_seq(e->last_seq, e->seq_wraps);
	uint64_t ack = full_seq(e->ack_seq, e->ack_wraps);
	uint64_t size = (last > ack ? last : ack) - (uint64_t)e->start_seq;
	if (size != 0)
		--size;  /* the SYN octet */
	if (e->fin_cnt > 0 && size != 0)
		--size;  /* the FIN octet */
	return size;
}

static bool is_clean(const struct zeek_endpoint *a)
{
	return a->state == ZEEK_ESTABLISHED ||
	       (a->state == ZEEK_CLOSED && a->prev_state == ZEEK_ESTABLISHED);
}

/* TCP_Reassembler::Gap: a 'g' only while both sides are cleanly established or closing; in
 * other states gaps arise falsely (RST sequence numbers, partial connections). */
static void report_gap(struct zeek_conn *z, int side)
{
	struct zeek_endpoint *e = &z->ep[side];
	if (is_clean(e) && is_clean(&z->ep[!side]))
		scaled_history(z, side, 'G', &e->gap_cnt, &e->gap_thresh);
}

static void drop_block(struct zeek_endpoint *e, int i)
{
	for (int j = i; j + 1 < e->nblocks; j++) {
		e->blk_seq[j] = e->blk_seq[j + 1];
		e->blk_upper[j] = e->blk_upper[j + 1];
	}
	e->nblocks--;
}

/* Delivers the buffered blocks that now continue the in-order stream. */
static bool deliver_blocks(struct zeek_endpoint *e)
{
	bool any = false;
	while (e->nblocks && e->blk_seq[0] <= e->reassem_seq) {
		if (e->blk_upper[0] > e->reassem_seq)
			e->reassem_seq = e->blk_upper[0];
		drop_block(e, 0);
		any = true;
	}
	return any;
}

/* Adds [seq, upper) (above reassem_seq) to the sorted, disjoint block list. */
static void insert_block(struct zeek_endpoint *e, uint64_t seq, uint64_t upper)
{
	int i = 0;
	while (i < e->nblocks && e->blk_upper[i] < seq)
		i++;
	/* merge every block that overlaps or touches [seq, upper) */
	while (i < e->nblocks && e->blk_seq[i] <= upper) {
		if (e->blk_seq[i] < seq)
			seq = e->blk_seq[i];
		if (e->blk_upper[i] > upper)
			upper = e->blk_upper[i];
		drop_block(e, i);
	}
	if (e->nblocks == ZEEK_MAX_BLOCKS) {
		/* Out of room: join the new range to its neighbour.  The hole in between then never
		 * counts as a gap; the bound keeps the work per segment constant. */
		int k = i < e->nblocks ? i : i - 1;
		if (e->blk_seq[k] < seq)
			seq = e->blk_seq[k];
		if (e->blk_upper[k] > upper)
			upper = e->blk_upper[k];
		drop_block(e, k);
		if (k < i)
			i = k;
	}
	for (int j = e->nblocks; j > i; j--) {
		e->blk_seq[j] = e->blk_seq[j - 1];
		e->blk_upper[j] = e->blk_upper[j - 1];
	}
	e->blk_seq[i] = seq;
	e->blk_upper[i] = upper;
	e->nblocks++;
}

/* TCP_Reassembler::Undelivered: the peer acknowledged data we never saw, i.e. content gaps. */
static void undelivered(struct zeek_conn *z, int side, uint64_t up_to)
{
	struct zeek_endpoint *e = &z->ep[side];
	/* A partial connection's faked initial sequence numbers make the first octet or two look
	 * missing; Zeek ignores that (and, as in Zeek, leaves reassem_seq alone). */
	if (up_to <= 2 && z->is_partial)
		return;
	if (up_to <= e->reassem_seq)
		return;
	if (!e->skip_deliveries) {
		while (e->nblocks && e->blk_seq[0] < up_to) {
			report_gap(z, side);
			e->reassem_seq = e->blk_seq[0];
			deliver_blocks(e);
		}
		if (up_to > e->reassem_seq)
			report_gap(z, side);
	}
	if (up_to > e->reassem_seq)
		e->reassem_seq = up_to;
}

/* Reassembler::TrimToSeq / DataBlockList::Trim. */
static void trim_to(struct zeek_conn *z, int side, uint64_t seq)
{
	struct zeek_endpoint *e = &z->ep[side];
	if (seq > e->reassem_seq)
		undelivered(z, side, seq);
	while (e->nblocks && e->blk_upper[0] <= seq)
		drop_block(e, 0);
	if (seq > e->trim_seq)
		e->trim_seq = seq;
}

/* TCP_Reassembler::DataPending: whether this side still has data to deliver before its close. */
static bool data_pending(const struct zeek_conn *z, int side)
{
	const struct zeek_endpoint *e = &z->ep[side];
	if (e->skip_deliveries)
		return false;
	uint64_t delivered = (uint64_t)e->start_seq + e->reassem_seq;
	uint64_t last = full_seq(e->last_seq, e->seq_wraps);
	if (last < delivered)
		return false;
	/* a FIN takes one sequence number, a RST none */
	if (delivered != last - 1 && delivered != last)
		return true;
	if (e->state != ZEEK_RESET && z->ep[!side].nblocks)
		return true;
	return false;
}

static void connection_closed(struct zeek_conn *z, int side, bool gen_event);

/* TCP_Reassembler::CheckEOF and TCPSessionAdapter::EndpointEOF: a close that waited for data. */
static void check_eof(struct zeek_conn *z, int side)
{
	struct zeek_endpoint *e = &z->ep[side];
	if (e->did_eof ||
	    !(e->fin_cnt > 0 || e->state == ZEEK_CLOSED || e->state == ZEEK_RESET) ||
	    data_pending(z, side))
		return;
	e->did_eof = 1;
	if (z->close_deferred) {
		connection_closed(z, side, z->deferred_gen_event);
		z->close_deferred = 0;
	}
}

/* TCP_Reassembler::AckReceived, on the side whose data was acknowledged. */
static void ack_received(struct zeek_conn *z, int side, uint64_t seq)
{
	struct zeek_endpoint *e = &z->ep[side];
	if (e->fin_cnt > 0 && seq >= e->fin_seq)
		seq = e->fin_seq - 1;  /* the FIN octet is not data */
	if (seq <= e->trim_seq)
		return;
	trim_to(z, side, seq);
	check_eof(z, side);
}

/* TCP_Endpoint::DataSent + TCP_Reassembler::DataSent/NewBlock/BlockInserted. */
static void data_sent(struct zeek_conn *z, int side, uint64_t seq, uint32_t len, uint32_t caplen)
{
	struct zeek_endpoint *e = &z->ep[side];
	if (caplen < len)
		return;  /* truncated payload: Zeek never hands it to the reassembler */
	if (e->skip_deliveries)
		return;
	uint64_t upper = seq + len;
	uint64_t ack = to_relative(e, e->ack_seq, e->ack_wraps);
	if (seq < ack) {
		if (upper <= ack)
			return;  /* delivered and acknowledged before */
		seq = ack;
	}
	if (upper <= e->trim_seq)
		return;
	if (seq < e->trim_seq)
		seq = e->trim_seq;
	if (seq < e->reassem_seq)
		seq = e->reassem_seq;  /* the front was delivered already */
	if (seq < upper) {
		insert_block(e, seq, upper);
		if (deliver_blocks(e) && no_data_acked(e) &&
		    endpoint_size(z, side) > TCP_MAX_INITIAL_WINDOW)
			/* lots of data and never an ack: Zeek stops holding delivered data */
			if (e->reassem_seq > e->trim_seq)
				e->trim_seq = e->reassem_seq;
	}
	uint64_t undelivered_bytes = e->nblocks ? e->blk_upper[e->nblocks - 1] - e->reassem_seq : 0;
	uint64_t buffered = (e->reassem_seq - e->trim_seq) + undelivered_bytes;
	if ((no_data_acked(e) && undelivered_bytes > TCP_MAX_ABOVE_HOLE_WITHOUT_ANY_ACKS) ||
	    buffered > TCP_EXCESSIVE_DATA_WITHOUT_FURTHER_ACKS) {
		/* Zeek gives up reassembling this side: no more gaps from it */
		e->nblocks = 0;
		e->skip_deliveries = 1;
	}
}

/* ---- the state machine (TCPSessionAdapter::Update*State) --------------------------------- */

static void set_first_packet_seen(struct zeek_conn *z, bool is_orig)
{
	z->first_packet_seen |= is_orig ? FP_ORIG : FP_RESP;
}

static void update_inactive(struct zeek_conn *z, int side, const struct segment *seg,
			    bool is_orig, bool *do_close, bool *gen_event)
{
	struct zeek_endpoint *e = &z->ep[side], *p = &z->ep[!side];
	uint8_t fl = seg->flags;

	if (fl & TH_SYN) {
		if (is_orig) {
			set_state(z, side, (fl & TH_ACK) ? ZEEK_SYN_ACK_SENT : ZEEK_SYN_SENT);
			z->attempt_at = seg->ts_ns + TCP_ATTEMPT_DELAY;
		} else {
			if (!(fl & TH_ACK) && p->state == ZEEK_SYN_ACK_SENT &&
			    seg->seq == (uint32_t)e->start_seq) {
				/* SYN-ACK seen before its SYN: swap roles, establish */
				z->is_partial = 0;
				flip_roles(z);
				set_state(z, !side, ZEEK_ESTABLISHED);
				set_first_packet_seen(z, true);
			}
			if (p->state == ZEEK_SYN_SENT)
				set_state(z, !side, ZEEK_ESTABLISHED);
			set_state(z, side, ZEEK_ESTABLISHED);
		}
	}

	if (fl & TH_FIN) {
		set_state(z, side, ZEEK_CLOSED);
		*do_close = *gen_event = true;
	}

	if (fl & TH_RST) {
		set_state(z, side, ZEEK_RESET);
		bool is_reject = is_orig ? p->state == ZEEK_ESTABLISHED
					 : (p->state == ZEEK_SYN_SENT || p->state == ZEEK_SYN_ACK_SENT);
		*do_close = true;
		*gen_event = !is_reject;
	}

	if (e->state == ZEEK_INACTIVE) {
		if (!is_orig && seg->payload_len == 0 && zorig_ep(z)->state == ZEEK_SYN_SENT) {
			/* an ack of the SYN before the SYN-ACK: not a partial connection */
		} else if ((fl & TH_ACK) && p->state == ZEEK_ESTABLISHED) {
			/* SYN-ACK seen, SYN missed, now an ACK: establish rather than go partial */
			set_state(z, side, ZEEK_ESTABLISHED);
			z->is_partial = 0;
			set_first_packet_seen(z, is_orig);
		} else {
			set_state(z, side, ZEEK_PARTIAL);
		}
	}
}

static void connection_reset(struct zeek_conn *z)
{
	z->is_active = 0;
}

static void update_syn_sent(struct zeek_conn *z, int side, const struct segment *seg,
			    bool *do_close, bool *gen_event)
{
	if (seg->flags & TH_FIN) {
		set_state(z, side, ZEEK_CLOSED);
		*do_close = *gen_event = true;
	}
	if (seg->flags & TH_RST) {
		set_state(z, side, ZEEK_RESET);
		connection_reset(z);
		*do_close = true;
	}
}

static void update_established(struct zeek_conn *z, int side, const struct segment *seg,
			       bool *do_close, bool *gen_event)
{
	struct zeek_endpoint *e = &z->ep[side], *p = &z->ep[!side];
	uint8_t fl = seg->flags;

	if ((fl & TH_SYN) && e->state == ZEEK_PARTIAL && p->state == ZEEK_INACTIVE &&
	    !(fl & TH_ACK))
		set_state(z, side, ZEEK_SYN_SENT);  /* SYN after partial */

	if ((fl & TH_FIN) && !(fl & TH_RST)) {
		set_state(z, side, ZEEK_CLOSED);
		/* the peer's FIN then RST was a normal termination after all */
		if (p->state == ZEEK_RESET && p->prev_state == ZEEK_CLOSED)
			set_state(z, !side, ZEEK_CLOSED);
		*do_close = *gen_event = true;
	}

	if (fl & TH_RST) {
		set_state(z, side, ZEEK_RESET);
		*do_close = true;
		if (p->state != ZEEK_RESET || p->prev_state != ZEEK_ESTABLISHED)
			connection_reset(z);
	}
}

static void update_closed(struct zeek_conn *z, int side, const struct segment *seg,
			  bool *do_close)
{
	struct zeek_endpoint *e = &z->ep[side];
	/* after a full FIN exchange a RST changes nothing */
	if ((seg->flags & TH_RST) && z->ep[!side].state != ZEEK_CLOSED) {
		set_state(z, side, ZEEK_RESET);
		if (!e->did_close)
			*do_close = true;
	}
}

/* TCPSessionAdapter::ConnectionClosed (DataPending deferral, close_complete, timers). */
static void connection_closed(struct zeek_conn *z, int side, bool gen_event)
{
	struct zeek_endpoint *e = &z->ep[side], *p = &z->ep[!side];

	if (data_pending(z, side)) {
		z->close_deferred = 1;
		if (!z->deferred_gen_event)
			z->deferred_gen_event = gen_event;
		return;
	}
	z->close_deferred = 0;
	if (e->did_close)
		return;
	e->did_close = 1;

	bool complete = e->state == ZEEK_RESET || p->did_close || p->state == ZEEK_INACTIVE;
	if (complete) {
		if (e->prev_state != ZEEK_INACTIVE || p->state != ZEEK_INACTIVE) {
			if (z->deferred_gen_event) {
				gen_event = true;
				z->deferred_gen_event = 0;
			}
			if (gen_event)
				z->is_active = 0;  /* ConnectionFinished */
		}
		/* CancelTimers (the analyzer's), then forget the connection tcp_close_delay later */
		z->attempt_at = 0;
		z->expire_at[0] = z->expire_at[1] = z->expire_at[2] = 0;
		z->delete_at = z->last_time + TCP_CLOSE_DELAY;
	} else if (e->prev_state != ZEEK_INACTIVE) {
		add_expire_timer(z, z->last_time + TCP_SESSION_TIMER);
	}
}

/* ---- one segment (TCPSessionAdapter::Process) -------------------------------------------- */

static uint64_t relative_seq(const struct zeek_endpoint *e, uint32_t cur, uint32_t last,
			     uint32_t wraps, bool *underflow)
{
	int32_t d = seq_delta(cur, last);
	if (d < 0) {
		if (wraps && cur > last)
			--wraps;  /* part of a previous 32-bit sequence space */
	} else if (d > 0) {
		if (cur < last)
			++wraps;  /* the sequence space wrapped */
	}
	if (wraps == 0) {
		d = seq_delta(cur, (uint32_t)e->start_seq);
		if (underflow && d < 0)
			*underflow = true;
		return (uint64_t)(int64_t)d;
	}
	return to_relative(e, cur, wraps);
}

static void init_endpoint(struct zeek_endpoint *e, uint8_t fl, uint32_t first, uint32_t last)
{
	bool syn = fl & TH_SYN;
	switch (e->state) {
	case ZEEK_INACTIVE:
		if (syn) {
			e->ack_seq = first;
			e->start_seq = first;
		} else {
			/* a partial connection: number as though a SYN had been seen */
			e->ack_seq = first - 1;
			e->start_seq = (uint32_t)(first - 1);
			last = first;  /* so the first packet is not taken for a retransmission */
		}
		e->last_seq = last;
		break;
	case ZEEK_SYN_SENT:
	case ZEEK_SYN_ACK_SENT:
		if (syn && first != (uint32_t)e->start_seq) {
			e->start_seq = first;
			e->ack_seq = first;
			e->last_seq = last;
		}
		break;
	case ZEEK_ESTABLISHED:
	case ZEEK_PARTIAL:
		if (syn) {
			/* guess that this SYN is the one that really sets the connection up */
			e->start_seq = first;
			e->ack_seq = first;
			e->last_seq = last;
		}
		break;
	case ZEEK_RESET:
		if (syn && e->prev_state == ZEEK_INACTIVE) {
			/* numbers came from a RST that may have been injected */
			e->start_seq = first;
			e->ack_seq = first;
			e->last_seq = last;
		}
		break;
	default:
		break;
	}
}

static void update_history(struct zeek_conn *z, int side, uint8_t fl, uint64_t rel_seq,
			   uint32_t len)
{
	struct zeek_endpoint *e = &z->ep[side];
	int bits = !!(fl & TH_SYN) + !!(fl & TH_FIN) + !!(fl & TH_RST);

	if (bits > 1) {
		if ((fl & TH_FIN) && (fl & TH_RST))
			check_history(z, side, HIST_FIN_RST_PKT, 'I');
		else
			check_history(z, side, HIST_MULTI_FLAG_PKT, 'Q');
	} else if (bits == 1) {
		if (fl & TH_SYN) {
			char code = (fl & TH_ACK) ? 'H' : 'S';
			if (check_history(z, side, HIST_SYN_PKT, code) && rel_seq != e->hist_last_syn)
				ep_add_history(z, side, code);
			e->hist_last_syn = rel_seq;
		}
		if (fl & TH_FIN) {
			/* a FIN's sequence number counts at the end of its data */
			if (check_history(z, side, HIST_FIN_PKT, 'F') &&
			    rel_seq + len != e->hist_last_fin)
				ep_add_history(z, side, 'F');
			e->hist_last_fin = rel_seq + len;
		}
		if (fl & TH_RST) {
			if (check_history(z, side, HIST_RST_PKT, 'R') && rel_seq != e->hist_last_rst)
				ep_add_history(z, side, 'R');
			e->hist_last_rst = rel_seq;
		}
	} else {
		if (len)
			check_history(z, side, HIST_DATA_PKT, 'D');
		else if (fl & TH_ACK)
			check_history(z, side, HIST_ACK_PKT, 'A');
	}
}

/* Returns the difference between seq_one_past and the last sequence number seen; counts a
 * retransmission when payload does not advance it. */
static int32_t update_last_seq(struct zeek_conn *z, int side, uint32_t seq_one_past, uint8_t fl,
			       uint32_t len)
{
	struct zeek_endpoint *e = &z->ep[side];
	int32_t d = seq_delta(seq_one_past, e->last_seq);

	if ((fl & (TH_SYN | TH_RST)) && (d > TOO_LARGE_SEQ_DELTA || d < -TOO_LARGE_SEQ_DELTA)) {
		/* an outlandish SYN or RST sequence number is not trusted */
	} else if ((fl & TH_FIN) && e->last_seq == (uint32_t)e->start_seq + 1) {
		/* > 2 GB connections seen only by SYN and FIN */
		if (seq_one_past < e->last_seq)
			e->seq_wraps++;
		e->last_seq = seq_one_past;
	} else if (e->state == ZEEK_RESET) {
		/* nothing after a RST is trusted */
	} else if (d > 0) {
		if (seq_one_past < e->last_seq)
			e->seq_wraps++;
		e->last_seq = seq_one_past;
	} else if (len > 0) {
		scaled_history(z, side, 'T', &e->rxmt_cnt, &e->rxmt_thresh);
	}
	return d;
}

static void update_ack_seq(struct zeek_endpoint *e, uint32_t ack)
{
	int32_t d = seq_delta(ack, e->ack_seq);
	if (ack == 0 && d > TOO_LARGE_SEQ_DELTA) {
		/* more likely a broken ack than a connection landing on 0 */
	} else if (d > 0) {
		if (ack < e->ack_seq)
			e->ack_wraps++;
		e->ack_seq = ack;
	}
}

static void process(struct zeek_conn *z, int side, const struct segment *seg)
{
	struct zeek_endpoint *e = &z->ep[side], *p = &z->ep[!side];
	uint8_t fl = seg->flags;
	uint32_t len = seg->payload_len;
	int64_t t = seg->ts_ns;
	/* Zeek computes is_orig once; a flip inside the state machine leaves it stale */
	bool is_orig = is_orig_side(z, side);

	/* SetPartialStatus */
	if (is_orig) {
		if (!(z->first_packet_seen & FP_ORIG))
			z->is_partial = !(fl & TH_SYN) || (fl & TH_ACK);
	} else if (!(z->first_packet_seen & FP_RESP) && !z->is_partial) {
		z->is_partial = !(fl & TH_SYN);
	}

	/* SYN and FIN take a sequence number; a RST's payload is not part of the stream */
	uint32_t seg_len = len + !!(fl & TH_SYN) + !!(fl & TH_FIN);
	if (fl & TH_RST)
		seg_len -= len;
	uint32_t seq_one_past = seg->seq + seg_len;

	init_endpoint(e, fl, seg->seq, seq_one_past);

	bool underflow = false;
	uint64_t rel_seq = relative_seq(e, seg->seq, e->last_seq, e->seq_wraps, &underflow);

	update_history(z, side, fl, rel_seq, len);

	/* update_window: a zero window, unless with or after a RST or after the peer's FIN */
	if (seg->win == 0 && !(fl & TH_RST) && p->state != ZEEK_CLOSED && e->state != ZEEK_RESET)
		scaled_history(z, side, 'W', &e->win0_cnt, &e->win0_thresh);

	if (!z->ep[0].did_close || !z->ep[1].did_close)
		z->last_time = t;

	if (fl & TH_FIN) {
		e->fin_cnt++;
		e->fin_seq = rel_seq + seg_len;
	}
	if (fl & TH_RST)
		e->rst_cnt++;

	uint64_t rel_ack = 0;
	if (fl & TH_ACK) {
		if (p->state == ZEEK_INACTIVE) {
			/* init_peer: number the silent peer as though its SYN had been seen */
			rel_ack = 1;
			p->start_seq = (uint32_t)(seg->ack - 1);
			p->ack_seq = seg->ack - 1;
			p->last_seq = seg->ack - 1;
		} else {
			bool ack_underflow = false;
			rel_ack = relative_seq(p, seg->ack, p->ack_seq, p->ack_wraps, &ack_underflow);
			if (ack_underflow)
				rel_ack = 0;
			else if (!(fl & TH_RST))
				update_ack_seq(p, seg->ack);  /* acks in RSTs are not trusted */
		}
	}

	update_last_seq(z, side, seq_one_past, fl, len);
	e->last_time = t;

	bool do_close = false, gen_event = false;
	switch (e->state) {
	case ZEEK_INACTIVE:
		update_inactive(z, side, seg, is_orig, &do_close, &gen_event);
		break;
	case ZEEK_SYN_SENT:
	case ZEEK_SYN_ACK_SENT:
		update_syn_sent(z, side, seg, &do_close, &gen_event);
		break;
	case ZEEK_ESTABLISHED:
	case ZEEK_PARTIAL:
		update_established(z, side, seg, &do_close, &gen_event);
		break;
	case ZEEK_CLOSED:
		update_closed(z, side, seg, &do_close);
		break;
	default:
		break;  /* RESET: only weirds */
	}

	/* after the state machine, so gaps revealed by a closing FIN/RST can be told apart */
	if (fl & TH_ACK)
		ack_received(z, !side, rel_ack);

	/* CheckPIA_FirstPacket, with the possibly stale is_orig */
	set_first_packet_seen(z, is_orig);

	uint64_t rel_data_seq = (fl & TH_SYN) ? rel_seq + 1 : rel_seq;
	if (len > 0 && !(fl & TH_RST) && !underflow)
		data_sent(z, side, rel_data_seq, len, seg->payload_caplen);

	check_eof(z, side);
	if (do_close)
		connection_closed(z, side, gen_event);
}

/*
 * zeek/zeek PR #2191: a connection that began with a SYN-ACK (history exactly "H") is flipped as
 * soon as an ACK or a data segment follows in either direction; stealth scans answer with RSTs
 * or nothing.  Zeek's log then reads "^h..." as if the SYN-ACK had come from the responder, so
 * the SYN-ACK sender is re-filed as the responder that answered the (missed) SYN.
 */
static void flip_after_syn_ack(struct zeek_conn *z, const struct segment *seg)
{
	uint8_t fl = seg->flags;
	if (z->hist_len != 1 || z->history[0] != 'H' || (fl & (TH_SYN | TH_FIN | TH_RST)) ||
	    !((fl & TH_ACK) || seg->payload_len > 0))
		return;
	int synack = z->zorig;
	z->zorig = !z->zorig;
	swap_first_packet_bits(z);
	z->is_partial = 0;
	set_state(z, synack, ZEEK_ESTABLISHED);
	z->hist_seen = (z->hist_seen & ~(uint32_t)HIST_SYN_PKT) | ((uint32_t)HIST_SYN_PKT << 16);
	z->hist_len = 0;
	add_history(z, '^');
	add_history(z, 'h');
}

void zeek_segment(struct zeek_conn *z, int dir, const struct segment *seg)
{
	if (!z->started)
		new_connection(z, dir, seg);
	int side = side_of(z, dir, seg);
	z->corig = (uint8_t)(dir == 0 ? side : !side);
	advance_timers(z, seg->ts_ns);
	flip_after_syn_ack(z, seg);
	process(z, side, seg);
}

void zeek_bad_checksum(struct zeek_conn *z, int dir, const struct segment *seg)
{
	if (!z->started)
		new_connection(z, dir, seg);
	int side = side_of(z, dir, seg);
	z->corig = (uint8_t)(dir == 0 ? side : !side);
	advance_timers(z, seg->ts_ns);
	struct zeek_endpoint *e = &z->ep[side];
	scaled_history(z, side, 'C', &e->chk_cnt, &e->chk_thresh);
}

/* TCPSessionAdapter::IsReuse: a SYN (or a SYN-ACK while the originator is silent) that does not
 * repeat the known initial sequence number starts a new connection on the same 4-tuple. */
static bool is_reuse(const struct zeek_conn *z, const struct segment *seg)
{
	uint8_t fl = seg->flags;
	if (!(fl & TH_SYN) || seg->doff < 20)
		return false;
	const struct zeek_endpoint *o = &z->ep[z->zorig], *r = &z->ep[!z->zorig];
	const struct zeek_endpoint *co = o;
	if (fl & TH_ACK) {
		if (o->state != ZEEK_INACTIVE)
			return false;  /* not a half connection */
		co = r;
	}
	if (!(o->did_close || r->did_close)) {
		if (seg->seq == (uint32_t)co->start_seq)
			return false;
		/* the SYN of a SYN/SYN-ACK pair seen in reverse order */
		if (!(fl & TH_ACK) && co->state == ZEEK_SYN_ACK_SENT && r->state == ZEEK_INACTIVE &&
		    seg->seq == (uint32_t)r->start_seq)
			return false;
	}
	return true;
}

int zeek_starts_new(const struct zeek_conn *z, int dir, const struct segment *seg)
{
	(void)dir;  /* IsReuse looks at the raw packet, whoever sent it */
	if (!z->started)
		return 0;
	return removed_by_timers(z, seg->ts_ns) || is_reuse(z, seg);
}

/* conn_state's RSTOS0 pattern: an optional '^', 'S', none of H A F G I Q, then an 'R' (Zeek
 * matches the whole history against it). */
static bool history_is_rstos0(const char *h)
{
	if (*h == '^')
		h++;
	if (*h++ != 'S')
		return false;
	for (; *h; h++) {
		if (*h == 'R')
			return true;
		if (strchr("HAFGIQ", *h))
			return false;
	}
	return false;
}

const char *zeek_conn_state(const struct zeek_conn *z)
{
	if (!z->started)
		return "";
	int os = z->ep[z->zorig].state, rs = z->ep[!z->zorig].state;
	bool o_inactive = os == ZEEK_INACTIVE || os == ZEEK_PARTIAL;
	bool r_inactive = rs == ZEEK_INACTIVE || rs == ZEEK_PARTIAL;

	if (rs == ZEEK_RESET) {
		if (os == ZEEK_SYN_SENT || os == ZEEK_SYN_ACK_SENT ||
		    (os == ZEEK_RESET && endpoint_size(z, z->zorig) == 0 &&
		     endpoint_size(z, !z->zorig) == 0))
			return "REJ";
		return o_inactive ? "RSTRH" : "RSTR";
	}
	if (os == ZEEK_RESET) {
		if (r_inactive)
			return history_is_rstos0(z->history) ? "RSTOS0" : "OTH";
		return "RSTO";
	}
	if (rs == ZEEK_CLOSED && os == ZEEK_CLOSED)
		return "SF";
	if (os == ZEEK_CLOSED)
		return r_inactive ? "SH" : "S2";
	if (rs == ZEEK_CLOSED)
		return o_inactive ? "SHR" : "S3";
	if (os == ZEEK_SYN_SENT && rs == ZEEK_INACTIVE)
		return "S0";
	if (os == ZEEK_ESTABLISHED && rs == ZEEK_ESTABLISHED)
		return "S1";
	return "OTH";
}

const char *zeek_history(const struct zeek_conn *z)
{
	return z->history;
}

int zeek_flipped(const struct zeek_conn *z)
{
	return z->started && z->zorig != z->corig;
}

enum zeek_tcp_state zeek_endpoint_state(const struct zeek_conn *z, int resp)
{
	return (enum zeek_tcp_state)z->ep[resp ? !z->zorig : z->zorig].state;
}

uint64_t zeek_endpoint_size(const struct zeek_conn *z, int resp)
{
	return endpoint_size(z, resp ? !z->zorig : z->zorig);
}
