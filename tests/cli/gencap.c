/* gencap.c - writes a deterministic synthetic pcap of many complete TCP connections (test input). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put32(FILE *f, uint32_t v) { fwrite(&v, 4, 1, f); }

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* One Ethernet/IPv4/TCP frame with LEN payload bytes, written with timestamp T (ns). */
static void frame(FILE *f, uint64_t t, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp,
    uint32_t seq, uint32_t ack, uint8_t flags, uint16_t len)
{
	uint8_t b[14 + 20 + 20 + 64];
	memset(b, 0, sizeof b);
	b[12] = 0x08;
	uint8_t *ip = b + 14, *tcp = ip + 20;
	uint16_t tot = (uint16_t)(40 + len);
	ip[0] = 0x45; ip[2] = (uint8_t)(tot >> 8); ip[3] = (uint8_t)tot; ip[8] = 64; ip[9] = 6;
	ip[12] = (uint8_t)(src >> 24); ip[13] = (uint8_t)(src >> 16); ip[14] = (uint8_t)(src >> 8); ip[15] = (uint8_t)src;
	ip[16] = (uint8_t)(dst >> 24); ip[17] = (uint8_t)(dst >> 16); ip[18] = (uint8_t)(dst >> 8); ip[19] = (uint8_t)dst;
	uint16_t c = csum(ip, 20);
	ip[10] = (uint8_t)(c >> 8); ip[11] = (uint8_t)c;
	tcp[0] = (uint8_t)(sp >> 8); tcp[1] = (uint8_t)sp; tcp[2] = (uint8_t)(dp >> 8); tcp[3] = (uint8_t)dp;
	tcp[4] = (uint8_t)(seq >> 24); tcp[5] = (uint8_t)(seq >> 16); tcp[6] = (uint8_t)(seq >> 8); tcp[7] = (uint8_t)seq;
	tcp[8] = (uint8_t)(ack >> 24); tcp[9] = (uint8_t)(ack >> 16); tcp[10] = (uint8_t)(ack >> 8); tcp[11] = (uint8_t)ack;
	tcp[12] = 0x50; tcp[13] = flags; tcp[14] = 0xff; tcp[15] = 0xff;
	uint32_t cap = 54 + (len < 64 ? len : 64);
	put32(f, (uint32_t)(t / 1000000000u));
	put32(f, (uint32_t)(t % 1000000000u / 1000u));
	put32(f, cap);
	put32(f, 54u + len);
	fwrite(b, 1, cap, f);
}

int main(int argc, char **argv)
{
	long conns = argc > 1 ? atol(argv[1]) : 1000;
	int data = argc > 2 ? atoi(argv[2]) : 6;
	FILE *f = stdout;
	put32(f, 0xa1b2c3d4); put32(f, 0x00040002); put32(f, 0); put32(f, 0); put32(f, 96); put32(f, 1);
	uint64_t t = 1700000000ull * 1000000000ull;
	for (long i = 0; i < conns; i++) {
		uint32_t cli = 0x0a000000u | (uint32_t)(1 + i % 200), srv = 0x0a640001u + (uint32_t)(i % 5);
		uint16_t sp = (uint16_t)(20000 + (i / 200) % 40000), dp = 80;
		uint32_t a = (uint32_t)(i * 2654435761u), b = (uint32_t)(i * 40503u + 7);
		frame(f, t += 1000, cli, srv, sp, dp, a, 0, 0x02, 0);
		frame(f, t += 1000, srv, cli, dp, sp, b, a + 1, 0x12, 0);
		frame(f, t += 1000, cli, srv, sp, dp, a + 1, b + 1, 0x10, 0);
		uint32_t ca = a + 1, sb = b + 1;
		for (int k = 0; k < data; k++) {
			frame(f, t += 1000, cli, srv, sp, dp, ca, sb, 0x18, 100); ca += 100;
			frame(f, t += 1000, srv, cli, dp, sp, sb, ca, 0x18, 1000); sb += 1000;
		}
		frame(f, t += 1000, cli, srv, sp, dp, ca, sb, 0x11, 0);
		frame(f, t += 1000, srv, cli, dp, sp, sb, ca + 1, 0x11, 0);
		frame(f, t += 1000, cli, srv, sp, dp, ca + 1, sb + 1, 0x10, 0);
	}
	return ferror(f) ? 1 : 0;
}
