/* Unit tests for lib/ingest/ww_lumberjack.c: streams built the way Beats (go-lumber)
 * and the npm lumberjack-client write them -- window, JSON, key/value data and
 * compressed frames -- give the same events and windows for every split of the bytes;
 * hostile streams (huge lengths, zlib bombs and garbage, truncated and nested frames,
 * windows of 0 and over the limit, sequence numbers going backwards) fail with the
 * byte offset and never deliver more than was sent; the ack frame's bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <zlib.h>

#include "ingest/ww_lumberjack.h"

/* ---- building streams ---- */

static void put32(ww_buf_t *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    ww_buf_append(b, x, 4);
}

static void fr_w(ww_buf_t *b, uint32_t n)
{
    ww_buf_append(b, "2W", 2);
    put32(b, n);
}

static void fr_j(ww_buf_t *b, uint32_t seq, const char *json)
{
    ww_buf_append(b, "2J", 2);
    put32(b, seq);
    put32(b, (uint32_t)strlen(json));
    ww_buf_puts(b, json);
}

/* A data frame from NULL-terminated key, value, key, value... */
static void fr_d(ww_buf_t *b, uint32_t seq, const char *const *kv)
{
    uint32_t n = 0;
    while (kv[2 * n])
        n++;
    ww_buf_append(b, "2D", 2);
    put32(b, seq);
    put32(b, n);
    for (uint32_t i = 0; i < 2 * n; i++) {
        put32(b, (uint32_t)strlen(kv[i]));
        ww_buf_puts(b, kv[i]);
    }
}

/* A compressed frame around inner[0..n). */
static void fr_c(ww_buf_t *b, const void *inner, size_t n)
{
    uLongf cap = compressBound(n);
    Bytef *z = malloc(cap);
    assert_non_null(z);
    assert_int_equal(compress2(z, &cap, inner, n, 6), Z_OK);
    ww_buf_append(b, "2C", 2);
    put32(b, (uint32_t)cap);
    ww_buf_append(b, z, cap);
    free(z);
}

/* ---- receiving ---- */

typedef struct sink {
    ww_buf_t out;
    int fail_event; /* fail on the n-th event */
    int events;
} sink_t;

static int on_event(void *ud, uint32_t seq, const char *json, size_t n)
{
    sink_t *s = ud;
    s->events++;
    ww_buf_printf(&s->out, "E%u:%.*s\n", seq, (int)n, json);
    if (s->fail_event && s->events == s->fail_event)
        return WW_EIO;
    return 0;
}

static int on_window(void *ud, uint32_t last, uint32_t count)
{
    sink_t *s = ud;
    ww_buf_printf(&s->out, "W%u/%u\n", last, count);
    return 0;
}

/* Feeds in[0..n) as pieces [0,a) [a,n), finishes; returns the rendering (caller frees),
 * with "!<rc> <message>\n" appended on failure. */
static char *run(const ww_lj_limits_t *lim, const void *in, size_t n, size_t a, int *rc_out,
                 ww_lj_stats_t *st)
{
    ww_lj_t *p;
    assert_int_equal(ww_lj_new(lim, &p), 0);
    sink_t s = {0};
    ww_buf_init(&s.out, 0);
    ww_diag_t d;
    int rc = ww_lj_feed(p, in, a, on_event, on_window, &s, &d);
    if (rc == 0)
        rc = ww_lj_feed(p, (const char *)in + a, n - a, on_event, on_window, &s, &d);
    if (rc == 0)
        rc = ww_lj_finish(p, &d);
    if (rc)
        ww_buf_printf(&s.out, "!%d %s\n", rc, d.msg);
    if (rc_out)
        *rc_out = rc;
    if (st)
        *st = *ww_lj_stats(p);
    ww_lj_free(p);
    ww_buf_putc(&s.out, 0);
    return s.out.p;
}

/* Every two-piece split and byte-by-byte feeding give what one feed gives. */
static void same_for_every_split(const ww_lj_limits_t *lim, const ww_buf_t *in, const char *want)
{
    char *whole = run(lim, in->p, in->n, in->n, NULL, NULL);
    if (strcmp(whole, want) != 0)
        fail_msg("got:\n%s\nwanted:\n%s", whole, want);
    free(whole);
    for (size_t a = 0; a <= in->n; a++) {
        char *got = run(lim, in->p, in->n, a, NULL, NULL);
        if (strcmp(got, want) != 0)
            fail_msg("split at %zu gave:\n%s\nwanted:\n%s", a, got, want);
        free(got);
    }
    ww_lj_t *p;
    assert_int_equal(ww_lj_new(lim, &p), 0);
    sink_t s = {0};
    ww_buf_init(&s.out, 0);
    ww_diag_t d;
    int rc = 0;
    for (size_t i = 0; i < in->n && rc == 0; i++)
        rc = ww_lj_feed(p, in->p + i, 1, on_event, on_window, &s, &d);
    if (rc == 0)
        rc = ww_lj_finish(p, &d);
    if (rc)
        ww_buf_printf(&s.out, "!%d %s\n", rc, d.msg);
    ww_buf_putc(&s.out, 0);
    assert_string_equal(s.out.p, want);
    ww_buf_release(&s.out);
    ww_lj_free(p);
}

static void test_plain_frames(void **state)
{
    (void)state;
    ww_buf_t b;
    ww_buf_init(&b, 0);
    fr_w(&b, 3);
    fr_j(&b, 1, "{\"message\":\"one\"}");
    fr_j(&b, 2, "{\"message\":\"two\"}");
    static const char *const kv[] = {"line", "three", "host", "h1", NULL};
    fr_d(&b, 3, kv);
    fr_w(&b, 1);
    fr_j(&b, 1, "{}");
    same_for_every_split(NULL, &b,
                         "E1:{\"message\":\"one\"}\n"
                         "E2:{\"message\":\"two\"}\n"
                         "E3:{\"line\":\"three\",\"host\":\"h1\"}\n"
                         "W3/3\n"
                         "E1:{}\n"
                         "W1/1\n");
    ww_buf_release(&b);
}

static void test_compressed_frames(void **state)
{
    (void)state;
    /* The npm client: a window, then all its JSON frames in one compressed frame.
       go-lumber pipelines: the next window follows before the first is acked. */
    ww_buf_t inner, b;
    ww_buf_init(&inner, 0);
    ww_buf_init(&b, 0);
    for (int i = 1; i <= 4; i++) {
        char js[256];
        snprintf(js, sizeof js, "{\"n\":%d,\"pad\":\"%0*d\"}", i, 20 * i, 0);
        fr_j(&inner, (uint32_t)i, js);
    }
    fr_w(&b, 4);
    fr_c(&b, inner.p, inner.n);
    fr_w(&b, 3);
    fr_j(&b, 1, "{\"a\":1}");
    ww_buf_clear(&inner);
    fr_j(&inner, 2, "{\"a\":2}");
    static const char *const kv[] = {"k", "v", NULL};
    fr_d(&inner, 3, kv);
    fr_c(&b, inner.p, inner.n);
    char want[1024];
    snprintf(want, sizeof want,
             "E1:{\"n\":1,\"pad\":\"%020d\"}\nE2:{\"n\":2,\"pad\":\"%040d\"}\n"
             "E3:{\"n\":3,\"pad\":\"%060d\"}\nE4:{\"n\":4,\"pad\":\"%080d\"}\nW4/4\n"
             "E1:{\"a\":1}\nE2:{\"a\":2}\nE3:{\"k\":\"v\"}\nW3/3\n",
             0, 0, 0, 0);
    same_for_every_split(NULL, &b, want);
    ww_lj_stats_t st;
    int rc;
    free(run(NULL, b.p, b.n, 0, &rc, &st));
    assert_int_equal(rc, 0);
    assert_int_equal(st.compressed, 2);
    assert_int_equal(st.events, 7);
    assert_int_equal(st.windows, 2);
    assert_int_equal(st.bytes, b.n);
    ww_buf_release(&inner);
    ww_buf_release(&b);
}

static void test_data_frame_escaping(void **state)
{
    (void)state;
    /* Keys and values are bytes: quotes, control bytes and invalid UTF-8 are escaped
       so the event is always valid JSON; empty keys and values are kept. */
    ww_buf_t b;
    ww_buf_init(&b, 0);
    fr_w(&b, 1);
    static const char *const kv[] = {"a\"b", "x\ny\xff", "", "", NULL};
    fr_d(&b, 7, kv);
    same_for_every_split(NULL, &b, "E7:{\"a\\\"b\":\"x\\ny\\u00ff\",\"\":\"\"}\nW7/1\n");
    ww_buf_release(&b);
}

static void test_windows(void **state)
{
    (void)state;
    ww_buf_t b;
    ww_buf_init(&b, 0);
    /* A window of 0 is answered at once (ack 0, as Logstash does). */
    fr_w(&b, 0);
    /* A new window before the last filled: what came is a window of its own. */
    fr_w(&b, 5);
    fr_j(&b, 1, "{}");
    fr_j(&b, 2, "{}");
    fr_w(&b, 1);
    fr_j(&b, 9, "{}");
    /* Sequence numbers wrap around within a window. */
    fr_w(&b, 2);
    fr_j(&b, 0xFFFFFFFFu, "{}");
    fr_j(&b, 0, "{}");
    same_for_every_split(NULL, &b,
                         "W0/0\nE1:{}\nE2:{}\nW2/2\nE9:{}\nW9/1\nE4294967295:{}\nE0:{}\nW0/2\n");
    ww_lj_stats_t st;
    free(run(NULL, b.p, b.n, b.n, NULL, &st));
    assert_int_equal(st.partial, 1);
    assert_int_equal(st.windows, 4);
    ww_buf_release(&b);
}

/* Runs a hostile stream; expects failure rc with every needle in the message, and no
 * event past `events_before`. */
static void expect_fail(const ww_lj_limits_t *lim, const ww_buf_t *b, int want_rc,
                        int events_before, const char *needle1, const char *needle2)
{
    for (size_t a = 0; a <= b->n; a += (b->n < 200 ? 1 : b->n / 50 + 1)) {
        int rc;
        char *got = run(lim, b->p, b->n, a, &rc, NULL);
        if (rc != want_rc)
            fail_msg("split %zu: rc %d, wanted %d:\n%s", a, rc, want_rc, got);
        int ev = 0;
        for (const char *q = got; q && *q; q = strchr(q, '\n'), q = q ? q + 1 : NULL)
            ev += *q == 'E';
        if (ev > events_before)
            fail_msg("split %zu: %d events delivered, at most %d wanted:\n%s", a, ev, events_before,
                     got);
        if (!strstr(got, needle1) || (needle2 && !strstr(got, needle2)))
            fail_msg("split %zu: message lacks \"%s\"/\"%s\":\n%s", a, needle1,
                     needle2 ? needle2 : "", got);
        free(got);
    }
}

static void test_sequence_rules(void **state)
{
    (void)state;
    ww_buf_t b;
    ww_buf_init(&b, 0);
    fr_w(&b, 3);
    fr_j(&b, 5, "{}");
    fr_j(&b, 4, "{}");
    expect_fail(NULL, &b, WW_EPARSE, 1, "sequence number 4 does not follow 5", "frame at byte 18");
    ww_buf_clear(&b);
    fr_w(&b, 3);
    fr_j(&b, 5, "{}");
    fr_j(&b, 5, "{}");
    expect_fail(NULL, &b, WW_EPARSE, 1, "does not follow", NULL);
    /* Events with no window, or past the window announced. */
    ww_buf_clear(&b);
    fr_j(&b, 1, "{}");
    expect_fail(NULL, &b, WW_EPARSE, 0, "before any window frame", "frame at byte 0");
    ww_buf_clear(&b);
    fr_w(&b, 1);
    fr_j(&b, 1, "{}");
    fr_j(&b, 2, "{}");
    expect_fail(NULL, &b, WW_EPARSE, 1, "beyond the window", NULL);
    ww_buf_clear(&b);
    fr_w(&b, 0);
    fr_j(&b, 1, "{}");
    expect_fail(NULL, &b, WW_EPARSE, 0, "beyond the window", NULL);
    ww_buf_release(&b);
}

static void test_limits(void **state)
{
    (void)state;
    ww_lj_limits_t lim = {
        .max_window = 10, .max_payload = 64, .max_pairs = 2, .max_decompressed = 4096};
    ww_buf_t b;
    ww_buf_init(&b, 0);
    fr_w(&b, 11);
    expect_fail(&lim, &b, WW_ELIMIT, 0, "window of 11 events is over the limit of 10", NULL);
    ww_buf_clear(&b);
    fr_w(&b, 0xFFFFFFFFu);
    expect_fail(NULL, &b, WW_ELIMIT, 0, "over the limit", NULL);
    /* A JSON length of 4 GiB is refused at its header: nothing is buffered for it. */
    ww_buf_clear(&b);
    fr_w(&b, 2);
    fr_j(&b, 1, "{}");
    ww_buf_append(&b, "2J\0\0\0\2\xff\xff\xff\xff", 10);
    expect_fail(NULL, &b, WW_ELIMIT, 1, "of 4294967295 bytes over the limit", "frame at byte 18");
    ww_buf_clear(&b);
    fr_w(&b, 1);
    ww_buf_append(&b, "2J\0\0\0\1\0\0\0\0", 10);
    expect_fail(NULL, &b, WW_EPARSE, 0, "no payload", NULL);
    /* Data frames: too many pairs, no pairs, more bytes than the payload limit. */
    ww_buf_clear(&b);
    fr_w(&b, 1);
    static const char *const kv3[] = {"a", "1", "b", "2", "c", "3", NULL};
    fr_d(&b, 1, kv3);
    expect_fail(&lim, &b, WW_ELIMIT, 0, "3 pairs over the limit of 2", NULL);
    ww_buf_clear(&b);
    fr_w(&b, 1);
    ww_buf_append(&b, "2D\0\0\0\1\0\0\0\0", 10);
    expect_fail(&lim, &b, WW_EPARSE, 0, "no pairs", NULL);
    ww_buf_clear(&b);
    fr_w(&b, 1);
    ww_buf_append(&b, "2D\0\0\0\1\0\0\0\1\0\0\0\1k\x7f\xff\xff\xff", 19);
    expect_fail(&lim, &b, WW_ELIMIT, 0, "larger than the limit of 64 bytes", NULL);
    ww_buf_release(&b);
}

static void test_zlib_hostile(void **state)
{
    (void)state;
    ww_lj_limits_t lim = {.max_decompressed = 1 << 20, .max_payload = 16 << 20};
    ww_buf_t inner, b;
    ww_buf_init(&inner, 0);
    ww_buf_init(&b, 0);
    /* A bomb: 8 MiB of inflated JSON payload from a few KiB on the wire. */
    size_t big = (size_t)8 << 20;
    char *pad = malloc(big + 1);
    assert_non_null(pad);
    memset(pad, ' ', big);
    pad[0] = '{';
    pad[big - 1] = '}';
    pad[big] = 0;
    fr_w(&b, 1);
    fr_j(&inner, 1, pad);
    fr_c(&b, inner.p, inner.n);
    assert_true(b.n < 64 << 10);
    expect_fail(&lim, &b, WW_ELIMIT, 0, "inflates to more than the limit of 1048576", NULL);
    free(pad);
    /* Compressed length over the limit: refused at the header. */
    ww_buf_clear(&b);
    fr_w(&b, 1);
    ww_buf_append(&b, "2C\x7f\xff\xff\xff", 6);
    expect_fail(&lim, &b, WW_ELIMIT, 0, "over the limit", NULL);
    /* Garbage instead of zlib data. */
    ww_buf_clear(&b);
    fr_w(&b, 1);
    ww_buf_append(&b, "2C\0\0\0\x08garbage!", 14);
    expect_fail(NULL, &b, WW_EPARSE, 0, "corrupt zlib data", "frame at byte 6");
    /* Frame length shorter than the zlib data: cut off. */
    ww_buf_clear(&inner);
    fr_j(&inner, 1, "{\"a\":\"some text to compress\"}");
    ww_buf_t c;
    ww_buf_init(&c, 0);
    fr_c(&c, inner.p, inner.n);
    ww_buf_clear(&b);
    fr_w(&b, 1);
    uint32_t zl = (uint32_t)(c.n - 6);
    ww_buf_append(&b, "2C", 2);
    put32(&b, zl - 3);
    ww_buf_append(&b, c.p + 6, zl - 3);
    expect_fail(NULL, &b, WW_EPARSE, 1, "ends before its zlib data does", NULL);
    /* Its event came out, but the window is not reported (so not acked) before the
       compressed frame has checked out. */
    char *got = run(NULL, b.p, b.n, b.n, NULL, NULL);
    assert_non_null(strstr(got, "E1:"));
    assert_null(strstr(got, "W1/1"));
    free(got);
    /* Frame length longer than the zlib data: bytes after its end. */
    ww_buf_clear(&b);
    fr_w(&b, 1);
    ww_buf_append(&b, "2C", 2);
    put32(&b, zl + 2);
    ww_buf_append(&b, c.p + 6, zl);
    ww_buf_append(&b, "xx", 2);
    expect_fail(NULL, &b, WW_EPARSE, 1, "bytes after the end of its zlib data", NULL);
    /* Inflated data that ends inside a frame. */
    ww_buf_clear(&b);
    fr_w(&b, 1);
    fr_c(&b, inner.p, inner.n - 3);
    expect_fail(NULL, &b, WW_EPARSE, 0, "ends inside a frame", "(compressed), its inflated byte 0");
    /* More events in a compressed frame than its window holds: the window is not
       reported, the connection fails. */
    ww_buf_clear(&b);
    ww_buf_clear(&c);
    fr_j(&c, 1, "{}");
    fr_j(&c, 2, "{}");
    fr_w(&b, 1);
    fr_c(&b, c.p, c.n);
    expect_fail(NULL, &b, WW_EPARSE, 1, "beyond the window the client announced", NULL);
    got = run(NULL, b.p, b.n, b.n, NULL, NULL);
    assert_null(strstr(got, "W1/1"));
    free(got);
    /* A compressed frame inside a compressed frame. */
    ww_buf_clear(&b);
    fr_w(&b, 1);
    ww_buf_t nest;
    ww_buf_init(&nest, 0);
    fr_c(&nest, inner.p, inner.n);
    fr_c(&b, nest.p, nest.n);
    expect_fail(NULL, &b, WW_EPARSE, 0, "compressed frame inside a compressed frame", NULL);
    /* Errors inside give both offsets. */
    ww_buf_clear(&b);
    ww_buf_clear(&inner);
    fr_w(&b, 2);
    fr_j(&inner, 2, "{}");
    ww_buf_append(&inner, "2Z", 2);
    fr_j(&b, 1, "{}");
    fr_c(&b, inner.p, inner.n);
    expect_fail(NULL, &b, WW_EPARSE, 2, "frame at byte 18 (compressed), its inflated byte 12",
                "unknown frame type 0x5a");
    ww_buf_release(&nest);
    ww_buf_release(&c);
    ww_buf_release(&inner);
    ww_buf_release(&b);
}

static void test_garbage_and_truncation(void **state)
{
    (void)state;
    ww_buf_t b;
    ww_buf_init(&b, 0);
    ww_buf_puts(&b, "GET / HTTP/1.1\r\n\r\n");
    expect_fail(NULL, &b, WW_EPARSE, 0, "version byte 0x47", "frame at byte 0");
    ww_buf_clear(&b);
    ww_buf_append(&b, "2X", 2);
    expect_fail(NULL, &b, WW_EPARSE, 0, "unknown frame type 0x58", NULL);
    ww_buf_clear(&b);
    ww_buf_append(&b, "2A\0\0\0\1", 6);
    expect_fail(NULL, &b, WW_EPARSE, 0, "ack frame sent by the client", NULL);
    ww_buf_clear(&b);
    ww_buf_append(&b, "1W\0\0\0\1", 6);
    fr_j(&b, 1, "{}");
    ww_buf_t v1;
    ww_buf_init(&v1, 0);
    ww_buf_append(&v1, b.p, 6);
    ww_buf_append(&v1, "1", 1);
    ww_buf_append(&v1, b.p + 7, b.n - 7);
    expect_fail(NULL, &v1, WW_EPARSE, 0, "JSON frame in protocol version 1", NULL);
    /* Cut anywhere inside a frame: the end of the connection says so. */
    ww_buf_clear(&b);
    fr_w(&b, 1);
    fr_j(&b, 1, "{\"x\":1}");
    for (size_t cut = 1; cut < b.n; cut++) {
        if (cut == 6)
            continue; /* between frames */
        int rc;
        char *got = run(NULL, b.p, cut, cut / 2, &rc, NULL);
        assert_int_equal(rc, WW_ETRUNC);
        assert_non_null(strstr(got, "connection closed inside a frame"));
        assert_null(strstr(got, "E1"));
        free(got);
    }
    ww_buf_release(&v1);
    ww_buf_release(&b);
}

static void test_callback_error_and_sticky(void **state)
{
    (void)state;
    ww_buf_t b;
    ww_buf_init(&b, 0);
    fr_w(&b, 3);
    fr_j(&b, 1, "{}");
    fr_j(&b, 2, "{}");
    fr_j(&b, 3, "{}");
    ww_lj_t *p;
    assert_int_equal(ww_lj_new(NULL, &p), 0);
    sink_t s = {.fail_event = 2};
    ww_buf_init(&s.out, 0);
    ww_diag_t d;
    assert_int_equal(ww_lj_feed(p, b.p, b.n, on_event, on_window, &s, &d), WW_EIO);
    assert_int_equal(s.events, 2);
    assert_int_equal(ww_lj_feed(p, b.p, b.n, on_event, on_window, &s, &d), WW_EIO);
    assert_int_equal(s.events, 2);
    assert_int_equal(ww_lj_finish(p, &d), WW_EIO);
    ww_buf_release(&s.out);
    ww_lj_free(p);
    ww_lj_free(NULL);
    ww_lj_limits_t bad = {.max_decompressed = (size_t)1 << 33};
    assert_int_equal(ww_lj_new(&bad, &p), WW_EINVAL);
    ww_buf_release(&b);
}

static void test_ack(void **state)
{
    (void)state;
    ww_lj_t *p;
    assert_int_equal(ww_lj_new(NULL, &p), 0);
    uint8_t a[6];
    assert_int_equal(ww_lj_ack(p, 0x01020304, a), 6);
    assert_memory_equal(a, "2A\x01\x02\x03\x04", 6);
    /* A version 1 window is acked in version 1. */
    sink_t s = {0};
    ww_buf_init(&s.out, 0);
    static const char v1[] = "1W\0\0\0\1"
                             "1D\0\0\0\5\0\0\0\1\0\0\0\1k\0\0\0\1v";
    assert_int_equal(ww_lj_feed(p, v1, sizeof v1 - 1, on_event, on_window, &s, NULL), 0);
    ww_buf_putc(&s.out, 0);
    assert_string_equal(s.out.p, "E5:{\"k\":\"v\"}\nW5/1\n");
    ww_lj_ack(p, 5, a);
    assert_memory_equal(a, "1A\0\0\0\5", 6);
    ww_buf_release(&s.out);
    ww_lj_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_frames),
        cmocka_unit_test(test_compressed_frames),
        cmocka_unit_test(test_data_frame_escaping),
        cmocka_unit_test(test_windows),
        cmocka_unit_test(test_sequence_rules),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_zlib_hostile),
        cmocka_unit_test(test_garbage_and_truncation),
        cmocka_unit_test(test_callback_error_and_sticky),
        cmocka_unit_test(test_ack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
