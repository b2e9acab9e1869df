/* cursor.h - a bounds-checked big-endian reader over [p, end): every packet byte is read through it. */
#ifndef PCAPSTATE_CURSOR_H
#define PCAPSTATE_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * Same idea as tcpdump's GET_ macros (every fetch is checked against the captured end), but a
 * failed fetch returns false instead of longjmp()ing, so the caller decides whether running out
 * of bytes means "truncated" or "malformed".  A failed call never moves the cursor.
 * Invariant: p <= end, and neither is ever dereferenced at or past end.
 */
struct cursor {
	const uint8_t *p;
	const uint8_t *end;
};

static inline void cur_init(struct cursor *c, const uint8_t *p, size_t len)
{
	c->p = p;
	c->end = p ? p + len : p;
}

static inline size_t cur_left(const struct cursor *c)
{
	return (size_t)(c->end - c->p);
}

/* Position of the next unread byte (for payload pointers and offsets, never for reading). */
static inline const uint8_t *cur_ptr(const struct cursor *c)
{
	return c->p;
}

static inline bool cur_u8(struct cursor *c, uint8_t *v)
{
	if (c->p >= c->end)
		return false;
	*v = c->p[0];
	c->p += 1;
	return true;
}

/* Network byte order (RFC 1700 "Data Notations"): most significant byte first. */
static inline bool cur_u16(struct cursor *c, uint16_t *v)
{
	if (cur_left(c) < 2)
		return false;
	*v = (uint16_t)((unsigned)c->p[0] << 8 | c->p[1]);
	c->p += 2;
	return true;
}

static inline bool cur_u32(struct cursor *c, uint32_t *v)
{
	if (cur_left(c) < 4)
		return false;
	*v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 | (uint32_t)c->p[2] << 8 | c->p[3];
	c->p += 4;
	return true;
}

static inline bool cur_skip(struct cursor *c, size_t n)
{
	if (cur_left(c) < n)
		return false;
	c->p += n;
	return true;
}

/* Copies n bytes out (addresses); nothing is copied when fewer than n remain. */
static inline bool cur_copy(struct cursor *c, void *dst, size_t n)
{
	if (cur_left(c) < n)
		return false;
	memcpy(dst, c->p, n);
	c->p += n;
	return true;
}

/* Splits off the next n bytes as their own cursor and moves c past them. */
static inline bool cur_sub(struct cursor *c, size_t n, struct cursor *sub)
{
	if (cur_left(c) < n)
		return false;
	sub->p = c->p;
	sub->end = c->p + n;
	c->p += n;
	return true;
}

#endif
