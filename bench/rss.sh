#!/bin/sh
# Peak resident memory of `wardwatch hunt` on a big JSON-lines file of Windows events
# with the full SigmaHQ ruleset: from the file and from standard input (a pipe), with
# --threads 1 and 2.  Memory must stay bounded whatever the input's size (docs/
# performance.md, "Memory").
#   bench/rss.sh                 a 3 GB file (SIZE_GB=N for another size)
# The file is built in $TMPDIR (default /tmp) from the OTRF samples in ../shared,
# repeated, and deleted at the end.  Prints one line per case: peak RSS and wall time.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SHARED=${WW_SHARED:-$ROOT/../shared}
. "$ROOT/bench/need-shared.sh"
SIZE_GB=${SIZE_GB:-3}
B=$ROOT/build-bench
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ww-rss.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
[ -x /usr/bin/time ] || { echo "rss.sh needs GNU time (apt-get install time)" >&2; exit 2; }

echo "== build (Release)"
# No -Werror: a warning only -O3 shows must not stop a benchmark (CI catches them).
cmake -S "$ROOT" -B "$B" -DCMAKE_BUILD_TYPE=Release -DWW_WERROR=OFF >/dev/null
cmake --build "$B" -j2 --target wardwatch >/dev/null
WW=$B/wardwatch

echo "== corpus: OTRF Windows JSON lines, repeated to $SIZE_GB GB"
mkdir "$TMP/otrf"
for z in "$SHARED"/data/otrf/*.zip; do unzip -oq "$z" -d "$TMP/otrf"; done
rm -rf "$TMP/otrf/__MACOSX"
# shellcheck disable=SC2046
cat $(ls "$TMP"/otrf/*.json | LC_ALL=C sort) >"$TMP/base.json"
rm -rf "$TMP/otrf"
target=$((SIZE_GB * 1000000000))
: >"$TMP/big.json"
while [ "$(stat -c %s "$TMP/big.json")" -lt "$target" ]; do
    cat "$TMP/base.json" >>"$TMP/big.json"
done
rm "$TMP/base.json"
echo "   $(stat -c %s "$TMP/big.json") bytes, $(wc -l <"$TMP/big.json") events"

RULES="--rules $SHARED/sigma/rules"
# measure NAME: runs the rest of the line under GNU time; prints peak RSS and time.
measure() {
    name=$1
    shift
    "$@" 2>"$TMP/time" >/dev/null || true # exit 1 when alerts are raised
    kb=$(sed -n 's/^.*Maximum resident set size (kbytes): //p' "$TMP/time")
    wall=$(sed -n 's/^.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$TMP/time")
    printf '%-24s peak RSS %6d MB   %s\n' "$name" $((kb / 1024)) "$wall"
}
echo "== hunt --format summary $RULES"
for t in 1 2; do
    # shellcheck disable=SC2086
    measure "file, --threads $t" /usr/bin/time -v "$WW" hunt --format summary --threads $t $RULES "$TMP/big.json"
    # shellcheck disable=SC2086
    measure "stdin, --threads $t" sh -c "cat '$TMP/big.json' | /usr/bin/time -v '$WW' hunt --format summary --threads $t $RULES -"
done
