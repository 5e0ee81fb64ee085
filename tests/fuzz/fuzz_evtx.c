/* libFuzzer target for the native EVTX decoder: the input is an EVTX file, read
 * through the public reader with the format forced, and every event and error is
 * drained.  Any crash, sanitizer report or hang is a bug; bad input may only produce
 * errors. */
#include <stdint.h>
#include <stdlib.h>

#include "event/ww_event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ww_reader_t *r = NULL;
    ww_diag_t d;
    if (ww_reader_open_mem("fuzz.evtx", data, size, WW_FMT_EVTX, &r, &d) != 0)
        return 0;
    ww_event_t ev;
    ww_event_init(&ev);
    ww_buf_t out;
    ww_buf_init(&out, 1 << 20);
    /* Each call consumes a record or a chunk, so this ends; the bound is a backstop
       that turns a decoder that stops advancing into a fuzzer timeout-free abort. */
    for (uint64_t calls = 0; calls < 1000000; calls++) {
        int rc = ww_reader_next(r, &ev, &d);
        if (rc == 0)
            break;
        if (rc > 0) {
            /* Touch every field the way a consumer would. */
            ww_buf_clear(&out);
            (void)ww_event_to_json(&ev, &out);
        }
        if (calls == 999999)
            abort();
    }
    ww_buf_release(&out);
    ww_event_release(&ev);
    ww_reader_free(r);
    return 0;
}
