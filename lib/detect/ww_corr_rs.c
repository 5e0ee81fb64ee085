/* ww_corr_new: lists a finished ruleset and builds the correlation engine from it.
 * Kept apart from ww_corr_build.c so the engine itself does not depend on the YAML
 * loader (tests may build it from hand-made rules). */
#include <stdlib.h>

#include "detect/ww_corr_int.h"

int ww_corr_new(const ww_sigma_ruleset_t *rs, const ww_corr_limits_t *lim, ww_corr_t **out)
{
    if (!rs || !out)
        return WW_EINVAL;
    uint32_t n = ww_sigma_count(rs);
    const ww_sigma_rule_t **rules = calloc(n + 1, sizeof *rules);
    if (!rules)
        return WW_ENOMEM;
    for (uint32_t i = 0; i < n; i++)
        rules[i] = ww_sigma_rule(rs, i);
    int rc = ww__corr_new_rules(rules, n, lim, out);
    free(rules);
    return rc;
}
