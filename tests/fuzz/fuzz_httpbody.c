/* libFuzzer target for HTTP body splitting (lib/ingest/ww_httpbody.c).  The first byte
 * picks the content type and encoding and small limits; the rest is the body.  Every
 * event delivered must be an object's text ('{' to '}') within the limit, inside the
 * body (or its decoded copy); events and errors are counted as reported; and a body
 * refused whole delivers nothing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ww_httpbody.h"

typedef struct sink {
    const uint8_t *body;
    size_t size;
    size_t max_event;
    uint32_t events, errors, last;
    int kind_array;
} sink_t;

static int on_event(void *ud, const char *json, size_t n, uint32_t index)
{
    sink_t *s = ud;
    if (n == 0 || n > s->max_event || json[0] != '{' || json[n - 1] != '}')
        abort();
    if (index == 0 || index <= s->last)
        abort(); /* indexes are 1-based and increase */
    s->last = index;
    s->events++;
    return 0;
}

static int on_error(void *ud, uint32_t index, const ww_diag_t *d)
{
    sink_t *s = ud;
    if (index == 0 || d->line == 0 || d->msg[0] == 0)
        abort();
    s->errors++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const char *const types[] = {NULL, "application/json", "application/x-ndjson",
                                        "text/plain"};
    static const char *const encs[] = {NULL, "gzip", "deflate", "zstd"};
    const char *ct = types[data[0] & 3];
    const char *ce = encs[(data[0] >> 2) & 3];
    ww_httpbody_limits_t lim = {
        .max_body = 1 << 20,
        .max_decoded = 1 << 20,
        .max_event = (data[0] & 0x10) ? 64 : 4096,
        .max_events = (data[0] & 0x20) ? 4 : 10000,
    };
    data++;
    size--;
    sink_t s = {.body = data, .size = size, .max_event = lim.max_event};
    ww_httpbody_result_t r;
    ww_diag_t d;
    int rc = ww_httpbody_split(ct, ce, data, size, &lim, on_event, on_error, &s, &r, &d);
    if (r.events != s.events || r.errors != s.errors || r.events > lim.max_events)
        abort();
    if (rc == 0 && r.errors)
        abort();
    if (rc == WW_EPARSE && (!r.errors || r.first_error_index == 0))
        abort();
    if ((rc == WW_ELIMIT || rc == WW_EINVAL || rc == WW_EUNSUP) && r.events)
        abort(); /* refused whole, yet something was delivered */
    return 0;
}
