/* hostwatch.h - host-level counters over time: endpoints held in SYN_RECEIVED or TIME_WAIT per service. */
#ifndef PCAPSTATE_HOSTWATCH_H
#define PCAPSTATE_HOSTWATCH_H

#include <stddef.h>
#include <stdint.h>

enum hw_kind { HW_SYN_RECEIVED = 0, HW_TIME_WAIT };

struct hw_key {
	uint8_t kind, af;
	uint16_t port;              /* the service port */
	uint8_t host[16];           /* the counted endpoint's host (server for SYN_RECEIVED, waiter for TIME_WAIT) */
	uint8_t service[16];        /* the service address */
};

struct hw_entry {
	struct hw_key key;
	uint32_t cur, peak;
	int64_t peak_ts, start_ts;
	int active;
	struct hw_entry *next;
};

/* An episode that reached its threshold, handed to the caller when it ends. */
typedef void (*hw_report_fn)(void *ctx, const struct hw_entry *e, int64_t end_ts);

struct hostwatch {
	struct hw_entry **buckets;
	size_t nbuckets, count;
	uint32_t threshold[2];
	hw_report_fn report;
	void *ctx;
};

int hostwatch_init(struct hostwatch *h, uint32_t syn_threshold, uint32_t tw_threshold,
    hw_report_fn report, void *ctx);
/* Adds delta (+1 or -1) to the counter of key at time ts; reports an episode when it ends. */
void hostwatch_add(struct hostwatch *h, const struct hw_key *key, int delta, int64_t ts);
/* Reports every episode still active (end of capture) in a deterministic order. */
void hostwatch_flush(struct hostwatch *h, int64_t ts);
void hostwatch_free(struct hostwatch *h);

#endif
