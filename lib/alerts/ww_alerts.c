/* The alert store, the asset index and the priority of an alert (see ww_alerts.h).
 *
 * Priority.  score = 2 x level (informational 0 .. critical 8)
 *                  + clinical criticality (critical +3, high +2, medium +1, low 0,
 *                    none -1, not in the register 0)
 *                  + 1 when the register says the asset is internet exposed;
 * P1 >= 9, P2 7-8, P3 5-6, P4 3-4, P5 <= 2.  So a critical rule is P1 only on an asset
 * that matters clinically or faces the internet, a high rule on a critical clinical
 * system is P1, and an unknown host never outranks a known critical one.  The same
 * table is in docs/serve.md. */
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/ww_alerts.h"
#include "sigma/ww_sigma.h"

static const char *const migrations[] = {
    /* A rowid table: rows (with their event) are appended in arrival order, and only
       the small unique index on the random id is written out of order. */
    "CREATE TABLE alert(id TEXT NOT NULL UNIQUE, rule_id TEXT NOT NULL, rule_title TEXT NOT NULL,"
    " level INTEGER NOT NULL, priority INTEGER NOT NULL, why TEXT NOT NULL,"
    " ts INTEGER, received INTEGER NOT NULL, host TEXT NOT NULL, user TEXT NOT NULL,"
    " src_ip TEXT NOT NULL, source TEXT NOT NULL, position TEXT NOT NULL,"
    " techniques TEXT NOT NULL, event TEXT NOT NULL, asset_id TEXT NOT NULL,"
    " segment TEXT NOT NULL, owner TEXT NOT NULL, criticality INTEGER NOT NULL,"
    " exposed INTEGER NOT NULL);"
    "CREATE INDEX alert_by_ts ON alert(ts, received);"
    "CREATE INDEX alert_by_host ON alert(host);"
    "CREATE INDEX alert_by_rule ON alert(rule_id);",
    /* Triage (ww_alerts_triage.c): a status and an assignee per alert and their
       history; one row per group (a rule on a host) with its counts, first and last
       seen and most urgent priority, over all its alerts and over its open ones,
       kept by a trigger as alerts arrive and recounted by ww_triage_act when their
       status changes, with indexes in the list's order, so that its first page
       reads fifty rows whatever the number of alerts; the indexes a group, a user,
       an address and a status are found by; suppressions, with a generation number
       serve polls.  Status changes go through ww_triage_act (the summary is
       recounted there). */
    "ALTER TABLE alert ADD COLUMN status INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE alert ADD COLUMN assignee TEXT NOT NULL DEFAULT '';"
    "CREATE INDEX alert_by_group ON alert(rule_id, host, ts);"
    "CREATE INDEX alert_by_user ON alert(user, ts);"
    "CREATE INDEX alert_by_src ON alert(src_ip, ts);"
    "CREATE INDEX alert_by_status ON alert(status, ts);"
    "CREATE TABLE alert_history(alert_id TEXT NOT NULL, at INTEGER NOT NULL,"
    " actor TEXT NOT NULL, action TEXT NOT NULL, old_status INTEGER NOT NULL,"
    " new_status INTEGER NOT NULL, assignee TEXT NOT NULL, reason TEXT NOT NULL);"
    "CREATE INDEX alert_history_by_alert ON alert_history(alert_id, at);"
    "CREATE TABLE alert_group(rule_id TEXT NOT NULL, host TEXT NOT NULL,"
    " rule_title TEXT NOT NULL, level INTEGER NOT NULL, techniques TEXT NOT NULL,"
    " segment TEXT NOT NULL, criticality INTEGER NOT NULL,"
    " n INTEGER NOT NULL, first_seen INTEGER, last_seen INTEGER, priority INTEGER,"
    " open_n INTEGER NOT NULL, open_first INTEGER, open_last INTEGER, open_priority INTEGER,"
    " n_new INTEGER NOT NULL, n_ack INTEGER NOT NULL, n_fp INTEGER NOT NULL,"
    " n_closed INTEGER NOT NULL, n_escalated INTEGER NOT NULL,"
    " PRIMARY KEY(rule_id, host)) WITHOUT ROWID;"
    "CREATE INDEX alert_group_list ON alert_group(priority, last_seen DESC, rule_id, host, n);"
    "CREATE INDEX alert_group_open ON alert_group(open_priority, open_last DESC, rule_id, host,"
    " open_n) WHERE open_n > 0;"
    "INSERT INTO alert_group SELECT rule_id, host, max(rule_title), max(level), max(techniques), "
    "max(segment), max(criticality), count(*), min(coalesce(ts, received)), max(coalesce(ts, "
    "received)), min(priority), sum(status IN (0, 1)), min(CASE WHEN status IN (0, 1) THEN "
    "coalesce(ts, received) END), max(CASE WHEN status IN (0, 1) THEN coalesce(ts, received) END), "
    "min(CASE WHEN status IN (0, 1) THEN priority END), sum(status = 0), sum(status = 1), "
    "sum(status = 2), sum(status = 3), sum(status = 4) FROM alert GROUP BY rule_id, host;"
    /* A new alert is new, so open: the group's open figures move with its others. */
    "CREATE TRIGGER alert_group_add AFTER INSERT ON alert BEGIN"
    " INSERT INTO alert_group VALUES(new.rule_id, new.host, new.rule_title, new.level,"
    " new.techniques, new.segment, new.criticality, 1, coalesce(new.ts, new.received),"
    " coalesce(new.ts, new.received), new.priority, 1, coalesce(new.ts, new.received),"
    " coalesce(new.ts, new.received), new.priority, 1, 0, 0, 0, 0)"
    " ON CONFLICT DO UPDATE SET rule_title = excluded.rule_title,"
    " level = max(level, excluded.level), techniques = excluded.techniques,"
    " segment = excluded.segment, criticality = excluded.criticality, n = n + 1,"
    " first_seen = min(first_seen, excluded.first_seen),"
    " last_seen = max(last_seen, excluded.last_seen),"
    " priority = min(priority, excluded.priority), open_n = open_n + 1,"
    " open_first = min(coalesce(open_first, excluded.open_first), excluded.open_first),"
    " open_last = max(coalesce(open_last, excluded.open_last), excluded.open_last),"
    " open_priority = min(coalesce(open_priority, excluded.open_priority),"
    " excluded.open_priority), n_new = n_new + 1; END;"
    "CREATE TABLE suppression(id INTEGER PRIMARY KEY, rule_id TEXT NOT NULL,"
    " host TEXT NOT NULL, user TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL,"
    " reason TEXT NOT NULL, created INTEGER NOT NULL, created_by TEXT NOT NULL,"
    " expires INTEGER NOT NULL, hits INTEGER NOT NULL DEFAULT 0,"
    " last_hit INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX suppression_by_expiry ON suppression(expires);"
    "CREATE TABLE alert_meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "INSERT INTO alert_meta VALUES('suppress_gen', 0);"
    "CREATE TRIGGER suppression_add AFTER INSERT ON suppression BEGIN"
    " UPDATE alert_meta SET value = value + 1 WHERE key = 'suppress_gen'; END;"
    "CREATE TRIGGER suppression_del AFTER DELETE ON suppression BEGIN"
    " UPDATE alert_meta SET value = value + 1 WHERE key = 'suppress_gen'; END;"
    "CREATE TRIGGER suppression_edit AFTER UPDATE OF rule_id, host, user, field, value,"
    " expires ON suppression BEGIN"
    " UPDATE alert_meta SET value = value + 1 WHERE key = 'suppress_gen'; END;",
    /* The open groups and their open alerts by most urgent priority: five rows kept by
       triggers on alert_group, so the overview, the board and the unfiltered list's
       totals read five rows, not every group (a million alerts can make hundreds of
       thousands of groups). */
    "CREATE TABLE alert_open(priority INTEGER PRIMARY KEY, groups INTEGER NOT NULL,"
    " alerts INTEGER NOT NULL);"
    "INSERT INTO alert_open SELECT open_priority, count(*), sum(open_n) FROM alert_group"
    " WHERE open_n > 0 GROUP BY open_priority;"
    "CREATE TRIGGER alert_open_add AFTER INSERT ON alert_group WHEN new.open_n > 0 BEGIN"
    " INSERT INTO alert_open VALUES(new.open_priority, 1, new.open_n)"
    " ON CONFLICT(priority) DO UPDATE SET groups = groups + 1, alerts = alerts + excluded.alerts;"
    " END;"
    "CREATE TRIGGER alert_open_del AFTER DELETE ON alert_group WHEN old.open_n > 0 BEGIN"
    " UPDATE alert_open SET groups = groups - 1, alerts = alerts - old.open_n"
    " WHERE priority = old.open_priority; END;"
    "CREATE TRIGGER alert_open_edit AFTER UPDATE OF open_n, open_priority ON alert_group BEGIN"
    " UPDATE alert_open SET groups = groups - 1, alerts = alerts - old.open_n"
    " WHERE old.open_n > 0 AND priority = old.open_priority;"
    " INSERT INTO alert_open SELECT new.open_priority, 1, new.open_n WHERE new.open_n > 0"
    " ON CONFLICT(priority) DO UPDATE SET groups = groups + 1, alerts = alerts + excluded.alerts;"
    " END;",
};

int ww_alerts_migrate(ww_store_t *st, ww_diag_t *diag)
{
    return ww_store_migrate(st, "alerts", migrations, WW_ARRAY_LEN(migrations), diag);
}

static int db_fail(ww_store_t *st, ww_diag_t *diag, const char *what)
{
    ww_diag_set(diag, st->path, 0, 0, "alerts: %s: %s", what, sqlite3_errmsg(st->db));
    return WW_EIO;
}

static const char *nz(const char *s)
{
    return s ? s : "";
}

int ww_alerts_put(ww_store_t *st, const ww_alert_t *a, bool *inserted, ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    int rc = ww_alerts_put_cached(st, &q, a, inserted, diag);
    sqlite3_finalize(q);
    return rc;
}

int ww_alerts_put_cached(ww_store_t *st, sqlite3_stmt **stmt, const ww_alert_t *a, bool *inserted,
                         ww_diag_t *diag)
{
    sqlite3_stmt *q = *stmt;
    if (q)
        sqlite3_reset(q);
    else if (sqlite3_prepare_v3(
                 st->db,
                 "INSERT OR IGNORE INTO alert(id, rule_id, rule_title, level, priority, why,"
                 " ts, received, host, user, src_ip, source, position, techniques,"
                 " event, asset_id, segment, owner, criticality, exposed)"
                 " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,"
                 "?11,?12,?13,?14,?15,?16,?17,?18,?19,?20)",
                 -1, SQLITE_PREPARE_PERSISTENT, &q, NULL) != SQLITE_OK)
        return db_fail(st, diag, "storing an alert");
    *stmt = q;
    const char *text[] = {a->id,       a->rule_id, a->rule_title, NULL,          NULL,
                          a->why,      NULL,       NULL,          a->host,       a->user,
                          a->src_ip,   a->source,  a->position,   a->techniques, NULL,
                          a->asset_id, a->segment, a->owner};
    for (int i = 0; i < (int)WW_ARRAY_LEN(text); i++)
        if (i != 3 && i != 4 && i != 6 && i != 7 && i != 14)
            sqlite3_bind_text(q, i + 1, nz(text[i]), -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 4, a->level);
    sqlite3_bind_int(q, 5, a->priority);
    if (a->ts != WW_TIME_NONE)
        sqlite3_bind_int64(q, 7, a->ts);
    sqlite3_bind_int64(q, 8, a->received);
    const char *ev = nz(a->event_json);
    size_t evlen = strlen(ev);
    sqlite3_bind_text(q, 15, ev, (int)(evlen > WW_ALERT_MAX_EVENT ? WW_ALERT_MAX_EVENT : evlen),
                      SQLITE_STATIC);
    sqlite3_bind_int(q, 19, a->criticality);
    sqlite3_bind_int(q, 20, a->exposed ? 1 : 0);
    int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : db_fail(st, diag, "storing an alert");
    if (rc == 0 && inserted)
        *inserted = sqlite3_changes(st->db) > 0;
    sqlite3_reset(q);
    return rc;
}

static bool host_match(const char *pat, const char *host)
{
    return fnmatch(pat, host, FNM_CASEFOLD) == 0;
}

static bool rule_match(const char *pat, const char *id, const char *title)
{
    if (strcasecmp(pat, id) == 0)
        return true;
    size_t n = strlen(pat);
    for (const char *p = title; *p; p++)
        if (strncasecmp(p, pat, n) == 0)
            return true;
    return false;
}

int ww_alerts_query(ww_store_t *st, const ww_alert_query_t *qy, ww_alert_fn fn, void *ud,
                    ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    /* Time, level and priority are filtered by SQLite (indexed); host patterns and
       title substrings here, where they mean exactly what they mean in hunt. */
    if (sqlite3_prepare_v2(st->db,
                           "SELECT id, rule_id, rule_title, level, priority, why, ts, received,"
                           " host, user, src_ip, source, position, techniques, event, asset_id,"
                           " segment, owner, criticality, exposed FROM alert"
                           " WHERE (?1 IS NULL OR ts >= ?1) AND (?2 IS NULL OR ts <= ?2)"
                           " AND level >= ?3 AND priority <= ?4"
                           " ORDER BY ts IS NULL, ts, received, id",
                           -1, &q, NULL) != SQLITE_OK)
        return db_fail(st, diag, "listing alerts");
    if (qy->since != WW_TIME_NONE)
        sqlite3_bind_int64(q, 1, qy->since);
    if (qy->until != WW_TIME_NONE)
        sqlite3_bind_int64(q, 2, qy->until);
    sqlite3_bind_int(q, 3, qy->min_level);
    sqlite3_bind_int(q, 4, qy->max_priority ? qy->max_priority : 5);
    int rc = 0, step;
    uint32_t shown = 0;
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        ww_alert_t a = {0};
        const char *id = (const char *)sqlite3_column_text(q, 0);
        snprintf(a.id, sizeof a.id, "%s", nz(id));
        a.rule_id = (const char *)sqlite3_column_text(q, 1);
        a.rule_title = (const char *)sqlite3_column_text(q, 2);
        a.level = sqlite3_column_int(q, 3);
        a.priority = sqlite3_column_int(q, 4);
        a.why = (const char *)sqlite3_column_text(q, 5);
        a.ts = sqlite3_column_type(q, 6) == SQLITE_NULL ? WW_TIME_NONE : sqlite3_column_int64(q, 6);
        a.received = sqlite3_column_int64(q, 7);
        a.host = (const char *)sqlite3_column_text(q, 8);
        a.user = (const char *)sqlite3_column_text(q, 9);
        a.src_ip = (const char *)sqlite3_column_text(q, 10);
        a.source = (const char *)sqlite3_column_text(q, 11);
        a.position = (const char *)sqlite3_column_text(q, 12);
        a.techniques = (const char *)sqlite3_column_text(q, 13);
        a.event_json = (const char *)sqlite3_column_text(q, 14);
        a.asset_id = (const char *)sqlite3_column_text(q, 15);
        a.segment = (const char *)sqlite3_column_text(q, 16);
        a.owner = (const char *)sqlite3_column_text(q, 17);
        a.criticality = sqlite3_column_int(q, 18);
        a.exposed = sqlite3_column_int(q, 19) != 0;
        if (qy->host && qy->host[0] && !host_match(qy->host, nz(a.host)))
            continue;
        if (qy->rule && qy->rule[0] && !rule_match(qy->rule, nz(a.rule_id), nz(a.rule_title)))
            continue;
        if ((rc = fn(ud, &a)) != 0)
            break;
        if (qy->limit && ++shown >= qy->limit)
            break;
    }
    if (rc == 0 && step != SQLITE_ROW && step != SQLITE_DONE)
        rc = db_fail(st, diag, "listing alerts");
    sqlite3_finalize(q);
    return rc;
}

/* ---- the asset index: open addressing over lower-cased keys ---- */

typedef struct slot {
    const char *key; /* lower-cased, in the index's arena */
    const ww_asset_t *asset;
} slot_t;

struct ww_asset_index {
    slot_t *slots;
    size_t mask;
    ww_arena_t arena;
};

static const ww_asset_t *lookup(const ww_asset_index_t *ix, const char *s, size_t n)
{
    if (!n)
        return NULL;
    for (size_t i = ww_hash_ci(s, n) & ix->mask;; i = (i + 1) & ix->mask) {
        const slot_t *sl = &ix->slots[i];
        if (!sl->key)
            return NULL;
        if (strlen(sl->key) == n && strncasecmp(sl->key, s, n) == 0)
            return sl->asset;
    }
}

/* The first key wins: a register that names one address twice keeps its first asset. */
static int add(ww_asset_index_t *ix, const char *s, size_t n, const ww_asset_t *a)
{
    if (!n || lookup(ix, s, n))
        return 0;
    char *k = ww_arena_strndup(&ix->arena, s, n);
    if (!k)
        return WW_ENOMEM;
    for (size_t i = 0; i < n; i++)
        k[i] = (char)tolower((unsigned char)k[i]);
    size_t i = ww_hash_ci(s, n) & ix->mask;
    while (ix->slots[i].key)
        i = (i + 1) & ix->mask;
    ix->slots[i] = (slot_t){k, a};
    return 0;
}

static size_t first_label(const char *s)
{
    const char *dot = strchr(s, '.');
    return dot ? (size_t)(dot - s) : strlen(s);
}

static bool is_address(const char *s)
{
    return strspn(s, "0123456789.") == strlen(s) || strchr(s, ':');
}

int ww_asset_index_new(const ww_asset_set_t *set, ww_asset_index_t **out)
{
    *out = NULL;
    ww_asset_index_t *ix = calloc(1, sizeof *ix);
    if (!ix)
        return WW_ENOMEM;
    size_t keys = 0;
    for (size_t i = 0; i < set->n; i++)
        keys += 3 + set->assets[i].nips;
    size_t cap = 64;
    while (cap < keys * 2)
        cap *= 2;
    ix->mask = cap - 1;
    ww_arena_init(&ix->arena, 16 * 1024, 0);
    ix->slots = calloc(cap, sizeof *ix->slots);
    int rc = ix->slots ? 0 : WW_ENOMEM;
    /* Full names and addresses first, then short names, so "pacs01" given as a
       hostname of one asset beats "pacs01.trust" shortened from another. */
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        for (size_t i = 0; i < set->n && rc == 0; i++) {
            const ww_asset_t *a = &set->assets[i];
            const char *h = nz(a->hostname);
            if (pass == 0) {
                rc = add(ix, h, strlen(h), a);
                for (size_t k = 0; k < a->nips && rc == 0; k++)
                    rc = add(ix, a->ips[k], strlen(a->ips[k]), a);
                if (rc == 0)
                    rc = add(ix, nz(a->asset_id), strlen(nz(a->asset_id)), a);
            } else if (!is_address(h)) {
                rc = add(ix, h, first_label(h), a);
            }
        }
    }
    if (rc) {
        ww_asset_index_free(ix);
        return rc;
    }
    *out = ix;
    return 0;
}

void ww_asset_index_free(ww_asset_index_t *ix)
{
    if (!ix)
        return;
    free(ix->slots);
    ww_arena_release(&ix->arena);
    free(ix);
}

const ww_asset_t *ww_asset_index_find(const ww_asset_index_t *ix, const char *host, const char *ip)
{
    if (!ix)
        return NULL;
    const ww_asset_t *a = NULL;
    if (host && host[0]) {
        a = lookup(ix, host, strlen(host));
        if (!a && !is_address(host))
            a = lookup(ix, host, first_label(host)); /* "PACS01.trust.local" -> "pacs01" */
    }
    if (!a && ip && ip[0])
        a = lookup(ix, ip, strlen(ip));
    return a;
}

/* ---- priority ---- */

void ww_alert_prioritise(ww_alert_t *a, const ww_asset_t *asset, char *why, size_t whylen)
{
    int level = a->level < 0 ? 0 : a->level > 4 ? 4 : a->level;
    int score = 2 * level;
    int crit = asset ? (int)asset->clinical_criticality : WW_CRIT_UNKNOWN;
    static const int crit_adj[] = {0, -1, 0, 1, 2, 3}; /* by ww_crit_t */
    score += crit_adj[crit >= 0 && crit <= WW_CRIT_CRITICAL ? crit : 0];
    bool exposed = asset && asset->internet_exposed == WW_TRI_YES;
    score += exposed;
    a->priority = score >= 9 ? 1 : score >= 7 ? 2 : score >= 5 ? 3 : score >= 3 ? 4 : 5;
    a->criticality = crit;
    a->exposed = exposed;
    a->asset_id = asset ? nz(asset->asset_id[0] ? asset->asset_id : asset->hostname) : "";
    a->segment = asset ? nz(asset->segment) : "";
    a->owner = asset ? nz(asset->owner) : "";
    if (!asset)
        snprintf(why, whylen, "%s rule; host not in the register", ww_level_name(level));
    else
        snprintf(why, whylen, "%s rule on %s (clinical criticality %s%s)", ww_level_name(level),
                 a->asset_id, crit ? ww_crit_name((ww_crit_t)crit) : "not recorded",
                 exposed ? ", internet exposed" : "");
    a->why = why;
}
