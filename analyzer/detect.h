/* detect.h - per-flow anomaly detectors, called by the pipeline at fixed points. */
#ifndef PCAPSTATE_DETECT_H
#define PCAPSTATE_DETECT_H

#include "analyze.h"
#include "seqtrack.h"

/* After the sequence facts of a segment are known, before the state machine runs. */
void detect_on_segment(struct analyzer *an, struct flow *f, int dir, const struct segment *seg,
    const struct seqfacts *ff);
/* An acceptable RST from endpoint dir, before the state machine applies it. */
void detect_on_rst(struct analyzer *an, struct flow *f, int dir, const struct segment *seg);
/* Every real state change (from != to), from endpoint_set_state. */
void detect_on_transition(struct analyzer *an, struct flow *f, int ep, int from, int to,
    int evidence, int64_t ts, int64_t input_id, uint64_t frame);
/* When the flow ends, before its row is written: the end-of-flow judgements. */
void detect_on_finish(struct analyzer *an, struct flow *f);

#endif
