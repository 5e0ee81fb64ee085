/* Unit tests for lib/store: opening the shared database and module migrations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
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

static mode_t mode_of(const char *path)
{
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    return sb.st_mode & 07777;
}

/* The register and hazard log are sensitive: the file and its WAL companions are
 * private to their owner whatever the umask. */
static void test_new_database_is_private(void **state)
{
    char dir[] = "/tmp/ww_store_modeXXXXXX";
    assert_non_null(mkdtemp(dir));
    char db[128], wal[160], shm[160];
    snprintf(db, sizeof db, "%s/new.db", dir);
    snprintf(wal, sizeof wal, "%s-wal", db);
    snprintf(shm, sizeof shm, "%s-shm", db);
    mode_t old = umask(0); /* the loosest umask there is */
    ww_store_t *st = NULL;
    ww_diag_t d = {0};
    assert_int_equal(ww_store_open(db, &st, &d), 0);
    assert_int_equal(ww_store_exec(st, "CREATE TABLE t(a); INSERT INTO t VALUES(1);", &d), 0);
    umask(old);
    assert_int_equal(mode_of(db), 0600);
    assert_int_equal(mode_of(wal), 0600);
    assert_int_equal(mode_of(shm), 0600);
    ww_store_close(st);
    unlink(wal);
    unlink(shm);
    unlink(db);
    rmdir(dir);
}

/* --db is a path: "file:...?mode=memory" is a file of that name in the working
 * directory, and what is written there is there when opened again. */
static void test_path_is_never_a_uri(void **state)
{
    char dir[] = "/tmp/ww_store_uriXXXXXX";
    assert_non_null(mkdtemp(dir));
    char cwd[1024];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    const char *name = "file:ww.db?mode=memory&cache=shared";
    ww_store_t *st = NULL;
    ww_diag_t d = {0};
    assert_int_equal(ww_store_open(name, &st, &d), 0);
    assert_int_equal(ww_store_exec(st, "CREATE TABLE t(a); INSERT INTO t VALUES(42);", &d), 0);
    ww_store_close(st);
    /* The literal file exists (and nothing named ww.db was made instead). */
    assert_int_equal(mode_of(name), 0600);
    assert_int_equal(access("ww.db", F_OK), -1);
    st = NULL;
    assert_int_equal(ww_store_open(name, &st, &d), 0);
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(st->db, "SELECT a FROM t", -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 42);
    sqlite3_finalize(q);
    ww_store_close(st);
    char extra[128];
    snprintf(extra, sizeof extra, "%s-wal", name);
    unlink(extra);
    snprintf(extra, sizeof extra, "%s-shm", name);
    unlink(extra);
    unlink(name);
    assert_int_equal(chdir(cwd), 0);
    rmdir(dir);
}

/* Another process holding the write lock: a write fails after the busy timeout
 * with SQLite's reason, and the store says it was busy. */
static void test_busy_store_fails_loudly(void **state)
{
    char path[] = "/tmp/ww_store_busyXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    ww_store_t *a = NULL, *b = NULL;
    ww_diag_t d = {0};
    assert_int_equal(ww_store_open(path, &a, &d), 0);
    assert_int_equal(ww_store_exec(a, "CREATE TABLE t(a)", &d), 0);
    assert_int_equal(ww_store_open(path, &b, &d), 0);
    assert_int_equal(ww_store_exec(b, "BEGIN EXCLUSIVE; INSERT INTO t VALUES(1);", &d), 0);
    memset(&d, 0, sizeof d);
    assert_int_equal(ww_store_exec(a, "INSERT INTO t VALUES(2)", &d), WW_EIO);
    assert_non_null(strstr(d.msg, "locked"));
    assert_true(ww_store_busy(a));
    /* In a transaction that is rolled back, the reason survives the rollback. */
    ww_store_rollback(a);
    assert_true(ww_store_busy(a));
    assert_non_null(strstr(ww_store_errmsg(a), "locked"));
    assert_int_equal(ww_store_exec(b, "COMMIT", &d), 0);
    assert_int_equal(ww_store_exec(a, "INSERT INTO t VALUES(2)", &d), 0);
    ww_store_close(a);
    ww_store_close(b);
    char extra[64];
    unlink(path);
    snprintf(extra, sizeof extra, "%s-wal", path);
    unlink(extra);
    snprintf(extra, sizeof extra, "%s-shm", path);
    unlink(extra);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrations_run_once_in_order),
        cmocka_unit_test(test_open_failure_says_why),
        cmocka_unit_test(test_new_database_is_private),
        cmocka_unit_test(test_path_is_never_a_uri),
        cmocka_unit_test(test_busy_store_fails_loudly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
