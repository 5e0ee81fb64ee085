#!/bin/sh
# Correlations in `wardwatch serve` across restarts and reloads, and bounded lateness.
# A brute-force correlation (6 failed logons of one user within 10 minutes) is fed
# half a burst, then the server is stopped -- cleanly (SIGTERM), killed (SIGKILL) or
# reloaded (SIGHUP) -- and the other half arrives: each time exactly one alert, since
# the windows are rebuilt from the spool's history.  A burst alerted before a kill -9
# is not alerted again after the replay, nor re-armed wrongly.  Late events (older
# than the newest event time minus `detection: lateness`) are counted in
# /metrics and `wardwatch status`; SIGHUP applies a new lateness, warns about keys
# that need a restart, and refuses a config that does not check while the server
# runs on.
set -u
BIN=${WW_BIN:?}
command -v python3 >/dev/null || { echo "skip: python3 not installed"; exit 77; }
command -v curl >/dev/null || { echo "skip: curl not installed"; exit 77; }
T=$(mktemp -d)
PID=""
cleanup() {
    [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
    if [ -n "${WW_KEEP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
fails=0
check() { # check NAME CONDITION-RESULT
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
MPORT=$(free_port)
python3 -c 'import secrets; print(secrets.token_hex(24))' >"$T/token"
cat >"$T/rules.yml" <<'YML'
title: Failed logon
name: test_failed_logon
id: 6b1e2c3d-0000-4000-8000-000000000001
logsource: {product: windows, service: security}
detection:
  sel: {EventID: 4625}
  condition: sel
level: low
---
title: Brute force
id: 6b1e2c3d-0000-4000-8000-000000000002
correlation:
  type: event_count
  rules: [test_failed_logon]
  group-by: [TargetUserName]
  timespan: 10m
  condition: {gte: 6}
level: high
YML
config() { # config LATENESS [MAX_BYTES]
    cat >"$T/serve.yml" <<YML
state_dir: state
rules: {pack: false, sigmahq: false, paths: [rules.yml]}
spool: {max_bytes: ${2:-64 MiB}, segment_bytes: 64 KiB}
detection: {threads: 2, lateness: $1}
metrics: {listen: "127.0.0.1:$MPORT"}
inputs:
  - type: http
    listen: "127.0.0.1:$PORT"
    tokens: [{name: corr-test, token_file: token}]
YML
}
config 5m
RUN=0
start() {
    RUN=$((RUN + 1))
    SENT=0
    (cd "$T" && exec "$BIN" serve --config serve.yml >"out.$RUN" 2>"err.$RUN") &
    PID=$!
    i=0
    while ! grep -q "ready" "$T/err.$RUN" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    grep -q "ready" "$T/err.$RUN" || { echo "serve did not start:"; cat "$T/err.$RUN"; exit 1; }
}
metric() { # metric NAME: its value now (empty when the server does not answer)
    curl -s "http://127.0.0.1:$MPORT/metrics" | awk -v m="wardwatch_$1" '$1 == m {print $NF}'
}
# The newest event time is NOW - 60 s; events are placed relative to it.
NOW=$(date +%s)
send() { # send USER COUNT [SECONDS-BEFORE-NOW]: COUNT failed logons of USER, 1 s apart
    python3 - "$1" "$2" "${3:-120}" "$NOW" "$T/token" "$PORT" <<'PY'
import json, sys, time, urllib.request
user, n, before, now = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
token, port = open(sys.argv[5]).read().strip(), sys.argv[6]
lines = []
for i in range(n):
    t = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - before + i))
    lines.append(json.dumps({"@timestamp": t, "EventID": 4625, "Channel": "Security",
                             "Computer": "ws1", "TargetUserName": user}))
req = urllib.request.Request("http://127.0.0.1:%s/ingest" % port,
                             ("\n".join(lines) + "\n").encode(),
                             {"Authorization": "Bearer " + token,
                              "Content-Type": "application/x-ndjson"})
assert urllib.request.urlopen(req, timeout=20).status == 200
PY
}
SENT=0
send_wait() { # send_wait USER COUNT [SECONDS-BEFORE-NOW]: and wait until processed
    send "$@"
    SENT=$((SENT + $2))
    i=0
    while [ "$(metric spool_backlog)" != 0 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
}
alerts() { # alerts USER: Brute force alerts stored for USER
    WARDWATCH_DB="$T/state/wardwatch.db" "$BIN" alerts --format ndjson 2>/dev/null |
        grep '"rule":"Brute force"' | grep -c "\"user\":\"$1\""
}
stop_term() {
    kill -TERM "$PID"
    wait "$PID"
    rc=$?
    PID=""
    return $rc
}
stop_kill() {
    kill -9 "$PID"
    wait "$PID" 2>/dev/null
    PID=""
}

start
# 1. Half a burst, a clean stop and start, the other half.
send_wait alice 3
check "half a burst: no alert" $([ "$(alerts alice)" = 0 ]; echo $?)
stop_term
check "SIGTERM: drained and exited 0" $?
start
send_wait alice 3 100
check "SIGTERM between the halves: exactly one alert" $([ "$(alerts alice)" = 1 ]; echo $?)
grep -q "correlation warm-up: 3 events" "$T/err.$RUN"
check "the start replayed the first half into the correlation" $?

# 2. The same across kill -9.
send_wait bob 3
stop_kill
start
send_wait bob 3 100
check "kill -9 between the halves: exactly one alert" $([ "$(alerts bob)" = 1 ]; echo $?)

# 3. A whole burst alerted, then kill -9: the replay raises it again, but it is not
#    stored or notified again; and the window stays re-armed (one more event: no alert).
send_wait dave 6
check "a whole burst: one alert" $([ "$(alerts dave)" = 1 ]; echo $?)
stop_kill
start
send_wait dave 1 90
check "after kill -9 and the replay: still one alert" $([ "$(alerts dave)" = 1 ]; echo $?)
grep -q "alerts already raised not raised again" "$T/err.$RUN" &&
    [ "$(sed -n 's/.*windows open, \([0-9]*\) alerts already raised.*/\1/p' "$T/err.$RUN")" -ge 1 ]
check "the replay's alert was recognised as raised before" $?
check "no alert stored twice" $([ "$(metric alerts_repeated_total)" = 0 ]; echo $?)

# 4. Lateness 5m: an event 7 minutes behind the newest is late: counted, not correlated.
send_wait late1 1 480
check "an event beyond the lateness is counted in /metrics" $([ "$(metric events_late_total)" = 1 ]; echo $?)
(cd "$T" && "$BIN" status --config serve.yml) >"$T/status" 2>&1
grep -q "1 late" "$T/status"
check "wardwatch status shows the late event" $?

# A sender whose clock is a year ahead: counted, and it does not make the others late.
send_wait mallory 1 -31536000
check "a future-dated event is counted" $([ "$(metric events_future_total)" = 1 ]; echo $?)
send_wait frank 1 110
check "events of the present are not late after it" $([ "$(metric events_late_total)" = 1 ]; echo $?)

# 5. SIGHUP between the halves, with a new lateness (10m) and a key that needs a restart.
send_wait carol 3
config 10m "128 MiB"
kill -HUP "$PID"
i=0
while ! grep -q "reloaded" "$T/err.$RUN" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
grep -q "reloaded: 1 rules, lateness 10m" "$T/err.$RUN"
check "SIGHUP read the config again" $?
grep -q "reload: serve.yml: spool.max_bytes changed; it needs a restart" "$T/err.$RUN"
check "a key that needs a restart is named in a warning" $?
send_wait carol 3 100
check "SIGHUP between the halves: exactly one alert" $([ "$(alerts carol)" = 1 ]; echo $?)
send_wait late2 1 480
check "the new lateness applies: 7 minutes is not late any more" $([ "$(metric events_late_total)" = 1 ]; echo $?)

# 6. A config that does not check is refused; everything runs on.
send_wait erin 3
printf 'state_dir: state\nrules: {pack: false}\ndetection: {lateness: soon}\n' >"$T/serve.yml"
kill -HUP "$PID"
i=0
while ! grep -q "reload refused" "$T/err.$RUN" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
grep -q "reload refused, everything runs on as it was: serve.yml:3:23: lateness" "$T/err.$RUN"
check "a broken config is refused with file:line:col" $?
send_wait erin 3 100
check "after the refused reload the correlation goes on: one alert" $([ "$(alerts erin)" = 1 ]; echo $?)
check "the refusal is counted" $([ "$(metric reloads_refused_total)" = 1 ]; echo $?)
config 10m
stop_term
check "SIGTERM at the end: exit 0" $?
check "the last run evaluated only what it received (the warm-up counts no event)" \
    $([ "$(sed -n 's/.*stopped: \([0-9]*\) events.*/\1/p' "$T/err.$RUN")" = "$SENT" ]; echo $?)

[ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; tail -5 "$T/err.$RUN"; exit 1; }
echo "all checks passed"
