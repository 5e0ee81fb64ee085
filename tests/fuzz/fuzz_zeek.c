/* libFuzzer target for the Zeek TSV decoder (header block, #fields/#types, sets, escapes) and the
 * Zeek normalisation.  The body is shared (fuzz_drain.h); this target's seed corpus,
 * tests/fuzz/corpus/fuzz_zeek/, steers it. */
#include "fuzz_drain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_drain(data, size, WW_FMT_ZEEK);
}
