/* main.c - the pcapstate command line: subcommand dispatch and option parsing only. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "merge.h"
#include "report.h"
#include "run.h"

#define NS 1000000000LL

static const char usage_text[] =
"usage: pcapstate analyze [-d DB] [-r FILE|DIR|-]... [-V LISTFILE] [-q] [--progress]\n"
"                         [--msl SECONDS] [--idle-timeout SECONDS] [--stuck SECONDS]\n"
"                         [--syn-flood N] [--time-wait-pileup N] [--max-flows N]\n"
"                         [BPF expression...]\n"
"       pcapstate report  [-d DB] (--html FILE | --csv DIR) [--flow UID] [--max-rows N]\n"
"       pcapstate netstat [-d DB] --at TIME [--host ADDR]\n"
"                         [--naming rfc|linux|bsd|windows|solaris]\n"
"       pcapstate merge   -o DB SHARD.db...\n"
"       pcapstate --help | --version\n"
"\n"
"Reconstructs the RFC 9293 state history of both endpoints of every TCP connection in\n"
"pcap/pcapng captures (gzip, zstd and xz too) into a SQLite case database (default\n"
"pcapstate.db), and renders HTML, CSV and netstat views from it.\n"
"\n"
"Exit status: 0 complete; 1 complete but some input was damaged; 2 usage or filter error;\n"
"3 an input cannot be opened or is not a capture; 4 database or output failure;\n"
"5 internal error; 130 interrupted (SIGINT/SIGTERM; committed results are kept).\n"
"See pcapstate(1) for every option.\n";

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "pcapstate: %s\nTry 'pcapstate --help'.\n", msg);
	return 2;
}

static int parse_num(const char *s, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	run_interrupted = 1;
}

/* Joins the trailing arguments into one BPF expression, as tcpdump does. */
static char *join_args(int argc, char **argv)
{
	size_t len = 1;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *s = calloc(1, len);
	if (s == NULL)
		return NULL;
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

enum { OPT_PROGRESS = 256, OPT_MSL, OPT_IDLE, OPT_STUCK, OPT_SYNFLOOD, OPT_TWPILE, OPT_MAXFLOWS,
	OPT_HTML, OPT_CSV, OPT_FLOW, OPT_MAXROWS, OPT_AT, OPT_HOST, OPT_NAMING };

static int cmd_analyze(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "read", required_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "progress", no_argument, NULL, OPT_PROGRESS },
		{ "msl", required_argument, NULL, OPT_MSL },
		{ "idle-timeout", required_argument, NULL, OPT_IDLE },
		{ "stuck", required_argument, NULL, OPT_STUCK },
		{ "syn-flood", required_argument, NULL, OPT_SYNFLOOD },
		{ "time-wait-pileup", required_argument, NULL, OPT_TWPILE },
		{ "max-flows", required_argument, NULL, OPT_MAXFLOWS },
		{ NULL, 0, NULL, 0 }
	};
	struct run_opts o = { .db = "pcapstate.db" };
	char err[512];
	double v;
	int c, rc;

	analyze_default_opts(&o.aopt);
	o.progress = isatty(STDERR_FILENO);
	while ((c = getopt_long(argc, argv, "+d:r:V:q", lo, NULL)) != -1) {
		switch (c) {
		case 'd': o.db = optarg; break;
		case 'r':
			if (inputs_add(&o.inputs, optarg, err, sizeof err) != 0) {
				fprintf(stderr, "pcapstate: %s\n", err);
				inputs_free(&o.inputs);
				return 3;
			}
			break;
		case 'V':
			if (inputs_add_listfile(&o.inputs, optarg, err, sizeof err) != 0) {
				fprintf(stderr, "pcapstate: %s\n", err);
				inputs_free(&o.inputs);
				return 3;
			}
			break;
		case 'q': o.quiet = true; o.progress = false; break;
		case OPT_PROGRESS: o.progress = true; break;
		case OPT_MSL:
		case OPT_IDLE:
		case OPT_STUCK:
			if (parse_num(optarg, 0, 1e7, &v) != 0) {
				inputs_free(&o.inputs);
				return usage_error("bad number of seconds: '%s'", optarg);
			}
			if (c == OPT_MSL) o.aopt.msl_ns = (int64_t)(v * NS);
			else if (c == OPT_IDLE) o.aopt.idle_ns = (int64_t)(v * NS);
			else o.aopt.stuck_ns = (int64_t)(v * NS);
			break;
		case OPT_SYNFLOOD:
		case OPT_TWPILE:
		case OPT_MAXFLOWS:
			if (parse_num(optarg, 1, 1e12, &v) != 0) {
				inputs_free(&o.inputs);
				return usage_error("bad count: '%s'", optarg);
			}
			if (c == OPT_SYNFLOOD) o.aopt.syn_flood_threshold = (uint32_t)v;
			else if (c == OPT_TWPILE) o.aopt.tw_pileup_threshold = (uint32_t)v;
			else o.aopt.max_flows = (size_t)v;
			break;
		default:
			inputs_free(&o.inputs);
			fprintf(stderr, "Try 'pcapstate --help'.\n");
			return 2;
		}
	}
	if (o.inputs.n == 0) {
		inputs_free(&o.inputs);
		for (int i = optind; i < argc; i++)
			if (access(argv[i], F_OK) == 0) {
				fprintf(stderr, "pcapstate: analyze needs -r before a capture file\n"
				    "pcapstate: hint: '%s' looks like a capture file; read it with -r %s\n",
				    argv[i], argv[i]);
				return 2;
			}
		return usage_error("%s", "analyze needs at least one input (-r FILE|DIR|-, or -V LISTFILE)");
	}
	char *filter = NULL;
	if (optind < argc && (filter = join_args(argc - optind, argv + optind)) == NULL) {
		inputs_free(&o.inputs);
		return 5;
	}
	o.filter = filter;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	rc = run_analyze(&o);
	free(filter);
	inputs_free(&o.inputs);
	return rc;
}

static int cmd_report(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "html", required_argument, NULL, OPT_HTML },
		{ "csv", required_argument, NULL, OPT_CSV },
		{ "flow", required_argument, NULL, OPT_FLOW },
		{ "max-rows", required_argument, NULL, OPT_MAXROWS },
		{ NULL, 0, NULL, 0 }
	};
	const char *db = "pcapstate.db", *html = NULL, *csv = NULL, *flow = NULL;
	long max_rows = REPORT_MAX_ROWS_DEFAULT;
	double v;
	int c;
	while ((c = getopt_long(argc, argv, "+d:", lo, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case OPT_HTML: html = optarg; break;
		case OPT_CSV: csv = optarg; break;
		case OPT_FLOW: flow = optarg; break;
		case OPT_MAXROWS:
			if (parse_num(optarg, 1, 1e9, &v) != 0)
				return usage_error("bad --max-rows: '%s'", optarg);
			max_rows = (long)v;
			break;
		default:
			fprintf(stderr, "Try 'pcapstate --help'.\n");
			return 2;
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if ((html == NULL) == (csv == NULL))
		return usage_error("%s", "report needs exactly one of --html FILE or --csv DIR");
	if (csv && flow)
		return usage_error("%s", "--flow goes with --html");
	return html ? report_html(db, html, flow, max_rows) : report_csv(db, csv);
}

static int cmd_netstat(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "at", required_argument, NULL, OPT_AT },
		{ "host", required_argument, NULL, OPT_HOST },
		{ "naming", required_argument, NULL, OPT_NAMING },
		{ NULL, 0, NULL, 0 }
	};
	const char *db = "pcapstate.db", *at = NULL, *host = NULL, *naming = "rfc";
	int c;
	while ((c = getopt_long(argc, argv, "+d:", lo, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case OPT_AT: at = optarg; break;
		case OPT_HOST: host = optarg; break;
		case OPT_NAMING: naming = optarg; break;
		default:
			fprintf(stderr, "Try 'pcapstate --help'.\n");
			return 2;
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (at == NULL)
		return usage_error("%s", "netstat needs --at TIME (ISO 8601 or epoch seconds)");
	return report_netstat(db, at, host, naming, stdout);
}

static int cmd_merge(int argc, char **argv)
{
	const char *out = NULL;
	char err[1024];
	int c;
	while ((c = getopt(argc, argv, "+o:")) != -1) {
		if (c == 'o')
			out = optarg;
		else {
			fprintf(stderr, "Try 'pcapstate --help'.\n");
			return 2;
		}
	}
	if (out == NULL || optind >= argc)
		return usage_error("%s", "merge needs -o OUT.db and at least one database");
	int added = merge_run(out, (const char *const *)(argv + optind), argc - optind, err, sizeof err);
	if (added < 0) {
		fprintf(stderr, "pcapstate: %s\n", err);
		return 4;
	}
	fprintf(stderr, "pcapstate: %d input%s merged into %s\n", added, added == 1 ? "" : "s", out);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("%s", "missing subcommand (analyze, report, netstat, merge)");
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("pcapstate %s\n", PACKAGE_VERSION);
		return 0;
	}
	argc--;
	argv++;
	optind = 1;
	if (strcmp(cmd, "analyze") == 0)
		return cmd_analyze(argc, argv);
	if (strcmp(cmd, "report") == 0)
		return cmd_report(argc, argv);
	if (strcmp(cmd, "netstat") == 0)
		return cmd_netstat(argc, argv);
	if (strcmp(cmd, "merge") == 0)
		return cmd_merge(argc, argv);
	return usage_error("unknown subcommand '%s'", cmd);
}
