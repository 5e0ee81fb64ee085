#!/bin/sh
# Running `serve` as a service: systemd's readiness protocol (READY=1 once listening,
# STOPPING=1 on SIGTERM, over $NOTIFY_SOCKET), and SIGHUP reloading the rules without
# a restart -- a new rule works at once, and a broken ruleset is refused with the
# reason while the running rules go on alerting.
set -u
. "$WW_SRC/tests/integration/serve_lib.sh"
rule() { # rule N: a rule alerting on "marker-N" in a syslog message
    cat <<YML
title: Marker $1
id: 7e1a0000-0000-4000-8000-00000000000$1
logsource: {product: linux}
detection:
  keywords: ['marker-$1']
  condition: keywords
level: high
YML
}
mkdir -p "$T/rules"
rule 1 >"$T/rules/r1.yml"
cat >"$T/serve.yml" <<YML
state_dir: state
rules: {pack: false, sigmahq: false, paths: [rules]}
inputs:
  - {type: syslog-tcp, listen: "127.0.0.1:0"}
YML
# A stand-in for systemd's notify socket: records every datagram.
python3 - "$T/notify.sock" "$T/notify.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as log:
    while True:
        log.write(s.recv(4096).decode() + "\n---\n")
        log.flush()
PY
EXTRA_PIDS=$!
i=0
while [ ! -S "$T/notify.sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
SERVE_ENV="NOTIFY_SOCKET=$T/notify.sock" serve_start
i=0
while ! grep -q "READY=1" "$T/notify.log" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "READY=1 reached the notify socket" $(grep -q "READY=1" "$T/notify.log"; echo $?)

send() { # send TEXT: one syslog line with TEXT as its message
    send_line "<13>Dec  3 10:00:00 host1 app: $1"
}
send "marker-1 first"
send "marker-2 before the reload"
wait_alerts "Marker 1" 1
check "the first rule alerts" $?
check "a rule not yet loaded does not" $([ "$(alerts "Marker 2")" = 0 ]; echo $?)

rule 2 >"$T/rules/r2.yml"
kill -HUP "$PID"
i=0
while ! grep -q "reloaded" "$T/err" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
check "SIGHUP reloaded the rules" $(grep -q "reloaded: 2 rules" "$T/err"; echo $?)
send "marker-2 after the reload"
wait_alerts "Marker 2" 1
check "the new rule alerts at once" $?

mv "$T/rules" "$T/rules.away" # the configured rules path is gone: a broken reload
kill -HUP "$PID"
i=0
while ! grep -q "reload refused" "$T/err" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
check "a broken ruleset is refused with the reason" $(grep -q "reload refused, everything runs on as it was: serve.yml:[0-9]*:[0-9]*: rules path './rules' cannot be read" "$T/err"; echo $?)
send "marker-2 after the refused reload"
wait_alerts "Marker 2" 2
check "the running rules go on alerting" $?

serve_stop
check "SIGTERM: the server drained and exited 0" $?
i=0
while ! grep -q "STOPPING=1" "$T/notify.log" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "STOPPING=1 reached the notify socket" $(grep -q "STOPPING=1" "$T/notify.log"; echo $?)

serve_done
