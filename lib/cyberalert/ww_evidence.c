/* The evidence pack: facts are gathered from the store's tables into one list per
 * outcome (statement, value, date, source), then written as JSON or as a single HTML
 * page with inline CSS and an inline SVG chart, which loads nothing from anywhere.
 * Every table is optional: a store where serve never ran, or that has no incident
 * module yet, says so in the pack instead of failing. */
#include "cyberalert/ww_evidence.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#define MAX_GAPS 50 /* unreported assets listed by name (the count is always given) */

typedef struct fact {
    char text[256];   /* what is true */
    char value[128];  /* the figure */
    char date[32];    /* when (ISO), or "" */
    char source[160]; /* where it comes from */
    bool gap;         /* a shortfall the reader should act on */
} fact_t;

typedef struct outcome {
    const char *id, *title;
    fact_t *f;
    size_t n, cap;
} outcome_t;

typedef struct pack {
    ww_store_t *st;
    int64_t as_of;
    char as_of_iso[32], bound_iso[40];
    outcome_t o[4];
    /* The audit runs, for the chart: day and findings by severity. */
    int64_t run_day[64];
    int64_t run_sev[64][4];
    size_t nruns;
    int err;
} pack_t;

static fact_t *add(pack_t *p, int oi, bool gap, const char *source, const char *date,
                   const char *value, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static fact_t *add(pack_t *p, int oi, bool gap, const char *source, const char *date,
                   const char *value, const char *fmt, ...)
{
    outcome_t *o = &p->o[oi];
    if (o->n == o->cap) {
        size_t nc = o->cap ? o->cap * 2 : 16;
        fact_t *nv = realloc(o->f, nc * sizeof *nv);
        if (!nv) {
            p->err = WW_ENOMEM;
            return NULL;
        }
        o->f = nv;
        o->cap = nc;
    }
    fact_t *f = &o->f[o->n++];
    memset(f, 0, sizeof *f);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->text, sizeof f->text, fmt, ap);
    va_end(ap);
    snprintf(f->value, sizeof f->value, "%s", value ? value : "");
    snprintf(f->date, sizeof f->date, "%s", date ? date : "");
    snprintf(f->source, sizeof f->source, "%s", source);
    f->gap = gap;
    return f;
}

static bool table_exists(ww_store_t *st, const char *name)
{
    sqlite3_stmt *q = NULL;
    bool yes = false;
    if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?1", -1,
                           &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
        yes = sqlite3_step(q) == SQLITE_ROW;
    }
    sqlite3_finalize(q);
    return yes;
}

static int db_fail(pack_t *p, ww_diag_t *diag, const char *what)
{
    ww_diag_set(diag, p->st->path, 0, 0, "evidence: %s: %s", what, ww_store_errmsg(p->st));
    return WW_EIO;
}

/* ---- C1.a: monitoring coverage ------------------------------------------------------ */

/* Log sources and the hosts reporting through them: serve's own record of the hosts
 * events came from (table serve_seen) when there is one, else the alerts it stored. */
static int sources(pack_t *p, bool seen, int64_t bound_ns, ww_diag_t *diag)
{
    const char *src = seen ? "hosts seen by wardwatch serve (table serve_seen)"
                           : "alerts stored by wardwatch serve (table alert)";
    sqlite3_stmt *q = NULL;
    const char *sql =
        seen ? "SELECT source, count(*), min(first_seen) FROM serve_seen WHERE first_seen <= ?2"
               " GROUP BY source ORDER BY source"
             : "SELECT source, count(DISTINCT lower(host)), min(received) / 1000000000 FROM alert"
               " WHERE received < ?1 AND host <> '' GROUP BY source ORDER BY source";
    if (sqlite3_prepare_v2(p->st->db, sql, -1, &q, NULL) != SQLITE_OK)
        return db_fail(p, diag, "reading log sources");
    sqlite3_bind_int64(q, 1, bound_ns);
    sqlite3_bind_int64(q, 2, p->as_of);
    size_t nsrc = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *s = (const char *)sqlite3_column_text(q, 0);
        char first[32], v[64];
        ww_ca_time_format(sqlite3_column_int64(q, 2), first, sizeof first);
        snprintf(v, sizeof v, "%lld hosts", (long long)sqlite3_column_int64(q, 1));
        add(p, 0, false, src, first, v,
            seen ? "Log source '%.100s': hosts sending events (first seen on the date given)"
                 : "Log source '%.100s': hosts with alerts (first alert on the date given)",
            s && *s ? s : "(unnamed)");
        nsrc++;
    }
    sqlite3_finalize(q);
    char v[32];
    snprintf(v, sizeof v, "%zu", nsrc);
    add(p, 0, nsrc == 0, src, p->as_of_iso, v, "Log sources reporting to serve");
    return p->err;
}

static int coverage(pack_t *p, ww_diag_t *diag)
{
    bool seen = table_exists(p->st, "serve_seen"), alerts = table_exists(p->st, "alert");
    int64_t bound_ns = (p->as_of + 1) * 1000000000LL;
    if (!seen && !alerts) {
        add(p, 0, true, "wardwatch serve (tables serve_seen, alert)", NULL, "0",
            "Nothing from serve is recorded in this store: monitoring coverage cannot be shown");
        return p->err;
    }
    int rc = sources(p, seen, bound_ns, diag);
    if (rc)
        return rc;
    /* Register assets seen: by hostname or by any of their addresses. */
    if (!table_exists(p->st, "asset")) {
        add(p, 0, true, "asset register (table asset)", NULL, "0",
            "No asset register in this store: coverage of assets cannot be shown");
        return p->err;
    }
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT a.asset_id, a.hostname, %s OR %s FROM asset a ORDER BY a.asset_id,"
             " a.hostname",
             seen ? "EXISTS(SELECT 1 FROM serve_seen v WHERE v.first_seen <= ?2 AND"
                    " (v.host = a.hostname AND a.hostname <> '' OR v.host IN (SELECT ip FROM"
                    " asset_ip i WHERE i.asset = a.id)))"
                  : "0",
             alerts ? "EXISTS(SELECT 1 FROM alert l WHERE l.received < ?1 AND (lower(l.host) ="
                      " lower(a.hostname) AND a.hostname <> '' OR l.host IN (SELECT ip FROM"
                      " asset_ip i WHERE i.asset = a.id) OR l.asset_id = a.asset_id AND"
                      " a.asset_id <> ''))"
                    : "0");
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(p->st->db, sql, -1, &q, NULL) != SQLITE_OK)
        return db_fail(p, diag, "reading the register");
    if (alerts)
        sqlite3_bind_int64(q, 1, bound_ns);
    if (seen)
        sqlite3_bind_int64(q, 2, p->as_of);
    size_t total = 0, nseen = 0, listed = 0;
    ww_buf_t gaps;
    ww_buf_init(&gaps, 16384);
    while (sqlite3_step(q) == SQLITE_ROW) {
        total++;
        if (sqlite3_column_int(q, 2)) {
            nseen++;
            continue;
        }
        if (listed++ < MAX_GAPS) {
            const char *id = (const char *)sqlite3_column_text(q, 0);
            const char *h = (const char *)sqlite3_column_text(q, 1);
            ww_buf_printf(&gaps, "%s%s", gaps.n ? ", " : "", id && *id ? id : h ? h : "?");
        }
    }
    sqlite3_finalize(q);
    const char *src = seen ? "asset register (tables asset, asset_ip) and table serve_seen"
                           : "asset register (tables asset, asset_ip) and table alert";
    char val[64];
    snprintf(val, sizeof val, "%zu of %zu", nseen, total);
    add(p, 0, total > 0 && nseen < total, src, p->as_of_iso, val,
        "Register assets that serve has received %s from", seen ? "events" : "alerts");
    if (total > nseen)
        add(p, 0, true, src, p->as_of_iso, "",
            "%zu register assets with nothing received by serve%s%.200s%s", total - nseen,
            gaps.n ? ": " : "", gaps.p ? gaps.p : "", listed > MAX_GAPS ? ", ..." : "");
    ww_buf_release(&gaps);
    return p->err;
}

/* ---- B4: vulnerability management --------------------------------------------------- */

static int vulnerability(pack_t *p, ww_diag_t *diag)
{
    const char *src = "wardwatch audit runs (table audit_run)";
    if (!table_exists(p->st, "audit_run")) {
        add(p, 1, true, src, NULL, "0", "No audit of the register has been run");
    } else {
        int64_t day = p->as_of / 86400;
        sqlite3_stmt *q = NULL;
        /* The latest run of each as-of day up to ours, newest last; at most 64 days. */
        if (sqlite3_prepare_v2(p->st->db,
                               "SELECT as_of_day, assets, findings, critical, high, medium, low,"
                               " auto_fail FROM audit_run WHERE id IN (SELECT max(id) FROM"
                               " audit_run WHERE as_of_day <= ?1 GROUP BY as_of_day)"
                               " ORDER BY as_of_day DESC LIMIT 64",
                               -1, &q, NULL) != SQLITE_OK)
            return db_fail(p, diag, "reading audit runs");
        sqlite3_bind_int64(q, 1, day);
        while (sqlite3_step(q) == SQLITE_ROW && p->nruns < 64) {
            size_t i = p->nruns++;
            p->run_day[i] = sqlite3_column_int64(q, 0);
            for (int k = 0; k < 4; k++)
                p->run_sev[i][k] = sqlite3_column_int64(q, 3 + k);
            if (i == 0) {
                char d[32], v[160];
                ww_ca_time_format(p->run_day[i] * 86400, d, sizeof d);
                d[10] = 0;
                snprintf(
                    v, sizeof v, "%lld findings (%lld critical, %lld high) on %lld assets",
                    (long long)sqlite3_column_int64(q, 2), (long long)sqlite3_column_int64(q, 3),
                    (long long)sqlite3_column_int64(q, 4), (long long)sqlite3_column_int64(q, 1));
                add(p, 1, sqlite3_column_int64(q, 3) + sqlite3_column_int64(q, 4) > 0, src, d, v,
                    "Latest audit against Cyber Essentials and DSPT rules");
                snprintf(v, sizeof v, "%lld", (long long)sqlite3_column_int64(q, 7));
                add(p, 1, sqlite3_column_int64(q, 7) > 0, src, d, v,
                    "Findings that alone fail an automatic-fail control (e.g. patches over 14 "
                    "days)");
            }
        }
        sqlite3_finalize(q);
        if (p->nruns == 0)
            add(p, 1, true, src, NULL, "0", "No audit run on or before this date");
    }
    /* NHS cyber alerts published by the as-of moment, judged as they stood then. */
    const char *csrc = "wardwatch cyberalerts (tables cyberalert, cyberalert_asset)";
    ww_arena_t ar;
    ww_arena_init(&ar, 64 * 1024, 0);
    ww_cyberalert_t *v = NULL;
    size_t n = 0, shown = 0, ack_met = 0, ack_due = 0;
    int rc = table_exists(p->st, "cyberalert") ? ww_cyberalert_list(p->st, &ar, &v, &n, diag) : 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        ww_cyberalert_t a = v[i];
        if (a.published > p->as_of)
            continue;
        /* What happened after the as-of moment had not happened yet. */
        if (a.acked_at > p->as_of)
            a.acked_at = 0;
        if (a.first_update_at > p->as_of)
            a.first_update_at = 0;
        if (a.closed_at > p->as_of)
            a.closed_at = 0;
        ww_ca_asset_t *x = NULL;
        size_t nx = 0, affected = 0, open = 0;
        int64_t last = 0;
        if ((rc = ww_cyberalert_assets(p->st, a.id, &ar, &x, &nx, diag)) != 0)
            break;
        for (size_t k = 0; k < nx; k++) {
            if (x[k].possible)
                continue;
            affected++;
            bool done = x[k].state != WW_CA_OPEN && x[k].state_at <= p->as_of;
            open += !done;
            if (done && x[k].state_at > last)
                last = x[k].state_at;
        }
        ww_ca_clocks_t ck;
        ww_cyberalert_clocks(&a, p->as_of, open, last, &ck);
        if (ck.ack.state != WW_CLOCK_NONE && ck.ack.state != WW_CLOCK_PENDING) {
            ack_due++;
            ack_met += ck.ack.state == WW_CLOCK_MET;
        }
        char pub[32], val[128];
        ww_ca_time_format(a.published, pub, sizeof pub);
        snprintf(val, sizeof val, "ack %s, update %s, mitigation %s; %zu/%zu assets open",
                 ww_ca_clock_name(ck.ack.state), ww_ca_clock_name(ck.update.state),
                 ww_ca_clock_name(ck.mitigate.state), open, affected);
        bool bad = ck.ack.state == WW_CLOCK_OVERDUE || ck.ack.state == WW_CLOCK_LATE ||
                   ck.update.state == WW_CLOCK_OVERDUE || ck.mitigate.state == WW_CLOCK_OVERDUE;
        add(p, 1, bad, csrc, pub, val, "NHS cyber alert %.40s (%s): %.160s", a.ref,
            ww_ca_sev_name(a.severity), a.title);
        shown++;
    }
    ww_arena_release(&ar);
    if (rc)
        return rc;
    char val[64];
    snprintf(val, sizeof val, "%zu of %zu", ack_met, ack_due);
    if (shown == 0)
        add(p, 1, false, csrc, NULL, "0", "No NHS cyber alerts recorded");
    else
        add(p, 1, ack_met < ack_due, csrc, p->as_of_iso, val,
            "High-severity alerts acknowledged within 48 hours (of those due)");
    return p->err;
}

/* ---- D1: response and recovery ------------------------------------------------------ */

static int response(pack_t *p, ww_diag_t *diag)
{
    /* Incidents (lib/incident): its table exists once anyone has opened one, and only
       those opened by the as-of moment count, so the pack can be made again. */
    if (!table_exists(p->st, "incident")) {
        add(p, 2, false, "incidents (lib/incident: none opened in this store)", NULL, "0",
            "No incidents recorded");
    } else {
        sqlite3_stmt *q = NULL;
        if (sqlite3_prepare_v2(p->st->db,
                               "SELECT count(*), coalesce(sum(status IN (0, 1)), 0),"
                               " coalesce(sum(dspt_reportable), 0), coalesce(sum(dspt_reported), 0)"
                               " FROM incident WHERE created <= ?1",
                               -1, &q, NULL) != SQLITE_OK)
            return db_fail(p, diag, "reading incidents");
        sqlite3_bind_int64(q, 1, p->as_of);
        long long c[4] = {0, 0, 0, 0};
        if (sqlite3_step(q) == SQLITE_ROW)
            for (int i = 0; i < 4; i++)
                c[i] = sqlite3_column_int64(q, i);
        sqlite3_finalize(q);
        char v[32];
        snprintf(v, sizeof v, "%lld", c[0]);
        add(p, 2, false, "incidents (table incident)", NULL, v, "Incidents recorded");
        snprintf(v, sizeof v, "%lld", c[1]);
        add(p, 2, false, "incidents (table incident)", NULL, v, "Incidents still open or contained");
        snprintf(v, sizeof v, "%lld of %lld", c[3], c[2]);
        add(p, 2, c[3] < c[2], "incidents (table incident)", NULL, v,
            "Reportable to the DSPT incident tool: reported");
    }
    const char *src = "fire-break hazard log (table fb_record)";
    if (!table_exists(p->st, "fb_record")) {
        add(p, 2, true, src, NULL, "0", "No fire-break has been planned or exercised");
        return p->err;
    }
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(p->st->db,
                           "SELECT action, count(*), max(at) FROM fb_record WHERE at <= ?1"
                           " GROUP BY action ORDER BY action",
                           -1, &q, NULL) != SQLITE_OK)
        return db_fail(p, diag, "reading fire-break records");
    sqlite3_bind_text(q, 1, p->bound_iso, -1, SQLITE_STATIC);
    size_t k = 0;
    bool applied = false;
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *action = (const char *)sqlite3_column_text(q, 0);
        const char *at = (const char *)sqlite3_column_text(q, 2);
        char v[32], d[32];
        snprintf(v, sizeof v, "%lld", (long long)sqlite3_column_int64(q, 1));
        snprintf(d, sizeof d, "%.19s%s", at ? at : "", at && strlen(at) >= 19 ? "Z" : "");
        applied |= action && (!strcmp(action, "apply") || !strcmp(action, "dry-run"));
        add(p, 2, false, src, d, v, "Fire-break records of kind '%.40s' (latest dated)",
            action ? action : "");
        k++;
    }
    sqlite3_finalize(q);
    if (!applied)
        add(p, 2, true, src, NULL, "0",
            "No fire-break has been exercised (applied or dry-run) by this date");
    (void)k;
    return p->err;
}

/* ---- output ------------------------------------------------------------------------- */

static void json_str(ww_buf_t *b, const char *s)
{
    ww_buf_json_str(b, s, strlen(s));
}

static void write_json(const pack_t *p, const char *trust, ww_buf_t *b)
{
    ww_buf_puts(b, "{\"evidence_pack\":\"wardwatch DSPT / CAF\",\"as_of\":");
    json_str(b, p->as_of_iso);
    ww_buf_puts(b, ",\"organisation\":");
    json_str(b, trust ? trust : "");
    ww_buf_puts(b, ",\"outcomes\":[");
    for (int i = 0; i < 3; i++) {
        const outcome_t *o = &p->o[i];
        ww_buf_puts(b, i ? ",{\"id\":" : "{\"id\":");
        json_str(b, o->id);
        ww_buf_puts(b, ",\"title\":");
        json_str(b, o->title);
        ww_buf_puts(b, ",\"facts\":[");
        for (size_t k = 0; k < o->n; k++) {
            const fact_t *f = &o->f[k];
            ww_buf_puts(b, k ? ",{\"fact\":" : "{\"fact\":");
            json_str(b, f->text);
            ww_buf_puts(b, ",\"value\":");
            json_str(b, f->value);
            ww_buf_puts(b, ",\"date\":");
            if (*f->date)
                json_str(b, f->date);
            else
                ww_buf_puts(b, "null");
            ww_buf_puts(b, ",\"source\":");
            json_str(b, f->source);
            ww_buf_printf(b, ",\"gap\":%s}", f->gap ? "true" : "false");
        }
        ww_buf_puts(b, "]}");
    }
    ww_buf_puts(b, "]}\n");
}

static void html_str(ww_buf_t *b, const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        switch (*c) {
        case '<': ww_buf_puts(b, "&lt;"); break;
        case '>': ww_buf_puts(b, "&gt;"); break;
        case '&': ww_buf_puts(b, "&amp;"); break;
        case '"': ww_buf_puts(b, "&quot;"); break;
        case '\'': ww_buf_puts(b, "&#39;"); break;
        default:
            if (*c < 0x20 || *c == 0x7f)
                ww_buf_printf(b, "\\x%02X", *c);
            else
                ww_buf_putc(b, (char)*c);
        }
    }
}

/* Stacked bars of the audit findings by severity, one per audit day, oldest left. */
static void chart(const pack_t *p, ww_buf_t *b)
{
    if (p->nruns == 0)
        return;
    int64_t max = 1;
    for (size_t i = 0; i < p->nruns; i++) {
        int64_t t = 0;
        for (int k = 0; k < 4; k++)
            t += p->run_sev[i][k];
        if (t > max)
            max = t;
    }
    static const char *const colour[] = {"#8a1538", "#d5281b", "#ed8b00", "#768692"};
    static const char *const name[] = {"critical", "high", "medium", "low"};
    int w = 24, gap = 8, h = 160;
    int width = (int)p->nruns * (w + gap) + 60;
    ww_buf_printf(b,
                  "<figure><svg role=\"img\" aria-labelledby=\"trend-t\" width=\"%d\" "
                  "height=\"%d\" viewBox=\"0 0 %d %d\"><title id=\"trend-t\">Audit findings "
                  "by severity, per audit day (most recent on the right; tallest bar %lld)"
                  "</title>",
                  width, h + 30, width, h + 30, (long long)max);
    for (size_t j = 0; j < p->nruns; j++) {
        size_t i = p->nruns - 1 - j; /* runs are newest first */
        int x = 40 + (int)j * (w + gap), y = h;
        for (int k = 3; k >= 0; k--) {
            int bh = (int)(p->run_sev[i][k] * (h - 10) / max);
            if (!bh)
                continue;
            y -= bh;
            ww_buf_printf(b,
                          "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\">"
                          "<title>%lld %s</title></rect>",
                          x, y, w, bh, colour[k], (long long)p->run_sev[i][k], name[k]);
        }
        char d[32];
        ww_ca_time_format(p->run_day[i] * 86400, d, sizeof d);
        ww_buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"9\">%.5s</text>", x, h + 14, d + 5);
    }
    ww_buf_puts(b, "</svg><figcaption>Audit findings per run: ");
    for (int k = 0; k < 4; k++)
        ww_buf_printf(b, "<span style=\"color:%s\">&#9632;</span> %s ", colour[k], name[k]);
    ww_buf_puts(b, "</figcaption></figure>");
}

static void write_html(const pack_t *p, const char *trust, ww_buf_t *b)
{
    ww_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                   "<title>DSPT evidence pack as of ");
    html_str(b, p->as_of_iso);
    ww_buf_puts(
        b, "</title><style>body{font-family:Arial,sans-serif;color:#212b32;margin:2em;"
           "max-width:70em}h1{font-size:1.6em}h2{font-size:1.25em;border-bottom:2px solid "
           "#005eb8;padding-bottom:.2em;margin-top:2em}table{border-collapse:collapse;width:100%}"
           "th,td{text-align:left;vertical-align:top;border-bottom:1px solid #d8dde0;"
           "padding:.4em}th{background:#f0f4f5}tr.gap td{background:#fff4e5}"
           ".tag{font-weight:bold;color:#8a1538}small{color:#4c6272}</style></head><body>"
           "<main><h1>Data Security and Protection Toolkit: evidence from wardwatch</h1><p>");
    if (trust && *trust) {
        html_str(b, trust);
        ww_buf_puts(b, ". ");
    }
    ww_buf_puts(b, "Facts as recorded on or before <strong>");
    html_str(b, p->as_of_iso);
    ww_buf_puts(b, "</strong>, for the CAF-aligned DSPT outcomes below. Each row names the "
                   "record it comes from. Rows marked <span class=\"tag\">gap</span> need "
                   "action or explanation.</p>");
    for (int i = 0; i < 3; i++) {
        const outcome_t *o = &p->o[i];
        ww_buf_puts(b, "<section><h2>");
        html_str(b, o->id);
        ww_buf_puts(b, " ");
        html_str(b, o->title);
        ww_buf_puts(b, "</h2>");
        if (i == 1)
            chart(p, b);
        ww_buf_puts(b, "<table><thead><tr><th scope=\"col\">Fact</th><th scope=\"col\">Value"
                       "</th><th scope=\"col\">Date</th><th scope=\"col\">Source</th></tr>"
                       "</thead><tbody>");
        for (size_t k = 0; k < o->n; k++) {
            const fact_t *f = &o->f[k];
            ww_buf_puts(b, f->gap ? "<tr class=\"gap\"><td><span class=\"tag\">gap</span> "
                                  : "<tr><td>");
            html_str(b, f->text);
            ww_buf_puts(b, "</td><td>");
            html_str(b, f->value);
            ww_buf_puts(b, "</td><td>");
            html_str(b, *f->date ? f->date : "-");
            ww_buf_puts(b, "</td><td><small>");
            html_str(b, f->source);
            ww_buf_puts(b, "</small></td></tr>");
        }
        ww_buf_puts(b, "</tbody></table></section>");
    }
    ww_buf_puts(b, "<p><small>Generated by wardwatch from its store; the same store and "
                   "as-of date give the same pack.</small></p></main></body></html>\n");
}

int ww_evidence_write(ww_store_t *st, int64_t as_of, const char *trust, ww_evidence_format_t fmt,
                      ww_buf_t *out, ww_diag_t *diag)
{
    pack_t *p = calloc(1, sizeof *p);
    if (!p)
        return WW_ENOMEM;
    p->st = st;
    p->as_of = as_of;
    ww_ca_time_format(as_of, p->as_of_iso, sizeof p->as_of_iso);
    /* fb_record.at is "YYYY-MM-DDTHH:MM:SS.ffffffZ": every record of that second sorts
       before this. */
    snprintf(p->bound_iso, sizeof p->bound_iso, "%.19s.999999Z", p->as_of_iso);
    p->o[0] = (outcome_t){"C1.a", "Security monitoring coverage", NULL, 0, 0};
    p->o[1] =
        (outcome_t){"B4.d", "Vulnerability management (audit and NHS cyber alerts)", NULL, 0, 0};
    p->o[2] =
        (outcome_t){"D1", "Response and recovery planning (incidents, fire-breaks)", NULL, 0, 0};
    int rc = coverage(p, diag);
    if (!rc)
        rc = vulnerability(p, diag);
    if (!rc)
        rc = response(p, diag);
    if (!rc) {
        if (fmt == WW_EVIDENCE_HTML)
            write_html(p, trust, out);
        else
            write_json(p, trust, out);
        rc = out->err;
    }
    for (int i = 0; i < 4; i++)
        free(p->o[i].f);
    free(p);
    return rc;
}
