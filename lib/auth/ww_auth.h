/* People and access for the console (module "auth" in the shared store): users with a
 * role, Argon2id passwords, TOTP second factors, sessions with idle and absolute
 * timeouts and a CSRF token each, login throttling per account and per source
 * address, API tokens for machines, and an append-only audit log whose rows are
 * chained by SHA-256 so that editing the SQLite file is detectable.
 *
 * One ww_auth_t wraps an open store.  It may be shared by threads: calls that touch
 * the store take its lock, and password hashing (the slow, memory-hungry part) runs
 * outside it, at most `max_hashing` at once.  Time comes from the config's clock so
 * that tests can move it.  docs/users.md describes the policy in words. */
#ifndef WW_AUTH_H
#define WW_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "store/ww_store.h"
#include "util/ww_util.h"

/* ---- roles and what they may do ---- */

typedef enum {
    WW_ROLE_NONE = 0,
    WW_ROLE_VIEWER = 1,    /* the overview and the board report */
    WW_ROLE_ANALYST = 2,   /* also triage and incidents */
    WW_ROLE_RESPONDER = 3, /* also fire-breaks */
    WW_ROLE_ADMIN = 4,     /* also users, configuration, tokens, the audit log */
} ww_role_t;

/* The classes of action the console and the API check a role against. */
typedef enum {
    WW_ACT_VIEW = 0,        /* overview, board report, estate pages */
    WW_ACT_TRIAGE,          /* alerts: read, acknowledge, assign, close, suppress, escalate */
    WW_ACT_INCIDENT,        /* incidents: create, edit, notes, evidence, export */
    WW_ACT_FIREBREAK_PLAN,  /* plan a fire-break */
    WW_ACT_FIREBREAK_APPLY, /* apply, confirm, lift (needs a fresh re-authentication) */
    WW_ACT_USERS,           /* add, disable, reset people */
    WW_ACT_TOKENS,          /* create and revoke API tokens */
    WW_ACT_CONFIG,          /* change the configuration */
    WW_ACT_AUDIT_LOG,       /* read and export the audit log */
    WW_ACT_COUNT
} ww_action_t;

/* "viewer", "analyst", "responder", "admin" ("none" for anything else). */
const char *ww_role_name(ww_role_t r);
/* Parses a role name (any case).  0, or WW_EINVAL; *out untouched on failure. */
int ww_role_parse(const char *s, ww_role_t *out);
/* True when role r may do actions of class act. */
bool ww_role_may(ww_role_t r, ww_action_t act);
/* True when act also needs a recent password+TOTP check (ww_auth_reauth_fresh). */
bool ww_action_needs_reauth(ww_action_t act);
/* The action's name ("triage", "firebreak-apply", ...), for messages. */
const char *ww_action_name(ww_action_t act);
/* True when people of this role must have a verified TOTP to log in. */
bool ww_role_needs_totp(ww_role_t r);

/* ---- the handle ---- */

#define WW_AUTH_NAME_MAX 64       /* bytes of a user or token name */
#define WW_AUTH_DISPLAY_MAX 128   /* bytes of a display name */
#define WW_AUTH_PASSWORD_MIN 12   /* bytes */
#define WW_AUTH_PASSWORD_MAX 1024 /* bytes */
#define WW_AUTH_SOURCE_MAX 64     /* bytes of a source address kept */
#define WW_AUTH_DETAIL_MAX 1024   /* bytes of an audit row's detail */
/* OWASP's minimum for Argon2id (m=19 MiB, t=2, p=1): nothing weaker is accepted. */
#define WW_AUTH_PWHASH_MEM_MIN (19u << 20)
#define WW_AUTH_PWHASH_OPS_MIN 2u

typedef int64_t (*ww_auth_clock_fn)(void *ud); /* seconds since the epoch */

typedef struct ww_auth_config {
    int64_t idle_timeout;         /* s without a request that ends a session (1800) */
    int64_t absolute_timeout;     /* s after login that end a session in any case (43200) */
    int64_t reauth_max_age;       /* s a password+TOTP re-check stays fresh (300) */
    uint64_t pwhash_ops;          /* Argon2id passes (t; default 2, at least 2) */
    size_t pwhash_mem;            /* Argon2id memory in bytes (default 64 MiB, >= 19 MiB) */
    unsigned max_hashing;         /* password hashes computed at once (2) */
    unsigned throttle_failures;   /* failures in the window that start a delay (5) */
    int64_t throttle_window;      /* s the failures are counted over (900) */
    int64_t throttle_delay;       /* s of the first delay, doubled per further failure (60) */
    int64_t throttle_max_delay;   /* s the delay is capped at (3600) */
    const char *common_passwords; /* the list file; NULL: <data>/passwords/common.txt */
    ww_auth_clock_fn clock;       /* NULL: the real clock */
    void *clock_ud;
} ww_auth_config_t;

/* Fills c with the defaults above. */
void ww_auth_config_default(ww_auth_config_t *c);

typedef struct ww_auth ww_auth_t;

/* Brings the auth tables up to date and returns a handle on st (which must outlive
 * it).  cfg may be NULL for the defaults; it is copied (the path string too).
 * 0, WW_EINVAL (a parameter below its floor, with diag), WW_EIO or WW_ENOMEM. */
int ww_auth_open(ww_store_t *st, const ww_auth_config_t *cfg, ww_auth_t **out, ww_diag_t *diag);
/* Frees the handle (NULL is a no-op); the store stays open. */
void ww_auth_free(ww_auth_t *a);

/* What has happened since the handle was opened (counters only). */
typedef struct ww_auth_stats {
    uint64_t logins_ok, logins_failed; /* password (and TOTP) checked */
    uint64_t logins_throttled;         /* refused by the throttle without a check */
    uint64_t dummy_verifies;           /* unknown names verified against the dummy hash */
    uint64_t rehashed;                 /* hashes upgraded to the current parameters */
    uint64_t totp_replays;             /* codes refused because their step was used */
} ww_auth_stats_t;
void ww_auth_stats(ww_auth_t *a, ww_auth_stats_t *out);

/* ---- users ---- */

typedef struct ww_user {
    int64_t id;
    char name[WW_AUTH_NAME_MAX + 1];
    char display[WW_AUTH_DISPLAY_MAX + 1];
    ww_role_t role;
    bool disabled;
    bool must_change;   /* the password was set by an admin: change at next login */
    bool totp_enrolled; /* a secret exists */
    bool totp_verified; /* and a code from it has been accepted */
    int64_t created, updated, last_login; /* s; last_login 0 = never */
} ww_user_t;

/* Checks a user name: 1..64 bytes of a-z, 0-9, '.', '_', '-', '@', starting with a
 * letter or digit (upper case is folded by callers).  0 or WW_EINVAL with why. */
int ww_auth_name_check(const char *name, char *why, size_t whylen);

/* Checks a new password against the policy: 12..1024 bytes of valid UTF-8 (any
 * characters, no normalisation), not one of the common passwords (also with digits
 * and symbols added or letters swapped for look-alike symbols), not a run or repeat
 * ("aaaa...", "abcd...", "qwer..."), not the user's name or "wardwatch".  name may be
 * NULL.  0, WW_EINVAL with the reason in why, or WW_ENOENT/WW_EIO when the list of
 * common passwords cannot be read (why says where). */
int ww_auth_password_check(ww_auth_t *a, const char *name, const char *pw, size_t len, char *why,
                           size_t whylen);

/* The secrets a new user or a reset hands out once.  Wiped by ww_auth_secrets_wipe. */
typedef struct ww_auth_secrets {
    char password[64];  /* the one-time password, "" when the caller chose one */
    char totp_uri[256]; /* otpauth://totp/wardwatch:NAME?secret=...&issuer=wardwatch, or "" */
} ww_auth_secrets_t;
void ww_auth_secrets_wipe(ww_auth_secrets_t *s);

/* Who did something, and from where: written to the audit log with every change. */
typedef struct ww_auth_actor {
    const char *name;   /* "admin", "cli:root", "token:ci" */
    const char *source; /* an address, "local" */
} ww_auth_actor_t;

/* Adds a user.  password NULL: a random one-time password is made (out->password)
 * and must be changed at the first login; else it must pass the policy.  TOTP is
 * enrolled (out->totp_uri) for responders and admins, and for others when
 * with_totp.  0; WW_EINVAL with why (bad name, role, display, password; the name
 * taken); WW_EIO/WW_ENOMEM with diag.  out is wiped on failure. */
int ww_auth_user_add(ww_auth_t *a, const ww_auth_actor_t *by, const char *name, ww_role_t role,
                     const char *display, const char *password, bool with_totp,
                     ww_auth_secrets_t *out, ww_diag_t *diag);
/* Disables or enables a user; disabling ends all of its sessions.  0, WW_ENOENT (no
 * such user), WW_EIO. */
int ww_auth_user_set_disabled(ww_auth_t *a, const ww_auth_actor_t *by, const char *name,
                              bool disabled, ww_diag_t *diag);
/* An admin's reset: a new one-time password (or the given one, which must pass the
 * policy), must change at next login, all sessions ended, failures forgiven; with
 * new_totp also a new TOTP secret (to be verified again).  0, WW_ENOENT, WW_EINVAL,
 * WW_EIO; out as for ww_auth_user_add. */
int ww_auth_user_reset(ww_auth_t *a, const ww_auth_actor_t *by, const char *name,
                       const char *password, bool new_totp, ww_auth_secrets_t *out,
                       ww_diag_t *diag);
/* Changes a user's role.  0, WW_ENOENT, WW_EINVAL, WW_EIO. */
int ww_auth_user_set_role(ww_auth_t *a, const ww_auth_actor_t *by, const char *name, ww_role_t role,
                          ww_diag_t *diag);
/* The user by name (any case): 1 and *out, 0 when there is none, or WW_EIO. */
int ww_auth_user_get(ww_auth_t *a, const char *name, ww_user_t *out, ww_diag_t *diag);
/* Calls fn for each user by name; a non-zero return stops and is returned. */
typedef int (*ww_user_fn)(void *ud, const ww_user_t *u);
int ww_auth_user_each(ww_auth_t *a, ww_user_fn fn, void *ud, ww_diag_t *diag);

/* ---- TOTP (RFC 6238: HMAC-SHA-1, 6 digits, 30 s steps, one step either side) ---- */

#define WW_TOTP_SECRET_BYTES 20 /* 160 bits */
/* Checks code ("123456", spaces allowed between digits) against secret at time now;
 * *step gets the accepted time step.  A step <= last_step is refused (a replay).
 * 1 valid, 0 not, WW_EINVAL for a code that is not six digits.  Pure: stores
 * nothing (ww_auth_login and ww_auth_totp_confirm do). */
int ww_totp_check(const uint8_t *secret, size_t len, const char *code, int64_t now,
                  int64_t last_step, int64_t *step);
/* The otpauth:// URI for a secret (out gets "" when it does not fit). */
void ww_totp_uri(const char *name, const uint8_t *secret, size_t len, char *out, size_t outlen);
/* Verifies a newly enrolled TOTP with a code from it (and marks it verified).  1 if
 * accepted, 0 if not, WW_ENOENT (no user, or no TOTP enrolled), WW_EIO. */
int ww_auth_totp_confirm(ww_auth_t *a, const ww_auth_actor_t *by, const char *name,
                         const char *code, ww_diag_t *diag);

/* ---- logins and sessions ---- */

#define WW_SESSION_ID_LEN 43 /* base64url (no padding) of 32 random bytes */
#define WW_CSRF_LEN 43

typedef enum {
    WW_LOGIN_OK = 0,
    WW_LOGIN_DENIED,    /* one answer for: no such user, wrong password, bad or missing
                           TOTP, disabled -- the caller can never tell which */
    WW_LOGIN_THROTTLED, /* too many failures for this name or this address: retry later */
} ww_login_result_t;

typedef struct ww_session {
    char user[WW_AUTH_NAME_MAX + 1];
    ww_role_t role;
    bool must_change;                      /* only a password change may follow */
    int64_t created, last_seen, reauth_at; /* s */
    char csrf[WW_CSRF_LEN + 1];            /* the session's CSRF token */
} ww_session_t;

typedef struct ww_login {
    const char *name, *password;
    const char *totp;   /* the code, or NULL */
    const char *source; /* the client's address */
} ww_login_t;

/* Checks a login and, when it succeeds, creates a new session: its id (shown to the
 * client once, kept only as a hash) in id_out and its state in *sess.  The result
 * says nothing about why a login failed; the audit log does.  *retry_after is the
 * number of seconds a throttled caller must wait (may be NULL).  Returns 0 with
 * *result set, or WW_EIO/WW_ENOMEM with diag. */
int ww_auth_login(ww_auth_t *a, const ww_login_t *req, ww_login_result_t *result,
                  char id_out[WW_SESSION_ID_LEN + 1], ww_session_t *sess, int64_t *retry_after,
                  ww_diag_t *diag);

/* Looks a session up by its id and, when it is live, marks it used now.  1 and *out
 * when valid; 0 when unknown, malformed or expired (an expired one is removed); or
 * WW_EIO. */
int ww_auth_session_check(ww_auth_t *a, const char *id, ww_session_t *out, ww_diag_t *diag);
/* Logs out: ends the session with this id, or with everywhere all sessions of its
 * user.  The number of sessions ended (0 when the id was not live), or WW_EIO. */
int ww_auth_logout(ww_auth_t *a, const char *id, bool everywhere, const char *source,
                   ww_diag_t *diag);
/* Constant-time comparison of a submitted CSRF token with the session's. */
bool ww_auth_csrf_ok(const ww_session_t *s, const char *token);
/* Checks the session's user's password and TOTP again (throttled like a login) and
 * stamps the session; then ww_auth_reauth_fresh holds for reauth_max_age.  0 with
 * *result (WW_LOGIN_OK on success), or WW_EIO. */
int ww_auth_reauth(ww_auth_t *a, const char *id, const char *password, const char *totp,
                   const char *source, ww_login_result_t *result, ww_diag_t *diag);
/* True when s was re-authenticated no longer than reauth_max_age ago. */
bool ww_auth_reauth_fresh(ww_auth_t *a, const ww_session_t *s);
/* The user of session id changes their own password (old one checked, new one
 * against the policy).  Clears must_change; ends the user's other sessions.  0,
 * WW_EINVAL with why (old wrong, new refused), WW_ENOENT (no live session), WW_EIO. */
int ww_auth_change_password(ww_auth_t *a, const char *id, const char *old_pw, const char *new_pw,
                            const char *source, char *why, size_t whylen, ww_diag_t *diag);

/* ---- API tokens ---- */

#define WW_TOKEN_PREFIX "ww_"
#define WW_TOKEN_LEN (3 + 43) /* "ww_" + base64url of 32 random bytes */

typedef struct ww_token {
    char name[WW_AUTH_NAME_MAX + 1];
    ww_role_t role;
    char created_by[WW_AUTH_NAME_MAX + 16];
    int64_t created, last_used, revoked; /* s; 0 = never */
} ww_token_t;

/* Creates a token for machines with a role (viewer, analyst or responder: an admin
 * token would be a way round TOTP).  The token is written to out once and kept only
 * as a hash.  0; WW_EINVAL with diag (name taken or bad, role refused); WW_EIO. */
int ww_auth_token_add(ww_auth_t *a, const ww_auth_actor_t *by, const char *name, ww_role_t role,
                      char out[WW_TOKEN_LEN + 1], ww_diag_t *diag);
/* Revokes a token by name.  0, WW_ENOENT (none live by that name), WW_EIO. */
int ww_auth_token_revoke(ww_auth_t *a, const ww_auth_actor_t *by, const char *name,
                         ww_diag_t *diag);
/* Checks a presented token: 1 and *out (last use stamped) when live, 0 when not, or
 * WW_EIO. */
int ww_auth_token_check(ww_auth_t *a, const char *token, ww_token_t *out, ww_diag_t *diag);
typedef int (*ww_token_fn)(void *ud, const ww_token_t *t);
int ww_auth_token_each(ww_auth_t *a, ww_token_fn fn, void *ud, ww_diag_t *diag);

/* ---- the audit log ---- */

#define WW_AUDIT_HASH_LEN 32

typedef struct ww_audit_row {
    int64_t seq; /* 1, 2, 3, ... */
    int64_t ts;  /* s */
    const char *actor, *action, *target, *detail, *source;
    uint8_t prev[WW_AUDIT_HASH_LEN], hash[WW_AUDIT_HASH_LEN];
} ww_audit_row_t;

/* Appends a row (inside the caller's transaction when one is open, else in its own).
 * Texts are cut at their caps (WW_AUTH_NAME_MAX etc.).  For other modules: every
 * change they make on a person's behalf.  0 or WW_EIO. */
int ww_auth_audit_append(ww_auth_t *a, const ww_auth_actor_t *by, const char *action,
                         const char *target, const char *detail, ww_diag_t *diag);
/* Calls fn for every row in order; a non-zero return stops and is returned.  The
 * rows are streamed with the handle's lock held: fn must not call into the handle. */
typedef int (*ww_audit_fn)(void *ud, const ww_audit_row_t *r);
int ww_auth_audit_each(ww_auth_t *a, ww_audit_fn fn, void *ud, ww_diag_t *diag);

/* Recomputes the chain.  Returns the number of rows checked when every row's hash
 * and link hold (and writes the last row's hash as hex to head, 65 bytes, "" for an
 * empty log); WW_EPARSE with diag naming the first row that does not hold (edited,
 * removed or reordered); WW_EIO. */
int64_t ww_auth_audit_verify(ww_auth_t *a, char head[2 * WW_AUDIT_HASH_LEN + 1], ww_diag_t *diag);

typedef enum { WW_AUTH_AUDIT_NDJSON, WW_AUTH_AUDIT_CSV } ww_auth_audit_format_t;
/* Appends one row (NDJSON: one object and a newline; CSV: one record, RFC 4180
 * quoting, cells that a spreadsheet would run as a formula prefixed with '). */
int ww_auth_audit_format(const ww_audit_row_t *r, ww_auth_audit_format_t fmt, ww_buf_t *out);
/* The CSV header line. */
int ww_auth_audit_csv_header(ww_buf_t *out);

#endif
