/* flowtab.h - the table of live connections: canonical-key hash, creation, activity and expiry lists. */
#ifndef PCAPSTATE_FLOWTAB_H
#define PCAPSTATE_FLOWTAB_H

#include <stddef.h>

#include "flow.h"

struct flowtab {
	struct flow **buckets;
	size_t nbuckets, count;
	struct flow *lru_head, *lru_tail;   /* least recently active first */
	struct flow *exp_head, *exp_tail;   /* earliest deadline first (deadlines arrive in order) */
	struct flow *all_head, *all_tail;   /* creation order */
};

/* Builds the canonical key of a segment; *dir is 0 when the sender is key side 0. */
void flowtab_key(const struct segment *seg, struct flow_key *key, int *side);
int flowtab_init(struct flowtab *t);
/* Returns the live flow with this key, or NULL. */
struct flow *flowtab_find(struct flowtab *t, const struct flow_key *key);
/* Inserts a new zeroed flow (key set) at the tail of every list; NULL on out of memory. */
struct flow *flowtab_insert(struct flowtab *t, const struct flow_key *key);
/* Unlinks the flow from the table and all lists (the caller frees it with flowtab_free_flow). */
void flowtab_remove(struct flowtab *t, struct flow *f);
void flowtab_touch(struct flowtab *t, struct flow *f);
/* Puts the flow on the expiry list with deadline at (removing it first if already there). */
void flowtab_expire_at(struct flowtab *t, struct flow *f, int64_t at);
void flowtab_unexpire(struct flowtab *t, struct flow *f);
void flowtab_free_flow(struct flow *f);
void flowtab_destroy(struct flowtab *t);

#endif
