#!/bin/sh
# wardwatch feeds fetch against a local HTTPS server on loopback (never the internet):
# a self-signed certificate made here, trusted through --cacert.  A good KEV catalog and
# endoflife.date answers (the v1 shape and the older array shape) are stored and used by
# the audit (its KEV date, no staleness warning); a truncated catalog, a missing product,
# an untrusted certificate and a plain http:// URL each leave the current data as it was.
set -u
BIN=${WW_BIN:?}
SRC=${WW_SRC:?}
T=$(mktemp -d)
SERVER=""
cleanup() {
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
fails=0
check() { # check NAME CONDITION-RESULT
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
command -v openssl >/dev/null || { echo "skip: openssl not installed"; exit 77; }
export WARDWATCH_DB="$T/ww.db"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
    -subj /CN=127.0.0.1 -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1
check "self-signed certificate for 127.0.0.1" $?

mkdir -p "$T/www/eol"
# A newer KEV catalog: the bundled one, re-dated, plus one entry it does not have.
python3 - "$SRC/data/kev/known_exploited_vulnerabilities.json" "$T/www" <<'PY'
import json, sys
cat = json.load(open(sys.argv[1]))
cat["catalogVersion"] = "2026.04.28"
cat["dateReleased"] = "2026-04-28T15:00:00.000Z"
cat["vulnerabilities"].append({"cveID": "CVE-2026-99999", "vendorProject": "Example",
    "product": "Gateway", "vulnerabilityName": "Example Gateway Test Vulnerability",
    "dateAdded": "2026-04-28", "dueDate": "2026-05-19", "knownRansomwareCampaignUse": "Known"})
out = sys.argv[2]
json.dump(cat, open(out + "/kev.json", "w"))
text = json.dumps(cat)
open(out + "/kev-truncated.json", "w").write(text[: len(text) // 2])
json.dump({"title": "not a catalog"}, open(out + "/kev-wrong.json", "w"))
# endoflife.date v1 answer for FortiOS: 7.4 support now ends 2026-05-31.
json.dump({"schema_version": "1.2.0", "result": {"name": "fortios", "label": "FortiOS",
    "releases": [
        {"name": "7.4", "label": "7.4", "releaseDate": "2023-05-11", "isLts": False,
         "isEoas": False, "eoasFrom": "2026-05-31", "isEol": False, "eolFrom": "2026-05-31",
         "isMaintained": True, "latest": {"name": "7.4.8"}},
        {"name": "6.4", "label": "6.4", "releaseDate": "2020-03-31", "isLts": False,
         "isEol": True, "eolFrom": "2024-09-30", "isMaintained": False,
         "latest": {"name": "6.4.16"}}]}}, open(out + "/eol/fortios.json", "w"))
# The older array answer for Ubuntu.
json.dump([
    {"cycle": "24.04", "releaseLabel": "24.04 'Noble Numbat' (LTS)", "releaseDate": "2024-04-25",
     "support": "2029-05-31", "eol": "2029-05-31", "extendedSupport": "2036-04-25",
     "latest": "24.04.2", "lts": True},
    {"cycle": "22.04", "releaseDate": "2022-04-21", "support": "2024-09-30",
     "eol": "2027-04-01", "extendedSupport": "2032-04-09", "latest": "22.04.5", "lts": True},
    {"cycle": "23.10", "releaseDate": "2023-10-12", "eol": True, "latest": "23.10"}],
    open(out + "/eol/ubuntu.json", "w"))
open(out + "/eol/windows.json", "w").write('{"result": {"releases": ')  # broken
PY
check "test data written" $?

python3 - "$T/www" "$T/cert.pem" "$T/key.pem" "$T/port" >"$T/server.log" 2>&1 <<'PY' &
import functools, http.server, os, ssl, sys
root, cert, key, portfile = sys.argv[1:5]
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=root)
srv = http.server.HTTPServer(("127.0.0.1", 0), handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
PY
SERVER=$!
n=0
while [ ! -s "$T/port" ] && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
[ -s "$T/port" ] || { echo "FAIL the local HTTPS server did not start"; cat "$T/server.log"; exit 1; }
PORT=$(cat "$T/port")
URL="https://127.0.0.1:$PORT"
echo "local HTTPS server on $URL"

# Before: the bundled data.
"$BIN" feeds status >"$T/before.txt"
"$BIN" feeds kev CVE-2026-99999 >/dev/null 2>&1
check "the new CVE is not in the bundled catalog" $(( $? != 1 ))

"$BIN" feeds fetch --cacert "$T/cert.pem" --kev "$URL/kev.json" --eol "$URL/eol/{product}.json" \
    --product fortios --product ubuntu >"$T/fetch.out" 2>"$T/fetch.err"
rc=$?
[ $rc -eq 0 ] || cat "$T/fetch.err"
check "fetch over HTTPS with --cacert exits 0" $rc
grep -q "^kev: fetched 1405 entries from $URL/kev.json$" "$T/fetch.out" &&
    grep -q "^fortios: fetched 2 releases from $URL/eol/fortios.json$" "$T/fetch.out" &&
    grep -q "^ubuntu: fetched 3 releases from $URL/eol/ubuntu.json$" "$T/fetch.out"
check "fetch reports what it stored" $?
"$BIN" feeds kev CVE-2026-99999 | grep -q "ransomware use: known"
check "the fetched catalog is in use" $?
"$BIN" feeds status | grep -E "^kev +kev +imported +1405 .*version 2026.04.28" >/dev/null
check "status: fetched KEV catalog, its version" $?
"$BIN" feeds lookup FortiOS 7.4 | grep -q "security support ends 2026-05-31"
check "fetched end-of-life data (v1 answer) in use" $?
"$BIN" feeds lookup Ubuntu 22.04 | grep -q "security support ends 2027-04-01, extended support ends 2032-04-09"
check "fetched end-of-life data (array answer) in use" $?

# The audit states the fetched catalog's date and does not call it stale.
"$BIN" assets import "$SRC/tests/data/audit/planted.csv" >/dev/null 2>&1
"$BIN" audit --as-of 2026-05-01 --no-history >"$T/audit.txt" 2>/dev/null
grep -q "^CISA KEV catalog dated 2026-04-28, version 2026.04.28$" "$T/audit.txt"
check "audit: fetched KEV date shown, no warning" $?
"$BIN" audit --as-of 2026-06-01 --no-history >"$T/audit2.txt" 2>/dev/null
grep -q "^WARNING: CISA KEV catalog dated 2026-04-28, version 2026.04.28 is 34 days old on 2026-06-01" "$T/audit2.txt"
check "audit: the same catalog is stale 34 days later" $?

# Broken downloads keep the current data.
"$BIN" feeds fetch --only kev --cacert "$T/cert.pem" --kev "$URL/kev-truncated.json" >/dev/null 2>"$T/bad1.err"
check "truncated catalog: exit 1" $(( $? != 1 ))
grep -q "^kev: not updated, the current data is kept: KEV catalog: malformed JSON" "$T/bad1.err"
check "truncated catalog: said, and why" $?
"$BIN" feeds fetch --only kev --cacert "$T/cert.pem" --kev "$URL/kev-wrong.json" >/dev/null 2>"$T/bad2.err"
check "JSON that is not a catalog: exit 1" $(( $? != 1 ))
"$BIN" feeds fetch --only kev --cacert "$T/cert.pem" --kev "$URL/missing.json" >/dev/null 2>"$T/bad3.err"
check "404: exit 1" $(( $? != 1 ))
grep -q "404" "$T/bad3.err"
check "404 is reported" $?
"$BIN" feeds fetch --only kev --kev "$URL/kev.json" >/dev/null 2>"$T/bad4.err"
check "untrusted certificate (no --cacert): exit 1" $(( $? != 1 ))
grep -qi "certificate" "$T/bad4.err"
check "untrusted certificate is reported" $?
"$BIN" feeds fetch --only kev --kev "http://127.0.0.1:$PORT/kev.json" >/dev/null 2>"$T/bad5.err"
check "plain http refused: exit 1" $(( $? != 1 ))
grep -q "only https:// URLs" "$T/bad5.err"
check "plain http refused: said" $?
"$BIN" feeds fetch --only eol --cacert "$T/cert.pem" --eol "$URL/eol/{product}.json" \
    --product windows --product nosuchproduct >/dev/null 2>"$T/bad6.err"
check "broken and missing products: exit 1" $(( $? != 1 ))
grep -q "^windows: not updated" "$T/bad6.err" && grep -q "^nosuchproduct: not updated" "$T/bad6.err"
check "each failed product is named" $?
"$BIN" feeds status | grep -E "^kev +kev +imported +1405 .*version 2026.04.28" >/dev/null &&
    "$BIN" feeds lookup "Windows 10" 22H2 | grep -q "security support ends 2025-10-14"
check "after the failures the data in use is unchanged" $?
"$BIN" feeds fetch --only ubuntu >/dev/null 2>&1
check "bad --only exits 2" $(( $? != 2 ))

[ $fails -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all feeds fetch checks passed"
