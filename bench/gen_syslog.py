#!/usr/bin/env python3
"""Seeded, realistic syslog corpus for the benchmark: RFC 3164 lines (~100-200 bytes)
from sshd/PAM, the kernel's netfilter, cron, sudo, systemd and postfix, with embedded
SSH brute-force episodes (one source, many failures) and fan-out episodes (one source,
many users or ports).  Same seed and line count -> same bytes.

usage: gen_syslog.py LINES OUT [SEED]"""
import random
import sys


def main():
    n = int(sys.argv[1])
    out = sys.argv[2]
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 4242)
    hosts = ["pacs-gw%02d" % i for i in range(1, 9)] + ["ward-ws%03d" % i for i in range(1, 41)]
    users = ["root", "admin", "jsmith", "mpatel", "oracle", "postgres", "radiology", "nurse1",
             "test", "guest", "ubuntu", "backup", "pi", "support", "ftp", "git"]
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    t = 0
    episode = None  # (kind, src, left)
    with open(out, "w", buffering=1 << 20) as f:
        w = f.write
        for i in range(n):
            t += rng.randint(0, 3)
            day, rem = divmod(t, 86400)
            mon = months[(day // 28) % 12]
            ts = "%s %2d %02d:%02d:%02d" % (mon, day % 28 + 1, rem // 3600, rem // 60 % 60, rem % 60)
            host = hosts[rng.randrange(len(hosts))]
            pid = rng.randint(300, 65000)
            ip = "%d.%d.%d.%d" % (rng.choice((10, 172, 185, 45, 91)), rng.randrange(256),
                                  rng.randrange(256), rng.randint(1, 254))
            port = rng.randint(1024, 65535)
            if episode is None and rng.random() < 0.0004:
                kind = rng.choice(("bf", "spray", "scan"))
                episode = [kind, ip, rng.randint(20, 120), hosts[rng.randrange(len(hosts))]]
            if episode is not None and rng.random() < 0.5:
                kind, src, left, ehost = episode
                if kind == "bf":
                    line = "%s %s sshd[%d]: Failed password for %s from %s port %d ssh2" % (
                        ts, ehost, pid, users[0], src, port)
                elif kind == "spray":
                    line = "%s %s sshd[%d]: Failed password for invalid user %s from %s port %d ssh2" % (
                        ts, ehost, pid, rng.choice(users) + str(rng.randrange(100)), src, port)
                else:
                    line = ("%s %s kernel: [%d.%06d] nft-drop IN=eth0 OUT= MAC=52:54:00:12:34:56 SRC=%s "
                            "DST=10.20.0.%d LEN=44 TOS=0x00 PREC=0x00 TTL=52 ID=%d PROTO=TCP SPT=%d DPT=%d "
                            "WINDOW=1024 RES=0x00 SYN URGP=0") % (
                        ts, ehost, t, rng.randrange(10**6), src, rng.randint(1, 254),
                        rng.randrange(65536), port, rng.randint(1, 65535))
                episode[2] -= 1
                if episode[2] <= 0:
                    episode = None
                w(line + "\n")
                continue
            r = rng.random()
            u = rng.choice(users)
            if r < 0.22:
                line = "%s %s sshd[%d]: Accepted publickey for %s from %s port %d ssh2: RSA SHA256:%s" % (
                    ts, host, pid, u, ip, port, "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef0123456789") for _ in range(43)))
            elif r < 0.30:
                line = "%s %s sshd[%d]: Failed password for %s from %s port %d ssh2" % (ts, host, pid, u, ip, port)
            elif r < 0.36:
                line = "%s %s sshd[%d]: pam_unix(sshd:session): session opened for user %s(uid=%d) by (uid=0)" % (
                    ts, host, pid, u, rng.randint(1000, 2000))
            elif r < 0.40:
                line = "%s %s sshd[%d]: Connection closed by authenticating user %s %s port %d [preauth]" % (
                    ts, host, pid, u, ip, port)
            elif r < 0.62:
                line = ("%s %s kernel: [%d.%06d] nft-drop IN=eth0 OUT= MAC=52:54:00:12:34:56 SRC=%s DST=10.20.0.%d "
                        "LEN=60 TOS=0x00 PREC=0x00 TTL=%d ID=%d DF PROTO=TCP SPT=%d DPT=%d WINDOW=64240 RES=0x00 SYN URGP=0") % (
                    ts, host, t, rng.randrange(10**6), ip, rng.randint(1, 254), rng.randint(40, 128),
                    rng.randrange(65536), port, rng.choice((22, 23, 80, 443, 445, 3389, 104, 11112)))
            elif r < 0.72:
                line = "%s %s CRON[%d]: (%s) CMD (/usr/local/bin/pacs-sync --incremental >/dev/null 2>&1)" % (
                    ts, host, pid, rng.choice(("root", "backup")))
            elif r < 0.78:
                line = "%s %s sudo[%d]:   %s : TTY=pts/%d ; PWD=/home/%s ; USER=root ; COMMAND=/usr/bin/systemctl restart dicom-router" % (
                    ts, host, pid, u, rng.randrange(8), u)
            elif r < 0.90:
                line = "%s %s systemd[1]: Started Session %d of User %s." % (ts, host, rng.randint(1, 99999), u)
            else:
                line = "%s %s postfix/smtpd[%d]: connect from unknown[%s]" % (ts, host, pid, ip)
            w(line + "\n")


if __name__ == "__main__":
    main()
