"""bench/console_gen.py DB REGISTER_CSV ASSETS ALERTS: the console benchmark's data.

Writes a register of ASSETS assets (CSV, for `wardwatch assets import`) and appends
ALERTS alerts to the store DB (its alert table must exist: run any wardwatch command
that migrates it first).  Deterministic (seeded): 400 rules, hosts drawn from the
register with a long tail (a few hosts raise most alerts, as in a real estate),
levels and priorities as the rules and assets give them, event times over 90 days
before now."""
import csv, random, sqlite3, sys, time

db, reg_path, nassets, nalerts = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rnd = random.Random(20261203)
segments = ["wards", "imaging", "pacs", "corporate", "management", "theatres", "pharmacy", "labs"]
crits = ["critical", "high", "medium", "low", "none"]
with open(reg_path, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["asset_id", "hostname", "ip", "type", "segment", "os", "clinical_criticality", "owner"])
    for i in range(nassets):
        w.writerow(["B-%06d" % i, "host%05d" % i, "10.%d.%d.%d" % (i >> 16 & 255, i >> 8 & 255, i & 255),
                    rnd.choice(["desktop", "server", "medical_device", "laptop"]), segments[i % len(segments)],
                    "Windows 11", crits[i % len(crits)], "team %d" % (i % 50)])
rules = [("bench-rule-%03d" % r, "Benchmark rule %d: suspicious thing %d" % (r, r), rnd.randint(1, 4),
          "T%04d" % rnd.randint(1000, 1600)) for r in range(400)]
con = sqlite3.connect(db)
con.execute("PRAGMA journal_mode=WAL")
con.execute("PRAGMA synchronous=OFF")
now = int(time.time())
t0 = time.time()
rows = []
cols = ("id, rule_id, rule_title, level, priority, why, ts, received, host, user, src_ip, source,"
        " position, techniques, event, asset_id, segment, owner, criticality, exposed")
q = "INSERT INTO alert(%s) VALUES(%s)" % (cols, ",".join("?" * 20))
for i in range(nalerts):
    h = int(nassets * rnd.paretovariate(1.2) / 10) % nassets
    rid, title, level, tech = rules[int(rnd.paretovariate(1.1) * 3) % len(rules)]
    crit = h % len(crits)
    prio = max(1, min(5, 5 - level + (1 if crit >= 3 else 0) - (1 if crit == 0 else 0)))
    ts = (now - rnd.randint(0, 90 * 86400)) * 1000000000
    rows.append(("%032x" % rnd.getrandbits(128), rid, title, level, prio, "bench", ts,
                 ts + 1000000000, "host%05d" % h, "user%d" % (i % 3000), "10.200.%d.%d" % (i >> 8 & 255, i & 255),
                 "bench", "seq %d" % i, tech, '{"EventID":4625,"Computer":"host%05d"}' % h,
                 "B-%06d" % h, segments[h % len(segments)], "team %d" % (h % 50), 4 - crit, 0))
    if len(rows) == 50000:
        con.executemany(q, rows)
        con.commit()
        rows = []
        sys.stderr.write("\r  %d alerts" % (i + 1))
con.executemany(q, rows)
con.commit()
sys.stderr.write("\r  %d alerts in %.0f s\n" % (nalerts, time.time() - t0))
