/* TOTP, logins, sessions, login throttling and API tokens (see ww_auth.h).
 *
 * A login reads the user under the handle's lock, checks the password (Argon2id)
 * and the TOTP code outside it, then records the outcome -- the throttle, the
 * session, the audit row -- in one transaction under the lock.  The caller learns
 * only "ok", "denied" or "throttled"; the reason goes to the audit log. */
#include <arpa/inet.h>
#include <ctype.h>
#include <liboath/oath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/ww_auth_int.h"

#define TOTP_STEP 30
#define TOTP_DIGITS 6
#define SESSIONS_PER_USER 32 /* the oldest live session goes when a login would pass it */

/* ---- TOTP ---- */

static int otp_compare(void *handle, const char *test_otp)
{
    /* liboath hands each candidate in the window; compared in constant time. */
    return sodium_memcmp(handle, test_otp, TOTP_DIGITS) == 0 ? 0 : 1;
}

int ww_totp_check(const uint8_t *secret, size_t len, const char *code, int64_t now,
                  int64_t last_step, int64_t *step)
{
    char digits[TOTP_DIGITS + 1];
    size_t n = 0;
    for (const char *p = code ? code : ""; *p; p++) {
        if (*p == ' ')
            continue;
        if (!isdigit((unsigned char)*p) || n == TOTP_DIGITS)
            return WW_EINVAL;
        digits[n++] = *p;
    }
    if (n != TOTP_DIGITS)
        return WW_EINVAL;
    digits[n] = 0;
    int pos = 0;
    uint64_t counter = 0;
    int r = oath_totp_validate3_callback((const char *)secret, len, (time_t)now, TOTP_STEP, 0,
                                         TOTP_DIGITS, 1, &pos, &counter, otp_compare, digits);
    if (r < 0)
        return 0;
    *step = (int64_t)counter;
    return (int64_t)counter > last_step ? 1 : 0;
}

void ww_totp_uri(const char *name, const uint8_t *secret, size_t len, char *out, size_t outlen)
{
    char *b32 = NULL;
    size_t b32len = 0;
    out[0] = 0;
    if (oath_base32_encode((const char *)secret, len, &b32, &b32len) != OATH_OK)
        return;
    while (b32len && b32[b32len - 1] == '=')
        b32len--;
    /* The label is "issuer:name"; names are a-z 0-9 . _ - @ and only @ needs escaping. */
    char label[3 * WW_AUTH_NAME_MAX + 1];
    size_t o = 0;
    for (const char *p = name; *p && o + 4 < sizeof label; p++) {
        if (*p == '@') {
            memcpy(label + o, "%40", 3);
            o += 3;
        } else
            label[o++] = *p;
    }
    label[o] = 0;
    int w = snprintf(out, outlen, "otpauth://totp/wardwatch:%s?secret=%.*s&issuer=wardwatch", label,
                     (int)b32len, b32);
    if (w < 0 || (size_t)w >= outlen)
        out[0] = 0;
    sodium_memzero(b32, b32len);
    free(b32);
}

int ww__auth_totp_enrol(ww_auth_t *a, int64_t user_id, const char *name, char *uri, size_t urilen,
                        ww_diag_t *diag)
{
    uint8_t secret[WW_TOTP_SECRET_BYTES];
    randombytes_buf(secret, sizeof secret);
    sqlite3_stmt *q = NULL;
    int rc;
    if (sqlite3_prepare_v2(a->st->db,
                           "UPDATE auth_user SET totp_secret=?2, totp_verified=0,"
                           " totp_last_step=0 WHERE id=?1",
                           -1, &q, NULL) != SQLITE_OK)
        rc = ww__auth_db_fail(a, diag, "enrolling TOTP");
    else {
        sqlite3_bind_int64(q, 1, user_id);
        sqlite3_bind_blob(q, 2, secret, sizeof secret, SQLITE_TRANSIENT);
        rc = sqlite3_step(q) == SQLITE_DONE ? 0 : ww__auth_db_fail(a, diag, "enrolling TOTP");
        sqlite3_finalize(q);
    }
    if (rc == 0) {
        ww_totp_uri(name, secret, sizeof secret, uri, urilen);
        if (!uri[0]) {
            ww_diag_set(diag, "", 0, 0, "auth: the TOTP URI does not fit");
            rc = WW_ELIMIT;
        }
    }
    sodium_memzero(secret, sizeof secret);
    return rc;
}

/* ---- throttling: a row per name ("user:NAME") and per address ("addr:IP") ---- */

static void throttle_keys(const char *name, const char *source, char *ku, size_t kulen, char *ka,
                          size_t kalen)
{
    char fold[WW_AUTH_NAME_MAX + 1];
    /* A name longer than any user's is still counted (under its first bytes). */
    snprintf(fold, sizeof fold, "%s", name ? name : "");
    for (char *p = fold; *p; p++)
        *p = (char)ww_lower((unsigned char)*p);
    snprintf(ku, kulen, "user:%s", fold);
    /* An IPv6 client is counted by its /64: one host usually holds a whole /64 and
       could otherwise take a fresh address for every guess.  An IPv4-mapped address
       is the IPv4 address it maps. */
    struct in6_addr a6;
    char text[INET6_ADDRSTRLEN];
    if (source && inet_pton(AF_INET6, source, &a6) == 1) {
        if (IN6_IS_ADDR_V4MAPPED(&a6))
            inet_ntop(AF_INET, &a6.s6_addr[12], text, sizeof text);
        else {
            memset(&a6.s6_addr[8], 0, 8);
            inet_ntop(AF_INET6, &a6, text, sizeof text);
            strncat(text, "/64", sizeof text - strlen(text) - 1);
        }
        snprintf(ka, kalen, "addr:%s", text);
        return;
    }
    snprintf(ka, kalen, "addr:%.*s", WW_AUTH_SOURCE_MAX, source && *source ? source : "unknown");
}

/* Seconds until key may try again (0 when it may now), or WW_EIO. */
static int64_t throttle_wait(ww_auth_t *a, const char *key, int64_t now, ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(a->st->db, "SELECT locked_until FROM auth_throttle WHERE key=?", -1, &q,
                           NULL) != SQLITE_OK)
        return ww__auth_db_fail(a, diag, "reading the login throttle");
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    int64_t wait = 0;
    int step = sqlite3_step(q);
    if (step == SQLITE_ROW && sqlite3_column_int64(q, 0) > now)
        wait = sqlite3_column_int64(q, 0) - now;
    else if (step != SQLITE_ROW && step != SQLITE_DONE)
        wait = ww__auth_db_fail(a, diag, "reading the login throttle");
    sqlite3_finalize(q);
    return wait;
}

/* Counts a failure against key.  Failures are forgotten once throttle_window passes
   without one (counted from the end of the last delay); from the throttle_failures-th on, each
   locks the key for a delay that doubles every time, up to throttle_max_delay.  *locked gets the
   delay begun (0 for none). */
static int throttle_fail(ww_auth_t *a, const char *key, int64_t now, int64_t *locked,
                         ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    int64_t failures = 0, last = 0, until = 0;
    *locked = 0;
    if (sqlite3_prepare_v2(a->st->db,
                           "SELECT failures, window_start, locked_until FROM auth_throttle"
                           " WHERE key=?",
                           -1, &q, NULL) != SQLITE_OK)
        return ww__auth_db_fail(a, diag, "reading the login throttle");
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW) {
        failures = sqlite3_column_int64(q, 0);
        last = sqlite3_column_int64(q, 1);
        until = sqlite3_column_int64(q, 2);
    }
    sqlite3_finalize(q);
    /* Quiet time counts from the last failure or the end of the last delay, whichever
       is later: a delay longer than the window must not wipe the slate. */
    if (until > last)
        last = until;
    until = 0;
    if (now - last >= a->cfg.throttle_window)
        failures = 0;
    failures++;
    if (failures >= (int64_t)a->cfg.throttle_failures) {
        int64_t shift = failures - (int64_t)a->cfg.throttle_failures, d = a->cfg.throttle_delay;
        while (shift-- > 0 && d < a->cfg.throttle_max_delay)
            d *= 2;
        if (d > a->cfg.throttle_max_delay)
            d = a->cfg.throttle_max_delay;
        until = now + d;
        *locked = d;
    }
    int rc = 0;
    if (sqlite3_prepare_v2(a->st->db,
                           "INSERT INTO auth_throttle(key, failures, window_start, locked_until)"
                           " VALUES(?1,?2,?3,?4) ON CONFLICT(key) DO UPDATE SET"
                           " failures=?2, window_start=?3, locked_until=?4",
                           -1, &q, NULL) != SQLITE_OK)
        return ww__auth_db_fail(a, diag, "counting a failed login");
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, failures);
    sqlite3_bind_int64(q, 3, now);
    sqlite3_bind_int64(q, 4, until);
    if (sqlite3_step(q) != SQLITE_DONE)
        rc = ww__auth_db_fail(a, diag, "counting a failed login");
    sqlite3_finalize(q);
    /* Rows of names and addresses that are neither locked nor counting any more go,
       so a flood of made-up names cannot grow the table past one window's worth. */
    if (rc == 0 && sqlite3_prepare_v2(a->st->db,
                                      "DELETE FROM auth_throttle WHERE locked_until <= ?1 - ?2"
                                      " AND window_start <= ?1 - ?2",
                                      -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, now);
        sqlite3_bind_int64(q, 2, a->cfg.throttle_window);
        sqlite3_step(q);
        sqlite3_finalize(q);
    }
    return rc;
}

int ww__auth_throttle_clear(ww_auth_t *a, const char *key, ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(a->st->db, "DELETE FROM auth_throttle WHERE key=?", -1, &q, NULL) !=
        SQLITE_OK)
        return ww__auth_db_fail(a, diag, "clearing the login throttle");
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q) == SQLITE_DONE
                 ? 0
                 : ww__auth_db_fail(a, diag, "clearing the login throttle");
    sqlite3_finalize(q);
    return rc;
}

/* ---- checking credentials ---- */

typedef struct cred {
    bool found;
    int64_t id;
    char name[WW_AUTH_NAME_MAX + 1];
    ww_role_t role;
    bool disabled, must_change;
    uint8_t secret[64];
    size_t secret_len;
    int64_t last_step;
    char hash[crypto_pwhash_STRBYTES];
    /* the outcome */
    const char *reason; /* NULL: accepted */
    bool totp_checked, totp_replay;
    int64_t step;
    bool rehash;
    char newhash[crypto_pwhash_STRBYTES];
} cred_t;

static void cred_wipe(cred_t *c)
{
    sodium_memzero(c, sizeof *c);
}

/* Reads the user (under the lock).  0 (c->found says whether there is one) or WW_EIO. */
static int cred_load(ww_auth_t *a, const char *where, const char *sql_key, int64_t id,
                     const char *fold, cred_t *c, ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT id, name, role, disabled, totp_secret, totp_last_step, pwhash, must_change"
             " FROM auth_user WHERE %s=?",
             sql_key);
    if (sqlite3_prepare_v2(a->st->db, sql, -1, &q, NULL) != SQLITE_OK)
        return ww__auth_db_fail(a, diag, where);
    if (fold)
        sqlite3_bind_text(q, 1, fold, -1, SQLITE_STATIC);
    else
        sqlite3_bind_int64(q, 1, id);
    int step = sqlite3_step(q), rc = 0;
    if (step == SQLITE_ROW) {
        c->found = true;
        c->id = sqlite3_column_int64(q, 0);
        snprintf(c->name, sizeof c->name, "%s", (const char *)sqlite3_column_text(q, 1));
        c->role = (ww_role_t)sqlite3_column_int(q, 2);
        c->disabled = sqlite3_column_int(q, 3) != 0;
        int n = sqlite3_column_bytes(q, 4);
        if (sqlite3_column_type(q, 4) == SQLITE_BLOB && n > 0 && (size_t)n <= sizeof c->secret) {
            memcpy(c->secret, sqlite3_column_blob(q, 4), (size_t)n);
            c->secret_len = (size_t)n;
        }
        c->last_step = sqlite3_column_int64(q, 5);
        snprintf(c->hash, sizeof c->hash, "%s", (const char *)sqlite3_column_text(q, 6));
        c->must_change = sqlite3_column_int(q, 7) != 0;
    } else if (step != SQLITE_DONE)
        rc = ww__auth_db_fail(a, diag, where);
    sqlite3_finalize(q);
    return rc;
}

/* Checks password and TOTP (without the lock: this is the slow part).  Every path
   verifies one Argon2id hash, a real one or the dummy, so that the time taken does
   not tell whether the name exists. */
static void cred_check(ww_auth_t *a, cred_t *c, const char *password, const char *totp, int64_t now)
{
    size_t pwlen = password ? strnlen(password, WW_AUTH_PASSWORD_MAX + 1) : 0;
    if (pwlen > WW_AUTH_PASSWORD_MAX)
        pwlen = WW_AUTH_PASSWORD_MAX + 1; /* verified, and can never match */
    bool pw_ok;
    if (!c->found) {
        pthread_mutex_lock(&a->lock);
        const char *dummy = ww__auth_dummy(a);
        a->stats.dummy_verifies++;
        pthread_mutex_unlock(&a->lock);
        ww__auth_verify(a, dummy, password ? password : "", pwlen);
        c->reason = "unknown user";
        return;
    }
    pw_ok = ww__auth_verify(a, c->hash, password ? password : "", pwlen) == 0 &&
            pwlen <= WW_AUTH_PASSWORD_MAX;
    if (!pw_ok) {
        c->reason = "wrong password";
        return;
    }
    if (c->disabled) {
        c->reason = "account disabled";
        return;
    }
    if (ww_role_needs_totp(c->role) || c->secret_len) {
        if (!c->secret_len) {
            c->reason = "no TOTP enrolled (required for this role)";
            return;
        }
        if (!totp || !*totp) {
            c->reason = "no TOTP code given";
            return;
        }
        int r = ww_totp_check(c->secret, c->secret_len, totp, now, c->last_step, &c->step);
        if (r != 1) {
            c->totp_replay = r == 0 && c->step && c->step <= c->last_step;
            c->reason = c->totp_replay ? "TOTP code already used" : "wrong TOTP code";
            return;
        }
        c->totp_checked = true;
    }
    /* Stored with weaker (or merely different) parameters than today's: upgraded now,
       while the password is at hand. */
    if (crypto_pwhash_str_needs_rehash(c->hash, a->cfg.pwhash_ops, a->cfg.pwhash_mem) != 0 &&
        ww__auth_hash(a, password, pwlen, c->newhash) == 0)
        c->rehash = true;
}

/* Counts a failure against both keys and writes the audit row (lock and transaction
   held). */
static int record_failure(ww_auth_t *a, const char *action, const char *ku, const char *ka,
                          const char *target, const char *source, const char *reason, int64_t now,
                          ww_diag_t *diag)
{
    int64_t lu = 0, la = 0;
    int rc = throttle_fail(a, ku, now, &lu, diag);
    if (rc == 0)
        rc = throttle_fail(a, ka, now, &la, diag);
    char detail[256];
    int64_t l = lu > la ? lu : la;
    if (l)
        snprintf(detail, sizeof detail, "%s; further attempts refused for %lld s (%s)", reason,
                 (long long)l, lu >= la ? "this name" : "this address");
    else
        snprintf(detail, sizeof detail, "%s", reason);
    ww_auth_actor_t by = {target, source};
    if (rc == 0)
        rc = ww__auth_audit_locked(a, &by, action, target, detail, diag);
    return rc;
}

/* Marks the code's step used; false when another login took it first. */
static int take_step(ww_auth_t *a, const cred_t *c, bool *ok, ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    *ok = true;
    if (!c->totp_checked)
        return 0;
    if (sqlite3_prepare_v2(a->st->db,
                           "UPDATE auth_user SET totp_last_step=?2, totp_verified=1"
                           " WHERE id=?1 AND totp_last_step < ?2",
                           -1, &q, NULL) != SQLITE_OK)
        return ww__auth_db_fail(a, diag, "recording a TOTP code");
    sqlite3_bind_int64(q, 1, c->id);
    sqlite3_bind_int64(q, 2, c->step);
    int rc =
        sqlite3_step(q) == SQLITE_DONE ? 0 : ww__auth_db_fail(a, diag, "recording a TOTP code");
    if (rc == 0 && sqlite3_changes(a->st->db) == 0)
        *ok = false;
    sqlite3_finalize(q);
    return rc;
}

static int store_rehash(ww_auth_t *a, const cred_t *c, ww_diag_t *diag)
{
    if (!c->rehash)
        return 0;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(a->st->db, "UPDATE auth_user SET pwhash=?2 WHERE id=?1", -1, &q, NULL) !=
        SQLITE_OK)
        return ww__auth_db_fail(a, diag, "upgrading a password hash");
    sqlite3_bind_int64(q, 1, c->id);
    sqlite3_bind_text(q, 2, c->newhash, -1, SQLITE_STATIC);
    int rc =
        sqlite3_step(q) == SQLITE_DONE ? 0 : ww__auth_db_fail(a, diag, "upgrading a password hash");
    sqlite3_finalize(q);
    if (rc == 0)
        a->stats.rehashed++;
    return rc;
}

/* ---- sessions ---- */

static int session_create(ww_auth_t *a, const cred_t *c, int64_t now, const char *source,
                          char id_out[WW_SESSION_ID_LEN + 1], ww_session_t *sess, ww_diag_t *diag)
{
    char id[WW_SESSION_ID_LEN + 1], csrf[WW_CSRF_LEN + 1];
    uint8_t h[32];
    ww__auth_random_id(id);
    ww__auth_random_id(csrf);
    ww__auth_sha256(id, strlen(id), h);
    sqlite3_stmt *q = NULL;
    int rc = 0;
    /* A cap on live sessions per user: the oldest go first. */
    if (sqlite3_prepare_v2(
            a->st->db,
            "DELETE FROM auth_session WHERE id_hash IN (SELECT id_hash FROM"
            " auth_session WHERE user_id=?1 ORDER BY created DESC LIMIT -1 OFFSET ?2)",
            -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, c->id);
        sqlite3_bind_int(q, 2, SESSIONS_PER_USER - 1);
        sqlite3_step(q);
    }
    sqlite3_finalize(q);
    int64_t reauth = c->totp_checked ? now : 0;
    if (sqlite3_prepare_v2(a->st->db,
                           "INSERT INTO auth_session(id_hash, user_id, csrf, created, last_seen,"
                           " reauth_at, source) VALUES(?,?,?,?,?,?,?)",
                           -1, &q, NULL) != SQLITE_OK)
        return ww__auth_db_fail(a, diag, "creating a session");
    sqlite3_bind_blob(q, 1, h, sizeof h, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, c->id);
    sqlite3_bind_text(q, 3, csrf, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, now);
    sqlite3_bind_int64(q, 5, now);
    sqlite3_bind_int64(q, 6, reauth);
    sqlite3_bind_text(q, 7, source ? source : "", -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE)
        rc = ww__auth_db_fail(a, diag, "creating a session");
    sqlite3_finalize(q);
    if (rc == 0) {
        memcpy(id_out, id, sizeof id);
        memset(sess, 0, sizeof *sess);
        snprintf(sess->user, sizeof sess->user, "%s", c->name);
        sess->role = c->role;
        sess->created = sess->last_seen = now;
        sess->reauth_at = reauth;
        memcpy(sess->csrf, csrf, sizeof csrf);
    }
    sodium_memzero(id, sizeof id);
    return rc;
}

int ww_auth_login(ww_auth_t *a, const ww_login_t *req, ww_login_result_t *result,
                  char id_out[WW_SESSION_ID_LEN + 1], ww_session_t *sess, int64_t *retry_after,
                  ww_diag_t *diag)
{
    char ku[WW_AUTH_NAME_MAX + 8], ka[WW_AUTH_SOURCE_MAX + 8], fold[WW_AUTH_NAME_MAX + 1];
    cred_t c = {0};
    int64_t now = ww__auth_now(a), wait;
    const char *name = req->name ? req->name : "";
    const char *source = req->source && *req->source ? req->source : "unknown";
    *result = WW_LOGIN_DENIED;
    if (retry_after)
        *retry_after = 0;
    throttle_keys(name, source, ku, sizeof ku, ka, sizeof ka);
    pthread_mutex_lock(&a->lock);
    int64_t wu = throttle_wait(a, ku, now, diag),
            wa = wu >= 0 ? throttle_wait(a, ka, now, diag) : 0;
    int rc = wu < 0 ? (int)wu : wa < 0 ? (int)wa : 0;
    if (rc == 0 && (wait = wu > wa ? wu : wa) > 0) {
        a->stats.logins_throttled++;
        *result = WW_LOGIN_THROTTLED;
        if (retry_after)
            *retry_after = wait;
    } else if (rc == 0 && ww__auth_fold_name(name, fold)) {
        rc = cred_load(a, "logging in", "name", 0, fold, &c, diag);
    }
    pthread_mutex_unlock(&a->lock);
    if (rc || *result == WW_LOGIN_THROTTLED)
        goto out;

    cred_check(a, &c, req->password, req->totp, now);

    char target[WW_AUTH_NAME_MAX + 1];
    snprintf(target, sizeof target, "%s", c.found ? c.name : name);
    pthread_mutex_lock(&a->lock);
    bool began;
    if ((rc = ww__auth_begin(a, &began, diag)) != 0)
        goto unlock;
    bool fresh = true;
    if (!c.reason && (rc = take_step(a, &c, &fresh, diag)) == 0 && !fresh)
        c.reason = "TOTP code already used", c.totp_replay = true;
    if (rc == 0 && c.reason) {
        rc = record_failure(a, "login.failure", ku, ka, target, source, c.reason, now, diag);
        a->stats.logins_failed++;
        a->stats.totp_replays += c.totp_replay;
    } else if (rc == 0) {
        rc = store_rehash(a, &c, diag);
        if (rc == 0)
            rc = ww__auth_throttle_clear(a, ku, diag);
        sqlite3_stmt *q = NULL;
        if (rc == 0 &&
            sqlite3_prepare_v2(a->st->db, "UPDATE auth_user SET last_login=?2 WHERE id=?1", -1, &q,
                               NULL) == SQLITE_OK) {
            sqlite3_bind_int64(q, 1, c.id);
            sqlite3_bind_int64(q, 2, now);
            if (sqlite3_step(q) != SQLITE_DONE)
                rc = ww__auth_db_fail(a, diag, "recording a login");
        }
        sqlite3_finalize(q);
        if (rc == 0)
            rc = session_create(a, &c, now, source, id_out, sess, diag);
        if (rc == 0) {
            ww_auth_actor_t by = {c.name, source};
            rc = ww__auth_audit_locked(a, &by, "login.success", c.name,
                                       c.rehash ? "password hash upgraded" : "", diag);
        }
        if (rc == 0)
            sess->must_change = c.must_change;
    }
    rc = ww__auth_end(a, began, rc, diag);
    if (rc == 0 && !c.reason) {
        *result = WW_LOGIN_OK;
        a->stats.logins_ok++;
    }
unlock:
    pthread_mutex_unlock(&a->lock);
out:
    cred_wipe(&c);
    return rc;
}

static bool id_shape_ok(const char *id, size_t want)
{
    if (!id || strlen(id) != want)
        return false;
    for (const char *p = id; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '-' || *p == '_'))
            return false;
    return true;
}

/* Finds a live session (under the lock): 1 with *out and *user_id, 0 when none (an
   expired one is deleted), or WW_EIO. */
static int session_find(ww_auth_t *a, const char *id, bool touch, ww_session_t *out,
                        int64_t *user_id, ww_diag_t *diag)
{
    if (!id_shape_ok(id, WW_SESSION_ID_LEN))
        return 0;
    uint8_t h[32];
    ww__auth_sha256(id, strlen(id), h);
    int64_t now = ww__auth_now(a);
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(a->st->db,
                           "SELECT s.user_id, s.csrf, s.created, s.last_seen, s.reauth_at, u.name,"
                           " u.role, u.disabled, u.must_change FROM auth_session s"
                           " JOIN auth_user u ON u.id = s.user_id WHERE s.id_hash=?",
                           -1, &q, NULL) != SQLITE_OK)
        return ww__auth_db_fail(a, diag, "checking a session");
    sqlite3_bind_blob(q, 1, h, sizeof h, SQLITE_STATIC);
    int step = sqlite3_step(q), rc = 0;
    ww_session_t s = {0};
    bool live = false;
    if (step == SQLITE_ROW) {
        *user_id = sqlite3_column_int64(q, 0);
        snprintf(s.csrf, sizeof s.csrf, "%s", (const char *)sqlite3_column_text(q, 1));
        s.created = sqlite3_column_int64(q, 2);
        s.last_seen = sqlite3_column_int64(q, 3);
        s.reauth_at = sqlite3_column_int64(q, 4);
        snprintf(s.user, sizeof s.user, "%s", (const char *)sqlite3_column_text(q, 5));
        s.role = (ww_role_t)sqlite3_column_int(q, 6);
        bool disabled = sqlite3_column_int(q, 7) != 0;
        s.must_change = sqlite3_column_int(q, 8) != 0;
        live = !disabled && now - s.last_seen < a->cfg.idle_timeout &&
               now - s.created < a->cfg.absolute_timeout;
    } else if (step != SQLITE_DONE)
        rc = ww__auth_db_fail(a, diag, "checking a session");
    sqlite3_finalize(q);
    if (rc || step != SQLITE_ROW)
        return rc;
    const char *sql = live ? "UPDATE auth_session SET last_seen=?2 WHERE id_hash=?1"
                           : "DELETE FROM auth_session WHERE id_hash=?1";
    if ((touch || !live) && sqlite3_prepare_v2(a->st->db, sql, -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_blob(q, 1, h, sizeof h, SQLITE_STATIC);
        if (live)
            sqlite3_bind_int64(q, 2, now);
        if (sqlite3_step(q) != SQLITE_DONE)
            rc = ww__auth_db_fail(a, diag, "checking a session");
        sqlite3_finalize(q);
    }
    if (rc == 0 && live) {
        if (touch)
            s.last_seen = now;
        *out = s;
        return 1;
    }
    return rc;
}

int ww_auth_session_check(ww_auth_t *a, const char *id, ww_session_t *out, ww_diag_t *diag)
{
    int64_t uid;
    pthread_mutex_lock(&a->lock);
    int rc = session_find(a, id, true, out, &uid, diag);
    pthread_mutex_unlock(&a->lock);
    return rc;
}

int ww__auth_end_sessions(ww_auth_t *a, int64_t user_id, ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(a->st->db, "DELETE FROM auth_session WHERE user_id=?", -1, &q, NULL) !=
        SQLITE_OK)
        return ww__auth_db_fail(a, diag, "ending sessions");
    sqlite3_bind_int64(q, 1, user_id);
    int rc = sqlite3_step(q) == SQLITE_DONE ? sqlite3_changes(a->st->db)
                                            : ww__auth_db_fail(a, diag, "ending sessions");
    sqlite3_finalize(q);
    return rc;
}

int ww_auth_logout(ww_auth_t *a, const char *id, bool everywhere, const char *source,
                   ww_diag_t *diag)
{
    ww_session_t s;
    int64_t uid;
    pthread_mutex_lock(&a->lock);
    bool began;
    int rc = ww__auth_begin(a, &began, diag);
    if (rc == 0 && (rc = session_find(a, id, false, &s, &uid, diag)) == 1) {
        if (everywhere)
            rc = ww__auth_end_sessions(a, uid, diag);
        else {
            uint8_t h[32];
            sqlite3_stmt *q = NULL;
            ww__auth_sha256(id, strlen(id), h);
            if (sqlite3_prepare_v2(a->st->db, "DELETE FROM auth_session WHERE id_hash=?", -1, &q,
                                   NULL) != SQLITE_OK)
                rc = ww__auth_db_fail(a, diag, "logging out");
            else {
                sqlite3_bind_blob(q, 1, h, sizeof h, SQLITE_STATIC);
                rc = sqlite3_step(q) == SQLITE_DONE ? sqlite3_changes(a->st->db)
                                                    : ww__auth_db_fail(a, diag, "logging out");
            }
            sqlite3_finalize(q);
        }
        if (rc >= 0) {
            char detail[64];
            snprintf(detail, sizeof detail, "%d session(s) ended%s", rc,
                     everywhere ? " (everywhere)" : "");
            ww_auth_actor_t by = {s.user, source ? source : ""};
            int n = rc;
            rc = ww__auth_audit_locked(a, &by, "logout", s.user, detail, diag);
            if (rc == 0)
                rc = n;
        }
    }
    rc = ww__auth_end(a, began, rc < 0 ? rc : 0, diag) < 0 ? WW_EIO : rc;
    pthread_mutex_unlock(&a->lock);
    return rc;
}

bool ww_auth_csrf_ok(const ww_session_t *s, const char *token)
{
    if (!s || !token || strlen(s->csrf) != WW_CSRF_LEN || strlen(token) != WW_CSRF_LEN)
        return false;
    return sodium_memcmp(s->csrf, token, WW_CSRF_LEN) == 0;
}

bool ww_auth_reauth_fresh(ww_auth_t *a, const ww_session_t *s)
{
    return s->reauth_at > 0 && ww__auth_now(a) - s->reauth_at <= a->cfg.reauth_max_age;
}

int ww_auth_reauth(ww_auth_t *a, const char *id, const char *password, const char *totp,
                   const char *source, ww_login_result_t *result, ww_diag_t *diag)
{
    char ku[WW_AUTH_NAME_MAX + 8], ka[WW_AUTH_SOURCE_MAX + 8];
    cred_t c = {0};
    ww_session_t s;
    int64_t uid, now = ww__auth_now(a);
    *result = WW_LOGIN_DENIED;
    source = source && *source ? source : "unknown";
    pthread_mutex_lock(&a->lock);
    int rc = session_find(a, id, true, &s, &uid, diag);
    if (rc == 1) {
        throttle_keys(s.user, source, ku, sizeof ku, ka, sizeof ka);
        int64_t wu = throttle_wait(a, ku, now, diag), wa = throttle_wait(a, ka, now, diag);
        if (wu < 0 || wa < 0)
            rc = WW_EIO;
        else if (wu || wa) {
            *result = WW_LOGIN_THROTTLED;
            a->stats.logins_throttled++;
        } else if ((rc = cred_load(a, "re-authenticating", "id", uid, NULL, &c, diag)) == 0)
            rc = 1;
    }
    pthread_mutex_unlock(&a->lock);
    if (rc <= 0 || *result == WW_LOGIN_THROTTLED) /* no live session: denied */
        goto out;
    cred_check(a, &c, password, totp, now);
    /* A re-authentication is a TOTP check: without one it proves nothing new. */
    if (!c.reason && !c.totp_checked)
        c.reason = "no TOTP enrolled (re-authentication needs one)";
    pthread_mutex_lock(&a->lock);
    bool began, fresh = true;
    if ((rc = ww__auth_begin(a, &began, diag)) == 0) {
        if (!c.reason && (rc = take_step(a, &c, &fresh, diag)) == 0 && !fresh)
            c.reason = "TOTP code already used", c.totp_replay = true;
        if (rc == 0 && c.reason) {
            rc = record_failure(a, "reauth.failure", ku, ka, s.user, source, c.reason, now, diag);
            a->stats.totp_replays += c.totp_replay;
        } else if (rc == 0) {
            uint8_t h[32];
            sqlite3_stmt *q = NULL;
            ww__auth_sha256(id, strlen(id), h);
            if (sqlite3_prepare_v2(a->st->db,
                                   "UPDATE auth_session SET reauth_at=?2 WHERE id_hash=?1", -1, &q,
                                   NULL) != SQLITE_OK)
                rc = ww__auth_db_fail(a, diag, "stamping a re-authentication");
            else {
                sqlite3_bind_blob(q, 1, h, sizeof h, SQLITE_STATIC);
                sqlite3_bind_int64(q, 2, now);
                if (sqlite3_step(q) != SQLITE_DONE)
                    rc = ww__auth_db_fail(a, diag, "stamping a re-authentication");
            }
            sqlite3_finalize(q);
            if (rc == 0)
                rc = store_rehash(a, &c, diag);
            ww_auth_actor_t by = {s.user, source};
            if (rc == 0)
                rc = ww__auth_audit_locked(a, &by, "reauth.success", s.user, "", diag);
        }
        rc = ww__auth_end(a, began, rc, diag);
        if (rc == 0 && !c.reason)
            *result = WW_LOGIN_OK;
    }
    pthread_mutex_unlock(&a->lock);
out:
    cred_wipe(&c);
    return rc < 0 ? rc : 0;
}

int ww_auth_change_password(ww_auth_t *a, const char *id, const char *old_pw, const char *new_pw,
                            const char *source, char *why, size_t whylen, ww_diag_t *diag)
{
    char ku[WW_AUTH_NAME_MAX + 8], ka[WW_AUTH_SOURCE_MAX + 8], hash[crypto_pwhash_STRBYTES];
    cred_t c = {0};
    ww_session_t s;
    int64_t uid, now = ww__auth_now(a);
    source = source && *source ? source : "unknown";
    why[0] = 0;
    pthread_mutex_lock(&a->lock);
    int rc = session_find(a, id, true, &s, &uid, diag);
    if (rc == 1) {
        throttle_keys(s.user, source, ku, sizeof ku, ka, sizeof ka);
        int64_t wu = throttle_wait(a, ku, now, diag), wa = throttle_wait(a, ka, now, diag);
        if (wu < 0 || wa < 0)
            rc = WW_EIO;
        else if (wu || wa) {
            snprintf(why, whylen, "too many failed attempts: try again in %lld s",
                     (long long)(wu > wa ? wu : wa));
            rc = WW_EINVAL;
        } else
            rc = cred_load(a, "changing a password", "id", uid, NULL, &c, diag);
    } else if (rc == 0) {
        snprintf(why, whylen, "no live session");
        rc = WW_ENOENT;
    }
    pthread_mutex_unlock(&a->lock);
    if (rc < 0)
        goto out;
    size_t oldlen = old_pw ? strnlen(old_pw, WW_AUTH_PASSWORD_MAX + 1) : 0;
    bool old_ok = c.found && oldlen <= WW_AUTH_PASSWORD_MAX &&
                  ww__auth_verify(a, c.hash, old_pw ? old_pw : "", oldlen) == 0;
    if (old_ok && (!new_pw || strcmp(new_pw, old_pw) == 0)) {
        snprintf(why, whylen, new_pw ? "the new password is the old one" : "no new password");
        rc = WW_EINVAL;
        goto out;
    }
    if (old_ok &&
        (rc = ww_auth_password_check(a, c.name, new_pw, strlen(new_pw), why, whylen)) != 0)
        goto out;
    if (old_ok && ww__auth_hash(a, new_pw, strlen(new_pw), hash) != 0) {
        rc = WW_ENOMEM;
        goto out;
    }
    pthread_mutex_lock(&a->lock);
    bool began;
    if ((rc = ww__auth_begin(a, &began, diag)) == 0) {
        if (!old_ok) {
            rc = record_failure(a, "user.password.failure", ku, ka, s.user, source,
                                "wrong current password", now, diag);
            snprintf(why, whylen, "the current password is wrong");
        } else {
            uint8_t h[32];
            sqlite3_stmt *q = NULL;
            ww__auth_sha256(id, strlen(id), h);
            if (sqlite3_prepare_v2(a->st->db,
                                   "UPDATE auth_user SET pwhash=?2, must_change=0, updated=?3"
                                   " WHERE id=?1",
                                   -1, &q, NULL) != SQLITE_OK)
                rc = ww__auth_db_fail(a, diag, "changing a password");
            else {
                sqlite3_bind_int64(q, 1, uid);
                sqlite3_bind_text(q, 2, hash, -1, SQLITE_STATIC);
                sqlite3_bind_int64(q, 3, now);
                if (sqlite3_step(q) != SQLITE_DONE)
                    rc = ww__auth_db_fail(a, diag, "changing a password");
            }
            sqlite3_finalize(q);
            q = NULL;
            /* Everyone else who knew the old password is logged out. */
            int ended = 0;
            if (rc == 0 && sqlite3_prepare_v2(a->st->db,
                                              "DELETE FROM auth_session WHERE user_id=?1"
                                              " AND id_hash <> ?2",
                                              -1, &q, NULL) == SQLITE_OK) {
                sqlite3_bind_int64(q, 1, uid);
                sqlite3_bind_blob(q, 2, h, sizeof h, SQLITE_STATIC);
                if (sqlite3_step(q) != SQLITE_DONE)
                    rc = ww__auth_db_fail(a, diag, "ending other sessions");
                ended = sqlite3_changes(a->st->db);
            }
            sqlite3_finalize(q);
            char detail[64];
            snprintf(detail, sizeof detail, "%d other session(s) ended", ended);
            ww_auth_actor_t by = {s.user, source};
            if (rc == 0)
                rc = ww__auth_audit_locked(a, &by, "user.password", s.user, detail, diag);
        }
        rc = ww__auth_end(a, began, rc, diag);
        if (rc == 0 && !old_ok)
            rc = WW_EINVAL;
    }
    pthread_mutex_unlock(&a->lock);
out:
    sodium_memzero(hash, sizeof hash);
    cred_wipe(&c);
    return rc;
}

int ww_auth_totp_confirm(ww_auth_t *a, const ww_auth_actor_t *by, const char *name,
                         const char *code, ww_diag_t *diag)
{
    char fold[WW_AUTH_NAME_MAX + 1];
    cred_t c = {0};
    if (!name || !ww__auth_fold_name(name, fold)) {
        ww_diag_set(diag, "", 0, 0, "no such user");
        return WW_ENOENT;
    }
    pthread_mutex_lock(&a->lock);
    bool began;
    int rc = ww__auth_begin(a, &began, diag);
    if (rc == 0)
        rc = cred_load(a, "confirming TOTP", "name", 0, fold, &c, diag);
    if (rc == 0 && (!c.found || !c.secret_len)) {
        ww_diag_set(diag, "", 0, 0, c.found ? "%s has no TOTP enrolled" : "no user named %s", fold);
        rc = WW_ENOENT;
    }
    bool ok = false;
    if (rc == 0) {
        int r = ww_totp_check(c.secret, c.secret_len, code, ww__auth_now(a), c.last_step, &c.step);
        c.totp_checked = r == 1;
        if (c.totp_checked && (rc = take_step(a, &c, &ok, diag)) == 0 && ok)
            rc = ww__auth_audit_locked(a, by, "user.totp.confirm", fold, "", diag);
    }
    rc = ww__auth_end(a, began, rc, diag);
    pthread_mutex_unlock(&a->lock);
    cred_wipe(&c);
    return rc < 0 ? rc : ok ? 1 : 0;
}

/* ---- API tokens ---- */

int ww_auth_token_add(ww_auth_t *a, const ww_auth_actor_t *by, const char *name, ww_role_t role,
                      char out[WW_TOKEN_LEN + 1], ww_diag_t *diag)
{
    char why[160], fold[WW_AUTH_NAME_MAX + 1], tok[WW_TOKEN_LEN + 1];
    if (ww_auth_name_check(name, why, sizeof why) != 0) {
        ww_diag_set(diag, "", 0, 0, "token %s", why);
        return WW_EINVAL;
    }
    ww__auth_fold_name(name, fold);
    if (role < WW_ROLE_VIEWER || role > WW_ROLE_RESPONDER) {
        ww_diag_set(diag, "", 0, 0,
                    "a token's role is viewer, analyst or responder (an admin token would be a"
                    " way round the admins' TOTP)");
        return WW_EINVAL;
    }
    memcpy(tok, WW_TOKEN_PREFIX, 3);
    ww__auth_random_id(tok + 3);
    uint8_t h[32];
    ww__auth_sha256(tok, strlen(tok), h);
    pthread_mutex_lock(&a->lock);
    bool began;
    int rc = ww__auth_begin(a, &began, diag);
    sqlite3_stmt *q = NULL;
    if (rc == 0 &&
        sqlite3_prepare_v2(a->st->db,
                           "INSERT INTO auth_token(name, hash, role, created_by, created)"
                           " VALUES(?,?,?,?,?)",
                           -1, &q, NULL) != SQLITE_OK)
        rc = ww__auth_db_fail(a, diag, "adding a token");
    else if (rc == 0) {
        sqlite3_bind_text(q, 1, fold, -1, SQLITE_STATIC);
        sqlite3_bind_blob(q, 2, h, sizeof h, SQLITE_STATIC);
        sqlite3_bind_int(q, 3, (int)role);
        sqlite3_bind_text(q, 4, by && by->name ? by->name : "", -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 5, ww__auth_now(a));
        int step = sqlite3_step(q);
        if (step == SQLITE_CONSTRAINT ||
            (step != SQLITE_DONE &&
             sqlite3_extended_errcode(a->st->db) == SQLITE_CONSTRAINT_UNIQUE)) {
            ww_diag_set(diag, "", 0, 0, "there is already a live token named %s", fold);
            rc = WW_EINVAL;
        } else if (step != SQLITE_DONE)
            rc = ww__auth_db_fail(a, diag, "adding a token");
    }
    sqlite3_finalize(q);
    if (rc == 0) {
        char detail[64];
        snprintf(detail, sizeof detail, "role %s", ww_role_name(role));
        rc = ww__auth_audit_locked(a, by, "token.add", fold, detail, diag);
    }
    rc = ww__auth_end(a, began, rc, diag);
    pthread_mutex_unlock(&a->lock);
    if (rc == 0)
        memcpy(out, tok, sizeof tok);
    sodium_memzero(tok, sizeof tok);
    return rc;
}

int ww_auth_token_revoke(ww_auth_t *a, const ww_auth_actor_t *by, const char *name, ww_diag_t *diag)
{
    char fold[WW_AUTH_NAME_MAX + 1];
    if (!name || !ww__auth_fold_name(name, fold)) {
        ww_diag_set(diag, "", 0, 0, "no live token by that name");
        return WW_ENOENT;
    }
    pthread_mutex_lock(&a->lock);
    bool began;
    int rc = ww__auth_begin(a, &began, diag);
    sqlite3_stmt *q = NULL;
    if (rc == 0 && sqlite3_prepare_v2(
                       a->st->db, "UPDATE auth_token SET revoked=?2 WHERE name=?1 AND revoked=0",
                       -1, &q, NULL) != SQLITE_OK)
        rc = ww__auth_db_fail(a, diag, "revoking a token");
    else if (rc == 0) {
        sqlite3_bind_text(q, 1, fold, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 2, ww__auth_now(a));
        if (sqlite3_step(q) != SQLITE_DONE)
            rc = ww__auth_db_fail(a, diag, "revoking a token");
        else if (sqlite3_changes(a->st->db) == 0) {
            ww_diag_set(diag, "", 0, 0, "no live token named %s", fold);
            rc = WW_ENOENT;
        }
    }
    sqlite3_finalize(q);
    if (rc == 0)
        rc = ww__auth_audit_locked(a, by, "token.revoke", fold, "", diag);
    rc = ww__auth_end(a, began, rc, diag);
    pthread_mutex_unlock(&a->lock);
    return rc;
}

static void token_row(sqlite3_stmt *q, ww_token_t *t)
{
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", (const char *)sqlite3_column_text(q, 0));
    t->role = (ww_role_t)sqlite3_column_int(q, 1);
    snprintf(t->created_by, sizeof t->created_by, "%s", (const char *)sqlite3_column_text(q, 2));
    t->created = sqlite3_column_int64(q, 3);
    t->last_used = sqlite3_column_int64(q, 4);
    t->revoked = sqlite3_column_int64(q, 5);
}

int ww_auth_token_check(ww_auth_t *a, const char *token, ww_token_t *out, ww_diag_t *diag)
{
    if (!token || strncmp(token, WW_TOKEN_PREFIX, 3) != 0 ||
        !id_shape_ok(token + 3, WW_TOKEN_LEN - 3))
        return 0;
    uint8_t h[32];
    ww__auth_sha256(token, strlen(token), h);
    int64_t now = ww__auth_now(a);
    pthread_mutex_lock(&a->lock);
    sqlite3_stmt *q = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(a->st->db,
                           "SELECT name, role, created_by, created, last_used, revoked, id"
                           " FROM auth_token WHERE hash=? AND revoked=0",
                           -1, &q, NULL) != SQLITE_OK)
        rc = ww__auth_db_fail(a, diag, "checking a token");
    else {
        sqlite3_bind_blob(q, 1, h, sizeof h, SQLITE_STATIC);
        int step = sqlite3_step(q);
        if (step == SQLITE_ROW) {
            token_row(q, out);
            int64_t id = sqlite3_column_int64(q, 6);
            rc = 1;
            sqlite3_finalize(q);
            q = NULL;
            if (out->last_used != now &&
                sqlite3_prepare_v2(a->st->db, "UPDATE auth_token SET last_used=?2 WHERE id=?1", -1,
                                   &q, NULL) == SQLITE_OK) {
                sqlite3_bind_int64(q, 1, id);
                sqlite3_bind_int64(q, 2, now);
                if (sqlite3_step(q) != SQLITE_DONE)
                    rc = ww__auth_db_fail(a, diag, "stamping a token's use");
                out->last_used = now;
            }
        } else if (step != SQLITE_DONE)
            rc = ww__auth_db_fail(a, diag, "checking a token");
    }
    sqlite3_finalize(q);
    pthread_mutex_unlock(&a->lock);
    return rc;
}

int ww_auth_token_each(ww_auth_t *a, ww_token_fn fn, void *ud, ww_diag_t *diag)
{
    pthread_mutex_lock(&a->lock);
    sqlite3_stmt *q = NULL;
    ww_token_t *v = NULL;
    size_t n = 0, cap = 0;
    int rc = 0, step;
    if (sqlite3_prepare_v2(a->st->db,
                           "SELECT name, role, created_by, created, last_used, revoked FROM"
                           " auth_token ORDER BY revoked <> 0, name, created",
                           -1, &q, NULL) != SQLITE_OK) {
        rc = ww__auth_db_fail(a, diag, "listing tokens");
        goto unlock;
    }
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            ww_token_t *nv = realloc(v, ncap * sizeof *v);
            if (!nv) {
                rc = WW_ENOMEM;
                goto unlock;
            }
            v = nv, cap = ncap;
        }
        token_row(q, &v[n++]);
    }
    if (step != SQLITE_DONE)
        rc = ww__auth_db_fail(a, diag, "listing tokens");
unlock:
    sqlite3_finalize(q);
    pthread_mutex_unlock(&a->lock);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = fn(ud, &v[i]);
    free(v);
    return rc;
}
