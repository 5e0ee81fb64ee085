#!/bin/sh
# The authorization matrix: every route the console serves (`wardwatch serve --routes`:
# its own and every module's), requested as anonymous and as each role.  A role below
# the route's is refused by the router (401 signed out, 403 too low) before any
# handler runs; a role at or above it is never refused by the router and never gets a
# server error, even with an empty or meaningless body.  Every route that changes
# state refuses a request without its CSRF token, for the most powerful role too.
set -u
. "$WW_SRC/tests/integration/console_lib.sh"
command -v oathtool >/dev/null || { echo "skip: no oathtool (scripts/setup.sh installs it)"; exit 77; }
"$WW" serve --routes >"$CT/routes" || exit 1
console_start
for r in viewer analyst responder admin; do
    console_user "$r" "$r" && console_login "$r" || exit 1
done
# The anonymous forms' token (the __Host-ww_pre double-submit cookie).
curl -sk -c "$CT/anon.jar" "$CU/login" -o "$CT/anon.login"
sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$CT/anon.login" | head -1 >"$CT/anon.csrf"
for who in anon viewer analyst responder admin; do
    sess=$(awk '$6 == "__Host-ww_session" {print $7}' "$CT/$who.jar" 2>/dev/null | tail -1)
    pre=$(awk '$6 == "__Host-ww_pre" {print $7}' "$CT/$who.jar" 2>/dev/null | tail -1)
    echo "$who ${sess:--} ${pre:--} $(cat "$CT/$who.csrf" 2>/dev/null || echo -)"
done >"$CT/who"
python3 - "$CT/routes" "$CT/who" "127.0.0.1" "$CONSOLE_PORT" <<'PY'
import http.client, ssl, sys
routes = [l.split() for l in open(sys.argv[1]) if l.strip()]
who = {}
for l in open(sys.argv[2]):
    name, sess, pre, csrf = l.split()
    who[name] = (None if sess == "-" else sess, None if pre == "-" else pre,
                 None if csrf == "-" else csrf)
host, port = sys.argv[3], int(sys.argv[4])
ctx = ssl._create_unverified_context()
rank = {"anonymous": 0, "viewer": 1, "analyst": 2, "responder": 3, "admin": 4}
order = ["anon", "viewer", "analyst", "responder", "admin"]
SIGN_IN = "Sign in to see this page"
TOO_LOW = "Your role does not allow this"
CSRF = "security token"
fails = checked = 0

def req(method, path, name, with_csrf=True):
    sess, pre, csrf = who[name]
    c = http.client.HTTPSConnection(host, port, context=ctx, timeout=30)
    h = {"Sec-Fetch-Site": "same-origin"}
    cookies = []
    if sess:
        cookies.append("__Host-ww_session=" + sess)
    if pre:
        cookies.append("__Host-ww_pre=" + pre)
    if cookies:
        h["Cookie"] = "; ".join(cookies)
    body = None
    if method not in ("GET", "HEAD"):
        tok = csrf or pre
        if with_csrf and tok:
            h["X-CSRF-Token"] = tok
        body = b""
        h["Content-Type"] = "application/x-www-form-urlencoded"
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    text = r.read().decode("utf-8", "replace")
    c.close()
    return r.status, text

def fail(msg):
    global fails
    fails += 1
    print("FAIL " + msg)

for method, pattern, role, *flags in routes:
    need = rank[role]
    path = "/".join("1" if s.startswith("{") else s for s in pattern.split("/")) or "/"
    for name in order:
        if pattern == "/logout" and name != "anon":
            continue  # signing out would end the session the rest needs
        have = 0 if name == "anon" else rank[name]
        st, text = req(method, path, name)
        checked += 1
        if need > 0 and name == "anon":
            if st != 401 or SIGN_IN not in text:
                fail("%s %s as anonymous: %d, not the router's 401" % (method, pattern, st))
        elif have < need:
            if st != 403 or TOO_LOW not in text:
                fail("%s %s as %s: %d, not the router's 403" % (method, pattern, name, st))
        else:
            if st >= 500 or (st in (401, 403) and (SIGN_IN in text or TOO_LOW in text or CSRF in text)):
                fail("%s %s as %s (allowed): %d %s" % (method, pattern, name, st, text[:160]))
    if flags and flags[0] == "csrf":
        name = "admin" if need > 0 else "anon"
        st, text = req(method, path, name, with_csrf=False)
        checked += 1
        if st != 403 or CSRF not in text:
            fail("%s %s without its CSRF token: %d, not refused" % (method, pattern, st))
print("%s authorization matrix: %d routes, %d requests, %d wrong" %
      ("ok  " if not fails else "FAIL", len(routes), checked, fails))
sys.exit(1 if fails else 0)
PY
check "the authorization matrix over every route" $?
console_stop
[ $fails = 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
