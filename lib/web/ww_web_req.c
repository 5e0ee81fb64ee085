/* The console's one request parser: request-target (percent-decoding, path
 * normalisation, query), headers, cookies (RFC 6265) and bodies (urlencoded forms,
 * multipart/form-data with files streamed to temporary files and hashed as they
 * arrive, JSON through the event decoder's tokenizer).  It sees no socket: the
 * server feeds it what libmicrohttpd received, and the fuzz target feeds it whole
 * messages through ww_web_req_parse_raw().  Every failure names the status to answer. */
#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event/ww_json_int.h"
#include "web/ww_web_int.h"

#define PART_HEADERS_MAX 8192  /* one multipart part's header block */
#define JSON_MAX_VALUES 100000 /* values in a JSON body: its tokens cost ~24 bytes each */
#define MAX_BOUNDARY 70        /* RFC 2046 */

enum { ST_NEW, ST_STARTED, ST_HEADERS, ST_DONE };
enum { MP_PREAMBLE, MP_AFTER_DELIM, MP_HEADERS, MP_BODY, MP_END };

struct ww_web_parse {
    int stage;
    int err; /* sticky WW_E* */
    uint32_t nheaders;
    size_t header_bytes;
    uint32_t qcap, ccap, fcap, filecap;
    uint64_t body_seen, body_cap;
    ww_buf_t body; /* form and JSON bodies */
    /* multipart */
    char delim[4 + MAX_BOUNDARY + 1]; /* "\r\n--" boundary */
    size_t dlen;
    int mp;
    ww_buf_t pend;
    ww_web_file_t *cur_file;
    gnutls_hash_hd_t hash;
    bool hashing;
    bool skip_part; /* a file input left empty: its (empty) part is ignored */
    const char *field_name;
    ww_buf_t field;
    /* JSON */
    ww_json_t js;
    ww_event_t ev;
    bool json_ready;
    bool ev_init;
};

int ww__web_fail(ww_web_req_t *r, int code, int status, const char *fmt, ...)
{
    if (r->ps && r->ps->err)
        return r->ps->err;
    if (r->ps)
        r->ps->err = code;
    r->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->diag.msg, sizeof r->diag.msg, fmt, ap);
    va_end(ap);
    return code;
}

bool ww__web_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

size_t ww__web_utf8_len(const unsigned char *p, size_t n)
{
    if (n == 0)
        return 0;
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    size_t len;
    uint32_t cp, min;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, cp = c & 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, cp = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, cp = c & 0x07, min = 0x10000;
    else
        return 0; /* continuation byte, C0/C1 (overlong) or F5+ */
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

void ww_web_limits_default(ww_web_limits_t *l)
{
    ww_web_limits_t d = {
        .max_connections = 256,
        .max_per_ip = 32,
        .conn_memory = 64 * 1024,
        .max_target = 4096,
        .max_header_bytes = 16 * 1024,
        .max_headers = 100,
        .max_cookies = 50,
        .max_params = 256,
        .max_body = 1 << 20,
        .max_upload = (uint64_t)32 << 20,
        .max_file = (uint64_t)25 << 20,
        .max_files = 8,
        .max_field = 64 * 1024,
        .idle_timeout_s = 30,
        .request_timeout_s = 60,
    };
    /* Only the zero fields take a default, so a caller sets just what it changes. */
#define DEF(f) \
    if (!l->f) \
    l->f = d.f
    DEF(max_connections);
    DEF(max_per_ip);
    DEF(conn_memory);
    DEF(max_target);
    DEF(max_header_bytes);
    DEF(max_headers);
    DEF(max_cookies);
    DEF(max_params);
    DEF(max_body);
    DEF(max_upload);
    DEF(max_file);
    DEF(max_files);
    DEF(max_field);
    DEF(idle_timeout_s);
    DEF(request_timeout_s);
#undef DEF
}

void ww_web_req_init(ww_web_req_t *r, const ww_web_limits_t *lim, const char *tmp_dir)
{
    memset(r, 0, sizeof *r);
    r->lim = lim;
    r->tmp_dir = tmp_dir;
    r->path = "";
    r->query_raw = "";
    r->peer = "";
    ww_arena_init(&r->arena, 8192, 0);
}

static void end_hash(ww_web_parse_t *ps, uint8_t out[32])
{
    if (ps->hashing) {
        uint8_t tmp[32];
        gnutls_hash_deinit(ps->hash, out ? out : tmp);
        ps->hashing = false;
    }
}

void ww_web_req_release(ww_web_req_t *r)
{
    if (!r)
        return;
    for (uint32_t i = 0; i < r->nfiles; i++) {
        ww_web_file_t *f = &r->files[i];
        if (f->fd >= 0)
            close(f->fd);
        if (!f->kept && f->path[0])
            unlink(f->path);
    }
    ww_web_parse_t *ps = r->ps;
    if (ps) {
        if (ps->cur_file) {
            if (ps->cur_file->fd >= 0)
                close(ps->cur_file->fd);
            unlink(ps->cur_file->path);
        }
        end_hash(ps, NULL);
        ww_buf_release(&ps->body);
        ww_buf_release(&ps->pend);
        ww_buf_release(&ps->field);
        free(ps->js.tok);
        if (ps->ev_init)
            ww_event_release(&ps->ev);
        free(ps);
    }
    ww_arena_release(&r->arena);
    memset(r, 0, sizeof *r);
}

/* ---- decoding ------------------------------------------------------------------ */

static int hexv(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Percent-decodes p[0..n) into the arena ('+' is a space when plus).  0, or -1 for a
 * broken escape, -2 for a NUL byte, -3 out of memory. */
static int pct_decode(ww_arena_t *a, const char *p, size_t n, bool plus, char **out, size_t *outn)
{
    char *o = ww_arena_alloc(a, n + 1);
    if (!o)
        return -3;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '%') {
            int h, l;
            if (i + 2 >= n || (h = hexv((unsigned char)p[i + 1])) < 0 ||
                (l = hexv((unsigned char)p[i + 2])) < 0)
                return -1;
            c = (unsigned char)(h * 16 + l);
            i += 2;
        } else if (c == '+' && plus) {
            c = ' ';
        }
        if (c == 0)
            return -2;
        o[k++] = (char)c;
    }
    o[k] = 0;
    *out = o;
    *outn = k;
    return 0;
}

static int add_kv(ww_web_req_t *r, ww_web_kv_t **v, uint32_t *nv, uint32_t *cap, uint32_t max,
                  const char *name, const char *value, size_t value_n)
{
    if (*nv >= max)
        return -1;
    if (!*v) {
        *v = ww_arena_alloc(&r->arena, (size_t)max * sizeof **v);
        if (!*v)
            return -3;
        *cap = max;
    }
    (*v)[(*nv)++] = (ww_web_kv_t){name, value, value_n};
    return 0;
}

/* name=value&name=value (a query string or an urlencoded body) into v. */
static int parse_pairs(ww_web_req_t *r, const char *p, size_t n, ww_web_kv_t **v, uint32_t *nv,
                       uint32_t *cap, const char *what)
{
    const char *e = p + n;
    while (p < e) {
        const char *amp = memchr(p, '&', (size_t)(e - p));
        const char *pe = amp ? amp : e;
        if (pe > p) {
            const char *eq = memchr(p, '=', (size_t)(pe - p));
            const char *ne = eq ? eq : pe;
            char *name, *value;
            size_t nn, vn;
            int rc = pct_decode(&r->arena, p, (size_t)(ne - p), true, &name, &nn);
            if (rc == 0) {
                rc = eq ? pct_decode(&r->arena, eq + 1, (size_t)(pe - eq - 1), true, &value, &vn)
                        : (value = "", vn = 0, 0);
            }
            if (rc == -3)
                return ww__web_fail(r, WW_ENOMEM, 503, "out of memory");
            if (rc == -1)
                return ww__web_fail(r, WW_EPARSE, 400, "%s: a broken %%-escape at byte %zu", what,
                                    (size_t)(p - (e - n)) + 1);
            if (rc == -2)
                return ww__web_fail(r, WW_EPARSE, 400, "%s: an encoded NUL byte", what);
            uint32_t used = r->nquery + r->nform;
            if (used >= r->lim->max_params)
                return ww__web_fail(r, WW_ELIMIT, 413, "%s: more than %u fields", what,
                                    r->lim->max_params);
            if (nn > 0 && add_kv(r, v, nv, cap, r->lim->max_params, name, value, vn) != 0)
                return ww__web_fail(r, WW_ENOMEM, 503, "out of memory");
        }
        p = pe + 1;
    }
    return 0;
}

/* ---- request-target ------------------------------------------------------------- */

static int method_of(const char *m)
{
    static const char *const names[] = {NULL,  "GET",   "HEAD",   "POST",
                                        "PUT", "PATCH", "DELETE", "OPTIONS"};
    for (int i = 1; i < (int)WW_ARRAY_LEN(names); i++)
        if (strcmp(m, names[i]) == 0)
            return i;
    return 0;
}

/* Decodes and normalises the path: each segment decoded on its own so an encoded
 * slash cannot join segments; "." and ".." refused (never resolved: nothing here
 * maps paths to files by walking); empty segments dropped; no trailing slash. */
static int parse_path(ww_web_req_t *r, const char *p, size_t n)
{
    char *o = ww_arena_alloc(&r->arena, n + 2);
    if (!o)
        return ww__web_fail(r, WW_ENOMEM, 503, "out of memory");
    size_t k = 0;
    const char *e = p + n;
    p++; /* the leading '/' */
    while (p <= e) {
        const char *sl = memchr(p, '/', (size_t)(e - p));
        const char *se = sl ? sl : e;
        if (se > p) {
            char *seg;
            size_t sn;
            int rc = pct_decode(&r->arena, p, (size_t)(se - p), false, &seg, &sn);
            if (rc == -3)
                return ww__web_fail(r, WW_ENOMEM, 503, "out of memory");
            if (rc == -1)
                return ww__web_fail(r, WW_EPARSE, 400, "the path has a broken %%-escape");
            if (rc == -2)
                return ww__web_fail(r, WW_EPARSE, 400, "the path encodes a NUL byte");
            if ((sn == 1 && seg[0] == '.') || (sn == 2 && seg[0] == '.' && seg[1] == '.'))
                return ww__web_fail(r, WW_EPARSE, 400,
                                    "the path has a '.' or '..' segment: refused");
            for (size_t i = 0; i < sn;) {
                unsigned char c = (unsigned char)seg[i];
                if (c < 0x20 || c == 0x7f || c == '/' || c == '\\')
                    return ww__web_fail(r, WW_EPARSE, 400,
                                        "the path encodes a slash, backslash or control byte");
                size_t l = ww__web_utf8_len((const unsigned char *)seg + i, sn - i);
                if (!l)
                    return ww__web_fail(r, WW_EPARSE, 400,
                                        "the path is not valid UTF-8 (or uses an overlong form)");
                i += l;
            }
            o[k++] = '/';
            memcpy(o + k, seg, sn);
            k += sn;
        }
        if (!sl)
            break;
        p = sl + 1;
    }
    if (k == 0)
        o[k++] = '/';
    o[k] = 0;
    r->path = o;
    return 0;
}

int ww_web_req_start(ww_web_req_t *r, const char *method, const char *target)
{
    if (!r->ps) {
        if (!(r->ps = calloc(1, sizeof *r->ps)))
            return ww__web_fail(r, WW_ENOMEM, 503, "out of memory");
        ww_buf_init(&r->ps->body, 0);
        ww_buf_init(&r->ps->pend, 0);
        ww_buf_init(&r->ps->field, 0);
    }
    ww_web_parse_t *ps = r->ps;
    if (ps->err)
        return ps->err;
    if (ps->stage != ST_NEW)
        return ww__web_fail(r, WW_EINVAL, 500, "request started twice");
    ps->stage = ST_STARTED;
    r->method_name = ww_arena_strdup(&r->arena, method);
    if (!r->method_name)
        return ww__web_fail(r, WW_ENOMEM, 503, "out of memory");
    r->method = method_of(method);
    size_t n = strlen(target);
    if (n > r->lim->max_target)
        return ww__web_fail(r, WW_ELIMIT, 414, "the request-target is longer than %u bytes",
                            r->lim->max_target);
    if (!r->method)
        return ww__web_fail(r, WW_EUNSUP, 501, "method not implemented");
    if (n == 0 || target[0] != '/')
        return ww__web_fail(r, WW_EPARSE, 400, "the request-target must be a path ('/...')");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)target[i];
        if (c <= 0x20 || c >= 0x7f || c == '\\' || c == '#')
            return ww__web_fail(r, WW_EPARSE, 400,
                                "the request-target has a byte that must be %%-encoded at %zu",
                                i + 1);
    }
    const char *q = memchr(target, '?', n);
    size_t pn = q ? (size_t)(q - target) : n;
    int rc = parse_path(r, target, pn);
    if (rc)
        return rc;
    if (q) {
        r->query_raw = ww_arena_strndup(&r->arena, q + 1, n - pn - 1);
        if (!r->query_raw)
            return ww__web_fail(r, WW_ENOMEM, 503, "out of memory");
        rc = parse_pairs(r, q + 1, n - pn - 1, &r->query, &r->nquery, &ps->qcap, "the query");
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- headers ------------------------------------------------------------------- */

/* RFC 6265 5.2 with 4.1.1's stricter names: "a=b; c=d".  Pairs without '=' or with a
 * name that is not a token are skipped, as user agents do; a quoted value loses its
 * quotes.  Only the first of equal names counts (ww_web_cookie). */
static int parse_cookies(ww_web_req_t *r, const char *v)
{
    ww_web_parse_t *ps = r->ps;
    const char *p = v;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ';')
            p++;
        if (!*p)
            break;
        const char *end = strchr(p, ';');
        if (!end)
            end = p + strlen(p);
        const char *eq = memchr(p, '=', (size_t)(end - p));
        if (eq) {
            const char *ne = eq;
            while (ne > p && (ne[-1] == ' ' || ne[-1] == '\t'))
                ne--;
            bool ok = ne > p;
            for (const char *c = p; c < ne; c++)
                if (!ww__web_tchar((unsigned char)*c))
                    ok = false;
            const char *vs = eq + 1, *ve = end;
            while (vs < ve && (*vs == ' ' || *vs == '\t'))
                vs++;
            while (ve > vs && (ve[-1] == ' ' || ve[-1] == '\t'))
                ve--;
            if (ve - vs >= 2 && vs[0] == '"' && ve[-1] == '"')
                vs++, ve--;
            if (ok) {
                if (r->ncookies >= r->lim->max_cookies)
                    return ww__web_fail(r, WW_ELIMIT, 431, "more than %u cookies",
                                        r->lim->max_cookies);
                char *name = ww_arena_strndup(&r->arena, p, (size_t)(ne - p));
                char *val = ww_arena_strndup(&r->arena, vs, (size_t)(ve - vs));
                if (!name || !val ||
                    add_kv(r, &r->cookies, &r->ncookies, &ps->ccap, r->lim->max_cookies, name, val,
                           (size_t)(ve - vs)) != 0)
                    return ww__web_fail(r, WW_ENOMEM, 503, "out of memory");
            }
        }
        p = end;
    }
    return 0;
}

static int parse_length(ww_web_req_t *r, const char *v)
{
    uint64_t x = 0;
    if (!*v)
        return ww__web_fail(r, WW_EPARSE, 400, "an empty Content-Length");
    for (const char *p = v; *p; p++) {
        if (*p < '0' || *p > '9' || p - v >= 19)
            return ww__web_fail(r, WW_EPARSE, 400, "a malformed Content-Length");
        x = x * 10 + (uint64_t)(*p - '0');
    }
    if (r->has_content_length && r->content_length != x)
        return ww__web_fail(r, WW_EPARSE, 400, "two different Content-Length headers");
    r->has_content_length = true;
    r->content_length = x;
    return 0;
}

/* A header the console reads once: a second copy makes the request ambiguous. */
static int set_once(ww_web_req_t *r, const char **slot, const char *name, const char *v)
{
    if (*slot)
        return ww__web_fail(r, WW_EPARSE, 400, "the %s header appears twice", name);
    if (!(*slot = ww_arena_strdup(&r->arena, v)))
        return ww__web_fail(r, WW_ENOMEM, 503, "out of memory");
    return 0;
}

int ww_web_req_header(ww_web_req_t *r, const char *name, const char *value)
{
    ww_web_parse_t *ps = r->ps;
    if (!ps)
        return ww__web_fail(r, WW_EINVAL, 500, "header before the request line");
    if (ps->err)
        return ps->err;
    size_t nn = strlen(name), vn = strlen(value);
    ps->header_bytes += nn + vn + 4;
    if (++ps->nheaders > r->lim->max_headers)
        return ww__web_fail(r, WW_ELIMIT, 431, "more than %u header lines", r->lim->max_headers);
    if (ps->header_bytes > r->lim->max_header_bytes)
        return ww__web_fail(r, WW_ELIMIT, 431, "the headers are larger than %u bytes",
                            r->lim->max_header_bytes);
    if (nn == 0)
        return ww__web_fail(r, WW_EPARSE, 400, "a header without a name");
    for (size_t i = 0; i < nn; i++)
        if (!ww__web_tchar((unsigned char)name[i]))
            return ww__web_fail(r, WW_EPARSE, 400, "a header name with a byte not allowed");
    for (size_t i = 0; i < vn; i++) {
        unsigned char c = (unsigned char)value[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return ww__web_fail(r, WW_EPARSE, 400, "a header value with a control byte");
    }
    /* Optional whitespace around the value is not part of it. */
    while (*value == ' ' || *value == '\t')
        value++, vn--;
    char *v = ww_arena_strndup(&r->arena, value, vn);
    if (!v)
        return ww__web_fail(r, WW_ENOMEM, 503, "out of memory");
    while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
        v[--vn] = 0;
    ww_str_t n = {name, nn};
    if (ww_str_ieq_z(n, "host"))
        return set_once(r, &r->host, "Host", v);
    if (ww_str_ieq_z(n, "origin"))
        return set_once(r, &r->origin, "Origin", v);
    if (ww_str_ieq_z(n, "sec-fetch-site"))
        return set_once(r, &r->sec_fetch_site, "Sec-Fetch-Site", v);
    if (ww_str_ieq_z(n, "content-type"))
        return set_once(r, &r->content_type, "Content-Type", v);
    if (ww_str_ieq_z(n, "authorization"))
        return set_once(r, &r->authorization, "Authorization", v);
    if (ww_str_ieq_z(n, "x-csrf-token"))
        return set_once(r, &r->csrf_header, "X-CSRF-Token", v);
    if (ww_str_ieq_z(n, "accept")) {
        if (!r->accept)
            r->accept = v;
        return 0;
    }
    if (ww_str_ieq_z(n, "user-agent")) {
        if (!r->user_agent)
            r->user_agent = v;
        return 0;
    }
    if (ww_str_ieq_z(n, "if-none-match")) {
        if (!r->if_none_match)
            r->if_none_match = v;
        return 0;
    }
    if (ww_str_ieq_z(n, "cookie"))
        return parse_cookies(r, v);
    if (ww_str_ieq_z(n, "content-length"))
        return parse_length(r, v);
    if (ww_str_ieq_z(n, "transfer-encoding")) {
        if (strcasecmp(v, "chunked") != 0)
            return ww__web_fail(r, WW_EUNSUP, 501, "only chunked transfer coding is accepted");
        r->chunked = true;
        return 0;
    }
    return 0;
}

/* "type/subtype; a=b; c="d"" -> the lowercased media type and the parameter asked
 * for (unquoted, NULL when absent). */
static int media_type(ww_web_req_t *r, const char *ct, char *type, size_t tn, const char *want,
                      char **param)
{
    *param = NULL;
    size_t i = 0;
    const char *p = ct;
    while (*p && *p != ';' && *p != ' ' && *p != '\t') {
        if (i + 1 >= tn)
            return -1;
        type[i++] = (char)ww_lower((unsigned char)*p++);
    }
    type[i] = 0;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ';')
            p++;
        const char *ns = p;
        while (*p && ww__web_tchar((unsigned char)*p))
            p++;
        size_t nl = (size_t)(p - ns);
        if (*p != '=' || nl == 0)
            return *p ? -1 : 0;
        p++;
        ww_buf_t v;
        ww_buf_init(&v, 1024);
        if (*p == '"') {
            p++;
            while (*p && *p != '"') {
                if (*p == '\\' && p[1])
                    p++;
                ww_buf_putc(&v, *p++);
            }
            if (*p != '"') {
                ww_buf_release(&v);
                return -1;
            }
            p++;
        } else {
            while (*p && *p != ';' && *p != ' ' && *p != '\t')
                ww_buf_putc(&v, *p++);
        }
        if (!v.err && nl == strlen(want) && strncasecmp(ns, want, nl) == 0 && !*param)
            *param = ww_arena_strndup(&r->arena, v.p ? v.p : "", v.n);
        ww_buf_release(&v);
    }
    return 0;
}

static bool bchar(unsigned char c)
{
    /* RFC 2046's bchars: digits, letters and '()+_,-./:=? and space (not last). */
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c && strchr("'()+_,-./:=? ", c));
}

int ww_web_req_headers_done(ww_web_req_t *r)
{
    ww_web_parse_t *ps = r->ps;
    if (!ps)
        return ww__web_fail(r, WW_EINVAL, 500, "headers before the request line");
    if (ps->err)
        return ps->err;
    ps->stage = ST_HEADERS;
    /* Both framings at once is how requests are smuggled past a proxy: refuse it. */
    if (r->chunked && r->has_content_length)
        return ww__web_fail(r, WW_EPARSE, 400, "both Content-Length and chunked encoding");
    bool has_body = r->chunked || (r->has_content_length && r->content_length > 0);
    if (!r->host || !*r->host)
        return ww__web_fail(r, WW_EPARSE, 400, "no Host header");
    for (const char *h = r->host; *h; h++)
        if (!(ww__web_tchar((unsigned char)*h) || *h == ':' || *h == '[' || *h == ']'))
            return ww__web_fail(r, WW_EPARSE, 400, "a malformed Host header");
    if (!has_body)
        return 0;
    if (r->method == WW_WEB_GET || r->method == WW_WEB_HEAD || r->method == WW_WEB_OPTIONS)
        return ww__web_fail(r, WW_EPARSE, 400, "a %s request has no body", r->method_name);
    if (!r->content_type)
        return ww__web_fail(r, WW_EUNSUP, 415, "a body without a Content-Type");
    char type[128];
    char *boundary = NULL, *charset = NULL;
    if (media_type(r, r->content_type, type, sizeof type, "boundary", &boundary) != 0 ||
        media_type(r, r->content_type, type, sizeof type, "charset", &charset) != 0)
        return ww__web_fail(r, WW_EPARSE, 400, "a malformed Content-Type");
    if (charset && strcasecmp(charset, "utf-8") != 0)
        return ww__web_fail(r, WW_EUNSUP, 415, "only UTF-8 bodies are accepted");
    size_t tl = strlen(type);
    if (strcmp(type, "application/x-www-form-urlencoded") == 0) {
        r->body_kind = WW_WEB_BODY_FORM;
        ps->body_cap = r->lim->max_body;
    } else if (strcmp(type, "application/json") == 0 ||
               (strncmp(type, "application/", 12) == 0 && tl > 17 &&
                strcmp(type + tl - 5, "+json") == 0)) {
        r->body_kind = WW_WEB_BODY_JSON;
        ps->body_cap = r->lim->max_body;
    } else if (strcmp(type, "multipart/form-data") == 0) {
        size_t bl = boundary ? strlen(boundary) : 0;
        if (bl == 0 || bl > MAX_BOUNDARY || boundary[bl - 1] == ' ')
            return ww__web_fail(r, WW_EPARSE, 400, "multipart without a valid boundary");
        for (size_t i = 0; i < bl; i++)
            if (!bchar((unsigned char)boundary[i]))
                return ww__web_fail(r, WW_EPARSE, 400, "a multipart boundary with a bad byte");
        memcpy(ps->delim, "\r\n--", 4);
        memcpy(ps->delim + 4, boundary, bl);
        ps->dlen = 4 + bl;
        ps->delim[ps->dlen] = 0;
        r->body_kind = WW_WEB_BODY_MULTIPART;
        ps->body_cap = r->lim->max_upload;
        ps->mp = MP_PREAMBLE;
        /* The first boundary may open the body: a CRLF in front makes it a delimiter
           like the others. */
        if (ww_buf_append(&ps->pend, "\r\n", 2) != 0)
            return ww__web_fail(r, WW_ENOMEM, 503, "out of memory");
    } else {
        return ww__web_fail(r, WW_EUNSUP, 415, "a body of a type not accepted here");
    }
    if (r->has_content_length && r->content_length > ps->body_cap)
        return ww__web_fail(r, WW_ELIMIT, 413, "the body is larger than %llu bytes",
                            (unsigned long long)ps->body_cap);
    return 0;
}

/* ---- multipart ----------------------------------------------------------------- */

/* One parameter of a part's Content-Disposition: name="x" or name=x. */
static char *disp_param(ww_web_req_t *r, const char *v, const char *want)
{
    const char *p = strchr(v, ';');
    while (p && *p) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        const char *ns = p;
        while (*p && ww__web_tchar((unsigned char)*p))
            p++;
        size_t nl = (size_t)(p - ns);
        while (*p == ' ')
            p++;
        if (*p != '=')
            return NULL;
        p++;
        while (*p == ' ')
            p++;
        ww_buf_t b;
        ww_buf_init(&b, 4096);
        if (*p == '"') {
            p++;
            while (*p && *p != '"') {
                if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
                    p++;
                ww_buf_putc(&b, *p++);
            }
            if (*p == '"')
                p++;
        } else {
            while (*p && *p != ';' && *p != ' ')
                ww_buf_putc(&b, *p++);
        }
        char *out = NULL;
        if (nl == strlen(want) && strncasecmp(ns, want, nl) == 0 && !b.err)
            out = ww_arena_strndup(&r->arena, b.p ? b.p : "", b.n);
        ww_buf_release(&b);
        if (out)
            return out;
        while (*p && *p != ';')
            p++;
    }
    return NULL;
}

static int part_begin(ww_web_req_t *r, const char *h, size_t n)
{
    ww_web_parse_t *ps = r->ps;
    const char *disp = NULL, *ctype = "";
    const char *e = h + n;
    while (h < e) {
        const char *le = memchr(h, '\r', (size_t)(e - h));
        if (!le)
            le = e;
        char *line = ww_arena_strndup(&r->arena, h, (size_t)(le - h));
        if (!line)
            return ww__web_fail(r, WW_ENOMEM, 503, "out of memory");
        if (memchr(h, 0, (size_t)(le - h)) || memchr(h, '\n', (size_t)(le - h)))
            return ww__web_fail(r, WW_EPARSE, 400, "a multipart header with a stray byte");
        char *colon = strchr(line, ':');
        if (!colon)
            return ww__web_fail(r, WW_EPARSE, 400, "a multipart header line without ':'");
        *colon = 0;
        char *v = colon + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        if (strcasecmp(line, "content-disposition") == 0)
            disp = v;
        else if (strcasecmp(line, "content-type") == 0)
            ctype = v;
        h = le + 2;
    }
    if (!disp || strncasecmp(disp, "form-data", 9) != 0 ||
        (disp[9] && disp[9] != ';' && disp[9] != ' '))
        return ww__web_fail(r, WW_EPARSE, 400, "a multipart part without form-data disposition");
    char *name = disp_param(r, disp, "name");
    if (!name || !*name)
        return ww__web_fail(r, WW_EPARSE, 400, "a multipart part without a name");
    char *filename = disp_param(r, disp, "filename");
    ps->skip_part = false;
    if (!filename) {
        if (r->nquery + r->nform >= r->lim->max_params)
            return ww__web_fail(r, WW_ELIMIT, 413, "more than %u fields", r->lim->max_params);
        ps->field_name = name;
        ww_buf_clear(&ps->field);
        ps->field.err = 0;
        return 0;
    }
    /* The client's path is not ours: keep only its last component, for display. */
    char *base = filename;
    for (char *c = filename; *c; c++)
        if (*c == '/' || *c == '\\')
            base = c + 1;
    if (!*base) {
        ps->skip_part = true; /* <input type=file> left empty */
        return 0;
    }
    if (r->nfiles >= r->lim->max_files)
        return ww__web_fail(r, WW_ELIMIT, 413, "more than %u files", r->lim->max_files);
    if (!r->files) {
        r->files = ww_arena_calloc(&r->arena, r->lim->max_files * sizeof *r->files);
        if (!r->files)
            return ww__web_fail(r, WW_ENOMEM, 503, "out of memory");
    }
    ww_web_file_t *f = &r->files[r->nfiles];
    memset(f, 0, sizeof *f);
    f->fd = -1;
    f->field = name;
    f->filename = base;
    f->content_type = ww_arena_strdup(&r->arena, ctype);
    const char *dir = r->tmp_dir ? r->tmp_dir : getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    int pl = snprintf(f->path, sizeof f->path, "%s/ww-upload-XXXXXX", dir);
    if (pl < 0 || (size_t)pl >= sizeof f->path || !f->content_type)
        return ww__web_fail(r, WW_EINVAL, 500, "the upload folder's path is too long");
    f->fd = mkostemp(f->path, O_CLOEXEC);
    if (f->fd < 0) {
        f->path[0] = 0;
        return ww__web_fail(r, WW_EIO, 500, "cannot create an upload file: %s", strerror(errno));
    }
    if (gnutls_hash_init(&ps->hash, GNUTLS_DIG_SHA256) != 0) {
        close(f->fd);
        unlink(f->path);
        return ww__web_fail(r, WW_ENOMEM, 503, "cannot start SHA-256");
    }
    ps->hashing = true;
    ps->cur_file = f;
    return 0;
}

static int part_data(ww_web_req_t *r, const char *p, size_t n)
{
    ww_web_parse_t *ps = r->ps;
    if (n == 0 || ps->skip_part)
        return 0;
    ww_web_file_t *f = ps->cur_file;
    if (!f) {
        if (ps->field.n + n > r->lim->max_field)
            return ww__web_fail(r, WW_ELIMIT, 413, "a form field is larger than %u bytes",
                                r->lim->max_field);
        if (ww_buf_append(&ps->field, p, n) != 0)
            return ww__web_fail(r, WW_ENOMEM, 503, "out of memory");
        return 0;
    }
    if (f->size + n > r->lim->max_file)
        return ww__web_fail(r, WW_ELIMIT, 413, "a file is larger than %llu bytes",
                            (unsigned long long)r->lim->max_file);
    gnutls_hash(ps->hash, p, n);
    f->size += n;
    while (n) {
        ssize_t w = write(f->fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return ww__web_fail(r, WW_EIO, 500, "cannot write an upload: %s", strerror(errno));
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int part_end(ww_web_req_t *r)
{
    ww_web_parse_t *ps = r->ps;
    if (ps->skip_part)
        return 0;
    ww_web_file_t *f = ps->cur_file;
    if (!f) {
        if (ps->field.n && memchr(ps->field.p, 0, ps->field.n))
            return ww__web_fail(r, WW_EPARSE, 400, "a form field with a NUL byte");
        char *v = ww_arena_strndup(&r->arena, ps->field.p ? ps->field.p : "", ps->field.n);
        if (!v || add_kv(r, &r->form, &r->nform, &ps->fcap, r->lim->max_params, ps->field_name, v,
                         ps->field.n) != 0)
            return ww__web_fail(r, WW_ENOMEM, 503, "out of memory");
        return 0;
    }
    end_hash(ps, f->sha256);
    for (int i = 0; i < 32; i++)
        snprintf(f->sha256_hex + 2 * i, 3, "%02x", f->sha256[i]);
    if (lseek(f->fd, 0, SEEK_SET) != 0)
        return ww__web_fail(r, WW_EIO, 500, "cannot rewind an upload");
    r->nfiles++;
    ps->cur_file = NULL;
    return 0;
}

static const char *find(const char *h, size_t hn, const char *needle, size_t nn)
{
    return hn >= nn ? memmem(h, hn, needle, nn) : NULL;
}

/* Consumes what it can of ps->pend; what may be the start of a delimiter stays. */
static int mp_run(ww_web_req_t *r)
{
    ww_web_parse_t *ps = r->ps;
    size_t off = 0;
    int rc = 0;
    for (;;) {
        const char *p = ps->pend.p + off;
        size_t n = ps->pend.n - off;
        if (ps->mp == MP_END) {
            off = ps->pend.n; /* the epilogue is ignored */
            break;
        }
        if (ps->mp == MP_PREAMBLE || ps->mp == MP_BODY) {
            const char *d = find(p, n, ps->delim, ps->dlen);
            if (!d) {
                size_t keep = ps->dlen - 1 < n ? ps->dlen - 1 : n;
                if (ps->mp == MP_BODY && (rc = part_data(r, p, n - keep)) != 0)
                    return rc;
                off += n - keep;
                break;
            }
            if (ps->mp == MP_BODY) {
                if ((rc = part_data(r, p, (size_t)(d - p))) != 0 || (rc = part_end(r)) != 0)
                    return rc;
            }
            off += (size_t)(d - p) + ps->dlen;
            ps->mp = MP_AFTER_DELIM;
            continue;
        }
        if (ps->mp == MP_AFTER_DELIM) {
            /* "--" closes; else optional spaces then CRLF opens a part. */
            size_t i = 0;
            if (n >= 2 && p[0] == '-' && p[1] == '-') {
                ps->mp = MP_END;
                continue;
            }
            while (i < n && (p[i] == ' ' || p[i] == '\t') && i < 64)
                i++;
            if (i == 64)
                return ww__web_fail(r, WW_EPARSE, 400, "multipart: junk after a boundary");
            if (i + 2 > n)
                break; /* wait for more */
            if (p[i] != '\r' || p[i + 1] != '\n')
                return ww__web_fail(r, WW_EPARSE, 400, "multipart: junk after a boundary");
            off += i + 2;
            ps->mp = MP_HEADERS;
            continue;
        }
        if (ps->mp == MP_HEADERS) {
            const char *e;
            size_t hl;
            if (n >= 2 && p[0] == '\r' && p[1] == '\n')
                e = p, hl = 0; /* no headers at all */
            else if ((e = find(p, n, "\r\n\r\n", 4)) != NULL)
                hl = (size_t)(e - p), e += 2;
            if (!e) {
                if (n > PART_HEADERS_MAX)
                    return ww__web_fail(r, WW_ELIMIT, 431,
                                        "a multipart part's headers are larger than %u bytes",
                                        PART_HEADERS_MAX);
                break;
            }
            if (hl > PART_HEADERS_MAX)
                return ww__web_fail(r, WW_ELIMIT, 431,
                                    "a multipart part's headers are larger than %u bytes",
                                    PART_HEADERS_MAX);
            if ((rc = part_begin(r, p, hl)) != 0)
                return rc;
            off += (size_t)(e - p) + 2;
            /* The part's body starts here; the CRLF before the next boundary belongs
               to that delimiter, so an empty body is found as one at once. */
            ps->mp = MP_BODY;
            continue;
        }
    }
    if (off) {
        memmove(ps->pend.p, ps->pend.p + off, ps->pend.n - off);
        ps->pend.n -= off;
        ps->pend.p[ps->pend.n] = 0;
    }
    return 0;
}

int ww_web_req_body(ww_web_req_t *r, const void *data, size_t n)
{
    ww_web_parse_t *ps = r->ps;
    if (!ps)
        return ww__web_fail(r, WW_EINVAL, 500, "body before the request line");
    if (ps->err)
        return ps->err;
    if (ps->stage != ST_HEADERS)
        return ww__web_fail(r, WW_EINVAL, 500, "body before the headers");
    if (n == 0)
        return 0;
    if (r->body_kind == WW_WEB_BODY_NONE)
        return ww__web_fail(r, WW_EPARSE, 400, "an unexpected body");
    ps->body_seen += n;
    if (ps->body_seen > ps->body_cap)
        return ww__web_fail(r, WW_ELIMIT, 413, "the body is larger than %llu bytes",
                            (unsigned long long)ps->body_cap);
    if (r->body_kind != WW_WEB_BODY_MULTIPART) {
        if (ww_buf_append(&ps->body, data, n) != 0)
            return ww__web_fail(r, WW_ENOMEM, 503, "out of memory");
        return 0;
    }
    if (ww_buf_append(&ps->pend, data, n) != 0)
        return ww__web_fail(r, WW_ENOMEM, 503, "out of memory");
    return mp_run(r);
}

/* An upper bound on the values of a JSON text: one per ',' ':' '[' '{' outside
 * strings, plus one; cheap, and it keeps a small body from costing much memory. */
static size_t json_values(const char *p, size_t n)
{
    size_t v = 1;
    bool in = false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (in) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in = false;
        } else if (c == '"') {
            in = true;
        } else if (c == ',' || c == ':' || c == '[' || c == '{') {
            v++;
        }
    }
    return v;
}

static int finish_json(ww_web_req_t *r)
{
    ww_web_parse_t *ps = r->ps;
    const char *p = ps->body.p ? ps->body.p : "";
    const char *e = p + ps->body.n;
    if (json_values(p, ps->body.n) > JSON_MAX_VALUES)
        return ww__web_fail(r, WW_ELIMIT, 413, "the JSON body has more than %u values",
                            JSON_MAX_VALUES);
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    if (p == e)
        return ww__web_fail(r, WW_EPARSE, 400, "an empty JSON body");
    ps->js.base = ps->body.p;
    ps->js.end = e;
    if (ww__json_parse(&ps->js, p) != 0) {
        if (ps->js.err_code == WW_ENOMEM)
            return ww__web_fail(r, WW_ENOMEM, 503, "out of memory");
        size_t at = ps->js.err_at ? (size_t)(ps->js.err_at - ps->body.p) + 1 : 0;
        return ww__web_fail(r, WW_EPARSE, 400, "malformed JSON at byte %zu: %s", at,
                            ps->js.err_msg ? ps->js.err_msg : "syntax error");
    }
    const char *q = ps->js.pos;
    while (q < e && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n'))
        q++;
    if (q != e)
        return ww__web_fail(r, WW_EPARSE, 400, "text after the JSON value at byte %zu",
                            (size_t)(q - ps->body.p) + 1);
    ww_event_init(&ps->ev);
    ps->ev_init = true;
    ps->json_ready = true;
    return 0;
}

int ww_web_req_finish(ww_web_req_t *r)
{
    ww_web_parse_t *ps = r->ps;
    if (!ps)
        return ww__web_fail(r, WW_EINVAL, 500, "finish before the request line");
    if (ps->err)
        return ps->err;
    if (ps->stage != ST_HEADERS)
        return ww__web_fail(r, WW_EINVAL, 500, "finish before the headers");
    ps->stage = ST_DONE;
    if (r->has_content_length && !r->chunked && ps->body_seen != r->content_length)
        return ww__web_fail(r, WW_ETRUNC, 400, "the body is shorter than its Content-Length");
    switch (r->body_kind) {
    case WW_WEB_BODY_FORM:
        return parse_pairs(r, ps->body.p ? ps->body.p : "", ps->body.n, &r->form, &r->nform,
                           &ps->fcap, "the form");
    case WW_WEB_BODY_JSON: return finish_json(r);
    case WW_WEB_BODY_MULTIPART:
        if (ps->mp != MP_END)
            return ww__web_fail(r, WW_ETRUNC, 400,
                                "the multipart body ends before its closing boundary");
        return 0;
    default: return 0;
    }
}

/* ---- a whole message ------------------------------------------------------------ */

/* The next line of m (up to LF, a CR before it dropped), NUL-terminated in the
 * arena; NULL when no LF is left. */
static char *next_line(ww_web_req_t *r, const char **m, const char *e)
{
    const char *lf = memchr(*m, '\n', (size_t)(e - *m));
    if (!lf)
        return NULL;
    const char *le = lf;
    if (le > *m && le[-1] == '\r')
        le--;
    char *line = ww_arena_strndup(&r->arena, *m, (size_t)(le - *m));
    *m = lf + 1;
    return line;
}

static int feed(ww_web_req_t *r, const char *p, size_t n, size_t split)
{
    if (!split)
        split = n ? n : 1;
    while (n) {
        size_t k = n < split ? n : split;
        int rc = ww_web_req_body(r, p, k);
        if (rc)
            return rc;
        p += k;
        n -= k;
    }
    return 0;
}

int ww_web_req_parse_raw(ww_web_req_t *r, const void *msg, size_t n, size_t split)
{
    const char *m = msg, *e = m + n;
    /* The head ends at the first empty line; a NUL in it would cut a line short. */
    const char *head_end = memmem(m, n, "\n\r\n", 3);
    const char *alt = memmem(m, n, "\n\n", 2);
    if (!head_end || (alt && alt < head_end))
        head_end = alt;
    if (memchr(m, 0, head_end ? (size_t)(head_end - m) : n))
        return ww__web_fail(r, WW_EPARSE, 400, "a NUL byte in the request head");
    char *line = next_line(r, &m, e);
    if (!line)
        return ww__web_fail(r, WW_EPARSE, 400, "no complete request line");
    char *sp1 = strchr(line, ' ');
    char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    if (!sp1 || !sp2 || strchr(sp2 + 1, ' ') ||
        (strcmp(sp2 + 1, "HTTP/1.1") != 0 && strcmp(sp2 + 1, "HTTP/1.0") != 0))
        return ww__web_fail(r, WW_EPARSE, 400, "a malformed request line");
    *sp1 = 0;
    *sp2 = 0;
    int rc = ww_web_req_start(r, line, sp1 + 1);
    if (rc)
        return rc;
    for (;;) {
        line = next_line(r, &m, e);
        if (!line)
            return ww__web_fail(r, WW_EPARSE, 400, "the headers do not end with a blank line");
        if (!*line)
            break;
        if (*line == ' ' || *line == '\t')
            return ww__web_fail(r, WW_EPARSE, 400, "a folded header line");
        char *colon = strchr(line, ':');
        if (!colon)
            return ww__web_fail(r, WW_EPARSE, 400, "a header line without ':'");
        *colon = 0;
        if ((rc = ww_web_req_header(r, line, colon + 1)) != 0)
            return rc;
    }
    if ((rc = ww_web_req_headers_done(r)) != 0)
        return rc;
    if (r->chunked) {
        for (;;) {
            line = next_line(r, &m, e);
            if (!line)
                return ww__web_fail(r, WW_ETRUNC, 400, "a chunked body ends early");
            uint64_t sz = 0;
            const char *c = line;
            int digits = 0;
            for (; hexv((unsigned char)*c) >= 0; c++, digits++) {
                if (digits >= 15)
                    return ww__web_fail(r, WW_EPARSE, 400, "a chunk size too large");
                sz = sz * 16 + (uint64_t)hexv((unsigned char)*c);
            }
            if (!digits || (*c && *c != ';'))
                return ww__web_fail(r, WW_EPARSE, 400, "a malformed chunk size");
            if (sz == 0)
                break; /* trailers are ignored */
            if (sz > (uint64_t)(e - m))
                return ww__web_fail(r, WW_ETRUNC, 400, "a chunk ends early");
            if ((rc = feed(r, m, (size_t)sz, split)) != 0)
                return rc;
            m += sz;
            if (e - m < 2 || m[0] != '\r' || m[1] != '\n')
                return ww__web_fail(r, WW_EPARSE, 400, "a chunk without its CRLF");
            m += 2;
        }
    } else if (r->has_content_length) {
        if (r->content_length > (uint64_t)(e - m))
            return ww__web_fail(r, WW_ETRUNC, 400, "the body is shorter than its Content-Length");
        if ((rc = feed(r, m, (size_t)r->content_length, split)) != 0)
            return rc;
    }
    return ww_web_req_finish(r);
}

/* ---- lookups ------------------------------------------------------------------- */

static const char *kv_find(const ww_web_kv_t *v, uint32_t n, const char *name)
{
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(v[i].name, name) == 0)
            return v[i].value;
    return NULL;
}

const char *ww_web_query(const ww_web_req_t *r, const char *name)
{
    return kv_find(r->query, r->nquery, name);
}

const char *ww_web_form(const ww_web_req_t *r, const char *name)
{
    return kv_find(r->form, r->nform, name);
}

const char *ww_web_cookie(const ww_web_req_t *r, const char *name)
{
    return kv_find(r->cookies, r->ncookies, name);
}

const char *ww_web_param(const ww_web_req_t *r, const char *name)
{
    for (uint32_t i = 0; i < r->nparams; i++)
        if (strcmp(r->param_names[i], name) == 0)
            return r->params[i];
    return NULL;
}

int ww_web_json_type(const ww_web_req_t *r, uint32_t i)
{
    if (!r->ps || !r->ps->json_ready || i >= r->ps->js.ntok)
        return 0;
    switch (r->ps->js.tok[i].type) {
    case WW_JT_OBJ: return 'o';
    case WW_JT_ARR: return 'a';
    case WW_JT_STR: return 's';
    case WW_JT_INT:
    case WW_JT_FLOAT: return 'n';
    case WW_JT_TRUE:
    case WW_JT_FALSE: return 'b';
    case WW_JT_NULL: return 'z';
    default: return 0;
    }
}

uint32_t ww_web_json_member(const ww_web_req_t *r, uint32_t obj, const char *key)
{
    if (ww_web_json_type(r, obj) != 'o')
        return 0;
    const ww_json_t *js = &r->ps->js;
    uint32_t i = obj + 1, end = js->tok[obj].next;
    size_t kl = strlen(key);
    while (i < end) {
        const ww_jtok_t *k = &js->tok[i];
        uint32_t v = k->next;
        /* Keys with escapes are compared unescaped. */
        ww_str_t ks = {k->p, k->n};
        if (k->esc && ww__json_str(&r->ps->ev, k, &ks) != 0)
            return 0;
        if (ks.n == kl && memcmp(ks.p, key, kl) == 0)
            return v;
        i = js->tok[v].next;
    }
    return 0;
}

const char *ww_web_json_str(ww_web_req_t *r, uint32_t i, size_t *n)
{
    if (ww_web_json_type(r, i) != 's')
        return NULL;
    ww_str_t s;
    if (ww__json_str(&r->ps->ev, &r->ps->js.tok[i], &s) != 0)
        return NULL;
    char *z = ww_arena_strndup(&r->arena, s.p, s.n);
    if (z && n)
        *n = s.n;
    return z;
}

int ww_web_json_int(const ww_web_req_t *r, uint32_t i, int64_t *out)
{
    if (ww_web_json_type(r, i) != 'n' || r->ps->js.tok[i].type != WW_JT_INT)
        return WW_EINVAL;
    const ww_jtok_t *t = &r->ps->js.tok[i];
    return ww_parse_i64(t->p, t->n, out) == 0 ? 0 : WW_EINVAL;
}

int ww_web_json_bool(const ww_web_req_t *r, uint32_t i, bool *out)
{
    if (ww_web_json_type(r, i) != 'b')
        return WW_EINVAL;
    *out = r->ps->js.tok[i].type == WW_JT_TRUE;
    return 0;
}

uint32_t ww_web_json_elem(const ww_web_req_t *r, uint32_t arr, uint32_t k)
{
    if (ww_web_json_type(r, arr) != 'a')
        return 0;
    const ww_json_t *js = &r->ps->js;
    uint32_t i = arr + 1, end = js->tok[arr].next;
    for (; i < end && k > 0; k--)
        i = js->tok[i].next;
    return i < end ? i : 0;
}

uint32_t ww_web_json_next(const ww_web_req_t *r, uint32_t arr, uint32_t after)
{
    if (ww_web_json_type(r, arr) != 'a')
        return 0;
    const ww_json_t *js = &r->ps->js;
    uint32_t i = after ? js->tok[after].next : arr + 1;
    return after && after <= arr ? 0 : i < js->tok[arr].next ? i : 0;
}

int ww_web_file_keep(ww_web_file_t *f, const char *dest)
{
    if (f->kept)
        return WW_EINVAL;
    if (rename(f->path, dest) == 0) {
        f->kept = true;
        return 0;
    }
    if (errno != EXDEV)
        return WW_EIO;
    /* Another file system: copy, then the temporary goes at release. */
    int out = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out < 0)
        return WW_EIO;
    char buf[65536];
    int rc = 0;
    if (lseek(f->fd, 0, SEEK_SET) != 0)
        rc = WW_EIO;
    for (ssize_t n; rc == 0 && (n = read(f->fd, buf, sizeof buf)) != 0;) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = WW_EIO;
            break;
        }
        for (ssize_t o = 0; o < n;) {
            ssize_t w = write(out, buf + o, (size_t)(n - o));
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                rc = WW_EIO;
                break;
            }
            o += w;
        }
    }
    if (close(out) != 0)
        rc = WW_EIO;
    lseek(f->fd, 0, SEEK_SET);
    if (rc)
        unlink(dest);
    return rc;
}
