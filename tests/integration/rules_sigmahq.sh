#!/bin/sh
# The SigmaHQ release shipped in rules/sigmahq/: hunt loads it by default beside the
# pack (>= 3,700 rules), --no-sigmahq and --no-default-rules turn it off, loading rules/
# still means the pack alone, and rules refused for a missing or bad placeholder are
# counted and named in the summary; the site's placeholders.yml in WARDWATCH_HOME fills
# them in.
set -u
BIN=${WW_BIN:?}
SRC=${WW_SRC:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
check() { # check NAME CONDITION-RESULT
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
export WARDWATCH_HOME="$T/home"
SAMPLE="$SRC/tests/data/sample"
# "wardwatch hunt: ... N rules + M correlations": N + M.
loaded() { sed -n 's/^wardwatch hunt: .*, \([0-9]*\) rules + \([0-9]*\) correlations.*/\1 \2/p' "$1" |
    awk '{print $1 + $2}'; }

# The shipped release: its licence, release name, commit and date are recorded.
S="$SRC/rules/sigmahq"
grep -q "Detection Rule License" "$S/LICENSE" && grep -q "^release: r2026-07-01$" "$S/RELEASE" &&
    grep -q "^commit: [0-9a-f]\{40\}$" "$S/RELEASE" && grep -q "^date: 2026-" "$S/RELEASE"
check "the shipped release carries its licence and RELEASE (name, commit, date)" $?

# Default: the pack plus SigmaHQ.
"$BIN" hunt --format summary "$SAMPLE" >"$T/sum" 2>"$T/sum.err"
rc=$?
n=$(loaded "$T/sum")
[ $rc = 1 ] && [ "${n:-0}" -ge 3700 ]
check "hunt loads >= 3,700 rules by default ($n)" $?
grep -q "^rules: wardwatch pack + SigmaHQ r2026-07-01 (shipped)" "$T/sum"
check "the summary names the rule sets loaded" $?
grep -q "Lsass Memory Dump via Comsvcs DLL" "$T/sum" && grep -q "LSASS Memory Dump via comsvcs.dll MiniDump" "$T/sum"
check "SigmaHQ's and the pack's rules both fire on the sample" $?

# Rules waiting for placeholders: counted, named, grouped by placeholder.
w=$(sed -n 's/^\([0-9]*\) rules not used: placeholder values missing or bad.*/\1/p' "$T/sum")
[ "${w:-0}" -ge 10 ] && grep -q "^  %Admins_Workstations%: .*User with Privileges Logon" "$T/sum" &&
    grep -q "set them in $T/home/placeholders.yml" "$T/sum"
check "the summary names the rules waiting for placeholder values ($w)" $?
grep -q "could not be used" "$T/sum.err"
check "placeholder rules are not reported as broken" $(( $? == 0 ))
"$BIN" hunt "$SAMPLE" >/dev/null 2>"$T/table.err"
grep -q "^wardwatch: $w rules wait for placeholder values" "$T/table.err"
check "other formats count them on stderr" $?

# The off switches.
"$BIN" hunt --no-sigmahq --format summary "$SAMPLE" >"$T/pack" 2>/dev/null
n=$(loaded "$T/pack")
[ "${n:-0}" -ge 25 ] && [ "$n" -lt 200 ] && grep -q "^rules: wardwatch pack; 0 not used" "$T/pack"
check "--no-sigmahq loads the pack alone ($n)" $?
cat >"$T/one.yml" <<'EOF'
title: Only Rule
id: 0b5c3c36-49a5-4d6f-9c1e-4d0c1f8f8a01
logsource: {product: linux}
detection:
  sel: {message|contains: 'Failed password'}
  condition: sel
level: low
EOF
"$BIN" hunt --no-default-rules --rules "$T/one.yml" --format summary "$SAMPLE" >"$T/only" 2>/dev/null
[ "$(loaded "$T/only")" = 1 ] && grep -q "^rules: 1 --rules path;" "$T/only"
check "--no-default-rules loads only --rules" $?
"$BIN" hunt --rules "$T/one.yml" --format summary "$SAMPLE" >"$T/more" 2>/dev/null
[ "$(loaded "$T/more")" = "$(( $(loaded "$T/sum") + 1 ))" ]
check "--rules adds to the default" $?

# Loading rules/ is the pack alone: the release inside it is a set of its own.
"$BIN" rules check "$SRC/rules" >"$T/check" 2>&1
n=$(sed -n 's/^\([0-9]*\) rules usable.*/\1/p' "$T/check")
[ "${n:-0}" -ge 25 ] && [ "$n" -lt 200 ]
check "rules check rules/ does not load rules/sigmahq ($n)" $?

# The site's placeholders file fills two rules in; a bad network value is named.
mkdir -p "$T/home"
cat >"$T/home/placeholders.yml" <<'EOF'
placeholders:
  Admins_Workstations: ['ADM-*', 'PAW-*']
  MedicalDeviceNetworks: ['not-a-network']
EOF
"$BIN" hunt --format summary "$SAMPLE" >"$T/site" 2>"$T/site.err"
w2=$(sed -n 's/^\([0-9]*\) rules not used: placeholder values missing or bad.*/\1/p' "$T/site")
grep -q "%Admins_Workstations%" "$T/site"
admins=$?
med=$(grep "^  %MedicalDeviceNetworks%: " "$T/site")
m=$(printf '%s\n' "$med" | awk -F'; ' '{print NF}')
[ $admins = 1 ] && case "$med" in *"Medical Device Using Remote-Administration"*) true ;; *) false ;; esac &&
    [ "$w2" = "$((w - 2 + m))" ] && grep -q "set them in $T/home/placeholders.yml" "$T/site"
check "site placeholders: filled ones run, a bad value is named ($w -> $w2)" $?
"$BIN" rules check "$SRC/rules/sigmahq/rules-placeholder" >"$T/phcheck" 2>&1
grep -q "User with Privileges Logon" "$T/phcheck"
check "rules check uses the site's placeholders too" $(( $? == 0 ))
printf 'placeholders:\n  Admins_Workstations: [ADM-*\n' >"$T/home/placeholders.yml"
"$BIN" hunt --format summary "$SAMPLE" >/dev/null 2>"$T/badsite.err"
[ $? = 2 ] && grep -q "$T/home/placeholders.yml:[0-9]*:[0-9]*: " "$T/badsite.err"
check "a malformed site placeholders file is an error with file:line:col" $?
rm "$T/home/placeholders.yml"

# A WARDWATCH_RULES pack without a release: hunt says so and goes on.
cp -r "$SRC/rules/windows" "$T/ownpack"
WARDWATCH_RULES="$T/ownpack" "$BIN" hunt --format summary "$SAMPLE" >"$T/own" 2>"$T/own.err"
[ $? -le 1 ] && grep -q "no SigmaHQ rules" "$T/own.err" && grep -q "^rules: wardwatch pack;" "$T/own"
check "a pack without a shipped release: hunt warns and runs" $?

echo "$fails failed"
[ $fails = 0 ]
