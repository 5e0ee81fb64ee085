/* The network map: reads the YAML tree into segments, links and flows and validates
 * them as a whole (names, CIDRs and their overlaps, kinds, ports, references), so that
 * a map either is accepted completely or is rejected with the line and the reason and
 * nothing of it is used; what is valid but probably a mistake (a flow no link carries)
 * becomes a warning with its place.  Also the CIDR helpers, address lookup and the
 * host lists of host plans. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include "firebreak/ww_fb_int.h"

#define FB_MAX_TOTAL_CIDRS 4096

static const char *const kind_names[] = {
    "clinical", "medical-device", "corporate", "servers", "guest", "dmz", "management", "external"};

const char *ww_fb_kind_name(int kind)
{
    return kind >= 0 && kind < (int)WW_ARRAY_LEN(kind_names) ? kind_names[kind] : "?";
}

static const char *const proto_names[] = {"tcp", "udp", "icmp", "any"};

const char *ww_fb_proto_name(int proto)
{
    return proto >= 0 && proto < (int)WW_ARRAY_LEN(proto_names) ? proto_names[proto] : "?";
}

/* ---- CIDRs ---- */

/* One dotted-quad IPv4 address, strictly: four decimal octets 0..255 and no leading
 * zeros.  "010.20.0.7" is refused because tools disagree on it (inet_aton reads 010
 * as octal 8, others as decimal 10), and a fire-break around the wrong host is worse
 * than an error.  0, or WW_EPARSE with why. */
static int parse_v4(const char *s, size_t len, uint8_t out[4], const char *whole, char *why,
                    size_t whylen)
{
    size_t i = 0;
    for (int k = 0; k < 4; k++) {
        size_t st = i;
        unsigned v = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9' && i - st < 4)
            v = v * 10 + (unsigned)(s[i++] - '0');
        size_t nd = i - st;
        if (nd == 0 || nd > 3 || v > 255) {
            snprintf(why, whylen, "'%.80s' is not an IPv4 or IPv6 address", whole);
            return WW_EPARSE;
        }
        if (nd > 1 && s[st] == '0') {
            snprintf(why, whylen,
                     "'%.80s': octet '%.*s' has a leading zero, which some tools read as octal "
                     "and others as decimal; write it without leading zeros",
                     whole, (int)nd, s + st);
            return WW_EPARSE;
        }
        out[k] = (uint8_t)v;
        if (k < 3) {
            if (i >= len || s[i] != '.') {
                snprintf(why, whylen, "'%.80s' is not an IPv4 or IPv6 address", whole);
                return WW_EPARSE;
            }
            i++;
        }
    }
    if (i != len) {
        snprintf(why, whylen, "'%.80s' is not an IPv4 or IPv6 address", whole);
        return WW_EPARSE;
    }
    return 0;
}

static const uint8_t v4mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

int ww_fb_addr_parse(const char *s, int *family, uint8_t addr[16], bool *mapped, char *why,
                     size_t whylen)
{
    uint8_t a[16] = {0};
    size_t len = strlen(s);
    if (len == 0 || len > 45) {
        snprintf(why, whylen, "'%.80s' is not an IPv4 or IPv6 address", s);
        return WW_EPARSE;
    }
    if (!strchr(s, ':')) {
        int rc = parse_v4(s, len, a, s, why, whylen);
        if (rc)
            return rc;
        memset(addr, 0, 16);
        memcpy(addr, a, 4);
        *family = 4;
        if (mapped)
            *mapped = false;
        return 0;
    }
    /* IPv6.  An embedded dotted quad is held to the IPv4 rules first, so that
     * "::ffff:010.20.0.7" is refused for the same stated reason as "010.20.0.7". */
    const char *lastc = strrchr(s, ':');
    if (strchr(lastc, '.')) {
        uint8_t t[4];
        int rc = parse_v4(lastc + 1, strlen(lastc + 1), t, s, why, whylen);
        if (rc)
            return rc;
    }
    char tmp[64];
    memcpy(tmp, s, len + 1);
    if (inet_pton(AF_INET6, tmp, a) != 1) {
        snprintf(why, whylen, "'%.80s' is not an IPv4 or IPv6 address", s);
        return WW_EPARSE;
    }
    memset(addr, 0, 16);
    /* An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is that IPv4 host: sockets of
     * dual-stack servers log IPv4 peers this way. */
    if (memcmp(a, v4mapped_prefix, sizeof v4mapped_prefix) == 0) {
        memcpy(addr, a + 12, 4);
        *family = 4;
        if (mapped)
            *mapped = true;
        return 0;
    }
    memcpy(addr, a, 16);
    *family = 6;
    if (mapped)
        *mapped = false;
    return 0;
}

void ww_fb_addr_format(int family, const uint8_t addr[16], char *out, size_t outlen)
{
    if (!inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, out, (socklen_t)outlen) && outlen)
        out[0] = 0;
}

int ww_fb_cidr_parse(const char *s, ww_fb_cidr_t *out, char *why, size_t whylen)
{
    char addr[64];
    const char *slash = strchr(s, '/');
    size_t alen = slash ? (size_t)(slash - s) : strlen(s);
    ww_fb_cidr_t c;
    memset(&c, 0, sizeof c);
    if (alen == 0 || alen >= sizeof addr) {
        snprintf(why, whylen, "'%.80s' is not an address prefix", s);
        return WW_EPARSE;
    }
    memcpy(addr, s, alen);
    addr[alen] = 0;
    int fam;
    bool mapped;
    int rc = ww_fb_addr_parse(addr, &fam, c.addr, &mapped, why, whylen);
    if (rc)
        return rc;
    c.family = (uint8_t)fam;
    /* The prefix length is read in the family the text was written in: an
     * IPv4-mapped prefix ::ffff:10.20.0.0/120 is the IPv4 network 10.20.0.0/24. */
    int maxp = fam == 6 || mapped ? 128 : 32;
    int64_t pfx = maxp;
    if (slash) {
        const char *d = slash + 1;
        size_t dl = strlen(d);
        if (dl == 0 || dl > 3 || strspn(d, "0123456789") != dl || ww_parse_i64(d, dl, &pfx) != 0 ||
            pfx < 0 || pfx > maxp || (dl > 1 && d[0] == '0')) {
            snprintf(why, whylen, "'%.80s': prefix length must be 0..%d", s, maxp);
            return WW_EPARSE;
        }
    }
    if (mapped) {
        if (pfx < 96) {
            snprintf(why, whylen,
                     "'%.80s': an IPv4-mapped prefix shorter than /96 is not an IPv4 network", s);
            return WW_EPARSE;
        }
        pfx -= 96;
        maxp = 32;
    }
    c.prefix = (uint8_t)pfx;
    for (int bit = (int)pfx; bit < maxp; bit++)
        if (c.addr[bit / 8] & (0x80 >> (bit % 8))) {
            ww_fb_cidr_t net = c;
            for (int b2 = (int)pfx; b2 < maxp; b2++)
                net.addr[b2 / 8] &= (uint8_t) ~(0x80 >> (b2 % 8));
            char nt[64];
            ww_fb_cidr_format(&net, nt, sizeof nt);
            snprintf(why, whylen, "'%.80s' has host bits set (the network is %s)", s, nt);
            return WW_EPARSE;
        }
    *out = c;
    return 0;
}

void ww_fb_cidr_format(const ww_fb_cidr_t *c, char *out, size_t outlen)
{
    char a[INET6_ADDRSTRLEN];
    if (!inet_ntop(c->family == 4 ? AF_INET : AF_INET6, c->addr, a, sizeof a))
        a[0] = 0;
    snprintf(out, outlen, "%s/%u", a, c->prefix);
}

static bool prefix_contains(const ww_fb_cidr_t *net, const uint8_t *addr, int family)
{
    if (net->family != family)
        return false;
    int full = net->prefix / 8, rest = net->prefix % 8;
    if (memcmp(net->addr, addr, (size_t)full) != 0)
        return false;
    if (rest) {
        uint8_t mask = (uint8_t)(0xff << (8 - rest));
        if ((net->addr[full] & mask) != (addr[full] & mask))
            return false;
    }
    return true;
}

bool ww_fb_cidr_overlap(const ww_fb_cidr_t *a, const ww_fb_cidr_t *b)
{
    if (a->family != b->family)
        return false;
    /* Two prefixes overlap exactly when the shorter contains the longer's network. */
    return a->prefix <= b->prefix ? prefix_contains(a, b->addr, b->family)
                                  : prefix_contains(b, a->addr, a->family);
}

int ww_fb_map_find_ip(const ww_fb_map_t *m, const char *ip)
{
    uint8_t addr[16] = {0};
    int fam;
    char tmp[64], why[160];
    size_t n = strlen(ip);
    if (n == 0 || n >= sizeof tmp)
        return -1;
    memcpy(tmp, ip, n + 1);
    /* Zeek and some firewalls write IPv6 with a zone ("fe80::1%eth0"): drop it. */
    char *pct = strchr(tmp, '%');
    if (pct)
        *pct = 0;
    if (ww_fb_addr_parse(tmp, &fam, addr, NULL, why, sizeof why) != 0)
        return -1;
    for (uint32_t i = 0; i < m->nsegs; i++)
        for (uint32_t k = 0; k < m->segs[i].ncidrs; k++)
            if (prefix_contains(&m->segs[i].cidrs[k], addr, fam))
                return (int)i;
    return -1;
}

int ww_fb_hosts_parse(const ww_fb_map_t *m, const char *list, ww_fb_host_t *out, size_t cap,
                      size_t *n, char *why, size_t whylen)
{
    size_t cnt = 0;
    const char *p = list ? list : "";
    for (;;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        /* Blanks around an entry are allowed ("10.1.0.7, 10.1.0.8"). */
        while (len && (*p == ' ' || *p == '\t')) {
            p++;
            len--;
        }
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len == 0) {
            snprintf(why, whylen, "an empty host address in the list '%.80s'", list ? list : "");
            return WW_EPARSE;
        }
        char text[64];
        if (len >= sizeof text) {
            snprintf(why, whylen, "'%.*s...' is not an IPv4 or IPv6 address", 40, p);
            return WW_EPARSE;
        }
        memcpy(text, p, len);
        text[len] = 0;
        ww_fb_host_t h;
        memset(&h, 0, sizeof h);
        int fam;
        char r[200];
        if (ww_fb_addr_parse(text, &fam, h.addr, NULL, r, sizeof r) != 0) {
            snprintf(why, whylen, "%s", r);
            return WW_EPARSE;
        }
        h.family = (uint8_t)fam;
        ww_fb_addr_format(fam, h.addr, h.text, sizeof h.text);
        int seg = ww_fb_map_find_ip(m, h.text);
        if (seg < 0) {
            snprintf(why, whylen,
                     "host %s is in no segment of the map: only hosts inside the hospital's "
                     "segments can be quarantined",
                     h.text);
            return WW_EPARSE;
        }
        if (m->segs[seg].kind == WW_FB_KIND_EXTERNAL) {
            snprintf(why, whylen,
                     "host %s is in external segment '%s', outside the hospital: only hosts "
                     "inside the hospital's segments can be quarantined",
                     h.text, m->segs[seg].name);
            return WW_EPARSE;
        }
        h.seg = (uint32_t)seg;
        bool dup = false;
        for (size_t i = 0; i < cnt; i++)
            dup |= out[i].family == h.family && memcmp(out[i].addr, h.addr, 16) == 0;
        if (!dup) {
            if (cnt == cap) {
                snprintf(why, whylen, "more than %zu hosts in one plan", cap);
                return WW_ELIMIT;
            }
            out[cnt++] = h;
        }
        if (!e)
            break;
        p = e + 1;
    }
    *n = cnt;
    return 0;
}

int ww_fb_map_find_segment(const ww_fb_map_t *m, const char *name)
{
    for (uint32_t i = 0; i < m->nsegs; i++)
        if (strcmp(m->segs[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* ---- reading the tree ---- */

typedef struct ctx {
    ww_fb_map_t *m;
    const char *file;
    ww_diag_t *diag;
} ctx_t;

__attribute__((format(printf, 3, 4))) static int fail(ctx_t *c, const ww_yn_t *n, const char *fmt,
                                                      ...)
{
    char msg[sizeof c->diag->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* Every message has a place: the node's, else the start of the file. */
    ww_diag_set(c->diag, c->file, n && n->line ? n->line : 1, n && n->col ? n->col : 1, "%s", msg);
    return WW_EPARSE;
}

static const ww_yn_t *map_get(const ww_yn_t *map, const char *key)
{
    for (uint32_t i = 0; i + 1 < map->nkids; i += 2)
        if (map->kids[i]->type == WW_YN_SCALAR && strcmp(map->kids[i]->s, key) == 0)
            return map->kids[i + 1];
    return NULL;
}

/* Refuses keys the format does not know (a typo like `clincal:` must not silently
 * turn a clinical segment into a non-clinical one) and repeated keys. */
static int check_keys(ctx_t *c, const ww_yn_t *map, const char *what, const char *const *known,
                      size_t nknown)
{
    for (uint32_t i = 0; i + 1 < map->nkids; i += 2) {
        const ww_yn_t *k = map->kids[i];
        if (k->type != WW_YN_SCALAR)
            return fail(c, k, "%s: keys must be plain words", what);
        bool ok = false;
        for (size_t j = 0; j < nknown; j++)
            if (strcmp(k->s, known[j]) == 0)
                ok = true;
        if (!ok)
            return fail(c, k, "%s: unknown key '%.60s'", what, k->s);
        for (uint32_t j = 0; j < i; j += 2)
            if (strcmp(map->kids[j]->s, k->s) == 0)
                return fail(c, k, "%s: key '%.60s' given twice", what, k->s);
    }
    return 0;
}

static int get_str(ctx_t *c, const ww_yn_t *n, const char *what, size_t max, char **out)
{
    if (n->type != WW_YN_SCALAR)
        return fail(c, n, "%s must be text", what);
    if (n->n > max)
        return fail(c, n, "%s is longer than %zu characters", what, max);
    if (strlen(n->s) != n->n)
        return fail(c, n, "%s contains a NUL byte", what);
    *out = n->s;
    return 0;
}

static int get_bool(ctx_t *c, const ww_yn_t *n, const char *what, bool *out)
{
    if (n->type == WW_YN_SCALAR && n->plain) {
        static const char *const t[] = {"true", "True", "TRUE", "yes", "Yes", "YES"};
        static const char *const f[] = {"false", "False", "FALSE", "no", "No", "NO"};
        for (size_t i = 0; i < WW_ARRAY_LEN(t); i++) {
            if (strcmp(n->s, t[i]) == 0) {
                *out = true;
                return 0;
            }
            if (strcmp(n->s, f[i]) == 0) {
                *out = false;
                return 0;
            }
        }
    }
    return fail(c, n, "%s must be true or false", what);
}

static int get_int(ctx_t *c, const ww_yn_t *n, const char *what, int64_t lo, int64_t hi,
                   int64_t *out)
{
    int64_t v;
    if (n->type != WW_YN_SCALAR || n->n == 0 || n->n > 12 || strspn(n->s, "0123456789") != n->n ||
        ww_parse_i64(n->s, n->n, &v) != 0)
        return fail(c, n, "%s must be a whole number", what);
    if (v < lo || v > hi)
        return fail(c, n, "%s %lld is out of range (%lld..%lld)", what, (long long)v, (long long)lo,
                    (long long)hi);
    *out = v;
    return 0;
}

/* A name people and nftables comments can both carry: letters, digits, - _ . */
static int check_name(ctx_t *c, const ww_yn_t *n, const char *s)
{
    if (!*s)
        return fail(c, n, "segment name is empty");
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.'))
            return fail(c, n, "segment name '%.64s' may hold only letters, digits, '-', '_', '.'",
                        s);
    return 0;
}

static int seg_ref(ctx_t *c, const ww_yn_t *n, const char *what, uint32_t *out)
{
    char *s = NULL;
    int rc = get_str(c, n, what, WW_FB_MAX_NAME, &s);
    if (rc)
        return rc;
    int i = ww_fb_map_find_segment(c->m, s);
    if (i < 0)
        return fail(c, n, "%s names unknown segment '%.64s'", what, s);
    *out = (uint32_t)i;
    return 0;
}

static int read_segment(ctx_t *c, const ww_yn_t *n, ww_fb_segment_t *seg)
{
    static const char *const keys[] = {"name",     "cidrs",        "vlan",       "kind",
                                       "clinical", "monitor_only", "description"};
    if (n->type != WW_YN_MAP)
        return fail(c, n, "a segment must be a mapping (name, cidrs, kind, ...)");
    int rc = check_keys(c, n, "segment", keys, WW_ARRAY_LEN(keys));
    if (rc)
        return rc;
    memset(seg, 0, sizeof *seg);
    seg->line = n->line;
    seg->vlan = -1;
    const ww_yn_t *v;
    if (!(v = map_get(n, "name")))
        return fail(c, n, "segment has no name");
    if ((rc = get_str(c, v, "segment name", WW_FB_MAX_NAME, &seg->name)) ||
        (rc = check_name(c, v, seg->name)))
        return rc;
    if (ww_fb_map_find_segment(c->m, seg->name) >= 0)
        return fail(c, v, "segment '%s' is defined twice (first on line %u)", seg->name,
                    c->m->segs[ww_fb_map_find_segment(c->m, seg->name)].line);
    if (!(v = map_get(n, "kind")))
        return fail(c, n, "segment '%s' has no kind", seg->name);
    seg->kind = -1;
    if (v->type == WW_YN_SCALAR)
        for (size_t i = 0; i < WW_ARRAY_LEN(kind_names); i++)
            if (strcmp(v->s, kind_names[i]) == 0)
                seg->kind = (int)i;
    if (seg->kind < 0)
        return fail(c, v,
                    "segment '%s': unknown kind (use clinical, medical-device, corporate, "
                    "servers, guest, dmz, management or external)",
                    seg->name);
    /* An external segment is someone else's network: the hospital has no VLAN for it
     * and no device in it to protect from a change. */
    if (seg->kind == WW_FB_KIND_EXTERNAL && (v = map_get(n, "vlan")))
        return fail(c, v, "segment '%s' is external (outside the hospital): it has no vlan",
                    seg->name);
    if (seg->kind == WW_FB_KIND_EXTERNAL && (v = map_get(n, "monitor_only")))
        return fail(c, v,
                    "segment '%s' is external (outside the hospital): it is never isolated, "
                    "so monitor_only does not apply",
                    seg->name);
    seg->clinical = seg->kind == WW_FB_KIND_CLINICAL || seg->kind == WW_FB_KIND_MEDICAL_DEVICE;
    if ((v = map_get(n, "clinical")) && (rc = get_bool(c, v, "clinical", &seg->clinical)))
        return rc;
    if ((v = map_get(n, "monitor_only")) &&
        (rc = get_bool(c, v, "monitor_only", &seg->monitor_only)))
        return rc;
    if ((v = map_get(n, "description")) &&
        (rc = get_str(c, v, "description", WW_FB_MAX_TEXT, &seg->description)))
        return rc;
    if ((v = map_get(n, "vlan"))) {
        int64_t vl = 0;
        if ((rc = get_int(c, v, "vlan", 1, 4094, &vl)))
            return rc;
        seg->vlan = (int)vl;
    }
    if (!(v = map_get(n, "cidrs")))
        return fail(c, n, "segment '%s' has no cidrs", seg->name);
    if (v->type == WW_YN_SCALAR) {
        /* One prefix written without brackets. */
        seg->cidrs = ww_arena_calloc(&c->m->arena, sizeof(ww_fb_cidr_t));
        if (!seg->cidrs)
            return WW_ENOMEM;
        char why[200];
        if (ww_fb_cidr_parse(v->s, &seg->cidrs[0], why, sizeof why))
            return fail(c, v, "segment '%s': bad CIDR: %s", seg->name, why);
        seg->cidrs[0].line = v->line;
        seg->cidrs[0].col = v->col;
        seg->ncidrs = 1;
        return 0;
    }
    if (v->type != WW_YN_SEQ || v->nkids == 0)
        return fail(c, v, "segment '%s': cidrs must be a list of prefixes", seg->name);
    if (v->nkids > WW_FB_MAX_CIDRS)
        return fail(c, v, "segment '%s': more than %d cidrs", seg->name, WW_FB_MAX_CIDRS);
    seg->cidrs = ww_arena_calloc(&c->m->arena, v->nkids * sizeof(ww_fb_cidr_t));
    if (!seg->cidrs)
        return WW_ENOMEM;
    for (uint32_t i = 0; i < v->nkids; i++) {
        const ww_yn_t *k = v->kids[i];
        char why[200];
        if (k->type != WW_YN_SCALAR)
            return fail(c, k, "segment '%s': a CIDR must be text like 10.20.0.0/24", seg->name);
        if (ww_fb_cidr_parse(k->s, &seg->cidrs[i], why, sizeof why))
            return fail(c, k, "segment '%s': bad CIDR: %s", seg->name, why);
        seg->cidrs[i].line = k->line;
        seg->cidrs[i].col = k->col;
    }
    seg->ncidrs = v->nkids;
    return 0;
}

static int read_port(ctx_t *c, const ww_yn_t *k, ww_fb_ports_t *out)
{
    if (k->type != WW_YN_SCALAR || k->n == 0 || k->n > 16)
        return fail(c, k, "a port must be a number 1..65535 or a range like 8000-8100");
    const char *dash = strchr(k->s, '-');
    int64_t lo, hi;
    size_t l1 = dash ? (size_t)(dash - k->s) : k->n;
    if (l1 == 0 || strspn(k->s, "0123456789") != l1 || ww_parse_i64(k->s, l1, &lo) != 0)
        return fail(c, k, "port '%.20s' is not a number or a range like 8000-8100", k->s);
    hi = lo;
    if (dash) {
        const char *h = dash + 1;
        size_t l2 = strlen(h);
        if (l2 == 0 || strspn(h, "0123456789") != l2 || ww_parse_i64(h, l2, &hi) != 0)
            return fail(c, k, "port '%.20s' is not a number or a range like 8000-8100", k->s);
    }
    if (lo < 1 || lo > 65535 || hi < 1 || hi > 65535)
        return fail(c, k, "port %.20s is out of range (1..65535)", k->s);
    if (hi < lo)
        return fail(c, k, "port range %.20s runs backwards", k->s);
    out->lo = (uint16_t)lo;
    out->hi = (uint16_t)hi;
    return 0;
}

static int read_direction(ctx_t *c, const ww_yn_t *v, bool *both)
{
    if (v->type == WW_YN_SCALAR && strcmp(v->s, "both") == 0)
        *both = true;
    else if (v->type == WW_YN_SCALAR && strcmp(v->s, "one-way") == 0)
        *both = false;
    else
        return fail(c, v, "direction must be one-way (from opens to) or both");
    return 0;
}

static int read_flow(ctx_t *c, const ww_yn_t *n, ww_fb_flow_t *f)
{
    static const char *const keys[] = {"from",      "to",       "proto", "ports",
                                       "direction", "clinical", "reason"};
    if (n->type != WW_YN_MAP)
        return fail(c, n, "a flow must be a mapping (from, to, proto, ports, ...)");
    int rc = check_keys(c, n, "flow", keys, WW_ARRAY_LEN(keys));
    if (rc)
        return rc;
    memset(f, 0, sizeof *f);
    f->line = n->line;
    const ww_yn_t *v;
    if (!(v = map_get(n, "from")))
        return fail(c, n, "flow has no 'from' segment");
    if ((rc = seg_ref(c, v, "flow 'from'", &f->from)))
        return rc;
    if (!(v = map_get(n, "to")))
        return fail(c, n, "flow has no 'to' segment");
    if ((rc = seg_ref(c, v, "flow 'to'", &f->to)))
        return rc;
    if (f->from == f->to)
        return fail(c, v, "flow from '%s' to itself: traffic inside a segment is not routed",
                    c->m->segs[f->from].name);
    if (c->m->segs[f->from].kind == WW_FB_KIND_EXTERNAL &&
        c->m->segs[f->to].kind == WW_FB_KIND_EXTERNAL)
        return fail(c, v,
                    "flow from '%s' to '%s': both are external, so the flow never enters the "
                    "hospital",
                    c->m->segs[f->from].name, c->m->segs[f->to].name);
    if (!(v = map_get(n, "proto")))
        return fail(c, n, "flow has no proto (tcp, udp, icmp or any)");
    f->proto = -1;
    if (v->type == WW_YN_SCALAR)
        for (size_t i = 0; i < WW_ARRAY_LEN(proto_names); i++)
            if (strcmp(v->s, proto_names[i]) == 0)
                f->proto = (int)i;
    if (f->proto < 0)
        return fail(c, v, "unknown proto (use tcp, udp, icmp or any)");
    if ((v = map_get(n, "ports"))) {
        if (f->proto != WW_FB_TCP && f->proto != WW_FB_UDP)
            return fail(c, v, "ports are only for tcp or udp flows");
        uint32_t np = v->type == WW_YN_SEQ ? v->nkids : 1;
        if (np == 0)
            return fail(c, v, "ports is an empty list (leave it out for every port)");
        if (np > WW_FB_MAX_PORTS)
            return fail(c, v, "more than %d ports in one flow", WW_FB_MAX_PORTS);
        f->ports = ww_arena_calloc(&c->m->arena, np * sizeof(*f->ports));
        if (!f->ports)
            return WW_ENOMEM;
        for (uint32_t i = 0; i < np; i++)
            if ((rc = read_port(c, v->type == WW_YN_SEQ ? v->kids[i] : v, &f->ports[i])))
                return rc;
        f->nports = np;
    }
    if ((v = map_get(n, "direction")) && (rc = read_direction(c, v, &f->both_ways)))
        return rc;
    if ((v = map_get(n, "clinical")) && (rc = get_bool(c, v, "clinical", &f->clinical)))
        return rc;
    if ((v = map_get(n, "reason")) && (rc = get_str(c, v, "reason", WW_FB_MAX_TEXT, &f->reason)))
        return rc;
    if (f->clinical && (!f->reason || !*f->reason))
        return fail(c, n, "a clinical flow needs a reason (it goes into the hazard log)");
    return 0;
}

static int read_link(ctx_t *c, const ww_yn_t *n, ww_fb_link_t *l)
{
    static const char *const keys[] = {"from", "to", "direction"};
    if (n->type != WW_YN_MAP)
        return fail(c, n, "a link must be a mapping (from, to, direction)");
    int rc = check_keys(c, n, "link", keys, WW_ARRAY_LEN(keys));
    if (rc)
        return rc;
    memset(l, 0, sizeof *l);
    l->line = n->line;
    l->both_ways = true;
    const ww_yn_t *v;
    if (!(v = map_get(n, "from")))
        return fail(c, n, "link has no 'from' segment");
    if ((rc = seg_ref(c, v, "link 'from'", &l->a)))
        return rc;
    if (!(v = map_get(n, "to")))
        return fail(c, n, "link has no 'to' segment");
    if ((rc = seg_ref(c, v, "link 'to'", &l->b)))
        return rc;
    if (l->a == l->b)
        return fail(c, v, "link from '%s' to itself: traffic inside a segment is not routed",
                    c->m->segs[l->a].name);
    if (c->m->segs[l->a].kind == WW_FB_KIND_EXTERNAL &&
        c->m->segs[l->b].kind == WW_FB_KIND_EXTERNAL)
        return fail(c, v, "link between '%s' and '%s': both are external, outside the hospital",
                    c->m->segs[l->a].name, c->m->segs[l->b].name);
    if ((v = map_get(n, "direction")) && (rc = read_direction(c, v, &l->both_ways)))
        return rc;
    return 0;
}

__attribute__((format(printf, 3, 4))) static int warn(ctx_t *c, const ww_yn_t *n, const char *fmt,
                                                      ...)
{
    ww_fb_map_t *m = c->m;
    if (m->nwarnings == WW_FB_MAX_WARNINGS) {
        m->warnings_dropped++;
        return 0;
    }
    if (!m->warnings) {
        m->warnings = ww_arena_calloc(&m->arena, WW_FB_MAX_WARNINGS * sizeof(*m->warnings));
        if (!m->warnings)
            return WW_ENOMEM;
    }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char *copy = ww_arena_strdup(&m->arena, msg);
    if (!copy)
        return WW_ENOMEM;
    m->warnings[m->nwarnings++] =
        (ww_fb_warning_t){n->line ? n->line : 1, n->col ? n->col : 1, copy};
    return 0;
}

/* The link that routes `from` -> `to` today, or NULL. */
static const ww_fb_link_t *link_carrying(const ww_fb_map_t *m, uint32_t from, uint32_t to)
{
    for (uint32_t i = 0; i < m->nlinks; i++) {
        const ww_fb_link_t *l = &m->links[i];
        if ((l->a == from && l->b == to) || (l->both_ways && l->a == to && l->b == from))
            return l;
    }
    return NULL;
}

/* With links, a flow between two segments that no link joins in its direction is not
 * carried by the router: it cannot work today, and a fire-break on the router can
 * neither cut it nor keep it.  The map is still accepted (links describe the existing
 * firewall, which may be out of date); the warning names the flow and its line. */
static int check_flow_routed(ctx_t *c, const ww_yn_t *n, const ww_fb_flow_t *f)
{
    const ww_fb_map_t *m = c->m;
    if (!m->has_links)
        return 0; /* a routed core carries every pair */
    const char *a = m->segs[f->from].name, *b = m->segs[f->to].name;
    bool fwd = link_carrying(m, f->from, f->to) != NULL;
    bool rev = !f->both_ways || link_carrying(m, f->to, f->from) != NULL;
    if (fwd && rev)
        return 0;
    /* Say what the map does have between the two, so the fix is obvious. */
    const ww_fb_link_t *any = NULL;
    for (uint32_t i = 0; i < m->nlinks && !any; i++)
        if ((m->links[i].a == f->from && m->links[i].b == f->to) ||
            (m->links[i].a == f->to && m->links[i].b == f->from))
            any = &m->links[i];
    char have[160];
    if (any)
        snprintf(have, sizeof have, " (the link on line %u is one-way %s -> %s)", any->line,
                 m->segs[any->a].name, m->segs[any->b].name);
    else
        snprintf(have, sizeof have, " (no link joins %s and %s)", a, b);
    char dir[160] = "";
    if (f->both_ways)
        snprintf(dir, sizeof dir, ", in its direction %s -> %s,", fwd ? b : a, fwd ? a : b);
    return warn(c, n,
                "flow %s %s %s (line %u)%s crosses no link of the map%s: the router does not "
                "carry it, so a fire-break can neither cut nor keep it",
                a, f->both_ways ? "<->" : "->", b, f->line, dir, have);
}

static int check_overlaps(ctx_t *c, const ww_yn_t *segs)
{
    ww_fb_map_t *m = c->m;
    size_t total = 0;
    for (uint32_t i = 0; i < m->nsegs; i++)
        total += m->segs[i].ncidrs;
    if (total > FB_MAX_TOTAL_CIDRS)
        return fail(c, segs, "the map has more than %d CIDRs", FB_MAX_TOTAL_CIDRS);
    for (uint32_t i = 0; i < m->nsegs; i++)
        for (uint32_t a = 0; a < m->segs[i].ncidrs; a++)
            for (uint32_t j = 0; j <= i; j++)
                for (uint32_t b = 0; b < (j == i ? a : m->segs[j].ncidrs); b++) {
                    const ww_fb_cidr_t *x = &m->segs[i].cidrs[a], *y = &m->segs[j].cidrs[b];
                    if (!ww_fb_cidr_overlap(x, y))
                        continue;
                    char tx[64], ty[64];
                    ww_fb_cidr_format(x, tx, sizeof tx);
                    ww_fb_cidr_format(y, ty, sizeof ty);
                    ww_diag_set(c->diag, c->file, x->line, x->col,
                                "segment '%s': CIDR %s overlaps %s of segment '%s' (line %u)",
                                m->segs[i].name, tx, ty, m->segs[j].name, y->line);
                    return WW_EPARSE;
                }
    return 0;
}

static int read_map(ctx_t *c, const ww_yn_t *root)
{
    static const char *const keys[] = {"hospital", "management", "segments", "links", "flows"};
    ww_fb_map_t *m = c->m;
    int rc;
    if (root->type != WW_YN_MAP)
        return fail(c, root, "the map must be a mapping with segments: and flows:");
    if ((rc = check_keys(c, root, "map", keys, WW_ARRAY_LEN(keys))))
        return rc;
    const ww_yn_t *v;
    if ((v = map_get(root, "hospital")) &&
        (rc = get_str(c, v, "hospital", WW_FB_MAX_TEXT, &m->name)))
        return rc;
    if ((v = map_get(root, "management"))) {
        if (v->type == WW_YN_SCALAR && strcmp(v->s, "inbound") == 0)
            m->mgmt = WW_FB_MGMT_INBOUND;
        else if (v->type == WW_YN_SCALAR && strcmp(v->s, "both") == 0)
            m->mgmt = WW_FB_MGMT_BOTH;
        else
            return fail(c, v, "management must be inbound or both");
    }
    if (!(v = map_get(root, "segments")))
        return fail(c, root, "the map has no segments:");
    if (v->type != WW_YN_SEQ || v->nkids == 0)
        return fail(c, v, "segments must be a non-empty list");
    if (v->nkids > WW_FB_MAX_SEGMENTS)
        return fail(c, v, "more than %d segments", WW_FB_MAX_SEGMENTS);
    m->segs = ww_arena_calloc(&m->arena, v->nkids * sizeof(*m->segs));
    if (!m->segs)
        return WW_ENOMEM;
    for (uint32_t i = 0; i < v->nkids; i++) {
        if ((rc = read_segment(c, v->kids[i], &m->segs[i])))
            return rc;
        m->nsegs++;
    }
    if ((rc = check_overlaps(c, v)))
        return rc;
    if ((v = map_get(root, "links"))) {
        if (v->type != WW_YN_SEQ)
            return fail(c, v, "links must be a list");
        if (v->nkids > WW_FB_MAX_LINKS)
            return fail(c, v, "more than %d links", WW_FB_MAX_LINKS);
        m->has_links = true;
        if (v->nkids) {
            m->links = ww_arena_calloc(&m->arena, v->nkids * sizeof(*m->links));
            if (!m->links)
                return WW_ENOMEM;
        }
        for (uint32_t i = 0; i < v->nkids; i++) {
            if ((rc = read_link(c, v->kids[i], &m->links[i])))
                return rc;
            m->nlinks++;
        }
    }
    if ((v = map_get(root, "flows"))) {
        if (v->type != WW_YN_SEQ)
            return fail(c, v, "flows must be a list");
        if (v->nkids > WW_FB_MAX_FLOWS)
            return fail(c, v, "more than %d flows", WW_FB_MAX_FLOWS);
        if (v->nkids) {
            m->flows = ww_arena_calloc(&m->arena, v->nkids * sizeof(*m->flows));
            if (!m->flows)
                return WW_ENOMEM;
        }
        for (uint32_t i = 0; i < v->nkids; i++) {
            if ((rc = read_flow(c, v->kids[i], &m->flows[i])))
                return rc;
            m->nflows++;
            if ((rc = check_flow_routed(c, v->kids[i], &m->flows[i])))
                return rc;
        }
    }
    return 0;
}

/* The map is the file's one YAML document. */
static void take_root(void *ud, ww_yn_t *root, uint32_t line)
{
    *(ww_yn_t **)ud = root;
}

int ww_fb_map_parse(const char *buf, size_t len, const char *file, ww_fb_map_t **out,
                    ww_diag_t *diag)
{
    if (len > WW_FB_MAX_MAP_BYTES) {
        /* Point at the first byte past the cap. */
        uint32_t line = 1, col = 1;
        for (size_t i = 0; i < WW_FB_MAX_MAP_BYTES; i++) {
            if (buf[i] == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        ww_diag_set(diag, file, line, col, "the map is larger than %u bytes", WW_FB_MAX_MAP_BYTES);
        return WW_ELIMIT;
    }
    ww_fb_map_t *m = calloc(1, sizeof *m);
    if (!m)
        return WW_ENOMEM;
    /* Everything, the YAML tree included, lives in one arena capped well above what
     * a map of the largest size needs. */
    ww_arena_init(&m->arena, 64 * 1024, 64u * WW_FB_MAX_MAP_BYTES);
    ww_yn_t *root = NULL;
    ctx_t c = {m, file, diag};
    int rc = ww_yaml_parse(&m->arena, buf, len, WW_YAML_ONE_DOC | WW_YAML_NO_ALIASES, take_root,
                           &root, diag);
    if (rc < 0)
        snprintf(diag->file, sizeof diag->file, "%s", file ? file : "");
    if (rc == 0 && !root) {
        ww_diag_set(diag, file, 1, 1, "the map is empty");
        rc = WW_EPARSE;
    }
    if (rc == 0)
        rc = read_map(&c, root);
    if (rc == WW_ENOMEM)
        ww_diag_set(diag, file, 1, 1, "out of memory reading the map");
    /* The YAML reader's limits (node count) have no position of their own: the map
     * as a whole is at fault, so point at its start. */
    if (rc && diag && !diag->line) {
        diag->line = 1;
        diag->col = 1;
    }
    if (rc) {
        ww_fb_map_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

void ww_fb_map_free(ww_fb_map_t *m)
{
    if (!m)
        return;
    ww_arena_release(&m->arena);
    free(m);
}

bool ww_fb_flow_allowed(const ww_fb_map_t *m, uint32_t from, uint32_t to, int proto, int port)
{
    for (uint32_t i = 0; i < m->nflows; i++) {
        const ww_fb_flow_t *f = &m->flows[i];
        bool fwd = f->from == from && f->to == to;
        bool rev = f->both_ways && f->from == to && f->to == from;
        if (!fwd && !rev)
            continue;
        if (f->proto != WW_FB_ANY && f->proto != proto)
            continue;
        if (f->nports == 0)
            return true;
        for (uint32_t k = 0; k < f->nports; k++)
            if (port >= f->ports[k].lo && port <= f->ports[k].hi)
                return true;
    }
    return false;
}

void ww_fb_reach(const ww_fb_map_t *m, uint32_t from, int *hops, int *via)
{
    for (uint32_t i = 0; i < m->nsegs; i++) {
        hops[i] = -1;
        via[i] = -1;
    }
    hops[from] = 0;
    if (!m->has_links) {
        for (uint32_t i = 0; i < m->nsegs; i++)
            if (i != from)
                hops[i] = 1;
        return;
    }
    /* Breadth first over the links: a host one hop away that falls to the attacker
     * reaches what its own segment reaches, and so on. */
    for (int depth = 0;; depth++) {
        bool grew = false;
        for (uint32_t l = 0; l < m->nlinks; l++) {
            const ww_fb_link_t *k = &m->links[l];
            uint32_t ends[2][2] = {{k->a, k->b}, {k->b, k->a}};
            for (int d = 0; d < (k->both_ways ? 2 : 1); d++) {
                uint32_t s = ends[d][0], t = ends[d][1];
                if (hops[s] == depth && hops[t] < 0) {
                    hops[t] = depth + 1;
                    via[t] = depth == 0 ? -1 : (int)s;
                    grew = true;
                }
            }
        }
        if (!grew)
            break;
    }
}
