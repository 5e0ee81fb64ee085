#!/bin/sh
# The console inside `wardwatch serve`: signing in (password, TOTP for responders and
# admins, throttling), the session cookie's flags and its renewal at sign-in, a
# password that must be changed first, signing out, re-authentication, API tokens,
# the audit log, the overview, and who may reach which page; then the pages in
# headless Chromium with axe-core.
set -u
. "$WW_SRC/tests/integration/console_lib.sh"
command -v oathtool >/dev/null || { echo "skip: no oathtool (scripts/setup.sh installs it)"; exit 77; }

console_start
for r in viewer analyst responder admin; do console_user "$r" "$r" || exit 1; done

# ---- the front of the console ----
st=$(curl -sk -o "$CT/out" -w '%{http_code}' "$CU/")
[ "$st" = 401 ] && grep -q 'href="/login?next=/"' "$CT/out"
check "signed out, / is 401 with a link to sign in and back ($st)" $?
openssl s_client -connect "127.0.0.1:$CONSOLE_PORT" </dev/null 2>/dev/null |
    openssl x509 -noout -fingerprint -sha256 | sed 's/.*=//' >"$CT/fp"
grep -q "console: made a self-signed certificate .*SHA-256 $(cat "$CT/fp")" "$CONSOLE_LOG"
check "the log names the self-signed certificate's SHA-256 fingerprint" $?

# ---- signing in ----
jar="$CT/x.jar"
curl -sk -c "$jar" -b "$jar" "$CU/login" -o "$CT/login.html"
pre=$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$CT/login.html" | head -1)
st=$(curl -sk -c "$jar" -b "$jar" -H 'Sec-Fetch-Site: same-origin' -o "$CT/out" -w '%{http_code}' \
    --data-urlencode "csrf_token=$pre" --data-urlencode user=analyst \
    --data-urlencode password=wrong-password-here "$CU/login")
[ "$st" = 401 ] && grep -q "The name, password or code is not right" "$CT/out"
check "a wrong password: 401 and one message that says nothing of which part ($st)" $?
st=$(curl -sk -c "$jar" -b "$jar" -H 'Sec-Fetch-Site: same-origin' -o /dev/null -w '%{http_code}' \
    --data-urlencode user=analyst --data-urlencode "password=$(cat "$CT/analyst.pw")" "$CU/login")
[ "$st" = 403 ]
check "sign-in without the form's token is refused ($st)" $?
st=$(curl -sk -c "$jar" -b "$jar" -H 'Sec-Fetch-Site: cross-site' -o /dev/null -w '%{http_code}' \
    --data-urlencode "csrf_token=$pre" --data-urlencode user=analyst \
    --data-urlencode "password=$(cat "$CT/analyst.pw")" "$CU/login")
[ "$st" = 403 ]
check "sign-in posted from another site is refused ($st)" $?

# A cookie planted before sign-in (session fixation) never becomes the session.
printf '127.0.0.1\tFALSE\t/\tTRUE\t0\t__Host-ww_session\tplanted-by-attacker\n' >>"$jar"
curl -sk -c "$jar" -b "$jar" -D "$CT/hdr" -H 'Sec-Fetch-Site: same-origin' -o /dev/null \
    --data-urlencode "csrf_token=$pre" --data-urlencode user=analyst \
    --data-urlencode "password=$(cat "$CT/analyst.pw")" --data-urlencode "next=/admin/audit" \
    "$CU/login"
grep -i '^set-cookie: __Host-ww_session=' "$CT/hdr" >"$CT/sc"
grep -qi 'secure' "$CT/sc" && grep -qi 'httponly' "$CT/sc" && grep -qi 'samesite=strict' "$CT/sc" &&
    grep -qi 'path=/' "$CT/sc" && ! grep -qi 'domain=' "$CT/sc"
check "the session cookie is __Host-, Secure, HttpOnly, SameSite=Strict, Path=/" $?
! grep -q 'planted-by-attacker' "$CT/sc" && grep -qi '^location: /admin/audit' "$CT/hdr"
check "sign-in makes a new session id and goes back to where it was asked (next)" $?
curl -sk -c "$jar" -b "$jar" -D "$CT/hdr" -H 'Sec-Fetch-Site: same-origin' -o /dev/null \
    --data-urlencode "csrf_token=$pre" --data-urlencode user=analyst \
    --data-urlencode "password=$(cat "$CT/analyst.pw")" \
    --data-urlencode "next=//evil.example/x" "$CU/login"
tr -d '\r' <"$CT/hdr" | grep -qi '^location: /$'
check "next pointing at another site is not followed" $?

console_login analyst
check "the analyst signs in with a password" $?
cget analyst / -o "$CT/out"
grep -q '<h1>Overview</h1>' "$CT/out" && grep -q 'analyst (analyst)' "$CT/out" &&
    grep -q 'action="/logout"' "$CT/out"
check "the overview shows who is signed in and a sign-out form" $?

# Responders and admins need their TOTP code.
mv "$CT/responder.totp" "$CT/responder.totp.keep"
! console_login responder 2>/dev/null
check "a responder without a TOTP code cannot sign in" $?
mv "$CT/responder.totp.keep" "$CT/responder.totp"
console_login responder
check "a responder signs in with password and TOTP code" $?
console_login admin
check "an admin signs in with password and TOTP code" $?
console_login viewer
check "a viewer signs in" $?

# ---- who may reach what ----
# NAME: expected status for / /admin/audit /api/v1/whoami /api/v1/overview /reauth
matrix() {
    out=""
    for p in / /admin/audit /admin/audit.csv /api/v1/whoami /api/v1/overview /reauth; do
        out="$out $(ccode "$1" GET "$p")"
    done
    echo "$out"
}
for row in "viewer: 200 403 403 200 200 200" "analyst: 200 403 403 200 200 200" \
    "responder: 200 403 403 200 200 200" "admin: 200 200 200 200 200 200"; do
    who=${row%%:*}
    got=$(matrix "$who")
    [ "$got" = " ${row#*: }" ]
    check "role matrix $who:${row#*:} (got$got)" $?
done
st=$(curl -sk -o /dev/null -w '%{http_code}' "$CU/api/v1/whoami")
[ "$st" = 401 ]
check "the API without a session or token is 401 ($st)" $?
cget viewer /api/v1/whoami | grep -q '"user":"viewer","role":"viewer","token":false'
check "whoami says who the session is" $?

# ---- API tokens ----
"$WW" users --db "$CONSOLE_DB" tokens add ci --role analyst >"$CT/tok" 2>&1
TOKEN=$(grep -o 'ww_[A-Za-z0-9_-]*' "$CT/tok" | head -1)
curl -sk -H "Authorization: Bearer $TOKEN" "$CU/api/v1/whoami" | grep -q '"user":"token:ci","role":"analyst","token":true'
check "an API token is an analyst named token:ci" $?
st=$(curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$CU/admin/audit")
[ "$st" = 403 ]
check "the token's role limits it (admin page 403: $st)" $?
st=$(curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ww_notarealtoken000000000000000000000000000000000" "$CU/api/v1/whoami")
[ "$st" = 401 ]
check "a made-up token is 401 ($st)" $?
"$WW" users --db "$CONSOLE_DB" tokens revoke ci >/dev/null 2>&1
st=$(curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$CU/api/v1/whoami")
[ "$st" = 401 ]
check "a revoked token is 401 at once ($st)" $?

# ---- re-authentication ----
cget responder "/reauth?next=/" | grep -q 'name="next" value="/"'
check "the re-authentication page keeps where to go next" $?
st=$(cpost responder /reauth -o /dev/null -w '%{http_code}' --data-urlencode "password=$(cat "$CT/responder.pw")" \
    --data-urlencode "totp=000000" --data-urlencode "next=/")
[ "$st" = 401 ]
check "re-authentication with a wrong code is refused ($st)" $?
st=$(cpost responder /reauth -D "$CT/hdr" -o /dev/null -w '%{http_code}' \
    --data-urlencode "password=$(cat "$CT/responder.pw")" \
    --data-urlencode "totp=$(console_totp responder)" --data-urlencode "next=/firebreaks")
[ "$st" = 303 ] && grep -qi '^location: /firebreaks' "$CT/hdr"
check "re-authentication with password and code goes on ($st)" $?

# ---- a password set by an admin must be changed first ----
"$WW" users --db "$CONSOLE_DB" add temp --role analyst --no-qr >"$CT/temp.add" 2>&1
sed -n 's/^one-time password[^:]*: *//p' "$CT/temp.add" | head -1 | tr -d '\n' >"$CT/temp.pw"
[ -s "$CT/temp.pw" ] && console_login temp
check "a person with a one-time password signs in" $?
st=$(curl -sk -b "$CT/temp.jar" -D "$CT/hdr" -o /dev/null -w '%{http_code}' "$CU/")
[ "$st" = 303 ] && grep -qi '^location: /account/password' "$CT/hdr"
check "... and every page sends them to change it first ($st)" $?
st=$(cget temp /api/v1/overview -o /dev/null -w '%{http_code}')
[ "$st" = 403 ]
check "... the API too ($st)" $?
st=$(cpost temp /account/password -o "$CT/out" -w '%{http_code}' \
    --data-urlencode "old=$(cat "$CT/temp.pw")" --data-urlencode "new=short")
[ "$st" = 400 ] && grep -q 'nhsuk-error-summary' "$CT/out"
check "a new password the policy refuses is explained ($st)" $?
st=$(cpost temp /account/password -o /dev/null -w '%{http_code}' \
    --data-urlencode "old=$(cat "$CT/temp.pw")" --data-urlencode "new=a-brand-new-passphrase-for-temp")
[ "$st" = 303 ] && [ "$(ccode temp GET /)" = 200 ]
check "after the change the console opens ($st)" $?

# ---- people and tokens, by an admin in the console ----
st=$(cpost admin /admin/users -o "$CT/made.html" -w '%{http_code}' --data-urlencode name=carol \
    --data-urlencode "display=Carol <b>Duty</b> Manager" --data-urlencode role=responder)
PW=$(sed -n 's|.*One-time password</dt><dd class="nhsuk-summary-list__value"><code>\([^<]*\)</code>.*|\1|p' "$CT/made.html")
SECRET=$(grep -o 'secret=[A-Z2-7]*' "$CT/made.html" | head -1 | cut -d= -f2)
[ "$st" = 200 ] && [ -n "$PW" ] && [ -n "$SECRET" ] && grep -q '<svg class="ww-qr"' "$CT/made.html" &&
    grep -q 'Carol &lt;b&gt;Duty&lt;/b&gt; Manager' "$CT/made.html"
check "an admin adds a responder: one-time password, TOTP secret and its QR code shown once" $?
printf '%s' "$PW" >"$CT/carol.pw"
printf '%s' "$SECRET" >"$CT/carol.totp"
console_login carol; r=$?; c=$(ccode carol GET /); echo "  (login $r, / $c)"; [ $r = 0 ] && [ "$c" = 303 ]
check "... who signs in with them and must choose a password first" $?
cget admin /admin/users | grep -q 'must change password'
check "the people page shows that" $?
st=$(cpost admin /admin/users/disable/carol -o /dev/null -w '%{http_code}')
[ "$st" = 303 ] && [ "$(ccode carol GET /account/password)" = 401 ] && ! console_login carol 2>/dev/null
check "disabling a person ends their session and stops their sign-in ($st)" $?
st=$(cpost admin /admin/users/disable/admin -o /dev/null -w '%{http_code}')
[ "$st" = 400 ]
check "an admin cannot disable themselves ($st)" $?
st=$(cpost admin /admin/users -o /dev/null -w '%{http_code}' --data-urlencode name=viewer --data-urlencode role=viewer)
[ "$st" = 400 ]
check "a name already taken is refused ($st)" $?
cpost admin /admin/tokens -o "$CT/tok.html" --data-urlencode name=soar --data-urlencode role=responder
TOK=$(grep -o 'ww_[A-Za-z0-9_-]\{43\}' "$CT/tok.html" | head -1)
curl -sk -H "Authorization: Bearer $TOK" "$CU/api/v1/whoami" | grep -q '"user":"token:soar","role":"responder"'
check "an admin makes an API token in the console; it works" $?
st=$(cpost admin /admin/tokens -o /dev/null -w '%{http_code}' --data-urlencode name=root --data-urlencode role=admin)
[ "$st" = 400 ]
check "an admin token is refused ($st)" $?
cpost admin /admin/tokens/revoke/soar -o /dev/null
st=$(curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOK" "$CU/api/v1/whoami")
[ "$st" = 401 ]
check "revoked in the console, the token stops at once ($st)" $?
cget admin /admin/audit.csv | grep -q 'user.add.*carol' && cget admin /admin/audit.csv | grep -q 'token.revoke.*soar'
check "the admin's changes are in the audit log" $?

# ---- throttling ----
codes=""
for i in 1 2 3 4 5 6 7; do
    codes="$codes $(curl -sk -c "$jar" -b "$jar" -H 'Sec-Fetch-Site: same-origin' -o /dev/null \
        -w '%{http_code}' --data-urlencode "csrf_token=$pre" --data-urlencode user=viewer \
        --data-urlencode password=not-the-password-$i "$CU/login")"
done
echo "$codes" | grep -q 429
check "repeated wrong passwords are throttled with 429 ($codes)" $?
curl -sk -c "$jar" -b "$jar" -D "$CT/hdr" -H 'Sec-Fetch-Site: same-origin' -o /dev/null \
    --data-urlencode "csrf_token=$pre" --data-urlencode user=viewer \
    --data-urlencode "password=$(cat "$CT/viewer.pw")" "$CU/login"
grep -q '^HTTP/[0-9.]* 429' "$CT/hdr" && grep -qi '^retry-after: [0-9]' "$CT/hdr"
check "... even the right password waits, with Retry-After" $?

# ---- ingest health on the overview ----
python3 - "$SYSLOG_PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
for i in range(25):
    s.sendall(b"<38>Dec  3 10:00:%02d web01 sshd[1]: Connection closed by 10.0.0.%d port 22\n" % (i, i))
s.close()
PY
i=0
while ! cget analyst /api/v1/overview | grep -q '"accepted":25' && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
cget analyst /api/v1/overview | grep -q '"accepted":25'
check "the overview's ingest health counts the 25 lines sent" $?

# ---- the audit log ----
cget admin /admin/audit -o "$CT/audit.html"
grep -q 'login.success' "$CT/audit.html" && grep -q 'login.failure' "$CT/audit.html" &&
    grep -q 'whole chain checks out' "$CT/audit.html"
check "the admin sees sign-ins and failures in the audit log, its chain verified" $?
cget admin /admin/audit.csv -o "$CT/audit.csv"
head -1 "$CT/audit.csv" | grep -q '^seq,' && grep -q 'user.password' "$CT/audit.csv"
check "the audit log exports as CSV" $?

# ---- signing out ----
st=$(curl -sk -b "$CT/analyst.jar" -H 'Sec-Fetch-Site: same-origin' -o /dev/null -w '%{http_code}' \
    -X POST "$CU/logout")
[ "$st" = 403 ] && [ "$(ccode analyst GET /)" = 200 ]
check "sign-out without the CSRF token is refused and changes nothing ($st)" $?
cp "$CT/analyst.jar" "$CT/analyst.old"
st=$(cpost analyst /logout -D "$CT/hdr" -o /dev/null -w '%{http_code}' --data-urlencode "csrf_token=$(cat "$CT/analyst.csrf")")
[ "$st" = 303 ] && grep -qi '^set-cookie: __Host-ww_session=;' "$CT/hdr"
check "sign-out clears the cookie ($st)" $?
st=$(curl -sk -b "$CT/analyst.old" -o /dev/null -w '%{http_code}' "$CU/")
[ "$st" = 401 ]
check "the old session id no longer works after sign-out ($st)" $?

# ---- in a real browser ----
console_browser admin / /admin/audit /admin/users /account/password "/reauth?next=/"
rc=$?
[ $rc = 77 ] || check "headless Chromium with axe-core: the signed-in pages" $rc
console_browser "" /login
rc=$?
[ $rc = 77 ] || check "headless Chromium with axe-core: the sign-in page" $rc

# A reload cannot change the console (it starts with the server): the warning says so.
printf '  trust_name: Another Trust\n' >>"$CT/serve.yaml"
sed -i 's/^  threads: 2$/  threads: 3/' "$CT/serve.yaml"
kill -HUP "$CONSOLE_PID"
i=0
while ! grep -q "reload: .*: console changed; it needs a restart" "$CONSOLE_LOG" && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
grep -q "reload: .*: console changed; it needs a restart" "$CONSOLE_LOG" && [ "$(ccode admin GET /)" = 200 ]
check "a reload that changes the console says it needs a restart, and the console runs on" $?

console_stop
[ $fails = 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
