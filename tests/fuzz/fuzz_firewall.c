/* libFuzzer target for the firewall message decoders behind the syslog/text reader: every
 * line of the input is decoded (format detected, so raw records take the text path)
 * and each event rendered; each call must make progress and never read outside the
 * input. */
#include <stdlib.h>

#include "event/ww_event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ww_reader_t *r;
    ww_diag_t d;
    /* Force syslog/text so inputs starting with '{' or '[' still reach the decoders. */
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
            for (uint32_t i = 0; i < ev.nfields; i++)
                if (ev.fields[i].value.n > size && ev.fields[i].value.n > 0)
                    abort(); /* every value is a slice or a shorter decoding */
        }
        if (ww_reader_offset(r) <= before)
            abort(); /* no progress */
    }
    ww_buf_release(&out);
    ww_event_release(&ev);
    ww_reader_free(r);
    return 0;
}
