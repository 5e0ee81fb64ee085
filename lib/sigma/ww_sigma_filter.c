/* Sigma filters (meta filters): a filter names rules (or `any`) and a logsource; each
 * detection rule it applies to gets its condition replaced by AND(rule, filter), with
 * the filter's tree copied into the rule's own arena so the rule stays self-contained.
 * Suppressions are filters too (loaded from a site's suppression files): applied after
 * the plain filters, each one that has not expired also leaves behind, per rule, a
 * shadow rule AND(rule, NOT filter) that matches exactly what it removed, so that hunt
 * can say how many alerts each suppression took away. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sigma/ww_sigma_int.h"

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* A calendar date written YYYY-MM-DD. */
static bool valid_date(const char *s, size_t n)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (n != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1970 || m < 1 || m > 12 || d < 1)
        return false;
    return d <= mdays[m - 1] + (m == 2 && leap(y));
}

/* `description` (the reason for a suppression) and `expires: YYYY-MM-DD`. */
static int filter_meta(ww_sigma_ctx_t *c, const ww_yn_t *root, ww_sigma_filter_t *f)
{
    const ww_yn_t *d = ww_yn_get(root, "description");
    if (d && d->type != WW_YN_SCALAR)
        return ww__sigma_fail(c, d, "'description' must be a string");
    if (d && d->n && !(f->description = ww__sigma_dupstr(c, d)))
        return WW_ENOMEM;
    const ww_yn_t *x = ww_yn_get(root, "expires");
    if (!x)
        return 0;
    if (x->type != WW_YN_SCALAR || !valid_date(x->s, x->n))
        return ww__sigma_fail(c, x, "'expires' must be a date written YYYY-MM-DD, e.g. 2027-01-31");
    return (f->expires = ww__sigma_dupstr(c, x)) ? 0 : WW_ENOMEM;
}

int ww__sigma_filter_parse(ww_sigma_ctx_t *c, const ww_yn_t *root, ww_sigma_filter_t *f)
{
    int rc;
    const ww_yn_t *t = ww_yn_get(root, "title");
    if (!t)
        return ww__sigma_fail(c, root, "missing 'title'");
    if (t->type != WW_YN_SCALAR || t->n == 0)
        return ww__sigma_fail(c, t, "'title' must be a non-empty string");
    if (!(f->title = ww__sigma_dupstr(c, t)))
        return WW_ENOMEM;
    const ww_yn_t *id = ww_yn_get(root, "id");
    if (id && id->type == WW_YN_SCALAR && !(f->id = ww__sigma_dupstr(c, id)))
        return WW_ENOMEM;
    const ww_yn_t *ls = ww_yn_get(root, "logsource");
    /* A suppression may leave the logsource out: the rules it names say enough. */
    if ((ls || !c->rs->loading_suppress) && (rc = ww__sigma_logsource(c, ls, &f->logsource)) < 0)
        return rc;
    if ((rc = filter_meta(c, root, f)) < 0)
        return rc;
    const ww_yn_t *fm = ww_yn_get(root, "filter");
    if (fm->type != WW_YN_MAP)
        return ww__sigma_fail(c, fm, "'filter' must be a map");
    const ww_yn_t *rules = ww_yn_get(fm, "rules");
    if (!rules || (rules->type == WW_YN_SCALAR && strcmp(rules->s, "any") == 0) ||
        (rules->type == WW_YN_SEQ && rules->nkids == 0)) {
        f->any = true;
    } else if ((rc = ww__sigma_strlist(c, rules, "rules", &f->rule_refs, &f->nrules)) < 0) {
        return rc;
    }
    /* The rest of the filter map is a detection: identifiers plus `condition`. */
    ww_yn_t det = *fm;
    det.kids = ww_arena_alloc(c->a, (fm->nkids + 1) * sizeof(*det.kids));
    if (!det.kids)
        return WW_ENOMEM;
    det.nkids = 0;
    for (uint32_t i = 0; i + 1 < fm->nkids; i += 2) {
        const ww_yn_t *k = fm->kids[i];
        if (k->type == WW_YN_SCALAR && strcmp(k->s, "rules") == 0)
            continue;
        det.kids[det.nkids++] = fm->kids[i];
        det.kids[det.nkids++] = fm->kids[i + 1];
    }
    return ww__sigma_detection(c, &det, &f->cond);
}

/* ---- deep copy into a rule's arena ------------------------------------------------ */

static char *dup_n(ww_arena_t *a, const char *s, size_t n, bool *oom)
{
    if (!s)
        return NULL;
    char *d = ww_arena_strndup(a, s, n);
    if (!d)
        *oom = true;
    return d;
}

static ww_sigma_item_t *copy_item(ww_arena_t *a, const ww_sigma_item_t *src, bool *oom)
{
    ww_sigma_item_t *it = ww_arena_alloc(a, sizeof(*it));
    if (!it) {
        *oom = true;
        return NULL;
    }
    *it = *src;
    it->field = src->field ? dup_n(a, src->field, strlen(src->field), oom) : NULL;
    it->vals = ww_arena_alloc(a, (src->nvals + 1) * sizeof(*it->vals));
    if (!it->vals) {
        *oom = true;
        return NULL;
    }
    for (uint32_t i = 0; i < src->nvals; i++) {
        const ww_sigma_value_t *sv = &src->vals[i];
        ww_sigma_value_t *dv = &it->vals[i];
        dv->nalts = sv->nalts;
        dv->alts = ww_arena_alloc(a, (sv->nalts + 1) * sizeof(*dv->alts));
        if (!dv->alts) {
            *oom = true;
            return NULL;
        }
        for (uint32_t j = 0; j < sv->nalts; j++) {
            const ww_sigma_match_t *sm = &sv->alts[j];
            ww_sigma_match_t *dm = &dv->alts[j];
            *dm = *sm;
            if (sm->nparts) {
                dm->parts = ww_arena_alloc(a, sm->nparts * sizeof(*dm->parts));
                if (!dm->parts) {
                    *oom = true;
                    return NULL;
                }
                for (uint32_t k = 0; k < sm->nparts; k++) {
                    dm->parts[k] = sm->parts[k];
                    if (sm->parts[k].lit)
                        dm->parts[k].lit = dup_n(a, sm->parts[k].lit, sm->parts[k].n, oom);
                }
            }
            if (sm->re)
                dm->re = dup_n(a, sm->re, strlen(sm->re), oom);
            if (sm->numtext)
                dm->numtext = dup_n(a, sm->numtext, strlen(sm->numtext), oom);
            if (sm->ref)
                dm->ref = dup_n(a, sm->ref, strlen(sm->ref), oom);
        }
    }
    return it;
}

static ww_sigma_node_t *copy_node(ww_arena_t *a, const ww_sigma_node_t *src, bool *oom)
{
    ww_sigma_node_t *n = ww__sigma_node(a, src->op, src->nkids);
    if (!n) {
        *oom = true;
        return NULL;
    }
    if (src->op == WW_NODE_ITEM) {
        n->item = copy_item(a, src->item, oom);
        return n;
    }
    for (uint32_t i = 0; i < src->nkids && !*oom; i++)
        n->kids[i] = copy_node(a, src->kids[i], oom);
    return n;
}

/* Every attribute the filter names must be equal in the rule (pySigma containment). */
static bool ls_contains(const ww_sigma_logsource_t *outer, const ww_sigma_logsource_t *inner)
{
    const char *o[] = {outer->category, outer->product, outer->service};
    const char *in[] = {inner->category, inner->product, inner->service};
    for (int i = 0; i < 3; i++)
        if (o[i] && (!in[i] || strcmp(o[i], in[i]) != 0))
            return false;
    return true;
}

/* A suppression may name a rule by its title as well. */
static bool names_ref(const ww_sigma_filter_t *f, const ww_sigma_rule_t *r, const char *ref)
{
    return ww__sigma_rule_is(r, ref) || (f->suppress && r->title && strcmp(r->title, ref) == 0);
}

static bool filter_names(const ww_sigma_filter_t *f, const ww_sigma_rule_t *r)
{
    if (f->any)
        return true;
    for (uint32_t i = 0; i < f->nrules; i++)
        if (names_ref(f, r, f->rule_refs[i]))
            return true;
    return false;
}

static char *dup_s(ww_arena_t *a, const char *s, bool *oom)
{
    return s ? dup_n(a, s, strlen(s), oom) : NULL;
}

/* The shadow of rule r under suppression f: AND(r, NOT f), alerting never. */
static ww_sigma_rule_t *shadow_new(const ww_sigma_rule_t *r, const ww_sigma_filter_t *f)
{
    ww_sigma_rule_t *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    bool oom = false;
    ww_arena_init(&s->arena, 4096, WW_SIGMA_RULE_ARENA_CAP);
    ww_arena_t *a = &s->arena;
    s->file = dup_s(a, r->file, &oom);
    s->line = r->line;
    s->title = dup_s(a, r->title, &oom);
    s->level = r->level;
    s->logsource.category = dup_s(a, r->logsource.category, &oom);
    s->logsource.product = dup_s(a, r->logsource.product, &oom);
    s->logsource.service = dup_s(a, r->logsource.service, &oom);
    s->shadow_of = r;
    s->suppression = f->supp_index;
    ww_sigma_node_t *and = ww__sigma_node(a, WW_NODE_AND, 2);
    ww_sigma_node_t *not = ww__sigma_node(a, WW_NODE_NOT, 1);
    if (and&&not ) {
        and->kids[0] = copy_node(a, r->cond, &oom);
        and->kids[1] = not ;
        not ->kids[0] = copy_node(a, f->cond, &oom);
    }
    if (oom || !and || !not || ww__sigma_collect_items(a, and, &s->items, &s->nitems) < 0) {
        ww__sigma_rule_free(s);
        return NULL;
    }
    s->cond = and;
    return s;
}

static bool before_today(const ww_sigma_ruleset_t *rs, const char *date)
{
    return date && strcmp(date, rs->today) < 0;
}

/* What a suppression's named rules are (ww_sigma_suppression_t.miss). */
static void supp_check(ww_sigma_ruleset_t *rs, ww_sigma_filter_t *f, uint32_t nrules)
{
    ww_sigma_supp_miss_t *miss =
        f->nrules ? ww_arena_calloc(&f->arena, f->nrules * sizeof(*miss)) : NULL;
    uint32_t n = 0;
    for (uint32_t k = 0; miss && k < f->nrules; k++) {
        bool named = false, detection = false, inside = false;
        for (uint32_t i = 0; i < nrules && !inside; i++) {
            const ww_sigma_rule_t *r = rs->rules[i];
            if (!names_ref(f, r, f->rule_refs[k]))
                continue;
            named = true;
            detection |= r->cond != NULL;
            inside |= r->cond && ls_contains(&f->logsource, &r->logsource);
        }
        if (!inside)
            miss[n++] = (ww_sigma_supp_miss_t){f->rule_refs[k], !named       ? WW_SUPP_UNKNOWN
                                                                : !detection ? WW_SUPP_CORRELATION
                                                                             : WW_SUPP_LOGSOURCE};
    }
    f->info.miss = miss;
    f->info.nmiss = n;
}

static void today_default(ww_sigma_ruleset_t *rs)
{
    if (rs->today[0])
        return;
    time_t now = time(NULL);
    struct tm tm;
    if (localtime_r(&now, &tm))
        strftime(rs->today, sizeof(rs->today), "%Y-%m-%d", &tm);
}

int ww__sigma_filter_apply(ww_sigma_ruleset_t *rs)
{
    uint32_t nrules = rs->nrules; /* shadows are added after these */
    today_default(rs);
    for (uint32_t j = 0; j < rs->nsupp; j++) {
        ww_sigma_filter_t *f = rs->supp[j];
        f->info.expired = before_today(rs, f->expires);
        supp_check(rs, f, nrules);
    }
    /* Plain filters first, then suppressions: a suppression's shadow is the rule as
       the site's filters left it, and an alert two suppressions would remove counts
       for the first of them. */
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t i = 0; i < nrules; i++) {
            ww_sigma_rule_t *r = rs->rules[i];
            if (!r->cond)
                continue;
            for (uint32_t j = 0; j < rs->nfilters; j++) {
                ww_sigma_filter_t *f = rs->filters[j];
                if (f->suppress != (pass == 1) || (f->suppress && f->info.expired) ||
                    !ls_contains(&f->logsource, &r->logsource) || !filter_names(f, r))
                    continue;
                if (f->suppress) {
                    ww_sigma_rule_t *s = shadow_new(r, f);
                    if (!s || ww__sigma_push_rule(rs, s) < 0) {
                        ww__sigma_rule_free(s);
                        ww__sigma_add_error(rs, f->file, f->line, 0, f->title,
                                            "out of memory applying suppression");
                        continue;
                    }
                    f->info.napplied++;
                }
                bool oom = false;
                ww_sigma_node_t *fc = copy_node(&r->arena, f->cond, &oom);
                ww_sigma_node_t *and = ww__sigma_node(&r->arena, WW_NODE_AND, 2);
                ww_sigma_item_t **items;
                uint32_t nitems;
                if (oom || !and) {
                    ww__sigma_add_error(rs, f->file, f->line, 0, f->title,
                                        "out of memory applying filter");
                    continue;
                }
                and->kids[0] = r->cond;
                and->kids[1] = fc;
                if (ww__sigma_collect_items(&r->arena, and, &items, &nitems) < 0) {
                    ww__sigma_add_error(rs, f->file, f->line, 0, f->title,
                                        "out of memory applying filter");
                    continue;
                }
                r->cond = and;
                r->items = items;
                r->nitems = nitems;
            }
        }
    return 0;
}
