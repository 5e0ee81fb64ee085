/* Unit tests for lib/pipeline: messages in, hits out.  The sink sees the same hits in
 * the same order for 1, 2 and 4 threads; a multi-line syslog frame decodes as rsyslog
 * would have written it (#012) and stays one record; a JSON object with raw newlines
 * stays one record; a malformed JSON message is reported with its own index while its
 * neighbours still decode; correlations name their events by (source, index); done()
 * gets every batch's mark in order.  Events the owner decodes and ranges the workers
 * decode give the same hits, numbered and lined as one reader numbers them; a range with
 * a bad record fails its run there; a deferred call runs after every batch before it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pipeline/ww_pipeline.h"

static const char *RULES =
    "title: SSH failure\n"
    "id: 11111111-1111-1111-1111-111111111111\n"
    "name: t_ssh_fail\n"
    "logsource: {product: linux, service: sshd}\n"
    "detection:\n"
    "  sel: {outcome: failure}\n"
    "  condition: sel\n"
    "level: low\n"
    "---\n"
    "title: Three SSH failures\n"
    "id: 22222222-2222-2222-2222-222222222222\n"
    "correlation: {type: event_count, rules: [t_ssh_fail], group-by: [host], timespan: 5m,"
    " condition: {gte: 3}}\n"
    "level: high\n"
    "---\n"
    "title: Suspicious process\n"
    "id: 33333333-3333-3333-3333-333333333333\n"
    "logsource: {product: windows, category: process_creation}\n"
    "detection:\n"
    "  sel: {Image|endswith: '\\mimikatz.exe'}\n"
    "  condition: sel\n"
    "level: critical\n"
    "---\n"
    "title: Multi-line message\n"
    "id: 44444444-4444-4444-4444-444444444444\n"
    "logsource: {product: linux}\n"
    "detection:\n"
    "  keywords: ['line one#012line two']\n"
    "  condition: keywords\n"
    "level: medium\n";

typedef struct rec {
    char log[16384];
    size_t n;
    int bad;
    uint64_t marks[64];
    int nmarks;
} rec_t;

static void hit(void *ud, const ww_pipe_hit_t *h)
{
    rec_t *r = ud;
    r->n += (size_t)snprintf(r->log + r->n, sizeof r->log - r->n, "%s@%u:%llu%s;", h->rule->title,
                             h->source, (unsigned long long)h->index, h->corr ? "(corr)" : "");
    if (h->line)
        r->n += (size_t)snprintf(r->log + r->n, sizeof r->log - r->n, "L%llu;",
                                 (unsigned long long)h->line);
    if (h->corr) /* refs name the three events by source and index */
        for (uint32_t i = 0; i < h->corr->nrefs; i++)
            r->n += (size_t)snprintf(r->log + r->n, sizeof r->log - r->n, "ref %u:%llu;",
                                     WW_PIPE_REF_SOURCE(h->corr->refs[i]),
                                     (unsigned long long)WW_PIPE_REF_INDEX(h->corr->refs[i]));
}

static void bad(void *ud, uint32_t source, uint64_t index, const ww_diag_t *d)
{
    rec_t *r = ud;
    r->bad++;
    r->n += (size_t)snprintf(r->log + r->n, sizeof r->log - r->n, "BAD@%u:%llu;", source,
                             (unsigned long long)index);
    assert_true(d->msg[0] != 0);
}

static void done(void *ud, uint64_t mark)
{
    rec_t *r = ud;
    if (r->nmarks < 64)
        r->marks[r->nmarks++] = mark;
}

static void run(int threads, rec_t *out, int copies)
{
    ww_sigma_ruleset_t *rs = ww_sigma_ruleset_new();
    assert_true(ww_sigma_load_buffer(rs, "t.yml", RULES, strlen(RULES)) > 0);
    assert_int_equal(ww_sigma_finish(rs), 0);
    for (uint32_t i = 0; i < ww_sigma_error_count(rs); i++)
        print_error("rule error: %s\n", ww_sigma_error(rs, i)->msg);
    assert_int_equal(ww_sigma_error_count(rs), 0);
    ww_detect_t *prog = NULL;
    ww_corr_t *corr = NULL;
    assert_int_equal(ww_detect_compile(rs, NULL, &prog), 0);
    assert_int_equal(ww_corr_new(rs, NULL, &corr), 0);
    memset(out, 0, sizeof *out);
    ww_pipe_sink_t sink = {.hit = hit, .bad = bad, .done = done, .ud = out};
    ww_pipe_t *p = NULL;
    assert_int_equal(ww_pipe_new(prog, corr, threads, &sink, &p), 0);
    const char *fail = "<38>Dec  3 10:00:0%d web01 sshd[1]: Failed password for root from "
                       "10.0.0.9 port 5555 ssh2";
    uint64_t idx = 0;
    for (int c = 0; c < copies; c++) {
        for (int i = 0; i < 3; i++) {
            char m[200];
            snprintf(m, sizeof m, fail, i);
            assert_int_equal(ww_pipe_add_message(p, 7, WW_FMT_SYSLOG, idx, idx, m, strlen(m)), 0);
            idx++;
        }
        const char *multi = "<38>Dec  3 10:00:05 web01 app: line one\nline two";
        assert_int_equal(ww_pipe_add_message(p, 7, WW_FMT_SYSLOG, idx, idx, multi, strlen(multi)),
                         0);
        idx++;
        const char *json[] = {
            "{\"EventID\": 1, \"Channel\": \"Microsoft-Windows-Sysmon/Operational\",\n"
            " \"Image\": \"C:\\\\t\\\\mimikatz.exe\", \"Computer\": \"ws1\"}",
            "{\"EventID\": 1, \"Image\": ", /* broken */
            "{\"EventID\": 1, \"Channel\": \"Microsoft-Windows-Sysmon/Operational\","
            " \"Image\": \"C:\\\\x\\\\MIMIKATZ.EXE\", \"Computer\": \"ws2\"}",
        };
        for (int i = 0; i < 3; i++) {
            assert_int_equal(
                ww_pipe_add_message(p, 9, WW_FMT_JSON, idx, idx, json[i], strlen(json[i])), 0);
            idx++;
        }
    }
    ww_pipe_finish(p);
    ww_pipe_stats_t st;
    ww_pipe_get_stats(p, &st);
    assert_int_equal(st.messages, idx);
    assert_int_equal(st.bad, (uint64_t)copies);
    ww_pipe_free(p);
    ww_corr_free(corr);
    ww_detect_unref(prog);
    ww_sigma_ruleset_free(rs);
}

static void test_hits(void **state)
{
    (void)state;
    rec_t r;
    run(1, &r, 1);
    /* The base rule feeds the correlation and does not alert on its own (Sigma's
       `generate: false` default). */
    const char *want = "Three SSH failures@7:0(corr);ref 7:0;ref 7:1;ref 7:2;"
                       "Multi-line message@7:3;Suspicious process@9:4;BAD@9:5;"
                       "Suspicious process@9:6;";
    assert_string_equal(r.log, want);
    assert_int_equal(r.bad, 1);
}

static void test_threads_agree(void **state)
{
    (void)state;
    static rec_t one, two, four;
    run(1, &one, 40);
    run(2, &two, 40);
    run(4, &four, 40);
    assert_string_equal(one.log, two.log);
    assert_string_equal(one.log, four.log);
    /* Marks arrive in submission order, whatever the threads. */
    assert_int_equal(one.nmarks, two.nmarks);
    for (int i = 0; i < one.nmarks; i++) {
        assert_int_equal(one.marks[i], two.marks[i]);
        assert_int_equal(one.marks[i], four.marks[i]);
        if (i)
            assert_true(one.marks[i] > one.marks[i - 1]);
    }
}

/* ---- events and ranges ---- */

#define JLINES 1000
#define JBAD 700 /* the broken line (0-based) */

static char *json_lines(size_t *len)
{
    size_t cap = JLINES * 200, n = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    for (int i = 0; i < JLINES; i++) {
        if (i == JBAD)
            n += (size_t)snprintf(buf + n, cap - n, "{\"EventID\": 1, \"Image\": ]}\n");
        else
            n += (size_t)snprintf(buf + n, cap - n,
                                  "{\"EventID\": 1, \"Channel\": "
                                  "\"Microsoft-Windows-Sysmon/Operational\", \"Image\": "
                                  "\"C:\\\\t\\\\%s.exe\", \"Computer\": \"ws%d\"}\n",
                                  i % 7 ? "notepad" : "mimikatz", i);
    }
    *len = n;
    return buf;
}

typedef struct deferred {
    rec_t *r;
    size_t log_at; /* the log's length when the deferred call ran */
    int calls;
} deferred_t;

static void on_deferred(void *arg)
{
    deferred_t *d = arg;
    d->log_at = d->r->n;
    d->calls++;
}

/* Decodes the lines on the owner's thread, one event after another. */
static void run_events(int threads, rec_t *out)
{
    ww_sigma_ruleset_t *rs = ww_sigma_ruleset_new();
    assert_true(ww_sigma_load_buffer(rs, "t.yml", RULES, strlen(RULES)) > 0);
    assert_int_equal(ww_sigma_finish(rs), 0);
    ww_detect_t *prog = NULL;
    assert_int_equal(ww_detect_compile(rs, NULL, &prog), 0);
    memset(out, 0, sizeof *out);
    ww_pipe_sink_t sink = {.hit = hit, .ud = out};
    ww_pipe_t *p = NULL;
    assert_int_equal(ww_pipe_new(prog, NULL, threads, &sink, &p), 0);
    size_t len;
    char *buf = json_lines(&len);
    ww_reader_t *r = NULL;
    ww_diag_t d = {0};
    assert_int_equal(ww_reader_open_mem("lines", buf, len, WW_FMT_JSON, &r, &d), 0);
    int rc, bad = 0;
    for (;;) {
        ww_event_t *ev = ww_pipe_event_slot(p, WW_FMT_JSON);
        assert_non_null(ev);
        if ((rc = ww_reader_next(r, ev, &d)) == 0)
            break;
        if (rc < 0) {
            bad++;
            continue;
        }
        ww_pipe_event_commit(p, 3, ww_reader_index(r), ww_reader_line(r, ev));
    }
    assert_int_equal(bad, 1);
    deferred_t df = {out, 0, 0};
    ww_pipe_defer(p, on_deferred, &df);
    ww_pipe_finish(p);
    assert_int_equal(df.calls, 1);
    assert_int_equal(df.log_at, out->n); /* after every hit */
    ww_reader_free(r);
    ww_pipe_free(p);
    free(buf);
    ww_detect_unref(prog);
    ww_sigma_ruleset_free(rs);
}

/* Hands the lines out as ranges of 50 lines; the run fails at the range of JBAD. */
static void run_ranges(int threads, rec_t *out)
{
    ww_sigma_ruleset_t *rs = ww_sigma_ruleset_new();
    assert_true(ww_sigma_load_buffer(rs, "t.yml", RULES, strlen(RULES)) > 0);
    assert_int_equal(ww_sigma_finish(rs), 0);
    ww_detect_t *prog = NULL;
    assert_int_equal(ww_detect_compile(rs, NULL, &prog), 0);
    memset(out, 0, sizeof *out);
    ww_pipe_sink_t sink = {.hit = hit, .ud = out};
    ww_pipe_t *p = NULL;
    assert_int_equal(ww_pipe_new(prog, NULL, threads, &sink, &p), 0);
    size_t len;
    char *buf = json_lines(&len);
    ww_reader_t *r = NULL;
    ww_diag_t d = {0};
    assert_int_equal(ww_reader_open_mem("lines", buf, len, WW_FMT_JSON, &r, &d), 0);
    assert_true(ww_reader_splittable(r));
    ww_pipe_ranges_begin(p, 3, r, 0);
    uint64_t pos = 0, bad_start = 0;
    int line = 0;
    while (pos < len) {
        uint64_t end = ww_reader_cut(r, pos, 50);
        if (line <= JBAD && JBAD < line + 50)
            bad_start = pos;
        if (ww_pipe_add_range(p, pos, end) != 0)
            break;
        pos = end;
        line += 50;
    }
    uint64_t done = 0, fail_at = 0;
    assert_int_equal(ww_pipe_ranges_end(p, &done, &fail_at), 1);
    assert_int_equal(done, JBAD / 50 * 50); /* the ranges before the bad one */
    assert_int_equal(fail_at, bad_start);
    ww_pipe_finish(p);
    ww_reader_free(r);
    ww_pipe_free(p);
    free(buf);
    ww_detect_unref(prog);
    ww_sigma_ruleset_free(rs);
}

static void test_events_and_ranges(void **state)
{
    (void)state;
    static rec_t ev1, ev3, rg1, rg3;
    run_events(1, &ev1);
    run_events(3, &ev3);
    assert_string_equal(ev1.log, ev3.log);
    /* Line 701 (1-based) is the first after the bad one: its record is index 701. */
    assert_non_null(strstr(ev1.log, "Suspicious process@3:0;L1;"));
    assert_non_null(strstr(ev1.log, "Suspicious process@3:707;L708;"));
    run_ranges(1, &rg1);
    run_ranges(3, &rg3);
    assert_string_equal(rg1.log, rg3.log);
    /* The ranges gave exactly the events' hits before the failed range. */
    const char *cut = strstr(ev1.log, "Suspicious process@3:707;"); /* the first hit >= 700 */
    assert_non_null(cut);
    assert_int_equal(rg1.n, (size_t)(cut - ev1.log));
    assert_memory_equal(rg1.log, ev1.log, rg1.n);
}

/* ---- sshd sessions across batches ---- */

typedef struct sess_rec {
    uint64_t index;
    char src_ip[64];
} sess_rec_t;

static void sess_event(void *ud, const ww_event_t *ev, uint32_t source, uint64_t index)
{
    sess_rec_t *r = ud;
    (void)source;
    if (index != r->index)
        return;
    const ww_field_t *f = ww_event_get(ev, WW_STRZ("src_ip"), NULL);
    if (f)
        snprintf(r->src_ip, sizeof r->src_ip, "%.*s", (int)f->value.n, f->value.p);
}

static void no_hit(void *ud, const ww_pipe_hit_t *h)
{
    (void)ud;
    (void)h;
}

/* An sshd line without an address gets its session's from a line 300 messages earlier,
 * in an earlier batch (syslog batches hold 128-512 messages), as it does in the file
 * rsyslog writes of the same stream. */
static void test_session_across_batches(void **state)
{
    (void)state;
    for (int threads = 1; threads <= 3; threads += 2) {
        ww_sigma_ruleset_t *rs = ww_sigma_ruleset_new();
        assert_true(ww_sigma_load_buffer(rs, "t.yml", RULES, strlen(RULES)) > 0);
        assert_int_equal(ww_sigma_finish(rs), 0);
        ww_detect_t *prog = NULL;
        assert_int_equal(ww_detect_compile(rs, NULL, &prog), 0);
        sess_rec_t r = {700, ""};
        ww_pipe_sink_t sink = {.hit = no_hit, .event = sess_event, .ud = &r};
        ww_pipe_t *p = NULL;
        assert_int_equal(ww_pipe_new(prog, NULL, threads, &sink, &p), 0);
        char m[200];
        for (uint64_t i = 0; i < 1100; i++) {
            if (i == 400)
                snprintf(m, sizeof m,
                         "<38>Dec  3 10:00:00 web01 sshd[4242]: Failed password for root "
                         "from 10.0.0.7 port 5000 ssh2");
            else if (i == 700)
                snprintf(m, sizeof m,
                         "<38>Dec  3 10:00:09 web01 sshd[4242]: Disconnecting authenticating "
                         "user root: Too many authentication failures [preauth]");
            else
                snprintf(m, sizeof m, "<30>Dec  3 10:00:01 db%02d cron[%u]: job %u done",
                         (int)(i % 7), (unsigned)(900 + i), (unsigned)i);
            assert_int_equal(ww_pipe_add_message(p, 1, WW_FMT_SYSLOG, i, i, m, strlen(m)), 0);
        }
        ww_pipe_finish(p);
        assert_string_equal(r.src_ip, "10.0.0.7");
        ww_pipe_free(p);
        ww_detect_unref(prog);
        ww_sigma_ruleset_free(rs);
    }
}

/* A server's restart seeds the history from the messages before its checkpoint
 * (ww_pipe_history_add), a reload hands it to the new pipeline (ww_pipe_history_copy):
 * either way the address-less line finds its session; without, it does not. */
static void test_history_seed_and_copy(void **state)
{
    (void)state;
    const char *open = "<38>Dec  3 10:00:00 web01 sshd[4242]: Failed password for root from "
                       "10.0.0.7 port 5000 ssh2";
    const char *cron = "<30>Dec  3 10:00:01 db01 cron[901]: job 1 done";
    const char *later = "<38>Dec  3 10:00:09 web01 sshd[4242]: Disconnecting authenticating "
                        "user root: Too many authentication failures [preauth]";
    ww_sigma_ruleset_t *rs = ww_sigma_ruleset_new();
    assert_true(ww_sigma_load_buffer(rs, "t.yml", RULES, strlen(RULES)) > 0);
    assert_int_equal(ww_sigma_finish(rs), 0);
    ww_detect_t *prog = NULL;
    assert_int_equal(ww_detect_compile(rs, NULL, &prog), 0);
    for (int how = 0; how < 3; how++) { /* none, seeded, copied */
        sess_rec_t r = {7, ""};
        ww_pipe_sink_t sink = {.hit = no_hit, .event = sess_event, .ud = &r};
        ww_pipe_t *p = NULL, *old = NULL;
        assert_int_equal(ww_pipe_new(prog, NULL, 2, &sink, &p), 0);
        if (how == 1) {
            assert_int_equal(ww_pipe_history_add(p, open, strlen(open)), 0);
            for (int i = 0; i < 3; i++)
                assert_int_equal(ww_pipe_history_add(p, cron, strlen(cron)), 0);
        } else if (how == 2) {
            sess_rec_t none = {UINT64_MAX, ""};
            ww_pipe_sink_t s0 = {.hit = no_hit, .event = sess_event, .ud = &none};
            assert_int_equal(ww_pipe_new(prog, NULL, 2, &s0, &old), 0);
            assert_int_equal(ww_pipe_add_message(old, 1, WW_FMT_SYSLOG, 1, 1, open, strlen(open)),
                             0);
            assert_int_equal(ww_pipe_add_message(old, 1, WW_FMT_SYSLOG, 2, 2, cron, strlen(cron)),
                             0);
            ww_pipe_drain(old);
            assert_int_equal(ww_pipe_history_copy(p, old), 0);
            ww_pipe_free(old);
        }
        assert_int_equal(ww_pipe_add_message(p, 1, WW_FMT_SYSLOG, 7, 7, later, strlen(later)), 0);
        ww_pipe_finish(p);
        assert_string_equal(r.src_ip, how ? "10.0.0.7" : "");
        ww_pipe_free(p);
    }
    ww_detect_unref(prog);
    ww_sigma_ruleset_free(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hits),
        cmocka_unit_test(test_threads_agree),
        cmocka_unit_test(test_events_and_ranges),
        cmocka_unit_test(test_session_across_batches),
        cmocka_unit_test(test_history_seed_and_copy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
