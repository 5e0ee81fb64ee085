/* Unit tests for lib/rulestore: which files of a release archive are kept, which
 * entries are refused (paths leaving the folder, links, devices), damaged archives as
 * errors with a reason, and extraction that writes only under its folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "rulestore/ww_rulestore.h"

/* Archives made by tests/fuzz/corpus/fuzz_rulestore (see the files there). */
static char *corpus(const char *name, size_t *len)
{
    const char *src = getenv("WW_SRC");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/fuzz/corpus/fuzz_rulestore/%s", src ? src : WW_SOURCE_DIR,
             name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(1 << 20);
    assert_non_null(buf);
    *len = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

typedef struct seen {
    char paths[16][256];
    int n;
} seen_t;

static int collect(void *ud, const char *path, const void *data, size_t n)
{
    seen_t *s = ud;
    (void)data;
    (void)n;
    if (s->n < 16)
        snprintf(s->paths[s->n++], 256, "%s", path);
    return 0;
}

static int read_corpus(const char *name, seen_t *s, ww_rulestore_stats_t *st, ww_diag_t *d)
{
    size_t len;
    char *buf = corpus(name, &len);
    memset(s, 0, sizeof *s);
    memset(st, 0, sizeof *st);
    memset(d, 0, sizeof *d);
    int rc = ww_rulestore_read(name, buf, len, collect, s, st, d);
    free(buf);
    return rc;
}

static void test_release_zip(void **state)
{
    (void)state;
    seen_t s;
    ww_rulestore_stats_t st;
    ww_diag_t d;
    assert_int_equal(read_corpus("release.zip", &s, &st, &d), 0);
    /* rules/linux/a.yml, rules-threat-hunting/b.yaml and LICENSE; not README.md. */
    assert_int_equal(st.kept, 3);
    assert_int_equal(st.skipped, 1);
    assert_int_equal(st.refused, 0);
    assert_string_equal(s.paths[0], "rules/linux/a.yml");
    assert_string_equal(s.paths[1], "rules-threat-hunting/b.yaml");
    assert_string_equal(s.paths[2], "LICENSE");
}

static void test_repo_tarball(void **state)
{
    (void)state;
    seen_t s;
    ww_rulestore_stats_t st;
    ww_diag_t d;
    assert_int_equal(read_corpus("repo.tar.gz", &s, &st, &d), 0);
    assert_int_equal(st.kept, 2);
    assert_string_equal(s.paths[0], "sigma-r2026-07-01/rules/a.yml");
}

static void test_unsafe_entries_refused(void **state)
{
    (void)state;
    seen_t s;
    ww_rulestore_stats_t st;
    ww_diag_t d;
    /* ../up.yml, /abs.yml, ..\..\win.yml and a symlink are refused; libarchive reads
       a zip's backslashes as folder separators (a\b.yml is a/b.yml), and
       ./rules//./c.yml is cleaned to rules/c.yml. */
    assert_int_equal(read_corpus("traversal.zip", &s, &st, &d), 0);
    assert_int_equal(st.refused, 4);
    assert_int_equal(st.kept, 2);
    assert_string_equal(s.paths[0], "a/b.yml");
    assert_string_equal(s.paths[1], "rules/c.yml");
    /* A tar's symlink, hard link, FIFO and ../../x.yml. */
    assert_int_equal(read_corpus("links.tar", &s, &st, &d), 0);
    assert_int_equal(st.refused, 4);
    assert_int_equal(st.kept, 1);
    assert_string_equal(s.paths[0], "rules/a.yml");
}

static void test_damaged(void **state)
{
    (void)state;
    seen_t s;
    ww_rulestore_stats_t st;
    ww_diag_t d;
    static const char *const bad[] = {"truncated.zip", "truncated.tar.gz", "text.txt", "empty"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(read_corpus(bad[i], &s, &st, &d), WW_EPARSE);
        assert_true(d.msg[0] != 0);
    }
    assert_int_equal(read_corpus("text.txt", &s, &st, &d), WW_EPARSE);
    assert_non_null(strstr(d.msg, "not a zip or tar archive"));
}

static void test_extract(void **state)
{
    (void)state;
    char dir[] = "/tmp/ww_test_rulestore.XXXXXX";
    assert_non_null(mkdtemp(dir));
    size_t len;
    char *buf = corpus("traversal.zip", &len);
    ww_rulestore_stats_t st;
    ww_diag_t d = {0};
    assert_int_equal(ww_rulestore_extract("traversal.zip", buf, len, dir, &st, &d), 0);
    char p[1100];
    struct stat sb;
    snprintf(p, sizeof p, "%s/rules/c.yml", dir);
    assert_int_equal(stat(p, &sb), 0);
    assert_true(S_ISREG(sb.st_mode));
    snprintf(p, sizeof p, "%s/rules/link.yml", dir);
    assert_int_not_equal(lstat(p, &sb), 0);
    /* Extracting again into the same folder: the file exists, never overwritten. */
    assert_int_equal(ww_rulestore_extract("traversal.zip", buf, len, dir, &st, &d), WW_EPARSE);
    assert_non_null(strstr(d.msg, "twice"));
    static const char *const made[] = {"rules/c.yml", "rules", "a/b.yml", "a"};
    for (size_t i = 0; i < sizeof made / sizeof *made; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, made[i]);
        assert_int_equal(i % 2 ? rmdir(p) : unlink(p), 0);
    }
    assert_int_equal(rmdir(dir), 0); /* nothing else was written */
    free(buf);
}

static void test_wanted(void **state)
{
    (void)state;
    assert_true(ww_rulestore_wanted("a.yml"));
    assert_true(ww_rulestore_wanted("a.yaml"));
    assert_true(ww_rulestore_wanted("LICENSE"));
    assert_true(ww_rulestore_wanted("LICENSE.md"));
    assert_false(ww_rulestore_wanted("README.md"));
    assert_false(ww_rulestore_wanted("a.yml.bak"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_release_zip),
        cmocka_unit_test(test_repo_tarball),
        cmocka_unit_test(test_unsafe_entries_refused),
        cmocka_unit_test(test_damaged),
        cmocka_unit_test(test_extract),
        cmocka_unit_test(test_wanted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
