#!/bin/sh
# The firebreak command without touching the network (no root needed): bad maps are
# rejected with file:line:column and nothing is stored; import, show, plan in every
# format (with registered assets in the blast radius), --infected read strictly
# (IPv4-mapped IPv6 accepted, leading-zero octets refused), observed flows against the
# map, the monitor-only refusal, the hazard-log export with control characters
# escaped and write failures noticed, and the store: private file mode, --db never a
# SQLite URI, a locked store reported, never a silent success; host plans (plan --host),
# external segments, the warning for a flow no link carries, and the change request:
# plan --format change-request never stores a plan without its reason, show gives the
# change request of a stored plan.
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
grep -q "^$T/bad.yml:5:19: flow 'to' names unknown segment 'nowhere'" "$T/err"
check "bad map names the column too" $?
grep -q "nothing stored" "$T/err"
check "bad map says nothing was stored" $?
"$BIN" firebreak map show >/dev/null 2>"$T/err"
check "nothing was stored from the bad map" $(( $? != 2 ))
printf 'segments:\n  - {name: a, cidrs: [10.1.0.0/24], kind: clinical}\n  - {name: b, cidrs: [10.1.0.128/25], kind: guest}\n' >"$T/overlap.yml"
"$BIN" firebreak map check "$T/overlap.yml" 2>"$T/err"
check "overlapping CIDRs rejected" $(( $? != 2 ))
grep -q "overlap.yml:3:[0-9][0-9]*:.*overlaps 10.1.0.0/24 of segment 'a' (line 2)" "$T/err"
check "overlap names both lines, and the column" $?
printf 'segments:\n  - {name: a, cidrs: [10.1.0.0/24], kind: clinical}\n  - {name: b, cidrs: [10.02.0.0/24], kind: guest}\n' >"$T/zero.yml"
"$BIN" firebreak map check "$T/zero.yml" 2>"$T/err"
check "a leading-zero octet in a map is refused" $(( $? != 2 ))
grep -q "zero.yml:3:23:.*octet '02' has a leading zero" "$T/err"
check "the leading-zero refusal says where and why" $?
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
"$BIN" firebreak plan --segment imaging --format change-request --reason "CAB test" >"$T/cr.txt" 2>/dev/null
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

# --infected: an IPv4-mapped IPv6 address is that IPv4 host; leading zeros are refused.
"$BIN" firebreak plan --infected ::ffff:10.20.0.15 >"$T/mapped.txt" 2>"$T/err"
check "plan --infected ::ffff:10.20.0.15" $?
grep -q "^Fire-break plan [0-9]*: isolate segment imaging" "$T/mapped.txt" &&
    grep -q "infected host: 10.20.0.15$" "$T/mapped.txt"
check "the mapped address is planned and recorded as 10.20.0.15" $?
for bad in 010.20.0.15 10.020.0.15 ::ffff:010.20.0.15; do
    "$BIN" firebreak plan --infected "$bad" >/dev/null 2>"$T/err"
    rc=$?
    [ $rc = 2 ] && grep -q "leading zero" "$T/err" && grep -q "without leading zeros" "$T/err"
    check "plan --infected $bad is refused as ambiguous" $?
done
"$BIN" firebreak plan --infected 10.20.0.999 >/dev/null 2>"$T/err"
[ $? = 2 ] && grep -q "not an IPv4 or IPv6 address" "$T/err"
check "plan --infected with a bad address says so" $?
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
"$BIN" firebreak log >"$T/log1.txt" && grep -q "plan .*segment imaging  by" "$T/log1.txt"
check "log --format text" $?
"$BIN" firebreak status | grep -q "no active fire-breaks"
check "status with nothing applied" $?

# Recorded text is shown with control characters escaped: a reason cannot forge a
# record line or drive the terminal, in the log or anywhere else.
ESC=$(printf '\033')
FORGED=$(printf 'real reason\n#99  2026-01-01T00:00:00.000000Z  lift  plan 1  segment imaging  by admin\n%s[2J%s]0;pwned\a' "$ESC" "$ESC")
"$BIN" firebreak plan --segment pacs --reason "$FORGED" --by "$(printf 'mallory\r%s[31m' "$ESC")" \
    --format json >/dev/null 2>&1
check "plan with a hostile reason is stored" $?
"$BIN" firebreak log >"$T/log.txt"
check "log --format text" $?
! grep -q "$ESC" "$T/log.txt" && ! LC_ALL=C grep -q "$(printf '\r')" "$T/log.txt" &&
    ! LC_ALL=C grep -q "$(printf '\a')" "$T/log.txt"
check "log text holds no escape, carriage return or bell" $?
! grep -q "^#99 " "$T/log.txt" && ! grep -qv '^[# ]' "$T/log.txt"
check "log text: no forged record line (every line is a record or indented)" $?
grep -qF 'why: real reason\n#99  2026-01-01T00:00:00.000000Z  lift' "$T/log.txt" &&
    grep -qF '\e[2J\e]0;pwned\x07' "$T/log.txt" && grep -qF 'by mallory\r\e[31m' "$T/log.txt"
check "log text shows the hostile text escaped, not dropped" $?
"$BIN" firebreak log --format json | python3 -c '
import json, sys
recs = [json.loads(l) for l in sys.stdin]
assert any(r["reason"] and r["reason"].startswith("real reason\n#99") for r in recs), recs
'
check "log --format json keeps the exact text" $?
HID=$("$BIN" firebreak log --format json | python3 -c '
import json, sys
print(next(r["plan"] for r in map(json.loads, sys.stdin) if (r["reason"] or "").startswith("real reason")))')
: >"$T/show.txt"
for fmt in text change-request nft; do
    "$BIN" firebreak show "$HID" --format $fmt >>"$T/show.txt" 2>&1
done
grep -q "planned by mallory" "$T/show.txt" && ! grep -q "$ESC" "$T/show.txt" &&
    ! LC_ALL=C grep -q "$(printf '\r')" "$T/show.txt" && ! grep -q "^#99 " "$T/show.txt"
check "show of the hostile plan holds no escape or forged line" $?

# Every firebreak output notices a failed write.
if [ -w /dev/full ]; then
    "$BIN" firebreak log >/dev/full 2>"$T/err"
    [ $? = 2 ] && [ -s "$T/err" ]
    check "log to a full disk exits 2 and says so" $?
    "$BIN" firebreak status >/dev/full 2>"$T/err"
    check "status to a full disk exits 2" $(( $? != 2 ))
    "$BIN" firebreak plan --segment pacs --format nft >/dev/full 2>"$T/err"
    check "plan to a full disk exits 2" $(( $? != 2 ))
fi

# The store: created private, whatever the umask.
(umask 022 && "$BIN" firebreak map import "$MAP" --db "$T/private.db" >/dev/null)
check "map import into a new store" $?
for f in "$T/private.db" "$T/private.db-wal" "$T/private.db-shm"; do
    [ ! -e "$f" ] || [ "$(stat -c %a "$f")" = 600 ]
    check "$(basename "$f") is mode 0600" $?
done
# --db is a plain path: a URI-looking name is a file of that name, and it persists.
(cd "$T" && "$BIN" firebreak map import "$MAP" --db 'file:uri.db?mode=memory' >/dev/null 2>&1 &&
    "$BIN" firebreak map show --db 'file:uri.db?mode=memory' >/dev/null 2>&1)
check "--db file:...?mode=memory keeps its records" $?
[ -f "$T/file:uri.db?mode=memory" ] && [ ! -e "$T/uri.db" ]
check "--db file:...?mode=memory is the file literally so named" $?

# A store another process holds locked: a clear error and exit 2, never a silent
# success.  The holder keeps an exclusive transaction open until its stdin closes.
mkfifo "$T/hold"
python3 -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
c.execute("INSERT INTO fb_record(at, action) VALUES (\"x\", \"holder\")")
print("locked", flush=True)
sys.stdin.read()
c.execute("ROLLBACK")
' "$WARDWATCH_DB" <"$T/hold" >"$T/holder.out" &
HOLDER=$!
exec 3>"$T/hold"
i=0
while ! grep -q locked "$T/holder.out" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
"$BIN" firebreak plan --segment pacs --reason busy >/dev/null 2>"$T/err"
rc=$?
[ $rc = 2 ] && grep -q "locked" "$T/err"
check "plan on a locked store exits 2 and says the database is locked" $?
"$BIN" firebreak map import "$MAP" >/dev/null 2>"$T/err"
[ $? = 2 ] && grep -q "locked" "$T/err"
check "map import on a locked store exits 2 and says so" $?
exec 3>&-
wait $HOLDER
"$BIN" firebreak plan --segment pacs --reason free >/dev/null 2>&1
check "once the lock is gone, plan works again" $?
"$BIN" firebreak lift 1 2>/dev/null
check "lift of a plan never applied is refused" $(( $? != 2 ))

# ---- host plans, change requests, external segments, warnings ----
export WARDWATCH_DB="$T/hosts.db"
nplans() { "$BIN" firebreak log --format json | python3 -c '
import json, sys
print(sum(1 for l in sys.stdin if json.loads(l)["action"] == "plan"))'; }
"$BIN" firebreak map import "$MAP" >/dev/null
"$BIN" firebreak plan --segment pacs >/dev/null 2>"$T/err"
check "plan on a store with no asset register works" $?
! grep -q "could not be read" "$T/err"
check "plan on a store with no asset register reads it without an error" $?
"$BIN" firebreak plan --host 10.10.0.7 --reason "phishing click on one ward PC" >"$T/host.txt" 2>"$T/err"
check "plan --host" $?
grep -q "^Fire-break plan 2: quarantine host 10.10.0.7 (wards)$" "$T/host.txt" &&
    grep -q "^  cuts: every connection of this host through the router" "$T/host.txt" &&
    grep -q "^  does not cut: the other hosts of wards" "$T/host.txt" &&
    grep -q "^  - 10.10.0.7 (wards) -> imaging, TCP port 2575: HL7" "$T/host.txt" &&
    grep -q "ip saddr { 10.10.0.7 } counter drop" "$T/host.txt" &&
    ! grep -q "ip saddr { 10.10.0.0/24 } counter drop" "$T/host.txt"
check "plan --host says what is cut and cuts only the host" $?
"$BIN" firebreak plan --host ::ffff:10.10.0.8,fd00::1 2>"$T/err" >/dev/null
[ $? = 2 ] && grep -q "host fd00::1 is in no segment of the map" "$T/err" && grep -q "nothing stored" "$T/err"
check "plan --host with an address outside the map names it and exits 2" $?
"$BIN" firebreak plan --host 10.10.0.07 2>"$T/err" >/dev/null
[ $? = 2 ] && grep -q "octet '07' has a leading zero" "$T/err"
check "plan --host refuses a leading-zero octet" $?
"$BIN" firebreak plan --host 10.10.0.7 --segment wards 2>"$T/err" >/dev/null
[ $? = 2 ] && grep -q "exactly one of --infected IP, --segment NAME or --host" "$T/err"
check "plan --host with --segment is refused" $?
[ "$(nplans)" = 2 ]
check "refused host plans stored nothing" $?
"$BIN" firebreak plan --host 10.10.0.7 --host 10.20.0.9,::ffff:10.10.0.7 --format json >"$T/h.json" 2>/dev/null
python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))
assert p["scope"] == "hosts" and p["segment"] is None, p
assert p["hosts"] == [{"ip": "10.10.0.7", "segment": "wards"}, {"ip": "10.20.0.9", "segment": "imaging"}], p["hosts"]
' "$T/h.json"
check "plan --host twice, a repeat kept once, --format json" $?
HP=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["plan"])' "$T/h.json")
"$BIN" firebreak show "$HP" >"$T/hshow.txt"
grep -q "^state: planned" "$T/hshow.txt" && grep -q "quarantine hosts 10.10.0.7 (wards), 10.20.0.9 (imaging)" "$T/hshow.txt"
check "show of a host plan" $?
"$BIN" firebreak log >"$T/log2.txt" && grep -q "plan  plan $HP  segment wards,imaging  by" "$T/log2.txt"
check "the log records the host plan with its segments" $?
"$BIN" firebreak log --format json | grep -q "plan to quarantine hosts 10.10.0.7,10.20.0.9 (segments wards,imaging)"
check "the log records the quarantined hosts" $?
"$BIN" firebreak plan --host 10.51.0.9 --format json >"$T/rh.json" 2>/dev/null
RH=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["plan"])' "$T/rh.json")
"$BIN" firebreak show "$RH" >"$T/rh.txt" && grep -q "NOTE: segment robots is monitor-only" "$T/rh.txt"
check "a host plan in a monitor-only segment says so" $?
"$BIN" firebreak apply "$RH" --confirm 2>"$T/err" >/dev/null
[ $? = 2 ] && grep -q "segment robots is marked monitor_only" "$T/err" && grep -q "override-monitor-only" "$T/err"
check "a host plan in a monitor-only segment is not applied without the override" $?

# plan --format change-request: one plan with its reason, or nothing.
before=$(nplans)
"$BIN" firebreak plan --infected 10.20.0.15 --format change-request >"$T/cr0.txt" 2>"$T/err"
[ $? = 2 ] && [ ! -s "$T/cr0.txt" ] && grep -q "needs --reason" "$T/err" &&
    grep -q "firebreak show PLAN_ID --format change-request" "$T/err"
check "plan --format change-request without --reason is refused" $?
[ "$(nplans)" = "$before" ]
check "... and stores no plan" $?
"$BIN" firebreak plan --infected 10.20.0.15 --reason "WannaCry alert on CT-2" --format change-request \
    >"$T/cr1.txt" 2>"$T/err"
check "plan --format change-request --reason" $?
[ "$(nplans)" = $((before + 1)) ]
check "... stores exactly one plan" $?
CP=$(sed -n 's/^Plan: wardwatch fire-break plan \([0-9]*\)$/\1/p' "$T/cr1.txt")
grep -q "^Reason: WannaCry alert on CT-2$" "$T/cr1.txt" && grep -q "stored as plan $CP" "$T/err"
check "... with its reason, and says which plan" $?
"$BIN" firebreak show "$CP" --format change-request >"$T/cr2.txt"
check "show PLAN --format change-request" $?
cmp -s "$T/cr1.txt" "$T/cr2.txt"
check "show gives the very change request plan gave" $?
"$BIN" firebreak show "$HP" --format change-request >"$T/cr3.txt" &&
    grep -q "^CHANGE REQUEST: emergency fire-break, quarantine hosts 10.10.0.7 (wards), 10.20.0.9 (imaging)$" "$T/cr3.txt" &&
    grep -q "DENY   everything from 10.10.0.7, 10.20.0.9 to any destination" "$T/cr3.txt"
check "show of a host plan --format change-request" $?
[ "$(nplans)" = $((before + 1)) ]
check "show stores nothing" $?
"$BIN" firebreak show "$CP" --format yaml >/dev/null 2>"$T/err"
[ $? = 2 ] && grep -q "unknown format 'yaml'" "$T/err"
check "show with an unknown format is refused" $?

# External segments: named in flows, never isolated; errors with file:line:col.
cat >"$T/ext.yml" <<'EOF'
segments:
  - {name: it, cidrs: [10.9.0.0/24], kind: management}
  - {name: wards, cidrs: [10.1.0.0/24], kind: clinical}
  - {name: pacs, cidrs: [10.2.0.0/24], kind: servers}
  - {name: m365, cidrs: [192.0.2.0/24, "2001:db8:365::/48"], kind: external}
links:
  - {from: it, to: wards}
  - {from: wards, to: m365, direction: one-way}
flows:
  - {from: wards, to: m365, proto: tcp, ports: [443], clinical: true, reason: "NHSmail and Teams"}
  - {from: wards, to: pacs, proto: tcp, ports: [443], clinical: true, reason: "image viewer"}
  - {from: m365, to: wards, proto: tcp, ports: [25]}
EOF
"$BIN" firebreak map check "$T/ext.yml" >"$T/out" 2>"$T/err"
check "a map with an external segment is valid" $?
grep -q "a valid map: 4 segments, 3 flows, 2 warnings" "$T/out"
check "map check counts the warnings" $?
grep -q "^$T/ext.yml:11:5: warning: flow wards -> pacs (line 11) crosses no link of the map (no link joins wards and pacs): the router does not carry it, so a fire-break can neither cut nor keep it$" "$T/err" &&
    grep -q "^$T/ext.yml:12:5: warning: flow m365 -> wards (line 12) crosses no link of the map (the link on line 8 is one-way wards -> m365)" "$T/err"
check "a flow no link carries is a warning with file:line:col, naming the flow and its line" $?
"$BIN" firebreak map import "$T/ext.yml" >/dev/null 2>"$T/err"
check "a map with warnings imports" $?
[ "$(grep -c "warning: flow" "$T/err")" = 2 ]
check "map import prints the warnings" $?
"$BIN" firebreak plan --segment wards --format nft >"$T/ext.nft" 2>"$T/err"
grep -q "ip saddr { 10.1.0.0/24 } ip daddr { 192.0.2.0/24 } tcp dport { 443 }" "$T/ext.nft" &&
    grep -q "warning: flow wards -> pacs (line 11)" "$T/err"
check "a plan keeps the flow to the external segment, and repeats the map's warnings" $?
"$BIN" firebreak plan --segment m365 >/dev/null 2>"$T/err"
[ $? = 2 ] && grep -q "segment m365 is external, outside the hospital" "$T/err"
check "an external segment is never isolated" $?
"$BIN" firebreak plan --infected 192.0.2.7 >/dev/null 2>"$T/err"
[ $? = 2 ] && grep -q "192.0.2.7 is in external segment m365, outside the hospital" "$T/err"
check "an address in an external segment is not planned for" $?
"$BIN" firebreak plan --host 192.0.2.7 >/dev/null 2>"$T/err"
[ $? = 2 ] && grep -q "host 192.0.2.7 is in external segment 'm365'" "$T/err"
check "an external address is not quarantined" $?
printf 'segments:\n  - {name: a, cidrs: [10.1.0.0/24], kind: clinical}\n  - {name: x, cidrs: [192.0.2.0/24], kind: external, vlan: 7}\n' >"$T/extbad.yml"
"$BIN" firebreak map check "$T/extbad.yml" 2>"$T/err"
[ $? = 2 ] && grep -q "^$T/extbad.yml:3:60: segment 'x' is external (outside the hospital): it has no vlan$" "$T/err"
check "a vlan on an external segment is refused at file:line:col" $?

echo "$fails failed"
[ "$fails" = 0 ]
