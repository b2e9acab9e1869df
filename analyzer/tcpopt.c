/* tcpopt.c - parses the TCP option list (RFC 9293 3.2) into struct tcp_opts. */
#include "tcpopt.h"

/* Option kinds (IANA "TCP Option Kind Numbers"). */
enum {
	OPT_EOL = 0,        /* RFC 9293 3.2 */
	OPT_NOP = 1,        /* RFC 9293 3.2 */
	OPT_MSS = 2,        /* RFC 9293 3.2, 3.7.1 */
	OPT_WSCALE = 3,     /* RFC 7323 2.2 */
	OPT_SACK_PERM = 4,  /* RFC 2018 2 */
	OPT_SACK = 5,       /* RFC 2018 3 */
	OPT_TS = 8,         /* RFC 7323 3.2 */
};

/*
 * The length a known kind must have (0: any length >= 2, the generic rule).  tcpdump stops
 * at a known option with a wrong length ("[bad opt]"); we do the same, since once one length is
 * wrong the bytes after it cannot be trusted to be options at all.
 */
static unsigned fixed_len(uint8_t kind)
{
	switch (kind) {
	case OPT_MSS: return 4;
	case OPT_WSCALE: return 3;
	case OPT_SACK_PERM: return 2;
	case OPT_TS: return 10;
	default: return 0;
	}
}

void tcpopt_parse(struct cursor c, struct tcp_opts *out)
{
	*out = (struct tcp_opts){0};
	uint8_t kind, len;
	while (cur_u8(&c, &kind)) {
		if (kind == OPT_EOL)
			return; /* RFC 9293 3.2: end of the option list; the rest is padding */
		if (kind == OPT_NOP)
			continue;
		/* Every other kind has a length octet counting kind and length (RFC 9293 3.2). */
		struct cursor body;
		if (!cur_u8(&c, &len) || len < 2 || !cur_sub(&c, (size_t)len - 2, &body)) {
			out->malformed = true;
			return;
		}
		unsigned want = fixed_len(kind);
		if (want && len != want) {
			out->malformed = true;
			return;
		}
		switch (kind) {
		case OPT_MSS:
			out->has_mss = cur_u16(&body, &out->mss);
			break;
		case OPT_WSCALE:
			/* Kept raw: RFC 7323 2.3 clamps a shift above 14 to 14, the state machine decides. */
			out->has_wscale = cur_u8(&body, &out->wscale);
			break;
		case OPT_SACK_PERM:
			out->sack_permitted = true;
			break;
		case OPT_TS:
			out->has_ts = cur_u32(&body, &out->tsval) && cur_u32(&body, &out->tsecr);
			break;
		case OPT_SACK:
			/* RFC 2018 3: 2 + 8n octets, n >= 1; 40 option bytes leave room for at most 4. */
			if (len < 10 || (len - 2) % 8 != 0) {
				out->malformed = true;
				return;
			}
			out->nsack = 0;
			while (out->nsack < TCPOPT_MAX_SACK && cur_u32(&body, &out->sack[out->nsack][0]) &&
			       cur_u32(&body, &out->sack[out->nsack][1]))
				out->nsack++;
			break;
		default:
			break; /* unknown or uninteresting kind: already skipped by its length */
		}
	}
}
