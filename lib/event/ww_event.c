/* The event table: adding, finding and printing fields. */
#include "event/ww_event.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

void ww_event_init(ww_event_t *ev)
{
    memset(ev, 0, sizeof *ev);
    ww_arena_init(&ev->arena, 8 * 1024, 64 * 1024 * 1024);
    ev->ts = WW_TIME_NONE;
    ev->event_id = -1;
}

void ww_event_reset(ww_event_t *ev)
{
    ww_arena_reset(&ev->arena);
    ev->fields = NULL;
    ev->nfields = ev->cap = 0;
    ev->kind = 0;
    ev->raw = (ww_str_t){0};
    ev->ts = WW_TIME_NONE;
    ev->event_id = -1;
    ev->channel = ev->provider = ev->host = (ww_str_t){0};
    ev->product = ev->service = ev->category = (ww_str_t){0};
}

void ww_event_release(ww_event_t *ev)
{
    if (!ev)
        return;
    ww_arena_release(&ev->arena);
    memset(ev, 0, sizeof *ev);
}

int ww_event_add(ww_event_t *ev, ww_str_t name, ww_str_t value, int type)
{
    if (ev->nfields == ev->cap) {
        if (ev->cap >= WW_EVENT_MAX_FIELDS)
            return WW_ELIMIT;
        uint32_t ncap = ev->cap ? ev->cap * 2 : 64;
        /* The table lives in the arena; growing abandons the old copy until reset. */
        ww_field_t *nf = ww_arena_alloc(&ev->arena, ncap * sizeof *nf);
        if (!nf)
            return WW_ENOMEM;
        if (ev->nfields)
            memcpy(nf, ev->fields, ev->nfields * sizeof *nf);
        ev->fields = nf;
        ev->cap = ncap;
    }
    ww_field_t *f = &ev->fields[ev->nfields];
    f->name = name;
    f->value = value;
    f->type = (uint8_t)type;
    f->num = 0;
    if (type == WW_F_INT && value.n > 0 && value.n <= 15) {
        /* Most numbers are short integers: no need for strtod. */
        int64_t v = 0;
        size_t i = value.p[0] == '-';
        bool ok = i < value.n;
        for (; i < value.n && ok; i++) {
            ok = value.p[i] >= '0' && value.p[i] <= '9';
            v = v * 10 + (value.p[i] - '0');
        }
        if (ok) {
            f->num = (double)(value.p[0] == '-' ? -v : v);
            ev->nfields++;
            return 0;
        }
    }
    if (type == WW_F_INT || type == WW_F_FLOAT) {
        if (ww_parse_double(value.p, value.n, &f->num) != 0)
            f->type = WW_F_STR; /* keep it, as text */
    }
    ev->nfields++;
    return 0;
}

int ww_event_add_copy(ww_event_t *ev, ww_str_t name, ww_str_t value, int type)
{
    char *n = ww_arena_strndup(&ev->arena, name.p, name.n);
    char *v = ww_arena_strndup(&ev->arena, value.p, value.n);
    if (!n || !v)
        return WW_ENOMEM;
    return ww_event_add(ev, (ww_str_t){n, name.n}, (ww_str_t){v, value.n}, type);
}

const ww_field_t *ww_event_get(const ww_event_t *ev, ww_str_t name, const ww_field_t *after)
{
    uint32_t i = after ? (uint32_t)(after - ev->fields) + 1 : 0;
    /* Lengths first: most names differ in length, and this runs for every field of
       an event on each lookup (correlation keys, alert details). */
    for (; i < ev->nfields; i++)
        if (ev->fields[i].name.n == name.n && ww_str_ieq(ev->fields[i].name, name))
            return &ev->fields[i];
    return NULL;
}

bool ww_event_time_zoned(ww_str_t s)
{
    /* Past "YYYY-MM-DD": the date's own dashes are not an offset. */
    for (size_t i = 10; i < s.n; i++) {
        char c = s.p[i];
        if (c == 'Z' || c == 'z' || c == '+' || c == '-')
            return true;
    }
    return false;
}

/* ---- Windows logon/account events: normalised authentication fields ---------- */

static ww_str_t fval(const ww_event_t *ev, const char *name)
{
    const ww_field_t *f = ww_event_get(ev, WW_STRZ(name), NULL);
    return (f && f->type != WW_F_NULL) ? f->value : (ww_str_t){"", 0};
}

static bool is_dash(ww_str_t s)
{
    return s.n == 0 || (s.n == 1 && s.p[0] == '-');
}

bool ww_event_ip_literal(ww_str_t s, bool *local)
{
    char buf[INET6_ADDRSTRLEN + 1];
    unsigned char a[16];
    if (local)
        *local = false;
    if (s.n == 0 || s.n >= sizeof buf)
        return false;
    memcpy(buf, s.p, s.n);
    buf[s.n] = 0;
    bool v4 = inet_pton(AF_INET, buf, a) == 1;
    if (!v4 && inet_pton(AF_INET6, buf, a) != 1)
        return false;
    if (local) {
        static const unsigned char zero[16];
        if (v4)
            *local = a[0] == 127 || memcmp(a, zero, 4) == 0;
        else
            *local = memcmp(a, zero, 16) == 0 || (memcmp(a, zero, 15) == 0 && a[15] == 1) ||
                     /* ::ffff:127.x and ::ffff:0.0.0.0 */
                     (memcmp(a, zero, 10) == 0 && a[10] == 0xff && a[11] == 0xff &&
                      (a[12] == 127 || memcmp(a + 12, zero, 4) == 0));
    }
    return true;
}

/* "0x0", "0x00000000", "0": a zero NTSTATUS / Kerberos result code.  An absent or
 * unparsable status is not zero. */
static bool status_zero(ww_str_t s)
{
    size_t i = 0;
    if (s.n >= 2 && s.p[0] == '0' && (s.p[1] == 'x' || s.p[1] == 'X'))
        i = 2;
    if (i == s.n)
        return false;
    for (; i < s.n; i++)
        if (s.p[i] != '0')
            return false;
    return true;
}

static int add_str(ww_event_t *ev, const char *name, ww_str_t v)
{
    return ww_event_add(ev, WW_STRZ(name), v, WW_F_STR);
}

/* The address an address field (IpAddress) holds, for src_ip/dst_ip: only a real
 * address literal ("::ffff:" of IPv4-mapped addresses, as the KDC writes them,
 * removed).  "-", empty, loopback and unspecified addresses say the attempt came from
 * the logging machine itself, or say nothing: no address. */
static ww_str_t auth_addr(ww_str_t ip)
{
    if (ip.n > 7 && ww_str_ieq((ww_str_t){ip.p, 7}, WW_STR("::ffff:")))
        ip = (ww_str_t){ip.p + 7, ip.n - 7};
    bool local;
    if (is_dash(ip) || !ww_event_ip_literal(ip, &local) || local)
        return (ww_str_t){"", 0};
    return ip;
}

/* A host name from a name field (WorkstationName, Workstation, the caller computer
 * of 4740) for src_host: leading backslashes ("\\WS01") dropped, "-" is none.  The
 * NTLM client chooses this name, so it is never an address, even when it looks like
 * one. */
static ww_str_t auth_host(ww_str_t ws)
{
    while (ws.n && ws.p[0] == '\\')
        ws = (ww_str_t){ws.p + 1, ws.n - 1};
    while (ws.n && (ws.p[ws.n - 1] == ' '))
        ws.n--;
    return is_dash(ws) ? (ww_str_t){"", 0} : ws;
}

static ww_str_t auth_package(ww_event_t *ev, ww_str_t pkg)
{
    if (is_dash(pkg))
        return (ww_str_t){"", 0};
    if (ww_str_ieq(pkg, WW_STR("NTLM")) || ww_str_ieq(pkg, WW_STR("NtLmSsp")) ||
        ww_str_ieq(pkg, WW_STR("NTLM V2")) || ww_str_ieq(pkg, WW_STR("NTLM V1")))
        return WW_STR("ntlm");
    if (ww_str_ieq(pkg, WW_STR("Kerberos")))
        return WW_STR("kerberos");
    if (ww_str_ieq(pkg, WW_STR("Negotiate")))
        return WW_STR("negotiate");
    char *o = ww_arena_alloc(&ev->arena, pkg.n + 1);
    if (!o)
        return (ww_str_t){"", 0};
    for (size_t i = 0; i < pkg.n; i++)
        o[i] = (char)ww_lower((unsigned char)pkg.p[i]);
    o[pkg.n] = 0;
    return (ww_str_t){o, pkg.n};
}

/* Where each event names the other party.  The address fields are written by the
 * logging machine from the connection; the name fields are what the client said
 * (NTLM's workstation name is chosen by the client), so they only ever become
 * src_host.  4648's IpAddress and TargetServerName name the server the credentials
 * were used against, not a source. */
static int windows_auth(ww_event_t *ev)
{
    int id = ev->event_id, rc = 0;
    ww_str_t user = fval(ev, "TargetUserName"), status = fval(ev, "Status");
    ww_str_t addr = {"", 0}, host = {"", 0}, dst = {"", 0}, dst_host = {"", 0};
    ww_str_t port = fval(ev, "IpPort");
    switch (id) {
    case 4624:
    case 4625:
        addr = auth_addr(fval(ev, "IpAddress"));
        host = auth_host(fval(ev, "WorkstationName"));
        break;
    case 4768:
    case 4771: addr = auth_addr(fval(ev, "IpAddress")); break;
    case 4776: host = auth_host(fval(ev, "Workstation")); break;
    case 4740:
        host = auth_host(fval(ev, "TargetDomainName")); /* "Caller Computer Name" */
        break;
    case 4648:
        dst = auth_addr(fval(ev, "IpAddress"));
        dst_host = auth_host(fval(ev, "TargetServerName"));
        break;
    default: break;
    }
    const char *outcome = NULL;
    ww_str_t method = {"", 0};
    switch (id) {
    case 4624:
    case 4648: outcome = "success"; break;
    case 4625:
    case 4740: outcome = "failure"; break;
    case 4771: outcome = "failure"; break;
    case 4768:
    case 4776:
        if (status.n)
            outcome = status_zero(status) ? "success" : "failure";
        break;
    default: break;
    }
    if (id == 4624 || id == 4625)
        method = auth_package(ev, fval(ev, "AuthenticationPackageName"));
    else if (id == 4768 || id == 4771)
        method = WW_STR("kerberos");
    else if (id == 4776)
        method = WW_STR("ntlm");

    if (!is_dash(user))
        rc = add_str(ev, "user", user);
    if (rc == 0 && addr.n)
        rc = add_str(ev, "src_ip", addr);
    int64_t pv;
    bool port_ok = ww_parse_i64(port.p, port.n, &pv) == 0 && pv > 0 && pv < 65536;
    /* A port belongs to the address it came with. */
    if (rc == 0 && addr.n && port_ok)
        rc = ww_event_add(ev, WW_STR("src_port"), port, WW_F_INT);
    if (rc == 0 && host.n)
        rc = add_str(ev, "src_host", host);
    if (rc == 0 && dst.n)
        rc = add_str(ev, "dst_ip", dst);
    if (rc == 0 && dst.n && port_ok)
        rc = ww_event_add(ev, WW_STR("dst_port"), port, WW_F_INT);
    if (rc == 0 && dst_host.n)
        rc = add_str(ev, "dst_host", dst_host);
    if (rc == 0 && outcome)
        rc = add_str(ev, "outcome", WW_STRZ(outcome));
    ww_str_t lt = fval(ev, "LogonType");
    if (rc == 0 && (id == 4624 || id == 4625) && ww_parse_i64(lt.p, lt.n, &pv) == 0)
        rc = ww_event_add(ev, WW_STR("logon_type"), lt, WW_F_INT);
    if (rc == 0 && method.n)
        rc = add_str(ev, "auth_method", method);
    if (rc == 0 && id == 4740)
        rc = ww_event_add(ev, WW_STR("lockout"), WW_STR("true"), WW_F_BOOL);
    if (rc == 0)
        rc = add_str(ev, "auth_service", WW_STR("windows"));
    ev->category = WW_STR("authentication");
    return rc;
}

static bool is_auth_event(const ww_event_t *ev)
{
    switch (ev->event_id) {
    case 4624:
    case 4625:
    case 4648:
    case 4740:
    case 4768:
    case 4771:
    case 4776: break;
    default: return false;
    }
    return ww_str_ieq(ev->channel, WW_STR("Security")) ||
           ww_str_ieq(ev->provider, WW_STR("Microsoft-Windows-Security-Auditing"));
}

void ww_event_finish_windows(ww_event_t *ev)
{
    const ww_field_t *f, *fid = NULL, *fch = NULL, *fpr = NULL, *fco = NULL, *fts = NULL;
    ev->kind = WW_EV_WINDOWS;
    if (!ev->product.n)
        ev->product = WW_STR("windows");
    /* One pass for the first occurrence of each routing field (five ww_event_get
       scans were a tenth of the JSON decode time); lengths differ, so a name is
       compared with at most two of them. */
    for (uint32_t i = 0; i < ev->nfields; i++) {
        const ww_field_t *g = &ev->fields[i];
        switch (g->name.n) {
        case 7:
            if (!fid && ww_str_ieq(g->name, WW_STR("EventID")))
                fid = g;
            else if (!fch && ww_str_ieq(g->name, WW_STR("Channel")))
                fch = g;
            break;
        case 8:
            if (!fco && ww_str_ieq(g->name, WW_STR("Computer")))
                fco = g;
            break;
        case 13:
            if (!fpr && ww_str_ieq(g->name, WW_STR("Provider_Name")))
                fpr = g;
            break;
        case 22:
            if (!fts && ww_str_ieq(g->name, WW_STR("TimeCreated_SystemTime")))
                fts = g;
            break;
        default: break;
        }
    }
    if (ev->event_id < 0 && (f = fid) != NULL) {
        int64_t v;
        if (ww_parse_i64(f->value.p, f->value.n, &v) == 0 && v >= 0 && v <= INT32_MAX)
            ev->event_id = (int32_t)v;
    }
    if (!ev->channel.n && (f = fch) != NULL)
        ev->channel = f->value;
    if (!ev->provider.n && (f = fpr) != NULL)
        ev->provider = f->value;
    if (!ev->host.n && (f = fco) != NULL)
        ev->host = f->value;
    if (ev->ts == WW_TIME_NONE && (f = fts) != NULL) {
        /* SystemTime is UTC when it says so (evtx_dump writes the Z).  Without a
           zone: Sysmon's UtcTime when the event has one, else local time. */
        int64_t t;
        const ww_field_t *u;
        if (ww_event_time_zoned(f->value)) {
            if (ww_time_parse_iso(f->value.p, f->value.n, &t) == 0)
                ev->ts = t;
        } else if ((u = ww_event_get(ev, WW_STR("UtcTime"), NULL)) != NULL &&
                   ww_time_parse_iso(u->value.p, u->value.n, &t) == 0) {
            ev->ts = t;
        } else if (ww_time_parse_iso_local(f->value.p, f->value.n, &t) == 0) {
            ev->ts = t;
        }
    }
    /* Once per event: a second call (the fields are already there) adds nothing.  A
       failure to add (field cap, memory) leaves the native fields as they are. */
    if (is_auth_event(ev) && !ww_event_get(ev, WW_STR("auth_service"), NULL))
        (void)windows_auth(ev);
}

static int put_value(ww_buf_t *out, const ww_field_t *f)
{
    switch (f->type) {
    case WW_F_INT:
    case WW_F_FLOAT:
    case WW_F_BOOL: return ww_buf_append(out, f->value.p, f->value.n);
    case WW_F_NULL: return ww_buf_puts(out, "null");
    default: return ww_buf_json_str(out, f->value.p, f->value.n);
    }
}

int ww_event_to_json(const ww_event_t *ev, ww_buf_t *out)
{
    int rc = ww_buf_putc(out, '{');
    bool first = true;
    for (uint32_t i = 0; i < ev->nfields && rc == 0; i++) {
        const ww_field_t *f = &ev->fields[i];
        /* A repeated name is printed once, as an array, where it first occurs. */
        if (ww_event_get(ev, f->name, NULL) != f)
            continue;
        const ww_field_t *next = ww_event_get(ev, f->name, f);
        if (!first)
            rc = ww_buf_putc(out, ',');
        first = false;
        if (rc == 0)
            rc = ww_buf_json_str(out, f->name.p, f->name.n);
        if (rc == 0)
            rc = ww_buf_putc(out, ':');
        if (rc)
            break;
        if (!next) {
            rc = put_value(out, f);
            continue;
        }
        rc = ww_buf_putc(out, '[');
        for (const ww_field_t *g = f; g && rc == 0; g = ww_event_get(ev, f->name, g)) {
            if (g != f)
                rc = ww_buf_putc(out, ',');
            if (rc == 0)
                rc = put_value(out, g);
        }
        if (rc == 0)
            rc = ww_buf_putc(out, ']');
    }
    if (rc == 0)
        rc = ww_buf_putc(out, '}');
    return rc;
}

const char *ww_format_name(int fmt)
{
    switch (fmt) {
    case WW_FMT_EVTX: return "evtx";
    case WW_FMT_JSON: return "json";
    case WW_FMT_SYSLOG: return "syslog";
    case WW_FMT_TEXT: return "text";
    case WW_FMT_ZEEK: return "zeek";
    default: return "auto";
    }
}
