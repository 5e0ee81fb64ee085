/* Private to lib/intel: adding to a set, skip reports, and the JSON helpers the STIX
 * and MISP parsers share. */
#ifndef WW_INTEL_INT_H
#define WW_INTEL_INT_H

#include "event/ww_json_int.h"
#include "intel/ww_intel.h"

/* The matcher's binary key of a normalised value (an address's bytes, a range's length
 * and masked bytes, else the type and the text): 0, or -1 for a value this version
 * cannot key.  k has room for WW_INTEL_KEY_MAX bytes. */
#define WW_INTEL_KEY_MAX (WW_INTEL_MAX_VALUE + 24)
int ww__intel_key(int type, const char *value, uint8_t *k, size_t *kn);

/* Every stored indicator valid at now after after_row, with its key when the row has
 * it packed (else key is NULL): fn's pointers are valid during the call only. */
typedef int (*ww__intel_row_fn)(void *ud, const ww_indicator_t *x, const uint8_t *key, size_t kn,
                                int64_t row);
int ww__intel_store_each(ww_store_t *st, int64_t now, int64_t after_row, ww__intel_row_fn fn,
                         void *ud, ww_diag_t *diag);

/* Normalises and adds one value.  Returns 0 (added), 1 (not usable: reported as a
 * skip with `where` and the reason), or WW_ENOMEM / WW_ELIMIT. */
int ww__intel_add(ww_intel_set_t *set, const ww_indicator_t *ind, const char *raw, size_t rawn,
                  const char *where);
/* Records a skip (counted always, kept up to WW_INTEL_MAX_SKIPS). */
void ww__intel_skip(ww_intel_set_t *set, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Drops what was added since n (a file that failed half-way adds nothing). */
void ww__intel_truncate(ww_intel_set_t *set, size_t n, size_t nskip, uint64_t skipped);

/* Tokenizes a JSON document; on failure sets diag with file:line:col.  js->tok must
 * be freed by the caller (free(js->tok)) either way. */
int ww__intel_json(const char *name, const char *data, size_t len, ww_json_t *js, ww_diag_t *diag);
/* Line and column of a byte of data. */
void ww__intel_pos(const char *data, const char *at, uint32_t *line, uint32_t *col);
/* Member `key` of object token `obj` (index), 0 when absent or obj is no object. */
uint32_t ww__intel_member(const ww_json_t *js, uint32_t obj, const char *key);
/* A string member's text (unescaped into ar), NULL when absent or not a string. */
const char *ww__intel_str(const ww_json_t *js, ww_arena_t *ar, uint32_t tok);
/* Copies at most WW_INTEL_MAX_TEXT bytes of s into the set's arena ("" for NULL). */
const char *ww__intel_text(ww_intel_set_t *set, const char *s);
/* An ISO 8601 time, or WW_TIME_NONE. */
int64_t ww__intel_time(const char *s);

#endif
