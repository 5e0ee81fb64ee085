/* The HTTP(S) input of `serve`: POST /ingest (or any path ending in /ingest, e.g.
 * /api/v1/ingest) with NDJSON, a JSON array or one JSON object, optionally gzip,
 * deflate or zstd encoded -- what Fluent Bit's http output, NXLog's om_http and
 * Vector send -- authenticated by a bearer token per sender (libmicrohttpd, TLS by
 * GnuTLS).
 *
 * The reply tells the sender exactly what happened to its events:
 *   200  every event is durable in the spool;
 *   400  some lines were malformed: the reply names the first one's line (and how many
 *        there were); the well-formed ones are durable;
 *   401  no or wrong token (the same reply for both);
 *   400, 501  a malformed length, both a length and chunked; another transfer encoding;
 *   404, 405, 411, 413, 415  wrong path, not POST, no length, too large, not JSON;
 *   431  the request line and headers are over 32 KiB (libmicrohttpd);
 *   503 with Retry-After  the spool is full (or could not make the events durable in
 *        time), or the server is at limits: memory: nothing of the body was kept,
 *        send it again later.
 * A body is appended to the spool as one batch, all or nothing, so a retried body is
 * never half stored. */
#ifndef WW_HTTP_IN_H
#define WW_HTTP_IN_H

#include "serve/ww_serve.h"
#include "serve/ww_serve_config.h"
#include "serve/ww_net.h"
#include "spool/ww_spool.h"

typedef struct ww_http_in ww_http_in_t;

/* ---- the decision before the body (pure: no I/O, no state; fuzzed) ---- */

/* A request as libmicrohttpd parsed it: the request line and the headers that matter,
 * each NULL when absent. */
typedef struct ww_http_req {
    const char *method, *url, *version;
    const char *authorization, *content_length, *transfer_encoding;
} ww_http_req_t;

typedef struct ww_http_decision {
    int status;         /* 0: read the body; else answer this now and ignore the body */
    const char *reason; /* for that answer (static text) */
    int token;          /* the sender's token (index in cfg->tokens), -1 when none */
    bool chunked;       /* the body comes chunked: its length is known only at its end */
    uint64_t length;    /* else the declared Content-Length */
} ww_http_decision_t;

/* Decides what can be decided before the body: 405 not POST, 404 not .../ingest,
 * 401 no or wrong bearer token, 501 a Transfer-Encoding other than chunked, 400 a
 * malformed Content-Length or both it and chunked, 411 neither (HTTP/1.0 without a
 * length), 413 a declared length over max_body; else status 0.  Tokens are compared
 * in constant time.  cfg is an http input; out is always filled. */
void ww_http_in_decide(const ww_sc_input_t *cfg, const ww_http_req_t *req, ww_http_decision_t *out);

/* Starts listening for cfg (an http input).  st receives the counters (atomically);
 * mem (borrowed, may be NULL) is charged for connections and bodies being received.
 * 0, or WW_EIO / WW_EINVAL with diag. */
int ww_http_in_start(const ww_sc_input_t *cfg, ww_spool_t *sp, ww_serve_input_stats_t *st,
                     ww_membudget_t *mem, ww_http_in_t **out, ww_diag_t *diag);
int ww_http_in_port(const ww_http_in_t *h);
/* Stops taking requests (those in progress finish) and frees. */
void ww_http_in_stop(ww_http_in_t *h);

#endif
