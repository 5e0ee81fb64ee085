#!/bin/sh
# scripts/docs-examples itself, on Markdown files written here: --check passes on blocks
# that match and fails with a diff on one that does not, --update rewrites only the
# marked blocks, masks and line selection, setups, exit statuses, stderr, indented
# blocks, shared-only examples skipped, and markers it must refuse (an unmarked
# transcript, a missing setup).  The real documentation is checked by docs/examples.
set -u
BIN=${WW_BIN:?}
SRC=${WW_SRC:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
DX="python3 $SRC/scripts/docs-examples"
fails=0
check() { # check NAME CONDITION-RESULT
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}

# ---- a file whose every example matches ------------------------------------------
cat >"$T/good.md" <<'EOF'
# Good

<!-- example-setup: two-lines
printf 'one\ntwo\n' >setup.txt
-->
<!-- example: printf 'alpha\n\nbeta   \n\n\n' -->
```text
alpha

beta
```

Masks, with the temporary folder and the home folder replaced:

<!-- example
run: echo "took 0.61 s, loaded in 12 ms, on 2026-12-03 at 2026-12-03T10:00:00Z in $TMP and $HOME/x"
mask: duration
mask: datetime
mask: date
mask: in <tmp> => somewhere
-->
```
took <time>, loaded in <time>, on <date> at <datetime> somewhere and ~/x
```

<!-- example
cwd: $TMP
setup: @two-lines
prompt: yes
run: cat setup.txt; echo three; echo err >&2; exit 3
exit: 3
show: cat setup.txt
grep: ^t
lines: 2, "  ...", 1
run: wardwatch decode --nonsense
exit: 2
stderr: merge
lines: 1
-->
```
$ cat setup.txt
three
  ...
two
$ wardwatch decode --nonsense
decode: unrecognized option '--nonsense'
```

1. In a list:

   <!-- example: printf 'in\nthe list\n' -->
   ```
   in
   the list
   ```

<!-- example
run: ls "$WW_SHARED"
needs: shared
-->
```
whatever is in the shared folder
```

<!-- example-static: shows what a root-only command printed -->
```
$ sudo something
anything at all
```
EOF
cp "$T/good.md" "$T/good.orig"

env -u WW_SHARED $DX --check --bin "$BIN" "$T/good.md" >"$T/out" 2>&1
rc=$?
[ $rc = 0 ] || cat "$T/out"
check "--check passes when every block matches (masks, setup, exit, stderr, lines, prompt)" $rc
grep -q "^skip .*good.md:.*needs ../shared" "$T/out" &&
    grep -q "4 up to date, 0 drifted, 0 failed to run, 1 skipped, 1 static" "$T/out"
check "--check skips a shared-only example without WW_SHARED and counts the static one" $?

env -u WW_SHARED $DX --update --bin "$BIN" "$T/good.md" >/dev/null 2>&1 &&
    cmp -s "$T/good.md" "$T/good.orig"
check "--update leaves a file whose blocks match byte for byte as it was" $?

$DX --list "$T/good.md" >"$T/list" 2>&1
grep -q "good.md:.* static   shows what a root-only command printed" "$T/list" &&
    grep -q "^5 live, 1 static" "$T/list" && grep -q "live(shared)" "$T/list"
check "--list names the static examples and counts live ones" $?

# ---- drift -------------------------------------------------------------------------
sed -e 's/^beta$/gamma/' -e 's/^   the list$/   the lost/' "$T/good.orig" >"$T/drift.md"
env -u WW_SHARED $DX --check --bin "$BIN" "$T/drift.md" >"$T/out" 2>&1
rc=$?
check "--check exits 1 on drifted blocks" $(( rc != 1 ))
grep -q "^-gamma$" "$T/out" && grep -q "^+beta$" "$T/out" &&
    grep -q "^-the lost$" "$T/out" && grep -q "^+the list$" "$T/out" &&
    grep -q "drift.md:6 (in the doc)" "$T/out" && grep -q "2 drifted" "$T/out"
check "--check lists every drifted block, with its file:line and a diff" $?

env -u WW_SHARED $DX --update --bin "$BIN" "$T/drift.md" >/dev/null 2>&1 &&
    cmp -s "$T/drift.md" "$T/good.orig"
check "--update rewrites drifted blocks (also indented ones) and nothing else" $?

# ---- a command that does not behave as its marker says ----------------------------
cat >"$T/bad.md" <<'EOF'
<!-- example: wardwatch decode --nonsense -->
```
```

<!-- example
setup: false
run: echo never
-->
```
never
```
EOF
cp "$T/bad.md" "$T/bad.orig"
$DX --update --bin "$BIN" "$T/bad.md" >"$T/out" 2>&1
rc=$?
check "an unexpected exit status or a failing setup is an error" $(( rc != 1 ))
grep -q "bad.md:1: .*exited 2, the marker says 0" "$T/out" &&
    grep -q "bad.md:5: setup \`false\` exited 1" "$T/out" && cmp -s "$T/bad.md" "$T/bad.orig"
check "... naming the example and the status, and --update leaves those blocks alone" $?

# ---- markers that are refused ------------------------------------------------------
refused() { # refused NAME EXPECTED-MESSAGE (the Markdown on stdin)
    cat >"$T/r.md"
    $DX --check --bin "$BIN" "$T/r.md" >"$T/out" 2>&1
    rc=$?
    [ $rc = 2 ] && grep -q "$2" "$T/out"
    r=$?
    [ $r = 0 ] || cat "$T/out"
    check "refused: $1" $r
}
printf 'Text\n\n```\n$ wardwatch hunt x\nout\n```\n' |
    refused "a transcript without a marker" "r.md:3: a transcript"
printf '<!-- example\nsetup: @nowhere\nrun: true\n-->\n```\n```\n' |
    refused "a named setup that is not defined" "r.md:1: no <!-- example-setup: nowhere"
printf '<!-- example: true -->\n\nJust text.\n' |
    refused "a marker not followed by a block" "r.md:1: the marker is not followed"
printf '<!-- example\nrn: true\n-->\n```\n```\n' |
    refused "an unknown key" "r.md:1: 'rn: true' is not 'key: value'"
printf '<!-- example\nrun: true\nlines: 3-1\n-->\n```\n```\n' |
    refused "a backwards range" "bad range '3-1'"
printf '<!-- example-static -->\n```\n$ x\n```\n' |
    refused "a static marker without a reason" "saying why"

echo "$fails failed"
[ $fails = 0 ]
