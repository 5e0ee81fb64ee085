# Sourced by the console's integration tests: a `wardwatch serve` with a console on a
# free loopback port, people of each role, signing in with curl, and the pages in
# headless Chromium with axe-core.
#
#   . "$WW_SRC/tests/integration/console_lib.sh"
#   console_start [YAML_FILE]  starts serve; YAML_FILE's lines are added at the top level
#                              of the config (e.g. alerts:, notify:); CONSOLE_KEYS (a
#                              string of "  key: value" lines) is added under console:.
#                              Sets CT (a temporary folder, removed at exit), CU (the
#                              console's https URL), CONSOLE_PORT, SYSLOG_PORT (a syslog
#                              TCP input), CONSOLE_DB (the store), CONSOLE_STATE,
#                              CONSOLE_LOG, CONSOLE_PID, CONSOLE_CA (its certificate).
#   console_user NAME ROLE     adds a person; the password is in $CT/NAME.pw and, for
#                              responders and admins, the TOTP secret in $CT/NAME.totp
#   console_login NAME         signs NAME in (with a TOTP code when NAME has one); the
#                              cookie jar is $CT/NAME.jar and the session's CSRF token
#                              is echoed to $CT/NAME.csrf.  Returns 0 when signed in.
#   cget NAME PATH [ARGS]      curl GET as NAME (body on stdout)
#   cpost NAME PATH [ARGS]     curl POST (-X POST: also with no body; ARGS may add -X
#                              PATCH/DELETE) as NAME, with the CSRF token and a same-origin
#                              Sec-Fetch-Site (ARGS: --data-urlencode k=v, -F ...)
#   ccode ...                  like cget/cpost's curl, printing only the status code:
#                              ccode NAME GET|POST PATH [ARGS]
#   console_browser NAME PATH...  loads each page as NAME in headless Chromium and runs
#                              axe-core: fails on a serious or critical violation or a
#                              Content-Security-Policy report; prints "skip ..." and
#                              returns 77 when chromium/selenium/npm are missing
#   console_stop               SIGTERM, and checks the server exits 0 with nothing from
#                              the sanitizers
#   check NAME STATUS          prints ok/FAIL and counts failures in $fails
#
# Needs WW_BIN (the binary; ctest sets it) and WW_SRC (the source tree).
WW=${WW:-${WW_BIN:?}}
: "${WW_SRC:?}"
for t in curl openssl python3; do
    command -v "$t" >/dev/null || { echo "skip: no $t"; exit 77; }
done
CT=$(mktemp -d)
CONSOLE_PID=""
fails=0
trap 'console_cleanup' EXIT
console_cleanup() {
    [ -n "$CONSOLE_PID" ] && kill "$CONSOLE_PID" 2>/dev/null && wait "$CONSOLE_PID" 2>/dev/null
    rm -rf "$CT"
}
check() {
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}

console_start() {
    CONSOLE_STATE="$CT/state"
    CONSOLE_DB="$CONSOLE_STATE/wardwatch.db"
    CONSOLE_LOG="$CT/serve.log"
    mkdir -p "$CONSOLE_STATE"
    {
        echo "state_dir: $CONSOLE_STATE"
        echo "rules:"
        echo "  sigmahq: false"
        echo "inputs:"
        echo "  - type: syslog-tcp"
        echo "    name: syslog"
        echo "    listen: 127.0.0.1:0"
        echo "console:"
        echo "  listen: 127.0.0.1:0"
        echo "  threads: 2"
        [ -n "${CONSOLE_KEYS:-}" ] && printf '%s\n' "$CONSOLE_KEYS"
        [ -n "${1:-}" ] && cat "$1"
    } >"$CT/serve.yaml"
    "$WW" serve --config "$CT/serve.yaml" >"$CONSOLE_LOG" 2>&1 &
    CONSOLE_PID=$!
    i=0
    while ! grep -q "ready" "$CONSOLE_LOG" 2>/dev/null && [ $i -lt 600 ]; do
        kill -0 "$CONSOLE_PID" 2>/dev/null || break
        sleep 0.1
        i=$((i + 1))
    done
    CONSOLE_PORT=$(sed -n 's|.*console: listening on https\{0,1\}://[^ ]*:\([0-9]*\)/.*|\1|p' \
        "$CONSOLE_LOG" | head -1)
    SYSLOG_PORT=$(sed -n 's/.*listening: syslog .*(port \([0-9]*\)).*/\1/p' "$CONSOLE_LOG" |
        head -1)
    if [ -z "$CONSOLE_PORT" ]; then
        echo "serve with a console did not start:"
        cat "$CONSOLE_LOG"
        exit 1
    fi
    CU="https://127.0.0.1:$CONSOLE_PORT"
    CONSOLE_CA="$CONSOLE_STATE/console-cert.pem"
}

console_user() {
    name=$1 role=$2
    pw="$name-long-passphrase-kettle-orbit"
    printf '%s' "$pw" >"$CT/$name.pw"
    printf '%s\n' "$pw" | "$WW" users --db "$CONSOLE_DB" add "$name" --role "$role" \
        --password-stdin --no-qr >"$CT/$name.add" 2>&1 || {
        echo "users add $name failed:"
        cat "$CT/$name.add"
        return 1
    }
    sed -n 's/^otpauth:.*secret=\([A-Z2-7]*\).*/\1/p' "$CT/$name.add" >"$CT/$name.totp"
    [ -s "$CT/$name.totp" ] || rm -f "$CT/$name.totp"
    return 0
}

# A fresh TOTP code for NAME, never the one used last (lib/auth refuses a replay):
# waits for the next 30-second step when needed.
console_totp() {
    name=$1
    while :; do
        code=$(oathtool --totp -b "$(cat "$CT/$name.totp")")
        [ "$code" != "$(cat "$CT/$name.lastcode" 2>/dev/null)" ] && break
        sleep 1
    done
    echo "$code" >"$CT/$name.lastcode"
    echo "$code"
}

console_login() {
    name=$1
    jar="$CT/$name.jar"
    rm -f "$jar"
    curl -sk -c "$jar" -b "$jar" "$CU/login" -o "$CT/$name.login" || return 1
    pre=$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$CT/$name.login" | head -1)
    code=""
    [ -f "$CT/$name.totp" ] && code=$(console_totp "$name")
    st=$(curl -sk -c "$jar" -b "$jar" -H 'Sec-Fetch-Site: same-origin' -o /dev/null \
        -w '%{http_code}' --data-urlencode "csrf_token=$pre" --data-urlencode "user=$name" \
        --data-urlencode "password=$(cat "$CT/$name.pw")" --data-urlencode "totp=$code" \
        "$CU/login")
    [ "$st" = 303 ] || { echo "login $name: HTTP $st"; return 1; }
    curl -sk -b "$jar" "$CU/account/password" -o "$CT/$name.page"
    sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$CT/$name.page" | head -1 \
        >"$CT/$name.csrf"
    [ -s "$CT/$name.csrf" ]
}

cget() {
    name=$1 path=$2
    shift 2
    curl -sk -b "$CT/$name.jar" "$@" "$CU$path"
}

cpost() {
    name=$1 path=$2
    shift 2
    curl -sk -X POST -b "$CT/$name.jar" -H 'Sec-Fetch-Site: same-origin' \
        -H "X-CSRF-Token: $(cat "$CT/$name.csrf" 2>/dev/null)" "$@" "$CU$path"
}

ccode() {
    name=$1 method=$2 path=$3
    shift 3
    if [ "$method" = GET ]; then
        cget "$name" "$path" -o /dev/null -w '%{http_code}' "$@"
    else
        cpost "$name" "$path" -o /dev/null -w '%{http_code}' -X "$method" "$@"
    fi
}

console_browser() {
    name=$1
    shift
    BPY=/usr/bin/python3
    if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null ||
        ! "$BPY" -c "import selenium" 2>/dev/null || ! command -v npm >/dev/null; then
        echo "skip headless Chromium: needs chromium, chromedriver, python3-selenium and npm"
        return 77
    fi
    if [ ! -f "$CT/node_modules/axe-core/axe.min.js" ]; then
        (cd "$CT" && npm install --silent --no-audit --no-fund axe-core@4.14 >/dev/null 2>&1)
        [ -f "$CT/node_modules/axe-core/axe.min.js" ] || {
            echo "skip headless Chromium: npm could not install axe-core"
            return 77
        }
    fi
    sess=$(awk '$6 == "__Host-ww_session" {print $7}' "$CT/$name.jar" 2>/dev/null | tail -1)
    "$BPY" "$WW_SRC/tests/integration/console_browser.py" "$CU" \
        "$CT/node_modules/axe-core/axe.min.js" "$sess" "$@"
}

console_stop() {
    kill "$CONSOLE_PID"
    wait "$CONSOLE_PID"
    rc=$?
    CONSOLE_PID=""
    [ $rc = 0 ] && ! grep -q "Sanitizer" "$CONSOLE_LOG"
    check "serve stops cleanly, nothing from the sanitizers (exit $rc)" $?
}
