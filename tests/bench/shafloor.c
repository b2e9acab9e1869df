/* shafloor.c - times pcapstate's own SHA-256 (analyzer/sha256.c) over a file read in 256 KiB blocks, as instream.c does. */
/*
 * usage: shafloor FILE
 * Prints the digest like sha256sum, so it can be checked against it; compare its time with
 * "openssl dgst -sha256" (which uses the SHA-NI instructions where the CPU has them).
 */
#include <stdio.h>

#include "sha256.h"

int main(int argc, char **argv)
{
	static unsigned char buf[256 * 1024];
	struct sha256_ctx c;
	uint8_t d[SHA256_DIGEST_LEN];
	char hex[SHA256_HEX_LEN];
	size_t n;

	if (argc != 2) {
		fprintf(stderr, "usage: shafloor FILE\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (f == NULL) {
		perror(argv[1]);
		return 3;
	}
	sha256_init(&c);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sha256_update(&c, buf, n);
	if (ferror(f)) {
		perror(argv[1]);
		fclose(f);
		return 1;
	}
	fclose(f);
	sha256_final(&c, d);
	sha256_hex(d, hex);
	printf("%s  %s\n", hex, argv[1]);
	return 0;
}
