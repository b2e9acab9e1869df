/* flowtab.c - live connection table: chained hash on the canonical 4-tuple plus intrusive lists. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "flowtab.h"

void flowtab_key(const struct segment *seg, struct flow_key *key, int *side)
{
	size_t alen = seg->af == 4 ? 4 : 16;
	int c = memcmp(seg->src, seg->dst, alen);
	int swap = c > 0 || (c == 0 && seg->sport > seg->dport);

	memset(key, 0, sizeof *key);
	key->af = seg->af;
	if (!swap) {
		memcpy(key->addr[0], seg->src, alen);
		memcpy(key->addr[1], seg->dst, alen);
		key->port[0] = seg->sport;
		key->port[1] = seg->dport;
	} else {
		memcpy(key->addr[0], seg->dst, alen);
		memcpy(key->addr[1], seg->src, alen);
		key->port[0] = seg->dport;
		key->port[1] = seg->sport;
	}
	*side = swap;
}

/* FNV-1a over the key bytes, then a final avalanche: deterministic across runs and hosts. */
static uint64_t key_hash(const struct flow_key *k)
{
	const uint8_t *p = (const uint8_t *)k;
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < sizeof *k; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

int flowtab_init(struct flowtab *t)
{
	memset(t, 0, sizeof *t);
	t->nbuckets = 1024;
	t->buckets = calloc(t->nbuckets, sizeof *t->buckets);
	return t->buckets ? 0 : -1;
}

struct flow *flowtab_find(struct flowtab *t, const struct flow_key *key)
{
	struct flow *f = t->buckets[key_hash(key) & (t->nbuckets - 1)];
	for (; f != NULL; f = f->hnext)
		if (memcmp(&f->key, key, sizeof *key) == 0)
			return f;
	return NULL;
}

static void grow(struct flowtab *t)
{
	size_t n = t->nbuckets * 2;
	struct flow **b = calloc(n, sizeof *b);
	if (b == NULL)
		return;   /* keep working with longer chains */
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct flow *f = t->buckets[i], *next;
		for (; f != NULL; f = next) {
			next = f->hnext;
			size_t h = key_hash(&f->key) & (n - 1);
			f->hnext = b[h];
			b[h] = f;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = n;
}

#define LIST_APPEND(head, tail, f, prev, next) do { \
	(f)->prev = (tail); (f)->next = NULL; \
	if (tail) (tail)->next = (f); else (head) = (f); \
	(tail) = (f); } while (0)
#define LIST_UNLINK(head, tail, f, prev, next) do { \
	if ((f)->prev) (f)->prev->next = (f)->next; else (head) = (f)->next; \
	if ((f)->next) (f)->next->prev = (f)->prev; else (tail) = (f)->prev; \
	(f)->prev = (f)->next = NULL; } while (0)

struct flow *flowtab_insert(struct flowtab *t, const struct flow_key *key)
{
	if (t->count >= t->nbuckets)
		grow(t);
	struct flow *f = calloc(1, sizeof *f);
	if (f == NULL)
		return NULL;
	f->key = *key;
	size_t h = key_hash(key) & (t->nbuckets - 1);
	f->hnext = t->buckets[h];
	t->buckets[h] = f;
	LIST_APPEND(t->lru_head, t->lru_tail, f, lru_prev, lru_next);
	LIST_APPEND(t->all_head, t->all_tail, f, all_prev, all_next);
	t->count++;
	return f;
}

void flowtab_remove(struct flowtab *t, struct flow *f)
{
	struct flow **pp = &t->buckets[key_hash(&f->key) & (t->nbuckets - 1)];
	while (*pp != NULL && *pp != f)
		pp = &(*pp)->hnext;
	if (*pp == f)
		*pp = f->hnext;
	LIST_UNLINK(t->lru_head, t->lru_tail, f, lru_prev, lru_next);
	LIST_UNLINK(t->all_head, t->all_tail, f, all_prev, all_next);
	flowtab_unexpire(t, f);
	t->count--;
}

void flowtab_touch(struct flowtab *t, struct flow *f)
{
	if (t->lru_tail == f)
		return;
	LIST_UNLINK(t->lru_head, t->lru_tail, f, lru_prev, lru_next);
	LIST_APPEND(t->lru_head, t->lru_tail, f, lru_prev, lru_next);
}

void flowtab_unexpire(struct flowtab *t, struct flow *f)
{
	if (f->in_expiry)
		LIST_UNLINK(t->exp_head, t->exp_tail, f, exp_prev, exp_next);
	f->in_expiry = false;
}

void flowtab_expire_at(struct flowtab *t, struct flow *f, int64_t at)
{
	flowtab_unexpire(t, f);
	f->expire_at = at;
	/* Deadlines are "now + constant", so appending keeps the list nearly sorted; walk back
	 * over the few that are later (timestamps can step back a little between files). */
	struct flow *after = t->exp_tail;
	while (after != NULL && after->expire_at > at)
		after = after->exp_prev;
	if (after == NULL) {
		f->exp_prev = NULL;
		f->exp_next = t->exp_head;
		if (t->exp_head) t->exp_head->exp_prev = f; else t->exp_tail = f;
		t->exp_head = f;
	} else {
		f->exp_prev = after;
		f->exp_next = after->exp_next;
		if (after->exp_next) after->exp_next->exp_prev = f; else t->exp_tail = f;
		after->exp_next = f;
	}
	f->in_expiry = true;
}

void flowtab_free_flow(struct flow *f)
{
	for (uint32_t i = 0; i < f->npend; i++)
		free(f->pend[i].detail);
	free(f->pend);
	free(f);
}

void flowtab_destroy(struct flowtab *t)
{
	struct flow *f = t->all_head, *next;
	for (; f != NULL; f = next) {
		next = f->all_next;
		flowtab_free_flow(f);
	}
	free(t->buckets);
	memset(t, 0, sizeof *t);
}
