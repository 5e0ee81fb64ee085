/* Framing attempts against every syslog message decoder: lines in which text an
 * attacker chooses (a user name, an SSH banner or auth info, a PTR name, a VPN client
 * type, a FortiGate value, another program's message) spells out a second address.
 * Each row gives the address the decoder must report, or NULL when the line may name
 * none; the attacker's addresses (6.6.6.6, 7.7.7.7) must never appear as src_ip or
 * src_host.  "No address" is an acceptable answer to an ambiguous line, a wrong one is
 * not.  Also: sshd sessions (address-less lines get their session's address, within
 * the window, identically in a range reader) and RFC 3164 times in the --tz zone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "event/ww_event.h"
#include "util/ww_util.h"

typedef struct frow {
    const char *line;
    const char *src_ip;   /* NULL: must be absent */
    const char *src_host; /* NULL: must be absent */
} frow_t;

#define H "Mar  3 07:01:02 h1 "

static const frow_t rows[] = {
    /* sshd: user names before the address */
    {H "sshd[9]: Failed password for invalid user x from 6.6.6.6 port 22 ssh2 from 192.0.2.5 "
       "port 2222 ssh2",
     "192.0.2.5", NULL},
    {H "sshd[9]: Failed password for x from 6.6.6.6 port 22 ssh2: y from 192.0.2.5 port 2222 ssh2",
     "192.0.2.5", NULL},
    {H "sshd[9]: Failed none for invalid user a from 6.6.6.6 port 1 ssh2 from 192.0.2.5 port 2 "
       "ssh2",
     "192.0.2.5", NULL},
    {H "sshd[9]: Invalid user x from 6.6.6.6 port 22 from 192.0.2.5 port 2222", "192.0.2.5", NULL},
    {H "sshd[9]: Invalid user from 6.6.6.6 from 192.0.2.5", "192.0.2.5", NULL},
    {H "sshd[9]: Invalid user a from 6.6.6.6 port 1 [preauth] from 192.0.2.5 port 2", "192.0.2.5",
     NULL},
    {H "sshd[9]: Connection closed by invalid user x 6.6.6.6 port 22 192.0.2.5 port 2222 [preauth]",
     "192.0.2.5", NULL},
    {H "sshd[9]: Connection closed by authenticating user root from 6.6.6.6 192.0.2.5 port 2222 "
       "[preauth]",
     "192.0.2.5", NULL},
    {H "sshd[9]: Disconnected from invalid user x 6.6.6.6 port 1 192.0.2.5 port 2222 [preauth]",
     "192.0.2.5", NULL},
    {H "sshd[9]: Connection reset by invalid user a 6.6.6.6 port 1 2001:db8::5 port 2 [preauth]",
     "2001:db8::5", NULL},
    {H "sshd[9]: Disconnecting invalid user x 6.6.6.6 port 1: y 192.0.2.5 port 2222: Too many "
       "authentication failures [preauth]",
     "192.0.2.5", NULL},
    {H "sshd[9]: error: maximum authentication attempts exceeded for invalid user x from 6.6.6.6 "
       "port 1 ssh2 from 192.0.2.5 port 2222 ssh2 [preauth]",
     "192.0.2.5", NULL},
    {H "sshd[9]: error: PAM: Authentication failure for illegal user x from 6.6.6.6 from 192.0.2.5",
     "192.0.2.5", NULL},
    {H "sshd[9]: Timeout, client not responding from user a 6.6.6.6 port 1 192.0.2.5 port 2",
     "192.0.2.5", NULL},
    /* sshd: client text after the address, or on both sides */
    {H "sshd[9]: Failed keyboard-interactive/pam for x from 192.0.2.5 port 5 ssh2: a from 6.6.6.6 "
       "port 1 ssh2",
     NULL, NULL},
    {H
     "sshd[9]: Failed publickey for x from 6.6.6.6 port 22 ssh2: y from 192.0.2.5 port 2222 ssh2: "
     "RSA SHA256:abc",
     NULL, NULL},
    {H "sshd[9]: Accepted publickey for root from 192.0.2.5 port 2222 ssh2: RSA-CERT SHA256:x ID "
       "from 6.6.6.6 port 1 ssh2 (serial 1) CA RSA SHA256:y",
     NULL, NULL},
    {H "sshd[9]: Failed hostbased for root from 192.0.2.5 port 2222 ssh2: ECDSA SHA256:x, client "
       "user \"u from 6.6.6.6 port 1 ssh2\", client host \"h\"",
     NULL, NULL},
    {H "sshd[9]: Failed publickey for root from 192.0.2.5 port 2222 ssh2: RSA SHA256:abc",
     "192.0.2.5", NULL},
    {H "sshd[9]: Disconnecting invalid user x 192.0.2.5 port 2222: Change of username or service "
       "not allowed: (x,ssh-connection) -> (a 6.6.6.6 port 1: b,ssh-connection) [preauth]",
     NULL, NULL},
    {H "sshd[9]: Bad protocol version identification 'SSH from 6.6.6.6 port 1' from 192.0.2.5 port "
       "2222",
     "192.0.2.5", NULL},
    {H "sshd[9]: Received disconnect from 192.0.2.5 port 2222:11: from 6.6.6.6 port 1 [preauth]",
     "192.0.2.5", NULL},
    {H "sshd[9]: Unable to negotiate with 192.0.2.5 port 2222: no matching key exchange method "
       "found. Their offer: from 6.6.6.6 port 1 [preauth]",
     "192.0.2.5", NULL},
    {H "sshd[9]: banner exchange: Connection from 192.0.2.5 port 2222: invalid format", "192.0.2.5",
     NULL},
    {H
     "sshd[9]: reverse mapping checking getaddrinfo for evil [6.6.6.6] failed [192.0.2.5] failed - "
     "POSSIBLE BREAK-IN ATTEMPT!",
     "192.0.2.5", NULL},
    {H "sshd[9]: Address 192.0.2.5 maps to x.example [6.6.6.6], but this does not map back to the "
       "address - POSSIBLE BREAK-IN ATTEMPT!",
     "192.0.2.5", NULL},
    {H "sshd[9]: Starting session: subsystem 'x for root from 6.6.6.6 port 1 id 0' for root from "
       "192.0.2.5 port 2222 id 0",
     "192.0.2.5", NULL},
    {H "sshd[9]: User root from 192.0.2.5 not allowed because not listed in AllowUsers",
     "192.0.2.5", NULL},
    {H "sshd[9]: User root from scanner.example.net not allowed because listed in DenyUsers", NULL,
     "scanner.example.net"},
    /* sshd: the account names of "not allowed" lines, and sshd's newer wordings */
    {H "sshd[9]: User root from 6.6.6.6 not allowed because account is locked", NULL, NULL},
    {H "sshd[9]: User x from 6.6.6.6 not allowed because y from 192.0.2.5 not allowed because "
       "listed in DenyUsers",
     "192.0.2.5", NULL},
    {H "sshd[9]: error: public key ECDSA-SK SHA256:x signature for x from 6.6.6.6 port 1 rejected: "
       "user presence (authenticator touch) requirement not met  from 192.0.2.5 port 2 rejected: "
       "user presence (authenticator touch) requirement not met  [preauth]",
     "192.0.2.5", NULL},
    {H "sshd[9]: session opened for local user x from [6.6.6.6] from [192.0.2.5]", "192.0.2.5",
     NULL},
    {H "sshd[9]: probed from 192.0.2.5 with from 6.6.6.6 port 1.  Don't panic.", "192.0.2.5", NULL},
    /* "<tag>: Connection from A port P: <error>" only after sshpkt_fatal's own tags: a
       message that ends in the client's text can spell out the rest. */
    {H "sshd[9]: fatal: Client version \"x: Connection from 6.6.6.6 port 1: y\" uses unsafe "
       "key agreement; refusing connection",
     NULL, NULL},
    {H "sshd[9]: error: Bad remote protocol version identification: 'x: Connection from 6.6.6.6 "
       "port 1: y'",
     NULL, NULL},
    {H "sshd[9]: subsystem request for x: Connection from 6.6.6.6 port 1: y by user root failed, "
       "subsystem not found",
     NULL, NULL},
    {H "sshd[9]: userauth_pubkey: unsupported public key algorithm: x: Connection from 6.6.6.6 "
       "port 1: y [preauth]",
     NULL, NULL},
    {H "sshd[9]: fatal: userauth_pubkey: parse packet: Connection from invalid user x: Connection "
       "from 6.6.6.6 port 1: y 192.0.2.5 port 2222: incomplete message [preauth]",
     NULL, NULL},
    {H "sshd[9]: fatal: userauth_pubkey: parse packet: Connection from invalid user x 192.0.2.5 "
       "port 2222: incomplete message [preauth]",
     "192.0.2.5", NULL},
    {H "sshd[9]: fatal: server_input_global_request: send reply: Connection from user root "
       "192.0.2.5 port 2222: Broken pipe",
     "192.0.2.5", NULL},
    /* sshd: no address at all */
    {H "sshd[9]: Something new from 6.6.6.6 port 22 failed", NULL, NULL},
    {H "sshd[1]: Server listening on 0.0.0.0 port 22.", NULL, NULL},
    {H "sshd[9]: Did not receive identification string from UNKNOWN port 65535", NULL, NULL},
    {H "sshd[9]: Connection closed by socket port 0 [preauth]", NULL, NULL},
    {H "sshd[9]: Failed password for root from 6.6.6.6.7 port 22 ssh2", NULL, NULL},
    {H "sshd[9]: Failed password for root from 999.1.1.1 port 22 ssh2", NULL, NULL},
    /* PAM: ruser and user are chosen by whoever logs in */
    {H "dovecot[5]: pam_unix(dovecot:auth): authentication failure; logname= uid=0 euid=0 "
       "tty=dovecot ruser=x rhost=6.6.6.6 rhost=192.0.2.5  user=x",
     NULL, NULL},
    {H "sshd[9]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
       "rhost=192.0.2.5  user=x rhost=6.6.6.6",
     NULL, NULL},
    {H "sshd[9]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
       "rhost=192.0.2.5  user=root",
     "192.0.2.5", NULL},
    {H "vsftpd[5]: pam_unix(vsftpd:auth): authentication failure; logname= uid=0 euid=0 tty=ftp "
       "ruser=a rhost=::ffff:192.0.2.5",
     "::ffff:192.0.2.5", NULL},
    {H "proftpd[5]: pam_unix(proftpd:auth): authentication failure; logname= uid=0 euid=0 "
       "tty=/dev/ftpd123 ruser= rhost=host.example.org",
     NULL, "host.example.org"},
    {H "sshd(pam_unix)[123]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= "
       "rhost=192.0.2.5  user=root",
     "192.0.2.5", NULL},
    {H "sshd[9]: PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= "
       "rhost=192.0.2.5  user=root rhost=6.6.6.6",
     NULL, NULL},
    {H "sshd[9]: pam_access(sshd:account): access denied for user `x' from `6.6.6.6' from "
       "`192.0.2.5'",
     "192.0.2.5", NULL},
    {H "sshd[9]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
       "rhost=UNKNOWN  user=root",
     NULL, NULL},
    /* A PAM module's own wording (pam_krb5 quotes the name the client sent): no address. */
    {H "sshd[9]: pam_krb5(sshd:auth): authentication fails for 'x; logname= uid=0 euid=0 tty=ssh "
       "ruser= rhost=6.6.6.6 y' (x@R): User not known to the underlying authentication module",
     NULL, NULL},
    /* login's remote host is the client's reverse DNS, unchecked: a PTR record can spell
       any address, so it is a name (src_host) even then. */
    {H "login[5]: FAILED LOGIN 1 FROM 192.0.2.5 FOR root, Authentication failure", NULL,
     "192.0.2.5"},
    {H "login[5]: pam_unix(remote:auth): authentication failure; logname= uid=0 euid=0 tty=pts/1 "
       "ruser= rhost=192.0.2.5  user=root",
     NULL, "192.0.2.5"},
    {H "login[5]: PAM 2 more authentication failures; logname= uid=0 euid=0 tty=pts/1 ruser= "
       "rhost=192.0.2.5  user=root",
     NULL, "192.0.2.5"},
    {H "vsftpd[5]: pam_unix(vsftpd:auth): authentication failure; logname= uid=0 euid=0 tty=ftp "
       "ruser=x rhost=192.0.2.5",
     NULL, "192.0.2.5"},
    /* ... but no DNS name holds ':': an IPv6 address there is the peer's. */
    {H "login[5]: FAILED LOGIN 1 FROM 2001:db8::5 FOR root, Authentication failure", "2001:db8::5",
     NULL},
    /* A line of the sshd service is sshd's: from another program it is that program's
       text, which may start with what a client sent. */
    {H "myapp[5]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh "
       "ruser= rhost=6.6.6.6  user=root",
     NULL, NULL},
    {H "myapp[5]: PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= "
       "rhost=6.6.6.6  user=root",
     NULL, NULL},
    {H "sshd-session[5]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 "
       "tty=ssh ruser= rhost=192.0.2.5  user=root",
     "192.0.2.5", NULL},
    /* login, dropbear */
    {H "login[5]: FAILED LOGIN 1 FROM 192.0.2.5 FOR x FROM 6.6.6.6, Authentication failure", NULL,
     "192.0.2.5"},
    {H "dropbear[5]: Bad password attempt for 'x' from 6.6.6.6:1' from 192.0.2.5:2222", "192.0.2.5",
     NULL},
    /* Cisco ASA: the user name is typed by the person logging in */
    {"%ASA-6-113005: AAA user authentication Rejected : reason = AAA failure : server = 10.1.1.1 : "
     "user = x : user IP = 6.6.6.6 : user IP = 192.0.2.5",
     "192.0.2.5", NULL},
    {"%ASA-6-113015: AAA user authentication Rejected : reason = Invalid password : local database "
     ": user = x: user IP = 6.6.6.6: user IP = 192.0.2.5",
     "192.0.2.5", NULL},
    {"%ASA-4-716039: Group <DfltGrpPolicy> User <x> IP <6.6.6.6> User <y> IP <192.0.2.5> "
     "Authentication: rejected, Session Type: WebVPN.",
     "192.0.2.5", NULL},
    {"%ASA-4-722051: Group <g> User <x> IP <6.6.6.6> IP <192.0.2.5> IPv4 Address <10.8.0.2> IPv6 "
     "address <::> assigned to session",
     "192.0.2.5", NULL},
    {"%ASA-6-113039: Group <g> User <x> IP <6.6.6.6> IP <192.0.2.5> AnyConnect parent session "
     "started.",
     "192.0.2.5", NULL},
    {"%ASA-6-734001: DAP: User x, Addr 6.6.6.6, Connection AnyConnect, Addr 192.0.2.5, Connection "
     "AnyConnect: The following DAP records were selected for this connection: DfltAccessPolicy",
     "192.0.2.5", NULL},
    {"%ASA-6-611102: User authentication failed: IP address: 192.0.2.5, Uname: x IP address: "
     "6.6.6.6",
     "192.0.2.5", NULL},
    {"%ASA-6-605004: Login denied from 192.0.2.5/5555 to outside:10.0.0.1/ssh for user \"x from "
     "6.6.6.6/1\"",
     "192.0.2.5", NULL},
    {"%ASA-4-722055: Group <g> User <u> IP <192.0.2.5> Client Type: x IP <6.6.6.6>", NULL, NULL},
    {"%ASA-4-113019: Group = g, Username = x, IP = 6.6.6.6, Session disconnected., IP = "
     "192.0.2.5, Session disconnected. Session Type: SSL, Duration: 0h:00m:10s, Bytes xmt: 1, "
     "Bytes rcv: 2, Reason: User Requested",
     "192.0.2.5", NULL},
    {"%ASA-6-302013: Built inbound TCP connection 1 for outside:192.0.2.5/1234 (192.0.2.5/1234)"
     "(LOCAL\\x to inside:6.6.6.6/1) to inside:10.0.0.1/80 (10.0.0.1/80)",
     NULL, NULL},
    {"%ASA-6-302013: Built outbound TCP connection 2 for outside:8.8.8.8/53 (8.8.8.8/53)(LOCAL\\x "
     "to inside:6.6.6.6/1) to inside:10.0.0.5/5555 (10.0.0.5/5555)",
     NULL, NULL},
    {"%ASA-6-106100: access-list acl permitted tcp outside/192.0.2.5(1234) (LOCAL\\x "
     "6.6.6.6(1), 0) -> inside/10.0.0.1(80) hit-cnt 1 first hit [0x1, 0x2]",
     "192.0.2.5", NULL},
    /* A device's format inside another program's message is that program's text. */
    {H "cron[5]: (x) %ASA-6-605004: Login denied from 6.6.6.6/1 to outside:10.0.0.1/ssh for user "
       "\"y\"",
     NULL, NULL},
    {H "myapp[5]: IN=eth0 OUT= SRC=6.6.6.6 DST=10.0.0.1 PROTO=TCP SPT=1 DPT=22", NULL, NULL},
    {H "nginx[5]: date=2024-01-15 time=10:00:00 devname=\"F\" devid=\"F\" logid=\"1\" "
       "type=\"traffic\" srcip=6.6.6.6",
     NULL, NULL},
    {H "myapp[5]: type=USER_AUTH msg=audit(1700000000.123:456): pid=1 uid=0 msg='op=x "
       "acct=\"a\" exe=\"/usr/sbin/sshd\" hostname=6.6.6.6 addr=6.6.6.6 terminal=ssh res=failed'",
     NULL, NULL},
    {"1.2.3.4 - - [x] \"GET / HTTP/1.1\" 200 1 \"-\" \"Mozilla IN=eth0 OUT= SRC=6.6.6.6 "
     "DST=10.0.0.1\"",
     NULL, NULL},
    {H "kernel: [ 5.1] usb 1-1: Product: IN=eth0 OUT= SRC=6.6.6.6 DST=10.0.0.1 PROTO=TCP SPT=1 "
       "DPT=22",
     NULL, NULL},
    {H "kernel: [ 5.1] [UFW BLOCK] IN=eth0 OUT= SRC=192.0.2.5 DST=10.0.0.1 LEN=40 TOS=0x00 "
       "PREC=0x00 TTL=50 ID=1 PROTO=TCP SPT=1 DPT=22",
     "192.0.2.5", NULL},
    {H "sshd[9]: message repeated 2 times: [ Connection closed by 192.0.2.5 port 5 [preauth]]",
     "192.0.2.5", NULL},
    {H "myapp[5]: %ASA-6-605004: Login denied from 6.6.6.6/1 to outside:10.0.0.1/ssh for user "
       "\"y\"",
     NULL, NULL},
    /* netfilter: only the kernel's own packet run ("IN= OUT= ... SRC= DST= LEN= ...
       PROTO="); a process name, a file name or a device's strings the kernel prints
       may look like the start of one. */
    {H "kernel: [ 5.1] IN= OUT= MAC=x[1234]: segfault at 0 ip 0 sp 0 error 4 in a SRC=6.6.6.6 "
       "DST=10.0.0.1 LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=TCP SPT=1 DPT=22 b[5+1000]",
     NULL, NULL},
    {H
     "kernel: [ 5.1] scsi 0:0:0:0: Direct-Access     IN= OUT= SRC=6.6.6.6 DST= LEN= PQ: 0 ANSI: 6",
     NULL, NULL},
    {H "kernel: [ 5.1] IN=eth0 OUT= SRC=6.6.6.6 DST=10.0.0.1 PROTO=TCP SPT=1 DPT=22", NULL, NULL},
    {H "myapp[5]: unknown command: IN=eth0 OUT= SRC=6.6.6.6 DST=10.0.0.1 LEN=40 TOS=0x00 "
       "PREC=0x00 TTL=64 ID=1 PROTO=TCP SPT=1 DPT=22",
     NULL, NULL},
    {"2024-01-01 12:00:00,123 ERROR [main] %ASA-6-605004: Login denied from 6.6.6.6/1 to "
     "outside:10.0.0.1/ssh for user \"y\"",
     NULL, NULL},
    /* A header and no tag: ulogd's LOGEMU, or an application's own line ending in text
       someone typed; the packet's fields stay, its addresses are not src_ip. */
    {"2024-01-01 12:00:00 ERROR unknown command: IN=eth0 OUT= SRC=6.6.6.6 DST=10.0.0.1 LEN=40 "
     "TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=TCP SPT=1 DPT=22",
     NULL, NULL},
    {"12:00:01 ERROR unknown command: IN=eth0 OUT= SRC=6.6.6.6 DST=10.0.0.1 LEN=40 TOS=0x00 "
     "PREC=0x00 TTL=64 ID=1 PROTO=TCP SPT=1 DPT=22",
     NULL, NULL},
    {"[Thu Dec  3 10:00:00 2026] [UFW BLOCK] IN=eth0 OUT= "
     "MAC=00:11:22:33:44:55:66:77:88:99:aa:bb:08:"
     "00 SRC=192.0.2.5 DST=10.0.0.1 LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=1 DF PROTO=TCP SPT=1 "
     "DPT=22",
     "192.0.2.5", NULL},
    {"[ 5.123456] nft drop in: IN=eth0 OUT= SRC=2001:db8::5 DST=2001:db8::1 LEN=80 TC=0 "
     "HOPLIMIT=57 FLOWLBL=0 PROTO=TCP SPT=1 DPT=22 [SRC=6.6.6.6 DST=10.0.0.1 LEN=40]",
     "2001:db8::5", NULL},
    /* A continuation line (journalctl indents the rest of a multi-line message, such as
       one whose user name held a newline) is never a device's record. */
    {"        %ASA-6-605004: Login denied from 6.6.6.6/1 to outside:10.0.0.1/ssh for user \"y\"",
     NULL, NULL},
    {"    IN=eth0 OUT= SRC=6.6.6.6 DST=10.0.0.1 LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=TCP "
     "SPT=1 DPT=22",
     NULL, NULL},
    {"\ttype=USER_AUTH msg=audit(1700000000.123:456): pid=1 uid=0 msg='op=PAM:authentication "
     "acct=\"x\" exe=\"/usr/sbin/sshd\" hostname=? addr=6.6.6.6 terminal=ssh res=failed'",
     NULL, NULL},
    /* FortiGate: a value that broke out of its quotes makes a second srcip */
    {"date=2024-01-15 time=10:00:00 devname=\"F\" devid=\"F\" logid=\"0100032002\" "
     "type=\"event\" subtype=\"system\" logdesc=\"Admin login failed\" user=\"x\" srcip=6.6.6.6 "
     "y=\"\" srcip=192.0.2.5 action=\"login\" status=\"failed\"",
     NULL, NULL},
    {"date=2024-01-15 time=10:00:00 devname=\"F\" devid=\"F\" logid=\"0100032002\" "
     "type=\"event\" subtype=\"system\" logdesc=\"Admin login failed\" user=\"x\\\\\" "
     "ui=\"https\" msg=\" srcip=6.6.6.6 srcport=1 x=\" action=\"login\" status=\"failed\"",
     NULL, NULL},
    {"date=2024-01-15 time=10:00:00 devname=\"F\" devid=\"F\" logid=\"0100032002\" "
     "type=\"event\" subtype=\"system\" logdesc=\"Admin login failed\" user=\"x\"y "
     "srcip=6.6.6.6 srcport=1 z=\"\" action=\"login\" status=\"failed\"",
     NULL, NULL},
    {"date=2024-01-15 time=10:00:00 devname=\"F\" devid=\"F\" logid=\"0100032002\" "
     "type=\"event\" subtype=\"system\" logdesc=\"Admin login failed\" user=\"x\\\" "
     "srcip=6.6.6.6 y=\\\"\" srcip=192.0.2.5 action=\"login\" status=\"failed\"",
     "192.0.2.5", NULL},
    /* auditd: msg='...' ends at its last quote (an account name may hold one); addr=
       only when the program passed it (not resolved from a name), and only once. */
    {"type=USER_AUTH msg=audit(1700000000.123:456): pid=1 uid=0 auid=4294967295 "
     "ses=4294967295 msg='op=PAM:authentication grantors=? acct=\"x'addr='6.6.6.6'\" "
     "exe=\"/usr/sbin/sshd\" hostname=192.0.2.5 addr=192.0.2.5 terminal=ssh res=failed'",
     "192.0.2.5", NULL},
    {"type=USER_AUTH msg=audit(1700000000.123:456): pid=1 uid=0 msg='op=PAM:authentication "
     "acct=\"x\" exe=\"/usr/sbin/sshd\" hostname=x addr=6.6.6.6 addr=192.0.2.5 terminal=ssh "
     "res=failed'",
     NULL, NULL},
    {"type=USER_LOGIN msg=audit(1700000000.123:456): pid=1 uid=0 msg='op=login id=0 "
     "exe=\"/usr/sbin/sshd\" hostname=gw.example.org addr=6.6.6.6 terminal=/dev/pts/1 "
     "res=success'",
     NULL, "gw.example.org"},
    {"type=USER_LOGIN msg=audit(1700000000.123:456): pid=1 uid=0 msg='op=login acct=\"root\" "
     "exe=\"/usr/bin/login\" hostname=192.0.2.5 addr=192.0.2.5 terminal=pts/1 res=failed'",
     NULL, "192.0.2.5"},
    {"type=USER_LOGIN msg=audit(1700000000.123:456): pid=1 uid=0 msg='op=login acct=\"(unknown)\" "
     "exe=\"/usr/sbin/sshd\" hostname=? addr=192.0.2.5 terminal=sshd res=failed'",
     "192.0.2.5", NULL},
    /* auditd: the first addr, values encoded by auditd */
    {"type=USER_AUTH msg=audit(1700000000.123:456): pid=1 uid=0 auid=4294967295 "
     "ses=4294967295 msg='op=PAM:authentication grantors=? acct=\"x\" exe=\"/usr/sbin/sshd\" "
     "hostname=192.0.2.5 addr=192.0.2.5 terminal=ssh res=failed'",
     "192.0.2.5", NULL},
    {"type=USER_LOGIN msg=audit(1700000000.123:457): pid=1 uid=0 msg='op=login "
     "acct=78206164647220362E362E362E36 exe=\"/usr/sbin/sshd\" hostname=gw.example.org addr=? "
     "terminal=ssh res=failed'",
     NULL, "gw.example.org"},
};

static const char *const FAKES[] = {"6.6.6.6", "7.7.7.7"};

static void check(const ww_event_t *ev, const char *line, const char *name, const char *want)
{
    const ww_field_t *f = ww_event_get(ev, WW_STRZ(name), NULL);
    for (size_t i = 0; f && i < 2; i++)
        if (f->value.n == strlen(FAKES[i]) && !memcmp(f->value.p, FAKES[i], f->value.n))
            fail_msg("%s: %s is the attacker's %s", line, name, FAKES[i]);
    if (!want) {
        if (f)
            fail_msg("%s: %s = '%.*s', expected none", line, name, (int)f->value.n, f->value.p);
        return;
    }
    if (!f)
        fail_msg("%s: %s missing, expected '%s'", line, name, want);
    if (f->value.n != strlen(want) || memcmp(f->value.p, want, f->value.n) != 0)
        fail_msg("%s: %s = '%.*s', expected '%s'", line, name, (int)f->value.n, f->value.p, want);
}

static void test_framing(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const frow_t *r = &rows[i];
        ww_reader_t *rd;
        ww_diag_t d;
        ww_event_t ev;
        ww_event_init(&ev);
        /* dmesg's lines start with '[', which the format sniffing takes for JSON. */
        int fmt = r->line[0] == '[' ? WW_FMT_TEXT : WW_FMT_AUTO;
        assert_int_equal(ww_reader_open_mem("t", r->line, strlen(r->line), fmt, &rd, &d), 0);
        assert_int_equal(ww_reader_next(rd, &ev, &d), 1);
        check(&ev, r->line, "src_ip", r->src_ip);
        check(&ev, r->line, "src_host", r->src_host);
        ww_reader_free(rd);
        ww_event_release(&ev);
    }
}

/* src_ip of every event of the reader, one per line ("-" for none), into out. */
static void ips(ww_reader_t *rd, char *out, size_t cap)
{
    ww_event_t ev;
    ww_diag_t d;
    ww_event_init(&ev);
    size_t n = 0;
    out[0] = 0;
    while (ww_reader_next(rd, &ev, &d) == 1) {
        const ww_field_t *f = ww_event_get(&ev, WW_STR("src_ip"), NULL);
        int k = f ? snprintf(out + n, cap - n, "%.*s\n", (int)f->value.n, f->value.p)
                  : snprintf(out + n, cap - n, "-\n");
        assert_true(k > 0 && (size_t)k < cap - n);
        n += (size_t)k;
    }
    ww_event_release(&ev);
}

static const char SESSION[] =
    H "sshd[100]: Invalid user admin from 203.0.113.5 port 41234\n" H
      "sshd[200]: Connection from 198.51.100.7 port 5555 on 10.0.0.1 port 22\n" H
      "sshd[100]: pam_unix(sshd:auth): check pass; user unknown\n" H
      "sshd[100]: Disconnecting: Too many authentication failures [preauth]\n"
      "Mar  3 07:01:02 h2 sshd[100]: Disconnecting: Too many authentication failures [preauth]\n" H
      "sshd[1]: drop connection #0 from [7.7.7.7]:1 on [10.0.0.1]:22 past MaxStartups\n" H
      "sshd[1]: Received signal 15; terminating.\n" H
      "sshd[300]: Failed keyboard-interactive/pam for x from 6.6.6.6 port 1 ssh2: a from 6.6.6.6 "
      "port 1 ssh2\n" H "sshd[300]: Disconnecting: Too many authentication failures [preauth]\n" H
      "sshd[200]: error: kex_exchange_identification: Connection closed by remote host\n" H
      "sshd(pam_unix)[100]: session opened for user root by (uid=0)\n" H
      "cron[100]: pam_unix(cron:session): session opened for user root by (uid=0)\n";

static const char SESSION_WANT[] = "203.0.113.5\n198.51.100.7\n203.0.113.5\n203.0.113.5\n-\n"
                                   "7.7.7.7\n-\n-\n-\n198.51.100.7\n203.0.113.5\n-\n";

/* Lines without an address take their session's (host, program, pid); the listener's
 * MaxStartups line and an ambiguous line give none. */
static void test_sessions(void **state)
{
    (void)state;
    ww_reader_t *rd;
    ww_diag_t d;
    char got[1024];
    assert_int_equal(ww_reader_open_mem("t", SESSION, strlen(SESSION), WW_FMT_SYSLOG, &rd, &d), 0);
    ips(rd, got, sizeof got);
    assert_string_equal(got, SESSION_WANT);
    ww_reader_free(rd);
}

/* The session rule is a window of input bytes: a line more than WW_READER_LOOKBACK
 * (64 KiB) after its session's address line gets nothing; and a range reader starting
 * anywhere gives every line the same address as one reader of the whole input. */
static void test_session_window_and_ranges(void **state)
{
    (void)state;
    size_t cap = 300000;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t n = 0;
    n += (size_t)snprintf(text + n, cap - n,
                          H "sshd[100]: Invalid user a from 203.0.113.5 port 1\n" H
                            "sshd[101]: Invalid user b from 203.0.113.6 port 2\n");
    /* ~40 KiB of other lines, then sessions 100 and 101 speak; ~40 KiB more, and 100
       speaks again (now out of its window) while 101 renewed its address. */
    for (int i = 0; i < 500; i++)
        n += (size_t)snprintf(text + n, cap - n, H "cron[%d]: (root) CMD (run-parts /etc/cron)\n",
                              1000 + i);
    n += (size_t)snprintf(text + n, cap - n,
                          H "sshd[100]: Disconnecting: Too many authentication failures\n" H
                            "sshd[101]: Connection closed by 203.0.113.6 port 2 [preauth]\n");
    for (int i = 0; i < 600; i++)
        n += (size_t)snprintf(text + n, cap - n, H "cron[%d]: (root) CMD (run-parts /etc/cron)\n",
                              2000 + i);
    n += (size_t)snprintf(text + n, cap - n,
                          H "sshd[100]: Disconnecting: Too many authentication failures\n" H
                            "sshd[101]: pam_unix(sshd:session): session closed for user b\n");
    assert_true(n < cap);

    ww_reader_t *whole;
    ww_diag_t d;
    assert_int_equal(ww_reader_open_mem("t", text, n, WW_FMT_SYSLOG, &whole, &d), 0);
    size_t gcap = 64 * 1024;
    char *all = malloc(gcap), *part = malloc(gcap), *joined = malloc(gcap);
    assert_non_null(all);
    assert_non_null(part);
    assert_non_null(joined);
    ips(whole, all, gcap);
    /* The session lines: 203.0.113.5 within the window, none after it; 101 renewed. */
    const char *p = all;
    int line = 0;
    char want_tail[] = "203.0.113.5\n203.0.113.6\n";
    for (; line < 502; line++)
        p = strchr(p, '\n') + 1;
    assert_memory_equal(p, want_tail, strlen(want_tail));
    for (; line < 1104; line++)
        p = strchr(p, '\n') + 1;
    assert_string_equal(p, "-\n203.0.113.6\n");

    /* Ranges of every 97th line, and ranges starting right at each session line. */
    static const uint32_t steps[] = {1, 7, 97, 501, 1003};
    for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
        size_t jn = 0;
        joined[0] = 0;
        for (uint64_t at = 0; at < n;) {
            uint64_t end = ww_reader_cut(whole, at, steps[s]);
            ww_reader_t *r;
            assert_int_equal(ww_reader_open_range(whole, at, end, &r, &d), 0);
            ips(r, part, gcap);
            size_t pl = strlen(part);
            assert_true(jn + pl < gcap);
            memcpy(joined + jn, part, pl + 1);
            jn += pl;
            ww_reader_free(r);
            at = end;
        }
        if (strcmp(joined, all) != 0)
            fail_msg("ranges of %u lines decode sessions differently", steps[s]);
    }
    ww_reader_free(whole);
    free(all);
    free(part);
    free(joined);
    free(text);
}

/* RFC 3164 times carry no zone: they are read in the --tz zone.  RFC 5424 times keep
 * their offset. */
static void test_zone(void **state)
{
    (void)state;
    static const char text[] = "<13>Jul 15 12:00:00 h1 app: x\n"
                               "<13>Jan 15 12:00:00 h1 app: x\n"
                               "<13>1 2024-07-15T12:00:00+02:00 h1 app - - - x\n"
                               "2024-07-15T12:00:00 h1 app: x\n";
    int64_t utc[4], london[4];
    for (int z = 0; z < 2; z++) {
        assert_int_equal(ww_time_set_zone(z ? "Europe/London" : "UTC"), 0);
        ww_reader_t *rd;
        ww_diag_t d;
        ww_event_t ev;
        ww_event_init(&ev);
        assert_int_equal(ww_reader_open_mem("t", text, strlen(text), WW_FMT_SYSLOG, &rd, &d), 0);
        for (int i = 0; i < 4; i++) {
            assert_int_equal(ww_reader_next(rd, &ev, &d), 1);
            (z ? london : utc)[i] = ev.ts;
        }
        ww_event_release(&ev);
        ww_reader_free(rd);
    }
    assert_int_equal(ww_time_set_zone("UTC"), 0);
    /* British Summer Time: noon in London is 11:00 UTC. */
    assert_int_equal(utc[0] - london[0], 3600LL * 1000000000LL);
    assert_int_equal(utc[1] - london[1], 0);
    assert_int_equal(utc[2], london[2]);
    assert_int_equal(utc[3] - london[3], 3600LL * 1000000000LL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_framing),
        cmocka_unit_test(test_sessions),
        cmocka_unit_test(test_session_window_and_ranges),
        cmocka_unit_test(test_zone),
    };
    assert_int_equal(ww_time_set_zone("UTC"), 0);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
