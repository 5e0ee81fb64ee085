/* Which assets of the register an NHS cyber alert applies to.  The product is decided
 * the way the audit decides it for end-of-life data (ww_feeds_eol: aliases, then the
 * loaded products' names), so an alert and the audit never disagree on what "FortiOS"
 * or "Windows Server 2012 R2" is; only the version ranges an alert gives are new here,
 * and they are compared segment by segment ("7.4.10" after "7.4.9"). */
#include "cyberalert/ww_cyberalert.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "asset/ww_asset.h"

/* ---- versions --------------------------------------------------------------------- */

/* The next segment of a version: a run of digits or a run of letters; separators
 * ('.', '-', '_', '+', ' ') are skipped.  Returns false at the end. */
static bool next_seg(const char **p, const char **s, size_t *n, bool *num)
{
    const char *q = *p;
    while (*q && !isalnum((unsigned char)*q))
        q++;
    if (!*q)
        return false;
    *s = q;
    *num = isdigit((unsigned char)*q) != 0;
    while (*q && isalnum((unsigned char)*q) && (isdigit((unsigned char)*q) != 0) == *num)
        q++;
    *n = (size_t)(q - *s);
    *p = q;
    return true;
}

static int num_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    while (an > 1 && *a == '0')
        a++, an--;
    while (bn > 1 && *b == '0')
        b++, bn--;
    if (an != bn)
        return an < bn ? -1 : 1;
    return memcmp(a, b, an);
}

/* A segment that, after an otherwise equal version, makes it earlier ("7.4.0-rc1"). */
static bool prerelease(const char *s, size_t n)
{
    static const char *const w[] = {"alpha", "beta", "rc", "pre", "dev", "preview", "a", "b"};
    for (size_t i = 0; i < WW_ARRAY_LEN(w); i++)
        if (strlen(w[i]) == n && !strncasecmp(s, w[i], n))
            return true;
    return false;
}

int ww_ca_version_cmp(const char *a, const char *b)
{
    const char *pa = a ? a : "", *pb = b ? b : "";
    for (;;) {
        const char *sa = NULL, *sb = NULL;
        size_t na = 0, nb = 0;
        bool numa = false, numb = false;
        bool ha = next_seg(&pa, &sa, &na, &numa), hb = next_seg(&pb, &sb, &nb, &numb);
        if (!ha && !hb)
            return 0;
        if (!hb)
            return !numa && prerelease(sa, na) ? -1 : 1;
        if (!ha)
            return !numb && prerelease(sb, nb) ? 1 : -1;
        if (numa != numb)
            return numa ? 1 : -1; /* "1.1.1" + "w" is after "1.1.1", "1.2" after "1.b" */
        int c;
        if (numa)
            c = num_cmp(sa, na, sb, nb);
        else {
            size_t m = na < nb ? na : nb;
            c = strncasecmp(sa, sb, m);
            if (!c && na != nb)
                c = na < nb ? -1 : 1;
        }
        if (c)
            return c < 0 ? -1 : 1;
    }
}

/* Does `v` start with the segments of `line` ("7.4" is the line of "7.4.12")? */
static bool in_line(const char *line, const char *v)
{
    const char *pl = line, *pv = v;
    for (;;) {
        const char *sl, *sv;
        size_t nl, nv;
        bool numl, numv;
        if (!next_seg(&pl, &sl, &nl, &numl))
            return true;
        if (nl == 1 && (*sl == 'x' || *sl == 'X'))
            return true;
        if (!next_seg(&pv, &sv, &nv, &numv) || numl != numv)
            return false;
        if (numl ? num_cmp(sl, nl, sv, nv) != 0 : (nl != nv || strncasecmp(sl, sv, nl) != 0))
            return false;
    }
}

/* ---- ranges ----------------------------------------------------------------------- */

typedef enum { OP_LINE, OP_EQ, OP_LT, OP_LE, OP_GT, OP_GE } op_t;

typedef struct term {
    op_t op;
    char v[WW_CA_MAX_FIELD];
} term_t;

/* A version word: letters, digits and . - _ + with at least one digit, or a line
 * written with a trailing ".x" / ".*". */
static size_t version_len(const char *p)
{
    size_t n = 0;
    bool digit = false;
    while (p[n] && (isalnum((unsigned char)p[n]) || strchr(".-_+*", p[n]))) {
        digit |= isdigit((unsigned char)p[n]) != 0;
        n++;
    }
    return digit ? n : 0;
}

/* Parses range `r` into terms (at most cap).  Returns the number of terms (0 = every
 * version), or WW_EPARSE with the reason and column in diag. */
static int parse_range(const char *r, term_t *t, size_t cap, ww_diag_t *diag)
{
    const char *p = r;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p) {
        ww_diag_set(diag, diag->file, diag->line, 1, "empty version range");
        return WW_EPARSE;
    }
    if (!strcasecmp(p, "*") || !strcasecmp(p, "all") || !strcasecmp(p, "any"))
        return 0;
    size_t k = 0;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (!*p)
            break;
        if (k == cap) {
            ww_diag_set(diag, diag->file, diag->line, (uint32_t)(p - r + 1),
                        "more than %zu conditions in one version range", cap);
            return WW_EPARSE;
        }
        op_t op = OP_LINE;
        if (p[0] == '>' && p[1] == '=')
            op = OP_GE, p += 2;
        else if (p[0] == '<' && p[1] == '=')
            op = OP_LE, p += 2;
        else if (p[0] == '>')
            op = OP_GT, p++;
        else if (p[0] == '<')
            op = OP_LT, p++;
        else if (p[0] == '=' && p[1] == '=')
            op = OP_EQ, p += 2;
        else if (p[0] == '=')
            op = OP_EQ, p++;
        while (*p == ' ' || *p == '\t')
            p++;
        size_t n = version_len(p);
        /* "7.4.0-7.4.2" written without spaces: the '-' before a digit run that itself
           looks like a full version is the range dash, not a pre-release suffix. */
        const char *dash = NULL;
        for (size_t i = 1; i + 1 < n; i++)
            if (p[i] == '-' && isdigit((unsigned char)p[i + 1]) &&
                isdigit((unsigned char)p[i - 1]) && memchr(p, '.', i) &&
                memchr(p + i + 1, '.', n - i - 1)) {
                dash = p + i;
                break;
            }
        if (dash && op == OP_LINE)
            n = (size_t)(dash - p);
        if (n == 0 || n >= sizeof t[k].v) {
            ww_diag_set(diag, diag->file, diag->line, (uint32_t)(p - r + 1),
                        n ? "version too long" : "expected a version (such as 7.4.2)");
            return WW_EPARSE;
        }
        const char *star = memchr(p, '*', n);
        if (star && (op != OP_LINE || star != p + n - 1)) {
            ww_diag_set(diag, diag->file, diag->line, (uint32_t)(star - r + 1),
                        "'*' may only end a release line (7.4.*)");
            return WW_EPARSE;
        }
        memcpy(t[k].v, p, n);
        t[k].v[n] = 0;
        if (star)
            t[k].v[n - 1] = 'x';
        t[k].op = op;
        p += n;
        while (*p == ' ' || *p == '\t')
            p++;
        /* "A - B" / "A to B": an inclusive range. */
        bool to = !strncasecmp(p, "to ", 3);
        if (op == OP_LINE && (*p == '-' || to || dash)) {
            if (dash)
                p = dash;
            p += to ? 3 : 1;
            while (*p == ' ' || *p == '\t')
                p++;
            size_t m = version_len(p);
            if (m == 0 || m >= sizeof t[k].v || k + 2 > cap || memchr(p, '*', m)) {
                ww_diag_set(diag, diag->file, diag->line, (uint32_t)(p - r + 1),
                            "expected the last version of the range (A - B)");
                return WW_EPARSE;
            }
            t[k].op = OP_GE;
            k++;
            memcpy(t[k].v, p, m);
            t[k].v[m] = 0;
            t[k].op = OP_LE;
            p += m;
            if (ww_ca_version_cmp(t[k - 1].v, t[k].v) > 0) {
                ww_diag_set(diag, diag->file, diag->line, (uint32_t)(p - r + 1) - (uint32_t)m,
                            "range ends (%s) before it starts (%s)", t[k].v, t[k - 1].v);
                return WW_EPARSE;
            }
        }
        k++;
        if (*p && *p != ' ' && *p != '\t' && *p != ',') {
            ww_diag_set(diag, diag->file, diag->line, (uint32_t)(p - r + 1),
                        "unexpected '%c' in version range", *p);
            return WW_EPARSE;
        }
    }
    if (k == 0) {
        ww_diag_set(diag, diag->file, diag->line, 1, "empty version range");
        return WW_EPARSE;
    }
    return (int)k;
}

#define MAX_TERMS 8

int ww_ca_range_check(const char *range, ww_diag_t *diag)
{
    term_t t[MAX_TERMS];
    if (strlen(range) >= WW_CA_MAX_FIELD) {
        ww_diag_set(diag, diag->file, diag->line, 1, "version range longer than %d bytes",
                    WW_CA_MAX_FIELD - 1);
        return WW_EPARSE;
    }
    int k = parse_range(range, t, MAX_TERMS, diag);
    return k < 0 ? k : 0;
}

int ww_ca_range_match(const char *range, const char *version)
{
    term_t t[MAX_TERMS];
    ww_diag_t d;
    memset(&d, 0, sizeof d);
    int k = parse_range(range, t, MAX_TERMS, &d);
    if (k < 0)
        return 0;
    for (int i = 0; i < k; i++) {
        int c = ww_ca_version_cmp(version, t[i].v);
        bool ok = false;
        switch (t[i].op) {
        case OP_LINE: ok = in_line(t[i].v, version); break;
        case OP_EQ: ok = c == 0; break;
        case OP_LT: ok = c < 0; break;
        case OP_LE: ok = c <= 0; break;
        case OP_GT: ok = c > 0; break;
        case OP_GE: ok = c >= 0; break;
        }
        if (!ok)
            return 0;
    }
    return 1;
}

/* Does some release of line `line` ("7.4") fall in `range`?  Tried with the range's
 * own versions that belong to the line ("7.4.0 - 7.4.3": 7.4.0 and 7.4.3). */
static bool line_overlaps(const char *range, const char *line)
{
    term_t t[MAX_TERMS];
    ww_diag_t d;
    memset(&d, 0, sizeof d);
    int k = parse_range(range, t, MAX_TERMS, &d);
    for (int i = 0; i < k; i++)
        if (strlen(t[i].v) > strlen(line) && in_line(line, t[i].v) &&
            ww_ca_range_match(range, t[i].v))
            return true;
    return false;
}

/* ---- applicability ---------------------------------------------------------------- */

/* The version word of a register cell ("22.04.4 LTS" -> "22.04.4", "v7.4.3" ->
 * "7.4.3"), written into out; false when it has none. */
static bool version_word(const char *s, char *out, size_t outlen)
{
    const char *p = s ? s : "";
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',' || *p == '(')
            p++;
        const char *w = p;
        if ((*w == 'v' || *w == 'V') && isdigit((unsigned char)w[1]))
            w++;
        size_t n = 0;
        while (w[n] && w[n] != ' ' && w[n] != '\t' && w[n] != ',' && w[n] != ')')
            n++;
        if (n && isdigit((unsigned char)*w) && n < outlen) {
            memcpy(out, w, n);
            out[n] = 0;
            return true;
        }
        p = w + n;
    }
    return false;
}

/* The most precise version of an OS: os_version, unless build or firmware extends it
 * ("7.4" -> firmware "7.4.3"); build or firmware alone when os_version has none. */
static bool os_version_word(const ww_asset_t *x, char *out, size_t outlen)
{
    char base[128] = "", other[128];
    bool have = version_word(x->os_version, base, sizeof base);
    const char *more[] = {x->firmware, x->build};
    for (size_t i = 0; i < WW_ARRAY_LEN(more); i++) {
        if (!version_word(more[i], other, sizeof other))
            continue;
        if (!have) {
            snprintf(base, sizeof base, "%s", other);
            have = true;
        } else if (strlen(other) > strlen(base) && in_line(base, other))
            snprintf(base, sizeof base, "%s", other);
    }
    if (have)
        snprintf(out, outlen, "%s", base);
    return have;
}

typedef struct cand {
    const char *what;    /* "os", "firmware", "software", "device" */
    const char *name;    /* product name as the register writes it */
    const char *version; /* the cell(s) the eol matcher reads */
    char vword[128];     /* the version compared with ranges, "" when none */
} cand_t;

/* Is candidate c the product p names?  1 yes, 0 no.  `why` gets the product's name
 * as the data knows it. */
static int same_product(const ww_feeds_t *f, const ww_ca_product_t *p, const cand_t *c, char *why,
                        size_t whylen)
{
    ww_eol_t ea, eb;
    memset(&ea, 0, sizeof ea);
    ea.status = WW_EOL_UNKNOWN_PRODUCT;
    if (f)
        ww_feeds_eol(f, p->product, "", &ea);
    if (ea.status != WW_EOL_UNKNOWN_PRODUCT) {
        ww_feeds_eol(f, c->name, c->version, &eb);
        if (eb.status == WW_EOL_UNKNOWN_PRODUCT || strcmp(ea.product, eb.product) != 0)
            return 0;
        /* The alert names a release the data knows exactly ("Windows Server 2012 R2"):
           the asset must be that release, as the audit would place it. */
        if (ea.status == WW_EOL_FOUND && !ea.assumed) {
            if (eb.status != WW_EOL_FOUND || strcmp(ea.cycle, eb.cycle) != 0)
                return 0;
            snprintf(why, whylen, "%s %s", ea.product, ea.cycle);
            return 1;
        }
        /* Otherwise every release word the alert gives ("10" of "Windows 10") must be
           in the asset's name or version. */
        if (!ww_feeds_version_words(p->product, c->name, c->version))
            return 0;
        snprintf(why, whylen, "%s", ea.product);
        return 1;
    }
    /* A product the data does not know: its words in the asset's product name. */
    if (!ww_feeds_name_has(c->name, p->product))
        return 0;
    snprintf(why, whylen, "%s", p->product);
    return 1;
}

typedef struct acc {
    ww_arena_t *arena;
    ww_ca_asset_t *v;
    size_t n, cap;
    int err;
} acc_t;

static const char *asset_name(const ww_asset_t *x)
{
    if (x->asset_id && *x->asset_id)
        return x->asset_id;
    if (x->hostname && *x->hostname)
        return x->hostname;
    if (x->nips)
        return x->ips[0];
    return x->mac ? x->mac : "";
}

static int push(acc_t *acc, const ww_asset_t *x, bool possible, const char *basis)
{
    if (acc->n == acc->cap) {
        size_t nc = acc->cap ? acc->cap * 2 : 32;
        ww_ca_asset_t *nv = ww_arena_alloc(acc->arena, nc * sizeof *nv);
        if (!nv)
            return WW_ENOMEM;
        if (acc->n)
            memcpy(nv, acc->v, acc->n * sizeof *nv);
        acc->v = nv;
        acc->cap = nc;
    }
    ww_ca_asset_t *o = &acc->v[acc->n];
    memset(o, 0, sizeof *o);
    o->asset_rowid = x->rowid;
    o->asset = ww_arena_strdup(acc->arena, asset_name(x));
    o->hostname = ww_arena_strdup(acc->arena, x->hostname ? x->hostname : "");
    o->basis = ww_arena_strdup(acc->arena, basis);
    o->possible = possible;
    o->note = o->state_by = "";
    if (!o->asset || !o->hostname || !o->basis)
        return WW_ENOMEM;
    acc->n++;
    return 0;
}

/* Decides one asset: affected (a product in range, or a listed CVE), possible (the
 * product, version not recorded) or neither. */
static int judge(acc_t *acc, const ww_feeds_t *f, const ww_cyberalert_t *a, const ww_asset_t *x)
{
    char basis[768] = "", possible[768] = "";
    /* A missing update the register lists by CVE: the audit's KEV test, by the id. */
    for (size_t i = 0; i < x->nupdates && !*basis; i++)
        for (size_t k = 0; k < a->ncves && !*basis; k++)
            if (x->updates[i].id && !strcasecmp(x->updates[i].id, a->cves[k]))
                snprintf(basis, sizeof basis, "missing update %s recorded in the register",
                         a->cves[k]);
    cand_t c[4 + WW_ASSET_MAX_LIST];
    size_t nc = 0;
    if (x->os && *x->os) {
        c[nc] = (cand_t){"os", x->os, x->os_version ? x->os_version : "", ""};
        os_version_word(x, c[nc].vword, sizeof c[nc].vword);
        nc++;
    }
    if (x->firmware && *x->firmware) {
        c[nc] = (cand_t){"firmware", x->firmware, "", ""};
        version_word(x->firmware, c[nc].vword, sizeof c[nc].vword);
        nc++;
    }
    char device[512] = "";
    if ((x->manufacturer && *x->manufacturer) || (x->model && *x->model)) {
        snprintf(device, sizeof device, "%s %s", x->manufacturer ? x->manufacturer : "",
                 x->model ? x->model : "");
        c[nc] = (cand_t){"device", device, x->firmware ? x->firmware : "", ""};
        version_word(x->firmware, c[nc].vword, sizeof c[nc].vword);
        nc++;
    }
    for (size_t i = 0; i < x->nsoftware && nc < WW_ARRAY_LEN(c); i++) {
        const ww_software_t *s = &x->software[i];
        if (!s->name || !*s->name)
            continue;
        c[nc] = (cand_t){"software", s->name, s->version ? s->version : "", ""};
        version_word(s->version, c[nc].vword, sizeof c[nc].vword);
        nc++;
    }
    for (size_t pi = 0; pi < a->nproducts && !*basis; pi++) {
        const ww_ca_product_t *p = &a->products[pi];
        /* A version-less candidate (a device's model, an OS without version) makes the
           asset "possible" only when no other cell of the same product gives a version:
           "FortiOS 6.4" is out of a 7.4 range even if the model names no version. */
        bool versioned = false;
        char unversioned[768] = "";
        for (size_t i = 0; i < nc && !*basis; i++) {
            char why[256];
            if (!same_product(f, p, &c[i], why, sizeof why))
                continue;
            if (p->nranges == 0) {
                snprintf(basis, sizeof basis, "%s %s%s%s is %s", c[i].what, c[i].name,
                         *c[i].version ? " " : "", c[i].version, why);
                break;
            }
            if (!*c[i].vword) {
                if (!*unversioned)
                    snprintf(unversioned, sizeof unversioned,
                             "%s %s is %s, but no version is recorded to compare with %s",
                             c[i].what, c[i].name, why, p->ranges[0]);
                continue;
            }
            versioned = true;
            for (size_t r = 0; r < p->nranges && !*basis; r++) {
                if (ww_ca_range_match(p->ranges[r], c[i].vword))
                    snprintf(basis, sizeof basis, "%s %s %s is %s in range %s", c[i].what,
                             c[i].name, c[i].vword, why, p->ranges[r]);
                else if (!*possible && line_overlaps(p->ranges[r], c[i].vword))
                    snprintf(possible, sizeof possible,
                             "%s %s %s is %s, recorded only to its release line, which range "
                             "%s covers in part",
                             c[i].what, c[i].name, c[i].vword, why, p->ranges[r]);
            }
        }
        if (!*basis && !versioned && *unversioned && !*possible)
            snprintf(possible, sizeof possible, "%s", unversioned);
    }
    if (*basis)
        return push(acc, x, false, basis);
    if (*possible)
        return push(acc, x, true, possible);
    return 0;
}

typedef struct each_ud {
    acc_t *acc;
    const ww_feeds_t *f;
    const ww_cyberalert_t *a;
} each_ud_t;

static int each_asset(void *ud, const ww_asset_t *x)
{
    each_ud_t *e = ud;
    return judge(e->acc, e->f, e->a, x);
}

int ww_cyberalert_applicable(ww_store_t *st, const ww_feeds_t *f, const ww_cyberalert_t *a,
                             ww_arena_t *arena, ww_ca_asset_t **out, size_t *n, ww_diag_t *diag)
{
    acc_t acc = {.arena = arena};
    each_ud_t e = {&acc, f, a};
    int rc = ww_asset_each(st, each_asset, &e, diag);
    if (rc < 0) {
        if (rc == WW_ENOMEM && !diag->msg[0])
            ww_diag_set(diag, st->path, 0, 0, "out of memory matching the register");
        return rc;
    }
    *out = acc.v;
    *n = acc.n;
    return 0;
}
