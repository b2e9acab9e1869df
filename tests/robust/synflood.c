/* synflood.c - writes a pcap of N SYNs from distinct spoofed IPv4 sources to 192.0.2.80:80, SYN-ACKs for some. */
/*
 * usage: synflood OUT.pcap N [SYNACK_EVERY]
 *        synflood            (self-check, as make check runs it: 2000 SYNs through a temporary
 *                             file, read back: record count, distinct sources, checksums)
 * Ethernet, microsecond pcap. Source i is 10.0.0.0/8 address (i * 2654435761) mod 2^24 (a
 * bijection: every source differs for N <= 2^24) with a port from 1024 up, so the capture holds
 * exactly N distinct connections. One SYN every 50 us of capture time; every SYNACK_EVERY-th
 * SYN (default 10, 0 = none) is answered by a SYN-ACK 20 us later. Checksums are valid.
 * Prints "SYNS SYNACKS" on stdout. Deterministic: no randomness.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SERVER 0xc0000250u   /* 192.0.2.80 */
#define SERVER_PORT 80
#define START_SEC 1700000000u

static FILE *out;

static void put32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

static void put16be(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32be(uint8_t *p, uint32_t v) { put16be(p, v >> 16); put16be(p + 2, v & 0xffff); }

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* One Ethernet/IPv4/TCP frame with an MSS option, no payload. */
static void frame(uint64_t usec, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
    uint32_t seq, uint32_t ack, uint8_t flags, uint16_t ipid)
{
	enum { ETH = 14, IP = 20, TCP = 24, LEN = ETH + IP + TCP };
	uint8_t b[16 + LEN];
	memset(b, 0, sizeof b);
	put32le(b, (uint32_t)(START_SEC + usec / 1000000));
	put32le(b + 4, (uint32_t)(usec % 1000000));
	put32le(b + 8, LEN);
	put32le(b + 12, LEN);
	uint8_t *e = b + 16, *ip = e + ETH, *tcp = ip + IP;
	memcpy(e, "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00", ETH);
	ip[0] = 0x45;
	put16be(ip + 2, IP + TCP);
	put16be(ip + 4, ipid);
	ip[6] = 0x40;                /* DF */
	ip[8] = 64;
	ip[9] = 6;
	put32be(ip + 12, src);
	put32be(ip + 16, dst);
	put16be(ip + 10, csum_fold(csum_add(0, ip, IP)));
	put16be(tcp, sport);
	put16be(tcp + 2, dport);
	put32be(tcp + 4, seq);
	put32be(tcp + 8, ack);
	tcp[12] = (TCP / 4) << 4;
	tcp[13] = flags;
	put16be(tcp + 14, 64240);
	memcpy(tcp + 20, "\x02\x04\x05\xb4", 4);   /* MSS 1460 */
	uint32_t sum = csum_add(0, ip + 12, 8) + 6 + TCP;
	put16be(tcp + 16, csum_fold(csum_add(sum, tcp, TCP)));
	if (fwrite(b, sizeof b, 1, out) != 1) {
		perror("synflood: write");
		exit(1);
	}
}

/* Writes the whole capture to out; returns the number of SYN-ACKs. */
static unsigned long generate(unsigned long n, unsigned long every)
{
	uint8_t gh[24] = { 0 };
	put32le(gh, 0xa1b2c3d4);
	gh[4] = 2; gh[6] = 4;        /* version 2.4 */
	put32le(gh + 16, 262144);    /* snaplen */
	put32le(gh + 20, 1);         /* LINKTYPE_ETHERNET */
	fwrite(gh, sizeof gh, 1, out);

	unsigned long synacks = 0;
	for (unsigned long i = 0; i < n; i++) {
		uint32_t src = 0x0a000000u | (uint32_t)((i * 2654435761ul) & 0xffffffu);
		uint16_t sport = (uint16_t)(1024 + i % 64000);
		uint32_t isn = (uint32_t)(i * 2246822519u + 12345);
		uint64_t t = (uint64_t)i * 50;
		frame(t, src, sport, SERVER, SERVER_PORT, isn, 0, 0x02, (uint16_t)i);
		if (every && i % every == 0) {
			frame(t + 20, SERVER, SERVER_PORT, src, sport, ~isn, isn + 1, 0x12, (uint16_t)~i);
			synacks++;
		}
	}
	return synacks;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static uint32_t get32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The generator checked against its own promises; exit status as automake reads it. */
static int self_check(void)
{
	enum { N = 2000, EVERY = 10 };
	static uint32_t srcs[N];
	uint8_t b[16 + 58];
	unsigned long syns = 0, synacks = 0, bad = 0;
	out = tmpfile();
	if (out == NULL) {
		perror("synflood: tmpfile");
		return 99;
	}
	unsigned long want_synacks = generate(N, EVERY);
	rewind(out);
	if (fread(b, 24, 1, out) != 1 || b[0] != 0xd4 || b[20] != 1)
		bad++;
	while (fread(b, sizeof b, 1, out) == 1) {
		const uint8_t *ip = b + 16 + 14, *tcp = ip + 20;
		if (csum_fold(csum_add(0, ip, 20)) != 0)
			bad++;
		if (csum_fold(csum_add(csum_add(0, ip + 12, 8) + 6 + 24, tcp, 24)) != 0)
			bad++;
		if (tcp[13] == 0x02 && syns < N)
			srcs[syns++] = get32be(ip + 12);
		else if (tcp[13] == 0x12)
			synacks++;
		else
			bad++;
	}
	fclose(out);
	qsort(srcs, syns, sizeof *srcs, cmp_u32);
	for (unsigned long i = 1; i < syns; i++)
		if (srcs[i] == srcs[i - 1])
			bad++;
	printf("synflood self-check: %lu SYNs, %lu SYN-ACKs (want %d, %lu), %lu problems\n",
	    syns, synacks, N, want_synacks, bad);
	return bad == 0 && syns == N && synacks == want_synacks && synacks == N / EVERY ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 1)
		return self_check();
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: synflood OUT.pcap N [SYNACK_EVERY]\n");
		return 2;
	}
	char *end;
	unsigned long n = strtoul(argv[2], &end, 10);
	unsigned long every = argc == 4 ? strtoul(argv[3], NULL, 10) : 10;
	if (*end != '\0' || n == 0 || n > (1ul << 24)) {
		fprintf(stderr, "synflood: N must be 1..16777216\n");
		return 2;
	}
	out = fopen(argv[1], "wb");
	if (out == NULL) {
		perror(argv[1]);
		return 1;
	}
	static char buf[1 << 20];
	setvbuf(out, buf, _IOFBF, sizeof buf);
	unsigned long synacks = generate(n, every);
	if (fclose(out) != 0) {
		perror("synflood: close");
		return 1;
	}
	printf("%lu %lu\n", n, synacks);
	return 0;
}
