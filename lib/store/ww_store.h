/* The embedded store: one SQLite file (WAL) shared by every command that keeps state
 * (the asset register, audit findings, fire-break records, ...).  Each module owns its
 * tables and brings them up to date with ww_store_migrate(); the store records which
 * migrations of which module have run.  The file is chosen with --db PATH, else
 * $WARDWATCH_DB, else wardwatch.db in the working directory. */
#ifndef WW_STORE_H
#define WW_STORE_H

#include <sqlite3.h>

#include "util/ww_util.h"

typedef struct ww_store {
    sqlite3 *db;
    char path[512];
} ww_store_t;

/* The path to use: `explicit_path` if given, else $WARDWATCH_DB, else "wardwatch.db". */
const char *ww_store_default_path(const char *explicit_path);

/* Opens (creating if needed) the database, in WAL mode with foreign keys on and a busy
 * timeout.  Returns 0 and *out (free with ww_store_close), or WW_EIO with diag. */
int ww_store_open(const char *path, ww_store_t **out, ww_diag_t *diag);
void ww_store_close(ww_store_t *st);

/* Brings `module`'s tables up to date: runs migrations[v..n) for a module at version v,
 * each in its own transaction, and records the new version.  Each migration is SQL
 * text (several statements allowed).  Returns 0 or WW_EIO with diag naming the module,
 * migration and SQLite's message. */
int ww_store_migrate(ww_store_t *st, const char *module, const char *const *migrations, size_t n,
                     ww_diag_t *diag);

/* Runs SQL with no results (BEGIN, COMMIT, DDL).  0 or WW_EIO with diag. */
int ww_store_exec(ww_store_t *st, const char *sql, ww_diag_t *diag);

#endif
