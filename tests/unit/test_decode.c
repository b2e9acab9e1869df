/* test_decode.c - decoder tests: hand-built frames, every prefix of each, the real-capture corpus. */
#define _DEFAULT_SOURCE /* scandir() and the BSD u_char types <pcap/pcap.h> uses, under -std=c11 */

#include <arpa/inet.h>
#include <dirent.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cursor.h"
#include "decode.h"
#include "segment.h"
#include "tcpopt.h"
#include "unit.h"

/* ---------------------------------------------------------------- frame building */

struct buf {
	uint8_t b[4096];
	size_t n;
};

static void put8(struct buf *b, unsigned v) { b->b[b->n++] = (uint8_t)v; }
static void put16(struct buf *b, unsigned v) { put8(b, v >> 8); put8(b, v & 0xff); }
static void put32(struct buf *b, uint32_t v) { put16(b, v >> 16); put16(b, v & 0xffff); }
static void putn(struct buf *b, const void *p, size_t n)
{
	if (n)
		memcpy(b->b + b->n, p, n);
	b->n += n;
}

/* The canonical segment every builder produces unless told otherwise. */
enum { SPORT = 40000, DPORT = 80, WIN = 29200, TTL = 57 };
#define SEQ 0x01020304u
#define ACK 0xa0b0c0d0u
#define FLAGS (TH_SYN | TH_ACK | TH_ECE)

static const uint8_t SRC4[4] = {10, 0, 0, 1}, DST4[4] = {192, 168, 7, 2};
static const uint8_t SRC6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t DST6[16] = {0xfe, 0x80, [8] = 0xaa, [15] = 2};

/* TCP header with the given options (a multiple of 4 bytes) and paylen payload bytes. */
static void build_tcp(struct buf *b, const uint8_t *opts, size_t optlen, size_t paylen)
{
	put16(b, SPORT);
	put16(b, DPORT);
	put32(b, SEQ);
	put32(b, ACK);
	put8(b, (unsigned)((20 + optlen) / 4) << 4);
	put8(b, FLAGS);
	put16(b, WIN);
	put32(b, 0); /* checksum, urgent pointer */
	putn(b, opts, optlen);
	for (size_t i = 0; i < paylen; i++)
		put8(b, 'a' + (unsigned)(i % 26));
}

/* IPv4 header (with optlen option bytes) in front of l4; total 0 writes a TSO-style 0. */
static void build_ip4(struct buf *b, const struct buf *l4, unsigned proto, unsigned frag,
		      size_t optlen, bool total_zero)
{
	size_t hl = 20 + optlen;
	put8(b, 0x40 | (unsigned)(hl / 4));
	put8(b, 0);
	put16(b, total_zero ? 0 : (unsigned)(hl + l4->n));
	put16(b, 0x1234);
	put16(b, frag);
	put8(b, TTL);
	put8(b, proto);
	put16(b, 0);
	putn(b, SRC4, 4);
	putn(b, DST4, 4);
	for (size_t i = 0; i < optlen; i++)
		put8(b, i + 1 == optlen ? 0 : 1); /* NOPs then EOL (RFC 791 3.1) */
	putn(b, l4->b, l4->n);
}

/* IPv6 header; ext holds ready-made extension headers, first_nh names the first of them. */
static void build_ip6(struct buf *b, const struct buf *l4, unsigned first_nh, const struct buf *ext,
		      bool plen_zero)
{
	size_t ext_n = ext ? ext->n : 0;
	put32(b, 0x60012345);
	put16(b, plen_zero ? 0 : (unsigned)(ext_n + l4->n));
	put8(b, first_nh);
	put8(b, TTL);
	putn(b, SRC6, 16);
	putn(b, DST6, 16);
	if (ext)
		putn(b, ext->b, ext->n);
	putn(b, l4->b, l4->n);
}

/* A generic extension header (RFC 8200 4): next, len in 8-octet units beyond the first 8. */
static void ext_generic(struct buf *e, unsigned next, unsigned units)
{
	put8(e, next);
	put8(e, units);
	for (unsigned i = 0; i < 6 + units * 8; i++)
		put8(e, i == 0 ? 1 : 0); /* a PadN option then Pad1s: contents are not read */
}

static void ext_frag(struct buf *e, unsigned next, unsigned offset8, bool more)
{
	put8(e, next);
	put8(e, 0);
	put16(e, offset8 << 3 | (more ? 1 : 0));
	put32(e, 0xdeadbeef);
}

static void ext_ah(struct buf *e, unsigned next)
{
	put8(e, next);
	put8(e, 4); /* (4 + 2) * 4 = 24 octets: 12 fixed + 12 of ICV (RFC 4302 2.2) */
	put16(e, 0);
	put32(e, 0x100); /* SPI */
	put32(e, 1);     /* sequence */
	for (int i = 0; i < 12; i++)
		put8(e, 0xcc);
}

static void eth_hdr(struct buf *b, unsigned type)
{
	static const uint8_t macs[12] = {0, 1, 2, 3, 4, 5, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15};
	putn(b, macs, 12);
	put16(b, type);
}

static void sll_hdr(struct buf *b, unsigned proto)
{
	put16(b, 0);   /* packet type: to us */
	put16(b, 1);   /* ARPHRD_ETHER */
	put16(b, 6);   /* address length */
	for (int i = 0; i < 8; i++)
		put8(b, i < 6 ? 0x20 + i : 0);
	put16(b, proto);
}

static void sll2_hdr(struct buf *b, unsigned proto)
{
	put16(b, proto);
	put16(b, 0);   /* reserved */
	put32(b, 3);   /* interface index */
	put16(b, 1);   /* ARPHRD_ETHER */
	put8(b, 4);    /* packet type: outgoing */
	put8(b, 6);
	for (int i = 0; i < 8; i++)
		put8(b, i < 6 ? 0x20 + i : 0);
}

/* ---------------------------------------------------------------- checks */

static enum decode_status dec(int dlt, const struct buf *b, struct segment *s)
{
	return decode_frame(dlt, b->b, (uint32_t)b->n, (uint32_t)b->n, s);
}

/* Fields of the canonical segment built by build_tcp() + build_ip4/6(). */
static void check_canon(const struct segment *s, int af, uint32_t paylen, uint32_t doff,
			const char *what)
{
	int before = unit_failed;
	CHECK_INT(s->af, af);
	if (af == 4) {
		CHECK(memcmp(s->src, SRC4, 4) == 0);
		CHECK(memcmp(s->dst, DST4, 4) == 0);
		static const uint8_t zero[12];
		CHECK(memcmp(s->src + 4, zero, 12) == 0 && memcmp(s->dst + 4, zero, 12) == 0);
	} else {
		CHECK(memcmp(s->src, SRC6, 16) == 0);
		CHECK(memcmp(s->dst, DST6, 16) == 0);
	}
	CHECK_INT(s->sport, SPORT);
	CHECK_INT(s->dport, DPORT);
	CHECK_INT(s->ttl, TTL);
	CHECK_INT(s->seq, SEQ);
	CHECK_INT(s->ack, ACK);
	CHECK_INT(s->flags, FLAGS);
	CHECK_INT(s->win, WIN);
	CHECK_INT(s->doff, doff);
	CHECK_INT(s->payload_len, paylen);
	if (unit_failed != before)
		fprintf(stderr, "  (in %s)\n", what);
}

/* Field by field: padding inside struct tcp_opts is not guaranteed to be zero. */
static bool opts_equal(const struct tcp_opts *a, const struct tcp_opts *b)
{
	if (a->has_mss != b->has_mss || a->has_wscale != b->has_wscale ||
	    a->sack_permitted != b->sack_permitted || a->has_ts != b->has_ts ||
	    a->nsack != b->nsack || a->malformed != b->malformed)
		return false;
	if ((a->has_mss && a->mss != b->mss) || (a->has_wscale && a->wscale != b->wscale) ||
	    (a->has_ts && (a->tsval != b->tsval || a->tsecr != b->tsecr)))
		return false;
	for (unsigned i = 0; i < a->nsack && i < TCPOPT_MAX_SACK; i++)
		if (a->sack[i][0] != b->sack[i][0] || a->sack[i][1] != b->sack[i][1])
			return false;
	return true;
}

/* An exact-size copy of n bytes, so AddressSanitizer and valgrind see a read past the end. */
static uint8_t *exact_copy(const uint8_t *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);
	if (!c) {
		perror("malloc");
		exit(99); /* automake: hard error */
	}
	if (n)
		memcpy(c, p, n);
	return c;
}

/*
 * Decodes every prefix of a frame that decodes OK: each prefix shorter than the headers must be
 * TRUNCATED, each longer one OK with the same fields and a shorter payload_caplen.  The prefix
 * lives in its own exact-size allocation so that AddressSanitizer sees any read past caplen.
 */
static void check_prefixes(int dlt, const uint8_t *pkt, uint32_t caplen, uint32_t wirelen,
			   const struct segment *full, const char *what)
{
	uint32_t hdr = (uint32_t)(full->payload - pkt);
	int bad = 0;
	for (uint32_t n = 0; n <= caplen && bad < 3; n++) {
		uint8_t *copy = exact_copy(pkt, n);
		struct segment s;
		enum decode_status st = decode_frame(dlt, copy, n, wirelen, &s);
		bool ok;
		if (n < hdr) {
			ok = st == DECODE_TRUNCATED;
		} else {
			uint32_t want_cap = n - hdr < full->payload_len ? n - hdr : full->payload_len;
			ok = st == DECODE_OK && s.payload == copy + hdr && s.payload_caplen == want_cap &&
			     s.payload_len == full->payload_len && s.seq == full->seq &&
			     s.sport == full->sport && s.doff == full->doff &&
			     s.ip_len_from_cap == full->ip_len_from_cap &&
			     opts_equal(&s.opts, &full->opts);
		}
		if (!ok) {
			bad++;
			fprintf(stderr, "%s: prefix %u of %u (headers %u) gave %s\n", what, n, caplen, hdr,
				decode_status_name(st));
		}
		free(copy);
	}
	CHECK(bad == 0);
}

/* Decodes b, expects OK with the canonical fields, then runs the prefix check. */
static void expect_ok(int dlt, const struct buf *b, int af, uint32_t paylen, uint32_t doff,
		      const char *what)
{
	struct segment s;
	enum decode_status st = dec(dlt, b, &s);
	CHECK_STR(decode_status_name(st), "ok");
	if (st != DECODE_OK) {
		fprintf(stderr, "  (in %s)\n", what);
		return;
	}
	check_canon(&s, af, paylen, doff, what);
	CHECK(s.payload >= b->b && s.payload + s.payload_caplen <= b->b + b->n);
	check_prefixes(dlt, b->b, (uint32_t)b->n, (uint32_t)b->n, &s, what);
}

static void expect_status(int dlt, const struct buf *b, enum decode_status want, const char *what)
{
	struct segment s;
	enum decode_status st = dec(dlt, b, &s);
	if (st != want)
		fprintf(stderr, "%s: got %s, want %s\n", what, decode_status_name(st),
			decode_status_name(want));
	CHECK_INT(st, want);
}

/* ---------------------------------------------------------------- hand-built tests */

static void test_cursor(void)
{
	static const uint8_t d[7] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde};
	struct cursor c, sub;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	cur_init(&c, d, sizeof d);
	CHECK_INT(cur_left(&c), 7);
	CHECK(cur_u8(&c, &u8) && u8 == 0x12);
	CHECK(cur_u16(&c, &u16) && u16 == 0x3456);
	CHECK(cur_u32(&c, &u32) && u32 == 0x789abcde);
	CHECK_INT(cur_left(&c), 0);
	CHECK(!cur_u8(&c, &u8) && !cur_u16(&c, &u16) && !cur_u32(&c, &u32) && !cur_skip(&c, 1));
	CHECK(cur_skip(&c, 0));
	cur_init(&c, d, 3);
	CHECK(!cur_u32(&c, &u32));           /* a failed read does not move */
	CHECK(cur_ptr(&c) == d);
	CHECK(!cur_sub(&c, 4, &sub) && cur_ptr(&c) == d);
	CHECK(cur_sub(&c, 2, &sub) && cur_left(&sub) == 2 && cur_left(&c) == 1);
	CHECK(!cur_u32(&sub, &u32) && cur_u16(&sub, &u16) && u16 == 0x1234);
	uint8_t two[2];
	CHECK(!cur_copy(&c, two, 2) && cur_copy(&c, two, 1) && two[0] == 0x56);
	CHECK(!cur_skip(&c, SIZE_MAX)); /* no pointer overflow on huge counts */
	cur_init(&c, NULL, 0);
	CHECK(!cur_u8(&c, &u8));
}

/* One canonical IPv4 and IPv6 TCP packet (10 bytes of payload, no options). */
static void canon_ip4(struct buf *ip, size_t paylen)
{
	struct buf l4 = {.n = 0};
	build_tcp(&l4, NULL, 0, paylen);
	ip->n = 0;
	build_ip4(ip, &l4, 6, 0x4000, 0, false);
}

static void canon_ip6(struct buf *ip, size_t paylen)
{
	struct buf l4 = {.n = 0};
	build_tcp(&l4, NULL, 0, paylen);
	ip->n = 0;
	build_ip6(ip, &l4, 6, NULL, false);
}

static void test_link_types(void)
{
	struct buf ip4, ip6, f;
	canon_ip4(&ip4, 10);
	canon_ip6(&ip6, 10);

	f.n = 0; eth_hdr(&f, 0x0800); putn(&f, ip4.b, ip4.n);
	expect_ok(DLT_EN10MB, &f, 4, 10, 20, "EN10MB v4");
	f.n = 0; eth_hdr(&f, 0x86dd); putn(&f, ip6.b, ip6.n);
	expect_ok(DLT_EN10MB, &f, 6, 10, 20, "EN10MB v6");

	/* Ethernet padding after a short packet: payload ends where the IP length says. */
	f.n = 0; eth_hdr(&f, 0x0800); canon_ip4(&ip4, 0); putn(&f, ip4.b, ip4.n);
	for (int i = 0; i < 6; i++)
		put8(&f, 0xee);
	struct segment s;
	CHECK_INT(dec(DLT_EN10MB, &f, &s), DECODE_OK);
	CHECK_INT(s.payload_len, 0);
	CHECK_INT(s.payload_caplen, 0);
	canon_ip4(&ip4, 10);

	/* 802.3 + LLC/SNAP (RFC 1042) carrying IPv4; and plain 802.2 LLC (STP) which is not IP. */
	f.n = 0; eth_hdr(&f, (unsigned)(8 + ip4.n));
	put8(&f, 0xaa); put8(&f, 0xaa); put8(&f, 0x03); put8(&f, 0); put8(&f, 0); put8(&f, 0);
	put16(&f, 0x0800); putn(&f, ip4.b, ip4.n);
	expect_ok(DLT_EN10MB, &f, 4, 10, 20, "EN10MB SNAP");
	f.n = 0; eth_hdr(&f, (unsigned)(8 + ip4.n));
	put8(&f, 0xaa); put8(&f, 0xaa); put8(&f, 0x03); put8(&f, 0); put8(&f, 0); put8(&f, 0x0c);
	put16(&f, 0x0800); putn(&f, ip4.b, ip4.n);
	expect_status(DLT_EN10MB, &f, DECODE_NOT_TCP, "EN10MB SNAP, Cisco OUI");
	f.n = 0; eth_hdr(&f, 38); put8(&f, 0x42); put8(&f, 0x42); put8(&f, 0x03);
	for (int i = 0; i < 35; i++)
		put8(&f, 0);
	expect_status(DLT_EN10MB, &f, DECODE_NOT_TCP, "EN10MB STP");
	f.n = 0; eth_hdr(&f, 0x0550); putn(&f, ip4.b, ip4.n);
	expect_status(DLT_EN10MB, &f, DECODE_NOT_TCP, "EN10MB type 0x550");

	/* Linux cooked v1: the protocol is the last field; v2: it is the first. */
	f.n = 0; sll_hdr(&f, 0x0800); putn(&f, ip4.b, ip4.n);
	expect_ok(DLT_LINUX_SLL, &f, 4, 10, 20, "SLL v4");
	f.n = 0; sll_hdr(&f, 0x86dd); putn(&f, ip6.b, ip6.n);
	expect_ok(DLT_LINUX_SLL, &f, 6, 10, 20, "SLL v6");
	f.n = 0; sll_hdr(&f, 0x8100); put16(&f, 5); put16(&f, 0x0800); putn(&f, ip4.b, ip4.n);
	expect_ok(DLT_LINUX_SLL, &f, 4, 10, 20, "SLL vlan");
	f.n = 0; sll_hdr(&f, 0x0004); putn(&f, ip4.b, ip4.n);
	expect_status(DLT_LINUX_SLL, &f, DECODE_NOT_TCP, "SLL 802.2");
	f.n = 0; sll2_hdr(&f, 0x0800); putn(&f, ip4.b, ip4.n);
	expect_ok(DLT_LINUX_SLL2, &f, 4, 10, 20, "SLL2 v4");
	f.n = 0; sll2_hdr(&f, 0x86dd); putn(&f, ip6.b, ip6.n);
	expect_ok(DLT_LINUX_SLL2, &f, 6, 10, 20, "SLL2 v6");
	f.n = 0; sll2_hdr(&f, 0x0806); for (int i = 0; i < 28; i++) put8(&f, 0);
	expect_status(DLT_LINUX_SLL2, &f, DECODE_NOT_TCP, "SLL2 ARP");
	/* An SLL frame read as SLL2 must not decode as the same thing (the fields differ). */
	f.n = 0; sll_hdr(&f, 0x0800); putn(&f, ip4.b, ip4.n);
	CHECK(dec(DLT_LINUX_SLL2, &f, &s) != DECODE_OK);

	/* Raw IP under every value that means it, IPV4/IPV6, and what each refuses. */
	static const int raw_dlts[] = {DLT_RAW, 12, 14, 101};
	for (size_t i = 0; i < sizeof raw_dlts / sizeof raw_dlts[0]; i++) {
		expect_ok(raw_dlts[i], &ip4, 4, 10, 20, "RAW v4");
		expect_ok(raw_dlts[i], &ip6, 6, 10, 20, "RAW v6");
	}
	expect_ok(DLT_IPV4, &ip4, 4, 10, 20, "IPV4");
	expect_ok(DLT_IPV6, &ip6, 6, 10, 20, "IPV6");
	expect_status(DLT_IPV4, &ip6, DECODE_MALFORMED, "IPV4 carrying v6");
	expect_status(DLT_IPV6, &ip4, DECODE_MALFORMED, "IPV6 carrying v4");
	f = ip4; f.b[0] = 0x55;
	expect_status(DLT_RAW, &f, DECODE_MALFORMED, "RAW version 5");

	/* DLT_NULL: host order of the writer, either order accepted; DLT_LOOP: network order. */
	static const unsigned v6fams[] = {24, 28, 30};
	f.n = 0; put32(&f, 0x02000000); putn(&f, ip4.b, ip4.n);
	expect_ok(DLT_NULL, &f, 4, 10, 20, "NULL v4 LE");
	f.n = 0; put32(&f, 2); putn(&f, ip4.b, ip4.n);
	expect_ok(DLT_NULL, &f, 4, 10, 20, "NULL v4 BE");
	for (int i = 0; i < 3; i++) {
		f.n = 0; put32(&f, v6fams[i] << 24); putn(&f, ip6.b, ip6.n);
		expect_ok(DLT_NULL, &f, 6, 10, 20, "NULL v6 LE");
		f.n = 0; put32(&f, v6fams[i]); putn(&f, ip6.b, ip6.n);
		expect_ok(DLT_NULL, &f, 6, 10, 20, "NULL v6 BE");
		f.n = 0; put32(&f, v6fams[i]); putn(&f, ip6.b, ip6.n);
		expect_ok(DLT_LOOP, &f, 6, 10, 20, "LOOP v6");
	}
	f.n = 0; put32(&f, 2); putn(&f, ip4.b, ip4.n);
	expect_ok(DLT_LOOP, &f, 4, 10, 20, "LOOP v4");
	f.n = 0; put32(&f, 0x02000000); putn(&f, ip4.b, ip4.n);
	expect_status(DLT_LOOP, &f, DECODE_NOT_TCP, "LOOP is network order only");
	f.n = 0; put32(&f, 7); putn(&f, ip4.b, ip4.n);
	expect_status(DLT_NULL, &f, DECODE_NOT_TCP, "NULL family OSI");

	/* Unsupported link types say so, whatever the bytes. */
	f = ip4;
	expect_status(DLT_IEEE802_11, &f, DECODE_UNSUPPORTED, "802.11");
	expect_status(DLT_NFLOG, &f, DECODE_UNSUPPORTED, "NFLOG");
	expect_status(-1, &f, DECODE_UNSUPPORTED, "dlt -1");
	expect_status(1 << 20, &f, DECODE_UNSUPPORTED, "dlt 2^20");
}

static void test_vlan(void)
{
	struct buf ip4, ip6, f;
	canon_ip4(&ip4, 7);
	canon_ip6(&ip6, 7);
	f.n = 0; eth_hdr(&f, 0x8100); put16(&f, 0x2064); put16(&f, 0x0800); putn(&f, ip4.b, ip4.n);
	expect_ok(DLT_EN10MB, &f, 4, 7, 20, "802.1Q");
	f.n = 0; eth_hdr(&f, 0x88a8); put16(&f, 100); put16(&f, 0x8100); put16(&f, 200);
	put16(&f, 0x86dd); putn(&f, ip6.b, ip6.n);
	expect_ok(DLT_EN10MB, &f, 6, 7, 20, "802.1ad QinQ");
	f.n = 0; eth_hdr(&f, 0x9100); put16(&f, 100); put16(&f, 0x8100); put16(&f, 200);
	put16(&f, 0x0800); putn(&f, ip4.b, ip4.n);
	expect_ok(DLT_EN10MB, &f, 4, 7, 20, "0x9100 QinQ");
	f.n = 0; eth_hdr(&f, 0x88a8);
	for (int i = 0; i < 5; i++) { put16(&f, (unsigned)i); put16(&f, i < 4 ? 0x8100 : 0x0800); }
	putn(&f, ip4.b, ip4.n);
	expect_ok(DLT_EN10MB, &f, 4, 7, 20, "five tags");
	f.n = 0; eth_hdr(&f, 0x8100); put16(&f, 1); put16(&f, 0x0806);
	for (int i = 0; i < 28; i++) put8(&f, 0);
	expect_status(DLT_EN10MB, &f, DECODE_NOT_TCP, "VLAN ARP");
	/* MPLS (RFC 3032): a label stack of any depth, then IP by its version nibble. */
	f.n = 0; eth_hdr(&f, 0x8847); put32(&f, 0x0001f1ff); putn(&f, ip4.b, ip4.n);
	expect_ok(DLT_EN10MB, &f, 4, 7, 20, "MPLS one label");
	f.n = 0; eth_hdr(&f, 0x8100); put16(&f, 7); put16(&f, 0x8847);
	put32(&f, 0x00010040); put32(&f, 0x00002040); put32(&f, 0x00003140);
	putn(&f, ip6.b, ip6.n);
	expect_ok(DLT_EN10MB, &f, 6, 7, 20, "MPLS in VLAN, three labels");
	f.n = 0; eth_hdr(&f, 0x8848); put32(&f, 0x00001140); put32(&f, 0); eth_hdr(&f, 0x0800);
	putn(&f, ip4.b, ip4.n);
	expect_status(DLT_EN10MB, &f, DECODE_NOT_TCP, "MPLS Ethernet pseudowire");
	f.n = 0; eth_hdr(&f, 0x8847);
	for (int i = 0; i < 50; i++) put32(&f, 0x00001040);
	expect_status(DLT_EN10MB, &f, DECODE_TRUNCATED, "MPLS without bottom of stack");
	/* PPPoE session (RFC 2516) in QinQ, as zeek/pppoe-over-qinq.pcap has it. */
	f.n = 0; eth_hdr(&f, 0x8100); put16(&f, 0xe78); put16(&f, 0x8100); put16(&f, 0x9aa);
	put16(&f, 0x8864); put8(&f, 0x11); put8(&f, 0); put16(&f, 0xf07);
	put16(&f, (unsigned)(2 + ip4.n)); put16(&f, 0x0021); putn(&f, ip4.b, ip4.n);
	expect_ok(DLT_EN10MB, &f, 4, 7, 20, "PPPoE over QinQ");
	f.n = 0; eth_hdr(&f, 0x8864); put8(&f, 0x11); put8(&f, 0); put16(&f, 1);
	put16(&f, (unsigned)(2 + ip6.n)); put16(&f, 0x0057); putn(&f, ip6.b, ip6.n);
	expect_ok(DLT_EN10MB, &f, 6, 7, 20, "PPPoE IPv6");
	f.n = 0; eth_hdr(&f, 0x8864); put8(&f, 0x11); put8(&f, 0); put16(&f, 1);
	put16(&f, 6); put16(&f, 0xc021); put32(&f, 0x01010004);
	expect_status(DLT_EN10MB, &f, DECODE_NOT_TCP, "PPPoE LCP");
	f.n = 0; eth_hdr(&f, 0x8864); put8(&f, 0x11); put8(&f, 0x09); put16(&f, 0);
	put16(&f, (unsigned)(2 + ip4.n)); put16(&f, 0x0021); putn(&f, ip4.b, ip4.n);
	expect_status(DLT_EN10MB, &f, DECODE_NOT_TCP, "PPPoE discovery code");
	/* Nothing but tags to the end of the capture: truncated, and the loop ends. */
	f.n = 0; eth_hdr(&f, 0x8100);
	for (int i = 0; i < 100; i++) { put16(&f, 1); put16(&f, 0x8100); }
	expect_status(DLT_EN10MB, &f, DECODE_TRUNCATED, "endless tags");
}

static void test_ipv4(void)
{
	struct buf l4, ip, f;
	struct segment s;
	l4.n = 0; build_tcp(&l4, NULL, 0, 33);
	for (size_t opt = 4; opt <= 40; opt += 4) {
		ip.n = 0; build_ip4(&ip, &l4, 6, 0, opt, false);
		f.n = 0; eth_hdr(&f, 0x0800); putn(&f, ip.b, ip.n);
		expect_ok(DLT_EN10MB, &f, 4, 33, 20, "IPv4 options");
	}
	/* Fragments: first (MF, offset 0), middle, last; DF alone is a whole packet. */
	static const unsigned frags[] = {0x2000, 0x2000 | 185, 185, 0x8000 | 0x2000};
	for (size_t i = 0; i < sizeof frags / sizeof frags[0]; i++) {
		ip.n = 0; build_ip4(&ip, &l4, 6, frags[i], 0, false);
		expect_status(DLT_RAW, &ip, DECODE_FRAGMENT, "IPv4 fragment");
	}
	ip.n = 0; build_ip4(&ip, &l4, 17, 0x2000, 0, false);
	expect_status(DLT_RAW, &ip, DECODE_NOT_TCP, "UDP fragment is not TCP");
	ip.n = 0; build_ip4(&ip, &l4, 6, 0x8000 | 0x4000, 0, false);
	expect_ok(DLT_RAW, &ip, 4, 33, 20, "IPv4 DF + reserved bit");
	/* Not TCP: UDP, ICMP. */
	ip.n = 0; build_ip4(&ip, &l4, 17, 0, 0, false);
	expect_status(DLT_RAW, &ip, DECODE_NOT_TCP, "UDP");
	ip.n = 0; build_ip4(&ip, &l4, 1, 0, 8, false);
	expect_status(DLT_RAW, &ip, DECODE_NOT_TCP, "ICMP");
	/* Malformed: IHL < 5, total length < header, TCP header beyond the IP payload. */
	for (unsigned ihl = 0; ihl < 5; ihl++) {
		ip.n = 0; build_ip4(&ip, &l4, 6, 0, 0, false);
		ip.b[0] = (uint8_t)(0x40 | ihl);
		expect_status(DLT_RAW, &ip, DECODE_MALFORMED, "IHL < 5");
	}
	ip.n = 0; build_ip4(&ip, &l4, 6, 0, 8, false);
	ip.b[2] = 0; ip.b[3] = 24;
	expect_status(DLT_RAW, &ip, DECODE_MALFORMED, "total length < IHL");
	ip.b[3] = 28 + 19;
	expect_status(DLT_RAW, &ip, DECODE_MALFORMED, "IP payload < 20");
	/* Impossible beats cut short: the header says what cannot be, however little was captured. */
	CHECK_INT(decode_frame(DLT_RAW, ip.b, 28 + 10, (uint32_t)ip.n, &s), DECODE_MALFORMED);
	ip.n = 0; build_ip4(&ip, &l4, 6, 0, 0, false);
	f.n = 0; eth_hdr(&f, 0x0800); putn(&f, ip.b, ip.n);
	f.b[14] = 0x65;
	expect_status(DLT_EN10MB, &f, DECODE_MALFORMED, "ethertype IPv4, version 6");
	/* A total length longer than the capture is kept (payload_len from the header). */
	ip.n = 0; build_ip4(&ip, &l4, 6, 0, 0, false);
	ip.b[2] = 0x05; ip.b[3] = 0xdc;
	CHECK_INT(dec(DLT_RAW, &ip, &s), DECODE_OK);
	CHECK_INT(s.payload_len, 1500 - 40);
	CHECK_INT(s.payload_caplen, 33);
	CHECK(!s.ip_len_from_cap);

	/* Transport-mode AH between IPv4 and TCP (RFC 4302 3.1.1); AH in a fragment. */
	{
		struct buf ah = {.n = 0};
		ext_ah(&ah, 6);
		putn(&ah, l4.b, l4.n);
		ip.n = 0; build_ip4(&ip, &ah, 51, 0, 4, false);
		expect_ok(DLT_RAW, &ip, 4, 33, 20, "IPv4 AH");
		ip.n = 0; build_ip4(&ip, &ah, 51, 0x2000, 0, false);
		expect_status(DLT_RAW, &ip, DECODE_FRAGMENT, "IPv4 AH fragment");
		ah.n = 0; ext_ah(&ah, 4);
		putn(&ah, l4.b, l4.n);
		ip.n = 0; build_ip4(&ip, &ah, 51, 0, 0, false);
		expect_status(DLT_RAW, &ip, DECODE_NOT_TCP, "IPv4 AH tunnel mode");
		ip.n = 0; ah.n = 0; ext_ah(&ah, 6);
		build_ip4(&ip, &ah, 51, 0, 0, false);
		ip.b[3] = 20 + 16;
		expect_status(DLT_RAW, &ip, DECODE_MALFORMED, "IPv4 AH longer than the packet");
	}

	/* TSO / BIG TCP: total length 0, length from the wire; caplen may be short. */
	l4.n = 0; build_tcp(&l4, NULL, 0, 100);
	ip.n = 0; build_ip4(&ip, &l4, 6, 0x4000, 0, true);
	f.n = 0; eth_hdr(&f, 0x0800); putn(&f, ip.b, ip.n);
	CHECK_INT(decode_frame(DLT_EN10MB, f.b, (uint32_t)f.n, 80066, &s), DECODE_OK);
	CHECK_INT(s.payload_len, 80066 - 14 - 20 - 20);
	CHECK_INT(s.payload_caplen, 100);
	CHECK(s.ip_len_from_cap);
	CHECK_INT(s.caplen, f.n);
	CHECK_INT(s.wirelen, 80066);
	check_prefixes(DLT_EN10MB, f.b, (uint32_t)f.n, 80066, &s, "TSO v4");
	expect_ok(DLT_EN10MB, &f, 4, 100, 20, "TSO v4, wire = cap");
	/* A wire length below caplen (a writer's bug) does not shrink the derived length. */
	CHECK_INT(decode_frame(DLT_EN10MB, f.b, (uint32_t)f.n, 10, &s), DECODE_OK);
	CHECK_INT(s.payload_len, 100);
}

static void test_ipv6(void)
{
	struct buf l4, ext, ip, f;
	struct segment s;
	l4.n = 0; build_tcp(&l4, NULL, 0, 21);
	/* Each extension header alone, then all of them chained. */
	ext.n = 0; ext_generic(&ext, 6, 0);
	ip.n = 0; build_ip6(&ip, &l4, 0, &ext, false);
	expect_ok(DLT_RAW, &ip, 6, 21, 20, "hop-by-hop");
	ext.n = 0; ext_generic(&ext, 6, 2);
	ip.n = 0; build_ip6(&ip, &l4, 43, &ext, false);
	expect_ok(DLT_RAW, &ip, 6, 21, 20, "routing");
	ext.n = 0; ext_generic(&ext, 6, 1);
	ip.n = 0; build_ip6(&ip, &l4, 60, &ext, false);
	expect_ok(DLT_RAW, &ip, 6, 21, 20, "destination options");
	ext.n = 0; ext_ah(&ext, 6);
	ip.n = 0; build_ip6(&ip, &l4, 51, &ext, false);
	expect_ok(DLT_RAW, &ip, 6, 21, 20, "AH");
	ext.n = 0; ext_frag(&ext, 6, 0, false);
	ip.n = 0; build_ip6(&ip, &l4, 44, &ext, false);
	expect_ok(DLT_RAW, &ip, 6, 21, 20, "atomic fragment (RFC 6946)");
	static const unsigned generic[] = {135, 139, 140}; /* mobility, HIP, shim6 (RFC 7045) */
	for (size_t i = 0; i < 3; i++) {
		ext.n = 0; ext_generic(&ext, 6, 1);
		ip.n = 0; build_ip6(&ip, &l4, generic[i], &ext, false);
		expect_ok(DLT_RAW, &ip, 6, 21, 20, "mobility / HIP / shim6");
	}
	ext.n = 0; ext_generic(&ext, 60, 0); ext_generic(&ext, 43, 1); ext_frag(&ext, 51, 0, false);
	ext_ah(&ext, 60); ext_generic(&ext, 6, 3);
	ip.n = 0; build_ip6(&ip, &l4, 0, &ext, false);
	f.n = 0; eth_hdr(&f, 0x8100); put16(&f, 9); put16(&f, 0x86dd); putn(&f, ip.b, ip.n);
	expect_ok(DLT_EN10MB, &f, 6, 21, 20, "HBH DST RT FRAG AH DST");

	/* Fragments. */
	ext.n = 0; ext_frag(&ext, 6, 0, true);
	ip.n = 0; build_ip6(&ip, &l4, 44, &ext, false);
	expect_status(DLT_RAW, &ip, DECODE_FRAGMENT, "v6 first fragment");
	ext.n = 0; ext_frag(&ext, 6, 100, true);
	ip.n = 0; build_ip6(&ip, &l4, 44, &ext, false);
	expect_status(DLT_RAW, &ip, DECODE_FRAGMENT, "v6 middle fragment");
	ext.n = 0; ext_frag(&ext, 6, 100, false);
	ip.n = 0; build_ip6(&ip, &l4, 44, &ext, false);
	expect_status(DLT_RAW, &ip, DECODE_FRAGMENT, "v6 last fragment");
	ext.n = 0; ext_frag(&ext, 17, 100, false);
	ip.n = 0; build_ip6(&ip, &l4, 44, &ext, false);
	expect_status(DLT_RAW, &ip, DECODE_NOT_TCP, "v6 UDP fragment");
	ext.n = 0; ext_frag(&ext, 17, 0, true);
	ip.n = 0; build_ip6(&ip, &l4, 44, &ext, false);
	expect_status(DLT_RAW, &ip, DECODE_NOT_TCP, "v6 UDP first fragment");

	/* Where decoding stops: ESP, No Next Header, UDP, ICMPv6. */
	static const unsigned stops[] = {50, 59, 17, 58};
	for (size_t i = 0; i < 4; i++) {
		ext.n = 0; ext_generic(&ext, stops[i], 0);
		ip.n = 0; build_ip6(&ip, &l4, 60, &ext, false);
		expect_status(DLT_RAW, &ip, DECODE_NOT_TCP, "v6 non-TCP");
	}

	/* Malformed: wrong version, payload length shorter than the ext headers or TCP header. */
	ip.n = 0; build_ip6(&ip, &l4, 6, NULL, false);
	f = ip; f.b[0] = 0x40;
	expect_status(DLT_IPV6, &f, DECODE_MALFORMED, "v6 version 4");
	f = ip; f.b[4] = 0; f.b[5] = 19;
	expect_status(DLT_RAW, &f, DECODE_MALFORMED, "v6 payload < TCP header");
	ext.n = 0; ext_generic(&ext, 6, 2);
	ip.n = 0; build_ip6(&ip, &l4, 0, &ext, false);
	f = ip; f.b[4] = 0; f.b[5] = 16;
	expect_status(DLT_RAW, &f, DECODE_MALFORMED, "v6 payload < ext header");
	f.b[5] = 4;
	expect_status(DLT_RAW, &f, DECODE_MALFORMED, "v6 payload < 8");
	CHECK_INT(decode_frame(DLT_RAW, f.b, 40, (uint32_t)f.n, &s), DECODE_MALFORMED);
	f = ip; f.b[4] = 0; f.b[5] = 24 + 19;
	expect_status(DLT_RAW, &f, DECODE_MALFORMED, "v6 payload < ext + TCP");

	/* Payload length 0: BIG TCP without an option, or a jumbogram (RFC 2675). */
	l4.n = 0; build_tcp(&l4, NULL, 0, 64);
	ip.n = 0; build_ip6(&ip, &l4, 6, NULL, true);
	CHECK_INT(decode_frame(DLT_RAW, ip.b, (uint32_t)ip.n, 80054, &s), DECODE_OK);
	CHECK_INT(s.payload_len, 80054 - 40 - 20);
	CHECK_INT(s.payload_caplen, 64);
	CHECK(s.ip_len_from_cap);
	check_prefixes(DLT_RAW, ip.b, (uint32_t)ip.n, 80054, &s, "BIG TCP v6");
	ext.n = 0;
	put8(&ext, 6); put8(&ext, 0); put8(&ext, 0xc2); put8(&ext, 4); put32(&ext, 70000 - 40);
	ip.n = 0; build_ip6(&ip, &l4, 0, &ext, true);
	f.n = 0; eth_hdr(&f, 0x86dd); putn(&f, ip.b, ip.n);
	CHECK_INT(decode_frame(DLT_EN10MB, f.b, (uint32_t)f.n, 14 + 70000, &s), DECODE_OK);
	CHECK_INT(s.payload_len, 70000 - 40 - 8 - 20);
	CHECK(s.ip_len_from_cap);
	check_prefixes(DLT_EN10MB, f.b, (uint32_t)f.n, 14 + 70000, &s, "jumbogram");
}

static void test_tcp_options(void)
{
	struct buf l4, ip;
	struct segment s;
	/* A SYN's usual list: MSS, SACK-permitted, timestamps, NOP, window scale. */
	static const uint8_t syn[] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2,
				      1, 3, 3, 7};
	l4.n = 0; build_tcp(&l4, syn, sizeof syn, 0);
	ip.n = 0; build_ip4(&ip, &l4, 6, 0, 0, false);
	expect_ok(DLT_RAW, &ip, 4, 0, 40, "SYN options");
	CHECK_INT(dec(DLT_RAW, &ip, &s), DECODE_OK);
	CHECK(s.opts.has_mss && s.opts.mss == 1460);
	CHECK(s.opts.sack_permitted);
	CHECK(s.opts.has_ts && s.opts.tsval == 1 && s.opts.tsecr == 2);
	CHECK(s.opts.has_wscale && s.opts.wscale == 7);
	CHECK(!s.opts.malformed && s.opts.nsack == 0);

	/* SACK with 1..4 blocks (4 blocks fill 34 of 40 bytes; RFC 2018 3). */
	for (unsigned n = 1; n <= 4; n++) {
		uint8_t o[40];
		size_t k = 0;
		o[k++] = 1;
		o[k++] = 1;
		o[k++] = 5;
		o[k++] = (uint8_t)(2 + 8 * n);
		for (unsigned i = 0; i < 2 * n; i++) {
			uint32_t v = 0x10000000u * (i + 1) + n;
			o[k++] = (uint8_t)(v >> 24); o[k++] = (uint8_t)(v >> 16);
			o[k++] = (uint8_t)(v >> 8); o[k++] = (uint8_t)v;
		}
		while (k % 4)
			o[k++] = 0;
		l4.n = 0; build_tcp(&l4, o, k, 5);
		ip.n = 0; build_ip6(&ip, &l4, 6, NULL, false);
		expect_ok(DLT_RAW, &ip, 6, 5, (uint32_t)(20 + k), "SACK blocks");
		CHECK_INT(dec(DLT_RAW, &ip, &s), DECODE_OK);
		CHECK_INT(s.opts.nsack, n);
		CHECK(!s.opts.malformed);
		for (unsigned i = 0; i < n; i++) {
			CHECK_INT(s.opts.sack[i][0], 0x10000000u * (2 * i + 1) + n);
			CHECK_INT(s.opts.sack[i][1], 0x10000000u * (2 * i + 2) + n);
		}
	}

	/* tcpopt_parse() on its own: EOL stops, unknown kinds are skipped. */
	struct tcp_opts o;
	struct cursor c;
	static const uint8_t eol[] = {2, 4, 1, 0, 0, 2, 4, 9, 9};
	cur_init(&c, eol, sizeof eol);
	tcpopt_parse(c, &o);
	CHECK(o.has_mss && o.mss == 256 && !o.malformed);
	static const uint8_t unknown[] = {30, 6, 1, 2, 3, 4, 253, 2, 8, 10, 0, 0, 0, 9, 0, 0, 0, 8};
	cur_init(&c, unknown, sizeof unknown);
	tcpopt_parse(c, &o);
	CHECK(o.has_ts && o.tsval == 9 && o.tsecr == 8 && !o.malformed);
	cur_init(&c, unknown, 0);
	tcpopt_parse(c, &o);
	CHECK(!o.has_ts && !o.malformed);

	/* Impossible lengths: malformed, parsing stops, what came before is kept. */
	static const struct { uint8_t b[12]; size_t n; const char *what; } bad[] = {
		{{2, 4, 0, 100, 3, 0, 1, 1}, 8, "length 0"},
		{{2, 4, 0, 100, 30, 1, 1, 1}, 8, "length 1"},
		{{2, 4, 0, 100, 30, 9, 1, 1}, 8, "length past the end"},
		{{2, 4, 0, 100, 1, 1, 1, 30}, 8, "kind without length"},
		{{2, 4, 0, 100, 3, 4, 7, 0}, 8, "wscale length 4"},
		{{2, 4, 0, 100, 2, 3, 1, 1}, 8, "MSS length 3"},
		{{2, 4, 0, 100, 4, 3, 0, 1}, 8, "SACK-permitted length 3"},
		{{2, 4, 0, 100, 8, 6, 0, 0, 0, 0, 1, 1}, 12, "timestamps length 6"},
		{{2, 4, 0, 100, 5, 2, 1, 1}, 8, "SACK without blocks"},
		{{2, 4, 0, 100, 5, 7, 0, 0, 0, 0, 0, 1}, 12, "SACK length 7"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cur_init(&c, bad[i].b, bad[i].n);
		tcpopt_parse(c, &o);
		if (!(o.malformed && o.has_mss && o.mss == 100 && !o.has_wscale && !o.has_ts &&
		      !o.sack_permitted && o.nsack == 0))
			fprintf(stderr, "tcpopt: %s\n", bad[i].what);
		CHECK(o.malformed && o.has_mss && o.mss == 100);
		CHECK(!o.has_wscale && !o.has_ts && !o.sack_permitted && o.nsack == 0);
		/* ... and the segment still decodes. */
		l4.n = 0; build_tcp(&l4, bad[i].b, bad[i].n, 3);
		ip.n = 0; build_ip4(&ip, &l4, 6, 0, 0, false);
		CHECK_INT(dec(DLT_RAW, &ip, &s), DECODE_OK);
		CHECK(s.opts.malformed && s.opts.mss == 100 && s.payload_len == 3);
	}

	/* Malformed TCP header: data offset < 5, or longer than the IP payload. */
	l4.n = 0; build_tcp(&l4, syn, sizeof syn, 0);
	for (unsigned d = 0; d < 5; d++) {
		ip.n = 0; build_ip4(&ip, &l4, 6, 0, 0, false);
		ip.b[20 + 12] = (uint8_t)(d << 4);
		expect_status(DLT_RAW, &ip, DECODE_MALFORMED, "data offset < 5");
	}
	ip.n = 0; build_ip4(&ip, &l4, 6, 0, 0, false);
	ip.b[20 + 12] = 0xb0; /* 44 bytes, the IP payload has 40 */
	expect_status(DLT_RAW, &ip, DECODE_MALFORMED, "data offset > IP payload");
	ip.b[20 + 12] = 0xf0;
	ip.n += 20;
	ip.b[3] += 20;
	expect_status(DLT_RAW, &ip, DECODE_OK, "data offset 15 in a long enough packet");
}

/* A header cut by the snaplen is truncated, a payload cut by it is not. */
static void test_truncation(void)
{
	struct buf ip, f;
	struct segment s;
	canon_ip4(&ip, 100);
	f.n = 0; eth_hdr(&f, 0x0800); putn(&f, ip.b, ip.n);
	CHECK_INT(decode_frame(DLT_EN10MB, f.b, 14 + 40 + 30, (uint32_t)f.n, &s), DECODE_OK);
	CHECK_INT(s.payload_len, 100);
	CHECK_INT(s.payload_caplen, 30);
	CHECK(!s.ip_len_from_cap);
	CHECK_INT(s.caplen, 84);
	CHECK_INT(s.wirelen, f.n);
	CHECK_INT(decode_frame(DLT_EN10MB, f.b, 14 + 39, (uint32_t)f.n, &s), DECODE_TRUNCATED);
	CHECK_INT(decode_frame(DLT_EN10MB, NULL, 0, 0, &s), DECODE_TRUNCATED);
	CHECK_INT(decode_frame(DLT_EN10MB, NULL, 100, 100, &s), DECODE_TRUNCATED);
	/* The caller's fields survive, everything else is reset. */
	memset(&s, 0x5a, sizeof s);
	s.ts_ns = 77; s.frame = 5; s.input_id = 3;
	CHECK_INT(decode_frame(DLT_EN10MB, f.b, 10, (uint32_t)f.n, &s), DECODE_TRUNCATED);
	CHECK(s.ts_ns == 77 && s.frame == 5 && s.input_id == 3 && s.caplen == 10);
	CHECK(s.opts.nsack == 0 && !s.ip_len_from_cap && s.payload == NULL);
	memset(&s, 0x5a, sizeof s);
	CHECK_INT(decode_frame(DLT_EN10MB, f.b, (uint32_t)f.n, (uint32_t)f.n, &s), DECODE_OK);
	CHECK(!s.opts.has_mss && !s.opts.malformed && s.opts.nsack == 0);
}

static void test_names(void)
{
	CHECK_STR(decode_status_name(DECODE_OK), "ok");
	CHECK_STR(decode_status_name(DECODE_NOT_TCP), "not_tcp");
	CHECK_STR(decode_status_name(DECODE_TRUNCATED), "truncated");
	CHECK_STR(decode_status_name(DECODE_MALFORMED), "malformed");
	CHECK_STR(decode_status_name(DECODE_FRAGMENT), "fragment");
	CHECK_STR(decode_status_name(DECODE_UNSUPPORTED), "unsupported");
	CHECK_STR(decode_status_name(DECODE_STATUS_MAX), "?");
	CHECK_STR(decode_status_name((enum decode_status)-1), "?");
	static const struct { int dlt; const char *name; } dlts[] = {
		{DLT_NULL, "NULL"}, {DLT_EN10MB, "EN10MB"}, {DLT_RAW, "RAW"}, {101, "RAW"},
		{14, "RAW"}, {DLT_LOOP, "LOOP"}, {DLT_LINUX_SLL, "LINUX_SLL"},
		{DLT_LINUX_SLL2, "LINUX_SLL2"}, {DLT_IPV4, "IPV4"}, {DLT_IPV6, "IPV6"},
	};
	for (size_t i = 0; i < sizeof dlts / sizeof dlts[0]; i++) {
		CHECK_STR(decode_dlt_name(dlts[i].dlt), dlts[i].name);
		CHECK_INT(decode_dlt_supported(dlts[i].dlt), 1);
		/* Our names are libpcap's. */
		const char *lib = pcap_datalink_val_to_name(dlts[i].dlt);
		if (dlts[i].dlt != 14 && dlts[i].dlt != 101)
			CHECK_STR(lib, dlts[i].name);
	}
	CHECK_STR(decode_dlt_name(DLT_IEEE802_11), "?");
	CHECK_INT(decode_dlt_supported(DLT_IEEE802_11), 0);
	CHECK_INT(decode_dlt_supported(DLT_NFLOG), 0);
	CHECK_INT(decode_dlt_supported(-5), 0);
}

/* ---------------------------------------------------------------- the real-capture corpus */

/* OK segments per file: `tshark -r FILE -Y tcp | wc -l` (Wireshark 4.0.17), kept only where
 * tcpdump/INDEX.tsv's tcp_packets column gives the same number. */
static const struct { const char *file; unsigned ok; } expect_ok_counts[] = {
	{"802.1ad_QinQ.pcap", 0}, {"802_15_4-oobr-1.pcap", 0}, {"802_15_4_beacon.pcap", 0},
	{"LINKTYPE_IPV4.pcap", 0}, {"LINKTYPE_IPV4_invalid.pcap", 0}, {"LINKTYPE_IPV6.pcap", 0},
	{"LINKTYPE_IPV6_invalid.pcap", 0}, {"LINKTYPE_PKTAP.pcap", 0},
	{"LINKTYPE_RAW_ipv4.pcap", 0}, {"LINKTYPE_RAW_ipv6.pcap", 0},
	{"LINKTYPE_USER2_PKTAP.pcap", 0}, {"MSTP_Intra-Region_BPDUs.pcap", 0},
	{"NHRP-responder-address.pcap", 0}, {"NHRP_registration.pcap", 0},
	{"OLSRv1_HNA_sgw_1.pcap", 0}, {"OSPFv2_Capture_FINAL.pcapng", 0},
	{"RADIUS-RFC3162.pcap", 0}, {"RADIUS-RFC4675.pcap", 0}, {"RADIUS-RFC5176-2.pcap", 0},
	{"RADIUS-RFC5580.pcap", 0}, {"accecn_handshake.pcap", 6}, {"ahcp.pcapng", 0},
	{"arp-too-long-tha.pcap", 0}, {"atm-heapoverflow.pcap", 0}, {"babel.pcap", 0},
	{"babel_rtt.pcap", 0}, {"babel_update_oobr.pcap", 2},
	{"bad-ipv4-version-pgm-heapoverflow.pcap", 0}, {"bfd_source_port_49152.pcap", 0},
	{"bgp-4byte-asn.pcap", 79}, {"bgp-addpath.pcap", 1}, {"bgp-aigp-2.pcap", 1},
	{"bgp-aigp-oobr.pcap", 1}, {"bgp-as-path-oobr.pcap", 4}, {"bgp-bfd-cease.pcap", 1},
	{"bgp-bgpsec.pcap", 36}, {"bgp-cease-hard-reset.pcap", 3},
	{"bgp-enhanced-route-refresh-subtype.pcapng", 3}, {"bgp-enhanced-route-refresh.pcapng", 1},
	{"bgp-extended-msg.pcapng", 1}, {"bgp-extended-optional-parameters-length.pcapng", 1},
	{"bgp-extended-shutdown-msg.pcapng", 1}, {"bgp-infinite-loop.pcap", 5},
	{"bgp-large-community.pcap", 1}, {"bgp-link-bw-extcommunity.pcapng", 1},
	{"bgp-lu-multiple-labels.pcap", 37}, {"bgp-malformed-hard-reset.pcap", 1},
	{"bgp-orf.pcapng", 1}, {"bgp-ovs.pcapng", 1}, {"bgp-role.pcapng", 9},
	{"bgp-rt-prefix.pcap", 14}, {"bgp-shutdown-communication.pcapng", 2},
	{"bgp-shutdown-msg-variations.pcap", 3}, {"bgp-ub.pcap", 1},
	{"bgp_mp_reach_nlri-oobr.pcap", 1}, {"bgp_mvpn_6_and_7_oobr.pcap", 1},
	{"bgp_notification_rr_msg_error.pcap", 1}, {"bgp_vpn_rt-oobr.pcap", 1},
	{"bgpsec_invalid_signature_block_length.pcap", 1}, {"bigtcp-ipv4.pcap", 1},
	{"brcm-tag-prepend.pcap", 0}, {"brcm-tag.pcap", 0}, {"cve2015-0261-ipv6.pcap", 0},
	{"dhcp-option-108.pcapng", 0}, {"dns-badcookie.pcap", 0}, {"dns_tcp.pcap", 11},
	{"dns_tcp_8053.pcap", 11}, {"dsa.pcap", 0}, {"e1000g.pcap", 0}, {"edsa.pcap", 0},
	{"empty.pcapng", 0}, {"erspan-type-iii-pb-1.pcap", 0}, {"esp_truncated.pcap", 0},
	{"extract_read2_asan.pcap", 0}, {"fletcher-checksum-negative-shift.pcap", 0},
	{"forces1.pcap", 0}, {"forces2.pcap", 0}, {"forces3.pcap", 0}, {"gquic.pcap", 0},
	{"gre-heapoverflow-1.pcap", 0}, {"gre-heapoverflow-2.pcap", 0}, {"gso-ipv4.pcap", 1},
	{"gso-ipv6.pcap", 1}, {"hdlc_slarp.pcapng", 0}, {"heap-overflow-1.pcap", 0},
	{"heap-overflow-2.pcap", 0}, {"heapoverflow-in_checksum.pcap", 0},
	{"heapoverflow-ip_demux_print.pcap", 0}, {"heapoverflow-ppp_hdlc_if_print.pcap", 0},
	{"hoobr_juniper.pcap", 0}, {"hoobr_juniper2.pcap", 0}, {"hoobr_juniper3.pcap", 0},
	{"hoobr_juniper4.pcap", 0}, {"hoobr_nfs_printfh.pcap", 1}, {"hoobr_ripng_print.pcap", 0},
	{"hoobr_rt6_print.pcap", 0}, {"icmp-cksum-oobr-1.pcap", 0}, {"icmp-cksum-oobr-2.pcap", 0},
	{"icmp-cksum-oobr-3.pcapng", 0}, {"icmp-cksum-oobr-4.pcapng", 0},
	{"icmp-length-zero.pcapng", 0}, {"icmpv6-RFC2894-RR.pcap", 0},
	{"icmpv6-length-zero.pcapng", 0}, {"icmpv6_nodeinfo_queryipv4.pcap", 0},
	{"icmpv6_nodeinfo_queryipv6.pcap", 0}, {"icmpv6_nodeinfo_replyipv4.pcap", 0},
	{"icmpv6_nodeinfo_replyipv6.pcap", 0}, {"ieee802.11_exthdr.pcap", 0},
	{"ieee802.11_tim_ie_oobr.pcap", 0}, {"ikev1_id_ipv6_addr_subnet-oobr.pcap", 0},
	{"ikev2four.pcap", 0}, {"ikev2pI2-segfault.pcapng", 0}, {"ikev2pI2.pcap", 0},
	{"ipcomp-heapoverflow.pcap", 0}, {"ipv4_invalid_hdr_length.pcap", 0},
	{"ipv4_invalid_length.pcap", 0}, {"ipv4_invalid_total_length.pcap", 0},
	{"ipv4_invalid_total_length_2.pcap", 0}, {"ipv4_tcp_http_xml_tso.pcap", 1},
	{"ipv6-bad-version.pcap", 0}, {"ipv6-mobility-header-oobr.pcap", 0},
	{"ipv6-next-header-oobr-1.pcap", 0}, {"ipv6-next-header-oobr-2.pcap", 0},
	{"ipv6-rthdr-oobr.pcap", 0}, {"ipv6-srh-tlv-pad1-padn-5-trunc.pcap", 0},
	{"ipv6_invalid_length.pcap", 0}, {"ipv6_invalid_length_2.pcap", 0},
	{"ipv6_jumbogram_invalid_length.pcap", 0}, {"ipv6_mobility_1.pcap", 0},
	{"ipv6hdr-heapoverflow.pcap", 0}, {"isakmp-identification-segfault.pcap", 0},
	{"isakmp-no-none-np.pcapng", 0}, {"isakmp-pointer-loop.pcap", 0},
	{"isis-infinite-loop.pcap", 0}, {"isis-seg-fault-1.pcapng", 0},
	{"isis-seg-fault-2.pcapng", 0}, {"isis-seg-fault-3.pcapng", 0}, {"isis_cap_tlv.pcap", 0},
	{"isis_sid.pcap", 0}, {"isis_sr.pcapng", 0}, {"isup.pcap", 0},
	{"juniper_atm1_oobr.pcap", 0}, {"juniper_es_oobr.pcap", 0},
	{"juniper_header-heapoverflow.pcap", 0}, {"juniper_monitor_invalid_cookie_length.pcap", 0},
	{"kday2.pcap", 4}, {"kday4.pcap", 11}, {"kday5.pcap", 4}, {"kday7.pcap", 11},
	{"kday8.pcap", 4}, {"ldp-common-session.pcap", 13}, {"ldp-infinite-loop.pcap", 0},
	{"lisp_invalid_length.pcap", 0}, {"llc-xid-heapoverflow.pcap", 0},
	{"lmpv1_busyloop.pcap", 0}, {"lsp-ping-timestamp.pcap", 0},
	{"mpbgp-linklocal-nexthop.pcap", 1}, {"mptcp-aa-echo.pcap", 2}, {"mptcp-aa-v1.pcap", 22},
	{"mptcp-fclose.pcap", 9}, {"mptcp-tcprst.pcap", 2}, {"mptcp-v0.pcap", 264},
	{"mptcp-v1.pcap", 20}, {"msnlb2.pcapng", 0}, {"nflog.pcap", 0},
	{"nfs-seg-fault-1.pcapng", 1}, {"nfs-write-verf-cookie.pcapng", 2}, {"nhrp.pcapng", 0},
	{"ospf-gmpls.pcap", 0}, {"ospf-sr.pcapng", 0}, {"ospf-sr2.pcapng", 0},
	{"ospf2-seg-fault-1.pcapng", 0}, {"ospf3_auth.pcapng", 0}, {"pktap-heap-overflow.pcap", 0},
	{"pptp.pcap", 22}, {"print-flags.pcap", 10}, {"q933-heapoverflow-2.pcap", 0},
	{"quic_32_bit_pointer_overflow.pcap", 0}, {"quic_handshake.pcap", 0},
	{"quic_handshake_truncated.pcap", 0}, {"quic_retry.pcap", 0}, {"quic_vn.pcap", 0},
	{"radius_rfc5447.pcap", 0}, {"radius_rfc5447_invalid_length.pcap", 0},
	{"resp_1_benchmark.pcap", 150}, {"resp_2_inline.pcap", 14}, {"resp_3_malicious.pcap", 163},
	{"resp_4_infiniteloop.pcapng", 1}, {"ripv2-invalid-length.pcap", 0},
	{"rpvstp-trunk-native-vid5.pcap", 0}, {"rsvp-inf-loop-2.pcapng", 0},
	{"rsvp-infinite-loop.pcap", 0}, {"rsvp_cap.pcap", 0}, {"rtp-seg-fault-1.pcapng", 0},
	{"rtp-seg-fault-2.pcapng", 0}, {"scps_invalid.pcap", 2}, {"slow-ossp.pcap", 0},
	{"smb_data_print-oobr.pcapng", 4}, {"smb_data_print-segv.pcap", 4}, {"ssh.pcap", 54},
	{"tcp-handshake-nano.pcap", 3}, {"tcp_eight_lowest_weight_flags_set.pcap", 1},
	{"tcp_rst_data-trunc.pcap", 1}, {"tcp_rst_data.pcap", 1},
	{"tcp_rst_diag_payload-trunc.pcap", 1}, {"tcp_rst_diag_payload.pcap", 1},
	{"telnet-iac-check-oobr.pcap", 1}, {"tfo-5c1fa7f9ae91.pcap", 14},
	{"tftp-heapoverflow.pcap", 0}, {"time_2038_overflow.pcap", 0},
	{"time_2106_overflow.pcapng", 0}, {"time_2107.pcapng", 0},
	{"timestamp_invalid_micro.pcap", 3}, {"timestamp_invalid_nano.pcap", 3},
	{"tok2str-oobr-1.pcap", 1}, {"udld-inf-loop-1.pcapng", 0},
	{"udp-length-heapoverflow.pcap", 0}, {"unaligned-nfs-1.pcap", 1},
	{"unsupported-link-type-160.pcap", 0}, {"unsupported-link-type-dbus.pcap", 0},
	{"various_gre.pcap", 0}, {"vsock-1.pcapng", 0}, {"vtp_asan.pcap", 0}, {"whois.pcap", 11},
	{"zmtp1-inf-loop-1.pcapng", 1}, {"zmtp1.pcap", 16},
};

/* Exact fields of one frame, read off `tshark -T fields` (raw sequence numbers); entries that
 * give only a status are frames whose verdict is the point. */
struct expect_seg {
	const char *path;  /* the end of the file's path */
	unsigned frame;    /* 1-based */
	enum decode_status st;
	const char *src, *dst;
	unsigned sport, dport;
	uint32_t seq, ack;
	unsigned flags, win, doff, ttl;
	uint32_t payload_len, payload_caplen;
	bool from_cap;
	const char *opts;  /* as opts_str() writes them, in any order */
};

static const struct expect_seg expect_segs[] = {
	/* Link types: SLL, NULL (v4 little-endian, v6), IPV4, SLL2 (twice), RAW. */
	{"tcpdump/tcp-handshake-nano.pcap", 1, DECODE_OK, "131.155.215.69", "137.116.81.94", 46656,
	 80, 797190859u, 0, 0x02, 27200, 40, 64, 0, 0, false, "mss=1360 sackok ts=1131021154/0 ws=7"},
	{"zeek/tls-pop3-starttls.pcap", 1, DECODE_OK, "192.168.4.149", "192.168.4.149", 54775, 110,
	 3477461263u, 0, 0x02, 65535, 44, 64, 0, 0, false, "mss=16344 ws=4 sackok ts=1038658542/0"},
	{"zeek/http-connect-with-header.pcap", 1, DECODE_OK, "::1", "::1", 52522, 80, 1321751229u, 0,
	 0x02, 65535, 44, 64, 0, 0, false, "mss=16324 ws=5 sackok ts=1236829829/0"},
	{"zeek/tcp-syslog.pcap", 1, DECODE_OK, "192.168.1.1", "192.168.1.2", 12345, 514, 1000, 0, 0x02,
	 8192, 20, 64, 0, 0, false, ""},
	{"zeek-linktypes/openjdk-25.0.2-zeek.org.pcap", 1, DECODE_OK, "192.168.64.6", "192.0.78.150",
	 55058, 443, 974184494u, 0, 0x02, 64240, 40, 64, 0, 0, false,
	 "mss=1460 sackok ts=2621143545/0 ws=7"},
	{"suricata-verify/decode-sll2-01/input.pcap", 1, DECODE_OK, "192.168.1.253", "192.168.1.21",
	 56478, 80, 2332771219u, 0, 0x02, 64240, 40, 64, 0, 0, false,
	 "mss=1460 sackok ts=3317596243/0 ws=7"},
	{"suricata-verify/linktype-228/flow-test-01.pcap", 1, DECODE_OK, "192.168.0.2", "192.168.0.1",
	 15057, 443, 10, 0, 0x02, 8192, 20, 64, 0, 0, false, ""},
	{"tcpdump/mptcp-tcprst.pcap", 1, DECODE_OK, "192.0.2.1", "192.168.76.28", 55739, 8080, 1,
	 2176696966u, 0x14, 256, 24, 255, 0, 0, false, ""},
	/* VLAN, QinQ + PPPoE, MPLS (in VLAN, two labels). */
	{"zeek/krb-optional-service-name.pcap", 1, DECODE_OK, "192.168.229.251", "192.168.202.110", 88,
	 43792, 2473617131u, 1454030911u, 0x12, 64240, 44, 127, 0, 0, false,
	 "mss=1380 sackok ts=0/0 ws=0"},
	{"zeek/pppoe-over-qinq.pcap", 1, DECODE_OK, "1.1.1.1", "2.2.2.2", 20394, 443, 3618128213u, 0,
	 0x02, 65535, 44, 63, 0, 0, false, "mss=1440 ws=6 sackok ts=19781772/0"},
	{"zeek/mixed-vlan-mpls.pcap", 1, DECODE_OK, "10.1.2.1", "10.34.0.1", 11001, 23, 2553417723u, 0,
	 0x02, 4128, 24, 255, 0, 0, false, "mss=536"},
	{"zeek/mpls-in-vlan.pcap", 2, DECODE_OK, "65.65.65.65", "65.65.65.65", 80, 32828, 408724638u,
	 2687550607u, 0x10, 54, 32, 48, 1448, 1448, false, "ts=797945019/521170468"},
	{"zeek/mpls-in-vlan.pcap", 3, DECODE_OK, "65.65.65.65", "65.65.65.65", 61193, 80, 2629953142u,
	 1594306258u, 0x18, 25480, 32, 61, 658, 658, false, "ts=10772702/1220236824"},
	/* GSO and BIG TCP (IP length 0: from the wire). */
	{"tcpdump/gso-ipv4.pcap", 1, DECODE_OK, "10.25.132.11", "10.25.132.13", 38407, 39701,
	 964901299u, 2308918948u, 0x18, 166, 32, 61, 7240, 7240, false, "ts=3244203756/4012416721"},
	{"tcpdump/gso-ipv6.pcap", 1, DECODE_OK, "2604:1380:4091:ce00::b", "2604:1380:4091:ce00::d",
	 36539, 45393, 1110639583u, 3034762532u, 0x18, 169, 32, 61, 7140, 7140, false,
	 "ts=3655207884/3954243053"},
	{"tcpdump/bigtcp-ipv4.pcap", 1, DECODE_OK, "10.25.132.13", "10.25.132.11", 35871, 36425,
	 4155358606u, 17023525u, 0x18, 635, 32, 64, 80000, 80000, true, "ts=3921144597/3152931631"},
	{"tcpdump/bigtcp-ipv6.pcap", 1, DECODE_OK, "2604:1380:4091:ce00::b", "2604:1380:4091:ce00::d",
	 43267, 41219, 2265425561u, 3850636772u, 0x18, 426, 32, 61, 79968, 79968, true,
	 "ts=3564116459/3863151628"},
	/* Options: a SYN's, an empty SACK (impossible length 2), one SACK block. */
	{"suricata-verify/tcp-empty-sack/tcp-opt.pcap", 1, DECODE_OK, "192.168.0.54",
	 "17.173.66.179", 49506, 443, 3742376988u, 0, 0x02, 65535, 44, 63, 0, 0, false,
	 "mss=1460 ws=7 ts=849476499/0 sackok"},
	{"suricata-verify/tcp-empty-sack/tcp-opt.pcap", 24, DECODE_OK, "17.173.66.179",
	 "192.168.0.54", 443, 49506, 3947764226u, 3742379072u, 0x10, 65375, 24, 240, 0, 0, false,
	 "malformed"},
	{"suricata-verify/tcp-empty-sack/tcp-opt.pcap", 25, DECODE_OK, "17.173.66.179",
	 "192.168.0.54", 443, 49506, 3947764226u, 3742379072u, 0x10, 65375, 32, 240, 0, 0, false,
	 "sack=3742379680-3742380314"},
	/* An atomic IPv6 fragment header (RFC 6946), and a payload cut by the snaplen. */
	{"firewall/tcp-session-ipv6-decode-malformed/input.pcap", 4, DECODE_OK, "2001:db8::10",
	 "2001:db8:1::5", 43210, 80, 1001, 5001, 0x18, 8192, 20, 64, 18, 18, false, ""},
	{"tcpdump/tcp_rst_diag_payload-trunc.pcap", 1, DECODE_OK, "192.0.2.1", "192.168.0.1", 43018,
	 8080, 1, 3952016906u, 0x14, 0, 20, 255, 8, 6, false, ""},
	/* Frames tshark counts as TCP and we do not, on purpose: a TCP header cut (tcpdump's
	 * "[|tcp]"), options cut, a 40-byte header with 39 captured, IP version 3, first fragments
	 * (MF set, offset 0), and a link type we do not decode. */
	{.path = "tcpdump/tcp_header_heapoverflow.pcap", .frame = 1, .st = DECODE_TRUNCATED},
	{.path = "tcpdump/heapoverflow-tcp_print.pcap", .frame = 1, .st = DECODE_TRUNCATED},
	{.path = "tcpdump/mptcp-dss-oobr.pcap", .frame = 1, .st = DECODE_TRUNCATED},
	{.path = "tcpdump/beep-oobr.pcap", .frame = 1, .st = DECODE_MALFORMED},
	{.path = "tcpdump/beep-oobr.pcap", .frame = 2, .st = DECODE_TRUNCATED},
	{.path = "tcpdump/rpki-rtr-oobr.pcap", .frame = 1, .st = DECODE_FRAGMENT},
	{.path = "tcpdump/bgp-bgp_capabilities_print-oobr-1.pcap", .frame = 1, .st = DECODE_FRAGMENT},
	{.path = "tcpdump/arcnet-rfc1201-arp-icmp-http.pcap", .frame = 1, .st = DECODE_UNSUPPORTED},
	/* Impossible headers (IHL 4, total length 19, the wrong version for the link type, version
	 * 0), a header cut by a snaplen of 33, and frames that are valid but not TCP. */
	{.path = "tcpdump/ipv4_invalid_hdr_length.pcap", .frame = 1, .st = DECODE_MALFORMED},
	{.path = "tcpdump/ipv4_invalid_total_length_2.pcap", .frame = 1, .st = DECODE_MALFORMED},
	{.path = "tcpdump/LINKTYPE_IPV4_invalid.pcap", .frame = 1, .st = DECODE_MALFORMED},
	{.path = "tcpdump/LINKTYPE_IPV6_invalid.pcap", .frame = 1, .st = DECODE_MALFORMED},
	{.path = "tcpdump/ipv6-bad-version.pcap", .frame = 2, .st = DECODE_MALFORMED},
	{.path = "tcpdump/ipv4_invalid_length.pcap", .frame = 1, .st = DECODE_TRUNCATED},
	{.path = "tcpdump/LINKTYPE_RAW_ipv6.pcap", .frame = 1, .st = DECODE_NOT_TCP},
	{.path = "tcpdump/802.1ad_QinQ.pcap", .frame = 1, .st = DECODE_NOT_TCP},
};

struct corpus_stats {
	unsigned files, unopenable, frames, by_status[DECODE_STATUS_MAX];
	bool dump;             /* PCAPSTATE_DECODE_DUMP set: print per-file counts */
	unsigned counts_checked, fields_checked;
};

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* Writes the options as space-separated tokens: "mss=1460 ws=7 sackok ts=1/2 sack=3-4 malformed". */
static void opts_str(const struct tcp_opts *o, char *out, size_t n)
{
	size_t k = 0;
	out[0] = '\0';
#define ADD(...) (k += (size_t)snprintf(out + k, k < n ? n - k : 0, __VA_ARGS__), k = k < n ? k : n)
	if (o->has_mss)
		ADD("mss=%u ", o->mss);
	if (o->has_wscale)
		ADD("ws=%u ", o->wscale);
	if (o->sack_permitted)
		ADD("sackok ");
	if (o->has_ts)
		ADD("ts=%u/%u ", (unsigned)o->tsval, (unsigned)o->tsecr);
	for (unsigned i = 0; i < o->nsack && i < TCPOPT_MAX_SACK; i++)
		ADD("sack=%u-%u ", (unsigned)o->sack[i][0], (unsigned)o->sack[i][1]);
	if (o->malformed)
		ADD("malformed ");
#undef ADD
	if (k > 0 && out[k - 1] == ' ')
		out[k - 1] = '\0';
}

/* True when the two space-separated token lists hold the same tokens (order ignored). */
static bool same_tokens(const char *a, const char *b)
{
	char ta[256], tb[256];
	snprintf(ta, sizeof ta, " %s ", a);
	snprintf(tb, sizeof tb, " %s ", b);
	if (strlen(ta) != strlen(tb))
		return false;
	for (const char *t = ta + 1; *t; ) {
		const char *e = strchr(t, ' ');
		char tok[64];
		snprintf(tok, sizeof tok, " %.*s ", (int)(e - t), t);
		if (e > t && !strstr(tb, tok))
			return false;
		t = e + 1;
	}
	return true;
}

static void check_fields(const struct expect_seg *e, const struct segment *s, enum decode_status st)
{
	int before = unit_failed;
	CHECK_STR(decode_status_name(st), decode_status_name(e->st));
	if (st == DECODE_OK && e->st == DECODE_OK) {
		uint8_t a[16] = {0}, b[16] = {0};
		int af = strchr(e->src, ':') ? AF_INET6 : AF_INET;
		CHECK(inet_pton(af, e->src, a) == 1 && inet_pton(af, e->dst, b) == 1);
		CHECK_INT(s->af, af == AF_INET6 ? 6 : 4);
		CHECK(memcmp(s->src, a, 16) == 0 && memcmp(s->dst, b, 16) == 0);
		CHECK_INT(s->sport, e->sport);
		CHECK_INT(s->dport, e->dport);
		CHECK_INT(s->seq, e->seq);
		CHECK_INT(s->ack, e->ack);
		CHECK_INT(s->flags, e->flags);
		CHECK_INT(s->win, e->win);
		CHECK_INT(s->doff, e->doff);
		CHECK_INT(s->ttl, e->ttl);
		CHECK_INT(s->payload_len, e->payload_len);
		CHECK_INT(s->payload_caplen, e->payload_caplen);
		CHECK_INT(s->ip_len_from_cap, e->from_cap);
		char got[256];
		opts_str(&s->opts, got, sizeof got);
		if (!same_tokens(got, e->opts))
			fprintf(stderr, "options \"%s\", want \"%s\"\n", got, e->opts);
		CHECK(same_tokens(got, e->opts));
	}
	if (unit_failed != before)
		fprintf(stderr, "  (in %s frame %u)\n", e->path, e->frame);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0 && (a == b || s[a - b - 1] == '/');
}

/* Decodes every frame of one capture; checks invariants, prefixes, and known expectations. */
static void corpus_file(const char *path, struct corpus_stats *cs)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, err);
	if (!p) {
		cs->unopenable++; /* the corpus has files libpcap must reject; the reader tests those */
		return;
	}
	cs->files++;
	int dlt = pcap_datalink(p);
	const char *name = base_name(path);
	unsigned n_ok = 0, frame = 0, st_count[DECODE_STATUS_MAX] = {0};
	struct pcap_pkthdr *h;
	const u_char *data;
	while (pcap_next_ex(p, &h, &data) == 1) {
		frame++;
		uint8_t *pkt = exact_copy(data, h->caplen);
		struct segment s;
		enum decode_status st = decode_frame(dlt, pkt, h->caplen, h->len, &s);
		CHECK((unsigned)st < DECODE_STATUS_MAX);
		if ((unsigned)st < DECODE_STATUS_MAX)
			st_count[st]++;
		CHECK_INT(s.caplen, h->caplen);
		if (st == DECODE_OK) {
			n_ok++;
			bool sane = (s.af == 4 || s.af == 6) && s.doff >= 20 && s.doff <= 60 &&
				    s.payload >= pkt && s.payload <= pkt + h->caplen &&
				    s.payload_caplen <= s.payload_len &&
				    s.payload_caplen <= (uint32_t)(pkt + h->caplen - s.payload) &&
				    s.opts.nsack <= TCPOPT_MAX_SACK;
			if (!sane)
				fprintf(stderr, "%s frame %u: insane segment\n", path, frame);
			CHECK(sane);
			if (sane) {
				uint32_t wire = h->len > h->caplen ? h->len : h->caplen;
				check_prefixes(dlt, pkt, h->caplen, wire, &s, name);
			}
		}
		for (size_t i = 0; i < sizeof expect_segs / sizeof expect_segs[0]; i++) {
			if (expect_segs[i].frame == frame && ends_with(path, expect_segs[i].path)) {
				check_fields(&expect_segs[i], &s, st);
				cs->fields_checked++;
			}
		}
		free(pkt);
	}
	cs->frames += frame;
	for (int i = 0; i < DECODE_STATUS_MAX; i++)
		cs->by_status[i] += st_count[i];
	if (cs->dump)
		printf("COUNT\t%s\t%d\t%u\t%u\t%u\t%u\t%u\t%u\t%u\n", path, dlt, frame, n_ok,
		       st_count[DECODE_NOT_TCP], st_count[DECODE_TRUNCATED], st_count[DECODE_MALFORMED],
		       st_count[DECODE_FRAGMENT], st_count[DECODE_UNSUPPORTED]);
	if (strstr(path, "/tcpdump/")) {
		for (size_t i = 0; i < sizeof expect_ok_counts / sizeof expect_ok_counts[0]; i++) {
			if (strcmp(expect_ok_counts[i].file, name) == 0) {
				if (n_ok != expect_ok_counts[i].ok)
					fprintf(stderr, "%s: %u OK segments, tshark says %u\n", name, n_ok,
						expect_ok_counts[i].ok);
				CHECK_INT(n_ok, expect_ok_counts[i].ok);
				cs->counts_checked++;
			}
		}
	}
	pcap_close(p);
}

static bool is_capture(const char *name)
{
	size_t n = strlen(name);
	return (n > 5 && strcmp(name + n - 5, ".pcap") == 0) ||
	       (n > 7 && strcmp(name + n - 7, ".pcapng") == 0);
}

/* Walks dir recursively (sorted, so output is stable) and decodes every capture in it. */
static void corpus_walk(const char *dir, struct corpus_stats *cs, int depth)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0)
		return;
	for (int i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		char path[4096];
		struct stat st;
		snprintf(path, sizeof path, "%s/%s", dir, nm);
		if (nm[0] != '.' && stat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode) && depth < 8)
				corpus_walk(path, cs, depth + 1);
			else if (S_ISREG(st.st_mode) && is_capture(nm))
				corpus_file(path, cs);
		}
		free(ents[i]);
	}
	free(ents);
}

/* PCAPSTATE_CORPUS, else ../shared/corpus from the source tree ($srcdir, else the current
 * directory), trying each parent in turn because $srcdir may be the tree or tests/unit in it. */
static bool find_corpus(char *out, size_t outsz)
{
	struct stat st;
	const char *env = getenv("PCAPSTATE_CORPUS");
	if (env && *env) {
		snprintf(out, outsz, "%s", env);
		return stat(out, &st) == 0 && S_ISDIR(st.st_mode);
	}
	const char *root = getenv("srcdir");
	if (!root || !*root)
		root = ".";
	char up[256] = "";
	for (int level = 0; level < 4; level++) {
		snprintf(out, outsz, "%s/%s../shared/corpus/tcpdump", root, up);
		if (stat(out, &st) == 0 && S_ISDIR(st.st_mode)) {
			out[strlen(out) - strlen("/tcpdump")] = '\0';
			return true;
		}
		strcat(up, "../");
	}
	return false;
}

static void test_corpus(void)
{
	char dir[4096];
	if (!find_corpus(dir, sizeof dir)) {
		printf("test_decode: corpus not found, real-capture checks skipped\n");
		return;
	}
	struct corpus_stats cs = {.dump = getenv("PCAPSTATE_DECODE_DUMP") != NULL};
	corpus_walk(dir, &cs, 0);
	printf("test_decode: corpus %s: %u files (%u unopenable), %u frames:", dir, cs.files,
	       cs.unopenable, cs.frames);
	for (int i = 0; i < DECODE_STATUS_MAX; i++)
		printf(" %s=%u", decode_status_name((enum decode_status)i), cs.by_status[i]);
	printf("\ntest_decode: %u per-file counts and %u frames' fields checked\n",
	       cs.counts_checked, cs.fields_checked);
	CHECK(cs.files > 0);
	/* In the whole corpus every expectation must have met its file, or the corpus moved under
	 * us; PCAPSTATE_CORPUS may also name a part of it, or another collection, to just decode. */
	char index[4200];
	struct stat st;
	snprintf(index, sizeof index, "%s/tcpdump/INDEX.tsv", dir);
	if (stat(index, &st) == 0) {
		CHECK_INT(cs.counts_checked, sizeof expect_ok_counts / sizeof expect_ok_counts[0]);
		CHECK_INT(cs.fields_checked, sizeof expect_segs / sizeof expect_segs[0]);
	}
}

int main(void)
{
	test_cursor();
	test_link_types();
	test_vlan();
	test_ipv4();
	test_ipv6();
	test_tcp_options();
	test_truncation();
	test_names();
	test_corpus();
	return unit_done("test_decode");
}
