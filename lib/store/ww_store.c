/* SQLite store: opening the shared database file and per-module schema migrations.
 * The file holds the asset register and the fire-break hazard log, so it is created
 * private to its owner, its name is always a plain path, and a store another process
 * keeps locked is an error the caller sees, never a silent success. */
#include "store/ww_store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* How long a statement waits for another process's write lock before it fails with
 * "database is locked": long enough for a normal writer to finish, short enough that
 * someone at the console sees the failure. */
#define STORE_BUSY_TIMEOUT_MS 5000

const char *ww_store_default_path(const char *explicit_path)
{
    if (explicit_path && *explicit_path)
        return explicit_path;
    const char *env = getenv("WARDWATCH_DB");
    if (env && *env)
        return env;
    return "wardwatch.db";
}

int ww_store_exec(ww_store_t *st, const char *sql, ww_diag_t *diag)
{
    char *err = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        ww_diag_set(diag, st->path, 0, 0, "%s", err ? err : sqlite3_errmsg(st->db));
        sqlite3_free(err);
        return WW_EIO;
    }
    return 0;
}

/* The error to report: SQLite's current one, or the one a rollback cleared. */
static int current_code(ww_store_t *st)
{
    int e = sqlite3_errcode(st->db);
    return e == SQLITE_OK && st->saved_code ? st->saved_code : e;
}

const char *ww_store_errmsg(ww_store_t *st)
{
    if (!st || !st->db)
        return "no database";
    if (sqlite3_errcode(st->db) == SQLITE_OK && st->saved_code)
        return st->saved_msg;
    return sqlite3_errmsg(st->db);
}

bool ww_store_busy(ww_store_t *st)
{
    if (!st || !st->db)
        return false;
    int e = current_code(st) & 0xff;
    return e == SQLITE_BUSY || e == SQLITE_LOCKED;
}

void ww_store_rollback(ww_store_t *st)
{
    st->saved_code = sqlite3_errcode(st->db);
    snprintf(st->saved_msg, sizeof st->saved_msg, "%s", sqlite3_errmsg(st->db));
    /* Only an open transaction is rolled back: a ROLLBACK without one would fail
     * and put its own message in place of the one that matters. */
    if (!sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Creates the file, when it does not exist yet, readable and writable by its owner
 * only.  SQLite gives the -wal and -shm files it makes beside it the same mode, so
 * the whole store stays private whatever the umask. */
static int create_private(const char *path, ww_diag_t *diag)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return 0;
        ww_diag_set(diag, path, 0, 0, "cannot open database: %s", strerror(errno));
        return WW_EIO;
    }
    /* The umask may have taken bits away, never added them; fchmod makes it exact. */
    if (fchmod(fd, 0600) != 0 || close(fd) != 0) {
        ww_diag_set(diag, path, 0, 0, "cannot open database: %s", strerror(errno));
        return WW_EIO;
    }
    return 0;
}

int ww_store_open(const char *path, ww_store_t **out, ww_diag_t *diag)
{
    if (!path || !*path) {
        ww_diag_set(diag, "", 0, 0, "no database path given");
        return WW_EINVAL;
    }
    if (strlen(path) + 3 > sizeof(((ww_store_t *)0)->path)) {
        ww_diag_set(diag, "", 0, 0, "database path is longer than %zu bytes",
                    sizeof(((ww_store_t *)0)->path) - 3);
        return WW_EINVAL;
    }
    ww_store_t *st = calloc(1, sizeof *st);
    if (!st)
        return WW_ENOMEM;
    snprintf(st->path, sizeof st->path, "%s", path);
    /* The name is a path, never a SQLite URI ("file:x?mode=memory" would otherwise
     * open a throw-away memory database and every record would vanish).  SQLite
     * treats only names that start with "file:" as URIs, so such a relative name is
     * opened as "./file:...", the file literally so named. */
    char real[sizeof st->path];
    snprintf(real, sizeof real, "%s%s", strncmp(path, "file:", 5) == 0 ? "./" : "", path);
    if (create_private(real, diag) != 0) {
        ww_store_close(st);
        return WW_EIO;
    }
    int rc = sqlite3_open_v2(real, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        ww_diag_set(diag, path, 0, 0, "cannot open database: %s",
                    st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
        ww_store_close(st);
        return WW_EIO;
    }
    sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
    if (ww_store_exec(st,
                      "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;"
                      "CREATE TABLE IF NOT EXISTS ww_schema("
                      " module TEXT PRIMARY KEY, version INTEGER NOT NULL);",
                      diag) != 0) {
        ww_store_close(st);
        return WW_EIO;
    }
    *out = st;
    return 0;
}

void ww_store_close(ww_store_t *st)
{
    if (!st)
        return;
    sqlite3_close(st->db);
    free(st);
}

static int module_version(ww_store_t *st, const char *module, int *out)
{
    sqlite3_stmt *q = NULL;
    int rc =
        sqlite3_prepare_v2(st->db, "SELECT version FROM ww_schema WHERE module=?", -1, &q, NULL);
    if (rc != SQLITE_OK)
        return WW_EIO;
    sqlite3_bind_text(q, 1, module, -1, SQLITE_STATIC);
    *out = 0;
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : WW_EIO;
}

int ww_store_migrate(ww_store_t *st, const char *module, const char *const *migrations, size_t n,
                     ww_diag_t *diag)
{
    int v;
    if (module_version(st, module, &v) != 0) {
        ww_diag_set(diag, st->path, 0, 0, "%s: cannot read schema version: %s", module,
                    sqlite3_errmsg(st->db));
        return WW_EIO;
    }
    if ((size_t)v > n) {
        ww_diag_set(diag, st->path, 0, 0,
                    "%s: database schema version %d is newer than this wardwatch (%zu)", module, v,
                    n);
        return WW_EUNSUP;
    }
    for (size_t i = (size_t)v; i < n; i++) {
        char *err = NULL;
        if (ww_store_exec(st, "BEGIN IMMEDIATE", diag) != 0)
            return WW_EIO;
        if (sqlite3_exec(st->db, migrations[i], NULL, NULL, &err) != SQLITE_OK) {
            ww_diag_set(diag, st->path, 0, 0, "%s: migration %zu failed: %s", module, i + 1,
                        err ? err : sqlite3_errmsg(st->db));
            sqlite3_free(err);
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
            return WW_EIO;
        }
        sqlite3_stmt *q = NULL;
        sqlite3_prepare_v2(st->db,
                           "INSERT INTO ww_schema(module,version) VALUES(?,?)"
                           " ON CONFLICT(module) DO UPDATE SET version=excluded.version",
                           -1, &q, NULL);
        sqlite3_bind_text(q, 1, module, -1, SQLITE_STATIC);
        sqlite3_bind_int(q, 2, (int)(i + 1));
        int rc = sqlite3_step(q);
        sqlite3_finalize(q);
        if (rc != SQLITE_DONE || ww_store_exec(st, "COMMIT", diag) != 0) {
            ww_diag_set(diag, st->path, 0, 0, "%s: cannot record migration %zu: %s", module, i + 1,
                        sqlite3_errmsg(st->db));
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
            return WW_EIO;
        }
    }
    return 0;
}
