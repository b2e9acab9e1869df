/* test_zeek.c - the Zeek conn_state/history model: hand-built cases, then Zeek's own baselines. */
#define _DEFAULT_SOURCE /* the BSD u_char types <pcap/pcap.h> uses, under -std=c11 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "segment.h"
#include "unit.h"
#include "zeek.h"

/*
 * The corpus driver decodes frames with the project's decoder when it is there; the private
 * decoder below is only a stand-in (Ethernet with VLAN tags, Linux SLL/SLL2, BSD NULL/LOOP,
 * raw IP; IPv4 and IPv6 with extension headers).  -DZEEK_TEST_PRIVATE_DECODER forces it.
 */
#if !defined(ZEEK_TEST_PRIVATE_DECODER) && defined(__has_include)
#if __has_include("decode.h")
#include "decode.h"
#define HAVE_PROJECT_DECODER 1
#endif
#endif

/* ================================================================================================
 * Part 1: hand-built segment sequences
 * ============================================================================================= */

#define MS 1000000LL

/* Client 10.0.0.1:40000, server 10.0.0.2 on a port the test picks (5555 is no likely server
 * port, 80 is). */
struct pair {
	uint16_t cport, sport;
};

static struct segment mk(struct pair pr, int from_server, int64_t ms, uint8_t flags, uint32_t seq,
			 uint32_t ack, uint32_t len)
{
	struct segment s;
	memset(&s, 0, sizeof s);
	s.ts_ns = 1000000000000000000LL + ms * MS;
	s.af = 4;
	uint8_t c[4] = { 10, 0, 0, 1 }, v[4] = { 10, 0, 0, 2 };
	memcpy(s.src, from_server ? v : c, 4);
	memcpy(s.dst, from_server ? c : v, 4);
	s.sport = from_server ? pr.sport : pr.cport;
	s.dport = from_server ? pr.cport : pr.sport;
	s.seq = seq;
	s.ack = ack;
	s.flags = flags;
	s.doff = 20;
	s.win = 65535;
	s.payload_len = s.payload_caplen = len;
	return s;
}

/* Feeds one segment; the caller's originator is the client. */
static void feed(struct zeek_conn *z, struct pair pr, int from_server, int64_t ms, uint8_t flags,
		 uint32_t seq, uint32_t ack, uint32_t len)
{
	struct segment s = mk(pr, from_server, ms, flags, seq, ack, len);
	zeek_segment(z, from_server, &s);
}

enum { C = 0, S = 1 };                 /* who sends */
#define SYN TH_SYN
#define SA (TH_SYN | TH_ACK)
#define A TH_ACK
#define PA (TH_PSH | TH_ACK)
#define FA (TH_FIN | TH_ACK)
#define RA (TH_RST | TH_ACK)
#define R TH_RST

static const struct pair P = { 40000, 5555 };
static const struct pair WEB = { 40000, 80 };
static const uint32_t CI = 1000, SI = 5000;  /* initial sequence numbers */

/* SYN, SYN-ACK, ACK. */
static void handshake(struct zeek_conn *z, struct pair pr)
{
	feed(z, pr, C, 0, SYN, CI, 0, 0);
	feed(z, pr, S, 1, SA, SI, CI + 1, 0);
	feed(z, pr, C, 2, A, CI + 1, SI + 1, 0);
}

static void expect(struct zeek_conn *z, const char *state, const char *hist, const char *what)
{
	const char *st = zeek_conn_state(z), *h = zeek_history(z);
	if (strcmp(st, state) != 0 || strcmp(h, hist) != 0)
		fprintf(stderr, "case %s: got %s/%s, want %s/%s\n", what, st, h, state, hist);
	CHECK_STR(st, state);
	CHECK_STR(h, hist);
}

static void test_conn_states(void)
{
	struct zeek_conn z;

	zeek_init(&z);
	CHECK_STR(zeek_conn_state(&z), "");
	feed(&z, P, C, 0, SYN, CI, 0, 0);
	expect(&z, "S0", "S", "S0: an unanswered SYN");

	zeek_init(&z);
	handshake(&z, P);
	expect(&z, "S1", "ShA", "S1: established, open");

	zeek_init(&z);
	handshake(&z, P);
	feed(&z, P, C, 3, PA, CI + 1, SI + 1, 100);
	feed(&z, P, S, 4, A, SI + 1, CI + 101, 0);
	feed(&z, P, S, 5, PA, SI + 1, CI + 101, 200);
	feed(&z, P, C, 6, FA, CI + 101, SI + 201, 0);
	feed(&z, P, S, 7, FA, SI + 201, CI + 102, 0);
	feed(&z, P, C, 8, A, CI + 102, SI + 202, 0);
	expect(&z, "SF", "ShADadFf", "SF: normal open and close");
	CHECK_INT(zeek_endpoint_size(&z, 0), 100);
	CHECK_INT(zeek_endpoint_size(&z, 1), 200);
	CHECK_INT(zeek_flipped(&z), 0);

	zeek_init(&z);
	feed(&z, P, C, 0, SYN, CI, 0, 0);
	feed(&z, P, S, 1, RA, 0, CI + 1, 0);
	expect(&z, "REJ", "Sr", "REJ: SYN answered by RST");

	zeek_init(&z);
	handshake(&z, P);
	feed(&z, P, C, 3, FA, CI + 1, SI + 1, 0);
	expect(&z, "S2", "ShAF", "S2: originator closed, no reply");

	zeek_init(&z);
	handshake(&z, P);
	feed(&z, P, S, 3, FA, SI + 1, CI + 1, 0);
	expect(&z, "S3", "ShAf", "S3: responder closed, no reply");

	zeek_init(&z);
	handshake(&z, P);
	feed(&z, P, C, 3, R, CI + 1, 0, 0);
	expect(&z, "RSTO", "ShAR", "RSTO: originator aborted");

	zeek_init(&z);
	handshake(&z, P);
	feed(&z, P, S, 3, R, SI + 1, 0, 0);
	expect(&z, "RSTR", "ShAr", "RSTR: responder aborted");

	zeek_init(&z);
	feed(&z, P, C, 0, SYN, CI, 0, 0);
	feed(&z, P, C, 1, R, CI + 1, 0, 0);
	expect(&z, "RSTOS0", "SR", "RSTOS0: SYN then the originator's RST");

	/* a SYN-ACK from port 80 is flipped at once; then the server resets */
	zeek_init(&z);
	feed(&z, WEB, S, 0, SA, SI, CI + 1, 0);
	feed(&z, WEB, S, 1, R, SI + 1, 0, 0);
	expect(&z, "RSTRH", "^hr", "RSTRH: SYN-ACK then RST, no SYN seen");
	CHECK_INT(zeek_flipped(&z), 0);  /* the caller said dir 1 = server: Zeek agrees */

	zeek_init(&z);
	feed(&z, P, C, 0, SYN, CI, 0, 0);
	feed(&z, P, C, 1, FA, CI + 1, 0, 0);
	expect(&z, "SH", "SF", "SH: SYN then FIN, no SYN-ACK");

	zeek_init(&z);
	feed(&z, WEB, S, 0, SA, SI, CI + 1, 0);
	feed(&z, WEB, S, 1, FA, SI + 1, CI + 1, 0);
	expect(&z, "SHR", "^hf", "SHR: SYN-ACK then FIN, no SYN");

	zeek_init(&z);
	feed(&z, P, C, 0, PA, CI, SI, 10);
	feed(&z, P, S, 1, PA, SI, CI + 10, 10);
	expect(&z, "OTH", "Dd", "OTH: midstream only");

	/* conn_state-RST-behavior: SYN, the responder's ACK, then the originator's RST is RSTOS0,
	 * but with a FIN before the RST it is OTH */
	zeek_init(&z);
	feed(&z, P, C, 0, SYN, CI, 0, 0);
	feed(&z, P, S, 1, A, 0, CI, 0);
	feed(&z, P, C, 2, R, CI, 0, 0);
	expect(&z, "RSTOS0", "SaR", "SYN, ACK, RST");
	zeek_init(&z);
	feed(&z, P, C, 0, SYN, CI, 0, 0);
	feed(&z, P, S, 1, A, 0, CI, 0);
	feed(&z, P, C, 2, TH_FIN, CI, 0, 0);
	feed(&z, P, C, 3, R, CI, 0, 0);
	expect(&z, "OTH", "SaFR", "SYN, ACK, FIN, RST");

	zeek_init(&z);
	feed(&z, P, C, 0, R, CI, 0, 0);
	expect(&z, "OTH", "R", "a lone RST");
}

static void test_history_rules(void)
{
	struct zeek_conn z;

	/* a d i q: once per direction */
	zeek_init(&z);
	handshake(&z, P);
	for (int i = 0; i < 5; i++)
		feed(&z, P, C, 3 + i, PA, CI + 1 + 10u * (uint32_t)i, SI + 1, 10);
	for (int i = 0; i < 5; i++)
		feed(&z, P, S, 10 + i, A, SI + 1, CI + 11 + 10u * (uint32_t)i, 0);
	expect(&z, "S1", "ShADa", "D and a once each");

	/* F repeats when the sequence number differs, not when the FIN is retransmitted */
	zeek_init(&z);
	handshake(&z, P);
	feed(&z, P, C, 3, FA, CI + 1, SI + 1, 0);
	feed(&z, P, C, 4, FA, CI + 1, SI + 1, 0);
	expect(&z, "S2", "ShAF", "FIN retransmitted");
	feed(&z, P, C, 5, FA, CI + 7, SI + 1, 0);
	expect(&z, "S2", "ShAFF", "FIN at a new sequence number");

	/* S: a retransmitted SYN adds nothing and is not a new connection */
	zeek_init(&z);
	feed(&z, P, C, 0, SYN, CI, 0, 0);
	struct segment again = mk(P, C, 1000, SYN, CI, 0, 0);
	CHECK_INT(zeek_starts_new(&z, 0, &again), 0);
	zeek_segment(&z, 0, &again);
	expect(&z, "S0", "S", "SYN retransmission");
	struct segment other = mk(P, C, 1500, SYN, CI + 99999, 0, 0);
	CHECK_INT(zeek_starts_new(&z, 0, &other), 1);  /* IsReuse: another ISN */

	/* i: FIN+RST; q: SYN+FIN */
	zeek_init(&z);
	handshake(&z, P);
	feed(&z, P, C, 3, TH_FIN | TH_RST | TH_ACK, CI + 1, SI + 1, 0);
	expect(&z, "RSTO", "ShAI", "FIN+RST is inconsistent");
	zeek_init(&z);
	feed(&z, P, C, 0, TH_SYN | TH_FIN, CI, 0, 0);
	expect(&z, "SH", "Q", "SYN+FIN is a multi-flag packet");

	/* t: retransmitted payload, logarithmic: 1st, 10th, 100th */
	zeek_init(&z);
	handshake(&z, P);
	feed(&z, P, C, 3, PA, CI + 1, SI + 1, 100);
	feed(&z, P, C, 4, PA, CI + 1, SI + 1, 100);
	expect(&z, "S1", "ShADT", "one retransmission");
	for (int i = 0; i < 8; i++)
		feed(&z, P, C, 5 + i, PA, CI + 1, SI + 1, 100);
	expect(&z, "S1", "ShADT", "nine retransmissions");
	feed(&z, P, C, 20, PA, CI + 1, SI + 1, 100);
	expect(&z, "S1", "ShADTT", "ten retransmissions");

	/* w: zero window, with the same scaling */
	zeek_init(&z);
	handshake(&z, P);
	struct segment w0 = mk(P, S, 3, A, SI + 1, CI + 1, 0);
	w0.win = 0;
	zeek_segment(&z, 1, &w0);
	zeek_segment(&z, 1, &w0);
	/* the flag letter comes first, then the window's (update_history, then update_window) */
	expect(&z, "S1", "ShAaw", "zero window");

	/* g: the peer acknowledges data that never passed by */
	zeek_init(&z);
	handshake(&z, P);
	feed(&z, P, C, 3, PA, CI + 1, SI + 1, 100);
	feed(&z, P, C, 4, PA, CI + 201, SI + 1, 100);  /* 101..200 missing */
	feed(&z, P, S, 5, A, SI + 1, CI + 301, 0);
	expect(&z, "S1", "ShADaG", "content gap");
	/* ... but data merely out of order is no gap; it is a retransmission to Zeek, though,
	 * because it lies below the highest sequence number already seen */
	zeek_init(&z);
	handshake(&z, P);
	feed(&z, P, C, 3, PA, CI + 101, SI + 1, 100);
	feed(&z, P, C, 4, PA, CI + 1, SI + 1, 100);
	feed(&z, P, S, 5, A, SI + 1, CI + 201, 0);
	expect(&z, "S1", "ShADTa", "out of order, no gap");
	/* a truncated capture cannot be reassembled: Zeek reports the gap */
	zeek_init(&z);
	handshake(&z, P);
	struct segment cut = mk(P, C, 3, PA, CI + 1, SI + 1, 1000);
	cut.payload_caplen = 40;
	zeek_segment(&z, 0, &cut);
	feed(&z, P, S, 4, A, SI + 1, CI + 1001, 0);
	expect(&z, "S1", "ShADaG", "payload cut by the snaplen");

	/* c: bad checksum (a caller that checks them) */
	zeek_init(&z);
	struct segment bad = mk(P, C, 0, SYN, CI, 0, 0);
	zeek_bad_checksum(&z, 0, &bad);
	expect(&z, "OTH", "C", "only a bad-checksum SYN");
}

static void test_flips(void)
{
	struct zeek_conn z;

	/* a SYN-ACK from a likely server port: flipped before anything else */
	zeek_init(&z);
	feed(&z, WEB, S, 0, SA, SI, CI + 1, 0);
	CHECK_INT(zeek_flipped(&z), 0);
	feed(&z, WEB, C, 1, A, CI + 1, SI + 1, 0);
	feed(&z, WEB, C, 2, PA, CI + 1, SI + 1, 50);
	expect(&z, "S1", "^hAD", "SYN-ACK from port 80, SYN missed");

	/* the same with the caller's view fixed on the first sender: Zeek flipped it */
	zeek_init(&z);
	struct segment s1 = mk(WEB, S, 0, SA, SI, CI + 1, 0);
	zeek_segment(&z, 0, &s1);  /* the caller calls the server its originator */
	CHECK_INT(zeek_flipped(&z), 1);
	struct segment s2 = mk(WEB, C, 1, A, CI + 1, SI + 1, 0);
	zeek_segment(&z, 1, &s2);
	CHECK_INT(zeek_flipped(&z), 1);
	CHECK_STR(zeek_history(&z), "^hA");

	/* a SYN-ACK between unremarkable ports is flipped once an ACK follows (PR #2191) */
	zeek_init(&z);
	struct segment h1 = mk(P, S, 0, SA, SI, CI + 1, 0);
	zeek_segment(&z, 0, &h1);
	CHECK_INT(zeek_flipped(&z), 0);
	CHECK_STR(zeek_history(&z), "H");
	struct segment h2 = mk(P, C, 1, A, CI + 1, SI + 1, 0);
	zeek_segment(&z, 1, &h2);
	CHECK_INT(zeek_flipped(&z), 1);
	CHECK_STR(zeek_history(&z), "^hA");
	CHECK_STR(zeek_conn_state(&z), "S1");

	/* SYN-ACK captured before its SYN: Zeek flips when the SYN shows up */
	zeek_init(&z);
	zeek_set_server_ports(&z, NULL, 0);
	feed(&z, WEB, S, 0, SA, SI, CI + 1, 0);
	struct segment syn = mk(WEB, C, 1, SYN, CI, 0, 0);
	CHECK_INT(zeek_starts_new(&z, 0, &syn), 0);
	zeek_segment(&z, 0, &syn);
	feed(&z, WEB, C, 2, A, CI + 1, SI + 1, 0);
	expect(&z, "S1", "Hs^A", "reordered handshake");

	/* a caller that re-orients: first it calls the SYN-ACK sender its originator, then, seeing
	 * the SYN, the SYN sender; Zeek's final roles agree with the caller's new view */
	zeek_init(&z);
	zeek_set_server_ports(&z, NULL, 0);
	struct segment r1 = mk(WEB, S, 0, SA, SI, CI + 1, 0);
	zeek_segment(&z, 0, &r1);
	struct segment r2 = mk(WEB, C, 1, SYN, CI, 0, 0);
	zeek_segment(&z, 0, &r2);
	CHECK_INT(zeek_flipped(&z), 0);
	CHECK_STR(zeek_history(&z), "Hs^");
	CHECK_INT(zeek_endpoint_state(&z, 0), ZEEK_ESTABLISHED);

	/* midstream data from a server port: flipped by port */
	zeek_init(&z);
	feed(&z, WEB, S, 0, PA, SI, CI, 100);
	expect(&z, "OTH", "^d", "midstream data from port 80");
	/* both ports plausible: only a non-SYN toward the higher port flips */
	struct pair both = { 8080, 80 };
	zeek_init(&z);
	feed(&z, both, S, 0, PA, SI, CI, 100);
	expect(&z, "OTH", "^d", "80 -> 8080 data");
	zeek_init(&z);
	feed(&z, both, C, 0, PA, CI, SI, 100);
	expect(&z, "OTH", "D", "8080 -> 80 data");
	/* a bare "zeek -b" has no likely server ports */
	zeek_init(&z);
	zeek_set_server_ports(&z, NULL, 0);
	feed(&z, WEB, S, 0, PA, SI, CI, 100);
	expect(&z, "OTH", "D", "no likely server ports");
}

static void test_lifetimes(void)
{
	struct zeek_conn z;

	/* SYN answered by RST, SYN retransmitted: a new connection (pop3 trace) */
	zeek_init(&z);
	feed(&z, P, C, 0, SYN, CI, 0, 0);
	feed(&z, P, S, 1, RA, 0, CI + 1, 0);
	struct segment re = mk(P, C, 3000, SYN, CI, 0, 0);
	CHECK_INT(zeek_starts_new(&z, 0, &re), 1);

	/* an unanswered attempt is forgotten tcp_attempt_delay (5 s) after the SYN */
	zeek_init(&z);
	feed(&z, P, C, 0, SYN, CI, 0, 0);
	feed(&z, P, C, 100, A, CI + 1, SI + 1, 0);
	struct segment early = mk(P, C, 4900, PA, CI + 1, SI + 1, 10);
	struct segment late = mk(P, C, 5100, PA, CI + 1, SI + 1, 10);
	CHECK_INT(zeek_starts_new(&z, 0, &early), 0);
	CHECK_INT(zeek_starts_new(&z, 0, &late), 1);

	/* an established connection idle for 4 minutes is kept, for 6 minutes is not */
	zeek_init(&z);
	handshake(&z, P);
	struct segment m4 = mk(P, C, 4 * 60000, PA, CI + 1, SI + 1, 10);
	struct segment m6 = mk(P, C, 6 * 60000, PA, CI + 1, SI + 1, 10);
	CHECK_INT(zeek_starts_new(&z, 0, &m4), 0);
	CHECK_INT(zeek_starts_new(&z, 0, &m6), 1);

	/* closed by FINs: gone tcp_close_delay (5 s) after the last activity */
	zeek_init(&z);
	handshake(&z, P);
	feed(&z, P, C, 3, FA, CI + 1, SI + 1, 0);
	feed(&z, P, S, 4, FA, SI + 1, CI + 2, 0);
	struct segment after = mk(P, C, 6000, A, CI + 2, SI + 2, 0);
	CHECK_INT(zeek_starts_new(&z, 0, &after), 1);
	struct segment soon = mk(P, C, 1000, A, CI + 2, SI + 2, 0);
	CHECK_INT(zeek_starts_new(&z, 0, &soon), 0);
	CHECK_INT(zeek_endpoint_state(&z, 0), ZEEK_CLOSED);
	CHECK_INT(zeek_endpoint_state(&z, 1), ZEEK_CLOSED);
}

/* ================================================================================================
 * Part 2: Zeek's baselines from the corpus
 * ============================================================================================= */

/* ---- small utilities ---------------------------------------------------------------------- */

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (!q) {
		fprintf(stderr, "out of memory\n");
		exit(99);
	}
	return q;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = xrealloc(NULL, n);
	memcpy(d, s, n);
	return d;
}

/* Reads a whole file; NULL if it cannot be read. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, len = 0;
	char *buf = xrealloc(NULL, cap);
	size_t n;
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 2) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/* Splits s in place at sep; returns the number of fields (at most max). */
static int split(char *s, char sep, char **out, int max)
{
	int n = 0;
	out[n++] = s;
	for (char *p = s; *p && n < max; p++)
		if (*p == sep) {
			*p = '\0';
			out[n++] = p + 1;
		}
	return n;
}

/* Next line of *cur (newline removed, '\r' too); NULL at the end. */
static char *next_line(char **cur)
{
	char *s = *cur;
	if (!s || !*s)
		return NULL;
	char *nl = strchr(s, '\n');
	if (nl) {
		*nl = '\0';
		*cur = nl + 1;
	} else {
		*cur = s + strlen(s);
	}
	size_t n = strlen(s);
	if (n && s[n - 1] == '\r')
		s[n - 1] = '\0';
	return s;
}

/* out = a + "/" + b; false if it does not fit. */
static bool join_path(char *out, size_t n, const char *a, const char *b)
{
	int k = snprintf(out, n, "%s/%s", a, b);
	return k >= 0 && (size_t)k < n;
}

static bool file_exists(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f)
		fclose(f);
	return f != NULL;
}

/* ---- addresses ----------------------------------------------------------------------------- */

static void addr_str(uint8_t af, const uint8_t *a, char *out, size_t n)
{
	if (af == 4) {
		snprintf(out, n, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		return;
	}
	/* RFC 5952 text: lower case, longest zero run (>= 2 groups) as "::" */
	uint16_t g[8];
	for (int i = 0; i < 8; i++)
		g[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
	int best = -1, bestlen = 0;
	for (int i = 0; i < 8;) {
		int j = i;
		while (j < 8 && g[j] == 0)
			j++;
		if (j - i > bestlen) {
			best = i;
			bestlen = j - i;
		}
		i = j == i ? i + 1 : j;
	}
	if (bestlen < 2)
		best = -1;
	size_t o = 0;
	out[0] = '\0';
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			o += (size_t)snprintf(out + o, n - o, "::");
			i += bestlen - 1;
			continue;
		}
		if (o && out[o - 1] != ':')
			o += (size_t)snprintf(out + o, n - o, ":");
		o += (size_t)snprintf(out + o, n - o, "%x", g[i]);
	}
}

/* Parses a dotted quad or IPv6 text into 16 bytes (IPv4 in the first 4). */
static bool parse_addr(const char *s, uint8_t *out, uint8_t *af)
{
	memset(out, 0, 16);
	if (!strchr(s, ':')) {
		unsigned b[4];
		char tail;
		if (sscanf(s, "%u.%u.%u.%u%c", &b[0], &b[1], &b[2], &b[3], &tail) != 4)
			return false;
		for (int i = 0; i < 4; i++) {
			if (b[i] > 255)
				return false;
			out[i] = (uint8_t)b[i];
		}
		*af = 4;
		return true;
	}
	uint16_t head[8], tail[8];
	int nh = 0, nt = 0;
	const char *dbl = strstr(s, "::");
	const char *p = s;
	int *cnt = &nh;
	uint16_t *dst = head;
	while (*p) {
		if (p == dbl) {
			if (dst == tail)
				return false;
			dst = tail;
			cnt = &nt;
			p += 2;
			continue;
		}
		char *end;
		unsigned long v = strtoul(p, &end, 16);
		if (end == p || v > 0xffff || *cnt >= 8)
			return false;
		dst[(*cnt)++] = (uint16_t)v;
		p = end;
		if (*p == ':' && p != dbl)
			p++;
	}
	if (nh + nt > 8 || (!dbl && nh != 8))
		return false;
	uint16_t g[8] = { 0 };
	for (int i = 0; i < nh; i++)
		g[i] = head[i];
	for (int i = 0; i < nt; i++)
		g[8 - nt + i] = tail[i];
	for (int i = 0; i < 8; i++) {
		out[2 * i] = (uint8_t)(g[i] >> 8);
		out[2 * i + 1] = (uint8_t)g[i];
	}
	*af = 6;
	return true;
}

/* ---- the private stand-in decoder ------------------------------------------------------------ */

#ifndef HAVE_PROJECT_DECODER
static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int private_dlt_supported(int dlt)
{
	return dlt == DLT_EN10MB || dlt == DLT_LINUX_SLL || dlt == DLT_LINUX_SLL2 ||
	       dlt == DLT_NULL || dlt == DLT_LOOP || dlt == DLT_RAW || dlt == 101 ||
	       dlt == DLT_IPV4 || dlt == DLT_IPV6;
}

/* TCP from an IP packet at p[0..n); 0 on success. */
static int private_ip(const uint8_t *p, uint32_t n, uint32_t wire_n, struct segment *seg)
{
	if (n < 1)
		return -1;
	uint32_t hl, total, proto;
	if ((p[0] >> 4) == 4) {
		if (n < 20)
			return -1;
		hl = (p[0] & 15u) * 4u;
		total = rd16(p + 2);
		if (total == 0)
			total = wire_n;  /* TSO */
		if (hl < 20 || n < hl || total < hl)
			return -1;
		if ((rd16(p + 6) & 0x3fff) != 0)
			return -1;  /* fragment */
		proto = p[9];
		seg->af = 4;
		memcpy(seg->src, p + 12, 4);
		memcpy(seg->dst, p + 16, 4);
		seg->ttl = p[8];
	} else if ((p[0] >> 4) == 6) {
		if (n < 40)
			return -1;
		total = 40u + rd16(p + 4);
		proto = p[6];
		hl = 40;
		seg->af = 6;
		memcpy(seg->src, p + 8, 16);
		memcpy(seg->dst, p + 24, 16);
		seg->ttl = p[7];
		/* hop-by-hop, routing, destination options */
		while (proto == 0 || proto == 43 || proto == 60) {
			if (n < hl + 2)
				return -1;
			uint32_t el = 8u + p[hl + 1] * 8u;
			proto = p[hl];
			hl += el;
		}
		if (proto == 44)
			return -1;
	} else {
		return -1;
	}
	if (proto != 6 || n < hl + 20 || total < hl + 20)
		return -1;
	const uint8_t *t = p + hl;
	uint32_t doff = (t[12] >> 4) * 4u;
	if (doff < 20 || total < hl + doff || n < hl + doff)
		return -1;
	seg->sport = rd16(t);
	seg->dport = rd16(t + 2);
	seg->seq = rd32(t + 4);
	seg->ack = rd32(t + 8);
	seg->doff = (uint8_t)doff;
	seg->flags = t[13];
	seg->win = rd16(t + 14);
	seg->payload_len = total - hl - doff;
	uint32_t cap = n - hl - doff;
	seg->payload_caplen = cap < seg->payload_len ? cap : seg->payload_len;
	seg->payload = t + doff;
	return 0;
}

static int private_decode(int dlt, const uint8_t *p, uint32_t caplen, uint32_t wirelen,
			  struct segment *seg)
{
	uint32_t off = 0, type = 0;
	seg->caplen = caplen;
	seg->wirelen = wirelen;
	switch (dlt) {
	case DLT_EN10MB:
		if (caplen < 14)
			return -1;
		type = rd16(p + 12);
		off = 14;
		while ((type == 0x8100 || type == 0x88a8 || type == 0x9100) && caplen >= off + 4) {
			type = rd16(p + off + 2);
			off += 4;
		}
		break;
	case DLT_LINUX_SLL:
		if (caplen < 16)
			return -1;
		type = rd16(p + 14);
		off = 16;
		break;
	case DLT_LINUX_SLL2:
		if (caplen < 20)
			return -1;
		type = rd16(p);
		off = 20;
		break;
	case DLT_NULL:
	case DLT_LOOP: {
		if (caplen < 4)
			return -1;
		uint32_t fam = rd32(p);
		if (fam > 0xffff)
			fam = (uint32_t)p[0] | (uint32_t)p[1] << 8;  /* host byte order */
		type = fam == 2 ? 0x0800 : 0x86dd;
		off = 4;
		break;
	}
	default:
		type = caplen && (p[0] >> 4) == 6 ? 0x86dd : 0x0800;
		break;
	}
	if (type != 0x0800 && type != 0x86dd)
		return -1;
	return private_ip(p + off, caplen - off, wirelen > off ? wirelen - off : 0, seg);
}
#endif

static bool link_supported(int dlt)
{
#ifdef HAVE_PROJECT_DECODER
	return decode_dlt_supported(dlt) != 0;
#else
	return private_dlt_supported(dlt) != 0;
#endif
}

/* Returns 1 for a TCP segment, 0 for anything else; *unsupported counts frames the decoder
 * could not take apart (an encapsulation it does not know). */
static int decode(int dlt, const uint8_t *p, uint32_t caplen, uint32_t wirelen,
		  struct segment *seg, unsigned *unsupported)
{
	memset(seg, 0, sizeof *seg);
#ifdef HAVE_PROJECT_DECODER
	enum decode_status st = decode_frame(dlt, p, caplen, wirelen, seg);
	if (st == DECODE_UNSUPPORTED)
		(*unsupported)++;
	return st == DECODE_OK;
#else
	if (private_decode(dlt, p, caplen, wirelen, seg) == 0)
		return 1;
	(*unsupported)++;
	return 0;
#endif
}

/* TCP checksum over the pseudo-header and the whole segment (only when fully captured). */
static bool tcp_checksum_ok(const struct segment *s)
{
	uint32_t tlen = s->doff + s->payload_len;
	const uint8_t *t = s->payload - s->doff;
	uint32_t sum = 0;
	int alen = s->af == 4 ? 4 : 16;
	for (int i = 0; i < alen; i += 2) {
		sum += (uint32_t)(s->src[i] << 8 | s->src[i + 1]);
		sum += (uint32_t)(s->dst[i] << 8 | s->dst[i + 1]);
	}
	sum += 6;
	sum += tlen & 0xffff;
	sum += tlen >> 16;
	for (uint32_t i = 0; i + 1 < tlen; i += 2)
		sum += (uint32_t)(t[i] << 8 | t[i + 1]);
	if (tlen & 1)
		sum += (uint32_t)(t[tlen - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* IPv4 header checksum of the header in front of the segment's TCP header; true if it is not
 * found (the segment struct does not point at it, so it is looked for). */
static bool ip4_checksum_ok(const uint8_t *frame, const struct segment *s)
{
	const uint8_t *tcp = s->payload - s->doff;
	for (unsigned ihl = 20; ihl <= 60; ihl += 4) {
		if (tcp - ihl < frame)
			break;
		const uint8_t *h = tcp - ihl;
		if (h[0] != (0x40 | ihl / 4) || h[9] != 6 || memcmp(h + 12, s->src, 4) ||
		    memcmp(h + 16, s->dst, 4))
			continue;
		uint32_t sum = 0;
		for (unsigned i = 0; i < ihl; i += 2)
			sum += (uint32_t)(h[i] << 8 | h[i + 1]);
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		return sum == 0xffff;
	}
	return true;
}

/* ---- our connections ------------------------------------------------------------------------- */

/* One connection as the model logged it (Zeek's orientation). */
struct result {
	uint8_t af;
	uint8_t oh[16], rh[16];
	uint16_t op, rp;
	char state[8];
	char history[ZEEK_HISTORY_MAX + 1];
	int os, rs;        /* endpoint states */
	bool matched;
};

struct live {
	uint8_t af;
	uint8_t a[16], b[16];  /* a: the first segment's sender */
	uint16_t ap, bp;
	bool active;
	struct zeek_conn z;
};

struct trace_run {
	struct live *live;
	size_t nlive;
	struct result *res;
	size_t nres;
	const uint16_t *ports;  /* NULL: Zeek's default likely_server_ports */
	size_t nports;
	bool ports_set;
};

static void finish(struct trace_run *tr, struct live *l)
{
	tr->res = xrealloc(tr->res, (tr->nres + 1) * sizeof *tr->res);
	struct result *r = &tr->res[tr->nres++];
	memset(r, 0, sizeof *r);
	r->af = l->af;
	/* the caller's originator is l->a; Zeek may disagree */
	bool fl = zeek_flipped(&l->z);
	memcpy(r->oh, fl ? l->b : l->a, 16);
	memcpy(r->rh, fl ? l->a : l->b, 16);
	r->op = fl ? l->bp : l->ap;
	r->rp = fl ? l->ap : l->bp;
	snprintf(r->state, sizeof r->state, "%s", zeek_conn_state(&l->z));
	snprintf(r->history, sizeof r->history, "%s", zeek_history(&l->z));
	r->os = zeek_endpoint_state(&l->z, 0);
	r->rs = zeek_endpoint_state(&l->z, 1);
	l->active = false;
}

static void start(struct trace_run *tr, struct live *l, const struct segment *s)
{
	l->af = s->af;
	memcpy(l->a, s->src, 16);
	memcpy(l->b, s->dst, 16);
	l->ap = s->sport;
	l->bp = s->dport;
	l->active = true;
	zeek_init(&l->z);
	if (tr->ports_set)
		zeek_set_server_ports(&l->z, tr->ports, tr->nports);
}

static void on_segment(struct trace_run *tr, const struct segment *s, bool bad_checksum)
{
	struct live *l = NULL;
	int dir = 0;
	for (size_t i = 0; i < tr->nlive && !l; i++) {
		struct live *c = &tr->live[i];
		if (!c->active || c->af != s->af)
			continue;
		if (!memcmp(c->a, s->src, 16) && !memcmp(c->b, s->dst, 16) && c->ap == s->sport &&
		    c->bp == s->dport) {
			l = c;
			dir = 0;
		} else if (!memcmp(c->a, s->dst, 16) && !memcmp(c->b, s->src, 16) &&
			   c->ap == s->dport && c->bp == s->sport) {
			l = c;
			dir = 1;
		}
	}
	if (l && zeek_starts_new(&l->z, dir, s)) {
		finish(tr, l);
		start(tr, l, s);
		dir = 0;
	}
	if (!l) {
		tr->live = xrealloc(tr->live, (tr->nlive + 1) * sizeof *tr->live);
		l = &tr->live[tr->nlive++];
		start(tr, l, s);
	}
	if (bad_checksum)
		zeek_bad_checksum(&l->z, dir, s);
	else
		zeek_segment(&l->z, dir, s);
}

/* ---- Zeek's rows ----------------------------------------------------------------------------- */

struct zrow {
	bool have_tuple, have_oh, have_rh, have_op, have_rp;
	uint8_t af;
	uint8_t oh[16], rh[16];
	uint16_t op, rp;
	char state[16];     /* "" = not in the baseline */
	char history[128];  /* "" = not in the baseline; "-" = empty history */
	int os, rs;         /* endpoint states, -1 = not in the baseline */
};

struct zrows {
	struct zrow *v;
	size_t n;
	bool lists_all;  /* a conn.log: every connection Zeek saw is a row */
};

static struct zrow *new_row(struct zrows *rows)
{
	rows->v = xrealloc(rows->v, (rows->n + 1) * sizeof *rows->v);
	struct zrow *r = &rows->v[rows->n++];
	memset(r, 0, sizeof *r);
	r->os = r->rs = -1;
	return r;
}

static int col(char **names, int n, const char *a, const char *b)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], a) || (b && !strcmp(names[i], b)))
			return i;
	return -1;
}

/* A conn.log (#fields header) or a zeek-cut projection (first line = column names). */
static void parse_log(char *text, bool cut, struct zrows *rows)
{
	char *cur = text, *line, *names[64], *f[64];
	int nn = 0;
	rows->lists_all = true;
	while ((line = next_line(&cur))) {
		if (!strncmp(line, "#fields\t", 8)) {
			nn = split(line + 8, '\t', names, 64);  /* text outlives the names */
			continue;
		}
		if (line[0] == '#' || !line[0])
			continue;
		if (cut && nn == 0) {
			nn = split(line, '\t', names, 64);
			continue;
		}
		if (nn == 0)
			continue;
		int nf = split(line, '\t', f, 64);
		int ip = col(names, nn, "proto", NULL);
		if (ip >= 0 && ip < nf && strcmp(f[ip], "tcp") != 0)
			continue;
		int ioh = col(names, nn, "id.orig_h", "src_ip"), iop = col(names, nn, "id.orig_p", "src_port");
		int irh = col(names, nn, "id.resp_h", "dst_ip"), irp = col(names, nn, "id.resp_p", "dst_port");
		int ist = col(names, nn, "conn_state", NULL), ihi = col(names, nn, "history", NULL);
		struct zrow *r = new_row(rows);
		if (ioh >= 0 && ioh < nf && parse_addr(f[ioh], r->oh, &r->af))
			r->have_oh = true;
		if (irh >= 0 && irh < nf && parse_addr(f[irh], r->rh, &r->af))
			r->have_rh = true;
		if (iop >= 0 && iop < nf) {
			r->op = (uint16_t)atoi(f[iop]);
			r->have_op = true;
		}
		if (irp >= 0 && irp < nf) {
			r->rp = (uint16_t)atoi(f[irp]);
			r->have_rp = true;
		}
		r->have_tuple = r->have_oh && r->have_rh && r->have_op && r->have_rp;
		if (ist >= 0 && ist < nf)
			snprintf(r->state, sizeof r->state, "%s", f[ist]);
		if (ihi >= 0 && ihi < nf)
			snprintf(r->history, sizeof r->history, "%s", f[ihi]);
	}
}

/* "[orig_h=1.2.0.2, orig_p=2527/tcp, resp_h=1.2.0.3, resp_p=6649/tcp" inside a printed record. */
static bool parse_conn_id(const char *s, struct zrow *r)
{
	const char *p = strstr(s, "orig_h=");
	if (!p)
		return false;
	char oh[64], rh[64];
	unsigned op, rp;
	if (sscanf(p, "orig_h=%63[^,], orig_p=%u/tcp, resp_h=%63[^,], resp_p=%u/tcp", oh, &op, rh,
		   &rp) != 4)
		return false;
	if (!parse_addr(oh, r->oh, &r->af) || !parse_addr(rh, r->rh, &r->af))
		return false;
	r->op = (uint16_t)op;
	r->rp = (uint16_t)rp;
	r->have_tuple = r->have_oh = r->have_rh = r->have_op = r->have_rp = true;
	return true;
}

static const char *last_field(char *line)
{
	char *p = strrchr(line, ',');
	p = p ? p + 1 : line;
	while (*p == ' ')
		p++;
	return p;
}

/* A conn_state-from-states helper for the script baselines that print endpoint states. */
static const char *state_from_states(int os, int rs)
{
	bool oi = os == ZEEK_INACTIVE || os == ZEEK_PARTIAL, ri = rs == ZEEK_INACTIVE || rs == ZEEK_PARTIAL;
	if (rs == ZEEK_RESET)
		return (os == ZEEK_SYN_SENT || os == ZEEK_SYN_ACK_SENT) ? "REJ" : oi ? "RSTRH" : "RSTR";
	if (os == ZEEK_RESET)
		return ri ? "" : "RSTO";  /* RSTOS0/OTH and REJ also need history and sizes */
	if (rs == ZEEK_CLOSED && os == ZEEK_CLOSED)
		return "SF";
	if (os == ZEEK_CLOSED)
		return ri ? "SH" : "S2";
	if (rs == ZEEK_CLOSED)
		return oi ? "SHR" : "S3";
	if (os == ZEEK_SYN_SENT && rs == ZEEK_INACTIVE)
		return "S0";
	if (os == ZEEK_ESTABLISHED && rs == ZEEK_ESTABLISHED)
		return "S1";
	return "OTH";
}

/* The test scripts' printed output; each knows one or two TCP connections. */
static void parse_script(char *text, const char *baseline, const char *notes, struct zrows *rows)
{
	char *cur = text, *line;
	rows->lists_all = false;
	if (strstr(baseline, "conn_state-RST-behavior")) {
		/* one output shared by four traces; the notes say which line is ours */
		const char *ln = strstr(notes, "line ");
		int want = ln ? atoi(ln + 5) : 0, k = 0;
		while ((line = next_line(&cur)))
			if (line[0] != '#' && ++k == want) {
				char *f[4];
				if (split(line, ',', f, 4) == 2) {
					struct zrow *r = new_row(rows);
					snprintf(r->history, sizeof r->history, "%s", f[0]);
					snprintf(r->state, sizeof r->state, "%s", f[1] + (f[1][0] == ' '));
				}
			}
		return;
	}
	if (strstr(baseline, "fin-retransmit") || strstr(baseline, "rst-after-syn")) {
		struct zrow *r = new_row(rows);
		int k = 0;
		while ((line = next_line(&cur))) {
			const char *st = strstr(line, "state=");
			if (!st) {
				parse_conn_id(line, r);
				continue;
			}
			if (k == 0)
				r->os = atoi(st + 6);
			else
				r->rs = atoi(st + 6);
			k++;
		}
		snprintf(r->state, sizeof r->state, "%s", state_from_states(r->os, r->rs));
		return;
	}
	/* tcp-dups (REMOVE), connection_flipped (connection_state_remove), pending: the last line
	 * naming the connection carries its final history */
	char *lastl = NULL;
	while ((line = next_line(&cur)))
		if (strstr(line, "orig_h=") &&
		    (strstr(line, "REMOVE") || strstr(line, "connection_state_remove") ||
		     strstr(line, "pending")))
			lastl = line;
	if (lastl) {
		struct zrow *r = new_row(rows);
		parse_conn_id(lastl, r);
		char *close = strrchr(lastl, ']');
		char *rest = close ? close + 1 : lastl;
		/* the history is the first field after the record */
		char *f[8];
		int nf = split(rest, ',', f, 8);
		const char *h = nf > 1 ? f[1] : last_field(rest);
		while (*h == ' ')
			h++;
		snprintf(r->history, sizeof r->history, "%s", h);
	}
}

/* ---- comparing ------------------------------------------------------------------------------- */

struct known {
	char **lines;   /* "trace\ttuple\tfield\tours\tzeek" (the reason left off) */
	bool *used;
	size_t n;
};

struct tally {
	unsigned state_ok, state_n, hist_ok, hist_n, rows, skipped_rows, unknown, extra;
	FILE *write_known;    /* PCAPSTATE_ZEEK_WRITE_KNOWN: regenerate the known-differences file */
};

static void tuple_str(uint8_t af, const uint8_t *oh, uint16_t op, const uint8_t *rh, uint16_t rp,
		      char *out, size_t n)
{
	char a[64], b[64];
	addr_str(af, oh, a, sizeof a);
	addr_str(af, rh, b, sizeof b);
	if (af == 6)
		snprintf(out, n, "[%s]:%u-[%s]:%u/tcp", a, op, b, rp);
	else
		snprintf(out, n, "%s:%u-%s:%u/tcp", a, op, b, rp);
}

/* Why a difference is expected, for the regenerated file; the maintainer edits these. */
static const char *reason_for(const char *trace, const char *field, const char *ours,
			      const char *zeek)
{
	(void)ours;
	if (!strcmp(field, "conn"))
		return "connection boundaries differ (timers or reuse modelled lazily)";
	if (strstr(trace, "ldap-gap"))
		return "trace partly unreadable by this libpcap";
	if (strchr(zeek, 'C') || strchr(zeek, 'c'))
		return "checksum handling";
	return "unexplained";
}

static void difference(struct tally *t, struct known *k, const char *trace, const char *tuple,
		       const char *field, const char *ours, const char *zeek)
{
	char key[512];
	snprintf(key, sizeof key, "%s\t%s\t%s\t%s\t%s", trace, tuple, field, ours, zeek);
	bool found = false;
	for (size_t i = 0; i < k->n; i++)
		if (!strcmp(k->lines[i], key)) {
			k->used[i] = true;
			found = true;
		}
	if (t->write_known)
		fprintf(t->write_known, "%s\t%s\n", key, reason_for(trace, field, ours, zeek));
	if (!found) {
		t->unknown++;
		fprintf(stderr, "zeek corpus: NEW DIFFERENCE %s\n", key);
	} else {
		printf("  known difference: %s\n", key);
	}
}

static bool same_host(uint8_t af, const uint8_t *a, const uint8_t *b)
{
	(void)af;
	return memcmp(a, b, 16) == 0;
}

/* Does our result r fit Zeek's row z (either orientation, using what the row has)? */
static bool fits(const struct zrow *z, const struct result *r)
{
	if (!z->have_oh && !z->have_rh && !z->have_op && !z->have_rp)
		return true;
	bool fwd = (!z->have_oh || same_host(r->af, z->oh, r->oh)) &&
		   (!z->have_rh || same_host(r->af, z->rh, r->rh)) &&
		   (!z->have_op || z->op == r->op) && (!z->have_rp || z->rp == r->rp);
	bool rev = (!z->have_oh || same_host(r->af, z->oh, r->rh)) &&
		   (!z->have_rh || same_host(r->af, z->rh, r->oh)) &&
		   (!z->have_op || z->op == r->rp) && (!z->have_rp || z->rp == r->op);
	return fwd || rev;
}

static void compare(const char *trace, struct trace_run *tr, struct zrows *rows, unsigned unsupported,
		    struct tally *t, struct known *k)
{
	for (size_t i = 0; i < rows->n; i++) {
		struct zrow *z = &rows->v[i];
		/* prefer a result that agrees, then any that fits the tuple */
		struct result *best = NULL;
		for (int pass = 0; pass < 2 && !best; pass++)
			for (size_t j = 0; j < tr->nres && !best; j++) {
				struct result *r = &tr->res[j];
				if (r->matched || !fits(z, r))
					continue;
				if (pass == 0 && ((z->state[0] && strcmp(z->state, r->state)) ||
						  (z->history[0] && strcmp(z->history, r->history))))
					continue;
				best = r;
			}
		char tuple[160];
		if (z->have_tuple)
			tuple_str(z->af, z->oh, z->op, z->rh, z->rp, tuple, sizeof tuple);
		else if (best)
			tuple_str(best->af, best->oh, best->op, best->rh, best->rp, tuple, sizeof tuple);
		else
			snprintf(tuple, sizeof tuple, "-");
		if (!best) {
			if (unsupported) {
				/* its frames were in an encapsulation the decoder does not take apart */
				t->skipped_rows++;
				printf("  skipped (frames not decoded): %s %s\n", trace, tuple);
				continue;
			}
			t->rows++;
			if (z->state[0])
				t->state_n++;
			if (z->history[0])
				t->hist_n++;
			difference(t, k, trace, tuple, "conn", "-", "row");
			continue;
		}
		best->matched = true;
		t->rows++;
		if (getenv("PCAPSTATE_ZEEK_VERBOSE"))
			printf("  %s %s: ours %s/%s zeek %s/%s\n", trace, tuple, best->state,
			       best->history, z->state[0] ? z->state : "?",
			       z->history[0] ? z->history : "?");
		if (z->state[0]) {
			t->state_n++;
			if (!strcmp(z->state, best->state))
				t->state_ok++;
			else
				difference(t, k, trace, tuple, "conn_state", best->state, z->state);
		}
		if (z->os >= 0) {
			char ours[32], zs[32];
			snprintf(ours, sizeof ours, "%d/%d", best->os, best->rs);
			snprintf(zs, sizeof zs, "%d/%d", z->os, z->rs);
			if (strcmp(ours, zs))
				difference(t, k, trace, tuple, "endpoint_states", ours, zs);
		}
		if (z->history[0]) {
			t->hist_n++;
			const char *ours = best->history[0] ? best->history : "-";
			if (!strcmp(z->history, ours))
				t->hist_ok++;
			else
				difference(t, k, trace, tuple, "history", ours, z->history);
		}
	}
	if (!rows->lists_all)
		return;
	/* connections Zeek did not log are differences too */
	for (size_t j = 0; j < tr->nres; j++) {
		struct result *r = &tr->res[j];
		if (r->matched)
			continue;
		char tuple[160], ours[160];
		tuple_str(r->af, r->oh, r->op, r->rh, r->rp, tuple, sizeof tuple);
		snprintf(ours, sizeof ours, "%s/%s", r->state, r->history[0] ? r->history : "-");
		t->extra++;
		difference(t, k, trace, tuple, "conn", ours, "-");
	}
}

/* ---- one (trace, baseline) pair -------------------------------------------------------------- */

static const uint16_t http_ports[] = { 80, 81, 631, 1080, 3128, 8000, 8080, 8888 };
static const uint16_t krb_ports[] = { 88 };

/*
 * likely_server_ports for a run.  The full script set registers every analyzer's server ports
 * (the model's default); "zeek -b" has only those of the protocols the test script loads.  The
 * btest scripts were read for the "-b" runs whose first packets are not pure SYNs.
 */
static void pick_ports(const char *trace, const char *cmd, struct trace_run *tr)
{
	if (!strstr(cmd, " -b"))
		return;
	tr->ports_set = true;
	if (strstr(trace, "tcp-missing-syn") || strstr(trace, "http-")) {
		tr->ports = http_ports;
		tr->nports = sizeof http_ports / sizeof http_ports[0];
	} else if (strstr(trace, "krb-")) {
		tr->ports = krb_ports;
		tr->nports = 1;
	}
	/* everything else, e.g. connection_flipped.zeek and checksums_ignore_nets.test: none */
}

static void run_pair(const char *dir, char **f, int nf, char **hdr, int nh, struct tally *t,
		     struct known *k)
{
	int itr = col(hdr, nh, "trace_file", NULL), ibl = col(hdr, nh, "baseline_file", NULL);
	int iki = col(hdr, nh, "baseline_kind", NULL), icm = col(hdr, nh, "zeek_command", NULL);
	int ino = col(hdr, nh, "notes", NULL);
	if (itr < 0 || ibl < 0 || iki < 0 || icm < 0 || itr >= nf || ibl >= nf || iki >= nf ||
	    icm >= nf)
		return;
	const char *trace = f[itr], *baseline = f[ibl], *kind = f[iki], *cmd = f[icm];
	const char *notes = (ino >= 0 && ino < nf) ? f[ino] : "";

	if (!strncmp(trace, "tunnels-", 8) || strstr(notes, "TUNNELED")) {
		printf("  skipped: %s (tunnelled; Zeek logs the inner connections)\n", trace);
		return;
	}

	char path[2048];
	if (!join_path(path, sizeof path, dir, trace))
		return;
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(path, errbuf);
	if (!pc) {
		printf("  skipped: %s (libpcap: %s)\n", trace, errbuf);
		return;
	}
	int dlt = pcap_datalink(pc);
	if (!link_supported(dlt)) {
		printf("  skipped: %s (link type %d not decoded)\n", trace, dlt);
		pcap_close(pc);
		return;
	}

	/* Zeek checks TCP checksums unless run with -C; ignore_checksums_nets exempts sources */
	bool verify = !strstr(cmd, " -C") && !strstr(cmd, "-Cr");
	bool exempt_192_168 = strstr(cmd, "192.168.0.0/16") != NULL;

	struct trace_run tr;
	memset(&tr, 0, sizeof tr);
	pick_ports(trace, cmd, &tr);

	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;
	unsigned unsupported = 0;
	uint64_t frame = 0;
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		struct segment s;
		frame++;
		if (!decode(dlt, data, h->caplen, h->len, &s, &unsupported))
			continue;
		s.frame = frame;
		s.ts_ns = (int64_t)h->ts.tv_sec * 1000000000LL + (int64_t)h->ts.tv_usec * 1000LL;
		bool bad = false;
		if (verify && !(exempt_192_168 && s.af == 4 && s.src[0] == 192 && s.src[1] == 168)) {
			/* a bad IPv4 header checksum: Zeek drops the packet before any lookup */
			if (s.af == 4 && !ip4_checksum_ok(data, &s))
				continue;
			/* the TCP checksum is checked only when the whole payload was captured */
			if (s.payload_caplen >= s.payload_len)
				bad = !tcp_checksum_ok(&s);
		}
		on_segment(&tr, &s, bad);
	}
	bool read_error = rc == -1;
	if (read_error)
		printf("  skipped: %s (libpcap stopped: %s)\n", trace, pcap_geterr(pc));
	pcap_close(pc);
	for (size_t i = 0; i < tr.nlive; i++)
		if (tr.live[i].active)
			finish(&tr, &tr.live[i]);

	if (!read_error) {
		char *text = join_path(path, sizeof path, dir, baseline) ? slurp(path) : NULL;
		if (text) {
			struct zrows rows = { 0 };
			if (!strcmp(kind, "script"))
				parse_script(text, baseline, notes, &rows);
			else
				parse_log(text, !strcmp(kind, "cut"), &rows);
			/* the second baseline of a trace gets its own name in the differences */
			char label[512];
			int n = snprintf(label, sizeof label, "%s%s", trace,
					 strstr(baseline, ".worked.") ? " (worked)" : "");
			compare(n >= 0 && (size_t)n < sizeof label ? label : trace, &tr, &rows, unsupported,
				t, k);
			free(rows.v);
			free(text);
		}
	}
	free(tr.live);
	free(tr.res);
}

static struct known load_known(const char *path)
{
	struct known k = { 0 };
	char *text = slurp(path);
	if (!text)
		return k;
	char *cur = text, *line;
	while ((line = next_line(&cur))) {
		if (!line[0] || line[0] == '#')
			continue;
		char *f[6];
		if (split(line, '\t', f, 6) < 5)
			continue;
		char key[512];
		snprintf(key, sizeof key, "%s\t%s\t%s\t%s\t%s", f[0], f[1], f[2], f[3], f[4]);
		k.lines = xrealloc(k.lines, (k.n + 1) * sizeof *k.lines);
		k.used = xrealloc(k.used, (k.n + 1) * sizeof *k.used);
		k.lines[k.n] = xstrdup(key);
		k.used[k.n++] = false;
	}
	free(text);
	return k;
}

static void test_corpus(void)
{
	char corpus[1024], dir[1100], known_path[1100], index[1200];
	const char *env = getenv("PCAPSTATE_CORPUS"), *srcdir = getenv("srcdir");
	bool ok = env ? join_path(corpus, sizeof corpus, env, ".")
		      : join_path(corpus, sizeof corpus, srcdir ? srcdir : "..",
				  srcdir ? "../shared/corpus" : "shared/corpus");
	ok = ok && join_path(dir, sizeof dir, corpus, "zeek") &&
	     join_path(known_path, sizeof known_path, srcdir ? srcdir : ".",
		       "tests/corpus/zeek-known-differences.txt") &&
	     join_path(index, sizeof index, dir, "INDEX.tsv");
	char *text = ok ? slurp(index) : NULL;
	if (!text) {
		printf("test_zeek: corpus not found at %s, corpus checks skipped\n", corpus);
		return;
	}
	if (!file_exists(known_path))
		printf("test_zeek: no %s: every difference counts as new\n", known_path);
	struct known k = load_known(known_path);
	struct tally t = { 0 };
	const char *wk = getenv("PCAPSTATE_ZEEK_WRITE_KNOWN");
	if (wk) {
		t.write_known = fopen(wk, "w");
		if (!t.write_known)
			fprintf(stderr, "cannot write %s: %s\n", wk, strerror(errno));
		else
			fprintf(t.write_known,
				"# Differences between the Zeek model (analyzer/zeek.c) and Zeek's own baselines in\n"
				"# the shared corpus (zeek/), checked by tests/unit/test_zeek.c.  One per line:\n"
				"# trace<TAB>5-tuple<TAB>field<TAB>ours<TAB>zeek<TAB>reason\n"
				"# field \"conn\": a connection only one side has (\"-\"/\"row\" = missing in ours).\n");
	}

	char *cur = text, *line, *hdr[32];
	int nh = 0;
	while ((line = next_line(&cur))) {
		if (nh == 0) {
			nh = split(line, '\t', hdr, 32);  /* text outlives the header */
			continue;
		}
		char *f[32];
		int nf = split(line, '\t', f, 32);
		run_pair(dir, f, nf, hdr, nh, &t, &k);
	}
	free(text);
	if (t.write_known)
		fclose(t.write_known);

	printf("test_zeek: corpus: %u TCP rows compared (%u skipped), %u extra connections of ours\n",
	       t.rows, t.skipped_rows, t.extra);
	printf("test_zeek: corpus: conn_state agrees %u of %u (%.1f%%), history agrees %u of %u (%.1f%%)\n",
	       t.state_ok, t.state_n, t.state_n ? 100.0 * t.state_ok / t.state_n : 100.0, t.hist_ok,
	       t.hist_n, t.hist_n ? 100.0 * t.hist_ok / t.hist_n : 100.0);
	for (size_t i = 0; i < k.n; i++)
		if (!k.used[i])
			printf("  stale known difference (no longer seen): %s\n", k.lines[i]);
	/* the targets: conn_state at least 95%, and no difference nobody has explained */
	CHECK(t.state_n == 0 || t.state_ok * 100 >= t.state_n * 95);
	CHECK_INT(t.unknown, 0);
	for (size_t i = 0; i < k.n; i++)
		free(k.lines[i]);
	free(k.lines);
	free(k.used);
}

int main(void)
{
	test_conn_states();
	test_history_rules();
	test_flips();
	test_lifetimes();
	test_corpus();
	return unit_done("test_zeek");
}
