/* merge.h - combines case databases of different inputs (e.g. shards) into one. */
#ifndef PCAPSTATE_MERGE_H
#define PCAPSTATE_MERGE_H

#include <stddef.h>

/*
 * Merges the case databases inputs[0..n) into out, which is created if absent or appended to
 * (after removing any interrupted run of its own, as store_begin_run does). Every source is
 * checked before anything is written: a file that is not a pcapstate case database of this
 * schema version, that is out itself, or that still holds a 'running' input (an interrupted
 * analysis: analyse it again first) is refused with a message naming it.
 * Rows are copied in a deterministic order: sources in argument order, then by id within each;
 * input and flow ids are renumbered after out's largest, transitions and anomalies get the
 * next ids in their source order, and every reference follows its row. An input whose SHA-256
 * is already finished in out (or in an earlier source; an input that was never hashed matches
 * on path, size, status and error) is skipped with its flows (flows follow
 * the input of their first packet; their rows that point at a skipped input point at the copy
 * already in out), as are that input's host- and capture-level anomalies.
 * Sources are attached read-only, up to SQLite's attach limit (10) per transaction: with at
 * most 10 sources the merge is one transaction; with more, each group of 10 is one, and a
 * failure keeps the groups already committed (each input whole; running it again skips them).
 * Returns the number of inputs added (0 when all were already present), or -1 with a message
 * in err (the failed group rolled back; out keeps what it had).
 */
int merge_run(const char *out, const char *const *inputs, int n, char *err, size_t errlen);

#endif
