/* Implementation of the shared building blocks declared in ww_util.h. */
#include "util/ww_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

const char *ww_strerror(int err)
{
    switch (err) {
    case WW_OK: return "success";
    case WW_ENOMEM: return "out of memory";
    case WW_EINVAL: return "invalid argument";
    case WW_EIO: return "input/output error";
    case WW_EPARSE: return "malformed input";
    case WW_ETRUNC: return "truncated input";
    case WW_ELIMIT: return "limit reached";
    case WW_ENOENT: return "not found";
    case WW_EUNSUP: return "not supported";
    default: return "unknown error";
    }
}

const char *ww_version(void)
{
    return WW_VERSION;
}

/* ---- strings ---- */

/* ASCII-lowercases eight bytes at once: a byte gets 0x20 added when it is 'A'..'Z'
 * (bytes >= 0x80 are left alone, as ww_lower does). */
static inline uint64_t lower8(uint64_t v)
{
    const uint64_t ones = 0x0101010101010101ULL, high = ones * 0x80;
    uint64_t low7 = v & ~high;
    uint64_t ge_a = low7 + ones * (0x80 - 'A');     /* high bit: byte >= 'A' */
    uint64_t gt_z = low7 + ones * (0x80 - 'Z' - 1); /* high bit: byte > 'Z' */
    uint64_t upper = ge_a & ~gt_z & ~v & high;
    return v | (upper >> 2);
}

/* p[0..n), n < 8, as one word without reading past it (byte order does not matter:
   both sides of a comparison are loaded alike, and lower8 works per byte). */
static inline uint64_t tail_word(const char *p, size_t n)
{
    if (n >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, p, 4);
        memcpy(&hi, p + n - 4, 4);
        return (uint64_t)lo << 32 | hi;
    }
    if (n >= 2) {
        uint16_t lo, hi;
        memcpy(&lo, p, 2);
        memcpy(&hi, p + n - 2, 2);
        return (uint64_t)lo << 16 | hi;
    }
    return n ? (unsigned char)p[0] : 0;
}

bool ww_str_ieq(ww_str_t a, ww_str_t b)
{
    if (a.n != b.n)
        return false;
    /* Field names are compared by the million: eight bytes a step. */
    size_t i = 0;
    for (; i + 8 <= a.n; i += 8) {
        uint64_t x, y;
        memcpy(&x, a.p + i, 8);
        memcpy(&y, b.p + i, 8);
        if (x != y && lower8(x) != lower8(y))
            return false;
    }
    if (i == a.n)
        return true;
    /* The tail as one word: the last eight bytes again when the strings are that
       long, else two overlapping loads (names and routing facts are short, and the
       byte loop was most of their comparisons). */
    uint64_t x, y;
    if (a.n >= 8) {
        memcpy(&x, a.p + a.n - 8, 8);
        memcpy(&y, b.p + b.n - 8, 8);
    } else {
        x = tail_word(a.p, a.n);
        y = tail_word(b.p, b.n);
    }
    return x == y || lower8(x) == lower8(y);
}

bool ww_str_ieq_z(ww_str_t a, const char *z)
{
    return ww_str_ieq(a, WW_STRZ(z));
}

uint64_t ww_hash_ci(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= ww_lower((unsigned char)p[i]);
        h *= 1099511628211ULL;
    }
    return h;
}

/* ---- arena ---- */

struct ww_arena_block {
    ww_arena_block_t *next;
    size_t size;
    _Alignas(16) unsigned char data[];
};

void ww_arena_init(ww_arena_t *a, size_t block_size, size_t cap)
{
    memset(a, 0, sizeof *a);
    a->block_size = block_size ? block_size : 16384;
    a->cap = cap;
}

void *ww_arena_alloc(ww_arena_t *a, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    if (n == 0)
        n = 8;
    if (a->cap && (n > a->cap || a->used > a->cap - n))
        return NULL;
    ww_arena_block_t *b = a->head;
    if (!b || a->head_size - a->head_used < n) {
        /* Reuse a spare block when it is large enough, else allocate. */
        ww_arena_block_t **pp = &a->spare;
        while (*pp && (*pp)->size < n)
            pp = &(*pp)->next;
        if (*pp) {
            b = *pp;
            *pp = b->next;
        } else {
            size_t sz = n > a->block_size ? n : a->block_size;
            b = malloc(sizeof *b + sz);
            if (!b)
                return NULL;
            b->size = sz;
        }
        b->next = a->head;
        a->head = b;
        a->head_size = b->size;
        a->head_used = 0;
        a->nlive++;
    }
    void *p = b->data + a->head_used;
    a->head_used += n;
    a->used += n;
    return p;
}

void *ww_arena_calloc(ww_arena_t *a, size_t n)
{
    void *p = ww_arena_alloc(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

char *ww_arena_strndup(ww_arena_t *a, const char *p, size_t n)
{
    char *s = ww_arena_alloc(a, n + 1);
    if (!s)
        return NULL;
    if (n)
        memcpy(s, p, n);
    s[n] = 0;
    return s;
}

/* Every block to the spares. */
static void arena_reset_all(ww_arena_t *a)
{
    while (a->head) {
        ww_arena_block_t *b = a->head;
        a->head = b->next;
        b->next = a->spare;
        a->spare = b;
    }
    a->used = a->head_used = a->head_size = 0;
    a->nlive = 0;
}

void ww_arena_reset(ww_arena_t *a)
{
    if (a->nlive == 1) {
        a->used = a->head_used = 0; /* the block stays the current one */
        return;
    }
    arena_reset_all(a);
}

void ww_arena_trim(ww_arena_t *a, size_t keep)
{
    arena_reset_all(a);
    ww_arena_block_t **pp = &a->spare;
    size_t kept = 0;
    while (*pp) {
        ww_arena_block_t *b = *pp;
        if (kept + b->size <= keep) {
            kept += b->size;
            pp = &b->next;
        } else {
            *pp = b->next;
            free(b);
        }
    }
}

void ww_arena_release(ww_arena_t *a)
{
    arena_reset_all(a);
    while (a->spare) {
        ww_arena_block_t *b = a->spare;
        a->spare = b->next;
        free(b);
    }
}

/* ---- buffer ---- */

void ww_buf_init(ww_buf_t *b, size_t cap)
{
    memset(b, 0, sizeof *b);
    b->cap = cap;
}

void ww_buf_release(ww_buf_t *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

static int buf_reserve(ww_buf_t *b, size_t extra)
{
    if (b->cap && (extra > b->cap || b->n > b->cap - extra)) {
        b->err = b->err ? b->err : WW_ELIMIT;
        return WW_ELIMIT;
    }
    size_t need = b->n + extra + 1;
    if (need <= b->alloc)
        return 0;
    size_t na = b->alloc ? b->alloc : 256;
    while (na < need)
        na *= 2;
    char *np = realloc(b->p, na);
    if (!np) {
        b->err = b->err ? b->err : WW_ENOMEM;
        return WW_ENOMEM;
    }
    b->p = np;
    b->alloc = na;
    return 0;
}

int ww_buf_reserve(ww_buf_t *b, size_t extra)
{
    return buf_reserve(b, extra);
}

int ww_buf_append(ww_buf_t *b, const void *p, size_t n)
{
    int rc = buf_reserve(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = 0;
    return 0;
}

int ww_buf_putc(ww_buf_t *b, char c)
{
    return ww_buf_append(b, &c, 1);
}

int ww_buf_printf(ww_buf_t *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (len < 0)
        return WW_EINVAL;
    if ((size_t)len < sizeof small)
        return ww_buf_append(b, small, (size_t)len);
    int rc = buf_reserve(b, (size_t)len);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)len + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)len;
    return 0;
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0) {
        len = 2;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

int ww_buf_json_str(ww_buf_t *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    int rc = ww_buf_putc(b, '"');
    size_t i = 0, run = 0;
    while (i < n && rc == 0) {
        unsigned char c = p[i];
        const char *esc = NULL;
        char ubuf[7];
        size_t l = 1;
        if (c == '"')
            esc = "\\\"";
        else if (c == '\\')
            esc = "\\\\";
        else if (c == '\n')
            esc = "\\n";
        else if (c == '\r')
            esc = "\\r";
        else if (c == '\t')
            esc = "\\t";
        else if (c < 0x20 || c == 0x7f || (c >= 0x80 && (l = utf8_len(p + i, n - i)) == 0)) {
            ubuf[0] = '\\', ubuf[1] = 'u', ubuf[2] = '0', ubuf[3] = '0';
            ubuf[4] = hex[c >> 4], ubuf[5] = hex[c & 15], ubuf[6] = 0;
            esc = ubuf;
            l = 1;
        }
        if (esc) {
            if (run)
                rc = ww_buf_append(b, s + i - run, run);
            run = 0;
            if (rc == 0)
                rc = ww_buf_puts(b, esc);
            i += l;
        } else {
            run += l;
            i += l;
        }
    }
    if (rc == 0 && run)
        rc = ww_buf_append(b, s + n - run, run);
    if (rc == 0)
        rc = ww_buf_putc(b, '"');
    return rc;
}

/* ---- diagnostics and logging ---- */

void ww_diag_set(ww_diag_t *d, const char *file, uint32_t line, uint32_t col, const char *fmt, ...)
{
    if (!d)
        return;
    snprintf(d->file, sizeof d->file, "%s", file ? file : "");
    d->line = line;
    d->col = col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
}

int ww__log_level = -1;
static ww_log_fn log_fn;
static void *log_ud;

void ww_log_set(ww_log_fn fn, void *ud, int max_level)
{
    log_fn = fn;
    log_ud = ud;
    ww__log_level = fn ? max_level : -1;
}

void ww__log(int level, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (log_fn)
        log_fn(log_ud, level, msg);
}

/* ---- numbers ---- */

int ww_parse_i64(const char *p, size_t n, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < n && (p[i] == '-' || p[i] == '+'))
        neg = p[i++] == '-';
    if (i == n)
        return WW_EPARSE;
    uint64_t v = 0;
    for (; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return WW_EPARSE;
        unsigned d = (unsigned)(p[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return WW_EPARSE;
        v = v * 10 + d;
    }
    if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
        return WW_EPARSE;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

int ww_parse_double(const char *p, size_t n, double *out)
{
    char tmp[64];
    if (n == 0 || n >= sizeof tmp)
        return WW_EPARSE;
    /* An integer of at most 15 digits (ports, ids, counts: most numbers of logs) is
       an exact double: the value strtod would give, without its cost (which was a
       tenth of evaluating Windows events, numeric rule items against string values). */
    size_t i0 = p[0] == '-' || p[0] == '+';
    if (n > i0 && n - i0 <= 15) {
        int64_t x = 0;
        size_t i = i0;
        for (; i < n && p[i] >= '0' && p[i] <= '9'; i++)
            x = x * 10 + (p[i] - '0');
        if (i == n) {
            *out = p[0] == '-' ? -(double)x : (double)x;
            return 0;
        }
    }
    /* Accept only plain decimal syntax: no hex, inf, nan or surrounding spaces. */
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E'))
            return WW_EPARSE;
    }
    memcpy(tmp, p, n);
    tmp[n] = 0;
    char *end;
    errno = 0;
    double v = strtod(tmp, &end);
    if (end != tmp + n || errno == ERANGE || !isfinite(v))
        return WW_EPARSE;
    *out = v;
    return 0;
}

/* ---- time ---- */

int64_t ww_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *p, size_t n, size_t at, size_t count, unsigned *out)
{
    unsigned v = 0;
    if (at + count > n)
        return -1;
    for (size_t i = 0; i < count; i++) {
        char c = p[at + i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (unsigned)(c - '0');
    }
    *out = v;
    return 0;
}

static int parse_iso(const char *p, size_t n, bool local, int64_t *out)
{
    unsigned y, mo, d, h = 0, mi = 0, s = 0;
    bool zoned = false;
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '"'))
        i++;
    if (digits(p, n, i, 4, &y) || i + 4 >= n || p[i + 4] != '-' || digits(p, n, i + 5, 2, &mo) ||
        i + 7 >= n || p[i + 7] != '-' || digits(p, n, i + 8, 2, &d))
        return WW_EPARSE;
    i += 10;
    if (mo < 1 || mo > 12 || d < 1 || d > 31)
        return WW_EPARSE;
    int64_t frac_ns = 0;
    if (i < n && (p[i] == 'T' || p[i] == ' ' || p[i] == 't')) {
        i++;
        if (digits(p, n, i, 2, &h) || i + 2 >= n || p[i + 2] != ':' || digits(p, n, i + 3, 2, &mi))
            return WW_EPARSE;
        i += 5;
        if (i < n && p[i] == ':') {
            if (digits(p, n, i + 1, 2, &s))
                return WW_EPARSE;
            i += 3;
        }
        if (i < n && (p[i] == '.' || p[i] == ',')) {
            i++;
            int64_t scale = 100000000;
            size_t start = i;
            while (i < n && p[i] >= '0' && p[i] <= '9') {
                frac_ns += (p[i] - '0') * scale;
                scale /= 10;
                i++;
            }
            if (i == start)
                return WW_EPARSE;
        }
        if (h > 23 || mi > 59 || s > 60)
            return WW_EPARSE;
    }
    int64_t offset_s = 0;
    if (i < n && (p[i] == 'Z' || p[i] == 'z')) {
        i++;
        zoned = true;
    } else if (i < n && (p[i] == '+' || p[i] == '-')) {
        unsigned oh, om = 0;
        zoned = true;
        int sign = p[i] == '-' ? -1 : 1;
        i++;
        if (digits(p, n, i, 2, &oh))
            return WW_EPARSE;
        i += 2;
        if (i < n && p[i] == ':')
            i++;
        if (i < n && digits(p, n, i, 2, &om) == 0)
            i += 2;
        offset_s = sign * (int64_t)(oh * 3600 + om * 60);
    }
    while (i < n && (p[i] == ' ' || p[i] == '"'))
        i++;
    if (i != n)
        return WW_EPARSE;
    int64_t secs = ww_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset_s;
    /* Nanoseconds in an int64_t reach only the years 1677-2262. */
    if (secs <= INT64_MIN / 1000000000LL + 1 || secs >= INT64_MAX / 1000000000LL - 1)
        return WW_EPARSE;
    int64_t ns = secs * 1000000000LL + frac_ns;
    *out = local && !zoned ? ww_time_local_to_utc(ns) : ns;
    return 0;
}

int ww_time_parse_iso(const char *p, size_t n, int64_t *out)
{
    return parse_iso(p, n, false, out);
}

int ww_time_parse_iso_local(const char *p, size_t n, int64_t *out)
{
    return parse_iso(p, n, true, out);
}

/* Bumped by ww_time_set_zone so that cached offsets are recomputed. */
static unsigned ww__zone_gen;

int ww_time_set_zone(const char *zone)
{
    /* glibc quietly treats a zone it cannot find as UTC, which would mislabel every
       time: accept only UTC, a POSIX rule ("EST5EDT", "<+01>-1") or a zoneinfo name. */
    if (!zone || !*zone || strlen(zone) > 200 || strstr(zone, ".."))
        return WW_EINVAL;
    const char *name = zone[0] == ':' ? zone + 1 : zone;
    bool ok = strcmp(name, "UTC") == 0 || strcmp(name, "GMT") == 0;
    if (!ok && name[0] != '/') {
        char path[256];
        snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
        ok = access(path, R_OK) == 0;
    } else if (!ok)
        ok = access(name, R_OK) == 0;
    /* A POSIX rule: a name of three or more letters (or <...>) then an offset. */
    if (!ok && zone[0] != ':') {
        const char *q = zone;
        if (*q == '<') {
            q = strchr(q, '>');
            ok = q && q - zone >= 4 && (q[1] == '+' || q[1] == '-' || (q[1] >= '0' && q[1] <= '9'));
        } else {
            while ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z'))
                q++;
            ok = q - zone >= 3 && (*q == '+' || *q == '-' || (*q >= '0' && *q <= '9'));
        }
    }
    if (!ok)
        return WW_EINVAL;
    if (setenv("TZ", zone, 1) != 0)
        return WW_ENOMEM;
    tzset();
    ww__zone_gen++;
    return 0;
}

/* One hour of local time has one offset from UTC (every zone's transitions fall on a
 * quarter hour, and none lasts less than an hour), so the answer is cached per thread
 * for the local quarter-hour it was asked for.  ww__zone_gen invalidates the cache. */
int64_t ww_time_local_to_utc(int64_t local_ns)
{
    static __thread int64_t cache_q = INT64_MIN;
    static __thread int64_t cache_off;
    static __thread unsigned cache_gen;
    int64_t secs = local_ns / 1000000000LL;
    if (local_ns % 1000000000LL < 0)
        secs--;
    int64_t q = secs >= 0 ? secs / 900 : (secs - 899) / 900;
    if (q != cache_q || cache_gen != ww__zone_gen) {
        /* Treat the local wall time as if it were UTC to get its fields, then ask
           mktime which instant shows that wall time here. */
        time_t wall = (time_t)(q * 900);
        struct tm tm;
        if (!gmtime_r(&wall, &tm))
            return local_ns;
        tm.tm_isdst = -1;
        time_t t = mktime(&tm);
        if (t == (time_t)-1)
            return local_ns;
        cache_off = (int64_t)wall - (int64_t)t; /* local = utc + off */
        cache_q = q;
        cache_gen = ww__zone_gen;
    }
    return local_ns - cache_off * 1000000000LL;
}

void ww_time_format(int64_t ns, char *out, size_t outlen)
{
    if (ns == WW_TIME_NONE) {
        snprintf(out, outlen, "%s", "");
        return;
    }
    int64_t secs = ns / 1000000000LL, rem = ns % 1000000000LL;
    if (rem < 0) {
        rem += 1000000000LL;
        secs--;
    }
    int64_t days = secs / 86400, sod = secs % 86400;
    if (sod < 0) {
        sod += 86400;
        days--;
    }
    /* civil_from_days (Howard Hinnant's algorithm, public domain description). */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    snprintf(out, outlen, "%04lld-%02u-%02uT%02u:%02u:%02u.%06lldZ", (long long)y, m, d,
             (unsigned)(sod / 3600), (unsigned)(sod / 60 % 60), (unsigned)(sod % 60),
             (long long)(rem / 1000));
}

size_t ww_utf8_put(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

const char *ww_installed_dir(const char *sub, char *out, size_t outlen)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (!slash)
        return NULL;
    *slash = 0;
    int len = snprintf(out, outlen, "%s/../share/wardwatch/%s", exe, sub);
    struct stat st;
    if (len < 0 || (size_t)len >= outlen || stat(out, &st) != 0 || !S_ISDIR(st.st_mode))
        return NULL;
    return out;
}

int ww_read_file(const char *path, size_t max, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    bool in = strcmp(path, "-") == 0;
    FILE *f = in ? stdin : fopen(path, "rb");
    if (!f)
        return errno == ENOENT ? WW_ENOENT : WW_EIO;
    ww_buf_t b;
    ww_buf_init(&b, max);
    char tmp[65536];
    size_t r;
    int rc = 0;
    while ((r = fread(tmp, 1, sizeof tmp, f)) > 0)
        if ((rc = ww_buf_append(&b, tmp, r)) < 0)
            break;
    int err = ferror(f) ? errno : 0;
    if (!in)
        fclose(f);
    if (rc == 0 && err) {
        errno = err;
        rc = WW_EIO;
    }
    if (rc == 0 && !b.p && ww_buf_putc(&b, 0) == 0)
        b.n = 0; /* an empty file is "", not NULL */
    if (rc == 0 && !b.p)
        rc = WW_ENOMEM;
    if (rc < 0) {
        ww_buf_release(&b);
        return rc;
    }
    *out = b.p;
    *len = b.n;
    return 0;
}

bool ww_sockaddr_text(const struct sockaddr *sa, char *out, size_t n)
{
    if (!sa)
        return false;
    if (sa->sa_family == AF_INET)
        return inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)n) !=
               NULL;
    if (sa->sa_family == AF_INET6)
        return inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
                         (socklen_t)n) != NULL;
    return false;
}
