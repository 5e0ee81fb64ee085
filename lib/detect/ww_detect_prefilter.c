/* The literal prefilter.  For each route variant we derive, from its condition tree, up
 * to WW__MAXSETS sets of (literal "gram", field) pairs -- grams are 3, 4 or 8 lowered
 * bytes, each literal's window that is rarest in the ruleset -- such that the rule can
 * only be true if, for every set, one of its grams occurs in some value of its field.
 * Per event and candidate list, the scopes the lists' first sets name are scanned
 * once: a field's values for that field's own grams (a small-set SIMD matcher when
 * they are few, hashed window bitmaps of its own when many), every value for keyword
 * grams.  Seen grams are marked with the fields (fid % 63 bits, bit 63 for "any
 * value") they were seen in, and an index from gram to (variant, set) postings marks
 * the variants with a pair seen in each set; the others are skipped without
 * evaluation (a variant whose first set was seen gets its other sets' scopes scanned
 * first).  A string matcher whose gram was not seen in its (scanned) field fails
 * without searching.  Because the sets are necessary conditions derived
 * conservatively (NOT, negated items, regexes, numbers and absent-field matchers give
 * "no requirement"), skipping never changes the result: ww_detect_opts_t.no_prefilter
 * evaluates everything for comparison. */
#include "detect/ww_detect_int.h"

#include <stdlib.h>

typedef struct gset {
    bool top;      /* no literal requirement */
    uint64_t *ids; /* gram id | fid << 32 */
    uint32_t n, cap;
    int quality; /* weakest gram's rarity score: higher is more selective */
} gset_t;

static uint64_t gram_hash(uint64_t key, unsigned len)
{
    uint64_t h = (key ^ ((uint64_t)len * 0x9E3779B97F4A7C15ULL)) * 0xff51afd7ed558ccdULL;
    return h ^ (h >> 33);
}

/* Rough rarity of a byte in log text: common letters and path punctuation score low. */
static int rarity(unsigned char c)
{
    switch (c) {
    case 'e':
    case 't':
    case 'a':
    case 'o':
    case 'i':
    case 'n':
    case 's':
    case 'r':
    case '\\':
    case '.':
    case '/':
    case ':':
    case '-':
    case ' ':
    case '_': return 1;
    default: break;
    }
    if (c >= '0' && c <= '9')
        return 2;
    if (c >= 'a' && c <= 'z')
        return 3;
    return 4;
}

static inline uint32_t gate4_hash(uint32_t tail)
{
    return (tail * 0x9E3779B1u) >> WW__GATE4_SHIFT;
}

/* Sets the keyword gate's bits of a keyword gram. */
static int gate_add(ww_detect_t *d, uint64_t key, unsigned len)
{
    struct ww__gate *gt = &d->kwgate;
    uint64_t **bits = len == 3 ? &gt->g3 : &gt->g4;
    if (!*bits && !(*bits = calloc(WW__GATE4_BITS / 64, sizeof **bits)))
        return WW_ENOMEM;
    /* The scan tests g4 in place (it may stay empty). */
    if (!gt->g4 && !(gt->g4 = calloc(WW__GATE4_BITS / 64, sizeof *gt->g4)))
        return WW_ENOMEM;
    if (!gt->pair && !(gt->pair = calloc(65536 / 64, sizeof *gt->pair)))
        return WW_ENOMEM;
    uint32_t t = gate4_hash((uint32_t)key);
    (*bits)[t / 64] |= (uint64_t)1 << (t % 64);
    gt->pair[(key & 0xFFFF) / 64] |= (uint64_t)1 << (key % 64);
    gt->lens |= len == 3 ? 1 : len == 4 ? 2 : 4;
    return 0;
}

static int gram_id(ww_detect_t *d, uint64_t key, unsigned len, bool kw, uint32_t *out)
{
    int rc;
    if (d->ngrams * 2 + 2 > d->gcap) {
        uint32_t nc = d->gcap ? d->gcap * 2 : 1024;
        uint64_t *nk = calloc(nc, sizeof *nk);
        uint32_t *ni = calloc(nc, sizeof *ni);
        uint8_t *nl = calloc(nc, 1);
        if (!nk || !ni || !nl) {
            free(nk);
            free(ni);
            free(nl);
            return WW_ENOMEM;
        }
        for (uint32_t i = 0; i < d->gcap; i++) {
            if (!d->gids[i])
                continue;
            uint32_t s = (uint32_t)gram_hash(d->gkeys[i], d->glens[i]) & (nc - 1);
            while (ni[s])
                s = (s + 1) & (nc - 1);
            nk[s] = d->gkeys[i];
            ni[s] = d->gids[i];
            nl[s] = d->glens[i];
        }
        free(d->gkeys);
        free(d->gids);
        free(d->glens);
        d->gkeys = nk;
        d->gids = ni;
        d->glens = nl;
        d->gcap = nc;
    }
    if (!d->gbloom && !(d->gbloom = calloc(WW__GBLOOM_BITS / 64, sizeof *d->gbloom)))
        return WW_ENOMEM;
    /* Field grams are found by their field's own matcher or bitmaps (fgate_add). */
    if (kw && (rc = gate_add(d, key, len)))
        return rc;
    uint64_t h = gram_hash(key, len);
    uint32_t s = (uint32_t)h & (d->gcap - 1);
    while (d->gids[s]) {
        if (d->gkeys[s] == key && d->glens[s] == len) {
            *out = d->gids[s] - 1;
            return 0;
        }
        s = (s + 1) & (d->gcap - 1);
    }
    d->gkeys[s] = key;
    d->glens[s] = (uint8_t)len;
    if (d->ngrams >= d->gid_cap) {
        uint32_t nc = d->gid_cap ? d->gid_cap * 2 : 1024;
        uint64_t *nk = realloc(d->gkeyid, nc * sizeof *nk);
        if (nk)
            d->gkeyid = nk;
        uint8_t *nl = nk ? realloc(d->glenid, nc) : NULL;
        if (!nl)
            return WW_ENOMEM;
        d->glenid = nl;
        d->gid_cap = nc;
    }
    d->gkeyid[d->ngrams] = key;
    d->glenid[d->ngrams] = (uint8_t)len;
    d->gids[s] = ++d->ngrams;
    uint32_t b = (uint32_t)(h >> 40) & (WW__GBLOOM_BITS - 1);
    d->gbloom[b / 64] |= (uint64_t)1 << (b % 64);
    *out = d->ngrams - 1;
    return 0;
}

/* Adds gram `id` to the set of field `fid` (what its scans look for). */
static int fgate_add(ww_detect_t *d, uint32_t fid, uint32_t id)
{
    if (fid >= d->nfsets) {
        uint32_t nc = d->nfsets ? d->nfsets : 64;
        while (nc <= fid)
            nc *= 2;
        void *nf = realloc(d->fsets, nc * sizeof *d->fsets);
        if (!nf)
            return WW_ENOMEM;
        d->fsets = nf;
        memset(d->fsets + d->nfsets, 0, (nc - d->nfsets) * sizeof *d->fsets);
        d->nfsets = nc;
    }
    struct ww__fset **fs = &d->fsets[fid];
    if (!*fs && !(*fs = calloc(1, sizeof **fs)))
        return WW_ENOMEM;
    if (!(*fs)->big) {
        uint32_t k = 0;
        while (k < (*fs)->n && (*fs)->ids[k] != id)
            k++;
        if (k == (*fs)->n) {
            if ((*fs)->n == 64)
                (*fs)->big = true;
            else
                (*fs)->ids[(*fs)->n++] = id;
        }
    }
    if ((*fs)->nall == (*fs)->capall) { /* every gram, for a big set's bitmaps */
        uint32_t nc = (*fs)->capall ? (*fs)->capall * 2 : 16;
        uint32_t *na = realloc((*fs)->all, nc * sizeof *na);
        if (!na)
            return WW_ENOMEM;
        (*fs)->all = na;
        (*fs)->capall = nc;
    }
    (*fs)->all[(*fs)->nall++] = id;
    return 0;
}

static int gset_add(gset_t *g, uint64_t id)
{
    for (uint32_t i = 0; i < g->n; i++)
        if (g->ids[i] == id)
            return 0;
    if (g->n == g->cap) {
        uint32_t nc = g->cap ? g->cap * 2 : 8;
        uint64_t *ni = realloc(g->ids, nc * sizeof *ni);
        if (!ni)
            return WW_ENOMEM;
        g->ids = ni;
        g->cap = nc;
    }
    g->ids[g->n++] = id;
    return 0;
}

/* ---- window counts ---------------------------------------------------------------- */

static uint32_t *wc_slot(struct ww__wcount *w, uint64_t key, unsigned len)
{
    uint32_t s = (uint32_t)gram_hash(key, len) & (w->cap - 1);
    while (w->lens[s] && !(w->keys[s] == key && w->lens[s] == len))
        s = (s + 1) & (w->cap - 1);
    if (!w->lens[s]) {
        w->keys[s] = key;
        w->lens[s] = (uint8_t)len;
        w->n++;
    }
    return &w->cnt[s];
}

static int wc_grow(struct ww__wcount *w)
{
    struct ww__wcount g = {0};
    g.cap = w->cap ? w->cap * 2 : 4096;
    g.keys = calloc(g.cap, sizeof *g.keys);
    g.cnt = calloc(g.cap, sizeof *g.cnt);
    g.lens = calloc(g.cap, 1);
    if (!g.keys || !g.cnt || !g.lens) {
        free(g.keys);
        free(g.cnt);
        free(g.lens);
        return WW_ENOMEM;
    }
    for (uint32_t i = 0; i < w->cap; i++)
        if (w->lens[i])
            *wc_slot(&g, w->keys[i], w->lens[i]) = w->cnt[i];
    free(w->keys);
    free(w->cnt);
    free(w->lens);
    *w = g;
    return 0;
}

static void wc_free(struct ww__wcount *w)
{
    free(w->keys);
    free(w->cnt);
    free(w->lens);
    memset(w, 0, sizeof *w);
}

static unsigned gram_len(uint32_t n)
{
    return n >= 8 ? 8 : n >= 4 ? 4 : 3;
}

static uint64_t len_mask(unsigned len)
{
    return len == 8 ? UINT64_MAX : ((uint64_t)1 << (8 * len)) - 1;
}

static int wc_literal(struct ww__wcount *w, const char *lit, uint32_t n)
{
    if (n < 3)
        return 0;
    unsigned len = gram_len(n);
    uint64_t key = 0, mask = len_mask(len);
    for (uint32_t i = 0; i < n; i++) {
        int rc;
        key = ((key << 8) | ww_lower((unsigned char)lit[i])) & mask;
        if (i + 1 < len)
            continue;
        if (w->n * 2 + 2 > w->cap && (rc = wc_grow(w)))
            return rc;
        ++*wc_slot(w, key, len);
    }
    return 0;
}

int ww__pf_count(ww_detect_t *d)
{
    int rc = 0;
    for (uint32_t r = 0; r < d->nrules && !rc; r++)
        for (uint32_t i = 0; i < d->rules[r].nitems && !rc; i++) {
            const ww__ditem_t *it = &d->rules[r].items[i];
            for (uint32_t v = 0; v < it->nvals && !rc; v++)
                for (uint32_t a = 0; a < it->vals[v].nalts && !rc; a++) {
                    const ww__dmatch_t *m = &it->vals[v].alts[a];
                    if (m->kind == DM_EXACT || m->kind == DM_PREFIX || m->kind == DM_SUFFIX ||
                        m->kind == DM_CONTAINS)
                        rc = wc_literal(&d->wc, m->lit, m->n);
                    for (uint32_t k = 0; m->kind == DM_GLOB && k < m->nparts && !rc; k++)
                        if (m->parts[k].kind == WW_GLOB_LIT)
                            rc = wc_literal(&d->wc, m->parts[k].lit, m->parts[k].n);
                }
        }
    return rc;
}

/* A window shared by many of the ruleset's literals ("\windows\", "imphash=",
   ".exe") is as common in the logs those rules read: its score is the rarity of its
   bytes less 4 per doubling of that count. */
static int window_score(const ww_detect_t *d, uint64_t key, unsigned len, int rar)
{
    int sc = len == 8 ? rar : rar * 8 / (int)len;
    if (d->wc.cap) {
        uint32_t s = (uint32_t)gram_hash(key, len) & (d->wc.cap - 1);
        while (d->wc.lens[s] && !(d->wc.keys[s] == key && d->wc.lens[s] == len))
            s = (s + 1) & (d->wc.cap - 1);
        for (uint32_t c = d->wc.lens[s] ? d->wc.cnt[s] : 0; c > 1; c >>= 1)
            sc -= 4;
    }
    return sc;
}

/* The best gram of a needle (already lowered unless `cased`): its best-scoring window.
 * *id, or UINT32_MAX when the needle is too short to give one; *score its score. */
static int best_gram(ww_detect_t *d, const char *lit, uint32_t n, bool cased, bool kw, uint32_t *id,
                     int *score)
{
    *id = UINT32_MAX;
    if (n < 3)
        return 0;
    (void)cased; /* grams are lowered either way: the scan compares lowered bytes */
    unsigned len = gram_len(n);
    uint64_t key = 0, mask = len_mask(len), bkey = 0;
    int best = INT32_MIN, rar = 0;
    for (uint32_t i = 0; i < n; i++) {
        unsigned char c = ww_lower((unsigned char)lit[i]);
        key = ((key << 8) | c) & mask;
        rar += rarity(c);
        if (i >= len)
            rar -= rarity(ww_lower((unsigned char)lit[i - len]));
        if (i + 1 < len)
            continue;
        int sc = window_score(d, key, len, rar);
        if (sc > best)
            best = sc, bkey = key;
    }
    *score = best;
    return gram_id(d, bkey, len, kw, id);
}

/* Adds matcher m's gram (ww__pf_rule chose it), paired with field fid, to g. */
static int needle_gram(ww_detect_t *d, const ww__dmatch_t *m, uint32_t fid, gset_t *g, bool *ok)
{
    uint32_t id = m->gram;
    int q = m->gscore, rc;
    *ok = false;
    if (id == UINT32_MAX)
        return 0;
    if (fid != WW__ANYFID && (rc = fgate_add(d, fid, id)))
        return rc;
    if ((rc = gset_add(g, id | (uint64_t)fid << 32)))
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
                int q = 0, rc = 0;
                m->gram = UINT32_MAX;
                if (m->kind == DM_EXACT || m->kind == DM_PREFIX || m->kind == DM_SUFFIX ||
                    m->kind == DM_CONTAINS) {
                    rc = best_gram(d, m->lit, m->n, m->cased, it->keyword, &m->gram, &q);
                } else if (m->kind == DM_GLOB) {
                    const ww_glob_part_t *p = longest_lit(m);
                    if (p)
                        rc = best_gram(d, p->lit, p->n, m->cased, it->keyword, &m->gram, &q);
                }
                m->gscore = q;
                if (rc)
                    return rc;
            }
    }
    return 0;
}

/* A necessary gram set for one matcher, or top. */
static int match_grams(ww_detect_t *d, const ww__dmatch_t *m, uint32_t fid, gset_t *g, bool *ok)
{
    *ok = false;
    switch (m->kind) {
    case DM_EXACT:
    case DM_PREFIX:
    case DM_SUFFIX:
    case DM_CONTAINS:
    case DM_GLOB: return needle_gram(d, m, fid, g, ok);
    default: return 0;
    }
}

static void gset_free(gset_t *g)
{
    free(g->ids);
    memset(g, 0, sizeof *g);
}

/* A conjunction of gram sets, each necessary (n == 0: no requirement). */
typedef struct conj {
    gset_t s[WW__MAXSETS];
    uint32_t n;
} conj_t;

static void conj_free(conj_t *c)
{
    for (uint32_t i = 0; i < c->n; i++)
        gset_free(&c->s[i]);
    c->n = 0;
}

static bool gset_better(const gset_t *a, const gset_t *b)
{
    return a->quality > b->quality || (a->quality == b->quality && a->n < b->n);
}

/* Adds a necessary set (taking it over), keeping the WW__MAXSETS most selective:
   dropping one only weakens the requirement. */
static void conj_add(conj_t *c, gset_t *g)
{
    if (c->n < WW__MAXSETS) {
        c->s[c->n++] = *g;
        return;
    }
    uint32_t w = 0;
    for (uint32_t i = 1; i < c->n; i++)
        if (gset_better(&c->s[w], &c->s[i]))
            w = i;
    if (gset_better(g, &c->s[w])) {
        gset_free(&c->s[w]);
        c->s[w] = *g;
    } else {
        gset_free(g);
    }
}

/* The necessary gram sets of an item (0 or 1). */
static int item_grams(ww_detect_t *d, const ww__drule_t *dr, const ww__vitem_t *vi, uint32_t item,
                      conj_t *out)
{
    const ww__ditem_t *it = &dr->items[item];
    uint32_t fid = it->keyword ? WW__ANYFID : vi[item].fid;
    gset_t g = {0};
    int rc = 0;
    bool have = false;
    if (it->negate || it->nvals == 0 || fid == WW__NOFID)
        return 0;
    /* OR-linked values: every alternative of every value needs a gram.
       `all`: one value's alternatives suffice (take the most selective). */
    for (uint32_t v = 0; v < it->nvals; v++) {
        gset_t vg = {0};
        bool vok = it->vals[v].nalts > 0;
        for (uint32_t a = 0; a < it->vals[v].nalts && vok && !rc; a++)
            rc = match_grams(d, &it->vals[v].alts[a], fid, &vg, &vok);
        if (rc || (!vok && !it->all)) {
            gset_free(&vg);
            gset_free(&g);
            return rc;
        }
        if (it->all) {
            if (vok && (!have || vg.quality > g.quality)) {
                gset_free(&g);
                g = vg;
                have = true;
            } else {
                gset_free(&vg);
            }
            continue;
        }
        if (!have) {
            g = vg;
            have = true;
            continue;
        }
        for (uint32_t j = 0; j < vg.n && !rc; j++)
            rc = gset_add(&g, vg.ids[j]);
        if (vg.quality < g.quality)
            g.quality = vg.quality;
        gset_free(&vg);
        if (rc) {
            gset_free(&g);
            return rc;
        }
    }
    if (have && g.n)
        conj_add(out, &g);
    else
        gset_free(&g);
    return 0;
}

static int node_grams(ww_detect_t *d, const ww__drule_t *dr, const ww__vitem_t *vi,
                      const ww__dnode_t *n, conj_t *out)
{
    int rc = 0;
    out->n = 0;
    switch (n->op) {
    case WW_NODE_AND:
        /* Every child's sets are necessary. */
        for (uint32_t i = 0; i < n->nkids && !rc; i++) {
            conj_t k;
            if (!(rc = node_grams(d, dr, vi, &n->kids[i], &k)))
                for (uint32_t j = 0; j < k.n; j++)
                    conj_add(out, &k.s[j]);
            else
                conj_free(&k);
        }
        return rc;
    case WW_NODE_OR: {
        /* Every child must bring a set; the union of each one's best is necessary. */
        gset_t u = {0};
        for (uint32_t i = 0; i < n->nkids; i++) {
            conj_t k;
            if ((rc = node_grams(d, dr, vi, &n->kids[i], &k)) || k.n == 0) {
                conj_free(&k);
                gset_free(&u);
                return rc;
            }
            uint32_t b = 0;
            for (uint32_t j = 1; j < k.n; j++)
                if (gset_better(&k.s[j], &k.s[b]))
                    b = j;
            for (uint32_t j = 0; j < k.s[b].n && !rc; j++)
                rc = gset_add(&u, k.s[b].ids[j]);
            if (i == 0 || k.s[b].quality < u.quality)
                u.quality = k.s[b].quality;
            conj_free(&k);
            if (rc) {
                gset_free(&u);
                return rc;
            }
        }
        if (u.n)
            conj_add(out, &u);
        else
            gset_free(&u);
        return 0;
    }
    case WW_NODE_ITEM: return item_grams(d, dr, vi, n->item, out);
    default: return 0;
    }
}

int ww__pf_variant(ww_detect_t *d, ww__variant_t *v)
{
    conj_t c;
    int rc;
    /* Every string matcher of a field item checks its gram against its field's scan
       (ww__dmatch_eval), so each is in that field's own gate. */
    for (uint32_t i = 0; i < v->r->nitems; i++) {
        const ww__ditem_t *it = &v->r->items[i];
        uint32_t fid = v->vitems[i].fid;
        if (it->keyword || fid == WW__NOFID)
            continue;
        for (uint32_t a = 0; a < it->nvals; a++)
            for (uint32_t b = 0; b < it->vals[a].nalts; b++)
                if (it->vals[a].alts[b].gram != UINT32_MAX &&
                    (rc = fgate_add(d, fid, it->vals[a].alts[b].gram)))
                    return rc;
    }
    if ((rc = node_grams(d, v->r, v->vitems, v->r->root, &c)))
        goto out;
    /* The most selective set first: it alone decides which scopes a candidate
       list scans up front (ww__pf_prepare); the others' only for a variant that
       passed it (ww__pf_second). */
    for (uint32_t k = 1; k < c.n; k++)
        for (uint32_t j = k; j > 0 && gset_better(&c.s[j], &c.s[j - 1]); j--) {
            gset_t t = c.s[j];
            c.s[j] = c.s[j - 1];
            c.s[j - 1] = t;
        }
    uint32_t total = 0;
    for (uint32_t k = 0; k < c.n; k++)
        total += c.s[k].n;
    if (!total)
        goto out;
    v->grams = ww_arena_alloc(&d->arena, total * sizeof *v->grams);
    v->gfids = ww_arena_alloc(&d->arena, total * sizeof *v->gfids);
    v->gset = ww_arena_alloc(&d->arena, total);
    if (!v->grams || !v->gfids || !v->gset) {
        rc = WW_ENOMEM;
        goto out;
    }
    for (uint32_t k = 0; k < c.n; k++)
        for (uint32_t i = 0; i < c.s[k].n; i++, v->ngrams++) {
            v->grams[v->ngrams] = (uint32_t)c.s[k].ids[i];
            v->gfids[v->ngrams] = (uint32_t)(c.s[k].ids[i] >> 32);
            v->gset[v->ngrams] = (uint8_t)k;
        }
    v->nsets = (uint8_t)c.n;
    uint32_t n2 = 0;
    for (uint32_t i = 0; i < v->ngrams; i++)
        n2 += v->gset[i] > 0;
    if (n2 && !(v->sfid2 = ww_arena_alloc(&d->arena, n2 * sizeof *v->sfid2))) {
        rc = WW_ENOMEM;
        goto out;
    }
    for (uint32_t i = 0; i < v->ngrams; i++) {
        uint32_t f = v->gfids[i], j = 0;
        if (v->gset[i] == 0)
            continue;
        if (f == WW__ANYFID) {
            v->kw2 = true;
            continue;
        }
        while (j < v->nsfid2 && v->sfid2[j] != f)
            j++;
        if (j == v->nsfid2)
            v->sfid2[v->nsfid2++] = f;
    }
out:
    conj_free(&c);
    return rc;
}

/* Keyword sets of at most this many grams get a small-set matcher: beyond, its
   nibble masks saturate and most positions become candidates. */
#define KW_TEDDY_MAX 64

/* Adds the keyword grams variant v may ask about (its keyword pairs and every keyword
   matcher's gram) to ids[0..*n), once each; false when they pass KW_TEDDY_MAX. */
static bool var_kwgrams(const ww__variant_t *v, uint32_t *ids, uint32_t *n, uint32_t *seen,
                        uint32_t stamp)
{
    for (uint32_t i = 0; i < v->ngrams; i++) {
        uint32_t g = v->grams[i];
        if (v->gfids[i] != WW__ANYFID || seen[g] == stamp)
            continue;
        if (*n == KW_TEDDY_MAX)
            return false;
        seen[g] = stamp;
        ids[(*n)++] = g;
    }
    for (uint32_t i = 0; i < v->r->nitems; i++) {
        const ww__ditem_t *it = &v->r->items[i];
        if (!it->keyword)
            continue;
        for (uint32_t a = 0; a < it->nvals; a++)
            for (uint32_t b = 0; b < it->vals[a].nalts; b++) {
                uint32_t g = it->vals[a].alts[b].gram;
                if (g == UINT32_MAX || seen[g] == stamp)
                    continue;
                if (*n == KW_TEDDY_MAX)
                    return false;
                seen[g] = stamp;
                ids[(*n)++] = g;
            }
    }
    return true;
}

/* A small-set matcher over grams ids[0..n): *kw = 1 + its index in d->kwsets. */
static int kw_build(ww_detect_t *d, const uint32_t *ids, uint32_t n, uint32_t *kw)
{
    if (d->nkwsets == d->kwsets_cap) {
        uint32_t nc = d->kwsets_cap ? d->kwsets_cap * 2 : 16;
        struct ww__kwset *nk = realloc(d->kwsets, nc * sizeof *nk);
        if (!nk)
            return WW_ENOMEM;
        d->kwsets = nk;
        d->kwsets_cap = nc;
    }
    struct ww__kwset *ks = &d->kwsets[d->nkwsets];
    ww__tlit_t lits[KW_TEDDY_MAX];
    memset(ks, 0, sizeof *ks);
    if (!(ks->grams = malloc(n * sizeof *ks->grams)))
        return WW_ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        unsigned len = d->glenid[ids[i]];
        uint64_t key = d->gkeyid[ids[i]];
        lits[i].n = len;
        lits[i].id = ids[i];
        for (unsigned k = 0; k < len; k++)
            lits[i].b[k] = (unsigned char)(key >> (8 * (len - 1 - k)));
        ks->grams[i] = ids[i];
    }
    ks->n = n;
    int rc = ww__td_build(&ks->td, lits, n);
    if (rc) {
        free(ks->grams);
        return rc;
    }
    *kw = ++d->nkwsets;
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Gives list `l` a small-set matcher over its variants' keyword grams, when few.
   Lists with the same set share one matcher (and so one scan per event). */
static int kw_list(ww_detect_t *d, ww__vlist_t *l, uint32_t *seen, uint32_t stamp)
{
    uint32_t ids[KW_TEDDY_MAX], n = 0;
    l->kw = 0;
    for (uint32_t k = 0; k < l->n; k++)
        if (!var_kwgrams(&d->vars[l->v[k]], ids, &n, seen, stamp))
            return 0;
    if (!n)
        return 0;
    qsort(ids, n, sizeof *ids, cmp_u32);
    for (uint32_t i = 0; i < d->nkwsets; i++)
        if (d->kwsets[i].n == n && !memcmp(d->kwsets[i].grams, ids, n * sizeof *ids)) {
            l->kw = i + 1;
            return 0;
        }
    return kw_build(d, ids, n, &l->kw);
}

static int kw_source(ww_detect_t *d, ww__source_t *s, uint32_t *seen, uint32_t *st)
{
    int rc = kw_list(d, &s->any, seen, ++*st);
    if (!rc)
        rc = kw_list(d, &s->fany, seen, ++*st);
    for (uint32_t e = 0; e < s->neids && !rc; e++)
        if (!(rc = kw_list(d, &s->eids[e].list, seen, ++*st)))
            rc = kw_list(d, &s->eids[e].full, seen, ++*st);
    return rc;
}

static int kw_lists(ww_detect_t *d)
{
    int rc = 0;
    uint32_t *seen = calloc(d->ngrams ? d->ngrams : 1, sizeof *seen), st = 0;
    if (!seen)
        return WW_ENOMEM;
    for (uint32_t i = 0; i <= d->nprods && !rc; i++) {
        ww__gen_t *g = i < d->nprods ? &d->prods[i] : &d->gen_any;
        rc = kw_list(d, &g->any, seen, ++st);
        for (uint32_t c = 0; c < g->cats.n && !rc; c++)
            rc = kw_list(d, &g->cats.lists[c], seen, ++st);
        for (uint32_t c = 0; c < g->svcs.n && !rc; c++)
            rc = kw_list(d, &g->svcs.lists[c], seen, ++st);
    }
    for (uint32_t i = 0; i < d->nchans && !rc; i++)
        rc = kw_source(d, &d->chans[i], seen, &st);
    for (uint32_t i = 0; i < d->nprovs && !rc; i++)
        rc = kw_source(d, &d->provs[i], seen, &st);
    if (!rc)
        rc = kw_list(d, &d->win_all, seen, ++st);
    free(seen);
    return rc;
}

/* A bitmap of 2^(32 - *sh) bits for n windows: ~256 bits per window (a false hit
   costs a gram lookup, a bit more an L2 line at most), between 2^12 and 2^20. */
static uint64_t *window_bitmap(uint32_t n, uint8_t *sh)
{
    unsigned lg = 12;
    while (lg < 20 && ((uint64_t)1 << lg) < (uint64_t)n * 256)
        lg++;
    *sh = (uint8_t)(32 - lg);
    return calloc(((size_t)1 << lg) / 64, sizeof(uint64_t));
}

static inline uint32_t window_bit(uint32_t w, uint8_t sh)
{
    return (w * 0x9E3779B1u) >> sh;
}

static int cmp_u32(const void *a, const void *b);

/* A big field set's own window bitmaps (see struct ww__fset). */
static int big_bitmaps(const ww_detect_t *d, struct ww__fset *fs)
{
    uint32_t n3 = 0, n4 = 0, k = 0;
    qsort(fs->all, fs->nall, sizeof *fs->all, cmp_u32);
    for (uint32_t i = 0; i < fs->nall; i++)
        if (!k || fs->all[k - 1] != fs->all[i])
            fs->all[k++] = fs->all[i];
    fs->nall = k;
    for (uint32_t i = 0; i < k; i++)
        d->glenid[fs->all[i]] == 3 ? n3++ : n4++;
    if ((n3 && !(fs->b3 = window_bitmap(n3, &fs->sh3))) ||
        (n4 && !(fs->b4 = window_bitmap(n4, &fs->sh4))))
        return WW_ENOMEM;
    for (uint32_t i = 0; i < k; i++) {
        uint32_t g = fs->all[i], t;
        unsigned len = d->glenid[g];
        fs->lens |= len == 3 ? 1 : len == 4 ? 2 : 4;
        if (len == 3) {
            t = window_bit((uint32_t)d->gkeyid[g], fs->sh3);
            fs->b3[t / 64] |= (uint64_t)1 << (t % 64);
        } else {
            t = window_bit((uint32_t)d->gkeyid[g], fs->sh4);
            fs->b4[t / 64] |= (uint64_t)1 << (t % 64);
        }
    }
    return 0;
}

/* The gram index (see ww_detect.gpoff): one posting per (gram, field) pair. */
static int gram_index(ww_detect_t *d)
{
    uint32_t np = 0;
    if (!(d->gpoff = calloc((size_t)d->ngrams + 1, sizeof *d->gpoff)))
        return WW_ENOMEM;
    for (uint32_t v = 0; v < d->nvars; v++)
        for (uint32_t i = 0; i < d->vars[v].ngrams; i++, np++)
            d->gpoff[d->vars[v].grams[i] + 1]++;
    for (uint32_t g = 0; g < d->ngrams; g++)
        d->gpoff[g + 1] += d->gpoff[g];
    d->gpvid = malloc((np ? np : 1) * sizeof *d->gpvid);
    d->gpbit = malloc(np ? np : 1);
    d->gpset = malloc(np ? np : 1);
    d->vfull = malloc(d->nvars ? d->nvars : 1);
    uint32_t *at = malloc((d->ngrams ? d->ngrams : 1) * sizeof *at);
    if (!d->gpvid || !d->gpbit || !d->gpset || !d->vfull || !at) {
        free(at);
        return WW_ENOMEM;
    }
    memcpy(at, d->gpoff, d->ngrams * sizeof *at);
    for (uint32_t v = 0; v < d->nvars; v++) {
        d->vfull[v] = (uint8_t)((1u << d->vars[v].nsets) - 1);
        for (uint32_t i = 0; i < d->vars[v].ngrams; i++) {
            uint32_t g = d->vars[v].grams[i], f = d->vars[v].gfids[i];
            d->gpvid[at[g]] = v;
            d->gpset[at[g]] = d->vars[v].gset[i];
            d->gpbit[at[g]++] = (uint8_t)(f == WW__ANYFID ? WW__ANYBIT : f % WW__ANYBIT);
        }
    }
    free(at);
    /* Each gram's postings by field bit, so that a new bit visits only its own run. */
    for (uint32_t g = 0; g < d->ngrams; g++)
        for (uint32_t i = d->gpoff[g] + 1; i < d->gpoff[g + 1]; i++)
            for (uint32_t j = i; j > d->gpoff[g] && d->gpbit[j - 1] > d->gpbit[j]; j--) {
                uint32_t tv = d->gpvid[j];
                uint8_t tb = d->gpbit[j], ts = d->gpset[j];
                d->gpvid[j] = d->gpvid[j - 1], d->gpbit[j] = d->gpbit[j - 1];
                d->gpset[j] = d->gpset[j - 1];
                d->gpvid[j - 1] = tv, d->gpbit[j - 1] = tb, d->gpset[j - 1] = ts;
            }
    return 0;
}

int ww__pf_list(ww_detect_t *d, ww__vlist_t *l, uint32_t *stamp, uint32_t st)
{
    uint32_t nf = 0, ng = 0;
    for (uint32_t k = 0; k < l->n; k++)
        ng += d->vars[l->v[k]].ngrams > 0;
    l->ung = malloc(((l->n - ng) ? l->n - ng : 1) * sizeof *l->ung);
    l->gat = malloc((ng ? ng : 1) * sizeof *l->gat);
    if (!l->ung || !l->gat)
        return WW_ENOMEM;
    l->nung = l->ngat = 0;
    for (uint32_t k = 0; k < l->n; k++) {
        const ww__variant_t *v = &d->vars[l->v[k]];
        if (!v->ngrams) {
            l->ung[l->nung++] = l->v[k];
            continue;
        }
        l->gat[l->ngat++] = l->v[k];
        for (uint32_t i = 0; i < v->ngrams && v->gset[i] == 0; i++) {
            uint32_t f = v->gfids[i];
            if (f == WW__ANYFID)
                l->kwneed = true;
            else if (stamp[f] != st)
                stamp[f] = st, nf++;
        }
    }
    if (!(l->sfid = malloc((nf ? nf : 1) * sizeof *l->sfid)))
        return WW_ENOMEM;
    /* The bitmap, for a long list whose variants are in ascending order (the walk
       must meet them in the order of gat). */
    bool asc = true;
    for (uint32_t k = 1; k < l->ngat && asc; k++)
        asc = l->gat[k - 1] < l->gat[k];
    if (asc && l->ngat >= WW__GBITS_MIN) {
        l->gw0 = l->gat[0] / 64;
        l->gw1 = l->gat[l->ngat - 1] / 64 + 1;
        if (!(l->gbits = calloc(l->gw1 - l->gw0, sizeof *l->gbits)))
            return WW_ENOMEM;
        for (uint32_t k = 0; k < l->ngat; k++)
            l->gbits[l->gat[k] / 64 - l->gw0] |= (uint64_t)1 << (l->gat[k] % 64);
    }
    /* The fields in first-use order; stamps say which were taken. */
    for (uint32_t k = 0; k < l->ngat; k++) {
        const ww__variant_t *v = &d->vars[l->gat[k]];
        for (uint32_t i = 0; i < v->ngrams && v->gset[i] == 0; i++) {
            uint32_t f = v->gfids[i];
            if (f != WW__ANYFID && stamp[f] == st) {
                stamp[f] = st - 1;
                l->sfid[l->nsfid++] = f;
            }
        }
    }
    return 0;
}

int ww__pf_finish(ww_detect_t *d)
{
    int rc;
    wc_free(&d->wc);
    if ((rc = gram_index(d)))
        return rc;
    if (d->gbloom && (rc = kw_lists(d)))
        return rc;
    for (uint32_t f = 0; f < d->nfsets; f++) {
        struct ww__fset *fs = d->fsets[f];
        if (fs && fs->big && (rc = big_bitmaps(d, fs)))
            return rc;
        if (fs) {
            free(fs->all);
            fs->all = NULL;
            fs->nall = fs->capall = 0;
        }
        if (fs && !fs->big && fs->n) {
            ww__tlit_t lits[64];
            for (uint32_t i = 0; i < fs->n; i++) {
                unsigned len = d->glenid[fs->ids[i]];
                uint64_t key = d->gkeyid[fs->ids[i]];
                lits[i].n = len;
                lits[i].id = fs->ids[i];
                for (unsigned k = 0; k < len; k++)
                    lits[i].b[k] = (unsigned char)(key >> (8 * (len - 1 - k)));
            }
            if ((rc = ww__td_build(&fs->td, lits, fs->n)))
                return rc;
            fs->built = true;
        }
    }
    return 0;
}

void ww__pf_free(ww_detect_t *d)
{
    wc_free(&d->wc);
    free(d->gpoff);
    free(d->gpvid);
    free(d->gpbit);
    free(d->gpset);
    free(d->vfull);
    free(d->gkeys);
    free(d->gids);
    free(d->glens);
    free(d->gbloom);

    free(d->gkeyid);
    free(d->glenid);
    for (uint32_t i = 0; i < d->nkwsets; i++) {
        ww__td_free(&d->kwsets[i].td);
        free(d->kwsets[i].grams);
    }
    free(d->kwsets);
    for (uint32_t f = 0; f < d->nfsets; f++) {
        if (d->fsets[f]) {
            ww__td_free(&d->fsets[f]->td);
            free(d->fsets[f]->all);
            free(d->fsets[f]->b3);
            free(d->fsets[f]->b4);
        }
        free(d->fsets[f]);
    }
    free(d->fsets);
    free(d->kwgate.pair);
    free(d->kwgate.g3);
    free(d->kwgate.g4);
}

/* Gram g occurs in a value whose field has bit(s) fbit. */
static inline void gram_seen(ww_detect_ctx_t *ctx, uint32_t g, uint64_t fbit)
{
    if (ctx->gstamp[g] != ctx->gen) {
        ctx->gstamp[g] = ctx->gen;
        ctx->gmask[g] = 0;
        ctx->pmask[g] = 0;
        ctx->seen[ctx->nseen++] = g;
    }
    ctx->gmask[g] |= fbit;
    ctx->dirty = true;
}

static inline void check_gram(ww_detect_ctx_t *ctx, const ww_detect_t *d, uint64_t key,
                              unsigned len, uint64_t fbit)
{
    uint64_t h = gram_hash(key, len);
    uint32_t b = (uint32_t)(h >> 40) & (WW__GBLOOM_BITS - 1);
    if (!(d->gbloom[b / 64] & ((uint64_t)1 << (b % 64))))
        return;
    uint32_t s = (uint32_t)h & (d->gcap - 1);
    while (d->gids[s]) {
        if (d->gkeys[s] == key && d->glens[s] == len) {
            gram_seen(ctx, d->gids[s] - 1, fbit);
            return;
        }
        s = (s + 1) & (d->gcap - 1);
    }
}

static void scan_value(ww_detect_ctx_t *ctx, const struct ww__gate *gt, const unsigned char *p,
                       size_t n, uint64_t fbit)
{
    const ww_detect_t *d = ctx->d;
    const uint64_t *pair = gt->pair;
    const uint64_t *g3 = gt->g3, *g4 = gt->g4;
    unsigned lens = gt->lens;
    uint64_t w = 0;
    /* Lowered on the fly: most values are never needed lowered again.  The gates
       are necessary conditions: most positions stop at them, the first (the pair
       ending here) costs one L1 load. */
    for (size_t i = 0; i < n; i++) {
        w = (w << 8) | ww_lower(p[i]);
        if (!(pair[(w & 0xFFFF) / 64] & ((uint64_t)1 << (w % 64))))
            continue;
        if (i < 2)
            continue;
        if (g3) {
            uint32_t t = gate4_hash((uint32_t)(w & 0xFFFFFF));
            if (g3[t / 64] & ((uint64_t)1 << (t % 64)))
                check_gram(ctx, d, w & 0xFFFFFF, 3, fbit);
        }
        if (i < 3)
            continue;
        uint32_t t = gate4_hash((uint32_t)w);
        if (!(g4[t / 64] & ((uint64_t)1 << (t % 64))))
            continue;
        if (lens & 2)
            check_gram(ctx, d, w & 0xFFFFFFFF, 4, fbit);
        if ((lens & 4) && i >= 7)
            check_gram(ctx, d, w, 8, fbit);
    }
}

static void kw_hit(void *ud, uint32_t id, size_t at);

/* Scans one value for the grams of a big field set: at each position the window
   ending there is tested in the field's own bitmaps (sparse: the branch is rarely
   taken, so it predicts well), and only a set bit looks the gram up. */
static void scan_big(ww_detect_ctx_t *ctx, const struct ww__fset *fs, const unsigned char *p,
                     size_t n, uint64_t fbit)
{
    const ww_detect_t *d = ctx->d;
    const uint64_t *b3 = fs->b3, *b4 = fs->b4;
    uint8_t sh3 = fs->sh3, sh4 = fs->sh4;
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++) {
        w = (w << 8) | ww_lower(p[i]);
        if (b4) {
            uint32_t t = window_bit((uint32_t)w, sh4);
            if (b4[t / 64] >> (t % 64) & 1) {
                if (fs->lens & 2)
                    check_gram(ctx, d, w & 0xFFFFFFFF, 4, fbit);
                if ((fs->lens & 4) && i >= 7)
                    check_gram(ctx, d, w, 8, fbit);
            }
        }
        if (b3) {
            uint32_t t = window_bit((uint32_t)(w & 0xFFFFFF), sh3);
            if (b3[t / 64] >> (t % 64) & 1)
                check_gram(ctx, d, w & 0xFFFFFF, 3, fbit);
        }
    }
}

/* Scans every value and the raw line for the grams of one small keyword set.  A
   value that is a slice of the raw record needs no scan of its own: one scan of the
   record covers it (one long scan beats many short ones), and both mark the same
   "any value" bit.  Keywords search the raw line of text events only; in a JSON
   record the scan also sees keys and punctuation, which can only let more
   candidates through, never fewer. */
static void scan_set(ww_detect_ctx_t *ctx, const struct ww__kwset *ks)
{
    const ww_event_t *ev = ctx->ev;
    uint32_t nf = ev->nfields < WW_EVENT_MAX_FIELDS ? ev->nfields : WW_EVENT_MAX_FIELDS;
    bool raw = ev->raw.n > 0;
    const char *rb = ev->raw.p, *re = ev->raw.p + ev->raw.n;
    for (uint32_t i = 0; i < nf; i++) {
        const ww_field_t *f = &ev->fields[i];
        if (f->type == WW_F_NULL)
            continue;
        if (raw && f->value.p >= rb && f->value.p + f->value.n <= re)
            continue;
        ww__td_scan(&ks->td, (const unsigned char *)f->value.p, f->value.n, kw_hit, ctx);
    }
    if (raw)
        ww__td_scan(&ks->td, (const unsigned char *)rb, ev->raw.n, kw_hit, ctx);
    for (uint32_t i = 0; i < ks->n; i++)
        ctx->kscan[ks->grams[i]] = ctx->gen;
}

/* Scans every value (and the raw line of a text event) for every keyword gram, with
   the keyword gate: for a candidate list whose keyword grams are too many for a
   small-set matcher. */
static void scan_all(ww_detect_ctx_t *ctx)
{
    const ww_detect_t *d = ctx->d;
    const ww_event_t *ev = ctx->ev;
    const struct ww__gate *gt = &d->kwgate;
    ctx->any_gen = ctx->gen;
    if (!gt->g4)
        return; /* no keyword grams: nothing can be seen */
    uint32_t nf = ev->nfields < WW_EVENT_MAX_FIELDS ? ev->nfields : WW_EVENT_MAX_FIELDS;
    uint64_t any = (uint64_t)1 << WW__ANYBIT;
    for (uint32_t i = 0; i < nf; i++) {
        const ww_field_t *f = &ev->fields[i];
        if (f->type != WW_F_NULL)
            scan_value(ctx, gt, (const unsigned char *)f->value.p, f->value.n, any);
    }
    if ((ev->kind == WW_EV_SYSLOG || ev->kind == WW_EV_TEXT) && ev->raw.n)
        scan_value(ctx, gt, (const unsigned char *)ev->raw.p, ev->raw.n, any);
}

struct fhit {
    ww_detect_ctx_t *ctx;
    uint64_t fbit;
};

static void field_hit(void *ud, uint32_t id, size_t at)
{
    struct fhit *h = ud;
    (void)at;
    gram_seen(h->ctx, id, h->fbit);
}

void ww__pf_scan_fid(ww_detect_ctx_t *ctx, uint32_t fid)
{
    const ww_event_t *ev = ctx->ev;
    ctx->fscan[fid] = ctx->gen;
    if (fid >= ctx->d->nfsets || !ctx->d->fsets[fid])
        return; /* no gram of this field: nothing to find */
    const struct ww__fset *fs = ctx->d->fsets[fid];
    uint64_t fbit = (uint64_t)1 << (fid % WW__ANYBIT);
    struct fhit h = {ctx, fbit};
    for (uint32_t j = ww__ffirst(ctx, fid); j != UINT32_MAX; j = ctx->fnext[j]) {
        const ww_field_t *f = &ev->fields[j];
        if (fs->big)
            scan_big(ctx, fs, (const unsigned char *)f->value.p, f->value.n, fbit);
        else
            ww__td_scan(&fs->td, (const unsigned char *)f->value.p, f->value.n, field_hit, &h);
    }
}

static void kw_hit(void *ud, uint32_t id, size_t at)
{
    (void)at;
    gram_seen(ud, id, (uint64_t)1 << WW__ANYBIT);
}

/* A posting applies: its variant has a pair of that set seen. */
static inline void mark(ww_detect_ctx_t *ctx, const ww_detect_t *d, uint32_t p)
{
    uint32_t v = d->gpvid[p];
    if (ctx->vsgen[v] != ctx->gen) {
        ctx->vsgen[v] = ctx->gen;
        ctx->vsets[v] = 0;
        ctx->cand[ctx->ncand++] = v; /* once per event: vsgen guards it */
        ctx->cbits[v / 64] |= (uint64_t)1 << (v % 64);
    }
    ctx->vsets[v] |= (uint8_t)(1u << d->gpset[p]);
    if (ctx->vsets[v] == d->vfull[v])
        ctx->vmark[v] = ctx->gen;
    else if (ctx->vsets[v] & 1)
        ctx->vpart[v] = ctx->gen;
}

/* Marks the variants whose pairs the grams seen since the last call complete. */
static void apply_seen(ww_detect_ctx_t *ctx)
{
    const ww_detect_t *d = ctx->d;
    ctx->dirty = false;
    for (uint32_t i = 0; i < ctx->nseen; i++) {
        uint32_t g = ctx->seen[i];
        uint64_t nb = ctx->gmask[g] & ~ctx->pmask[g];
        if (!nb)
            continue;
        ctx->pmask[g] |= nb;
        uint32_t p = d->gpoff[g], e = d->gpoff[g + 1];
        while (nb && p < e) {
            unsigned b = (unsigned)__builtin_ctzll(nb);
            nb &= nb - 1;
            uint32_t lo = p, hi = e; /* first posting of bit >= b */
            while (lo < hi) {
                uint32_t mid = (lo + hi) / 2;
                if (d->gpbit[mid] < b)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            for (p = lo; p < e && d->gpbit[p] == b; p++)
                mark(ctx, d, p);
        }
    }
}

/* Every value scanned for the keyword grams of list l (once per event). */
static void scan_keywords(ww_detect_ctx_t *ctx, const ww__vlist_t *l)
{
    const ww_detect_t *d = ctx->d;
    if (ctx->any_gen == ctx->gen || (l->kw && ctx->ksgen[l->kw - 1] == ctx->gen))
        return;
    if (l->kw) {
        scan_set(ctx, &d->kwsets[l->kw - 1]);
        ctx->ksgen[l->kw - 1] = ctx->gen;
    } else {
        scan_all(ctx);
    }
}

static void scan_fids(ww_detect_ctx_t *ctx, const uint32_t *fids, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (ctx->fstamp[fids[i]] == ctx->gen && ctx->fscan[fids[i]] != ctx->gen)
            ww__pf_scan_fid(ctx, fids[i]);
}

void ww__pf_prepare(ww_detect_ctx_t *ctx, const ww__vlist_t *l)
{
    if (!ctx->d->gbloom)
        return;
    if (l->kwneed)
        scan_keywords(ctx, l);
    scan_fids(ctx, l->sfid, l->nsfid);
    apply_seen(ctx);
}

bool ww__pf_second(ww_detect_ctx_t *ctx, const ww__vlist_t *l, uint32_t vi)
{
    const ww__variant_t *v = &ctx->d->vars[vi];
    if (v->kw2)
        scan_keywords(ctx, l);
    scan_fids(ctx, v->sfid2, v->nsfid2);
    if (ctx->dirty)
        apply_seen(ctx);
    return ctx->vmark[vi] == ctx->gen;
}
