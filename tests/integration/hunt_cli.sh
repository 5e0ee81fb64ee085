#!/bin/sh
# The wardwatch command end to end on the bundled sample: alerts, formats, exit codes,
# stdin, malformed input, rules check, decode, output failures, escaping, compressed
# and binary input, --tz.
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
# No rule set installed by `rules update` or site placeholders from the machine.
export WARDWATCH_HOME="$T/home"

# The pack alone (--no-sigmahq): its exact alerts on the sample.  The default (pack +
# SigmaHQ) is checked below and in rules_sigmahq.sh.
"$BIN" hunt --no-sigmahq --format ndjson sample >"$T/alerts.ndjson" 2>"$T/err"
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

# By default the shipped SigmaHQ rules run too: the pack's alerts are still there, and
# SigmaHQ's own rules for the same LSASS dump fire beside them.
"$BIN" hunt --format ndjson sample >"$T/all.ndjson" 2>"$T/all.err"
check "hunt with SigmaHQ by default exits 1" $(( $? != 1 ))
python3 - "$T/alerts.ndjson" "$T/all.ndjson" <<'PY'
import json, sys
pack = [l for l in open(sys.argv[1])]
full = [json.loads(l) for l in open(sys.argv[2])]
titles = {a["rule"]["title"] for a in full}
packs = {json.loads(l)["rule"]["title"] for l in pack}
ok = packs <= titles and "Lsass Memory Dump via Comsvcs DLL" in titles and len(full) > len(pack)
if not ok:
    print("  expected the pack's alerts plus SigmaHQ's, got", sorted(titles)); sys.exit(1)
PY
check "the default adds SigmaHQ's alerts to the pack's" $?

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
grep -q '"correlation":"value_sum"' "$T/stdin" # SSH guessing sums tries
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
    [ "$(wc -l <"$T/cut.ndjson")" = 3 ] && grep -q "cut.evtx#4: skipped record: file ends inside chunk 0" "$T/cut.err"
    check "truncated EVTX: readable records decoded, the cut reported" $?
    "$BIN" hunt --format summary "$T/cut.evtx" "$EVTX" >"$T/cut.sum" 2>/dev/null
    grep -q "files: 1 read whole, 1 with damaged records, 0 unreadable" "$T/cut.sum" &&
        grep -q "10 events (1 malformed)" "$T/cut.sum"
    check "summary accounts for every file" $?
else
    echo "skip truncated EVTX checks (no \$WW_SHARED)"
fi

# ---- output failures, escaping, compressed and streamed input, --tz ----------------

"$BIN" hunt sample >/dev/full 2>"$T/full.err"
rc=$?
[ $rc = 2 ] && grep -q "writing standard output failed" "$T/full.err"
check "hunt >/dev/full exits 2 and says why" $?
"$BIN" decode sample >/dev/full 2>"$T/full.err"
rc=$?
[ $rc = 2 ] && grep -q "writing standard output failed" "$T/full.err"
check "decode >/dev/full exits 2 and says why" $?

# Many alerts into a pipe that closes after one line: hunt stops with exit 2.
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    cat sample/psh_lsass_memory_dump_comsvcs.json
done >"$T/many.json"
{ "$BIN" hunt --threads 2 --format ndjson "$T/many.json" 2>"$T/pipe.err"; echo $? >"$T/pipe.rc"; } | head -1 >/dev/null
[ "$(cat "$T/pipe.rc")" = 2 ] && grep -q "writing standard output failed" "$T/pipe.err"
check "hunt | head -1: hunt stops with exit 2" $?

# A terminal escape in a log line is shown escaped in the table, never sent raw.
printf '{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"pc\\u001b[2J","Image":"C:\\\\Windows\\\\System32\\\\rundll32.exe","CommandLine":"rundll32.exe C:\\\\windows\\\\System32\\\\comsvcs.dll, MiniDump 624 C:\\\\x.dmp full \\u001b[2J\\u001b]0;owned\\u0007"}\n' >"$T/esc.json"
"$BIN" hunt "$T/esc.json" >"$T/esc.table" 2>/dev/null
rc=$?
[ $rc = 1 ] && ! grep -q "$(printf '\033')" "$T/esc.table" && ! grep -q "$(printf '\007')" "$T/esc.table" &&
    grep -q 'host pc\\e\[2J' "$T/esc.table" && grep -q 'full \\e\[2J\\e\]0;owned\\x07' "$T/esc.table"
check "table: control characters from events are escaped" $?

# Compressed files (found by their bytes, whatever their names) give the alerts of
# the plain file; so does standard input, a pipe, with 1 and 2 threads.
strip_path() { sed 's/"path":"[^"]*"/"path":"-"/g' "$1"; }
cat sample/*.json sample/auth.log >"$T/all.log" 2>/dev/null
cp sample/psh_lsass_memory_dump_comsvcs.json "$T/plain.json"
"$BIN" hunt --format ndjson "$T/plain.json" >"$T/plain.out" 2>/dev/null
gzip -c "$T/plain.json" >"$T/logs.json.gz"
gzip -c "$T/plain.json" >"$T/rotated.1" # logrotate's names say nothing
r=0
for f in "$T/logs.json.gz" "$T/rotated.1"; do
    for n in 1 2; do
        "$BIN" hunt --threads $n --format ndjson "$f" >"$T/c.out" 2>/dev/null
        [ $? = 1 ] && [ "$(strip_path "$T/c.out")" = "$(strip_path "$T/plain.out")" ] || r=1
    done
done
check ".gz input (by content) gives the plain file's alerts" $r
if command -v zstd >/dev/null; then
    zstd -q -c "$T/plain.json" >"$T/logs.json.zst"
    r=0
    for n in 1 2; do
        "$BIN" hunt --threads $n --format ndjson "$T/logs.json.zst" >"$T/c.out" 2>/dev/null
        [ $? = 1 ] && [ "$(strip_path "$T/c.out")" = "$(strip_path "$T/plain.out")" ] || r=1
    done
    zstd -q -c sample/auth.log | "$BIN" hunt --format ndjson - >"$T/c.out" 2>/dev/null
    [ $? = 1 ] && grep -q '"correlation":"value_sum"' "$T/c.out" || r=1
    check ".zst input (file and pipe) gives the plain file's alerts" $r
else
    echo "skip .zst checks (no zstd command)"
fi
head -c 3000 "$T/logs.json.gz" >"$T/cut.json.gz"
"$BIN" hunt --format ndjson "$T/cut.json.gz" >/dev/null 2>"$T/cut.err"
rc=$?
[ $rc = 2 ] && grep -q "cut.json.gz: the gzip data ends early" "$T/cut.err" && grep -q "truncated" "$T/cut.err"
check "a truncated .gz file: exit 2, the error names the file" $?
"$BIN" decode "$T/cut.json.gz" >"$T/cut.dec" 2>/dev/null
rc=$?
[ $rc = 2 ] && [ "$(wc -l <"$T/cut.dec")" -gt 0 ]
check "a truncated .gz file: the events before the cut are decoded" $?

for n in 1 2; do
    cat "$T/plain.json" | "$BIN" hunt --threads $n --format ndjson - >"$T/s.out" 2>/dev/null
    [ $? = 1 ] && [ "$(strip_path "$T/s.out")" = "$(strip_path "$T/plain.out")" ]
    check "stdin (a pipe) gives the file's alerts with --threads $n" $?
done
"$BIN" hunt --threads 2 --format ndjson - <"$T/plain.json" >"$T/s.out" 2>/dev/null
[ "$(strip_path "$T/s.out")" = "$(strip_path "$T/plain.out")" ]
check "stdin redirected from a file gives the file's alerts" $?

# Input that is no log at all is an error, not "0 alerts".
printf '\211PNG\r\n\032\n\0\0\0\rIHDR\0\0\0\1' >"$T/image.png"
head -c 4096 /dev/urandom >"$T/random.bin"
r=0
for f in "$T/image.png" "$T/random.bin" "$BIN"; do
    "$BIN" hunt "$f" >/dev/null 2>"$T/bin.err"
    [ $? = 2 ] && grep -q "not a log format wardwatch reads" "$T/bin.err" || r=1
done
head -c 4096 /dev/urandom | "$BIN" hunt - >/dev/null 2>"$T/bin.err"
[ $? = 2 ] && grep -q "not a log format wardwatch reads" "$T/bin.err" || r=1
check "binary input (PNG, random bytes, an executable, piped) exits 2" $r
printf 'N\0o\0v\0 \0002\0003\0 \0h\0o\0s\0t\0 \0a\0:\0 \0x\0\n\0' >"$T/utf16.log"
"$BIN" hunt "$T/utf16.log" >/dev/null 2>"$T/bin.err"
[ $? = 2 ] && grep -q "UTF-16" "$T/bin.err"
check "UTF-16 text is named and refused" $?

"$BIN" hunt --tz Nowhere/Atlantis sample >/dev/null 2>"$T/tz.err"
[ $? = 2 ] && grep -q "unknown time zone 'Nowhere/Atlantis'" "$T/tz.err"
check "hunt --tz with an unknown zone exits 2" $?
"$BIN" decode --tz Mars sample/auth.log >/dev/null 2>&1
check "decode --tz with an unknown zone exits 2" $(( $? != 2 ))
"$BIN" hunt --no-sigmahq --tz Asia/Tokyo --format ndjson sample >"$T/tz.out" 2>/dev/null
[ $? = 1 ] && [ "$(wc -l <"$T/tz.out")" = 8 ]
check "hunt --tz ZONE runs" $?

# A regex that stops at PCRE2's match limit is reported, with 1 and 2 threads, never
# silently taken as "no match".
cat >"$T/rx.yml" <<'EOF'
title: Backtracking Regex
id: 5f0c2d4e-8a1b-4c3d-9e7f-112233445566
logsource: {product: linux}
detection:
  sel:
    message|re: '^(a+)+$'
  condition: sel
level: high
EOF
printf 'Dec  3 10:00:00 host prog: %s\n' "$(printf 'a%.0s' $(seq 60))b" >"$T/rx.log"
for t in 1 2; do
    "$BIN" hunt --threads $t --rules "$T/rx.yml" --format summary "$T/rx.log" >"$T/rx.out" 2>"$T/rx.err"
    grep -q "1 regular-expression evaluation stopped at PCRE2's limits" "$T/rx.err" &&
        grep -q "rule 'Backtracking Regex': match limit exceeded" "$T/rx.err" &&
        grep -q "1 regex evaluation stopped" "$T/rx.out"
    check "a regex at PCRE2's match limit is reported (--threads $t)" $?
done

echo "$fails failed"
[ $fails = 0 ]
