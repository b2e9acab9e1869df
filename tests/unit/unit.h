/* unit.h - a minimal unit-test harness: CHECK macros, a pass/fail tally, automake exit codes. */
#ifndef PCAPSTATE_UNIT_H
#define PCAPSTATE_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_passed, unit_failed;

#define CHECK(cond) do { \
	if (cond) unit_passed++; \
	else { unit_failed++; fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

#define CHECK_INT(a, b) do { \
	long long _a = (long long)(a), _b = (long long)(b); \
	if (_a == _b) unit_passed++; \
	else { unit_failed++; fprintf(stderr, "%s:%d: FAILED: %s == %s (%lld != %lld)\n", \
	    __FILE__, __LINE__, #a, #b, _a, _b); } \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *_a = (a), *_b = (b); \
	if (_a && _b && strcmp(_a, _b) == 0) unit_passed++; \
	else { unit_failed++; fprintf(stderr, "%s:%d: FAILED: %s == %s (\"%s\" != \"%s\")\n", \
	    __FILE__, __LINE__, #a, #b, _a ? _a : "(null)", _b ? _b : "(null)"); } \
} while (0)

/* Prints the tally and returns the automake exit status (0 pass, 1 fail). */
static inline int unit_done(const char *name)
{
	printf("%s: %d checks passed, %d failed\n", name, unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}

#endif
