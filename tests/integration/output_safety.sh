#!/bin/sh
# Output is never silently lost or dangerous (issue 10): every command of the register,
# audit, feeds and rules exits 2 with a message when standard output cannot be written
# (/dev/full); `audit --out` replaces its file atomically and never writes through a
# symlink; control characters from records are shown escaped in tables and reports;
# an import's summary counts only what the store committed.
set -u
BIN=${WW_BIN:?}
SRC=${WW_SRC:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
check() { # check NAME CONDITION-RESULT
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
export WARDWATCH_DB="$T/ww.db"
ESC=$(printf '\033')

"$BIN" assets import "$SRC/tests/data/audit/planted.csv" "$SRC/tests/data/audit/scan.xml" >/dev/null 2>&1
check "planted register imported" $?

# ---- /dev/full: exit 2 and say so -------------------------------------------------
if [ -w /dev/full ]; then
    full() { # full NAME ARGS...: the command must fail with exit 2 and a message
        name=$1
        shift
        "$@" >/dev/full 2>"$T/full.err"
        rc=$?
        [ $rc = 2 ] && grep -q "writing standard output failed\|writing the report" "$T/full.err"
        r=$?
        [ $r = 0 ] || { echo "  exit $rc:"; cat "$T/full.err"; }
        check "/dev/full: $name exits 2 with a message" $r
    }
    cp "$WARDWATCH_DB" "$T/copy.db"
    full "assets import" env WARDWATCH_DB="$T/copy.db" "$BIN" assets import "$SRC/tests/data/assets/register.csv"
    full "assets list" "$BIN" assets list
    full "assets list ndjson" "$BIN" assets list --format ndjson
    full "assets list --observed" "$BIN" assets list --observed
    full "assets show" "$BIN" assets show DT-001
    full "audit table" "$BIN" audit --as-of 2026-05-01
    full "audit ndjson" "$BIN" audit --as-of 2026-05-01 --format ndjson
    full "audit html" "$BIN" audit --as-of 2026-05-01 --format html
    full "feeds status" "$BIN" feeds status
    full "feeds lookup" "$BIN" feeds lookup windows 10
    full "feeds kev" "$BIN" feeds kev CVE-2017-0144
    full "feeds import" env WARDWATCH_DB="$T/copy.db" "$BIN" feeds import "$SRC/data/kev/known_exploited_vulnerabilities.json"
    full "rules check" "$BIN" rules check "$SRC/rules"
    full "rules test" "$BIN" rules test "$SRC/rules/windows"
else
    echo "skip /dev/full checks: no /dev/full"
fi

# ---- audit --out: temporary file + rename, never through a symlink ------------------
echo "precious" >"$T/victim"
ln -s "$T/victim" "$T/report.txt"
"$BIN" audit --as-of 2026-05-01 --out "$T/report.txt" 2>/dev/null
check "--out to a symlink exits 1 (findings)" $(( $? != 1 ))
[ "$(cat "$T/victim")" = "precious" ]
check "--out: the symlink's target is untouched" $?
[ -f "$T/report.txt" ] && [ ! -L "$T/report.txt" ] && grep -q "^Summary: " "$T/report.txt"
check "--out: the link is replaced by the report, a regular file" $?
[ "$(stat -c %a "$T/report.txt")" = 600 ]
check "--out: a new report is private (0600)" $?
chmod 640 "$T/report.txt"
"$BIN" audit --as-of 2026-05-01 --format ndjson --out "$T/report.txt" 2>/dev/null
[ "$(stat -c %a "$T/report.txt")" = 640 ] && cmp -s "$T/report.txt" "$SRC/tests/data/audit/expected.ndjson"
check "--out: a replaced report keeps its mode and is complete" $?
mkdir "$T/adir"
"$BIN" audit --as-of 2026-05-01 --out "$T/adir" 2>"$T/dir.err"
[ $? = 2 ] && [ -d "$T/adir" ] && [ -z "$(ls -A "$T/adir")" ] && grep -q "old file is left" "$T/dir.err"
check "--out onto a directory: exit 2, nothing replaced" $?
[ -z "$(ls -A "$T" | grep '^\.report\|^\.adir')" ]
check "--out leaves no temporary files behind" $?

# ---- escape sequences from the register -------------------------------------------
export WARDWATCH_DB="$T/hostile.db"
"$BIN" assets import "$SRC/tests/data/assets/hostile.csv" >"$T/h.import" 2>&1
check "hostile register imports" $?
"$BIN" assets list >"$T/h.list"
! grep -q "$ESC" "$T/h.list" && grep -q 'pc\\e\[2J\\e\]0;pwned' "$T/h.list" &&
    grep -q 'seg\\e\[31mred' "$T/h.list" && grep -q 'Windows XP\\e\[0m' "$T/h.list"
check "assets list shows ESC sequences escaped" $?
"$BIN" assets list --format ndjson | python3 -c '
import json, sys
a = [json.loads(l) for l in sys.stdin]
assert a[0]["hostname"] == "pc\x1b[2J\x1b]0;pwned\x07", a[0]["hostname"]
assert a[0]["notes"] == "line1\nFAKE-ROW forged"'
check "ndjson keeps the exact bytes (JSON-escaped)" $?
"$BIN" audit --as-of 2026-05-01 >"$T/h.audit"
! grep -q "$ESC" "$T/h.audit" && grep -q "'Windows XP\\\\e\\[0m SP3' is not in the end-of-life data" "$T/h.audit"
check "audit table shows ESC sequences escaped" $?
"$BIN" audit --as-of 2026-05-01 --format html >"$T/h.html"
! grep -q "$ESC" "$T/h.html" && ! grep -q "<script>alert" "$T/h.html" &&
    grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$T/h.html" && grep -q 'Windows XP\\e\[0m' "$T/h.html"
check "audit html escapes markup and control characters" $?

# ---- the import count is what the store committed ----------------------------------
export WARDWATCH_DB="$T/refuse.db"
"$BIN" assets list >/dev/null 2>&1
if command -v sqlite3 >/dev/null; then
    sqlite3 "$WARDWATCH_DB" "CREATE TRIGGER refuse BEFORE INSERT ON asset WHEN NEW.hostname = 'pacs-srv01' BEGIN SELECT RAISE(ABORT, 'refused by policy'); END;"
    "$BIN" assets import "$SRC/tests/data/assets/register.csv" >"$T/r.out" 2>"$T/r.err"
    rc=$?
    [ $rc = 2 ] && grep -q ": 0 imported, 0 updated, 0 rejected, [1-9][0-9]* not stored" "$T/r.out"
    r=$?
    [ $r = 0 ] || { echo "  exit $rc"; cat "$T/r.out" "$T/r.err"; }
    check "import refused by the store reports 0 imported and the rows not stored" $r
    "$BIN" assets list | grep -q "^0 assets"
    check "...and indeed nothing is in the register" $?
else
    echo "skip store-refusal check: sqlite3 not installed"
fi

[ $fails -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all output-safety checks passed"
