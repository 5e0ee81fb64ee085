/* The body shared by the syslog-path fuzz targets (fuzz_syslog, fuzz_auth,
 * fuzz_firewall, fuzz_auditd): they differ only in the seed corpus that steers libFuzzer
 * towards one family of program decoders.  Every line of the input is decoded with the
 * format forced to syslog (so inputs starting with '{' or '[' still reach the decoders)
 * and each event rendered; each call must make progress, and every value must be a
 * slice of the input or a shorter decoding of it. */
#ifndef FUZZ_SYSLOG_DRAIN_H
#define FUZZ_SYSLOG_DRAIN_H

#include <stdlib.h>

#include "event/ww_event.h"

static inline int fuzz_syslog_drain(const uint8_t *data, size_t size)
{
    ww_reader_t *r;
    ww_diag_t d;
    if (ww_reader_open_mem("fuzz", data, size, WW_FMT_SYSLOG, &r, &d) != 0)
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
                if (ev.fields[i].value.n > size && ev.fields[i].value.n > 0)
                    abort();
        }
        if (ww_reader_offset(r) <= before)
            abort(); /* no progress */
    }
    ww_buf_release(&out);
    ww_event_release(&ev);
    ww_reader_free(r);
    return 0;
}

#endif
