/* The configuration of `wardwatch serve`: one YAML file naming the state directory,
 * the rules, the spool's limits, the inputs (syslog over UDP, TCP and TLS, HTTP(S)
 * POST, Beats/Lumberjack, tailed files, RELP), the notifiers and the metrics listener.
 *
 * A config is accepted whole or refused with file:line:col and the reason (like the
 * fire-break map): unknown keys, wrong types, values out of range, two inputs on one
 * address, a TLS input without its certificate, an HTTP input without a token are all
 * errors, because a daemon that starts on a half-understood config is worse than one
 * that does not start.  Files the config names (certificates, keys, token files) are
 * checked for readability at load; token files are read then, so a token never has to
 * sit in the config itself.  docs/serve.md documents every key. */
#ifndef WW_SERVE_CONFIG_H
#define WW_SERVE_CONFIG_H

#include <sys/socket.h>

#include "util/ww_util.h"

#define WW_SC_MAX_BYTES (1u << 20) /* the config file */
#define WW_SC_MAX_INPUTS 64
#define WW_SC_MAX_NOTIFIERS 32
#define WW_SC_MAX_TOKENS 256 /* per HTTP input */
#define WW_SC_MAX_PATHS 256  /* globs per tail input, rule paths */
#define WW_SC_MIN_TOKEN 16   /* characters: shorter bearer tokens are guessable */
/* limits: memory -- what senders can make the server hold, above the rules' own. */
#define WW_SC_DEFAULT_MEMORY (512ull << 20)
#define WW_SC_MIN_MEMORY (16ull << 20)
#define WW_SC_DEF_LATENESS_MS (5u * 60 * 1000) /* detection: lateness */

enum {
    WW_IN_SYSLOG_UDP,
    WW_IN_SYSLOG_TCP,
    WW_IN_SYSLOG_TLS,
    WW_IN_HTTP,
    WW_IN_BEATS,
    WW_IN_TAIL,
    WW_IN_RELP, /* RELP (rsyslog's omrelp), on librelp: see serve/ww_relp.h */
};

enum { WW_NOTIFY_WEBHOOK, WW_NOTIFY_EMAIL, WW_NOTIFY_SYSLOG };

const char *ww_sc_input_type_name(int type);
const char *ww_sc_notify_type_name(int type);

typedef struct ww_sc_tls {
    const char *cert, *key; /* PEM files; both or neither */
    const char *client_ca;  /* PEM bundle: when set, clients must present a certificate it signed */
} ww_sc_tls_t;

typedef struct ww_sc_token {
    const char *name;  /* the sender it identifies, in metrics and logs */
    const char *value; /* the bearer token itself (read from token_file when given) */
} ww_sc_token_t;

typedef struct ww_sc_input {
    int type;
    const char *name; /* unique; defaults to "<type> <listen>" or "tail <first path>" */
    uint32_t line, col;
    /* Network inputs. */
    const char *listen; /* as written */
    struct sockaddr_storage addr;
    socklen_t addrlen;
    bool has_tls;
    ww_sc_tls_t tls;
    uint32_t max_connections;
    uint64_t max_frame;       /* bytes: syslog frame, Lumberjack payload, one HTTP event */
    uint64_t idle_timeout_ms; /* a connection quiet this long is closed (slowloris) */
    uint64_t max_body;        /* HTTP: request body */
    uint64_t recv_buffer;     /* UDP: SO_RCVBUF asked for; 0 the system's */
    ww_sc_token_t *tokens;    /* HTTP */
    uint32_t ntokens;
    /* Tail. */
    const char **paths; /* absolute globs */
    uint32_t npaths;
    bool from_start; /* a file first seen is read from its start (default: its end) */
    int format;      /* decoder hint (WW_FMT_*), WW_FMT_AUTO when not given */
} ww_sc_input_t;

typedef struct ww_sc_notifier {
    int type;
    const char *name;
    uint32_t line, col;
    int min_level;    /* WW_LEVEL_*: alerts below it are not sent */
    const char *url;  /* webhook: https URL; email: smtp:// or smtps:// server URL;
                         syslog: tcp://host:port or udp://host:port */
    const char *from; /* email */
    const char **to;  /* email recipients */
    uint32_t nto;
    const char *user, *password; /* email: SMTP login (password read from password_file) */
    bool cef;                    /* syslog: CEF lines (else RFC 5424 with JSON) */
    uint32_t retries;            /* attempts before the dead-letter record */
    uint64_t timeout_ms;         /* per attempt */
} ww_sc_notifier_t;

typedef struct ww_serve_config {
    const char *file;
    const char *state_dir; /* spool, alert store, checkpoints */
    /* Rules. */
    bool sigmahq, pack;
    const char **rule_paths;
    uint32_t nrule_paths;
    const char *placeholders, *suppress; /* NULL: those in $WARDWATCH_HOME */
    /* Spool. */
    const char *spool_dir; /* NULL: STATE_DIR/spool */
    uint64_t spool_max_bytes, spool_segment_bytes, commit_interval_ms;
    /* Detection. */
    uint32_t threads;     /* 0: one per core */
    uint64_t lateness_ms; /* how late an event may arrive and still join correlations */
    /* Limits. */
    uint64_t memory_bytes; /* cap on memory input controls (connections, bodies, backlog) */
    /* Alerts. */
    const char *register_db; /* the asset register (wardwatch assets --db), NULL: none */
    const char *link_base;   /* console URL notifiers link alerts to, NULL: none */
    /* Metrics. */
    const char *metrics_listen;
    struct sockaddr_storage metrics_addr;
    socklen_t metrics_addrlen;
    /* The console (lib/console; docs/console.md): none when listen is NULL. */
    struct {
        const char *listen; /* "127.0.0.1:8443" as written */
        const char *host;   /* its address part ("127.0.0.1", "::") */
        uint16_t port;
        const char *cert, *key; /* NULL: a self-signed pair in state_dir */
        const char **names;     /* extra names for the self-signed certificate */
        uint32_t nnames;
        bool plain_http; /* tests only; loopback only */
        uint32_t threads;
        const char *base_url, *trust_name, *firebreak_map;
        uint64_t idle_timeout_s, absolute_timeout_s;
        const char *service_desk, *phishing_address, *csoc_phone;
        uint32_t line;
    } console;
    ww_sc_input_t *inputs;
    uint32_t ninputs;
    ww_sc_notifier_t *notifiers;
    uint32_t nnotifiers;
    ww_arena_t arena; /* everything above */
} ww_serve_config_t;

/* Parses and validates a config; *out is freed with ww_serve_config_free.  file names
 * the config in diagnostics and is the base for relative paths in it (their folder). */
int ww_serve_config_parse(const char *buf, size_t len, const char *file, ww_serve_config_t **out,
                          ww_diag_t *diag);
int ww_serve_config_load(const char *path, ww_serve_config_t **out, ww_diag_t *diag);
void ww_serve_config_free(ww_serve_config_t *c);

/* "host:port", "[v6]:port" or ":port" (every address) into a socket address.  0, or
 * WW_EPARSE with why. */
int ww_sc_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len, char *why,
                       size_t whylen);

/* A duration as the config writes it ("5m", "90s", "250ms"). */
void ww_sc_duration_str(uint64_t ms, char *out, size_t n);

/* A readable summary of the config (inputs, notifiers, limits), for `serve --check`. */
void ww_serve_config_describe(const ww_serve_config_t *c, ww_buf_t *out);

#endif
