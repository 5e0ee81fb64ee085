/* libFuzzer target for the syslog TCP framing (lib/ingest/ww_sysframe.c).  The first
 * byte picks the mode, the message limit and how the rest is cut into pieces; the
 * pieces are fed with pauses honoured, and the messages must equal those of one whole
 * feed (any split gives the same frames), never exceed the limit, and every byte must
 * be consumed.  The input is also read as one UDP datagram. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ww_sysframe.h"

typedef struct sink {
    ww_buf_t out;
    size_t max;
    unsigned n;
    int pause;
} sink_t;

static int on_frame(void *ud, const char *msg, size_t n, const ww_sysframe_info_t *info)
{
    sink_t *s = ud;
    if (n > s->max || ((info->flags & WW_SYSFRAME_F_TRUNCATED) && !info->note))
        abort();
    ww_buf_printf(&s->out, "%u@%llu:%zu:", info->flags, (unsigned long long)info->offset, n);
    ww_buf_append(&s->out, msg, n);
    s->n++;
    return s->pause && s->n % 3 == 0 ? WW_SYSFRAME_PAUSE : 0;
}

/* Feeds data in pieces of `step` bytes (the whole when 0); returns the rendering in out. */
static int run(int mode, size_t max, const uint8_t *data, size_t size, size_t step, int pause,
               ww_buf_t *out)
{
    ww_sysframe_t *f;
    if (ww_sysframe_new(mode, max, &f) != 0)
        abort();
    sink_t s = {.max = max, .pause = pause};
    ww_buf_init(&s.out, 1 << 26);
    int rc = 0;
    size_t at = 0;
    unsigned stalls = 0;
    while (at < size && rc >= 0) {
        size_t k = step && size - at > step ? step : size - at;
        int64_t got = ww_sysframe_feed(f, data + at, k, on_frame, &s, NULL);
        if (got < 0) {
            rc = (int)got;
            break;
        }
        if ((size_t)got > k || (got == 0 && (!pause || ++stalls > size + 1)))
            abort(); /* overran, or no progress without a pause */
        at += (size_t)got;
    }
    if (rc >= 0) {
        rc = ww_sysframe_finish(f, on_frame, &s, NULL);
        if (ww_sysframe_stats(f)->bytes != size)
            abort();
    }
    ww_buf_printf(&s.out, "rc=%d", rc);
    *out = s.out;
    ww_sysframe_free(f);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int mode = data[0] % 3;
    size_t max = 16 + (size_t)((data[0] >> 2) % 8) * 24;
    size_t step = 1 + (data[0] >> 5);
    data++;
    size--;
    ww_buf_t a, b, c;
    run(mode, max, data, size, 0, 0, &a);
    run(mode, max, data, size, step, 0, &b);
    run(mode, max, data, size, step * 7, 1, &c);
    if (a.n != b.n || memcmp(a.p, b.p, a.n) != 0 || a.n != c.n || memcmp(a.p, c.p, a.n) != 0)
        abort(); /* a split changed the messages */
    ww_buf_release(&a);
    ww_buf_release(&b);
    ww_buf_release(&c);
    ww_str_t d;
    int fl = ww_sysframe_datagram(data, size, max, &d);
    if (d.n > max || d.n > size || (fl && d.n != max))
        abort();
    return 0;
}
