#!/bin/sh
# The RELP input of `wardwatch serve` with a real sender: rsyslog's omrelp (package
# rsyslog-relp) reads a file with imfile and forwards every line over RELP.
#   A. 2,000 known lines (the sample auth.log's brute force, then benign logons and 40
#      planted attacks): every line is received, stored and evaluated, and the stored
#      alerts equal `wardwatch hunt` over the same file (rules: pack + SigmaHQ + one
#      rule for the planted lines).
#   B. 3,000 lines, each a planted attack with its own number, and serve killed with
#      SIGKILL mid-stream, then started again on the same port: omrelp sends again what
#      got no "rsp 200".  Every line has exactly one alert: none lost (every message
#      answered was durable) and none twice (a message sent again is the same alert).
#   C. Back-pressure: the alert store is locked by another program, so nothing is
#      checkpointed and the small spool fills; the RELP input then stops answering
#      (rsyslog waits) without losing anything; once the lock goes, all lines arrive.
set -u
BIN=${WW_BIN:?}
SRC=${WW_SRC:?}
command -v python3 >/dev/null || { echo "skip: python3 not installed"; exit 77; }
command -v curl >/dev/null || { echo "skip: curl not installed"; exit 77; }
command -v rsyslogd >/dev/null || { echo "skip: rsyslog not installed"; exit 77; }
MODS=""
for d in /usr/lib/x86_64-linux-gnu/rsyslog /usr/lib/rsyslog; do
    [ -e "$d/omrelp.so" ] && [ -e "$d/imfile.so" ] && MODS=$d
done
[ -n "$MODS" ] || { echo "skip: rsyslog-relp (omrelp) not installed"; exit 77; }
T=$(mktemp -d)
PID=""
RS=""
LOCK=""
cleanup() {
    [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
    [ -n "$RS" ] && kill "$RS" 2>/dev/null
    [ -n "$LOCK" ] && kill "$LOCK" 2>/dev/null
    if [ -n "${WW_KEEP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
fails=0
check() { # check NAME CONDITION-RESULT
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

cat >"$T/planted.yml" <<'YML'
title: Planted attack (RELP test)
id: 6a1d2c3b-0000-4000-8000-000000000099
logsource: {product: linux, service: sshd}
detection:
  keywords: ['wwplanted-']
  condition: keywords
level: high
YML

# gen FILE N EVERY AUTH SAMPLE [PAD]: the sample auth.log (when AUTH is 1), then N
# numbered sshd lines; every EVERY-th one is a planted attack (EVERY 1: all of them);
# PAD more bytes make each line longer.
gen() {
    python3 - "$@" <<'PY'
import sys
out, n, every, with_auth = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
src = sys.argv[5]
pad = " " + "x" * int(sys.argv[6]) if len(sys.argv) > 6 else ""
with open(out, "w") as f:
    if with_auth:
        f.write(open(src).read())
    for i in range(n):
        t = "Nov 23 15:%02d:%02d" % (i // 60 % 60, i % 60)
        host = "ws%02d" % (i % 20)
        if i % every == every - 1:
            f.write("%s %s sshd[%d]: Failed password for invalid user wwplanted-%d from "
                    "203.0.113.%d port %d ssh2%s\n" % (t, host, 60000 + i, i, i % 200 + 1, 20000 + i, pad))
        else:
            f.write("%s %s sshd[%d]: Accepted publickey for user%d from 10.30.%d.%d port %d "
                    "ssh2\n" % (t, host, 60000 + i, i, i // 250, i % 250 + 1, 20000 + i))
PY
}

# start DIR: serve with DIR/serve.yml; sets PID, PORT, MPORT.
start() {
    (cd "$1" && exec "$BIN" serve --config serve.yml >>out 2>>err) &
    PID=$!
    i=0
    # (cat, so that a log the server has not opened yet counts 0, not an empty string)
    while [ "$(cat "$1/err" 2>/dev/null | grep -c 'serve: ready')" -lt "$2" ] && [ $i -lt 600 ]; do
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.1
        i=$((i + 1))
    done
    PORT=$(sed -n 's/.*listening: .* (port \([0-9]*\))$/\1/p' "$1/err" | tail -1)
    MPORT=$(sed -n 's/.*metrics: .* (port \([0-9]*\))$/\1/p' "$1/err" | tail -1)
    [ -n "$PORT" ] && [ -n "$MPORT" ]
}
metric() { # metric NAME: its value (summed over inputs)
    curl -s "http://127.0.0.1:$MPORT/metrics" |
        awk -v m="wardwatch_$1" '$1 == m || index($1, m "{") == 1 {s += $NF} END {print s + 0}'
}
wait_metric() { # wait_metric NAME N: until NAME >= N (120 s at most)
    i=0
    while [ "$(metric "$1")" -lt "$2" ] && [ $i -lt 1200 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    [ "$(metric "$1")" -ge "$2" ]
}
stop() {
    kill -TERM "$PID"
    wait "$PID"
    rc=$?
    PID=""
    return $rc
}
# rsyslog DIR FILE PORT: forwards FILE over RELP to PORT; omrelp retries every second
# for ever while the server is away.
rsyslog() {
    mkdir -p "$1/rsys"
    cat >"$1/rsyslog.conf" <<CONF
global(workDirectory="$1/rsys")
module(load="$MODS/imfile.so")
module(load="$MODS/omrelp.so")
template(name="raw" type="string" string="%rawmsg%")
input(type="imfile" File="$2" Tag="auth" ruleset="fwd" freshStartTail="off")
ruleset(name="fwd") {
  action(type="omrelp" target="127.0.0.1" port="$3" template="raw"
         action.resumeRetryCount="-1" action.resumeInterval="1")
}
CONF
    rsyslogd -n -f "$1/rsyslog.conf" -i "$1/rsyslog.pid" >"$1/rsyslog.out" 2>&1 &
    RS=$!
}
stop_rsyslog() {
    kill "$RS" 2>/dev/null
    wait "$RS" 2>/dev/null
    RS=""
}

# ---- A: all lines, alerts as hunt's ----
A="$T/a"
mkdir -p "$A"
gen "$A/lines.log" 2000 50 1 "$SRC/tests/data/sample/auth.log"
NA=$(grep -c . "$A/lines.log")
cat >"$A/serve.yml" <<YML
state_dir: state
rules: {paths: [$T/planted.yml]}
metrics: {listen: "127.0.0.1:0"}
inputs:
  - {type: relp, listen: "127.0.0.1:0"}
YML
start "$A" 1
check "A: the server started with a relp input" $?
rsyslog "$A" "$A/lines.log" "$PORT"
wait_metric events_total "$NA"
check "A: all $NA lines arrived over RELP and were evaluated" $?
got="$(metric input_received_total) $(metric input_accepted_total) $(metric input_rejected_total)"
check "A: $NA received, $NA accepted, 0 rejected ($got)" $([ "$got" = "$NA $NA 0" ]; echo $?)
stop_rsyslog
stop
check "A: the server drained and stopped" $?
"$BIN" hunt --rules "$T/planted.yml" --format ndjson "$A/lines.log" >"$A/hunt.ndjson" 2>/dev/null
WARDWATCH_DB="$A/state/wardwatch.db" "$BIN" alerts --format ndjson >"$A/alerts.ndjson"
python3 - "$A/hunt.ndjson" "$A/alerts.ndjson" <<'PY'
import collections, json, sys
hunt = collections.Counter(json.loads(l)["rule"]["id"] for l in open(sys.argv[1]))
served = collections.Counter(json.loads(l)["rule_id"] for l in open(sys.argv[2]))
planted = hunt.get("6a1d2c3b-0000-4000-8000-000000000099", 0)
if hunt != served or planted != 40 or len(hunt) < 2:
    print("  hunt  :", sorted(hunt.items()))
    print("  serve :", sorted(served.items()))
    sys.exit(1)
print("  %d alerts of %d rules (%d planted), as hunt" % (sum(hunt.values()), len(hunt), planted))
PY
check "A: the alerts equal hunt's over the same file" $?

# ---- B: kill -9 mid-stream; omrelp sends again what was not answered ----
B="$T/b"
mkdir -p "$B"
NB=3000
gen "$B/lines.log" $NB 1 0 /dev/null
BPORT=$(free_port)
cat >"$B/serve.yml" <<YML
state_dir: state
rules: {pack: false, sigmahq: false, paths: [$T/planted.yml]}
spool: {max_bytes: 64 MiB, segment_bytes: 1 MiB}
metrics: {listen: "127.0.0.1:0"}
inputs:
  - {type: relp, name: relp-crash, listen: "127.0.0.1:$BPORT"}
YML
start "$B" 1
check "B: the server started" $?
rsyslog "$B" "$B/lines.log" "$BPORT"
wait_metric input_accepted_total 1000
check "B: 1000 lines arrived before the kill" $?
kill -9 "$PID"
wait "$PID" 2>/dev/null
PID=""
before=$(grep -c 'alert: ' "$B/err")
start "$B" 2
check "B: the server started again after SIGKILL ($before alerts before it)" $?
# Done when every line has its alert in the store (the store is read while serve runs).
i=0
while [ $i -lt 120 ]; do
    n=$(WARDWATCH_DB="$B/state/wardwatch.db" "$BIN" alerts --format ndjson 2>/dev/null | grep -c .)
    [ "$n" -ge $NB ] && break
    sleep 1
    i=$((i + 1))
done
stop_rsyslog
stop
check "B: the server drained and stopped" $?
WARDWATCH_DB="$B/state/wardwatch.db" "$BIN" alerts --format ndjson >"$B/alerts.ndjson"
python3 - "$B/alerts.ndjson" $NB <<'PY'
import collections, json, re, sys
n = int(sys.argv[2])
seen = collections.Counter()
for l in open(sys.argv[1]):
    m = re.search(r"wwplanted-(\d+)", json.loads(l)["event"]["message"])
    seen[int(m.group(1))] += 1
lost = [i for i in range(n) if i not in seen]
twice = [i for i, c in seen.items() if c > 1]
print("  %d lines, %d alerts, %d lost, %d alerted twice" % (n, sum(seen.values()), len(lost), len(twice)))
if lost:
    print("  lost (first 10):", lost[:10])
if twice:
    print("  twice (first 10):", twice[:10])
sys.exit(1 if lost or twice or len(seen) != n else 0)
PY
check "B: every line has exactly one alert after the kill (none lost, none twice)" $?
sed -n 's/.*stopped: \(.*\)$/  second run: \1/p' "$B/err"

# ---- C: a full spool pushes back on the RELP sender ----
C="$T/c"
mkdir -p "$C"
NC=2500
gen "$C/lines.log" $NC 1 0 /dev/null 900
cat >"$C/serve.yml" <<YML
state_dir: state
rules: {pack: false, sigmahq: false, paths: [$T/planted.yml]}
spool: {max_bytes: 1 MiB, segment_bytes: 64 KiB}
metrics: {listen: "127.0.0.1:0"}
inputs:
  - {type: relp, listen: "127.0.0.1:0", max_frame: 4 KiB}
YML
start "$C" 1
check "C: the server started with a 1 MiB spool (about 1,000 of these lines)" $?
# Another program holds the store's write lock: serve evaluates but cannot commit the
# alerts, so it holds the checkpoint back and the spool fills.
python3 - "$C/state/wardwatch.db" "$C/locked" "$C/unlock" <<'PY' &
import os, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
db.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
for _ in range(1200):
    if os.path.exists(sys.argv[3]):
        break
    time.sleep(0.1)
db.execute("ROLLBACK")
PY
LOCK=$!
i=0
while [ ! -e "$C/locked" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
rsyslog "$C" "$C/lines.log" "$PORT"
# Full: the input waits; how many it holds is what fits, never all.
i=0
while ! grep -q 'spool is full' "$C/err" && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
grep -q 'spool is full: waiting for room' "$C/err"
check "C: the spool filled and the RELP input waited for room" $?
held=$(metric input_accepted_total)
check "C: fewer than $NC lines accepted while full ($held)" $([ "$held" -lt $NC ]; echo $?)
touch "$C/unlock"
wait "$LOCK"
LOCK=""
wait_metric input_accepted_total $NC
check "C: after the lock went, all $NC lines were accepted" $?
wait_metric events_total $NC
got="$(metric input_received_total) $(metric input_rejected_total)"
check "C: $NC received, 0 rejected ($got)" $([ "$got" = "$NC 0" ]; echo $?)
stop_rsyslog
stop
check "C: the server drained and stopped" $?
n=$(WARDWATCH_DB="$C/state/wardwatch.db" "$BIN" alerts --format ndjson | grep -vc '"rule_id":"wardwatch.serve.')
check "C: $NC alerts stored ($n)" $([ "$n" = $NC ]; echo $?)

[ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all checks passed"
