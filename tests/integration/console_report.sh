#!/bin/sh
# The front door for staff in `wardwatch serve`: /report without signing in (the device
# filled in from the register for a registered address, each kind of concern getting
# its own advice with the trust's configured contacts), the report stored as an alert
# with the device's recent alerts, an uploaded .eml parsed (attachment SHA-256 equal to
# sha256sum's, links with their real targets, its sender found in an earlier alert),
# hostile email values escaped on the analyst's page, the CSRF token, the rate limit
# and the upload cap; the JSON twin for kiosks; /help and the passphrase generator
# (without its word list, then with it); then the pages in headless Chromium with
# axe-core.
#
# Each report is sent from its own loopback address (curl --interface 127.0.x.y), so the
# per-address limit is tested only where meant.
set -u
. "$WW_SRC/tests/integration/console_lib.sh"
command -v sha256sum >/dev/null || { echo "skip: no sha256sum"; exit 77; }
E="$WW_SRC/tests/data/eml"

# ---- a register with the reporter's computer, and the trust's contacts ----
mkdir -p "$CT/state"
printf 'asset_id,hostname,ip,type,owner,segment\nA-0007,ward7-pc01,127.0.0.5,workstation,Ward 7,clinical-ws\n' \
    >"$CT/reg.csv"
"$WW" assets --db "$CT/state/wardwatch.db" import "$CT/reg.csv" >/dev/null 2>&1
check "the register is imported" $?
CONSOLE_KEYS='  contacts:
    service_desk: "the IT service desk on 01632 960000 (24 hours)"
    phishing_address: "report.phishing@northshire.example.nhs.uk"
    csoc_phone: "0300 303 5222"'
# The passphrase generator's word list: missing at first (the page must say so), put in
# place later (the generator must pick it up without a restart).
export WW_WORDLIST="$CT/words"
console_start
console_user ana analyst || exit 1
console_user vic viewer || exit 1
console_login ana || exit 1
console_login vic || exit 1

# An alert on the computer before it is reported (its event names the phishing
# sender, so the email's sender is found in it later): a rule for that line, added by
# editing serve's config and reloading it (SIGHUP).
cat >"$CT/rules.yml" <<'YML'
title: Phishing sender seen in a log
id: 3f1b2c4d-0000-4000-8000-00000000e0e1
logsource: {product: linux}
detection:
  keywords: ['support@nhs-support.example.net']
  condition: keywords
level: medium
YML
sed -i "s|^  sigmahq: false|  sigmahq: false\n  paths: [\"$CT/rules.yml\"]|" "$CT/serve.yaml"
kill -HUP "$CONSOLE_PID"
i=0
while ! grep -q "reloaded:" "$CONSOLE_LOG" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
grep -q "reloaded:" "$CONSOLE_LOG"
check "serve reloads with a rule for the test" $?
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
python3 - "$SYSLOG_PORT" "$now" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
line = ("<38>1 %s ward7-pc01 mailrelay 4242 - - rejected mail from "
        "support@nhs-support.example.net to ward7.nurse@nhs.net\n" % sys.argv[2])
s.sendall(line.encode())
s.close()
EOF
i=0
while [ $i -lt 100 ]; do
    "$WW" alerts --db "$CONSOLE_DB" --format ndjson --host ward7-pc01 >"$CT/pre.ndjson" 2>/dev/null
    [ -s "$CT/pre.ndjson" ] && break
    sleep 0.1
    i=$((i + 1))
done
pre_id=$(sed -n 's/^{"id":"\([0-9a-f]*\)".*/\1/p' "$CT/pre.ndjson" | head -1)
[ -n "$pre_id" ]
check "an alert on ward7-pc01 is stored first ($pre_id)" $?

# report ADDR FIELDS...: the form's token for ADDR, then a POST as from ADDR; the final
# page (after the redirect) in $CT/page, the status codes in $CT/codes.
report() {
    addr=$1
    shift
    jar="$CT/anon-$addr.jar"
    curl -sk --interface "$addr" -c "$jar" -b "$jar" "$CU/report" -o "$CT/form.html"
    tok=$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$CT/form.html" | head -1)
    curl -sk --interface "$addr" -c "$jar" -b "$jar" -L -H 'Sec-Fetch-Site: same-origin' \
        -F "csrf_token=$tok" "$@" -o "$CT/page" -w '%{http_code}' "$CU/report" >"$CT/codes"
}
main_text() { sed -n '/<main/,/<\/main>/p' "$CT/page"; }

# ---- the form ----
curl -sk --interface 127.0.0.5 -D "$CT/h" -o "$CT/f5.html" "$CU/report"
grep -q '^HTTP/1.1 200' "$CT/h" && grep -q 'id="device" name="device"[^>]*value="ward7-pc01"' "$CT/f5.html"
check "/report needs no sign-in and fills in the device registered at the asking address" $?
curl -sk --interface 127.0.0.1 -o "$CT/f1.html" "$CU/report"
grep -q 'id="device"' "$CT/f1.html" && ! grep -q 'id="device"[^>]*value=' "$CT/f1.html"
check "... and leaves it empty for an address the register does not know" $?
grep -q 'enctype="multipart/form-data"' "$CT/f5.html" && grep -q 'type="file"' "$CT/f5.html" &&
    grep -q 'name="what" type="radio" value="email"' "$CT/f5.html" && ! grep -q '<script>' "$CT/f5.html"
check "the form has the questions, a file field, and no inline script" $?

# ---- CSRF ----
st=$(curl -sk -o /dev/null -w '%{http_code}' -H 'Sec-Fetch-Site: same-origin' -F what=other "$CU/report")
st2=$(curl -sk -o /dev/null -w '%{http_code}' -H 'Sec-Fetch-Site: same-origin' \
    -b "__Host-ww_pre=$(printf 'a%.0s' $(seq 64))" -F what=other "$CU/report")
tok=$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$CT/f1.html" | head -1)
st3=$(curl -sk -o /dev/null -w '%{http_code}' -H 'Sec-Fetch-Site: cross-site' \
    -b "__Host-ww_pre=$tok" -F "csrf_token=$tok" -F what=other "$CU/report")
[ "$st" = 403 ] && [ "$st2" = 403 ] && [ "$st3" = 403 ]
check "a report without the form's token, with a cookie but no token, or cross-site: 403 ($st $st2 $st3)" $?

# ---- each kind of concern gets its own advice ----
report 127.0.1.1 -F what=email -F did=no
main_text >"$CT/a1"
[ "$(cat "$CT/codes")" = 200 ] && grep -q "Your report has been sent" "$CT/a1" &&
    grep -q "Forward the email as an attachment to <strong>report.phishing@northshire.example.nhs.uk</strong>" "$CT/a1" &&
    grep -q "Do not click any links or open any attachments" "$CT/a1" &&
    grep -q "nhsuk-card--care--non-urgent" "$CT/a1" && ! grep -q "Change your password now" "$CT/a1"
check "a suspicious email, nothing clicked: forward it to the configured address (not urgent)" $?
report 127.0.1.2 -F what=clicked -F did=password
main_text >"$CT/a2"
grep -q "Change your password now. Do it from another computer or your phone" "$CT/a2" &&
    grep -q "If you use the same password for anything else" "$CT/a2" &&
    grep -q "nhsuk-card--care--urgent" "$CT/a2" &&
    grep -q "Call <strong>the IT service desk on 01632 960000 (24 hours)</strong> now" "$CT/a2"
check "a typed password: change it now from another device, call the desk (urgent)" $?
report 127.0.1.3 -F what=computer -F did=unsure
main_text >"$CT/a3"
grep -q "Leave the computer switched on" "$CT/a3" && grep -q "Unplug its network cable" "$CT/a3" &&
    grep -q "nhsuk-card--care--urgent" "$CT/a3" && ! grep -q "Forward the email" "$CT/a3"
check "a computer acting strangely: leave it on, unplug its network cable" $?
report 127.0.1.4 -F what=lost
main_text >"$CT/a4"
grep -q "so they can lock the device" "$CT/a4" && grep -q "Information Governance" "$CT/a4"
check "a lost device: call the desk so they can lock it" $?
report 127.0.1.5 -F what=other -F did=no
main_text >"$CT/a5"
grep -q "You do not need to do anything else" "$CT/a5" &&
    grep -q "Cyber Security Operations Centre on <strong>0300 303 5222</strong>" "$CT/a5"
check "something else: reassurance, and the CSOC's number for out of hours" $?
report 127.0.1.6 -F what=email -F did=attachment
main_text >"$CT/a6"
grep -q "Leave the computer switched on" "$CT/a6" && grep -q "Forward the email as an attachment" "$CT/a6" &&
    ! grep -q "Do not click any links" "$CT/a6"
check "an email whose attachment was opened: unplug the computer, and forward the email" $?
ref=$(sed -n 's/.*Your reference is<br><strong>\([0-9a-f]\{8\}\)<.*/\1/p' "$CT/a6")
[ -n "$ref" ]
check "the advice page gives a reference ($ref)" $?

# ---- refused answers ----
report 127.0.1.7 -F did=no
[ "$(cat "$CT/codes")" = 400 ] && grep -q "nhsuk-error-summary" "$CT/page" && grep -q 'href="#what"' "$CT/page" &&
    grep -q "Select what happened" "$CT/page"
check "no answer to 'what happened': the form again with an error linked to the question" $?
report 127.0.1.7 -F what=bogus
[ "$(cat "$CT/codes")" = 400 ]
check "an answer that is not one of the choices: 400" $?
long=$(head -c 2100 /dev/zero | tr '\0' x)
report 127.0.1.7 -F what=other -F "details=$long"
[ "$(cat "$CT/codes")" = 400 ] && grep -q "2000 characters or fewer" "$CT/page"
check "a description over 2000 characters: 400 with the limit" $?

# ---- the report from the registered computer, with a password typed ----
report 127.0.0.5 -F what=clicked -F did=password -F "name=Sam <b>Nurse</b>" -F "contact=x4521"
"$WW" alerts --db "$CONSOLE_DB" --format ndjson --rule wardwatch.staff-report >"$CT/reports.ndjson"
grep '"src_ip":"127.0.0.5"' "$CT/reports.ndjson" | grep '"what":"clicked"' >"$CT/r5"
[ "$(wc -l <"$CT/r5")" = 1 ] && grep -q '"rule":"Staff report: clicked a link or typed a password"' "$CT/r5" &&
    grep -q '"level":"high"' "$CT/r5" && grep -q '"host":"ward7-pc01"' "$CT/r5" &&
    grep -q '"source":"console /report"' "$CT/r5" && grep -q '"asset":"A-0007"' "$CT/r5" &&
    grep -q '"reporter_name":"Sam <b>Nurse</b>","reporter_contact":"x4521"' "$CT/r5"
check "the report is an alert: its own rule, level high for a typed password, the device as host, the reporter" $?
grep -q "\"device_recent_alerts_count\":1,\"device_recent_alerts\":\[{\"id\":\"$pre_id\"" "$CT/r5" &&
    grep -q '"title":"Phishing sender seen in a log"' "$CT/r5"
check "... with the device's alert of the last 24 hours attached" $?
[ "$(grep -c '"rule_id":"wardwatch.staff-report"' "$CT/reports.ndjson")" = 7 ]
check "every accepted report is stored once (7), the refused ones not at all" $?
grep '"what":"email"' "$CT/reports.ndjson" | grep -q '"level":"low"' &&
    grep '"what":"computer"' "$CT/reports.ndjson" | grep -q '"level":"high"'
check "a suspicious email with nothing clicked is low, a strange computer high" $?
"$WW" users --db "$CONSOLE_DB" log --format ndjson >"$CT/audit.ndjson" 2>&1
[ "$(grep -c '"report.create"' "$CT/audit.ndjson")" = 7 ] && grep '"report.create"' "$CT/audit.ndjson" |
    grep -q '127.0.0.5'
check "each report is in the audit log" $?

# ---- an uploaded email ----
report 127.0.2.1 -F what=email -F did=link -F device=ward7-pc01 -F "eml=@$E/quota-phish.eml"
[ "$(cat "$CT/codes")" = 200 ] && grep -q "Your report has been sent" "$CT/page"
check "a report with an .eml upload is accepted" $?
"$WW" alerts --db "$CONSOLE_DB" --format ndjson --rule wardwatch.staff-report >"$CT/reports.ndjson"
grep '"src_ip":"127.0.2.1"' "$CT/reports.ndjson" >"$CT/re"
att=$(sha256sum "$E/invoice-attachment.bin" | cut -d' ' -f1)
emlsum=$(sha256sum "$E/quota-phish.eml" | cut -d' ' -f1)
grep -q "\"name\":\"Invoice № 42.pdf\",\"type\":\"application/pdf\",\"size\":$(wc -c <"$E/invoice-attachment.bin"),\"sha256\":\"$att\"" "$CT/re"
check "the attachment's SHA-256 is sha256sum's ($att)" $?
grep -q '"from_address":"support@nhs-support.example.net"' "$CT/re" &&
    grep -q '"reply_to_address":"helpdesk.quota@freemail.example.org"' "$CT/re" &&
    grep -q '"subject":"Action required: mailbox quota exceeded – 24 hours"' "$CT/re" &&
    grep -q '"spf":"fail","dkim":"none","dmarc":"fail"' "$CT/re" &&
    grep -q '"url":"https://nhsmail-quota.example.net/login?u=ward7&t=1","host":"nhsmail-quota.example.net","text":"https://portal.nhs.net/quota","shown_host":"portal.nhs.net","mismatch":true' "$CT/re"
check "its sender, reply-to, subject, stated verdicts and the link whose text shows another site" $?
grep -q "\"email_seen_in_alerts\":\[{\"kind\":\"sender_address\",\"value\":\"support@nhs-support.example.net\",\"alerts_total\":1,\"alerts\":\[{\"id\":\"$pre_id\"" "$CT/re"
check "its sender is found in the earlier alert" $?
cmp -s "$CONSOLE_STATE/reports/$emlsum.eml" "$E/quota-phish.eml" &&
    [ "$(stat -c %a "$CONSOLE_STATE/reports")" = 700 ]
check "the .eml is kept as reports/<its SHA-256>.eml in a private folder" $?
rid=$(sed -n 's/^{"id":"\([0-9a-f]*\)".*/\1/p' "$CT/re")
grep -q "\"email_page\":\"/reports/$rid/email\"" "$CT/re"
check "the alert names the analyst's page for the email" $?

report 127.0.2.2 -F what=email -F did=no -F "eml=@$E/quota-phish.eml"
"$WW" alerts --db "$CONSOLE_DB" --format ndjson --rule wardwatch.staff-report |
    grep '"src_ip":"127.0.2.2"' >"$CT/re2"
grep -q "{\"kind\":\"attachment_sha256\",\"value\":\"$att\",\"alerts_total\":1,\"alerts\":\[{\"id\":\"$rid\",\"title\":\"Staff report: a suspicious email\"}" "$CT/re2"
check "a second report of the same email finds the first by its attachment's hash" $?

# The analyst's page for the email.
cget ana "/reports/$rid/email" -o "$CT/email.html" -w '%{http_code}' >"$CT/c"
[ "$(cat "$CT/c")" = 200 ] && grep -q "Action required: mailbox quota exceeded" "$CT/email.html" &&
    grep -q "<code>https://nhsmail-quota.example.net/login?u=ward7&amp;t=1</code>" "$CT/email.html" &&
    grep -q "text shows portal.nhs.net, goes elsewhere" "$CT/email.html" &&
    grep -q "SHA-256 <code>$att</code>" "$CT/email.html" &&
    grep -q "another domain than the sender" "$CT/email.html" &&
    grep -q "SPF fail" "$CT/email.html" && grep -q "198.51.100.23" "$CT/email.html" &&
    ! grep -q 'href="https://nhsmail-quota' "$CT/email.html"
check "the analyst's page: headers, verdicts, hops, links with real targets as text, hashes" $?
[ "$(ccode vic GET "/reports/$rid/email")" = 403 ] &&
    [ "$(curl -sk -o /dev/null -w '%{http_code}' "$CU/reports/$rid/email")" = 401 ] &&
    [ "$(ccode ana GET "/reports/00000000000000000000000000000000/email")" = 404 ] &&
    [ "$(ccode ana GET "/reports/zz/email")" = 404 ]
check "a viewer may not see it (403), nobody signed out (401); an unknown id is 404" $?
cget ana "/api/v1/reports/$rid/email" -o "$CT/email.json" -w '%{http_code}' >"$CT/c"
[ "$(cat "$CT/c")" = 200 ] && python3 - "$CT/email.json" "$att" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["email"]["attachments"][0]["sha256"] == sys.argv[2]
assert d["email"]["from_domain"] == "nhs-support.example.net"
assert any(s["kind"] == "sender_address" for s in d["seen_in_alerts"])
EOF
check "its JSON twin /api/v1/reports/{id}/email" $?

# ---- a hostile email ----
report 127.0.2.3 -F what=email -F "eml=@$E/hostile.eml"
hid=$("$WW" alerts --db "$CONSOLE_DB" --format ndjson --rule wardwatch.staff-report |
    grep '"src_ip":"127.0.2.3"' | sed -n 's/^{"id":"\([0-9a-f]*\)".*/\1/p')
cget ana "/reports/$hid/email" -o "$CT/hostile.html"
! grep -qi "<script>alert" "$CT/hostile.html" && ! grep -q "<img src=x" "$CT/hostile.html" &&
    ! grep -q "<svg" "$CT/hostile.html" && ! grep -qi 'href="javascript:' "$CT/hostile.html" &&
    ! grep -qi 'href="data:' "$CT/hostile.html" &&
    grep -q "&lt;script&gt;alert(&#39;subject&#39;)&lt;/script&gt;" "$CT/hostile.html" &&
    grep -q "&lt;img src=x onerror=alert(6)&gt;.exe" "$CT/hostile.html" &&
    grep -q "<code>javascript:alert(&#39;href&#39;)</code>" "$CT/hostile.html"
check "a hostile email's values are escaped on the analyst's page, its links never clickable" $?

# ---- an email whose summary is larger than an alert keeps ----
python3 - "$CT/links.eml" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("From: many@links.example\nSubject: many links\nContent-Type: text/html\n\n")
    for i in range(300):
        f.write('<a href="https://l%d.links.example/%s">link %d</a>\n' % (i, "a" * 1500, i))
PY
report 127.0.2.6 -F what=email -F "eml=@$CT/links.eml"
lid=$("$WW" alerts --db "$CONSOLE_DB" --format ndjson --rule wardwatch.staff-report |
    grep '"src_ip":"127.0.2.6"' | tee "$CT/rl" | sed -n 's/^{"id":"\([0-9a-f]*\)".*/\1/p')
grep -q '"email_note":"the email' "$CT/rl" && grep -q '"device_recent_alerts"' "$CT/rl" &&
    [ "$(cget ana "/reports/$lid/email" | grep -c 'links.example/aaaa')" = 300 ]
check "an email too large to summarise in the alert: the alert says so, its page lists all 300 links" $?

# ---- not an email, too big ----
head -c 3000 /dev/urandom >"$CT/noise.eml"
report 127.0.2.4 -F what=email -F "eml=@$CT/noise.eml"
[ "$(cat "$CT/codes")" = 200 ] &&
    "$WW" alerts --db "$CONSOLE_DB" --format ndjson --rule wardwatch.staff-report |
    grep '"src_ip":"127.0.2.4"' | grep -q '"email_error":"line 1: '
check "a file that is not an email: the report is kept, with why the file could not be read" $?
head -c $((10 * 1024 * 1024 + 1)) /dev/zero >"$CT/big.eml"
report 127.0.2.5 -F what=email -F "eml=@$CT/big.eml"
[ "$(cat "$CT/codes")" = 400 ] && grep -q "bigger than 10 MB" "$CT/page" &&
    grep -q "report.phishing@northshire.example.nhs.uk" "$CT/page"
check "an email file over 10 MB: refused kindly, with where to forward it instead" $?

# ---- the rate limit ----
ok=0
for n in 1 2 3 4 5; do
    report 127.0.3.1 -F what=other
    [ "$(cat "$CT/codes")" = 200 ] && ok=$((ok + 1))
done
report 127.0.3.1 -F what=other
[ $ok = 5 ] && [ "$(cat "$CT/codes")" = 429 ] &&
    grep -q "You have sent several reports already" "$CT/page" &&
    grep -q "the IT service desk on 01632 960000" "$CT/page"
check "five reports an hour from one address; the sixth is refused kindly (429) with the phone number" $?
report 127.0.3.2 -F what=other
[ "$(cat "$CT/codes")" = 200 ]
check "... while another address can still report" $?

# ---- the JSON twin, for a kiosk ----
jar="$CT/kiosk.jar"
curl -sk --interface 127.0.4.1 -c "$jar" -b "$jar" "$CU/report" -o "$CT/kf.html"
ktok=$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$CT/kf.html" | head -1)
kpost() {
    curl -sk --interface 127.0.4.1 -b "$jar" -H 'Sec-Fetch-Site: same-origin' \
        -H 'Content-Type: application/json' "$@" -w ' %{http_code}' "$CU/api/v1/reports"
}
kpost -H "X-CSRF-Token: $ktok" -d '{"what":"clicked","did":"password","device":"ward9-pc02","name":null}' \
    >"$CT/k1"
python3 - "$CT/k1" <<'PY'
import json, sys
body, code = open(sys.argv[1]).read().rsplit(" ", 1)
assert code == "201", code
d = json.loads(body)
assert d["level"] == "high" and len(d["reference"]) == 8 and len(d["id"]) == 32, d
assert d["advice"]["urgent"] is True
assert d["advice"]["steps"][0].startswith("Change your password now."), d
assert any("the IT service desk on 01632 960000 (24 hours)" in s for s in d["advice"]["steps"])
assert "0300 303 5222" in d["advice"]["out_of_hours"]
PY
check "POST /api/v1/reports: 201 with the reference, the level and the advice as text" $?
kid=$(sed -n 's/^{"id":"\([0-9a-f]*\)".*/\1/p' "$CT/k1")
"$WW" alerts --db "$CONSOLE_DB" --format ndjson --rule wardwatch.staff-report | grep -q "\"id\":\"$kid\".*\"host\":\"ward9-pc02\""
check "... stored like a form's report" $?
[ "$(kpost -d '{"what":"other"}' | tail -c 3)" = 403 ]
check "... refused without the form's token (403)" $?
r1=$(kpost -H "X-CSRF-Token: $ktok" -d '{"what":"nope"}')
r2=$(kpost -H "X-CSRF-Token: $ktok" -d '{"what":"other","details":42}')
[ "$r1" = '{"error":"Select what happened","field":"what"}
 400' ] && [ "${r2##* }" = 400 ]
check "... a wrong answer or a value that is not a string: 400 naming the field" $?

# ---- /help ----
for p in /help /help/restart /help/reporting /help/passphrase; do
    [ "$(curl -sk -o /dev/null -w '%{http_code}' "$CU$p")" = 200 ] || echo "  $p"
done | grep -q . && r=1 || r=0
check "/help and its pages need no sign-in" $r
curl -sk "$CU/help" | grep -q "three random words" &&
    curl -sk "$CU/help/restart" | grep -q "at least once a week" &&
    curl -sk "$CU/help/reporting" | grep -q "report.phishing@northshire.example.nhs.uk"
check "the advice: three random words, restart weekly, report fast (with the configured address)" $?
curl -sk -o "$CT/nw.html" -w '%{http_code}' "$CU/help/passphrase" >"$CT/c"
[ "$(cat "$CT/c")" = 200 ] && grep -q "The word generator is not available" "$CT/nw.html" &&
    grep -q "wbritish" "$CT/nw.html" && ! grep -q 'id="passphrase"' "$CT/nw.html"
check "without its word list the generator says so (200, no crash)" $?
if [ -f /usr/share/dict/british-english ]; then
    cp /usr/share/dict/british-english "$CT/words"
else # a list of made-up words, enough to test with (scripts/setup.sh installs wbritish)
    python3 -c "
import itertools
for t in itertools.islice(itertools.product('bdfklmnprst', 'aeiou', 'bdfklmnprst', 'aeiou', 'nst'), 3000):
    print(''.join(t))" >"$CT/words"
    printf "Capital\nit's\nab\nwayTooLongWord\n" >>"$CT/words"
fi
words() { curl -sk "$CU/help/passphrase$1" | sed -n 's/.*id="passphrase">\([^<]*\)<.*/\1/p'; }
w1=$(words "") w2=$(words "") w4=$(words "?words=4")
echo "  passphrases: '$w1' '$w2' '$w4'"
bad=0
for w in $w1 $w2 $w4; do
    echo "$w" | grep -qx '[a-z]\{4,8\}' || bad=1
    grep -qx "$w" "$CT/words" || bad=1
done
[ "$(echo "$w1" | wc -w)" = 3 ] && [ "$(echo "$w4" | wc -w)" = 4 ] && [ "$w1" != "$w2" ] && [ $bad = 0 ]
check "once the list is there (no restart), three or four words of 4-8 letters from it, new each time" $?
curl -sk "$CU/help/passphrase" | grep -q '<form method="get" action="/help/passphrase">'
check "'show me other words' is a plain form (no JavaScript)" $?

# ---- in a real browser ----
thanks="/report/thanks?ref=$ref&what=clicked&did=password"
console_browser "" /report "$thanks" "/report/thanks?what=email&did=no" /help /help/passphrase \
    /help/restart /help/reporting
r=$?
[ $r = 77 ] || check "headless Chromium + axe-core: the staff pages" $r
if [ $r != 77 ]; then
    console_browser ana "/reports/$rid/email" "/reports/$hid/email"
    check "headless Chromium + axe-core: the analyst's email pages (the hostile one runs nothing)" $?
    if [ -n "${WW_DOCS_IMG:-}" ]; then
        /usr/bin/python3 "$WW_SRC/tests/integration/console_screens.py" "$CU" "$WW_DOCS_IMG" \
            /report=report-a-concern.png "$thanks=report-advice.png"
    fi
fi

console_stop

[ $fails = 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
