/* anomaly.h - the anomaly catalogue as an enum with names, severities and descriptions. */
#ifndef PCAPSTATE_ANOMALY_H
#define PCAPSTATE_ANOMALY_H

enum anomaly_kind {
#define A(e, name, sev, scope, desc) e,
#include "anomaly.def"
#undef A
	AN_MAX
};

struct anomaly_info {
	const char *name, *severity, *scope, *description;
};

/* Returns the catalogue entry of kind k (k must be < AN_MAX). */
const struct anomaly_info *anomaly_info(enum anomaly_kind k);

#endif
