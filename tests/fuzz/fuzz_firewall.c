/* libFuzzer target for the firewall message decoders (netfilter, FortiGate, Cisco ASA) behind the
 * syslog reader.  The body is shared (fuzz_drain.h); this target's seed corpus,
 * tests/fuzz/corpus/fuzz_firewall/, steers it. */
#include "fuzz_drain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_drain(data, size, WW_FMT_SYSLOG);
}
