#!/usr/bin/env python3
"""Turns bench/results/results.tsv into the results table and the ratios compared with
the targets of issue 4 (Markdown on stdout).  usage: report.py TSV BYTES_PER_GROUP NCPU"""
import sys

rows = {}
order = []
for line in open(sys.argv[1]).read().splitlines()[1:]:
    c = line.split("\t")
    rows[c[0]] = {"events": int(c[1]), "bytes": int(c[2]), "s": float(c[3]),
                  "eps": float(c[4]), "mbs": float(c[5]), "rss": int(c[6])}
    order.append(c[0])
perg, ncpu = sys.argv[2], int(sys.argv[3])

print("| case | events | s (best) | events/s | MB/s | peak RSS MB |")
print("|---|---:|---:|---:|---:|---:|")
for k in order:
    r = rows[k]
    print("| %s | %d | %.2f | %.0f | %.1f | %d |" % (k, r["events"], r["s"], r["eps"], r["mbs"], r["rss"]))
print()


def get(k):
    return rows.get(k)


def ratio(name, a, b, target, higher=True):
    if not a or not b:
        return
    v = a / b
    ok = v >= target if higher else v <= target
    print("- %s: %.2f (target %s %s) %s" % (name, v, ">=" if higher else "<=", target, "MET" if ok else "not met"))


print("Ratios and targets:")
w1 = get("win: hunt full SigmaHQ, 1 thread(s)")
wf = get("win: decode floor (decode --count)")
if w1:
    print("- Windows JSON, full SigmaHQ, 1 thread: %.0f events/s (target >= 150000) %s"
          % (w1["eps"], "MET" if w1["eps"] >= 150000 else "not met"))
    ratio("Windows JSON hunt time / decode floor", w1["s"], wf and wf["s"], 3, higher=False)
    print("- peak RSS hunting Windows JSON: %d MB (target < 300) %s" % (w1["rss"], "MET" if w1["rss"] < 300 else "not met"))
wn = get("win: hunt full SigmaHQ, %d thread(s)" % ncpu)
if w1 and wn:
    print("- scaling 1 -> %d threads: %.2fx" % (ncpu, wn["eps"] / w1["eps"]))
r100, rall = get("win: hunt 100 rules, 1 thread"), w1
if r100 and rall:
    print("- cost of 3752 vs 100 rules (time ratio, 37.5x more rules): %.2fx" % (rall["s"] / r100["s"]))
lc = get("load+compile full SigmaHQ")
if lc:
    # hunt times include loading the rules: also give the rate net of it.
    for k in ("win: hunt full SigmaHQ, 1 thread(s)", "evtx: hunt full SigmaHQ, 1 thread(s)"):
        r = get(k)
        if r and r["s"] > lc["s"]:
            print("- %s, net of load+compile: %.0f events/s" % (k, r["events"] / (r["s"] - lc["s"])))
    print("- full SigmaHQ load+compile: %.2f s (target < 1) %s" % (lc["s"], "MET" if lc["s"] < 1 else "not met"))
e1 = get("evtx: hunt full SigmaHQ, 1 thread(s)")
if e1:
    print("- EVTX, full SigmaHQ, 1 thread: %.0f records/s (target >= 50000) %s"
          % (e1["eps"], "MET" if e1["eps"] >= 50000 else "not met"))
    ef = get("evtx: decode floor")
    if ef:
        print("- EVTX hunt time / decode floor: %.2f (the floor: %.0f records/s)" % (e1["s"] / ef["s"], ef["eps"]))
s1 = get("syslog: hunt wardwatch pack, 1 thread(s)")
if s1:
    print("- syslog, wardwatch pack with correlations, 1 thread: %.0f lines/s (target >= 1000000) %s"
          % (s1["eps"], "MET" if s1["eps"] >= 1000000 else "not met"))
sf = get("syslog: decode floor")
if s1 and sf:
    print("- syslog hunt time / decode floor: %.2f (the floor: %.0f lines/s)" % (s1["s"] / sf["s"], sf["eps"]))
for corpus in ("win", "evtx", "syslog"):
    a, b = get("%s: hunt %s, 1 thread(s)" % (corpus, "wardwatch pack" if corpus == "syslog" else "full SigmaHQ")), \
        get("%s: hunt %s, %d thread(s)" % (corpus, "wardwatch pack" if corpus == "syslog" else "full SigmaHQ", ncpu))
    if a and b and ncpu > 1:
        print("- %s: 1 -> %d threads: %.2fx" % (corpus, ncpu, b["eps"] / a["eps"]))
sb = get("syslog-base: hunt wardwatch pack, 1 thread")
ratio("syslog: wardwatch / fail2ban-regex (lines/s, same file)", sb and sb["eps"],
      (get("syslog-base: fail2ban-regex sshd") or {}).get("eps"), 20)
ratio("syslog: wardwatch / crowdsec replay (lines/s, same file)", sb and sb["eps"],
      (get("syslog-base: crowdsec replay (local API, offline hub)") or {}).get("eps"), 20)
rg = get("syslog: rg -c (literal-scan ceiling)")
if s1 and rg:
    print("- syslog: wardwatch at %.0f%% of the rg -c literal-scan ceiling" % (100 * s1["eps"] / rg["eps"]))
print("- correlation state: ~%s bytes per open group (target < 200) %s" % (perg, "MET" if perg.lstrip("-").isdigit() and int(perg) < 200 else "not met"))
