/* The correlation engine: turns matches of detection rules (and alerts of other
 * correlations) into correlation alerts over sliding windows of event time, one state
 * per correlation rule, groups keyed by the group-by tuple.  Semantics (windows,
 * re-arming, late events, caps) are described in docs/correlations.md; the data
 * structures in ww_corr_int.h.  Building the engine from a ruleset is in ww_corr_rs.c
 * so this file does not depend on the YAML loader.  Stream mode (ww_corr_set_stream,
 * for `serve`) adds a watermark that closes windows in every correlation and keeps
 * late matches out; docs/serve.md describes it. */
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "detect/ww_corr_int.h"

/* ---- accounted allocation -------------------------------------------------------- */

static void *cm_alloc(ww_corr_t *c, size_t n)
{
    void *p = calloc(1, n);
    if (p)
        c->mem += n;
    return p;
}

static void *cm_realloc(ww_corr_t *c, void *p, size_t old, size_t n)
{
    void *q = realloc(p, n);
    if (q) {
        c->mem -= old;
        c->mem += n;
    }
    return q;
}

static void cm_free(ww_corr_t *c, void *p, size_t n)
{
    if (p) {
        free(p);
        c->mem -= n;
    }
}

size_t ww__corr_mem(const ww_corr_t *c)
{
    return c ? c->mem : 0;
}

/* ---- small helpers --------------------------------------------------------------- */

/* FNV-1a followed by a 64-bit finaliser so the low bits used by the table are mixed. */
static uint64_t hash_bytes(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h ? h : 1; /* 0 marks empty slots in value sets */
}

/* The group-key hash: eight bytes per step (a key is compared in full on a hit, so
 * only the spread matters).  Byte-wise FNV was a fifth of process()'s own time. */
static uint64_t hash_key(const uint8_t *p, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (uint64_t)n;
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 29;
    }
    if (n) {
        uint64_t w = 0;
        for (size_t i = 0; i < n; i++)
            w |= (uint64_t)p[i] << (8 * i);
        h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

static int64_t sat_sub(int64_t a, int64_t b)
{
    if (a < INT64_MIN + b)
        return INT64_MIN;
    return a - b;
}

static int64_t sat_add(int64_t a, int64_t b)
{
    if (a > INT64_MAX - b)
        return INT64_MAX;
    return a + b;
}

static bool cond_holds(const ww_sigma_corr_t *k, double v, uint32_t nrules)
{
    if (k->ncond == 0)
        return v >= (k->type == WW_CORR_TEMPORAL || k->type == WW_CORR_TEMPORAL_ORDERED
                         ? (double)nrules
                         : 1.0);
    for (uint32_t i = 0; i < k->ncond && i < 3; i++) {
        double t = k->cond[i].value;
        bool ok;
        switch (k->cond[i].op) {
        case WW_CMP_GT: ok = v > t; break;
        case WW_CMP_GTE: ok = v >= t; break;
        case WW_CMP_LT: ok = v < t; break;
        case WW_CMP_LTE: ok = v <= t; break;
        case WW_CMP_EQ: ok = v == t; break;
        case WW_CMP_NEQ: ok = v != t; break;
        default: ok = false; break;
        }
        if (!ok)
            return false;
    }
    return true;
}

/* ---- hash table of groups -------------------------------------------------------- */

static uint32_t tab_find(const ww__corr_state_t *s, uint64_t h, const uint8_t *key, uint32_t keylen)
{
    if (!s->tabcap)
        return WW__CORR_NONE;
    uint32_t mask = s->tabcap - 1;
    for (uint32_t i = (uint32_t)h & mask;; i = (i + 1) & mask) {
        uint32_t e = s->tab[i];
        if (!e)
            return WW__CORR_NONE;
        const ww__corr_grp_t *g = &s->grp[e - 1];
        if (g->hash == h && g->keylen == keylen &&
            (keylen == 0 || memcmp(g->key, key, keylen) == 0))
            return e - 1;
    }
}

static void tab_put(ww__corr_state_t *s, uint32_t gi)
{
    uint32_t mask = s->tabcap - 1;
    uint32_t i = (uint32_t)s->grp[gi].hash & mask;
    while (s->tab[i])
        i = (i + 1) & mask;
    s->tab[i] = gi + 1;
}

static int tab_grow(ww_corr_t *c, ww__corr_state_t *s)
{
    uint32_t ncap = s->tabcap ? s->tabcap * 2 : 16;
    uint32_t *nt = cm_alloc(c, (size_t)ncap * sizeof *nt);
    if (!nt)
        return WW_ENOMEM;
    cm_free(c, s->tab, (size_t)s->tabcap * sizeof *s->tab);
    s->tab = nt;
    s->tabcap = ncap;
    for (uint32_t gi = 0; gi < s->ngrp; gi++)
        if (s->grp[gi].used)
            tab_put(s, gi);
    return 0;
}

/* Backward-shift deletion keeps probe sequences intact without tombstones. */
static void tab_del(ww__corr_state_t *s, uint32_t gi)
{
    uint32_t mask = s->tabcap - 1;
    uint32_t i = (uint32_t)s->grp[gi].hash & mask;
    while (s->tab[i] != gi + 1)
        i = (i + 1) & mask;
    for (uint32_t j = (i + 1) & mask; s->tab[j]; j = (j + 1) & mask) {
        uint32_t home = (uint32_t)s->grp[s->tab[j] - 1].hash & mask;
        /* move j back to i unless its home lies cyclically in (i, j] */
        bool stays = (i <= j) ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            s->tab[i] = s->tab[j];
            i = j;
        }
    }
    s->tab[i] = 0;
}

/* ---- LRU ------------------------------------------------------------------------- */

static void lru_unlink(ww__corr_state_t *s, uint32_t gi)
{
    ww__corr_grp_t *g = &s->grp[gi];
    if (g->prev != WW__CORR_NONE)
        s->grp[g->prev].next = g->next;
    else
        s->lru_head = g->next;
    if (g->next != WW__CORR_NONE)
        s->grp[g->next].prev = g->prev;
    else
        s->lru_tail = g->prev;
    g->prev = g->next = WW__CORR_NONE;
}

static void lru_front(ww__corr_state_t *s, uint32_t gi)
{
    ww__corr_grp_t *g = &s->grp[gi];
    g->prev = WW__CORR_NONE;
    g->next = s->lru_head;
    if (s->lru_head != WW__CORR_NONE)
        s->grp[s->lru_head].prev = gi;
    s->lru_head = gi;
    if (s->lru_tail == WW__CORR_NONE)
        s->lru_tail = gi;
}

static void lru_touch(ww__corr_state_t *s, uint32_t gi)
{
    if (s->lru_head == gi)
        return;
    lru_unlink(s, gi);
    lru_front(s, gi);
}

/* ---- deadline heap (close mode) -------------------------------------------------- */

static int64_t deadline(const ww__corr_state_t *s, uint32_t gi)
{
    return sat_add(s->grp[gi].t0, s->span);
}

static void heap_set(ww__corr_state_t *s, uint32_t pos, uint32_t gi)
{
    s->heap[pos] = gi;
    s->grp[gi].heap = pos;
}

static void heap_up(ww__corr_state_t *s, uint32_t pos)
{
    uint32_t gi = s->heap[pos];
    int64_t d = deadline(s, gi);
    while (pos > 0) {
        uint32_t parent = (pos - 1) / 2;
        if (deadline(s, s->heap[parent]) <= d)
            break;
        heap_set(s, pos, s->heap[parent]);
        pos = parent;
    }
    heap_set(s, pos, gi);
}

static void heap_down(ww__corr_state_t *s, uint32_t pos)
{
    uint32_t gi = s->heap[pos];
    int64_t d = deadline(s, gi);
    for (;;) {
        uint32_t l = 2 * pos + 1, r = l + 1, m = pos;
        int64_t md = d;
        if (l < s->nheap && deadline(s, s->heap[l]) < md) {
            m = l;
            md = deadline(s, s->heap[l]);
        }
        if (r < s->nheap && deadline(s, s->heap[r]) < md)
            m = r;
        if (m == pos)
            break;
        heap_set(s, pos, s->heap[m]);
        pos = m;
    }
    heap_set(s, pos, gi);
}

static int heap_push(ww_corr_t *c, ww__corr_state_t *s, uint32_t gi)
{
    if (s->nheap == s->heapcap) {
        uint32_t ncap = s->heapcap ? s->heapcap * 2 : 16;
        uint32_t *nh =
            cm_realloc(c, s->heap, (size_t)s->heapcap * sizeof *nh, (size_t)ncap * sizeof *nh);
        if (!nh)
            return WW_ENOMEM;
        s->heap = nh;
        s->heapcap = ncap;
    }
    heap_set(s, s->nheap++, gi);
    heap_up(s, s->nheap - 1);
    return 0;
}

static void heap_remove(ww__corr_state_t *s, uint32_t gi)
{
    uint32_t pos = s->grp[gi].heap;
    if (pos >= s->nheap || s->heap[pos] != gi)
        return;
    s->grp[gi].heap = WW__CORR_NONE;
    uint32_t last = s->heap[--s->nheap];
    if (pos == s->nheap)
        return;
    heap_set(s, pos, last);
    heap_up(s, pos);
    heap_down(s, s->grp[last].heap);
}

/* ---- group lifecycle ------------------------------------------------------------- */

/* A freed slab entry keeps buffers this small for the next group that takes it:
 * most groups hold one short key and a few events, and allocating and freeing them
 * for every group that opens and expires was most of the cost of a short-lived
 * group.  Larger buffers are freed, so what a free entry holds stays small. */
#define KEEP_KEY 64  /* bytes */
#define KEEP_RING 8  /* kept events */
#define KEEP_VALS 16 /* distinct-value slots */

static void group_free(ww_corr_t *c, ww__corr_state_t *s, uint32_t gi)
{
    ww__corr_grp_t *g = &s->grp[gi];
    tab_del(s, gi);
    lru_unlink(s, gi);
    if (s->close_mode)
        heap_remove(s, gi);
    uint8_t *key = g->key;
    uint32_t keycap = g->keycap, rcap = g->rcap;
    ww__corr_ent_t *ring = g->ring;
    ww__corr_ext_t *x = g->ext;
    if (keycap > KEEP_KEY) {
        cm_free(c, key, keycap);
        key = NULL;
        keycap = 0;
    }
    if (rcap > KEEP_RING) {
        cm_free(c, ring, (size_t)rcap * sizeof *ring);
        ring = NULL;
        rcap = 0;
    }
    if (x) {
        /* Back to the state of a new ext: no buckets, an empty value set. */
        cm_free(c, x->b, WW__CORR_NBUCKETS * sizeof *x->b);
        x->b = NULL;
        x->nb = 0;
        if (x->vcap > KEEP_VALS) {
            cm_free(c, x->vals, (size_t)x->vcap * sizeof *x->vals);
            x->vals = NULL;
            x->vcap = 0;
        } else if (x->vals) {
            memset(x->vals, 0, (size_t)x->vcap * sizeof *x->vals);
        }
        x->vn = 0;
        x->vmin = INT64_MAX;
        if (x->rlast)
            for (uint32_t i = 0; i < s->corr->nrules; i++)
                x->rlast[i] = WW_TIME_NONE;
    }
    memset(g, 0, sizeof *g);
    g->key = key;
    g->keycap = keycap;
    g->ring = ring;
    g->rcap = rcap;
    g->ext = x;
    g->next = s->freelist;
    s->freelist = gi;
    s->nopen--;
    c->stats.groups_open--;
}

/* Forgets the window's content but keeps the group (and its late-event floor). */
static void group_rearm(const ww__corr_state_t *s, ww__corr_grp_t *g)
{
    g->count = 0;
    g->sum = 0;
    g->rstart = g->rn = 0;
    g->floor = g->newest;
    g->t0 = g->newest;
    if (g->ext) {
        g->ext->nb = 0;
        if (g->ext->vals)
            memset(g->ext->vals, 0, (size_t)g->ext->vcap * sizeof *g->ext->vals);
        g->ext->vn = 0;
        g->ext->vmin = INT64_MAX;
        if (g->ext->rlast)
            for (uint32_t i = 0; i < s->corr->nrules; i++)
                g->ext->rlast[i] = WW_TIME_NONE;
    }
}

/* Finds or creates the group for the key in s->kbuf.  A new group evicts the least
 * recently updated one when the cap is reached.  Returns the slab index or WW_E*. */
static int64_t group_get(ww_corr_t *c, ww__corr_state_t *s, int64_t ts, bool *created)
{
    const uint8_t *key = (const uint8_t *)s->kbuf.p;
    uint32_t keylen = (uint32_t)s->kbuf.n;
    uint64_t h = hash_key(key, keylen);
    uint32_t gi = tab_find(s, h, key, keylen);
    *created = false;
    if (gi != WW__CORR_NONE)
        return gi;

    if (s->nopen >= c->lim.max_groups && s->lru_tail != WW__CORR_NONE) {
        group_free(c, s, s->lru_tail);
        c->stats.groups_evicted++;
    }
    if ((uint64_t)(s->nopen + 1) * 2 > s->tabcap && tab_grow(c, s) != 0)
        return WW_ENOMEM;
    if (s->freelist == WW__CORR_NONE && s->ngrp == s->grpcap) {
        uint32_t ncap = s->grpcap ? s->grpcap * 2 : 8;
        if (ncap > c->lim.max_groups + 1)
            ncap = c->lim.max_groups + 1;
        ww__corr_grp_t *ng =
            cm_realloc(c, s->grp, (size_t)s->grpcap * sizeof *ng, (size_t)ncap * sizeof *ng);
        if (!ng)
            return WW_ENOMEM;
        s->grp = ng;
        s->grpcap = ncap;
    }
    /* An entry from the free list brings the buffers its last group left. */
    bool fresh = s->freelist == WW__CORR_NONE;
    if (fresh) {
        gi = s->ngrp++;
        memset(&s->grp[gi], 0, sizeof s->grp[gi]);
    } else {
        gi = s->freelist;
        s->freelist = s->grp[gi].next;
    }
    ww__corr_grp_t *g = &s->grp[gi];
    if (keylen > g->keycap) {
        uint8_t *k = cm_alloc(c, keylen);
        if (!k) {
            g->next = s->freelist;
            s->freelist = gi;
            return WW_ENOMEM;
        }
        cm_free(c, g->key, g->keycap);
        g->key = k;
        g->keycap = keylen;
    }
    if (keylen)
        memcpy(g->key, key, keylen);
    g->used = true;
    g->hash = h;
    g->keylen = keylen;
    g->heap = WW__CORR_NONE;
    g->t0 = g->newest = ts;
    g->floor = INT64_MIN;
    tab_put(s, gi);
    lru_front(s, gi);
    s->nopen++;
    c->stats.groups_open++;
    if (s->close_mode && heap_push(c, s, gi) != 0) {
        group_free(c, s, gi);
        return WW_ENOMEM;
    }
    *created = true;
    return gi;
}

static ww__corr_ext_t *ext_get(ww_corr_t *c, ww__corr_grp_t *g)
{
    if (!g->ext) {
        g->ext = cm_alloc(c, sizeof *g->ext);
        if (g->ext)
            g->ext->vmin = INT64_MAX;
    }
    return g->ext;
}

/* ---- kept events and overflow ---------------------------------------------------- */

static int overflow_add(ww_corr_t *c, const ww__corr_state_t *s, ww__corr_grp_t *g,
                        const ww__corr_ent_t *e)
{
    ww__corr_ext_t *x = ext_get(c, g);
    if (!x)
        return WW_ENOMEM;
    if (!x->b) {
        x->b = cm_alloc(c, WW__CORR_NBUCKETS * sizeof *x->b);
        if (!x->b)
            return WW_ENOMEM;
    }
    c->stats.events_dropped++;
    int64_t width = s->span / WW__CORR_NBUCKETS;
    ww__corr_bucket_t *last = x->nb ? &x->b[x->nb - 1] : NULL;
    if (!last || sat_sub(e->ts, last->min_ts) > width) {
        if (x->nb == WW__CORR_NBUCKETS) {
            /* merge the two oldest buckets to make room */
            ww__corr_bucket_t *a = &x->b[0], *b = &x->b[1];
            b->min_ts = a->min_ts < b->min_ts ? a->min_ts : b->min_ts;
            b->max_ts = a->max_ts > b->max_ts ? a->max_ts : b->max_ts;
            b->n += a->n;
            b->sum += a->sum;
            memmove(&x->b[0], &x->b[1], (WW__CORR_NBUCKETS - 1) * sizeof *x->b);
            x->nb--;
        }
        last = &x->b[x->nb++];
        last->min_ts = last->max_ts = e->ts;
        last->n = 0;
        last->sum = 0;
    }
    if (e->ts < last->min_ts)
        last->min_ts = e->ts;
    if (e->ts > last->max_ts)
        last->max_ts = e->ts;
    last->n++;
    last->sum +=
        (s->corr->type == WW_CORR_VALUE_SUM || s->corr->type == WW_CORR_VALUE_AVG) ? e->u.v : 0;
    return 0;
}

/* Inserts e keeping the ring sorted by time; when it is full the oldest event moves
 * to the overflow buckets (still counted, its ref forgotten). */
static int ring_insert(ww_corr_t *c, const ww__corr_state_t *s, ww__corr_grp_t *g,
                       const ww__corr_ent_t *e)
{
    uint32_t cap = c->lim.max_events_per_group;
    if (g->rn == cap) {
        if (e->ts < g->ring[g->rstart].ts)
            return overflow_add(c, s, g, e);
        int rc = overflow_add(c, s, g, &g->ring[g->rstart]);
        if (rc < 0)
            return rc;
        g->rstart++;
        g->rn--;
    }
    if (g->rstart + g->rn == g->rcap) {
        if (g->rstart > 0) {
            memmove(g->ring, g->ring + g->rstart, (size_t)g->rn * sizeof *g->ring);
            g->rstart = 0;
        } else {
            uint32_t ncap = g->rcap ? g->rcap * 2 : 1;
            if (ncap > cap)
                ncap = cap;
            ww__corr_ent_t *nr =
                cm_realloc(c, g->ring, (size_t)g->rcap * sizeof *nr, (size_t)ncap * sizeof *nr);
            if (!nr)
                return WW_ENOMEM;
            g->ring = nr;
            g->rcap = ncap;
        }
    }
    ww__corr_ent_t *r = g->ring + g->rstart;
    uint32_t i = g->rn;
    while (i > 0 && r[i - 1].ts > e->ts) {
        r[i] = r[i - 1];
        i--;
    }
    r[i] = *e;
    g->rn++;
    return 0;
}

/* ---- value_count's distinct set -------------------------------------------------- */

static int vset_put(ww__corr_ext_t *x, uint64_t h, int64_t ts)
{
    uint32_t mask = x->vcap - 1;
    for (uint32_t i = (uint32_t)h & mask;; i = (i + 1) & mask) {
        if (x->vals[i].h == h) {
            if (ts > x->vals[i].last)
                x->vals[i].last = ts;
            return 0;
        }
        if (x->vals[i].h == 0) {
            x->vals[i].h = h;
            x->vals[i].last = ts;
            x->vn++;
            if (ts < x->vmin)
                x->vmin = ts;
            return 1;
        }
    }
}

/* Rebuilds the set with capacity ncap keeping only values seen at or after `from`. */
static int vset_rebuild(ww_corr_t *c, ww__corr_ext_t *x, uint32_t ncap, int64_t from)
{
    ww__corr_val_t *old = x->vals;
    uint32_t ocap = x->vcap;
    ww__corr_val_t *nv = cm_alloc(c, (size_t)ncap * sizeof *nv);
    if (!nv)
        return WW_ENOMEM;
    x->vals = nv;
    x->vcap = ncap;
    x->vn = 0;
    x->vmin = INT64_MAX;
    for (uint32_t i = 0; i < ocap; i++)
        if (old[i].h && old[i].last >= from)
            vset_put(x, old[i].h, old[i].last);
    cm_free(c, old, (size_t)ocap * sizeof *old);
    return 0;
}

static int vset_add(ww_corr_t *c, ww__corr_ext_t *x, uint64_t h, int64_t ts)
{
    if (x->vals) {
        /* a known value needs no room */
        uint32_t mask = x->vcap - 1;
        for (uint32_t i = (uint32_t)h & mask; x->vals[i].h; i = (i + 1) & mask)
            if (x->vals[i].h == h) {
                if (ts > x->vals[i].last)
                    x->vals[i].last = ts;
                return 0;
            }
    }
    if (x->vn >= c->lim.max_events_per_group) {
        c->stats.values_dropped++;
        return 0;
    }
    if (!x->vals || (uint64_t)(x->vn + 1) * 2 > x->vcap) {
        int rc = vset_rebuild(c, x, x->vcap ? x->vcap * 2 : 4, INT64_MIN);
        if (rc < 0)
            return rc;
    }
    vset_put(x, h, ts);
    return 0;
}

/* ---- the sliding window ---------------------------------------------------------- */

/* Drops what is older than ws from a group's window (sliding mode). */
static int expire(ww_corr_t *c, const ww__corr_state_t *s, ww__corr_grp_t *g, int64_t ws)
{
    bool numeric = s->corr->type == WW_CORR_VALUE_SUM || s->corr->type == WW_CORR_VALUE_AVG;
    while (g->rn && g->ring[g->rstart].ts < ws) {
        g->count--;
        if (numeric)
            g->sum -= g->ring[g->rstart].u.v;
        g->rstart++;
        g->rn--;
    }
    if (!g->rn)
        g->rstart = 0;
    ww__corr_ext_t *x = g->ext;
    if (!x)
        return 0;
    while (x->nb && x->b[0].max_ts < ws) {
        g->count -= x->b[0].n;
        g->sum -= x->b[0].sum;
        memmove(&x->b[0], &x->b[1], (x->nb - 1) * sizeof *x->b);
        x->nb--;
    }
    if (x->vals && x->vmin < ws)
        return vset_rebuild(c, x, x->vcap, ws);
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* What the condition is compared with, for the group's current window.  `cur` is the
 * value hash of the current event (share mode). */
static double measure(const ww__corr_state_t *s, const ww__corr_grp_t *g, int64_t ws, uint64_t cur)
{
    const ww_sigma_corr_t *k = s->corr;
    const ww__corr_ent_t *r = g->ring + g->rstart;
    switch (k->type) {
    case WW_CORR_EVENT_COUNT: return (double)g->count;
    case WW_CORR_VALUE_COUNT: return g->ext ? (double)g->ext->vn : 0;
    case WW_CORR_VALUE_SUM: return g->sum;
    case WW_CORR_VALUE_AVG: return g->count ? g->sum / (double)g->count : 0;
    case WW_CORR_TEMPORAL: {
        uint32_t n = 0;
        for (uint32_t i = 0; g->ext && g->ext->rlast && i < k->nrules; i++)
            if (g->ext->rlast[i] != WW_TIME_NONE && g->ext->rlast[i] >= ws)
                n++;
        return n;
    }
    case WW_CORR_TEMPORAL_ORDERED: {
        /* longest prefix of the rule list matched by events in time order; greedy
           earliest matching is optimal for a subsequence */
        uint32_t n = 0;
        for (uint32_t i = 0; i < g->rn && n < k->nrules; i++)
            if (r[i].ts >= ws && r[i].u.rule == k->rules[n])
                n++;
        return n;
    }
    case WW_CORR_VALUE_PERCENTILE:
        if (s->share_mode) {
            uint32_t same = 0, all = 0;
            for (uint32_t i = 0; i < g->rn; i++) {
                if (r[i].ts < ws)
                    continue;
                all++;
                same += r[i].u.h == cur;
            }
            return all ? 100.0 * same / all : 0;
        } else {
            uint32_t n = 0;
            for (uint32_t i = 0; i < g->rn; i++)
                s->vscratch[n++] = r[i].u.v;
            if (!n)
                return 0;
            qsort(s->vscratch, n, sizeof *s->vscratch, cmp_double);
            double p = k->percentile > 100 ? 100 : k->percentile;
            double rank = p / 100.0 * (n - 1);
            uint32_t lo = (uint32_t)floor(rank);
            uint32_t hi = lo + 1 < n ? lo + 1 : lo;
            return s->vscratch[lo] + (rank - lo) * (s->vscratch[hi] - s->vscratch[lo]);
        }
    default: return 0;
    }
}

/* ---- alerts ---------------------------------------------------------------------- */

static int process(ww_corr_t *c, uint32_t si, const ww_sigma_rule_t *rule, const ww_event_t *ev,
                   int64_t ts, uint64_t ref, ww_corr_fn fn, void *ud, int depth);

static int fire(ww_corr_t *c, uint32_t si, uint32_t gi, double value, ww_corr_fn fn, void *ud,
                int depth)
{
    ww__corr_state_t *s = &c->st[si];
    const ww__corr_grp_t *g = &s->grp[gi];
    const uint8_t *p = g->key;
    for (uint32_t j = 0; j < s->ngroup; j++) {
        uint32_t n;
        memcpy(&n, p, sizeof n);
        s->gvals[j] = (ww_str_t){(const char *)p + sizeof n, n};
        p += sizeof n + n;
    }
    const ww__corr_ent_t *r = g->ring + g->rstart;
    const ww_sigma_corr_t *k = s->corr;
    uint32_t nrefs = 0;
    int64_t first = g->newest, last = g->newest;
    bool ordered = k->type == WW_CORR_TEMPORAL_ORDERED;
    int64_t ws = s->close_mode ? INT64_MIN : sat_sub(g->newest, s->span);
    for (uint32_t i = 0, next = 0; i < g->rn; i++) {
        /* temporal_ordered reports the events that formed the sequence */
        if (ordered && (next >= k->nrules || r[i].ts < ws || r[i].u.rule != k->rules[next]))
            continue;
        next++;
        if (!nrefs)
            first = r[i].ts;
        last = r[i].ts;
        s->refs[nrefs++] = r[i].ref;
    }
    if (g->ext)
        for (uint32_t i = 0; i < g->ext->nb; i++)
            if (g->ext->b[i].min_ts < first)
                first = g->ext->b[i].min_ts;
    ww_corr_alert_t a = {
        .rule = s->rule,
        .group_names = s->gnames,
        .group_values = s->gvals,
        .ngroup = s->ngroup,
        .refs = s->refs,
        .nrefs = nrefs,
        .first_ts = first,
        .last_ts = last,
        .value = value,
    };
    c->stats.alerts++;
    if (fn)
        fn(ud, &a);
    if (!s->nouter)
        return 0;
    if (depth >= WW__CORR_MAX_DEPTH) {
        WW_LOG(1, "correlation chain deeper than %d at '%s'", WW__CORR_MAX_DEPTH,
               s->rule->title ? s->rule->title : "?");
        return 0;
    }
    /* An alert fed onward is an event whose fields are the group-by names and values
       of this correlation, at the time of its newest event. */
    ww_event_t syn;
    ww_event_init(&syn);
    int rc = 0;
    for (uint32_t j = 0; j < s->ngroup && rc == 0; j++)
        rc = ww_event_add(&syn, WW_STRZ(s->gnames[j]), s->gvals[j], WW_F_STR);
    syn.ts = a.last_ts;
    uint64_t oref = a.nrefs ? a.refs[a.nrefs - 1] : 0;
    for (uint32_t i = 0; i < s->nouter && rc == 0; i++)
        rc = process(c, s->outer[i], s->rule, &syn, syn.ts, oref, fn, ud, depth + 1);
    ww_event_release(&syn);
    return rc;
}

/* Decides a group whose window closed (close mode) and frees it. */
static int close_group(ww_corr_t *c, uint32_t si, uint32_t gi, ww_corr_fn fn, void *ud, int depth)
{
    ww__corr_state_t *s = &c->st[si];
    double v = measure(s, &s->grp[gi], INT64_MIN, 0);
    int rc = 0;
    if (cond_holds(s->corr, v, s->corr->nrules))
        rc = fire(c, si, gi, v, fn, ud, depth);
    group_free(c, &c->st[si], gi);
    return rc;
}

/* The watermark (stream mode): no event older than it is fed any more. */
static int64_t watermark(const ww_corr_t *c)
{
    return c->have_max ? sat_sub(c->max_ts, c->so.lateness_ns) : INT64_MIN;
}

/* Event time moved: close windows that ended (close mode), forget groups whose newest
 * event left the window (sliding mode).  "Now" is the newest event fed to this
 * correlation; in stream mode it is the watermark, since events up to `lateness`
 * older than the newest may still join a window. */
static int advance(ww_corr_t *c, uint32_t si, ww_corr_fn fn, void *ud, int depth)
{
    ww__corr_state_t *s = &c->st[si];
    int rc = 0;
    int64_t now = c->stream ? watermark(c) : s->now;
    if (s->close_mode) {
        while (rc == 0 && s->nheap && deadline(s, s->heap[0]) < now) {
            rc = close_group(c, si, s->heap[0], fn, ud, depth);
            s = &c->st[si];
            if (c->stream)
                c->stats.groups_closed++;
        }
    } else {
        int64_t ws = sat_sub(now, s->span);
        while (s->lru_tail != WW__CORR_NONE && s->grp[s->lru_tail].newest < ws) {
            group_free(c, s, s->lru_tail);
            if (c->stream)
                c->stats.groups_closed++;
        }
    }
    return rc;
}

/* ---- feeding --------------------------------------------------------------------- */

static int build_key(ww__corr_state_t *s, uint32_t pos, const ww_event_t *ev)
{
    ww_buf_clear(&s->kbuf);
    for (uint32_t j = 0; j < s->ngroup; j++) {
        const ww_field_t *f = ww_event_get(ev, s->gfield[pos * s->ngroup + j], NULL);
        ww_str_t v = f ? f->value : (ww_str_t){"", 0};
        uint32_t n = v.n > WW__CORR_VALUE_MAX ? WW__CORR_VALUE_MAX : (uint32_t)v.n;
        ww_buf_t *b = &s->kbuf;
        if (b->p && b->alloc > b->n + sizeof n + n) {
            /* Room already (the usual case once the buffer has grown): one copy of
               each part, the NUL kept as ww_buf does. */
            memcpy(b->p + b->n, &n, sizeof n);
            if (n)
                memcpy(b->p + b->n + sizeof n, v.p, n);
            b->n += sizeof n + n;
            b->p[b->n] = 0;
            continue;
        }
        ww_buf_append(b, &n, sizeof n);
        ww_buf_append(b, v.p, n);
    }
    return s->kbuf.err;
}

static int process(ww_corr_t *c, uint32_t si, const ww_sigma_rule_t *rule, const ww_event_t *ev,
                   int64_t ts, uint64_t ref, ww_corr_fn fn, void *ud, int depth)
{
    ww__corr_state_t *s = &c->st[si];
    const ww_sigma_corr_t *k = s->corr;
    int rc = 0;
    if (s->disabled)
        return 0;
    uint32_t pos = WW__CORR_NONE;
    for (uint32_t i = 0; i < k->nrules; i++)
        if (k->rules[i] == rule) {
            pos = i;
            break;
        }
    if (pos == WW__CORR_NONE)
        return 0;
    bool temporal = k->type == WW_CORR_TEMPORAL || k->type == WW_CORR_TEMPORAL_ORDERED;
    /* one event matched by two referenced rules counts once (as in a query that ORs
       the rules), except for temporal types where each rule is a separate fact */
    if (!temporal && s->last_valid && s->last_ev == ev && s->last_ref == ref && s->last_ts == ts)
        return 0;
    s->last_ev = ev;
    s->last_ref = ref;
    s->last_ts = ts;
    s->last_valid = true;

    if (!s->has_now || ts > s->now) {
        s->now = ts;
        s->has_now = true;
    }
    rc = advance(c, si, fn, ud, depth);
    if (rc < 0)
        return rc;
    s = &c->st[si];

    ww__corr_ent_t e = {.ts = ts, .ref = ref};
    uint64_t vh = 0;
    if (k->field && k->type != WW_CORR_EVENT_COUNT && !temporal) {
        const ww_field_t *f = ww_event_get(ev, s->vfield, NULL);
        if (!f)
            return 0; /* no value: the event says nothing about this measure */
        if (k->type == WW_CORR_VALUE_COUNT || s->share_mode) {
            vh = hash_bytes(f->value.p, f->value.n);
            e.u.h = vh;
        } else {
            double v;
            if (f->type == WW_F_INT || f->type == WW_F_FLOAT)
                v = f->num;
            else if (ww_parse_double(f->value.p, f->value.n, &v) != 0)
                return 0;
            if (!isfinite(v))
                return 0;
            e.u.v = v;
        }
    } else if (k->type == WW_CORR_TEMPORAL_ORDERED) {
        e.u.rule = rule;
    }

    rc = build_key(s, pos, ev);
    if (rc < 0)
        return rc;
    bool created;
    int64_t got = group_get(c, s, ts, &created);
    if (got < 0)
        return (int)got;
    uint32_t gi = (uint32_t)got;
    ww__corr_grp_t *g = &s->grp[gi];
    if (!created && (ts < g->floor || ts < sat_sub(g->newest, s->span))) {
        c->stats.late_events++;
        return 0;
    }
    if (ts > g->newest)
        g->newest = ts;
    g->count++;
    if (k->type == WW_CORR_VALUE_SUM || k->type == WW_CORR_VALUE_AVG)
        g->sum += e.u.v;
    rc = ring_insert(c, s, g, &e);
    if (rc < 0)
        return rc;
    if (k->type == WW_CORR_VALUE_COUNT) {
        ww__corr_ext_t *x = ext_get(c, g);
        if (!x)
            return WW_ENOMEM;
        rc = vset_add(c, x, vh, ts);
        if (rc < 0)
            return rc;
    } else if (k->type == WW_CORR_TEMPORAL) {
        ww__corr_ext_t *x = ext_get(c, g);
        if (!x)
            return WW_ENOMEM;
        if (!x->rlast) {
            x->rlast = cm_alloc(c, (size_t)k->nrules * sizeof *x->rlast);
            if (!x->rlast)
                return WW_ENOMEM;
            for (uint32_t i = 0; i < k->nrules; i++)
                x->rlast[i] = WW_TIME_NONE;
        }
        for (uint32_t i = 0; i < k->nrules; i++)
            if (k->rules[i] == rule && (x->rlast[i] == WW_TIME_NONE || ts > x->rlast[i]))
                x->rlast[i] = ts;
    }
    lru_touch(s, gi);
    if (s->close_mode)
        return 0;

    int64_t ws = sat_sub(g->newest, s->span);
    rc = expire(c, s, g, ws);
    if (rc < 0)
        return rc;
    double v = measure(s, g, ws, vh);
    if (!cond_holds(k, v, k->nrules))
        return 0;
    rc = fire(c, si, gi, v, fn, ud, depth);
    s = &c->st[si];
    if (!s->share_mode)
        group_rearm(s, &s->grp[gi]);
    return rc;
}

/* ---- public API ------------------------------------------------------------------ */

static uint32_t rule_pos(const ww_corr_t *c, const ww_sigma_rule_t *rule)
{
    if (!rule)
        return WW__CORR_NONE;
    if (rule->index < c->nrules && c->rules[rule->index] == rule)
        return rule->index;
    for (uint32_t i = 0; i < c->nrules; i++)
        if (c->rules[i] == rule)
            return i;
    return WW__CORR_NONE;
}

/* ---- stream mode ------------------------------------------------------------------ */

#define SWEEP_STEP 1000000000LL /* ns of watermark progress between sweeps of every state */

static int64_t wall_ns(void *ud)
{
    (void)ud;
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* An event time past the wall clock plus max_future is taken as that bound: a broken
 * clock must not move the watermark into the future. */
static int64_t cap_future(ww_corr_t *c, int64_t ts, bool count)
{
    /* The clock only moves forward, so an event inside the bound read last time is
       inside today's: the clock is read again only for an event past it (one clock
       read per event was a visible share of a syslog stream's cost). */
    if (c->future_bound_ok && ts <= c->future_bound)
        return ts;
    int64_t bound = sat_add(c->so.now(c->so.now_ud), c->so.max_future_ns);
    c->future_bound = bound;
    c->future_bound_ok = true;
    if (ts <= bound)
        return ts;
    if (count)
        c->stats.events_future++;
    return bound;
}

/* Closes, in every correlation (inner ones first, so their alerts reach the outer
 * ones before those are swept), the windows the watermark has passed. */
static int sweep(ww_corr_t *c, ww_corr_fn fn, void *ud)
{
    int rc = 0;
    for (uint32_t o = 0; o < c->nst; o++) {
        int r = advance(c, c->order[o], fn, ud, 0);
        if (r < 0 && rc == 0)
            rc = r;
    }
    return rc;
}

/* A new (capped) event time: the watermark follows the newest; every state is swept
 * once the watermark has moved SWEEP_STEP since the last sweep (a state fed an event
 * is advanced then anyway, so the step only delays freeing idle state a little). */
static int move_max(ww_corr_t *c, int64_t ts, ww_corr_fn fn, void *ud)
{
    if (c->have_max && ts <= c->max_ts)
        return 0;
    bool first = !c->have_max;
    c->max_ts = ts;
    c->have_max = true;
    int64_t w = watermark(c);
    if (first) {
        c->swept = w;
        return 0;
    }
    if (w - c->swept < SWEEP_STEP)
        return 0;
    c->swept = w;
    return sweep(c, fn, ud);
}

int ww_corr_set_stream(ww_corr_t *c, const ww_corr_stream_t *opt)
{
    if (!c || !opt || opt->lateness_ns < 0 || opt->max_future_ns < 0)
        return WW_EINVAL;
    c->stream = true;
    c->so = *opt;
    if (!c->so.now)
        c->so.now = wall_ns;
    c->future_bound_ok = false;
    return 0;
}

int ww_corr_observe(ww_corr_t *c, int64_t ts, ww_corr_fn fn, void *ud)
{
    if (!c || !c->stream || ts == WW_TIME_NONE)
        return 0;
    ts = cap_future(c, ts, true);
    bool late = ts < watermark(c);
    if (late)
        c->stats.events_behind++;
    int rc = move_max(c, ts, fn, ud);
    return rc < 0 ? rc : late;
}

int64_t ww_corr_watermark(const ww_corr_t *c)
{
    return c && c->have_max ? watermark(c) : WW_TIME_NONE;
}

int64_t ww_corr_max_span(const ww_corr_t *c)
{
    int64_t m = 0;
    for (uint32_t i = 0; c && i < c->nst; i++)
        if (!c->st[i].disabled && c->st[i].span > m)
            m = c->st[i].span;
    return m;
}

bool ww_corr_wants(const ww_corr_t *c, const ww_sigma_rule_t *rule)
{
    if (!c)
        return false;
    uint32_t p = rule_pos(c, rule);
    return p != WW__CORR_NONE && c->woff[p + 1] > c->woff[p];
}

int ww_corr_feed(ww_corr_t *c, const ww_sigma_rule_t *rule, const ww_event_t *ev, uint64_t ref,
                 ww_corr_fn fn, void *ud)
{
    if (!c || !rule || !ev)
        return WW_EINVAL;
    uint32_t p = rule_pos(c, rule);
    if (p == WW__CORR_NONE)
        return 0;
    int64_t ts = ev->ts;
    if (ts == WW_TIME_NONE) {
        ts = c->have_last ? c->last_ts : 0;
    } else {
        if (c->stream)
            ts = cap_future(c, ts, false);
        c->last_ts = ts;
        c->have_last = true;
    }
    int rc = 0;
    if (c->stream) {
        if (ts < watermark(c)) {
            c->stats.matches_behind++;
            return 0; /* the windows it could join are closed */
        }
        if ((rc = move_max(c, ts, fn, ud)) < 0)
            return rc;
    }
    for (uint32_t i = c->woff[p]; i < c->woff[p + 1]; i++) {
        int r = process(c, c->wids[i], rule, ev, ts, ref, fn, ud, 0);
        if (r < 0 && rc == 0)
            rc = r;
    }
    return rc;
}

int ww_corr_flush(ww_corr_t *c, ww_corr_fn fn, void *ud)
{
    if (!c)
        return 0;
    int rc = 0;
    for (uint32_t o = 0; o < c->nst; o++) {
        uint32_t si = c->order[o];
        ww__corr_state_t *s = &c->st[si];
        if (s->close_mode)
            while (s->nheap) {
                int r = close_group(c, si, s->heap[0], fn, ud, 0);
                if (r < 0 && rc == 0)
                    rc = r;
                s = &c->st[si];
            }
        while (s->lru_tail != WW__CORR_NONE)
            group_free(c, s, s->lru_tail);
        s->has_now = false;
        s->last_valid = false;
    }
    c->have_last = false;
    c->have_max = false;
    return rc;
}

void ww_corr_get_stats(const ww_corr_t *c, ww_corr_stats_t *out)
{
    if (!out)
        return;
    if (!c) {
        memset(out, 0, sizeof *out);
        return;
    }
    *out = c->stats;
}
