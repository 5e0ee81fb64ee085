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
    /* The matcher's form of each row (see pack), in a narrow table of its own: a load
       reads only this. */
    "CREATE TABLE intel_packed(row INTEGER PRIMARY KEY, packed BLOB NOT NULL);"
    "CREATE TRIGGER intel_unpack AFTER DELETE ON intel_indicator"
    " BEGIN DELETE FROM intel_packed WHERE row = old.row; END;"
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

/* The row as the matcher loads it, in one column: reading one blob a row instead of
 * ten columns, and taking the key as it is (no address to parse), is what keeps a
 * million indicators' load well under a second.  Layout (version 1): version, type,
 * TLP, confidence (int8), valid_from, valid_until (int64, host order: the store is
 * this machine's), key length (uint16), the key, then id, value, name and source, each
 * NUL-terminated. */
#define PACK_HEAD 22
static int pack(const ww_indicator_t *x, ww_buf_t *b)
{
    uint8_t k[WW_INTEL_KEY_MAX];
    size_t kn;
    if (ww__intel_key(x->type, x->value, k, &kn) != 0)
        return -1;
    uint8_t h[PACK_HEAD];
    h[0] = 1;
    h[1] = (uint8_t)x->type;
    h[2] = (uint8_t)x->tlp;
    h[3] = (uint8_t)(int8_t)x->confidence;
    memcpy(h + 4, &x->valid_from, 8);
    memcpy(h + 12, &x->valid_until, 8);
    uint16_t k16 = (uint16_t)kn;
    memcpy(h + 20, &k16, 2);
    ww_buf_clear(b);
    ww_buf_append(b, h, sizeof h);
    ww_buf_append(b, k, kn);
    const char *str[4] = {x->id, x->value, x->name ? x->name : "", x->source ? x->source : ""};
    for (int i = 0; i < 4; i++)
        ww_buf_append(b, str[i], strlen(str[i]) + 1);
    return b->err ? -1 : 0;
}

/* Reads a packed row back; false for one that is not (damaged, or another version). */
static bool unpack(const uint8_t *p, size_t n, ww_indicator_t *x, const uint8_t **key, size_t *kn)
{
    if (n < PACK_HEAD || p[0] != 1)
        return false;
    x->type = p[1];
    x->tlp = p[2] <= WW_TLP_RED ? p[2] : WW_TLP_RED;
    x->confidence = (int8_t)p[3];
    memcpy(&x->valid_from, p + 4, 8);
    memcpy(&x->valid_until, p + 12, 8);
    uint16_t k16;
    memcpy(&k16, p + 20, 2);
    if (PACK_HEAD + (size_t)k16 > n)
        return false;
    *key = p + PACK_HEAD;
    *kn = k16;
    const char *s = (const char *)p + PACK_HEAD + k16, *e = (const char *)p + n;
    const char **str[4] = {&x->id, &x->value, &x->name, &x->source};
    for (int i = 0; i < 4; i++) {
        const char *z = memchr(s, 0, (size_t)(e - s));
        if (!z)
            return false;
        *str[i] = s;
        s = z + 1;
    }
    return x->type > 0 && x->type < WW_IND_NTYPES && k16 > 0;
}

int ww_intel_store_put(ww_store_t *st, const ww_intel_set_t *set, uint64_t *added,
                       uint64_t *updated, ww_diag_t *diag)
{
    int rc = ww_intel_migrate(st, diag);
    if (rc)
        return rc;
    sqlite3_stmt *ins = NULL, *upd = NULL, *pkq = NULL;
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
                           " WHERE id = ?1 AND type = ?2 AND value = ?3 RETURNING row",
                           -1, &upd, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db,
                           "INSERT OR REPLACE INTO intel_packed(row, packed) VALUES(?1, ?2)", -1,
                           &pkq, NULL) != SQLITE_OK) {
        rc = db_fail(st, diag, "prepare");
        goto out;
    }
    ww_buf_t pk;
    ww_buf_init(&pk, 0);
    /* A large import in one transaction: a bigger page cache for its index pages. */
    ww_store_exec(st, "PRAGMA cache_size=-131072", diag);
    for (size_t i = 0; i < set->n; i++) {
        const ww_indicator_t *x = &set->v[i];
        bool packed = pack(x, &pk) == 0;
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
            int step = sqlite3_step(q);
            int64_t row = 0;
            if (pass && step == SQLITE_ROW) {
                row = sqlite3_column_int64(q, 0);
                step = sqlite3_step(q);
            }
            if (step != SQLITE_DONE) {
                rc = db_fail(st, diag, "storing an indicator");
                goto out;
            }
            if (!pass && sqlite3_changes(st->db))
                row = sqlite3_last_insert_rowid(st->db);
            if (!row)
                continue; /* there already: updated on the second pass */
            pass ? nu++ : na++;
            if (packed) {
                sqlite3_reset(pkq);
                sqlite3_bind_int64(pkq, 1, row);
                sqlite3_bind_blob(pkq, 2, pk.p, (int)pk.n, SQLITE_STATIC);
                if (sqlite3_step(pkq) != SQLITE_DONE) {
                    rc = db_fail(st, diag, "storing an indicator");
                    goto out;
                }
            }
            break;
        }
    }
    if ((rc = bump(st, diag)) != 0)
        goto out;
    rc = ww_store_exec(st, "COMMIT", diag);
out:
    ww_buf_release(&pk);
    sqlite3_finalize(ins);
    sqlite3_finalize(upd);
    sqlite3_finalize(pkq);
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

static bool valid_at(const ww_indicator_t *x, int64_t now)
{
    return (x->valid_until == WW_TIME_NONE || x->valid_until > now) &&
           (x->valid_from == WW_TIME_NONE || x->valid_from <= now);
}

int ww__intel_store_each(ww_store_t *st, int64_t now, int64_t after_row, ww__intel_row_fn fn,
                         void *ud, ww_diag_t *diag)
{
    int rc = ww_intel_migrate(st, diag);
    if (rc)
        return rc;
    /* A million rows are read here: on a connection of their own, without SQLite's
       per-call mutex (this thread alone uses it) and with the file mapped, which
       halves the time of the shared, serialised handle. */
    sqlite3 *db = NULL;
    char real[sizeof st->path + 4];
    snprintf(real, sizeof real, "%s%s", strncmp(st->path, "file:", 5) == 0 ? "./" : "", st->path);
    if (sqlite3_open_v2(real, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        ww_diag_set(diag, st->path, 0, 0, "intel: cannot open for reading: %s",
                    db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return WW_EIO;
    }
    sqlite3_busy_timeout(db, 5000);
    sqlite3_exec(db, "PRAGMA mmap_size=1073741824", NULL, NULL, NULL);
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db,
                           /* Rows without their packed form (none unless the store was
                              changed by hand: the counts differ) come from the wide table,
                              after. */
                           "SELECT row, packed, NULL, 0, NULL, NULL, NULL, 0, 0, NULL, NULL"
                           " FROM intel_packed WHERE row > ?1 UNION ALL"
                           " SELECT row, NULL, id, type, value, name, source, tlp, confidence,"
                           " valid_from, valid_until FROM intel_indicator i WHERE row > ?1"
                           " AND (SELECT count(*) FROM intel_packed) !="
                           " (SELECT count(*) FROM intel_indicator)"
                           " AND NOT EXISTS (SELECT 1 FROM intel_packed p WHERE p.row = i.row)",
                           -1, &q, NULL) != SQLITE_OK) {
        ww_diag_set(diag, st->path, 0, 0, "intel: %s", sqlite3_errmsg(db));
        sqlite3_close(db);
        return WW_EIO;
    }
    sqlite3_bind_int64(q, 1, after_row);
    sqlite3_stmt *one = NULL;
    int s;
    while ((s = sqlite3_step(q)) == SQLITE_ROW) {
        ww_indicator_t x;
        const uint8_t *key = NULL;
        size_t kn = 0;
        const void *blob = sqlite3_column_blob(q, 1);
        sqlite3_stmt *c = q; /* where the columns are read from */
        if (blob && !unpack(blob, (size_t)sqlite3_column_bytes(q, 1), &x, &key, &kn)) {
            /* A damaged packed form: the row's own columns. */
            if (!one && sqlite3_prepare_v2(db,
                                           "SELECT row, NULL, id, type, value, name, source, tlp,"
                                           " confidence, valid_from, valid_until"
                                           " FROM intel_indicator WHERE row = ?1",
                                           -1, &one, NULL) != SQLITE_OK)
                continue;
            sqlite3_reset(one);
            sqlite3_bind_int64(one, 1, sqlite3_column_int64(q, 0));
            if (sqlite3_step(one) != SQLITE_ROW)
                continue;
            c = one;
            blob = NULL;
        }
        if (!blob) {
            key = NULL;
            x = (ww_indicator_t){
                .id = (const char *)sqlite3_column_text(c, 2),
                .type = sqlite3_column_int(c, 3),
                .value = (const char *)sqlite3_column_text(c, 4),
                .name = (const char *)sqlite3_column_text(c, 5),
                .source = (const char *)sqlite3_column_text(c, 6),
                .tlp = sqlite3_column_int(c, 7),
                .confidence = sqlite3_column_int(c, 8),
                .valid_from = col_time(c, 9),
                .valid_until = col_time(c, 10),
            };
            if (!x.id || !x.value || !x.name || !x.source)
                continue;
        }
        if (!valid_at(&x, now))
            continue;
        if ((rc = fn(ud, &x, key, kn, sqlite3_column_int64(q, 0))) != 0)
            break;
    }
    if (!rc && s != SQLITE_DONE) {
        ww_diag_set(diag, st->path, 0, 0, "intel: loading: %s", sqlite3_errmsg(db));
        rc = WW_EIO;
    }
    sqlite3_finalize(one);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return rc;
}
