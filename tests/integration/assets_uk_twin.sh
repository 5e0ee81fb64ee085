#!/bin/sh
# A register as UK trusts keep it: semicolon-delimited, dates written day/month/year
# (tests/data/audit/planted-uk.csv) must import fully and audit exactly as its
# comma-and-ISO twin (tests/data/audit/planted.csv): same assets stored, same findings
# byte for byte.  Also a tab-delimited, month/day/year twin read with --date-format mdy;
# --date-format iso refusing d/m/y cells while keeping their assets (warnings naming
# file:line:column); and a workbook (.xlsx) refused with "save it as CSV".
set -u
BIN=${WW_BIN:?}
SRC=${WW_SRC:?}
D="$SRC/tests/data/audit"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
check() { # check NAME CONDITION-RESULT
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
unset WARDWATCH_DB

# The stored register without the import time stamps (first/last seen differ by run).
register() { # register DB OUT
    "$BIN" assets --db "$1" list --format ndjson |
        python3 -c 'import json,sys
for l in sys.stdin:
    a = json.loads(l)
    for k in ("first_seen", "last_seen"):
        a.pop(k, None)
    print(json.dumps(a, sort_keys=True))' >"$2"
}

"$BIN" assets --db "$T/iso.db" import "$D/planted.csv" "$D/scan.xml" >"$T/iso.out" 2>"$T/iso.err"
check "ISO twin imports (exit 0)" $?
"$BIN" assets --db "$T/uk.db" import "$D/planted-uk.csv" "$D/scan.xml" >"$T/uk.out" 2>"$T/uk.err"
rc=$?
[ $rc -eq 0 ] || cat "$T/uk.err"
check "UK twin imports with no rejection or warning (exit 0)" $rc
grep -q "planted-uk.csv: 46 imported, 0 updated, 0 rejected$" "$T/uk.out" && [ ! -s "$T/uk.err" ]
check "UK twin: all 46 rows imported, nothing on stderr" $?

register "$T/iso.db" "$T/iso.reg"
register "$T/uk.db" "$T/uk.reg"
[ -s "$T/iso.reg" ] && cmp -s "$T/iso.reg" "$T/uk.reg"
rc=$?
[ $rc -eq 0 ] || diff "$T/iso.reg" "$T/uk.reg" | head -20
check "UK twin stores exactly the same register" $rc

"$BIN" audit --db "$T/iso.db" --as-of 2026-05-01 --format ndjson >"$T/iso.ndjson" 2>/dev/null
"$BIN" audit --db "$T/uk.db" --as-of 2026-05-01 --format ndjson >"$T/uk.ndjson" 2>/dev/null
[ -s "$T/iso.ndjson" ] && cmp -s "$T/iso.ndjson" "$T/uk.ndjson"
rc=$?
[ $rc -eq 0 ] || diff "$T/iso.ndjson" "$T/uk.ndjson" | head -20
check "UK twin audits exactly as its comma-and-ISO twin" $rc

# Tab-delimited with US dates: the same register only with --date-format mdy.
python3 - "$D/planted.csv" "$T/us.tsv" <<'PY'
import csv, re, sys
iso = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
rows = list(csv.reader(open(sys.argv[1], newline="")))
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f, delimiter="\t", lineterminator="\n")
    for i, r in enumerate(rows):
        w.writerow(r if i == 0 else [iso.sub(lambda m: f"{m[2]}/{m[3]}/{m[1]}", c) for c in r])
PY
"$BIN" assets --db "$T/us.db" import --date-format mdy "$T/us.tsv" "$D/scan.xml" >/dev/null 2>"$T/us.err"
check "tab-delimited m/d/y twin imports with --date-format mdy" $?
register "$T/us.db" "$T/us.reg"
cmp -s "$T/iso.reg" "$T/us.reg"
check "tab-delimited m/d/y twin stores the same register" $?

# The default (dmy) on the US file: a day above 12 in the second place is named, cell by
# cell, and the assets are still imported.
"$BIN" assets --db "$T/us2.db" import "$T/us.tsv" >"$T/us2.out" 2>"$T/us2.err"
check "m/d/y file read as d/m/y exits 1 (cells ignored)" $(( $? != 1 ))
grep -q "us.tsv: 46 imported" "$T/us2.out" &&
    grep -Eq "^$T/us.tsv:[0-9]+:[0-9]+: warning: column [0-9]+ \((last_patched|last_boot|missing_updates)\): .*--date-format mdy" "$T/us2.err"
check "bad cells named file:line:column (name), assets kept" $?

# --date-format iso: d/m/y cells refused, assets kept.
"$BIN" assets --db "$T/isoonly.db" import --date-format iso "$D/planted-uk.csv" >"$T/io.out" 2>"$T/io.err"
check "--date-format iso on d/m/y dates exits 1" $(( $? != 1 ))
grep -q "planted-uk.csv: 46 imported" "$T/io.out" &&
    grep -q "planted-uk.csv:2:9: warning: column 9 (last_patched): \"28/04/2026\" is not an ISO 8601 date" "$T/io.err"
check "--date-format iso names the first d/m/y cell" $?
"$BIN" assets --db "$T/x.db" import --date-format ymd "$D/planted.csv" >/dev/null 2>&1
check "unknown --date-format exits 2" $(( $? != 2 ))

# A workbook is not CSV.
python3 -c 'import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],"w"); z.writestr("[Content_Types].xml","<Types/>"); z.close()' "$T/register.xlsx"
"$BIN" assets --db "$T/x.db" import "$T/register.xlsx" >/dev/null 2>"$T/xlsx.err"
check "an .xlsx file exits 2" $(( $? != 2 ))
grep -q "register.xlsx: this is an Excel workbook (.xlsx).*save it as CSV" "$T/xlsx.err"
check "an .xlsx file is told to save it as CSV" $?
cp "$T/register.xlsx" "$T/renamed.csv"
"$BIN" assets --db "$T/x.db" import "$T/renamed.csv" >/dev/null 2>"$T/xlsx2.err"
check "a workbook renamed .csv is still recognised (zip magic)" $(( $? != 2 ))
grep -q "save it as CSV" "$T/xlsx2.err"
check "renamed workbook: save it as CSV" $?

[ $fails -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all UK-register checks passed"
