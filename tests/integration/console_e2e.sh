#!/bin/sh
# The console end to end, in a real headless Chromium driven by WebDriver (Debian's
# chromium-driver and python3-selenium), against `wardwatch serve` receiving an attack
# over syslog: sign in with password and TOTP through the form; triage a group;
# suppress a group with an expiry and see the engine honour it for a new event while
# an unrelated one still alerts; escalate to an incident and export it; a staff report
# from /report arriving in triage; a fire-break planned from an alert's page (applying
# one is tested in network namespaces by console_estate.sh).  Hostile values in the
# events are shown as text and never run; axe-core checks every page visited.
# WW_SCREENSHOTS=DIR keeps a screenshot of each main page there (docs/img holds the
# ones in the documentation: scripts/screenshots refreshes them).
set -u
. "$WW_SRC/tests/integration/console_lib.sh"
command -v oathtool >/dev/null || { echo "skip: no oathtool (scripts/setup.sh installs it)"; exit 77; }
BPY=/usr/bin/python3
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null ||
    ! "$BPY" -c "import selenium" 2>/dev/null || ! command -v npm >/dev/null; then
    echo "skip: needs chromium, chromedriver, python3-selenium and npm (axe-core)"
    exit 77
fi
(cd "$CT" && npm install --silent --no-audit --no-fund axe-core@4.14 >/dev/null 2>&1)
[ -f "$CT/node_modules/axe-core/axe.min.js" ] || { echo "skip: npm could not install axe-core"; exit 77; }

# St Elsewhere: the demo's register and fire-break map, in the console's store.
mkdir -p "$CT/state"
"$WW" assets --db "$CT/state/wardwatch.db" import "$WW_SRC/data/demo/register.csv" >/dev/null
"$WW" firebreak --db "$CT/state/wardwatch.db" map import "$WW_SRC/tests/data/firebreak/hospital.yml" >/dev/null
printf 'alerts:\n  register: %s\n' "$CT/state/wardwatch.db" >"$CT/extra.yml"
# A rule that fires on one line, so hostile values reach every field the console shows.
cat >"$CT/e2e.yml" <<'YML'
title: E2E marker seen
id: e2e00000-0000-4000-8000-000000000001
status: test
description: Fires on the end-to-end test's marker lines.
level: high
tags: [attack.execution, attack.t1059]
logsource: {product: linux}
detection:
  sel: {message|contains: e2e-marker}
  condition: sel
YML
CONSOLE_RULES="  paths: [$CT/e2e.yml]"
console_start "$CT/extra.yml"
console_user rita responder || exit 1

"$BPY" "$WW_SRC/tests/integration/console_e2e.py" "$CU" "$CT/node_modules/axe-core/axe.min.js" \
    "$SYSLOG_PORT" "$CT/rita.pw" "$CT/rita.totp" "$WW_SRC" "$CONSOLE_DB" "$WW" \
    "${WW_SCREENSHOTS:-}"
check "the console end to end in headless Chromium" $?
console_stop
[ $fails = 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
