#!/bin/sh
# `make run`'s demo hospital (scripts/demo.sh): it starts, replays its attack live into
# serve, stores the alerts hunt finds in the same files, and its admin can sign in
# to the console with the one-time password and the TOTP code it prints.
set -u
WW=${WW_BIN:?}
SRC=${WW_SRC:?}
for t in curl oathtool bash; do
    command -v "$t" >/dev/null || { echo "skip: no $t"; exit 77; }
done
T=$(mktemp -d)
PID=""
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
fails=0
check() { if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi; }

WW_DEMO_PORT=0 bash "$SRC/scripts/demo.sh" "$WW" "$T/demo" >"$T/out" 2>&1 &
PID=$!
i=0
while ! grep -q "the console stays up" "$T/out" && [ $i -lt 1200 ]; do
    kill -0 $PID 2>/dev/null || break
    sleep 0.1
    i=$((i + 1))
done
cat "$T/out"
grep -q "the console stays up" "$T/out"
check "the demo starts and replays its attack" $?

# hunt over the same files: the alerts the demo's serve stored are the same by rule.
"$WW" hunt --no-group --format ndjson "$SRC/tests/data/sample" 2>/dev/null |
    python3 -c 'import sys, json; print("\n".join(sorted(json.loads(l)["rule"]["id"] for l in sys.stdin)))' >"$T/hunt"
"$WW" alerts --db "$T/demo/state/wardwatch.db" --format ndjson 2>/dev/null |
    python3 -c 'import sys, json; print("\n".join(sorted(json.loads(l)["rule_id"] for l in sys.stdin)))' >"$T/serve"
[ -s "$T/hunt" ] && cmp -s "$T/hunt" "$T/serve"
check "serve stored the alerts hunt finds in the replayed files ($(wc -l <"$T/serve") alerts)" $?
[ "$(grep -c . "$T/hunt")" -ge 20 ]
check "the attack raises at least 20 alerts" $?

PORT=$(sed -n 's|.*The console: *https://localhost:\([0-9]*\)/.*|\1|p' "$T/out")
PW=$(sed -n 's/.*One-time password: *\([^ ]*\).*/\1/p' "$T/out")
SECRET=$(sed -n 's/.*oathtool --totp -b \([A-Z2-7]*\).*/\1/p' "$T/out")
U="https://127.0.0.1:$PORT"
jar="$T/jar"
curl -sk -c "$jar" -b "$jar" "$U/login" -o "$T/login.html"
pre=$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$T/login.html" | head -1)
curl -sk -c "$jar" -b "$jar" -D "$T/hdr" -o /dev/null -H 'Sec-Fetch-Site: same-origin' \
    --data-urlencode "csrf_token=$pre" --data-urlencode user=admin --data-urlencode "password=$PW" \
    --data-urlencode "totp=$(oathtool --totp -b "$SECRET")" "$U/login"
grep -q '^HTTP/[0-9.]* 303' "$T/hdr" && tr -d '\r' <"$T/hdr" | grep -qi '^location: /account/password$'
check "the admin signs in with the printed password and TOTP, and is asked to choose a password" $?
grep -q "Certificate SHA-256: *[0-9A-F:]\{95\}" "$T/out"
check "the certificate's fingerprint is printed" $?

kill $PID
wait $PID
PID=""
[ $fails = 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
