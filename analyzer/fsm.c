/* fsm.c - the transition table (RFC 9293 3.3.2 Figure 5, 3.10; RFC 1337): one cell per role, event and state. */
#include "fsm.h"

#define TO(s, ev, why) { (s), (ev), 0, (why) }
#define TOA(s, ev, why) { (s), (ev), 1, (why) }   /* then the same event again */
#define IG(why)        { FSM_IGNORE, EV_SEEN, 0, (why) }
#define IV(why)        { FSM_INVALID, EV_SEEN, 0, (why) }
#define S(st) ST_##st
#define SEEN EV_SEEN
#define INF  EV_INFERRED
#define ASM  EV_ASSUMED

/*
 * Columns: UNKNOWN CLOSED LISTEN SYN_SENT SYN_RECEIVED ESTABLISHED FIN_WAIT_1 FIN_WAIT_2
 *          CLOSE_WAIT CLOSING LAST_ACK TIME_WAIT
 * SENDER cells are proven by the endpoint's own segment (evidence seen); RECEIVER cells assume
 * that what the capture saw arrived (evidence inferred). Mid-stream cells are assumed.
 */
static const struct fsm_cell table[ROLE_MAX][FE_MAX][ST_MAX] = {
[ROLE_SENDER] = {
	[FE_RST] = {
		TO(S(CLOSED), SEEN, "RST sent on a connection picked up mid-stream"),
		IG("RST from an endpoint that has no connection (RFC 9293 3.10.7.1 answer to a stray segment)"),
		TO(S(CLOSED), SEEN, "SYN refused: RST sent, nothing listening on the port (RFC 9293 3.10.7.1)"),
		TO(S(CLOSED), SEEN, "RST sent in SYN_SENT: connection attempt aborted (RFC 9293 3.10.5)"),
		TO(S(CLOSED), SEEN, "RST sent in SYN_RECEIVED: handshake aborted (RFC 9293 3.10.5)"),
		TO(S(CLOSED), SEEN, "ABORT: RST sent on an established connection (RFC 9293 3.10.5)"),
		TO(S(CLOSED), SEEN, "ABORT: RST sent in FIN_WAIT_1 (RFC 9293 3.10.5)"),
		TO(S(CLOSED), SEEN, "ABORT: RST sent in FIN_WAIT_2 (RFC 9293 3.10.5)"),
		TO(S(CLOSED), SEEN, "ABORT: RST sent in CLOSE_WAIT (RFC 9293 3.10.5)"),
		TO(S(CLOSED), SEEN, "ABORT: RST sent in CLOSING (RFC 9293 3.10.5)"),
		TO(S(CLOSED), SEEN, "ABORT: RST sent in LAST_ACK (RFC 9293 3.10.5)"),
		TO(S(CLOSED), SEEN, "RST sent from TIME_WAIT"),
	},
	[FE_DATA] = {
		TO(S(ESTABLISHED), ASM, "mid-stream pickup: traffic without a handshake in the capture"),
		IG("no state change: segment from a closed endpoint"),
		IG("no state change in LISTEN"),
		IG("no state change: handshake still in progress"),
		IG("no state change: handshake still in progress"),
		IG("no state change: data or ACK on an established connection"),
		IG("no state change: data or ACK while closing"),
		IG("no state change: data or ACK while closing"),
		IG("no state change: data or ACK while closing"),
		IG("no state change: data or ACK while closing"),
		IG("no state change: data or ACK while closing"),
		IG("no state change: late segment in TIME_WAIT"),
	},
	[FE_SYN] = {
		IV("SYN on a connection picked up mid-stream"),
		TO(S(SYN_SENT), SEEN, "active OPEN: SYN sent (RFC 9293 3.5, Figure 6)"),
		TO(S(SYN_SENT), SEEN, "the presumed listener sent a SYN of its own: simultaneous open (RFC 9293 3.5, Figure 8)"),
		IG("SYN retransmitted with the same ISN (RFC 9293 3.8.1)"),
		IG("SYN repeated in SYN_RECEIVED (simultaneous open retransmission)"),
		IV("SYN on a synchronized connection (RFC 9293 3.10.7.4: answered by a challenge ACK)"),
		IV("SYN on a synchronized connection (RFC 9293 3.10.7.4)"),
		IV("SYN on a synchronized connection (RFC 9293 3.10.7.4)"),
		IV("SYN on a synchronized connection (RFC 9293 3.10.7.4)"),
		IV("SYN on a synchronized connection (RFC 9293 3.10.7.4)"),
		IV("SYN on a synchronized connection (RFC 9293 3.10.7.4)"),
		IV("SYN from TIME_WAIT with the old ISN"),
	},
	[FE_SYNACK] = {
		TO(S(SYN_RECEIVED), SEEN, "SYN-ACK sent; the SYN it answers is not in the capture"),
		IV("SYN-ACK from an endpoint that has no connection"),
		TO(S(SYN_RECEIVED), SEEN, "passive OPEN: SYN received, SYN-ACK sent (RFC 9293 3.5, Figure 6)"),
		TO(S(SYN_RECEIVED), SEEN, "simultaneous open: SYN received in SYN_SENT, SYN-ACK sent (RFC 9293 3.5, Figure 8)"),
		IG("SYN-ACK retransmitted (RFC 9293 3.8.1)"),
		IG("SYN-ACK retransmitted after the handshake: the final ACK was lost"),
		IV("SYN-ACK on a closing connection"),
		IV("SYN-ACK on a closing connection"),
		IV("SYN-ACK on a closing connection"),
		IV("SYN-ACK on a closing connection"),
		IV("SYN-ACK on a closing connection"),
		IV("SYN-ACK from TIME_WAIT"),
	},
	[FE_ACK_SYN] = {
		IG("no state change: mid-stream"),
		IG("ACK from an endpoint that has no connection"),
		IG("no state change in LISTEN"),
		TO(S(ESTABLISHED), SEEN, "handshake completed: ACK of the SYN-ACK sent (RFC 9293 3.5, Figure 6)"),
		IG("acknowledging the peer's SYN: SYN_RECEIVED waits for its own SYN to be acknowledged"),
		IG("no state change: the peer's SYN acknowledged again"),
		IG("no state change: the peer's SYN acknowledged again"),
		IG("no state change: the peer's SYN acknowledged again"),
		IG("no state change: the peer's SYN acknowledged again"),
		IG("no state change: the peer's SYN acknowledged again"),
		IG("no state change: the peer's SYN acknowledged again"),
		IG("no state change: the peer's SYN acknowledged again"),
	},
	[FE_ACK_FIN] = {
		IG("acknowledging the peer's FIN: the receipt already moved the state"),
		IG("acknowledging the peer's FIN: the receipt already moved the state"),
		IG("acknowledging the peer's FIN: the receipt already moved the state"),
		IG("acknowledging the peer's FIN: the receipt already moved the state"),
		IG("acknowledging the peer's FIN: the receipt already moved the state"),
		IG("acknowledging the peer's FIN: the receipt already moved the state"),
		IG("acknowledging the peer's FIN: the receipt already moved the state"),
		IG("acknowledging the peer's FIN: the receipt already moved the state"),
		IG("acknowledging the peer's FIN: the receipt already moved the state"),
		IG("acknowledging the peer's FIN: the receipt already moved the state"),
		IG("acknowledging the peer's FIN: the receipt already moved the state"),
		IG("final ACK sent from TIME_WAIT (RFC 9293 3.6)"),
	},
	[FE_FIN] = {
		IV("FIN on a connection picked up mid-stream before any assumption"),
		IV("FIN from an endpoint that has no connection"),
		IV("FIN from a listener"),
		IV("FIN before the handshake completed"),
		TO(S(FIN_WAIT_1), SEEN, "CLOSE in SYN_RECEIVED: FIN sent (RFC 9293 3.10.4)"),
		TO(S(FIN_WAIT_1), SEEN, "active CLOSE: FIN sent (RFC 9293 3.6, case 1)"),
		IG("FIN retransmitted: not yet acknowledged"),
		IG("FIN retransmitted although its ACK was seen"),
		TO(S(LAST_ACK), SEEN, "passive CLOSE: FIN sent after the peer's (RFC 9293 3.6, case 2)"),
		IG("FIN retransmitted in CLOSING"),
		IG("FIN retransmitted from LAST_ACK: the final ACK did not arrive"),
		IG("FIN retransmitted in TIME_WAIT"),
	},
	[FE_PAYLOAD] = {
		IG("payload on a connection picked up mid-stream"),
		IG("payload from an endpoint that has no connection"),
		IG("payload from a listener"),
		IG("payload with the SYN (TCP Fast Open) or before the handshake completed"),
		TO(S(ESTABLISHED), INF, "data sent after the SYN-ACK: the handshake's final ACK must have arrived (not in the capture)"),
		IG("data on an established connection"),
		IG("data in FIN_WAIT_1"),
		IG("data in FIN_WAIT_2"),
		IG("data from CLOSE_WAIT (half-close, RFC 9293 3.6)"),
		IG("data in CLOSING"),
		IG("data in LAST_ACK"),
		IG("data in TIME_WAIT"),
	},
	[FE_PEER_SYNC] = {
		IG("only the receiver's state is concerned"), IG("only the receiver's state is concerned"),
		IG("only the receiver's state is concerned"), IG("only the receiver's state is concerned"),
		IG("only the receiver's state is concerned"), IG("only the receiver's state is concerned"),
		IG("only the receiver's state is concerned"), IG("only the receiver's state is concerned"),
		IG("only the receiver's state is concerned"), IG("only the receiver's state is concerned"),
		IG("only the receiver's state is concerned"), IG("only the receiver's state is concerned"),
	},
},
[ROLE_RECEIVER] = {
	[FE_RST] = {
		TO(S(CLOSED), INF, "RST received on a connection picked up mid-stream"),
		IG("RST to an endpoint that has no connection"),
		IG("RST received in LISTEN is ignored (RFC 9293 3.10.7.2)"),
		TO(S(CLOSED), INF, "connection refused: RST received in SYN_SENT (RFC 9293 3.10.7.3)"),
		TO(S(CLOSED), INF, "RST received in SYN_RECEIVED (RFC 9293 3.10.7.4)"),
		TO(S(CLOSED), INF, "connection reset by peer (RFC 9293 3.10.7.4)"),
		TO(S(CLOSED), INF, "connection reset by peer in FIN_WAIT_1 (RFC 9293 3.10.7.4)"),
		TO(S(CLOSED), INF, "connection reset by peer in FIN_WAIT_2 (RFC 9293 3.10.7.4)"),
		TO(S(CLOSED), INF, "connection reset by peer in CLOSE_WAIT (RFC 9293 3.10.7.4)"),
		TO(S(CLOSED), INF, "RST received in CLOSING (RFC 9293 3.10.7.4)"),
		TO(S(CLOSED), INF, "RST received in LAST_ACK (RFC 9293 3.10.7.4)"),
		TO(S(CLOSED), INF, "RST received in TIME_WAIT: TIME_WAIT assassination (RFC 1337)"),
	},
	[FE_DATA] = {
		TO(S(ESTABLISHED), ASM, "mid-stream pickup: traffic without a handshake in the capture"),
		IG("no state change"), IG("no state change"), IG("no state change"),
		IG("no state change"), IG("no state change"), IG("no state change"),
		IG("no state change"), IG("no state change"), IG("no state change"),
		IG("no state change"), IG("no state change"),
	},
	[FE_SYN] = {
		IG("SYN received mid-stream"),
		IG("SYN received while closed: the state moves only if answered"),
		IG("SYN received in LISTEN: the listener moves when its SYN-ACK is seen"),
		IG("SYN received in SYN_SENT: moves when its SYN-ACK is seen (simultaneous open)"),
		IG("SYN received again in SYN_RECEIVED"),
		IG("SYN received on a synchronized connection"),
		IG("SYN received while closing"), IG("SYN received while closing"),
		IG("SYN received while closing"), IG("SYN received while closing"),
		IG("SYN received while closing"),
		IG("SYN received in TIME_WAIT (reuse is handled as a new connection)"),
	},
	[FE_SYNACK] = {
		IG("SYN-ACK received mid-stream"),
		TO(S(SYN_SENT), INF, "a SYN-ACK answers a SYN this endpoint must have sent (SYN not in the capture)"),
		IG("SYN-ACK received in LISTEN"),
		IG("SYN-ACK received in SYN_SENT: ESTABLISHED once its ACK is seen"),
		IG("the peer's SYN-ACK in SYN_RECEIVED: ESTABLISHED follows from its acknowledgement"),
		IG("SYN-ACK retransmission received"),
		IG("SYN-ACK received while closing"), IG("SYN-ACK received while closing"),
		IG("SYN-ACK received while closing"), IG("SYN-ACK received while closing"),
		IG("SYN-ACK received while closing"), IG("SYN-ACK received in TIME_WAIT"),
	},
	[FE_ACK_SYN] = {
		IG("ACK received mid-stream"),
		IG("ACK to an endpoint that has no connection"),
		TOA(S(SYN_RECEIVED), INF, "the peer acknowledges a SYN-ACK the capture never saw: it must have been sent (RFC 9293 3.5)"),
		IG("our SYN acknowledged by the SYN-ACK: ESTABLISHED once our ACK is seen"),
		TO(S(ESTABLISHED), INF, "our SYN acknowledged: handshake complete (RFC 9293 3.10.7.4)"),
		IG("no state change"), IG("no state change"), IG("no state change"),
		IG("no state change"), IG("no state change"), IG("no state change"),
		IG("no state change"),
	},
	[FE_ACK_FIN] = {
		IG("no state change"), IG("no state change"), IG("no state change"),
		IG("no state change"), IG("no state change"), IG("no state change"),
		TO(S(FIN_WAIT_2), INF, "our FIN acknowledged (RFC 9293 3.10.7.4)"),
		IG("our FIN acknowledged again"),
		IG("no state change"),
		TO(S(TIME_WAIT), INF, "our FIN acknowledged after the FINs crossed (RFC 9293 3.10.7.4)"),
		TO(S(CLOSED), INF, "final ACK: our FIN acknowledged, connection closed (RFC 9293 3.10.7.4)"),
		IG("our FIN acknowledged again in TIME_WAIT"),
	},
	[FE_FIN] = {
		IG("FIN received mid-stream before any assumption"),
		IG("FIN to an endpoint that has no connection"),
		IG("FIN received in LISTEN"),
		IG("FIN received in SYN_SENT is dropped (RFC 9293 3.10.7.3)"),
		TO(S(CLOSE_WAIT), INF, "FIN received in SYN_RECEIVED (RFC 9293 3.10.7.4)"),
		TO(S(CLOSE_WAIT), INF, "FIN received (RFC 9293 3.10.7.4, eighth step)"),
		TO(S(CLOSING), INF, "FIN received before ours was acknowledged: simultaneous close (RFC 9293 3.6, Figure 13)"),
		TO(S(TIME_WAIT), INF, "the peer's FIN received after ours was acknowledged (RFC 9293 3.6)"),
		IG("FIN retransmission received in CLOSE_WAIT"),
		IG("FIN retransmission received in CLOSING"),
		IG("FIN retransmission received in LAST_ACK"),
		IG("FIN retransmission received in TIME_WAIT: the final ACK is sent again (RFC 9293 3.6)"),
	},
	[FE_PAYLOAD] = {
		IG("no state change"), IG("no state change"), IG("no state change"),
		IG("no state change"), IG("no state change"), IG("no state change"),
		IG("no state change"), IG("no state change"), IG("no state change"),
		IG("no state change"), IG("no state change"), IG("no state change"),
	},
	[FE_PEER_SYNC] = {
		IG("no state change"), IG("no state change"), IG("no state change"),
		TO(S(ESTABLISHED), INF, "the peer acknowledges data from this endpoint, which is never captured: its handshake ACK must have been sent (RFC 9293 3.5)"),
		IG("no state change"), IG("no state change"), IG("no state change"),
		IG("no state change"), IG("no state change"), IG("no state change"),
		IG("no state change"), IG("no state change"),
	},
},
};

const struct fsm_cell *fsm_cell(enum fsm_role role, enum fsm_event ev, int state)
{
	return &table[role][ev][state];
}

const char *fsm_event_name(enum fsm_event ev)
{
	static const char *const names[FE_MAX] = {
		[FE_RST] = "RST", [FE_DATA] = "DATA", [FE_SYN] = "SYN", [FE_SYNACK] = "SYN-ACK",
		[FE_ACK_SYN] = "ACK of SYN", [FE_ACK_FIN] = "ACK of FIN", [FE_FIN] = "FIN",
		[FE_PAYLOAD] = "PAYLOAD", [FE_PEER_SYNC] = "ACK of unseen data",
	};
	return (unsigned)ev < FE_MAX ? names[ev] : "?";
}
