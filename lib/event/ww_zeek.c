/* Zeek logs: the TSV decoder (the "#separator \x09" header block, #fields/#types,
 * unset "-" and "(empty)" markers, comma-separated sets and vectors, \xHH escapes) and
 * the normalisation shared with Zeek JSON records (src_ip/dst_ip/ports, the ntlm and
 * kerberos authentication fields, product/service/ts).  Field names are Zeek's own
 * (`id.orig_h`, `query`, ...), as SigmaHQ's zeek rules use them; values are typed from
 * #types the way Zeek's JSON writer types them, so a TSV line and the JSON line of the
 * same record give the same fields.  A malformed line is reported with its line and
 * column and skipped; header lines may recur (concatenated logs). */
#include "event/ww_reader_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* More columns than any Zeek log has; a header past this is refused. */
#define ZEEK_MAX_COLS 512
/* Separators are at most a few bytes ("\x09", ","). */
#define ZEEK_MAX_SEP 8

enum { ZT_STR = 0, ZT_INT, ZT_FLOAT, ZT_BOOL };

typedef struct zcol {
    ww_str_t name;
    uint8_t type;   /* ZT_* of the value or of each element */
    bool container; /* set[...] / vector[...]: elements separated by set_sep */
} zcol_t;

typedef struct zeek {
    char sep[ZEEK_MAX_SEP], set_sep[ZEEK_MAX_SEP];
    size_t nsep, nset_sep;
    ww_str_t empty, unset, path;
    zcol_t *cols;
    uint32_t ncols;
    uint32_t line_no; /* of the line at r->off */
} zeek_t;

static int zeek_open(ww_reader_t *r, ww_diag_t *diag)
{
    zeek_t *z = calloc(1, sizeof *z);
    if (z)
        z->cols = calloc(ZEEK_MAX_COLS, sizeof *z->cols);
    if (!z || !z->cols) {
        free(z);
        ww_diag_set(diag, r->name, 0, 0, "out of memory");
        return WW_ENOMEM;
    }
    /* Zeek's defaults, used until the header says otherwise. */
    z->sep[0] = '\t';
    z->nsep = 1;
    z->set_sep[0] = ',';
    z->nset_sep = 1;
    z->empty = WW_STR("(empty)");
    z->unset = WW_STR("-");
    z->line_no = 1;
    r->state = z;
    return 0;
}

static void zeek_close(ww_reader_t *r)
{
    zeek_t *z = r->state;
    if (z)
        free(z->cols);
    free(z);
    r->state = NULL;
}

static int hexv(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

static bool is_hex_esc(const char *p, size_t i, size_t n)
{
    return i + 3 < n && p[i] == '\\' && p[i + 1] == 'x' && hexv(p[i + 2]) >= 0 &&
           hexv(p[i + 3]) >= 0;
}

/* Decodes the \xHH escapes Zeek writes for separators and non-printable bytes into
 * out (at most n bytes); other backslashes are literal (Windows paths in smb logs). */
static size_t unescape(const char *p, size_t n, char *out)
{
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_hex_esc(p, i, n)) {
            out[j++] = (char)(hexv(p[i + 2]) * 16 + hexv(p[i + 3]));
            i += 3;
        } else {
            out[j++] = p[i];
        }
    }
    return j;
}

/* Separator values in the header are written escaped ("\x09"). */
static void set_sep(char *dst, size_t *ndst, const char *p, size_t n)
{
    char tmp[64];
    if (n == 0 || n > sizeof tmp)
        return;
    size_t m = unescape(p, n, tmp);
    if (m == 0 || m > ZEEK_MAX_SEP)
        return;
    memcpy(dst, tmp, m);
    *ndst = m;
}

static const char *find_sep(const char *p, const char *e, const char *sep, size_t nsep)
{
    if (nsep == 1) {
        const char *q = memchr(p, sep[0], (size_t)(e - p));
        return q ? q : e;
    }
    for (; p + nsep <= e; p++)
        if (memcmp(p, sep, nsep) == 0)
            return p;
    return e;
}

static uint8_t col_type(ww_str_t t, bool *container)
{
    *container = false;
    if (t.n > 4 && (memcmp(t.p, "set[", 4) == 0)) {
        *container = true;
        t = (ww_str_t){t.p + 4, t.n - 5};
    } else if (t.n > 7 && memcmp(t.p, "vector[", 7) == 0) {
        *container = true;
        t = (ww_str_t){t.p + 7, t.n - 8};
    }
    if (ww_str_eq(t, WW_STR("count")) || ww_str_eq(t, WW_STR("int")) ||
        ww_str_eq(t, WW_STR("port")))
        return ZT_INT;
    if (ww_str_eq(t, WW_STR("double")) || ww_str_eq(t, WW_STR("time")) ||
        ww_str_eq(t, WW_STR("interval")))
        return ZT_FLOAT;
    if (ww_str_eq(t, WW_STR("bool")))
        return ZT_BOOL;
    return ZT_STR;
}

static int line_error(ww_reader_t *r, ww_diag_t *diag, uint32_t line, const char *ls,
                      const char *at, const char *msg)
{
    ww_diag_set(diag, r->name, line, (uint32_t)(at - ls) + 1, "%s", msg);
    return WW_EPARSE;
}

/* A "#..." line: header directives update the state; #open/#close and unknown ones
 * are ignored.  Returns 0, or WW_EPARSE with diag for an unusable #fields line. */
static int header(ww_reader_t *r, zeek_t *z, const char *p, const char *e, ww_diag_t *diag,
                  uint32_t line)
{
    if ((size_t)(e - p) >= 11 && memcmp(p, "#separator ", 11) == 0) {
        set_sep(z->sep, &z->nsep, p + 11, (size_t)(e - p - 11));
        return 0;
    }
    const char *ke = find_sep(p, e, z->sep, z->nsep);
    ww_str_t key = {p, (size_t)(ke - p)};
    const char *v = ke < e ? ke + z->nsep : e;
    if (ww_str_eq(key, WW_STR("#set_separator"))) {
        set_sep(z->set_sep, &z->nset_sep, v, (size_t)(e - v));
    } else if (ww_str_eq(key, WW_STR("#empty_field"))) {
        z->empty = (ww_str_t){v, (size_t)(e - v)};
    } else if (ww_str_eq(key, WW_STR("#unset_field"))) {
        z->unset = (ww_str_t){v, (size_t)(e - v)};
    } else if (ww_str_eq(key, WW_STR("#path"))) {
        z->path = (ww_str_t){v, (size_t)(e - v)};
    } else if (ww_str_eq(key, WW_STR("#fields"))) {
        /* New columns: their types come on the #types line. */
        uint32_t n = 0;
        while (v < e) {
            if (n == ZEEK_MAX_COLS) {
                z->ncols = 0;
                return line_error(r, diag, line, p, v, "#fields names more than 512 columns");
            }
            const char *q = find_sep(v, e, z->sep, z->nsep);
            z->cols[n++] = (zcol_t){{v, (size_t)(q - v)}, ZT_STR, false};
            v = q < e ? q + z->nsep : e;
        }
        z->ncols = n;
    } else if (ww_str_eq(key, WW_STR("#types"))) {
        for (uint32_t i = 0; i < z->ncols && v < e; i++) {
            const char *q = find_sep(v, e, z->sep, z->nsep);
            z->cols[i].type = col_type((ww_str_t){v, (size_t)(q - v)}, &z->cols[i].container);
            v = q < e ? q + z->nsep : e;
        }
    }
    return 0;
}

/* Adds one value of column c (an element, for containers). */
static int add_value(ww_event_t *ev, const zcol_t *c, const char *p, size_t n)
{
    ww_str_t v = {p, n};
    int type = WW_F_STR;
    if (memchr(p, '\\', n)) {
        char *o = ww_arena_alloc(&ev->arena, n + 1);
        if (!o)
            return WW_ENOMEM;
        size_t m = unescape(p, n, o);
        o[m] = 0;
        v = (ww_str_t){o, m};
    }
    switch (c->type) {
    case ZT_INT: type = WW_F_INT; break;
    case ZT_FLOAT: type = WW_F_FLOAT; break;
    case ZT_BOOL:
        if (ww_str_eq(v, WW_STR("T"))) {
            v = WW_STR("true");
            type = WW_F_BOOL;
        } else if (ww_str_eq(v, WW_STR("F"))) {
            v = WW_STR("false");
            type = WW_F_BOOL;
        }
        break;
    default: break;
    }
    return ww_event_add(ev, c->name, v, type);
}

/* One data line [p, e): a value per column. */
static int data_line(ww_reader_t *r, zeek_t *z, ww_event_t *ev, const char *p, const char *e,
                     ww_diag_t *diag, uint32_t line)
{
    const char *v = p;
    uint32_t i = 0;
    int rc = 0;
    if (z->ncols == 0)
        return line_error(r, diag, line, p, p, "data line before a #fields header");
    for (;;) {
        const char *q = find_sep(v, e, z->sep, z->nsep);
        if (i == z->ncols)
            return line_error(r, diag, line, p, v, "more values than #fields names columns");
        const zcol_t *c = &z->cols[i];
        size_t n = (size_t)(q - v);
        if (ww_str_eq((ww_str_t){v, n}, z->unset)) {
            /* Unset: no field, as Zeek's JSON writer leaves the key out. */
        } else if (ww_str_eq((ww_str_t){v, n}, z->empty)) {
            /* An empty container has no elements; an empty string is "". */
            if (!c->container)
                rc = ww_event_add(ev, c->name, WW_STR(""), WW_F_STR);
        } else if (c->container) {
            const char *s = v;
            for (;;) {
                const char *t = find_sep(s, q, z->set_sep, z->nset_sep);
                rc = add_value(ev, c, s, (size_t)(t - s));
                if (rc || t >= q)
                    break;
                s = t + z->nset_sep;
            }
        } else {
            rc = add_value(ev, c, v, n);
        }
        if (rc) {
            ww_diag_set(diag, r->name, line, (uint32_t)(v - p) + 1, "%s",
                        rc == WW_ELIMIT ? "line has more fields than the limit"
                                        : "out of memory decoding line");
            return rc;
        }
        i++;
        if (q >= e)
            break;
        v = q + z->nsep;
    }
    if (i < z->ncols) {
        ww_diag_set(diag, r->name, line, (uint32_t)(e - p) + 1,
                    "%u values, but #fields names %u columns", i, z->ncols);
        return WW_EPARSE;
    }
    return ww__zeek_finish(ev, z->path);
}

static int zeek_next(ww_reader_t *r, ww_event_t *ev, ww_diag_t *diag)
{
    zeek_t *z = r->state;
    const char *base = (const char *)r->buf, *end = base + r->len;
    for (;;) {
        const char *p = base + r->off;
        if (p >= end)
            return 0;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        uint32_t line = z->line_no;
        r->off = (uint64_t)((nl ? nl + 1 : end) - base);
        z->line_no++;
        if (e > p && e[-1] == '\r')
            e--;
        if (e == p)
            continue; /* blank line: not a record */
        if (*p == '#') {
            int rc = header(r, z, p, e, diag, line);
            if (rc) {
                r->index++;
                return rc;
            }
            continue;
        }
        r->index++;
        ev->kind = WW_EV_ZEEK;
        ev->raw = (ww_str_t){p, (size_t)(e - p)};
        int rc = data_line(r, z, ev, p, e, diag, line);
        return rc < 0 ? rc : 1;
    }
}

const ww_decoder_ops_t ww_zeek_ops = {"zeek", zeek_open, zeek_next, zeek_close};

/* ---- normalisation (TSV and JSON) ---------------------------------------------- */

static const ww_field_t *get(const ww_event_t *ev, const char *name)
{
    return ww_event_get(ev, WW_STRZ(name), NULL);
}

/* Adds `to` with the value of field `from` (first occurrence), typed `type` (or the
 * source's type when type < 0).  Absent or empty sources add nothing. */
static int alias(ww_event_t *ev, const char *to, const char *from, int type)
{
    const ww_field_t *f = get(ev, from);
    if (!f || f->value.n == 0 || f->type == WW_F_NULL)
        return 0;
    ww_str_t v = f->value;
    int t = type < 0 ? f->type : type;
    return ww_event_add(ev, WW_STRZ(to), v, t);
}

/* Epoch seconds with a fraction (Zeek's default) or ISO 8601 (JSON::TS_ISO8601). */
static void set_ts(ww_event_t *ev, const ww_field_t *f)
{
    int64_t ns;
    double d;
    if (!f || ev->ts != WW_TIME_NONE)
        return;
    /* Zeek writes UTC with a Z; a zone-less time is local, never taken for UTC. */
    int rc = ww_event_time_zoned(f->value) ? ww_time_parse_iso(f->value.p, f->value.n, &ns)
                                           : ww_time_parse_iso_local(f->value.p, f->value.n, &ns);
    if (rc == 0) {
        ev->ts = ns;
    } else if (ww_parse_double(f->value.p, f->value.n, &d) == 0 && d > 0 && d < 9.2e9) {
        ev->ts = (int64_t)llround(d * 1e9);
    }
}

int ww__zeek_finish(ww_event_t *ev, ww_str_t path)
{
    int rc = 0;
    ev->product = WW_STR("zeek");
    if (path.n)
        ev->service = path;
    set_ts(ev, get(ev, "ts"));
    if (rc == 0)
        rc = alias(ev, "src_ip", "id.orig_h", WW_F_STR);
    if (rc == 0)
        rc = alias(ev, "src_port", "id.orig_p", WW_F_INT);
    if (rc == 0)
        rc = alias(ev, "dst_ip", "id.resp_h", WW_F_STR);
    if (rc == 0)
        rc = alias(ev, "dst_port", "id.resp_p", WW_F_INT);
    if (rc)
        return rc;
    bool ntlm = ww_str_eq(path, WW_STR("ntlm")), krb = ww_str_eq(path, WW_STR("kerberos"));
    if (!ntlm && !krb)
        return 0;
    /* Authentication seen on the wire: the server (a Windows host) authenticates. */
    const ww_field_t *u = get(ev, ntlm ? "username" : "client");
    const ww_field_t *ok = get(ev, "success");
    bool have_ok = ok && ok->type == WW_F_BOOL, yes = have_ok && ok->value.p[0] == 't';
    if (u && u->value.n) {
        ww_str_t user = u->value;
        if (krb) {
            /* "alice/TRUST.NHS.UK": the principal without its realm. */
            const char *slash = memchr(user.p, '/', user.n);
            if (slash)
                user.n = (size_t)(slash - user.p);
        }
        rc = ww_event_add(ev, WW_STR("user"), user, WW_F_STR);
    }
    if (rc == 0 && have_ok) {
        rc = ww_event_add(ev, WW_STR("outcome"), yes ? WW_STR("success") : WW_STR("failure"),
                          WW_F_STR);
    }
    /* The NTLM hostname is the name the client gave itself: a src_host, never an
       address (src_ip is the connection's id.orig_h, which Zeek saw). */
    const ww_field_t *h = ntlm ? get(ev, "hostname") : NULL;
    if (rc == 0 && h && h->value.n && h->type != WW_F_NULL)
        rc = ww_event_add(ev, WW_STR("src_host"), h->value, WW_F_STR);
    if (rc == 0)
        rc = ww_event_add(ev, WW_STR("auth_method"), ntlm ? WW_STR("ntlm") : WW_STR("kerberos"),
                          WW_F_STR);
    if (rc == 0)
        rc = ww_event_add(ev, WW_STR("auth_service"), WW_STR("windows"), WW_F_STR);
    ev->category = WW_STR("authentication");
    return rc;
}
