#!/bin/sh
# Checks a corpus made by gen_evtx.py: decoding it must give exactly the events of the
# source records repeated ROUNDS times (same fields, same order), with 0 malformed, and
# hunting it with the full SigmaHQ ruleset must raise each source alert ROUNDS times.
#   bench/check_evtx.sh WARDWATCH ROUNDS OUT.evtx IN.evtx...
set -eu
WW=$1 ROUNDS=$2 GEN=$3
shift 3
SHARED=${WW_SHARED:-$(dirname "$0")/../../shared}
RULES="--rules $SHARED/sigma/rules --rules $SHARED/sigma/rules-emerging-threats --rules $SHARED/sigma/rules-threat-hunting"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$WW" decode --count "$GEN"
"$WW" decode "$@" >"$T/src.ndjson"
"$WW" decode "$GEN" >"$T/gen.ndjson"
i=0
while [ $i -lt "$ROUNDS" ]; do cat "$T/src.ndjson"; i=$((i + 1)); done | cmp - "$T/gen.ndjson"
echo "decode: identical to the source records x $ROUNDS"
# shellcheck disable=SC2086
"$WW" hunt --threads 1 --format ndjson --no-default-rules $RULES "$@" >"$T/src.alerts" 2>/dev/null || true
# shellcheck disable=SC2086
"$WW" hunt --threads 1 --format ndjson --no-default-rules $RULES "$GEN" >"$T/gen.alerts" 2>/dev/null || true
python3 - "$T/src.alerts" "$T/gen.alerts" "$ROUNDS" <<'PY'
import collections, json, sys
def load(p):
    c = collections.Counter()
    for line in open(p):
        d = json.loads(line)
        d.pop("source", None)  # path and index differ by construction
        c[json.dumps(d, sort_keys=True)] += 1
    return c
a, b, k = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3])
ok = all(b[x] == k * n for x, n in a.items()) and sum(b.values()) == k * sum(a.values())
print("hunt: %d source alerts x %d = %d, generated file: %d, %s"
      % (sum(a.values()), k, k * sum(a.values()), sum(b.values()), "equal" if ok else "DIFFERENT"))
sys.exit(0 if ok else 1)
PY
