#!/bin/sh
# wardwatch serve --config FILE --check: a valid config exits 0 and says what would run
# (without printing a token); a broken one exits 2 naming file:line:col and the reason;
# a missing file and a missing --config are errors too.
set -u
BIN=${WW_BIN:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
check() { # check NAME CONDITION-RESULT
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
printf '0123456789abcdef0123456789abcdef\n' >"$T/fb.token"
cat >"$T/serve.yml" <<'YML'
state_dir: state
inputs:
  - {type: syslog-udp, listen: "127.0.0.1:5514"}
  - {type: syslog-tcp, listen: "127.0.0.1:5514"}
  - type: http
    listen: "[::1]:8088"
    tokens: [{name: fluent-bit, token_file: fb.token}]
  - {type: tail, paths: [/var/log/auth.log]}
notify:
  - {type: webhook, url: "https://teams.invalid/hook", min_level: high}
YML
"$BIN" serve --config "$T/serve.yml" --check >"$T/out" 2>"$T/err"
check "a valid config exits 0" $?
grep -q "serve.yml: valid" "$T/out"
check "it says the config is valid" $?
grep -q "^inputs:    4" "$T/out" && grep -q "http *\[::1\]:8088 (1 token)" "$T/out"
check "it lists the inputs" $?
! grep -q 0123456789abcdef "$T/out"
check "the token is not printed" $?

sed 's/listen: "\[::1\]:8088"/listen: "localhost:8088"/' "$T/serve.yml" >"$T/bad.yml"
"$BIN" serve --config "$T/bad.yml" --check >"$T/out" 2>"$T/err"
check "a bad listen address exits 2" $([ $? -eq 2 ]; echo $?)
grep -q "bad.yml:6:13: listen: 'localhost:8088': 'localhost' is not an IP address" "$T/err"
check "the error names file:line:col and why" $?

printf 'state_dir: /s\ninputs:\n  - {type: http, listen: ":8088"}\n' >"$T/open.yml"
"$BIN" serve --config "$T/open.yml" --check >/dev/null 2>"$T/err"
check "an HTTP input without tokens is refused" $([ $? -eq 2 ]; echo $?)
grep -q "open.yml:3:5: http input needs tokens" "$T/err"
check "the refusal says tokens are needed" $?

"$BIN" serve --config "$T/nope.yml" --check >/dev/null 2>"$T/err"
check "a missing config exits 2" $([ $? -eq 2 ]; echo $?)
grep -q "nope.yml: cannot open" "$T/err"
check "and says it cannot be opened" $?
"$BIN" serve --check >/dev/null 2>&1
check "--config is required" $([ $? -eq 2 ]; echo $?)

[ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all checks passed"
