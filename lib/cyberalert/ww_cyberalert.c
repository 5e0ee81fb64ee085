/* NHS cyber alerts: their vocabularies, checking and parsing what people and import
 * files give, the clocks of the response process, and the JSON every program shows
 * them in.  The store's side is in ww_cyberalert_store.c, applicability in
 * ww_cyberalert_match.c. */
#include "cyberalert/ww_cyberalert.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "util/ww_yconf.h"

/* ---- vocabularies ----------------------------------------------------------------- */

static const char *const sev_names[] = {"", "low", "medium", "high", "critical"};

const char *ww_ca_sev_name(ww_ca_sev_t s)
{
    return s >= WW_CA_SEV_LOW && s <= WW_CA_SEV_CRITICAL ? sev_names[s] : "unknown";
}

int ww_ca_sev_parse(const char *s, ww_ca_sev_t *out)
{
    for (int i = WW_CA_SEV_LOW; i <= WW_CA_SEV_CRITICAL; i++)
        if (s && !strcasecmp(s, sev_names[i])) {
            *out = (ww_ca_sev_t)i;
            return 0;
        }
    return WW_EPARSE;
}

static const char *const state_names[] = {"open", "patched", "mitigated", "not_applicable"};

const char *ww_ca_state_name(ww_ca_state_t s)
{
    return (unsigned)s < WW_ARRAY_LEN(state_names) ? state_names[s] : "open";
}

int ww_ca_state_parse(const char *s, ww_ca_state_t *out)
{
    if (!s)
        return WW_EPARSE;
    for (size_t i = 0; i < WW_ARRAY_LEN(state_names); i++)
        if (!strcasecmp(s, state_names[i])) {
            *out = (ww_ca_state_t)i;
            return 0;
        }
    if (!strcasecmp(s, "not-applicable") || !strcasecmp(s, "na") || !strcasecmp(s, "n/a")) {
        *out = WW_CA_NOT_APPLICABLE;
        return 0;
    }
    return WW_EPARSE;
}

static const char *const clock_names[] = {"none", "pending", "met", "late", "overdue"};

const char *ww_ca_clock_name(ww_ca_clock_state_t s)
{
    return (unsigned)s < WW_ARRAY_LEN(clock_names) ? clock_names[s] : "none";
}

/* ---- times ------------------------------------------------------------------------ */

void ww_ca_time_format(int64_t t, char *out, size_t outlen)
{
    if (!t) {
        snprintf(out, outlen, "%s", "");
        return;
    }
    char buf[40];
    ww_time_format(t * 1000000000LL, buf, sizeof buf);
    /* "2026-05-01T09:00:00.000000Z" -> "2026-05-01T09:00:00Z" */
    snprintf(out, outlen, "%.19sZ", buf);
}

int ww_ca_time_parse(const char *s, int64_t *out)
{
    if (!s)
        return WW_EPARSE;
    size_t n = strlen(s);
    int64_t ns;
    int y, m, d;
    if (n < 10 || sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 || ww_time_parse_iso(s, n, &ns) != 0)
        return WW_EPARSE;
    /* An impossible day ("2026-02-30") that the parser would roll over is refused. */
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] || (m == 2 && d == 29 && !leap))
        return WW_EPARSE;
    int64_t secs = ns / 1000000000LL;
    if (secs <= 0)
        return WW_EPARSE;
    *out = secs;
    return 0;
}

/* ---- checking --------------------------------------------------------------------- */

/* Text a person or a file gave: at most max bytes, no control characters (a title
 * with an escape sequence or a newline would forge lines in the terminal and log). */
static int check_text(const char *what, const char *s, size_t max, bool required, bool multiline,
                      ww_diag_t *diag)
{
    if (!s || !*s) {
        if (required) {
            ww_diag_set(diag, diag->file, diag->line, diag->col, "%s is required", what);
            return WW_EINVAL;
        }
        return 0;
    }
    size_t n = strlen(s);
    if (n > max) {
        ww_diag_set(diag, diag->file, diag->line, diag->col, "%s is longer than %zu bytes", what,
                    max);
        return WW_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && !(multiline && (c == '\n' || c == '\t' || c == '\r'))) || c == 0x7f) {
            ww_diag_set(diag, diag->file, diag->line, diag->col,
                        "%s holds a control character (byte %zu)", what, i + 1);
            return WW_EINVAL;
        }
    }
    return 0;
}

static bool valid_ref(const char *s)
{
    if (!s || !isalnum((unsigned char)*s))
        return false;
    size_t n = 0;
    for (; s[n]; n++)
        if (!isalnum((unsigned char)s[n]) && s[n] != '-' && s[n] != '_' && s[n] != '.')
            return false;
    return n <= 64;
}

static bool valid_cve(const char *s)
{
    if (strncasecmp(s, "CVE-", 4) != 0)
        return false;
    const char *p = s + 4;
    for (int i = 0; i < 4; i++)
        if (!isdigit((unsigned char)p[i]))
            return false;
    if (p[4] != '-')
        return false;
    p += 5;
    size_t n = 0;
    while (isdigit((unsigned char)p[n]))
        n++;
    return n >= 4 && n <= 12 && !p[n];
}

int ww_cyberalert_check(const ww_cyberalert_t *a, ww_diag_t *diag)
{
    int rc;
    if (!valid_ref(a->ref)) {
        ww_diag_set(diag, diag->file, diag->line, diag->col,
                    "reference '%.64s' is not like CC-4567 (letters, digits, '-', at most 64)",
                    a->ref ? a->ref : "");
        return WW_EINVAL;
    }
    if ((rc = check_text("title", a->title, WW_CA_MAX_FIELD, true, false, diag)) ||
        (rc = check_text("url", a->url, WW_CA_MAX_FIELD, false, false, diag)) ||
        (rc = check_text("summary", a->summary, WW_CA_MAX_TEXT, false, true, diag)))
        return rc;
    if (a->severity < WW_CA_SEV_LOW || a->severity > WW_CA_SEV_CRITICAL) {
        ww_diag_set(diag, diag->file, diag->line, diag->col,
                    "severity must be high, medium or low (or critical)");
        return WW_EINVAL;
    }
    if (a->published <= 0) {
        ww_diag_set(diag, diag->file, diag->line, diag->col, "published date is required");
        return WW_EINVAL;
    }
    if (a->patch_by && a->patch_by < a->published) {
        ww_diag_set(diag, diag->file, diag->line, diag->col,
                    "patch_by is before the alert was published");
        return WW_EINVAL;
    }
    if (a->nproducts == 0 && a->ncves == 0) {
        ww_diag_set(diag, diag->file, diag->line, diag->col,
                    "an alert needs at least one affected product or CVE");
        return WW_EINVAL;
    }
    if (a->nproducts > WW_CA_MAX_PRODUCTS || a->ncves > WW_CA_MAX_CVES) {
        ww_diag_set(diag, diag->file, diag->line, diag->col, "more than %d products or %d CVEs",
                    WW_CA_MAX_PRODUCTS, WW_CA_MAX_CVES);
        return WW_EINVAL;
    }
    for (size_t i = 0; i < a->nproducts; i++) {
        const ww_ca_product_t *p = &a->products[i];
        if ((rc = check_text("product", p->product, WW_CA_MAX_FIELD, true, false, diag)))
            return rc;
        if (p->nranges > WW_CA_MAX_RANGES) {
            ww_diag_set(diag, diag->file, diag->line, diag->col,
                        "product '%.80s': more than %d version ranges", p->product,
                        WW_CA_MAX_RANGES);
            return WW_EINVAL;
        }
        for (size_t r = 0; r < p->nranges; r++) {
            ww_diag_t d = *diag;
            if ((rc =
                     check_text("version range", p->ranges[r], WW_CA_MAX_FIELD, true, false, diag)))
                return rc;
            if (ww_ca_range_check(p->ranges[r], &d) != 0) {
                ww_diag_set(diag, diag->file, diag->line, diag->col,
                            "product '%.80s': version range '%.80s', column %u: %s", p->product,
                            p->ranges[r], d.col, d.msg);
                return WW_EINVAL;
            }
        }
    }
    for (size_t i = 0; i < a->ncves; i++)
        if (!a->cves[i] || !valid_cve(a->cves[i])) {
            ww_diag_set(diag, diag->file, diag->line, diag->col,
                        "'%.40s' is not a CVE id (CVE-YYYY-NNNN)", a->cves[i] ? a->cves[i] : "");
            return WW_EINVAL;
        }
    return 0;
}

/* ---- the clocks ------------------------------------------------------------------- */

int64_t ww_cyberalert_mitigate_due(const ww_cyberalert_t *a)
{
    return a->patch_by ? a->patch_by : a->published + WW_CA_MITIGATE_SECS;
}

static void clock_at(ww_ca_clock_t *c, int64_t due, int64_t done, int64_t now)
{
    c->due = due;
    c->done = done;
    if (done)
        c->state = done <= due ? WW_CLOCK_MET : WW_CLOCK_LATE;
    else
        c->state = now > due ? WW_CLOCK_OVERDUE : WW_CLOCK_PENDING;
}

void ww_cyberalert_clocks(const ww_cyberalert_t *a, int64_t now, size_t nassets_open,
                          int64_t last_state_at, ww_ca_clocks_t *out)
{
    memset(out, 0, sizeof *out);
    if (a->severity < WW_CA_SEV_HIGH)
        return;
    /* A closed alert is judged as it stood when it was closed. */
    if (a->closed_at && a->closed_at < now)
        now = a->closed_at;
    clock_at(&out->ack, a->published + WW_CA_ACK_SECS, a->acked_at, now);
    clock_at(&out->update, a->published + WW_CA_UPDATE_SECS, a->first_update_at, now);
    int64_t due = ww_cyberalert_mitigate_due(a);
    if (nassets_open == 0) {
        out->mitigate.due = due;
        out->mitigate.done = last_state_at;
        out->mitigate.state = last_state_at > due ? WW_CLOCK_LATE : WW_CLOCK_MET;
    } else
        clock_at(&out->mitigate, due, 0, now);
}

/* ---- JSON ------------------------------------------------------------------------- */

static void json_kv(ww_buf_t *b, const char *k, const char *v, bool comma)
{
    ww_buf_printf(b, "%s\"%s\":", comma ? "," : "", k);
    ww_buf_json_str(b, v ? v : "", v ? strlen(v) : 0);
}

static void json_time(ww_buf_t *b, const char *k, int64_t t)
{
    char s[32];
    ww_ca_time_format(t, s, sizeof s);
    if (t)
        json_kv(b, k, s, true);
    else
        ww_buf_printf(b, ",\"%s\":null", k);
}

static void json_clock(ww_buf_t *b, const char *k, const ww_ca_clock_t *c)
{
    ww_buf_printf(b, ",\"%s\":{\"state\":\"%s\"", k, ww_ca_clock_name(c->state));
    if (c->state != WW_CLOCK_NONE) {
        json_time(b, "due", c->due);
        json_time(b, "done", c->done);
    }
    ww_buf_putc(b, '}');
}

int ww_cyberalert_json(ww_buf_t *b, const ww_cyberalert_t *a, int64_t now,
                       const ww_ca_asset_t *assets, size_t nassets)
{
    ww_buf_putc(b, '{');
    json_kv(b, "reference", a->ref, false);
    json_kv(b, "title", a->title, true);
    json_kv(b, "severity", ww_ca_sev_name(a->severity), true);
    json_time(b, "published", a->published);
    json_time(b, "patch_by", ww_cyberalert_mitigate_due(a));
    json_kv(b, "url", a->url, true);
    json_kv(b, "summary", a->summary, true);
    ww_buf_puts(b, ",\"products\":[");
    for (size_t i = 0; i < a->nproducts; i++) {
        ww_buf_puts(b, i ? ",{" : "{");
        json_kv(b, "product", a->products[i].product, false);
        ww_buf_puts(b, ",\"versions\":[");
        for (size_t r = 0; r < a->products[i].nranges; r++) {
            if (r)
                ww_buf_putc(b, ',');
            ww_buf_json_str(b, a->products[i].ranges[r], strlen(a->products[i].ranges[r]));
        }
        ww_buf_puts(b, "]}");
    }
    ww_buf_puts(b, "],\"cves\":[");
    for (size_t i = 0; i < a->ncves; i++) {
        if (i)
            ww_buf_putc(b, ',');
        ww_buf_json_str(b, a->cves[i], strlen(a->cves[i]));
    }
    ww_buf_putc(b, ']');
    ww_buf_printf(b, ",\"status\":\"%s\"", a->closed_at ? "closed" : "open");
    json_time(b, "created_at", a->created_at);
    json_kv(b, "created_by", a->created_by, true);
    json_time(b, "acknowledged_at", a->acked_at);
    json_kv(b, "acknowledged_by", a->acked_by, true);
    json_time(b, "first_update_at", a->first_update_at);
    json_time(b, "closed_at", a->closed_at);
    json_kv(b, "closed_by", a->closed_by, true);
    json_kv(b, "close_note", a->close_note, true);
    size_t open = 0, affected = 0, possible = 0;
    int64_t last = 0;
    for (size_t i = 0; i < nassets; i++) {
        if (assets[i].possible) {
            possible++;
            continue;
        }
        affected++;
        if (assets[i].state == WW_CA_OPEN)
            open++;
        if (assets[i].state_at > last)
            last = assets[i].state_at;
    }
    ww_ca_clocks_t ck;
    ww_cyberalert_clocks(a, now, open, last, &ck);
    char asof[32];
    ww_ca_time_format(now, asof, sizeof asof);
    ww_buf_puts(b, ",\"clocks\":{");
    json_kv(b, "as_of", asof, false);
    json_clock(b, "acknowledge", &ck.ack);
    json_clock(b, "first_update", &ck.update);
    json_clock(b, "mitigate", &ck.mitigate);
    ww_buf_putc(b, '}');
    if (assets) {
        ww_buf_printf(b, ",\"applicable\":%zu,\"possible\":%zu,\"open\":%zu,\"assets\":[", affected,
                      possible, open);
        for (size_t i = 0; i < nassets; i++) {
            const ww_ca_asset_t *x = &assets[i];
            ww_buf_puts(b, i ? ",{" : "{");
            json_kv(b, "asset", x->asset, false);
            json_kv(b, "hostname", x->hostname, true);
            ww_buf_printf(b, ",\"match\":\"%s\"", x->possible ? "possible" : "affected");
            json_kv(b, "basis", x->basis, true);
            json_kv(b, "state", ww_ca_state_name(x->state), true);
            json_time(b, "state_at", x->state_at);
            json_kv(b, "state_by", x->state_by, true);
            json_kv(b, "note", x->note, true);
            bool overdue = !x->possible && x->state == WW_CA_OPEN &&
                           a->severity >= WW_CA_SEV_HIGH && !a->closed_at &&
                           now > ww_cyberalert_mitigate_due(a);
            ww_buf_printf(b, ",\"overdue\":%s}", overdue ? "true" : "false");
        }
        ww_buf_putc(b, ']');
    }
    ww_buf_putc(b, '}');
    return b->err;
}

/* ---- import files ----------------------------------------------------------------- */

typedef struct parse {
    ww_yc_t yc;
    ww_arena_t *arena;
    ww_cyberalert_t *v;
    size_t n, cap;
    int rc;
} parse_t;

static int str_of(parse_t *p, const ww_yn_t *n, const char *what, size_t max, const char **out)
{
    const char *s;
    int rc = ww_yc_str(&p->yc, n, what, max, &s);
    if (rc)
        return rc;
    *out = s;
    return 0;
}

/* Dates come as YAML scalars, quoted or not ("2026-05-01", 2026-05-01T09:00:00Z). */
static int time_of(parse_t *p, const ww_yn_t *n, const char *what, int64_t *out)
{
    const char *s;
    int rc = str_of(p, n, what, 64, &s);
    if (rc)
        return rc;
    if (ww_ca_time_parse(s, out) != 0)
        return ww_yc_fail(&p->yc, n, "%s '%s' is not a date (YYYY-MM-DD or ISO 8601 time)", what,
                          s);
    return 0;
}

static int one_product(parse_t *p, const ww_yn_t *n, ww_ca_product_t *out)
{
    memset(out, 0, sizeof *out);
    if (ww_yn_is_str(n))
        return str_of(p, n, "product", WW_CA_MAX_FIELD, &out->product);
    static const char *const keys[] = {"product", "versions"};
    int rc = ww_yc_keys(&p->yc, n, "affected product", keys, WW_ARRAY_LEN(keys));
    if (rc)
        return rc;
    const ww_yn_t *k = ww_yn_get(n, "product");
    if (!k)
        return ww_yc_fail(&p->yc, n, "affected product without `product:`");
    if ((rc = str_of(p, k, "product", WW_CA_MAX_FIELD, &out->product)))
        return rc;
    if ((k = ww_yn_get(n, "versions"))) {
        uint32_t nr = 0;
        if ((rc = ww_yc_strlist(&p->yc, p->arena, k, "versions", WW_CA_MAX_RANGES,
                                WW_CA_MAX_FIELD - 1, &out->ranges, &nr)))
            return rc;
        out->nranges = nr;
        /* Each range checked here, so its error points at its own line. */
        for (uint32_t i = 0; i < nr; i++) {
            ww_diag_t d;
            memset(&d, 0, sizeof d);
            const ww_yn_t *at = k->type == WW_YN_SEQ ? k->kids[i] : k;
            if (ww_ca_range_check(out->ranges[i], &d) != 0)
                return ww_yc_fail(&p->yc, at, "version range '%.80s': %s (column %u of it)",
                                  out->ranges[i], d.msg, d.col);
        }
    }
    return 0;
}

static int one_alert(parse_t *p, const ww_yn_t *n)
{
    static const char *const keys[] = {"reference", "title",   "severity", "published", "patch_by",
                                       "url",       "summary", "products", "cves"};
    int rc = ww_yc_keys(&p->yc, n, "alert", keys, WW_ARRAY_LEN(keys));
    if (rc)
        return rc;
    if (p->n == WW_CA_MAX_ALERTS)
        return ww_yc_fail(&p->yc, n, "more than %d alerts in one file", WW_CA_MAX_ALERTS);
    if (p->n == p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 16;
        ww_cyberalert_t *nv = ww_arena_alloc(p->arena, nc * sizeof *nv);
        if (!nv)
            return WW_ENOMEM;
        if (p->n)
            memcpy(nv, p->v, p->n * sizeof *nv);
        p->v = nv;
        p->cap = nc;
    }
    ww_cyberalert_t *a = &p->v[p->n];
    memset(a, 0, sizeof *a);
    a->summary = a->url = "";
    const ww_yn_t *k;
    static const char *const required[] = {"reference", "title", "severity", "published"};
    for (size_t i = 0; i < WW_ARRAY_LEN(required); i++)
        if (!ww_yn_get(n, required[i]))
            return ww_yc_fail(&p->yc, n, "alert without `%s:`", required[i]);
    if ((rc = str_of(p, ww_yn_get(n, "reference"), "reference", 64, &a->ref)))
        return rc;
    if (!valid_ref(a->ref))
        return ww_yc_fail(&p->yc, ww_yn_get(n, "reference"),
                          "reference '%s' is not like CC-4567 (letters, digits, '-')", a->ref);
    if ((rc = str_of(p, ww_yn_get(n, "title"), "title", WW_CA_MAX_FIELD, &a->title)))
        return rc;
    const char *sev;
    k = ww_yn_get(n, "severity");
    if ((rc = str_of(p, k, "severity", 32, &sev)))
        return rc;
    if (ww_ca_sev_parse(sev, &a->severity) != 0)
        return ww_yc_fail(&p->yc, k, "severity '%s' is not high, medium or low (or critical)", sev);
    if ((rc = time_of(p, ww_yn_get(n, "published"), "published", &a->published)))
        return rc;
    if ((k = ww_yn_get(n, "patch_by")) && (rc = time_of(p, k, "patch_by", &a->patch_by)))
        return rc;
    if ((k = ww_yn_get(n, "url")) && (rc = str_of(p, k, "url", WW_CA_MAX_FIELD, &a->url)))
        return rc;
    if ((k = ww_yn_get(n, "summary")) &&
        (rc = str_of(p, k, "summary", WW_CA_MAX_TEXT, &a->summary)))
        return rc;
    if ((k = ww_yn_get(n, "products"))) {
        if (k->type != WW_YN_SEQ)
            return ww_yc_fail(&p->yc, k, "`products:` must be a list");
        if (k->nkids > WW_CA_MAX_PRODUCTS)
            return ww_yc_fail(&p->yc, k, "more than %d products", WW_CA_MAX_PRODUCTS);
        a->products = ww_arena_calloc(p->arena, (k->nkids + 1) * sizeof *a->products);
        if (!a->products)
            return WW_ENOMEM;
        for (uint32_t i = 0; i < k->nkids; i++)
            if ((rc = one_product(p, k->kids[i], &a->products[i])))
                return rc;
        a->nproducts = k->nkids;
    }
    if ((k = ww_yn_get(n, "cves"))) {
        uint32_t nc = 0;
        if ((rc = ww_yc_strlist(&p->yc, p->arena, k, "cves", WW_CA_MAX_CVES, 32, &a->cves, &nc)))
            return rc;
        a->ncves = nc;
        for (uint32_t i = 0; i < nc; i++)
            if (!valid_cve(a->cves[i]))
                return ww_yc_fail(&p->yc, k->type == WW_YN_SEQ ? k->kids[i] : k,
                                  "'%s' is not a CVE id (CVE-YYYY-NNNN)", a->cves[i]);
    }
    /* The remaining rules (lengths, control characters, dates in order, something to
       match) are the ones add applies; their error points at the alert. */
    ww_diag_t d;
    memset(&d, 0, sizeof d);
    if (ww_cyberalert_check(a, &d) != 0)
        return ww_yc_fail(&p->yc, n, "alert %s: %s", a->ref, d.msg);
    for (size_t i = 0; i < p->n; i++)
        if (!strcasecmp(p->v[i].ref, a->ref))
            return ww_yc_fail(&p->yc, n, "alert %s is in the file twice", a->ref);
    p->n++;
    return 0;
}

static void on_doc(void *ud, ww_yn_t *root, uint32_t line)
{
    parse_t *p = ud;
    if (p->rc)
        return;
    const ww_yn_t *list = root;
    if (root->type == WW_YN_MAP && ww_yn_get(root, "alerts")) {
        static const char *const keys[] = {"alerts"};
        if ((p->rc = ww_yc_keys(&p->yc, root, "file", keys, 1)))
            return;
        list = ww_yn_get(root, "alerts");
        if (list->type != WW_YN_SEQ) {
            p->rc = ww_yc_fail(&p->yc, list, "`alerts:` must be a list");
            return;
        }
    }
    if (list->type == WW_YN_MAP) {
        p->rc = one_alert(p, list);
        return;
    }
    if (list->type != WW_YN_SEQ) {
        p->rc = ww_yc_fail(&p->yc, list, "expected alerts (a list, or a map with `alerts:`)");
        return;
    }
    for (uint32_t i = 0; i < list->nkids && !p->rc; i++) {
        if (list->kids[i]->type != WW_YN_MAP)
            p->rc = ww_yc_fail(&p->yc, list->kids[i], "an alert must be a map");
        else
            p->rc = one_alert(p, list->kids[i]);
    }
}

int ww_cyberalert_parse(const char *name, const char *data, size_t len, ww_arena_t *arena,
                        ww_cyberalert_t **out, size_t *n, ww_diag_t *diag)
{
    parse_t p;
    memset(&p, 0, sizeof p);
    p.yc.file = name;
    p.yc.diag = diag;
    p.arena = arena;
    if (len > WW_CA_MAX_FILE) {
        ww_diag_set(diag, name, 0, 0, "file larger than %d bytes", WW_CA_MAX_FILE);
        return WW_ELIMIT;
    }
    if (memchr(data, 0, len)) {
        ww_diag_set(diag, name, 0, 0, "file holds a NUL byte: not JSON or YAML text");
        return WW_EPARSE;
    }
    int rc =
        ww_yaml_parse(arena, data, len, WW_YAML_ONE_DOC | WW_YAML_NO_ALIASES, on_doc, &p, diag);
    if (rc) {
        snprintf(diag->file, sizeof diag->file, "%s", name);
        return rc;
    }
    if (p.rc)
        return p.rc == WW_ENOMEM ? WW_ENOMEM : WW_EPARSE;
    if (p.n == 0) {
        ww_diag_set(diag, name, 1, 1, "no alerts in the file");
        return WW_EPARSE;
    }
    *out = p.v;
    *n = p.n;
    return 0;
}
