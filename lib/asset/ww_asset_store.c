/* The register's tables in the shared store (module "asset"): migrations, matching an
 * incoming record to the asset it describes, merging and writing it, recording
 * observed-but-unregistered devices, and loading the register back into memory.
 * Scalar columns are described once (cols[]) so insert, update and select cannot
 * drift apart. */
#include "asset/ww_asset_int.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static const char *const migrations[] = {
    "CREATE TABLE asset("
    " id INTEGER PRIMARY KEY,"
    " asset_id TEXT NOT NULL DEFAULT '', hostname TEXT NOT NULL DEFAULT '',"
    " mac TEXT NOT NULL DEFAULT '', type TEXT NOT NULL DEFAULT '',"
    " owner TEXT NOT NULL DEFAULT '', location TEXT NOT NULL DEFAULT '',"
    " segment TEXT NOT NULL DEFAULT '', os TEXT NOT NULL DEFAULT '',"
    " os_version TEXT NOT NULL DEFAULT '', build TEXT NOT NULL DEFAULT '',"
    " firmware TEXT NOT NULL DEFAULT '', last_patched INTEGER, last_boot INTEGER,"
    " av_enabled TEXT NOT NULL DEFAULT '', firewall_enabled TEXT NOT NULL DEFAULT '',"
    " autorun_disabled TEXT NOT NULL DEFAULT '',"
    " default_password_changed TEXT NOT NULL DEFAULT '', mfa TEXT NOT NULL DEFAULT '',"
    " internet_exposed TEXT NOT NULL DEFAULT '',"
    " clinical_criticality TEXT NOT NULL DEFAULT '',"
    " manufacturer TEXT NOT NULL DEFAULT '', model TEXT NOT NULL DEFAULT '',"
    " patch_by TEXT NOT NULL DEFAULT '', remote_service TEXT NOT NULL DEFAULT '',"
    " stores_patient_data TEXT NOT NULL DEFAULT '', encryption TEXT NOT NULL DEFAULT '',"
    " source TEXT NOT NULL DEFAULT '', first_seen INTEGER, last_seen INTEGER,"
    " os_guess TEXT NOT NULL DEFAULT '', notes TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX asset_by_id ON asset(asset_id);"
    "CREATE INDEX asset_by_host ON asset(hostname COLLATE NOCASE);"
    "CREATE INDEX asset_by_mac ON asset(mac);"
    "CREATE TABLE asset_ip(asset INTEGER NOT NULL REFERENCES asset(id) ON DELETE CASCADE,"
    " pos INTEGER NOT NULL, ip TEXT NOT NULL);"
    "CREATE INDEX asset_ip_by_ip ON asset_ip(ip);"
    "CREATE INDEX asset_ip_by_asset ON asset_ip(asset);"
    "CREATE TABLE asset_software(asset INTEGER NOT NULL REFERENCES asset(id) ON DELETE CASCADE,"
    " pos INTEGER NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX asset_software_by_asset ON asset_software(asset);"
    "CREATE TABLE asset_update(asset INTEGER NOT NULL REFERENCES asset(id) ON DELETE CASCADE,"
    " pos INTEGER NOT NULL, update_id TEXT NOT NULL, severity TEXT NOT NULL DEFAULT '',"
    " cvss REAL, released INTEGER);"
    "CREATE INDEX asset_update_by_asset ON asset_update(asset);"
    "CREATE TABLE asset_admin(asset INTEGER NOT NULL REFERENCES asset(id) ON DELETE CASCADE,"
    " pos INTEGER NOT NULL, account TEXT NOT NULL);"
    "CREATE INDEX asset_admin_by_asset ON asset_admin(asset);"
    "CREATE TABLE asset_port(asset INTEGER NOT NULL REFERENCES asset(id) ON DELETE CASCADE,"
    " pos INTEGER NOT NULL, port INTEGER NOT NULL, proto TEXT NOT NULL,"
    " service TEXT NOT NULL DEFAULT '', product TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX asset_port_by_asset ON asset_port(asset);"
    "CREATE TABLE asset_observed(id INTEGER PRIMARY KEY, ip TEXT NOT NULL DEFAULT '',"
    " mac TEXT NOT NULL DEFAULT '', hostname TEXT NOT NULL DEFAULT '',"
    " vendor TEXT NOT NULL DEFAULT '', os_guess TEXT NOT NULL DEFAULT '',"
    " source TEXT NOT NULL DEFAULT '', first_seen INTEGER, last_seen INTEGER,"
    " medical_hint TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX asset_observed_by_ip ON asset_observed(ip);"
    "CREATE INDEX asset_observed_by_mac ON asset_observed(mac);"
    "CREATE TABLE asset_observed_port(observed INTEGER NOT NULL"
    " REFERENCES asset_observed(id) ON DELETE CASCADE, pos INTEGER NOT NULL,"
    " port INTEGER NOT NULL, proto TEXT NOT NULL, service TEXT NOT NULL DEFAULT '',"
    " product TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX asset_observed_port_by_obs ON asset_observed_port(observed);",
    /* 2: extended security updates enrolment (Cyber Essentials: past end of support an OS
       is compliant only with the subscription). */
    "ALTER TABLE asset ADD COLUMN esu TEXT NOT NULL DEFAULT '';",
    /* 3: the register marks assets in an isolated segment (Cyber Essentials A6.7). */
    "ALTER TABLE asset ADD COLUMN isolated TEXT NOT NULL DEFAULT '';",
    /* 4: network scans imported (nmap), so the audit can tell "every medical device seen
       is registered" from "nobody looked at the network". */
    ("CREATE TABLE asset_scan(id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '',"
     " scanned INTEGER, imported INTEGER, hosts INTEGER NOT NULL DEFAULT 0);"),
};

int ww_asset_migrate(ww_store_t *st, ww_diag_t *diag)
{
    return ww_store_migrate(st, "asset", migrations, WW_ARRAY_LEN(migrations), diag);
}

/* ---- scalar columns ---------------------------------------------------------- */

enum { K_STR, K_TRI, K_CRIT, K_TYPE, K_TIME, K_SRC };

static const struct col {
    const char *name;
    int field; /* WW_AF_* or -1 (not from input) */
    int kind;
    size_t off;
} cols[] = {
    {"asset_id", WW_AF_ASSET_ID, K_STR, offsetof(ww_asset_t, asset_id)},
    {"hostname", WW_AF_HOSTNAME, K_STR, offsetof(ww_asset_t, hostname)},
    {"mac", WW_AF_MAC, K_STR, offsetof(ww_asset_t, mac)},
    {"type", WW_AF_TYPE, K_TYPE, offsetof(ww_asset_t, type)},
    {"owner", WW_AF_OWNER, K_STR, offsetof(ww_asset_t, owner)},
    {"location", WW_AF_LOCATION, K_STR, offsetof(ww_asset_t, location)},
    {"segment", WW_AF_SEGMENT, K_STR, offsetof(ww_asset_t, segment)},
    {"os", WW_AF_OS, K_STR, offsetof(ww_asset_t, os)},
    {"os_version", WW_AF_OS_VERSION, K_STR, offsetof(ww_asset_t, os_version)},
    {"build", WW_AF_BUILD, K_STR, offsetof(ww_asset_t, build)},
    {"firmware", WW_AF_FIRMWARE, K_STR, offsetof(ww_asset_t, firmware)},
    {"last_patched", WW_AF_LAST_PATCHED, K_TIME, offsetof(ww_asset_t, last_patched)},
    {"last_boot", WW_AF_LAST_BOOT, K_TIME, offsetof(ww_asset_t, last_boot)},
    {"av_enabled", WW_AF_AV_ENABLED, K_TRI, offsetof(ww_asset_t, av_enabled)},
    {"firewall_enabled", WW_AF_FIREWALL_ENABLED, K_TRI, offsetof(ww_asset_t, firewall_enabled)},
    {"autorun_disabled", WW_AF_AUTORUN_DISABLED, K_TRI, offsetof(ww_asset_t, autorun_disabled)},
    {"default_password_changed", WW_AF_DEFAULT_PASSWORD_CHANGED, K_TRI,
     offsetof(ww_asset_t, default_password_changed)},
    {"mfa", WW_AF_MFA, K_TRI, offsetof(ww_asset_t, mfa)},
    {"internet_exposed", WW_AF_INTERNET_EXPOSED, K_TRI, offsetof(ww_asset_t, internet_exposed)},
    {"clinical_criticality", WW_AF_CLINICAL_CRITICALITY, K_CRIT,
     offsetof(ww_asset_t, clinical_criticality)},
    {"manufacturer", WW_AF_MANUFACTURER, K_STR, offsetof(ww_asset_t, manufacturer)},
    {"model", WW_AF_MODEL, K_STR, offsetof(ww_asset_t, model)},
    {"patch_by", WW_AF_PATCH_BY, K_STR, offsetof(ww_asset_t, patch_by)},
    {"remote_service", WW_AF_REMOTE_SERVICE, K_TRI, offsetof(ww_asset_t, remote_service)},
    {"stores_patient_data", WW_AF_STORES_PATIENT_DATA, K_TRI,
     offsetof(ww_asset_t, stores_patient_data)},
    {"encryption", WW_AF_ENCRYPTION, K_TRI, offsetof(ww_asset_t, encryption)},
    {"source", -1, K_SRC, offsetof(ww_asset_t, source)},
    {"first_seen", -1, K_TIME, offsetof(ww_asset_t, first_seen)},
    {"last_seen", -1, K_TIME, offsetof(ww_asset_t, last_seen)},
    {"os_guess", WW_AF_OS_GUESS, K_STR, offsetof(ww_asset_t, os_guess)},
    {"esu", WW_AF_ESU, K_TRI, offsetof(ww_asset_t, esu)},
    {"isolated", WW_AF_ISOLATED, K_TRI, offsetof(ww_asset_t, isolated)},
    {"notes", WW_AF_NOTES, K_STR, offsetof(ww_asset_t, notes)},
};
#define NCOLS WW_ARRAY_LEN(cols)

static int fail(ww_store_t *st, ww_diag_t *diag, const char *what)
{
    ww_diag_set(diag, st->path, 0, 0, "asset register: %s: %s", what, sqlite3_errmsg(st->db));
    return WW_EIO;
}

static int prepare(ww_store_t *st, const char *sql, sqlite3_stmt **q, ww_diag_t *diag)
{
    if (sqlite3_prepare_v2(st->db, sql, -1, q, NULL) != SQLITE_OK)
        return fail(st, diag, "prepare");
    return 0;
}

static void bind_col(sqlite3_stmt *q, int i, const ww_asset_t *a, const struct col *c)
{
    const char *base = (const char *)a;
    switch (c->kind) {
    case K_STR: {
        const char *s = *(const char *const *)(base + c->off);
        sqlite3_bind_text(q, i, s ? s : "", -1, SQLITE_TRANSIENT);
        break;
    }
    case K_TRI:
        sqlite3_bind_text(q, i, ww_tri_name(*(const ww_tri_t *)(base + c->off)), -1, SQLITE_STATIC);
        break;
    case K_CRIT:
        sqlite3_bind_text(q, i, ww_crit_name(*(const ww_crit_t *)(base + c->off)), -1,
                          SQLITE_STATIC);
        break;
    case K_TYPE:
        sqlite3_bind_text(q, i, ww_asset_type_name(*(const ww_asset_type_t *)(base + c->off)), -1,
                          SQLITE_STATIC);
        break;
    case K_SRC:
        sqlite3_bind_text(q, i, ww_asset_source_name(*(const ww_asset_source_t *)(base + c->off)),
                          -1, SQLITE_STATIC);
        break;
    case K_TIME: {
        int64_t t = *(const int64_t *)(base + c->off);
        if (t == WW_ASSET_NOTIME)
            sqlite3_bind_null(q, i);
        else
            sqlite3_bind_int64(q, i, t);
        break;
    }
    }
}

static const char *col_text(sqlite3_stmt *q, int i, ww_arena_t *ar)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    if (!t || !*t)
        return "";
    return ww_arena_strndup(ar, (const char *)t, (size_t)sqlite3_column_bytes(q, i));
}

/* Reads column i of q into the asset field described by c.  WW_ENOMEM or 0. */
static int read_col(sqlite3_stmt *q, int i, ww_asset_t *a, const struct col *c, ww_arena_t *ar)
{
    char *base = (char *)a;
    const unsigned char *t = sqlite3_column_text(q, i);
    size_t n = t ? (size_t)sqlite3_column_bytes(q, i) : 0;
    const char *s = t ? (const char *)t : "";
    switch (c->kind) {
    case K_STR: {
        const char *v = col_text(q, i, ar);
        if (!v)
            return WW_ENOMEM;
        *(const char **)(base + c->off) = v;
        break;
    }
    case K_TRI:
        if (ww_tri_parse(s, n, (ww_tri_t *)(base + c->off)) != 0)
            *(ww_tri_t *)(base + c->off) = WW_TRI_UNKNOWN;
        break;
    case K_CRIT:
        if (ww_crit_parse(s, n, (ww_crit_t *)(base + c->off)) != 0)
            *(ww_crit_t *)(base + c->off) = WW_CRIT_UNKNOWN;
        break;
    case K_TYPE:
        if (ww_asset_type_parse(s, n, (ww_asset_type_t *)(base + c->off)) != 0)
            *(ww_asset_type_t *)(base + c->off) = WW_AT_UNKNOWN;
        break;
    case K_SRC: {
        ww_asset_source_t v = WW_SRC_UNKNOWN;
        for (int k = 1; k <= WW_SRC_LOG; k++)
            if (strcmp(s, ww_asset_source_name((ww_asset_source_t)k)) == 0)
                v = (ww_asset_source_t)k;
        *(ww_asset_source_t *)(base + c->off) = v;
        break;
    }
    case K_TIME:
        *(int64_t *)(base + c->off) =
            sqlite3_column_type(q, i) == SQLITE_NULL ? WW_ASSET_NOTIME : sqlite3_column_int64(q, i);
        break;
    }
    return 0;
}

/* ---- loading ------------------------------------------------------------------ */

static int cmp_rowid(const void *a, const void *b)
{
    int64_t x = ((const ww_asset_t *)a)->rowid, y = ((const ww_asset_t *)b)->rowid;
    return x < y ? -1 : x > y;
}

static ww_asset_t *by_rowid(ww_asset_t *v, size_t n, int64_t id)
{
    ww_asset_t key = {.rowid = id};
    return bsearch(&key, v, n, sizeof *v, cmp_rowid);
}

static int cmp_order(const void *pa, const void *pb)
{
    const ww_asset_t *a = pa, *b = pb;
    /* Assets with a register ID first, by ID; then by hostname; then by row. */
    bool ia = *a->asset_id != 0, ib = *b->asset_id != 0;
    if (ia != ib)
        return ia ? -1 : 1;
    int c = strcmp(a->asset_id, b->asset_id);
    if (c)
        return c;
    c = strcasecmp(a->hostname, b->hostname);
    if (c)
        return c;
    return a->rowid < b->rowid ? -1 : a->rowid > b->rowid;
}

/* Child tables: counted first so each asset's array is allocated once. */
enum { CH_IP, CH_SW, CH_UP, CH_ADM, CH_PORT };
static const char *const child_table[] = {"asset_ip", "asset_software", "asset_update",
                                          "asset_admin", "asset_port"};
static const char *const child_cols[] = {"ip", "name, version",
                                         "update_id, severity, cvss, released", "account",
                                         "port, proto, service, product"};

static int load_children(ww_store_t *st, int which, int64_t only, ww_asset_t *v, size_t n,
                         ww_arena_t *ar, ww_diag_t *diag)
{
    char sql[256];
    sqlite3_stmt *q = NULL;
    int rc = 0;
    snprintf(sql, sizeof sql, "SELECT asset, count(*) FROM %s %s GROUP BY asset",
             child_table[which], only ? "WHERE asset=?1" : "");
    if ((rc = prepare(st, sql, &q, diag)) != 0)
        goto out;
    sqlite3_bind_int64(q, 1, only);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        ww_asset_t *a = by_rowid(v, n, sqlite3_column_int64(q, 0));
        size_t cnt = (size_t)sqlite3_column_int64(q, 1);
        if (!a)
            continue;
        void *arr = NULL;
        switch (which) {
        case CH_IP:
            arr = ww_arena_calloc(ar, cnt * sizeof(char *));
            a->ips = arr;
            break;
        case CH_SW:
            arr = ww_arena_calloc(ar, cnt * sizeof(ww_software_t));
            a->software = arr;
            break;
        case CH_UP:
            arr = ww_arena_calloc(ar, cnt * sizeof(ww_update_t));
            a->updates = arr;
            break;
        case CH_ADM:
            arr = ww_arena_calloc(ar, cnt * sizeof(char *));
            a->admin_accounts = arr;
            break;
        case CH_PORT:
            arr = ww_arena_calloc(ar, cnt * sizeof(ww_port_t));
            a->ports = arr;
            break;
        }
        if (!arr) {
            rc = WW_ENOMEM;
            goto out;
        }
    }
    if (rc != SQLITE_DONE) {
        rc = fail(st, diag, "read");
        goto out;
    }
    sqlite3_finalize(q);
    q = NULL;
    snprintf(sql, sizeof sql, "SELECT asset, %s FROM %s %s ORDER BY asset, pos", child_cols[which],
             child_table[which], only ? "WHERE asset=?1" : "");
    if ((rc = prepare(st, sql, &q, diag)) != 0)
        goto out;
    sqlite3_bind_int64(q, 1, only);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        ww_asset_t *a = by_rowid(v, n, sqlite3_column_int64(q, 0));
        if (!a)
            continue;
        const char *t1 = col_text(q, 1, ar);
        if (!t1) {
            rc = WW_ENOMEM;
            goto out;
        }
        switch (which) {
        case CH_IP: a->ips[a->nips++] = t1; break;
        case CH_ADM: a->admin_accounts[a->nadmins++] = t1; break;
        case CH_SW: {
            const char *ver = col_text(q, 2, ar);
            if (!ver) {
                rc = WW_ENOMEM;
                goto out;
            }
            a->software[a->nsoftware++] = (ww_software_t){t1, ver};
            break;
        }
        case CH_UP: {
            ww_update_t *u = &a->updates[a->nupdates++];
            u->id = t1;
            const unsigned char *sv = sqlite3_column_text(q, 2);
            if (!sv || ww_sev_parse((const char *)sv, strlen((const char *)sv), &u->severity))
                u->severity = WW_SEV_NONE;
            u->cvss = sqlite3_column_type(q, 3) == SQLITE_NULL ? -1 : sqlite3_column_double(q, 3);
            u->released = sqlite3_column_type(q, 4) == SQLITE_NULL ? WW_ASSET_NOTIME
                                                                   : sqlite3_column_int64(q, 4);
            break;
        }
        case CH_PORT: {
            ww_port_t *p = &a->ports[a->nports++];
            p->port = (uint16_t)sqlite3_column_int(q, 1);
            const unsigned char *pr = sqlite3_column_text(q, 2);
            snprintf(p->proto, sizeof p->proto, "%s", pr ? (const char *)pr : "");
            p->service = col_text(q, 3, ar);
            p->product = col_text(q, 4, ar);
            if (!p->service || !p->product) {
                rc = WW_ENOMEM;
                goto out;
            }
            break;
        }
        }
    }
    rc = rc == SQLITE_DONE ? 0 : fail(st, diag, "read");
out:
    sqlite3_finalize(q);
    return rc;
}

/* Loads assets (all, or the one with rowid `only`) into *out / *nout. */
static int load_assets(ww_store_t *st, int64_t only, ww_arena_t *ar, ww_asset_t **out, size_t *nout,
                       ww_diag_t *diag)
{
    ww_buf_t sql;
    ww_buf_init(&sql, 4096);
    sqlite3_stmt *q = NULL;
    ww_asset_t *v = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    ww_buf_puts(&sql, "SELECT id");
    for (size_t i = 0; i < NCOLS; i++)
        ww_buf_printf(&sql, ",%s", cols[i].name);
    /* Separate forms: "?1=0 OR id=?1" would stop SQLite using the key. */
    ww_buf_puts(&sql, only ? " FROM asset WHERE id=?1" : " FROM asset ORDER BY id");
    if (sql.err) {
        rc = sql.err;
        goto out;
    }
    if ((rc = prepare(st, sql.p, &q, diag)) != 0)
        goto out;
    sqlite3_bind_int64(q, 1, only);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            ww_asset_t *nv = realloc(v, ncap * sizeof *nv);
            if (!nv) {
                rc = WW_ENOMEM;
                goto out;
            }
            v = nv;
            cap = ncap;
        }
        ww_asset_t *a = &v[n++];
        memset(a, 0, sizeof *a);
        a->rowid = sqlite3_column_int64(q, 0);
        for (size_t i = 0; i < NCOLS; i++)
            if ((rc = read_col(q, (int)i + 1, a, &cols[i], ar)) != 0)
                goto out;
    }
    if (rc != SQLITE_DONE) {
        rc = fail(st, diag, "read assets");
        goto out;
    }
    rc = 0;
    /* Move into the arena so the set owns everything. */
    ww_asset_t *av = n ? ww_arena_alloc(ar, n * sizeof *av) : NULL;
    if (n && !av) {
        rc = WW_ENOMEM;
        goto out;
    }
    if (n)
        memcpy(av, v, n * sizeof *av);
    for (int ch = CH_IP; ch <= CH_PORT; ch++)
        if ((rc = load_children(st, ch, only, av, n, ar, diag)) != 0)
            goto out;
    *out = av;
    *nout = n;
out:
    sqlite3_finalize(q);
    free(v);
    ww_buf_release(&sql);
    return rc;
}

static int load_observed(ww_store_t *st, ww_asset_set_t *s, ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    int rc;
    size_t cap = 0;
    const char *sql =
        "SELECT o.id, o.ip, o.mac, o.hostname, o.vendor, o.os_guess, o.source, o.first_seen,"
        " o.last_seen, o.medical_hint FROM asset_observed o"
        " WHERE NOT (o.ip <> '' AND EXISTS(SELECT 1 FROM asset_ip i WHERE i.ip = o.ip))"
        " AND NOT (o.mac <> '' AND EXISTS(SELECT 1 FROM asset a WHERE a.mac = o.mac))"
        " ORDER BY o.ip, o.mac, o.id";
    if ((rc = prepare(st, sql, &q, diag)) != 0)
        goto out;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (s->nobserved == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            ww_observed_t *nv = ww_arena_alloc(&s->arena, ncap * sizeof *nv);
            if (!nv) {
                rc = WW_ENOMEM;
                goto out;
            }
            if (s->nobserved)
                memcpy(nv, s->observed, s->nobserved * sizeof *nv);
            s->observed = nv;
            cap = ncap;
        }
        ww_observed_t *o = &s->observed[s->nobserved++];
        memset(o, 0, sizeof *o);
        o->rowid = sqlite3_column_int64(q, 0);
        o->ip = col_text(q, 1, &s->arena);
        o->mac = col_text(q, 2, &s->arena);
        o->hostname = col_text(q, 3, &s->arena);
        o->vendor = col_text(q, 4, &s->arena);
        o->os_guess = col_text(q, 5, &s->arena);
        const unsigned char *src = sqlite3_column_text(q, 6);
        o->source = src && strcmp((const char *)src, "nmap") == 0  ? WW_SRC_NMAP
                    : src && strcmp((const char *)src, "log") == 0 ? WW_SRC_LOG
                                                                   : WW_SRC_UNKNOWN;
        o->first_seen =
            sqlite3_column_type(q, 7) == SQLITE_NULL ? WW_ASSET_NOTIME : sqlite3_column_int64(q, 7);
        o->last_seen =
            sqlite3_column_type(q, 8) == SQLITE_NULL ? WW_ASSET_NOTIME : sqlite3_column_int64(q, 8);
        o->medical_hint = col_text(q, 9, &s->arena);
        if (!o->ip || !o->mac || !o->hostname || !o->vendor || !o->os_guess || !o->medical_hint) {
            rc = WW_ENOMEM;
            goto out;
        }
    }
    if (rc != SQLITE_DONE) {
        rc = fail(st, diag, "read observed devices");
        goto out;
    }
    sqlite3_finalize(q);
    q = NULL;
    /* Ports: few per device; a linear search by rowid is enough for the sizes
       involved, but observed rows are ordered by IP, so look them up by scan. */
    if ((rc = prepare(st,
                      "SELECT observed, port, proto, service, product FROM asset_observed_port"
                      " ORDER BY observed, pos",
                      &q, diag)) != 0)
        goto out;
    ww_observed_t *cur = NULL;
    size_t ccap = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(q, 0);
        if (!cur || cur->rowid != id) {
            cur = NULL;
            ccap = 0;
            for (size_t i = 0; i < s->nobserved; i++)
                if (s->observed[i].rowid == id)
                    cur = &s->observed[i];
        }
        if (!cur || cur->nports >= WW_ASSET_MAX_LIST)
            continue;
        if (cur->nports == ccap) {
            size_t ncap = ccap ? ccap * 2 : 8;
            ww_port_t *nv = ww_arena_alloc(&s->arena, ncap * sizeof *nv);
            if (!nv) {
                rc = WW_ENOMEM;
                goto out;
            }
            if (cur->nports)
                memcpy(nv, cur->ports, cur->nports * sizeof *nv);
            cur->ports = nv;
            ccap = ncap;
        }
        ww_port_t *p = &cur->ports[cur->nports++];
        p->port = (uint16_t)sqlite3_column_int(q, 1);
        const unsigned char *pr = sqlite3_column_text(q, 2);
        snprintf(p->proto, sizeof p->proto, "%s", pr ? (const char *)pr : "");
        p->service = col_text(q, 3, &s->arena);
        p->product = col_text(q, 4, &s->arena);
        if (!p->service || !p->product) {
            rc = WW_ENOMEM;
            goto out;
        }
    }
    rc = rc == SQLITE_DONE ? 0 : fail(st, diag, "read observed ports");
out:
    sqlite3_finalize(q);
    return rc;
}

/* How many network scans were imported, and when the latest was made. */
static int load_scans(ww_store_t *st, ww_asset_set_t *out, ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    out->last_scan = WW_ASSET_NOTIME;
    if (prepare(st, "SELECT count(*), max(coalesce(scanned, imported)) FROM asset_scan", &q,
                diag) != 0)
        return WW_EIO;
    int rc = 0;
    if (sqlite3_step(q) == SQLITE_ROW) {
        out->nscans = (size_t)sqlite3_column_int64(q, 0);
        if (sqlite3_column_type(q, 1) != SQLITE_NULL)
            out->last_scan = sqlite3_column_int64(q, 1);
    } else {
        rc = fail(st, diag, "reading scans");
    }
    sqlite3_finalize(q);
    return rc;
}

int ww_asset_load(ww_store_t *st, ww_asset_set_t *out, ww_diag_t *diag)
{
    memset(out, 0, sizeof *out);
    ww_arena_init(&out->arena, 256 * 1024, 0);
    int rc = ww_asset_migrate(st, diag);
    if (rc)
        return rc;
    if ((rc = load_assets(st, 0, &out->arena, &out->assets, &out->n, diag)) != 0)
        return rc;
    if (out->n)
        qsort(out->assets, out->n, sizeof *out->assets, cmp_order);
    if ((rc = load_observed(st, out, diag)) != 0)
        return rc;
    return load_scans(st, out, diag);
}

int ww__asset_scan_record(ww_store_t *st, const char *name, int64_t scanned, int64_t imported,
                          size_t hosts, ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    if (prepare(st, "INSERT INTO asset_scan(name, scanned, imported, hosts) VALUES(?1,?2,?3,?4)",
                &q, diag) != 0)
        return WW_EIO;
    sqlite3_bind_text(q, 1, name ? name : "", -1, SQLITE_STATIC);
    if (scanned != WW_ASSET_NOTIME)
        sqlite3_bind_int64(q, 2, scanned);
    sqlite3_bind_int64(q, 3, imported);
    sqlite3_bind_int64(q, 4, (sqlite3_int64)hosts);
    int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : fail(st, diag, "recording the scan");
    sqlite3_finalize(q);
    return rc;
}

void ww_asset_set_release(ww_asset_set_t *s)
{
    if (!s)
        return;
    ww_arena_release(&s->arena);
    memset(s, 0, sizeof *s);
}

int ww_asset_each(ww_store_t *st, ww_asset_each_fn fn, void *ud, ww_diag_t *diag)
{
    ww_asset_set_t s;
    int rc = ww_asset_load(st, &s, diag);
    for (size_t i = 0; rc == 0 && i < s.n; i++)
        rc = fn(ud, &s.assets[i]);
    ww_asset_set_release(&s);
    return rc;
}

/* ---- matching ------------------------------------------------------------------ */

/* Runs a one-column id query with text parameters; returns the id, 0 for none, <0. */
static int64_t query_id(ww_store_t *st, const char *sql, const char *p1, const char *p2,
                        ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    if (prepare(st, sql, &q, diag) != 0)
        return WW_EIO;
    sqlite3_bind_text(q, 1, p1, -1, SQLITE_STATIC);
    if (p2)
        sqlite3_bind_text(q, 2, p2, -1, SQLITE_STATIC);
    int64_t id = 0;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        id = sqlite3_column_int64(q, 0);
    else if (rc != SQLITE_DONE)
        id = fail(st, diag, "lookup");
    sqlite3_finalize(q);
    return id;
}

/* The asset a record describes: same asset_id; else same hostname, IP or MAC where
 * the asset_ids do not contradict (one side has none). */
static int64_t match(ww_store_t *st, const ww_asset_t *a, ww_diag_t *diag)
{
    int64_t id;
    bool has_id = *a->asset_id != 0;
    if (has_id) {
        id = query_id(st, "SELECT id FROM asset WHERE asset_id=?1 ORDER BY id LIMIT 1", a->asset_id,
                      NULL, diag);
        if (id != 0)
            return id;
    }
    /* A stored asset with a different asset_id is a different asset. */
    const char *compat = has_id ? "(asset_id='' OR asset_id=?2)" : "1";
    char sql[256];
    if (*a->hostname) {
        snprintf(sql, sizeof sql,
                 "SELECT id FROM asset WHERE hostname=?1 COLLATE NOCASE AND %s ORDER BY id "
                 "LIMIT 1",
                 compat);
        id = query_id(st, sql, a->hostname, has_id ? a->asset_id : NULL, diag);
        if (id != 0)
            return id;
    }
    for (size_t i = 0; i < a->nips; i++) {
        snprintf(sql, sizeof sql,
                 "SELECT a.id FROM asset_ip i JOIN asset a ON a.id=i.asset WHERE i.ip=?1 AND %s"
                 " ORDER BY a.id LIMIT 1",
                 has_id ? "(a.asset_id='' OR a.asset_id=?2)" : "1");
        id = query_id(st, sql, a->ips[i], has_id ? a->asset_id : NULL, diag);
        if (id != 0)
            return id;
    }
    if (*a->mac) {
        snprintf(sql, sizeof sql, "SELECT id FROM asset WHERE mac=?1 AND %s ORDER BY id LIMIT 1",
                 compat);
        id = query_id(st, sql, a->mac, has_id ? a->asset_id : NULL, diag);
        if (id != 0)
            return id;
    }
    return 0;
}

/* ---- writing ------------------------------------------------------------------- */

static int write_children(ww_store_t *st, int64_t id, const ww_asset_t *a, ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    int rc = 0;
    for (int ch = CH_IP; ch <= CH_PORT; ch++) {
        char sql[256];
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE asset=?1", child_table[ch]);
        if ((rc = prepare(st, sql, &q, diag)) != 0)
            goto out;
        sqlite3_bind_int64(q, 1, id);
        if (sqlite3_step(q) != SQLITE_DONE) {
            rc = fail(st, diag, "write");
            goto out;
        }
        sqlite3_finalize(q);
        q = NULL;
        static const char *const ins[] = {
            "INSERT INTO asset_ip(asset,pos,ip) VALUES(?1,?2,?3)",
            "INSERT INTO asset_software(asset,pos,name,version) VALUES(?1,?2,?3,?4)",
            "INSERT INTO asset_update(asset,pos,update_id,severity,cvss,released)"
            " VALUES(?1,?2,?3,?4,?5,?6)",
            "INSERT INTO asset_admin(asset,pos,account) VALUES(?1,?2,?3)",
            "INSERT INTO asset_port(asset,pos,port,proto,service,product)"
            " VALUES(?1,?2,?3,?4,?5,?6)",
        };
        size_t cnt = ch == CH_IP    ? a->nips
                     : ch == CH_SW  ? a->nsoftware
                     : ch == CH_UP  ? a->nupdates
                     : ch == CH_ADM ? a->nadmins
                                    : a->nports;
        if (!cnt)
            continue;
        if ((rc = prepare(st, ins[ch], &q, diag)) != 0)
            goto out;
        for (size_t i = 0; i < cnt; i++) {
            sqlite3_reset(q);
            sqlite3_clear_bindings(q);
            sqlite3_bind_int64(q, 1, id);
            sqlite3_bind_int64(q, 2, (int64_t)i);
            switch (ch) {
            case CH_IP: sqlite3_bind_text(q, 3, a->ips[i], -1, SQLITE_STATIC); break;
            case CH_ADM: sqlite3_bind_text(q, 3, a->admin_accounts[i], -1, SQLITE_STATIC); break;
            case CH_SW:
                sqlite3_bind_text(q, 3, a->software[i].name, -1, SQLITE_STATIC);
                sqlite3_bind_text(q, 4, a->software[i].version, -1, SQLITE_STATIC);
                break;
            case CH_UP: {
                const ww_update_t *u = &a->updates[i];
                sqlite3_bind_text(q, 3, u->id, -1, SQLITE_STATIC);
                sqlite3_bind_text(q, 4, ww_sev_name(u->severity), -1, SQLITE_STATIC);
                if (u->cvss >= 0)
                    sqlite3_bind_double(q, 5, u->cvss);
                if (u->released != WW_ASSET_NOTIME)
                    sqlite3_bind_int64(q, 6, u->released);
                break;
            }
            case CH_PORT: {
                const ww_port_t *p = &a->ports[i];
                sqlite3_bind_int(q, 3, p->port);
                sqlite3_bind_text(q, 4, p->proto, -1, SQLITE_STATIC);
                sqlite3_bind_text(q, 5, p->service ? p->service : "", -1, SQLITE_STATIC);
                sqlite3_bind_text(q, 6, p->product ? p->product : "", -1, SQLITE_STATIC);
                break;
            }
            }
            if (sqlite3_step(q) != SQLITE_DONE) {
                rc = fail(st, diag, "write");
                goto out;
            }
        }
        sqlite3_finalize(q);
        q = NULL;
    }
out:
    sqlite3_finalize(q);
    return rc;
}

/* Copies the fields the record gives (mask) over the stored asset. */
static void merge(ww_asset_t *dst, const ww__rec_t *r)
{
    const ww_asset_t *src = &r->a;
    for (size_t i = 0; i < NCOLS; i++) {
        if (cols[i].field < 0 || !(r->mask & WW_AF_BIT(cols[i].field)))
            continue;
        size_t sz = cols[i].kind == K_STR    ? sizeof(const char *)
                    : cols[i].kind == K_TIME ? sizeof(int64_t)
                                             : sizeof(int);
        memcpy((char *)dst + cols[i].off, (const char *)src + cols[i].off, sz);
    }
#define LIST(F, arr, n)           \
    if (r->mask & WW_AF_BIT(F)) { \
        dst->arr = src->arr;      \
        dst->n = src->n;          \
    }
    LIST(WW_AF_IP, ips, nips)
    LIST(WW_AF_SOFTWARE, software, nsoftware)
    LIST(WW_AF_MISSING_UPDATES, updates, nupdates)
    LIST(WW_AF_ADMIN_ACCOUNTS, admin_accounts, nadmins)
    LIST(WW_AF_PORTS, ports, nports)
#undef LIST
    dst->source = src->source;
}

static int write_row(ww_store_t *st, int64_t id, const ww_asset_t *a, int64_t *newid,
                     ww_diag_t *diag)
{
    ww_buf_t sql;
    ww_buf_init(&sql, 4096);
    sqlite3_stmt *q = NULL;
    int rc = 0;
    if (id) {
        ww_buf_puts(&sql, "UPDATE asset SET ");
        for (size_t i = 0; i < NCOLS; i++)
            ww_buf_printf(&sql, "%s%s=?%zu", i ? "," : "", cols[i].name, i + 1);
        ww_buf_printf(&sql, " WHERE id=?%zu", NCOLS + 1);
    } else {
        ww_buf_puts(&sql, "INSERT INTO asset(");
        for (size_t i = 0; i < NCOLS; i++)
            ww_buf_printf(&sql, "%s%s", i ? "," : "", cols[i].name);
        ww_buf_puts(&sql, ") VALUES(");
        for (size_t i = 0; i < NCOLS; i++)
            ww_buf_printf(&sql, "%s?%zu", i ? "," : "", i + 1);
        ww_buf_puts(&sql, ")");
    }
    if (sql.err) {
        rc = sql.err;
        goto out;
    }
    if ((rc = prepare(st, sql.p, &q, diag)) != 0)
        goto out;
    for (size_t i = 0; i < NCOLS; i++)
        bind_col(q, (int)i + 1, a, &cols[i]);
    if (id)
        sqlite3_bind_int64(q, (int)NCOLS + 1, id);
    if (sqlite3_step(q) != SQLITE_DONE) {
        rc = fail(st, diag, "write asset");
        goto out;
    }
    *newid = id ? id : sqlite3_last_insert_rowid(st->db);
    rc = write_children(st, *newid, a, diag);
out:
    sqlite3_finalize(q);
    ww_buf_release(&sql);
    return rc;
}

/* Observed rows for addresses that are now registered are no longer "unregistered". */
static int forget_observed(ww_store_t *st, const ww_asset_t *a, ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    int rc =
        prepare(st, "DELETE FROM asset_observed WHERE (ip<>'' AND ip=?1) OR (mac<>'' AND mac=?1)",
                &q, diag);
    if (rc)
        return rc;
    for (size_t i = 0; i <= a->nips && rc == 0; i++) {
        const char *key = i < a->nips ? a->ips[i] : a->mac;
        if (!key || !*key)
            continue;
        sqlite3_reset(q);
        sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE)
            rc = fail(st, diag, "write");
    }
    sqlite3_finalize(q);
    return rc;
}

int ww__asset_put(ww_store_t *st, const ww__rec_t *r, int64_t now, int *updated, ww_diag_t *diag)
{
    ww_arena_t ar;
    ww_arena_init(&ar, 8192, 0);
    int rc = 0;
    int64_t id = match(st, &r->a, diag);
    if (id < 0) {
        rc = (int)id;
        goto out;
    }
    ww_asset_t cur;
    if (id) {
        ww_asset_t *v = NULL;
        size_t n = 0;
        if ((rc = load_assets(st, id, &ar, &v, &n, diag)) != 0)
            goto out;
        if (n != 1) {
            rc = fail(st, diag, "asset vanished while importing");
            goto out;
        }
        cur = v[0];
        merge(&cur, r);
    } else {
        cur = r->a;
        cur.first_seen = now;
    }
    if (cur.first_seen == WW_ASSET_NOTIME)
        cur.first_seen = now;
    cur.last_seen = now;
    int64_t newid;
    if ((rc = write_row(st, id, &cur, &newid, diag)) != 0)
        goto out;
    if ((rc = forget_observed(st, &cur, diag)) != 0)
        goto out;
    *updated = id != 0;
out:
    ww_arena_release(&ar);
    return rc;
}

static int observed_upsert(ww_store_t *st, const ww__rec_t *h, const char *vendor,
                           ww_asset_source_t src, int64_t now, ww_arena_t *ar, ww_diag_t *diag)
{
    const ww_asset_t *a = &h->a;
    const char *ip = a->nips ? a->ips[0] : "";
    int64_t id = 0;
    if (*ip)
        id = query_id(st, "SELECT id FROM asset_observed WHERE ip=?1 ORDER BY id LIMIT 1", ip, NULL,
                      diag);
    if (id == 0 && *a->mac)
        id = query_id(st, "SELECT id FROM asset_observed WHERE mac=?1 ORDER BY id LIMIT 1", a->mac,
                      NULL, diag);
    if (id < 0)
        return (int)id;
    const char *hint = ww_asset_medical_hint(vendor, a->os_guess, a->ports, a->nports, ar);
    sqlite3_stmt *q = NULL;
    int rc;
    /* A later sighting refreshes what it knows and keeps what it does not. */
    const char *sql =
        id ? "UPDATE asset_observed SET ip=CASE WHEN ?1<>'' THEN ?1 ELSE ip END,"
             " mac=CASE WHEN ?2<>'' THEN ?2 ELSE mac END,"
             " hostname=CASE WHEN ?3<>'' THEN ?3 ELSE hostname END,"
             " vendor=CASE WHEN ?4<>'' THEN ?4 ELSE vendor END,"
             " os_guess=CASE WHEN ?5<>'' THEN ?5 ELSE os_guess END, source=?6,"
             " last_seen=?7,"
             " medical_hint=CASE WHEN ?8<>'' THEN ?8 ELSE medical_hint END WHERE id=?9"
           : "INSERT INTO asset_observed(ip,mac,hostname,vendor,os_guess,source,last_seen,"
             "medical_hint,first_seen) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?7)";
    if ((rc = prepare(st, sql, &q, diag)) != 0)
        return rc;
    sqlite3_bind_text(q, 1, ip, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, a->mac, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, a->hostname, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, vendor ? vendor : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, a->os_guess, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 6, ww_asset_source_name(src), -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 7, now);
    sqlite3_bind_text(q, 8, hint, -1, SQLITE_STATIC);
    if (id)
        sqlite3_bind_int64(q, 9, id);
    if (sqlite3_step(q) != SQLITE_DONE)
        rc = fail(st, diag, "write observed device");
    sqlite3_finalize(q);
    q = NULL;
    if (rc)
        return rc;
    if (!id)
        id = sqlite3_last_insert_rowid(st->db);
    if (!(h->mask & WW_AF_BIT(WW_AF_PORTS)))
        return 0;
    if ((rc = prepare(st, "DELETE FROM asset_observed_port WHERE observed=?1", &q, diag)) != 0)
        return rc;
    sqlite3_bind_int64(q, 1, id);
    rc = sqlite3_step(q) == SQLITE_DONE ? 0 : fail(st, diag, "write");
    sqlite3_finalize(q);
    q = NULL;
    if (rc)
        return rc;
    if ((rc = prepare(st,
                      "INSERT INTO asset_observed_port(observed,pos,port,proto,service,product)"
                      " VALUES(?1,?2,?3,?4,?5,?6)",
                      &q, diag)) != 0)
        return rc;
    for (size_t i = 0; i < a->nports && rc == 0; i++) {
        sqlite3_reset(q);
        sqlite3_bind_int64(q, 1, id);
        sqlite3_bind_int64(q, 2, (int64_t)i);
        sqlite3_bind_int(q, 3, a->ports[i].port);
        sqlite3_bind_text(q, 4, a->ports[i].proto, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 5, a->ports[i].service, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 6, a->ports[i].product, -1, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE)
            rc = fail(st, diag, "write");
    }
    sqlite3_finalize(q);
    return rc;
}

/* The registered asset with one of these IPs or this MAC, 0 for none, <0. */
static int64_t match_net(ww_store_t *st, const ww_asset_t *a, ww_diag_t *diag)
{
    for (size_t i = 0; i < a->nips; i++) {
        int64_t id = query_id(st, "SELECT asset FROM asset_ip WHERE ip=?1 ORDER BY asset LIMIT 1",
                              a->ips[i], NULL, diag);
        if (id != 0)
            return id;
    }
    if (*a->mac)
        return query_id(st, "SELECT id FROM asset WHERE mac=?1 ORDER BY id LIMIT 1", a->mac, NULL,
                        diag);
    return 0;
}

int ww__asset_put_host(ww_store_t *st, const ww__rec_t *host, const char *vendor, int64_t now,
                       int *matched, ww_arena_t *ar, ww_diag_t *diag)
{
    int64_t id = match_net(st, &host->a, diag);
    if (id < 0)
        return (int)id;
    if (!id) {
        *matched = 0;
        return observed_upsert(st, host, vendor, host->a.source, now, ar, diag);
    }
    ww_arena_t tmp;
    ww_arena_init(&tmp, 8192, 0);
    ww_asset_t *v = NULL;
    size_t n = 0;
    int rc = load_assets(st, id, &tmp, &v, &n, diag);
    if (rc == 0 && n != 1)
        rc = fail(st, diag, "asset vanished while importing");
    if (rc)
        goto out;
    ww_asset_t cur = v[0];
    /* A scan adds what it saw; it does not overwrite what the register says, except
       for the things only a scan knows (open ports, OS guess). */
    if (host->mask & WW_AF_BIT(WW_AF_PORTS)) {
        cur.ports = host->a.ports;
        cur.nports = host->a.nports;
    }
    if (*host->a.os_guess)
        cur.os_guess = host->a.os_guess;
    if (!*cur.mac && *host->a.mac)
        cur.mac = host->a.mac;
    if (!*cur.hostname && *host->a.hostname)
        cur.hostname = host->a.hostname;
    cur.last_seen = now;
    int64_t newid;
    if ((rc = write_row(st, id, &cur, &newid, diag)) != 0)
        goto out;
    rc = forget_observed(st, &cur, diag);
    *matched = 1;
out:
    ww_arena_release(&tmp);
    return rc;
}

int ww_asset_observe(ww_store_t *st, const char *ip, const char *mac, const char *hostname,
                     ww_asset_source_t source, int64_t when, ww_diag_t *diag)
{
    int rc = ww_asset_migrate(st, diag);
    if (rc)
        return rc;
    ww_arena_t ar;
    ww_arena_init(&ar, 4096, 1 << 20);
    ww__rec_t r;
    ww__rec_init(&r);
    char why[160];
    if (ip && *ip && (rc = ww__rec_add(&r, WW_AF_IP, ip, strlen(ip), &ar, why, sizeof why)) != 0)
        goto bad;
    if (mac && *mac && (rc = ww__rec_set(&r, WW_AF_MAC, mac, strlen(mac), &ar, why, sizeof why)))
        goto bad;
    if (hostname &&
        (rc = ww__rec_set(&r, WW_AF_HOSTNAME, hostname, strlen(hostname), &ar, why, sizeof why)))
        goto bad;
    if (!r.a.nips && !*r.a.mac) {
        snprintf(why, sizeof why, "an observed device needs an IP or a MAC");
        rc = WW_EINVAL;
        goto bad;
    }
    r.a.source = source;
    int matched = 0;
    if (when == WW_ASSET_NOTIME)
        when = (int64_t)time(NULL);
    int64_t id = match_net(st, &r.a, diag);
    if (id < 0) {
        rc = (int)id;
        goto out;
    }
    if (id) {
        sqlite3_stmt *q = NULL;
        if ((rc = prepare(st,
                          "UPDATE asset SET last_seen=max(coalesce(last_seen,?2),?2) WHERE id=?1",
                          &q, diag)) != 0)
            goto out;
        sqlite3_bind_int64(q, 1, id);
        sqlite3_bind_int64(q, 2, when);
        rc = sqlite3_step(q) == SQLITE_DONE ? 1 : fail(st, diag, "write");
        sqlite3_finalize(q);
        goto out;
    }
    rc = observed_upsert(st, &r, "", source, when, &ar, diag);
    (void)matched;
    goto out;
bad:
    ww_diag_set(diag, "", 0, 0, "%s", why);
    if (rc == WW_EPARSE)
        rc = WW_EINVAL;
out:
    ww_arena_release(&ar);
    return rc;
}

int ww_asset_find(ww_store_t *st, const char *key, ww_arena_t *arena, ww_asset_t *out,
                  ww_diag_t *diag)
{
    int rc = ww_asset_migrate(st, diag);
    if (rc)
        return rc;
    int64_t id =
        query_id(st, "SELECT id FROM asset WHERE asset_id=?1 ORDER BY id LIMIT 1", key, NULL, diag);
    if (id == 0)
        id = query_id(st,
                      "SELECT id FROM asset WHERE hostname=?1 COLLATE NOCASE ORDER BY id LIMIT 1",
                      key, NULL, diag);
    if (id == 0)
        id = query_id(st, "SELECT asset FROM asset_ip WHERE ip=?1 ORDER BY asset LIMIT 1", key,
                      NULL, diag);
    if (id == 0) {
        char m[18];
        if (ww__mac_norm(key, strlen(key), m) == 0)
            id = query_id(st, "SELECT id FROM asset WHERE mac=?1 ORDER BY id LIMIT 1", m, NULL,
                          diag);
    }
    if (id <= 0)
        return (int)id;
    ww_asset_t *v = NULL;
    size_t n = 0;
    if ((rc = load_assets(st, id, arena, &v, &n, diag)) != 0)
        return rc;
    if (n != 1)
        return 0;
    *out = v[0];
    return 1;
}
