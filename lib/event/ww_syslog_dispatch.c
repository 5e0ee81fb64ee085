/* Picks the message decoder for a syslog or text line: first by program name (sshd,
 * sudo, su, login, kernel, audispd, ...), then by cheap content checks (PAM prefix,
 * auditd record, Cisco ASA tag, FortiGate key=value, netfilter IN=/OUT=).  Also the
 * field helpers the decoders share. */
#include "event/ww_syslog_int.h"

const char *ww__find(ww_str_t s, const char *lit, size_t n)
{
    if (n == 0 || s.n < n)
        return NULL;
    const char *p = s.p, *last = s.p + s.n - n;
    while (p <= last) {
        p = memchr(p, lit[0], (size_t)(last - p) + 1);
        if (!p)
            return NULL;
        if (memcmp(p, lit, n) == 0)
            return p;
        p++;
    }
    return NULL;
}

int ww__add_int(ww_event_t *ev, const char *name, ww_str_t v)
{
    int64_t x;
    if (ww__small_uint(v, &x))
        return ww__add_uint(ev, WW_STRZ(name), v, x);
    int type = v.n && v.n < 19 && ww_parse_i64(v.p, v.n, &x) == 0 ? WW_F_INT : WW_F_STR;
    return ww_event_add(ev, WW_STRZ(name), v, type);
}

int ww__add_lower(ww_event_t *ev, const char *name, ww_str_t v)
{
    bool upper = false;
    for (size_t i = 0; i < v.n && !upper; i++)
        upper = v.p[i] >= 'A' && v.p[i] <= 'Z';
    if (!upper)
        return ww__add(ev, name, v);
    char *o = ww_arena_alloc(&ev->arena, v.n + 1);
    if (!o)
        return WW_ENOMEM;
    for (size_t i = 0; i < v.n; i++)
        o[i] = (char)ww_lower((unsigned char)v.p[i]);
    o[v.n] = 0;
    return ww__add(ev, name, (ww_str_t){o, v.n});
}

ww_str_t ww__clean_addr(ww_str_t a)
{
    if (a.n >= 2 && a.p[0] == '[') {
        const char *rb = memchr(a.p, ']', a.n);
        if (rb)
            return ww__s(a.p + 1, rb);
    }
    /* "1.2.3.4," or "1.2.3.4." at a sentence end is punctuation, not address. */
    while (a.n > 1 && (a.p[a.n - 1] == ',' || a.p[a.n - 1] == ';' ||
                       (a.p[a.n - 1] == '.' && ww__isdig(a.p[a.n - 2]))))
        a.n--;
    return a;
}

int ww__add_auth(ww_event_t *ev, const ww__auth_t *a)
{
    int rc = 0;
    if (a->user.p)
        rc = ww__add(ev, "user", a->user);
    if (rc == 0 && a->src_ip.n) {
        ww_str_t ip = ww__clean_addr(a->src_ip);
        if (ip.n)
            rc = ww__add(ev, "src_ip", ip);
    }
    if (rc == 0 && a->src_port.n)
        rc = ww__add_int(ev, "src_port", a->src_port);
    if (rc == 0 && a->outcome)
        rc = ww__add(ev, "outcome", WW_STRZ(a->outcome));
    if (rc == 0 && a->method.n)
        rc = ww__add(ev, "auth_method", a->method);
    if (rc == 0 && a->service.n)
        rc = ww__add(ev, "auth_service", a->service);
    if (rc == 0 && a->event)
        rc = ww__add(ev, "auth_event", WW_STRZ(a->event));
    if (a->outcome)
        ev->category = WW_STR("authentication");
    return rc;
}

/* "%ASA-6-302013: ..." within the first bytes of the line (the tag lands in the
 * program, the host or the message depending on the device's header settings). */
static const char *find_asa(ww_str_t line)
{
    ww_str_t head = {line.p, line.n < 160 ? line.n : 160};
    const char *p = head.p, *e = head.p + head.n;
    while ((p = memchr(p, '%', (size_t)(e - p))) != NULL) {
        if (e - p >= 6 && (memcmp(p + 1, "ASA-", 4) == 0 || memcmp(p + 1, "FTD-", 4) == 0 ||
                           memcmp(p + 1, "PIX-", 4) == 0))
            return p;
        p++;
    }
    return NULL;
}

static bool is_fortigate(ww_str_t m)
{
    if (WW__STARTS(m, "date=") || WW__STARTS(m, "logver=") || WW__STARTS(m, "devname=") ||
        WW__STARTS(m, "eventtime=") || WW__STARTS(m, "logid="))
        return WW__FIND(m, "logid=") != NULL || WW__FIND(m, "devid=") != NULL;
    return false;
}

static bool is_netfilter(ww_str_t m)
{
    const char *in = WW__FIND(m, "IN=");
    return in && (in == m.p || in[-1] == ' ' || in[-1] == ']' || in[-1] == ':') &&
           WW__FIND(ww__s(in, m.p + m.n), " OUT=") != NULL;
}

static bool is_audit(ww_str_t m)
{
    return WW__STARTS(m, "type=") || WW__STARTS(m, "node=") || WW__STARTS(m, "audit: type=") ||
           WW__STARTS(m, "audit(");
}

/* Content checks shared by syslog messages and text lines. */
static int by_content(ww_event_t *ev, ww_str_t msg, ww_str_t line)
{
    if (WW__STARTS(msg, "pam_") || WW__STARTS(msg, "PAM "))
        return ww__auth_pam(ev, msg);
    if (is_audit(msg))
        return ww__auditd_record(ev, msg);
    const char *asa = find_asa(line);
    if (asa)
        return ww__fw_asa(ev, ww__s(asa, line.p + line.n));
    if (is_fortigate(msg))
        return ww__fw_fortigate(ev, msg);
    if (is_netfilter(msg))
        return ww__fw_netfilter(ev, msg);
    return 0;
}

static bool prog_is(ww_str_t prog, const char *z)
{
    return ww__ieqz(prog, z);
}

/* rsyslog's "message repeated 5 times: [ Failed password for ...]": decode the
 * message it repeats, and keep the count. */
static int unwrap_repeated(ww_event_t *ev, ww_str_t *msg)
{
    if (!WW__STARTS(*msg, "message repeated "))
        return 0;
    const char *p = msg->p + 17, *e = msg->p + msg->n, *q = p;
    while (q < e && ww__isdig(*q))
        q++;
    if (q == p || e - q < 11 || memcmp(q, " times: [ ", 10) != 0)
        return 0;
    int rc = ww_event_add(ev, WW_STR("repeated"), ww__s(p, q), WW_F_INT);
    const char *in = q + 10;
    while (e > in && (e[-1] == ' ' || e[-1] == ']'))
        e--;
    *msg = ww__s(in, e);
    return rc;
}

int ww__syslog_decode_msg(ww_event_t *ev, ww_str_t prog, ww_str_t msg, ww_str_t line)
{
    if (msg.n > WW__MSG_MAX || line.n > WW__MSG_MAX * 2)
        return 0;
    int rc = unwrap_repeated(ev, &msg);
    if (rc)
        return rc;
    if (prog.n) {
        rc = 0;
        switch (ww_lower((unsigned char)prog.p[0])) {
        case 's':
            if (prog_is(prog, "sshd") || prog_is(prog, "sshd-session") ||
                prog_is(prog, "sshd-auth"))
                rc = ww__auth_sshd(ev, msg);
            else if (prog_is(prog, "sudo"))
                rc = ww__auth_sudo(ev, msg);
            else if (prog_is(prog, "su") || prog_is(prog, "su-l"))
                rc = ww__auth_su(ev, msg);
            break;
        case 'l':
            if (prog_is(prog, "login"))
                rc = ww__auth_login(ev, msg);
            break;
        case 'd':
            if (prog_is(prog, "dropbear"))
                rc = ww__auth_dropbear(ev, msg);
            break;
        case 'a':
            if (WW__STARTS(prog, "audisp") || prog_is(prog, "auditd") || prog_is(prog, "audit"))
                rc = ww__auditd_record(ev, msg);
            break;
        case 'k':
            if (prog_is(prog, "kernel")) {
                ww_str_t m = msg;
                /* "[12345.678901] " uptime stamp of the kernel ring buffer. */
                if (m.n && m.p[0] == '[') {
                    const char *rb = memchr(m.p, ']', m.n < 24 ? m.n : 24);
                    if (rb && rb + 1 < m.p + m.n && rb[1] == ' ')
                        m = ww__s(rb + 2, m.p + m.n);
                }
                if (WW__STARTS(m, "audit: ") || WW__STARTS(m, "audit("))
                    rc = ww__auditd_record(ev, m);
                else if (is_netfilter(m))
                    rc = ww__fw_netfilter(ev, m);
            }
            break;
        default: break;
        }
        if (rc)
            return rc;
    }
    return by_content(ev, msg, line);
}

int ww__text_decode_line(ww_event_t *ev, ww_str_t line)
{
    if (line.n > WW__MSG_MAX * 2)
        return 0;
    ww_str_t m = line;
    if (m.n > 2 && m.p[0] == '<') {
        const char *gt = memchr(m.p, '>', m.n < 5 ? m.n : 5);
        if (gt)
            m = ww__s(gt + 1, m.p + m.n);
    }
    if (m.n && m.p[0] == '[') {
        const char *rb = memchr(m.p, ']', m.n < 24 ? m.n : 24);
        if (rb && rb + 1 < m.p + m.n && rb[1] == ' ' && ww__isdig(rb[-1]))
            m = ww__s(rb + 2, m.p + m.n);
    }
    return by_content(ev, m, line);
}
