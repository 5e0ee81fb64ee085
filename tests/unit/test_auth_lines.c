/* Table-driven test of the Linux authentication decoders: sshd wording from OpenSSH
 * 3.x to 10.x, PAM modules, sudo, su, login and dropbear.  Each row is a message as
 * the program logs it, wrapped in a syslog header, and the normalised fields it must
 * produce (NULL = the field must be absent). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "event/ww_event.h"
#include "util/ww_util.h"

typedef struct row {
    const char *prog, *msg;
    const char *user, *src_ip, *src_port, *outcome, *service;
} row_t;

#define F "failure"
#define S "success"

static const row_t rows[] = {
    /* sshd: password, publickey, keyboard-interactive, none */
    {"sshd", "Failed password for root from 203.0.113.5 port 52211 ssh2", "root", "203.0.113.5",
     "52211", F, "sshd"},
    {"sshd", "Failed password for invalid user admin from 203.0.113.5 port 41234 ssh2", "admin",
     "203.0.113.5", "41234", F, "sshd"},
    {"sshd", "Failed password for illegal user test from ::ffff:10.1.2.3 port 3333 ssh2", "test",
     "::ffff:10.1.2.3", "3333", F, "sshd"},
    {"sshd", "Failed password for invalid user foo bar from 198.51.100.9 port 22 ssh2", "foo bar",
     "198.51.100.9", "22", F, "sshd"},
    {"sshd", "Failed password for root from 2001:db8::dead:beef port 60000 ssh2", "root",
     "2001:db8::dead:beef", "60000", F, "sshd"},
    {"sshd", "Failed password for root from fe80::1%eth0 port 60000 ssh2", "root", "fe80::1%eth0",
     "60000", F, "sshd"},
    {"sshd",
     "Failed publickey for git from 192.0.2.44 port 50022 ssh2: RSA "
     "SHA256:AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg",
     "git", "192.0.2.44", "50022", F, "sshd"},
    {"sshd",
     "Failed keyboard-interactive/pam for invalid user oracle from 192.0.2.8 port 4022 ssh2",
     "oracle", "192.0.2.8", "4022", F, "sshd"},
    {"sshd", "Failed none for invalid user ubnt from 192.0.2.9 port 51000 ssh2", "ubnt",
     "192.0.2.9", "51000", F, "sshd"},
    {"sshd", "Failed password for root from 192.0.2.10", "root", "192.0.2.10", NULL, F, "sshd"},
    {"sshd", "Failed password for root from UNKNOWN port 65535 ssh2", "root", NULL, NULL, F,
     "sshd"},
    {"sshd-session", "Failed password for nurse from 10.20.30.40 port 40404 ssh2", "nurse",
     "10.20.30.40", "40404", F, "sshd"},
    {"sshd", "Accepted password for bob from 10.0.0.1 port 52211 ssh2", "bob", "10.0.0.1", "52211",
     S, "sshd"},
    {"sshd", "Accepted publickey for bob from 10.0.0.1 port 52211 ssh2: ED25519 SHA256:xyz", "bob",
     "10.0.0.1", "52211", S, "sshd"},
    {"sshd", "Accepted keyboard-interactive/pam for alice from 10.0.0.2 port 1022 ssh2", "alice",
     "10.0.0.2", "1022", S, "sshd"},
    /* invalid users */
    {"sshd", "Invalid user admin from 203.0.113.5 port 41234", "admin", "203.0.113.5", "41234", F,
     "sshd"},
    {"sshd", "Invalid user  from 203.0.113.5 port 41234", "", "203.0.113.5", "41234", F, "sshd"},
    {"sshd", "Invalid user webmaster from 173.234.31.186", "webmaster", "173.234.31.186", NULL, F,
     "sshd"},
    {"sshd", "Illegal user guest from 192.168.5.5", "guest", "192.168.5.5", NULL, F, "sshd"},
    {"sshd", "input_userauth_request: invalid user webmaster [preauth]", "webmaster", NULL, NULL, F,
     "sshd"},
    /* preauth disconnects */
    {"sshd", "Connection closed by authenticating user root 203.0.113.5 port 41234 [preauth]",
     "root", "203.0.113.5", "41234", F, "sshd"},
    {"sshd", "Connection closed by invalid user admin 203.0.113.5 port 41234 [preauth]", "admin",
     "203.0.113.5", "41234", F, "sshd"},
    {"sshd", "Connection closed by 203.0.113.5 port 41234 [preauth]", NULL, "203.0.113.5", "41234",
     F, "sshd"},
    {"sshd", "Connection closed by 173.234.31.186 [preauth]", NULL, "173.234.31.186", NULL, F,
     "sshd"},
    {"sshd", "Connection reset by 203.0.113.5 port 41234 [preauth]", NULL, "203.0.113.5", "41234",
     F, "sshd"},
    {"sshd", "Connection reset by authenticating user pi 203.0.113.5 port 41234 [preauth]", "pi",
     "203.0.113.5", "41234", F, "sshd"},
    {"sshd", "Disconnected from invalid user admin 203.0.113.5 port 41234 [preauth]", "admin",
     "203.0.113.5", "41234", F, "sshd"},
    {"sshd", "Disconnected from authenticating user root 2001:db8::7 port 41234 [preauth]", "root",
     "2001:db8::7", "41234", F, "sshd"},
    {"sshd", "Disconnected from 203.0.113.5 port 41234 [preauth]", NULL, "203.0.113.5", "41234", F,
     "sshd"},
    {"sshd", "Disconnected from user bob 10.0.0.1 port 52211", "bob", "10.0.0.1", "52211", NULL,
     "sshd"},
    {"sshd", "Received disconnect from 203.0.113.5 port 41234:11: Bye Bye [preauth]", NULL,
     "203.0.113.5", "41234", F, "sshd"},
    {"sshd", "Received disconnect from 203.0.113.5 port 41234:11:  [preauth]", NULL, "203.0.113.5",
     "41234", F, "sshd"},
    {"sshd", "Received disconnect from 103.99.0.122: 11: Bye Bye [preauth]", NULL, "103.99.0.122",
     NULL, F, "sshd"},
    {"sshd",
     "error: Received disconnect from 103.99.0.122: 14: No more user authentication methods "
     "available. [preauth]",
     NULL, "103.99.0.122", NULL, F, "sshd"},
    {"sshd", "Received disconnect from 2001:db8::1: 11: Bye Bye [preauth]", NULL, "2001:db8::1",
     NULL, F, "sshd"},
    {"sshd",
     "error: Received disconnect from 198.51.100.3 port 3022:3: com.jcraft.jsch.JSchException: "
     "Auth fail [preauth]",
     NULL, "198.51.100.3", "3022", F, "sshd"},
    /* too many failures */
    {"sshd",
     "error: maximum authentication attempts exceeded for root from 203.0.113.5 port 41234 ssh2 "
     "[preauth]",
     "root", "203.0.113.5", "41234", F, "sshd"},
    {"sshd",
     "error: maximum authentication attempts exceeded for invalid user admin from 203.0.113.5 "
     "port 41234 ssh2 [preauth]",
     "admin", "203.0.113.5", "41234", F, "sshd"},
    {"sshd",
     "Disconnecting authenticating user root 203.0.113.5 port 41234: Too many authentication "
     "failures [preauth]",
     "root", "203.0.113.5", "41234", F, "sshd"},
    {"sshd",
     "Disconnecting invalid user admin 203.0.113.5 port 41234: Too many authentication failures "
     "[preauth]",
     "admin", "203.0.113.5", "41234", F, "sshd"},
    {"sshd", "Disconnecting: Too many authentication failures for root [preauth]", "root", NULL,
     NULL, F, "sshd"},
    /* root refused, PAM */
    {"sshd", "ROOT LOGIN REFUSED FROM 203.0.113.5 port 41234", "root", "203.0.113.5", "41234", F,
     "sshd"},
    {"sshd", "ROOT LOGIN REFUSED FROM 203.0.113.5", "root", "203.0.113.5", NULL, F, "sshd"},
    {"sshd", "error: PAM: Authentication failure for root from 203.0.113.5", "root", "203.0.113.5",
     NULL, F, "sshd"},
    {"sshd", "error: PAM: Authentication failure for illegal user admin from 203.0.113.5", "admin",
     "203.0.113.5", NULL, F, "sshd"},
    {"sshd",
     "error: PAM: User not known to the underlying authentication module for illegal user "
     "support from scanner.example.net",
     "support", "scanner.example.net", NULL, F, "sshd"},
    {"sshd",
     "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
     "rhost=1.2.3.4  user=root",
     "root", "1.2.3.4", NULL, F, "sshd"},
    {"sshd",
     "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
     "rhost=dsl-1-2-3-4.example.net",
     NULL, "dsl-1-2-3-4.example.net", NULL, F, "sshd"},
    {"sshd",
     "PAM 5 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= "
     "rhost=183.62.140.253  user=root",
     "root", "183.62.140.253", NULL, F, "sshd"},
    {"sshd",
     "PAM 1 more authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=2001:db8::5",
     NULL, "2001:db8::5", NULL, F, "sshd"},
    {"sshd", "pam_unix(sshd:auth): check pass; user unknown", NULL, NULL, NULL, F, "sshd"},
    {"sshd",
     "pam_sss(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
     "rhost=10.9.8.7 user=dr.jones",
     "dr.jones", "10.9.8.7", NULL, F, "sshd"},
    {"sshd", "pam_sss(sshd:auth): received for user dr.jones: 7 (Authentication failure)",
     "dr.jones", NULL, NULL, F, "sshd"},
    {"sshd",
     "pam_faillock(sshd:auth): Consecutive login failures for user root account temporarily "
     "locked",
     "root", NULL, NULL, F, "sshd"},
    {"sshd", "pam_tally2(sshd:auth): user root (0) tally 4, deny 3", "root", NULL, NULL, F, "sshd"},
    {"sshd",
     "pam_krb5(sshd:auth): authentication failure; logname=alice uid=0 euid=0 tty=ssh ruser= "
     "rhost=192.0.2.77",
     NULL, "192.0.2.77", NULL, F, "sshd"},
    /* pre-authentication noise */
    {"sshd", "Did not receive identification string from 203.0.113.5 port 41234", NULL,
     "203.0.113.5", "41234", F, "sshd"},
    {"sshd", "Did not receive identification string from 203.0.113.5", NULL, "203.0.113.5", NULL, F,
     "sshd"},
    {"sshd", "Did not receive identification string from UNKNOWN port 65535", NULL, NULL, NULL, F,
     "sshd"},
    {"sshd",
     "Unable to negotiate with 203.0.113.5 port 41234: no matching key exchange method found. "
     "Their offer: diffie-hellman-group1-sha1 [preauth]",
     NULL, "203.0.113.5", "41234", F, "sshd"},
    {"sshd",
     "Unable to negotiate with 203.0.113.5: no matching cipher found. Their offer: aes128-cbc",
     NULL, "203.0.113.5", NULL, F, "sshd"},
    {"sshd", "Bad protocol version identification 'GET / HTTP/1.1' from 203.0.113.5 port 41234",
     NULL, "203.0.113.5", "41234", F, "sshd"},
    {"sshd", "User root from 203.0.113.5 not allowed because not listed in AllowUsers", "root",
     "203.0.113.5", NULL, F, "sshd"},
    {"sshd", "fatal: Timeout before authentication for 203.0.113.5 port 41234", NULL, "203.0.113.5",
     "41234", F, "sshd"},
    {"sshd",
     "reverse mapping checking getaddrinfo for host.example [203.0.113.5] failed - POSSIBLE "
     "BREAK-IN ATTEMPT!",
     NULL, "203.0.113.5", NULL, F, "sshd"},
    {"sshd",
     "ssh_dispatch_run_fatal: Connection from invalid user x 203.0.113.5 port 41234: "
     "message authentication code incorrect [preauth]",
     "x", "203.0.113.5", "41234", F, "sshd"},
    {"sshd",
     "srclimit_penalise: ipv4: new 203.0.113.5/32 deferred penalty of 10 seconds for "
     "reason: penalty: failed authentication",
     NULL, "203.0.113.5", NULL, F, "sshd"},
    {"sshd",
     "[ID 800047 auth.info] Failed keyboard-interactive for root from 192.0.2.1 port 22 ssh2",
     "root", "192.0.2.1", "22", F, "sshd"},
    /* sudo */
    {"sudo", "   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id", "alice",
     NULL, NULL, S, "sudo"},
    {"sudo",
     "alice : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/alice ; USER=root ; "
     "COMMAND=/bin/bash",
     "alice", NULL, NULL, F, "sudo"},
    {"sudo", "mallory : user NOT in sudoers ; TTY=pts/1 ; PWD=/tmp ; USER=root ; COMMAND=/bin/sh",
     "mallory", NULL, NULL, F, "sudo"},
    {"sudo",
     "pam_unix(sudo:auth): authentication failure; logname=alice uid=1000 euid=0 tty=/dev/pts/0 "
     "ruser=alice rhost=  user=alice",
     "alice", NULL, NULL, F, "sudo"},
    {"sudo", "pam_unix(sudo:auth): auth could not identify password for [alice]", "alice", NULL,
     NULL, F, "sudo"},
    /* su */
    {"su", "FAILED SU (to root) alice on pts/0", "root", NULL, NULL, F, "su"},
    {"su", "(to root) alice on pts/0", "root", NULL, NULL, S, "su"},
    {"su", "FAILED su for root by alice", "root", NULL, NULL, F, "su"},
    {"su", "- pts/0 alice:root", "root", NULL, NULL, F, "su"},
    {"su",
     "pam_unix(su:auth): authentication failure; logname=alice uid=1000 euid=0 tty=pts/0 "
     "ruser=alice rhost=  user=root",
     "root", NULL, NULL, F, "su"},
    {"su",
     "pam_unix(su-l:auth): authentication failure; logname=alice uid=1000 euid=0 tty=pts/0 "
     "ruser=alice rhost=  user=root",
     "root", NULL, NULL, F, "su"},
    /* login */
    {"login", "FAILED LOGIN 1 FROM tty1 FOR root, Authentication failure", "root", NULL, NULL, F,
     "login"},
    /* login's remote host is the client's unchecked reverse DNS (telnetd, rlogind): a
       name even when it spells an address ("@": expected as src_host). */
    {"login", "FAILED LOGIN 2 FROM 192.0.2.60 FOR admin, Authentication failure", "admin",
     "@192.0.2.60", NULL, F, "login"},
    {"login",
     "FAILED LOGIN (1) on '/dev/pts/1' from 'ward3-pc.nhs.example' FOR 'UNKNOWN', User not known "
     "to the underlying authentication module",
     "UNKNOWN", "ward3-pc.nhs.example", NULL, F, "login"},
    {"login", "FAILED LOGIN (3) on '/dev/tty2' FOR 'root', Authentication failure", "root", NULL,
     NULL, F, "login"},
    {"login", "TOO MANY LOGIN TRIES (5) on '/dev/tty1' FOR 'root', Authentication failure", "root",
     NULL, NULL, F, "login"},
    {"login", "ROOT LOGIN REFUSED ON tty3 FROM 192.0.2.61", "root", "@192.0.2.61", NULL, F,
     "login"},
    {"login",
     "pam_unix(remote:auth): authentication failure; logname= uid=0 euid=0 tty=pts/3 ruser= "
     "rhost=192.0.2.62  user=root",
     "root", "@192.0.2.62", NULL, F, "login"},
    {"login",
     "PAM 2 more authentication failures; logname= uid=0 euid=0 tty=pts/3 ruser= "
     "rhost=192.0.2.63  user=root",
     "root", "@192.0.2.63", NULL, F, "login"},
    {"login",
     "pam_unix(login:auth): authentication failure; logname=LOGIN uid=0 euid=0 tty=tty1 ruser= "
     "rhost=  user=root",
     "root", NULL, NULL, F, "login"},
    /* any program's PAM failure */
    {"gdm-password]",
     "pam_unix(gdm-password:auth): authentication failure; logname= uid=0 euid=0 tty=/dev/tty1 "
     "ruser= rhost=  user=nurse",
     "nurse", NULL, NULL, F, "gdm-password"},
    {"vsftpd",
     "pam_unix(vsftpd:auth): authentication failure; logname= uid=0 euid=0 tty=ftp ruser=anon "
     "rhost=::ffff:192.0.2.70",
     NULL, "::ffff:192.0.2.70", NULL, F, "vsftpd"},
    {"polkitd",
     "pam_unix(polkit-1:auth): authentication failure; logname=bob uid=1000 euid=0 tty= ruser=bob "
     "rhost=  user=bob",
     "bob", NULL, NULL, F, "polkit-1"},
    {"sshd", "pam_access(sshd:account): access denied for user `root' from `192.0.2.80'", "root",
     "192.0.2.80", NULL, F, "sshd"},
    /* dropbear */
    {"dropbear", "Bad password attempt for 'root' from 192.0.2.90:52000", "root", "192.0.2.90",
     "52000", F, "sshd"},
    {"dropbear", "Login attempt for nonexistent user from 192.0.2.91:52001", NULL, "192.0.2.91",
     "52001", F, "sshd"},
    /* rsyslog repeats */
    {"sshd",
     "message repeated 5 times: [ Failed password for root from 183.62.140.253 port 43322 ssh2]",
     "root", "183.62.140.253", "43322", F, "sshd"},
};

static void check(const ww_event_t *ev, const char *line, const char *name, const char *want)
{
    const ww_field_t *f = ww_event_get(ev, WW_STRZ(name), NULL);
    if (!want) {
        if (f)
            fail_msg("%s: field %s = '%.*s', expected absent", line, name, (int)f->value.n,
                     f->value.p);
        return;
    }
    if (!f)
        fail_msg("%s: field %s missing, expected '%s'", line, name, want);
    if (f->value.n != strlen(want) || memcmp(f->value.p, want, f->value.n) != 0)
        fail_msg("%s: field %s = '%.*s', expected '%s'", line, name, (int)f->value.n, f->value.p,
                 want);
}

static void test_rows(void **state)
{
    (void)state;
    char line[1024];
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const row_t *r = &rows[i];
        int n = snprintf(line, sizeof line, "Mar  3 07:01:02 host1 %s[77]: %s", r->prog, r->msg);
        ww_reader_t *rd;
        ww_diag_t d;
        ww_event_t ev;
        ww_event_init(&ev);
        assert_int_equal(ww_reader_open_mem("t", line, (size_t)n, WW_FMT_AUTO, &rd, &d), 0);
        assert_int_equal(ww_reader_next(rd, &ev, &d), 1);
        check(&ev, r->msg, "user", r->user);
        /* A host name (PAM's rhost, UseDNS) is src_host; src_ip is only ever an address. */
        bool host = false;
        const char *want = r->src_ip;
        for (const char *c = want; c && *c && !host; c++)
            host = (*c >= 'g' && *c <= 'z') || *c == '-';
        if (want && strchr(want, ':'))
            host = false;
        if (want && want[0] == '@')
            host = true, want++; /* a name that looks like an address */
        check(&ev, r->msg, "src_ip", host ? NULL : want);
        check(&ev, r->msg, "src_host", host ? want : NULL);
        check(&ev, r->msg, "src_port", r->src_port);
        check(&ev, r->msg, "outcome", r->outcome);
        check(&ev, r->msg, "auth_service", r->service);
        if (r->outcome && (ev.category.n != 14 || memcmp(ev.category.p, "authentication", 14)))
            fail_msg("%s: category not authentication", r->msg);
        if (r->src_port) {
            const ww_field_t *f = ww_event_get(&ev, WW_STR("src_port"), NULL);
            assert_int_equal(f->type, WW_F_INT);
        }
        ww_reader_free(rd);
        ww_event_release(&ev);
    }
}

/* The syslog header is not what makes a line an auth event: journald's short-iso and
 * RFC 5424 carry the same messages. */
static void test_headers(void **state)
{
    (void)state;
    static const char *lines[] = {
        "<38>1 2024-05-01T10:00:00.123Z host1 sshd 77 - - Failed password for root from "
        "192.0.2.1 port 22 ssh2",
        "2024-05-01T10:00:00+01:00 host1 sshd[77]: Failed password for root from 192.0.2.1 "
        "port 22 ssh2",
        "<86>May  1 10:00:00 host1 sshd[77]: Failed password for root from 192.0.2.1 port 22 ssh2",
    };
    for (size_t i = 0; i < 3; i++) {
        ww_reader_t *rd;
        ww_diag_t d;
        ww_event_t ev;
        ww_event_init(&ev);
        assert_int_equal(ww_reader_open_mem("t", lines[i], strlen(lines[i]), WW_FMT_AUTO, &rd, &d),
                         0);
        assert_int_equal(ww_reader_next(rd, &ev, &d), 1);
        check(&ev, lines[i], "src_ip", "192.0.2.1");
        check(&ev, lines[i], "outcome", "failure");
        check(&ev, lines[i], "user", "root");
        assert_true(ev.service.n == 4 && memcmp(ev.service.p, "sshd", 4) == 0);
        ww_reader_free(rd);
        ww_event_release(&ev);
    }
}

/* A user name cannot smuggle in an address: the last "from" sshd wrote wins. */
static void test_spoofed_user(void **state)
{
    (void)state;
    const char *line = "Mar  3 07:01:02 h sshd[1]: Failed password for invalid user x from "
                       "6.6.6.6 port 1 ssh2 from 192.0.2.5 port 2222 ssh2";
    ww_reader_t *rd;
    ww_diag_t d;
    ww_event_t ev;
    ww_event_init(&ev);
    assert_int_equal(ww_reader_open_mem("t", line, strlen(line), WW_FMT_AUTO, &rd, &d), 0);
    assert_int_equal(ww_reader_next(rd, &ev, &d), 1);
    check(&ev, line, "src_ip", "192.0.2.5");
    check(&ev, line, "src_port", "2222");
    check(&ev, line, "user", "x from 6.6.6.6 port 1 ssh2");
    ww_reader_free(rd);
    ww_event_release(&ev);
}

/* ---- auth_attempts ---------------------------------------------------------------- */

/* Decodes `text` (lines with syslog headers) and returns the sum of auth_attempts over
 * the lines with outcome failure, and in *lines the number of failure lines.  Every
 * failure line must carry the field. */
static long attempts_in(const char *text, int *lines)
{
    ww_reader_t *rd;
    ww_diag_t d;
    ww_event_t ev;
    long sum = 0;
    *lines = 0;
    ww_event_init(&ev);
    assert_int_equal(ww_reader_open_mem("t", text, strlen(text), WW_FMT_SYSLOG, &rd, &d), 0);
    while (ww_reader_next(rd, &ev, &d) == 1) {
        const ww_field_t *o = ww_event_get(&ev, WW_STR("outcome"), NULL);
        if (!o || o->value.n != 7 || memcmp(o->value.p, "failure", 7) != 0)
            continue;
        const ww_field_t *f = ww_event_get(&ev, WW_STR("auth_attempts"), NULL);
        if (!f)
            fail_msg("failure line without auth_attempts: %.*s", (int)ev.raw.n, ev.raw.p);
        assert_int_equal(f->type, WW_F_INT);
        sum += (long)f->num;
        (*lines)++;
    }
    ww_reader_free(rd);
    ww_event_release(&ev);
    return sum;
}

typedef struct seq {
    const char *what;
    long attempts; /* credential checks the text records */
    int lines;     /* failure lines in it */
    const char *text;
} seq_t;

#define H "Dec  3 10:00:0"
/* Each sequence is what one kind of failed login writes, from OpenSSH's, PAM's,
 * sudo's, login's and dropbear's wording. */
static const seq_t seqs[] = {
    {"sshd UsePAM, password, real account, 3 tries, rsyslog folds two", 3, 8,
     H "1 h sshd[10]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 "
       "tty=ssh ruser= rhost=192.0.2.7  user=root\n" H
       "2 h sshd[10]: Failed password for root from 192.0.2.7 port 4000 ssh2\n" H
       "3 h sshd[10]: message repeated 2 times: [ Failed password for root from 192.0.2.7 "
       "port 4000 ssh2]\n" H
       "4 h sshd[10]: pam_unix(sshd:auth): 2 more authentication failures; logname= uid=0 "
       "euid=0 tty=ssh ruser= rhost=192.0.2.7  user=root\n" H
       "4 h sshd[10]: PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh "
       "ruser= rhost=192.0.2.7  user=root\n" H
       "4 h sshd[10]: pam_unix(sshd:auth): service(sshd) ignoring max retries; 6 > 3\n" H
       "5 h sshd[10]: error: maximum authentication attempts exceeded for root from "
       "192.0.2.7 port 4000 ssh2 [preauth]\n" H
       "5 h sshd[10]: Disconnecting authenticating user root 192.0.2.7 port 4000: Too many "
       "authentication failures [preauth]\n"},
    {"sshd, invalid user, none then two passwords", 2, 8,
     H "1 h sshd[11]: Invalid user oracle from 192.0.2.8 port 4001\n" H
       "1 h sshd[11]: Failed none for invalid user oracle from 192.0.2.8 port 4001 ssh2\n" H
       "2 h sshd[11]: pam_unix(sshd:auth): check pass; user unknown\n" H
       "2 h sshd[11]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 "
       "tty=ssh ruser= rhost=192.0.2.8\n" H
       "3 h sshd[11]: Failed password for invalid user oracle from 192.0.2.8 port 4001 ssh2\n" H
       "4 h sshd[11]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 "
       "tty=ssh ruser= rhost=192.0.2.8\n" H
       "5 h sshd[11]: Failed password for invalid user oracle from 192.0.2.8 port 4001 ssh2\n" H
       "6 h sshd[11]: Connection closed by invalid user oracle 192.0.2.8 port 4001 "
       "[preauth]\n"},
    {"sshd keyboard-interactive/pam: the Failed line only sometimes (VERBOSE)", 3, 7,
     H "1 h sshd-session[12]: pam_unix(sshd:auth): authentication failure; logname= uid=0 "
       "euid=0 tty=ssh ruser= rhost=192.0.2.9  user=nurse\n" H
       "1 h sshd-session[12]: error: PAM: Authentication failure for nurse from 192.0.2.9\n" H
       "2 h sshd-session[12]: error: PAM: Authentication failure for nurse from 192.0.2.9\n" H
       "3 h sshd-session[12]: error: PAM: Authentication failure for illegal user x from "
       "192.0.2.9\n" H
       "3 h sshd-session[12]: Failed keyboard-interactive/pam for invalid user x from "
       "192.0.2.9 port 4002 ssh2\n" H
       "4 h sshd-session[12]: Failed keyboard-interactive/pam for nurse from 192.0.2.9 port "
       "4002 ssh2\n" H
       "5 h sshd-session[12]: Connection closed by authenticating user nurse 192.0.2.9 port "
       "4002 [preauth]\n"},
    {"sshd without PAM, old wording", 2, 4,
     H "1 h sshd[13]: Illegal user guest from 192.0.2.10\n" H
       "1 h sshd[13]: Failed password for illegal user guest from 192.0.2.10 port 4003 ssh2\n" H
       "2 h sshd[13]: Failed password for root from 192.0.2.10 port 4004 ssh2\n" H
       "3 h sshd[13]: Disconnecting: Too many authentication failures for root [preauth]\n"},
    {"publickey: each rejected key is a check", 2, 3,
     H "1 h sshd[14]: Failed publickey for invalid user git from 192.0.2.11 port 4005 ssh2: "
       "RSA SHA256:AbCdEf\n" H
       "1 h sshd[14]: Failed publickey for invalid user git from 192.0.2.11 port 4005 ssh2: "
       "ED25519 SHA256:GhIjKl\n" H
       "2 h sshd[14]: Received disconnect from 192.0.2.11 port 4005:11: Bye [preauth]\n"},
    {"sudo: three PAM lines and its own count", 3, 4,
     H "1 h sudo: pam_unix(sudo:auth): authentication failure; logname=alice uid=1000 "
       "euid=0 tty=/dev/pts/0 ruser=alice rhost=  user=alice\n" H
       "2 h sudo: pam_unix(sudo:auth): conversation failed\n" H
       "2 h sudo: pam_unix(sudo:auth): auth could not identify password for [alice]\n" H
       "3 h sudo:    alice : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/alice ; "
       "USER=root ; COMMAND=/usr/bin/id\n"},
    {"su: PAM line and su's own", 1, 2,
     H "1 h su: pam_unix(su:auth): authentication failure; logname=bob uid=1000 euid=0 "
       "tty=/dev/pts/1 ruser=bob rhost=  user=root\n" H
       "2 h su: FAILED SU (to root) bob on pts/1\n"},
    {"login (util-linux): two FAILED LOGIN and the last try's SESSION line", 3, 6,
     H "1 h login[15]: pam_unix(login:auth): authentication failure; logname=LOGIN uid=0 "
       "euid=0 tty=/dev/tty1 ruser= rhost=  user=ward\n" H
       "1 h login[15]: FAILED LOGIN 1 FROM tty1 FOR ward, Authentication failure\n" H
       "2 h login[15]: pam_unix(login:auth): authentication failure; logname=LOGIN uid=0 "
       "euid=0 tty=/dev/tty1 ruser= rhost=  user=ward\n" H
       "2 h login[15]: FAILED LOGIN 2 FROM tty1 FOR ward, Authentication failure\n" H
       "3 h login[15]: pam_unix(login:auth): authentication failure; logname=LOGIN uid=0 "
       "euid=0 tty=/dev/tty1 ruser= rhost=  user=ward\n" H
       "3 h login[15]: FAILED LOGIN SESSION FROM tty1 FOR ward, Authentication failure\n"},
    {"login (shadow): TOO MANY after the last FAILED LOGIN", 2, 3,
     H "1 h login[16]: FAILED LOGIN (1) on '/dev/tty2' FOR 'ward', Authentication failure\n" H
       "2 h login[16]: FAILED LOGIN (2) on '/dev/tty2' FOR 'ward', Authentication failure\n" H
       "2 h login[16]: TOO MANY LOGIN TRIES (2) on '/dev/tty2' FOR 'ward'\n"},
    {"a service without its own lines: pam_unix's first failure and its summary", 5, 5,
     H "1 h vsftpd[17]: pam_unix(vsftpd:auth): authentication failure; logname= uid=0 euid=0 "
       "tty=ftp ruser=bob rhost=10.1.1.1  user=bob\n" H
       "2 h vsftpd[17]: pam_sss(vsftpd:auth): received for user bob: 7 (Authentication "
       "failure)\n" H
       "3 h cockpit-session[18]: pam_unix(cockpit:auth): authentication failure; logname= "
       "uid=0 euid=0 tty= ruser= rhost=10.1.1.2  user=ward\n" H
       "4 h cockpit-session[18]: pam_unix(cockpit:auth): 3 more authentication failures; "
       "logname= uid=0 euid=0 tty= ruser= rhost=10.1.1.2  user=ward\n" H
       "4 h cockpit-session[18]: pam_unix(cockpit:auth): service(cockpit) ignoring max "
       "retries; 4 > 3\n"},
    {"dropbear", 3, 4,
     H "1 h dropbear[18]: Bad password attempt for 'root' from 192.0.2.12:4006\n" H
       "2 h dropbear[18]: Bad password attempt for 'root' from 192.0.2.12:4006\n" H
       "3 h dropbear[19]: Login attempt for nonexistent user 'ubnt' from 192.0.2.12:4007\n" H
       "4 h dropbear[18]: Exit before auth (user 'root', 2 fails): Max auth tries reached - "
       "user 'root' from 192.0.2.12:4006\n"},
};

static void test_attempts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof seqs / sizeof seqs[0]; i++) {
        int lines;
        long n = attempts_in(seqs[i].text, &lines);
        if (n != seqs[i].attempts || lines != seqs[i].lines)
            fail_msg("%s: %ld attempts in %d failure lines, expected %ld in %d", seqs[i].what, n,
                     lines, seqs[i].attempts, seqs[i].lines);
    }
}

/* The repeat count multiplies; a forged one is capped, and garbage is no repeat. */
static void test_attempts_repeated(void **state)
{
    (void)state;
    static const struct {
        const char *msg;
        long want;
    } reps[] = {
        {"message repeated 5 times: [ Failed password for root from 192.0.2.1 port 1 ssh2]", 5},
        {"message repeated 1 times: [ Failed password for root from 192.0.2.1 port 1 ssh2]", 1},
        {"message repeated 99999999999999999999 times: [ Failed password for root from "
         "192.0.2.1 port 1 ssh2]",
         1000000},
        {"message repeated 3 times: [ Connection closed by authenticating user root 192.0.2.1 "
         "port 1 [preauth]]",
         0},
        {"message repeated 4 times: [ Failed none for root from 192.0.2.1 port 1 ssh2]", 0},
        {"message repeated times: [ Failed password for root from 192.0.2.1 port 1 ssh2]", -1},
    };
    char line[512];
    for (size_t i = 0; i < sizeof reps / sizeof reps[0]; i++) {
        int n = snprintf(line, sizeof line, "Dec  3 10:00:00 h sshd[1]: %s", reps[i].msg);
        int lines;
        long got = attempts_in(line, &lines);
        (void)n;
        if (reps[i].want < 0) {
            /* Not rsyslog's form: the whole text is an unknown sshd message. */
            if (got != 0)
                fail_msg("%s: %ld attempts, expected none", reps[i].msg, got);
            continue;
        }
        if (got != reps[i].want || lines != 1)
            fail_msg("%s: %ld attempts in %d lines, expected %ld in 1", reps[i].msg, got, lines,
                     reps[i].want);
    }
}

int main(void)
{
    /* RFC 3164 times are read in the --tz zone: pin it, so that the expected times
       hold on any machine. */
    if (ww_time_set_zone("UTC") != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_spoofed_user),
        cmocka_unit_test(test_attempts),
        cmocka_unit_test(test_attempts_repeated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
