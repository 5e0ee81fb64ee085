/* The console's estate, fire-breaks and board: the asset register with its audit
 * findings (the issue-5 HTML report served under the console's CSP), each asset with
 * its findings and recent alerts; the fire-break map drawn as SVG, live fire-breaks and
 * plans with their blast radius; planning (responders), and apply / confirm / lift only
 * after a fresh password+TOTP re-authentication, through the same lib/firebreak steps
 * and hazard-log records as `wardwatch firebreak`; the board overview (alerts by
 * priority, incidents, fire-breaks, ingest health, audit posture) as a page, a printout
 * and JSON.  Every page works without JavaScript and escapes every value. */
#include <pthread.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "asset/ww_asset.h"
#include "audit/ww_audit.h"
#include "audit/ww_audit_feeds.h"
#include "console/ww_console.h"
#include "feeds/ww_feeds.h"
#include "firebreak/ww_firebreak.h"
#include "wardwatch/wardwatch.h"

/* ---- limits ---------------------------------------------------------------------- */

#define AUDIT_TTL_S 60       /* an audit is reused this long when changes cannot be seen */
#define AUDIT_MAX_AGE_S 3600 /* and at most this long when they can */
#define PAGE_ROWS 200        /* register rows per page */
#define API_MAX_ROWS 1000    /* assets per API answer */
#define ASSET_ALERTS 20      /* recent alerts on an asset's page */
#define ASSET_FINDINGS 200   /* findings listed on an asset's page */
#define MAP_DRAW_SEGS 60     /* segments drawn in the map picture (the table lists all) */
#define PLANS_LISTED 50      /* plans on /firebreaks */
#define FILTER_MAX 256       /* bytes of one filter value used */
#define TREND_POINTS 60      /* audit runs drawn on the board */

/* ---- small helpers --------------------------------------------------------------- */

static void h(ww_buf_t *b, const char *s)
{
    ww_html_textz(b, s ? s : "");
}

static void ha(ww_buf_t *b, const char *s)
{
    ww_html_attr(b, s ? s : "", s ? strlen(s) : 0);
}

static void js(ww_buf_t *b, const char *s)
{
    if (s)
        ww_buf_json_str(b, s, strlen(s));
    else
        ww_buf_puts(b, "null");
}

/* A query value percent-encoded (everything but unreserved characters). */
static void qenc(ww_buf_t *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~')
            ww_buf_putc(b, (char)c);
        else {
            ww_buf_putc(b, '%');
            ww_buf_putc(b, hex[c >> 4]);
            ww_buf_putc(b, hex[c & 15]);
        }
    }
}

/* A query parameter, or NULL when absent, empty or longer than FILTER_MAX. */
static const char *qv(const ww_web_req_t *req, const char *name)
{
    const char *v = ww_web_query(req, name);
    if (!v || !*v || strlen(v) > FILTER_MAX)
        return NULL;
    return v;
}

static bool parse_pos(const char *s, int64_t *out)
{
    int64_t v;
    if (!s || ww_parse_i64(s, strlen(s), &v) != 0 || v <= 0)
        return false;
    *out = v;
    return true;
}

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

static const char *crit_label(ww_crit_t c)
{
    return c == WW_CRIT_UNKNOWN ? "not recorded" : ww_crit_name(c);
}

/* An API error: {"error": msg} with status. */
static int api_error(ww_web_resp_t *resp, unsigned status, const char *msg)
{
    ww_console_json(resp, status);
    ww_buf_puts(&resp->body, "{\"error\":");
    js(&resp->body, msg);
    ww_buf_puts(&resp->body, "}\n");
    return resp->body.err;
}

/* ---- the audit, on demand, cached ------------------------------------------------ */

/* One audit of the register with everything pages need to read it: shared read-only
 * by the request threads that took a reference, freed by the last one. */
typedef struct estate {
    int refs;
    int64_t made;
    char sig[256]; /* what the audit read, in brief (register_sig); "" when unknown */
    char store[512];
    ww_asset_set_t set;
    bool set_loaded;
    ww_feeds_t *feeds;
    ww_fb_map_t *map;
    ww_audit_ref_t ref;
    ww_audit_report_t *r;
    size_t *nfind;     /* findings per asset (set.assets order) */
    int64_t *eos;      /* end of support (day, WW_AUDIT_NODAY: not known) per asset */
    const char **keys; /* the audit's name for each asset (finding.asset_id) */
    char note[300];    /* what the audit could not use (reference data, the map) */
} estate_t;

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static estate_t *cache;

static void estate_free(estate_t *e)
{
    if (!e)
        return;
    ww_audit_report_free(e->r);
    ww_fb_map_free(e->map);
    ww_feeds_free(e->feeds);
    if (e->set_loaded)
        ww_asset_set_release(&e->set);
    free(e->nfind);
    free(e->eos);
    free(e->keys);
    free(e);
}

static void estate_unref(estate_t *e)
{
    if (!e)
        return;
    pthread_mutex_lock(&cache_mu);
    bool last = --e->refs == 0;
    pthread_mutex_unlock(&cache_mu);
    if (last)
        estate_free(e);
}

/* The name the audit gives an asset's findings (its register ID, else hostname, else
 * first address). */
static const char *asset_key(const ww_asset_t *a)
{
    if (a->asset_id && *a->asset_id)
        return a->asset_id;
    if (a->hostname && *a->hostname)
        return a->hostname;
    return a->nips ? a->ips[0] : "";
}

typedef struct keyix {
    const char *key;
    size_t i;
} keyix_t;

static int keyix_cmp(const void *x, const void *y)
{
    return strcmp(((const keyix_t *)x)->key, ((const keyix_t *)y)->key);
}

/* A short account of everything the audit reads (the register, observed devices, the
 * map, the reference data, the kept runs, the day): when it is unchanged the audit
 * would find the same.  An import stamps last_seen on every asset it touches.  ""
 * when a table is missing (then the audit is only reused for AUDIT_TTL_S). */
static void register_sig(ww_store_t *st, char *out, size_t n)
{
    out[0] = 0;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(
            st->db,
            "SELECT (SELECT count(*) FROM asset), (SELECT coalesce(max(last_seen), 0) "
            "FROM asset), (SELECT coalesce(sum(first_seen), 0) FROM asset), "
            "(SELECT count(*) FROM asset_observed), (SELECT coalesce(max(id), 0) "
            "FROM fb_map), (SELECT coalesce(max(id), 0) FROM audit_run), "
            "(SELECT count(*) || '/' || coalesce(max(loaded_at), '') FROM "
            "feeds_file)",
            -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW) {
        const unsigned char *feeds = sqlite3_column_text(q, 6);
        snprintf(out, n, "%lld/%lld/%lld/%lld/%lld/%lld/%.100s/%lld",
                 (long long)sqlite3_column_int64(q, 0), (long long)sqlite3_column_int64(q, 1),
                 (long long)sqlite3_column_int64(q, 2), (long long)sqlite3_column_int64(q, 3),
                 (long long)sqlite3_column_int64(q, 4), (long long)sqlite3_column_int64(q, 5),
                 feeds ? (const char *)feeds : "", (long long)ww_audit_day(now_s()));
    }
    sqlite3_finalize(q);
}

/* Runs the audit against the register in st.  0 and *out, or WW_E* with diag. */
static int estate_build(ww_store_t *st, estate_t **out, ww_diag_t *diag)
{
    estate_t *e = calloc(1, sizeof *e);
    keyix_t *ix = NULL;
    if (!e)
        return WW_ENOMEM;
    e->refs = 1;
    e->made = now_s();
    snprintf(e->store, sizeof e->store, "%s", st->path);
    register_sig(st, e->sig, sizeof e->sig);
    int rc = ww_asset_load(st, &e->set, diag);
    e->set_loaded = true;
    if (rc)
        goto fail;
    ww_diag_t fd = {0};
    if (ww_feeds_load(st, NULL, &e->feeds, &fd) != 0) {
        snprintf(e->note, sizeof e->note,
                 "The reference data (KEV, end of support) could not be loaded (%.150s): findings "
                 "about them are missing.",
                 fd.msg[0] ? fd.msg : "error");
        e->feeds = NULL;
    }
    ww_audit_ref_from_feeds(e->feeds, &e->ref);
    char *yaml = NULL, *path = NULL;
    int64_t mid;
    if (ww_fb_map_load(st, 0, &mid, &yaml, &path) == 0) {
        ww_diag_t md = {0};
        if (ww_fb_map_parse(yaml, strlen(yaml), path ? path : "map", &e->map, &md) == 0) {
            e->ref.segment_isolated = ww_audit_map_isolated;
            e->ref.map_ud = e->map;
        } else {
            e->map = NULL;
        }
    }
    free(yaml);
    free(path);
    rc = ww_audit_run(&e->set, &e->ref, e->made, &e->r);
    if (rc)
        goto fail;
    /* The trend reads the runs kept by `wardwatch audit`; viewing a page adds none. */
    ww_diag_t hd = {0};
    ww_audit_history(st, e->r, false, &hd);
    size_t n = e->set.n ? e->set.n : 1;
    e->nfind = calloc(n, sizeof *e->nfind);
    e->eos = calloc(n, sizeof *e->eos);
    e->keys = calloc(n, sizeof *e->keys);
    ix = calloc(n, sizeof *ix);
    if (!e->nfind || !e->eos || !e->keys || !ix) {
        rc = WW_ENOMEM;
        goto fail;
    }
    int64_t day = ww_audit_day(e->made);
    for (size_t i = 0; i < e->set.n; i++) {
        const ww_asset_t *a = &e->set.assets[i];
        e->keys[i] = asset_key(a);
        ix[i] = (keyix_t){e->keys[i], i};
        ww_audit_eol_t eol;
        memset(&eol, 0, sizeof eol);
        const char *os = a->os && *a->os ? a->os : a->firmware;
        e->eos[i] = WW_AUDIT_NODAY;
        if (os && *os) {
            ww_audit_support_t s = ww_audit_support_status(
                &e->ref, os, a->os_version ? a->os_version : "", a->esu == WW_TRI_YES, day, &eol);
            if (s != WW_SUPPORT_UNKNOWN && s != WW_SUPPORT_NOT_EVALUATED)
                e->eos[i] = eol.eol_day;
        }
    }
    qsort(ix, e->set.n, sizeof *ix, keyix_cmp);
    for (size_t k = 0; k < e->r->n; k++) {
        keyix_t key = {e->r->findings[k].asset_id, 0};
        keyix_t *hit = bsearch(&key, ix, e->set.n, sizeof *ix, keyix_cmp);
        if (hit)
            e->nfind[hit->i]++;
    }
    free(ix);
    *out = e;
    return 0;
fail:
    free(ix);
    estate_free(e);
    if (!diag->msg[0])
        ww_diag_set(diag, st->path, 0, 0, "audit: %s", ww_strerror(rc));
    return rc;
}

/* The current audit (a reference the caller drops with estate_unref): the cached one
 * of the same store while what it read is unchanged, else a new run.  `fresh` forces
 * a new run. */
static int estate_get(ww_console_t *c, bool fresh, estate_t **out, ww_diag_t *diag)
{
    ww_console_db_t *db;
    int rc = ww_console_db(c, &db, diag);
    if (rc)
        return rc;
    /* Reused while nothing it read has changed (an hour at most), else for a minute.
     * The signature reads every asset row, so it is only taken once the minute is
     * over: within it the cached audit is used whatever it says. */
    char sig[256] = "";
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1)
            register_sig(db->st, sig, sizeof sig);
        pthread_mutex_lock(&cache_mu);
        int64_t age = cache ? now_s() - cache->made : 0;
        if (cache && !fresh && !strcmp(cache->store, db->st->path) &&
            (age < AUDIT_TTL_S || (sig[0] && !strcmp(sig, cache->sig) && age < AUDIT_MAX_AGE_S))) {
            cache->refs++;
            *out = cache;
            pthread_mutex_unlock(&cache_mu);
            return 0;
        }
        pthread_mutex_unlock(&cache_mu);
        if (fresh)
            break;
    }
    /* Built outside the lock: two threads may both run it; the later one wins. */
    estate_t *e;
    rc = estate_build(db->st, &e, diag);
    if (rc)
        return rc;
    pthread_mutex_lock(&cache_mu);
    estate_t *old = cache;
    cache = e;
    e->refs++; /* the cache's own */
    bool drop = old && --old->refs == 0;
    pthread_mutex_unlock(&cache_mu);
    if (drop)
        estate_free(old);
    *out = e;
    return 0;
}

/* The asset with store rowid `id`, or -1. */
static long find_asset(const estate_t *e, int64_t id)
{
    for (size_t i = 0; i < e->set.n; i++)
        if (e->set.assets[i].rowid == id)
            return (long)i;
    return -1;
}

static const char *asset_name(const ww_asset_t *a)
{
    if (a->hostname && *a->hostname)
        return a->hostname;
    if (a->asset_id && *a->asset_id)
        return a->asset_id;
    return a->nips ? a->ips[0] : "(unnamed)";
}

/* ---- register filters ------------------------------------------------------------ */

typedef struct filt {
    const char *q, *segment, *crit, *medical, *findings;
    int min_crit; /* -1: any */
    int64_t page;
} filt_t;

static void filt_read(const ww_web_req_t *req, filt_t *f)
{
    memset(f, 0, sizeof *f);
    f->q = qv(req, "q");
    f->segment = qv(req, "segment");
    f->crit = qv(req, "criticality");
    f->medical = qv(req, "medical");
    f->findings = qv(req, "findings");
    f->min_crit = -1;
    ww_crit_t cr;
    if (f->crit && ww_crit_parse(f->crit, strlen(f->crit), &cr) == 0)
        f->min_crit = (int)cr;
    else
        f->crit = NULL;
    if (f->medical && strcmp(f->medical, "yes") && strcmp(f->medical, "no"))
        f->medical = NULL;
    if (f->findings && strcmp(f->findings, "yes") && strcmp(f->findings, "no"))
        f->findings = NULL;
    if (!parse_pos(qv(req, "page"), &f->page))
        f->page = 1;
}

static bool icontains(const char *hay, const char *needle)
{
    if (!hay)
        return false;
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (!strncasecmp(hay, needle, n))
            return true;
    return false;
}

static bool filt_keep(const filt_t *f, const estate_t *e, size_t i)
{
    const ww_asset_t *a = &e->set.assets[i];
    if (f->q) {
        bool hit = icontains(a->hostname, f->q) || icontains(a->asset_id, f->q) ||
                   icontains(a->owner, f->q) || icontains(a->model, f->q);
        for (size_t k = 0; !hit && k < a->nips; k++)
            hit = icontains(a->ips[k], f->q);
        if (!hit)
            return false;
    }
    if (f->segment && strcasecmp(a->segment ? a->segment : "", f->segment))
        return false;
    if (f->min_crit >= 0 &&
        (a->clinical_criticality == WW_CRIT_UNKNOWN || (int)a->clinical_criticality < f->min_crit))
        return false;
    if (f->medical && (a->type == WW_AT_MEDICAL_DEVICE) != !strcmp(f->medical, "yes"))
        return false;
    if (f->findings && (e->nfind[i] > 0) != !strcmp(f->findings, "yes"))
        return false;
    return true;
}

/* The filter as a query string (for paging links), without page. */
static void filt_query(ww_buf_t *b, const filt_t *f)
{
    const char *names[] = {"q", "segment", "criticality", "medical", "findings"};
    const char *vals[] = {f->q, f->segment, f->crit, f->medical, f->findings};
    for (size_t i = 0; i < WW_ARRAY_LEN(names); i++) {
        if (!vals[i])
            continue;
        ww_buf_printf(b, "%s=", names[i]);
        qenc(b, vals[i]);
        ww_buf_putc(b, '&');
    }
}

static void eos_text(char *out, size_t n, int64_t day)
{
    if (day == WW_AUDIT_NODAY)
        snprintf(out, n, "not known");
    else if (day == WW_AUDIT_NEVER)
        snprintf(out, n, "none announced");
    else if (day == WW_AUDIT_ENDED)
        snprintf(out, n, "ended");
    else
        ww_audit_day_format(day, out, n);
}

/* ---- /estate ------------------------------------------------------------------- */

static void select_field(ww_buf_t *b, const char *id, const char *label, const char *cur,
                         const char *const *vals, const char *const *labels, size_t n)
{
    ww_buf_printf(b,
                  "<div class=\"nhsuk-form-group ww-filter\"><label class=\"nhsuk-label\" "
                  "for=\"%s\">%s</label><select class=\"nhsuk-select\" id=\"%s\" name=\"%s\">",
                  id, label, id, id);
    for (size_t i = 0; i < n; i++) {
        ww_buf_puts(b, "<option value=\"");
        ha(b, vals[i]);
        ww_buf_puts(b, "\"");
        if ((cur && !strcmp(cur, vals[i])) || (!cur && !*vals[i]))
            ww_buf_puts(b, " selected");
        ww_buf_puts(b, ">");
        h(b, labels[i]);
        ww_buf_puts(b, "</option>");
    }
    ww_buf_puts(b, "</select></div>");
}

static int segcmp(const void *x, const void *y)
{
    return strcasecmp(*(const char *const *)x, *(const char *const *)y);
}

static void summary_panel(ww_buf_t *b, const estate_t *e)
{
    size_t sev[5] = {0}, af = 0;
    for (size_t i = 0; i < e->r->n; i++) {
        if (e->r->findings[i].severity <= WW_SEV_CRITICAL)
            sev[e->r->findings[i].severity]++;
        af += e->r->findings[i].auto_fail;
    }
    ww_buf_printf(
        b,
        "<dl class=\"nhsuk-summary-list\" id=\"audit-summary\">"
        "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">"
        "Assets in the register</dt><dd class=\"nhsuk-summary-list__value\">%zu</dd></div>"
        "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">"
        "Audit findings</dt><dd class=\"nhsuk-summary-list__value\">%zu (%zu critical, "
        "%zu high, %zu medium, %zu low)</dd></div>"
        "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">"
        "Cyber Essentials automatic fails</dt><dd class=\"nhsuk-summary-list__value\">%zu"
        "</dd></div>"
        "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">"
        "Unsupported systems</dt><dd class=\"nhsuk-summary-list__value\">%zu</dd></div>"
        "</dl>",
        e->set.n, e->r->n, sev[WW_SEV_CRITICAL], sev[WW_SEV_HIGH], sev[WW_SEV_MEDIUM],
        sev[WW_SEV_LOW], af, e->r->nunsupported);
}

static int h_estate(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    ww_diag_t diag = {0};
    estate_t *e = NULL;
    if (estate_get(c, false, &e, &diag) != 0)
        return ww_console_fail(c, req, resp, &diag);
    filt_t f;
    filt_read(req, &f);
    ww_buf_t *b = &resp->body;
    ww_console_page_begin(c, req, resp, "The estate", "/estate");
    ww_buf_puts(b,
                "<link rel=\"stylesheet\" href=\"/assets/estate.css\">"
                "<h1>The estate</h1><p class=\"nhsuk-lede-text\">The asset register and what the "
                "audit finds in it (Cyber Essentials and the NHS DSPT).</p>");
    if (e->note[0]) {
        ww_buf_puts(b, "<div class=\"nhsuk-warning-callout\"><h2 class=\"nhsuk-warning-callout__"
                       "label\"><span role=\"text\"><span class=\"nhsuk-u-visually-hidden\">"
                       "Important: </span>Reference data</span></h2><p>");
        h(b, e->note);
        ww_buf_puts(b, "</p></div>");
    }
    summary_panel(b, e);
    char when[40];
    ww_buf_t t;
    ww_buf_init(&t, 64);
    ww_console_time(&t, e->made);
    snprintf(when, sizeof when, "%s", t.p ? t.p : "");
    ww_buf_release(&t);
    ww_buf_puts(b, "<p>Audited ");
    h(b, when);
    ww_buf_puts(b, ". <a href=\"/estate/audit\">The full audit report</a> (the ranked fixes, "
                   "readiness per control, unsupported systems, medical devices).</p>");

    /* Filters: a GET form, so a filtered view is a link that can be shared. */
    const char **segs = calloc(e->set.n + 1, sizeof *segs);
    size_t nsegs = 0;
    for (size_t i = 0; segs && i < e->set.n; i++) {
        const char *s = e->set.assets[i].segment;
        if (!s || !*s)
            continue;
        bool seen = false;
        for (size_t k = 0; k < nsegs && !seen; k++)
            seen = !strcasecmp(segs[k], s);
        if (!seen && nsegs < 200)
            segs[nsegs++] = s;
    }
    if (segs)
        qsort(segs, nsegs, sizeof *segs, segcmp);
    ww_buf_puts(b, "<form method=\"get\" action=\"/estate\" class=\"ww-filters\" "
                   "aria-label=\"Filter the register\"><h2 class=\"nhsuk-heading-s\">Filter the "
                   "register</h2><div class=\"nhsuk-form-group ww-filter\"><label "
                   "class=\"nhsuk-label\" for=\"q\">Name, address, owner or model</label><input "
                   "class=\"nhsuk-input\" id=\"q\" name=\"q\" type=\"text\" value=\"");
    ha(b, f.q);
    ww_buf_puts(b, "\"></div>");
    {
        const char **vals = calloc(nsegs + 1, sizeof *vals);
        if (vals) {
            vals[0] = "";
            for (size_t i = 0; i < nsegs; i++)
                vals[i + 1] = segs[i];
            const char **labels = calloc(nsegs + 1, sizeof *labels);
            if (labels) {
                labels[0] = "Any segment";
                for (size_t i = 0; i < nsegs; i++)
                    labels[i + 1] = segs[i];
                select_field(b, "segment", "Segment", f.segment, vals, labels, nsegs + 1);
                free(labels);
            }
            free(vals);
        }
    }
    static const char *const cv[] = {"", "low", "medium", "high", "critical"};
    static const char *const cl[] = {"Any", "Low or above", "Medium or above", "High or above",
                                     "Critical"};
    select_field(b, "criticality", "Clinical criticality", f.crit, cv, cl, 5);
    static const char *const yv[] = {"", "yes", "no"};
    static const char *const ml[] = {"Any", "Medical devices", "Not medical devices"};
    select_field(b, "medical", "Medical device", f.medical, yv, ml, 3);
    static const char *const fl[] = {"Any", "With findings", "Without findings"};
    select_field(b, "findings", "Audit findings", f.findings, yv, fl, 3);
    ww_buf_puts(b, "<button class=\"nhsuk-button nhsuk-button--secondary\" type=\"submit\">"
                   "Filter</button> <a href=\"/estate\">Clear filters</a></form>");
    free(segs);

    size_t total = 0;
    for (size_t i = 0; i < e->set.n; i++)
        total += filt_keep(&f, e, i);
    int64_t first = (f.page - 1) * PAGE_ROWS;
    ww_buf_printf(b, "<h2 id=\"register\">The register</h2><p>%zu of %zu assets match.</p>", total,
                  e->set.n);
    if (total) {
        ww_buf_puts(b, "<div class=\"ww-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"The "
                       "register\"><table class=\"nhsuk-table\" id=\"register-table\">"
                       "<caption class=\"nhsuk-table__caption nhsuk-u-visually-hidden\">Registered "
                       "assets</caption><thead class=\"nhsuk-table__head\"><tr "
                       "class=\"nhsuk-table__row\"><th scope=\"col\" class=\"nhsuk-table__header\">"
                       "Name</th><th scope=\"col\" class=\"nhsuk-table__header\">Addresses</th>"
                       "<th scope=\"col\" class=\"nhsuk-table__header\">Segment</th><th "
                       "scope=\"col\" class=\"nhsuk-table__header\">Clinical criticality</th><th "
                       "scope=\"col\" class=\"nhsuk-table__header\">Owner</th><th scope=\"col\" "
                       "class=\"nhsuk-table__header\">Medical device</th><th scope=\"col\" "
                       "class=\"nhsuk-table__header\">End of support</th><th scope=\"col\" "
                       "class=\"nhsuk-table__header\">Findings</th></tr></thead><tbody "
                       "class=\"nhsuk-table__body\">");
        int64_t k = 0;
        for (size_t i = 0; i < e->set.n && k < first + PAGE_ROWS; i++) {
            if (!filt_keep(&f, e, i))
                continue;
            if (k++ < first)
                continue;
            const ww_asset_t *a = &e->set.assets[i];
            ww_buf_printf(b,
                          "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell "
                          "ww-value\"><a href=\"/estate/assets/%lld\">",
                          (long long)a->rowid);
            ww_html_text(b, asset_name(a), strlen(asset_name(a)), 120);
            ww_buf_puts(b, "</a>");
            if (a->asset_id && *a->asset_id && a->hostname && *a->hostname) {
                ww_buf_puts(b, "<br><span class=\"nhsuk-body-s\">");
                ww_html_text(b, a->asset_id, strlen(a->asset_id), 80);
                ww_buf_puts(b, "</span>");
            }
            ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell ww-value\">");
            for (size_t j = 0; j < a->nips && j < 4; j++) {
                if (j)
                    ww_buf_puts(b, "<br>");
                ww_html_text(b, a->ips[j], strlen(a->ips[j]), 60);
            }
            if (a->nips > 4)
                ww_buf_printf(b, "<br>and %zu more", a->nips - 4);
            ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell ww-value\">");
            ww_html_text(b, a->segment ? a->segment : "", a->segment ? strlen(a->segment) : 0, 60);
            ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell\">");
            h(b, crit_label(a->clinical_criticality));
            ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell ww-value\">");
            ww_html_text(b, a->owner ? a->owner : "", a->owner ? strlen(a->owner) : 0, 80);
            char eos[32];
            eos_text(eos, sizeof eos, e->eos[i]);
            ww_buf_printf(b,
                          "</td><td class=\"nhsuk-table__cell\">%s</td><td "
                          "class=\"nhsuk-table__cell\">%s</td><td class=\"nhsuk-table__cell\">%zu"
                          "</td></tr>",
                          a->type == WW_AT_MEDICAL_DEVICE ? "yes" : "no", eos, e->nfind[i]);
        }
        ww_buf_puts(b, "</tbody></table></div>");
        if (f.page > 1 || (size_t)(first + PAGE_ROWS) < total) {
            ww_buf_puts(b, "<nav class=\"nhsuk-pagination\" role=\"navigation\" "
                           "aria-label=\"Register pages\"><ul class=\"nhsuk-list "
                           "nhsuk-pagination__list\">");
            ww_buf_t q;
            ww_buf_init(&q, 0);
            filt_query(&q, &f);
            if (f.page > 1) {
                ww_buf_puts(b, "<li class=\"nhsuk-pagination-item--previous\"><a "
                               "class=\"nhsuk-pagination__link nhsuk-pagination__link--prev\" "
                               "href=\"/estate?");
                ha(b, q.p ? q.p : "");
                ww_buf_printf(b, "page=%lld\">Previous page</a></li>", (long long)f.page - 1);
            }
            if ((size_t)(first + PAGE_ROWS) < total) {
                ww_buf_puts(b, "<li class=\"nhsuk-pagination-item--next\"><a "
                               "class=\"nhsuk-pagination__link nhsuk-pagination__link--next\" "
                               "href=\"/estate?");
                ha(b, q.p ? q.p : "");
                ww_buf_printf(b, "page=%lld\">Next page</a></li>", (long long)f.page + 1);
            }
            ww_buf_release(&q);
            ww_buf_puts(b, "</ul></nav>");
        }
    } else {
        ww_buf_puts(b, e->set.n ? "<p>No asset matches these filters.</p>"
                                : "<p>The register is empty: import it with <code>wardwatch assets "
                                  "import FILE</code>.</p>");
    }
    ww_console_page_end(resp);
    estate_unref(e);
    return 0;
}

/* ---- /estate/audit: the issue-5 report ------------------------------------------- */

static int h_audit(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    ww_diag_t diag = {0};
    estate_t *e = NULL;
    if (estate_get(c, false, &e, &diag) != 0)
        return ww_console_fail(c, req, resp, &diag);
    char *mem = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&mem, &n);
    int rc = WW_ENOMEM;
    if (f) {
        ww_audit_html_opts_t o = {"/estate/audit.css", "/estate", "Back to the estate"};
        rc = ww_audit_write_html_opts(e->r, &o, f);
        if (fclose(f) != 0 && rc == 0)
            rc = WW_EIO;
    }
    estate_unref(e);
    if (rc == 0) {
        resp->content_type = "text/html; charset=utf-8";
        ww_buf_append(&resp->body, mem, n);
    }
    free(mem);
    if (rc != 0) {
        ww_diag_set(&diag, "", 0, 0, "audit report: %s", ww_strerror(rc));
        return ww_console_fail(c, req, resp, &diag);
    }
    return resp->body.err;
}

static int h_audit_css(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    (void)req;
    (void)ud;
    resp->content_type = "text/css; charset=utf-8";
    return ww_audit_html_css(&resp->body);
}

/* ---- alerts of an asset ---------------------------------------------------------- */

typedef struct alert_row {
    char id[40], rule[256], host[256], ip[64], when[40];
    int priority, level;
} alert_row_t;

/* Whether the alert table has an index that starts with column `col`. */
static bool alert_index_on(ww_store_t *st, const char *col)
{
    sqlite3_stmt *q = NULL;
    bool yes = false;
    if (sqlite3_prepare_v2(
            st->db,
            "SELECT 1 FROM pragma_index_list('alert') l, pragma_index_info(l.name) i "
            "WHERE i.seqno = 0 AND i.name = ?1",
            -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, col, -1, SQLITE_STATIC);
        yes = sqlite3_step(q) == SQLITE_ROW;
    }
    sqlite3_finalize(q);
    return yes;
}

/* The newest alerts on asset a: by its host name (as written, or in lower case) among
 * all alerts, and by its addresses as the source among all alerts when the store
 * indexes sources (triage adds that index), else among the newest ALERT_SCAN, so a
 * page never reads a million rows.  Up to `cap` into rows, *n how many.  0, or
 * WW_ENOENT when no alert table exists yet. */
#define ALERT_SCAN 100000
static int asset_alerts(ww_store_t *st, const ww_asset_t *a, alert_row_t *rows, size_t cap,
                        size_t *n)
{
    *n = 0;
    int64_t bound = 0;
    if (!alert_index_on(st, "src_ip")) {
        sqlite3_stmt *m = NULL;
        if (sqlite3_prepare_v2(st->db, "SELECT coalesce(max(rowid), 0) FROM alert", -1, &m, NULL) ==
                SQLITE_OK &&
            sqlite3_step(m) == SQLITE_ROW)
            bound = sqlite3_column_int64(m, 0) - ALERT_SCAN;
        sqlite3_finalize(m);
    }
    ww_buf_t sql;
    ww_buf_init(&sql, 0);
    ww_buf_puts(&sql, "SELECT id, rule_title, host, src_ip, COALESCE(ts, received), priority, "
                      "level FROM alert WHERE rowid IN (SELECT rowid FROM alert WHERE host IN "
                      "(?1, ?2)");
    size_t nips = a->nips < 16 ? a->nips : 16;
    if (nips) {
        ww_buf_puts(&sql, " UNION SELECT rowid FROM alert WHERE rowid > ?31 AND src_ip IN (");
        for (size_t i = 0; i < nips; i++)
            ww_buf_printf(&sql, "%s?%zu", i ? ", " : "", i + 3);
        ww_buf_puts(&sql, ")");
    }
    ww_buf_puts(&sql, ") ORDER BY rowid DESC LIMIT ?30");
    sqlite3_stmt *q = NULL;
    int rc = 0;
    char lower[256];
    const char *hn = a->hostname && *a->hostname ? a->hostname : "\x01";
    size_t k = 0;
    for (; hn[k] && k + 1 < sizeof lower; k++)
        lower[k] = (char)((hn[k] >= 'A' && hn[k] <= 'Z') ? hn[k] + 32 : hn[k]);
    lower[k] = 0;
    if (sql.err || sqlite3_prepare_v2(st->db, sql.p, -1, &q, NULL) != SQLITE_OK) {
        rc = WW_ENOENT;
        goto out;
    }
    sqlite3_bind_text(q, 1, hn, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, lower, -1, SQLITE_STATIC);
    for (size_t i = 0; i < nips; i++)
        sqlite3_bind_text(q, (int)i + 3, a->ips[i], -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 30, (sqlite3_int64)cap);
    sqlite3_bind_int64(q, 31, bound > 0 ? bound : 0);
    while (*n < cap && sqlite3_step(q) == SQLITE_ROW) {
        alert_row_t *r = &rows[(*n)++];
        snprintf(r->id, sizeof r->id, "%s", (const char *)sqlite3_column_text(q, 0));
        snprintf(r->rule, sizeof r->rule, "%s", (const char *)sqlite3_column_text(q, 1));
        snprintf(r->host, sizeof r->host, "%s", (const char *)sqlite3_column_text(q, 2));
        snprintf(r->ip, sizeof r->ip, "%s", (const char *)sqlite3_column_text(q, 3));
        ww_time_format(sqlite3_column_int64(q, 4), r->when, sizeof r->when);
        r->priority = sqlite3_column_int(q, 5);
        r->level = sqlite3_column_int(q, 6);
    }
out:
    sqlite3_finalize(q);
    ww_buf_release(&sql);
    return rc;
}

/* ---- /estate/assets/{id} --------------------------------------------------------- */

static void row_kv(ww_buf_t *b, const char *key, const char *val)
{
    ww_buf_puts(b, "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">");
    h(b, key);
    ww_buf_puts(b, "</dt><dd class=\"nhsuk-summary-list__value ww-value\">");
    if (val && *val)
        ww_html_text(b, val, strlen(val), 400);
    else
        ww_buf_puts(b, "not recorded");
    ww_buf_puts(b, "</dd></div>");
}

static int h_asset(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    int64_t id;
    if (!parse_pos(ww_web_param(req, "id"), &id))
        return ww_web_resp_error(req, resp, 404, "No such asset.");
    ww_diag_t diag = {0};
    estate_t *e = NULL;
    if (estate_get(c, false, &e, &diag) != 0)
        return ww_console_fail(c, req, resp, &diag);
    long i = find_asset(e, id);
    if (i < 0) {
        estate_unref(e);
        return ww_web_resp_error(req, resp, 404, "No such asset in the register.");
    }
    const ww_asset_t *a = &e->set.assets[i];
    ww_buf_t *b = &resp->body;
    ww_console_page_begin(c, req, resp, asset_name(a), "/estate");
    ww_buf_puts(b,
                "<link rel=\"stylesheet\" href=\"/assets/estate.css\"><nav "
                "class=\"nhsuk-back-link\" aria-label=\"Back\"><a class=\"nhsuk-back-link__link\" "
                "href=\"/estate\">Back to the estate</a></nav><h1 class=\"ww-value\">");
    ww_html_text(b, asset_name(a), strlen(asset_name(a)), 200);
    ww_buf_puts(b, "</h1><dl class=\"nhsuk-summary-list\" id=\"asset-details\">");
    row_kv(b, "Register ID", a->asset_id);
    row_kv(b, "Host name", a->hostname);
    ww_buf_t ips;
    ww_buf_init(&ips, 0);
    for (size_t k = 0; k < a->nips; k++)
        ww_buf_printf(&ips, "%s%s", k ? ", " : "", a->ips[k]);
    row_kv(b, "Addresses", ips.p);
    ww_buf_release(&ips);
    row_kv(b, "Kind", ww_asset_type_name(a->type));
    row_kv(b, "Segment", a->segment);
    row_kv(b, "Clinical criticality", crit_label(a->clinical_criticality));
    row_kv(b, "Owner", a->owner);
    row_kv(b, "Location", a->location);
    row_kv(b, "Medical device", a->type == WW_AT_MEDICAL_DEVICE ? "yes" : "no");
    row_kv(b, "Manufacturer", a->manufacturer);
    row_kv(b, "Model", a->model);
    char os[300];
    snprintf(os, sizeof os, "%s%s%s", a->os ? a->os : "",
             a->os_version && *a->os_version ? " " : "", a->os_version ? a->os_version : "");
    row_kv(b, "Operating system", os);
    char eos[32];
    eos_text(eos, sizeof eos, e->eos[i]);
    row_kv(b, "End of support", eos);
    row_kv(b, "Internet-facing", ww_tri_name(a->internet_exposed));
    ww_buf_puts(b, "</dl>");
    if (a->nips && ww_console_may(req, WW_ACT_FIREBREAK_PLAN)) {
        ww_buf_puts(b, "<p><a class=\"nhsuk-button nhsuk-button--secondary\" "
                       "href=\"/firebreaks/plan?host=");
        ww_buf_t q;
        ww_buf_init(&q, 0);
        qenc(&q, a->ips[0]);
        ha(b, q.p ? q.p : "");
        ww_buf_release(&q);
        ww_buf_puts(b, "\">Plan a fire-break for this host</a></p>");
    }

    /* Findings. */
    const char *key = e->keys[i];
    ww_buf_printf(b, "<h2 id=\"findings\">Audit findings (%zu)</h2>", e->nfind[i]);
    if (!e->nfind[i]) {
        ww_buf_puts(b, "<p>The audit finds nothing to fix on this asset.</p>");
    } else {
        ww_buf_puts(b,
                    "<table class=\"nhsuk-table\"><caption class=\"nhsuk-table__caption "
                    "nhsuk-u-visually-hidden\">Audit findings</caption><thead "
                    "class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\"><th scope=\"col\" "
                    "class=\"nhsuk-table__header\">Severity</th><th scope=\"col\" "
                    "class=\"nhsuk-table__header\">Control</th><th scope=\"col\" "
                    "class=\"nhsuk-table__header\">Problem</th><th scope=\"col\" "
                    "class=\"nhsuk-table__header\">What to do</th></tr></thead><tbody "
                    "class=\"nhsuk-table__body\">");
        size_t shown = 0;
        for (size_t k = 0; k < e->r->n && shown < ASSET_FINDINGS; k++) {
            const ww_audit_finding_t *fd = &e->r->findings[k];
            if (strcmp(fd->asset_id, key))
                continue;
            shown++;
            ww_buf_puts(b, "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">");
            h(b, ww_sev_name(fd->severity));
            if (fd->auto_fail)
                ww_buf_puts(b, " <strong class=\"nhsuk-tag nhsuk-tag--red\">automatic fail"
                               "</strong>");
            ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell\">");
            h(b, fd->control);
            ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell ww-value\">");
            h(b, fd->title);
            ww_buf_puts(b, "<br><span class=\"nhsuk-body-s\">");
            ww_html_text(b, fd->evidence, strlen(fd->evidence), 600);
            ww_buf_puts(b, "</span></td><td class=\"nhsuk-table__cell\">");
            h(b, fd->remedy);
            ww_buf_puts(b, "</td></tr>");
        }
        ww_buf_puts(b, "</tbody></table>");
    }

    /* Recent alerts. */
    ww_buf_puts(b, "<h2 id=\"alerts\">Recent alerts</h2>");
    ww_console_db_t *db;
    alert_row_t *rows = calloc(ASSET_ALERTS, sizeof *rows);
    size_t nrows = 0;
    int arc = rows && ww_console_db(c, &db, &diag) == 0
                  ? asset_alerts(db->st, a, rows, ASSET_ALERTS, &nrows)
                  : WW_ENOENT;
    if (arc != 0 || nrows == 0) {
        ww_buf_puts(b, "<p>No alerts recorded for this asset.</p>");
    } else {
        ww_buf_puts(b,
                    "<table class=\"nhsuk-table\"><caption class=\"nhsuk-table__caption "
                    "nhsuk-u-visually-hidden\">Recent alerts</caption><thead "
                    "class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\"><th scope=\"col\" "
                    "class=\"nhsuk-table__header\">When</th><th scope=\"col\" "
                    "class=\"nhsuk-table__header\">Priority</th><th scope=\"col\" "
                    "class=\"nhsuk-table__header\">Rule</th><th scope=\"col\" "
                    "class=\"nhsuk-table__header\">Host</th><th scope=\"col\" "
                    "class=\"nhsuk-table__header\">Address</th></tr></thead><tbody "
                    "class=\"nhsuk-table__body\">");
        for (size_t k = 0; k < nrows; k++) {
            alert_row_t *r = &rows[k];
            ww_buf_puts(b, "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">");
            h(b, r->when);
            ww_buf_printf(b,
                          "</td><td class=\"nhsuk-table__cell\">P%d</td><td "
                          "class=\"nhsuk-table__cell ww-value\">",
                          r->priority);
            /* Alerts themselves are for analysts and above (triage). */
            bool link = ww_console_may(req, WW_ACT_TRIAGE);
            if (link) {
                ww_buf_puts(b, "<a href=\"/alerts/");
                ww_buf_t q;
                ww_buf_init(&q, 0);
                qenc(&q, r->id);
                ha(b, q.p ? q.p : "");
                ww_buf_release(&q);
                ww_buf_puts(b, "\">");
            }
            ww_html_text(b, r->rule, strlen(r->rule), 200);
            ww_buf_puts(b, link ? "</a></td><td class=\"nhsuk-table__cell ww-value\">"
                                : "</td><td class=\"nhsuk-table__cell ww-value\">");
            ww_html_text(b, r->host, strlen(r->host), 120);
            ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell ww-value\">");
            ww_html_text(b, r->ip, strlen(r->ip), 60);
            ww_buf_puts(b, "</td></tr>");
        }
        ww_buf_puts(b, "</tbody></table>");
    }
    free(rows);
    ww_console_page_end(resp);
    estate_unref(e);
    return 0;
}

/* ---- the API's assets ------------------------------------------------------------ */

static void asset_json(ww_buf_t *b, const estate_t *e, size_t i)
{
    const ww_asset_t *a = &e->set.assets[i];
    ww_buf_printf(b, "{\"id\":%lld,\"asset_id\":", (long long)a->rowid);
    js(b, a->asset_id);
    ww_buf_puts(b, ",\"name\":");
    js(b, asset_name(a));
    ww_buf_puts(b, ",\"hostname\":");
    js(b, a->hostname);
    ww_buf_puts(b, ",\"addresses\":[");
    for (size_t k = 0; k < a->nips; k++) {
        if (k)
            ww_buf_putc(b, ',');
        js(b, a->ips[k]);
    }
    ww_buf_puts(b, "],\"kind\":");
    js(b, ww_asset_type_name(a->type));
    ww_buf_puts(b, ",\"segment\":");
    js(b, a->segment);
    ww_buf_puts(b, ",\"clinical_criticality\":");
    js(b,
       a->clinical_criticality == WW_CRIT_UNKNOWN ? NULL : ww_crit_name(a->clinical_criticality));
    ww_buf_puts(b, ",\"owner\":");
    js(b, a->owner);
    ww_buf_printf(b, ",\"medical_device\":%s,\"end_of_support\":",
                  a->type == WW_AT_MEDICAL_DEVICE ? "true" : "false");
    int64_t d = e->eos[i];
    if (d == WW_AUDIT_NODAY || d == WW_AUDIT_NEVER)
        ww_buf_puts(b, "null");
    else if (d == WW_AUDIT_ENDED)
        ww_buf_puts(b, "\"ended\"");
    else {
        char t[16];
        ww_audit_day_format(d, t, sizeof t);
        js(b, t);
    }
    ww_buf_printf(b, ",\"findings\":%zu}", e->nfind[i]);
}

static int h_api_assets(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    ww_diag_t diag = {0};
    estate_t *e = NULL;
    if (estate_get(c, false, &e, &diag) != 0)
        return ww_console_fail(c, req, resp, &diag);
    filt_t f;
    filt_read(req, &f);
    int64_t limit = API_MAX_ROWS, offset = 0, v;
    if (parse_pos(qv(req, "limit"), &v))
        limit = v < API_MAX_ROWS ? v : API_MAX_ROWS;
    const char *os = qv(req, "offset");
    if (os && (ww_parse_i64(os, strlen(os), &v) != 0 || v < 0)) {
        estate_unref(e);
        return api_error(resp, 400, "offset: a whole number of assets, 0 or more");
    }
    if (os)
        offset = v;
    ww_console_json(resp, 200);
    ww_buf_t *b = &resp->body;
    ww_buf_puts(b, "{\"assets\":[");
    int64_t k = 0, out = 0;
    size_t total = 0;
    for (size_t i = 0; i < e->set.n; i++) {
        if (!filt_keep(&f, e, i))
            continue;
        total++;
        if (k++ < offset || out >= limit)
            continue;
        if (out++)
            ww_buf_putc(b, ',');
        asset_json(b, e, i);
    }
    ww_buf_printf(b, "],\"total\":%zu,\"offset\":%lld,\"audited_at\":%lld}\n", total,
                  (long long)offset, (long long)e->made);
    estate_unref(e);
    return b->err;
}

static int h_api_asset(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    int64_t id;
    if (!parse_pos(ww_web_param(req, "id"), &id))
        return api_error(resp, 404, "no such asset");
    ww_diag_t diag = {0};
    estate_t *e = NULL;
    if (estate_get(c, false, &e, &diag) != 0)
        return ww_console_fail(c, req, resp, &diag);
    long i = find_asset(e, id);
    if (i < 0) {
        estate_unref(e);
        return api_error(resp, 404, "no such asset");
    }
    ww_console_json(resp, 200);
    ww_buf_t *b = &resp->body;
    ww_buf_puts(b, "{\"asset\":");
    asset_json(b, e, (size_t)i);
    ww_buf_puts(b, ",\"findings\":[");
    size_t shown = 0;
    for (size_t k = 0; k < e->r->n; k++) {
        const ww_audit_finding_t *fd = &e->r->findings[k];
        if (strcmp(fd->asset_id, e->keys[i]))
            continue;
        if (shown++)
            ww_buf_putc(b, ',');
        ww_buf_puts(b, "{\"check\":");
        js(b, fd->check);
        ww_buf_puts(b, ",\"control\":");
        js(b, fd->control);
        ww_buf_puts(b, ",\"severity\":");
        js(b, ww_sev_name(fd->severity));
        ww_buf_printf(b, ",\"auto_fail\":%s,\"title\":", fd->auto_fail ? "true" : "false");
        js(b, fd->title);
        ww_buf_puts(b, ",\"evidence\":");
        js(b, fd->evidence);
        ww_buf_puts(b, ",\"remedy\":");
        js(b, fd->remedy);
        ww_buf_putc(b, '}');
    }
    ww_buf_puts(b, "],\"alerts\":[");
    ww_console_db_t *db;
    alert_row_t *rows = calloc(ASSET_ALERTS, sizeof *rows);
    size_t nrows = 0;
    if (rows && ww_console_db(c, &db, &diag) == 0)
        asset_alerts(db->st, &e->set.assets[i], rows, ASSET_ALERTS, &nrows);
    for (size_t k = 0; k < nrows; k++) {
        if (k)
            ww_buf_putc(b, ',');
        ww_buf_puts(b, "{\"id\":");
        js(b, rows[k].id);
        ww_buf_puts(b, ",\"rule\":");
        js(b, rows[k].rule);
        ww_buf_puts(b, ",\"host\":");
        js(b, rows[k].host);
        ww_buf_puts(b, ",\"src_ip\":");
        js(b, rows[k].ip);
        ww_buf_puts(b, ",\"time\":");
        js(b, rows[k].when);
        ww_buf_printf(b, ",\"priority\":%d}", rows[k].priority);
    }
    free(rows);
    ww_buf_puts(b, "]}\n");
    estate_unref(e);
    return b->err;
}

/* ---- fire-breaks: the map picture ------------------------------------------------ */

/* Segment indexes a live plan cuts off (isolated, or holding quarantined hosts). */
static void live_marks(const ww_fb_map_t *m, const ww_fb_plan_row_t *live, size_t nlive, bool *cut)
{
    for (size_t i = 0; i < nlive; i++) {
        const char *s = live[i].segment;
        /* A host plan's `segment` lists its hosts' segments, comma-separated. */
        while (s && *s) {
            const char *e = strchr(s, ',');
            size_t n = e ? (size_t)(e - s) : strlen(s);
            for (uint32_t k = 0; k < m->nsegs; k++)
                if (strlen(m->segs[k].name) == n && !strncmp(m->segs[k].name, s, n))
                    cut[k] = true;
            s = e ? e + 1 : NULL;
        }
    }
}

/* The map as an SVG picture: segments on a circle, links as grey lines, clinical flows
 * as green arrows, segments a live fire-break cuts with a red dashed border.  The
 * table under it says the same in words. */
static void map_svg(ww_buf_t *b, const ww_fb_map_t *m, const bool *cut)
{
    uint32_t n = m->nsegs < MAP_DRAW_SEGS ? m->nsegs : MAP_DRAW_SEGS;
    const double W = 760, H = 520, cx = W / 2, cy = H / 2, R = n > 1 ? 200 : 0;
    double *x = calloc(n ? n : 1, sizeof *x), *y = calloc(n ? n : 1, sizeof *y);
    if (!x || !y) {
        free(x);
        free(y);
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        double a = 2 * 3.14159265358979 * i / n - 3.14159265358979 / 2;
        x[i] = cx + R * __builtin_cos(a);
        y[i] = cy + R * __builtin_sin(a);
    }
    size_t nclin = 0;
    for (uint32_t i = 0; i < m->nflows; i++)
        nclin += m->flows[i].clinical;
    ww_buf_printf(
        b,
        "<figure class=\"ww-figure\"><svg class=\"ww-map\" id=\"fbmap\" viewBox=\"0 0 %.0f "
        "%.0f\" width=\"100%%\" role=\"img\" aria-labelledby=\"fbmap-title fbmap-desc\">"
        "<title id=\"fbmap-title\">The network map</title><desc id=\"fbmap-desc\">%u "
        "segments, %u links, %zu clinical flows",
        W, H, m->nsegs, m->nlinks, nclin);
    size_t ncut = 0;
    for (uint32_t i = 0; i < m->nsegs; i++)
        ncut += cut[i];
    ww_buf_printf(b,
                  "; %zu segment%s cut off by a live fire-break. The tables below list them."
                  "</desc><defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" "
                  "refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">"
                  "<path d=\"M0,0 L10,5 L0,10 z\" class=\"ww-map-arrowhead\"/></marker></defs>",
                  ncut, ncut == 1 ? " is" : "s are");
    if (m->has_links) {
        for (uint32_t i = 0; i < m->nlinks; i++) {
            const ww_fb_link_t *l = &m->links[i];
            if (l->a >= n || l->b >= n)
                continue;
            ww_buf_printf(b,
                          "<line class=\"ww-map-link\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                          "y2=\"%.1f\"/>",
                          x[l->a], y[l->a], x[l->b], y[l->b]);
        }
    } else {
        /* A routed core: every segment reaches every other through it. */
        ww_buf_printf(b,
                      "<circle class=\"ww-map-core\" cx=\"%.1f\" cy=\"%.1f\" r=\"22\"/>"
                      "<text class=\"ww-map-label\" x=\"%.1f\" y=\"%.1f\" "
                      "text-anchor=\"middle\">core</text>",
                      cx, cy, cx, cy + 4);
        for (uint32_t i = 0; i < n; i++)
            ww_buf_printf(b,
                          "<line class=\"ww-map-link\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                          "y2=\"%.1f\"/>",
                          cx, cy, x[i], y[i]);
    }
    for (uint32_t i = 0; i < m->nflows; i++) {
        const ww_fb_flow_t *f = &m->flows[i];
        if (!f->clinical || f->from >= n || f->to >= n || f->from == f->to)
            continue;
        /* Stop short of the node so the arrowhead shows. */
        double dx = x[f->to] - x[f->from], dy = y[f->to] - y[f->from];
        double len = __builtin_sqrt(dx * dx + dy * dy);
        double k = len > 0 ? 34 / len : 0;
        ww_buf_printf(b,
                      "<line class=\"ww-map-flow\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                      "marker-end=\"url(#arrow)\"%s><title>",
                      x[f->from] + dx * k, y[f->from] + dy * k, x[f->to] - dx * k,
                      y[f->to] - dy * k, f->both_ways ? " marker-start=\"url(#arrow)\"" : "");
        h(b, m->segs[f->from].name);
        ww_buf_puts(b, f->both_ways ? " and " : " to ");
        h(b, m->segs[f->to].name);
        ww_buf_puts(b, ": clinical flow");
        if (f->reason) {
            ww_buf_puts(b, " (");
            ww_html_text(b, f->reason, strlen(f->reason), 120);
            ww_buf_puts(b, ")");
        }
        ww_buf_puts(b, "</title></line>");
    }
    for (uint32_t i = 0; i < n; i++) {
        const ww_fb_segment_t *s = &m->segs[i];
        ww_buf_printf(b,
                      "<g class=\"ww-map-seg ww-kind-%s%s%s\"><circle cx=\"%.1f\" cy=\"%.1f\" "
                      "r=\"30\"/><text class=\"ww-map-label\" x=\"%.1f\" y=\"%.1f\" "
                      "text-anchor=\"middle\">",
                      ww_fb_kind_name(s->kind), s->clinical ? " ww-clinical" : "",
                      cut[i] ? " ww-cut" : "", x[i], y[i], x[i], y[i] + 46);
        ww_html_text(b, s->name, strlen(s->name), 24);
        ww_buf_printf(b, "</text><title>");
        h(b, s->name);
        ww_buf_printf(b, ": %s%s%s</title></g>", ww_fb_kind_name(s->kind),
                      s->clinical ? ", clinical" : "",
                      cut[i] ? ", cut off by a live fire-break" : "");
    }
    ww_buf_puts(b, "</svg><figcaption class=\"nhsuk-body-s\">Circles are segments (a red dashed "
                   "ring: cut off by a live fire-break; a thick ring: clinical); grey lines are "
                   "routed links");
    if (!m->has_links)
        ww_buf_puts(b, " (a routed core: every segment reaches every other)");
    ww_buf_puts(b, "; green arrows are clinical flows that a fire-break keeps open.");
    if (m->nsegs > n)
        ww_buf_printf(b, " The picture shows the first %u segments; the table lists all %u.", n,
                      m->nsegs);
    ww_buf_puts(b, "</figcaption></figure>");
    free(x);
    free(y);
}

static void ports_text(ww_buf_t *b, const ww_fb_flow_t *f)
{
    if (!f->nports) {
        ww_buf_puts(b, f->proto == WW_FB_ICMP || f->proto == WW_FB_ANY ? "" : " every port");
        return;
    }
    for (uint32_t k = 0; k < f->nports; k++)
        if (f->ports[k].lo == f->ports[k].hi)
            ww_buf_printf(b, "%s%u", k ? "," : " ", f->ports[k].lo);
        else
            ww_buf_printf(b, "%s%u-%u", k ? "," : " ", f->ports[k].lo, f->ports[k].hi);
}

static void map_tables(ww_buf_t *b, const ww_fb_map_t *m, const bool *cut)
{
    ww_buf_puts(b,
                "<h3>Segments</h3><table class=\"nhsuk-table\" id=\"segments\"><caption "
                "class=\"nhsuk-table__caption nhsuk-u-visually-hidden\">Segments</caption><thead "
                "class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\"><th scope=\"col\" "
                "class=\"nhsuk-table__header\">Segment</th><th scope=\"col\" "
                "class=\"nhsuk-table__header\">Kind</th><th scope=\"col\" "
                "class=\"nhsuk-table__header\">Addresses</th><th scope=\"col\" "
                "class=\"nhsuk-table__header\">State</th></tr></thead><tbody "
                "class=\"nhsuk-table__body\">");
    for (uint32_t i = 0; i < m->nsegs; i++) {
        const ww_fb_segment_t *s = &m->segs[i];
        ww_buf_puts(b, "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell ww-value\">");
        h(b, s->name);
        ww_buf_printf(b,
                      "</td><td class=\"nhsuk-table__cell\">%s%s%s</td><td "
                      "class=\"nhsuk-table__cell\">",
                      ww_fb_kind_name(s->kind), s->clinical ? ", clinical" : "",
                      s->monitor_only ? ", monitor only" : "");
        for (uint32_t k = 0; k < s->ncidrs; k++) {
            char t[64];
            ww_fb_cidr_format(&s->cidrs[k], t, sizeof t);
            ww_buf_printf(b, "%s%s", k ? ", " : "", t);
        }
        ww_buf_printf(b, "</td><td class=\"nhsuk-table__cell\">%s</td></tr>",
                      cut[i] ? "<strong class=\"nhsuk-tag nhsuk-tag--red\">cut off</strong>"
                             : "connected");
    }
    ww_buf_puts(b, "</tbody></table><h3>Flows that must keep working</h3>");
    if (!m->nflows) {
        ww_buf_puts(b, "<p>The map lists no flows.</p>");
        return;
    }
    ww_buf_puts(b, "<table class=\"nhsuk-table\" id=\"flows\"><caption class=\"nhsuk-table__"
                   "caption nhsuk-u-visually-hidden\">Flows</caption><thead "
                   "class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\"><th scope=\"col\" "
                   "class=\"nhsuk-table__header\">From</th><th scope=\"col\" "
                   "class=\"nhsuk-table__header\">To</th><th scope=\"col\" "
                   "class=\"nhsuk-table__header\">Traffic</th><th scope=\"col\" "
                   "class=\"nhsuk-table__header\">Why</th></tr></thead><tbody "
                   "class=\"nhsuk-table__body\">");
    for (uint32_t i = 0; i < m->nflows; i++) {
        const ww_fb_flow_t *f = &m->flows[i];
        ww_buf_puts(b, "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">");
        h(b, m->segs[f->from].name);
        ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell\">");
        h(b, m->segs[f->to].name);
        ww_buf_printf(b, "%s</td><td class=\"nhsuk-table__cell\">%s",
                      f->both_ways ? " (both ways)" : "", ww_fb_proto_name(f->proto));
        ports_text(b, f);
        ww_buf_printf(
            b, "%s</td><td class=\"nhsuk-table__cell ww-value\">",
            f->clinical ? " <strong class=\"nhsuk-tag nhsuk-tag--green\">clinical</strong>" : "");
        if (f->reason)
            ww_html_text(b, f->reason, strlen(f->reason), 300);
        ww_buf_puts(b, "</td></tr>");
    }
    ww_buf_puts(b, "</tbody></table>");
}

static void plan_row_html(ww_buf_t *b, const ww_fb_plan_row_t *r)
{
    char subject[3300];
    ww_fb_describe(r, subject, sizeof subject);
    ww_buf_printf(b,
                  "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\"><a "
                  "href=\"/firebreaks/plans/%lld\">Plan %lld</a></td><td "
                  "class=\"nhsuk-table__cell ww-value\">",
                  (long long)r->id, (long long)r->id);
    h(b, subject);
    ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell\">");
    bool live = !strcmp(r->state, "pending") || !strcmp(r->state, "active");
    ww_buf_printf(b, "<strong class=\"nhsuk-tag%s\">",
                  live ? " nhsuk-tag--red" : " nhsuk-tag--grey");
    h(b, r->state);
    ww_buf_puts(b, "</strong></td><td class=\"nhsuk-table__cell ww-value\">");
    h(b, r->by);
    ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell ww-value\">");
    h(b, r->applied_at && *r->applied_at ? r->applied_at : r->created);
    ww_buf_puts(b, "</td><td class=\"nhsuk-table__cell ww-value\">");
    if (r->reason)
        ww_html_text(b, r->reason, strlen(r->reason), 200);
    ww_buf_puts(b, "</td></tr>");
}

static void plans_table(ww_buf_t *b, const char *id, const char *caption,
                        const ww_fb_plan_row_t *rows, size_t n, size_t from)
{
    ww_buf_printf(b,
                  "<table class=\"nhsuk-table\" id=\"%s\"><caption class=\"nhsuk-table__caption "
                  "nhsuk-u-visually-hidden\">%s</caption><thead class=\"nhsuk-table__head\"><tr "
                  "class=\"nhsuk-table__row\"><th scope=\"col\" class=\"nhsuk-table__header\">Plan"
                  "</th><th scope=\"col\" class=\"nhsuk-table__header\">What it cuts</th><th "
                  "scope=\"col\" class=\"nhsuk-table__header\">State</th><th scope=\"col\" "
                  "class=\"nhsuk-table__header\">By</th><th scope=\"col\" "
                  "class=\"nhsuk-table__header\">When</th><th scope=\"col\" "
                  "class=\"nhsuk-table__header\">Reason</th></tr></thead><tbody "
                  "class=\"nhsuk-table__body\">",
                  id, caption);
    for (size_t i = from; i < n; i++)
        plan_row_html(b, &rows[n - 1 - i + from]); /* newest first */
    ww_buf_puts(b, "</tbody></table>");
}

/* The store with the fire-break tables brought up to date, or NULL after resp was
 * filled with the 500 page. */
static ww_console_db_t *fb_db(ww_console_t *c, const ww_web_req_t *req, ww_web_resp_t *resp)
{
    ww_diag_t diag = {0};
    ww_console_db_t *db = ww_console_db_or_fail(c, req, resp);
    if (db && ww_fb_store_migrate(db->st, &diag) != 0) {
        ww_console_fail(c, req, resp, &diag);
        return NULL;
    }
    return db;
}

static int h_firebreaks(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    ww_diag_t diag = {0};
    ww_console_db_t *db = fb_db(c, req, resp);
    if (!db)
        return 0;
    ww_fb_plan_row_t *live = NULL, *all = NULL;
    size_t nlive = 0, nall = 0;
    if (ww_fb_plan_list(db->st, true, &live, &nlive) != 0 ||
        ww_fb_plan_list(db->st, false, &all, &nall) != 0) {
        ww_fb_plan_rows_free(live, nlive);
        ww_diag_set(&diag, db->st->path, 0, 0, "fire-break records: %s", ww_store_errmsg(db->st));
        return ww_console_fail(c, req, resp, &diag);
    }
    ww_fb_map_t *m = NULL;
    char why[512];
    int mrc = ww_fb_map_open(db->st, 0, NULL, &m, NULL, 0, why, sizeof why);
    ww_buf_t *b = &resp->body;
    ww_console_page_begin(c, req, resp, "Fire-breaks", "/firebreaks");
    ww_buf_puts(b, "<link rel=\"stylesheet\" href=\"/assets/estate.css\"><h1>Fire-breaks</h1>"
                   "<p class=\"nhsuk-lede-text\">Cut an infected host or segment off the network "
                   "while the clinical flows that must keep working stay open.</p>");
    if (ww_console_may(req, WW_ACT_FIREBREAK_PLAN))
        ww_buf_puts(b, "<p><a class=\"nhsuk-button\" href=\"/firebreaks/plan\">Plan a fire-break"
                       "</a></p>");
    ww_buf_printf(b, "<h2 id=\"live\">Live fire-breaks (%zu)</h2>", nlive);
    if (!nlive)
        ww_buf_puts(b, "<p>No fire-break is on the router.</p>");
    else
        plans_table(b, "live-table", "Live fire-breaks", live, nlive, 0);
    ww_buf_puts(b, "<h2 id=\"map\">The network map</h2>");
    if (mrc != 0) {
        ww_buf_puts(b, "<p>");
        h(b, mrc == WW_ENOENT ? "No network map is stored yet: import one with `wardwatch "
                                "firebreak map import FILE`."
                              : why);
        ww_buf_puts(b, "</p>");
    } else {
        bool *cut = calloc(m->nsegs ? m->nsegs : 1, sizeof *cut);
        if (cut) {
            live_marks(m, live, nlive, cut);
            map_svg(b, m, cut);
            map_tables(b, m, cut);
            free(cut);
        }
    }
    ww_buf_printf(b, "<h2 id=\"plans\">Plans</h2>");
    if (!nall)
        ww_buf_puts(b, "<p>No plan has been made yet.</p>");
    else {
        size_t from = nall > PLANS_LISTED ? nall - PLANS_LISTED : 0;
        plans_table(b, "plans-table", "Plans, newest first", all, nall, from);
        if (from)
            ww_buf_printf(b,
                          "<p>The %d newest of %zu plans; `wardwatch firebreak log` lists "
                          "every record.</p>",
                          PLANS_LISTED, nall);
    }
    ww_console_page_end(resp);
    ww_fb_map_free(m);
    ww_fb_plan_rows_free(live, nlive);
    ww_fb_plan_rows_free(all, nall);
    return 0;
}

/* ---- planning ------------------------------------------------------------------- */

static void plan_form(ww_buf_t *b, const ww_web_req_t *req, const char *host, const char *segment,
                      const char *reason, const char *err_field, const char *err)
{
    if (err)
        ww_console_error_summary(b, 2, err, err_field);
    ww_buf_puts(b, "<form method=\"post\" action=\"/firebreaks/plan\" novalidate>");
    ww_console_csrf_field(b, req);
    ww_console_input(b, &(ww_console_input_t){
                            .id = "host",
                            .label = "Hosts to quarantine",
                            .hint = "One or more addresses, separated by commas. Only these hosts "
                                    "are cut off; their segment keeps working.",
                            .error = err && !strcmp(err_field, "host") ? err : NULL,
                            .value = host ? host : "",
                        });
    ww_console_input(b, &(ww_console_input_t){
                            .id = "segment",
                            .label = "Or a whole segment to isolate",
                            .hint = "The segment's name in the map. Leave empty when you gave "
                                    "hosts.",
                            .error = err && !strcmp(err_field, "segment") ? err : NULL,
                            .value = segment ? segment : "",
                        });
    ww_console_field_begin(b, "reason", "Why", "Goes into the hazard log with the plan.", NULL);
    ww_buf_puts(b, "<textarea class=\"nhsuk-textarea\" id=\"reason\" name=\"reason\" rows=\"3\" "
                   "aria-describedby=\"reason-hint\">");
    h(b, reason);
    ww_buf_puts(b, "</textarea>\n");
    ww_console_field_end(b);
    ww_buf_puts(b, "<button class=\"nhsuk-button\" type=\"submit\">Make the "
                   "plan</button></form><p>Making a plan changes nothing on the network: you see "
                   "its blast radius first, then apply it.</p>");
}

static int h_plan_form(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    const char *host = qv(req, "host"), *segment = qv(req, "segment");
    /* An alert names its host as the log did, often by name: the register gives its
       addresses, which is what a plan cuts. */
    if (host && *host && !strchr(host, ',')) {
        struct in6_addr a6;
        struct in_addr a4;
        ww_console_db_t *db;
        ww_diag_t d = {0};
        ww_asset_t as;
        if (inet_pton(AF_INET, host, &a4) != 1 && inet_pton(AF_INET6, host, &a6) != 1 &&
            ww_console_db(c, &db, &d) == 0 &&
            ww_asset_find(db->reg, host, &req->arena, &as, &d) == 1 && as.nips) {
            ww_buf_t ips;
            ww_buf_init(&ips, 4096);
            for (size_t i = 0; i < as.nips; i++)
                ww_buf_printf(&ips, "%s%s", i ? "," : "", as.ips[i]);
            if (!ips.err && ips.n)
                host = ww_arena_strndup(&req->arena, ips.p, ips.n);
            ww_buf_release(&ips);
        }
    }
    ww_console_page_begin(c, req, resp, "Plan a fire-break", "/firebreaks");
    ww_buf_puts(&resp->body, "<nav class=\"nhsuk-back-link\" aria-label=\"Back\"><a "
                             "class=\"nhsuk-back-link__link\" href=\"/firebreaks\">Back to "
                             "fire-breaks</a></nav><h1>Plan a fire-break</h1>");
    plan_form(&resp->body, req, host, segment, NULL, NULL, NULL);
    ww_console_page_end(resp);
    return 0;
}

/* The person for the hazard log and the audit log. */
static const char *actor_name(const ww_web_req_t *req)
{
    ww_auth_actor_t a = {0};
    ww_console_actor(req, &a);
    return a.name && *a.name ? a.name : "console";
}

/* Makes a plan from a host list or a segment; 0 and *p, or an error status with why
 * (which field in *field). */
static int make_plan(ww_console_t *c, ww_web_req_t *req, const char *host, const char *segment,
                     const char *reason, ww_fb_loaded_t *p, const char **field, char *why,
                     size_t whylen, ww_diag_t *diag)
{
    *field = host && *host ? "host" : "segment";
    if ((!host || !*host) == (!segment || !*segment)) {
        snprintf(why, whylen,
                 "Give the hosts to quarantine, or a segment to isolate (one of "
                 "the two).");
        *field = "host";
        return 400;
    }
    if ((host && strlen(host) > 4000) || (segment && strlen(segment) > WW_FB_MAX_NAME) ||
        (reason && strlen(reason) > WW_FB_MAX_TEXT)) {
        snprintf(why, whylen,
                 "Too long: hosts up to 4000 characters, a segment name up to %d, "
                 "a reason up to %d.",
                 WW_FB_MAX_NAME, WW_FB_MAX_TEXT);
        return 400;
    }
    ww_console_db_t *db;
    if (ww_console_db(c, &db, diag) != 0 || ww_fb_store_migrate(db->st, diag) != 0)
        return 500;
    ww_fb_plan_req_t pr = {NULL, host && *host ? NULL : segment, host && *host ? host : NULL,
                           reason && *reason ? reason : NULL, actor_name(req)};
    int rc = ww_fb_plan_make(db->st, &pr, p, why, whylen);
    if (rc == WW_EIO || rc == WW_ENOMEM)
        return 500;
    if (rc)
        return rc == WW_ENOENT && strstr(why, "no network map") ? 409 : 400;
    char target[32], detail[600];
    snprintf(target, sizeof target, "plan %lld", (long long)p->row.id);
    ww_fb_describe(&p->row, detail, sizeof detail);
    ww_console_audit(c, req, "firebreak.plan", target, detail);
    return 0;
}

static int h_plan_post(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    const char *host = ww_web_form(req, "host"), *segment = ww_web_form(req, "segment");
    const char *reason = ww_web_form(req, "reason");
    ww_fb_loaded_t p;
    const char *field;
    char why[1024];
    ww_diag_t diag = {0};
    int st = make_plan(c, req, host, segment, reason, &p, &field, why, sizeof why, &diag);
    if (st == 500) {
        if (!diag.msg[0])
            ww_diag_set(&diag, "", 0, 0, "plan: %s", why);
        return ww_console_fail(c, req, resp, &diag);
    }
    if (st) {
        ww_console_page_begin(c, req, resp, "Plan a fire-break", "/firebreaks");
        resp->status = (unsigned)st;
        ww_buf_puts(&resp->body, "<h1>Plan a fire-break</h1>");
        plan_form(&resp->body, req, host, segment, reason, field, why);
        ww_console_page_end(resp);
        return 0;
    }
    char loc[64];
    snprintf(loc, sizeof loc, "/firebreaks/plans/%lld", (long long)p.row.id);
    ww_fb_loaded_release(&p);
    return ww_web_resp_redirect(resp, loc);
}

/* ---- a plan's page and its actions ---------------------------------------------- */

static bool is_live(const ww_fb_plan_row_t *r)
{
    return !strcmp(r->state, "pending") || !strcmp(r->state, "active");
}

static void action_form(ww_buf_t *b, const ww_web_req_t *req, int64_t id, const char *action,
                        const char *label, bool danger, bool rollback)
{
    ww_buf_printf(b,
                  "<form method=\"post\" action=\"/firebreaks/plans/%lld/%s\" "
                  "class=\"ww-action\" novalidate><h3>%s</h3>",
                  (long long)id, action, label);
    ww_console_csrf_field(b, req);
    char fid[64];
    snprintf(fid, sizeof fid, "reason-%s", action);
    ww_console_field_begin(b, fid, "Reason (required, kept in the hazard log)", NULL, NULL);
    ww_buf_printf(b,
                  "<textarea class=\"nhsuk-textarea\" id=\"%s\" name=\"reason\" rows=\"2\" "
                  "required></textarea>\n",
                  fid);
    ww_console_field_end(b);
    if (rollback) {
        char secs[16];
        snprintf(fid, sizeof fid, "rollback-%s", action);
        snprintf(secs, sizeof secs, "%d", WW_FB_DEFAULT_ROLLBACK_S);
        ww_console_input(b, &(ww_console_input_t){
                                .id = fid,
                                .name = "rollback_after",
                                .label = "Roll back automatically after this many seconds "
                                         "unless confirmed (0: never)",
                                .value = secs,
                                .width = "5",
                                .extra = " inputmode=\"numeric\"",
                            });
    }
    ww_buf_printf(b, "<button class=\"nhsuk-button%s\" type=\"submit\">%s</button></form>",
                  danger ? " nhsuk-button--warning" : " nhsuk-button--secondary", label);
}

static int h_plan_page(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    int64_t id;
    if (!parse_pos(ww_web_param(req, "id"), &id))
        return ww_web_resp_error(req, resp, 404, "No such plan.");
    ww_diag_t diag = {0};
    ww_console_db_t *db = fb_db(c, req, resp);
    if (!db)
        return 0;
    ww_fb_loaded_t p;
    char why[1024];
    int rc = ww_fb_plan_open(db->st, id, true, &p, why, sizeof why);
    if (rc == WW_ENOENT && strstr(why, "no such plan"))
        return ww_web_resp_error(req, resp, 404, "No such plan.");
    if (rc) {
        ww_diag_set(&diag, db->st->path, 0, 0, "%s", why);
        return ww_console_fail(c, req, resp, &diag);
    }
    ww_buf_t text;
    ww_buf_init(&text, 0);
    ww_fb_render_text(p.m, &p.info, &text);
    ww_buf_t *b = &resp->body;
    char title[64], subject[3300];
    snprintf(title, sizeof title, "Fire-break plan %lld", (long long)id);
    ww_fb_describe(&p.row, subject, sizeof subject);
    ww_console_page_begin(c, req, resp, title, "/firebreaks");
    ww_buf_puts(b,
                "<link rel=\"stylesheet\" href=\"/assets/estate.css\"><nav "
                "class=\"nhsuk-back-link\" aria-label=\"Back\"><a class=\"nhsuk-back-link__link\" "
                "href=\"/firebreaks\">Back to fire-breaks</a></nav><h1>");
    h(b, title);
    ww_buf_puts(b, "</h1><dl class=\"nhsuk-summary-list\" id=\"plan-summary\">");
    row_kv(b, p.nhosts ? "Quarantines" : "Isolates", subject);
    row_kv(b, "State", p.row.state);
    row_kv(b, "Planned by", p.row.by);
    row_kv(b, "Planned at", p.row.created);
    row_kv(b, "Reason", p.row.reason);
    if (p.row.applied_at && *p.row.applied_at)
        row_kv(b, "Applied at", p.row.applied_at);
    ww_buf_puts(b, "</dl>");
    if (!strcmp(p.row.state, "pending"))
        ww_buf_puts(b, "<div class=\"nhsuk-warning-callout\"><h2 class=\"nhsuk-warning-callout__"
                       "label\"><span role=\"text\"><span class=\"nhsuk-u-visually-hidden\">"
                       "Important: </span>Waiting for confirmation</span></h2><p>This fire-break "
                       "is on the router and rolls back by itself unless it is confirmed in time."
                       "</p></div>");
    ww_buf_puts(b, "<h2 id=\"blast\">Blast radius: what keeps working and what stops</h2>"
                   "<pre class=\"ww-pre ww-value\" tabindex=\"0\" id=\"plan-text\">");
    ww_html_text(b, text.p ? text.p : "", text.n, 0);
    ww_buf_puts(b, "</pre>");
    ww_buf_release(&text);
    if (ww_console_may(req, WW_ACT_FIREBREAK_APPLY)) {
        ww_buf_puts(b, "<h2 id=\"actions\">Actions</h2>");
        if (!ww_console_reauth_fresh(c, req)) {
            ww_buf_printf(b,
                          "<p>Applying, confirming or lifting a fire-break needs you to sign in "
                          "again with your password and security code. <a "
                          "href=\"/reauth?next=/firebreaks/plans/%lld\">Confirm it is you</a>.</p>",
                          (long long)id);
        }
        if (!is_live(&p.row)) {
            ww_buf_printf(b,
                          "<form method=\"post\" action=\"/firebreaks/plans/%lld/dry-run\" "
                          "class=\"ww-action\"><h3>Dry run</h3><p>Shows the nftables script "
                          "and checks it with <code>nft -c</code>. Nothing is loaded.</p>",
                          (long long)id);
            ww_console_csrf_field(b, req);
            ww_buf_puts(b, "<button class=\"nhsuk-button nhsuk-button--secondary\" "
                           "type=\"submit\">Dry run</button></form>");
            action_form(b, req, id, "apply", "Apply this fire-break", true, true);
        } else {
            if (!strcmp(p.row.state, "pending"))
                action_form(b, req, id, "confirm", "Confirm: keep this fire-break", false, false);
            action_form(b, req, id, "lift", "Lift this fire-break", true, false);
        }
    }
    ww_buf_puts(b, "<h2 id=\"ruleset\">The nftables script</h2><pre class=\"ww-pre ww-value\" "
                   "tabindex=\"0\">");
    h(b, p.row.ruleset);
    ww_buf_puts(b, "</pre>");
    ww_console_page_end(resp);
    ww_fb_loaded_release(&p);
    return 0;
}

typedef enum { ACT_DRY, ACT_APPLY, ACT_CONFIRM, ACT_LIFT } act_t;

/* The console's watchdog: serve is wardwatch itself, so the rollback runs as
 * `wardwatch firebreak watchdog` exactly as after a CLI apply. */
static int console_watchdog(void *ud, int64_t id, char *why, size_t whylen)
{
    ww_console_t *c = ud;
    const ww_console_config_t *cfg = ww_console_cfg(c);
    const char *alt = getenv("WARDWATCH_FIREBREAK_WATCHDOG");
    return ww_fb_watchdog_spawn(alt && *alt ? alt : "/proc/self/exe",
                                ww_store_default_path(cfg->store_path), id, why, whylen);
}

/* What one action did, for the page or the API. */
typedef struct act_out {
    unsigned status; /* 200, or the HTTP error */
    char msg[8192];  /* the outcome in words */
    ww_fb_result_t res;
    char state[32];
} act_out_t;

/* Runs an action on plan `id`.  The caller has checked role and freshness. */
static int run_action(ww_console_t *c, ww_web_req_t *req, int64_t id, act_t act, const char *reason,
                      long rollback, bool override, act_out_t *o, ww_diag_t *diag)
{
    ww_fb_result_init(&o->res);
    o->status = 200;
    if (act != ACT_DRY && (!reason || !*reason)) {
        o->status = 400;
        snprintf(o->msg, sizeof o->msg, "Give a reason: it goes into the hazard log.");
        return 0;
    }
    if (reason && strlen(reason) > WW_FB_MAX_TEXT) {
        o->status = 400;
        snprintf(o->msg, sizeof o->msg, "The reason is longer than %d characters.", WW_FB_MAX_TEXT);
        return 0;
    }
    ww_console_db_t *db;
    int rc = ww_console_db(c, &db, diag);
    if (rc == 0)
        rc = ww_fb_store_migrate(db->st, diag);
    if (rc)
        return rc;
    const char *by = actor_name(req);
    ww_fb_loaded_t p;
    char why[4096] = "";
    rc = ww_fb_plan_open(db->st, id, false, &p, why, sizeof why);
    if (rc) {
        o->status = rc == WW_ENOENT && strstr(why, "no such plan") ? 404 : 409;
        snprintf(o->msg, sizeof o->msg, "%s", why);
        return 0;
    }
    int r = -1;
    switch (act) {
    case ACT_DRY:
    case ACT_APPLY: {
        ww_fb_apply_opts_t ao = {by, reason, act == ACT_APPLY, rollback, override, console_watchdog,
                                 c};
        r = ww_fb_apply(db->st, &p, &ao, &o->res, why, sizeof why);
        if (r == 0 && act == ACT_DRY)
            snprintf(o->msg, sizeof o->msg, "Dry run of plan %lld: nft -c %s. Nothing was loaded.",
                     (long long)id,
                     o->res.check == 0 ? "accepts the ruleset" : "REJECTS the ruleset");
        else if (r == 0)
            snprintf(o->msg, sizeof o->msg, "Plan %lld is loaded: %.1500s %s.%s", (long long)id,
                     o->res.subject,
                     p.nhosts ? (p.nhosts == 1 ? "is quarantined" : "are quarantined")
                              : "is isolated",
                     o->res.secs ? " It rolls back automatically unless you confirm it." : "");
        break;
    }
    case ACT_CONFIRM:
        r = ww_fb_confirm(db->st, &p.row, by, reason, why, sizeof why);
        if (r == 0)
            snprintf(o->msg, sizeof o->msg, "Plan %lld is confirmed: it stays until it is lifted.",
                     (long long)id);
        break;
    case ACT_LIFT:
        r = ww_fb_lift(db->st, &p.row, by, reason, &o->res, why, sizeof why);
        if (r == 0)
            snprintf(o->msg, sizeof o->msg, "Plan %lld is lifted: %.1500s reachable as before.",
                     (long long)id, o->res.subject);
        break;
    }
    if (r != 0) {
        o->status = 409;
        snprintf(o->msg, sizeof o->msg, "%s%s%s%s%s",
                 why[0] ? why : "The record could not be written.",
                 o->res.show_msgs && o->res.msgs.p ? " " : "",
                 o->res.show_msgs && o->res.msgs.p ? o->res.msgs.p : "",
                 o->res.unrecorded[0] ? " " : "", o->res.unrecorded);
    }
    ww_fb_plan_row_t now;
    if (ww_fb_plan_get(db->st, id, &now) == 0) {
        snprintf(o->state, sizeof o->state, "%s", now.state);
        ww_fb_plan_row_release(&now);
    }
    char target[32], detail[2300];
    snprintf(target, sizeof target, "plan %lld", (long long)id);
    snprintf(detail, sizeof detail, "%s%s: %.1500s", r == 0 ? "" : "failed: ", reason ? reason : "",
             o->msg);
    ww_console_audit(c, req,
                     act == ACT_DRY       ? "firebreak.dry-run"
                     : act == ACT_APPLY   ? "firebreak.apply"
                     : act == ACT_CONFIRM ? "firebreak.confirm"
                                          : "firebreak.lift",
                     target, detail);
    ww_fb_loaded_release(&p);
    return 0;
}

static act_t act_of(const ww_web_req_t *req)
{
    const char *a = ww_web_param(req, "action");
    if (!a)
        return (act_t)-1;
    if (!strcmp(a, "dry-run"))
        return ACT_DRY;
    if (!strcmp(a, "apply"))
        return ACT_APPLY;
    if (!strcmp(a, "confirm"))
        return ACT_CONFIRM;
    if (!strcmp(a, "lift"))
        return ACT_LIFT;
    return (act_t)-1;
}

static bool parse_rollback(const char *s, long *out)
{
    if (!s || !*s) {
        *out = -1;
        return true;
    }
    int64_t v;
    if (ww_parse_i64(s, strlen(s), &v) != 0 || v < 0 || v > 86400)
        return false;
    *out = (long)v;
    return true;
}

static int h_plan_action(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    int64_t id;
    if (!parse_pos(ww_web_param(req, "id"), &id))
        return ww_web_resp_error(req, resp, 404, "No such plan.");
    act_t act = act_of(req);
    if ((int)act < 0)
        return ww_web_resp_error(req, resp, 404, "No such action.");
    if (act != ACT_DRY) {
        if (!ww_console_may(req, WW_ACT_FIREBREAK_APPLY))
            return ww_web_resp_error(req, resp, 403,
                                     "Only responders apply, confirm or lift "
                                     "fire-breaks.");
        if (!ww_console_reauth_fresh(c, req)) {
            char next[96];
            snprintf(next, sizeof next, "/reauth?next=/firebreaks/plans/%lld", (long long)id);
            return ww_web_resp_redirect(resp, next);
        }
    }
    long rollback;
    act_out_t o;
    memset(&o, 0, sizeof o);
    ww_diag_t diag = {0};
    if (!parse_rollback(ww_web_form(req, "rollback_after"), &rollback)) {
        ww_fb_result_init(&o.res);
        o.status = 400;
        snprintf(o.msg, sizeof o.msg, "The rollback time is a number of seconds from 0 to 86400.");
    } else if (run_action(c, req, id, act, ww_web_form(req, "reason"), rollback, false, &o,
                          &diag) != 0) {
        ww_fb_result_release(&o.res);
        return ww_console_fail(c, req, resp, &diag);
    }
    char title[64];
    snprintf(title, sizeof title, "Fire-break plan %lld", (long long)id);
    ww_buf_t *b = &resp->body;
    ww_console_page_begin(c, req, resp, title, "/firebreaks");
    resp->status = o.status;
    ww_buf_printf(b,
                  "<link rel=\"stylesheet\" href=\"/assets/estate.css\"><nav "
                  "class=\"nhsuk-back-link\" aria-label=\"Back\"><a "
                  "class=\"nhsuk-back-link__link\" href=\"/firebreaks/plans/%lld\">Back to plan "
                  "%lld</a></nav><h1>",
                  (long long)id, (long long)id);
    h(b, title);
    ww_buf_puts(b, "</h1>");
    if (o.status != 200)
        ww_console_error_summary(b, 2, o.msg, "outcome");
    ww_buf_puts(b, "<p id=\"outcome\" class=\"ww-value\">");
    h(b, o.msg);
    ww_buf_puts(b, "</p>");
    if (act == ACT_DRY && o.status == 200) {
        ww_buf_puts(b,
                    "<h2>The file nft would load</h2><pre class=\"ww-pre ww-value\" tabindex=\"0\" "
                    "id=\"dry-run-script\">");
        h(b, o.res.file.p);
        ww_buf_puts(b, "</pre>");
        if (o.res.check != 0 && o.res.msgs.p) {
            ww_buf_puts(b,
                        "<h2>What nft -c said</h2><pre class=\"ww-pre ww-value\" tabindex=\"0\">");
            h(b, o.res.msgs.p);
            ww_buf_puts(b, "</pre>");
        }
    }
    ww_buf_printf(b, "<p><a href=\"/firebreaks/plans/%lld\">Back to the plan</a></p>",
                  (long long)id);
    ww_console_page_end(resp);
    ww_fb_result_release(&o.res);
    return 0;
}

/* ---- the fire-break API --------------------------------------------------------- */

static void plan_row_json(ww_buf_t *b, const ww_fb_plan_row_t *r)
{
    ww_buf_printf(b, "{\"id\":%lld,\"state\":", (long long)r->id);
    js(b, r->state);
    ww_buf_puts(b, ",\"segment\":");
    js(b, r->segment);
    ww_buf_puts(b, ",\"hosts\":");
    js(b, r->hosts && *r->hosts ? r->hosts : NULL);
    ww_buf_puts(b, ",\"infected_ip\":");
    js(b, r->infected_ip);
    ww_buf_puts(b, ",\"by\":");
    js(b, r->by);
    ww_buf_puts(b, ",\"reason\":");
    js(b, r->reason);
    ww_buf_puts(b, ",\"created\":");
    js(b, r->created);
    ww_buf_puts(b, ",\"applied_at\":");
    js(b, r->applied_at && *r->applied_at ? r->applied_at : NULL);
    if (!strcmp(r->state, "pending") && r->deadline) {
        long left = (long)((r->deadline - ww_fb_now_ms() + 999) / 1000);
        ww_buf_printf(b, ",\"rollback_in_s\":%ld", left > 0 ? left : 0);
    }
    ww_buf_putc(b, '}');
}

static int h_api_firebreaks(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    ww_diag_t diag = {0};
    ww_console_db_t *db = fb_db(c, req, resp);
    if (!db)
        return 0;
    ww_fb_plan_row_t *all = NULL;
    size_t nall = 0;
    if (ww_fb_plan_list(db->st, false, &all, &nall) != 0) {
        ww_diag_set(&diag, db->st->path, 0, 0, "fire-break records: %s", ww_store_errmsg(db->st));
        return ww_console_fail(c, req, resp, &diag);
    }
    ww_fb_map_t *m = NULL;
    char why[512];
    int mrc = ww_fb_map_open(db->st, 0, NULL, &m, NULL, 0, why, sizeof why);
    ww_console_json(resp, 200);
    ww_buf_t *b = &resp->body;
    ww_buf_puts(b, "{\"map\":");
    if (mrc)
        ww_buf_puts(b, "null");
    else {
        ww_buf_puts(b, "{\"segments\":[");
        for (uint32_t i = 0; i < m->nsegs; i++) {
            const ww_fb_segment_t *s = &m->segs[i];
            ww_buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
            js(b, s->name);
            ww_buf_printf(b, ",\"kind\":\"%s\",\"clinical\":%s,\"cidrs\":[",
                          ww_fb_kind_name(s->kind), s->clinical ? "true" : "false");
            for (uint32_t k = 0; k < s->ncidrs; k++) {
                char t[64];
                ww_fb_cidr_format(&s->cidrs[k], t, sizeof t);
                ww_buf_printf(b, "%s\"%s\"", k ? "," : "", t);
            }
            ww_buf_puts(b, "]}");
        }
        ww_buf_puts(b, "],\"links\":[");
        for (uint32_t i = 0; i < m->nlinks; i++) {
            ww_buf_puts(b, i ? ",{\"a\":" : "{\"a\":");
            js(b, m->segs[m->links[i].a].name);
            ww_buf_puts(b, ",\"b\":");
            js(b, m->segs[m->links[i].b].name);
            ww_buf_putc(b, '}');
        }
        ww_buf_puts(b, "],\"flows\":[");
        for (uint32_t i = 0; i < m->nflows; i++) {
            const ww_fb_flow_t *f = &m->flows[i];
            ww_buf_puts(b, i ? ",{\"from\":" : "{\"from\":");
            js(b, m->segs[f->from].name);
            ww_buf_puts(b, ",\"to\":");
            js(b, m->segs[f->to].name);
            ww_buf_printf(b, ",\"proto\":\"%s\",\"clinical\":%s,\"both_ways\":%s,\"reason\":",
                          ww_fb_proto_name(f->proto), f->clinical ? "true" : "false",
                          f->both_ways ? "true" : "false");
            js(b, f->reason);
            ww_buf_putc(b, '}');
        }
        ww_buf_puts(b, "]}");
    }
    ww_buf_puts(b, ",\"live\":[");
    size_t k = 0;
    for (size_t i = 0; i < nall; i++)
        if (is_live(&all[i])) {
            if (k++)
                ww_buf_putc(b, ',');
            plan_row_json(b, &all[i]);
        }
    ww_buf_puts(b, "],\"plans\":[");
    size_t from = nall > PLANS_LISTED ? nall - PLANS_LISTED : 0;
    for (size_t i = nall; i > from; i--) {
        if (i != nall)
            ww_buf_putc(b, ',');
        plan_row_json(b, &all[i - 1]);
    }
    ww_buf_puts(b, "]}\n");
    ww_fb_map_free(m);
    ww_fb_plan_rows_free(all, nall);
    return b->err;
}

/* A plan as the API shows it: its row and lib/firebreak's JSON (blast radius, keeps,
 * stops, ruleset). */
static int plan_json(ww_console_t *c, ww_web_req_t *req, ww_web_resp_t *resp, int64_t id,
                     unsigned status)
{
    ww_diag_t diag = {0};
    ww_console_db_t *db = fb_db(c, req, resp);
    if (!db)
        return 0;
    ww_fb_loaded_t p;
    char why[1024];
    int rc = ww_fb_plan_open(db->st, id, true, &p, why, sizeof why);
    if (rc == WW_ENOENT && strstr(why, "no such plan"))
        return api_error(resp, 404, "no such plan");
    if (rc) {
        ww_diag_set(&diag, db->st->path, 0, 0, "%s", why);
        return ww_console_fail(c, req, resp, &diag);
    }
    ww_console_json(resp, status);
    ww_buf_t *b = &resp->body;
    ww_buf_puts(b, "{\"plan\":");
    plan_row_json(b, &p.row);
    ww_buf_puts(b, ",\"detail\":");
    ww_buf_t j;
    ww_buf_init(&j, 0);
    if (ww_fb_render_json(p.m, &p.info, &j) == 0 && j.p) {
        while (j.n && (j.p[j.n - 1] == '\n' || j.p[j.n - 1] == ' '))
            j.p[--j.n] = 0;
        ww_buf_append(b, j.p, j.n);
    } else {
        ww_buf_puts(b, "null");
    }
    ww_buf_release(&j);
    ww_buf_puts(b, "}\n");
    ww_fb_loaded_release(&p);
    return b->err;
}

static int h_api_plan(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    int64_t id;
    if (!parse_pos(ww_web_param(req, "id"), &id))
        return api_error(resp, 404, "no such plan");
    return plan_json(ud, req, resp, id, 200);
}

/* A string member of the JSON body, or NULL; *bad when present but not a string. */
static const char *jstr(ww_web_req_t *req, const char *key, bool *bad)
{
    uint32_t i = ww_web_json_member(req, 0, key);
    if (!i || ww_web_json_type(req, i) == 'z')
        return NULL;
    if (ww_web_json_type(req, i) != 's') {
        *bad = true;
        return NULL;
    }
    size_t n;
    return ww_web_json_str(req, i, &n);
}

static int h_api_plan_post(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    if (ww_web_json_type(req, 0) != 'o')
        return api_error(resp, 400,
                         "send a JSON object: {\"host\": \"10.0.0.7\"} or "
                         "{\"segment\": \"wards\"}, with \"reason\"");
    bool bad = false;
    const char *host = jstr(req, "host", &bad), *segment = jstr(req, "segment", &bad);
    const char *reason = jstr(req, "reason", &bad);
    if (bad)
        return api_error(resp, 400, "host, segment and reason are strings");
    ww_fb_loaded_t p;
    const char *field;
    char why[1024];
    ww_diag_t diag = {0};
    int st = make_plan(c, req, host, segment, reason, &p, &field, why, sizeof why, &diag);
    if (st == 500) {
        if (!diag.msg[0])
            ww_diag_set(&diag, "", 0, 0, "plan: %s", why);
        return ww_console_fail(c, req, resp, &diag);
    }
    if (st)
        return api_error(resp, (unsigned)st, why);
    int64_t id = p.row.id;
    ww_fb_loaded_release(&p);
    char loc[64];
    snprintf(loc, sizeof loc, "/api/v1/firebreaks/plans/%lld", (long long)id);
    ww_web_resp_header(resp, "Location", loc);
    return plan_json(c, req, resp, id, 201);
}

/* API tokens are refused for apply, confirm and lift: a token cannot re-authenticate
 * with a person's TOTP, and a fire-break cuts a hospital's network.  A person's
 * browser session may use the API once it has re-authenticated. */
static int h_api_plan_action(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    int64_t id;
    if (!parse_pos(ww_web_param(req, "id"), &id))
        return api_error(resp, 404, "no such plan");
    act_t act = act_of(req);
    if ((int)act < 0)
        return api_error(resp, 404, "no such action (apply, confirm, lift, dry-run)");
    if (act != ACT_DRY) {
        if (req->session.token)
            return api_error(resp, 403,
                             "API tokens cannot apply, confirm or lift a fire-break: "
                             "they cannot re-authenticate with a person's security "
                             "code. Use the console.");
        if (!ww_console_may(req, WW_ACT_FIREBREAK_APPLY))
            return api_error(resp, 403, "only responders apply, confirm or lift fire-breaks");
        if (!ww_console_reauth_fresh(c, req)) {
            ww_console_json(resp, 403);
            ww_buf_printf(&resp->body,
                          "{\"error\":\"re-authenticate with your password and security code "
                          "first\",\"reauth\":\"/reauth?next=/firebreaks/plans/%lld\"}\n",
                          (long long)id);
            return resp->body.err;
        }
    }
    const char *reason = NULL;
    bool bad = false;
    long rollback = -1;
    if (ww_web_json_type(req, 0) == 'o') {
        reason = jstr(req, "reason", &bad);
        uint32_t i = ww_web_json_member(req, 0, "rollback_after");
        int64_t v;
        if (i && (ww_web_json_int(req, i, &v) != 0 || v < 0 || v > 86400))
            return api_error(resp, 400, "rollback_after: whole seconds from 0 to 86400");
        if (i)
            rollback = (long)v;
    } else if (req->body_kind != WW_WEB_BODY_NONE) {
        return api_error(resp, 400, "send a JSON object: {\"reason\": \"...\"}");
    }
    if (bad)
        return api_error(resp, 400, "reason is a string");
    act_out_t o;
    memset(&o, 0, sizeof o);
    ww_diag_t diag = {0};
    /* A monitor-only segment is overridden on the plan's page only, where a person
     * ticks the box with the map's warning in front of them. */
    if (run_action(c, req, id, act, reason, rollback, false, &o, &diag) != 0) {
        ww_fb_result_release(&o.res);
        return ww_console_fail(c, req, resp, &diag);
    }
    ww_console_json(resp, o.status);
    ww_buf_t *b = &resp->body;
    if (o.status != 200) {
        ww_buf_puts(b, "{\"error\":");
        js(b, o.msg);
    } else {
        ww_buf_puts(b, "{\"result\":");
        js(b, o.msg);
    }
    ww_buf_printf(b, ",\"plan\":%lld,\"state\":", (long long)id);
    js(b, o.state[0] ? o.state : NULL);
    if (act == ACT_DRY && o.status == 200) {
        ww_buf_printf(b, ",\"nft_check\":%s,\"script\":", o.res.check == 0 ? "true" : "false");
        js(b, o.res.file.p ? o.res.file.p : "");
    }
    ww_buf_puts(b, "}\n");
    ww_fb_result_release(&o.res);
    return b->err;
}

/* ---- the board ------------------------------------------------------------------ */

typedef struct board {
    ww_console_open_t open; /* open alerts by priority (alert_open) */
    int incidents;          /* -1: not recorded */
    bool incidents_status;  /* the count is of open ones */
    size_t live;
    ww_fb_plan_row_t *live_rows;
    bool health_known;
    ww_console_health_t health;
    estate_t *e;
} board_t;

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

static bool column_exists(ww_store_t *st, const char *table, const char *col)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT 1 FROM pragma_table_info('%s') WHERE name=?1", table);
    sqlite3_stmt *q = NULL;
    bool yes = false;
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, col, -1, SQLITE_STATIC);
        yes = sqlite3_step(q) == SQLITE_ROW;
    }
    sqlite3_finalize(q);
    return yes;
}

/* Reads everything the board shows.  The incidents' tables belong to another module
 * that may not be there: they are read defensively, and missing means "not recorded". */
static int board_read(ww_console_t *c, board_t *bd, ww_diag_t *diag)
{
    memset(bd, 0, sizeof *bd);
    bd->incidents = -1;
    ww_console_db_t *db;
    int rc = ww_console_db(c, &db, diag);
    if (rc)
        return rc;
    ww_store_t *st = db->st;
    /* The console's start migrated the alert tables, so alert_open is always there. */
    rc = ww_console_open_alerts(c, &bd->open, diag);
    if (rc)
        return rc;
    /* lib/incident keeps its status as a number (0 open, 1 contained, 2 resolved, 3
     * closed); a status written as a word is read as one. */
    if (table_exists(st, "incident")) {
        bd->incidents_status = column_exists(st, "incident", "status");
        sqlite3_stmt *q = NULL;
        if (sqlite3_prepare_v2(st->db,
                               bd->incidents_status
                                   ? "SELECT COUNT(*) FROM incident WHERE (typeof(status) = "
                                     "'integer' AND status IN (0, 1)) OR (typeof(status) = 'text' "
                                     "AND lower(status) IN ('open', 'contained'))"
                                   : "SELECT COUNT(*) FROM incident",
                               -1, &q, NULL) == SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW)
            bd->incidents = sqlite3_column_int(q, 0);
        sqlite3_finalize(q);
    }
    if (ww_fb_store_migrate(st, diag) == 0)
        ww_fb_plan_list(st, true, &bd->live_rows, &bd->live);
    const ww_console_config_t *cfg = ww_console_cfg(c);
    if (cfg && cfg->health) {
        cfg->health(cfg->ud, &bd->health);
        bd->health_known = true;
    }
    return estate_get(c, false, &bd->e, diag);
}

static void board_release(board_t *bd)
{
    ww_fb_plan_rows_free(bd->live_rows, bd->live);
    estate_unref(bd->e);
}

/* A bar chart with its numbers in a table beside it: the picture for the eye, the
 * table for a screen reader and for print. */
static void bar_chart(ww_buf_t *b, const char *id, const char *title, const char *const *labels,
                      const uint64_t *vals, const char *const *classes, size_t n)
{
    uint64_t max = 1;
    for (size_t i = 0; i < n; i++)
        if (vals[i] > max)
            max = vals[i];
    const int row = 30, lw = 130, bw = 300;
    int hgt = (int)n * row + 10;
    ww_buf_printf(b,
                  "<div class=\"ww-chart\"><svg class=\"ww-bars\" id=\"%s-chart\" viewBox=\"0 0 %d "
                  "%d\" width=\"%d\" height=\"%d\" role=\"img\" aria-labelledby=\"%s-t\"><title "
                  "id=\"%s-t\">",
                  id, lw + bw + 70, hgt, lw + bw + 70, hgt, id, id);
    h(b, title);
    for (size_t i = 0; i < n; i++) {
        ww_buf_printf(b, ", ");
        h(b, labels[i]);
        ww_buf_printf(b, ": %llu", (unsigned long long)vals[i]);
    }
    ww_buf_puts(b, "</title>");
    for (size_t i = 0; i < n; i++) {
        int y = (int)i * row + 5;
        double w = (double)bw * (double)vals[i] / (double)max;
        if (vals[i] && w < 2)
            w = 2;
        ww_buf_printf(b, "<text class=\"ww-chart-label\" x=\"%d\" y=\"%d\" text-anchor=\"end\">",
                      lw - 8, y + 17);
        h(b, labels[i]);
        ww_buf_printf(b,
                      "</text><rect class=\"ww-bar %s\" x=\"%d\" y=\"%d\" width=\"%.1f\" "
                      "height=\"20\"/><text class=\"ww-chart-value\" x=\"%.1f\" y=\"%d\">%llu"
                      "</text>",
                      classes[i], lw, y + 3, w, lw + w + 6, y + 17, (unsigned long long)vals[i]);
    }
    ww_buf_printf(b,
                  "</svg><table class=\"nhsuk-table ww-chart-table\" id=\"%s-table\"><caption "
                  "class=\"nhsuk-table__caption\">",
                  id);
    h(b, title);
    ww_buf_puts(b, "</caption><thead class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\">"
                   "<th scope=\"col\" class=\"nhsuk-table__header\">Kind</th><th scope=\"col\" "
                   "class=\"nhsuk-table__header nhsuk-table__header--numeric\">Count</th></tr>"
                   "</thead><tbody class=\"nhsuk-table__body\">");
    for (size_t i = 0; i < n; i++) {
        ww_buf_puts(b, "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">");
        h(b, labels[i]);
        ww_buf_printf(b,
                      "</td><td class=\"nhsuk-table__cell nhsuk-table__cell--numeric\">%llu</td>"
                      "</tr>",
                      (unsigned long long)vals[i]);
    }
    ww_buf_puts(b, "</tbody></table></div>");
}

/* Findings over the kept audit runs: a line, with the numbers in a table. */
static void trend_chart(ww_buf_t *b, const ww_audit_report_t *r)
{
    size_t n = r->nhistory, from = n > TREND_POINTS ? n - TREND_POINTS : 0;
    ww_buf_puts(b, "<h3>Findings at each audit</h3>");
    if (n - from < 2) {
        ww_buf_puts(b, "<p>The trend starts once `wardwatch audit` has been run on two days "
                       "(each run is kept).</p>");
    }
    size_t max = 1;
    for (size_t i = from; i < n; i++)
        if (r->history[i].findings > max)
            max = r->history[i].findings;
    const int W = 600, H = 200, L = 50, R = 20, T = 10, B = 30, pw = W - L - R, ph = H - T - B;
    size_t cnt = n - from;
    if (cnt >= 1) {
        ww_buf_printf(b,
                      "<div class=\"ww-chart\"><svg class=\"ww-trend\" id=\"trend-chart\" "
                      "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
                      "aria-labelledby=\"trend-t\"><title id=\"trend-t\">Findings at each of the "
                      "last %zu audits; the table beside lists them</title>",
                      W, H, W, H, cnt);
        ww_buf_printf(b, "<line class=\"ww-axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", L,
                      T + ph, W - R, T + ph);
        ww_buf_printf(b,
                      "<text class=\"ww-chart-value\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%zu"
                      "</text><text class=\"ww-chart-value\" x=\"%d\" y=\"%d\" "
                      "text-anchor=\"end\">0</text>",
                      L - 6, T + 10, max, L - 6, T + ph);
        ww_buf_puts(b, "<polyline class=\"ww-trend-line\" points=\"");
        for (size_t i = from; i < n; i++) {
            double x = L + (cnt > 1 ? pw * (double)(i - from) / (double)(cnt - 1) : pw / 2.0);
            double y = T + ph - ph * (double)r->history[i].findings / (double)max;
            ww_buf_printf(b, "%s%.1f,%.1f", i > from ? " " : "", x, y);
        }
        ww_buf_puts(b, "\"/>");
        for (size_t i = from; i < n; i++) {
            double x = L + (cnt > 1 ? pw * (double)(i - from) / (double)(cnt - 1) : pw / 2.0);
            double y = T + ph - ph * (double)r->history[i].findings / (double)max;
            char d[16];
            ww_audit_day_format(r->history[i].day, d, sizeof d);
            ww_buf_printf(b,
                          "<circle class=\"ww-trend-point\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\">"
                          "<title>%s: %zu findings</title></circle>",
                          x, y, d, r->history[i].findings);
            if (i == from || i + 1 == n)
                ww_buf_printf(b,
                              "<text class=\"ww-chart-value\" x=\"%.1f\" y=\"%d\" "
                              "text-anchor=\"middle\">%s</text>",
                              x, H - 8, d);
        }
        ww_buf_puts(b, "</svg>");
    } else {
        ww_buf_puts(b, "<div class=\"ww-chart\">");
    }
    ww_buf_puts(b, "<table class=\"nhsuk-table ww-chart-table\" id=\"trend-table\"><caption "
                   "class=\"nhsuk-table__caption\">Findings per audit</caption><thead "
                   "class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\"><th scope=\"col\" "
                   "class=\"nhsuk-table__header\">Audit day</th><th scope=\"col\" "
                   "class=\"nhsuk-table__header nhsuk-table__header--numeric\">Findings</th><th "
                   "scope=\"col\" class=\"nhsuk-table__header nhsuk-table__header--numeric\">"
                   "Critical</th></tr></thead><tbody class=\"nhsuk-table__body\">");
    for (size_t i = from; i < n; i++) {
        char d[16];
        ww_audit_day_format(r->history[i].day, d, sizeof d);
        ww_buf_printf(b,
                      "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">%s</td><td "
                      "class=\"nhsuk-table__cell nhsuk-table__cell--numeric\">%zu</td><td "
                      "class=\"nhsuk-table__cell nhsuk-table__cell--numeric\">%zu</td></tr>",
                      d, r->history[i].findings, r->history[i].by_sev[WW_SEV_CRITICAL]);
    }
    ww_buf_puts(b, "</tbody></table></div>");
}

static void sev_counts(const ww_audit_report_t *r, uint64_t out[4], uint64_t *af)
{
    memset(out, 0, 4 * sizeof *out);
    *af = 0;
    for (size_t i = 0; i < r->n; i++) {
        ww_sev_t s = r->findings[i].severity;
        int k = s == WW_SEV_CRITICAL ? 0 : s == WW_SEV_HIGH ? 1 : s == WW_SEV_MEDIUM ? 2 : 3;
        out[k]++;
        *af += r->findings[i].auto_fail;
    }
}

static void card(ww_buf_t *b, const char *id, const char *value, const char *label)
{
    ww_buf_printf(b, "<li class=\"ww-card\" id=\"%s\"><span class=\"ww-card-value\">", id);
    h(b, value);
    ww_buf_puts(b, "</span> <span class=\"ww-card-label\">");
    h(b, label);
    ww_buf_puts(b, "</span></li>");
}

static int h_board(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    ww_diag_t diag = {0};
    board_t bd;
    if (board_read(c, &bd, &diag) != 0) {
        board_release(&bd);
        return ww_console_fail(c, req, resp, &diag);
    }
    ww_buf_t *b = &resp->body;
    const ww_console_config_t *cfg = ww_console_cfg(c);
    ww_console_page_begin(c, req, resp, "Board report", "/board");
    ww_buf_puts(b, "<link rel=\"stylesheet\" href=\"/assets/estate.css\"><div class=\"ww-board\">"
                   "<h1>Cyber security: where we stand</h1><p class=\"nhsuk-lede-text\">");
    if (cfg && cfg->trust_name) {
        h(b, cfg->trust_name);
        ww_buf_puts(b, ", ");
    }
    ww_console_time(b, now_s());
    ww_buf_puts(b, ".</p><p class=\"ww-noprint nhsuk-body-s\">This page prints as the board "
                   "report (use your browser's Print).</p>");

    char v[64];
    ww_buf_puts(b, "<h2>At a glance</h2><ul class=\"ww-cards\">");
    snprintf(v, sizeof v, "%lld", (long long)(bd.open.alerts[1] + bd.open.alerts[2]));
    card(b, "card-urgent", v, "urgent open alerts (P1 and P2)");
    if (bd.incidents >= 0)
        snprintf(v, sizeof v, "%d", bd.incidents);
    else
        snprintf(v, sizeof v, "not recorded");
    card(b, "card-incidents", v,
         bd.incidents >= 0 && !bd.incidents_status ? "incidents recorded" : "open incidents");
    snprintf(v, sizeof v, "%zu", bd.live);
    card(b, "card-firebreaks", v, "live fire-breaks");
    uint64_t sev[4], af;
    sev_counts(bd.e->r, sev, &af);
    snprintf(v, sizeof v, "%llu", (unsigned long long)af);
    card(b, "card-autofail", v, "Cyber Essentials automatic fails");
    ww_buf_puts(b, "</ul>");

    ww_buf_puts(b, "<h2 id=\"alerts\">Open alerts by priority</h2><p>New or acknowledged: "
                   "waiting for someone.</p>");
    static const char *const pl[] = {"P1 (most urgent)", "P2", "P3", "P4", "P5"};
    static const char *const pc[] = {"ww-p1", "ww-p2", "ww-p3", "ww-p4", "ww-p5"};
    uint64_t by_prio[5];
    for (int p = 1; p <= 5; p++)
        by_prio[p - 1] = bd.open.alerts[p] > 0 ? (uint64_t)bd.open.alerts[p] : 0;
    bar_chart(b, "alerts", "Alerts by priority", pl, by_prio, pc, 5);

    ww_buf_puts(b, "<h2 id=\"incidents\">Incidents</h2><p>");
    if (bd.incidents < 0)
        ww_buf_puts(b, "Incidents: not recorded in this store.");
    else if (bd.incidents_status)
        ww_buf_printf(b, "%d open incident%s.", bd.incidents, bd.incidents == 1 ? "" : "s");
    else
        ww_buf_printf(b, "%d incident%s recorded (their status is not recorded).", bd.incidents,
                      bd.incidents == 1 ? "" : "s");
    ww_buf_puts(b, "</p>");

    ww_buf_printf(b, "<h2 id=\"firebreaks\">Live fire-breaks (%zu)</h2>", bd.live);
    if (!bd.live)
        ww_buf_puts(b, "<p>No part of the network is cut off.</p>");
    else
        plans_table(b, "board-live", "Live fire-breaks", bd.live_rows, bd.live, 0);

    ww_buf_puts(b, "<h2 id=\"ingest\">Log collection</h2>");
    if (!bd.health_known) {
        ww_buf_puts(b, "<p>Log collection health is only known while the console runs inside "
                       "<code>wardwatch serve</code>.</p>");
    } else {
        const ww_console_health_t *hl = &bd.health;
        ww_buf_puts(b, "<dl class=\"nhsuk-summary-list\" id=\"ingest-health\">");
        snprintf(v, sizeof v, "%u", hl->inputs);
        row_kv(b, "Inputs listening", v);
        snprintf(v, sizeof v, "%llu received, %llu rejected, %llu dropped",
                 (unsigned long long)hl->events_in, (unsigned long long)hl->events_rejected,
                 (unsigned long long)hl->events_dropped);
        row_kv(b, "Events", v);
        ww_buf_t t;
        ww_buf_init(&t, 64);
        if (hl->last_event)
            ww_console_time(&t, hl->last_event);
        row_kv(b, "Last event", hl->last_event ? t.p : "none yet");
        ww_buf_release(&t);
        snprintf(v, sizeof v, "%s%llu of %llu MiB", hl->spool_full ? "FULL: " : "",
                 (unsigned long long)(hl->spool_bytes >> 20),
                 (unsigned long long)(hl->spool_limit >> 20));
        row_kv(b, "Spool (events waiting)", v);
        ww_buf_puts(b, "</dl>");
    }

    ww_buf_puts(b, "<h2 id=\"posture\">Audit posture</h2>");
    static const char *const sl[] = {"Critical", "High", "Medium", "Low"};
    static const char *const sc[] = {"ww-sev-critical", "ww-sev-high", "ww-sev-medium",
                                     "ww-sev-low"};
    ww_buf_printf(b,
                  "<p>%zu assets in the register; %zu findings; %zu unsupported systems. <a "
                  "href=\"/estate/audit\">The full audit report</a>.</p>",
                  bd.e->set.n, bd.e->r->n, bd.e->r->nunsupported);
    bar_chart(b, "findings", "Audit findings by severity", sl, sev, sc, 4);
    trend_chart(b, bd.e->r);
    ww_buf_puts(b, "</div>");
    ww_console_page_end(resp);
    board_release(&bd);
    return 0;
}

static int h_api_board(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    ww_diag_t diag = {0};
    board_t bd;
    if (board_read(c, &bd, &diag) != 0) {
        board_release(&bd);
        return ww_console_fail(c, req, resp, &diag);
    }
    ww_console_json(resp, 200);
    ww_buf_t *b = &resp->body;
    ww_buf_printf(b, "{\"generated_at\":%lld,\"alerts\":", (long long)now_s());
    /* "counted" and "window_days" stay for clients written when a store without
       triage's status was counted over a window; the board now always counts open. */
    ww_buf_printf(b,
                  "{\"counted\":\"open\",\"window_days\":0,\"total\":%lld,\"by_priority\":"
                  "{\"P1\":%lld,\"P2\":%lld,\"P3\":%lld,\"P4\":%lld,\"P5\":%lld}}",
                  (long long)bd.open.total, (long long)bd.open.alerts[1],
                  (long long)bd.open.alerts[2], (long long)bd.open.alerts[3],
                  (long long)bd.open.alerts[4], (long long)bd.open.alerts[5]);
    ww_buf_puts(b, ",\"incidents\":");
    if (bd.incidents < 0)
        ww_buf_puts(b, "null");
    else
        ww_buf_printf(b, "{\"%s\":%d}", bd.incidents_status ? "open" : "recorded", bd.incidents);
    ww_buf_puts(b, ",\"firebreaks\":{\"live\":[");
    for (size_t i = 0; i < bd.live; i++) {
        if (i)
            ww_buf_putc(b, ',');
        plan_row_json(b, &bd.live_rows[i]);
    }
    ww_buf_puts(b, "]},\"ingest\":");
    if (!bd.health_known)
        ww_buf_puts(b, "null");
    else
        ww_buf_printf(
            b,
            "{\"inputs\":%u,\"events_in\":%llu,\"events_accepted\":%llu,"
            "\"events_rejected\":%llu,\"events_dropped\":%llu,\"alerts\":%llu,"
            "\"spool_bytes\":%llu,\"spool_limit\":%llu,\"spool_full\":%s,"
            "\"started\":%lld,\"last_event\":%lld}",
            bd.health.inputs, (unsigned long long)bd.health.events_in,
            (unsigned long long)bd.health.events_accepted,
            (unsigned long long)bd.health.events_rejected,
            (unsigned long long)bd.health.events_dropped, (unsigned long long)bd.health.alerts,
            (unsigned long long)bd.health.spool_bytes, (unsigned long long)bd.health.spool_limit,
            bd.health.spool_full ? "true" : "false", (long long)bd.health.started,
            (long long)bd.health.last_event);
    uint64_t sev[4], af;
    sev_counts(bd.e->r, sev, &af);
    ww_buf_printf(b,
                  ",\"audit\":{\"assets\":%zu,\"findings\":%zu,\"by_severity\":{\"critical\":%llu,"
                  "\"high\":%llu,\"medium\":%llu,\"low\":%llu},\"auto_fail\":%llu,"
                  "\"unsupported\":%zu,\"trend\":[",
                  bd.e->set.n, bd.e->r->n, (unsigned long long)sev[0], (unsigned long long)sev[1],
                  (unsigned long long)sev[2], (unsigned long long)sev[3], (unsigned long long)af,
                  bd.e->r->nunsupported);
    const ww_audit_report_t *r = bd.e->r;
    size_t from = r->nhistory > TREND_POINTS ? r->nhistory - TREND_POINTS : 0;
    for (size_t i = from; i < r->nhistory; i++) {
        char d[16];
        ww_audit_day_format(r->history[i].day, d, sizeof d);
        ww_buf_printf(b, "%s{\"day\":\"%s\",\"findings\":%zu,\"critical\":%zu,\"auto_fail\":%zu}",
                      i > from ? "," : "", d, r->history[i].findings,
                      r->history[i].by_sev[WW_SEV_CRITICAL], r->history[i].auto_fail);
    }
    ww_buf_puts(b, "]}}\n");
    board_release(&bd);
    return b->err;
}

/* ---- the route table ------------------------------------------------------------ */

static const ww_web_route_t routes[] = {
    {"GET", "/estate", WW_WEB_VIEWER, false, h_estate, NULL},
    {"GET", "/estate/audit", WW_WEB_VIEWER, false, h_audit, NULL},
    {"GET", "/estate/audit.css", WW_WEB_VIEWER, false, h_audit_css, NULL},
    {"GET", "/estate/assets/{id}", WW_WEB_VIEWER, false, h_asset, NULL},
    {"GET", "/firebreaks", WW_WEB_VIEWER, false, h_firebreaks, NULL},
    {"GET", "/firebreaks/plan", WW_WEB_RESPONDER, false, h_plan_form, NULL},
    {"POST", "/firebreaks/plan", WW_WEB_RESPONDER, true, h_plan_post, NULL},
    {"GET", "/firebreaks/plans/{id}", WW_WEB_VIEWER, false, h_plan_page, NULL},
    {"POST", "/firebreaks/plans/{id}/{action}", WW_WEB_RESPONDER, true, h_plan_action, NULL},
    {"GET", "/board", WW_WEB_VIEWER, false, h_board, NULL},
    {"GET", "/api/v1/board", WW_WEB_VIEWER, false, h_api_board, NULL},
    {"GET", "/api/v1/assets", WW_WEB_VIEWER, false, h_api_assets, NULL},
    {"GET", "/api/v1/assets/{id}", WW_WEB_VIEWER, false, h_api_asset, NULL},
    {"GET", "/api/v1/firebreaks", WW_WEB_VIEWER, false, h_api_firebreaks, NULL},
    {"GET", "/api/v1/firebreaks/plans/{id}", WW_WEB_VIEWER, false, h_api_plan, NULL},
    {"POST", "/api/v1/firebreaks/plans", WW_WEB_RESPONDER, true, h_api_plan_post, NULL},
    {"POST", "/api/v1/firebreaks/plans/{id}/{action}", WW_WEB_RESPONDER, true, h_api_plan_action,
     NULL},
};

uint32_t ww_console_estate_routes(const ww_web_route_t **out)
{
    *out = routes;
    return WW_ARRAY_LEN(routes);
}
