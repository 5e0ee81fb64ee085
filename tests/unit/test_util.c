/* Unit tests for lib/util: arenas, capped buffers, JSON escaping, time and numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/ww_util.h"

static void test_arena_reuse_and_cap(void **state)
{
    ww_arena_t a;
    ww_arena_init(&a, 64, 1000);
    char *s = ww_arena_strndup(&a, "hello world", 5);
    assert_string_equal(s, "hello");
    assert_int_equal((uintptr_t)s % 8, 0);
    void *big = ww_arena_alloc(&a, 512); /* larger than a block: its own block */
    assert_non_null(big);
    assert_null(ww_arena_alloc(&a, 600)); /* past the 1000-byte cap */
    ww_arena_reset(&a);
    assert_int_equal(a.used, 0);
    void *again = ww_arena_alloc(&a, 512); /* served from the kept block */
    assert_ptr_equal(again, big);
    ww_arena_release(&a);
}

static void test_buf_cap_and_printf(void **state)
{
    ww_buf_t b;
    ww_buf_init(&b, 8);
    assert_int_equal(ww_buf_puts(&b, "12345678"), 0);
    assert_int_equal(ww_buf_putc(&b, '9'), WW_ELIMIT);
    assert_string_equal(b.p, "12345678"); /* old content kept */
    assert_int_equal(b.err, WW_ELIMIT);
    ww_buf_release(&b);

    ww_buf_init(&b, 0);
    for (int i = 0; i < 100; i++)
        ww_buf_printf(&b, "%d,", i);
    assert_int_equal(b.n, 290);
    assert_memory_equal(b.p + b.n - 3, "99,", 3);
    ww_buf_release(&b);
}

static void test_json_escaping(void **state)
{
    ww_buf_t b;
    ww_buf_init(&b, 0);
    const char in[] = "a\"b\\c\n\t\x01 \xc3\xa9 \xff end";
    ww_buf_json_str(&b, in, sizeof in - 1);
    assert_string_equal(b.p, "\"a\\\"b\\\\c\\n\\t\\u0001 \xc3\xa9 \\u00ff end\"");
    ww_buf_clear(&b);
    /* A truncated multi-byte sequence at the end is escaped, never copied. */
    ww_buf_json_str(&b, "x\xe2\x82", 3);
    assert_string_equal(b.p, "\"x\\u00e2\\u0082\"");
    ww_buf_release(&b);
}

static void test_time_parse(void **state)
{
    int64_t t = 0;
    assert_int_equal(ww_time_parse_iso(WW_STR("1970-01-01T00:00:00Z").p, 20, &t), 0);
    assert_int_equal(t, 0);
    ww_str_t s = WW_STR("2026-04-08T10:58:04.850672Z");
    assert_int_equal(ww_time_parse_iso(s.p, s.n, &t), 0);
    assert_int_equal(t, INT64_C(1775645884850672000));
    s = WW_STR("2026-04-08 11:58:04.850672+01:00");
    int64_t t2 = 0;
    assert_int_equal(ww_time_parse_iso(s.p, s.n, &t2), 0);
    assert_int_equal(t2, t);
    s = WW_STR("2020-10-18 07:50:05.910"); /* NXLog: no zone means UTC */
    assert_int_equal(ww_time_parse_iso(s.p, s.n, &t), 0);
    char out[48];
    ww_time_format(t, out, sizeof out);
    assert_string_equal(out, "2020-10-18T07:50:05.910000Z");
    int64_t keep = 42;
    s = WW_STR("2026-13-01T00:00:00Z");
    assert_int_equal(ww_time_parse_iso(s.p, s.n, &keep), WW_EPARSE);
    s = WW_STR("2026-04-08T10:58Zjunk");
    assert_int_equal(ww_time_parse_iso(s.p, s.n, &keep), WW_EPARSE);
    assert_int_equal(keep, 42);          /* untouched on failure */
    ww_time_format(-1, out, sizeof out); /* before the epoch */
    assert_string_equal(out, "1969-12-31T23:59:59.999999Z");
}

static void test_numbers(void **state)
{
    int64_t v = 0;
    assert_int_equal(ww_parse_i64("4688", 4, &v), 0);
    assert_int_equal(v, 4688);
    assert_int_equal(ww_parse_i64("-9223372036854775808", 20, &v), 0);
    assert_int_equal(v, INT64_MIN);
    assert_int_equal(ww_parse_i64("9223372036854775808", 19, &v), WW_EPARSE);
    assert_int_equal(ww_parse_i64("0x17", 4, &v), WW_EPARSE);
    assert_int_equal(ww_parse_i64("", 0, &v), WW_EPARSE);
    double d = 0;
    assert_int_equal(ww_parse_double("1.5e3", 5, &d), 0);
    assert_true(d == 1500.0);
    assert_int_equal(ww_parse_double("inf", 3, &d), WW_EPARSE);
    assert_int_equal(ww_parse_double("0x10", 4, &d), WW_EPARSE);
    assert_int_equal(ww_parse_double(" 1", 2, &d), WW_EPARSE);
}

static void test_strings(void **state)
{
    assert_true(ww_str_ieq(WW_STR("CommandLine"), WW_STR("commandline")));
    assert_false(ww_str_ieq(WW_STR("Image"), WW_STR("Images")));
    assert_true(ww_hash_ci("EventID", 7) == ww_hash_ci("eventid", 7));
    assert_string_equal(ww_strerror(WW_EPARSE), "malformed input");
}

/* UTF-8 encoding at every length boundary, against the bytes RFC 3629 gives. */
static void test_utf8_put(void **state)
{
    (void)state;
    static const struct {
        uint32_t cp;
        const char *bytes;
    } cases[] = {
        {0x00, "\x00"},
        {0x41, "A"},
        {0x7F, "\x7f"},
        {0x80, "\xc2\x80"},
        {0x7FF, "\xdf\xbf"},
        {0x800, "\xe0\xa0\x80"},
        {0xE9, "\xc3\xa9"},
        {0x20AC, "\xe2\x82\xac"},
        {0xFFFD, "\xef\xbf\xbd"},
        {0xFFFF, "\xef\xbf\xbf"},
        {0x10000, "\xf0\x90\x80\x80"},
        {0x1F600, "\xf0\x9f\x98\x80"},
        {0x10FFFF, "\xf4\x8f\xbf\xbf"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char o[4];
        size_t want = cases[i].cp == 0 ? 1 : strlen(cases[i].bytes);
        assert_int_equal(ww_utf8_put(o, cases[i].cp), want);
        assert_memory_equal(o, cases[i].bytes, want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_reuse_and_cap),
        cmocka_unit_test(test_buf_cap_and_printf),
        cmocka_unit_test(test_json_escaping),
        cmocka_unit_test(test_time_parse),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_utf8_put),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
