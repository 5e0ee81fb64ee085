#!/bin/sh
# wardwatch's own rule pack: every rule passes its test cases (`rules test`) and loads
# without rejection (`rules check`); `rules test` also fails when it should (a wrong
# count, a rule without cases, a missing sample) and takes the correlation caps.
set -u
BIN=${WW_BIN:?}
SRC=${WW_SRC:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# The pack alone: no site placeholders or installed rule sets from the machine.
export WARDWATCH_HOME="$T/home"
fails=0
check() { # check NAME CONDITION-RESULT
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}

"$BIN" rules test >"$T/test" 2>&1
rc=$?
[ $rc = 0 ] || cat "$T/test"
check "rules test: the whole pack passes its test cases" $rc
grep -q " 0 failed;" "$T/test"
check "rules test prints totals" $?
grep -q "^FAIL" "$T/test"
check "rules test: no rule fails" $(( $? != 1 ))

"$BIN" rules check "$SRC/rules" >"$T/check" 2>&1
rc=$?
[ $rc = 0 ] || cat "$T/check"
check "rules check: the pack loads" $rc
grep -q " 0 rejected" "$T/check"
check "rules check: nothing rejected" $?
n=$(sed -n 's/^\([0-9]*\) rules usable.*/\1/p' "$T/check")
[ "${n:-0}" -ge 25 ]
check "the pack has at least 25 rules ($n)" $?

# The same pack, given as a path (placeholders.yml beside it is picked up).
"$BIN" rules test -q "$SRC/rules" >"$T/test2" 2>&1
check "rules test PATH: the pack passes" $?

# A wrong count in a copy of one rule's cases must fail, naming what was expected.
cp -r "$SRC/rules/windows" "$T/pack"
cat >"$T/pack/security_audit_log_cleared.tests/tests.yml" <<'YML'
cases:
  - file: cleared.json
    expect:
      5f0c8f0e-2b7a-4c55-9d61-3a1c6a2f7b04: 3
YML
"$BIN" rules test "$T/pack" >"$T/wrong" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "FAIL security_audit_log_cleared.tests/cleared.json: expected 3, got 1" "$T/wrong"
check "rules test fails on a wrong count and says expected/got" $?

# A rule without test cases fails.
mkdir "$T/nocases"
cp "$SRC/rules/windows/security_audit_log_cleared.yml" "$T/nocases/"
"$BIN" rules test "$T/nocases" >"$T/nocases.out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "no test cases" "$T/nocases.out"
check "a rule without test cases is a failure" $?

# A single rule file finds its own x.tests/ folder.
"$BIN" rules test "$SRC/rules/windows/security_audit_log_cleared.yml" >"$T/one" 2>&1
rc=$?
[ $rc = 0 ] && grep -q "1 rules: 1 passed" "$T/one"
check "rules test FILE uses FILE's own test folder" $?

# A missing sample and a malformed manifest are errors (exit 2), with where and why.
cp -r "$SRC/rules/windows" "$T/broken"
printf 'cases:\n  - file: nope.json\n    expect: {5f0c8f0e-2b7a-4c55-9d61-3a1c6a2f7b04: 1}\n' \
    >"$T/broken/security_audit_log_cleared.tests/tests.yml"
"$BIN" rules test "$T/broken" >"$T/broken.out" 2>&1
rc=$?
[ $rc = 2 ] && grep -q "nope.json" "$T/broken.out"
check "a missing sample is an error (exit 2)" $?
printf 'cases:\n  - file: cleared.json\n    expect: {5f0c8f0e-2b7a-4c55-9d61-3a1c6a2f7b04: many}\n' \
    >"$T/broken/security_audit_log_cleared.tests/tests.yml"
"$BIN" rules test "$T/broken" >"$T/broken2.out" 2>&1
rc=$?
[ $rc = 2 ] && grep -q "tests.yml:3:.*whole number" "$T/broken2.out"
check "a bad count in a manifest is an error with file and line" $?

# Correlation caps: with one group per correlation, the SSH case still counts, but
# with one event per group kept the counters show up; bad values are refused.
"$BIN" rules test --corr-max-groups 1 --corr-max-events 2 "$SRC/rules/linux" >"$T/caps" 2>&1
grep -q "correlation: .* events not kept" "$T/caps"
check "--corr-max-events is applied and its counter reported" $?
"$BIN" rules test --corr-max-groups 0 >/dev/null 2>"$T/caps.err"
rc=$?
[ $rc = 2 ] && grep -q "corr-max-groups needs a whole number" "$T/caps.err"
check "--corr-max-groups 0 is refused" $?

# A regex that backtracks past PCRE2's match limit on a sample is reported (it would
# otherwise be a silent "no match"), counts as a failure, and names the rule; a title
# with an escape sequence is shown escaped.
mkdir -p "$T/re/slow.tests"
printf 'title: "Slow \\e[31mregex"\nid: 7d7f0d52-0c1e-4f7a-9a55-0b7c2f6e0a01\nlogsource:\n  product: windows\n  service: security\ndetection:\n  sel:\n    SubjectUserName|re: "^(a+)+$"\n  condition: sel\nlevel: low\n' >"$T/re/slow.yml"
long=$(printf 'a%.0s' $(seq 1 60))
printf '{"EventID":4624,"Channel":"Security","SubjectUserName":"aaaa"}\n' >"$T/re/slow.tests/ok.json"
printf '{"EventID":4624,"Channel":"Security","SubjectUserName":"%sb"}\n' "$long" >"$T/re/slow.tests/long.json"
printf 'cases:\n  - file: ok.json\n    expect: {7d7f0d52-0c1e-4f7a-9a55-0b7c2f6e0a01: 1}\n  - file: long.json\n    expect: {7d7f0d52-0c1e-4f7a-9a55-0b7c2f6e0a01: 0}\n' >"$T/re/slow.tests/tests.yml"
"$BIN" rules test "$T/re" >"$T/re.out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "long.json: expected 0, got 0 (1 regex matches hit a PCRE2 limit" "$T/re.out" &&
    grep -q "^FAIL  regex: 1 match ended in a PCRE2 error .*7d7f0d52-0c1e-4f7a-9a55-0b7c2f6e0a01.*limit" "$T/re.out"
rc=$?
[ $rc = 0 ] || cat "$T/re.out"
check "rules test reports a regex that hit PCRE2's limit, and fails" $rc
grep -q 'Slow \\e\[31mregex' "$T/re.out" && ! grep -q "$(printf '\033')" "$T/re.out"
check "rules test escapes control characters in rule titles" $?
printf 'title: "Bad \\e]0;pwned\\a"\nlogsource: {product: windows}\ndetection: {sel: {a|nosuchmod: 1}, condition: sel}\n' >"$T/re/bad.yml"
"$BIN" rules check "$T/re" >"$T/re.check" 2>&1
[ $? = 1 ] && grep -q 'Bad \\e]0;pwned\\x07' "$T/re.check" && ! grep -q "$(printf '\033')" "$T/re.check"
rc=$?
[ $rc = 0 ] || cat "$T/re.check"
check "rules check escapes control characters in titles and messages" $rc

echo "$fails failed"
[ $fails = 0 ]
