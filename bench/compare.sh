#!/bin/sh
# bench/compare.sh OLD NEW [HUNT-OPTIONS --] INPUT...: runs `hunt --format ndjson` of two
# wardwatch binaries on each input (with the options given, e.g. --no-sigmahq or
# --threads 2) and says whether the alerts are byte for byte the same.  A speed-up must
# not change a single alert: this is the check that goes with every figure in
# docs/performance.md.  Exit status 1 at the first difference (the diff is kept in
# $TMPDIR).
set -eu
OLD=$1 NEW=$2
shift 2
OPTS=""
case " $* " in *" -- "*)
    while [ "$1" != "--" ]; do OPTS="$OPTS $1"; shift; done
    shift ;;
esac
T=$(mktemp -d)
status=0
for f in "$@"; do
    # shellcheck disable=SC2086
    "$OLD" hunt $OPTS --format ndjson "$f" >"$T/old" 2>"$T/old.err" || true
    # shellcheck disable=SC2086
    "$NEW" hunt $OPTS --format ndjson "$f" >"$T/new" 2>"$T/new.err" || true
    if cmp -s "$T/old" "$T/new"; then
        echo "same  $(wc -l <"$T/new") alerts  $f"
    else
        diff "$T/old" "$T/new" >"$T/diff" || true
        echo "DIFF  $f (see $T/diff)"
        status=1
        break
    fi
done
[ $status = 0 ] && rm -rf "$T"
exit $status
