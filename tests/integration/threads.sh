#!/bin/sh
# hunt --threads N gives byte for byte the output of --threads 1: alerts, their order,
# correlation alerts and the table/summary views, on the bundled sample (wardwatch's
# pack with its correlations) and on every regression sample (EVTX and JSON) with the
# full SigmaHQ ruleset.  Small batches and many files exercise batch and file
# boundaries; EVTX exercises events that outlive the decoder's per-chunk caches.
# Streamed input (pipes, gzip) over many windows gives the same alerts too.
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
# Streamed input over many windows (about 8 MiB each): a pipe and a gzip file give
# the alerts of the plain file with 1, 2 and 4 threads, also with malformed lines that
# send a window's ranges back to sequential decoding, and record numbers and lines
# run on across windows.
strip_path() { sed 's/"path":"[^"]*"/"path":"-"/g' "$1"; }
i=0
while [ $i -lt 40 ]; do
    cat sample/psh_lsass_memory_dump_comsvcs.json
    [ $i = 37 ] && echo '{"EventID": 4688, "broken'
    i=$((i + 1))
done >"$T/big.json"
cp sample/auth.log "$T/big.log"
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do # 4096 copies, 10 MB
    cat "$T/big.log" "$T/big.log" >"$T/big2.log" && mv "$T/big2.log" "$T/big.log"
done
echo 'Nov 23 14:09:00 pacs-gw01 sshd[1]: a line' >>"$T/big.log"
for f in big.json big.log; do
    "$BIN" hunt --threads 1 --format ndjson "$T/$f" >"$T/$f.file" 2>"$T/$f.err"
    rc1=$?
    strip_path "$T/$f.file" >"$T/$f.want"
    gzip -c "$T/$f" >"$T/$f.gz"
    for n in 1 2 4; do
        cat "$T/$f" | "$BIN" hunt --threads $n --format ndjson - >"$T/$f.s$n" 2>"$T/$f.serr$n"
        rc=$?
        strip_path "$T/$f.s$n" | cmp -s - "$T/$f.want" && [ $rc = $rc1 ]
        check "$f from a pipe, --threads $n: the file's alerts" $?
        [ $n = 2 ] && continue
        "$BIN" hunt --threads $n --format ndjson "$T/$f.gz" >"$T/$f.g$n" 2>/dev/null
        strip_path "$T/$f.g$n" | cmp -s - "$T/$f.want"
        check "$f.gz, --threads $n: the file's alerts" $?
    done
    sed "s|$T/$f|X|" "$T/$f.err" >"$T/$f.err.x"
    sed "s|<stdin>|X|" "$T/$f.serr4" | cmp -s - "$T/$f.err.x"
    check "$f from a pipe, --threads 4: the file's diagnostics" $?
done
grep -q "big.json:$((37 * 184 + 185)):" "$T/big.json.err"
check "the malformed line is reported with its line in the whole file" $?

[ "$fails" = 0 ] || exit 1
exit 0
