/* run.h - the analyze subcommand: inputs merged in time order through decode and analysis into the store. */
#ifndef PCAPSTATE_RUN_H
#define PCAPSTATE_RUN_H

#include <signal.h>
#include <stdbool.h>

#include "analyze.h"
#include "inputs.h"

struct run_opts {
	struct input_list inputs;
	const char *filter;          /* NULL or a BPF expression */
	const char *db;
	bool quiet, progress;
	struct analyze_opts aopt;
};

/* Set by the SIGINT/SIGTERM handler: the run stops at the next packet. */
extern volatile sig_atomic_t run_interrupted;

/* Returns the exit status documented in the README (0, 1, 2, 3, 4, 5, 130). */
int run_analyze(struct run_opts *o);

#endif
