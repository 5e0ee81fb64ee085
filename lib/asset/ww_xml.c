/* A minimal XML tag scanner, enough for nmap -oX output: start, end and empty-element
 * tags with quoted attributes (entities decoded), nesting checked against a stack;
 * text, comments, processing instructions, DOCTYPE and CDATA are skipped.  It is not
 * a general XML parser (no namespaces, no DTD entities) and says so when it sees
 * something it cannot handle, with line and column. */
#include "asset/ww_asset_int.h"

#include <stdio.h>

void ww__xml_init(ww__xml_t *x, const char *data, size_t len, ww_arena_t *ar)
{
    memset(x, 0, sizeof *x);
    x->p = x->base = data;
    x->end = data + len;
    x->line = 1;
    x->line_start = data;
    x->arena = ar;
}

static void advance(ww__xml_t *x, const char *to)
{
    for (const char *q = x->p; q < to; q++)
        if (*q == '\n') {
            x->line++;
            x->line_start = q + 1;
        }
    x->p = to;
}

static int err(ww__xml_t *x, const char *at, const char *msg)
{
    advance(x, at);
    x->err_line = x->line;
    x->err_col = (uint32_t)(at - x->line_start) + 1;
    snprintf(x->err, sizeof x->err, "%s", msg);
    return WW_EPARSE;
}

/* Finds needle in [p, end); NULL if absent. */
static const char *find(const char *p, const char *end, const char *needle)
{
    size_t n = strlen(needle);
    while ((size_t)(end - p) >= n) {
        const char *q = memchr(p, needle[0], (size_t)(end - p) - n + 1);
        if (!q)
            return NULL;
        if (memcmp(q, needle, n) == 0)
            return q;
        p = q + 1;
    }
    return NULL;
}

static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.' || c == ':' || (unsigned char)c >= 0x80;
}

static bool space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Decodes an attribute value into the arena.  NULL with x->err on failure. */
static const char *decode(ww__xml_t *x, const char *p, const char *e)
{
    char *o = ww_arena_alloc(x->arena, (size_t)(e - p) + 1);
    if (!o) {
        err(x, p, "out of memory");
        return NULL;
    }
    size_t k = 0;
    while (p < e) {
        if (*p != '&') {
            o[k++] = *p++;
            continue;
        }
        const char *semi = memchr(p, ';', (size_t)(e - p));
        if (!semi || semi - p > 12) {
            err(x, p, "'&' that starts no entity in an attribute value");
            return NULL;
        }
        ww_str_t ent = {p + 1, (size_t)(semi - p - 1)};
        if (ww_str_eq(ent, WW_STR("lt")))
            o[k++] = '<';
        else if (ww_str_eq(ent, WW_STR("gt")))
            o[k++] = '>';
        else if (ww_str_eq(ent, WW_STR("amp")))
            o[k++] = '&';
        else if (ww_str_eq(ent, WW_STR("quot")))
            o[k++] = '"';
        else if (ww_str_eq(ent, WW_STR("apos")))
            o[k++] = '\'';
        else if (ent.n >= 2 && ent.p[0] == '#') {
            uint32_t cp = 0;
            bool hex = ent.p[1] == 'x' || ent.p[1] == 'X';
            size_t i = hex ? 2 : 1;
            if (i >= ent.n) {
                err(x, p, "empty character reference");
                return NULL;
            }
            for (; i < ent.n; i++) {
                char c = ent.p[i];
                int v = c >= '0' && c <= '9'          ? c - '0'
                        : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                      : -1;
                if (v < 0) {
                    err(x, p, "bad character reference");
                    return NULL;
                }
                cp = cp * (hex ? 16 : 10) + (uint32_t)v;
                if (cp > 0x10FFFF) {
                    err(x, p, "character reference out of range");
                    return NULL;
                }
            }
            if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) {
                err(x, p, "character reference to an invalid character");
                return NULL;
            }
            /* The reference text is at least 4 bytes ("&#N;"), the UTF-8 at most 4. */
            k += ww_utf8_put(o + k, cp);
        } else {
            err(x, p, "unknown entity in an attribute value");
            return NULL;
        }
        p = semi + 1;
    }
    o[k] = 0;
    return o;
}

int ww__xml_next(ww__xml_t *x, ww__xml_tag_t *t)
{
    for (;;) {
        const char *lt = memchr(x->p, '<', (size_t)(x->end - x->p));
        if (!lt) {
            if (x->depth > 0)
                return err(x, x->end, "file ends inside an element (truncated?)");
            advance(x, x->end);
            return 0;
        }
        advance(x, lt);
        const char *e = x->end;
        if (e - lt >= 4 && memcmp(lt, "<!--", 4) == 0) {
            const char *c = find(lt + 4, e, "-->");
            if (!c)
                return err(x, lt, "comment is never closed");
            advance(x, c + 3);
            continue;
        }
        if (e - lt >= 9 && memcmp(lt, "<![CDATA[", 9) == 0) {
            const char *c = find(lt + 9, e, "]]>");
            if (!c)
                return err(x, lt, "CDATA section is never closed");
            advance(x, c + 3);
            continue;
        }
        if (e - lt >= 2 && lt[1] == '?') {
            const char *c = find(lt + 2, e, "?>");
            if (!c)
                return err(x, lt, "processing instruction is never closed");
            advance(x, c + 2);
            continue;
        }
        if (e - lt >= 2 && lt[1] == '!') {
            /* DOCTYPE: skip to the matching '>' (nmap's has no internal subset). */
            const char *c = memchr(lt, '>', (size_t)(e - lt));
            if (!c)
                return err(x, lt, "declaration is never closed");
            if (memchr(lt, '[', (size_t)(c - lt)))
                return err(x, lt, "DOCTYPE with an internal subset is not supported");
            advance(x, c + 1);
            continue;
        }
        break;
    }
    const char *p = x->p + 1, *e = x->end;
    memset(t, 0, sizeof *t);
    t->line = x->line;
    t->col = (uint32_t)(x->p - x->line_start) + 1;
    if (p < e && *p == '/') {
        t->close = true;
        p++;
    }
    const char *ns = p;
    while (p < e && name_char(*p))
        p++;
    if (p == ns)
        return err(x, x->p, "expected an element name after '<'");
    t->name = (ww_str_t){ns, (size_t)(p - ns)};
    for (;;) {
        while (p < e && space(*p))
            p++;
        if (p >= e)
            return err(x, x->p, "tag is never closed (file truncated?)");
        if (*p == '>') {
            p++;
            break;
        }
        if (*p == '/' && !t->close) {
            if (p + 1 >= e || p[1] != '>')
                return err(x, p, "expected '>' after '/'");
            t->self_close = true;
            p += 2;
            break;
        }
        if (t->close)
            return err(x, p, "end tag has attributes");
        const char *an = p;
        while (p < e && name_char(*p))
            p++;
        if (p == an)
            return err(x, p, "expected an attribute name");
        ww_str_t aname = {an, (size_t)(p - an)};
        while (p < e && space(*p))
            p++;
        if (p >= e || *p != '=')
            return err(x, p, "expected '=' after an attribute name");
        p++;
        while (p < e && space(*p))
            p++;
        if (p >= e || (*p != '"' && *p != '\''))
            return err(x, p, "attribute value must be quoted");
        char q = *p++;
        const char *vs = p;
        const char *ve = memchr(p, q, (size_t)(e - p));
        if (!ve)
            return err(x, vs - 1, "attribute value is never closed");
        if (memchr(vs, '<', (size_t)(ve - vs)))
            return err(x, vs, "'<' inside an attribute value");
        const char *val = decode(x, vs, ve);
        if (!val)
            return WW_EPARSE;
        p = ve + 1;
        if (t->nattr == WW_XML_MAX_ATTRS)
            return err(x, an, "too many attributes on one element");
        t->attr[t->nattr++] = (ww__xml_attr_t){aname, val};
    }
    /* Nesting must match, or later hosts would be read in the wrong context. */
    if (t->close) {
        if (x->depth == 0 || !ww_str_eq(x->stack[x->depth - 1], t->name))
            return err(x, x->p, "end tag does not match the open element");
        x->depth--;
    } else if (!t->self_close) {
        if (x->depth == WW_XML_MAX_DEPTH)
            return err(x, x->p, "elements nested deeper than 64");
        x->stack[x->depth++] = t->name;
    }
    advance(x, p);
    return 1;
}

const char *ww__xml_attr(const ww__xml_tag_t *t, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < t->nattr; i++)
        if (t->attr[i].name.n == n && memcmp(t->attr[i].name.p, name, n) == 0)
            return t->attr[i].val;
    return NULL;
}
