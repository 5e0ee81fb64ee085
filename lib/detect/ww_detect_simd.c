/* A small-set multi-literal matcher for the literal prefilter, in the style of Teddy:
 * each literal (lowered bytes) goes into one of 8 buckets; for each of the first
 * `m` (1..4) byte positions, two 16-byte tables map the low and the high nibble of a
 * haystack byte to the buckets holding a literal with such a nibble there.  A start
 * position is a candidate for the buckets whose bits survive the AND of the 2*m
 * lookups; only those buckets' literals are then compared exactly.  The lookups run 16
 * (SSSE3 pshufb) or 32 (AVX2) positions at a time; case is folded into the tables (an
 * upper-case letter hits its lower-case entries), not into the haystack, and the exact
 * comparison lowers.  A scalar loop over the same tables is the fallback and the tail, and
 * the path is picked once at run time (__builtin_cpu_supports).  It pays when the set is
 * small (tens of literals): with many, the masks saturate and every position is a
 * candidate, so callers keep their gram path for large sets. */
#include "detect/ww_detect_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define WW__TD_X86 1
#endif

#if defined(__SANITIZE_ADDRESS__)
#define WW__TD_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WW__TD_ASAN 1
#endif
#endif
#ifndef WW__TD_ASAN
#define WW__TD_ASAN 0
#endif

static int lit_cmp(const void *a, const void *b)
{
    const ww__tlit_t *x = a, *y = b;
    int c = memcmp(x->b, y->b, x->n < y->n ? x->n : y->n);
    return c ? c : (int)x->n - (int)y->n;
}

int ww__td_build(ww__teddy_t *t, const ww__tlit_t *lits, uint32_t n)
{
    memset(t, 0, sizeof *t);
    if (n == 0 || n > WW__TD_MAX)
        return WW_EINVAL;
    t->lits = malloc(n * sizeof *t->lits);
    if (!t->lits)
        return WW_ENOMEM;
    memcpy(t->lits, lits, n * sizeof *lits);
    t->m = WW__TD_FP;
    for (uint32_t i = 0; i < n; i++) {
        if (lits[i].n == 0 || lits[i].n > WW__TD_LITMAX) {
            free(t->lits);
            t->lits = NULL;
            return WW_EINVAL;
        }
        for (uint32_t k = 0; k < lits[i].n; k++)
            t->lits[i].b[k] = ww_lower(lits[i].b[k]);
        if (lits[i].n < t->m)
            t->m = (uint8_t)lits[i].n;
    }
    /* Sorted, so that literals sharing leading bytes share a bucket: fewer nibbles
       per bucket, fewer false candidates. */
    qsort(t->lits, n, sizeof *t->lits, lit_cmp);
    t->n = n;
    uint32_t per = (n + 7) / 8, b = 0;
    for (uint32_t i = 0; i < n; i++) {
        b = i / per;
        if (i % per == 0)
            t->bstart[b] = i;
        t->bend[b] = i + 1;
        for (uint32_t k = 0; k < t->m; k++) {
            unsigned char c = t->lits[i].b[k];
            t->lo[k][c & 15] |= (uint8_t)(1u << b);
            t->hi[k][c >> 4] |= (uint8_t)(1u << b);
            /* Case folded into the tables: A-Z share a-z's low nibble, and their
               high nibble (4, 5) is two below (6, 7). */
            if (c >= 'a' && c <= 'z')
                t->hi[k][(c - 0x20) >> 4] |= (uint8_t)(1u << b);
        }
    }
    /* Positions past the fingerprint pass every bucket. */
    for (uint32_t k = t->m; k < WW__TD_FP; k++)
        for (int j = 0; j < 16; j++)
            t->lo[k][j] = t->hi[k][j] = 0xFF;
    return 0;
}

void ww__td_free(ww__teddy_t *t)
{
    free(t->lits);
    memset(t, 0, sizeof *t);
}

/* Exact comparison of bucket literals at start position `i`. */
static inline void verify(const ww__teddy_t *t, unsigned bits, const unsigned char *p, size_t n,
                          size_t i, ww__td_fn fn, void *ud)
{
    while (bits) {
        unsigned b = (unsigned)__builtin_ctz(bits);
        bits &= bits - 1;
        for (uint32_t j = t->bstart[b]; j < t->bend[b]; j++) {
            const ww__tlit_t *l = &t->lits[j];
            if (l->n > n - i)
                continue;
            uint32_t k = 0;
            while (k < l->n && ww_lower(p[i + k]) == l->b[k])
                k++;
            if (k == l->n)
                fn(ud, l->id, i);
        }
    }
}

static inline unsigned scalar_bits(const ww__teddy_t *t, const unsigned char *p, size_t n, size_t i)
{
    unsigned bits = 0xFF;
    for (uint32_t k = 0; k < t->m; k++) {
        if (i + k >= n)
            return 0;
        unsigned char c = p[i + k];
        bits &= t->lo[k][c & 15] & t->hi[k][c >> 4];
    }
    return bits;
}

static void scan_scalar(const ww__teddy_t *t, const unsigned char *p, size_t n, size_t from,
                        ww__td_fn fn, void *ud)
{
    for (size_t i = from; i < n; i++) {
        unsigned bits = scalar_bits(t, p, n, i);
        if (bits)
            verify(t, bits, p, n, i, fn, ud);
    }
}

#ifdef WW__TD_X86
__attribute__((target("ssse3"))) static void
scan_ssse3(const ww__teddy_t *t, const unsigned char *p, size_t n, ww__td_fn fn, void *ud)
{
    const __m128i nib = _mm_set1_epi8(0x0F);
    __m128i lo[WW__TD_FP], hi[WW__TD_FP];
    for (int k = 0; k < WW__TD_FP; k++) {
        lo[k] = _mm_loadu_si128((const __m128i *)t->lo[k]);
        hi[k] = _mm_loadu_si128((const __m128i *)t->hi[k]);
    }
    size_t i = 0;
    /* Loads at i .. i + WW__TD_FP - 1 stay inside the buffer. */
    for (; n >= 16 + WW__TD_FP && i <= n - (16 + WW__TD_FP); i += 16) {
        __m128i acc = _mm_set1_epi8(-1);
        for (uint32_t k = 0; k < t->m; k++) {
            __m128i v = _mm_loadu_si128((const __m128i *)(p + i + k));
            __m128i l = _mm_shuffle_epi8(lo[k], _mm_and_si128(v, nib));
            __m128i h = _mm_shuffle_epi8(hi[k], _mm_and_si128(_mm_srli_epi16(v, 4), nib));
            acc = _mm_and_si128(acc, _mm_and_si128(l, h));
        }
        unsigned cand =
            (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(acc, _mm_setzero_si128())) ^ 0xFFFFu;
        if (!cand)
            continue;
        uint8_t a[16];
        _mm_storeu_si128((__m128i *)a, acc);
        while (cand) {
            unsigned j = (unsigned)__builtin_ctz(cand);
            cand &= cand - 1;
            verify(t, a[j], p, n, i + j, fn, ud);
        }
    }
    scan_scalar(t, p, n, i, fn, ud);
}

__attribute__((target("avx2"))) static void scan_avx2(const ww__teddy_t *t, const unsigned char *p,
                                                      size_t n, ww__td_fn fn, void *ud)
{
    const __m256i nib = _mm256_set1_epi8(0x0F);
    __m256i lo[WW__TD_FP], hi[WW__TD_FP];
    for (int k = 0; k < WW__TD_FP; k++) {
        lo[k] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)t->lo[k]));
        hi[k] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)t->hi[k]));
    }
    size_t i = 0;
    /* The last (partial) block also takes the vector path, so that short values --
       most of them -- do: candidates past the end are dropped and verification reads
       the real buffer.  Its 32 + WW__TD_FP bytes are read in place when they stay inside one page
       (the bytes past the value are then mapped, merely unrelated); otherwise, and
       under AddressSanitizer (which rightly flags such reads), from a zero-padded
       copy -- whose small stores a wide load cannot forward from, a stall per block. */
    unsigned char pad[64];
    while (i < n) {
        const unsigned char *q = p + i;
        uint32_t valid = ~0u;
        if (n - i < 32 + WW__TD_FP) {
            valid = n - i >= 32 ? ~0u : (1u << (n - i)) - 1;
            if (!WW__TD_ASAN && ((uintptr_t)q & 4095) <= 4096 - (32 + WW__TD_FP))
                goto fingerprint;
            memset(pad, 0, sizeof pad);
            memcpy(pad, p + i, n - i);
            q = pad;
        }
    fingerprint:;
        __m256i acc = _mm256_set1_epi8(-1);
        for (uint32_t k = 0; k < t->m; k++) {
            __m256i v = _mm256_loadu_si256((const __m256i *)(q + k));
            __m256i l = _mm256_shuffle_epi8(lo[k], _mm256_and_si256(v, nib));
            __m256i h = _mm256_shuffle_epi8(hi[k], _mm256_and_si256(_mm256_srli_epi16(v, 4), nib));
            acc = _mm256_and_si256(acc, _mm256_and_si256(l, h));
        }
        uint32_t cand =
            ~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(acc, _mm256_setzero_si256())) & valid;
        i += 32;
        if (!cand)
            continue;
        uint8_t a[32];
        _mm256_storeu_si256((__m256i *)a, acc);
        while (cand) {
            unsigned j = (unsigned)__builtin_ctz(cand);
            cand &= cand - 1;
            verify(t, a[j], p, n, i - 32 + j, fn, ud);
        }
    }
}
#endif

static int g_path = -1; /* WW__TD_AUTO until first use */

int ww__td_path(void)
{
    int p = __atomic_load_n(&g_path, __ATOMIC_RELAXED);
    if (p >= 0)
        return p;
    p = WW__TD_SCALAR;
#ifdef WW__TD_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2"))
        p = WW__TD_AVX2;
    else if (__builtin_cpu_supports("ssse3"))
        p = WW__TD_SSSE3;
#endif
    __atomic_store_n(&g_path, p, __ATOMIC_RELAXED);
    return p;
}

void ww__td_scan_with(const ww__teddy_t *t, int path, const unsigned char *p, size_t n,
                      ww__td_fn fn, void *ud)
{
    if (!t->n || !n)
        return;
#ifdef WW__TD_X86
    if (path == WW__TD_AVX2) {
        scan_avx2(t, p, n, fn, ud);
        return;
    }
    if (path == WW__TD_SSSE3) {
        scan_ssse3(t, p, n, fn, ud);
        return;
    }
#endif
    scan_scalar(t, p, n, 0, fn, ud);
}

void ww__td_scan(const ww__teddy_t *t, const unsigned char *p, size_t n, ww__td_fn fn, void *ud)
{
    ww__td_scan_with(t, ww__td_path(), p, n, fn, ud);
}
