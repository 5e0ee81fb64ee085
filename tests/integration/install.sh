#!/bin/sh
# make install's layout works on its own: cmake --install into a staging DESTDIR, then
# the installed binary finds the installed rules and data (not the source tree's), and
# the manual page renders.
set -u
BIN=${WW_BIN:?}
SRC=${WW_SRC:?}
BUILD=$(dirname "$BIN")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
check() { # check NAME CONDITION-RESULT
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
command -v cmake >/dev/null || { echo "skip: no cmake"; exit 77; }

DESTDIR="$T/stage" cmake --install "$BUILD" --prefix /usr >"$T/install.log" 2>&1
check "cmake --install into a DESTDIR" $?
W="$T/stage/usr/bin/wardwatch"
S="$T/stage/usr/share"
[ -x "$W" ] && [ -f "$S/wardwatch/rules/sigmahq/RELEASE" ] &&
    [ -f "$S/wardwatch/rules/sigmahq/LICENSE" ] &&
    [ -f "$S/wardwatch/data/kev/known_exploited_vulnerabilities.json" ] &&
    [ -f "$S/man/man1/wardwatch.1" ] && [ -f "$S/doc/wardwatch/hunting.md" ]
check "binary, pack, SigmaHQ release with its licence, data, man page and docs installed" $?

# The installed copy is the one used: take one rule file out of the installed pack and
# the installed binary must load fewer rules than the build's binary.
unset WARDWATCH_RULES WARDWATCH_DATA
n_build=$("$BIN" hunt --format summary --no-sigmahq "$SRC/tests/data/sample" 2>/dev/null |
    sed -n 's/.* events ([0-9]* malformed), \([0-9]*\) rules.*/\1/p')
victim=$(find "$S/wardwatch/rules" -path '*/sigmahq' -prune -o -name '*.yml' -print |
    grep -v placeholders | grep -v '\.tests/' | head -1)
rm -f "$victim"
n_inst=$("$W" hunt --format summary --no-sigmahq "$SRC/tests/data/sample" 2>/dev/null |
    sed -n 's/.* events ([0-9]* malformed), \([0-9]*\) rules.*/\1/p')
[ -n "$n_build" ] && [ -n "$n_inst" ] && [ "$n_inst" -lt "$n_build" ]
check "the installed binary loads the installed pack ($n_inst vs $n_build rules)" $?
"$W" hunt --format summary "$SRC/tests/data/sample" >"$T/sum" 2>/dev/null
grep -q "SigmaHQ r2026-07-01" "$T/sum"
check "the installed binary loads the installed SigmaHQ release" $?

# The installed data: hide the installed KEV catalog and the audit must say it is missing
# (it would not, were it reading the source tree's).
"$W" feeds --db "$T/a.db" status >"$T/feeds1" 2>&1
mv "$S/wardwatch/data/kev" "$S/wardwatch/data/kev.hidden"
"$W" feeds --db "$T/a.db" status >"$T/feeds2" 2>&1
! cmp -s "$T/feeds1" "$T/feeds2"
check "the installed binary reads the installed reference data" $?

if command -v man >/dev/null; then
    MANWIDTH=80 man -l "$S/man/man1/wardwatch.1" 2>/dev/null | grep -q "rules update"
    check "man wardwatch renders and covers the subcommands" $?
fi

echo "$fails failed"
[ $fails = 0 ]
