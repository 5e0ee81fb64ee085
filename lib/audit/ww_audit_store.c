/* The audit's own tables (module "audit" in the shared store): every run is kept with
 * its counts, so the report can show the trend a board asks about ("are we getting
 * better?").  Only counts are kept, not findings: the register itself is the record of
 * what was wrong, and a run's counts are what the chart draws. */
#include "audit/ww_audit_int.h"

#include <stdlib.h>
#include <time.h>

static const char *const migrations[] = {
    "CREATE TABLE audit_run(id INTEGER PRIMARY KEY, as_of_day INTEGER NOT NULL,"
    " run_at INTEGER NOT NULL, assets INTEGER NOT NULL, findings INTEGER NOT NULL,"
    " critical INTEGER NOT NULL, high INTEGER NOT NULL, medium INTEGER NOT NULL,"
    " low INTEGER NOT NULL, auto_fail INTEGER NOT NULL);"
    "CREATE INDEX audit_run_by_day ON audit_run(as_of_day);",
};

int ww_audit_migrate(ww_store_t *st, ww_diag_t *diag)
{
    return ww_store_migrate(st, "audit", migrations, WW_ARRAY_LEN(migrations), diag);
}

static int db_fail(ww_store_t *st, ww_diag_t *diag, const char *what)
{
    ww_diag_set(diag, st->path, 0, 0, "audit history: %s: %s", what, sqlite3_errmsg(st->db));
    return WW_EIO;
}

static int save(ww_store_t *st, const ww_audit_point_t *p, ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO audit_run(as_of_day, run_at, assets, findings, critical,"
                           " high, medium, low, auto_fail) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
                           -1, &q, NULL) != SQLITE_OK)
        return db_fail(st, diag, "saving the run");
    sqlite3_bind_int64(q, 1, p->day);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)time(NULL));
    sqlite3_bind_int64(q, 3, (sqlite3_int64)p->assets);
    sqlite3_bind_int64(q, 4, (sqlite3_int64)p->findings);
    for (int s = WW_SEV_CRITICAL, k = 5; s >= WW_SEV_LOW; s--, k++)
        sqlite3_bind_int64(q, k, (sqlite3_int64)p->by_sev[s]);
    sqlite3_bind_int64(q, 9, (sqlite3_int64)p->auto_fail);
    int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : db_fail(st, diag, "saving the run");
    sqlite3_finalize(q);
    return rc;
}

int ww_audit_history(ww_store_t *st, ww_audit_report_t *r, bool keep, ww_diag_t *diag)
{
    int rc = ww_audit_migrate(st, diag);
    if (rc)
        return rc;
    ww_audit_point_t now;
    ww_audit_point(r, &now);
    if (keep && (rc = save(st, &now, diag)) != 0)
        return rc;
    /* The latest run of each earlier as-of day, newest days first (so the cap keeps the
       recent ones); an audit as of an old day never shows runs after it. */
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT as_of_day, assets, findings, critical, high, medium, low,"
                           " auto_fail FROM audit_run a WHERE as_of_day < ?1 AND id = (SELECT"
                           " max(id) FROM audit_run b WHERE b.as_of_day = a.as_of_day)"
                           " ORDER BY as_of_day DESC LIMIT ?2",
                           -1, &q, NULL) != SQLITE_OK)
        return db_fail(st, diag, "reading the runs");
    sqlite3_bind_int64(q, 1, r->as_of_day);
    sqlite3_bind_int(q, 2, WW_AUDIT_MAX_HISTORY - 1);
    ww_audit_point_t *v = calloc(WW_AUDIT_MAX_HISTORY, sizeof *v);
    if (!v) {
        sqlite3_finalize(q);
        return WW_ENOMEM;
    }
    size_t n = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW && n < WW_AUDIT_MAX_HISTORY - 1) {
        ww_audit_point_t *p = &v[n++];
        p->day = sqlite3_column_int64(q, 0);
        p->assets = (size_t)sqlite3_column_int64(q, 1);
        p->findings = (size_t)sqlite3_column_int64(q, 2);
        for (int s = WW_SEV_CRITICAL, k = 3; s >= WW_SEV_LOW; s--, k++)
            p->by_sev[s] = (size_t)sqlite3_column_int64(q, k);
        p->auto_fail = (size_t)sqlite3_column_int64(q, 7);
    }
    rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : db_fail(st, diag, "reading the runs");
    sqlite3_finalize(q);
    if (rc) {
        free(v);
        return rc;
    }
    /* Oldest first, then this run. */
    for (size_t i = 0; i < n / 2; i++) {
        ww_audit_point_t t = v[i];
        v[i] = v[n - 1 - i];
        v[n - 1 - i] = t;
    }
    v[n++] = now;
    free(r->history);
    r->history = v;
    r->nhistory = n;
    return 0;
}
