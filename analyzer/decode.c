/* decode.c - decodes one captured frame (link layer, IPv4/IPv6, TCP) into a struct segment. */
#include "decode.h"

#include <pcap/dlt.h>
#include <stdbool.h>
#include <stddef.h>

#include "cursor.h"
#include "tcpopt.h"

/* LINKTYPE_RAW as written in files; libpcap maps it to DLT_RAW, but a caller reading the link
 * type from a file header itself gets 101 (https://www.tcpdump.org/linktypes.html). */
#define LINKTYPE_RAW 101

/* Ethertypes (IEEE 802 numbers registry). */
enum {
	ETH_IPV4 = 0x0800,
	ETH_IPV6 = 0x86dd,
	ETH_8021Q = 0x8100,   /* IEEE 802.1Q C-tag */
	ETH_8021AD = 0x88a8,  /* IEEE 802.1ad S-tag */
	ETH_QINQ_OLD = 0x9100, /* pre-802.1ad vendor S-tag, still seen in the wild */
	ETH_MPLS = 0x8847,    /* RFC 3032 5 */
	ETH_MPLS_MC = 0x8848,
	ETH_PPPOE_SESS = 0x8864, /* RFC 2516 4 */
	ETH_MAX_LEN = 1500,   /* a type field <= 1500 is an IEEE 802.3 length (802.3 3.2.6) */
	ETH_MIN_TYPE = 0x0600,
};

/* IP protocol / IPv6 next-header numbers (IANA "Assigned Internet Protocol Numbers"). */
enum {
	IPP_HOPOPTS = 0,     /* RFC 8200 4.3 */
	IPP_TCP = 6,
	IPP_ROUTING = 43,    /* RFC 8200 4.4 */
	IPP_FRAGMENT = 44,   /* RFC 8200 4.5 */
	IPP_AH = 51,         /* RFC 4302 2.2: length in 4-octet units minus 2 */
	IPP_DSTOPTS = 60,    /* RFC 8200 4.6 */
	IPP_MOBILITY = 135,  /* RFC 6275 6.1.1, generic extension-header layout (RFC 7045) */
	IPP_HIP = 139,       /* RFC 7401 5.1, same */
	IPP_SHIM6 = 140,     /* RFC 5533 5.1, same */
};

/* PPP protocol numbers carried in PPPoE (RFC 1332 / RFC 5072). */
enum { PPP_IPV4 = 0x0021, PPP_IPV6 = 0x0057 };

/* BSD address families in DLT_NULL / DLT_LOOP headers (tcpdump's af.h). */
enum {
	BSD_AF_INET = 2,
	BSD_AF_INET6_BSD = 24,     /* NetBSD, OpenBSD, BSD/OS */
	BSD_AF_INET6_FREEBSD = 28,
	BSD_AF_INET6_DARWIN = 30,
};

enum link_kind { LK_NONE, LK_NULL, LK_LOOP, LK_EN10MB, LK_SLL, LK_SLL2, LK_RAW, LK_IPV4, LK_IPV6 };

/* The frame-wide facts the IP layer needs to derive a length from the wire (TSO / BIG TCP). */
struct frame {
	const uint8_t *pkt;
	uint32_t wire;      /* max(wirelen, caplen): a wire length below caplen is a writer's bug */
};

static enum link_kind link_kind(int dlt)
{
	switch (dlt) {
	case DLT_NULL: return LK_NULL;
	case DLT_LOOP: return LK_LOOP;
	case DLT_EN10MB: return LK_EN10MB;
	case DLT_LINUX_SLL: return LK_SLL;
	case DLT_LINUX_SLL2: return LK_SLL2;
	case DLT_RAW: return LK_RAW;
	case LINKTYPE_RAW: return LK_RAW;
	case DLT_IPV4: return LK_IPV4;
	case DLT_IPV6: return LK_IPV6;
	default: break;
	}
#if DLT_RAW != 14 && DLT_LOOP != 14 && (!defined(DLT_PPP_BSDOS) || DLT_PPP_BSDOS != 14)
	/* OpenBSD's DLT_RAW; libpcap passes an unmapped file link type through unchanged. */
	if (dlt == 14)
		return LK_RAW;
#endif
	return LK_NONE;
}

static uint32_t wire_left(const struct cursor *c, const struct frame *f)
{
	return f->wire - (uint32_t)(cur_ptr(c) - f->pkt);
}

/* TCP header, RFC 9293 3.1; len is the TCP length the IP layer gives (header + data). */
static enum decode_status tcp(struct cursor *c, uint32_t len, struct segment *seg)
{
	if (len < 20)
		return DECODE_MALFORMED; /* the IP payload cannot even hold the fixed header */
	uint8_t offx;
	if (!cur_u16(c, &seg->sport) || !cur_u16(c, &seg->dport) || !cur_u32(c, &seg->seq) ||
	    !cur_u32(c, &seg->ack) || !cur_u8(c, &offx))
		return DECODE_TRUNCATED;
	uint32_t doff = (uint32_t)(offx >> 4) * 4;
	if (doff < 20 || doff > len)
		return DECODE_MALFORMED; /* RFC 9293 3.1: data offset counts 32-bit words, minimum 5 */
	struct cursor opts;
	if (!cur_u8(c, &seg->flags) || !cur_u16(c, &seg->win) || !cur_skip(c, 4) ||
	    !cur_sub(c, doff - 20, &opts))
		return DECODE_TRUNCATED;
	tcpopt_parse(opts, &seg->opts);
	seg->doff = (uint8_t)doff;
	seg->payload_len = len - doff;
	seg->payload = cur_ptr(c);
	/* What follows the header may be shorter (snaplen) or longer (Ethernet padding). */
	size_t cap = cur_left(c);
	seg->payload_caplen = cap < seg->payload_len ? (uint32_t)cap : seg->payload_len;
	return DECODE_OK;
}

/*
 * Skips one extension header of kind nh with the RFC 8200 4 layout (next header, length),
 * charging it to *rem, the payload bytes the IP header still accounts for.  AH counts its
 * length in 4-octet units minus 2 (RFC 4302 2.2), the others in 8-octet units minus 1.
 */
static enum decode_status ext_skip(struct cursor *c, uint8_t nh, uint32_t *rem, uint8_t *next)
{
	if (*rem < 8)
		return DECODE_MALFORMED; /* every extension header is at least 8 octets */
	uint8_t hl;
	if (!cur_u8(c, next) || !cur_u8(c, &hl))
		return DECODE_TRUNCATED;
	uint32_t len = nh == IPP_AH ? ((uint32_t)hl + 2) * 4 : ((uint32_t)hl + 1) * 8;
	if (len > *rem)
		return DECODE_MALFORMED;
	if (!cur_skip(c, len - 2))
		return DECODE_TRUNCATED;
	*rem -= len;
	return DECODE_OK;
}

/* IPv4 header, RFC 791 3.1. */
static enum decode_status ipv4(struct cursor *c, const struct frame *f, struct segment *seg)
{
	uint32_t wire = wire_left(c, f);
	uint8_t vhl, tos, ttl, proto;
	uint16_t total, id, frag, sum;
	if (!cur_u8(c, &vhl))
		return DECODE_TRUNCATED;
	uint32_t hlen = (uint32_t)(vhl & 0x0f) * 4;
	if (vhl >> 4 != 4 || hlen < 20)
		return DECODE_MALFORMED;
	if (!cur_u8(c, &tos) || !cur_u16(c, &total) || !cur_u16(c, &id) || !cur_u16(c, &frag) ||
	    !cur_u8(c, &ttl) || !cur_u8(c, &proto) || !cur_u16(c, &sum) ||
	    !cur_copy(c, seg->src, 4) || !cur_copy(c, seg->dst, 4))
		return DECODE_TRUNCATED;
	uint32_t len = total;
	if (total == 0) {
		/* TSO and Linux BIG TCP hand the capture a super-packet whose 16-bit total length is 0
		 * (it may exceed 65535); tcpdump "presumes BIG TCP" and uses the link length. */
		len = wire;
		seg->ip_len_from_cap = true;
	}
	if (len < hlen)
		return DECODE_MALFORMED;
	if (!cur_skip(c, hlen - 20))
		return DECODE_TRUNCATED; /* options (RFC 791 3.1) are not interpreted */
	/* MF set or a non-zero offset (RFC 791 3.2): a first fragment is a fragment too.  Behind
	 * AH the upper layer is unknown, so that counts as possibly TCP. */
	if (frag & 0x3fff)
		return proto == IPP_TCP || proto == IPP_AH ? DECODE_FRAGMENT : DECODE_NOT_TCP;
	uint32_t rem = len - hlen;
	while (proto == IPP_AH) {
		/* Transport-mode AH (RFC 4302 3.1.1) sits between IPv4 and TCP. */
		enum decode_status st = ext_skip(c, proto, &rem, &proto);
		if (st != DECODE_OK)
			return st;
	}
	if (proto != IPP_TCP)
		return DECODE_NOT_TCP;
	seg->af = 4;
	seg->ttl = ttl;
	return tcp(c, rem, seg);
}

/* The headers walked through to reach TCP.  ESP (50, RFC 4303: the rest is encrypted), No Next
 * Header (59, RFC 8200 4.7) and every upper layer end the walk. */
static bool ipv6_is_ext(uint8_t nh)
{
	return nh == IPP_HOPOPTS || nh == IPP_ROUTING || nh == IPP_FRAGMENT || nh == IPP_DSTOPTS ||
	       nh == IPP_AH || nh == IPP_MOBILITY || nh == IPP_HIP || nh == IPP_SHIM6;
}

/* IPv6 header and extension-header chain, RFC 8200 3 and 4. */
static enum decode_status ipv6(struct cursor *c, const struct frame *f, struct segment *seg)
{
	uint32_t wire = wire_left(c, f);
	uint8_t v, nh;
	uint16_t plen;
	if (!cur_u8(c, &v))
		return DECODE_TRUNCATED;
	if (v >> 4 != 6)
		return DECODE_MALFORMED;
	if (!cur_skip(c, 3) || !cur_u16(c, &plen) || !cur_u8(c, &nh) || !cur_u8(c, &seg->ttl) ||
	    !cur_copy(c, seg->src, 16) || !cur_copy(c, seg->dst, 16))
		return DECODE_TRUNCATED;
	uint32_t rem = plen; /* payload bytes not yet accounted for by a header */
	if (plen == 0) {
		/* A jumbogram (RFC 2675 3: length in a hop-by-hop option) or Linux BIG TCP (no option
		 * at all): either way the real length is what the wire carried. */
		rem = wire - 40;
		seg->ip_len_from_cap = true;
	}
	bool fragmented = false;
	while (nh != IPP_TCP) {
		if (!ipv6_is_ext(nh))
			return DECODE_NOT_TCP; /* upper layer, ESP (opaque) or No Next Header */
		if (nh != IPP_FRAGMENT) {
			enum decode_status st = ext_skip(c, nh, &rem, &nh);
			if (st != DECODE_OK)
				return st;
			continue;
		}
		/* Fragment header, RFC 8200 4.5: fixed 8 octets. */
		uint8_t next;
		uint16_t offm;
		if (rem < 8)
			return DECODE_MALFORMED;
		if (!cur_u8(c, &next) || !cur_skip(c, 1) || !cur_u16(c, &offm) || !cur_skip(c, 4))
			return DECODE_TRUNCATED;
		if (offm & 0xfff8) {
			/* Not the first fragment: what follows is the middle of the original payload,
			 * so only the fragment header says what it belongs to. */
			return next == IPP_TCP || ipv6_is_ext(next) ? DECODE_FRAGMENT : DECODE_NOT_TCP;
		}
		/* M set at offset 0 is a first fragment; M clear is an atomic fragment (RFC 6946),
		 * a whole packet that is decoded normally. */
		fragmented |= (offm & 1) != 0;
		rem -= 8;
		nh = next;
	}
	if (fragmented)
		return DECODE_FRAGMENT;
	seg->af = 6;
	return tcp(c, rem, seg);
}

/* IP chosen by its version nibble; OTHER is the verdict for any other version. */
static enum decode_status ip_by_version(struct cursor *c, const struct frame *f,
    struct segment *seg, enum decode_status other)
{
	struct cursor peek = *c;
	uint8_t v;
	if (!cur_u8(&peek, &v))
		return DECODE_TRUNCATED;
	switch (v >> 4) {
	case 4: return ipv4(c, f, seg);
	case 6: return ipv6(c, f, seg);
	default: return other;
	}
}

/* Raw IP: the version nibble is the only demultiplexer. */
static enum decode_status raw_ip(struct cursor *c, const struct frame *f, struct segment *seg)
{
	return ip_by_version(c, f, seg, DECODE_MALFORMED);
}

/* MPLS label stack (RFC 3032 2.1): 4-octet entries until the bottom-of-stack bit. */
static enum decode_status mpls(struct cursor *c, const struct frame *f, struct segment *seg)
{
	uint32_t entry;
	do {
		if (!cur_u32(c, &entry))
			return DECODE_TRUNCATED;
	} while (!(entry & 0x100));
	/* The stack does not say what it carries; like tcpdump and Zeek, take an IP version
	 * nibble as IP.  Anything else (a pseudowire control word, Ethernet) is not ours. */
	return ip_by_version(c, f, seg, DECODE_NOT_TCP);
}

/* PPPoE session stage (RFC 2516 4, 7): a 6-octet header, then the 2-octet PPP protocol. */
static enum decode_status pppoe(struct cursor *c, const struct frame *f, struct segment *seg)
{
	uint8_t vertype, code;
	uint16_t proto;
	if (!cur_u8(c, &vertype) || !cur_u8(c, &code) || !cur_skip(c, 4) || !cur_u16(c, &proto))
		return DECODE_TRUNCATED;
	if (vertype != 0x11 || code != 0)
		return DECODE_NOT_TCP; /* only version 1, type 1 session data carries PPP frames */
	switch (proto) {
	case PPP_IPV4: return ipv4(c, f, seg);
	case PPP_IPV6: return ipv6(c, f, seg);
	default: return DECODE_NOT_TCP; /* LCP, IPCP, ... */
	}
}

/* Dispatches on an Ethernet-style protocol type, first stripping any number of VLAN tags. */
static enum decode_status ethertype(struct cursor *c, uint16_t type, const struct frame *f,
				    struct segment *seg)
{
	/* 802.1Q / 802.1ad tags: 2 bytes of TCI, then the next type. Each pass consumes 4 bytes,
	 * so a frame of nothing but tags ends at the captured end. */
	while (type == ETH_8021Q || type == ETH_8021AD || type == ETH_QINQ_OLD) {
		if (!cur_skip(c, 2) || !cur_u16(c, &type))
			return DECODE_TRUNCATED;
	}
	switch (type) {
	case ETH_IPV4: return ipv4(c, f, seg);
	case ETH_IPV6: return ipv6(c, f, seg);
	case ETH_MPLS:
	case ETH_MPLS_MC: return mpls(c, f, seg);
	case ETH_PPPOE_SESS: return pppoe(c, f, seg);
	default: return DECODE_NOT_TCP;
	}
}

/* Ethernet II or IEEE 802.3 with LLC/SNAP (RFC 1042). */
static enum decode_status en10mb(struct cursor *c, const struct frame *f, struct segment *seg)
{
	uint16_t type;
	if (!cur_skip(c, 12) || !cur_u16(c, &type))
		return DECODE_TRUNCATED;
	if (type <= ETH_MAX_LEN) {
		/* 802.3 length field: IP rides in SNAP with DSAP = SSAP = 0xAA, UI control, and an
		 * OUI of 0 (RFC 1042) or 00-00-F8 (802.1H); anything else is not IP. */
		uint8_t dsap, ssap, ctl, oui[3];
		if (!cur_u8(c, &dsap) || !cur_u8(c, &ssap) || !cur_u8(c, &ctl))
			return DECODE_TRUNCATED;
		if (dsap != 0xaa || ssap != 0xaa || ctl != 0x03)
			return DECODE_NOT_TCP;
		if (!cur_copy(c, oui, 3) || !cur_u16(c, &type))
			return DECODE_TRUNCATED;
		if (oui[0] != 0 || oui[1] != 0 || (oui[2] != 0 && oui[2] != 0xf8))
			return DECODE_NOT_TCP;
	} else if (type < ETH_MIN_TYPE) {
		return DECODE_NOT_TCP; /* 1501..1535: neither a length nor a type */
	}
	return ethertype(c, type, f, seg);
}

/* DLT_NULL (host byte order of the writer) and DLT_LOOP (network byte order). */
static enum decode_status bsd_loop(struct cursor *c, bool any_order, const struct frame *f,
				   struct segment *seg)
{
	uint32_t fam;
	if (!cur_u32(c, &fam))
		return DECODE_TRUNCATED;
	/* Families are small: a value in the high half was written little-endian (as tcpdump's
	 * null_if_print() decides). */
	if (any_order && (fam & 0xffff0000u))
		fam = (fam >> 24) | (fam >> 8 & 0xff00u) | (fam << 8 & 0xff0000u) | (fam << 24);
	switch (fam) {
	case BSD_AF_INET:
		return ipv4(c, f, seg);
	case BSD_AF_INET6_BSD:
	case BSD_AF_INET6_FREEBSD:
	case BSD_AF_INET6_DARWIN:
		return ipv6(c, f, seg);
	default:
		return DECODE_NOT_TCP;
	}
}

enum decode_status decode_frame(int dlt, const uint8_t *pkt, uint32_t caplen, uint32_t wirelen,
				struct segment *seg)
{
	*seg = (struct segment){
		.ts_ns = seg->ts_ns, .frame = seg->frame, .input_id = seg->input_id,
		.caplen = caplen, .wirelen = wirelen,
	};
	struct frame f = { .pkt = pkt, .wire = wirelen > caplen ? wirelen : caplen };
	struct cursor c;
	cur_init(&c, pkt, pkt ? caplen : 0);
	uint16_t type;
	switch (link_kind(dlt)) {
	case LK_EN10MB:
		return en10mb(&c, &f, seg);
	case LK_SLL:
		/* cooked v1 (sll.h): pkttype, hatype, halen, 8 address bytes, then the protocol. */
		if (!cur_skip(&c, 14) || !cur_u16(&c, &type))
			return DECODE_TRUNCATED;
		/* A value <= 1500 is a Linux pseudo-protocol (ETH_P_802_3, ETH_P_802_2, CAN, ...),
		 * never IP: ethertype() says DECODE_NOT_TCP for it. */
		return ethertype(&c, type, &f, seg);
	case LK_SLL2:
		/* cooked v2 (sll.h): the protocol comes first, then reserved, ifindex, hatype,
		 * pkttype, halen and 8 address bytes. */
		if (!cur_u16(&c, &type) || !cur_skip(&c, 18))
			return DECODE_TRUNCATED;
		return ethertype(&c, type, &f, seg);
	case LK_RAW:
		return raw_ip(&c, &f, seg);
	case LK_IPV4:
		return ipv4(&c, &f, seg);
	case LK_IPV6:
		return ipv6(&c, &f, seg);
	case LK_NULL:
		return bsd_loop(&c, true, &f, seg);
	case LK_LOOP:
		return bsd_loop(&c, false, &f, seg);
	case LK_NONE:
		break;
	}
	return DECODE_UNSUPPORTED;
}

const char *decode_status_name(enum decode_status st)
{
	static const char *const names[DECODE_STATUS_MAX] = {
		[DECODE_OK] = "ok",               [DECODE_NOT_TCP] = "not_tcp",
		[DECODE_TRUNCATED] = "truncated", [DECODE_MALFORMED] = "malformed",
		[DECODE_FRAGMENT] = "fragment",   [DECODE_UNSUPPORTED] = "unsupported",
	};
	return ((unsigned)st < DECODE_STATUS_MAX) ? names[st] : "?";
}

const char *decode_dlt_name(int dlt)
{
	switch (link_kind(dlt)) {
	case LK_NULL: return "NULL";
	case LK_LOOP: return "LOOP";
	case LK_EN10MB: return "EN10MB";
	case LK_SLL: return "LINUX_SLL";
	case LK_SLL2: return "LINUX_SLL2";
	case LK_RAW: return "RAW";
	case LK_IPV4: return "IPV4";
	case LK_IPV6: return "IPV6";
	case LK_NONE: break;
	}
	return "?";
}

int decode_dlt_supported(int dlt)
{
	return link_kind(dlt) != LK_NONE;
}
