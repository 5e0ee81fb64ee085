/* Building an asset record from text: one setter per field that validates the value
 * syntax the register documents (docs/assets.md) and says why in plain English when it
 * does not fit.  Shared by the CSV and JSON importers. */
#include "asset/ww_asset_int.h"

#include <arpa/inet.h>
#include <stdio.h>

void ww__rec_init(ww__rec_t *r)
{
    memset(r, 0, sizeof *r);
    ww_asset_t *a = &r->a;
    a->asset_id = a->hostname = a->mac = a->owner = a->location = a->segment = "";
    a->os = a->os_version = a->build = a->firmware = "";
    a->manufacturer = a->model = a->patch_by = a->os_guess = a->notes = "";
    a->last_patched = a->last_boot = a->first_seen = a->last_seen = WW_ASSET_NOTIME;
}

static void trim(const char **p, size_t *n)
{
    while (*n && (**p == ' ' || **p == '\t' || **p == '\r' || **p == '\n')) {
        (*p)++;
        (*n)--;
    }
    while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t' || (*p)[*n - 1] == '\r' ||
                  (*p)[*n - 1] == '\n'))
        (*n)--;
}

/* Grows an arena array by copying: lists are short, so the waste is small. */
static void *grow(ww_arena_t *ar, void *old, size_t n, size_t *cap, size_t elem)
{
    if (n < *cap)
        return old;
    if (n >= WW_ASSET_MAX_LIST)
        return NULL;
    size_t ncap = *cap ? *cap * 2 : 4;
    void *nv = ww_arena_alloc(ar, ncap * elem);
    if (!nv)
        return NULL;
    if (n)
        memcpy(nv, old, n * elem);
    *cap = ncap;
    return nv;
}

#define PUSH(ar, arr, n, cap, why, whylen)                                                        \
    do {                                                                                          \
        void *nv_ = grow((ar), (void *)(arr), (n), &(cap), sizeof *(arr));                        \
        if (!nv_) {                                                                               \
            snprintf((why), (whylen), "more than %d items, or out of memory", WW_ASSET_MAX_LIST); \
            return WW_ELIMIT;                                                                     \
        }                                                                                         \
        (arr) = nv_;                                                                              \
    } while (0)

bool ww__ip_valid(const char *p, size_t n)
{
    char buf[64];
    unsigned char out[16];
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, p, n);
    buf[n] = 0;
    return inet_pton(AF_INET, buf, out) == 1 || inet_pton(AF_INET6, buf, out) == 1;
}

static int hexv(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)ww_lower((unsigned char)c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int ww__mac_norm(const char *p, size_t n, char *out)
{
    /* aa:bb:cc:dd:ee:ff, aa-bb-..., aabb.ccdd.eeff and 12 bare hex digits. */
    int d[12], k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == ':' || c == '-' || c == '.')
            continue;
        int v = hexv(c);
        if (v < 0 || k == 12)
            return WW_EPARSE;
        d[k++] = v;
    }
    if (k != 12)
        return WW_EPARSE;
    static const char hx[] = "0123456789abcdef";
    for (int i = 0; i < 6; i++) {
        out[i * 3] = hx[d[i * 2]];
        out[i * 3 + 1] = hx[d[i * 2 + 1]];
        out[i * 3 + 2] = i == 5 ? 0 : ':';
    }
    return 0;
}

int ww__rec_add_update(ww__rec_t *r, const ww_update_t *u, ww_arena_t *ar)
{
    char why[64];
    PUSH(ar, r->a.updates, r->a.nupdates, r->cap_up, why, sizeof why);
    r->a.updates[r->a.nupdates++] = *u;
    r->mask |= WW_AF_BIT(WW_AF_MISSING_UPDATES);
    return 0;
}

int ww__rec_add_software(ww__rec_t *r, const char *name, const char *version, ww_arena_t *ar)
{
    char why[64];
    PUSH(ar, r->a.software, r->a.nsoftware, r->cap_sw, why, sizeof why);
    r->a.software[r->a.nsoftware++] = (ww_software_t){name, version ? version : ""};
    r->mask |= WW_AF_BIT(WW_AF_SOFTWARE);
    return 0;
}

int ww__rec_add_port(ww__rec_t *r, const ww_port_t *pt, ww_arena_t *ar)
{
    char why[64];
    PUSH(ar, r->a.ports, r->a.nports, r->cap_ports, why, sizeof why);
    r->a.ports[r->a.nports++] = *pt;
    r->mask |= WW_AF_BIT(WW_AF_PORTS);
    return 0;
}

/* "CVE-2017-0144:critical:2017-03-14", also "ID", "ID:sev", "ID:sev:cvss:date" and
 * "ID:cvss:date" (a number where the severity goes is a CVSS score). */
static int parse_update(ww__rec_t *r, const char *p, size_t n, ww_arena_t *ar, char *why,
                        size_t whylen)
{
    ww_update_t u = {.cvss = -1, .released = WW_ASSET_NOTIME};
    const char *e = p + n;
    const char *c1 = memchr(p, ':', n);
    const char *id_end = c1 ? c1 : e;
    const char *ip = p;
    size_t in = (size_t)(id_end - p);
    trim(&ip, &in);
    if (in == 0) {
        snprintf(why, whylen, "missing update \"%.*s\" has no ID (expected ID:severity:date)",
                 (int)(n > 60 ? 60 : n), p);
        return WW_EPARSE;
    }
    u.id = ww_arena_strndup(ar, ip, in);
    if (!u.id)
        return WW_ENOMEM;
    if (c1) {
        const char *s = c1 + 1;
        const char *c2 = memchr(s, ':', (size_t)(e - s));
        const char *sp = s;
        size_t sn = (size_t)((c2 ? c2 : e) - s);
        trim(&sp, &sn);
        double num;
        if (sn && ww_parse_double(sp, sn, &num) == 0) {
            if (num < 0 || num > 10) {
                snprintf(why, whylen, "missing update %s: CVSS %.*s is outside 0-10", u.id, (int)sn,
                         sp);
                return WW_EPARSE;
            }
            u.cvss = num;
        } else if (ww_sev_parse(sp, sn, &u.severity) != 0) {
            snprintf(why, whylen,
                     "missing update %s: severity \"%.*s\" is not one of critical, high, "
                     "medium, low (or a CVSS score)",
                     u.id, (int)(sn > 40 ? 40 : sn), sp);
            return WW_EPARSE;
        }
        if (c2) {
            const char *rest = c2 + 1;
            size_t rn = (size_t)(e - rest);
            /* An optional CVSS score between severity and date. */
            const char *c3 = memchr(rest, ':', rn);
            if (c3 && u.cvss < 0) {
                const char *cp = rest;
                size_t cn = (size_t)(c3 - rest);
                trim(&cp, &cn);
                if (cn && cn <= 5 && ww_parse_double(cp, cn, &num) == 0) {
                    if (num < 0 || num > 10) {
                        snprintf(why, whylen, "missing update %s: CVSS %.*s is outside 0-10", u.id,
                                 (int)cn, cp);
                        return WW_EPARSE;
                    }
                    u.cvss = num;
                    rest = c3 + 1;
                    rn = (size_t)(e - rest);
                }
            }
            trim(&rest, &rn);
            if (rn && ww_asset_date_parse(rest, rn, r->date_order, &u.released) != 0) {
                char dw[240];
                ww__date_why(rest, rn, r->date_order, dw, sizeof dw);
                snprintf(why, whylen, "missing update %.40s: release date %.200s", u.id, dw);
                return WW_EPARSE;
            }
        }
    }
    return ww__rec_add_update(r, &u, ar);
}

static int add_software_text(ww__rec_t *r, const char *p, size_t n, ww_arena_t *ar)
{
    /* "name:version" or "name=version"; the last separator splits, so names may
       contain either. */
    const char *sep = NULL;
    for (size_t i = n; i-- > 0;)
        if (p[i] == '=' || p[i] == ':') {
            sep = p + i;
            break;
        }
    const char *np = p, *vp = "";
    size_t nn = sep ? (size_t)(sep - p) : n, vn = 0;
    if (sep) {
        vp = sep + 1;
        vn = (size_t)(p + n - vp);
    }
    trim(&np, &nn);
    trim(&vp, &vn);
    char *name = ww_arena_strndup(ar, np, nn), *ver = ww_arena_strndup(ar, vp, vn);
    if (!name || !ver)
        return WW_ENOMEM;
    return ww__rec_add_software(r, name, ver, ar);
}

static int add_port_text(ww__rec_t *r, const char *p, size_t n, ww_arena_t *ar, char *why,
                         size_t whylen)
{
    /* "443", "443/tcp", "161/udp" */
    ww_port_t pt = {.service = "", .product = ""};
    const char *slash = memchr(p, '/', n);
    size_t pn = slash ? (size_t)(slash - p) : n;
    int64_t v;
    if (ww_parse_i64(p, pn, &v) != 0 || v < 1 || v > 65535) {
        snprintf(why, whylen, "port \"%.*s\" is not a number 1-65535 (optionally /tcp or /udp)",
                 (int)(n > 30 ? 30 : n), p);
        return WW_EPARSE;
    }
    pt.port = (uint16_t)v;
    size_t prn = slash ? (size_t)(p + n - slash - 1) : 0;
    if (prn == 0)
        memcpy(pt.proto, "tcp", 4);
    else if (prn < sizeof pt.proto) {
        for (size_t i = 0; i < prn; i++)
            pt.proto[i] = (char)ww_lower((unsigned char)slash[1 + i]);
        pt.proto[prn] = 0;
    } else {
        snprintf(why, whylen, "port \"%.*s\": protocol must be tcp, udp or sctp",
                 (int)(n > 30 ? 30 : n), p);
        return WW_EPARSE;
    }
    return ww__rec_add_port(r, &pt, ar);
}

int ww__rec_add(ww__rec_t *r, int f, const char *p, size_t n, ww_arena_t *ar, char *why,
                size_t whylen)
{
    trim(&p, &n);
    if (n == 0)
        return 0;
    ww_asset_t *a = &r->a;
    r->mask |= WW_AF_BIT(f);
    switch (f) {
    case WW_AF_IP: {
        if (!ww__ip_valid(p, n)) {
            snprintf(why, whylen, "\"%.*s\" is not an IPv4 or IPv6 address", (int)(n > 60 ? 60 : n),
                     p);
            return WW_EPARSE;
        }
        for (size_t i = 0; i < a->nips; i++)
            if (strlen(a->ips[i]) == n && memcmp(a->ips[i], p, n) == 0)
                return 0;
        PUSH(ar, a->ips, a->nips, r->cap_ips, why, whylen);
        const char *s = ww_arena_strndup(ar, p, n);
        if (!s)
            return WW_ENOMEM;
        a->ips[a->nips++] = s;
        return 0;
    }
    case WW_AF_ADMIN_ACCOUNTS: {
        PUSH(ar, a->admin_accounts, a->nadmins, r->cap_adm, why, whylen);
        const char *s = ww_arena_strndup(ar, p, n);
        if (!s)
            return WW_ENOMEM;
        a->admin_accounts[a->nadmins++] = s;
        return 0;
    }
    case WW_AF_SOFTWARE: return add_software_text(r, p, n, ar);
    case WW_AF_MISSING_UPDATES: return parse_update(r, p, n, ar, why, whylen);
    case WW_AF_PORTS: return add_port_text(r, p, n, ar, why, whylen);
    default: return ww__rec_set(r, f, p, n, ar, why, whylen);
    }
}

static bool is_list(int f)
{
    return f == WW_AF_IP || f == WW_AF_ADMIN_ACCOUNTS || f == WW_AF_SOFTWARE ||
           f == WW_AF_MISSING_UPDATES || f == WW_AF_PORTS;
}

static int set_tri(ww_tri_t *out, const char *p, size_t n, char *why, size_t whylen)
{
    if (ww_tri_parse(p, n, out) != 0) {
        snprintf(why, whylen, "\"%.*s\" is not yes, no or na", (int)(n > 40 ? 40 : n), p);
        return WW_EPARSE;
    }
    return 0;
}

void ww__date_why(const char *p, size_t n, ww_date_order_t order, char *why, size_t whylen)
{
    int shown = (int)(n > 40 ? 40 : n);
    /* Is it a day/month date the other order would read?  Then say so. */
    int64_t t;
    if (order == WW_DATE_ISO)
        snprintf(why, whylen,
                 "\"%.*s\" is not an ISO 8601 date (YYYY-MM-DD[THH:MM[:SS]]; --date-format iso "
                 "accepts nothing else)",
                 shown, p);
    else if (ww_asset_date_parse(p, n, order == WW_DATE_DMY ? WW_DATE_MDY : WW_DATE_DMY, &t) == 0)
        snprintf(why, whylen,
                 "\"%.*s\" is not a %s date (--date-format %s); for %s dates use "
                 "--date-format %s",
                 shown, p, order == WW_DATE_DMY ? "day/month/year" : "month/day/year",
                 ww_date_order_name(order),
                 order == WW_DATE_DMY ? "month/day/year" : "day/month/year",
                 order == WW_DATE_DMY ? "mdy" : "dmy");
    else
        snprintf(why, whylen, "\"%.*s\" is not a date (YYYY-MM-DD, or %s with a four-digit year)",
                 shown, p, order == WW_DATE_DMY ? "DD/MM/YYYY" : "MM/DD/YYYY");
}

static int set_time(int64_t *out, const char *p, size_t n, ww_date_order_t order, char *why,
                    size_t whylen)
{
    if (n == 0) {
        *out = WW_ASSET_NOTIME;
        return 0;
    }
    if (ww_asset_date_parse(p, n, order, out) != 0) {
        ww__date_why(p, n, order, why, whylen);
        return WW_EPARSE;
    }
    return 0;
}

void ww__rec_unset(ww__rec_t *r, int f)
{
    if (f < 0 || f >= WW_AF__COUNT)
        return;
    r->mask &= ~WW_AF_BIT(f);
    ww_asset_t *a = &r->a;
    switch (f) {
    case WW_AF_IP: a->nips = 0; break;
    case WW_AF_ADMIN_ACCOUNTS: a->nadmins = 0; break;
    case WW_AF_SOFTWARE: a->nsoftware = 0; break;
    case WW_AF_MISSING_UPDATES: a->nupdates = 0; break;
    case WW_AF_PORTS: a->nports = 0; break;
    case WW_AF_MAC: a->mac = ""; break;
    case WW_AF_TYPE: a->type = WW_AT_UNKNOWN; break;
    case WW_AF_CLINICAL_CRITICALITY: a->clinical_criticality = WW_CRIT_UNKNOWN; break;
    case WW_AF_LAST_PATCHED: a->last_patched = WW_ASSET_NOTIME; break;
    case WW_AF_LAST_BOOT: a->last_boot = WW_ASSET_NOTIME; break;
    case WW_AF_AV_ENABLED: a->av_enabled = WW_TRI_UNKNOWN; break;
    case WW_AF_FIREWALL_ENABLED: a->firewall_enabled = WW_TRI_UNKNOWN; break;
    case WW_AF_AUTORUN_DISABLED: a->autorun_disabled = WW_TRI_UNKNOWN; break;
    case WW_AF_ESU: a->esu = WW_TRI_UNKNOWN; break;
    case WW_AF_ISOLATED: a->isolated = WW_TRI_UNKNOWN; break;
    case WW_AF_DEFAULT_PASSWORD_CHANGED: a->default_password_changed = WW_TRI_UNKNOWN; break;
    case WW_AF_MFA: a->mfa = WW_TRI_UNKNOWN; break;
    case WW_AF_INTERNET_EXPOSED: a->internet_exposed = WW_TRI_UNKNOWN; break;
    case WW_AF_REMOTE_SERVICE: a->remote_service = WW_TRI_UNKNOWN; break;
    case WW_AF_STORES_PATIENT_DATA: a->stores_patient_data = WW_TRI_UNKNOWN; break;
    case WW_AF_ENCRYPTION: a->encryption = WW_TRI_UNKNOWN; break;
    case WW_AF_ASSET_ID: a->asset_id = ""; break;
    case WW_AF_HOSTNAME: a->hostname = ""; break;
    case WW_AF_OWNER: a->owner = ""; break;
    case WW_AF_LOCATION: a->location = ""; break;
    case WW_AF_SEGMENT: a->segment = ""; break;
    case WW_AF_OS: a->os = ""; break;
    case WW_AF_OS_VERSION: a->os_version = ""; break;
    case WW_AF_BUILD: a->build = ""; break;
    case WW_AF_FIRMWARE: a->firmware = ""; break;
    case WW_AF_MANUFACTURER: a->manufacturer = ""; break;
    case WW_AF_MODEL: a->model = ""; break;
    case WW_AF_PATCH_BY: a->patch_by = ""; break;
    case WW_AF_NOTES: a->notes = ""; break;
    case WW_AF_OS_GUESS: a->os_guess = ""; break;
    default: break;
    }
}

int ww__rec_set(ww__rec_t *r, int f, const char *p, size_t n, ww_arena_t *ar, char *why,
                size_t whylen)
{
    trim(&p, &n);
    if (f < 0 || f >= WW_AF__COUNT)
        return WW_EINVAL;
    if (n > WW_ASSET_MAX_FIELD) {
        snprintf(why, whylen, "value longer than %d bytes", WW_ASSET_MAX_FIELD);
        return WW_ELIMIT;
    }
    r->mask |= WW_AF_BIT(f);
    ww_asset_t *a = &r->a;
    if (is_list(f)) {
        /* Split on ';' (IPs and accounts also on ',' and blanks). */
        bool comma = f == WW_AF_IP || f == WW_AF_ADMIN_ACCOUNTS || f == WW_AF_PORTS;
        const char *s = p, *e = p + n;
        while (s < e) {
            const char *q = s;
            while (q < e && *q != ';' && *q != '\n' &&
                   !(comma && (*q == ',' || (f == WW_AF_IP && *q == ' '))))
                q++;
            int rc = ww__rec_add(r, f, s, (size_t)(q - s), ar, why, whylen);
            if (rc < 0)
                return rc;
            s = q + 1;
        }
        return 0;
    }
    const char **sp = NULL;
    switch (f) {
    case WW_AF_ASSET_ID: sp = &a->asset_id; break;
    case WW_AF_HOSTNAME: sp = &a->hostname; break;
    case WW_AF_OWNER: sp = &a->owner; break;
    case WW_AF_LOCATION: sp = &a->location; break;
    case WW_AF_SEGMENT: sp = &a->segment; break;
    case WW_AF_OS: sp = &a->os; break;
    case WW_AF_OS_VERSION: sp = &a->os_version; break;
    case WW_AF_BUILD: sp = &a->build; break;
    case WW_AF_FIRMWARE: sp = &a->firmware; break;
    case WW_AF_MANUFACTURER: sp = &a->manufacturer; break;
    case WW_AF_MODEL: sp = &a->model; break;
    case WW_AF_PATCH_BY: sp = &a->patch_by; break;
    case WW_AF_NOTES: sp = &a->notes; break;
    case WW_AF_OS_GUESS: sp = &a->os_guess; break;
    case WW_AF_MAC: {
        if (n == 0) {
            a->mac = "";
            return 0;
        }
        char m[18];
        if (ww__mac_norm(p, n, m) != 0) {
            snprintf(why, whylen, "\"%.*s\" is not a MAC address (aa:bb:cc:dd:ee:ff)",
                     (int)(n > 40 ? 40 : n), p);
            return WW_EPARSE;
        }
        a->mac = ww_arena_strdup(ar, m);
        return a->mac ? 0 : WW_ENOMEM;
    }
    case WW_AF_TYPE:
        if (ww_asset_type_parse(p, n, &a->type) != 0) {
            snprintf(why, whylen,
                     "\"%.*s\" is not an asset type (desktop laptop server vm thin_client "
                     "mobile network firewall medical_device iot cloud_service)",
                     (int)(n > 40 ? 40 : n), p);
            return WW_EPARSE;
        }
        return 0;
    case WW_AF_CLINICAL_CRITICALITY:
        if (ww_crit_parse(p, n, &a->clinical_criticality) != 0) {
            snprintf(why, whylen,
                     "\"%.*s\" is not a clinical criticality (none low medium high critical)",
                     (int)(n > 40 ? 40 : n), p);
            return WW_EPARSE;
        }
        return 0;
    case WW_AF_LAST_PATCHED: return set_time(&a->last_patched, p, n, r->date_order, why, whylen);
    case WW_AF_LAST_BOOT: return set_time(&a->last_boot, p, n, r->date_order, why, whylen);
    case WW_AF_AV_ENABLED: return set_tri(&a->av_enabled, p, n, why, whylen);
    case WW_AF_FIREWALL_ENABLED: return set_tri(&a->firewall_enabled, p, n, why, whylen);
    case WW_AF_AUTORUN_DISABLED: return set_tri(&a->autorun_disabled, p, n, why, whylen);
    case WW_AF_ESU: return set_tri(&a->esu, p, n, why, whylen);
    case WW_AF_ISOLATED: return set_tri(&a->isolated, p, n, why, whylen);
    case WW_AF_DEFAULT_PASSWORD_CHANGED:
        return set_tri(&a->default_password_changed, p, n, why, whylen);
    case WW_AF_MFA: return set_tri(&a->mfa, p, n, why, whylen);
    case WW_AF_INTERNET_EXPOSED: return set_tri(&a->internet_exposed, p, n, why, whylen);
    case WW_AF_REMOTE_SERVICE: return set_tri(&a->remote_service, p, n, why, whylen);
    case WW_AF_STORES_PATIENT_DATA: return set_tri(&a->stores_patient_data, p, n, why, whylen);
    case WW_AF_ENCRYPTION: return set_tri(&a->encryption, p, n, why, whylen);
    default: return WW_EINVAL;
    }
    char *s = ww_arena_strndup(ar, p, n);
    if (!s)
        return WW_ENOMEM;
    *sp = s;
    return 0;
}

int ww__rec_check(const ww__rec_t *r, char *why, size_t whylen)
{
    const ww_asset_t *a = &r->a;
    if (!*a->asset_id && !*a->hostname && a->nips == 0 && !*a->mac) {
        snprintf(why, whylen, "record has no asset_id, hostname, ip or mac to identify it");
        return WW_EPARSE;
    }
    return 0;
}

void ww__import_reject(const ww_import_opts_t *o, ww_import_stats_t *stats, const char *file,
                       uint32_t line, uint32_t col, const char *fmt, ...)
{
    if (stats)
        stats->rejected++;
    if (!o || !o->on_error)
        return;
    ww_diag_t d;
    memset(&d, 0, sizeof d);
    snprintf(d.file, sizeof d.file, "%s", file ? file : "");
    d.line = line;
    d.col = col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d.msg, sizeof d.msg, fmt, ap);
    va_end(ap);
    o->on_error(o->ud, &d);
}
