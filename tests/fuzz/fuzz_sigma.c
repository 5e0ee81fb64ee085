/* libFuzzer target for the Sigma loader: any bytes as one YAML file (several documents
 * allowed) into a fresh ruleset with two placeholders, then ww_sigma_finish, and a walk
 * over what was accepted so every pointer the engines will follow gets touched. */
#include <stdint.h>
#include <stdlib.h>

#include "sigma/ww_sigma.h"

static size_t walk(const ww_sigma_node_t *n, int depth)
{
    size_t c = 1;
    if (depth > 10000)
        abort();
    if (n->op == WW_NODE_ITEM) {
        const ww_sigma_item_t *it = n->item;
        for (uint32_t i = 0; i < it->nvals; i++)
            for (uint32_t j = 0; j < it->vals[i].nalts; j++) {
                const ww_sigma_match_t *m = &it->vals[i].alts[j];
                for (uint32_t k = 0; k < m->nparts; k++)
                    if (m->parts[k].kind == WW_GLOB_LIT && m->parts[k].n)
                        c += (unsigned char)m->parts[k].lit[m->parts[k].n - 1];
                if (m->re)
                    c += strlen(m->re);
                if (m->ref)
                    c += strlen(m->ref);
            }
        return c;
    }
    if ((n->op == WW_NODE_NOT && n->nkids != 1) || n->nkids == 0)
        abort();
    for (uint32_t i = 0; i < n->nkids; i++)
        c += walk(n->kids[i], depth + 1);
    return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const admins[] = {"root", "adm_*"};
    static const char *const hosts[] = {"h1", "h2"};
    ww_sigma_ruleset_t *rs = ww_sigma_ruleset_new();
    if (!rs)
        return 0;
    ww_sigma_placeholder_set(rs, "Administrators", admins, 2);
    ww_sigma_placeholder_set(rs, "Workstations", hosts, 2);
    ww_sigma_load_buffer(rs, "fuzz.yml", (const char *)data, size);
    ww_sigma_finish(rs);
    volatile size_t sink = 0;
    for (uint32_t i = 0; i < ww_sigma_count(rs); i++) {
        const ww_sigma_rule_t *r = ww_sigma_rule(rs, i);
        if (r->cond) {
            /* Shared subtrees make the walk exponential only with many references;
             * bound it by what the rule holds. */
            if (r->nitems < 64)
                sink += walk(r->cond, 0);
        }
        for (uint32_t k = 0; k < r->nitems; k++)
            sink += r->items[k]->nvals;
        if (r->corr)
            for (uint32_t k = 0; k < r->corr->nrules; k++)
                sink += r->corr->rules[k]->index;
        ww_sigma_find(rs, r->title);
    }
    for (uint32_t i = 0; i < ww_sigma_error_count(rs); i++)
        sink += strlen(ww_sigma_error(rs, i)->msg);
    ww_sigma_ruleset_free(rs);

    /* The same bytes as a suppression file over two known rules: shadows, expiry and
       the rules it names. */
    static const char rules[] = "title: A\nid: a\nlogsource: {product: windows}\n"
                                "detection:\n  sel: {X: 1}\n  condition: sel\n---\n"
                                "title: C\nid: c\ncorrelation:\n  type: event_count\n"
                                "  rules: [a]\n  timespan: 1m\n  condition: {gte: 2}\n";
    if (!(rs = ww_sigma_ruleset_new()))
        return 0;
    ww_sigma_load_buffer(rs, "rules.yml", rules, sizeof rules - 1);
    ww_sigma_load_suppressions_buffer(rs, "fuzz.yml", (const char *)data, size);
    ww_sigma_set_today(rs, "2027-01-31");
    ww_sigma_finish(rs);
    for (uint32_t i = 0; i < ww_sigma_count(rs); i++) {
        const ww_sigma_rule_t *r = ww_sigma_rule(rs, i);
        if (r->shadow_of && r->nitems < 64)
            sink += walk(r->cond, 0) + r->shadow_of->index + r->suppression;
    }
    for (uint32_t i = 0; i < ww_sigma_suppression_count(rs); i++) {
        const ww_sigma_suppression_t *s = ww_sigma_suppression(rs, i);
        sink += strlen(s->title) + s->napplied + s->expired;
        for (uint32_t k = 0; k < s->nmiss; k++)
            sink += strlen(s->miss[k].ref);
    }
    (void)sink;
    ww_sigma_ruleset_free(rs);
    return 0;
}
