/* libFuzzer target for the Lumberjack v2 parser (lib/ingest/ww_lumberjack.c).  The
 * first byte picks small limits and a piece size; the rest is the client's stream.  It
 * is fed whole and in pieces: the events, windows, result and message must be the same
 * (any split parses the same), no event may be larger than the limit allows, no window
 * larger than the maximum, and a stream that parses must be consumed whole. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ww_lumberjack.h"

typedef struct sink {
    ww_buf_t out;
    const ww_lj_limits_t *lim;
} sink_t;

static int on_event(void *ud, uint32_t seq, const char *json, size_t n)
{
    sink_t *s = ud;
    /* A data frame's bytes may come out escaped: at most six bytes per byte. */
    if (n > 6 * s->lim->max_payload + 64)
        abort();
    ww_buf_printf(&s->out, "E%u:%zu:", seq, n);
    ww_buf_append(&s->out, json, n);
    return 0;
}

static int on_window(void *ud, uint32_t last, uint32_t count)
{
    sink_t *s = ud;
    if (count > s->lim->max_window)
        abort();
    ww_buf_printf(&s->out, "W%u/%u\n", last, count);
    return 0;
}

static void run(const ww_lj_limits_t *lim, const uint8_t *data, size_t size, size_t step,
                ww_buf_t *out)
{
    ww_lj_t *p;
    if (ww_lj_new(lim, &p) != 0)
        abort();
    sink_t s = {.lim = lim};
    ww_buf_init(&s.out, 1 << 26);
    ww_diag_t d;
    int rc = 0;
    for (size_t at = 0; at < size && rc == 0; at += step ? step : size) {
        size_t k = step && size - at > step ? step : size - at;
        rc = ww_lj_feed(p, data + at, k, on_event, on_window, &s, &d);
    }
    if (rc == 0) {
        rc = ww_lj_finish(p, &d);
        if (ww_lj_stats(p)->bytes != size)
            abort();
    }
    if (rc)
        ww_buf_printf(&s.out, "rc=%d %s", rc, d.msg);
    *out = s.out;
    ww_lj_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    ww_lj_limits_t lim = {
        .max_window = 1u + (data[0] & 7) * 3,
        .max_payload = 64u << (data[0] >> 6),
        .max_decompressed = 4096,
        .max_pairs = 4,
    };
    size_t step = 1 + ((data[0] >> 3) & 7) * 5;
    data++;
    size--;
    ww_buf_t a, b;
    run(&lim, data, size, 0, &a);
    run(&lim, data, size, step, &b);
    if (a.n != b.n || (a.n && memcmp(a.p, b.p, a.n) != 0))
        abort(); /* a split changed what was parsed */
    ww_buf_release(&a);
    ww_buf_release(&b);
    return 0;
}
