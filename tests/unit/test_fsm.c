/* test_fsm.c - the transition table is complete, and hand-built segment sequences give the RFC 9293 paths. */
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "fsm.h"
#include "tcpstate.h"
#include "unit.h"

/* An in-memory sink: the per-endpoint state paths and the anomaly kinds of the last flows. */
struct memsink {
	char path[8][2][512];      /* per flow (by id - 1), per endpoint */
	char anomalies[8][512];
	int nflows;
};

static int m_input_begin(void *c, struct input_rec *in) { (void)c; in->id = 1; return 0; }
static int m_input_end(void *c, const struct input_rec *in) { (void)c; (void)in; return 0; }
static int m_flow(void *c, const struct flow_rec *f)
{
	struct memsink *m = c;
	m->nflows = (int)f->id;
	return 0;
}
static int m_transition(void *c, const struct transition_rec *t)
{
	struct memsink *m = c;
	char *p = m->path[t->flow_id - 1][t->endpoint];
	if (t->evidence == EV_END)
		return 0;
	if (p[0] == '\0')
		strcat(p, tcpstate_name(t->from_state));
	strcat(p, " ");
	strcat(p, tcpstate_name(t->to_state));
	return 0;
}
static int m_anomaly(void *c, const struct anomaly_rec *a)
{
	struct memsink *m = c;
	if (a->flow_id > 0) {
		char *p = m->anomalies[a->flow_id - 1];
		if (p[0]) strcat(p, " ");
		strcat(p, a->kind);
		if (a->endpoint >= 0)
			strcat(p, a->endpoint ? "/resp" : "/orig");
	}
	return 0;
}

/* A scenario step: 'c' client->server or 's' server->client, flags, seq, ack, payload length. */
struct step {
	char dir;
	uint8_t flags;
	uint32_t seq, ack, len;
	double t;
};

#define A TH_ACK
#define S TH_SYN
#define F TH_FIN
#define R TH_RST

static struct memsink *run(const struct step *st, size_t n)
{
	static struct memsink m;
	struct sink sink = { &m, m_input_begin, m_input_end, m_flow, m_transition, m_anomaly };
	struct analyzer an;
	struct analyze_opts o;
	memset(&m, 0, sizeof m);
	analyze_default_opts(&o);
	analyze_init(&an, &o, &sink, 1);
	for (size_t i = 0; i < n; i++) {
		struct segment g;
		memset(&g, 0, sizeof g);
		g.af = 4;
		uint8_t cli[4] = { 10, 0, 0, 1 }, srv[4] = { 10, 0, 0, 2 };
		bool c = st[i].dir == 'c';
		memcpy(g.src, c ? cli : srv, 4);
		memcpy(g.dst, c ? srv : cli, 4);
		g.sport = c ? 40000 : 80;
		g.dport = c ? 80 : 40000;
		g.flags = st[i].flags;
		g.seq = st[i].seq;
		g.ack = st[i].ack;
		g.payload_len = st[i].len;
		g.win = 1000;
		g.ts_ns = (int64_t)(1.7e18 + st[i].t * 1e9 + (double)i * 1e6);
		g.frame = i + 1;
		g.input_id = 1;
		analyze_segment(&an, &g);
	}
	analyze_finish(&an);
	analyze_free(&an);
	return &m;
}

#define RUN(arr) run(arr, sizeof arr / sizeof *arr)

static void test_table_complete(void)
{
	int bad = 0;
	for (int r = 0; r < ROLE_MAX; r++)
		for (int e = 0; e < FE_MAX; e++)
			for (int s = 0; s < ST_MAX; s++) {
				const struct fsm_cell *c = fsm_cell(r, e, s);
				if (c->reason == NULL || c->reason[0] == '\0' ||
				    (c->next < FSM_INVALID || c->next >= ST_MAX))
					bad++;
				/* a cell that moves never moves to the state it is in */
				if (c->next == s)
					bad++;
			}
	CHECK_INT(bad, 0);
}

static void test_handshake_client_close(void)
{
	struct step s[] = {
		{ 'c', S, 100, 0, 0, 0 }, { 's', S | A, 500, 101, 0, 0 }, { 'c', A, 101, 501, 0, 0 },
		{ 'c', A, 101, 501, 10, 0 }, { 's', A, 501, 111, 20, 0 },
		{ 'c', F | A, 111, 521, 0, 0 }, { 's', A, 521, 112, 0, 0 },
		{ 's', F | A, 521, 112, 0, 0 }, { 'c', A, 112, 522, 0, 0 },
	};
	struct memsink *m = RUN(s);
	CHECK_INT(m->nflows, 1);
	CHECK_STR(m->path[0][0], "CLOSED SYN_SENT ESTABLISHED FIN_WAIT_1 FIN_WAIT_2 TIME_WAIT");
	CHECK_STR(m->path[0][1], "LISTEN SYN_RECEIVED ESTABLISHED CLOSE_WAIT LAST_ACK CLOSED");
	CHECK_STR(m->anomalies[0], "");
}

static void test_three_segment_close(void)
{
	struct step s[] = {
		{ 'c', S, 100, 0, 0, 0 }, { 's', S | A, 500, 101, 0, 0 }, { 'c', A, 101, 501, 0, 0 },
		{ 's', F | A, 501, 101, 0, 0 }, { 'c', F | A, 101, 502, 0, 0 }, { 's', A, 502, 102, 0, 0 },
	};
	struct memsink *m = RUN(s);
	CHECK_STR(m->path[0][1], "LISTEN SYN_RECEIVED ESTABLISHED FIN_WAIT_1 FIN_WAIT_2 TIME_WAIT");
	CHECK_STR(m->path[0][0], "CLOSED SYN_SENT ESTABLISHED CLOSE_WAIT LAST_ACK CLOSED");
}

static void test_simultaneous_close(void)
{
	struct step s[] = {
		{ 'c', S, 100, 0, 0, 0 }, { 's', S | A, 500, 101, 0, 0 }, { 'c', A, 101, 501, 0, 0 },
		{ 'c', F | A, 101, 501, 0, 0 }, { 's', F | A, 501, 101, 0, 0 },
		{ 's', A, 502, 102, 0, 0 }, { 'c', A, 102, 502, 0, 0 },
	};
	struct memsink *m = RUN(s);
	CHECK_STR(m->path[0][0], "CLOSED SYN_SENT ESTABLISHED FIN_WAIT_1 CLOSING TIME_WAIT");
	CHECK_STR(m->path[0][1], "LISTEN SYN_RECEIVED ESTABLISHED FIN_WAIT_1 CLOSING TIME_WAIT");
	CHECK(strstr(m->anomalies[0], "simultaneous_close") != NULL);
}

static void test_refused(void)
{
	struct step s[] = { { 'c', S, 100, 0, 0, 0 }, { 's', R | A, 0, 101, 0, 0 } };
	struct memsink *m = RUN(s);
	CHECK_STR(m->path[0][0], "CLOSED SYN_SENT CLOSED");
	CHECK_STR(m->path[0][1], "LISTEN CLOSED");
	CHECK_STR(m->anomalies[0], "connection_refused/resp");
}

static void test_lost_final_ack(void)
{
	struct step s[] = {
		{ 'c', S, 100, 0, 0, 0 }, { 's', S | A, 500, 101, 0, 0 }, { 'c', A, 101, 501, 0, 0 },
		{ 'c', F | A, 101, 501, 0, 0 }, { 's', A, 501, 102, 0, 0 },
		{ 's', F | A, 501, 102, 0, 0 }, { 's', F | A, 501, 102, 0, 1 },
	};
	struct memsink *m = RUN(s);
	CHECK_STR(m->path[0][1], "LISTEN SYN_RECEIVED ESTABLISHED CLOSE_WAIT LAST_ACK");
	CHECK(strstr(m->anomalies[0], "lost_final_ack/resp") != NULL);
	CHECK(strstr(m->anomalies[0], "fin_retransmission/resp") != NULL);
}

static void test_lost_final_ack_beyond(void)
{
	struct step s[] = {
		{ 'c', S, 100, 0, 0, 0 }, { 's', S | A, 500, 101, 0, 0 }, { 'c', A, 101, 501, 0, 0 },
		{ 'c', F | A, 101, 501, 0, 0 }, { 's', A, 501, 102, 0, 0 },
		{ 's', F | A, 501, 102, 0, 0 }, { 'c', A, 102, 502, 0, 0 },
		{ 's', F | A, 501, 102, 0, 1 }, { 'c', A, 102, 502, 0, 1 },
	};
	struct memsink *m = RUN(s);
	CHECK_STR(m->path[0][1], "LISTEN SYN_RECEIVED ESTABLISHED CLOSE_WAIT LAST_ACK CLOSED");
	CHECK(strstr(m->anomalies[0], "lost_final_ack/resp") != NULL);
}

static void test_midstream(void)
{
	struct step s[] = {
		{ 'c', A, 1000, 5000, 10, 0 }, { 's', A, 5000, 1010, 0, 0 },
		{ 'c', F | A, 1010, 5000, 0, 0 }, { 's', F | A, 5000, 1011, 0, 0 }, { 'c', A, 1011, 5001, 0, 0 },
	};
	struct memsink *m = RUN(s);
	CHECK_STR(m->path[0][0], "UNKNOWN ESTABLISHED FIN_WAIT_1 FIN_WAIT_2 TIME_WAIT");
	CHECK_STR(m->path[0][1], "UNKNOWN ESTABLISHED CLOSE_WAIT LAST_ACK CLOSED");
	CHECK(strstr(m->anomalies[0], "midstream") != NULL);
}

static void test_port_reuse(void)
{
	struct step s[] = {
		{ 'c', S, 100, 0, 0, 0 }, { 's', S | A, 500, 101, 0, 0 }, { 'c', A, 101, 501, 0, 0 },
		{ 's', F | A, 501, 101, 0, 0 }, { 'c', A, 101, 502, 0, 0 },
		{ 'c', F | A, 101, 502, 0, 0 }, { 's', A, 502, 102, 0, 0 },
		{ 'c', S, 90000, 0, 0, 1 }, { 's', S | A, 7000, 90001, 0, 1 }, { 'c', A, 90001, 7001, 0, 1 },
	};
	struct memsink *m = RUN(s);
	CHECK_INT(m->nflows, 2);
	CHECK_STR(m->path[0][1], "LISTEN SYN_RECEIVED ESTABLISHED FIN_WAIT_1 FIN_WAIT_2 TIME_WAIT CLOSED");
	CHECK(strstr(m->anomalies[0], "time_wait_reuse/resp") != NULL);
	CHECK_STR(m->path[1][0], "CLOSED SYN_SENT ESTABLISHED");
}

static void test_simultaneous_open(void)
{
	struct step s[] = {
		{ 'c', S, 100, 0, 0, 0 }, { 's', S, 500, 0, 0, 0 },
		{ 'c', S | A, 100, 501, 0, 0 }, { 's', S | A, 500, 101, 0, 0 },
	};
	struct memsink *m = RUN(s);
	CHECK_STR(m->path[0][0], "CLOSED SYN_SENT SYN_RECEIVED ESTABLISHED");
	CHECK_STR(m->path[0][1], "LISTEN SYN_SENT SYN_RECEIVED ESTABLISHED");
	CHECK(strstr(m->anomalies[0], "simultaneous_open") != NULL);
}

static void test_rst_in_time_wait(void)
{
	struct step s[] = {
		{ 'c', S, 100, 0, 0, 0 }, { 's', S | A, 500, 101, 0, 0 }, { 'c', A, 101, 501, 0, 0 },
		{ 'c', F | A, 101, 501, 0, 0 }, { 's', F | A, 501, 102, 0, 0 }, { 'c', A, 102, 502, 0, 0 },
		{ 's', R, 502, 0, 0, 1 },
	};
	struct memsink *m = RUN(s);
	CHECK_STR(m->path[0][0], "CLOSED SYN_SENT ESTABLISHED FIN_WAIT_1 FIN_WAIT_2 TIME_WAIT CLOSED");
	CHECK(strstr(m->anomalies[0], "time_wait_assassination/orig") != NULL);
}

int main(void)
{
	test_table_complete();
	test_handshake_client_close();
	test_three_segment_close();
	test_simultaneous_close();
	test_refused();
	test_lost_final_ack();
	test_lost_final_ack_beyond();
	test_midstream();
	test_port_reuse();
	test_simultaneous_open();
	test_rst_in_time_wait();
	return unit_done("test_fsm");
}
