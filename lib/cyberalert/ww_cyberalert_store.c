/* NHS cyber alerts in the shared store (module "cyberalert"): the alerts with their
 * affected products and CVEs, the assets each applies to with their progress, and an
 * append-only table of every change (who, when, what) that the clocks are read from:
 * the first "update" row is the first update, whoever made it. */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "asset/ww_asset.h"
#include "cyberalert/ww_cyberalert.h"

static const char *const migrations[] = {
    "CREATE TABLE cyberalert(id INTEGER PRIMARY KEY, ref TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    " title TEXT NOT NULL, severity TEXT NOT NULL, published INTEGER NOT NULL,"
    " patch_by INTEGER NOT NULL DEFAULT 0, url TEXT NOT NULL DEFAULT '',"
    " summary TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL,"
    " created_by TEXT NOT NULL, acked_at INTEGER NOT NULL DEFAULT 0,"
    " acked_by TEXT NOT NULL DEFAULT '', first_update_at INTEGER NOT NULL DEFAULT 0,"
    " closed_at INTEGER NOT NULL DEFAULT 0, closed_by TEXT NOT NULL DEFAULT '',"
    " close_note TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE cyberalert_product(alert INTEGER NOT NULL REFERENCES cyberalert(id)"
    " ON DELETE CASCADE, pos INTEGER NOT NULL, product TEXT NOT NULL,"
    " ranges TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX cyberalert_product_by_alert ON cyberalert_product(alert);"
    "CREATE TABLE cyberalert_cve(alert INTEGER NOT NULL REFERENCES cyberalert(id)"
    " ON DELETE CASCADE, pos INTEGER NOT NULL, cve TEXT NOT NULL);"
    "CREATE INDEX cyberalert_cve_by_alert ON cyberalert_cve(alert);"
    "CREATE TABLE cyberalert_asset(alert INTEGER NOT NULL REFERENCES cyberalert(id)"
    " ON DELETE CASCADE, asset TEXT NOT NULL, asset_rowid INTEGER NOT NULL DEFAULT 0,"
    " hostname TEXT NOT NULL DEFAULT '', possible INTEGER NOT NULL DEFAULT 0,"
    " basis TEXT NOT NULL DEFAULT '', matched_at INTEGER NOT NULL,"
    " state TEXT NOT NULL DEFAULT 'open', state_at INTEGER NOT NULL DEFAULT 0,"
    " state_by TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '',"
    " PRIMARY KEY(alert, asset));"
    "CREATE TABLE cyberalert_event(id INTEGER PRIMARY KEY, alert INTEGER NOT NULL"
    " REFERENCES cyberalert(id) ON DELETE CASCADE, at INTEGER NOT NULL, by TEXT NOT NULL,"
    " action TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX cyberalert_event_by_alert ON cyberalert_event(alert, id);",
};

int ww_cyberalert_migrate(ww_store_t *st, ww_diag_t *diag)
{
    return ww_store_migrate(st, "cyberalert", migrations, WW_ARRAY_LEN(migrations), diag);
}

static int db_fail(ww_store_t *st, ww_diag_t *diag, const char *what)
{
    ww_diag_set(diag, st->path, 0, 0, "cyber alerts: %s: %s", what, ww_store_errmsg(st));
    return WW_EIO;
}

static int prep(ww_store_t *st, const char *sql, sqlite3_stmt **q, ww_diag_t *diag)
{
    if (sqlite3_prepare_v2(st->db, sql, -1, q, NULL) != SQLITE_OK)
        return db_fail(st, diag, "preparing a statement");
    return 0;
}

static const char *col(sqlite3_stmt *q, int i, ww_arena_t *ar)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return ww_arena_strdup(ar, t ? (const char *)t : "");
}

static int begin(ww_store_t *st, ww_diag_t *diag)
{
    int rc = ww_cyberalert_migrate(st, diag);
    if (rc)
        return rc;
    return ww_store_exec(st, "BEGIN IMMEDIATE", diag) ? db_fail(st, diag, "starting a change") : 0;
}

static int commit(ww_store_t *st, int rc, ww_diag_t *diag)
{
    if (rc == 0 && ww_store_exec(st, "COMMIT", diag) != 0)
        rc = db_fail(st, diag, "committing");
    if (rc != 0)
        ww_store_rollback(st);
    return rc;
}

static int event(ww_store_t *st, int64_t alert, const ww_ca_who_t *who, const char *action,
                 const char *detail, ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    int rc = prep(st,
                  "INSERT INTO cyberalert_event(alert, at, by, action, detail)"
                  " VALUES(?1,?2,?3,?4,?5)",
                  &q, diag);
    if (rc)
        return rc;
    sqlite3_bind_int64(q, 1, alert);
    sqlite3_bind_int64(q, 2, who->at);
    sqlite3_bind_text(q, 3, who->by ? who->by : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, detail ? detail : "", -1, SQLITE_STATIC);
    rc = sqlite3_step(q) == SQLITE_DONE ? 0 : db_fail(st, diag, "recording the change");
    sqlite3_finalize(q);
    return rc;
}

/* The id of the alert with this reference: 1, 0 (none) or WW_EIO. */
static int find(ww_store_t *st, const char *ref, int64_t *id, ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    int rc = prep(st, "SELECT id FROM cyberalert WHERE ref=?1", &q, diag);
    if (rc)
        return rc;
    sqlite3_bind_text(q, 1, ref ? ref : "", -1, SQLITE_STATIC);
    int s = sqlite3_step(q);
    if (s == SQLITE_ROW) {
        *id = sqlite3_column_int64(q, 0);
        rc = 1;
    } else
        rc = s == SQLITE_DONE ? 0 : db_fail(st, diag, "finding the alert");
    sqlite3_finalize(q);
    return rc;
}

static int bind_run(ww_store_t *st, sqlite3_stmt *q, ww_diag_t *diag, const char *what)
{
    int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : db_fail(st, diag, what);
    sqlite3_finalize(q);
    return rc;
}

static int put_lists(ww_store_t *st, int64_t id, const ww_cyberalert_t *a, ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    int rc;
    char sql[128];
    snprintf(sql, sizeof sql,
             "DELETE FROM cyberalert_product WHERE alert=%lld;"
             "DELETE FROM cyberalert_cve WHERE alert=%lld;",
             (long long)id, (long long)id);
    if (ww_store_exec(st, sql, diag) != 0)
        return db_fail(st, diag, "replacing the products");
    ww_buf_t ranges;
    ww_buf_init(&ranges, 0);
    for (size_t i = 0; i < a->nproducts; i++) {
        ww_buf_clear(&ranges);
        for (size_t r = 0; r < a->products[i].nranges; r++) {
            if (r)
                ww_buf_putc(&ranges, '\n');
            ww_buf_puts(&ranges, a->products[i].ranges[r]);
        }
        if (ranges.err) {
            ww_buf_release(&ranges);
            return WW_ENOMEM;
        }
        if ((rc = prep(st,
                       "INSERT INTO cyberalert_product(alert,pos,product,ranges)"
                       " VALUES(?1,?2,?3,?4)",
                       &q, diag))) {
            ww_buf_release(&ranges);
            return rc;
        }
        sqlite3_bind_int64(q, 1, id);
        sqlite3_bind_int64(q, 2, (int64_t)i);
        sqlite3_bind_text(q, 3, a->products[i].product, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 4, ranges.p ? ranges.p : "", -1, SQLITE_STATIC);
        if ((rc = bind_run(st, q, diag, "storing a product"))) {
            ww_buf_release(&ranges);
            return rc;
        }
    }
    ww_buf_release(&ranges);
    for (size_t i = 0; i < a->ncves; i++) {
        if ((rc = prep(st, "INSERT INTO cyberalert_cve(alert,pos,cve) VALUES(?1,?2,upper(?3))", &q,
                       diag)))
            return rc;
        sqlite3_bind_int64(q, 1, id);
        sqlite3_bind_int64(q, 2, (int64_t)i);
        sqlite3_bind_text(q, 3, a->cves[i], -1, SQLITE_STATIC);
        if ((rc = bind_run(st, q, diag, "storing a CVE")))
            return rc;
    }
    return 0;
}

int ww_cyberalert_put(ww_store_t *st, const ww_cyberalert_t *a, bool replace,
                      const ww_ca_who_t *who, bool *created, ww_diag_t *diag)
{
    int rc = ww_cyberalert_check(a, diag);
    if (rc)
        return rc;
    if ((rc = begin(st, diag)))
        return rc;
    int64_t id = 0;
    sqlite3_stmt *q = NULL;
    int found = find(st, a->ref, &id, diag);
    if (found < 0) {
        rc = found;
        goto out;
    }
    if (found && !replace) {
        ww_diag_set(diag, st->path, 0, 0, "cyber alert %s is already recorded", a->ref);
        rc = WW_EINVAL;
        goto out;
    }
    if (found) {
        if ((rc = prep(st,
                       "UPDATE cyberalert SET title=?2, severity=?3, published=?4, patch_by=?5,"
                       " url=?6, summary=?7 WHERE id=?1",
                       &q, diag)))
            goto out;
        sqlite3_bind_int64(q, 1, id);
    } else {
        if ((rc = prep(st,
                       "INSERT INTO cyberalert(ref, title, severity, published, patch_by, url,"
                       " summary, created_at, created_by) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
                       &q, diag)))
            goto out;
        sqlite3_bind_text(q, 1, a->ref, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 8, who->at);
        sqlite3_bind_text(q, 9, who->by ? who->by : "", -1, SQLITE_STATIC);
    }
    sqlite3_bind_text(q, 2, a->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, ww_ca_sev_name(a->severity), -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, a->published);
    sqlite3_bind_int64(q, 5, a->patch_by);
    sqlite3_bind_text(q, 6, a->url ? a->url : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 7, a->summary ? a->summary : "", -1, SQLITE_STATIC);
    if ((rc = bind_run(st, q, diag, "storing the alert")))
        goto out;
    if (!found)
        id = sqlite3_last_insert_rowid(st->db);
    if ((rc = put_lists(st, id, a, diag)))
        goto out;
    rc = event(st, id, who, found ? "replace" : "add", a->title, diag);
out:
    rc = commit(st, rc, diag);
    if (rc == 0 && created)
        *created = !found;
    return rc;
}

#define ALERT_COLS                                                                         \
    "id, ref, title, severity, published, patch_by, url, summary, created_at, created_by," \
    " acked_at, acked_by, first_update_at, closed_at, closed_by, close_note"

static int read_alert(ww_store_t *st, sqlite3_stmt *q, ww_arena_t *ar, ww_cyberalert_t *a,
                      ww_diag_t *diag)
{
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(q, 0);
    a->ref = col(q, 1, ar);
    a->title = col(q, 2, ar);
    const char *sev = (const char *)sqlite3_column_text(q, 3);
    if (ww_ca_sev_parse(sev, &a->severity) != 0)
        a->severity = WW_CA_SEV_HIGH; /* an unreadable row keeps the strictest clocks */
    a->published = sqlite3_column_int64(q, 4);
    a->patch_by = sqlite3_column_int64(q, 5);
    a->url = col(q, 6, ar);
    a->summary = col(q, 7, ar);
    a->created_at = sqlite3_column_int64(q, 8);
    a->created_by = col(q, 9, ar);
    a->acked_at = sqlite3_column_int64(q, 10);
    a->acked_by = col(q, 11, ar);
    a->first_update_at = sqlite3_column_int64(q, 12);
    a->closed_at = sqlite3_column_int64(q, 13);
    a->closed_by = col(q, 14, ar);
    a->close_note = col(q, 15, ar);
    if (!a->ref || !a->title || !a->url || !a->summary || !a->created_by || !a->acked_by ||
        !a->closed_by || !a->close_note)
        return WW_ENOMEM;
    /* Products and CVEs. */
    sqlite3_stmt *p = NULL;
    int rc = prep(st, "SELECT product, ranges FROM cyberalert_product WHERE alert=?1 ORDER BY pos",
                  &p, diag);
    if (rc)
        return rc;
    sqlite3_bind_int64(p, 1, a->id);
    size_t cap = 0;
    int s;
    while ((s = sqlite3_step(p)) == SQLITE_ROW) {
        if (a->nproducts == cap) {
            size_t nc = cap ? cap * 2 : 8;
            ww_ca_product_t *nv = ww_arena_alloc(ar, nc * sizeof *nv);
            if (!nv) {
                sqlite3_finalize(p);
                return WW_ENOMEM;
            }
            if (a->nproducts)
                memcpy(nv, a->products, a->nproducts * sizeof *nv);
            a->products = nv;
            cap = nc;
        }
        ww_ca_product_t *pr = &a->products[a->nproducts++];
        memset(pr, 0, sizeof *pr);
        pr->product = col(p, 0, ar);
        char *r = (char *)col(p, 1, ar);
        if (!pr->product || !r) {
            sqlite3_finalize(p);
            return WW_ENOMEM;
        }
        size_t nr = *r ? 1 : 0;
        for (char *c = r; *c; c++)
            nr += *c == '\n';
        pr->ranges = ww_arena_alloc(ar, (nr + 1) * sizeof *pr->ranges);
        if (!pr->ranges) {
            sqlite3_finalize(p);
            return WW_ENOMEM;
        }
        for (char *c = r; nr && c;) {
            pr->ranges[pr->nranges++] = c;
            c = strchr(c, '\n');
            if (c)
                *c++ = 0;
        }
    }
    sqlite3_finalize(p);
    if (s != SQLITE_DONE)
        return db_fail(st, diag, "reading products");
    if ((rc = prep(st, "SELECT cve FROM cyberalert_cve WHERE alert=?1 ORDER BY pos", &p, diag)))
        return rc;
    sqlite3_bind_int64(p, 1, a->id);
    cap = 0;
    while ((s = sqlite3_step(p)) == SQLITE_ROW) {
        if (a->ncves == cap) {
            size_t nc = cap ? cap * 2 : 8;
            const char **nv = ww_arena_alloc(ar, nc * sizeof *nv);
            if (!nv) {
                sqlite3_finalize(p);
                return WW_ENOMEM;
            }
            if (a->ncves)
                memcpy(nv, a->cves, a->ncves * sizeof *nv);
            a->cves = nv;
            cap = nc;
        }
        if (!(a->cves[a->ncves++] = col(p, 0, ar))) {
            sqlite3_finalize(p);
            return WW_ENOMEM;
        }
    }
    sqlite3_finalize(p);
    return s == SQLITE_DONE ? 0 : db_fail(st, diag, "reading CVEs");
}

int ww_cyberalert_get(ww_store_t *st, const char *ref, ww_arena_t *arena, ww_cyberalert_t *out,
                      ww_diag_t *diag)
{
    int rc = ww_cyberalert_migrate(st, diag);
    if (rc)
        return rc;
    sqlite3_stmt *q = NULL;
    if ((rc = prep(st, "SELECT " ALERT_COLS " FROM cyberalert WHERE ref=?1", &q, diag)))
        return rc;
    sqlite3_bind_text(q, 1, ref ? ref : "", -1, SQLITE_STATIC);
    int s = sqlite3_step(q);
    if (s == SQLITE_ROW) {
        rc = read_alert(st, q, arena, out, diag);
        if (rc == 0)
            rc = 1;
    } else
        rc = s == SQLITE_DONE ? 0 : db_fail(st, diag, "reading the alert");
    sqlite3_finalize(q);
    return rc;
}

int ww_cyberalert_list(ww_store_t *st, ww_arena_t *arena, ww_cyberalert_t **out, size_t *n,
                       ww_diag_t *diag)
{
    int rc = ww_cyberalert_migrate(st, diag);
    if (rc)
        return rc;
    sqlite3_stmt *q = NULL;
    if ((rc = prep(st, "SELECT " ALERT_COLS " FROM cyberalert ORDER BY published DESC, ref", &q,
                   diag)))
        return rc;
    ww_cyberalert_t *v = NULL;
    size_t k = 0, cap = 0;
    int s;
    while ((s = sqlite3_step(q)) == SQLITE_ROW) {
        if (k == cap) {
            size_t nc = cap ? cap * 2 : 16;
            ww_cyberalert_t *nv = ww_arena_alloc(arena, nc * sizeof *nv);
            if (!nv) {
                rc = WW_ENOMEM;
                break;
            }
            if (k)
                memcpy(nv, v, k * sizeof *nv);
            v = nv;
            cap = nc;
        }
        if ((rc = read_alert(st, q, arena, &v[k], diag)))
            break;
        k++;
    }
    if (!rc && s != SQLITE_DONE)
        rc = db_fail(st, diag, "listing alerts");
    sqlite3_finalize(q);
    if (rc)
        return rc;
    *out = v;
    *n = k;
    return 0;
}

/* Finds an open alert for a change: 0 and *id, or WW_ENOENT / WW_EINVAL (closed). */
static int open_alert(ww_store_t *st, const char *ref, int64_t *id, int64_t *acked, ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    int rc = prep(st, "SELECT id, acked_at, closed_at FROM cyberalert WHERE ref=?1", &q, diag);
    if (rc)
        return rc;
    sqlite3_bind_text(q, 1, ref ? ref : "", -1, SQLITE_STATIC);
    int s = sqlite3_step(q);
    if (s == SQLITE_ROW) {
        *id = sqlite3_column_int64(q, 0);
        if (acked)
            *acked = sqlite3_column_int64(q, 1);
        if (sqlite3_column_int64(q, 2)) {
            ww_diag_set(diag, st->path, 0, 0, "cyber alert %s is closed", ref);
            rc = WW_EINVAL;
        }
    } else if (s == SQLITE_DONE) {
        ww_diag_set(diag, st->path, 0, 0, "no cyber alert %s", ref ? ref : "");
        rc = WW_ENOENT;
    } else
        rc = db_fail(st, diag, "finding the alert");
    sqlite3_finalize(q);
    return rc;
}

static int check_note(const char *note, ww_diag_t *diag)
{
    if (note && strlen(note) > WW_CA_MAX_TEXT) {
        ww_diag_set(diag, "", 0, 0, "note longer than %d bytes", WW_CA_MAX_TEXT);
        return WW_EINVAL;
    }
    return 0;
}

int ww_cyberalert_ack(ww_store_t *st, const char *ref, const ww_ca_who_t *who, const char *note,
                      ww_diag_t *diag)
{
    int rc = check_note(note, diag);
    if (rc || (rc = begin(st, diag)))
        return rc;
    int64_t id = 0, acked = 0;
    sqlite3_stmt *q = NULL;
    if ((rc = open_alert(st, ref, &id, &acked, diag)))
        goto out;
    if (acked) {
        char t[32];
        ww_ca_time_format(acked, t, sizeof t);
        ww_diag_set(diag, st->path, 0, 0, "cyber alert %s was already acknowledged at %s", ref, t);
        rc = WW_EINVAL;
        goto out;
    }
    if ((rc = prep(st, "UPDATE cyberalert SET acked_at=?2, acked_by=?3 WHERE id=?1", &q, diag)))
        goto out;
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_int64(q, 2, who->at);
    sqlite3_bind_text(q, 3, who->by ? who->by : "", -1, SQLITE_STATIC);
    if ((rc = bind_run(st, q, diag, "acknowledging")))
        goto out;
    rc = event(st, id, who, "ack", note, diag);
out:
    return commit(st, rc, diag);
}

int ww_cyberalert_update(ww_store_t *st, const char *ref, const ww_ca_who_t *who, const char *note,
                         ww_diag_t *diag)
{
    int rc = check_note(note, diag);
    if (rc || (rc = begin(st, diag)))
        return rc;
    int64_t id = 0;
    sqlite3_stmt *q = NULL;
    if (!note || !*note) {
        ww_diag_set(diag, "", 0, 0, "an update needs a note saying where things stand");
        rc = WW_EINVAL;
        goto out;
    }
    if ((rc = open_alert(st, ref, &id, NULL, diag)))
        goto out;
    if ((rc = prep(st, "UPDATE cyberalert SET first_update_at=?2 WHERE id=?1 AND first_update_at=0",
                   &q, diag)))
        goto out;
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_int64(q, 2, who->at);
    if ((rc = bind_run(st, q, diag, "recording the update")))
        goto out;
    rc = event(st, id, who, "update", note, diag);
out:
    return commit(st, rc, diag);
}

int ww_cyberalert_close(ww_store_t *st, const char *ref, const ww_ca_who_t *who, const char *note,
                        ww_diag_t *diag)
{
    int rc = check_note(note, diag);
    if (rc || (rc = begin(st, diag)))
        return rc;
    int64_t id = 0;
    sqlite3_stmt *q = NULL;
    if ((rc = open_alert(st, ref, &id, NULL, diag)))
        goto out;
    if ((rc =
             prep(st, "UPDATE cyberalert SET closed_at=?2, closed_by=?3, close_note=?4 WHERE id=?1",
                  &q, diag)))
        goto out;
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_int64(q, 2, who->at);
    sqlite3_bind_text(q, 3, who->by ? who->by : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, note ? note : "", -1, SQLITE_STATIC);
    if ((rc = bind_run(st, q, diag, "closing")))
        goto out;
    rc = event(st, id, who, "close", note, diag);
out:
    return commit(st, rc, diag);
}

int ww_cyberalert_set_asset(ww_store_t *st, const char *ref, const char *asset, ww_ca_state_t state,
                            const ww_ca_who_t *who, const char *note, ww_diag_t *diag)
{
    int rc = check_note(note, diag);
    if (rc || (rc = begin(st, diag)))
        return rc;
    int64_t id = 0;
    sqlite3_stmt *q = NULL;
    if ((rc = open_alert(st, ref, &id, NULL, diag)))
        goto out;
    if ((rc = prep(st,
                   "UPDATE cyberalert_asset SET state=?3, state_at=?4, state_by=?5, note=?6"
                   " WHERE alert=?1 AND asset=?2",
                   &q, diag)))
        goto out;
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_text(q, 2, asset ? asset : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, ww_ca_state_name(state), -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, state == WW_CA_OPEN ? 0 : who->at);
    sqlite3_bind_text(q, 5, state == WW_CA_OPEN ? "" : (who->by ? who->by : ""), -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 6, note ? note : "", -1, SQLITE_STATIC);
    if ((rc = bind_run(st, q, diag, "recording the asset's state")))
        goto out;
    if (sqlite3_changes(st->db) == 0) {
        ww_diag_set(diag, st->path, 0, 0, "cyber alert %s does not apply to asset '%.100s'", ref,
                    asset ? asset : "");
        rc = WW_ENOENT;
        goto out;
    }
    char detail[WW_CA_MAX_FIELD + 64];
    snprintf(detail, sizeof detail, "%.200s: %s%s%.200s", asset, ww_ca_state_name(state),
             note && *note ? ": " : "", note ? note : "");
    rc = event(st, id, who, "asset", detail, diag);
out:
    return commit(st, rc, diag);
}

int ww_cyberalert_history(ww_store_t *st, int64_t alert_id, ww_arena_t *arena, ww_ca_note_t **out,
                          size_t *n, ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    int rc =
        prep(st, "SELECT at, by, action, detail FROM cyberalert_event WHERE alert=?1 ORDER BY id",
             &q, diag);
    if (rc)
        return rc;
    sqlite3_bind_int64(q, 1, alert_id);
    ww_ca_note_t *v = NULL;
    size_t k = 0, cap = 0;
    int s;
    while ((s = sqlite3_step(q)) == SQLITE_ROW) {
        if (k == cap) {
            size_t nc = cap ? cap * 2 : 16;
            ww_ca_note_t *nv = ww_arena_alloc(arena, nc * sizeof *nv);
            if (!nv) {
                rc = WW_ENOMEM;
                break;
            }
            if (k)
                memcpy(nv, v, k * sizeof *nv);
            v = nv;
            cap = nc;
        }
        v[k].at = sqlite3_column_int64(q, 0);
        v[k].by = col(q, 1, arena);
        v[k].action = col(q, 2, arena);
        v[k].detail = col(q, 3, arena);
        if (!v[k].by || !v[k].action || !v[k].detail) {
            rc = WW_ENOMEM;
            break;
        }
        k++;
    }
    if (!rc && s != SQLITE_DONE)
        rc = db_fail(st, diag, "reading the history");
    sqlite3_finalize(q);
    if (rc)
        return rc;
    *out = v;
    *n = k;
    return 0;
}

int ww_cyberalert_assets(ww_store_t *st, int64_t alert_id, ww_arena_t *arena, ww_ca_asset_t **out,
                         size_t *n, ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    int rc = prep(st,
                  "SELECT asset_rowid, asset, hostname, possible, basis, state, state_at,"
                  " state_by, note FROM cyberalert_asset WHERE alert=?1"
                  " ORDER BY possible, asset COLLATE NOCASE",
                  &q, diag);
    if (rc)
        return rc;
    sqlite3_bind_int64(q, 1, alert_id);
    ww_ca_asset_t *v = NULL;
    size_t k = 0, cap = 0;
    int s;
    while ((s = sqlite3_step(q)) == SQLITE_ROW) {
        if (k == cap) {
            size_t nc = cap ? cap * 2 : 32;
            ww_ca_asset_t *nv = ww_arena_alloc(arena, nc * sizeof *nv);
            if (!nv) {
                rc = WW_ENOMEM;
                break;
            }
            if (k)
                memcpy(nv, v, k * sizeof *nv);
            v = nv;
            cap = nc;
        }
        ww_ca_asset_t *x = &v[k];
        memset(x, 0, sizeof *x);
        x->asset_rowid = sqlite3_column_int64(q, 0);
        x->asset = col(q, 1, arena);
        x->hostname = col(q, 2, arena);
        x->possible = sqlite3_column_int(q, 3) != 0;
        x->basis = col(q, 4, arena);
        if (ww_ca_state_parse((const char *)sqlite3_column_text(q, 5), &x->state) != 0)
            x->state = WW_CA_OPEN;
        x->state_at = sqlite3_column_int64(q, 6);
        x->state_by = col(q, 7, arena);
        x->note = col(q, 8, arena);
        if (!x->asset || !x->hostname || !x->basis || !x->state_by || !x->note) {
            rc = WW_ENOMEM;
            break;
        }
        k++;
    }
    if (!rc && s != SQLITE_DONE)
        rc = db_fail(st, diag, "reading applicable assets");
    sqlite3_finalize(q);
    if (rc)
        return rc;
    *out = v;
    *n = k;
    return 0;
}

/* Brings one alert's stored matches up to date (inside the caller's transaction). */
static int refresh_one(ww_store_t *st, const ww_feeds_t *f, const ww_cyberalert_t *a,
                       const ww_ca_who_t *who, ww_arena_t *ar, ww_diag_t *diag)
{
    ww_ca_asset_t *m = NULL;
    size_t n = 0;
    int rc = ww_cyberalert_applicable(st, f, a, ar, &m, &n, diag);
    if (rc)
        return rc;
    /* Marks every row, then clears the mark of those still matching; marked rows with
       no recorded state are gone from the register's view and are dropped. */
    char sql[160];
    snprintf(sql, sizeof sql, "UPDATE cyberalert_asset SET matched_at=-1 WHERE alert=%lld",
             (long long)a->id);
    if (ww_store_exec(st, sql, diag) != 0)
        return db_fail(st, diag, "refreshing matches");
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *q = NULL;
        if ((rc = prep(st,
                       "INSERT INTO cyberalert_asset(alert, asset, asset_rowid, hostname,"
                       " possible, basis, matched_at) VALUES(?1,?2,?3,?4,?5,?6,?7)"
                       " ON CONFLICT(alert, asset) DO UPDATE SET asset_rowid=excluded.asset_rowid,"
                       " hostname=excluded.hostname, possible=excluded.possible,"
                       " basis=excluded.basis, matched_at=excluded.matched_at",
                       &q, diag)))
            return rc;
        sqlite3_bind_int64(q, 1, a->id);
        sqlite3_bind_text(q, 2, m[i].asset, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 3, m[i].asset_rowid);
        sqlite3_bind_text(q, 4, m[i].hostname, -1, SQLITE_STATIC);
        sqlite3_bind_int(q, 5, m[i].possible);
        sqlite3_bind_text(q, 6, m[i].basis, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 7, who->at);
        if ((rc = bind_run(st, q, diag, "storing a match")))
            return rc;
    }
    snprintf(sql, sizeof sql,
             "DELETE FROM cyberalert_asset WHERE alert=%lld AND matched_at=-1 AND state='open'",
             (long long)a->id);
    if (ww_store_exec(st, sql, diag) != 0)
        return db_fail(st, diag, "refreshing matches");
    return 0;
}

int ww_cyberalert_refresh(ww_store_t *st, const ww_feeds_t *f, const char *ref,
                          const ww_ca_who_t *who, ww_diag_t *diag)
{
    ww_arena_t ar;
    ww_arena_init(&ar, 64 * 1024, 0);
    ww_cyberalert_t *v = NULL, one;
    size_t n = 0;
    int rc;
    if (ref) {
        rc = ww_cyberalert_get(st, ref, &ar, &one, diag);
        if (rc == 0) {
            ww_diag_set(diag, st->path, 0, 0, "no cyber alert %s", ref);
            rc = WW_ENOENT;
        }
        if (rc < 0)
            goto done;
        v = &one;
        n = 1;
    } else if ((rc = ww_cyberalert_list(st, &ar, &v, &n, diag)) != 0)
        goto done;
    /* The register's tables first: their migration cannot run inside our change. */
    if ((rc = ww_asset_migrate(st, diag)) != 0 || (rc = begin(st, diag)))
        goto done;
    for (size_t i = 0; i < n && rc == 0; i++)
        if (!v[i].closed_at)
            rc = refresh_one(st, f, &v[i], who, &ar, diag);
    rc = commit(st, rc, diag);
done:
    ww_arena_release(&ar);
    return rc < 0 ? rc : 0;
}
