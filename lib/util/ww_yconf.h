/* Typed reading of YAML configuration trees (ww_yaml.h) with a place for every error:
 * the helpers below check one node each -- known keys, text, booleans, bounded
 * integers, sizes ("64 KiB") and durations ("5s") -- and on a mismatch fill the
 * diagnostic with the node's line and column and return WW_EPARSE, so a config reader
 * is a sequence of `if ((rc = ww_yc_...)) return rc;`. */
#ifndef WW_YCONF_H
#define WW_YCONF_H

#include "util/ww_yaml.h"

typedef struct ww_yc {
    const char *file; /* for the diagnostic; may be NULL */
    ww_diag_t *diag;
} ww_yc_t;

/* Fills the diagnostic at n (the start of the file when n is NULL); returns WW_EPARSE. */
int ww_yc_fail(ww_yc_t *c, const ww_yn_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* n must be a map whose keys are all in known[] (typos are errors, not ignored) and
 * none given twice.  `what` names the map in messages ("input 2"). */
int ww_yc_keys(ww_yc_t *c, const ww_yn_t *n, const char *what, const char *const *known,
               size_t nknown);

/* A scalar of at most max bytes with no NUL. */
int ww_yc_str(ww_yc_t *c, const ww_yn_t *n, const char *what, size_t max, const char **out);
/* true/false/yes/no in YAML's plain spellings. */
int ww_yc_bool(ww_yc_t *c, const ww_yn_t *n, const char *what, bool *out);
/* A decimal integer in [min, max]. */
int ww_yc_uint(ww_yc_t *c, const ww_yn_t *n, const char *what, uint64_t min, uint64_t max,
               uint64_t *out);
/* A byte size: a number with an optional unit B, KB/KiB, MB/MiB, GB/GiB, TB/TiB (powers
 * of 1024 for both spellings: nobody sizes a spool in decimal kilobytes), in [min, max]. */
int ww_yc_size(ww_yc_t *c, const ww_yn_t *n, const char *what, uint64_t min, uint64_t max,
               uint64_t *out);
/* A duration in milliseconds: a number with a unit ms, s, m, h or d (a bare number is
 * refused: "timeout: 30" is too easily meant as minutes), in [min, max] ms. */
int ww_yc_duration(ww_yc_t *c, const ww_yn_t *n, const char *what, uint64_t min, uint64_t max,
                   uint64_t *out);
/* A scalar or a sequence of scalars, as a list (a lone scalar is a list of one).
 * *out points into arena. */
int ww_yc_strlist(ww_yc_t *c, ww_arena_t *arena, const ww_yn_t *n, const char *what,
                  size_t max_items, size_t max_len, const char ***out, uint32_t *count);

#endif
