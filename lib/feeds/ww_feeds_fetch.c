/* `wardwatch feeds fetch`: downloads the current CISA KEV catalog and the endoflife.date
 * data of the products wardwatch knows, over HTTPS only (libcurl), and stores each one
 * only after the same parsers that read imported files have accepted it: a broken or
 * partial download never replaces good data.  The endoflife.date API answers in JSON;
 * it is converted here to the product-file form (YAML front matter) the loader reads,
 * and that text is what gets validated and stored. */
#include "feeds/ww_feeds_int.h"
#include "event/ww_json_int.h"
#include "util/ww_https.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

/* ---- endoflife.date API answer -> product file ------------------------------------ */

typedef struct api {
    ww_json_t js;
    ww_event_t ev;
} api_t;

/* The member `key` of the object at token `obj`, or 0. */
static uint32_t member(const ww_jtok_t *t, uint32_t obj, const char *key)
{
    if (t[obj].type != WW_JT_OBJ)
        return 0;
    uint32_t k = obj + 1;
    size_t kn = strlen(key);
    for (uint32_t m = 0; m < t[obj].count; m++) {
        if (t[k].n == kn && !memcmp(t[k].p, key, kn))
            return k + 1;
        k = t[k + 1].next;
    }
    return 0;
}

/* A YAML double-quoted scalar of a JSON string token (escapes decoded, then re-escaped
 * for YAML; control characters dropped). */
static void put_quoted(api_t *a, ww_buf_t *b, const ww_jtok_t *t)
{
    ww_str_t s = {"", 0};
    if (t->type == WW_JT_STR)
        ww__json_str(&a->ev, t, &s);
    else if (t->type == WW_JT_INT || t->type == WW_JT_FLOAT)
        s = (ww_str_t){t->p, t->n};
    ww_buf_putc(b, '"');
    for (size_t i = 0; i < s.n && i < 256; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (c == '"' || c == '\\')
            ww_buf_putc(b, '\\');
        if (c >= 0x20)
            ww_buf_putc(b, (char)c);
    }
    ww_buf_putc(b, '"');
}

/* True for a JSON string that is exactly a date YYYY-MM-DD. */
static bool is_date(const ww_jtok_t *t)
{
    if (t->type != WW_JT_STR || t->n != 10 || t->esc)
        return false;
    for (int i = 0; i < 10; i++) {
        char c = t->p[i];
        if (i == 4 || i == 7 ? c != '-' : (c < '0' || c > '9'))
            return false;
    }
    return true;
}

/* key: a date, true or false from a date-or-boolean value (the older API shape). */
static void put_date_or_bool(ww_buf_t *b, const char *key, const ww_jtok_t *t)
{
    if (is_date(t))
        ww_buf_printf(b, "    %s: %.10s\n", key, t->p);
    else if (t->type == WW_JT_TRUE || t->type == WW_JT_FALSE)
        ww_buf_printf(b, "    %s: %s\n", key, t->type == WW_JT_TRUE ? "true" : "false");
}

/* key from the v1 pair isX / xFrom: the date when given, else the boolean. */
static void put_pair(ww_buf_t *b, const char *key, const ww_jtok_t *t, uint32_t is, uint32_t from)
{
    if (from && is_date(&t[from]))
        ww_buf_printf(b, "    %s: %.10s\n", key, t[from].p);
    else if (is && (t[is].type == WW_JT_TRUE || t[is].type == WW_JT_FALSE))
        ww_buf_printf(b, "    %s: %s\n", key, t[is].type == WW_JT_TRUE ? "true" : "false");
}

int ww__feeds_eol_from_api(const char *name, const char *data, size_t len, const char *title,
                           ww_buf_t *out, ww_diag_t *diag)
{
    api_t a;
    memset(&a, 0, sizeof a);
    a.js.base = data;
    a.js.end = data + len;
    ww_event_init(&a.ev);
    int rc = 0;
    if (ww__json_parse(&a.js, data) != 0) {
        ww_diag_set(diag, name, 0, 0, "endoflife.date answer is not JSON: %s",
                    a.js.err_msg ? a.js.err_msg : "syntax error");
        rc = a.js.err_code == WW_ENOMEM ? WW_ENOMEM : WW_EPARSE;
        goto out;
    }
    const ww_jtok_t *t = a.js.tok;
    uint32_t rels = 0, label = 0;
    bool v1 = false;
    if (t[0].type == WW_JT_ARR) {
        rels = 0;
    } else if (t[0].type == WW_JT_OBJ) {
        uint32_t res = member(t, 0, "result");
        rels = res ? member(t, res, "releases") : 0;
        label = res ? member(t, res, "label") : 0;
        v1 = true;
        if (!rels || t[rels].type != WW_JT_ARR) {
            ww_diag_set(diag, name, 0, 0,
                        "not an endoflife.date product answer: no result.releases list");
            rc = WW_EPARSE;
            goto out;
        }
    } else {
        ww_diag_set(diag, name, 0, 0, "not an endoflife.date product answer");
        rc = WW_EPARSE;
        goto out;
    }
    ww_buf_puts(out, "---\ntitle: ");
    if (label && t[label].type == WW_JT_STR) {
        put_quoted(&a, out, &t[label]);
    } else {
        ww_jtok_t fake = {
            .p = title ? title : "", .n = (uint32_t)strlen(title ? title : ""), .type = WW_JT_STR};
        put_quoted(&a, out, &fake);
    }
    ww_buf_puts(out, "\nreleases:\n");
    uint32_t e = rels + 1;
    for (uint32_t i = 0; i < t[rels].count; i++) {
        uint32_t o = e;
        e = t[o].next;
        if (t[o].type != WW_JT_OBJ)
            continue;
        uint32_t cyc = member(t, o, v1 ? "name" : "cycle");
        if (!cyc ||
            (t[cyc].type != WW_JT_STR && t[cyc].type != WW_JT_INT && t[cyc].type != WW_JT_FLOAT))
            continue;
        ww_buf_puts(out, "  - releaseCycle: ");
        put_quoted(&a, out, &t[cyc]);
        ww_buf_putc(out, '\n');
        uint32_t lab = member(t, o, v1 ? "label" : "releaseLabel");
        if (lab && t[lab].type == WW_JT_STR) {
            ww_buf_puts(out, "    releaseLabel: ");
            put_quoted(&a, out, &t[lab]);
            ww_buf_putc(out, '\n');
        }
        uint32_t rd = member(t, o, "releaseDate");
        if (rd && is_date(&t[rd]))
            ww_buf_printf(out, "    releaseDate: %.10s\n", t[rd].p);
        if (v1) {
            put_pair(out, "eoas", t, member(t, o, "isEoas"), member(t, o, "eoasFrom"));
            put_pair(out, "eol", t, member(t, o, "isEol"), member(t, o, "eolFrom"));
            /* Extended support only with a date: "isEoes: false" alone cannot tell "not
               ended" from "there is none", and an open-ended ESU would never expire. */
            uint32_t ef = member(t, o, "eoesFrom");
            if (ef && is_date(&t[ef]))
                ww_buf_printf(out, "    eoes: %.10s\n", t[ef].p);
            uint32_t lts = member(t, o, "isLts");
            if (lts && t[lts].type == WW_JT_TRUE)
                ww_buf_puts(out, "    lts: true\n");
            uint32_t lat = member(t, o, "latest");
            lat = lat ? member(t, lat, "name") : 0;
            if (lat && t[lat].type == WW_JT_STR) {
                ww_buf_puts(out, "    latest: ");
                put_quoted(&a, out, &t[lat]);
                ww_buf_putc(out, '\n');
            }
        } else {
            uint32_t k;
            if ((k = member(t, o, "support")))
                put_date_or_bool(out, "eoas", &t[k]);
            if ((k = member(t, o, "eol")))
                put_date_or_bool(out, "eol", &t[k]);
            if ((k = member(t, o, "extendedSupport")) && is_date(&t[k]))
                ww_buf_printf(out, "    eoes: %.10s\n", t[k].p);
            if ((k = member(t, o, "lts")) && (t[k].type == WW_JT_TRUE || is_date(&t[k])))
                ww_buf_puts(out, "    lts: true\n");
            if ((k = member(t, o, "latest")) && t[k].type == WW_JT_STR) {
                ww_buf_puts(out, "    latest: ");
                put_quoted(&a, out, &t[k]);
                ww_buf_putc(out, '\n');
            }
        }
    }
    ww_buf_puts(out, "---\n");
    if (out->err)
        rc = out->err;
out:
    free(a.js.tok);
    ww_event_release(&a.ev);
    return rc;
}

/* ---- HTTPS download --------------------------------------------------------------- */

/* Downloads `url` into b (NUL-terminated): ww_https_get, with the reason https matters
 * here.  0 or WW_E* with diag. */
static int download(const char *url, const char *cacert, ww_buf_t *b, ww_diag_t *diag)
{
    int rc = ww_https_get(url, cacert, b, NULL, 0, diag);
    if (rc == WW_EINVAL)
        ww_diag_set(diag, url, 0, 0,
                    "only https:// URLs are fetched (the data decides what is "
                    "reported as exploited or unsupported)");
    if (rc)
        return rc;
    if (ww_buf_putc(b, 0) != 0)
        return b->err ? b->err : WW_ENOMEM;
    b->n--; /* the NUL stays after the data, not in it */
    return 0;
}

/* ---- fetch ------------------------------------------------------------------------ */

/* The URL for one product: {product} replaced, else the slug appended. */
static void product_url(const char *tmpl, const char *slug, char *out, size_t cap)
{
    const char *at = strstr(tmpl, "{product}");
    if (at)
        snprintf(out, cap, "%.*s%s%s", (int)(at - tmpl), tmpl, slug, at + 9);
    else
        snprintf(out, cap, "%s%s%s", tmpl, tmpl[0] && tmpl[strlen(tmpl) - 1] == '/' ? "" : "/",
                 slug);
}

static void report(const ww_feeds_fetch_opts_t *o, const char *what, const char *url, int rc,
                   const ww_diag_t *d, size_t entries)
{
    if (o->report)
        o->report(o->ud, what, url, rc, d, entries);
}

static int fetch_kev(ww_store_t *st, const ww_feeds_fetch_opts_t *o)
{
    const char *url = o->kev_url ? o->kev_url : WW_FEEDS_KEV_URL;
    ww_buf_t b;
    ww_buf_init(&b, WW_FEEDS_MAX_FILE);
    ww_arena_t ar;
    ww_arena_init(&ar, 65536, 0);
    ww_diag_t d;
    memset(&d, 0, sizeof d);
    ww_kev_t *v = NULL;
    size_t n = 0;
    char version[64] = "";
    int rc = download(url, o->cacert, &b, &d);
    if (rc == 0)
        rc =
            ww__feeds_parse_kev(url, b.p ? b.p : "", b.n, &ar, &v, &n, version, sizeof version, &d);
    if (rc == 0 && n == 0) {
        ww_diag_set(&d, url, 0, 0, "KEV catalog has no entries; the current data is kept");
        rc = WW_EPARSE;
    }
    if (rc == 0)
        rc = ww__feeds_store(st, "kev", "kev", url, version, b.p, b.n, &d);
    report(o, "kev", url, rc, &d, n);
    ww_arena_release(&ar);
    ww_buf_release(&b);
    return rc;
}

static int fetch_product(ww_store_t *st, const ww_feeds_fetch_opts_t *o, const char *slug,
                         const char *title)
{
    char url[1024];
    product_url(o->eol_url ? o->eol_url : WW_FEEDS_EOL_URL, slug, url, sizeof url);
    ww_buf_t b, y;
    ww_buf_init(&b, WW_FEEDS_MAX_FILE);
    ww_buf_init(&y, WW_FEEDS_MAX_FILE);
    ww_arena_t ar;
    ww_arena_init(&ar, 65536, 0);
    ww_diag_t d;
    memset(&d, 0, sizeof d);
    ww_eol_product_t p;
    memset(&p, 0, sizeof p);
    int rc = download(url, o->cacert, &b, &d);
    if (rc == 0)
        rc = ww__feeds_eol_from_api(url, b.p ? b.p : "", b.n, title, &y, &d);
    if (rc == 0)
        rc = ww__feeds_parse_eol(url, slug, y.p ? y.p : "", y.n, &ar, &p, &d);
    if (rc == 0 && p.nrel == 0) {
        ww_diag_set(&d, url, 0, 0, "end-of-life data lists no releases; the current data is kept");
        rc = WW_EPARSE;
    }
    if (rc == 0)
        rc = ww__feeds_store(st, "endoflife", slug, url, "", y.p, y.n, &d);
    report(o, slug, url, rc, &d, p.nrel);
    ww_arena_release(&ar);
    ww_buf_release(&y);
    ww_buf_release(&b);
    return rc;
}

int ww_feeds_fetch(ww_store_t *st, const ww_feeds_fetch_opts_t *o, size_t *failed, ww_diag_t *diag)
{
    *failed = 0;
    int rc = ww_feeds_migrate(st, diag);
    if (rc)
        return rc;
    /* The products to refresh: those the data in use covers (bundled and imported). */
    ww_feeds_t *f = NULL;
    if (o->eol && (rc = ww_feeds_load(st, o->data_dir, &f, diag)) != 0)
        return rc;
    if (o->kev && fetch_kev(st, o) != 0)
        (*failed)++;
    for (size_t i = 0; o->eol && i < f->nprod; i++) {
        bool wanted = !o->nproducts;
        for (size_t k = 0; k < o->nproducts && !wanted; k++)
            wanted = !strcmp(o->products[k], f->prod[i].slug);
        if (wanted && fetch_product(st, o, f->prod[i].slug, f->prod[i].title) != 0)
            (*failed)++;
    }
    /* A product asked for by name that the data does not have yet is fetched too. */
    for (size_t k = 0; o->eol && k < o->nproducts; k++) {
        bool known = false;
        for (size_t i = 0; i < f->nprod && !known; i++)
            known = !strcmp(o->products[k], f->prod[i].slug);
        if (!known && fetch_product(st, o, o->products[k], "") != 0)
            (*failed)++;
    }
    ww_feeds_free(f);
    return *failed ? WW_EIO : 0;
}
