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

/* a.b.c.d, each part 1-3 digits and at most 255. */
static bool is_ipv4(const char *p, const char *e)
{
    for (int part = 0; part < 4; part++) {
        if (part) {
            if (p >= e || *p != '.')
                return false;
            p++;
        }
        unsigned v = 0, nd = 0;
        while (p < e && ww__isdig(*p) && nd < 4)
            v = v * 10 + (unsigned)(*p++ - '0'), nd++;
        if (nd == 0 || nd > 3 || v > 255)
            return false;
    }
    return p == e;
}

/* RFC 4291 text: up to eight groups of 1-4 hex digits, one "::", an optional dotted
 * quad in place of the last two groups ("::ffff:1.2.3.4"), and an optional zone
 * ("%eth0", as sshd writes link-local peers). */
static bool is_ipv6(const char *p, const char *e)
{
    const char *pct = memchr(p, '%', (size_t)(e - p));
    if (pct) {
        if (e - pct < 2 || e - pct > 33)
            return false;
        for (const char *z = pct + 1; z < e; z++)
            if (!ww__isalnum(*z) && *z != '.' && *z != '-' && *z != '_')
                return false;
        e = pct;
    }
    if (e - p < 2 || e - p > 45)
        return false;
    int groups = 0;
    bool gap = false;
    const char *q = p;
    if (q[0] == ':') {
        if (q[1] != ':')
            return false;
        gap = true;
        q += 2;
        if (q == e)
            return true; /* "::" */
    }
    for (;;) {
        const char *g = q;
        while (q < e && q - g < 5 && ww__isxdig(*q))
            q++;
        if (q < e && *q == '.') {
            /* The dotted quad ends the address and counts as two groups. */
            if (!is_ipv4(g, e))
                return false;
            groups += 2;
            break;
        }
        if (q == g || q - g > 4)
            return false;
        groups++;
        if (q == e)
            break;
        if (*q != ':')
            return false;
        q++;
        if (q < e && *q == ':') {
            if (gap)
                return false;
            gap = true;
            q++;
            if (q == e)
                break;
        } else if (q == e) {
            return false;
        }
    }
    return gap ? groups < 8 : groups == 8;
}

int ww__addr_kind(ww_str_t a)
{
    if (a.n < 2 || a.n > 253)
        return WW__ADDR_NONE;
    const char *p = a.p, *e = a.p + a.n;
    if (memchr(p, ':', a.n))
        return is_ipv6(p, e) ? WW__ADDR_IP : WW__ADDR_NONE;
    if (ww__isdig(e[-1]) && is_ipv4(p, e))
        return WW__ADDR_IP;
    /* A DNS name: letters, digits, '-', '_' in dot-separated labels, at least one dot
       and one letter, so "UNKNOWN", "socket" or "(null)" are never a host. */
    bool dot = false, alpha = false;
    size_t label = 0;
    for (const char *q = p; q < e; q++) {
        if (*q == '.') {
            if (label == 0)
                return WW__ADDR_NONE;
            dot = true;
            label = 0;
            continue;
        }
        if (!ww__isalnum(*q) && *q != '-' && *q != '_')
            return WW__ADDR_NONE;
        if (++label > 63)
            return WW__ADDR_NONE;
        alpha |= !ww__isdig(*q);
    }
    return dot && alpha && label ? WW__ADDR_HOST : WW__ADDR_NONE;
}

_Thread_local ww__auth_note_t ww__auth_note;

int ww__add_auth(ww_event_t *ev, const ww__auth_t *a)
{
    int rc = 0;
    if (a->user.p)
        rc = ww__add(ev, "user", a->user);
    int kind = WW__ADDR_NONE;
    ww_str_t ip = {0};
    if (rc == 0 && a->src_ip.n) {
        /* Only a well-formed address is src_ip; a DNS name (PAM's rhost, sshd with
           UseDNS) is src_host; anything else ("UNKNOWN", "socket") is neither. */
        ip = ww__clean_addr(a->src_ip);
        kind = ww__addr_kind(ip);
        /* A DNS name never holds ':' (an IPv6 address cannot be a PTR record's). */
        if (kind == WW__ADDR_IP && a->name_only && !memchr(ip.p, ':', ip.n))
            kind = WW__ADDR_HOST;
        if (kind == WW__ADDR_IP)
            rc = ww__add(ev, "src_ip", ip);
        else if (kind == WW__ADDR_HOST)
            rc = ww__add(ev, "src_host", ip);
    }
    if (rc == 0 && a->src_port.n && kind != WW__ADDR_NONE)
        rc = ww__add_int(ev, "src_port", a->src_port);
    if (kind == WW__ADDR_IP) {
        ww__auth_note.ev = ev;
        ww__auth_note.ip = ip;
        ww__auth_note.port = a->src_port;
        ww__auth_note.peer =
            !a->event || !((a->event[0] == 'm' && !strcmp(a->event, "max_startups")) ||
                           (a->event[0] == 'p' && !strcmp(a->event, "penalty")));
    }
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

static bool asa_tag(const char *p, const char *e)
{
    return e - p >= 6 && p[0] == '%' &&
           (memcmp(p + 1, "ASA-", 4) == 0 || memcmp(p + 1, "FTD-", 4) == 0 ||
            memcmp(p + 1, "PIX-", 4) == 0);
}

/* Where a Cisco "%ASA-6-302013: ..." tag is, or NULL.  It lands in the program, at
 * the start of the message (after ": " when the device writes "host : %ASA-..."), or,
 * in a line with no syslog header, after the device's own timestamp and name.  Only
 * those places count: a tag inside another program's message is text someone typed,
 * and taking it would let them name any address. */
static const char *find_asa(ww_str_t prog, ww_str_t msg, ww_str_t line)
{
    const char *le = line.p + line.n;
    if (prog.n && asa_tag(prog.p, le))
        return prog.p;
    /* Another program's message that starts with a tag is that program's text (a
       program that logs what it was sent): the device's own lines carry no tag of
       another program ("asa01 : %ASA-...", "asa01 %ASA-6-302013: ..."). */
    if (prog.n)
        return NULL;
    ww_str_t m = msg;
    if (WW__STARTS(m, ": "))
        m = ww__s(m.p + 2, m.p + m.n);
    if (asa_tag(m.p, m.p + m.n))
        return m.p;
    const char *p = line.p, *e = line.p + (line.n < 160 ? line.n : 160);
    while ((p = memchr(p, '%', (size_t)(e - p))) != NULL) {
        if (asa_tag(p, le)) {
            /* Before it only a header: "<166>", "Dec 03 2026 10:00:00: ", a host name;
               letters, digits and the few signs of a time stamp or a host name (an
               application's "12:00:00,123 ERROR [main] " is not one). */
            for (const char *q = line.p; q < p; q++)
                if (!ww__isalnum(*q) && !strchr(" :.-_<>+", *q))
                    return NULL;
                else if (*q == ':' && q[1] == ' ' && q + 2 != p)
                    return NULL;
            return p;
        }
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

/* The kernel writes "IN=<if> OUT=<if> " first, after the rule's log prefix (at most a
 * few dozen bytes, no quotes).  Requiring exactly that keeps an application's line
 * that quotes such text (a User-Agent, a URL) from being read as a packet. */
static bool is_netfilter(ww_str_t m, bool untagged)
{
    const char *in = WW__FIND(m, "IN="), *e = m.p + m.n;
    if (!in || (in != m.p && in[-1] != ' ' && in[-1] != ']' && in[-1] != ':') || in - m.p > 200)
        return false;
    bool colon = false;
    for (const char *q = m.p; q < in; q++) {
        if (*q == '"' || *q == '\'' || *q == '=')
            return false;
        colon |= *q == ':';
    }
    /* The kernel also prints strings a plugged-in device chooses (a USB product or
       serial number, an input device's name): never a packet. */
    ww_str_t pre = ww__s(m.p, in);
    if (colon && (WW__FIND(pre, "Product: ") || WW__FIND(pre, "Manufacturer: ") ||
                  WW__FIND(pre, "SerialNumber: ") || WW__FIND(pre, "input: ")))
        return false;
    /* A line with no program tag is the kernel's only as dmesg or ulogd print it: the
       rule's log prefix (at most 128 bytes, nftables) and nothing else before IN=.  A
       time of day there ("12:00:00 ... IN=") is some program's own log line quoting
       text. */
    if (untagged) {
        if (pre.n > 128)
            return false;
        for (size_t i = 1; i + 1 < pre.n; i++)
            if (pre.p[i] == ':' && ww__isdig(pre.p[i - 1]) && ww__isdig(pre.p[i + 1]))
                return false;
    }
    const char *sp = memchr(in, ' ', (size_t)(e - in));
    return sp && e - sp > 5 && memcmp(sp, " OUT=", 5) == 0;
}

/* rsyslog's imfile and other forwarders tag audit.log lines with a name of their
 * choosing, usually with "audit" in it. */
static bool icontains_audit(ww_str_t prog)
{
    for (size_t i = 0; i + 5 <= prog.n; i++)
        if (ww_lower((unsigned char)prog.p[i]) == 'a' &&
            WW__IEQ(ww__s(prog.p + i, prog.p + i + 5), "audit"))
            return true;
    return false;
}

static bool is_audit(ww_str_t m)
{
    return WW__STARTS(m, "type=") || WW__STARTS(m, "node=") || WW__STARTS(m, "audit: type=") ||
           WW__STARTS(m, "audit(");
}

/* Content checks shared by syslog messages and text lines.  Formats whose fields name
 * addresses are recognised by content only where their writer puts them: in a line
 * without a program tag (a device's own syslog, dmesg, audit.log) or, for netfilter,
 * from the kernel; a message of some other program that merely looks like one is that
 * program's text, perhaps typed by an attacker.  `text_line`: the line has no syslog
 * header at all. */
static int by_content(ww_event_t *ev, ww_str_t prog, ww_str_t msg, ww_str_t line, bool text_line)
{
    if (WW__STARTS(msg, "pam_") || WW__STARTS(msg, "PAM "))
        return ww__auth_pam_prog(ev, msg, prog);
    const char *asa = find_asa(prog, msg, line);
    if (asa)
        return ww__fw_asa(ev, ww__s(asa, line.p + line.n));
    bool untagged = prog.n == 0;
    if (is_audit(msg) && (untagged || icontains_audit(prog)))
        return ww__auditd_record(ev, msg);
    if (!untagged && !WW__IEQ(prog, "kernel"))
        return 0;
    if (untagged && is_fortigate(msg))
        return ww__fw_fortigate(ev, msg);
    /* The kernel's packets come tagged "kernel", as dmesg prints them (no header), or
       as ulogd's LOGEMU writes them (a header, no tag); a program's own message
       (tagged) is never one.  A header and no tag is also how an application's own
       log line can look ("2024-01-01 12:00:00 ERROR unknown command: <text>"), and its
       prefix rules cannot tell the two apart: such a packet keeps its fields but
       names no src_ip/dst_ip. */
    if (is_netfilter(msg, untagged))
        return ww__fw_netfilter(ev, msg, !untagged || text_line);
    return 0;
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
    /* rsyslog closes the quote with one " ]"; the message may end in its own ']'
       ("[preauth]"). */
    const char *in = q + 10;
    while (e > in && e[-1] == ' ')
        e--;
    if (e > in && e[-1] == ']')
        e--;
    while (e > in && e[-1] == ' ')
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
            if (WW__IEQ(prog, "sshd") || WW__IEQ(prog, "sshd-session") ||
                WW__IEQ(prog, "sshd-auth"))
                rc = ww__auth_sshd(ev, msg);
            else if (WW__IEQ(prog, "sudo"))
                rc = ww__auth_sudo(ev, msg);
            else if (WW__IEQ(prog, "su") || WW__IEQ(prog, "su-l"))
                rc = ww__auth_su(ev, msg);
            break;
        case 'l':
            if (WW__IEQ(prog, "login"))
                rc = ww__auth_login(ev, msg);
            break;
        case 'd':
            if (WW__IEQ(prog, "dropbear"))
                rc = ww__auth_dropbear(ev, msg);
            break;
        case 'a':
            if (WW__STARTS(prog, "audisp") || WW__IEQ(prog, "auditd") || WW__IEQ(prog, "audit"))
                rc = ww__auditd_record(ev, msg);
            break;
        case 'k':
            if (WW__IEQ(prog, "kernel")) {
                ww_str_t m = msg;
                /* "[12345.678901] " uptime stamp of the kernel ring buffer. */
                if (m.n && m.p[0] == '[') {
                    const char *rb = memchr(m.p, ']', m.n < 24 ? m.n : 24);
                    if (rb && rb + 1 < m.p + m.n && rb[1] == ' ')
                        m = ww__s(rb + 2, m.p + m.n);
                }
                if (WW__STARTS(m, "audit: ") || WW__STARTS(m, "audit("))
                    rc = ww__auditd_record(ev, m);
                else if (is_netfilter(m, false))
                    rc = ww__fw_netfilter(ev, m, true);
            }
            break;
        default: break;
        }
        if (rc == 0 && prog.p[prog.n - 1] == ')')
            rc = ww__auth_pam_old(ev, prog, msg);
        if (rc)
            return rc;
    }
    return by_content(ev, prog, msg, line, false);
}

int ww__text_decode_line(ww_event_t *ev, ww_str_t line)
{
    /* A line that starts with white space continues the one before it (journalctl
       indents the later lines of a multi-line message; so do stack traces): its text
       is that message's, which may be a user name holding a newline, never a record
       of its own. */
    if (line.n > WW__MSG_MAX * 2 || (line.n && (line.p[0] == ' ' || line.p[0] == '\t')))
        return 0;
    ww_str_t m = line;
    if (m.n > 2 && m.p[0] == '<') {
        const char *gt = memchr(m.p, '>', m.n < 5 ? m.n : 5);
        if (gt)
            m = ww__s(gt + 1, m.p + m.n);
    }
    if (m.n && m.p[0] == '[') {
        /* dmesg's "[12345.678901] " or dmesg -T's "[Thu Dec  3 10:00:00 2026] ". */
        const char *rb = memchr(m.p, ']', m.n < 32 ? m.n : 32);
        if (rb && rb + 1 < m.p + m.n && rb[1] == ' ' && ww__isdig(rb[-1]))
            m = ww__s(rb + 2, m.p + m.n);
    }
    return by_content(ev, (ww_str_t){0}, m, line, true);
}
