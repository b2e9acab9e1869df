/* fsm.h - the per-endpoint TCP state machine as data: [role][event][state] cells, each with its reason. */
#ifndef PCAPSTATE_FSM_H
#define PCAPSTATE_FSM_H

#include <stdint.h>

#include "tcpstate.h"

/* Events derived from one segment (flags plus sequence facts), applied in this order. */
enum fsm_event {
	FE_RST = 0,   /* RST accepted by the window check */
	FE_DATA,      /* any non-RST segment: only the mid-stream UNKNOWN cells use it */
	FE_SYN,       /* SYN without ACK */
	FE_SYNACK,    /* SYN with ACK */
	FE_ACK_SYN,   /* the ACK field covers the receiver's SYN */
	FE_ACK_FIN,   /* the ACK field covers the receiver's FIN */
	FE_FIN,       /* FIN */
	FE_PAYLOAD,   /* payload bytes (a server sending data has completed its handshake) */
	FE_PEER_SYNC, /* one-sided: the sender, established, acknowledges data the unseen receiver sent */
	FE_MAX
};

/* Role of the endpoint the cell applies to: it sent the segment, or it is the destination. */
enum fsm_role { ROLE_SENDER = 0, ROLE_RECEIVER, ROLE_MAX };

/* Outside the state range (netfilter's sIG/sIV): no change, or no change and out_of_window. */
#define FSM_IGNORE  (-1)
#define FSM_INVALID (-2)

struct fsm_cell {
	int8_t next;          /* enum tcp_state, FSM_IGNORE or FSM_INVALID */
	uint8_t evidence;     /* enum evidence recorded when the cell moves the state */
	uint8_t again;        /* apply the same event once more from the new state */
	const char *reason;   /* why: the RFC rule, stored as the transition's trigger */
};

/* Returns the cell for an endpoint in STATE playing ROLE for event EV. */
const struct fsm_cell *fsm_cell(enum fsm_role role, enum fsm_event ev, int state);
const char *fsm_event_name(enum fsm_event ev);

#endif
