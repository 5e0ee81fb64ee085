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
 *   404, 405, 411, 413, 415  wrong path, not POST, no length, too large, not JSON;
 *   503 with Retry-After  the spool is full (or could not make the events durable in
 *        time): nothing of the body was kept, send it again later.
 * A body is appended to the spool as one batch, all or nothing, so a retried body is
 * never half stored. */
#ifndef WW_HTTP_IN_H
#define WW_HTTP_IN_H

#include "serve/ww_serve.h"
#include "serve/ww_serve_config.h"
#include "spool/ww_spool.h"

typedef struct ww_http_in ww_http_in_t;

/* Starts listening for cfg (an http input).  st receives the counters (atomically).
 * 0, or WW_EIO / WW_EINVAL with diag. */
int ww_http_in_start(const ww_sc_input_t *cfg, ww_spool_t *sp, ww_serve_input_stats_t *st,
                     ww_http_in_t **out, ww_diag_t *diag);
int ww_http_in_port(const ww_http_in_t *h);
/* Stops taking requests (those in progress finish) and frees. */
void ww_http_in_stop(ww_http_in_t *h);

#endif
