/* libFuzzer target for the firewall message decoders behind the syslog/text reader.  The body is shared (fuzz_syslog_drain.h); this
 * target's seed corpus, tests/fuzz/corpus/fuzz_firewall/, steers it. */
#include "fuzz_syslog_drain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_syslog_drain(data, size);
}
