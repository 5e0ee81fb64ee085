/* The literal prefilter.  For each route variant we derive, from its condition tree, a
 * set of literals (taken whole from the strings its matchers require) such that the
 * rule can only be true if at least one of them occurs, ignoring ASCII case, in some
 * field value of the event.  All distinct literals go into one caseless Hyperscan
 * literal database shared by every route group; per event the values of every field a
 * rule names are scanned once, joined by NUL bytes (no literal contains NUL, so none
 * can match across two values), stamping the literals seen; a variant none of whose
 * literals was seen is skipped without evaluation, and a string matcher whose own
 * literal was not seen fails without searching.  Because the literal set is a
 * necessary condition derived conservatively (NOT, negated items, keywords, regexes,
 * numbers and absent-field matchers give "no requirement"; case-sensitive needles are
 * found caselessly, a superset), skipping never changes the result:
 * ww_detect_opts_t.no_prefilter evaluates everything for comparison. */
#include "detect/ww_detect_int.h"

#include <limits.h>
#include <stdlib.h>

/* Literals shorter than this give no requirement: they would fire on most events. */
#define MIN_LIT 3
/* Longer literals are no more selective in practice. */
#define MAX_SCORE 48
#define MAX_LIT 256

typedef struct gset {
    bool top;           /* no literal requirement */
    uint32_t *ids;
    uint32_t n, cap;
    int quality;        /* weakest literal's score: higher is more selective */
} gset_t;

/* Rough rarity of a byte in log text: common letters and path punctuation score low. */
static int rarity(unsigned char c)
{
    if (strchr("etaoinsr", c) && c)
        return 1;
    if (strchr("\\./:- _", c) && c)
        return 1;
    if (c >= '0' && c <= '9')
        return 2;
    if (c >= 'a' && c <= 'z')
        return 3;
    return 4;
}

static uint32_t lit_hash(const char *p, size_t n)
{
    return (uint32_t)ww_hash_ci(p, n);
}

static int lit_grow(ww_detect_t *d)
{
    uint32_t nc = d->lcap ? d->lcap * 2 : 1024;
    uint32_t *ns = calloc(nc, sizeof *ns);
    if (!ns)
        return WW_ENOMEM;
    for (uint32_t i = 0; i < d->lcap; i++) {
        if (!d->lslots[i])
            continue;
        uint32_t id = d->lslots[i] - 1;
        uint32_t s = lit_hash(d->lits[id], d->llens[id]) & (nc - 1);
        while (ns[s])
            s = (s + 1) & (nc - 1);
        ns[s] = d->lslots[i];
    }
    free(d->lslots);
    d->lslots = ns;
    d->lcap = nc;
    return 0;
}

/* Interns a needle (already lowered unless `cased`): *id, or UINT32_MAX when it gives
 * no usable literal; *score its selectivity. */
static int lit_id(ww_detect_t *d, const char *lit, uint32_t n, bool cased, uint32_t *id,
                  int *score)
{
    /* Slack beyond MAX_LIT: GCC's vectoriser otherwise warns of a phantom overflow. */
    char tmp[MAX_LIT + 16];
    *id = UINT32_MAX;
    *score = 0;
    if (n < MIN_LIT || memchr(lit, 0, n))
        return 0;
    if (n > MAX_LIT)
        n = MAX_LIT; /* a long needle: its start is a necessary literal too */
    memcpy(tmp, lit, n);
    for (uint32_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)tmp[i];
        if (cased)
            tmp[i] = (char)(c = ww_lower(c));
        if (*score < MAX_SCORE)
            *score += rarity(c);
    }
    if (d->nlits * 2 + 2 > d->lcap && lit_grow(d))
        return WW_ENOMEM;
    uint32_t s = lit_hash(tmp, n) & (d->lcap - 1);
    while (d->lslots[s]) {
        uint32_t k = d->lslots[s] - 1;
        if (d->llens[k] == n && memcmp(d->lits[k], tmp, n) == 0) {
            *id = k;
            return 0;
        }
        s = (s + 1) & (d->lcap - 1);
    }
    if (d->nlits == d->lits_cap) {
        uint32_t nc = d->lits_cap ? d->lits_cap * 2 : 1024;
        char **nl = realloc(d->lits, nc * sizeof *nl);
        if (!nl)
            return WW_ENOMEM;
        d->lits = nl;
        size_t *nn = realloc(d->llens, nc * sizeof *nn);
        if (!nn)
            return WW_ENOMEM;
        d->llens = nn;
        d->lits_cap = nc;
    }
    char *c = ww_arena_alloc(&d->arena, n + 1);
    if (!c)
        return WW_ENOMEM;
    memcpy(c, tmp, n);
    c[n] = 0;
    d->lits[d->nlits] = c;
    d->llens[d->nlits] = n;
    d->lslots[s] = ++d->nlits;
    *id = d->nlits - 1;
    return 0;
}
static int gset_add(gset_t *g, uint32_t id)
{
    for (uint32_t i = 0; i < g->n; i++)
        if (g->ids[i] == id)
            return 0;
    if (g->n == g->cap) {
        uint32_t nc = g->cap ? g->cap * 2 : 8;
        uint32_t *ni = realloc(g->ids, nc * sizeof *ni);
        if (!ni)
            return WW_ENOMEM;
        g->ids = ni;
        g->cap = nc;
    }
    g->ids[g->n++] = id;
    return 0;
}

static int needle_lit(ww_detect_t *d, const char *lit, uint32_t n, bool cased, gset_t *g,
                      bool *ok)
{
    uint32_t id;
    int q, rc;
    *ok = false;
    if ((rc = lit_id(d, lit, n, cased, &id, &q)) || id == UINT32_MAX)
        return rc;
    if ((rc = gset_add(g, id)))
        return rc;
    if (g->n == 1 || q < g->quality)
        g->quality = q;
    *ok = true;
    return 0;
}

static const ww_glob_part_t *longest_lit(const ww__dmatch_t *m)
{
    const ww_glob_part_t *best = NULL;
    for (uint32_t i = 0; i < m->nparts; i++)
        if (m->parts[i].kind == WW_GLOB_LIT && (!best || m->parts[i].n > best->n))
            best = &m->parts[i];
    return best;
}

int ww__pf_rule(ww_detect_t *d, ww__drule_t *dr)
{
    for (uint32_t i = 0; i < dr->nitems; i++) {
        ww__ditem_t *it = &dr->items[i];
        for (uint32_t v = 0; v < it->nvals; v++)
            for (uint32_t a = 0; a < it->vals[v].nalts; a++) {
                ww__dmatch_t *m = &it->vals[v].alts[a];
                int q, rc = 0;
                m->litid = UINT32_MAX;
                /* Keywords search fields the scan does not cover. */
                if (it->keyword)
                    continue;
                if (m->kind == DM_EXACT || m->kind == DM_PREFIX || m->kind == DM_SUFFIX ||
                    m->kind == DM_CONTAINS) {
                    rc = lit_id(d, m->lit, m->n, m->cased, &m->litid, &q);
                } else if (m->kind == DM_GLOB) {
                    const ww_glob_part_t *p = longest_lit(m);
                    if (p)
                        rc = lit_id(d, p->lit, p->n, m->cased, &m->litid, &q);
                }
                if (rc)
                    return rc;
            }
    }
    return 0;
}

/* A necessary literal set for one matcher, or top. */
static int match_lits(ww_detect_t *d, const ww__dmatch_t *m, gset_t *g, bool *ok)
{
    *ok = false;
    switch (m->kind) {
    case DM_EXACT:
    case DM_PREFIX:
    case DM_SUFFIX:
    case DM_CONTAINS:
        return needle_lit(d, m->lit, m->n, m->cased, g, ok);
    case DM_GLOB: {
        const ww_glob_part_t *best = longest_lit(m);
        return best ? needle_lit(d, best->lit, best->n, m->cased, g, ok) : 0;
    }
    default:
        return 0;
    }
}

static void gset_free(gset_t *g)
{
    free(g->ids);
    memset(g, 0, sizeof *g);
}

static int node_lits(ww_detect_t *d, const ww__drule_t *dr, const ww__dnode_t *n, gset_t *out)
{
    int rc = 0;
    memset(out, 0, sizeof *out);
    out->top = true;
    switch (n->op) {
    case WW_NODE_AND:
        /* Any child's set is necessary: keep the most selective. */
        for (uint32_t i = 0; i < n->nkids; i++) {
            gset_t k;
            if ((rc = node_lits(d, dr, &n->kids[i], &k))) {
                gset_free(&k);
                return rc;
            }
            bool better = !k.top && (out->top || k.quality > out->quality ||
                                     (k.quality == out->quality && k.n < out->n));
            if (better) {
                gset_free(out);
                *out = k;
            } else {
                gset_free(&k);
            }
        }
        return 0;
    case WW_NODE_OR:
        /* Every child must bring a set; the union is necessary. */
        out->top = false;
        for (uint32_t i = 0; i < n->nkids && !out->top; i++) {
            gset_t k;
            if ((rc = node_lits(d, dr, &n->kids[i], &k))) {
                gset_free(&k);
                return rc;
            }
            if (k.top) {
                out->top = true;
            } else {
                for (uint32_t j = 0; j < k.n && !rc; j++)
                    rc = gset_add(out, k.ids[j]);
                if (i == 0 || k.quality < out->quality)
                    out->quality = k.quality;
            }
            gset_free(&k);
            if (rc)
                return rc;
        }
        if (!n->nkids)
            out->top = true;
        return 0;
    case WW_NODE_ITEM: {
        const ww__ditem_t *it = &dr->items[n->item];
        if (it->keyword || it->negate || it->nvals == 0)
            return 0;
        /* OR-linked values: every alternative of every value needs a literal.
           `all`: one value's alternatives suffice (take the first that has literals). */
        for (uint32_t v = 0; v < it->nvals; v++) {
            gset_t vg = {0};
            bool vok = it->vals[v].nalts > 0;
            for (uint32_t a = 0; a < it->vals[v].nalts && vok && !rc; a++)
                rc = match_lits(d, &it->vals[v].alts[a], &vg, &vok);
            if (rc) {
                gset_free(&vg);
                return rc;
            }
            if (it->all) {
                if (vok && (out->top || vg.quality > out->quality)) {
                    gset_free(out);
                    *out = vg;
                    out->top = false;
                    continue;
                }
                gset_free(&vg);
                continue;
            }
            if (!vok) {
                gset_free(&vg);
                gset_free(out);
                out->top = true;
                return 0;
            }
            if (v == 0) {
                *out = vg;
                out->top = false;
                continue;
            }
            for (uint32_t j = 0; j < vg.n && !rc; j++)
                rc = gset_add(out, vg.ids[j]);
            if (vg.quality < out->quality)
                out->quality = vg.quality;
            gset_free(&vg);
            if (rc)
                return rc;
        }
        return 0;
    }
    default:
        return 0;
    }
}

int ww__pf_variant(ww_detect_t *d, ww__variant_t *v)
{
    gset_t g;
    int rc = node_lits(d, v->r, v->r->root, &g);
    if (rc == 0 && !g.top && g.n) {
        v->lits = ww_arena_alloc(&d->arena, g.n * sizeof *v->lits);
        if (!v->lits) {
            rc = WW_ENOMEM;
        } else {
            memcpy(v->lits, g.ids, g.n * sizeof *v->lits);
            v->nlits = g.n;
        }
    }
    gset_free(&g);
    return rc;
}

/* Only literals some variant requires go into the database (the others would slow
 * every scan for little gain); a matcher whose literal is left out is never skipped. */
int ww__pf_build(ww_detect_t *d)
{
    int rc = 0;
    unsigned *flags = NULL, *ids = NULL, n = 0;
    const char **lits = NULL;
    size_t *lens = NULL;
    uint8_t *used = NULL;
    hs_compile_error_t *err = NULL;
    if (!d->nlits)
        return 0;
    flags = malloc(d->nlits * sizeof *flags);
    ids = malloc(d->nlits * sizeof *ids);
    lits = malloc(d->nlits * sizeof *lits);
    lens = malloc(d->nlits * sizeof *lens);
    used = calloc(d->nlits, 1);
    if (!flags || !ids || !lits || !lens || !used) {
        rc = WW_ENOMEM;
        goto out;
    }
    for (uint32_t i = 0; i < d->nvars; i++)
        for (uint32_t k = 0; k < d->vars[i].nlits; k++)
            used[d->vars[i].lits[k]] = 1;
    for (uint32_t r = 0; r < d->nrules; r++)
        for (uint32_t i = 0; i < d->rules[r].nitems; i++) {
            ww__ditem_t *it = &d->rules[r].items[i];
            for (uint32_t v = 0; v < it->nvals; v++)
                for (uint32_t a = 0; a < it->vals[v].nalts; a++) {
                    ww__dmatch_t *m = &it->vals[v].alts[a];
                    if (m->litid != UINT32_MAX && !used[m->litid])
                        m->litid = UINT32_MAX;
                }
        }
    for (uint32_t i = 0; i < d->nlits; i++) {
        if (!used[i])
            continue;
        flags[n] = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH;
        ids[n] = i;
        lits[n] = d->lits[i];
        lens[n] = d->llens[i];
        n++;
    }
    if (!n)
        goto out;
    if (hs_compile_lit_multi(lits, flags, ids, lens, n, HS_MODE_BLOCK, NULL, &d->hsdb,
                             &err) != HS_SUCCESS) {
        /* Not fatal: without the database every variant is evaluated. */
        WW_LOG(1, "literal prefilter disabled: %s", err && err->message ? err->message : "?");
        d->hsdb = NULL;
        goto out;
    }
    if (hs_alloc_scratch(d->hsdb, &d->hsproto) != HS_SUCCESS) {
        WW_LOG(1, "literal prefilter disabled: no scratch");
        hs_free_database(d->hsdb);
        d->hsdb = NULL;
        d->hsproto = NULL;
    }
out:
    if (err)
        hs_free_compile_error(err);
    free(flags);
    free(ids);
    free(lits);
    free(lens);
    free(used);
    return rc;
}

void ww__pf_free(ww_detect_t *d)
{
    if (d->hsproto)
        hs_free_scratch(d->hsproto);
    if (d->hsdb)
        hs_free_database(d->hsdb);
    free(d->lslots);
    free(d->lits);
    free(d->llens);
}

static int on_lit(unsigned int id, unsigned long long from, unsigned long long to,
                  unsigned int flags, void *ud)
{
    ww_detect_ctx_t *ctx = ud;
    (void)from;
    (void)to;
    (void)flags;
    ctx->litstamp[id] = ctx->gen;
    return 0;
}

void ww__pf_scan(ww_detect_ctx_t *ctx)
{
    const ww_detect_t *d = ctx->d;
    const ww_event_t *ev = ctx->ev;
    size_t total = 0, o = 0;
    ctx->scan_gen = 0; /* until the scan succeeds, every variant passes */
    if (!d->hsdb || !ctx->hs)
        return;
    for (uint32_t k = 0; k < ctx->nknown; k++)
        total += ev->fields[ctx->known[k]].value.n + 1;
    if (total == 0 || total > UINT_MAX)
        return;
    if (total > ctx->scap) {
        /* Bounded by the event's size, which its decoder caps. */
        size_t nc = ctx->scap ? ctx->scap : 4096;
        while (nc < total)
            nc *= 2;
        char *nb = realloc(ctx->sbuf, nc);
        if (!nb)
            return;
        ctx->sbuf = nb;
        ctx->scap = nc;
    }
    /* NUL between values: no literal contains one, so none spans two values. */
    for (uint32_t k = 0; k < ctx->nknown; k++) {
        const ww_field_t *f = &ev->fields[ctx->known[k]];
        if (f->value.n)
            memcpy(ctx->sbuf + o, f->value.p, f->value.n);
        o += f->value.n;
        ctx->sbuf[o++] = 0;
    }
    if (hs_scan(d->hsdb, ctx->sbuf, (unsigned int)o, 0, ctx->hs, on_lit, ctx) != HS_SUCCESS)
        return;
    ctx->scan_gen = ctx->gen;
}

bool ww__pf_pass(ww_detect_ctx_t *ctx, const ww__variant_t *v)
{
    if (!v->nlits || ctx->scan_gen != ctx->gen)
        return true;
    for (uint32_t i = 0; i < v->nlits; i++)
        if (ctx->litstamp[v->lits[i]] == ctx->gen)
            return true;
    return false;
}
