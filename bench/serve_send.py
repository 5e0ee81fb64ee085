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

IMAGES = ["C:\\Windows\\System32\\svchost.exe", "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
          "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE",
          "C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE",
          "C:\\Windows\\explorer.exe", "C:\\Windows\\System32\\taskhostw.exe"]


def event(seq):
    """A benign Windows event of a busy estate (logons, process starts, connections), or
    every 100th a planted mimikatz run carrying the sender's clock."""
    host = "ws%03d" % (seq % 300)
    img = IMAGES[seq % len(IMAGES)]
    kind = seq % 4
    if seq % 100 == 0:
        return {"EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational", "Computer": "bench",
                "EventRecordID": seq, "Image": "C:\\t\\mimikatz.exe", "User": "TRUST\\admin",
                "CommandLine": "mimikatz.exe sekurlsa::logonpasswords", "ww_sent_ns": "%d"}
    if kind == 0:
        return {"EventID": 4624, "Channel": "Security", "Computer": host, "EventRecordID": seq,
                "TargetUserName": "user%d" % (seq % 5000), "TargetDomainName": "TRUST", "LogonType": 3,
                "IpAddress": "10.1.%d.%d" % (seq % 250, seq % 200 + 1), "IpPort": "0",
                "ProcessName": "-", "AuthenticationPackageName": "Kerberos", "LogonProcessName": "Kerberos"}
    if kind == 1:
        return {"EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational", "Computer": host,
                "EventRecordID": seq, "Image": img, "CommandLine": '"%s" --type=renderer' % img,
                "ParentImage": "C:\\Windows\\explorer.exe", "User": "TRUST\\user%d" % (seq % 5000),
                "IntegrityLevel": "Medium", "Hashes": "SHA256=%064x" % (seq * 7919),
                "CurrentDirectory": "C:\\Users\\user\\"}
    if kind == 2:
        return {"EventID": 3, "Channel": "Microsoft-Windows-Sysmon/Operational", "Computer": host,
                "EventRecordID": seq, "Image": img, "Protocol": "tcp", "Initiated": "true",
                "SourceIp": "10.1.%d.%d" % (seq % 250, seq % 200 + 1), "SourcePort": str(50000 + seq % 10000),
                "DestinationIp": "52.97.%d.%d" % (seq % 250, seq % 200), "DestinationPort": "443"}
    return {"EventID": 4688, "Channel": "Security", "Computer": host, "EventRecordID": seq,
            "NewProcessName": img, "CommandLine": img, "ParentProcessName": "C:\\Windows\\explorer.exe",
            "SubjectUserName": "user%d" % (seq % 5000), "TokenElevationType": "%%1938"}


def bodies(n, per=1000):
    seq = 0
    while seq < n:
        lines = []
        for _ in range(min(per, n - seq)):
            lines.append(json.dumps(event(seq)))
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
