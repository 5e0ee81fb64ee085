/* Unit tests of the single-event detection engine, end to end: small YAML rules loaded
 * with the Sigma loader, compiled, and run over synthetic events built field by field.
 * Every check runs twice, with the prefilter and without (the reference path), and
 * requires the same answer from both. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <arpa/inet.h>
#include <math.h>
#include <cmocka.h>

#include "detect/ww_detect_int.h"

/* ---- helpers --------------------------------------------------------------------- */

typedef struct eng {
    ww_sigma_ruleset_t *rs;
    ww_detect_t *d[2]; /* [0] prefilter on, [1] off */
    ww_detect_ctx_t *ctx[2];
} eng_t;

static eng_t *eng_new(const char *yaml)
{
    eng_t *e = calloc(1, sizeof *e);
    assert_non_null(e);
    e->rs = ww_sigma_ruleset_new();
    assert_non_null(e->rs);
    int n = ww_sigma_load_buffer(e->rs, "test.yml", yaml, strlen(yaml));
    for (uint32_t i = 0; i < ww_sigma_error_count(e->rs); i++) {
        const ww_sigma_error_t *er = ww_sigma_error(e->rs, i);
        fprintf(stderr, "load error: %s:%u:%u %s: %s\n", er->file, er->line, er->col, er->title,
                er->msg);
    }
    assert_true(n >= 1);
    assert_int_equal(ww_sigma_finish(e->rs), 0);
    for (int i = 0; i < 2; i++) {
        ww_detect_opts_t o = {.no_prefilter = i == 1};
        assert_int_equal(ww_detect_compile(e->rs, &o, &e->d[i]), 0);
        assert_int_equal(ww_detect_ctx_new(e->d[i], &e->ctx[i]), 0);
    }
    return e;
}

static void eng_free(eng_t *e)
{
    for (int i = 0; i < 2; i++) {
        ww_detect_ctx_free(e->ctx[i]);
        ww_detect_unref(e->d[i]);
    }
    ww_sigma_ruleset_free(e->rs);
    free(e);
}

typedef struct hits {
    char titles[16][64];
    int n;
} hits_t;

static void on_match(void *ud, const ww_sigma_rule_t *r)
{
    hits_t *h = ud;
    if (h->n < 16)
        snprintf(h->titles[h->n], sizeof h->titles[0], "%s", r->title ? r->title : "?");
    h->n++;
}

/* Runs the event through both engines; returns the matched titles joined with ','. */
static const char *run(eng_t *e, const ww_event_t *ev)
{
    static char out[2][512];
    for (int i = 0; i < 2; i++) {
        hits_t h = {0};
        int n = ww_detect_event(e->ctx[i], ev, on_match, &h);
        assert_int_equal(n, h.n);
        out[i][0] = 0;
        size_t len = 0;
        for (int k = 0; k < h.n && k < 16; k++)
            len += (size_t)snprintf(out[i] + len, sizeof out[i] - len, "%s%s", k ? "," : "",
                                    h.titles[k]);
    }
    /* The prefilter must never change the answer. */
    assert_string_equal(out[0], out[1]);
    return out[0];
}

static void add(ww_event_t *ev, const char *name, const char *value, int type)
{
    assert_int_equal(ww_event_add_copy(ev, WW_STRZ(name), WW_STRZ(value), type), 0);
}

/* A Sysmon event with the given EventID. */
static void sysmon(ww_event_t *ev, int eid)
{
    char buf[16];
    ww_event_reset(ev);
    snprintf(buf, sizeof buf, "%d", eid);
    add(ev, "EventID", buf, WW_F_INT);
    add(ev, "Channel", "Microsoft-Windows-Sysmon/Operational", WW_F_STR);
    add(ev, "Provider_Name", "Microsoft-Windows-Sysmon", WW_F_STR);
    ww_event_finish_windows(ev);
}

static void winev(ww_event_t *ev, const char *channel, int eid)
{
    char buf[16];
    ww_event_reset(ev);
    snprintf(buf, sizeof buf, "%d", eid);
    add(ev, "EventID", buf, WW_F_INT);
    add(ev, "Channel", channel, WW_F_STR);
    ww_event_finish_windows(ev);
}

#define RULE(title, detection)                                            \
    "title: " title "\nid: 00000000-0000-0000-0000-0000000000" title "\n" \
    "logsource:\n  product: windows\n  category: process_creation\n"      \
    "detection:\n" detection "level: high\n"

/* ---- string matching ------------------------------------------------------------- */

static void test_strings(void **state)
{
    (void)state;
    eng_t *e = eng_new(RULE(
        "01",
        "  sel:\n    Image: 'C:\\Windows\\System32\\cmd.exe'\n  "
        "condition: sel\n") "---\n" RULE("02",
                                         "  sel:\n    "
                                         "CommandLine|contains: "
                                         "'whoami'\n  condition: "
                                         "sel\n") "---\n" RULE("03",
                                                               "  sel:\n    "
                                                               "CommandLine|startswith: "
                                                               "'net '\n  condition: "
                                                               "sel\n") "---\n" RULE("04",
                                                                                     "  "
                                                                                     "sel:"
                                                                                     "\n  "
                                                                                     "  "
                                                                                     "Imag"
                                                                                     "e|"
                                                                                     "ends"
                                                                                     "with"
                                                                                     ": "
                                                                                     "'\\r"
                                                                                     "eg."
                                                                                     "exe'"
                                                                                     "\n  "
                                                                                     "cond"
                                                                                     "itio"
                                                                                     "n: "
                                                                                     "sel"
                                                                                     "\n") "---"
                                                                                           "\n" RULE("05",
                                                                                                     "  sel:\n    CommandLine: 'a?c*z'\n  condition: sel\n") "---\n" RULE("06",
                                                                                                                                                                          "  sel:\n    "
                                                                                                                                                                          "CommandLine: "
                                                                                                                                                                          "'lit\\*star'\n "
                                                                                                                                                                          " condition: "
                                                                                                                                                                          "sel\n") "---"
                                                                                                                                                                                   "\n" RULE("07", "  sel:\n    CommandLine|contains|cased: 'MiXeD'\n  condition: sel\n") "---\n" RULE(
                                                                                                                                                                                       "08",
                                                                                                                                                                                       "  sel:\n    CommandLine|contains|all:\n      - '-a'\n      - '-b'\n"
                                                                                                                                                                                       "  condition: sel\n"));
    ww_event_t ev;
    ww_event_init(&ev);

    sysmon(&ev, 1);
    add(&ev, "Image", "c:\\WINDOWS\\system32\\CMD.EXE", WW_F_STR);
    assert_string_equal(run(e, &ev), "01");

    sysmon(&ev, 1);
    add(&ev, "Image", "C:\\Windows\\System32\\cmd.exe.bak", WW_F_STR);
    assert_string_equal(run(e, &ev), "");

    sysmon(&ev, 1);
    add(&ev, "CommandLine", "NET user /add; WhoAmI", WW_F_STR);
    assert_string_equal(run(e, &ev), "02,03");

    sysmon(&ev, 1);
    add(&ev, "Image", "D:\\x\\REG.exe", WW_F_STR);
    assert_string_equal(run(e, &ev), "04");

    /* `?` is exactly one character, `*` any sequence, whole value anchored. */
    sysmon(&ev, 1);
    add(&ev, "CommandLine", "ABCxxz", WW_F_STR);
    assert_string_equal(run(e, &ev), "05");
    sysmon(&ev, 1);
    add(&ev, "CommandLine", "acz", WW_F_STR);
    assert_string_equal(run(e, &ev), "");
    sysmon(&ev, 1);
    add(&ev, "CommandLine", "abcz!", WW_F_STR);
    assert_string_equal(run(e, &ev), "");
    /* `?` takes one UTF-8 character, not one byte. */
    sysmon(&ev, 1);
    add(&ev, "CommandLine",
        "a\xc3\xa9"
        "cz",
        WW_F_STR);
    assert_string_equal(run(e, &ev), "05");

    /* `\*` is a literal star. */
    sysmon(&ev, 1);
    add(&ev, "CommandLine", "LIT*STAR", WW_F_STR);
    assert_string_equal(run(e, &ev), "06");
    sysmon(&ev, 1);
    add(&ev, "CommandLine", "litXstar", WW_F_STR);
    assert_string_equal(run(e, &ev), "");

    /* cased */
    sysmon(&ev, 1);
    add(&ev, "CommandLine", "xx MiXeD yy", WW_F_STR);
    assert_string_equal(run(e, &ev), "07");
    sysmon(&ev, 1);
    add(&ev, "CommandLine", "xx mixed yy", WW_F_STR);
    assert_string_equal(run(e, &ev), "");

    /* all: both needles needed */
    sysmon(&ev, 1);
    add(&ev, "CommandLine", "x -b -A", WW_F_STR);
    assert_string_equal(run(e, &ev), "08");
    sysmon(&ev, 1);
    add(&ev, "CommandLine", "x -b", WW_F_STR);
    assert_string_equal(run(e, &ev), "");

    /* The needle in another field does not count (prefilter sees it, evaluation
       decides). */
    sysmon(&ev, 1);
    add(&ev, "Image", "whoami.exe", WW_F_STR);
    add(&ev, "CommandLine", "x", WW_F_STR);
    assert_string_equal(run(e, &ev), "");

    /* Field names are case-insensitive. */
    sysmon(&ev, 1);
    add(&ev, "commandline", "whoami", WW_F_STR);
    assert_string_equal(run(e, &ev), "02");

    ww_event_release(&ev);
    eng_free(e);
}

/* ---- literal prefilter edges ------------------------------------------------------ */

static void test_prefilter_literals(void **state)
{
    (void)state;
    char longv[420], longlit[310];
    memset(longlit, 'q', 300);
    memcpy(longlit + 300, "TAIL", 5);
    eng_t *e = eng_new(
        RULE("31", "  sel:\n    CommandLine|contains: 'abcdef'\n  condition: sel\n") "---\n" RULE(
            "32",
            "  sel:\n    CommandLine|cased|contains: 'CaSeD'\n  condition: sel\n") "---\n" RULE("3"
                                                                                                "3",
                                                                                                "  "
                                                                                                "se"
                                                                                                "l:"
                                                                                                "\n"
                                                                                                "  "
                                                                                                "  "
                                                                                                "Im"
                                                                                                "ag"
                                                                                                "e|"
                                                                                                "en"
                                                                                                "ds"
                                                                                                "wi"
                                                                                                "th"
                                                                                                ": "
                                                                                                "'"
                                                                                                "\\"
                                                                                                "\\"
                                                                                                "ev"
                                                                                                "il"
                                                                                                ".e"
                                                                                                "xe"
                                                                                                "'"
                                                                                                "\n"
                                                                                                "  "
                                                                                                "fi"
                                                                                                "lt"
                                                                                                "er"
                                                                                                ":"
                                                                                                "\n"
                                                                                                "  "
                                                                                                "  "
                                                                                                "Us"
                                                                                                "er"
                                                                                                ": "
                                                                                                "'a"
                                                                                                "dm"
                                                                                                "in"
                                                                                                "'"
                                                                                                "\n"
                                                                                                "  "
                                                                                                "co"
                                                                                                "nd"
                                                                                                "it"
                                                                                                "io"
                                                                                                "n:"
                                                                                                " s"
                                                                                                "el"
                                                                                                " a"
                                                                                                "nd"
                                                                                                " n"
                                                                                                "ot"
                                                                                                " f"
                                                                                                "il"
                                                                                                "te"
                                                                                                "r"
                                                                                                "\n"));
    ww_event_t ev;
    ww_event_init(&ev);
    /* The prefiltered program really holds literal grams. */
    assert_true(e->d[0]->ngrams >= 3);

    /* A needle split across two scanned values must not match. */
    sysmon(&ev, 1);
    add(&ev, "Image", "xxabc", WW_F_STR);
    add(&ev, "CommandLine", "defyy", WW_F_STR);
    assert_string_equal(run(e, &ev), "");
    sysmon(&ev, 1);
    add(&ev, "CommandLine", "abc", WW_F_STR);
    add(&ev, "CommandLine", "def", WW_F_STR);
    assert_string_equal(run(e, &ev), "");
    sysmon(&ev, 1);
    add(&ev, "CommandLine", "zzABCDEFzz", WW_F_STR);
    assert_string_equal(run(e, &ev), "31");

    /* Cased needles: the caseless literal lets both through, evaluation decides. */
    sysmon(&ev, 1);
    add(&ev, "CommandLine", "x cased y", WW_F_STR);
    assert_string_equal(run(e, &ev), "");
    sysmon(&ev, 1);
    add(&ev, "CommandLine", "x CaSeD y", WW_F_STR);
    assert_string_equal(run(e, &ev), "32");

    /* NOT of a literal item gives no requirement on it. */
    sysmon(&ev, 1);
    add(&ev, "Image", "C:\\x\\EVIL.EXE", WW_F_STR);
    assert_string_equal(run(e, &ev), "33");
    sysmon(&ev, 1);
    add(&ev, "Image", "C:\\x\\evil.exe", WW_F_STR);
    add(&ev, "User", "admin", WW_F_STR);
    assert_string_equal(run(e, &ev), "");
    eng_free(e);

    /* A needle longer than the literal cap: its start is the literal. */
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             RULE("34", "  sel:\n    CommandLine|contains: '%s'\n  condition: sel\n"), longlit);
    e = eng_new(yaml);
    snprintf(longv, sizeof longv, "a %s b", longlit);
    sysmon(&ev, 1);
    add(&ev, "CommandLine", longv, WW_F_STR);
    assert_string_equal(run(e, &ev), "34");
    longv[2 + 300] = 'X'; /* start present, tail differs */
    sysmon(&ev, 1);
    add(&ev, "CommandLine", longv, WW_F_STR);
    assert_string_equal(run(e, &ev), "");
    ww_event_release(&ev);
    eng_free(e);
}

/* ---- null / empty / absent, negation, lists --------------------------------------- */

static void test_null_empty_absent(void **state)
{
    (void)state;
    eng_t *e = eng_new(RULE("11", "  sel:\n    ParentImage: null\n  condition: sel\n") "---\n" RULE(
        "12",
        "  "
        "sel"
        ":\n"
        "   "
        " Pa"
        "ren"
        "tIm"
        "age"
        ": "
        "''"
        "\n "
        " co"
        "ndi"
        "tio"
        "n: "
        "sel"
        "\n") "---\n" RULE("13",
                           "  sel:\n    ParentImage|endswith: '\\explorer.exe'\n"
                           "  condition: not sel\n") "---\n" RULE("14",
                                                                  "  sel:\n    Data: 'needle'\n  "
                                                                  "condition: "
                                                                  "sel\n") "---\n" RULE("15",
                                                                                        "  sel:\n  "
                                                                                        "  "
                                                                                        "ParentImag"
                                                                                        "e|exists: "
                                                                                        "true\n  "
                                                                                        "condition:"
                                                                                        " "
                                                                                        "sel\n") "-"
                                                                                                 "-"
                                                                                                 "-"
                                                                                                 "\n" RULE("16", "  sel:\n    ParentImage|exists: false\n  condition: sel\n") "---\n" RULE(
                                                                                                     "17",
                                                                                                     "  sel:\n    Data|contains|all:\n      - 'one'\n      - 'two'\n"
                                                                                                     "  condition: sel\n"));
    ww_event_t ev;
    ww_event_init(&ev);

    sysmon(&ev, 1); /* absent */
    assert_string_equal(run(e, &ev), "11,13,16");

    sysmon(&ev, 1);
    add(&ev, "ParentImage", "", WW_F_NULL);
    assert_string_equal(run(e, &ev), "11,13,15");

    sysmon(&ev, 1);
    add(&ev, "ParentImage", "", WW_F_STR);
    assert_string_equal(run(e, &ev), "12,13,15");

    sysmon(&ev, 1);
    add(&ev, "ParentImage", "C:\\Windows\\Explorer.EXE", WW_F_STR);
    assert_string_equal(run(e, &ev), "15");

    /* A list-valued field: any occurrence matches; `all` may be spread over them. */
    sysmon(&ev, 1);
    add(&ev, "ParentImage", "x", WW_F_STR);
    add(&ev, "Data", "first", WW_F_STR);
    add(&ev, "Data", "NEEDLE", WW_F_STR);
    assert_string_equal(run(e, &ev), "13,14,15");
    sysmon(&ev, 1);
    add(&ev, "ParentImage", "x", WW_F_STR);
    add(&ev, "Data", "has one", WW_F_STR);
    add(&ev, "Data", "has two", WW_F_STR);
    assert_string_equal(run(e, &ev), "13,15,17");

    ww_event_release(&ev);
    eng_free(e);
}

/* ---- numbers, booleans, regex, cidr, fieldref, time -------------------------------- */

static void test_other_matchers(void **state)
{
    (void)state;
    eng_t *e = eng_new(RULE("21", "  sel:\n    ProcessId: 4688\n  condition: sel\n") "---\n" RULE(
        "22",
        " "
        " "
        "s"
        "e"
        "l"
        ":"
        "\n    ProcessId: '4688'\n  condition: sel\n") "---\n" RULE("23", "  sel:\n    "
                                                                          "ProcessId|gt: 100\n  "
                                                                          "condition: sel\n") "---"
                                                                                              "\n" RULE("24",
                                                                                                        "  "
                                                                                                        "sel:"
                                                                                                        "\n    "
                                                                                                        "Comman"
                                                                                                        "dLine|"
                                                                                                        "re: "
                                                                                                        "'b[0-"
                                                                                                        "9]+c'"
                                                                                                        "\n  "
                                                                                                        "condit"
                                                                                                        "ion: "
                                                                                                        "sel\n") "---\n" RULE("25",
                                                                                                                              "  sel:\n    CommandLine|re|i: '^ABC'\n  condition: "
                                                                                                                              "sel\n") "---\n" RULE("26",
                                                                                                                                                    "  sel:\n    DestinationIp|cidr:\n "
                                                                                                                                                    "     - '10.0.0.0/8'\n"
                                                                                                                                                    "      - 'fe80::/10'\n  condition: "
                                                                                                                                                    "sel\n") "---\n" RULE("27",
                                                                                                                                                                          "  sel:\n    "
                                                                                                                                                                          "Image|"
                                                                                                                                                                          "fieldref: "
                                                                                                                                                                          "ParentImage"
                                                                                                                                                                          "\n  "
                                                                                                                                                                          "condition: "
                                                                                                                                                                          "sel\n") "---"
                                                                                                                                                                                   "\n" RULE("28", "  sel:\n    UtcTime|hour: 3\n  condition: sel\n") "---\n" RULE("29", "  sel:\n    UtcTime|week: 1\n  condition: sel\n") "---\n" RULE(
                                                                                                                                                                                       "30",
                                                                                                                                                                                       "  sel:\n    Elevated: true\n  condition: sel\n"));
    ww_event_t ev;
    ww_event_init(&ev);

    /* 4688 vs "4688" both ways */
    sysmon(&ev, 1);
    add(&ev, "ProcessId", "4688", WW_F_INT);
    assert_string_equal(run(e, &ev), "21,22,23");
    sysmon(&ev, 1);
    add(&ev, "ProcessId", "4688", WW_F_STR);
    assert_string_equal(run(e, &ev), "21,22,23");
    sysmon(&ev, 1);
    add(&ev, "ProcessId", "50", WW_F_INT);
    assert_string_equal(run(e, &ev), "");
    sysmon(&ev, 1);
    add(&ev, "ProcessId", "0x1250", WW_F_STR);
    assert_string_equal(run(e, &ev), "");

    /* regex: unanchored, case-sensitive unless |i */
    sysmon(&ev, 1);
    add(&ev, "CommandLine", "xxab12cyy", WW_F_STR);
    assert_string_equal(run(e, &ev), "24");
    sysmon(&ev, 1);
    add(&ev, "CommandLine", "xxaB12Cyy", WW_F_STR);
    assert_string_equal(run(e, &ev), "");
    sysmon(&ev, 1);
    add(&ev, "CommandLine", "abcdef", WW_F_STR);
    assert_string_equal(run(e, &ev), "25");

    /* cidr */
    sysmon(&ev, 1);
    add(&ev, "DestinationIp", "10.1.2.3", WW_F_STR);
    assert_string_equal(run(e, &ev), "26");
    sysmon(&ev, 1);
    add(&ev, "DestinationIp", "::ffff:10.9.9.9", WW_F_STR);
    assert_string_equal(run(e, &ev), "26");
    sysmon(&ev, 1);
    add(&ev, "DestinationIp", "FE80::1", WW_F_STR);
    assert_string_equal(run(e, &ev), "26");
    sysmon(&ev, 1);
    add(&ev, "DestinationIp", "11.0.0.1", WW_F_STR);
    assert_string_equal(run(e, &ev), "");
    sysmon(&ev, 1);
    add(&ev, "DestinationIp", "not-an-ip", WW_F_STR);
    assert_string_equal(run(e, &ev), "");

    /* fieldref, case-insensitive */
    sysmon(&ev, 1);
    add(&ev, "Image", "C:\\A.exe", WW_F_STR);
    add(&ev, "ParentImage", "c:\\a.EXE", WW_F_STR);
    assert_string_equal(run(e, &ev), "27");
    sysmon(&ev, 1);
    add(&ev, "Image", "C:\\A.exe", WW_F_STR);
    add(&ev, "ParentImage", "C:\\B.exe", WW_F_STR);
    assert_string_equal(run(e, &ev), "");

    /* time parts, UTC; 2026-01-01 is a Thursday, so in ISO week 1 */
    sysmon(&ev, 1);
    add(&ev, "UtcTime", "2026-01-01 03:15:00.000", WW_F_STR);
    assert_string_equal(run(e, &ev), "28,29");
    sysmon(&ev, 1);
    add(&ev, "UtcTime", "2027-01-01T05:00:00Z", WW_F_STR); /* Friday: ISO week 53 */
    assert_string_equal(run(e, &ev), "");

    /* booleans */
    sysmon(&ev, 1);
    add(&ev, "Elevated", "true", WW_F_BOOL);
    assert_string_equal(run(e, &ev), "30");
    sysmon(&ev, 1);
    add(&ev, "Elevated", "false", WW_F_BOOL);
    assert_string_equal(run(e, &ev), "");

    ww_event_release(&ev);
    eng_free(e);
}

static void test_bad_regex_left_out(void **state)
{
    (void)state;
    eng_t *e =
        eng_new(RULE("41", "  sel:\n    CommandLine|re: 'a(b'\n  condition: sel\n") "---\n" RULE(
            "42", "  sel:\n    CommandLine: 'a(b'\n  condition: sel\n"));
    /* The loader may already reject it; if not, the engine must. */
    uint32_t loaded = ww_sigma_count(e->rs);
    assert_int_equal(ww_detect_rule_count(e->d[0]), 1);
    if (loaded == 2) {
        assert_int_equal(ww_detect_error_count(e->d[0]), 1);
        const ww_sigma_error_t *er = ww_detect_error(e->d[0], 0);
        assert_non_null(er);
        assert_non_null(strstr(er->msg, "regular expression"));
        assert_string_equal(er->title, "41");
    }
    ww_event_t ev;
    ww_event_init(&ev);
    sysmon(&ev, 1);
    add(&ev, "CommandLine", "a(b", WW_F_STR);
    assert_string_equal(run(e, &ev), "42");
    ww_event_release(&ev);
    eng_free(e);
}

/* A regex that backtracks catastrophically on a long value hits PCRE2's match limit:
 * it counts as no match, but the context counts it and names the rule, so a hunt can
 * say that results may be missing.  Other rules of the same event still match, and a
 * value the pattern answers quickly (either way) is no error. */
static void test_regex_limit_counted(void **state)
{
    (void)state;
    eng_t *e = eng_new(
        RULE("51", "  sel:\n    CommandLine|re: '^(a+)+$'\n  condition: sel\n") "---\n" RULE(
            "52", "  sel:\n    CommandLine|contains: 'aaab'\n  "
                  "condition: sel\n"));
    ww_event_t ev;
    ww_event_init(&ev);
    for (int i = 0; i < 2; i++) {
        char why[200];
        assert_int_equal(ww_detect_ctx_regex_errors(e->ctx[i]), 0);
        assert_null(ww_detect_ctx_regex_error_rule(e->ctx[i], why, sizeof why));
        assert_string_equal(why, "");
    }
    /* Answered at once: a match, and an early mismatch. */
    sysmon(&ev, 1);
    add(&ev, "CommandLine", "aaaaaaaa", WW_F_STR);
    assert_string_equal(run(e, &ev), "51");
    sysmon(&ev, 1);
    add(&ev, "CommandLine", "baaaa", WW_F_STR);
    assert_string_equal(run(e, &ev), "");
    for (int i = 0; i < 2; i++)
        assert_int_equal(ww_detect_ctx_regex_errors(e->ctx[i]), 0);

    /* 2^60 ways to split the a's before the final b: far past the match limit. */
    char v[128];
    memset(v, 'a', 60);
    v[60] = 'b';
    v[61] = 0;
    sysmon(&ev, 1);
    add(&ev, "CommandLine", v, WW_F_STR);
    assert_string_equal(run(e, &ev), "52");
    sysmon(&ev, 1);
    add(&ev, "CommandLine", v, WW_F_STR);
    assert_string_equal(run(e, &ev), "52");
    for (int i = 0; i < 2; i++) {
        char why[200];
        assert_int_equal(ww_detect_ctx_regex_errors(e->ctx[i]), 2);
        const ww_sigma_rule_t *r = ww_detect_ctx_regex_error_rule(e->ctx[i], why, sizeof why);
        assert_non_null(r);
        assert_string_equal(r->title, "51");
        assert_non_null(strstr(why, "limit"));
    }
    ww_event_release(&ev);
    eng_free(e);
}

/* A regex the loader accepted but PCRE2 refuses (here: the AST is altered after
 * loading, standing for a loader that does not validate) leaves the rule out with an
 * error; the others still run. */
static void test_engine_rejects_regex(void **state)
{
    (void)state;
    static char bad[] = "a(b";
    ww_sigma_ruleset_t *rs = ww_sigma_ruleset_new();
    const char *y = RULE("43", "  sel:\n    CommandLine|re: 'ab'\n  condition: sel\n") "---\n" RULE(
        "44", "  sel:\n    CommandLine|contains: 'ab'\n  condition: sel\n");
    assert_int_equal(ww_sigma_load_buffer(rs, "t.yml", y, strlen(y)), 2);
    ww_sigma_finish(rs);
    const ww_sigma_rule_t *r = ww_sigma_find(rs, "00000000-0000-0000-0000-000000000043");
    assert_non_null(r);
    assert_int_equal(r->items[0]->vals[0].alts[0].kind, WW_MATCH_RE);
    ((ww_sigma_match_t *)&r->items[0]->vals[0].alts[0])->re = bad;
    ww_detect_t *d;
    ww_detect_ctx_t *ctx;
    assert_int_equal(ww_detect_compile(rs, NULL, &d), 0);
    assert_int_equal(ww_detect_rule_count(d), 1);
    assert_int_equal(ww_detect_error_count(d), 1);
    assert_non_null(strstr(ww_detect_error(d, 0)->msg, "regular expression"));
    assert_string_equal(ww_detect_error(d, 0)->title, "43");
    assert_int_equal(ww_detect_ctx_new(d, &ctx), 0);
    ww_event_t ev;
    ww_event_init(&ev);
    sysmon(&ev, 1);
    add(&ev, "CommandLine", "xaby", WW_F_STR);
    hits_t h = {0};
    assert_int_equal(ww_detect_event(ctx, &ev, on_match, &h), 1);
    assert_string_equal(h.titles[0], "44");
    ww_event_release(&ev);
    ww_detect_ctx_free(ctx);
    ww_detect_unref(d);
    ww_sigma_ruleset_free(rs);
}

/* ---- keywords -------------------------------------------------------------------- */

static void test_keywords(void **state)
{
    (void)state;
    eng_t *e = eng_new("title: kw\nid: 00000000-0000-0000-0000-000000000051\n"
                       "logsource:\n  product: linux\n"
                       "detection:\n  keywords:\n    - 'failed password'\n    - 'segfault at'\n"
                       "  condition: keywords\n"
                       "---\n"
                       "title: kwall\nid: 00000000-0000-0000-0000-000000000052\n"
                       "logsource: {}\n"
                       "detection:\n  keywords:\n    '|all':\n      - 'alpha'\n      - 'beta'\n"
                       "  condition: keywords\n");
    ww_event_t ev;
    ww_event_init(&ev);

    /* a text line: the raw line is searched */
    ww_event_reset(&ev);
    ev.kind = WW_EV_TEXT;
    ev.product = WW_STR("linux");
    ev.raw = WW_STR("Jan 1 sshd[1]: FAILED PASSWORD for root");
    assert_string_equal(run(e, &ev), "kw");

    /* a syslog event: fields and the raw line */
    ww_event_reset(&ev);
    ev.kind = WW_EV_SYSLOG;
    ev.product = WW_STR("linux");
    ev.raw = WW_STR("<13>Jan 1 host kernel: beta");
    add(&ev, "message", "alpha", WW_F_STR);
    assert_string_equal(run(e, &ev), "kwall");

    /* a JSON event: every string value */
    ww_event_reset(&ev);
    ev.kind = WW_EV_JSON;
    add(&ev, "a.b", "xx ALPHA yy", WW_F_STR);
    add(&ev, "c", "beta", WW_F_STR);
    assert_string_equal(run(e, &ev), "kwall");
    ww_event_reset(&ev);
    ev.kind = WW_EV_JSON;
    add(&ev, "a.b", "alpha", WW_F_STR);
    assert_string_equal(run(e, &ev), "");

    /* the linux rule does not fire on a Windows event */
    sysmon(&ev, 1);
    add(&ev, "CommandLine", "failed password", WW_F_STR);
    assert_string_equal(run(e, &ev), "");

    ww_event_release(&ev);
    eng_free(e);
}

/* ---- routing --------------------------------------------------------------------- */

static void test_routing(void **state)
{
    (void)state;
    eng_t *e = eng_new(RULE(
        "61",
        "  sel:\n    Image|endswith: '\\cmd.exe'\n"
        "    ParentImage|endswith: '\\winword.exe'\n  condition: sel\n") "---\n"
                                                                         "title: 62\nid: "
                                                                         "00000000-0000-0000-0000-"
                                                                         "000000000062\n"
                                                                         "logsource:\n  product: "
                                                                         "windows\n  service: "
                                                                         "security\n"
                                                                         "detection:\n  sel:\n    "
                                                                         "EventID: 4625\n  "
                                                                         "condition: sel\n"
                                                                         "---\n"
                                                                         "title: 63\nid: "
                                                                         "00000000-0000-0000-0000-"
                                                                         "000000000063\n"
                                                                         "logsource:\n  product: "
                                                                         "linux\n  service: auth\n"
                                                                         "detection:\n  sel:\n    "
                                                                         "message|contains: "
                                                                         "'session opened'\n  "
                                                                         "condition: sel\n"
                                                                         "---\n"
                                                                         "title: 64\nid: "
                                                                         "00000000-0000-0000-0000-"
                                                                         "000000000064\n"
                                                                         "logsource:\n  product: "
                                                                         "windows\n  service: "
                                                                         "powershell\n"
                                                                         "detection:\n  sel:\n    "
                                                                         "EventID: 4104\n  "
                                                                         "condition: sel\n"
                                                                         "---\n"
                                                                         "title: 65\nid: "
                                                                         "00000000-0000-0000-0000-"
                                                                         "000000000065\n"
                                                                         "logsource:\n  product: "
                                                                         "windows\n  category: "
                                                                         "registry_add\n"
                                                                         "detection:\n  sel:\n    "
                                                                         "TargetObject|contains: "
                                                                         "'Run'\n  condition: sel\n"
                                                                         "---\n"
                                                                         "title: 66\nid: "
                                                                         "00000000-0000-0000-0000-"
                                                                         "000000000066\n"
                                                                         "logsource:\n  product: "
                                                                         "windows\n"
                                                                         "detection:\n  sel:\n    "
                                                                         "Foo: bar\n  condition: "
                                                                         "sel\n");
    ww_event_t ev;
    ww_event_init(&ev);

    /* Sysmon 1 */
    sysmon(&ev, 1);
    add(&ev, "Image", "C:\\Windows\\System32\\cmd.exe", WW_F_STR);
    add(&ev, "ParentImage", "C:\\Office\\WINWORD.EXE", WW_F_STR);
    assert_string_equal(run(e, &ev), "61");
    /* the same on another Sysmon EventID: not routed */
    sysmon(&ev, 3);
    add(&ev, "Image", "C:\\Windows\\System32\\cmd.exe", WW_F_STR);
    add(&ev, "ParentImage", "C:\\Office\\WINWORD.EXE", WW_F_STR);
    assert_string_equal(run(e, &ev), "");
    /* Security 4688: renamed fields */
    winev(&ev, "Security", 4688);
    add(&ev, "NewProcessName", "C:\\Windows\\System32\\cmd.exe", WW_F_STR);
    add(&ev, "ParentProcessName", "C:\\Office\\WINWORD.EXE", WW_F_STR);
    assert_string_equal(run(e, &ev), "61");
    /* ... and the Sysmon names do not count there */
    winev(&ev, "Security", 4688);
    add(&ev, "Image", "C:\\Windows\\System32\\cmd.exe", WW_F_STR);
    add(&ev, "ParentImage", "C:\\Office\\WINWORD.EXE", WW_F_STR);
    assert_string_equal(run(e, &ev), "");

    /* service security -> Channel Security; any EventID */
    winev(&ev, "security", 4625);
    assert_string_equal(run(e, &ev), "62");
    winev(&ev, "System", 4625);
    assert_string_equal(run(e, &ev), "");

    /* service powershell -> two channels */
    winev(&ev, "PowerShellCore/Operational", 4104);
    assert_string_equal(run(e, &ev), "64");
    winev(&ev, "Microsoft-Windows-PowerShell/Operational", 4104);
    assert_string_equal(run(e, &ev), "64");

    /* registry_add: Sysmon 12 with EventType CreateKey only */
    sysmon(&ev, 12);
    add(&ev, "EventType", "CreateKey", WW_F_STR);
    add(&ev, "TargetObject", "HKLM\\...\\Run\\x", WW_F_STR);
    assert_string_equal(run(e, &ev), "65");
    sysmon(&ev, 12);
    add(&ev, "EventType", "DeleteKey", WW_F_STR);
    add(&ev, "TargetObject", "HKLM\\...\\Run\\x", WW_F_STR);
    assert_string_equal(run(e, &ev), "");

    /* product windows alone: any Windows event */
    winev(&ev, "Some/Channel", 7);
    add(&ev, "Foo", "BAR", WW_F_STR);
    assert_string_equal(run(e, &ev), "66");
    /* ... but not a JSON event with the same field */
    ww_event_reset(&ev);
    ev.kind = WW_EV_JSON;
    add(&ev, "Foo", "bar", WW_F_STR);
    assert_string_equal(run(e, &ev), "");

    /* linux auth: sshd syslog event */
    ww_event_reset(&ev);
    ev.kind = WW_EV_SYSLOG;
    ev.product = WW_STR("linux");
    ev.service = WW_STR("sshd");
    add(&ev, "message", "pam_unix(sshd:session): session opened for user", WW_F_STR);
    assert_string_equal(run(e, &ev), "63");
    /* ... not from a Windows event with the same field */
    winev(&ev, "Security", 4624);
    add(&ev, "message", "session opened", WW_F_STR);
    assert_string_equal(run(e, &ev), "");
    /* ... nor from a linux program outside the auth log */
    ww_event_reset(&ev);
    ev.kind = WW_EV_SYSLOG;
    ev.product = WW_STR("linux");
    ev.service = WW_STR("kernel");
    add(&ev, "message", "session opened", WW_F_STR);
    assert_string_equal(run(e, &ev), "");

    ww_event_release(&ev);
    eng_free(e);
}

/* Matches come once per rule, in ruleset order, also when two variants match. */
/* EventIDs named by a condition route the rule (it is left out of other EventIDs'
   lists), but only for a "regular" EventID field: a repeated field or one that does
   not read back as the event's EventID takes the full lists, so the answer is the
   one evaluation gives (and the same as the reference path's). */
static void test_condition_eventids(void **state)
{
    (void)state;
    eng_t *e = eng_new("title: c16\nid: 00000000-0000-0000-0000-0000000000c1\n"
                       "logsource:\n  product: windows\n  service: sysmon\n"
                       "detection:\n  sel:\n    EventID: 16\n  condition: sel\n"
                       "---\n"
                       "title: c1or3\nid: 00000000-0000-0000-0000-0000000000c2\n"
                       "logsource:\n  product: windows\n  service: sysmon\n"
                       "detection:\n  a:\n    EventID: [1, 3]\n  b:\n    Image|endswith: 'x.exe'\n"
                       "  condition: a and b\n"
                       "---\n"
                       "title: cnot\nid: 00000000-0000-0000-0000-0000000000c3\n"
                       "logsource:\n  product: windows\n  service: sysmon\n"
                       "detection:\n  a:\n    EventID: 16\n  condition: not a\n"
                       "---\n"
                       "title: cstr\nid: 00000000-0000-0000-0000-0000000000c4\n"
                       "logsource:\n  product: windows\n  service: sysmon\n"
                       "detection:\n  a:\n    EventID: '22'\n  condition: a\n"
                       "---\n"
                       "title: cnone\nid: 00000000-0000-0000-0000-0000000000c5\n"
                       "logsource:\n  product: windows\n  service: sysmon\n"
                       "detection:\n  a:\n    EventID: 1\n  b:\n    EventID: 3\n"
                       "  condition: a and b\n");
    ww_event_t ev;
    ww_event_init(&ev);
    sysmon(&ev, 16);
    assert_string_equal(run(e, &ev), "c16");
    sysmon(&ev, 1);
    add(&ev, "Image", "C:\\x.exe", WW_F_STR);
    assert_string_equal(run(e, &ev), "c1or3,cnot");
    sysmon(&ev, 3);
    add(&ev, "Image", "C:\\x.exe", WW_F_STR);
    assert_string_equal(run(e, &ev), "c1or3,cnot");
    sysmon(&ev, 22);
    assert_string_equal(run(e, &ev), "cnot,cstr");
    sysmon(&ev, 7);
    assert_string_equal(run(e, &ev), "cnot");

    /* Irregular: a second EventID field 16 on an event of EventID 1 (the routing key
       is the first); the rule on 16 still matches by its field. */
    sysmon(&ev, 1);
    add(&ev, "EventID", "16", WW_F_INT);
    assert_int_equal(ev.event_id, 1);
    assert_string_equal(run(e, &ev), "c16");
    /* "16.0" is 16 to a numeric matcher but not to the routing key (event_id -1). */
    ww_event_reset(&ev);
    add(&ev, "EventID", "16.0", WW_F_STR);
    add(&ev, "Channel", "Microsoft-Windows-Sysmon/Operational", WW_F_STR);
    ww_event_finish_windows(&ev);
    assert_string_equal(run(e, &ev), "c16");
    /* " 22" does not read as an EventID; the rule's string '22' needs the exact text. */
    ww_event_reset(&ev);
    add(&ev, "EventID", " 22", WW_F_STR);
    add(&ev, "Channel", "Microsoft-Windows-Sysmon/Operational", WW_F_STR);
    ww_event_finish_windows(&ev);
    assert_string_equal(run(e, &ev), "cnot");

    /* The refined lists really leave the rule out: the EventID 1 list of the Sysmon
       channel holds c1or3 and cnot but not c16, cstr or cnone. */
    const ww_detect_t *d = e->d[0];
    const ww__source_t *src = NULL;
    for (uint32_t i = 0; i < d->chan_map.cap; i++)
        if (d->chan_map.keys[i] &&
            strcmp(d->chan_map.keys[i], "microsoft-windows-sysmon/operational") == 0)
            src = &d->chans[d->chan_map.vals[i]];
    assert_non_null(src);
    const ww__vlist_t *l1 = NULL;
    for (uint32_t i = 0; i < src->neids; i++)
        if (src->eids[i].eid == 1)
            l1 = &src->eids[i].list;
    assert_non_null(l1);
    assert_int_equal(l1->n, 2);
    assert_int_equal(src->any.n, 1); /* cnot */
    ww_event_release(&ev);
    eng_free(e);
}

/* A window that many of the ruleset's literals share ("imphash=") makes a poor gram:
   each literal gets one of its own instead, and matching is unchanged. */
static void test_gram_choice(void **state)
{
    (void)state;
    eng_t *e = eng_new(RULE("71", "  sel:\n    Hashes|contains:\n"
                                  "      - 'IMPHASH=0A1B2C3D4E5F60718293A4B5C6D7E8F9'\n"
                                  "      - 'IMPHASH=11223344556677889900AABBCCDDEEFF'\n"
                                  "      - 'IMPHASH=F0E1D2C3B4A5968778695A4B3C2D1E0F'\n"
                                  "      - 'IMPHASH=0123456789ABCDEF0123456789ABCDEF'\n"
                                  "  condition: sel\n"));
    const ww_detect_t *d = e->d[0];
    const ww__ditem_t *it = &d->rules[0].items[0];
    uint64_t common = 0;
    for (const char *c = "imphash="; *c; c++)
        common = common << 8 | (unsigned char)*c;
    assert_int_equal(it->nvals, 4);
    for (uint32_t v = 0; v < it->nvals; v++) {
        uint32_t g = it->vals[v].alts[0].gram;
        assert_int_not_equal(g, UINT32_MAX);
        assert_false(d->glenid[g] == 8 && d->gkeyid[g] == common);
        for (uint32_t w = 0; w < v; w++)
            assert_int_not_equal(g, it->vals[w].alts[0].gram);
    }
    ww_event_t ev;
    ww_event_init(&ev);
    sysmon(&ev, 1);
    add(&ev, "Hashes", "SHA1=00,MD5=11,IMPHASH=F0E1D2C3B4A5968778695A4B3C2D1E0F", WW_F_STR);
    assert_string_equal(run(e, &ev), "71");
    sysmon(&ev, 1);
    add(&ev, "Hashes", "SHA1=00,MD5=11,IMPHASH=F0E1D2C3B4A5968778695A4B3C2D1E00", WW_F_STR);
    assert_string_equal(run(e, &ev), "");
    ww_event_release(&ev);
    eng_free(e);
}

static void test_order_and_once(void **state)
{
    (void)state;
    eng_t *e =
        eng_new("title: b\nid: 00000000-0000-0000-0000-000000000071\nlogsource: {}\n"
                "detection:\n  sel:\n    X: 1\n  condition: sel\n"
                "---\n"
                "title: a\nid: 00000000-0000-0000-0000-000000000072\n"
                "logsource:\n  product: windows\n"
                "detection:\n  sel:\n    X: 1\n  condition: sel\n"
                "---\n"
                "title: c\nid: 00000000-0000-0000-0000-000000000073\n"
                "logsource:\n  category: antivirus\n"
                "detection:\n  sel:\n    Signature|contains: 'mimikatz'\n  condition: sel\n");
    ww_event_t ev;
    ww_event_init(&ev);
    winev(&ev, "Microsoft-Windows-Windows Defender/Operational", 1116);
    add(&ev, "X", "1", WW_F_INT);
    add(&ev, "ThreatName", "HackTool:Win32/Mimikatz", WW_F_STR);
    assert_string_equal(run(e, &ev), "b,a,c");
    /* the generic antivirus route: a decoder that says category antivirus */
    ww_event_reset(&ev);
    ev.kind = WW_EV_JSON;
    ev.category = WW_STR("antivirus");
    add(&ev, "Signature", "mimikatz", WW_F_STR);
    assert_string_equal(run(e, &ev), "c");
    ww_event_release(&ev);
    eng_free(e);
}

/* Reference counting: the program outlives its creator's reference while a context
 * holds it. */
/* CIDR items read a value as inet_pton does (the inline IPv4 parser must agree with it
 * on every form: leading zeros, missing or extra parts, octets past 255, a NUL inside,
 * blanks and brackets around), and a value's address is parsed once for all the
 * networks of an item; numeric items read integers of a string value exactly. */
static void test_cidr_as_inet_pton(void **state)
{
    (void)state;
    eng_t *e = eng_new(
        RULE("31", "  sel:\n    DestinationIp|cidr:\n      - 10.0.0.0/8\n"
                   "      - 0.0.0.0/0\n      - 192.168.1.0/24\n"
                   "  condition: sel\n") "---\n" RULE("32", "  sel:\n    DestinationPort|gte: 443\n"
                                                            "  condition: sel\n"));
    static const char *const vals[] = {
        "10.1.2.3", "1.2.3.4",  "0.0.0.0",   "255.255.255.255", "256.1.1.1",       "01.2.3.4",
        "1.02.3.4", "1.2.3.04", "0.1.2.3",   "1.2.3",           "1.2.3.4.",        "1.2.3.4.5",
        ".1.2.3.4", "1..2.3",   "1.2.3.4 ",  " 10.0.0.1",       "[10.0.0.1]",      "1.2.3.4a",
        "a1.2.3.4", "1.2.3.-4", "1.2.3.+4",  "1.2.3.4/8",       "1.2.3.1000",      "::ffff:1.2.3.4",
        "::1",      "",         "1.2.3.4\t", "192.168.1.9",     "4294967296.1.1.1"};
    ww_event_t ev;
    ww_event_init(&ev);
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        /* What inet_pton makes of the value (trimmed and unbracketed as the matcher
           does): any address of either family is in 0.0.0.0/0 or not IPv4. */
        char buf[64];
        const char *v = vals[i];
        size_t n = strlen(v);
        while (n && (*v == ' ' || *v == '\t'))
            v++, n--;
        while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
            n--;
        if (n >= 2 && v[0] == '[' && v[n - 1] == ']')
            v++, n -= 2;
        memcpy(buf, v, n);
        buf[n] = 0;
        unsigned char a[16];
        bool v4 = inet_pton(AF_INET, buf, a) == 1;
        bool mapped = !v4 && inet_pton(AF_INET6, buf, a) == 1 &&
                      memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0;
        sysmon(&ev, 1);
        add(&ev, "DestinationIp", vals[i], WW_F_STR);
        const char *want = v4 || mapped ? "31" : "";
        if (strcmp(run(e, &ev), want) != 0)
            fail_msg("cidr of \"%s\": want \"%s\"", vals[i], want);
    }
    /* A value with a NUL inside is read up to it, as inet_pton reads a C string. */
    sysmon(&ev, 1);
    assert_int_equal(
        ww_event_add(&ev, WW_STR("DestinationIp"), (ww_str_t){"10.0.0.1\0x", 10}, WW_F_STR), 0);
    assert_string_equal(run(e, &ev), "31");

    static const struct {
        const char *v;
        const char *want;
    } nums[] = {{"443", "32"},
                {"+443", "32"},
                {"0443", "32"},
                {"442", ""},
                {"-443", ""},
                {"443.0", "32"},
                {"4.43e2", "32"},
                {"", ""},
                {"-", ""},
                {"+", ""},
                {"123456789012345", "32"},
                {"1234567890123456", "32"},
                {"44 3", ""},
                {"-0", ""}};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        sysmon(&ev, 1);
        add(&ev, "DestinationPort", nums[i].v, WW_F_STR);
        if (strcmp(run(e, &ev), nums[i].want) != 0)
            fail_msg("number \"%s\": want \"%s\"", nums[i].v, nums[i].want);
    }
    double x;
    assert_int_equal(ww_parse_double("-0", 2, &x), 0);
    assert_true(x == 0 && signbit(x));
    assert_int_equal(ww_parse_double("+007", 4, &x), 0);
    assert_true(x == 7);
    assert_int_equal(ww_parse_double("999999999999999", 15, &x), 0);
    assert_true(x == 999999999999999.0);
    assert_int_equal(ww_parse_double("-", 1, &x), WW_EPARSE);
    ww_event_release(&ev);
    eng_free(e);
}

static void test_refcount(void **state)
{
    (void)state;
    eng_t *e = eng_new(RULE("81", "  sel:\n    Image: x\n  condition: sel\n"));
    ww_detect_t *d = ww_detect_ref(e->d[0]);
    ww_detect_unref(d);
    ww_event_t ev;
    ww_event_init(&ev);
    sysmon(&ev, 1);
    add(&ev, "Image", "X", WW_F_STR);
    assert_string_equal(run(e, &ev), "81");
    ww_event_release(&ev);
    eng_free(e);
}

static void test_glob_direct(void **state)
{
    (void)state;
    ww_glob_part_t p[] = {{WW_GLOB_STAR, 0, NULL}, {WW_GLOB_LIT, 2, "ab"},  {WW_GLOB_ONE, 0, NULL},
                          {WW_GLOB_LIT, 1, "d"},   {WW_GLOB_STAR, 0, NULL}, {WW_GLOB_LIT, 1, "z"}};
    assert_true(ww__glob_match(p, 6, "xxabcdyz", 8));
    assert_true(ww__glob_match(p, 6, "ababxdz", 7));
    assert_false(ww__glob_match(p, 6, "abdz", 4));
    assert_false(ww__glob_match(p, 6, "abcdzq", 6));
    assert_true(ww__glob_match(p, 0, "", 0));
    assert_false(ww__glob_match(p, 0, "a", 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_glob_direct),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_null_empty_absent),
        cmocka_unit_test(test_other_matchers),
        cmocka_unit_test(test_bad_regex_left_out),
        cmocka_unit_test(test_engine_rejects_regex),
        cmocka_unit_test(test_regex_limit_counted),
        cmocka_unit_test(test_keywords),
        cmocka_unit_test(test_routing),
        cmocka_unit_test(test_order_and_once),
        cmocka_unit_test(test_refcount),
        cmocka_unit_test(test_prefilter_literals),
        cmocka_unit_test(test_condition_eventids),
        cmocka_unit_test(test_gram_choice),
        cmocka_unit_test(test_cidr_as_inet_pton),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
