/* detect.c - per-flow detectors: handshake, teardown, loss and window findings (DESIGN.md section 5). */
#include "config.h"

#include "detect.h"
#include "tcpstate.h"

#define NS 1000000000LL
#define FRAME(seg) (unsigned long long)(seg)->frame

void detect_on_segment(struct analyzer *an, struct flow *f, int dir, const struct segment *seg,
    const struct seqfacts *ff)
{
	struct endpoint *S = &f->ep[dir], *R = &f->ep[!dir];

	/* Counts that are not anomalies: flows columns. */
	if (ff->retrans)
		S->retrans++;
	if (ff->keepalive)
		S->keepalives++;
	if (ff->zwin_probe)
		S->zwin_probes++;
	if (ff->dup_ack)
		S->dup_acks++;

	/* Half-open (peer vanished): retransmissions with no word from the peer. */
	if (ff->retrans || ff->keepalive) {
		if (S->retrans_since_peer++ == 0)
			S->last_data_retrans_ts = seg->ts_ns;
	}
	R->retrans_since_peer = 0;

	if (seg->flags & TH_SYN) {
		if (!(seg->flags & TH_ACK)) {
			S->syn_count++;
			if (ff->syn_retrans && S->syn_count == 2)
				S->last_syn_frame = (uint32_t)seg->frame;
		} else {
			S->synack_count++;
		}
	}
	if (seg->flags & TH_FIN) {
		S->fin_count++;
		if (S->fin_count == 1)
			S->first_fin_ts = seg->ts_ns;
		if (ff->fin_retrans) {
			if (S->last_fin_frame == 0)
				S->last_fin_frame = (uint32_t)seg->frame;
			if (S->fin_ack_seen_ts && !S->fin_retx_after_ack_ts) {
				S->fin_retx_after_ack_ts = seg->ts_ns;
				S->fin_retx_after_ack_frame = seg->frame;
				S->fin_retx_after_ack_input = seg->input_id;
			}
		}
	}
	if (ff->acks_fin && !R->fin_ack_seen_ts)
		R->fin_ack_seen_ts = seg->ts_ns;

	if (ff->missed) {
		R->missed_bytes += ff->missed;
		analyze_flow_anomaly(an, f, AN_CAPTURE_LOSS, !dir, seg->ts_ns, seg->input_id, seg->frame,
		    "frame %llu acknowledges %u bytes (seq %u..%u) of the %s's data that the capture never saw",
		    FRAME(seg), ff->missed, ff->missed_from, ff->missed_from + ff->missed,
		    !dir ? "responder" : "originator");
	}
	if (ff->data_after_fin)
		analyze_flow_anomaly(an, f, AN_DATA_AFTER_FIN, dir, seg->ts_ns, seg->input_id, seg->frame,
		    "frame %llu: %u bytes at seq %u beyond the sender's FIN at seq %u",
		    FRAME(seg), seg->payload_len, seg->seq, S->fin_seq);
	if (ff->win_zero_start) {
		S->zero_win_start = seg->ts_ns;
		S->zero_win_frame = seg->frame;
		S->zero_win_input = seg->input_id;
	}
	if (ff->win_zero_end)
		analyze_flow_anomaly(an, f, AN_ZERO_WINDOW, dir, S->zero_win_start, S->zero_win_input,
		    S->zero_win_frame, "zero window from frame %llu to frame %llu (%.3f s), %lld probes so far",
		    (unsigned long long)S->zero_win_frame, FRAME(seg),
		    (double)(seg->ts_ns - S->zero_win_start) / 1e9, (long long)R->zwin_probes);
}

void detect_on_rst(struct analyzer *an, struct flow *f, int dir, const struct segment *seg)
{
	struct endpoint *S = &f->ep[dir], *R = &f->ep[!dir];

	if (S->state == ST_LISTEN && R->state == ST_SYN_SENT) {
		analyze_flow_anomaly(an, f, AN_CONNECTION_REFUSED, dir, seg->ts_ns, seg->input_id,
		    seg->frame, "frame %llu: SYN answered by RST after %u SYN(s): nothing listening on port %u",
		    FRAME(seg), R->syn_count, seg->sport);
		return;
	}
	if (!tcpstate_synchronized(S->state) && !tcpstate_synchronized(R->state))
		return;
	/*
	 * A peer that lost its connection answers with a bare RST whose sequence number is the
	 * ACK of the segment it answers (RFC 9293 3.10.7.1); a live socket aborting sends RST|ACK
	 * from its own sequence space.
	 */
	bool bare = !(seg->flags & TH_ACK);
	if (bare && R->ack_valid && seg->seq == R->last_ack && f->prev_dir == !dir &&
	    R->state != ST_TIME_WAIT && R->state != ST_CLOSED) {
		analyze_flow_anomaly(an, f, AN_HALF_OPEN, !dir, seg->ts_ns, seg->input_id, seg->frame,
		    "peer lost its state: frame %llu answers the %s's segment with a bare RST (seq %u); "
		    "the %s had not closed (believed %s), the %s still believed the connection %s",
		    FRAME(seg), !dir ? "responder" : "originator", seg->seq,
		    dir ? "responder" : "originator", tcpstate_name(S->state),
		    !dir ? "responder" : "originator", tcpstate_name(R->state));
		return;
	}
	if (S->state == ST_TIME_WAIT || R->state == ST_TIME_WAIT || S->state == ST_CLOSED)
		return;
	if (S->retrans_since_peer >= an->opt.half_open_retrans) {
		analyze_flow_anomaly(an, f, AN_HALF_OPEN, dir, S->last_data_retrans_ts, seg->input_id,
		    seg->frame, "peer vanished: %u retransmissions into silence from %.6f s ended by a "
		    "give-up RST at frame %llu", S->retrans_since_peer,
		    (double)S->last_data_retrans_ts / 1e9, FRAME(seg));
		S->retrans_since_peer = 0;
		return;
	}
	analyze_flow_anomaly(an, f, AN_ABORTIVE_CLOSE, dir, seg->ts_ns, seg->input_id, seg->frame,
	    "frame %llu: RST sent in %s instead of a FIN close (peer in %s)", FRAME(seg),
	    tcpstate_name(S->state), tcpstate_name(R->state));
}

void detect_on_transition(struct analyzer *an, struct flow *f, int ep, int from, int to,
    int evidence, int64_t ts, int64_t input_id, uint64_t frame)
{
	struct endpoint *e = &f->ep[ep];

	if (to == ST_CLOSING && f->ep[!ep].state != ST_CLOSING)
		analyze_flow_anomaly(an, f, AN_SIMULTANEOUS_CLOSE, -1, ts, input_id, frame,
		    "FINs crossed: the %s passed through CLOSING at frame %llu",
		    ep ? "responder" : "originator", (unsigned long long)frame);
	if (((from == ST_SYN_SENT && to == ST_SYN_RECEIVED) || (from == ST_LISTEN && to == ST_SYN_SENT)) &&
	    !f->simopen_reported) {
		f->simopen_reported = true;
		analyze_flow_anomaly(an, f, AN_SIMULTANEOUS_OPEN, -1, ts, input_id, frame,
			    "both sides sent a SYN: the %s went %s -> %s at frame %llu",
		    ep ? "responder" : "originator", tcpstate_name(from), tcpstate_name(to),
		    (unsigned long long)frame);
	}
	if (from == ST_TIME_WAIT && to == ST_CLOSED && evidence == EV_INFERRED && f->ep[!ep].rst_seen)
		analyze_flow_anomaly(an, f, AN_TIME_WAIT_ASSASSINATION, ep, ts, input_id, frame,
		    "frame %llu: RST received %.3f s into TIME_WAIT ended it early (RFC 1337)",
		    (unsigned long long)frame, (double)(ts - e->state_ts) / 1e9);
	if ((from == ST_CLOSE_WAIT || from == ST_FIN_WAIT_2) && ts - e->state_ts > an->opt.stuck_ns)
		analyze_flow_anomaly(an, f, from == ST_CLOSE_WAIT ? AN_CLOSE_WAIT_STUCK : AN_FIN_WAIT_2_STUCK,
		    ep, e->state_ts, input_id, frame, "%s for %.3f s (threshold %.0f s) before frame %llu",
		    tcpstate_name(from), (double)(ts - e->state_ts) / 1e9,
		    (double)an->opt.stuck_ns / 1e9, (unsigned long long)frame);
}

void detect_on_finish(struct analyzer *an, struct flow *f)
{
	struct endpoint *o = &f->ep[0], *r = &f->ep[1];
	int64_t end = f->last_ts > an->now ? f->last_ts : an->now;

	/* A SYN or SYN-ACK seen less than a retransmission timeout (RFC 6298: 1 s) before the end,
	 * and never repeated, may simply have been answered after the capture stopped. */
	if (f->ep[0].state == ST_SYN_SENT && r->pkts == 0 &&
	    (o->syn_count > 1 || end - f->first_ts >= NS))
		analyze_flow_anomaly(an, f, AN_UNANSWERED_SYN, 0, f->first_ts, f->first_input,
		    f->first_frame, "%u SYN(s) from frame %llu over %.3f s, never answered in the capture",
		    o->syn_count, (unsigned long long)f->first_frame,
		    (double)(o->last_ts - f->first_ts) / 1e9);
	for (int i = 0; i < 2; i++) {
		struct endpoint *e = &f->ep[i];
		if (e->syn_count > 1)
			analyze_flow_anomaly(an, f, AN_SYN_RETRANSMISSION, i, e->last_ts, 0, 0,
			    "SYN sent %u times with the same ISN %u (first retransmission at frame %u)",
			    e->syn_count, e->isn, e->last_syn_frame);
		if (e->fin_count > 1)
			analyze_flow_anomaly(an, f, AN_FIN_RETRANSMISSION, i, e->first_fin_ts, 0, 0,
			    "FIN sent %u times (first retransmission at frame %u)", e->fin_count,
			    e->last_fin_frame);
		if (e->state == ST_LAST_ACK || e->state == ST_CLOSING)
			analyze_flow_anomaly(an, f, AN_LOST_FINAL_ACK, i, e->first_fin_ts, 0, 0,
			    "left in %s: its FIN (sent %u times) was never acknowledged in the capture: "
			    "the final ACK never appears", tcpstate_name(e->state), e->fin_count);
		else if (e->fin_retx_after_ack_ts)
			analyze_flow_anomaly(an, f, AN_LOST_FINAL_ACK, i, e->fin_retx_after_ack_ts,
			    e->fin_retx_after_ack_input, e->fin_retx_after_ack_frame,
			    "the ACK of its FIN appears in the capture, but the FIN was retransmitted "
			    "afterwards at frame %llu (from %s): the ACK was lost beyond the capture point",
			    (unsigned long long)e->fin_retx_after_ack_frame,
			    e->fin_count ? "LAST_ACK or CLOSING" : "?");
		if ((e->state == ST_CLOSE_WAIT || e->state == ST_FIN_WAIT_2) &&
		    end - e->state_ts > an->opt.stuck_ns)
			analyze_flow_anomaly(an, f,
			    e->state == ST_CLOSE_WAIT ? AN_CLOSE_WAIT_STUCK : AN_FIN_WAIT_2_STUCK, i,
			    e->state_ts, 0, 0, "still in %s after %.3f s when the connection ended "
			    "(threshold %.0f s)", tcpstate_name(e->state),
			    (double)(end - e->state_ts) / 1e9, (double)an->opt.stuck_ns / 1e9);
		if (e->zero_win)
			analyze_flow_anomaly(an, f, AN_ZERO_WINDOW, i, e->zero_win_start, e->zero_win_input,
			    e->zero_win_frame, "zero window from frame %llu still advertised at the end "
			    "(%.3f s), %lld probes", (unsigned long long)e->zero_win_frame,
			    (double)(end - e->zero_win_start) / 1e9, (long long)f->ep[!i].zwin_probes);
		if (e->retrans_since_peer >= an->opt.half_open_retrans && tcpstate_synchronized(e->state) &&
		    e->state != ST_TIME_WAIT)
			analyze_flow_anomaly(an, f, AN_HALF_OPEN, i, e->last_data_retrans_ts, 0, 0,
			    "peer vanished: %u retransmissions or probes into silence from %.6f s until "
			    "the end of the capture", e->retrans_since_peer,
			    (double)e->last_data_retrans_ts / 1e9);
	}
	if (r->state == ST_SYN_RECEIVED && o->state != ST_SYN_RECEIVED &&
	    (r->synack_count > 1 || end - r->state_ts >= NS))
		analyze_flow_anomaly(an, f, AN_HANDSHAKE_INCOMPLETE, 1, r->state_ts, 0, 0,
		    "SYN-ACK sent %u time(s), never acknowledged: the responder was left in SYN_RECEIVED",
		    r->synack_count);
	if ((o->pkts == 0) != (r->pkts == 0)) {
		struct endpoint *only = o->pkts ? o : r;
		if (only->pkts > only->syn_count)
			analyze_flow_anomaly(an, f, AN_ONE_SIDED, -1, f->first_ts, f->first_input,
			    f->first_frame, "only the %s's %lld segments were captured",
			    o->pkts ? "originator" : "responder", (long long)only->pkts);
	}
}
