/* libFuzzer target for the syslog/text decoder (RFC 3164/5424 headers, text fallback).  The body is
 * shared (fuzz_drain.h); this target's seed corpus, tests/fuzz/corpus/fuzz_syslog/, steers it.
 * It also checks that decoding is the same whole or in ranges (hunt --threads): the input is cut
 * every few lines and the ranges' events, concatenated, must equal the whole reader's, sshd
 * sessions (which look back before a range's start) included. */
#include "fuzz_drain.h"

#include <string.h>

/* Every event of r as JSON lines into out. */
static void render_all(ww_reader_t *r, ww_buf_t *out)
{
    ww_event_t ev;
    ww_diag_t d;
    ww_event_init(&ev);
    int rc;
    while ((rc = ww_reader_next(r, &ev, &d)) != 0) {
        if (rc > 0)
            (void)ww_event_to_json(&ev, out);
        (void)ww_buf_append(out, "\n", 1);
    }
    ww_event_release(&ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_drain(data, size, WW_FMT_SYSLOG);
    if (size < 2)
        return 0;
    ww_reader_t *whole;
    ww_diag_t d;
    if (ww_reader_open_mem("fuzz", data + 1, size - 1, WW_FMT_SYSLOG, &whole, &d) != 0)
        return 0;
    ww_buf_t a, b;
    ww_buf_init(&a, 1 << 24);
    ww_buf_init(&b, 1 << 24);
    /* Ranges start where the whole reader does, after a byte order mark, as hunt's do. */
    uint64_t first = ww_reader_offset(whole);
    render_all(whole, &a);
    uint32_t step = 1 + data[0] % 7;
    for (uint64_t at = first; at < size - 1;) {
        uint64_t end = ww_reader_cut(whole, at, step);
        ww_reader_t *r;
        if (ww_reader_open_range(whole, at, end, &r, &d) != 0)
            abort();
        render_all(r, &b);
        ww_reader_free(r);
        at = end;
    }
    if (a.err || b.err || a.n != b.n || (a.n && memcmp(a.p, b.p, a.n) != 0))
        abort(); /* a range decoded a line differently from the whole input */
    ww_buf_release(&a);
    ww_buf_release(&b);
    ww_reader_free(whole);
    return 0;
}
