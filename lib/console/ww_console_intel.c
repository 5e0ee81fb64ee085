/* The console's indicators and NHS cyber alerts.  Cyber alerts: the list with each
 * alert's clocks (overdue ones tagged red), an alert's page with the assets it applies
 * to and their state, and the forms analysts record the response with (add, ack,
 * update, asset state, close); each page has its JSON twin under /api/v1/cyberalerts.
 * Every change goes through lib/cyberalert and into the audit log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "console/ww_console.h"
#include "cyberalert/ww_cyberalert.h"

/* ---- helpers ---------------------------------------------------------------------- */

static bool is_api(const ww_web_req_t *req)
{
    return !strncmp(req->path, "/api/", 5);
}

/* A field from a form, or from a JSON object body (API clients send either). */
static const char *field(ww_web_req_t *req, const char *name)
{
    const char *v = ww_web_form(req, name);
    if (v)
        return v;
    if (ww_web_json_type(req, 0) == 'o') {
        uint32_t m = ww_web_json_member(req, 0, name);
        if (m && ww_web_json_type(req, m) == 's')
            return ww_web_json_str(req, m, NULL);
    }
    return NULL;
}

static const char *who_name(const ww_web_req_t *req, char *buf, size_t n)
{
    ww_auth_actor_t a;
    memset(&a, 0, sizeof a);
    ww_console_actor(req, &a);
    snprintf(buf, n, "%s", a.name ? a.name : "unknown");
    return buf;
}

static void td(ww_buf_t *b, const char *text)
{
    ww_buf_puts(b, "<td class=\"nhsuk-table__cell\">");
    ww_html_textz(b, text);
    ww_buf_puts(b, "</td>");
}

static void tag_clock(ww_buf_t *b, const ww_ca_clock_t *k)
{
    static const char *const cls[] = {"nhsuk-tag--grey", "nhsuk-tag--blue", "nhsuk-tag--green",
                                      "nhsuk-tag--orange", "nhsuk-tag--red"};
    if (k->state == WW_CLOCK_NONE) {
        ww_buf_puts(b, "no deadline");
        return;
    }
    ww_buf_printf(b, "<strong class=\"nhsuk-tag %s\">%s</strong> ", cls[k->state],
                  ww_ca_clock_name(k->state));
    char t[32];
    ww_ca_time_format(k->state == WW_CLOCK_MET || k->state == WW_CLOCK_LATE ? k->done : k->due, t,
                      sizeof t);
    ww_buf_printf(b, "%s %.10s %.5s",
                  k->state == WW_CLOCK_MET || k->state == WW_CLOCK_LATE ? "done" : "due", t,
                  t + 11);
}

static void tally(const ww_ca_asset_t *x, size_t n, size_t *affected, size_t *open, int64_t *last)
{
    *affected = *open = 0;
    *last = 0;
    for (size_t i = 0; i < n; i++) {
        if (x[i].possible)
            continue;
        (*affected)++;
        *open += x[i].state == WW_CA_OPEN;
        if (x[i].state_at > *last)
            *last = x[i].state_at;
    }
}

static int bad_request(const ww_web_req_t *req, ww_web_resp_t *resp, const char *msg)
{
    return ww_web_resp_error(req, resp, 400, msg);
}

/* ---- the list ------------------------------------------------------------------- */

static void add_form(ww_buf_t *b, const ww_web_req_t *req)
{
    ww_buf_puts(b, "<h2 id=\"add\">Record a cyber alert</h2>\n"
                   "<form method=\"post\" action=\"/cyberalerts\" novalidate>\n");
    ww_console_csrf_field(b, req);
    static const struct {
        const char *name, *label, *hint;
    } f[] = {
        {"ref", "Reference", "As NHS England gives it, for example CC-4567"},
        {"title", "Title", NULL},
        {"published", "Published", "Date and time, for example 2026-05-01T09:00Z"},
        {"patch_by", "Mitigate by (optional)",
         "Leave empty for 14 days after publication; the alert may give its own date"},
        {"url", "Link to the alert (optional)", NULL},
        {"cves", "CVEs (optional)", "Separated by spaces or commas"},
    };
    for (size_t i = 0; i < WW_ARRAY_LEN(f); i++) {
        char id[32];
        snprintf(id, sizeof id, "ca-%s", f[i].name);
        ww_console_input(b,
                         &(ww_console_input_t){
                             .id = id, .name = f[i].name, .label = f[i].label, .hint = f[i].hint});
    }
    ww_console_field_begin(b, "ca-severity", "Severity", NULL, NULL);
    ww_buf_puts(b, "<select class=\"nhsuk-select\" id=\"ca-severity\" name=\"severity\">"
                   "<option value=\"high\">High</option><option value=\"medium\">Medium</option>"
                   "<option value=\"low\">Low</option><option value=\"critical\">Critical</option>"
                   "</select>\n");
    ww_console_field_end(b);
    ww_console_field_begin(b, "ca-products", "Affected products",
                           "One a line: the product, then optionally | and version ranges "
                           "separated by ; (FortiOS | 7.4.0 - 7.4.2; 7.2.0 - 7.2.6)",
                           NULL);
    ww_buf_puts(b, "<textarea class=\"nhsuk-textarea\" id=\"ca-products\" name=\"products\" "
                   "rows=\"4\" aria-describedby=\"ca-products-hint\"></textarea>\n");
    ww_console_field_end(b);
    ww_console_field_begin(b, "ca-summary", "Summary (optional)", NULL, NULL);
    ww_buf_puts(b, "<textarea class=\"nhsuk-textarea\" id=\"ca-summary\" name=\"summary\" "
                   "rows=\"3\"></textarea>\n");
    ww_console_field_end(b);
    ww_buf_puts(b, "<button class=\"nhsuk-button\" type=\"submit\">Record alert</button>\n"
                   "</form>\n");
}

static int h_list(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    ww_console_db_t *db;
    ww_diag_t d = {0};
    ww_arena_t ar;
    ww_arena_init(&ar, 64 * 1024, 0);
    ww_cyberalert_t *v = NULL;
    size_t n = 0;
    int64_t now = (int64_t)time(NULL);
    if (ww_console_db(c, &db, &d) != 0 || ww_cyberalert_list(db->st, &ar, &v, &n, &d) != 0) {
        ww_arena_release(&ar);
        return ww_console_fail(c, req, resp, &d);
    }
    bool api = is_api(req);
    ww_buf_t *b = &resp->body;
    if (api) {
        ww_console_json(resp, 200);
        ww_buf_puts(b, "{\"cyberalerts\":[");
    } else {
        ww_console_page_begin(c, req, resp, "NHS cyber alerts", "/cyberalerts");
        ww_buf_puts(b, "<h1>NHS cyber alerts</h1>\n<p>High-severity alerts must be "
                       "acknowledged within 48 hours, updated within 3 days and mitigated "
                       "within 14 days of publication (NHS England's process; "
                       "docs/cyber-alerts.md).</p>\n");
        if (n == 0)
            ww_buf_puts(b, "<p>No cyber alerts recorded.</p>\n");
        else
            ww_buf_puts(
                b, "<table class=\"nhsuk-table\"><caption class=\"nhsuk-table__caption\">"
                   "Cyber alerts, newest first</caption><thead class=\"nhsuk-table__head\">"
                   "<tr class=\"nhsuk-table__row\"><th scope=\"col\" class=\"nhsuk-table__header\">"
                   "Reference</th><th scope=\"col\" class=\"nhsuk-table__header\">Title</th>"
                   "<th scope=\"col\" class=\"nhsuk-table__header\">Severity</th>"
                   "<th scope=\"col\" class=\"nhsuk-table__header\">Acknowledge</th>"
                   "<th scope=\"col\" class=\"nhsuk-table__header\">First update</th>"
                   "<th scope=\"col\" class=\"nhsuk-table__header\">Mitigate</th>"
                   "<th scope=\"col\" class=\"nhsuk-table__header\">Assets open</th></tr>"
                   "</thead><tbody class=\"nhsuk-table__body\">\n");
    }
    for (size_t i = 0; i < n; i++) {
        ww_ca_asset_t *x = NULL;
        size_t nx = 0, affected, open;
        int64_t last;
        if (ww_cyberalert_assets(db->st, v[i].id, &ar, &x, &nx, &d) != 0) {
            ww_arena_release(&ar);
            return ww_console_fail(c, req, resp, &d);
        }
        if (api) {
            if (i)
                ww_buf_putc(b, ',');
            ww_cyberalert_json(b, &v[i], now, x, nx);
            continue;
        }
        tally(x, nx, &affected, &open, &last);
        ww_ca_clocks_t k;
        ww_cyberalert_clocks(&v[i], now, open, last, &k);
        ww_buf_puts(b, "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">"
                       "<a href=\"/cyberalerts/");
        ww_html_attr(b, v[i].ref, strlen(v[i].ref));
        ww_buf_puts(b, "\">");
        ww_html_textz(b, v[i].ref);
        ww_buf_puts(b, "</a>");
        if (v[i].closed_at)
            ww_buf_puts(b, " <strong class=\"nhsuk-tag nhsuk-tag--grey\">closed</strong>");
        ww_buf_puts(b, "</td>");
        td(b, v[i].title);
        td(b, ww_ca_sev_name(v[i].severity));
        const ww_ca_clock_t *ks[] = {&k.ack, &k.update, &k.mitigate};
        for (size_t j = 0; j < 3; j++) {
            ww_buf_puts(b, "<td class=\"nhsuk-table__cell\">");
            tag_clock(b, ks[j]);
            ww_buf_puts(b, "</td>");
        }
        ww_buf_printf(b, "<td class=\"nhsuk-table__cell\">%zu of %zu</td></tr>\n", open, affected);
    }
    if (api)
        ww_buf_puts(b, "]}\n");
    else {
        if (n)
            ww_buf_puts(b, "</tbody></table>\n");
        if (ww_console_may(req, WW_ACT_TRIAGE))
            add_form(b, req);
        ww_console_page_end(resp);
    }
    ww_arena_release(&ar);
    return resp->body.err;
}

/* ---- adding --------------------------------------------------------------------- */

/* Products from the form's lines: "FortiOS | 7.4.0 - 7.4.2; 7.2.0 - 7.2.6". */
static int parse_products(ww_arena_t *ar, const char *text, ww_cyberalert_t *a)
{
    char *copy = ww_arena_strdup(ar, text ? text : "");
    if (!copy)
        return WW_ENOMEM;
    size_t lines = 1;
    for (char *p = copy; *p; p++)
        lines += *p == '\n';
    if (lines > WW_CA_MAX_PRODUCTS)
        return WW_EINVAL;
    a->products = ww_arena_calloc(ar, lines * sizeof *a->products);
    if (!a->products)
        return WW_ENOMEM;
    for (char *line = copy; line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        char *bar = strchr(line, '|');
        if (bar)
            *bar++ = 0;
        char *e = line + strlen(line);
        while (e > line && (e[-1] == ' ' || e[-1] == '\r' || e[-1] == '\t'))
            *--e = 0;
        while (*line == ' ' || *line == '\t')
            line++;
        if (*line) {
            ww_ca_product_t *p = &a->products[a->nproducts++];
            p->product = line;
            if (bar) {
                size_t nr = 1;
                for (char *q = bar; *q; q++)
                    nr += *q == ';';
                p->ranges = ww_arena_alloc(ar, nr * sizeof *p->ranges);
                if (!p->ranges)
                    return WW_ENOMEM;
                for (char *r = bar; r;) {
                    char *rn = strchr(r, ';');
                    if (rn)
                        *rn++ = 0;
                    while (*r == ' ' || *r == '\t')
                        r++;
                    char *re = r + strlen(r);
                    while (re > r && (re[-1] == ' ' || re[-1] == '\r' || re[-1] == '\t'))
                        *--re = 0;
                    if (*r)
                        p->ranges[p->nranges++] = r;
                    r = rn;
                }
            }
        }
        line = next;
    }
    return 0;
}

static int parse_cves(ww_arena_t *ar, const char *text, ww_cyberalert_t *a)
{
    char *copy = ww_arena_strdup(ar, text ? text : "");
    if (!copy)
        return WW_ENOMEM;
    size_t n = 1;
    for (char *p = copy; *p; p++)
        n += *p == ' ' || *p == ',' || *p == '\n';
    a->cves = ww_arena_alloc(ar, n * sizeof *a->cves);
    if (!a->cves)
        return WW_ENOMEM;
    for (char *p = copy; *p;) {
        while (*p == ' ' || *p == ',' || *p == '\n' || *p == '\r' || *p == '\t')
            *p++ = 0;
        if (!*p)
            break;
        a->cves[a->ncves++] = p;
        while (*p && *p != ' ' && *p != ',' && *p != '\n' && *p != '\r' && *p != '\t')
            p++;
    }
    return 0;
}

static int h_add(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    if (!ww_console_may(req, WW_ACT_TRIAGE))
        return ww_web_resp_error(req, resp, 403, "Your role may not record cyber alerts.");
    ww_arena_t ar;
    ww_arena_init(&ar, 16 * 1024, 1 << 20);
    ww_cyberalert_t a;
    memset(&a, 0, sizeof a);
    a.ref = field(req, "ref");
    a.title = field(req, "title");
    a.url = field(req, "url");
    a.summary = field(req, "summary");
    const char *sev = field(req, "severity"), *pub = field(req, "published"),
               *pby = field(req, "patch_by");
    ww_diag_t d = {0};
    int rc = 0;
    char msg[320] = "";
    if (ww_ca_sev_parse(sev, &a.severity) != 0)
        snprintf(msg, sizeof msg, "Severity must be high, medium, low or critical.");
    else if (ww_ca_time_parse(pub, &a.published) != 0)
        snprintf(msg, sizeof msg, "Published must be a date or date and time (2026-05-01T09:00Z).");
    else if (pby && *pby && ww_ca_time_parse(pby, &a.patch_by) != 0)
        snprintf(msg, sizeof msg, "Mitigate by must be a date or date and time.");
    else if (parse_products(&ar, field(req, "products"), &a) != 0 ||
             parse_cves(&ar, field(req, "cves"), &a) != 0)
        snprintf(msg, sizeof msg, "Too many products or CVEs.");
    if (*msg) {
        ww_arena_release(&ar);
        return bad_request(req, resp, msg);
    }
    ww_console_db_t *db;
    char by[128];
    ww_ca_who_t who = {who_name(req, by, sizeof by), (int64_t)time(NULL)};
    if ((rc = ww_console_db(c, &db, &d)) != 0) {
        ww_arena_release(&ar);
        return ww_console_fail(c, req, resp, &d);
    }
    rc = ww_cyberalert_put(db->st, &a, false, &who, NULL, &d);
    if (rc == WW_EINVAL) {
        ww_arena_release(&ar);
        return bad_request(req, resp, d.msg);
    }
    ww_feeds_t *feeds = NULL;
    ww_diag_t fd = {0};
    /* Without reference data the words alone decide; the page says what applies. */
    if (rc == 0 && ww_feeds_load(db->st, NULL, &feeds, &fd) != 0)
        feeds = NULL;
    if (rc == 0)
        rc = ww_cyberalert_refresh(db->st, feeds, a.ref, &who, &d);
    ww_feeds_free(feeds);
    if (rc != 0) {
        ww_arena_release(&ar);
        return ww_console_fail(c, req, resp, &d);
    }
    ww_console_audit(c, req, "cyberalert.add", a.ref, a.title);
    char path[128];
    snprintf(path, sizeof path, "%s/%s", is_api(req) ? "/api/v1/cyberalerts" : "/cyberalerts",
             a.ref);
    ww_arena_release(&ar);
    return ww_web_resp_redirect(resp, path);
}

/* ---- one alert ------------------------------------------------------------------ */

static void row(ww_buf_t *b, const char *key, const char *value)
{
    ww_buf_puts(b, "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">");
    ww_html_textz(b, key);
    ww_buf_puts(b, "</dt><dd class=\"nhsuk-summary-list__value\">");
    ww_html_textz(b, value);
    ww_buf_puts(b, "</dd></div>\n");
}

static void note_form(ww_buf_t *b, const ww_web_req_t *req, const char *ref, const char *action,
                      const char *label, const char *button, bool required)
{
    ww_buf_puts(b, "<form method=\"post\" action=\"/cyberalerts/");
    ww_html_attr(b, ref, strlen(ref));
    ww_buf_printf(b, "/%s\">", action);
    ww_console_csrf_field(b, req);
    char id[64];
    snprintf(id, sizeof id, "%s-note", action);
    ww_console_field_begin(b, id, label, NULL, NULL);
    ww_buf_printf(b,
                  "<textarea class=\"nhsuk-textarea\" id=\"%s\" name=\"note\" rows=\"2\"%s>"
                  "</textarea>\n",
                  id, required ? " required" : "");
    ww_console_field_end(b);
    ww_buf_printf(b,
                  "<button class=\"nhsuk-button nhsuk-button--secondary\" type=\"submit\">%s"
                  "</button></form>\n",
                  button);
}

static int h_show(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    const char *ref = ww_web_param(req, "ref");
    ww_console_db_t *db;
    ww_diag_t d = {0};
    ww_arena_t ar;
    ww_arena_init(&ar, 64 * 1024, 0);
    ww_cyberalert_t a;
    ww_ca_asset_t *x = NULL;
    ww_ca_note_t *h = NULL;
    size_t nx = 0, nh = 0, affected, open;
    int64_t last, now = (int64_t)time(NULL);
    int rc = ww_console_db(c, &db, &d);
    if (rc == 0)
        rc = ww_cyberalert_get(db->st, ref, &ar, &a, &d);
    if (rc == 0) {
        ww_arena_release(&ar);
        return ww_web_resp_error(req, resp, 404, "No such cyber alert.");
    }
    if (rc < 0 || ww_cyberalert_assets(db->st, a.id, &ar, &x, &nx, &d) != 0 ||
        ww_cyberalert_history(db->st, a.id, &ar, &h, &nh, &d) != 0) {
        ww_arena_release(&ar);
        return ww_console_fail(c, req, resp, &d);
    }
    ww_buf_t *b = &resp->body;
    if (is_api(req)) {
        ww_console_json(resp, 200);
        ww_cyberalert_json(b, &a, now, x, nx);
        ww_buf_putc(b, '\n');
        ww_arena_release(&ar);
        return b->err;
    }
    tally(x, nx, &affected, &open, &last);
    ww_ca_clocks_t k;
    ww_cyberalert_clocks(&a, now, open, last, &k);
    char title[600];
    snprintf(title, sizeof title, "%s: %s", a.ref, a.title);
    ww_console_page_begin(c, req, resp, title, "/cyberalerts");
    ww_buf_puts(b, "<h1>");
    ww_html_textz(b, title);
    ww_buf_puts(b, "</h1>\n<dl class=\"nhsuk-summary-list\">\n");
    char t[32];
    row(b, "Severity", ww_ca_sev_name(a.severity));
    ww_ca_time_format(a.published, t, sizeof t);
    row(b, "Published", t);
    row(b, "Status", a.closed_at ? "closed" : "open");
    if (*a.url) {
        ww_buf_puts(b,
                    "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">"
                    "Alert</dt><dd class=\"nhsuk-summary-list__value\"><a href=\"");
        ww_html_url(b, a.url, strlen(a.url));
        ww_buf_puts(b, "\">");
        ww_html_textz(b, a.url);
        ww_buf_puts(b, "</a></dd></div>\n");
    }
    for (size_t i = 0; i < a.nproducts; i++) {
        ww_buf_t pb;
        ww_buf_init(&pb, 8192);
        ww_buf_puts(&pb, a.products[i].product);
        for (size_t r = 0; r < a.products[i].nranges; r++)
            ww_buf_printf(&pb, "%s%s", r ? "; " : " (", a.products[i].ranges[r]);
        ww_buf_puts(&pb, a.products[i].nranges ? ")" : " (all versions)");
        row(b, "Product", pb.p ? pb.p : "");
        ww_buf_release(&pb);
    }
    for (size_t i = 0; i < a.ncves; i++)
        row(b, "CVE", a.cves[i]);
    const struct {
        const char *name;
        const ww_ca_clock_t *k;
    } cl[] = {{"Acknowledge", &k.ack}, {"First update", &k.update}, {"Mitigate", &k.mitigate}};
    for (size_t i = 0; i < 3; i++) {
        ww_buf_puts(
            b, "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">");
        ww_buf_puts(b, cl[i].name);
        ww_buf_puts(b, "</dt><dd class=\"nhsuk-summary-list__value\">");
        tag_clock(b, cl[i].k);
        ww_buf_puts(b, "</dd></div>\n");
    }
    ww_buf_puts(b, "</dl>\n");
    if (*a.summary) {
        ww_buf_puts(b, "<p>");
        ww_html_textz(b, a.summary);
        ww_buf_puts(b, "</p>\n");
    }
    bool may = ww_console_may(req, WW_ACT_TRIAGE) && !a.closed_at;
    ww_buf_printf(b, "<h2>Assets it applies to (%zu, %zu open)</h2>\n", affected, open);
    if (nx == 0)
        ww_buf_puts(b, "<p>No asset in the register matches this alert.</p>\n");
    else {
        ww_buf_puts(b, "<table class=\"nhsuk-table\"><caption class=\"nhsuk-table__caption "
                       "nhsuk-u-visually-hidden\">Applicable assets</caption><thead "
                       "class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\">"
                       "<th scope=\"col\" class=\"nhsuk-table__header\">Asset</th>"
                       "<th scope=\"col\" class=\"nhsuk-table__header\">Why</th>"
                       "<th scope=\"col\" class=\"nhsuk-table__header\">State</th>");
        if (may)
            ww_buf_puts(b, "<th scope=\"col\" class=\"nhsuk-table__header\">Record</th>");
        ww_buf_puts(b, "</tr></thead><tbody class=\"nhsuk-table__body\">\n");
        for (size_t i = 0; i < nx; i++) {
            ww_buf_puts(b, "<tr class=\"nhsuk-table__row\">");
            td(b, x[i].asset);
            ww_buf_puts(b, "<td class=\"nhsuk-table__cell\">");
            if (x[i].possible)
                ww_buf_puts(b, "<strong class=\"nhsuk-tag nhsuk-tag--yellow\">check</strong> ");
            ww_html_textz(b, x[i].basis);
            ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell\">");
            bool late =
                !x[i].possible && x[i].state == WW_CA_OPEN && k.mitigate.state == WW_CLOCK_OVERDUE;
            ww_buf_printf(b, "<strong class=\"nhsuk-tag %s\">%s</strong>",
                          late                       ? "nhsuk-tag--red"
                          : x[i].state == WW_CA_OPEN ? "nhsuk-tag--blue"
                                                     : "nhsuk-tag--green",
                          late ? "overdue" : ww_ca_state_name(x[i].state));
            if (x[i].state != WW_CA_OPEN) {
                ww_buf_puts(b, " by ");
                ww_html_textz(b, x[i].state_by);
                ww_buf_puts(b, " ");
                ww_console_time(b, x[i].state_at);
                if (*x[i].note) {
                    ww_buf_puts(b, ": ");
                    ww_html_textz(b, x[i].note);
                }
            }
            ww_buf_puts(b, "</td>");
            if (may) {
                ww_buf_puts(b, "<td class=\"nhsuk-table__cell\"><form method=\"post\" "
                               "action=\"/cyberalerts/");
                ww_html_attr(b, a.ref, strlen(a.ref));
                ww_buf_puts(b, "/asset\">");
                ww_console_csrf_field(b, req);
                ww_buf_puts(b, "<input type=\"hidden\" name=\"asset\" value=\"");
                ww_html_attr(b, x[i].asset, strlen(x[i].asset));
                ww_buf_printf(b,
                              "\"><label class=\"nhsuk-label\" for=\"st-%zu\">State</label>"
                              "<select class=\"nhsuk-select\" id=\"st-%zu\" name=\"state\">"
                              "<option value=\"patched\">Patched</option><option "
                              "value=\"mitigated\">Mitigated</option><option "
                              "value=\"not_applicable\">Not applicable</option><option "
                              "value=\"open\">Open</option></select> <label class=\"nhsuk-label\" "
                              "for=\"nt-%zu\">Note</label><input class=\"nhsuk-input\" "
                              "id=\"nt-%zu\" name=\"note\" type=\"text\"> <button "
                              "class=\"nhsuk-button nhsuk-button--secondary\" "
                              "type=\"submit\">Save</button></form></td>",
                              i, i, i, i);
            }
            ww_buf_puts(b, "</tr>\n");
        }
        ww_buf_puts(b, "</tbody></table>\n");
    }
    if (may) {
        ww_buf_puts(b, "<h2>Record the response</h2>\n");
        if (!a.acked_at)
            note_form(b, req, a.ref, "ack", "Acknowledgement note (optional)", "Acknowledge",
                      false);
        note_form(b, req, a.ref, "update", "Update: where remediation stands", "Record update",
                  true);
        note_form(b, req, a.ref, "close", "Closing note", "Close alert", false);
    }
    ww_buf_puts(b, "<h2>History</h2>\n<ul class=\"nhsuk-list\">\n");
    for (size_t i = 0; i < nh; i++) {
        ww_buf_puts(b, "<li>");
        ww_console_time(b, h[i].at);
        ww_buf_puts(b, " ");
        ww_html_textz(b, h[i].action);
        ww_buf_puts(b, " by ");
        ww_html_textz(b, h[i].by);
        if (*h[i].detail) {
            ww_buf_puts(b, ": ");
            ww_html_textz(b, h[i].detail);
        }
        ww_buf_puts(b, "</li>\n");
    }
    ww_buf_puts(b, "</ul>\n");
    ww_console_page_end(resp);
    ww_arena_release(&ar);
    return b->err;
}

/* ---- the response --------------------------------------------------------------- */

enum { ACT_ACK, ACT_UPDATE, ACT_CLOSE, ACT_ASSET };

static int act(ww_web_req_t *req, ww_web_resp_t *resp, void *ud, int what)
{
    ww_console_t *c = ud;
    if (!ww_console_may(req, WW_ACT_TRIAGE))
        return ww_web_resp_error(req, resp, 403, "Your role may not record this.");
    const char *ref = ww_web_param(req, "ref"), *note = field(req, "note");
    ww_diag_t d = {0};
    char by[128];
    ww_ca_who_t who = {who_name(req, by, sizeof by), (int64_t)time(NULL)};
    ww_console_db_t *db = ww_console_db_or_fail(c, req, resp);
    if (!db)
        return 0;
    int rc;
    const char *action = "";
    char detail[700];
    snprintf(detail, sizeof detail, "%.600s", note ? note : "");
    switch (what) {
    case ACT_ACK:
        rc = ww_cyberalert_ack(db->st, ref, &who, note, &d);
        action = "cyberalert.ack";
        break;
    case ACT_UPDATE:
        rc = ww_cyberalert_update(db->st, ref, &who, note, &d);
        action = "cyberalert.update";
        break;
    case ACT_CLOSE:
        rc = ww_cyberalert_close(db->st, ref, &who, note, &d);
        action = "cyberalert.close";
        break;
    default: {
        const char *asset = field(req, "asset"), *st = field(req, "state");
        ww_ca_state_t s;
        if (!asset || ww_ca_state_parse(st, &s) != 0)
            return bad_request(req, resp,
                               "Give the asset and a state: patched, mitigated, not_applicable "
                               "or open.");
        rc = ww_cyberalert_set_asset(db->st, ref, asset, s, &who, note, &d);
        /* An asset's new state is also an update on the alert. */
        if (rc == 0) {
            char n[400];
            snprintf(n, sizeof n, "%.200s: %s", asset, ww_ca_state_name(s));
            rc = ww_cyberalert_update(db->st, ref, &who, n, &d);
        }
        snprintf(detail, sizeof detail, "%.200s: %s%s%.400s", asset, ww_ca_state_name(s),
                 note && *note ? ": " : "", note ? note : "");
        action = "cyberalert.asset";
    }
    }
    if (rc == WW_ENOENT)
        return ww_web_resp_error(req, resp, 404, d.msg);
    if (rc == WW_EINVAL)
        return bad_request(req, resp, d.msg);
    if (rc != 0)
        return ww_console_fail(c, req, resp, &d);
    ww_console_audit(c, req, action, ref, detail);
    char path[160];
    snprintf(path, sizeof path, "%s/%s", is_api(req) ? "/api/v1/cyberalerts" : "/cyberalerts", ref);
    return ww_web_resp_redirect(resp, path);
}

static int h_ack(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    return act(req, resp, ud, ACT_ACK);
}
static int h_update(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    return act(req, resp, ud, ACT_UPDATE);
}
static int h_close(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    return act(req, resp, ud, ACT_CLOSE);
}
static int h_asset(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    return act(req, resp, ud, ACT_ASSET);
}

static const ww_web_route_t routes[] = {
    {"GET", "/cyberalerts", WW_WEB_ANALYST, false, h_list, NULL},
    {"POST", "/cyberalerts", WW_WEB_ANALYST, true, h_add, NULL},
    {"GET", "/cyberalerts/{ref}", WW_WEB_ANALYST, false, h_show, NULL},
    {"POST", "/cyberalerts/{ref}/ack", WW_WEB_ANALYST, true, h_ack, NULL},
    {"POST", "/cyberalerts/{ref}/update", WW_WEB_ANALYST, true, h_update, NULL},
    {"POST", "/cyberalerts/{ref}/close", WW_WEB_ANALYST, true, h_close, NULL},
    {"POST", "/cyberalerts/{ref}/asset", WW_WEB_ANALYST, true, h_asset, NULL},
    {"GET", "/api/v1/cyberalerts", WW_WEB_ANALYST, false, h_list, NULL},
    {"POST", "/api/v1/cyberalerts", WW_WEB_ANALYST, true, h_add, NULL},
    {"GET", "/api/v1/cyberalerts/{ref}", WW_WEB_ANALYST, false, h_show, NULL},
    {"POST", "/api/v1/cyberalerts/{ref}/ack", WW_WEB_ANALYST, true, h_ack, NULL},
    {"POST", "/api/v1/cyberalerts/{ref}/update", WW_WEB_ANALYST, true, h_update, NULL},
    {"POST", "/api/v1/cyberalerts/{ref}/close", WW_WEB_ANALYST, true, h_close, NULL},
    {"POST", "/api/v1/cyberalerts/{ref}/asset", WW_WEB_ANALYST, true, h_asset, NULL},
};

uint32_t ww_console_intel_routes(const ww_web_route_t **out)
{
    *out = routes;
    return WW_ARRAY_LEN(routes);
}
