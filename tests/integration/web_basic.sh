#!/bin/sh
# The console's HTTP layer (lib/web) from outside, with curl, openssl and a small
# Python TLS client against tests/integration/web_server.c (stub sessions, one per
# role): the self-signed certificate and its names, TLS versions, security headers,
# cookie flags, CSRF and Sec-Fetch-Site refusals, 401/403 by role, path traversal,
# size limits (413/414/431), slow clients cut off, uploads hashed, hostile values
# escaped; then, when chromium, chromedriver, python3-selenium and npm are present,
# the same pages in headless Chromium: nothing hostile runs, and axe-core finds no
# serious or critical accessibility violation.
set -u
SRV=${WW_WEB_SERVER:?}
SRC=${WW_SRC:?}
for t in curl openssl python3; do
    command -v "$t" >/dev/null || { echo "skip: no $t"; exit 77; }
done
T=$(mktemp -d)
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for p in $PIDS; do wait "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT
fails=0
check() { # check NAME RESULT
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}

# start NAME ARGS...: runs a server with state in $T/NAME; sets PORT and U.
start() {
    name=$1
    shift
    mkdir -p "$T/$name" "$T/$name/tmp"
    rm -f "$T/$name/info"
    "$SRV" --state "$T/$name" --tmp "$T/$name/tmp" --info "$T/$name/info" "$@" \
        >"$T/$name/log" 2>&1 &
    PIDS="$PIDS $!"
    i=0
    while [ ! -s "$T/$name/info" ] && [ $i -lt 300 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    PORT=$(awk '/^port/ {print $2}' "$T/$name/info" 2>/dev/null)
    U="https://127.0.0.1:$PORT"
    [ -n "$PORT" ] || { echo "server $name did not start:"; cat "$T/$name/log"; exit 1; }
}

code() { curl -sk -o /dev/null -w '%{http_code}' "$@"; }
A="__Host-ww_session=sess-analyst"
ACSRF="csrf-analyst-0123456789abcdef"

start main --names --idle 2 --request-timeout 3 --max-file 100000
S="$T/main"
MAIN_U=$U
MAIN_PID=$(echo $PIDS | awk '{print $NF}')

# ---- TLS and the self-signed certificate ----
[ "$(awk '/^generated/ {print $2}' "$S/info")" = 1 ] && [ -s "$S/console-cert.pem" ]
check "first start generates a certificate in the state folder" $?
[ "$(stat -c %a "$S/console-key.pem")" = 600 ]
check "the private key is mode 0600" $?
fp=$(openssl x509 -in "$S/console-cert.pem" -noout -fingerprint -sha256 | sed 's/.*=//')
[ -n "$fp" ] && [ "$(awk '/^fingerprint/ {print $2}' "$S/info")" = "$fp" ] &&
    grep -q "SHA-256 $fp" "$S/log"
check "the SHA-256 fingerprint reported is the certificate's ($fp)" $?
openssl x509 -in "$S/console-cert.pem" -noout -ext subjectAltName >"$T/san" 2>&1
grep -q "DNS:localhost" "$T/san" && grep -q "IP Address:127.0.0.1" "$T/san" &&
    grep -q "IP Address:0:0:0:0:0:0:0:1" "$T/san" &&
    grep -q "DNS:console.example.nhs.uk" "$T/san" && grep -q "IP Address:10.1.2.3" "$T/san"
check "SANs: localhost, 127.0.0.1, ::1 and the configured names" $?
openssl x509 -in "$S/console-cert.pem" -noout -text >"$T/crt"
grep -q "id-ecPublicKey" "$T/crt" && grep -q "prime256v1\|P-256" "$T/crt" &&
    grep -q "CA:FALSE" "$T/crt" && grep -q "TLS Web Server Authentication" "$T/crt"
check "an ECDSA P-256 server certificate, not a CA" $?
days=$(python3 - "$S/console-cert.pem" <<'EOF'
import subprocess, sys
from datetime import datetime
out = subprocess.run(["openssl", "x509", "-in", sys.argv[1], "-noout", "-startdate", "-enddate"],
                     capture_output=True, text=True).stdout
d = dict(l.split("=", 1) for l in out.strip().splitlines())
f = "%b %d %H:%M:%S %Y %Z"
span = datetime.strptime(" ".join(d["notAfter"].split()), f) - datetime.strptime(" ".join(d["notBefore"].split()), f)
print(round(span.total_seconds() / 86400))
EOF
)
[ "$days" = 825 ]
check "valid for 825 days (from an hour back): $days" $?
[ "$(curl -s --cacert "$S/console-cert.pem" -o /dev/null -w '%{http_code}' \
    "https://localhost:$PORT/report")" = 200 ]
check "curl verifies the certificate for https://localhost" $?
[ "$(curl -s --cacert "$S/console-cert.pem" -o /dev/null -w '%{http_code}' \
    --resolve "console.example.nhs.uk:$PORT:127.0.0.1" \
    "https://console.example.nhs.uk:$PORT/report")" = 200 ]
check "... and for a configured name" $?
! curl -sk --tlsv1.1 --tls-max 1.1 -o /dev/null "$U/report" 2>/dev/null
check "TLS 1.1 is refused" $?
! curl -s -o /dev/null "http://127.0.0.1:$PORT/report" 2>/dev/null ||
    [ "$(code "http://127.0.0.1:$PORT/report")" != 200 ]
check "plain HTTP on the TLS port gets no page" $?

# ---- security headers ----
hdrs_ok() { # hdrs_ok FILE CACHE-CONTROL
    grep -qi "^Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'" "$1" &&
        grep -qi "^Strict-Transport-Security: max-age=" "$1" &&
        grep -qi "^X-Content-Type-Options: nosniff" "$1" &&
        grep -qi "^Referrer-Policy: no-referrer" "$1" &&
        grep -qi "^Permissions-Policy: camera=()" "$1" &&
        grep -qi "^X-Frame-Options: DENY" "$1" &&
        grep -qi "^Cache-Control: $2" "$1"
}
curl -sk -D "$T/h1" -o /dev/null "$U/report"
hdrs_ok "$T/h1" "no-store"
check "security headers on a public page (no-store)" $?
curl -sk -D "$T/h2" -o /dev/null -b "$A" "$U/hostile"
hdrs_ok "$T/h2" "no-store"
check "... on a signed-in page" $?
curl -sk -D "$T/h3" -o /dev/null "$U/nowhere"
hdrs_ok "$T/h3" "no-store" && grep -q "^HTTP/1.1 404" "$T/h3"
check "... on a 404" $?
curl -sk -D "$T/h4" -o /dev/null "$U/"
hdrs_ok "$T/h4" "no-store" && grep -q "^HTTP/1.1 401" "$T/h4"
check "... on a 401" $?
curl -sk -D "$T/h5" -o "$T/css" "$U/assets/nhsuk-frontend/nhsuk-frontend.min.css"
hdrs_ok "$T/h5" "no-cache" && grep -qi "^Content-Type: text/css" "$T/h5" &&
    grep -qi '^ETag: "[0-9a-f]*"' "$T/h5"
check "... on an asset (text/css, ETag, revalidated)" $?
etag=$(sed -n 's/^[Ee][Tt]ag: *\("[0-9a-f]*"\).*/\1/p' "$T/h5")
[ "$(code -H "If-None-Match: $etag" "$U/assets/nhsuk-frontend/nhsuk-frontend.min.css")" = 304 ]
check "If-None-Match with the ETag: 304" $?
curl -sk -D "$T/h6" -o /dev/null "$U/assets/wardwatch.js"
grep -qi "^Content-Type: text/javascript" "$T/h6"
check "JavaScript served as text/javascript" $?
[ "$(code "$U/assets/nhsuk-frontend/LICENSE")" = 404 ] && [ "$(code "$U/assets/nope.css")" = 404 ]
check "only asset files of known types are served" $?
! grep -q "https\?://" "$T/css" && ! grep -q "@font-face" "$T/css"
check "the design system's CSS names no other host and loads no font" $?

# ---- cookies and the sign-in form ----
curl -sk -D "$T/l1" -o "$T/login.html" "$U/login"
grep -qi '^Set-Cookie: __Host-ww_pre=[0-9a-f]\{64\}; Path=/; Secure; HttpOnly; SameSite=Strict' "$T/l1"
check "the sign-in form sets __Host-ww_pre with Path=/, Secure, HttpOnly, SameSite=Strict" $?
pre=$(sed -n 's/^[Ss]et-[Cc]ookie: __Host-ww_pre=\([0-9a-f]*\);.*/\1/p' "$T/l1")
grep -q "name=\"csrf_token\" value=\"$pre\"" "$T/login.html"
check "the form carries the same token" $?
curl -sk -D "$T/l2" -o /dev/null -b "__Host-ww_pre=$pre" -H "Sec-Fetch-Site: same-origin" \
    -d "csrf_token=$pre&user=ann" "$U/login"
grep -q "^HTTP/1.1 303" "$T/l2" &&
    grep -qi '^Set-Cookie: __Host-ww_session=sess-analyst; Path=/; Secure; HttpOnly; SameSite=Strict' "$T/l2"
check "signing in sets __Host-ww_session with every flag" $?
[ "$(code -b "__Host-ww_pre=$pre" -H "Sec-Fetch-Site: same-origin" -d "user=ann" "$U/login")" = 403 ] &&
    [ "$(code -H "Sec-Fetch-Site: same-origin" -d "csrf_token=$pre&user=ann" "$U/login")" = 403 ] &&
    [ "$(code -b "__Host-ww_pre=$pre" -H "Sec-Fetch-Site: cross-site" -d "csrf_token=$pre&user=ann" "$U/login")" = 403 ]
check "sign-in without the token, without the cookie, or cross-site: 403" $?

# ---- CSRF and Sec-Fetch-Site on state changes ----
post() { code -b "$A" -X POST "$@" "$U/items"; }
SO="Sec-Fetch-Site: same-origin"
[ "$(post -H "$SO" -d "csrf_token=$ACSRF")" = 200 ]
check "right token, same-origin: 200" $?
[ "$(post -H "$SO" -d "x=1")" = 403 ]
check "no token: 403" $?
[ "$(post -H "$SO" -d "csrf_token=csrf-analyst-0123456789abcdeX")" = 403 ] &&
    [ "$(post -H "$SO" -d "csrf_token=csrf-viewer-0123456789abcdef")" = 403 ] &&
    [ "$(post -H "$SO" -d "csrf_token=")" = 403 ]
check "wrong token (one byte off, another session's, empty): 403" $?
[ "$(post -H "Sec-Fetch-Site: cross-site" -d "csrf_token=$ACSRF")" = 403 ] &&
    [ "$(post -H "Sec-Fetch-Site: same-site" -d "csrf_token=$ACSRF")" = 403 ]
check "right token but Sec-Fetch-Site cross-site or same-site: 403" $?
[ "$(post -d "csrf_token=$ACSRF")" = 403 ] &&
    [ "$(post -H "Origin: https://evil.example" -d "csrf_token=$ACSRF")" = 403 ] &&
    [ "$(post -H "Origin: null" -d "csrf_token=$ACSRF")" = 403 ] &&
    [ "$(post -H "$SO" -H "Origin: https://evil.example" -d "csrf_token=$ACSRF")" = 403 ]
check "no Sec-Fetch-Site and no Origin, or a foreign Origin: 403" $?
[ "$(post -H "Origin: https://127.0.0.1:$PORT" -d "csrf_token=$ACSRF")" = 200 ] &&
    [ "$(post -H "Sec-Fetch-Site: none" -d "csrf_token=$ACSRF")" = 200 ] &&
    [ "$(post -H "$SO" -H "X-CSRF-Token: $ACSRF" -d "x=1")" = 200 ]
check "matching Origin, Sec-Fetch-Site none, token in X-CSRF-Token: 200" $?
j=$(curl -sk -b "$A" -H "$SO" -H "X-CSRF-Token: $ACSRF" -H "Content-Type: application/json" \
    -d '{"name":"ward \u0031"}' -w ' %{http_code}' "$U/api/v1/items")
[ "$j" = '{"created":"ward 1"}
 201' ]
check "JSON API with the session and X-CSRF-Token: 201" $?
[ "$(code -b "$A" -H "$SO" -H "Content-Type: application/json" -d '{"name":"x"}' "$U/api/v1/items")" = 403 ]
check "JSON API with the session but no token: 403" $?
[ "$(code -H "Authorization: Bearer tok-analyst" -H "Content-Type: application/json" -d '{"name":"x"}' "$U/api/v1/items")" = 201 ]
check "JSON API with an API token needs no CSRF token (no ambient credential)" $?
curl -sk -D "$T/a1" -o "$T/a1.json" -H "Authorization: Bearer nope" "$U/api/v1/whoami"
grep -q "^HTTP/1.1 401" "$T/a1" && grep -qi "^Content-Type: application/json" "$T/a1" &&
    grep -q '"error"' "$T/a1.json"
check "a wrong API token: 401 as JSON" $?
[ "$(code -b "$A" -H "$SO" -H "Content-Type: application/json" -H "X-CSRF-Token: $ACSRF" -d '{"name":1}x' "$U/api/v1/items")" = 400 ]
check "malformed JSON: 400" $?

# ---- roles ----
curl -sk -D "$T/r1" -o "$T/r1.html" "$U/hostile"
grep -q "^HTTP/1.1 401" "$T/r1" && grep -q 'href="/login?next=/hostile"' "$T/r1.html"
check "anonymous on a page: 401 with a sign-in link back to it" $?
curl -sk -D "$T/r2" -o "$T/r2.json" "$U/api/v1/whoami"
grep -q "^HTTP/1.1 401" "$T/r2" && grep -qi "^Content-Type: application/json" "$T/r2" &&
    grep -qi "^WWW-Authenticate: Bearer" "$T/r2"
check "anonymous on the API: 401 JSON with WWW-Authenticate" $?
[ "$(code -b "__Host-ww_session=sess-viewer" -H "$SO" -d "csrf_token=csrf-viewer-0123456789abcdef" "$U/items")" = 403 ] &&
    [ "$(code -b "$A" -H "$SO" -d "csrf_token=$ACSRF" "$U/admin/settings")" = 403 ] &&
    [ "$(code -b "__Host-ww_session=sess-admin" -H "$SO" -d "csrf_token=csrf-admin-0123456789abcdef" "$U/admin/settings")" = 200 ]
check "viewer cannot change, analyst cannot administer (403), admin can" $?
[ "$(code -b "__Host-ww_session=sess-forged" "$U/")" = 401 ]
check "an unknown session cookie: 401" $?
curl -sk -D "$T/r3" -o /dev/null -b "__Host-ww_session=sess-expired" "$U/"
grep -q "^HTTP/1.1 401" "$T/r3" && grep -qi "^Set-Cookie: __Host-ww_session=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0" "$T/r3"
check "an expired session: 401 and the cookie cleared" $?
curl -sk -D "$T/r4" -o /dev/null -X DELETE -b "$A" "$U/items"
grep -q "^HTTP/1.1 405" "$T/r4" && grep -qi "^Allow: POST" "$T/r4"
check "a method the path does not take: 405 with Allow" $?

# ---- paths ----
bad=0
for p in "/a/../report" "/a/%2e%2e/report" "/assets/%2e%2e/%2e%2e/etc/passwd" "/assets/..%2fx" \
    "/a%00b" "/a/%c0%ae%c0%ae/b" "/a%5c..%5cb" "/a/%ff" "/./report" "/a/%2E/b"; do
    curl -sk --path-as-is -o "$T/p.out" -w '%{http_code}' "$U$p" >"$T/p.code"
    if [ "$(cat "$T/p.code")" != 400 ] || grep -q "root:" "$T/p.out"; then
        echo "  $p -> $(cat "$T/p.code")"
        bad=1
    fi
done
[ $bad = 0 ]
check "dot segments (plain, encoded), encoded NUL, slash and backslash, overlong UTF-8: 400" $?
[ "$(code -b "$A" "$U//items//x%20y/")" = 200 ] &&
    curl -sk -b "$A" "$U/items/%3Cb%3E" | grep -q "Item <span class=\"ww-value\">&lt;b&gt;</span>"
check "empty segments and a trailing slash normalise; a {param} is decoded and escaped" $?

# ---- sizes ----
head -c 2000000 /dev/zero | tr '\0' a >"$T/big"
[ "$(code -b "$A" -H "$SO" -H "Content-Type: application/x-www-form-urlencoded" --data-binary @"$T/big" "$U/items")" = 413 ]
check "a 2 MB form (declared length): 413" $?
[ "$(code -b "$A" -H "$SO" -H "Content-Type: application/x-www-form-urlencoded" -H "Transfer-Encoding: chunked" --data-binary @"$T/big" "$U/items")" = 413 ]
check "a 2 MB form, chunked: 413" $?
[ "$(code -d "x=1" "$U/items")" = 401 ]
check "anonymous with a body: refused (401) before the body is read" $?
python3 - "$PORT" >"$T/raw.out" <<'EOF'
import socket, ssl, sys
port = int(sys.argv[1])
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
def status(req):
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost")
    s.settimeout(30)
    s.sendall(req)
    out = b""
    try:
        while b"\r\n" not in out:
            d = s.recv(4096)
            if not d:
                break
            out += d
    except OSError:
        pass
    s.close()
    return out.split(b"\r\n")[0].decode(errors="replace")
print("hdr20k", status(b"GET /report HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n"))
print("hdr200k", status(b"GET /report HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200000 + b"\r\n\r\n"))
print("many", status(b"GET /report HTTP/1.1\r\nHost: x\r\n" + b"X-A: 1\r\n" * 150 + b"\r\n"))
print("uri5k", status(b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"))
print("cookies", status(b"GET /report HTTP/1.1\r\nHost: x\r\nCookie: " + b"; ".join(b"c%d=1" % i for i in range(80)) + b"\r\n\r\n"))
EOF
grep -q "^hdr20k HTTP/1.1 431" "$T/raw.out" && grep -q "^hdr200k HTTP/1.1 431" "$T/raw.out" &&
    grep -q "^many HTTP/1.1 431" "$T/raw.out" && grep -q "^uri5k HTTP/1.1 414" "$T/raw.out" &&
    grep -q "^cookies HTTP/1.1 431" "$T/raw.out"
check "headers 20 KB and 200 KB, 150 header lines, 80 cookies: 431; a 5 KB target: 414" $?
[ $? = 0 ] || cat "$T/raw.out"

# ---- uploads ----
head -c 54321 /dev/urandom >"$T/evidence.bin"
sum=$(sha256sum "$T/evidence.bin" | cut -d' ' -f1)
curl -sk -b "$A" -H "$SO" -F "csrf_token=$ACSRF" -F "note=seen on ward 3" \
    -F "file=@$T/evidence.bin;filename=../../etc/evil.bin" -o "$T/up.json" -w '%{http_code}' \
    "$U/upload" >"$T/up.code"
[ "$(cat "$T/up.code")" = 200 ] &&
    grep -q "\"name\":\"evil.bin\",\"size\":54321,\"sha256\":\"$sum\"" "$T/up.json" &&
    grep -q '"note":"seen on ward 3"' "$T/up.json"
check "multipart upload: size and SHA-256 as sha256sum says, the client's path dropped" $?
[ -z "$(ls -A "$S/tmp")" ]
check "the temporary upload file is gone after the request" $?
head -c 100001 /dev/zero >"$T/toolarge.bin"
st=$(code -b "$A" -H "$SO" -F "csrf_token=$ACSRF" -F "file=@$T/toolarge.bin" "$U/upload")
# The partial upload is removed when the server finishes the request, which can be a
# moment after the 413 reached the client: wait for it (at most 5 s).
i=0
while [ -n "$(ls -A "$S/tmp")" ] && [ $i -lt 50 ]; do
    sleep 0.1
    i=$((i + 1))
done
[ "$st" = 413 ] && [ -z "$(ls -A "$S/tmp")" ]
check "a file over max_file: 413, and nothing left behind ($st)" $?
[ "$(code -b "$A" -H "$SO" -F "file=@$T/evidence.bin" "$U/upload")" = 403 ]
check "an upload without the CSRF token: 403" $?

# ---- slow clients ----
python3 - "$PORT" >"$T/slow.out" <<'EOF'
import socket, ssl, sys, time
port = int(sys.argv[1])
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
def conn():
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost")
    s.settimeout(60)
    return s
# Silent after the handshake: the idle timeout (2 s here) closes the connection.
s = conn()
try:
    print("idle", "closed" if s.recv(100) == b"" else "answered")
except OSError as e:
    print("idle", "closed" if "EOF" in str(e) or "reset" in str(e) else "error " + str(e))
# Headers, then the body a byte every 0.5 s: the request deadline (3 s) cuts it off
# long before its 100 bytes are sent.
s = conn()
s.sendall(b"POST /items HTTP/1.1\r\nHost: x\r\nCookie: __Host-ww_session=sess-analyst\r\n"
          b"Sec-Fetch-Site: same-origin\r\nContent-Type: application/x-www-form-urlencoded\r\n"
          b"Content-Length: 100\r\n\r\n")
sent, cut = 0, False
s.settimeout(0.5)
while sent < 100:
    try:
        s.sendall(b"a")
        sent += 1
        d = s.recv(100)
        if d == b"" or d:
            cut = True
            break
    except socket.timeout:
        continue
    except (OSError, ssl.SSLError):
        cut = True
        break
print("trickle", "cut" if cut and sent < 100 else "not cut", sent)
EOF
grep -q "^idle closed" "$T/slow.out" && grep -q "^trickle cut" "$T/slow.out"
check "a silent client and a trickling body are cut off" $?
[ $? = 0 ] || cat "$T/slow.out"

# ---- hostile values ----
curl -sk -b "__Host-ww_session=sess-hostile" -o "$T/host.html" \
    "$U/hostile?v=%3Csvg%20onload%3Dalert(1)%3E%22%27%60"
! grep -q "<script>document" "$T/host.html" && ! grep -q "<svg" "$T/host.html" &&
    ! grep -q "<img src=x" "$T/host.html" && ! grep -qi 'href="javascript:' "$T/host.html" &&
    ! grep -q "onmouseover='" "$T/host.html" &&
    grep -q "&lt;script&gt;document.title=&#39;pwned-text&#39;&lt;/script&gt;" "$T/host.html" &&
    grep -q "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img" "$T/host.html" &&
    grep -q "&lt;svg onload=alert(1)&gt;&quot;&#39;&#96;" "$T/host.html"
check "hostile values and user names are escaped in text and attributes; javascript: links dropped" $?
python3 - "$T/host.html" <<'EOF'
import sys
b = open(sys.argv[1], "rb").read()
b.decode("utf-8")  # raises when any invalid byte got through
assert "bad utf-8: \ufffd\ufffd \ufffd\ufffd \ufffd\ufffd\ufffd end" in b.decode(), "replacement"
assert "control: \ufffd\ufffd[31m\ufffd end" in b.decode(), "control bytes"
EOF
check "invalid UTF-8 and control bytes show as U+FFFD; the page is valid UTF-8" $?

# ---- configuration refused ----
"$SRV" --state "$T/main" --info "$T/x" --plain --listen 0.0.0.0 >"$T/plain.log" 2>&1
[ $? = 1 ] && grep -q "loopback" "$T/plain.log"
check "plain HTTP on a non-loopback address is refused" $?

# ---- make install ships the assets with the licence ----
if command -v cmake >/dev/null; then
    BUILD=$(dirname "$(dirname "$SRV")")
    DESTDIR="$T/stage" cmake --install "$BUILD" --prefix /usr >"$T/install.log" 2>&1
    I="$T/stage/usr/share/wardwatch/web/assets"
    [ -f "$I/nhsuk-frontend/LICENSE" ] && [ -f "$I/nhsuk-frontend/VENDORED.md" ] &&
        cmp -s "$I/nhsuk-frontend/nhsuk-frontend.min.css" "$T/css" && [ -f "$I/wardwatch.css" ] &&
        [ -f "$I/wardwatch.js" ] && [ -f "$I/nhsuk-frontend/images/nhsuk-icon-cross.svg" ]
    check "make install puts the assets (as served), the licence and its note in share/wardwatch/web" $?
fi

# ---- a restart keeps the certificate ----
start again --names
[ "$(awk '/^generated/ {print $2}' "$T/again/info")" = 1 ]
cp "$T/again/console-cert.pem" "$T/again/keep.pem"
last=$(echo $PIDS | awk '{print $NF}')
kill "$last"
wait "$last" 2>/dev/null
start again --names
[ "$(awk '/^generated/ {print $2}' "$T/again/info")" = 0 ] &&
    cmp -s "$T/again/console-cert.pem" "$T/again/keep.pem"
check "a restart reuses the certificate" $?

# ---- in a real browser ----
BPY=/usr/bin/python3
if command -v chromium >/dev/null && command -v chromedriver >/dev/null &&
    "$BPY" -c "import selenium" 2>/dev/null && command -v npm >/dev/null &&
    (cd "$T" && npm install --silent --no-audit --no-fund axe-core@4.14 >/dev/null 2>&1) &&
    [ -f "$T/node_modules/axe-core/axe.min.js" ]; then
    "$BPY" - "$MAIN_U" "$T/node_modules/axe-core/axe.min.js" <<'EOF'
import sys
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
base, axe_path = sys.argv[1], sys.argv[2]
axe = open(axe_path, encoding="utf-8").read()
o = webdriver.ChromeOptions()
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
    o.add_argument(a)
o.accept_insecure_certs = True
o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
fails = 0
def check(name, ok):
    global fails
    print(("ok   " if ok else "FAIL ") + name)
    fails += 0 if ok else 1
try:
    d.get(base + "/report")
    d.add_cookie({"name": "__Host-ww_session", "value": "sess-hostile", "path": "/",
                  "secure": True, "httpOnly": True, "sameSite": "Strict"})
    d.get(base + "/hostile?v=%3Cimg%20src%3Dx%20onerror%3D%22document.title%3D%27pwned-q%27%22%3E")
    check("browser: the hostile page's title is untouched (no script ran)",
          d.title == "Hostile values \u2013 wardwatch")
    text = d.find_element("tag name", "main").text
    check("browser: the hostile values are shown as text",
          "<script>document.title='pwned-text'</script>" in text and "<img src=x onerror=" in text)
    check("browser: the hostile user name is shown as text in the header",
          "<script>alert(1)</script>" in d.find_element("tag name", "header").text)
    hrefs = [a.get_attribute("href") or "" for a in d.find_elements("css selector", "main a")]
    check("browser: no javascript: link", not any(h.lower().startswith("javascript:") for h in hrefs))
    check("browser: the design system's CSS and our script loaded (CSP allows them)",
          d.execute_script("return getComputedStyle(document.querySelector('header')).backgroundColor") != "rgba(0, 0, 0, 0)"
          and "nhsuk-frontend-supported" in d.find_element("tag name", "body").get_attribute("class"))
    font = d.execute_script("return getComputedStyle(document.body).fontFamily")
    check("browser: the font is Arial (%s)" % font, font.lower().startswith("arial"))
    csp = [l for l in d.get_log("browser") if "Content Security Policy" in l.get("message", "")]
    check("browser: no Content-Security-Policy violation reported", not csp)
    for path in ("/report", "/login", "/hostile", "/nowhere", "/items/1"):
        d.get(base + path)
        d.execute_script(axe)
        res = d.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map("
            "v => [v.id, v.impact, v.nodes.length])));")
        bad = [v for v in res if v[1] in ("serious", "critical")]
        check("axe-core on %s: no serious or critical violations %s" % (path, bad or ""), not bad)
    d.delete_all_cookies()
    d.get(base + "/hostile")
    check("axe-core: the 401 page was checked too", "sign in" in d.page_source.lower())
    d.execute_script(axe)
    res = d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document).then(r => done(r.violations.filter(v => ['serious','critical'].includes(v.impact)).map(v => v.id)));")
    check("axe-core on the 401 page: no serious or critical violations %s" % (res or ""), not res)
finally:
    d.quit()
sys.exit(1 if fails else 0)
EOF
    check "headless Chromium: escaping holds and axe-core passes" $?
else
    echo "skip headless Chromium checks: needs chromium, chromedriver, python3-selenium and npm (axe-core)"
fi

# The server stops cleanly on SIGTERM; in a sanitizer build, with nothing reported
# (leaks included) for everything above.
kill "$MAIN_PID"
wait "$MAIN_PID"
rc=$?
[ $rc = 0 ] && ! grep -q "Sanitizer" "$S/log"
check "the server stops cleanly, nothing reported by the sanitizers (exit $rc)" $?
[ $? = 0 ] || grep -A20 "Sanitizer" "$S/log" | head -40

[ $fails = 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
