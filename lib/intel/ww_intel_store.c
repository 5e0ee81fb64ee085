/* The indicators in the shared store (module "intel"): one row per (id, type, value),
 * a generation number bumped by every change so a running server can tell it must
 * reload, and the listing the CLI prints. */
#include <stdio.h>
#include <stdlib.h>

#include "intel/ww_intel_int.h"

static const char *const migrations[] = {
    "CREATE TABLE intel_indicator(row INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL,"
    " type INTEGER NOT NULL, value TEXT NOT NULL, name TEXT NOT NULL, source TEXT NOT NULL,"
    " tlp INTEGER NOT NULL, confidence INTEGER NOT NULL, valid_from INTEGER, valid_until INTEGER,"
    " added INTEGER NOT NULL, UNIQUE(id, type, value));"
    "CREATE INDEX intel_by_source ON intel_indicator(source);"
    "CREATE TABLE intel_meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "INSERT INTO intel_meta VALUES('generation', 0);",
};

int ww_intel_migrate(ww_store_t *st, ww_diag_t *diag)
{
    return ww_store_migrate(st, "intel", migrations, WW_ARRAY_LEN(migrations), diag);
}

static int db_fail(ww_store_t *st, ww_diag_t *diag, const char *what)
{
    ww_diag_set(diag, st->path, 0, 0, "intel: %s: %s", what, sqlite3_errmsg(st->db));
    return WW_EIO;
}

static void bind_time(sqlite3_stmt *q, int i, int64_t t)
{
    if (t == WW_TIME_NONE)
        sqlite3_bind_null(q, i);
    else
        sqlite3_bind_int64(q, i, t);
}

static int64_t col_time(sqlite3_stmt *q, int i)
{
    return sqlite3_column_type(q, i) == SQLITE_NULL ? WW_TIME_NONE : sqlite3_column_int64(q, i);
}

static int bump(ww_store_t *st, ww_diag_t *diag)
{
    return ww_store_exec(st, "UPDATE intel_meta SET value = value + 1 WHERE key = 'generation'",
                         diag);
}

int ww_intel_store_put(ww_store_t *st, const ww_intel_set_t *set, uint64_t *added,
                       uint64_t *updated, ww_diag_t *diag)
{
    int rc = ww_intel_migrate(st, diag);
    if (rc)
        return rc;
    sqlite3_stmt *ins = NULL, *upd = NULL;
    uint64_t na = 0, nu = 0;
    if ((rc = ww_store_exec(st, "BEGIN IMMEDIATE", diag)) != 0)
        return rc;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT OR IGNORE INTO intel_indicator(id, type, value, name, source,"
                           " tlp, confidence, valid_from, valid_until, added)"
                           " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, strftime('%s','now'))",
                           -1, &ins, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db,
                           "UPDATE intel_indicator SET name = ?4, source = ?5, tlp = ?6,"
                           " confidence = ?7, valid_from = ?8, valid_until = ?9"
                           " WHERE id = ?1 AND type = ?2 AND value = ?3",
                           -1, &upd, NULL) != SQLITE_OK) {
        rc = db_fail(st, diag, "prepare");
        goto out;
    }
    for (size_t i = 0; i < set->n; i++) {
        const ww_indicator_t *x = &set->v[i];
        for (int pass = 0; pass < 2; pass++) {
            sqlite3_stmt *q = pass ? upd : ins;
            sqlite3_reset(q);
            sqlite3_bind_text(q, 1, x->id, -1, SQLITE_STATIC);
            sqlite3_bind_int(q, 2, x->type);
            sqlite3_bind_text(q, 3, x->value, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 4, x->name ? x->name : "", -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 5, x->source ? x->source : "", -1, SQLITE_STATIC);
            sqlite3_bind_int(q, 6, x->tlp);
            sqlite3_bind_int(q, 7, x->confidence);
            bind_time(q, 8, x->valid_from);
            bind_time(q, 9, x->valid_until);
            if (sqlite3_step(q) != SQLITE_DONE) {
                rc = db_fail(st, diag, "storing an indicator");
                goto out;
            }
            if (!pass && sqlite3_changes(st->db)) {
                na++;
                break;
            }
            if (pass)
                nu++;
        }
    }
    if ((rc = bump(st, diag)) != 0)
        goto out;
    rc = ww_store_exec(st, "COMMIT", diag);
out:
    sqlite3_finalize(ins);
    sqlite3_finalize(upd);
    if (rc)
        ww_store_rollback(st);
    else {
        if (added)
            *added = na;
        if (updated)
            *updated = nu;
    }
    return rc;
}

int ww_intel_store_remove(ww_store_t *st, const char *source, uint64_t *removed, ww_diag_t *diag)
{
    int rc = ww_intel_migrate(st, diag);
    if (rc)
        return rc;
    sqlite3_stmt *q = NULL;
    if ((rc = ww_store_exec(st, "BEGIN IMMEDIATE", diag)) != 0)
        return rc;
    if (sqlite3_prepare_v2(st->db, "DELETE FROM intel_indicator WHERE source = ?1", -1, &q, NULL) !=
        SQLITE_OK) {
        rc = db_fail(st, diag, "prepare");
        goto out;
    }
    sqlite3_bind_text(q, 1, source, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE) {
        rc = db_fail(st, diag, "removing");
        goto out;
    }
    if (removed)
        *removed = (uint64_t)sqlite3_changes(st->db);
    if ((rc = bump(st, diag)) == 0)
        rc = ww_store_exec(st, "COMMIT", diag);
out:
    sqlite3_finalize(q);
    if (rc)
        ww_store_rollback(st);
    return rc;
}

int ww_intel_generation(ww_store_t *st, int64_t *gen, ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, "SELECT value FROM intel_meta WHERE key = 'generation'", -1, &q,
                           NULL) != SQLITE_OK) {
        /* No table yet: nothing was ever imported. */
        *gen = 0;
        return 0;
    }
    int rc = 0;
    int s = sqlite3_step(q);
    if (s == SQLITE_ROW)
        *gen = sqlite3_column_int64(q, 0);
    else if (s == SQLITE_DONE)
        *gen = 0;
    else
        rc = db_fail(st, diag, "reading the generation");
    sqlite3_finalize(q);
    return rc;
}

int ww_intel_store_list(ww_store_t *st, const char *source, bool expired, int64_t now,
                        ww_intel_fn fn, void *ud, ww_diag_t *diag)
{
    int rc = ww_intel_migrate(st, diag);
    if (rc)
        return rc;
    sqlite3_stmt *q = NULL;
    const char *sql =
        expired ? "SELECT id, type, value, name, source, tlp, confidence, valid_from, valid_until"
                  " FROM intel_indicator WHERE (?1 IS NULL OR source = ?1)"
                  " AND valid_until IS NOT NULL AND valid_until <= ?2 ORDER BY row"
                : "SELECT id, type, value, name, source, tlp, confidence, valid_from, valid_until"
                  " FROM intel_indicator WHERE (?1 IS NULL OR source = ?1)"
                  " AND (valid_until IS NULL OR valid_until > ?2) ORDER BY row";
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
        return db_fail(st, diag, "prepare");
    if (source)
        sqlite3_bind_text(q, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, now);
    int s;
    while ((s = sqlite3_step(q)) == SQLITE_ROW) {
        ww_indicator_t x = {
            .id = (const char *)sqlite3_column_text(q, 0),
            .type = sqlite3_column_int(q, 1),
            .value = (const char *)sqlite3_column_text(q, 2),
            .name = (const char *)sqlite3_column_text(q, 3),
            .source = (const char *)sqlite3_column_text(q, 4),
            .tlp = sqlite3_column_int(q, 5),
            .confidence = sqlite3_column_int(q, 6),
            .valid_from = col_time(q, 7),
            .valid_until = col_time(q, 8),
        };
        if ((rc = fn(ud, &x)) != 0)
            break;
    }
    if (!rc && s != SQLITE_DONE)
        rc = db_fail(st, diag, "listing");
    sqlite3_finalize(q);
    return rc;
}

/* Used by ww_intel_load (ww_intel_match.c): every row valid at now after after_row. */
int ww__intel_store_each(ww_store_t *st, int64_t now, int64_t after_row,
                         int (*fn)(void *, const ww_indicator_t *, int64_t row), void *ud,
                         ww_diag_t *diag);
int ww__intel_store_each(ww_store_t *st, int64_t now, int64_t after_row,
                         int (*fn)(void *, const ww_indicator_t *, int64_t row), void *ud,
                         ww_diag_t *diag)
{
    int rc = ww_intel_migrate(st, diag);
    if (rc)
        return rc;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT id, type, value, name, source, tlp, confidence, valid_from,"
                           " valid_until, row FROM intel_indicator WHERE row > ?1"
                           " AND (valid_until IS NULL OR valid_until > ?2)"
                           " AND (valid_from IS NULL OR valid_from <= ?2) ORDER BY row",
                           -1, &q, NULL) != SQLITE_OK)
        return db_fail(st, diag, "prepare");
    sqlite3_bind_int64(q, 1, after_row);
    sqlite3_bind_int64(q, 2, now);
    int s;
    while ((s = sqlite3_step(q)) == SQLITE_ROW) {
        ww_indicator_t x = {
            .id = (const char *)sqlite3_column_text(q, 0),
            .type = sqlite3_column_int(q, 1),
            .value = (const char *)sqlite3_column_text(q, 2),
            .name = (const char *)sqlite3_column_text(q, 3),
            .source = (const char *)sqlite3_column_text(q, 4),
            .tlp = sqlite3_column_int(q, 5),
            .confidence = sqlite3_column_int(q, 6),
            .valid_from = col_time(q, 7),
            .valid_until = col_time(q, 8),
        };
        if ((rc = fn(ud, &x, sqlite3_column_int64(q, 9))) != 0)
            break;
    }
    if (!rc && s != SQLITE_DONE)
        rc = db_fail(st, diag, "loading");
    sqlite3_finalize(q);
    return rc;
}
