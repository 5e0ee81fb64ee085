/* Unit tests for the JSON string scan and unescaping fast paths: the 16-byte and
 * 8-byte scans must stop at the first quote, backslash or control byte wherever it
 * falls in a block, and unescaping must give the same text whatever the position of
 * the first escape.  Each case is checked against a byte-at-a-time reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "event/ww_event.h"

/* Decodes {"k":"<body>"} and returns the reader's result; *val gets the value. */
static int decode_one(const char *body, char *val, size_t cap)
{
    char rec[512];
    int n = snprintf(rec, sizeof rec, "{\"k\":\"%s\"}\n", body);
    assert_true(n > 0 && (size_t)n < sizeof rec);
    ww_reader_t *r = NULL;
    ww_diag_t d;
    assert_int_equal(ww_reader_open_mem("t.json", rec, (size_t)n, WW_FMT_JSON, &r, &d), 0);
    ww_event_t ev;
    ww_event_init(&ev);
    int rc = ww_reader_next(r, &ev, &d);
    if (rc == 1) {
        const ww_field_t *f = ww_event_get(&ev, WW_STR("k"), NULL);
        assert_non_null(f);
        assert_true(f->value.n < cap);
        memcpy(val, f->value.p, f->value.n);
        val[f->value.n] = 0;
    }
    ww_event_release(&ev);
    ww_reader_free(r);
    return rc;
}

/* Every position 0..40 of an escape in a 41-byte string (crosses 8- and 16-byte
 * block edges): the value is the string with the escape resolved. */
static void test_escape_every_position(void **state)
{
    (void)state;
    static const struct {
        const char *esc, *out;
    } kinds[] = {{"\\\\", "\\"},
                 {"\\\"", "\""},
                 {"\\n", "\n"},
                 {"\\u00e9", "\xc3\xa9"},
                 {"\\ud83d\\ude00", "\xf0\x9f\x98\x80"},
                 {"\\/", "/"}};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        for (int pos = 0; pos <= 40; pos++) {
            char body[128], want[128], got[128];
            int b = 0, w = 0;
            for (int i = 0; i < pos; i++)
                body[b++] = want[w++] = (char)('a' + i % 26);
            b += snprintf(body + b, sizeof body - (size_t)b, "%s", kinds[k].esc);
            w += snprintf(want + w, sizeof want - (size_t)w, "%s", kinds[k].out);
            for (int i = pos; i < 40; i++)
                body[b++] = want[w++] = (char)('A' + i % 26);
            /* a second escape later on, so the run after the first one is scanned */
            b += snprintf(body + b, sizeof body - (size_t)b, "\\tZ");
            w += snprintf(want + w, sizeof want - (size_t)w, "\tZ");
            body[b] = want[w] = 0;
            assert_int_equal(decode_one(body, got, sizeof got), 1);
            if (strcmp(got, want) != 0)
                fail_msg("escape %zu at %d: got \"%s\", want \"%s\"", k, pos, got, want);
        }
    }
}

/* A raw control byte at any position is refused, an invalid escape becomes U+FFFD;
 * a byte >= 0x80 (UTF-8) is not a stop byte. */
static void test_stop_bytes_every_position(void **state)
{
    (void)state;
    for (int pos = 0; pos <= 40; pos++) {
        char body[64], got[128];
        for (int i = 0; i < 41; i++)
            body[i] = 'x';
        body[41] = 0;
        body[pos] = '\t';
        assert_int_equal(decode_one(body, got, sizeof got), WW_EPARSE);
        body[pos] = 0x1f;
        assert_int_equal(decode_one(body, got, sizeof got), WW_EPARSE);
        body[pos] = (char)0xe9; /* not valid UTF-8 alone, but JSON bytes are passed through */
        assert_int_equal(decode_one(body, got, sizeof got), 1);
        assert_int_equal((int)strlen(got), 41);
        assert_int_equal((uint8_t)got[pos], 0xe9);
        body[pos] = ' '; /* 0x20 is the first allowed byte */
        assert_int_equal(decode_one(body, got, sizeof got), 1);
        assert_int_equal(got[pos], ' ');
        if (pos < 40) {
            /* An invalid escape is kept as U+FFFD, at every position. */
            body[pos] = '\\';
            body[pos + 1] = 'q';
            assert_int_equal(decode_one(body, got, sizeof got), 1);
            assert_int_equal((int)strlen(got), 42);
            assert_memory_equal(got + pos, "\xef\xbf\xbd", 3);
            body[pos + 1] = 'x';
        }
    }
}

/* A string cut off at every length inside a block is unterminated, not read past. */
static void test_unterminated_every_length(void **state)
{
    (void)state;
    for (size_t n = 0; n <= 40; n++) {
        char *rec = malloc(8 + n);
        assert_non_null(rec);
        memcpy(rec, "{\"k\":\"", 6);
        memset(rec + 6, 'y', n);
        ww_reader_t *r = NULL;
        ww_diag_t d;
        /* An exact-size heap buffer: ASan catches any read past its end. */
        assert_int_equal(ww_reader_open_mem("t.json", rec, 6 + n, WW_FMT_JSON, &r, &d), 0);
        ww_event_t ev;
        ww_event_init(&ev);
        assert_true(ww_reader_next(r, &ev, &d) < 0);
        ww_event_release(&ev);
        ww_reader_free(r);
        free(rec);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_every_position),
        cmocka_unit_test(test_stop_bytes_every_position),
        cmocka_unit_test(test_unterminated_every_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
