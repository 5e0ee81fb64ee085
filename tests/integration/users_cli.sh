#!/bin/sh
# wardwatch users end to end against a temporary store: add with a one-time password
# or one from standard input (the policy refuses common ones), TOTP URIs for the roles
# that need them (and a QR code on request), list as a table and NDJSON without any
# secret, disable/enable, reset (new password, new TOTP secret), role changes, tokens
# (shown once, stored hashed, revoked), the audit log as table, NDJSON and CSV, its
# chain verified and an edit of the file caught (exit 1), and the errors (exit 2).
set -u
BIN=${WW_BIN:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
DB="$T/ww.db"
fails=0
check() { # check NAME CONDITION-RESULT
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
U() { "$BIN" users --db "$DB" "$@"; }

# ---- add ----
U add Alice --role admin --display "Alice Admin" --no-qr >"$T/out" 2>"$T/err"
check "add admin exits 0" $?
grep -q "^added alice (admin)$" "$T/out"
check "the name is folded to lower case" $?
OTP=$(sed -n 's/^one-time password (shown once; to be changed at the first login): //p' "$T/out")
echo "$OTP" | grep -Eq '^[a-z2-9]{5}(-[a-z2-9]{5}){3}$'
check "a one-time password is printed" $?
URI=$(grep '^otpauth://' "$T/out")
echo "$URI" | grep -Eq '^otpauth://totp/wardwatch:alice\?secret=[A-Z2-7]{32}&issuer=wardwatch$'
check "an admin gets a TOTP URI (160-bit secret, base32)" $?
SECRET=$(echo "$URI" | sed 's/.*secret=\([A-Z2-7]*\).*/\1/')
[ "$(stat -c %a "$DB")" = 600 ]
check "the store is private (0600)" $?

echo "correct horse battery staple" | U add bob --role analyst --password-stdin >"$T/out" 2>"$T/err"
check "add with --password-stdin exits 0" $?
! grep -q "one-time password\|otpauth" "$T/out"
check "an analyst with a chosen password gets no secrets printed" $?

U add quinn --role viewer --totp --qr >"$T/out" 2>"$T/err"
check "add --totp --qr exits 0" $?
grep -q "^otpauth://totp/wardwatch:quinn?secret=" "$T/out"
check "--totp enrols a viewer too" $?
[ "$(grep -c '█' "$T/out")" -gt 10 ]
check "--qr draws the QR code" $?

echo "Password2024!" | U add carl --role viewer --password-stdin >"$T/out" 2>"$T/err"
check "a common password exits 2" $(( $? != 2 ))
grep -q "common password" "$T/err"
check "and says why" $?
echo "short one" | U add carl --role viewer --password-stdin >"$T/out" 2>"$T/err"
check "a short password exits 2" $(( $? != 2 ))
grep -q "at least 12" "$T/err"
check "and says the minimum" $?
printf '' | U add carl --role viewer --password-stdin >"$T/out" 2>"$T/err"
check "an empty standard input exits 2" $(( $? != 2 ))
head -c 2000 /dev/zero | tr '\0' 'x' | U add carl --role viewer --password-stdin >"$T/out" 2>"$T/err"
check "a password over 1024 bytes exits 2" $(( $? != 2 ))
grep -q "longer than 1024" "$T/err"
check "and says the maximum" $?
U add carl --role root >"$T/out" 2>"$T/err"
check "an unknown role exits 2" $(( $? != 2 ))
grep -q "unknown role 'root'" "$T/err"
check "and names it" $?
U add carl >"$T/out" 2>"$T/err"
check "add without --role exits 2" $(( $? != 2 ))
U add "bad name" --role viewer >"$T/out" 2>"$T/err"
check "a name with a space exits 2" $(( $? != 2 ))
U add ALICE --role viewer >"$T/out" 2>"$T/err"
check "a name taken (any case) exits 2" $(( $? != 2 ))
grep -q "already a user named alice" "$T/err"
check "and says so" $?

# ---- list ----
U list >"$T/list" 2>"$T/err"
check "list exits 0" $?
grep -Eq '^alice +admin +must-change +enrolled +never +Alice Admin$' "$T/list"
check "list shows role, status, TOTP and last login" $?
grep -Eq '^bob +analyst +active +none ' "$T/list"
check "list shows a chosen-password user as active" $?
U list --format ndjson >"$T/nd" 2>"$T/err"
check "list --format ndjson exits 0" $?
[ "$(wc -l <"$T/nd")" = 3 ]
check "one line per user" $?
python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
a = [r for r in rows if r["name"] == "alice"][0]
assert a["role"] == "admin" and a["totp"] == "enrolled" and a["must_change"] is True
assert a["last_login"] is None and a["display"] == "Alice Admin"
' "$T/nd"
check "NDJSON has the fields" $?
! grep -q "$SECRET" "$T/list" "$T/nd" && ! grep -q "$OTP" "$T/list" "$T/nd"
check "no secret is listed" $?

# ---- disable, enable, role, reset ----
U disable bob >"$T/out" 2>"$T/err"
check "disable exits 0" $?
U list | grep -Eq '^bob +analyst +disabled '
check "bob is disabled" $?
U enable bob >"$T/out" 2>"$T/err"
check "enable exits 0" $?
U list | grep -Eq '^bob +analyst +active '
check "bob is active again" $?
U disable nobody >"$T/out" 2>"$T/err"
check "disable of an unknown user exits 2" $(( $? != 2 ))
grep -q "no user named nobody" "$T/err"
check "and says so" $?
U role bob responder >"$T/out" 2>"$T/err"
check "role exits 0" $?
grep -q "cannot log in until reset with --totp" "$T/out"
check "a responder without TOTP is warned about" $?
U reset bob --totp --no-qr >"$T/out" 2>"$T/err"
check "reset --totp exits 0" $?
grep -q "^otpauth://totp/wardwatch:bob?secret=" "$T/out" && grep -q "^one-time password" "$T/out"
check "reset prints a new one-time password and TOTP URI" $?
U reset alice --totp --no-qr >"$T/out" 2>"$T/err"
NEWSECRET=$(sed -n 's/.*secret=\([A-Z2-7]*\).*/\1/p' "$T/out")
[ -n "$NEWSECRET" ] && [ "$NEWSECRET" != "$SECRET" ]
check "a new TOTP secret differs from the old one" $?
U reset nobody >"$T/out" 2>"$T/err"
check "reset of an unknown user exits 2" $(( $? != 2 ))

# ---- tokens ----
U tokens add siem-export --role analyst >"$T/out" 2>"$T/err"
check "tokens add exits 0" $?
TOKEN=$(grep '^ww_' "$T/out")
echo "$TOKEN" | grep -Eq '^ww_[A-Za-z0-9_-]{43}$'
check "a token is ww_ and 43 base64url characters" $?
U tokens add root-bot --role admin >"$T/out" 2>"$T/err"
check "an admin token is refused (exit 2)" $(( $? != 2 ))
U tokens add siem-export --role viewer >"$T/out" 2>"$T/err"
check "a second live token of one name exits 2" $(( $? != 2 ))
U tokens list >"$T/out" 2>"$T/err"
grep -Eq '^siem-export +analyst +live ' "$T/out"
check "tokens list shows it live" $?
! grep -q "$TOKEN" "$T/out"
check "the token itself is never listed" $?
U tokens revoke siem-export >"$T/out" 2>"$T/err"
check "tokens revoke exits 0" $?
U tokens list --format ndjson | grep -q '"name":"siem-export","role":"analyst","status":"revoked"'
check "a revoked token is listed as revoked" $?
U tokens revoke siem-export >"$T/out" 2>"$T/err"
check "revoking it again exits 2" $(( $? != 2 ))

# Nothing secret in the file: no one-time password, no token (only hashes).
python3 - "$DB" "$OTP" "$TOKEN" <<'EOF'
import sqlite3, sys
db, otp, token = sys.argv[1:]
c = sqlite3.connect(db)
dump = "\n".join(c.iterdump())
assert otp not in dump and token not in dump, "a secret is stored in clear"
assert "$argon2id$v=19$m=65536,t=2,p=1$" in dump, "hashes are Argon2id at the defaults"
EOF
check "the store keeps hashes only (Argon2id, 64 MiB, t=2)" $?

# ---- the audit log ----
U log >"$T/log" 2>"$T/err"
check "log exits 0" $?
grep -Eq '^1 +[0-9-]+ [0-9:]+ +cli:[^ ]+ +user.add +alice +local +role admin, TOTP enrolled' "$T/log"
check "the log names who, when, what, whom and from where" $?
for a in user.add user.disable user.enable user.role user.reset token.add token.revoke; do
    grep -q " $a " "$T/log" || { echo "missing $a"; false; }
    check "the log has $a" $?
done
U log --format ndjson >"$T/log.nd"
python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
assert rows[0]["prev"] == "0" * 64
for a, b in zip(rows, rows[1:]):
    assert b["prev"] == a["hash"]
' "$T/log.nd"
check "NDJSON rows chain by hash" $?
U log --format csv >"$T/log.csv"
head -1 "$T/log.csv" | grep -q '^seq,time,actor,action,target,detail,source,prev,hash$'
check "CSV has its header" $?
python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert rows[0]["action"] == "user.add" and rows[0]["target"] == "alice"
' "$T/log.csv"
check "CSV reads back" $?
! grep -q "$SECRET\|$NEWSECRET\|$TOKEN\|$OTP" "$T/log" "$T/log.nd" "$T/log.csv"
check "no secret in the audit log" $?
U log --verify >"$T/out" 2>"$T/err"
check "verify of an intact log exits 0" $?
grep -Eq '^audit log: [0-9]+ rows, chain intact; head [0-9a-f]{64}' "$T/out"
check "verify prints the rows and the head" $?

# Someone edits the file behind wardwatch's back.
python3 - "$DB" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("DROP TRIGGER auth_audit_no_update")
c.execute("UPDATE auth_audit SET actor='someone-else' WHERE seq=3")
c.commit()
EOF
U log --verify >"$T/out" 2>"$T/err"
check "verify of an edited log exits 1" $(( $? != 1 ))
grep -q "TAMPERED: .*row 3 was changed" "$T/err"
check "and names the row" $?

# ---- usage ----
U frobnicate >"$T/out" 2>"$T/err"
check "an unknown subcommand exits 2" $(( $? != 2 ))
U tokens frob >"$T/out" 2>"$T/err"
check "an unknown tokens subcommand exits 2" $(( $? != 2 ))
U list --format xml >"$T/out" 2>"$T/err"
check "an unknown format exits 2" $(( $? != 2 ))
"$BIN" users --help >"$T/out" 2>&1
check "users --help exits 0" $?
grep -q "tokens add NAME --role ROLE" "$T/out"
check "the help names the subcommands" $?
"$BIN" --help | grep -q "^  users "
check "wardwatch --help lists users" $?

[ "$fails" = 0 ] && echo "users_cli: all passed" || echo "users_cli: $fails failed"
[ "$fails" = 0 ]
