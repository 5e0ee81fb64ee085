# Sourced by serve's integration tests: a temporary folder, checks that count
# failures, a `wardwatch serve` started and stopped in it, syslog lines sent to it and
# the alerts it stored.
#
#   . "$WW_SRC/tests/integration/serve_lib.sh"
#   Sets T (a temporary folder, removed at exit, when the server started here and the
#   processes in EXTRA_PIDS are killed too) and BIN (the binary under test).
#   check NAME RESULT       prints ok/FAIL; RESULT 0 is success
#   serve_start             runs `wardwatch serve --config serve.yml` in $T (standard
#                           error to $T/err, emptied first; SERVE_ENV: extra NAME=VALUE
#                           words for its environment), waits until it is ready; sets
#                           PID and PORT (the first listener's port)
#   serve_stop [SIGNAL]     TERM unless named; waits for it and returns its status
#   send_line LINE          one line over TCP to $PORT
#   alerts TITLE            how many alerts of that rule title the store holds
#   wait_alerts TITLE N     waits up to 10 s until there are N; 0 when there are
#   serve_done              exits 1 naming the failed checks and the log's end, else
#                           says all passed
BIN=${WW_BIN:?}
command -v python3 >/dev/null || { echo "skip: python3 not installed"; exit 77; }
T=$(mktemp -d)
PID=""
EXTRA_PIDS=""
fails=0
serve_cleanup() {
    [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
    for p in $EXTRA_PIDS; do kill "$p" 2>/dev/null; done
    if [ -n "${WW_KEEP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap serve_cleanup EXIT
check() {
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
serve_start() {
    : >"$T/err"
    # SERVE_ENV is split into words on purpose: NAME=VALUE pairs without spaces.
    # shellcheck disable=SC2086
    (cd "$T" && exec env ${SERVE_ENV:-} "$BIN" serve --config serve.yml >>out 2>err) &
    PID=$!
    i=0
    while ! grep -q ready "$T/err" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    PORT=$(sed -n 's/.*listening: .* (port \([0-9]*\))$/\1/p' "$T/err" | head -1)
}
serve_stop() {
    kill "-${1:-TERM}" "$PID"
    wait "$PID"
    rc=$?
    PID=""
    return $rc
}
send_line() {
    python3 - "$PORT" "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall((sys.argv[2] + "\n").encode())
s.close()
PY
}
alerts() {
    WARDWATCH_DB="$T/state/wardwatch.db" "$BIN" alerts --format ndjson 2>/dev/null |
        grep -c "\"rule\":\"$1\""
}
wait_alerts() {
    i=0
    while [ "$(alerts "$1")" -lt "$2" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    [ "$(alerts "$1")" -ge "$2" ]
}
serve_done() {
    [ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; tail -5 "$T/err"; exit 1; }
    echo "all checks passed"
}
