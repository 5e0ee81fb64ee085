#!/bin/sh
# The Lumberjack v2 parser (lib/ingest) against a client nobody here wrote: the npm
# package lumberjack-client 1.0.3, installed into a scratch folder (never the repo).
# tests/integration/lumberjack_server.c listens on 127.0.0.1, writes each event and acks
# each window.  The client first queues 50 events (sent as one window, all in one
# compressed frame), then sends 25 more once connected (a window of one each).  Every
# event must arrive exactly once with its content, and the client's socket must
# receive the acks: 50, then 1 twenty-five times.  Skips (77) without node/npm or when
# the package cannot be installed (offline).
set -u
SERVER=${WW_LJ_SERVER:-}
[ -n "$SERVER" ] && [ -x "$SERVER" ] || { echo "skip: WW_LJ_SERVER (the test server) not built"; exit 77; }
command -v node >/dev/null || { echo "skip: node not installed"; exit 77; }
command -v npm >/dev/null || { echo "skip: npm not installed"; exit 77; }
T=$(mktemp -d /tmp/ww-ljc.XXXXXX)
PID=""
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
fails=0
check() { # check NAME CONDITION-RESULT
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}

if ! (cd "$T" && npm install --no-audit --no-fund --no-save --loglevel=error \
        lumberjack-client@1.0.3 >"$T/npm.log" 2>&1); then
    echo "skip: cannot install lumberjack-client@1.0.3 from npm (offline?)"
    sed 's/^/  npm: /' "$T/npm.log" | tail -n 5
    exit 77
fi

"$SERVER" "$T/port" "$T/events.tsv" 75 2>"$T/server.err" &
PID=$!
i=0
while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$T/port" ] || { echo "FAIL test server did not start"; cat "$T/server.err"; exit 1; }
PORT=$(cat "$T/port")

cat >"$T/client.js" <<'JS'
// Sends 50 queued events, then 25 one by one, and records every ack the server sends
// on the client's own socket.
const LumberjackClient = require('lumberjack-client')
const port = Number(process.argv[2])
const client = new LumberjackClient({host: '127.0.0.1', port})
const acks = []
let pending = Buffer.alloc(0)
let acked = 0
client.socket.on('data', (d) => {
  pending = Buffer.concat([pending, d])
  while (pending.length >= 6) {
    const v = String.fromCharCode(pending[0]), t = String.fromCharCode(pending[1])
    if (v !== '2' || t !== 'A') {
      console.log(JSON.stringify({error: 'not an ack frame', bytes: [...pending.slice(0, 6)]}))
      process.exit(1)
    }
    const seq = pending.readUInt32BE(2)
    acks.push(seq)
    pending = pending.slice(6)
    acked += seq
    if (acked >= 75) {
      console.log(JSON.stringify({acks}))
      process.exit(0)
    }
  }
})
client.socket.on('connect', () => {
  let n = 50
  const next = () => {
    if (n >= 75) return
    client.log({id: n, message: `live event ${n}`, host: {hostname: 'ws-' + n}})
    n++
    setImmediate(next)
  }
  next()
})
for (let i = 0; i < 50; i++)
  client.log({id: i, '@timestamp': '2026-12-03T10:00:00.000Z', message: `queued "event" ${i}\n\u00e9`})
// A hang guard, not a timing assertion: the test fails if the acks never come.
setTimeout(() => { console.log(JSON.stringify({error: 'timed out', acks})); process.exit(1) }, 60000)
JS

(cd "$T" && node client.js "$PORT") >"$T/client.out" 2>"$T/client.err"
check "client got its acks and exited" $?
wait "$PID"
check "server parsed the stream without error" $?
PID=""
[ -s "$T/server.err" ] && sed 's/^/  server: /' "$T/server.err"

python3 - "$T/events.tsv" "$T/client.out" <<'PY'
import json, sys
fails = 0
def check(name, ok):
    global fails
    print(("ok   " if ok else "FAIL ") + name)
    fails += not ok
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
evs = []
for l in lines:
    seq, js = l.split("\t", 1)
    evs.append((int(seq), json.loads(js)))
ids = sorted(e["id"] for _, e in evs)
check("75 events, each exactly once", ids == list(range(75)))
check("the queued window numbered 1..50", [s for s, _ in evs[:50]] == list(range(1, 51)))
check("each live window numbered 1", all(s == 1 for s, _ in evs[50:]))
q = {e["id"]: e for _, e in evs}
check("content intact (quotes, newline, UTF-8)",
      all(q[i]["message"] == 'queued "event" %d\n\u00e9' % i for i in range(50))
      and all(q[i]["host"]["hostname"] == "ws-%d" % i for i in range(50, 75)))
out = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
check("acks received by the client: 50, then 1 x 25", out.get("acks") == [50] + [1] * 25)
sys.exit(1 if fails else 0)
PY
check "events and acks as sent" $?

[ "$fails" = 0 ] || { echo "client output:"; cat "$T/client.out" "$T/client.err"; }
exit $((fails > 0))
