/* The console's incidents: the list (filtered by status), opening one, its page (the
 * summary, the ICO 72-hour clock, the DSPT flag, the timeline of alerts, notes,
 * evidence and fire-break actions, and the forms that change them), evidence
 * downloads, the JSON and STIX exports, the triage page's "escalate" form, and the
 * /api/v1/incidents twins.  Everything about incidents is in lib/incident; this file
 * reads requests and writes pages.  Analysts and above (WW_ACT_INCIDENT); every
 * change goes to the audit log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts/ww_alerts.h"
#include "console/ww_console.h"
#include "incident/ww_incident.h"

#define MAX_ESCALATE 500              /* alerts one escalation links */
#define MAX_EVIDENCE_SEND (64u << 20) /* an evidence file sent back to a browser */

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

static const char *who(const ww_web_req_t *req)
{
    ww_auth_actor_t a;
    ww_console_actor(req, &a);
    return a.name;
}

/* The finer check beside the route's role (a session that must change its password
 * first is refused too). */
static bool refused(const ww_web_req_t *req, ww_web_resp_t *resp)
{
    if (ww_console_may(req, WW_ACT_INCIDENT))
        return false;
    ww_web_resp_error(req, resp, 403, "Incidents are for analysts, responders and admins.");
    return true;
}

/* The incident named by the path's {id}: 0, or 1 with resp filled (404, 500). */
static int load(ww_console_t *c, ww_web_req_t *req, ww_web_resp_t *resp, ww_console_db_t **db,
                ww_incident_t *inc)
{
    ww_diag_t d = {0};
    if (ww_console_db(c, db, &d) != 0)
        return ww_console_fail(c, req, resp, &d), 1;
    const char *key = ww_web_param(req, "id");
    int rc = key ? ww_incident_get((*db)->st, key, inc, &d) : WW_ENOENT;
    if (rc == WW_ENOENT)
        return ww_web_resp_error(req, resp, 404, "There is no such incident."), 1;
    if (rc)
        return ww_console_fail(c, req, resp, &d), 1;
    return 0;
}

/* ---- small HTML writers ---------------------------------------------------------------- */

static const char *status_colour(int s)
{
    static const char *const c[] = {"red", "orange", "green", "grey"};
    return s >= 0 && s < 4 ? c[s] : "grey";
}

static const char *severity_colour(int s)
{
    static const char *const c[] = {"grey", "yellow", "orange", "red"};
    return s >= 0 && s < 4 ? c[s] : "grey";
}

static void tag(ww_buf_t *b, const char *colour, const char *text)
{
    ww_buf_printf(b, "<strong class=\"nhsuk-tag nhsuk-tag--%s\">", colour);
    ww_html_textz(b, text);
    ww_buf_puts(b, "</strong>");
}

static void ico_html(ww_buf_t *b, const ww_incident_t *inc, int64_t now)
{
    ww_inc_ico_t ico;
    ww_incident_ico(inc, now, &ico);
    ww_buf_t t;
    ww_buf_init(&t, 256);
    ww_incident_ico_text(&ico, &t);
    if (!ico.applies) {
        ww_html_textz(b, t.p);
    } else {
        tag(b,
            ico.overdue            ? "red"
            : ico.left < 24 * 3600 ? "orange"
                                   : "blue",
            ico.overdue ? "Overdue" : "Running");
        ww_buf_puts(b, " ");
        ww_html_textz(b, t.p);
        ww_buf_puts(b, " (report to the ICO by ");
        ww_console_time(b, ico.deadline);
        ww_buf_puts(b, ")");
    }
    ww_buf_release(&t);
}

/* Text that may hold line breaks (a description, a note): each line escaped, <br>
 * between them, at most max bytes in all (cut with "…"). */
static void text_lines(ww_buf_t *b, const char *s, size_t max)
{
    size_t n = strlen(s), done = 0;
    while (done < n && done < max) {
        const char *nl = memchr(s + done, '\n', n - done);
        size_t len = nl ? (size_t)(nl - (s + done)) : n - done;
        size_t room = max - done;
        if (len > 0 && s[done + len - 1] == '\r')
            len--;
        ww_html_text(b, s + done, len, len > room ? room : 0);
        done += (nl ? (size_t)(nl - (s + done)) + 1 : n - done);
        if (nl && done < n && done < max)
            ww_buf_puts(b, "<br>");
    }
    if (done < n)
        ww_buf_puts(b, "…");
}

static void row_begin(ww_buf_t *b, const char *key)
{
    ww_buf_puts(b, "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">");
    ww_html_textz(b, key);
    ww_buf_puts(b, "</dt><dd class=\"nhsuk-summary-list__value\">");
}

static void row_end(ww_buf_t *b)
{
    ww_buf_puts(b, "</dd></div>\n");
}

static void row_text(ww_buf_t *b, const char *key, const char *value)
{
    row_begin(b, key);
    ww_html_textz(b, value && value[0] ? value : "-");
    row_end(b);
}

/* The form field a library message names ("title: must not be empty" -> "title"). */
static const char *field_of(const char *msg, const char *fallback)
{
    static const char *const ids[] = {"title",    "description", "owner",    "severity",
                                      "status",   "aware",       "dspt_ref", "note",
                                      "evidence", "plan",        "host",     "alert"};
    for (size_t i = 0; i < WW_ARRAY_LEN(ids); i++) {
        size_t n = strlen(ids[i]);
        if (!strncmp(msg, ids[i], n) && msg[n] == ':')
            return ids[i];
    }
    return fallback;
}

static void text_input(ww_buf_t *b, const char *id, const char *label, const char *hint,
                       const char *value, const char *width)
{
    ww_console_input(
        b,
        &(ww_console_input_t){
            .id = id, .label = label, .hint = hint, .value = value ? value : "", .width = width});
}

static void textarea(ww_buf_t *b, const char *id, const char *label, const char *hint,
                     const char *value, int rows)
{
    ww_console_field_begin(b, id, label, hint, NULL);
    ww_buf_printf(b, "<textarea class=\"nhsuk-textarea\" id=\"%s\" name=\"%s\" rows=\"%d\"", id, id,
                  rows);
    ww_console_described_by(b, id, hint != NULL, false);
    ww_buf_putc(b, '>');
    if (value)
        ww_html_textz(b, value);
    ww_buf_puts(b, "</textarea>\n");
    ww_console_field_end(b);
}

/* A <select> of names[0..n) with `current` selected. */
static void select_of(ww_buf_t *b, const char *id, const char *label, const char *const *values,
                      const char *const *labels, size_t n, const char *current)
{
    ww_console_field_begin(b, id, label, NULL, NULL);
    ww_buf_printf(b, "<select class=\"nhsuk-select\" id=\"%s\" name=\"%s\">\n", id, id);
    for (size_t i = 0; i < n; i++) {
        ww_buf_puts(b, "<option value=\"");
        ww_html_attr(b, values[i], strlen(values[i]));
        ww_buf_printf(b, "\"%s>", current && !strcmp(current, values[i]) ? " selected" : "");
        ww_html_textz(b, labels[i]);
        ww_buf_puts(b, "</option>\n");
    }
    ww_buf_puts(b, "</select>\n");
    ww_console_field_end(b);
}

/* Yes/no radios (name id, legend label). */
static void yes_no(ww_buf_t *b, const char *id, const char *legend, const char *hint, bool value)
{
    ww_buf_printf(b,
                  "<div class=\"nhsuk-form-group\">\n<fieldset class=\"nhsuk-fieldset\"%s%s%s>\n"
                  "<legend class=\"nhsuk-fieldset__legend nhsuk-fieldset__legend--s\">",
                  hint ? " aria-describedby=\"" : "", hint ? id : "", hint ? "-hint\"" : "");
    ww_html_textz(b, legend);
    ww_buf_puts(b, "</legend>\n");
    if (hint) {
        ww_buf_printf(b, "<div class=\"nhsuk-hint\" id=\"%s-hint\">", id);
        ww_html_textz(b, hint);
        ww_buf_puts(b, "</div>\n");
    }
    ww_buf_puts(b, "<div class=\"nhsuk-radios nhsuk-radios--inline\">\n");
    for (int v = 1; v >= 0; v--)
        ww_buf_printf(b,
                      "<div class=\"nhsuk-radios__item\"><input class=\"nhsuk-radios__input\" "
                      "id=\"%s-%s\" name=\"%s\" type=\"radio\" value=\"%s\"%s>"
                      "<label class=\"nhsuk-label nhsuk-radios__label\" for=\"%s-%s\">%s</label>"
                      "</div>\n",
                      id, v ? "yes" : "no", id, v ? "yes" : "no",
                      (v != 0) == value ? " checked" : "", id, v ? "yes" : "no", v ? "Yes" : "No");
    ww_buf_puts(b, "</div>\n</fieldset>\n</div>\n");
}

static const char *const status_values[] = {"open", "contained", "resolved", "closed"};
static const char *const status_labels[] = {"Open", "Contained", "Resolved", "Closed"};
static const char *const severity_values[] = {"low", "medium", "high", "critical"};
static const char *const severity_labels[] = {"Low", "Medium", "High", "Critical"};

static void table_head(ww_buf_t *b, const char *caption, const char *const *cols, size_t n)
{
    ww_buf_puts(b, "<table class=\"nhsuk-table\">\n<caption class=\"nhsuk-table__caption\">");
    ww_html_textz(b, caption);
    ww_buf_puts(b,
                "</caption>\n<thead class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\">");
    for (size_t i = 0; i < n; i++) {
        ww_buf_puts(b, "<th scope=\"col\" class=\"nhsuk-table__header\">");
        ww_html_textz(b, cols[i]);
        ww_buf_puts(b, "</th>");
    }
    ww_buf_puts(b, "</tr></thead>\n<tbody class=\"nhsuk-table__body\">\n");
}

static void cell(ww_buf_t *b, const char *text)
{
    ww_buf_puts(b, "<td class=\"nhsuk-table__cell\">");
    ww_html_text(b, text ? text : "", text ? strlen(text) : 0, 200);
    ww_buf_puts(b, "</td>");
}

static void cell_time(ww_buf_t *b, int64_t t)
{
    ww_buf_puts(b, "<td class=\"nhsuk-table__cell\">");
    ww_console_time(b, t);
    ww_buf_puts(b, "</td>");
}

/* "/incidents/<ref><suffix>" as an href value. */
static void inc_href(ww_buf_t *b, const ww_incident_t *inc, const char *suffix)
{
    ww_buf_t u;
    ww_buf_init(&u, 512);
    ww_buf_printf(&u, "/incidents/%s%s", inc->ref, suffix);
    ww_html_url(b, u.p, u.n);
    ww_buf_release(&u);
}

/* ---- the list ---------------------------------------------------------------------------- */

typedef struct list_walk {
    ww_buf_t *b;
    int64_t now;
    uint32_t n;
    bool json;
} list_walk_t;

static void json_summary(ww_buf_t *b, const ww_incident_t *inc, int64_t now)
{
    ww_inc_ico_t ico;
    ww_incident_ico(inc, now, &ico);
    ww_buf_printf(b, "{\"reference\":\"%s\",\"title\":", inc->ref);
    ww_buf_json_str(b, inc->title, strlen(inc->title));
    ww_buf_printf(b, ",\"status\":\"%s\",\"severity\":\"%s\",\"owner\":",
                  ww_inc_status_name(inc->status), ww_inc_severity_name(inc->severity));
    ww_buf_json_str(b, inc->owner, strlen(inc->owner));
    ww_buf_printf(b,
                  ",\"created\":%lld,\"updated\":%lld,\"aware\":%lld,\"personal_data\":%s,"
                  "\"ico\":{\"applies\":%s,\"deadline\":%lld,\"seconds_left\":%lld,"
                  "\"overdue\":%s},\"dspt_reportable\":%s,\"dspt_reported\":%lld,"
                  "\"alerts\":%u,\"notes\":%u,\"evidence\":%u,\"firebreaks\":%u}",
                  (long long)inc->created, (long long)inc->updated, (long long)inc->aware,
                  inc->personal_data ? "true" : "false", ico.applies ? "true" : "false",
                  (long long)ico.deadline, (long long)ico.left, ico.overdue ? "true" : "false",
                  inc->dspt_reportable ? "true" : "false", (long long)inc->dspt_reported,
                  inc->nalerts, inc->nnotes, inc->nevidence, inc->nplans);
}

static int list_row(void *ud, const ww_incident_t *inc)
{
    list_walk_t *w = ud;
    ww_buf_t *b = w->b;
    if (w->json) {
        if (w->n)
            ww_buf_putc(b, ',');
        json_summary(b, inc, w->now);
        w->n++;
        return b->err;
    }
    ww_buf_puts(b, "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\"><a href=\"");
    inc_href(b, inc, "");
    ww_buf_printf(b, "\">%s</a></td>", inc->ref);
    cell(b, inc->title);
    ww_buf_puts(b, "<td class=\"nhsuk-table__cell\">");
    tag(b, status_colour(inc->status), ww_inc_status_name(inc->status));
    ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell\">");
    tag(b, severity_colour(inc->severity), ww_inc_severity_name(inc->severity));
    ww_buf_puts(b, "</td>");
    cell(b, inc->owner[0] ? inc->owner : "-");
    ww_buf_puts(b, "<td class=\"nhsuk-table__cell\">");
    ico_html(b, inc, w->now);
    ww_buf_puts(b, "</td>");
    cell_time(b, inc->updated);
    ww_buf_printf(b, "<td class=\"nhsuk-table__cell\">%u</td></tr>\n", inc->nalerts);
    w->n++;
    return b->err;
}

/* The ?status= filter: NULL (all), "active", or a status; anything else is refused. */
static int status_filter(const ww_web_req_t *req, const char **out)
{
    const char *s = ww_web_query(req, "status");
    if (!s || !s[0] || !strcmp(s, "active")) {
        *out = "active"; /* the default: what is still being worked on */
        return 0;
    }
    if (!strcmp(s, "all")) {
        *out = NULL;
        return 0;
    }
    if (ww_inc_status_parse(s) < 0)
        return WW_EINVAL;
    *out = s;
    return 0;
}

static int h_list(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    if (refused(req, resp))
        return 0;
    const char *status;
    if (status_filter(req, &status) != 0)
        return ww_web_resp_error(req, resp, 400,
                                 "status: all, active, open, contained, resolved or closed.");
    ww_diag_t d = {0};
    ww_console_db_t *db = ww_console_db_or_fail(c, req, resp);
    if (!db)
        return 0;
    ww_console_page_begin(c, req, resp, "Incidents", "/incidents");
    ww_buf_t *b = &resp->body;
    ww_buf_puts(b, "<h1>Incidents</h1>\n<p><a class=\"nhsuk-button\" href=\"/incidents/new\">"
                   "Open an incident</a></p>\n"
                   "<form method=\"get\" action=\"/incidents\">\n");
    static const char *const fv[] = {"active", "open", "contained", "resolved", "closed", "all"};
    static const char *const fl[] = {"Open or contained", "Open",   "Contained",
                                     "Resolved",          "Closed", "All"};
    select_of(b, "status", "Show", fv, fl, WW_ARRAY_LEN(fv), status ? status : "all");
    ww_buf_puts(b, "<button class=\"nhsuk-button nhsuk-button--secondary\" type=\"submit\">"
                   "Show incidents</button>\n</form>\n");
    static const char *const cols[] = {"Reference", "Title", "Status",
                                       "Severity",  "Owner", "ICO 72-hour clock",
                                       "Updated",   "Alerts"};
    size_t mark = b->n;
    table_head(b, "Incidents", cols, WW_ARRAY_LEN(cols));
    list_walk_t w = {b, now_s(), 0, false};
    int rc = ww_incident_each(db->st, status, 500, list_row, &w, &d);
    if (rc < 0)
        return ww_console_fail(c, req, resp, &d);
    if (w.n == 0) {
        b->n = mark; /* no empty table */
        b->p[b->n] = 0;
        ww_buf_puts(b, "<p>No incidents to show.</p>\n");
    } else
        ww_buf_puts(b, "</tbody>\n</table>\n");
    return ww_console_page_end(resp);
}

static int h_api_list(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    if (refused(req, resp))
        return 0;
    const char *status;
    const char *q = ww_web_query(req, "status");
    if (!q || !q[0])
        status = NULL; /* the API lists everything unless asked */
    else if (status_filter(req, &status) != 0)
        return ww_web_resp_error(req, resp, 400,
                                 "status: all, active, open, contained, resolved or closed");
    ww_diag_t d = {0};
    ww_console_db_t *db = ww_console_db_or_fail(c, req, resp);
    if (!db)
        return 0;
    ww_console_json(resp, 200);
    ww_buf_puts(&resp->body, "{\"incidents\":[");
    list_walk_t w = {&resp->body, now_s(), 0, true};
    if (ww_incident_each(db->st, status, 1000, list_row, &w, &d) < 0)
        return ww_console_fail(c, req, resp, &d);
    ww_buf_puts(&resp->body, "]}\n");
    return resp->body.err;
}

/* ---- opening an incident ----------------------------------------------------------------- */

static void new_form(ww_buf_t *b, const ww_web_req_t *req)
{
    ww_buf_puts(b, "<form method=\"post\" action=\"/incidents\" novalidate>\n");
    ww_console_csrf_field(b, req);
    text_input(b, "title", "Title", "What happened, in a few words.", ww_web_form(req, "title"),
               NULL);
    textarea(b, "description", "Description (optional)", NULL, ww_web_form(req, "description"), 4);
    const char *sev = ww_web_form(req, "severity");
    select_of(b, "severity", "Severity", severity_values, severity_labels,
              WW_ARRAY_LEN(severity_values), sev ? sev : "medium");
    text_input(b, "owner", "Owner (optional)", "Who leads the response.", ww_web_form(req, "owner"),
               "20");
    text_input(b, "aware", "When the trust became aware (optional)",
               "UTC, for example 2026-12-03 09:30. Leave empty for now. The ICO's 72 hours "
               "run from this time.",
               ww_web_form(req, "aware"), "20");
    const char *pd = ww_web_form(req, "personal_data");
    yes_no(b, "personal_data", "May personal data be involved?",
           "If yes, a personal data breach may have to be reported to the ICO within 72 hours.",
           pd && !strcmp(pd, "yes"));
    const char *ds = ww_web_form(req, "dspt_reportable");
    yes_no(b, "dspt_reportable", "Reportable through the DSPT incident reporting tool?", NULL,
           ds && !strcmp(ds, "yes"));
    ww_buf_puts(b, "<button class=\"nhsuk-button\" type=\"submit\">Open the incident</button>\n"
                   "</form>\n");
}

static int new_page(ww_console_t *c, ww_web_req_t *req, ww_web_resp_t *resp, const char *error)
{
    ww_console_page_begin(c, req, resp, "Open an incident", "/incidents");
    ww_buf_t *b = &resp->body;
    if (error) {
        resp->status = 400;
        ww_console_error_summary(b, 2, error, field_of(error, "title"));
    }
    ww_buf_puts(b, "<h1>Open an incident</h1>\n");
    new_form(b, req);
    return ww_console_page_end(resp);
}

static int h_new_form(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    if (refused(req, resp))
        return 0;
    return new_page(ud, req, resp, NULL);
}

/* The aware field of a form: "" is none; otherwise parsed as ISO 8601 (UTC when no
 * zone).  0, or WW_EINVAL with why. */
static int form_aware(const char *s, int64_t now, int64_t *out, char *why, size_t n)
{
    *out = 0;
    if (!s || !s[0])
        return 0;
    int64_t ns;
    if (ww_time_parse_iso(s, strlen(s), &ns) != 0) {
        snprintf(why, n, "aware: enter a date and time such as 2026-12-03 09:30");
        return WW_EINVAL;
    }
    if (ns / 1000000000 > now + 300) {
        snprintf(why, n, "aware: the time is in the future");
        return WW_EINVAL;
    }
    *out = ns / 1000000000;
    return 0;
}

static int h_create(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    if (refused(req, resp))
        return 0;
    ww_diag_t d = {0};
    ww_console_db_t *db = ww_console_db_or_fail(c, req, resp);
    if (!db)
        return 0;
    int64_t now = now_s();
    char why[200];
    const char *pd = ww_web_form(req, "personal_data"), *ds = ww_web_form(req, "dspt_reportable");
    ww_incident_new_t in = {.title = ww_web_form(req, "title"),
                            .description = ww_web_form(req, "description"),
                            .severity = ww_web_form(req, "severity"),
                            .owner = ww_web_form(req, "owner"),
                            .personal_data = pd && !strcmp(pd, "yes"),
                            .dspt_reportable = ds && !strcmp(ds, "yes")};
    if (form_aware(ww_web_form(req, "aware"), now, &in.aware, why, sizeof why) != 0)
        return new_page(c, req, resp, why);
    ww_incident_t *inc = malloc(sizeof *inc);
    if (!inc)
        return WW_ENOMEM;
    int rc = ww_incident_create(db->st, &in, who(req), now, inc, &d);
    if (rc == WW_EINVAL) {
        free(inc);
        return new_page(c, req, resp, d.msg);
    }
    if (rc) {
        free(inc);
        return ww_console_fail(c, req, resp, &d);
    }
    ww_console_audit(c, req, "incident.create", inc->ref, inc->title);
    ww_buf_t u;
    ww_buf_init(&u, 256);
    ww_buf_printf(&u, "/incidents/%s", inc->ref);
    rc = ww_web_resp_redirect(resp, u.p);
    ww_buf_release(&u);
    free(inc);
    return rc;
}

/* ---- an incident's page ------------------------------------------------------------------ */

static void timeline_html(ww_buf_t *b, const ww_inc_timeline_t *tl)
{
    ww_buf_puts(b, "<h2 id=\"timeline\">Timeline</h2>\n");
    if (!tl->n) {
        ww_buf_puts(b, "<p>Nothing yet.</p>\n");
        return;
    }
    static const char *const cols[] = {"When", "What", "Who", "Detail"};
    table_head(b, "Everything that happened, oldest first", cols, WW_ARRAY_LEN(cols));
    static const char *const kind_label[] = {"Change", "Alert", "Note", "Evidence", "Fire-break"};
    static const char *const kind_colour[] = {"grey", "red", "blue", "purple", "orange"};
    for (size_t i = 0; i < tl->n; i++) {
        const ww_inc_item_t *it = &tl->items[i];
        ww_buf_puts(b, "<tr class=\"nhsuk-table__row\">");
        cell_time(b, it->at);
        ww_buf_puts(b, "<td class=\"nhsuk-table__cell\">");
        tag(b, kind_colour[it->kind], kind_label[it->kind]);
        ww_buf_puts(b, "</td>");
        cell(b, it->by[0] ? it->by : "-");
        ww_buf_puts(b, "<td class=\"nhsuk-table__cell ww-value\">");
        switch (it->kind) {
        case WW_INC_ITEM_ALERT:
            ww_buf_printf(b, "P%d ", it->priority);
            ww_html_text(b, it->text, strlen(it->text), 200);
            ww_buf_puts(b, " on ");
            ww_html_text(b, it->host[0] ? it->host : "-", it->host[0] ? strlen(it->host) : 1, 120);
            break;
        case WW_INC_ITEM_EVIDENCE:
            ww_html_text(b, it->text, strlen(it->text), 200);
            ww_buf_printf(b, " (SHA-256 <code>%s</code>)", it->sha256);
            break;
        case WW_INC_ITEM_FIREBREAK:
            ww_buf_printf(b, "Plan %lld: ", (long long)it->plan_id);
            ww_html_textz(b, it->text);
            if (it->reason && it->reason[0]) {
                ww_buf_puts(b, " (");
                ww_html_text(b, it->reason, strlen(it->reason), 300);
                ww_buf_puts(b, ")");
            }
            break;
        default: text_lines(b, it->text, WW_INC_MAX_NOTE);
        }
        ww_buf_puts(b, "</td></tr>\n");
    }
    ww_buf_puts(b, "</tbody>\n</table>\n");
    if (tl->dropped)
        ww_buf_printf(b, "<p>%zu older entries are not shown; the JSON export has them.</p>\n",
                      tl->dropped);
}

static void alerts_html(ww_buf_t *b, const ww_inc_timeline_t *tl)
{
    ww_buf_puts(b, "<h2 id=\"alerts\">Linked alerts</h2>\n");
    size_t n = 0;
    for (size_t i = 0; i < tl->n; i++) {
        const ww_inc_item_t *it = &tl->items[i];
        if (it->kind != WW_INC_ITEM_ALERT)
            continue;
        if (!n++) {
            static const char *const cols[] = {"Alert", "Time", "Priority", "Rule",
                                               "Host",  "User", "Address"};
            table_head(b, "Alerts linked to this incident", cols, WW_ARRAY_LEN(cols));
        }
        ww_buf_puts(b, "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">"
                       "<a href=\"");
        ww_buf_t u;
        ww_buf_init(&u, 256);
        ww_buf_printf(&u, "/alerts/%s", it->alert_id);
        ww_html_url(b, u.p, u.n);
        ww_buf_release(&u);
        ww_buf_puts(b, "\"><code>");
        ww_html_text(b, it->alert_id, strlen(it->alert_id), 40);
        ww_buf_puts(b, "</code></a></td>");
        cell_time(b, it->at);
        ww_buf_printf(b, "<td class=\"nhsuk-table__cell\">P%d</td>", it->priority);
        cell(b, it->text);
        cell(b, it->host[0] ? it->host : "-");
        cell(b, it->user[0] ? it->user : "-");
        cell(b, it->src_ip[0] ? it->src_ip : "-");
        ww_buf_puts(b, "</tr>\n");
    }
    if (n)
        ww_buf_puts(b, "</tbody>\n</table>\n");
    else
        ww_buf_puts(b, "<p>No alerts are linked. Escalate them from the alerts page, or "
                       "link them by id below.</p>\n");
}

static void firebreaks_html(ww_buf_t *b, const ww_inc_timeline_t *tl)
{
    ww_buf_puts(b, "<h2 id=\"firebreaks\">Fire-break actions</h2>\n");
    if (!tl->nplans) {
        ww_buf_puts(b, "<p>No fire-break plan is linked.</p>\n");
        return;
    }
    static const char *const cols[] = {"Plan", "When", "Action", "By", "Reason"};
    table_head(b, "Every recorded action of the linked fire-break plans", cols, WW_ARRAY_LEN(cols));
    for (size_t p = 0; p < tl->nplans; p++) {
        bool any = false;
        for (size_t i = 0; i < tl->n; i++) {
            const ww_inc_item_t *it = &tl->items[i];
            if (it->kind != WW_INC_ITEM_FIREBREAK || it->plan_id != tl->plans[p])
                continue;
            any = true;
            ww_buf_printf(b,
                          "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">"
                          "%lld (",
                          (long long)tl->plans[p]);
            ww_html_textz(b, tl->plan_state[p][0] ? tl->plan_state[p] : "unknown");
            ww_buf_puts(b, ")</td>");
            cell_time(b, it->at);
            cell(b, it->text);
            cell(b, it->by);
            cell(b, it->reason && it->reason[0] ? it->reason : "-");
            ww_buf_puts(b, "</tr>\n");
        }
        if (!any) {
            ww_buf_printf(b,
                          "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">"
                          "%lld</td><td class=\"nhsuk-table__cell\">-</td>"
                          "<td class=\"nhsuk-table__cell\">no records</td>"
                          "<td class=\"nhsuk-table__cell\">-</td>"
                          "<td class=\"nhsuk-table__cell\">-</td></tr>\n",
                          (long long)tl->plans[p]);
        }
    }
    ww_buf_puts(b, "</tbody>\n</table>\n");
}

static void evidence_html(ww_buf_t *b, const ww_incident_t *inc, const ww_inc_timeline_t *tl)
{
    ww_buf_puts(b, "<h2 id=\"evidence-files\">Evidence</h2>\n");
    size_t n = 0;
    for (size_t i = 0; i < tl->n; i++) {
        const ww_inc_item_t *it = &tl->items[i];
        if (it->kind != WW_INC_ITEM_EVIDENCE)
            continue;
        if (!n++) {
            static const char *const cols[] = {"File", "Size (bytes)", "SHA-256", "Added by",
                                               "When"};
            table_head(b, "Evidence files, kept as uploaded", cols, WW_ARRAY_LEN(cols));
        }
        ww_buf_puts(b, "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\"><a href=\"");
        ww_buf_t sfx;
        ww_buf_init(&sfx, 128);
        ww_buf_printf(&sfx, "/evidence/%s", it->sha256);
        inc_href(b, inc, sfx.p);
        ww_buf_release(&sfx);
        ww_buf_puts(b, "\">");
        ww_html_text(b, it->text, strlen(it->text), 120);
        ww_buf_printf(b,
                      "</a></td><td class=\"nhsuk-table__cell\">%llu</td>"
                      "<td class=\"nhsuk-table__cell ww-value\"><code>%s</code></td>",
                      (unsigned long long)it->size, it->sha256);
        cell(b, it->by);
        cell_time(b, it->at);
        ww_buf_puts(b, "</tr>\n");
    }
    if (n)
        ww_buf_puts(b, "</tbody>\n</table>\n");
    else
        ww_buf_puts(b, "<p>No evidence files yet.</p>\n");
}

static void form_open(ww_buf_t *b, const ww_web_req_t *req, const ww_incident_t *inc,
                      const char *suffix, bool multipart)
{
    ww_buf_puts(b, "<form method=\"post\" action=\"");
    inc_href(b, inc, suffix);
    ww_buf_printf(b, "\"%s novalidate>\n", multipart ? " enctype=\"multipart/form-data\"" : "");
    ww_console_csrf_field(b, req);
}

static int detail_page(ww_console_t *c, ww_web_req_t *req, ww_web_resp_t *resp, ww_console_db_t *db,
                       const ww_incident_t *inc, const char *error, const char *error_field)
{
    ww_diag_t d = {0};
    ww_inc_timeline_t tl;
    if (ww_incident_timeline(db->st, inc, &tl, &d) != 0)
        return ww_console_fail(c, req, resp, &d);
    int64_t now = now_s();
    ww_buf_t title;
    ww_buf_init(&title, 512);
    ww_buf_printf(&title, "%s: %s", inc->ref, inc->title);
    ww_console_page_begin(c, req, resp, title.p ? title.p : inc->ref, "/incidents");
    ww_buf_release(&title);
    ww_buf_t *b = &resp->body;
    if (error) {
        resp->status = 400;
        ww_console_error_summary(b, 2, error, error_field);
    }
    ww_buf_printf(b, "<span class=\"nhsuk-caption-l\">%s</span>\n<h1>", inc->ref);
    ww_html_textz(b, inc->title);
    ww_buf_puts(b, "</h1>\n<dl class=\"nhsuk-summary-list\">\n");
    row_begin(b, "Status");
    tag(b, status_colour(inc->status), ww_inc_status_name(inc->status));
    row_end(b);
    row_begin(b, "Severity");
    tag(b, severity_colour(inc->severity), ww_inc_severity_name(inc->severity));
    row_end(b);
    row_text(b, "Owner", inc->owner);
    row_begin(b, "Opened");
    ww_console_time(b, inc->created);
    ww_buf_puts(b, " by ");
    ww_html_textz(b, inc->created_by);
    row_end(b);
    row_begin(b, "The trust became aware");
    ww_console_time(b, inc->aware);
    row_end(b);
    row_begin(b, "ICO 72-hour clock");
    ico_html(b, inc, now);
    row_end(b);
    row_begin(b, "DSPT incident reporting tool");
    if (!inc->dspt_reportable)
        ww_buf_puts(b, "Not marked reportable");
    else if (!inc->dspt_reported)
        tag(b, "orange", "Reportable, not yet reported");
    else {
        tag(b, "green", "Reported");
        ww_buf_puts(b, " ");
        ww_console_time(b, inc->dspt_reported);
    }
    if (inc->dspt_ref[0]) {
        ww_buf_puts(b, ", reference ");
        ww_html_textz(b, inc->dspt_ref);
    }
    row_end(b);
    row_begin(b, "Description");
    if (inc->description[0]) {
        ww_buf_puts(b, "<p class=\"ww-value\">");
        text_lines(b, inc->description, WW_INC_MAX_DESC);
        ww_buf_puts(b, "</p>");
    } else
        ww_buf_puts(b, "-");
    row_end(b);
    ww_buf_puts(b, "</dl>\n<p>Export: <a href=\"");
    inc_href(b, inc, "/export.json");
    ww_buf_puts(b, "\">JSON</a> | <a href=\"");
    inc_href(b, inc, "/export.stix.json");
    ww_buf_puts(b, "\">STIX 2.1 bundle (for the national SOC)</a></p>\n");

    /* Status at once, the common change. */
    ww_buf_puts(b, "<h2 id=\"change-status\">Status</h2>\n");
    form_open(b, req, inc, "/status", false);
    select_of(b, "status", "Status", status_values, status_labels, WW_ARRAY_LEN(status_values),
              ww_inc_status_name(inc->status));
    ww_buf_puts(b, "<button class=\"nhsuk-button nhsuk-button--secondary\" type=\"submit\">"
                   "Set the status</button>\n</form>\n");

    alerts_html(b, &tl);
    form_open(b, req, inc, "/alerts", false);
    text_input(b, "alert", "Link an alert by its id", "The 32-character id on the alert's page.",
               NULL, "30");
    ww_buf_puts(b, "<button class=\"nhsuk-button nhsuk-button--secondary\" type=\"submit\">"
                   "Link the alert</button>\n</form>\n");

    firebreaks_html(b, &tl);
    form_open(b, req, inc, "/firebreaks", false);
    text_input(b, "plan", "Link a fire-break plan by its number (optional)", NULL, NULL, "5");
    text_input(b, "host", "Or link every plan for a host address (optional)",
               "The plans that quarantine this address or were planned for it.", NULL, "20");
    ww_buf_puts(b, "<button class=\"nhsuk-button nhsuk-button--secondary\" type=\"submit\">"
                   "Link fire-break plans</button>\n</form>\n");

    evidence_html(b, inc, &tl);
    form_open(b, req, inc, "/evidence", true);
    ww_console_field_begin(b, "evidence", "Add an evidence file",
                           "Kept unchanged with its SHA-256, who added it and when.", NULL);
    ww_buf_puts(b, "<input class=\"nhsuk-file-upload\" id=\"evidence\" name=\"evidence\" "
                   "type=\"file\" aria-describedby=\"evidence-hint\">\n");
    ww_console_field_end(b);
    ww_buf_puts(b, "<button class=\"nhsuk-button nhsuk-button--secondary\" type=\"submit\">"
                   "Upload the file</button>\n</form>\n");

    ww_buf_puts(b, "<h2 id=\"notes\">Notes</h2>\n");
    form_open(b, req, inc, "/notes", false);
    textarea(b, "note", "Add a note", "What was found or done, and by whom.", NULL, 4);
    ww_buf_puts(b, "<button class=\"nhsuk-button nhsuk-button--secondary\" type=\"submit\">"
                   "Add the note</button>\n</form>\n");

    timeline_html(b, &tl);

    ww_buf_puts(b, "<h2 id=\"edit\">Change the details</h2>\n");
    form_open(b, req, inc, "", false);
    text_input(b, "title", "Title", NULL, inc->title, NULL);
    textarea(b, "description", "Description", NULL, inc->description, 4);
    select_of(b, "severity", "Severity", severity_values, severity_labels,
              WW_ARRAY_LEN(severity_values), ww_inc_severity_name(inc->severity));
    text_input(b, "owner", "Owner", NULL, inc->owner, "20");
    char aware[40];
    struct tm tm;
    time_t at = (time_t)inc->aware;
    gmtime_r(&at, &tm);
    strftime(aware, sizeof aware, "%Y-%m-%d %H:%M", &tm);
    text_input(b, "aware", "When the trust became aware", "UTC, for example 2026-12-03 09:30.",
               aware, "20");
    yes_no(b, "personal_data", "May personal data be involved?",
           "If yes, the ICO's 72-hour clock applies.", inc->personal_data);
    yes_no(b, "dspt_reportable", "Reportable through the DSPT incident reporting tool?", NULL,
           inc->dspt_reportable);
    yes_no(b, "dspt_reported", "Reported through the DSPT incident reporting tool?", NULL,
           inc->dspt_reported != 0);
    text_input(b, "dspt_ref", "DSPT incident reference (optional)", NULL, inc->dspt_ref, "20");
    ww_buf_puts(b, "<button class=\"nhsuk-button\" type=\"submit\">Save the changes</button>\n"
                   "</form>\n");
    ww_inc_timeline_release(&tl);
    return ww_console_page_end(resp);
}

static int h_detail(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    if (refused(req, resp))
        return 0;
    ww_console_db_t *db;
    ww_incident_t *inc = malloc(sizeof *inc);
    if (!inc)
        return WW_ENOMEM;
    int rc = load(c, req, resp, &db, inc) ? 0 : detail_page(c, req, resp, db, inc, NULL, NULL);
    free(inc);
    return rc;
}

/* After a change: back to the incident's page, at the section changed. */
static int back(ww_web_resp_t *resp, const ww_incident_t *inc, const char *anchor)
{
    char u[128];
    snprintf(u, sizeof u, "/incidents/%s%s", inc->ref, anchor);
    return ww_web_resp_redirect(resp, u);
}

/* A form's yes/no radio: -1 when absent. */
static int form_yes_no(const ww_web_req_t *req, const char *name)
{
    const char *v = ww_web_form(req, name);
    return !v ? -1 : !strcmp(v, "yes") ? 1 : !strcmp(v, "no") ? 0 : -2;
}

/* Which POST on an incident's page this is. */
enum { ACT_EDIT, ACT_STATUS, ACT_NOTE, ACT_ALERTS, ACT_PLANS, ACT_EVIDENCE };

static int change(ww_web_req_t *req, ww_web_resp_t *resp, ww_console_t *c, int act)
{
    if (refused(req, resp))
        return 0;
    ww_console_db_t *db;
    ww_incident_t *inc = malloc(sizeof *inc);
    if (!inc)
        return WW_ENOMEM;
    int rc = 0;
    if (load(c, req, resp, &db, inc)) {
        free(inc);
        return 0;
    }
    ww_diag_t d = {0};
    char why[320] = "", detail[300] = "";
    const char *field = "title", *anchor = "", *action = "incident.edit";
    int64_t now = now_s();
    switch (act) {
    case ACT_EDIT:
    case ACT_STATUS: {
        ww_incident_edit_t e = WW_INCIDENT_EDIT_NONE;
        e.status = ww_web_form(req, "status");
        if (act == ACT_EDIT) {
            e.title = ww_web_form(req, "title");
            e.description = ww_web_form(req, "description");
            e.severity = ww_web_form(req, "severity");
            e.owner = ww_web_form(req, "owner");
            e.dspt_ref = ww_web_form(req, "dspt_ref");
            e.aware = ww_web_form(req, "aware");
            e.personal_data = form_yes_no(req, "personal_data");
            e.dspt_reportable = form_yes_no(req, "dspt_reportable");
            e.dspt_reported = form_yes_no(req, "dspt_reported");
            if (e.personal_data < -1 || e.dspt_reportable < -1 || e.dspt_reported < -1) {
                snprintf(why, sizeof why, "Answer yes or no.");
                break;
            }
            anchor = "";
        } else {
            action = "incident.status";
            anchor = "#change-status";
            field = "status";
            if (!e.status) {
                snprintf(why, sizeof why, "status: choose a status");
                break;
            }
        }
        /* An empty aware field leaves the time as it is. */
        if (e.aware && !e.aware[0])
            e.aware = NULL;
        int n = 0;
        rc = ww_incident_update(db->st, inc->id, &e, who(req), now, &n, &d);
        if (rc == WW_EINVAL) {
            snprintf(why, sizeof why, "%s", d.msg);
            rc = 0;
        } else if (rc == 0) {
            snprintf(detail, sizeof detail, "%d change%s%s%s", n, n == 1 ? "" : "s",
                     e.status ? ", status " : "", e.status ? e.status : "");
        }
        break;
    }
    case ACT_NOTE: {
        action = "incident.note";
        anchor = "#notes";
        field = "note";
        const char *text = ww_web_form(req, "note");
        rc = ww_incident_note(db->st, inc->id, who(req), text ? text : "", now, &d);
        if (rc == WW_EINVAL || rc == WW_ELIMIT) {
            snprintf(why, sizeof why, "%s", d.msg);
            rc = 0;
        } else if (rc == 0)
            snprintf(detail, sizeof detail, "%zu bytes", strlen(text));
        break;
    }
    case ACT_ALERTS: {
        action = "incident.link-alert";
        anchor = "#alerts";
        field = "alert";
        uint32_t n = 0;
        for (uint32_t i = 0; rc >= 0 && i < req->nform; i++) {
            if (strcmp(req->form[i].name, "alert") != 0 || !req->form[i].value[0])
                continue;
            rc = ww_incident_link_alert(db->st, inc->id, req->form[i].value, who(req), now, &d);
            if (rc == 0)
                n++;
        }
        if (rc == WW_ENOENT || rc == WW_ELIMIT) {
            snprintf(why, sizeof why, "alert: %s", d.msg);
            rc = 0;
        } else if (rc >= 0) {
            rc = 0;
            bool any = false;
            for (uint32_t i = 0; i < req->nform; i++)
                any |= !strcmp(req->form[i].name, "alert") && req->form[i].value[0];
            if (!any)
                snprintf(why, sizeof why, "alert: enter an alert's id");
            snprintf(detail, sizeof detail, "%u alert%s", n, n == 1 ? "" : "s");
        }
        break;
    }
    case ACT_PLANS: {
        action = "incident.link-firebreak";
        anchor = "#firebreaks";
        const char *plan = ww_web_form(req, "plan"), *host = ww_web_form(req, "host");
        int64_t id;
        size_t n = 0;
        if (plan && plan[0]) {
            field = "plan";
            if (ww_parse_i64(plan, strlen(plan), &id) != 0 || id < 1) {
                snprintf(why, sizeof why, "plan: enter a plan's number");
                break;
            }
            rc = ww_incident_link_plan(db->st, inc->id, id, who(req), now, &d);
            n = rc == 0;
        } else if (host && host[0]) {
            field = "host";
            rc = ww_incident_link_host_plans(db->st, inc->id, host, who(req), now, &n, &d);
        } else {
            field = "plan";
            snprintf(why, sizeof why, "plan: enter a plan's number or a host address");
            break;
        }
        if (rc == WW_ENOENT || rc == WW_ELIMIT) {
            snprintf(why, sizeof why, "%s: %s", field, d.msg);
            rc = 0;
        } else if (rc >= 0) {
            rc = 0;
            snprintf(detail, sizeof detail, "%zu plan%s", n, n == 1 ? "" : "s");
        }
        break;
    }
    case ACT_EVIDENCE: {
        action = "incident.evidence";
        anchor = "#evidence-files";
        field = "evidence";
        ww_web_file_t *f = NULL;
        for (uint32_t i = 0; i < req->nfiles && !f; i++)
            if (!strcmp(req->files[i].field, "evidence"))
                f = &req->files[i];
        if (!f) {
            snprintf(why, sizeof why, "evidence: choose a file to upload");
            break;
        }
        ww_inc_evidence_t ev;
        rc = ww_incident_evidence_add(db->st, inc->id, ww_console_cfg(c)->state_dir, f, who(req),
                                      now, &ev, &d);
        if (rc == WW_EINVAL || rc == WW_ELIMIT) {
            snprintf(why, sizeof why, "%s", d.msg);
            rc = 0;
        } else if (rc >= 0) {
            snprintf(detail, sizeof detail, "%s sha256 %s %llu bytes%s", ev.name, ev.sha256,
                     (unsigned long long)ev.size, rc == 1 ? " (kept already)" : "");
            rc = 0;
        }
        break;
    }
    }
    if (rc < 0) {
        free(inc);
        return ww_console_fail(c, req, resp, &d);
    }
    if (why[0]) {
        rc = detail_page(c, req, resp, db, inc, why, field_of(why, field));
        free(inc);
        return rc;
    }
    ww_console_audit(c, req, action, inc->ref, detail);
    rc = back(resp, inc, anchor);
    free(inc);
    return rc;
}

static int h_edit(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    return change(req, resp, ud, ACT_EDIT);
}
static int h_status(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    return change(req, resp, ud, ACT_STATUS);
}
static int h_note(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    return change(req, resp, ud, ACT_NOTE);
}
static int h_alerts(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    return change(req, resp, ud, ACT_ALERTS);
}
static int h_plans(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    return change(req, resp, ud, ACT_PLANS);
}
static int h_evidence(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    return change(req, resp, ud, ACT_EVIDENCE);
}

/* ---- files out: evidence and exports ------------------------------------------------------ */

/* Content-Disposition with a name made only of safe characters. */
static void attachment(ww_web_resp_t *resp, const char *name)
{
    char safe[160], v[200];
    size_t o = 0;
    for (const char *p = name; *p && o + 1 < sizeof safe; p++) {
        unsigned char u = (unsigned char)*p;
        safe[o++] = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
                            u == '.' || u == '-' || u == '_'
                        ? (char)u
                        : '_';
    }
    safe[o] = 0;
    snprintf(v, sizeof v, "attachment; filename=\"%s\"", o ? safe : "evidence");
    ww_web_resp_header(resp, "Content-Disposition", v);
}

static int h_evidence_get(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    if (refused(req, resp))
        return 0;
    ww_console_db_t *db;
    ww_incident_t *inc = malloc(sizeof *inc);
    if (!inc)
        return WW_ENOMEM;
    int rc = 0;
    if (load(c, req, resp, &db, inc))
        goto out;
    ww_diag_t d = {0};
    ww_inc_evidence_t ev;
    char path[1024];
    const char *sha = ww_web_param(req, "sha");
    rc = ww_incident_evidence_get(db->st, inc, ww_console_cfg(c)->state_dir, sha ? sha : "", &ev,
                                  path, sizeof path, &d);
    if (rc == WW_ENOENT) {
        rc = ww_web_resp_error(req, resp, 404, "There is no such evidence file.");
        goto out;
    }
    if (rc) {
        rc = ww_console_fail(c, req, resp, &d);
        goto out;
    }
    char *data = NULL;
    size_t n = 0;
    rc = ww_read_file(path, MAX_EVIDENCE_SEND, &data, &n);
    if (rc) {
        ww_diag_set(&d, path, 0, 0, "evidence file: %s", ww_strerror(rc));
        rc = ww_console_fail(c, req, resp, &d);
        goto out;
    }
    resp->content_type = "application/octet-stream";
    attachment(resp, ev.name);
    ww_buf_append(&resp->body, data, n);
    free(data);
    rc = resp->body.err;
out:
    free(inc);
    return rc;
}

static int export(ww_web_req_t *req, ww_web_resp_t *resp, ww_console_t *c, bool stix, bool download)
{
    if (refused(req, resp))
        return 0;
    ww_console_db_t *db;
    ww_incident_t *inc = malloc(sizeof *inc);
    if (!inc)
        return WW_ENOMEM;
    int rc = 0;
    if (load(c, req, resp, &db, inc))
        goto out;
    ww_diag_t d = {0};
    const ww_console_config_t *cfg = ww_console_cfg(c);
    ww_inc_stix_opts_t so = {cfg->trust_name, cfg->base_url};
    rc = stix ? ww_incident_export_stix(db->st, inc, now_s(), &so, &resp->body, &d)
              : ww_incident_export_json(db->st, inc, now_s(), &resp->body, &d);
    if (rc) {
        rc = ww_console_fail(c, req, resp, &d);
        goto out;
    }
    ww_console_json(resp, 200);
    if (download) {
        char name[80];
        snprintf(name, sizeof name, "%s%s", inc->ref, stix ? ".stix.json" : ".json");
        attachment(resp, name);
    }
    ww_console_audit(c, req, stix ? "incident.export.stix" : "incident.export.json", inc->ref, "");
out:
    free(inc);
    return rc;
}

static int h_export_json(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    return export(req, resp, ud, false, true);
}

static int h_export_stix(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    return export(req, resp, ud, true, true);
}

static int h_api_export(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    const char *f = ww_web_query(req, "format");
    if (f && strcmp(f, "json") && strcmp(f, "stix"))
        return ww_web_resp_error(req, resp, 400, "format: json or stix");
    return export(req, resp, ud, f && !strcmp(f, "stix"), false);
}

static int h_api_get(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    return export(req, resp, ud, false, false);
}

/* ---- escalation from the alerts page ------------------------------------------------------ */

static int h_escalate(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    if (refused(req, resp))
        return 0;
    ww_diag_t d = {0};
    ww_console_db_t *db = ww_console_db_or_fail(c, req, resp);
    if (!db)
        return 0;
    const char *ids[MAX_ESCALATE];
    uint32_t n = 0;
    for (uint32_t i = 0; i < req->nform; i++) {
        if (strcmp(req->form[i].name, "alert") != 0 || !req->form[i].value[0])
            continue;
        if (n == MAX_ESCALATE)
            return ww_web_resp_error(req, resp, 413,
                                     "At most 500 alerts can be escalated at once.");
        ids[n++] = req->form[i].value;
    }
    if (n == 0)
        return ww_web_resp_error(req, resp, 400, "Choose at least one alert to escalate.");
    const char *target = ww_web_form(req, "incident");
    if (!target || !target[0])
        return ww_web_resp_error(req, resp, 400, "Choose an incident, or a new one.");
    /* Every alert must exist before anything is written. */
    char first_title[WW_INC_MAX_TITLE + 1];
    for (uint32_t i = 0; i < n; i++) {
        char t[WW_INC_MAX_TITLE + 1];
        int rc = ww_incident_title_from_alert(db->st, ids[i], t, sizeof t, &d);
        if (rc == WW_ENOENT)
            return ww_web_resp_error(req, resp, 400, "An alert chosen is not in the store.");
        if (rc)
            return ww_console_fail(c, req, resp, &d);
        if (i == 0)
            memcpy(first_title, t, sizeof t);
    }
    ww_incident_t *inc = malloc(sizeof *inc);
    if (!inc)
        return WW_ENOMEM;
    int64_t now = now_s();
    int rc;
    bool created = false;
    if (!strcmp(target, "new")) {
        const char *title = ww_web_form(req, "title");
        ww_incident_new_t in = {.title = title && title[0] ? title : first_title};
        rc = ww_incident_create(db->st, &in, who(req), now, inc, &d);
        if (rc == WW_EINVAL) {
            free(inc);
            return ww_web_resp_error(req, resp, 400, d.msg);
        }
        created = rc == 0;
        if (created)
            ww_console_audit(c, req, "incident.create", inc->ref, inc->title);
    } else {
        rc = ww_incident_get(db->st, target, inc, &d);
        if (rc == WW_ENOENT) {
            free(inc);
            return ww_web_resp_error(req, resp, 404, "There is no such incident.");
        }
    }
    uint32_t linked = 0;
    for (uint32_t i = 0; rc == 0 && i < n; i++) {
        int l = ww_incident_link_alert(db->st, inc->id, ids[i], who(req), now, &d);
        if (l == 0)
            linked++;
        else if (l < 0)
            rc = l;
    }
    if (rc == WW_ELIMIT) {
        free(inc);
        return ww_web_resp_error(req, resp, 413, d.msg);
    }
    if (rc) {
        free(inc);
        return ww_console_fail(c, req, resp, &d);
    }
    /* The alerts leave triage's open list: escalated, with the incident as the reason
       (new and acknowledged ones; closed ones keep their status). */
    char why[160];
    snprintf(why, sizeof why, "escalated to %s", inc->ref);
    ww_triage_request_t tr = {
        .action = WW_TRIAGE_ESCALATE, .actor = who(req), .reason = why, .now = now};
    ww_alert_sel_t sel = {.ids = ids, .nids = n};
    ww_triage_result_t tres;
    if (ww_triage_act(db->st, &tr, &sel, &tres, &d) != 0) {
        free(inc);
        return ww_console_fail(c, req, resp, &d);
    }
    char detail[160];
    snprintf(detail, sizeof detail, "%u alert%s linked (%u chosen), %llu marked escalated%s",
             linked, linked == 1 ? "" : "s", n, (unsigned long long)tres.changed,
             created ? ", new incident" : "");
    ww_console_audit(c, req, "incident.escalate", inc->ref, detail);
    rc = back(resp, inc, "#alerts");
    free(inc);
    return rc;
}

/* ---- the API's changes --------------------------------------------------------------------- */

/* Member key of the JSON body as a string: 0 absent (or null), 1 with *out, or -1 after
 * answering 400. */
static int jstring(ww_web_req_t *req, ww_web_resp_t *resp, const char *key, const char **out)
{
    uint32_t i = ww_web_json_member(req, 0, key);
    if (!i || ww_web_json_type(req, i) == 'z')
        return 0;
    size_t n;
    const char *s = ww_web_json_str(req, i, &n);
    if (!s || strlen(s) != n) {
        char m[120];
        snprintf(m, sizeof m, "%s: must be a string", key);
        ww_web_resp_error(req, resp, 400, m);
        return -1;
    }
    *out = s;
    return 1;
}

/* The same for a boolean: *out -1 when absent. */
static int jbool(ww_web_req_t *req, ww_web_resp_t *resp, const char *key, int *out)
{
    *out = -1;
    uint32_t i = ww_web_json_member(req, 0, key);
    if (!i || ww_web_json_type(req, i) == 'z')
        return 0;
    bool v;
    if (ww_web_json_bool(req, i, &v) != 0) {
        char m[120];
        snprintf(m, sizeof m, "%s: must be true or false", key);
        ww_web_resp_error(req, resp, 400, m);
        return -1;
    }
    *out = v;
    return 1;
}

static bool json_body(ww_web_req_t *req, ww_web_resp_t *resp)
{
    if (ww_web_json_type(req, 0) == 'o')
        return true;
    ww_web_resp_error(req, resp, 400, "The body must be a JSON object.");
    return false;
}

static int h_api_create(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    if (refused(req, resp) || !json_body(req, resp))
        return 0;
    ww_incident_new_t in = {0};
    const char *aware = NULL;
    int pd, ds;
    if (jstring(req, resp, "title", &in.title) < 0 ||
        jstring(req, resp, "description", &in.description) < 0 ||
        jstring(req, resp, "severity", &in.severity) < 0 ||
        jstring(req, resp, "owner", &in.owner) < 0 || jstring(req, resp, "aware", &aware) < 0 ||
        jbool(req, resp, "personal_data", &pd) < 0 || jbool(req, resp, "dspt_reportable", &ds) < 0)
        return 0;
    in.personal_data = pd == 1;
    in.dspt_reportable = ds == 1;
    uint32_t arr = ww_web_json_member(req, 0, "alerts");
    if (arr && ww_web_json_type(req, arr) != 'a')
        return ww_web_resp_error(req, resp, 400, "alerts: must be an array of alert ids");
    int64_t now = now_s();
    char why[200];
    if (form_aware(aware, now, &in.aware, why, sizeof why) != 0)
        return ww_web_resp_error(req, resp, 400, why);
    ww_diag_t d = {0};
    ww_console_db_t *db = ww_console_db_or_fail(c, req, resp);
    if (!db)
        return 0;
    /* The alerts are checked before the incident is made. */
    uint32_t nal = 0;
    for (uint32_t k = 0; arr; k++) {
        uint32_t e = ww_web_json_elem(req, arr, k);
        if (!e)
            break;
        const char *id = ww_web_json_str(req, e, NULL);
        char t[WW_INC_MAX_TITLE + 1];
        if (!id)
            return ww_web_resp_error(req, resp, 400, "alerts: must be an array of alert ids");
        if (++nal > MAX_ESCALATE)
            return ww_web_resp_error(req, resp, 413, "alerts: at most 500 at once");
        int rc = ww_incident_title_from_alert(db->st, id, t, sizeof t, &d);
        if (rc == WW_ENOENT)
            return ww_web_resp_error(req, resp, 400, d.msg);
        if (rc)
            return ww_console_fail(c, req, resp, &d);
    }
    ww_incident_t *inc = malloc(sizeof *inc);
    if (!inc)
        return WW_ENOMEM;
    int rc = ww_incident_create(db->st, &in, who(req), now, inc, &d);
    if (rc == WW_EINVAL) {
        free(inc);
        return ww_web_resp_error(req, resp, 400, d.msg);
    }
    for (uint32_t k = 0; rc == 0 && k < nal; k++) {
        const char *id = ww_web_json_str(req, ww_web_json_elem(req, arr, k), NULL);
        int l = ww_incident_link_alert(db->st, inc->id, id ? id : "", who(req), now, &d);
        rc = l < 0 ? l : 0;
    }
    if (rc == 0)
        rc = ww_incident_get(db->st, inc->ref, inc, &d);
    if (rc == 0)
        rc = ww_incident_export_json(db->st, inc, now, &resp->body, &d);
    if (rc) {
        free(inc);
        return ww_console_fail(c, req, resp, &d);
    }
    ww_console_audit(c, req, "incident.create", inc->ref, inc->title);
    ww_console_json(resp, 201);
    char loc[80];
    snprintf(loc, sizeof loc, "/api/v1/incidents/%s", inc->ref);
    ww_web_resp_header(resp, "Location", loc);
    free(inc);
    return 0;
}

static int h_api_patch(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    if (refused(req, resp) || !json_body(req, resp))
        return 0;
    ww_incident_edit_t e = WW_INCIDENT_EDIT_NONE;
    if (jstring(req, resp, "title", &e.title) < 0 ||
        jstring(req, resp, "description", &e.description) < 0 ||
        jstring(req, resp, "status", &e.status) < 0 ||
        jstring(req, resp, "severity", &e.severity) < 0 ||
        jstring(req, resp, "owner", &e.owner) < 0 || jstring(req, resp, "aware", &e.aware) < 0 ||
        jstring(req, resp, "dspt_ref", &e.dspt_ref) < 0 ||
        jbool(req, resp, "personal_data", &e.personal_data) < 0 ||
        jbool(req, resp, "dspt_reportable", &e.dspt_reportable) < 0 ||
        jbool(req, resp, "dspt_reported", &e.dspt_reported) < 0)
        return 0;
    ww_console_db_t *db;
    ww_incident_t *inc = malloc(sizeof *inc);
    if (!inc)
        return WW_ENOMEM;
    int rc = 0;
    if (load(c, req, resp, &db, inc))
        goto out;
    ww_diag_t d = {0};
    int n = 0;
    int64_t now = now_s();
    rc = ww_incident_update(db->st, inc->id, &e, who(req), now, &n, &d);
    if (rc == WW_EINVAL) {
        rc = ww_web_resp_error(req, resp, 400, d.msg);
        goto out;
    }
    if (rc == 0)
        rc = ww_incident_get(db->st, inc->ref, inc, &d);
    if (rc == 0)
        rc = ww_incident_export_json(db->st, inc, now, &resp->body, &d);
    if (rc) {
        rc = ww_console_fail(c, req, resp, &d);
        goto out;
    }
    char detail[80];
    snprintf(detail, sizeof detail, "%d change%s", n, n == 1 ? "" : "s");
    ww_console_audit(c, req, "incident.edit", inc->ref, detail);
    ww_console_json(resp, 200);
out:
    free(inc);
    return rc;
}

static int h_api_note(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    if (refused(req, resp) || !json_body(req, resp))
        return 0;
    const char *text = NULL;
    if (jstring(req, resp, "text", &text) < 0)
        return 0;
    ww_console_db_t *db;
    ww_incident_t *inc = malloc(sizeof *inc);
    if (!inc)
        return WW_ENOMEM;
    int rc = 0;
    if (load(c, req, resp, &db, inc))
        goto out;
    ww_diag_t d = {0};
    int64_t now = now_s();
    rc = ww_incident_note(db->st, inc->id, who(req), text ? text : "", now, &d);
    if (rc == WW_EINVAL || rc == WW_ELIMIT) {
        rc = ww_web_resp_error(req, resp, rc == WW_EINVAL ? 400 : 413, d.msg);
        goto out;
    }
    if (rc) {
        rc = ww_console_fail(c, req, resp, &d);
        goto out;
    }
    char detail[40];
    snprintf(detail, sizeof detail, "%zu bytes", strlen(text));
    ww_console_audit(c, req, "incident.note", inc->ref, detail);
    ww_console_json(resp, 201);
    ww_buf_printf(&resp->body, "{\"incident\":\"%s\",\"at\":%lld,\"by\":", inc->ref,
                  (long long)now);
    ww_buf_json_str(&resp->body, who(req), strlen(who(req)));
    ww_buf_puts(&resp->body, ",\"text\":");
    ww_buf_json_str(&resp->body, text, strlen(text));
    ww_buf_puts(&resp->body, "}\n");
    rc = resp->body.err;
out:
    free(inc);
    return rc;
}

static int h_api_evidence(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    if (refused(req, resp))
        return 0;
    ww_web_file_t *f = NULL;
    for (uint32_t i = 0; i < req->nfiles && !f; i++)
        if (!strcmp(req->files[i].field, "evidence") || !strcmp(req->files[i].field, "file"))
            f = &req->files[i];
    if (!f)
        return ww_web_resp_error(req, resp, 400,
                                 "evidence: send the file as multipart/form-data field "
                                 "'evidence'");
    ww_console_db_t *db;
    ww_incident_t *inc = malloc(sizeof *inc);
    if (!inc)
        return WW_ENOMEM;
    int rc = 0;
    if (load(c, req, resp, &db, inc))
        goto out;
    ww_diag_t d = {0};
    ww_inc_evidence_t ev;
    rc = ww_incident_evidence_add(db->st, inc->id, ww_console_cfg(c)->state_dir, f, who(req),
                                  now_s(), &ev, &d);
    if (rc == WW_EINVAL || rc == WW_ELIMIT) {
        rc = ww_web_resp_error(req, resp, rc == WW_EINVAL ? 400 : 413, d.msg);
        goto out;
    }
    if (rc < 0) {
        rc = ww_console_fail(c, req, resp, &d);
        goto out;
    }
    char detail[300];
    snprintf(detail, sizeof detail, "%s sha256 %s %llu bytes%s", ev.name, ev.sha256,
             (unsigned long long)ev.size, rc == 1 ? " (kept already)" : "");
    ww_console_audit(c, req, "incident.evidence", inc->ref, detail);
    ww_console_json(resp, rc == 1 ? 200 : 201);
    ww_buf_t *b = &resp->body;
    ww_buf_printf(b, "{\"incident\":\"%s\",\"name\":", inc->ref);
    ww_buf_json_str(b, ev.name, strlen(ev.name));
    ww_buf_printf(b,
                  ",\"size\":%llu,\"sha256\":\"%s\",\"content_type\":", (unsigned long long)ev.size,
                  ev.sha256);
    ww_buf_json_str(b, ev.content_type, strlen(ev.content_type));
    ww_buf_puts(b, ",\"by\":");
    ww_buf_json_str(b, ev.by, strlen(ev.by));
    ww_buf_printf(b, ",\"at\":%lld,\"kept_already\":%s}\n", (long long)ev.at,
                  rc == 1 ? "true" : "false");
    rc = b->err;
out:
    free(inc);
    return rc;
}

/* ---- routes -------------------------------------------------------------------------------- */

/* Literal paths come before {id} ones: the first route that matches wins. */
static const ww_web_route_t routes[] = {
    {"GET", "/incidents", WW_WEB_ANALYST, false, h_list, NULL},
    {"POST", "/incidents", WW_WEB_ANALYST, true, h_create, NULL},
    {"GET", "/incidents/new", WW_WEB_ANALYST, false, h_new_form, NULL},
    {"POST", "/incidents/escalate", WW_WEB_ANALYST, true, h_escalate, NULL},
    {"GET", "/incidents/{id}", WW_WEB_ANALYST, false, h_detail, NULL},
    {"POST", "/incidents/{id}", WW_WEB_ANALYST, true, h_edit, NULL},
    {"POST", "/incidents/{id}/status", WW_WEB_ANALYST, true, h_status, NULL},
    {"POST", "/incidents/{id}/notes", WW_WEB_ANALYST, true, h_note, NULL},
    {"POST", "/incidents/{id}/alerts", WW_WEB_ANALYST, true, h_alerts, NULL},
    {"POST", "/incidents/{id}/firebreaks", WW_WEB_ANALYST, true, h_plans, NULL},
    {"POST", "/incidents/{id}/evidence", WW_WEB_ANALYST, true, h_evidence, NULL},
    {"GET", "/incidents/{id}/evidence/{sha}", WW_WEB_ANALYST, false, h_evidence_get, NULL},
    {"GET", "/incidents/{id}/export.json", WW_WEB_ANALYST, false, h_export_json, NULL},
    {"GET", "/incidents/{id}/export.stix.json", WW_WEB_ANALYST, false, h_export_stix, NULL},
    {"GET", "/api/v1/incidents", WW_WEB_ANALYST, false, h_api_list, NULL},
    {"POST", "/api/v1/incidents", WW_WEB_ANALYST, true, h_api_create, NULL},
    {"GET", "/api/v1/incidents/{id}", WW_WEB_ANALYST, false, h_api_get, NULL},
    {"PATCH", "/api/v1/incidents/{id}", WW_WEB_ANALYST, true, h_api_patch, NULL},
    {"POST", "/api/v1/incidents/{id}/notes", WW_WEB_ANALYST, true, h_api_note, NULL},
    {"POST", "/api/v1/incidents/{id}/evidence", WW_WEB_ANALYST, true, h_api_evidence, NULL},
    {"GET", "/api/v1/incidents/{id}/export", WW_WEB_ANALYST, false, h_api_export, NULL},
};

uint32_t ww_console_incidents_routes(const ww_web_route_t **out)
{
    *out = routes;
    return WW_ARRAY_LEN(routes);
}
