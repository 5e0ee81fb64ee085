#!/bin/sh
# Hostile HTTP clients against serve's HTTP input, with real tools (curl and raw
# sockets), each answered or cut off as docs/serve.md's limits table says, while an
# ordinary sender keeps being served and the server stays up:
#   slowloris (a header byte a second) -> closed at the header deadline;
#   a body slower than idle_timeout -> closed, nothing stored;
#   an oversized header block -> 431;  Content-Length over max_body -> 413;
#   a chunked body over max_body -> 413;  HTTP/1.0 without a length -> 411;
#   a malformed Content-Length -> 400;  another Transfer-Encoding -> closed (by
#   libmicrohttpd; 501 should one get through);
#   pipelined requests -> answered in order.
set -u
BIN=${WW_BIN:?}
command -v python3 >/dev/null || { echo "skip: python3 not installed"; exit 77; }
command -v curl >/dev/null || { echo "skip: curl not installed"; exit 77; }
T=$(mktemp -d)
PID=""
BG=""
cleanup() {
    for p in $BG; do kill "$p" 2>/dev/null; done
    [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
    if [ -n "${WW_KEEP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
fails=0
check() { # check NAME CONDITION-RESULT
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
python3 -c 'import secrets; print(secrets.token_hex(24))' >"$T/token"
TOKEN=$(cat "$T/token")
cat >"$T/rules.yml" <<'YML'
title: Hostile marker
id: 7e1a0000-0000-4000-8000-0000000000f1
logsource: {product: windows}
detection:
  sel: {EventID: 4624}
  condition: sel
level: low
YML
cat >"$T/s.yml" <<YML
state_dir: state
rules: {pack: false, sigmahq: false, paths: [rules.yml]}
metrics: {listen: "127.0.0.1:0"}
inputs:
  - {type: http, listen: "127.0.0.1:0", max_body: 64 KiB, idle_timeout: 3s, tokens: [{name: t, token_file: token}]}
YML
(cd "$T" && exec "$BIN" serve --config s.yml >out 2>err) &
PID=$!
i=0
while ! grep -q ready "$T/err" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
PORT=$(sed -n 's/.*listening: .*(port \([0-9]*\))$/\1/p' "$T/err" | head -1)
MPORT=$(sed -n 's/.*metrics: .*(port \([0-9]*\))$/\1/p' "$T/err")
[ -n "$PORT" ] && [ -n "$MPORT" ] || { echo "serve did not start"; cat "$T/err"; exit 1; }
metric() {
    curl -s "http://127.0.0.1:$MPORT/metrics" | awk -v m="wardwatch_$1" '$1 == m || index($1, m "{") == 1 {s += $NF} END {print s + 0}'
}
good() { # good N: an ordinary sender's POST of one event; prints the status
    curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
        -H 'Content-Type: application/x-ndjson' \
        --data-binary "{\"EventID\":4624,\"EventRecordID\":$1}" "http://127.0.0.1:$PORT/ingest"
}

cat >"$T/hostile.py" <<'PY'
import re, socket, sys, time
port, token, what = int(sys.argv[1]), sys.argv[2], sys.argv[3]
auth = ("Authorization: Bearer %s\r\n" % token).encode()
def conn():
    return socket.create_connection(("127.0.0.1", port), timeout=30)
def status(s):
    data = b""
    while b"\r\n" not in data:
        k = s.recv(4096)
        if not k:
            break
        data += k
    return data.split(b" ")[1].decode() if data.startswith(b"HTTP/") else "closed"
def closed_while(s, payload, gap):
    # Sends payload a byte every gap seconds; True when the server closes first.
    for i, b in enumerate(payload):
        try:
            s.sendall(bytes([b]))
        except OSError:
            return True, i
        s.settimeout(gap)
        try:
            if s.recv(4096) == b"":
                return True, i
        except socket.timeout:
            pass
        except OSError:
            return True, i
    return False, len(payload)
if what == "slowloris":
    head = b"POST /ingest HTTP/1.1\r\nHost: x\r\n" + auth + b"Content-Length: 2\r\n\r\n"
    cut, at = closed_while(conn(), head, 1.0)
    print("cut" if cut else "served", at, len(head))
elif what == "slowbody":
    s = conn()
    body = b'{"EventID":4624,"EventRecordID":999}'
    s.sendall(b"POST /ingest HTTP/1.1\r\nHost: x\r\n" + auth +
              b"Content-Length: %d\r\n\r\n" % len(body))
    cut, at = closed_while(s, body, 4.0)
    print("cut" if cut else "served", at, len(body))
elif what == "bigheader":
    s = conn()
    try:
        s.sendall(b"POST /ingest HTTP/1.1\r\nHost: x\r\n" + auth + b"X-Pad: " + b"a" * 65536 +
                  b"\r\nContent-Length: 2\r\n\r\n{}")
    except OSError:
        pass
    print(status(s))
elif what == "http10":
    s = conn()
    s.sendall(b"POST /ingest HTTP/1.0\r\n" + auth + b"\r\n" + b'{"EventID":4624}')
    s.shutdown(socket.SHUT_WR)
    print(status(s))
elif what == "badlength":
    s = conn()
    s.sendall(b"POST /ingest HTTP/1.1\r\nHost: x\r\n" + auth + b"Content-Length: 12abc\r\n\r\n")
    print(status(s))
elif what == "te":
    s = conn()
    s.sendall(b"POST /ingest HTTP/1.1\r\nHost: x\r\n" + auth + b"Transfer-Encoding: gzip\r\n\r\n")
    print(status(s))
elif what == "pipelined":
    s = conn()
    req = b""
    for i in (7001, 7002, 7003):
        body = b'{"EventID":4624,"EventRecordID":%d}' % i
        req += (b"POST /ingest HTTP/1.1\r\nHost: x\r\n" + auth +
                b"Content-Length: %d\r\n\r\n" % len(body) + body)
    s.sendall(req)
    data = b""
    s.settimeout(30)
    while data.count(b"HTTP/1.1 ") < 3 or data.count(b'"accepted"') < 3:
        k = s.recv(65536)
        if not k:
            break
        data += k
    print(" ".join(m.decode() for m in re.findall(rb"HTTP/1.1 (\d+)", data)),
          data.count(b'"accepted":1'))
PY
hostile() { python3 "$T/hostile.py" "$PORT" "$TOKEN" "$1"; }

# The slow ones run while an ordinary sender goes on.
hostile slowloris >"$T/slowloris" &
A=$!
hostile slowbody >"$T/slowbody" &
B=$!
BG="$A $B"
ok=0
for n in 1 2 3 4 5 6 7 8 9 10; do
    [ "$(good $n)" = 200 ] && ok=$((ok + 1))
    sleep 0.3
done
wait "$A"; wait "$B"; BG=""
check "slowloris (a header byte a second) was cut off at the header deadline ($(cat "$T/slowloris"))" \
    $(grep -q "^cut" "$T/slowloris"; echo $?)
check "a body slower than idle_timeout was cut off ($(cat "$T/slowbody"))" $(grep -q "^cut" "$T/slowbody"; echo $?)
check "meanwhile an ordinary sender was served (10 of 10: $ok)" $([ "$ok" = 10 ]; echo $?)

r=$(hostile bigheader)
check "an oversized header block: 431 ($r)" $([ "$r" = 431 ]; echo $?)
python3 -c 'import sys; sys.stdout.write("{\"EventID\":4624,\"pad\":\"%s\"}\n" % ("x" * 70000))' >"$T/big.json"
r=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" --data-binary @"$T/big.json" "http://127.0.0.1:$PORT/ingest")
check "Content-Length over max_body: 413 ($r)" $([ "$r" = 413 ]; echo $?)
r=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H 'Transfer-Encoding: chunked' --data-binary @"$T/big.json" "http://127.0.0.1:$PORT/ingest")
check "a chunked body over max_body: 413 ($r)" $([ "$r" = 413 ]; echo $?)
r=$(hostile http10)
check "HTTP/1.0 without a length: 411 ($r)" $([ "$r" = 411 ]; echo $?)
r=$(hostile badlength)
check "a malformed Content-Length: 400 ($r)" $([ "$r" = 400 ]; echo $?)
r=$(hostile te)
check "a Transfer-Encoding other than chunked: closed, or 501 ($r)" $([ "$r" = closed ] || [ "$r" = 501 ]; echo $?)
r=$(hostile pipelined)
check "three pipelined requests answered in order, each stored ($r)" $([ "$r" = "200 200 200 3" ]; echo $?)
r=$(curl -s -o /dev/null -w '%{http_code}' -X GET "http://127.0.0.1:$PORT/ingest")
check "GET: 405 ($r)" $([ "$r" = 405 ]; echo $?)
r=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${TOKEN}x" --data-binary '{}' "http://127.0.0.1:$PORT/ingest")
check "a wrong token: 401 ($r)" $([ "$r" = 401 ]; echo $?)

# Still up, still serving; and only the good events were stored.
check "the server is still up and serving ($(good 11))" $([ "$(good 12)" = 200 ]; echo $?)
i=0
while [ "$(metric events_total)" -lt 15 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
ev=$(metric events_total)
check "exactly the 15 events acknowledged were evaluated ($ev)" $([ "$ev" = 15 ]; echo $?)
cl=$(metric input_idle_closed_total)
check "the cut-off connections were counted ($cl)" $([ "$cl" -ge 2 ]; echo $?)
kill -TERM "$PID"; wait "$PID"; PID=""
[ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; tail -20 "$T/err"; exit 1; }
echo "all checks passed"
