/* Unit tests for lib/ingest/ww_sysframe.c: RFC 6587 octet counting and LF/NUL/CRLF
 * framing detected per frame, the same messages for every split of a stream (two
 * pieces at every point, and byte by byte), oversized frames cut off and counted with
 * the stream resynchronised, hostile counts (huge, too many digits, negative,
 * garbage), strict octet mode, pausing for back-pressure, the end of a connection
 * and UDP datagrams. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "ingest/ww_sysframe.h"

/* Messages rendered one per line: flags letters, '|', the message with LF/NUL/CR
 * shown as \n, \0, \r. */
typedef struct sink {
    ww_buf_t out;
    int pause_every; /* pause after every n-th message (0 = never) */
    int fail_at;     /* fail on the n-th message (0 = never) */
    int count;
    uint64_t last_offset;
} sink_t;

static int on_frame(void *ud, const char *msg, size_t n, const ww_sysframe_info_t *info)
{
    sink_t *s = ud;
    s->count++;
    s->last_offset = info->offset;
    char fl[8], *f = fl;
    if (info->flags & WW_SYSFRAME_F_OCTET)
        *f++ = 'O';
    if (info->flags & WW_SYSFRAME_F_TRUNCATED)
        *f++ = 'T';
    if (info->flags & WW_SYSFRAME_F_NO_TRAILER)
        *f++ = 'E';
    *f = 0;
    /* A cut message always says why. */
    if ((info->flags & WW_SYSFRAME_F_TRUNCATED) && !info->note)
        ww_buf_puts(&s->out, "(no note)");
    ww_buf_printf(&s->out, "%s|", fl);
    for (size_t i = 0; i < n; i++) {
        if (msg[i] == '\n')
            ww_buf_puts(&s->out, "\\n");
        else if (msg[i] == '\0')
            ww_buf_puts(&s->out, "\\0");
        else if (msg[i] == '\r')
            ww_buf_puts(&s->out, "\\r");
        else
            ww_buf_putc(&s->out, msg[i]);
    }
    ww_buf_putc(&s->out, '\n');
    if (s->fail_at && s->count == s->fail_at)
        return WW_EIO;
    if (s->pause_every && s->count % s->pause_every == 0)
        return WW_SYSFRAME_PAUSE;
    return 0;
}

/* Feeds the pieces [0,a) [a,b) [b,n), re-feeding what a pause left, then finishes.
 * Returns the rendered messages (caller frees) and the stats. */
static char *run(int mode, size_t max, const char *in, size_t n, size_t a, size_t b,
                 int pause_every, ww_sysframe_stats_t *st)
{
    ww_sysframe_t *f;
    assert_int_equal(ww_sysframe_new(mode, max, &f), 0);
    sink_t s = {.pause_every = pause_every};
    ww_buf_init(&s.out, 0);
    size_t cuts[4] = {0, a, b, n};
    ww_diag_t d;
    for (int i = 0; i < 3; i++) {
        size_t at = cuts[i];
        while (at < cuts[i + 1]) {
            int64_t k = ww_sysframe_feed(f, in + at, cuts[i + 1] - at, on_frame, &s, &d);
            assert_true(k >= 0);
            assert_true((size_t)k <= cuts[i + 1] - at);
            if (k == 0 && cuts[i + 1] > at)
                assert_true(pause_every); /* only a pause may take nothing */
            at += (size_t)k;
        }
    }
    assert_int_equal(ww_sysframe_finish(f, on_frame, &s, &d), 0);
    if (st)
        *st = *ww_sysframe_stats(f);
    ww_sysframe_free(f);
    ww_buf_putc(&s.out, 0);
    return s.out.p;
}

/* Every split into three pieces (for short inputs) or two, byte by byte, and with a
 * pause after every message must give what one feed gives. */
static void same_for_every_split(int mode, size_t max, const char *in, size_t n, const char *want)
{
    ww_sysframe_stats_t st0, st;
    char *whole = run(mode, max, in, n, n, n, 0, &st0);
    assert_string_equal(whole, want);
    for (size_t a = 0; a <= n; a++) {
        for (size_t b = a; b <= n; b += (n < 64 ? 1 : n)) {
            char *got = run(mode, max, in, n, a, b < n ? b : n, 0, &st);
            if (strcmp(got, want) != 0)
                fail_msg("split at %zu,%zu gave:\n%s\nwanted:\n%s", a, b, got, want);
            assert_int_equal(st.frames, st0.frames);
            assert_int_equal(st.truncated, st0.truncated);
            assert_int_equal(st.skipped, st0.skipped);
            free(got);
        }
    }
    char *paused = run(mode, max, in, n, n, n, 1, NULL);
    assert_string_equal(paused, want);
    free(paused);
    /* byte by byte */
    ww_sysframe_t *f;
    assert_int_equal(ww_sysframe_new(mode, max, &f), 0);
    sink_t s = {0};
    ww_buf_init(&s.out, 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(ww_sysframe_feed(f, in + i, 1, on_frame, &s, NULL), 1);
    assert_int_equal(ww_sysframe_finish(f, on_frame, &s, NULL), 0);
    ww_buf_putc(&s.out, 0);
    assert_string_equal(s.out.p, want);
    ww_buf_release(&s.out);
    ww_sysframe_free(f);
    free(whole);
}

#define SAME(mode, max, lit, want) same_for_every_split(mode, max, lit, sizeof(lit) - 1, want)

/* A LF or NUL trailer at every position within and across the 16-byte steps of the
 * trailer scan, the other one later in the stream: the first one ends the message. */
static void test_trailer_positions(void **state)
{
    (void)state;
    for (size_t len = 0; len <= 40; len++) {
        for (int t = 0; t < 2; t++) {
            char in[128], want[256];
            size_t n = 0;
            memset(in, 'x', len);
            n = len;
            in[n++] = t ? '\0' : '\n';
            memcpy(in + n, "yy", 2);
            n += 2;
            in[n++] = t ? '\n' : '\0';
            int w = 0;
            if (len)
                w = snprintf(want, sizeof want, "|%.*s\n", (int)len, in);
            snprintf(want + w, sizeof want - (size_t)w, "|yy\n");
            same_for_every_split(WW_SYSFRAME_AUTO, 1024, in, n, want);
        }
    }
}

static void test_mixed_framings(void **state)
{
    (void)state;
    /* rsyslog omfwd (LF), RFC 5425-style octet counts, CRLF and NUL senders, an octet
       frame followed by a stray LF, empty lines, a message starting with digits that are
       no count, and a final message with no trailer. */
    static const char in[] = "<13>Dec  3 10:00:00 h a: one\n"
                             "38 <14>1 2026-12-03T10:00:00Z h a - - two"
                             "<15>three\r\n"
                             "<16>four\0"
                             "6 five\r\n\n"
                             "\n\r\n\0"
                             "2026-12-03 six\n"
                             "7 a b c\nd"
                             "<17>last";
    SAME(WW_SYSFRAME_AUTO, 0, in,
         "|<13>Dec  3 10:00:00 h a: one\n"
         "O|<14>1 2026-12-03T10:00:00Z h a - - two\n"
         "|<15>three\n"
         "|<16>four\n"
         "O|five\n"
         "|2026-12-03 six\n"
         "O|a b c\\nd\n"
         "E|<17>last\n");
}

static void test_lf_only_mode_ignores_counts(void **state)
{
    (void)state;
    SAME(WW_SYSFRAME_LF, 0, "12 <13>not a count\n5 abc\n", "|12 <13>not a count\n|5 abc\n");
}

static void test_octet_only_mode(void **state)
{
    (void)state;
    SAME(WW_SYSFRAME_OCTET, 0, "3 abc\n4 defg 2 hi", "O|abc\nO|defg\nO|hi\n");
    ww_sysframe_t *f;
    assert_int_equal(ww_sysframe_new(WW_SYSFRAME_OCTET, 0, &f), 0);
    sink_t s = {0};
    ww_buf_init(&s.out, 0);
    ww_diag_t d;
    const char *bad = "3 abc<13>no count\n";
    assert_int_equal(ww_sysframe_feed(f, bad, strlen(bad), on_frame, &s, &d), WW_EPARSE);
    assert_int_equal(s.count, 1);
    assert_non_null(strstr(d.msg, "byte 5"));
    assert_non_null(strstr(d.msg, "octet count"));
    /* The failure sticks. */
    memset(&d, 0, sizeof d);
    assert_int_equal(ww_sysframe_feed(f, "1 a", 3, on_frame, &s, &d), WW_EPARSE);
    assert_non_null(strstr(d.msg, "byte 5"));
    assert_int_equal(s.count, 1);
    ww_sysframe_free(f);
    /* Digits without the space, and a count of 11 digits, close the connection too. */
    assert_int_equal(ww_sysframe_new(WW_SYSFRAME_OCTET, 0, &f), 0);
    assert_int_equal(ww_sysframe_feed(f, "12abc", 5, on_frame, &s, &d), WW_EPARSE);
    assert_non_null(strstr(d.msg, "not followed by a space"));
    ww_sysframe_free(f);
    assert_int_equal(ww_sysframe_new(WW_SYSFRAME_OCTET, 0, &f), 0);
    assert_int_equal(ww_sysframe_feed(f, "12345678901 x", 13, on_frame, &s, &d), WW_EPARSE);
    assert_non_null(strstr(d.msg, "10 digits"));
    ww_sysframe_free(f);
    ww_buf_release(&s.out);
}

static void test_oversized_lf(void **state)
{
    (void)state;
    /* Limit 16: the long message is cut to 16 bytes, the rest skipped up to its LF;
       the next message is whole.  Exactly 16 bytes is not cut. */
    SAME(WW_SYSFRAME_AUTO, 16, "<13>0123456789abcdefghijklmnop\n<13>next\n<13>456789abcdef\n<1>x",
         "T|<13>0123456789ab\n|<13>next\n|<13>456789abcdef\nE|<1>x\n");
    ww_sysframe_stats_t st;
    char *got =
        run(WW_SYSFRAME_AUTO, 16, "<13>0123456789abcdefghijklmnop\n<1>a\n", 37, 37, 37, 0, &st);
    assert_int_equal(st.truncated, 1);
    assert_int_equal(st.skipped, 14);
    assert_int_equal(st.frames, 2);
    free(got);
    /* A message with no LF at all never makes the parser hold more than the limit. */
    ww_sysframe_t *f;
    assert_int_equal(ww_sysframe_new(WW_SYSFRAME_AUTO, 16, &f), 0);
    sink_t s = {0};
    ww_buf_init(&s.out, 0);
    char blob[1000];
    memset(blob, 'x', sizeof blob);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(ww_sysframe_feed(f, blob, sizeof blob, on_frame, &s, NULL), 1000);
    assert_int_equal(s.count, 1);
    assert_int_equal(ww_sysframe_stats(f)->skipped, 1000 * 1000 - 16);
    assert_int_equal(ww_sysframe_feed(f, "\n<1>ok\n", 7, on_frame, &s, NULL), 7);
    ww_buf_putc(&s.out, 0);
    assert_string_equal(s.out.p, "T|xxxxxxxxxxxxxxxx\n|<1>ok\n");
    ww_buf_release(&s.out);
    ww_sysframe_free(f);
}

static void test_oversized_octet(void **state)
{
    (void)state;
    /* The count is trusted for the resync: exactly its bytes are skipped, so a LF
       inside the oversized message does not start a new frame. */
    SAME(WW_SYSFRAME_AUTO, 16, "30 0123456789abcdef\nhijklmnopqrst4 next",
         "OT|0123456789abcdef\nO|next\n");
    ww_sysframe_stats_t st;
    char *got = run(WW_SYSFRAME_AUTO, 16, "30 0123456789abcdef\nhijklmnopqrst", 33, 33, 33, 0, &st);
    assert_int_equal(st.skipped, 14);
    free(got);
}

static void test_hostile_counts(void **state)
{
    (void)state;
    /* 11 digits: no count, a LF message.  Negative and garbage "counts" likewise. */
    SAME(WW_SYSFRAME_AUTO, 0, "12345678901 x\n-5 hello\n12abc\n0 zero\n",
         "|12345678901 x\n|-5 hello\n|12abc\n|0 zero\n");
    /* A huge count swallows what follows (the sender said so) but keeps only the
       limit; the connection's end delivers what came, flagged. */
    SAME(WW_SYSFRAME_AUTO, 16, "9999999999 <13>abc\n<13>def\n", "OT|<13>abc\\n<13>def\n");
    /* Digits and then the end: a number as a message. */
    SAME(WW_SYSFRAME_AUTO, 0, "42", "E|42\n");
    ww_sysframe_stats_t st;
    char *got = run(WW_SYSFRAME_AUTO, 0, "9999999999 abc", 14, 14, 14, 0, &st);
    assert_int_equal(st.truncated, 1);
    free(got);
    /* Ended right after the count: nothing to deliver, still counted. */
    got = run(WW_SYSFRAME_AUTO, 0, "5 ", 2, 2, 2, 0, &st);
    assert_string_equal(got, "");
    assert_int_equal(st.truncated, 1);
    free(got);
}

static void test_offsets_first_and_stats(void **state)
{
    (void)state;
    ww_sysframe_t *f;
    assert_int_equal(ww_sysframe_new(WW_SYSFRAME_AUTO, 0, &f), 0);
    assert_int_equal(ww_sysframe_first(f), WW_SYSFRAME_AUTO);
    sink_t s = {0};
    ww_buf_init(&s.out, 0);
    const char *in = "\n3 abc<1>x\n";
    assert_int_equal(ww_sysframe_feed(f, in, strlen(in), on_frame, &s, NULL), (int64_t)strlen(in));
    /* The empty first frame does not decide the connection's framing. */
    assert_int_equal(ww_sysframe_first(f), WW_SYSFRAME_OCTET);
    assert_int_equal(s.last_offset, 6);
    const ww_sysframe_stats_t *st = ww_sysframe_stats(f);
    assert_int_equal(st->bytes, strlen(in));
    assert_int_equal(st->frames, 2);
    assert_int_equal(st->octet, 1);
    assert_int_equal(st->empty, 1);
    ww_buf_release(&s.out);
    ww_sysframe_free(f);
}

static void test_callback_failure(void **state)
{
    (void)state;
    ww_sysframe_t *f;
    assert_int_equal(ww_sysframe_new(WW_SYSFRAME_AUTO, 0, &f), 0);
    sink_t s = {.fail_at = 2};
    ww_buf_init(&s.out, 0);
    ww_diag_t d;
    assert_int_equal(ww_sysframe_feed(f, "a\nb\nc\n", 6, on_frame, &s, &d), WW_EIO);
    assert_int_equal(s.count, 2);
    assert_int_equal(ww_sysframe_finish(f, on_frame, &s, &d), WW_EIO);
    ww_buf_release(&s.out);
    ww_sysframe_free(f);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    ww_sysframe_t *f = NULL;
    assert_int_equal(ww_sysframe_new(7, 0, &f), WW_EINVAL);
    assert_int_equal(ww_sysframe_new(WW_SYSFRAME_AUTO, 3, &f), WW_EINVAL);
    assert_int_equal(ww_sysframe_new(WW_SYSFRAME_AUTO, (size_t)1 << 40, &f), WW_EINVAL);
    assert_null(f);
    ww_sysframe_free(NULL);
}

static void test_datagram(void **state)
{
    (void)state;
    ww_str_t s;
    assert_int_equal(ww_sysframe_datagram("<13>hi\n", 7, 0, &s), 0);
    assert_int_equal(s.n, 6);
    assert_int_equal(ww_sysframe_datagram("<13>hi\r\n\0", 9, 0, &s), 0);
    assert_int_equal(s.n, 6);
    assert_int_equal(ww_sysframe_datagram("<13>a\nb", 7, 0, &s), 0);
    assert_int_equal(s.n, 7); /* an inner LF stays */
    assert_int_equal(ww_sysframe_datagram("\n\0", 2, 0, &s), 0);
    assert_int_equal(s.n, 0);
    assert_int_equal(ww_sysframe_datagram("<13>0123456789", 14, 8, &s), WW_SYSFRAME_F_TRUNCATED);
    assert_int_equal(s.n, 8);
    /* An octet count that counts exactly the rest is framing (loggen -D -P). */
    assert_int_equal(ww_sysframe_datagram("11 <13>1 - hi\n", 14, 0, &s), 0);
    assert_int_equal(s.n, 10);
    assert_memory_equal(s.p, "<13>1 - hi", 10);
    assert_int_equal(ww_sysframe_datagram("10 <13>1 - hi", 13, 0, &s), 0);
    assert_int_equal(s.n, 10);
    assert_memory_equal(s.p, "<13>1 - hi", 10);
    /* A count that does not fit, a leading zero, or no PRI after it: the message. */
    assert_int_equal(ww_sysframe_datagram("7 <13>1 - hi", 12, 0, &s), 0);
    assert_int_equal(s.n, 12);
    assert_int_equal(ww_sysframe_datagram("010 <13>1 - hi", 14, 0, &s), 0);
    assert_int_equal(s.n, 14);
    assert_int_equal(ww_sysframe_datagram("2 hi", 4, 0, &s), 0);
    assert_int_equal(s.n, 4);
    assert_int_equal(ww_sysframe_datagram("5 <13>", 6, 0, &s), 0);
    assert_int_equal(s.n, 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trailer_positions),
        cmocka_unit_test(test_mixed_framings),
        cmocka_unit_test(test_lf_only_mode_ignores_counts),
        cmocka_unit_test(test_octet_only_mode),
        cmocka_unit_test(test_oversized_lf),
        cmocka_unit_test(test_oversized_octet),
        cmocka_unit_test(test_hostile_counts),
        cmocka_unit_test(test_offsets_first_and_stats),
        cmocka_unit_test(test_callback_failure),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_datagram),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
