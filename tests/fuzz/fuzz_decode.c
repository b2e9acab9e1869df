/* fuzz_decode.c - libFuzzer harness: one frame -> decode_frame(), link type chosen by the first byte. */
/*
 * Input layout (seeds.sh writes it; any bytes are valid input):
 *   byte 0      link type: index into LINKS[] modulo its length (the last entry is unsupported)
 *   byte 1      wire-length mode, modulo 4: 0 wirelen = caplen, 1 caplen + delta,
 *               2 caplen - delta (0 when negative), 3 0xffffffff - delta
 *   bytes 2-3   delta, big endian
 *   bytes 4-    the frame as captured (caplen = its length)
 * The frame is copied into a buffer of exactly caplen bytes so that AddressSanitizer sees any
 * read outside pkt[0..caplen), before it as well as after it. The documented contract of
 * decode.h is checked on every result; a violation aborts with a message.
 */
#include "config.h"

#include <pcap/dlt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "segment.h"

/* Keep in step with LINKS in tests/fuzz/pcapframes.py. */
static const int LINKS[] = {
	DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, 101 /* LINKTYPE_RAW */, 14 /* OpenBSD RAW */,
	DLT_IPV4, DLT_IPV6, DLT_NULL, DLT_LOOP, 147 /* DLT_USER0: unsupported */
};
#define NLINKS (sizeof LINKS / sizeof LINKS[0])

#define REQUIRE(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_decode: contract violated: %s (dlt %d, caplen %u, wirelen %u, " \
		    "status %s)\n", #cond, dlt, caplen, wirelen, decode_status_name(st)); \
		abort(); \
	} \
} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	int dlt = LINKS[data[0] % NLINKS];
	uint32_t caplen = (uint32_t)(size - 4);
	uint32_t delta = (uint32_t)data[2] << 8 | data[3];
	uint32_t wirelen;
	switch (data[1] & 3) {
	case 0: wirelen = caplen; break;
	case 1: wirelen = caplen + delta; break;
	case 2: wirelen = caplen > delta ? caplen - delta : 0; break;
	default: wirelen = 0xffffffffu - delta; break;
	}
	uint8_t *pkt = NULL;
	if (caplen > 0) {
		pkt = malloc(caplen);
		if (pkt == NULL)
			return 0;
		memcpy(pkt, data + 4, caplen);
	}

	struct segment seg;
	memset(&seg, 0xa5, sizeof seg);
	seg.ts_ns = 1234567890123456789LL;
	seg.frame = 42;
	seg.input_id = 7;
	enum decode_status st = decode_frame(dlt, pkt, caplen, wirelen, &seg);

	REQUIRE((unsigned)st < DECODE_STATUS_MAX);
	REQUIRE(strcmp(decode_status_name(st), "?") != 0);
	REQUIRE(seg.caplen == caplen && seg.wirelen == wirelen);
	REQUIRE(seg.ts_ns == 1234567890123456789LL && seg.frame == 42 && seg.input_id == 7);
	REQUIRE(decode_dlt_supported(dlt) == (strcmp(decode_dlt_name(dlt), "?") != 0));
	if (!decode_dlt_supported(dlt))
		REQUIRE(st == DECODE_UNSUPPORTED);
	if (st == DECODE_OK) {
		REQUIRE(seg.af == 4 || seg.af == 6);
		REQUIRE(seg.doff >= 20 && seg.doff <= 60 && seg.doff % 4 == 0);
		REQUIRE(seg.payload != NULL && pkt != NULL);
		REQUIRE(seg.payload >= pkt + seg.doff && seg.payload <= pkt + caplen);
		REQUIRE(seg.payload_caplen <= seg.payload_len);
		REQUIRE(seg.payload_caplen <= (uint32_t)(pkt + caplen - seg.payload));
		REQUIRE(seg.opts.nsack <= TCPOPT_MAX_SACK);
		if (seg.af == 4) {
			static const uint8_t zero[12];
			REQUIRE(memcmp(seg.src + 4, zero, 12) == 0 && memcmp(seg.dst + 4, zero, 12) == 0);
		}
		/* Touch the TCP header and the captured payload: ASan checks every byte. */
		volatile uint8_t sum = 0;
		for (const uint8_t *p = seg.payload - seg.doff; p < seg.payload + seg.payload_caplen; p++)
			sum = (uint8_t)(sum + *p);
		(void)sum;
	}
	free(pkt);
	return 0;
}
