/* The embedded store: one SQLite file (WAL) shared by every command that keeps state
 * (the asset register, audit findings, fire-break records, ...).  Each module owns its
 * tables and brings them up to date with ww_store_migrate(); the store records which
 * migrations of which module have run.  The file is chosen with --db PATH, else
 * $WARDWATCH_DB, else wardwatch.db in the working directory.  It is created with mode
 * 0600 (its -wal and -shm files follow), its name is a plain path (never a SQLite
 * URI), and a statement that finds another process holding the write lock waits a
 * few seconds and then fails (ww_store_busy() tells the caller why). */
#ifndef WW_STORE_H
#define WW_STORE_H

#include <sqlite3.h>
#include <stdbool.h>

#include "util/ww_util.h"

typedef struct ww_store {
    sqlite3 *db;
    char path[512];
    int saved_code;      /* the error a ww_store_rollback() undid */
    char saved_msg[200]; /* and its message */
} ww_store_t;

/* The path to use: `explicit_path` if given, else $WARDWATCH_DB, else "wardwatch.db". */
const char *ww_store_default_path(const char *explicit_path);

/* Opens (creating if needed, mode 0600) the database, in WAL mode with foreign keys on
 * and a busy timeout.  `path` is a file name even when it starts with "file:".
 * Returns 0 and *out (free with ww_store_close), or WW_EIO/WW_EINVAL with diag. */
int ww_store_open(const char *path, ww_store_t **out, ww_diag_t *diag);
void ww_store_close(ww_store_t *st);

/* Brings `module`'s tables up to date: runs migrations[v..n) for a module at version v,
 * each in its own transaction, and records the new version.  Each migration is SQL
 * text (several statements allowed).  Returns 0 or WW_EIO with diag naming the module,
 * migration and SQLite's message. */
int ww_store_migrate(ww_store_t *st, const char *module, const char *const *migrations, size_t n,
                     ww_diag_t *diag);

/* SQLite's message for the last failed call on this handle (static, or owned by the
 * handle until its next call). */
const char *ww_store_errmsg(ww_store_t *st);
/* True when the last failed call failed because another process holds the lock
 * (the busy timeout ran out). */
bool ww_store_busy(ww_store_t *st);

/* Rolls the open transaction back, keeping the error that caused it for
 * ww_store_errmsg() and ww_store_busy() (ROLLBACK itself would clear it). */
void ww_store_rollback(ww_store_t *st);

/* Runs SQL with no results (BEGIN, COMMIT, DDL).  0 or WW_EIO with diag. */
int ww_store_exec(ww_store_t *st, const char *sql, ww_diag_t *diag);

#endif
