/* seqtrack.c - sequence and acknowledgement bookkeeping per endpoint: retransmissions, holes, probes. */
#include <string.h>

#include "seqtrack.h"

/* An acknowledgement further than this past what we saw is garbage, not capture loss. */
#define MAX_PLAUSIBLE_GAP (1u << 30)

static void hole_add(struct endpoint *e, uint32_t from, uint32_t to)
{
	if (e->nholes < SEQ_HOLES) {
		e->holes[e->nholes][0] = from;
		e->holes[e->nholes][1] = to;
		e->nholes++;
	} else {
		/* Full: widen the last hole rather than forget the gap. */
		e->holes[SEQ_HOLES - 1][1] = to;
	}
}

/* Data [seq, end) arrived: shrink any hole it covers. */
static void hole_fill(struct endpoint *e, uint32_t seq, uint32_t end)
{
	for (int i = 0; i < e->nholes; i++) {
		uint32_t *h = e->holes[i];
		if (SEQ_LEQ(end, h[0]) || SEQ_GEQ(seq, h[1]))
			continue;
		if (SEQ_LEQ(seq, h[0]) && SEQ_GEQ(end, h[1])) {
			h[0] = h[1];            /* filled */
		} else if (SEQ_LEQ(seq, h[0])) {
			h[0] = end;
		} else if (SEQ_GEQ(end, h[1])) {
			h[1] = seq;
		}
		/* a fill in the middle keeps the hole as is: still unseen bytes inside */
	}
	int j = 0;
	for (int i = 0; i < e->nholes; i++)
		if (e->holes[i][0] != e->holes[i][1])
			memmove(e->holes[j++], e->holes[i], sizeof e->holes[i]);
	e->nholes = (uint8_t)j;
}

/* ACK covers everything below ack: holes below it were never captured. */
static uint32_t holes_acked(struct endpoint *e, uint32_t ack, uint32_t *first)
{
	uint32_t missed = 0;
	int j = 0;
	for (int i = 0; i < e->nholes; i++) {
		uint32_t *h = e->holes[i];
		if (SEQ_LEQ(h[1], ack)) {
			if (missed == 0)
				*first = h[0];
			missed += h[1] - h[0];
			continue;
		}
		if (SEQ_LT(h[0], ack)) {
			if (missed == 0)
				*first = h[0];
			missed += ack - h[0];
			h[0] = ack;
		}
		memmove(e->holes[j++], h, sizeof e->holes[i]);
	}
	e->nholes = (uint8_t)j;
	return missed;
}

void seqtrack_update(struct endpoint *snd, struct endpoint *rcv, const struct segment *seg,
    struct seqfacts *ff)
{
	uint8_t fl = seg->flags;
	bool syn = fl & TH_SYN, fin = fl & TH_FIN, rst = fl & TH_RST, ack = fl & TH_ACK;
	uint32_t len = seg->payload_len;
	uint32_t seq = seg->seq;

	memset(ff, 0, sizeof *ff);

	if (syn) {
		if (snd->isn_valid && snd->syn_seen) {
			if (seq == snd->isn)
				ff->syn_retrans = true;
			else
				ff->new_isn = true;
		}
		if (!ff->syn_retrans && !ff->new_isn) {
			snd->isn = seq;
			snd->isn_valid = true;
			snd->snd_max = seq;
			snd->syn_seen = true;
		}
		if (seg->opts.has_wscale) {
			snd->wscale_offered = true;
			snd->wscale = seg->opts.wscale > 14 ? 14 : seg->opts.wscale;
		}
		seq += 1;   /* payload starts after the SYN */
	} else if (!snd->isn_valid && !rst) {
		/* Mid-stream: we never saw the ISN; start tracking here. */
		snd->isn = seq - 1;
		snd->isn_valid = true;
		snd->snd_max = seq;
	}

	if (rst) {
		/* RFC 9293 3.10.7: acceptable if in the receive window; without a window we accept. */
		ff->rst_in_window = true;
		if (rcv->ack_valid) {
			uint32_t win = (uint32_t)rcv->last_win << (rcv->wscale_offered && snd->wscale_offered ? rcv->wscale : 0);
			if (win < 65535)
				win = 65535;
			uint32_t d = seq - rcv->last_ack;
			uint32_t back = rcv->last_ack - seq;
			ff->rst_in_window = d <= win || back <= win;
		}
		return;
	}

	if (len > 0 && snd->isn_valid && rcv->ack_valid) {
		/* RFC 9293 3.10.7.4: acceptable only if it starts inside RCV.WND of the receiver. */
		uint32_t win = (uint32_t)rcv->last_win <<
		    (rcv->wscale_offered && snd->wscale_offered ? rcv->wscale : 0);
		if (win < 65535)
			win = 65535;   /* slack: the window may have grown since we saw it */
		if (SEQ_GT(seq, rcv->last_ack + win) || SEQ_LT(seq + len, rcv->last_ack - (1u << 30))) {
			ff->out_of_window = true;
			snd->last_win = seg->win;
			return;
		}
	}
	if (len > 0 && snd->isn_valid) {
		uint32_t end = seq + len;
		if (snd->fin_valid && SEQ_GT(end, snd->fin_seq))
			ff->data_after_fin = true;
		if (SEQ_LT(seq, snd->snd_max)) {
			if (len <= 1 && seq + 1 == snd->snd_max && !fin && !syn) {
				if (rcv->zero_win)
					ff->zwin_probe = true;
				else
					ff->keepalive = true;
			} else {
				ff->retrans = true;
			}
			hole_fill(snd, seq, end);
		} else if (SEQ_GT(seq, snd->snd_max) && seq - snd->snd_max < MAX_PLAUSIBLE_GAP) {
			hole_add(snd, snd->snd_max, seq);
		} else if (rcv->zero_win && len == 1) {
			ff->zwin_probe = true;   /* one new byte pushed into a zero window */
		}
	} else if (len == 0 && !syn && !fin && snd->isn_valid && seq + 1 == snd->snd_max &&
	    snd->seen_any && ack) {
		/* Linux probes (keep-alive and zero-window) carry no byte at snd_una - 1. */
		if (rcv->zero_win)
			ff->zwin_probe = true;
		else if (SEQ_LT(seq, snd->snd_max))
			ff->keepalive = true;
	}

	if (fin) {
		uint32_t fseq = seq + len;
		hole_fill(snd, fseq, fseq + 1);
		if (snd->fin_valid && fseq == snd->fin_seq)
			ff->fin_retrans = true;
		snd->fin_seq = fseq;
		snd->fin_valid = true;
		/* Our FIN that does not acknowledge the peer's FIN was sent before that FIN arrived. */
		if (rcv->fin_valid && (!ack || SEQ_LEQ(seg->ack, rcv->fin_seq)))
			ff->fin_crossed = true;
	}

	if (snd->isn_valid && SEQ_GT(seq + len + (fin ? 1 : 0), snd->snd_max))
		snd->snd_max = seq + len + (fin ? 1 : 0);

	if (ack) {
		uint32_t a = seg->ack;
		if (syn && !rcv->seen_any && !rcv->isn_from_peer_valid) {
			rcv->isn_from_peer = a - 1;
			rcv->isn_from_peer_valid = true;
		}
		if (rcv->isn_valid) {
			if (rcv->syn_seen && SEQ_GT(a, rcv->isn))
				ff->acks_syn = true;
			if (rcv->fin_valid && SEQ_GT(a, rcv->fin_seq))
				ff->acks_fin = true;
			uint32_t first = 0;
			uint32_t m = holes_acked(rcv, a, &first);
			if (rcv->seen_any && SEQ_GT(a, rcv->snd_max) && a - rcv->snd_max < MAX_PLAUSIBLE_GAP) {
				if (m == 0)
					first = rcv->snd_max;
				m += a - rcv->snd_max;
				rcv->snd_max = a;
			}
			ff->missed = m;
			ff->missed_from = first;
		} else if (!rcv->seen_any && !syn) {
			/* One-sided: the receiver's SYN was never seen; an ACK from SYN_SENT implies it. */
			ff->acks_syn = true;
		}
		if (!rcv->seen_any && !rcv->fin_valid && snd->ack_valid && a == snd->last_ack + 1 &&
		    len == 0 && !syn && !fin && snd->fin_valid)
			ff->peer_fin_unseen = true;
		if (len == 0 && !syn && !fin && snd->ack_valid && a == snd->last_ack &&
		    seg->win == snd->last_win && rcv->isn_valid && SEQ_GT(rcv->snd_max, a))
			ff->dup_ack = true;
		snd->last_ack = a;
		snd->ack_valid = true;
	}
	if (!syn) {
		bool zero = seg->win == 0;
		if (zero && !snd->zero_win)
			ff->win_zero_start = true;
		else if (!zero && snd->zero_win)
			ff->win_zero_end = true;
		snd->zero_win = zero;
	}
	snd->last_win = seg->win;
}
