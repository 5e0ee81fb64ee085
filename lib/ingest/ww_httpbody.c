/* Splitting an HTTP POST body into events.  The Content-Encoding is undone first, into
 * one buffer capped at the decoded-size limit, so a decompression bomb ends at the cap
 * with nothing delivered.  Then the first byte that is not white space decides: '['
 * is a JSON array; otherwise a body that is exactly one JSON value is one event, and
 * anything else is NDJSON, one event per line.  NDJSON recovers per line.  An array is
 * cut into elements by a structural scan (strings, escapes, bracket depth) before any
 * element is parsed, so a malformed element is reported and its neighbours still
 * delivered.  Every event is checked with the same tokenizer `hunt` decodes JSON with
 * (lib/event/ww_json.c), so what is accepted here decodes there, and must be an
 * object. */
#include "ingest/ww_httpbody.h"

#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>
#include <zstd.h>

#include "event/ww_json_int.h"

#define CHUNK ((size_t)64 << 10)
/* zstd frames may ask for a window of up to 2 GiB; senders use a few MiB. */
#define ZSTD_WINDOW_LOG_MAX 25

typedef struct split {
    const ww_httpbody_limits_t *lim;
    ww_httpbody_event_fn on_event;
    ww_httpbody_error_fn on_error;
    void *ud;
    ww_httpbody_result_t *res;
    ww_json_t js;
    const char *base, *end;
    /* line counting, forward only */
    const char *lpos, *lstart;
    uint32_t line;
} split_t;

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const char *skip_ws(const char *p, const char *e)
{
    while (p < e && is_ws(*p))
        p++;
    return p;
}

/* ---- content type and encoding --------------------------------------------------- */

/* The media type of a header value, without parameters and surrounding blanks. */
static ww_str_t media_type(const char *v)
{
    const char *s = v;
    while (*s == ' ' || *s == '\t')
        s++;
    const char *e = s;
    while (*e && *e != ';' && *e != ',')
        e++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    return (ww_str_t){s, (size_t)(e - s)};
}

static bool type_accepted(const char *ct)
{
    static const char *const ok[] = {
        "application/json",
        "application/x-ndjson",
        "application/ndjson",
        "application/jsonlines",
        "application/x-jsonlines",
        "application/jsonl",
        "application/json-lines",
        "application/x-json-stream",
        "text/plain",
        "text/json",
    };
    if (!ct)
        return true; /* no header: the body says what it is */
    ww_str_t t = media_type(ct);
    if (t.n == 0)
        return true;
    for (size_t i = 0; i < WW_ARRAY_LEN(ok); i++)
        if (ww_str_ieq_z(t, ok[i]))
            return true;
    /* application/vnd.something+json */
    return t.n > 5 && ww_str_ieq_z((ww_str_t){t.p + t.n - 5, 5}, "+json");
}

enum { ENC_NONE, ENC_GZIP, ENC_DEFLATE, ENC_ZSTD, ENC_BAD };

static int encoding(const char *ce)
{
    if (!ce)
        return ENC_NONE;
    ww_str_t t = media_type(ce);
    if (t.n == 0 || ww_str_ieq_z(t, "identity"))
        return ENC_NONE;
    if (ww_str_ieq_z(t, "gzip") || ww_str_ieq_z(t, "x-gzip"))
        return ENC_GZIP;
    if (ww_str_ieq_z(t, "deflate"))
        return ENC_DEFLATE;
    if (ww_str_ieq_z(t, "zstd"))
        return ENC_ZSTD;
    return ENC_BAD;
}

/* Inflates gzip (every member of a multi-member file) or zlib data into out.  An
 * HTTP "deflate" body should be zlib data, but some senders send it raw: that is
 * tried when the zlib header is not there. */
static int inflate_all(const char *in, size_t n, int enc, ww_buf_t *out, ww_diag_t *diag)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    int wbits = enc == ENC_GZIP ? 15 + 16 : 15;
    if (enc == ENC_DEFLATE && n >= 2 &&
        ((((uint8_t)in[0] << 8) | (uint8_t)in[1]) % 31 != 0 || ((uint8_t)in[0] & 0x0f) != 8))
        wbits = -15;
    if (inflateInit2(&z, wbits) != Z_OK)
        return WW_ENOMEM;
    int rc = 0;
    z.next_in = (Bytef *)in;
    z.avail_in = 0;
    size_t left = n;
    for (;;) {
        if (z.avail_in == 0 && left) {
            uInt k = left > UINT32_MAX ? UINT32_MAX : (uInt)left;
            z.next_in = (Bytef *)in + (n - left);
            z.avail_in = k;
            left -= k;
        }
        char chunk[16384];
        z.next_out = (Bytef *)chunk;
        z.avail_out = sizeof chunk;
        int zr = inflate(&z, Z_NO_FLUSH);
        size_t got = sizeof chunk - z.avail_out;
        if (got && (rc = ww_buf_append(out, chunk, got)) != 0) {
            if (rc == WW_ELIMIT)
                ww_diag_set(diag, "", 0, 0, "body decompresses to more than the limit of %zu bytes",
                            out->cap);
            goto out;
        }
        if (zr == Z_STREAM_END) {
            if (z.avail_in == 0 && left == 0)
                break;
            /* gzip allows several members one after another. */
            if (enc == ENC_GZIP && inflateReset(&z) == Z_OK)
                continue;
            ww_diag_set(diag, "", 0, 0, "data after the end of the compressed body");
            rc = WW_EINVAL;
            goto out;
        }
        if (zr == Z_BUF_ERROR && got == 0 && z.avail_in == 0 && left == 0) {
            ww_diag_set(diag, "", 0, 0, "compressed body is truncated");
            rc = WW_EINVAL;
            goto out;
        }
        if (zr != Z_OK && zr != Z_BUF_ERROR) {
            ww_diag_set(diag, "", 0, 0, "corrupt %s body: %s", enc == ENC_GZIP ? "gzip" : "deflate",
                        z.msg ? z.msg : "inflate failed");
            rc = zr == Z_MEM_ERROR ? WW_ENOMEM : WW_EINVAL;
            goto out;
        }
    }
out:
    inflateEnd(&z);
    return rc;
}

static int unzstd_all(const char *in, size_t n, ww_buf_t *out, ww_diag_t *diag)
{
    ZSTD_DCtx *z = ZSTD_createDCtx();
    if (!z)
        return WW_ENOMEM;
    int rc = 0;
    ZSTD_DCtx_setParameter(z, ZSTD_d_windowLogMax, ZSTD_WINDOW_LOG_MAX);
    ZSTD_inBuffer ib = {in, n, 0};
    size_t last = 1;
    while (ib.pos < ib.size || last != 0) {
        char chunk[16384];
        ZSTD_outBuffer ob = {chunk, sizeof chunk, 0};
        size_t before = ib.pos;
        last = ZSTD_decompressStream(z, &ob, &ib);
        if (ZSTD_isError(last)) {
            ww_diag_set(diag, "", 0, 0, "corrupt zstd body: %s", ZSTD_getErrorName(last));
            rc = WW_EINVAL;
            goto out;
        }
        if (ob.pos && (rc = ww_buf_append(out, chunk, ob.pos)) != 0) {
            if (rc == WW_ELIMIT)
                ww_diag_set(diag, "", 0, 0, "body decompresses to more than the limit of %zu bytes",
                            out->cap);
            goto out;
        }
        if (last != 0 && ib.pos == ib.size && ob.pos < ob.size && ib.pos == before) {
            ww_diag_set(diag, "", 0, 0, "compressed body is truncated");
            rc = WW_EINVAL;
            goto out;
        }
    }
out:
    ZSTD_freeDCtx(z);
    return rc;
}

/* ---- events ---------------------------------------------------------------------- */

/* Line and column of position at, counting forward from the last position asked. */
static void where(split_t *s, const char *at, uint32_t *line, uint32_t *col)
{
    if (at < s->lpos) { /* not expected; recount from the start */
        s->lpos = s->lstart = s->base;
        s->line = 1;
    }
    for (const char *p = s->lpos; p < at; p++)
        if (*p == '\n') {
            s->line++;
            s->lstart = p + 1;
        }
    s->lpos = at;
    *line = s->line;
    *col = (uint32_t)(at - s->lstart) + 1;
}

static int bad(split_t *s, uint32_t index, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int bad(split_t *s, uint32_t index, const char *at, const char *fmt, ...)
{
    char why[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    ww_diag_t d;
    uint32_t line, col;
    where(s, at, &line, &col);
    if (s->res->kind == WW_HTTPBODY_ARRAY)
        ww_diag_set(&d, "", line, col, "element %u (line %u): %s", index, line, why);
    else
        ww_diag_set(&d, "", line, col, "line %u: %s", line, why);
    s->res->errors++;
    if (!s->res->first_error_index) {
        s->res->first_error_index = index;
        s->res->first_error = d;
    }
    return s->on_error ? s->on_error(s->ud, index, &d) : 0;
}

/* Checks one event's text [p, e) (no surrounding white space) and delivers it, or
 * reports why not.  0 or a callback's error. */
static int one_event(split_t *s, uint32_t index, const char *p, const char *e)
{
    size_t n = (size_t)(e - p);
    if (n > s->lim->max_event)
        return bad(s, index, p, "event of %zu bytes is over the limit of %zu", n,
                   s->lim->max_event);
    s->js.end = e;
    if (ww__json_parse(&s->js, p) != 0) {
        if (s->js.err_code == WW_ENOMEM)
            return WW_ENOMEM;
        return bad(s, index, s->js.err_at ? s->js.err_at : p, "malformed JSON: %s",
                   s->js.err_msg ? s->js.err_msg : "syntax error");
    }
    if (s->js.pos != e)
        return bad(s, index, skip_ws(s->js.pos, e), "text after the end of the event's JSON");
    if (s->js.tok[0].type != WW_JT_OBJ)
        return bad(s, index, p, "event is not a JSON object");
    s->res->events++;
    return s->on_event ? s->on_event(s->ud, p, n, index) : 0;
}

static int do_ndjson(split_t *s)
{
    const char *p = s->base, *e = s->end;
    uint32_t line = 0;
    int rc = 0;
    while (p < e && rc == 0) {
        line++;
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        const char *le = nl ? nl : e;
        const char *a = skip_ws(p, le), *b = le;
        while (b > a && is_ws(b[-1]))
            b--;
        if (a < b)
            rc = one_event(s, line, a, b);
        p = nl ? nl + 1 : e;
    }
    return rc;
}

/* The end of the array element starting at p: the ',' or ']' that closes it at depth
 * 0, or NULL when the body ends first.  Strings are skipped whole; a closing bracket
 * with nothing open is part of the (malformed) element. */
static const char *element_end(const char *p, const char *e)
{
    uint32_t depth = 0;
    while (p < e) {
        char c = *p;
        if (c == '"') {
            /* The closing quote is the first one after an even run of backslashes; the
               runs scanned back over lie between quotes, so this stays linear. */
            const char *q = p + 1;
            for (;;) {
                q = memchr(q, '"', (size_t)(e - q));
                if (!q)
                    return NULL;
                const char *b = q;
                while (b > p + 1 && b[-1] == '\\')
                    b--;
                if (((q - b) & 1) == 0)
                    break;
                q++;
            }
            p = q;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth == 0 && c == ']')
                return p;
            if (depth)
                depth--;
        } else if (c == ',' && depth == 0) {
            return p;
        }
        p++;
    }
    return NULL;
}

/* How many elements the array at p ('[') has, by the same scan. */
static uint64_t count_elements(const char *p, const char *e)
{
    uint64_t k = 0;
    const char *q = skip_ws(p + 1, e);
    if (q < e && *q == ']')
        return 0;
    while (q && q < e) {
        k++;
        q = element_end(q, e);
        if (!q || *q == ']')
            break;
        q++;
    }
    return k;
}

static int do_array(split_t *s, const char *open)
{
    const char *e = s->end;
    const char *q = skip_ws(open + 1, e);
    int rc = 0;
    uint32_t idx = 0;
    if (q < e && *q == ']') {
        q++;
        goto after;
    }
    for (;;) {
        idx++;
        q = skip_ws(q, e);
        const char *end = element_end(q, e);
        if (!end)
            return bad(s, idx, q,
                       "the array is not closed: this element runs to the end of "
                       "the body");
        const char *b = end;
        while (b > q && is_ws(b[-1]))
            b--;
        if (b == q)
            rc = bad(s, idx, q, "empty array element");
        else
            rc = one_event(s, idx, q, b);
        if (rc)
            return rc;
        q = end + 1;
        if (*end == ']')
            break;
    }
after:
    q = skip_ws(q, e);
    if (q < e)
        return bad(s, idx + 1, q, "text after the end of the array");
    return 0;
}

int ww_httpbody_split(const char *content_type, const char *content_encoding, const void *body,
                      size_t n, const ww_httpbody_limits_t *lim_in, ww_httpbody_event_fn on_event,
                      ww_httpbody_error_fn on_error, void *ud, ww_httpbody_result_t *res,
                      ww_diag_t *diag)
{
    ww_httpbody_limits_t lim = lim_in ? *lim_in : (ww_httpbody_limits_t){0};
    if (!lim.max_body)
        lim.max_body = WW_HTTPBODY_DEFAULT_BODY;
    if (!lim.max_decoded)
        lim.max_decoded = WW_HTTPBODY_DEFAULT_DECODED;
    if (!lim.max_event)
        lim.max_event = WW_HTTPBODY_DEFAULT_EVENT;
    if (!lim.max_events)
        lim.max_events = WW_HTTPBODY_DEFAULT_EVENTS;
    memset(res, 0, sizeof *res);
    split_t s = {.lim = &lim, .on_event = on_event, .on_error = on_error, .ud = ud, .res = res};
    ww_buf_t dec;
    ww_buf_init(&dec, lim.max_decoded);
    int rc = 0;

    if (!type_accepted(content_type)) {
        ww_str_t t = media_type(content_type);
        ww_diag_set(diag, "", 0, 0,
                    "content type \"%.*s\" is not accepted (send application/json or "
                    "application/x-ndjson)",
                    (int)(t.n > 80 ? 80 : t.n), t.p);
        rc = WW_EUNSUP;
        goto out;
    }
    int enc = encoding(content_encoding);
    if (enc == ENC_BAD) {
        ww_str_t t = media_type(content_encoding);
        ww_diag_set(diag, "", 0, 0,
                    "content encoding \"%.*s\" is not accepted (gzip, deflate, zstd or none)",
                    (int)(t.n > 80 ? 80 : t.n), t.p);
        rc = WW_EUNSUP;
        goto out;
    }
    if (n > lim.max_body) {
        ww_diag_set(diag, "", 0, 0, "body of %zu bytes is over the limit of %zu", n, lim.max_body);
        rc = WW_ELIMIT;
        goto out;
    }
    const char *p = body, *e = p + n;
    if (enc == ENC_GZIP || enc == ENC_DEFLATE)
        rc = inflate_all(p, n, enc, &dec, diag);
    else if (enc == ENC_ZSTD)
        rc = unzstd_all(p, n, &dec, diag);
    else if (n > lim.max_decoded) {
        ww_diag_set(diag, "", 0, 0, "body of %zu bytes is over the limit of %zu", n,
                    lim.max_decoded);
        rc = WW_ELIMIT;
    }
    if (rc)
        goto out;
    if (enc != ENC_NONE) {
        p = dec.p ? dec.p : "";
        e = p + dec.n;
    }
    res->decoded = (size_t)(e - p);
    /* A UTF-8 byte order mark is no part of the JSON. */
    if (e - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    s.base = s.lpos = s.lstart = p;
    s.end = e;
    s.line = 1;
    s.js.base = p;
    s.js.end = e;

    const char *first = skip_ws(p, e);
    if (first == e)
        goto out; /* nothing in it: no events */
    if (*first == '[') {
        res->kind = WW_HTTPBODY_ARRAY;
        /* Elements are at most the commas plus one: count them exactly only when
           that bound is over the limit. */
        uint64_t k = 1;
        for (const char *q = first; (q = memchr(q, ',', (size_t)(e - q))) != NULL; q++)
            k++;
        if (k > lim.max_events)
            k = count_elements(first, e);
        if (k > lim.max_events) {
            ww_diag_set(diag, "", 0, 0, "array of %llu elements is over the limit of %u events",
                        (unsigned long long)k, lim.max_events);
            res->kind = 0;
            rc = WW_ELIMIT;
            goto out;
        }
        rc = do_array(&s, first);
    } else {
        /* One value spread over lines is one event; else one event per line. */
        if (*first == '{' && (size_t)(e - first) <= lim.max_event &&
            ww__json_parse(&s.js, first) == 0 && skip_ws(s.js.pos, e) == e) {
            res->kind = WW_HTTPBODY_OBJECT;
            const char *b = e;
            while (b > first && is_ws(b[-1]))
                b--;
            rc = one_event(&s, 1, first, b);
            goto done;
        }
        res->kind = WW_HTTPBODY_NDJSON;
        uint64_t lines = 1;
        for (const char *q = p; (q = memchr(q, '\n', (size_t)(e - q))) != NULL; q++)
            lines++;
        if (lines > lim.max_events) {
            /* Only then are blank lines told apart from events. */
            uint64_t nonblank = 0;
            for (const char *q = p; q < e;) {
                const char *nl = memchr(q, '\n', (size_t)(e - q));
                const char *le = nl ? nl : e;
                nonblank += skip_ws(q, le) < le;
                q = nl ? nl + 1 : e;
            }
            if (nonblank > lim.max_events) {
                ww_diag_set(diag, "", 0, 0, "body of %llu events is over the limit of %u",
                            (unsigned long long)nonblank, lim.max_events);
                res->kind = 0;
                rc = WW_ELIMIT;
                goto out;
            }
        }
        rc = do_ndjson(&s);
    }
done:
    if (rc == 0 && res->errors) {
        rc = WW_EPARSE;
        if (diag)
            *diag = res->first_error;
    } else if (rc < 0) {
        ww_diag_set(diag, "", 0, 0, "stopped at event %u: %s", res->events + res->errors,
                    ww_strerror(rc));
    }
out:
    free(s.js.tok);
    ww_buf_release(&dec);
    return rc;
}
