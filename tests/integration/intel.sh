#!/bin/sh
# Threat-intelligence indicators end to end: STIX bundles (validated against the OASIS
# schemas in ../shared), a MISP event, a MISP feed directory and a plain list imported;
# malformed and hostile files refused with their place; planted indicators in a
# replayed event stream alerted in hunt (any --threads) and in serve, none outside
# them, expired ones not at all; a retro-hunt in serve finds an indicator added after
# its event arrived; sightings exported without what TLP forbids.  Exits 77 after all
# its checks when the schemas or python3-jsonschema are missing (validation skipped).
set -u
BIN=${WW_BIN:?}
SRC=${WW_SRC:?}
D="$SRC/tests/data/intel"
command -v python3 >/dev/null || { echo "skip: python3 not installed"; exit 77; }
T=$(mktemp -d)
PID=""
cleanup() {
    [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
    if [ -n "${WW_KEEP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
fails=0
check() { # check NAME CONDITION-RESULT
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
SCHEMAS=""
[ -n "${WW_SHARED:-}" ] && [ -d "$WW_SHARED/data/stix2-schemas/schemas" ] &&
    SCHEMAS="$WW_SHARED/data/stix2-schemas/schemas"
validated=0
validate() { # validate FILE...: 0 valid, 1 not, 77 no validator
    [ -n "$SCHEMAS" ] || return 77
    python3 "$SRC/tests/integration/stix_validate.py" "$SCHEMAS" --refs-outside-ok "$@"
}
DB="$T/intel.db"
W() { "$BIN" intel --db "$DB" "$@"; }

# ---- imports ----
validate "$D/bundle.json" >"$T/v" 2>&1
rc=$?
[ $rc = 77 ] || { validated=1; check "the STIX test bundle is valid STIX 2.1" $rc; }
W import "$D/bundle.json" "$D/misp-event.json" "$D/feed" >"$T/out" 2>"$T/err"
check "STIX, MISP event and MISP feed import" $?
check "14 indicators kept from them" $(grep -q '^14 indicators imported (14 new' "$T/out"; echo $?)
check "the AND pattern is reported by its id and name" \
    $(grep -q 'objects\[5\] indicator--a1b2c3d4-0005-4000-8000-000000000005 (Two-step behaviour): left out: pattern uses AND' "$T/err"; echo $?)
check "a comparison that cannot be evaluated is reported, the OR'ed rest kept" \
    $(grep -q "Mixed): left out: comparison 'process:name =' left out" "$T/err"; echo $?)
check "a non-STIX pattern type is reported" $(grep -q 'pattern_type "snort" not supported' "$T/err"; echo $?)
check "MISP attributes not for IDS are counted, not dropped in silence" \
    $(grep -q '2 attributes not marked to_ids left out' "$T/err"; echo $?)
check "a feed's missing event file is reported" \
    $(grep -q '7b2f3c10-2222-4222-8222-222222222222.json: left out: event file named by the manifest cannot be read' "$T/err"; echo $?)
W import --type ip --source "Regional SOC" --tlp amber "$D/list.txt" >"$T/out" 2>"$T/err"
check "a plain list imports" $(grep -q '^3 indicators imported' "$T/out"; echo $?)
check "a bad line of a list is reported with its line" \
    $(grep -q 'list.txt:5: left out: ipv4-addr value not usable' "$T/err"; echo $?)
W import --type ip --source "Regional SOC" "$D/list.txt" >"$T/out" 2>/dev/null
check "importing again updates, adds nothing" $(grep -q '(0 new, 3 updated)' "$T/out"; echo $?)
W list --format ndjson >"$T/list"
check "list shows the 15 indicators valid now" $([ "$(wc -l <"$T/list")" = 15 ]; echo $?)
check "TLP from STIX marking refs, MISP tags and feed manifests" $(python3 - "$T/list" <<'PY'
import json, sys
v = {json.loads(l)["value"]: json.loads(l)["tlp"] for l in open(sys.argv[1])}
want = {"203.0.113.66": "TLP:AMBER", "198.51.100.0/24": "TLP:RED",
        "billing@phish-pay.example": "TLP:GREEN", "2001:db8:bad::7": "TLP:AMBER",
        "ransom-drop.example": "TLP:AMBER+STRICT", "10.66.0.0/16": "TLP:AMBER"}
sys.exit(0 if all(v.get(k) == t for k, t in want.items()) else 1)
PY
echo $?)
W list --expired --format ndjson >"$T/exp"
check "the expired STIX indicator is listed as expired" \
    $(grep -q '"value":"192.0.2.99"' "$T/exp" && ! grep -q '192.0.2.99' "$T/list"; echo $?)

# ---- malformed and hostile ----
printf '{"type":"bundle","objects":[{"type":"indicator",\n  "id": "indicator--x" "pattern"}]}' >"$T/broken.json"
W import "$T/broken.json" >/dev/null 2>"$T/err"
rc=$?
check "malformed JSON: refused (exit 2)" $([ $rc = 2 ]; echo $?)
check "malformed JSON: file:line:col" $(grep -q "broken.json:2:[0-9]*: malformed JSON" "$T/err"; echo $?)
W import "$D/bundle.json" "$T/broken.json" >/dev/null 2>&1
W list --source "NHS CSOC test feed" --format ndjson >"$T/l2"
check "one bad file: nothing of the import is stored" $([ "$(wc -l <"$T/l2")" = 4 ]; echo $?)
mkdir -p "$T/evilfeed"
printf '{"../../etc/passwd": {}, "not-a-uuid": {}}' >"$T/evilfeed/manifest.json"
W import "$T/evilfeed" >/dev/null 2>"$T/err"
check "a manifest key that is no uuid never names a file" \
    $([ "$(grep -c 'key is not an event uuid' "$T/err")" = 2 ]; echo $?)
python3 -c "print('{\"type\":\"bundle\",\"objects\":[' + '['*5000 + ']'*5000 + ']}')" >"$T/deep.json"
W import "$T/deep.json" >/dev/null 2>"$T/err"
check "deeply nested JSON: refused with a reason, no crash" \
    $([ $? = 2 ] && grep -q 'deep.json:1:[0-9]*: malformed JSON' "$T/err"; echo $?)
python3 - "$T/long.json" <<'PY'
import json, sys
p = "[ipv4-addr:value = '1.2.3.4']" + " OR [domain-name:value = 'a.example']" * 1200
o = {"type": "indicator", "spec_version": "2.1", "id": "indicator--00000000-0000-4000-8000-000000000001",
     "created": "2026-01-01T00:00:00Z", "modified": "2026-01-01T00:00:00Z", "pattern": p,
     "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z"}
json.dump({"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000002", "objects": [o]},
          open(sys.argv[1], "w"))
PY
W import "$T/long.json" >/dev/null 2>"$T/err"
check "a pattern past the comparison cap is reported, not kept in part" \
    $(grep -q 'more than 1000 comparisons' "$T/err"; echo $?)
printf '1.2.3.4\n' >"$T/plain.txt"
W import "$T/plain.txt" >/dev/null 2>"$T/err"
check "a list without --type is refused with why" $(grep -q 'needs --type and --source' "$T/err"; echo $?)

# ---- hunt: planted hits ----
planted() { # the plant markers of hunt's NDJSON on stdin, sorted
    python3 -c 'import json,sys; [print(json.loads(l)["event"]["plant"]) for l in sys.stdin]' | sort
}
want=$(grep -o '"plant":"hit-[a-z0-9-]*"' "$D/events.ndjson" | cut -d'"' -f4 | sort)
"$BIN" hunt --no-default-rules --intel --db "$DB" --format ndjson --threads 1 "$D/events.ndjson" >"$T/h1" 2>"$T/herr"
check "hunt --intel: exit 1 (alerts)" $([ $? = 1 ]; echo $?)
check "hunt --intel: every planted hit alerted, nothing else" $([ "$(planted <"$T/h1")" = "$want" ]; echo $?)
"$BIN" hunt --no-default-rules --intel --db "$DB" --format ndjson --threads 4 "$D/events.ndjson" >"$T/h4" 2>/dev/null
check "hunt --intel: the same with 4 threads" $(cmp -s "$T/h1" "$T/h4"; echo $?)
check "hunt --intel: the alert names the indicator, source and TLP" \
    $(grep -q '"id":"intel:indicator--a1b2c3d4-0001-4000-8000-000000000001","title":"Indicator match: 203.0.113.66 (NHS CSOC test feed, TLP:AMBER)"' "$T/h1"; echo $?)
"$BIN" hunt --no-default-rules --intel-file "$D/bundle.json" --format ndjson "$D/events.ndjson" 2>/dev/null | planted >"$T/hf"
check "hunt --intel-file: the bundle's hits, without storing" \
    $([ "$(tr '\n' ' ' <"$T/hf")" = "hit-cidr hit-ip hit-sha256 hit-subdomain hit-url " ]; echo $?)

# ---- serve: live matching, retro-hunt ----
mkdir -p "$T/srv/logs" "$T/srv/state"
cat >"$T/srv/rules.yml" <<'YML'
title: Retro marker
id: 7e1a0000-0000-4000-8000-0000000000bb
logsource: {}
detection:
  sel: {plant|startswith: 'retro'}
  condition: sel
level: low
YML
cat >"$T/srv/serve.yml" <<YML
state_dir: state
rules: {pack: false, sigmahq: false, paths: [rules.yml]}
intel: {poll: 1s, retro_window: 1h, retro_max_events: 1000}
inputs:
  - {type: tail, paths: ["$T/srv/logs/*.log"]}
YML
SDB="$T/srv/state/wardwatch.db"
"$BIN" intel --db "$SDB" import "$D/bundle.json" "$D/misp-event.json" "$D/feed" >/dev/null 2>&1
"$BIN" intel --db "$SDB" import --type ip --source "Regional SOC" "$D/list.txt" >/dev/null 2>&1
: >"$T/srv/logs/app.log"
(cd "$T/srv" && exec "$BIN" serve --config serve.yml >out 2>err) &
PID=$!
i=0
while ! grep -q ready "$T/srv/err" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.5
cat "$D/events.ndjson" >>"$T/srv/logs/app.log"
alerts() { WARDWATCH_DB="$SDB" "$BIN" alerts --format ndjson 2>/dev/null; }
intel_plants() {
    alerts | python3 -c 'import json,sys
for l in sys.stdin:
    a = json.loads(l)
    if a["rule_id"].startswith("intel:"): print(json.loads(a["event"])["plant"] if isinstance(a["event"], str) else a["event"]["plant"])' | sort
}
n=$(echo "$want" | wc -l)
i=0
while [ "$(intel_plants | wc -l)" -lt "$n" ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.3
check "serve: every planted hit alerted, nothing else" $([ "$(intel_plants)" = "$want" ]; echo $?)
# An event whose address no indicator names yet...
echo '{"time":"2026-03-01T11:00:00Z","src_ip":"203.0.113.250","dst_ip":"10.1.2.9","plant":"retro-hit"}' >>"$T/srv/logs/app.log"
i=0
while ! alerts | grep -q 'Retro marker' && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
check "serve: the later event was processed (its marker rule fired)" $(alerts | grep -q 'Retro marker'; echo $?)
check "serve: and no indicator matched it yet" $(intel_plants | grep -q retro-hit; [ $? = 1 ]; echo $?)
# ...until one arrives: the retro-hunt finds it.
printf '203.0.113.250\n' >"$T/late.txt"
"$BIN" intel --db "$SDB" import --type ip --source "Late feed" --tlp green "$T/late.txt" >/dev/null 2>&1
i=0
while ! intel_plants | grep -q retro-hit && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
check "serve: a retro-hunt alerts the event seen before its indicator" \
    $(intel_plants | grep -q retro-hit; echo $?)
check "serve: the retro-hunt is logged" $(grep -q 'intel: retro-hunt: 1 new indicator over [0-9]* events: 1 hit' "$T/srv/err"; echo $?)
check "serve: no planted hit alerted twice" $([ "$(intel_plants | sort | uniq -d | wc -l)" = 0 ]; echo $?)
kill "$PID" 2>/dev/null
wait "$PID" 2>/dev/null
PID=""

# ---- sightings ----
"$BIN" intel --db "$SDB" sightings --format stix --org "Example NHS Trust" >"$T/s.json" 2>"$T/serr"
check "sightings: exported" $?
rc=0
validate "$T/s.json" >"$T/v" 2>&1 || rc=$?
[ $rc = 77 ] || { validated=1; check "sightings: valid STIX 2.1" $rc; [ $rc = 0 ] || cat "$T/v"; }
check "sightings: TLP:RED never leaves" $(grep -q '198.51.100' "$T/s.json"; [ $? = 1 ]; echo $?)
check "sightings: AMBER+STRICT is above the default limit" $(grep -q 'ransom-drop' "$T/s.json"; [ $? = 1 ]; echo $?)
check "sightings: the stderr count says what was withheld" $(grep -q 'withheld by TLP' "$T/serr"; echo $?)
check "sightings: a STIX indicator is sighted by its own id" $(python3 - "$T/s.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
s = [o for o in b["objects"] if o["type"] == "sighting"]
ok = any(o["sighting_of_ref"] == "indicator--a1b2c3d4-0001-4000-8000-000000000001" for o in s)
ok &= all(o["where_sighted_refs"] == [o["created_by_ref"]] for o in s)
ok &= any(o["type"] == "identity" and o["name"] == "Example NHS Trust" for o in b["objects"])
sys.exit(0 if ok and len(s) >= 8 else 1)
PY
echo $?)
"$BIN" intel --db "$SDB" sightings --format stix --max-tlp green >"$T/sg.json" 2>/dev/null
check "sightings --max-tlp green: no AMBER indicator" $(grep -q '203.0.113.66' "$T/sg.json"; [ $? = 1 ]; echo $?)
"$BIN" intel --db "$SDB" sightings --format stix --max-tlp red >/dev/null 2>"$T/err"
check "sightings --max-tlp red: refused" $([ $? = 2 ] && grep -q 'never exported' "$T/err"; echo $?)
"$BIN" intel --db "$SDB" sightings --format misp >"$T/m.json" 2>/dev/null
check "sightings --format misp: MISP sightings, attribute uuids kept" $(python3 - "$T/m.json" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
ok = all("Sighting" in x and x["Sighting"]["type"] == "0" for x in v)
ok &= any(x["Sighting"].get("attribute_uuid") == "6a1e0f52-0000-4000-8000-000000000001" for x in v)
ok &= not any("198.51.100" in x["Sighting"]["value"] for x in v)
sys.exit(0 if ok and v else 1)
PY
echo $?)
"$BIN" intel --db "$SDB" remove --source "Late feed" >"$T/out"
check "remove --source" $(grep -q '^1 indicator removed' "$T/out"; echo $?)

[ $fails = 0 ] || { echo "$fails failed"; exit 1; }
[ $validated = 1 ] || { echo "skip: STIX validation (no ../shared schemas or python3-jsonschema)"; exit 77; }
exit 0
