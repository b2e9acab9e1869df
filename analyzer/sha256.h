/* sha256.h - streaming SHA-256 (FIPS 180-4) for capture-file fingerprints and flow uids. */
#ifndef PCAPSTATE_SHA256_H
#define PCAPSTATE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN 32
#define SHA256_HEX_LEN 65    /* 64 hex digits and the NUL */

/* Public so callers can keep one on the stack; treat the fields as private. */
struct sha256_ctx {
	uint32_t h[8];
	uint64_t count;      /* bytes hashed so far; count % 64 of them wait in buf */
	uint8_t buf[64];
};

/* Starts a new digest. */
void sha256_init(struct sha256_ctx *c);
/* Hashes len more bytes; data may be NULL when len is 0. */
void sha256_update(struct sha256_ctx *c, const void *data, size_t len);
/* Pads, writes the 32-byte digest and wipes the context (re-init before reuse). */
void sha256_final(struct sha256_ctx *c, uint8_t digest[SHA256_DIGEST_LEN]);
/* Writes the digest as 64 lowercase hex digits plus NUL, as sha256sum prints it. */
void sha256_hex(const uint8_t digest[SHA256_DIGEST_LEN], char out[SHA256_HEX_LEN]);

#endif
