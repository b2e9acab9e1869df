/* capture.c - reads one capture input with libpcap at nanosecond precision, numbering every frame. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"

/* libpcap refuses pcapng files whose interfaces differ; name the problem and the way out. */
static void explain_pcapng_refusal(struct capture *c, const char *msg)
{
	if (strstr(msg, "different from the type of the first interface") ||
	    strstr(msg, "link-layer type") || strstr(msg, "different from the link")) {
		c->mixed_link_types = true;
		snprintf(c->error, sizeof c->error,
		    "%s: frame %llu: the pcapng file mixes interfaces with different link types, "
		    "which libpcap cannot read (%s); convert it with 'editcap -T ether' or split it "
		    "per interface with 'tshark -r FILE -Y frame.interface_id==N -w OUT'",
		    c->path, (unsigned long long)(c->frames_read + 1), msg);
	} else if (strstr(msg, "snapshot length"))
		snprintf(c->error, sizeof c->error,
		    "%s: frame %llu: the pcapng file has interfaces with different snapshot lengths, "
		    "which libpcap refuses (%s); rewrite it with 'editcap -F pcapng -s 262144 IN OUT'",
		    c->path, (unsigned long long)(c->frames_read + 1), msg);
	else
		snprintf(c->error, sizeof c->error,
		    "%s: damaged after frame %llu (near decompressed byte offset %llu): %s",
		    c->path, (unsigned long long)c->frames_read,
		    (unsigned long long)instream_out_offset(c->in), msg);
}

/*
 * Nanoseconds since the epoch, clamped to +-2^62 (years 1823 to 2116): a pcapng timestamp can
 * be absurd, and every timer adds at most a few years to a time, which must not overflow.
 * Classic pcap's unsigned 32-bit seconds (up to 2106) are always inside.
 */
#define TS_LIMIT_NS (INT64_C(1) << 62)

int64_t capture_ts_ns(int64_t sec, int64_t nsec)
{
	if (sec > TS_LIMIT_NS / 1000000000 - 1)
		return TS_LIMIT_NS;
	if (sec < -(TS_LIMIT_NS / 1000000000) + 1)
		return -TS_LIMIT_NS;
	return sec * 1000000000 + nsec;
}

/* pcapng stores LINKTYPE_ values; the few that differ from the DLT_ ones libpcap reports. */
static int linktype_to_dlt(int lt)
{
	switch (lt) {
	case 101: return DLT_RAW;   /* LINKTYPE_RAW */
	default: return lt;
	}
}

/* The filter compiled for this packet's link type (interfaces of a pcapng can differ). */
static bool pass_filter(struct capture *c, const struct pcap_pkthdr *h, const u_char *d)
{
	if (c->pkt_dlt == c->dlt)
		return pcap_offline_filter(&c->prog, h, d) != 0;
	for (int i = 0; i < c->nextra; i++)
		if (c->extra_dlt[i] == c->pkt_dlt)
			return pcap_offline_filter(&c->extra_prog[i], h, d) != 0;
	if (c->nextra == CAPTURE_MAX_DLT)
		return false;
	pcap_t *dead = pcap_open_dead(c->pkt_dlt, 262144);
	if (dead == NULL || pcap_compile(dead, &c->extra_prog[c->nextra], c->filter, 1,
	    PCAP_NETMASK_UNKNOWN) != 0) {
		/* The expression means nothing for this link type: nothing of it matches. */
		if (dead)
			pcap_close(dead);
		c->extra_dlt[c->nextra] = c->pkt_dlt;
		c->extra_prog[c->nextra].bf_len = 0;
		c->extra_prog[c->nextra++].bf_insns = NULL;
		return false;
	}
	pcap_close(dead);
	c->extra_dlt[c->nextra] = c->pkt_dlt;
	return pcap_offline_filter(&c->extra_prog[c->nextra++], h, d) != 0;
}

int capture_open(struct capture *c, const char *path, const char *filter, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE];

	memset(c, 0, sizeof *c);
	c->path = strdup(path);
	if (c->path == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return 5;
	}
	c->in = instream_open(path, err, errlen);
	if (c->in == NULL) {
		free(c->path);
		c->path = NULL;
		return 3;
	}
	ebuf[0] = '\0';
	c->pcap = pcap_fopen_offline_with_tstamp_precision(instream_file(c->in),
	    PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (c->pcap == NULL) {
		const char *why = instream_error(c->in);
		if (instream_out_offset(c->in) == 0)
			snprintf(err, errlen, "%s: empty file (no capture header)", path);
		else
			snprintf(err, errlen, "%s: not a capture file libpcap can read: %s",
			    path, why ? why : ebuf);
		instream_close(c->in);
		c->in = NULL;
		free(c->path);
		c->path = NULL;
		return 3;
	}
	/* libpcap now owns the FILE; instream_close must not close it twice. */
	const char *fmt = instream_format(c->in);
	int64_t lt = fmt && strcmp(fmt, "pcap") == 0 ? instream_pcap_linktype_field(c->in) : -1;
	if (lt >= 0 && (lt & 0x03FF0000) != 0) {
		/* The pcap spec (draft-ietf-opsawg-pcap section 4) reserves bits 16-25 of LinkType:
		 * newer libpcap refuses such a file at open, and so do we, whatever libpcap we have. */
		snprintf(err, errlen, "%s: not a valid pcap file: savefile linktype reserved field not "
		    "zero (0x%08llx)", path, (unsigned long long)(lt & 0x03FF0000));
		capture_close(c);
		return 3;
	}
	c->dlt = pcap_datalink(c->pcap);
	c->snaplen = pcap_snapshot(c->pcap);
	c->format = instream_format(c->in);
	if (instream_pcapng_snaplen(c->in) >= 0)
		c->snaplen = (int)instream_pcapng_snaplen(c->in);
	if (filter != NULL && filter[0] != '\0') {
		if (pcap_compile(c->pcap, &c->prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
			snprintf(err, errlen, "%s: bad filter expression for link type %s: %s",
			    path, pcap_datalink_val_to_name(c->dlt) ? pcap_datalink_val_to_name(c->dlt) : "?",
			    pcap_geterr(c->pcap));
			capture_close(c);
			return 2;
		}
		c->has_prog = true;
		c->filter = strdup(filter);
	}
	return 0;
}

enum capture_status capture_next(struct capture *c)
{
	struct pcap_pkthdr *h;
	const u_char *d;

	if (c->status != CAP_OK)
		return c->status;
	for (;;) {
		int rc = pcap_next_ex(c->pcap, &h, &d);
		if (rc == 1) {
			c->frames_read++;
			int lt = instream_next_linktype(c->in);
			c->pkt_dlt = lt >= 0 ? linktype_to_dlt(lt) : c->dlt;
			if (c->has_prog && !pass_filter(c, h, d))
				continue;
			c->hdr = h;
			c->data = d;
			c->frame = c->frames_read;
			c->ts_ns = capture_ts_ns(h->ts.tv_sec, h->ts.tv_usec);
			return CAP_OK;
		}
		if (rc == PCAP_ERROR_BREAK) {
			const char *why = instream_error(c->in);
			if (why != NULL) {
				snprintf(c->error, sizeof c->error, "%s: damaged after frame %llu: %s",
				    c->path, (unsigned long long)c->frames_read, why);
				return c->status = CAP_DAMAGED;
			}
			return c->status = CAP_EOF;
		}
		const char *why = instream_error(c->in);
		explain_pcapng_refusal(c, why ? why : pcap_geterr(c->pcap));
		return c->status = CAP_DAMAGED;
	}
}

void capture_close(struct capture *c)
{
	if (c->has_prog)
		pcap_freecode(&c->prog);
	for (int i = 0; i < c->nextra; i++)
		if (c->extra_prog[i].bf_insns)
			pcap_freecode(&c->extra_prog[i]);
	c->nextra = 0;
	free(c->filter);
	c->filter = NULL;
	c->has_prog = false;
	if (c->pcap)
		pcap_close(c->pcap);   /* closes the instream's FILE (cookie close is a no-op) */
	c->pcap = NULL;
	if (c->in) {
		/* pcap_close already fclosed the cookie stream: forget it before freeing the rest. */
		instream_forget_file(c->in);
		instream_close(c->in);
	}
	c->in = NULL;
	free(c->path);
	c->path = NULL;
}
