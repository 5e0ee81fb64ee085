/* Loads the whole SigmaHQ ruleset (rules, emerging threats, threat hunting and the
 * placeholder rules with tests/data/placeholders.yml) and checks that at least 3,750
 * of the 3,777 rules are accepted, and that every rejection carries a reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "sigma/ww_sigma.h"

static void test_sigmahq(void **state)
{
    (void)state;
    const char *shared = getenv("WW_SHARED");
    const char *src = getenv("WW_SRC");
    static const char *const dirs[] = {"rules", "rules-emerging-threats", "rules-threat-hunting",
                                       "rules-placeholder"};
    char path[1024];
    ww_diag_t diag;
    struct timespec t0, t1;

    ww_sigma_ruleset_t *rs = ww_sigma_ruleset_new();
    assert_non_null(rs);
    snprintf(path, sizeof(path), "%s/tests/data/placeholders.yml", src ? src : WW_SOURCE_DIR);
    if (ww_sigma_placeholders_load(rs, path, &diag) < 0)
        fail_msg("placeholders: %s:%u: %s", path, diag.line, diag.msg);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        snprintf(path, sizeof(path), "%s/sigma/%s", shared, dirs[i]);
        assert_true(ww_sigma_load_path(rs, path) > 0);
    }
    assert_int_equal(ww_sigma_finish(rs), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

    for (uint32_t i = 0; i < ww_sigma_error_count(rs); i++) {
        const ww_sigma_error_t *e = ww_sigma_error(rs, i);
        print_message("rejected: %s:%u:%u [%s] %s\n", e->file, e->line, e->col, e->title, e->msg);
        assert_true(e->msg[0] != 0);
        assert_true(e->file[0] != 0);
    }
    print_message("accepted %u of %u documents in %u files, %.3f s\n", ww_sigma_count(rs),
                  ww_sigma_doc_count(rs), ww_sigma_file_count(rs), secs);
    assert_true(ww_sigma_count(rs) >= 3750);
    assert_int_equal(ww_sigma_doc_count(rs), ww_sigma_count(rs) + ww_sigma_error_count(rs));
    /* Every accepted detection rule has a condition, items and a logsource. */
    for (uint32_t i = 0; i < ww_sigma_count(rs); i++) {
        const ww_sigma_rule_t *r = ww_sigma_rule(rs, i);
        assert_int_equal(r->index, i);
        assert_non_null(r->title);
        assert_non_null(r->cond);
        assert_true(r->nitems > 0);
        assert_true(r->alert);
    }
    ww_sigma_ruleset_free(rs);
}

int main(void)
{
    if (!getenv("WW_SHARED"))
        return 77;
    const char *shared = getenv("WW_SHARED");
    char probe[1024];
    snprintf(probe, sizeof(probe), "%s/sigma/rules", shared);
    FILE *f = fopen(probe, "r");
    if (!f)
        return 77;
    fclose(f);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_sigmahq)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
