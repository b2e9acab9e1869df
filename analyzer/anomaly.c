/* anomaly.c - the anomaly catalogue table, built from anomaly.def. */
#include "anomaly.h"

static const struct anomaly_info catalogue[AN_MAX] = {
#define A(e, name, sev, scope, desc) [e] = { name, sev, scope, desc },
#include "anomaly.def"
#undef A
};

const struct anomaly_info *anomaly_info(enum anomaly_kind k)
{
	return &catalogue[k];
}
