/* Unit tests for range readers (ww_reader_open_range): cutting a syslog or JSON-lines
 * input at line ends into ranges of every size gives exactly the events of one reader
 * over the whole input; a cut inside a pretty-printed JSON record makes a range report
 * an error (the caller's cue to decode sequentially); bad ranges are refused (for
 * EVTX: ranges that do not start and end at chunk boundaries). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "event/ww_event.h"

static const char SYSLOG[] =
    "Mar  1 10:00:01 web1 sshd[4242]: Failed password for root from 10.0.0.1 port 22 ssh2\n"
    "\n"
    "Mar  1 10:00:02 web1 sshd[4242]: Accepted publickey for bob from 10.0.0.2 port 5022 ssh2\r\n"
    "<34>1 2024-03-01T10:00:03Z host app 1 ID47 - hello\n"
    "just some text\n"
    "Mar  1 10:00:04 fw kernel: IN=eth0 OUT= SRC=10.0.0.9 DST=10.0.0.1 PROTO=TCP SPT=1 DPT=22\n"
    "Mar  1 10:00:05 web1 sudo:   alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/ls";

static const char JSONL[] =
    "{\"EventID\":4625,\"Channel\":\"Security\",\"TargetUserName\":\"bob\"}\n"
    "{\"a\":{\"b\":[1,2,\"x\\\\y\"]}}\n"
    "\n"
    "{\"SourceName\":\"Microsoft-Windows-Sysmon\",\"EventID\":\"1\",\"Image\":\"C:\\\\x.exe\"}\n"
    "{\"ts\":1700000000.5,\"uid\":\"C1\",\"id.orig_h\":\"10.0.0.1\",\"_path\":\"conn\"}\n";

/* Every event of reader r as JSON lines appended to out; returns the event count, or
 * -1 if any record was bad. */
static int dump(ww_reader_t *r, ww_buf_t *out)
{
    ww_event_t ev;
    ww_event_init(&ev);
    ww_diag_t d;
    int n = 0, rc;
    while ((rc = ww_reader_next(r, &ev, &d)) != 0) {
        if (rc < 0) {
            n = -1;
            break;
        }
        assert_int_equal(ww_event_to_json(&ev, out), 0);
        char ts[32];
        int k = snprintf(ts, sizeof ts, " %lld\n", (long long)ev.ts);
        assert_int_equal(ww_buf_append(out, ts, (size_t)k), 0);
        n++;
    }
    ww_event_release(&ev);
    return n;
}

static void check_all_cuts(const char *text, int fmt_expected)
{
    ww_reader_t *whole = NULL;
    ww_diag_t d;
    assert_int_equal(ww_reader_open_mem("in", text, strlen(text), WW_FMT_AUTO, &whole, &d), 0);
    assert_int_equal(ww_reader_format(whole), fmt_expected);
    assert_true(ww_reader_splittable(whole));
    ww_buf_t want;
    ww_buf_init(&want, 0);
    int nwant = dump(whole, &want);
    assert_true(nwant > 0);
    for (uint32_t lines = 1; lines <= 8; lines++) {
        ww_buf_t got;
        ww_buf_init(&got, 0);
        int ngot = 0;
        uint64_t from = 0, len = strlen(text);
        while (from < len) {
            uint64_t to = ww_reader_cut(whole, from, lines);
            assert_true(to > from && to <= len);
            ww_reader_t *r = NULL;
            assert_int_equal(ww_reader_open_range(whole, from, to, &r, &d), 0);
            assert_int_equal(ww_reader_format(r), fmt_expected);
            int n = dump(r, &got);
            assert_true(n >= 0);
            ngot += n;
            ww_reader_free(r);
            from = to;
        }
        assert_int_equal(ngot, nwant);
        assert_int_equal(got.n, want.n);
        assert_memory_equal(got.p, want.p, want.n);
        ww_buf_release(&got);
    }
    ww_buf_release(&want);
    ww_reader_free(whole);
}

static void test_syslog_ranges(void **state)
{
    (void)state;
    check_all_cuts(SYSLOG, WW_FMT_SYSLOG);
}

static void test_jsonl_ranges(void **state)
{
    (void)state;
    check_all_cuts(JSONL, WW_FMT_JSON);
}

/* Cutting a pretty-printed record or a top-level array leaves errors in the ranges. */
static void test_cut_inside_record_is_an_error(void **state)
{
    (void)state;
    static const char *texts[] = {"{\n  \"a\": 1,\n  \"b\": 2\n}\n{\n  \"a\": 3\n}\n",
                                  "[\n{\"a\":1},\n{\"a\":2}\n]\n"};
    for (size_t t = 0; t < 2; t++) {
        ww_reader_t *whole = NULL;
        ww_diag_t d;
        const char *text = texts[t];
        assert_int_equal(ww_reader_open_mem("in", text, strlen(text), WW_FMT_AUTO, &whole, &d), 0);
        uint64_t cut = ww_reader_cut(whole, 0, 2);
        ww_reader_t *a = NULL, *b = NULL;
        assert_int_equal(ww_reader_open_range(whole, 0, cut, &a, &d), 0);
        assert_int_equal(ww_reader_open_range(whole, cut, strlen(text), &b, &d), 0);
        ww_buf_t out;
        ww_buf_init(&out, 0);
        assert_int_equal(dump(a, &out), -1);
        assert_int_equal(dump(b, &out), -1);
        ww_buf_release(&out);
        ww_reader_free(a);
        ww_reader_free(b);
        ww_reader_free(whole);
    }
}

static void test_bad_ranges_refused(void **state)
{
    (void)state;
    ww_reader_t *whole = NULL, *r = NULL;
    ww_diag_t d;
    assert_int_equal(ww_reader_open_mem("in", SYSLOG, strlen(SYSLOG), WW_FMT_AUTO, &whole, &d), 0);
    assert_int_equal(ww_reader_open_range(whole, 5, 4, &r, &d), WW_EINVAL);
    assert_int_equal(ww_reader_open_range(whole, 0, strlen(SYSLOG) + 1, &r, &d), WW_EINVAL);
    assert_null(r);
    /* cut past the end stays at the end; an empty range has no events */
    assert_int_equal(ww_reader_cut(whole, strlen(SYSLOG) + 10, 3), strlen(SYSLOG));
    assert_int_equal(ww_reader_open_range(whole, 3, 3, &r, &d), 0);
    ww_buf_t out;
    ww_buf_init(&out, 0);
    assert_int_equal(dump(r, &out), 0);
    ww_buf_release(&out);
    ww_reader_free(r);
    ww_reader_free(whole);
    /* EVTX is cut at chunk boundaries only (tests/unit/test_evtx_range.c has more) */
    static const char evtx[4096] = "ElfFile";
    assert_int_equal(ww_reader_open_mem("e", evtx, sizeof evtx, WW_FMT_AUTO, &whole, &d), 0);
    assert_true(ww_reader_splittable(whole));
    r = NULL;
    assert_int_equal(ww_reader_open_range(whole, 0, 10, &r, &d), WW_EINVAL);
    assert_int_equal(ww_reader_open_range(whole, 5, 4096, &r, &d), WW_EINVAL);
    assert_null(r);
    assert_int_equal(ww_reader_cut(whole, 0, 1), 4096);
    assert_int_equal(ww_reader_open_range(whole, 0, 4096, &r, &d), 0);
    ww_buf_init(&out, 0);
    assert_int_equal(dump(r, &out), 0);
    ww_buf_release(&out);
    ww_reader_free(r);
    ww_reader_free(whole);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syslog_ranges),
        cmocka_unit_test(test_jsonl_ranges),
        cmocka_unit_test(test_cut_inside_record_is_an_error),
        cmocka_unit_test(test_bad_ranges_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
