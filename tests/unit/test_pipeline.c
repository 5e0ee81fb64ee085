/* Unit tests for lib/pipeline: messages in, hits out.  The sink sees the same hits in
 * the same order for 1, 2 and 4 threads; a multi-line syslog frame decodes as rsyslog
 * would have written it (#012) and stays one record; a JSON object with raw newlines
 * stays one record; a malformed JSON message is reported with its own index while its
 * neighbours still decode; correlations name their events by (source, index); done()
 * gets every batch's mark in order. */
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
    char log[8192];
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
    ww_pipe_sink_t sink = {hit, NULL, bad, done, out};
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hits),
        cmocka_unit_test(test_threads_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
