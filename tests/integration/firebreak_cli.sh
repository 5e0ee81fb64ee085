#!/bin/sh
# The firebreak command without touching the network (no root needed): bad maps are
# rejected with file:line and nothing is stored; import, show, plan in every format
# (with registered assets in the blast radius), observed flows against the map, the
# monitor-only refusal, and the hazard-log export.
set -u
BIN=${WW_BIN:?}
SRC=${WW_SRC:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export WARDWATCH_DB="$T/ww.db"
fails=0
check() { # check NAME CONDITION-RESULT
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
MAP="$SRC/tests/data/firebreak/hospital.yml"

# A bad map: a flow naming an unknown segment on line 5; nothing stored.
cat >"$T/bad.yml" <<'EOF'
segments:
  - {name: a, cidrs: [10.1.0.0/24], kind: clinical}
  - {name: b, cidrs: [10.2.0.0/24], kind: servers}
flows:
  - {from: a, to: nowhere, proto: tcp, ports: [443], clinical: true, reason: x}
EOF
"$BIN" firebreak map import "$T/bad.yml" >"$T/out" 2>"$T/err"
check "bad map exits 2" $(( $? != 2 ))
grep -q "^$T/bad.yml:5:.*unknown segment 'nowhere'" "$T/err"
check "bad map names file, line and reason" $?
grep -q "nothing stored" "$T/err"
check "bad map says nothing was stored" $?
"$BIN" firebreak map show >/dev/null 2>"$T/err"
check "nothing was stored from the bad map" $(( $? != 2 ))
printf 'segments:\n  - {name: a, cidrs: [10.1.0.0/24], kind: clinical}\n  - {name: b, cidrs: [10.1.0.128/25], kind: guest}\n' >"$T/overlap.yml"
"$BIN" firebreak map check "$T/overlap.yml" 2>"$T/err"
check "overlapping CIDRs rejected" $(( $? != 2 ))
grep -q "overlap.yml:3:.*overlaps 10.1.0.0/24 of segment 'a' (line 2)" "$T/err"
check "overlap names both lines" $?
printf 'segments:\n  - {name: a, cidrs: [10.1.0.0/24], kind: clinical}\n  - {name: b, cidrs: [10.2.0.0/24], kind: guest}\nflows:\n  - {from: a, to: b, proto: udp, ports: [70000]}\n' >"$T/port.yml"
"$BIN" firebreak map check "$T/port.yml" 2>"$T/err"
grep -q "port.yml:5:.*out of range" "$T/err"
check "port out of range rejected with its line" $?

"$BIN" firebreak map import "$MAP" --by tester >"$T/out"
check "map import" $?
"$BIN" firebreak map show --format json | python3 -c '
import json, sys
m = json.load(sys.stdin)
assert len(m["segments"]) == 8 and len(m["flows"]) == 7, m
assert m["routing"] == "core"
'
check "map show --format json" $?

printf 'hostname,ip,type,clinical_criticality\nct-2,10.20.0.15,medical-device,high\nfinance-pc,10.40.0.20,desktop,low\n' >"$T/assets.csv"
if "$BIN" assets import "$T/assets.csv" >/dev/null 2>&1; then
    "$BIN" firebreak plan --infected 10.20.0.15 --reason "alert on ct-2" >"$T/plan.txt"
    grep -q "ct-2 .*10.20.0.15 .*imaging .*CLINICAL" "$T/plan.txt"
    check "blast radius lists registered assets" $?
fi
"$BIN" firebreak plan --infected 10.20.0.15 --reason "alert on ct-2" >"$T/plan.txt"
check "plan --infected" $?
grep -q "What keeps working" "$T/plan.txt" && grep -q "What stops" "$T/plan.txt" &&
    grep -q "corporate -> imaging, TCP port 445" "$T/plan.txt"
check "plan text says what keeps working and what stops" $?
"$BIN" firebreak plan --segment imaging --format nft >"$T/plan.nft" 2>/dev/null
grep -q "^table inet wardwatch_firebreak {$" "$T/plan.nft" &&
    grep -q "tcp dport { 104, 11112 }" "$T/plan.nft"
check "plan --format nft" $?
"$BIN" firebreak plan --segment imaging --format change-request >"$T/cr.txt" 2>/dev/null
grep -q "^CHANGE REQUEST" "$T/cr.txt" && grep -q "DENY   everything from imaging" "$T/cr.txt"
check "plan --format change-request" $?
"$BIN" firebreak plan --segment imaging --format json 2>/dev/null | python3 -c '
import json, sys
p = json.load(sys.stdin)
assert p["segment"]["name"] == "imaging"
assert {(k["from"], k["to"]) for k in p["keeps"]} >= {("imaging", "pacs"), ("management", "imaging")}
assert p["stops"][0]["from"] == "corporate"
'
check "plan --format json" $?
"$BIN" firebreak plan --infected 192.168.77.1 2>"$T/err"
check "an address outside the map is refused" $(( $? != 2 ))
"$BIN" firebreak plan --segment robots --format json >"$T/r.json" 2>/dev/null
RID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["plan"])' "$T/r.json")
"$BIN" firebreak apply "$RID" --confirm 2>"$T/err"
check "monitor-only segment: apply refused" $(( $? != 2 ))
grep -q "override-monitor-only" "$T/err"
check "the refusal names the override" $?

cat >"$T/flows.ndjson" <<'EOF'
{"src_ip":"10.20.0.15","dst_ip":"10.30.0.4","dst_port":104,"proto":"tcp"}
{"src_ip":"10.40.0.20","dst_ip":"10.30.0.4","dst_port":445,"proto":"tcp"}
{"src_ip":"10.40.0.21","dst_ip":"10.30.0.4","dst_port":445,"proto":"tcp"}
{"src_ip":"10.60.0.9","dst_ip":"10.20.0.15","dst_port":3389,"proto":"tcp","action":"deny"}
{"src_ip":"10.10.0.5","dst_ip":"10.10.0.6","dst_port":22,"proto":"tcp"}
EOF
"$BIN" firebreak flows check --format json "$T/flows.ndjson" >"$T/seen" 2>"$T/err"
check "flows check exits 1 when flows outside the map are seen" $(( $? != 1 ))
python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 1, rows
r = rows[0]
assert (r["from"], r["to"], r["proto"], r["port"], r["count"]) == ("corporate", "pacs", "tcp", 445, 2), r
' "$T/seen"
check "flows check reports only the undocumented flow, counted" $?

"$BIN" firebreak log --format json | python3 -c '
import json, sys
recs = [json.loads(l) for l in sys.stdin]
acts = [r["action"] for r in recs]
assert acts.count("map-import") == 1 and "plan" in acts and "apply-refused" in acts, acts
p = next(r for r in recs if r["action"] == "plan")
assert p["by"] and p["at"] and "table inet wardwatch_firebreak" in p["ruleset"], p
'
check "log --format json holds who, when, why and the ruleset" $?
"$BIN" firebreak log | grep -q "plan .*segment imaging  by"
check "log --format text" $?
"$BIN" firebreak status | grep -q "no active fire-breaks"
check "status with nothing applied" $?
"$BIN" firebreak lift 1 2>/dev/null
check "lift of a plan never applied is refused" $(( $? != 2 ))

echo "$fails failed"
[ "$fails" = 0 ]
