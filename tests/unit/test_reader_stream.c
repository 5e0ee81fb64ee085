/* Unit tests for streamed input (ww_reader.c): a stream read in tiny blocks and
 * windows gives exactly the events, record numbers and diagnostics (with the lines of
 * the whole input) that a reader of the whole buffer gives, for every format; gzip
 * and zstd input decodes like the plain bytes; damaged compressed input keeps the
 * events before the damage and says so; a record over the size cap is skipped with
 * an error; input that is no log is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "event/ww_reader_int.h"

/* Everything a reader produces, one line per record: index, then the event as JSON
 * with its raw text, or the diagnostic's line and message. */
static bool g_msgs = true; /* compare diagnostics' messages too, not only lines */

static char *transcript(ww_reader_t *r)
{
    ww_buf_t out;
    ww_buf_init(&out, 0);
    ww_event_t ev;
    ww_event_init(&ev);
    ww_diag_t d;
    int rc;
    while ((rc = ww_reader_next(r, &ev, &d)) != 0) {
        ww_buf_printf(&out, "#%llu ", (unsigned long long)ww_reader_index(r));
        if (rc < 0) {
            ww_buf_printf(&out, "error line %u: %s\n", d.line, g_msgs ? d.msg : "");
            continue;
        }
        ww_event_to_json(&ev, &out);
        ww_buf_printf(&out, " raw=%.*s\n", (int)ev.raw.n, ev.raw.p);
    }
    ww_event_release(&ev);
    ww_buf_putc(&out, 0);
    assert_false(out.err);
    return out.p;
}

static char *whole(const void *buf, size_t n, int fmt)
{
    ww_reader_t *r = NULL;
    ww_diag_t d;
    assert_int_equal(ww_reader_open_mem("in", buf, n, fmt, &r, &d), 0);
    char *t = transcript(r);
    ww_reader_free(r);
    return t;
}

static char *streamed(const void *buf, size_t n, size_t block, size_t window, int fmt)
{
    ww__stream_opts_t o = {.block = block, .window = window, .mem = buf, .mem_len = n};
    ww_reader_t *r = NULL;
    ww_diag_t d;
    assert_int_equal(ww__reader_open_stream("in", -1, &o, fmt, &r, &d), 0);
    assert_true(ww_reader_streamed(r));
    assert_false(ww_reader_splittable(r));
    char *t = transcript(r);
    assert_false(ww_reader_incomplete(r));
    ww_reader_free(r);
    return t;
}

/* The stream gives the whole reader's transcript for many block and window sizes
 * (windows cut inside records, records longer than a window). */
static void same_as_whole(const char *text, size_t n, int fmt)
{
    char *want = whole(text, n, fmt);
    static const size_t sizes[][2] = {{1, 1}, {7, 40}, {64, 64}, {1000, 333}, {4096, 65536}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char *got = streamed(text, n, sizes[i][0], sizes[i][1], fmt);
        if (strcmp(want, got) != 0)
            fail_msg("block %zu window %zu:\n--- whole\n%s\n--- stream\n%s", sizes[i][0],
                     sizes[i][1], want, got);
        free(got);
    }
    free(want);
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)len + 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *n = (size_t)len;
    return p;
}

static void test_syslog_lines(void **state)
{
    (void)state;
    /* sshd lines whose session context sits in earlier lines (the decoder looks back
       at them across a window's start), a line longer than the windows, and a line
       longer than the syslog decoder's 64 KiB limit (an error with its line). */
    ww_buf_t b;
    ww_buf_init(&b, 0);
    for (int i = 0; i < 40; i++) {
        ww_buf_printf(&b,
                      "Nov 23 14:02:%02d pacs-gw01 sshd[%d]: Failed password for invalid user u%d "
                      "from 185.220.101.%d port %d ssh2\n",
                      i % 60, 4000 + i, i, i, 40000 + i);
        ww_buf_printf(&b,
                      "Nov 23 14:02:%02d pacs-gw01 sshd[%d]: Connection closed by "
                      "authenticating user u%d port %d [preauth]\n",
                      i % 60, 4000 + i, i, 40000 + i);
        if (i == 20) {
            ww_buf_puts(&b, "Nov 23 14:03:00 host app: ");
            for (int k = 0; k < 70000; k++)
                ww_buf_putc(&b, 'x');
            ww_buf_putc(&b, '\n');
        }
        if (i == 30)
            ww_buf_puts(&b, "not syslog at all, a text line\n");
    }
    ww_buf_puts(&b, "Nov 23 14:04:00 host app: last line without a line end");
    same_as_whole(b.p, b.n, WW_FMT_AUTO);
    ww_buf_release(&b);

    size_t n;
    char *p = slurp(WW_SOURCE_DIR "/tests/data/sample/auth.log", &n);
    assert_non_null(p);
    same_as_whole(p, n, WW_FMT_AUTO);
    free(p);
}

static void test_json_lines_and_objects(void **state)
{
    (void)state;
    const char *lines =
        "{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"Image\":"
        "\"C:\\\\a \\\"quoted\\\" {brace} [x].exe\",\"CommandLine\":\"a\\nb\"}\n"
        "{\"EventID\":2,\"Computer\":\"pc1\"}\r\n"
        "{\"EventID\": 3, \"broken\n"
        "\n"
        "{\"EventID\":4,\"x\":{\"y\":[1,2,{\"z\":\"}\"}]}}\n"
        "not json\n"
        "{\"EventID\":5,\"stray\":{\"open\":1}\n"
        "{\"EventID\":6}\n"
        "{\"EventID\":7}{\"EventID\":8}\n"
        "{\"EventID\":9,\"last\":true}";
    /* A record left open (a stray '{') is reported on the same line and the records
       after it are the same, but what the parser expected there may differ: the
       stream's window may end before the next line. */
    g_msgs = false;
    same_as_whole(lines, strlen(lines), WW_FMT_AUTO);
    g_msgs = true;

    const char *pretty =
        "\xEF\xBB\xBF{\n  \"EventID\": 10,\n  \"Data\": {\n    \"a\": \"}\\n{\"\n  "
        "}\n}\n{\n  \"EventID\": 11,\n  \"list\": [\n    {\"b\": 1},\n    {\"c\": "
        "2}\n  ]\n}\n   {\"EventID\": 12}\n";
    same_as_whole(pretty, strlen(pretty), WW_FMT_AUTO);
}

/* A top-level array: each element an event, whichever window it falls in. */
static void test_json_array(void **state)
{
    (void)state;
    const char *one_line = "[{\"EventID\":1,\"s\":\"],[\"},{\"EventID\":2,\"a\":[1,[2]]},"
                           "{\"EventID\":3}]";
    same_as_whole(one_line, strlen(one_line), WW_FMT_AUTO);
    const char *pretty = "[\n  {\n    \"EventID\": 1,\n    \"Computer\": \"a\"\n  },\n  {\n    "
                         "\"EventID\": 2\n  }\n]\n[{\"EventID\": 3}]\n";
    same_as_whole(pretty, strlen(pretty), WW_FMT_AUTO);
}

static void test_zeek(void **state)
{
    (void)state;
    const char *hdr = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
                      "#unset_field\t-\n#path\tconn\n#fields\tts\tuid\tid.orig_h\tid.orig_p\t"
                      "id.resp_h\tid.resp_p\tproto\n#types\ttime\tstring\taddr\tport\taddr\tport\t"
                      "enum\n";
    ww_buf_t b;
    ww_buf_init(&b, 0);
    ww_buf_puts(&b, hdr);
    for (int i = 0; i < 30; i++)
        ww_buf_printf(&b, "1700000%03d.5\tC%d\t10.0.0.%d\t%d\t10.1.0.1\t445\ttcp\n", i, i, i,
                      50000 + i);
    ww_buf_puts(&b, "#close\t2026-01-01-00-00-00\n");
    /* A second log with other columns, as `cat` of two logs gives. */
    ww_buf_puts(&b, "#separator \\x09\n#path\tdns\n#fields\tts\tquery\n#types\ttime\tstring\n");
    for (int i = 0; i < 20; i++)
        ww_buf_printf(&b, "1700001%03d.0\thost%d.example\n", i, i);
    ww_buf_puts(&b, "too\tmany\tcolumns\there\n");
    same_as_whole(b.p, b.n, WW_FMT_AUTO);
    ww_buf_release(&b);
}

static void test_evtx(void **state)
{
    (void)state;
    const char *shared = getenv("WW_SHARED");
    char path[1024];
    snprintf(path, sizeof path,
             "%s/sigma/regression/rules/windows/file/file_event/"
             "file_event_win_hktl_netexec_file_indicators/"
             "efc21479-9e83-41da-8cf1-122e06ba8db3.evtx",
             shared ? shared : "");
    size_t n = 0;
    char *p = shared ? slurp(path, &n) : NULL;
    if (!p)
        skip();
    char *want = whole(p, n, WW_FMT_AUTO);
    char *got = streamed(p, n, 4096, 65536, WW_FMT_AUTO);
    assert_string_equal(want, got);
    free(got);
    /* A truncated file: the same records and the same report of the cut. */
    free(want);
    want = whole(p, 9000, WW_FMT_AUTO);
    got = streamed(p, 9000, 1000, 65536, WW_FMT_AUTO);
    assert_string_equal(want, got);
    free(got);
    free(want);
    free(p);
}

static size_t gzip(const char *in, size_t n, uint8_t *out, size_t cap)
{
    z_stream z = {0};
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t len = z.total_out;
    deflateEnd(&z);
    return len;
}

static const char *json_text(void)
{
    /* Over one zstd block (128 KiB), so that a cut file still has whole blocks. */
    static char text[512 * 1024];
    if (!text[0]) {
        size_t k = 0;
        for (int i = 0; i < 3000; i++)
            k += (size_t)snprintf(text + k, sizeof text - k,
                                  "{\"EventID\":%d,\"Channel\":\"Security\",\"Computer\":"
                                  "\"ward-%d\",\"Hash\":\"%08x%08x\"}\n",
                                  4624 + i % 3, i, (unsigned)(i * 2654435761u),
                                  (unsigned)(i * 40503u + 7u) * 2246822519u);
    }
    return text;
}

/* Opens compressed bytes as a stream; returns the transcript and whether the reader
 * saw the end; *msg gets the last error. */
static char *stream_of(const void *buf, size_t n, bool *incomplete, char *msg, size_t msglen)
{
    ww__stream_opts_t o = {.block = 100, .window = 512, .mem = buf, .mem_len = n};
    ww_reader_t *r = NULL;
    ww_diag_t d;
    int orc = ww__reader_open_stream("logs.gz", -1, &o, WW_FMT_AUTO, &r, &d);
    if (orc != 0)
        fail_msg("open: %s", d.msg);
    ww_buf_t out;
    ww_buf_init(&out, 0);
    ww_event_t ev;
    ww_event_init(&ev);
    int rc;
    msg[0] = 0;
    while ((rc = ww_reader_next(r, &ev, &d)) != 0) {
        if (rc < 0) {
            ww_buf_t m;
            ww_buf_init(&m, 0);
            ww_buf_printf(&m, "%s: %s", d.file, d.msg);
            snprintf(msg, msglen, "%.*s", (int)m.n, m.p);
            ww_buf_release(&m);
            continue;
        }
        ww_event_to_json(&ev, &out);
        ww_buf_putc(&out, '\n');
    }
    *incomplete = ww_reader_incomplete(r);
    ww_event_release(&ev);
    ww_reader_free(r);
    ww_buf_putc(&out, 0);
    return out.p;
}

static void test_gzip_zstd(void **state)
{
    (void)state;
    const char *text = json_text();
    size_t n = strlen(text);
    char *want = whole(text, n, WW_FMT_AUTO);
    static uint8_t gz[2][512 * 1024], zs[512 * 1024];
    char msg[512];
    bool inc;

    size_t gzn = gzip(text, n, gz[0], sizeof gz[0]);
    char *plain = stream_of(text, n, &inc, msg, sizeof msg);
    char *got = stream_of(gz[0], gzn, &inc, msg, sizeof msg);
    assert_false(inc);
    assert_string_equal(plain, got);
    free(got);
    got = streamed(gz[0], gzn, 10, 300, WW_FMT_AUTO);
    assert_string_equal(got, want);
    free(got);

    /* Two members, as `cat a.gz b.gz` gives, and trailing zeros. */
    size_t half = n / 2;
    while (text[half - 1] != '\n')
        half++;
    size_t g1 = gzip(text, half, gz[1], sizeof gz[1]);
    size_t g2 = gzip(text + half, n - half, gz[1] + g1, sizeof gz[1] - g1);
    memset(gz[1] + g1 + g2, 0, 100);
    got = stream_of(gz[1], g1 + g2 + 100, &inc, msg, sizeof msg);
    assert_false(inc);
    assert_string_equal(plain, got);
    free(got);

    /* With a content checksum, as the zstd command writes by default. */
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    assert_non_null(cc);
    ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
    size_t zn = ZSTD_compress2(cc, zs, sizeof zs, text, n);
    ZSTD_freeCCtx(cc);
    assert_false(ZSTD_isError(zn));
    got = stream_of(zs, zn, &inc, msg, sizeof msg);
    assert_false(inc);
    assert_string_equal(plain, got);
    free(got);

    /* Truncated: the events before the cut are kept, and the cut is an error. */
    const uint8_t *damaged[] = {gz[0], zs};
    size_t lens[] = {gzn, zn};
    for (int k = 0; k < 2; k++) {
        got = stream_of(damaged[k], lens[k] * 2 / 3, &inc, msg, sizeof msg);
        assert_true(inc);
        assert_non_null(strstr(msg, "logs.gz: "));
        assert_non_null(strstr(msg, "truncated"));
        size_t kept = strlen(got);
        assert_true(kept > 0 && kept < strlen(plain));
        assert_memory_equal(got, plain, kept); /* a prefix of the whole */
        free(got);
    }
    /* Corrupt in the middle. */
    static uint8_t bad[512 * 1024];
    memcpy(bad, gz[0], gzn);
    memset(bad + gzn / 2, 0xA5, 64);
    got = stream_of(bad, gzn, &inc, msg, sizeof msg);
    assert_true(inc);
    assert_true(strstr(msg, "corrupt gzip data") || strstr(msg, "truncated"));
    /* Deflate has no check before the member's end: bytes decoded from the damage on
       may be wrong, but those well before it are the file's. */
    assert_true(strlen(got) > strlen(plain) / 4);
    assert_memory_equal(got, plain, strlen(plain) / 4);
    free(got);
    memcpy(bad, zs, zn);
    memset(bad + zn / 2, 0xA5, 64);
    got = stream_of(bad, zn, &inc, msg, sizeof msg);
    assert_true(inc);
    assert_non_null(strstr(msg, "zstd"));
    free(got);
    free(plain);
    free(want);
}

static void refused(const void *p, size_t n, const char *what)
{
    ww_reader_t *r = NULL;
    ww_diag_t d;
    assert_int_equal(ww_reader_open_mem("x.bin", p, n, WW_FMT_AUTO, &r, &d), WW_EUNSUP);
    assert_non_null(strstr(d.msg, "not a log format wardwatch reads"));
    assert_non_null(strstr(d.msg, what));
    ww__stream_opts_t o = {.block = 3, .window = 16, .mem = p, .mem_len = n};
    assert_int_equal(ww__reader_open_stream("x.bin", -1, &o, WW_FMT_AUTO, &r, &d), WW_EUNSUP);
    assert_non_null(strstr(d.msg, what));
}

static void test_not_a_log(void **state)
{
    (void)state;
    uint8_t b[4096];
    memcpy(b, "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
    refused(b, 16, "PNG");
    memcpy(b,
           "\x7f"
           "ELF\2\1\1\0\0\0\0\0\0\0\0\0",
           16);
    refused(b, 16, "ELF");
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof b; i++) {
        x = x * 1103515245u + 12345u;
        b[i] = (uint8_t)(x >> 16);
    }
    refused(b, sizeof b, "binary");
    const char *t = "Nov 23 14:02:00 host app: hello\n";
    size_t k = 0;
    for (size_t i = 0; t[i]; i++) {
        b[k++] = (uint8_t)t[i];
        b[k++] = 0;
    }
    refused(b, k, "UTF-16");
    refused("\xff\xfeN\0o\0", 6, "UTF-16");
    /* Text with a Latin-1 byte now and then, and ANSI colours, is still a log. */
    const char *latin = "Nov 23 14:02:00 host app: caf\xe9 ok \x1b[31mred\x1b[0m\n";
    ww_reader_t *r = NULL;
    ww_diag_t d;
    assert_int_equal(ww_reader_open_mem("l", latin, strlen(latin), WW_FMT_AUTO, &r, &d), 0);
    ww_reader_free(r);
    /* A forced format reads whatever it is given. */
    assert_int_equal(ww_reader_open_mem("x", b, k, WW_FMT_TEXT, &r, &d), 0);
    ww_reader_free(r);
}

/* A record over the cap is skipped with an error naming its line; the rest is read. */
static void test_record_cap(void **state)
{
    (void)state;
    ww_buf_t b;
    ww_buf_init(&b, 0);
    ww_buf_puts(&b, "{\"EventID\":1}\n{\"EventID\":2}\n{\"big\":\"");
    for (int i = 0; i < 100000; i++) /* more than the first block read for detection */
        ww_buf_putc(&b, 'a');
    ww_buf_puts(&b, "\"}\n{\"EventID\":3}\n");
    for (int fmt = 0; fmt < 2; fmt++) {
        ww__stream_opts_t o = {
            .block = 100, .window = 256, .max_record = 4096, .mem = b.p, .mem_len = b.n};
        ww_reader_t *r = NULL;
        ww_diag_t d;
        assert_int_equal(
            ww__reader_open_stream("big", -1, &o, fmt ? WW_FMT_TEXT : WW_FMT_AUTO, &r, &d), 0);
        ww_event_t ev;
        ww_event_init(&ev);
        int rc, events = 0, errors = 0;
        while ((rc = ww_reader_next(r, &ev, &d)) != 0) {
            if (rc > 0) {
                events++;
                continue;
            }
            errors++;
            assert_int_equal(rc, WW_ELIMIT);
            assert_int_equal(d.line, 3);
            assert_non_null(strstr(d.msg, "longer than"));
            assert_int_equal(ww_reader_index(r), 2);
        }
        assert_int_equal(events, 3);
        assert_int_equal(errors, 1);
        assert_int_equal(ww_reader_index(r), 3);
        assert_false(ww_reader_incomplete(r));
        ww_event_release(&ev);
        ww_reader_free(r);
    }
    ww_buf_release(&b);
}

/* Windows handed out one by one: line-based ones are splittable into ranges, their
 * records add up to the stream's, and each owns its bytes. */
static void test_windows(void **state)
{
    (void)state;
    const char *text = json_text();
    ww__stream_opts_t o = {.block = 500, .window = 10000, .mem = text, .mem_len = strlen(text)};
    ww_reader_t *r = NULL, *w = NULL;
    ww_diag_t d;
    assert_int_equal(ww__reader_open_stream("w", -1, &o, WW_FMT_AUTO, &r, &d), 0);
    ww_event_t ev;
    ww_event_init(&ev);
    int rc, windows = 0, events = 0;
    ww_reader_t *prev = NULL;
    while ((rc = ww_reader_next_window(r, &w, &d)) > 0) {
        windows++;
        assert_true(ww_reader_splittable(w));
        assert_true(ww_reader_size(w) <= 20000);
        while (ww_reader_next(w, &ev, &d) > 0)
            events++;
        /* The previous window's events are still readable while this one is. */
        ww_reader_free(prev);
        prev = w;
    }
    ww_reader_free(prev);
    assert_int_equal(rc, 0);
    assert_true(windows > 10);
    assert_int_equal(events, 3000);
    ww_event_release(&ev);
    ww_reader_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syslog_lines), cmocka_unit_test(test_json_lines_and_objects),
        cmocka_unit_test(test_json_array),   cmocka_unit_test(test_zeek),
        cmocka_unit_test(test_evtx),         cmocka_unit_test(test_gzip_zstd),
        cmocka_unit_test(test_not_a_log),    cmocka_unit_test(test_record_cap),
        cmocka_unit_test(test_windows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
