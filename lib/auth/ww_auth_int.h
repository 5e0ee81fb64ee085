/* lib/auth's private state and the helpers its files share (ww_auth.c: handle,
 * roles, users, password policy; ww_auth_session.c: TOTP, logins, sessions,
 * throttling, tokens; ww_auth_audit.c: the chained audit log). */
#ifndef WW_AUTH_INT_H
#define WW_AUTH_INT_H

#include <pthread.h>
#include <sodium.h>

#include "auth/ww_auth.h"

struct ww_auth {
    ww_store_t *st;
    ww_auth_config_t cfg;
    char *common_path;         /* cfg.common_passwords, owned */
    pthread_mutex_t lock;      /* the store, the stats and the lazily made parts below */
    pthread_mutex_t hash_lock; /* with hash_cond: at most cfg.max_hashing hashes at once */
    pthread_cond_t hash_cond;
    unsigned hashing;
    /* The common passwords, lower-cased, in an open-addressed set (loaded on first use). */
    char **common;
    size_t common_mask;
    ww_arena_t common_arena;
    bool common_loaded;
    char dummy_hash[crypto_pwhash_STRBYTES]; /* for names that do not exist ("" until made) */
    ww_auth_stats_t stats;
};

int64_t ww__auth_now(ww_auth_t *a);
/* "auth: what: SQLite's message" into diag; returns WW_EIO. */
int ww__auth_db_fail(ww_auth_t *a, ww_diag_t *diag, const char *what);
/* Argon2id at the configured parameters into out (crypto_pwhash_STRBYTES), and its
 * verification, each waiting for a hashing slot.  0, or WW_ENOMEM (hash) / -1 (no
 * match). */
int ww__auth_hash(ww_auth_t *a, const char *pw, size_t len, char *out);
int ww__auth_verify(ww_auth_t *a, const char *hash, const char *pw, size_t len);
/* The dummy hash, made on first use (under a->lock). */
const char *ww__auth_dummy(ww_auth_t *a);
/* Lower-cases name into out (WW_AUTH_NAME_MAX + 1); false when it is too long. */
bool ww__auth_fold_name(const char *name, char *out);
/* base64url, no padding, of 32 random bytes into out (44 bytes). */
void ww__auth_random_id(char out[WW_SESSION_ID_LEN + 1]);
/* SHA-256 of s. */
void ww__auth_sha256(const char *s, size_t n, uint8_t out[32]);

/* Begins an immediate transaction unless one is open; *began says whether it did. */
int ww__auth_begin(ww_auth_t *a, bool *began, ww_diag_t *diag);
/* Commits (rc == 0) or rolls back what ww__auth_begin began; returns rc or WW_EIO. */
int ww__auth_end(ww_auth_t *a, bool began, int rc, ww_diag_t *diag);
/* ww_auth_audit_append without taking the lock or a transaction (the caller holds
 * both). */
int ww__auth_audit_locked(ww_auth_t *a, const ww_auth_actor_t *by, const char *action,
                          const char *target, const char *detail, ww_diag_t *diag);
/* Ends every session of user id (under the lock).  The number ended, or WW_EIO. */
int ww__auth_end_sessions(ww_auth_t *a, int64_t user_id, ww_diag_t *diag);
/* Forgets the failures counted against a name (under the lock). */
int ww__auth_throttle_clear(ww_auth_t *a, const char *key, ww_diag_t *diag);
/* A new random TOTP secret for user id, stored unverified (under the lock), and its
 * URI in uri. */
int ww__auth_totp_enrol(ww_auth_t *a, int64_t user_id, const char *name, char *uri, size_t urilen,
                        ww_diag_t *diag);

#endif
