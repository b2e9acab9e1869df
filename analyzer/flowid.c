/* flowid.c - Community ID v1 (corelight community-id-spec) and deterministic flow uids. */
#include "flowid.h"

#include <string.h>

#include "sha1.h"
#include "sha256.h"

#define UID_DIGITS 17   /* 62^16 < 2^96 <= 62^17: 17 digits always hold 96 bits */

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static size_t addr_len(int ip_version)
{
	return ip_version == 4 ? 4 : ip_version == 6 ? 16 : 0;
}

/*
 * Puts the endpoints in the order both directions agree on (the spec's rule:
 * smaller address bytes first, the smaller port on equal addresses) and
 * returns whether they had to be swapped.
 */
static void canonical_order(const uint8_t **saddr, const uint8_t **daddr, size_t alen,
                            uint16_t *sport, uint16_t *dport)
{
	int cmp = memcmp(*saddr, *daddr, alen);
	if (cmp > 0 || (cmp == 0 && *sport > *dport)) {
		const uint8_t *ta = *saddr;
		uint16_t tp = *sport;
		*saddr = *daddr; *daddr = ta;
		*sport = *dport; *dport = tp;
	}
}

void flowid_community(char out[FLOWID_COMMUNITY_LEN], int ip_version,
                      const uint8_t *saddr, const uint8_t *daddr,
                      uint16_t sport, uint16_t dport, uint8_t proto, uint16_t seed)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t alen = addr_len(ip_version);
	uint8_t msg[2 + 16 + 16 + 2 + 2 + 2], *m = msg;
	uint8_t dig[SHA1_DIGEST_LEN];
	struct sha1_ctx ctx;
	char *o = out;

	if (alen == 0) {
		out[0] = '\0';
		return;
	}
	canonical_order(&saddr, &daddr, alen, &sport, &dport);

	/* Layout per spec: seed, addr, addr, proto, one zero pad byte, port, port; all big-endian. */
	put_be16(m, seed); m += 2;
	memcpy(m, saddr, alen); m += alen;
	memcpy(m, daddr, alen); m += alen;
	*m++ = proto;
	*m++ = 0;
	put_be16(m, sport); m += 2;
	put_be16(m, dport); m += 2;

	sha1_init(&ctx);
	sha1_update(&ctx, msg, (size_t)(m - msg));
	sha1_final(&ctx, dig);

	/* Standard base64 with '=' padding: 20 bytes are six full groups and one of two bytes. */
	*o++ = '1';
	*o++ = ':';
	for (size_t i = 0; i < SHA1_DIGEST_LEN; i += 3) {
		size_t left = SHA1_DIGEST_LEN - i;
		uint32_t v = (uint32_t)dig[i] << 16;
		if (left > 1)
			v |= (uint32_t)dig[i + 1] << 8;
		if (left > 2)
			v |= dig[i + 2];
		*o++ = b64[(v >> 18) & 63];
		*o++ = b64[(v >> 12) & 63];
		*o++ = left > 1 ? b64[(v >> 6) & 63] : '=';
		*o++ = left > 2 ? b64[v & 63] : '=';
	}
	*o = '\0';
}

void flowid_uid(char out[FLOWID_UID_LEN], int ip_version,
                const uint8_t *saddr, const uint8_t *daddr,
                uint16_t sport, uint16_t dport, int64_t first_ts_ns)
{
	/* ASCII order, so uids compare the same way as the numbers they encode. */
	static const char b62[] =
		"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	/* Domain tag: a uid hash can never collide with another use of SHA-256 on the same tuple,
	 * and the "v1" lets a future layout change produce visibly different uids. */
	static const char tag[] = "pcapstate-uid-v1";
	size_t alen = addr_len(ip_version);
	uint8_t msg[sizeof tag - 1 + 1 + 16 + 2 + 16 + 2 + 8], *m = msg;
	uint8_t dig[SHA256_DIGEST_LEN];
	struct sha256_ctx ctx;
	uint32_t limb[3];
	uint64_t ts = (uint64_t)first_ts_ns;   /* two's complement bits, defined for negatives too */

	if (alen == 0) {
		out[0] = '\0';
		return;
	}
	canonical_order(&saddr, &daddr, alen, &sport, &dport);

	/* Every field is written byte by byte in big-endian order, never memcpy'd from an
	 * integer, so the hash input (and the uid) is identical on every host. The version
	 * byte states the address length instead of leaving it implied by the total size. */
	memcpy(m, tag, sizeof tag - 1); m += sizeof tag - 1;
	*m++ = (uint8_t)ip_version;
	memcpy(m, saddr, alen); m += alen;
	put_be16(m, sport); m += 2;
	memcpy(m, daddr, alen); m += alen;
	put_be16(m, dport); m += 2;
	for (int shift = 56; shift >= 0; shift -= 8)
		*m++ = (uint8_t)(ts >> shift);

	sha256_init(&ctx);
	sha256_update(&ctx, msg, (size_t)(m - msg));
	sha256_final(&ctx, dig);

	/* The first 96 digest bits as a big-endian number in three 32-bit limbs:
	 * plain C11 has no 128-bit integer to hold it. */
	for (int i = 0; i < 3; i++)
		limb[i] = ((uint32_t)dig[4 * i] << 24) | ((uint32_t)dig[4 * i + 1] << 16) |
		          ((uint32_t)dig[4 * i + 2] << 8) | (uint32_t)dig[4 * i + 3];

	/* Long division by 62, least significant digit first; running all 17 rounds
	 * pads with leading '0's so every uid has the same length. */
	out[0] = 'C';
	for (int pos = UID_DIGITS; pos >= 1; pos--) {
		uint64_t rem = 0;
		for (int i = 0; i < 3; i++) {
			uint64_t cur = (rem << 32) | limb[i];
			limb[i] = (uint32_t)(cur / 62);
			rem = cur % 62;
		}
		out[pos] = b62[rem];
	}
	out[UID_DIGITS + 1] = '\0';
}
