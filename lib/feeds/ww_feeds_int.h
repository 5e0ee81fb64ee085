/* Private to lib/feeds: the loaded reference data and the parsers behind it. */
#ifndef WW_FEEDS_INT_H
#define WW_FEEDS_INT_H

#include "feeds/ww_feeds.h"

typedef struct ww_eol_rel {
    const char *cycle, *label, *latest, *codename;
    int64_t release, eoas, eol, eoes;
    bool lts;
} ww_eol_rel_t;

typedef struct ww_eol_product {
    const char *slug, *title;
    ww_eol_rel_t *rel;
    size_t nrel;
    ww_feed_info_t info;
} ww_eol_product_t;

struct ww_feeds {
    ww_arena_t arena;
    ww_kev_t *kev; /* sorted by CVE ID, case-insensitive */
    size_t nkev;
    ww_feed_info_t kev_info;
    ww_eol_product_t prod[128];
    size_t nprod;
};

int ww__feeds_parse_kev(const char *name, const char *data, size_t len, ww_arena_t *ar,
                        ww_kev_t **out, size_t *nout, char *version, size_t vlen, ww_diag_t *diag);
/* The same, also giving the catalog's dateReleased (or WW_FEEDS_NODATE) in *released
 * (may be NULL). */
int ww__feeds_parse_kev_dated(const char *name, const char *data, size_t len, ww_arena_t *ar,
                              ww_kev_t **out, size_t *nout, char *version, size_t vlen,
                              int64_t *released, ww_diag_t *diag);
int ww__feeds_parse_eol(const char *name, const char *slug, const char *data, size_t len,
                        ww_arena_t *ar, ww_eol_product_t *out, ww_diag_t *diag);

#endif
