/* libFuzzer target for the reader's own parsing: format detection and the binary
 * check, stream windows (cut at line ends, top-level JSON value boundaries, EVTX
 * chunks, Zeek header replay), gzip and zstd decompression, and ranges of windows.
 * The first three bytes choose the read block, window and record cap sizes (tiny, so
 * that every record boundary is a window boundary somewhere) and whether events are
 * pulled with ww_reader_next or window by window through ranges; the rest is the
 * stream.  Seeds: tests/fuzz/corpus/fuzz_reader/. */
#include <stdlib.h>

#include "event/ww_reader_int.h"

/* Decompression can turn a small input into a large one: stop reading there. */
#define FUZZ_MAX_OUT ((uint64_t)32 << 20)

static void drain(ww_reader_t *r, ww_event_t *ev, ww_buf_t *out)
{
    ww_diag_t d;
    int rc;
    uint64_t n = 0;
    while ((rc = ww_reader_next(r, ev, &d)) != 0 && n++ < 1000000) {
        if (rc > 0) {
            ww_buf_clear(out);
            (void)ww_event_to_json(ev, out);
        } else if (!d.msg[0]) {
            abort(); /* every error says why */
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    ww__stream_opts_t o = {
        .block = 1 + (data[0] & 63),
        .window = 1 + (size_t)data[1] * 8,
        .max_record = 256 + (size_t)(data[2] & 127) * 512,
        .mem = data + 3,
        .mem_len = size - 3,
    };
    bool windows = data[0] & 64;
    ww_reader_t *r = NULL;
    ww_diag_t d;
    if (ww__reader_open_stream("fuzz", -1, &o, WW_FMT_AUTO, &r, &d) != 0) {
        if (!d.msg[0])
            abort();
        return 0;
    }
    ww_event_t ev;
    ww_buf_t out;
    ww_event_init(&ev);
    ww_buf_init(&out, 1 << 24);
    if (!windows) {
        drain(r, &ev, &out);
    } else {
        ww_reader_t *w = NULL;
        uint64_t total = 0;
        int rc;
        while ((rc = ww_reader_next_window(r, &w, &d)) != 0 && total < FUZZ_MAX_OUT) {
            if (rc < 0)
                continue;
            total += ww_reader_size(w);
            if (ww_reader_splittable(w)) {
                /* Ranges of a few lines, as hunt's workers decode them. */
                uint64_t pos = 0, len = ww_reader_size(w);
                while (pos < len) {
                    uint64_t end = ww_reader_cut(w, pos, 1 + (data[2] >> 7) * 3);
                    ww_reader_t *rg = NULL;
                    if (end <= pos || ww_reader_open_range(w, pos, end, &rg, &d) != 0)
                        abort();
                    drain(rg, &ev, &out);
                    ww_reader_free(rg);
                    pos = end;
                }
            } else {
                drain(w, &ev, &out);
            }
            ww_reader_free(w);
        }
    }
    ww_buf_release(&out);
    ww_event_release(&ev);
    ww_reader_free(r);
    return 0;
}
