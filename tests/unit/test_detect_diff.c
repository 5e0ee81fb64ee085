/* Differential test of the literal prefilter against the reference path: the full
 * SigmaHQ ruleset is compiled twice (prefilter on, and opts.no_prefilter), then the OTRF
 * sample and every regression sample (JSON and EVTX) are run through both, and every
 * event must give the identical ordered list of matched rules -- for ALL rules, not just
 * each case's own.  Also checks that the prefilter is really active (its gram
 * table was built) and that the samples do produce matches.  Skips (77) without
 * $WW_SHARED. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "detect/ww_detect_int.h"

#define MAX_HITS 512

static ww_sigma_ruleset_t *g_rs;
static ww_detect_t *g_det, *g_ref;
static ww_detect_ctx_t *g_ctx, *g_refctx;
static char g_shared[1024];
static char g_src[1024];

typedef struct hits {
    uint32_t idx[MAX_HITS];
    uint32_t n;
} hits_t;

static void on_match(void *ud, const ww_sigma_rule_t *rule)
{
    hits_t *h = ud;
    if (h->n < MAX_HITS)
        h->idx[h->n] = rule->index;
    h->n++;
}

typedef struct stats {
    unsigned files, events, matches, diffs, bad_files;
} stats_t;

static stats_t g_st;

static void report_diff(const char *path, unsigned evno, const hits_t *a, const hits_t *b)
{
    fprintf(stderr, "DIFF %s event %u: prefilter %u matches, reference %u\n", path, evno, a->n,
            b->n);
    for (int side = 0; side < 2; side++) {
        const hits_t *x = side ? b : a, *y = side ? a : b;
        for (uint32_t i = 0; i < x->n && i < MAX_HITS; i++) {
            bool found = false;
            for (uint32_t j = 0; j < y->n && j < MAX_HITS && !found; j++)
                found = x->idx[i] == y->idx[j];
            if (!found) {
                const ww_sigma_rule_t *r = ww_sigma_rule(g_rs, x->idx[i]);
                fprintf(stderr, "  only %s: %s (%s)\n", side ? "reference" : "prefilter",
                        r && r->title ? r->title : "?", r && r->file ? r->file : "?");
            }
        }
    }
}

static void run_file(const char *path)
{
    ww_reader_t *r = NULL;
    ww_diag_t diag = {0};
    ww_event_t ev;
    int rc = ww_reader_open(path, WW_FMT_AUTO, &r, &diag);
    if (rc != 0) {
        fprintf(stderr, "cannot open %s: %s\n", path, diag.msg);
        g_st.bad_files++;
        return;
    }
    g_st.files++;
    ww_event_init(&ev);
    unsigned evno = 0;
    while ((rc = ww_reader_next(r, &ev, &diag)) != 0) {
        if (rc < 0)
            continue;
        evno++;
        g_st.events++;
        hits_t a = {0}, b = {0};
        int na = ww_detect_event(g_ctx, &ev, on_match, &a);
        int nb = ww_detect_event(g_refctx, &ev, on_match, &b);
        bool same = na == (int)a.n && nb == (int)b.n && a.n == b.n && a.n <= MAX_HITS &&
                    memcmp(a.idx, b.idx, a.n * sizeof a.idx[0]) == 0;
        if (!same) {
            report_diff(path, evno, &a, &b);
            g_st.diffs++;
        }
        g_st.matches += b.n;
    }
    ww_event_release(&ev);
    ww_reader_free(r);
}

static bool ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), k = strlen(suf);
    return n >= k && strcmp(s + n - k, suf) == 0;
}

static int on_file(void *ud, const char *file)
{
    (void)ud;
    if (ends_with(file, ".json") || ends_with(file, ".evtx"))
        run_file(file);
    return 0;
}

static int setup(void **state)
{
    (void)state;
    char path[1200];
    g_rs = ww_sigma_ruleset_new();
    if (!g_rs)
        return -1;
    const char *dirs[] = {"rules", "rules-emerging-threats", "rules-threat-hunting"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/sigma/%s", g_shared, dirs[i]);
        if (ww_sigma_load_path(g_rs, path) < 0)
            return -1;
    }
    ww_sigma_finish(g_rs);
    ww_detect_opts_t ref = {.no_prefilter = true};
    if (ww_detect_compile(g_rs, NULL, &g_det) != 0 || ww_detect_ctx_new(g_det, &g_ctx) != 0 ||
        ww_detect_compile(g_rs, &ref, &g_ref) != 0 || ww_detect_ctx_new(g_ref, &g_refctx) != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ww_detect_ctx_free(g_ctx);
    ww_detect_unref(g_det);
    ww_detect_ctx_free(g_refctx);
    ww_detect_unref(g_ref);
    ww_sigma_ruleset_free(g_rs);
    return 0;
}

static void test_prefilter_active(void **state)
{
    (void)state;
    assert_true(ww_detect_rule_count(g_det) > 1000);
    assert_int_equal(ww_detect_rule_count(g_det), ww_detect_rule_count(g_ref));
    /* The literal gram table exists in the prefiltered program only. */
    assert_true(g_det->ngrams > 1000);
    assert_int_equal(g_ref->ngrams, 0);
    uint32_t with = 0;
    for (uint32_t i = 0; i < g_det->nvars; i++)
        with += g_det->vars[i].ngrams > 0;
    fprintf(stderr, "%u grams; %u of %u route variants need one\n", g_det->ngrams, with,
            g_det->nvars);
    assert_true(with > g_det->nvars / 2);
}

static void test_same_matches(void **state)
{
    (void)state;
    char path[1200];
    memset(&g_st, 0, sizeof g_st);
    snprintf(path, sizeof path, "%s/tests/data/sample/psh_lsass_memory_dump_comsvcs.json", g_src);
    run_file(path);
    assert_int_equal(g_st.files, 1);
    unsigned otrf_events = g_st.events, otrf_matches = g_st.matches;
    assert_true(otrf_events > 100);
    assert_true(otrf_matches > 0);
    snprintf(path, sizeof path, "%s/sigma/regression", g_shared);
    assert_int_equal(ww_path_walk(path, on_file, NULL), 0);
    fprintf(stderr, "diff: %u files, %u events, %u matches, %u differing events\n", g_st.files,
            g_st.events, g_st.matches, g_st.diffs);
    /* ~100 regression cases, each with a JSON and an EVTX sample. */
    assert_true(g_st.files >= 200);
    assert_int_equal(g_st.bad_files, 0);
    assert_true(g_st.matches > otrf_matches + 100);
    assert_int_equal(g_st.diffs, 0);
}

int main(void)
{
    const char *sh = getenv("WW_SHARED"), *src = getenv("WW_SRC");
    struct stat st;
    if (!sh || stat(sh, &st) != 0) {
        fprintf(stderr, "WW_SHARED not set or missing: skipped\n");
        return 77;
    }
    snprintf(g_shared, sizeof g_shared, "%s", sh);
    snprintf(g_src, sizeof g_src, "%s", src ? src : WW_SOURCE_DIR);
    char path[1200];
    snprintf(path, sizeof path, "%s/sigma/regression", g_shared);
    if (stat(path, &st) != 0) {
        fprintf(stderr, "%s missing: skipped\n", path);
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prefilter_active),
        cmocka_unit_test(test_same_matches),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
