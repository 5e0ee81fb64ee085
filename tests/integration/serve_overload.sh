#!/bin/sh
# serve under more than it can take.  The consumer is stalled by another program holding
# the alert store's write lock for a while (as a backup or a second process might):
# the spool (capped at 1 MiB) fills, HTTP senders get 503 with Retry-After, and
# everything they send again is taken once the lock goes.  Then the spool's own
# directory is a 2 MiB tmpfs: a full disk refuses appends cleanly (503), and acceptance
# resumes when the file system is made larger.  Every event is evaluated exactly once
# in the end, the spool never passes its cap, and the server's memory stays bounded.
set -u
BIN=${WW_BIN:?}
command -v python3 >/dev/null || { echo "skip: python3 not installed"; exit 77; }
T=$(mktemp -d)
PID=""
MNT=""
BG="" # background helpers (lock holders, the spool watcher, senders)
cleanup() {
    touch "$T/stop-watch" 2>/dev/null
    for p in $BG; do kill "$p" 2>/dev/null; done
    [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
    [ -n "$MNT" ] && umount "$MNT" 2>/dev/null
    if [ -n "${WW_KEEP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
fails=0
check() { # check NAME CONDITION-RESULT
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
python3 -c 'import secrets; print(secrets.token_hex(24))' >"$T/token"
cat >"$T/rules.yml" <<'YML'
title: Every event
id: 7e1a0000-0000-4000-8000-0000000000dd
logsource: {product: windows}
detection:
  sel: {EventID: 4624}
  condition: sel
level: low
YML
cat >"$T/send.py" <<'PY'
import http.client, json, sys, threading, time
port, token, n, per, out = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), 100, sys.argv[4]
bodies = []
for b in range(0, n, per):
    bodies.append("".join(json.dumps({"EventID": 4624, "Channel": "Security", "Computer": "ws1",
                                      "EventRecordID": i, "pad": "x" * 300}) + "\n"
                          for i in range(b, min(n, b + per))).encode())
stats = {"200": 0, "503": 0, "other": 0, "retry_after": 0}
lock = threading.Lock()
def run(mine):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for body in mine:
        while True:
            c.request("POST", "/ingest", body, {"Authorization": "Bearer " + token})
            r = c.getresponse(); r.read()
            with lock:
                k = str(r.status) if r.status in (200, 503) else "other"
                stats[k] += 1
                stats["retry_after"] += r.getheader("Retry-After") is not None
            if r.status == 200:
                break
            time.sleep(0.05)
ts = [threading.Thread(target=run, args=(bodies[i::4],)) for i in range(4)]
[t.start() for t in ts]; [t.join() for t in ts]
json.dump(stats, open(out, "w"))
PY
start() { # start CONFIG
    : >"$T/err"
    (cd "$T" && exec "$BIN" serve --config "$1" >out 2>>err) &
    PID=$!
    i=0
    while ! grep -q ready "$T/err" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    PORT=$(sed -n 's/.*listening: .* (port \([0-9]*\))$/\1/p' "$T/err" | tail -1)
    MPORT=$(sed -n 's/.*metrics: .* (port \([0-9]*\))$/\1/p' "$T/err" | tail -1)
}
metric() {
    curl -s "http://127.0.0.1:$MPORT/metrics" | awk -v m="wardwatch_$1" '$1 == m || index($1, m "{") == 1 {s += $NF} END {print s + 0}'
}
watch_spool() { # records the largest spool size seen, until the file $T/stop-watch exists
    max=0
    while [ ! -e "$T/stop-watch" ]; do
        b=$(metric spool_bytes)
        [ "$b" -gt "$max" ] 2>/dev/null && max=$b
        echo "$max" >"$T/spool-max"
        sleep 0.05
    done
}
wait_events() {
    i=0
    while [ "$(metric events_total)" -lt "$1" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
    [ "$(metric events_total)" -eq "$1" ]
}

# ---- 1. a stalled consumer: the spool fills and HTTP pushes back ----
cat >"$T/a.yml" <<YML
state_dir: state-a
rules: {pack: false, sigmahq: false, paths: [rules.yml]}
spool: {max_bytes: 1 MiB, segment_bytes: 64 KiB}
metrics: {listen: "127.0.0.1:0"}
inputs:
  - {type: http, listen: "127.0.0.1:0", max_body: 256 KiB, tokens: [{name: t, token_file: token}]}
YML
start a.yml
# Hold the store's write lock (a second program on the same database) until the spool
# has refused something, so the test does not depend on how fast this machine is.
mkdir -p "$T/state-a"
cat >"$T/hold.py" <<'PY'
import os, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
for _ in range(1200):  # at most 2 minutes
    if os.path.exists(sys.argv[2]):
        break
    time.sleep(0.1)
db.execute("COMMIT")
PY
release_when_refused() { # RELEASE-FILE: once input_rejected_total > 0 (or 2 minutes)
    i=0
    while [ "$(metric input_rejected_total)" -eq 0 ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
    touch "$1"
}
python3 "$T/hold.py" "$T/state-a/wardwatch.db" "$T/release-a" &
HOLD=$!
release_when_refused "$T/release-a" &
REL=$!
rm -f "$T/stop-watch"
watch_spool &
W=$!
BG="$HOLD $W $REL"
python3 "$T/send.py" "$PORT" "$(cat "$T/token")" 20000 "$T/a.json"
wait "$REL"
wait "$HOLD"
wait_events 20000
check "after the stall, every one of 20,000 events evaluated, exactly once" $?
touch "$T/stop-watch"
wait "$W"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print("  replies:", s); sys.exit(0 if s["503"] > 0 and s["retry_after"] >= s["503"] and s["other"] == 0 else 1)' "$T/a.json"
check "the full spool answered 503 with Retry-After, and the senders' retries got in" $?
m=$(cat "$T/spool-max")
check "the spool never passed its 1 MiB cap (largest seen: $m bytes)" $([ "$m" -le 1048576 ] && [ "$m" -gt 0 ]; echo $?)
check "the refusals were counted ($(metric input_rejected_total))" $([ "$(metric input_rejected_total)" -gt 0 ]; echo $?)
rss=$(awk '/VmHWM/ {print $2}' /proc/$PID/status)
check "the server's peak memory stayed bounded (${rss} kB < 512 MB)" $([ "$rss" -lt 524288 ]; echo $?)
WARDWATCH_DB="$T/state-a/wardwatch.db" "$BIN" alerts --format ndjson >"$T/a.alerts"
n=$(grep -vc '"rule_id":"wardwatch.serve.' "$T/a.alerts")
check "20,000 alerts, none lost or twice ($n)" $([ "$n" = 20000 ]; echo $?)
grep '"rule_id":"wardwatch.serve.spool-full"' "$T/a.alerts" >"$T/a.full"
[ "$(grep -c . "$T/a.full")" = 1 ] && grep -q '"level":"high"' "$T/a.full" &&
    grep -q 'the spool is full' "$T/a.full" && grep -q '"full":"cap"' "$T/a.full"
check "an alert said the spool was full, once ($(grep -c . "$T/a.full"))" $?
kill -TERM "$PID"; wait "$PID"; PID=""

# ---- 2. a full disk ----
MNT="$T/spool-b"
mkdir -p "$MNT"
if mount -t tmpfs -o size=2m tmpfs "$MNT" 2>/dev/null; then
    cat >"$T/b.yml" <<YML
state_dir: state-b
rules: {pack: false, sigmahq: false, paths: [rules.yml]}
spool: {dir: spool-b, max_bytes: 64 MiB, segment_bytes: 1 MiB}
metrics: {listen: "127.0.0.1:0"}
inputs:
  - {type: http, listen: "127.0.0.1:0", tokens: [{name: t, token_file: token}]}
YML
    start b.yml
    python3 "$T/hold.py" "$T/state-b/wardwatch.db" "$T/release-b" &
    HOLD=$!
    python3 "$T/send.py" "$PORT" "$(cat "$T/token")" 12000 "$T/b.json" &
    S=$!
    BG="$HOLD $S"
    # The disk fills while the consumer is held; once appends are refused, space returns.
    i=0
    while [ "$(metric input_rejected_total)" -eq 0 ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
    full=$(metric input_rejected_total)
    mount -o remount,size=64m "$MNT" # space returns
    touch "$T/release-b"
    wait "$HOLD"
    wait "$S"
    check "a full disk refused appends while it lasted ($full refusals)" $([ "${full:-0}" -gt 0 ]; echo $?)
    wait_events 12000
    check "acceptance resumed when space returned: all 12,000 evaluated once" $?
    WARDWATCH_DB="$T/state-b/wardwatch.db" "$BIN" alerts --format ndjson |
        grep -c '"rule_id":"wardwatch.serve.spool-full".*"full":"disk"' >"$T/b.full"
    check "an alert said the spool's disk was full ($(cat "$T/b.full"))" $([ "$(cat "$T/b.full")" -ge 1 ]; echo $?)
    kill -TERM "$PID"; wait "$PID"; PID=""
    umount "$MNT" && MNT=""
else
    echo "skip disk-full part: cannot mount a tmpfs here (needs root)"
fi

[ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; tail -8 "$T/err"; exit 1; }
echo "all checks passed"
