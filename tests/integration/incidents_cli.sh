#!/bin/sh
# wardwatch incidents from a terminal: open, edit, note, evidence (SHA-256 against
# sha256sum), links to a fire-break plan and refusals, list's exit codes, show's
# escaping of control characters, and both exports (the STIX bundle validated against
# ../shared/data/stix2-schemas when it is there; exit 77 after everything else when not).
set -u
WW=${WW_BIN:?}
: "${WW_SRC:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
check() {
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
inc() { "$WW" incidents --db "$T/ww.db" --by tester "$@"; }

inc list >/dev/null 2>&1
[ $? = 1 ]
check "list on an empty store exits 1" $?
ref=$(inc new --title "Ransomware on ward 7" --severity critical --personal-data yes \
    --aware "$(date -u -d '-3 hours' '+%Y-%m-%dT%H:%M')")
[ "$ref" = "INC-$(date -u +%Y)-0001" ]
check "new prints the reference ($ref)" $?
inc new --title "" >/dev/null 2>"$T/err"
[ $? = 2 ] && grep -q 'title: must not be empty' "$T/err"
check "an empty title is refused, saying why" $?
inc new --title x --aware 2099-01-01 >/dev/null 2>"$T/err"
[ $? = 2 ] && grep -q 'aware: in the future' "$T/err"
check "an awareness time in the future is refused" $?
inc set "$ref" --status contained --owner alice --dspt yes --dspt-reported yes --dspt-ref D-1 |
    grep -q "$ref: 5 changes"
check "set applies five changes" $?
inc set "$ref" --status finished >/dev/null 2>"$T/err"
[ $? = 2 ] && grep -q "status: 'finished' is not" "$T/err"
check "an unknown status is refused" $?
inc note "$ref" "$(printf 'host isolated\033[2J')" 2>"$T/err"
[ $? = 2 ] && grep -q 'note: control character 0x1b' "$T/err"
check "a note with a terminal escape is refused, saying where" $?
inc note "$ref" "$(printf 'line one\n2026-12-03 forged line')" && inc show "$ref" >"$T/show"
grep -q 'line one\\n2026-12-03 forged line' "$T/show" && ! grep -q '^2026-12-03 forged' "$T/show"
check "show prints a note's line breaks escaped, so it cannot forge a line" $?
grep -q 'ICO:       report by' "$T/show" && grep -q 'h .* min left' "$T/show"
check "show gives the ICO deadline and the time left" $?

head -c 70000 /dev/urandom >"$T/memdump.bin"
sum=$(sha256sum "$T/memdump.bin" | cut -d' ' -f1)
inc evidence "$ref" "$T/memdump.bin" | grep -q "^$sum  memdump.bin$"
check "evidence prints the file's SHA-256 as sha256sum does" $?
cmp -s "$T/evidence/$ref/$sum" "$T/memdump.bin"
check "the file is kept beside the store under evidence/$ref/<sha256>" $?
inc evidence "$ref" "$T/memdump.bin" | grep -q "(kept already)"
check "the same content again is kept once" $?

"$WW" firebreak --db "$T/ww.db" map import "$WW_SRC/tests/data/firebreak/hospital.yml" >/dev/null &&
    "$WW" firebreak --db "$T/ww.db" plan --host 10.20.0.7 --reason test --by tester >/dev/null
inc link "$ref" --host 10.20.0.7 | grep -q "1 plan linked"
check "link --host links the plan that quarantines the address" $?
inc link "$ref" --alert 0123456789abcdef0123456789abcdef >/dev/null 2>"$T/err"
[ $? = 2 ] && grep -q 'no alert' "$T/err"
check "linking an alert that is not stored is refused" $?

inc export "$ref" --format json >"$T/e.json"
python3 - "$T/e.json" "$sum" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["status"] == "contained" and d["owner"] == "alice" and d["severity"] == "critical"
assert d["dspt"]["reference"] == "D-1" and d["dspt"]["reported"]
assert d["ico"]["applies"] and 68 * 3600 < d["ico"]["seconds_left"] <= 69 * 3600 + 60
assert d["evidence"][0]["sha256"] == sys.argv[2]
assert d["firebreaks"][0]["records"][0]["action"] == "plan"
PY
check "the JSON export has the edits, the ICO clock, the evidence and the plan" $?
inc export "$ref" --format stix --trust "Test Trust" --base-url https://c.test >"$T/s.json"
stix=77
if [ -n "${WW_SHARED:-}" ] && [ -d "$WW_SHARED/data/stix2-schemas/schemas" ]; then
    python3 "$WW_SRC/tests/integration/stix_validate.py" "$WW_SHARED/data/stix2-schemas/schemas" "$T/s.json"
    stix=$?
    [ $stix = 77 ] || check "the STIX bundle validates against the OASIS schemas" $stix
fi
inc export "$ref" --format xml >/dev/null 2>&1
[ $? = 2 ]
check "an unknown export format is refused" $?
inc list --status active | grep -q "^$ref "
check "list --status active shows it" $?

[ $fails = 0 ] || { echo "$fails failed"; exit 1; }
[ $stix = 77 ] && { echo "all else passed; skip: STIX not validated (no ../shared or jsonschema)"; exit 77; }
echo "all passed"
