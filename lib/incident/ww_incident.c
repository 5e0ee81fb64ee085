/* Incidents in the shared store (see ww_incident.h): the tables, opening and editing
 * an incident with its history, links to alerts and fire-break plans, notes, evidence
 * files, and the timeline that gathers them.  The exports are in ww_incident_export.c.
 *
 * A linked alert is copied (rule, time, host, user, address, priority) into the link
 * when it is made, so the timeline stays whole when alerts are pruned from the store
 * later; the alert table is read only for that copy. */
#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alerts/ww_alerts.h"
#include "firebreak/ww_firebreak.h"
#include "incident/ww_incident_int.h"
#include "sigma/ww_sigma.h"

static const char *const migrations[] = {
    "CREATE TABLE incident(id INTEGER PRIMARY KEY, ref TEXT NOT NULL UNIQUE,"
    " year INTEGER NOT NULL, seq INTEGER NOT NULL, uuid TEXT NOT NULL,"
    " title TEXT NOT NULL, description TEXT NOT NULL, status INTEGER NOT NULL,"
    " severity INTEGER NOT NULL, owner TEXT NOT NULL, created_by TEXT NOT NULL,"
    " created INTEGER NOT NULL, updated INTEGER NOT NULL, aware INTEGER NOT NULL,"
    " personal_data INTEGER NOT NULL, dspt_reportable INTEGER NOT NULL,"
    " dspt_reported INTEGER NOT NULL, dspt_ref TEXT NOT NULL, UNIQUE(year, seq));"
    "CREATE INDEX incident_by_updated ON incident(updated);"
    "CREATE TABLE incident_history(id INTEGER PRIMARY KEY,"
    " incident INTEGER NOT NULL REFERENCES incident(id), at INTEGER NOT NULL,"
    " by TEXT NOT NULL, what TEXT NOT NULL);"
    "CREATE INDEX incident_history_by_incident ON incident_history(incident);"
    /* The alert as it was when linked (see the top of this file). */
    "CREATE TABLE incident_alert(incident INTEGER NOT NULL REFERENCES incident(id),"
    " alert TEXT NOT NULL, linked INTEGER NOT NULL, by TEXT NOT NULL, at INTEGER NOT NULL,"
    " rule_id TEXT NOT NULL, rule_title TEXT NOT NULL, level INTEGER NOT NULL,"
    " priority INTEGER NOT NULL, host TEXT NOT NULL, user TEXT NOT NULL,"
    " src_ip TEXT NOT NULL, techniques TEXT NOT NULL, PRIMARY KEY(incident, alert));"
    "CREATE INDEX incident_alert_by_alert ON incident_alert(alert);"
    "CREATE TABLE incident_note(id INTEGER PRIMARY KEY,"
    " incident INTEGER NOT NULL REFERENCES incident(id), at INTEGER NOT NULL,"
    " by TEXT NOT NULL, text TEXT NOT NULL);"
    "CREATE INDEX incident_note_by_incident ON incident_note(incident);"
    "CREATE TABLE incident_evidence(id INTEGER PRIMARY KEY,"
    " incident INTEGER NOT NULL REFERENCES incident(id), at INTEGER NOT NULL,"
    " by TEXT NOT NULL, name TEXT NOT NULL, content_type TEXT NOT NULL,"
    " size INTEGER NOT NULL, sha256 TEXT NOT NULL, UNIQUE(incident, sha256));"
    "CREATE TABLE incident_plan(incident INTEGER NOT NULL REFERENCES incident(id),"
    " plan INTEGER NOT NULL, linked INTEGER NOT NULL, by TEXT NOT NULL,"
    " PRIMARY KEY(incident, plan));",
};

static const char *const status_names[] = {"open", "contained", "resolved", "closed"};
static const char *const severity_names[] = {"low", "medium", "high", "critical"};

const char *ww_inc_status_name(int s)
{
    return s >= 0 && s < (int)WW_ARRAY_LEN(status_names) ? status_names[s] : NULL;
}

const char *ww_inc_severity_name(int s)
{
    return s >= 0 && s < (int)WW_ARRAY_LEN(severity_names) ? severity_names[s] : NULL;
}

int ww_inc_status_parse(const char *s)
{
    for (int i = 0; s && i < (int)WW_ARRAY_LEN(status_names); i++)
        if (!strcmp(s, status_names[i]))
            return i;
    return -1;
}

int ww_inc_severity_parse(const char *s)
{
    for (int i = 0; s && i < (int)WW_ARRAY_LEN(severity_names); i++)
        if (!strcmp(s, severity_names[i]))
            return i;
    return -1;
}

const char *ww_inc_item_kind_name(int kind)
{
    static const char *const names[] = {"history", "alert", "note", "evidence", "firebreak"};
    return kind >= 0 && kind < (int)WW_ARRAY_LEN(names) ? names[kind] : "?";
}

/* ---- the ICO clock ------------------------------------------------------------------ */

void ww_incident_ico(const ww_incident_t *inc, int64_t now, ww_inc_ico_t *out)
{
    out->applies = inc->personal_data;
    out->deadline = inc->aware + WW_INC_ICO_SECONDS;
    out->left = out->deadline - now;
    out->overdue = out->applies && out->left < 0;
}

int ww_incident_ico_text(const ww_inc_ico_t *ico, ww_buf_t *b)
{
    if (!ico->applies)
        return ww_buf_puts(b, "not applicable (no personal data involved)");
    int64_t s = ico->left < 0 ? -ico->left : ico->left;
    int64_t h = s / 3600, m = (s % 3600) / 60;
    if (ico->overdue)
        return ww_buf_printf(b, "overdue by %lld h %lld min", (long long)h, (long long)m);
    return ww_buf_printf(b, "%lld h %lld min left", (long long)h, (long long)m);
}

/* ---- helpers ------------------------------------------------------------------------ */

int ww__inc_db_fail(ww_store_t *st, ww_diag_t *diag, const char *what)
{
    ww_diag_set(diag, st->path, 0, 0, "incident: %s: %s%s", what, ww_store_errmsg(st),
                ww_store_busy(st) ? " (another process holds the store)" : "");
    return WW_EIO;
}

static int migrate_once(ww_store_t *st, ww_diag_t *diag)
{
    int rc = ww_alerts_migrate(st, diag);
    if (rc == 0 && ww_fb_store_migrate(st, diag) != 0)
        rc = WW_EIO;
    if (rc == 0)
        rc = ww_store_migrate(st, "incident", migrations, WW_ARRAY_LEN(migrations), diag);
    return rc;
}

int ww_incident_migrate(ww_store_t *st, ww_diag_t *diag)
{
    /* Two connections (the console's threads) may migrate a fresh store at once: both
       read version 0 and the slower one's CREATE fails.  A second attempt reads the
       version the first one recorded and has nothing left to do. */
    int rc = migrate_once(st, diag);
    if (rc == WW_EIO)
        rc = migrate_once(st, diag);
    return rc;
}

const char *ww__inc_col(sqlite3_stmt *q, int i)
{
    const unsigned char *s = sqlite3_column_text(q, i);
    return s ? (const char *)s : "";
}

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    if (p[0] < 0x80)
        return 1;
    size_t len = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;
    if (len == 0 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    if (len == 3 && ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0)))
        return 0; /* overlong, or a surrogate */
    if (len == 4 && ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90)))
        return 0;
    return len;
}

int ww__inc_check_text(const char *field, const char *s, size_t max, bool multiline, bool required,
                       ww_diag_t *diag)
{
    size_t n = strlen(s);
    if (n > max) {
        ww_diag_set(diag, "", 0, 0, "%s: %zu bytes, at most %zu allowed", field, n, max);
        return WW_EINVAL;
    }
    bool blank = true;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) {
            if (!(multiline && (c == '\n' || c == '\r' || c == '\t'))) {
                ww_diag_set(diag, "", 1, (uint32_t)i + 1,
                            "%s: control character 0x%02x at byte %zu", field, c, i + 1);
                return WW_EINVAL;
            }
        } else if (c != ' ')
            blank = false;
        size_t len = utf8_len((const unsigned char *)s + i, n - i);
        if (len == 0) {
            ww_diag_set(diag, "", 1, (uint32_t)i + 1, "%s: not UTF-8 at byte %zu", field, i + 1);
            return WW_EINVAL;
        }
        i += len;
    }
    if (required && blank) {
        ww_diag_set(diag, "", 0, 0, "%s: must not be empty", field);
        return WW_EINVAL;
    }
    return 0;
}

static int history(ww_store_t *st, int64_t id, int64_t now, const char *by, const char *what,
                   ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO incident_history(incident,at,by,what) VALUES(?,?,?,?)", -1,
                           &q, NULL) != SQLITE_OK)
        return ww__inc_db_fail(st, diag, "recording history");
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_int64(q, 2, now);
    sqlite3_bind_text(q, 3, by ? by : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, what, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE)
        rc = ww__inc_db_fail(st, diag, "recording history");
    sqlite3_finalize(q);
    return rc;
}

static int touch(ww_store_t *st, int64_t id, int64_t now, ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(st->db, "UPDATE incident SET updated=max(updated,?) WHERE id=?", -1, &q,
                           NULL) != SQLITE_OK)
        return ww__inc_db_fail(st, diag, "updating");
    sqlite3_bind_int64(q, 1, now);
    sqlite3_bind_int64(q, 2, id);
    if (sqlite3_step(q) != SQLITE_DONE)
        rc = ww__inc_db_fail(st, diag, "updating");
    sqlite3_finalize(q);
    return rc;
}

static int begin(ww_store_t *st, ww_diag_t *diag)
{
    return ww_store_exec(st, "BEGIN IMMEDIATE", diag) == 0 ? 0 : WW_EIO;
}

static int end(ww_store_t *st, int rc, ww_diag_t *diag)
{
    if (rc >= 0) {
        if (ww_store_exec(st, "COMMIT", diag) != 0) {
            ww_store_rollback(st);
            return WW_EIO;
        }
        return rc;
    }
    ww_store_rollback(st);
    return rc;
}

#define INC_COLS                                                                      \
    "i.id, i.ref, i.uuid, i.title, i.description, i.owner, i.created_by, i.status,"   \
    " i.severity, i.created, i.updated, i.aware, i.personal_data, i.dspt_reportable," \
    " i.dspt_reported, i.dspt_ref,"                                                   \
    " (SELECT count(*) FROM incident_alert WHERE incident=i.id),"                     \
    " (SELECT count(*) FROM incident_note WHERE incident=i.id),"                      \
    " (SELECT count(*) FROM incident_evidence WHERE incident=i.id),"                  \
    " (SELECT count(*) FROM incident_plan WHERE incident=i.id)"

static void row_to_inc(sqlite3_stmt *q, ww_incident_t *o)
{
    memset(o, 0, sizeof *o);
    o->id = sqlite3_column_int64(q, 0);
    copy(o->ref, sizeof o->ref, ww__inc_col(q, 1));
    copy(o->uuid, sizeof o->uuid, ww__inc_col(q, 2));
    copy(o->title, sizeof o->title, ww__inc_col(q, 3));
    copy(o->description, sizeof o->description, ww__inc_col(q, 4));
    copy(o->owner, sizeof o->owner, ww__inc_col(q, 5));
    copy(o->created_by, sizeof o->created_by, ww__inc_col(q, 6));
    o->status = sqlite3_column_int(q, 7);
    o->severity = sqlite3_column_int(q, 8);
    o->created = sqlite3_column_int64(q, 9);
    o->updated = sqlite3_column_int64(q, 10);
    o->aware = sqlite3_column_int64(q, 11);
    o->personal_data = sqlite3_column_int(q, 12) != 0;
    o->dspt_reportable = sqlite3_column_int(q, 13) != 0;
    o->dspt_reported = sqlite3_column_int64(q, 14);
    copy(o->dspt_ref, sizeof o->dspt_ref, ww__inc_col(q, 15));
    o->nalerts = (uint32_t)sqlite3_column_int64(q, 16);
    o->nnotes = (uint32_t)sqlite3_column_int64(q, 17);
    o->nevidence = (uint32_t)sqlite3_column_int64(q, 18);
    o->nplans = (uint32_t)sqlite3_column_int64(q, 19);
}

static int get_by_id(ww_store_t *st, int64_t id, ww_incident_t *out, ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, "SELECT " INC_COLS " FROM incident i WHERE i.id=?", -1, &q,
                           NULL) != SQLITE_OK)
        return ww__inc_db_fail(st, diag, "reading an incident");
    sqlite3_bind_int64(q, 1, id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        row_to_inc(q, out);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        ww_diag_set(diag, "", 0, 0, "no incident %lld", (long long)id);
        rc = WW_ENOENT;
    } else
        rc = ww__inc_db_fail(st, diag, "reading an incident");
    sqlite3_finalize(q);
    return rc;
}

/* ---- incidents ---------------------------------------------------------------------- */

static void new_uuid(char out[37])
{
    uint8_t r[16];
    randombytes_buf(r, sizeof r);
    r[6] = (uint8_t)((r[6] & 0x0f) | 0x40);
    r[8] = (uint8_t)((r[8] & 0x3f) | 0x80);
    ww__inc_uuid_format(r, out);
}

void ww__inc_uuid_format(const uint8_t r[16], char out[37])
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[r[i] >> 4];
        out[o++] = hex[r[i] & 15];
    }
    out[o] = 0;
}

/* Parses an awareness time: ISO 8601, a missing zone is UTC; seconds since the epoch. */
static int parse_aware(const char *s, int64_t now, int64_t *out, ww_diag_t *diag)
{
    int64_t ns;
    if (ww_time_parse_iso(s, strlen(s), &ns) != 0) {
        ww_diag_set(diag, "", 0, 0,
                    "aware: not a date and time (ISO 8601, e.g. 2026-12-03T09:30Z): '%.60s'", s);
        return WW_EINVAL;
    }
    int64_t t = ns / 1000000000;
    if (t > now + 300) {
        ww_diag_set(diag, "", 0, 0, "aware: in the future: '%.60s'", s);
        return WW_EINVAL;
    }
    if (t < 946684800) { /* 2000-01-01: anything older is a typing slip */
        ww_diag_set(diag, "", 0, 0, "aware: before the year 2000: '%.60s'", s);
        return WW_EINVAL;
    }
    *out = t;
    return 0;
}

int ww_incident_create(ww_store_t *st, const ww_incident_new_t *in, const char *by, int64_t now,
                       ww_incident_t *out, ww_diag_t *diag)
{
    int rc = ww_incident_migrate(st, diag);
    if (rc)
        return rc;
    const char *title = in->title ? in->title : "";
    const char *desc = in->description ? in->description : "";
    const char *owner = in->owner ? in->owner : "";
    int sev = in->severity && in->severity[0] ? ww_inc_severity_parse(in->severity) : WW_INC_MEDIUM;
    if ((rc = ww__inc_check_text("title", title, WW_INC_MAX_TITLE, false, true, diag)) ||
        (rc = ww__inc_check_text("description", desc, WW_INC_MAX_DESC, true, false, diag)) ||
        (rc = ww__inc_check_text("owner", owner, WW_INC_MAX_NAME, false, false, diag)))
        return rc;
    if (sev < 0) {
        ww_diag_set(diag, "", 0, 0, "severity: '%.40s' is not low, medium, high or critical",
                    in->severity);
        return WW_EINVAL;
    }
    int64_t aware = in->aware ? in->aware : now;
    if (aware > now + 300) {
        ww_diag_set(diag, "", 0, 0, "aware: in the future");
        return WW_EINVAL;
    }
    struct tm tm;
    time_t tt = (time_t)now;
    gmtime_r(&tt, &tm);
    int year = tm.tm_year + 1900;
    char uuid[37];
    new_uuid(uuid);

    sqlite3_stmt *q = NULL;
    int64_t id = 0;
    if ((rc = begin(st, diag)))
        return rc;
    if (sqlite3_prepare_v2(st->db, "SELECT coalesce(max(seq),0)+1 FROM incident WHERE year=?", -1,
                           &q, NULL) != SQLITE_OK) {
        rc = ww__inc_db_fail(st, diag, "numbering");
        goto out;
    }
    sqlite3_bind_int(q, 1, year);
    if (sqlite3_step(q) != SQLITE_ROW) {
        rc = ww__inc_db_fail(st, diag, "numbering");
        goto out;
    }
    int64_t seq = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    q = NULL;
    char ref[WW_INC_REF_LEN];
    /* Four digits keep references sortable as text in an ordinary year; a year with
       more incidents simply grows the number. */
    snprintf(ref, sizeof ref, "INC-%04d-%04lld", year, (long long)seq);
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO incident(ref,year,seq,uuid,title,description,status,"
                           "severity,owner,created_by,created,updated,aware,personal_data,"
                           "dspt_reportable,dspt_reported,dspt_ref)"
                           " VALUES(?,?,?,?,?,?,0,?,?,?,?,?,?,?,?,0,'')",
                           -1, &q, NULL) != SQLITE_OK) {
        rc = ww__inc_db_fail(st, diag, "opening an incident");
        goto out;
    }
    sqlite3_bind_text(q, 1, ref, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 2, year);
    sqlite3_bind_int64(q, 3, seq);
    sqlite3_bind_text(q, 4, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, title, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 6, desc, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 7, sev);
    sqlite3_bind_text(q, 8, owner, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 9, by ? by : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 10, now);
    sqlite3_bind_int64(q, 11, now);
    sqlite3_bind_int64(q, 12, aware);
    sqlite3_bind_int(q, 13, in->personal_data);
    sqlite3_bind_int(q, 14, in->dspt_reportable);
    if (sqlite3_step(q) != SQLITE_DONE) {
        rc = ww__inc_db_fail(st, diag, "opening an incident");
        goto out;
    }
    id = sqlite3_last_insert_rowid(st->db);
    rc = history(st, id, now, by, "opened", diag);
out:
    sqlite3_finalize(q);
    rc = end(st, rc, diag);
    if (rc == 0 && out)
        rc = get_by_id(st, id, out, diag);
    return rc;
}

int ww_incident_get(ww_store_t *st, const char *key, ww_incident_t *out, ww_diag_t *diag)
{
    int rc = ww_incident_migrate(st, diag);
    if (rc)
        return rc;
    int64_t id;
    if (ww_parse_i64(key, strlen(key), &id) == 0 && id > 0)
        return get_by_id(st, id, out, diag);
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, "SELECT id FROM incident WHERE ref=? COLLATE NOCASE", -1, &q,
                           NULL) != SQLITE_OK)
        return ww__inc_db_fail(st, diag, "finding an incident");
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        id = sqlite3_column_int64(q, 0);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        ww_diag_set(diag, "", 0, 0, "no incident '%.40s'", key);
        rc = WW_ENOENT;
    } else
        rc = ww__inc_db_fail(st, diag, "finding an incident");
    sqlite3_finalize(q);
    return rc == 0 ? get_by_id(st, id, out, diag) : rc;
}

/* One field's UPDATE and its line in the history. */
static int set_field(ww_store_t *st, int64_t id, const char *col, const char *text, int64_t num,
                     bool is_text, int64_t now, const char *by, const char *what, ww_diag_t *diag)
{
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE incident SET %s=?, updated=max(updated,?) WHERE id=?", col);
    sqlite3_stmt *q = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
        return ww__inc_db_fail(st, diag, "editing");
    if (is_text)
        sqlite3_bind_text(q, 1, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_int64(q, 1, num);
    sqlite3_bind_int64(q, 2, now);
    sqlite3_bind_int64(q, 3, id);
    if (sqlite3_step(q) != SQLITE_DONE)
        rc = ww__inc_db_fail(st, diag, "editing");
    sqlite3_finalize(q);
    return rc ? rc : history(st, id, now, by, what, diag);
}

/* Appends s (valid UTF-8, checked before) cut to at most max bytes at a character
 * boundary, with "…" when cut: a history line quotes old and new values briefly. */
static void put_cut(ww_buf_t *b, const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max) {
        ww_buf_append(b, s, n);
        return;
    }
    while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
        max--;
    ww_buf_append(b, s, max);
    ww_buf_puts(b, "…");
}

static const char *yes_no(bool v)
{
    return v ? "yes" : "no";
}

int ww_incident_update(ww_store_t *st, int64_t id, const ww_incident_edit_t *e, const char *by,
                       int64_t now, int *changed, ww_diag_t *diag)
{
    ww_incident_t *cur = malloc(sizeof *cur);
    ww_buf_t what;
    ww_buf_init(&what, 1024);
    int rc, n = 0;
    if (!cur)
        return WW_ENOMEM;
    if ((rc = ww_incident_migrate(st, diag)) || (rc = get_by_id(st, id, cur, diag)))
        goto out_free;
    /* Everything is checked before anything is written. */
    int status = e->status ? ww_inc_status_parse(e->status) : -1;
    int sev = e->severity ? ww_inc_severity_parse(e->severity) : -1;
    int64_t aware = 0;
    if (e->status && status < 0) {
        ww_diag_set(diag, "", 0, 0, "status: '%.40s' is not open, contained, resolved or closed",
                    e->status);
        rc = WW_EINVAL;
    } else if (e->severity && sev < 0) {
        ww_diag_set(diag, "", 0, 0, "severity: '%.40s' is not low, medium, high or critical",
                    e->severity);
        rc = WW_EINVAL;
    } else if ((e->title && (rc = ww__inc_check_text("title", e->title, WW_INC_MAX_TITLE, false,
                                                     true, diag))) ||
               (e->description && (rc = ww__inc_check_text("description", e->description,
                                                           WW_INC_MAX_DESC, true, false, diag))) ||
               (e->owner && (rc = ww__inc_check_text("owner", e->owner, WW_INC_MAX_NAME, false,
                                                     false, diag))) ||
               (e->dspt_ref &&
                (rc = ww__inc_check_text("dspt_ref", e->dspt_ref, WW_INC_MAX_DSPT_REF, false, false,
                                         diag))) ||
               (e->aware && (rc = parse_aware(e->aware, now, &aware, diag)))) {
    }
    if (rc)
        goto out_free;
    if ((rc = begin(st, diag)))
        goto out_free;
#define SET_TEXT(field, col, label)                                                             \
    if (rc == 0 && e->field && strcmp(e->field, cur->field) != 0) {                             \
        ww_buf_clear(&what);                                                                    \
        ww_buf_puts(&what, label ": ");                                                         \
        put_cut(&what, cur->field, 80);                                                         \
        ww_buf_puts(&what, " -> ");                                                             \
        put_cut(&what, e->field, 80);                                                           \
        rc = set_field(st, id, col, e->field, 0, true, now, by, what.p ? what.p : label, diag); \
        n++;                                                                                    \
    }
    SET_TEXT(title, "title", "title")
    SET_TEXT(owner, "owner", "owner")
    SET_TEXT(dspt_ref, "dspt_ref", "DSPT reference")
#undef SET_TEXT
    if (rc == 0 && e->description && strcmp(e->description, cur->description) != 0) {
        rc = set_field(st, id, "description", e->description, 0, true, now, by,
                       "description edited", diag);
        n++;
    }
    if (rc == 0 && status >= 0 && status != cur->status) {
        ww_buf_clear(&what);
        ww_buf_printf(&what, "status: %s -> %s", ww_inc_status_name(cur->status),
                      ww_inc_status_name(status));
        rc = set_field(st, id, "status", NULL, status, false, now, by, what.p, diag);
        n++;
    }
    if (rc == 0 && sev >= 0 && sev != cur->severity) {
        ww_buf_clear(&what);
        ww_buf_printf(&what, "severity: %s -> %s", ww_inc_severity_name(cur->severity),
                      ww_inc_severity_name(sev));
        rc = set_field(st, id, "severity", NULL, sev, false, now, by, what.p, diag);
        n++;
    }
    if (rc == 0 && e->aware && aware != cur->aware) {
        char a[40], b[40];
        ww_time_format(cur->aware * 1000000000, a, sizeof a);
        ww_time_format(aware * 1000000000, b, sizeof b);
        ww_buf_clear(&what);
        ww_buf_printf(&what, "aware: %.19sZ -> %.19sZ", a, b);
        rc = set_field(st, id, "aware", NULL, aware, false, now, by, what.p, diag);
        n++;
    }
    if (rc == 0 && e->personal_data >= 0 && (e->personal_data != 0) != cur->personal_data) {
        ww_buf_clear(&what);
        ww_buf_printf(&what, "personal data may be involved: %s -> %s", yes_no(cur->personal_data),
                      yes_no(e->personal_data != 0));
        rc = set_field(st, id, "personal_data", NULL, e->personal_data != 0, false, now, by, what.p,
                       diag);
        n++;
    }
    if (rc == 0 && e->dspt_reportable >= 0 && (e->dspt_reportable != 0) != cur->dspt_reportable) {
        ww_buf_clear(&what);
        ww_buf_printf(&what, "reportable to the DSPT incident tool: %s -> %s",
                      yes_no(cur->dspt_reportable), yes_no(e->dspt_reportable != 0));
        rc = set_field(st, id, "dspt_reportable", NULL, e->dspt_reportable != 0, false, now, by,
                       what.p, diag);
        n++;
    }
    if (rc == 0 && e->dspt_reported >= 0 && (e->dspt_reported != 0) != (cur->dspt_reported != 0)) {
        rc = set_field(st, id, "dspt_reported", NULL, e->dspt_reported ? now : 0, false, now, by,
                       e->dspt_reported ? "reported to the DSPT incident tool"
                                        : "DSPT report withdrawn",
                       diag);
        n++;
    }
    if (rc == 0 && what.err)
        rc = what.err;
    rc = end(st, rc, diag);
    if (rc == 0 && changed)
        *changed = n;
out_free:
    ww_buf_release(&what);
    free(cur);
    return rc;
}

int ww_incident_each(ww_store_t *st, const char *status, uint32_t limit, ww_incident_fn fn,
                     void *ud, ww_diag_t *diag)
{
    int rc = ww_incident_migrate(st, diag);
    if (rc)
        return rc;
    const char *where = "";
    int s = -1;
    if (status && !strcmp(status, "active"))
        where = " WHERE i.status IN (0,1)";
    else if (status) {
        if ((s = ww_inc_status_parse(status)) < 0) {
            ww_diag_set(diag, "", 0, 0,
                        "status: '%.40s' is not open, contained, resolved, "
                        "closed or active",
                        status);
            return WW_EINVAL;
        }
        where = " WHERE i.status=?1";
    }
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT " INC_COLS " FROM incident i%s ORDER BY i.updated DESC, i.id DESC LIMIT %lld",
             where, limit ? (long long)limit : -1LL);
    sqlite3_stmt *q = NULL;
    ww_incident_t *inc = malloc(sizeof *inc);
    if (!inc)
        return WW_ENOMEM;
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK) {
        rc = ww__inc_db_fail(st, diag, "listing");
        goto out;
    }
    if (s >= 0)
        sqlite3_bind_int(q, 1, s);
    int step;
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        row_to_inc(q, inc);
        if ((rc = fn(ud, inc)) != 0)
            goto out;
    }
    if (step != SQLITE_DONE)
        rc = ww__inc_db_fail(st, diag, "listing");
out:
    sqlite3_finalize(q);
    free(inc);
    return rc;
}

int ww_incident_each_open(ww_store_t *st, ww_incident_fn fn, void *ud, ww_diag_t *diag)
{
    return ww_incident_each(st, "active", 0, fn, ud, diag);
}

/* ---- links -------------------------------------------------------------------------- */

static int count_of(ww_store_t *st, const char *table, int64_t id, int64_t *n, ww_diag_t *diag)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE incident=?", table);
    sqlite3_stmt *q = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
        return ww__inc_db_fail(st, diag, "counting");
    sqlite3_bind_int64(q, 1, id);
    if (sqlite3_step(q) == SQLITE_ROW)
        *n = sqlite3_column_int64(q, 0);
    else
        rc = ww__inc_db_fail(st, diag, "counting");
    sqlite3_finalize(q);
    return rc;
}

/* The incident exists (else WW_ENOENT) and its `table` holds fewer than max rows
 * (else WW_ELIMIT). */
static int room_for(ww_store_t *st, int64_t id, const char *table, int64_t max, const char *what,
                    ww_diag_t *diag)
{
    ww_incident_t *inc = malloc(sizeof *inc);
    if (!inc)
        return WW_ENOMEM;
    int rc = get_by_id(st, id, inc, diag);
    free(inc);
    int64_t n = 0;
    if (rc == 0 && (rc = count_of(st, table, id, &n, diag)) == 0 && n >= max) {
        ww_diag_set(diag, "", 0, 0, "incident %lld has %lld %s already, the most allowed",
                    (long long)id, (long long)n, what);
        rc = WW_ELIMIT;
    }
    return rc;
}

int ww_incident_link_alert(ww_store_t *st, int64_t id, const char *alert_id, const char *by,
                           int64_t now, ww_diag_t *diag)
{
    int rc = ww_incident_migrate(st, diag);
    if (rc)
        return rc;
    if ((rc = begin(st, diag)))
        return rc;
    sqlite3_stmt *q = NULL;
    if ((rc = room_for(st, id, "incident_alert", WW_INC_MAX_ALERTS, "alerts", diag)))
        goto out;
    /* The copy of the alert (see the top of this file); an alert linked already is
       left as it is. */
    if (sqlite3_prepare_v2(st->db,
                           "INSERT OR IGNORE INTO incident_alert(incident,alert,linked,by,at,"
                           "rule_id,rule_title,level,priority,host,user,src_ip,techniques)"
                           " SELECT ?1, id, ?2, ?3, coalesce(ts/1000000000, received/1000000000),"
                           " rule_id, rule_title, level, priority, host, user, src_ip, techniques"
                           " FROM alert WHERE id=?4",
                           -1, &q, NULL) != SQLITE_OK) {
        rc = ww__inc_db_fail(st, diag, "linking an alert");
        goto out;
    }
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_int64(q, 2, now);
    sqlite3_bind_text(q, 3, by ? by : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, alert_id, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE) {
        rc = ww__inc_db_fail(st, diag, "linking an alert");
        goto out;
    }
    if (sqlite3_changes(st->db) == 1) {
        ww_buf_t w;
        ww_buf_init(&w, 256);
        ww_buf_printf(&w, "alert %.40s linked", alert_id);
        rc = history(st, id, now, by, w.p ? w.p : "alert linked", diag);
        ww_buf_release(&w);
        if (rc == 0)
            rc = touch(st, id, now, diag);
        goto out;
    }
    /* Nothing inserted: linked already, or no such alert. */
    sqlite3_finalize(q);
    q = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT (SELECT count(*) FROM incident_alert WHERE incident=?1 AND "
                           "alert=?2), (SELECT count(*) FROM alert WHERE id=?2)",
                           -1, &q, NULL) != SQLITE_OK ||
        (sqlite3_bind_int64(q, 1, id), sqlite3_bind_text(q, 2, alert_id, -1, SQLITE_STATIC),
         sqlite3_step(q)) != SQLITE_ROW) {
        rc = ww__inc_db_fail(st, diag, "linking an alert");
        goto out;
    }
    if (sqlite3_column_int(q, 0) > 0)
        rc = 1;
    else {
        ww_diag_set(diag, "", 0, 0, "no alert '%.40s' in the store", alert_id);
        rc = WW_ENOENT;
    }
out:
    sqlite3_finalize(q);
    return end(st, rc, diag);
}

/* Appends s to out (capacity n, used *o) with control characters and bytes that are
 * not UTF-8 replaced by '?', stopping at a character boundary before n - 1. */
static void put_clean(char *out, size_t n, size_t *o, const char *s)
{
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        size_t k = utf8_len((const unsigned char *)s + i, len - i);
        unsigned char c = (unsigned char)s[i];
        bool bad = k == 0 || c < 0x20 || c == 0x7f;
        size_t w = bad ? 1 : k;
        if (*o + w >= n)
            break;
        if (bad)
            out[(*o)++] = '?';
        else {
            memcpy(out + *o, s + i, k);
            *o += k;
        }
        i += k ? k : 1;
    }
    out[*o] = 0;
}

int ww_incident_title_from_alert(ww_store_t *st, const char *alert_id, char *out, size_t n,
                                 ww_diag_t *diag)
{
    int rc = ww_incident_migrate(st, diag);
    if (rc)
        return rc;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, "SELECT rule_title, host FROM alert WHERE id=?", -1, &q, NULL) !=
        SQLITE_OK)
        return ww__inc_db_fail(st, diag, "reading an alert");
    sqlite3_bind_text(q, 1, alert_id, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        size_t cap = n < WW_INC_MAX_TITLE + 1 ? n : WW_INC_MAX_TITLE + 1, o = 0;
        out[0] = 0;
        put_clean(out, cap, &o, ww__inc_col(q, 0));
        if (ww__inc_col(q, 1)[0]) {
            put_clean(out, cap, &o, " on ");
            put_clean(out, cap, &o, ww__inc_col(q, 1));
        }
        if (ww__inc_check_text("title", out, WW_INC_MAX_TITLE, false, true, diag) != 0)
            snprintf(out, n, "Alert %.40s", alert_id); /* a rule title of blanks */
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        ww_diag_set(diag, "", 0, 0, "no alert '%.40s' in the store", alert_id);
        rc = WW_ENOENT;
    } else
        rc = ww__inc_db_fail(st, diag, "reading an alert");
    sqlite3_finalize(q);
    return rc;
}

static int link_plan_locked(ww_store_t *st, int64_t id, int64_t plan_id, const char *by,
                            int64_t now, ww_diag_t *diag)
{
    ww_fb_plan_row_t p = {0};
    int rc = ww_fb_plan_get(st, plan_id, &p);
    ww_fb_plan_row_release(&p);
    if (rc == WW_ENOENT) {
        ww_diag_set(diag, "", 0, 0, "no fire-break plan %lld", (long long)plan_id);
        return WW_ENOENT;
    }
    if (rc)
        return ww__inc_db_fail(st, diag, "reading a fire-break plan");
    if ((rc = room_for(st, id, "incident_plan", WW_INC_MAX_PLANS, "fire-break plans", diag)))
        return rc;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT OR IGNORE INTO incident_plan(incident,plan,linked,by)"
                           " VALUES(?,?,?,?)",
                           -1, &q, NULL) != SQLITE_OK)
        return ww__inc_db_fail(st, diag, "linking a plan");
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_int64(q, 2, plan_id);
    sqlite3_bind_int64(q, 3, now);
    sqlite3_bind_text(q, 4, by ? by : "", -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE)
        rc = ww__inc_db_fail(st, diag, "linking a plan");
    else if (sqlite3_changes(st->db) == 0)
        rc = 1;
    sqlite3_finalize(q);
    if (rc == 0) {
        char w[80];
        snprintf(w, sizeof w, "fire-break plan %lld linked", (long long)plan_id);
        if ((rc = history(st, id, now, by, w, diag)) == 0)
            rc = touch(st, id, now, diag);
    }
    return rc;
}

int ww_incident_link_plan(ww_store_t *st, int64_t id, int64_t plan_id, const char *by, int64_t now,
                          ww_diag_t *diag)
{
    int rc = ww_incident_migrate(st, diag);
    if (rc || (rc = begin(st, diag)))
        return rc;
    return end(st, link_plan_locked(st, id, plan_id, by, now, diag), diag);
}

/* True when `ip` is one of the comma-separated addresses in list. */
static bool in_list(const char *list, const char *ip)
{
    size_t n = strlen(ip);
    for (const char *p = list; p && *p;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        if (len == n && memcmp(p, ip, n) == 0)
            return true;
        p = c ? c + 1 : NULL;
    }
    return false;
}

int ww_incident_link_host_plans(ww_store_t *st, int64_t id, const char *ip, const char *by,
                                int64_t now, size_t *n, ww_diag_t *diag)
{
    int rc = ww_incident_migrate(st, diag);
    if (rc)
        return rc;
    ww_fb_plan_row_t *rows = NULL;
    size_t nrows = 0, linked = 0;
    if (ww_fb_plan_list(st, false, &rows, &nrows) != 0)
        return ww__inc_db_fail(st, diag, "listing fire-break plans");
    if ((rc = begin(st, diag)) == 0) {
        for (size_t i = 0; rc >= 0 && i < nrows; i++) {
            bool match = (rows[i].infected_ip && !strcmp(rows[i].infected_ip, ip)) ||
                         in_list(rows[i].hosts, ip);
            if (!match)
                continue;
            rc = link_plan_locked(st, id, rows[i].id, by, now, diag);
            if (rc == 0)
                linked++;
        }
        rc = end(st, rc < 0 ? rc : 0, diag);
    }
    ww_fb_plan_rows_free(rows, nrows);
    if (rc == 0 && n)
        *n = linked;
    return rc;
}

int ww_incident_note(ww_store_t *st, int64_t id, const char *by, const char *text, int64_t now,
                     ww_diag_t *diag)
{
    int rc = ww_incident_migrate(st, diag);
    if (rc || (rc = ww__inc_check_text("note", text, WW_INC_MAX_NOTE, true, true, diag)))
        return rc;
    if ((rc = begin(st, diag)))
        return rc;
    sqlite3_stmt *q = NULL;
    if ((rc = room_for(st, id, "incident_note", WW_INC_MAX_NOTES, "notes", diag)))
        goto out;
    if (sqlite3_prepare_v2(st->db, "INSERT INTO incident_note(incident,at,by,text) VALUES(?,?,?,?)",
                           -1, &q, NULL) != SQLITE_OK) {
        rc = ww__inc_db_fail(st, diag, "adding a note");
        goto out;
    }
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_int64(q, 2, now);
    sqlite3_bind_text(q, 3, by ? by : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, text, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE)
        rc = ww__inc_db_fail(st, diag, "adding a note");
    else
        rc = touch(st, id, now, diag);
out:
    sqlite3_finalize(q);
    return end(st, rc, diag);
}

/* ---- evidence ----------------------------------------------------------------------- */

static int mkdir_p(const char *path, ww_diag_t *diag)
{
    char tmp[1024];
    if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp) {
        ww_diag_set(diag, path, 0, 0, "path too long");
        return WW_EINVAL;
    }
    for (char *p = tmp + 1;; p++) {
        if (*p == '/' || *p == 0) {
            char c = *p;
            *p = 0;
            if (mkdir(tmp, 0700) != 0 && errno != EEXIST) {
                ww_diag_set(diag, tmp, 0, 0, "cannot create the folder: %s", strerror(errno));
                return WW_EIO;
            }
            *p = c;
            if (!c)
                break;
        }
    }
    return 0;
}

static void row_to_evidence(sqlite3_stmt *q, ww_inc_evidence_t *o)
{
    memset(o, 0, sizeof *o);
    o->id = sqlite3_column_int64(q, 0);
    o->at = sqlite3_column_int64(q, 1);
    copy(o->by, sizeof o->by, ww__inc_col(q, 2));
    copy(o->name, sizeof o->name, ww__inc_col(q, 3));
    copy(o->content_type, sizeof o->content_type, ww__inc_col(q, 4));
    o->size = (uint64_t)sqlite3_column_int64(q, 5);
    copy(o->sha256, sizeof o->sha256, ww__inc_col(q, 6));
}

static int evidence_find(ww_store_t *st, int64_t id, const char *sha, ww_inc_evidence_t *out,
                         ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT id,at,by,name,content_type,size,sha256 FROM incident_evidence"
                           " WHERE incident=? AND sha256=?",
                           -1, &q, NULL) != SQLITE_OK)
        return ww__inc_db_fail(st, diag, "reading evidence");
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_text(q, 2, sha, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        if (out)
            row_to_evidence(q, out);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        ww_diag_set(diag, "", 0, 0, "no evidence with SHA-256 %.64s", sha);
        rc = WW_ENOENT;
    } else
        rc = ww__inc_db_fail(st, diag, "reading evidence");
    sqlite3_finalize(q);
    return rc;
}

static bool is_sha_hex(const char *s)
{
    size_t i = 0;
    for (; s[i]; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return i == 64;
}

/* A display name from the client's: cut to the cap at a character boundary, control
 * characters and invalid UTF-8 replaced by '_', never empty. */
static void clean_name(const char *in, char *out, size_t outlen)
{
    size_t o = 0, n = strlen(in ? in : "");
    for (size_t i = 0; i < n && o + 4 < outlen;) {
        size_t len = utf8_len((const unsigned char *)in + i, n - i);
        unsigned char c = (unsigned char)in[i];
        if (len == 0 || c < 0x20 || c == 0x7f) {
            out[o++] = '_';
            i += len ? len : 1;
            continue;
        }
        memcpy(out + o, in + i, len);
        o += len;
        i += len;
    }
    out[o] = 0;
    if (o == 0)
        snprintf(out, outlen, "unnamed");
}

/* Records a file already hashed; `place` moves it to dest (0, or WW_E*). */
typedef int (*place_fn)(void *ud, const char *dest);

static int evidence_record(ww_store_t *st, int64_t id, const char *state_dir, const char *name,
                           const char *ctype, uint64_t size, const char *sha, place_fn place,
                           void *pud, const char *by, int64_t now, ww_inc_evidence_t *out,
                           ww_diag_t *diag)
{
    int rc = ww_incident_migrate(st, diag);
    if (rc)
        return rc;
    if (size == 0) {
        ww_diag_set(diag, "", 0, 0, "evidence: the file is empty");
        return WW_EINVAL;
    }
    if (!state_dir || !state_dir[0]) {
        ww_diag_set(diag, "", 0, 0, "evidence: no state folder to keep files in");
        return WW_EINVAL;
    }
    ww_incident_t *inc = malloc(sizeof *inc);
    if (!inc)
        return WW_ENOMEM;
    char dir[1024], dest[1100], nm[WW_INC_MAX_NAME + 1], ct[WW_INC_MAX_NAME + 1];
    bool placed = false;
    sqlite3_stmt *q = NULL;
    clean_name(name, nm, sizeof nm);
    clean_name(ctype && ctype[0] ? ctype : "application/octet-stream", ct, sizeof ct);
    if ((rc = begin(st, diag)))
        goto out_free;
    if ((rc = get_by_id(st, id, inc, diag)))
        goto out;
    if ((rc = evidence_find(st, id, sha, out, diag)) == 0) {
        rc = 1; /* the same content again: kept once */
        goto out;
    }
    if (rc != WW_ENOENT)
        goto out;
    if ((rc = room_for(st, id, "incident_evidence", WW_INC_MAX_EVIDENCE, "evidence files", diag)))
        goto out;
    snprintf(dir, sizeof dir, "%s/evidence/%s", state_dir, inc->ref);
    snprintf(dest, sizeof dest, "%s/%s", dir, sha);
    if ((rc = mkdir_p(dir, diag)))
        goto out;
    /* A file left by an earlier attempt whose record was never written is replaced. */
    unlink(dest);
    if ((rc = place(pud, dest)) != 0) {
        ww_diag_set(diag, dest, 0, 0, "evidence: cannot keep the file: %s", strerror(errno));
        goto out;
    }
    placed = true;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO incident_evidence(incident,at,by,name,content_type,size,"
                           "sha256) VALUES(?,?,?,?,?,?,?)",
                           -1, &q, NULL) != SQLITE_OK) {
        rc = ww__inc_db_fail(st, diag, "recording evidence");
        goto out;
    }
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_int64(q, 2, now);
    sqlite3_bind_text(q, 3, by ? by : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, nm, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, ct, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 6, (int64_t)size);
    sqlite3_bind_text(q, 7, sha, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE) {
        rc = ww__inc_db_fail(st, diag, "recording evidence");
        goto out;
    }
    if ((rc = touch(st, id, now, diag)) == 0 && out)
        rc = evidence_find(st, id, sha, out, diag);
out:
    sqlite3_finalize(q);
    rc = end(st, rc, diag);
    if (rc < 0 && placed)
        unlink(dest);
out_free:
    free(inc);
    return rc;
}

static int place_upload(void *ud, const char *dest)
{
    return ww_web_file_keep(ud, dest);
}

int ww_incident_evidence_add(ww_store_t *st, int64_t id, const char *state_dir, ww_web_file_t *f,
                             const char *by, int64_t now, ww_inc_evidence_t *out, ww_diag_t *diag)
{
    return evidence_record(st, id, state_dir, f->filename, f->content_type, f->size, f->sha256_hex,
                           place_upload, f, by, now, out, diag);
}

typedef struct copy_job {
    const char *tmp;
} copy_job_t;

static int place_copy(void *ud, const char *dest)
{
    copy_job_t *j = ud;
    return rename(j->tmp, dest) == 0 ? 0 : WW_EIO;
}

int ww_incident_evidence_add_path(ww_store_t *st, int64_t id, const char *state_dir,
                                  const char *path, uint64_t max, const char *by, int64_t now,
                                  ww_inc_evidence_t *out, ww_diag_t *diag)
{
    int in = -1, tmpfd = -1, rc = 0;
    char tmp[1100] = "", sha[65];
    uint64_t size = 0;
    gnutls_hash_hd_t h = NULL;
    if (!state_dir || !state_dir[0]) {
        ww_diag_set(diag, "", 0, 0, "evidence: no state folder to keep files in");
        return WW_EINVAL;
    }
    if ((in = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        ww_diag_set(diag, path, 0, 0, "cannot read: %s", strerror(errno));
        return errno == ENOENT ? WW_ENOENT : WW_EIO;
    }
    /* The copy is written beside the evidence folder, so the final step is a rename. */
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/evidence", state_dir);
    if ((rc = mkdir_p(dir, diag)))
        goto out;
    snprintf(tmp, sizeof tmp, "%s/.upload-XXXXXX", dir);
    if ((tmpfd = mkstemp(tmp)) < 0) {
        ww_diag_set(diag, dir, 0, 0, "cannot write: %s", strerror(errno));
        tmp[0] = 0;
        rc = WW_EIO;
        goto out;
    }
    if (gnutls_hash_init(&h, GNUTLS_DIG_SHA256) != 0) {
        rc = WW_ENOMEM;
        goto out;
    }
    char buf[65536];
    for (ssize_t n; (n = read(in, buf, sizeof buf)) != 0;) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            ww_diag_set(diag, path, 0, 0, "cannot read: %s", strerror(errno));
            rc = WW_EIO;
            goto out;
        }
        size += (uint64_t)n;
        if (size > max) {
            ww_diag_set(diag, path, 0, 0, "larger than %llu bytes", (unsigned long long)max);
            rc = WW_ELIMIT;
            goto out;
        }
        gnutls_hash(h, buf, (size_t)n);
        for (ssize_t o = 0; o < n;) {
            ssize_t w = write(tmpfd, buf + o, (size_t)(n - o));
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                ww_diag_set(diag, tmp, 0, 0, "cannot write: %s", strerror(errno));
                rc = WW_EIO;
                goto out;
            }
            o += w;
        }
    }
    if (fsync(tmpfd) != 0 || close(tmpfd) != 0) {
        tmpfd = -1;
        ww_diag_set(diag, tmp, 0, 0, "cannot write: %s", strerror(errno));
        rc = WW_EIO;
        goto out;
    }
    tmpfd = -1;
    uint8_t d[32];
    gnutls_hash_deinit(h, d);
    h = NULL;
    for (int i = 0; i < 32; i++)
        snprintf(sha + 2 * i, 3, "%02x", d[i]);
    const char *base = strrchr(path, '/');
    copy_job_t job = {tmp};
    rc = evidence_record(st, id, state_dir, base ? base + 1 : path, "", size, sha, place_copy, &job,
                         by, now, out, diag);
out:
    if (h)
        gnutls_hash_deinit(h, NULL);
    if (tmpfd >= 0)
        close(tmpfd);
    if (tmp[0])
        unlink(tmp); /* gone already when it was placed */
    if (in >= 0)
        close(in);
    return rc;
}

int ww_incident_evidence_get(ww_store_t *st, const ww_incident_t *inc, const char *state_dir,
                             const char *sha256, ww_inc_evidence_t *out, char *out_path,
                             size_t pathlen, ww_diag_t *diag)
{
    int rc = ww_incident_migrate(st, diag);
    if (rc)
        return rc;
    if (!is_sha_hex(sha256)) {
        ww_diag_set(diag, "", 0, 0, "not a SHA-256 in lowercase hex");
        return WW_ENOENT;
    }
    if ((rc = evidence_find(st, inc->id, sha256, out, diag)))
        return rc;
    if (out_path)
        snprintf(out_path, pathlen, "%s/evidence/%s/%s", state_dir ? state_dir : ".", inc->ref,
                 sha256);
    return 0;
}

/* ---- the timeline ------------------------------------------------------------------- */

static const char *adup(ww_inc_timeline_t *t, const char *s)
{
    return ww_arena_strdup(&t->arena, s ? s : "");
}

static ww_inc_item_t *add_item(ww_inc_timeline_t *t, size_t *cap, int kind, int64_t at)
{
    if (t->n >= WW_INC_MAX_TIMELINE) {
        t->dropped++;
        return NULL;
    }
    if (t->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        ww_inc_item_t *p = realloc(t->items, nc * sizeof *p);
        if (!p)
            return NULL;
        t->items = p;
        *cap = nc;
    }
    ww_inc_item_t *it = &t->items[t->n++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->at = at;
    it->by = it->text = "";
    it->seq = (uint32_t)t->n;
    return it;
}

typedef struct fb_walk {
    ww_inc_timeline_t *t;
    size_t *cap;
    int err;
} fb_walk_t;

static int on_fb_record(void *ud, const ww_fb_log_rec_t *r)
{
    fb_walk_t *w = ud;
    bool ours = false;
    for (size_t i = 0; i < w->t->nplans; i++)
        ours |= r->plan == w->t->plans[i];
    if (!ours)
        return 0;
    int64_t ns = 0;
    int64_t at = r->at && ww_time_parse_iso(r->at, strlen(r->at), &ns) == 0 ? ns / 1000000000 : 0;
    ww_inc_item_t *it = add_item(w->t, w->cap, WW_INC_ITEM_FIREBREAK, at);
    if (!it)
        return w->t->n >= WW_INC_MAX_TIMELINE ? 0 : (w->err = WW_ENOMEM);
    it->plan_id = r->plan;
    it->text = adup(w->t, r->action);
    it->by = adup(w->t, r->by);
    it->segment = adup(w->t, r->segment);
    it->reason = adup(w->t, r->reason);
    it->detail = adup(w->t, r->detail);
    return 0;
}

static int item_cmp(const void *a, const void *b)
{
    const ww_inc_item_t *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    /* Within one kind the rows came in insertion order: keep it. */
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int ww_incident_timeline(ww_store_t *st, const ww_incident_t *inc, ww_inc_timeline_t *out,
                         ww_diag_t *diag)
{
    ww_inc_timeline_t t = {0};
    ww_arena_init(&t.arena, 16384, 0);
    size_t cap = 0;
    sqlite3_stmt *q = NULL;
    int rc = ww_incident_migrate(st, diag), step = SQLITE_DONE;
    if (rc)
        goto out;
    static const char *const sql[] = {
        "SELECT at, by, what FROM incident_history WHERE incident=? ORDER BY id",
        "SELECT at, by, rule_title, alert, rule_id, host, user, src_ip, techniques, level,"
        " priority, linked FROM incident_alert WHERE incident=? ORDER BY at, alert",
        "SELECT at, by, text FROM incident_note WHERE incident=? ORDER BY id",
        "SELECT at, by, name, sha256, content_type, size FROM incident_evidence"
        " WHERE incident=? ORDER BY id",
        "SELECT linked, by, plan FROM incident_plan WHERE incident=? ORDER BY plan",
    };
    for (int k = 0; k < (int)WW_ARRAY_LEN(sql); k++) {
        if (sqlite3_prepare_v2(st->db, sql[k], -1, &q, NULL) != SQLITE_OK) {
            rc = ww__inc_db_fail(st, diag, "reading the timeline");
            goto out;
        }
        sqlite3_bind_int64(q, 1, inc->id);
        while ((step = sqlite3_step(q)) == SQLITE_ROW) {
            if (k == 4) {
                if (t.nplans >= WW_INC_MAX_PLANS)
                    continue;
                if (!t.plans) {
                    t.plans = ww_arena_alloc(&t.arena, WW_INC_MAX_PLANS * sizeof *t.plans);
                    t.plan_state =
                        ww_arena_alloc(&t.arena, WW_INC_MAX_PLANS * sizeof *t.plan_state);
                    if (!t.plans || !t.plan_state) {
                        rc = WW_ENOMEM;
                        goto out;
                    }
                }
                t.plans[t.nplans] = sqlite3_column_int64(q, 2);
                t.plan_state[t.nplans++] = NULL;
                continue;
            }
            ww_inc_item_t *it = add_item(&t, &cap,
                                         k == 0   ? WW_INC_ITEM_HISTORY
                                         : k == 1 ? WW_INC_ITEM_ALERT
                                         : k == 2 ? WW_INC_ITEM_NOTE
                                                  : WW_INC_ITEM_EVIDENCE,
                                         sqlite3_column_int64(q, 0));
            if (!it) {
                if (t.n >= WW_INC_MAX_TIMELINE)
                    continue;
                rc = WW_ENOMEM;
                goto out;
            }
            it->by = adup(&t, ww__inc_col(q, 1));
            it->text = adup(&t, ww__inc_col(q, 2));
            if (k == 1) {
                it->alert_id = adup(&t, ww__inc_col(q, 3));
                it->rule_id = adup(&t, ww__inc_col(q, 4));
                it->host = adup(&t, ww__inc_col(q, 5));
                it->user = adup(&t, ww__inc_col(q, 6));
                it->src_ip = adup(&t, ww__inc_col(q, 7));
                it->techniques = adup(&t, ww__inc_col(q, 8));
                it->level = ww_level_name(sqlite3_column_int(q, 9));
                it->priority = sqlite3_column_int(q, 10);
                it->linked = sqlite3_column_int64(q, 11);
            } else if (k == 3) {
                it->sha256 = adup(&t, ww__inc_col(q, 3));
                it->content_type = adup(&t, ww__inc_col(q, 4));
                it->size = (uint64_t)sqlite3_column_int64(q, 5);
            }
        }
        sqlite3_finalize(q);
        q = NULL;
        if (step != SQLITE_DONE) {
            rc = ww__inc_db_fail(st, diag, "reading the timeline");
            goto out;
        }
    }
    if (t.nplans) {
        for (size_t i = 0; i < t.nplans; i++) {
            ww_fb_plan_row_t p = {0};
            t.plan_state[i] =
                (char *)adup(&t, ww_fb_plan_get(st, t.plans[i], &p) == 0 ? p.state : "");
            ww_fb_plan_row_release(&p);
        }
        fb_walk_t w = {&t, &cap, 0};
        if (ww_fb_log_each(st, on_fb_record, &w) != 0 && !w.err) {
            rc = ww__inc_db_fail(st, diag, "reading fire-break records");
            goto out;
        }
        if ((rc = w.err))
            goto out;
    }
    if (t.n)
        qsort(t.items, t.n, sizeof *t.items, item_cmp);
out:
    sqlite3_finalize(q);
    if (rc) {
        ww_inc_timeline_release(&t);
        return rc;
    }
    *out = t;
    return 0;
}

void ww_inc_timeline_release(ww_inc_timeline_t *t)
{
    if (!t)
        return;
    free(t->items);
    ww_arena_release(&t->arena);
    memset(t, 0, sizeof *t);
}
