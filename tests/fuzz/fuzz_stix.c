/* libFuzzer target for the STIX 2.1 bundle reader behind `wardwatch intel import` and
 * `hunt --intel-file`: any input either fails with a diagnostic or gives indicators that
 * pass fuzz_intel_check (normal form, self-match).  The pattern grammar is reached
 * through the bundle: the seed corpus holds bundles whose patterns the fuzzer mutates. */
#include "fuzz_intel_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ww_intel_set_t set;
    ww_intel_set_init(&set);
    ww_intel_opts_t o = WW_INTEL_OPTS_INIT;
    ww_diag_t d = {0};
    int rc = ww_intel_parse_stix("fuzz.json", (const char *)data, size, &o, &set, &d);
    if (rc == 0)
        fuzz_intel_check(&set);
    else if (!d.msg[0] || set.n)
        abort(); /* a failure says why, and adds nothing */
    ww_intel_set_release(&set);
    return 0;
}
