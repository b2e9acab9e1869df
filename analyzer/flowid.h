/* flowid.h - stable flow identifiers: Community ID v1 and a deterministic Zeek-style uid. */
#ifndef PCAPSTATE_FLOWID_H
#define PCAPSTATE_FLOWID_H

#include <stdint.h>

#define FLOWID_COMMUNITY_LEN 64   /* buffer size; an ID is 30 characters plus NUL */
#define FLOWID_UID_LEN 24         /* buffer size; a uid is 18 characters plus NUL */

/*
 * Writes the Community ID v1 string ("1:" + base64 of a SHA-1) of a flow, the
 * same for both directions. Addresses are 4 (ip_version 4) or 16 (ip_version 6)
 * bytes in network order; ports are in host order. ICMP type/code mapping is
 * not done here: pass whatever the spec's port substitutes are. An ip_version
 * other than 4 or 6 yields "".
 */
void flowid_community(char out[FLOWID_COMMUNITY_LEN], int ip_version,
                      const uint8_t *saddr, const uint8_t *daddr,
                      uint16_t sport, uint16_t dport, uint8_t proto, uint16_t seed);

/*
 * Writes a uid like Zeek's ("C" + 17 base62 digits) that depends only on the
 * unordered endpoint pair and the first packet's timestamp, so a re-run over
 * the same capture reproduces it on any host. Address and port conventions as
 * above; an ip_version other than 4 or 6 yields "".
 */
void flowid_uid(char out[FLOWID_UID_LEN], int ip_version,
                const uint8_t *saddr, const uint8_t *daddr,
                uint16_t sport, uint16_t dport, int64_t first_ts_ns);

#endif
