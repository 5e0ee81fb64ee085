/* The .eml parser: header fields (unfolding, RFC 2047 encoded words, RFC 2231
 * parameters), the MIME tree (nested multiparts, attached messages, base64 and
 * quoted-printable), links in text and HTML parts, attachments with their hashes.
 *
 * The whole message is in memory; parts are offsets into it, decoded one leaf at a
 * time into a temporary buffer, so memory stays a small multiple of the input.  Every
 * loop is bounded by the input's size and the caps in ww_eml_limits_t. */
#include "mail/ww_eml.h"

#include <errno.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <iconv.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#define MAX_PART_HEADERS 64   /* header fields read from one part's header */
#define MAX_URL 2048          /* a longer link is cut */
#define MAX_LINK_TEXT 200     /* shown text kept for a link */
#define MAX_ANCHOR_SCAN 4096  /* bytes searched for an anchor's closing tag */
#define MAX_CHARSET 40        /* a longer charset name is not a charset */
#define MAX_PARAM_SEGMENTS 16 /* RFC 2231 continuations of one parameter */
#define ARENA_CAP (64u << 20) /* strings kept for one message */

void ww_eml_limits_default(ww_eml_limits_t *l)
{
    if (!l->max_headers)
        l->max_headers = 500;
    if (!l->max_header_bytes)
        l->max_header_bytes = 32u << 10;
    if (!l->max_depth)
        l->max_depth = 8;
    if (!l->max_parts)
        l->max_parts = 200;
    if (!l->max_links)
        l->max_links = 500;
    if (!l->max_attachments)
        l->max_attachments = 100;
    if (!l->max_received)
        l->max_received = 50;
    if (!l->max_problems)
        l->max_problems = 32;
    if (!l->max_scan)
        l->max_scan = 2u << 20;
    if (!l->max_excerpt)
        l->max_excerpt = 4096;
}

typedef struct ctx {
    const char *base;
    size_t n;
    ww_eml_limits_t lim;
    ww_eml_t *m;
    size_t cur_off; /* line_of's cursor: the line at cur_off is cur_line */
    uint32_t cur_line;
    bool oom;
    bool excerpt_done;
} ctx_t;

typedef ww_eml_header_t hdr_t;

/* ---- small helpers ---------------------------------------------------------------- */

/* The line number of offset off.  Parts are visited in order, so the cursor mostly
   moves forward and the whole message is counted about once. */
static uint32_t line_of(ctx_t *c, size_t off)
{
    if (off > c->n)
        off = c->n;
    if (off < c->cur_off) {
        c->cur_off = 0;
        c->cur_line = 1;
    }
    const char *p = c->base + c->cur_off, *e = c->base + off;
    while (p < e) {
        const char *q = memchr(p, '\n', (size_t)(e - p));
        if (!q)
            break;
        c->cur_line++;
        p = q + 1;
    }
    c->cur_off = off;
    return c->cur_line;
}

static char *dup(ctx_t *c, const char *p, size_t n)
{
    char *s = ww_arena_strndup(&c->m->arena, p, n);
    if (!s)
        c->oom = true;
    return s ? s : "";
}

static char *dup_lower(ctx_t *c, const char *p, size_t n)
{
    char *s = dup(c, p, n);
    for (char *q = s; *q; q++)
        *q = (char)ww_lower((unsigned char)*q);
    return s;
}

static void problem(ctx_t *c, size_t off, bool whole, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void problem(ctx_t *c, size_t off, bool whole, const char *fmt, ...)
{
    ww_eml_t *m = c->m;
    if (m->nproblems >= c->lim.max_problems) {
        m->dropped_problems++;
        return;
    }
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    m->problems[m->nproblems].line = whole ? 0 : line_of(c, off);
    m->problems[m->nproblems].msg = dup(c, msg, strlen(msg));
    m->nproblems++;
}

static bool is_ws(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static void trim(const char **p, size_t *n)
{
    while (*n && is_ws(**p))
        (*p)++, (*n)--;
    while (*n && is_ws((*p)[*n - 1]))
        (*n)--;
}

/* The end of the line starting at i (before CR LF or LF) and where the next starts. */
static size_t line_end(const char *b, size_t i, size_t e, size_t *next)
{
    const char *q = memchr(b + i, '\n', e - i);
    if (!q) {
        *next = e;
        return e;
    }
    size_t le = (size_t)(q - b);
    *next = le + 1;
    if (le > i && b[le - 1] == '\r')
        le--;
    return le;
}

/* Appends what fits of p[0..n) under b's cap; false when some was cut. */
static bool put_cut(ww_buf_t *b, const char *p, size_t n)
{
    size_t room = b->cap ? (b->cap > b->n ? b->cap - b->n : 0) : n;
    bool cut = n > room;
    if (cut) {
        n = room;
        while (n > 0 && ((unsigned char)p[n] & 0xC0) == 0x80)
            n--; /* not inside a UTF-8 sequence */
        b->err = b->err ? b->err : WW_ELIMIT;
    }
    if (n)
        ww_buf_append(b, p, n);
    return !cut;
}

static int hexval(unsigned char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch = ww_lower(ch);
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

static bool ci_prefix(const char *p, size_t n, const char *z)
{
    size_t zn = strlen(z);
    return n >= zn && strncasecmp(p, z, zn) == 0;
}

/* ---- charsets and transfer encodings ------------------------------------------------ */

static bool utf8_compatible(const char *cs)
{
    return !*cs || strcasecmp(cs, "utf-8") == 0 || strcasecmp(cs, "utf8") == 0 ||
           strcasecmp(cs, "us-ascii") == 0 || strcasecmp(cs, "ascii") == 0;
}

/* Appends in[0..n) converted from charset to UTF-8.  An unknown charset's bytes are
   appended as they are: the HTML writer shows invalid UTF-8 as U+FFFD anyway. */
static void to_utf8(const char *charset, const char *in, size_t n, ww_buf_t *out)
{
    char cs[MAX_CHARSET + 1];
    size_t cn = strlen(charset);
    bool ok = cn > 0 && cn <= MAX_CHARSET;
    for (size_t i = 0; ok && i < cn; i++) {
        unsigned char ch = (unsigned char)charset[i];
        ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
             ch == '-' || ch == '_' || ch == '.' || ch == ':';
    }
    if (!ok || utf8_compatible(charset)) {
        ww_buf_append(out, in, n);
        return;
    }
    memcpy(cs, charset, cn + 1);
    iconv_t cd = iconv_open("UTF-8", cs);
    if (cd == (iconv_t)-1) {
        ww_buf_append(out, in, n);
        return;
    }
    char *ip = (char *)in;
    size_t il = n;
    while (il > 0 && !out->err) {
        char tmp[1024];
        char *op = tmp;
        size_t ol = sizeof tmp;
        size_t r = iconv(cd, &ip, &il, &op, &ol);
        ww_buf_append(out, tmp, (size_t)(op - tmp));
        if (r == (size_t)-1) {
            if (errno == E2BIG)
                continue;
            /* An invalid or cut sequence: one replacement character, then go on. */
            ww_buf_append(out, "\xEF\xBF\xBD", 3);
            ip++;
            il--;
            iconv(cd, NULL, NULL, NULL, NULL);
        }
    }
    iconv_close(cd);
}

/* Base64 digits by byte: 0..63, B64_WS for blanks, B64_END for '=', B64_BAD else. */
enum { B64_WS = 64, B64_END = 65, B64_BAD = 66 };
static unsigned char b64_table[256];
static pthread_once_t b64_once = PTHREAD_ONCE_INIT;

static void b64_init(void)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    memset(b64_table, B64_BAD, sizeof b64_table);
    for (int i = 0; i < 64; i++)
        b64_table[(unsigned char)digits[i]] = (unsigned char)i;
    b64_table[' '] = b64_table['\t'] = b64_table['\r'] = b64_table['\n'] = B64_WS;
    b64_table['='] = B64_END;
}

/* Base64 into out (room for n bytes).  Whitespace is skipped; *bad counts other bytes
   that are not base64, which are skipped too, as mail clients do. */
static size_t b64_decode(const char *in, size_t n, char *out, size_t *bad)
{
    pthread_once(&b64_once, b64_init);
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0, nbad = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned v = b64_table[(unsigned char)in[i]];
        if (v < 64) {
            acc = (acc << 6) | v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out[o++] = (char)((acc >> bits) & 0xFF);
            }
        } else if (v == B64_END) {
            break; /* padding: the data ends here */
        } else if (v == B64_BAD) {
            nbad++;
        }
    }
    *bad += nbad;
    return o;
}

/* Quoted-printable into out (room for n bytes).  header: '_' is a space (RFC 2047's
   Q encoding).  *bad counts '=' not followed by two hex digits or a line break. */
static size_t qp_decode(const char *in, size_t n, char *out, bool header, size_t *bad)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = in[i];
        if (ch == '=') {
            if (i + 2 < n && hexval((unsigned char)in[i + 1]) >= 0 &&
                hexval((unsigned char)in[i + 2]) >= 0) {
                out[o++] = (char)(hexval((unsigned char)in[i + 1]) * 16 +
                                  hexval((unsigned char)in[i + 2]));
                i += 2;
                continue;
            }
            /* A soft line break: '=' then optional blanks and the line's end. */
            size_t j = i + 1;
            while (j < n && (in[j] == ' ' || in[j] == '\t'))
                j++;
            if (j < n && in[j] == '\r')
                j++;
            if (j < n && in[j] == '\n') {
                i = j;
                continue;
            }
            if (j >= n) {
                i = n;
                continue;
            }
            (*bad)++;
            out[o++] = ch;
            continue;
        }
        out[o++] = (header && ch == '_') ? ' ' : ch;
    }
    return o;
}

/* ---- RFC 2047 encoded words ----------------------------------------------------------- */

/* Tries an encoded word =?charset?B|Q?text?= at p[0..n); returns its length and
   appends its decoded text, or 0 when p does not start one. */
static size_t encoded_word(const char *p, size_t n, ww_buf_t *out)
{
    if (n < 8 || p[0] != '=' || p[1] != '?')
        return 0;
    size_t i = 2, cs = i;
    while (i < n && p[i] != '?' && !is_ws(p[i]) && i - cs <= MAX_CHARSET + 10)
        i++;
    if (i >= n || p[i] != '?' || i == cs || i + 3 >= n || p[i + 2] != '?')
        return 0;
    char charset[MAX_CHARSET + 1];
    size_t cl = i - cs;
    const char *star = memchr(p + cs, '*', cl); /* RFC 2231 language: "utf-8*en" */
    if (star)
        cl = (size_t)(star - (p + cs));
    if (cl == 0 || cl > MAX_CHARSET)
        return 0;
    memcpy(charset, p + cs, cl);
    charset[cl] = 0;
    char enc = (char)ww_lower((unsigned char)p[i + 1]);
    if (enc != 'b' && enc != 'q')
        return 0;
    size_t ts = i + 3, te = ts;
    while (te + 1 < n && !(p[te] == '?' && p[te + 1] == '=') && p[te] != '\n')
        te++;
    if (te + 1 >= n || p[te] != '?' || p[te + 1] != '=')
        return 0;
    char stackbuf[512];
    char *tmp = te - ts <= sizeof stackbuf ? stackbuf : malloc(te - ts);
    if (!tmp)
        return 0;
    size_t bad = 0, dn = enc == 'b' ? b64_decode(p + ts, te - ts, tmp, &bad)
                                    : qp_decode(p + ts, te - ts, tmp, true, &bad);
    to_utf8(charset, tmp, dn, out);
    if (tmp != stackbuf)
        free(tmp);
    return te + 2;
}

/* Decodes the encoded words of a header value; the blanks between two adjacent
   encoded words are dropped (RFC 2047 section 6.2). */
static const char *decode_words(ctx_t *c, const char *p, size_t n)
{
    if (!memmem(p, n, "=?", 2))
        return dup(c, p, n);
    ww_buf_t b;
    ww_buf_init(&b, (size_t)c->lim.max_header_bytes * 4);
    size_t i = 0, gap = 0; /* gap: start of blanks after an encoded word */
    bool after_word = false;
    while (i < n) {
        size_t used = 0;
        if (p[i] == '=' && i + 1 < n && p[i + 1] == '?') {
            if (after_word && gap < i)
                b.n -= i - gap, b.p[b.n] = 0; /* only blanks since the last word */
            used = encoded_word(p + i, n - i, &b);
        }
        if (used) {
            i += used;
            after_word = true;
            gap = i;
            continue;
        }
        if (after_word && !is_ws(p[i]))
            after_word = false;
        ww_buf_putc(&b, p[i]);
        i++;
    }
    const char *s = b.err && !b.p ? "" : dup(c, b.p ? b.p : "", b.n);
    ww_buf_release(&b);
    return s;
}

/* ---- header fields ---------------------------------------------------------------- */

static bool name_char(unsigned char ch)
{
    return ch > 32 && ch < 127 && ch != ':';
}

/* Reads the header fields of [off, end) into out (at most cap; the rest are counted in
 *dropped).  Returns where the body starts (after the blank line). */
static size_t parse_headers(ctx_t *c, size_t off, size_t end, hdr_t *out, uint32_t cap,
                            uint32_t *nout, uint32_t *dropped, bool top)
{
    const char *b = c->base;
    size_t i = off;
    uint32_t n = 0;
    bool warned_long = false;
    while (i < end) {
        size_t next, le = line_end(b, i, end, &next);
        if (le == i) { /* the blank line */
            *nout = n;
            return next;
        }
        if (b[i] == ' ' || b[i] == '\t') {
            /* A continuation with no field before it. */
            problem(c, i, false, "a folded line with no header field before it");
            i = next;
            continue;
        }
        size_t j = i;
        while (j < le && name_char((unsigned char)b[j]))
            j++;
        size_t name_end = j;
        while (j < le && (b[j] == ' ' || b[j] == '\t')) /* obsolete "Name :" */
            j++;
        if (j >= le || b[j] != ':' || name_end == i) {
            if (top && i == off && le - i >= 5 && memcmp(b + i, "From ", 5) == 0) {
                i = next; /* an mbox "From " line before the header */
                continue;
            }
            if (n == 0 && top)
                return i; /* not a header at all: the caller says so */
            problem(c, i, false,
                    "the header ends without a blank line (this line is not a "
                    "\"Name: value\" field); the rest is read as the body");
            *nout = n;
            return i;
        }
        /* The value: this line after the colon and every continuation line, joined
           without their line breaks (unfolding, RFC 5322 section 2.2.3). */
        ww_buf_t v;
        ww_buf_init(&v, c->lim.max_header_bytes);
        put_cut(&v, b + j + 1, le - j - 1);
        size_t k = next;
        while (k < end && (b[k] == ' ' || b[k] == '\t')) {
            size_t kn, ke = line_end(b, k, end, &kn);
            put_cut(&v, b + k, ke - k);
            k = kn;
        }
        if (v.err == WW_ELIMIT && !warned_long) {
            problem(c, i, false, "a header field longer than %u bytes was cut",
                    c->lim.max_header_bytes);
            warned_long = true;
        }
        if (n < cap) {
            const char *vp = v.p ? v.p : "";
            size_t vn = v.n;
            trim(&vp, &vn);
            out[n].name = dup(c, b + i, name_end - i);
            out[n].value = dup(c, vp, vn);
            out[n].line = line_of(c, i);
            n++;
        } else {
            (*dropped)++;
        }
        ww_buf_release(&v);
        i = k;
    }
    *nout = n;
    if (top && n == 0)
        return off;
    return end; /* no body */
}

static const char *hget(const hdr_t *h, uint32_t n, const char *name)
{
    for (uint32_t i = 0; i < n; i++)
        if (strcasecmp(h[i].name, name) == 0)
            return h[i].value;
    return NULL;
}

/* ---- parameters (Content-Type, Content-Disposition) ------------------------------------ */

/* The main token of a structured value ("text/html" of "text/html; charset=x"). */
static const char *main_token(ctx_t *c, const char *v)
{
    const char *e = strchr(v, ';');
    size_t n = e ? (size_t)(e - v) : strlen(v);
    const char *p = v;
    trim(&p, &n);
    return dup_lower(c, p, n);
}

/* Percent-decodes an RFC 2231 value into out. */
static void pct_decode(const char *p, size_t n, ww_buf_t *out)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '%' && i + 2 < n && hexval((unsigned char)p[i + 1]) >= 0 &&
            hexval((unsigned char)p[i + 2]) >= 0) {
            ww_buf_putc(out, (char)(hexval((unsigned char)p[i + 1]) * 16 +
                                    hexval((unsigned char)p[i + 2])));
            i += 2;
        } else {
            ww_buf_putc(out, p[i]);
        }
    }
}

/* The value of parameter `want` in a structured header value: plain (its encoded words
   decoded, as many mailers write file names), RFC 2231 extended (want*=charset''...)
   or continued (want*0=, want*1*=, ...).  NULL when absent. */
static const char *param(ctx_t *c, const char *v, const char *want)
{
    size_t wn = strlen(want);
    const char *plain = NULL;
    const char *seg[MAX_PARAM_SEGMENTS] = {0};
    size_t segn[MAX_PARAM_SEGMENTS] = {0};
    bool segext[MAX_PARAM_SEGMENTS] = {0};
    bool any_seg = false;
    ww_buf_t q;
    ww_buf_init(&q, c->lim.max_header_bytes);
    const char *p = strchr(v, ';');
    while (p && *p) {
        p++; /* past ';' */
        while (is_ws(*p))
            p++;
        const char *ns = p;
        while (*p && *p != '=' && *p != ';')
            p++;
        const char *ne = p;
        while (ne > ns && is_ws(ne[-1]))
            ne--;
        if (*p != '=')
            continue;
        p++;
        while (is_ws(*p))
            p++;
        const char *vs, *ve;
        bool quoted = *p == '"';
        ww_buf_clear(&q);
        if (quoted) {
            p++;
            while (*p && *p != '"') {
                if (*p == '\\' && p[1])
                    p++;
                ww_buf_putc(&q, *p++);
            }
            if (*p == '"')
                p++;
            vs = q.p ? q.p : "";
            ve = vs + q.n;
        } else {
            vs = p;
            while (*p && *p != ';' && !is_ws(*p))
                p++;
            ve = p;
        }
        while (*p && *p != ';')
            p++;
        size_t nl = (size_t)(ne - ns);
        if (nl < wn || strncasecmp(ns, want, wn) != 0)
            continue;
        if (nl == wn) {
            if (!plain)
                plain = decode_words(c, vs, (size_t)(ve - vs));
            continue;
        }
        if (ns[wn] != '*')
            continue;
        /* want* or want*K or want*K* */
        const char *sp = ns + wn + 1;
        unsigned k = 0;
        bool ext = false, digits = false;
        while (sp < ne && *sp >= '0' && *sp <= '9' && k < 1000)
            k = k * 10 + (unsigned)(*sp++ - '0'), digits = true;
        if (sp < ne && *sp == '*')
            ext = true, sp++;
        if (sp != ne)
            continue;
        if (!digits)
            ext = true; /* want*= */
        if (k >= MAX_PARAM_SEGMENTS || seg[k])
            continue;
        seg[k] = dup(c, vs, (size_t)(ve - vs));
        segn[k] = (size_t)(ve - vs);
        segext[k] = ext;
        any_seg = true;
    }
    ww_buf_release(&q);
    if (!any_seg || !seg[0])
        return plain;
    /* charset'language'value in the first extended segment. */
    char charset[MAX_CHARSET + 1] = "";
    ww_buf_t raw;
    ww_buf_init(&raw, c->lim.max_header_bytes);
    for (unsigned k = 0; k < MAX_PARAM_SEGMENTS && seg[k]; k++) {
        const char *s = seg[k];
        size_t sn = segn[k];
        if (k == 0 && segext[0]) {
            const char *a1 = memchr(s, '\'', sn);
            const char *a2 = a1 ? memchr(a1 + 1, '\'', sn - (size_t)(a1 + 1 - s)) : NULL;
            if (a2) {
                size_t cl = (size_t)(a1 - s);
                if (cl <= MAX_CHARSET) {
                    memcpy(charset, s, cl);
                    charset[cl] = 0;
                }
                sn -= (size_t)(a2 + 1 - s);
                s = a2 + 1;
            }
        }
        if (segext[k])
            pct_decode(s, sn, &raw);
        else
            ww_buf_append(&raw, s, sn);
    }
    ww_buf_t u;
    ww_buf_init(&u, (size_t)c->lim.max_header_bytes * 4);
    to_utf8(charset, raw.p ? raw.p : "", raw.n, &u);
    const char *r = dup(c, u.p ? u.p : "", u.n);
    ww_buf_release(&raw);
    ww_buf_release(&u);
    return r;
}

/* ---- addresses and the fields people read ----------------------------------------------- */

/* A display name: quoted strings unquoted (RFC 5322 quoted-pair), encoded words
   decoded. */
static const char *display_name(ctx_t *c, const char *p, size_t n)
{
    ww_buf_t b;
    ww_buf_init(&b, c->lim.max_header_bytes);
    bool inq = false;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"') {
            inq = !inq;
            continue;
        }
        if (inq && p[i] == '\\' && i + 1 < n)
            i++;
        ww_buf_putc(&b, p[i]);
    }
    const char *r = decode_words(c, b.p ? b.p : "", b.n);
    ww_buf_release(&b);
    return r;
}

/* The first address of an address field: its display name (decoded), address and
   domain.  The address is taken from the raw value, so an encoded word in the display
   name cannot pose as the address. */
static void parse_addr(ctx_t *c, const char *v, const char **name, const char **addr,
                       const char **domain)
{
    *name = *addr = *domain = "";
    size_t n = strlen(v);
    /* The first address ends at a comma outside quotes, angle brackets and comments. */
    size_t end = n, lt = SIZE_MAX, gt = SIZE_MAX;
    bool inq = false;
    int paren = 0, angle = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = v[i];
        if (inq) {
            if (ch == '\\' && i + 1 < n)
                i++;
            else if (ch == '"')
                inq = false;
            continue;
        }
        if (paren) {
            if (ch == '(')
                paren++;
            else if (ch == ')')
                paren--;
            continue;
        }
        if (ch == '"')
            inq = true;
        else if (ch == '(')
            paren = 1;
        else if (ch == '<')
            lt = i, angle = 1, gt = SIZE_MAX;
        else if (ch == '>' && angle)
            gt = i, angle = 0;
        else if (ch == ',' && !angle) {
            end = i;
            break;
        }
    }
    const char *ap = NULL;
    size_t an = 0;
    if (lt != SIZE_MAX && lt < end) {
        ap = v + lt + 1;
        an = (gt != SIZE_MAX && gt > lt ? gt : end) - lt - 1;
        const char *np = v;
        size_t nn = lt;
        trim(&np, &nn);
        *name = display_name(c, np, nn);
    } else {
        /* A bare address, perhaps with a comment: "a@b (Name)". */
        size_t i = 0;
        while (i < end && is_ws(v[i]))
            i++;
        size_t s = i;
        while (i < end && !is_ws(v[i]) && v[i] != '(')
            i++;
        ap = v + s;
        an = i - s;
        const char *cp = memchr(v + i, '(', end - i);
        if (cp) {
            const char *ce = memchr(cp, ')', (size_t)(v + end - cp));
            size_t cn = ce ? (size_t)(ce - cp - 1) : (size_t)(v + end - cp - 1);
            *name = decode_words(c, cp + 1, cn);
        }
    }
    trim(&ap, &an);
    if (!an)
        return;
    *addr = dup(c, ap, an);
    const char *at = memrchr(ap, '@', an);
    if (at && at + 1 < ap + an)
        *domain = dup_lower(c, at + 1, (size_t)(ap + an - at - 1));
}

/* The token that follows word (a whole word, case-insensitive) in v, "" when none. */
static const char *token_after(ctx_t *c, const char *v, const char *word)
{
    size_t wn = strlen(word), n = strlen(v);
    for (size_t i = 0; i + wn < n; i++) {
        if ((i == 0 || is_ws(v[i - 1]) || v[i - 1] == ';' || v[i - 1] == '(') &&
            strncasecmp(v + i, word, wn) == 0 && is_ws(v[i + wn])) {
            size_t s = i + wn;
            while (s < n && is_ws(v[s]))
                s++;
            size_t e = s;
            while (e < n && !is_ws(v[e]) && v[e] != ';' && v[e] != '(' && v[e] != ')' &&
                   e - s < 255)
                e++;
            return dup(c, v + s, e - s);
        }
    }
    return "";
}

static void add_received(ctx_t *c, const hdr_t *h)
{
    ww_eml_t *m = c->m;
    if (m->nreceived >= c->lim.max_received) {
        m->dropped_received++;
        return;
    }
    ww_eml_received_t *r = &m->received[m->nreceived++];
    r->text = h->value;
    r->line = h->line;
    r->from = token_after(c, h->value, "from");
    r->by = token_after(c, h->value, "by");
    r->ip = "";
    const char *lb = strchr(h->value, '[');
    if (lb) {
        const char *rb = strchr(lb, ']');
        if (rb && rb - lb - 1 <= 64) {
            const char *s = lb + 1;
            size_t sn = (size_t)(rb - s);
            if (sn > 5 && strncasecmp(s, "IPv6:", 5) == 0)
                s += 5, sn -= 5;
            r->ip = dup(c, s, sn);
        }
    }
}

/* The result stated for method ("spf", "dkim", "dmarc") in an Authentication-Results
   value: "spf=pass" -> "pass". */
static const char *auth_verdict(ctx_t *c, const char *v, const char *method)
{
    size_t mn = strlen(method), n = strlen(v);
    for (size_t i = 0; i + mn < n; i++) {
        if ((i == 0 || is_ws(v[i - 1]) || v[i - 1] == ';') && strncasecmp(v + i, method, mn) == 0) {
            size_t j = i + mn;
            while (j < n && is_ws(v[j]))
                j++;
            if (j >= n || v[j] != '=')
                continue;
            j++;
            while (j < n && is_ws(v[j]))
                j++;
            size_t s = j;
            while (j < n && ((v[j] >= 'a' && v[j] <= 'z') || (v[j] >= 'A' && v[j] <= 'Z')) &&
                   j - s < 32)
                j++;
            return dup_lower(c, v + s, j - s);
        }
    }
    return "";
}

static void top_fields(ctx_t *c)
{
    ww_eml_t *m = c->m;
    const hdr_t *h = m->headers;
    uint32_t n = m->nheaders;
    const char *v;
    m->subject = (v = hget(h, n, "Subject")) ? decode_words(c, v, strlen(v)) : "";
    if ((v = hget(h, n, "From"))) {
        m->from = decode_words(c, v, strlen(v));
        parse_addr(c, v, &m->from_name, &m->from_addr, &m->from_domain);
    }
    m->sender = (v = hget(h, n, "Sender")) ? decode_words(c, v, strlen(v)) : "";
    m->to = (v = hget(h, n, "To")) ? decode_words(c, v, strlen(v)) : "";
    m->cc = (v = hget(h, n, "Cc")) ? decode_words(c, v, strlen(v)) : "";
    m->date = (v = hget(h, n, "Date")) ? v : "";
    m->message_id = (v = hget(h, n, "Message-ID")) ? v : "";
    m->return_path = (v = hget(h, n, "Return-Path")) ? v : "";
    if ((v = hget(h, n, "Reply-To"))) {
        const char *nm;
        m->reply_to = decode_words(c, v, strlen(v));
        parse_addr(c, v, &nm, &m->reply_to_addr, &m->reply_to_domain);
    }
    if ((v = hget(h, n, "Authentication-Results"))) {
        m->auth_results = v;
        m->spf = auth_verdict(c, v, "spf");
        m->dkim = auth_verdict(c, v, "dkim");
        m->dmarc = auth_verdict(c, v, "dmarc");
    }
    if (!*m->spf && (v = hget(h, n, "Received-SPF"))) {
        size_t k = 0;
        while (v[k] && !is_ws(v[k]) && k < 32)
            k++;
        m->spf = dup_lower(c, v, k);
    }
    if ((v = hget(h, n, "DKIM-Signature"))) {
        /* The d= tag: tags are "name=value" separated by ';'. */
        for (const char *p = v; *p; p++) {
            if ((p == v || p[-1] == ';' || is_ws(p[-1])) && (p[0] == 'd' || p[0] == 'D')) {
                const char *q = p + 1;
                while (is_ws(*q))
                    q++;
                if (*q != '=')
                    continue;
                q++;
                while (is_ws(*q))
                    q++;
                size_t k = 0;
                while (q[k] && q[k] != ';' && !is_ws(q[k]) && k < 255)
                    k++;
                m->dkim_domain = dup_lower(c, q, k);
                break;
            }
        }
    }
    for (uint32_t i = 0; i < n; i++)
        if (strcasecmp(h[i].name, "Received") == 0)
            add_received(c, &h[i]);
}

/* ---- links ------------------------------------------------------------------------- */

/* The host of a URL, lower-cased: "https://user@Host:443/x" -> "host"; "mailto:a@b?x"
   -> "b"; "www.x.org/y" -> "www.x.org"; "" for a relative link. */
static const char *url_host(ctx_t *c, const char *u, size_t n)
{
    const char *p = u, *e = u + n;
    if (ci_prefix(u, n, "mailto:")) {
        const char *q = memchr(u, '?', n);
        if (q)
            e = q;
        const char *at = memrchr(u, '@', (size_t)(e - u));
        return at ? dup_lower(c, at + 1, (size_t)(e - at - 1)) : "";
    }
    const char *ss = memmem(u, n, "://", 3);
    if (ss) {
        for (const char *k = u; k < ss; k++) /* a scheme is letters, digits, + - . */
            if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
                  (*k >= '0' && *k <= '9') || *k == '+' || *k == '-' || *k == '.'))
                return "";
        p = ss + 3;
    } else if (!ci_prefix(u, n, "www.")) {
        return "";
    }
    const char *a = p;
    while (a < e && *a != '/' && *a != '?' && *a != '#' && *a != '\\')
        a++;
    /* Userinfo ("https://bank.co.uk@evil.example/") is not the host. */
    const char *at = memrchr(p, '@', (size_t)(a - p));
    if (at)
        p = at + 1;
    const char *he = a;
    if (p < a && *p == '[') {
        const char *rb = memchr(p, ']', (size_t)(a - p));
        he = rb ? rb + 1 : a;
    } else {
        const char *colon = memchr(p, ':', (size_t)(a - p));
        if (colon)
            he = colon;
    }
    while (he > p && he[-1] == '.') /* "host." is host */
        he--;
    return dup_lower(c, p, (size_t)(he - p));
}

/* The host the shown text names when it looks like an address ("www.nhs.uk",
   "https://x/y", "paypal.com"), else NULL. */
static const char *shown_host(ctx_t *c, const char *t)
{
    const char *p = t;
    size_t n = strlen(t);
    trim(&p, &n);
    if (!n || memchr(p, ' ', n))
        return NULL;
    if (memmem(p, n, "://", 3) || ci_prefix(p, n, "www.")) {
        const char *h = url_host(c, p, n);
        return *h ? h : NULL;
    }
    /* A bare domain: labels of letters, digits and '-', a dot, a final label of
       letters, then optionally a path. */
    size_t e = 0, dots = 0, last = 0;
    while (e < n && p[e] != '/') {
        char ch = p[e];
        if (ch == '.')
            dots++, last = e + 1;
        else if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                   (ch >= '0' && ch <= '9') || ch == '-'))
            return NULL;
        e++;
    }
    if (!dots || e - last < 2)
        return NULL;
    for (size_t k = last; k < e; k++)
        if (!((p[k] >= 'a' && p[k] <= 'z') || (p[k] >= 'A' && p[k] <= 'Z')))
            return NULL;
    return dup_lower(c, p, e);
}

/* Same site for display purposes: equal, or one a subdomain of the other. */
static bool same_site(const char *a, const char *b)
{
    size_t an = strlen(a), bn = strlen(b);
    if (an == bn)
        return strcasecmp(a, b) == 0;
    const char *lo = an > bn ? a : b, *sh = an > bn ? b : a;
    size_t ln = an > bn ? an : bn, sn = an > bn ? bn : an;
    return lo[ln - sn - 1] == '.' && strcasecmp(lo + ln - sn, sh) == 0;
}

static void add_link(ctx_t *c, uint32_t part, const char *url, size_t un, const char *text,
                     bool form, size_t off)
{
    ww_eml_t *m = c->m;
    /* A NUL ends a URL: no browser or mail client would go past it either. */
    un = strnlen(url, un);
    trim(&url, &un);
    if (un > MAX_URL)
        un = MAX_URL;
    if (!un)
        return;
    for (uint32_t i = 0; i < m->nlinks; i++) {
        ww_eml_link_t *l = &m->links[i];
        if (strlen(l->url) == un && memcmp(l->url, url, un) == 0 && l->form == form &&
            ((!l->text && !text) || (l->text && text && strcmp(l->text, text) == 0))) {
            l->count++;
            return;
        }
    }
    if (m->nlinks >= c->lim.max_links) {
        if (!m->dropped_links++)
            problem(c, off, false, "more than %u links: the rest are not listed", c->lim.max_links);
        return;
    }
    ww_eml_link_t *l = &m->links[m->nlinks++];
    l->url = dup(c, url, un);
    l->host = url_host(c, url, un);
    l->text = text;
    l->form = form;
    l->part = part;
    l->count = 1;
    l->shown_host = text ? shown_host(c, text) : NULL;
    l->mismatch = l->shown_host && *l->host && !same_site(l->shown_host, l->host);
}

static bool url_end_char(unsigned char ch)
{
    return ch <= ' ' || ch == '<' || ch == '>' || ch == '"' || ch == '\'' || ch == '`' ||
           ch == 0x7F;
}

/* Bare URLs in plain text: http://, https:// and www. at a word start. */
static void scan_plain(ctx_t *c, uint32_t part, const char *t, size_t n, size_t off)
{
    for (size_t i = 0; i < n; i++) {
        char ch = t[i];
        if (ch != 'h' && ch != 'H' && ch != 'w' && ch != 'W')
            continue;
        if (i > 0) {
            unsigned char pc = (unsigned char)t[i - 1];
            if ((pc >= 'a' && pc <= 'z') || (pc >= 'A' && pc <= 'Z') || (pc >= '0' && pc <= '9') ||
                pc == '/' || pc == '.' || pc == '@' || pc == '-')
                continue;
        }
        if (!ci_prefix(t + i, n - i, "http://") && !ci_prefix(t + i, n - i, "https://") &&
            !ci_prefix(t + i, n - i, "www."))
            continue;
        size_t e = i;
        while (e < n && !url_end_char((unsigned char)t[e]))
            e++;
        size_t u = e;
        while (u > i && strchr(".,;:!?)]}", t[u - 1]))
            u--;
        if (u - i > 8)
            add_link(c, part, t + i, u - i, NULL, false, off);
        i = e;
    }
}

/* Appends HTML text p[0..n) to out with tags removed, the common entities decoded and
   runs of blanks made one space. */
static void html_text(const char *p, size_t n, ww_buf_t *out, size_t cap, bool skip_anchors)
{
    bool space = false;
    for (size_t i = 0; i < n && out->n < cap; i++) {
        char ch = p[i];
        if (ch == '<') {
            /* Scripts and style sheets are not text anyone reads: skip to their end. */
            const char *close = ci_prefix(p + i, n - i, "<script")  ? "</script"
                                : ci_prefix(p + i, n - i, "<style") ? "</style"
                                : skip_anchors && (ci_prefix(p + i, n - i, "<a ") ||
                                                   ci_prefix(p + i, n - i, "<a\n") ||
                                                   ci_prefix(p + i, n - i, "<a>"))
                                    ? "</a"
                                    : NULL;
            size_t from = i;
            if (close) {
                size_t j = i + 1;
                while (j < n && !ci_prefix(p + j, n - j, close))
                    j++;
                if (j >= n)
                    break;
                from = j;
            }
            const char *gt = memchr(p + from, '>', n - from);
            if (!gt)
                break;
            /* A block's edge separates words; an inline tag (<b>, <span>) does not. */
            size_t t = i + 1 + (i + 1 < n && p[i + 1] == '/'), te = t;
            while (te < n && ((p[te] >= 'a' && p[te] <= 'z') || (p[te] >= 'A' && p[te] <= 'Z') ||
                              (p[te] >= '1' && p[te] <= '6')))
                te++;
            static const char *const blocks[] = {"p",  "br",    "div", "li", "tr", "td",
                                                 "th", "h1",    "h2",  "h3", "h4", "h5",
                                                 "h6", "table", "ul",  "ol", "hr", "blockquote"};
            for (size_t k = 0; k < WW_ARRAY_LEN(blocks); k++)
                if (te - t == strlen(blocks[k]) && !strncasecmp(p + t, blocks[k], te - t))
                    space = out->n > 0;
            i = (size_t)(gt - p);
            continue;
        }
        if (is_ws(ch)) {
            space = out->n > 0;
            continue;
        }
        if (space) {
            ww_buf_putc(out, ' ');
            space = false;
        }
        if (ch == '&') {
            static const struct {
                const char *e;
                const char *s;
            } ents[] = {{"&amp;", "&"},  {"&lt;", "<"},   {"&gt;", ">"},  {"&quot;", "\""},
                        {"&apos;", "'"}, {"&nbsp;", " "}, {"&#39;", "'"}, {"&#x2F;", "/"}};
            bool done = false;
            for (size_t k = 0; k < WW_ARRAY_LEN(ents) && !done; k++)
                if (ci_prefix(p + i, n - i, ents[k].e)) {
                    ww_buf_puts(out, ents[k].s);
                    i += strlen(ents[k].e) - 1;
                    done = true;
                }
            if (!done && i + 2 < n && p[i + 1] == '#') {
                size_t j = i + 2;
                uint32_t cp = 0;
                bool hex = j < n && (p[j] == 'x' || p[j] == 'X');
                j += hex;
                size_t ds = j;
                while (j < n && j - ds < 7 &&
                       (hex ? hexval((unsigned char)p[j]) >= 0 : (p[j] >= '0' && p[j] <= '9')))
                    cp = cp * (hex ? 16 : 10) + (uint32_t)hexval((unsigned char)p[j++]);
                if (j > ds && j < n && p[j] == ';' && cp > 0 && cp <= 0x10FFFF &&
                    !(cp >= 0xD800 && cp <= 0xDFFF)) {
                    char u8[4];
                    ww_buf_append(out, u8, ww_utf8_put(u8, cp));
                    i = j;
                    done = true;
                }
            }
            if (done)
                continue;
        }
        ww_buf_putc(out, ch);
    }
}

/* The value of attribute `name` in a tag's attributes a[0..n), entities decoded, into
   out; false when absent. */
static bool tag_attr(const char *a, size_t n, const char *name, ww_buf_t *out)
{
    size_t nl = strlen(name);
    size_t i = 0;
    while (i < n) {
        while (i < n && (is_ws(a[i]) || a[i] == '/'))
            i++;
        size_t s = i;
        while (i < n && !is_ws(a[i]) && a[i] != '=' && a[i] != '>' && a[i] != '/')
            i++;
        size_t e = i;
        while (i < n && is_ws(a[i]))
            i++;
        size_t vs = i, ve = i;
        if (i < n && a[i] == '=') {
            i++;
            while (i < n && is_ws(a[i]))
                i++;
            if (i < n && (a[i] == '"' || a[i] == '\'')) {
                char q = a[i++];
                vs = i;
                while (i < n && a[i] != q)
                    i++;
                ve = i;
                if (i < n)
                    i++;
            } else {
                vs = i;
                while (i < n && !is_ws(a[i]) && a[i] != '>')
                    i++;
                ve = i;
            }
        }
        if (e - s == nl && strncasecmp(a + s, name, nl) == 0) {
            html_text(a + vs, ve - vs, out, MAX_URL, false);
            return true;
        }
        if (e == s)
            i++; /* a stray byte: step over it */
    }
    return false;
}

/* Links in HTML: <a href> and <area href> with the text they show, <form action>. */
static void scan_html(ctx_t *c, uint32_t part, const char *t, size_t n, size_t off)
{
    ww_buf_t u, txt;
    ww_buf_init(&u, MAX_URL + 8);
    ww_buf_init(&txt, MAX_LINK_TEXT * 4);
    for (size_t i = 0; i + 2 < n; i++) {
        if (t[i] != '<')
            continue;
        size_t j = i + 1, ns = j;
        while (j < n && ((t[j] >= 'a' && t[j] <= 'z') || (t[j] >= 'A' && t[j] <= 'Z')))
            j++;
        size_t nl = j - ns;
        bool a = nl == 1 && (t[ns] == 'a' || t[ns] == 'A');
        bool area = nl == 4 && strncasecmp(t + ns, "area", 4) == 0;
        bool form = nl == 4 && strncasecmp(t + ns, "form", 4) == 0;
        if (!(a || area || form) || j >= n || !(is_ws(t[j]) || t[j] == '>'))
            continue;
        /* The tag ends at the first '>' outside quotes. */
        size_t k = j;
        char q = 0;
        while (k < n && (q || t[k] != '>')) {
            if (q && t[k] == q)
                q = 0;
            else if (!q && (t[k] == '"' || t[k] == '\''))
                q = t[k];
            k++;
        }
        if (k >= n)
            break;
        ww_buf_clear(&u);
        ww_buf_clear(&txt);
        if (!tag_attr(t + j, k - j, form ? "action" : "href", &u)) {
            i = k;
            continue;
        }
        const char *text = NULL;
        if (a) {
            /* The shown text: up to </a, not further than MAX_ANCHOR_SCAN. */
            size_t lim = n - (k + 1) < MAX_ANCHOR_SCAN ? n - (k + 1) : MAX_ANCHOR_SCAN;
            const char *s = t + k + 1;
            size_t e = 0;
            while (e + 2 < lim && !(s[e] == '<' && s[e + 1] == '/' && (s[e + 2] | 0x20) == 'a'))
                e++;
            if (e + 2 >= lim)
                e = lim;
            html_text(s, e, &txt, MAX_LINK_TEXT * 4 - 8, false);
            size_t tn = txt.n > MAX_LINK_TEXT ? MAX_LINK_TEXT : txt.n;
            /* Do not cut a UTF-8 sequence in two. */
            while (tn < txt.n && tn > 0 && ((unsigned char)txt.p[tn] & 0xC0) == 0x80)
                tn--;
            text = dup(c, txt.p ? txt.p : "", tn);
        }
        add_link(c, part, u.p ? u.p : "", u.n, text, form, off + i);
        i = k;
    }
    ww_buf_release(&u);
    ww_buf_release(&txt);
}

/* ---- the MIME tree ------------------------------------------------------------------ */

static void hash_hex(gnutls_digest_algorithm_t alg, const void *p, size_t n, char *hex, size_t len)
{
    uint8_t d[64];
    hex[0] = 0;
    if (gnutls_hash_fast(alg, p, n, d) != 0)
        return; /* MD5 refused in a FIPS setting: left empty */
    for (size_t i = 0; i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

static void add_attachment(ctx_t *c, uint32_t part, const char *data, size_t n, size_t off)
{
    ww_eml_t *m = c->m;
    if (m->nattachments >= c->lim.max_attachments) {
        if (!m->dropped_attachments++)
            problem(c, off, false, "more than %u attachments: the rest are not listed",
                    c->lim.max_attachments);
        return;
    }
    ww_eml_attachment_t *a = &m->attachments[m->nattachments++];
    const ww_eml_part_t *p = &m->parts[part];
    a->filename = p->filename;
    a->content_type = p->content_type;
    a->size = n;
    a->part = part;
    hash_hex(GNUTLS_DIG_SHA256, data, n, a->sha256, 32);
    hash_hex(GNUTLS_DIG_SHA1, data, n, a->sha1, 20);
    hash_hex(GNUTLS_DIG_MD5, data, n, a->md5, 16);
}

static void excerpt(ctx_t *c, const ww_eml_part_t *p, const char *data, size_t n, bool html)
{
    ww_buf_t u, t;
    ww_buf_init(&u, 0);
    ww_buf_init(&t, c->lim.max_excerpt);
    /* Enough of the part for the excerpt once markup is gone, not the whole part. */
    size_t take = n > (size_t)c->lim.max_excerpt * 8 ? (size_t)c->lim.max_excerpt * 8 : n;
    to_utf8(p->charset, data, take, &u);
    if (html)
        html_text(u.p ? u.p : "", u.n, &t, c->lim.max_excerpt, false);
    else
        put_cut(&t, u.p ? u.p : "", u.n);
    c->m->text = dup(c, t.p ? t.p : "", t.n);
    ww_buf_release(&u);
    ww_buf_release(&t);
    c->excerpt_done = true;
}

static void entity(ctx_t *c, size_t off, size_t end, uint32_t depth, bool top, bool digest_child);

static void leaf(ctx_t *c, uint32_t idx, size_t bs, size_t be, const char *type)
{
    ww_eml_part_t *p = &c->m->parts[idx];
    const char *enc = p->encoding;
    size_t rn = be - bs;
    char *data = NULL;
    size_t dn = 0, bad = 0;
    if (strcmp(enc, "base64") == 0 || strcmp(enc, "quoted-printable") == 0) {
        data = malloc(rn ? rn : 1);
        if (!data) {
            c->oom = true;
            return;
        }
        dn = enc[0] == 'b' ? b64_decode(c->base + bs, rn, data, &bad)
                           : qp_decode(c->base + bs, rn, data, false, &bad);
        if (bad)
            problem(c, bs, false, "%zu byte%s that %s encoding does not allow, skipped", bad,
                    bad == 1 ? "" : "s", enc);
    } else if (*enc && strcmp(enc, "7bit") != 0 && strcmp(enc, "8bit") != 0 &&
               strcmp(enc, "binary") != 0) {
        problem(c, bs, false,
                "unknown Content-Transfer-Encoding \"%.40s\": the part is read "
                "as it is",
                enc);
    }
    const char *d = data ? data : c->base + bs;
    if (!data)
        dn = rn;
    p->size = dn;
    bool text = strncmp(type, "text/", 5) == 0;
    bool html = strcmp(type, "text/html") == 0;
    if (!text || p->attachment || *p->filename)
        add_attachment(c, idx, d, dn, bs);
    if (text) {
        size_t scan = dn > c->lim.max_scan ? c->lim.max_scan : dn;
        if (html || strcmp(type, "text/x-amp-html") == 0) {
            scan_html(c, idx, d, scan, bs);
            /* Addresses written as text, outside any link, are links to a reader too. */
            ww_buf_t t;
            ww_buf_init(&t, c->lim.max_scan);
            html_text(d, scan, &t, c->lim.max_scan, true);
            scan_plain(c, idx, t.p ? t.p : "", t.n, bs);
            ww_buf_release(&t);
        } else
            scan_plain(c, idx, d, scan, bs);
        if (!p->attachment && !*p->filename && !c->excerpt_done &&
            (strcmp(type, "text/plain") == 0 || html))
            excerpt(c, p, d, dn, html);
    }
    free(data);
}

/* A multipart body [bs, be) with boundary bnd: each part between two delimiter lines. */
static void multipart(ctx_t *c, size_t bs, size_t be, const char *bnd, uint32_t depth, bool digest)
{
    const char *b = c->base;
    size_t bl = strlen(bnd);
    size_t i = bs, start = SIZE_MAX;
    bool closed = false, any = false;
    while (i < be) {
        size_t next, le = line_end(b, i, be, &next);
        if (le - i >= bl + 2 && b[i] == '-' && b[i + 1] == '-' && memcmp(b + i + 2, bnd, bl) == 0) {
            size_t r = i + 2 + bl;
            bool close = le - r >= 2 && b[r] == '-' && b[r + 1] == '-';
            if (close)
                r += 2;
            while (r < le && (b[r] == ' ' || b[r] == '\t'))
                r++;
            if (r == le) {
                if (start != SIZE_MAX) {
                    /* The line break before a delimiter belongs to the delimiter. */
                    size_t pe = i;
                    if (pe > start && b[pe - 1] == '\n')
                        pe--;
                    if (pe > start && b[pe - 1] == '\r')
                        pe--;
                    entity(c, start, pe, depth, false, digest);
                }
                any = true;
                start = next;
                if (close) {
                    closed = true;
                    break;
                }
            }
        }
        i = next;
    }
    if (!any) {
        problem(c, bs, false, "no part starts with the boundary \"%.70s\" of its multipart", bnd);
        return;
    }
    if (!closed) {
        if (start < be)
            entity(c, start, be, depth, false, digest);
        problem(c, be, false, "the multipart with boundary \"%.70s\" is never closed", bnd);
    }
}

static void entity(ctx_t *c, size_t off, size_t end, uint32_t depth, bool top, bool digest_child)
{
    ww_eml_t *m = c->m;
    if (c->oom)
        return;
    if (m->nparts >= c->lim.max_parts) {
        if (!m->dropped_parts++)
            problem(c, off, false, "more than %u MIME parts: the rest are not read",
                    c->lim.max_parts);
        return;
    }
    hdr_t local[MAX_PART_HEADERS];
    hdr_t *h = top ? m->headers : local;
    uint32_t nh = 0, dropped = 0;
    size_t bs = parse_headers(c, off, end, h, top ? c->lim.max_headers : MAX_PART_HEADERS, &nh,
                              &dropped, top);
    if (top) {
        m->nheaders = nh;
        m->dropped_headers = dropped;
        if (nh == 0)
            return;
        if (dropped)
            problem(c, off, false, "more than %u header fields: %u not kept", c->lim.max_headers,
                    dropped);
        top_fields(c);
    }
    uint32_t idx = m->nparts++;
    ww_eml_part_t *p = &m->parts[idx];
    p->depth = depth;
    p->line = line_of(c, off);
    const char *ct = hget(h, nh, "Content-Type");
    const char *type = ct ? main_token(c, ct) : (digest_child ? "message/rfc822" : "text/plain");
    if (!*type || !strchr(type, '/')) {
        if (ct)
            problem(c, off, false, "Content-Type \"%.60s\" is not type/subtype: read as text", ct);
        type = "text/plain";
    }
    p->content_type = type;
    p->charset = "";
    const char *cs = ct ? param(c, ct, "charset") : NULL;
    if (cs)
        p->charset = cs;
    const char *cte = hget(h, nh, "Content-Transfer-Encoding");
    p->encoding = cte ? main_token(c, cte) : "";
    const char *cd = hget(h, nh, "Content-Disposition");
    p->filename = "";
    if (cd) {
        p->attachment = strcmp(main_token(c, cd), "attachment") == 0;
        const char *fn = param(c, cd, "filename");
        if (fn)
            p->filename = fn;
    }
    if (!*p->filename && ct) {
        const char *nm = param(c, ct, "name");
        if (nm)
            p->filename = nm;
    }
    if (bs > end)
        bs = end;
    if (strncmp(type, "multipart/", 10) == 0) {
        const char *bnd = param(c, ct, "boundary");
        if (!bnd || !*bnd || strlen(bnd) > 200) {
            problem(c, off, false, "a multipart with no usable boundary: read as text");
            leaf(c, idx, bs, end, "text/plain");
            return;
        }
        if (depth + 1 > c->lim.max_depth) {
            problem(c, off, false, "parts nested deeper than %u: the inner parts are not read",
                    c->lim.max_depth);
            return;
        }
        multipart(c, bs, end, bnd, depth + 1, strcmp(type, "multipart/digest") == 0);
        return;
    }
    if (strcmp(type, "message/rfc822") == 0 && !*p->encoding /* identity only */) {
        /* An attached message (what "forward as attachment" makes): listed as an
           attachment and read for its own links and attachments. */
        if (!*p->filename)
            p->filename = "attached-message.eml";
        p->size = end - bs;
        add_attachment(c, idx, c->base + bs, end - bs, bs);
        if (depth + 1 > c->lim.max_depth) {
            problem(c, off, false, "messages nested deeper than %u: the inner one is not read",
                    c->lim.max_depth);
            return;
        }
        entity(c, bs, end, depth + 1, false, false);
        return;
    }
    leaf(c, idx, bs, end, type);
}

/* ---- the message --------------------------------------------------------------------- */

void ww_eml_free(ww_eml_t *m)
{
    if (!m)
        return;
    free(m->headers);
    free(m->received);
    free(m->parts);
    free(m->links);
    free(m->attachments);
    free(m->problems);
    ww_arena_release(&m->arena);
    free(m);
}

int ww_eml_parse(const void *data, size_t n, const ww_eml_limits_t *lim, ww_eml_t **out,
                 ww_diag_t *diag)
{
    ctx_t c = {.base = data, .n = n, .cur_line = 1};
    if (lim)
        c.lim = *lim;
    ww_eml_limits_default(&c.lim);
    int rc = WW_ENOMEM;
    ww_eml_t *m = calloc(1, sizeof *m);
    if (!m)
        goto out;
    ww_arena_init(&m->arena, 16u << 10, ARENA_CAP);
    c.m = m;
    m->headers = calloc(c.lim.max_headers, sizeof *m->headers);
    m->received = calloc(c.lim.max_received, sizeof *m->received);
    m->parts = calloc(c.lim.max_parts, sizeof *m->parts);
    m->links = calloc(c.lim.max_links, sizeof *m->links);
    m->attachments = calloc(c.lim.max_attachments, sizeof *m->attachments);
    m->problems = calloc(c.lim.max_problems, sizeof *m->problems);
    if (!m->headers || !m->received || !m->parts || !m->links || !m->attachments || !m->problems)
        goto out;
    m->subject = m->from = m->from_name = m->from_addr = m->from_domain = "";
    m->sender = m->to = m->cc = m->date = m->message_id = "";
    m->return_path = m->reply_to = m->reply_to_addr = m->reply_to_domain = "";
    m->auth_results = m->spf = m->dkim = m->dmarc = m->dkim_domain = "";
    m->text = "";
    if (n == 0 || !data) {
        ww_diag_set(diag, "", 1, 0, "the file is empty");
        rc = WW_EPARSE;
        goto out;
    }
    entity(&c, 0, n, 0, true, false);
    if (c.oom)
        goto out;
    if (m->nheaders == 0) {
        ww_diag_set(diag, "", 1, 1,
                    "no header field (\"Name: value\") at the start: this is not an email "
                    "message (.eml)");
        rc = WW_EPARSE;
        goto out;
    }
    if (!*m->from_addr && !ww_eml_header(m, "From"))
        problem(&c, 0, true, "the message has no From field");
    if (m->nproblems)
        ww_diag_set(diag, "", m->problems[0].line, 0, "%s", m->problems[0].msg);
    rc = (int)(m->nproblems + m->dropped_problems);
    *out = m;
    m = NULL;
out:
    ww_eml_free(m);
    return rc;
}

const char *ww_eml_header(const ww_eml_t *m, const char *name)
{
    return hget(m->headers, m->nheaders, name);
}

/* ---- the summary as JSON ---------------------------------------------------------------- */

static void jkv(ww_buf_t *b, const char *k, const char *v, bool comma)
{
    if (comma)
        ww_buf_putc(b, ',');
    ww_buf_json_str(b, k, strlen(k));
    ww_buf_putc(b, ':');
    if (v)
        ww_buf_json_str(b, v, strlen(v));
    else
        ww_buf_puts(b, "null");
}

int ww_eml_json(const ww_eml_t *m, ww_buf_t *b)
{
    ww_buf_putc(b, '{');
    jkv(b, "subject", m->subject, false);
    jkv(b, "from", m->from, true);
    jkv(b, "from_name", m->from_name, true);
    jkv(b, "from_address", m->from_addr, true);
    jkv(b, "from_domain", m->from_domain, true);
    jkv(b, "sender", m->sender, true);
    jkv(b, "to", m->to, true);
    jkv(b, "cc", m->cc, true);
    jkv(b, "date", m->date, true);
    jkv(b, "message_id", m->message_id, true);
    jkv(b, "return_path", m->return_path, true);
    jkv(b, "reply_to", m->reply_to, true);
    jkv(b, "reply_to_address", m->reply_to_addr, true);
    ww_buf_puts(b, ",\"received\":[");
    for (uint32_t i = 0; i < m->nreceived; i++) {
        const ww_eml_received_t *r = &m->received[i];
        ww_buf_puts(b, i ? ",{" : "{");
        jkv(b, "from", r->from, false);
        jkv(b, "by", r->by, true);
        jkv(b, "ip", r->ip, true);
        jkv(b, "text", r->text, true);
        ww_buf_printf(b, ",\"line\":%u}", r->line);
    }
    ww_buf_puts(b, "],\"auth\":{");
    jkv(b, "spf", m->spf, false);
    jkv(b, "dkim", m->dkim, true);
    jkv(b, "dmarc", m->dmarc, true);
    jkv(b, "dkim_domain", m->dkim_domain, true);
    jkv(b, "results", m->auth_results, true);
    ww_buf_printf(b, "},\"parts\":%u,\"links\":[", m->nparts);
    for (uint32_t i = 0; i < m->nlinks; i++) {
        const ww_eml_link_t *l = &m->links[i];
        ww_buf_puts(b, i ? ",{" : "{");
        jkv(b, "url", l->url, false);
        jkv(b, "host", l->host, true);
        jkv(b, "text", l->text, true);
        jkv(b, "shown_host", l->shown_host, true);
        ww_buf_printf(b, ",\"mismatch\":%s,\"form\":%s,\"count\":%u}",
                      l->mismatch ? "true" : "false", l->form ? "true" : "false", l->count);
    }
    ww_buf_puts(b, "],\"attachments\":[");
    for (uint32_t i = 0; i < m->nattachments; i++) {
        const ww_eml_attachment_t *a = &m->attachments[i];
        ww_buf_puts(b, i ? ",{" : "{");
        jkv(b, "name", a->filename, false);
        jkv(b, "type", a->content_type, true);
        ww_buf_printf(b, ",\"size\":%llu", (unsigned long long)a->size);
        jkv(b, "sha256", a->sha256, true);
        jkv(b, "sha1", a->sha1, true);
        jkv(b, "md5", a->md5, true);
        ww_buf_putc(b, '}');
    }
    ww_buf_puts(b, "],\"problems\":[");
    for (uint32_t i = 0; i < m->nproblems; i++) {
        ww_buf_printf(b, "%s{\"line\":%u,", i ? "," : "", m->problems[i].line);
        jkv(b, "message", m->problems[i].msg, false);
        ww_buf_putc(b, '}');
    }
    ww_buf_printf(b,
                  "],\"dropped\":{\"headers\":%u,\"parts\":%u,\"links\":%u,\"attachments\":%u,"
                  "\"problems\":%u,\"received\":%u}}",
                  m->dropped_headers, m->dropped_parts, m->dropped_links, m->dropped_attachments,
                  m->dropped_problems, m->dropped_received);
    return b->err;
}
