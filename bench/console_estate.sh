#!/bin/sh
# The estate's pages with a regional register: N assets (default 60,000) and M stored
# alerts (default 1,000,000) in the store, a console in `wardwatch serve`, and each
# page or API answer requested R times (default 20) by a signed-in viewer over
# loopback.  Prints p50 and p95 of curl's total time per path, cold (the first request,
# which runs the audit) and warm (the audit reused).  Not a test: figures for
# docs/performance.md.
#   WW_BIN=build/wardwatch WW_SRC=. sh bench/console_estate.sh [N] [M] [R]
set -u
N=${1:-60000} M=${2:-1000000} R=${3:-20}
. "$WW_SRC/tests/integration/console_lib.sh"
console_start
python3 - "$CT/register.csv" "$N" <<'PY'
import random, sys
random.seed(7)
n = int(sys.argv[2])
oses = [("Windows 11", "24H2"), ("Windows 10", "22H2"), ("Windows 7", "SP1"),
        ("Windows Server 2019", "1809"), ("Ubuntu", "22.04"), ("", "")]
with open(sys.argv[1], "w") as f:
    f.write("asset_id,hostname,ip,type,segment,os,os_version,missing_updates,last_patched,"
            "owner,clinical_criticality\n")
    for i in range(n):
        o = random.choice(oses)
        kind = random.choice(["desktop", "server", "medical_device", "laptop"])
        upd = "CVE-2017-0144:critical:2017-03-14" if i % 11 == 0 else ""
        f.write("A-%06d,host%06d,10.%d.%d.%d,%s,seg%02d,%s,%s,%s,2026-%02d-01,Team %d,%s\n" % (
            i, i, 10 + i // 65536, (i // 256) % 256, i % 256, kind, i % 40, o[0], o[1], upd,
            1 + i % 11, i % 50, random.choice(["low", "medium", "high", "critical"])))
PY
t0=$(date +%s)
"$WW" assets import --db "$CONSOLE_DB" "$CT/register.csv" >/dev/null 2>&1
t1=$(date +%s)
echo "imported $N assets in $((t1 - t0)) s"
python3 - "$CONSOLE_DB" "$M" "$N" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
m, n = int(sys.argv[2]), int(sys.argv[3])
now = int(time.time() * 1e9)
db.execute("PRAGMA synchronous=OFF")
rows = (("%032x" % i, "r%d" % (i % 300), "rule %d" % (i % 300), 2 + i % 3, 1 + i % 5, "w",
         now - i * 1000000, now - i * 1000000, "host%06d" % (i % n), "u", "10.0.0.1", "b", "",
         "", "{}", "A-%06d" % (i % n), "seg", "", 2, 0) for i in range(m))
db.executemany("INSERT INTO alert(id, rule_id, rule_title, level, priority, why, ts, received, host, user, src_ip, source, position, techniques, event, asset_id, segment, owner, criticality, exposed) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
db.commit()
PY
echo "stored $M alerts"
console_user viewer viewer && console_login viewer || exit 1
for path in /estate "/estate?criticality=critical&findings=yes" /estate/assets/1 /board \
    /api/v1/board "/api/v1/assets?limit=100" /firebreaks /estate/audit; do
    : >"$CT/times"
    i=0
    while [ $i -lt "$R" ]; do
        cget viewer "$path" -o /dev/null -w '%{time_total}\n' >>"$CT/times"
        i=$((i + 1))
    done
    python3 - "$path" "$CT/times" <<'PY'
import sys
t = [float(x) * 1000 for x in open(sys.argv[2])]
first, warm = t[0], sorted(t[1:])
p = lambda q: warm[min(len(warm) - 1, int(q * len(warm)))]
print("%-45s first %7.0f ms   warm p50 %6.0f ms  p95 %6.0f ms" % (sys.argv[1], first, p(0.5), p(0.95)))
PY
done
console_stop
