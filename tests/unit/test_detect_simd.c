/* The small-set multi-literal matcher (ww_detect_simd.c) against a naive search: random
 * literal sets (1..WW__TD_MAX literals of 1..WW__TD_LITMAX bytes, mixed case, drawn
 * from a small alphabet so that matches and near-matches are frequent) and random
 * haystacks of every length from 0 up to a few hundred bytes, with literals planted at
 * both ends; every occurrence must be reported exactly once, on the scalar path and on
 * each SIMD path the CPU has.  Haystacks are copied into exact-size heap buffers so that
 * ASan catches any read past the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect/ww_detect_int.h"

#define MAXHITS 20000

typedef struct hitset {
    uint32_t n;
    uint64_t v[MAXHITS]; /* id << 32 | offset */
} hitset_t;

static void on_hit(void *ud, uint32_t id, size_t at)
{
    hitset_t *h = ud;
    assert_true(h->n < MAXHITS);
    h->v[h->n++] = (uint64_t)id << 32 | at;
}

static int u64cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint32_t rnd(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*s >> 33);
}

static unsigned char rchar(uint64_t *s)
{
    static const char al[] = "abcABC:\\ .zZ\x80\xff";
    return (unsigned char)al[rnd(s) % (sizeof al - 1)];
}

static void naive(const ww__tlit_t *l, uint32_t nl, const unsigned char *p, size_t n, hitset_t *h)
{
    h->n = 0;
    for (uint32_t j = 0; j < nl; j++)
        for (size_t i = 0; i + l[j].n <= n; i++) {
            uint32_t k = 0;
            while (k < l[j].n && ww_lower(p[i + k]) == ww_lower(l[j].b[k]))
                k++;
            if (k == l[j].n)
                on_hit(h, l[j].id, i);
        }
    qsort(h->v, h->n, sizeof *h->v, u64cmp);
}

static void check_paths(const ww__teddy_t *t, const unsigned char *p, size_t n,
                        const hitset_t *want, hitset_t *got)
{
    int best = ww__td_path();
    for (int path = WW__TD_SCALAR; path <= best; path++) {
        got->n = 0;
        ww__td_scan_with(t, path, p, n, on_hit, got);
        qsort(got->v, got->n, sizeof *got->v, u64cmp);
        assert_int_equal(got->n, want->n);
        assert_memory_equal(got->v, want->v, want->n * sizeof *want->v);
    }
}

static void test_random_vs_naive(void **state)
{
    (void)state;
    static hitset_t want, got;
    static ww__tlit_t lits[WW__TD_MAX];
    uint64_t s = 12345;
    for (int round = 0; round < 300; round++) {
        uint32_t nl = 1 + rnd(&s) % (round % 3 == 0 ? WW__TD_MAX : 12);
        uint32_t maxlen = 1 + rnd(&s) % WW__TD_LITMAX;
        for (uint32_t j = 0; j < nl; j++) {
            lits[j].n = 1 + rnd(&s) % maxlen;
            lits[j].id = j;
            for (uint32_t k = 0; k < lits[j].n; k++)
                lits[j].b[k] = rchar(&s);
        }
        ww__teddy_t t;
        assert_int_equal(ww__td_build(&t, lits, nl), 0);
        size_t n = round < 100 ? (size_t)round : rnd(&s) % 400;
        unsigned char *p = malloc(n ? n : 1);
        assert_non_null(p);
        for (size_t i = 0; i < n; i++)
            p[i] = rchar(&s);
        /* Plant a literal at the very start and one ending at the very end. */
        const ww__tlit_t *a = &lits[rnd(&s) % nl], *b = &lits[rnd(&s) % nl];
        if (a->n <= n)
            memcpy(p, a->b, a->n);
        if (b->n <= n)
            memcpy(p + n - b->n, b->b, b->n);
        naive(lits, nl, p, n, &want);
        check_paths(&t, p, n, &want, &got);
        free(p);
        ww__td_free(&t);
    }
}

static void test_case_and_ends(void **state)
{
    (void)state;
    static hitset_t got;
    ww__tlit_t l[2] = {{.b = "MimiKatz", .n = 8, .id = 7}, {.b = "x", .n = 1, .id = 9}};
    ww__teddy_t t;
    assert_int_equal(ww__td_build(&t, l, 2), 0);
    /* 40 bytes: the SIMD loops cover the start, the scalar tail the end. */
    const char *h = "mIMIkATZ........................mimikatX";
    size_t n = strlen(h);
    unsigned char *p = malloc(n);
    assert_non_null(p);
    memcpy(p, h, n);
    for (int path = WW__TD_SCALAR; path <= ww__td_path(); path++) {
        got.n = 0;
        ww__td_scan_with(&t, path, p, n, on_hit, &got);
        qsort(got.v, got.n, sizeof *got.v, u64cmp);
        assert_int_equal(got.n, 2);
        assert_true(got.v[0] == ((uint64_t)7 << 32 | 0));
        assert_true(got.v[1] == ((uint64_t)9 << 32 | (n - 1)));
    }
    free(p);
    ww__td_free(&t);
}

static void test_build_limits(void **state)
{
    (void)state;
    ww__teddy_t t;
    ww__tlit_t l = {.b = "", .n = 0, .id = 0};
    assert_int_equal(ww__td_build(&t, &l, 1), WW_EINVAL);
    l.n = WW__TD_LITMAX + 1;
    assert_int_equal(ww__td_build(&t, &l, 1), WW_EINVAL);
    assert_int_equal(ww__td_build(&t, &l, 0), WW_EINVAL);
    assert_int_equal(ww__td_build(&t, &l, WW__TD_MAX + 1), WW_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_vs_naive),
        cmocka_unit_test(test_case_and_ends),
        cmocka_unit_test(test_build_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
