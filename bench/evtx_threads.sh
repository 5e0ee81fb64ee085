#!/bin/sh
# EVTX on several threads: `hunt --threads 1` against `--threads 2` on one generated
# EVTX file, with the full default ruleset (wardwatch's pack and the SigmaHQ release it
# ships), side by side in the same run: the cases take turns, RUNS rounds (default 3),
# and each keeps its fastest round, so that all of them see the same shared machine.
# Also timed: loading the rules alone (a hunt of an empty EVTX file), the part of every
# hunt that does not depend on the input; and, when asked, an older wardwatch.
#   bench/evtx_threads.sh [RECORDS]          RECORDS events (default 200000, ~330 MB)
#   OLD_REV=<commit> bench/evtx_threads.sh   also that commit's wardwatch (built from
#                                            `git archive` in bench/corpus/, no worktree)
#   OLD=/path/to/wardwatch bench/evtx_threads.sh
# The file is bench/gen_evtx.py's: every record of ../shared's SigmaHQ regression
# samples, re-packed into full 64 KiB chunks, over and over (kept in bench/corpus/).
# Prints the load average before and after: the machine is shared, measure when it is
# low.  Writes bench/results/evtx-threads.tsv.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RECORDS=${1:-200000}
RUNS=${RUNS:-3}
SHARED=${WW_SHARED:-$ROOT/../shared}
C=$ROOT/bench/corpus
OUT=$ROOT/bench/results
B=$ROOT/build-bench
mkdir -p "$C" "$OUT"
[ -d "$SHARED/sigma/regression" ] || {
    echo "evtx_threads.sh: needs SigmaHQ's regression samples in $SHARED/sigma/regression (set WW_SHARED)" >&2
    exit 2
}

echo "== build (Release)"
# No -Werror here: a benchmark should not stop at a warning that only -O3 shows (the
# CI build, with -Werror, is where warnings are caught).
cmake -S "$ROOT" -B "$B" -DCMAKE_BUILD_TYPE=Release -DWW_WERROR=OFF >/dev/null
cmake --build "$B" -j2 --target wardwatch >/dev/null
WW=$B/wardwatch
OLD=${OLD:-}
if [ -n "${OLD_REV:-}" ]; then
    rev=$(git rev-parse --short "$OLD_REV")
    O=$C/old-$rev
    if [ ! -x "$O/build/wardwatch" ]; then
        echo "== build $rev (Release)"
        rm -rf "$O" && mkdir -p "$O"
        git archive "$rev" | tar -x -C "$O"
        cmake -S "$O" -B "$O/build" -DCMAKE_BUILD_TYPE=Release -DWW_WERROR=OFF >/dev/null
        cmake --build "$O/build" -j2 --target wardwatch >/dev/null
    fi
    OLD=$O/build/wardwatch
fi

F=$C/evtx-threads-$RECORDS.evtx
if [ ! -e "$F" ]; then
    echo "== corpus: $RECORDS EVTX records (bench/gen_evtx.py)"
    find "$SHARED/sigma/regression" -name '*.evtx' | LC_ALL=C sort >"$C/evtx-threads.list"
    # shellcheck disable=SC2046
    python3 bench/gen_evtx.py "$F.tmp" "$RECORDS" $(cat "$C/evtx-threads.list") && mv "$F.tmp" "$F"
fi
E=$C/evtx-empty.evtx
head -c 4096 "$F" >"$E" # the file header alone: no events, the rules still load

# once WW THREADS FILE: one hunt, "seconds"; the output must be that of the first
# --threads 1 run of the same binary (a faster wrong answer is no speedup).
once() {
    t0=$(date +%s%N)
    "$1" hunt --threads "$2" --format summary "$3" 2>/dev/null |
        grep -v -E '[0-9]+\.[0-9]+ s$' >"$OUT/.evtx-threads.out" || true
    t1=$(date +%s%N)
    echo "scale=3; ($t1 - $t0) / 1000000000" | bc | sed 's/^\./0./'
}
CASES="new1 new2 load"
[ -n "$OLD" ] && CASES="new1 new2 old1 old2 load"
run_case() {
    case $1 in
    new1) once "$WW" 1 "$F" ;;
    new2) once "$WW" 2 "$F" ;;
    old1) once "$OLD" 1 "$F" ;;
    old2) once "$OLD" 2 "$F" ;;
    load) once "$WW" 1 "$E" ;;
    esac
}
echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
echo "== $(du -h "$F" | cut -f1) EVTX, $("$WW" decode --count "$F" | cut -d' ' -f1) events; best of $RUNS rounds"
for c in $CASES; do eval "best_$c="; done
for r in $(seq 1 "$RUNS"); do
    line="  round $r:"
    for c in $CASES; do
        s=$(run_case "$c")
        case $c in new1 | old1) cp "$OUT/.evtx-threads.out" "$OUT/.evtx-threads.$c" ;;
        esac
        case $c in old1)
            cmp -s "$OUT/.evtx-threads.out" "$OUT/.evtx-threads.new1" || {
                echo "evtx_threads.sh: the old wardwatch gave other output than the new" >&2
                exit 1
            } ;;
        new2 | old2)
            cmp -s "$OUT/.evtx-threads.out" "$OUT/.evtx-threads.${c%2}1" || {
                echo "evtx_threads.sh: $c gave other output than --threads 1" >&2
                exit 1
            } ;;
        esac
        eval "b=\$best_$c"
        if [ -z "$b" ] || [ "$(echo "$s < $b" | bc)" = 1 ]; then eval "best_$c=$s"; fi
        line="$line $c $s s"
    done
    echo "$line"
done
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
ratio() { echo "scale=2; $1 / $2" | bc | sed 's/^\./0./'; }
TSV=$OUT/evtx-threads.tsv
printf 'case\tseconds\n' >"$TSV"
for c in $CASES; do eval "printf '%s\t%s\n' $c \$best_$c" >>"$TSV"; done
printf '  %-40s %8s s\n' "hunt --threads 1" "$best_new1" "hunt --threads 2" "$best_new2" \
    "rules alone (empty EVTX)" "$best_load"
echo "  speedup, 2 threads over 1:           $(ratio "$best_new1" "$best_new2")x (whole run)"
echo "  speedup without the rule loading:    $(ratio "$(echo "$best_new1 - $best_load" | bc)" "$(echo "$best_new2 - $best_load" | bc)")x"
if [ -n "$OLD" ]; then
    printf '  %-40s %8s s\n' "old: hunt --threads 1" "$best_old1" "old: hunt --threads 2" "$best_old2"
    echo "  old speedup, 2 threads over 1:       $(ratio "$best_old1" "$best_old2")x (whole run)"
    echo "  new over old, --threads 1:           $(ratio "$best_old1" "$best_new1")x"
    echo "  new over old, --threads 2:           $(ratio "$best_old2" "$best_new2")x"
fi
