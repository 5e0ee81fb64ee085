/* EVTX value formatting: turns BinXML substitution values (UTF-16 strings, integers,
 * GUIDs, SIDs, FILETIMEs, ...) into the text evtx_dump prints for them in its JSON, so
 * a record read natively and the same record read from evtx_dump output flatten to the
 * same fields.  Everything is written into the event's arena; nothing is malloc'd. */
#include "event/ww_evtx_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static const char HEXU[] = "0123456789ABCDEF";
static const char HEXL[] = "0123456789abcdef";

int ww__evtx_utf16(ww_arena_t *a, const uint8_t *p, size_t nchars, ww_str_t *out)
{
    /* evtx_dump drops the terminating NULs that many writers include in the size. */
    while (nchars && evtx_u16(p + 2 * (nchars - 1)) == 0)
        nchars--;
    /* Pure ASCII is by far the common case: copy optimistically in one pass. */
    char *o = ww_arena_alloc(a, nchars + 1);
    if (!o)
        return WW_ENOMEM;
    size_t k = 0;
#if defined(__SSE2__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* Eight characters at a time while all are ASCII: narrow them with one pack. */
    {
        const __m128i hi = _mm_set1_epi16((short)0xFF80), zero = _mm_setzero_si128();
        while (nchars - k >= 8) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 2 * k));
            if (_mm_movemask_epi8(_mm_cmpeq_epi16(_mm_and_si128(v, hi), zero)) != 0xFFFF)
                break;
            _mm_storel_epi64((__m128i *)(void *)(o + k), _mm_packus_epi16(v, v));
            k += 8;
        }
    }
#endif
    while (k < nchars) {
        uint16_t c = evtx_u16(p + 2 * k);
        if (c >= 0x80)
            break;
        o[k++] = (char)c;
    }
    if (k == nchars) {
        o[k] = 0;
        *out = (ww_str_t){o, k};
        return 0;
    }
    size_t need = 0;
    for (size_t i = 0; i < nchars; i++) {
        uint16_t c = evtx_u16(p + 2 * i);
        need += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    }
    o = ww_arena_alloc(a, need + 1);
    if (!o)
        return WW_ENOMEM;
    k = 0;
    for (size_t i = 0; i < nchars; i++) {
        uint32_t c = evtx_u16(p + 2 * i);
        if (c < 0x80) {
            o[k++] = (char)c;
            continue;
        }
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < nchars) {
            uint32_t lo = evtx_u16(p + 2 * (i + 1));
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                /* A pair takes 4 bytes of UTF-8; it was counted as 3 + 3 above. */
                c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
                i++;
                k += ww_utf8_put(o + k, c);
                continue;
            }
        }
        if (c >= 0xD800 && c <= 0xDFFF)
            c = 0xFFFD; /* unpaired surrogate: replacement character, as lossy decoders do */
        k += ww_utf8_put(o + k, c);
    }
    o[k] = 0;
    *out = (ww_str_t){o, k};
    return 0;
}

int ww__evtx_ansi(ww_arena_t *a, const uint8_t *p, size_t n, ww_str_t *out)
{
    while (n && p[n - 1] == 0)
        n--;
    /* The code page is unknown; bytes >= 0x80 are taken as Latin-1 so the result is
       always valid UTF-8. */
    char *o = ww_arena_alloc(a, 2 * n + 1);
    if (!o)
        return WW_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < 0x80) {
            o[k++] = (char)p[i];
        } else {
            o[k++] = (char)(0xC0 | p[i] >> 6);
            o[k++] = (char)(0x80 | (p[i] & 0x3F));
        }
    }
    o[k] = 0;
    *out = (ww_str_t){o, k};
    return 0;
}

size_t ww__evtx_type_size(uint8_t t)
{
    switch (t) {
    case EVTX_T_INT8:
    case EVTX_T_UINT8: return 1;
    case EVTX_T_INT16:
    case EVTX_T_UINT16: return 2;
    case EVTX_T_INT32:
    case EVTX_T_UINT32:
    case EVTX_T_REAL32:
    case EVTX_T_BOOL:
    case EVTX_T_HEX32: return 4;
    case EVTX_T_INT64:
    case EVTX_T_UINT64:
    case EVTX_T_REAL64:
    case EVTX_T_FILETIME:
    case EVTX_T_HEX64: return 8;
    case EVTX_T_GUID:
    case EVTX_T_SYSTIME: return 16;
    default: return 0;
    }
}

size_t ww__evtx_sid_len(const uint8_t *p, size_t n)
{
    if (n < 8)
        return 0;
    size_t len = 8 + 4 * (size_t)p[1];
    return len <= n ? len : 0;
}

/* Writes v in decimal at o (at least 20 bytes); returns the length. */
static size_t put_u64(char *o, uint64_t v)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        o[i] = tmp[n - 1 - i];
    return n;
}

static size_t put_i64(char *o, int64_t v)
{
    if (v < 0) {
        o[0] = '-';
        return 1 + put_u64(o + 1, (uint64_t)0 - (uint64_t)v);
    }
    return put_u64(o, (uint64_t)v);
}

static size_t put_hex(char *o, uint64_t v)
{
    char tmp[16];
    size_t n = 0;
    do {
        tmp[n++] = HEXL[v & 15];
        v >>= 4;
    } while (v);
    o[0] = '0';
    o[1] = 'x';
    for (size_t i = 0; i < n; i++)
        o[2 + i] = tmp[n - 1 - i];
    return 2 + n;
}

/* "YYYY-MM-DDTHH:MM:SS.ffffffZ" the way evtx_dump prints timestamps. */
static void put_time(char out[64], int64_t days, unsigned sod, unsigned micros)
{
    /* Civil date from days since 1970-01-01 (Howard Hinnant's algorithm). */
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
    if (y < 0 || y > 9999) {
        snprintf(out, 64, "%04lld-%02u-%02uT%02u:%02u:%02u.%06uZ", (long long)y, m, d, sod / 3600,
                 sod / 60 % 60, sod % 60, micros);
        return;
    }
    /* The common case without printf: this runs for every record. */
    unsigned v[7] = {(unsigned)y, m, d, sod / 3600, sod / 60 % 60, sod % 60, micros};
    static const uint8_t width[7] = {4, 2, 2, 2, 2, 2, 6};
    static const char sep[7] = {'-', '-', 'T', ':', ':', '.', 'Z'};
    char *o = out;
    for (int i = 0; i < 7; i++) {
        for (int k = width[i] - 1; k >= 0; k--) {
            o[k] = (char)('0' + v[i] % 10);
            v[i] /= 10;
        }
        o += width[i];
        *o++ = sep[i];
    }
    *o = 0;
}

void ww__evtx_filetime_str(uint64_t ft, char out[64])
{
    /* 100 ns ticks since 1601-01-01, which is day -134774 of the Unix calendar. */
    uint64_t days = ft / 864000000000ull;
    uint64_t rem = ft % 864000000000ull;
    put_time(out, (int64_t)days - 134774, (unsigned)(rem / 10000000u),
             (unsigned)(rem % 10000000u / 10u));
}

/* Shortest text that reads back as the same double, JSON style (1.0, 0.5, 1e-7). */
static size_t put_real(char *o, size_t cap, double v)
{
    if (!isfinite(v))
        return (size_t)snprintf(o, cap, "%s", isnan(v) ? "NaN" : v > 0 ? "inf" : "-inf");
    int n = 0;
    for (int prec = 1; prec <= 17; prec++) {
        n = snprintf(o, cap, "%.*g", prec, v);
        if (strtod(o, NULL) == v)
            break;
    }
    /* Tidy the exponent ("1e-07" -> "1e-7", "1e+21" -> "1e21") and mark integral values
       as floats ("1" -> "1.0") as serde_json does. */
    char *e = memchr(o, 'e', (size_t)n);
    if (e) {
        char *s = e + 1, *w = e + 1;
        if (*s == '+')
            s++;
        else if (*s == '-')
            *w++ = *s++;
        while (*s == '0' && s[1])
            s++;
        while (*s)
            *w++ = *s++;
        *w = 0;
        return (size_t)(w - o);
    }
    if (!memchr(o, '.', (size_t)n) && (size_t)n + 2 < cap) {
        o[n++] = '.';
        o[n++] = '0';
        o[n] = 0;
    }
    return (size_t)n;
}

int ww__evtx_scalar(ww_arena_t *a, uint8_t t, const uint8_t *p, size_t size, ww_str_t *out,
                    uint8_t *ftype)
{
    size_t want = ww__evtx_type_size(t);
    if (t == EVTX_T_SIZET)
        want = size == 4 ? 4 : 8;
    if (t == EVTX_T_SID)
        want = ww__evtx_sid_len(p, size);
    if (t == EVTX_T_BINARY)
        want = size;
    if (want == 0 || size < want)
        return WW_EPARSE;

    size_t cap = t == EVTX_T_BINARY ? 2 * size + 1 : t == EVTX_T_SID ? 24 + 11 * (size_t)p[1] : 48;
    char *o = ww_arena_alloc(a, cap);
    if (!o)
        return WW_ENOMEM;
    size_t n = 0;
    *ftype = WW_F_STR;
    switch (t) {
    case EVTX_T_INT8:
        n = put_i64(o, (int8_t)p[0]);
        *ftype = WW_F_INT;
        break;
    case EVTX_T_UINT8:
        n = put_u64(o, p[0]);
        *ftype = WW_F_INT;
        break;
    case EVTX_T_INT16:
        n = put_i64(o, (int16_t)evtx_u16(p));
        *ftype = WW_F_INT;
        break;
    case EVTX_T_UINT16:
        n = put_u64(o, evtx_u16(p));
        *ftype = WW_F_INT;
        break;
    case EVTX_T_INT32:
        n = put_i64(o, (int32_t)evtx_u32(p));
        *ftype = WW_F_INT;
        break;
    case EVTX_T_UINT32:
        n = put_u64(o, evtx_u32(p));
        *ftype = WW_F_INT;
        break;
    case EVTX_T_INT64:
        n = put_i64(o, (int64_t)evtx_u64(p));
        *ftype = WW_F_INT;
        break;
    case EVTX_T_UINT64:
        n = put_u64(o, evtx_u64(p));
        *ftype = WW_F_INT;
        break;
    case EVTX_T_SIZET:
        n = put_u64(o, want == 4 ? evtx_u32(p) : evtx_u64(p));
        *ftype = WW_F_INT;
        break;
    case EVTX_T_REAL32: {
        float f;
        uint32_t u = evtx_u32(p);
        memcpy(&f, &u, 4);
        n = put_real(o, cap, (double)f);
        *ftype = isfinite(f) ? WW_F_FLOAT : WW_F_STR;
        break;
    }
    case EVTX_T_REAL64: {
        double d;
        uint64_t u = evtx_u64(p);
        memcpy(&d, &u, 8);
        n = put_real(o, cap, d);
        *ftype = isfinite(d) ? WW_F_FLOAT : WW_F_STR;
        break;
    }
    case EVTX_T_BOOL:
        n = evtx_u32(p) ? 4 : 5;
        memcpy(o, evtx_u32(p) ? "true" : "false", n);
        *ftype = WW_F_BOOL;
        break;
    case EVTX_T_HEX32: n = put_hex(o, evtx_u32(p)); break;
    case EVTX_T_HEX64: n = put_hex(o, evtx_u64(p)); break;
    case EVTX_T_BINARY:
        for (size_t i = 0; i < size; i++) {
            o[n++] = HEXU[p[i] >> 4];
            o[n++] = HEXU[p[i] & 15];
        }
        break;
    case EVTX_T_GUID: {
        /* Data1-3 little-endian, Data4 as bytes; upper case, no braces. */
        static const int8_t order[] = {3,  2, 1, 0,  -1, 5,  4,  -1, 7,  6,
                                       -1, 8, 9, -1, 10, 11, 12, 13, 14, 15};
        for (size_t i = 0; i < sizeof order; i++) {
            if (order[i] < 0) {
                o[n++] = '-';
                continue;
            }
            o[n++] = HEXU[p[order[i]] >> 4];
            o[n++] = HEXU[p[order[i]] & 15];
        }
        break;
    }
    case EVTX_T_FILETIME: {
        char tmp[64];
        ww__evtx_filetime_str(evtx_u64(p), tmp);
        n = strlen(tmp);
        memcpy(o, tmp, n);
        break;
    }
    case EVTX_T_SYSTIME: {
        unsigned y = evtx_u16(p), mo = evtx_u16(p + 2), d = evtx_u16(p + 6);
        unsigned h = evtx_u16(p + 8), mi = evtx_u16(p + 10), s = evtx_u16(p + 12);
        unsigned ms = evtx_u16(p + 14);
        n = (size_t)snprintf(o, cap, "%04u-%02u-%02uT%02u:%02u:%02u.%06uZ", y, mo % 100, d % 100,
                             h % 100, mi % 100, s % 100, (ms % 1000) * 1000);
        break;
    }
    case EVTX_T_SID: {
        uint64_t auth = 0;
        for (int i = 2; i < 8; i++)
            auth = auth << 8 | p[i];
        memcpy(o, "S-", 2);
        n = 2;
        n += put_u64(o + n, p[0]);
        o[n++] = '-';
        n += put_u64(o + n, auth);
        for (unsigned i = 0; i < p[1]; i++) {
            o[n++] = '-';
            n += put_u64(o + n, evtx_u32(p + 8 + 4 * i));
        }
        break;
    }
    default: return WW_EPARSE;
    }
    o[n] = 0;
    *out = (ww_str_t){o, n};
    return 0;
}
