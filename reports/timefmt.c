/* timefmt.c - nanosecond timestamps to and from ISO 8601 UTC and epoch seconds, without the C library's time zone state. */
#include "report.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define NS_PER_S 1000000000LL
/* int64 nanoseconds reach 2262-04-11; keep whole seconds strictly inside that range. */
#define MAX_ABS_SECONDS 9223372035LL

/*
 * Days since 1970-01-01 of a proleptic Gregorian date and back (H. Hinnant's algorithms).
 * gmtime/timegm would do, but timegm is not C11 and both go through the libc zone machinery.
 */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* Floor division, so times before 1970 still get a fraction in [0, 1 s). */
static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t timefmt_floor(int64_t ns, int64_t unit)
{
	return floor_div(ns, unit) * unit;
}

void timefmt_iso(int64_t ns, char out[40])
{
	int64_t secs = floor_div(ns, NS_PER_S);
	int64_t frac = ns - secs * NS_PER_S;
	int64_t days = floor_div(secs, 86400);
	int64_t sod = secs - days * 86400;
	int64_t y;
	int m, d;

	char buf[96];   /* roomy, so the compiler can prove no truncation; int64 ns gives 30 chars */

	civil_from_days(days, &y, &m, &d);
	snprintf(buf, sizeof buf, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02d.%09" PRId64 "Z", y, m, d,
	    (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60), frac);
	memcpy(out, buf, 40);
	out[39] = '\0';
}

void timefmt_duration(int64_t ns, char out[32])
{
	const char *sign = ns < 0 ? "-" : "";
	uint64_t a = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	uint64_t s = a / NS_PER_S;

	if (a < 1000)
		snprintf(out, 32, "%s%" PRIu64 " ns", sign, a);
	else if (a < 1000000)
		snprintf(out, 32, "%s%.1f \xc2\xb5s", sign, (double)a / 1e3);
	else if (a < (uint64_t)NS_PER_S)
		snprintf(out, 32, "%s%.1f ms", sign, (double)a / 1e6);
	else if (s < 60)
		snprintf(out, 32, "%s%.3f s", sign, (double)a / 1e9);
	else if (s < 3600)
		snprintf(out, 32, "%s%" PRIu64 " min %02" PRIu64 " s", sign, s / 60, s % 60);
	else if (s < 86400)
		snprintf(out, 32, "%s%" PRIu64 " h %02" PRIu64 " min", sign, s / 3600, s / 60 % 60);
	else
		snprintf(out, 32, "%s%" PRIu64 " d %02" PRIu64 " h", sign, s / 86400, s / 3600 % 24);
}

/* Reads exactly n decimal digits at *p into *v and advances; returns -1 if they are not there. */
static int digits(const char **p, int n, int *v)
{
	int x = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return -1;
		x = x * 10 + (c - '0');
	}
	*p += n;
	*v = x;
	return 0;
}

/* Reads ".ddd" (1 to 9 digits) as nanoseconds; nothing there gives 0. */
static int fraction(const char **p, int64_t *ns)
{
	int64_t v = 0;
	int n = 0;

	*ns = 0;
	if (**p != '.' && **p != ',')   /* ISO 8601 allows the comma */
		return 0;
	(*p)++;
	while (**p >= '0' && **p <= '9') {
		if (++n > 9)
			return -1;             /* finer than a nanosecond: refuse rather than round */
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	if (n == 0)
		return -1;
	for (int i = n; i < 9; i++)
		v *= 10;
	*ns = v;
	return 0;
}

static int parse_epoch(const char *p, int64_t *ns_out)
{
	int neg = *p == '-';
	int64_t secs = 0, frac;
	int n = 0;

	if (neg)
		p++;
	while (*p >= '0' && *p <= '9') {
		secs = secs * 10 + (*p++ - '0');
		if (++n > 10 || secs > MAX_ABS_SECONDS)
			return -1;
	}
	if (n == 0 || fraction(&p, &frac) < 0 || *p != '\0')
		return -1;
	*ns_out = neg ? -(secs * NS_PER_S + frac) : secs * NS_PER_S + frac;
	return 0;
}

static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int parse_iso(const char *p, int64_t *ns_out)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h = 0, mi = 0, s = 0, oh = 0, om = 0, sign = 0;
	int64_t frac = 0;

	if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 || *p++ != '-' ||
	    digits(&p, 2, &d) < 0)
		return -1;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) < 0 || *p++ != ':' || digits(&p, 2, &mi) < 0)
			return -1;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &s) < 0 || fraction(&p, &frac) < 0)
				return -1;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			sign = *p++ == '-' ? -1 : 1;
			if (digits(&p, 2, &oh) < 0)
				return -1;
			if (*p == ':')
				p++;
			if (*p != '\0' && digits(&p, 2, &om) < 0)
				return -1;
		}
	}
	if (*p != '\0')
		return -1;
	if (y < 1677 || y > 2262 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap(y)) || h > 23 || mi > 59 || s > 59 ||
	    oh > 23 || om > 59)
		return -1;
	int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s -
	    sign * (oh * 3600 + om * 60);
	if (secs > MAX_ABS_SECONDS || secs < -MAX_ABS_SECONDS)
		return -1;
	*ns_out = secs * NS_PER_S + frac;
	return 0;
}

int timefmt_parse(const char *s, int64_t *ns_out)
{
	if (s == NULL || *s == '\0')
		return -1;
	/* A date always has '-' after four digits; epoch seconds never do. */
	if (strlen(s) >= 5 && s[4] == '-' && s[0] != '-')
		return parse_iso(s, ns_out);
	return parse_epoch(s, ns_out);
}
