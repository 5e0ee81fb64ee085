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

/* Stores one validated feed file (replacing the one of the same kind and name), stamped
 * with the current time.  0 or WW_EIO with diag. */
int ww__feeds_store(ww_store_t *st, const char *kind, const char *name, const char *source,
                    const char *version, const char *data, size_t len, ww_diag_t *diag);

/* Converts an endoflife.date API answer for one product into the product-file form the
 * loader reads (YAML front matter with releaseCycle, releaseLabel, releaseDate, eoas,
 * eol, eoes, latest, lts), so that what is stored is validated by the same parser as an
 * imported <product>.md.  Accepts the v1 shape ({"result": {"label": ..., "releases":
 * [{"name", "label", "releaseDate", "isLts", "eoasFrom", "isEol", "eolFrom", "isEoes",
 * "eoesFrom", "latest": {"name"}}]}}) and the older array shape ([{"cycle",
 * "releaseDate", "eol", "support", "extendedSupport", "latest", "lts"}]).  `title` is
 * used when the answer names none.  0 and the text in *out, or WW_EPARSE with diag. */
int ww__feeds_eol_from_api(const char *name, const char *data, size_t len, const char *title,
                           ww_buf_t *out, ww_diag_t *diag);

#endif
