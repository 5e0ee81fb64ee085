#!/bin/sh
# The console's NHS cyber alerts (lib/console/ww_console_intel.c) against a real
# `wardwatch serve`: an analyst records an alert (with a hostile title) that applies to
# exactly the matching assets of the register, acknowledges it, records an asset's
# state; viewers may not; every change needs its CSRF token and lands in the audit log;
# an overdue clock shows red; the API twins answer the same; the pages pass axe-core in
# headless Chromium (skipped with the reason when it is missing).
set -u
. "$WW_SRC/tests/integration/console_lib.sh"
command -v oathtool >/dev/null || { echo "skip: no oathtool (scripts/setup.sh installs it)"; exit 77; }
console_start
cat >"$CT/reg.csv" <<'CSV'
asset_id,hostname,ip,type,os,os_version,firmware,manufacturer,model
FW-A,fw-a,10.0.0.1,firewall,FortiOS,7.4,7.4.2,Fortinet,FortiGate 100F
FW-B,fw-b,10.0.0.2,firewall,FortiOS,7.4.4,,Fortinet,FortiGate 100F
SRV-A,srv-a,10.1.0.1,server,Windows Server 2012 R2,,,,
CSV
WARDWATCH_DATA="$WW_SRC/data" "$WW" assets --db "$CONSOLE_DB" import "$CT/reg.csv" >/dev/null
check "register imported" $?
console_user viewer viewer && console_login viewer || exit 1
console_user ana analyst && console_login ana || exit 1

[ "$(ccode ana GET /cyberalerts)" = 200 ]; check "analyst sees the list" $?
[ "$(ccode viewer GET /cyberalerts)" = 403 ]; check "viewer may not" $?
[ "$(ccode viewer GET /api/v1/cyberalerts)" = 403 ]; check "viewer may not (API)" $?

hostile='<script>alert(1)</script> "FortiOS" & co'
st=$(ccode ana POST /cyberalerts --data-urlencode ref=CC-4567 --data-urlencode "title=$hostile" \
    --data-urlencode severity=high --data-urlencode published=2026-05-01T09:00:00Z \
    --data-urlencode "products=FortiOS | 7.4.0 - 7.4.3")
[ "$st" = 303 ]; check "analyst records an alert (HTTP $st)" $?
st=$(curl -sk -b "$CT/ana.jar" -H 'Sec-Fetch-Site: same-origin' -o /dev/null -w '%{http_code}' \
    --data-urlencode ref=CC-1 --data-urlencode title=x --data-urlencode severity=high \
    --data-urlencode published=2026-05-01 --data-urlencode products=FortiOS "$CU/cyberalerts")
[ "$st" = 403 ]; check "no CSRF token: refused (HTTP $st)" $?
st=$(ccode viewer POST /cyberalerts --data-urlencode ref=CC-2 --data-urlencode title=x \
    --data-urlencode severity=high --data-urlencode published=2026-05-01 \
    --data-urlencode products=FortiOS)
[ "$st" = 403 ]; check "viewer may not record (HTTP $st)" $?
st=$(ccode ana POST /cyberalerts --data-urlencode ref=CC-3 --data-urlencode title=x \
    --data-urlencode severity=high --data-urlencode published=2026-05-01 \
    --data-urlencode "products=FortiOS | 9 - 1")
[ "$st" = 400 ]; check "a bad range is a 400 (HTTP $st)" $?

cget ana /cyberalerts/CC-4567 >"$CT/show.html"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$CT/show.html" && ! grep -q '<script>alert' "$CT/show.html"
check "hostile title escaped" $?
grep -q '>FW-A<' "$CT/show.html" && ! grep -q '>FW-B<' "$CT/show.html" && ! grep -q '>SRV-A<' "$CT/show.html"
check "applies to exactly FW-A" $?
grep -q 'nhsuk-tag--red">overdue' "$CT/show.html"; check "overdue clock in red" $?

cget ana /api/v1/cyberalerts/CC-4567 >"$CT/a.json"
python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))
assert a["reference"] == "CC-4567" and a["severity"] == "high", a
assert [x["asset"] for x in a["assets"]] == ["FW-A"], a["assets"]
assert a["clocks"]["acknowledge"]["state"] == "overdue", a["clocks"]
' "$CT/a.json"
check "API twin of the alert" $?

[ "$(ccode ana POST /cyberalerts/CC-4567/ack --data-urlencode note=seen)" = 303 ]; check "ack" $?
[ "$(ccode ana POST /cyberalerts/CC-4567/ack)" = 400 ]; check "second ack refused" $?
[ "$(ccode ana POST /cyberalerts/CC-4567/asset --data-urlencode asset=FW-A \
    --data-urlencode state=patched --data-urlencode note=7.4.4)" = 303 ]; check "asset patched" $?
[ "$(ccode ana POST /cyberalerts/CC-4567/asset --data-urlencode asset=SRV-A \
    --data-urlencode state=patched)" = 404 ]; check "an asset it does not apply to: 404" $?
[ "$(ccode ana POST /api/v1/cyberalerts/CC-4567/update -H 'Content-Type: application/json' \
    --data '{"note": "all patched"}')" = 303 ]; check "update through the API (JSON)" $?
cget ana /api/v1/cyberalerts >"$CT/l.json"
python3 -c '
import json, sys
l = json.load(open(sys.argv[1]))["cyberalerts"]
a = [x for x in l if x["reference"] == "CC-4567"][0]
assert a["assets"][0]["state"] == "patched" and a["assets"][0]["state_by"] == "ana", a
assert a["acknowledged_by"] == "ana" and a["first_update_at"], a
assert a["clocks"]["mitigate"]["state"] in ("met", "late"), a["clocks"]
' "$CT/l.json"
check "API list: state, who, clocks" $?

# The pages with their forms (the alert is still open), in a browser.
console_browser ana /cyberalerts /cyberalerts/CC-4567
rc=$?
[ $rc = 77 ] || check "pages pass axe-core in headless Chromium" $rc
"$WW" users --db "$CONSOLE_DB" log --format ndjson >"$CT/log"
for a in cyberalert.add cyberalert.ack cyberalert.asset cyberalert.update; do
    grep -q "\"$a\"" "$CT/log"; check "audit log has $a" $?
done
"$WW" cyberalerts --db "$CONSOLE_DB" show CC-4567 | grep -q "ack      ana: seen"
check "the CLI sees the console's record" $?
# A change from the command line lands in the same audit log, as cli:<user>.
"$WW" cyberalerts --db "$CONSOLE_DB" close CC-4567 --note done >/dev/null
"$WW" users --db "$CONSOLE_DB" log --format ndjson | grep '"cyberalert.close"' | grep -q '"cli:'
check "CLI change in the audit log" $?

# Monitoring coverage for the evidence pack: serve records the hosts events came from.
python3 - "$SYSLOG_PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"<13>1 2026-05-01T09:00:00Z fw-a app - - - a line from the firewall\n"
          b"<13>1 2026-05-01T09:00:01Z 10.1.0.1 app - - - a line from srv-a by address\n")
s.close()
PY
tomorrow=$(date -u -d tomorrow +%F)
i=0
until "$WW" evidence --db "$CONSOLE_DB" --as-of "$tomorrow" >"$CT/ev.json" 2>/dev/null &&
    grep -q '"value":"2 of 3"' "$CT/ev.json" || [ $i -ge 300 ]; do
    sleep 0.1
    i=$((i + 1))
done
python3 - "$CT/ev.json" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
c = {f["fact"]: f for f in e["outcomes"][0]["facts"]}
assert c["Register assets that serve has received events from"]["value"] == "2 of 3", c
gap = [f for k, f in c.items() if k.startswith("1 register assets with nothing")][0]
assert gap["gap"] and "FW-B" in gap["fact"], gap
src = [f for k, f in c.items() if k.startswith("Log source 'syslog'")][0]
assert src["value"] == "2 hosts" and "serve_seen" in src["source"], src
PY
check "evidence: coverage from the hosts serve saw (2 of 3, FW-B a gap)" $?
"$WW" evidence --db "$CONSOLE_DB" --as-of 2026-01-01 | grep -q '"value":"0 of 3"'
check "evidence: coverage as of a day before anything was seen" $?

console_stop
[ $fails = 0 ]
