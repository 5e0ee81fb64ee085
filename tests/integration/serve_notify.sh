#!/bin/sh
# serve's notifiers against local servers on loopback: a webhook (HTTPS, self-signed
# certificate trusted through WARDWATCH_CA_BUNDLE) that fails once and then accepts --
# the alert arrives after a retry, with its id, title, level, host and link and no event
# fields; syslog/CEF over TCP; email over SMTP with STARTTLS (a small server written
# here); a webhook that never answers is dead-lettered after its retries and counted.
# Each notification is sent once for one alert.
set -u
BIN=${WW_BIN:?}
command -v python3 >/dev/null || { echo "skip: python3 not installed"; exit 77; }
command -v openssl >/dev/null || { echo "skip: openssl not installed"; exit 77; }
T=$(mktemp -d)
PID=""
SRV=""
cleanup() {
    [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
    for p in $SRV; do kill "$p" 2>/dev/null; done
    if [ -n "${WW_KEEP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
fails=0
check() { # check NAME CONDITION-RESULT
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
    -subj /CN=127.0.0.1 -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
WH=$(free_port); SY=$(free_port); SM=$(free_port); DEAD=$(free_port)

# The webhook: 500 on the first POST, 200 after; every body recorded.
python3 - "$WH" "$T" <<'PY' &
import http.server, ssl, sys
port, d = int(sys.argv[1]), sys.argv[2]
seen = [0]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        seen[0] += 1
        with open(d + "/webhook.log", "ab") as f:
            f.write(body + b"\n")
        self.send_response(500 if seen[0] == 1 else 200)
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", port), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(d + "/cert.pem", d + "/key.pem")
s.socket = ctx.wrap_socket(s.socket, server_side=True)
s.serve_forever()
PY
SRV="$!"
# syslog over TCP: every line recorded.
python3 - "$SY" "$T/syslog.log" <<'PY' &
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(5)
while True:
    c, _ = s.accept()
    data = b""
    while True:
        b = c.recv(65536)
        if not b:
            break
        data += b
    open(sys.argv[2], "ab").write(data)
PY
SRV="$SRV $!"
# SMTP with STARTTLS: enough of RFC 5321 and 3207 for one client.
python3 - "$SM" "$T" <<'PY' &
import socket, ssl, sys
port, d = int(sys.argv[1]), sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(d + "/cert.pem", d + "/key.pem")
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port)); s.listen(5)
while True:
    c, _ = s.accept()
    f = c.makefile("rwb")
    def say(t):
        f.write(t.encode() + b"\r\n"); f.flush()
    say("220 test ESMTP")
    tls, mail = False, []
    while True:
        line = f.readline()
        if not line:
            break
        cmd = line.decode().strip()
        u = cmd.upper()
        if u.startswith("EHLO") or u.startswith("HELO"):
            say("250-test" if not tls else "250 test")
            if not tls:
                say("250 STARTTLS")
        elif u == "STARTTLS":
            say("220 go ahead")
            c = ctx.wrap_socket(c, server_side=True)
            f = c.makefile("rwb")
            tls = True
        elif u.startswith("MAIL FROM") or u.startswith("RCPT TO"):
            mail.append(cmd)
            say("250 ok" if tls else "530 STARTTLS first")
        elif u == "DATA":
            say("354 end with .")
            body = b""
            while True:
                l = f.readline()
                if l in (b".\r\n", b".\n", b""):
                    break
                body += l
            open(d + "/mail.log", "ab").write(("\n".join(mail) + "\n").encode() + body)
            say("250 queued")
        elif u == "QUIT":
            say("221 bye")
            break
        else:
            say("250 ok")
    c.close()
PY
SRV="$SRV $!"
sleep 1

cat >"$T/rules.yml" <<'YML'
title: Notify me
id: 7e1a0000-0000-4000-8000-0000000000bb
logsource: {product: linux}
detection:
  keywords: ['notify-me']
  condition: keywords
level: high
---
title: Too low to notify
id: 7e1a0000-0000-4000-8000-0000000000cc
logsource: {product: linux}
detection:
  keywords: ['quiet-one']
  condition: keywords
level: low
YML
cat >"$T/serve.yml" <<YML
state_dir: state
rules: {pack: false, sigmahq: false, paths: [rules.yml]}
alerts: {link_base: "https://wardwatch.trust.nhs.uk"}
metrics: {listen: "127.0.0.1:0"}
inputs:
  - {type: syslog-tcp, listen: "127.0.0.1:0"}
notify:
  - {type: webhook, name: teams, url: "https://127.0.0.1:$WH/hook", min_level: high, retries: 3}
  - {type: syslog, name: soc, url: "tcp://127.0.0.1:$SY", format: cef, min_level: high}
  - {type: email, name: duty, url: "smtp://127.0.0.1:$SM", from: ww@trust.nhs.uk, to: [duty@trust.nhs.uk], min_level: high}
  - {type: webhook, name: nowhere, url: "https://127.0.0.1:$DEAD/hook", retries: 1, timeout: 500ms}
YML
(cd "$T" && WARDWATCH_CA_BUNDLE="$T/cert.pem" exec "$BIN" serve --config serve.yml >out 2>err) &
PID=$!
i=0
while ! grep -q ready "$T/err" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
PORT=$(sed -n 's/.*listening: .* (port \([0-9]*\))$/\1/p' "$T/err" | head -1)
MPORT=$(sed -n 's/.*metrics: .* (port \([0-9]*\))$/\1/p' "$T/err" | head -1)
python3 - "$PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"<13>Dec  3 10:00:00 pacs01 app: notify-me user=alice secret=hunter2\n"
          b"<13>Dec  3 10:00:01 pacs01 app: quiet-one\n")
s.close()
PY
metric() {
    curl -s "http://127.0.0.1:$MPORT/metrics" | awk -v m="wardwatch_$1" '$1 == m {print $NF}'
}
i=0
while { [ "$(metric notifications_sent_total)" != 3 ] || [ "$(metric notifications_dead_total)" != 1 ]; } && [ $i -lt 200 ]; do
    sleep 0.1
    i=$((i + 1))
done
check "3 notifications delivered, 1 dead-lettered ($(metric notifications_sent_total), $(metric notifications_dead_total))" \
    $([ "$(metric notifications_sent_total)" = 3 ] && [ "$(metric notifications_dead_total)" = 1 ]; echo $?)
check "the webhook was tried twice (500, then 200)" $([ "$(grep -c . "$T/webhook.log")" = 2 ]; echo $?)
python3 - "$T/webhook.log" <<'PY'
import json, sys
b = json.loads(open(sys.argv[1]).read().splitlines()[-1])
assert b["title"] == "Notify me" and b["level"] == "high" and b["host"] == "pacs01", b
assert b["link"].startswith("https://wardwatch.trust.nhs.uk/alerts/") and len(b["id"]) == 32, b
assert "P" in b["text"] and "Notify me" in b["text"], b
assert "hunter2" not in json.dumps(b), "the event must not travel"
PY
check "the webhook body: id, title, level, host, link, text; no event" $?
grep -q "CEF:0|wardwatch|wardwatch|[^|]*|7e1a0000-0000-4000-8000-0000000000bb|Notify me|8|externalId=" "$T/syslog.log"
check "syslog/CEF line" $?
grep -q "RCPT TO:<duty@trust.nhs.uk>" "$T/mail.log" && grep -q "^Subject: wardwatch P[0-9] high: Notify me on pacs01" "$T/mail.log"
check "email over STARTTLS, subject naming the alert" $?
check "the low alert notified nobody" $(grep -q quiet "$T/webhook.log" "$T/syslog.log" "$T/mail.log"; [ $? -ne 0 ]; echo $?)
state=$(python3 -c 'import sqlite3,sys; print(" ".join(n + ":" + s for n, s in sqlite3.connect(sys.argv[1]).execute("select notifier, state from notify order by notifier")) + " ")' "$T/state/wardwatch.db")
check "the queue records each outcome ($state)" $([ "$state" = "duty:sent nowhere:dead soc:sent teams:sent " ]; echo $?)
WARDWATCH_DB="$T/state/wardwatch.db" "$BIN" alerts --dead-letters >"$T/dead" 2>&1
grep -q "nowhere .* 2  Notify me .*Couldn't connect" "$T/dead"
check "alerts --dead-letters names the notification, its attempts and the error" $?
kill -TERM "$PID"
wait "$PID"
PID=""

[ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; tail -8 "$T/err"; exit 1; }
echo "all checks passed"
