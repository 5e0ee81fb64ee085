/* The single-event detection engine: compiles a finished Sigma ruleset into an
 * immutable program (interned field names, compiled matchers, one condition tree per
 * rule, route variants indexed by Channel/Provider + EventID and by product), and
 * evaluates events against it through per-thread contexts that hold all scratch, so
 * the hot path neither locks nor allocates once warmed up. */
#include "detect/ww_detect_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

/* ---- string map (lowercase keys) ------------------------------------------------- */

static void strmap_free(ww__strmap_t *m)
{
    free(m->keys);
    free(m->vals);
    free(m->lens);
    memset(m, 0, sizeof *m);
}

/* The last n < 8 bytes as a little-endian word: two overlapping loads of 4 (or 2)
   bytes, shifted into place, instead of a loop of byte loads (names are short, so
   this tail was a tenth of detection's instructions).  Reads only p[0..n). */
static inline uint64_t load_tail(const char *p, size_t n)
{
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
    uint64_t w = 0;
    for (size_t k = n; k-- > 0;)
        w = w << 8 | (unsigned char)p[k];
    return w;
#endif
    if (n >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, p, 4);
        memcpy(&hi, p + n - 4, 4);
        return (uint64_t)lo | (uint64_t)hi << ((n - 4) * 8);
    }
    if (n >= 2) {
        uint16_t lo, hi;
        memcpy(&lo, p, 2);
        memcpy(&hi, p + n - 2, 2);
        return (uint64_t)lo | (uint64_t)hi << ((n - 2) * 8);
    }
    return n ? (unsigned char)p[0] : 0;
}

/* Field and source names are looked up once per field of every event: hashed and
   compared eight (lowered) bytes at a time. */
static uint32_t name_hash(const char *p, size_t n)
{
    uint64_t h = n * 0x9E3779B97F4A7C15ULL, w;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        memcpy(&w, p + i, 8);
        h = (h ^ ww__lower8(w)) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    if (i < n) {
        h = (h ^ ww__lower8(load_tail(p + i, n - i))) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    /* Linear probing needs every bit mixed into the low ones. */
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return (uint32_t)h;
}

/* Does p[0..n) lowered equal the lowercase key? */
static bool name_eq(const char *key, const char *p, size_t n)
{
    uint64_t a, b;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        memcpy(&a, key + i, 8);
        memcpy(&b, p + i, 8);
        if (a != ww__lower8(b))
            return false;
    }
    return i == n || load_tail(key + i, n - i) == ww__lower8(load_tail(p + i, n - i));
}

/* Byte equality, a word at a time. */
static bool name_same(const char *a, const char *b, size_t n)
{
    uint64_t x, y;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        if (x != y)
            return false;
    }
    return i == n || load_tail(a + i, n - i) == load_tail(b + i, n - i);
}

/* Returns the slot of key (ASCII case-insensitive) or of the empty slot to use. */
static uint32_t strmap_slot(const ww__strmap_t *m, const char *p, size_t n)
{
    uint32_t mask = m->cap - 1, i = name_hash(p, n) & mask;
    while (m->keys[i]) {
        if (m->lens[i] == n && name_eq(m->keys[i], p, n))
            return i;
        i = (i + 1) & mask;
    }
    return i;
}

static bool strmap_get(const ww__strmap_t *m, const char *p, size_t n, uint32_t *val)
{
    if (!m->cap)
        return false;
    uint32_t i = strmap_slot(m, p, n);
    if (!m->keys[i])
        return false;
    *val = m->vals[i];
    return true;
}

/* Inserts key -> val unless present; *val gets the stored value.  The key is copied
 * (lowercased) into arena a. */
static int strmap_put(ww__strmap_t *m, ww_arena_t *a, const char *key, uint32_t *val)
{
    size_t n = strlen(key);
    if (m->n * 2 + 2 > m->cap) {
        uint32_t nc = m->cap ? m->cap * 2 : 64;
        char **nk = calloc(nc, sizeof *nk);
        uint32_t *nv = calloc(nc, sizeof *nv);
        uint32_t *nl = calloc(nc, sizeof *nl);
        if (!nk || !nv || !nl) {
            free(nk);
            free(nv);
            free(nl);
            return WW_ENOMEM;
        }
        ww__strmap_t g = {nk, nv, nl, nc, m->n};
        for (uint32_t i = 0; i < m->cap; i++) {
            if (!m->keys[i])
                continue;
            uint32_t s = strmap_slot(&g, m->keys[i], m->lens[i]);
            nk[s] = m->keys[i];
            nv[s] = m->vals[i];
            nl[s] = m->lens[i];
        }
        free(m->keys);
        free(m->vals);
        free(m->lens);
        *m = g;
    }
    uint32_t s = strmap_slot(m, key, n);
    if (m->keys[s]) {
        *val = m->vals[s];
        return 0;
    }
    char *k = ww_arena_alloc(a, n + 1);
    if (!k)
        return WW_ENOMEM;
    for (size_t i = 0; i < n; i++)
        k[i] = (char)ww_lower((unsigned char)key[i]);
    k[n] = 0;
    m->keys[s] = k;
    m->vals[s] = *val;
    m->lens[s] = (uint32_t)n;
    m->n++;
    return 0;
}

/* ---- growable arrays ------------------------------------------------------------- */

static int grow(void **p, uint32_t *cap, uint32_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    uint32_t nc = *cap ? *cap : 16;
    while (nc < need)
        nc *= 2;
    void *np = realloc(*p, (size_t)nc * elem);
    if (!np)
        return WW_ENOMEM;
    memset((char *)np + (size_t)*cap * elem, 0, (size_t)(nc - *cap) * elem);
    *p = np;
    *cap = nc;
    return 0;
}

static int vlist_add(ww__vlist_t *l, uint32_t v)
{
    if (l->n && l->v[l->n - 1] == v)
        return 0;
    if (grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v))
        return WW_ENOMEM;
    l->v[l->n++] = v;
    return 0;
}

static void vlist_free(ww__vlist_t *l)
{
    free(l->v);
    free(l->ung);
    free(l->gat);
    free(l->sfid);
    free(l->gbits);
    memset(l, 0, sizeof *l);
}

/* ---- compilation ----------------------------------------------------------------- */

static int intern(ww_detect_t *d, const char *name, uint32_t *fid)
{
    uint32_t v = d->nfids;
    int rc = strmap_put(&d->fields, &d->arena, name, &v);
    if (rc)
        return rc;
    if (v == d->nfids)
        d->nfids++;
    uint32_t bit = ww__name_bit(name, strlen(name));
    d->nfilter[bit / 64] |= (uint64_t)1 << (bit % 64);
    *fid = v;
    return 0;
}

static void add_error(ww_detect_t *d, const ww_sigma_rule_t *r, uint32_t line, uint32_t col,
                      const char *msg)
{
    if (grow((void **)&d->errs, &d->errs_cap, d->nerrs + 1, sizeof *d->errs))
        return;
    ww_sigma_error_t *e = &d->errs[d->nerrs++];
    memset(e, 0, sizeof *e);
    snprintf(e->file, sizeof e->file, "%s", r->file ? r->file : "");
    e->line = line ? line : r->line;
    e->col = col;
    snprintf(e->title, sizeof e->title, "%s", r->title ? r->title : (r->id ? r->id : ""));
    snprintf(e->msg, sizeof e->msg, "%s", msg);
}

static int compile_item(ww_detect_t *d, const ww_sigma_rule_t *r, const ww_sigma_item_t *it,
                        ww__ditem_t *out, char *msg, size_t msglen)
{
    out->src = it;
    out->keyword = it->field == NULL;
    out->all = it->all;
    out->negate = it->negate;
    out->nvals = it->nvals;
    out->vals = ww_arena_calloc(&d->arena, sizeof *out->vals * (it->nvals ? it->nvals : 1));
    if (!out->vals)
        return WW_ENOMEM;
    for (uint32_t v = 0; v < it->nvals; v++) {
        const ww_sigma_value_t *sv = &it->vals[v];
        ww__dvalue_t *dv = &out->vals[v];
        dv->nalts = sv->nalts;
        dv->alts = ww_arena_calloc(&d->arena, sizeof *dv->alts * (sv->nalts ? sv->nalts : 1));
        if (!dv->alts)
            return WW_ENOMEM;
        for (uint32_t a = 0; a < sv->nalts; a++) {
            int rc = ww__dmatch_compile(d, &sv->alts[a], out->keyword, &dv->alts[a], msg, msglen);
            if (rc)
                return rc;
            uint8_t k = dv->alts[a].kind;
            if (k == DM_FIELDREF)
                out->has_fieldref = true;
            if ((k <= DM_GLOB || k == DM_FIELDREF) && !dv->alts[a].cased)
                out->needs_lower = true;
        }
        out->nalts_total += sv->nalts;
    }
    (void)r;
    return 0;
}

static int compile_node(ww_detect_t *d, ww__drule_t *dr, const ww_sigma_node_t *n, ww__dnode_t *out,
                        int depth)
{
    if (depth > 1000)
        return WW_ELIMIT;
    out->op = n->op;
    if (n->op == WW_NODE_ITEM) {
        for (uint32_t i = 0; i < dr->rule->nitems; i++)
            if (dr->rule->items[i] == n->item) {
                out->item = i;
                return 0;
            }
        return WW_EINVAL; /* an item not listed in rule->items */
    }
    out->nkids = n->nkids;
    out->kids = ww_arena_calloc(&d->arena, sizeof *out->kids * (n->nkids ? n->nkids : 1));
    if (!out->kids)
        return WW_ENOMEM;
    for (uint32_t i = 0; i < n->nkids; i++) {
        int rc = compile_node(d, dr, n->kids[i], &out->kids[i], depth + 1);
        if (rc)
            return rc;
    }
    return 0;
}

static const char *rename_field(const ww__route_t *rt, const char *f)
{
    if (!rt->windows || rt->win_any || !rt->win->renames)
        return f;
    for (const ww__rename_t *r = rt->win->renames; r->from; r++)
        if (strcasecmp(r->from, f) == 0)
            return r->to;
    return f;
}

/* Fields that must be present for the tree to be true (bits of fid % 64): an AND needs
 * what any child needs, an OR what every child needs, a NOT nothing. */
static uint64_t required(const ww__drule_t *dr, const ww__vitem_t *vi, const ww__dnode_t *n)
{
    uint64_t m;
    switch (n->op) {
    case WW_NODE_AND:
        m = 0;
        for (uint32_t i = 0; i < n->nkids; i++)
            m |= required(dr, vi, &n->kids[i]);
        return m;
    case WW_NODE_OR:
        m = ~(uint64_t)0;
        for (uint32_t i = 0; i < n->nkids; i++)
            m &= required(dr, vi, &n->kids[i]);
        return n->nkids ? m : 0;
    case WW_NODE_ITEM: {
        const ww__ditem_t *it = &dr->items[n->item];
        if (it->keyword || it->negate || it->nvals == 0)
            return 0;
        for (uint32_t v = 0; v < it->nvals; v++) {
            if (it->vals[v].nalts == 0)
                return 0;
            for (uint32_t a = 0; a < it->vals[v].nalts; a++) {
                const ww__dmatch_t *dm = &it->vals[v].alts[a];
                if (dm->kind == DM_NULL || (dm->kind == DM_EXISTS && !dm->src->b))
                    return 0; /* can be true when the field is absent */
            }
        }
        return (uint64_t)1 << (vi[n->item].fid % 64);
    }
    default: return 0;
    }
}

static int add_variant(ww_detect_t *d, ww__drule_t *dr, const ww__route_t *rt)
{
    int rc;
    if ((rc = grow((void **)&d->vars, &d->vars_cap, d->nvars + 1, sizeof *d->vars)))
        return rc;
    ww__variant_t *v = &d->vars[d->nvars];
    memset(v, 0, sizeof *v);
    v->r = dr; /* re-pointed by ww_detect_compile once d->rules stops moving */
    v->ri = dr->index;
    v->route = *rt;
    v->eq_fid = WW__NOFID;
    v->vitems = ww_arena_calloc(&d->arena, sizeof *v->vitems * (dr->nitems ? dr->nitems : 1));
    if (!v->vitems)
        return WW_ENOMEM;
    for (uint32_t i = 0; i < dr->nitems; i++) {
        const ww__ditem_t *it = &dr->items[i];
        v->vitems[i].fid = WW__NOFID;
        if (!it->keyword && (rc = intern(d, rename_field(rt, it->src->field), &v->vitems[i].fid)))
            return rc;
        if (it->has_fieldref) {
            uint32_t *rf = ww_arena_calloc(&d->arena, sizeof *rf * it->nalts_total);
            if (!rf)
                return WW_ENOMEM;
            uint32_t k = 0;
            for (uint32_t a = 0; a < it->nvals; a++)
                for (uint32_t b = 0; b < it->vals[a].nalts; b++, k++) {
                    const ww__dmatch_t *dm = &it->vals[a].alts[b];
                    rf[k] = WW__NOFID;
                    if (dm->kind == DM_FIELDREF && dm->src->ref &&
                        (rc = intern(d, rename_field(rt, dm->src->ref), &rf[k])))
                        return rc;
                }
            v->vitems[i].ref_fids = rf;
        }
    }
    if (rt->windows && !rt->win_any && rt->win->eq_field &&
        (rc = intern(d, rt->win->eq_field, &v->eq_fid)))
        return rc;
    v->reqmask = required(dr, v->vitems, dr->root);
    d->nvars++;
    return 0;
}

static int compile_rule(ww_detect_t *d, const ww_sigma_rule_t *r)
{
    char msg[256] = "";
    int rc;
    ww__route_t routes[WW__MAX_ROUTES];
    if ((rc = grow((void **)&d->rules, &d->rules_cap, d->nrules + 1, sizeof *d->rules)))
        return rc;
    ww__drule_t *dr = &d->rules[d->nrules];
    memset(dr, 0, sizeof *dr);
    dr->rule = r;
    dr->index = d->nrules;
    dr->nitems = r->nitems;
    dr->items = ww_arena_calloc(&d->arena, sizeof *dr->items * (r->nitems ? r->nitems : 1));
    dr->root = ww_arena_calloc(&d->arena, sizeof *dr->root);
    if (!dr->items || !dr->root)
        return WW_ENOMEM;
    uint32_t res_before = d->nres;
    for (uint32_t i = 0; i < r->nitems; i++) {
        rc = compile_item(d, r, r->items[i], &dr->items[i], msg, sizeof msg);
        if (rc == WW_ENOMEM)
            return rc;
        if (rc) {
            add_error(d, r, r->items[i]->line, r->items[i]->col, msg);
            goto reject;
        }
    }
    rc = compile_node(d, dr, r->cond, dr->root, 0);
    if (rc == WW_ENOMEM)
        return rc;
    if (rc) {
        add_error(d, r, r->line, 0,
                  rc == WW_ELIMIT ? "condition nested too deeply"
                                  : "condition refers to an unknown item");
        goto reject;
    }
    int nr = ww__logsource_routes(&r->logsource, routes, WW__MAX_ROUTES);
    d->nrules++;
    for (int i = 0; i < nr; i++)
        if ((rc = add_variant(d, dr, &routes[i])))
            return rc;
    return 0;
reject:
    /* Regexes of a rejected rule are not needed. */
    while (d->nres > res_before)
        pcre2_code_free(d->res[--d->nres]);
    return 0;
}

static int source_get(ww_detect_t *d, bool prov, const char *name, ww__source_t **out)
{
    ww__strmap_t *m = prov ? &d->prov_map : &d->chan_map;
    ww__source_t **arr = prov ? &d->provs : &d->chans;
    uint32_t *n = prov ? &d->nprovs : &d->nchans, *cap = prov ? &d->provs_cap : &d->chans_cap;
    uint32_t idx = *n;
    int rc = strmap_put(m, &d->arena, name, &idx);
    if (rc)
        return rc;
    if (idx == *n) {
        if ((rc = grow((void **)arr, cap, *n + 1, sizeof **arr)))
            return rc;
        (*n)++;
    }
    *out = &(*arr)[idx];
    return 0;
}

static ww__vlist_t *source_eid(ww__source_t *s, int32_t eid)
{
    for (uint32_t i = 0; i < s->neids; i++)
        if (s->eids[i].eid == eid)
            return &s->eids[i].list;
    uint32_t cap = s->neids; /* exact-size growth: few eids per source */
    if (grow((void **)&s->eids, &cap, s->neids + 1, sizeof *s->eids))
        return NULL;
    s->eids[s->neids].eid = eid;
    return &s->eids[s->neids++].list;
}

static int cmp_eid(const void *a, const void *b)
{
    int32_t x = ((const ww__eidlist_t *)a)->eid, y = ((const ww__eidlist_t *)b)->eid;
    return (x > y) - (x < y);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int vlist_merge(ww__vlist_t *dst, const ww__vlist_t *src)
{
    for (uint32_t i = 0; i < src->n; i++) {
        if (grow((void **)&dst->v, &dst->cap, dst->n + 1, sizeof *dst->v))
            return WW_ENOMEM;
        dst->v[dst->n++] = src->v[i];
    }
    if (dst->n < 2)
        return 0;
    qsort(dst->v, dst->n, sizeof *dst->v, cmp_u32);
    uint32_t k = 0;
    for (uint32_t i = 0; i < dst->n; i++)
        if (!k || dst->v[k - 1] != dst->v[i])
            dst->v[k++] = dst->v[i];
    dst->n = k;
    return 0;
}

static int index_sources(ww_detect_t *d, uint32_t vi, bool prov, const char *const *names)
{
    const ww__winroute_t *w = d->vars[vi].route.win;
    for (const char *const *p = names; p && *p; p++) {
        ww__source_t *s;
        int rc = source_get(d, prov, *p, &s);
        if (rc)
            return rc;
        if (!w->eids) {
            if ((rc = vlist_add(&s->any, vi)))
                return rc;
            continue;
        }
        for (const int32_t *e = w->eids; *e >= 0; e++) {
            ww__vlist_t *l = source_eid(s, *e);
            if (!l || vlist_add(l, vi))
                return WW_ENOMEM;
        }
    }
    return 0;
}

static int keyed_add(ww_detect_t *d, ww__keyed_t *k, const char *key, uint32_t vi)
{
    uint32_t idx = k->n;
    int rc = strmap_put(&k->map, &d->arena, key, &idx);
    if (rc)
        return rc;
    if (idx == k->n) {
        if ((rc = grow((void **)&k->lists, &k->cap, k->n + 1, sizeof *k->lists)))
            return rc;
        k->n++;
    }
    return vlist_add(&k->lists[idx], vi);
}

static void keyed_free(ww__keyed_t *k)
{
    for (uint32_t i = 0; i < k->n; i++)
        vlist_free(&k->lists[i]);
    free(k->lists);
    strmap_free(&k->map);
}

/* Files a generic route under its category, or its service -- unless the service
   also matches other names (ww__generic_route_match: syslog, auth). */
static int gen_add(ww_detect_t *d, ww__gen_t *g, const ww__route_t *rt, uint32_t vi)
{
    if (rt->category)
        return keyed_add(d, &g->cats, rt->category, vi);
    if (rt->service && strcmp(rt->service, "syslog") != 0 && strcmp(rt->service, "auth") != 0)
        return keyed_add(d, &g->svcs, rt->service, vi);
    return vlist_add(&g->any, vi);
}

static void gen_free(ww__gen_t *g)
{
    vlist_free(&g->any);
    keyed_free(&g->cats);
    keyed_free(&g->svcs);
}

/* ---- EventIDs from conditions ---------------------------------------------------- */

#define EIDSET_MAX 64

typedef struct eidset {
    bool top; /* no requirement */
    uint32_t n;
    int32_t v[EIDSET_MAX];
} eidset_t;

/* The EventID a matcher of the EventID field stands for: an equality with a whole
   number that ww_parse_i64 reads back the same way from the event's value. */
static bool eid_literal(const ww__dmatch_t *m, int32_t *out)
{
    int64_t x;
    if (m->kind == DM_NUM) {
        const ww_sigma_match_t *sm = m->src;
        if (sm->cmp != WW_CMP_EQ || !(sm->num >= 0 && sm->num <= INT32_MAX) ||
            sm->num != (double)(int32_t)sm->num)
            return false;
        if (sm->numtext &&
            (ww_parse_i64(sm->numtext, strlen(sm->numtext), &x) != 0 || x != (int64_t)sm->num))
            return false;
        *out = (int32_t)sm->num;
        return true;
    }
    if (m->kind == DM_EXACT && ww_parse_i64(m->lit, m->n, &x) == 0 && x >= 0 && x <= INT32_MAX) {
        *out = (int32_t)x;
        return true;
    }
    return false;
}

static void eidset_add(eidset_t *s, int32_t e)
{
    for (uint32_t i = 0; i < s->n; i++)
        if (s->v[i] == e)
            return;
    if (s->n == EIDSET_MAX)
        s->top = true;
    else
        s->v[s->n++] = e;
}

/* The EventIDs the node requires (conservatively: top when unsure). */
static void node_eids(const ww_detect_t *d, const ww__variant_t *var, const ww__dnode_t *n,
                      eidset_t *out)
{
    memset(out, 0, sizeof *out);
    out->top = true;
    switch (n->op) {
    case WW_NODE_AND: {
        eidset_t k;
        for (uint32_t i = 0; i < n->nkids; i++) {
            node_eids(d, var, &n->kids[i], &k);
            if (k.top)
                continue;
            if (out->top) {
                *out = k;
                continue;
            }
            uint32_t w = 0; /* intersection */
            for (uint32_t a = 0; a < out->n; a++)
                for (uint32_t b = 0; b < k.n; b++)
                    if (out->v[a] == k.v[b]) {
                        out->v[w++] = out->v[a];
                        break;
                    }
            out->n = w;
        }
        return;
    }
    case WW_NODE_OR: {
        eidset_t k;
        if (!n->nkids)
            return;
        out->top = false;
        for (uint32_t i = 0; i < n->nkids && !out->top; i++) {
            node_eids(d, var, &n->kids[i], &k);
            if (k.top)
                out->top = true;
            for (uint32_t j = 0; j < k.n && !out->top; j++)
                eidset_add(out, k.v[j]);
        }
        return;
    }
    case WW_NODE_ITEM: {
        const ww__ditem_t *it = &var->r->items[n->item];
        if (it->keyword || it->negate || var->vitems[n->item].fid != d->eid_fid ||
            (it->all && it->nvals > 1) || !it->nvals)
            return;
        eidset_t s = {0};
        for (uint32_t v = 0; v < it->nvals; v++)
            for (uint32_t a = 0; a < it->vals[v].nalts; a++) {
                int32_t e;
                if (!eid_literal(&it->vals[v].alts[a], &e))
                    return;
                eidset_add(&s, e);
            }
        if (!s.top && s.n)
            *out = s;
        return;
    }
    default: return;
    }
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Sets v->ceids for a Windows route variant whose condition names its EventIDs. */
static int var_eids(ww_detect_t *d, ww__variant_t *v)
{
    eidset_t s;
    if (!v->route.windows || d->eid_fid == WW__NOFID)
        return 0;
    node_eids(d, v, v->r->root, &s);
    if (s.top)
        return 0;
    v->has_ceids = true;
    v->nceids = s.n;
    if (!s.n)
        return 0;
    if (!(v->ceids = ww_arena_alloc(&d->arena, s.n * sizeof *v->ceids)))
        return WW_ENOMEM;
    memcpy(v->ceids, s.v, s.n * sizeof *s.v);
    qsort(v->ceids, s.n, sizeof *v->ceids, cmp_i32);
    return 0;
}

/* Keeps the variants of l whose condition admits EventID eid (-1: any other). */
static int refine(const ww_detect_t *d, ww__vlist_t *l, int32_t eid)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < l->n; i++) {
        const ww__variant_t *v = &d->vars[l->v[i]];
        bool keep = !v->has_ceids || (eid >= 0 && v->nceids &&
                                      bsearch(&eid, v->ceids, v->nceids, sizeof eid, cmp_i32));
        if (keep)
            l->v[k++] = l->v[i];
    }
    l->n = k;
    return 0;
}

static int build_index(ww_detect_t *d)
{
    int rc;
    for (uint32_t vi = 0; vi < d->nvars; vi++) {
        const ww__route_t *rt = &d->vars[vi].route;
        if (rt->windows && rt->win_any) {
            if ((rc = vlist_add(&d->win_all, vi)))
                return rc;
        } else if (rt->windows) {
            if ((rc = index_sources(d, vi, false, rt->win->channels)) ||
                (rc = index_sources(d, vi, true, rt->win->providers)))
                return rc;
        } else if (rt->product) {
            uint32_t idx = d->nprods;
            if ((rc = strmap_put(&d->prod_map, &d->arena, rt->product, &idx)))
                return rc;
            if (idx == d->nprods) {
                if ((rc = grow((void **)&d->prods, &d->prods_cap, d->nprods + 1, sizeof *d->prods)))
                    return rc;
                d->nprods++;
            }
            if ((rc = gen_add(d, &d->prods[idx], rt, vi)))
                return rc;
        } else if ((rc = gen_add(d, &d->gen_any, rt, vi))) {
            return rc;
        }
    }
    for (uint32_t vi = 0; vi < d->nvars; vi++)
        if ((rc = var_eids(d, &d->vars[vi])))
            return rc;
    /* Merge so that one list per (source, EventID) holds everything to evaluate:
       channel lists also carry the every-Windows-event variants.  EventIDs that
       only conditions name get lists of their own, then each list is refined. */
    for (int prov = 0; prov < 2; prov++) {
        ww__source_t *arr = prov ? d->provs : d->chans;
        uint32_t n = prov ? d->nprovs : d->nchans;
        for (uint32_t i = 0; i < n; i++) {
            ww__source_t *s = &arr[i];
            if (!prov && (rc = vlist_merge(&s->any, &d->win_all)))
                return rc;
            for (uint32_t k = 0; k < s->any.n; k++) {
                const ww__variant_t *v = &d->vars[s->any.v[k]];
                for (uint32_t j = 0; j < v->nceids; j++)
                    if (!source_eid(s, v->ceids[j]))
                        return WW_ENOMEM;
            }
            for (uint32_t e = 0; e < s->neids; e++)
                if ((rc = vlist_merge(&s->eids[e].list, &s->any)) ||
                    (rc = vlist_merge(&s->eids[e].full, &s->eids[e].list)) ||
                    (rc = refine(d, &s->eids[e].list, s->eids[e].eid)))
                    return rc;
            if ((rc = vlist_merge(&s->fany, &s->any)) || (rc = refine(d, &s->any, -1)))
                return rc;
            if (s->neids > 1)
                qsort(s->eids, s->neids, sizeof *s->eids, cmp_eid);
        }
    }
    return 0;
}

/* Splits every candidate list for the gram index (ww__pf_list). */
static int split_lists(ww_detect_t *d)
{
    int rc = 0;
    uint32_t st = 0, *stamp = calloc(d->nfids ? d->nfids : 1, sizeof *stamp);
    if (!stamp)
        return WW_ENOMEM;
    for (int prov = 0; prov < 2 && !rc; prov++) {
        ww__source_t *arr = prov ? d->provs : d->chans;
        uint32_t n = prov ? d->nprovs : d->nchans;
        for (uint32_t i = 0; i < n && !rc; i++) {
            rc = ww__pf_list(d, &arr[i].any, stamp, st += 2);
            if (!rc)
                rc = ww__pf_list(d, &arr[i].fany, stamp, st += 2);
            for (uint32_t e = 0; e < arr[i].neids && !rc; e++)
                if (!(rc = ww__pf_list(d, &arr[i].eids[e].list, stamp, st += 2)))
                    rc = ww__pf_list(d, &arr[i].eids[e].full, stamp, st += 2);
        }
    }
    for (uint32_t i = 0; i <= d->nprods && !rc; i++) {
        ww__gen_t *g = i < d->nprods ? &d->prods[i] : &d->gen_any;
        rc = ww__pf_list(d, &g->any, stamp, st += 2);
        for (uint32_t c = 0; c < g->cats.n && !rc; c++)
            rc = ww__pf_list(d, &g->cats.lists[c], stamp, st += 2);
        for (uint32_t c = 0; c < g->svcs.n && !rc; c++)
            rc = ww__pf_list(d, &g->svcs.lists[c], stamp, st += 2);
    }
    if (!rc)
        rc = ww__pf_list(d, &d->win_all, stamp, st += 2);
    free(stamp);
    return rc;
}

int ww_detect_compile(const ww_sigma_ruleset_t *rs, const ww_detect_opts_t *opts, ww_detect_t **out)
{
    int rc = WW_ENOMEM;
    ww_detect_t *d = calloc(1, sizeof *d);
    if (!d)
        return WW_ENOMEM;
    d->refs = 1;
    d->rs = rs;
    d->no_prefilter = opts && opts->no_prefilter;
    ww_arena_init(&d->arena, 256 * 1024, 0);
    uint32_t n = ww_sigma_count(rs);
    for (uint32_t i = 0; i < n; i++) {
        const ww_sigma_rule_t *r = ww_sigma_rule(rs, i);
        if (!r || !r->cond || r->corr)
            continue;
        if ((rc = compile_rule(d, r)))
            goto out;
    }
    for (uint32_t i = 0; i < d->nvars; i++)
        d->vars[i].r = &d->rules[d->vars[i].ri];
    /* Grams once every literal is known: a gram's choice weighs how many of the
       ruleset's literals share it (ww__pf_count). */
    if (!d->no_prefilter) {
        if ((rc = ww__pf_count(d)))
            goto out;
        for (uint32_t i = 0; i < d->nrules; i++)
            if ((rc = ww__pf_rule(d, &d->rules[i])))
                goto out;
        for (uint32_t i = 0; i < d->nvars; i++)
            if ((rc = ww__pf_variant(d, &d->vars[i])))
                goto out;
    }
    if (!strmap_get(&d->fields, "EventID", 7, &d->eid_fid))
        d->eid_fid = WW__NOFID;
    if ((rc = build_index(d)) || (rc = ww__pf_finish(d)) || (rc = split_lists(d)))
        goto out;
    *out = d;
    d = NULL;
    rc = 0;
out:
    if (d)
        ww_detect_unref(d);
    return rc;
}

ww_detect_t *ww_detect_ref(ww_detect_t *d)
{
    if (d)
        __atomic_add_fetch(&d->refs, 1, __ATOMIC_RELAXED);
    return d;
}

void ww_detect_unref(ww_detect_t *d)
{
    if (!d || __atomic_sub_fetch(&d->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    for (uint32_t i = 0; i < d->nres; i++)
        pcre2_code_free(d->res[i]);
    free(d->res);
    for (uint32_t i = 0; i < d->nchans; i++) {
        vlist_free(&d->chans[i].any);
        vlist_free(&d->chans[i].fany);
        for (uint32_t e = 0; e < d->chans[i].neids; e++) {
            vlist_free(&d->chans[i].eids[e].list);
            vlist_free(&d->chans[i].eids[e].full);
        }
        free(d->chans[i].eids);
    }
    for (uint32_t i = 0; i < d->nprovs; i++) {
        vlist_free(&d->provs[i].any);
        vlist_free(&d->provs[i].fany);
        for (uint32_t e = 0; e < d->provs[i].neids; e++) {
            vlist_free(&d->provs[i].eids[e].list);
            vlist_free(&d->provs[i].eids[e].full);
        }
        free(d->provs[i].eids);
    }
    free(d->chans);
    free(d->provs);
    for (uint32_t i = 0; i < d->nprods; i++)
        gen_free(&d->prods[i]);
    free(d->prods);
    gen_free(&d->gen_any);
    vlist_free(&d->win_all);
    strmap_free(&d->fields);
    strmap_free(&d->chan_map);
    strmap_free(&d->prov_map);
    strmap_free(&d->prod_map);
    free(d->rules);
    free(d->vars);
    free(d->errs);
    ww__pf_free(d);
    ww_arena_release(&d->arena);
    free(d);
}

uint32_t ww_detect_rule_count(const ww_detect_t *d)
{
    return d ? d->nrules : 0;
}

uint32_t ww_detect_error_count(const ww_detect_t *d)
{
    return d ? d->nerrs : 0;
}

const ww_sigma_error_t *ww_detect_error(const ww_detect_t *d, uint32_t i)
{
    return d && i < d->nerrs ? &d->errs[i] : NULL;
}

/* ---- contexts -------------------------------------------------------------------- */

void ww_detect_ctx_free(ww_detect_ctx_t *ctx)
{
    if (!ctx)
        return;
    free(ctx->fstamp);
    free(ctx->ffirst);
    free(ctx->flast);
    free(ctx->fnext);
    free(ctx->lstamp);
    free(ctx->loff);
    free(ctx->lbuf);
    free(ctx->rstamp);
    free(ctx->matches);
    free(ctx->known);
    free(ctx->gstamp);
    free(ctx->gmask);
    free(ctx->ifid);
    free(ctx->fscan);
    free(ctx->kscan);
    free(ctx->seen);
    free(ctx->pmask);
    free(ctx->vmark);
    free(ctx->vsgen);
    free(ctx->vsets);
    free(ctx->vpart);
    free(ctx->cand);
    free(ctx->cbits);
    free(ctx->nc);
    free(ctx->ksgen);
    pcre2_match_data_free(ctx->md);
    pcre2_match_context_free(ctx->mctx);
    pcre2_jit_stack_free(ctx->jstack);
    ww_detect_unref(ctx->d);
    free(ctx);
}

int ww_detect_ctx_new(ww_detect_t *d, ww_detect_ctx_t **out)
{
    ww_detect_ctx_t *c = calloc(1, sizeof *c);
    if (!c)
        return WW_ENOMEM;
    c->d = ww_detect_ref(d);
    size_t nf = d->nfids ? d->nfids : 1, nr = d->nrules ? d->nrules : 1;
    size_t slots = WW_EVENT_MAX_FIELDS + 1; /* + the raw line */
    c->fstamp = calloc(nf, sizeof *c->fstamp);
    c->ffirst = calloc(nf, sizeof *c->ffirst);
    c->flast = calloc(nf, sizeof *c->flast);
    c->fnext = calloc(slots, sizeof *c->fnext);
    c->lstamp = calloc(slots, sizeof *c->lstamp);
    c->loff = calloc(slots, sizeof *c->loff);
    c->rstamp = calloc(nr, sizeof *c->rstamp);
    c->matches = calloc(nr, sizeof *c->matches);
    c->known = calloc(slots, sizeof *c->known);
    c->gstamp = calloc(d->ngrams ? d->ngrams : 1, sizeof *c->gstamp);
    c->gmask = calloc(d->ngrams ? d->ngrams : 1, sizeof *c->gmask);
    c->ifid = calloc(slots, sizeof *c->ifid);
    c->fscan = calloc(nf, sizeof *c->fscan);
    c->kscan = calloc(d->ngrams ? d->ngrams : 1, sizeof *c->kscan);
    c->seen = calloc(d->ngrams ? d->ngrams : 1, sizeof *c->seen);
    c->pmask = calloc(d->ngrams ? d->ngrams : 1, sizeof *c->pmask);
    c->vmark = calloc(d->nvars ? d->nvars : 1, sizeof *c->vmark);
    c->vsgen = calloc(d->nvars ? d->nvars : 1, sizeof *c->vsgen);
    c->vsets = calloc(d->nvars ? d->nvars : 1, 1);
    c->vpart = calloc(d->nvars ? d->nvars : 1, sizeof *c->vpart);
    c->cand = calloc(d->nvars ? d->nvars : 1, sizeof *c->cand);
    c->cbits = calloc(d->nvars / 64 + 1, sizeof *c->cbits);
    c->ksgen = calloc(d->nkwsets ? d->nkwsets : 1, sizeof *c->ksgen);
    if ((c->nc = malloc(WW__NCACHE * WW__NCWAYS * sizeof *c->nc)))
        for (uint32_t i = 0; i < WW__NCACHE * WW__NCWAYS; i++)
            c->nc[i].len = UINT16_MAX;
    for (int i = 0; i < WW__NMEMO; i++)
        c->memo[i].len = UINT16_MAX;
    c->md = pcre2_match_data_create(1, NULL);
    c->mctx = pcre2_match_context_create(NULL);
    c->jstack =
        pcre2_jit_stack_create(WW_DETECT_RE_JIT_STACK_MIN, WW_DETECT_RE_JIT_STACK_MAX, NULL);
    if (!c->fstamp || !c->ffirst || !c->flast || !c->fnext || !c->lstamp || !c->loff ||
        !c->rstamp || !c->matches || !c->known || !c->gstamp || !c->gmask || !c->ifid ||
        !c->fscan || !c->kscan || !c->seen || !c->pmask || !c->vmark || !c->vsgen || !c->vsets ||
        !c->vpart || !c->cand || !c->cbits || !c->ksgen || !c->nc || !c->md || !c->mctx ||
        !c->jstack) {
        ww_detect_ctx_free(c);
        return WW_ENOMEM;
    }
    /* Bound backtracking so one hostile value cannot stall a worker. */
    pcre2_set_match_limit(c->mctx, WW_DETECT_RE_MATCH_LIMIT);
    pcre2_set_depth_limit(c->mctx, WW_DETECT_RE_DEPTH_LIMIT);
    pcre2_set_heap_limit(c->mctx, WW_DETECT_RE_HEAP_LIMIT_KIB);
    pcre2_jit_stack_assign(c->mctx, NULL, c->jstack);
    *out = c;
    return 0;
}

/* ---- evaluation ------------------------------------------------------------------ */

/* The fid of a name (WW__NOFID: no rule uses it) through the ways of its index's
   cache: a hit in a later way moves it first; a miss looks the name up and takes the
   last way's place. */
static uint32_t name_fid(ww_detect_ctx_t *ctx, ww__ncache_t *w, ww_str_t name)
{
    for (uint32_t k = 0; k < WW__NCWAYS; k++) {
        if (w[k].len != name.n || !name_same(w[k].name, name.p, name.n))
            continue;
        if (k) {
            ww__ncache_t t = w[k];
            w[k] = w[0];
            w[0] = t;
        }
        return w[0].fid;
    }
    uint32_t fid;
    if (!strmap_get(&ctx->d->fields, name.p, name.n, &fid))
        fid = WW__NOFID;
    w[WW__NCWAYS - 1] = w[0];
    w[0].fid = fid;
    w[0].len = (uint16_t)name.n;
    memcpy(w[0].name, name.p, name.n);
    return fid;
}

static void begin_event(ww_detect_ctx_t *ctx, const ww_event_t *ev)
{
    const ww_detect_t *d = ctx->d;
    for (uint32_t i = 0; i < ctx->ncand; i++)
        ctx->cbits[ctx->cand[i] / 64] = 0;
    ctx->ncand = 0;
    if (++ctx->gen == 0) {
        /* Wrapped: old stamps could look current. */
        memset(ctx->fstamp, 0, sizeof *ctx->fstamp * (d->nfids ? d->nfids : 1));
        memset(ctx->lstamp, 0, sizeof *ctx->lstamp * (WW_EVENT_MAX_FIELDS + 1));
        memset(ctx->rstamp, 0, sizeof *ctx->rstamp * (d->nrules ? d->nrules : 1));
        memset(ctx->gstamp, 0, sizeof *ctx->gstamp * (d->ngrams ? d->ngrams : 1));
        memset(ctx->fscan, 0, sizeof *ctx->fscan * (d->nfids ? d->nfids : 1));
        memset(ctx->kscan, 0, sizeof *ctx->kscan * (d->ngrams ? d->ngrams : 1));
        memset(ctx->vmark, 0, sizeof *ctx->vmark * (d->nvars ? d->nvars : 1));
        memset(ctx->vsgen, 0, sizeof *ctx->vsgen * (d->nvars ? d->nvars : 1));
        memset(ctx->vpart, 0, sizeof *ctx->vpart * (d->nvars ? d->nvars : 1));
        memset(ctx->ksgen, 0, sizeof *ctx->ksgen * (d->nkwsets ? d->nkwsets : 1));
        ctx->any_gen = 0;
        ctx->ipgen = 0;
        ctx->gen = 1;
    }
    ctx->ev = ev;
    ctx->present = 0;
    ctx->llen = 0;
    ctx->nmatches = 0;
    ctx->nknown = 0;
    ctx->nseen = 0;
    uint32_t nf = ev->nfields < WW_EVENT_MAX_FIELDS ? ev->nfields : WW_EVENT_MAX_FIELDS;
    for (uint32_t i = 0; i < nf; i++) {
        const ww_field_t *f = &ev->fields[i];
        uint32_t fid;
        ctx->fnext[i] = UINT32_MAX;
        ctx->ifid[i] = WW__NOFID;
        uint32_t bit = ww__name_bit(f->name.p, f->name.n);
        if (!(d->nfilter[bit / 64] & (uint64_t)1 << (bit % 64)))
            continue; /* no rule names it */
        if (i < WW__NCACHE && f->name.n <= WW__NCNAME)
            fid = name_fid(ctx, &ctx->nc[i * WW__NCWAYS], f->name);
        else if (!strmap_get(&d->fields, f->name.p, f->name.n, &fid))
            fid = WW__NOFID;
        if (fid == WW__NOFID)
            continue;
        ctx->known[ctx->nknown++] = i;
        ctx->ifid[i] = fid;
        if (ctx->fstamp[fid] != ctx->gen) {
            ctx->fstamp[fid] = ctx->gen;
            ctx->ffirst[fid] = i;
            ctx->present |= (uint64_t)1 << (fid % 64);
        } else {
            ctx->fnext[ctx->flast[fid]] = i;
        }
        ctx->flast[fid] = i;
    }
}

static bool value_any(ww_detect_ctx_t *ctx, const ww__ditem_t *it, const ww__vitem_t *vi,
                      uint32_t v, uint32_t flat, const ww__fval_t *fv)
{
    const ww__dvalue_t *dv = &it->vals[v];
    for (uint32_t a = 0; a < dv->nalts; a++)
        if (ww__dmatch_eval(ctx, &dv->alts[a], fv,
                            vi->ref_fids ? vi->ref_fids[flat + a] : WW__NOFID))
            return true;
    return false;
}

/* Does value v of the item match the absent field?  Only null / exists:false can. */
static bool value_absent(const ww__dvalue_t *dv)
{
    for (uint32_t a = 0; a < dv->nalts; a++) {
        const ww__dmatch_t *m = &dv->alts[a];
        if (m->kind == DM_NULL || (m->kind == DM_EXISTS && !m->src->b))
            return true;
    }
    return false;
}

static bool keyword_value(ww_detect_ctx_t *ctx, const ww__ditem_t *it, const ww__vitem_t *vi,
                          uint32_t v, uint32_t flat)
{
    const ww_event_t *ev = ctx->ev;
    uint32_t nf = ev->nfields < WW_EVENT_MAX_FIELDS ? ev->nfields : WW_EVENT_MAX_FIELDS;
    for (uint32_t i = 0; i < nf; i++) {
        const ww_field_t *f = &ev->fields[i];
        if (f->type == WW_F_NULL)
            continue;
        ww__fval_t fv = {f, f->value.p, f->value.n, i, f->type};
        if (value_any(ctx, it, vi, v, flat, &fv))
            return true;
    }
    if ((ev->kind == WW_EV_SYSLOG || ev->kind == WW_EV_TEXT) && ev->raw.n) {
        ww__fval_t fv = {NULL, ev->raw.p, ev->raw.n, WW_EVENT_MAX_FIELDS, WW_F_STR};
        if (value_any(ctx, it, vi, v, flat, &fv))
            return true;
    }
    return false;
}

static bool field_value(ww_detect_ctx_t *ctx, const ww__ditem_t *it, const ww__vitem_t *vi,
                        uint32_t v, uint32_t flat)
{
    const ww_event_t *ev = ctx->ev;
    uint32_t j = ww__ffirst(ctx, vi->fid);
    if (j == UINT32_MAX)
        return value_absent(&it->vals[v]);
    for (; j != UINT32_MAX; j = ctx->fnext[j]) {
        const ww_field_t *f = &ev->fields[j];
        ww__fval_t fv = {f, f->value.p, f->value.n, j, f->type};
        if (value_any(ctx, it, vi, v, flat, &fv))
            return true;
    }
    return false;
}

static bool eval_item(ww_detect_ctx_t *ctx, const ww__ditem_t *it, const ww__vitem_t *vi)
{
    bool res = it->all;
    uint32_t flat = 0;
    for (uint32_t v = 0; v < it->nvals; v++) {
        bool m =
            it->keyword ? keyword_value(ctx, it, vi, v, flat) : field_value(ctx, it, vi, v, flat);
        flat += it->vals[v].nalts;
        if (it->all && !m) {
            res = false;
            break;
        }
        if (!it->all && m) {
            res = true;
            break;
        }
    }
    return it->negate ? !res : res;
}

static bool eval_node(ww_detect_ctx_t *ctx, const ww__variant_t *var, const ww__dnode_t *n)
{
    switch (n->op) {
    case WW_NODE_AND:
        for (uint32_t i = 0; i < n->nkids; i++)
            if (!eval_node(ctx, var, &n->kids[i]))
                return false;
        return true;
    case WW_NODE_OR:
        for (uint32_t i = 0; i < n->nkids; i++)
            if (eval_node(ctx, var, &n->kids[i]))
                return true;
        return false;
    case WW_NODE_NOT: return n->nkids ? !eval_node(ctx, var, &n->kids[0]) : true;
    default: return eval_item(ctx, &var->r->items[n->item], &var->vitems[n->item]);
    }
}

static bool route_extra_ok(ww_detect_ctx_t *ctx, const ww__variant_t *v)
{
    if (v->eq_fid == WW__NOFID)
        return true;
    for (uint32_t j = ww__ffirst(ctx, v->eq_fid); j != UINT32_MAX; j = ctx->fnext[j]) {
        ww_str_t val = ctx->ev->fields[j].value;
        for (const char *const *p = v->route.win->eq_values; *p; p++)
            if (ww_str_ieq(val, WW_STRZ(*p)))
                return true;
    }
    return false;
}

static void run_variant(ww_detect_ctx_t *ctx, uint32_t vi, bool generic)
{
    const ww__variant_t *v = &ctx->d->vars[vi];
    uint32_t ri = v->r->index;
    if (ctx->rstamp[ri] == ctx->gen)
        return; /* already matched through another variant */
    if (!ctx->d->no_prefilter && (v->reqmask & ~ctx->present))
        return;
    if (generic && !ww__generic_route_match(&v->route, ctx->ev))
        return;
    if (!route_extra_ok(ctx, v) || !eval_node(ctx, v, v->r->root))
        return;
    ctx->rstamp[ri] = ctx->gen;
    ctx->matches[ctx->nmatches++] = ri;
}

/* The gated variants of a long list through its bitmap: only those with a set seen
   in this event (ctx->cbits) can be marked, and they are met in ascending order, as
   the walk of l->gat meets them -- so the same variants are evaluated in the same
   order.  The event's bits are read again after each one: ww__pf_second may mark
   variants further on, which the walk of gat would meet too. */
static void run_gated_bits(ww_detect_ctx_t *ctx, const ww__vlist_t *l, bool generic)
{
    const uint64_t *cb = ctx->cbits;
    for (uint32_t w = l->gw0; w < l->gw1; w++) {
        uint64_t lb = l->gbits[w - l->gw0], m;
        while ((m = cb[w] & lb)) {
            unsigned b = (unsigned)__builtin_ctzll(m);
            lb = b == 63 ? 0 : lb & ~(((uint64_t)2 << b) - 1); /* passed: b and below */
            uint32_t vi = w * 64 + b;
            if (ctx->vmark[vi] == ctx->gen ||
                (ctx->vpart[vi] == ctx->gen && ww__pf_second(ctx, l, vi)))
                run_variant(ctx, vi, generic);
        }
    }
}

/* Evaluates a candidate list: every variant without a literal requirement, and
   those with one that the gram index marked (ww__pf_prepare). */
static void run_list(ww_detect_ctx_t *ctx, const ww__vlist_t *l, bool generic)
{
    if (ctx->d->no_prefilter) {
        for (uint32_t k = 0; k < l->n; k++)
            run_variant(ctx, l->v[k], generic);
        return;
    }
    for (uint32_t k = 0; k < l->nung; k++)
        run_variant(ctx, l->ung[k], generic);
    if (!l->ngat)
        return;
    ww__pf_prepare(ctx, l);
    if (l->gbits) {
        run_gated_bits(ctx, l, generic);
        return;
    }
    for (uint32_t k = 0; k < l->ngat; k++) {
        uint32_t vi = l->gat[k];
        if (ctx->vmark[vi] == ctx->gen || (ctx->vpart[vi] == ctx->gen && ww__pf_second(ctx, l, vi)))
            run_variant(ctx, vi, generic);
    }
}

/* strmap_get through the memo of one routing fact. */
static bool memo_get(ww__memo_t *mo, const ww__strmap_t *m, ww_str_t key, uint32_t *idx)
{
    if (mo->map == m && mo->len == key.n && name_same(mo->name, key.p, key.n)) {
        *idx = mo->idx;
        return mo->found;
    }
    bool found = strmap_get(m, key.p, key.n, idx);
    if (key.n <= WW__NCNAME) {
        mo->map = m;
        mo->idx = found ? *idx : 0;
        mo->found = found;
        mo->len = (uint16_t)key.n;
        memcpy(mo->name, key.p, key.n);
    }
    return found;
}

static void run_keyed(ww_detect_ctx_t *ctx, const ww__keyed_t *k, ww_str_t key, int memo)
{
    uint32_t idx;
    if (key.n && k->n && memo_get(&ctx->memo[memo], &k->map, key, &idx))
        run_list(ctx, &k->lists[idx], true);
}

/* `any`: g is the program's gen_any (its maps have memos of their own). */
static void run_gen(ww_detect_ctx_t *ctx, const ww__gen_t *g, bool any)
{
    run_list(ctx, &g->any, true);
    run_keyed(ctx, &g->cats, ctx->ev->category, any ? WW__MEMO_CAT_ANY : WW__MEMO_CAT);
    run_keyed(ctx, &g->svcs, ctx->ev->service, any ? WW__MEMO_SVC_ANY : WW__MEMO_SVC);
}

/* Is the event's EventID field "regular": absent, or once and reading (ww_parse_i64)
   as ev->event_id?  Then a condition "EventID: N" can hold only if event_id is N,
   and the refined lists apply; anything else (a repeated field, "16.0", " 16")
   takes the full lists, which decide by evaluation alone. */
static bool eid_regular(const ww_detect_ctx_t *ctx)
{
    uint32_t j = ww__ffirst(ctx, ctx->d->eid_fid);
    int64_t x;
    if (j == UINT32_MAX)
        return true;
    const ww_field_t *f = &ctx->ev->fields[j];
    return ctx->fnext[j] == UINT32_MAX && ctx->ev->event_id >= 0 &&
           ww_parse_i64(f->value.p, f->value.n, &x) == 0 && x == ctx->ev->event_id;
}

static const ww__vlist_t *source_list(const ww__source_t *s, int32_t eid, bool regular)
{
    uint32_t lo = 0, hi = s->neids;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (s->eids[mid].eid < eid)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < s->neids && s->eids[lo].eid == eid)
        return regular ? &s->eids[lo].list : &s->eids[lo].full;
    return regular ? &s->any : &s->fany;
}

int ww_detect_event(ww_detect_ctx_t *ctx, const ww_event_t *ev, ww_detect_fn fn, void *ud)
{
    const ww_detect_t *d = ctx->d;
    uint32_t idx;
    begin_event(ctx, ev);
    /* The literal scan runs on demand (ww__pf_prepare), the first time a candidate
       list needs it: events whose candidates have no literal requirement skip it. */
    if (ev->kind == WW_EV_WINDOWS) {
        /* The reference path (no_prefilter) takes the full lists: it checks this
           refinement too. */
        bool reg = !d->no_prefilter && eid_regular(ctx);
        if (ev->channel.n && strmap_get(&d->chan_map, ev->channel.p, ev->channel.n, &idx))
            run_list(ctx, source_list(&d->chans[idx], ev->event_id, reg), false);
        else
            run_list(ctx, &d->win_all, false);
        if (ev->provider.n && strmap_get(&d->prov_map, ev->provider.p, ev->provider.n, &idx))
            run_list(ctx, source_list(&d->provs[idx], ev->event_id, reg), false);
    }
    if (ev->product.n && memo_get(&ctx->memo[WW__MEMO_PROD], &d->prod_map, ev->product, &idx))
        run_gen(ctx, &d->prods[idx], false);
    run_gen(ctx, &d->gen_any, true);

    /* Report in ruleset order. */
    uint32_t *m = ctx->matches, n = ctx->nmatches;
    for (uint32_t i = 1; i < n; i++) {
        uint32_t x = m[i], j = i;
        for (; j > 0 && m[j - 1] > x; j--)
            m[j] = m[j - 1];
        m[j] = x;
    }
    for (uint32_t i = 0; i < n; i++)
        if (fn)
            fn(ud, d->rules[m[i]].rule);
    return (int)n;
}
