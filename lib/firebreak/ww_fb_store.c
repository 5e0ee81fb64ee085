/* Fire-break records in the shared store: the imported maps (their text, so a plan can
 * always be explained by the exact map it came from), the plans with their exact
 * rulesets and states, and the append-only log of every plan, apply, confirm, rollback
 * and lift for the clinical-safety hazard log. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "firebreak/ww_fb_int.h"

static const char *const migrations[] = {
    "CREATE TABLE fb_map(id INTEGER PRIMARY KEY, imported_at TEXT NOT NULL, by TEXT,"
    " path TEXT, yaml TEXT NOT NULL);"
    "CREATE TABLE fb_plan(id INTEGER PRIMARY KEY, created_at TEXT NOT NULL, by TEXT,"
    " reason TEXT, map_id INTEGER NOT NULL REFERENCES fb_map(id), segment TEXT NOT NULL,"
    " infected_ip TEXT, chain TEXT NOT NULL, ruleset TEXT NOT NULL,"
    " state TEXT NOT NULL DEFAULT 'planned', applied_at TEXT, deadline INTEGER,"
    " prev_ruleset TEXT, watchdog_pid INTEGER);"
    "CREATE TABLE fb_record(id INTEGER PRIMARY KEY, at TEXT NOT NULL, action TEXT NOT NULL,"
    " plan_id INTEGER, segment TEXT, by TEXT, reason TEXT, ruleset TEXT, detail TEXT);",
    /* 2: the kernel's own listing of a plan's chain right after it was loaded, so
     * `status` can tell a chain changed outside wardwatch from one that is intact. */
    "ALTER TABLE fb_plan ADD COLUMN live_chain TEXT;",
    /* 3: host plans: the quarantined addresses, comma-separated (NULL: a segment plan). */
    "ALTER TABLE fb_plan ADD COLUMN hosts TEXT;",
};

int ww_fb_store_migrate(ww_store_t *st, ww_diag_t *diag)
{
    return ww_store_migrate(st, "firebreak", migrations, WW_ARRAY_LEN(migrations), diag);
}

void ww_fb_now(char *out, size_t outlen)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ww_time_format((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec, out, outlen);
}

static char *col_dup(sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return t ? strdup((const char *)t) : NULL;
}

int ww_fb_map_save(ww_store_t *st, const char *path, const char *yaml, const char *by, int64_t *id)
{
    char now[40];
    ww_fb_now(now, sizeof now);
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, "INSERT INTO fb_map(imported_at,by,path,yaml) VALUES(?,?,?,?)",
                           -1, &q, NULL) != SQLITE_OK)
        return WW_EIO;
    sqlite3_bind_text(q, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, by, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, path, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, yaml, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : WW_EIO;
    sqlite3_finalize(q);
    if (rc == 0 && id)
        *id = sqlite3_last_insert_rowid(st->db);
    return rc;
}

int ww_fb_map_load(ww_store_t *st, int64_t id, int64_t *id_out, char **yaml, char **path)
{
    sqlite3_stmt *q = NULL;
    const char *sql = id > 0 ? "SELECT id,yaml,path FROM fb_map WHERE id=?"
                             : "SELECT id,yaml,path FROM fb_map ORDER BY id DESC LIMIT 1";
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
        return WW_EIO;
    if (id > 0)
        sqlite3_bind_int64(q, 1, id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *id_out = sqlite3_column_int64(q, 0);
        *yaml = col_dup(q, 1);
        *path = col_dup(q, 2);
        rc = *yaml ? 0 : WW_ENOMEM;
    } else {
        rc = rc == SQLITE_DONE ? WW_ENOENT : WW_EIO;
    }
    sqlite3_finalize(q);
    return rc;
}

int ww_fb_plan_insert(ww_store_t *st, ww_fb_plan_row_t *p)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO fb_plan(created_at,by,reason,map_id,segment,infected_ip,"
                           "chain,ruleset,hosts) VALUES(?,?,?,?,?,?,'','',?)",
                           -1, &q, NULL) != SQLITE_OK)
        return WW_EIO;
    sqlite3_bind_text(q, 1, p->created, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, p->by, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, p->reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, p->map_id);
    sqlite3_bind_text(q, 5, p->segment, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 6, p->infected_ip, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 7, p->hosts, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : WW_EIO;
    sqlite3_finalize(q);
    if (rc == 0)
        p->id = sqlite3_last_insert_rowid(st->db);
    return rc;
}

int ww_fb_plan_set_rules(ww_store_t *st, int64_t id, const char *chain, const char *ruleset)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, "UPDATE fb_plan SET chain=?, ruleset=? WHERE id=?", -1, &q,
                           NULL) != SQLITE_OK)
        return WW_EIO;
    sqlite3_bind_text(q, 1, chain, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, ruleset, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, id);
    int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : WW_EIO;
    sqlite3_finalize(q);
    return rc;
}

#define PLAN_COLS                                                                        \
    "id,created_at,by,reason,map_id,segment,infected_ip,chain,ruleset,state,applied_at," \
    "deadline,prev_ruleset,watchdog_pid,live_chain,hosts"

static void row_fill(sqlite3_stmt *q, ww_fb_plan_row_t *p)
{
    memset(p, 0, sizeof *p);
    p->id = sqlite3_column_int64(q, 0);
    p->created = col_dup(q, 1);
    p->by = col_dup(q, 2);
    p->reason = col_dup(q, 3);
    p->map_id = sqlite3_column_int64(q, 4);
    p->segment = col_dup(q, 5);
    p->infected_ip = col_dup(q, 6);
    p->chain = col_dup(q, 7);
    p->ruleset = col_dup(q, 8);
    p->state = col_dup(q, 9);
    p->applied_at = col_dup(q, 10);
    p->deadline = sqlite3_column_int64(q, 11);
    p->prev_ruleset = col_dup(q, 12);
    p->watchdog_pid = sqlite3_column_int64(q, 13);
    p->live_chain = col_dup(q, 14);
    p->hosts = col_dup(q, 15);
}

void ww_fb_plan_row_release(ww_fb_plan_row_t *p)
{
    if (!p)
        return;
    free(p->created);
    free(p->by);
    free(p->reason);
    free(p->segment);
    free(p->infected_ip);
    free(p->chain);
    free(p->ruleset);
    free(p->state);
    free(p->applied_at);
    free(p->prev_ruleset);
    free(p->live_chain);
    free(p->hosts);
    memset(p, 0, sizeof *p);
}

int ww_fb_plan_get(ww_store_t *st, int64_t id, ww_fb_plan_row_t *out)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, "SELECT " PLAN_COLS " FROM fb_plan WHERE id=?", -1, &q, NULL) !=
        SQLITE_OK)
        return WW_EIO;
    sqlite3_bind_int64(q, 1, id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        row_fill(q, out);
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? WW_ENOENT : WW_EIO;
    }
    sqlite3_finalize(q);
    return rc;
}

int ww_fb_plan_list(ww_store_t *st, bool live_only, ww_fb_plan_row_t **out, size_t *n)
{
    sqlite3_stmt *q = NULL;
    const char *sql = live_only ? "SELECT " PLAN_COLS " FROM fb_plan WHERE state IN "
                                  "('pending','active') ORDER BY id"
                                : "SELECT " PLAN_COLS " FROM fb_plan ORDER BY id";
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
        return WW_EIO;
    ww_fb_plan_row_t *rows = NULL;
    size_t cnt = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (cnt == cap) {
            size_t nc = cap ? cap * 2 : 8;
            ww_fb_plan_row_t *nr = realloc(rows, nc * sizeof(*nr));
            if (!nr) {
                rc = SQLITE_NOMEM;
                break;
            }
            rows = nr;
            cap = nc;
        }
        row_fill(q, &rows[cnt++]);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        ww_fb_plan_rows_free(rows, cnt);
        return rc == SQLITE_NOMEM ? WW_ENOMEM : WW_EIO;
    }
    *out = rows;
    *n = cnt;
    return 0;
}

void ww_fb_plan_rows_free(ww_fb_plan_row_t *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ww_fb_plan_row_release(&rows[i]);
    free(rows);
}

int ww_fb_plan_set_state(ww_store_t *st, int64_t id, const char *state, const char *applied_at,
                         int64_t deadline, const char *prev_ruleset, int64_t pid)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "UPDATE fb_plan SET state=?, applied_at=coalesce(?,applied_at),"
                           " deadline=?, prev_ruleset=coalesce(?,prev_ruleset),"
                           " watchdog_pid=? WHERE id=?",
                           -1, &q, NULL) != SQLITE_OK)
        return WW_EIO;
    sqlite3_bind_text(q, 1, state, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, applied_at, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, deadline);
    sqlite3_bind_text(q, 4, prev_ruleset, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 5, pid);
    sqlite3_bind_int64(q, 6, id);
    int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : WW_EIO;
    sqlite3_finalize(q);
    return rc;
}

int ww_fb_plan_transition(ww_store_t *st, int64_t id, const char *from, const char *to)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, "UPDATE fb_plan SET state=? WHERE id=? AND state=?", -1, &q,
                           NULL) != SQLITE_OK)
        return WW_EIO;
    sqlite3_bind_text(q, 1, to, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, id);
    sqlite3_bind_text(q, 3, from, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : WW_EIO;
    sqlite3_finalize(q);
    return rc ? rc : sqlite3_changes(st->db) > 0;
}

int ww_fb_record(ww_store_t *st, const char *action, int64_t plan_id, const char *segment,
                 const char *by, const char *reason, const char *ruleset, const char *detail)
{
    char now[40];
    ww_fb_now(now, sizeof now);
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO fb_record(at,action,plan_id,segment,by,reason,ruleset,"
                           "detail) VALUES(?,?,?,?,?,?,?,?)",
                           -1, &q, NULL) != SQLITE_OK)
        return WW_EIO;
    sqlite3_bind_text(q, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, action, -1, SQLITE_STATIC);
    if (plan_id > 0)
        sqlite3_bind_int64(q, 3, plan_id);
    sqlite3_bind_text(q, 4, segment, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, by, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 6, reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 7, ruleset, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 8, detail, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : WW_EIO;
    sqlite3_finalize(q);
    return rc;
}

/* ---- steps that change state and write their record in one transaction ---- */

static int tx_begin(ww_store_t *st)
{
    /* IMMEDIATE takes the write lock now (waiting up to the busy timeout), so the
     * state change and its record either both land or neither does. */
    return sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK ? 0 : WW_EIO;
}

static int tx_end(ww_store_t *st, int rc)
{
    if (rc >= 0 && sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
        return rc;
    ww_store_rollback(st);
    return rc < 0 ? rc : WW_EIO;
}

int ww_fb_plan_begin_apply(ww_store_t *st, int64_t id, const char *state, const char *applied_at,
                           int64_t deadline, const char *prev_ruleset, const char *segment,
                           const char *by, const char *reason, const char *ruleset,
                           const char *detail)
{
    if (tx_begin(st) != 0)
        return WW_EIO;
    sqlite3_stmt *q = NULL;
    int rc = WW_EIO;
    if (sqlite3_prepare_v2(st->db,
                           "UPDATE fb_plan SET state=?, applied_at=?, deadline=?, prev_ruleset=?,"
                           " watchdog_pid=0, live_chain=NULL WHERE id=? AND state NOT IN"
                           " ('pending','active','lifting','rolling-back')",
                           -1, &q, NULL) != SQLITE_OK)
        goto out;
    sqlite3_bind_text(q, 1, state, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, applied_at, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, deadline);
    sqlite3_bind_text(q, 4, prev_ruleset, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 5, id);
    if (sqlite3_step(q) != SQLITE_DONE)
        goto out;
    if (sqlite3_changes(st->db) == 0) {
        rc = 0;
        goto out;
    }
    rc = ww_fb_record(st, "apply", id, segment, by, reason, ruleset, detail);
    if (rc == 0)
        rc = 1;
out:
    sqlite3_finalize(q);
    return tx_end(st, rc);
}

int ww_fb_plan_finish(ww_store_t *st, int64_t id, const char *state, const char *action,
                      const char *segment, const char *by, const char *reason, const char *ruleset,
                      const char *detail)
{
    if (tx_begin(st) != 0)
        return WW_EIO;
    sqlite3_stmt *q = NULL;
    int rc = WW_EIO;
    if (sqlite3_prepare_v2(st->db, "UPDATE fb_plan SET state=?, deadline=0 WHERE id=?", -1, &q,
                           NULL) != SQLITE_OK)
        goto out;
    sqlite3_bind_text(q, 1, state, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, id);
    if (sqlite3_step(q) != SQLITE_DONE)
        goto out;
    rc = ww_fb_record(st, action, id, segment, by, reason, ruleset, detail);
out:
    sqlite3_finalize(q);
    return tx_end(st, rc);
}

int ww_fb_plan_confirm(ww_store_t *st, int64_t id, int64_t now_ms, const char *segment,
                       const char *by, const char *reason, const char *detail)
{
    if (tx_begin(st) != 0)
        return WW_EIO;
    sqlite3_stmt *q = NULL;
    int rc = WW_EIO;
    if (sqlite3_prepare_v2(st->db,
                           "UPDATE fb_plan SET state='active', deadline=0 WHERE id=? AND"
                           " state='pending' AND deadline>?",
                           -1, &q, NULL) != SQLITE_OK)
        goto out;
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_int64(q, 2, now_ms);
    if (sqlite3_step(q) != SQLITE_DONE)
        goto out;
    if (sqlite3_changes(st->db) == 0) {
        rc = 0;
        goto out;
    }
    rc = ww_fb_record(st, "confirm", id, segment, by, reason, NULL, detail);
    if (rc == 0)
        rc = 1;
out:
    sqlite3_finalize(q);
    return tx_end(st, rc);
}

static int update_one(ww_store_t *st, const char *sql, int64_t id, const char *text, int64_t num)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
        return WW_EIO;
    if (text)
        sqlite3_bind_text(q, 1, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_int64(q, 1, num);
    sqlite3_bind_int64(q, 2, id);
    int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : WW_EIO;
    sqlite3_finalize(q);
    return rc;
}

int ww_fb_plan_set_live(ww_store_t *st, int64_t id, const char *listing)
{
    return update_one(st, "UPDATE fb_plan SET live_chain=? WHERE id=?", id, listing ? listing : "",
                      0);
}

int ww_fb_plan_set_pid(ww_store_t *st, int64_t id, int64_t pid)
{
    return update_one(st, "UPDATE fb_plan SET watchdog_pid=? WHERE id=?", id, NULL, pid);
}

int ww_fb_log_each(ww_store_t *st, int (*cb)(void *ud, const ww_fb_log_rec_t *r), void *ud)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT id,at,action,plan_id,segment,by,reason,ruleset,detail FROM "
                           "fb_record ORDER BY id",
                           -1, &q, NULL) != SQLITE_OK)
        return WW_EIO;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        ww_fb_log_rec_t r;
        r.id = sqlite3_column_int64(q, 0);
        r.at = (const char *)sqlite3_column_text(q, 1);
        r.action = (const char *)sqlite3_column_text(q, 2);
        r.plan = sqlite3_column_type(q, 3) == SQLITE_NULL ? 0 : sqlite3_column_int64(q, 3);
        r.segment = (const char *)sqlite3_column_text(q, 4);
        r.by = (const char *)sqlite3_column_text(q, 5);
        r.reason = (const char *)sqlite3_column_text(q, 6);
        r.ruleset = (const char *)sqlite3_column_text(q, 7);
        r.detail = (const char *)sqlite3_column_text(q, 8);
        int c = cb(ud, &r);
        if (c != 0) {
            sqlite3_finalize(q);
            return c;
        }
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? 0 : WW_EIO;
}

/* Text from the records with control characters and backslashes escaped (\n, \e,
 * \xHH, \\), so a reason can neither forge a record line nor drive a terminal. */
static void put_esc(ww_buf_t *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\')
            ww_buf_puts(b, "\\\\");
        else if (c == '\n')
            ww_buf_puts(b, "\\n");
        else if (c == '\t')
            ww_buf_puts(b, "\\t");
        else if (c == '\r')
            ww_buf_puts(b, "\\r");
        else if (c == 0x1b)
            ww_buf_puts(b, "\\e");
        else if (c < 0x20 || c == 0x7f)
            ww_buf_printf(b, "\\x%02x", c);
        else if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
                 (unsigned char)s[i + 1] <= 0x9f) {
            /* A C1 control written as UTF-8 (U+0080..U+009F, e.g. CSI). */
            ww_buf_printf(b, "\\xc2\\x%02x", (unsigned char)s[i + 1]);
            i++;
        } else
            ww_buf_putc(b, (char)c);
    }
}

static void put_esc_z(ww_buf_t *b, const char *s)
{
    put_esc(b, s, strlen(s));
}

int ww_fb_log_export(ww_store_t *st, bool json, ww_buf_t *out)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT id,at,action,plan_id,segment,by,reason,ruleset,detail FROM "
                           "fb_record ORDER BY id",
                           -1, &q, NULL) != SQLITE_OK)
        return WW_EIO;
    static const char *const names[] = {"id", "at",     "action",  "plan",  "segment",
                                        "by", "reason", "ruleset", "detail"};
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (json) {
            for (int i = 0; i < 9; i++) {
                ww_buf_printf(out, "%s\"%s\":", i ? "," : "{", names[i]);
                if (sqlite3_column_type(q, i) == SQLITE_NULL)
                    ww_buf_puts(out, "null");
                else if (sqlite3_column_type(q, i) == SQLITE_INTEGER)
                    ww_buf_printf(out, "%lld", (long long)sqlite3_column_int64(q, i));
                else
                    ww_buf_json_str(out, (const char *)sqlite3_column_text(q, i),
                                    (size_t)sqlite3_column_bytes(q, i));
            }
            ww_buf_puts(out, "}\n");
            continue;
        }
        const char *t[9];
        for (int i = 0; i < 9; i++) {
            t[i] = (const char *)sqlite3_column_text(q, i);
            if (!t[i])
                t[i] = "";
        }
        ww_buf_printf(out, "#%s  ", t[0]);
        put_esc_z(out, t[1]);
        ww_buf_puts(out, "  ");
        put_esc_z(out, t[2]);
        ww_buf_printf(out, "  plan %s  segment ", *t[3] ? t[3] : "-");
        put_esc_z(out, *t[4] ? t[4] : "-");
        ww_buf_puts(out, "  by ");
        put_esc_z(out, *t[5] ? t[5] : "?");
        ww_buf_putc(out, '\n');
        if (*t[6]) {
            ww_buf_puts(out, "    why: ");
            put_esc_z(out, t[6]);
            ww_buf_putc(out, '\n');
        }
        if (*t[8]) {
            ww_buf_puts(out, "    ");
            put_esc_z(out, t[8]);
            ww_buf_putc(out, '\n');
        }
        if (*t[7]) {
            ww_buf_puts(out, "    ruleset:\n");
            for (const char *l = t[7]; *l;) {
                const char *e = strchr(l, '\n');
                size_t len = e ? (size_t)(e - l) : strlen(l);
                ww_buf_puts(out, "      | ");
                put_esc(out, l, len);
                ww_buf_putc(out, '\n');
                l += len + (e ? 1 : 0);
            }
        }
        if (out->err)
            break;
    }
    sqlite3_finalize(q);
    if (out->err)
        return out->err;
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : WW_EIO;
}
