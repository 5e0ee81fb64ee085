/* libFuzzer target for what lib/auth takes from a stranger before anyone is logged in:
 * the input is split at newlines into a user name, a password, a TOTP code and a
 * session id or API token, and each goes through its check (name rules, the password
 * policy, the TOTP code, session and token lookups on an empty store); an audit row
 * holding the same bytes is exported as NDJSON and CSV.  Everything must be refused
 * or accepted cleanly, and the exports must stay one line of valid text each.  (The
 * Argon2id login itself is left out: it is a library call, and too slow to fuzz.) */
#include <stdlib.h>
#include <string.h>

#include "auth/ww_auth.h"

static ww_store_t *st;
static ww_auth_t *auth;

/* The next field: up to a newline or the end. */
static char *field(const uint8_t **p, const uint8_t *end)
{
    const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
    size_t n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
    char *s = malloc(n + 1);
    if (!s)
        abort();
    memcpy(s, *p, n);
    s[n] = 0;
    *p += n + (nl ? 1 : 0);
    return s;
}

/* One line, no raw control characters inside it. */
static void one_line(const ww_buf_t *b, bool json)
{
    if (!b->n || b->p[b->n - 1] != '\n')
        abort();
    for (size_t i = 0; i + 1 < b->n; i++) {
        unsigned char c = (unsigned char)b->p[i];
        if (c == '\n' && json)
            abort();
        if (json && c < 0x20)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ww_diag_t d;
    if (!auth) {
        ww_auth_config_t c;
        ww_auth_config_default(&c);
        c.pwhash_mem = WW_AUTH_PWHASH_MEM_MIN;
        if (ww_store_open(":memory:", &st, &d) != 0 || ww_auth_open(st, &c, &auth, &d) != 0)
            abort();
    }
    const uint8_t *p = data, *end = data + size;
    char *name = field(&p, end), *pw = field(&p, end), *code = field(&p, end);
    char *id = field(&p, end);
    size_t pwlen = strlen(pw);

    char why[256];
    if (ww_auth_name_check(name, why, sizeof why) == 0 && (!name[0] || strlen(name) > 64))
        abort();
    int rc = ww_auth_password_check(auth, name, pw, pwlen, why, sizeof why);
    if (rc == 0 && (pwlen < WW_AUTH_PASSWORD_MIN || pwlen > WW_AUTH_PASSWORD_MAX))
        abort();
    if (rc != 0 && rc != WW_EINVAL)
        abort(); /* the list is there: only a verdict is expected */
    static const uint8_t secret[] = "12345678901234567890";
    int64_t step = 0;
    rc = ww_totp_check(secret, 20, code, 1111111109, 0, &step);
    if (rc != 0 && rc != 1 && rc != WW_EINVAL)
        abort();
    ww_session_t s;
    ww_token_t t;
    if (ww_auth_session_check(auth, id, &s, &d) != 0 || ww_auth_token_check(auth, id, &t, &d) != 0)
        abort(); /* nothing is stored: nothing can match */

    ww_audit_row_t r = {.seq = 1,
                        .ts = 1764774245,
                        .actor = name,
                        .action = "login.failure",
                        .target = name,
                        .detail = pw,
                        .source = code};
    ww_buf_t b;
    ww_buf_init(&b, 0);
    ww_auth_audit_format(&r, WW_AUTH_AUDIT_NDJSON, &b);
    one_line(&b, true);
    ww_buf_clear(&b);
    ww_auth_audit_format(&r, WW_AUTH_AUDIT_CSV, &b);
    one_line(&b, false);
    ww_buf_release(&b);
    free(name);
    free(pw);
    free(code);
    free(id);
    return 0;
}
