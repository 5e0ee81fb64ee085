#!/bin/sh
# Fire-breaks with real packets.  For every map given (default: the two example
# topologies in tests/data/firebreak; or $WW_FIREBREAK_MAPS, space-separated), build the
# hospital in network namespaces -- one router namespace, one namespace per segment,
# joined by veth pairs, addressed from the map -- and prove with TCP and UDP probes:
#   before: the infected segment reaches everything its routes allow (all segments in a
#           routed core; the listed links when the map has `links:`, which the test
#           enforces with a baseline table of its own, as a hospital's firewall would);
#   apply --confirm: only the clinical flows (in the directions listed) and management
#           still pass to and from the isolated segment; everything else is unchanged;
#   lift: the original reachability is back, and wardwatch's table is gone;
#   while an apply waits for confirmation it isolates, and an unconfirmed apply rolls
#   itself back (2 s rollback time);
#   a monitor-only segment is not isolated without --override-monitor-only;
#   plan --host over IPv6 too, on a small IPv6-only hospital of its own;
#   plan --host: one host of a segment (made a switched LAN with a neighbour host for
#           this) is quarantined: it keeps only its segment's clinical flows and
#           management, its neighbour keeps everything, host and neighbour still reach
#           each other (that traffic never passes the router); lift restores it.
# Segments of kind `external` stand for networks outside the hospital: they get a
# namespace like any other, flows to them are kept like any other, and they are never
# isolated.
# Needs root, `ip netns`, nft and python3 (exit 77 = skipped otherwise).  Nothing
# outside the namespaces it creates is touched; they are removed on exit, even on failure.
set -u
BIN=${WW_BIN:?}
SRC=${WW_SRC:?}
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
command -v nft >/dev/null 2>&1 || { echo "skip: nft not installed"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "skip: python3 not installed"; exit 77; }
ip netns list >/dev/null 2>&1 || { echo "skip: ip netns unavailable"; exit 77; }
MAPS=${WW_FIREBREAK_MAPS:-"$SRC/tests/data/firebreak/hospital.yml $SRC/tests/data/firebreak/community.yml"}
# shellcheck disable=SC2086
exec python3 - "$BIN" $MAPS <<'PY'
import ipaddress, json, os, signal, subprocess, sys, tempfile, time

BIN, MAPS = os.path.abspath(sys.argv[1]), sys.argv[2:]
# The router lock files go to a directory of this test's own, removed at the end.
LOCKS = tempfile.mkdtemp(prefix="wwfb-locks-")
os.environ["WARDWATCH_LOCK_DIR"] = LOCKS
TAG = "wwfb%d" % (os.getpid() % 100000)
TIMEOUT = 0.7
passed = failed = 0
created = []   # namespaces to delete

def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   " + name)
    else:
        failed += 1
        print("FAIL " + name + (("\n     " + detail) if detail else ""))
    sys.stdout.flush()

def sh(args, ns=None, check=True, timeout=60):
    if ns:
        args = ["ip", "netns", "exec", ns] + args
    r = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr.strip()))
    return r

LISTENER = r'''
import selectors, socket, sys
tcp, udp = [int(p) for p in sys.argv[1].split(",") if p], [int(p) for p in sys.argv[2].split(",") if p]
sel = selectors.DefaultSelector()
for p in tcp:
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", p)); s.listen(64); s.setblocking(False); sel.register(s, selectors.EVENT_READ, "t")
for p in udp:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", p))
    s.setblocking(False); sel.register(s, selectors.EVENT_READ, "u")
print("ready", flush=True)
while True:
    for key, _ in sel.select():
        s = key.fileobj
        try:
            if key.data == "t":
                c, _ = s.accept(); c.settimeout(1); c.sendall(b"ok"); c.close()
            else:
                d, a = s.recvfrom(64); s.sendto(b"ok", a)
        except OSError:
            pass
'''

PROBE = r'''
import json, socket, sys, threading
todo, T = json.loads(sys.argv[1]), float(sys.argv[2])
res = [False] * len(todo)
def one(i, ip, proto, port):
    try:
        if proto == "tcp":
            s = socket.create_connection((ip, port), timeout=T)
        else:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(T)
            s.sendto(b"hi", (ip, port))
        s.settimeout(T)
        res[i] = s.recv(8) == b"ok"
        s.close()
    except OSError:
        res[i] = False
ts = [threading.Thread(target=one, args=(i, *t)) for i, t in enumerate(todo)]
for t in ts: t.start()
for t in ts: t.join()
print(json.dumps(res))
'''

def cleanup():
    for ns in reversed(created):
        r = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True)
        for pid in r.stdout.split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (OSError, ValueError):
                pass
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
    created.clear()

def on_signal(sig, frame):
    raise SystemExit(1)

signal.signal(signal.SIGTERM, on_signal)
signal.signal(signal.SIGINT, on_signal)

def ports_of(f):
    out = []
    for p in f["ports"]:
        lo, hi = (int(x) for x in str(p).split("-")) if "-" in str(p) else (int(p), int(p))
        out.append((lo, hi))
    return out

def run_topology(idx, path):
    db = tempfile.mktemp(prefix="wwfb-", suffix=".db")
    r = sh([BIN, "firebreak", "map", "import", path, "--db", db, "--by", "netns-test"], check=False)
    check("%s: map imports" % os.path.basename(path), r.returncode == 0, r.stderr)
    if r.returncode:
        return
    m = json.loads(sh([BIN, "firebreak", "map", "show", "--format", "json", "--db", db]).stdout)
    segs = m["segments"]
    names = [s["name"] for s in segs]
    kind = {s["name"]: s["kind"] for s in segs}
    router = "%sr%d" % (TAG, idx)
    nsof = {s["name"]: "%ss%d_%d" % (TAG, idx, i) for i, s in enumerate(segs)}
    host = {}
    # Ports: every port a flow names (both ends of a range), plus one TCP and one UDP
    # port no flow names, standing for "everything else".
    tcp, udp = set(), set()
    for f in m["flows"]:
        for lo, hi in ports_of(f):
            (tcp if f["proto"] == "tcp" else udp).update({lo, hi})
    ctl_t = next(p for p in range(9000, 65535) if p not in tcp and p not in udp)
    ctl_u = next(p for p in range(ctl_t + 1, 65535) if p not in tcp and p not in udp)
    tcp.add(ctl_t); udp.add(ctl_u)

    # --- the hospital in namespaces ---
    sh(["ip", "netns", "add", router]); created.append(router)
    sh(["ip", "-n", router, "link", "set", "lo", "up"])
    sh(["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"], ns=router)
    for i, s in enumerate(segs):
        net = next((ipaddress.ip_network(c) for c in s["cidrs"] if ":" not in c), None)
        if net is None or net.prefixlen > 30:
            raise RuntimeError("segment %s needs an IPv4 CIDR of /30 or larger for this test" % s["name"])
        ns = nsof[s["name"]]
        gw, hip = net.network_address + 1, net.network_address + 2
        host[s["name"]] = str(hip)
        sh(["ip", "netns", "add", ns]); created.append(ns)
        sh(["ip", "-n", router, "link", "add", "r%d" % i, "type", "veth", "peer", "name", "eth0", "netns", ns])
        sh(["ip", "-n", router, "addr", "add", "%s/%d" % (gw, net.prefixlen), "dev", "r%d" % i])
        sh(["ip", "-n", router, "link", "set", "r%d" % i, "up"])
        sh(["ip", "-n", ns, "addr", "add", "%s/%d" % (hip, net.prefixlen), "dev", "eth0"])
        sh(["ip", "-n", ns, "link", "set", "eth0", "up"])
        sh(["ip", "-n", ns, "link", "set", "lo", "up"])
        sh(["ip", "-n", ns, "route", "add", "default", "via", str(gw)])
    # The hospital's own firewall: the links the map lists (a table wardwatch must
    # never touch), or nothing in a routed core.
    links = m["links"]
    def base(a, b):
        if m["routing"] == "core":
            return True
        return any((l["from"] == a and l["to"] == b) or
                   (l["direction"] == "both" and l["from"] == b and l["to"] == a) for l in links)
    acl = "table inet hospital_acl {\n chain forward_acl {\n  type filter hook forward priority 0; policy %s;\n" % (
        "accept" if m["routing"] == "core" else "drop")
    acl += "  ct state established,related accept\n"
    for a in names:
        for b in names:
            if a != b and base(a, b) and m["routing"] != "core":
                acl += '  iifname "r%d" oifname "r%d" accept\n' % (names.index(a), names.index(b))
    acl += " }\n}\n"
    with tempfile.NamedTemporaryFile("w", suffix=".nft", delete=False) as t:
        t.write(acl)
    sh(["nft", "-f", t.name], ns=router); os.unlink(t.name)
    acl_before = sh(["nft", "list", "table", "inet", "hospital_acl"], ns=router).stdout

    procs = []
    for s in names:
        p = subprocess.Popen(["ip", "netns", "exec", nsof[s], "python3", "-c", LISTENER,
                              ",".join(map(str, sorted(tcp))), ",".join(map(str, sorted(udp)))],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
        procs.append(p)
        if p.stdout.readline().strip() != "ready":
            raise RuntimeError("listener in %s did not start" % s)

    def matrix():
        """Every segment probes every other on every port: {(a, b, proto, port): bool}."""
        jobs, out = {}, {}
        for a in names:
            todo = [(host[b], "tcp", p) for b in names if b != a for p in sorted(tcp)]
            todo += [(host[b], "udp", p) for b in names if b != a for p in sorted(udp)]
            jobs[a] = (todo, subprocess.Popen(["ip", "netns", "exec", nsof[a], "python3", "-c", PROBE,
                                               json.dumps(todo), str(TIMEOUT)],
                                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True))
        back = {v: k for k, v in host.items()}
        for a, (todo, p) in jobs.items():
            res = json.loads(p.communicate(timeout=60)[0])
            for (ip, proto, port), okv in zip(todo, res):
                out[(a, back[ip], proto, port)] = okv
        return out

    def expect_fb(iso):
        mg = m["management"]
        def allowed(a, b, proto, port):
            if not base(a, b):
                return False
            if a != iso and b != iso:
                return True
            if kind[a] == "management" and a != iso and b == iso:
                return True
            if mg == "both" and a == iso and kind[b] == "management":
                return True
            for f in m["flows"]:
                if not f["clinical"]:
                    continue
                fwd = f["from"] == a and f["to"] == b
                rev = f["direction"] == "both" and f["from"] == b and f["to"] == a
                if not (fwd or rev) or f["proto"] not in (proto, "any"):
                    continue
                if not f["ports"] or any(lo <= port <= hi for lo, hi in ports_of(f)):
                    return True
            return False
        return allowed

    def compare(label, got, want):
        bad = ["%s -> %s %s/%d: %s" % (a, b, pr, po, "passes" if v else "blocked")
               for (a, b, pr, po), v in sorted(got.items()) if v != want(a, b, pr, po)]
        check(label, not bad, "; ".join(bad[:12]) + (" ... (%d in all)" % len(bad) if len(bad) > 12 else ""))

    ww = lambda *a, **kw: sh([BIN, "firebreak"] + list(a) + ["--db", db], ns=router, check=False)
    table_exists = lambda: "wardwatch_firebreak" in sh(["nft", "list", "tables"], ns=router).stdout
    tname = os.path.basename(path)

    def isolate(iso, before):
        reach = [b for b in names if b != iso and before[(iso, b, "tcp", ctl_t)]]
        check("%s: before, %s reaches %d segments" % (tname, iso, len(reach)),
              len(reach) == sum(1 for b in names if b != iso and base(iso, b)))

        r = ww("plan", "--infected", host[iso], "--reason", "netns test: %s infected" % iso, "--format", "json")
        check("%s: plan --infected %s" % (tname, host[iso]), r.returncode == 0, r.stderr)
        plan = json.loads(r.stdout)
        pid = str(plan["plan"])
        check("%s: the plan isolates %s" % (tname, iso), plan["segment"]["name"] == iso)
        br = {x["name"] for x in plan["blast_radius"] if x["hops"] == 1}
        check("%s: blast radius (one hop) matches the routes" % tname,
              br == {b for b in names if b != iso and base(iso, b)}, "%s" % sorted(br))

        r = ww("apply", pid)
        check("%s: dry run checks the ruleset with nft -c" % tname,
              r.returncode == 0 and "nft -c: the ruleset is valid" in r.stdout, r.stdout[-300:] + r.stderr)
        check("%s: dry run loads nothing" % tname, not table_exists())

        r = ww("apply", pid, "--confirm", "--rollback-after", "60", "--by", "netns-test")
        check("%s: apply --confirm" % tname, r.returncode == 0, r.stderr)
        after = matrix()
        compare("%s: after apply, only clinical flows and management pass to/from %s" % (tname, iso),
                after, expect_fb(iso))
        kept = sorted({(a, b, pr, po) for (a, b, pr, po), v in after.items() if v and iso in (a, b)})
        print("     still passing with %s isolated: %s" % (iso, ", ".join("%s->%s %s/%d" % k for k in kept) or "nothing"))
        check("%s: the hospital's own table is untouched" % tname,
              sh(["nft", "list", "table", "inet", "hospital_acl"], ns=router).stdout == acl_before)
        r = ww("confirm", pid)
        check("%s: confirm" % tname, r.returncode == 0, r.stderr)
        st = ww("status").stdout
        check("%s: status shows the fire-break active" % tname,
              ("plan %s " % pid) in st and "active" in st and "loaded: yes" in st, st)
        r = ww("lift", pid, "--reason", "host cleaned")
        check("%s: lift" % tname, r.returncode == 0, r.stderr)
        compare("%s: after lift, the original reachability is back" % tname, matrix(), base_want)
        check("%s: after lift, wardwatch's table is gone" % tname, not table_exists())


    def quarantine_host(hseg):
        """plan --host: one host of hseg quarantined, its neighbour untouched."""
        hns = nsof[hseg]
        net = next(ipaddress.ip_network(c) for c in next(s for s in segs if s["name"] == hseg)["cidrs"] if ":" not in c)
        gw, H, N = str(net.network_address + 1), host[hseg], str(net.network_address + 3)
        # The segment becomes a switched LAN: a bridge in its namespace joins the
        # uplink to the router, the host, and a neighbour namespace.
        nb = "%sn%d" % (TAG, idx)
        sh(["ip", "netns", "add", nb]); created.append(nb)
        sh(["ip", "-n", hns, "link", "add", "sw0", "type", "bridge"])
        sh(["ip", "-n", hns, "addr", "del", "%s/%d" % (H, net.prefixlen), "dev", "eth0"])
        sh(["ip", "-n", hns, "link", "set", "eth0", "master", "sw0"])
        sh(["ip", "-n", hns, "link", "set", "sw0", "up"])
        sh(["ip", "-n", hns, "addr", "add", "%s/%d" % (H, net.prefixlen), "dev", "sw0"])
        sh(["ip", "-n", hns, "route", "replace", "default", "via", gw])
        sh(["ip", "-n", hns, "link", "add", "nb0", "type", "veth", "peer", "name", "eth0", "netns", nb])
        sh(["ip", "-n", hns, "link", "set", "nb0", "master", "sw0"])
        sh(["ip", "-n", hns, "link", "set", "nb0", "up"])
        sh(["ip", "-n", nb, "link", "set", "lo", "up"])
        sh(["ip", "-n", nb, "addr", "add", "%s/%d" % (N, net.prefixlen), "dev", "eth0"])
        sh(["ip", "-n", nb, "link", "set", "eth0", "up"])
        sh(["ip", "-n", nb, "route", "add", "default", "via", gw])
        p = subprocess.Popen(["ip", "netns", "exec", nb, "python3", "-c", LISTENER,
                              ",".join(map(str, sorted(tcp))), ",".join(map(str, sorted(udp)))],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
        procs.append(p)
        if p.stdout.readline().strip() != "ready":
            raise RuntimeError("listener in the neighbour namespace did not start")
        # Probers: every segment's host, plus the neighbour (labelled "<seg>+").
        nodes = {n: (n, nsof[n], host[n]) for n in names}
        nodes[hseg + "+"] = (hseg, nb, N)

        def nmatrix():
            jobs, out = {}, {}
            back = {v[2]: k for k, v in nodes.items()}
            for a, (sa, ns, ip) in nodes.items():
                todo = [(nodes[b][2], pr, po) for b in nodes if b != a
                        for pr, ports in (("tcp", tcp), ("udp", udp)) for po in sorted(ports)]
                jobs[a] = (todo, subprocess.Popen(["ip", "netns", "exec", ns, "python3", "-c", PROBE,
                                                   json.dumps(todo), str(TIMEOUT)],
                                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True))
            for a, (todo, pr) in jobs.items():
                res = json.loads(pr.communicate(timeout=60)[0])
                for (ip, proto, port), okv in zip(todo, res):
                    out[(a, back[ip], proto, port)] = okv
            return out

        def nbase(a, b, pr, po):
            sa, sb = nodes[a][0], nodes[b][0]
            return sa == sb or base(sa, sb)   # one LAN: the switch carries it

        def nquarantined(a, b, pr, po):
            sa, sb = nodes[a][0], nodes[b][0]
            if sa == sb:
                return True                    # host <-> neighbour: never through the router
            if hseg not in (a, b):             # only the quarantined host is touched
                return base(sa, sb)
            return expect_fb(hseg)(sa, sb, pr, po)

        tn = "%s: host %s" % (tname, H)
        compare("%s: before, host and neighbour reach what the routes allow" % tn, nmatrix(), nbase)
        r = ww("plan", "--host", H, "--reason", "netns test: one host of %s" % hseg, "--format", "json")
        check("%s: plan --host" % tn, r.returncode == 0, r.stderr)
        plan = json.loads(r.stdout)
        pid = str(plan["plan"])
        check("%s: the plan quarantines the host, not the segment" % tn,
              plan["scope"] == "hosts" and plan["segment"] is None and
              plan["hosts"] == [{"ip": H, "segment": hseg}], str(plan.get("hosts")))
        r = ww("apply", pid, "--confirm", "--rollback-after", "60")
        check("%s: apply --confirm" % tn, r.returncode == 0 and "is quarantined" in r.stdout,
              r.stdout + r.stderr)
        got = nmatrix()
        compare("%s: after apply, only the host is cut, except its segment's clinical flows "
                "and management" % tn, got, nquarantined)
        victim = next((b for b in names if b != hseg and base(hseg, b) and
                       not expect_fb(hseg)(hseg, b, "tcp", ctl_t)), None)
        if victim:
            check("%s: the host is cut from %s" % (tn, victim), not got[(hseg, victim, "tcp", ctl_t)])
            check("%s: its neighbour still reaches %s" % (tn, victim), got[(hseg + "+", victim, "tcp", ctl_t)])
        check("%s: host and neighbour still reach each other (same LAN)" % tn,
              got[(hseg, hseg + "+", "tcp", ctl_t)] and got[(hseg + "+", hseg, "tcp", ctl_t)])
        clin = [f for f in m["flows"] if f["clinical"] and hseg in (f["from"], f["to"])
                and f["ports"] and f["proto"] in ("tcp", "udp") and base(f["from"], f["to"])]
        for f in clin:
            port = ports_of(f)[0][0]
            a, b = (hseg, f["to"]) if f["from"] == hseg else (f["from"], hseg)
            check("%s: its clinical flow %s -> %s %s/%d still works" % (tn, a, b, f["proto"], port),
                  got[(a, b, f["proto"], port)])
        check("%s: confirm" % tn, ww("confirm", pid).returncode == 0)
        st = ww("status")
        check("%s: status names the host and the router holds it" % tn,
              st.returncode == 0 and ("plan %s  host %s (segment %s)  active" % (pid, H, hseg)) in st.stdout
              and "loaded: yes" in st.stdout, st.stdout + st.stderr)
        sj = [json.loads(l) for l in ww("status", "--format", "json").stdout.splitlines()]
        check("%s: status --format json lists the host" % tn,
              any(x.get("plan") == int(pid) and x.get("hosts") == [H] and x.get("router") == "yes" for x in sj), str(sj))
        r = ww("show", pid)
        check("%s: show" % tn, r.returncode == 0 and "state: active" in r.stdout and
              ("quarantine host %s (%s)" % (H, hseg)) in r.stdout, r.stdout[:400])
        r = ww("lift", pid, "--reason", "host reimaged")
        check("%s: lift" % tn, r.returncode == 0, r.stderr)
        compare("%s: after lift, everything is back" % tn, nmatrix(), nbase)
        check("%s: after lift, wardwatch's table is gone" % tn, not table_exists())

    # The segments to isolate: the two with the most clinical flows (not management,
    # not monitor-only), so the test exercises as many exceptions as the map has.
    cands = [s for s in segs if s["kind"] not in ("management", "external") and not s["monitor_only"]]
    score = lambda s: sum(1 for f in m["flows"] if f["clinical"] and s["name"] in (f["from"], f["to"]))
    isos = [s["name"] for s in sorted(cands, key=score, reverse=True)[:2]]
    base_want = lambda a, b, pr, po: base(a, b)

    before = matrix()
    compare("%s: before, every segment reaches what its routes allow" % tname, before, base_want)
    for iso in isos:
        isolate(iso, before)
    iso = isos[0]

    # While an apply waits for confirmation it isolates (a long rollback time, so the
    # probe cannot race the watchdog; then lifted).
    victim = next((b for b in names if b != iso and base(iso, b) and
                   not expect_fb(iso)(iso, b, "tcp", ctl_t)), None)
    if victim:
        r = ww("plan", "--infected", host[iso], "--reason", "pending test", "--format", "json")
        pidp = str(json.loads(r.stdout)["plan"])
        r = ww("apply", pidp, "--confirm", "--rollback-after", "600")
        check("%s: apply waiting for confirmation" % tname, r.returncode == 0, r.stderr)
        mid = matrix()
        check("%s: while pending, %s -> %s is blocked" % (tname, iso, victim),
              not mid[(iso, victim, "tcp", ctl_t)] and "state: pending" in ww("show", pidp).stdout)
        check("%s: lift the pending apply" % tname, ww("lift", pidp).returncode == 0)
    # An apply nobody confirms rolls itself back.
    r = ww("plan", "--infected", host[iso], "--reason", "rollback test", "--format", "json")
    pid2 = str(json.loads(r.stdout)["plan"])
    r = ww("apply", pid2, "--confirm", "--rollback-after", "2")
    check("%s: apply with a 2 s rollback time" % tname, r.returncode == 0, r.stderr)
    deadline = time.time() + 60   # a cap on the wait, not a timed assertion
    while time.time() < deadline and "rolled-back" not in ww("show", pid2).stdout:
        time.sleep(0.3)
    check("%s: the unconfirmed apply was rolled back" % tname, "state: rolled-back" in ww("show", pid2).stdout)
    compare("%s: after the rollback, the original reachability is back" % tname, matrix(), base_want)
    log = ww("log", "--format", "json").stdout
    acts = [json.loads(l)["action"] for l in log.splitlines()]
    check("%s: the log records plan, dry-run, apply, confirm, lift, rollback" % tname,
          all(a in acts for a in ("plan", "dry-run", "apply", "confirm", "lift", "rollback")), str(acts))
    check("%s: late confirm of a rolled-back plan is refused" % tname, ww("confirm", pid2).returncode != 0)

    mon = [s["name"] for s in segs if s["monitor_only"]]
    if mon:
        r = ww("plan", "--segment", mon[0], "--format", "json")
        pid3 = str(json.loads(r.stdout)["plan"])
        r = ww("apply", pid3, "--confirm", "--rollback-after", "5")
        check("%s: monitor-only %s is not isolated without the override" % (tname, mon[0]),
              r.returncode != 0 and "monitor_only" in r.stderr and not table_exists(), r.stderr)

    ext = [s["name"] for s in segs if s["kind"] == "external"]
    if ext:
        r = ww("plan", "--segment", ext[0])
        check("%s: external segment %s cannot be isolated" % (tname, ext[0]),
              r.returncode == 2 and "outside the hospital" in r.stderr, r.stderr)

    quarantine_host(isos[0])

    for p in procs:
        p.kill(); p.wait()
    cleanup()
    for suffix in ("", "-wal", "-shm"):
        try:
            os.unlink(db + suffix)
        except OSError:
            pass

V6MAP = """hospital: IPv6 test
segments:
  - {name: it, cidrs: ["fd00:9::/64"], kind: management}
  - {name: wards, cidrs: ["fd00:a::/64"], kind: clinical}
  - {name: pacs, cidrs: ["fd00:b::/64"], kind: servers, clinical: true}
flows:
  - {from: wards, to: pacs, proto: tcp, ports: [443], clinical: true, reason: "image viewer"}
"""

LISTENER6 = r'''
import selectors, socket, sys
sel = selectors.DefaultSelector()
for p in [int(x) for x in sys.argv[1].split(",")]:
    s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", p)); s.listen(64); s.setblocking(False); sel.register(s, selectors.EVENT_READ)
print("ready", flush=True)
while True:
    for key, _ in sel.select():
        try:
            c, _ = key.fileobj.accept(); c.settimeout(1); c.sendall(b"ok"); c.close()
        except OSError:
            pass
'''

def run_v6_host():
    """plan --host with an IPv6 address: a host and its neighbour on one switched LAN
    (wards), PACS and IT behind the router; real TCP over IPv6."""
    db = tempfile.mktemp(prefix="wwfb6-", suffix=".db")
    mp = tempfile.mktemp(prefix="wwfb6-", suffix=".yml")
    with open(mp, "w") as f:
        f.write(V6MAP)
    r = sh([BIN, "firebreak", "map", "import", mp, "--db", db], check=False)
    check("ipv6: map imports", r.returncode == 0, r.stderr)
    router = TAG + "r6"
    ns = {n: "%s6%s" % (TAG, n) for n in ("it", "wards", "pacs", "nb")}
    sh(["ip", "netns", "add", router]); created.append(router)
    sh(["ip", "-n", router, "link", "set", "lo", "up"])
    sh(["sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1"], ns=router)
    nets = {"it": "fd00:9::", "wards": "fd00:a::", "pacs": "fd00:b::"}
    for i, (seg, pre) in enumerate(nets.items()):
        n = ns[seg]
        sh(["ip", "netns", "add", n]); created.append(n)
        sh(["ip", "-n", router, "link", "add", "r%d" % i, "type", "veth", "peer", "name", "eth0", "netns", n])
        sh(["ip", "-n", router, "addr", "add", pre + "1/64", "dev", "r%d" % i, "nodad"])
        sh(["ip", "-n", router, "link", "set", "r%d" % i, "up"])
        sh(["ip", "-n", n, "link", "set", "lo", "up"])
        dev = "eth0"
        if seg == "wards":   # a switched LAN: the uplink, the host, and a neighbour
            sh(["ip", "-n", n, "link", "add", "sw0", "type", "bridge"])
            sh(["ip", "-n", n, "link", "set", "eth0", "master", "sw0"])
            sh(["ip", "-n", n, "link", "set", "sw0", "up"])
            sh(["ip", "netns", "add", ns["nb"]]); created.append(ns["nb"])
            sh(["ip", "-n", n, "link", "add", "nb0", "type", "veth", "peer", "name", "eth0", "netns", ns["nb"]])
            sh(["ip", "-n", n, "link", "set", "nb0", "master", "sw0"])
            sh(["ip", "-n", n, "link", "set", "nb0", "up"])
            sh(["ip", "-n", ns["nb"], "link", "set", "lo", "up"])
            sh(["ip", "-n", ns["nb"], "addr", "add", pre + "3/64", "dev", "eth0", "nodad"])
            sh(["ip", "-n", ns["nb"], "link", "set", "eth0", "up"])
            sh(["ip", "-n", ns["nb"], "-6", "route", "add", "default", "via", pre + "1"])
            dev = "sw0"
        sh(["ip", "-n", n, "link", "set", "eth0", "up"])
        sh(["ip", "-n", n, "addr", "add", pre + "2/64", "dev", dev, "nodad"])
        sh(["ip", "-n", n, "-6", "route", "add", "default", "via", pre + "1"])
    ip = {"it": "fd00:9::2", "wards": "fd00:a::2", "pacs": "fd00:b::2", "nb": "fd00:a::3"}
    procs = []
    for n in ip:
        p = subprocess.Popen(["ip", "netns", "exec", ns[n], "python3", "-c", LISTENER6, "443,9000"],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
        procs.append(p)
        if p.stdout.readline().strip() != "ready":
            raise RuntimeError("ipv6 listener in %s did not start" % n)

    def v6matrix():
        """Every host probes every other on 443 and 9000, in parallel per host."""
        jobs, out = {}, {}
        for a in ip:
            todo = [(b, p) for b in ip if b != a for p in (443, 9000)]
            jobs[a] = (todo, subprocess.Popen(
                ["ip", "netns", "exec", ns[a], "python3", "-c", PROBE,
                 json.dumps([[ip[b], "tcp", p] for b, p in todo]), str(TIMEOUT)],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True))
        for a, (todo, pr) in jobs.items():
            for (b, p), okv in zip(todo, json.loads(pr.communicate(timeout=60)[0])):
                out[(a, b, p)] = okv
        return out

    ww = lambda *a: sh([BIN, "firebreak"] + list(a) + ["--db", db], ns=router, check=False)
    before = v6matrix()
    check("ipv6: before, every host reaches every other", all(before.values()),
          str([k for k, v in before.items() if not v]))
    r = ww("plan", "--host", "FD00:A::2", "--reason", "ipv6 host", "--format", "json")
    check("ipv6: plan --host fd00:a::2", r.returncode == 0, r.stderr)
    pid = str(json.loads(r.stdout)["plan"]) if r.returncode == 0 else "0"
    r = ww("apply", pid, "--confirm", "--rollback-after", "60")
    check("ipv6: apply --confirm", r.returncode == 0, r.stderr)
    want = lambda a, b, p: (("wards" not in (a, b)) or (a, b) in (("wards", "nb"), ("nb", "wards"))
                            or (a, b, p) == ("wards", "pacs", 443) or a == "it")
    after = v6matrix()
    bad = ["%s->%s/%d %s" % (a, b, p, "passes" if v else "blocked")
           for (a, b, p), v in sorted(after.items()) if v != want(a, b, p)]
    check("ipv6: only the host is cut, except its clinical flow and management", not bad, "; ".join(bad))
    check("ipv6: the host's clinical flow to pacs works, other ports do not",
          after[("wards", "pacs", 443)] and not after[("wards", "pacs", 9000)])
    check("ipv6: the neighbour still reaches pacs on any port",
          after[("nb", "pacs", 443)] and after[("nb", "pacs", 9000)])
    r = ww("lift", pid)
    check("ipv6: lift", r.returncode == 0, r.stderr)
    back = v6matrix()
    check("ipv6: after lift, every host reaches every other again", all(back.values()))
    for p in procs:
        p.kill(); p.wait()
    cleanup()
    for f in (mp, db, db + "-wal", db + "-shm"):
        try:
            os.unlink(f)
        except OSError:
            pass

try:
    try:
        sh(["ip", "netns", "add", TAG + "probe"]); created.append(TAG + "probe")
        sh(["nft", "list", "tables"], ns=TAG + "probe")
    except Exception as e:
        print("skip: network namespaces or nft unusable here: %s" % e)
        cleanup()
        sys.exit(77)
    cleanup()
    for i, path in enumerate(MAPS):
        try:
            run_topology(i, path)
        except Exception as e:
            check("%s: topology runs" % os.path.basename(path), False, repr(e))
            cleanup()
    try:
        run_v6_host()
    except Exception as e:
        check("ipv6 host quarantine runs", False, repr(e))
        cleanup()
finally:
    cleanup()
    import shutil
    shutil.rmtree(LOCKS, ignore_errors=True)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
