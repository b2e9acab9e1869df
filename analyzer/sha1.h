/* sha1.h - streaming SHA-1 (FIPS 180-4), kept only because Community ID v1 is defined over it. */
#ifndef PCAPSTATE_SHA1_H
#define PCAPSTATE_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_DIGEST_LEN 20

/* Public so callers can keep one on the stack; treat the fields as private. */
struct sha1_ctx {
	uint32_t h[5];
	uint64_t count;      /* bytes hashed so far; count % 64 of them wait in buf */
	uint8_t buf[64];
};

/* Starts a new digest. */
void sha1_init(struct sha1_ctx *c);
/* Hashes len more bytes; data may be NULL when len is 0. */
void sha1_update(struct sha1_ctx *c, const void *data, size_t len);
/* Pads, writes the 20-byte digest and wipes the context (re-init before reuse). */
void sha1_final(struct sha1_ctx *c, uint8_t digest[SHA1_DIGEST_LEN]);

#endif
