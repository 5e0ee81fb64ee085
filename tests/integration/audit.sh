#!/bin/sh
# wardwatch audit end to end: a planted register (CSV) and an nmap scan are imported into
# a fresh database, audited as of a fixed day, and the NDJSON must equal the expected
# findings byte for byte: nothing missed, nothing invented.  Also: exit codes, the table,
# the Cyber Essentials labels against the OSCAL catalog, and the HTML report rendered in
# headless Chromium (its charts must draw).
set -u
BIN=${WW_BIN:?}
SRC=${WW_SRC:?}
SHARED=${WW_SHARED:-}
D="$SRC/tests/data/audit"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
check() { # check NAME CONDITION-RESULT
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
export WARDWATCH_DB="$T/ww.db"

# An empty register: nothing to report, exit 0.
"$BIN" audit --as-of 2026-05-01 >"$T/empty.txt" 2>"$T/empty.err"
check "empty register exits 0" $?
grep -q "No findings" "$T/empty.txt"
check "empty register says no findings" $?

"$BIN" assets import "$D/planted.csv" "$D/scan.xml" >"$T/import.out" 2>&1
rc=$?
[ $rc -eq 0 ] || cat "$T/import.out"
check "import planted register and scan" $rc

"$BIN" audit --as-of 2026-05-01 --format ndjson >"$T/got.ndjson" 2>"$T/err"
check "audit exits 1 when there are findings" $(( $? != 1 ))
cmp -s "$T/got.ndjson" "$D/expected.ndjson"
rc=$?
[ $rc -eq 0 ] || diff "$D/expected.ndjson" "$T/got.ndjson" | head -40
check "ndjson findings equal the planted problems" $rc

# Same findings whether the report goes to stdout or --out; --db equals $WARDWATCH_DB.
WARDWATCH_DB= "$BIN" audit --db "$T/ww.db" --as-of 2026-05-01 --format ndjson --out "$T/out.ndjson" 2>/dev/null
check "--out exits 1" $(( $? != 1 ))
cmp -s "$T/out.ndjson" "$D/expected.ndjson"
check "--db/--out give the same findings" $?

python3 - "$T/got.ndjson" <<'PY'
import json, sys
keys = ["asset_id", "hostname", "model", "check", "control", "severity", "auto_fail", "title",
        "evidence", "remedy"]
for n, line in enumerate(open(sys.argv[1]), 1):
    f = json.loads(line)
    if list(f) != keys:
        sys.exit(f"line {n}: keys {list(f)}")
    if f["severity"] not in ("low", "medium", "high", "critical") or not isinstance(f["auto_fail"], bool):
        sys.exit(f"line {n}: severity/auto_fail {f['severity']!r} {f['auto_fail']!r}")
    if not f["remedy"].endswith(".") or not f["title"] or not f["evidence"]:
        sys.exit(f"line {n}: empty title/evidence or remedy not a sentence")
PY
check "every finding has exactly the issue's keys" $?

"$BIN" audit --as-of 2026-05-01 >"$T/table.txt" 2>/dev/null
check "table exits 1" $(( $? != 1 ))
n=$(wc -l <"$D/expected.ndjson")
grep -q "^Summary: $n findings on " "$T/table.txt" && grep -q "^CRITICAL (" "$T/table.txt" &&
    head -1 "$T/table.txt" | grep -q "as of 2026-05-01"
check "table: heading, severity groups, summary line" $?

# Each finding names the asset's hostname and model beside its ID.
grep -q '^  #1    SRV-011 ' "$T/table.txt" && grep -q '^         asset: pacs-app01, HPE ProLiant DL380$' "$T/table.txt"
check "table: hostname and model beside the asset ID" $?
# The bundled KEV catalog (2025-08-25) is more than 30 days old on 2026-05-01: said.
grep -q '^WARNING: CISA KEV catalog dated 2025-08-25, version 2025.08.25 is 249 days old on 2026-05-01' "$T/table.txt" &&
    grep -q '^End-of-life data (endoflife.date) dated 20' "$T/table.txt"
check "table: reference data dated, stale KEV warned about" $?
grep -q '^Medical devices registered: 87%$' "$T/table.txt"
check "table: medical device coverage from the scan" $?

# Without a network scan, medical coverage is "not checked", never 100%.
"$BIN" assets --db "$T/noscan.db" import "$D/planted.csv" >/dev/null 2>&1
"$BIN" audit --db "$T/noscan.db" --as-of 2026-05-01 >"$T/noscan.txt" 2>/dev/null
"$BIN" audit --db "$T/noscan.db" --as-of 2026-05-01 --format html --out "$T/noscan.html" 2>/dev/null
grep -q '^Medical devices registered: not checked (no network scan imported' "$T/noscan.txt" &&
    grep -q '<b>not checked</b><span>medical devices registered (no network scan imported)' "$T/noscan.html" &&
    ! grep -q '"DSPT A3.a"' "$T/noscan.txt"
check "no scan imported: medical devices 'not checked'" $?

# The trend: every run is kept; an earlier as-of day and --no-history.
"$BIN" audit --db "$T/noscan.db" --as-of 2026-04-01 >/dev/null 2>&1
"$BIN" audit --db "$T/noscan.db" --as-of 2026-05-01 --no-history >"$T/trend.txt" 2>/dev/null
grep -q '^Trend (findings per audit, 2 audits since 2026-04-01): ' "$T/trend.txt"
check "table: trend over the kept runs (latest per day)" $?

"$BIN" audit --as-of 2026-02-30 >/dev/null 2>"$T/bad.err"
check "impossible --as-of day exits 2" $(( $? != 2 ))
grep -q "as-of" "$T/bad.err"
check "bad --as-of is explained" $?
"$BIN" audit --format pdf >/dev/null 2>&1
check "unknown format exits 2" $(( $? != 2 ))
"$BIN" audit --as-of 2026-05-01 --out "$T/no/such/dir/r.html" >/dev/null 2>&1
check "unwritable --out exits 2" $(( $? != 2 ))

# The labels the audit reports exist in the Cyber Essentials catalog, and auto_fail is
# only ever set on the catalog's auto-fail controls.
CAT="$SHARED/data/cyber-essentials/danzell-v16-catalog.json"
if [ -f "$CAT" ]; then
    python3 - "$CAT" "$T/got.ndjson" <<'PY'
import json, sys
cat = json.load(open(sys.argv[1]))["catalog"]
labels = {}
def walk(g):
    for c in g.get("controls", []):
        p = {x["name"]: x["value"] for x in c.get("props", [])}
        labels[p["label"]] = p.get("auto-fail") == "true"
        walk(c)
    for s in g.get("groups", []):
        walk(s)
walk(cat)
for line in open(sys.argv[2]):
    f = json.loads(line)
    c = f["control"]
    if c.startswith("DSPT"):
        continue
    if c not in labels:
        sys.exit(f"control {c} is not in the catalog")
    if f["auto_fail"] and not labels[c]:
        sys.exit(f"{f['asset_id']} {f['check']}: auto_fail on {c}, not an auto-fail control")
PY
    check "controls and auto-fail flags agree with the OSCAL catalog" $?
fi

# Isolation from the network map: with links listed, a segment no link names is
# isolated (xp-vlan here), one that is linked is not (medical).  Free text in the
# register ("isolated VLAN per vendor") never counted.
cat >"$T/map.yml" <<'YML'
segments:
  - {name: corp, cidrs: [10.1.0.0/16], kind: corporate}
  - {name: medical, cidrs: [10.9.0.0/24], kind: medical-device}
  - {name: xp-vlan, cidrs: [10.9.2.0/24], kind: medical-device}
links:
  - {from: corp, to: medical}
YML
"$BIN" firebreak map import "$T/map.yml" >/dev/null 2>"$T/map.err"
check "network map imported" $?
"$BIN" audit --as-of 2026-05-01 --format ndjson >"$T/map.ndjson" 2>/dev/null
! grep -q '"asset_id":"MD-014","hostname":"[^"]*","model":"[^"]*","check":"unsupported_not_isolated"' "$T/map.ndjson" &&
    ! grep -q '"asset_id":"MD-015","hostname":"[^"]*","model":"[^"]*","check":"unsupported_not_isolated"' "$T/map.ndjson" &&
    grep -q '"asset_id":"MD-013","hostname":"[^"]*","model":"[^"]*","check":"unsupported_not_isolated".*routed to other segments in the network map' "$T/map.ndjson" &&
    [ $(wc -l <"$T/map.ndjson") -eq $(( $(wc -l <"$D/expected.ndjson") - 2 )) ]
check "the network map marks xp-vlan isolated, medical not" $?

# The HTML report: self-contained, and a real browser draws it.
"$BIN" audit --as-of 2026-05-01 --format html --out "$T/report.html" 2>/dev/null
check "html exits 1" $(( $? != 1 ))
! grep -Eq '(src|href)="(https?:)?//' "$T/report.html" && grep -q "<svg" "$T/report.html"
check "html is self-contained with inline SVG" $?

# The automatic-fail colour (red) only on elements marked "af" (and CSS rules for
# them); findings that are not automatic fails are drawn in other colours.
python3 - "$T/report.html" <<'PY'
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
AF = "#c5221f"
css = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
for rule in re.findall(r"([^{}]+)\{([^}]*)\}", css):
    if AF in rule[1] and ".af" not in rule[0]:
        sys.exit(f"CSS rule {rule[0]!r} uses the automatic-fail colour")
body = html.split("</style>", 1)[1]
for tag in re.findall(r"<[a-z][^>]*>", body):
    if AF in tag and not re.search(r'class="[^"]*\baf\b', tag):
        sys.exit(f"automatic-fail colour outside an af element: {tag[:120]}")
rows = re.findall(r'<tr( class="af")?><td>\d+</td>.*?</tr>', body, re.S)
if not rows or not any(rows) or all(rows):
    sys.exit("top-ten rows should be marked af exactly when they are automatic fails")
if "pacs-app01, HPE ProLiant DL380" not in body:
    sys.exit("hostname/model missing beside the asset id")
if 'data-chart="trend"' not in body or "Reference data:" not in body:
    sys.exit("trend chart or reference data dates missing")
PY
check "html: automatic-fail colour only on automatic fails; hostname/model; trend; data dates" $?

CHROME=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$CHROME" ]; then
    echo "skip headless Chromium checks: chromium not installed"
    [ $fails -eq 0 ] && exit 77
    exit 1
fi
chrome() { # chrome ARGS...: one headless run with a fresh profile
    prof=$(mktemp -d "$T/prof.XXXXXX")
    timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$prof" "$@" 2>>"$T/chrome.err"
}
chrome --dump-dom "file://$T/report.html" >"$T/dom.html"
python3 - "$T/dom.html" <<'PY'
import re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
body = re.search(r"<body[^>]*>", dom)
if not body or 'data-rendered="done"' not in body.group(0):
    sys.exit("page did not finish loading: %r" % (body.group(0) if body else None))
charts = int(re.search(r'data-charts="(\d+)"', body.group(0)).group(1))
if charts < 5:
    sys.exit(f"only {charts} charts")
for name in ("controls", "trend", "severity", "by-check", "os-support", "medical"):
    if f'data-chart="{name}"' not in dom:
        sys.exit(f"chart {name} missing")
if len(re.findall(r'<circle class="slice"', dom)) < 4 or len(re.findall(r'<rect class="bar', dom)) < 10:
    sys.exit("donut slices or bars missing")
PY
check "chromium loads the report and its charts are in the DOM" $?

chrome --window-size=1280,2000 --screenshot="$T/shot.png" "file://$T/report.html" >/dev/null
python3 - "$T/shot.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit("not a PNG")
pos, idat, w, h = 8, b"", 0, 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    chunk = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", chunk[:10])
    elif kind == b"IDAT":
        idat += chunk
    pos += 12 + n
raw = zlib.decompress(idat)
# Count distinct byte values in a sample of rows: a blank page has one or two.
stride = len(raw) // h
vals = set()
for y in range(0, h, 7):
    vals.update(raw[y * stride + 1:(y + 1) * stride:13])
if w < 1000 or len(vals) < 40:
    sys.exit(f"screenshot looks blank ({w}x{h}, {len(vals)} distinct values)")
PY
check "chromium screenshot of the report is not blank" $?


[ $fails -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all audit checks passed"
