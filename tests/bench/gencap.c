/* gencap.c - writes a deterministic synthetic pcap of many concurrent TCP connections to benchmark pcapstate. */
/*
 * usage: gencap [-l LIVE] [-a RATE] [-s SNAPLEN] [-q] OUT.pcap SIZE_MB [SEED]
 *
 * The capture is Ethernet (about 15% of connections 802.1Q-tagged, 1% QinQ), IPv4 with about 10%
 * IPv6, seen from one tap: each connection's packets are produced in order by a small per-kind
 * script and all connections are interleaved by time through a min-heap. Kinds (by share of new
 * connections): short API request/response, web pages, bulk transfers, long-lived interactive
 * sessions (LIVE of them open at the start, 30% already running before the capture began),
 * refused connections, unanswered SYNs, SYN scans, aborts by RST, half-open connections (peer
 * vanished, or peer rebooted and answers with a bare RST), mid-stream pick-ups, and SYN-flood
 * episodes. Data is sent in MSS segments with delayed ACKs, and about a fifth of connections
 * lose segments (dup ACKs with SACK, then a retransmission). Some UDP and ARP frames are mixed
 * in. Connections still open when SIZE_MB is reached are left open. The same arguments give the
 * same file byte for byte. A summary goes to stderr.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NS 1000000000ULL
#define MS 1000000ULL
#define US 1000ULL
#define START_TS (1700000000ULL * NS)
#define MAXFRAME 1600

/* ------------------------------------------------------------------ random numbers */

static uint64_t rng_state;

/* splitmix64: small, fast, good enough for traffic shapes, identical on every host. */
static uint64_t rnd64(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static uint32_t rnd(uint32_t n)
{
	return (uint32_t)(((rnd64() >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]. */
static uint32_t rnd_range(uint32_t lo, uint32_t hi)
{
	return lo + rnd(hi - lo + 1);
}

static double rnd_unit(void)
{
	return (double)(rnd64() >> 11) * (1.0 / 9007199254740992.0);
}

static bool chance(double p)
{
	return rnd_unit() < p;
}

/* Exponentially distributed, mean in ns. */
static uint64_t rnd_exp(double mean)
{
	return (uint64_t)(-mean * log(1.0 - rnd_unit()));
}

/* Log-uniform in [lo, hi]: many small values, a long tail (message sizes, RTTs). */
static uint32_t rnd_logu(double lo, double hi)
{
	return (uint32_t)exp(log(lo) + rnd_unit() * (log(hi) - log(lo)));
}

/* ------------------------------------------------------------------ output */

static FILE *out;
static uint64_t out_bytes, out_pkts, out_tcp_pkts;
static uint32_t snaplen = 65535;

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }
static void le32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }

static void write_file_header(void)
{
	uint8_t h[24];
	le32(h, 0xa1b2c3d4);        /* microsecond pcap, as tcpdump writes by default */
	le16(h + 4, 2);
	le16(h + 6, 4);
	le32(h + 8, 0);
	le32(h + 12, 0);
	le32(h + 16, snaplen);
	le32(h + 20, 1);            /* DLT_EN10MB */
	fwrite(h, 1, sizeof h, out);
	out_bytes += sizeof h;
}

static void write_frame(uint64_t ts, const uint8_t *frame, uint32_t len)
{
	uint8_t h[16];
	uint32_t cap = len < snaplen ? len : snaplen;
	le32(h, (uint32_t)(ts / NS));
	le32(h + 4, (uint32_t)(ts % NS / US));
	le32(h + 8, cap);
	le32(h + 12, len);
	fwrite(h, 1, sizeof h, out);
	fwrite(frame, 1, cap, out);
	out_bytes += sizeof h + cap;
	out_pkts++;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (; n > 1; n -= 2, p += 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (n)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Payload bytes: slices of one pseudo-random block (content does not matter, volume does). */
static uint8_t pattern[65536 + MAXFRAME];

/* ------------------------------------------------------------------ connections */

enum kind {
	K_API, K_WEB, K_BULK, K_INTER, K_REFUSED, K_NOANSWER, K_SCAN, K_ABORT, K_HALFOPEN,
	K_MIDSTREAM, K_FLOOD, K_MAX
};

static const char *const kind_name[K_MAX] = {
	"api", "web", "bulk", "interactive", "refused", "no-answer", "syn-scan", "abort-rst",
	"half-open", "midstream", "syn-flood",
};

/* Share of new connections per kind, in 1/100000 (floods come in episodes, not from here). */
static const uint32_t kind_share[K_MAX] = {
	[K_API] = 70495, [K_WEB] = 1500, [K_BULK] = 5, [K_INTER] = 500, [K_REFUSED] = 8000,
	[K_NOANSWER] = 4000, [K_SCAN] = 4000, [K_ABORT] = 5000, [K_HALFOPEN] = 2500,
	[K_MIDSTREAM] = 4000,
};

enum phase {
	PH_SYN, PH_SYNACK, PH_ACK3, PH_REFUSE, PH_SCANRST, PH_SEND, PH_ACK, PH_RETX, PH_KA, PH_KAACK,
	PH_FIN1, PH_FIN1ACK, PH_FIN2, PH_LASTACK, PH_RST, PH_SILENT_RETX, PH_BARE_RST, PH_DONE
};

struct conn {
	uint64_t t;              /* time of the next packet */
	uint64_t id;             /* creation order: heap tie-break, so output is deterministic */
	uint32_t hidx;
	uint8_t kind, phase, af, ntags, d, closer, sack, tsopt, ws, dup, unacked, retries;
	bool lossy, lost, three_way, ka, last_exchange_half_open;
	uint16_t tag[2], mss, win, port[2];
	uint8_t addr[2][16];     /* [0] client, [1] server */
	uint8_t mac[2][6];
	uint16_t ipid[2];
	uint32_t isn[2], nxt[2]; /* next sequence number each side sends */
	uint32_t tsval[2];
	uint32_t remaining, msgs_left, lost_seq, lost_len, rtt, gap;
	uint64_t end_t;          /* interactive: when the session ends */
};

static struct conn **heap;
static size_t heap_n, heap_cap;
static uint64_t next_id;
static uint64_t made[K_MAX], kind_bytes[K_MAX];
static size_t peak_live;

static bool before(const struct conn *a, const struct conn *b)
{
	return a->t != b->t ? a->t < b->t : a->id < b->id;
}

static void heap_set(size_t i, struct conn *c)
{
	heap[i] = c;
	c->hidx = (uint32_t)i;
}

static void heap_up(size_t i)
{
	struct conn *c = heap[i];
	while (i > 0 && before(c, heap[(i - 1) / 2])) {
		heap_set(i, heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(i, c);
}

static void heap_down(size_t i)
{
	struct conn *c = heap[i];
	for (;;) {
		size_t l = 2 * i + 1, m = l;
		if (l >= heap_n)
			break;
		if (l + 1 < heap_n && before(heap[l + 1], heap[l]))
			m = l + 1;
		if (!before(heap[m], c))
			break;
		heap_set(i, heap[m]);
		i = m;
	}
	heap_set(i, c);
}

static void heap_push(struct conn *c)
{
	if (heap_n == heap_cap) {
		heap_cap = heap_cap ? heap_cap * 2 : 4096;
		heap = realloc(heap, heap_cap * sizeof *heap);
		if (heap == NULL) {
			perror("gencap");
			exit(1);
		}
	}
	heap_set(heap_n++, c);
	heap_up(heap_n - 1);
	if (heap_n > peak_live)
		peak_live = heap_n;
}

static void heap_pop(void)
{
	heap_n--;
	if (heap_n > 0) {
		heap_set(0, heap[heap_n]);
		heap_down(0);
	}
}

/* ------------------------------------------------------------------ addresses */

#define NCLIENTS 20000
#define NSERVERS 400
static const uint16_t service_ports[] = { 443, 443, 443, 443, 80, 80, 8080, 22, 25, 3306, 5432, 8443 };
static uint16_t client_next_port[NCLIENTS];

/* Clients 198.18.0.0/15 (the benchmarking range), servers 192.0.2.0/24 and 203.0.113.0/24;
 * IPv6 in 2001:db8::/32. */
static void make_addr(uint8_t *a, int af, bool server, uint32_t n)
{
	memset(a, 0, 16);
	if (af == 4) {
		if (server) {
			a[0] = n & 1 ? 203 : 192; a[1] = 0; a[2] = n & 1 ? 113 : 2;
			a[3] = (uint8_t)(1 + (n >> 1) % 254);
		} else {
			a[0] = 198; a[1] = (uint8_t)(18 + (n >> 16 & 1)); a[2] = (uint8_t)(n >> 8); a[3] = (uint8_t)n;
		}
	} else {
		a[0] = 0x20; a[1] = 0x01; a[2] = 0x0d; a[3] = 0xb8;
		a[4] = server ? 0x53 : 0xc1;
		put32(a + 12, n + 1);
	}
}

static void make_mac(uint8_t *m, bool server, uint32_t n)
{
	m[0] = 0x02; m[1] = server ? 0x5e : 0xc1;
	put32(m + 2, n);
}

/* ------------------------------------------------------------------ packets */

/* Builds and writes one TCP segment of C from side DIR. */
static void emit(struct conn *c, int dir, uint8_t flags, uint32_t seq, uint32_t ack,
    uint32_t len, bool syn_opts, const uint32_t *sack)
{
	uint8_t f[MAXFRAME + 64];
	size_t o = 0;

	memcpy(f, c->mac[!dir], 6);
	memcpy(f + 6, c->mac[dir], 6);
	o = 12;
	for (int i = 0; i < c->ntags; i++) {
		put16(f + o, i + 1 < c->ntags ? 0x88a8 : 0x8100);
		put16(f + o + 2, c->tag[i]);
		o += 4;
	}
	put16(f + o, c->af == 4 ? 0x0800 : 0x86dd);
	o += 2;

	uint8_t opt[40];
	size_t ol = 0;
	if (syn_opts) {
		opt[ol++] = 2; opt[ol++] = 4; put16(opt + ol, c->mss); ol += 2;
		if (c->sack) { opt[ol++] = 4; opt[ol++] = 2; }
		else { opt[ol++] = 1; opt[ol++] = 1; }
		if (c->tsopt) {
			opt[ol++] = 8; opt[ol++] = 10; put32(opt + ol, c->tsval[dir]); put32(opt + ol + 4, 0);
			ol += 8;
		} else {
			opt[ol++] = 1; opt[ol++] = 1;
		}
		opt[ol++] = 1;
		if (c->ws) { opt[ol++] = 3; opt[ol++] = 3; opt[ol++] = c->ws; }
		else { opt[ol++] = 1; opt[ol++] = 1; opt[ol++] = 1; }
	} else if (c->tsopt) {
		opt[ol++] = 1; opt[ol++] = 1; opt[ol++] = 8; opt[ol++] = 10;
		put32(opt + ol, c->tsval[dir]); put32(opt + ol + 4, c->tsval[!dir]);
		ol += 8;
	}
	if (sack != NULL && c->sack) {
		opt[ol++] = 1; opt[ol++] = 1; opt[ol++] = 5; opt[ol++] = 10;
		put32(opt + ol, sack[0]); put32(opt + ol + 4, sack[1]);
		ol += 8;
	}
	size_t tcpl = 20 + ol;
	size_t ipo = o, iphl = c->af == 4 ? 20 : 40;
	size_t to = ipo + iphl;
	if (to + tcpl + len > sizeof f)
		len = (uint32_t)(sizeof f - to - tcpl);
	uint8_t *ip = f + ipo;
	uint32_t sum = 0;
	if (c->af == 4) {
		ip[0] = 0x45; ip[1] = 0;
		put16(ip + 2, (uint16_t)(20 + tcpl + len));
		put16(ip + 4, c->ipid[dir]++);
		put16(ip + 6, 0x4000);
		ip[8] = dir ? 52 : 64; ip[9] = 6;
		put16(ip + 10, 0);
		memcpy(ip + 12, c->addr[dir], 4);
		memcpy(ip + 16, c->addr[!dir], 4);
		put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
		sum = csum_add(0, ip + 12, 8);
	} else {
		put32(ip, 0x60000000u | (uint32_t)(c->id & 0xfffff));
		put16(ip + 4, (uint16_t)(tcpl + len));
		ip[6] = 6; ip[7] = dir ? 52 : 64;
		memcpy(ip + 8, c->addr[dir], 16);
		memcpy(ip + 24, c->addr[!dir], 16);
		sum = csum_add(0, ip + 8, 32);
	}
	sum += 6 + (uint32_t)(tcpl + len);
	uint8_t *th = f + to;
	put16(th, c->port[dir]);
	put16(th + 2, c->port[!dir]);
	put32(th + 4, seq);
	put32(th + 8, (flags & 0x10) ? ack : 0);
	th[12] = (uint8_t)((tcpl / 4) << 4);
	th[13] = flags;
	put16(th + 14, (flags & 0x02) ? 65535 : c->win);
	put16(th + 16, 0);
	put16(th + 18, 0);
	memcpy(th + 20, opt, ol);
	memcpy(th + tcpl, pattern + (seq & 0xffff), len);
	put16(th + 16, csum_fold(csum_add(sum, th, tcpl + len)));
	write_frame(c->t, f, (uint32_t)(to + tcpl + len));
	kind_bytes[c->kind] += 16 + to + tcpl + len;
	out_tcp_pkts++;
	c->tsval[dir] += 1 + (uint32_t)(c->rtt / (4 * MS));
}

/* A UDP (DNS-like) or ARP frame: traffic the analyzer must skip. */
static void emit_noise(uint64_t t)
{
	uint8_t f[128];
	memset(f, 0, sizeof f);
	make_mac(f, true, rnd(NSERVERS));
	make_mac(f + 6, false, rnd(NCLIENTS));
	if (chance(0.2)) {
		memset(f, 0xff, 6);
		put16(f + 12, 0x0806);
		put16(f + 14, 1); put16(f + 16, 0x0800); f[18] = 6; f[19] = 4; put16(f + 20, 1);
		memcpy(f + 22, f + 6, 6);
		make_addr(f + 28, 4, false, rnd(NCLIENTS));
		make_addr(f + 38, 4, true, rnd(NSERVERS));
		write_frame(t, f, 60);
		return;
	}
	uint32_t plen = rnd_range(30, 90);
	put16(f + 12, 0x0800);
	uint8_t *ip = f + 14;
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(28 + plen));
	ip[8] = 64; ip[9] = 17;
	make_addr(ip + 12, 4, false, rnd(NCLIENTS));
	make_addr(ip + 16, 4, true, rnd(NSERVERS));
	put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
	put16(ip + 20, (uint16_t)rnd_range(32768, 60999));
	put16(ip + 22, 53);
	put16(ip + 24, (uint16_t)(8 + plen));
	memcpy(ip + 28, pattern + rnd(60000), plen);
	write_frame(t, f, 14 + 28 + plen);
}

/* ------------------------------------------------------------------ connection scripts */

static uint32_t request_size(const struct conn *c)
{
	switch (c->kind) {
	case K_INTER: return rnd_range(1, 120);
	case K_BULK: return rnd_range(200, 600);
	default: return rnd_logu(60, 700);
	}
}

static uint32_t response_size(const struct conn *c)
{
	switch (c->kind) {
	case K_INTER: return chance(0.3) ? rnd_logu(50, 4000) : rnd_range(1, 120);
	case K_WEB: return rnd_logu(1000, 60000);
	case K_BULK: return rnd_logu(1000000, 20000000);
	default: return rnd_logu(40, 1800);
	}
}

/* The gap between two data segments of one sender: its pacing, with jitter. */
static uint64_t seg_gap(const struct conn *c)
{
	return c->gap / 2 + rnd(c->gap + 1);
}

static void start_message(struct conn *c, int dir)
{
	c->d = (uint8_t)dir;
	c->remaining = dir == 0 ? request_size(c) : response_size(c);
	c->unacked = 0;
	c->phase = PH_SEND;
}

/* After an exchange: another request, a keepalive, or the end the kind calls for. */
static void next_exchange(struct conn *c)
{
	if (c->kind == K_INTER) {
		if (c->t >= c->end_t) {
			c->phase = PH_FIN1;
			c->closer = (uint8_t)chance(0.3);
			c->t += rnd_exp(500 * MS);
			return;
		}
		uint64_t think = rnd_exp(20.0 * NS);
		c->t += think;
		if (c->ka && think > 10 * NS) {
			c->phase = PH_KA;
			return;
		}
		start_message(c, 0);
		return;
	}
	if (c->msgs_left > 0) {
		c->msgs_left--;
		c->t += c->kind == K_WEB ? rnd_exp(300 * MS) : rnd_exp(20 * MS);
		start_message(c, 0);
		return;
	}
	c->t += rnd_exp(30 * MS);
	switch (c->kind) {
	case K_ABORT:
		c->phase = PH_RST;
		c->d = (uint8_t)chance(0.5);
		return;
	case K_HALFOPEN:
		if (c->last_exchange_half_open) {
			/* the server rebooted: its data is answered by a bare RST from the client */
			c->d = 1;
			c->remaining = rnd_range(20, 400);
			c->phase = PH_SEND;
			c->retries = 1;
		} else {
			/* the server vanished: the client's request is retransmitted into silence */
			c->d = 0;
			c->remaining = rnd_range(20, 400);
			c->phase = PH_SEND;
			c->retries = 1;
		}
		return;
	default:
		c->phase = PH_FIN1;
		c->closer = (uint8_t)chance(0.25);
		return;
	}
}

static void new_conn(uint64_t t, int kind);

/* Emits the connection's next packet and schedules the one after. Returns false when done. */
static bool step(struct conn *c)
{
	int d = c->d, r = !d;
	uint32_t half = c->rtt / 2;

	switch (c->phase) {
	case PH_SYN:
		emit(c, 0, 0x02, c->isn[0], 0, 0, true, NULL);
		c->nxt[0] = c->isn[0] + 1;
		if (c->kind == K_NOANSWER) {
			if (++c->retries > 3)
				return false;
			c->t += (uint64_t)NS << (c->retries - 1);
			return true;
		}
		c->t += half + rnd(half / 4 + 1);
		c->phase = c->kind == K_REFUSED ? PH_REFUSE : PH_SYNACK;
		return true;
	case PH_REFUSE:
		emit(c, 1, 0x14, 0, c->isn[0] + 1, 0, false, NULL);
		return false;
	case PH_SYNACK:
		emit(c, 1, 0x12, c->isn[1], c->isn[0] + 1, 0, true, NULL);
		c->nxt[1] = c->isn[1] + 1;
		if (c->kind == K_FLOOD) {
			if (++c->retries > 2)
				return false;
			c->t += (uint64_t)NS << (c->retries - 1);
			return true;
		}
		c->t += half + rnd(half / 4 + 1);
		c->phase = c->kind == K_SCAN ? PH_SCANRST : PH_ACK3;
		return true;
	case PH_SCANRST:
		emit(c, 0, 0x04, c->nxt[0], 0, 0, false, NULL);
		return false;
	case PH_ACK3:
		emit(c, 0, 0x10, c->nxt[0], c->nxt[1], 0, false, NULL);
		c->t += rnd(200 * US);
		if (c->kind == K_INTER)
			next_exchange(c);
		else
			start_message(c, 0);
		return true;
	case PH_SEND: {
		uint32_t len = c->remaining < c->mss ? c->remaining : c->mss;
		uint8_t fl = 0x10 | (len == c->remaining ? 0x08 : 0);
		emit(c, d, fl, c->nxt[d], c->nxt[r], len, false, NULL);
		if (c->lossy && !c->lost && chance(0.02)) {
			c->lost = true;     /* lost past the tap: the receiver never gets it */
			c->lost_seq = c->nxt[d];
			c->lost_len = len;
			c->dup = 0;
		}
		c->nxt[d] += len;
		c->remaining -= len;
		c->unacked++;
		if (c->kind == K_HALFOPEN && c->retries > 0 && c->remaining == 0) {
			c->phase = d == 0 ? PH_SILENT_RETX : PH_BARE_RST;
			c->lost_seq = c->nxt[d] - len;
			c->lost_len = len;
			c->retries = 0;
			c->t += d == 0 ? 200 * MS + c->rtt : half;
			return true;
		}
		if (c->remaining == 0 && d == 0 && c->unacked == 1 && !c->lost && c->kind != K_HALFOPEN &&
		    chance(0.7)) {
			/* a quick answer carries the ACK: no delayed ACK of its own */
			c->t += c->rtt + rnd_exp(5 * MS);
			start_message(c, 1);
			return true;
		}
		if (c->unacked >= 2 || c->remaining == 0 || (c->lost && c->dup < 3)) {
			c->phase = PH_ACK;
			c->t += c->remaining == 0 && c->d == 1 ? half : rnd(50 * US) + 1;
		} else {
			c->t += seg_gap(c);
		}
		return true;
	}
	case PH_ACK:
		if (c->lost) {
			uint32_t sk[2] = { c->lost_seq + c->lost_len, c->nxt[d] };
			emit(c, r, 0x10, c->nxt[r], c->lost_seq, 0, false,
			    sk[0] != sk[1] ? sk : NULL);
			c->unacked = 0;
			if (++c->dup >= 3 || c->remaining == 0) {
				c->phase = PH_RETX;
				c->t += half;
			} else {
				c->phase = PH_SEND;
				c->t += seg_gap(c);
			}
			return true;
		}
		emit(c, r, 0x10, c->nxt[r], c->nxt[d], 0, false, NULL);
		c->unacked = 0;
		if (c->remaining > 0) {
			c->phase = PH_SEND;
			c->t += seg_gap(c);
		} else if (d == 0) {
			c->t += half + rnd_exp(5 * MS);
			start_message(c, 1);
		} else {
			next_exchange(c);
		}
		return true;
	case PH_RETX:
		emit(c, d, 0x10, c->lost_seq, c->nxt[r], c->lost_len, false, NULL);
		c->lost = false;
		c->phase = PH_ACK;
		c->t += half;
		return true;
	case PH_KA:
		emit(c, 0, 0x10, c->nxt[0] - 1, c->nxt[1], 0, false, NULL);
		c->phase = PH_KAACK;
		c->t += half;
		return true;
	case PH_KAACK:
		emit(c, 1, 0x10, c->nxt[1], c->nxt[0], 0, false, NULL);
		c->t += rnd(MS);
		start_message(c, 0);
		return true;
	case PH_FIN1:
		d = c->closer;
		emit(c, d, 0x11, c->nxt[d], c->nxt[!d], 0, false, NULL);
		c->nxt[d]++;
		c->t += half;
		c->phase = c->three_way ? PH_FIN2 : PH_FIN1ACK;
		return true;
	case PH_FIN1ACK:
		d = !c->closer;
		emit(c, d, 0x10, c->nxt[d], c->nxt[!d], 0, false, NULL);
		c->t += rnd_exp(2 * MS);
		c->phase = PH_FIN2;
		return true;
	case PH_FIN2:
		d = !c->closer;
		emit(c, d, 0x11, c->nxt[d], c->nxt[!d], 0, false, NULL);
		c->nxt[d]++;
		c->t += half;
		c->phase = PH_LASTACK;
		return true;
	case PH_LASTACK:
		d = c->closer;
		emit(c, d, 0x10, c->nxt[d], c->nxt[!d], 0, false, NULL);
		return false;
	case PH_RST:
		emit(c, d, 0x14, c->nxt[d], c->nxt[r], 0, false, NULL);
		return false;
	case PH_SILENT_RETX:
		emit(c, 0, 0x18, c->lost_seq, c->nxt[1], c->lost_len, false, NULL);
		if (++c->retries >= 5) {
			if (chance(0.5))
				return false;                 /* gave up silently */
			c->phase = PH_RST;
			c->d = 0;
			c->t += 1 * NS;
			return true;
		}
		c->t += (200 * MS + c->rtt) << c->retries;
		return true;
	case PH_BARE_RST:
		/* RFC 9293 3.10.7.1: a segment for no connection gets RST with seq = its ACK. */
		emit(c, 0, 0x04, c->nxt[0], 0, 0, false, NULL);
		return false;
	case PH_DONE:
		return false;
	}
	return false;
}

static uint64_t flood_until, flood_next;
static uint8_t flood_server;
static uint16_t flood_port;

static void new_conn(uint64_t t, int kind)
{
	struct conn *c = calloc(1, sizeof *c);
	if (c == NULL) {
		perror("gencap");
		exit(1);
	}
	c->id = next_id++;
	c->t = t;
	c->kind = (uint8_t)kind;
	made[kind]++;
	c->af = chance(0.10) ? 6 : 4;
	c->ntags = chance(0.15) ? (chance(0.07) ? 2 : 1) : 0;
	c->tag[0] = (uint16_t)rnd_range(2, 30);
	c->tag[1] = (uint16_t)rnd_range(100, 140);
	uint32_t client = rnd(NCLIENTS), server = rnd(NSERVERS);
	if (kind == K_FLOOD) {
		server = flood_server;
		client = rnd64() & 0xffffff;     /* spoofed sources */
		c->af = 4;
		c->ntags = 0;
	}
	make_addr(c->addr[0], c->af, false, client);
	make_addr(c->addr[1], c->af, true, server);
	make_mac(c->mac[0], false, client % NCLIENTS);
	make_mac(c->mac[1], true, server);
	if (kind == K_FLOOD) {
		c->port[0] = (uint16_t)rnd_range(1024, 65535);
		c->port[1] = flood_port;
	} else {
		uint16_t *np = &client_next_port[client % NCLIENTS];
		if (*np < 32768)
			*np = (uint16_t)rnd_range(32768, 60999);
		c->port[0] = (*np)++;
		if (*np > 60999)
			*np = 32768;
		c->port[1] = kind == K_INTER ? 22 :
		    service_ports[rnd(sizeof service_ports / sizeof *service_ports)];
		if (kind == K_SCAN)
			c->port[1] = (uint16_t)rnd_range(1, 10000);
	}
	c->isn[0] = (uint32_t)rnd64();
	c->isn[1] = (uint32_t)rnd64();
	c->mss = c->af == 4 ? 1460 : 1440;
	c->tsopt = chance(0.8);
	c->sack = chance(0.9);
	c->ws = chance(0.85) ? (uint8_t)rnd_range(2, 9) : 0;
	c->win = c->ws ? (uint16_t)rnd_range(500, 4000) : 65535;
	if (c->tsopt)
		c->mss -= 12;                    /* the segment size the options leave */
	c->tsval[0] = (uint32_t)rnd64();
	c->tsval[1] = (uint32_t)rnd64();
	c->rtt = rnd_logu(300 * US, 250 * MS);
	c->gap = kind == K_BULK ? rnd_range(20 * US, 400 * US) : rnd_range(50 * US, 2 * MS);
	c->three_way = chance(0.35);
	c->ka = chance(0.3);
	c->lossy = kind != K_INTER && chance(0.2);
	c->msgs_left = kind == K_WEB ? rnd(4) : kind == K_API ? (chance(0.8) ? 0 : rnd(3)) :
	    kind == K_ABORT || kind == K_HALFOPEN ? rnd(2) : kind == K_MIDSTREAM ? rnd(4) : 0;
	c->last_exchange_half_open = kind == K_HALFOPEN && chance(0.4);
	c->end_t = t + rnd_exp(300.0 * NS);
	if (kind == K_MIDSTREAM || (kind == K_INTER && t == START_TS && chance(0.3))) {
		/* picked up mid-stream: the handshake happened before the capture started */
		c->nxt[0] = c->isn[0] + rnd(1000000);
		c->nxt[1] = c->isn[1] + rnd(1000000);
		if (kind == K_MIDSTREAM)
			start_message(c, (int)chance(0.5));
		else
			next_exchange(c);
		if (c->t > t) /* keep the first packet near the start */
			c->t = t + (c->t - t) % (20 * NS);
	} else {
		c->phase = PH_SYN;
	}
	heap_push(c);
}

static int pick_kind(void)
{
	uint32_t x = rnd(100000);
	for (int k = 0; k < K_MAX; k++) {
		if (x < kind_share[k])
			return k;
		x -= kind_share[k];
	}
	return K_API;
}

static void usage(void)
{
	fprintf(stderr,
	    "usage: gencap [-l LIVE] [-a RATE] [-s SNAPLEN] [-q] OUT.pcap SIZE_MB [SEED]\n"
	    "  -l LIVE     interactive sessions open at the start (default 20000)\n"
	    "  -a RATE     new connections per second of capture time (default 3000)\n"
	    "  -s SNAPLEN  cut frames to SNAPLEN bytes (default 65535: whole frames)\n"
	    "  -q          no summary on stderr\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long live = 20000;
	double rate = 3000;
	bool quiet = false;
	int opt;

	while ((opt = getopt(argc, argv, "l:a:s:q")) != -1) {
		switch (opt) {
		case 'l': live = strtoul(optarg, NULL, 10); break;
		case 'a': rate = strtod(optarg, NULL); break;
		case 's': snaplen = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'q': quiet = true; break;
		default: usage();
		}
	}
	if (argc - optind < 2 || argc - optind > 3 || rate <= 0 || snaplen < 64)
		usage();
	const char *path = argv[optind];
	double mb = strtod(argv[optind + 1], NULL);
	uint64_t seed = argc - optind == 3 ? strtoull(argv[optind + 2], NULL, 0) : 1;
	if (mb <= 0)
		usage();
	uint64_t target = (uint64_t)(mb * 1048576.0);

	rng_state = seed * 0x2545f4914f6cdd1dULL + 12345;
	for (size_t i = 0; i < sizeof pattern; i++)
		pattern[i] = (uint8_t)(rnd64() >> 56);

	out = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");
	if (out == NULL) {
		fprintf(stderr, "gencap: %s: %s\n", path, strerror(errno));
		return 1;
	}
	static char obuf[1 << 20];
	setvbuf(out, obuf, _IOFBF, sizeof obuf);
	write_file_header();

	uint64_t now = START_TS;
	for (unsigned long i = 0; i < live; i++)
		new_conn(START_TS, K_INTER);
	/* the interactive pool starts over the first seconds, not in one instant */
	for (size_t i = 0; i < heap_n; i++)
		if (heap[i]->phase == PH_SYN)
			heap[i]->t = START_TS + rnd_exp(5.0 * NS);
	for (size_t i = heap_n / 2 + 1; i-- > 0;)
		if (i < heap_n)
			heap_down(i);

	uint64_t next_arrival = START_TS + rnd_exp(NS / rate);
	uint64_t next_noise = START_TS + rnd_exp(NS / (rate / 4));
	flood_next = START_TS + 8 * NS + rnd_exp(4.0 * NS);
	uint64_t floods = 0;

	while (out_bytes < target) {
		uint64_t tc = heap_n ? heap[0]->t : UINT64_MAX;
		if (next_arrival <= tc && next_arrival <= next_noise && next_arrival <= flood_next) {
			now = next_arrival;
			new_conn(now, pick_kind());
			next_arrival = now + rnd_exp(NS / rate);
			continue;
		}
		if (next_noise <= tc && next_noise <= flood_next) {
			now = next_noise;
			emit_noise(now);
			next_noise = now + rnd_exp(NS / (rate / 4));
			continue;
		}
		if (flood_next <= tc) {
			now = flood_next;
			if (flood_until == 0 || now > flood_until) {
				/* a new episode: a few seconds of SYNs at one service */
				flood_until = now + rnd_range(2, 6) * NS;
				flood_server = (uint8_t)rnd(NSERVERS);
				flood_port = service_ports[rnd(6)];
				floods++;
			}
			new_conn(now, K_FLOOD);
			flood_next = now + rnd_exp(NS / 1500.0);
			if (flood_next > flood_until) {
				flood_next = flood_until + rnd_exp(45.0 * NS);
				flood_until = 0;
			}
			continue;
		}
		struct conn *c = heap[0];
		now = c->t;
		if (step(c)) {
			heap_down(0);
		} else {
			if (c->kind == K_INTER) {
				new_conn(now + rnd_exp(2.0 * NS), K_INTER);  /* keep the pool's size */
			}
			heap_pop();
			free(c);
		}
	}
	if (fflush(out) != 0 || (out != stdout && fclose(out) != 0)) {
		fprintf(stderr, "gencap: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (!quiet) {
		uint64_t total = 0;
		for (int k = 0; k < K_MAX; k++)
			total += made[k];
		fprintf(stderr, "gencap: %s: %.1f MB, %llu frames (%llu TCP), %.1f s of capture time\n",
		    path, (double)out_bytes / 1048576.0, (unsigned long long)out_pkts,
		    (unsigned long long)out_tcp_pkts, (double)(now - START_TS) / 1e9);
		fprintf(stderr, "gencap: %llu connections, at most %zu open at once, %zu open at the end, "
		    "%llu SYN-flood episodes\n", (unsigned long long)total, peak_live, heap_n,
		    (unsigned long long)floods);
		fprintf(stderr, "gencap: by kind:");
		for (int k = 0; k < K_MAX; k++)
			fprintf(stderr, " %s %llu (%.1f MB)", kind_name[k], (unsigned long long)made[k],
			    (double)kind_bytes[k] / 1048576.0);
		fprintf(stderr, "\n");
	}
	for (size_t i = 0; i < heap_n; i++)
		free(heap[i]);
	free(heap);
	return 0;
}
