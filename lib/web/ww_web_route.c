/* Routing and the guards every request passes: the route table ({name} segments), the
 * session or API token (through ww_web_auth_ops_t), the role, the Sec-Fetch-Site and
 * Origin check and the CSRF token of state changes; and the response helpers that
 * keep headers and cookies well-formed.  Pure: no socket, so the unit tests drive it
 * with parsed requests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "web/ww_web_int.h"

const char *ww_web_role_name(int role)
{
    static const char *const names[] = {"anonymous", "viewer", "analyst", "responder", "admin"};
    return role >= 0 && role < (int)WW_ARRAY_LEN(names) ? names[role] : "unknown";
}

bool ww_web_same(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    unsigned char diff = (unsigned char)(na != nb);
    /* Every byte of a is compared, whatever matched before: the time says only the
       lengths. */
    for (size_t i = 0; i < na; i++)
        diff |= (unsigned char)(a[i] ^ (nb ? b[i % nb] : 0));
    return diff == 0 && na == nb;
}

int ww__web_random_hex(char *buf, size_t n)
{
    unsigned char raw[64];
    if (n > sizeof raw)
        return WW_EINVAL;
    size_t got = 0;
    while (got < n) {
        ssize_t k = getrandom(raw + got, n - got, 0);
        if (k <= 0)
            return WW_EIO;
        got += (size_t)k;
    }
    for (size_t i = 0; i < n; i++)
        snprintf(buf + 2 * i, 3, "%02x", raw[i]);
    return 0;
}

/* ---- responses --------------------------------------------------------------------- */

void ww_web_resp_init(ww_web_resp_t *resp, ww_arena_t *arena)
{
    memset(resp, 0, sizeof *resp);
    resp->status = 200;
    resp->content_type = "text/html; charset=utf-8";
    ww_buf_init(&resp->body, 0);
    resp->arena = arena;
}

void ww_web_resp_release(ww_web_resp_t *resp)
{
    if (resp)
        ww_buf_release(&resp->body);
}

int ww_web_resp_header(ww_web_resp_t *resp, const char *name, const char *value)
{
    if (!*name)
        return WW_EINVAL;
    for (const char *c = name; *c; c++)
        if (!ww__web_tchar((unsigned char)*c))
            return WW_EINVAL;
    for (const char *c = value; *c; c++)
        if ((unsigned char)*c < 0x20 && *c != '\t')
            return WW_EINVAL; /* CR or LF would start a header of the client's choosing */
    if (resp->nheaders >= WW_WEB_MAX_RESP_HEADERS)
        return WW_ELIMIT;
    char *n = ww_arena_strdup(resp->arena, name), *v = ww_arena_strdup(resp->arena, value);
    if (!n || !v)
        return WW_ENOMEM;
    resp->hname[resp->nheaders] = n;
    resp->hvalue[resp->nheaders++] = v;
    return 0;
}

int ww_web_resp_redirect(ww_web_resp_t *resp, const char *local_path)
{
    /* Only a path on this site: an open redirect would lend the console's name to a
       phishing page. */
    bool ok = local_path && local_path[0] == '/' && local_path[1] != '/' && local_path[1] != '\\';
    for (const char *c = local_path; ok && *c; c++)
        if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f || *c == '\\')
            ok = false;
    resp->status = 303;
    ww_buf_clear(&resp->body);
    return ww_web_resp_header(resp, "Location", ok ? local_path : "/");
}

static bool is_api(const ww_web_req_t *req)
{
    return strncmp(req->path, "/api/", 5) == 0 || strcmp(req->path, "/api") == 0;
}

static const char *status_title(unsigned s)
{
    switch (s) {
    case 400: return "Bad request";
    case 401: return "You need to sign in";
    case 403: return "You cannot do this";
    case 404: return "Page not found";
    case 405: return "Method not allowed";
    case 408: return "Request took too long";
    case 413: return "Too large";
    case 414: return "Address too long";
    case 415: return "Unsupported content";
    case 431: return "Request headers too large";
    case 501: return "Not implemented";
    case 503: return "Service unavailable";
    default: return s >= 500 ? "Something went wrong" : "Request refused";
    }
}

int ww_web_resp_error(const ww_web_req_t *req, ww_web_resp_t *resp, unsigned status,
                      const char *msg)
{
    resp->status = status;
    resp->cacheable = false;
    ww_buf_clear(&resp->body);
    resp->body.err = 0;
    if (req && is_api(req)) {
        resp->content_type = "application/json";
        ww_buf_puts(&resp->body, "{\"error\":");
        ww_buf_json_str(&resp->body, msg, strlen(msg));
        ww_buf_puts(&resp->body, "}\n");
        if (status == 401)
            ww_web_resp_header(resp, "WWW-Authenticate", "Bearer");
        return resp->body.err;
    }
    resp->content_type = "text/html; charset=utf-8";
    const char *title = status_title(status);
    ww_web_page_t pg = {.title = title};
    ww_web_page_begin(&resp->body, &pg);
    ww_buf_puts(&resp->body, "<h1>");
    ww_html_textz(&resp->body, title);
    ww_buf_puts(&resp->body, "</h1>\n<p>");
    ww_html_text(&resp->body, msg, strlen(msg), 300);
    ww_buf_puts(&resp->body, "</p>\n");
    return ww_web_page_end(&resp->body);
}

/* RFC 6265 cookie-octets: what a cookie value may hold unquoted. */
static bool cookie_octets(const char *v)
{
    for (const char *c = v; *c; c++) {
        unsigned char u = (unsigned char)*c;
        if (u <= 0x20 || u >= 0x7f || u == '"' || u == ',' || u == ';' || u == '\\')
            return false;
    }
    return true;
}

static int set_cookie(ww_web_resp_t *resp, const char *name, const char *value, long max_age)
{
    if (!cookie_octets(value))
        return WW_EINVAL;
    ww_buf_t b;
    ww_buf_init(&b, 4096);
    /* __Host- obliges Secure, Path=/ and no Domain: no sibling host can set or read it. */
    ww_buf_printf(&b, "%s=%s; Path=/; Secure; HttpOnly; SameSite=Strict", name, value);
    if (max_age > 0)
        ww_buf_printf(&b, "; Max-Age=%ld", max_age);
    else if (max_age < 0)
        ww_buf_puts(&b, "; Max-Age=0");
    int rc = b.err ? b.err : ww_web_resp_header(resp, "Set-Cookie", b.p);
    ww_buf_release(&b);
    return rc;
}

int ww_web_set_session_cookie(ww_web_resp_t *resp, const char *value, uint32_t max_age_s)
{
    if (!*value)
        return WW_EINVAL;
    return set_cookie(resp, WW_WEB_SESSION_COOKIE, value, (long)max_age_s);
}

int ww_web_clear_session_cookie(ww_web_resp_t *resp)
{
    return set_cookie(resp, WW_WEB_SESSION_COOKIE, "", -1);
}

static bool pre_token_ok(const char *v)
{
    if (!v || strlen(v) != 64)
        return false;
    for (const char *c = v; *c; c++)
        if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
            return false;
    return true;
}

const char *ww_web_pre_token(ww_web_req_t *req, ww_web_resp_t *resp)
{
    const char *have = ww_web_cookie(req, WW_WEB_PRE_COOKIE);
    if (pre_token_ok(have))
        return have;
    char *t = ww_arena_alloc(&req->arena, 65);
    if (!t || ww__web_random_hex(t, 32) != 0)
        return NULL;
    if (set_cookie(resp, WW_WEB_PRE_COOKIE, t, 0) != 0)
        return NULL;
    return t;
}

void ww_web_each_security_header(bool cacheable,
                                 void (*fn)(void *ud, const char *name, const char *value),
                                 void *ud)
{
    fn(ud, "Content-Security-Policy", WW_WEB_CSP);
    fn(ud, "Strict-Transport-Security", "max-age=31536000");
    fn(ud, "X-Content-Type-Options", "nosniff");
    fn(ud, "Referrer-Policy", "no-referrer");
    fn(ud, "X-Frame-Options", "DENY");
    fn(ud, "Cross-Origin-Opener-Policy", "same-origin");
    fn(ud, "Cross-Origin-Resource-Policy", "same-origin");
    fn(ud, "Permissions-Policy",
       "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), "
       "bluetooth=(), interest-cohort=()");
    /* Pages hold patient-adjacent and security data: never kept by the browser or a
       proxy.  Assets revalidate by ETag. */
    fn(ud, "Cache-Control", cacheable ? "no-cache" : "no-store");
}

/* ---- routing -------------------------------------------------------------------- */

/* Does croute c match path?  Fills the request's parameters when it does. */
static bool match(const ww_web_croute_t *c, ww_web_req_t *req, const char *path, bool fill)
{
    const char *p = path;
    uint32_t np = 0;
    if (strcmp(p, "/") == 0)
        return c->nseg == 0;
    for (uint32_t i = 0; i < c->nseg; i++) {
        if (*p != '/')
            return false;
        p++;
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 0)
            return false;
        if (c->seg[i]) {
            if (strlen(c->seg[i]) != n || memcmp(c->seg[i], p, n) != 0)
                return false;
        } else if (fill) {
            char *v = ww_arena_strndup(&req->arena, p, n);
            if (!v)
                return false;
            req->param_names[np] = c->pname[i];
            req->params[np++] = v;
        }
        p += n;
    }
    if (*p)
        return false;
    if (fill)
        req->nparams = np;
    return true;
}

static bool origin_ok(const ww_web_t *w, const ww_web_req_t *req)
{
    const char *o = req->origin;
    for (uint32_t i = 0; i < w->cfg.norigins; i++)
        if (strcasecmp(o, w->cfg.origins[i]) == 0)
            return true;
    const char *scheme = w->tls || !w->cfg.plain_http ? "https://" : "http://";
    size_t sl = strlen(scheme);
    return req->host && strncasecmp(o, scheme, sl) == 0 && strcasecmp(o + sl, req->host) == 0;
}

/* A state change must come from the console's own pages.  Sec-Fetch-Site says so in
 * browsers that send it; otherwise Origin must name this site. */
static const char *cross_site(const ww_web_t *w, const ww_web_req_t *req)
{
    const char *sfs = req->sec_fetch_site;
    /* Our own Referrer-Policy (no-referrer) makes a browser send "Origin: null" with
       every form it posts, also to its own origin (the Fetch standard), so a "null"
       origin says nothing: the browser's Sec-Fetch-Site decides then, and without it
       the request is refused. */
    bool null_origin = req->origin && strcmp(req->origin, "null") == 0;
    if (sfs) {
        if (strcmp(sfs, "same-origin") != 0 && strcmp(sfs, "none") != 0)
            return "this request came from another site (Sec-Fetch-Site)";
    } else if (!req->origin || null_origin) {
        return "a change without Sec-Fetch-Site or Origin is refused";
    }
    if (req->origin && !null_origin && !origin_ok(w, req))
        return "this request came from another origin";
    return NULL;
}

static int deny(ww_web_t *w, ww_web_req_t *req, ww_web_resp_t *resp, unsigned status,
                const char *msg)
{
    ww_web_resp_error(req, resp, status, msg);
    if (status == 401 && !is_api(req)) {
        /* The page explains, and points at the sign-in page with the way back. */
        const char *login = w->cfg.login_path ? w->cfg.login_path : "/login";
        ww_buf_t *b = &resp->body;
        ww_buf_t link;
        ww_buf_init(&link, 8192);
        ww_buf_puts(&link, login);
        if (req->method == WW_WEB_GET) {
            ww_buf_puts(&link, "?next=");
            for (const char *c = req->path; *c; c++) {
                unsigned char u = (unsigned char)*c;
                if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
                    u == '/' || u == '-' || u == '_' || u == '.')
                    ww_buf_putc(&link, (char)u);
                else
                    ww_buf_printf(&link, "%%%02X", u);
            }
        }
        /* Insert the link before </main>: rebuild the body with it. */
        ww_buf_clear(b);
        ww_web_page_t pg = {.title = status_title(401)};
        ww_web_page_begin(b, &pg);
        ww_buf_puts(b, "<h1>You need to sign in</h1>\n<p>");
        ww_html_textz(b, msg);
        ww_buf_puts(b, "</p>\n<p><a class=\"nhsuk-button\" href=\"");
        ww_html_url(b, link.p ? link.p : "/", link.n ? link.n : 1);
        ww_buf_puts(b, "\">Sign in</a></p>\n");
        ww_web_page_end(b);
        ww_buf_release(&link);
    }
    return 1;
}

static int serve_asset(ww_web_t *w, ww_web_req_t *req, ww_web_resp_t *resp)
{
    const ww_web_asset_t *a = ww__web_asset(w, req->path);
    if (!a)
        return deny(w, req, resp, 404, "There is no such file.");
    resp->cacheable = true;
    resp->etag = a->etag;
    resp->content_type = a->type;
    if (req->if_none_match && strstr(req->if_none_match, a->etag)) {
        resp->status = 304;
        return 1;
    }
    resp->status = 200;
    if (req->method == WW_WEB_GET && ww_buf_append(&resp->body, a->data, a->n) != 0)
        return deny(w, req, resp, 503, "out of memory");
    return 1;
}

int ww_web_route_early(ww_web_t *w, ww_web_req_t *req, ww_web_resp_t *resp)
{
    if (req->status)
        return deny(w, req, resp, (unsigned)req->status, req->diag.msg);
    if ((req->method == WW_WEB_GET || req->method == WW_WEB_HEAD) &&
        strncmp(req->path, "/assets/", 8) == 0)
        return serve_asset(w, req, resp);
    const ww_web_croute_t *c = NULL;
    bool path_known = false;
    char allow[128] = "";
    for (uint32_t i = 0; i < w->nroutes; i++) {
        const ww_web_croute_t *t = &w->routes[i];
        if (!match(t, req, req->path, false))
            continue;
        path_known = true;
        bool m =
            t->method == req->method || (t->method == WW_WEB_GET && req->method == WW_WEB_HEAD);
        if (m && !c)
            c = t;
        size_t al = strlen(allow);
        snprintf(allow + al, sizeof allow - al, "%s%s", al ? ", " : "", t->r->method);
    }
    if (!c) {
        if (!path_known)
            return deny(w, req, resp, 404, "There is no page at this address.");
        deny(w, req, resp, 405, "This address does not accept that method.");
        ww_web_resp_header(resp, "Allow", allow);
        return 1;
    }
    match(c, req, req->path, true);
    req->route = c->r;

    /* Who is asking: an API token, else the session cookie. */
    const ww_web_auth_ops_t *ops = &w->cfg.auth;
    bool expired = false;
    if (req->authorization) {
        if (strncasecmp(req->authorization, "Bearer ", 7) != 0 || !ops->token)
            return deny(w, req, resp, 401, "Only bearer tokens are accepted.");
        const char *t = req->authorization + 7;
        while (*t == ' ')
            t++;
        int rc = ops->token(ops->ud, t, &req->session);
        if (rc == WW_ENOENT || (rc == 0 && req->session.expired))
            return deny(w, req, resp, 401, "The token is not valid.");
        if (rc != 0)
            return deny(w, req, resp, 503, "Sign-in is not available just now.");
        req->session.token = true;
        req->has_session = true;
    } else {
        const char *cookie = ww_web_cookie(req, WW_WEB_SESSION_COOKIE);
        if (cookie && *cookie && ops->session) {
            ww_web_session_t s;
            memset(&s, 0, sizeof s);
            int rc = ops->session(ops->ud, cookie, &s);
            if (rc == 0 && !s.expired) {
                s.token = false;
                req->session = s;
                req->has_session = true;
            } else if (rc == 0 || rc == WW_ENOENT) {
                expired = true;
            } else {
                return deny(w, req, resp, 503, "Sign-in is not available just now.");
            }
        }
    }
    if (c->r->min_role > WW_WEB_ANON) {
        if (!req->has_session) {
            deny(w, req, resp, 401,
                 expired ? "Your session has ended. Sign in again to continue."
                         : "Sign in to see this page.");
            if (expired)
                ww_web_clear_session_cookie(resp);
            return 1;
        }
        if (req->session.role < c->r->min_role)
            return deny(w, req, resp, 403, "Your role does not allow this.");
    }
    bool changes = c->r->changes_state || (req->method != WW_WEB_GET && req->method != WW_WEB_HEAD);
    if (changes && !req->session.token) {
        const char *why = cross_site(w, req);
        if (why)
            return deny(w, req, resp, 403, why);
    }
    return 0;
}

void ww_web_route_finish(ww_web_t *w, ww_web_req_t *req, ww_web_resp_t *resp)
{
    if (req->status) {
        deny(w, req, resp, (unsigned)req->status, req->diag.msg);
        return;
    }
    const ww_web_route_t *rt = req->route;
    if (!rt) {
        deny(w, req, resp, 500, "The request was not routed.");
        return;
    }
    bool changes = rt->changes_state || (req->method != WW_WEB_GET && req->method != WW_WEB_HEAD);
    if (changes && !req->session.token) {
        /* The token a page of ours embedded: the session's; on a public form (sign-in,
           /report), which a signed-in user may also post, the double-submit cookie's
           too. */
        const char *sent =
            req->csrf_header ? req->csrf_header : ww_web_form(req, WW_WEB_CSRF_FIELD);
        const char *pre = ww_web_cookie(req, WW_WEB_PRE_COOKIE);
        bool ok = false;
        if (sent && req->has_session && req->session.csrf[0])
            ok = ww_web_same(sent, req->session.csrf);
        if (sent && !ok && rt->min_role == WW_WEB_ANON && pre_token_ok(pre))
            ok = ww_web_same(sent, pre);
        if (!ok) {
            deny(w, req, resp, 403,
                 sent ? "The form's security token does not match. Go back, reload the page "
                        "and try again."
                      : "The form's security token is missing.");
            return;
        }
    }
    int rc = rt->fn(req, resp, rt->ud);
    if (rc < 0) {
        WW_LOG(WW_LOG_ERROR, "web: %s %s: handler failed: %s", req->method_name, req->path,
               ww_strerror(rc));
        resp->nheaders = 0;
        deny(w, req, resp, 500, "Something went wrong on the server; it has been logged.");
    }
}

int ww__web_routes_build(ww_web_t *w, ww_diag_t *diag)
{
    static const char *const methods[] = {NULL,  "GET",   "HEAD",   "POST",
                                          "PUT", "PATCH", "DELETE", "OPTIONS"};
    w->routes = calloc(w->cfg.nroutes ? w->cfg.nroutes : 1, sizeof *w->routes);
    if (!w->routes)
        return WW_ENOMEM;
    for (uint32_t i = 0; i < w->cfg.nroutes; i++) {
        const ww_web_route_t *r = &w->cfg.routes[i];
        ww_web_croute_t *c = &w->routes[i];
        c->r = r;
        w->nroutes = i + 1;
        for (int m = 1; m < (int)WW_ARRAY_LEN(methods); m++)
            if (r->method && strcmp(r->method, methods[m]) == 0)
                c->method = m;
        if (!c->method || !r->pattern || r->pattern[0] != '/' || !r->fn) {
            ww_diag_set(diag, "", 0, 0, "route %u: needs a method, a '/' pattern and a handler",
                        i + 1);
            return WW_EINVAL;
        }
        uint32_t nseg = 0;
        for (const char *p = r->pattern; *p; p++)
            nseg += *p == '/';
        if (strcmp(r->pattern, "/") == 0)
            nseg = 0;
        c->seg = calloc(nseg + 1, sizeof *c->seg);
        c->pname = calloc(nseg + 1, sizeof *c->pname);
        if (!c->seg || !c->pname)
            return WW_ENOMEM;
        c->nseg = nseg;
        const char *p = r->pattern + 1;
        uint32_t nparams = 0;
        for (uint32_t s = 0; s < nseg; s++) {
            const char *e = strchr(p, '/');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            char *seg = strndup(p, n);
            if (!seg)
                return WW_ENOMEM;
            if (n >= 2 && seg[0] == '{' && seg[n - 1] == '}') {
                seg[n - 1] = 0;
                memmove(seg, seg + 1, n - 1);
                c->pname[s] = seg;
                if (++nparams >= WW_WEB_MAX_ROUTE_PARAMS) {
                    ww_diag_set(diag, "", 0, 0, "route %s: too many {parameters}", r->pattern);
                    return WW_EINVAL;
                }
            } else if (n == 0 || strchr(seg, '{') || strchr(seg, '}')) {
                free(seg);
                ww_diag_set(diag, "", 0, 0, "route %s: an empty or malformed segment", r->pattern);
                return WW_EINVAL;
            } else {
                c->seg[s] = seg;
            }
            p += n + 1;
        }
    }
    return 0;
}

void ww__web_routes_free(ww_web_t *w)
{
    for (uint32_t i = 0; i < w->nroutes; i++) {
        for (uint32_t s = 0; s < w->routes[i].nseg; s++) {
            free(w->routes[i].seg[s]);
            free(w->routes[i].pname[s]);
        }
        free(w->routes[i].seg);
        free(w->routes[i].pname);
    }
    free(w->routes);
    w->routes = NULL;
    w->nroutes = 0;
}
