/* Unit tests for lib/ingest/ww_httpbody.c: NDJSON (Fluent Bit json_lines, Vector,
 * NXLog) and JSON array (Fluent Bit json) bodies split into events with their line or
 * element numbers; malformed lines and elements reported where they are while the
 * well-formed ones are delivered; gzip (also multi-member), deflate (zlib and raw) and
 * zstd bodies; decompression bombs, corrupt and truncated compressed bodies; the body,
 * event and count limits; content types and encodings accepted or refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <zlib.h>
#include <zstd.h>

#include "ingest/ww_httpbody.h"

typedef struct sink {
    ww_buf_t out;
    int fail_at;
    int calls;
} sink_t;

static int on_event(void *ud, const char *json, size_t n, uint32_t index)
{
    sink_t *s = ud;
    ww_buf_printf(&s->out, "%u:%.*s\n", index, (int)n, json);
    return ++s->calls == s->fail_at ? WW_EIO : 0;
}

static int on_error(void *ud, uint32_t index, const ww_diag_t *d)
{
    sink_t *s = ud;
    ww_buf_printf(&s->out, "!%u@%u:%u %s\n", index, d->line, d->col, d->msg);
    return 0;
}

/* Splits body; returns the rendering (caller frees), rc and the result. */
static char *split(const char *ct, const char *ce, const void *body, size_t n,
                   const ww_httpbody_limits_t *lim, int *rc, ww_httpbody_result_t *res)
{
    sink_t s = {0};
    ww_buf_init(&s.out, 0);
    ww_httpbody_result_t r;
    ww_diag_t d;
    memset(&d, 0, sizeof d);
    *rc = ww_httpbody_split(ct, ce, body, n, lim, on_event, on_error, &s, &r, &d);
    if (*rc && *rc != WW_EPARSE)
        ww_buf_printf(&s.out, "rc %d: %s\n", *rc, d.msg);
    if (*rc == WW_EPARSE) /* diag is the first error */
        assert_string_equal(d.msg, r.first_error.msg);
    if (res)
        *res = r;
    ww_buf_putc(&s.out, 0);
    return s.out.p;
}

#define SPLIT(ct, ce, lit, lim, rc, res) split(ct, ce, lit, sizeof(lit) - 1, lim, rc, res)

static void test_ndjson(void **state)
{
    (void)state;
    int rc;
    ww_httpbody_result_t r;
    char *got = SPLIT("application/x-ndjson", NULL,
                      "{\"a\":1}\n"
                      "\n"
                      "  {\"b\":\"two\"}  \r\n"
                      "{\"c\":3,}\n"
                      "[1,2]\n"
                      "\"text\"\n"
                      "{\"d\":4} {\"e\":5}\n"
                      "{\"last\":true}",
                      NULL, &rc, &r);
    assert_string_equal(got, "1:{\"a\":1}\n"
                             "3:{\"b\":\"two\"}\n"
                             "!4@4:8 line 4: malformed JSON: expected a member name in double "
                             "quotes\n"
                             "!5@5:1 line 5: event is not a JSON object\n"
                             "!6@6:1 line 6: event is not a JSON object\n"
                             "!7@7:9 line 7: text after the end of the event's JSON\n"
                             "8:{\"last\":true}\n");
    assert_int_equal(rc, WW_EPARSE);
    assert_int_equal(r.kind, WW_HTTPBODY_NDJSON);
    assert_int_equal(r.events, 3);
    assert_int_equal(r.errors, 4);
    assert_int_equal(r.first_error_index, 4);
    assert_int_equal(r.first_error.line, 4);
    free(got);
    /* All good: 0.  Fluent Bit's json_lines ends every line with LF. */
    got = SPLIT("application/json", NULL, "{\"a\":1}\n{\"a\":2}\n", NULL, &rc, &r);
    assert_int_equal(rc, 0);
    assert_string_equal(got, "1:{\"a\":1}\n2:{\"a\":2}\n");
    free(got);
}

static void test_array(void **state)
{
    (void)state;
    int rc;
    ww_httpbody_result_t r;
    char *got = SPLIT("application/json", NULL,
                      "[{\"a\":1},\n"
                      " {\"b\":2,},\n"
                      " 5,\n"
                      " {\"c\":\"x,]}\\\"[\"},\n"
                      " ,{\"d\":[1,{\"e\":2}]}\n"
                      "]\n",
                      NULL, &rc, &r);
    assert_string_equal(got, "1:{\"a\":1}\n"
                             "!2@2:9 element 2 (line 2): malformed JSON: expected a member name "
                             "in double quotes\n"
                             "!3@3:2 element 3 (line 3): event is not a JSON object\n"
                             "4:{\"c\":\"x,]}\\\"[\"}\n"
                             "!5@5:2 element 5 (line 5): empty array element\n"
                             "6:{\"d\":[1,{\"e\":2}]}\n");
    assert_int_equal(rc, WW_EPARSE);
    assert_int_equal(r.kind, WW_HTTPBODY_ARRAY);
    assert_int_equal(r.events, 3);
    assert_int_equal(r.errors, 3);
    free(got);
    /* Backslash runs before quotes: even ends the string, odd escapes the quote. */
    got = SPLIT(NULL, NULL, "[{\"a\":\"x\\\\\"},{\"b\":\"\\\\\\\"]\"}]", NULL, &rc, &r);
    assert_int_equal(rc, 0);
    assert_string_equal(got, "1:{\"a\":\"x\\\\\"}\n2:{\"b\":\"\\\\\\\"]\"}\n");
    free(got);
    /* Not closed: what came before is kept. */
    got = SPLIT(NULL, NULL, "[{\"a\":1},{\"b\":\"unterminated}]", NULL, &rc, &r);
    assert_int_equal(rc, WW_EPARSE);
    assert_string_equal(got, "1:{\"a\":1}\n!2@1:10 element 2 (line 1): the array is not closed: "
                             "this element runs to the end of the body\n");
    free(got);
    /* Stray closers inside an element stay in that element. */
    got = SPLIT(NULL, NULL, "[{\"a\":1}}, {\"b\":2}]", NULL, &rc, &r);
    assert_string_equal(got, "!1@1:9 element 1 (line 1): text after the end of the event's JSON\n"
                             "2:{\"b\":2}\n");
    free(got);
    got = SPLIT(NULL, NULL, "[{\"a\":1}] {\"b\":2}", NULL, &rc, &r);
    assert_int_equal(rc, WW_EPARSE);
    assert_string_equal(got, "1:{\"a\":1}\n!2@1:11 element 2 (line 1): text after the end of the "
                             "array\n");
    free(got);
    got = SPLIT(NULL, NULL, " [ ] ", NULL, &rc, &r);
    assert_int_equal(rc, 0);
    assert_int_equal(r.kind, WW_HTTPBODY_ARRAY);
    assert_int_equal(r.events, 0);
    assert_string_equal(got, "");
    free(got);
    got = SPLIT(NULL, NULL, "[{}", NULL, &rc, &r);
    assert_int_equal(rc, WW_EPARSE);
    free(got);
}

static void test_single_object_and_empty(void **state)
{
    (void)state;
    int rc;
    ww_httpbody_result_t r;
    /* A pretty-printed object (NXLog to_json() with indentation, curl -d @file). */
    char *got = SPLIT("application/json", NULL, "\xEF\xBB\xBF{\n  \"a\": 1,\n  \"b\": [2]\n}\n",
                      NULL, &rc, &r);
    assert_int_equal(rc, 0);
    assert_int_equal(r.kind, WW_HTTPBODY_OBJECT);
    assert_string_equal(got, "1:{\n  \"a\": 1,\n  \"b\": [2]\n}\n");
    free(got);
    got = SPLIT("application/json", NULL, " \r\n\t", NULL, &rc, &r);
    assert_int_equal(rc, 0);
    assert_int_equal(r.events, 0);
    assert_int_equal(r.kind, 0);
    free(got);
    got = split("application/json", NULL, "", 0, NULL, &rc, &r);
    assert_int_equal(rc, 0);
    free(got);
}

static void test_content_types(void **state)
{
    (void)state;
    static const char *const ok[] = {
        NULL,
        "",
        "application/json",
        "application/json; charset=utf-8",
        "Application/X-NDJSON",
        "application/ndjson",
        "text/plain",
        "application/x-json-stream",
        "application/vnd.example+json",
        " application/jsonlines ;q=1",
    };
    int rc;
    for (size_t i = 0; i < WW_ARRAY_LEN(ok); i++) {
        char *got = SPLIT(ok[i], NULL, "{\"a\":1}\n", NULL, &rc, NULL);
        if (rc != 0)
            fail_msg("content type \"%s\" refused: %s", ok[i] ? ok[i] : "(none)", got);
        free(got);
    }
    static const char *const bad[] = {"application/x-www-form-urlencoded", "application/msgpack",
                                      "text/html", "multipart/form-data; boundary=x"};
    for (size_t i = 0; i < WW_ARRAY_LEN(bad); i++) {
        char *got = SPLIT(bad[i], NULL, "{\"a\":1}\n", NULL, &rc, NULL);
        assert_int_equal(rc, WW_EUNSUP);
        assert_non_null(strstr(got, "is not accepted"));
        assert_null(strstr(got, "1:{"));
        free(got);
    }
    char *got = SPLIT("application/json", "br", "{\"a\":1}\n", NULL, &rc, NULL);
    assert_int_equal(rc, WW_EUNSUP);
    assert_non_null(strstr(got, "content encoding \"br\""));
    free(got);
    got = SPLIT("application/json", "identity", "{\"a\":1}\n", NULL, &rc, NULL);
    assert_int_equal(rc, 0);
    free(got);
}

/* zlib-compresses in[0..n) as gzip (wbits 31), zlib (15) or raw deflate (-15). */
static ww_buf_t zip(const char *in, size_t n, int wbits)
{
    ww_buf_t out;
    ww_buf_init(&out, 0);
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    int zr;
    do {
        char chunk[65536];
        z.next_out = (Bytef *)chunk;
        z.avail_out = sizeof chunk;
        zr = deflate(&z, Z_FINISH);
        ww_buf_append(&out, chunk, sizeof chunk - z.avail_out);
    } while (zr == Z_OK);
    assert_int_equal(zr, Z_STREAM_END);
    deflateEnd(&z);
    return out;
}

static void test_encodings(void **state)
{
    (void)state;
    const char *body = "{\"a\":1}\n{\"b\":2}\n";
    const char *want = "1:{\"a\":1}\n2:{\"b\":2}\n";
    int rc;
    ww_httpbody_result_t r;
    static const struct {
        const char *ce;
        int wbits;
    } z[] = {{"gzip", 31}, {"x-gzip", 31}, {"deflate", 15}, {"deflate", -15}};
    for (size_t i = 0; i < WW_ARRAY_LEN(z); i++) {
        ww_buf_t c = zip(body, strlen(body), z[i].wbits);
        char *got = split("application/x-ndjson", z[i].ce, c.p, c.n, NULL, &rc, &r);
        if (rc != 0 || strcmp(got, want) != 0)
            fail_msg("%s/%d: rc %d:\n%s", z[i].ce, z[i].wbits, rc, got);
        assert_int_equal(r.decoded, strlen(body));
        free(got);
        ww_buf_release(&c);
    }
    /* Two gzip members, one after the other (concatenated .gz files). */
    ww_buf_t a = zip("{\"a\":1}\n", 8, 31), b = zip("{\"b\":2}\n", 8, 31);
    ww_buf_append(&a, b.p, b.n);
    char *got = split(NULL, "gzip", a.p, a.n, NULL, &rc, NULL);
    assert_int_equal(rc, 0);
    assert_string_equal(got, want);
    free(got);
    /* Truncated, corrupt, trailing garbage: refused whole, nothing delivered. */
    got = split(NULL, "gzip", a.p, a.n - 5, NULL, &rc, NULL);
    assert_int_equal(rc, WW_EINVAL);
    assert_non_null(strstr(got, "truncated"));
    assert_null(strstr(got, "1:{"));
    free(got);
    a.p[12] ^= 0x55;
    a.p[13] ^= 0x55;
    got = split(NULL, "gzip", a.p, a.n, NULL, &rc, NULL);
    assert_int_equal(rc, WW_EINVAL);
    assert_null(strstr(got, "2:{"));
    free(got);
    got = split(NULL, "gzip", "plain text", 10, NULL, &rc, NULL);
    assert_int_equal(rc, WW_EINVAL);
    assert_non_null(strstr(got, "corrupt gzip body"));
    free(got);
    ww_buf_release(&a);
    ww_buf_release(&b);
    b = zip(body, strlen(body), 15);
    ww_buf_append(&b, "junk", 4);
    got = split(NULL, "deflate", b.p, b.n, NULL, &rc, NULL);
    assert_int_equal(rc, WW_EINVAL);
    assert_non_null(strstr(got, "data after the end"));
    free(got);
    ww_buf_release(&b);
    /* zstd (Vector can send it). */
    char zs[256];
    size_t zn = ZSTD_compress(zs, sizeof zs, body, strlen(body), 3);
    assert_false(ZSTD_isError(zn));
    got = split(NULL, "zstd", zs, zn, NULL, &rc, NULL);
    assert_int_equal(rc, 0);
    assert_string_equal(got, want);
    free(got);
    got = split(NULL, "zstd", zs, zn - 2, NULL, &rc, NULL);
    assert_int_equal(rc, WW_EINVAL);
    assert_null(strstr(got, "1:{"));
    free(got);
    got = split(NULL, "zstd", "garbage!", 8, NULL, &rc, NULL);
    assert_int_equal(rc, WW_EINVAL);
    free(got);
}

static void test_bombs_and_limits(void **state)
{
    (void)state;
    int rc;
    ww_httpbody_result_t r;
    /* 64 MiB of events from ~100 KiB of gzip, against a 1 MiB decoded limit. */
    size_t big = (size_t)64 << 20;
    char *plain = malloc(big);
    assert_non_null(plain);
    for (size_t i = 0; i < big; i += 8)
        memcpy(plain + i, "{\"a\":1}\n", 8);
    ww_buf_t c = zip(plain, big, 31);
    free(plain);
    assert_true(c.n < big / 100);
    ww_httpbody_limits_t lim = {.max_decoded = 1 << 20};
    char *got = split(NULL, "gzip", c.p, c.n, &lim, &rc, &r);
    assert_int_equal(rc, WW_ELIMIT);
    assert_non_null(strstr(got, "decompresses to more than the limit of 1048576"));
    assert_int_equal(r.events, 0);
    assert_null(strstr(got, "1:{"));
    free(got);
    ww_buf_release(&c);
    char zs[4096];
    char *zeros = calloc(1, 8 << 20);
    assert_non_null(zeros);
    size_t zn = ZSTD_compress(zs, sizeof zs, zeros, 8 << 20, 19);
    free(zeros);
    assert_false(ZSTD_isError(zn));
    got = split(NULL, "zstd", zs, zn, &lim, &rc, NULL);
    assert_int_equal(rc, WW_ELIMIT);
    free(got);
    /* The body as received. */
    lim = (ww_httpbody_limits_t){.max_body = 10};
    got = SPLIT(NULL, NULL, "{\"a\":1}\n{\"b\":2}\n", &lim, &rc, NULL);
    assert_int_equal(rc, WW_ELIMIT);
    assert_non_null(strstr(got, "body of 16 bytes is over the limit of 10"));
    assert_null(strstr(got, "1:{"));
    free(got);
    /* One event over its limit: reported, the others kept. */
    lim = (ww_httpbody_limits_t){.max_event = 10};
    got = SPLIT(NULL, NULL, "{\"a\":1}\n{\"bbbbbb\":2}\n{\"c\":3}\n", &lim, &rc, NULL);
    assert_int_equal(rc, WW_EPARSE);
    assert_string_equal(got, "1:{\"a\":1}\n!2@2:1 line 2: event of 12 bytes is over the limit of "
                             "10\n3:{\"c\":3}\n");
    free(got);
    got = SPLIT(NULL, NULL, "[{\"a\":1},{\"bbbbbb\":2}]", &lim, &rc, NULL);
    assert_int_equal(rc, WW_EPARSE);
    assert_non_null(strstr(got, "element 2 (line 1): event of 12 bytes"));
    free(got);
    /* Too many events: refused before any is delivered; blank lines do not count. */
    lim = (ww_httpbody_limits_t){.max_events = 2};
    got = SPLIT(NULL, NULL, "{}\n{}\n{}\n", &lim, &rc, &r);
    assert_int_equal(rc, WW_ELIMIT);
    assert_non_null(strstr(got, "3 events is over the limit of 2"));
    assert_int_equal(r.events, 0);
    free(got);
    got = SPLIT(NULL, NULL, "{}\n\n\n\n{}\n", &lim, &rc, NULL);
    assert_int_equal(rc, 0);
    free(got);
    got = SPLIT(NULL, NULL, "[{},{},{}]", &lim, &rc, &r);
    assert_int_equal(rc, WW_ELIMIT);
    assert_int_equal(r.events, 0);
    free(got);
    /* Nesting past the tokenizer's depth limit is one malformed event. */
    ww_buf_t deep;
    ww_buf_init(&deep, 0);
    ww_buf_puts(&deep, "{\"ok\":1}\n{\"a\":");
    for (int i = 0; i < 100; i++)
        ww_buf_putc(&deep, '[');
    for (int i = 0; i < 100; i++)
        ww_buf_putc(&deep, ']');
    ww_buf_puts(&deep, "}\n");
    got = split(NULL, NULL, deep.p, deep.n, NULL, &rc, &r);
    assert_int_equal(rc, WW_EPARSE);
    assert_int_equal(r.events, 1);
    assert_non_null(strstr(got, "deeper than the limit"));
    free(got);
    ww_buf_release(&deep);
}

static void test_callback_stops(void **state)
{
    (void)state;
    sink_t s = {.fail_at = 2};
    ww_buf_init(&s.out, 0);
    ww_httpbody_result_t r;
    ww_diag_t d;
    const char *body = "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n";
    assert_int_equal(
        ww_httpbody_split(NULL, NULL, body, strlen(body), NULL, on_event, NULL, &s, &r, &d),
        WW_EIO);
    assert_int_equal(s.calls, 2);
    assert_non_null(strstr(d.msg, "stopped"));
    ww_buf_release(&s.out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ndjson),
        cmocka_unit_test(test_array),
        cmocka_unit_test(test_single_object_and_empty),
        cmocka_unit_test(test_content_types),
        cmocka_unit_test(test_encodings),
        cmocka_unit_test(test_bombs_and_limits),
        cmocka_unit_test(test_callback_stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
