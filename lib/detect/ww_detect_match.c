/* Compiled matchers: each Sigma matcher is turned once into the cheapest form that is
 * exactly equivalent (exact / prefix / suffix / contains / general glob on lowered
 * text, a JIT-compiled PCRE2 pattern, parsed CIDR, numbers, booleans, time parts), and
 * evaluated here against one occurrence of a field. */
#include "detect/ww_detect_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

static char *lower_dup(ww_arena_t *a, const char *p, size_t n, bool cased)
{
    char *s = ww_arena_alloc(a, n + 1);
    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++)
        s[i] = cased ? p[i] : (char)ww_lower((unsigned char)p[i]);
    s[n] = 0;
    return s;
}

static int compile_str(ww_detect_t *d, const ww_sigma_match_t *m, bool keyword, ww__dmatch_t *out)
{
    ww_glob_part_t parts_kw[64];
    const ww_glob_part_t *p = m->parts;
    uint32_t np = m->nparts;

    /* Keywords are substring searches: wrap in `*...*` unless already there. */
    if (keyword) {
        if (np + 2 > WW_ARRAY_LEN(parts_kw))
            goto general;
        uint32_t k = 0;
        if (!np || p[0].kind != WW_GLOB_STAR)
            parts_kw[k++] = (ww_glob_part_t){WW_GLOB_STAR, 0, NULL};
        for (uint32_t i = 0; i < np; i++)
            parts_kw[k++] = p[i];
        if (!np || p[np - 1].kind != WW_GLOB_STAR || k == 1)
            parts_kw[k++] = (ww_glob_part_t){WW_GLOB_STAR, 0, NULL};
        p = parts_kw;
        np = k;
    }
general:;
    /* Collapse runs of `*` so the shapes below are recognised. */
    ww_glob_part_t *q = ww_arena_alloc(&d->arena, sizeof *q * (np ? np : 1));
    if (!q)
        return WW_ENOMEM;
    uint32_t nq = 0;
    for (uint32_t i = 0; i < np; i++) {
        if (p[i].kind == WW_GLOB_STAR && nq && q[nq - 1].kind == WW_GLOB_STAR)
            continue;
        if (p[i].kind == WW_GLOB_LIT && p[i].n == 0)
            continue;
        q[nq] = p[i];
        if (p[i].kind == WW_GLOB_LIT) {
            /* Adjacent literals merge (can happen after escapes). */
            if (nq && q[nq - 1].kind == WW_GLOB_LIT) {
                char *s = ww_arena_alloc(&d->arena, q[nq - 1].n + p[i].n + 1);
                if (!s)
                    return WW_ENOMEM;
                memcpy(s, q[nq - 1].lit, q[nq - 1].n);
                memcpy(s + q[nq - 1].n, p[i].lit, p[i].n);
                q[nq - 1].n += p[i].n;
                q[nq - 1].lit = s;
                continue;
            }
        }
        nq++;
    }
    for (uint32_t i = 0; i < nq; i++)
        if (q[i].kind == WW_GLOB_LIT &&
            !(q[i].lit = lower_dup(&d->arena, q[i].lit, q[i].n, m->cased)))
            return WW_ENOMEM;
    out->cased = m->cased;
#define K(i, k) (q[i].kind == (k))
    if (nq == 0) {
        out->kind = DM_EXACT;
        out->lit = "";
        out->n = 0;
    } else if (nq == 1 && K(0, WW_GLOB_LIT)) {
        out->kind = DM_EXACT;
        out->lit = q[0].lit;
        out->n = q[0].n;
    } else if (nq == 1 && K(0, WW_GLOB_STAR)) {
        out->kind = DM_ANY;
    } else if (nq == 2 && K(0, WW_GLOB_LIT) && K(1, WW_GLOB_STAR)) {
        out->kind = DM_PREFIX;
        out->lit = q[0].lit;
        out->n = q[0].n;
    } else if (nq == 2 && K(0, WW_GLOB_STAR) && K(1, WW_GLOB_LIT)) {
        out->kind = DM_SUFFIX;
        out->lit = q[1].lit;
        out->n = q[1].n;
    } else if (nq == 3 && K(0, WW_GLOB_STAR) && K(1, WW_GLOB_LIT) && K(2, WW_GLOB_STAR)) {
        out->kind = DM_CONTAINS;
        out->lit = q[1].lit;
        out->n = q[1].n;
    } else {
        out->kind = DM_GLOB;
        out->parts = q;
        out->nparts = nq;
    }
#undef K
    return 0;
}

int ww__dmatch_compile(ww_detect_t *d, const ww_sigma_match_t *m, bool keyword, ww__dmatch_t *out,
                       char *msg, size_t msglen)
{
    memset(out, 0, sizeof *out);
    out->src = m;
    out->gram = UINT32_MAX;
    out->keyword = keyword;
    switch (m->kind) {
    case WW_MATCH_STR: return compile_str(d, m, keyword, out);
    case WW_MATCH_RE: {
        uint32_t opts = 0;
        int err;
        PCRE2_SIZE off;
        if (m->re_flags & WW_RE_ICASE)
            opts |= PCRE2_CASELESS;
        if (m->re_flags & WW_RE_MULTILINE)
            opts |= PCRE2_MULTILINE;
        if (m->re_flags & WW_RE_DOTALL)
            opts |= PCRE2_DOTALL;
        out->kind = DM_RE;
        pcre2_code *re = pcre2_compile((PCRE2_SPTR)(m->re ? m->re : ""), PCRE2_ZERO_TERMINATED,
                                       opts, &err, &off, NULL);
        if (!re) {
            char buf[160];
            pcre2_get_error_message(err, (PCRE2_UCHAR *)buf, sizeof buf);
            snprintf(msg, msglen, "regular expression rejected at offset %zu: %s", (size_t)off,
                     buf);
            return WW_EPARSE;
        }
        /* JIT is an optimisation: without it (e.g. unsupported CPU) the interpreter
           gives the same results. */
        (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
        if (d->nres == d->res_cap) {
            uint32_t nc = d->res_cap ? d->res_cap * 2 : 64;
            pcre2_code **nr = realloc(d->res, nc * sizeof *nr);
            if (!nr) {
                pcre2_code_free(re);
                return WW_ENOMEM;
            }
            d->res = nr;
            d->res_cap = nc;
        }
        d->res[d->nres++] = re;
        out->re = re;
        /* The rule being compiled sits at d->rules[d->nrules] until it is complete. */
        out->rule = d->nrules < d->rules_cap ? d->rules[d->nrules].rule : NULL;
        return 0;
    }
    case WW_MATCH_CIDR: out->kind = DM_CIDR; return 0;
    case WW_MATCH_NUM: out->kind = DM_NUM; return 0;
    case WW_MATCH_BOOL: out->kind = DM_BOOL; return 0;
    case WW_MATCH_NULL: out->kind = DM_NULL; return 0;
    case WW_MATCH_EXISTS: out->kind = DM_EXISTS; return 0;
    case WW_MATCH_FIELDREF:
        out->kind = DM_FIELDREF;
        out->cased = m->cased;
        return 0;
    case WW_MATCH_TIME: out->kind = DM_TIME; return 0;
    default: snprintf(msg, msglen, "unknown matcher kind %u", m->kind); return WW_EUNSUP;
    }
}

/* ---- helpers --------------------------------------------------------------------- */

static size_t utf8_len(unsigned char c)
{
    if (c < 0xC0)
        return 1;
    if (c < 0xE0)
        return 2;
    if (c < 0xF0)
        return 3;
    if (c < 0xF8)
        return 4;
    return 1;
}

static size_t char_step(const char *s, size_t pos, size_t n)
{
    size_t k = utf8_len((unsigned char)s[pos]);
    if (k > n - pos)
        k = n - pos;
    /* Only a well-formed sequence counts as one character. */
    for (size_t i = 1; i < k; i++)
        if (((unsigned char)s[pos + i] & 0xC0) != 0x80)
            return 1;
    return k;
}

/* Wildcard match of the whole string: `*` any sequence, `?` one character.  Keeps only
 * the last `*` as a backtrack point, which is enough for patterns of this shape. */
bool ww__glob_match(const ww_glob_part_t *p, uint32_t np, const char *s, size_t n)
{
    uint32_t i = 0, star_i = UINT32_MAX;
    size_t pos = 0, star_pos = 0;
    for (;;) {
        if (i == np) {
            if (pos == n)
                return true;
            goto backtrack;
        }
        switch (p[i].kind) {
        case WW_GLOB_STAR:
            star_i = i++;
            star_pos = pos;
            continue;
        case WW_GLOB_LIT:
            if (n - pos >= p[i].n && memcmp(s + pos, p[i].lit, p[i].n) == 0) {
                pos += p[i].n;
                i++;
                continue;
            }
            goto backtrack;
        default: /* WW_GLOB_ONE */
            if (pos < n) {
                pos += char_step(s, pos, n);
                i++;
                continue;
            }
            goto backtrack;
        }
    backtrack:
        if (star_i == UINT32_MAX || star_pos >= n)
            return false;
        star_pos += char_step(s, star_pos, n);
        pos = star_pos;
        i = star_i + 1;
    }
}

const char *ww__lowered(ww_detect_ctx_t *ctx, const ww__fval_t *v)
{
    if (ctx->lstamp[v->idx] == ctx->gen)
        return ctx->lbuf + ctx->loff[v->idx];
    if (ctx->llen + v->n + 1 > ctx->lcap) {
        size_t nc = ctx->lcap ? ctx->lcap : 4096;
        while (nc < ctx->llen + v->n + 1)
            nc *= 2;
        /* Bounded by the event's size, which its decoder caps. */
        char *nb = realloc(ctx->lbuf, nc);
        if (!nb)
            return NULL;
        ctx->lbuf = nb;
        ctx->lcap = nc;
    }
    char *o = ctx->lbuf + ctx->llen;
    size_t i = 0;
    for (uint64_t x; i + 8 <= v->n; i += 8) {
        memcpy(&x, v->raw + i, 8);
        x = ww__lower8(x);
        memcpy(o + i, &x, 8);
    }
    for (; i < v->n; i++)
        o[i] = (char)ww_lower((unsigned char)v->raw[i]);
    o[v->n] = 0;
    ctx->loff[v->idx] = ctx->llen;
    ctx->lstamp[v->idx] = ctx->gen;
    ctx->llen += v->n + 1;
    return o;
}

/* Case-insensitive comparison without the cache (out of memory fallback). */
static bool ieq_bytes(const char *a, const char *lowered, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ww_lower((unsigned char)a[i]) != (unsigned char)lowered[i])
            return false;
    return true;
}

/* Substring search tuned for short haystacks (most field values): memchr on the
 * needle's first byte, then compare; glibc's memmem pays a table setup per call. */
static bool find(const char *h, size_t hn, const char *nd, size_t nn)
{
    if (nn == 0)
        return true;
    if (hn < nn)
        return false;
    if (hn > 256)
        return memmem(h, hn, nd, nn) != NULL;
    const char *p = h, *last = h + (hn - nn);
    while (p <= last) {
        p = memchr(p, nd[0], (size_t)(last - p) + 1);
        if (!p)
            return false;
        if (memcmp(p + 1, nd + 1, nn - 1) == 0)
            return true;
        p++;
    }
    return false;
}

static bool str_match(ww_detect_ctx_t *ctx, const ww__dmatch_t *m, const ww__fval_t *v)
{
    const char *s = v->raw;
    size_t n = v->n;
    if (v->type == WW_F_NULL)
        return false;
    /* A needle whose gram was not seen in a value of this field (in any value, for
       keywords) cannot be in this one -- once that scope has been scanned. */
    if (m->gram != UINT32_MAX) {
        unsigned bit = WW__ANYBIT;
        bool scanned;
        if (m->keyword) {
            scanned = ctx->any_gen == ctx->gen || ctx->kscan[m->gram] == ctx->gen;
        } else {
            uint32_t fid = ctx->ifid[v->idx];
            scanned = fid != WW__NOFID && ctx->fscan[fid] == ctx->gen;
            bit = fid % WW__ANYBIT;
        }
        if (scanned &&
            (ctx->gstamp[m->gram] != ctx->gen || !(ctx->gmask[m->gram] & ((uint64_t)1 << bit))))
            return false;
    }
    if (!m->cased) {
        const char *l = ww__lowered(ctx, v);
        if (l)
            s = l;
        else if (m->kind == DM_EXACT)
            return n == m->n && ieq_bytes(v->raw, m->lit, n);
        else
            return false; /* out of memory: no match rather than a wrong one */
    }
    switch (m->kind) {
    case DM_EXACT: return n == m->n && memcmp(s, m->lit, n) == 0;
    case DM_PREFIX: return n >= m->n && memcmp(s, m->lit, m->n) == 0;
    case DM_SUFFIX: return n >= m->n && memcmp(s + n - m->n, m->lit, m->n) == 0;
    case DM_CONTAINS: return find(s, n, m->lit, m->n);
    case DM_ANY: return true;
    default: return ww__glob_match(m->parts, m->nparts, s, n);
    }
}

static bool cmp_num(double a, uint8_t cmp, double b)
{
    switch (cmp) {
    case WW_CMP_EQ: return a == b;
    case WW_CMP_NEQ: return a != b;
    case WW_CMP_GT: return a > b;
    case WW_CMP_GTE: return a >= b;
    case WW_CMP_LT: return a < b;
    default: return a <= b;
    }
}

/* Trims ASCII blanks: "  42 " is a number to a reader of logs. */
static ww_str_t trim(const char *p, size_t n)
{
    while (n && (*p == ' ' || *p == '\t'))
        p++, n--;
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    return (ww_str_t){p, n};
}

static bool num_match(const ww_sigma_match_t *m, const ww__fval_t *v)
{
    double x;
    if (v->type == WW_F_INT || v->type == WW_F_FLOAT)
        return cmp_num(v->f->num, m->cmp, m->num);
    if (v->type != WW_F_STR)
        return false;
    ww_str_t t = trim(v->raw, v->n);
    if (t.n && ww_parse_double(t.p, t.n, &x) == 0)
        return cmp_num(x, m->cmp, m->num);
    if (m->cmp == WW_CMP_EQ && m->numtext)
        return ww_str_ieq((ww_str_t){v->raw, v->n}, WW_STRZ(m->numtext));
    return false;
}

/* inet_pton(AF_INET) on p[0..n) read as a C string (it ends at a NUL byte): four
   decimal octets of at most 255, no leading zeros, nothing else.  Inline because
   CIDR items test an address field of most network events, and the library call
   (with its copy to a terminated buffer) was most of their cost. */
static bool ipv4_parse(const char *p, size_t n, uint8_t out[4])
{
    const char *s = p, *e = p + n;
    for (int o = 0; o < 4; o++) {
        if (o) {
            if (s >= e || *s != '.')
                return false;
            s++;
        }
        if (s >= e || *s < '0' || *s > '9')
            return false;
        unsigned v = (unsigned)(*s++ - '0');
        if (v == 0) {
            if (s < e && *s >= '0' && *s <= '9')
                return false; /* a leading zero */
        } else {
            while (s < e && *s >= '0' && *s <= '9') {
                v = v * 10 + (unsigned)(*s++ - '0');
                if (v > 255)
                    return false;
            }
        }
        out[o] = (uint8_t)v;
    }
    return s == e || *s == 0;
}

/* The address a value reads as (family 4 or 6, 0: none), parsed once per value of an
   event however many networks an item lists. */
static int value_addr(ww_detect_ctx_t *ctx, const ww__fval_t *v, uint8_t addr[16])
{
    if (ctx->ipgen == ctx->gen && ctx->ipidx == v->idx) {
        memcpy(addr, ctx->ipaddr, 16);
        return ctx->ipfam;
    }
    char buf[64];
    int fam = 0;
    memset(addr, 0, 16);
    if (v->type == WW_F_STR && v->n != 0 && v->n < sizeof buf) {
        ww_str_t t = trim(v->raw, v->n);
        if (t.n >= 2 && t.p[0] == '[' && t.p[t.n - 1] == ']')
            t.p++, t.n -= 2;
        if (ipv4_parse(t.p, t.n, addr)) {
            fam = 4;
        } else {
            memcpy(buf, t.p, t.n);
            buf[t.n] = 0;
            if (inet_pton(AF_INET6, buf, addr) == 1)
                fam = 6;
        }
    }
    ctx->ipgen = ctx->gen;
    ctx->ipidx = v->idx;
    ctx->ipfam = fam;
    memcpy(ctx->ipaddr, addr, 16);
    return fam;
}

static bool cidr_match(ww_detect_ctx_t *ctx, const ww_sigma_match_t *m, const ww__fval_t *v)
{
    uint8_t addr[16];
    int fam = value_addr(ctx, v, addr);
    if (fam == 0)
        return false;
    if (fam == 6) {
        /* An IPv4-mapped IPv6 address (::ffff:a.b.c.d, common in Windows logs) is
           the IPv4 address for an IPv4 network. */
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (m->cidr_family == 4 && memcmp(addr, mapped, 12) == 0) {
            memmove(addr, addr + 12, 4);
            fam = 4;
        }
    }
    if (fam != m->cidr_family)
        return false;
    unsigned bits = m->cidr_prefix, maxbits = fam == 4 ? 32 : 128;
    if (bits > maxbits)
        return false;
    unsigned full = bits / 8, rem = bits % 8;
    if (memcmp(addr, m->cidr_addr, full) != 0)
        return false;
    if (rem) {
        uint8_t mask = (uint8_t)(0xFF << (8 - rem));
        if ((addr[full] & mask) != (m->cidr_addr[full] & mask))
            return false;
    }
    return true;
}

static bool bool_match(const ww_sigma_match_t *m, const ww__fval_t *v)
{
    ww_str_t s = {v->raw, v->n};
    if (v->type != WW_F_BOOL && v->type != WW_F_STR)
        return false;
    return m->b ? ww_str_ieq(s, WW_STR("true")) : ww_str_ieq(s, WW_STR("false"));
}

/* Civil date from days since 1970-01-01 (proleptic Gregorian; era arithmetic). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *mo, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *mo = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*mo <= 2);
}

static bool time_match(const ww_sigma_match_t *m, const ww__fval_t *v)
{
    int64_t ns, y;
    unsigned mo, dd;
    if (v->type != WW_F_STR || ww_time_parse_iso(v->raw, v->n, &ns) != 0)
        return false;
    int64_t secs = ns / 1000000000;
    if (ns % 1000000000 < 0)
        secs--;
    int64_t days = secs / 86400, sod = secs % 86400;
    if (sod < 0)
        sod += 86400, days--;
    double part;
    switch (m->timepart) {
    case WW_TP_MINUTE: part = (double)(sod / 60 % 60); break;
    case WW_TP_HOUR: part = (double)(sod / 3600); break;
    case WW_TP_DAY:
        civil_from_days(days, &y, &mo, &dd);
        part = dd;
        break;
    case WW_TP_WEEK: {
        /* ISO 8601 week: the week (Monday first) whose Thursday is in the year. */
        int64_t wd = ((days + 3) % 7 + 7) % 7; /* 0 = Monday; 1970-01-01 was Thursday */
        int64_t thu = days - wd + 3;
        civil_from_days(thu, &y, &mo, &dd);
        part = (double)((thu - ww_days_from_civil(y, 1, 1)) / 7 + 1);
        break;
    }
    case WW_TP_MONTH:
        civil_from_days(days, &y, &mo, &dd);
        part = mo;
        break;
    default:
        civil_from_days(days, &y, &mo, &dd);
        part = (double)y;
        break;
    }
    return cmp_num(part, m->cmp, m->num);
}

static bool ref_cmp(const char *a, size_t an, const char *b, size_t bn, uint8_t mode)
{
    switch (mode) {
    case WW_REF_STARTS: return an >= bn && memcmp(a, b, bn) == 0;
    case WW_REF_ENDS: return an >= bn && memcmp(a + an - bn, b, bn) == 0;
    case WW_REF_CONTAINS: return find(a, an, b, bn);
    default: return an == bn && memcmp(a, b, an) == 0;
    }
}

static bool fieldref_match(ww_detect_ctx_t *ctx, const ww__dmatch_t *m, const ww__fval_t *v,
                           uint32_t ref_fid)
{
    const ww_event_t *ev = ctx->ev;
    if (v->type == WW_F_NULL)
        return false;
    const char *a = m->cased ? v->raw : ww__lowered(ctx, v);
    if (!a)
        return false;
    for (uint32_t j = ww__ffirst(ctx, ref_fid); j != UINT32_MAX; j = ctx->fnext[j]) {
        const ww_field_t *rf = &ev->fields[j];
        if (rf->type == WW_F_NULL)
            continue;
        ww__fval_t rv = {rf, rf->value.p, rf->value.n, j, rf->type};
        const char *b = m->cased ? rv.raw : ww__lowered(ctx, &rv);
        if (!b)
            return false;
        /* The lowered buffer may have moved while lowering b. */
        if (!m->cased)
            a = ww__lowered(ctx, v);
        if (ref_cmp(a, v->n, b, rv.n, m->src->ref_mode))
            return true;
    }
    return false;
}

/* A match that ended in an error (match/depth/heap limit, JIT stack, bad UTF...) has no
 * answer: it is treated as no match, counted, and the first rule it happened in kept,
 * so that a hunt can say its results may be incomplete. */
static void regex_error(ww_detect_ctx_t *ctx, const ww__dmatch_t *m, int rc)
{
    if (!ctx->re_errors++) {
        ctx->re_err_rule = m->rule;
        ctx->re_err_code = rc;
    }
}

uint64_t ww_detect_ctx_regex_errors(const ww_detect_ctx_t *ctx)
{
    return ctx ? ctx->re_errors : 0;
}

const ww_sigma_rule_t *ww_detect_ctx_regex_error_rule(const ww_detect_ctx_t *ctx, char *why,
                                                      size_t whylen)
{
    if (why && whylen)
        why[0] = 0;
    if (!ctx || !ctx->re_errors)
        return NULL;
    if (why && whylen) {
        PCRE2_UCHAR buf[160];
        if (pcre2_get_error_message(ctx->re_err_code, buf, sizeof buf) < 0)
            snprintf((char *)buf, sizeof buf, "PCRE2 error %d", ctx->re_err_code);
        snprintf(why, whylen, "%s", (const char *)buf);
    }
    return ctx->re_err_rule;
}

bool ww__dmatch_eval(ww_detect_ctx_t *ctx, const ww__dmatch_t *m, const ww__fval_t *v,
                     uint32_t ref_fid)
{
    switch (m->kind) {
    case DM_EXACT:
    case DM_PREFIX:
    case DM_SUFFIX:
    case DM_CONTAINS:
    case DM_ANY:
    case DM_GLOB: return str_match(ctx, m, v);
    case DM_RE: {
        if (v->type == WW_F_NULL)
            return false;
        int rc = pcre2_match(m->re, (PCRE2_SPTR)v->raw, v->n, 0, 0, ctx->md, ctx->mctx);
        /* rc 0: matched, ovector too small (we ask for no captures). */
        if (rc >= 0)
            return true;
        if (rc != PCRE2_ERROR_NOMATCH && rc != PCRE2_ERROR_PARTIAL)
            regex_error(ctx, m, rc);
        return false;
    }
    case DM_CIDR: return cidr_match(ctx, m->src, v);
    case DM_NUM: return num_match(m->src, v);
    case DM_BOOL: return bool_match(m->src, v);
    case DM_NULL: return v->type == WW_F_NULL;
    case DM_EXISTS: return m->src->b;
    case DM_FIELDREF: return fieldref_match(ctx, m, v, ref_fid);
    case DM_TIME: return time_match(m->src, v);
    default: return false;
    }
}
