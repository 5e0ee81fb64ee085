#!/bin/sh
# hunt --threads N gives byte for byte the output of --threads 1: alerts, their order,
# correlation alerts and the table/summary views, on the bundled sample (wardwatch's
# pack with its correlations) and on every regression sample (EVTX and JSON) with the
# full SigmaHQ ruleset.  Small batches and many files exercise batch and file
# boundaries; EVTX exercises events that outlive the decoder's per-chunk caches.
set -u
BIN=${WW_BIN:?}
SRC=${WW_SRC:?}
SHARED=${WW_SHARED:-}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
check() { # check NAME CONDITION-RESULT
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
# The summary and table footers print the elapsed time: drop those lines.
untimed() { grep -v -E '[0-9]+\.[0-9]+ s$' "$1" >"$1.untimed"; }

cd "$SRC/tests/data" || exit 1
for fmt in ndjson table summary; do
    for n in 1 2 4; do
        "$BIN" hunt --threads $n --format $fmt sample >"$T/s$n.$fmt" 2>"$T/e$n"
        echo $? >"$T/rc$n"
    done
    untimed "$T/s1.$fmt"
    for n in 2 4; do
        untimed "$T/s$n.$fmt"
        cmp -s "$T/s1.$fmt.untimed" "$T/s$n.$fmt.untimed"
        check "sample, $fmt: --threads $n output equals --threads 1" $?
        cmp -s "$T/rc1" "$T/rc$n"
        check "sample, $fmt: --threads $n exit status equals --threads 1" $?
    done
done
grep -q '"correlation"' "$T/s4.ndjson"
check "sample: correlation alerts are raised with --threads 4" $?

"$BIN" hunt --threads 0 sample >/dev/null 2>"$T/err"
check "--threads 0 is refused (exit 2)" $(( $? != 2 ))
grep -q "threads" "$T/err"
check "--threads 0 says why" $?

REG="$SHARED/sigma/regression"
if [ -n "$SHARED" ] && [ -d "$REG" ]; then
    RULES="--no-default-rules --rules $SHARED/sigma/rules --rules $SHARED/sigma/rules-emerging-threats --rules $SHARED/sigma/rules-threat-hunting"
    for n in 1 4; do
        # shellcheck disable=SC2086
        "$BIN" hunt --threads $n --format ndjson $RULES "$REG" >"$T/r$n" 2>/dev/null
    done
    test -s "$T/r1"
    check "regression samples raise alerts" $?
    cmp -s "$T/r1" "$T/r4"
    check "regression samples (EVTX+JSON, full SigmaHQ): --threads 4 equals --threads 1" $?
else
    echo "skip regression samples: no ../shared"
fi
[ "$fails" = 0 ] || exit 1
exit 0
