#!/bin/sh
# Real senders nobody here wrote deliver to `wardwatch serve`, and the alerts it stores
# equal those of `wardwatch hunt` over the same events:
#   A. rsyslog (imfile -> omfwd) over TCP, octet-counted framing;
#   B. rsyslog over TLS (gtls), LF framing, with a certificate made here;
#   C. curl POSTing NDJSON over HTTP with a bearer token;
#   D. the npm package lumberjack-client (Beats protocol), installed into a scratch
#      folder, when the npm registry can be reached;
#   E. util-linux logger over UDP: every datagram counted.
# A client that is not installed is reported skipped; the others still run.  Each
# scenario runs its own server (fresh state) so that correlations see one stream.
set -u
BIN=${WW_BIN:?}
SRC=${WW_SRC:?}
command -v python3 >/dev/null || { echo "skip: python3 not installed"; exit 77; }
command -v curl >/dev/null || { echo "skip: curl not installed"; exit 77; }
T=$(mktemp -d)
PID=""
RS=""
cleanup() {
    [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
    [ -n "$RS" ] && kill "$RS" 2>/dev/null
    if [ -n "${WW_KEEP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
fails=0
check() { # check NAME CONDITION-RESULT
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
# The syslog stream: 4,000 generated lines with SSH brute-force and fan-out episodes
# (dated 1 January), so that batches of messages cut through sshd sessions (whose
# address-less lines take their session's address from earlier lines), then the sample
# auth log (23 November): in time order, none dated after the server's clock (serve
# correlates events dated ahead of its clock at its clock; docs/serve.md).
AUTH="$T/auth.log"
python3 "$SRC/bench/gen_syslog.py" 4000 "$AUTH" 7 || exit 2
cat "$SRC/tests/data/sample/auth.log" >>"$AUTH"
JSON="$SRC/tests/data/sample/psh_lsass_memory_dump_comsvcs.json"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
    -subj /CN=127.0.0.1 -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1
python3 -c 'import secrets; print(secrets.token_hex(24))' >"$T/token"

# start NAME INPUT-YAML: a server with that one input; sets PID, PORT, MPORT, STATE.
start() {
    STATE="$T/$1"
    mkdir -p "$STATE"
    cat >"$STATE/serve.yml" <<YML
state_dir: state
metrics: {listen: "127.0.0.1:0"}
inputs:
  - $2
YML
    (cd "$STATE" && exec "$BIN" serve --config serve.yml >out 2>err) &
    PID=$!
    i=0
    while ! grep -q ready "$STATE/err" 2>/dev/null && [ $i -lt 600 ]; do
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.1
        i=$((i + 1))
    done
    PORT=$(sed -n 's/.*listening: .* (port \([0-9]*\))$/\1/p' "$STATE/err" | head -1)
    MPORT=$(sed -n 's/.*metrics: .* (port \([0-9]*\))$/\1/p' "$STATE/err" | head -1)
    [ -n "$PORT" ] && [ -n "$MPORT" ]
}
metric() { # metric NAME: its value (summed over inputs)
    curl -s "http://127.0.0.1:$MPORT/metrics" |
        awk -v m="wardwatch_$1" '$1 == m || index($1, m "{") == 1 {s += $NF} END {print s + 0}'
}
wait_events() { # wait_events N: until N events are evaluated (60 s at most)
    i=0
    while [ "$(metric events_total)" -lt "$1" ] && [ $i -lt 600 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    [ "$(metric events_total)" -ge "$1" ]
}
stop() {
    kill -TERM "$PID"
    wait "$PID"
    rc=$?
    PID=""
    return $rc
}
# same_as_hunt FILE: the stored alerts, by rule and host, equal hunt's over FILE.
same_as_hunt() {
    "$BIN" hunt --format ndjson "$1" >"$STATE/hunt.ndjson" 2>/dev/null
    WARDWATCH_DB="$STATE/state/wardwatch.db" "$BIN" alerts --format ndjson >"$STATE/alerts.ndjson"
    python3 - "$STATE/hunt.ndjson" "$STATE/alerts.ndjson" <<'PY'
import collections, json, sys
hunted = [json.loads(l) for l in open(sys.argv[1])]
# hunt's NDJSON gives a correlation alert its group, not a host: those compare by rule.
corr = {a["rule"]["id"] for a in hunted if "group" in a}
hunt = collections.Counter((a["rule"]["id"], a.get("host") or "") for a in hunted)
served = collections.Counter((a["rule_id"], "" if a["rule_id"] in corr else a.get("host") or "")
                             for a in map(json.loads, open(sys.argv[2])))
if hunt != served or not hunt:
    print("  hunt  :", sorted(hunt.items()))
    print("  serve :", sorted(served.items()))
    sys.exit(1)
print("  %d alerts of %d rules, as hunt" % (sum(hunt.values()), len(hunt)))
PY
}
NAUTH=$(grep -c . "$AUTH")
NJSON=$(grep -c . "$JSON")

# ---- A and B: rsyslog ----
if command -v rsyslogd >/dev/null &&
    { [ -e /usr/lib/x86_64-linux-gnu/rsyslog/imfile.so ] || [ -e /usr/lib/rsyslog/imfile.so ]; }; then
    for mode in tcp tls; do
        if [ $mode = tcp ]; then
            start rsyslog-tcp '{type: syslog-tcp, listen: "127.0.0.1:0"}'
            fwd='protocol="tcp" TCP_Framing="octet-counted"'
        else
            start rsyslog-tls "{type: syslog-tls, listen: \"127.0.0.1:0\", tls: {cert: $T/cert.pem, key: $T/key.pem}}"
            fwd='protocol="tcp" StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="anon"'
        fi
        check "rsyslog $mode: the server started" $?
        mkdir -p "$STATE/rsys"
        cat >"$STATE/rsyslog.conf" <<CONF
global(workDirectory="$STATE/rsys" DefaultNetstreamDriverCAFile="$T/cert.pem")
module(load="imfile")
template(name="raw" type="string" string="%rawmsg%")
input(type="imfile" File="$AUTH" Tag="auth" ruleset="fwd" freshStartTail="off")
ruleset(name="fwd") {
  action(type="omfwd" target="127.0.0.1" port="$PORT" $fwd template="raw")
}
CONF
        rsyslogd -n -f "$STATE/rsyslog.conf" -i "$STATE/rsyslog.pid" >"$STATE/rsyslog.out" 2>&1 &
        RS=$!
        wait_events "$NAUTH"
        check "rsyslog $mode: all $NAUTH lines arrived and were evaluated" $?
        kill "$RS" 2>/dev/null
        wait "$RS" 2>/dev/null
        RS=""
        stop
        check "rsyslog $mode: the server drained and stopped" $?
        same_as_hunt "$AUTH"
        check "rsyslog $mode: the alerts equal hunt's over the same file" $?
    done
else
    echo "skip rsyslog: not installed (apt-get install rsyslog rsyslog-gnutls)"
fi

# ---- C: curl over HTTP ----
start http "{type: http, listen: \"127.0.0.1:0\", tokens: [{name: curl, token_file: $T/token}]}"
check "http: the server started" $?
code=$(curl -s -o "$STATE/reply" -w '%{http_code}' -H "Authorization: Bearer $(cat "$T/token")" \
    -H 'Content-Type: application/x-ndjson' --data-binary @"$JSON" "http://127.0.0.1:$PORT/ingest")
check "http: curl's POST answered 200 once durable" $([ "$code" = 200 ]; echo $?)
grep -q "\"accepted\":$NJSON" "$STATE/reply"
check "http: the reply counts all $NJSON events" $?
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer nope' --data-binary @"$JSON" \
    "http://127.0.0.1:$PORT/ingest")
check "http: a wrong token gets 401" $([ "$code" = 401 ]; echo $?)
wait_events "$NJSON"
check "http: every event evaluated" $?
stop
check "http: the server drained and stopped" $?
same_as_hunt "$JSON"
check "http: the alerts equal hunt's over the same file" $?

# ---- D: Beats, with an independent Lumberjack v2 client from npm ----
LJ="$T/lj"
if command -v npm >/dev/null && command -v node >/dev/null &&
    (mkdir -p "$LJ" && cd "$LJ" && timeout 120 npm install --silent --no-audit --no-fund \
        lumberjack-client@1.0.3 >/dev/null 2>&1); then
    start beats '{type: beats, listen: "127.0.0.1:0"}'
    check "beats: the server started" $?
    cat >"$LJ/send.js" <<'JS'
// Sends every line of a JSON-lines file as one event through lumberjack-client (which
// queues them until connected and sends them as one compressed window), then closes.
const fs = require('fs');
const LumberjackClient = require('lumberjack-client');
const [port, file] = [Number(process.argv[2]), process.argv[3]];
const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());
const client = new LumberjackClient({host: '127.0.0.1', port: port});
for (const l of lines) client.log(JSON.parse(l));
const t0 = Date.now();
const timer = setInterval(() => {
  if ((client.connected && client.queue.length === 0 && Date.now() - t0 > 1000) ||
      Date.now() - t0 > 30000) {
    clearInterval(timer);
    client.socket.end();
    setTimeout(() => process.exit(0), 300);
  }
}, 100);
JS
    (cd "$LJ" && timeout 90 node send.js "$PORT" "$JSON" >"$STATE/lj.out" 2>&1)
    wait_events "$NJSON"
    check "beats: all $NJSON events from lumberjack-client arrived and were evaluated" $?
    stop
    check "beats: the server drained and stopped" $?
    same_as_hunt "$JSON"
    check "beats: the alerts equal hunt's over the same file" $?
else
    echo "skip beats: npm could not install lumberjack-client (no registry?)"
fi

# ---- E: UDP from util-linux logger ----
if command -v logger >/dev/null; then
    start udp '{type: syslog-udp, listen: "127.0.0.1:0"}'
    check "udp: the server started" $?
    for i in 1 2 3 4 5; do
        logger --udp --server 127.0.0.1 --port "$PORT" --rfc3164 -t sshd \
            "Failed password for root from 10.9.9.$i port 4$i ssh2"
    done
    wait_events 5
    check "udp: logger's 5 datagrams arrived and were evaluated" $?
    got="$(metric input_received_total) $(metric input_rejected_total)"
    check "udp: 5 received, 0 rejected ($got)" $([ "$got" = "5 0" ]; echo $?)
    stop
    check "udp: the server drained and stopped" $?
else
    echo "skip udp: logger not installed"
fi

[ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all checks passed"
