#!/bin/sh
# Triage's store at scale: a register of 60,000 assets and 1,000,000 alerts (power-law
# spread over rules and hosts, 90 days, the last two weeks open), then the queries of
# the console's /alerts page timed server-side (the store call): p50, p95 and max wall
# time and p95 CPU time over RUNS runs each.  Usage: bench/triage.sh [build-dir]
# [alerts] [assets] [runs].  Needs no ../shared.  The store is kept in
# ${TMPDIR:-/tmp}/ww-triage-bench-<alerts>.db so that a second run times it again
# without filling it (the fill takes minutes); delete it to fill again.
set -eu
build=${1:-build}
alerts=${2:-1000000}
assets=${3:-60000}
runs=${4:-40}
bin=$build/triage_bench
[ -x "$bin" ] || { echo "build first: cmake --build $build --target triage_bench" >&2; exit 1; }
db=${TMPDIR:-/tmp}/ww-triage-bench-$alerts.db
uptime
"$bin" "$db" "$alerts" "$assets" "$runs"
