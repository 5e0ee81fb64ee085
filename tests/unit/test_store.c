/* Unit tests for lib/store: opening the shared database and module migrations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "store/ww_store.h"

static void test_migrations_run_once_in_order(void **state)
{
    char path[] = "/tmp/ww_store_testXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    ww_store_t *st = NULL;
    ww_diag_t d = {0};
    assert_int_equal(ww_store_open(path, &st, &d), 0);
    const char *m1[] = {"CREATE TABLE t(a INTEGER);", "ALTER TABLE t ADD COLUMN b TEXT;"};
    assert_int_equal(ww_store_migrate(st, "test", m1, 1, &d), 0);
    assert_int_equal(ww_store_migrate(st, "test", m1, 2, &d), 0);
    /* Running again does nothing: the table would fail to be created twice. */
    assert_int_equal(ww_store_migrate(st, "test", m1, 2, &d), 0);
    assert_int_equal(ww_store_exec(st, "INSERT INTO t(a,b) VALUES(1,'x')", &d), 0);
    /* A failing migration is rolled back and named. */
    const char *m2[] = {"CREATE TABLE u(a);", "CREATE TABLE u(a);"};
    assert_int_equal(ww_store_migrate(st, "other", m2, 2, &d), WW_EIO);
    assert_non_null(strstr(d.msg, "other: migration 2 failed"));
    /* A database from a newer wardwatch is refused, not damaged. */
    assert_int_equal(ww_store_migrate(st, "test", m1, 1, &d), WW_EUNSUP);
    ww_store_close(st);
    ww_store_close(NULL);
    unlink(path);
    char wal[64];
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
}

static void test_open_failure_says_why(void **state)
{
    ww_store_t *st = NULL;
    ww_diag_t d = {0};
    assert_int_equal(ww_store_open("/nonexistent-dir/x.db", &st, &d), WW_EIO);
    assert_null(st);
    assert_non_null(strstr(d.msg, "cannot open database"));
    setenv("WARDWATCH_DB", "/tmp/env.db", 1);
    assert_string_equal(ww_store_default_path(NULL), "/tmp/env.db");
    assert_string_equal(ww_store_default_path("given.db"), "given.db");
    unsetenv("WARDWATCH_DB");
    assert_string_equal(ww_store_default_path(NULL), "wardwatch.db");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrations_run_once_in_order),
        cmocka_unit_test(test_open_failure_says_why),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
