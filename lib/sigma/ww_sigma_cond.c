/* Detections and conditions: builds each search identifier's tree (map = AND of
 * items, list of maps = OR, keyword lists) and parses the condition grammar
 * (or < and < not < x-of < parentheses) into one tree with identifiers replaced by
 * their definitions.  Old v1 syntax (`| count()`, `near`) is rejected with a hint. */
#include <stdio.h>
#include <stdlib.h>

#include "sigma/ww_sigma_int.h"

ww_sigma_node_t *ww__sigma_node(ww_arena_t *a, int op, uint32_t nkids)
{
    ww_sigma_node_t *n = ww_arena_calloc(a, sizeof(*n));
    if (!n)
        return NULL;
    n->op = (uint8_t)op;
    n->nkids = nkids;
    if (nkids) {
        n->kids = ww_arena_calloc(a, nkids * sizeof(*n->kids));
        if (!n->kids)
            return NULL;
    }
    return n;
}

static ww_sigma_node_t *item_node(ww_arena_t *a, ww_sigma_item_t *it)
{
    ww_sigma_node_t *n = ww__sigma_node(a, WW_NODE_ITEM, 0);
    if (n)
        n->item = it;
    return n;
}

/* ---- search identifiers ----------------------------------------------------------- */

static int build_def(ww_sigma_ctx_t *c, const ww_yn_t *def, int depth, ww_sigma_node_t **out);

static int build_map(ww_sigma_ctx_t *c, const ww_yn_t *map, ww_sigma_node_t **out)
{
    uint32_t n = map->nkids / 2;
    if (n == 0)
        return ww__sigma_fail(c, map, "empty search identifier map");
    ww_sigma_node_t *and = n > 1 ? ww__sigma_node(c->a, WW_NODE_AND, n) : NULL;
    if (n > 1 && !and)
        return WW_ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        ww_sigma_item_t *it;
        int rc = ww__sigma_item(c, map->kids[2 * i], map->kids[2 * i + 1], &it);
        if (rc < 0)
            return rc;
        ww_sigma_node_t *leaf = item_node(c->a, it);
        if (!leaf)
            return WW_ENOMEM;
        if (n == 1) {
            *out = leaf;
            return 0;
        }
        and->kids[i] = leaf;
    }
    *out = and;
    return 0;
}

static int build_def(ww_sigma_ctx_t *c, const ww_yn_t *def, int depth, ww_sigma_node_t **out)
{
    int rc;
    if (depth > 8)
        return ww__sigma_fail(c, def, "search identifier nested too deeply");
    if (def->type == WW_YN_MAP)
        return build_map(c, def, out);
    if (def->type == WW_YN_SCALAR) {
        double num;
        bool b;
        if (ww_yn_resolve(def, &num, &b) == WW_YS_NULL)
            return ww__sigma_fail(c, def, "empty search identifier");
        ww_sigma_item_t *it;
        if ((rc = ww__sigma_item(c, NULL, def, &it)) < 0)
            return rc;
        return (*out = item_node(c->a, it)) ? 0 : WW_ENOMEM;
    }
    /* A list: keywords when every entry is a scalar, else an OR of the entries. */
    if (def->nkids == 0)
        return ww__sigma_fail(c, def, "empty search identifier list");
    bool scalars = true;
    for (uint32_t i = 0; i < def->nkids; i++)
        if (def->kids[i]->type != WW_YN_SCALAR)
            scalars = false;
    if (scalars) {
        ww_sigma_item_t *it;
        if ((rc = ww__sigma_item(c, NULL, def, &it)) < 0)
            return rc;
        return (*out = item_node(c->a, it)) ? 0 : WW_ENOMEM;
    }
    if (def->nkids == 1)
        return build_def(c, def->kids[0], depth + 1, out);
    ww_sigma_node_t * or = ww__sigma_node(c->a, WW_NODE_OR, def->nkids);
    if (! or)
        return WW_ENOMEM;
    for (uint32_t i = 0; i < def->nkids; i++)
        if ((rc = build_def(c, def->kids[i], depth + 1, & or->kids[i])) < 0)
            return rc;
    *out = or ;
    return 0;
}

/* ---- condition tokens ------------------------------------------------------------- */

enum tok { T_END, T_LP, T_RP, T_WORD, T_AND, T_OR, T_NOT, T_OF, T_THEM, T_ONE, T_ANY, T_ALL };

typedef struct parser {
    ww_sigma_ctx_t *c;
    const ww_yn_t *at;
    const char *s;
    size_t n, pos;
    /* current token */
    int tok;
    size_t tstart, tlen;
    const ww_sigma_ident_t *ids;
    uint32_t nids;
    uint32_t nodes;
    int depth;
} parser_t;

static bool word_ieq(const char *p, size_t n, const char *kw)
{
    return ww_str_ieq((ww_str_t){p, n}, WW_STRZ(kw));
}

static int fail_pos(parser_t *p, size_t off, const char *fmt, const char *arg)
{
    uint32_t line = p->at ? p->at->line : 0;
    uint32_t col = p->at ? p->at->col : 0;
    /* Exact for single-line scalars; the quote adds one column. */
    if (p->at && !memchr(p->s, '\n', p->n))
        col += (uint32_t)off + (p->at->plain ? 0 : 1);
    char msg[200];
    snprintf(msg, sizeof(msg), fmt, arg);
    return ww__sigma_fail_at(p->c, line, col, "condition: %s (at column %zu of the condition)", msg,
                             off + 1);
}

static void next(parser_t *p)
{
    while (p->pos < p->n && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' ||
                             p->s[p->pos] == '\r'))
        p->pos++;
    p->tstart = p->pos;
    if (p->pos >= p->n) {
        p->tok = T_END;
        p->tlen = 0;
        return;
    }
    char ch = p->s[p->pos];
    if (ch == '(' || ch == ')') {
        p->tok = ch == '(' ? T_LP : T_RP;
        p->tlen = 1;
        p->pos++;
        return;
    }
    size_t e = p->pos;
    while (e < p->n && !strchr(" \t\r\n()", p->s[e]) && p->s[e] != 0)
        e++;
    if (e == p->pos)
        e++; /* a NUL byte: one-character word, reported as unknown */
    p->tlen = e - p->pos;
    const char *w = p->s + p->pos;
    p->pos = e;
    if (word_ieq(w, p->tlen, "and"))
        p->tok = T_AND;
    else if (word_ieq(w, p->tlen, "or"))
        p->tok = T_OR;
    else if (word_ieq(w, p->tlen, "not"))
        p->tok = T_NOT;
    else if (word_ieq(w, p->tlen, "of"))
        p->tok = T_OF;
    else if (word_ieq(w, p->tlen, "them"))
        p->tok = T_THEM;
    else if (word_ieq(w, p->tlen, "1"))
        p->tok = T_ONE;
    else if (word_ieq(w, p->tlen, "any"))
        p->tok = T_ANY;
    else if (word_ieq(w, p->tlen, "all"))
        p->tok = T_ALL;
    else
        p->tok = T_WORD;
}

/* Full match of a pattern whose only wildcard is `*`. */
static bool pat_match(const char *pat, size_t pn, const char *s)
{
    size_t sn = strlen(s);
    size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;
    while (si < sn) {
        if (pi < pn && pat[pi] == '*') {
            star = pi++;
            mark = si;
        } else if (pi < pn && pat[pi] == s[si]) {
            pi++;
            si++;
        } else if (star != (size_t)-1) {
            pi = star + 1;
            si = ++mark;
        } else {
            return false;
        }
    }
    while (pi < pn && pat[pi] == '*')
        pi++;
    return pi == pn;
}

static int parse_or(parser_t *p, ww_sigma_node_t **out);

static int count_node(parser_t *p)
{
    if (++p->nodes > WW_SIGMA_MAX_COND_NODES)
        return ww__sigma_fail(p->c, p->at, "condition too large");
    return 0;
}

static int parse_primary(parser_t *p, ww_sigma_node_t **out)
{
    int rc;
    if ((rc = count_node(p)) < 0)
        return rc;
    if (p->tok == T_LP) {
        size_t open = p->tstart;
        if (++p->depth > 100)
            return fail_pos(p, open, "%s", "parentheses nested too deeply");
        next(p);
        if ((rc = parse_or(p, out)) < 0)
            return rc;
        if (p->tok != T_RP)
            return fail_pos(p, open, "%s", "unbalanced '(': missing ')'");
        p->depth--;
        next(p);
        return 0;
    }
    if (p->tok == T_ONE || p->tok == T_ANY || p->tok == T_ALL) {
        bool all = p->tok == T_ALL;
        size_t sel = p->tstart;
        next(p);
        if (p->tok != T_OF)
            return fail_pos(p, p->tstart, "%s", "expected 'of' after '1', 'any' or 'all'");
        next(p);
        bool them = p->tok == T_THEM;
        if (!them && p->tok != T_WORD)
            return fail_pos(p, p->tstart, "%s",
                            "expected an identifier pattern or 'them' after 'of'");
        const char *pat = p->s + p->tstart;
        size_t pn = p->tlen;
        uint32_t nm = 0;
        for (uint32_t i = 0; i < p->nids; i++) {
            const char *name = p->ids[i].name;
            bool ok = them ? name[0] != '_'
                           : pat_match(pat, pn, name) && (name[0] != '_' || pat[0] == '_');
            nm += ok;
        }
        if (nm == 0) {
            char what[80];
            snprintf(what, sizeof(what), "%.*s", (int)(pn > 60 ? 60 : pn), pat);
            return fail_pos(p, sel,
                            them ? "'of them' but the rule has no search identifiers%s"
                                 : "'%s' matches no search identifier",
                            them ? "" : what);
        }
        ww_sigma_node_t *n =
            nm == 1 ? NULL : ww__sigma_node(p->c->a, all ? WW_NODE_AND : WW_NODE_OR, nm);
        if (nm > 1 && !n)
            return WW_ENOMEM;
        uint32_t k = 0;
        for (uint32_t i = 0; i < p->nids; i++) {
            const char *name = p->ids[i].name;
            bool ok = them ? name[0] != '_'
                           : pat_match(pat, pn, name) && (name[0] != '_' || pat[0] == '_');
            if (!ok)
                continue;
            if (nm == 1)
                n = p->ids[i].node;
            else
                n->kids[k++] = p->ids[i].node;
            if ((rc = count_node(p)) < 0)
                return rc;
        }
        next(p);
        *out = n;
        return 0;
    }
    if (p->tok == T_WORD) {
        const char *w = p->s + p->tstart;
        char name[128];
        snprintf(name, sizeof(name), "%.*s", (int)(p->tlen > 100 ? 100 : p->tlen), w);
        if (word_ieq(w, p->tlen, "near"))
            return fail_pos(p, p->tstart, "%s",
                            "`near` was removed in Sigma 2: write a temporal correlation rule");
        for (uint32_t i = 0; i < p->nids; i++)
            if (strlen(p->ids[i].name) == p->tlen && memcmp(p->ids[i].name, w, p->tlen) == 0) {
                *out = p->ids[i].node;
                next(p);
                return 0;
            }
        return fail_pos(p, p->tstart, "unknown search identifier '%s'", name);
    }
    if (p->tok == T_END)
        return fail_pos(p, p->tstart, "%s", "unexpected end of condition");
    char tk[64];
    snprintf(tk, sizeof(tk), "%.*s", (int)(p->tlen > 40 ? 40 : p->tlen), p->s + p->tstart);
    return fail_pos(p, p->tstart, "unexpected '%s'", tk);
}

static int parse_not(parser_t *p, ww_sigma_node_t **out)
{
    int rc;
    if (p->tok == T_NOT) {
        if (++p->depth > 200)
            return fail_pos(p, p->tstart, "%s", "too many 'not'");
        next(p);
        ww_sigma_node_t *kid;
        if ((rc = parse_not(p, &kid)) < 0)
            return rc;
        p->depth--;
        ww_sigma_node_t *n = ww__sigma_node(p->c->a, WW_NODE_NOT, 1);
        if (!n)
            return WW_ENOMEM;
        n->kids[0] = kid;
        *out = n;
        return count_node(p);
    }
    return parse_primary(p, out);
}

/* Parses `sub (OP sub)*` into one flat n-ary node. */
static int parse_chain(parser_t *p, int optok, int op, int (*sub)(parser_t *, ww_sigma_node_t **),
                       ww_sigma_node_t **out)
{
    ww_sigma_node_t *first;
    int rc = sub(p, &first);
    if (rc < 0)
        return rc;
    if (p->tok != optok) {
        *out = first;
        return 0;
    }
    ww_sigma_node_t *kids[64];
    ww_sigma_node_t **list = kids;
    uint32_t n = 0, cap = 64;
    list[n++] = first;
    while (p->tok == optok) {
        next(p);
        ww_sigma_node_t *k;
        if ((rc = sub(p, &k)) < 0)
            goto out;
        if (n == cap) {
            ww_sigma_node_t **nl = ww_arena_alloc(p->c->a, 2 * cap * sizeof(*nl));
            if (!nl) {
                rc = WW_ENOMEM;
                goto out;
            }
            memcpy(nl, list, n * sizeof(*nl));
            list = nl;
            cap *= 2;
        }
        list[n++] = k;
    }
    ww_sigma_node_t *node = ww__sigma_node(p->c->a, op, n);
    if (!node) {
        rc = WW_ENOMEM;
        goto out;
    }
    memcpy(node->kids, list, n * sizeof(*list));
    *out = node;
    rc = count_node(p);
out:
    return rc;
}

static int parse_and(parser_t *p, ww_sigma_node_t **out)
{
    return parse_chain(p, T_AND, WW_NODE_AND, parse_not, out);
}

static int parse_or(parser_t *p, ww_sigma_node_t **out)
{
    return parse_chain(p, T_OR, WW_NODE_OR, parse_and, out);
}

int ww__sigma_cond_parse(ww_sigma_ctx_t *c, const ww_yn_t *at, const char *s, size_t n,
                         const ww_sigma_ident_t *ids, uint32_t nids, ww_sigma_node_t **out)
{
    parser_t p = {.c = c, .at = at, .s = s, .n = n, .ids = ids, .nids = nids};
    const char *bar = memchr(s, '|', n);
    if (bar) {
        const char *agg = "deprecated Sigma v1 aggregation `| count() by ...`: write a "
                          "correlation rule (type: event_count / value_count) instead";
        if (strstr(bar, "near"))
            agg = "`near` was removed in Sigma 2: write a temporal correlation rule";
        return fail_pos(&p, (size_t)(bar - s), "%s", agg);
    }
    next(&p);
    if (p.tok == T_END)
        return fail_pos(&p, 0, "%s", "empty condition");
    int rc = parse_or(&p, out);
    if (rc < 0)
        return rc;
    if (p.tok != T_END) {
        if (p.tok == T_RP)
            return fail_pos(&p, p.tstart, "%s", "unbalanced ')'");
        char tk[64];
        snprintf(tk, sizeof(tk), "%.*s", (int)(p.tlen > 40 ? 40 : p.tlen), s + p.tstart);
        return fail_pos(&p, p.tstart, "unexpected '%s' (missing 'and'/'or'?)", tk);
    }
    return 0;
}

/* ---- whole detection -------------------------------------------------------------- */

int ww__sigma_detection(ww_sigma_ctx_t *c, const ww_yn_t *det, ww_sigma_node_t **out)
{
    int rc;
    if (!det)
        return ww__sigma_fail(c, NULL, "missing 'detection'");
    if (det->type != WW_YN_MAP)
        return ww__sigma_fail(c, det, "'detection' must be a map");
    const ww_yn_t *cond = ww_yn_get(det, "condition");
    if (!cond)
        return ww__sigma_fail(c, det, "missing 'condition' in 'detection'");
    uint32_t nids = 0;
    ww_sigma_ident_t *ids = ww_arena_calloc(c->a, (det->nkids / 2 + 1) * sizeof(*ids));
    if (!ids)
        return WW_ENOMEM;
    for (uint32_t i = 0; i + 1 < det->nkids; i += 2) {
        const ww_yn_t *k = det->kids[i];
        if (k->type != WW_YN_SCALAR)
            return ww__sigma_fail(c, k, "search identifier name must be a string");
        if (strcmp(k->s, "condition") == 0 || strcmp(k->s, "timeframe") == 0)
            continue;
        ids[nids].name = ww_arena_strndup(c->a, k->s, k->n);
        if (!ids[nids].name)
            return WW_ENOMEM;
        if ((rc = build_def(c, det->kids[i + 1], 0, &ids[nids].node)) < 0)
            return rc;
        nids++;
    }
    if (cond->type == WW_YN_MAP)
        return ww__sigma_fail(c, cond, "'condition' must be a string or a list of strings");
    uint32_t nconds = cond->type == WW_YN_SEQ ? cond->nkids : 1;
    if (nconds == 0)
        return ww__sigma_fail(c, cond, "empty condition list");
    ww_sigma_node_t * or = nconds > 1 ? ww__sigma_node(c->a, WW_NODE_OR, nconds) : NULL;
    if (nconds > 1 && ! or)
        return WW_ENOMEM;
    for (uint32_t i = 0; i < nconds; i++) {
        const ww_yn_t *cs = cond->type == WW_YN_SEQ ? cond->kids[i] : cond;
        if (cs->type != WW_YN_SCALAR)
            return ww__sigma_fail(c, cs, "condition must be a string");
        ww_sigma_node_t *t;
        if ((rc = ww__sigma_cond_parse(c, cs, cs->s, cs->n, ids, nids, &t)) < 0)
            return rc;
        if (or)
            or->kids[i] = t;
        else
            *out = t;
    }
    if (or)
        *out = or ;
    return 0;
}

/* ---- item collection -------------------------------------------------------------- */

typedef struct pset {
    const void **slot;
    size_t cap, n;
} pset_t;

static int pset_add(pset_t *s, const void *p)
{
    if (2 * (s->n + 1) > s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 64;
        const void **ns = calloc(nc, sizeof(*ns));
        if (!ns)
            return WW_ENOMEM;
        for (size_t i = 0; i < s->cap; i++)
            if (s->slot[i]) {
                size_t h = ((uintptr_t)s->slot[i] >> 3) * 0x9E3779B97F4A7C15ull;
                size_t j = h & (nc - 1);
                while (ns[j])
                    j = (j + 1) & (nc - 1);
                ns[j] = s->slot[i];
            }
        free(s->slot);
        s->slot = ns;
        s->cap = nc;
    }
    size_t h = ((uintptr_t)p >> 3) * 0x9E3779B97F4A7C15ull;
    size_t j = h & (s->cap - 1);
    while (s->slot[j]) {
        if (s->slot[j] == p)
            return 0;
        j = (j + 1) & (s->cap - 1);
    }
    s->slot[j] = p;
    s->n++;
    return 1;
}

typedef struct collect {
    pset_t seen_nodes, seen_items;
    ww_sigma_item_t **items;
    uint32_t n, cap;
    ww_arena_t *a;
} collect_t;

static int walk(collect_t *cl, ww_sigma_node_t *n, int depth)
{
    int rc;
    if (depth > 1000)
        return WW_ELIMIT;
    if ((rc = pset_add(&cl->seen_nodes, n)) <= 0)
        return rc;
    if (n->op == WW_NODE_ITEM) {
        if ((rc = pset_add(&cl->seen_items, n->item)) <= 0)
            return rc;
        if (cl->n == cl->cap) {
            uint32_t nc = cl->cap ? cl->cap * 2 : 16;
            ww_sigma_item_t **ni = ww_arena_alloc(cl->a, nc * sizeof(*ni));
            if (!ni)
                return WW_ENOMEM;
            if (cl->n)
                memcpy(ni, cl->items, cl->n * sizeof(*ni));
            cl->items = ni;
            cl->cap = nc;
        }
        cl->items[cl->n++] = n->item;
        return 0;
    }
    for (uint32_t i = 0; i < n->nkids; i++)
        if ((rc = walk(cl, n->kids[i], depth + 1)) < 0)
            return rc;
    return 0;
}

int ww__sigma_collect_items(ww_arena_t *a, ww_sigma_node_t *root, ww_sigma_item_t ***items,
                            uint32_t *nitems)
{
    collect_t cl = {.a = a};
    int rc = walk(&cl, root, 0);
    free(cl.seen_nodes.slot);
    free(cl.seen_items.slot);
    if (rc < 0)
        return rc;
    *items = cl.items;
    *nitems = cl.n;
    return 0;
}
