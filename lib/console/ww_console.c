/* The console's core (see ww_console.h): the server with every module's routes, each
 * server thread's own store connection, sessions and API tokens from lib/auth, the
 * pages every console has (sign in with TOTP, sign out, change password,
 * re-authenticate, the overview, the audit log) and the helpers the modules share.
 *
 * Every route runs through one wrapper (dispatch): a session whose password must be
 * changed reaches nothing but the password page and sign-out, whatever the module
 * forgot, and a handler that fails is logged with its path. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "alerts/ww_alerts.h"
#include "console/ww_console.h"

#define MAX_ROUTES 256
#define MAX_DBS 64 /* server threads that may hold a connection */

typedef struct wrap {
    ww_web_handler_fn fn;
    ww_console_t *c;
} wrap_t;

struct ww_console {
    ww_console_config_t cfg;
    ww_web_t *web;
    ww_web_route_t routes[MAX_ROUTES];
    wrap_t wraps[MAX_ROUTES];
    uint32_t nroutes;
    pthread_key_t key;
    bool key_made;
    pthread_mutex_t lock; /* dbs */
    ww_console_db_t *dbs[MAX_DBS];
    uint32_t ndbs;
};

/* ---- configuration ------------------------------------------------------------------ */

void ww_console_config_default(ww_console_config_t *c)
{
    memset(c, 0, sizeof *c);
    c->web.listen = "127.0.0.1";
    c->web.port = 8443;
    ww_web_limits_default(&c->web.limits);
    ww_auth_config_default(&c->auth);
    /* National defaults a trust replaces with its own desk's numbers (docs/console.md). */
    c->contacts.service_desk = "your IT service desk";
    c->contacts.phishing_address = "spamreports@nhs.net";
    c->contacts.csoc_phone = "0300 303 5222";
}

const ww_web_t *ww_console_web(const ww_console_t *c)
{
    return c->web;
}

const ww_console_config_t *ww_console_cfg(const ww_console_t *c)
{
    return &c->cfg;
}

int ww_console_port(const ww_console_t *c)
{
    return c->web ? ww_web_port(c->web) : 0;
}

static void con_log(ww_console_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void con_log(ww_console_t *c, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->cfg.log)
        c->cfg.log(c->cfg.ud, msg);
    else
        WW_LOG(WW_LOG_INFO, "%s", msg);
}

/* ---- each thread's connection ------------------------------------------------------- */

static void db_close(ww_console_db_t *d)
{
    if (!d)
        return;
    ww_auth_free(d->auth);
    if (d->reg && d->reg != d->st)
        ww_store_close(d->reg);
    ww_store_close(d->st);
    free(d);
}

static int db_open(ww_console_t *c, ww_console_db_t **out, ww_diag_t *diag)
{
    ww_console_db_t *d = calloc(1, sizeof *d);
    if (!d)
        return WW_ENOMEM;
    int rc = ww_store_open(c->cfg.store_path, &d->st, diag);
    if (rc == 0)
        rc = ww_auth_open(d->st, &c->cfg.auth, &d->auth, diag);
    if (rc == 0 && c->cfg.register_path && strcmp(c->cfg.register_path, c->cfg.store_path))
        rc = ww_store_open(c->cfg.register_path, &d->reg, diag);
    else if (rc == 0)
        d->reg = d->st;
    if (rc) {
        db_close(d);
        return rc;
    }
    *out = d;
    return 0;
}

int ww_console_db(ww_console_t *c, ww_console_db_t **out, ww_diag_t *diag)
{
    ww_console_db_t *d = pthread_getspecific(c->key);
    if (d) {
        *out = d;
        return 0;
    }
    pthread_mutex_lock(&c->lock);
    bool room = c->ndbs < MAX_DBS;
    pthread_mutex_unlock(&c->lock);
    if (!room) {
        ww_diag_set(diag, "", 0, 0, "console: more than %d threads asked for the store", MAX_DBS);
        return WW_ELIMIT;
    }
    int rc = db_open(c, &d, diag);
    if (rc)
        return rc;
    pthread_mutex_lock(&c->lock);
    if (c->ndbs < MAX_DBS) {
        c->dbs[c->ndbs++] = d;
    } else {
        pthread_mutex_unlock(&c->lock);
        db_close(d);
        ww_diag_set(diag, "", 0, 0, "console: more than %d threads asked for the store", MAX_DBS);
        return WW_ELIMIT;
    }
    pthread_mutex_unlock(&c->lock);
    pthread_setspecific(c->key, d);
    *out = d;
    return 0;
}

/* ---- sessions and tokens, for lib/web ------------------------------------------------ */

static int auth_session(void *ud, const char *cookie, ww_web_session_t *out)
{
    ww_console_t *c = ud;
    ww_console_db_t *db;
    ww_diag_t d = {0};
    int rc = ww_console_db(c, &db, &d);
    ww_session_t s;
    if (rc == 0)
        rc = ww_auth_session_check(db->auth, cookie, &s, &d);
    if (rc < 0) {
        con_log(c, "console: checking a session: %s", d.msg);
        return rc;
    }
    if (rc == 0)
        return WW_ENOENT;
    memset(out, 0, sizeof *out);
    snprintf(out->user, sizeof out->user, "%s", s.user);
    out->role = (int)s.role; /* the two enums count viewer..admin alike */
    snprintf(out->csrf, sizeof out->csrf, "%s", s.csrf);
    out->must_change = s.must_change;
    out->reauth_at = s.reauth_at;
    return 0;
}

static int auth_token(void *ud, const char *token, ww_web_session_t *out)
{
    ww_console_t *c = ud;
    ww_console_db_t *db;
    ww_diag_t d = {0};
    int rc = ww_console_db(c, &db, &d);
    ww_token_t t;
    if (rc == 0)
        rc = ww_auth_token_check(db->auth, token, &t, &d);
    if (rc < 0) {
        con_log(c, "console: checking an API token: %s", d.msg);
        return rc;
    }
    if (rc == 0)
        return WW_ENOENT;
    memset(out, 0, sizeof *out);
    snprintf(out->user, sizeof out->user, "token:%s", t.name);
    out->role = (int)t.role;
    return 0;
}

/* ---- helpers for handlers ------------------------------------------------------------- */

void ww_console_actor(const ww_web_req_t *req, ww_auth_actor_t *out)
{
    out->name = req->has_session ? req->session.user : "anonymous";
    out->source = req->peer && *req->peer ? req->peer : "unknown";
}

bool ww_console_may(const ww_web_req_t *req, ww_action_t act)
{
    return req->has_session && !req->session.must_change &&
           ww_role_may((ww_role_t)req->session.role, act);
}

bool ww_console_reauth_fresh(ww_console_t *c, const ww_web_req_t *req)
{
    if (!req->has_session || req->session.token || !req->session.reauth_at)
        return false;
    ww_console_db_t *db;
    ww_diag_t d = {0};
    if (ww_console_db(c, &db, &d) != 0)
        return false;
    ww_session_t s;
    memset(&s, 0, sizeof s);
    s.reauth_at = req->session.reauth_at;
    return ww_auth_reauth_fresh(db->auth, &s);
}

int ww_console_audit(ww_console_t *c, const ww_web_req_t *req, const char *action,
                     const char *target, const char *detail)
{
    ww_console_db_t *db;
    ww_diag_t d = {0};
    ww_auth_actor_t by;
    ww_console_actor(req, &by);
    int rc = ww_console_db(c, &db, &d);
    if (rc == 0)
        rc = ww_auth_audit_append(db->auth, &by, action, target ? target : "", detail ? detail : "",
                                  &d);
    if (rc)
        con_log(c, "console: the audit log refused %s by %s: %s", action, by.name, d.msg);
    return rc;
}

/* The sections, and the role that sees each in the navigation. */
static const struct {
    const char *path, *label;
    int role;
} sections[] = {
    {"/", "Overview", WW_WEB_VIEWER},
    {"/alerts", "Alerts", WW_WEB_ANALYST},
    {"/incidents", "Incidents", WW_WEB_ANALYST},
    {"/estate", "Estate", WW_WEB_VIEWER},
    {"/firebreaks", "Fire-breaks", WW_WEB_VIEWER},
    {"/cyberalerts", "Cyber alerts", WW_WEB_ANALYST},
    {"/board", "Board report", WW_WEB_VIEWER},
    {"/admin/users", "People", WW_WEB_ADMIN},
    {"/admin/audit", "Audit log", WW_WEB_ADMIN},
};

/* Only sections some module serves are shown. */
static bool served(const ww_console_t *c, const char *path)
{
    for (uint32_t i = 0; i < c->nroutes; i++)
        if (!strcmp(c->routes[i].method, "GET") && !strcmp(c->routes[i].pattern, path))
            return true;
    return false;
}

int ww_console_page_begin(ww_console_t *c, const ww_web_req_t *req, ww_web_resp_t *resp,
                          const char *title, const char *current)
{
    resp->content_type = "text/html; charset=utf-8";
    ww_web_page_t pg = {.title = title, .current = current};
    if (req->has_session && !req->session.token) {
        pg.user = req->session.user;
        pg.role = ww_web_role_name(req->session.role);
        pg.csrf = req->session.csrf;
    }
    ww_buf_t *b = &resp->body;
    ww_web_page_begin(b, &pg);
    if (req->has_session && !req->session.must_change) {
        ww_buf_puts(b, "<nav class=\"ww-sections\" aria-label=\"Console sections\">\n"
                       "<ul class=\"ww-sections__list\">\n");
        for (size_t i = 0; i < WW_ARRAY_LEN(sections); i++) {
            if (req->session.role < sections[i].role || !served(c, sections[i].path))
                continue;
            bool here = current && !strcmp(current, sections[i].path);
            ww_buf_printf(b, "<li class=\"ww-sections__item\"><a href=\"%s\"%s>%s</a></li>\n",
                          sections[i].path, here ? " aria-current=\"page\"" : "",
                          sections[i].label);
        }
        ww_buf_puts(b, "</ul>\n</nav>\n");
    }
    return b->err;
}

int ww_console_page_end(ww_web_resp_t *resp)
{
    return ww_web_page_end(&resp->body);
}

int ww_console_csrf_field(ww_buf_t *b, const ww_web_req_t *req)
{
    const char *t = req->has_session ? req->session.csrf : "";
    ww_buf_puts(b, "<input type=\"hidden\" name=\"" WW_WEB_CSRF_FIELD "\" value=\"");
    ww_html_attr(b, t, strlen(t));
    ww_buf_puts(b, "\">\n");
    return b->err;
}

void ww_console_json(ww_web_resp_t *resp, unsigned status)
{
    resp->status = status;
    resp->content_type = "application/json";
}

int ww_console_fail(ww_console_t *c, const ww_web_req_t *req, ww_web_resp_t *resp,
                    const ww_diag_t *diag)
{
    con_log(c, "console: %s %s: %s%s%s", req->method_name ? req->method_name : "?",
            req->path ? req->path : "?", diag && diag->file[0] ? diag->file : "",
            diag && diag->file[0] ? ": " : "", diag && diag->msg[0] ? diag->msg : "failed");
    ww_buf_clear(&resp->body);
    resp->nheaders = 0;
    ww_web_resp_error(req, resp, 500, "Something went wrong on the server; it has been logged.");
    return 0;
}

int ww_console_time(ww_buf_t *b, int64_t t)
{
    if (t <= 0)
        return ww_buf_puts(b, "never"), b->err;
    time_t tt = (time_t)t;
    struct tm tm;
    char s[64];
    gmtime_r(&tt, &tm);
    strftime(s, sizeof s, "%Y-%m-%d %H:%M UTC", &tm);
    ww_buf_puts(b, s);
    return b->err;
}

/* ---- dispatch --------------------------------------------------------------------------- */

static bool is_api(const ww_web_req_t *req)
{
    return !strncmp(req->path, "/api/", 5);
}

/* Where a password must be changed first, these are all that answer. */
static bool allowed_before_change(const char *pattern)
{
    return !strcmp(pattern, "/account/password") || !strcmp(pattern, "/logout");
}

static int dispatch(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    wrap_t *w = ud;
    if (req->has_session && req->session.must_change && req->route &&
        !allowed_before_change(req->route->pattern)) {
        if (is_api(req) || req->method != WW_WEB_GET)
            return ww_web_resp_error(req, resp, 403,
                                     "Change your password first (/account/password).");
        return ww_web_resp_redirect(resp, "/account/password");
    }
    return w->fn(req, resp, w->c);
}

/* ---- sign in, sign out, password, re-authentication -------------------------------------- */

/* A local path to go back to, or "/": only "/x..." (not "//", no backslash, no
 * control byte) is followed, so a link cannot send people to another site. */
static const char *safe_next(const char *next)
{
    if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\')
        return "/";
    for (const char *p = next; *p; p++)
        if ((unsigned char)*p < 0x21 || *p == '\\' || *p == 0x7f)
            return "/";
    return strlen(next) < 1024 ? next : "/";
}

/* A field of the sign-in pages: the TOTP code is digits, typed, never spell-checked. */
static void input(ww_buf_t *b, const char *id, const char *label, const char *hint,
                  const char *type, const char *autocomplete, const char *value)
{
    ww_console_input(
        b, &(ww_console_input_t){
               .id = id,
               .label = label,
               .hint = hint,
               .value = value,
               .type = type,
               .autocomplete = autocomplete,
               .extra = !strcmp(id, "totp") ? " inputmode=\"numeric\" spellcheck=\"false\"" : NULL,
           });
}

static int login_page(ww_console_t *c, ww_web_req_t *req, ww_web_resp_t *resp, const char *error,
                      const char *name)
{
    const char *tok = ww_web_pre_token(req, resp);
    if (!tok)
        return WW_ENOMEM;
    ww_console_page_begin(c, req, resp, "Sign in", NULL);
    ww_buf_t *b = &resp->body;
    if (error)
        ww_console_error_summary(b, 2, error, "user");
    ww_buf_puts(b, "<h1>Sign in to wardwatch</h1>\n");
    if (c->cfg.trust_name) {
        ww_buf_puts(b, "<p class=\"nhsuk-body-l\">");
        ww_html_textz(b, c->cfg.trust_name);
        ww_buf_puts(b, "</p>\n");
    }
    ww_buf_puts(b, "<form method=\"post\" action=\"/login\" novalidate>\n");
    ww_buf_puts(b, "<input type=\"hidden\" name=\"" WW_WEB_CSRF_FIELD "\" value=\"");
    ww_html_attr(b, tok, strlen(tok));
    ww_buf_puts(b, "\">\n<input type=\"hidden\" name=\"next\" value=\"");
    const char *next =
        safe_next(ww_web_query(req, "next") ? ww_web_query(req, "next") : ww_web_form(req, "next"));
    ww_html_attr(b, next, strlen(next));
    ww_buf_puts(b, "\">\n");
    input(b, "user", "Name", NULL, "text", "username", name);
    input(b, "password", "Password", NULL, "password", "current-password", NULL);
    input(b, "totp", "Code from your authenticator app",
          "6 digits. Leave empty if you have not been given one.", "text", "one-time-code", NULL);
    ww_buf_puts(b, "<button class=\"nhsuk-button\" type=\"submit\">Sign in</button>\n</form>\n"
                   "<p>Not on the security team? To report a concern, use "
                   "<a href=\"/report\">report a cyber security concern</a>.</p>\n");
    return ww_console_page_end(resp);
}

static int h_login_form(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    if (req->has_session && !req->session.token)
        return ww_web_resp_redirect(resp, safe_next(ww_web_query(req, "next")));
    return login_page(c, req, resp, NULL, NULL);
}

static int h_login(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    ww_diag_t d = {0};
    ww_console_db_t *db = ww_console_db_or_fail(c, req, resp);
    if (!db)
        return 0;
    const char *name = ww_web_form(req, "user"), *pw = ww_web_form(req, "password"),
               *totp = ww_web_form(req, "totp");
    if (!name || !*name || !pw || !*pw) {
        resp->status = 400;
        return login_page(c, req, resp, "Enter your name and password.", name);
    }
    ww_login_t lr = {name, pw, totp && *totp ? totp : NULL, req->peer};
    ww_login_result_t res;
    char id[WW_SESSION_ID_LEN + 1];
    ww_session_t s;
    int64_t retry = 0;
    if (ww_auth_login(db->auth, &lr, &res, id, &s, &retry, &d) != 0)
        return ww_console_fail(c, req, resp, &d);
    if (res == WW_LOGIN_THROTTLED) {
        char ra[32];
        snprintf(ra, sizeof ra, "%lld", (long long)retry);
        resp->status = 429;
        ww_web_resp_header(resp, "Retry-After", ra);
        char msg[160];
        snprintf(msg, sizeof msg,
                 "Too many attempts. Wait %lld minute%s and try again, or ask an administrator.",
                 (long long)((retry + 59) / 60), (retry + 59) / 60 == 1 ? "" : "s");
        return login_page(c, req, resp, msg, name);
    }
    if (res != WW_LOGIN_OK) {
        resp->status = 401;
        return login_page(c, req, resp,
                          "The name, password or code is not right. Check them and try again.",
                          name);
    }
    /* A new id on every sign-in (lib/auth made it): a cookie planted before cannot
       become a session.  No Max-Age: the cookie ends with the browser, and lib/auth's
       idle and absolute timeouts end the session on the server. */
    int rc = ww_web_set_session_cookie(resp, id, 0);
    sodium_memzero(id, sizeof id);
    if (rc)
        return rc;
    con_log(c, "console: %s signed in from %s", s.user, req->peer);
    return ww_web_resp_redirect(resp, s.must_change ? "/account/password"
                                                    : safe_next(ww_web_form(req, "next")));
}

static int h_logout(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    ww_console_db_t *db;
    ww_diag_t d = {0};
    const char *id = ww_web_cookie(req, WW_WEB_SESSION_COOKIE);
    if (req->has_session && !req->session.token && id) {
        if (ww_console_db(c, &db, &d) != 0 ||
            ww_auth_logout(db->auth, id, ww_web_form(req, "everywhere") != NULL, req->peer, &d) < 0)
            return ww_console_fail(c, req, resp, &d);
    }
    ww_web_clear_session_cookie(resp);
    return ww_web_resp_redirect(resp, "/login");
}

static int password_page(ww_console_t *c, ww_web_req_t *req, ww_web_resp_t *resp, const char *error)
{
    ww_console_page_begin(c, req, resp, "Change your password", NULL);
    ww_buf_t *b = &resp->body;
    if (error)
        ww_console_error_summary(b, 2, error, "old");
    ww_buf_puts(b, "<h1>Change your password</h1>\n");
    if (req->session.must_change)
        ww_buf_puts(b, "<p>Your password was set by an administrator. Choose your own before "
                       "you go on.</p>\n");
    ww_buf_puts(b, "<p>Use at least 12 characters. Three random words make a good one; a "
                   "password manager is welcome. Do not use a password you use anywhere "
                   "else.</p>\n<form method=\"post\" action=\"/account/password\" novalidate>\n");
    ww_console_csrf_field(b, req);
    input(b, "old", "Current password", NULL, "password", "current-password", NULL);
    input(b, "new", "New password", NULL, "password", "new-password", NULL);
    ww_buf_puts(b, "<button class=\"nhsuk-button\" type=\"submit\">Change password</button>\n"
                   "</form>\n");
    return ww_console_page_end(resp);
}

static int h_password_form(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    return password_page(ud, req, resp, NULL);
}

static int h_password(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    ww_diag_t d = {0};
    if (req->session.token)
        return ww_web_resp_error(req, resp, 403, "An API token has no password.");
    ww_console_db_t *db = ww_console_db_or_fail(c, req, resp);
    if (!db)
        return 0;
    const char *id = ww_web_cookie(req, WW_WEB_SESSION_COOKIE), *old = ww_web_form(req, "old"),
               *nw = ww_web_form(req, "new");
    char why[256] = "";
    int rc = ww_auth_change_password(db->auth, id ? id : "", old ? old : "", nw ? nw : "",
                                     req->peer, why, sizeof why, &d);
    if (rc == WW_EINVAL) {
        resp->status = 400;
        return password_page(c, req, resp, why[0] ? why : "The password was not accepted.");
    }
    if (rc == WW_ENOENT)
        return ww_web_resp_redirect(resp, "/login");
    if (rc)
        return ww_console_fail(c, req, resp, &d);
    return ww_web_resp_redirect(resp, "/");
}

static int reauth_page(ww_console_t *c, ww_web_req_t *req, ww_web_resp_t *resp, const char *error)
{
    ww_console_page_begin(c, req, resp, "Confirm it is you", NULL);
    ww_buf_t *b = &resp->body;
    if (error)
        ww_console_error_summary(b, 2, error, "password");
    ww_buf_puts(b, "<h1>Confirm it is you</h1>\n<p>Cutting off part of the network needs "
                   "your password and a code from your authenticator app again.</p>\n"
                   "<form method=\"post\" action=\"/reauth\" novalidate>\n");
    ww_console_csrf_field(b, req);
    const char *next =
        safe_next(ww_web_query(req, "next") ? ww_web_query(req, "next") : ww_web_form(req, "next"));
    ww_buf_puts(b, "<input type=\"hidden\" name=\"next\" value=\"");
    ww_html_attr(b, next, strlen(next));
    ww_buf_puts(b, "\">\n");
    input(b, "password", "Password", NULL, "password", "current-password", NULL);
    input(b, "totp", "Code from your authenticator app", "6 digits.", "text", "one-time-code",
          NULL);
    ww_buf_puts(b, "<button class=\"nhsuk-button\" type=\"submit\">Continue</button>\n</form>\n");
    return ww_console_page_end(resp);
}

static int h_reauth_form(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    return reauth_page(ud, req, resp, NULL);
}

static int h_reauth(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    ww_diag_t d = {0};
    if (req->session.token)
        return ww_web_resp_error(req, resp, 403, "An API token cannot re-authenticate.");
    ww_console_db_t *db = ww_console_db_or_fail(c, req, resp);
    if (!db)
        return 0;
    const char *id = ww_web_cookie(req, WW_WEB_SESSION_COOKIE), *pw = ww_web_form(req, "password"),
               *totp = ww_web_form(req, "totp");
    ww_login_result_t res;
    if (ww_auth_reauth(db->auth, id ? id : "", pw ? pw : "", totp ? totp : "", req->peer, &res,
                       &d) != 0)
        return ww_console_fail(c, req, resp, &d);
    if (res == WW_LOGIN_THROTTLED) {
        resp->status = 429;
        return reauth_page(c, req, resp, "Too many attempts. Wait a few minutes and try again.");
    }
    if (res != WW_LOGIN_OK) {
        resp->status = 401;
        return reauth_page(c, req, resp, "The password or code is not right.");
    }
    return ww_web_resp_redirect(resp, safe_next(ww_web_form(req, "next")));
}

static int h_whoami(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_json(resp, 200);
    ww_buf_t *b = &resp->body;
    ww_buf_puts(b, "{\"user\":");
    ww_buf_json_str(b, req->session.user, strlen(req->session.user));
    ww_buf_printf(b, ",\"role\":\"%s\",\"token\":%s}\n", ww_web_role_name(req->session.role),
                  req->session.token ? "true" : "false");
    return b->err;
}

/* ---- the overview ------------------------------------------------------------------------ */

int ww_console_open_alerts(ww_console_t *c, ww_console_open_t *out, ww_diag_t *diag)
{
    ww_console_db_t *db;
    int rc = ww_console_db(c, &db, diag);
    if (rc)
        return rc;
    ww_console_open_t o;
    memset(&o, 0, sizeof o);
    sqlite3_stmt *q = NULL;
    int step = SQLITE_ERROR;
    if (sqlite3_prepare_v2(db->st->db, "SELECT priority, groups, alerts FROM alert_open", -1, &q,
                           NULL) == SQLITE_OK) {
        while ((step = sqlite3_step(q)) == SQLITE_ROW) {
            int p = sqlite3_column_int(q, 0);
            int64_t n = sqlite3_column_int64(q, 2);
            if (p >= 1 && p <= 5) {
                o.groups[p] = sqlite3_column_int64(q, 1);
                o.alerts[p] = n;
            }
            o.total += n;
        }
    }
    if (step != SQLITE_DONE) {
        ww_diag_set(diag, db->st->path, 0, 0, "open alerts: %s", sqlite3_errmsg(db->st->db));
        sqlite3_finalize(q);
        return WW_EIO;
    }
    sqlite3_finalize(q);
    *out = o;
    return 0;
}

typedef struct overview {
    ww_console_open_t open;
    int64_t alerts_24h; /* alerts whose event is from the last 24 hours */
    ww_console_health_t health;
    bool have_health;
} overview_t;

static int overview_read(ww_console_t *c, overview_t *o, ww_diag_t *diag)
{
    memset(o, 0, sizeof *o);
    ww_console_db_t *db;
    int rc = ww_console_db(c, &db, diag);
    if (rc == 0)
        rc = ww_console_open_alerts(c, &o->open, diag);
    if (rc)
        return rc;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db->st->db, "SELECT count(*) FROM alert WHERE ts >= ?1", -1, &q, NULL) !=
        SQLITE_OK)
        goto fail;
    sqlite3_bind_int64(q, 1, ((int64_t)time(NULL) - 86400) * 1000000000);
    if (sqlite3_step(q) == SQLITE_ROW)
        o->alerts_24h = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    if (c->cfg.health) {
        c->cfg.health(c->cfg.ud, &o->health);
        o->have_health = true;
    }
    return 0;
fail:
    ww_diag_set(diag, db->st->path, 0, 0, "overview: %s", sqlite3_errmsg(db->st->db));
    sqlite3_finalize(q);
    return WW_EIO;
}

static int h_overview(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    overview_t o;
    ww_diag_t d = {0};
    if (overview_read(c, &o, &d) != 0)
        return ww_console_fail(c, req, resp, &d);
    ww_console_page_begin(c, req, resp, "Overview", "/");
    ww_buf_t *b = &resp->body;
    ww_buf_puts(b, "<h1>Overview</h1>\n");
    if (c->cfg.trust_name) {
        ww_buf_puts(b, "<p class=\"nhsuk-body-l\">");
        ww_html_textz(b, c->cfg.trust_name);
        ww_buf_puts(b, "</p>\n");
    }
    ww_buf_puts(b, "<h2>Open alerts, by priority</h2>\n"
                   "<table class=\"nhsuk-table\">\n<caption class=\"nhsuk-table__caption "
                   "nhsuk-u-visually-hidden\">Open alerts by priority</caption>\n"
                   "<thead class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\">"
                   "<th scope=\"col\" class=\"nhsuk-table__header\">Priority</th>"
                   "<th scope=\"col\" class=\"nhsuk-table__header\">Open alerts</th>"
                   "<th scope=\"col\" class=\"nhsuk-table__header\">Groups (a rule on a host)"
                   "</th></tr></thead>\n<tbody class=\"nhsuk-table__body\">\n");
    static const char *const what[] = {"", "P1 (act now)", "P2", "P3", "P4", "P5"};
    bool triage = ww_console_may(req, WW_ACT_TRIAGE) && served(c, "/alerts");
    for (int p = 1; p <= 5; p++) {
        ww_buf_printf(b, "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">");
        if (triage && o.open.alerts[p])
            ww_buf_printf(b, "<a href=\"/alerts?priority=%d\">%s</a>", p, what[p]);
        else
            ww_buf_puts(b, what[p]);
        ww_buf_printf(b,
                      "</td><td class=\"nhsuk-table__cell\">%lld</td>"
                      "<td class=\"nhsuk-table__cell\">%lld</td></tr>\n",
                      (long long)o.open.alerts[p], (long long)o.open.groups[p]);
    }
    ww_buf_printf(b, "</tbody>\n</table>\n<p>%lld alert%s from the last 24 hours.</p>\n",
                  (long long)o.alerts_24h, o.alerts_24h == 1 ? "" : "s");
    ww_buf_puts(b, "<h2>Log collection</h2>\n");
    if (!o.have_health) {
        ww_buf_puts(b, "<p>Not known: the console is not running inside the monitor.</p>\n");
    } else {
        const ww_console_health_t *h = &o.health;
        ww_buf_puts(b, "<dl class=\"nhsuk-summary-list\">\n");
        ww_buf_printf(
            b,
            "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">"
            "Inputs</dt><dd class=\"nhsuk-summary-list__value\">%u</dd></div>\n"
            "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">"
            "Events received</dt><dd class=\"nhsuk-summary-list__value\">%llu accepted, "
            "%llu refused, %llu lost</dd></div>\n",
            h->inputs, (unsigned long long)h->events_accepted,
            (unsigned long long)h->events_rejected, (unsigned long long)h->events_dropped);
        ww_buf_puts(b,
                    "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">"
                    "Last event</dt><dd class=\"nhsuk-summary-list__value\">");
        ww_console_time(b, h->last_event);
        ww_buf_printf(
            b,
            "</dd></div>\n<div class=\"nhsuk-summary-list__row\">"
            "<dt class=\"nhsuk-summary-list__key\">Spool</dt>"
            "<dd class=\"nhsuk-summary-list__value\">%s%llu MiB of %llu MiB</dd>"
            "</div>\n</dl>\n",
            h->spool_full ? "<strong class=\"nhsuk-tag nhsuk-tag--red\">Full</strong> " : "",
            (unsigned long long)(h->spool_bytes >> 20), (unsigned long long)(h->spool_limit >> 20));
    }
    return ww_console_page_end(resp);
}

static int h_api_overview(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    overview_t o;
    ww_diag_t d = {0};
    if (overview_read(c, &o, &d) != 0)
        return ww_console_fail(c, req, resp, &d);
    ww_console_json(resp, 200);
    ww_buf_t *b = &resp->body;
    ww_buf_puts(b, "{\"open_by_priority\":{");
    for (int p = 1; p <= 5; p++)
        ww_buf_printf(b, "%s\"P%d\":{\"alerts\":%lld,\"groups\":%lld}", p > 1 ? "," : "", p,
                      (long long)o.open.alerts[p], (long long)o.open.groups[p]);
    ww_buf_printf(b, "},\"alerts_24h\":%lld", (long long)o.alerts_24h);
    if (o.have_health) {
        const ww_console_health_t *h = &o.health;
        ww_buf_printf(b,
                      ",\"ingest\":{\"inputs\":%u,\"events_in\":%llu,\"accepted\":%llu,"
                      "\"rejected\":%llu,\"dropped\":%llu,\"spool_bytes\":%llu,"
                      "\"spool_limit\":%llu,\"spool_full\":%s,\"last_event\":%lld}",
                      h->inputs, (unsigned long long)h->events_in,
                      (unsigned long long)h->events_accepted,
                      (unsigned long long)h->events_rejected, (unsigned long long)h->events_dropped,
                      (unsigned long long)h->spool_bytes, (unsigned long long)h->spool_limit,
                      h->spool_full ? "true" : "false", (long long)h->last_event);
    }
    ww_buf_puts(b, "}\n");
    return b->err;
}

/* ---- the audit log ------------------------------------------------------------------------ */

typedef struct audit_walk {
    ww_buf_t *b;
    ww_auth_audit_format_t fmt;
    bool html;
    int64_t from, to; /* seq range shown in HTML */
} audit_walk_t;

static int audit_row(void *ud, const ww_audit_row_t *r)
{
    audit_walk_t *w = ud;
    if (!w->html)
        return ww_auth_audit_format(r, w->fmt, w->b);
    if (r->seq < w->from || r->seq > w->to)
        return 0;
    ww_buf_t *b = w->b;
    ww_buf_printf(b,
                  "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">%lld</td>"
                  "<td class=\"nhsuk-table__cell\">",
                  (long long)r->seq);
    ww_console_time(b, r->ts);
    const char *cells[] = {r->actor, r->action, r->target, r->detail, r->source};
    for (size_t i = 0; i < WW_ARRAY_LEN(cells); i++) {
        ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell\">");
        ww_html_text(b, cells[i] ? cells[i] : "", cells[i] ? strlen(cells[i]) : 0, 300);
    }
    ww_buf_puts(b, "</td></tr>\n");
    return b->err;
}

#define AUDIT_PAGE 200

static int h_audit(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    ww_diag_t d = {0};
    ww_console_db_t *db = ww_console_db_or_fail(c, req, resp);
    if (!db)
        return 0;
    char head[2 * WW_AUDIT_HASH_LEN + 1] = "";
    ww_diag_t vd = {0};
    int64_t n = ww_auth_audit_verify(db->auth, head, &vd);
    if (n < 0 && n != WW_EPARSE)
        return ww_console_fail(c, req, resp, &vd);
    ww_console_page_begin(c, req, resp, "Audit log", "/admin/audit");
    ww_buf_t *b = &resp->body;
    ww_buf_puts(b, "<h1>Audit log</h1>\n");
    if (n == WW_EPARSE) {
        ww_buf_puts(b, "<div class=\"nhsuk-warning-callout\"><h2 class=\"nhsuk-warning-callout__"
                       "label\">The log does not hold together</h2><p>");
        ww_html_textz(b, vd.msg);
        ww_buf_puts(b, "</p></div>\n");
        n = 0;
    } else {
        ww_buf_printf(b,
                      "<p>%lld entries; every entry's hash links to the one before, and the "
                      "whole chain checks out. Last hash: <code>%s</code>.</p>\n",
                      (long long)n, head[0] ? head : "none");
    }
    ww_buf_puts(b, "<p>Download all: <a href=\"/admin/audit.csv\">CSV</a> or "
                   "<a href=\"/admin/audit.ndjson\">NDJSON</a>.</p>\n");
    const char *fs = ww_web_query(req, "from");
    int64_t from = fs ? strtoll(fs, NULL, 10) : 0;
    if (from <= 0)
        from = n > AUDIT_PAGE ? n - AUDIT_PAGE + 1 : 1;
    audit_walk_t w = {b, WW_AUTH_AUDIT_NDJSON, true, from, from + AUDIT_PAGE - 1};
    ww_buf_printf(b,
                  "<table class=\"nhsuk-table\">\n<caption class=\"nhsuk-table__caption\">"
                  "Entries %lld to %lld</caption>\n<thead class=\"nhsuk-table__head\">"
                  "<tr class=\"nhsuk-table__row\">",
                  (long long)from, (long long)(w.to < n ? w.to : n));
    static const char *const cols[] = {"#", "When", "Who", "What", "On", "Detail", "From"};
    for (size_t i = 0; i < WW_ARRAY_LEN(cols); i++)
        ww_buf_printf(b, "<th scope=\"col\" class=\"nhsuk-table__header\">%s</th>", cols[i]);
    ww_buf_puts(b, "</tr></thead>\n<tbody class=\"nhsuk-table__body\">\n");
    if (ww_auth_audit_each(db->auth, audit_row, &w, &d) != 0)
        return ww_console_fail(c, req, resp, &d);
    ww_buf_puts(b, "</tbody>\n</table>\n");
    if (from > 1)
        ww_buf_printf(b, "<p><a href=\"/admin/audit?from=%lld\">Earlier entries</a></p>\n",
                      (long long)(from > AUDIT_PAGE ? from - AUDIT_PAGE : 1));
    return ww_console_page_end(resp);
}

static int audit_export(ww_web_req_t *req, ww_web_resp_t *resp, ww_console_t *c,
                        ww_auth_audit_format_t fmt)
{
    ww_diag_t d = {0};
    ww_console_db_t *db = ww_console_db_or_fail(c, req, resp);
    if (!db)
        return 0;
    audit_walk_t w = {&resp->body, fmt, false, 0, 0};
    if (fmt == WW_AUTH_AUDIT_CSV)
        ww_auth_audit_csv_header(&resp->body);
    if (ww_auth_audit_each(db->auth, audit_row, &w, &d) != 0)
        return ww_console_fail(c, req, resp, &d);
    resp->content_type =
        fmt == WW_AUTH_AUDIT_CSV ? "text/csv; charset=utf-8" : "application/x-ndjson";
    ww_web_resp_header(resp, "Content-Disposition",
                       fmt == WW_AUTH_AUDIT_CSV
                           ? "attachment; filename=\"wardwatch-audit.csv\""
                           : "attachment; filename=\"wardwatch-audit.ndjson\"");
    ww_console_audit(c, req, "audit.export", fmt == WW_AUTH_AUDIT_CSV ? "csv" : "ndjson", "");
    return resp->body.err;
}

static int h_audit_csv(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    return audit_export(req, resp, ud, WW_AUTH_AUDIT_CSV);
}

static int h_audit_ndjson(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    return audit_export(req, resp, ud, WW_AUTH_AUDIT_NDJSON);
}

static const ww_web_route_t core_routes[] = {
    {"GET", "/login", WW_WEB_ANON, false, h_login_form, NULL},
    {"POST", "/login", WW_WEB_ANON, true, h_login, NULL},
    {"POST", "/logout", WW_WEB_VIEWER, true, h_logout, NULL},
    {"GET", "/account/password", WW_WEB_VIEWER, false, h_password_form, NULL},
    {"POST", "/account/password", WW_WEB_VIEWER, true, h_password, NULL},
    {"GET", "/reauth", WW_WEB_VIEWER, false, h_reauth_form, NULL},
    {"POST", "/reauth", WW_WEB_VIEWER, true, h_reauth, NULL},
    {"GET", "/", WW_WEB_VIEWER, false, h_overview, NULL},
    {"GET", "/api/v1/whoami", WW_WEB_VIEWER, false, h_whoami, NULL},
    {"GET", "/api/v1/overview", WW_WEB_VIEWER, false, h_api_overview, NULL},
    {"GET", "/admin/audit", WW_WEB_ADMIN, false, h_audit, NULL},
    {"GET", "/admin/audit.csv", WW_WEB_ADMIN, false, h_audit_csv, NULL},
    {"GET", "/admin/audit.ndjson", WW_WEB_ADMIN, false, h_audit_ndjson, NULL},
};

/* ---- start and stop ------------------------------------------------------------------------ */

typedef uint32_t (*module_fn)(const ww_web_route_t **);
static const module_fn modules[] = {ww_console_triage_routes, ww_console_incidents_routes,
                                    ww_console_estate_routes, ww_console_report_routes,
                                    ww_console_intel_routes,  ww_console_admin_routes};

void ww_console_each_route(void (*fn)(void *ud, const ww_web_route_t *r), void *ud)
{
    for (size_t i = 0; i < WW_ARRAY_LEN(core_routes); i++)
        fn(ud, &core_routes[i]);
    for (size_t m = 0; m < WW_ARRAY_LEN(modules); m++) {
        const ww_web_route_t *r = NULL;
        uint32_t n = modules[m](&r);
        for (uint32_t i = 0; i < n; i++)
            fn(ud, &r[i]);
    }
}

static int add_routes(ww_console_t *c, const ww_web_route_t *r, uint32_t n, ww_diag_t *diag)
{
    for (uint32_t i = 0; i < n; i++) {
        if (c->nroutes == MAX_ROUTES) {
            ww_diag_set(diag, "", 0, 0, "console: more than %d routes", MAX_ROUTES);
            return WW_ELIMIT;
        }
        uint32_t k = c->nroutes++;
        c->routes[k] = r[i];
        c->wraps[k] = (wrap_t){r[i].fn, c};
        c->routes[k].fn = dispatch;
        c->routes[k].ud = &c->wraps[k];
    }
    return 0;
}

int ww_console_start(const ww_console_config_t *cfg, ww_console_t **out, ww_diag_t *diag)
{
    *out = NULL;
    if (!cfg->store_path) {
        ww_diag_set(diag, "", 0, 0, "console: no store path");
        return WW_EINVAL;
    }
    ww_console_t *c = calloc(1, sizeof *c);
    if (!c)
        return WW_ENOMEM;
    c->cfg = *cfg;
    pthread_mutex_init(&c->lock, NULL);
    int rc = pthread_key_create(&c->key, NULL) ? WW_ENOMEM : 0;
    c->key_made = rc == 0;

    /* The tables every module reads are brought up to date once, here, before any
       server thread opens its own connection. */
    ww_console_db_t *db = NULL;
    if (rc == 0 && (rc = ww_console_db(c, &db, diag)) == 0)
        rc = ww_alerts_migrate(db->st, diag);

    if (rc == 0)
        rc = add_routes(c, core_routes, WW_ARRAY_LEN(core_routes), diag);
    for (size_t i = 0; rc == 0 && i < WW_ARRAY_LEN(modules); i++) {
        const ww_web_route_t *r = NULL;
        uint32_t n = modules[i](&r);
        rc = add_routes(c, r, n, diag);
    }
    if (rc == 0) {
        ww_web_config_t wc = cfg->web;
        wc.routes = c->routes;
        wc.nroutes = c->nroutes;
        wc.auth = (ww_web_auth_ops_t){c, auth_session, auth_token};
        if (!wc.state_dir)
            wc.state_dir = cfg->state_dir;
        rc = ww_web_new(&wc, &c->web, diag);
    }
    if (rc == 0)
        rc = ww_web_start(c->web, diag);
    if (rc) {
        ww_console_stop(c);
        return rc;
    }
    if (ww_web_cert_generated(c->web))
        con_log(c, "console: made a self-signed certificate %s/console-cert.pem, SHA-256 %s",
                cfg->state_dir ? cfg->state_dir : ".", ww_web_fingerprint(c->web));
    if (cfg->web.plain_http)
        con_log(c, "console: listening on http://%s:%d/ (plain HTTP, loopback only; %u routes)",
                cfg->web.listen, ww_web_port(c->web), c->nroutes);
    else
        con_log(c, "console: listening on https://%s:%d/ (%u routes; certificate SHA-256 %s)",
                cfg->web.listen, ww_web_port(c->web), c->nroutes, ww_web_fingerprint(c->web));
    *out = c;
    return 0;
}

void ww_console_stop(ww_console_t *c)
{
    if (!c)
        return;
    ww_web_free(c->web);
    for (uint32_t i = 0; i < c->ndbs; i++)
        db_close(c->dbs[i]);
    if (c->key_made)
        pthread_key_delete(c->key);
    pthread_mutex_destroy(&c->lock);
    free(c);
}
