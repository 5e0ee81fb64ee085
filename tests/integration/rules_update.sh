#!/bin/sh
# `wardwatch rules update`: installing SigmaHQ sets from a zip, a tar.gz and a folder;
# refusing a set that loads worse (more rejected, far fewer) unless --force; saying what
# changed by id and title; rolling back; broken and hostile archives keeping the rules
# in use; --fetch over HTTPS from a server on 127.0.0.1 with a self-signed certificate
# made here (never the internet).
set -u
BIN=${WW_BIN:?}
SRC=${WW_SRC:?}
T=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$T"' EXIT
fails=0
check() { # check NAME CONDITION-RESULT
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }
export WARDWATCH_HOME="$T/home"
SAMPLE="$SRC/tests/data/sample"
S="$SRC/rules/sigmahq"
release() { "$BIN" rules status | sed -n 's/^  release *//p'; }
loaded() { sed -n 's/^wardwatch hunt: .*, \([0-9]*\) rules + \([0-9]*\) correlations.*/\1 \2/p' "$1" |
    awk '{print $1 + $2}'; }

# Small sets made of real SigmaHQ rules.  v1: 60 process-creation rules and 10
# threat-hunting ones.  v2: two removed, five added, one with a new modified date.
mkdir -p "$T/v1/rules/windows" "$T/v1/rules-threat-hunting"
ls "$S/rules/windows/process_creation" | sort | head -65 >"$T/names"
head -60 "$T/names" | while read -r f; do cp "$S/rules/windows/process_creation/$f" "$T/v1/rules/windows/"; done
find "$S/rules-threat-hunting" -name '*.yml' | sort | head -10 | while read -r f; do
    cp "$f" "$T/v1/rules-threat-hunting/"; done
cp "$S/LICENSE" "$T/v1/"
cp -r "$T/v1" "$T/v2"
gone1=$(sed -n 1p "$T/names"); gone2=$(sed -n 2p "$T/names"); changed=$(sed -n 10p "$T/names")
rm "$T/v2/rules/windows/$gone1" "$T/v2/rules/windows/$gone2"
sed -n 61,65p "$T/names" | while read -r f; do cp "$S/rules/windows/process_creation/$f" "$T/v2/rules/windows/"; done
if grep -q '^modified:' "$T/v2/rules/windows/$changed"; then
    sed -i 's/^modified: .*/modified: 2030-01-01/' "$T/v2/rules/windows/$changed"
else
    sed -i 's/^date: .*/&\nmodified: 2030-01-01/' "$T/v2/rules/windows/$changed"
fi
gone1_id=$(sed -n 's/^id: //p' "$S/rules/windows/process_creation/$gone1")
new1_id=$(sed -n 's/^id: //p' "$S/rules/windows/process_creation/$(sed -n 61p "$T/names")")
new1_title=$(sed -n 's/^title: //p' "$S/rules/windows/process_creation/$(sed -n 61p "$T/names")")
# v3: v2 with one rule broken (its condition names no selection).
cp -r "$T/v2" "$T/v3"
broken=$(sed -n 20p "$T/names")
sed -i 's/^    condition: .*/    condition: no_such_selection/' "$T/v3/rules/windows/$broken"
broken_id=$(sed -n 's/^id: //p' "$T/v3/rules/windows/$broken")

# zip: sigma_all_rules.zip style (folders at the top); tar.gz: a repository tarball
# (everything under sigma-<tag>/).
mkzip() { # mkzip DIR ZIP
    python3 - "$1" "$2" <<'PY'
import os, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for f in sorted(files):
            p = os.path.join(root, f)
            z.write(p, os.path.relpath(p, src))
PY
}
mkzip "$T/v1" "$T/v1.zip"
mkzip "$T/v3" "$T/v3.zip"
mkdir -p "$T/tgz/sigma-r2030-02-01" && cp -r "$T/v2/." "$T/tgz/sigma-r2030-02-01/"
tar -czf "$T/v2.tar.gz" -C "$T/tgz" sigma-r2030-02-01

# 1. Against the shipped release (~3,700 rules), 70 rules are far fewer: refused.
"$BIN" rules update "$T/v1.zip" >"$T/u1" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "^refused: it has 70 usable rules, under 90% of" "$T/u1" &&
    [ "$(release)" = r2026-07-01 ] && [ ! -e "$T/home/sigmahq/current" ]
check "a set with far fewer rules is refused; the shipped one stays" $?
[ -z "$(ls -A "$T/home/sigmahq" | grep -v '^\.lock$')" ]
check "a refused set leaves nothing behind" $?

# 2. --force installs it; hunt then uses it.
"$BIN" rules update --force --release v1 "$T/v1.zip" >"$T/u2" 2>&1
rc=$?
[ $rc = 0 ] && grep -q "^installed (--force)" "$T/u2" && [ "$(release)" = v1 ]
check "--force installs it" $?
"$BIN" hunt --format summary "$SAMPLE" >"$T/h2" 2>/dev/null
p=$("$BIN" hunt --no-sigmahq --format summary "$SAMPLE" 2>/dev/null | tee "$T/hp" >/dev/null; loaded "$T/hp")
[ "$(loaded "$T/h2")" = "$((p + 70))" ] && grep -q "^rules: wardwatch pack + SigmaHQ v1 (installed by rules update)" "$T/h2"
check "hunt loads the installed set instead of the shipped one" $?
grep -q "Detection Rule License" "$T/home/sigmahq/current/LICENSE" &&
    grep -q "^source: $T/v1.zip$" "$T/home/sigmahq/current/RELEASE"
check "the installed set keeps its licence and records its source" $?

# 3. A repository tarball: the release name comes from its folder; changes by id.
"$BIN" rules update "$T/v2.tar.gz" >"$T/u3" 2>&1
rc=$?
[ $rc = 0 ] && [ "$(release)" = r2030-02-01 ] &&
    grep -q "^changes: 5 added, 2 removed, 1 updated (a new modified date), 0 now rejected$" "$T/u3"
check "tar.gz: installed, release name found, changes counted" $?
grep -q "^  - removed  $gone1_id  " "$T/u3" && grep -q "^  + added    $new1_id  $new1_title$" "$T/u3"
check "added and removed rules are listed by id and title" $?

# 4. More rejected rules: refused, the broken rule named with its reason; --force
#    installs.
"$BIN" rules update "$T/v3.zip" >"$T/u4" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "1 now rejected" "$T/u4" && grep -q "^  ! rejected $broken_id  " "$T/u4" &&
    grep -q "$broken:[0-9]*:[0-9]*: .*no_such_selection" "$T/u4" &&
    grep -q "^refused: it has 1 rejected rules, the rules in use 0" "$T/u4" &&
    [ "$(release)" = r2030-02-01 ]
check "a set with more rejected rules is refused and the rule named" $?

# 5. A checkout folder (with a git HEAD): the commit is recorded.
cp -r "$T/v2" "$T/checkout"
mkdir -p "$T/checkout/.git/refs/heads"
echo "ref: refs/heads/master" >"$T/checkout/.git/HEAD"
echo 0123456789abcdef0123456789abcdef01234567 >"$T/checkout/.git/refs/heads/master"
"$BIN" rules update --release from-dir "$T/checkout" >"$T/u5" 2>&1
rc=$?
[ $rc = 0 ] && "$BIN" rules status | grep -q "^  commit *0123456789abcdef0123456789abcdef01234567$" &&
    grep -q "^changes: 0 added, 0 removed, 0 updated" "$T/u5"
check "a checkout folder installs, with its commit" $?

# 6. Rollback goes back one set, and again forward; only two sets are kept.
"$BIN" rules update --rollback >"$T/rb" 2>&1 && [ "$(release)" = r2030-02-01 ]
check "--rollback returns to the previous set" $?
"$BIN" rules update --rollback >/dev/null 2>&1 && [ "$(release)" = from-dir ]
check "--rollback again undoes the rollback" $?
[ "$(ls -d "$T/home/sigmahq"/set-* | wc -l)" = 2 ]
check "only the current and the previous set are kept" $?

# 7. Broken archives keep the rules in use (exit 2, saying why).
head -c 2000 "$T/v1.zip" >"$T/cut.zip"
head -c 3000 "$T/v2.tar.gz" >"$T/cut.tar.gz"
head -c 4096 /dev/urandom >"$T/random.zip"
: >"$T/empty.zip"
printf 'not a zip at all\n' >"$T/text.zip"
mkdir "$T/norules" && echo hi >"$T/norules/README.md" && mkzip "$T/norules" "$T/norules.zip"
for f in cut.zip cut.tar.gz random.zip empty.zip text.zip norules.zip; do
    "$BIN" rules update --force "$T/$f" >"$T/b.out" 2>"$T/b.err"
    rc=$?
    [ $rc = 2 ] && grep -q "rules update: $T/$f: .*the rules in use are unchanged" "$T/b.err" &&
        [ "$(release)" = from-dir ]
    check "a broken archive ($f) keeps the rules in use" $?
done
[ -z "$(ls -a "$T/home/sigmahq" | grep '^\.stage')" ] && [ "$(ls -d "$T/home/sigmahq"/set-* | wc -l)" = 2 ]
check "failed updates leave nothing behind" $?

# 8. A hostile archive: paths out of the folder, links and devices are never written.
python3 - "$T/v2" "$T/evil.zip" <<'PY'
import os, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w") as z:
    for root, dirs, files in os.walk(src):
        for f in files:
            p = os.path.join(root, f)
            z.write(p, os.path.relpath(p, src))
    z.writestr("../escaped.yml", "title: x\n")
    z.writestr("/tmp/absolute-wardwatch-test.yml", "title: x\n")
    link = zipfile.ZipInfo("rules/link.yml")
    link.external_attr = (0o120777 << 16)
    z.writestr(link, "/etc/passwd")
PY
"$BIN" rules update --release evil "$T/evil.zip" >"$T/e.out" 2>"$T/e.err"
rc=$?
[ $rc = 0 ] && grep -q "3 entries not extracted" "$T/e.err" && [ ! -e "$T/home/sigmahq/escaped.yml" ] &&
    [ ! -e "$T/home/escaped.yml" ] && [ ! -e /tmp/absolute-wardwatch-test.yml ] &&
    [ -z "$(find "$T/home" -type l ! -name current ! -name previous)" ]
check "unsafe entries are skipped and named, the rest installed" $?

# 9. --fetch over HTTPS from 127.0.0.1, with a certificate made here.
if ! command -v openssl >/dev/null; then
    echo "skip: no openssl for the HTTPS part"
    echo "$fails failed"
    [ $fails = 0 ] || exit 1
    exit 77
fi
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
    -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1
mkdir -p "$T/www/releases/download/r2030-03-01"
mkzip "$T/v3" "$T/www/releases/download/r2030-03-01/sigma_all_rules.zip"
cp "$T/cut.zip" "$T/www/broken.zip"
python3 - "$T" <<'PY' &
import http.server, os, ssl, sys
t = sys.argv[1]
os.chdir(os.path.join(t, "www"))
class H(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        # GitHub's /releases/latest/download/NAME redirects to the tagged file.
        if self.path == "/releases/latest/download/sigma_all_rules.zip":
            self.send_response(302)
            self.send_header("Location", "/releases/download/r2030-03-01/sigma_all_rules.zip")
            self.end_headers()
            return
        return super().do_GET()
    def log_message(self, *a):
        pass
srv = http.server.HTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(os.path.join(t, "cert.pem"), os.path.join(t, "key.pem"))
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(os.path.join(t, "port.tmp"), "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(os.path.join(t, "port.tmp"), os.path.join(t, "port"))
srv.serve_forever()
PY
PID=$!
i=0
while [ ! -s "$T/port" ] && [ $i -lt 300 ] && kill -0 $PID 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
PORT=$(cat "$T/port" 2>/dev/null)
[ -n "$PORT" ]
check "the loopback HTTPS server started" $?
URL="https://127.0.0.1:$PORT"

"$BIN" rules update --url "$URL/releases/latest/download/sigma_all_rules.zip" >"$T/f1" 2>"$T/f1.err"
[ $? = 2 ] && grep -qi "certificate" "$T/f1.err" && [ "$(release)" = evil ]
check "--fetch without the test CA fails on the certificate; rules unchanged" $?
"$BIN" rules update --url "$URL/releases/latest/download/sigma_all_rules.zip" --cacert "$T/cert.pem" \
    >"$T/f2" 2>"$T/f2.err"
[ $? = 1 ] && grep -q "^refused: it has 1 rejected rules" "$T/f2"
check "--fetch checks the download like any other set (refused: worse)" $?
"$BIN" rules update --fetch --url "$URL/releases/latest/download/sigma_all_rules.zip" \
    --cacert "$T/cert.pem" --force >"$T/f3" 2>"$T/f3.err"
rc=$?
[ $rc = 0 ] && [ "$(release)" = r2030-03-01 ] &&
    "$BIN" rules status | grep -q "^  source *$URL/releases/download/r2030-03-01/sigma_all_rules.zip$"
check "--fetch --force installs, naming the release from the redirect" $?
"$BIN" rules update --url "$URL/broken.zip" --cacert "$T/cert.pem" --force >/dev/null 2>"$T/f4.err"
[ $? = 2 ] && grep -q "the rules in use are unchanged" "$T/f4.err" && [ "$(release)" = r2030-03-01 ]
check "--fetch of a broken archive keeps the rules in use" $?
"$BIN" rules update --url "$URL/missing.zip" --cacert "$T/cert.pem" >/dev/null 2>"$T/f5.err"
[ $? = 2 ] && grep -q "HTTP 404" "$T/f5.err"
check "--fetch of a missing file says HTTP 404" $?
"$BIN" rules update --url "http://127.0.0.1:$PORT/x.zip" >/dev/null 2>"$T/f6.err"
[ $? = 2 ] && grep -q "only https://" "$T/f6.err"
check "--fetch refuses plain http" $?

echo "$fails failed"
[ $fails = 0 ]
