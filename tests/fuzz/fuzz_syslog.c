/* libFuzzer target for the syslog/text decoder (RFC 3164/5424 headers, text fallback).  The body is
 * shared (fuzz_drain.h); this target's seed corpus, tests/fuzz/corpus/fuzz_syslog/, steers it. */
#include "fuzz_drain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_drain(data, size, WW_FMT_SYSLOG);
}
