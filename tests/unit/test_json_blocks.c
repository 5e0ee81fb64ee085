/* Unit tests for the 64-byte block paths of the JSON string scan and unescaping:
 * random strings dense in backslashes, quotes, \u escapes and control bytes, of
 * lengths that cross one or more block edges, are decoded and compared with a
 * byte-at-a-time reference (value on success; column and message on error).  The
 * block paths find escapes from bit masks, so runs of backslashes that straddle a
 * block edge are the cases that matter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "event/ww_event.h"

#define PREFIX "{\"k\":\""

typedef struct want {
    int ok;         /* 1: decodes to val; 0: fails at col with msg; -1: fails somewhere */
    char val[4096]; /* the unescaped value (U+FFFD can outgrow its escape) */
    size_t n;
    uint32_t col; /* 1-based column of the error in the record */
    const char *msg;
} want_t;

static int hexv(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int hex4v(const char *p, const char *e)
{
    if (e - p < 4)
        return -1;
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexv(p[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* The reference: what decoding rec (the string starting at s) must give, one byte at
 * a time, following RFC 8259 and the tokenizer's messages. */
static void reference(const char *rec, size_t len, want_t *w)
{
    const char *s = rec + strlen(PREFIX), *e = rec + len, *q = s;
    w->n = 0;
    for (;;) {
        if (q >= e) {
            w->ok = -1;
            return;
        }
        unsigned char c = (unsigned char)*q;
        if (c == '"')
            break;
        if (c < 0x20) {
            w->ok = 0;
            w->col = (uint32_t)(q - rec) + 1;
            w->msg = "control character in string (must be escaped)";
            return;
        }
        if (c != '\\') {
            w->val[w->n++] = (char)c;
            q++;
            continue;
        }
        w->ok = 0;
        w->col = (uint32_t)(q - rec) + 1;
        if (q + 1 >= e) {
            w->ok = -1;
            return;
        }
        char x = q[1];
        const char *simple = strchr("\"\\/bfnrt", x);
        if (x && simple) {
            static const char out[] = "\"\\/\b\f\n\r\t";
            w->val[w->n++] = out[simple - "\"\\/bfnrt"];
            q += 2;
            continue;
        }
        /* Invalid escapes are kept as U+FFFD: a bad letter with the backslash (the
           backslash alone before a control or non-ASCII byte), a short \\u with its
           digits, an unpaired surrogate's six bytes. */
        uint32_t cp = 0xFFFD;
        if (x != 'u') {
            q += ((unsigned char)x >= 0x20 && (unsigned char)x < 0x80) ? 2 : 1;
        } else {
            int h = 0;
            while (h < 4 && q + 2 + h < e && hexv(q[2 + h]) >= 0)
                h++;
            int u = h == 4 ? hex4v(q + 2, e) : -1;
            if (u < 0) {
                q += 2 + h;
            } else if (u >= 0xDC00 && u <= 0xDFFF) {
                q += 6;
            } else if (u >= 0xD800 && u <= 0xDBFF) {
                int lo = (e - q >= 12 && q[6] == '\\' && q[7] == 'u') ? hex4v(q + 8, e) : -1;
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + (((uint32_t)u - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
                    q += 12;
                } else {
                    q += 6;
                }
            } else {
                cp = (uint32_t)u;
                q += 6;
            }
        }
        w->n += ww_utf8_put(w->val + w->n, cp);
    }
    if (q + 3 == e) {
        w->ok = 1; /* at the quote the test appended */
        return;
    }
    /* A raw quote in the body ends the string early: the object must go on with
       ',' or '}' after optional blanks (a newline would move the column: skip). */
    const char *z = q + 1;
    while (z < e && (*z == ' ' || *z == '\t' || *z == '\r'))
        z++;
    if (z >= e || *z == '\n' || *z == ',' || *z == '}') {
        w->ok = -1;
        return;
    }
    w->ok = 0;
    w->col = (uint32_t)(z - rec) + 1;
    w->msg = "expected ',' or '}'";
}

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

/* Appends one random piece: mostly plain bytes and escapes, sometimes a raw quote,
 * a control byte, a lone or doubled backslash, or a bad \u. */
static size_t piece(char *o, int hostile)
{
    static const char *const good[] = {"\\\\",     "\\\"",
                                       "\\n",      "\\r\\n\\t",
                                       "\\/",      "\\b",
                                       "\\f",      "\\u00e9",
                                       "\\u0041",  "\\ud83d\\ude00",
                                       "\\\\\\\\", "\\\\\\\\\\\\",
                                       "a",        "bc",
                                       "xyz",      "C:\\\\Windows\\\\System32",
                                       "\xc3\xa9", " "};
    static const char *const bad[] = {
        "\"",      "\t",       "\x01",           "\\q", "\\u12", "\\uzzzz",
        "\\udc00", "\\ud800x", "\\ud800\\u0041", "\\"};
    const char *p;
    if (hostile && next_rand() % 40 == 0)
        p = bad[next_rand() % (sizeof bad / sizeof bad[0])];
    else
        p = good[next_rand() % (sizeof good / sizeof good[0])];
    size_t n = strlen(p);
    memcpy(o, p, n);
    return n;
}

static void check(const char *body, size_t blen)
{
    size_t len = strlen(PREFIX) + blen + 3;
    /* An exact-size heap buffer, so ASan catches any read past the end. */
    char *rec = malloc(len);
    assert_non_null(rec);
    memcpy(rec, PREFIX, strlen(PREFIX));
    memcpy(rec + strlen(PREFIX), body, blen);
    memcpy(rec + len - 3, "\"}\n", 3);
    static want_t w;
    reference(rec, len, &w);

    ww_reader_t *r = NULL;
    ww_diag_t d;
    assert_int_equal(ww_reader_open_mem("t.json", rec, len, WW_FMT_JSON, &r, &d), 0);
    ww_event_t ev;
    ww_event_init(&ev);
    int rc = ww_reader_next(r, &ev, &d);
    if (w.ok == 1) {
        if (rc != 1)
            fail_msg("valid string of %zu bytes refused: %s (col %u)", blen, d.msg, d.col);
        const ww_field_t *f = ww_event_get(&ev, WW_STR("k"), NULL);
        assert_non_null(f);
        if (f->value.n != w.n || memcmp(f->value.p, w.val, w.n) != 0)
            fail_msg("string of %zu bytes: value differs (got %zu bytes, want %zu)", blen,
                     f->value.n, w.n);
    } else if (w.ok == 0) {
        if (rc >= 0)
            fail_msg("bad string of %zu bytes accepted (want \"%s\" at col %u)", blen, w.msg,
                     w.col);
        if (d.col != w.col || strcmp(d.msg, w.msg) != 0)
            fail_msg("string of %zu bytes: got \"%s\" at col %u, want \"%s\" at col %u", blen,
                     d.msg, d.col, w.msg, w.col);
    } else {
        assert_true(rc < 0);
    }
    ww_event_release(&ev);
    ww_reader_free(r);
    free(rec);
}

/* Valid strings only: every value must come out exactly as the reference says. */
static void test_random_valid(void **state)
{
    (void)state;
    char body[1024];
    for (int iter = 0; iter < 4000; iter++) {
        size_t target = 1 + next_rand() % 400, n = 0;
        while (n < target && n < sizeof body - 32)
            n += piece(body + n, 0);
        check(body, n);
    }
}

/* With the occasional bad piece: errors at the same column with the same message,
 * invalid escapes as U+FFFD exactly where the reference puts them. */
static void test_random_hostile(void **state)
{
    (void)state;
    char body[1024];
    for (int iter = 0; iter < 4000; iter++) {
        size_t target = 1 + next_rand() % 400, n = 0;
        while (n < target && n < sizeof body - 32)
            n += piece(body + n, 1);
        check(body, n);
    }
}

/* A run of k backslashes ending at every offset around the 64-byte block edges of
 * the scan and of the unescaping (which starts after the first escape), followed
 * by a quote: escaped or not by the run's parity. */
static void test_backslash_runs_at_block_edges(void **state)
{
    (void)state;
    char body[512];
    for (int lead = 0; lead < 3; lead++) {
        for (size_t k = 1; k <= 7; k++) {
            for (size_t end = 50; end <= 210; end++) {
                size_t n = 0;
                if (lead)
                    n += (size_t)snprintf(body, sizeof body, "%s", lead == 1 ? "\\n" : "\\\\");
                while (n + k < end)
                    body[n++] = 'a';
                for (size_t i = 0; i < k; i++)
                    body[n++] = '\\';
                body[n++] = '"';
                for (size_t i = 0; i < 70; i++)
                    body[n++] = (char)('a' + i % 26);
                check(body, n);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_valid),
        cmocka_unit_test(test_random_hostile),
        cmocka_unit_test(test_backslash_runs_at_block_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
