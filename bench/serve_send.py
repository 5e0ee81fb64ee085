#!/usr/bin/env python3
"""Senders for bench/serve.sh (not part of wardwatch).

  serve_send.py http PORT TOKEN EVENTS [RATE]   POST Windows JSON events, 1,000 per body, 4
                                                 connections; RATE events/s (0: as fast as
                                                 possible).  Every 100th event is planted
                                                 (mimikatz) with its send time in ns.
  serve_send.py tcp PORT LINES_FILE [CONNS]      send a syslog file over TCP, LF framing.
  serve_send.py wait-file FILE LINES TIMEOUT     until FILE has LINES lines (for the rsyslog
                                                 baseline); prints the seconds it took.
"""
import http.client, json, os, socket, sys, threading, time

SAMPLE = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "sample",
                      "psh_lsass_memory_dump_comsvcs.json")


def bodies(n, per=1000):
    base = [json.loads(l) for l in open(SAMPLE) if l.strip()]
    seq = 0
    while seq < n:
        lines = []
        for _ in range(min(per, n - seq)):
            ev = dict(base[seq % len(base)])
            ev["EventRecordID"] = seq
            if seq % 100 == 0:
                ev.update({"EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational",
                           "Image": "C:\\t\\mimikatz.exe", "CommandLine":
                           "mimikatz.exe sekurlsa::logonpasswords", "Computer": "bench",
                           "ww_sent_ns": "%d"})
            lines.append(json.dumps(ev))
            seq += 1
        yield "\n".join(lines) + "\n"


def http_send(port, token, n, rate):
    work = list(bodies(n))
    lock = threading.Lock()
    t0 = time.time()
    sent = [0]

    def run():
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if not work:
                    return
                body = work.pop(0)
                k = sent[0]
                sent[0] += body.count("\n")
            if rate:
                due = t0 + k / rate
                if due > time.time():
                    time.sleep(due - time.time())
            data = body.replace('"%d"', '"%d"' % time.time_ns()).encode()
            while True:
                c.request("POST", "/ingest", data, {"Authorization": "Bearer " + token,
                                                    "Content-Type": "application/x-ndjson"})
                r = c.getresponse()
                r.read()
                if r.status == 200:
                    break
                time.sleep(0.05)

    ts = [threading.Thread(target=run) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print("%.3f" % (time.time() - t0))


def tcp_send(port, path, conns):
    data = open(path, "rb").read()
    cut = [0]
    for i in range(1, conns):
        p = data.find(b"\n", len(data) * i // conns) + 1
        cut.append(p)
    cut.append(len(data))

    def run(a, b):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(data[a:b])
        s.close()

    ts = [threading.Thread(target=run, args=(cut[i], cut[i + 1])) for i in range(conns)]
    t0 = time.time()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print("%.3f" % (time.time() - t0))


def wait_file(path, lines, timeout):
    t0 = time.time()
    while time.time() - t0 < timeout:
        try:
            with open(path, "rb") as f:
                if f.read().count(b"\n") >= lines:
                    break
        except FileNotFoundError:
            pass
        time.sleep(0.05)
    print("%.3f" % (time.time() - t0))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "http":
        http_send(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]),
                  float(sys.argv[5]) if len(sys.argv) > 5 else 0)
    elif cmd == "tcp":
        tcp_send(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 2)
    elif cmd == "wait-file":
        wait_file(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
