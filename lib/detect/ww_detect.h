/* The detection engine: a ruleset compiled once into an immutable, reference-counted
 * program, evaluated against events through per-thread contexts (no locks on the hot
 * path), and the correlation engine that turns base-rule matches into correlation
 * alerts over sliding windows of event time. */
#ifndef WW_DETECT_H
#define WW_DETECT_H

#include "event/ww_event.h"
#include "sigma/ww_sigma.h"

/* ---- single-event detection ------------------------------------------------------ */

typedef struct ww_detect ww_detect_t;
typedef struct ww_detect_ctx ww_detect_ctx_t;

typedef struct ww_detect_opts {
    bool no_prefilter; /* evaluate every routed rule fully: the reference path that
                          differential tests compare the fast path with */
} ww_detect_opts_t;

/* Compiles every detection rule of a finished ruleset (correlation rules are skipped:
 * see ww_corr).  The ruleset must outlive the program.  A rule that cannot be compiled
 * (e.g. a regex PCRE2 refuses) is left out and reported through ww_detect_error().
 * opts may be NULL.  Returns 0 and *out, or WW_ENOMEM. */
int ww_detect_compile(const ww_sigma_ruleset_t *rs, const ww_detect_opts_t *opts,
                      ww_detect_t **out);
ww_detect_t *ww_detect_ref(ww_detect_t *d);
void ww_detect_unref(ww_detect_t *d);
uint32_t ww_detect_rule_count(const ww_detect_t *d); /* rules compiled */
uint32_t ww_detect_error_count(const ww_detect_t *d);
const ww_sigma_error_t *ww_detect_error(const ww_detect_t *d, uint32_t i);

/* Per-thread scratch.  Holds a reference to the program. */
int ww_detect_ctx_new(ww_detect_t *d, ww_detect_ctx_t **out);
void ww_detect_ctx_free(ww_detect_ctx_t *ctx);

typedef void (*ww_detect_fn)(void *ud, const ww_sigma_rule_t *rule);

/* Evaluates every rule whose logsource can apply to ev; calls fn once per matching
 * rule, in ruleset order.  Returns the number of matches. */
int ww_detect_event(ww_detect_ctx_t *ctx, const ww_event_t *ev, ww_detect_fn fn, void *ud);

/* Regex matches in this context that ended in an error instead of an answer: PCRE2's
 * match, depth or heap limit (WW_DETECT_RE_* in ww_detect_int.h; a backtracking-prone
 * pattern against a long value), the JIT stack, or any other matching error.  Each is
 * treated as "no match", so a non-zero count means results may be missing.  The count
 * only grows (it is per thread: sum it over contexts). */
uint64_t ww_detect_ctx_regex_errors(const ww_detect_ctx_t *ctx);
/* The first rule whose regex failed in this context (NULL when none), and PCRE2's
 * message for it in why (may be NULL; always NUL-terminated when whylen > 0).  The
 * rule belongs to the ruleset the program was compiled from. */
const ww_sigma_rule_t *ww_detect_ctx_regex_error_rule(const ww_detect_ctx_t *ctx, char *why,
                                                      size_t whylen);

/* ---- correlations ---------------------------------------------------------------- */

typedef struct ww_corr ww_corr_t;

typedef struct ww_corr_limits {
    uint32_t max_groups;           /* open groups per correlation rule (default 100000) */
    uint32_t max_events_per_group; /* events kept per group (default 1000) */
} ww_corr_limits_t;

typedef struct ww_corr_stats {
    uint64_t groups_open;    /* now */
    uint64_t groups_evicted; /* dropped because max_groups was reached */
    uint64_t events_dropped; /* not kept because max_events_per_group was reached */
    uint64_t late_events;    /* older than the window of their group; see docs */
    uint64_t alerts;
    uint64_t values_dropped; /* distinct values (value_count) not tracked because
                                max_events_per_group distinct values were already
                                held by the group */
    /* Stream mode only (ww_corr_set_stream): */
    uint64_t events_behind;  /* events observed older than the watermark */
    uint64_t matches_behind; /* matches not fed: older than the watermark */
    uint64_t events_future;  /* event times past wall clock + max_future, taken as that */
    uint64_t groups_closed;  /* groups closed or forgotten because the watermark passed
                                their window */
} ww_corr_stats_t;

typedef struct ww_corr_alert {
    const ww_sigma_rule_t *rule;    /* the correlation rule */
    const char *const *group_names; /* group-by names (aliases as written) */
    const ww_str_t *group_values;   /* their values for this group ("" when missing) */
    uint32_t ngroup;
    const uint64_t *refs; /* the refs passed to ww_corr_feed of the events that
                             fired it (oldest first; at most the per-group cap) */
    uint32_t nrefs;
    int64_t first_ts, last_ts; /* window of those events */
    double value;              /* what the condition measured: count, distinct
                                  values, sum, average, percentile */
} ww_corr_alert_t;

typedef void (*ww_corr_fn)(void *ud, const ww_corr_alert_t *a);

/* Builds state for every correlation rule of a finished ruleset.  lim may be NULL. */
int ww_corr_new(const ww_sigma_ruleset_t *rs, const ww_corr_limits_t *lim, ww_corr_t **out);
void ww_corr_free(ww_corr_t *c);
/* True when some correlation references `rule` (its matches must be fed). */
bool ww_corr_wants(const ww_corr_t *c, const ww_sigma_rule_t *rule);
/* Feeds one match of a detection (or correlation) rule.  `ref` is the caller's handle
 * for the event, returned in alerts.  Calls fn for each correlation alert raised. */
int ww_corr_feed(ww_corr_t *c, const ww_sigma_rule_t *rule, const ww_event_t *ev, uint64_t ref,
                 ww_corr_fn fn, void *ud);
/* End of input: raises alerts that can only be decided when a window closes (e.g.
 * `lt` conditions) and forgets all state. */
int ww_corr_flush(ww_corr_t *c, ww_corr_fn fn, void *ud);

/* Stream mode, for a monitor whose input never ends (`serve`; `hunt` does not use it,
 * so its results stay those of docs/correlations.md).  The engine keeps a watermark:
 * the newest event time seen minus lateness_ns.  Every window that ends before the
 * watermark is closed -- decided if it is decided at close, its state freed -- even
 * for a correlation no event reaches any more, so memory stays bounded on an endless
 * stream.  A match older than the watermark is late: it is not fed (the windows it
 * could join are closed) and counted in matches_behind.  An event time later than
 * the wall clock plus max_future_ns (a sender with a broken clock) is taken as that
 * bound, so one such event cannot push the watermark ahead and make every other event
 * late; it is counted in events_future.  now(now_ud) gives the wall clock in ns (NULL:
 * CLOCK_REALTIME).  Call before the first feed; 0 or WW_EINVAL. */
typedef struct ww_corr_stream {
    int64_t lateness_ns;   /* >= 0 */
    int64_t max_future_ns; /* >= 0 */
    int64_t (*now)(void *now_ud);
    void *now_ud;
} ww_corr_stream_t;
int ww_corr_set_stream(ww_corr_t *c, const ww_corr_stream_t *opt);
/* Stream mode: the time of every event (not only of matches), after its matches were
 * fed, in input order.  Moves the watermark and closes the windows it passed, raising
 * through fn the alerts decided at close.  Returns 1 when the event is late (older
 * than the watermark before it), 0 when not (or without a time, or not in stream
 * mode), or a negative WW_E* code. */
int ww_corr_observe(ww_corr_t *c, int64_t ts, ww_corr_fn fn, void *ud);
/* The watermark (stream mode), or WW_TIME_NONE before the first timed event. */
int64_t ww_corr_watermark(const ww_corr_t *c);
/* The longest timespan of the correlations in use (ns), 0 when there is none: how far
 * back in event time a restarted monitor must replay to rebuild its windows. */
int64_t ww_corr_max_span(const ww_corr_t *c);
void ww_corr_get_stats(const ww_corr_t *c, ww_corr_stats_t *out);

#endif
