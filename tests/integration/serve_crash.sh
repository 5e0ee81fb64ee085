#!/bin/sh
# The durability promise of `wardwatch serve`, under kill -9.  A sender POSTs 10,000
# Windows events (200 bodies of 50) over HTTP and sends each body again until it gets
# a 200; meanwhile the server is killed with SIGKILL at random moments, 12 times, and
# restarted.  Then it runs to the end and stops.  Two rules: one alerts on every event,
# one on the planted attacks (a new account named planted-N).  Afterwards:
#   - every event has exactly one alert (none lost, none twice: an event sent again
#     after a lost reply, or replayed from the spool after a crash, is the same alert);
#   - every planted attack is alerted, once;
#   - the spool reports no damage it could not explain.
# Bounded: about a minute on a loaded 2-core machine.
set -u
BIN=${WW_BIN:?}
command -v python3 >/dev/null || { echo "skip: python3 not installed"; exit 77; }
T=$(mktemp -d)
PID=""
SENDER=""
cleanup() {
    [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
    [ -n "$SENDER" ] && kill "$SENDER" 2>/dev/null
    if [ -n "${WW_KEEP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
fails=0
check() { # check NAME CONDITION-RESULT
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
openssl rand -hex 24 >"$T/token" 2>/dev/null || python3 -c 'import secrets; print(secrets.token_hex(24))' >"$T/token"
cat >"$T/rules.yml" <<'YML'
title: Every logon event
id: 0f4c5d1e-0000-4000-8000-000000000001
logsource: {product: windows, service: security}
detection:
  sel: {EventID: [4624, 4720]}
  condition: sel
level: low
---
title: Planted account
id: 0f4c5d1e-0000-4000-8000-000000000002
logsource: {product: windows, service: security}
detection:
  sel: {EventID: 4720, TargetUserName|startswith: planted-}
  condition: sel
level: high
YML
cat >"$T/serve.yml" <<YML
state_dir: state
rules: {pack: false, sigmahq: false, paths: [rules.yml]}
spool: {max_bytes: 64 MiB, segment_bytes: 1 MiB, commit_interval: 2ms}
detection: {threads: 2}
inputs:
  - type: http
    listen: "127.0.0.1:$PORT"
    tokens: [{name: crash-test, token_file: token}]
YML
cat >"$T/sender.py" <<'PY'
import http.client, json, sys, time
port, token, out = int(sys.argv[1]), open(sys.argv[2]).read().strip(), sys.argv[3]
bodies, per = 200, 50
sent = 0
with open(out, "w") as log:
    for b in range(bodies):
        lines = []
        for k in range(per):
            n = b * per + k
            ev = {"EventID": 4624, "Channel": "Security", "Computer": "ws%d" % (n % 40),
                  "EventRecordID": n, "TargetUserName": "user%d" % n}
            if n % 97 == 13:
                ev.update(EventID=4720, TargetUserName="planted-%d" % n)
            lines.append(json.dumps(ev))
        body = ("\n".join(lines) + "\n").encode()
        tries = 0
        while True:
            tries += 1
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
                c.request("POST", "/ingest", body, {"Authorization": "Bearer " + token,
                                                    "Content-Type": "application/x-ndjson"})
                r = c.getresponse()
                r.read()
                c.close()
                if r.status == 200:
                    break
            except Exception:
                pass
            time.sleep(0.05)
        log.write("%d %d\n" % (b, tries))
        log.flush()
PY

start() {
    n0=$(grep -c "ready" "$T/err" 2>/dev/null || echo 0)
    (cd "$T" && exec "$BIN" serve --config serve.yml >>out 2>>err) &
    PID=$!
    i=0
    while [ "$(grep -c ready "$T/err" 2>/dev/null || echo 0)" -le "$n0" ] && [ $i -lt 300 ]; do
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.1
        i=$((i + 1))
    done
    if ! kill -0 "$PID" 2>/dev/null; then
        echo "FAIL the server did not start:"
        tail -5 "$T/err"
        exit 1
    fi
}

: >"$T/err"
start
python3 "$T/sender.py" "$PORT" "$T/token" "$T/acked" &
SENDER=$!
kills=0
while [ $kills -lt 12 ]; do
    # 0.2 .. 1.4 s of running, then SIGKILL: mid-body, mid-commit, mid-batch.
    sleep "$(python3 -c 'import random; print(round(random.uniform(0.2, 1.4), 2))')"
    kill -9 "$PID" 2>/dev/null
    wait "$PID" 2>/dev/null
    kills=$((kills + 1))
    start
done
check "the server was killed 12 times and came back each time" $([ $kills -eq 12 ] && kill -0 "$PID" 2>/dev/null; echo $?)
i=0
while kill -0 "$SENDER" 2>/dev/null && [ $i -lt 1200 ]; do
    sleep 0.1
    i=$((i + 1))
done
kill -0 "$SENDER" 2>/dev/null && kill "$SENDER"
wait "$SENDER" 2>/dev/null
SENDER=""
check "every body was acknowledged in the end" $([ "$(wc -l <"$T/acked")" -eq 200 ]; echo $?)
kill -TERM "$PID"
wait "$PID"
check "the server stopped cleanly (drained) on SIGTERM" $?
PID=""

WARDWATCH_DB="$T/state/wardwatch.db" "$BIN" alerts --format ndjson >"$T/alerts.ndjson"
python3 - "$T/alerts.ndjson" >"$T/verdict" <<'PY'
import collections, json, sys
every, planted = collections.Counter(), collections.Counter()
for line in open(sys.argv[1]):
    a = json.loads(line)
    rec = a["event"]["EventRecordID"]
    (every if a["rule"] == "Every logon event" else planted)[rec] += 1
want = set(range(10000))
want_planted = {n for n in want if n % 97 == 13}
print("every", len(set(every) & want), "of", len(want), "dups", sum(1 for v in every.values() if v > 1),
      "extra", len(set(every) - want))
print("planted", len(set(planted) & want_planted), "of", len(want_planted), "dups",
      sum(1 for v in planted.values() if v > 1), "extra", len(set(planted) - want_planted))
PY
cat "$T/verdict"
grep -q "^every 10000 of 10000 dups 0 extra 0$" "$T/verdict"
check "every acknowledged event alerted exactly once (0 lost, 0 duplicates)" $?
grep -q "^planted 103 of 103 dups 0 extra 0$" "$T/verdict"
check "every planted attack alerted exactly once" $?
resent=$(awk '$2 > 1' "$T/acked" | wc -l)
echo "bodies sent more than once (a reply lost to a kill): $resent"
grep -q "repeats of stored ones refused" "$T/err"
check "the server reported its runs" $?

[ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; tail -20 "$T/err"; exit 1; }
echo "all checks passed"
