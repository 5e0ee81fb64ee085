#!/bin/sh
# hunt's suppressions of known false positives (--suppress FILE, WARDWATCH_HOME/suppress.yml,
# --no-suppress): Sigma filters that remove exactly the alerts they describe, counted per
# suppression in the summary and the table footer; warnings (stderr, counted) for a
# suppression naming a rule that is not loaded or a correlation, one that suppressed
# nothing and one that expired (no longer applied); errors in the file with
# file:line:col.  Rules and events are generated here, so that what fires is known.
set -u
BIN=${WW_BIN:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
check() { # check NAME CONDITION-RESULT
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
export WARDWATCH_HOME="$T/home"
mkdir -p "$T/home" "$T/rules"
cd "$T" || exit 1
H="$BIN hunt --no-default-rules --rules rules --tz UTC"

cat >rules/test.yml <<'EOF'
title: Test Process Reads LSASS
id: 11111111-1111-4111-8111-111111111111
logsource:
  category: process_access
  product: windows
detection:
  selection:
    TargetImage|endswith: '\lsass.exe'
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
EOF

# The planted false positive: the backup agent reading LSASS on BK01.  The same agent on
# WS9 and mimikatz on WS1 are not covered by the suppression and must stay.  Failed
# logons: alice from 10.1.2.3 (a scanner the site knows) and bob from 10.9.9.9.
python3 - "$T/events.json" <<'PY'
import json, sys
n = 0
def ev(**kw):
    global n
    n += 1
    return json.dumps(dict(RecordNumber=n, **kw))
def lsass(host, src, t):
    return ev(SourceName="Microsoft-Windows-Sysmon", Channel="Microsoft-Windows-Sysmon/Operational",
              EventID=10, Hostname=host, TimeCreated=t, SourceImage=src,
              TargetImage="C:\\Windows\\system32\\lsass.exe", GrantedAccess="0x1410")
def fail(user, ip, t):
    return ev(SourceName="Microsoft-Windows-Security-Auditing", Channel="Security", EventID=4625,
              Hostname="DC01", TimeCreated=t, TargetUserName=user, IpAddress=ip)
out = [lsass("WS1", "C:\\Users\\eve\\mimikatz.exe", "2026-04-08 00:59:00"),
       lsass("BK01", "C:\\Program Files\\Backup\\agent.exe", "2026-04-08 01:00:00"),
       lsass("WS9", "C:\\Program Files\\Backup\\agent.exe", "2026-04-08 01:00:05"),
       lsass("WS1", "C:\\Users\\eve\\mimikatz.exe", "2026-04-08 02:00:00")]
out += [fail("alice", "10.1.2.3", "2026-04-08 03:00:%02d" % i) for i in range(4)]
out += [fail("bob", "10.9.9.9", "2026-04-08 03:01:%02d" % i) for i in range(4)]
open(sys.argv[1], "w").write("\n".join(out) + "\n")
PY

cat >supp.yml <<'EOF'
title: Backup agent on BK01
description: the nightly backup agent reads LSASS (change 4711)
expires: 2999-12-31
logsource:
  product: windows
filter:
  rules:
    - 11111111-1111-4111-8111-111111111111
  selection:
    SourceImage|endswith: '\Backup\agent.exe'
    Hostname: BK01
  condition: not selection
---
title: Retired scanner
description: named by a rule id that no longer exists
filter:
  rules:
    - 99999999-9999-4999-8999-999999999999
  selection:
    Hostname: SCAN01
  condition: not selection
---
title: Old jump host
filter:
  rules:
    - Test Process Reads LSASS
  selection:
    Hostname: JUMP01
  condition: not selection
---
title: Mimikatz test in 2001
expires: 2001-01-01
filter:
  rules:
    - 11111111-1111-4111-8111-111111111111
  selection:
    SourceImage|endswith: '\mimikatz.exe'
  condition: not selection
---
title: On the correlation
filter:
  rules:
    - 44444444-4444-4444-8444-444444444444
  selection:
    TargetUserName: bob
  condition: not selection
EOF

$H --format ndjson events.json >base.nd 2>base.err
$H --format ndjson --suppress supp.yml events.json >supp.nd 2>supp.err
rc=$?
python3 - base.nd supp.nd <<'PY'
import json, sys
base = [json.loads(l) for l in open(sys.argv[1])]
supp = [json.loads(l) for l in open(sys.argv[2])]
def fail(m):
    print("  " + m); sys.exit(1)
key = lambda a: (a["rule"]["title"], a.get("source", {}).get("line"), json.dumps(a.get("group")))
gone = [a for a in base if key(a) not in {key(b) for b in supp}]
if len(base) != 6: fail("expected 6 alerts without suppressions, got %d" % len(base))
if len(gone) != 1 or len(supp) != 5: fail("expected exactly one alert removed, got %d" % len(gone))
g = gone[0]
if g["host"] != "BK01" or not g["event"]["SourceImage"].endswith("\\agent.exe"):
    fail("the wrong alert was removed: %r" % g)
if [key(a) for a in supp] != [key(a) for a in base if a is not g]:
    fail("the others changed")
PY
check "the suppression removes exactly the planted false positive (exit $rc)" $?
[ $rc = 1 ] && [ ! -s base.err ]
check "suppressed hunt still exits 1 for the alerts left; no warnings without suppressions" $?

grep -q "supp.yml:14: suppression 'Retired scanner' names rule '99999999-9999-4999-8999-999999999999', which is not loaded" supp.err
check "warning: a suppression naming a rule that is not loaded" $?
grep -q "supp.yml:23: suppression 'Old jump host' suppressed nothing in this hunt" supp.err
check "warning: a suppression that suppressed nothing" $?
grep -q "supp.yml:31: suppression 'Mimikatz test in 2001' expired on 2001-01-01 and is no longer applied" supp.err &&
    [ "$(grep -c mimikatz supp.nd)" = 2 ]
check "an expired suppression warns and no longer applies (both mimikatz alerts stay)" $?
grep -q "supp.yml:40: suppression 'On the correlation' names rule '44444444-4444-4444-8444-444444444444', a correlation rule" supp.err
check "warning: a suppression naming a correlation rule" $?
[ "$(grep -c 'warning: ' supp.err)" = 4 ] && ! grep -q "Backup agent on BK01" supp.err
check "four warnings, none for the suppression that did its job" $?

$H --format summary --suppress supp.yml events.json >supp.sum 2>/dev/null
grep -q "^Suppressed: 1 alert by 5 suppressions (4 warnings, on stderr)$" supp.sum &&
    grep -q "^       1  Backup agent on BK01  (supp.yml:1)  until 2999-12-31  reason: the nightly backup agent reads LSASS (change 4711)$" supp.sum &&
    grep -q "^       0  Retired scanner  (supp.yml:14)  reason: named by a rule id that no longer exists$" supp.sum &&
    grep -q "^       0  Mimikatz test in 2001  (supp.yml:31)  expired 2001-01-01, not applied$" supp.sum &&
    grep -q "^5 alerts$" supp.sum
check "summary: alerts suppressed per suppression, with reason and expiry, and the warnings counted" $?
$H --suppress supp.yml events.json >supp.table 2>/dev/null
grep -q "^1 alert suppressed by 5 suppressions (4 warnings; --format summary lists them)$" supp.table &&
    ! grep -q "host BK01" supp.table && grep -q "host WS9" supp.table
check "table: the footer counts the suppressed alert; BK01 is gone, WS9 stays" $?

# A suppression on the rule a correlation counts: the scanner's failed logons no longer
# count, so its correlation alert goes too (counted as 4 suppressed matches).
cat >scanner.yml <<'EOF'
title: Known scanner
description: the vulnerability scanner's test logons
filter:
  rules: [Test Failed Logon]
  sel:
    IpAddress: 10.1.2.3
  condition: not sel
EOF
$H --format ndjson --suppress scanner.yml events.json >scan.nd 2>scan.err
$H --format summary --suppress scanner.yml events.json >scan.sum 2>/dev/null
[ "$(grep -c '"TargetUserName":"alice"' scan.nd)" = 0 ] && [ "$(grep -c '"TargetUserName":"bob"' scan.nd)" = 1 ] &&
    [ "$(wc -l <scan.nd)" = 5 ] && grep -q "^       4  Known scanner  (scanner.yml:1)" scan.sum && [ ! -s scan.err ]
check "a suppression on a correlated rule keeps those events out of the correlation" $?

# The site's own file: WARDWATCH_HOME/suppress.yml is loaded by default, --no-suppress
# leaves it out; --suppress adds to it.
cp supp.yml home/suppress.yml
$H --format ndjson events.json >home.nd 2>home.err
cmp -s home.nd supp.nd && grep -q "home/suppress.yml:14: suppression 'Retired scanner'" home.err
check "WARDWATCH_HOME/suppress.yml is loaded by default" $?
$H --format ndjson --no-suppress events.json >nos.nd 2>nos.err
cmp -s nos.nd base.nd && [ ! -s nos.err ]
check "--no-suppress leaves the site's file out" $?
$H --format ndjson --suppress scanner.yml events.json >both.nd 2>/dev/null
[ "$(wc -l <both.nd)" = 4 ] && ! grep -q BK01 both.nd && ! grep -q alice both.nd
check "--suppress adds to the site's file" $?
rm home/suppress.yml

# The same output for --threads 1, 2 and 3 (the footer's time aside).
for n in 1 2 3; do
    for f in table summary ndjson; do
        $H --threads $n --format $f --suppress supp.yml --suppress scanner.yml events.json 2>"e$n" |
            sed 's/[0-9.]* s$//' >"o$n.$f"
    done
done
cmp -s o1.table o2.table && cmp -s o1.table o3.table && cmp -s o1.summary o2.summary &&
    cmp -s o1.summary o3.summary && cmp -s o1.ndjson o2.ndjson && cmp -s o1.ndjson o3.ndjson &&
    cmp -s e1 e2 && cmp -s e1 e3 && grep -q "^Suppressed: 5 alerts by 6 suppressions" o1.summary
check "suppressions: identical output and warnings with --threads 1, 2 and 3" $?

# Errors in the file, each with file:line:col; the good suppression in it still applies.
cat >bad.yml <<'EOF'
title: Bad date
expires: 2027-02-30
filter:
  rules: [Test Process Reads LSASS]
  sel: {Hostname: BK01}
  condition: not sel
---
title: Backup agent on BK01
filter:
  rules: [Test Process Reads LSASS]
  sel: {Hostname: BK01}
  condition: not sel
---
title: Not a filter
logsource: {product: windows}
detection:
  sel: {Hostname: BK01}
  condition: sel
---
title: Broken condition
filter:
  rules: [Test Process Reads LSASS]
  sel: {Hostname: BK01}
  condition: not sel and
EOF
$H --format ndjson --suppress bad.yml events.json >bad.nd 2>bad.err
grep -q "suppression not used: bad.yml:2:10: Bad date: 'expires' must be a date written YYYY-MM-DD" bad.err &&
    grep -q "suppression not used: bad.yml:14:1: Not a filter: a suppression file holds Sigma filters" bad.err &&
    grep -q "suppression not used: bad.yml:24:[0-9]*: Broken condition: " bad.err &&
    [ "$(wc -l <bad.nd)" = 5 ] && ! grep -q BK01 bad.nd && ! grep -q "could not be used" bad.err
check "errors in a suppression file have file:line:col; the good one applies" $?
printf 'title: x\nfilter:\n  rules: [a\n' >syntax.yml
$H --suppress syntax.yml events.json >/dev/null 2>syn.err
grep -q "suppression not used: syntax.yml:[0-9]*:[0-9]*: " syn.err
check "a YAML syntax error in a suppression file has its place" $?
$H --suppress nosuch.yml events.json >/dev/null 2>miss.err
[ $? = 2 ] && grep -q "nosuch.yml: cannot read suppression file" miss.err
check "a suppression file that cannot be read is an error (exit 2)" $?

[ $fails = 0 ]
