#!/bin/sh
# Spool group-commit throughput on this machine's disk: 200-byte records, 4 appending
# threads, commits every 1 ms (or 4096 records), one consumer replaying and
# checkpointing.  Three input styles: async (ack later from the durable point), batch
# (100 records, then wait), sync (one record, then wait); then 16 senders with batches
# of 500.  Usage: bench/spool.sh [build-dir]
# [seconds].  Needs no ../shared.  The spool lives in a temporary folder under
# ${TMPDIR:-/tmp}, which should be on the disk you mean to measure (not a tmpfs).
set -eu
build=${1:-build}
secs=${2:-5}
bin=$build/spool_bench
[ -x "$bin" ] || { echo "build first: cmake --build $build --target spool_bench" >&2; exit 1; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/ww-spool-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
df -hT "$dir" | tail -1
for mode in async batch sync; do
    rm -rf "$dir/spool"
    "$bin" "$dir/spool" 4 200 "$secs" 1000 4096 "$mode" 100
done
# Many senders with larger batches in flight, as HTTP and Beats inputs see them.
rm -rf "$dir/spool"
"$bin" "$dir/spool" 16 200 "$secs" 1000 4096 batch 500
