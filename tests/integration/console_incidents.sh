#!/bin/sh
# The console's incidents inside `wardwatch serve`: alerts raised from syslog lines
# (hostile user names included) escalated into a new and an existing incident, an
# incident opened by form, a note, an evidence upload whose SHA-256 is checked against
# sha256sum and downloaded back byte for byte, status and detail changes (and refusals
# that say why), a fire-break plan linked by host, the JSON and STIX exports (the STIX
# bundle validated against ../shared/data/stix2-schemas), the /api/v1/incidents twins,
# the audit log, who may do what (a viewer is refused, CSRF is required), and the pages
# in headless Chromium with axe-core.  Exits 77 (skip) when ../shared or the STIX
# validator is missing, after running everything else.
set -u
. "$WW_SRC/tests/integration/console_lib.sh"
command -v oathtool >/dev/null || { echo "skip: no oathtool (scripts/setup.sh installs it)"; exit 77; }

CONSOLE_KEYS="  trust_name: Northshire Test Hospitals NHS Trust
  base_url: https://console.test"
console_start
for r in viewer analyst admin; do console_user "$r" "$r" || exit 1; done
console_login analyst || exit 1
console_login viewer || exit 1
console_login admin || exit 1

# ---- alerts in the store, from the live pipeline ----
# Ten failed SSH passwords on a server within five minutes raise "SSH Password Guessing
# Against One Server" (rules/linux); three servers, two with hostile names, give three
# alerts.
python3 - "$SYSLOG_PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
for host in (b"pacs01", b"<b>ws7</b>", b'"x"onmouseover=alert(1)'):
    for i in range(10):
        s.sendall(b"<38>Dec  3 10:00:%02d %s sshd[4%d]: Failed password for invalid user "
                  b"<script>alert(1)</script> from 10.20.0.7 port 5%d ssh2\n" % (i, host, i, i))
s.close()
PY
i=0
while [ "$("$WW" alerts --db "$CONSOLE_DB" --format ndjson 2>/dev/null | wc -l)" -lt 3 ] &&
    [ $i -lt 300 ]; do
    sleep 0.1
    i=$((i + 1))
done
"$WW" alerts --db "$CONSOLE_DB" --format ndjson >"$CT/alerts.ndjson"
python3 -c 'import json,sys
by = {json.loads(l)["host"]: json.loads(l)["id"] for l in open(sys.argv[1])}
print(by.get("pacs01", "")); print(by.get("<b>ws7</b>", "")); print(by.get("\"x\"onmouseover=alert(1)", ""))' \
    "$CT/alerts.ndjson" >"$CT/ids"
A1=$(sed -n 1p "$CT/ids")
A2=$(sed -n 2p "$CT/ids")
A3=$(sed -n 3p "$CT/ids")
[ -n "$A1" ] && [ -n "$A2" ] && [ -n "$A3" ]
check "thirty sshd failures on three servers became three alerts in the store" $?
[ -n "$A1" ] || { cat "$CONSOLE_LOG"; exit 1; }

# ---- who may ----
[ "$(curl -sk -o /dev/null -w '%{http_code}' "$CU/incidents")" = 401 ]
check "signed out, /incidents is 401" $?
v=""
for p in /incidents /incidents/new /api/v1/incidents; do v="$v $(ccode viewer GET "$p")"; done
v="$v $(ccode viewer POST /incidents/escalate --data-urlencode "alert=$A1" --data-urlencode incident=new)"
v="$v $(ccode viewer POST /api/v1/incidents -H 'Content-Type: application/json' --data '{"title":"x"}')"
[ "$v" = " 403 403 403 403 403" ]
check "a viewer is refused the incident pages, the API and escalation ($v)" $?

# ---- escalate from the alerts page's bulk form ----
st=$(curl -sk -b "$CT/analyst.jar" -H 'Sec-Fetch-Site: same-origin' -o /dev/null -w '%{http_code}' \
    --data-urlencode "alert=$A1" --data-urlencode incident=new "$CU/incidents/escalate")
[ "$st" = 403 ]
check "escalation without the CSRF token is refused ($st)" $?
cpost analyst /incidents/escalate -D "$CT/hdr" -o /dev/null \
    --data-urlencode "csrf_token=$(cat "$CT/analyst.csrf")" --data-urlencode "alert=$A1" \
    --data-urlencode "alert=$A2" --data-urlencode incident=new
REF1=$(tr -d '\r' <"$CT/hdr" | sed -n 's|^[Ll]ocation: /incidents/\(INC-[0-9]*-[0-9]*\).*|\1|p')
grep -q '^HTTP/[0-9.]* 303' "$CT/hdr" && [ -n "$REF1" ]
check "escalating two alerts into a new incident redirects to it ($REF1)" $?
cget analyst "/api/v1/incidents/$REF1" -o "$CT/i1.json"
python3 - "$CT/i1.json" "$A1" "$A2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["title"] == "SSH Password Guessing Against One Server on pacs01", d["title"]
assert sorted(a["id"] for a in d["alerts"]) == sorted(sys.argv[2:4]), d["alerts"]
assert d["status"] == "open" and d["created_by"] == "analyst"
PY
check "the new incident is titled from the first alert's rule and host, both alerts linked" $?
cpost analyst /incidents/escalate -o /dev/null -D "$CT/hdr" \
    --data-urlencode "csrf_token=$(cat "$CT/analyst.csrf")" --data-urlencode "alert=$A3" \
    --data-urlencode "alert=$A1" --data-urlencode "incident=$REF1"
cget analyst "/api/v1/incidents/$REF1" | grep -o '"kind":"alert"' | wc -l >"$CT/n"
tr -d '\r' <"$CT/hdr" | grep -q "^[Ll]ocation: /incidents/$REF1#alerts" && [ "$(cat "$CT/n")" = 3 ]
check "escalating into an existing incident adds the new alert, not a second copy" $?
st=$(ccode analyst POST /incidents/escalate --data-urlencode "alert=00000000000000000000000000000000" \
    --data-urlencode incident=new)
[ "$st" = 400 ] && [ "$(cget analyst /api/v1/incidents | grep -o '"reference"' | wc -l)" = 1 ]
check "escalating an alert that is not stored is refused and opens nothing ($st)" $?

# ---- the page shows hostile values as text ----
cget analyst "/incidents/$REF1" -o "$CT/page.html"
grep -q '&lt;b&gt;ws7&lt;/b&gt;' "$CT/page.html" && grep -q '&quot;x&quot;onmouseover' "$CT/page.html" &&
    ! grep -q '<b>ws7' "$CT/page.html" && ! grep -q '"x"onmouseover' "$CT/page.html"
check "host names from the log lines are shown as text, never as markup" $?
grep -q 'ICO 72-hour clock' "$CT/page.html" && grep -q 'DSPT incident reporting tool' "$CT/page.html" &&
    grep -q 'enctype="multipart/form-data"' "$CT/page.html" && grep -q 'name="csrf_token"' "$CT/page.html"
check "the incident page has the ICO clock, the DSPT flag and the upload form" $?

# ---- open one by form ----
cpost analyst /incidents -D "$CT/hdr" -o /dev/null --data-urlencode "csrf_token=$(cat "$CT/analyst.csrf")" \
    --data-urlencode 'title=Phishing <b>wave</b> "Invoice"' --data-urlencode severity=high \
    --data-urlencode personal_data=yes --data-urlencode dspt_reportable=yes \
    --data-urlencode "aware=$(date -u -d '-2 hours' '+%Y-%m-%d %H:%M')"
REF2=$(tr -d '\r' <"$CT/hdr" | sed -n 's|^[Ll]ocation: /incidents/\(INC-[0-9]*-[0-9]*\)$|\1|p')
[ -n "$REF2" ] && [ "$REF2" != "$REF1" ]
check "an incident opened by form ($REF2)" $?
cget analyst "/api/v1/incidents/$REF2" -o "$CT/i2.json"
python3 - "$CT/i2.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["title"] == 'Phishing <b>wave</b> "Invoice"'
assert d["severity"] == "high" and d["personal_data"] and d["dspt"]["reportable"]
ico = d["ico"]
# aware two hours ago (to the minute): about 70 hours left.
assert ico["applies"] and not ico["overdue"] and 69 * 3600 < ico["seconds_left"] <= 70 * 3600 + 60, ico
PY
check "its fields, and the ICO clock running from the awareness time (about 70 h left)" $?
st=$(ccode analyst POST /incidents --data-urlencode 'title=')
cpost analyst /incidents -o "$CT/out" --data-urlencode "csrf_token=$(cat "$CT/analyst.csrf")" --data-urlencode 'title=   '
[ "$st" = 400 ] && grep -q 'nhsuk-error-summary' "$CT/out" && grep -q 'title: must not be empty' "$CT/out"
check "an empty title is refused with an error summary saying why ($st)" $?

# ---- note, status, details ----
cpost analyst "/incidents/$REF2/notes" -o /dev/null --data-urlencode "csrf_token=$(cat "$CT/analyst.csrf")" \
    --data-urlencode 'note=Mail purged from 41 mailboxes <i>now</i>'
cpost analyst "/incidents/$REF2/status" -o /dev/null --data-urlencode "csrf_token=$(cat "$CT/analyst.csrf")" \
    --data-urlencode status=contained
cget analyst "/api/v1/incidents/$REF2" -o "$CT/i2.json"
grep -q '"status":"contained"' "$CT/i2.json" &&
    grep -q '"text":"Mail purged from 41 mailboxes <i>now</i>"' "$CT/i2.json" &&
    grep -q '"text":"status: open -> contained"' "$CT/i2.json"
check "a note and a status change, both in the timeline" $?
cpost analyst "/incidents/$REF2/notes" -o /dev/null --data-urlencode "csrf_token=$(cat "$CT/analyst.csrf")" \
    --data-urlencode "note=$(printf 'first line\nsecond <line>')"
cget analyst "/incidents/$REF2" -o "$CT/page2.html"
grep -q 'Mail purged from 41 mailboxes &lt;i&gt;now&lt;/i&gt;' "$CT/page2.html" &&
    grep -q 'first line<br>second &lt;line&gt;' "$CT/page2.html" && ! grep -q '<i>now' "$CT/page2.html"
check "notes show as text on the page, their line breaks kept" $?
st=$(cpost analyst "/incidents/$REF2" -o "$CT/out" -w '%{http_code}' \
    --data-urlencode "csrf_token=$(cat "$CT/analyst.csrf")" --data-urlencode 'title=Phishing wave' \
    --data-urlencode 'aware=next tuesday')
[ "$st" = 400 ] && grep -q 'href="#aware"' "$CT/out" && grep -q 'Phishing &lt;b&gt;wave' "$CT/out"
check "a bad awareness time is refused, pointing at the field, nothing changed ($st)" $?
cpost analyst "/incidents/$REF2" -o /dev/null --data-urlencode "csrf_token=$(cat "$CT/analyst.csrf")" \
    --data-urlencode dspt_reported=yes --data-urlencode dspt_ref=DSPT-2026-77 --data-urlencode owner=analyst
cget analyst "/api/v1/incidents/$REF2" | grep -q '"reference":"DSPT-2026-77"'
check "reported to the DSPT tool, with its reference" $?

# ---- evidence ----
head -c 300000 /dev/urandom >"$CT/capture.pcap"
printf 'From: "Payroll" <pay@evil.example>\r\nSubject: <script>x</script>\r\n\r\nhi\r\n' >"$CT/phish.eml"
cpost analyst "/incidents/$REF2/evidence" -o /dev/null -D "$CT/hdr" -F "csrf_token=$(cat "$CT/analyst.csrf")" \
    -F "evidence=@$CT/capture.pcap;filename=capture.pcap"
cpost analyst "/api/v1/incidents/$REF2/evidence" -o "$CT/ev.json" -F "evidence=@$CT/phish.eml"
want=$(sha256sum "$CT/capture.pcap" | cut -d' ' -f1)
want2=$(sha256sum "$CT/phish.eml" | cut -d' ' -f1)
grep -q '^HTTP/[0-9.]* 303' "$CT/hdr" && grep -q "\"sha256\":\"$want2\"" "$CT/ev.json" &&
    cget analyst "/api/v1/incidents/$REF2" | grep -q "\"sha256\":\"$want\""
check "evidence uploaded by form and by API, SHA-256 as sha256sum computes" $?
kept="$CONSOLE_STATE/evidence/$REF2/$want"
[ -f "$kept" ] && cmp -s "$kept" "$CT/capture.pcap" && [ "$(stat -c %a "$kept")" = 600 ]
check "the file is kept under evidence/$REF2/<sha256>, unchanged, mode 600" $?
cget analyst "/incidents/$REF2/evidence/$want" -D "$CT/hdr" -o "$CT/back.pcap"
cmp -s "$CT/back.pcap" "$CT/capture.pcap" && grep -qi '^content-disposition: attachment' "$CT/hdr"
check "the evidence downloads back byte for byte, as an attachment" $?
zeros=0000000000000000000000000000000000000000000000000000000000000000
[ "$(ccode analyst GET "/incidents/$REF2/evidence/$zeros")" = 404 ] &&
    [ "$(ccode analyst GET "/incidents/$REF2/evidence/wardwatch.db")" = 404 ] &&
    [ "$(ccode analyst GET "/incidents/$REF1/evidence/$want")" = 404 ]
check "evidence not kept for that incident, or a name that is not a SHA-256, is 404" $?

# ---- fire-breaks ----
"$WW" firebreak --db "$CONSOLE_DB" map import "$WW_SRC/tests/data/firebreak/hospital.yml" >/dev/null &&
    "$WW" firebreak --db "$CONSOLE_DB" plan --host 10.20.0.7 --reason "quarantine pacs01" --by responder >/dev/null
cpost analyst "/incidents/$REF1/firebreaks" -o /dev/null --data-urlencode "csrf_token=$(cat "$CT/analyst.csrf")" \
    --data-urlencode host=10.20.0.7
cget analyst "/incidents/$REF1/export.json" -D "$CT/hdr" -o "$CT/e1.json"
python3 - "$CT/e1.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
fb = d["firebreaks"]
assert len(fb) == 1 and fb[0]["state"] == "planned", fb
assert [r["action"] for r in fb[0]["records"]] == ["plan"], fb
assert fb[0]["records"][0]["by"] == "responder"
PY
check "the fire-break plan for the alerts' address is linked with its records" $?
grep -qi "^content-disposition: attachment; filename=\"$REF1.json\"" "$CT/hdr"
check "the JSON export downloads as $REF1.json" $?

# ---- STIX ----
cget analyst "/incidents/$REF2/export.stix.json" -o "$CT/s2.json"
cget analyst "/api/v1/incidents/$REF1/export?format=stix" -o "$CT/s1.json"
stix=77
if [ -n "${WW_SHARED:-}" ] && [ -d "$WW_SHARED/data/stix2-schemas/schemas" ]; then
    python3 "$WW_SRC/tests/integration/stix_validate.py" "$WW_SHARED/data/stix2-schemas/schemas" "$CT/s1.json" &&
        python3 "$WW_SRC/tests/integration/stix_validate.py" "$WW_SHARED/data/stix2-schemas/schemas" "$CT/s2.json"
    stix=$?
    [ $stix = 77 ] && echo "skip STIX validation: python3-jsonschema is not installed"
    [ $stix = 77 ] || check "both STIX bundles validate against the OASIS STIX 2.1 schemas" $stix
else
    echo "skip STIX validation: no ../shared/data/stix2-schemas"
fi
python3 - "$CT/s2.json" "$want" "$REF2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
types = [o["type"] for o in d["objects"]]
inc = [o for o in d["objects"] if o["type"] == "incident"][0]
assert inc["name"] == 'Phishing <b>wave</b> "Invoice"' and inc["x_wardwatch_reference"] == sys.argv[3]
assert inc["x_wardwatch_status"] == "contained" and inc["x_wardwatch_dspt_reference"] == "DSPT-2026-77"
assert inc["external_references"][0]["url"] == "https://console.test/incidents/" + sys.argv[3]
ident = [o for o in d["objects"] if o["type"] == "identity"]
assert any(o["name"] == "Northshire Test Hospitals NHS Trust" for o in ident)
files = [o for o in d["objects"] if o["type"] == "file"]
assert sys.argv[2] in [f["hashes"]["SHA-256"] for f in files]
assert "note" in types and "grouping" in types
PY
check "the STIX bundle: the incident with its properties, the trust, notes, evidence hashes" $?

# ---- the API ----
cpost analyst /api/v1/incidents -D "$CT/hdr" -o "$CT/a.json" -H 'Content-Type: application/json' \
    --data "{\"title\":\"Lost laptop\",\"severity\":\"low\",\"personal_data\":true,\"alerts\":[\"$A3\"]}"
REF3=$(tr -d '\r' <"$CT/hdr" | sed -n 's|^[Ll]ocation: /api/v1/incidents/\(INC-[0-9-]*\)$|\1|p')
grep -q '^HTTP/[0-9.]* 201' "$CT/hdr" && [ -n "$REF3" ] && grep -q "\"id\":\"$A3\"" "$CT/a.json"
check "POST /api/v1/incidents: 201, Location, the alert linked ($REF3)" $?
st=$(cpost analyst "/api/v1/incidents/$REF3" -o "$CT/a.json" -w '%{http_code}' -X PATCH \
    -H 'Content-Type: application/json' --data '{"status":"resolved","owner":"admin"}')
[ "$st" = 200 ] && grep -q '"status":"resolved"' "$CT/a.json" && grep -q '"owner":"admin"' "$CT/a.json"
check "PATCH changes status and owner ($st)" $?
st=$(cpost analyst "/api/v1/incidents/$REF3" -o "$CT/a.json" -w '%{http_code}' -X PATCH \
    -H 'Content-Type: application/json' --data '{"status":"finished"}')
[ "$st" = 400 ] && grep -q '"error":"status:' "$CT/a.json"
check "PATCH with an unknown status is 400 saying which field ($st)" $?
st=$(cpost analyst "/api/v1/incidents/$REF3" -o "$CT/a.json" -w '%{http_code}' -X PATCH \
    -H 'Content-Type: application/json' --data '{"personal_data":"yes"}')
[ "$st" = 400 ] && grep -q 'personal_data: must be true or false' "$CT/a.json"
check "PATCH with a wrongly typed value is 400 ($st)" $?
st=$(cpost analyst "/api/v1/incidents/$REF3/notes" -o "$CT/a.json" -w '%{http_code}' \
    -H 'Content-Type: application/json' --data '{"text":"Device wiped remotely"}')
[ "$st" = 201 ] && cget analyst "/api/v1/incidents/$REF3" | grep -q '"text":"Device wiped remotely"'
check "POST a note through the API ($st)" $?
cget analyst "/api/v1/incidents?status=active" -o "$CT/l.json"
python3 - "$CT/l.json" "$REF1" "$REF2" <<'PY'
import json, sys
refs = sorted(i["reference"] for i in json.load(open(sys.argv[1]))["incidents"])
assert refs == sorted(sys.argv[2:4]), refs
PY
check "the active list leaves the resolved one out" $?
[ "$(ccode analyst GET /api/v1/incidents/INC-1999-0001)" = 404 ]
check "an unknown incident is 404" $?
cget analyst "/incidents?status=resolved" | grep -q "$REF3"
check "the list page filters by status" $?

# ---- the audit log ----
cget admin /admin/audit.csv -o "$CT/audit.csv"
missing=""
for a in incident.create incident.escalate incident.note incident.status incident.evidence \
    incident.link-firebreak incident.edit incident.export.stix; do
    grep -q "$a" "$CT/audit.csv" || missing="$missing $a"
done
[ -z "$missing" ]
check "every change is in the audit log (missing:${missing:- none})" $?

# ---- in a real browser ----
console_browser analyst /incidents /incidents/new "/incidents/$REF1" "/incidents/$REF2"
rc=$?
[ $rc = 77 ] || check "headless Chromium with axe-core: the incident pages" $rc

console_stop
[ $fails = 0 ] || { echo "$fails failed"; exit 1; }
[ $stix = 77 ] && { echo "all else passed; skip: the STIX bundle could not be validated"; exit 77; }
echo "all passed"
