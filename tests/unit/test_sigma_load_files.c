/* ww_sigma_load_files: rule files parsed on several threads and merged in the order
 * given must leave exactly the ruleset that loading them one by one leaves -- the
 * same rules at the same indexes, the same filters, the same errors in the same order,
 * the same counts and per-path results -- whatever the number of threads.  Checked on
 * a small tree of good, broken, multi-document, filter and placeholder files (with a
 * missing path and a directory among the paths), and on SigmaHQ's rules when
 * ../shared is there. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sigma/ww_sigma_int.h"

static void put(const char *dir, const char *name, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static ww_sigma_ruleset_t *fresh(void)
{
    ww_sigma_ruleset_t *rs = ww_sigma_ruleset_new();
    assert_non_null(rs);
    static const char *const nets[] = {"10.50.0.0/16", "10.51.10.0/24"};
    assert_int_equal(ww_sigma_placeholder_set(rs, "Nets", nets, 2), 0);
    ww_sigma_set_today(rs, "2026-12-01");
    return rs;
}

static void same_str(const char *a, const char *b)
{
    if (!a || !b)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

/* Everything loading leaves in a ruleset, compared field by field. */
static void same_ruleset(const ww_sigma_ruleset_t *a, const ww_sigma_ruleset_t *b)
{
    assert_int_equal(a->nfiles, b->nfiles);
    assert_int_equal(a->ndocs, b->ndocs);
    assert_int_equal(a->nrules, b->nrules);
    for (uint32_t i = 0; i < a->nrules; i++) {
        const ww_sigma_rule_t *x = a->rules[i], *y = b->rules[i];
        assert_int_equal(x->index, i);
        assert_int_equal(y->index, i);
        same_str(x->file, y->file);
        same_str(x->title, y->title);
        same_str(x->id, y->id);
        assert_int_equal(x->line, y->line);
        assert_int_equal(x->nitems, y->nitems);
        assert_int_equal(x->alert, y->alert);
        assert_int_equal(x->level, y->level);
    }
    assert_int_equal(a->nfilters, b->nfilters);
    for (uint32_t i = 0; i < a->nfilters; i++) {
        same_str(a->filters[i]->file, b->filters[i]->file);
        assert_int_equal(a->filters[i]->line, b->filters[i]->line);
    }
    assert_int_equal(a->nerrors, b->nerrors);
    for (uint32_t i = 0; i < a->nerrors; i++) {
        const ww_sigma_error_t *x = &a->errors[i], *y = &b->errors[i];
        assert_string_equal(x->file, y->file);
        assert_int_equal(x->line, y->line);
        assert_int_equal(x->col, y->col);
        assert_string_equal(x->title, y->title);
        assert_string_equal(x->msg, y->msg);
        assert_string_equal(x->placeholder, y->placeholder);
    }
}

#define RULE(id, extra)                                                                    \
    "title: Rule " id "\nid: " id "\nlogsource:\n  product: linux\n  category: firewall\n" \
    "detection:\n  sel:\n    dst_port: 445\n" extra "  condition: sel\nlevel: high\n"

static void test_small_tree(void **state)
{
    (void)state;
    char dir[] = "/tmp/ww-load-files-XXXXXX";
    assert_non_null(mkdtemp(dir));
    put(dir, "a.yml", RULE("a-1", ""));
    put(dir, "b.yml", RULE("b-1", "") "---\n" RULE("b-2", "") "---\n- not a map\n");
    put(dir, "c.yml", "title: broken\n  bad: [indent\n");
    put(dir, "d.yml",
        RULE("d-1", "  nets:\n    src_ip|expand|cidr: '%Nets%'\n") "---\n" RULE(
            "d-2", "  nets:\n    src_ip|expand|cidr: '%Nope%'\n"));
    put(dir, "e.yml",
        "title: quiet\nid: f-1\nlogsource:\n  product: linux\nfilter:\n  rules: [a-1]\n  selection:\n    src_ip: 10.0.0.1\n"
        "  condition: not selection\n");
    put(dir, "f.yml", "title: no detection\nid: g-1\nlogsource:\n  product: linux\n");
    put(dir, "g.yml", RULE("g-2", "  x:\n    msg|re: '(unclosed'\n"));
    char sub[600];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    put(sub, "h.yml", RULE("h-1", ""));

    const char *names[] = {"a.yml", "b.yml", "c.yml", "missing.yml", "d.yml",
                           "sub",   "e.yml", "f.yml", "g.yml",       "a.yml"};
    enum { N = sizeof names / sizeof names[0] };
    char paths[N][600];
    const char *pv[N];
    for (size_t i = 0; i < N; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/%s", dir, names[i]);
        pv[i] = paths[i];
    }

    ww_sigma_ruleset_t *seq = fresh();
    int want[N], total = 0;
    for (size_t i = 0; i < N; i++) {
        want[i] = ww_sigma_load_path(seq, pv[i]);
        if (want[i] > 0)
            total += want[i];
    }
    /* The tree really has what the comparison is about. */
    assert_true(seq->nrules >= 6);
    assert_true(seq->nerrors >= 4);
    assert_int_equal(seq->nfilters, 1);
    assert_int_equal(want[3], WW_ENOENT);

    static const unsigned threads[] = {0, 1, 2, 3, 4, 16};
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        ww_sigma_ruleset_t *par = fresh();
        int got[N];
        assert_int_equal(ww_sigma_load_files(par, pv, N, threads[t], got), total);
        for (size_t i = 0; i < N; i++)
            assert_int_equal(got[i], want[i]);
        same_ruleset(seq, par);
        ww_sigma_ruleset_free(par);
    }
    /* And after finish (filters applied, references resolved). */
    ww_sigma_ruleset_t *par = fresh();
    assert_int_equal(ww_sigma_load_files(par, pv, N, 4, NULL), total);
    assert_int_equal(ww_sigma_finish(seq), 0);
    assert_int_equal(ww_sigma_finish(par), 0);
    same_ruleset(seq, par);
    ww_sigma_ruleset_free(par);
    ww_sigma_ruleset_free(seq);

    assert_int_equal(ww_sigma_load_files(NULL, pv, N, 2, NULL), WW_EINVAL);
    ww_sigma_ruleset_t *empty = fresh();
    assert_int_equal(ww_sigma_load_files(empty, NULL, 0, 4, NULL), 0);
    assert_int_equal(empty->nfiles, 0);
    ww_sigma_ruleset_free(empty);

    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* The files under dir, in the order a sorted walk meets them. */
static void walk(const char *dir, char ***v, size_t *n, size_t *cap)
{
    struct dirent **ents;
    int k = scandir(dir, &ents, NULL, alphasort);
    assert_true(k >= 0);
    for (int i = 0; i < k; i++) {
        char p[1024];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", dir, ents[i]->d_name);
        if (ents[i]->d_name[0] != '.' && stat(p, &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                walk(p, v, n, cap);
            } else if (strstr(ents[i]->d_name, ".yml")) {
                if (*n == *cap) {
                    *cap = *cap ? *cap * 2 : 1024;
                    *v = realloc(*v, *cap * sizeof **v);
                    assert_non_null(*v);
                }
                (*v)[(*n)++] = strdup(p);
            }
        }
        free(ents[i]);
    }
    free(ents);
}

static void test_sigmahq(void **state)
{
    (void)state;
    const char *shared = getenv("WW_SHARED");
    if (!shared) {
        skip();
        return;
    }
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/sigma/rules", shared);
    char **v = NULL;
    size_t n = 0, cap = 0;
    walk(dir, &v, &n, &cap);
    assert_true(n > 1000);
    ww_sigma_ruleset_t *seq = fresh(), *par = fresh();
    int total = 0;
    for (size_t i = 0; i < n; i++) {
        int r = ww_sigma_load_path(seq, v[i]);
        if (r > 0)
            total += r;
    }
    assert_int_equal(ww_sigma_load_files(par, (const char *const *)v, n, 4, NULL), total);
    same_ruleset(seq, par);
    assert_int_equal(ww_sigma_finish(seq), 0);
    assert_int_equal(ww_sigma_finish(par), 0);
    same_ruleset(seq, par);
    ww_sigma_ruleset_free(seq);
    ww_sigma_ruleset_free(par);
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_tree),
        cmocka_unit_test(test_sigmahq),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
