#!/bin/bash
# `make run`: the demo hospital.  Makes a fresh state (St Elsewhere General Hospital's
# register, its fire-break map, an admin), starts `wardwatch serve` with the console on
# this machine only, replays a bundled attack through its inputs so that alerts arrive
# live, prints the console's address and the admin's one-time password, and runs until
# Ctrl-C.  Everything lives in BUILD/demo and is made again on every run.
set -eu
BIN=${1:?usage: demo.sh WARDWATCH_BINARY [STATE_DIR]}
SRC=$(cd "$(dirname "$0")/.." && pwd)
D=${2:-$(dirname "$BIN")/demo}
PORT=${WW_DEMO_PORT:-8443}
rm -rf "$D"
mkdir -p "$D/state"
DB="$D/state/wardwatch.db"
say() { printf 'demo: %s\n' "$*"; }

say "making St Elsewhere General Hospital in $D"
"$BIN" assets --db "$DB" import "$SRC/data/demo/register.csv" >/dev/null
"$BIN" firebreak --db "$DB" map import "$SRC/tests/data/firebreak/hospital.yml" >/dev/null
"$BIN" audit --db "$DB" >/dev/null 2>&1 || true # findings for the estate pages
"$BIN" users --db "$DB" add admin --role admin --display "Demo administrator" --no-qr \
    >"$D/admin.txt" 2>&1
TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$TOKEN" >"$D/sender.token"
chmod 600 "$D/sender.token"
cat >"$D/serve.yaml" <<YAML
state_dir: $D/state
alerts:
  register: $DB
inputs:
  - {type: syslog-tcp, name: syslog, listen: "127.0.0.1:0"}
  - type: http
    name: windows
    listen: "127.0.0.1:0"
    tokens:
      - {name: demo-sender, token_file: $D/sender.token}
console:
  listen: "127.0.0.1:$PORT"
  trust_name: St Elsewhere General Hospital (demo)
YAML

"$BIN" serve --config "$D/serve.yaml" >"$D/serve.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; echo; say "stopped; the state is kept in $D"' EXIT
trap 'exit 0' INT TERM
say "starting the monitor (the full SigmaHQ ruleset takes a few seconds to load)"
for _ in $(seq 600); do
    grep -q "ready" "$D/serve.log" 2>/dev/null && break
    kill -0 $PID 2>/dev/null || { cat "$D/serve.log"; exit 1; }
    sleep 0.1
done
grep -q "ready" "$D/serve.log" || { cat "$D/serve.log"; exit 1; }
SYSLOG=$(sed -n 's/.*listening: syslog .*(port \([0-9]*\)).*/\1/p' "$D/serve.log" | head -1)
HTTP=$(sed -n 's/.*listening: windows .*(port \([0-9]*\)).*/\1/p' "$D/serve.log" | head -1)
PORT=$(sed -n 's|.*console: listening on https://[^ ]*:\([0-9]*\)/.*|\1|p' "$D/serve.log" | head -1)
FP=$(sed -n 's/.*certificate SHA-256 \([0-9A-F:]*\).*/\1/p' "$D/serve.log" | head -1)
PW=$(sed -n 's/^one-time password[^:]*: *//p' "$D/admin.txt" | head -1)
URI=$(grep '^otpauth:' "$D/admin.txt" | head -1)

cat <<MSG

  The console:          https://localhost:$PORT/
  Certificate SHA-256:  $FP
                        (self-signed: check this fingerprint before you accept it)
  Sign in as:           admin
  One-time password:    $PW   (you choose your own at the first sign-in)
  Authenticator (TOTP): add this to your authenticator app, or run
                        oathtool --totp -b $(echo "$URI" | sed 's/.*secret=\([A-Z2-7]*\).*/\1/')
                        $URI

MSG
say "replaying an attack: SSH password guessing at the PACS gateway, then credential"
say "theft (an LSASS memory dump) on a ward workstation; watch the alerts arrive"
sleep 2
# The syslog lines one by one, the Windows events in small batches, a little apart.
exec 3<>"/dev/tcp/127.0.0.1/$SYSLOG"
while IFS= read -r line; do
    printf '%s\n' "$line" >&3
    sleep 0.2
done <"$SRC/tests/data/sample/auth.log"
exec 3>&-
split -l 20 "$SRC/tests/data/sample/psh_lsass_memory_dump_comsvcs.json" "$D/batch."
for f in "$D"/batch.*; do
    curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/x-ndjson' \
        --data-binary "@$f" "http://127.0.0.1:$HTTP/ingest"
    sleep 1
done
sleep 2
N=$("$BIN" alerts --db "$DB" --format ndjson 2>/dev/null | wc -l)
say "replayed: $N alerts stored; \`$BIN alerts --db $DB\` lists them in a terminal"
say "the console stays up until Ctrl-C"
wait $PID
