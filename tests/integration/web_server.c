/* A console server for tests only (tests/integration/web_basic.sh): lib/web with a stub
 * ww_web_auth_ops_t (fixed sessions, one per role, one expired, one API token) and a
 * few routes that exercise the guards, the forms, uploads, JSON and the escaping.  It
 * listens on 127.0.0.1, writes "port N" and "fingerprint F" to the file named by
 * --info, and runs until SIGTERM.  Not part of the product. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "web/ww_web.h"

static const struct {
    const char *cookie, *user, *csrf;
    int role;
    bool expired;
} sessions[] = {
    {"sess-viewer", "vera", "csrf-viewer-0123456789abcdef", WW_WEB_VIEWER, false},
    {"sess-analyst", "ann", "csrf-analyst-0123456789abcdef", WW_WEB_ANALYST, false},
    {"sess-admin", "adam", "csrf-admin-0123456789abcdef", WW_WEB_ADMIN, false},
    {"sess-expired", "ed", "csrf-expired-0123456789abcdef", WW_WEB_ADMIN, true},
    /* A user name an attacker chose at registration: shown in every page's header. */
    {"sess-hostile", "<script>alert(1)</script>\"><img src=x onerror=alert(2)>",
     "csrf-hostile-0123456789abcdef", WW_WEB_VIEWER, false},
};

static int fill(int i, ww_web_session_t *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->user, sizeof out->user, "%s", sessions[i].user);
    snprintf(out->csrf, sizeof out->csrf, "%s", sessions[i].csrf);
    out->role = sessions[i].role;
    out->expired = sessions[i].expired;
    return 0;
}

static int stub_session(void *ud, const char *cookie, ww_web_session_t *out)
{
    (void)ud;
    for (size_t i = 0; i < sizeof sessions / sizeof sessions[0]; i++)
        if (ww_web_same(cookie, sessions[i].cookie))
            return fill((int)i, out);
    return WW_ENOENT;
}

static int stub_token(void *ud, const char *token, ww_web_session_t *out)
{
    (void)ud;
    if (!ww_web_same(token, "tok-analyst"))
        return WW_ENOENT;
    return fill(1, out);
}

static void begin(ww_web_req_t *req, ww_web_resp_t *resp, const char *title)
{
    ww_web_page_t pg = {.title = title};
    if (req->has_session) {
        pg.user = req->session.user;
        pg.role = ww_web_role_name(req->session.role);
        pg.csrf = req->session.csrf;
    }
    ww_web_page_begin(&resp->body, &pg);
}

static int h_home(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    (void)ud;
    begin(req, resp, "Overview");
    ww_buf_t *b = &resp->body;
    ww_buf_puts(b, "<h1>Overview</h1>\n<p>Signed in as <strong>");
    ww_html_textz(b, req->session.user);
    ww_buf_puts(b, "</strong>.</p>\n");
    return ww_web_page_end(b);
}

/* Values an attacker controls (an event's fields), shown in text, attributes and links. */
static int h_hostile(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    (void)ud;
    static const char *const values[] = {
        "<script>document.title='pwned-text'</script>",
        "\"><script>document.title='pwned-attr'</script>",
        "' onmouseover='document.title=1' x='",
        "javascript:document.title='pwned-url'",
        "bad utf-8: \xff\xfe \xc0\xaf \xed\xa0\x80 end",
        "control: \x01\x1b[31m\x7f end",
    };
    begin(req, resp, "Hostile values");
    ww_buf_t *b = &resp->body;
    ww_buf_puts(b, "<h1>Hostile values</h1>\n<table class=\"nhsuk-table\">\n"
                   "<caption class=\"nhsuk-table__caption\">Event fields</caption>\n"
                   "<thead class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\">"
                   "<th scope=\"col\" class=\"nhsuk-table__header\">Value</th>"
                   "<th scope=\"col\" class=\"nhsuk-table__header\">Link</th></tr></thead>\n"
                   "<tbody class=\"nhsuk-table__body\">\n");
    const char *v = ww_web_query(req, "v");
    size_t nv = WW_ARRAY_LEN(values) + (v ? 1 : 0);
    for (size_t i = 0; i < nv; i++) {
        const char *s = i < WW_ARRAY_LEN(values) ? values[i] : v;
        ww_buf_puts(b, "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell ww-value\" "
                       "title=\"");
        ww_html_attr(b, s, strlen(s));
        ww_buf_puts(b, "\">");
        ww_html_text(b, s, strlen(s), 2000);
        ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell\"><a href=\"");
        ww_html_url(b, s, strlen(s));
        ww_buf_puts(b, "\">link ");
        ww_buf_printf(b, "%zu", i + 1);
        ww_buf_puts(b, "</a></td></tr>\n");
    }
    ww_buf_puts(b, "</tbody>\n</table>\n");
    return ww_web_page_end(b);
}

static int h_item(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    (void)ud;
    begin(req, resp, "Item");
    ww_buf_puts(&resp->body, "<h1>Item <span class=\"ww-value\">");
    ww_html_textz(&resp->body, ww_web_param(req, "id"));
    ww_buf_puts(&resp->body, "</span></h1>\n");
    return ww_web_page_end(&resp->body);
}

static int h_change(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    (void)ud;
    resp->content_type = "text/plain; charset=utf-8";
    ww_buf_printf(&resp->body, "changed by %s\n", req->session.user);
    return 0;
}

static int h_api_whoami(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    (void)ud;
    resp->content_type = "application/json";
    ww_buf_puts(&resp->body, "{\"user\":");
    ww_buf_json_str(&resp->body, req->session.user, strlen(req->session.user));
    ww_buf_printf(&resp->body, ",\"role\":\"%s\"}\n", ww_web_role_name(req->session.role));
    return 0;
}

static int h_api_items(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    (void)ud;
    size_t n = 0;
    const char *name = ww_web_json_str(req, ww_web_json_member(req, 0, "name"), &n);
    if (!name)
        return ww_web_resp_error(req, resp, 400, "a JSON object with a string \"name\"");
    resp->status = 201;
    resp->content_type = "application/json";
    ww_buf_puts(&resp->body, "{\"created\":");
    ww_buf_json_str(&resp->body, name, n);
    ww_buf_puts(&resp->body, "}\n");
    return 0;
}

static int h_upload(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    (void)ud;
    resp->content_type = "application/json";
    ww_buf_t *b = &resp->body;
    ww_buf_puts(b, "{\"files\":[");
    for (uint32_t i = 0; i < req->nfiles; i++) {
        const ww_web_file_t *f = &req->files[i];
        ww_buf_puts(b, i ? ",{\"field\":" : "{\"field\":");
        ww_buf_json_str(b, f->field, strlen(f->field));
        ww_buf_puts(b, ",\"name\":");
        ww_buf_json_str(b, f->filename, strlen(f->filename));
        ww_buf_printf(b, ",\"size\":%llu,\"sha256\":\"%s\"}", (unsigned long long)f->size,
                      f->sha256_hex);
    }
    ww_buf_puts(b, "],\"fields\":{");
    for (uint32_t i = 0; i < req->nform; i++) {
        if (i)
            ww_buf_putc(b, ',');
        ww_buf_json_str(b, req->form[i].name, strlen(req->form[i].name));
        ww_buf_putc(b, ':');
        ww_buf_json_str(b, req->form[i].value, req->form[i].value_n);
    }
    ww_buf_puts(b, "}}\n");
    return 0;
}

static int h_login_form(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    (void)ud;
    const char *tok = ww_web_pre_token(req, resp);
    if (!tok)
        return WW_EIO;
    begin(req, resp, "Sign in");
    ww_buf_t *b = &resp->body;
    ww_buf_puts(b, "<h1>Sign in</h1>\n<form method=\"post\" action=\"/login\" novalidate>\n"
                   "<input type=\"hidden\" name=\"" WW_WEB_CSRF_FIELD "\" value=\"");
    ww_html_attr(b, tok, strlen(tok));
    ww_buf_puts(b, "\">\n<div class=\"nhsuk-form-group\">\n"
                   "<label class=\"nhsuk-label\" for=\"user\">User name</label>\n"
                   "<input class=\"nhsuk-input\" id=\"user\" name=\"user\" type=\"text\" "
                   "autocomplete=\"username\" spellcheck=\"false\">\n</div>\n"
                   "<button class=\"nhsuk-button\" type=\"submit\">Sign in</button>\n</form>\n");
    return ww_web_page_end(b);
}

static int h_login(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    (void)ud;
    const char *u = ww_web_form(req, "user");
    for (size_t i = 0; u && i < sizeof sessions / sizeof sessions[0]; i++)
        if (strcmp(u, sessions[i].user) == 0 && !sessions[i].expired) {
            ww_web_set_session_cookie(resp, sessions[i].cookie, 3600);
            return ww_web_resp_redirect(resp, "/");
        }
    return ww_web_resp_error(req, resp, 403, "Unknown user.");
}

static int h_public(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    (void)ud;
    begin(req, resp, "Report a concern");
    ww_buf_puts(&resp->body, "<h1>Report a concern</h1>\n<p>Anyone can read this page.</p>\n");
    return ww_web_page_end(&resp->body);
}

static const ww_web_route_t routes[] = {
    {"GET", "/", WW_WEB_VIEWER, false, h_home, NULL},
    {"GET", "/hostile", WW_WEB_VIEWER, false, h_hostile, NULL},
    {"GET", "/items/{id}", WW_WEB_VIEWER, false, h_item, NULL},
    {"POST", "/items", WW_WEB_ANALYST, true, h_change, NULL},
    {"POST", "/admin/settings", WW_WEB_ADMIN, true, h_change, NULL},
    {"POST", "/upload", WW_WEB_ANALYST, true, h_upload, NULL},
    {"GET", "/api/v1/whoami", WW_WEB_VIEWER, false, h_api_whoami, NULL},
    {"POST", "/api/v1/items", WW_WEB_ANALYST, true, h_api_items, NULL},
    {"GET", "/login", WW_WEB_ANON, false, h_login_form, NULL},
    {"POST", "/login", WW_WEB_ANON, true, h_login, NULL},
    {"GET", "/report", WW_WEB_ANON, false, h_public, NULL},
};

static volatile sig_atomic_t stop;
static void on_signal(int s)
{
    (void)s;
    stop = 1;
}

static void log_cb(void *ud, int level, const char *msg)
{
    (void)ud;
    (void)level;
    fprintf(stderr, "%s\n", msg);
}

int main(int argc, char **argv)
{
    ww_web_config_t cfg = {.listen = "127.0.0.1",
                           .routes = routes,
                           .nroutes = sizeof routes / sizeof routes[0],
                           .threads = 2};
    cfg.auth = (ww_web_auth_ops_t){NULL, stub_session, stub_token};
    const char *info = NULL;
    static const char *names[] = {"console.example.nhs.uk", "10.1.2.3"};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--state") == 0 && v)
            cfg.state_dir = v, i++;
        else if (strcmp(a, "--info") == 0 && v)
            info = v, i++;
        else if (strcmp(a, "--tmp") == 0 && v)
            cfg.tmp_dir = v, i++;
        else if (strcmp(a, "--listen") == 0 && v)
            cfg.listen = v, i++;
        else if (strcmp(a, "--plain") == 0)
            cfg.plain_http = true;
        else if (strcmp(a, "--names") == 0)
            cfg.names = names, cfg.nnames = 2;
        else if (strcmp(a, "--idle") == 0 && v)
            cfg.limits.idle_timeout_s = (uint32_t)strtoul(v, NULL, 10), i++;
        else if (strcmp(a, "--request-timeout") == 0 && v)
            cfg.limits.request_timeout_s = (uint32_t)strtoul(v, NULL, 10), i++;
        else if (strcmp(a, "--max-file") == 0 && v)
            cfg.limits.max_file = strtoull(v, NULL, 10), i++;
        else {
            fprintf(stderr, "usage: web_server --state DIR --info FILE [--tmp DIR] [--plain] "
                            "[--names] [--idle S] [--request-timeout S] [--max-file N]\n");
            return 2;
        }
    }
    ww_log_set(log_cb, NULL, WW_LOG_INFO);
    ww_web_t *w = NULL;
    ww_diag_t d = {0};
    if (ww_web_new(&cfg, &w, &d) != 0 || ww_web_start(w, &d) != 0) {
        fprintf(stderr, "web_server: %s%s%s\n", d.file, d.file[0] ? ": " : "", d.msg);
        ww_web_free(w);
        return 1;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    if (info) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", info);
        FILE *f = fopen(tmp, "w");
        if (!f)
            return 1;
        fprintf(f, "port %d\nfingerprint %s\ngenerated %d\n", ww_web_port(w), ww_web_fingerprint(w),
                ww_web_cert_generated(w) ? 1 : 0);
        fclose(f);
        rename(tmp, info); /* whole or not at all: the test polls for it */
    }
    while (!stop)
        pause();
    ww_web_free(w);
    return 0;
}
