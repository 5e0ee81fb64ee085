/* The console's triage: /alerts lists alerts in groups of one rule on one host with a
 * filter form and bulk actions (acknowledge, assign, close as a false positive, close,
 * suppress, and escalate, which the incidents module answers), /alerts/{id} shows one
 * alert with its event, rule, asset, history and related alerts, and /suppressions
 * lists the exceptions the engine applies, for review and removal.  Each page has a
 * JSON twin under /api/v1.  The data is lib/alerts' (ww_alerts_triage.c); every change
 * is written to the audit log, and a change of suppressions is told to serve.
 *
 * Everything shown comes from logs an attacker may write, so every value goes through
 * the ww_html_* escapers, and links built from values encode them as query values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts/ww_alerts.h"
#include "asset/ww_asset.h"
#include "console/ww_console.h"
#include "event/ww_event.h"
#include "sigma/ww_sigma.h"

#define PAGE_SIZE 50         /* groups or alerts per HTML page */
#define RELATED_MAX 20       /* related alerts on a detail page */
#define SUPPRESS_PER_REQ 100 /* suppressions one bulk action may make */
#define EXPIRY_DEFAULT_DAYS 30

/* ---- small helpers ---- */

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

/* A value percent-encoded for a query string (then attribute-escaped by the caller's
 * ww_html_attr, which leaves it as it is: only unreserved bytes and %XX remain). */
static void qenc(ww_buf_t *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            ww_buf_putc(b, (char)*p);
        } else {
            ww_buf_putc(b, '%');
            ww_buf_putc(b, hex[*p >> 4]);
            ww_buf_putc(b, hex[*p & 15]);
        }
    }
}

static void text(ww_buf_t *b, const char *s)
{
    ww_html_textz(b, s);
}

/* A value that may be long (an event field): cut for the page. */
static void text_cut(ww_buf_t *b, const char *s, size_t max)
{
    ww_html_text(b, s ? s : "", s ? strlen(s) : 0, max);
}

static void attr(ww_buf_t *b, const char *s)
{
    ww_html_attr(b, s ? s : "", s ? strlen(s) : 0);
}

static void dash_or(ww_buf_t *b, const char *s)
{
    text(b, s && s[0] ? s : "-");
}

static void when_ns(ww_buf_t *b, int64_t ns)
{
    if (ns == WW_TIME_NONE || ns == 0)
        ww_buf_puts(b, "-");
    else
        ww_console_time(b, ns / 1000000000);
}

static void json_str(ww_buf_t *b, const char *s)
{
    ww_buf_json_str(b, s ? s : "", s ? strlen(s) : 0);
}

static void json_time_ns(ww_buf_t *b, int64_t ns)
{
    if (ns == WW_TIME_NONE || ns == 0) {
        ww_buf_puts(b, "null");
        return;
    }
    char t[40];
    ww_time_format(ns, t, sizeof t);
    json_str(b, t);
}

static void json_time_s(ww_buf_t *b, int64_t s)
{
    json_time_ns(b, s ? s * 1000000000 : 0);
}

static const char *const level_names[] = {"informational", "low", "medium", "high", "critical"};

static const char *level_name(int l)
{
    return l >= 0 && l < 5 ? level_names[l] : "?";
}

static const char *crit_name(int c)
{
    return c > 0 && c <= WW_CRIT_CRITICAL ? ww_crit_name((ww_crit_t)c) : "not recorded";
}

static void priority_tag(ww_buf_t *b, int p)
{
    static const char *const colour[] = {"red", "red", "orange", "yellow", "blue", "grey"};
    ww_buf_printf(b, "<strong class=\"nhsuk-tag nhsuk-tag--%s\">P%d</strong>",
                  colour[p >= 1 && p <= 5 ? p : 0], p);
}

static void status_tag(ww_buf_t *b, int s)
{
    static const char *const colour[] = {"blue", "yellow", "grey", "grey", "purple"};
    ww_buf_printf(b, "<strong class=\"nhsuk-tag nhsuk-tag--%s\">%s</strong>",
                  colour[s >= 0 && s < WW_ALERT_NSTATUS ? s : 0], ww_alert_status_name(s));
}

/* The page's 400: an error summary naming what was wrong, and the way back. */
static int bad_request(ww_console_t *c, const ww_web_req_t *req, ww_web_resp_t *resp,
                       const char *msg, const char *back)
{
    if (strncmp(req->path, "/api/", 5) == 0)
        return ww_web_resp_error(req, resp, 400, msg);
    ww_console_page_begin(c, req, resp, "There is a problem", "/alerts");
    ww_buf_t *b = &resp->body;
    ww_console_error_summary(b, 1, msg, NULL);
    ww_buf_puts(b, "<p><a href=\"");
    ww_html_url(b, back, strlen(back));
    ww_buf_puts(b, "\">Go back</a></p>\n");
    resp->status = 400;
    return ww_console_page_end(resp);
}

/* ---- the filter, from a query string ---- */

typedef struct view {
    ww_triage_filter_t f;
    bool flat;     /* alerts, not groups */
    uint32_t page; /* HTML: 1-based */
    bool status_given;
} view_t;

static int parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    int64_t v;
    if (!s || ww_parse_i64(s, strlen(s), &v) != 0 || v < lo || v > hi)
        return WW_EINVAL;
    *out = v;
    return 0;
}

/* Empty values count as absent: a form sends every field. */
static const char *q(const ww_web_req_t *req, const char *name)
{
    const char *v = ww_web_query(req, name);
    return v && v[0] ? v : NULL;
}

static int parse_view(const ww_web_req_t *req, bool api, view_t *v, ww_diag_t *diag)
{
    memset(v, 0, sizeof *v);
    v->f.since = v->f.until = WW_TIME_NONE;
    v->page = 1;
    const char *s;
    int64_t n;
    if ((s = q(req, "priority"))) {
        if (parse_int(s + (s[0] == 'P' || s[0] == 'p'), 1, 5, &n)) {
            ww_diag_set(diag, "", 0, 0, "priority: expected P1 to P5");
            return WW_EINVAL;
        }
        v->f.max_priority = (int)n;
    }
    if ((s = q(req, "level"))) {
        int l = ww_level_parse(s);
        if (l < 0) {
            ww_diag_set(diag, "", 0, 0,
                        "level: expected informational, low, medium, high or critical");
            return WW_EINVAL;
        }
        v->f.min_level = l;
    }
    if ((s = q(req, "criticality"))) {
        ww_crit_t cr;
        if (ww_crit_parse(s, strlen(s), &cr) != 0 || cr == WW_CRIT_UNKNOWN) {
            ww_diag_set(diag, "", 0, 0,
                        "criticality: expected none, low, medium, high or critical");
            return WW_EINVAL;
        }
        v->f.min_criticality = (int)cr;
    }
    v->f.host = q(req, "host");
    v->f.rule = q(req, "rule");
    v->f.technique = q(req, "technique");
    v->f.segment = q(req, "segment");
    v->f.group_rule = ww_web_query(req, "group_rule");
    v->f.group_host = ww_web_query(req, "group_host");
    const char *tn[] = {"since", "until"};
    int64_t *tv[] = {&v->f.since, &v->f.until};
    for (int i = 0; i < 2; i++)
        if ((s = q(req, tn[i])) && ww_time_parse_iso(s, strlen(s), tv[i]) != 0) {
            ww_diag_set(diag, "", 0, 0, "%s: expected a date (2026-12-03) or a date and time",
                        tn[i]);
            return WW_EINVAL;
        }
    /* status: repeated; "open" (new and acknowledged, the default) or "all". */
    for (uint32_t i = 0; i < req->nquery; i++) {
        if (strcmp(req->query[i].name, "status") != 0 || !req->query[i].value[0])
            continue;
        const char *sv = req->query[i].value;
        int st;
        v->status_given = true;
        if (strcmp(sv, "open") == 0)
            v->f.statuses |= WW_ALERT_OPEN;
        else if (strcmp(sv, "all") == 0)
            v->f.statuses |= (1u << WW_ALERT_NSTATUS) - 1;
        else if (ww_alert_status_parse(sv, &st) == 0)
            v->f.statuses |= 1u << st;
        else {
            ww_diag_set(diag, "", 0, 0,
                        "status: expected open, all, new, acknowledged, "
                        "closed-false-positive, closed or escalated");
            return WW_EINVAL;
        }
    }
    if (!v->status_given)
        v->f.statuses = WW_ALERT_OPEN;
    if ((s = q(req, "view"))) {
        if (strcmp(s, "alerts") == 0)
            v->flat = true;
        else if (strcmp(s, "groups") != 0) {
            ww_diag_set(diag, "", 0, 0, "view: expected groups or alerts");
            return WW_EINVAL;
        }
    }
    if (v->f.group_rule || v->f.group_host)
        v->flat = true;
    if (api) {
        v->f.limit = 100;
        if ((s = q(req, "limit"))) {
            if (parse_int(s, 1, WW_TRIAGE_MAX_PAGE, &n)) {
                ww_diag_set(diag, "", 0, 0, "limit: expected 1 to %d", WW_TRIAGE_MAX_PAGE);
                return WW_EINVAL;
            }
            v->f.limit = (uint32_t)n;
        }
        if ((s = q(req, "offset"))) {
            if (parse_int(s, 0, 100000000, &n)) {
                ww_diag_set(diag, "", 0, 0, "offset: expected a number from 0");
                return WW_EINVAL;
            }
            v->f.offset = (uint32_t)n;
        }
    } else {
        v->f.limit = PAGE_SIZE;
        if ((s = q(req, "page"))) {
            if (parse_int(s, 1, 1000000, &n)) {
                ww_diag_set(diag, "", 0, 0, "page: expected a page number");
                return WW_EINVAL;
            }
            v->page = (uint32_t)n;
        }
        v->f.offset = (v->page - 1) * PAGE_SIZE;
    }
    return ww_triage_filter_check(&v->f, diag);
}

/* The query string of a view (without page), for links that keep the filter. */
static void view_query(ww_buf_t *b, const view_t *v)
{
    const struct {
        const char *name, *val;
    } kv[] = {{"host", v->f.host},
              {"rule", v->f.rule},
              {"technique", v->f.technique},
              {"segment", v->f.segment},
              {"group_rule", v->f.group_rule},
              {"group_host", v->f.group_host}};
    bool amp = false;
    for (size_t i = 0; i < WW_ARRAY_LEN(kv); i++) {
        if (!kv[i].val)
            continue;
        ww_buf_printf(b, "%s%s=", amp ? "&" : "", kv[i].name);
        qenc(b, kv[i].val);
        amp = true;
    }
    if (v->f.max_priority)
        ww_buf_printf(b, "%spriority=P%d", amp ? "&" : "", v->f.max_priority), amp = true;
    if (v->f.min_level)
        ww_buf_printf(b, "%slevel=%s", amp ? "&" : "", level_name(v->f.min_level)), amp = true;
    if (v->f.min_criticality)
        ww_buf_printf(b, "%scriticality=%s", amp ? "&" : "", crit_name(v->f.min_criticality)),
            amp = true;
    char t[40];
    if (v->f.since != WW_TIME_NONE) {
        ww_time_format(v->f.since, t, sizeof t);
        ww_buf_printf(b, "%ssince=", amp ? "&" : "");
        qenc(b, t);
        amp = true;
    }
    if (v->f.until != WW_TIME_NONE) {
        ww_time_format(v->f.until, t, sizeof t);
        ww_buf_printf(b, "%suntil=", amp ? "&" : "");
        qenc(b, t);
        amp = true;
    }
    unsigned all = (1u << WW_ALERT_NSTATUS) - 1;
    if (v->f.statuses == all)
        ww_buf_printf(b, "%sstatus=all", amp ? "&" : ""), amp = true;
    else if (v->f.statuses != WW_ALERT_OPEN)
        for (int i = 0; i < WW_ALERT_NSTATUS; i++)
            if (v->f.statuses & (1u << i))
                ww_buf_printf(b, "%sstatus=%s", amp ? "&" : "", ww_alert_status_name(i)),
                    amp = true;
    if (v->flat && !v->f.group_rule)
        ww_buf_printf(b, "%sview=alerts", amp ? "&" : "");
}

/* ---- /alerts ---- */

typedef struct list_ctx {
    ww_buf_t *b;
    uint32_t n;
    const char *csrf_field; /* a hidden csrf_token input, for forms in rows */
} list_ctx_t;

/* A group's checkbox value: "<length of the rule id>:<rule id><host>", unambiguous
 * whatever bytes the host holds. */
static void group_value(ww_buf_t *b, const char *rule, const char *host)
{
    ww_buf_t v;
    ww_buf_init(&v, 4096);
    ww_buf_printf(&v, "%zu:%s%s", strlen(rule), rule, host);
    ww_html_attr(b, v.p ? v.p : "", v.n);
    ww_buf_release(&v);
}

static int parse_group_value(const char *s, ww_arena_t *ar, ww_alert_group_key_t *out)
{
    char *end;
    unsigned long n = strtoul(s, &end, 10);
    if (end == s || *end != ':' || n > strlen(end + 1))
        return WW_EINVAL;
    out->rule_id = ww_arena_strndup(ar, end + 1, n);
    out->host = ww_arena_strdup(ar, end + 1 + n);
    return out->rule_id && out->host ? 0 : WW_ENOMEM;
}

static void checkbox(ww_buf_t *b, const char *name, uint32_t i, const char *label_what,
                     void (*value)(ww_buf_t *, const void *), const void *ud)
{
    ww_buf_printf(b,
                  "<div class=\"nhsuk-checkboxes nhsuk-checkboxes--small\"><div "
                  "class=\"nhsuk-checkboxes__item\"><input class=\"nhsuk-checkboxes__input\""
                  " type=\"checkbox\" id=\"sel-%u\" name=\"%s\" value=\"",
                  i, name);
    value(b, ud);
    ww_buf_printf(b,
                  "\"><label class=\"nhsuk-label nhsuk-checkboxes__label\" for=\"sel-%u\">"
                  "<span class=\"nhsuk-u-visually-hidden\">Select ",
                  i);
    text(b, label_what);
    ww_buf_puts(b, "</span></label></div></div>");
}

static void group_cb_value(ww_buf_t *b, const void *ud)
{
    const ww_alert_group_t *g = ud;
    group_value(b, g->rule_id, g->host);
}

static void alert_cb_value(ww_buf_t *b, const void *ud)
{
    const ww_alert_t *a = ud;
    attr(b, a->id);
}

static int group_row(void *ud, const ww_alert_group_t *g)
{
    list_ctx_t *x = ud;
    ww_buf_t *b = x->b;
    x->n++;
    ww_buf_puts(b, "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">");
    char what[300];
    snprintf(what, sizeof what, "%.150s on %.120s", g->rule_title, g->host[0] ? g->host : "-");
    checkbox(b, "group", x->n, what, group_cb_value, g);
    ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell\">");
    priority_tag(b, g->priority);
    ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell ww-value\"><a href=\"/alerts?group_rule=");
    qenc(b, g->rule_id);
    ww_buf_puts(b, "&amp;group_host=");
    qenc(b, g->host);
    ww_buf_puts(b, "&amp;status=all\">");
    text_cut(b, g->rule_title[0] ? g->rule_title : g->rule_id, 200);
    ww_buf_puts(b, "</a><br><span class=\"nhsuk-body-s\">");
    text(b, level_name(g->level));
    if (g->techniques[0]) {
        ww_buf_puts(b, " · ");
        text_cut(b, g->techniques, 100);
    }
    ww_buf_puts(b, "</span></td><td class=\"nhsuk-table__cell ww-value\">");
    text_cut(b, g->host[0] ? g->host : "-", 120);
    ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell\">");
    ww_buf_printf(b, "%llu", (unsigned long long)g->count);
    if (g->by_status[WW_ALERT_NEW] != g->count)
        ww_buf_printf(b, "<br><span class=\"nhsuk-body-s\">%llu new</span>",
                      (unsigned long long)g->by_status[WW_ALERT_NEW]);
    ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell\">");
    when_ns(b, g->first_seen);
    ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell\">");
    when_ns(b, g->last_seen);
    ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell ww-value\">");
    dash_or(b, g->segment);
    ww_buf_puts(b, "<br><span class=\"nhsuk-body-s\">");
    text(b, crit_name(g->criticality));
    ww_buf_puts(b, "</span></td></tr>\n");
    return b->err;
}

static int alert_row(void *ud, const ww_alert_t *a)
{
    list_ctx_t *x = ud;
    ww_buf_t *b = x->b;
    x->n++;
    ww_buf_puts(b, "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">");
    char what[200];
    snprintf(what, sizeof what, "alert %s", a->id);
    checkbox(b, "alert", x->n, what, alert_cb_value, a);
    ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell\">");
    priority_tag(b, a->priority);
    ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell ww-value\"><a href=\"/alerts/");
    qenc(b, a->id);
    ww_buf_puts(b, "\">");
    text_cut(b, a->rule_title[0] ? a->rule_title : a->rule_id, 200);
    ww_buf_puts(b, "</a></td><td class=\"nhsuk-table__cell ww-value\">");
    text_cut(b, a->host[0] ? a->host : "-", 120);
    ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell ww-value\">");
    text_cut(b, a->user[0] ? a->user : "-", 80);
    ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell\">");
    when_ns(b, a->ts != WW_TIME_NONE ? a->ts : a->received);
    ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell\">");
    status_tag(b, a->status);
    if (a->assignee[0]) {
        ww_buf_puts(b, "<br><span class=\"nhsuk-body-s ww-value\">");
        text_cut(b, a->assignee, 80);
        ww_buf_puts(b, "</span>");
    }
    ww_buf_puts(b, "</td></tr>\n");
    return b->err;
}

static void select_opt(ww_buf_t *b, const char *value, const char *label, bool selected)
{
    ww_buf_puts(b, "<option value=\"");
    attr(b, value);
    ww_buf_printf(b, "\"%s>", selected ? " selected" : "");
    text(b, label);
    ww_buf_puts(b, "</option>");
}

static void input_field(ww_buf_t *b, const char *id, const char *label, const char *value,
                        const char *hint)
{
    ww_console_input(b, &(ww_console_input_t){
                            .id = id, .label = label, .hint = hint, .value = value ? value : ""});
}

/* The days a suppression lasts, EXPIRY_DEFAULT_DAYS until changed. */
static void expiry_field(ww_buf_t *b, const char *label, const char *hint)
{
    char days[16];
    snprintf(days, sizeof days, "%d", EXPIRY_DEFAULT_DAYS);
    ww_console_input(b, &(ww_console_input_t){.id = "expires_days",
                                              .label = label,
                                              .hint = hint,
                                              .value = days,
                                              .width = "4",
                                              .extra = " inputmode=\"numeric\""});
}

/* A form row with a <select> (its options go next; close with select_end). */
static void select_begin(ww_buf_t *b, const char *id, const char *label)
{
    ww_console_field_begin(b, id, label, NULL, NULL);
    ww_buf_printf(b, "<select class=\"nhsuk-select\" id=\"%s\" name=\"%s\">", id, id);
}

static void select_end(ww_buf_t *b)
{
    ww_buf_puts(b, "</select>\n");
    ww_console_field_end(b);
}

static void filter_form(ww_buf_t *b, const view_t *v)
{
    ww_buf_puts(b, "<details class=\"nhsuk-details\"");
    if (v->f.host || v->f.rule || v->f.technique || v->f.segment || v->f.max_priority ||
        v->f.min_level || v->f.min_criticality || v->status_given || v->f.since != WW_TIME_NONE)
        ww_buf_puts(b, " open");
    ww_buf_puts(b, "><summary class=\"nhsuk-details__summary\"><span "
                   "class=\"nhsuk-details__summary-text\">Filter alerts</span></summary>"
                   "<div class=\"nhsuk-details__text\">\n"
                   "<form method=\"get\" action=\"/alerts\" novalidate>\n");
    if (v->f.group_rule) {
        ww_buf_puts(b, "<input type=\"hidden\" name=\"group_rule\" value=\"");
        attr(b, v->f.group_rule);
        ww_buf_puts(b, "\"><input type=\"hidden\" name=\"group_host\" value=\"");
        attr(b, v->f.group_host);
        ww_buf_puts(b, "\">");
    }
    select_begin(b, "status", "Status");
    unsigned st = v->f.statuses;
    select_opt(b, "open", "Open (new and acknowledged)", st == WW_ALERT_OPEN);
    select_opt(b, "all", "All", st == (1u << WW_ALERT_NSTATUS) - 1);
    for (int i = 0; i < WW_ALERT_NSTATUS; i++)
        select_opt(b, ww_alert_status_name(i), ww_alert_status_name(i), st == (1u << i));
    select_end(b);
    select_begin(b, "priority", "Priority");
    select_opt(b, "", "Any", v->f.max_priority == 0);
    static const char *const pl[] = {"P1", "P1 and P2", "P1 to P3", "P1 to P4"};
    for (int p = 1; p <= 4; p++) {
        char val[4];
        snprintf(val, sizeof val, "P%d", p);
        select_opt(b, val, pl[p - 1], v->f.max_priority == p);
    }
    select_end(b);
    select_begin(b, "level", "Rule level (at least)");
    select_opt(b, "", "Any", v->f.min_level == 0);
    for (int l = 1; l < 5; l++)
        select_opt(b, level_names[l], level_names[l], v->f.min_level == l);
    select_end(b);
    select_begin(b, "criticality", "Clinical criticality (at least)");
    select_opt(b, "", "Any", v->f.min_criticality == 0);
    for (int c = WW_CRIT_NONE; c <= WW_CRIT_CRITICAL; c++)
        select_opt(b, ww_crit_name((ww_crit_t)c), ww_crit_name((ww_crit_t)c),
                   v->f.min_criticality == c);
    select_end(b);
    input_field(b, "host", "Host", v->f.host, "A name, or a pattern with * and ?");
    input_field(b, "rule", "Rule", v->f.rule, "A rule id, or part of its title");
    input_field(b, "technique", "ATT&CK technique", v->f.technique, "For example T1110");
    input_field(b, "segment", "Network segment", v->f.segment, NULL);
    char t[40] = "";
    if (v->f.since != WW_TIME_NONE)
        ww_time_format(v->f.since, t, sizeof t);
    input_field(b, "since", "From", t, "A date (2026-12-03) or a date and time, UTC");
    t[0] = 0;
    if (v->f.until != WW_TIME_NONE)
        ww_time_format(v->f.until, t, sizeof t);
    input_field(b, "until", "To", t, NULL);
    select_begin(b, "view", "Show");
    select_opt(b, "groups", "Groups (a rule on a host)", !v->flat);
    select_opt(b, "alerts", "Single alerts", v->flat);
    select_end(b);
    ww_buf_puts(b, "<button class=\"nhsuk-button\" type=\"submit\">"
                   "Apply filters</button> <a href=\"/alerts\">Clear filters</a>\n"
                   "</form></div></details>\n");
}

/* The bulk actions under a list: the selection is the list's checkboxes. */
static void action_fields(ww_buf_t *b, bool flat)
{
    ww_buf_puts(b, "<fieldset class=\"nhsuk-fieldset\"><legend class=\"nhsuk-fieldset__legend"
                   " nhsuk-fieldset__legend--m\">With the selected ");
    ww_buf_puts(b, flat ? "alerts" : "groups");
    ww_buf_puts(b, "</legend>\n");
    input_field(b, "reason", "Reason", "",
                "Required to acknowledge, to close as a false positive and to suppress");
    input_field(b, "assignee", "Assign to", "", "The user name of the person who takes them");
    if (flat)
        input_field(b, "title", "Incident title", "",
                    "For Escalate to incident: the new incident's title");
    char hint[160];
    snprintf(hint, sizeof hint,
             "A suppression stops new alerts of the same rule on the same host until it "
             "expires (1 to %d days)",
             WW_SUPPRESS_MAX_DAYS);
    expiry_field(b, "Suppress for (days)", hint);
    ww_buf_puts(b, "<div class=\"nhsuk-button-group\">"
                   "<button class=\"nhsuk-button\" type=\"submit\" name=\"action\""
                   " value=\"acknowledge\">Acknowledge</button> "
                   "<button class=\"nhsuk-button nhsuk-button--secondary\" type=\"submit\""
                   " name=\"action\" value=\"assign\">Assign</button> "
                   "<button class=\"nhsuk-button nhsuk-button--secondary\" type=\"submit\""
                   " name=\"action\" value=\"close-false-positive\">Close as false positive"
                   "</button> <button class=\"nhsuk-button nhsuk-button--secondary\""
                   " type=\"submit\" name=\"action\" value=\"close\">Close</button> "
                   "<button class=\"nhsuk-button nhsuk-button--secondary\" type=\"submit\""
                   " name=\"action\" value=\"suppress\">Suppress</button> "
                   "<button class=\"nhsuk-button nhsuk-button--secondary\" type=\"submit\""
                   " name=\"action\" value=\"reopen\">Reopen</button>");
    if (flat)
        /* The incidents module answers this: the selected ids as repeated `alert`. */
        ww_buf_puts(b, " <button class=\"nhsuk-button nhsuk-button--warning\" type=\"submit\""
                       " formaction=\"/incidents/escalate\">Escalate to incident</button>"
                       "<input type=\"hidden\" name=\"incident\" value=\"new\">");
    ww_buf_puts(b, "</div>");
    if (!flat)
        ww_buf_puts(b, "<p class=\"nhsuk-body-s\">To escalate to an incident, open a group and"
                       " select its alerts.</p>");
    ww_buf_puts(b, "</fieldset>\n");
}

static int h_alerts(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    ww_diag_t d = {0};
    view_t v;
    if (parse_view(req, false, &v, &d) != 0)
        return bad_request(c, req, resp, d.msg, "/alerts");
    ww_console_db_t *db = ww_console_db_or_fail(c, req, resp);
    if (!db)
        return 0;
    ww_console_page_begin(c, req, resp, "Alerts", "/alerts");
    ww_buf_t *b = &resp->body;
    ww_buf_puts(b, "<h1>Alerts</h1>\n");
    const char *done = ww_web_query(req, "done");
    if (done) {
        /* Said after a bulk action (a redirect): numbers only are shown from it. */
        const char *n = ww_web_query(req, "changed");
        int64_t changed = 0;
        int act = -1;
        if (ww_triage_action_parse(done, &act) == 0 || strcmp(done, "suppress") == 0) {
            parse_int(n, 0, INT64_MAX, &changed);
            ww_buf_puts(b, "<div class=\"nhsuk-inset-text\"><span class=\"nhsuk-u-visually-hidden"
                           "\">Information: </span><p>");
            if (act >= 0)
                ww_buf_printf(b, "%s: %lld alert%s changed.", ww_triage_action_name(act),
                              (long long)changed, changed == 1 ? "" : "s");
            else
                ww_buf_printf(b,
                              "%lld suppression%s made: see <a href=\"/suppressions\">"
                              "Suppressions</a>.",
                              (long long)changed, changed == 1 ? "" : "s");
            ww_buf_puts(b, "</p></div>\n");
        }
    }
    if (v.f.group_rule) {
        ww_buf_puts(b, "<p>Alerts of one group: rule <span class=\"ww-value\">");
        text_cut(b, v.f.group_rule, 200);
        ww_buf_puts(b, "</span> on host <span class=\"ww-value\">");
        text_cut(b, v.f.group_host[0] ? v.f.group_host : "-", 200);
        ww_buf_puts(b, "</span>. <a href=\"/alerts\">All groups</a></p>\n");
    }
    filter_form(b, &v);
    ww_buf_t back;
    ww_buf_init(&back, 8192);
    view_query(&back, &v);
    ww_buf_puts(b, "<form method=\"post\" action=\"/alerts/actions\" novalidate>\n");
    ww_console_csrf_field(b, req);
    ww_buf_puts(b, "<input type=\"hidden\" name=\"back\" value=\"");
    attr(b, back.p ? back.p : "");
    ww_buf_puts(b, "\">\n<table class=\"nhsuk-table\">\n<caption class=\"nhsuk-table__caption\">");
    ww_buf_puts(b, v.flat ? "Alerts, newest first"
                          : "Alert groups: one rule on one host, most"
                            " urgent first");
    ww_buf_puts(b, "</caption>\n<thead class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\">"
                   "<th scope=\"col\" class=\"nhsuk-table__header\"><span "
                   "class=\"nhsuk-u-visually-hidden\">Select</span></th>"
                   "<th scope=\"col\" class=\"nhsuk-table__header\">Priority</th>"
                   "<th scope=\"col\" class=\"nhsuk-table__header\">Rule</th>"
                   "<th scope=\"col\" class=\"nhsuk-table__header\">Host</th>");
    if (v.flat)
        ww_buf_puts(b, "<th scope=\"col\" class=\"nhsuk-table__header\">User</th>"
                       "<th scope=\"col\" class=\"nhsuk-table__header\">Time</th>"
                       "<th scope=\"col\" class=\"nhsuk-table__header\">Status</th>");
    else
        ww_buf_puts(b, "<th scope=\"col\" class=\"nhsuk-table__header\">Alerts</th>"
                       "<th scope=\"col\" class=\"nhsuk-table__header\">First seen</th>"
                       "<th scope=\"col\" class=\"nhsuk-table__header\">Last seen</th>"
                       "<th scope=\"col\" class=\"nhsuk-table__header\">Segment and clinical "
                       "criticality</th>");
    ww_buf_puts(b, "</tr></thead>\n<tbody class=\"nhsuk-table__body\">\n");
    list_ctx_t x = {b, 0, NULL};
    ww_triage_totals_t t = {0, 0};
    int rc = v.flat ? ww_triage_alerts(db->st, &v.f, alert_row, &x, &t, &d)
                    : ww_triage_groups(db->st, &v.f, group_row, &x, &t, &d);
    if (rc != 0) {
        ww_buf_release(&back);
        return ww_console_fail(c, req, resp, &d);
    }
    ww_buf_puts(b, "</tbody>\n</table>\n");
    if (v.flat)
        ww_buf_printf(b, "<p>%llu alert%s.", (unsigned long long)t.alerts,
                      t.alerts == 1 ? "" : "s");
    else
        ww_buf_printf(b, "<p>%llu group%s, %llu alert%s.", (unsigned long long)t.groups,
                      t.groups == 1 ? "" : "s", (unsigned long long)t.alerts,
                      t.alerts == 1 ? "" : "s");
    uint64_t total = v.flat ? t.alerts : t.groups;
    uint64_t pages = (total + PAGE_SIZE - 1) / PAGE_SIZE;
    if (pages > 1)
        ww_buf_printf(b, " Page %u of %llu.", v.page, (unsigned long long)pages);
    ww_buf_puts(b, "</p>\n");
    if (x.n)
        action_fields(b, v.flat);
    else
        ww_buf_puts(b, "<p>No alerts match these filters.</p>\n");
    ww_buf_puts(b, "</form>\n");
    if (pages > 1) {
        ww_buf_puts(b,
                    "<nav class=\"nhsuk-pagination\" role=\"navigation\""
                    " aria-label=\"Pagination\"><ul class=\"nhsuk-list nhsuk-pagination__list\">");
        if (v.page > 1) {
            ww_buf_puts(
                b, "<li class=\"nhsuk-pagination-item--previous\"><a "
                   "class=\"nhsuk-pagination__link nhsuk-pagination__link--prev\" href=\"/alerts?");
            ww_html_attr(b, back.p ? back.p : "", back.n);
            ww_buf_printf(b,
                          "%spage=%u\"><span class=\"nhsuk-pagination__title\">Previous"
                          "</span></a></li>",
                          back.n ? "&amp;" : "", v.page - 1);
        }
        if (v.page < pages) {
            ww_buf_puts(
                b, "<li class=\"nhsuk-pagination-item--next\"><a "
                   "class=\"nhsuk-pagination__link nhsuk-pagination__link--next\" href=\"/alerts?");
            ww_html_attr(b, back.p ? back.p : "", back.n);
            ww_buf_printf(b,
                          "%spage=%u\"><span class=\"nhsuk-pagination__title\">Next"
                          "</span></a></li>",
                          back.n ? "&amp;" : "", v.page + 1);
        }
        ww_buf_puts(b, "</ul></nav>\n");
    }
    ww_buf_puts(b, "<p><a href=\"/suppressions\">Suppressions</a></p>\n");
    ww_buf_release(&back);
    return ww_console_page_end(resp);
}

/* ---- bulk actions (form and API) ---- */

typedef struct bulk {
    int action; /* ww_triage_action_t, or -1 for suppress */
    const char *reason, *assignee;
    int64_t expires_days;
    const char **ids;
    uint32_t nids;
    ww_alert_group_key_t *groups;
    uint32_t ngroups;
} bulk_t;

typedef struct supp_scope {
    ww_alert_group_key_t *keys;
    uint32_t n, cap;
    ww_arena_t *ar;
} supp_scope_t;

static int add_scope(supp_scope_t *s, const char *rule, const char *host)
{
    for (uint32_t i = 0; i < s->n; i++)
        if (strcmp(s->keys[i].rule_id, rule) == 0 && strcmp(s->keys[i].host, host) == 0)
            return 0;
    if (s->n >= s->cap)
        return WW_ELIMIT;
    s->keys[s->n].rule_id = ww_arena_strdup(s->ar, rule);
    s->keys[s->n].host = ww_arena_strdup(s->ar, host);
    if (!s->keys[s->n].rule_id || !s->keys[s->n].host)
        return WW_ENOMEM;
    s->n++;
    return 0;
}

static int scope_of_alert(void *ud, const ww_alert_t *a)
{
    return add_scope(ud, a->rule_id, a->host);
}

/* Runs a bulk action; *changed gets the number of alerts changed (or suppressions
 * made).  WW_EINVAL with a message for the person in diag. */
static int run_bulk(ww_console_t *c, ww_web_req_t *req, ww_console_db_t *db, const bulk_t *bk,
                    ww_triage_result_t *res, uint64_t *changed, ww_diag_t *diag)
{
    ww_auth_actor_t actor;
    ww_console_actor(req, &actor);
    memset(res, 0, sizeof *res);
    *changed = 0;
    if (bk->nids + bk->ngroups == 0) {
        ww_diag_set(diag, "", 0, 0, "Select at least one alert or group first.");
        return WW_EINVAL;
    }
    if (bk->action >= 0) {
        ww_triage_request_t rq = {bk->action, actor.name, bk->reason, bk->assignee, now_s()};
        ww_alert_sel_t sel = {bk->ids, bk->nids, bk->groups, bk->ngroups};
        int rc = ww_triage_act(db->st, &rq, &sel, res, diag);
        if (rc)
            return rc;
        *changed = res->changed;
        char detail[WW_TRIAGE_REASON_MAX + 200];
        snprintf(detail, sizeof detail,
                 "%llu changed, %llu skipped, %u unknown; %u ids, %u groups%s%s%s%s",
                 (unsigned long long)res->changed, (unsigned long long)res->skipped, res->unknown,
                 bk->nids, bk->ngroups, bk->assignee ? "; to " : "",
                 bk->assignee ? bk->assignee : "", bk->reason && bk->reason[0] ? "; " : "",
                 bk->reason ? bk->reason : "");
        char target[200];
        if (bk->nids + bk->ngroups == 1)
            snprintf(target, sizeof target, "%s%s%s", bk->nids ? bk->ids[0] : bk->groups[0].rule_id,
                     bk->nids ? "" : " on ", bk->nids ? "" : bk->groups[0].host);
        else
            snprintf(target, sizeof target, "%u alerts, %u groups", bk->nids, bk->ngroups);
        char what[64];
        snprintf(what, sizeof what, "alert.%s", ww_triage_action_name(bk->action));
        ww_console_audit(c, req, what, target, detail);
        return 0;
    }
    /* Suppress: one suppression per distinct rule and host of the selection. */
    if (bk->expires_days < 1 || bk->expires_days > WW_SUPPRESS_MAX_DAYS) {
        ww_diag_set(diag, "", 0, 0, "Suppress for: give a number of days from 1 to %d.",
                    WW_SUPPRESS_MAX_DAYS);
        return WW_EINVAL;
    }
    ww_alert_group_key_t keys[SUPPRESS_PER_REQ];
    supp_scope_t sc = {keys, 0, SUPPRESS_PER_REQ, &req->arena};
    int rc = 0;
    for (uint32_t i = 0; i < bk->ngroups && rc == 0; i++)
        rc = add_scope(&sc, bk->groups[i].rule_id, bk->groups[i].host);
    for (uint32_t i = 0; i < bk->nids && rc == 0; i++) {
        rc = ww_triage_alert(db->st, bk->ids[i], scope_of_alert, &sc, diag);
        if (rc == WW_ENOENT)
            rc = 0;
    }
    if (rc == WW_ELIMIT) {
        ww_diag_set(diag, "", 0, 0, "At most %d suppressions at once.", SUPPRESS_PER_REQ);
        return WW_EINVAL;
    }
    if (rc)
        return rc;
    for (uint32_t i = 0; i < sc.n; i++)
        if (!sc.keys[i].host[0]) {
            ww_diag_set(diag, "", 0, 0,
                        "An alert with no host cannot be suppressed by host; make a suppression"
                        " by user or field value on the Suppressions page.");
            return WW_EINVAL;
        }
    int64_t now = now_s();
    bool own = sqlite3_get_autocommit(db->st->db) != 0;
    if (own && (rc = ww_store_exec(db->st, "BEGIN IMMEDIATE", diag)) != 0)
        return rc;
    for (uint32_t i = 0; i < sc.n && rc == 0; i++) {
        ww_suppression_t s = {.rule_id = sc.keys[i].rule_id,
                              .host = sc.keys[i].host,
                              .reason = bk->reason,
                              .created_by = actor.name,
                              .expires = now + bk->expires_days * 86400};
        int64_t id = 0;
        rc = ww_suppress_add(db->st, &s, now, &id, diag);
    }
    if (own)
        rc = rc ? (ww_store_rollback(db->st), rc) : ww_store_exec(db->st, "COMMIT", diag);
    if (rc)
        return rc;
    *changed = sc.n;
    for (uint32_t i = 0; i < sc.n; i++) {
        char target[400], detail[WW_TRIAGE_REASON_MAX + 64];
        snprintf(target, sizeof target, "%s on %s", sc.keys[i].rule_id, sc.keys[i].host);
        snprintf(detail, sizeof detail, "for %lld days; %s", (long long)bk->expires_days,
                 bk->reason ? bk->reason : "");
        ww_console_audit(c, req, "suppression.add", target, detail);
    }
    const ww_console_config_t *cfg = ww_console_cfg(c);
    if (cfg->changed)
        cfg->changed(cfg->ud, "suppressions");
    return 0;
}

/* A "back" query string: printable and without characters that would end a header or
 * an attribute; anything else is dropped (the list then shows its default). */
static const char *safe_back(const char *s)
{
    if (!s || strlen(s) > 2000)
        return "";
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '"' || *p == '<' ||
            *p == '>' || *p == '\\' || *p == '#')
            return "";
    return s;
}

static int h_actions_form(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    ww_diag_t d = {0};
    const char *back = safe_back(ww_web_form(req, "back"));
    char back_url[2100];
    snprintf(back_url, sizeof back_url, "/alerts%s%s", back[0] ? "?" : "", back);
    bulk_t bk = {0};
    const char *a = ww_web_form(req, "action");
    if (a && strcmp(a, "suppress") == 0)
        bk.action = -1;
    else if (!a || ww_triage_action_parse(a, &bk.action) != 0)
        return bad_request(c, req, resp, "Choose an action.", back_url);
    bk.reason = ww_web_form(req, "reason");
    bk.assignee = ww_web_form(req, "assignee");
    if (bk.assignee && !bk.assignee[0])
        bk.assignee = NULL;
    const char *days = ww_web_form(req, "expires_days");
    bk.expires_days = 0;
    if (bk.action < 0 && parse_int(days, 1, WW_SUPPRESS_MAX_DAYS, &bk.expires_days) != 0)
        return bad_request(c, req, resp, "Suppress for: give a number of days from 1 to 366.",
                           back_url);
    uint32_t nid = 0, ngr = 0;
    for (uint32_t i = 0; i < req->nform; i++) {
        nid += strcmp(req->form[i].name, "alert") == 0;
        ngr += strcmp(req->form[i].name, "group") == 0;
    }
    bk.ids = ww_arena_alloc(&req->arena, (nid + 1) * sizeof *bk.ids);
    bk.groups = ww_arena_alloc(&req->arena, (ngr + 1) * sizeof *bk.groups);
    if (!bk.ids || !bk.groups)
        return WW_ENOMEM;
    for (uint32_t i = 0; i < req->nform; i++) {
        if (strcmp(req->form[i].name, "alert") == 0)
            bk.ids[bk.nids++] = req->form[i].value;
        else if (strcmp(req->form[i].name, "group") == 0) {
            if (parse_group_value(req->form[i].value, &req->arena, &bk.groups[bk.ngroups]) != 0)
                return bad_request(c, req, resp, "A selected group is not valid.", back_url);
            bk.ngroups++;
        }
    }
    ww_console_db_t *db = ww_console_db_or_fail(c, req, resp);
    if (!db)
        return 0;
    ww_triage_result_t res;
    uint64_t changed = 0;
    int rc = run_bulk(c, req, db, &bk, &res, &changed, &d);
    if (rc == WW_EINVAL || rc == WW_ELIMIT)
        return bad_request(c, req, resp, d.msg, back_url);
    if (rc)
        return ww_console_fail(c, req, resp, &d);
    char to[2300];
    snprintf(to, sizeof to, "/alerts?%s%sdone=%s&changed=%llu", back, back[0] ? "&" : "",
             bk.action < 0 ? "suppress" : ww_triage_action_name(bk.action),
             (unsigned long long)changed);
    return ww_web_resp_redirect(resp, to);
}

/* POST /api/v1/alerts/actions: {"action": "...", "alerts": [ids], "groups": [{"rule_id":
 * "...", "host": "..."}], "reason": "...", "assignee": "...", "expires_in_days": N}. */
static int h_api_actions(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    ww_diag_t d = {0};
    if (ww_web_json_type(req, 0) != 'o')
        return ww_web_resp_error(req, resp, 400, "expected a JSON object");
    bulk_t bk = {0};
    size_t n;
    const char *a = ww_web_json_str(req, ww_web_json_member(req, 0, "action"), &n);
    if (a && strcmp(a, "suppress") == 0)
        bk.action = -1;
    else if (!a || ww_triage_action_parse(a, &bk.action) != 0)
        return ww_web_resp_error(req, resp, 400,
                                 "action: acknowledge, assign, close-false-positive, close, "
                                 "escalate, reopen or suppress");
    uint32_t m;
    if ((m = ww_web_json_member(req, 0, "reason")) && !(bk.reason = ww_web_json_str(req, m, &n)))
        return ww_web_resp_error(req, resp, 400, "reason: expected a string");
    if ((m = ww_web_json_member(req, 0, "assignee")) &&
        !(bk.assignee = ww_web_json_str(req, m, &n)))
        return ww_web_resp_error(req, resp, 400, "assignee: expected a string");
    if ((m = ww_web_json_member(req, 0, "expires_in_days")) &&
        ww_web_json_int(req, m, &bk.expires_days) != 0)
        return ww_web_resp_error(req, resp, 400, "expires_in_days: expected a whole number");
    uint32_t ids = ww_web_json_member(req, 0, "alerts");
    uint32_t groups = ww_web_json_member(req, 0, "groups");
    if ((ids && ww_web_json_type(req, ids) != 'a') ||
        (groups && ww_web_json_type(req, groups) != 'a'))
        return ww_web_resp_error(req, resp, 400, "alerts and groups: expected arrays");
    bk.ids = ww_arena_alloc(&req->arena, WW_TRIAGE_MAX_IDS * sizeof *bk.ids);
    bk.groups = ww_arena_alloc(&req->arena, WW_TRIAGE_MAX_GROUPS * sizeof *bk.groups);
    if (!bk.ids || !bk.groups)
        return WW_ENOMEM;
    for (uint32_t e = ww_web_json_next(req, ids, 0); e; e = ww_web_json_next(req, ids, e)) {
        if (bk.nids >= WW_TRIAGE_MAX_IDS)
            return ww_web_resp_error(req, resp, 400, "alerts: too many ids at once");
        if (!(bk.ids[bk.nids++] = ww_web_json_str(req, e, &n)))
            return ww_web_resp_error(req, resp, 400, "alerts: expected an array of id strings");
    }
    for (uint32_t e = ww_web_json_next(req, groups, 0); e; e = ww_web_json_next(req, groups, e)) {
        if (bk.ngroups >= WW_TRIAGE_MAX_GROUPS)
            return ww_web_resp_error(req, resp, 400, "groups: too many at once");
        const char *r = ww_web_json_str(req, ww_web_json_member(req, e, "rule_id"), &n);
        const char *h = ww_web_json_str(req, ww_web_json_member(req, e, "host"), &n);
        if (!r || !h)
            return ww_web_resp_error(req, resp, 400,
                                     "groups: each is {\"rule_id\": \"...\", \"host\": \"...\"}");
        bk.groups[bk.ngroups++] = (ww_alert_group_key_t){r, h};
    }
    ww_console_db_t *db = ww_console_db_or_fail(c, req, resp);
    if (!db)
        return 0;
    ww_triage_result_t res;
    uint64_t changed = 0;
    int rc = run_bulk(c, req, db, &bk, &res, &changed, &d);
    if (rc == WW_EINVAL || rc == WW_ELIMIT)
        return ww_web_resp_error(req, resp, 400, d.msg);
    if (rc)
        return ww_console_fail(c, req, resp, &d);
    ww_console_json(resp, 200);
    ww_buf_t *b = &resp->body;
    ww_buf_puts(b, "{\"action\":");
    json_str(b, bk.action < 0 ? "suppress" : ww_triage_action_name(bk.action));
    if (bk.action < 0)
        ww_buf_printf(b, ",\"suppressions\":%llu}\n", (unsigned long long)changed);
    else
        ww_buf_printf(b, ",\"selected\":%llu,\"changed\":%llu,\"skipped\":%llu,\"unknown\":%u}\n",
                      (unsigned long long)res.selected, (unsigned long long)res.changed,
                      (unsigned long long)res.skipped, res.unknown);
    return 0;
}

/* ---- the API's lists ---- */

typedef struct json_list {
    ww_buf_t *b;
    uint32_t n;
} json_list_t;

static int group_json(void *ud, const ww_alert_group_t *g)
{
    json_list_t *x = ud;
    ww_buf_t *b = x->b;
    ww_buf_puts(b, x->n++ ? ",\n{\"rule_id\":" : "\n{\"rule_id\":");
    json_str(b, g->rule_id);
    ww_buf_puts(b, ",\"rule_title\":");
    json_str(b, g->rule_title);
    ww_buf_puts(b, ",\"host\":");
    json_str(b, g->host);
    ww_buf_printf(b, ",\"count\":%llu,\"by_status\":{", (unsigned long long)g->count);
    for (int i = 0; i < WW_ALERT_NSTATUS; i++)
        ww_buf_printf(b, "%s\"%s\":%llu", i ? "," : "", ww_alert_status_name(i),
                      (unsigned long long)g->by_status[i]);
    ww_buf_puts(b, "},\"first_seen\":");
    json_time_ns(b, g->first_seen);
    ww_buf_puts(b, ",\"last_seen\":");
    json_time_ns(b, g->last_seen);
    ww_buf_printf(b, ",\"priority\":%d,\"level\":\"%s\",\"segment\":", g->priority,
                  level_name(g->level));
    json_str(b, g->segment);
    ww_buf_printf(b, ",\"criticality\":\"%s\",\"techniques\":", crit_name(g->criticality));
    json_str(b, g->techniques);
    ww_buf_putc(b, '}');
    return b->err;
}

static void alert_json_fields(ww_buf_t *b, const ww_alert_t *a)
{
    ww_buf_puts(b, "{\"id\":");
    json_str(b, a->id);
    ww_buf_puts(b, ",\"rule_id\":");
    json_str(b, a->rule_id);
    ww_buf_puts(b, ",\"rule_title\":");
    json_str(b, a->rule_title);
    ww_buf_printf(b, ",\"level\":\"%s\",\"priority\":%d,\"why\":", level_name(a->level),
                  a->priority);
    json_str(b, a->why);
    ww_buf_puts(b, ",\"time\":");
    json_time_ns(b, a->ts);
    ww_buf_puts(b, ",\"received\":");
    json_time_ns(b, a->received);
    const struct {
        const char *k, *v;
    } kv[] = {{"host", a->host},         {"user", a->user},         {"src_ip", a->src_ip},
              {"source", a->source},     {"position", a->position}, {"techniques", a->techniques},
              {"asset_id", a->asset_id}, {"segment", a->segment},   {"owner", a->owner},
              {"assignee", a->assignee}};
    for (size_t i = 0; i < WW_ARRAY_LEN(kv); i++) {
        ww_buf_printf(b, ",\"%s\":", kv[i].k);
        json_str(b, kv[i].v);
    }
    ww_buf_printf(b, ",\"criticality\":\"%s\",\"exposed\":%s,\"status\":\"%s\"",
                  crit_name(a->criticality), a->exposed ? "true" : "false",
                  ww_alert_status_name(a->status));
}

static int alert_json(void *ud, const ww_alert_t *a)
{
    json_list_t *x = ud;
    ww_buf_puts(x->b, x->n++ ? ",\n" : "\n");
    alert_json_fields(x->b, a);
    ww_buf_putc(x->b, '}');
    return x->b->err;
}

static int h_api_alerts(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    ww_diag_t d = {0};
    view_t v;
    if (parse_view(req, true, &v, &d) != 0)
        return ww_web_resp_error(req, resp, 400, d.msg);
    ww_console_db_t *db = ww_console_db_or_fail(c, req, resp);
    if (!db)
        return 0;
    ww_console_json(resp, 200);
    ww_buf_t *b = &resp->body;
    json_list_t x = {b, 0};
    ww_triage_totals_t t = {0, 0};
    ww_buf_puts(b,
                v.flat ? "{\"view\":\"alerts\",\"alerts\":[" : "{\"view\":\"groups\",\"groups\":[");
    int rc = v.flat ? ww_triage_alerts(db->st, &v.f, alert_json, &x, &t, &d)
                    : ww_triage_groups(db->st, &v.f, group_json, &x, &t, &d);
    if (rc)
        return ww_console_fail(c, req, resp, &d);
    ww_buf_printf(b, "],\n\"total_alerts\":%llu", (unsigned long long)t.alerts);
    if (!v.flat)
        ww_buf_printf(b, ",\"total_groups\":%llu", (unsigned long long)t.groups);
    ww_buf_printf(b, ",\"limit\":%u,\"offset\":%u}\n", v.f.limit, v.f.offset);
    return 0;
}

/* ---- /alerts/{id} ---- */

typedef struct detail {
    ww_arena_t *ar;
    ww_alert_t a; /* strings copied into ar */
    bool found;
} detail_t;

static const char *keep_str(ww_arena_t *ar, const char *s)
{
    const char *d = ww_arena_strdup(ar, s ? s : "");
    return d ? d : "";
}

static int keep_alert(void *ud, const ww_alert_t *a)
{
    detail_t *x = ud;
    x->a = *a;
    x->a.rule_id = keep_str(x->ar, a->rule_id);
    x->a.rule_title = keep_str(x->ar, a->rule_title);
    x->a.why = keep_str(x->ar, a->why);
    x->a.host = keep_str(x->ar, a->host);
    x->a.user = keep_str(x->ar, a->user);
    x->a.src_ip = keep_str(x->ar, a->src_ip);
    x->a.source = keep_str(x->ar, a->source);
    x->a.position = keep_str(x->ar, a->position);
    x->a.techniques = keep_str(x->ar, a->techniques);
    x->a.event_json = keep_str(x->ar, a->event_json);
    x->a.asset_id = keep_str(x->ar, a->asset_id);
    x->a.segment = keep_str(x->ar, a->segment);
    x->a.owner = keep_str(x->ar, a->owner);
    x->a.assignee = keep_str(x->ar, a->assignee);
    x->found = true;
    return 0;
}

/* Loads an alert by the route's id.  1 found, 0 not (resp filled), <0 error. */
static int load_alert(ww_console_t *c, ww_web_req_t *req, ww_web_resp_t *resp, ww_console_db_t **db,
                      detail_t *x)
{
    ww_diag_t d = {0};
    memset(x, 0, sizeof *x);
    x->ar = &req->arena;
    if (ww_console_db(c, db, &d) != 0)
        return ww_console_fail(c, req, resp, &d), -1;
    int rc = ww_triage_alert((*db)->st, ww_web_param(req, "id"), keep_alert, x, &d);
    if (rc == WW_ENOENT) {
        ww_web_resp_error(req, resp, 404, "There is no alert with this id.");
        return 0;
    }
    if (rc)
        return ww_console_fail(c, req, resp, &d), -1;
    return 1;
}

/* Calls fn for each field of the stored event (our own JSON, decoded again). */
static int each_event_field(const char *json, void (*fn)(void *, ww_str_t, ww_str_t), void *ud)
{
    ww_reader_t *r = NULL;
    ww_diag_t d = {0};
    ww_event_t ev;
    ww_event_init(&ev);
    int rc = ww_reader_open_mem("event", json, strlen(json), WW_FMT_JSON, &r, &d);
    if (rc == 0 && (rc = ww_reader_next(r, &ev, &d)) > 0)
        for (uint32_t i = 0; i < ev.nfields; i++)
            fn(ud, ev.fields[i].name, ev.fields[i].value);
    ww_reader_free(r);
    ww_event_release(&ev);
    return rc < 0 ? rc : 0;
}

static void field_row(void *ud, ww_str_t name, ww_str_t value)
{
    ww_buf_t *b = ud;
    ww_buf_puts(b, "<tr class=\"nhsuk-table__row\"><th scope=\"row\" class=\"nhsuk-table__cell "
                   "ww-value\">");
    ww_html_text(b, name.p, name.n, 200);
    ww_buf_puts(b, "</th><td class=\"nhsuk-table__cell ww-value\">");
    ww_html_text(b, value.p, value.n, 4000);
    ww_buf_puts(b, "</td></tr>\n");
}

static void field_json(void *ud, ww_str_t name, ww_str_t value)
{
    json_list_t *x = ud;
    ww_buf_puts(x->b, x->n++ ? ",{\"name\":" : "{\"name\":");
    ww_buf_json_str(x->b, name.p, name.n);
    ww_buf_puts(x->b, ",\"value\":");
    ww_buf_json_str(x->b, value.p, value.n);
    ww_buf_putc(x->b, '}');
}

static void summary_row(ww_buf_t *b, const char *key, const char *value)
{
    ww_buf_puts(b, "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">");
    text(b, key);
    ww_buf_puts(b, "</dt><dd class=\"nhsuk-summary-list__value ww-value\">");
    text_cut(b, value && value[0] ? value : "-", 2000);
    ww_buf_puts(b, "</dd></div>\n");
}

static void summary_open(ww_buf_t *b, const char *key)
{
    ww_buf_puts(b, "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">");
    text(b, key);
    ww_buf_puts(b, "</dt><dd class=\"nhsuk-summary-list__value\">");
}

static int history_row(void *ud, const ww_alert_change_t *ch)
{
    ww_buf_t *b = ud;
    ww_buf_puts(b, "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">");
    ww_console_time(b, ch->at);
    ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell ww-value\">");
    text_cut(b, ch->actor, 128);
    ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell\">");
    text(b, ch->action);
    if (ch->old_status != ch->new_status) {
        ww_buf_puts(b, " (");
        text(b, ww_alert_status_name(ch->old_status));
        ww_buf_puts(b, " → ");
        text(b, ww_alert_status_name(ch->new_status));
        ww_buf_puts(b, ")");
    }
    if (strcmp(ch->action, "assign") == 0) {
        ww_buf_puts(b, " to <span class=\"ww-value\">");
        text_cut(b, ch->assignee, 128);
        ww_buf_puts(b, "</span>");
    }
    ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell ww-value\">");
    text_cut(b, ch->reason[0] ? ch->reason : "-", 1000);
    ww_buf_puts(b, "</td></tr>\n");
    return b->err;
}

static int history_json(void *ud, const ww_alert_change_t *ch)
{
    json_list_t *x = ud;
    ww_buf_t *b = x->b;
    ww_buf_puts(b, x->n++ ? ",{\"at\":" : "{\"at\":");
    json_time_s(b, ch->at);
    ww_buf_puts(b, ",\"actor\":");
    json_str(b, ch->actor);
    ww_buf_puts(b, ",\"action\":");
    json_str(b, ch->action);
    ww_buf_printf(b, ",\"from\":\"%s\",\"to\":\"%s\",\"assignee\":",
                  ww_alert_status_name(ch->old_status), ww_alert_status_name(ch->new_status));
    json_str(b, ch->assignee);
    ww_buf_puts(b, ",\"reason\":");
    json_str(b, ch->reason);
    ww_buf_putc(b, '}');
    return b->err;
}

static int related_row(void *ud, const ww_alert_t *a)
{
    list_ctx_t *x = ud;
    ww_buf_t *b = x->b;
    x->n++;
    ww_buf_puts(b, "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">");
    priority_tag(b, a->priority);
    ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell ww-value\"><a href=\"/alerts/");
    qenc(b, a->id);
    ww_buf_puts(b, "\">");
    text_cut(b, a->rule_title[0] ? a->rule_title : a->rule_id, 200);
    ww_buf_puts(b, "</a></td><td class=\"nhsuk-table__cell ww-value\">");
    text_cut(b, a->host[0] ? a->host : "-", 120);
    ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell ww-value\">");
    text_cut(b, a->user[0] ? a->user : "-", 80);
    ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell ww-value\">");
    text_cut(b, a->src_ip[0] ? a->src_ip : "-", 80);
    ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell\">");
    when_ns(b, a->ts != WW_TIME_NONE ? a->ts : a->received);
    ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell\">");
    status_tag(b, a->status);
    ww_buf_puts(b, "</td></tr>\n");
    return b->err;
}

static int related_json(void *ud, const ww_alert_t *a)
{
    json_list_t *x = ud;
    ww_buf_t *b = x->b;
    ww_buf_puts(b, x->n++ ? ",{\"id\":" : "{\"id\":");
    json_str(b, a->id);
    ww_buf_puts(b, ",\"rule_title\":");
    json_str(b, a->rule_title);
    ww_buf_puts(b, ",\"host\":");
    json_str(b, a->host);
    ww_buf_puts(b, ",\"user\":");
    json_str(b, a->user);
    ww_buf_puts(b, ",\"src_ip\":");
    json_str(b, a->src_ip);
    ww_buf_printf(b, ",\"priority\":%d,\"status\":\"%s\"}", a->priority,
                  ww_alert_status_name(a->status));
    return b->err;
}

/* The rule's facts, from serve's rules (NULL callback in tests: the id and title). */
static void rule_section(ww_console_t *c, ww_buf_t *b, const ww_alert_t *a)
{
    const ww_console_config_t *cfg = ww_console_cfg(c);
    ww_console_rule_t r;
    memset(&r, 0, sizeof r);
    bool known = cfg->rule && cfg->rule(cfg->ud, a->rule_id, &r) == 1;
    ww_buf_puts(b, "<h2>The rule</h2>\n<dl class=\"nhsuk-summary-list\">\n");
    summary_row(b, "Title", known && r.title ? r.title : a->rule_title);
    summary_row(b, "Id", a->rule_id);
    if (known) {
        summary_row(b, "Description", r.description);
        summary_row(b, "Level", r.level);
        summary_row(b, "Status", r.status);
        summary_row(b, "Author", r.author);
        summary_row(b, "File", r.path);
        summary_row(b, "Known false positives", r.falsepositives);
        summary_open(b, "References");
        const char *p = r.references ? r.references : "";
        bool any = false;
        ww_buf_puts(b, "<ul class=\"nhsuk-list\">");
        while (*p) {
            const char *e = strchr(p, '\n');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            if (n) {
                ww_buf_puts(b, "<li class=\"ww-value\"><a href=\"");
                ww_html_url(b, p, n);
                ww_buf_puts(b, "\" rel=\"noreferrer noopener\">");
                ww_html_text(b, p, n, 300);
                ww_buf_puts(b, "</a></li>");
                any = true;
            }
            p += n + (e ? 1 : 0);
        }
        ww_buf_puts(b, any ? "</ul>" : "<li>-</li></ul>");
        ww_buf_puts(b, "</dd></div>\n");
        summary_row(b, "Tags", r.tags);
    }
    summary_row(b, "ATT&CK techniques", a->techniques);
    ww_buf_puts(b, "</dl>\n");
    if (!known)
        ww_buf_puts(b, "<p class=\"nhsuk-body-s\">The rule's description and references are"
                       " shown when serve has the rule loaded.</p>\n");
}

/* The asset from the register (by its id, else the host, else the address). */
static void asset_section(ww_console_db_t *db, ww_arena_t *ar, ww_buf_t *b, const ww_alert_t *a)
{
    ww_buf_puts(b, "<h2>The asset</h2>\n");
    ww_asset_t as;
    ww_diag_t d = {0};
    int found = 0;
    const char *keys[] = {a->asset_id, a->host, a->src_ip};
    for (size_t i = 0; i < WW_ARRAY_LEN(keys) && found == 0; i++)
        if (keys[i] && keys[i][0])
            found = ww_asset_find(db->st, keys[i], ar, &as, &d);
    if (found != 1) {
        ww_buf_puts(b, "<p>This host is not in the asset register");
        if (a->segment[0]) {
            ww_buf_puts(b, " now (when the alert was raised: segment <span class=\"ww-value\">");
            text_cut(b, a->segment, 200);
            ww_buf_puts(b, "</span>)");
        }
        ww_buf_puts(b, ".</p>\n");
        return;
    }
    ww_buf_puts(b, "<dl class=\"nhsuk-summary-list\">\n");
    summary_row(b, "Asset", as.asset_id && as.asset_id[0] ? as.asset_id : as.hostname);
    summary_row(b, "Host name", as.hostname);
    summary_row(b, "Segment", as.segment);
    summary_row(b, "Clinical criticality", crit_name((int)as.clinical_criticality));
    summary_row(b, "Owner", as.owner);
    ww_buf_puts(b, "</dl>\n");
    if (as.rowid > 0)
        ww_buf_printf(b,
                      "<p><a href=\"/estate/assets/%lld\">The asset's audit findings and its "
                      "recent alerts</a> (the estate).</p>\n",
                      (long long)as.rowid);
    else
        ww_buf_puts(b, "<p class=\"nhsuk-body-s\">Audit findings for this asset are in the "
                       "<a href=\"/estate\">estate's audit report</a>.</p>\n");
}

static int h_alert(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    ww_console_db_t *db;
    detail_t x;
    int found = load_alert(c, req, resp, &db, &x);
    if (found <= 0)
        return 0;
    const ww_alert_t *a = &x.a;
    ww_diag_t d = {0};
    ww_console_page_begin(c, req, resp, "Alert", "/alerts");
    ww_buf_t *b = &resp->body;
    ww_buf_puts(b, "<span class=\"nhsuk-caption-l\">Alert <span class=\"ww-value\">");
    text(b, a->id);
    ww_buf_puts(b, "</span></span>\n<h1 class=\"ww-value\">");
    text_cut(b, a->rule_title[0] ? a->rule_title : a->rule_id, 300);
    ww_buf_puts(b, "</h1>\n<dl class=\"nhsuk-summary-list\">\n");
    summary_open(b, "Priority");
    priority_tag(b, a->priority);
    ww_buf_puts(b, " <span class=\"ww-value\">");
    text_cut(b, a->why, 400);
    ww_buf_puts(b, "</span></dd></div>\n");
    summary_open(b, "Status");
    status_tag(b, a->status);
    ww_buf_puts(b, "</dd></div>\n");
    summary_row(b, "Assigned to", a->assignee);
    summary_row(b, "Rule level", level_name(a->level));
    summary_open(b, "Event time");
    when_ns(b, a->ts);
    ww_buf_puts(b, "</dd></div>\n");
    summary_open(b, "Received");
    when_ns(b, a->received);
    ww_buf_puts(b, "</dd></div>\n");
    summary_row(b, "Host", a->host);
    summary_row(b, "User", a->user);
    summary_row(b, "Source address", a->src_ip);
    summary_row(b, "Input", a->source);
    summary_row(b, "Position", a->position);
    ww_buf_puts(b, "</dl>\n");
    if (a->host[0]) {
        ww_buf_puts(b, "<p><a class=\"nhsuk-button nhsuk-button--secondary\" "
                       "href=\"/firebreaks/plan?host=");
        qenc(b, a->host);
        ww_buf_puts(b, "\">Plan a fire-break for this host</a></p>\n");
    }

    /* Suppressions scoped by what this alert has, prefilled on the add form. */
    ww_buf_puts(b, "<p>Suppress alerts of this rule: ");
    const struct {
        const char *label, *name, *value;
    } scopes[] = {{"on this host", "host", a->host},
                  {"for this user", "user", a->user},
                  {"from this address", "field", "src_ip"}};
    bool any = false;
    for (size_t i = 0; i < WW_ARRAY_LEN(scopes); i++) {
        if (!scopes[i].value[0] || (i == 2 && !a->src_ip[0]))
            continue;
        ww_buf_puts(b, any ? " · " : "");
        ww_buf_puts(b, "<a href=\"/suppressions?rule_id=");
        qenc(b, a->rule_id);
        ww_buf_printf(b, "&amp;%s=", scopes[i].name);
        qenc(b, scopes[i].value);
        if (i == 2) {
            ww_buf_puts(b, "&amp;value=");
            qenc(b, a->src_ip);
        }
        ww_buf_puts(b, "\">");
        text(b, scopes[i].label);
        ww_buf_puts(b, "</a>");
        any = true;
    }
    ww_buf_puts(b, any ? "</p>\n"
                       : "by a field value on the <a href=\"/suppressions\">"
                         "Suppressions</a> page.</p>\n");

    /* Actions on this alert: the same form as the list's, with its id. */
    ww_buf_puts(b, "<h2>Triage</h2>\n<form method=\"post\" action=\"/alerts/actions\" "
                   "novalidate>\n");
    ww_console_csrf_field(b, req);
    ww_buf_puts(b, "<input type=\"hidden\" name=\"alert\" value=\"");
    attr(b, a->id);
    ww_buf_puts(b, "\">\n");
    action_fields(b, true);
    ww_buf_puts(b, "</form>\n");

    ww_buf_puts(b, "<h2>The event</h2>\n<table class=\"nhsuk-table\">\n<caption "
                   "class=\"nhsuk-table__caption nhsuk-u-visually-hidden\">The event's fields"
                   "</caption>\n<thead class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\">"
                   "<th scope=\"col\" class=\"nhsuk-table__header\">Field</th><th scope=\"col\" "
                   "class=\"nhsuk-table__header\">Value</th></tr></thead>\n<tbody "
                   "class=\"nhsuk-table__body\">\n");
    if (each_event_field(a->event_json, field_row, b) != 0)
        ww_buf_puts(b, "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\" "
                       "colspan=\"2\">The stored event could not be read.</td></tr>\n");
    ww_buf_puts(b, "</tbody>\n</table>\n");

    rule_section(c, b, a);
    asset_section(db, &req->arena, b, a);

    ww_buf_puts(b, "<h2>Related alerts</h2>\n<p>Other alerts on the same host, for the same user"
                   " or from the same address, newest first.</p>\n<table class=\"nhsuk-table\">\n"
                   "<caption class=\"nhsuk-table__caption nhsuk-u-visually-hidden\">Related "
                   "alerts</caption>\n<thead class=\"nhsuk-table__head\"><tr "
                   "class=\"nhsuk-table__row\"><th scope=\"col\" class=\"nhsuk-table__header\">"
                   "Priority</th><th scope=\"col\" class=\"nhsuk-table__header\">Rule</th>"
                   "<th scope=\"col\" class=\"nhsuk-table__header\">Host</th><th scope=\"col\" "
                   "class=\"nhsuk-table__header\">User</th><th scope=\"col\" "
                   "class=\"nhsuk-table__header\">Address</th><th scope=\"col\" "
                   "class=\"nhsuk-table__header\">Time</th><th scope=\"col\" "
                   "class=\"nhsuk-table__header\">Status</th></tr></thead>\n<tbody "
                   "class=\"nhsuk-table__body\">\n");
    list_ctx_t rx = {b, 0, NULL};
    if (ww_triage_related(db->st, a, RELATED_MAX, related_row, &rx, &d) != 0)
        return ww_console_fail(c, req, resp, &d);
    if (!rx.n)
        ww_buf_puts(b, "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\" "
                       "colspan=\"7\">None.</td></tr>\n");
    ww_buf_puts(b, "</tbody>\n</table>\n");

    ww_buf_puts(b, "<h2>History</h2>\n<table class=\"nhsuk-table\">\n<caption "
                   "class=\"nhsuk-table__caption nhsuk-u-visually-hidden\">Who changed this "
                   "alert</caption>\n<thead class=\"nhsuk-table__head\"><tr "
                   "class=\"nhsuk-table__row\"><th scope=\"col\" class=\"nhsuk-table__header\">"
                   "When</th><th scope=\"col\" class=\"nhsuk-table__header\">Who</th><th "
                   "scope=\"col\" class=\"nhsuk-table__header\">What</th><th scope=\"col\" "
                   "class=\"nhsuk-table__header\">Why</th></tr></thead>\n<tbody "
                   "class=\"nhsuk-table__body\">\n");
    size_t before = b->n;
    if (ww_triage_history(db->st, a->id, history_row, b, &d) != 0)
        return ww_console_fail(c, req, resp, &d);
    if (b->n == before)
        ww_buf_puts(b, "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\" "
                       "colspan=\"4\">No changes yet.</td></tr>\n");
    ww_buf_puts(b, "</tbody>\n</table>\n<p><a href=\"/alerts\">Back to alerts</a></p>\n");
    return ww_console_page_end(resp);
}

static int h_api_alert(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    ww_console_db_t *db;
    detail_t x;
    int found = load_alert(c, req, resp, &db, &x);
    if (found <= 0)
        return 0;
    ww_diag_t d = {0};
    ww_console_json(resp, 200);
    ww_buf_t *b = &resp->body;
    alert_json_fields(b, &x.a);
    json_list_t l = {b, 0};
    ww_buf_puts(b, ",\n\"fields\":[");
    each_event_field(x.a.event_json, field_json, &l);
    ww_buf_puts(b, "],\n\"history\":[");
    l.n = 0;
    if (ww_triage_history(db->st, x.a.id, history_json, &l, &d) != 0)
        return ww_console_fail(c, req, resp, &d);
    ww_buf_puts(b, "],\n\"related\":[");
    l.n = 0;
    if (ww_triage_related(db->st, &x.a, RELATED_MAX, related_json, &l, &d) != 0)
        return ww_console_fail(c, req, resp, &d);
    ww_buf_puts(b, "],\n\"firebreak_plan\":\"/firebreaks/plan?host=");
    ww_buf_t h;
    ww_buf_init(&h, 4096);
    qenc(&h, x.a.host);
    ww_buf_puts(b, h.p ? h.p : "");
    ww_buf_release(&h);
    ww_buf_puts(b, "\"}\n");
    return 0;
}

/* ---- /suppressions ---- */

static int supp_row(void *ud, const ww_suppression_t *s)
{
    list_ctx_t *x = ud;
    ww_buf_t *b = x->b;
    x->n++;
    int64_t now = now_s();
    ww_buf_puts(b, "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell ww-value\">");
    text_cut(b, s->rule_id, 200);
    ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell ww-value\">");
    bool any = false;
    if (s->host[0]) {
        ww_buf_puts(b, "host ");
        text_cut(b, s->host, 200);
        any = true;
    }
    if (s->user[0]) {
        ww_buf_puts(b, any ? "<br>user " : "user ");
        text_cut(b, s->user, 200);
        any = true;
    }
    if (s->field[0]) {
        ww_buf_puts(b, any ? "<br>" : "");
        text_cut(b, s->field, 100);
        ww_buf_puts(b, " = ");
        text_cut(b, s->value, 300);
    }
    ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell ww-value\">");
    text_cut(b, s->reason, 1000);
    ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell ww-value\">");
    text_cut(b, s->created_by, 128);
    ww_buf_puts(b, "<br>");
    ww_console_time(b, s->created);
    ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell\">");
    ww_console_time(b, s->expires);
    if (s->expires <= now)
        ww_buf_puts(b, " <strong class=\"nhsuk-tag nhsuk-tag--grey\">expired</strong>");
    ww_buf_printf(b, "</td><td class=\"nhsuk-table__cell\">%llu", (unsigned long long)s->hits);
    if (s->last_hit) {
        ww_buf_puts(b, "<br><span class=\"nhsuk-body-s\">last ");
        ww_console_time(b, s->last_hit);
        ww_buf_puts(b, "</span>");
    }
    ww_buf_printf(b,
                  "</td><td class=\"nhsuk-table__cell\"><form method=\"post\" "
                  "action=\"/suppressions/%lld/delete\">",
                  (long long)s->id);
    ww_buf_puts(b, x->csrf_field ? x->csrf_field : "");
    ww_buf_printf(b,
                  "<button class=\"nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0"
                  "\" type=\"submit\">Remove<span class=\"nhsuk-u-visually-hidden\"> "
                  "suppression %lld</span></button></form></td></tr>\n",
                  (long long)s->id);
    return b->err;
}

/* A field of the add form, filled from the query (an alert's page links here with
 * its rule and scope). */
static void supp_field(ww_buf_t *b, const ww_web_req_t *req, const char *id, const char *label,
                       const char *hint)
{
    input_field(b, id, label, ww_web_query(req, id), hint);
}

static int h_suppressions(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    ww_diag_t d = {0};
    ww_console_db_t *db = ww_console_db_or_fail(c, req, resp);
    if (!db)
        return 0;
    ww_console_page_begin(c, req, resp, "Suppressions", "/alerts");
    ww_buf_t *b = &resp->body;
    ww_buf_puts(b, "<h1>Suppressions</h1>\n<p>A suppression is an exception for one rule: on one"
                   " host, for one user or where one field of the event has one value. While it"
                   " lasts, wardwatch serve does not raise the alerts it covers (it counts them"
                   " here instead). Review them, and remove those no longer needed.</p>\n");
    const char *done = ww_web_query(req, "done");
    if (done && (strcmp(done, "added") == 0 || strcmp(done, "removed") == 0)) {
        ww_buf_puts(b, "<div class=\"nhsuk-inset-text\"><span class=\"nhsuk-u-visually-hidden\">"
                       "Information: </span><p>Suppression ");
        ww_buf_puts(b, strcmp(done, "added") == 0 ? "added" : "removed");
        ww_buf_puts(b, ". The engine applies the change to the next alerts.</p></div>\n");
    }
    ww_buf_t csrf;
    ww_buf_init(&csrf, 4096);
    ww_console_csrf_field(&csrf, req);
    ww_buf_puts(b, "<table class=\"nhsuk-table\">\n<caption class=\"nhsuk-table__caption\">"
                   "Suppressions, the soonest to expire first</caption>\n<thead "
                   "class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\"><th scope=\"col\" "
                   "class=\"nhsuk-table__header\">Rule</th><th scope=\"col\" "
                   "class=\"nhsuk-table__header\">Scope</th><th scope=\"col\" "
                   "class=\"nhsuk-table__header\">Why</th><th scope=\"col\" "
                   "class=\"nhsuk-table__header\">Who and when</th><th scope=\"col\" "
                   "class=\"nhsuk-table__header\">Expires</th><th scope=\"col\" "
                   "class=\"nhsuk-table__header\">Alerts suppressed</th><th scope=\"col\" "
                   "class=\"nhsuk-table__header\"><span class=\"nhsuk-u-visually-hidden\">"
                   "Remove</span></th></tr></thead>\n<tbody class=\"nhsuk-table__body\">\n");
    list_ctx_t x = {b, 0, csrf.p ? csrf.p : ""};
    int rc = ww_suppress_list(db->st, now_s(), true, supp_row, &x, &d);
    ww_buf_release(&csrf);
    if (rc)
        return ww_console_fail(c, req, resp, &d);
    if (!x.n)
        ww_buf_puts(b, "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\" "
                       "colspan=\"7\">No suppressions.</td></tr>\n");
    ww_buf_puts(b, "</tbody>\n</table>\n<h2>Add a suppression</h2>\n<form method=\"post\" "
                   "action=\"/suppressions\" novalidate>\n");
    ww_console_csrf_field(b, req);
    supp_field(b, req, "rule_id", "Rule id", "The id of the rule, as shown on an alert");
    supp_field(b, req, "host", "Host", "Leave empty when the scope is a user or a field value");
    supp_field(b, req, "user", "User", NULL);
    supp_field(b, req, "field", "Event field", "For example SourceImage");
    supp_field(b, req, "value", "Value of the field", "The whole value (any case)");
    supp_field(b, req, "reason", "Reason", "Why these alerts are expected");
    char hint[64];
    snprintf(hint, sizeof hint, "1 to %d days", WW_SUPPRESS_MAX_DAYS);
    expiry_field(b, "Expires after (days)", hint);
    ww_buf_puts(b, "<button class=\"nhsuk-button\" type=\"submit\">Add suppression</button>\n"
                   "</form>\n");
    return ww_console_page_end(resp);
}

/* Adds one suppression from form or JSON values; tells serve.  0, or WW_EINVAL with a
 * message in diag. */
static int add_suppression(ww_console_t *c, ww_web_req_t *req, ww_suppression_t *s, int64_t *id,
                           ww_diag_t *diag)
{
    ww_console_db_t *db;
    if (ww_console_db(c, &db, diag) != 0)
        return WW_EIO;
    ww_auth_actor_t actor;
    ww_console_actor(req, &actor);
    s->created_by = actor.name;
    int rc = ww_suppress_add(db->st, s, now_s(), id, diag);
    if (rc)
        return rc;
    char target[64], detail[WW_TRIAGE_REASON_MAX + 2 * WW_SUPPRESS_VALUE_MAX + 200];
    snprintf(target, sizeof target, "suppression %lld", (long long)*id);
    snprintf(detail, sizeof detail, "rule %s; host %s; user %s; %s%s%s; until %lld; %s", s->rule_id,
             s->host && s->host[0] ? s->host : "-", s->user && s->user[0] ? s->user : "-",
             s->field && s->field[0] ? s->field : "-", s->field && s->field[0] ? "=" : "",
             s->value ? s->value : "", (long long)s->expires, s->reason ? s->reason : "");
    ww_console_audit(c, req, "suppression.add", target, detail);
    const ww_console_config_t *cfg = ww_console_cfg(c);
    if (cfg->changed)
        cfg->changed(cfg->ud, "suppressions");
    return 0;
}

static int h_suppression_add(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    ww_diag_t d = {0};
    int64_t days = 0, id = 0;
    if (parse_int(ww_web_form(req, "expires_days"), 1, WW_SUPPRESS_MAX_DAYS, &days) != 0)
        return bad_request(c, req, resp, "Expires after: give a number of days from 1 to 366.",
                           "/suppressions");
    ww_suppression_t s = {.rule_id = ww_web_form(req, "rule_id"),
                          .host = ww_web_form(req, "host"),
                          .user = ww_web_form(req, "user"),
                          .field = ww_web_form(req, "field"),
                          .value = ww_web_form(req, "value"),
                          .reason = ww_web_form(req, "reason"),
                          .expires = now_s() + days * 86400};
    int rc = add_suppression(c, req, &s, &id, &d);
    if (rc == WW_EINVAL || rc == WW_ELIMIT)
        return bad_request(c, req, resp, d.msg, "/suppressions");
    if (rc)
        return ww_console_fail(c, req, resp, &d);
    return ww_web_resp_redirect(resp, "/suppressions?done=added");
}

/* Removes the route's suppression.  1 removed, 0 none such, <0 error (diag). */
static int remove_suppression(ww_console_t *c, ww_web_req_t *req, ww_diag_t *diag)
{
    int64_t id;
    if (parse_int(ww_web_param(req, "id"), 1, INT64_MAX, &id) != 0)
        return 0;
    ww_console_db_t *db;
    if (ww_console_db(c, &db, diag) != 0)
        return WW_EIO;
    int rc = ww_suppress_remove(db->st, id, diag);
    if (rc == 1) {
        char target[64];
        snprintf(target, sizeof target, "suppression %lld", (long long)id);
        ww_console_audit(c, req, "suppression.remove", target, "");
        const ww_console_config_t *cfg = ww_console_cfg(c);
        if (cfg->changed)
            cfg->changed(cfg->ud, "suppressions");
    }
    return rc;
}

static int h_suppression_delete(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    ww_diag_t d = {0};
    int rc = remove_suppression(c, req, &d);
    if (rc < 0)
        return ww_console_fail(c, req, resp, &d);
    if (rc == 0)
        return ww_web_resp_error(req, resp, 404, "There is no such suppression.");
    return ww_web_resp_redirect(resp, "/suppressions?done=removed");
}

static int supp_json(void *ud, const ww_suppression_t *s)
{
    json_list_t *x = ud;
    ww_buf_t *b = x->b;
    ww_buf_printf(b, "%s{\"id\":%lld,\"rule_id\":", x->n++ ? ",\n" : "\n", (long long)s->id);
    json_str(b, s->rule_id);
    ww_buf_puts(b, ",\"host\":");
    json_str(b, s->host);
    ww_buf_puts(b, ",\"user\":");
    json_str(b, s->user);
    ww_buf_puts(b, ",\"field\":");
    json_str(b, s->field);
    ww_buf_puts(b, ",\"value\":");
    json_str(b, s->value);
    ww_buf_puts(b, ",\"reason\":");
    json_str(b, s->reason);
    ww_buf_puts(b, ",\"created_by\":");
    json_str(b, s->created_by);
    ww_buf_puts(b, ",\"created\":");
    json_time_s(b, s->created);
    ww_buf_puts(b, ",\"expires\":");
    json_time_s(b, s->expires);
    ww_buf_printf(b, ",\"live\":%s,\"hits\":%llu,\"last_hit\":",
                  s->expires > now_s() ? "true" : "false", (unsigned long long)s->hits);
    json_time_s(b, s->last_hit);
    ww_buf_putc(b, '}');
    return b->err;
}

static int h_api_suppressions(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    ww_diag_t d = {0};
    ww_console_db_t *db = ww_console_db_or_fail(c, req, resp);
    if (!db)
        return 0;
    const char *exp = ww_web_query(req, "expired");
    bool with_expired = !exp || strcmp(exp, "no") != 0;
    ww_console_json(resp, 200);
    json_list_t x = {&resp->body, 0};
    ww_buf_puts(&resp->body, "{\"suppressions\":[");
    if (ww_suppress_list(db->st, now_s(), with_expired, supp_json, &x, &d) != 0)
        return ww_console_fail(c, req, resp, &d);
    ww_buf_puts(&resp->body, "]}\n");
    return 0;
}

/* POST /api/v1/suppressions: {"rule_id", "host", "user", "field", "value", "reason",
 * and "expires" (ISO 8601) or "expires_in_days"}. */
static int h_api_suppression_add(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    ww_diag_t d = {0};
    if (ww_web_json_type(req, 0) != 'o')
        return ww_web_resp_error(req, resp, 400, "expected a JSON object");
    static const char *const names[] = {"rule_id", "host", "user", "field", "value", "reason"};
    const char *v[6] = {0};
    size_t n;
    for (int i = 0; i < 6; i++) {
        uint32_t m = ww_web_json_member(req, 0, names[i]);
        if (m && !(v[i] = ww_web_json_str(req, m, &n))) {
            char msg[64];
            snprintf(msg, sizeof msg, "%s: expected a string", names[i]);
            return ww_web_resp_error(req, resp, 400, msg);
        }
    }
    int64_t expires = 0, days = 0;
    uint32_t m;
    const char *e;
    if ((m = ww_web_json_member(req, 0, "expires"))) {
        if (!(e = ww_web_json_str(req, m, &n)) || ww_time_parse_iso(e, n, &expires) != 0)
            return ww_web_resp_error(req, resp, 400, "expires: expected an ISO 8601 time");
        expires /= 1000000000;
    } else if ((m = ww_web_json_member(req, 0, "expires_in_days"))) {
        if (ww_web_json_int(req, m, &days) != 0 || days < 1 || days > WW_SUPPRESS_MAX_DAYS)
            return ww_web_resp_error(req, resp, 400, "expires_in_days: expected 1 to 366");
        expires = now_s() + days * 86400;
    } else {
        return ww_web_resp_error(req, resp, 400, "expires or expires_in_days is required");
    }
    ww_suppression_t s = {.rule_id = v[0],
                          .host = v[1],
                          .user = v[2],
                          .field = v[3],
                          .value = v[4],
                          .reason = v[5],
                          .expires = expires};
    int64_t id = 0;
    int rc = add_suppression(c, req, &s, &id, &d);
    if (rc == WW_EINVAL || rc == WW_ELIMIT)
        return ww_web_resp_error(req, resp, 400, d.msg);
    if (rc)
        return ww_console_fail(c, req, resp, &d);
    ww_console_db_t *db = ww_console_db_or_fail(c, req, resp);
    if (!db)
        return 0;
    ww_console_json(resp, 201);
    json_list_t x = {&resp->body, 0};
    if (ww_suppress_get(db->st, id, supp_json, &x, &d) != 0)
        return ww_console_fail(c, req, resp, &d);
    ww_buf_putc(&resp->body, '\n');
    return 0;
}

static int h_api_suppression_delete(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    ww_diag_t d = {0};
    int rc = remove_suppression(c, req, &d);
    if (rc < 0)
        return ww_console_fail(c, req, resp, &d);
    if (rc == 0)
        return ww_web_resp_error(req, resp, 404, "no such suppression");
    ww_console_json(resp, 200);
    ww_buf_printf(&resp->body, "{\"removed\":%s}\n", ww_web_param(req, "id"));
    return 0;
}

/* ---- the module's routes ---- */

/* Analysts and above (WW_ACT_TRIAGE); viewers see nothing of triage.  ud is set by
 * the console before the server starts. */
static ww_web_route_t routes[] = {
    {"GET", "/alerts", WW_WEB_ANALYST, false, h_alerts, NULL},
    {"POST", "/alerts/actions", WW_WEB_ANALYST, true, h_actions_form, NULL},
    {"GET", "/alerts/{id}", WW_WEB_ANALYST, false, h_alert, NULL},
    {"GET", "/suppressions", WW_WEB_ANALYST, false, h_suppressions, NULL},
    {"POST", "/suppressions", WW_WEB_ANALYST, true, h_suppression_add, NULL},
    {"POST", "/suppressions/{id}/delete", WW_WEB_ANALYST, true, h_suppression_delete, NULL},
    {"GET", "/api/v1/alerts", WW_WEB_ANALYST, false, h_api_alerts, NULL},
    {"POST", "/api/v1/alerts/actions", WW_WEB_ANALYST, true, h_api_actions, NULL},
    {"GET", "/api/v1/alerts/{id}", WW_WEB_ANALYST, false, h_api_alert, NULL},
    {"GET", "/api/v1/suppressions", WW_WEB_ANALYST, false, h_api_suppressions, NULL},
    {"POST", "/api/v1/suppressions", WW_WEB_ANALYST, true, h_api_suppression_add, NULL},
    {"DELETE", "/api/v1/suppressions/{id}", WW_WEB_ANALYST, true, h_api_suppression_delete, NULL},
};

uint32_t ww_console_triage_routes(const ww_web_route_t **out)
{
    *out = routes;
    return (uint32_t)WW_ARRAY_LEN(routes);
}
