/* Indicator types and TLP names, value normalisation (the one form both the importers
 * and the matcher reduce a value to), and the import set. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "intel/ww_intel_int.h"

static const struct {
    const char *name, *alias;
} type_names[WW_IND_NTYPES] = {
    [WW_IND_IPV4] = {"ipv4-addr", "ip"},
    [WW_IND_IPV6] = {"ipv6-addr", "ipv6"},
    [WW_IND_DOMAIN] = {"domain-name", "domain"},
    [WW_IND_URL] = {"url", "uri"},
    [WW_IND_MD5] = {"md5", "MD5"},
    [WW_IND_SHA1] = {"sha1", "SHA-1"},
    [WW_IND_SHA256] = {"sha256", "SHA-256"},
    [WW_IND_EMAIL] = {"email-addr", "email"},
};

const char *ww_ind_type_name(int type)
{
    return type > 0 && type < WW_IND_NTYPES ? type_names[type].name : "?";
}

int ww_ind_type_parse(const char *s)
{
    for (int t = 1; t < WW_IND_NTYPES; t++)
        if (!strcasecmp(s, type_names[t].name) || !strcasecmp(s, type_names[t].alias))
            return t;
    return -1;
}

static const char *const tlp_names[] = {"TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT",
                                        "TLP:RED"};

const char *ww_tlp_name(int tlp)
{
    return tlp >= 0 && tlp <= WW_TLP_RED ? tlp_names[tlp] : "TLP:?";
}

int ww_tlp_parse(const char *s, size_t n)
{
    if (n >= 4 && !strncasecmp(s, "tlp:", 4)) {
        s += 4;
        n -= 4;
    }
    static const struct {
        const char *name;
        int tlp;
    } v[] = {{"clear", WW_TLP_CLEAR},
             {"white", WW_TLP_CLEAR},
             {"green", WW_TLP_GREEN},
             {"amber", WW_TLP_AMBER},
             {"amber+strict", WW_TLP_AMBER_STRICT},
             {"red", WW_TLP_RED}};
    for (size_t i = 0; i < WW_ARRAY_LEN(v); i++)
        if (strlen(v[i].name) == n && !strncasecmp(s, v[i].name, n))
            return v[i].tlp;
    return -1;
}

/* ---- normalisation ---- */

static bool is_hex(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || ((p[i] | 32) >= 'a' && (p[i] | 32) <= 'f')))
            return false;
    return true;
}

/* An address with an optional /prefix; writes the canonical text. */
static int norm_ip(int *type, const char *p, size_t n, char *out, size_t outlen, const char **why)
{
    char buf[80];
    if (n >= sizeof buf) {
        *why = "too long for an address";
        return WW_EPARSE;
    }
    memcpy(buf, p, n);
    buf[n] = 0;
    char *s = buf;
    if (*s == '[') { /* [v6] */
        char *e = strchr(s, ']');
        if (!e) {
            *why = "unbalanced [";
            return WW_EPARSE;
        }
        *e = 0;
        s++;
    }
    char *slash = strchr(s, '/');
    long plen = -1;
    if (slash) {
        *slash = 0;
        char *end;
        if (!slash[1] || slash[1] == '-' || slash[1] == '+') {
            *why = "bad prefix length";
            return WW_EPARSE;
        }
        plen = strtol(slash + 1, &end, 10);
        if (*end) {
            *why = "bad prefix length";
            return WW_EPARSE;
        }
    }
    char *pct = strchr(s, '%'); /* an IPv6 zone says nothing about the address */
    if (pct)
        *pct = 0;
    unsigned char a[16];
    int fam;
    if (inet_pton(AF_INET, s, a) == 1)
        fam = 4;
    else if (inet_pton(AF_INET6, s, a) == 1)
        fam = 6;
    else {
        *why = "not an IPv4 or IPv6 address";
        return WW_EPARSE;
    }
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (fam == 6 && !memcmp(a, mapped, 12) && (plen < 0 || plen >= 96)) {
        memmove(a, a + 12, 4);
        fam = 4;
        if (plen >= 0)
            plen -= 96;
    }
    int bits = fam == 4 ? 32 : 128;
    if (plen > bits) {
        *why = "prefix length longer than the address";
        return WW_EPARSE;
    }
    if (plen == bits)
        plen = -1;
    if (plen >= 0) { /* clear the host bits */
        for (int i = 0; i < bits / 8; i++) {
            int keep = (int)plen - i * 8;
            if (keep <= 0)
                a[i] = 0;
            else if (keep < 8)
                a[i] &= (unsigned char)(0xff << (8 - keep));
        }
    }
    char t[INET6_ADDRSTRLEN];
    inet_ntop(fam == 4 ? AF_INET : AF_INET6, a, t, sizeof t);
    int len = plen >= 0 ? snprintf(out, outlen, "%s/%ld", t, plen) : snprintf(out, outlen, "%s", t);
    if (len < 0 || (size_t)len >= outlen) {
        *why = "too long";
        return WW_EPARSE;
    }
    *type = fam == 4 ? WW_IND_IPV4 : WW_IND_IPV6;
    return 0;
}

static int norm_domain(const char *p, size_t n, char *out, size_t outlen, const char **why)
{
    while (n && p[n - 1] == '.')
        n--;
    if (!n || n > 253 || n >= outlen) {
        *why = n ? "longer than a domain name can be (253)" : "empty domain name";
        return WW_EPARSE;
    }
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '.') {
            if (!label) {
                *why = "empty label in domain name";
                return WW_EPARSE;
            }
            label = 0;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '_' || c == '*' || c >= 0x80) {
            if (++label > 63) {
                *why = "domain label longer than 63";
                return WW_EPARSE;
            }
        } else {
            *why = "character not allowed in a domain name";
            return WW_EPARSE;
        }
        out[i] = (char)ww_lower(c);
    }
    if (p[0] == '*' && n > 2 && p[1] == '.') { /* "*.evil.example": subdomains match anyway */
        memmove(out, out + 2, n - 2);
        n -= 2;
    }
    if (memchr(out, '*', n)) {
        *why = "wildcard inside a domain name";
        return WW_EPARSE;
    }
    out[n] = 0;
    return 0;
}

/* scheme://[user@]host[:port]/path?query#fragment -> host[:port]/path?query */
static int norm_url(const char *p, size_t n, char *out, size_t outlen, const char **why)
{
    while (n && (p[0] == ' ' || p[0] == '\t')) {
        p++;
        n--;
    }
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
        n--;
    const char *e = p + n, *s = p;
    const char *colon = memchr(p, ':', n);
    /* The default port goes only where the scheme says which it is: without a scheme
       a port stays, so the result reads the same when normalised again. */
    bool http = false, https = false;
    if (colon && colon + 2 < e && colon[1] == '/' && colon[2] == '/') {
        for (const char *q = p; q < colon; q++)
            if (!((*q | 32) >= 'a' && (*q | 32) <= 'z') && !(*q >= '0' && *q <= '9') && *q != '+' &&
                *q != '-' && *q != '.')
                goto noscheme;
        https = colon - p == 5 && !strncasecmp(p, "https", 5);
        http = colon - p == 4 && !strncasecmp(p, "http", 4);
        s = colon + 3;
    }
noscheme:;
    const char *hs = s, *he = s;
    while (he < e && *he != '/' && *he != '?' && *he != '#')
        he++;
    const char *at = NULL;
    for (const char *q = hs; q < he; q++)
        if (*q == '@')
            at = q;
    if (at)
        hs = at + 1;
    if (hs == he) {
        *why = "URL without a host";
        return WW_EPARSE;
    }
    size_t o = 0;
    /* host (lower-cased) and port unless it is the scheme's default */
    const char *port = NULL;
    for (const char *q = he; q > hs; q--)
        if (q[-1] == ':') {
            port = q - 1;
            break;
        } else if (q[-1] == ']' || !(q[-1] >= '0' && q[-1] <= '9'))
            break;
    const char *hend = port ? port : he;
    while (hend > hs && hend[-1] == '.')
        hend--;
    if (hend == hs) {
        *why = "URL without a host";
        return WW_EPARSE;
    }
    /* A host is a name or a bracketed IPv6 address: a colon anywhere else (or an odd
       character) would read differently the second time round. */
    bool bracket = *hs == '[';
    for (const char *q = hs; q < hend; q++) {
        unsigned char c = (unsigned char)*q;
        if (c <= ' ' || c == '\\' || c == '"' || c == '<' || c == '>' ||
            (!bracket && (c == ':' || c == '[' || c == ']')) ||
            (bracket && ((c == '[' && q != hs) || (c == ']' && q != hend - 1)))) {
            *why = "URL host is not a name or an address";
            return WW_EPARSE;
        }
    }
    if (bracket && (hend - hs < 3 || hend[-1] != ']')) {
        *why = "URL host is not a name or an address";
        return WW_EPARSE;
    }
    if ((size_t)(he - hs) + 2 >= outlen) {
        *why = "URL too long";
        return WW_EPARSE;
    }
    for (const char *q = hs; q < hend; q++)
        out[o++] = (char)ww_lower((unsigned char)*q);
    if (port) {
        size_t pl = (size_t)(he - port);
        bool dflt = (pl == 3 && !memcmp(port, ":80", 3) && http) ||
                    (pl == 4 && !memcmp(port, ":443", 4) && https) || pl == 1;
        if (!dflt) {
            memcpy(out + o, port, pl);
            o += pl;
        }
    }
    const char *hash = memchr(he, '#', (size_t)(e - he));
    const char *pe = hash ? hash : e;
    if (he == pe || *he != '/')
        out[o++] = '/';
    if (o + (size_t)(pe - he) >= outlen) {
        *why = "URL too long";
        return WW_EPARSE;
    }
    memcpy(out + o, he, (size_t)(pe - he));
    o += (size_t)(pe - he);
    for (size_t i = 0; i < o; i++)
        if ((unsigned char)out[i] < 0x20 || out[i] == ' ') {
            *why = "space or control character in URL";
            return WW_EPARSE;
        }
    out[o] = 0;
    return 0;
}

static int norm_email(const char *p, size_t n, char *out, size_t outlen, const char **why)
{
    const char *lt = memchr(p, '<', n);
    if (lt) {
        const char *gt = memchr(lt, '>', (size_t)(p + n - lt));
        if (!gt) {
            *why = "unbalanced < in address";
            return WW_EPARSE;
        }
        p = lt + 1;
        n = (size_t)(gt - p);
    }
    while (n && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    const char *at = memchr(p, '@', n);
    if (!at || at == p || at == p + n - 1 || memchr(at + 1, '@', (size_t)(p + n - at - 1))) {
        *why = "not an e-mail address (local@domain)";
        return WW_EPARSE;
    }
    if (n >= outlen || n > 320) {
        *why = "e-mail address too long";
        return WW_EPARSE;
    }
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)p[i] <= 0x20) {
            *why = "space or control character in address";
            return WW_EPARSE;
        }
        out[i] = (char)ww_lower((unsigned char)p[i]);
    }
    out[n] = 0;
    return 0;
}

int ww_intel_normalise(int *type, const char *p, size_t n, char *out, size_t outlen,
                       const char **why)
{
    *why = "";
    while (n && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
        n--;
    if (!n) {
        *why = "empty value";
        return WW_EPARSE;
    }
    if (n > WW_INTEL_MAX_VALUE) {
        *why = "value longer than 2048 bytes";
        return WW_EPARSE;
    }
    if (memchr(p, 0, n)) {
        *why = "NUL byte in value";
        return WW_EPARSE;
    }
    switch (*type) {
    case WW_IND_IPV4:
    case WW_IND_IPV6: return norm_ip(type, p, n, out, outlen, why);
    case WW_IND_DOMAIN: return norm_domain(p, n, out, outlen, why);
    case WW_IND_URL: return norm_url(p, n, out, outlen, why);
    case WW_IND_EMAIL: return norm_email(p, n, out, outlen, why);
    case WW_IND_MD5:
    case WW_IND_SHA1:
    case WW_IND_SHA256: {
        size_t want = *type == WW_IND_MD5 ? 32 : *type == WW_IND_SHA1 ? 40 : 64;
        if (n != want || !is_hex(p, n) || n >= outlen) {
            *why = *type == WW_IND_MD5    ? "not an MD5 hash (32 hex digits)"
                   : *type == WW_IND_SHA1 ? "not a SHA-1 hash (40 hex digits)"
                                          : "not a SHA-256 hash (64 hex digits)";
            return WW_EPARSE;
        }
        for (size_t i = 0; i < n; i++)
            out[i] = (char)ww_lower((unsigned char)p[i]);
        out[n] = 0;
        return 0;
    }
    default: *why = "unknown indicator type"; return WW_EPARSE;
    }
}

/* ---- the import set ---- */

void ww_intel_set_init(ww_intel_set_t *s)
{
    memset(s, 0, sizeof *s);
    ww_arena_init(&s->arena, 64u << 10, 0);
}

void ww_intel_set_release(ww_intel_set_t *s)
{
    ww_arena_release(&s->arena);
    free(s->v);
    free(s->skip);
    memset(s, 0, sizeof *s);
}

void ww__intel_skip(ww_intel_set_t *set, const char *where, const char *fmt, ...)
{
    set->skipped++;
    if (set->nskip >= WW_INTEL_MAX_SKIPS)
        return;
    if (set->nskip == set->skipcap) {
        size_t nc = set->skipcap ? set->skipcap * 2 : 16;
        ww_intel_skip_t *ns = realloc(set->skip, nc * sizeof *ns);
        if (!ns)
            return;
        set->skip = ns;
        set->skipcap = nc;
    }
    ww_intel_skip_t *k = &set->skip[set->nskip++];
    snprintf(k->where, sizeof k->where, "%s", where);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(k->why, sizeof k->why, fmt, ap);
    va_end(ap);
}

void ww__intel_truncate(ww_intel_set_t *set, size_t n, size_t nskip, uint64_t skipped)
{
    set->n = n;
    set->nskip = nskip;
    set->skipped = skipped;
}

const char *ww__intel_text(ww_intel_set_t *set, const char *s)
{
    if (!s)
        s = "";
    size_t n = strnlen(s, WW_INTEL_MAX_TEXT);
    return ww_arena_strndup(&set->arena, s, n);
}

int ww__intel_add(ww_intel_set_t *set, const ww_indicator_t *ind, const char *raw, size_t rawn,
                  const char *where)
{
    char v[WW_INTEL_MAX_VALUE + 16];
    const char *why;
    int type = ind->type;
    if (ww_intel_normalise(&type, raw, rawn, v, sizeof v, &why) != 0) {
        ww__intel_skip(set, where, "%s value not usable: %s", ww_ind_type_name(ind->type), why);
        return 1;
    }
    if (set->n >= WW_INTEL_MAX_INDICATORS)
        return WW_ELIMIT;
    if (set->n == set->cap) {
        size_t nc = set->cap ? set->cap * 2 : 256;
        ww_indicator_t *nv = realloc(set->v, nc * sizeof *nv);
        if (!nv)
            return WW_ENOMEM;
        set->v = nv;
        set->cap = nc;
    }
    ww_indicator_t *x = &set->v[set->n];
    *x = *ind;
    x->type = type;
    x->value = ww_arena_strdup(&set->arena, v);
    if (!x->value)
        return WW_ENOMEM;
    set->n++;
    return 0;
}

int64_t ww__intel_time(const char *s)
{
    int64_t ns;
    if (!s || !*s || ww_time_parse_iso(s, strlen(s), &ns) != 0)
        return WW_TIME_NONE;
    return ns;
}

/* ---- JSON helpers ---- */

void ww__intel_pos(const char *data, const char *at, uint32_t *line, uint32_t *col)
{
    uint32_t l = 1;
    const char *ls = data;
    for (const char *p = data; p < at; p++)
        if (*p == '\n') {
            l++;
            ls = p + 1;
        }
    *line = l;
    *col = (uint32_t)(at - ls) + 1;
}

int ww__intel_json(const char *name, const char *data, size_t len, ww_json_t *js, ww_diag_t *diag)
{
    memset(js, 0, sizeof *js);
    js->base = data;
    js->end = data + len;
    const char *p = data, *e = data + len;
    if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3)) /* a BOM */
        p += 3;
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    if (p == e) {
        ww_diag_set(diag, name, 1, 1, "empty file: no JSON");
        return WW_EPARSE;
    }
    if (len > WW_JSON_MAX_RECORD) {
        ww_diag_set(diag, name, 1, 1,
                    "JSON document larger than %zu MiB: split it (STIX: several bundles)",
                    WW_JSON_MAX_RECORD >> 20);
        return WW_ELIMIT;
    }
    if (ww__json_parse(js, p) != 0) {
        uint32_t line = 0, col = 0;
        if (js->err_at && js->err_at >= data && js->err_at <= e)
            ww__intel_pos(data, js->err_at, &line, &col);
        ww_diag_set(diag, name, line, col, "malformed JSON: %s",
                    js->err_msg ? js->err_msg : "syntax error");
        return js->err_code == WW_ENOMEM   ? WW_ENOMEM
               : js->err_code == WW_ELIMIT ? WW_ELIMIT
                                           : WW_EPARSE;
    }
    /* Only whitespace may follow the document. */
    const ww_jtok_t *t = &js->tok[0];
    const char *after = t->p + t->n + (t->type == WW_JT_STR ? 1 : 0);
    while (after < e && (*after == ' ' || *after == '\t' || *after == '\r' || *after == '\n'))
        after++;
    if (after < e) {
        uint32_t line, col;
        ww__intel_pos(data, after, &line, &col);
        ww_diag_set(diag, name, line, col, "malformed JSON: text after the document");
        return WW_EPARSE;
    }
    return 0;
}

uint32_t ww__intel_member(const ww_json_t *js, uint32_t obj, const char *key)
{
    const ww_jtok_t *t = js->tok;
    if (t[obj].type != WW_JT_OBJ)
        return 0;
    size_t kn = strlen(key);
    uint32_t k = obj + 1;
    for (uint32_t m = 0; m < t[obj].count; m++) {
        if (t[k].n == kn && !t[k].esc && !memcmp(t[k].p, key, kn))
            return k + 1;
        k = t[k + 1].next;
    }
    return 0;
}

const char *ww__intel_str(const ww_json_t *js, ww_arena_t *ar, uint32_t tok)
{
    if (!tok || js->tok[tok].type != WW_JT_STR)
        return NULL;
    const ww_jtok_t *t = &js->tok[tok];
    if (!t->esc)
        return ww_arena_strndup(ar, t->p, t->n);
    ww_event_t ev;
    ww_event_init(&ev);
    ww_str_t s;
    const char *r = NULL;
    if (ww__json_str(&ev, t, &s) == 0)
        r = ww_arena_strndup(ar, s.p, s.n);
    ww_event_release(&ev);
    return r;
}
