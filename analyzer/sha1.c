/* sha1.c - SHA-1 per FIPS 180-4; only Community ID needs it, so it is not for integrity checks. */
#include "sha1.h"

#include <string.h>

/* Byte-wise loads and stores keep the result independent of host endianness. */
static inline uint32_t load_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static inline void store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#define ROTL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))
/* FIPS 180-4 4.1.1; Ch and Maj rewritten with one operation fewer, same truth tables. */
#define F_CH(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define F_PAR(x, y, z) ((x) ^ (y) ^ (z))
#define F_MAJ(x, y, z) (((x) & (y)) | ((z) & ((x) | (y))))

/* Message schedule in a 16-word ring: W[t] replaces W[t-16] in the same slot. */
#define W_LOAD(t) (w[t] = load_be32(p + 4 * (t)))
#define W_NEXT(t) (w[(t) & 15] = ROTL(w[((t) - 3) & 15] ^ w[((t) - 8) & 15] ^ \
                                      w[((t) - 14) & 15] ^ w[(t) & 15], 1))

/* One round with the variables renamed by the caller instead of shifted:
 * the new 'a' is accumulated into e and the new 'c' is b rotated in place. */
#define ROUND(a, b, c, d, e, F, k, W) do { \
	(e) += ROTL(a, 5) + F(b, c, d) + (k) + (W); \
	(b) = ROTL(b, 30); \
} while (0)

#define ROUNDS5(t, F, k, WF) do { \
	ROUND(a, b, c, d, e, F, k, WF((t) + 0)); \
	ROUND(e, a, b, c, d, F, k, WF((t) + 1)); \
	ROUND(d, e, a, b, c, F, k, WF((t) + 2)); \
	ROUND(c, d, e, a, b, F, k, WF((t) + 3)); \
	ROUND(b, c, d, e, a, F, k, WF((t) + 4)); \
} while (0)

/* Compresses n consecutive 64-byte blocks straight from the caller's buffer. */
static void sha1_blocks(uint32_t st[5], const uint8_t *p, size_t n)
{
	uint32_t w[16];

	for (; n > 0; n--, p += 64) {
		uint32_t a = st[0], b = st[1], c = st[2], d = st[3], e = st[4];

		ROUNDS5(0, F_CH, 0x5a827999u, W_LOAD);
		ROUNDS5(5, F_CH, 0x5a827999u, W_LOAD);
		ROUNDS5(10, F_CH, 0x5a827999u, W_LOAD);
		/* Round 15 is the last loaded word; 16-19 already need the schedule. */
		ROUND(a, b, c, d, e, F_CH, 0x5a827999u, W_LOAD(15));
		ROUND(e, a, b, c, d, F_CH, 0x5a827999u, W_NEXT(16));
		ROUND(d, e, a, b, c, F_CH, 0x5a827999u, W_NEXT(17));
		ROUND(c, d, e, a, b, F_CH, 0x5a827999u, W_NEXT(18));
		ROUND(b, c, d, e, a, F_CH, 0x5a827999u, W_NEXT(19));

		ROUNDS5(20, F_PAR, 0x6ed9eba1u, W_NEXT);
		ROUNDS5(25, F_PAR, 0x6ed9eba1u, W_NEXT);
		ROUNDS5(30, F_PAR, 0x6ed9eba1u, W_NEXT);
		ROUNDS5(35, F_PAR, 0x6ed9eba1u, W_NEXT);

		ROUNDS5(40, F_MAJ, 0x8f1bbcdcu, W_NEXT);
		ROUNDS5(45, F_MAJ, 0x8f1bbcdcu, W_NEXT);
		ROUNDS5(50, F_MAJ, 0x8f1bbcdcu, W_NEXT);
		ROUNDS5(55, F_MAJ, 0x8f1bbcdcu, W_NEXT);

		ROUNDS5(60, F_PAR, 0xca62c1d6u, W_NEXT);
		ROUNDS5(65, F_PAR, 0xca62c1d6u, W_NEXT);
		ROUNDS5(70, F_PAR, 0xca62c1d6u, W_NEXT);
		ROUNDS5(75, F_PAR, 0xca62c1d6u, W_NEXT);

		st[0] += a; st[1] += b; st[2] += c; st[3] += d; st[4] += e;
	}
}

void sha1_init(struct sha1_ctx *c)
{
	/* FIPS 180-4 5.3.1. */
	c->h[0] = 0x67452301u;
	c->h[1] = 0xefcdab89u;
	c->h[2] = 0x98badcfeu;
	c->h[3] = 0x10325476u;
	c->h[4] = 0xc3d2e1f0u;
	c->count = 0;
}

void sha1_update(struct sha1_ctx *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t fill = (size_t)(c->count & 63);

	/* memcpy with a NULL pointer is undefined even for 0 bytes. */
	if (len == 0)
		return;
	c->count += len;

	if (fill > 0) {
		size_t take = 64 - fill;
		if (take > len)
			take = len;
		memcpy(c->buf + fill, p, take);
		p += take;
		len -= take;
		if (fill + take < 64)
			return;
		sha1_blocks(c->h, c->buf, 1);
	}
	if (len >= 64) {
		size_t n = len / 64;
		sha1_blocks(c->h, p, n);
		p += n * 64;
		len -= n * 64;
	}
	if (len > 0)
		memcpy(c->buf, p, len);
}

void sha1_final(struct sha1_ctx *c, uint8_t digest[SHA1_DIGEST_LEN])
{
	size_t fill = (size_t)(c->count & 63);
	uint64_t bits = c->count << 3;   /* FIPS 180-4 5.1.1: length in bits, mod 2^64 */

	c->buf[fill++] = 0x80;
	if (fill > 56) {
		/* No room for the 8-byte length: pad out this block and use another. */
		memset(c->buf + fill, 0, 64 - fill);
		sha1_blocks(c->h, c->buf, 1);
		fill = 0;
	}
	memset(c->buf + fill, 0, 56 - fill);
	store_be32(c->buf + 56, (uint32_t)(bits >> 32));
	store_be32(c->buf + 60, (uint32_t)bits);
	sha1_blocks(c->h, c->buf, 1);

	for (int i = 0; i < 5; i++)
		store_be32(digest + 4 * i, c->h[i]);
	/* Drop the buffered input; the context needs sha1_init before any reuse. */
	memset(c, 0, sizeof *c);
}
