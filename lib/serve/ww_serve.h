/* The server behind `wardwatch serve`: inputs -> spool -> pipeline -> alert store.
 *
 *  - the network thread (ww_net) runs every syslog (UDP, TCP, TLS) and Beats
 *    listener; each message it receives is appended to the spool, and nothing is
 *    acknowledged (a Beats ack) before the spool says it is durable;
 *  - the spool's own thread makes appended records durable in groups (one
 *    fdatasync for many);
 *  - the consumer thread reads durable records after the checkpoint, runs them
 *    through the pipeline (decode, detect, correlate), stores each alert once under
 *    its stable id with its asset context and priority, commits the store, and only
 *    then moves the checkpoint: a crash anywhere replays from the checkpoint, and the
 *    alerts a replay raises again are refused by their ids.
 *
 * When the spool is full, TCP connections stop being read (the senders' kernels hold
 * the rest), a Beats window is refused (the client sends it again), and UDP datagrams,
 * which cannot wait, are counted as dropped.  Nothing is dropped silently. */
#ifndef WW_SERVE_H
#define WW_SERVE_H

#include "detect/ww_detect.h"
#include "serve/ww_serve_config.h"
#include "sigma/ww_sigma.h"

typedef struct ww_serve ww_serve_t;

/* Counters for `status` and /metrics.  Per input, then totals. */
typedef struct ww_serve_input_stats {
    const char *name;
    int port;          /* the port bound (useful when the config said 0) */
    uint64_t received; /* messages received */
    uint64_t accepted; /* appended to the spool */
    uint64_t rejected; /* refused: spool full (UDP: dropped), too large, empty */
    uint64_t connections, refused_connections, idle_closed, tls_failed, protocol_errors;
} ww_serve_input_stats_t;

typedef struct ww_serve_stats {
    ww_serve_input_stats_t *inputs;
    uint32_t ninputs;
    uint64_t spool_bytes, spool_max_bytes, durable_seq, processed_seq;
    uint64_t spool_history_bytes; /* processed segments kept for the warm-up */
    uint64_t events, bad_events, alerts_stored, alerts_repeated;
    uint64_t events_late;   /* older than the correlation watermark */
    uint64_t events_future; /* dated past the server's clock + the bound */
    uint64_t corr_groups;   /* correlation windows open (after the last turn) */
    uint64_t reloads, reloads_refused;
    int64_t lag_ns; /* arrival to alert store, the last batch */
} ww_serve_stats_t;

/* Opens the spool and the store, binds every input.  rs and prog are borrowed and
 * must outlive the server.  0, or WW_E* with diag naming the input or file. */
int ww_serve_start(const ww_serve_config_t *cfg, const ww_sigma_ruleset_t *rs, ww_detect_t *prog,
                   ww_serve_t **out, ww_diag_t *diag);
/* Runs until ww_serve_stop; then drains: stops reading, makes what was received
 * durable, processes what is durable, checkpoints.  0 or WW_E*. */
int ww_serve_run(ww_serve_t *s);
/* Any thread (a signal handler's thread): asks ww_serve_run to finish. */
void ww_serve_stop(ww_serve_t *s);

/* Loads the rules a reloaded config names: 0 with *rs and *prog (the caller keeps
 * owning them, and the old ones until the next successful reload), or non-zero with
 * why.  cfg is the new config (valid during the call). */
typedef int (*ww_serve_reload_fn)(void *ud, const ww_serve_config_t *cfg,
                                  const ww_sigma_ruleset_t **rs, ww_detect_t **prog, char *why,
                                  size_t whylen);
void ww_serve_on_reload(ww_serve_t *s, ww_serve_reload_fn fn, void *ud);
/* Async-signal-safe: at the next safe point (between two turns of the consumer),
 * read the config file again and apply what can change live: rules, placeholders,
 * detection threads and lateness, notifiers, the asset register.  Settings that need
 * a restart (inputs, state_dir, spool, metrics) are logged and keep their running
 * value; a config that fails to check is refused, and everything runs on (SIGHUP). */
void ww_serve_reload(ww_serve_t *s);
void ww_serve_free(ww_serve_t *s);

/* A snapshot of the counters; inputs points into s and is valid until the next call. */
void ww_serve_get_stats(ww_serve_t *s, ww_serve_stats_t *out);
/* The counters in Prometheus' text format (what GET /metrics answers). */
void ww_serve_metrics(ww_serve_t *s, ww_buf_t *out);
/* The metrics listener's port (0 when none is configured). */
int ww_serve_metrics_port(const ww_serve_t *s);
/* The console's port (0 when the config has no console). */
int ww_serve_console_port(const ww_serve_t *s);

/* The server's log: one line "wardwatch serve: LEVEL: message" on stderr (journald),
 * control characters replaced, so that sender-controlled text quoted in a message
 * (a peer's TLS subject, a protocol error) cannot forge log lines.  For every input. */
void ww_serve_log(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
