/* What the STIX and MISP fuzz targets check of every set a parser accepts: each value
 * is in its normal form (normalising it again changes nothing), its type and TLP are in
 * range, and compiled into a matcher it matches an event that carries it in a field of
 * its kind -- the property hunt and serve rely on. */
#ifndef FUZZ_INTEL_COMMON_H
#define FUZZ_INTEL_COMMON_H

#include <stdlib.h>

#include "intel/ww_intel.h"

static void fuzz_found(void *ud, uint32_t k)
{
    (void)k;
    (*(int *)ud)++;
}

static inline void fuzz_intel_check(const ww_intel_set_t *set)
{
    for (size_t i = 0; i < set->n; i++) {
        const ww_indicator_t *x = &set->v[i];
        if (x->type <= 0 || x->type >= WW_IND_NTYPES || x->tlp < 0 || x->tlp > WW_TLP_RED ||
            !x->id || !x->source || !x->name)
            abort();
        char again[WW_INTEL_MAX_VALUE + 16];
        const char *why;
        int t = x->type;
        if (ww_intel_normalise(&t, x->value, strlen(x->value), again, sizeof again, &why) != 0 ||
            t != x->type || strcmp(again, x->value) != 0)
            abort();
    }
    /* Compiled at the epoch: an indicator valid then (most are: no bounds) must
       match. */
    ww_intel_t *m = NULL;
    if (ww_intel_from_set(set, 0, &m) != 0)
        return;
    for (size_t i = 0; i < ww_intel_count(m); i++) {
        const ww_indicator_t *x = ww_intel_get(m, (uint32_t)i);
        const char *field = x->type == WW_IND_DOMAIN                           ? "QueryName"
                            : x->type == WW_IND_URL                            ? "url"
                            : x->type == WW_IND_EMAIL                          ? "SenderAddress"
                            : x->type == WW_IND_IPV4 || x->type == WW_IND_IPV6 ? "src_ip"
                                                                               : "sha256";
        size_t vn = strcspn(x->value, "/");
        if (x->type != WW_IND_IPV4 && x->type != WW_IND_IPV6)
            vn = strlen(x->value); /* a range: its network address is in it */
        ww_event_t ev;
        ww_event_init(&ev);
        ww_event_add(&ev, WW_STRZ(field), (ww_str_t){x->value, vn}, WW_F_STR);
        int hits = 0;
        ww_intel_match(m, &ev, fuzz_found, &hits);
        ww_event_release(&ev);
        if (!hits)
            abort();
        if (!ww_intel_rule(m, (uint32_t)i))
            abort();
    }
    ww_intel_free(m);
}

#endif
