/* capture.h - one capture input read through libpcap: frames numbered, filtered, damage recorded. */
#ifndef PCAPSTATE_CAPTURE_H
#define PCAPSTATE_CAPTURE_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>

#include "instream.h"

enum capture_status { CAP_OK = 0, CAP_EOF, CAP_DAMAGED };

#define CAPTURE_MAX_DLT 8

struct capture {
	char *path;
	struct instream *in;
	pcap_t *pcap;
	struct bpf_program prog;
	bool has_prog;
	int dlt, snaplen;            /* the first interface's */
	int pkt_dlt;                 /* the current frame's link type (pcapng interfaces differ) */
	char *filter;
	int nextra;                  /* filters compiled for the other link types */
	int extra_dlt[CAPTURE_MAX_DLT];
	struct bpf_program extra_prog[CAPTURE_MAX_DLT];
	const char *format;          /* "pcap" / "pcapng" */
	/* The current frame (valid until capture_next is called again). */
	const struct pcap_pkthdr *hdr;
	const uint8_t *data;
	int64_t ts_ns;
	uint64_t frame;              /* 1-based number of the current frame in the file */
	uint64_t frames_read;        /* every frame read, filtered or not */
	enum capture_status status;
	bool mixed_link_types;       /* a pcapng with interfaces of different link types */
	char error[512];             /* set when status is CAP_DAMAGED */
};

/*
 * Opens PATH and compiles FILTER (NULL or "" = none) for its link type.
 * Returns 0, or the exit status to use: 3 (cannot open / not a capture, message in err),
 * 2 (the filter does not compile for this input, libpcap's message in err).
 * On failure the capture is closed and need not be passed to capture_close.
 */
int capture_open(struct capture *c, const char *path, const char *filter, char *err, size_t errlen);
/*
 * Advances to the next frame that passes the filter. Returns CAP_OK with hdr/data/ts_ns/frame
 * set, CAP_EOF at a clean end, or CAP_DAMAGED (message in c->error naming the frame and offset).
 */
enum capture_status capture_next(struct capture *c);
void capture_close(struct capture *c);
/* A frame time in ns since the epoch, clamped so that timers can be added without overflow. */
int64_t capture_ts_ns(int64_t sec, int64_t nsec);

#endif
