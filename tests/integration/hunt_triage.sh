#!/bin/sh
# hunt's triage views: the table's groups (same rule, same host) with their count, first
# and last time, --no-group, the group cap; the filters --host, --rule, --since, --until
# and --min-level on every format; the summary's "By host", top groups and filtered-out
# count; CSV output.  On the bundled sample and on Windows JSON logs generated here, with
# wardwatch's pack alone (--no-sigmahq) so that the rules that fire are known.
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
export WARDWATCH_HOME="$T/home"
H="$BIN hunt --no-sigmahq --tz UTC"

# A generated log of Security 1102 ("the audit log was cleared": the pack's Security
# Audit Log Cleared) in NXLog's JSON: 30 on WS1 (10:00:00..10:00:29 on 8 April), 5 on
# WS2 (one before WS1's first, the others after its last), one on ws1 in lower case
# (a different host to the group: the key is the host as written), one on WS3 with no
# time stamp.
python3 - "$T/gen.json" <<'PY'
import json, sys
def ev(host, t=None):
    e = {"SourceName": "Microsoft-Windows-Eventlog", "Hostname": host, "Channel": "Security",
         "Message": "The audit log was cleared.", "EventID": 1102}
    if t:
        e["TimeCreated"] = t
    return json.dumps(e)
out = [ev("WS2", "2026-04-07 23:59:00")]
for i in range(30):
    out.append(ev("WS1", "2026-04-08 10:00:%02d" % i))
    if i in (3, 9, 17, 25):
        out.append(ev("WS2", "2026-04-09 08:00:%02d" % i))
out.append(ev("ws1", "2026-04-08 12:00:00"))
out.append(ev("WS3"))
open(sys.argv[1], "w").write("\n".join(out) + "\n")
PY

# ---- groups ------------------------------------------------------------------------
$H "$T/gen.json" >"$T/g.table" 2>"$T/err"
check "grouped table exits 1" $(( $? != 1 ))
python3 - "$T/g.table" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
heads = re.findall(r"^(\S+ \S+|-)  high +Security Audit Log Cleared(?:  \[x(\d+)\])?\n    host (\S+)  at \S+:(\d+)(?: \(first seen\))?\n(?:    (\d+) alerts, first (.+?), last (.+?)\n)?", text, re.M)
got = [(h[2], int(h[1] or 1), h[0], h[5] or h[0], h[6] or h[0], int(h[3])) for h in heads]
want = [("WS2", 5, "2026-04-07 23:59:00", "2026-04-07 23:59:00", "2026-04-09 08:00:25", 1),
        ("WS1", 30, "2026-04-08 10:00:00", "2026-04-08 10:00:00", "2026-04-08 10:00:29", 2),
        ("ws1", 1, "2026-04-08 12:00:00", "2026-04-08 12:00:00", "2026-04-08 12:00:00", 36),
        ("WS3", 1, "-", "-", "-", 37)]
if got != want:
    print("  expected groups", want, "\n  got", got); sys.exit(1)
if "37 alerts (" not in text or "\n4 groups of the same rule on the same host\n" not in text:
    print("  expected the footer: 37 alerts, 4 groups"); sys.exit(1)
PY
check "groups: one per rule and host, in order of first appearance, with count, first and last" $?

$H --format ndjson "$T/gen.json" >"$T/g.ndjson" 2>/dev/null
$H --no-group "$T/gen.json" >"$T/g.nogroup" 2>/dev/null
n_nd=$(wc -l <"$T/g.ndjson")
n_ng=$(grep -c "^\(-\|[0-9-]* [0-9:]*\)  high " "$T/g.nogroup")
[ "$n_nd" = 37 ] && [ "$n_ng" = 37 ] && ! grep -q "\[x" "$T/g.nogroup"
check "--no-group: one entry per alert, as many as ndjson objects ($n_ng, $n_nd)" $?

$H --no-group sample >"$T/s.nogroup" 2>/dev/null
$H --format ndjson sample >"$T/s.ndjson" 2>/dev/null
n_ng=$(grep -c "^[0-9]\{4\}-[0-9-]* [0-9:]*  [a-z]" "$T/s.nogroup")
[ "$n_ng" = "$(wc -l <"$T/s.ndjson")" ] && [ "$n_ng" = 8 ]
check "--no-group on the sample: 8 entries, as ndjson" $?

# Grouped on the sample: 8 alerts, 6 groups; the brute-force correlation shows its host.
$H sample >"$T/s.table" 2>/dev/null
grep -q "^6 groups of the same rule" "$T/s.table" &&
    grep -q "LSASS Memory Dump via comsvcs.dll MiniDump  \[x2\]" "$T/s.table" &&
    grep -A1 "SSH Password Guessing Against One Server" "$T/s.table" | grep -q "host pacs-gw01"
check "sample grouped: 6 groups, the LSASS dump x2, the correlation under its host" $?

# The same table for every --threads N (the footer's time aside).
for n in 1 2 3; do
    $H --threads $n "$T/gen.json" sample 2>/dev/null | sed 's/, [0-9.]* s$//' >"$T/t$n"
done
cmp -s "$T/t1" "$T/t2" && cmp -s "$T/t1" "$T/t3" && [ -s "$T/t1" ]
check "grouped table identical with --threads 1, 2 and 3" $?
for n in 1 2; do
    $H --threads $n --format summary "$T/gen.json" sample 2>/dev/null | sed 's/[0-9.]* s$//' >"$T/u$n"
done
cmp -s "$T/u1" "$T/u2"
check "summary with groups identical with --threads 1 and 2" $?

# The group cap: 10,001 hosts make 10,001 groups; the last is counted, not shown.
python3 - "$T/many.json" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(10001):
        f.write(json.dumps({"SourceName": "Microsoft-Windows-Eventlog", "Hostname": "H%05d" % i,
                            "Channel": "Security", "TimeCreated": "2026-04-08 10:00:00",
                            "Message": "cleared", "EventID": 1102}) + "\n")
PY
$H "$T/many.json" >"$T/many.table" 2>/dev/null
[ "$(grep -c "  high  *Security Audit Log Cleared" "$T/many.table")" = 10000 ] &&
    grep -q "^\.\.\. 1 more alerts in groups not shown: more than 10000 groups" "$T/many.table" &&
    grep -q "^10001 alerts (" "$T/many.table" && ! grep -q "host H10000 " "$T/many.table"
check "group cap: 10000 groups shown, the 10001st counted and said" $?
$H --format summary "$T/many.json" >"$T/many.sum" 2>/dev/null
grep -q "(10000 groups; 1 more alerts in groups past the cap of 10000" "$T/many.sum"
check "summary says the group cap was reached" $?

# A host name with terminal escapes is escaped in the grouped table and in the summary's
# By host and Top groups, as everywhere else.
python3 - "$T/esc.json" <<'PY'
import json, sys
e = {"SourceName": "Microsoft-Windows-Eventlog", "Hostname": "WS\x1b[2J\nFAKE",
     "Channel": "Security", "TimeCreated": "2026-04-08 10:00:00", "Message": "cleared",
     "EventID": 1102}
open(sys.argv[1], "w").write((json.dumps(e) + "\n") * 3)
PY
$H "$T/esc.json" >"$T/esc.table" 2>/dev/null
$H --format summary "$T/esc.json" >"$T/esc.sum" 2>/dev/null
! grep -q "$(printf '\033')" "$T/esc.table" "$T/esc.sum" && ! grep -q "^FAKE" "$T/esc.table" "$T/esc.sum" &&
    grep -q 'host WS\\e\[2J\\nFAKE  at .*(first seen)' "$T/esc.table" &&
    [ "$(grep -c 'WS\\e\[2J\\nFAKE' "$T/esc.sum")" = 2 ]
check "a host with escapes stays escaped in the grouped table and the summary" $?

# ---- filters -----------------------------------------------------------------------
# count FILE: alerts in an ndjson file.
count() { wc -l <"$1" | tr -d ' '; }
filt() { # filt NAME EXPECTED-COUNT INPUTS ARGS...: ndjson count, the summary's left-out count
    name=$1 want=$2 inputs=$3
    shift 3
    # shellcheck disable=SC2086
    $H --format ndjson "$@" $inputs >"$T/f.nd" 2>"$T/f.err"
    got=$(count "$T/f.nd")
    # shellcheck disable=SC2086
    $H --format summary "$@" $inputs >"$T/f.sum" 2>/dev/null
    # shellcheck disable=SC2086
    total=$($H --format ndjson $inputs 2>/dev/null | wc -l)
    out=$((total - want))
    [ "$got" = "$want" ] && grep -q "^$want alerts\? ($out left out by the filters)$" "$T/f.sum"
    r=$?
    [ $r = 0 ] || echo "  $name: expected $want alerts ($out left out), got $got; summary: $(grep 'left out' "$T/f.sum")"
    check "$name" $r
}
filt "--host WS1: exact, any case (WS1 and ws1)" 31 "$T/gen.json sample" --host ws1
filt "--host glob 'ws*'" 37 "$T/gen.json sample" --host 'ws*'
filt "--host pacs-gw01 keeps the correlation grouped by host, not the spraying one" 1 "$T/gen.json sample" --host pacs-gw01
filt "--rule by id" 2 "$T/gen.json sample" --rule 5F0C8F0E-2B7A-4C55-9D61-3A1C6A2F7B01
filt "--rule title substring, any case" 5 "$T/gen.json sample" --rule lsass
filt "--rule title glob" 38 "$T/gen.json sample" --rule '*log clear*'
filt "--since a date-time" 10 "$T/gen.json" --since 2026-04-08T10:00:25Z
filt "--since a date leaves out the alert without a time" 44 "$T/gen.json sample" --since 2020-01-01
filt "--until a date takes the whole day" 32 "$T/gen.json" --until 2026-04-08
filt "--since and --until with a zone" 5 "$T/gen.json" --since 2026-04-08T11:00:25+01:00 --until 2026-04-08T10:00:30Z
filt "--min-level HIGH (any case)" 45 "$T/gen.json sample" --min-level HIGH
filt "--min-level Critical" 2 "$T/gen.json sample" --min-level Critical
$H --format ndjson --min-level HIGH "$T/gen.json" sample >"$T/lv1" 2>/dev/null
$H --format ndjson --min-level high "$T/gen.json" sample >"$T/lv2" 2>/dev/null
$H --format ndjson --min-level cRiTiCaL "$T/gen.json" sample >"$T/lv3" 2>/dev/null
cmp -s "$T/lv1" "$T/lv2" && [ "$(count "$T/lv3")" = 2 ]
check "--min-level HIGH is --min-level high, cRiTiCaL is critical" $?
filt "filters combine" 1 "$T/gen.json" --host 'WS*' --rule 'audit' --until 2026-04-08T00:00:00Z

# Filters apply to the table as well: its footer counts what they left out.
$H --host ws2 "$T/gen.json" >"$T/h.table" 2>/dev/null
grep -q "^5 alerts (" "$T/h.table" && grep -q "^32 alerts left out by the filters$" "$T/h.table" &&
    ! grep -q "host WS1 " "$T/h.table"
check "table: --host narrows it, the footer says how many were left out" $?

# Bad filter values: a clear message and exit 2.
$H --min-level severe sample >/dev/null 2>"$T/e"
[ $? = 2 ] && grep -q "unknown level 'severe' (informational, low, medium, high or critical" "$T/e"
check "--min-level with an unknown level lists the valid ones" $?
$H --since yesterday sample >/dev/null 2>"$T/e"
[ $? = 2 ] && grep -q "since wants an ISO 8601 date or date-time" "$T/e"
check "--since with a bad time says what it wants" $?
$H --since 2026-04-09 --until 2026-04-08 sample >/dev/null 2>"$T/e"
[ $? = 2 ] && grep -q "until is before --since" "$T/e"
check "--until before --since is refused" $?
$H --host '' sample >/dev/null 2>"$T/e"
[ $? = 2 ] && grep -q "host needs a pattern" "$T/e"
check "an empty --host is refused" $?
$H --format xml sample >/dev/null 2>"$T/e"
[ $? = 2 ] && grep -q "table, ndjson, csv or summary" "$T/e"
check "an unknown format lists csv" $?

# Nothing left: exit 0.
$H --host nosuchhost sample >/dev/null 2>&1
check "filters that leave nothing exit 0" $?

# ---- CSV ---------------------------------------------------------------------------
# A host name with a comma, a quote and a formula start survives the round trip.
python3 - "$T/odd.json" <<'PY'
import json, sys
e = {"SourceName": "Microsoft-Windows-Eventlog", "Hostname": '=HYPERLINK("x"),evil',
     "Channel": "Security", "TimeCreated": "2026-04-08 10:00:00", "Message": "cleared",
     "EventID": 1102}
open(sys.argv[1], "w").write(json.dumps(e) + "\n")
PY
for set in "$T/gen.json sample" "$T/gen.json sample $T/odd.json" "--host ws1 $T/gen.json"; do
    # shellcheck disable=SC2086
    $H --format csv $set >"$T/c.csv" 2>/dev/null
    # shellcheck disable=SC2086
    $H --format ndjson $set >"$T/c.nd" 2>/dev/null
    python3 - "$T/c.csv" "$T/c.nd" <<'PY'
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
nd = [json.loads(l) for l in open(sys.argv[2])]
head = ["time", "level", "rule_id", "rule_title", "host", "path", "record", "line", "fields",
        "group"]
def fail(what):
    print("  csv:", what); sys.exit(1)
if rows[0] != head: fail("header %r" % rows[0])
rows = rows[1:]
if len(rows) != len(nd): fail("%d rows, %d ndjson alerts" % (len(rows), len(nd)))
for r, a in zip(rows, nd):
    if len(r) != 10: fail("row of %d cells: %r" % (len(r), r))
    host = a.get("host") or a.get("group", {}).get("host") or ""
    if host.startswith("="): host = "'" + host
    want = [a["timestamp"] or "", a["rule"]["level"], a["rule"]["id"] or "", a["rule"]["title"], host]
    if r[:5] != want: fail("row %r, expected %r" % (r[:5], want))
    if "source" in a:
        s = a["source"]
        want = [s["path"], str(s["record"]), str(s.get("line", "")),
                "; ".join("%s=%s" % kv for kv in a["fields"].items())]
        if r[5:9] != want or r[9] != "": fail("path/record/line/fields %r, expected %r" % (r[5:], want))
    else:
        first = a["events"][0]
        want = [first["path"], str(first.get("record", "")), str(first.get("line", "")), "",
                " ".join("%s=%s" % kv for kv in a["group"].items())]
        if r[5:] != want: fail("correlation path/record/line/group %r, expected %r" % (r[5:], want))
PY
    check "csv: parsed by python's csv module, one row per ndjson alert ($set)" $?
done
grep -q "'=HYPERLINK" "$T/c.csv" 2>/dev/null || $H --format csv "$T/odd.json" | grep -q "\"'=HYPERLINK(\"\"x\"\"),evil\""
check "csv: a cell that would be a spreadsheet formula starts with '" $?

# A directory holding an image and a web page beside its logs: both skipped and counted,
# the logs hunted as before; the same files named on the command line are errors.
mkdir -p "$T/mixed"
cp "$SRC"/tests/data/sample/* "$T/mixed/"
cp "$SRC/docs/audit-report.png" "$T/mixed/"
printf '<!DOCTYPE html>\n<html><body>report</body></html>\n' >"$T/mixed/report.html"
"$BIN" hunt --no-sigmahq --format summary "$T/mixed" >"$T/mixed.out" 2>"$T/mixed.err"
rc=$?
[ $rc = 1 ] && grep -q "2 skipped (not logs)" "$T/mixed.out" &&
    grep -q "2 files in the directories given are no log wardwatch reads" "$T/mixed.err"
check "a directory's image and web page are skipped and counted (exit $rc)" $?
"$BIN" hunt --no-sigmahq --format ndjson "$T/mixed" 2>/dev/null | wc -l >"$T/mixed.n"
"$BIN" hunt --no-sigmahq --format ndjson "$SRC/tests/data/sample" 2>/dev/null | wc -l >"$T/sample.n"
cmp -s "$T/mixed.n" "$T/sample.n"
check "the logs beside them give the same alerts" $?
"$BIN" hunt --no-sigmahq "$T/mixed/report.html" >/dev/null 2>"$T/html.err"
[ $? = 2 ] && grep -q "an HTML page" "$T/html.err"
check "a web page named on the command line is an error (exit 2)" $?

# ---- fields:, correlation keys, positions -------------------------------------------
# Rules of our own (not the pack's, which others change): one with `fields:` (one of them
# absent from the events), one without (the table falls back to the telling field), a
# correlation grouped by user and address, and a syslog keyword rule with `fields:`.
mkdir -p "$T/own"
cat >"$T/own/test.yml" <<'RULES'
title: Test Process Reads LSASS
id: 11111111-1111-4111-8111-111111111111
logsource:
  category: process_access
  product: windows
detection:
  selection:
    TargetImage|endswith: '\lsass.exe'
  condition: selection
fields:
  - SourceImage
  - NoSuchField
  - GrantedAccess
level: high
---
title: Test Audit Log Cleared
id: 22222222-2222-4222-8222-222222222222
logsource:
  product: windows
  service: security
detection:
  selection:
    EventID: 1102
  condition: selection
level: high
---
title: Test Failed Logon
id: 33333333-3333-4333-8333-333333333333
logsource:
  product: windows
  service: security
detection:
  selection:
    EventID: 4625
  condition: selection
level: low
---
title: Test Logon Failures for One Account from One Address
id: 44444444-4444-4444-8444-444444444444
correlation:
  type: event_count
  rules:
    - 33333333-3333-4333-8333-333333333333
  group-by:
    - TargetUserName
    - IpAddress
  timespan: 10m
  condition:
    gte: 3
level: high
---
title: Test SSH Failed Password
id: 55555555-5555-4555-8555-555555555555
logsource:
  product: linux
  service: sshd
detection:
  keywords:
    - 'Failed password'
  condition: keywords
fields:
  - user
  - src_ip
level: medium
RULES
# Windows events in JSON, every one with its RecordNumber: blank lines between some,
# some records pretty-printed over several lines (so the file is decoded sequentially
# once a range fails), after 300 one-line filler events so that ranges are cut first.
python3 - "$T/win.json" <<'PY'
import json, sys
n = 0
def ev(**kw):
    global n
    n += 1
    return dict(RecordNumber=n, **kw)
def lsass(host, src, t):
    return ev(SourceName="Microsoft-Windows-Sysmon", Channel="Microsoft-Windows-Sysmon/Operational",
              EventID=10, Hostname=host, TimeCreated=t, SourceImage=src,
              TargetImage="C:\\Windows\\system32\\lsass.exe", GrantedAccess="0x1410")
def fail(user, ip, t):
    return ev(SourceName="Microsoft-Windows-Security-Auditing", Channel="Security", EventID=4625,
              Hostname="DC01", TimeCreated=t, TargetUserName=user, IpAddress=ip)
recs = [ev(SourceName="x", Channel="Application", EventID=1, Hostname="WS1") for _ in range(300)]
recs += [lsass("WS1", "C:\\Users\\eve\\mimikatz.exe", "2026-04-08 02:00:00"),
         lsass("WS2", "C:\\Tools\\procdump.exe", "2026-04-08 02:00:01")]
recs += [fail("alice", "10.1.2.3", "2026-04-08 03:00:%02d" % i) for i in range(3)]
recs += [fail("bob", "10.9.9.9", "2026-04-08 03:01:%02d" % i) for i in range(3)]
recs += [ev(SourceName="Microsoft-Windows-Eventlog", Channel="Security", EventID=1102,
            Hostname="WS1", TimeCreated="2026-04-08 04:00:00", Message="The audit log was cleared.")]
out = []
for i, r in enumerate(recs):
    if i % 3 == 1:
        out.append("")
    out.append(json.dumps(r, indent=2) if i % 2 == 0 and i >= 300 else json.dumps(r))
open(sys.argv[1], "w").write("\n".join(out) + "\n")
PY
# sshd lines with blank lines and other programs between them: 1000 failures.
python3 - "$T/auth.log" <<'PY'
import sys
lines = []
for i in range(1000):
    if i % 7 == 0:
        lines.append("")
    if i % 13 == 0:
        lines.append("Nov 23 14:02:00 pacs-gw01 cron[99]: (root) CMD (run-parts /etc/cron.hourly)")
    lines.append("Nov 23 14:%02d:%02d pacs-gw01 sshd[%d]: Failed password for user%d from 10.0.%d.%d "
                 "port 22 ssh2 seq=%d" % (i // 60 % 60, i % 60, 1000 + i, i % 17, i % 3, i % 250, i))
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
O="$BIN hunt --no-default-rules --rules $T/own --tz UTC"

$O --no-group "$T/win.json" >"$T/own.table" 2>/dev/null
python3 - "$T/own.table" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
def fail(m):
    print("  " + m); sys.exit(1)
want = ("Test Process Reads LSASS\n    host WS1  at \\S+/win.json:\\d+\n"
        "    SourceImage: C:\\\\\\\\Users\\\\\\\\eve\\\\\\\\mimikatz.exe\n"
        "    GrantedAccess: 0x1410\n20")
if not re.search(want, t): fail("LSASS alert without its fields SourceImage, GrantedAccess:\n" + t)
if "NoSuchField" in t: fail("an absent field is shown")
if not re.search(r"Test Audit Log Cleared\n    host WS1  at \S+:\d+\n    Message: The audit log was cleared.\n", t):
    fail("the rule without fields: lost its telling field")
PY
check "table: a rule's fields: in its order (absent ones left out), else the telling field" $?

$O --format ndjson "$T/win.json" >"$T/own.nd" 2>/dev/null
$O --format csv "$T/win.json" >"$T/own.csv" 2>/dev/null
python3 - "$T/own.nd" "$T/own.csv" <<'PY'
import csv, json, sys
nd = [json.loads(l) for l in open(sys.argv[1])]
rows = list(csv.reader(open(sys.argv[2], newline="")))[1:]
def fail(m):
    print("  " + m); sys.exit(1)
ls = [a for a in nd if a["rule"]["title"] == "Test Process Reads LSASS"]
if [a["fields"] for a in ls] != [
        {"SourceImage": "C:\\Users\\eve\\mimikatz.exe", "NoSuchField": None, "GrantedAccess": "0x1410"},
        {"SourceImage": "C:\\Tools\\procdump.exe", "NoSuchField": None, "GrantedAccess": "0x1410"}]:
    fail("ndjson fields %r" % [a["fields"] for a in ls])
cl = [a for a in nd if a["rule"]["title"] == "Test Audit Log Cleared"]
if len(cl) != 1 or cl[0]["fields"] != {"Message": "The audit log was cleared."}:
    fail("ndjson fallback field %r" % cl)
cells = [r[8] for r in rows if r[3] == "Test Process Reads LSASS"]
if cells != ["SourceImage=C:\\Users\\eve\\mimikatz.exe; GrantedAccess=0x1410",
             "SourceImage=C:\\Tools\\procdump.exe; GrantedAccess=0x1410"]:
    fail("csv fields %r" % cells)
PY
check "ndjson and csv: the rule's fields: (ndjson with null for an absent one), else the telling field" $?

# Correlation keys: one entry per key in the table, the key in the summary's top groups,
# CSV's group column and NDJSON's group.
$O "$T/win.json" >"$T/own.g" 2>/dev/null
$O --format summary "$T/win.json" >"$T/own.sum" 2>/dev/null
grep -q "^    event_count 3 for TargetUserName=alice IpAddress=10.1.2.3$" "$T/own.g" &&
    grep -q "^    event_count 3 for TargetUserName=bob IpAddress=10.9.9.9$" "$T/own.g" &&
    [ "$(grep -c "Test Logon Failures for One Account" "$T/own.g")" = 2 ] &&
    grep -q "Test Logon Failures for One Account from One Address  host -  key TargetUserName=alice IpAddress=10.1.2.3  " "$T/own.sum" &&
    grep -q "Test Logon Failures for One Account from One Address  host -  key TargetUserName=bob IpAddress=10.9.9.9  " "$T/own.sum" &&
    grep -q ",TargetUserName=alice IpAddress=10.1.2.3$(printf '\r')\$" "$T/own.csv" &&
    grep -q '"group":{"TargetUserName":"bob","IpAddress":"10.9.9.9"}' "$T/own.nd"
check "correlation key: its own table entry per key, in top groups, csv and ndjson" $?

# Positions: each alert's line is the first line of its record (checked against the
# file: the record starting there has the alert's RecordNumber), the table says the same
# lines, correlation events carry theirs.
python3 - "$T/win.json" "$T/own.nd" "$T/own.table" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
def rec_at(line):
    obj, _ = json.JSONDecoder().raw_decode(text, starts[line - 1])
    return obj
def fail(m):
    print("  " + m); sys.exit(1)
lines = []
for a in [json.loads(l) for l in open(sys.argv[2])]:
    if "source" in a:
        s = a["source"]
        got = rec_at(s["line"])["RecordNumber"]
        if got != a["event"]["RecordNumber"]:
            fail("line %d holds record %d, not %d" % (s["line"], got, a["event"]["RecordNumber"]))
        if s["record"] != s["index"] + 1: fail("record is not index + 1")
        lines.append(s["line"])
    else:
        for e in a["events"]:
            if rec_at(e["line"])["EventID"] != 4625:
                fail("correlation event line %d is not a 4625 record" % e["line"])
if not any(text[starts[l - 1]:].startswith("{\n") for l in lines):
    fail("no alert on a record spanning lines: the test would not test that")
table = [int(m) for m in re.findall(r"^    host \S+  at \S+:(\d+)$", open(sys.argv[3]).read(), re.M)]
if table != lines: fail("table lines %r, ndjson %r" % (table, lines))
PY
check "json: an alert's line is its record's first line (blank lines, records over several lines)" $?

python3 - "$T/auth.log" <<'PY' >"$T/auth.want"
import sys
for n, l in enumerate(open(sys.argv[1]), 1):
    if "Failed password" in l:
        print(n, l.split("seq=")[1].strip())
PY
for n in 1 2 3; do
    $O --threads $n --format ndjson "$T/auth.log" "$T/win.json" >"$T/p$n.nd" 2>/dev/null
    $O --threads $n --no-group "$T/auth.log" "$T/win.json" 2>/dev/null | sed 's/, [0-9.]* s$//' >"$T/p$n.table"
    $O --threads $n --format csv "$T/auth.log" "$T/win.json" >"$T/p$n.csv" 2>/dev/null
done
python3 - "$T/p1.nd" <<'PY' >"$T/auth.got"
import json, sys
for l in open(sys.argv[1]):
    a = json.loads(l)
    if "source" in a and a["source"]["path"].endswith("auth.log"):
        print(a["source"]["line"], a["event"]["message"].split("seq=")[1])
PY
cmp -s "$T/auth.want" "$T/auth.got" && [ "$(wc -l <"$T/auth.got")" = 1000 ] &&
    grep -q "  at $T/auth.log:3$" "$T/p1.table" && grep -q "^    user: user0$" "$T/p1.table"
check "syslog: 1000 alerts, each at the line of its own record (blank lines skipped)" $?
cmp -s "$T/p1.nd" "$T/p2.nd" && cmp -s "$T/p1.nd" "$T/p3.nd" && cmp -s "$T/p1.table" "$T/p2.table" &&
    cmp -s "$T/p1.table" "$T/p3.table" && cmp -s "$T/p1.csv" "$T/p2.csv" && cmp -s "$T/p1.csv" "$T/p3.csv"
check "positions: ndjson, table and csv identical with --threads 1, 2 and 3" $?

# Streamed in windows (a pipe, a .gz): the same lines.  Small windows are not settable
# here, so this checks the window's line base on one window and the ranges within it.
gzip -c "$T/auth.log" >"$T/auth.log.gz"
strip() { sed -e 's/"path":"[^"]*"//' -e 's/"format":"[a-z]*"//' "$1"; }
$O --format ndjson "$T/auth.log" >"$T/plain.nd" 2>/dev/null
ok=0
for n in 1 3; do
    $O --threads $n --format ndjson - <"$T/auth.log" >"$T/in$n.nd" 2>/dev/null
    cat "$T/auth.log" | $O --threads $n --format ndjson - >"$T/pipe$n.nd" 2>/dev/null
    $O --threads $n --format ndjson "$T/auth.log.gz" >"$T/gz$n.nd" 2>/dev/null
    for f in in$n pipe$n gz$n; do
        [ "$(strip "$T/$f.nd")" = "$(strip "$T/plain.nd")" ] || ok=1
    done
done
[ $ok = 0 ] && [ -s "$T/plain.nd" ]
check "positions: the same lines from standard input, a pipe and a .gz, --threads 1 and 3" $?

# A bad record in a text input is reported at its line and column, with no 0-based number.
printf '{"a": 1}\n\n{"b": 2}\n{"c": }\n{"d": 4}\n' >"$T/bad.json"
$O "$T/bad.json" >/dev/null 2>"$T/bad.err"
grep -q "bad.json:4:7: skipped record: " "$T/bad.err" && ! grep -q "skipped record [0-9]" "$T/bad.err"
check "a bad record in a text input: file:LINE:COL" $?

[ $fails = 0 ]
