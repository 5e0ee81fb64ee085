/* Sigma filters (meta filters): a filter names rules (or `any`) and a logsource; each
 * detection rule it applies to gets its condition replaced by AND(rule, filter), with
 * the filter's tree copied into the rule's own arena so the rule stays self-contained. */
#include <stdio.h>

#include "sigma/ww_sigma_int.h"

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
    if ((rc = ww__sigma_logsource(c, ww_yn_get(root, "logsource"), &f->logsource)) < 0)
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

static bool filter_names(const ww_sigma_filter_t *f, const ww_sigma_rule_t *r)
{
    if (f->any)
        return true;
    for (uint32_t i = 0; i < f->nrules; i++)
        if (ww__sigma_rule_is(r, f->rule_refs[i]))
            return true;
    return false;
}

int ww__sigma_filter_apply(ww_sigma_ruleset_t *rs)
{
    for (uint32_t i = 0; i < rs->nrules; i++) {
        ww_sigma_rule_t *r = rs->rules[i];
        if (!r->cond)
            continue;
        for (uint32_t j = 0; j < rs->nfilters; j++) {
            const ww_sigma_filter_t *f = rs->filters[j];
            if (!ls_contains(&f->logsource, &r->logsource) || !filter_names(f, r))
                continue;
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
