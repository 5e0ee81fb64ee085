#!/bin/sh
# bench/serve_ab.sh OLD NEW [LINES] [ROUNDS]: two `wardwatch` binaries side by side on
# serve's syslog path -- LINES lines of bench/gen_syslog.py (seed 4242, default
# 1,000,000) sent over 2 TCP connections to `serve` with the pack and 2 detection
# threads, OLD then NEW, ROUNDS times (default 3).  Prints for each run the lines/s
# evaluated (sending started to the last event counted in /metrics) and serve's CPU
# seconds over the same span (user + system, from /proc): the CPU is what a loaded
# machine disturbs least.  docs/performance.md quotes it.
set -eu
[ $# -ge 2 ] || { echo "usage: bench/serve_ab.sh OLD NEW [LINES] [ROUNDS]" >&2; exit 2; }
cd "$(dirname "$0")/.."
OLD=$(readlink -f "$1")
NEW=$(readlink -f "$2")
LINES=${3:-1000000}
ROUNDS=${4:-3}
T=$(mktemp -d)
PID=""
cleanup() {
    [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
python3 bench/gen_syslog.py "$LINES" "$T/syslog.log" 4242 >/dev/null
run() { # run BINARY: prints "lines/s cpu-seconds"
    rm -rf "$T/state"
    cat >"$T/serve.yml" <<YML
state_dir: state
rules: {sigmahq: false}
spool: {max_bytes: 8 GiB, segment_bytes: 64 MiB}
detection: {threads: 2}
metrics: {listen: "127.0.0.1:0"}
inputs:
  - {type: syslog-tcp, listen: "127.0.0.1:0"}
YML
    : >"$T/err"
    (cd "$T" && exec "$1" serve --config serve.yml >out 2>err) &
    PID=$!
    i=0
    while ! grep -q ready "$T/err" && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
    port=$(sed -n 's/.*listening: .* (port \([0-9]*\))$/\1/p' "$T/err" | head -1)
    mport=$(sed -n 's/.*metrics: .* (port \([0-9]*\))$/\1/p' "$T/err" | head -1)
    python3 - "$port" "$mport" "$PID" "$T/syslog.log" <<'PY'
import os, socket, sys, threading, time, urllib.request
port, mport, pid, path = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def cpu():
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
lines = open(path, "rb").read().split(b"\n")
n = len([l for l in lines if l])
half = len(lines) // 2
parts = [b"\n".join(lines[:half]) + b"\n", b"\n".join(lines[half:])]
def send(b):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b)
    s.close()
c0, t0 = cpu(), time.time()
ts = [threading.Thread(target=send, args=(p,)) for p in parts]
[t.start() for t in ts]
[t.join() for t in ts]
while True:
    body = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % mport).read().decode()
    got = [float(l.split()[1]) for l in body.splitlines() if l.startswith("wardwatch_events_total ")]
    if got and got[0] >= n:
        break
    time.sleep(0.01)
print("%.0f lines/s  %.2f s CPU" % (n / (time.time() - t0), cpu() - c0))
PY
    kill -TERM "$PID"
    wait "$PID" || true
    PID=""
}
r=1
while [ $r -le "$ROUNDS" ]; do
    echo "old: $(run "$OLD")"
    echo "new: $(run "$NEW")"
    r=$((r + 1))
done
