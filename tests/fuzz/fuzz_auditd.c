/* libFuzzer target for the auditd record decoder, raw and inside syslog.  The body is shared
 * (fuzz_drain.h); this target's seed corpus, tests/fuzz/corpus/fuzz_auditd/, steers it. */
#include "fuzz_drain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_drain(data, size, WW_FMT_SYSLOG);
}
