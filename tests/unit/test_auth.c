/* Unit tests for lib/auth: roles, the password policy, Argon2id hashing with rehash on
 * login, the dummy path for unknown names, TOTP against RFC 6238's vectors and replay
 * refusal, sessions' idle and absolute expiry on a clock the test moves, CSRF
 * comparison, throttling per account and per address, token scope, and the audit
 * chain's verification and tamper detection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <liboath/oath.h>

#include "auth/ww_auth.h"

static int64_t fake_now = 1700000000;

static int64_t test_clock(void *ud)
{
    (void)ud;
    return fake_now;
}

typedef struct fixture {
    char path[128];
    ww_store_t *st;
    ww_auth_t *a;
} fixture_t;

static void config(ww_auth_config_t *c)
{
    ww_auth_config_default(c);
    /* OWASP's floor: the cheapest the library accepts, to keep the tests quick. */
    c->pwhash_mem = WW_AUTH_PWHASH_MEM_MIN;
    c->pwhash_ops = WW_AUTH_PWHASH_OPS_MIN;
    c->clock = test_clock;
}

static void fx_open(fixture_t *f, const char *tag)
{
    snprintf(f->path, sizeof f->path, "/tmp/ww-auth-%s-%d.db", tag, (int)getpid());
    unlink(f->path);
    ww_diag_t d = {0};
    assert_int_equal(ww_store_open(f->path, &f->st, &d), 0);
    ww_auth_config_t c;
    config(&c);
    assert_int_equal(ww_auth_open(f->st, &c, &f->a, &d), 0);
}

static void fx_close(fixture_t *f)
{
    ww_auth_free(f->a);
    ww_store_close(f->st);
    char p[160];
    unlink(f->path);
    snprintf(p, sizeof p, "%s-wal", f->path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", f->path);
    unlink(p);
}

static const ww_auth_actor_t ADMIN = {"cli:test", "local"};

static void add_user(fixture_t *f, const char *name, ww_role_t role, const char *pw,
                     ww_auth_secrets_t *s)
{
    ww_diag_t d = {0};
    int rc = ww_auth_user_add(f->a, &ADMIN, name, role, "Test Person", pw, false, s, &d);
    if (rc)
        fail_msg("adding %s: %s", name, d.msg);
}

/* The secret from an otpauth:// URI, as an authenticator app would read it. */
static size_t secret_from_uri(const char *uri, char *out, size_t outlen)
{
    const char *p = strstr(uri, "secret=");
    assert_non_null(p);
    p += 7;
    size_t n = strcspn(p, "&");
    char *bin = NULL;
    size_t binlen = 0;
    assert_int_equal(oath_base32_decode(p, n, &bin, &binlen), OATH_OK);
    assert_true(binlen <= outlen);
    memcpy(out, bin, binlen);
    free(bin);
    return binlen;
}

static void code_at(const char *secret, size_t len, int64_t t, char out[7])
{
    assert_int_equal(oath_totp_generate(secret, len, (time_t)t, 30, 0, 6, out), OATH_OK);
}

static ww_login_result_t login(fixture_t *f, const char *name, const char *pw, const char *totp,
                               const char *src, char *id, ww_session_t *s, int64_t *retry)
{
    char idbuf[WW_SESSION_ID_LEN + 1];
    ww_session_t sb;
    ww_login_t req = {name, pw, totp, src};
    ww_login_result_t r;
    ww_diag_t d = {0};
    int rc = ww_auth_login(f->a, &req, &r, id ? id : idbuf, s ? s : &sb, retry, &d);
    if (rc)
        fail_msg("login error: %s", d.msg);
    return r;
}

/* ---- roles ---- */

static void test_roles(void **state)
{
    (void)state;
    ww_role_t r = WW_ROLE_NONE;
    assert_int_equal(ww_role_parse("Responder", &r), 0);
    assert_int_equal(r, WW_ROLE_RESPONDER);
    assert_int_equal(ww_role_parse("root", &r), WW_EINVAL);
    assert_int_equal(r, WW_ROLE_RESPONDER); /* untouched on failure */
    assert_true(ww_role_may(WW_ROLE_VIEWER, WW_ACT_VIEW));
    assert_false(ww_role_may(WW_ROLE_VIEWER, WW_ACT_TRIAGE));
    assert_true(ww_role_may(WW_ROLE_ANALYST, WW_ACT_TRIAGE));
    assert_true(ww_role_may(WW_ROLE_ANALYST, WW_ACT_INCIDENT));
    assert_false(ww_role_may(WW_ROLE_ANALYST, WW_ACT_FIREBREAK_PLAN));
    assert_true(ww_role_may(WW_ROLE_RESPONDER, WW_ACT_FIREBREAK_APPLY));
    assert_false(ww_role_may(WW_ROLE_RESPONDER, WW_ACT_USERS));
    assert_false(ww_role_may(WW_ROLE_RESPONDER, WW_ACT_AUDIT_LOG));
    for (int act = 0; act < WW_ACT_COUNT; act++)
        assert_true(ww_role_may(WW_ROLE_ADMIN, (ww_action_t)act));
    assert_false(ww_role_may(WW_ROLE_NONE, WW_ACT_VIEW));
    assert_false(ww_role_may((ww_role_t)9, WW_ACT_VIEW));
    assert_false(ww_role_may(WW_ROLE_ADMIN, WW_ACT_COUNT));
    assert_true(ww_action_needs_reauth(WW_ACT_FIREBREAK_APPLY));
    assert_false(ww_action_needs_reauth(WW_ACT_FIREBREAK_PLAN));
    assert_false(ww_role_needs_totp(WW_ROLE_ANALYST));
    assert_true(ww_role_needs_totp(WW_ROLE_RESPONDER));
    assert_true(ww_role_needs_totp(WW_ROLE_ADMIN));
}

/* ---- the password policy ---- */

static void test_password_policy(void **state)
{
    (void)state;
    fixture_t f;
    fx_open(&f, "policy");
    char why[200];
    static const char *const refused[] = {
        "short1!",                  /* too short */
        "elevenchars",              /* 11 bytes */
        "password1234",             /* common word + digits */
        "P@ssw0rd2024!",            /* common word, look-alikes swapped, digits */
        "123456789012",             /* digit run */
        "qwertyuiop12",             /* keyboard row with a break */
        "1q2w3e4r5t6y",             /* keyboard columns */
        "abcdefghijklmn",           /* alphabet */
        "aaaaaaaaaaaaaaaa",         /* one character */
        "abcabcabcabc",             /* a short part repeated */
        "xkcdXKCDxkcdXKCD",         /* the same, in another case */
        "correcthorsecorrecthorse", /* an 12-byte part repeated */
        "Summer2024!!",             /* season + year */
        "!!Welcome!!2024",          /* common word in symbols */
        "alice-2024-2024",          /* the user's own name */
        "Wardwatch2026!",           /* the program's name */
        "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", /* é x 6: a repeat */
    };
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        int rc =
            ww_auth_password_check(f.a, "alice", refused[i], strlen(refused[i]), why, sizeof why);
        if (rc != WW_EINVAL)
            fail_msg("expected '%s' to be refused, got %d", refused[i], rc);
        assert_true(why[0]);
    }
    /* Not UTF-8, and a NUL inside: refused with a reason. */
    assert_int_equal(ww_auth_password_check(f.a, NULL, "abcdefgh\xff\xfeijkl", 14, why, sizeof why),
                     WW_EINVAL);
    assert_int_equal(ww_auth_password_check(f.a, NULL, "abcdefgh\0ijklmn", 15, why, sizeof why),
                     WW_EINVAL);
    static const char *const accepted[] = {
        "correct horse battery staple",
        "ward 7 kettle is always broken",
        "glas-fenster-baum",
        "p\xc3\xa4ssw\xc3\xb6rter \xc3\xbc"
        "ber alles",    /* Unicode, no normalisation needed */
        "839204718293", /* random digits are fine */
        "Tr0ub4dor&3xq",
    };
    for (size_t i = 0; i < sizeof accepted / sizeof *accepted; i++) {
        int rc =
            ww_auth_password_check(f.a, "alice", accepted[i], strlen(accepted[i]), why, sizeof why);
        if (rc != 0)
            fail_msg("expected '%s' to be accepted: %s", accepted[i], why);
    }
    /* The bounds: 12 and 1024 bytes pass, 1025 does not (a non-repeating filler). */
    char big[1026];
    for (int i = 0; i < 1025; i++)
        big[i] = "correct horse battery staple and more words"[i % 43] + (char)(i / 43 % 2);
    big[1025] = 0;
    assert_int_equal(ww_auth_password_check(f.a, NULL, big, 1024, why, sizeof why), 0);
    assert_int_equal(ww_auth_password_check(f.a, NULL, big, 1025, why, sizeof why), WW_EINVAL);
    assert_int_equal(ww_auth_password_check(f.a, NULL, "x7!kq0-zv3pe", 12, why, sizeof why), 0);
    fx_close(&f);

    /* Without the list of common passwords the policy cannot be checked: an error that
       says where it looked, never a silent pass. */
    fixture_t g;
    snprintf(g.path, sizeof g.path, "/tmp/ww-auth-nolist-%d.db", (int)getpid());
    unlink(g.path);
    ww_diag_t d = {0};
    assert_int_equal(ww_store_open(g.path, &g.st, &d), 0);
    ww_auth_config_t c;
    config(&c);
    c.common_passwords = "/nonexistent/common.txt";
    assert_int_equal(ww_auth_open(g.st, &c, &g.a, &d), 0);
    assert_int_equal(
        ww_auth_password_check(g.a, NULL, "correct horse battery staple", 28, why, sizeof why),
        WW_ENOENT);
    assert_non_null(strstr(why, "/nonexistent/common.txt"));
    fx_close(&g);
}

/* ---- hashing, rehash, wrong password, unknown user ---- */

static void test_hash_and_rehash(void **state)
{
    (void)state;
    fixture_t f;
    fx_open(&f, "hash");
    ww_auth_secrets_t s;
    add_user(&f, "Carol", WW_ROLE_ANALYST, "correct horse battery staple", &s);
    assert_string_equal(s.password, ""); /* chosen, not generated */
    ww_user_t u;
    assert_int_equal(ww_auth_user_get(f.a, "carol", &u, NULL), 1);
    assert_string_equal(u.name, "carol"); /* folded */
    assert_false(u.must_change);

    /* The stored hash is Argon2id with the configured parameters. */
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(f.st->db, "SELECT pwhash FROM auth_user", -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_non_null(
        strstr((const char *)sqlite3_column_text(q, 0), "$argon2id$v=19$m=19456,t=2,p=1$"));
    sqlite3_finalize(q);

    ww_session_t sess;
    assert_int_equal(
        login(&f, "CAROL", "correct horse battery staple", NULL, "10.0.0.1", NULL, &sess, NULL),
        WW_LOGIN_OK);
    assert_string_equal(sess.user, "carol");
    assert_int_equal(sess.role, WW_ROLE_ANALYST);
    assert_int_equal(
        login(&f, "carol", "correct horse battery stapl", NULL, "10.0.0.1", NULL, NULL, NULL),
        WW_LOGIN_DENIED);
    ww_auth_stats_t st;
    ww_auth_stats(f.a, &st);
    assert_int_equal(st.logins_ok, 1);
    assert_int_equal(st.logins_failed, 1);
    assert_int_equal(st.dummy_verifies, 0);
    assert_int_equal(st.rehashed, 0);

    /* An unknown name gets the same answer, through the dummy hash. */
    assert_int_equal(
        login(&f, "mallory", "correct horse battery staple", NULL, "10.0.0.1", NULL, NULL, NULL),
        WW_LOGIN_DENIED);
    ww_auth_stats(f.a, &st);
    assert_int_equal(st.dummy_verifies, 1);
    assert_int_equal(st.logins_failed, 2);

    /* Stronger parameters: the next successful login upgrades the hash, once. */
    ww_auth_free(f.a);
    ww_auth_config_t c;
    config(&c);
    c.pwhash_mem = 32u << 20;
    ww_diag_t d = {0};
    assert_int_equal(ww_auth_open(f.st, &c, &f.a, &d), 0);
    assert_int_equal(
        login(&f, "carol", "correct horse battery staple", NULL, "10.0.0.1", NULL, NULL, NULL),
        WW_LOGIN_OK);
    ww_auth_stats(f.a, &st);
    assert_int_equal(st.rehashed, 1);
    assert_int_equal(sqlite3_prepare_v2(f.st->db, "SELECT pwhash FROM auth_user", -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_non_null(strstr((const char *)sqlite3_column_text(q, 0), "m=32768,t=2"));
    sqlite3_finalize(q);
    assert_int_equal(
        login(&f, "carol", "correct horse battery staple", NULL, "10.0.0.1", NULL, NULL, NULL),
        WW_LOGIN_OK);
    ww_auth_stats(f.a, &st);
    assert_int_equal(st.rehashed, 1);

    /* Parameters under OWASP's minimum are refused. */
    ww_auth_t *weak = NULL;
    config(&c);
    c.pwhash_mem = 8u << 20;
    assert_int_equal(ww_auth_open(f.st, &c, &weak, &d), WW_EINVAL);
    assert_null(weak);

    /* A one-time password: generated, must be changed, and it passes the policy. */
    add_user(&f, "dave", WW_ROLE_VIEWER, NULL, &s);
    assert_int_equal(strlen(s.password), 23);
    char why[200];
    assert_int_equal(
        ww_auth_password_check(f.a, "dave", s.password, strlen(s.password), why, sizeof why), 0);
    assert_int_equal(ww_auth_user_get(f.a, "dave", &u, NULL), 1);
    assert_true(u.must_change);
    /* Duplicate names (any case) and bad names are refused. */
    assert_int_equal(
        ww_auth_user_add(f.a, &ADMIN, "DAVE", WW_ROLE_VIEWER, NULL, NULL, false, &s, &d),
        WW_EINVAL);
    assert_int_equal(
        ww_auth_user_add(f.a, &ADMIN, "da ve", WW_ROLE_VIEWER, NULL, NULL, false, &s, &d),
        WW_EINVAL);
    assert_int_equal(
        ww_auth_user_add(f.a, &ADMIN, "eve", WW_ROLE_VIEWER, "bad\ndisplay", NULL, false, &s, &d),
        WW_EINVAL);
    assert_int_equal(
        ww_auth_user_add(f.a, &ADMIN, "eve", WW_ROLE_VIEWER, NULL, "password1234", false, &s, &d),
        WW_EINVAL);
    assert_int_equal(ww_auth_user_get(f.a, "eve", &u, NULL), 0);
    fx_close(&f);
}

/* ---- TOTP ---- */

static void test_totp_rfc6238(void **state)
{
    (void)state;
    /* RFC 6238 appendix B, SHA-1 rows; six digits are the last six of its eight. */
    static const uint8_t secret[] = "12345678901234567890";
    static const struct {
        int64_t t;
        const char *code;
    } v[] = {
        {59, "287082"},         {1111111109, "081804"}, {1111111111, "050471"},
        {1234567890, "005924"}, {2000000000, "279037"}, {20000000000LL, "353130"},
    };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        int64_t step = -1;
        assert_int_equal(ww_totp_check(secret, 20, v[i].code, v[i].t, 0, &step), 1);
        assert_int_equal(step, v[i].t / 30);
        /* One step either side is accepted, two are not. */
        assert_int_equal(ww_totp_check(secret, 20, v[i].code, v[i].t + 30, 0, &step), 1);
        assert_int_equal(ww_totp_check(secret, 20, v[i].code, v[i].t - 30, 0, &step), 1);
        assert_int_equal(ww_totp_check(secret, 20, v[i].code, v[i].t + 90, 0, &step), 0);
        /* A step already used is a replay. */
        assert_int_equal(ww_totp_check(secret, 20, v[i].code, v[i].t, v[i].t / 30, &step), 0);
    }
    int64_t step;
    assert_int_equal(ww_totp_check(secret, 20, "287 082", 59, 0, &step), 1);
    assert_int_equal(ww_totp_check(secret, 20, "287083", 59, 0, &step), 0);
    assert_int_equal(ww_totp_check(secret, 20, "28708", 59, 0, &step), WW_EINVAL);
    assert_int_equal(ww_totp_check(secret, 20, "2870822", 59, 0, &step), WW_EINVAL);
    assert_int_equal(ww_totp_check(secret, 20, "28708a", 59, 0, &step), WW_EINVAL);
    assert_int_equal(ww_totp_check(secret, 20, "", 59, 0, &step), WW_EINVAL);

    char uri[256];
    ww_totp_uri("ann@trust", secret, 20, uri, sizeof uri);
    assert_string_equal(uri, "otpauth://totp/wardwatch:ann%40trust?secret="
                             "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=wardwatch");
}

static void test_totp_login(void **state)
{
    (void)state;
    fixture_t f;
    fx_open(&f, "totp");
    fake_now = 1700000000;
    ww_auth_secrets_t s;
    add_user(&f, "rita", WW_ROLE_RESPONDER, "ward 7 kettle is always broken", &s);
    assert_non_null(strstr(s.totp_uri, "otpauth://totp/wardwatch:rita?secret="));
    char secret[64], code[7];
    size_t slen = secret_from_uri(s.totp_uri, secret, sizeof secret);
    assert_int_equal(slen, WW_TOTP_SECRET_BYTES);
    ww_user_t u;
    assert_int_equal(ww_auth_user_get(f.a, "rita", &u, NULL), 1);
    assert_true(u.totp_enrolled);
    assert_false(u.totp_verified);

    const char *pw = "ward 7 kettle is always broken";
    /* The password alone is not enough for a responder. */
    assert_int_equal(login(&f, "rita", pw, NULL, "10.0.0.2", NULL, NULL, NULL), WW_LOGIN_DENIED);
    code_at(secret, slen, fake_now, code);
    ww_session_t sess;
    assert_int_equal(login(&f, "rita", pw, code, "10.0.0.2", NULL, &sess, NULL), WW_LOGIN_OK);
    assert_int_equal(ww_auth_user_get(f.a, "rita", &u, NULL), 1);
    assert_true(u.totp_verified);
    assert_true(ww_auth_reauth_fresh(f.a, &sess));
    /* The same code again, in the same window: refused and counted. */
    assert_int_equal(login(&f, "rita", pw, code, "10.0.0.2", NULL, NULL, NULL), WW_LOGIN_DENIED);
    ww_auth_stats_t st;
    ww_auth_stats(f.a, &st);
    assert_int_equal(st.totp_replays, 1);
    /* The next step's code works. */
    fake_now += 30;
    code_at(secret, slen, fake_now, code);
    assert_int_equal(login(&f, "rita", pw, code, "10.0.0.2", NULL, NULL, NULL), WW_LOGIN_OK);

    /* A responder without a TOTP secret cannot log in at all. */
    assert_int_equal(
        sqlite3_exec(f.st->db, "UPDATE auth_user SET totp_secret=NULL", NULL, NULL, NULL),
        SQLITE_OK);
    fake_now += 30;
    code_at(secret, slen, fake_now, code);
    assert_int_equal(login(&f, "rita", pw, code, "10.0.0.2", NULL, NULL, NULL), WW_LOGIN_DENIED);

    /* A reset with --totp gives a new secret; the old one's codes no longer work. */
    ww_diag_t d = {0};
    assert_int_equal(ww_auth_user_reset(f.a, &ADMIN, "rita", pw, true, &s, &d), 0);
    char secret2[64];
    size_t slen2 = secret_from_uri(s.totp_uri, secret2, sizeof secret2);
    assert_int_not_equal(memcmp(secret, secret2, slen2), 0);
    fake_now += 30;
    code_at(secret2, slen2, fake_now, code);
    assert_int_equal(ww_auth_totp_confirm(f.a, &ADMIN, "rita", code, &d), 1);
    assert_int_equal(ww_auth_totp_confirm(f.a, &ADMIN, "rita", code, &d), 0); /* replay */
    fx_close(&f);
}

/* ---- sessions ---- */

static void test_sessions(void **state)
{
    (void)state;
    fixture_t f;
    fx_open(&f, "sess");
    fake_now = 1700000000;
    ww_auth_secrets_t s;
    add_user(&f, "vic", WW_ROLE_VIEWER, "correct horse battery staple", &s);
    const char *pw = "correct horse battery staple";
    char id1[WW_SESSION_ID_LEN + 1], id2[WW_SESSION_ID_LEN + 1];
    ww_session_t s1, s2, got;
    assert_int_equal(login(&f, "vic", pw, NULL, "10.0.0.3", id1, &s1, NULL), WW_LOGIN_OK);
    assert_int_equal(strlen(id1), WW_SESSION_ID_LEN);
    assert_int_equal(strlen(s1.csrf), WW_CSRF_LEN);
    assert_int_equal(login(&f, "vic", pw, NULL, "10.0.0.3", id2, &s2, NULL), WW_LOGIN_OK);
    assert_string_not_equal(id1, id2); /* a fresh id for every login */
    assert_string_not_equal(s1.csrf, s2.csrf);
    assert_false(ww_auth_reauth_fresh(f.a, &s1)); /* no TOTP checked */

    /* Only a hash of the id is stored. */
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(f.st->db, "SELECT id_hash FROM auth_session", -1, &q, NULL),
                     SQLITE_OK);
    while (sqlite3_step(q) == SQLITE_ROW) {
        assert_int_equal(sqlite3_column_bytes(q, 0), 32);
        assert_null(memmem(sqlite3_column_blob(q, 0), 32, id1, 8));
    }
    sqlite3_finalize(q);

    /* Idle timeout: used just before 30 minutes passes, it lives on; then unused for
       30 minutes, it ends. */
    assert_int_equal(ww_auth_session_check(f.a, id1, &got, NULL), 1);
    fake_now += 30 * 60 - 1;
    assert_int_equal(ww_auth_session_check(f.a, id1, &got, NULL), 1);
    assert_int_equal(got.last_seen, fake_now);
    fake_now += 30 * 60;
    assert_int_equal(ww_auth_session_check(f.a, id1, &got, NULL), 0);
    assert_int_equal(ww_auth_session_check(f.a, id1, &got, NULL), 0); /* removed */
    assert_int_equal(ww_auth_session_check(f.a, id2, &got, NULL), 0); /* id2 idled out too */

    /* Absolute timeout: used every 20 minutes, a session still ends after 12 hours. */
    assert_int_equal(login(&f, "vic", pw, NULL, "10.0.0.3", id1, &s1, NULL), WW_LOGIN_OK);
    int64_t start = fake_now;
    while (fake_now + 20 * 60 < start + 12 * 3600) {
        fake_now += 20 * 60;
        assert_int_equal(ww_auth_session_check(f.a, id1, &got, NULL), 1);
    }
    fake_now = start + 12 * 3600;
    assert_int_equal(ww_auth_session_check(f.a, id1, &got, NULL), 0);

    /* Malformed ids are refused without ado. */
    assert_int_equal(ww_auth_session_check(f.a, "", &got, NULL), 0);
    assert_int_equal(ww_auth_session_check(f.a, NULL, &got, NULL), 0);
    assert_int_equal(ww_auth_session_check(f.a, "short", &got, NULL), 0);

    /* Logout everywhere ends both; a single logout ends one. */
    assert_int_equal(login(&f, "vic", pw, NULL, "10.0.0.3", id1, &s1, NULL), WW_LOGIN_OK);
    assert_int_equal(login(&f, "vic", pw, NULL, "10.0.0.3", id2, &s2, NULL), WW_LOGIN_OK);
    assert_int_equal(ww_auth_logout(f.a, id1, false, "10.0.0.3", NULL), 1);
    assert_int_equal(ww_auth_session_check(f.a, id1, &got, NULL), 0);
    assert_int_equal(ww_auth_session_check(f.a, id2, &got, NULL), 1);
    assert_int_equal(login(&f, "vic", pw, NULL, "10.0.0.3", id1, &s1, NULL), WW_LOGIN_OK);
    assert_int_equal(ww_auth_logout(f.a, id1, true, "10.0.0.3", NULL), 2);
    assert_int_equal(ww_auth_session_check(f.a, id2, &got, NULL), 0);
    assert_int_equal(ww_auth_logout(f.a, id1, true, "10.0.0.3", NULL), 0);

    /* Disabling a user ends its sessions and its logins. */
    assert_int_equal(login(&f, "vic", pw, NULL, "10.0.0.3", id1, &s1, NULL), WW_LOGIN_OK);
    ww_diag_t d = {0};
    assert_int_equal(ww_auth_user_set_disabled(f.a, &ADMIN, "vic", true, &d), 0);
    assert_int_equal(ww_auth_session_check(f.a, id1, &got, NULL), 0);
    assert_int_equal(login(&f, "vic", pw, NULL, "10.0.0.3", id1, &s1, NULL), WW_LOGIN_DENIED);
    assert_int_equal(ww_auth_user_set_disabled(f.a, &ADMIN, "vic", false, &d), 0);
    assert_int_equal(login(&f, "vic", pw, NULL, "10.0.0.3", id1, &s1, NULL), WW_LOGIN_OK);
    assert_int_equal(ww_auth_user_set_disabled(f.a, &ADMIN, "nobody", true, &d), WW_ENOENT);

    /* CSRF: the session's own token, compared whole. */
    assert_true(ww_auth_csrf_ok(&s1, s1.csrf));
    char bad[WW_CSRF_LEN + 1];
    memcpy(bad, s1.csrf, sizeof bad);
    bad[WW_CSRF_LEN - 1] = bad[WW_CSRF_LEN - 1] == 'A' ? 'B' : 'A';
    assert_false(ww_auth_csrf_ok(&s1, bad));
    bad[10] = 0;
    assert_false(ww_auth_csrf_ok(&s1, bad));
    assert_false(ww_auth_csrf_ok(&s1, ""));
    assert_false(ww_auth_csrf_ok(&s1, NULL));
    assert_false(ww_auth_csrf_ok(&s1, s2.csrf));
    fx_close(&f);
}

static void test_password_change_and_reauth(void **state)
{
    (void)state;
    fixture_t f;
    fx_open(&f, "change");
    fake_now = 1700000000;
    ww_auth_secrets_t s;
    ww_diag_t d = {0};
    assert_int_equal(
        ww_auth_user_add(f.a, &ADMIN, "amy", WW_ROLE_ADMIN, "Amy", NULL, false, &s, &d), 0);
    char secret[64], code[7], otp[64];
    snprintf(otp, sizeof otp, "%s", s.password);
    size_t slen = secret_from_uri(s.totp_uri, secret, sizeof secret);
    char id1[WW_SESSION_ID_LEN + 1], id2[WW_SESSION_ID_LEN + 1], why[200];
    ww_session_t s1, got;
    code_at(secret, slen, fake_now, code);
    assert_int_equal(login(&f, "amy", otp, code, "10.0.0.4", id1, &s1, NULL), WW_LOGIN_OK);
    assert_true(s1.must_change);
    fake_now += 30;
    code_at(secret, slen, fake_now, code);
    assert_int_equal(login(&f, "amy", otp, code, "10.0.0.4", id2, NULL, NULL), WW_LOGIN_OK);
    assert_int_equal(ww_auth_change_password(f.a, id1, "not it at all!", "glas-fenster-baum",
                                             "10.0.0.4", why, sizeof why, &d),
                     WW_EINVAL);
    assert_int_equal(
        ww_auth_change_password(f.a, id1, otp, "password1234", "10.0.0.4", why, sizeof why, &d),
        WW_EINVAL);
    assert_int_equal(ww_auth_change_password(f.a, id1, otp, "glas-fenster-baum", "10.0.0.4", why,
                                             sizeof why, &d),
                     0);
    assert_int_equal(ww_auth_session_check(f.a, id1, &got, NULL), 1);
    assert_false(got.must_change);
    assert_int_equal(ww_auth_session_check(f.a, id2, &got, NULL), 0); /* the other one ended */

    /* Re-authentication: fresh at login, stale after five minutes, fresh again after a
       password + TOTP check; a wrong code leaves it stale. */
    assert_true(ww_auth_reauth_fresh(f.a, &s1));
    fake_now += 301;
    assert_int_equal(ww_auth_session_check(f.a, id1, &got, NULL), 1);
    assert_false(ww_auth_reauth_fresh(f.a, &got));
    ww_login_result_t r;
    assert_int_equal(ww_auth_reauth(f.a, id1, "glas-fenster-baum", "000000", "10.0.0.4", &r, &d),
                     0);
    assert_int_equal(r, WW_LOGIN_DENIED);
    code_at(secret, slen, fake_now, code);
    assert_int_equal(ww_auth_reauth(f.a, id1, "glas-fenster-baum", code, "10.0.0.4", &r, &d), 0);
    assert_int_equal(r, WW_LOGIN_OK);
    assert_int_equal(ww_auth_session_check(f.a, id1, &got, NULL), 1);
    assert_true(ww_auth_reauth_fresh(f.a, &got));
    /* No re-authentication without a live session. */
    assert_int_equal(ww_auth_reauth(f.a, id2, "glas-fenster-baum", code, "10.0.0.4", &r, &d), 0);
    assert_int_equal(r, WW_LOGIN_DENIED);
    fx_close(&f);
}

/* ---- throttling ---- */

static void test_throttle(void **state)
{
    (void)state;
    fixture_t f;
    fx_open(&f, "throttle");
    fake_now = 1700000000;
    ww_auth_secrets_t s;
    add_user(&f, "tom", WW_ROLE_ANALYST, "correct horse battery staple", &s);
    add_user(&f, "una", WW_ROLE_ANALYST, "ward 7 kettle is always broken", &s);
    const char *pw = "correct horse battery staple";
    int64_t retry = 0;

    /* Per account: four failures from four addresses are allowed, the fifth locks. */
    char src[32];
    for (int i = 0; i < 5; i++) {
        snprintf(src, sizeof src, "10.1.0.%d", i + 1);
        assert_int_equal(login(&f, "tom", "wrong guess no 1", NULL, src, NULL, NULL, NULL),
                         WW_LOGIN_DENIED);
    }
    /* Even the right password, from a fresh address, is refused for the delay. */
    assert_int_equal(login(&f, "tom", pw, NULL, "10.1.0.99", NULL, NULL, &retry),
                     WW_LOGIN_THROTTLED);
    assert_int_equal(retry, 60);
    ww_auth_stats_t st;
    ww_auth_stats(f.a, &st);
    assert_int_equal(st.logins_throttled, 1);
    assert_int_equal(st.logins_failed, 5);
    fake_now += 61;
    /* Another failure doubles the delay. */
    assert_int_equal(login(&f, "tom", "wrong guess no 2", NULL, "10.1.0.98", NULL, NULL, NULL),
                     WW_LOGIN_DENIED);
    assert_int_equal(login(&f, "tom", pw, NULL, "10.1.0.97", NULL, NULL, &retry),
                     WW_LOGIN_THROTTLED);
    assert_int_equal(retry, 120);
    fake_now += 121;
    assert_int_equal(login(&f, "tom", pw, NULL, "10.1.0.97", NULL, NULL, NULL), WW_LOGIN_OK);
    /* Success forgives the account's failures. */
    for (int i = 0; i < 4; i++)
        assert_int_equal(login(&f, "tom", "wrong guess no 3", NULL, "10.1.1.1", NULL, NULL, NULL),
                         WW_LOGIN_DENIED);
    assert_int_equal(login(&f, "tom", pw, NULL, "10.1.1.2", NULL, NULL, NULL), WW_LOGIN_OK);

    /* Unknown names are throttled exactly like real ones: nothing tells them apart. */
    for (int i = 0; i < 5; i++) {
        snprintf(src, sizeof src, "10.2.0.%d", i + 1);
        assert_int_equal(login(&f, "nobody", "wrong guess no 4", NULL, src, NULL, NULL, NULL),
                         WW_LOGIN_DENIED);
    }
    assert_int_equal(login(&f, "nobody", "wrong guess no 4", NULL, "10.2.0.9", NULL, NULL, &retry),
                     WW_LOGIN_THROTTLED);
    assert_int_equal(retry, 60);

    /* Per address: failures against many names from one address lock that address
       for everyone, while the same user from elsewhere gets in. */
    fake_now += 3600 * 5;
    for (int i = 0; i < 5; i++) {
        char name[16];
        snprintf(name, sizeof name, "spray%d", i);
        assert_int_equal(login(&f, name, "Winter2026!!", NULL, "192.0.2.66", NULL, NULL, NULL),
                         WW_LOGIN_DENIED);
    }
    assert_int_equal(login(&f, "tom", pw, NULL, "192.0.2.66", NULL, NULL, &retry),
                     WW_LOGIN_THROTTLED);
    assert_int_equal(retry, 60);
    assert_int_equal(login(&f, "tom", pw, NULL, "192.0.2.67", NULL, NULL, NULL), WW_LOGIN_OK);

    /* IPv6 clients are counted by their /64 (a host may hold all of it); an
       IPv4-mapped address counts as its IPv4 address. */
    for (int i = 0; i < 5; i++) {
        char name[16];
        snprintf(name, sizeof name, "hop%d", i);
        snprintf(src, sizeof src, "2001:db8:1:2::%x", i + 1);
        assert_int_equal(login(&f, name, "Winter2026!!", NULL, src, NULL, NULL, NULL),
                         WW_LOGIN_DENIED);
    }
    assert_int_equal(login(&f, "tom", pw, NULL, "2001:db8:1:2:ffff::9", NULL, NULL, &retry),
                     WW_LOGIN_THROTTLED);
    assert_int_equal(login(&f, "tom", pw, NULL, "2001:db8:1:3::1", NULL, NULL, NULL), WW_LOGIN_OK);
    assert_int_equal(login(&f, "tom", pw, NULL, "::ffff:192.0.2.66", NULL, NULL, &retry),
                     WW_LOGIN_THROTTLED);

    /* Every failure is in the audit log with its reason; the caller never saw one. */
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(f.st->db,
                                        "SELECT count(*) FROM auth_audit WHERE action="
                                        "'login.failure' AND detail LIKE 'unknown user%'",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 15);
    sqlite3_finalize(q);
    fx_close(&f);
}

static void test_throttle_cap(void **state)
{
    (void)state;
    fixture_t f;
    fx_open(&f, "cap");
    fake_now = 1700000000;
    int64_t retry = 0, expect = 60;
    char src[32];
    for (int i = 0; i < 5; i++) {
        snprintf(src, sizeof src, "10.4.0.%d", i + 1);
        assert_int_equal(login(&f, "una", "wrong guess no 6", NULL, src, NULL, NULL, NULL),
                         WW_LOGIN_DENIED);
    }
    /* A failure just after each delay ends doubles the next delay, up to an hour; the
       count is not forgotten while the failures keep coming. */
    for (int k = 0; k < 8; k++) {
        assert_int_equal(login(&f, "una", "wrong guess no 6", NULL, "10.4.9.9", NULL, NULL, &retry),
                         WW_LOGIN_THROTTLED);
        assert_int_equal(retry, expect);
        fake_now += retry;
        snprintf(src, sizeof src, "10.4.1.%d", k + 1);
        assert_int_equal(login(&f, "una", "wrong guess no 6", NULL, src, NULL, NULL, NULL),
                         WW_LOGIN_DENIED);
        expect = expect * 2 > 3600 ? 3600 : expect * 2;
    }
    assert_int_equal(retry, 3600);
    /* Fifteen quiet minutes after the last delay: forgotten. */
    fake_now += 3600 + 15 * 60;
    assert_int_equal(login(&f, "una", "wrong guess no 7", NULL, "10.4.2.1", NULL, NULL, NULL),
                     WW_LOGIN_DENIED);
    assert_int_equal(login(&f, "una", "wrong guess no 7", NULL, "10.4.2.2", NULL, NULL, NULL),
                     WW_LOGIN_DENIED);
    fx_close(&f);
}

/* ---- tokens ---- */

static void test_tokens(void **state)
{
    (void)state;
    fixture_t f;
    fx_open(&f, "tokens");
    fake_now = 1700000000;
    char tok[WW_TOKEN_LEN + 1], tok2[WW_TOKEN_LEN + 1];
    ww_diag_t d = {0};
    assert_int_equal(ww_auth_token_add(f.a, &ADMIN, "siem-export", WW_ROLE_ANALYST, tok, &d), 0);
    assert_int_equal(strncmp(tok, "ww_", 3), 0);
    assert_int_equal(strlen(tok), WW_TOKEN_LEN);
    assert_int_equal(ww_auth_token_add(f.a, &ADMIN, "siem-export", WW_ROLE_VIEWER, tok2, &d),
                     WW_EINVAL);
    assert_int_equal(ww_auth_token_add(f.a, &ADMIN, "root-bot", WW_ROLE_ADMIN, tok2, &d),
                     WW_EINVAL);
    assert_non_null(strstr(d.msg, "admin"));
    assert_int_equal(ww_auth_token_add(f.a, &ADMIN, "board", WW_ROLE_VIEWER, tok2, &d), 0);
    assert_string_not_equal(tok, tok2);

    ww_token_t t;
    fake_now += 100;
    assert_int_equal(ww_auth_token_check(f.a, tok, &t, &d), 1);
    assert_string_equal(t.name, "siem-export");
    assert_int_equal(t.role, WW_ROLE_ANALYST);
    assert_int_equal(t.last_used, fake_now);
    assert_true(ww_role_may(t.role, WW_ACT_TRIAGE));
    assert_false(ww_role_may(t.role, WW_ACT_FIREBREAK_PLAN));
    assert_false(ww_role_may(t.role, WW_ACT_TOKENS));
    assert_int_equal(ww_auth_token_check(f.a, tok2, &t, &d), 1);
    assert_int_equal(t.role, WW_ROLE_VIEWER);
    assert_false(ww_role_may(t.role, WW_ACT_TRIAGE));

    /* Near misses are not tokens. */
    char bad[WW_TOKEN_LEN + 1];
    memcpy(bad, tok, sizeof bad);
    bad[10] = bad[10] == 'x' ? 'y' : 'x';
    assert_int_equal(ww_auth_token_check(f.a, bad, &t, &d), 0);
    assert_int_equal(ww_auth_token_check(f.a, tok + 3, &t, &d), 0);
    assert_int_equal(ww_auth_token_check(f.a, "", &t, &d), 0);
    /* Only the hash is stored. */
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(f.st->db, "SELECT hash FROM auth_token", -1, &q, NULL),
                     SQLITE_OK);
    while (sqlite3_step(q) == SQLITE_ROW)
        assert_int_equal(sqlite3_column_bytes(q, 0), 32);
    sqlite3_finalize(q);

    assert_int_equal(ww_auth_token_revoke(f.a, &ADMIN, "siem-export", &d), 0);
    assert_int_equal(ww_auth_token_check(f.a, tok, &t, &d), 0);
    assert_int_equal(ww_auth_token_revoke(f.a, &ADMIN, "siem-export", &d), WW_ENOENT);
    /* The name is free again for a new token. */
    assert_int_equal(ww_auth_token_add(f.a, &ADMIN, "siem-export", WW_ROLE_ANALYST, tok, &d), 0);
    fx_close(&f);
}

/* ---- the audit log ---- */

static int count_rows(void *ud, const ww_audit_row_t *r)
{
    (void)r;
    (*(int *)ud)++;
    return 0;
}

static void audit_setup(fixture_t *f, const char *tag)
{
    fx_open(f, tag);
    ww_auth_secrets_t s;
    ww_diag_t d = {0};
    add_user(f, "ann", WW_ROLE_ANALYST, "correct horse battery staple", &s);
    assert_int_equal(ww_auth_user_set_disabled(f->a, &ADMIN, "ann", true, &d), 0);
    assert_int_equal(ww_auth_user_set_disabled(f->a, &ADMIN, "ann", false, &d), 0);
    ww_auth_actor_t other = {"bob", "10.9.9.9"};
    assert_int_equal(ww_auth_audit_append(f->a, &other, "alert.ack", "alert 42",
                                          "=cmd|' /C calc'!A0 \"quoted\", with comma", &d),
                     0);
    assert_int_equal(ww_auth_audit_append(f->a, &other, "", "x", "y", &d), WW_EINVAL);
}

static void test_audit_chain(void **state)
{
    (void)state;
    fixture_t f;
    audit_setup(&f, "audit");
    ww_diag_t d = {0};
    char head[65];
    assert_int_equal(ww_auth_audit_verify(f.a, head, &d), 4);
    assert_int_equal(strlen(head), 64);
    int n = 0;
    assert_int_equal(ww_auth_audit_each(f.a, count_rows, &n, &d), 0);
    assert_int_equal(n, 4);

    /* Through SQLite the table refuses changes... */
    assert_int_not_equal(
        sqlite3_exec(f.st->db, "UPDATE auth_audit SET detail='x' WHERE seq=2", NULL, NULL, NULL),
        SQLITE_OK);
    assert_int_not_equal(
        sqlite3_exec(f.st->db, "DELETE FROM auth_audit WHERE seq=2", NULL, NULL, NULL), SQLITE_OK);
    /* ...and someone who drops the guard and edits a row is caught at that row. */
    assert_int_equal(sqlite3_exec(f.st->db,
                                  "DROP TRIGGER auth_audit_no_update;"
                                  "UPDATE auth_audit SET detail='nothing happened' WHERE seq=2",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(ww_auth_audit_verify(f.a, head, &d), WW_EPARSE);
    assert_non_null(strstr(d.msg, "row 2 was changed"));
    fx_close(&f);

    /* Recomputing the edited row's hash breaks the link of the row after it. */
    audit_setup(&f, "audit2");
    ww_audit_row_t r2 = {0};
    assert_int_equal(sqlite3_exec(f.st->db,
                                  "DROP TRIGGER auth_audit_no_update;"
                                  "DROP TRIGGER auth_audit_no_delete;"
                                  "UPDATE auth_audit SET hash=zeroblob(32) WHERE seq=2",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    (void)r2;
    assert_int_equal(ww_auth_audit_verify(f.a, head, &d), WW_EPARSE);
    assert_non_null(strstr(d.msg, "row 2"));
    /* A removed row in the middle. */
    assert_int_equal(sqlite3_exec(f.st->db, "DELETE FROM auth_audit WHERE seq=2", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(ww_auth_audit_verify(f.a, head, &d), WW_EPARSE);
    assert_non_null(strstr(d.msg, "row 3 follows row 1"));
    fx_close(&f);

    /* A removed first row. */
    audit_setup(&f, "audit3");
    assert_int_equal(sqlite3_exec(f.st->db,
                                  "DROP TRIGGER auth_audit_no_delete;"
                                  "DROP TRIGGER auth_audit_no_update;"
                                  "DELETE FROM auth_audit WHERE seq=1;"
                                  "UPDATE auth_audit SET seq=seq-1",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(ww_auth_audit_verify(f.a, head, &d), WW_EPARSE);
    assert_non_null(strstr(d.msg, "row 1 does not link"));
    fx_close(&f);

    /* An empty log verifies, with no head. */
    fx_open(&f, "audit4");
    assert_int_equal(ww_auth_audit_verify(f.a, head, &d), 0);
    assert_string_equal(head, "");
    fx_close(&f);
}

typedef struct fmt_ctx {
    ww_buf_t nd, csv;
} fmt_ctx_t;

static int fmt_rows(void *ud, const ww_audit_row_t *r)
{
    fmt_ctx_t *c = ud;
    ww_auth_audit_format(r, WW_AUTH_AUDIT_NDJSON, &c->nd);
    ww_auth_audit_format(r, WW_AUTH_AUDIT_CSV, &c->csv);
    return 0;
}

static void test_audit_export(void **state)
{
    (void)state;
    fixture_t f;
    fake_now = 1764774245; /* 2025-12-03T15:04:05Z */
    audit_setup(&f, "export");
    fmt_ctx_t c;
    ww_buf_init(&c.nd, 0);
    ww_buf_init(&c.csv, 0);
    ww_auth_audit_csv_header(&c.csv);
    ww_diag_t d = {0};
    assert_int_equal(ww_auth_audit_each(f.a, fmt_rows, &c, &d), 0);
    assert_non_null(strstr(c.nd.p, "{\"seq\":1,\"time\":\"2025-12-03T15:04:05Z\",\"actor\":"
                                   "\"cli:test\",\"action\":\"user.add\",\"target\":\"ann\""));
    assert_non_null(strstr(c.nd.p, "\"detail\":\"=cmd|' /C calc'!A0 \\\"quoted\\\", with comma\""));
    assert_int_equal(strncmp(c.csv.p, "seq,time,actor,action,target,detail,source,prev,hash\n", 53),
                     0);
    /* Quotes doubled; a formula defused with a leading '. */
    assert_non_null(strstr(c.csv.p, ",\"'=cmd|' /C calc'!A0 \"\"quoted\"\", with comma\","));
    assert_non_null(
        strstr(c.csv.p, "\n4,2025-12-03T15:04:05Z,\"bob\",\"alert.ack\",\"alert 42\","));
    int lines = 0;
    for (const char *p = c.nd.p; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 4);
    ww_buf_release(&c.nd);
    ww_buf_release(&c.csv);
    fx_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_password_policy),
        cmocka_unit_test(test_hash_and_rehash),
        cmocka_unit_test(test_totp_rfc6238),
        cmocka_unit_test(test_totp_login),
        cmocka_unit_test(test_sessions),
        cmocka_unit_test(test_password_change_and_reauth),
        cmocka_unit_test(test_throttle),
        cmocka_unit_test(test_throttle_cap),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_audit_chain),
        cmocka_unit_test(test_audit_export),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
