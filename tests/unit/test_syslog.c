/* Unit tests for the syslog/text decoder: RFC 3164 (with and without PRI, RFC 3339
 * timestamps, missing pid or program), RFC 5424 with structured data, text fallback,
 * CRLF, overlong lines and the year inference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "event/ww_event.h"
#include "util/ww_util.h"

typedef struct fixture {
    ww_reader_t *r;
    ww_event_t ev;
    ww_diag_t d;
} fixture_t;

static void open_text(fixture_t *fx, const char *text, int fmt)
{
    memset(fx, 0, sizeof *fx);
    ww_event_init(&fx->ev);
    assert_int_equal(ww_reader_open_mem("t.log", text, strlen(text), fmt, &fx->r, &fx->d), 0);
}

static void close_fx(fixture_t *fx)
{
    ww_reader_free(fx->r);
    ww_event_release(&fx->ev);
}

static int next(fixture_t *fx)
{
    return ww_reader_next(fx->r, &fx->ev, &fx->d);
}

static void expect(const ww_event_t *ev, const char *name, const char *value, int type)
{
    const ww_field_t *f = ww_event_get(ev, WW_STRZ(name), NULL);
    if (!f)
        fail_msg("field %s missing", name);
    if (f->value.n != strlen(value) || memcmp(f->value.p, value, f->value.n) != 0)
        fail_msg("field %s = '%.*s', expected '%s'", name, (int)f->value.n, f->value.p, value);
    assert_int_equal(f->type, type);
}

static void expect_absent(const ww_event_t *ev, const char *name)
{
    if (ww_event_get(ev, WW_STRZ(name), NULL))
        fail_msg("field %s should be absent", name);
}

static bool str_is(ww_str_t s, const char *z)
{
    return s.n == strlen(z) && memcmp(s.p, z, s.n) == 0;
}

static void test_3164_with_pri(void **state)
{
    fixture_t fx;
    open_text(&fx,
              "<38>Mar  3 07:01:02 web01 sshd[1234]: Accepted publickey for bob from "
              "10.0.0.1 port 52211 ssh2\n",
              WW_FMT_AUTO);
    assert_int_equal(ww_reader_format(fx.r), WW_FMT_SYSLOG);
    assert_int_equal(next(&fx), 1);
    assert_int_equal(fx.ev.kind, WW_EV_SYSLOG);
    expect(&fx.ev, "facility", "4", WW_F_INT);
    expect(&fx.ev, "severity", "6", WW_F_INT);
    expect(&fx.ev, "timestamp", "Mar  3 07:01:02", WW_F_STR);
    expect(&fx.ev, "host", "web01", WW_F_STR);
    expect(&fx.ev, "program", "sshd", WW_F_STR);
    expect(&fx.ev, "pid", "1234", WW_F_INT);
    expect(&fx.ev, "message", "Accepted publickey for bob from 10.0.0.1 port 52211 ssh2", WW_F_STR);
    assert_true(str_is(fx.ev.host, "web01"));
    assert_true(str_is(fx.ev.product, "linux"));
    assert_true(str_is(fx.ev.service, "sshd"));
    assert_true(str_is(fx.ev.raw, "<38>Mar  3 07:01:02 web01 sshd[1234]: Accepted publickey "
                                  "for bob from 10.0.0.1 port 52211 ssh2"));
    assert_true(fx.ev.ts != WW_TIME_NONE);
    assert_int_equal(next(&fx), 0);
    close_fx(&fx);
}

static void test_3164_variants(void **state)
{
    fixture_t fx;
    open_text(
        &fx,
        "Mar 13 09:15:01 web01 CRON[4711]: pam_unix(cron:session): session opened\r\n"
        "Mar 13 09:15:02 web01 kernel: [ 12.345] usb 1-1: new device\n"
        "Mar 13 09:15:03 web01 no tag on this line\n"
        "2024-05-01T10:00:00.123456+01:00 db02 Sudo[99]: nurse : TTY=pts/0 ; COMMAND=/bin/ls\n"
        "\n"
        "Mar 13 09:15:04 sshd[77]: hostless\n",
        WW_FMT_AUTO);
    assert_int_equal(next(&fx), 1); /* no PRI, CRLF */
    expect_absent(&fx.ev, "facility");
    expect(&fx.ev, "program", "CRON", WW_F_STR);
    expect(&fx.ev, "message", "pam_unix(cron:session): session opened", WW_F_STR);
    assert_true(str_is(fx.ev.service, "cron"));
    assert_int_equal(fx.ev.raw.p[fx.ev.raw.n - 1], 'd'); /* CR stripped */

    assert_int_equal(next(&fx), 1); /* no pid */
    expect(&fx.ev, "program", "kernel", WW_F_STR);
    expect_absent(&fx.ev, "pid");
    expect(&fx.ev, "message", "[ 12.345] usb 1-1: new device", WW_F_STR);

    assert_int_equal(next(&fx), 1); /* no program */
    assert_int_equal(fx.ev.kind, WW_EV_SYSLOG);
    expect(&fx.ev, "host", "web01", WW_F_STR);
    expect_absent(&fx.ev, "program");
    expect(&fx.ev, "message", "no tag on this line", WW_F_STR);
    assert_int_equal(fx.ev.service.n, 0);

    assert_int_equal(next(&fx), 1); /* RFC 3339 timestamp */
    expect(&fx.ev, "timestamp", "2024-05-01T10:00:00.123456+01:00", WW_F_STR);
    expect(&fx.ev, "host", "db02", WW_F_STR);
    expect(&fx.ev, "program", "Sudo", WW_F_STR);
    assert_true(str_is(fx.ev.service, "sudo"));
    int64_t want;
    assert_int_equal(ww_time_parse_iso("2024-05-01T09:00:00.123456Z", 27, &want), 0);
    assert_int_equal(fx.ev.ts, want);

    assert_int_equal(next(&fx), 1); /* blank line skipped; no host */
    expect(&fx.ev, "program", "sshd", WW_F_STR);
    expect_absent(&fx.ev, "host");
    assert_int_equal(ww_reader_index(fx.r), 4);
    assert_int_equal(next(&fx), 0);
    close_fx(&fx);
}

static void test_3164_year(void **state)
{
    /* Three days ahead is "in the future": it must be last year's date. */
    time_t now = time(NULL);
    time_t ahead = now + 3 * 86400;
    struct tm tn, ta;
    gmtime_r(&now, &tn);
    gmtime_r(&ahead, &ta);
    static const char *mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char line[128];
    snprintf(line, sizeof line, "%s %2d %02d:%02d:%02d h p: m\n", mon[ta.tm_mon], ta.tm_mday,
             ta.tm_hour, ta.tm_min, ta.tm_sec);
    int year = ta.tm_year == tn.tm_year ? tn.tm_year + 1900 - 1 : tn.tm_year + 1900;
    int64_t want =
        (ww_days_from_civil(year, (unsigned)ta.tm_mon + 1, (unsigned)ta.tm_mday) * 86400 +
         ta.tm_hour * 3600 + ta.tm_min * 60 + ta.tm_sec) *
        1000000000LL;
    fixture_t fx;
    open_text(&fx, line, WW_FMT_AUTO);
    assert_int_equal(next(&fx), 1);
    assert_int_equal(fx.ev.ts, want);
    close_fx(&fx);

    /* Yesterday is this year (or last year in the first day of January). */
    time_t back = now - 86400;
    gmtime_r(&back, &ta);
    snprintf(line, sizeof line, "%s %2d %02d:%02d:%02d h p: m\n", mon[ta.tm_mon], ta.tm_mday,
             ta.tm_hour, ta.tm_min, ta.tm_sec);
    open_text(&fx, line, WW_FMT_AUTO);
    assert_int_equal(next(&fx), 1);
    assert_int_equal(fx.ev.ts, (int64_t)back * 1000000000LL);
    close_fx(&fx);
}

static void test_5424(void **state)
{
    fixture_t fx;
    open_text(&fx,
              "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
              "[exampleSDID@32473 iut=\"3\" eventSource=\"Appl\\\"ic\\]ation\" eventID=\"1011\"]"
              "[examplePriority@32473 class=\"high\"] \xEF\xBB\xBF"
              "An application event\n"
              "<34>1 - - - - - -\n"
              "<13>1 2024-01-02T03:04:05+00:00 host app 77 - - no sd\n",
              WW_FMT_AUTO);
    assert_int_equal(next(&fx), 1);
    assert_int_equal(fx.ev.kind, WW_EV_SYSLOG);
    expect(&fx.ev, "facility", "20", WW_F_INT);
    expect(&fx.ev, "severity", "5", WW_F_INT);
    expect(&fx.ev, "timestamp", "2003-10-11T22:14:15.003Z", WW_F_STR);
    expect(&fx.ev, "host", "mymachine.example.com", WW_F_STR);
    expect(&fx.ev, "program", "evntslog", WW_F_STR);
    expect_absent(&fx.ev, "pid");
    expect(&fx.ev, "msgid", "ID47", WW_F_STR);
    expect(&fx.ev, "sd.exampleSDID@32473.iut", "3", WW_F_STR);
    expect(&fx.ev, "sd.exampleSDID@32473.eventSource", "Appl\"ic]ation", WW_F_STR);
    expect(&fx.ev, "sd.exampleSDID@32473.eventID", "1011", WW_F_STR);
    expect(&fx.ev, "sd.examplePriority@32473.class", "high", WW_F_STR);
    expect(&fx.ev, "message", "An application event", WW_F_STR);
    int64_t want;
    assert_int_equal(ww_time_parse_iso("2003-10-11T22:14:15.003Z", 24, &want), 0);
    assert_int_equal(fx.ev.ts, want);

    assert_int_equal(next(&fx), 1); /* all NILVALUE */
    assert_int_equal(fx.ev.kind, WW_EV_SYSLOG);
    expect_absent(&fx.ev, "host");
    expect_absent(&fx.ev, "program");
    expect(&fx.ev, "message", "", WW_F_STR);
    assert_int_equal(fx.ev.ts, WW_TIME_NONE);

    assert_int_equal(next(&fx), 1);
    expect(&fx.ev, "pid", "77", WW_F_INT);
    expect(&fx.ev, "message", "no sd", WW_F_STR);
    assert_true(str_is(fx.ev.service, "app"));
    assert_int_equal(next(&fx), 0);
    close_fx(&fx);
}

static void test_text_fallback(void **state)
{
    fixture_t fx;
    open_text(&fx,
              "hello world\n"
              "<165>1 2003-10-11T22:14:15Z host app - - [bad sd\n"
              "<999>Mar  3 07:01:02 h p: m\n"
              "Mar  3 07:01:02 h p: ok",
              WW_FMT_AUTO);
    assert_int_equal(next(&fx), 1);
    assert_int_equal(fx.ev.kind, WW_EV_TEXT);
    assert_int_equal(fx.ev.nfields, 1);
    expect(&fx.ev, "message", "hello world", WW_F_STR);
    assert_true(str_is(fx.ev.raw, "hello world"));
    assert_int_equal(next(&fx), 1);
    assert_int_equal(fx.ev.kind, WW_EV_TEXT);
    assert_true(str_is(fx.ev.raw, "<165>1 2003-10-11T22:14:15Z host app - - [bad sd"));
    expect(&fx.ev, "message", "<165>1 2003-10-11T22:14:15Z host app - - [bad sd", WW_F_STR);
    assert_int_equal(next(&fx), 1);
    assert_int_equal(fx.ev.kind, WW_EV_TEXT); /* PRI out of range */
    assert_int_equal(next(&fx), 1);           /* last line without newline */
    assert_int_equal(fx.ev.kind, WW_EV_SYSLOG);
    expect(&fx.ev, "message", "ok", WW_F_STR);
    assert_int_equal(next(&fx), 0);
    close_fx(&fx);

    /* Forced text: syslog lines stay text. */
    open_text(&fx, "<38>Mar  3 07:01:02 web01 sshd[1]: x\r\n", WW_FMT_TEXT);
    assert_int_equal(ww_reader_format(fx.r), WW_FMT_TEXT);
    assert_int_equal(next(&fx), 1);
    assert_int_equal(fx.ev.kind, WW_EV_TEXT);
    expect(&fx.ev, "message", "<38>Mar  3 07:01:02 web01 sshd[1]: x", WW_F_STR);
    close_fx(&fx);
}

static void test_overlong_line(void **state)
{
    size_t big = 70 * 1024;
    char *text = malloc(big + 64);
    assert_non_null(text);
    memcpy(text, "first\n", 6);
    memset(text + 6, 'x', big);
    memcpy(text + 6 + big, "\nlast\n", 7);
    fixture_t fx;
    open_text(&fx, text, WW_FMT_AUTO);
    assert_int_equal(next(&fx), 1);
    assert_int_equal(next(&fx), WW_ELIMIT);
    assert_int_equal(fx.d.line, 2);
    assert_non_null(strstr(fx.d.msg, "longer"));
    assert_int_equal(next(&fx), 1);
    expect(&fx.ev, "message", "last", WW_F_STR);
    assert_int_equal(ww_reader_index(fx.r), 2);
    assert_int_equal(next(&fx), 0);
    close_fx(&fx);
    free(text);
}

int main(void)
{
    /* RFC 3164 times are read in the --tz zone: pin it, so that the expected times
       hold on any machine. */
    if (ww_time_set_zone("UTC") != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_3164_with_pri), cmocka_unit_test(test_3164_variants),
        cmocka_unit_test(test_3164_year),     cmocka_unit_test(test_5424),
        cmocka_unit_test(test_text_fallback), cmocka_unit_test(test_overlong_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
