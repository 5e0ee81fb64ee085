#!/bin/sh
# bench/serve.sh [EVENTS] [LINES]: `wardwatch serve` ingesting live, side by side with
# rsyslog receiving the same syslog stream into a file on the same machine.
#   1. Windows JSON over HTTP (1,000 events a POST, 4 connections), the full default
#      ruleset (SigmaHQ + pack): events/s acknowledged (durable) and events/s evaluated;
#   2. syslog over TCP (2 connections), the pack: lines/s evaluated;
#   3. the baseline: rsyslog (imtcp -> omfile), the same lines and sender: lines/s written;
#   4. latency at half the measured HTTP rate: for the planted events (every 100th), the
#      time from the sender's clock at POST to the alert being raised, p50 and p99.
# Needs python3, curl and rsyslog (bench/setup.sh or scripts/setup.sh installs them).
# Results are printed; docs/performance.md keeps the figures and this command.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
EVENTS=${1:-200000}
LINES=${2:-2000000}
B=$ROOT/build-bench
cmake -S "$ROOT" -B "$B" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$B" -j2 --target wardwatch >/dev/null
WW=$B/wardwatch
T=$(mktemp -d)
PID=""
cleanup() {
    [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
    pkill -f "rsyslogd -n -f $T" 2>/dev/null || true
    rm -rf "$T"
}
trap cleanup EXIT
python3 -c 'import secrets; print(secrets.token_hex(24))' >"$T/token"

start() { # start NAME RULES-YAML INPUT-YAML
    mkdir -p "$T/$1"
    cat >"$T/$1/serve.yml" <<YML
state_dir: state
rules: $2
spool: {max_bytes: 8 GiB, segment_bytes: 64 MiB}
detection: {threads: 2}
metrics: {listen: "127.0.0.1:0"}
inputs:
  - $3
YML
    (cd "$T/$1" && exec "$WW" serve --config serve.yml >out 2>err) &
    PID=$!
    while ! grep -q ready "$T/$1/err" 2>/dev/null; do sleep 0.1; done
    PORT=$(sed -n 's/.*listening: .* (port \([0-9]*\))$/\1/p' "$T/$1/err" | head -1)
    MPORT=$(sed -n 's/.*metrics: .* (port \([0-9]*\))$/\1/p' "$T/$1/err" | head -1)
}
events() {
    curl -s "http://127.0.0.1:$MPORT/metrics" | awk '$1 == "wardwatch_events_total" {print $2}'
}
wait_events() { # seconds from now until N events are evaluated
    python3 - "$MPORT" "$1" <<'PY'
import sys, time, urllib.request
port, n = int(sys.argv[1]), int(sys.argv[2])
t0 = time.time()
while True:
    body = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port).read().decode()
    got = [float(l.split()[1]) for l in body.splitlines() if l.startswith("wardwatch_events_total ")]
    if got and got[0] >= n:
        break
    time.sleep(0.02)
print("%.3f" % (time.time() - t0))
PY
}
stop() { kill -TERM "$PID"; wait "$PID" || true; PID=""; }
rate() { python3 -c "print('%.0f' % ($1 / $2))"; }

echo "== 1. Windows JSON over HTTP, $EVENTS events, SigmaHQ + pack"
start http "{}" "{type: http, listen: \"127.0.0.1:0\", tokens: [{name: bench, token_file: $T/token}]}"
acked=$(python3 bench/serve_send.py http "$PORT" "$(cat "$T/token")" "$EVENTS")
rest=$(wait_events "$EVENTS")
total=$(python3 -c "print($acked + $rest)")
HTTP_ACK=$(rate "$EVENTS" "$acked")
HTTP_EVAL=$(rate "$EVENTS" "$total")
echo "   acknowledged (durable): $HTTP_ACK events/s; evaluated: $HTTP_EVAL events/s"
stop

echo "== 2. syslog over TCP, $LINES lines, pack"
python3 bench/gen_syslog.py "$LINES" "$T/syslog.log" 4242 >/dev/null
start tcp "{sigmahq: false}" '{type: syslog-tcp, listen: "127.0.0.1:0"}'
sent=$(python3 bench/serve_send.py tcp "$PORT" "$T/syslog.log" 2)
rest=$(wait_events "$LINES")
TCP_EVAL=$(rate "$LINES" "$(python3 -c "print($sent + $rest)")")
echo "   evaluated: $TCP_EVAL lines/s"
stop

echo "== 3. baseline: rsyslog receiving the same lines into a file"
if command -v rsyslogd >/dev/null; then
    RP=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    mkdir -p "$T/rs"
    cat >"$T/rs/rsyslog.conf" <<CONF
global(workDirectory="$T/rs")
module(load="imtcp")
input(type="imtcp" port="$RP" address="127.0.0.1" ruleset="f")
template(name="raw" type="string" string="%rawmsg%\n")
ruleset(name="f") { action(type="omfile" file="$T/rs/out.log" template="raw") }
CONF
    rsyslogd -n -f "$T/rs/rsyslog.conf" -i "$T/rs/pid" &
    RSP=$!
    sleep 1
    t0=$(date +%s.%N)
    python3 bench/serve_send.py tcp "$RP" "$T/syslog.log" 2 >/dev/null
    python3 bench/serve_send.py wait-file "$T/rs/out.log" "$LINES" 300 >/dev/null
    t1=$(date +%s.%N)
    RS_RATE=$(rate "$LINES" "$(python3 -c "print($t1 - $t0)")")
    kill "$RSP"
    echo "   rsyslog wrote: $RS_RATE lines/s"
else
    RS_RATE=0
    echo "   rsyslog not installed: no baseline"
fi

HALF=$(python3 -c "print(int($HTTP_EVAL / 2))")
N4=$(python3 -c "print(min($EVENTS, $HALF * 20))")
echo "== 4. latency at half the HTTP rate ($HALF events/s, $N4 events)"
start lat "{}" "{type: http, listen: \"127.0.0.1:0\", tokens: [{name: bench, token_file: $T/token}]}"
python3 bench/serve_send.py http "$PORT" "$(cat "$T/token")" "$N4" "$HALF" >/dev/null
wait_events "$N4" >/dev/null
stop
WARDWATCH_DB="$T/lat/state/wardwatch.db" "$WW" alerts --rule mimikatz --format ndjson >"$T/lat.ndjson" || true
LAT=$(python3 - "$T/lat/state/wardwatch.db" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
first = {}
for ev, rec in db.execute("select event, received from alert"):
    sent = json.loads(ev).get("ww_sent_ns")
    if sent:  # the planted events; the first alert raised on each
        first[sent] = min(rec, first.get(sent, rec))
lat = sorted(rec - int(s) for s, rec in first.items())
if not lat:
    print("n/a n/a 0")
else:
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] / 1e9
    print("%.3f %.3f %d" % (p(0.5), p(0.99), len(lat)))
PY
)
echo "   p50 / p99 seconds, planted events: $LAT"

echo
echo "| case | rate | baseline | ratio |"
echo "|---|---|---|---|"
echo "| Windows JSON over HTTP, SigmaHQ + pack, acknowledged | $HTTP_ACK ev/s | | |"
echo "| Windows JSON over HTTP, SigmaHQ + pack, evaluated | $HTTP_EVAL ev/s | | |"
echo "| syslog over TCP, pack, evaluated | $TCP_EVAL lines/s | rsyslog to file $RS_RATE lines/s | $(python3 -c "print('%.2f' % ($TCP_EVAL / $RS_RATE) if $RS_RATE else 'n/a')") |"
echo "| latency at $HALF ev/s (p50 p99 s, n) | $LAT | | |"
