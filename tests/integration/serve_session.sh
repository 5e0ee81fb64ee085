#!/bin/sh
# sshd sessions across a restart and a reload.  An sshd line that names no address
# takes it from an earlier line of its session (same host, program and pid) within the
# last 64 KiB of syslog, as `hunt` does in a file.  Here the session's first line is
# processed, then serve stops (cleanly, then with kill -9) or reloads its rules
# (SIGHUP), and only then does the address-less line arrive: it must still get the
# address, so the rule that needs it alerts -- once each time, as `hunt` alerts over
# the same lines in one file.
set -u
BIN=${WW_BIN:?}
command -v python3 >/dev/null || { echo "skip: python3 not installed"; exit 77; }
T=$(mktemp -d)
PID=""
cleanup() {
    [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
fails=0
check() { # check NAME CONDITION-RESULT
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
mkdir -p "$T/rules"
cat >"$T/rules/open.yml" <<'YML'
title: Session opened
id: 5e551000-0000-4000-8000-000000000001
logsource: {product: linux, service: sshd}
detection:
  sel: {src_ip|cidr: 10.0.0.0/8}
  words: ['Failed password']
  condition: sel and words
level: low
YML
cat >"$T/rules/close.yml" <<'YML'
title: Session given up from inside
id: 5e551000-0000-4000-8000-000000000002
logsource: {product: linux, service: sshd}
detection:
  sel: {src_ip|cidr: 10.0.0.0/8}
  words: ['Too many authentication failures']
  condition: sel and words
level: high
YML
cat >"$T/serve.yml" <<YML
state_dir: state
rules: {pack: false, sigmahq: false, paths: [rules]}
inputs:
  - {type: syslog-tcp, listen: "127.0.0.1:0"}
YML
start() {
    : >"$T/err"
    (cd "$T" && exec "$BIN" serve --config serve.yml >>out 2>err) &
    PID=$!
    i=0
    while ! grep -q ready "$T/err" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    PORT=$(sed -n 's/.*listening: .* (port \([0-9]*\))$/\1/p' "$T/err" | head -1)
}
send() { # send LINE: one syslog line over TCP, also kept for hunt
    printf '%s\n' "$1" >>"$T/all.log"
    python3 - "$PORT" "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall((sys.argv[2] + "\n").encode())
s.close()
PY
}
alerts() { # alerts TITLE: how many stored
    WARDWATCH_DB="$T/state/wardwatch.db" "$BIN" alerts --format ndjson 2>/dev/null |
        grep -c "\"rule\":\"$1\""
}
wait_alerts() { # wait_alerts TITLE N
    i=0
    while [ "$(alerts "$1")" -lt "$2" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    [ "$(alerts "$1")" -ge "$2" ]
}
opened() { # opened N PID
    send "<38>Dec  3 10:0$1:00 web01 sshd[$2]: Failed password for root from 10.0.0.$1 port 5000 ssh2"
    send "<30>Dec  3 10:0$1:01 db01 cron[901]: job $1 done"
}
closed() { # closed N PID
    send "<38>Dec  3 10:0$1:09 web01 sshd[$2]: Disconnecting: Too many authentication failures [preauth]"
}

start
opened 1 4101
check "the session's first line was processed" $(wait_alerts "Session opened" 1; echo $?)
kill -TERM "$PID"
wait "$PID"
start
closed 1 4101
check "after a clean restart, the address-less line has its session's address" \
    $(wait_alerts "Session given up from inside" 1; echo $?)

opened 2 4102
check "second session opened" $(wait_alerts "Session opened" 2; echo $?)
kill -9 "$PID"
wait "$PID" 2>/dev/null
start
closed 2 4102
check "after kill -9, the same" $(wait_alerts "Session given up from inside" 2; echo $?)

opened 3 4103
check "third session opened" $(wait_alerts "Session opened" 3; echo $?)
kill -HUP "$PID"
i=0
while ! grep -q "reload" "$T/err" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.5
closed 3 4103
check "after a reload, the same" $(wait_alerts "Session given up from inside" 3; echo $?)

# The same lines in one file: hunt alerts on the same.
want=$("$BIN" hunt --no-default-rules --rules "$T/rules" --format ndjson "$T/all.log" 2>/dev/null |
    grep -c '"title":"Session given up from inside"')
check "hunt over the same lines alerts 3 times too (got $want)" $([ "$want" = 3 ]; echo $?)
sleep 1
check "no alert twice (3 stored)" $([ "$(alerts "Session given up from inside")" = 3 ]; echo $?)
[ $fails = 0 ]
