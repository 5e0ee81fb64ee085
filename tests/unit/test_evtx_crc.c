/* Unit tests for the EVTX CRC-32: the carry-less multiply path (used when the CPU
 * has PCLMULQDQ) must give exactly the table CRC for every length, alignment and
 * starting value, since a wrong checksum would flag every chunk as damaged.  The
 * decoder's file is included to reach its static functions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

/* The library also defines the decoder table: keep this copy's name apart. */
#define ww_evtx_ops test_evtx_ops_copy
#include "event/ww_evtx.c"
#undef ww_evtx_ops

static uint32_t crc_bitwise(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
    return ~c;
}

static void test_known_values(void **state)
{
    (void)state;
    pthread_once(&crc_once, crc_init);
    /* The CRC-32 check value of the IEEE polynomial. */
    assert_int_equal(~crc_update(0xFFFFFFFFu, (const uint8_t *)"123456789", 9), 0xCBF43926u);
    uint8_t zeros[4096] = {0};
    assert_int_equal(~crc_update(0xFFFFFFFFu, zeros, sizeof zeros),
                     crc_bitwise(zeros, sizeof zeros));
}

/* Every length 0..1200 at every alignment 0..15, random bytes, random start: the
 * dispatching crc_update, the table alone and (when present) the carry-less path
 * agree, including split into two calls. */
static void test_paths_agree(void **state)
{
    (void)state;
    pthread_once(&crc_once, crc_init);
    enum { MAX = 1200 };
    uint8_t *buf = malloc(MAX + 16);
    assert_non_null(buf);
    uint64_t x = 0x2545F4914F6CDD1DULL;
    for (size_t i = 0; i < MAX + 16; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buf[i] = (uint8_t)(x >> 24);
    }
    for (size_t align = 0; align < 16; align++) {
        const uint8_t *p = buf + align;
        for (size_t n = 0; n <= MAX; n++) {
            uint32_t start = (uint32_t)(x ^ (n * 0x9E3779B9u));
            uint32_t want = crc_table(start, p, n);
            assert_int_equal(crc_update(start, p, n), want);
            size_t half = n / 3;
            assert_int_equal(crc_update(crc_update(start, p, half), p + half, n - half), want);
#ifdef EVTX_CRC_CLMUL
            if (crc_have_clmul && n >= 64 && n % 16 == 0)
                assert_int_equal(crc_clmul(start, p, n), want);
#endif
        }
    }
    /* A whole chunk, as enter_chunk checks it. */
    uint8_t *chunk = malloc(EVTX_CHUNK_SIZE);
    assert_non_null(chunk);
    for (size_t i = 0; i < EVTX_CHUNK_SIZE; i++)
        chunk[i] = buf[i % MAX] ^ (uint8_t)(i >> 8);
    assert_int_equal(~crc_update(0xFFFFFFFFu, chunk, EVTX_CHUNK_SIZE - 5),
                     crc_bitwise(chunk, EVTX_CHUNK_SIZE - 5));
    free(chunk);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_values),
        cmocka_unit_test(test_paths_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
