/* Private contract between the syslog/text line decoder (ww_syslog.c) and the message
 * decoders it dispatches to: authentication programs (ww_syslog_auth.c), firewalls
 * (ww_syslog_fw.c) and Linux auditd (ww_auditd.c).  A message decoder adds native and
 * normalised fields (docs/decoders/syslog.md, notes on the field contract) as slices
 * of the line, or copies into ev->arena when a value must be rewritten. */
#ifndef WW_SYSLOG_INT_H
#define WW_SYSLOG_INT_H

#include "event/ww_reader_int.h"

/* Message decoders only look at messages up to this long: every format they know is
 * far shorter, and it bounds the backtracking of the pattern matcher. */
#define WW__MSG_MAX 8192

/* Runs the decoder for `prog` (the syslog tag; may be empty) on `msg`, or the
 * content-recognised decoders (PAM, auditd, netfilter, FortiGate, Cisco ASA) when no
 * program decoder claims it.  `line` is the whole line (ASA tags hide in odd places).
 * Returns 1 if a decoder added fields, 0 if none applied, or WW_ENOMEM/WW_ELIMIT. */
int ww__syslog_decode_msg(ww_event_t *ev, ww_str_t prog, ww_str_t msg, ww_str_t line);
/* The same for a line with no syslog header (raw audit.log, FortiGate without a
 * header, dmesg netfilter lines).  Sets product/service itself. */
int ww__text_decode_line(ww_event_t *ev, ww_str_t line);

/* ---- decoders (each: 1 decoded, 0 not its format, <0 error) --------------------- */

int ww__auth_sshd(ww_event_t *ev, ww_str_t msg);
int ww__auth_sudo(ww_event_t *ev, ww_str_t msg);
int ww__auth_su(ww_event_t *ev, ww_str_t msg);
int ww__auth_login(ww_event_t *ev, ww_str_t msg);
int ww__auth_dropbear(ww_event_t *ev, ww_str_t msg);
/* `pam_<module>(<service>:<type>): ...` and `PAM n more authentication failures; ...`
 * from any program. */
int ww__auth_pam(ww_event_t *ev, ww_str_t msg);
/* The same, for a message of program `prog` (empty: unknown), which must be sshd's for
 * a line of the sshd service to name an address. */
int ww__auth_pam_prog(ww_event_t *ev, ww_str_t msg, ww_str_t prog);
/* The old format, the module in the tag: "sshd(pam_unix)[123]: authentication failure;
 * ...".  `prog` is the whole tag ("sshd(pam_unix)"); 0 if it is not of that form. */
int ww__auth_pam_old(ww_event_t *ev, ww_str_t prog, ww_str_t msg);

/* `addrs`: whether the line can only be the kernel's (tagged "kernel", or dmesg's
 * header-less text), so that SRC=/DST= become src_ip/dst_ip; a line with a syslog
 * header and no tag (ulogd's LOGEMU) keeps its packet fields without them. */
int ww__fw_netfilter(ww_event_t *ev, ww_str_t msg, bool addrs);
int ww__fw_fortigate(ww_event_t *ev, ww_str_t msg);
/* `msg` starts at "%ASA-" (or %FTD-/%PIX-). */
int ww__fw_asa(ww_event_t *ev, ww_str_t msg);

/* One auditd record: "[node=N ]type=T msg=audit(S.ms:serial): k=v ...", the kernel's
 * "type=1300 audit(S.ms:serial): ...", or journald's "USER_AUTH pid=... msg='...'". */
int ww__auditd_record(ww_event_t *ev, ww_str_t msg);

/* ---- shared helpers ------------------------------------------------------------- */

static inline ww_str_t ww__s(const char *p, const char *e)
{
    return (ww_str_t){p, (size_t)(e - p)};
}

static inline bool ww__isdig(char c)
{
    return c >= '0' && c <= '9';
}

static inline bool ww__isalnum(char c)
{
    return ww__isdig(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool ww__isxdig(char c)
{
    return ww__isdig(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static inline bool ww__starts(ww_str_t s, const char *lit, size_t n)
{
    return s.n >= n && memcmp(s.p, lit, n) == 0;
}
#define WW__STARTS(s, lit) ww__starts((s), (lit), sizeof(lit) - 1)

/* s equals the NUL-terminated z (exactly / ASCII case-insensitively), without strlen:
 * these run for every field of every line. */
static inline bool ww__eqz(ww_str_t s, const char *z)
{
    for (size_t i = 0; i < s.n; i++)
        if (!z[i] || z[i] != s.p[i])
            return false;
    return z[s.n] == 0;
}
static inline bool ww__ieqz(ww_str_t s, const char *z)
{
    for (size_t i = 0; i < s.n; i++)
        if (!z[i] || ww_lower((unsigned char)z[i]) != ww_lower((unsigned char)s.p[i]))
            return false;
    return z[s.n] == 0;
}

/* The same against a string literal: its length is known, so a length that differs
 * costs one compare (key names of every token and program names of every line). */
static inline bool ww__ieq_n(ww_str_t s, const char *lit, size_t n)
{
    if (s.n != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (ww_lower((unsigned char)lit[i]) != ww_lower((unsigned char)s.p[i]))
            return false;
    return true;
}
#define WW__EQ(s, lit) ww_str_eq((s), (ww_str_t){(lit), sizeof(lit) - 1})
#define WW__IEQ(s, lit) ww__ieq_n((s), (lit), sizeof(lit) - 1)

/* Finds `lit` in s; NULL if absent. */
const char *ww__find(ww_str_t s, const char *lit, size_t n);
#define WW__FIND(s, lit) ww__find((s), (lit), sizeof(lit) - 1)

/* ww_event_add for a WW_F_STR field with the common case, room in the table,
 * inline: a line adds a dozen or more fields, and the calls were a sixth of
 * decoding.  The table's first growth and the cap stay in ww_event_add. */
static inline int ww__add_str(ww_event_t *ev, ww_str_t name, ww_str_t v)
{
    if (ev->nfields < ev->cap) {
        ww_field_t *f = &ev->fields[ev->nfields++];
        f->name = name;
        f->value = v;
        f->num = 0;
        f->type = WW_F_STR;
        return 0;
    }
    return ww_event_add(ev, name, v, WW_F_STR);
}

/* v is 1 to 15 plain digits (a pid, a port, a counter): *out is its value.  Such a
 * number is an exact double, and ww_event_add would parse it to the same. */
static inline bool ww__small_uint(ww_str_t v, int64_t *out)
{
    if (v.n == 0 || v.n > 15)
        return false;
    int64_t x = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (v.p[i] < '0' || v.p[i] > '9')
            return false;
        x = x * 10 + (v.p[i] - '0');
    }
    *out = x;
    return true;
}

/* Adds a WW_F_INT field whose value ww__small_uint accepted as x, without parsing
 * it a second time. */
static inline int ww__add_uint(ww_event_t *ev, ww_str_t name, ww_str_t v, int64_t x)
{
    if (ev->nfields < ev->cap) {
        ww_field_t *f = &ev->fields[ev->nfields++];
        f->name = name;
        f->value = v;
        f->num = (double)x;
        f->type = WW_F_INT;
        return 0;
    }
    return ww_event_add(ev, name, v, WW_F_INT);
}

/* Adds name=value as a string. */
static inline int ww__add(ww_event_t *ev, const char *name, ww_str_t v)
{
    return ww__add_str(ev, WW_STRZ(name), v);
}
/* Adds name=value, as WW_F_INT when the value is an integer (ports, counts). */
int ww__add_int(ww_event_t *ev, const char *name, ww_str_t v);
/* Adds a copy of v lowercased (proto values). */
int ww__add_lower(ww_event_t *ev, const char *name, ww_str_t v);

/* The normalised authentication fields of notes/fields.md; any slice may be empty
 * (then it is not added).  src_ip is the address as the log writes it: an address
 * becomes src_ip (src_host when name_only), a DNS name src_host, anything else neither
 * (and then no src_port).  Sets
 * ev->category = "authentication" when the line has an outcome. */
typedef struct ww__auth {
    ww_str_t user, src_ip, src_port, method;
    ww_str_t service;    /* auth_service */
    const char *outcome; /* "success", "failure" or NULL (a step with no verdict) */
    const char *event;   /* auth_event: which step (docs/decoders/syslog.md) */
    /* src_ip holds a host name the program looked up in reverse DNS without checking
       it (login -h from telnetd or rlogind, vsftpd): whoever runs the DNS of the
       client's address chooses it, so even a dotted quad there is only src_host (an
       IPv6 address, which no DNS name can spell, is still src_ip). */
    bool name_only;
} ww__auth_t;
int ww__add_auth(ww_event_t *ev, const ww__auth_t *a);

/* What ww__add_auth last added as src_ip/src_port to which event, so that the line
 * decoder's sshd sessions need not search the fields (per thread: a reader is used by
 * one thread at a time).  `peer` is false for the sshd listener's lines, whose
 * address is not a session's peer. */
typedef struct ww__auth_note {
    const ww_event_t *ev;
    ww_str_t ip, port;
    bool peer;
} ww__auth_note_t;
extern _Thread_local ww__auth_note_t ww__auth_note;

/* What a slice names: an IP address (IPv4 dotted quad; IPv6 with "::", an embedded
 * dotted quad such as "::ffff:1.2.3.4" and an optional "%zone"), a DNS host name
 * (dotted, with a letter), or neither ("UNKNOWN", "socket", "(null)", garbage). */
enum { WW__ADDR_NONE = 0, WW__ADDR_IP, WW__ADDR_HOST };
int ww__addr_kind(ww_str_t a);

/* An address as a log writes it, cleaned for src_ip: "[a]" and "[a]:port" lose the
 * brackets, "::ffff:1.2.3.4" stays as written. */
ww_str_t ww__clean_addr(ww_str_t a);

#endif
