/* The detection pipeline shared by `hunt` and `serve`: sources hand it work --
 * messages to decode (a syslog line, a JSON object) or events already decoded -- in
 * batches; worker threads decode and evaluate the batches against the compiled rules
 * (one detection context each, sharing the immutable program); the caller's thread
 * replays each batch's matches in submission order, feeds the correlation engine and
 * hands every hit to the sink.  The replay order makes the result independent of the
 * number of threads: with N workers the sink sees exactly what it sees with none.
 *
 * Threading: every ww_pipe_* call comes from one thread, the one that owns the
 * pipeline; the sink's callbacks run on it too. */
#ifndef WW_PIPELINE_H
#define WW_PIPELINE_H

#include "detect/ww_detect.h"
#include "event/ww_event.h"
#include "sigma/ww_sigma.h"

#define WW_PIPE_BATCH 128 /* messages or events per batch */
#define WW_PIPE_MAX_THREADS 256

/* A correlation's refs name their events as (source << WW_PIPE_REF_SHIFT) | index. */
#define WW_PIPE_REF_SHIFT 40
#define WW_PIPE_REF_INDEX(ref) ((ref) & ((UINT64_C(1) << WW_PIPE_REF_SHIFT) - 1))
#define WW_PIPE_REF_SOURCE(ref) ((uint32_t)((ref) >> WW_PIPE_REF_SHIFT))

typedef struct ww_pipe ww_pipe_t;

/* One rule that fired: on one event (ev set) or as a correlation (corr set). */
typedef struct ww_pipe_hit {
    const ww_sigma_rule_t *rule;
    const ww_event_t *ev;
    const ww_corr_alert_t *corr;
    uint32_t source; /* the submitter's number for where the event came from */
    uint64_t index;  /* the record there: a file's record index, a spool sequence */
} ww_pipe_hit_t;

typedef struct ww_pipe_sink {
    /* Every match of a rule that alerts (rule->alert), and every correlation alert. */
    void (*hit)(void *ud, const ww_pipe_hit_t *h);
    /* Optional: each event, after its hits. */
    void (*event)(void *ud, const ww_event_t *ev, uint32_t source, uint64_t index);
    /* Optional: a message that could not be decoded (d says why). */
    void (*bad)(void *ud, uint32_t source, uint64_t index, const ww_diag_t *d);
    /* Optional: a batch has been replayed in full; `mark` is what ww_pipe_flush or the
     * last ww_pipe_add_* was given (a spool sequence to checkpoint, say). */
    void (*done)(void *ud, uint64_t mark);
    void *ud;
} ww_pipe_sink_t;

typedef struct ww_pipe_stats {
    uint64_t batches, messages, events, bad, hits, nomem;
} ww_pipe_stats_t;

/* nthreads 0 or 1: everything on the caller's thread, as the batches fill.  corr may
 * be NULL.  prog and corr are borrowed. */
int ww_pipe_new(ww_detect_t *prog, ww_corr_t *corr, int nthreads, const ww_pipe_sink_t *sink,
                ww_pipe_t **out);
/* Replays everything submitted, then frees. */
void ww_pipe_free(ww_pipe_t *p);

/* Adds one message in format fmt (WW_FMT_SYSLOG, WW_FMT_JSON, WW_FMT_TEXT) from
 * `source`, record `index`; `mark` is passed to the sink's done() with its batch.
 * The bytes are copied.  A syslog or text message is one line: control characters in
 * it (a multi-line frame) are written as #ooo, as rsyslog writes them, so a message
 * decodes here exactly as it would from rsyslog's file.  Replays finished batches as
 * it goes; waits when every batch is in flight.  0 or WW_ENOMEM. */
int ww_pipe_add_message(ww_pipe_t *p, uint32_t source, int fmt, uint64_t index, uint64_t mark,
                        const void *msg, size_t n);
/* Submits the batch being filled, even when not full. */
void ww_pipe_flush(ww_pipe_t *p);
/* Submits, waits for and replays everything. */
void ww_pipe_drain(ww_pipe_t *p);
/* End of input: ww_pipe_drain, then the correlations' window ends (ww_corr_flush). */
void ww_pipe_finish(ww_pipe_t *p);

void ww_pipe_get_stats(const ww_pipe_t *p, ww_pipe_stats_t *out);

#endif
