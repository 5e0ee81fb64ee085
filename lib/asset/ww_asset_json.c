/* The JSON importer: an array of asset objects, an object {"assets": [...]}, or JSON
 * lines / concatenated objects, with the same (loosely matched) names as the CSV
 * columns.  Values may be strings in the CSV syntax, numbers, booleans, null, or
 * arrays (one item per element; missing updates and software may also be objects).
 * Uses the event module's JSON tokenizer, one record at a time, so a huge array
 * never has to be tokenized whole.  A malformed record is reported with its line
 * and column; in JSON lines reading resumes at the next line.  A bad value is named
 * and left out, and the rest of its record is imported. */
#include "asset/ww_asset_int.h"
#include "event/ww_json_int.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct jimp {
    ww_store_t *st;
    const char *name;
    const ww_import_opts_t *o;
    ww_import_stats_t *stats;
    ww_diag_t *diag;
    int64_t now;
    ww_json_t js;
    ww_event_t ev; /* only its arena: unescaped strings */
    ww_arena_t ar;
    const char *base;
    char unknown[16][40]; /* keys already reported as unknown */
    size_t nunknown;
} jimp_t;

static void line_col(const char *base, const char *at, uint32_t *line, uint32_t *col)
{
    uint32_t l = 1;
    const char *ls = base;
    for (const char *p = base; p < at; p++)
        if (*p == '\n') {
            l++;
            ls = p + 1;
        }
    *line = l;
    *col = (uint32_t)(at - ls) + 1;
}

static void reject_at(jimp_t *j, const char *at, const char *fmt, const char *a1, const char *a2)
{
    uint32_t line, col;
    line_col(j->base, at, &line, &col);
    char msg[256];
    snprintf(msg, sizeof msg, fmt, a1, a2);
    ww__import_reject(j->o, j->stats, j->name, line, col, "%s", msg);
}

/* A value left out of a record that is otherwise imported. */
static void warn_at(jimp_t *j, const char *at, const char *field, const char *why)
{
    j->stats->cells_ignored++;
    ww_import_err_fn fn = j->o->on_warning ? j->o->on_warning : j->o->on_error;
    if (!fn)
        return;
    ww_diag_t d;
    memset(&d, 0, sizeof d);
    snprintf(d.file, sizeof d.file, "%s", j->name);
    line_col(j->base, at, &d.line, &d.col);
    snprintf(d.msg, sizeof d.msg, "%s: %s; value ignored, rest of the record imported", field, why);
    fn(j->o->ud, &d);
}

static void note_unknown(jimp_t *j, ww_str_t key, const char *at)
{
    for (size_t i = 0; i < j->nunknown; i++)
        if (strlen(j->unknown[i]) == key.n && memcmp(j->unknown[i], key.p, key.n) == 0)
            return;
    if (j->nunknown < 16) {
        snprintf(j->unknown[j->nunknown++], sizeof j->unknown[0], "%.*s",
                 (int)(key.n > 39 ? 39 : key.n), key.p);
    }
    if (!j->o->on_error)
        return;
    ww_diag_t d;
    memset(&d, 0, sizeof d);
    snprintf(d.file, sizeof d.file, "%s", j->name);
    line_col(j->base, at, &d.line, &d.col);
    snprintf(d.msg, sizeof d.msg, "key \"%.*s\" is not a register field; ignored",
             (int)(key.n > 60 ? 60 : key.n), key.p);
    j->o->on_error(j->o->ud, &d);
}

static int tok_text(jimp_t *j, const ww_jtok_t *t, ww_str_t *out)
{
    switch (t->type) {
    case WW_JT_STR: return ww__json_str(&j->ev, t, out);
    case WW_JT_INT:
    case WW_JT_FLOAT: *out = (ww_str_t){t->p, t->n}; return 0;
    case WW_JT_TRUE: *out = WW_STR("yes"); return 0;
    case WW_JT_FALSE: *out = WW_STR("no"); return 0;
    case WW_JT_NULL: *out = WW_STR(""); return 0;
    default: return WW_EPARSE;
    }
}

/* An object element of a list: {"id","severity","cvss","release_date"} for missing
 * updates, {"name","version"} for software, {"port","protocol",...} for ports. */
static int list_object(jimp_t *j, ww__rec_t *r, int f, uint32_t ti, char *why, size_t whylen)
{
    const ww_jtok_t *tok = j->js.tok;
    const ww_jtok_t *o = &tok[ti];
    ww_str_t id = {0}, sev = {0}, cvss = {0}, date = {0}, name = {0}, ver = {0}, port = {0},
             proto = {0}, svc = {0}, prod = {0};
    uint32_t k = ti + 1;
    for (uint32_t m = 0; m < o->count; m++) {
        const ww_jtok_t *key = &tok[k], *val = &tok[k + 1];
        ww_str_t ks, vs;
        if (ww__json_str(&j->ev, key, &ks) != 0)
            return WW_ENOMEM;
        if (tok_text(j, val, &vs) != 0) {
            snprintf(why, whylen, "\"%.*s\" must be a string or number", (int)ks.n, ks.p);
            return WW_EPARSE;
        }
        char kq[32];
        size_t kn = 0;
        for (size_t i = 0; i < ks.n && kn + 1 < sizeof kq; i++)
            if (ks.p[i] != '_' && ks.p[i] != '-' && ks.p[i] != ' ')
                kq[kn++] = (char)ww_lower((unsigned char)ks.p[i]);
        kq[kn] = 0;
        if (!strcmp(kq, "id") || !strcmp(kq, "cve") || !strcmp(kq, "kb") || !strcmp(kq, "update"))
            id = vs;
        else if (!strcmp(kq, "severity") || !strcmp(kq, "vendorseverity"))
            sev = vs;
        else if (!strcmp(kq, "cvss") || !strcmp(kq, "cvssscore") || !strcmp(kq, "cvss3"))
            cvss = vs;
        else if (!strcmp(kq, "releasedate") || !strcmp(kq, "released") || !strcmp(kq, "date"))
            date = vs;
        else if (!strcmp(kq, "name") || !strcmp(kq, "product"))
            name = prod = vs;
        else if (!strcmp(kq, "version"))
            ver = vs;
        else if (!strcmp(kq, "port") || !strcmp(kq, "portid"))
            port = vs;
        else if (!strcmp(kq, "protocol") || !strcmp(kq, "proto"))
            proto = vs;
        else if (!strcmp(kq, "service"))
            svc = vs;
        k = val->next;
    }
    if (f == WW_AF_MISSING_UPDATES) {
        ww_update_t u = {.cvss = -1, .released = WW_ASSET_NOTIME};
        if (!id.n) {
            snprintf(why, whylen, "missing update object has no \"id\"");
            return WW_EPARSE;
        }
        u.id = ww_arena_strndup(&j->ar, id.p, id.n);
        if (!u.id)
            return WW_ENOMEM;
        if (ww_sev_parse(sev.p ? sev.p : "", sev.n, &u.severity) != 0) {
            snprintf(why, whylen,
                     "missing update %s: severity \"%.*s\" is not one of critical, "
                     "high, medium, low",
                     u.id, (int)(sev.n > 30 ? 30 : sev.n), sev.p);
            return WW_EPARSE;
        }
        if (cvss.n &&
            (ww_parse_double(cvss.p, cvss.n, &u.cvss) != 0 || u.cvss < 0 || u.cvss > 10)) {
            snprintf(why, whylen, "missing update %s: CVSS \"%.*s\" is not a number 0-10", u.id,
                     (int)(cvss.n > 30 ? 30 : cvss.n), cvss.p);
            return WW_EPARSE;
        }
        if (date.n && ww_asset_date_parse(date.p, date.n, r->date_order, &u.released) != 0) {
            char dw[240];
            ww__date_why(date.p, date.n, r->date_order, dw, sizeof dw);
            snprintf(why, whylen, "missing update %.40s: release date %.200s", u.id, dw);
            return WW_EPARSE;
        }
        return ww__rec_add_update(r, &u, &j->ar);
    }
    if (f == WW_AF_SOFTWARE) {
        if (!name.n) {
            snprintf(why, whylen, "software object has no \"name\"");
            return WW_EPARSE;
        }
        char *nm = ww_arena_strndup(&j->ar, name.p, name.n);
        char *vr = ww_arena_strndup(&j->ar, ver.p ? ver.p : "", ver.n);
        if (!nm || !vr)
            return WW_ENOMEM;
        return ww__rec_add_software(r, nm, vr, &j->ar);
    }
    if (f == WW_AF_PORTS) {
        char buf[48];
        snprintf(buf, sizeof buf, "%.*s/%.*s", (int)(port.n > 20 ? 20 : port.n),
                 port.p ? port.p : "", (int)(proto.n > 8 ? 8 : proto.n), proto.n ? proto.p : "tcp");
        size_t before = r->a.nports;
        int rc = ww__rec_add(r, f, buf, strlen(buf), &j->ar, why, whylen);
        if (rc == 0 && r->a.nports > before) {
            ww_port_t *p = &r->a.ports[r->a.nports - 1];
            p->service = svc.n ? ww_arena_strndup(&j->ar, svc.p, svc.n) : "";
            p->product = prod.n ? ww_arena_strndup(&j->ar, prod.p, prod.n) : "";
            if (!p->service || !p->product)
                return WW_ENOMEM;
        }
        return rc;
    }
    snprintf(why, whylen, "an object is not allowed here");
    return WW_EPARSE;
}

/* One asset object at token 0.  0, or WW_ENOMEM/WW_EIO (rejections are counted). */
static int do_record(jimp_t *j)
{
    const ww_jtok_t *tok = j->js.tok;
    if (tok[0].type != WW_JT_OBJ) {
        reject_at(j, tok[0].p, "%s%s", "a record must be a JSON object", "");
        return 0;
    }
    ww_arena_reset(&j->ar);
    ww_event_reset(&j->ev);
    ww__rec_t r;
    ww__rec_init(&r);
    r.a.source = WW_SRC_JSON;
    r.date_order = j->o->date_order;
    char why[320];
    uint32_t k = 1;
    for (uint32_t m = 0; m < tok[0].count; m++) {
        const ww_jtok_t *key = &tok[k], *val = &tok[k + 1];
        uint32_t vi = k + 1;
        k = val->next;
        ww_str_t ks;
        if (ww__json_str(&j->ev, key, &ks) != 0)
            return WW_ENOMEM;
        int f = ww_asset_field_lookup(ks.p, ks.n);
        if (f < 0) {
            note_unknown(j, ks, key->p);
            continue;
        }
        int rc = 0;
        why[0] = 0;
        const char *at = val->p;
        if (val->type == WW_JT_ARR) {
            r.mask |= WW_AF_BIT(f);
            uint32_t e = vi + 1;
            for (uint32_t i = 0; i < val->count && rc == 0; i++) {
                const ww_jtok_t *el = &tok[e];
                at = el->p;
                if (el->type == WW_JT_OBJ) {
                    rc = list_object(j, &r, f, e, why, sizeof why);
                } else {
                    ww_str_t s;
                    rc = tok_text(j, el, &s);
                    if (rc)
                        snprintf(why, sizeof why, "nested arrays are not allowed");
                    else
                        rc = ww__rec_add(&r, f, s.p, s.n, &j->ar, why, sizeof why);
                }
                e = el->next;
            }
        } else if (val->type == WW_JT_OBJ) {
            r.mask |= WW_AF_BIT(f);
            rc = list_object(j, &r, f, vi, why, sizeof why);
        } else {
            ww_str_t s;
            rc = tok_text(j, val, &s);
            if (rc == 0)
                rc = ww__rec_set(&r, f, s.p, s.n, &j->ar, why, sizeof why);
        }
        if (rc == WW_ENOMEM)
            return rc;
        if (rc < 0) {
            /* As in CSV: the bad value is named and left out; the record is kept. */
            ww__rec_unset(&r, f);
            warn_at(j, at, ww_asset_field_name(f), why);
        }
    }
    if (ww__rec_check(&r, why, sizeof why) != 0) {
        reject_at(j, tok[0].p, "%s%s", why, "");
        return 0;
    }
    int updated = 0;
    int rc = ww__asset_put(j->st, &r, j->now, &updated, j->diag);
    if (rc)
        return rc;
    if (updated)
        j->stats->updated++;
    else
        j->stats->imported++;
    return 0;
}

static const char *skip_ws(const char *p, const char *e)
{
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    return p;
}

/* Parses one value at p into j->js.  0, 1 after reporting a syntax error, or
 * WW_ENOMEM. */
static int parse_at(jimp_t *j, const char *p)
{
    if (ww__json_parse(&j->js, p) == 0)
        return 0;
    if (j->js.err_code == WW_ENOMEM)
        return WW_ENOMEM;
    reject_at(j, j->js.err_at ? j->js.err_at : p, "malformed JSON: %s%s",
              j->js.err_msg ? j->js.err_msg : "syntax error", "");
    return 1;
}

int ww__import_json(ww_store_t *st, const char *name, const char *data, size_t len,
                    const ww_import_opts_t *o, int64_t now, ww_import_stats_t *stats,
                    ww_diag_t *diag)
{
    jimp_t j;
    memset(&j, 0, sizeof j);
    j.st = st;
    j.name = name;
    j.o = o;
    j.stats = stats;
    j.diag = diag;
    j.now = now;
    j.base = data;
    ww_event_init(&j.ev);
    ww_arena_init(&j.ar, 16384, 64u << 20);
    const char *p = data, *e = data + len;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    j.js.base = data;
    j.js.end = e;
    int rc = 0;
    p = skip_ws(p, e);
    if (p == e) {
        ww_diag_set(diag, name, 0, 0, "empty file: no JSON records");
        rc = WW_EPARSE;
        goto out;
    }
    if (*p != '[' && *p != '{') {
        uint32_t l, c;
        line_col(data, p, &l, &c);
        ww_diag_set(diag, name, l, c, "not JSON: expected an array or objects");
        rc = WW_EPARSE;
        goto out;
    }
    /* {"assets": [...]} is the array itself. */
    if (*p == '{') {
        const char *q = skip_ws(p + 1, e);
        static const char key[] = "\"assets\"";
        if ((size_t)(e - q) > sizeof key && memcmp(q, key, sizeof key - 1) == 0) {
            q = skip_ws(q + sizeof key - 1, e);
            if (q < e && *q == ':') {
                q = skip_ws(q + 1, e);
                if (q < e && *q == '[')
                    p = q;
            }
        }
    }
    if (*p == '[') {
        p = skip_ws(p + 1, e);
        if (p < e && *p == ']')
            goto out;
        size_t n = 0;
        for (;;) {
            int pr = parse_at(&j, p);
            if (pr == WW_ENOMEM) {
                rc = pr;
                goto out;
            }
            if (pr > 0)
                break; /* inside an array there is no safe place to resume */
            if ((rc = do_record(&j)) != 0)
                goto out;
            if (++n >= WW_ASSET_MAX_ROWS)
                break;
            p = skip_ws(j.js.pos, e);
            if (p < e && *p == ',') {
                p = skip_ws(p + 1, e);
                continue;
            }
            if (p < e && *p == ']')
                break;
            reject_at(&j, p, "malformed JSON: %s%s",
                      p < e ? "expected ',' or ']' after an array element"
                            : "the array is never closed",
                      "");
            break;
        }
        goto out;
    }
    /* JSON lines, or objects one after another. */
    size_t n = 0;
    while (p < e && n < WW_ASSET_MAX_ROWS) {
        int pr = parse_at(&j, p);
        if (pr == WW_ENOMEM) {
            rc = pr;
            goto out;
        }
        if (pr > 0) {
            /* Resume at the next line that starts an object. */
            const char *q = j.js.err_at && j.js.err_at > p ? j.js.err_at : p + 1;
            for (;;) {
                const char *nl = memchr(q, '\n', (size_t)(e - q));
                if (!nl) {
                    q = e;
                    break;
                }
                q = skip_ws(nl + 1, e);
                if (q < e && *q == '{')
                    break;
            }
            p = q;
            continue;
        }
        if ((rc = do_record(&j)) != 0)
            goto out;
        n++;
        p = skip_ws(j.js.pos, e);
        if (p < e && *p == ',')
            p = skip_ws(p + 1, e);
    }
out:
    free(j.js.tok);
    ww_event_release(&j.ev);
    ww_arena_release(&j.ar);
    return rc;
}
