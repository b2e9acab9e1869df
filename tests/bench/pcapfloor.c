/* pcapfloor.c - the libpcap floor: reads every packet of a capture with pcap_next_ex and nothing else. */
/*
 * usage: pcapfloor [-t] [-n] FILE
 *   -t  also touch the data: sum one byte of every 64 of each captured frame, so the frame's
 *       cache lines are really loaded (what any decoder pays at least)
 *   -n  open with nanosecond timestamp precision, as pcapstate does
 * Prints "packets bytes checksum" on stdout. FILE may be gzip/zstd/xz only if libpcap itself
 * can read it (it cannot): time the compressed case as "zcat FILE | pcapfloor -" instead.
 */
#define _DEFAULT_SOURCE
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	int touch = 0, nano = 0, c;

	while ((c = getopt(argc, argv, "tn")) != -1) {
		switch (c) {
		case 't': touch = 1; break;
		case 'n': nano = 1; break;
		default:
			fprintf(stderr, "usage: pcapfloor [-t] [-n] FILE\n");
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: pcapfloor [-t] [-n] FILE\n");
		return 2;
	}
	pcap_t *p = pcap_open_offline_with_tstamp_precision(argv[optind],
	    nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO, err);
	if (p == NULL) {
		fprintf(stderr, "pcapfloor: %s\n", err);
		return 3;
	}
	struct pcap_pkthdr *h;
	const u_char *d;
	uint64_t n = 0, bytes = 0, sum = 0;
	int rc;
	while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
		n++;
		bytes += h->caplen;
		if (touch)
			for (uint32_t i = 0; i < h->caplen; i += 64)
				sum += d[i];
	}
	if (rc != PCAP_ERROR_BREAK) {
		fprintf(stderr, "pcapfloor: %s\n", pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	pcap_close(p);
	printf("%llu %llu %llu\n", (unsigned long long)n, (unsigned long long)bytes,
	    (unsigned long long)sum);
	return 0;
}
