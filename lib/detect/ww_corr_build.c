/* Building and freeing the correlation engine: one state per correlation rule, the
 * rule -> correlations index used by ww_corr_wants/ww_corr_feed, alias resolution into
 * a per-(rule, group-by) field table, cycle rejection and the inner-first order used by
 * ww_corr_flush.  Independent of the YAML loader (ww_corr_new in ww_corr_rs.c lists
 * the ruleset and calls ww__corr_new_rules). */
#include <stdlib.h>

#include "detect/ww_corr_int.h"

static const char *rule_label(const ww_sigma_rule_t *r)
{
    return r->title ? r->title : r->id ? r->id : r->name ? r->name : "?";
}

static uint32_t find_pos(const ww_sigma_rule_t *const *rules, uint32_t n, const ww_sigma_rule_t *r)
{
    if (!r)
        return WW__CORR_NONE;
    if (r->index < n && rules[r->index] == r)
        return r->index;
    for (uint32_t i = 0; i < n; i++)
        if (rules[i] == r)
            return i;
    return WW__CORR_NONE;
}

static bool alias_map_is(const ww_sigma_alias_map_t *m, const ww_sigma_rule_t *r)
{
    if (m->rule)
        return m->rule == r;
    if (!m->rule_ref)
        return false;
    return (r->name && strcmp(r->name, m->rule_ref) == 0) ||
           (r->id && strcmp(r->id, m->rule_ref) == 0);
}

/* The field that group-by name `name` reads from events of rule r: the alias mapping
 * for r when there is one, otherwise the name itself. */
static const char *group_field(const ww_sigma_corr_t *k, const char *name, const ww_sigma_rule_t *r)
{
    for (uint32_t a = 0; a < k->naliases; a++) {
        const ww_sigma_alias_t *al = &k->aliases[a];
        if (!al->name || strcmp(al->name, name) != 0)
            continue;
        for (uint32_t m = 0; m < al->nmaps; m++)
            if (al->maps[m].field && alias_map_is(&al->maps[m], r))
                return al->maps[m].field;
    }
    return name;
}

static int state_init(ww_corr_t *c, ww__corr_state_t *s, const ww_sigma_rule_t *rule)
{
    const ww_sigma_corr_t *k = rule->corr;
    s->rule = rule;
    s->corr = k;
    s->freelist = s->lru_head = s->lru_tail = WW__CORR_NONE;
    s->span = k->timespan_ns;
    s->ngroup = k->ngroup;
    ww_buf_init(&s->kbuf, (size_t)k->ngroup * (WW__CORR_VALUE_MAX + 8) + 64);

    if (k->nrules == 0 || k->timespan_ns <= 0 || (k->ngroup && !k->group_by)) {
        WW_LOG(1, "correlation '%s': no rules or no timespan; ignored", rule_label(rule));
        s->disabled = true;
    }
    for (uint32_t i = 0; i < k->nrules && !s->disabled; i++)
        if (!k->rules || !k->rules[i] ||
            find_pos(c->rules, c->nrules, k->rules[i]) == WW__CORR_NONE) {
            WW_LOG(1, "correlation '%s': unresolved rule reference; ignored", rule_label(rule));
            s->disabled = true;
        }
    bool valued = k->type == WW_CORR_VALUE_COUNT || k->type == WW_CORR_VALUE_SUM ||
                  k->type == WW_CORR_VALUE_AVG || k->type == WW_CORR_VALUE_PERCENTILE;
    if (valued && !k->field) {
        WW_LOG(1, "correlation '%s': %s without a field; ignored", rule_label(rule),
               "value correlation");
        s->disabled = true;
    }
    if (k->type > WW_CORR_VALUE_PERCENTILE)
        s->disabled = true;

    /* Which conditions can be decided as each event arrives: a measure that only grows
       as events are added (counts, sums) crossing gt/gte.  Everything else needs the
       whole window. */
    if (k->type == WW_CORR_VALUE_AVG) {
        s->close_mode = true;
    } else if (k->type == WW_CORR_VALUE_PERCENTILE) {
        s->share_mode = k->percentile < 0;
        s->close_mode = !s->share_mode;
    } else {
        for (uint32_t i = 0; i < k->ncond && i < 3; i++)
            if (k->cond[i].op != WW_CMP_GT && k->cond[i].op != WW_CMP_GTE)
                s->close_mode = true;
    }

    size_t cap = c->lim.max_events_per_group;
    s->gnames = calloc(k->ngroup + 1, sizeof *s->gnames);
    s->gvals = calloc(k->ngroup + 1, sizeof *s->gvals);
    s->gfield = calloc((size_t)k->nrules * k->ngroup + 1, sizeof *s->gfield);
    s->refs = calloc(cap, sizeof *s->refs);
    s->vscratch = calloc(cap, sizeof *s->vscratch);
    if (!s->gnames || !s->gvals || !s->gfield || !s->refs || !s->vscratch)
        return WW_ENOMEM;
    for (uint32_t j = 0; j < k->ngroup; j++)
        s->gnames[j] = k->group_by[j] ? k->group_by[j] : "";
    if (k->field)
        s->vfield = WW_STRZ(k->field);
    for (uint32_t i = 0; i < k->nrules && !s->disabled; i++)
        for (uint32_t j = 0; j < k->ngroup; j++)
            s->gfield[i * k->ngroup + j] = WW_STRZ(group_field(k, s->gnames[j], k->rules[i]));
    return 0;
}

/* The state of the correlation rule r references at position i, or NONE. */
static uint32_t inner_state(const ww_corr_t *c, const ww_sigma_rule_t *r)
{
    uint32_t p = find_pos(c->rules, c->nrules, r);
    return p == WW__CORR_NONE ? WW__CORR_NONE : c->stid[p];
}

static bool reaches(const ww_corr_t *c, uint32_t from, uint32_t target, uint8_t *seen)
{
    const ww_sigma_corr_t *k = c->st[from].corr;
    for (uint32_t i = 0; i < k->nrules; i++) {
        uint32_t t = k->rules ? inner_state(c, k->rules[i]) : WW__CORR_NONE;
        if (t == WW__CORR_NONE)
            continue;
        if (t == target)
            return true;
        if (!seen[t]) {
            seen[t] = 1;
            if (reaches(c, t, target, seen))
                return true;
        }
    }
    return false;
}

static void post_order(const ww_corr_t *c, uint32_t si, uint8_t *seen, uint32_t *n)
{
    seen[si] = 1;
    const ww_sigma_corr_t *k = c->st[si].corr;
    for (uint32_t i = 0; i < k->nrules; i++) {
        uint32_t t = k->rules ? inner_state(c, k->rules[i]) : WW__CORR_NONE;
        if (t != WW__CORR_NONE && !seen[t])
            post_order(c, t, seen, n);
    }
    c->order[(*n)++] = si;
}

int ww__corr_new_rules(const ww_sigma_rule_t *const *rules, uint32_t n, const ww_corr_limits_t *lim,
                       ww_corr_t **out)
{
    int rc = WW_ENOMEM;
    uint8_t *seen = NULL;
    ww_corr_t *c = calloc(1, sizeof *c);
    if (!c)
        goto out;
    c->lim.max_groups = lim && lim->max_groups ? lim->max_groups : WW__CORR_DEF_GROUPS;
    c->lim.max_events_per_group =
        lim && lim->max_events_per_group ? lim->max_events_per_group : WW__CORR_DEF_EVENTS;
    if (c->lim.max_groups > UINT32_MAX / 8)
        c->lim.max_groups = UINT32_MAX / 8;
    c->nrules = n;
    c->rules = calloc(n + 1, sizeof *c->rules);
    c->stid = calloc(n + 1, sizeof *c->stid);
    c->woff = calloc(n + 2, sizeof *c->woff);
    if (!c->rules || !c->stid || !c->woff)
        goto out;
    uint32_t nst = 0;
    for (uint32_t i = 0; i < n; i++) {
        c->rules[i] = rules[i];
        c->stid[i] = WW__CORR_NONE;
        if (rules[i] && rules[i]->corr)
            c->stid[i] = nst++;
    }
    c->st = calloc(nst + 1, sizeof *c->st);
    c->order = calloc(nst + 1, sizeof *c->order);
    seen = calloc(nst + 1, 1);
    if (!c->st || !c->order || !seen)
        goto out;
    for (uint32_t i = 0; i < n; i++)
        if (c->stid[i] != WW__CORR_NONE) {
            c->nst++;
            if ((rc = state_init(c, &c->st[c->stid[i]], rules[i])) < 0)
                goto out;
        }
    rc = WW_ENOMEM;

    /* a correlation that (indirectly) references itself could never be decided */
    for (uint32_t si = 0; si < c->nst; si++) {
        memset(seen, 0, c->nst);
        if (!c->st[si].disabled && reaches(c, si, si, seen)) {
            WW_LOG(1, "correlation '%s' references itself (a cycle); ignored",
                   rule_label(c->st[si].rule));
            c->st[si].disabled = true;
        }
    }
    memset(seen, 0, c->nst);
    uint32_t no = 0;
    for (uint32_t si = 0; si < c->nst; si++)
        if (!seen[si])
            post_order(c, si, seen, &no);

    /* rule -> states that reference it (each state once per rule), and outer lists */
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t si = 0; si < c->nst; si++) {
            ww__corr_state_t *s = &c->st[si];
            if (s->disabled)
                continue;
            for (uint32_t i = 0; i < s->corr->nrules; i++) {
                const ww_sigma_rule_t *r = s->corr->rules[i];
                bool dup = false;
                for (uint32_t j = 0; j < i; j++)
                    dup |= s->corr->rules[j] == r;
                if (dup)
                    continue;
                uint32_t p = find_pos(c->rules, n, r);
                if (pass == 0) {
                    c->woff[p + 1]++;
                    if (c->stid[p] != WW__CORR_NONE)
                        c->st[c->stid[p]].nouter++;
                } else {
                    c->wids[c->woff[p + 1]++] = si;
                    uint32_t t = c->stid[p];
                    if (t != WW__CORR_NONE)
                        c->st[t].outer[c->st[t].nouter++] = si;
                }
            }
        }
        if (pass == 0) {
            for (uint32_t p = 0; p < n; p++)
                c->woff[p + 1] += c->woff[p];
            c->wids = calloc(c->woff[n] + 1, sizeof *c->wids);
            if (!c->wids)
                goto out;
            for (uint32_t p = n + 1; p > 0; p--)
                c->woff[p] = c->woff[p - 1];
            c->woff[0] = 0;
            for (uint32_t si = 0; si < c->nst; si++) {
                ww__corr_state_t *s = &c->st[si];
                s->outer = calloc(s->nouter + 1, sizeof *s->outer);
                if (!s->outer)
                    goto out;
                s->nouter = 0;
            }
        }
    }
    *out = c;
    c = NULL;
    rc = 0;
out:
    free(seen);
    ww_corr_free(c);
    return rc;
}

void ww_corr_free(ww_corr_t *c)
{
    if (!c)
        return;
    for (uint32_t si = 0; si < c->nst; si++) {
        ww__corr_state_t *s = &c->st[si];
        for (uint32_t gi = 0; gi < s->ngrp; gi++) {
            /* Free slab entries still hold the small buffers kept for reuse. */
            ww__corr_grp_t *g = &s->grp[gi];
            free(g->key);
            free(g->ring);
            if (g->ext) {
                free(g->ext->b);
                free(g->ext->vals);
                free(g->ext->rlast);
                free(g->ext);
            }
        }
        free(s->grp);
        free(s->tab);
        free(s->heap);
        ww_buf_release(&s->kbuf);
        free(s->gnames);
        free(s->gvals);
        free(s->gfield);
        free(s->refs);
        free(s->vscratch);
        free(s->outer);
    }
    free(c->st);
    free(c->order);
    free(c->rules);
    free(c->stid);
    free(c->woff);
    free(c->wids);
    free(c);
}
