/* libFuzzer target for the JSON decoder and its profiles (evtx_dump, Winlogbeat, NXLog, Zeek,
 * Suricata, Entra ID, Microsoft 365, generic).  The body is shared (fuzz_drain.h); this target's
 * seed corpus, tests/fuzz/corpus/fuzz_json/, steers it. */
#include "fuzz_drain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_drain(data, size, WW_FMT_JSON);
}
