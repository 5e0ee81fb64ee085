/* The console's people page for admins: everyone who may sign in and every API token,
 * and the changes an admin makes there -- add a person (their one-time password and
 * TOTP secret are shown once, with a QR code for the authenticator app), disable or
 * enable one, add or revoke a token (shown once).  `wardwatch users` does the same on
 * the server, and is still how the first admin is made and how a lost admin recovers.
 * Every change goes through lib/auth, which writes the audit log. */
#include <qrencode.h>
#include <stdio.h>
#include <string.h>

#include "console/ww_console.h"

static void cell(ww_buf_t *b, const char *text)
{
    ww_buf_puts(b, "<td class=\"nhsuk-table__cell\">");
    ww_html_textz(b, text);
    ww_buf_puts(b, "</td>");
}

static void head(ww_buf_t *b, const char *const *cols, size_t n, const char *caption)
{
    ww_buf_puts(b, "<table class=\"nhsuk-table\">\n<caption class=\"nhsuk-table__caption\">");
    ww_html_textz(b, caption);
    ww_buf_puts(b,
                "</caption>\n<thead class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\">");
    for (size_t i = 0; i < n; i++)
        ww_buf_printf(b, "<th scope=\"col\" class=\"nhsuk-table__header\">%s</th>", cols[i]);
    ww_buf_puts(b, "</tr></thead>\n<tbody class=\"nhsuk-table__body\">\n");
}

typedef struct walk {
    ww_buf_t *b;
    const ww_web_req_t *req;
} walk_t;

static void small_form(ww_buf_t *b, const ww_web_req_t *req, const char *action, const char *name,
                       const char *label)
{
    ww_buf_puts(b, "<form method=\"post\" action=\"");
    ww_html_attr(b, action, strlen(action));
    ww_html_url(b, name, strlen(name));
    ww_buf_puts(b, "\">");
    ww_console_csrf_field(b, req);
    ww_buf_puts(b, "<button class=\"nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0\" "
                   "type=\"submit\">");
    ww_html_textz(b, label);
    ww_buf_puts(b, "<span class=\"nhsuk-u-visually-hidden\"> ");
    ww_html_textz(b, name);
    ww_buf_puts(b, "</span></button></form>");
}

static int user_row(void *ud, const ww_user_t *u)
{
    walk_t *w = ud;
    ww_buf_t *b = w->b;
    ww_buf_puts(b, "<tr class=\"nhsuk-table__row\">");
    cell(b, u->name);
    cell(b, u->display);
    cell(b, ww_role_name(u->role));
    cell(b, u->disabled ? "disabled" : u->must_change ? "must change password" : "active");
    cell(b, u->totp_verified ? "verified" : u->totp_enrolled ? "enrolled" : "none");
    ww_buf_puts(b, "<td class=\"nhsuk-table__cell\">");
    ww_console_time(b, u->last_login);
    ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell\">");
    if (!w->req->has_session || strcmp(u->name, w->req->session.user))
        small_form(b, w->req, u->disabled ? "/admin/users/enable/" : "/admin/users/disable/",
                   u->name, u->disabled ? "Enable" : "Disable");
    ww_buf_puts(b, "</td></tr>\n");
    return b->err;
}

static int token_row(void *ud, const ww_token_t *t)
{
    walk_t *w = ud;
    ww_buf_t *b = w->b;
    ww_buf_puts(b, "<tr class=\"nhsuk-table__row\">");
    cell(b, t->name);
    cell(b, ww_role_name(t->role));
    cell(b, t->created_by);
    ww_buf_puts(b, "<td class=\"nhsuk-table__cell\">");
    ww_console_time(b, t->created);
    ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell\">");
    ww_console_time(b, t->last_used);
    ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell\">");
    if (t->revoked) {
        ww_buf_puts(b, "revoked ");
        ww_console_time(b, t->revoked);
    } else {
        small_form(b, w->req, "/admin/tokens/revoke/", t->name, "Revoke");
    }
    ww_buf_puts(b, "</td></tr>\n");
    return b->err;
}

/* A name typed by an admin: not filled in by the browser, and a sign-in or token name
 * (an identifier) not spell-checked. */
static void name_input(ww_buf_t *b, const char *id, const char *name, const char *label,
                       bool identifier)
{
    ww_console_input(b, &(ww_console_input_t){
                            .id = id,
                            .name = name,
                            .label = label,
                            .autocomplete = "off",
                            .width = "20",
                            .extra = identifier ? " spellcheck=\"false\"" : NULL,
                        });
}

static void role_select(ww_buf_t *b, const char *id, bool with_admin)
{
    ww_console_field_begin(b, id, "Role", NULL, NULL);
    ww_buf_printf(b, "<select class=\"nhsuk-select\" id=\"%s\" name=\"role\">", id);
    static const char *const roles[] = {"viewer", "analyst", "responder", "admin"};
    for (size_t i = 0; i < 4; i++)
        if (with_admin || i < 3)
            ww_buf_printf(b, "<option value=\"%s\">%s</option>", roles[i], roles[i]);
    ww_buf_puts(b, "</select>\n");
    ww_console_field_end(b);
}

/* The TOTP URI as a QR code: an SVG of the modules, drawn here, no script. */
static void qr_svg(ww_buf_t *b, const char *text)
{
    QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!q)
        return;
    int n = q->width, m = 4; /* quiet zone */
    ww_buf_printf(b,
                  "<svg class=\"ww-qr\" role=\"img\" aria-label=\"QR code of the authenticator "
                  "link\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
                  "xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"%d\" height=\"%d\" "
                  "fill=\"#fff\"/><path fill=\"#000\" d=\"",
                  n + 2 * m, n + 2 * m, (n + 2 * m) * 5, (n + 2 * m) * 5, n + 2 * m, n + 2 * m);
    for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++)
            if (q->data[y * n + x] & 1)
                ww_buf_printf(b, "M%d %dh1v1h-1z", x + m, y + m);
    ww_buf_puts(b, "\"/></svg>\n");
    QRcode_free(q);
}

static int page(ww_console_t *c, ww_web_req_t *req, ww_web_resp_t *resp, const char *error,
                const ww_auth_secrets_t *made, const char *made_name, const char *token)
{
    ww_diag_t d = {0};
    ww_console_db_t *db = ww_console_db_or_fail(c, req, resp);
    if (!db)
        return 0;
    ww_console_page_begin(c, req, resp, "People and tokens", "/admin/users");
    ww_buf_t *b = &resp->body;
    if (error)
        ww_console_error_summary(b, 2, error, NULL);
    ww_buf_puts(b, "<h1>People and tokens</h1>\n");
    if (made && made_name) {
        ww_buf_puts(b, "<div class=\"nhsuk-inset-text\"><h2>");
        ww_html_textz(b, made_name);
        ww_buf_puts(b, " can now sign in</h2>\n<p>Give them these once, in person or by "
                       "phone, never by email. They are not shown again.</p>\n"
                       "<dl class=\"nhsuk-summary-list\">");
        if (made->password[0]) {
            ww_buf_puts(b, "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-"
                           "list__key\">One-time password</dt><dd class=\"nhsuk-summary-list__"
                           "value\"><code>");
            ww_html_textz(b, made->password);
            ww_buf_puts(b, "</code> (they choose their own at the first sign-in)</dd></div>");
        }
        if (made->totp_uri[0]) {
            ww_buf_puts(b, "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-"
                           "list__key\">Authenticator app</dt><dd class=\"nhsuk-summary-list__"
                           "value\">");
            qr_svg(b, made->totp_uri);
            ww_buf_puts(b, "<p><code>");
            ww_html_textz(b, made->totp_uri);
            ww_buf_puts(b, "</code></p></dd></div>");
        }
        ww_buf_puts(b, "</dl></div>\n");
    }
    if (token) {
        ww_buf_puts(b, "<div class=\"nhsuk-inset-text\"><h2>The new token</h2><p>Copy it now: "
                       "it is not shown again.</p><p><code>");
        ww_html_textz(b, token);
        ww_buf_puts(b, "</code></p></div>\n");
    }
    walk_t w = {b, req};
    static const char *const ucols[] = {"Name", "Display name", "Role",  "Status",
                                        "TOTP", "Last sign-in", "Action"};
    head(b, ucols, WW_ARRAY_LEN(ucols), "People who may sign in");
    if (ww_auth_user_each(db->auth, user_row, &w, &d) != 0)
        return ww_console_fail(c, req, resp, &d);
    ww_buf_puts(b, "</tbody></table>\n<h2>Add a person</h2>\n"
                   "<form method=\"post\" action=\"/admin/users\" novalidate>\n");
    ww_console_csrf_field(b, req);
    name_input(b, "name", "name", "Name (for signing in)", true);
    name_input(b, "display", "display", "Display name", false);
    role_select(b, "role", true);
    ww_buf_puts(b, "<p>Responders and admins get an authenticator (TOTP) secret; everyone gets "
                   "a one-time password.</p>\n<button class=\"nhsuk-button\" type=\"submit\">"
                   "Add person</button>\n</form>\n");
    static const char *const tcols[] = {"Name", "Role", "Made by", "Made", "Last used", "Status"};
    head(b, tcols, WW_ARRAY_LEN(tcols), "API tokens (for machines)");
    if (ww_auth_token_each(db->auth, token_row, &w, &d) != 0)
        return ww_console_fail(c, req, resp, &d);
    ww_buf_puts(b, "</tbody></table>\n<h2>Add a token</h2>\n<p>A token acts with its role's "
                   "rights from a machine (a script, a SOAR). It cannot be an admin.</p>\n"
                   "<form method=\"post\" action=\"/admin/tokens\" novalidate>\n");
    ww_console_csrf_field(b, req);
    name_input(b, "tname", "name", "Token name", true);
    role_select(b, "trole", false);
    ww_buf_puts(b, "<button class=\"nhsuk-button\" type=\"submit\">Add token</button>\n"
                   "</form>\n");
    return ww_console_page_end(resp);
}

static int h_users(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    return page(ud, req, resp, NULL, NULL, NULL, NULL);
}

static int h_user_add(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    ww_diag_t d = {0};
    ww_console_db_t *db = ww_console_db_or_fail(c, req, resp);
    if (!db)
        return 0;
    const char *name = ww_web_form(req, "name"), *display = ww_web_form(req, "display"),
               *rs = ww_web_form(req, "role");
    ww_role_t role;
    if (!rs || ww_role_parse(rs, &role) != 0) {
        resp->status = 400;
        return page(c, req, resp, "Choose a role.", NULL, NULL, NULL);
    }
    ww_auth_actor_t by;
    ww_console_actor(req, &by);
    ww_auth_secrets_t sec;
    memset(&sec, 0, sizeof sec);
    int rc = ww_auth_user_add(db->auth, &by, name ? name : "", role, display ? display : "", NULL,
                              false, &sec, &d);
    if (rc == WW_EINVAL) {
        resp->status = 400;
        return page(c, req, resp, d.msg[0] ? d.msg : "That person could not be added.", NULL, NULL,
                    NULL);
    }
    if (rc)
        return ww_console_fail(c, req, resp, &d);
    rc = page(c, req, resp, NULL, &sec, name, NULL);
    ww_auth_secrets_wipe(&sec);
    return rc;
}

static int set_disabled(ww_web_req_t *req, ww_web_resp_t *resp, ww_console_t *c, bool off)
{
    ww_diag_t d = {0};
    ww_console_db_t *db = ww_console_db_or_fail(c, req, resp);
    if (!db)
        return 0;
    const char *name = ww_web_param(req, "name");
    if (off && req->has_session && !strcmp(name, req->session.user)) {
        resp->status = 400;
        return page(c, req, resp, "You cannot disable yourself.", NULL, NULL, NULL);
    }
    ww_auth_actor_t by;
    ww_console_actor(req, &by);
    int rc = ww_auth_user_set_disabled(db->auth, &by, name, off, &d);
    if (rc == WW_ENOENT)
        return ww_web_resp_error(req, resp, 404, "There is no such person.");
    if (rc)
        return ww_console_fail(c, req, resp, &d);
    return ww_web_resp_redirect(resp, "/admin/users");
}

static int h_disable(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    return set_disabled(req, resp, ud, true);
}

static int h_enable(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    return set_disabled(req, resp, ud, false);
}

static int h_token_add(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    ww_diag_t d = {0};
    ww_console_db_t *db = ww_console_db_or_fail(c, req, resp);
    if (!db)
        return 0;
    const char *name = ww_web_form(req, "name"), *rs = ww_web_form(req, "role");
    ww_role_t role;
    if (!rs || ww_role_parse(rs, &role) != 0) {
        resp->status = 400;
        return page(c, req, resp, "Choose a role.", NULL, NULL, NULL);
    }
    ww_auth_actor_t by;
    ww_console_actor(req, &by);
    char tok[WW_TOKEN_LEN + 1];
    int rc = ww_auth_token_add(db->auth, &by, name ? name : "", role, tok, &d);
    if (rc == WW_EINVAL) {
        resp->status = 400;
        return page(c, req, resp, d.msg[0] ? d.msg : "That token could not be made.", NULL, NULL,
                    NULL);
    }
    if (rc)
        return ww_console_fail(c, req, resp, &d);
    rc = page(c, req, resp, NULL, NULL, NULL, tok);
    memset(tok, 0, sizeof tok);
    return rc;
}

static int h_token_revoke(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    ww_diag_t d = {0};
    ww_console_db_t *db = ww_console_db_or_fail(c, req, resp);
    if (!db)
        return 0;
    ww_auth_actor_t by;
    ww_console_actor(req, &by);
    int rc = ww_auth_token_revoke(db->auth, &by, ww_web_param(req, "name"), &d);
    if (rc == WW_ENOENT)
        return ww_web_resp_error(req, resp, 404, "There is no live token by that name.");
    if (rc)
        return ww_console_fail(c, req, resp, &d);
    return ww_web_resp_redirect(resp, "/admin/users");
}

static const ww_web_route_t routes[] = {
    {"GET", "/admin/users", WW_WEB_ADMIN, false, h_users, NULL},
    {"POST", "/admin/users", WW_WEB_ADMIN, true, h_user_add, NULL},
    {"POST", "/admin/users/disable/{name}", WW_WEB_ADMIN, true, h_disable, NULL},
    {"POST", "/admin/users/enable/{name}", WW_WEB_ADMIN, true, h_enable, NULL},
    {"POST", "/admin/tokens", WW_WEB_ADMIN, true, h_token_add, NULL},
    {"POST", "/admin/tokens/revoke/{name}", WW_WEB_ADMIN, true, h_token_revoke, NULL},
};

uint32_t ww_console_admin_routes(const ww_web_route_t **out)
{
    *out = routes;
    return WW_ARRAY_LEN(routes);
}
