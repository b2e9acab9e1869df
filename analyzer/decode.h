/* decode.h - decodes one captured frame (link layer, IPv4/IPv6, TCP) into a struct segment. */
#ifndef PCAPSTATE_DECODE_H
#define PCAPSTATE_DECODE_H

#include <stdint.h>

#include "segment.h"

/*
 * Decodes the frame pkt[0..caplen) of link type dlt (the value pcap_datalink() returns).
 * wirelen is the frame's length on the wire (pcap_pkthdr.len); it is used only when the IP
 * length field is 0 (TSO / BIG TCP captures).  Fills every field of *seg except ts_ns, frame and
 * input_id, which are left as the caller set them.  seg->caplen and seg->wirelen are always set;
 * the other fields are meaningful only when DECODE_OK is returned (they are zero or partial
 * otherwise).  seg->payload points into pkt just past the TCP header, so payload - doff is the
 * TCP header.  Never reads outside pkt[0..caplen), never allocates, keeps no state.
 *
 * Link types: DLT_EN10MB (Ethernet II or 802.3 + LLC/SNAP, any number of 802.1Q / 802.1ad /
 * 0x9100 tags), DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW (12 on Linux; also 101 = LINKTYPE_RAW and
 * 14 = OpenBSD's DLT_RAW, as old files carry them), DLT_IPV4, DLT_IPV6, DLT_NULL (either byte
 * order) and DLT_LOOP.  Inside them: MPLS label stacks and PPPoE sessions, IPv4 (options
 * skipped, transport-mode AH), IPv6 (hop-by-hop, routing, destination options, fragment, AH,
 * mobility, HIP, shim6).  No tunnels: IP-in-IP, GRE, VXLAN, Teredo... are DECODE_NOT_TCP.
 *
 * Status, as tcpdump tells them apart: DECODE_TRUNCATED when the snaplen cut a header that is
 * valid so far; DECODE_MALFORMED when a header is impossible whatever was captured (version,
 * IHL < 5, IP length below the headers it must hold, TCP data offset < 5 or beyond the IP
 * payload); DECODE_OK with payload_caplen < payload_len when only the payload was cut.
 * DECODE_FRAGMENT for IPv4 / IPv6 fragments (first ones too) of TCP, or behind AH / extension
 * headers where the upper layer cannot be seen; fragments of other protocols are DECODE_NOT_TCP.
 */
enum decode_status decode_frame(int dlt, const uint8_t *pkt, uint32_t caplen, uint32_t wirelen,
				struct segment *seg);

/* Returns "ok", "not_tcp", "truncated", "malformed", "fragment", "unsupported", or "?". */
const char *decode_status_name(enum decode_status st);

/*
 * Returns the link type's libpcap name without the DLT_ prefix ("EN10MB", "LINUX_SLL2", ...)
 * for the types decode_frame() handles, and "?" for any other (pcap_datalink_val_to_name()
 * names those).
 */
const char *decode_dlt_name(int dlt);

/* Returns 1 when decode_frame() decodes link type dlt, 0 when it would say DECODE_UNSUPPORTED. */
int decode_dlt_supported(int dlt);

#endif
