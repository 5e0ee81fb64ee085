/* libFuzzer target for the MISP event reader and the plain-list reader behind
 * `wardwatch intel import`: any input either fails with a diagnostic or gives
 * indicators that pass fuzz_intel_check.  The list reader gets the same bytes as a
 * list of each type, so every normaliser meets every input. */
#include "fuzz_intel_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ww_intel_set_t set;
    ww_intel_set_init(&set);
    ww_intel_opts_t o = WW_INTEL_OPTS_INIT;
    ww_diag_t d = {0};
    int rc = ww_intel_parse_misp("fuzz.json", (const char *)data, size, &o, &set, &d);
    if (rc == 0)
        fuzz_intel_check(&set);
    else if (!d.msg[0] || set.n)
        abort();
    ww_intel_set_release(&set);
    if (size > 65536)
        return 0; /* the lists: small inputs are enough to reach every normaliser */
    for (int t = 1; t < WW_IND_NTYPES; t++) {
        ww_intel_set_init(&set);
        o.type = t;
        o.source = "fuzz";
        if (ww_intel_parse_list("fuzz.txt", (const char *)data, size, &o, &set, &d) == 0)
            fuzz_intel_check(&set);
        ww_intel_set_release(&set);
    }
    return 0;
}
