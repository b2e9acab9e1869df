/* seqtrack.h - per-endpoint sequence, acknowledgement and window facts (32-bit modular arithmetic). */
#ifndef PCAPSTATE_SEQTRACK_H
#define PCAPSTATE_SEQTRACK_H

#include <stdbool.h>
#include <stdint.h>

#include "flow.h"

/* RFC 9293 3.4: sequence numbers compare modulo 2^32. */
#define SEQ_LT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) > 0)
#define SEQ_GEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) >= 0)

/* What one segment tells about its sender and receiver, computed before the state machine runs. */
struct seqfacts {
	bool syn_retrans;       /* SYN with the ISN already seen */
	bool new_isn;           /* SYN with an ISN different from the one already seen */
	bool fin_retrans;       /* FIN at the sequence number of an earlier FIN */
	bool retrans;           /* payload below the highest sequence already sent */
	bool keepalive;         /* 0/1 byte at snd_max - 1 (RFC 9293 3.8.4) */
	bool zwin_probe;        /* probe into the receiver's zero window */
	bool dup_ack;           /* pure ACK repeating the last ACK and window, data outstanding */
	bool acks_syn;          /* the ACK covers the receiver's SYN */
	bool acks_fin;          /* the ACK covers the receiver's FIN */
	bool fin_crossed;       /* our FIN does not acknowledge the peer's FIN already seen */
	bool data_after_fin;    /* payload beyond our own FIN */
	bool rst_in_window;     /* RST acceptable (RFC 9293 3.10.7.x, RFC 5961 relaxed) */
	uint32_t missed;        /* bytes of the receiver's data acknowledged but never captured */
	uint32_t missed_from;   /* first sequence number of that data */
	bool win_zero_start, win_zero_end;
	bool out_of_window;     /* payload beyond the receiver's advertised window (RFC 9293 3.10.7.4) */
	bool peer_fin_unseen;   /* one-sided: our ACK moved by one past all the peer can have sent */
};

/*
 * Updates SND (the sender) and RCV from SEG and fills FACTS. Never fails: impossible
 * numbers simply produce no facts.
 */
void seqtrack_update(struct endpoint *snd, struct endpoint *rcv, const struct segment *seg,
    struct seqfacts *facts);

#endif
