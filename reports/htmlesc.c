/* htmlesc.c - HTML output that escapes by default: every database string reaches the page through here. */
#include "html.h"

#include "report.h"

#include <stdarg.h>
#include <string.h>

void htmlesc_putn(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i]; i++) {
		switch (s[i]) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(s[i], f);
		}
	}
}

void htmlesc_puts(FILE *f, const char *s)
{
	if (s)
		htmlesc_putn(f, s, strlen(s));
}

void htmlesc_printf(FILE *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			fputc(*p, f);
			continue;
		}
		switch (*++p) {
		case 's': htmlesc_puts(f, va_arg(ap, const char *)); break;
		case 'S': fputs(va_arg(ap, const char *), f); break;
		case 'd': fprintf(f, "%d", va_arg(ap, int)); break;
		case 'D': fprintf(f, "%lld", va_arg(ap, long long)); break;
		case 'F': fprintf(f, "%.1f", va_arg(ap, double)); break;
		case '%': fputc('%', f); break;
		default:
			/* A programming error: show it in the page rather than read a wrong argument. */
			fputs("%?", f);
			if (*p == '\0')
				p--;
		}
	}
	va_end(ap);
}

void htmlesc_endpoint(FILE *f, const char *addr, int port, int ipv6)
{
	htmlesc_printf(f, ipv6 ? "[%s]:%d" : "%s:%d", addr, port);
}

void htmlesc_count(FILE *f, long long v)
{
	char digits[24];
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	int n = snprintf(digits, sizeof digits, "%llu", u);

	if (v < 0)
		fputc('-', f);
	/* Thousands grouped with a thin space: unambiguous in every locale, unlike ',' or '.'. */
	for (int i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			fputs("\xe2\x80\x89", f);
		fputc(digits[i], f);
	}
}

void htmlesc_time(FILE *f, int64_t ns)
{
	char iso[40];

	timefmt_iso(ns, iso);
	iso[10] = '\0';
	/* A narrow column may break between date and time, nowhere else. */
	fprintf(f, "%s<wbr>T%s", iso, iso + 11);
}
