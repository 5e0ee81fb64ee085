#!/bin/sh
# NHS cyber alerts end to end with the built binary: an alert for a product in a test
# register applies to exactly the matching assets; the clocks and the audit's overdue
# findings at their boundaries (--at / --as-of inject the clock); the record of who did
# what; bad import files fail with file:line:col; the evidence pack as JSON and HTML
# (self-contained, reproducible).
set -u
WW=${WW_BIN:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export WARDWATCH_DB="$T/t.db" WARDWATCH_DATA="${WW_SRC:?}/data"
fails=0
check() { if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi; }

cat > "$T/reg.csv" <<'CSV'
asset_id,hostname,ip,type,os,os_version,firmware,manufacturer,model,software,missing_updates
FW-A,fw-a,10.0.0.1,firewall,FortiOS,7.4,7.4.2,Fortinet,FortiGate 100F,,
FW-B,fw-b,10.0.0.2,firewall,FortiOS,7.4.4,,Fortinet,FortiGate 100F,,
FW-C,fw-c,10.0.0.3,firewall,,,v7.2.5,Fortinet,FortiGate 60F,,
FW-D,fw-d,10.0.0.4,firewall,FortiOS,6.4.9,,Fortinet,FortiGate 60E,,
SRV-A,srv-a,10.1.0.1,server,Windows Server 2012 R2,,,,,,
SRV-B,srv-b,10.1.0.2,server,Windows Server 2012,,,,,,
APP-A,app-a,10.3.0.1,server,Ubuntu,22.04,,,,OpenSSL:3.0.13,
CSV
"$WW" assets import "$T/reg.csv" >/dev/null 2>&1
check "register imported" $?

cat > "$T/alerts.yaml" <<'Y'
alerts:
  - reference: CC-4567
    title: FortiOS out-of-bounds write
    severity: high
    published: 2026-05-01T09:00:00Z
    products:
      - product: FortiOS
        versions: ["7.4.0 - 7.4.3", "7.2.0 - 7.2.6"]
  - reference: CC-4600
    title: Windows Server 2012 R2 and OpenSSL
    severity: medium
    published: 2026-05-02
    products:
      - Windows Server 2012 R2
      - product: OpenSSL
        versions: ["< 3.0.14"]
Y
out=$("$WW" cyberalerts import "$T/alerts.yaml")
check "import" $?
echo "$out" | grep -q "2 alert(s) added" ; check "import counts" $?

assets() { "$WW" cyberalerts show "$1" --format json | python3 -c '
import json, sys
a = json.load(sys.stdin)
print(",".join(("?" if x["match"] == "possible" else "") + x["asset"] for x in a["assets"]))'; }
[ "$(assets CC-4567)" = "FW-A,FW-C" ]; check "FortiOS alert applies to exactly FW-A, FW-C ($(assets CC-4567))" $?
[ "$(assets CC-4600)" = "APP-A,SRV-A" ]; check "2012 R2 + OpenSSL alert applies to exactly APP-A, SRV-A ($(assets CC-4600))" $?

# Re-import: idempotent, handling kept.
"$WW" cyberalerts import "$T/alerts.yaml" | grep -q "0 alert(s) added, 2 updated"; check "re-import updates" $?

# Clocks at their boundaries.
clock() { "$WW" cyberalerts show CC-4567 --format json --at "$1" | python3 -c "
import json, sys; print(json.load(sys.stdin)['clocks']['$2']['state'])"; }
[ "$(clock 2026-05-03T09:00:00Z acknowledge)" = pending ]; check "ack due at 48 h: pending" $?
[ "$(clock 2026-05-03T09:00:01Z acknowledge)" = overdue ]; check "ack 48 h + 1 s: overdue" $?
[ "$(clock 2026-05-04T09:00:00Z first_update)" = pending ]; check "update due at 3 days: pending" $?
[ "$(clock 2026-05-04T09:00:01Z first_update)" = overdue ]; check "update 3 days + 1 s: overdue" $?
"$WW" cyberalerts list --at 2026-05-03T09:00:00Z >/dev/null; check "list exit 0 while nothing is overdue" $?
"$WW" cyberalerts list --at 2026-05-03T09:00:01Z >/dev/null; [ $? = 1 ]; check "list exit 1 once overdue" $?

# The audit: findings at their boundaries (the as-of moment is injected).
findings() { "$WW" audit --no-history --format ndjson --as-of "$1" | grep -c "\"$2\""; }
[ "$(findings 2026-05-03T09:00:00Z cyberalert_ack_overdue)" = 0 ]; check "audit: no ack finding at the deadline" $?
[ "$(findings 2026-05-03T09:00:01Z cyberalert_ack_overdue)" = 1 ]; check "audit: ack finding a second later" $?
[ "$(findings 2026-05-15T09:00:00Z cyberalert_unmitigated)" = 0 ]; check "audit: no unmitigated finding at 14 days" $?
[ "$(findings 2026-05-15T09:00:01Z cyberalert_unmitigated)" = 2 ]; check "audit: 2 unmitigated assets a second later" $?

# The response, recorded with who and when.
"$WW" cyberalerts ack CC-4567 --at 2026-05-02T10:00:00Z --by alice --note "seen" >/dev/null; check "ack" $?
"$WW" cyberalerts ack CC-4567 >/dev/null 2>&1; [ $? = 2 ]; check "second ack refused" $?
"$WW" cyberalerts update CC-4567 --at 2026-05-03T10:00:00Z --by bob --asset FW-A --state patched --asset-note "7.4.4" >/dev/null; check "update with an asset state" $?
"$WW" cyberalerts update CC-4567 --asset SRV-A --state patched >/dev/null 2>&1; [ $? = 2 ]; check "asset the alert does not apply to refused" $?
[ "$(findings 2026-05-15T09:00:01Z cyberalert_unmitigated)" = 1 ]; check "audit: patched asset drops out" $?
[ "$(findings 2026-05-15T09:00:01Z cyberalert_ack_overdue)" = 0 ]; check "audit: acknowledged alert has no ack finding" $?
"$WW" cyberalerts show CC-4567 --at 2026-05-04T00:00:00Z > "$T/show.txt"
grep -q "acknowledge  met" "$T/show.txt" && grep -q "ack      alice: seen" "$T/show.txt" &&
    grep -q "asset    bob: FW-A: patched: 7.4.4" "$T/show.txt"; check "show: clocks and history" $?

# Bad input: where and why.
printf 'alerts:\n  - reference: CC-1\n    title: t\n    severity: urgent\n    published: 2026-01-01\n' > "$T/bad.yaml"
err=$("$WW" cyberalerts import "$T/bad.yaml" 2>&1); [ $? = 2 ]; check "bad severity refused" $?
echo "$err" | grep -q "bad.yaml:4:15: severity 'urgent'"; check "error names file:line:col ($err)" $?
printf 'alerts:\n  - reference: CC-1\n    title: t\n    severity: high\n    published: 2026-01-01\n    products: [{product: X, versions: ["2 - 1"]}]\n' > "$T/bad2.yaml"
"$WW" cyberalerts import "$T/bad2.yaml" 2>&1 | grep -q "bad2.yaml:6:.*range ends"; check "bad range refused with its place" $?
"$WW" cyberalerts add --ref CC-9 --title x --severity high --published 2026-01-01 2>&1 | grep -q "at least one affected product or CVE"; check "add without products refused" $?
"$WW" cyberalerts add --ref CC-9 --title x --severity high --published 2026-01-01 --product "Windows Server 2012" --cve CVE-2026-1234 | grep -q "applies to 1 asset"; check "add with flags" $?

# Evidence: JSON and HTML, reproducible, self-contained.
"$WW" evidence --as-of 2026-05-20 > "$T/e1.json"; check "evidence json" $?
"$WW" evidence --as-of 2026-05-20 > "$T/e2.json"; cmp -s "$T/e1.json" "$T/e2.json"; check "evidence is reproducible" $?
python3 - "$T/e1.json" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
assert e["as_of"] == "2026-05-20T23:59:59Z", e["as_of"]
ids = [o["id"] for o in e["outcomes"]]
assert ids == ["C1.a", "B4.d", "D1"], ids
facts = {f["fact"]: f for o in e["outcomes"] for f in o["facts"]}
a = [f for k, f in facts.items() if k.startswith("NHS cyber alert CC-4567")][0]
assert a["value"].startswith("ack met, update met"), a
assert "1/2 assets open" in a["value"], a
assert any(k == "No incidents recorded" for k in facts), facts.keys()
for f in facts.values():
    assert f["source"], f
PY
check "evidence facts" $?
"$WW" evidence --as-of 2026-05-02T09:59:59Z | grep -q '"ack pending' ; check "evidence as of an earlier day ignores later records" $?
"$WW" evidence --as-of 2026-05-20 --format html --out "$T/e.html"; check "evidence html" $?
! grep -Eiq '<script|<link|src="http|url\(' "$T/e.html" && grep -q "<svg" "$T/e.html" || grep -q "No audit" "$T/e.html"
check "html is self-contained" $?
"$WW" evidence 2>/dev/null; [ $? = 2 ]; check "evidence without --as-of refused" $?

# A register written the UK way (';', dd/mm/yyyy, "Windows Server" + "2022"), with the
# end-of-life data from ../shared when it is there (else the bundled copy).
export WARDWATCH_DB="$T/uk.db"
[ -n "${WW_SHARED:-}" ] && export WARDWATCH_DATA="$WW_SHARED/data"
"$WW" assets import "$WW_SRC/tests/data/audit/planted-uk.csv" >/dev/null 2>&1
cat > "$T/uk.yaml" <<'Y'
- reference: CC-5001
  title: Windows Server 2022
  severity: high
  published: 2026-05-01
  products: [Microsoft Windows Server 2022]
- reference: CC-5002
  title: Windows 10 22H2 and old Ubuntu
  severity: high
  published: 2026-05-01
  products:
    - {product: Windows 10, versions: [22H2]}
    - {product: Ubuntu, versions: ["< 24.04"]}
- reference: CC-5003
  title: FortiOS 7 and later
  severity: low
  published: 2026-05-01
  products: [{product: Fortinet FortiGate, versions: [">= 7.0"]}]
Y
"$WW" cyberalerts import "$T/uk.yaml" >/dev/null; check "UK register: import" $?
[ "$(assets CC-5001)" = "SRV-001,SRV-010,SRV-014,SRV-016,SRV-017" ]; check "Windows Server 2022: exactly its five servers ($(assets CC-5001))" $?
[ "$(assets CC-5002)" = "DT-004,DT-019,LT-010,VM-001,VM-010" ]; check "Windows 10 22H2 + Ubuntu < 24.04 ($(assets CC-5002))" $?
[ "$(assets CC-5003)" = "FW-001" ]; check "FortiGate >= 7.0: FW-001, not FW-010 on 6.4 ($(assets CC-5003))" $?

[ $fails = 0 ]
