#!/bin/sh
# The console's triage against a real `wardwatch serve`: alerts raised from syslog lines
# sent to its input are listed in groups (rule x host) and singly, with filters; the
# alert page shows the event (hostile values as text), the rule, related alerts and the
# fire-break link; bulk actions by form and API change status and history, refuse a
# missing reason and a missing CSRF token; viewers see nothing of triage; a suppression
# made in the console stops a new matching event from alerting (counted as a hit)
# while an unrelated one still alerts, and removing it lets the next one alert again;
# the pages pass axe-core in headless Chromium (skipped, saying why, without it).
set -u
. "$WW_SRC/tests/integration/console_lib.sh"

RULE=aaaaaaaa-0000-4000-8000-000000000001
mkdir -p "$CT/rules"
cat >"$CT/rules/test.yml" <<EOF
title: Test SSH failed password
id: $RULE
description: A password was refused by sshd (a test rule).
references:
  - https://attack.mitre.org/techniques/T1110/001/
logsource:
  product: linux
  service: sshd
detection:
  selection:
    outcome: failure
    auth_method: password
  condition: selection
level: high
tags:
  - attack.credential_access
  - attack.t1110.001
EOF
CONSOLE_RULES="  pack: false
  paths:
    - $CT/rules"
console_start
console_user ann analyst >/dev/null
console_user vera viewer >/dev/null
console_login ann && console_login vera
check "an analyst and a viewer sign in" $?

# Sends sshd "Failed password" lines: HOST USER pairs.
send() {
    python3 - "$SYSLOG_PORT" "$@" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
args = sys.argv[2:]
for i in range(0, len(args), 2):
    line = "<38>Dec  3 10:00:%02d %s sshd[1]: Failed password for invalid user %s from 203.0.113.9 port 4242 ssh2\n" % (i // 2, args[i], args[i + 1])
    s.sendall(line.encode())
s.close()
PY
}
# The number of alerts stored (all statuses), from the API.
nalerts() {
    cget ann "/api/v1/alerts?status=all&view=alerts&limit=1" |
        sed -n 's/.*"total_alerts":\([0-9]*\).*/\1/p'
}
wait_alerts() { # wait_alerts N
    i=0
    while [ "$(nalerts)" != "$1" ] && [ $i -lt 200 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    [ "$(nalerts)" = "$1" ]
}
json() { # json EXPR < body: evaluates EXPR with j the parsed body
    python3 -c 'import json,sys; j=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

HOSTILE='<script>alert(1)</script>'
send web01 root web01 admin web01 "$HOSTILE" db01 oracle
wait_alerts 4
check "four alerts stored from four lines" $?

# ---- who may see triage ----
codes="$(ccode vera GET /alerts) $(ccode vera GET /api/v1/alerts) $(ccode vera GET /suppressions)"
[ "$codes" = "403 403 403" ]
check "a viewer sees nothing of triage ($codes)" $?
st=$(curl -sk -o /dev/null -w '%{http_code}' "$CU/api/v1/alerts")
[ "$st" = 401 ]
check "signed out, the API answers 401 ($st)" $?

# ---- groups and filters ----
cget ann "/api/v1/alerts" >"$CT/groups.json"
[ "$(json 'j["total_groups"], j["total_alerts"], [(g["host"], g["count"]) for g in j["groups"]]' <"$CT/groups.json")" = "(2, 4, [('web01', 3), ('db01', 1)])" ] ||
    [ "$(json 'j["total_groups"], j["total_alerts"], sorted((g["host"], g["count"]) for g in j["groups"])' <"$CT/groups.json")" = "(2, 4, [('db01', 1), ('web01', 3)])" ]
check "two groups, rule x host, with their counts" $?
[ "$(json 'j["groups"][0]["techniques"], j["groups"][0]["level"]' <"$CT/groups.json")" = "('T1110.001', 'high')" ]
check "a group carries its ATT&CK techniques and level" $?
[ "$(cget ann '/api/v1/alerts?host=WEB*' | json 'j["total_groups"]')" = 1 ]
check "host filter: a pattern, any case" $?
[ "$(cget ann '/api/v1/alerts?technique=T1110' | json 'j["total_groups"]')" = 2 ] &&
    [ "$(cget ann '/api/v1/alerts?technique=T1003' | json 'j["total_groups"]')" = 0 ]
check "technique filter keeps sub-techniques, drops others" $?
[ "$(cget ann '/api/v1/alerts?priority=P1&level=critical' | json 'j["total_groups"]')" = 0 ] &&
    [ "$(cget ann '/api/v1/alerts?rule=failed+password&level=high' | json 'j["total_groups"]')" = 2 ]
check "level, priority and rule filters" $?
st=$(ccode ann GET '/api/v1/alerts?technique=T1110%25')
st2=$(ccode ann GET '/alerts?since=yesterday')
[ "$st" = 400 ] && [ "$st2" = 400 ] &&
    cget ann '/alerts?since=yesterday' | grep -q 'nhsuk-error-summary'
check "a bad filter is a 400 saying why ($st, $st2)" $?

cget ann /alerts >"$CT/alerts.html"
grep -q 'name="group"' "$CT/alerts.html" && grep -q 'web01' "$CT/alerts.html" &&
    grep -q 'value="acknowledge"' "$CT/alerts.html" && grep -q 'name="csrf_token"' "$CT/alerts.html"
check "/alerts lists the groups with checkboxes and the bulk actions" $?
cget ann "/alerts?view=alerts&status=all" >"$CT/flat.html"
grep -q 'formaction="/incidents/escalate"' "$CT/flat.html" && grep -q 'name="alert"' "$CT/flat.html"
check "the alert list's escalate button posts the selected ids to /incidents/escalate" $?
! grep -q '<script>alert' "$CT/flat.html" && ! grep -q '<script>alert' "$CT/alerts.html"
check "a hostile user name is never markup in the lists" $?

# ---- one alert ----
ID=$(cget ann "/api/v1/alerts?view=alerts&host=web01&status=all" |
    json '[a["id"] for a in j["alerts"] if a["user"] == "'"$HOSTILE"'"][0]')
cget ann "/alerts/$ID" >"$CT/alert.html"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$CT/alert.html" && ! grep -q '<script>alert' "$CT/alert.html"
check "the alert page shows the hostile value as text" $?
grep -q 'href="/firebreaks/plan?host=web01"' "$CT/alert.html"
check "the alert page links to planning a fire-break for its host" $?
grep -q 'A password was refused by sshd' "$CT/alert.html" &&
    grep -q 'https://attack.mitre.org/techniques/T1110/001/' "$CT/alert.html"
check "the alert page shows the rule's description and references" $?
grep -q 'auth_method' "$CT/alert.html"
check "the alert page shows the event's fields" $?
cget ann "/api/v1/alerts/$ID" >"$CT/alert.json"
[ "$(json 'sorted(r["host"] for r in j["related"]), j["status"], j["host"]' <"$CT/alert.json")" = "(['db01', 'web01', 'web01'], 'new', 'web01')" ]
check "related alerts: the other two on web01 and db01's from the same address" $?
[ "$(ccode ann GET /alerts/0123456789abcdef)" = 404 ] && [ "$(ccode ann GET /api/v1/alerts/nope)" = 404 ]
check "an unknown alert is a 404" $?

# ---- bulk actions ----
G="${#RULE}:${RULE}web01"
st=$(cpost ann /alerts/actions -o "$CT/r.html" -w '%{http_code}' --data-urlencode "csrf_token=$(cat "$CT/ann.csrf")" \
    --data-urlencode action=acknowledge --data-urlencode "group=$G")
[ "$st" = 400 ] && grep -q 'a reason is required' "$CT/r.html"
check "acknowledge without a reason is refused, saying why ($st)" $?
st=$(curl -sk -b "$CT/ann.jar" -H 'Sec-Fetch-Site: same-origin' -o /dev/null -w '%{http_code}' \
    --data-urlencode action=close --data-urlencode "group=$G" "$CU/alerts/actions")
[ "$st" = 403 ] && [ "$(cget ann '/api/v1/alerts?host=web01' | json 'j["groups"][0]["by_status"]["new"]')" = 3 ]
check "a bulk action without the CSRF token is refused and changes nothing ($st)" $?
st=$(cpost ann /alerts/actions -D "$CT/hdr" -o /dev/null -w '%{http_code}' \
    --data-urlencode "csrf_token=$(cat "$CT/ann.csrf")" --data-urlencode action=acknowledge \
    --data-urlencode "group=$G" --data-urlencode "reason=looking into it" \
    --data-urlencode "back=host=web01")
[ "$st" = 303 ] && grep -qi '^location: /alerts?host=web01&done=acknowledge&changed=3' "$CT/hdr"
check "acknowledging a group by form changes its three alerts ($st)" $?
[ "$(cget ann '/api/v1/alerts?host=web01' | json 'j["groups"][0]["by_status"]["acknowledged"]')" = 3 ]
check "... and the group list follows" $?
cpost ann /api/v1/alerts/actions -H 'Content-Type: application/json' \
    -d "{\"action\":\"close-false-positive\",\"alerts\":[\"$ID\",\"no-such-alert\"],\"reason\":\"test account\"}" >"$CT/act.json"
[ "$(json 'j["changed"], j["unknown"]' <"$CT/act.json")" = "(1, 1)" ]
check "closing one alert as a false positive through the API" $?
cget ann "/api/v1/alerts/$ID" | json '[(h["action"], h["actor"], h["reason"]) for h in j["history"]]' >"$CT/hist"
grep -q "('acknowledge', 'ann', 'looking into it'), ('close-false-positive', 'ann', 'test account')" "$CT/hist"
check "the alert's history says who did what and why" $?
[ "$(cget ann '/api/v1/alerts?host=web01' | json 'j["groups"][0]["count"]')" = 2 ]
check "the open list no longer counts the closed alert" $?
st=$(cpost ann /api/v1/alerts/actions -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -d '{"action":"assign","groups":[{"rule_id":"x"}]}')
[ "$st" = 400 ]
check "a malformed API action is a 400 ($st)" $?

# ---- suppressions, applied by the engine ----
st=$(cpost ann /suppressions -o "$CT/r.html" -w '%{http_code}' --data-urlencode "csrf_token=$(cat "$CT/ann.csrf")" \
    --data-urlencode "rule_id=$RULE" --data-urlencode reason=x --data-urlencode expires_days=1)
[ "$st" = 400 ] && grep -q 'host, a user or a field value' "$CT/r.html"
check "a suppression of a whole rule is refused, saying why ($st)" $?
st=$(cpost ann /suppressions -o /dev/null -w '%{http_code}' --data-urlencode "csrf_token=$(cat "$CT/ann.csrf")" \
    --data-urlencode "rule_id=$RULE" --data-urlencode host=web01 \
    --data-urlencode "reason=pen test this week" --data-urlencode expires_days=1)
[ "$st" = 303 ]
check "a suppression of the rule on web01 is made in the console ($st)" $?
cget ann /suppressions >"$CT/supp.html"
grep -q 'pen test this week' "$CT/supp.html" && grep -q 'Remove' "$CT/supp.html"
check "/suppressions lists it, with who, why and a remove button" $?
before=$(nalerts)
send web01 root db01 oracle
wait_alerts $((before + 1))
check "after the suppression: db01's new event still alerts" $?
cget ann /api/v1/suppressions >"$CT/s.json"
[ "$(json '[(s["host"], s["hits"], s["live"]) for s in j["suppressions"]]' <"$CT/s.json")" = "[('web01', 1, True)]" ]
check "... web01's does not: counted on the suppression" $?
[ "$(cget ann "/api/v1/alerts?view=alerts&host=web01&status=all" | json 'j["total_alerts"]')" = 3 ]
check "... and web01 has no new alert" $?
SID=$(json 'j["suppressions"][0]["id"]' <"$CT/s.json")
st=$(cpost ann "/suppressions/$SID/delete" -o /dev/null -w '%{http_code}' --data-urlencode "csrf_token=$(cat "$CT/ann.csrf")")
[ "$st" = 303 ] && [ "$(cget ann /api/v1/suppressions | json 'len(j["suppressions"])')" = 0 ]
check "removing the suppression ($st)" $?
before=$(nalerts)
send web01 root
wait_alerts $((before + 1))
check "... and web01's next event alerts again" $?

# The API twins: a suppression by user, with a time, then deleted.
cpost ann /api/v1/suppressions -H 'Content-Type: application/json' \
    -d "{\"rule_id\":\"$RULE\",\"user\":\"oracle\",\"reason\":\"service account\",\"expires_in_days\":7}" >"$CT/s1.json"
S1=$(json 'j["id"]' <"$CT/s1.json")
[ "$(json 'j["user"], j["created_by"], j["live"]' <"$CT/s1.json")" = "('oracle', 'ann', True)" ]
check "POST /api/v1/suppressions makes one scoped by user" $?
users_db01() {
    cget ann "/api/v1/alerts?view=alerts&host=db01&status=all" | json 'sorted(a["user"] for a in j["alerts"])'
}
before=$(nalerts)
send db01 oracle db01 scott
wait_alerts $((before + 1))
[ "$(users_db01)" = "['oracle', 'oracle', 'scott']" ]
check "... the engine honours it: oracle's event is suppressed, scott's alerts" $?
st=$(ccode ann DELETE "/api/v1/suppressions/$S1")
st2=$(ccode ann DELETE "/api/v1/suppressions/$S1")
[ "$st" = 200 ] && [ "$st2" = 404 ]
check "DELETE /api/v1/suppressions/{id} ($st, then $st2)" $?

# ---- the same from the terminal (wardwatch alerts ...), on the store serve uses ----
"$WW" alerts suppress --db "$CONSOLE_DB" --rule "$RULE" --host db01 --reason "cli test" \
    --days 2 >"$CT/cli.out" 2>&1 &&
    "$WW" alerts suppressions --db "$CONSOLE_DB" | grep -q 'cli test'
check "wardwatch alerts suppress and suppressions" $?
before=$(nalerts)
send db01 scott web01 root
wait_alerts $((before + 1))
cget ann /api/v1/suppressions >"$CT/s2.json"
[ "$(json '[(s["host"], s["hits"], s["created_by"][:4]) for s in j["suppressions"]]' <"$CT/s2.json")" = "[('db01', 1, 'cli:')]" ]
check "... serve honours a suppression made from the terminal too" $?
S2=$(json 'j["suppressions"][0]["id"]' <"$CT/s2.json")
"$WW" alerts unsuppress --db "$CONSOLE_DB" "$S2" && [ "$(cget ann /api/v1/suppressions | json 'len(j["suppressions"])')" = 0 ]
check "wardwatch alerts unsuppress" $?
NEWID=$(cget ann "/api/v1/alerts?view=alerts&status=new&host=web01&limit=1" | json 'j["alerts"][0]["id"]')
! "$WW" alerts ack --db "$CONSOLE_DB" "$NEWID" 2>"$CT/cli.err" && grep -q 'a reason is required' "$CT/cli.err"
check "wardwatch alerts ack without a reason is refused, saying why" $?
"$WW" alerts ack --db "$CONSOLE_DB" --reason "from the terminal" "$NEWID" >/dev/null &&
    [ "$(cget ann "/api/v1/alerts/$NEWID" | json 'j["status"], j["history"][-1]["reason"]')" = "('acknowledged', 'from the terminal')" ]
check "wardwatch alerts ack" $?

# ---- the pages in a browser ----
console_browser ann /alerts "/alerts?view=alerts&status=all" "/alerts/$ID" /suppressions
rc=$?
[ $rc = 77 ] || check "the triage pages pass axe-core in headless Chromium" $rc

console_stop
[ $fails = 0 ]
