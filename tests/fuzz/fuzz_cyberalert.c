/* libFuzzer target for the NHS cyber alert import format (`wardwatch cyberalerts
 * import`, JSON or YAML) and the version ranges inside it: a parse either gives alerts
 * that pass the same checks `add` applies, or fails with a diagnostic; never crashes.
 * Each input is also tried as one version range against a few versions. */
#include <stdlib.h>
#include <string.h>

#include "cyberalert/ww_cyberalert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ww_arena_t ar;
    ww_diag_t d;
    memset(&d, 0, sizeof d);
    ww_arena_init(&ar, 64 * 1024, 256u << 20);
    ww_cyberalert_t *v = NULL;
    size_t n = 0;
    if (ww_cyberalert_parse("fuzz.yaml", (const char *)data, size, &ar, &v, &n, &d) == 0) {
        if (n == 0 || !v)
            abort();
        for (size_t i = 0; i < n; i++) {
            ww_diag_t c;
            memset(&c, 0, sizeof c);
            if (ww_cyberalert_check(&v[i], &c) != 0)
                abort(); /* what the parser accepts, add accepts */
            ww_buf_t b;
            ww_buf_init(&b, 0);
            if (ww_cyberalert_json(&b, &v[i], v[i].published, NULL, 0) != 0)
                abort();
            ww_buf_release(&b);
        }
    }
    if (size < WW_CA_MAX_FIELD) {
        char r[WW_CA_MAX_FIELD];
        memcpy(r, data, size);
        r[size] = 0;
        if (strlen(r) == size && ww_ca_range_check(r, &d) == 0) {
            static const char *const vs[] = {"7.4.3", "0", "1.1.1w", "22H2", "7.4.0-rc1", ""};
            for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++)
                (void)ww_ca_range_match(r, vs[i]);
        }
        (void)ww_ca_version_cmp(r, "7.4.3");
    }
    ww_arena_release(&ar);
    return 0;
}
