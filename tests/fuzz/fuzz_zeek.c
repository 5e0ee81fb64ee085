/* libFuzzer target for the Zeek TSV decoder (header block, #fields/#types, sets,
 * escapes) and the Zeek normalisation: decodes every line of the input (forced Zeek)
 * and renders each event, so every field value is touched.  Each call must make
 * progress, or the fuzzer would spin forever. */
#include <stdlib.h>

#include "event/ww_event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ww_reader_t *r;
    ww_diag_t d;
    if (ww_reader_open_mem("fuzz", data, size, WW_FMT_ZEEK, &r, &d) != 0)
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
