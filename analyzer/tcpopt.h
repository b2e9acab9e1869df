/* tcpopt.h - parses the TCP option list (RFC 9293 3.2) into struct tcp_opts. */
#ifndef PCAPSTATE_TCPOPT_H
#define PCAPSTATE_TCPOPT_H

#include "cursor.h"
#include "segment.h"

/*
 * Parses the options area of one TCP header: opts is the cursor over exactly
 * data offset * 4 - 20 bytes.  Fills *out completely (it is cleared first).  An option whose
 * length is impossible (below 2, past the area, or wrong for its kind) sets out->malformed and
 * ends parsing; whatever was parsed before it is kept.  Unknown kinds are skipped by length.
 */
void tcpopt_parse(struct cursor opts, struct tcp_opts *out);

#endif
