/* Triage of stored alerts (see ww_alerts.h): status, assignee and history per alert,
 * the list of groups (one rule on one host) with filters and paging, bulk actions on a
 * selection, and suppressions, which the engine (serve) loads and applies to every
 * alert it raises.
 *
 * The group list reads alert_group, one row per group that a trigger keeps as alerts
 * arrive and ww_triage_act recounts when their status changes (ww_alerts.c, migration
 * 2), in the order of its indexes: the first page of open groups reads as many rows
 * as it shows.  A time window, or statuses other than "all" or "open", read the
 * alerts themselves through the time or status index.  Rule, host, technique, segment
 * and criticality filters are on each alert; level and priority choose groups (their
 * highest level, their most urgent priority).  SQL is built from the filter with only
 * the clauses it needs, so that SQLite can use the indexes of those it has. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/ww_alerts.h"
#include "event/ww_event.h"

static const char *const status_names[WW_ALERT_NSTATUS] = {
    "new", "acknowledged", "closed-false-positive", "closed", "escalated"};

static const char *const action_names[WW_TRIAGE_NACTIONS] = {
    "acknowledge", "assign", "close-false-positive", "close", "escalate", "reopen"};

const char *ww_alert_status_name(int status)
{
    return status >= 0 && status < WW_ALERT_NSTATUS ? status_names[status] : "?";
}

int ww_alert_status_parse(const char *s, int *out)
{
    for (int i = 0; s && i < WW_ALERT_NSTATUS; i++)
        if (strcasecmp(s, status_names[i]) == 0) {
            *out = i;
            return 0;
        }
    return WW_EINVAL;
}

const char *ww_triage_action_name(int act)
{
    return act >= 0 && act < WW_TRIAGE_NACTIONS ? action_names[act] : "?";
}

int ww_triage_action_parse(const char *s, int *out)
{
    for (int i = 0; s && i < WW_TRIAGE_NACTIONS; i++)
        if (strcasecmp(s, action_names[i]) == 0) {
            *out = i;
            return 0;
        }
    return WW_EINVAL;
}

static int db_fail(ww_store_t *st, ww_diag_t *diag, const char *what)
{
    ww_diag_set(diag, st->path, 0, 0, "triage: %s: %s", what, sqlite3_errmsg(st->db));
    return WW_EIO;
}

static const char *nz(const char *s)
{
    return s ? s : "";
}

static const char *col_text(sqlite3_stmt *q, int i)
{
    const char *s = (const char *)sqlite3_column_text(q, i);
    return s ? s : "";
}

/* True when s has a control byte: such values cannot be typed by a person and are
 * refused rather than stored where a console would show them. */
static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

/* ---- the query builder ---- */

#define QB_MAX_BINDS 24

typedef struct qb {
    ww_buf_t sql;
    int n;
    struct qb_bind {
        bool text;
        int64_t i;
        const char *s;
    } b[QB_MAX_BINDS];
    /* Bound text made here lives as long as the builder. */
    char host[2 * WW_TRIAGE_PATTERN_MAX + 1];
    char tech[2][WW_TRIAGE_PATTERN_MAX + 8];
} qb_t;

static void qb_init(qb_t *q)
{
    memset(q, 0, sizeof *q);
    ww_buf_init(&q->sql, 16 * 1024);
}

static void qb_int(qb_t *q, int64_t v)
{
    if (q->n < QB_MAX_BINDS)
        q->b[q->n++] = (struct qb_bind){false, v, NULL};
    else
        q->sql.err = WW_ELIMIT;
}

static void qb_text(qb_t *q, const char *s)
{
    if (q->n < QB_MAX_BINDS)
        q->b[q->n++] = (struct qb_bind){true, 0, s};
    else
        q->sql.err = WW_ELIMIT;
}

static int qb_prepare(ww_store_t *st, qb_t *q, sqlite3_stmt **out, ww_diag_t *diag,
                      const char *what)
{
    if (q->sql.err) {
        ww_diag_set(diag, st->path, 0, 0, "triage: %s: query too large", what);
        return q->sql.err;
    }
    if (sqlite3_prepare_v2(st->db, q->sql.p, -1, out, NULL) != SQLITE_OK)
        return db_fail(st, diag, what);
    for (int i = 0; i < q->n; i++) {
        if (q->b[i].text)
            sqlite3_bind_text(*out, i + 1, q->b[i].s, -1, SQLITE_STATIC);
        else
            sqlite3_bind_int64(*out, i + 1, q->b[i].i);
    }
    return 0;
}

/* A host pattern (* and ?) as a LIKE pattern with '\' as its escape. */
static void like_of_glob(const char *g, char *out, size_t n)
{
    size_t o = 0;
    for (; *g && o + 3 < n; g++) {
        if (*g == '*')
            out[o++] = '%';
        else if (*g == '?')
            out[o++] = '_';
        else {
            if (*g == '%' || *g == '_' || *g == '\\')
                out[o++] = '\\';
            out[o++] = *g;
        }
    }
    out[o] = 0;
}

int ww_triage_filter_check(const ww_triage_filter_t *f, ww_diag_t *diag)
{
    const struct {
        const char *name, *v;
    } pats[] = {{"host", f->host},
                {"rule", f->rule},
                {"technique", f->technique},
                {"segment", f->segment},
                {"group rule", f->group_rule},
                {"group host", f->group_host}};
    for (size_t i = 0; i < WW_ARRAY_LEN(pats); i++) {
        if (!pats[i].v)
            continue;
        if (strlen(pats[i].v) > WW_TRIAGE_PATTERN_MAX) {
            ww_diag_set(diag, "", 0, 0, "filter %s: longer than %d bytes", pats[i].name,
                        WW_TRIAGE_PATTERN_MAX);
            return WW_EINVAL;
        }
        if (has_control(pats[i].v)) {
            ww_diag_set(diag, "", 0, 0, "filter %s: control characters are not allowed",
                        pats[i].name);
            return WW_EINVAL;
        }
    }
    if (f->technique && f->technique[0]) {
        const char *t = f->technique;
        bool ok = (t[0] == 'T' || t[0] == 't') && isdigit((unsigned char)t[1]);
        for (const char *p = t + 1; ok && *p; p++)
            ok = isdigit((unsigned char)*p) || *p == '.';
        if (!ok) {
            ww_diag_set(diag, "", 0, 0,
                        "filter technique: expected an ATT&CK id such as T1110 or T1110.001");
            return WW_EINVAL;
        }
    }
    if (f->max_priority < 0 || f->max_priority > 5) {
        ww_diag_set(diag, "", 0, 0, "filter priority: expected 1 to 5");
        return WW_EINVAL;
    }
    if (f->min_level < 0 || f->min_level > 4) {
        ww_diag_set(diag, "", 0, 0, "filter level: expected informational to critical");
        return WW_EINVAL;
    }
    if (f->min_criticality < 0 || f->min_criticality > WW_CRIT_CRITICAL) {
        ww_diag_set(diag, "", 0, 0, "filter criticality: expected none to critical");
        return WW_EINVAL;
    }
    if (f->statuses >= (1u << WW_ALERT_NSTATUS)) {
        ww_diag_set(diag, "", 0, 0, "filter status: unknown status");
        return WW_EINVAL;
    }
    if (!!f->group_rule != !!f->group_host) {
        ww_diag_set(diag, "", 0, 0, "filter group: needs both the rule and the host");
        return WW_EINVAL;
    }
    return 0;
}

/* The statuses as the summary knows them: all, or the open ones. */
static unsigned status_set(const ww_triage_filter_t *f)
{
    unsigned all = (1u << WW_ALERT_NSTATUS) - 1;
    return f->statuses & all ? f->statuses & all : all;
}

/* True when the group list can be read from the summary (alert_group): no time, and
 * all statuses or the open ones.  Anything else reads the alerts themselves. */
static bool summary_will_do(const ww_triage_filter_t *f)
{
    unsigned st = status_set(f);
    return f->since == WW_TIME_NONE && f->until == WW_TIME_NONE &&
           (st == (1u << WW_ALERT_NSTATUS) - 1 || st == WW_ALERT_OPEN);
}

static void add_and(qb_t *q, bool *first)
{
    ww_buf_puts(&q->sql, *first ? " WHERE " : " AND ");
    *first = false;
}

enum where_mode {
    W_ALERTS,  /* the alert list: every filter on each alert */
    W_GROUPED, /* alerts to be grouped: level and priority go to HAVING */
    W_SUMMARY, /* alert_group: status is the caller's; priority is pcol */
};

/* The WHERE clause of a filter.  Rule, host, technique, segment and criticality have
 * the same names in alert and alert_group; level and priority choose groups (the
 * highest level, the most urgent priority), status and time choose alerts. */
static void where(qb_t *q, const ww_triage_filter_t *f, int mode, const char *pcol)
{
    bool first = true;
    ww_buf_t *s = &q->sql;
    if (mode == W_SUMMARY) {
        /* Without a filter on what a group is, the list's index gives the page in
           order; with one, reading the table and sorting what it keeps costs less
           than looking every group of the index up ("+" keeps SQLite off it). */
        bool narrowed = (f->host && f->host[0]) || (f->rule && f->rule[0]) ||
                        (f->technique && f->technique[0]) || (f->segment && f->segment[0]) ||
                        f->min_criticality > 0 || f->min_level > 0 || f->group_rule;
        add_and(q, &first);
        ww_buf_printf(s, "%s%s > 0", narrowed ? "+" : "",
                      status_set(f) == WW_ALERT_OPEN ? "open_n" : "n");
    }
    if (f->group_rule && f->group_host) {
        add_and(q, &first);
        ww_buf_puts(s, "rule_id = ? AND host = ?");
        qb_text(q, f->group_rule);
        qb_text(q, f->group_host);
    }
    if (mode != W_SUMMARY && f->since != WW_TIME_NONE) {
        add_and(q, &first);
        ww_buf_puts(s, "ts >= ?");
        qb_int(q, f->since);
    }
    if (mode != W_SUMMARY && f->until != WW_TIME_NONE) {
        add_and(q, &first);
        ww_buf_puts(s, "ts <= ?");
        qb_int(q, f->until);
    }
    if (mode != W_GROUPED && f->min_level > 0) {
        add_and(q, &first);
        ww_buf_puts(s, "level >= ?");
        qb_int(q, f->min_level);
    }
    if (mode != W_GROUPED && f->max_priority > 0 && f->max_priority < 5) {
        add_and(q, &first);
        ww_buf_printf(s, "%s <= ?", pcol);
        qb_int(q, f->max_priority);
    }
    if (f->host && f->host[0]) {
        add_and(q, &first);
        like_of_glob(f->host, q->host, sizeof q->host);
        ww_buf_puts(s, "host LIKE ? ESCAPE '\\'");
        qb_text(q, q->host);
    }
    if (f->rule && f->rule[0]) {
        add_and(q, &first);
        ww_buf_puts(s, "(rule_id = ? COLLATE NOCASE OR instr(lower(rule_title), lower(?)) > 0)");
        qb_text(q, f->rule);
        qb_text(q, f->rule);
    }
    if (f->technique && f->technique[0]) {
        /* In a comma-separated list: the technique itself, or one of its
           sub-techniques.  The id was checked: no LIKE wildcard in it. */
        add_and(q, &first);
        snprintf(q->tech[0], sizeof q->tech[0], "%%,%s,%%", f->technique);
        snprintf(q->tech[1], sizeof q->tech[1], "%%,%s.%%", f->technique);
        ww_buf_puts(s, "(',' || techniques || ',' LIKE ? OR ',' || techniques || ',' LIKE ?)");
        qb_text(q, q->tech[0]);
        qb_text(q, q->tech[1]);
    }
    if (f->segment && f->segment[0]) {
        add_and(q, &first);
        ww_buf_puts(s, "segment = ? COLLATE NOCASE");
        qb_text(q, f->segment);
    }
    if (f->min_criticality > 0) {
        add_and(q, &first);
        ww_buf_puts(s, "criticality >= ?");
        qb_int(q, f->min_criticality);
    }
    unsigned set = status_set(f);
    if (mode != W_SUMMARY && set != (1u << WW_ALERT_NSTATUS) - 1) {
        add_and(q, &first);
        ww_buf_puts(s, "status IN (");
        bool comma = false;
        for (int i = 0; i < WW_ALERT_NSTATUS; i++)
            if (set & (1u << i)) {
                ww_buf_printf(s, "%s%d", comma ? "," : "", i);
                comma = true;
            }
        ww_buf_putc(s, ')');
    }
}

/* Level and priority of grouped alerts: the group's highest and most urgent. */
static void having(qb_t *q, const ww_triage_filter_t *f)
{
    bool first = true;
    if (f->min_level > 0) {
        ww_buf_puts(&q->sql, " HAVING max(level) >= ?");
        qb_int(q, f->min_level);
        first = false;
    }
    if (f->max_priority > 0 && f->max_priority < 5) {
        ww_buf_puts(&q->sql, first ? " HAVING min(priority) <= ?" : " AND min(priority) <= ?");
        qb_int(q, f->max_priority);
    }
}

static uint32_t page_size(uint32_t limit)
{
    return limit == 0 || limit > WW_TRIAGE_MAX_PAGE ? WW_TRIAGE_MAX_PAGE : limit;
}

/* Runs a totals query: one row of (groups, alerts). */
static int totals_of(ww_store_t *st, qb_t *q, ww_triage_totals_t *t, ww_diag_t *diag)
{
    sqlite3_stmt *s = NULL;
    int rc = qb_prepare(st, q, &s, diag, "counting alert groups");
    if (rc == 0) {
        if (sqlite3_step(s) == SQLITE_ROW) {
            t->groups = (uint64_t)sqlite3_column_int64(s, 0);
            t->alerts = (uint64_t)sqlite3_column_int64(s, 1);
        } else {
            rc = db_fail(st, diag, "counting alert groups");
        }
    }
    sqlite3_finalize(s);
    ww_buf_release(&q->sql);
    return rc;
}

/* The page from alert_group: rows in the order of one of its indexes, so the first
 * page costs as much with a million groups as with ten. */
static int groups_summary(ww_store_t *st, const ww_triage_filter_t *f, ww_alert_group_fn fn,
                          void *ud, ww_triage_totals_t *totals, ww_diag_t *diag)
{
    bool open = status_set(f) == WW_ALERT_OPEN;
    const char *n = open ? "open_n" : "n", *p = open ? "open_priority" : "priority";
    qb_t q;
    qb_init(&q);
    ww_buf_printf(&q.sql,
                  "SELECT rule_id, rule_title, host, %s, %s, %s, %s, level, segment, criticality,"
                  " techniques, n_new, n_ack, %s FROM alert_group",
                  n, open ? "open_first" : "first_seen", open ? "open_last" : "last_seen", p,
                  open ? "0, 0, 0" : "n_fp, n_closed, n_escalated");
    where(&q, f, W_SUMMARY, p);
    ww_buf_printf(&q.sql, " ORDER BY %s, %s DESC, rule_id, host LIMIT ? OFFSET ?", p,
                  open ? "open_last" : "last_seen");
    qb_int(&q, page_size(f->limit));
    qb_int(&q, f->offset);
    sqlite3_stmt *s = NULL;
    int rc = qb_prepare(st, &q, &s, diag, "listing alert groups");
    if (rc)
        goto out;
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        ww_alert_group_t g = {0};
        g.rule_id = col_text(s, 0);
        g.rule_title = col_text(s, 1);
        g.host = col_text(s, 2);
        g.count = (uint64_t)sqlite3_column_int64(s, 3);
        g.first_seen = sqlite3_column_int64(s, 4);
        g.last_seen = sqlite3_column_int64(s, 5);
        g.priority = sqlite3_column_int(s, 6);
        g.level = sqlite3_column_int(s, 7);
        g.segment = col_text(s, 8);
        g.criticality = sqlite3_column_int(s, 9);
        g.techniques = col_text(s, 10);
        for (int i = 0; i < WW_ALERT_NSTATUS; i++)
            g.by_status[i] = (uint64_t)sqlite3_column_int64(s, 11 + i);
        if ((rc = fn(ud, &g)) != 0)
            goto out;
    }
    if (step != SQLITE_DONE) {
        rc = db_fail(st, diag, "listing alert groups");
        goto out;
    }
    if (totals) {
        qb_t t;
        qb_init(&t);
        if (open && !(f->host && f->host[0]) && !(f->rule && f->rule[0]) &&
            !(f->technique && f->technique[0]) && !(f->segment && f->segment[0]) &&
            f->min_criticality <= 0 && f->min_level <= 0) {
            /* The open list, at most by priority: the five rows alert_open keeps. */
            ww_buf_puts(&t.sql, "SELECT coalesce(sum(groups), 0), coalesce(sum(alerts), 0)"
                                " FROM alert_open WHERE priority <= ?");
            qb_int(&t, f->max_priority > 0 ? f->max_priority : 5);
        } else {
            ww_buf_printf(&t.sql, "SELECT count(*), coalesce(sum(%s), 0) FROM alert_group", n);
            where(&t, f, W_SUMMARY, p);
        }
        rc = totals_of(st, &t, totals, diag);
    }
out:
    sqlite3_finalize(s);
    ww_buf_release(&q.sql);
    return rc;
}

/* The page from the alerts themselves (a time window, or a set of statuses the summary
 * does not keep): grouped here, through the time or status index. */
static int groups_rows(ww_store_t *st, const ww_triage_filter_t *f, ww_alert_group_fn fn, void *ud,
                       ww_triage_totals_t *totals, ww_diag_t *diag)
{
    qb_t q;
    qb_init(&q);
    ww_buf_puts(&q.sql, "SELECT rule_id, max(rule_title), host, count(*),"
                        " min(coalesce(ts, received)), max(coalesce(ts, received)),"
                        " min(priority), max(level), max(segment), max(criticality),"
                        " max(techniques),");
    for (int i = 0; i < WW_ALERT_NSTATUS; i++)
        ww_buf_printf(&q.sql, " sum(status = %d),", i);
    ww_buf_puts(&q.sql, " count(*) OVER (), sum(count(*)) OVER () FROM alert");
    where(&q, f, W_GROUPED, "priority");
    ww_buf_puts(&q.sql, " GROUP BY rule_id, host");
    having(&q, f);
    ww_buf_puts(&q.sql, " ORDER BY min(priority), max(coalesce(ts, received)) DESC, rule_id, host"
                        " LIMIT ? OFFSET ?");
    qb_int(&q, page_size(f->limit));
    qb_int(&q, f->offset);
    sqlite3_stmt *s = NULL;
    ww_triage_totals_t t = {0, 0};
    bool any = false;
    int rc = qb_prepare(st, &q, &s, diag, "listing alert groups");
    if (rc)
        goto out;
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        ww_alert_group_t g = {0};
        g.rule_id = col_text(s, 0);
        g.rule_title = col_text(s, 1);
        g.host = col_text(s, 2);
        g.count = (uint64_t)sqlite3_column_int64(s, 3);
        g.first_seen = sqlite3_column_int64(s, 4);
        g.last_seen = sqlite3_column_int64(s, 5);
        g.priority = sqlite3_column_int(s, 6);
        g.level = sqlite3_column_int(s, 7);
        g.segment = col_text(s, 8);
        g.criticality = sqlite3_column_int(s, 9);
        g.techniques = col_text(s, 10);
        for (int i = 0; i < WW_ALERT_NSTATUS; i++)
            g.by_status[i] = (uint64_t)sqlite3_column_int64(s, 11 + i);
        t.groups = (uint64_t)sqlite3_column_int64(s, 11 + WW_ALERT_NSTATUS);
        t.alerts = (uint64_t)sqlite3_column_int64(s, 12 + WW_ALERT_NSTATUS);
        any = true;
        if ((rc = fn(ud, &g)) != 0)
            goto out;
    }
    if (step != SQLITE_DONE) {
        rc = db_fail(st, diag, "listing alert groups");
        goto out;
    }
    if (!any && f->offset && totals) {
        /* A page past the end: no row carried the totals. */
        qb_t c;
        qb_init(&c);
        ww_buf_puts(&c.sql, "SELECT count(*), coalesce(sum(c), 0) FROM (SELECT count(*) AS c"
                            " FROM alert");
        where(&c, f, W_GROUPED, "priority");
        ww_buf_puts(&c.sql, " GROUP BY rule_id, host");
        having(&c, f);
        ww_buf_puts(&c.sql, ")");
        rc = totals_of(st, &c, &t, diag);
    }
    if (rc == 0 && totals)
        *totals = t;
out:
    sqlite3_finalize(s);
    ww_buf_release(&q.sql);
    return rc;
}

int ww_triage_groups(ww_store_t *st, const ww_triage_filter_t *f, ww_alert_group_fn fn, void *ud,
                     ww_triage_totals_t *totals, ww_diag_t *diag)
{
    int rc = ww_triage_filter_check(f, diag);
    if (rc)
        return rc;
    return summary_will_do(f) ? groups_summary(st, f, fn, ud, totals, diag)
                              : groups_rows(st, f, fn, ud, totals, diag);
}

#define ALERT_COLS                                                                          \
    "id, rule_id, rule_title, level, priority, why, ts, received, host, user, src_ip,"      \
    " source, position, techniques, event, asset_id, segment, owner, criticality, exposed," \
    " status, assignee"

static void alert_of_row(sqlite3_stmt *q, ww_alert_t *a)
{
    memset(a, 0, sizeof *a);
    snprintf(a->id, sizeof a->id, "%s", col_text(q, 0));
    a->rule_id = col_text(q, 1);
    a->rule_title = col_text(q, 2);
    a->level = sqlite3_column_int(q, 3);
    a->priority = sqlite3_column_int(q, 4);
    a->why = col_text(q, 5);
    a->ts = sqlite3_column_type(q, 6) == SQLITE_NULL ? WW_TIME_NONE : sqlite3_column_int64(q, 6);
    a->received = sqlite3_column_int64(q, 7);
    a->host = col_text(q, 8);
    a->user = col_text(q, 9);
    a->src_ip = col_text(q, 10);
    a->source = col_text(q, 11);
    a->position = col_text(q, 12);
    a->techniques = col_text(q, 13);
    a->event_json = col_text(q, 14);
    a->asset_id = col_text(q, 15);
    a->segment = col_text(q, 16);
    a->owner = col_text(q, 17);
    a->criticality = sqlite3_column_int(q, 18);
    a->exposed = sqlite3_column_int(q, 19) != 0;
    a->status = sqlite3_column_int(q, 20);
    a->assignee = col_text(q, 21);
}

/* Runs a prepared alert query, calling fn per row. */
static int each_alert(ww_store_t *st, sqlite3_stmt *s, ww_alert_fn fn, void *ud, ww_diag_t *diag,
                      const char *what, uint64_t *rows)
{
    int rc = 0, step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        ww_alert_t a;
        alert_of_row(s, &a);
        if (rows)
            (*rows)++;
        if ((rc = fn(ud, &a)) != 0)
            return rc;
    }
    return step == SQLITE_DONE ? 0 : db_fail(st, diag, what);
}

int ww_triage_alerts(ww_store_t *st, const ww_triage_filter_t *f, ww_alert_fn fn, void *ud,
                     ww_triage_totals_t *totals, ww_diag_t *diag)
{
    int rc = ww_triage_filter_check(f, diag);
    if (rc)
        return rc;
    qb_t q;
    qb_init(&q);
    ww_buf_puts(&q.sql, "SELECT " ALERT_COLS " FROM alert");
    where(&q, f, W_ALERTS, "priority");
    /* Orders an index gives without sorting: (rule_id, host, ts) for one group,
       (ts, received) for the rest; rowid breaks ties as the index does. */
    ww_buf_puts(&q.sql, f->group_rule ? " ORDER BY ts DESC, rowid DESC LIMIT ? OFFSET ?"
                                      : " ORDER BY ts DESC, received DESC, rowid DESC"
                                        " LIMIT ? OFFSET ?");
    qb_int(&q, page_size(f->limit));
    qb_int(&q, f->offset);
    sqlite3_stmt *s = NULL, *c = NULL;
    if ((rc = qb_prepare(st, &q, &s, diag, "listing alerts")) != 0)
        goto out;
    if ((rc = each_alert(st, s, fn, ud, diag, "listing alerts", NULL)) != 0)
        goto out;
    if (totals) {
        qb_t t;
        qb_init(&t);
        ww_buf_puts(&t.sql, "SELECT count(*) FROM alert");
        where(&t, f, W_ALERTS, "priority");
        rc = qb_prepare(st, &t, &c, diag, "counting alerts");
        if (rc == 0 && sqlite3_step(c) == SQLITE_ROW)
            *totals = (ww_triage_totals_t){0, (uint64_t)sqlite3_column_int64(c, 0)};
        else if (rc == 0)
            rc = db_fail(st, diag, "counting alerts");
        ww_buf_release(&t.sql);
    }
out:
    sqlite3_finalize(s);
    sqlite3_finalize(c);
    ww_buf_release(&q.sql);
    return rc;
}

int ww_triage_alert(ww_store_t *st, const char *id, ww_alert_fn fn, void *ud, ww_diag_t *diag)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, "SELECT " ALERT_COLS " FROM alert WHERE id = ?", -1, &s, NULL) !=
        SQLITE_OK)
        return db_fail(st, diag, "reading an alert");
    sqlite3_bind_text(s, 1, nz(id), -1, SQLITE_STATIC);
    uint64_t n = 0;
    int rc = each_alert(st, s, fn, ud, diag, "reading an alert", &n);
    sqlite3_finalize(s);
    if (rc == 0 && n == 0) {
        ww_diag_set(diag, "", 0, 0, "no alert with this id");
        rc = WW_ENOENT;
    }
    return rc;
}

int ww_triage_related(ww_store_t *st, const ww_alert_t *a, uint32_t limit, ww_alert_fn fn, void *ud,
                      ww_diag_t *diag)
{
    if (limit == 0 || limit > 100)
        limit = 100;
    /* One branch per shared value, each newest first from its own (value, ts) index
       and cut at the limit, so a host with a million alerts costs no more than one
       with ten. */
    const struct {
        const char *col, *v;
    } keys[] = {{"host", a->host}, {"user", a->user}, {"src_ip", a->src_ip}};
    qb_t q;
    qb_init(&q);
    ww_buf_puts(&q.sql, "SELECT " ALERT_COLS " FROM alert WHERE rowid IN (");
    bool any = false;
    for (size_t i = 0; i < WW_ARRAY_LEN(keys); i++) {
        if (!keys[i].v || !keys[i].v[0] || strcmp(keys[i].v, "-") == 0)
            continue;
        ww_buf_printf(&q.sql,
                      "%sSELECT * FROM (SELECT rowid FROM alert WHERE %s = ? AND id <> ?"
                      " ORDER BY ts DESC LIMIT %u)",
                      any ? " UNION " : "", keys[i].col, limit);
        qb_text(&q, keys[i].v);
        qb_text(&q, a->id);
        any = true;
    }
    int rc = 0;
    sqlite3_stmt *s = NULL;
    if (!any)
        goto out;
    ww_buf_printf(&q.sql, ") ORDER BY ts DESC, rowid DESC LIMIT %u", limit);
    if ((rc = qb_prepare(st, &q, &s, diag, "finding related alerts")) != 0)
        goto out;
    rc = each_alert(st, s, fn, ud, diag, "finding related alerts", NULL);
out:
    sqlite3_finalize(s);
    ww_buf_release(&q.sql);
    return rc;
}

int ww_triage_history(ww_store_t *st, const char *alert_id, ww_alert_change_fn fn, void *ud,
                      ww_diag_t *diag)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT alert_id, at, actor, action, old_status, new_status, assignee,"
                           " reason FROM alert_history WHERE alert_id = ? ORDER BY at, rowid",
                           -1, &s, NULL) != SQLITE_OK)
        return db_fail(st, diag, "reading an alert's history");
    sqlite3_bind_text(s, 1, nz(alert_id), -1, SQLITE_STATIC);
    int rc = 0, step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        ww_alert_change_t c = {
            col_text(s, 0),           sqlite3_column_int64(s, 1), col_text(s, 2), col_text(s, 3),
            sqlite3_column_int(s, 4), sqlite3_column_int(s, 5),   col_text(s, 6), col_text(s, 7)};
        if ((rc = fn(ud, &c)) != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_fail(st, diag, "reading an alert's history");
    sqlite3_finalize(s);
    return rc;
}

/* ---- bulk actions ---- */

typedef struct action_rule {
    unsigned from; /* statuses it applies to */
    int to;        /* -1: status kept */
    bool needs_reason, needs_assignee;
} action_rule_t;

static const action_rule_t action_rules[WW_TRIAGE_NACTIONS] = {
    [WW_TRIAGE_ACK] = {1u << WW_ALERT_NEW, WW_ALERT_ACKNOWLEDGED, true, false},
    [WW_TRIAGE_ASSIGN] = {WW_ALERT_OPEN, -1, false, true},
    [WW_TRIAGE_CLOSE_FP] = {WW_ALERT_OPEN, WW_ALERT_CLOSED_FP, true, false},
    [WW_TRIAGE_CLOSE] = {WW_ALERT_OPEN, WW_ALERT_CLOSED, false, false},
    [WW_TRIAGE_ESCALATE] = {WW_ALERT_OPEN, WW_ALERT_ESCALATED, false, false},
    [WW_TRIAGE_REOPEN] = {(1u << WW_ALERT_CLOSED_FP) | (1u << WW_ALERT_CLOSED), WW_ALERT_NEW, false,
                          false},
};

static bool blank(const char *s)
{
    for (; s && *s; s++)
        if (!isspace((unsigned char)*s))
            return false;
    return true;
}

static int check_request(const ww_triage_request_t *rq, const ww_alert_sel_t *sel, ww_diag_t *diag)
{
    if (rq->action < 0 || rq->action >= WW_TRIAGE_NACTIONS) {
        ww_diag_set(diag, "", 0, 0, "unknown action");
        return WW_EINVAL;
    }
    const action_rule_t *r = &action_rules[rq->action];
    if (blank(rq->actor) || strlen(rq->actor) > WW_TRIAGE_NAME_MAX) {
        ww_diag_set(diag, "", 0, 0, "%s: who is acting is not known", action_names[rq->action]);
        return WW_EINVAL;
    }
    if (r->needs_reason && blank(rq->reason)) {
        ww_diag_set(diag, "", 0, 0, "%s: a reason is required", action_names[rq->action]);
        return WW_EINVAL;
    }
    if (rq->reason && strlen(rq->reason) > WW_TRIAGE_REASON_MAX) {
        ww_diag_set(diag, "", 0, 0, "%s: the reason is longer than %d bytes",
                    action_names[rq->action], WW_TRIAGE_REASON_MAX);
        return WW_EINVAL;
    }
    if (r->needs_assignee && (blank(rq->assignee) || strlen(rq->assignee) > WW_TRIAGE_NAME_MAX ||
                              has_control(rq->assignee))) {
        ww_diag_set(diag, "", 0, 0, "assign: name the person (up to %d bytes)", WW_TRIAGE_NAME_MAX);
        return WW_EINVAL;
    }
    if (sel->nids + sel->ngroups == 0) {
        ww_diag_set(diag, "", 0, 0, "%s: no alerts selected", action_names[rq->action]);
        return WW_EINVAL;
    }
    if (sel->nids > WW_TRIAGE_MAX_IDS || sel->ngroups > WW_TRIAGE_MAX_GROUPS) {
        ww_diag_set(diag, "", 0, 0,
                    "%s: at most %d alerts and %d groups at once (select whole groups)",
                    action_names[rq->action], WW_TRIAGE_MAX_IDS, WW_TRIAGE_MAX_GROUPS);
        return WW_EINVAL;
    }
    for (uint32_t i = 0; i < sel->ngroups; i++)
        if (!sel->groups[i].rule_id || !sel->groups[i].host) {
            ww_diag_set(diag, "", 0, 0, "%s: group %u needs a rule and a host",
                        action_names[rq->action], i + 1);
            return WW_EINVAL;
        }
    return 0;
}

static int run(ww_store_t *st, const char *sql, ww_diag_t *diag)
{
    return ww_store_exec(st, sql, diag);
}

/* Puts the selection's rowids in temp.ww_triage_sel; counts ids with no alert. */
static int select_alerts(ww_store_t *st, const ww_alert_sel_t *sel, uint32_t *unknown,
                         ww_diag_t *diag)
{
    int rc = 0;
    sqlite3_stmt *byid = NULL, *bygroup = NULL;
    if ((rc = run(st,
                  "CREATE TEMP TABLE IF NOT EXISTS ww_triage_sel(r INTEGER PRIMARY KEY);"
                  "DELETE FROM temp.ww_triage_sel;",
                  diag)) != 0)
        return rc;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT OR IGNORE INTO temp.ww_triage_sel"
                           " SELECT rowid FROM alert WHERE id = ?",
                           -1, &byid, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db,
                           "INSERT OR IGNORE INTO temp.ww_triage_sel"
                           " SELECT rowid FROM alert WHERE rule_id = ? AND host = ?",
                           -1, &bygroup, NULL) != SQLITE_OK) {
        rc = db_fail(st, diag, "selecting alerts");
        goto out;
    }
    for (uint32_t i = 0; i < sel->nids; i++) {
        sqlite3_reset(byid);
        sqlite3_bind_text(byid, 1, nz(sel->ids[i]), -1, SQLITE_STATIC);
        if (sqlite3_step(byid) != SQLITE_DONE) {
            rc = db_fail(st, diag, "selecting alerts");
            goto out;
        }
        /* No row inserted: unknown, or named twice (then it is selected already). */
        if (sqlite3_changes(st->db) == 0) {
            sqlite3_stmt *e = NULL;
            sqlite3_prepare_v2(st->db, "SELECT 1 FROM alert WHERE id = ?", -1, &e, NULL);
            sqlite3_bind_text(e, 1, nz(sel->ids[i]), -1, SQLITE_STATIC);
            if (sqlite3_step(e) != SQLITE_ROW)
                (*unknown)++;
            sqlite3_finalize(e);
        }
    }
    for (uint32_t i = 0; i < sel->ngroups; i++) {
        sqlite3_reset(bygroup);
        sqlite3_bind_text(bygroup, 1, sel->groups[i].rule_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(bygroup, 2, sel->groups[i].host, -1, SQLITE_STATIC);
        if (sqlite3_step(bygroup) != SQLITE_DONE) {
            rc = db_fail(st, diag, "selecting alerts");
            goto out;
        }
    }
out:
    sqlite3_finalize(byid);
    sqlite3_finalize(bygroup);
    return rc;
}

static int64_t single_int(ww_store_t *st, const char *sql)
{
    sqlite3_stmt *s = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

/* Counts the groups whose (rule_id, host) are in `which` (a subquery) again from
 * their alerts. */
static int recount(ww_store_t *st, const char *which, ww_diag_t *diag)
{
    char sql[2048];
    snprintf(sql, sizeof sql,
             "UPDATE alert_group SET (n, first_seen, last_seen, priority, open_n,"
             " open_first, open_last, open_priority, n_new, n_ack, n_fp, n_closed,"
             " n_escalated) = (SELECT count(*), min(coalesce(ts, received)),"
             " max(coalesce(ts, received)), min(priority), sum(status IN (0, 1)),"
             " min(CASE WHEN status IN (0, 1) THEN coalesce(ts, received) END),"
             " max(CASE WHEN status IN (0, 1) THEN coalesce(ts, received) END),"
             " min(CASE WHEN status IN (0, 1) THEN priority END), sum(status = 0),"
             " sum(status = 1), sum(status = 2), sum(status = 3), sum(status = 4)"
             " FROM alert a WHERE a.rule_id = alert_group.rule_id"
             " AND a.host = alert_group.host)%s%s",
             which ? " WHERE (rule_id, host) IN " : "", which ? which : "");
    return run(st, sql, diag);
}

int ww_triage_recount(ww_store_t *st, ww_diag_t *diag)
{
    return recount(st, NULL, diag);
}

int ww_triage_act(ww_store_t *st, const ww_triage_request_t *rq, const ww_alert_sel_t *sel,
                  ww_triage_result_t *res, ww_diag_t *diag)
{
    int rc = check_request(rq, sel, diag);
    if (rc)
        return rc;
    const action_rule_t *r = &action_rules[rq->action];
    bool own_tx = sqlite3_get_autocommit(st->db) != 0;
    if (own_tx && (rc = run(st, "BEGIN IMMEDIATE", diag)) != 0)
        return rc;
    ww_triage_result_t out = {0};
    sqlite3_stmt *h = NULL, *u = NULL;
    if ((rc = select_alerts(st, sel, &out.unknown, diag)) != 0)
        goto out;
    int64_t n = single_int(st, "SELECT count(*) FROM temp.ww_triage_sel");
    if (n < 0) {
        rc = db_fail(st, diag, "selecting alerts");
        goto out;
    }
    out.selected = (uint64_t)n;
    char from[32] = "";
    size_t fl = 0;
    for (int i = 0; i < WW_ALERT_NSTATUS; i++)
        if (r->from & (1u << i))
            fl += (size_t)snprintf(from + fl, sizeof from - fl, "%s%d", fl ? "," : "", i);
    char sql[1024];
    snprintf(sql, sizeof sql,
             "INSERT INTO alert_history(alert_id, at, actor, action, old_status, new_status,"
             " assignee, reason) SELECT id, ?1, ?2, ?3, status, %s, %s, ?5 FROM alert"
             " WHERE rowid IN (SELECT r FROM temp.ww_triage_sel) AND status IN (%s)",
             r->to >= 0 ? "?4" : "status", r->needs_assignee ? "?6" : "assignee", from);
    if (sqlite3_prepare_v2(st->db, sql, -1, &h, NULL) != SQLITE_OK) {
        rc = db_fail(st, diag, "recording the history");
        goto out;
    }
    sqlite3_bind_int64(h, 1, rq->now);
    sqlite3_bind_text(h, 2, rq->actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(h, 3, action_names[rq->action], -1, SQLITE_STATIC);
    sqlite3_bind_int(h, 4, r->to);
    sqlite3_bind_text(h, 5, nz(rq->reason), -1, SQLITE_STATIC);
    sqlite3_bind_text(h, 6, nz(rq->assignee), -1, SQLITE_STATIC);
    if (sqlite3_step(h) != SQLITE_DONE) {
        rc = db_fail(st, diag, "recording the history");
        goto out;
    }
    out.changed = (uint64_t)sqlite3_changes(st->db);
    out.skipped = out.selected - out.changed;
    snprintf(sql, sizeof sql,
             "UPDATE alert SET %s WHERE rowid IN (SELECT r FROM temp.ww_triage_sel)"
             " AND status IN (%s)",
             r->to >= 0 ? "status = ?1" : "assignee = ?2", from);
    if (sqlite3_prepare_v2(st->db, sql, -1, &u, NULL) != SQLITE_OK) {
        rc = db_fail(st, diag, "changing alerts");
        goto out;
    }
    sqlite3_bind_int(u, 1, r->to);
    sqlite3_bind_text(u, 2, nz(rq->assignee), -1, SQLITE_STATIC);
    if (sqlite3_step(u) != SQLITE_DONE) {
        rc = db_fail(st, diag, "changing alerts");
        goto out;
    }
    /* The groups the changed alerts are in: counted again from their alerts (the
       group index, one group at a time), as a trigger cannot take a minimum back. */
    if (r->to >= 0 && out.changed &&
        (rc = recount(st,
                      "(SELECT DISTINCT rule_id, host FROM alert"
                      " WHERE rowid IN (SELECT r FROM temp.ww_triage_sel))",
                      diag)) != 0)
        goto out;
    if (own_tx && (rc = run(st, "COMMIT", diag)) != 0)
        goto out;
    if (res)
        *res = out;
out:
    sqlite3_finalize(h);
    sqlite3_finalize(u);
    if (rc && own_tx)
        ww_store_rollback(st);
    return rc;
}

/* ---- suppressions ---- */

static int check_value(const char *what, const char *v, size_t max, ww_diag_t *diag)
{
    if (strlen(v) > max) {
        ww_diag_set(diag, "", 0, 0, "suppression %s: longer than %zu bytes", what, max);
        return WW_EINVAL;
    }
    if (has_control(v)) {
        ww_diag_set(diag, "", 0, 0, "suppression %s: control characters are not allowed", what);
        return WW_EINVAL;
    }
    return 0;
}

static int check_suppression(const ww_suppression_t *s, int64_t now, ww_diag_t *diag)
{
    const char *host = nz(s->host), *user = nz(s->user), *field = nz(s->field);
    int rc;
    if (blank(s->rule_id)) {
        ww_diag_set(diag, "", 0, 0, "suppression: the rule is required");
        return WW_EINVAL;
    }
    if (!host[0] && !user[0] && !field[0]) {
        ww_diag_set(diag, "", 0, 0,
                    "suppression: give a host, a user or a field value as well as the rule"
                    " (a rule alone is not an exception: turn the rule off instead)");
        return WW_EINVAL;
    }
    if (field[0] && !nz(s->value)[0]) {
        ww_diag_set(diag, "", 0, 0, "suppression: field %.64s needs a value", field);
        return WW_EINVAL;
    }
    if (!field[0] && nz(s->value)[0]) {
        ww_diag_set(diag, "", 0, 0, "suppression: a value needs the field it is in");
        return WW_EINVAL;
    }
    for (const char *p = field; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("_.-:/@", *p)) {
            ww_diag_set(diag, "", 0, 0, "suppression field: letters, digits and _ . - : / @ only");
            return WW_EINVAL;
        }
    if ((rc = check_value("rule", s->rule_id, WW_SUPPRESS_VALUE_MAX, diag)) ||
        (rc = check_value("host", host, WW_SUPPRESS_VALUE_MAX, diag)) ||
        (rc = check_value("user", user, WW_SUPPRESS_VALUE_MAX, diag)) ||
        (rc = check_value("field", field, WW_SUPPRESS_VALUE_MAX, diag)) ||
        (rc = check_value("value", nz(s->value), WW_SUPPRESS_VALUE_MAX, diag)) ||
        (rc = check_value("reason", nz(s->reason), WW_TRIAGE_REASON_MAX, diag)) ||
        (rc = check_value("author", nz(s->created_by), WW_TRIAGE_NAME_MAX, diag)))
        return rc;
    if (blank(s->reason)) {
        ww_diag_set(diag, "", 0, 0, "suppression: a reason is required");
        return WW_EINVAL;
    }
    if (blank(s->created_by)) {
        ww_diag_set(diag, "", 0, 0, "suppression: who made it is not known");
        return WW_EINVAL;
    }
    if (s->expires <= now) {
        ww_diag_set(diag, "", 0, 0, "suppression: the expiry must be in the future");
        return WW_EINVAL;
    }
    if (s->expires - now > (int64_t)WW_SUPPRESS_MAX_DAYS * 86400) {
        ww_diag_set(diag, "", 0, 0, "suppression: the expiry is more than %d days ahead",
                    WW_SUPPRESS_MAX_DAYS);
        return WW_EINVAL;
    }
    return 0;
}

int ww_suppress_add(ww_store_t *st, const ww_suppression_t *s, int64_t now, int64_t *id,
                    ww_diag_t *diag)
{
    int rc = check_suppression(s, now, diag);
    if (rc)
        return rc;
    sqlite3_stmt *c = NULL, *q = NULL;
    if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM suppression WHERE expires > ?", -1, &c,
                           NULL) != SQLITE_OK)
        return db_fail(st, diag, "counting suppressions");
    sqlite3_bind_int64(c, 1, now);
    if (sqlite3_step(c) != SQLITE_ROW) {
        rc = db_fail(st, diag, "counting suppressions");
        goto out;
    }
    if (sqlite3_column_int64(c, 0) >= WW_SUPPRESS_MAX_LIVE) {
        ww_diag_set(diag, "", 0, 0, "suppression: already %d live suppressions; remove some first",
                    WW_SUPPRESS_MAX_LIVE);
        rc = WW_ELIMIT;
        goto out;
    }
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO suppression(rule_id, host, user, field, value, reason,"
                           " created, created_by, expires) VALUES(?,?,?,?,?,?,?,?,?)",
                           -1, &q, NULL) != SQLITE_OK) {
        rc = db_fail(st, diag, "adding a suppression");
        goto out;
    }
    const char *text[] = {s->rule_id, s->host, s->user, s->field, s->value, s->reason};
    for (int i = 0; i < 6; i++)
        sqlite3_bind_text(q, i + 1, nz(text[i]), -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 7, now);
    sqlite3_bind_text(q, 8, s->created_by, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 9, s->expires);
    if (sqlite3_step(q) != SQLITE_DONE) {
        rc = db_fail(st, diag, "adding a suppression");
        goto out;
    }
    if (id)
        *id = sqlite3_last_insert_rowid(st->db);
out:
    sqlite3_finalize(c);
    sqlite3_finalize(q);
    return rc;
}

int ww_suppress_remove(ww_store_t *st, int64_t id, ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, "DELETE FROM suppression WHERE id = ?", -1, &q, NULL) !=
        SQLITE_OK)
        return db_fail(st, diag, "removing a suppression");
    sqlite3_bind_int64(q, 1, id);
    int rc = sqlite3_step(q) == SQLITE_DONE ? (sqlite3_changes(st->db) > 0)
                                            : db_fail(st, diag, "removing a suppression");
    sqlite3_finalize(q);
    return rc;
}

#define SUPP_COLS                                                                        \
    "id, rule_id, host, user, field, value, reason, created_by, created, expires, hits," \
    " last_hit"

static int each_suppression(ww_store_t *st, sqlite3_stmt *q, ww_suppression_fn fn, void *ud,
                            ww_diag_t *diag, uint64_t *rows)
{
    int rc = 0, step;
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        ww_suppression_t s = {sqlite3_column_int64(q, 0),
                              col_text(q, 1),
                              col_text(q, 2),
                              col_text(q, 3),
                              col_text(q, 4),
                              col_text(q, 5),
                              col_text(q, 6),
                              col_text(q, 7),
                              sqlite3_column_int64(q, 8),
                              sqlite3_column_int64(q, 9),
                              (uint64_t)sqlite3_column_int64(q, 10),
                              sqlite3_column_int64(q, 11)};
        if (rows)
            (*rows)++;
        if ((rc = fn(ud, &s)) != 0)
            return rc;
    }
    return step == SQLITE_DONE ? 0 : db_fail(st, diag, "listing suppressions");
}

int ww_suppress_list(ww_store_t *st, int64_t now, bool with_expired, ww_suppression_fn fn, void *ud,
                     ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db,
                           with_expired ? "SELECT " SUPP_COLS " FROM suppression"
                                          " ORDER BY expires <= ?1, expires, id"
                                        : "SELECT " SUPP_COLS " FROM suppression WHERE expires > ?1"
                                          " ORDER BY expires, id",
                           -1, &q, NULL) != SQLITE_OK)
        return db_fail(st, diag, "listing suppressions");
    sqlite3_bind_int64(q, 1, now);
    int rc = each_suppression(st, q, fn, ud, diag, NULL);
    sqlite3_finalize(q);
    return rc;
}

int ww_suppress_get(ww_store_t *st, int64_t id, ww_suppression_fn fn, void *ud, ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, "SELECT " SUPP_COLS " FROM suppression WHERE id = ?", -1, &q,
                           NULL) != SQLITE_OK)
        return db_fail(st, diag, "reading a suppression");
    sqlite3_bind_int64(q, 1, id);
    uint64_t n = 0;
    int rc = each_suppression(st, q, fn, ud, diag, &n);
    sqlite3_finalize(q);
    if (rc == 0 && n == 0) {
        ww_diag_set(diag, "", 0, 0, "no suppression %lld", (long long)id);
        rc = WW_ENOENT;
    }
    return rc;
}

int ww_suppress_generation(ww_store_t *st, int64_t *out, ww_diag_t *diag)
{
    int64_t v = single_int(st, "SELECT value FROM alert_meta WHERE key = 'suppress_gen'");
    if (v < 0)
        return db_fail(st, diag, "reading the suppressions' generation");
    *out = v;
    return 0;
}

int ww_suppress_hit(ww_store_t *st, int64_t id, int64_t now, ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "UPDATE suppression SET hits = hits + 1, last_hit = ?2 WHERE id = ?1",
                           -1, &q, NULL) != SQLITE_OK)
        return db_fail(st, diag, "counting a suppressed alert");
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_int64(q, 2, now);
    int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : db_fail(st, diag, "counting a suppressed alert");
    sqlite3_finalize(q);
    return rc;
}

/* ---- the engine's copy ---- */

typedef struct supp_entry {
    int64_t id, expires;
    const char *rule_id, *host, *user, *field, *value;
} supp_entry_t;

struct ww_suppress_set {
    supp_entry_t *e;
    uint32_t n;
    ww_arena_t arena;
};

static int load_one(void *ud, const ww_suppression_t *s)
{
    ww_suppress_set_t *set = ud;
    if (set->n >= WW_SUPPRESS_MAX_LIVE)
        return 0; /* add refuses more; older stores may hold them: the first win */
    supp_entry_t *e = &set->e[set->n];
    e->id = s->id;
    e->expires = s->expires;
    e->rule_id = ww_arena_strdup(&set->arena, s->rule_id);
    e->host = ww_arena_strdup(&set->arena, s->host);
    e->user = ww_arena_strdup(&set->arena, s->user);
    e->field = ww_arena_strdup(&set->arena, s->field);
    e->value = ww_arena_strdup(&set->arena, s->value);
    if (!e->rule_id || !e->host || !e->user || !e->field || !e->value)
        return WW_ENOMEM;
    set->n++;
    return 0;
}

int ww_suppress_load(ww_store_t *st, int64_t now, ww_suppress_set_t **out, ww_diag_t *diag)
{
    ww_suppress_set_t *set = calloc(1, sizeof *set);
    if (!set)
        return WW_ENOMEM;
    ww_arena_init(&set->arena, 8 * 1024, 0);
    int rc = 0;
    set->e = calloc(WW_SUPPRESS_MAX_LIVE, sizeof *set->e);
    if (!set->e)
        rc = WW_ENOMEM;
    if (rc == 0)
        rc = ww_suppress_list(st, now, false, load_one, set, diag);
    if (rc) {
        ww_suppress_set_free(set);
        return rc;
    }
    *out = set;
    return 0;
}

void ww_suppress_set_free(ww_suppress_set_t *set)
{
    if (!set)
        return;
    free(set->e);
    ww_arena_release(&set->arena);
    free(set);
}

uint32_t ww_suppress_count(const ww_suppress_set_t *set)
{
    return set ? set->n : 0;
}

static bool ieq(const char *a, const char *b)
{
    return strcasecmp(nz(a), nz(b)) == 0;
}

static bool value_matches(const supp_entry_t *e, const ww_alert_t *a, const ww_event_t *ev)
{
    if (ev) {
        ww_str_t name = {e->field, strlen(e->field)};
        for (const ww_field_t *f = ww_event_get(ev, name, NULL); f; f = ww_event_get(ev, name, f))
            if (ww_str_ieq_z(f->value, e->value))
                return true;
        return false;
    }
    /* A correlation has no one event: what the alert knows stands for it. */
    if (ieq(e->field, "host"))
        return ieq(a->host, e->value);
    if (ieq(e->field, "user"))
        return ieq(a->user, e->value);
    if (ieq(e->field, "src_ip"))
        return ieq(a->src_ip, e->value);
    return false;
}

int64_t ww_suppress_match(const ww_suppress_set_t *set, const ww_alert_t *a,
                          const struct ww_event *ev, int64_t now)
{
    if (!set)
        return 0;
    for (uint32_t i = 0; i < set->n; i++) {
        const supp_entry_t *e = &set->e[i];
        if (now >= e->expires || !ieq(e->rule_id, a->rule_id))
            continue;
        if (e->host[0] && !ieq(e->host, a->host))
            continue;
        if (e->user[0] && !ieq(e->user, a->user))
            continue;
        if (e->field[0] && !value_matches(e, a, ev))
            continue;
        return e->id;
    }
    return 0;
}
