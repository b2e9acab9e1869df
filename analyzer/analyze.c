/* analyze.c - per-segment pipeline: flow lookup, sequence facts, state machine, detectors, emission. */
#include "config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "detect.h"
#include "flowid.h"
#include "fsm.h"
#include "seqtrack.h"
#include "tcpstate.h"
#include "zeek.h"

#define NS 1000000000LL

void analyze_default_opts(struct analyze_opts *o)
{
	o->msl_ns = 30 * NS;
	o->idle_ns = 3600 * NS;
	o->stuck_ns = 60 * NS;
	o->syn_flood_threshold = 20;
	o->tw_pileup_threshold = 100;
	o->half_open_retrans = 3;
	o->max_flows = 2000000;
	o->max_anomalies_per_flow = 64;
	o->max_capture_anomalies = 100;
}

void analyze_addr_str(int af, const uint8_t *addr, char *buf, size_t len)
{
	if (inet_ntop(af == 4 ? AF_INET : AF_INET6, addr, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
}

static void host_report(void *ctx, const struct hw_entry *e, int64_t end_ts);

int analyze_init(struct analyzer *an, const struct analyze_opts *o, struct sink *sink,
    int64_t first_flow_id)
{
	memset(an, 0, sizeof *an);
	an->opt = *o;
	an->sink = sink;
	an->next_flow_id = first_flow_id;
	if (flowtab_init(&an->tab) != 0)
		return -1;
	if (hostwatch_init(&an->hosts, o->syn_flood_threshold, o->tw_pileup_threshold,
	    host_report, an) != 0)
		return -1;
	return 0;
}

void analyze_input_start(struct analyzer *an, int64_t input_id)
{
	an->cur_input = input_id;
	memset(an->cap_anomaly_count, 0, sizeof an->cap_anomaly_count);
}

/* --- pending records: a flow's rows are written after its flow row, when it ends --- */

static struct pending *pend_new(struct flow *f)
{
	if (f->npend == f->cappend) {
		uint32_t n = f->cappend ? f->cappend * 2 : 8;
		struct pending *p = realloc(f->pend, n * sizeof *p);
		if (p == NULL)
			return NULL;
		f->pend = p;
		f->cappend = n;
	}
	struct pending *p = &f->pend[f->npend++];
	memset(p, 0, sizeof *p);
	return p;
}

void analyze_flow_anomaly(struct analyzer *an, struct flow *f, enum anomaly_kind k, int endpoint,
    int64_t ts, int64_t input_id, uint64_t frame, const char *fmt, ...)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < f->npend; i++)
		n += f->pend[i].kind == 1;
	if (n >= an->opt.max_anomalies_per_flow) {
		f->anomalies_dropped++;
		return;
	}
	struct pending *p = pend_new(f);
	if (p == NULL)
		return;
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	const struct anomaly_info *ai = anomaly_info(k);
	p->kind = 1;
	p->detail = strdup(buf);
	p->a.kind = ai->name;
	p->a.severity = ai->severity;
	p->a.endpoint = endpoint;
	p->a.ts = ts;
	p->a.input_id = input_id;
	p->a.frame = (int64_t)frame;
}

int analyze_host_anomaly(struct analyzer *an, enum anomaly_kind k, const char *host, int64_t ts,
    const char *detail)
{
	const struct anomaly_info *ai = anomaly_info(k);
	struct anomaly_rec a = {
		.flow_id = 0, .kind = ai->name, .endpoint = -1, .host = host, .ts = ts,
		.input_id = 0, .frame = 0, .severity = ai->severity, .detail = detail,
	};
	if (an->sink->anomaly(an->sink->ctx, &a) != 0) {
		an->failed = true;
		return -1;
	}
	return 0;
}

int analyze_capture_anomaly(struct analyzer *an, enum anomaly_kind k, int64_t input_id,
    uint64_t frame, int64_t ts, const char *detail)
{
	if (an->cap_anomaly_count[k]++ >= an->opt.max_capture_anomalies)
		return 0;
	const struct anomaly_info *ai = anomaly_info(k);
	struct anomaly_rec a = {
		.flow_id = 0, .kind = ai->name, .endpoint = -1, .host = NULL, .ts = ts,
		.input_id = input_id, .frame = (int64_t)frame, .severity = ai->severity,
		.detail = detail,
	};
	if (an->sink->anomaly(an->sink->ctx, &a) != 0) {
		an->failed = true;
		return -1;
	}
	return 0;
}

static void host_report(void *ctx, const struct hw_entry *e, int64_t end_ts)
{
	struct analyzer *an = ctx;
	char host[64], svc[64], peak[40], start[40], detail[512];
	analyze_addr_str(e->key.af, e->key.host, host, sizeof host);
	analyze_addr_str(e->key.af, e->key.service, svc, sizeof svc);
	snprintf(peak, sizeof peak, "%lld.%09lld", (long long)(e->peak_ts / NS), (long long)(e->peak_ts % NS));
	snprintf(start, sizeof start, "%lld.%09lld", (long long)(e->start_ts / NS), (long long)(e->start_ts % NS));
	if (e->key.kind == HW_SYN_RECEIVED) {
		snprintf(detail, sizeof detail,
		    "peak %u endpoints of service %s%s%s:%u held in SYN_RECEIVED at once at %s; "
		    "threshold %u reached at %s; episode lasted %.3f s",
		    e->peak, e->key.af == 6 ? "[" : "", svc, e->key.af == 6 ? "]" : "",
		    e->key.port, peak, an->opt.syn_flood_threshold, start,
		    (double)(end_ts - e->start_ts) / 1e9);
		analyze_host_anomaly(an, AN_SYN_FLOOD, host, e->start_ts, detail);
	} else {
		snprintf(detail, sizeof detail,
		    "peak %u connections of %s to service %s%s%s:%u in TIME_WAIT at once at %s; "
		    "threshold %u reached at %s; episode lasted %.3f s",
		    e->peak, host, e->key.af == 6 ? "[" : "", svc, e->key.af == 6 ? "]" : "",
		    e->key.port, peak, an->opt.tw_pileup_threshold, start,
		    (double)(end_ts - e->start_ts) / 1e9);
		analyze_host_anomaly(an, AN_TIME_WAIT_PILEUP, host, e->start_ts, detail);
	}
}

/* --- the setter --- */

static const uint8_t *ep_addr(const struct flow *f, int ep)
{
	return f->key.addr[f->ep[ep].side];
}

static uint16_t ep_port(const struct flow *f, int ep)
{
	return f->key.port[f->ep[ep].side];
}

static void hw_key_for(const struct flow *f, int ep, enum hw_kind kind, struct hw_key *k)
{
	memset(k, 0, sizeof *k);
	k->kind = (uint8_t)kind;
	k->af = f->key.af;
	memcpy(k->host, ep_addr(f, ep), 16);
	memcpy(k->service, ep_addr(f, 1), 16);   /* the responder is the service */
	k->port = ep_port(f, 1);
}

void endpoint_set_state(struct analyzer *an, struct flow *f, int ep, int to, int evidence,
    const char *trigger, int64_t ts, int64_t input_id, uint64_t frame)
{
	struct endpoint *e = &f->ep[ep];
	int from = e->state;
	struct hw_key k;

	if (from == to && evidence != EV_END && evidence != EV_TIMEOUT)
		return;
	struct pending *p = pend_new(f);
	if (p != NULL) {
		p->kind = 0;
		p->t.endpoint = ep;
		p->t.ts = ts;
		p->t.input_id = input_id;
		p->t.frame = (int64_t)frame;
		p->t.from_state = from;
		p->t.to_state = to;
		p->t.trigger = trigger;
		p->t.evidence = evidence;
	}
	if (from == to)
		return;
	detect_on_transition(an, f, ep, from, to, evidence, ts, input_id, frame);
	if (from == ST_SYN_RECEIVED && f->syn_rcvd_counted) {
		hw_key_for(f, ep, HW_SYN_RECEIVED, &k);
		hostwatch_add(&an->hosts, &k, -1, ts);
		f->syn_rcvd_counted = false;
	}
	if (from == ST_TIME_WAIT && f->tw_counted[ep]) {
		hw_key_for(f, ep, HW_TIME_WAIT, &k);
		hostwatch_add(&an->hosts, &k, -1, ts);
		f->tw_counted[ep] = false;
	}
	e->state = (uint8_t)to;
	e->state_ts = ts;
	if (to == ST_SYN_RECEIVED && ep == 1 && !f->syn_rcvd_counted) {
		hw_key_for(f, ep, HW_SYN_RECEIVED, &k);
		hostwatch_add(&an->hosts, &k, +1, ts);
		f->syn_rcvd_counted = true;
	}
	if (to == ST_TIME_WAIT) {
		hw_key_for(f, ep, HW_TIME_WAIT, &k);
		hostwatch_add(&an->hosts, &k, +1, ts);
		f->tw_counted[ep] = true;
	}
}

/* Takes back the endpoint's last transition when a later segment proves it did not happen. */
static bool retract_last(struct flow *f, int ep, int from, int to)
{
	for (uint32_t i = f->npend; i-- > 0;) {
		struct pending *p = &f->pend[i];
		if (p->kind != 0 || p->t.endpoint != ep)
			continue;
		if (p->t.from_state != from || p->t.to_state != to || p->t.evidence != EV_INFERRED)
			return false;
		memmove(p, p + 1, (f->npend - i - 1) * sizeof *p);
		f->npend--;
		return true;
	}
	return false;
}

/* --- applying the table --- */

struct segctx {
	const struct segment *seg;
	int dir;
};

static void apply_ev(struct analyzer *an, struct flow *f, int ep, enum fsm_role role,
    enum fsm_event ev, const struct segctx *c, bool force_inferred)
{
	const struct fsm_cell *cell = fsm_cell(role, ev, f->ep[ep].state);
	if (cell->next >= 0) {
		int evidence = force_inferred && cell->evidence == EV_SEEN ? EV_INFERRED : cell->evidence;
		endpoint_set_state(an, f, ep, cell->next, evidence, cell->reason,
		    c->seg->ts_ns, c->seg->input_id, c->seg->frame);
		if (cell->again)
			apply_ev(an, f, ep, role, ev, c, force_inferred);
	} else if (cell->next == FSM_INVALID) {
		analyze_flow_anomaly(an, f, AN_OUT_OF_WINDOW, c->dir, c->seg->ts_ns,
		    c->seg->input_id, c->seg->frame, "frame %llu: %s not possible in %s: %s",
		    (unsigned long long)c->seg->frame, fsm_event_name(ev),
		    tcpstate_name(f->ep[ep].state), cell->reason);
	}
}

static void apply(struct analyzer *an, struct flow *f, int ep, enum fsm_role role,
    enum fsm_event ev, const struct segctx *c)
{
	apply_ev(an, f, ep, role, ev, c, false);
}

static void apply_both(struct analyzer *an, struct flow *f, enum fsm_event ev,
    const struct segctx *c)
{
	apply(an, f, c->dir, ROLE_SENDER, ev, c);
	apply(an, f, !c->dir, ROLE_RECEIVER, ev, c);
}

/* --- flow life cycle --- */

static bool flow_all_closed(const struct flow *f)
{
	for (int i = 0; i < 2; i++) {
		int s = f->ep[i].state;
		if (s != ST_CLOSED && s != ST_LISTEN)
			return false;
	}
	return true;
}

static int emit_flow(struct analyzer *an, struct flow *f)
{
	char oa[64], ra[64], uid[FLOWID_UID_LEN], cid[FLOWID_COMMUNITY_LEN];
	const uint8_t *o = ep_addr(f, 0), *r = ep_addr(f, 1);
	int af = f->key.af;

	detect_on_finish(an, f);
	analyze_addr_str(af, o, oa, sizeof oa);
	analyze_addr_str(af, r, ra, sizeof ra);
	flowid_uid(uid, af, o, r, ep_port(f, 0), ep_port(f, 1), f->first_ts);
	flowid_community(cid, af, o, r, ep_port(f, 0), ep_port(f, 1), 6, 0);
	struct flow_rec fr = {
		.id = f->id, .uid = uid, .community_id = cid, .ip_version = af,
		.orig_addr = oa, .resp_addr = ra, .orig_port = ep_port(f, 0), .resp_port = ep_port(f, 1),
		.first_ts = f->first_ts, .last_ts = f->last_ts, .first_input_id = f->first_input,
		.orig_pkts = f->ep[0].pkts, .resp_pkts = f->ep[1].pkts,
		.orig_bytes = f->ep[0].bytes, .resp_bytes = f->ep[1].bytes,
		.orig_state = f->ep[0].state, .resp_state = f->ep[1].state,
		.conn_state = zeek_conn_state(&f->zeek), .history = zeek_history(&f->zeek),
		.midstream = f->midstream,
		.orig_retrans = f->ep[0].retrans, .resp_retrans = f->ep[1].retrans,
		.orig_dup_acks = f->ep[0].dup_acks, .resp_dup_acks = f->ep[1].dup_acks,
		.orig_keepalives = f->ep[0].keepalives, .resp_keepalives = f->ep[1].keepalives,
		.orig_zero_win_probes = f->ep[0].zwin_probes, .resp_zero_win_probes = f->ep[1].zwin_probes,
		.orig_missed_bytes = f->ep[0].missed_bytes, .resp_missed_bytes = f->ep[1].missed_bytes,
	};
	struct sink *s = an->sink;
	if (s->flow(s->ctx, &fr) != 0)
		goto fail;
	for (uint32_t i = 0; i < f->npend; i++) {
		struct pending *p = &f->pend[i];
		if (p->kind == 0) {
			p->t.flow_id = f->id;
			if (s->transition(s->ctx, &p->t) != 0)
				goto fail;
		} else {
			p->a.flow_id = f->id;
			p->a.detail = p->detail ? p->detail : "";
			if (s->anomaly(s->ctx, &p->a) != 0)
				goto fail;
		}
	}
	an->flows_emitted++;
	return 0;
fail:
	an->failed = true;
	return -1;
}

/* Ends a flow: held states get a row with EVIDENCE and TRIGGER at TS, then it is written and freed. */
static int end_flow(struct analyzer *an, struct flow *f, int evidence, const char *trigger, int64_t ts)
{
	for (int i = 0; i < 2; i++) {
		struct endpoint *e = &f->ep[i];
		bool moved = false;
		for (uint32_t j = 0; j < f->npend && !moved; j++)
			moved = f->pend[j].kind == 0 && f->pend[j].t.endpoint == i;
		if (e->state != ST_CLOSED && moved)
			endpoint_set_state(an, f, i, e->state, evidence, trigger, ts, 0, 0);
	}
	/* Leave the host counters: the flow no longer holds anything. */
	struct hw_key k;
	if (f->syn_rcvd_counted) {
		hw_key_for(f, 1, HW_SYN_RECEIVED, &k);
		hostwatch_add(&an->hosts, &k, -1, ts);
	}
	for (int i = 0; i < 2; i++)
		if (f->tw_counted[i]) {
			hw_key_for(f, i, HW_TIME_WAIT, &k);
			hostwatch_add(&an->hosts, &k, -1, ts);
		}
	int rc = emit_flow(an, f);
	flowtab_remove(&an->tab, f);
	flowtab_free_flow(f);
	return rc;
}

/* TIME_WAIT deadlines and lingering closed flows whose time has come. */
static void run_expiry(struct analyzer *an, int64_t now)
{
	struct flow *f;
	while ((f = an->tab.exp_head) != NULL && f->expire_at <= now && !an->failed) {
		flowtab_unexpire(&an->tab, f);
		int64_t at = f->expire_at;
		for (int i = 0; i < 2; i++)
			if (f->ep[i].state == ST_TIME_WAIT && f->ep[i].state_ts + 2 * an->opt.msl_ns <= now)
				endpoint_set_state(an, f, i, ST_CLOSED, EV_TIMEOUT,
				    "2*MSL elapsed in TIME_WAIT (RFC 9293 3.6.1)",
				    f->ep[i].state_ts + 2 * an->opt.msl_ns, 0, 0);
		if (flow_all_closed(f))
			end_flow(an, f, EV_END, "", at);
	}
	/* Idle connections stop being tracked so memory stays bounded. */
	while ((f = an->tab.lru_head) != NULL && f->last_ts + an->opt.idle_ns <= now && !an->failed) {
		char *why = "idle longer than --idle-timeout: tracking stopped";
		end_flow(an, f, EV_TIMEOUT, why, f->last_ts + an->opt.idle_ns);
	}
}

static void schedule(struct analyzer *an, struct flow *f)
{
	int64_t at = -1;
	for (int i = 0; i < 2; i++)
		if (f->ep[i].state == ST_TIME_WAIT) {
			int64_t d = f->ep[i].state_ts + 2 * an->opt.msl_ns;
			if (d > at)
				at = d;
		}
	if (at < 0 && flow_all_closed(f))
		at = f->last_ts + 2 * an->opt.msl_ns;   /* linger for late segments of the old connection */
	if (at >= 0)
		flowtab_expire_at(&an->tab, f, at);
	else
		flowtab_unexpire(&an->tab, f);
}

static int pick_responder_midstream(const struct segment *seg)
{
	/* Rule (documented in the README): the well-known (< 1024) port, else the lower port, is
	 * the responder; on equal ports the receiver of the first segment is. Returns 1 when the
	 * sender of SEG is the responder. */
	bool s_low = seg->sport < 1024, d_low = seg->dport < 1024;
	if (s_low != d_low)
		return s_low;
	if (seg->sport != seg->dport)
		return seg->sport < seg->dport;
	return 0;
}

static struct flow *new_flow(struct analyzer *an, const struct flow_key *key, int side,
    const struct segment *seg)
{
	struct flow *f = flowtab_insert(&an->tab, key);
	if (f == NULL)
		return NULL;
	f->id = an->next_flow_id++;
	f->first_ts = f->last_ts = seg->ts_ns;
	f->first_input = seg->input_id;
	f->first_frame = seg->frame;
	f->prev_dir = -1;
	bool syn = seg->flags & TH_SYN, ack = seg->flags & TH_ACK, rst = seg->flags & TH_RST;
	int sender_is_resp;
	if (syn && !rst)
		sender_is_resp = ack;   /* SYN: originator; SYN-ACK: responder */
	else
		sender_is_resp = pick_responder_midstream(seg);
	f->ep[sender_is_resp ? 1 : 0].side = (uint8_t)side;
	f->ep[sender_is_resp ? 0 : 1].side = (uint8_t)!side;
	if (syn && !rst) {
		f->ep[0].state = ST_CLOSED;
		f->ep[1].state = ST_LISTEN;
		f->orig_by_syn = !ack;
	} else {
		f->ep[0].state = f->ep[1].state = ST_UNKNOWN;
		f->midstream = true;
		analyze_flow_anomaly(an, f, AN_MIDSTREAM, -1, seg->ts_ns, seg->input_id, seg->frame,
		    "first segment (frame %llu, flags 0x%02x) is not a SYN: the handshake is not in the capture",
		    (unsigned long long)seg->frame, seg->flags);
	}
	zeek_init(&f->zeek);
	/* The connection cap: evict the least recently active flow. */
	while (an->tab.count > an->opt.max_flows && an->tab.lru_head != f && !an->failed) {
		struct flow *old = an->tab.lru_head;
		if (an->evicted++ == 0)
			analyze_capture_anomaly(an, AN_EVICTED, seg->input_id, seg->frame, seg->ts_ns,
			    "connection cap (--max-flows) reached: least recently active connections are "
			    "no longer tracked; see the run summary for the count");
		end_flow(an, old, EV_TIMEOUT, "evicted: connection cap (--max-flows) reached",
		    seg->ts_ns);
	}
	return f;
}

/* A SYN (no ACK) on a known 4-tuple: a retransmission of this connection, or a new one? */
static bool starts_new_connection(const struct flow *f, int dir, const struct segment *seg)
{
	const struct endpoint *s = &f->ep[dir];
	if (s->syn_seen && seg->seq == s->isn)
		return false;                       /* retransmitted SYN */
	if (flow_all_closed(f) && (f->ep[0].pkts + f->ep[1].pkts) > 0 &&
	    !(f->ep[0].state == ST_CLOSED && f->ep[1].state == ST_LISTEN && !f->ep[0].syn_seen))
		return true;                        /* port reuse after a close */
	if (f->ep[0].state == ST_TIME_WAIT || f->ep[1].state == ST_TIME_WAIT)
		return true;                        /* reuse of a TIME_WAIT 4-tuple (RFC 6191) */
	if (dir == 1 && !s->syn_seen && f->ep[0].state == ST_SYN_SENT)
		return false;                       /* simultaneous open */
	if (dir == 0 && f->ep[0].state == ST_SYN_SENT && s->syn_seen)
		return true;                        /* a new attempt with a new ISN */
	return f->midstream || tcpstate_synchronized(f->ep[0].state) ||
	    tcpstate_synchronized(f->ep[1].state) || f->ep[0].state == ST_CLOSED;
}

static void supersede(struct analyzer *an, struct flow *f, const struct segment *seg)
{
	for (int i = 0; i < 2; i++)
		if (f->ep[i].state == ST_TIME_WAIT) {
			analyze_flow_anomaly(an, f, AN_TIME_WAIT_REUSE, i, seg->ts_ns, seg->input_id,
			    seg->frame, "frame %llu: new SYN (ISN %u) on the 4-tuple %.3f s into TIME_WAIT",
			    (unsigned long long)seg->frame, seg->seq,
			    (double)(seg->ts_ns - f->ep[i].state_ts) / 1e9);
			endpoint_set_state(an, f, i, ST_CLOSED, EV_INFERRED,
			    "a new SYN on the 4-tuple ends TIME_WAIT (RFC 9293 3.10.7.4, RFC 6191)",
			    seg->ts_ns, seg->input_id, seg->frame);
		}
	end_flow(an, f, EV_END, "superseded by a new connection on the same 4-tuple", seg->ts_ns);
}

static void process(struct analyzer *an, struct flow *f, int dir, const struct segment *seg)
{
	struct endpoint *S = &f->ep[dir], *R = &f->ep[!dir];
	struct seqfacts ff;
	struct segctx c = { seg, dir };
	uint8_t fl = seg->flags;

	S->pkts++;
	S->bytes += seg->payload_len;
	S->last_ts = seg->ts_ns;
	/* Timestamps may step back (a regression in the file): keep first <= last. */
	if (seg->ts_ns > f->last_ts)
		f->last_ts = seg->ts_ns;
	if (seg->ts_ns < f->first_ts)
		f->first_ts = seg->ts_ns;
	zeek_segment(&f->zeek, dir, seg);
	seqtrack_update(S, R, seg, &ff);
	detect_on_segment(an, f, dir, seg, &ff);
	S->seen_any = true;
	if (ff.out_of_window) {
		analyze_flow_anomaly(an, f, AN_OUT_OF_WINDOW, dir, seg->ts_ns, seg->input_id, seg->frame,
		    "frame %llu: %u bytes at seq %u start %u bytes past the receiver's window "
		    "(last ACK %u, window %u): not acceptable (RFC 9293 3.10.7.4)",
		    (unsigned long long)seg->frame, seg->payload_len, seg->seq,
		    seg->seq - R->last_ack, R->last_ack, R->last_win);
		return;
	}

	if (fl & TH_RST) {
		S->rst_seen = true;
		if (!ff.rst_in_window) {
			analyze_flow_anomaly(an, f, AN_OUT_OF_WINDOW, dir, seg->ts_ns, seg->input_id,
			    seg->frame, "frame %llu: RST seq %u outside the receiver's window (last ACK %u)",
			    (unsigned long long)seg->frame, seg->seq, R->last_ack);
			return;
		}
		detect_on_rst(an, f, dir, seg);
		apply_both(an, f, FE_RST, &c);
		schedule(an, f);
		return;
	}
	if (S->state == ST_UNKNOWN)
		apply(an, f, dir, ROLE_SENDER, FE_DATA, &c);
	if (R->state == ST_UNKNOWN)
		apply(an, f, !dir, ROLE_RECEIVER, FE_DATA, &c);
	if ((fl & TH_SYN) && !(fl & TH_ACK))
		apply_both(an, f, FE_SYN, &c);
	if ((fl & TH_SYN) && (fl & TH_ACK)) {
		apply_both(an, f, FE_SYNACK, &c);
		/* Simultaneous open: the peer's SYN-ACK acknowledged our SYN before we sent ours. */
		if (S->state == ST_SYN_RECEIVED && R->ack_valid && S->isn_valid &&
		    SEQ_GT(R->last_ack, S->isn))
			apply(an, f, dir, ROLE_RECEIVER, FE_ACK_SYN, &c);
	}
	if (ff.acks_syn)
		apply_both(an, f, FE_ACK_SYN, &c);
	if (ff.peer_fin_unseen) {
		/* One-sided capture: our ACK moved one past everything the peer could have sent:
		 * the peer's FIN, never captured. Its sending and receipt are inferred. */
		R->fin_valid = true;
		R->fin_seq = seg->ack - 1;
		apply_ev(an, f, !dir, ROLE_SENDER, FE_FIN, &c, true);
		if (S->state == ST_FIN_WAIT_1)
			apply(an, f, dir, ROLE_RECEIVER, FE_ACK_FIN, &c);
		apply(an, f, dir, ROLE_RECEIVER, FE_FIN, &c);
		apply(an, f, !dir, ROLE_RECEIVER, FE_ACK_FIN, &c);
	}
	if (ff.acks_fin)
		apply(an, f, !dir, ROLE_RECEIVER, FE_ACK_FIN, &c);
	/* One-sided: an established sender acknowledging more than the unseen peer's SYN. */
	if (!R->seen_any && R->state == ST_SYN_SENT && tcpstate_synchronized(S->state) &&
	    (fl & TH_ACK) && R->isn_from_peer_valid && SEQ_GT(seg->ack, R->isn_from_peer + 1))
		apply(an, f, !dir, ROLE_RECEIVER, FE_PEER_SYNC, &c);
	if (fl & TH_FIN) {
		if (ff.fin_crossed && S->state == ST_CLOSE_WAIT &&
		    retract_last(f, dir, ST_ESTABLISHED, ST_CLOSE_WAIT)) {
			/* Our FIN does not acknowledge the peer's: it left before that FIN arrived. */
			S->state = ST_ESTABLISHED;
			apply(an, f, dir, ROLE_SENDER, FE_FIN, &c);
			endpoint_set_state(an, f, dir, ST_CLOSING, EV_INFERRED,
			    "FINs crossed: the peer's FIN arrives after ours left (simultaneous close, RFC 9293 3.6, Figure 13)",
			    seg->ts_ns, seg->input_id, seg->frame);
			apply(an, f, !dir, ROLE_RECEIVER, FE_FIN, &c);
		} else {
			if (ff.fin_retrans && S->state == ST_CLOSED)
				if (retract_last(f, dir, ST_LAST_ACK, ST_CLOSED))
					S->state = ST_LAST_ACK;
			if (ff.fin_retrans && S->state == ST_TIME_WAIT && R->state != ST_TIME_WAIT)
				if (retract_last(f, dir, ST_CLOSING, ST_TIME_WAIT))
					S->state = ST_CLOSING;
			apply_both(an, f, FE_FIN, &c);
		}
	}
	if (seg->payload_len > 0)
		apply(an, f, dir, ROLE_SENDER, FE_PAYLOAD, &c);
	schedule(an, f);
}

int analyze_segment(struct analyzer *an, const struct segment *seg)
{
	struct flow_key key;
	int side;

	if (an->failed)
		return -1;
	if (seg->ts_ns > an->now)
		an->now = seg->ts_ns;
	if (an->now - an->last_expiry_check >= NS / 10 || an->now < an->last_expiry_check) {
		run_expiry(an, an->now);
		an->last_expiry_check = an->now;
	}
	flowtab_key(seg, &key, &side);
	struct flow *f = flowtab_find(&an->tab, &key);
	if (f != NULL) {
		int dir = f->ep[0].side == side ? 0 : 1;
		bool syn = (seg->flags & (TH_SYN | TH_ACK | TH_RST)) == TH_SYN;
		/* After a full close, what Zeek would count as a new connection (a SYN, or traffic
		 * past its close delay) starts a new flow here too, so the two agree. */
		if ((syn && starts_new_connection(f, dir, seg)) ||
		    (flow_all_closed(f) && f->ep[0].pkts + f->ep[1].pkts > 0 &&
		     zeek_starts_new(&f->zeek, dir, seg))) {
			supersede(an, f, seg);
			f = NULL;
		}
	}
	if (f == NULL) {
		f = new_flow(an, &key, side, seg);
		if (f == NULL)
			return -1;
	}
	flowtab_touch(&an->tab, f);
	int dir = f->ep[0].side == side ? 0 : 1;
	process(an, f, dir, seg);
	f->prev_dir = (int8_t)dir;
	return an->failed ? -1 : 0;
}

int analyze_finish(struct analyzer *an)
{
	/* TIME_WAITs that ran out before the last packet's time first, then everything else. */
	run_expiry(an, an->now);
	struct flow *f;
	while ((f = an->tab.all_head) != NULL && !an->failed)
		end_flow(an, f, EV_END, "state held when the capture ended", an->now);
	hostwatch_flush(&an->hosts, an->now);
	return an->failed ? -1 : 0;
}

void analyze_free(struct analyzer *an)
{
	flowtab_destroy(&an->tab);
	hostwatch_free(&an->hosts);
}
