/* hostwatch.c - per-service counters of half-open and TIME_WAIT endpoints, with episode detection. */
#include <stdlib.h>
#include <string.h>

#include "hostwatch.h"

static size_t hw_hash(const struct hw_key *k, size_t n)
{
	const uint8_t *p = (const uint8_t *)k;
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < sizeof *k; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return (size_t)(h ^ (h >> 29)) & (n - 1);
}

int hostwatch_init(struct hostwatch *h, uint32_t syn_threshold, uint32_t tw_threshold,
    hw_report_fn report, void *ctx)
{
	memset(h, 0, sizeof *h);
	h->nbuckets = 4096;
	h->buckets = calloc(h->nbuckets, sizeof *h->buckets);
	h->threshold[HW_SYN_RECEIVED] = syn_threshold;
	h->threshold[HW_TIME_WAIT] = tw_threshold;
	h->report = report;
	h->ctx = ctx;
	return h->buckets ? 0 : -1;
}

/* Doubles the bucket array so chains stay short (a pile-up holds one key per client). */
static void hw_grow(struct hostwatch *h)
{
	size_t n = h->nbuckets * 2;
	struct hw_entry **b = calloc(n, sizeof *b);
	if (b == NULL)
		return;
	for (size_t i = 0; i < h->nbuckets; i++) {
		struct hw_entry *e = h->buckets[i], *next;
		for (; e != NULL; e = next) {
			next = e->next;
			size_t k = hw_hash(&e->key, n);
			e->next = b[k];
			b[k] = e;
		}
	}
	free(h->buckets);
	h->buckets = b;
	h->nbuckets = n;
}

void hostwatch_add(struct hostwatch *h, const struct hw_key *key, int delta, int64_t ts)
{
	size_t slot = hw_hash(key, h->nbuckets);
	struct hw_entry **pp = &h->buckets[slot], *e;
	for (e = *pp; e != NULL; pp = &e->next, e = e->next)
		if (memcmp(&e->key, key, sizeof *key) == 0)
			break;
	if (e == NULL) {
		if (delta < 0)
			return;
		if (h->count >= h->nbuckets) {
			hw_grow(h);
			slot = hw_hash(key, h->nbuckets);
		}
		e = calloc(1, sizeof *e);
		if (e == NULL)
			return;   /* losing one counter beats stopping the analysis */
		e->key = *key;
		e->next = h->buckets[slot];
		h->buckets[slot] = e;
		h->count++;
		pp = &h->buckets[slot];
	}
	uint32_t thr = h->threshold[key->kind];
	if (delta > 0) {
		e->cur++;
		if (e->cur > e->peak) {
			e->peak = e->cur;
			e->peak_ts = ts;
		}
		if (!e->active && thr > 0 && e->cur >= thr) {
			e->active = 1;
			e->start_ts = ts;
		}
	} else if (e->cur > 0) {
		e->cur--;
		/* The episode ends when the count falls back below half the threshold. */
		if (e->active && e->cur < (thr + 1) / 2) {
			h->report(h->ctx, e, ts);
			e->active = 0;
			e->peak = e->cur;
		}
	}
	if (e->cur == 0 && !e->active) {
		while (*pp != e)
			pp = &(*pp)->next;
		*pp = e->next;
		free(e);
		h->count--;
	} else if (!e->active && e->cur < e->peak && e->cur == 0) {
		e->peak = 0;
	}
}

static int cmp_entry(const void *a, const void *b)
{
	const struct hw_entry *x = *(const struct hw_entry *const *)a;
	const struct hw_entry *y = *(const struct hw_entry *const *)b;
	if (x->start_ts != y->start_ts)
		return x->start_ts < y->start_ts ? -1 : 1;
	return memcmp(&x->key, &y->key, sizeof x->key);
}

void hostwatch_flush(struct hostwatch *h, int64_t ts)
{
	size_t n = 0;
	struct hw_entry **v = malloc((h->count + 1) * sizeof *v);
	if (v == NULL)
		return;
	for (size_t i = 0; i < h->nbuckets; i++)
		for (struct hw_entry *e = h->buckets[i]; e; e = e->next)
			if (e->active)
				v[n++] = e;
	qsort(v, n, sizeof *v, cmp_entry);
	for (size_t i = 0; i < n; i++) {
		h->report(h->ctx, v[i], ts);
		v[i]->active = 0;
	}
	free(v);
}

void hostwatch_free(struct hostwatch *h)
{
	for (size_t i = 0; i < h->nbuckets; i++) {
		struct hw_entry *e = h->buckets[i], *next;
		for (; e; e = next) {
			next = e->next;
			free(e);
		}
	}
	free(h->buckets);
	memset(h, 0, sizeof *h);
}
