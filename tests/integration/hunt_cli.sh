#!/bin/sh
# The wardwatch command end to end on the bundled sample: alerts, formats, exit codes,
# stdin, malformed input, rules check, decode.
set -u
BIN=${WW_BIN:?}
SRC=${WW_SRC:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
check() { # check NAME CONDITION-RESULT
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
cd "$SRC/tests/data" || exit 1

"$BIN" hunt --format ndjson sample >"$T/alerts.ndjson" 2>"$T/err"
check "hunt exits 1 when alerts are raised" $(( $? != 1 ))
python3 - "$T/alerts.ndjson" <<'PY'
import json, sys, collections
alerts = [json.loads(l) for l in open(sys.argv[1])]
by = collections.Counter(a["rule"]["title"] for a in alerts)
def need(cond, what):
    if not cond:
        print("  expected:", what, "got:", dict(by)); sys.exit(1)
for a in alerts:
    need(set(a["rule"]) >= {"id", "title", "level", "tags"}, "rule id/title/level/tags")
    if "correlation" in a["rule"]:
        if a["rule"]["title"] == "Password Spraying from One Source":
            need(a["group"] == {"src_ip": "185.220.101.47"} and a["value"] >= 10, "group key src_ip, >= 10 users")
        else:
            need(a["group"] == {"host": "pacs-gw01"}, "group key host=pacs-gw01")
        need(len(a["events"]) >= 10 and all(e["path"] == "sample/auth.log" for e in a["events"]), "correlation events")
    else:
        need({"timestamp", "host", "source", "event"} <= set(a), "timestamp/host/source/event")
        need(a["source"]["path"].startswith("sample/") and a["source"]["index"] >= 0, "source.path/index")
need(by["LSASS Memory Dump via comsvcs.dll MiniDump"] == 2, "comsvcs dump seen by Sysmon 1 and Security 4688")
need(by["Suspicious Process Reads LSASS Memory"] == 2, "two LSASS reads")
need(by["LSASS Dump File Written to Disk"] == 1, "one dump file")
need(by["Security Audit Log Cleared"] == 1, "one log clear")
need(by["SSH Password Guessing Against One Server"] == 1, "one brute-force correlation")
need(by["SSH Authentication Failure"] == 0, "base rule of a correlation (generate: false) stays quiet")
need(by["Shadow Copies Deleted"] == 0, "no shadow-copy deletion in the sample")
need(by["Password Spraying from One Source"] == 1, "12 accounts tried from one address: one spraying alert")
need(by["Successful Logon After a Run of Failures from the Same Source"] == 0, "the guessing address never logs in")
need(len(alerts) == 8, "8 alerts in all")
PY
check "hunt ndjson alerts on the sample" $?

idx=$(python3 -c "
import json
for l in open('$T/alerts.ndjson'):
    a = json.loads(l)
    if a['rule']['title'] == 'Security Audit Log Cleared': print(a['source']['index'])")
line=$(sed -n "$((idx + 1))p" sample/psh_lsass_memory_dump_comsvcs.json)
case "$line" in *'"EventID":1102'*) r=0 ;; *) r=1 ;; esac
check "source.index points at the event in its file" $r

"$BIN" hunt --min-level critical --format ndjson sample >"$T/crit" 2>/dev/null
r=$(python3 -c "
import json,sys
ls=[json.loads(l)['rule']['level'] for l in open('$T/crit')]
print(0 if ls and set(ls)=={'critical'} else 1)")
check "--min-level critical keeps only critical alerts" $r

"$BIN" hunt --format summary sample >"$T/summary" 2>/dev/null
grep -q "By ATT&CK tactic" "$T/summary" && grep -q "credential-access" "$T/summary" &&
    grep -q "T1003.001" "$T/summary"
check "summary counts ATT&CK tactics and techniques" $?

"$BIN" hunt sample >"$T/table" 2>/dev/null
grep -q "LSASS Memory Dump via comsvcs.dll MiniDump" "$T/table" && grep -q "CommandLine:" "$T/table"
check "table view names the rule and the command line" $?

"$BIN" hunt --format ndjson - <sample/auth.log >"$T/stdin" 2>/dev/null
check "stdin is read; exit 1 on a match" $(( $? != 1 ))
grep -q '"correlation":"event_count"' "$T/stdin"
check "correlation fires from stdin" $?

printf '{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Image":"C:\\\\x.exe"}\n' >"$T/quiet.json"
"$BIN" hunt "$T/quiet.json" >/dev/null 2>&1
check "exit 0 when nothing matched" $?

"$BIN" hunt "$T/does-not-exist" >/dev/null 2>&1
check "exit 2 on an unreadable input" $(( $? != 2 ))

{ head -3 sample/psh_lsass_memory_dump_comsvcs.json; echo '{"EventID": 4688, "broken'; \
  tail -n +4 sample/psh_lsass_memory_dump_comsvcs.json; } >"$T/damaged.json"
"$BIN" hunt --format ndjson "$T/damaged.json" >"$T/dmg" 2>"$T/dmg.err"
rc=$?
n=$(grep -c "LSASS Memory Dump via comsvcs" "$T/dmg")
[ $rc = 1 ] && [ "$n" = 2 ] && grep -q "damaged.json:4" "$T/dmg.err"
check "a malformed line is reported with its line and skipped; the rest still hunted" $?

"$BIN" decode sample/psh_lsass_memory_dump_comsvcs.json >"$T/dec" 2>/dev/null
[ "$(wc -l <"$T/dec")" = 184 ] && grep -q '"Provider_Name":"Microsoft-Windows-Sysmon"' "$T/dec"
check "decode prints every event with profile field names" $?

"$BIN" rules check "$SRC/rules" >"$T/chk" 2>&1
check "rules check: the pack loads without rejection" $?
grep -q " 0 rejected" "$T/chk"
check "rules check prints totals" $?

mkdir "$T/badrules"
cp "$SRC/rules/windows/security_audit_log_cleared.yml" "$T/badrules/good.yml"
printf 'title: Broken\nlogsource: {product: windows}\ndetection:\n  sel:\n    Image|nosuchmod: x\n  condition: sel\n' >"$T/badrules/bad.yml"
"$BIN" rules check "$T/badrules" >"$T/chk2" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "bad.yml:5" "$T/chk2" && grep -q "nosuchmod" "$T/chk2" && grep -q "1 rules usable" "$T/chk2"
check "rules check names file, line and reason of a broken rule; the good one still loads" $?

# A truncated EVTX file: the records before the cut are hunted, the rest is reported,
# and the summary accounts for the file.  Needs the shared regression samples.
EVTX="${WW_SHARED:-}/sigma/regression/rules/windows/file/file_event/file_event_win_hktl_netexec_file_indicators/efc21479-9e83-41da-8cf1-122e06ba8db3.evtx"
if [ -f "$EVTX" ]; then
    head -c 9000 "$EVTX" >"$T/cut.evtx"
    "$BIN" decode "$T/cut.evtx" >"$T/cut.ndjson" 2>"$T/cut.err"
    [ "$(wc -l <"$T/cut.ndjson")" = 3 ] && grep -q "cut.evtx: skipped record 3: file ends inside chunk 0" "$T/cut.err"
    check "truncated EVTX: readable records decoded, the cut reported" $?
    "$BIN" hunt --format summary "$T/cut.evtx" "$EVTX" >"$T/cut.sum" 2>/dev/null
    grep -q "files: 1 read whole, 1 with damaged records, 0 unreadable" "$T/cut.sum" &&
        grep -q "10 events (1 malformed)" "$T/cut.sum"
    check "summary accounts for every file" $?
else
    echo "skip truncated EVTX checks (no \$WW_SHARED)"
fi

echo "$fails failed"
[ $fails = 0 ]
