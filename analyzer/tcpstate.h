/* tcpstate.h - the TCP endpoint state vocabulary (RFC 9293 3.3.2) and evidence kinds. */
#ifndef PCAPSTATE_TCPSTATE_H
#define PCAPSTATE_TCPSTATE_H

/* Frozen numbering: these values are stored and must never change meaning. */
enum tcp_state {
	ST_UNKNOWN = 0,      /* history not in the capture (mid-stream pickup) */
	ST_CLOSED,
	ST_LISTEN,
	ST_SYN_SENT,
	ST_SYN_RECEIVED,
	ST_ESTABLISHED,
	ST_FIN_WAIT_1,
	ST_FIN_WAIT_2,
	ST_CLOSE_WAIT,
	ST_CLOSING,
	ST_LAST_ACK,
	ST_TIME_WAIT,
	ST_MAX
};

enum evidence {
	EV_SEEN = 0,   /* the endpoint's own segment proves it */
	EV_INFERRED,   /* follows from what the peer sent or acknowledged */
	EV_ASSUMED,    /* mid-stream pickup */
	EV_TIMEOUT,    /* 2*MSL or idle expiry */
	EV_END,        /* state held at the end of the capture */
	EVIDENCE_MAX
};

/* Returns the database name of a state ("SYN_SENT"), or "?" when out of range. */
const char *tcpstate_name(int st);
/* Returns the database name of an evidence kind ("seen"), or "?" when out of range. */
const char *tcpstate_evidence_name(int ev);
/* Returns 1 for the synchronized states (RFC 9293 3.5.2: ESTABLISHED and later). */
int tcpstate_synchronized(int st);

#endif
