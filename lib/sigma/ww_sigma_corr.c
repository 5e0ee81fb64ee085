/* Correlation rules (Sigma 2 meta-rules): parsing the `correlation:` section into
 * ww_sigma_corr_t, and, once every file is loaded, resolving rule references and
 * aliases, rejecting correlations that point nowhere (or at themselves), and deciding
 * which base rules still alert on their own (`generate`). */
#include <stdio.h>
#include <stdlib.h>

#include "sigma/ww_sigma_int.h"

static const char *const type_names[] = {
    "event_count", "value_count", "temporal",         "temporal_ordered",
    "value_sum",   "value_avg",   "value_percentile",
};

const char *ww_corr_type_name(int type)
{
    if (type < 0 || type >= (int)WW_ARRAY_LEN(type_names))
        return "unknown";
    return type_names[type];
}

static int parse_timespan(ww_sigma_ctx_t *c, const ww_yn_t *n, int64_t *out)
{
    if (!n)
        return ww__sigma_fail(c, NULL, "correlation: missing 'timespan'");
    if (n->type != WW_YN_SCALAR || n->n < 2)
        return ww__sigma_fail(c, n, "correlation: 'timespan' must look like 5m, 1h or 2d");
    char unit = n->s[n->n - 1];
    int64_t v;
    static const struct {
        char u;
        int64_t sec;
    } units[] = {{'s', 1},      {'m', 60},      {'h', 3600},    {'d', 86400},
                 {'w', 604800}, {'M', 2629746}, {'y', 31556952}};
    int64_t mul = 0;
    for (size_t i = 0; i < WW_ARRAY_LEN(units); i++)
        if (units[i].u == unit)
            mul = units[i].sec;
    if (!mul || ww_parse_i64(n->s, n->n - 1, &v) < 0 || v <= 0 || n->s[0] == '+' ||
        v > INT64_MAX / (mul * 1000000000LL))
        return ww__sigma_fail(c, n,
                              "correlation: bad timespan '%.40s' (a positive number and one "
                              "of s m h d w M y)",
                              n->s);
    *out = v * mul * 1000000000LL;
    return 0;
}

static int parse_number(ww_sigma_ctx_t *c, const ww_yn_t *n, const char *what, double *out)
{
    bool b;
    int t = ww_yn_resolve(n, out, &b);
    if (n->type != WW_YN_SCALAR || (t != WW_YS_INT && t != WW_YS_FLOAT))
        return ww__sigma_fail(c, n, "correlation: '%s' must be a number", what);
    return 0;
}

int ww__sigma_corr_parse(ww_sigma_ctx_t *c, const ww_yn_t *cn, const ww_yn_t *root,
                         ww_sigma_corr_t **out)
{
    int rc;
    if (cn->type != WW_YN_MAP)
        return ww__sigma_fail(c, cn, "'correlation' must be a map");
    ww_sigma_corr_t *k = ww_arena_calloc(c->a, sizeof(*k));
    if (!k)
        return WW_ENOMEM;
    k->percentile = -1;

    const ww_yn_t *t = ww_yn_get(cn, "type");
    if (!t)
        return ww__sigma_fail(c, cn, "correlation: missing 'type'");
    int type = -1;
    for (size_t i = 0; i < WW_ARRAY_LEN(type_names); i++)
        if (t->type == WW_YN_SCALAR && strcmp(t->s, type_names[i]) == 0)
            type = (int)i;
    if (type < 0)
        return ww__sigma_fail(c, t,
                              "correlation: unknown type '%.40s' (event_count, value_count, "
                              "temporal, temporal_ordered, value_sum, value_avg, "
                              "value_percentile)",
                              t->type == WW_YN_SCALAR ? t->s : "");
    k->type = (uint8_t)type;

    const ww_yn_t *rules = ww_yn_get(cn, "rules");
    if ((rc = ww__sigma_strlist(c, rules, "rules", &k->rule_refs, &k->nrules)) < 0)
        return rc;
    if (k->nrules == 0)
        return ww__sigma_fail(c, rules ? rules : cn,
                              "correlation: 'rules' must list at "
                              "least one rule id or name");
    k->rules = ww_arena_calloc(c->a, k->nrules * sizeof(*k->rules));
    if (!k->rules)
        return WW_ENOMEM;
    if ((rc = ww__sigma_strlist(c, ww_yn_get(cn, "group-by"), "group-by", &k->group_by,
                                &k->ngroup)) < 0)
        return rc;
    if ((rc = parse_timespan(c, ww_yn_get(cn, "timespan"), &k->timespan_ns)) < 0) {
        if (!ww_yn_get(cn, "timespan"))
            c->line = cn->line, c->col = cn->col;
        return rc;
    }

    const ww_yn_t *pc = ww_yn_get(cn, "percentile");
    if (pc && (rc = parse_number(c, pc, "percentile", &k->percentile)) < 0)
        return rc;

    const ww_yn_t *cond = ww_yn_get(cn, "condition");
    bool temporal = type == WW_CORR_TEMPORAL || type == WW_CORR_TEMPORAL_ORDERED;
    if (!cond && !temporal)
        return ww__sigma_fail(c, cn, "correlation: %s needs a 'condition'", type_names[type]);
    if (cond && cond->type != WW_YN_MAP)
        return ww__sigma_fail(c, cond,
                              temporal ? "correlation: extended temporal conditions (boolean "
                                         "expressions over rule names) are not supported; use "
                                         "a map like {gte: 2}"
                                       : "correlation: 'condition' must be a map like {gte: 10}");
    if (cond) {
        static const struct {
            const char *name;
            uint8_t op;
        } ops[] = {{"gt", WW_CMP_GT},   {"gte", WW_CMP_GTE}, {"lt", WW_CMP_LT},
                   {"lte", WW_CMP_LTE}, {"eq", WW_CMP_EQ},   {"neq", WW_CMP_NEQ}};
        for (uint32_t i = 0; i + 1 < cond->nkids; i += 2) {
            const ww_yn_t *key = cond->kids[i], *val = cond->kids[i + 1];
            if (key->type != WW_YN_SCALAR)
                return ww__sigma_fail(c, key, "correlation: bad condition key");
            if (strcmp(key->s, "field") == 0) {
                if (val->type != WW_YN_SCALAR || val->n == 0)
                    return ww__sigma_fail(c, val, "correlation: 'field' must be a field name");
                if (!(k->field = ww__sigma_dupstr(c, val)))
                    return WW_ENOMEM;
                continue;
            }
            if (strcmp(key->s, "percentile") == 0) {
                if ((rc = parse_number(c, val, "percentile", &k->percentile)) < 0)
                    return rc;
                continue;
            }
            int op = -1;
            for (size_t j = 0; j < WW_ARRAY_LEN(ops); j++)
                if (strcmp(key->s, ops[j].name) == 0)
                    op = ops[j].op;
            if (op < 0)
                return ww__sigma_fail(c, key,
                                      "correlation: unknown condition operator '%.40s' (gt, "
                                      "gte, lt, lte, eq, neq, field)",
                                      key->s);
            if (k->ncond == 3)
                return ww__sigma_fail(c, key, "correlation: at most 3 condition operators");
            if ((rc = parse_number(c, val, key->s, &k->cond[k->ncond].value)) < 0)
                return rc;
            k->cond[k->ncond].op = (uint8_t)op;
            k->ncond++;
        }
        if (k->ncond == 0 && !temporal)
            return ww__sigma_fail(c, cond,
                                  "correlation: condition has no operator (gt, gte, "
                                  "lt, lte, eq, neq)");
    }
    if (!k->field && (type == WW_CORR_VALUE_COUNT || type == WW_CORR_VALUE_SUM ||
                      type == WW_CORR_VALUE_AVG || type == WW_CORR_VALUE_PERCENTILE))
        return ww__sigma_fail(c, cond, "correlation: %s needs 'field' in its condition",
                              type_names[type]);

    const ww_yn_t *al = ww_yn_get(cn, "aliases");
    if (al) {
        if (al->type != WW_YN_MAP)
            return ww__sigma_fail(c, al, "correlation: 'aliases' must be a map");
        k->naliases = al->nkids / 2;
        k->aliases = ww_arena_calloc(c->a, (k->naliases + 1) * sizeof(*k->aliases));
        if (!k->aliases)
            return WW_ENOMEM;
        for (uint32_t i = 0; i < k->naliases; i++) {
            const ww_yn_t *an = al->kids[2 * i], *am = al->kids[2 * i + 1];
            if (an->type != WW_YN_SCALAR || am->type != WW_YN_MAP)
                return ww__sigma_fail(c, an,
                                      "correlation: alias must map rule names to "
                                      "fields");
            ww_sigma_alias_t *a = &k->aliases[i];
            if (!(a->name = ww__sigma_dupstr(c, an)))
                return WW_ENOMEM;
            a->nmaps = am->nkids / 2;
            a->maps = ww_arena_calloc(c->a, (a->nmaps + 1) * sizeof(*a->maps));
            if (!a->maps)
                return WW_ENOMEM;
            for (uint32_t j = 0; j < a->nmaps; j++) {
                const ww_yn_t *rn = am->kids[2 * j], *fn = am->kids[2 * j + 1];
                if (rn->type != WW_YN_SCALAR || fn->type != WW_YN_SCALAR)
                    return ww__sigma_fail(c, rn,
                                          "correlation: alias entries must be "
                                          "`rule: field`");
                if (!(a->maps[j].rule_ref = ww__sigma_dupstr(c, rn)) ||
                    !(a->maps[j].field = ww__sigma_dupstr(c, fn)))
                    return WW_ENOMEM;
            }
        }
    }

    const ww_yn_t *gen = ww_yn_get(cn, "generate");
    if (!gen)
        gen = ww_yn_get(root, "generate");
    if (gen) {
        double num;
        bool b = false;
        if (ww_yn_resolve(gen, &num, &b) != WW_YS_BOOL)
            return ww__sigma_fail(c, gen, "correlation: 'generate' must be true or false");
        k->generate = b;
    }
    *out = k;
    return 0;
}

static ww_sigma_rule_t *find_rule(ww_sigma_ruleset_t *rs, const char *ref,
                                  const ww_sigma_rule_t *self)
{
    for (uint32_t i = 0; i < rs->nrules; i++)
        if (rs->rules[i] != self && ww__sigma_rule_is(rs->rules[i], ref))
            return rs->rules[i];
    return NULL;
}

static void reject(ww_sigma_ruleset_t *rs, uint32_t i, const char *msg)
{
    ww_sigma_rule_t *r = rs->rules[i];
    ww__sigma_add_error(rs, r->file, r->line, 0, r->title ? r->title : "", msg);
    ww__sigma_remove(rs, i);
}

/* Depth-first search over correlation references (colour per rule index: 0 new,
 * 1 on the current path, 2 done); returns the index of a rule on a cycle, or -1. */
static long find_cycle(ww_sigma_ruleset_t *rs, uint32_t i, uint8_t *colour, uint32_t depth)
{
    ww_sigma_rule_t *r = rs->rules[i];
    if (colour[i] == 2 || !r->corr)
        return -1;
    if (colour[i] == 1 || depth > 10000)
        return (long)i;
    colour[i] = 1;
    for (uint32_t j = 0; j < r->corr->nrules; j++) {
        long c = find_cycle(rs, r->corr->rules[j]->index, colour, depth + 1);
        if (c >= 0)
            return c;
    }
    colour[i] = 2;
    return -1;
}

int ww__sigma_corr_finish(ww_sigma_ruleset_t *rs)
{
    char msg[256];
    bool again = true;
    /* Resolving can remove a correlation another one points at: repeat until stable. */
    while (again) {
        again = false;
        for (uint32_t i = 0; i < rs->nrules && !again; i++) {
            ww_sigma_rule_t *r = rs->rules[i];
            ww_sigma_corr_t *k = r->corr;
            if (!k)
                continue;
            for (uint32_t j = 0; j < k->nrules; j++) {
                k->rules[j] = find_rule(rs, k->rule_refs[j], r);
                if (!k->rules[j]) {
                    bool self = ww__sigma_rule_is(r, k->rule_refs[j]);
                    snprintf(msg, sizeof(msg),
                             self ? "correlation refers to itself ('%.100s')"
                                  : "correlation refers to unknown rule '%.100s' (no rule has "
                                    "that id or name)",
                             k->rule_refs[j]);
                    reject(rs, i, msg);
                    again = true;
                    break;
                }
            }
            if (again)
                break;
            bool bad = false;
            for (uint32_t a = 0; a < k->naliases && !bad; a++)
                for (uint32_t m = 0; m < k->aliases[a].nmaps && !bad; m++) {
                    ww_sigma_alias_map_t *am = &k->aliases[a].maps[m];
                    am->rule = NULL;
                    for (uint32_t j = 0; j < k->nrules; j++)
                        if (strcmp(k->rule_refs[j], am->rule_ref) == 0 ||
                            ww__sigma_rule_is(k->rules[j], am->rule_ref))
                            am->rule = k->rules[j];
                    if (!am->rule) {
                        snprintf(msg, sizeof(msg),
                                 "correlation alias '%.60s' names rule '%.100s', which is not "
                                 "in its 'rules'",
                                 k->aliases[a].name, am->rule_ref);
                        bad = true;
                    }
                }
            if (bad) {
                /* r and k die here: nothing below may touch them. */
                reject(rs, i, msg);
                again = true;
            }
        }
        if (again)
            continue;
        /* Every reference resolves: look for a cycle.  Removing one member breaks it,
         * and the others are resolved again (one may point at the removed rule). */
        uint8_t *colour = calloc(rs->nrules + 1, 1);
        if (!colour)
            return WW_ENOMEM;
        for (uint32_t i = 0; i < rs->nrules; i++)
            rs->rules[i]->index = i;
        for (uint32_t i = 0; i < rs->nrules && !again; i++) {
            long c = find_cycle(rs, i, colour, 0);
            if (c >= 0) {
                reject(rs, (uint32_t)c, "correlation references form a cycle");
                again = true;
            }
        }
        free(colour);
    }
    /* A rule alerts on its own unless every correlation using it has generate: false;
       a suppression's shadow never does. */
    uint8_t *state = calloc(rs->nrules + 1, 1); /* bit0: used, bit1: used with generate */
    if (!state)
        return WW_ENOMEM;
    for (uint32_t i = 0; i < rs->nrules; i++)
        rs->rules[i]->index = i;
    for (uint32_t i = 0; i < rs->nrules; i++) {
        ww_sigma_corr_t *k = rs->rules[i]->corr;
        if (!k)
            continue;
        for (uint32_t j = 0; j < k->nrules; j++)
            state[k->rules[j]->index] |= (uint8_t)(1 | (k->generate ? 2 : 0));
    }
    for (uint32_t i = 0; i < rs->nrules; i++)
        rs->rules[i]->alert = !rs->rules[i]->shadow_of && (!(state[i] & 1) || (state[i] & 2));
    free(state);
    return 0;
}
