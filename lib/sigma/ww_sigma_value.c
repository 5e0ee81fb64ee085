/* Sigma values: the escape rules that turn a YAML string into glob parts, and every
 * value modifier (contains ... fieldref), applied left to right the way pySigma does,
 * producing the ww_sigma_item_t leaves of a rule.  Expansions (windash, base64offset,
 * placeholders) become alternatives of one value, always ORed. */
#include <arpa/inet.h>
#include <stdio.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "sigma/ww_sigma_int.h"

/* A placeholder part, only alive between parsing an `expand` value and expanding it. */
#define GLOB_PH 3

enum mod {
    M_CONTAINS,
    M_STARTSWITH,
    M_ENDSWITH,
    M_ALL,
    M_EXISTS,
    M_CASED,
    M_NEQ,
    M_WINDASH,
    M_BASE64,
    M_BASE64OFFSET,
    M_WIDE,
    M_UTF16LE,
    M_UTF16BE,
    M_UTF16,
    M_RE,
    M_RE_I,
    M_RE_M,
    M_RE_S,
    M_CIDR,
    M_GT,
    M_GTE,
    M_LT,
    M_LTE,
    M_MINUTE,
    M_HOUR,
    M_DAY,
    M_WEEK,
    M_MONTH,
    M_YEAR,
    M_EXPAND,
    M_FIELDREF,
};

static const struct {
    const char *name;
    int mod;
} mod_names[] = {
    {"contains", M_CONTAINS},
    {"startswith", M_STARTSWITH},
    {"endswith", M_ENDSWITH},
    {"all", M_ALL},
    {"exists", M_EXISTS},
    {"cased", M_CASED},
    {"neq", M_NEQ},
    {"windash", M_WINDASH},
    {"base64", M_BASE64},
    {"base64offset", M_BASE64OFFSET},
    {"wide", M_WIDE},
    {"utf16le", M_UTF16LE},
    {"utf16be", M_UTF16BE},
    {"utf16", M_UTF16},
    {"re", M_RE},
    {"i", M_RE_I},
    {"ignorecase", M_RE_I},
    {"m", M_RE_M},
    {"multiline", M_RE_M},
    {"s", M_RE_S},
    {"dotall", M_RE_S},
    {"cidr", M_CIDR},
    {"gt", M_GT},
    {"gte", M_GTE},
    {"lt", M_LT},
    {"lte", M_LTE},
    {"minute", M_MINUTE},
    {"hour", M_HOUR},
    {"day", M_DAY},
    {"week", M_WEEK},
    {"month", M_MONTH},
    {"year", M_YEAR},
    {"expand", M_EXPAND},
    {"fieldref", M_FIELDREF},
};

#define MAX_MODS 16

static int merge_lits(ww_arena_t *a, ww_sigma_match_t *m);

/* ---- glob parts ------------------------------------------------------------------ */

/* Parses with pySigma's escape rules.  `expand` additionally turns `%name%` into a
 * placeholder part and `\%` into a literal percent sign. */
static int glob_parse(ww_arena_t *a, const char *s, size_t n, bool expand, ww_glob_part_t **parts,
                      uint32_t *nparts)
{
    char *out = ww_arena_alloc(a, n + 1);
    ww_glob_part_t *p = ww_arena_alloc(a, (n + 1) * sizeof(*p));
    uint32_t np = 0;
    size_t o = 0;
    if (!out || !p)
        return WW_ENOMEM;
#define LIT(ch)                                         \
    do {                                                \
        if (np == 0 || p[np - 1].kind != WW_GLOB_LIT) { \
            p[np].kind = WW_GLOB_LIT;                   \
            p[np].lit = out + o;                        \
            p[np].n = 0;                                \
            np++;                                       \
        }                                               \
        out[o++] = (ch);                                \
        p[np - 1].n++;                                  \
    } while (0)
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '\\') {
            if (i + 1 < n && (s[i + 1] == '*' || s[i + 1] == '?' || s[i + 1] == '\\' ||
                              (expand && s[i + 1] == '%'))) {
                LIT(s[i + 1]);
                i++;
            } else {
                LIT('\\');
            }
        } else if (ch == '*') {
            p[np].kind = WW_GLOB_STAR;
            p[np].n = 0;
            p[np].lit = NULL;
            np++;
        } else if (ch == '?') {
            p[np].kind = WW_GLOB_ONE;
            p[np].n = 0;
            p[np].lit = NULL;
            np++;
        } else if (ch == '%' && expand) {
            size_t j = i + 1;
            while (j < n && (s[j] == '_' || (s[j] >= '0' && s[j] <= '9') ||
                             (s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z')))
                j++;
            if (j < n && s[j] == '%' && j > i + 1) {
                char *nm = ww_arena_strndup(a, s + i + 1, j - i - 1);
                if (!nm)
                    return WW_ENOMEM;
                p[np].kind = GLOB_PH;
                p[np].lit = nm;
                p[np].n = (uint32_t)(j - i - 1);
                np++;
                i = j;
            } else {
                LIT('%');
            }
        } else {
            LIT(ch);
        }
    }
#undef LIT
    *parts = p;
    *nparts = np;
    return 0;
}

int ww__sigma_glob(ww_arena_t *a, const char *s, size_t n, ww_glob_part_t **parts, uint32_t *nparts)
{
    return glob_parse(a, s, n, false, parts, nparts);
}

static bool has_wild(const ww_sigma_match_t *m)
{
    for (uint32_t i = 0; i < m->nparts; i++)
        if (m->parts[i].kind != WW_GLOB_LIT)
            return true;
    return false;
}

/* The literal text of a wildcard-free string, in arena memory. */
static char *plain_text(ww_arena_t *a, const ww_sigma_match_t *m, size_t *len)
{
    size_t n = 0;
    for (uint32_t i = 0; i < m->nparts; i++)
        n += m->parts[i].n;
    char *s = ww_arena_alloc(a, n + 1);
    if (!s)
        return NULL;
    n = 0;
    for (uint32_t i = 0; i < m->nparts; i++) {
        memcpy(s + n, m->parts[i].lit, m->parts[i].n);
        n += m->parts[i].n;
    }
    s[n] = 0;
    *len = n;
    return s;
}

static int set_lit(ww_arena_t *a, ww_sigma_match_t *m, const char *s, size_t n)
{
    m->parts = ww_arena_calloc(a, sizeof(*m->parts));
    if (!m->parts)
        return WW_ENOMEM;
    m->nparts = n ? 1 : 0;
    m->parts[0].kind = WW_GLOB_LIT;
    m->parts[0].lit = (char *)s;
    m->parts[0].n = (uint32_t)n;
    return 0;
}

/* Adds a STAR part in front and/or at the end unless one is already there. */
static int wrap_star(ww_arena_t *a, ww_sigma_match_t *m, bool front, bool back)
{
    bool f = front && !(m->nparts && m->parts[0].kind == WW_GLOB_STAR);
    bool b = back && !(m->nparts && m->parts[m->nparts - 1].kind == WW_GLOB_STAR);
    if (!f && !b)
        return 0;
    if (m->nparts == 0 && f && b)
        b = false; /* `*` alone already matches everything */
    ww_glob_part_t *p = ww_arena_alloc(a, (m->nparts + 2) * sizeof(*p));
    if (!p)
        return WW_ENOMEM;
    uint32_t k = 0;
    if (f)
        p[k++] = (ww_glob_part_t){WW_GLOB_STAR, 0, NULL};
    if (m->nparts)
        memcpy(p + k, m->parts, m->nparts * sizeof(*p));
    k += m->nparts;
    if (b)
        p[k++] = (ww_glob_part_t){WW_GLOB_STAR, 0, NULL};
    m->parts = p;
    m->nparts = k;
    return 0;
}

/* ---- value list under construction ------------------------------------------------ */

typedef struct alts {
    ww_sigma_match_t *m;
    uint32_t n, cap;
} alts_t;

static ww_sigma_match_t *alts_push(ww_arena_t *a, alts_t *l)
{
    if (l->n == l->cap) {
        uint32_t nc = l->cap ? l->cap * 2 : 2;
        ww_sigma_match_t *nm = ww_arena_alloc(a, nc * sizeof(*nm));
        if (!nm)
            return NULL;
        if (l->n)
            memcpy(nm, l->m, l->n * sizeof(*nm));
        l->m = nm;
        l->cap = nc;
    }
    ww_sigma_match_t *m = &l->m[l->n++];
    memset(m, 0, sizeof(*m));
    return m;
}

typedef struct vctx {
    ww_sigma_ctx_t *c;
    ww_arena_t *a;
    const ww_yn_t *at;
    const char *modname;
} vctx_t;

static int to_string(vctx_t *v, ww_sigma_match_t *m)
{
    if (m->kind == WW_MATCH_STR)
        return 0;
    if (m->kind == WW_MATCH_NUM && m->numtext) {
        m->kind = WW_MATCH_STR;
        return set_lit(v->a, m, m->numtext, strlen(m->numtext));
    }
    if (m->kind == WW_MATCH_BOOL) {
        m->kind = WW_MATCH_STR;
        return set_lit(v->a, m, m->b ? "true" : "false", m->b ? 4 : 5);
    }
    return ww__sigma_fail(v->c, v->at, "modifier '%s' needs a string value", v->modname);
}

/* ---- encodings ------------------------------------------------------------------- */

static const char b64tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *b64(ww_arena_t *a, const unsigned char *s, size_t n, size_t *outlen)
{
    size_t ol = 4 * ((n + 2) / 3);
    char *o = ww_arena_alloc(a, ol + 1);
    if (!o)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t x = (uint32_t)s[i] << 16;
        if (i + 1 < n)
            x |= (uint32_t)s[i + 1] << 8;
        if (i + 2 < n)
            x |= s[i + 2];
        o[k++] = b64tab[(x >> 18) & 63];
        o[k++] = b64tab[(x >> 12) & 63];
        o[k++] = i + 1 < n ? b64tab[(x >> 6) & 63] : '=';
        o[k++] = i + 2 < n ? b64tab[x & 63] : '=';
    }
    o[k] = 0;
    *outlen = k;
    return o;
}

/* Decodes one UTF-8 sequence at s[i..n); returns its length, or 0 when invalid. */
static size_t utf8_dec(const unsigned char *s, size_t i, size_t n, uint32_t *cp)
{
    unsigned char c = s[i];
    size_t len;
    uint32_t v;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2;
        v = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        v = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        v = c & 0x07;
    } else {
        return 0;
    }
    if (i + len > n)
        return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[i + k] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i + k] & 0x3F);
    }
    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || (len == 2 && v < 0x80) ||
        (len == 3 && v < 0x800) || (len == 4 && v < 0x10000))
        return 0;
    *cp = v;
    return len;
}

static void put16(char *o, size_t *k, uint32_t u, bool be)
{
    if (be) {
        o[(*k)++] = (char)(u >> 8);
        o[(*k)++] = (char)(u & 0xFF);
    } else {
        o[(*k)++] = (char)(u & 0xFF);
        o[(*k)++] = (char)(u >> 8);
    }
}

/* UTF-16 encodes every literal part; wildcards stay wildcards. */
static int utf16_encode(vctx_t *v, ww_sigma_match_t *m, int mod)
{
    bool be = mod == M_UTF16BE;
    ww_glob_part_t *p = ww_arena_alloc(v->a, (m->nparts + 1) * sizeof(*p));
    if (!p)
        return WW_ENOMEM;
    uint32_t np = 0;
    if (mod == M_UTF16) {
        char *bom = ww_arena_alloc(v->a, 2);
        if (!bom)
            return WW_ENOMEM;
        bom[0] = (char)0xFF;
        bom[1] = (char)0xFE;
        p[np++] = (ww_glob_part_t){WW_GLOB_LIT, 2, bom};
    }
    for (uint32_t i = 0; i < m->nparts; i++) {
        const ww_glob_part_t *q = &m->parts[i];
        if (q->kind != WW_GLOB_LIT) {
            p[np++] = *q;
            continue;
        }
        char *o = ww_arena_alloc(v->a, (size_t)q->n * 4 + 1);
        if (!o)
            return WW_ENOMEM;
        size_t k = 0;
        const unsigned char *s = (const unsigned char *)q->lit;
        for (size_t j = 0; j < q->n;) {
            uint32_t cp;
            size_t l = utf8_dec(s, j, q->n, &cp);
            if (l == 0)
                return ww__sigma_fail(v->c, v->at, "modifier '%s': value is not valid UTF-8",
                                      v->modname);
            if (mod == M_WIDE && cp >= 0x80)
                return ww__sigma_fail(v->c, v->at,
                                      "modifier 'wide' accepts ASCII text only (use utf16le "
                                      "for other characters)");
            if (cp >= 0x10000) {
                cp -= 0x10000;
                put16(o, &k, 0xD800 | (cp >> 10), be);
                put16(o, &k, 0xDC00 | (cp & 0x3FF), be);
            } else {
                put16(o, &k, cp, be);
            }
            j += l;
        }
        p[np++] = (ww_glob_part_t){WW_GLOB_LIT, (uint32_t)k, o};
    }
    m->parts = p;
    m->nparts = np;
    return merge_lits(v->a, m);
}

/* Joins literal parts that touch (after an encoding or a splice), so matchers always
 * see one literal between wildcards. */
static int merge_lits(ww_arena_t *a, ww_sigma_match_t *m)
{
    uint32_t w = 0;
    for (uint32_t j = 0; j < m->nparts; j++) {
        ww_glob_part_t *q = &m->parts[j];
        if (q->kind == WW_GLOB_LIT && q->n == 0)
            continue;
        if (w && m->parts[w - 1].kind == WW_GLOB_LIT && q->kind == WW_GLOB_LIT) {
            ww_glob_part_t *prev = &m->parts[w - 1];
            char *o = ww_arena_alloc(a, (size_t)prev->n + q->n + 1);
            if (!o)
                return WW_ENOMEM;
            memcpy(o, prev->lit, prev->n);
            memcpy(o + prev->n, q->lit, q->n);
            prev->lit = o;
            prev->n += q->n;
        } else {
            m->parts[w++] = *q;
        }
    }
    m->nparts = w;
    return 0;
}

/* ---- windash --------------------------------------------------------------------- */

static const char *const dashes[] = {"-", "/", "\xE2\x80\x93", "\xE2\x80\x94", "\xE2\x80\x95"};

/* Python's \w for the character starting at s[i] (Unicode-aware, approximated by
 * treating non-ASCII as letters except general punctuation and Latin-1 symbols). */
static bool is_word_at(const unsigned char *s, size_t i, size_t n)
{
    unsigned char ch = s[i];
    if (ch < 0x80)
        return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
               ch == '_';
    uint32_t cp;
    if (utf8_dec(s, i, n, &cp) == 0)
        return false;
    if ((cp >= 0x2000 && cp <= 0x206F) || (cp >= 0xA0 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 ||
        (cp >= 0x3000 && cp <= 0x303F) || cp == 0xFEFF)
        return false;
    return true;
}

/* Previous character's start in s[0..i). */
static size_t prev_char(const unsigned char *s, size_t i)
{
    size_t j = i - 1;
    while (j > 0 && (s[j] & 0xC0) == 0x80 && i - j < 4)
        j--;
    return j;
}

static int windash(vctx_t *v, const ww_sigma_match_t *m, alts_t *out)
{
    /* Positions to vary: (part, offset) pairs matching \B[-/]\b inside one literal. */
    uint32_t pos_part[16], npos = 0;
    uint32_t pos_off[16];
    for (uint32_t i = 0; i < m->nparts; i++) {
        const ww_glob_part_t *q = &m->parts[i];
        if (q->kind != WW_GLOB_LIT)
            continue;
        const unsigned char *s = (const unsigned char *)q->lit;
        for (size_t j = 0; j < q->n; j++) {
            if (s[j] != '-' && s[j] != '/')
                continue;
            bool before_word = j > 0 && is_word_at(s, prev_char(s, j), q->n);
            bool after_word = j + 1 < q->n && is_word_at(s, j + 1, q->n);
            if (before_word || !after_word)
                continue;
            if (npos == 16)
                return ww__sigma_fail(v->c, v->at,
                                      "modifier 'windash': too many dashes in one value");
            pos_part[npos] = i;
            pos_off[npos] = (uint32_t)j;
            npos++;
        }
    }
    uint64_t total = 1;
    for (uint32_t k = 0; k < npos; k++)
        total *= 5;
    if (total > WW_SIGMA_MAX_ALTS)
        return ww__sigma_fail(v->c, v->at,
                              "modifier 'windash': %u dashes would make %llu variants "
                              "(limit %d)",
                              npos, (unsigned long long)total, WW_SIGMA_MAX_ALTS);
    for (uint64_t combo = 0; combo < total; combo++) {
        ww_sigma_match_t *nm = alts_push(v->a, out);
        if (!nm)
            return WW_ENOMEM;
        *nm = *m;
        if (npos == 0)
            continue;
        ww_glob_part_t *p = ww_arena_alloc(v->a, m->nparts * sizeof(*p));
        if (!p)
            return WW_ENOMEM;
        memcpy(p, m->parts, m->nparts * sizeof(*p));
        uint64_t digits = combo;
        /* The first position is the most significant digit, like itertools.product. */
        uint32_t choice[16];
        for (uint32_t k = npos; k-- > 0;) {
            choice[k] = (uint32_t)(digits % 5);
            digits /= 5;
        }
        uint32_t k = 0;
        for (uint32_t i = 0; i < m->nparts && k < npos; i++) {
            if (pos_part[k] != i)
                continue;
            const ww_glob_part_t *q = &m->parts[i];
            char *o = ww_arena_alloc(v->a, (size_t)q->n * 3 + 1);
            if (!o)
                return WW_ENOMEM;
            size_t ol = 0;
            for (size_t j = 0; j < q->n; j++) {
                if (k < npos && pos_part[k] == i && pos_off[k] == j) {
                    const char *d = dashes[choice[k]];
                    size_t dl = strlen(d);
                    memcpy(o + ol, d, dl);
                    ol += dl;
                    k++;
                } else {
                    o[ol++] = q->lit[j];
                }
            }
            p[i].lit = o;
            p[i].n = (uint32_t)ol;
        }
        nm->parts = p;
    }
    return 0;
}

/* ---- placeholders ----------------------------------------------------------------- */

static const ww_sigma_placeholder_t *ph_find(const ww_sigma_ruleset_t *rs, const char *name)
{
    for (uint32_t i = 0; i < rs->nph; i++)
        if (strcmp(rs->ph[i].name, name) == 0)
            return &rs->ph[i];
    return NULL;
}

/* Replaces the first placeholder part of m by each value of its placeholder (values
 * parsed as Sigma strings), recursing for the next one. */
static int expand_one(vctx_t *v, const ww_sigma_match_t *m, alts_t *out)
{
    uint32_t i;
    for (i = 0; i < m->nparts; i++)
        if (m->parts[i].kind == GLOB_PH)
            break;
    if (i == m->nparts) {
        if (out->n >= WW_SIGMA_MAX_ALTS)
            return ww__sigma_fail(v->c, v->at, "placeholder expansion exceeds %d values",
                                  WW_SIGMA_MAX_ALTS);
        ww_sigma_match_t *nm = alts_push(v->a, out);
        if (!nm)
            return WW_ENOMEM;
        *nm = *m;
        return 0;
    }
    const ww_sigma_placeholder_t *ph = ph_find(v->c->rs, m->parts[i].lit);
    /* A failure from here on (no values, too many, a value the modifiers cannot use)
       is this placeholder's: the rule waits for a site value. */
    snprintf(v->c->cur_ph, sizeof v->c->cur_ph, "%s", m->parts[i].lit);
    if (!ph || ph->nvals == 0)
        return ww__sigma_fail(v->c, v->at,
                              "placeholder %%%s%% has no values: define it in the "
                              "placeholders file",
                              m->parts[i].lit);
    for (uint32_t k = 0; k < ph->nvals; k++) {
        ww_glob_part_t *vp;
        uint32_t nvp;
        int rc = glob_parse(v->a, ph->vals[k], strlen(ph->vals[k]), false, &vp, &nvp);
        if (rc < 0)
            return rc;
        ww_sigma_match_t t = *m;
        t.parts = ww_arena_alloc(v->a, (m->nparts + nvp) * sizeof(*t.parts));
        if (!t.parts)
            return WW_ENOMEM;
        uint32_t np = 0;
        for (uint32_t j = 0; j < i; j++)
            t.parts[np++] = m->parts[j];
        for (uint32_t j = 0; j < nvp; j++)
            t.parts[np++] = vp[j];
        for (uint32_t j = i + 1; j < m->nparts; j++)
            t.parts[np++] = m->parts[j];
        t.nparts = np;
        if ((rc = merge_lits(v->a, &t)) < 0)
            return rc;
        if ((rc = expand_one(v, &t, out)) < 0)
            return rc;
    }
    return 0;
}

/* ---- cidr ------------------------------------------------------------------------- */

static int parse_cidr(vctx_t *v, const char *s, ww_sigma_match_t *m)
{
    char buf[128];
    size_t n = strlen(s);
    if (n >= sizeof(buf))
        return ww__sigma_fail(v->c, v->at, "cidr: '%.60s...' is not a network", s);
    memcpy(buf, s, n + 1);
    char *slash = strchr(buf, '/');
    long prefix = -1;
    if (slash) {
        *slash = 0;
        int64_t pv;
        if (ww_parse_i64(slash + 1, strlen(slash + 1), &pv) < 0 || pv < 0 || pv > 128 ||
            slash[1] == '+' || slash[1] == '-')
            return ww__sigma_fail(v->c, v->at, "cidr: bad prefix length in '%s'", s);
        prefix = (long)pv;
    }
    memset(m, 0, sizeof(*m));
    m->kind = WW_MATCH_CIDR;
    if (inet_pton(AF_INET, buf, m->cidr_addr) == 1) {
        m->cidr_family = 4;
        if (prefix < 0)
            prefix = 32;
        if (prefix > 32)
            return ww__sigma_fail(v->c, v->at, "cidr: prefix /%ld too long for IPv4 in '%s'",
                                  prefix, s);
    } else if (inet_pton(AF_INET6, buf, m->cidr_addr) == 1) {
        m->cidr_family = 6;
        if (prefix < 0)
            prefix = 128;
    } else {
        return ww__sigma_fail(v->c, v->at, "cidr: '%s' is not an IPv4 or IPv6 network", s);
    }
    m->cidr_prefix = (uint8_t)prefix;
    int bytes = m->cidr_family == 4 ? 4 : 16;
    for (int b = 0; b < bytes; b++) {
        int bitstart = b * 8;
        uint8_t mask;
        if (bitstart + 8 <= prefix)
            mask = 0xFF;
        else if (bitstart >= prefix)
            mask = 0;
        else
            mask = (uint8_t)(0xFF << (8 - (prefix - bitstart)));
        if (m->cidr_addr[b] & (uint8_t)~mask)
            return ww__sigma_fail(v->c, v->at,
                                  "cidr: '%s' has host bits set (the network address for "
                                  "/%ld has them zero)",
                                  s, prefix);
    }
    return 0;
}

/* ---- regex ------------------------------------------------------------------------ */

static int check_re(vctx_t *v, const ww_sigma_match_t *m)
{
    int err;
    PCRE2_SIZE off;
    uint32_t opt = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
    if (m->re_flags & WW_RE_ICASE)
        opt |= PCRE2_CASELESS;
    if (m->re_flags & WW_RE_MULTILINE)
        opt |= PCRE2_MULTILINE;
    if (m->re_flags & WW_RE_DOTALL)
        opt |= PCRE2_DOTALL;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)m->re, PCRE2_ZERO_TERMINATED, opt, &err, &off, NULL);
    if (!re) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(err, msg, sizeof(msg));
        return ww__sigma_fail(v->c, v->at, "invalid regular expression at offset %zu: %s",
                              (size_t)off, (const char *)msg);
    }
    pcre2_code_free(re);
    return 0;
}

/* ---- modifiers -------------------------------------------------------------------- */

/* Applies one modifier to one alternative, appending the results to out. */
static int apply(vctx_t *v, int mod, ww_sigma_match_t *m, alts_t *out)
{
    int rc = 0;
    ww_sigma_match_t t = *m;
    switch (mod) {
    case M_CONTAINS:
    case M_STARTSWITH:
    case M_ENDSWITH: {
        bool front = mod != M_STARTSWITH, back = mod != M_ENDSWITH;
        if (t.kind == WW_MATCH_RE) {
            size_t n = strlen(t.re);
            bool addf = front && !(t.re[0] == '^' || (n >= 2 && memcmp(t.re, ".*", 2) == 0));
            bool addb = back && !((n >= 1 && t.re[n - 1] == '$') ||
                                  (n >= 2 && memcmp(t.re + n - 2, ".*", 2) == 0));
            char *r = ww_arena_alloc(v->a, n + 5);
            if (!r)
                return WW_ENOMEM;
            size_t k = 0;
            if (addf) {
                memcpy(r, ".*", 2);
                k = 2;
            }
            memcpy(r + k, t.re, n);
            k += n;
            if (addb) {
                memcpy(r + k, ".*", 2);
                k += 2;
            }
            r[k] = 0;
            t.re = r;
        } else if (t.kind == WW_MATCH_FIELDREF) {
            if (mod == M_CONTAINS)
                t.ref_mode = WW_REF_CONTAINS;
            else if (mod == M_STARTSWITH)
                t.ref_mode = t.ref_mode == WW_REF_ENDS || t.ref_mode == WW_REF_CONTAINS
                                 ? WW_REF_CONTAINS
                                 : WW_REF_STARTS;
            else
                t.ref_mode = t.ref_mode == WW_REF_STARTS || t.ref_mode == WW_REF_CONTAINS
                                 ? WW_REF_CONTAINS
                                 : WW_REF_ENDS;
        } else {
            if ((rc = to_string(v, &t)) < 0)
                return rc;
            if ((rc = wrap_star(v->a, &t, front, back)) < 0)
                return rc;
        }
        break;
    }
    case M_CASED:
        if (t.kind == WW_MATCH_NUM || t.kind == WW_MATCH_BOOL)
            if ((rc = to_string(v, &t)) < 0)
                return rc;
        if (t.kind != WW_MATCH_STR && t.kind != WW_MATCH_FIELDREF)
            return ww__sigma_fail(v->c, v->at, "modifier 'cased' needs a string value");
        t.cased = true;
        break;
    case M_WINDASH:
        if ((rc = to_string(v, &t)) < 0)
            return rc;
        return windash(v, &t, out);
    case M_BASE64:
    case M_BASE64OFFSET: {
        if ((rc = to_string(v, &t)) < 0)
            return rc;
        if (has_wild(&t))
            return ww__sigma_fail(v->c, v->at,
                                  "modifier '%s' cannot encode wildcards (escape * and ? "
                                  "as \\* and \\?)",
                                  v->modname);
        size_t n, el;
        char *plain = plain_text(v->a, &t, &n);
        if (!plain)
            return WW_ENOMEM;
        if (mod == M_BASE64) {
            char *e = b64(v->a, (const unsigned char *)plain, n, &el);
            if (!e || (rc = set_lit(v->a, &t, e, el)) < 0)
                return rc < 0 ? rc : WW_ENOMEM;
            break;
        }
        static const int start[3] = {0, 2, 3};
        static const int end[3] = {0, -3, -2};
        unsigned char *buf = ww_arena_alloc(v->a, n + 3);
        if (!buf)
            return WW_ENOMEM;
        for (int i = 0; i < 3; i++) {
            memset(buf, ' ', (size_t)i);
            memcpy(buf + i, plain, n);
            char *e = b64(v->a, buf, n + (size_t)i, &el);
            if (!e)
                return WW_ENOMEM;
            long s0 = start[i];
            long e0 = end[(n + (size_t)i) % 3];
            long len = (long)el;
            long ee = e0 == 0 ? len : len + e0;
            if (ee < 0)
                ee = 0;
            if (s0 > len)
                s0 = len;
            if (ee < s0)
                ee = s0;
            ww_sigma_match_t *nm = alts_push(v->a, out);
            if (!nm)
                return WW_ENOMEM;
            *nm = t;
            if ((rc = set_lit(v->a, nm, e + s0, (size_t)(ee - s0))) < 0)
                return rc;
        }
        return 0;
    }
    case M_WIDE:
    case M_UTF16LE:
    case M_UTF16BE:
    case M_UTF16:
        if ((rc = to_string(v, &t)) < 0)
            return rc;
        for (uint32_t i = 0; i < t.nparts; i++)
            if (t.parts[i].kind == GLOB_PH)
                return ww__sigma_fail(v->c, v->at, "modifier '%s' must come after 'expand'",
                                      v->modname);
        if ((rc = utf16_encode(v, &t, mod)) < 0)
            return rc;
        break;
    case M_RE_I:
    case M_RE_M:
    case M_RE_S:
        if (t.kind != WW_MATCH_RE)
            return ww__sigma_fail(v->c, v->at, "modifier '%s' only applies after 're'", v->modname);
        t.re_flags |= mod == M_RE_I ? WW_RE_ICASE : mod == M_RE_M ? WW_RE_MULTILINE : WW_RE_DOTALL;
        break;
    case M_GT:
    case M_GTE:
    case M_LT:
    case M_LTE:
        if (t.kind != WW_MATCH_NUM && t.kind != WW_MATCH_TIME)
            return ww__sigma_fail(v->c, v->at, "modifier '%s' needs a number (unquoted)",
                                  v->modname);
        t.cmp = mod == M_GT    ? WW_CMP_GT
                : mod == M_GTE ? WW_CMP_GTE
                : mod == M_LT  ? WW_CMP_LT
                               : WW_CMP_LTE;
        break;
    case M_MINUTE:
    case M_HOUR:
    case M_DAY:
    case M_WEEK:
    case M_MONTH:
    case M_YEAR:
        if (t.kind != WW_MATCH_NUM)
            return ww__sigma_fail(v->c, v->at, "modifier '%s' needs a number (unquoted)",
                                  v->modname);
        t.kind = WW_MATCH_TIME;
        t.timepart = (uint8_t)(mod - M_MINUTE + WW_TP_MINUTE);
        break;
    case M_EXPAND:
        if (t.kind != WW_MATCH_STR)
            return ww__sigma_fail(v->c, v->at, "modifier 'expand' needs a string value");
        return expand_one(v, &t, out);
    case M_FIELDREF: {
        if ((rc = to_string(v, &t)) < 0)
            return rc;
        if (has_wild(&t))
            return ww__sigma_fail(v->c, v->at,
                                  "modifier 'fieldref' takes a field name, not a pattern");
        size_t n;
        char *name = plain_text(v->a, &t, &n);
        if (!name)
            return WW_ENOMEM;
        if (n == 0)
            return ww__sigma_fail(v->c, v->at, "modifier 'fieldref' needs a field name");
        memset(&t, 0, sizeof(t));
        t.kind = WW_MATCH_FIELDREF;
        t.ref = name;
        t.ref_mode = WW_REF_EQ;
        break;
    }
    default: break;
    }
    ww_sigma_match_t *nm = alts_push(v->a, out);
    if (!nm)
        return WW_ENOMEM;
    *nm = t;
    return 0;
}

static int lookup_mod(const char *s, size_t n)
{
    for (size_t i = 0; i < WW_ARRAY_LEN(mod_names); i++)
        if (strlen(mod_names[i].name) == n && memcmp(mod_names[i].name, s, n) == 0)
            return mod_names[i].mod;
    return -1;
}

/* The initial typed value of one YAML scalar, before modifiers. */
static int initial(vctx_t *v, const ww_yn_t *y, int first_mod, bool expand, ww_sigma_match_t *m)
{
    double num = 0;
    bool b = false;
    int ys = ww_yn_resolve(y, &num, &b);
    memset(m, 0, sizeof(*m));
    if (first_mod == M_RE || first_mod == M_CIDR) {
        if (ys == WW_YS_NULL)
            return ww__sigma_fail(v->c, y, "modifier '%s' needs a value, not null",
                                  first_mod == M_RE ? "re" : "cidr");
        if (first_mod == M_CIDR)
            return parse_cidr(v, y->s, m);
        if (strlen(y->s) != y->n)
            return ww__sigma_fail(v->c, y, "regular expression contains a NUL byte");
        m->kind = WW_MATCH_RE;
        m->re = ww_arena_strndup(v->a, y->s, y->n);
        return m->re ? 0 : WW_ENOMEM;
    }
    switch (ys) {
    case WW_YS_NULL: m->kind = WW_MATCH_NULL; return 0;
    case WW_YS_BOOL:
        m->kind = WW_MATCH_BOOL;
        m->b = b;
        return 0;
    case WW_YS_INT:
    case WW_YS_FLOAT:
        m->kind = WW_MATCH_NUM;
        m->cmp = WW_CMP_EQ;
        m->num = num;
        m->numtext = ww_arena_strndup(v->a, y->s, y->n);
        return m->numtext ? 0 : WW_ENOMEM;
    default:
        m->kind = WW_MATCH_STR;
        return glob_parse(v->a, y->s, y->n, expand, &m->parts, &m->nparts);
    }
}

/* `expand` combined with `cidr` (either order): the placeholder's values are
 * networks, e.g. `DestinationIp|expand|cidr: '%MedicalDeviceNetworks%'`.  pySigma
 * refuses the pair (cidr must come first and then sees '%...%'); sites want it, so
 * the value is expanded first and each resulting text is parsed as a network. */
static int expand_cidr(vctx_t *v, const ww_yn_t *y, alts_t *out)
{
    ww_sigma_match_t m;
    int rc;
    if ((rc = initial(v, y, -1, true, &m)) < 0)
        return rc;
    if (m.kind != WW_MATCH_STR)
        return ww__sigma_fail(v->c, y, "modifier 'cidr' needs a network, not %s",
                              m.kind == WW_MATCH_NULL ? "null" : "a number or boolean");
    alts_t nets = {0};
    v->at = y;
    if ((rc = expand_one(v, &m, &nets)) < 0)
        return rc;
    for (uint32_t i = 0; i < nets.n; i++) {
        size_t n;
        if (has_wild(&nets.m[i]))
            return ww__sigma_fail(v->c, y, "cidr: a network cannot contain wildcards");
        char *text = plain_text(v->a, &nets.m[i], &n);
        if (!text)
            return WW_ENOMEM;
        ww_sigma_match_t *nm = alts_push(v->a, out);
        if (!nm)
            return WW_ENOMEM;
        if ((rc = parse_cidr(v, text, nm)) < 0)
            return rc;
    }
    return 0;
}

static const char *mod_name_of(int mod)
{
    for (size_t i = 0; i < WW_ARRAY_LEN(mod_names); i++)
        if (mod_names[i].mod == mod)
            return mod_names[i].name;
    return "?";
}

static int item(ww_sigma_ctx_t *c, const ww_yn_t *key, const ww_yn_t *val, ww_sigma_item_t **out);

int ww__sigma_item(ww_sigma_ctx_t *c, const ww_yn_t *key, const ww_yn_t *val, ww_sigma_item_t **out)
{
    int rc = item(c, key, val, out);
    /* A later failure of the rule (its condition, another item) is no placeholder's. */
    c->cur_ph[0] = 0;
    return rc;
}

static int item(ww_sigma_ctx_t *c, const ww_yn_t *key, const ww_yn_t *val, ww_sigma_item_t **out)
{
    ww_arena_t *a = c->a;
    vctx_t v = {c, a, key ? key : val, NULL};
    int mods[MAX_MODS];
    int nmods = 0;
    int rc;
    const char *field = NULL;
    size_t fieldlen = 0;

    if (++c->nitems > WW_SIGMA_MAX_ITEMS)
        return ww__sigma_fail(c, key ? key : val, "rule has more than %d items",
                              WW_SIGMA_MAX_ITEMS);
    if (key) {
        if (key->type != WW_YN_SCALAR)
            return ww__sigma_fail(c, key, "field name must be a string");
        const char *k = key->s;
        const char *bar = memchr(k, '|', key->n);
        field = k;
        fieldlen = bar ? (size_t)(bar - k) : key->n;
        while (bar) {
            const char *ms = bar + 1;
            const char *me = memchr(ms, '|', key->n - (size_t)(ms - k));
            size_t ml = me ? (size_t)(me - ms) : key->n - (size_t)(ms - k);
            if (ml == 0)
                return ww__sigma_fail(c, key, "empty modifier in '%s'", k);
            int mod = lookup_mod(ms, ml);
            if (mod < 0)
                return ww__sigma_fail(c, key, "unknown modifier '%.*s'", (int)ml, ms);
            if (nmods == MAX_MODS)
                return ww__sigma_fail(c, key, "too many modifiers");
            mods[nmods++] = mod;
            bar = me;
        }
    }
    bool keyword = !key || fieldlen == 0;
    ww_sigma_item_t *it = ww_arena_calloc(a, sizeof(*it));
    if (!it)
        return WW_ENOMEM;
    it->line = (key ? key : val)->line;
    it->col = (key ? key : val)->col;
    if (!keyword) {
        it->field = ww_arena_strndup(a, field, fieldlen);
        if (!it->field)
            return WW_ENOMEM;
    }

    /* Ordering constraints, checked up front so the message names the rule. */
    bool expand = false, cidr = false;
    for (int i = 0; i < nmods; i++) {
        int mname = mods[i];
        if ((mname == M_RE || mname == M_CIDR) && i != 0 &&
            !(mname == M_CIDR && nmods == 2 && mods[0] == M_EXPAND))
            return ww__sigma_fail(c, key, "modifier '%s' must be the first modifier",
                                  mod_name_of(mname));
        if (mname == M_EXISTS && nmods != 1)
            return ww__sigma_fail(c, key, "modifier 'exists' must be the only modifier");
        if (mname == M_EXPAND)
            expand = true;
        if (mname == M_CIDR)
            cidr = true;
        if (mname == M_ALL)
            it->all = true;
        if (mname == M_NEQ)
            it->negate = true;
        if ((mname == M_RE_I || mname == M_RE_M || mname == M_RE_S) &&
            (nmods == 0 || mods[0] != M_RE))
            return ww__sigma_fail(c, key, "modifier '%s' only applies after 're'",
                                  mod_name_of(mname));
    }
    if (nmods == 1 && mods[0] == M_EXISTS) {
        if (keyword)
            return ww__sigma_fail(c, key ? key : val, "modifier 'exists' needs a field name");
        double num;
        bool b;
        if (val->type != WW_YN_SCALAR || ww_yn_resolve(val, &num, &b) != WW_YS_BOOL)
            return ww__sigma_fail(c, val, "modifier 'exists' needs true or false");
        it->vals = ww_arena_calloc(a, sizeof(*it->vals));
        if (!it->vals || !(it->vals->alts = ww_arena_calloc(a, sizeof(ww_sigma_match_t))))
            return WW_ENOMEM;
        it->nvals = 1;
        it->vals->nalts = 1;
        it->vals->alts->kind = WW_MATCH_EXISTS;
        it->vals->alts->b = b;
        *out = it;
        return 0;
    }

    /* The list of YAML values. */
    const ww_yn_t *one = val;
    ww_yn_t *const *list = NULL;
    uint32_t nlist = 1;
    if (val->type == WW_YN_SEQ) {
        list = val->kids;
        nlist = val->nkids;
    } else if (val->type == WW_YN_MAP) {
        return ww__sigma_fail(c, val, "value of '%s' must be a string, number or list, not a map",
                              key ? key->s : "keyword");
    }
    if (nlist == 0) {
        /* pySigma: an empty list means null. */
        if (nmods > 0 && !(nmods == 1 && (mods[0] == M_ALL || mods[0] == M_NEQ)))
            return ww__sigma_fail(c, val, "an empty list cannot take modifiers");
        it->vals = ww_arena_calloc(a, sizeof(*it->vals));
        if (!it->vals || !(it->vals->alts = ww_arena_calloc(a, sizeof(ww_sigma_match_t))))
            return WW_ENOMEM;
        it->nvals = 1;
        it->vals->nalts = 1;
        it->vals->alts->kind = keyword ? WW_MATCH_STR : WW_MATCH_NULL;
        if (keyword)
            return ww__sigma_fail(c, val, "empty keyword list");
        *out = it;
        return 0;
    }
    it->vals = ww_arena_calloc(a, nlist * sizeof(*it->vals));
    if (!it->vals)
        return WW_ENOMEM;
    it->nvals = nlist;
    for (uint32_t i = 0; i < nlist; i++) {
        const ww_yn_t *y = list ? list[i] : one;
        v.at = y;
        c->cur_ph[0] = 0; /* set again if this value expands a placeholder */
        if (y->type != WW_YN_SCALAR)
            return ww__sigma_fail(c, y, "values must be scalars, not nested lists or maps");
        alts_t cur = {0};
        if (expand && cidr) {
            if (nmods != 2)
                return ww__sigma_fail(c, key, "'expand' with 'cidr' takes no other modifier");
            if ((rc = expand_cidr(&v, y, &cur)) < 0)
                return rc;
            it->vals[i].alts = cur.m;
            it->vals[i].nalts = cur.n;
            continue;
        }
        ww_sigma_match_t *m0 = alts_push(a, &cur);
        if (!m0)
            return WW_ENOMEM;
        if ((rc = initial(&v, y, nmods ? mods[0] : -1, expand, m0)) < 0)
            return rc;
        if (keyword && (m0->kind == WW_MATCH_NUM || m0->kind == WW_MATCH_BOOL)) {
            v.modname = "keyword";
            if ((rc = to_string(&v, m0)) < 0)
                return rc;
        }
        for (int k = 0; k < nmods; k++) {
            int mod = mods[k];
            if (mod == M_ALL || mod == M_NEQ || mod == M_RE || mod == M_CIDR)
                continue;
            v.modname = mod_name_of(mod);
            alts_t next = {0};
            for (uint32_t j = 0; j < cur.n; j++) {
                ww_sigma_match_t *m = &cur.m[j];
                if (m->kind == WW_MATCH_NULL)
                    return ww__sigma_fail(c, y, "modifier '%s' cannot apply to null", v.modname);
                if (m->kind == WW_MATCH_CIDR)
                    return ww__sigma_fail(c, y, "modifier '%s' cannot follow 'cidr'", v.modname);
                if (m->kind == WW_MATCH_RE && mod != M_CONTAINS && mod != M_STARTSWITH &&
                    mod != M_ENDSWITH && mod != M_RE_I && mod != M_RE_M && mod != M_RE_S)
                    return ww__sigma_fail(c, y,
                                          "modifier '%s' cannot apply to a regular "
                                          "expression",
                                          v.modname);
                if ((rc = apply(&v, mod, m, &next)) < 0)
                    return rc;
                if (next.n > WW_SIGMA_MAX_ALTS)
                    return ww__sigma_fail(c, y, "value expands to more than %d alternatives",
                                          WW_SIGMA_MAX_ALTS);
            }
            cur = next;
        }
        for (uint32_t j = 0; j < cur.n; j++) {
            ww_sigma_match_t *m = &cur.m[j];
            if (m->kind == WW_MATCH_RE && (rc = check_re(&v, m)) < 0)
                return rc;
            if (m->kind == WW_MATCH_STR)
                for (uint32_t q = 0; q < m->nparts; q++)
                    if (m->parts[q].kind == GLOB_PH)
                        return ww__sigma_fail(c, y, "internal: unexpanded placeholder");
            if (keyword) {
                if (m->kind != WW_MATCH_STR && m->kind != WW_MATCH_RE)
                    return ww__sigma_fail(c, y, "keyword values must be strings");
                if (m->kind == WW_MATCH_STR && (rc = wrap_star(a, m, true, true)) < 0)
                    return rc;
            }
        }
        it->vals[i].alts = cur.m;
        it->vals[i].nalts = cur.n;
    }
    *out = it;
    return 0;
}
