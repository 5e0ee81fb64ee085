/* libFuzzer target for the reference-data parsers behind `wardwatch feeds import`: the
 * CISA KEV catalog (JSON) and endoflife.date product pages (Markdown with YAML front
 * matter), and the conversion of an endoflife.date API answer (JSON, downloaded by
 * `feeds fetch`) into that form.  All read what comes from outside, so all get every
 * input; a parse either succeeds with sane results or fails with a diagnostic, never
 * crashes. */
#include <stdlib.h>

#include "feeds/ww_feeds_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ww_arena_t ar;
    ww_diag_t d;
    ww_arena_init(&ar, 64 * 1024, 256u << 20);

    ww_kev_t *kev = NULL;
    size_t nkev = 0;
    char version[64];
    if (ww__feeds_parse_kev("fuzz.json", (const char *)data, size, &ar, &kev, &nkev, version,
                            sizeof version, &d) == 0 &&
        nkev > 0 && !kev)
        abort();

    ww_eol_product_t p;
    memset(&p, 0, sizeof p);
    if (ww__feeds_parse_eol("fuzz.md", "fuzz", (const char *)data, size, &ar, &p, &d) == 0)
        for (size_t i = 0; i < p.nrel; i++)
            if (!p.rel[i].cycle)
                abort(); /* every release has its cycle */

    /* The API answer: converted, then read back by the product-file parser. */
    ww_buf_t y;
    ww_buf_init(&y, 64u << 20);
    if (ww__feeds_eol_from_api("fuzz.json", (const char *)data, size, "Fuzz", &y, &d) == 0) {
        memset(&p, 0, sizeof p);
        if (ww__feeds_parse_eol("fuzz-api", "fuzz", y.p ? y.p : "", y.n, &ar, &p, &d) == 0)
            for (size_t i = 0; i < p.nrel; i++)
                if (!p.rel[i].cycle || !*p.rel[i].cycle)
                    abort();
    }
    ww_buf_release(&y);
    ww_arena_release(&ar);
    return 0;
}
