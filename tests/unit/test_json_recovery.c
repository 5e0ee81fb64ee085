/* Unit tests for what the JSON decoder keeps when part of its input is bad: invalid
 * string escapes (unpaired surrogates, unknown letters, short \u) become U+FFFD and
 * the event is kept; one bad element of a top-level array, or one bad object among
 * concatenated ones, is reported with its line and column and everything after it is
 * still decoded.  Each case runs on JSON lines, concatenated objects and arrays,
 * compact and pretty-printed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "event/ww_event.h"
#include "wardwatch/wardwatch.h"

static char last_log[512];
static void on_log(void *ud, int level, const char *msg)
{
    (void)ud;
    (void)level;
    snprintf(last_log, sizeof last_log, "%s", msg);
}

#define FFFD "\xef\xbf\xbd"

/* One call of ww_reader_next: an event's "a" value (or its rc) and the diagnostic. */
typedef struct step {
    int rc;
    char a[64];
    uint32_t line, col;
} step_t;

static int run(const char *text, step_t *out, int max)
{
    ww_reader_t *r = NULL;
    ww_diag_t d;
    assert_int_equal(ww_reader_open_mem("t.json", text, strlen(text), WW_FMT_JSON, &r, &d), 0);
    ww_event_t ev;
    ww_event_init(&ev);
    int n = 0;
    for (;;) {
        memset(&d, 0, sizeof d);
        int rc = ww_reader_next(r, &ev, &d);
        if (rc == 0)
            break;
        assert_true(n < max);
        out[n] = (step_t){.rc = rc, .line = d.line, .col = d.col};
        if (rc == 1) {
            const ww_field_t *f = ww_event_get(&ev, WW_STR("a"), NULL);
            if (f)
                snprintf(out[n].a, sizeof out[n].a, "%.*s", (int)f->value.n, f->value.p);
        }
        n++;
    }
    ww_event_release(&ev);
    ww_reader_free(r);
    return n;
}

/* Expected steps: "=v" an event with a = v, "!L:C" an error at line L, column C. */
static void expect_steps(const char *text, const char *const *want, int nwant)
{
    step_t got[32];
    int n = run(text, got, 32);
    if (n != nwant)
        fail_msg("%d steps, expected %d, for:\n%s", n, nwant, text);
    for (int i = 0; i < n; i++) {
        if (want[i][0] == '=') {
            if (got[i].rc != 1 || strcmp(got[i].a, want[i] + 1) != 0)
                fail_msg("step %d: rc %d a '%s', expected a '%s', for:\n%s", i, got[i].rc, got[i].a,
                         want[i] + 1, text);
        } else {
            unsigned l, c;
            assert_int_equal(sscanf(want[i] + 1, "%u:%u", &l, &c), 2);
            if (got[i].rc >= 0 || got[i].line != l || got[i].col != c)
                fail_msg("step %d: rc %d at %u:%u, expected an error at %u:%u, for:\n%s", i,
                         got[i].rc, got[i].line, got[i].col, l, c, text);
        }
    }
}
#define EXPECT(text, ...)                                          \
    do {                                                           \
        static const char *const w_[] = {__VA_ARGS__};             \
        expect_steps((text), w_, (int)(sizeof w_ / sizeof w_[0])); \
    } while (0)

static void test_bad_escapes_kept(void **state)
{
    (void)state;
    static const struct {
        const char *esc, *val;
    } cases[] = {
        {"x\\ud800y", "x" FFFD "y"},
        {"\\udc00", FFFD},
        {"\\ud800\\u0041", FFFD "A"},
        {"\\ud83d\\ud83d\\ude00", FFFD "\xf0\x9f\x98\x80"},
        {"\\ud800", FFFD},
        {"a\\udbff", "a" FFFD},
        {"\\ud800\\n", FFFD "\n"},
        {"\\q", FFFD},
        {"\\u12", FFFD},
        {"\\u12zz", FFFD "zz"},
        {"\\uZ", FFFD "Z"},
        {"ok\\u00e9", "ok\xc3\xa9"},
    };
    char text[512], val[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(val, sizeof val, "=%s", cases[i].val);
        const char *w[] = {"=1", val, "=3"};
        /* JSON lines, concatenated, array, pretty-printed array. */
        snprintf(text, sizeof text, "{\"a\":\"1\"}\n{\"a\":\"%s\"}\n{\"a\":\"3\"}\n", cases[i].esc);
        expect_steps(text, w, 3);
        snprintf(text, sizeof text, "{\"a\":\"1\"}{\"a\":\"%s\"} {\"a\":\"3\"}", cases[i].esc);
        expect_steps(text, w, 3);
        snprintf(text, sizeof text, "[{\"a\":\"1\"},{\"a\":\"%s\"},{\"a\":\"3\"}]", cases[i].esc);
        expect_steps(text, w, 3);
        snprintf(text, sizeof text,
                 "[\n  {\n    \"a\": \"1\"\n  },\n  {\n    \"a\": \"%s\"\n  },\n  {\n    \"a\": "
                 "\"3\"\n  }\n]\n",
                 cases[i].esc);
        expect_steps(text, w, 3);
    }
    /* In a key, and in a Windows record: the event and its other fields are kept. */
    EXPECT("{\"k\\ud800\":1,\"a\":\"2\"}\n", "=2");
    static const char win[] =
        "{\"Event\":{\"System\":{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/"
        "Operational\"},\"EventData\":{\"CommandLine\":\"cmd /c \\udc01 whoami\","
        "\"Image\":\"C:\\\\Windows\\\\System32\\\\cmd.exe\"}}}\n";
    ww_reader_t *r = NULL;
    ww_diag_t d;
    assert_int_equal(ww_reader_open_mem("w.json", win, strlen(win), WW_FMT_JSON, &r, &d), 0);
    ww_event_t ev;
    ww_event_init(&ev);
    assert_int_equal(ww_reader_next(r, &ev, &d), 1);
    const ww_field_t *f = ww_event_get(&ev, WW_STR("CommandLine"), NULL);
    assert_non_null(f);
    assert_int_equal(f->value.n, strlen("cmd /c " FFFD " whoami"));
    assert_memory_equal(f->value.p, "cmd /c " FFFD " whoami", f->value.n);
    assert_non_null(ww_event_get(&ev, WW_STR("Image"), NULL));
    assert_int_equal(ev.event_id, 1);
    ww_event_release(&ev);
    ww_reader_free(r);
}

static void test_bad_array_elements(void **state)
{
    (void)state;
    /* Compact: the bad element's brackets balance, so the rest is read. */
    EXPECT("[{\"a\":\"1\"},{\"a\":tru},{\"a\":\"3\"}]", "=1", "!1:17", "=3");
    EXPECT("[{\"a\":\"1\"},{\"a\":01},{\"a\":\"3\"}]\n", "=1", "!1:18", "=3");
    EXPECT("[{\"a\":[1,2,x]},{\"a\":\"4\"}]", "!1:12", "=4");
    /* Brackets and quotes inside the bad element's strings do not confuse it. */
    EXPECT("[{\"s\":\"}]{[\\\"\",\"a\":tru},{\"a\":\"5\"}]", "!1:20", "=5");
    /* The first and the last elements. */
    EXPECT("[{\"a\":x},{\"a\":\"2\"}]", "!1:7", "=2");
    EXPECT("[{\"a\":\"1\"},{\"a\":x}]", "=1", "!1:17");
    /* Several bad ones in a row. */
    EXPECT("[{\"a\":x},{\"a\":y},{\"a\":\"3\"},{\"a\":,},{\"a\":\"5\"}]", "!1:7", "!1:15", "=3",
           "!1:33", "=5");
    /* A missing comma is warned about with its place, and both elements are read. */
    ww_log_set(on_log, NULL, WW_LOG_WARN);
    last_log[0] = 0;
    EXPECT("[{\"a\":\"1\"} {\"a\":\"2\"},{\"a\":\"3\"}]", "=1", "=2", "=3");
    if (!strstr(last_log, "t.json:1:12: missing ','"))
        fail_msg("warning: '%s'", last_log);
    ww_log_set(NULL, NULL, WW_LOG_ERROR);
    /* A non-object element. */
    EXPECT("[{\"a\":\"1\"},5,{\"a\":\"3\"}]", "=1", "!1:12", "=3");
    /* Pretty-printed. */
    EXPECT("[\n  {\n    \"a\": \"1\"\n  },\n  {\n    \"a\": tru\n  },\n  {\n    \"a\": \"3\"\n  "
           "}\n]\n",
           "=1", "!6:10", "=3");
    /* An element whose brackets do not balance: the next element's line is found. */
    EXPECT(
        "[\n  {\n    \"a\": \"1\",\n  {\n    \"a\": \"2\"\n  },\n  {\n    \"a\": \"3\"\n  }\n]\n",
        "!4:3", "=2", "=3");
    /* Elements on lines of their own, one of them cut short. */
    EXPECT("[\n{\"a\":\"1\"},\n{\"a\":\"2\",\n{\"a\":\"3\"}\n]\n", "=1", "!4:1", "=3");
}

static void test_bad_objects_concatenated(void **state)
{
    (void)state;
    /* On one line: the objects after the bad one are kept. */
    EXPECT("{\"a\":\"1\"}{\"a\":tru}{\"a\":\"3\"}\n", "=1", "!1:15", "=3");
    EXPECT("{\"a\":\"1\"} {\"a\":[1,]}  {\"a\":\"3\"}\n{\"a\":\"4\"}\n", "=1", "!1:19", "=3", "=4");
    /* JSON lines. */
    EXPECT("{\"a\":\"1\"}\n{\"a\":tru}\n{\"a\":\"3\"}\n", "=1", "!2:6", "=3");
    /* Pretty-printed concatenated objects. */
    EXPECT("{\n  \"a\": \"1\"\n}\n{\n  \"a\": tru\n}\n{\n  \"a\": \"3\"\n}\n", "=1", "!5:8", "=3");
    /* JSON lines with a pretty-printed bad record mixed in: resumes after its error. */
    EXPECT("{\"a\":\"1\"}\n{\n  \"a\": [1,\n}\n{\"a\":\"3\"}\n", "=1", "!4:1", "=3");
    /* Unbalanced: the next line that starts a record. */
    EXPECT("{\n  \"a\": \"1\"\n}\n{\n  \"a\": [1,\n}\n{\n  \"a\": \"3\"\n}\n", "=1", "!6:1", "=3");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_escapes_kept),
        cmocka_unit_test(test_bad_array_elements),
        cmocka_unit_test(test_bad_objects_concatenated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
