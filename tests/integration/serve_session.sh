#!/bin/sh
# sshd sessions across a restart and a reload.  An sshd line that names no address
# takes it from an earlier line of its session (same host, program and pid) within the
# last 64 KiB of syslog, as `hunt` does in a file.  Here the session's first line is
# processed, then serve stops (cleanly, then with kill -9) or reloads its rules
# (SIGHUP), and only then does the address-less line arrive: it must still get the
# address, so the rule that needs it alerts -- once each time, as `hunt` alerts over
# the same lines in one file.
set -u
. "$WW_SRC/tests/integration/serve_lib.sh"
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
send() { # send LINE: one syslog line over TCP, also kept for hunt
    printf '%s\n' "$1" >>"$T/all.log"
    send_line "$1"
}
opened() { # opened N PID
    send "<38>Dec  3 10:0$1:00 web01 sshd[$2]: Failed password for root from 10.0.0.$1 port 5000 ssh2"
    send "<30>Dec  3 10:0$1:01 db01 cron[901]: job $1 done"
}
closed() { # closed N PID
    send "<38>Dec  3 10:0$1:09 web01 sshd[$2]: Disconnecting: Too many authentication failures [preauth]"
}

serve_start
opened 1 4101
check "the session's first line was processed" $(wait_alerts "Session opened" 1; echo $?)
serve_stop
serve_start
closed 1 4101
check "after a clean restart, the address-less line has its session's address" \
    $(wait_alerts "Session given up from inside" 1; echo $?)

opened 2 4102
check "second session opened" $(wait_alerts "Session opened" 2; echo $?)
serve_stop 9
serve_start
closed 2 4102
check "after kill -9, the same" $(wait_alerts "Session given up from inside" 2; echo $?)

opened 3 4103
check "third session opened" $(wait_alerts "Session opened" 3; echo $?)
kill -HUP "$PID"
i=0
while ! grep -q "reloaded" "$T/err" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
check "SIGHUP reloaded the rules" $(grep -q "reloaded" "$T/err"; echo $?)
closed 3 4103
check "after a reload, the same" $(wait_alerts "Session given up from inside" 3; echo $?)

# The same lines in one file: hunt alerts on the same.
want=$("$BIN" hunt --no-default-rules --rules "$T/rules" --format ndjson "$T/all.log" 2>/dev/null |
    grep -c '"title":"Session given up from inside"')
check "hunt over the same lines alerts 3 times too (got $want)" $([ "$want" = 3 ]; echo $?)
sleep 1
check "no alert twice (3 stored)" $([ "$(alerts "Session given up from inside")" = 3 ]; echo $?)
serve_stop
serve_done
