/* The detection pipeline shared by `hunt` and `serve`: sources hand it work in
 * batches of three kinds -- messages to decode (a syslog line, a JSON object: serve's
 * inputs), events the owner decoded itself (an input read one record after another),
 * and byte ranges of an input the workers decode themselves (a file's lines, an EVTX
 * file's chunks: hunt); worker threads decode and evaluate the batches against the
 * compiled rules (one detection context each, sharing the immutable program); the
 * owner's thread replays each batch's matches in submission order, feeds the
 * correlation engine and hands every hit to the sink.  The replay order makes the
 * result independent of the number of threads: with N workers the sink sees exactly
 * what it sees with none.
 *
 * Threading: every ww_pipe_* call comes from one thread, the one that owns the
 * pipeline; the sink's callbacks run on it too. */
#ifndef WW_PIPELINE_H
#define WW_PIPELINE_H

#include "detect/ww_detect.h"
#include "event/ww_event.h"
#include "sigma/ww_sigma.h"

#define WW_PIPE_BATCH 128 /* messages or events per batch (syslog messages: 512) */
#define WW_PIPE_MAX_THREADS 256

/* A correlation's refs name their events as (source << WW_PIPE_REF_SHIFT) | position:
 * the event's 1-based line with WW_PIPE_REF_LINE set when it has one (a text input),
 * else its record index. */
#define WW_PIPE_REF_SHIFT 40
#define WW_PIPE_REF_LINE (UINT64_C(1) << 39)
#define WW_PIPE_REF_POS(ref) ((ref) & (WW_PIPE_REF_LINE - 1))
#define WW_PIPE_REF_INDEX(ref) WW_PIPE_REF_POS(ref) /* when WW_PIPE_REF_LINE is clear */
#define WW_PIPE_REF_SOURCE(ref) ((uint32_t)((ref) >> WW_PIPE_REF_SHIFT))

typedef struct ww_pipe ww_pipe_t;

/* One rule that fired: on one event (ev set) or as a correlation (corr set). */
typedef struct ww_pipe_hit {
    const ww_sigma_rule_t *rule;
    const ww_event_t *ev;
    const ww_corr_alert_t *corr;
    uint32_t source; /* the submitter's number for where the event came from */
    uint64_t index;  /* the record there: a file's record index, a spool sequence */
    uint64_t line;   /* the record's 1-based line in a text input, 0 when none */
    int fmt;         /* the format it was decoded from (WW_FMT_*) */
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
    /* Optional: a match of a suppression's shadow rule (what the suppression removed;
       never a hit, never fed to correlations). */
    void (*suppressed)(void *ud, const ww_sigma_rule_t *shadow);
} ww_pipe_sink_t;

typedef struct ww_pipe_stats {
    uint64_t batches, messages, events, bad, hits, nomem;
} ww_pipe_stats_t;

/* nthreads 0 or 1: everything on the caller's thread, as the batches fill.  corr may
 * be NULL.  prog and corr are borrowed.  prog may be NULL: no rules are evaluated, only
 * the matcher (ww_pipe_set_matcher) runs. */
int ww_pipe_new(ww_detect_t *prog, ww_corr_t *corr, int nthreads, const ww_pipe_sink_t *sink,
                ww_pipe_t **out);
/* Replays everything submitted, then frees. */
void ww_pipe_free(ww_pipe_t *p);

/* The syslog history (see ww_pipeline.c): what the next syslog batch is decoded after,
 * so that an sshd line without an address finds its session in messages handed in
 * before it.  history_add appends a syslog message as if it had been processed (a
 * server's restart seeds it from the messages before its checkpoint); history_copy
 * gives `to` the history of `from` (a reload's new pipeline).  0 or WW_ENOMEM (the
 * history is then empty, or as it was). */
int ww_pipe_history_add(ww_pipe_t *p, const void *msg, size_t n);
int ww_pipe_history_copy(ww_pipe_t *to, const ww_pipe_t *from);

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

/* A second matcher beside the rules (threat-intelligence indicators, lib/intel): match
 * runs on the workers for every decoded event and reports each hit as a number through
 * emit; at replay, on the owner's thread, rule() turns the number into the rule the
 * hit is raised under, and the sink's hit() gets it after the event's rule hits (never
 * fed to correlations).  m is borrowed. */
typedef struct ww_pipe_matcher {
    void (*match)(const void *m, const ww_event_t *ev, void (*emit)(void *, uint32_t), void *ud);
    const ww_sigma_rule_t *(*rule)(void *m, uint32_t what);
    void *m;
} ww_pipe_matcher_t;
/* Sets (or with NULL removes) the matcher, after replaying everything submitted: the
 * previous one is no longer used once this returns. */
void ww_pipe_set_matcher(ww_pipe_t *p, const ww_pipe_matcher_t *mt);

void ww_pipe_get_stats(const ww_pipe_t *p, ww_pipe_stats_t *out);
/* Regular-expression evaluations that stopped at PCRE2's limits, over every worker's
 * context (see ww_detect_ctx_regex_errors); the first rule and why in *first and why. */
uint64_t ww_pipe_regex_errors(const ww_pipe_t *p, const ww_sigma_rule_t **first, char *why,
                              size_t whylen);

/* ---- events the owner decodes ----
 * The event to decode the next record into (kept until ww_pipe_event_commit or the
 * next call here: a record that fails to decode just leaves it for the next one), or
 * NULL without memory.  The event must own what it needs of its decoder's caches
 * (ww_event.h): it waits in the batch while the reader goes on. */
ww_event_t *ww_pipe_event_slot(ww_pipe_t *p, int fmt);
/* Submits the event ww_pipe_event_slot gave, as record `index` (1-based `line`, or 0)
 * of `source`.  Without workers it is evaluated and replayed at once. */
void ww_pipe_event_commit(ww_pipe_t *p, uint32_t source, uint64_t index, uint64_t line);

/* ---- ranges the workers decode ----
 * One run at a time: ww_pipe_ranges_begin names the input (a splittable reader, which
 * must outlive the run) and the number of its first record; ww_pipe_add_range hands out
 * bytes [start,end) of it (ends from ww_reader_cut), in order; ww_pipe_ranges_end waits
 * for them all.  Records are numbered and lines counted across the ranges as one
 * reader would.  A range with a bad record (or more records than a batch can hold)
 * fails the run: it and every later range of the run are dropped, so that the caller
 * can decode the rest on its own thread and report bad records as one reader does. */
void ww_pipe_ranges_begin(ww_pipe_t *p, uint32_t source, ww_reader_t *r, uint64_t base);
/* 0 when handed out; 1 when the run has failed already (stop handing out). */
int ww_pipe_add_range(ww_pipe_t *p, uint64_t start, uint64_t end);
/* Waits for the run.  0 when every range decoded; 1 when it failed: then *done holds
 * the records replayed (the ranges before the bad one) and *fail_at where the bad range
 * starts.  Either way *done is the records replayed. */
int ww_pipe_ranges_end(ww_pipe_t *p, uint64_t *done, uint64_t *fail_at);

/* Calls fn(arg) once every batch submitted so far has been replayed (at once when none
 * is pending): frees a reader the batches still point into. */
void ww_pipe_defer(ww_pipe_t *p, void (*fn)(void *), void *arg);

#endif
