/* The acceptance test of the whole pipeline: the full SigmaHQ ruleset is loaded and
 * compiled once, then every SigmaHQ regression case ($WW_SHARED/sigma/regression) is
 * replayed from its JSON (evtx_dump) sample and from its EVTX sample; the case's rule
 * must match exactly `match_count` events in each.  Every failing case is printed with
 * its path, format and expected vs actual count.  Skips (77) without $WW_SHARED. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "detect/ww_detect.h"

static ww_sigma_ruleset_t *g_rs;
static ww_detect_t *g_det, *g_ref; /* with prefilter, and the reference path */
static ww_detect_ctx_t *g_ctx, *g_refctx;
static char g_shared[1024];

typedef struct tcase {
    char dir[1024];
    char id[128];
    int match_count;
} tcase_t;

static tcase_t *g_cases;
static size_t g_ncases, g_capcases;

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *b = malloc(cap);
    size_t k;
    while (b && (k = fread(b + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (n + 1 == cap) {
            char *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (b)
        b[n] = 0;
    return b;
}

/* Reads the value after `key:` on a line, trimmed of blanks and quotes. */
static bool line_value(const char *line, const char *key, char *out, size_t outlen)
{
    const char *p = line;
    while (*p == ' ' || *p == '-' || *p == '\t')
        p++;
    size_t kl = strlen(key);
    if (strncmp(p, key, kl) != 0 || p[kl] != ':')
        return false;
    p += kl + 1;
    while (*p == ' ' || *p == '\'' || *p == '"')
        p++;
    size_t n = 0;
    while (p[n] && p[n] != '\n' && p[n] != '\r' && p[n] != '\'' && p[n] != '"' && p[n] != ' ' &&
           p[n] != '#')
        n++;
    if (n >= outlen)
        return false;
    memcpy(out, p, n);
    out[n] = 0;
    return true;
}

/* info.yml: rule_metadata[0].id and regression_tests_info[*].match_count (default 1). */
static int read_info(const char *path, tcase_t *c)
{
    char *txt = slurp(path);
    if (!txt)
        return -1;
    int section = 0;
    c->id[0] = 0;
    c->match_count = 1;
    for (char *line = txt; line && *line;) {
        char *nl = strchr(line, '\n');
        char v[128];
        if (strncmp(line, "rule_metadata:", 14) == 0)
            section = 1;
        else if (strncmp(line, "regression_tests_info:", 22) == 0)
            section = 2;
        else if (line[0] != ' ' && line[0] != '-' && line[0] != '\n')
            section = 0;
        else if (section == 1 && !c->id[0] && line_value(line, "id", v, sizeof v))
            snprintf(c->id, sizeof c->id, "%s", v);
        else if (section == 2 && line_value(line, "match_count", v, sizeof v))
            c->match_count = (int)strtol(v, NULL, 10);
        line = nl ? nl + 1 : NULL;
    }
    free(txt);
    return c->id[0] ? 0 : -1;
}

static int collect(void *ud, const char *file)
{
    (void)ud;
    size_t n = strlen(file);
    if (n < 9 || strcmp(file + n - 9, "/info.yml") != 0)
        return 0;
    if (g_ncases == g_capcases) {
        size_t nc = g_capcases ? g_capcases * 2 : 128;
        tcase_t *nca = realloc(g_cases, nc * sizeof *nca);
        if (!nca)
            return -1;
        g_cases = nca;
        g_capcases = nc;
    }
    tcase_t *c = &g_cases[g_ncases];
    memset(c, 0, sizeof *c);
    snprintf(c->dir, sizeof c->dir, "%.*s", (int)(n - 9), file);
    if (read_info(file, c) != 0) {
        fprintf(stderr, "cannot read rule id from %s\n", file);
        c->match_count = -1;
    }
    g_ncases++;
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
        int n = ww_sigma_load_path(g_rs, path);
        fprintf(stderr, "loaded %d rules from %s\n", n, path);
        if (n < 0)
            return -1;
    }
    ww_sigma_finish(g_rs);
    fprintf(stderr, "ruleset: %u rules, %u rejected\n", ww_sigma_count(g_rs),
            ww_sigma_error_count(g_rs));
    ww_detect_opts_t ref = {.no_prefilter = true};
    if (ww_detect_compile(g_rs, NULL, &g_det) != 0 || ww_detect_ctx_new(g_det, &g_ctx) != 0 ||
        ww_detect_compile(g_rs, &ref, &g_ref) != 0 || ww_detect_ctx_new(g_ref, &g_refctx) != 0)
        return -1;
    fprintf(stderr, "compiled %u rules, %u not compiled\n", ww_detect_rule_count(g_det),
            ww_detect_error_count(g_det));
    for (uint32_t i = 0; i < ww_detect_error_count(g_det) && i < 20; i++) {
        const ww_sigma_error_t *e = ww_detect_error(g_det, i);
        fprintf(stderr, "  not compiled: %s:%u: %s: %s\n", e->file, e->line, e->title, e->msg);
    }
    snprintf(path, sizeof path, "%s/sigma/regression", g_shared);
    return ww_path_walk(path, collect, NULL) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ww_detect_ctx_free(g_ctx);
    ww_detect_unref(g_det);
    ww_detect_ctx_free(g_refctx);
    ww_detect_unref(g_ref);
    ww_sigma_ruleset_free(g_rs);
    free(g_cases);
    return 0;
}

typedef struct counter {
    const ww_sigma_rule_t *want;
    int hits;
    uint64_t sum; /* every matched rule, for comparing the two paths */
    uint32_t all;
} counter_t;

static void on_match(void *ud, const ww_sigma_rule_t *rule)
{
    counter_t *c = ud;
    if (rule == c->want)
        c->hits++;
    c->all++;
    c->sum = c->sum * 31 + rule->index + 1;
}

static int g_prefilter_diffs;

/* Runs one sample; returns the number of events the rule matched, or -1. */
static int run_sample(const char *path, const ww_sigma_rule_t *rule, char *why, size_t whylen)
{
    ww_reader_t *r = NULL;
    ww_diag_t diag = {0};
    ww_event_t ev;
    counter_t c = {rule, 0, 0, 0};
    int rc = ww_reader_open(path, WW_FMT_AUTO, &r, &diag);
    if (rc != 0) {
        snprintf(why, whylen, "cannot open: %s", diag.msg);
        return -1;
    }
    ww_event_init(&ev);
    int events = 0, bad = 0;
    while ((rc = ww_reader_next(r, &ev, &diag)) != 0) {
        if (rc < 0) {
            bad++;
            snprintf(why, whylen, "bad record: %s:%u: %s", diag.file, diag.line, diag.msg);
            continue;
        }
        events++;
        counter_t all = {NULL, 0, 0, 0}, ref = {NULL, 0, 0, 0};
        ww_detect_event(g_ctx, &ev, on_match, &c);
        ww_detect_event(g_ctx, &ev, on_match, &all);
        ww_detect_event(g_refctx, &ev, on_match, &ref);
        if (all.all != ref.all || all.sum != ref.sum) {
            fprintf(stderr, "FAIL %s event %d: prefilter changed the matches (%u vs %u)\n", path,
                    events, all.all, ref.all);
            g_prefilter_diffs++;
        }
    }
    ww_event_release(&ev);
    ww_reader_free(r);
    if (events == 0 && bad == 0)
        snprintf(why, whylen, "no events decoded");
    return c.hits;
}

static void test_regression_cases(void **state)
{
    (void)state;
    int failures = 0, passes = 0;
    assert_true(g_ncases > 0);
    for (size_t i = 0; i < g_ncases; i++) {
        const tcase_t *c = &g_cases[i];
        if (c->match_count < 0) {
            fprintf(stderr, "FAIL %s: unreadable info.yml\n", c->dir);
            failures++;
            continue;
        }
        const ww_sigma_rule_t *rule = ww_sigma_find(g_rs, c->id);
        static const char *const fmts[] = {"json", "evtx"};
        for (int f = 0; f < 2; f++) {
            char path[1400], why[640] = "";
            snprintf(path, sizeof path, "%s/%s.%s", c->dir, c->id, fmts[f]);
            struct stat st;
            if (stat(path, &st) != 0) {
                fprintf(stderr, "FAIL %s [%s]: sample missing\n", path, fmts[f]);
                failures++;
                continue;
            }
            if (!rule) {
                fprintf(stderr, "FAIL %s [%s]: rule %s not loaded\n", path, fmts[f], c->id);
                failures++;
                continue;
            }
            int got = run_sample(path, rule, why, sizeof why);
            if (got != c->match_count) {
                fprintf(stderr, "FAIL %s [%s]: expected %d matches, got %d %s\n", path, fmts[f],
                        c->match_count, got, why);
                failures++;
            } else {
                passes++;
            }
        }
    }
    fprintf(stderr, "regression: %d passed, %d failed (%zu cases x 2 formats)\n", passes, failures,
            g_ncases);
    assert_int_equal(g_prefilter_diffs, 0);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const char *sh = getenv("WW_SHARED");
    struct stat st;
    if (!sh || stat(sh, &st) != 0) {
        fprintf(stderr, "WW_SHARED not set or missing: skipped\n");
        return 77;
    }
    snprintf(g_shared, sizeof g_shared, "%s", sh);
    char path[1200];
    snprintf(path, sizeof path, "%s/sigma/regression", g_shared);
    if (stat(path, &st) != 0) {
        fprintf(stderr, "%s missing: skipped\n", path);
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regression_cases),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
