/* The audit log: an append-only table whose every row carries the SHA-256 of the
 * row before it and of itself, so that a row edited, removed or reordered in the
 * SQLite file breaks the chain where it was touched (ww_auth_audit_verify).  Rows
 * cut from the end leave a shorter chain that still holds: the head hash that
 * verify prints is what an admin records elsewhere to catch that too.
 *
 * The hash of row n is SHA-256 over "wardwatch-audit-v1", a NUL, row n-1's hash (32
 * zero bytes for the first row), seq and ts as 8-byte big-endian integers, then
 * actor, action, target, detail and source, each as a 4-byte big-endian length and
 * its bytes (docs/users.md has the same recipe for anyone checking it elsewhere). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/ww_auth_int.h"

static const char domain[] = "wardwatch-audit-v1";

static void put_u64(crypto_hash_sha256_state *s, uint64_t v)
{
    uint8_t b[8];
    for (int i = 7; i >= 0; i--, v >>= 8)
        b[i] = (uint8_t)v;
    crypto_hash_sha256_update(s, b, 8);
}

static void put_text(crypto_hash_sha256_state *s, const char *t, size_t n)
{
    uint8_t b[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
    crypto_hash_sha256_update(s, b, 4);
    crypto_hash_sha256_update(s, (const uint8_t *)t, n);
}

/* The texts of a row, each with its length (they may hold any bytes). */
typedef struct texts {
    const char *p[5];
    size_t n[5];
} texts_t;

static void row_hash(const uint8_t prev[32], int64_t seq, int64_t ts, const texts_t *t,
                     uint8_t out[32])
{
    crypto_hash_sha256_state s;
    crypto_hash_sha256_init(&s);
    crypto_hash_sha256_update(&s, (const uint8_t *)domain, sizeof domain); /* with its NUL */
    crypto_hash_sha256_update(&s, prev, 32);
    put_u64(&s, (uint64_t)seq);
    put_u64(&s, (uint64_t)ts);
    for (int i = 0; i < 5; i++)
        put_text(&s, t->p[i], t->n[i]);
    crypto_hash_sha256_final(&s, out);
}

/* Cuts a text at its cap without splitting a UTF-8 sequence. */
static size_t capped(const char *s, size_t cap)
{
    size_t n = s ? strnlen(s, cap + 1) : 0;
    if (n <= cap)
        return n;
    n = cap;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

int ww__auth_audit_locked(ww_auth_t *a, const ww_auth_actor_t *by, const char *action,
                          const char *target, const char *detail, ww_diag_t *diag)
{
    const char *actor = by && by->name ? by->name : "";
    const char *source = by && by->source ? by->source : "";
    texts_t t = {{actor, action ? action : "", target ? target : "", detail ? detail : "", source},
                 {0}};
    static const size_t caps[5] = {WW_AUTH_NAME_MAX + 16, WW_AUTH_NAME_MAX, WW_AUTH_NAME_MAX * 2,
                                   WW_AUTH_DETAIL_MAX, WW_AUTH_SOURCE_MAX};
    for (int i = 0; i < 5; i++)
        t.n[i] = capped(t.p[i], caps[i]);
    uint8_t prev[32] = {0}, hash[32];
    int64_t seq = 1, now = ww__auth_now(a);
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(a->st->db, "SELECT seq, hash FROM auth_audit ORDER BY seq DESC LIMIT 1",
                           -1, &q, NULL) != SQLITE_OK)
        return ww__auth_db_fail(a, diag, "reading the audit log");
    int step = sqlite3_step(q);
    if (step == SQLITE_ROW) {
        seq = sqlite3_column_int64(q, 0) + 1;
        if (sqlite3_column_bytes(q, 1) == 32)
            memcpy(prev, sqlite3_column_blob(q, 1), 32);
    }
    sqlite3_finalize(q);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return ww__auth_db_fail(a, diag, "reading the audit log");
    row_hash(prev, seq, now, &t, hash);
    if (sqlite3_prepare_v2(a->st->db, "INSERT INTO auth_audit VALUES(?,?,?,?,?,?,?,?,?)", -1, &q,
                           NULL) != SQLITE_OK)
        return ww__auth_db_fail(a, diag, "writing the audit log");
    sqlite3_bind_int64(q, 1, seq);
    sqlite3_bind_int64(q, 2, now);
    for (int i = 0; i < 5; i++)
        sqlite3_bind_text(q, 3 + i, t.p[i], (int)t.n[i], SQLITE_STATIC);
    sqlite3_bind_blob(q, 8, prev, 32, SQLITE_STATIC);
    sqlite3_bind_blob(q, 9, hash, 32, SQLITE_STATIC);
    int rc =
        sqlite3_step(q) == SQLITE_DONE ? 0 : ww__auth_db_fail(a, diag, "writing the audit log");
    sqlite3_finalize(q);
    return rc;
}

int ww_auth_audit_append(ww_auth_t *a, const ww_auth_actor_t *by, const char *action,
                         const char *target, const char *detail, ww_diag_t *diag)
{
    if (!action || !*action) {
        ww_diag_set(diag, "", 0, 0, "auth: an audit row needs an action");
        return WW_EINVAL;
    }
    pthread_mutex_lock(&a->lock);
    bool began;
    int rc = ww__auth_begin(a, &began, diag);
    if (rc == 0)
        rc = ww__auth_audit_locked(a, by, action, target, detail, diag);
    rc = ww__auth_end(a, began, rc, diag);
    pthread_mutex_unlock(&a->lock);
    return rc;
}

/* Walks the rows in order under the lock (rows are streamed: the log may be long,
   so fn must not call back into the handle). */
static int walk(ww_auth_t *a, int (*fn)(void *, const ww_audit_row_t *, const texts_t *), void *ud,
                ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    pthread_mutex_lock(&a->lock);
    int rc = 0, step;
    if (sqlite3_prepare_v2(a->st->db,
                           "SELECT seq, ts, actor, action, target, detail, source, prev, hash"
                           " FROM auth_audit ORDER BY seq",
                           -1, &q, NULL) != SQLITE_OK) {
        rc = ww__auth_db_fail(a, diag, "reading the audit log");
        goto out;
    }
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        ww_audit_row_t r = {0};
        texts_t t;
        r.seq = sqlite3_column_int64(q, 0);
        r.ts = sqlite3_column_int64(q, 1);
        for (int i = 0; i < 5; i++) {
            const char *p = (const char *)sqlite3_column_text(q, 2 + i);
            t.p[i] = p ? p : "";
            t.n[i] = p ? (size_t)sqlite3_column_bytes(q, 2 + i) : 0;
        }
        r.actor = t.p[0], r.action = t.p[1], r.target = t.p[2], r.detail = t.p[3],
        r.source = t.p[4];
        /* A column of the wrong size (an edited file) reads as zeros: it cannot match. */
        if (sqlite3_column_bytes(q, 7) == 32)
            memcpy(r.prev, sqlite3_column_blob(q, 7), 32);
        if (sqlite3_column_bytes(q, 8) == 32)
            memcpy(r.hash, sqlite3_column_blob(q, 8), 32);
        if ((rc = fn(ud, &r, &t)) != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = ww__auth_db_fail(a, diag, "reading the audit log");
out:
    sqlite3_finalize(q);
    pthread_mutex_unlock(&a->lock);
    return rc;
}

typedef struct each_ctx {
    ww_audit_fn fn;
    void *ud;
} each_ctx_t;

static int each_cb(void *ud, const ww_audit_row_t *r, const texts_t *t)
{
    (void)t;
    each_ctx_t *c = ud;
    return c->fn(c->ud, r);
}

int ww_auth_audit_each(ww_auth_t *a, ww_audit_fn fn, void *ud, ww_diag_t *diag)
{
    each_ctx_t c = {fn, ud};
    return walk(a, each_cb, &c, diag);
}

typedef struct verify_ctx {
    uint8_t prev[32];
    int64_t n;
    ww_diag_t *diag;
    const char *path;
} verify_ctx_t;

static int verify_cb(void *ud, const ww_audit_row_t *r, const texts_t *t)
{
    verify_ctx_t *v = ud;
    uint8_t want[32];
    if (r->seq != v->n + 1) {
        ww_diag_set(v->diag, v->path, 0, 0,
                    "audit log: row %lld follows row %lld: rows were removed or renumbered",
                    (long long)r->seq, (long long)v->n);
        return WW_EPARSE;
    }
    if (sodium_memcmp(r->prev, v->prev, 32) != 0) {
        ww_diag_set(v->diag, v->path, 0, 0,
                    "audit log: row %lld does not link to the row before it (changed, or rows"
                    " removed or inserted before it)",
                    (long long)r->seq);
        return WW_EPARSE;
    }
    row_hash(v->prev, r->seq, r->ts, t, want);
    if (sodium_memcmp(want, r->hash, 32) != 0) {
        ww_diag_set(v->diag, v->path, 0, 0,
                    "audit log: row %lld was changed after it was written (its hash does not"
                    " match its content)",
                    (long long)r->seq);
        return WW_EPARSE;
    }
    memcpy(v->prev, r->hash, 32);
    v->n = r->seq;
    return 0;
}

int64_t ww_auth_audit_verify(ww_auth_t *a, char head[2 * WW_AUDIT_HASH_LEN + 1], ww_diag_t *diag)
{
    verify_ctx_t v = {{0}, 0, diag, a->st->path};
    int rc = walk(a, verify_cb, &v, diag);
    if (rc)
        return rc;
    head[0] = 0;
    if (v.n)
        sodium_bin2hex(head, 2 * WW_AUDIT_HASH_LEN + 1, v.prev, 32);
    return v.n;
}

/* ---- export ---- */

static void fmt_ts(int64_t ts, char *out, size_t n)
{
    char full[40];
    ww_time_format(ts * 1000000000, full, sizeof full);
    /* To the second: "2026-12-03T15:04:05Z". */
    snprintf(out, n, "%.19sZ", full);
}

static int csv_cell(ww_buf_t *b, const char *s, bool last)
{
    /* A cell a spreadsheet would run as a formula is prefixed with ' (OWASP's CSV
       injection advice): names in failed logins are whatever a stranger typed. */
    bool formula = s[0] && strchr("=+-@\t\r", s[0]);
    ww_buf_putc(b, '"');
    if (formula)
        ww_buf_putc(b, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            ww_buf_putc(b, '"');
        ww_buf_putc(b, *p);
    }
    ww_buf_putc(b, '"');
    return ww_buf_putc(b, last ? '\n' : ',');
}

int ww_auth_audit_csv_header(ww_buf_t *out)
{
    return ww_buf_puts(out, "seq,time,actor,action,target,detail,source,prev,hash\n");
}

int ww_auth_audit_format(const ww_audit_row_t *r, ww_auth_audit_format_t fmt, ww_buf_t *b)
{
    char when[32], prev[65], hash[65];
    fmt_ts(r->ts, when, sizeof when);
    sodium_bin2hex(prev, sizeof prev, r->prev, 32);
    sodium_bin2hex(hash, sizeof hash, r->hash, 32);
    const char *names[] = {"actor", "action", "target", "detail", "source"};
    const char *vals[] = {r->actor, r->action, r->target, r->detail, r->source};
    if (fmt == WW_AUTH_AUDIT_NDJSON) {
        ww_buf_printf(b, "{\"seq\":%lld,\"time\":\"%s\"", (long long)r->seq, when);
        for (int i = 0; i < 5; i++) {
            ww_buf_printf(b, ",\"%s\":", names[i]);
            ww_buf_json_str(b, vals[i], strlen(vals[i]));
        }
        return ww_buf_printf(b, ",\"prev\":\"%s\",\"hash\":\"%s\"}\n", prev, hash);
    }
    ww_buf_printf(b, "%lld,%s,", (long long)r->seq, when);
    for (int i = 0; i < 5; i++)
        csv_cell(b, vals[i], false);
    return ww_buf_printf(b, "%s,%s\n", prev, hash);
}
