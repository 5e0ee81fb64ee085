/* The auth handle, its tables, roles and what each may do, the password policy and
 * hashing, and the users (see ww_auth.h; the policy in words is docs/users.md). */
#include <ctype.h>
#include <errno.h>
#include <liboath/oath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/ww_auth_int.h"
#include "feeds/ww_feeds.h"

static const char *const migrations[] = {
    "CREATE TABLE auth_user(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
    " display TEXT NOT NULL, role INTEGER NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,"
    " must_change INTEGER NOT NULL DEFAULT 0, pwhash TEXT NOT NULL, totp_secret BLOB,"
    " totp_verified INTEGER NOT NULL DEFAULT 0, totp_last_step INTEGER NOT NULL DEFAULT 0,"
    " created INTEGER NOT NULL, updated INTEGER NOT NULL, last_login INTEGER NOT NULL DEFAULT 0);"
    /* Sessions are found by the SHA-256 of their id: the id itself is never stored. */
    "CREATE TABLE auth_session(id_hash BLOB PRIMARY KEY,"
    " user_id INTEGER NOT NULL REFERENCES auth_user(id) ON DELETE CASCADE,"
    " csrf TEXT NOT NULL, created INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
    " reauth_at INTEGER NOT NULL, source TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX auth_session_by_user ON auth_session(user_id);"
    "CREATE TABLE auth_throttle(key TEXT PRIMARY KEY, failures INTEGER NOT NULL,"
    " window_start INTEGER NOT NULL, locked_until INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE auth_token(id INTEGER PRIMARY KEY, name TEXT NOT NULL, hash BLOB NOT NULL UNIQUE,"
    " role INTEGER NOT NULL, created_by TEXT NOT NULL, created INTEGER NOT NULL,"
    " last_used INTEGER NOT NULL DEFAULT 0, revoked INTEGER NOT NULL DEFAULT 0);"
    /* A revoked token's name may be given to a new one. */
    "CREATE UNIQUE INDEX auth_token_live ON auth_token(name) WHERE revoked = 0;"
    "CREATE TABLE auth_audit(seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, actor TEXT NOT NULL,"
    " action TEXT NOT NULL, target TEXT NOT NULL, detail TEXT NOT NULL, source TEXT NOT NULL,"
    " prev BLOB NOT NULL, hash BLOB NOT NULL);"
    /* Append-only for everyone who goes through SQLite; the hash chain catches those
       who edit the file (or drop these triggers first). */
    "CREATE TRIGGER auth_audit_no_update BEFORE UPDATE ON auth_audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER auth_audit_no_delete BEFORE DELETE ON auth_audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
};

/* ---- roles: one row per action class ---- */

static const struct {
    const char *name;
    ww_role_t min;
    bool reauth;
} actions[WW_ACT_COUNT] = {
    [WW_ACT_VIEW] = {"view", WW_ROLE_VIEWER, false},
    [WW_ACT_TRIAGE] = {"triage", WW_ROLE_ANALYST, false},
    [WW_ACT_INCIDENT] = {"incident", WW_ROLE_ANALYST, false},
    [WW_ACT_FIREBREAK_PLAN] = {"firebreak-plan", WW_ROLE_RESPONDER, false},
    [WW_ACT_FIREBREAK_APPLY] = {"firebreak-apply", WW_ROLE_RESPONDER, true},
    [WW_ACT_USERS] = {"users", WW_ROLE_ADMIN, false},
    [WW_ACT_TOKENS] = {"tokens", WW_ROLE_ADMIN, false},
    [WW_ACT_CONFIG] = {"config", WW_ROLE_ADMIN, false},
    [WW_ACT_AUDIT_LOG] = {"audit-log", WW_ROLE_ADMIN, false},
};

static const char *const role_names[] = {"none", "viewer", "analyst", "responder", "admin"};

const char *ww_role_name(ww_role_t r)
{
    return r >= WW_ROLE_VIEWER && r <= WW_ROLE_ADMIN ? role_names[r] : "none";
}

int ww_role_parse(const char *s, ww_role_t *out)
{
    for (int r = WW_ROLE_VIEWER; s && r <= WW_ROLE_ADMIN; r++)
        if (strcasecmp(s, role_names[r]) == 0) {
            *out = (ww_role_t)r;
            return 0;
        }
    return WW_EINVAL;
}

bool ww_role_may(ww_role_t r, ww_action_t act)
{
    if ((unsigned)act >= WW_ACT_COUNT || r < WW_ROLE_VIEWER || r > WW_ROLE_ADMIN)
        return false;
    return r >= actions[act].min;
}

bool ww_action_needs_reauth(ww_action_t act)
{
    return (unsigned)act < WW_ACT_COUNT && actions[act].reauth;
}

const char *ww_action_name(ww_action_t act)
{
    return (unsigned)act < WW_ACT_COUNT ? actions[act].name : "unknown";
}

bool ww_role_needs_totp(ww_role_t r)
{
    return r >= WW_ROLE_RESPONDER;
}

/* ---- the handle ---- */

void ww_auth_config_default(ww_auth_config_t *c)
{
    *c = (ww_auth_config_t){
        .idle_timeout = 30 * 60,
        .absolute_timeout = 12 * 3600,
        .reauth_max_age = 5 * 60,
        .pwhash_ops = 2,
        .pwhash_mem = 64u << 20,
        .max_hashing = 2,
        .throttle_failures = 5,
        .throttle_window = 15 * 60,
        .throttle_delay = 60,
        .throttle_max_delay = 3600,
    };
}

int64_t ww__auth_now(ww_auth_t *a)
{
    if (a->cfg.clock)
        return a->cfg.clock(a->cfg.clock_ud);
    return (int64_t)time(NULL);
}

int ww__auth_db_fail(ww_auth_t *a, ww_diag_t *diag, const char *what)
{
    ww_diag_set(diag, a->st->path, 0, 0, "auth: %s: %s", what, ww_store_errmsg(a->st));
    return WW_EIO;
}

int ww_auth_open(ww_store_t *st, const ww_auth_config_t *cfg, ww_auth_t **out, ww_diag_t *diag)
{
    ww_auth_config_t c;
    if (cfg)
        c = *cfg;
    else
        ww_auth_config_default(&c);
    if (c.pwhash_mem < WW_AUTH_PWHASH_MEM_MIN || c.pwhash_ops < WW_AUTH_PWHASH_OPS_MIN ||
        c.pwhash_mem > crypto_pwhash_MEMLIMIT_MAX || c.pwhash_ops > 64) {
        ww_diag_set(diag, "", 0, 0,
                    "auth: Argon2id parameters below OWASP's minimum (19 MiB, 2 passes) or"
                    " beyond reason");
        return WW_EINVAL;
    }
    if (c.idle_timeout <= 0 || c.absolute_timeout <= 0 || c.reauth_max_age <= 0 ||
        c.throttle_failures == 0 || c.throttle_window <= 0 || c.throttle_delay <= 0 ||
        c.throttle_max_delay < c.throttle_delay || c.max_hashing == 0) {
        ww_diag_set(diag, "", 0, 0, "auth: timeouts, delays and counts must be positive");
        return WW_EINVAL;
    }
    if (sodium_init() < 0 || oath_init() != OATH_OK) {
        ww_diag_set(diag, "", 0, 0, "auth: the crypto libraries would not start");
        return WW_EIO;
    }
    int rc = ww_store_migrate(st, "auth", migrations, WW_ARRAY_LEN(migrations), diag);
    if (rc)
        return rc;
    ww_auth_t *a = calloc(1, sizeof *a);
    if (!a)
        return WW_ENOMEM;
    a->st = st;
    a->cfg = c;
    if (c.common_passwords && !(a->common_path = strdup(c.common_passwords))) {
        free(a);
        return WW_ENOMEM;
    }
    a->cfg.common_passwords = a->common_path;
    pthread_mutex_init(&a->lock, NULL);
    pthread_mutex_init(&a->hash_lock, NULL);
    pthread_cond_init(&a->hash_cond, NULL);
    ww_arena_init(&a->common_arena, 64 * 1024, 0);
    *out = a;
    return 0;
}

void ww_auth_free(ww_auth_t *a)
{
    if (!a)
        return;
    pthread_mutex_destroy(&a->lock);
    pthread_mutex_destroy(&a->hash_lock);
    pthread_cond_destroy(&a->hash_cond);
    free(a->common);
    ww_arena_release(&a->common_arena);
    free(a->common_path);
    sodium_memzero(a, sizeof *a);
    free(a);
}

void ww_auth_stats(ww_auth_t *a, ww_auth_stats_t *out)
{
    pthread_mutex_lock(&a->lock);
    *out = a->stats;
    pthread_mutex_unlock(&a->lock);
}

int ww__auth_begin(ww_auth_t *a, bool *began, ww_diag_t *diag)
{
    *began = false;
    if (!sqlite3_get_autocommit(a->st->db))
        return 0;
    if (ww_store_exec(a->st, "BEGIN IMMEDIATE", diag) != 0)
        return WW_EIO;
    *began = true;
    return 0;
}

int ww__auth_end(ww_auth_t *a, bool began, int rc, ww_diag_t *diag)
{
    if (!began)
        return rc;
    if (rc == 0 && ww_store_exec(a->st, "COMMIT", diag) == 0)
        return 0;
    ww_store_rollback(a->st);
    return rc ? rc : WW_EIO;
}

/* ---- small helpers ---- */

bool ww__auth_fold_name(const char *name, char *out)
{
    size_t n = strlen(name);
    if (n > WW_AUTH_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)ww_lower((unsigned char)name[i]);
    out[n] = 0;
    return true;
}

void ww__auth_random_id(char out[WW_SESSION_ID_LEN + 1])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, WW_SESSION_ID_LEN + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

void ww__auth_sha256(const char *s, size_t n, uint8_t out[32])
{
    crypto_hash_sha256(out, (const unsigned char *)s, n);
}

int ww_auth_name_check(const char *name, char *why, size_t whylen)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > WW_AUTH_NAME_MAX) {
        snprintf(why, whylen, "a name has 1 to %d characters", WW_AUTH_NAME_MAX);
        return WW_EINVAL;
    }
    if (!isalnum((unsigned char)name[0])) {
        snprintf(why, whylen, "a name starts with a letter or a digit");
        return WW_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (!(ch < 0x80 && (isalnum(ch) || strchr("._-@", ch)))) {
            snprintf(why, whylen,
                     "a name is made of letters a-z, digits and . _ - @ (character %zu is not)",
                     i + 1);
            return WW_EINVAL;
        }
    }
    return 0;
}

/* ---- hashing: at most max_hashing at once, each holding pwhash_mem ---- */

static void hash_slot_take(ww_auth_t *a)
{
    pthread_mutex_lock(&a->hash_lock);
    while (a->hashing >= a->cfg.max_hashing)
        pthread_cond_wait(&a->hash_cond, &a->hash_lock);
    a->hashing++;
    pthread_mutex_unlock(&a->hash_lock);
}

static void hash_slot_give(ww_auth_t *a)
{
    pthread_mutex_lock(&a->hash_lock);
    a->hashing--;
    pthread_cond_signal(&a->hash_cond);
    pthread_mutex_unlock(&a->hash_lock);
}

int ww__auth_hash(ww_auth_t *a, const char *pw, size_t len, char *out)
{
    hash_slot_take(a);
    int rc = crypto_pwhash_str_alg(out, pw, len, a->cfg.pwhash_ops, a->cfg.pwhash_mem,
                                   crypto_pwhash_ALG_ARGON2ID13);
    hash_slot_give(a);
    return rc == 0 ? 0 : WW_ENOMEM;
}

int ww__auth_verify(ww_auth_t *a, const char *hash, const char *pw, size_t len)
{
    hash_slot_take(a);
    int rc = crypto_pwhash_str_verify(hash, pw, len);
    hash_slot_give(a);
    return rc == 0 ? 0 : -1;
}

const char *ww__auth_dummy(ww_auth_t *a)
{
    if (!a->dummy_hash[0]) {
        /* A hash of a random password at the current parameters: verifying a guess
           against it costs what verifying against a real user's hash costs. */
        char pw[WW_SESSION_ID_LEN + 1];
        ww__auth_random_id(pw);
        if (crypto_pwhash_str_alg(a->dummy_hash, pw, strlen(pw), a->cfg.pwhash_ops,
                                  a->cfg.pwhash_mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
            a->dummy_hash[0] = 0;
        sodium_memzero(pw, sizeof pw);
    }
    return a->dummy_hash;
}

/* ---- the password policy ---- */

#define COMMON_MAX_ENTRIES 200000
#define COMMON_MAX_BYTES (8u << 20)

static uint64_t hash_bytes(const char *p, size_t n)
{
    return ww_hash_ci(p, n);
}

static bool common_has(const ww_auth_t *a, const char *p, size_t n)
{
    if (!n || !a->common)
        return false;
    for (size_t i = hash_bytes(p, n) & a->common_mask;; i = (i + 1) & a->common_mask) {
        const char *k = a->common[i];
        if (!k)
            return false;
        if (strlen(k) == n && memcmp(k, p, n) == 0)
            return true;
    }
}

/* Loads the list once: one password a line, '#' comments, compared lower-cased. */
static int common_load(ww_auth_t *a, char *why, size_t whylen)
{
    if (a->common_loaded)
        return 0;
    char path[PATH_MAX + 64];
    if (a->common_path)
        snprintf(path, sizeof path, "%s", a->common_path);
    else
        snprintf(path, sizeof path, "%s/passwords/common.txt", ww_feeds_default_dir());
    char *text = NULL;
    size_t len = 0;
    int rc = ww_read_file(path, COMMON_MAX_BYTES, &text, &len);
    if (rc) {
        snprintf(why, whylen, "cannot read the list of common passwords %s: %s", path,
                 rc == WW_EIO || rc == WW_ENOENT ? strerror(errno) : ww_strerror(rc));
        return rc == WW_ENOENT ? WW_ENOENT : WW_EIO;
    }
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    if (lines > COMMON_MAX_ENTRIES)
        lines = COMMON_MAX_ENTRIES;
    size_t cap = 64;
    while (cap < lines * 2)
        cap *= 2;
    a->common = calloc(cap, sizeof *a->common);
    if (!a->common) {
        free(text);
        return WW_ENOMEM;
    }
    a->common_mask = cap - 1;
    size_t kept = 0;
    for (char *p = text, *end = text + len; p < end && kept < COMMON_MAX_ENTRIES;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n && p[n - 1] == '\r')
            n--;
        if (n && p[0] != '#' && !common_has(a, p, n)) {
            char *k = ww_arena_strndup(&a->common_arena, p, n);
            if (!k) {
                free(text);
                return WW_ENOMEM;
            }
            for (size_t i = 0; i < n; i++)
                k[i] = (char)ww_lower((unsigned char)k[i]);
            size_t i = hash_bytes(k, n) & a->common_mask;
            while (a->common[i])
                i = (i + 1) & a->common_mask;
            a->common[i] = k;
            kept++;
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    free(text);
    a->common_loaded = true;
    return 0;
}

static bool utf8_valid(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        size_t k;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            k = 1, cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 2, cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 3, cp = c & 0x07;
        } else {
            return false;
        }
        if (i + k >= n) /* its continuation bytes are s[i+1..i+k] */
            return false;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + j] & 0x3F);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += k + 1;
    }
    return true;
}

/* Where a key sits on a UK/US keyboard: row and column (rows shifted as keys are). */
static bool key_pos(unsigned char c, int *row, int *col)
{
    static const char *const rows[] = {"1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"};
    for (int r = 0; r < 4; r++) {
        const char *hit = strchr(rows[r], c);
        if (c && hit) {
            *row = r;
            *col = (int)(hit - rows[r]) * 2 + r; /* half-key stagger per row */
            return true;
        }
    }
    return false;
}

/* Neighbours on the keyboard, or in the alphabet or digits (either way, 9-0 wrapping). */
static bool adjacent(unsigned char x, unsigned char y)
{
    if ((isalpha(x) && isalpha(y)) || (isdigit(x) && isdigit(y))) {
        int d = x - y;
        if (d == 1 || d == -1 || (isdigit(x) && (d == 9 || d == -9)))
            return true;
    }
    int r1, c1, r2, c2;
    if (!key_pos(x, &r1, &c1) || !key_pos(y, &r2, &c2))
        return false;
    int dr = r1 - r2, dc = c1 - c2;
    return (dr == 0 && (dc == 2 || dc == -2)) || ((dr == 1 || dr == -1) && dc >= -2 && dc <= 2);
}

/* Undoes the usual look-alike swaps (p@ssw0rd -> password). */
static void unleet(char *s, size_t n)
{
    static const char from[] = "@4310$5!7+", to[] = "aaeiossitt";
    for (size_t i = 0; i < n; i++) {
        const char *hit = s[i] ? strchr(from, s[i]) : NULL;
        if (hit)
            s[i] = to[hit - from];
    }
}

/* The part of s between leading and trailing ASCII digits, symbols and spaces. */
static void strip_ends(const char *s, size_t n, size_t *off, size_t *len)
{
    size_t b = 0, e = n;
    while (b < e && (unsigned char)s[b] < 0x80 && !isalpha((unsigned char)s[b]))
        b++;
    while (e > b && (unsigned char)s[e - 1] < 0x80 && !isalpha((unsigned char)s[e - 1]))
        e--;
    *off = b;
    *len = e - b;
}

static bool is_weak_word(ww_auth_t *a, const char *fold_name, const char *w, size_t n)
{
    if (!n)
        return false;
    if (common_has(a, w, n))
        return true;
    if (fold_name && fold_name[0] && strlen(fold_name) == n && memcmp(fold_name, w, n) == 0)
        return true;
    return n == 9 && memcmp(w, "wardwatch", 9) == 0;
}

int ww_auth_password_check(ww_auth_t *a, const char *name, const char *pw, size_t len, char *why,
                           size_t whylen)
{
    if (len < WW_AUTH_PASSWORD_MIN) {
        snprintf(why, whylen, "a password has at least %d characters (bytes); this has %zu",
                 WW_AUTH_PASSWORD_MIN, len);
        return WW_EINVAL;
    }
    if (len > WW_AUTH_PASSWORD_MAX) {
        snprintf(why, whylen, "a password has at most %d bytes", WW_AUTH_PASSWORD_MAX);
        return WW_EINVAL;
    }
    if (memchr(pw, 0, len) || !utf8_valid((const unsigned char *)pw, len)) {
        snprintf(why, whylen, "a password is text (UTF-8) without NUL bytes");
        return WW_EINVAL;
    }
    pthread_mutex_lock(&a->lock);
    int rc = common_load(a, why, whylen);
    pthread_mutex_unlock(&a->lock);
    if (rc)
        return rc;
    char low[WW_AUTH_PASSWORD_MAX + 1], fold[WW_AUTH_NAME_MAX + 1] = "";
    for (size_t i = 0; i < len; i++)
        low[i] = (char)ww_lower((unsigned char)pw[i]);
    low[len] = 0;
    if (name && !ww__auth_fold_name(name, fold))
        fold[0] = 0;
    rc = WW_EINVAL;
    /* The common list, as typed and with digits or symbols around a common word. */
    size_t off, n;
    strip_ends(low, len, &off, &n);
    char core[WW_AUTH_PASSWORD_MAX + 1];
    memcpy(core, low + off, n);
    core[n] = 0;
    if (is_weak_word(a, fold, low, len) || is_weak_word(a, fold, core, n)) {
        snprintf(why, whylen,
                 "this password (or its word) is one of the most common passwords,"
                 " or the user's name");
        goto out;
    }
    /* Look-alikes swapped back in the whole and in the word (not in the digits and
       symbols around it, which are no letters: "2024!" must stay stripped). */
    unleet(low, len);
    unleet(core, n);
    size_t off2, n2;
    strip_ends(core, n, &off2, &n2);
    if (is_weak_word(a, fold, low, len) || is_weak_word(a, fold, core, n) ||
        is_weak_word(a, fold, core + off2, n2)) {
        snprintf(why, whylen,
                 "this password is a common password with letters swapped for"
                 " look-alike digits or symbols");
        goto out;
    }
    /* A shorter part repeated (in any case: "abcABCabcABC"): only as strong as that
       part. */
    for (size_t i = 0; i < len; i++)
        low[i] = (char)ww_lower((unsigned char)pw[i]);
    for (size_t p = 1; p <= len / 2; p++) {
        if (len % p)
            continue;
        if (memcmp(low, low + p, len - p) == 0) {
            snprintf(why, whylen, "this password repeats a part of %zu bytes", p);
            goto out;
        }
    }
    /* A keyboard, alphabet or digit run, allowing two breaks ("qwertyuiop12"). */
    size_t runs = 0;
    for (size_t i = 1; i < len; i++)
        runs += adjacent((unsigned char)ww_lower((unsigned char)pw[i - 1]),
                         (unsigned char)ww_lower((unsigned char)pw[i]));
    if (runs + 2 >= len - 1) {
        snprintf(why, whylen, "this password is a run of neighbouring keys, letters or digits");
        goto out;
    }
    rc = 0;
out:
    sodium_memzero(low, sizeof low);
    sodium_memzero(core, sizeof core);
    return rc;
}

/* ---- users ---- */

void ww_auth_secrets_wipe(ww_auth_secrets_t *s)
{
    if (s)
        sodium_memzero(s, sizeof *s);
}

/* A one-time password: 20 characters of an alphabet without look-alikes, in groups
   of five (about 100 bits). */
static void one_time_password(char *out, size_t outlen)
{
    static const char alpha[] = "abcdefghjkmnpqrstuvwxyz23456789"; /* 31, no l 1 o 0 i */
    size_t o = 0;
    for (int i = 0; i < 20 && o + 2 < outlen; i++) {
        if (i && i % 5 == 0)
            out[o++] = '-';
        out[o++] = alpha[randombytes_uniform(sizeof alpha - 1)];
    }
    out[o] = 0;
}

static bool display_ok(const char *d)
{
    size_t n = strlen(d);
    if (n > WW_AUTH_DISPLAY_MAX || !utf8_valid((const unsigned char *)d, n))
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)d[i] < 0x20 || d[i] == 0x7f)
            return false;
    return true;
}

static int user_id(ww_auth_t *a, const char *fold, int64_t *id, ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(a->st->db, "SELECT id FROM auth_user WHERE name=?", -1, &q, NULL) !=
        SQLITE_OK)
        return ww__auth_db_fail(a, diag, "finding a user");
    sqlite3_bind_text(q, 1, fold, -1, SQLITE_STATIC);
    int step = sqlite3_step(q), rc;
    if (step == SQLITE_ROW) {
        *id = sqlite3_column_int64(q, 0);
        rc = 1;
    } else {
        rc = step == SQLITE_DONE ? 0 : ww__auth_db_fail(a, diag, "finding a user");
    }
    sqlite3_finalize(q);
    return rc;
}

/* The secret (with its pw) for add and reset: the given password checked against the
   policy, else a new one-time password. */
static int choose_password(ww_auth_t *a, const char *fold, const char *password,
                           ww_auth_secrets_t *out, char *hash, ww_diag_t *diag)
{
    const char *pw = password;
    if (!pw) {
        one_time_password(out->password, sizeof out->password);
        pw = out->password;
    } else {
        char why[200];
        int rc = ww_auth_password_check(a, fold, pw, strlen(pw), why, sizeof why);
        if (rc) {
            ww_diag_set(diag, "", 0, 0, "%s", why);
            return rc;
        }
    }
    if (ww__auth_hash(a, pw, strlen(pw), hash) != 0) {
        ww_diag_set(diag, "", 0, 0, "auth: out of memory hashing the password");
        return WW_ENOMEM;
    }
    return 0;
}

int ww_auth_user_add(ww_auth_t *a, const ww_auth_actor_t *by, const char *name, ww_role_t role,
                     const char *display, const char *password, bool with_totp,
                     ww_auth_secrets_t *out, ww_diag_t *diag)
{
    char why[160], fold[WW_AUTH_NAME_MAX + 1], hash[crypto_pwhash_STRBYTES];
    memset(out, 0, sizeof *out);
    if (ww_auth_name_check(name, why, sizeof why) != 0) {
        ww_diag_set(diag, "", 0, 0, "%s", why);
        return WW_EINVAL;
    }
    ww__auth_fold_name(name, fold);
    if (role < WW_ROLE_VIEWER || role > WW_ROLE_ADMIN) {
        ww_diag_set(diag, "", 0, 0, "a role is viewer, analyst, responder or admin");
        return WW_EINVAL;
    }
    if (!display)
        display = "";
    if (!display_ok(display)) {
        ww_diag_set(diag, "", 0, 0,
                    "a display name is UTF-8 text of at most %d bytes without control"
                    " characters",
                    WW_AUTH_DISPLAY_MAX);
        return WW_EINVAL;
    }
    int rc = choose_password(a, fold, password, out, hash, diag);
    if (rc)
        goto fail;
    pthread_mutex_lock(&a->lock);
    bool began;
    int64_t id, now = ww__auth_now(a);
    if ((rc = ww__auth_begin(a, &began, diag)) != 0)
        goto unlock;
    rc = user_id(a, fold, &id, diag);
    if (rc == 1) {
        ww_diag_set(diag, "", 0, 0, "there is already a user named %s", fold);
        rc = WW_EINVAL;
    }
    if (rc == 0) {
        sqlite3_stmt *q = NULL;
        if (sqlite3_prepare_v2(a->st->db,
                               "INSERT INTO auth_user(name, display, role, must_change, pwhash,"
                               " created, updated) VALUES(?,?,?,?,?,?,?)",
                               -1, &q, NULL) != SQLITE_OK)
            rc = ww__auth_db_fail(a, diag, "adding a user");
        else {
            sqlite3_bind_text(q, 1, fold, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 2, display, -1, SQLITE_STATIC);
            sqlite3_bind_int(q, 3, (int)role);
            sqlite3_bind_int(q, 4, password ? 0 : 1);
            sqlite3_bind_text(q, 5, hash, -1, SQLITE_STATIC);
            sqlite3_bind_int64(q, 6, now);
            sqlite3_bind_int64(q, 7, now);
            rc = sqlite3_step(q) == SQLITE_DONE ? 0 : ww__auth_db_fail(a, diag, "adding a user");
            id = sqlite3_last_insert_rowid(a->st->db);
            sqlite3_finalize(q);
        }
    }
    if (rc == 0 && (with_totp || ww_role_needs_totp(role)))
        rc = ww__auth_totp_enrol(a, id, fold, out->totp_uri, sizeof out->totp_uri, diag);
    if (rc == 0) {
        char detail[200];
        snprintf(detail, sizeof detail, "role %s%s%s", ww_role_name(role),
                 out->totp_uri[0] ? ", TOTP enrolled" : "", password ? "" : ", one-time password");
        rc = ww__auth_audit_locked(a, by, "user.add", fold, detail, diag);
    }
    rc = ww__auth_end(a, began, rc, diag);
unlock:
    pthread_mutex_unlock(&a->lock);
fail:
    sodium_memzero(hash, sizeof hash);
    if (rc)
        ww_auth_secrets_wipe(out);
    return rc;
}

/* Runs an UPDATE on one user by folded name; 0, WW_ENOENT or WW_EIO. */
static int update_user(ww_auth_t *a, const char *sql, const char *fold, int64_t v, ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(a->st->db, sql, -1, &q, NULL) != SQLITE_OK)
        return ww__auth_db_fail(a, diag, "changing a user");
    sqlite3_bind_text(q, 1, fold, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, v);
    sqlite3_bind_int64(q, 3, ww__auth_now(a));
    int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : ww__auth_db_fail(a, diag, "changing a user");
    if (rc == 0 && sqlite3_changes(a->st->db) == 0) {
        ww_diag_set(diag, "", 0, 0, "no user named %s", fold);
        rc = WW_ENOENT;
    }
    sqlite3_finalize(q);
    return rc;
}

static int fold_or_fail(const char *name, char *fold, ww_diag_t *diag)
{
    if (!name || !ww__auth_fold_name(name, fold)) {
        ww_diag_set(diag, "", 0, 0, "no user by that name (names have at most %d bytes)",
                    WW_AUTH_NAME_MAX);
        return WW_ENOENT;
    }
    return 0;
}

int ww_auth_user_set_disabled(ww_auth_t *a, const ww_auth_actor_t *by, const char *name,
                              bool disabled, ww_diag_t *diag)
{
    char fold[WW_AUTH_NAME_MAX + 1];
    int rc = fold_or_fail(name, fold, diag);
    if (rc)
        return rc;
    pthread_mutex_lock(&a->lock);
    bool began;
    int64_t id = 0;
    if ((rc = ww__auth_begin(a, &began, diag)) != 0)
        goto unlock;
    rc = update_user(a, "UPDATE auth_user SET disabled=?2, updated=?3 WHERE name=?1", fold,
                     disabled, diag);
    int ended = 0;
    if (rc == 0 && disabled && user_id(a, fold, &id, diag) == 1)
        rc = ended = ww__auth_end_sessions(a, id, diag);
    if (rc >= 0) {
        char detail[64];
        if (disabled)
            snprintf(detail, sizeof detail, "%d session(s) ended", ended);
        else
            detail[0] = 0;
        rc = ww__auth_audit_locked(a, by, disabled ? "user.disable" : "user.enable", fold, detail,
                                   diag);
    }
    rc = ww__auth_end(a, began, rc, diag);
unlock:
    pthread_mutex_unlock(&a->lock);
    return rc;
}

int ww_auth_user_set_role(ww_auth_t *a, const ww_auth_actor_t *by, const char *name, ww_role_t role,
                          ww_diag_t *diag)
{
    char fold[WW_AUTH_NAME_MAX + 1];
    int rc = fold_or_fail(name, fold, diag);
    if (rc)
        return rc;
    if (role < WW_ROLE_VIEWER || role > WW_ROLE_ADMIN) {
        ww_diag_set(diag, "", 0, 0, "a role is viewer, analyst, responder or admin");
        return WW_EINVAL;
    }
    pthread_mutex_lock(&a->lock);
    bool began;
    if ((rc = ww__auth_begin(a, &began, diag)) != 0)
        goto unlock;
    rc = update_user(a, "UPDATE auth_user SET role=?2, updated=?3 WHERE name=?1", fold, role, diag);
    if (rc == 0) {
        char detail[64];
        snprintf(detail, sizeof detail, "role %s", ww_role_name(role));
        rc = ww__auth_audit_locked(a, by, "user.role", fold, detail, diag);
    }
    rc = ww__auth_end(a, began, rc, diag);
unlock:
    pthread_mutex_unlock(&a->lock);
    return rc;
}

int ww_auth_user_reset(ww_auth_t *a, const ww_auth_actor_t *by, const char *name,
                       const char *password, bool new_totp, ww_auth_secrets_t *out, ww_diag_t *diag)
{
    char fold[WW_AUTH_NAME_MAX + 1], hash[crypto_pwhash_STRBYTES];
    memset(out, 0, sizeof *out);
    int rc = fold_or_fail(name, fold, diag);
    if (rc)
        return rc;
    ww_user_t u;
    if ((rc = ww_auth_user_get(a, fold, &u, diag)) <= 0) {
        if (rc == 0)
            ww_diag_set(diag, "", 0, 0, "no user named %s", fold);
        return rc == 0 ? WW_ENOENT : rc;
    }
    if ((rc = choose_password(a, fold, password, out, hash, diag)) != 0)
        goto fail;
    pthread_mutex_lock(&a->lock);
    bool began;
    if ((rc = ww__auth_begin(a, &began, diag)) != 0)
        goto unlock;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(a->st->db,
                           "UPDATE auth_user SET pwhash=?2, must_change=1, updated=?3 WHERE id=?1",
                           -1, &q, NULL) != SQLITE_OK)
        rc = ww__auth_db_fail(a, diag, "resetting a user");
    else {
        sqlite3_bind_int64(q, 1, u.id);
        sqlite3_bind_text(q, 2, hash, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 3, ww__auth_now(a));
        rc = sqlite3_step(q) == SQLITE_DONE ? 0 : ww__auth_db_fail(a, diag, "resetting a user");
        sqlite3_finalize(q);
    }
    /* A reset is what an admin does for someone who lost their password (or whose
       account is in doubt): everything that proved the old one ends. */
    int ended = 0;
    if (rc == 0)
        rc = ended = ww__auth_end_sessions(a, u.id, diag);
    char key[WW_AUTH_NAME_MAX + 8];
    snprintf(key, sizeof key, "user:%s", fold);
    if (rc >= 0)
        rc = ww__auth_throttle_clear(a, key, diag);
    if (rc == 0 && new_totp)
        rc = ww__auth_totp_enrol(a, u.id, fold, out->totp_uri, sizeof out->totp_uri, diag);
    if (rc == 0) {
        char detail[160];
        snprintf(detail, sizeof detail, "%s, must change at next login%s; %d session(s) ended",
                 password ? "password set" : "one-time password", new_totp ? ", new TOTP" : "",
                 ended);
        rc = ww__auth_audit_locked(a, by, "user.reset", fold, detail, diag);
    }
    rc = ww__auth_end(a, began, rc, diag);
unlock:
    pthread_mutex_unlock(&a->lock);
fail:
    sodium_memzero(hash, sizeof hash);
    if (rc)
        ww_auth_secrets_wipe(out);
    return rc;
}

#define USER_COLS                                                                             \
    "id, name, display, role, disabled, must_change, totp_secret IS NOT NULL, totp_verified," \
    " created, updated, last_login"

static void user_row(sqlite3_stmt *q, ww_user_t *u)
{
    memset(u, 0, sizeof *u);
    u->id = sqlite3_column_int64(q, 0);
    snprintf(u->name, sizeof u->name, "%s", (const char *)sqlite3_column_text(q, 1));
    snprintf(u->display, sizeof u->display, "%s", (const char *)sqlite3_column_text(q, 2));
    u->role = (ww_role_t)sqlite3_column_int(q, 3);
    u->disabled = sqlite3_column_int(q, 4) != 0;
    u->must_change = sqlite3_column_int(q, 5) != 0;
    u->totp_enrolled = sqlite3_column_int(q, 6) != 0;
    u->totp_verified = u->totp_enrolled && sqlite3_column_int(q, 7) != 0;
    u->created = sqlite3_column_int64(q, 8);
    u->updated = sqlite3_column_int64(q, 9);
    u->last_login = sqlite3_column_int64(q, 10);
}

int ww_auth_user_get(ww_auth_t *a, const char *name, ww_user_t *out, ww_diag_t *diag)
{
    char fold[WW_AUTH_NAME_MAX + 1];
    if (!name || !ww__auth_fold_name(name, fold))
        return 0;
    pthread_mutex_lock(&a->lock);
    sqlite3_stmt *q = NULL;
    int rc;
    if (sqlite3_prepare_v2(a->st->db, "SELECT " USER_COLS " FROM auth_user WHERE name=?", -1, &q,
                           NULL) != SQLITE_OK)
        rc = ww__auth_db_fail(a, diag, "reading a user");
    else {
        sqlite3_bind_text(q, 1, fold, -1, SQLITE_STATIC);
        int step = sqlite3_step(q);
        if (step == SQLITE_ROW) {
            user_row(q, out);
            rc = 1;
        } else
            rc = step == SQLITE_DONE ? 0 : ww__auth_db_fail(a, diag, "reading a user");
    }
    sqlite3_finalize(q);
    pthread_mutex_unlock(&a->lock);
    return rc;
}

int ww_auth_user_each(ww_auth_t *a, ww_user_fn fn, void *ud, ww_diag_t *diag)
{
    /* Read all rows first, then call back without the lock, so that fn may call in. */
    pthread_mutex_lock(&a->lock);
    sqlite3_stmt *q = NULL;
    ww_user_t *v = NULL;
    size_t n = 0, cap = 0;
    int rc = 0, step;
    if (sqlite3_prepare_v2(a->st->db, "SELECT " USER_COLS " FROM auth_user ORDER BY name", -1, &q,
                           NULL) != SQLITE_OK) {
        rc = ww__auth_db_fail(a, diag, "listing users");
        goto unlock;
    }
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            ww_user_t *nv = realloc(v, ncap * sizeof *v);
            if (!nv) {
                rc = WW_ENOMEM;
                goto unlock;
            }
            v = nv, cap = ncap;
        }
        user_row(q, &v[n++]);
    }
    if (step != SQLITE_DONE)
        rc = ww__auth_db_fail(a, diag, "listing users");
unlock:
    sqlite3_finalize(q);
    pthread_mutex_unlock(&a->lock);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = fn(ud, &v[i]);
    free(v);
    return rc;
}
