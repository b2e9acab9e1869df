/* sha256.c - SHA-256 per FIPS 180-4, rounds unrolled because it hashes whole multi-GB captures. */
#include "sha256.h"

#include <string.h>

/* FIPS 180-4 4.2.2: first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5,
	0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
	0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
	0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* Byte-wise loads and stores keep the result independent of host endianness;
 * compilers turn these patterns into a single bswap/movbe. */
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

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
/* FIPS 180-4 4.1.2; Ch and Maj are rewritten with one operation fewer, same truth tables. */
#define BSIG0(x) (ROTR(x, 2) ^ ROTR(x, 13) ^ ROTR(x, 22))
#define BSIG1(x) (ROTR(x, 6) ^ ROTR(x, 11) ^ ROTR(x, 25))
#define SSIG0(x) (ROTR(x, 7) ^ ROTR(x, 18) ^ ((x) >> 3))
#define SSIG1(x) (ROTR(x, 17) ^ ROTR(x, 19) ^ ((x) >> 10))
#define CH(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define MAJ(x, y, z) (((x) & (y)) | ((z) & ((x) | (y))))

/* Message schedule in a 16-word ring: words 0-15 come from the block, later
 * ones overwrite the slot of W[t-16], which is no longer needed. */
#define W_LOAD(t) (w[t] = load_be32(p + 4 * (t)))
#define W_NEXT(t) (w[(t) & 15] += SSIG1(w[((t) - 2) & 15]) + w[((t) - 7) & 15] + SSIG0(w[((t) - 15) & 15]))

/* One round without shuffling eight variables: the caller rotates the names
 * instead, so the new 'a' lands in h and the new 'e' in d. */
#define ROUND(a, b, c, d, e, f, g, h, t, W) do { \
	uint32_t t1_ = (h) + BSIG1(e) + CH(e, f, g) + K[t] + (W); \
	(d) += t1_; \
	(h) = t1_ + BSIG0(a) + MAJ(a, b, c); \
} while (0)

#define ROUNDS8(t, WF) do { \
	ROUND(a, b, c, d, e, f, g, h, (t) + 0, WF((t) + 0)); \
	ROUND(h, a, b, c, d, e, f, g, (t) + 1, WF((t) + 1)); \
	ROUND(g, h, a, b, c, d, e, f, (t) + 2, WF((t) + 2)); \
	ROUND(f, g, h, a, b, c, d, e, (t) + 3, WF((t) + 3)); \
	ROUND(e, f, g, h, a, b, c, d, (t) + 4, WF((t) + 4)); \
	ROUND(d, e, f, g, h, a, b, c, (t) + 5, WF((t) + 5)); \
	ROUND(c, d, e, f, g, h, a, b, (t) + 6, WF((t) + 6)); \
	ROUND(b, c, d, e, f, g, h, a, (t) + 7, WF((t) + 7)); \
} while (0)

/* Compresses n consecutive 64-byte blocks straight from the caller's buffer. */
static void sha256_blocks(uint32_t st[8], const uint8_t *p, size_t n)
{
	uint32_t w[16];

	for (; n > 0; n--, p += 64) {
		uint32_t a = st[0], b = st[1], c = st[2], d = st[3];
		uint32_t e = st[4], f = st[5], g = st[6], h = st[7];

		ROUNDS8(0, W_LOAD);
		ROUNDS8(8, W_LOAD);
		ROUNDS8(16, W_NEXT);
		ROUNDS8(24, W_NEXT);
		ROUNDS8(32, W_NEXT);
		ROUNDS8(40, W_NEXT);
		ROUNDS8(48, W_NEXT);
		ROUNDS8(56, W_NEXT);

		st[0] += a; st[1] += b; st[2] += c; st[3] += d;
		st[4] += e; st[5] += f; st[6] += g; st[7] += h;
	}
}

void sha256_init(struct sha256_ctx *c)
{
	/* FIPS 180-4 5.3.3: fractional parts of the square roots of the first 8 primes. */
	static const uint32_t h0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	memcpy(c->h, h0, sizeof h0);
	c->count = 0;
}

void sha256_update(struct sha256_ctx *c, const void *data, size_t len)
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
		sha256_blocks(c->h, c->buf, 1);
	}
	/* Whole blocks skip the copy into buf: this is the path large reads take. */
	if (len >= 64) {
		size_t n = len / 64;
		sha256_blocks(c->h, p, n);
		p += n * 64;
		len -= n * 64;
	}
	if (len > 0)
		memcpy(c->buf, p, len);
}

void sha256_final(struct sha256_ctx *c, uint8_t digest[SHA256_DIGEST_LEN])
{
	size_t fill = (size_t)(c->count & 63);
	uint64_t bits = c->count << 3;   /* FIPS 180-4 5.1.1: length in bits, mod 2^64 */

	c->buf[fill++] = 0x80;
	if (fill > 56) {
		/* No room for the 8-byte length: pad out this block and use another. */
		memset(c->buf + fill, 0, 64 - fill);
		sha256_blocks(c->h, c->buf, 1);
		fill = 0;
	}
	memset(c->buf + fill, 0, 56 - fill);
	store_be32(c->buf + 56, (uint32_t)(bits >> 32));
	store_be32(c->buf + 60, (uint32_t)bits);
	sha256_blocks(c->h, c->buf, 1);

	for (int i = 0; i < 8; i++)
		store_be32(digest + 4 * i, c->h[i]);
	/* Drop the buffered input; the context needs sha256_init before any reuse. */
	memset(c, 0, sizeof *c);
}

void sha256_hex(const uint8_t digest[SHA256_DIGEST_LEN], char out[SHA256_HEX_LEN])
{
	static const char hexdig[] = "0123456789abcdef";

	for (int i = 0; i < SHA256_DIGEST_LEN; i++) {
		out[2 * i] = hexdig[digest[i] >> 4];
		out[2 * i + 1] = hexdig[digest[i] & 15];
	}
	out[2 * SHA256_DIGEST_LEN] = '\0';
}
