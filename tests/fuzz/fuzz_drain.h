/* The body shared by the line- and record-based fuzz targets (fuzz_json, fuzz_zeek,
 * fuzz_syslog, fuzz_auth, fuzz_firewall, fuzz_auditd): they differ in the forced input
 * format and in the seed corpus that steers libFuzzer towards one family of decoders.
 * Every record of the input is decoded and each event rendered, so every field value is
 * touched.  Each call must make progress (or the fuzzer would spin on a resync bug),
 * never read past the input, and every value must be a slice of the input or a decoding
 * of it at most twice its size (an invalid JSON escape of two bytes becomes U+FFFD, three
 * bytes). */
#ifndef FUZZ_DRAIN_H
#define FUZZ_DRAIN_H

#include <stdlib.h>

#include "event/ww_event.h"

static inline int fuzz_drain(const uint8_t *data, size_t size, int fmt)
{
    ww_reader_t *r;
    ww_diag_t d;
    if (ww_reader_open_mem("fuzz", data, size, fmt, &r, &d) != 0)
        return 0;
    ww_event_t ev;
    ww_buf_t out;
    ww_event_init(&ev);
    ww_buf_init(&out, 1 << 24);
    for (;;) {
        uint64_t before = ww_reader_offset(r);
        int rc = ww_reader_next(r, &ev, &d);
        if (rc == 0)
            break;
        if (rc > 0) {
            ww_buf_clear(&out);
            (void)ww_event_to_json(&ev, &out);
            if (ev.raw.n > size)
                abort();
            for (uint32_t i = 0; i < ev.nfields; i++)
                if (ev.fields[i].value.n > 2 * size)
                    abort();
        }
        if (ww_reader_offset(r) <= before && rc != WW_ETRUNC)
            abort(); /* no progress */
        if (ww_reader_offset(r) > size)
            abort();
    }
    ww_buf_release(&out);
    ww_event_release(&ev);
    ww_reader_free(r);
    return 0;
}

#endif
