/* The body of an HTTP POST of log events -- NDJSON, a JSON array or a single JSON
 * object, as Fluent Bit's http output (json_lines, json), NXLog's om_http and Vector
 * send them, optionally gzip-, deflate- or zstd-compressed -- split into one JSON text
 * per event.  No HTTP here: the server passes the headers it read and the complete
 * body.  A malformed event is reported with its line (or array element) while the
 * well-formed ones are still delivered.  docs/ingest.md has the rules and limits. */
#ifndef WW_HTTPBODY_H
#define WW_HTTPBODY_H

#include "util/ww_util.h"

/* Limits; 0 in a field means its default. */
typedef struct ww_httpbody_limits {
    size_t max_body;     /* bytes of the body as received (default 16 MiB) */
    size_t max_decoded;  /* bytes after Content-Encoding is undone (64 MiB) */
    size_t max_event;    /* bytes of one event's JSON text (1 MiB) */
    uint32_t max_events; /* events in one body (500000) */
} ww_httpbody_limits_t;

#define WW_HTTPBODY_DEFAULT_BODY ((size_t)16 << 20)
#define WW_HTTPBODY_DEFAULT_DECODED ((size_t)64 << 20)
#define WW_HTTPBODY_DEFAULT_EVENT ((size_t)1 << 20)
#define WW_HTTPBODY_DEFAULT_EVENTS 500000u

/* How the body was read. */
enum ww_httpbody_kind {
    WW_HTTPBODY_NDJSON = 1, /* one event per line; index = 1-based line number */
    WW_HTTPBODY_ARRAY,      /* a JSON array of events; index = 1-based element number */
    WW_HTTPBODY_OBJECT,     /* the whole body is one event (possibly over many lines) */
};

/* One well-formed event: a JSON object, json[0..n) borrowed for the call (a slice of
 * the body or of its decompressed copy).  Return 0, or a negative WW_E* to stop;
 * ww_httpbody_split() then returns it. */
typedef int (*ww_httpbody_event_fn)(void *ud, const char *json, size_t n, uint32_t index);
/* One malformed event: d says where (line and column in the decoded body) and why,
 * index is as for events.  Return 0 to go on, or a negative WW_E* to stop. */
typedef int (*ww_httpbody_error_fn)(void *ud, uint32_t index, const ww_diag_t *d);

typedef struct ww_httpbody_result {
    int kind;                   /* enum ww_httpbody_kind; 0 when nothing was split */
    uint32_t events;            /* well-formed events delivered */
    uint32_t errors;            /* malformed events reported */
    uint32_t first_error_index; /* index of the first malformed event (0 = none) */
    ww_diag_t first_error;      /* and why: for the 400 reply */
    size_t decoded;             /* bytes after decompression */
} ww_httpbody_result_t;

/* Splits body[0..n) into events.  content_type and content_encoding are the header
 * values as received (NULL when absent; parameters such as "; charset=utf-8" are
 * ignored); lim may be NULL (defaults); on_error may be NULL.  res is always filled.
 * Returns:
 *   0           every event was well formed (and delivered);
 *   WW_EPARSE   some events were malformed: res->errors of them, the first in
 *               res->first_error; the others were delivered (reply 400 naming the
 *               line, the well-formed ones are kept);
 *   WW_EUNSUP   content type or encoding not accepted (415), nothing delivered;
 *   WW_ELIMIT   body, decoded body or event count over its limit (413), nothing
 *               delivered;
 *   WW_EINVAL   the compressed data is corrupt (400), nothing delivered;
 *   or a callback's error.  diag says why for every failure. */
int ww_httpbody_split(const char *content_type, const char *content_encoding, const void *body,
                      size_t n, const ww_httpbody_limits_t *lim, ww_httpbody_event_fn on_event,
                      ww_httpbody_error_fn on_error, void *ud, ww_httpbody_result_t *res,
                      ww_diag_t *diag);

#endif
