/* Typed checks of YAML config nodes, each error placed at its node (see ww_yconf.h).
 * Numbers are read from the node's text, strictly, not through YAML 1.1 resolution:
 * `0x10`, `1e3` or `010` in a size or a port is more likely a mistake than a wish. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/ww_yconf.h"

int ww_yc_fail(ww_yc_t *c, const ww_yn_t *n, const char *fmt, ...)
{
    char msg[sizeof c->diag->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ww_diag_set(c->diag, c->file, n && n->line ? n->line : 1, n && n->col ? n->col : 1, "%s", msg);
    return WW_EPARSE;
}

int ww_yc_keys(ww_yc_t *c, const ww_yn_t *n, const char *what, const char *const *known,
               size_t nknown)
{
    if (!n || n->type != WW_YN_MAP)
        return ww_yc_fail(c, n, "%s must be a mapping of `key: value` lines", what);
    for (uint32_t i = 0; i + 1 < n->nkids; i += 2) {
        const ww_yn_t *k = n->kids[i];
        if (k->type != WW_YN_SCALAR)
            return ww_yc_fail(c, k, "%s: keys must be plain words", what);
        size_t j = 0;
        while (j < nknown && strcmp(k->s, known[j]) != 0)
            j++;
        if (j == nknown) {
            /* Name what is allowed: the fix is usually a typo away. */
            char list[160] = "";
            size_t used = 0;
            for (j = 0; j < nknown && used < sizeof list - 1; j++)
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", j ? ", " : "",
                                         known[j]);
            return ww_yc_fail(c, k, "%s: unknown key '%.60s' (known: %s)", what, k->s, list);
        }
        for (uint32_t p = 0; p < i; p += 2)
            if (strcmp(n->kids[p]->s, k->s) == 0)
                return ww_yc_fail(c, k, "%s: key '%.60s' given twice", what, k->s);
    }
    return 0;
}

int ww_yc_str(ww_yc_t *c, const ww_yn_t *n, const char *what, size_t max, const char **out)
{
    if (!n || n->type != WW_YN_SCALAR)
        return ww_yc_fail(c, n, "%s must be text", what);
    if (n->n == 0)
        return ww_yc_fail(c, n, "%s is empty", what);
    if (n->n > max)
        return ww_yc_fail(c, n, "%s is longer than %zu characters", what, max);
    if (strlen(n->s) != n->n)
        return ww_yc_fail(c, n, "%s contains a NUL byte", what);
    *out = n->s;
    return 0;
}

int ww_yc_bool(ww_yc_t *c, const ww_yn_t *n, const char *what, bool *out)
{
    static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On"};
    static const char *const no[] = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off"};
    if (n && n->type == WW_YN_SCALAR && n->plain) {
        for (size_t i = 0; i < WW_ARRAY_LEN(yes); i++) {
            if (strcmp(n->s, yes[i]) == 0) {
                *out = true;
                return 0;
            }
            if (strcmp(n->s, no[i]) == 0) {
                *out = false;
                return 0;
            }
        }
    }
    return ww_yc_fail(c, n, "%s must be true or false", what);
}

/* Leading decimal digits of s as a number; *end after them.  -1 on overflow or none. */
static int digits(const char *s, uint64_t *v, const char **end)
{
    uint64_t x = 0;
    const char *p = s;
    while (*p >= '0' && *p <= '9') {
        unsigned d = (unsigned)(*p - '0');
        if (x > (UINT64_MAX - d) / 10)
            return -1;
        x = x * 10 + d;
        p++;
    }
    if (p == s)
        return -1;
    *v = x;
    *end = p;
    return 0;
}

int ww_yc_uint(ww_yc_t *c, const ww_yn_t *n, const char *what, uint64_t min, uint64_t max,
               uint64_t *out)
{
    uint64_t v;
    const char *end;
    if (!n || n->type != WW_YN_SCALAR || digits(n->s, &v, &end) != 0 || *end ||
        (n->s[0] == '0' && n->s[1]))
        return ww_yc_fail(c, n, "%s must be a whole number", what);
    if (v < min || v > max)
        return ww_yc_fail(c, n, "%s must be between %llu and %llu", what, (unsigned long long)min,
                          (unsigned long long)max);
    *out = v;
    return 0;
}

typedef struct unit {
    const char *name;
    uint64_t mult;
} unit_t;

/* number [space] unit, the unit looked up case-insensitively in units[]. */
static int scaled(ww_yc_t *c, const ww_yn_t *n, const char *what, const unit_t *units,
                  size_t nunits, bool bare_ok, uint64_t min, uint64_t max, uint64_t *out,
                  const char *hint)
{
    uint64_t v;
    const char *end;
    if (!n || n->type != WW_YN_SCALAR || digits(n->s, &v, &end) != 0)
        return ww_yc_fail(c, n, "%s must be a number with a unit, e.g. %s", what, hint);
    while (*end == ' ')
        end++;
    uint64_t mult = 0;
    if (!*end && bare_ok)
        mult = 1;
    for (size_t i = 0; i < nunits && !mult; i++)
        if (*end && strcasecmp(end, units[i].name) == 0)
            mult = units[i].mult;
    if (!mult)
        return ww_yc_fail(c, n, "%s: '%.40s' is not a number with a unit, e.g. %s", what, n->s,
                          hint);
    if (v > UINT64_MAX / mult)
        return ww_yc_fail(c, n, "%s is too large", what);
    v *= mult;
    if (v < min || v > max)
        return 1; /* the caller says the range in its own unit */
    *out = v;
    return 0;
}

int ww_yc_size(ww_yc_t *c, const ww_yn_t *n, const char *what, uint64_t min, uint64_t max,
               uint64_t *out)
{
    static const unit_t units[] = {
        {"b", 1},
        {"kb", 1ull << 10},
        {"kib", 1ull << 10},
        {"mb", 1ull << 20},
        {"mib", 1ull << 20},
        {"gb", 1ull << 30},
        {"gib", 1ull << 30},
        {"tb", 1ull << 40},
        {"tib", 1ull << 40},
        {"k", 1ull << 10},
        {"m", 1ull << 20},
        {"g", 1ull << 30},
    };
    int rc = scaled(c, n, what, units, WW_ARRAY_LEN(units), true, min, max, out, "64 KiB or 2 GiB");
    if (rc == 1)
        return ww_yc_fail(c, n, "%s must be between %llu and %llu bytes", what,
                          (unsigned long long)min, (unsigned long long)max);
    return rc;
}

int ww_yc_duration(ww_yc_t *c, const ww_yn_t *n, const char *what, uint64_t min, uint64_t max,
                   uint64_t *out)
{
    static const unit_t units[] = {
        {"ms", 1}, {"s", 1000}, {"m", 60000}, {"min", 60000}, {"h", 3600000}, {"d", 86400000},
    };
    int rc =
        scaled(c, n, what, units, WW_ARRAY_LEN(units), false, min, max, out, "500ms, 30s or 5m");
    if (rc == 1)
        return ww_yc_fail(c, n, "%s must be between %llu ms and %llu ms", what,
                          (unsigned long long)min, (unsigned long long)max);
    return rc;
}

int ww_yc_strlist(ww_yc_t *c, ww_arena_t *arena, const ww_yn_t *n, const char *what,
                  size_t max_items, size_t max_len, const char ***out, uint32_t *count)
{
    uint32_t k = n && n->type == WW_YN_SEQ ? n->nkids : 1;
    if (n && n->type == WW_YN_SEQ && k == 0)
        return ww_yc_fail(c, n, "%s is an empty list", what);
    if (k > max_items)
        return ww_yc_fail(c, n, "%s has more than %zu items", what, max_items);
    const char **v = ww_arena_alloc(arena, k * sizeof *v);
    if (!v)
        return WW_ENOMEM;
    for (uint32_t i = 0; i < k; i++) {
        const ww_yn_t *item = n && n->type == WW_YN_SEQ ? n->kids[i] : n;
        int rc = ww_yc_str(c, item, what, max_len, &v[i]);
        if (rc)
            return rc;
    }
    *out = v;
    *count = k;
    return 0;
}
