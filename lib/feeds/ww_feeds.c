/* Reference data: loading the CISA KEV catalog (JSON, through the event module's
 * tokenizer) and endoflife.date product files (YAML front matter, through libyaml),
 * from the bundled data/ directory and from what `feeds import` stored in the
 * database; KEV lookups by CVE ID.  Product/version matching is in
 * ww_feeds_match.c. */
#include "feeds/ww_feeds_int.h"
#include "event/ww_json_int.h"

#include <dirent.h>
#include <limits.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <yaml.h>

static const char *const migrations[] = {
    "CREATE TABLE feeds_file(kind TEXT NOT NULL, name TEXT NOT NULL, source TEXT NOT NULL,"
    " loaded_at TEXT NOT NULL, version TEXT NOT NULL DEFAULT '', content BLOB NOT NULL,"
    " PRIMARY KEY(kind, name));",
};

int ww_feeds_migrate(ww_store_t *st, ww_diag_t *diag)
{
    return ww_store_migrate(st, "feeds", migrations, WW_ARRAY_LEN(migrations), diag);
}

const char *ww_feeds_default_dir(void)
{
    const char *e = getenv("WARDWATCH_DATA");
    if (e && *e)
        return e;
    /* An installed layout first, then the source tree the binary was built from. */
    static char path[PATH_MAX + 32];
    if (ww_installed_dir("data", path, sizeof path))
        return path;
    return WW_SOURCE_DIR "/data";
}

/* ---- dates ---------------------------------------------------------------------- */

/* "2024-01-09" -> seconds.  Also "true"/"false" for end-of-life fields. */
static int64_t parse_date(const char *p, size_t n)
{
    if (n == 4 && ww_str_ieq((ww_str_t){p, n}, WW_STR("true")))
        return WW_FEEDS_ENDED;
    if (n == 5 && ww_str_ieq((ww_str_t){p, n}, WW_STR("false")))
        return WW_FEEDS_NOT_ENDED;
    int64_t ns;
    if (n < 10 || ww_time_parse_iso(p, n, &ns) != 0)
        return WW_FEEDS_NODATE;
    return ns / 1000000000LL;
}

/* ---- KEV ------------------------------------------------------------------------- */

static int cmp_kev(const void *a, const void *b)
{
    return strcasecmp(((const ww_kev_t *)a)->cve, ((const ww_kev_t *)b)->cve);
}

static char *jstr(ww_event_t *ev, const ww_jtok_t *t, ww_arena_t *ar)
{
    ww_str_t s;
    if (t->type != WW_JT_STR || ww__json_str(ev, t, &s) != 0)
        return ww_arena_strdup(ar, "");
    return ww_arena_strndup(ar, s.p, s.n);
}

int ww__feeds_parse_kev(const char *name, const char *data, size_t len, ww_arena_t *ar,
                        ww_kev_t **out, size_t *nout, char *version, size_t vlen, ww_diag_t *diag)
{
    return ww__feeds_parse_kev_dated(name, data, len, ar, out, nout, version, vlen, NULL, diag);
}

int ww__feeds_parse_kev_dated(const char *name, const char *data, size_t len, ww_arena_t *ar,
                              ww_kev_t **out, size_t *nout, char *version, size_t vlen,
                              int64_t *released_out, ww_diag_t *diag)
{
    ww_json_t js;
    memset(&js, 0, sizeof js);
    js.base = data;
    js.end = data + len;
    ww_event_t ev;
    ww_event_init(&ev);
    int rc = 0;
    ww_kev_t *v = NULL;
    size_t n = 0;
    if (ww__json_parse(&js, data) != 0) {
        uint32_t line = 1, col = 1;
        const char *ls = data;
        for (const char *p = data; js.err_at && p < js.err_at; p++)
            if (*p == '\n') {
                line++;
                ls = p + 1;
            }
        col = js.err_at ? (uint32_t)(js.err_at - ls) + 1 : 0;
        ww_diag_set(diag, name, line, col, "KEV catalog: malformed JSON: %s",
                    js.err_msg ? js.err_msg : "syntax error");
        rc = js.err_code == WW_ENOMEM ? WW_ENOMEM : WW_EPARSE;
        goto out;
    }
    const ww_jtok_t *t = js.tok;
    if (t[0].type != WW_JT_OBJ) {
        ww_diag_set(diag, name, 1, 1, "KEV catalog: expected a JSON object");
        rc = WW_EPARSE;
        goto out;
    }
    uint32_t vul = 0;
    uint32_t k = 1;
    int64_t released = WW_FEEDS_NODATE;
    for (uint32_t m = 0; m < t[0].count; m++) {
        ww_str_t key = {t[k].p, t[k].n};
        const ww_jtok_t *val = &t[k + 1];
        if (ww_str_eq(key, WW_STR("vulnerabilities")) && val->type == WW_JT_ARR)
            vul = k + 1;
        else if (ww_str_eq(key, WW_STR("catalogVersion")) && val->type == WW_JT_STR && version)
            snprintf(version, vlen, "%.*s", (int)val->n, val->p);
        else if (ww_str_eq(key, WW_STR("dateReleased")) && val->type == WW_JT_STR)
            released = parse_date(val->p, val->n);
        k = val->next;
    }
    if (!vul) {
        ww_diag_set(diag, name, 1, 1,
                    "not a KEV catalog: no \"vulnerabilities\" array (expected CISA's "
                    "known_exploited_vulnerabilities.json)");
        rc = WW_EPARSE;
        goto out;
    }
    size_t cnt = t[vul].count;
    v = cnt ? ww_arena_calloc(ar, cnt * sizeof *v) : NULL;
    if (cnt && !v) {
        rc = WW_ENOMEM;
        goto out;
    }
    uint32_t e = vul + 1;
    for (size_t i = 0; i < cnt; i++) {
        const ww_jtok_t *o = &t[e];
        uint32_t next = o->next;
        if (o->type == WW_JT_OBJ) {
            ww_kev_t x = {.cve = NULL, .date_added = WW_FEEDS_NODATE, .due_date = WW_FEEDS_NODATE};
            x.vendor = x.product = x.name = "";
            uint32_t q = e + 1;
            for (uint32_t m = 0; m < o->count; m++) {
                ww_str_t key = {t[q].p, t[q].n};
                const ww_jtok_t *val = &t[q + 1];
                if (ww_str_eq(key, WW_STR("cveID")))
                    x.cve = jstr(&ev, val, ar);
                else if (ww_str_eq(key, WW_STR("vendorProject")))
                    x.vendor = jstr(&ev, val, ar);
                else if (ww_str_eq(key, WW_STR("product")))
                    x.product = jstr(&ev, val, ar);
                else if (ww_str_eq(key, WW_STR("vulnerabilityName")))
                    x.name = jstr(&ev, val, ar);
                else if (ww_str_eq(key, WW_STR("dateAdded")) && val->type == WW_JT_STR)
                    x.date_added = parse_date(val->p, val->n);
                else if (ww_str_eq(key, WW_STR("dueDate")) && val->type == WW_JT_STR)
                    x.due_date = parse_date(val->p, val->n);
                else if (ww_str_eq(key, WW_STR("knownRansomwareCampaignUse")) &&
                         val->type == WW_JT_STR)
                    x.ransomware = ww_str_ieq((ww_str_t){val->p, val->n}, WW_STR("Known"));
                q = val->next;
            }
            if (!x.vendor || !x.product || !x.name) {
                rc = WW_ENOMEM;
                goto out;
            }
            if (x.cve && *x.cve)
                v[n++] = x;
        }
        e = next;
    }
    if (n)
        qsort(v, n, sizeof *v, cmp_kev);
    *out = v;
    *nout = n;
    if (released_out)
        *released_out = released;
out:
    free(js.tok);
    ww_event_release(&ev);
    return rc;
}

const ww_kev_t *ww_feeds_kev(const ww_feeds_t *f, const char *cve)
{
    if (!f || !cve || !f->nkev)
        return NULL;
    while (*cve == ' ' || *cve == '\t')
        cve++;
    char key[64];
    size_t n = strlen(cve);
    while (n && (cve[n - 1] == ' ' || cve[n - 1] == '\t'))
        n--;
    if (n == 0 || n >= sizeof key)
        return NULL;
    memcpy(key, cve, n);
    key[n] = 0;
    ww_kev_t k = {.cve = key};
    return bsearch(&k, f->kev, f->nkev, sizeof k, cmp_kev);
}

int64_t ww_feeds_kev_date(const ww_feeds_t *f)
{
    return f && f->nkev ? f->kev_info.data_date : WW_FEEDS_NODATE;
}

int64_t ww_feeds_eol_date(const ww_feeds_t *f, const char **slug)
{
    int64_t oldest = WW_FEEDS_NODATE;
    for (size_t i = 0; f && i < f->nprod; i++) {
        int64_t d = f->prod[i].info.data_date;
        if (d == WW_FEEDS_NODATE)
            continue;
        if (oldest == WW_FEEDS_NODATE || d < oldest) {
            oldest = d;
            if (slug)
                *slug = f->prod[i].slug;
        }
    }
    return oldest;
}

size_t ww_feeds_kev_count(const ww_feeds_t *f)
{
    return f ? f->nkev : 0;
}

const char *ww_feeds_kev_version(const ww_feeds_t *f)
{
    return f ? f->kev_info.version : "";
}

/* ---- endoflife.date product files ------------------------------------------------ */

/* The YAML front matter between the first two "---" lines (the whole text when it
 * does not start with one). */
static void front_matter(const char *data, size_t len, const char **p, size_t *n)
{
    *p = data;
    *n = len;
    if (len < 4 || memcmp(data, "---", 3) != 0)
        return;
    const char *s = memchr(data, '\n', len);
    if (!s)
        return;
    s++;
    const char *e = data + len;
    for (const char *q = s; q < e;) {
        const char *nl = memchr(q, '\n', (size_t)(e - q));
        size_t ln = (size_t)((nl ? nl : e) - q);
        if (ln >= 3 && memcmp(q, "---", 3) == 0 && (ln == 3 || q[3] == '\r' || q[3] == ' ')) {
            *p = s;
            *n = (size_t)(q - s);
            return;
        }
        if (!nl)
            break;
        q = nl + 1;
    }
    *p = s;
    *n = (size_t)(e - s);
}

typedef struct yctx {
    yaml_parser_t parser;
    yaml_event_t ev;
    bool have;
} yctx_t;

static int ynext(yctx_t *y)
{
    if (y->have)
        yaml_event_delete(&y->ev);
    y->have = false;
    if (!yaml_parser_parse(&y->parser, &y->ev))
        return WW_EPARSE;
    y->have = true;
    return 0;
}

/* Skips the value whose first event is current (scalar, alias or a whole
 * container). */
static int yskip(yctx_t *y)
{
    int depth = 0;
    for (;;) {
        switch (y->ev.type) {
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT: depth++; break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT: depth--; break;
        case YAML_STREAM_END_EVENT:
        case YAML_NO_EVENT: return WW_EPARSE;
        default: break;
        }
        if (depth <= 0)
            return 0;
        if (ynext(y))
            return WW_EPARSE;
    }
}

static char *yscalar(yctx_t *y, ww_arena_t *ar)
{
    return ww_arena_strndup(ar, (const char *)y->ev.data.scalar.value, y->ev.data.scalar.length);
}

static int parse_release(yctx_t *y, ww_eol_rel_t *r, ww_arena_t *ar)
{
    memset(r, 0, sizeof *r);
    r->cycle = r->label = r->latest = r->codename = "";
    r->release = r->eoas = r->eol = r->eoes = WW_FEEDS_NODATE;
    for (;;) {
        if (ynext(y))
            return WW_EPARSE;
        if (y->ev.type == YAML_MAPPING_END_EVENT)
            return 0;
        if (y->ev.type != YAML_SCALAR_EVENT)
            return WW_EPARSE;
        char key[32];
        snprintf(key, sizeof key, "%.*s", (int)y->ev.data.scalar.length,
                 (const char *)y->ev.data.scalar.value);
        if (ynext(y))
            return WW_EPARSE;
        if (y->ev.type != YAML_SCALAR_EVENT) {
            if (yskip(y))
                return WW_EPARSE;
            continue;
        }
        const char *v = (const char *)y->ev.data.scalar.value;
        size_t vn = y->ev.data.scalar.length;
        if (!strcmp(key, "releaseCycle")) {
            r->cycle = yscalar(y, ar);
        } else if (!strcmp(key, "releaseLabel")) {
            r->label = yscalar(y, ar);
        } else if (!strcmp(key, "latest")) {
            r->latest = yscalar(y, ar);
        } else if (!strcmp(key, "codename")) {
            r->codename = yscalar(y, ar);
        } else if (!strcmp(key, "releaseDate")) {
            r->release = parse_date(v, vn);
        } else if (!strcmp(key, "eoas")) {
            r->eoas = parse_date(v, vn);
        } else if (!strcmp(key, "eol")) {
            r->eol = parse_date(v, vn);
        } else if (!strcmp(key, "eoes")) {
            r->eoes = parse_date(v, vn);
        } else if (!strcmp(key, "lts")) {
            r->lts = vn == 4 ? ww_str_ieq((ww_str_t){v, vn}, WW_STR("true")) : vn >= 10;
        }
        if (!r->cycle || !r->label || !r->latest || !r->codename)
            return WW_ENOMEM;
    }
}

int ww__feeds_parse_eol(const char *name, const char *slug, const char *data, size_t len,
                        ww_arena_t *ar, ww_eol_product_t *out, ww_diag_t *diag)
{
    const char *fm;
    size_t fn;
    front_matter(data, len, &fm, &fn);
    yctx_t y;
    memset(&y, 0, sizeof y);
    if (!yaml_parser_initialize(&y.parser))
        return WW_ENOMEM;
    yaml_parser_set_input_string(&y.parser, (const unsigned char *)fm, fn);
    int rc = 0;
    ww_eol_rel_t *rels = NULL;
    size_t nrel = 0, cap = 0;
    memset(out, 0, sizeof *out);
    out->slug = ww_arena_strdup(ar, slug);
    out->title = "";
    bool have_releases = false;
    /* stream start, document start, mapping start */
    if (ynext(&y) || ynext(&y) || y.ev.type != YAML_DOCUMENT_START_EVENT || ynext(&y) ||
        y.ev.type != YAML_MAPPING_START_EVENT)
        goto bad;
    for (;;) {
        if (ynext(&y))
            goto bad;
        if (y.ev.type == YAML_MAPPING_END_EVENT)
            break;
        if (y.ev.type != YAML_SCALAR_EVENT)
            goto bad;
        char key[32];
        snprintf(key, sizeof key, "%.*s", (int)y.ev.data.scalar.length,
                 (const char *)y.ev.data.scalar.value);
        if (ynext(&y))
            goto bad;
        if (!strcmp(key, "title") && y.ev.type == YAML_SCALAR_EVENT) {
            out->title = yscalar(&y, ar);
            continue;
        }
        if (strcmp(key, "releases") != 0 || y.ev.type != YAML_SEQUENCE_START_EVENT) {
            if (yskip(&y))
                goto bad;
            continue;
        }
        have_releases = true;
        for (;;) {
            if (ynext(&y))
                goto bad;
            if (y.ev.type == YAML_SEQUENCE_END_EVENT)
                break;
            if (y.ev.type != YAML_MAPPING_START_EVENT) {
                if (yskip(&y))
                    goto bad;
                continue;
            }
            if (nrel == cap) {
                size_t ncap = cap ? cap * 2 : 32;
                if (ncap > 4096) {
                    ww_diag_set(diag, name, 0, 0, "end-of-life data: more than 4096 releases");
                    rc = WW_ELIMIT;
                    goto out;
                }
                ww_eol_rel_t *nv = ww_arena_alloc(ar, ncap * sizeof *nv);
                if (!nv) {
                    rc = WW_ENOMEM;
                    goto out;
                }
                if (nrel)
                    memcpy(nv, rels, nrel * sizeof *nv);
                rels = nv;
                cap = ncap;
            }
            int r = parse_release(&y, &rels[nrel], ar);
            if (r == WW_ENOMEM) {
                rc = r;
                goto out;
            }
            if (r)
                goto bad;
            if (*rels[nrel].cycle)
                nrel++;
        }
    }
    if (!have_releases) {
        ww_diag_set(diag, name, 0, 0,
                    "not an endoflife.date product file: no \"releases\" list in the front "
                    "matter");
        rc = WW_EPARSE;
        goto out;
    }
    out->rel = rels;
    out->nrel = nrel;
    if (!out->slug || !out->title)
        rc = WW_ENOMEM;
    goto out;
bad:
    ww_diag_set(diag, name, (uint32_t)y.parser.problem_mark.line + 1 + (fm > data ? 1 : 0),
                (uint32_t)y.parser.problem_mark.column + 1, "end-of-life data: %s",
                y.parser.problem ? y.parser.problem : "unexpected YAML structure");
    rc = WW_EPARSE;
out:
    if (y.have)
        yaml_event_delete(&y.ev);
    yaml_parser_delete(&y.parser);
    return rc;
}

/* ---- loading -------------------------------------------------------------------- */

static int read_file(const char *path, ww_buf_t *b)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return WW_ENOENT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (ww_buf_append(b, chunk, n) != 0)
            break;
    int bad = ferror(f);
    fclose(f);
    if (b->err)
        return b->err;
    return bad ? WW_EIO : 0;
}

/* The product slug of an endoflife file name: "windows-server.md" -> "windows-server". */
static bool slug_of(const char *path, char *out, size_t cap)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strlen(b);
    if (n < 4 || strcmp(b + n - 3, ".md") != 0 || n - 3 >= cap)
        return false;
    memcpy(out, b, n - 3);
    out[n - 3] = 0;
    for (size_t i = 0; out[i]; i++) {
        char c = out[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

/* Adds or replaces a product (an import replaces the bundled one). */
static int add_product(ww_feeds_t *f, const ww_eol_product_t *p)
{
    for (size_t i = 0; i < f->nprod; i++)
        if (strcmp(f->prod[i].slug, p->slug) == 0) {
            f->prod[i] = *p;
            return 0;
        }
    if (f->nprod == WW_ARRAY_LEN(f->prod))
        return WW_ELIMIT;
    f->prod[f->nprod++] = *p;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The date in a SNAPSHOT file ("<commit> Sat Aug 22 08:52:34 2026 +0000", as git log
 * prints it), or WW_FEEDS_NODATE. */
static int64_t snapshot_date(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return WW_FEEDS_NODATE;
    char line[256] = "";
    char *got = fgets(line, sizeof line, fp);
    fclose(fp);
    if (!got)
        return WW_FEEDS_NODATE;
    char sha[64], wday[8], mon[8], hms[16];
    int day, year;
    if (sscanf(line, "%63s %7s %7s %d %15s %d", sha, wday, mon, &day, hms, &year) != 6)
        return WW_FEEDS_NODATE;
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    const char *m = strlen(mon) == 3 ? strstr(months, mon) : NULL;
    if (!m || (m - months) % 3 || day < 1 || day > 31 || year < 1970 || year > 9999)
        return WW_FEEDS_NODATE;
    char iso[32];
    snprintf(iso, sizeof iso, "%04d-%02d-%02d", year, (int)(m - months) / 3 + 1, day);
    return parse_date(iso, strlen(iso));
}

static int load_bundled(ww_feeds_t *f, const char *dir, ww_diag_t *diag)
{
    char path[1024];
    ww_buf_t b;
    ww_buf_init(&b, WW_FEEDS_MAX_FILE);
    int rc = 0;
    snprintf(path, sizeof path, "%s/kev/known_exploited_vulnerabilities.json", dir);
    if (read_file(path, &b) == 0) {
        if ((rc = ww__feeds_parse_kev_dated(path, b.p ? b.p : "", b.n, &f->arena, &f->kev, &f->nkev,
                                            f->kev_info.version, sizeof f->kev_info.version,
                                            &f->kev_info.data_date, diag)))
            goto out;
        snprintf(f->kev_info.source, sizeof f->kev_info.source, "%.255s", path);
        snprintf(f->kev_info.origin, sizeof f->kev_info.origin, "bundled");
        f->kev_info.entries = f->nkev;
    }
    snprintf(path, sizeof path, "%s/endoflife/SNAPSHOT", dir);
    int64_t snapshot = snapshot_date(path);
    snprintf(path, sizeof path, "%s/endoflife", dir);
    DIR *d = opendir(path);
    if (!d)
        goto out;
    char *names[128];
    size_t nn = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && nn < WW_ARRAY_LEN(names)) {
        char slug[64];
        if (slug_of(de->d_name, slug, sizeof slug))
            names[nn++] = ww_arena_strdup(&f->arena, de->d_name);
    }
    closedir(d);
    qsort(names, nn, sizeof *names, cmp_str);
    for (size_t i = 0; i < nn; i++) {
        if (!names[i])
            continue;
        char slug[64];
        slug_of(names[i], slug, sizeof slug);
        snprintf(path, sizeof path, "%s/endoflife/%s", dir, names[i]);
        ww_buf_clear(&b);
        if (read_file(path, &b) != 0)
            continue;
        ww_eol_product_t p;
        if ((rc = ww__feeds_parse_eol(path, slug, b.p ? b.p : "", b.n, &f->arena, &p, diag)))
            goto out;
        snprintf(p.info.kind, sizeof p.info.kind, "endoflife");
        snprintf(p.info.name, sizeof p.info.name, "%s", slug);
        snprintf(p.info.origin, sizeof p.info.origin, "bundled");
        snprintf(p.info.source, sizeof p.info.source, "%.255s", path);
        p.info.entries = p.nrel;
        p.info.data_date = snapshot;
        if ((rc = add_product(f, &p)))
            goto out;
    }
out:
    ww_buf_release(&b);
    return rc;
}

static int load_imported(ww_feeds_t *f, ww_store_t *st, ww_diag_t *diag)
{
    int rc = ww_feeds_migrate(st, diag);
    if (rc)
        return rc;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT kind, name, source, loaded_at, content FROM feeds_file"
                           " ORDER BY kind, name",
                           -1, &q, NULL) != SQLITE_OK) {
        ww_diag_set(diag, st->path, 0, 0, "feeds: %s", sqlite3_errmsg(st->db));
        return WW_EIO;
    }
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *kind = (const char *)sqlite3_column_text(q, 0);
        const char *name = (const char *)sqlite3_column_text(q, 1);
        const char *src = (const char *)sqlite3_column_text(q, 2);
        const char *when = (const char *)sqlite3_column_text(q, 3);
        const char *blob = sqlite3_column_blob(q, 4);
        size_t len = (size_t)sqlite3_column_bytes(q, 4);
        if (!kind || !name)
            continue;
        ww_feed_info_t info;
        memset(&info, 0, sizeof info);
        snprintf(info.kind, sizeof info.kind, "%s", kind);
        snprintf(info.name, sizeof info.name, "%s", name);
        snprintf(info.origin, sizeof info.origin, "imported");
        snprintf(info.source, sizeof info.source, "%s", src ? src : "");
        snprintf(info.loaded_at, sizeof info.loaded_at, "%s", when ? when : "");
        info.data_date = when ? parse_date(when, strlen(when)) : WW_FEEDS_NODATE;
        if (strcmp(kind, "kev") == 0) {
            ww_kev_t *v = NULL;
            size_t n = 0;
            int64_t rel = WW_FEEDS_NODATE;
            if ((rc = ww__feeds_parse_kev_dated(info.source, blob ? blob : "", len, &f->arena, &v,
                                                &n, info.version, sizeof info.version, &rel, diag)))
                goto out;
            /* The catalog's own date; an old copy imported today is still old. */
            info.data_date = rel != WW_FEEDS_NODATE ? rel : info.data_date;
            f->kev = v;
            f->nkev = n;
            info.entries = n;
            f->kev_info = info;
        } else if (strcmp(kind, "endoflife") == 0) {
            ww_eol_product_t p;
            if ((rc = ww__feeds_parse_eol(info.source, name, blob ? blob : "", len, &f->arena, &p,
                                          diag)))
                goto out;
            info.entries = p.nrel;
            p.info = info;
            if ((rc = add_product(f, &p)))
                goto out;
        }
    }
    rc = rc == SQLITE_DONE ? 0 : WW_EIO;
    if (rc)
        ww_diag_set(diag, st->path, 0, 0, "feeds: %s", sqlite3_errmsg(st->db));
out:
    sqlite3_finalize(q);
    return rc;
}

int ww_feeds_load(ww_store_t *st, const char *data_dir, ww_feeds_t **out, ww_diag_t *diag)
{
    ww_feeds_t *f = calloc(1, sizeof *f);
    if (!f)
        return WW_ENOMEM;
    ww_arena_init(&f->arena, 256 * 1024, 0);
    snprintf(f->kev_info.kind, sizeof f->kev_info.kind, "kev");
    snprintf(f->kev_info.name, sizeof f->kev_info.name, "kev");
    snprintf(f->kev_info.origin, sizeof f->kev_info.origin, "none");
    f->kev_info.data_date = WW_FEEDS_NODATE;
    int rc = load_bundled(f, data_dir ? data_dir : ww_feeds_default_dir(), diag);
    if (rc == 0 && st)
        rc = load_imported(f, st, diag);
    if (rc) {
        ww_feeds_free(f);
        return rc;
    }
    *out = f;
    return 0;
}

void ww_feeds_free(ww_feeds_t *f)
{
    if (!f)
        return;
    ww_arena_release(&f->arena);
    free(f);
}

static int cmp_prod(const void *a, const void *b)
{
    return strcmp((*(const ww_eol_product_t *const *)a)->slug,
                  (*(const ww_eol_product_t *const *)b)->slug);
}

void ww_feeds_each_info(const ww_feeds_t *f, ww_feeds_info_fn fn, void *ud)
{
    if (!f)
        return;
    fn(ud, &f->kev_info);
    const ww_eol_product_t *order[WW_ARRAY_LEN(f->prod)];
    for (size_t i = 0; i < f->nprod; i++)
        order[i] = &f->prod[i];
    qsort(order, f->nprod, sizeof *order, cmp_prod);
    for (size_t i = 0; i < f->nprod; i++)
        fn(ud, &order[i]->info);
}

/* ---- importing ------------------------------------------------------------------ */

int ww_feeds_import_file(ww_store_t *st, const char *path, const char **what, ww_diag_t *diag)
{
    ww_buf_t b;
    ww_buf_init(&b, WW_FEEDS_MAX_FILE);
    ww_arena_t ar;
    ww_arena_init(&ar, 65536, 0);
    int rc = read_file(path, &b);
    if (rc) {
        ww_diag_set(diag, path, 0, 0, "%s",
                    rc == WW_ENOENT   ? "cannot open the file"
                    : rc == WW_ELIMIT ? "file larger than 64 MiB"
                                      : "read error");
        goto out;
    }
    const char *data = b.p ? b.p : "";
    char kind[16], name[64], version[64] = "";
    size_t i = 0;
    while (i < b.n && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
        i++;
    if (i < b.n && data[i] == '{') {
        ww_kev_t *v;
        size_t n;
        if ((rc = ww__feeds_parse_kev(path, data, b.n, &ar, &v, &n, version, sizeof version, diag)))
            goto out;
        if (n == 0) {
            ww_diag_set(diag, path, 0, 0, "KEV catalog has no entries; not imported");
            rc = WW_EPARSE;
            goto out;
        }
        snprintf(kind, sizeof kind, "kev");
        snprintf(name, sizeof name, "kev");
        *what = "kev";
    } else {
        if (!slug_of(path, name, sizeof name)) {
            ww_diag_set(diag, path, 0, 0,
                        "not a KEV JSON file, and not an endoflife.date product file named "
                        "<product>.md");
            rc = WW_EPARSE;
            goto out;
        }
        ww_eol_product_t p;
        if ((rc = ww__feeds_parse_eol(path, name, data, b.n, &ar, &p, diag)))
            goto out;
        if (p.nrel == 0) {
            ww_diag_set(diag, path, 0, 0, "end-of-life data lists no releases; not imported");
            rc = WW_EPARSE;
            goto out;
        }
        snprintf(kind, sizeof kind, "endoflife");
        *what = "endoflife";
    }
    {
        char *abs = realpath(path, NULL);
        rc = ww__feeds_store(st, kind, name, abs ? abs : path, version, data, b.n, diag);
        free(abs);
    }
out:
    ww_arena_release(&ar);
    ww_buf_release(&b);
    return rc;
}

int ww__feeds_store(ww_store_t *st, const char *kind, const char *name, const char *source,
                    const char *version, const char *data, size_t len, ww_diag_t *diag)
{
    int rc = ww_feeds_migrate(st, diag);
    if (rc)
        return rc;
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO feeds_file(kind,name,source,loaded_at,version,content)"
                           " VALUES(?1,?2,?3,?4,?5,?6) ON CONFLICT(kind,name) DO UPDATE SET"
                           " source=excluded.source, loaded_at=excluded.loaded_at,"
                           " version=excluded.version, content=excluded.content",
                           -1, &q, NULL) != SQLITE_OK) {
        ww_diag_set(diag, st->path, 0, 0, "feeds: %s", sqlite3_errmsg(st->db));
        return WW_EIO;
    }
    sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, source, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 4, when, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, version ? version : "", -1, SQLITE_STATIC);
    sqlite3_bind_blob(q, 6, data, (int)len, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE) {
        ww_diag_set(diag, st->path, 0, 0, "feeds: %s", sqlite3_errmsg(st->db));
        rc = WW_EIO;
    }
    sqlite3_finalize(q);
    return rc;
}

int ww_feeds_reset(ww_store_t *st, ww_diag_t *diag)
{
    int rc = ww_feeds_migrate(st, diag);
    if (rc)
        return rc;
    return ww_store_exec(st, "DELETE FROM feeds_file", diag);
}
