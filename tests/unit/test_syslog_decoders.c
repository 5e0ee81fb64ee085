/* Tests of the firewall and auditd message decoders behind the syslog/text reader:
 * netfilter (UFW, plain iptables, nftables, IPv6, ICMP), FortiGate traffic and VPN
 * logs, Cisco ASA built/teardown/deny/AAA, and auditd records raw, via audisp and via
 * the kernel.  Each case is one line and the fields (name=value pairs) it must carry,
 * plus the routing facts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "event/ww_event.h"
#include "util/ww_util.h"

typedef struct tcase {
    const char *line;
    const char *product, *service, *category;
    const char *fields[24]; /* "name=value" ("name=" for an empty value, "!name" absent) */
} tcase_t;

static const tcase_t cases[] = {
    {"Nov 14 10:00:00 h1 kernel: [ 1234.5678] [UFW BLOCK] IN=eth0 OUT= "
     "MAC=00:11:22:33:44:55:66:77:88:99:aa:bb:08:00 SRC=203.0.113.5 DST=10.0.0.5 LEN=60 "
     "TOS=0x00 PREC=0x00 TTL=50 ID=54321 DF PROTO=TCP SPT=51515 DPT=445 WINDOW=29200 RES=0x00 "
     "SYN URGP=0",
     "linux",
     "kernel",
     "firewall",
     {"prefix=[UFW BLOCK]", "IN=eth0", "OUT=", "SRC=203.0.113.5", "src_ip=203.0.113.5",
      "dst_ip=10.0.0.5", "src_port=51515", "dst_port=445", "PROTO=TCP", "proto=tcp", "action=deny",
      "flags=DF"}},
    {"Nov 14 10:00:00 h1 kernel: iptables-accepted: IN=eth1 OUT=eth0 SRC=10.0.0.7 DST=8.8.8.8 "
     "LEN=84 TTL=63 PROTO=UDP SPT=5353 DPT=53 LEN=64",
     "linux",
     "kernel",
     "firewall",
     {"prefix=iptables-accepted:", "src_ip=10.0.0.7", "dst_port=53", "action=allow"}},
    {"Nov 14 10:00:00 h1 kernel: [12345.678901] nft drop in: IN=ens3 OUT= SRC=2001:db8::66 "
     "DST=2001:db8::1 LEN=80 TC=0 "
     "HOPLIMIT=57 FLOWLBL=0 PROTO=TCP SPT=40000 DPT=22 WINDOW=64800 RES=0x00 SYN URGP=0",
     "linux",
     "kernel",
     "firewall",
     {"src_ip=2001:db8::66", "dst_ip=2001:db8::1", "dst_port=22", "action=deny"}},
    {"Nov 14 10:00:00 h1 kernel: IN=eth0 OUT= SRC=192.0.2.1 DST=10.0.0.5 LEN=56 PROTO=ICMP "
     "TYPE=3 CODE=3 [SRC=10.0.0.5 DST=192.0.2.1 LEN=40 PROTO=UDP SPT=53 DPT=4444 ]",
     "linux",
     "kernel",
     "firewall",
     {"src_ip=192.0.2.1", "proto=icmp", "TYPE=3", "!dst_port", "!action"}},
    {"<189>date=2024-01-15 time=10:00:00 devname=\"FGT60F\" devid=\"FGT60FTK1234\" "
     "logid=\"0000000013\" type=\"traffic\" subtype=\"forward\" level=\"notice\" vd=\"root\" "
     "eventtime=1705312800123456789 srcip=10.0.0.5 srcport=50000 srcintf=\"internal\" "
     "dstip=10.0.1.9 dstport=445 dstintf=\"wan1\" proto=6 action=\"deny\" policyid=7 "
     "service=\"SMB\"",
     "fortigate",
     "traffic",
     "firewall",
     {"srcip=10.0.0.5", "src_ip=10.0.0.5", "dst_ip=10.0.1.9", "dst_port=445", "proto=6",
      "action=deny", "policyid=7", "devname=FGT60F"}},
    {"Jan 15 10:00:00 fw01 date=2024-01-15 time=10:00:00 devname=\"FGT60F\" devid=\"FGT\" "
     "logid=\"0000000013\" type=\"traffic\" subtype=\"forward\" srcip=10.0.0.5 srcport=50001 "
     "dstip=93.184.216.34 dstport=443 proto=6 action=\"close\" policyid=1",
     "fortigate",
     "traffic",
     "firewall",
     {"action=close", "dst_port=443"}},
    {"date=2024-01-15 time=10:00:01 devname=\"FGT60F\" devid=\"FGT60FTK1234\" "
     "logid=\"0101039426\" type=\"event\" subtype=\"vpn\" level=\"alert\" logdesc=\"SSL VPN "
     "login fail\" action=\"ssl-login-fail\" tunneltype=\"ssl-web\" remip=203.0.113.9 "
     "user=\"jsmith\" reason=\"sslvpn_login_permission_denied\"",
     "fortigate",
     "vpn",
     "authentication",
     {"user=jsmith", "src_ip=203.0.113.9", "outcome=failure", "auth_service=vpn"}},
    {"date=2024-01-15 time=10:00:02 devname=\"FGT60F\" devid=\"FGT60FTK1234\" "
     "logid=\"0100032002\" type=\"event\" subtype=\"system\" level=\"alert\" logdesc=\"Admin "
     "login failed\" user=\"admin\" srcip=198.51.100.4 action=\"login\" status=\"failed\" "
     "reason=\"passwd_invalid\"",
     "fortigate",
     "event",
     "authentication",
     {"user=admin", "src_ip=198.51.100.4", "outcome=failure", "auth_service=admin"}},
    {"<166>Jan 15 2024 10:00:00 asa01 : %ASA-6-302013: Built outbound TCP connection 123456 "
     "for outside:8.8.8.8/53 (8.8.8.8/53) to inside:10.0.0.5/50000 (198.51.100.1/50000)",
     "cisco",
     "asa",
     "firewall",
     {"message_id=302013", "src_ip=10.0.0.5", "src_port=50000", "dst_ip=8.8.8.8", "dst_port=53",
      "proto=tcp", "action=allow", "direction=outbound"}},
    {"Jan 15 10:00:00 asa01 %ASA-6-302013: Built inbound TCP connection 9 for "
     "outside:203.0.113.5/51515 (203.0.113.5/51515) to dmz:10.0.0.5/445 (198.51.100.5/445)",
     "cisco",
     "asa",
     "firewall",
     {"src_ip=203.0.113.5", "dst_ip=10.0.0.5", "dst_port=445", "src_interface=outside"}},
    {"Jan 15 10:00:00 asa01 %ASA-6-302014: Teardown TCP connection 9 for "
     "outside:203.0.113.5/51515 to dmz:10.0.0.5/445 duration 0:00:30 bytes 1234 TCP FINs",
     "cisco",
     "asa",
     "firewall",
     {"src_ip=203.0.113.5", "dst_port=445", "action=allow"}},
    {"Jan 15 10:00:00 asa01 %ASA-4-106023: Deny tcp src outside:203.0.113.5/51515 dst "
     "inside:10.0.0.5/445 by access-group \"outside_in\" [0x0, 0x0]",
     "cisco",
     "asa",
     "firewall",
     {"src_ip=203.0.113.5", "dst_ip=10.0.0.5", "dst_port=445", "action=deny", "acl=outside_in"}},
    {"<162>%ASA-2-106001: Inbound TCP connection denied from 203.0.113.5/51515 to "
     "10.0.0.5/445 flags SYN  on interface outside",
     "cisco",
     "asa",
     "firewall",
     {"src_ip=203.0.113.5", "dst_port=445", "proto=tcp", "action=deny"}},
    {"Jan 15 10:00:00 asa01 : %ASA-2-106006: Deny inbound UDP from 203.0.113.5/137 to "
     "10.0.0.5/137 on interface outside",
     "cisco",
     "asa",
     "firewall",
     {"src_port=137", "proto=udp", "action=deny"}},
    {"Jan 15 10:00:00 asa01 : %ASA-6-106015: Deny TCP (no connection) from 10.0.0.5/445 to "
     "203.0.113.5/51515 flags RST  on interface inside",
     "cisco",
     "asa",
     "firewall",
     {"src_port=445", "dst_ip=203.0.113.5", "action=deny"}},
    {"Jan 15 10:00:00 asa01 : %ASA-5-106100: access-list outside_in denied tcp "
     "outside/203.0.113.5(51515) -> inside/10.0.0.5(445) hit-cnt 1 first hit [0x1, 0x0]",
     "cisco",
     "asa",
     "firewall",
     {"src_ip=203.0.113.5", "dst_port=445", "action=deny", "acl=outside_in"}},
    {"Jan 15 10:00:00 asa01 %ASA-6-113015: AAA user authentication Rejected : reason = "
     "Invalid password : server = 10.0.0.10 : user = jsmith : user IP = 203.0.113.9",
     "cisco",
     "asa",
     "authentication",
     {"user=jsmith", "src_ip=203.0.113.9", "outcome=failure", "reason=Invalid password"}},
    {"Jan 15 10:00:00 asa01 %ASA-6-113004: AAA user authentication Successful : server = "
     "10.0.0.10 : user = jsmith",
     "cisco",
     "asa",
     "authentication",
     {"user=jsmith", "outcome=success", "!src_ip"}},
    {"Jan 15 10:00:00 asa01 : %ASA-4-716039: Group <DfltGrpPolicy> User <jsmith> IP "
     "<203.0.113.9> Authentication: rejected, Session Type: WebVPN.",
     "cisco",
     "asa",
     "authentication",
     {"user=jsmith", "src_ip=203.0.113.9", "outcome=failure", "auth_service=vpn"}},
    {"Jan 15 10:00:00 asa01 : %ASA-4-722051: Group <GP> User <jsmith> IP <203.0.113.9> IPv4 "
     "Address <10.8.0.2> IPv6 address <::> assigned to session",
     "cisco",
     "asa",
     "authentication",
     {"user=jsmith", "src_ip=203.0.113.9", "outcome=success"}},
    {"Jan 15 10:00:00 asa01 : %ASA-6-605004: Login denied from 198.51.100.4/40000 to "
     "outside:10.0.0.1/ssh for user \"admin\"",
     "cisco",
     "asa",
     "authentication",
     {"user=admin", "src_ip=198.51.100.4", "src_port=40000", "outcome=failure"}},
    /* auditd */
    {"type=SYSCALL msg=audit(1700000000.123:456): arch=c000003e syscall=59 success=yes exit=0 "
     "a0=55d5 a1=55d6 items=2 ppid=100 pid=200 auid=1000 uid=0 tty=pts0 ses=3 comm=\"bash\" "
     "exe=\"/usr/bin/bash\" key=\"exec\"",
     "linux",
     "auditd",
     NULL,
     {"type=SYSCALL", "syscall=59", "SYSCALL=execve", "exe=/usr/bin/bash", "comm=bash", "key=exec",
      "a0=55d5", "msg=audit(1700000000.123:456)", "serial=456"}},
    {"type=EXECVE msg=audit(1700000000.123:456): argc=3 a0=\"ls\" a1=2D6C61 a2=\"/tmp\"",
     "linux",
     "auditd",
     NULL,
     {"type=EXECVE", "argc=3", "a0=ls", "a1=-la", "a2=/tmp"}},
    {"node=web01 type=PROCTITLE msg=audit(1700000000.123:456): "
     "proctitle=6C73002D6C61002F746D70",
     "linux",
     "auditd",
     NULL,
     {"node=web01", "type=PROCTITLE", "proctitle=ls -la /tmp"}},
    {"type=PATH msg=audit(1700000000.123:456): item=0 name=2F746D702F6120622E7368 inode=1 "
     "nametype=NORMAL",
     "linux",
     "auditd",
     NULL,
     {"name=/tmp/a b.sh", "nametype=NORMAL"}},
    {"type=CWD msg=audit(1700000000.123:456): cwd=\"/root\"",
     "linux",
     "auditd",
     NULL,
     {"type=CWD", "cwd=/root"}},
    {"type=USER_AUTH msg=audit(1700000001.000:457): pid=1234 uid=0 auid=4294967295 "
     "ses=4294967295 msg='op=PAM:authentication grantors=? acct=\"root\" exe=\"/usr/sbin/sshd\" "
     "hostname=203.0.113.5 addr=203.0.113.5 terminal=ssh res=failed'",
     "linux",
     "auditd",
     "authentication",
     {"type=USER_AUTH", "op=PAM:authentication", "acct=root", "user=root", "src_ip=203.0.113.5",
      "outcome=failure", "auth_service=sshd", "res=failed"}},
    {"type=USER_LOGIN msg=audit(1700000002.000:458): pid=1 uid=0 auid=4294967295 ses=1 "
     "msg='op=login acct=6D7920757365 exe=\"/usr/sbin/sshd\" hostname=? addr=2001:db8::9 "
     "terminal=sshd res=failed'",
     "linux",
     "auditd",
     "authentication",
     {"user=my use", "src_ip=2001:db8::9", "outcome=failure"}},
    {"Nov 14 10:00:00 h1 audispd: node=h1 type=SYSCALL msg=audit(1700000000.5:9): "
     "arch=c000003e syscall=319 success=yes exit=3 comm=\"x\" exe=\"/usr/bin/ecasound\" "
     "key=(null)",
     "linux",
     "auditd",
     NULL,
     {"SYSCALL=memfd_create", "exe=/usr/bin/ecasound", "key=(null)", "node=h1"}},
    {"Nov 14 10:00:00 h1 kernel: [ 99.1] audit: type=1309 audit(1700000000.5:9): argc=2 "
     "a0=\"cat\" a1=\"/etc/shadow\"",
     "linux",
     "auditd",
     NULL,
     {"type=EXECVE", "type_id=1309", "a1=/etc/shadow"}},
    {"Nov 14 10:00:00 h1 audit[1234]: USER_AUTH pid=1234 uid=0 auid=4294967295 ses=4294967295 "
     "msg='op=PAM:authentication grantors=? acct=\"alice\" exe=\"/usr/bin/sudo\" hostname=? "
     "addr=? terminal=/dev/pts/0 res=failed'",
     "linux",
     "auditd",
     "authentication",
     {"type=USER_AUTH", "user=alice", "!src_ip", "outcome=failure", "auth_service=sudo"}},
};

static bool eq(ww_str_t s, const char *z)
{
    return z ? s.n == strlen(z) && memcmp(s.p, z, s.n) == 0 : s.n == 0;
}

static bool has(const ww_event_t *ev, const char *name, size_t nl, const char *val)
{
    for (uint32_t i = 0; i < ev->nfields; i++) {
        const ww_field_t *f = &ev->fields[i];
        if (f->name.n == nl && memcmp(f->name.p, name, nl) == 0 && eq(f->value, val))
            return true;
    }
    return false;
}

static void test_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const tcase_t *c = &cases[i];
        ww_reader_t *rd;
        ww_diag_t d;
        ww_event_t ev;
        ww_event_init(&ev);
        assert_int_equal(ww_reader_open_mem("t", c->line, strlen(c->line), WW_FMT_AUTO, &rd, &d),
                         0);
        int rc = ww_reader_next(rd, &ev, &d);
        if (rc != 1)
            fail_msg("%s: returned %d (%s)", c->line, rc, d.msg);
        if (!eq(ev.product, c->product) || !eq(ev.service, c->service) ||
            !eq(ev.category, c->category))
            fail_msg("%s: facts %.*s/%.*s/%.*s", c->line, (int)ev.product.n, ev.product.p,
                     (int)ev.service.n, ev.service.p, (int)ev.category.n, ev.category.p);
        for (size_t k = 0; k < 24 && c->fields[k]; k++) {
            const char *f = c->fields[k];
            if (f[0] == '!') {
                if (ww_event_get(&ev, WW_STRZ(f + 1), NULL))
                    fail_msg("%s: %s should be absent", c->line, f + 1);
                continue;
            }
            const char *eqs = strchr(f, '=');
            if (!has(&ev, f, (size_t)(eqs - f), eqs + 1)) {
                const ww_field_t *g = ww_event_get(&ev, (ww_str_t){f, (size_t)(eqs - f)}, NULL);
                fail_msg("%s: want %s, have '%.*s'", c->line, f, g ? (int)g->value.n : 4,
                         g ? g->value.p : "none");
            }
        }
        ww_reader_free(rd);
        ww_event_release(&ev);
    }
}

/* Timestamps come from the record, not the syslog header or the clock. */
static void test_times(void **state)
{
    (void)state;
    const char *text = "type=EOE msg=audit(1700000000.123:456): \n"
                       "date=2024-01-15 time=10:00:00 devname=\"F\" devid=\"F\" logid=\"1\" "
                       "type=\"traffic\" srcip=1.1.1.1\n";
    ww_reader_t *rd;
    ww_diag_t d;
    ww_event_t ev;
    ww_event_init(&ev);
    assert_int_equal(ww_reader_open_mem("t", text, strlen(text), WW_FMT_AUTO, &rd, &d), 0);
    assert_int_equal(ww_reader_next(rd, &ev, &d), 1);
    assert_int_equal(ev.ts, 1700000000123000000LL);
    assert_int_equal(ww_reader_next(rd, &ev, &d), 1);
    int64_t want;
    assert_int_equal(ww_time_parse_iso("2024-01-15T10:00:00Z", 20, &want), 0);
    assert_int_equal(ev.ts, want);
    ww_reader_free(rd);
    ww_event_release(&ev);

    /* Cisco's "Mmm dd yyyy hh:mm:ss" header: the year is given, the host follows. */
    text = "<166>Jan 15 2024 10:00:00 asa01 : %ASA-6-302016: Teardown UDP connection 1 for "
           "outside:8.8.8.8/53 to inside:10.0.0.5/5000 duration 0:00:00 bytes 100\n";
    ww_event_init(&ev);
    assert_int_equal(ww_reader_open_mem("t", text, strlen(text), WW_FMT_AUTO, &rd, &d), 0);
    assert_int_equal(ww_reader_next(rd, &ev, &d), 1);
    assert_int_equal(ww_time_parse_iso("2024-01-15T10:00:00Z", 20, &want), 0);
    assert_int_equal(ev.ts, want);
    assert_true(ev.host.n == 5 && memcmp(ev.host.p, "asa01", 5) == 0);
    assert_non_null(ww_event_get(&ev, WW_STR("dst_port"), NULL));
    ww_reader_free(rd);
    ww_event_release(&ev);
}

/* Broken records stay events (text or partly decoded) and never crash. */
static void test_malformed(void **state)
{
    (void)state;
    const char *text = "type=\n"
                       "type=SYSCALL msg=audit(\n"
                       "type=SYSCALL msg=audit(12:34 a0=\"unterminated\n"
                       "type=EXECVE msg=audit(1.2:3): a0=ABC a1=4G4G a2='x\n"
                       "Jan 15 10:00:00 h kernel: IN= OUT=\n"
                       "%ASA-6-\n"
                       "%ASA-6-302013: Built inbound TCP connection for\n"
                       "date=x logid=\n";
    ww_reader_t *rd;
    ww_diag_t d;
    ww_event_t ev;
    ww_event_init(&ev);
    assert_int_equal(ww_reader_open_mem("t", text, strlen(text), WW_FMT_AUTO, &rd, &d), 0);
    int n = 0, rc;
    while ((rc = ww_reader_next(rd, &ev, &d)) != 0) {
        assert_int_equal(rc, 1);
        n++;
    }
    assert_int_equal(n, 8);
    ww_reader_free(rd);
    ww_event_release(&ev);
}

int main(void)
{
    /* RFC 3164 times are read in the --tz zone: pin it, so that the expected times
       hold on any machine. */
    if (ww_time_set_zone("UTC") != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
