/* segment.h - the decoder's output: one TCP segment as plain values, no pointers into the frame. */
#ifndef PCAPSTATE_SEGMENT_H
#define PCAPSTATE_SEGMENT_H

#include <stdbool.h>
#include <stdint.h>

/* TCP flag bits, as in the header's 13th byte (RFC 9293 section 3.1). */
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20
#define TH_ECE 0x40
#define TH_CWR 0x80

#define TCPOPT_MAX_SACK 4

/* Parsed TCP options (RFC 9293 3.2, RFC 7323, RFC 2018). */
struct tcp_opts {
	bool has_mss, has_wscale, sack_permitted, has_ts;
	uint16_t mss;
	uint8_t wscale;      /* shift count as sent (may exceed 14: kept raw) */
	uint32_t tsval, tsecr;
	uint8_t nsack;       /* SACK blocks present (at most TCPOPT_MAX_SACK) */
	uint32_t sack[TCPOPT_MAX_SACK][2];
	bool malformed;      /* an option's length was impossible; the rest was skipped */
};

/* Why a frame did or did not yield a segment. */
enum decode_status {
	DECODE_OK = 0,       /* a TCP segment is in the struct */
	DECODE_NOT_TCP,      /* a valid frame that carries no TCP (ARP, UDP, ...) */
	DECODE_TRUNCATED,    /* a header was cut short by the snaplen */
	DECODE_MALFORMED,    /* a header is impossible (bad version, length < minimum, ...) */
	DECODE_FRAGMENT,     /* IP fragment: not reassembled, counted */
	DECODE_UNSUPPORTED,  /* link type or encapsulation we do not decode */
	DECODE_STATUS_MAX
};

struct segment {
	int64_t ts_ns;             /* capture time, ns since the epoch (UTC) */
	uint64_t frame;            /* 1-based frame number within its input */
	uint32_t input_id;         /* which input the frame came from */
	uint32_t caplen, wirelen;

	uint8_t af;                /* 4 or 6 */
	uint8_t src[16], dst[16];  /* IPv4 uses the first 4 bytes, rest zero */
	uint16_t sport, dport;     /* host order */
	uint8_t ttl;               /* IPv4 TTL or IPv6 hop limit */

	uint32_t seq, ack;         /* host order, raw (not relative) */
	uint8_t flags;             /* TH_* */
	uint8_t doff;              /* header length in bytes */
	uint16_t win;              /* raw, unscaled */
	uint32_t payload_len;      /* from the IP length, not the captured length */
	uint32_t payload_caplen;   /* bytes of payload actually captured */
	const uint8_t *payload;    /* into the frame: valid only during the callback */
	bool ip_len_from_cap;      /* IP length was 0 (TSO/BIG TCP): derived from caplen */
	struct tcp_opts opts;
};

#endif
