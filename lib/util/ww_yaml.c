/* The YAML reader: libyaml events turned into a small tree whose nodes remember their
 * line and column, one document at a time, plus the YAML 1.1 scalar resolution pyyaml
 * applies (what pySigma sees).  See util/ww_yaml.h. */
#include <stdio.h>
#include <yaml.h>

#include "util/ww_yaml.h"

typedef struct anchor {
    char *name;
    ww_yn_t *node;
} anchor_t;

typedef struct builder {
    ww_arena_t *a;
    ww_yn_t *stack[WW_YAML_MAX_DEPTH];
    int depth;
    ww_yn_t *root;
    anchor_t *anchors;
    uint32_t nanchors, capanchors;
    uint32_t nodes; /* in this document, capped at WW_YAML_MAX_NODES */
} builder_t;

static int add_kid(ww_arena_t *a, ww_yn_t *p, ww_yn_t *k)
{
    if (p->nkids == p->cap) {
        uint32_t nc = p->cap ? p->cap * 2 : 8;
        ww_yn_t **nk = ww_arena_alloc(a, nc * sizeof(*nk));
        if (!nk)
            return WW_ENOMEM;
        if (p->nkids)
            memcpy(nk, p->kids, p->nkids * sizeof(*nk));
        p->kids = nk;
        p->cap = nc;
    }
    p->kids[p->nkids++] = k;
    return 0;
}

static int remember_anchor(builder_t *b, const yaml_char_t *name, ww_yn_t *n)
{
    if (!name)
        return 0;
    if (b->nanchors == b->capanchors) {
        uint32_t nc = b->capanchors ? b->capanchors * 2 : 8;
        anchor_t *na = ww_arena_alloc(b->a, nc * sizeof(*na));
        if (!na)
            return WW_ENOMEM;
        if (b->nanchors)
            memcpy(na, b->anchors, b->nanchors * sizeof(*na));
        b->anchors = na;
        b->capanchors = nc;
    }
    char *nm = ww_arena_strdup(b->a, (const char *)name);
    if (!nm)
        return WW_ENOMEM;
    b->anchors[b->nanchors].name = nm;
    b->anchors[b->nanchors].node = n;
    b->nanchors++;
    return 0;
}

/* Attaches a finished node to the open collection (or makes it the root). */
static int attach(builder_t *b, ww_yn_t *n)
{
    if (b->depth == 0) {
        if (!b->root)
            b->root = n;
        return 0;
    }
    return add_kid(b->a, b->stack[b->depth - 1], n);
}

static ww_yn_t *new_node(builder_t *b, int type, const yaml_event_t *ev)
{
    if (++b->nodes > WW_YAML_MAX_NODES)
        return NULL;
    ww_yn_t *n = ww_arena_calloc(b->a, sizeof(*n));
    if (!n)
        return NULL;
    n->type = (uint8_t)type;
    n->line = (uint32_t)ev->start_mark.line + 1;
    n->col = (uint32_t)ev->start_mark.column + 1;
    return n;
}

int ww_yaml_parse(ww_arena_t *scratch, const char *buf, size_t len, unsigned flags, ww_yn_doc_fn fn,
                  void *ud, ww_diag_t *diag)
{
    yaml_parser_t p;
    yaml_event_t ev;
    builder_t b;
    int rc = 0;
    uint32_t docs = 0;
    uint32_t docline = 1;

    memset(&b, 0, sizeof(b));
    b.a = scratch;
    if (!yaml_parser_initialize(&p))
        return WW_ENOMEM;
    yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
    for (;;) {
        if (!yaml_parser_parse(&p, &ev)) {
            ww_diag_set(diag, NULL, (uint32_t)p.problem_mark.line + 1,
                        (uint32_t)p.problem_mark.column + 1, "YAML syntax error: %s%s%s",
                        p.problem ? p.problem : "invalid YAML", p.context ? " " : "",
                        p.context ? p.context : "");
            rc = WW_EPARSE;
            goto out;
        }
        int t = ev.type;
        ww_yn_t *n = NULL;
        switch (t) {
        case YAML_DOCUMENT_START_EVENT:
            if ((flags & WW_YAML_ONE_DOC) && docs > 0) {
                ww_diag_set(diag, NULL, (uint32_t)ev.start_mark.line + 1,
                            (uint32_t)ev.start_mark.column + 1,
                            "one YAML document expected, found another");
                rc = WW_EPARSE;
                break;
            }
            docs++;
            if (!(flags & WW_YAML_ONE_DOC))
                ww_arena_reset(scratch);
            memset(&b, 0, sizeof(b));
            b.a = scratch;
            docline = (uint32_t)ev.start_mark.line + 1;
            break;
        case YAML_DOCUMENT_END_EVENT:
            if (b.root && !(b.root->type == WW_YN_SCALAR && b.root->plain && b.root->n == 0))
                fn(ud, b.root, b.root->line ? b.root->line : docline);
            b.root = NULL;
            break;
        case YAML_SCALAR_EVENT:
            n = new_node(&b, WW_YN_SCALAR, &ev);
            if (!n) {
                rc = WW_ENOMEM;
                break;
            }
            n->s = ww_arena_strndup(scratch, (const char *)ev.data.scalar.value,
                                    ev.data.scalar.length);
            if (!n->s) {
                rc = WW_ENOMEM;
                break;
            }
            n->n = ev.data.scalar.length;
            n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
            n->tagged = ev.data.scalar.tag != NULL && !ev.data.scalar.plain_implicit;
            if (ev.data.scalar.tag && strcmp((const char *)ev.data.scalar.tag, "!") != 0)
                n->tagged = true;
            if ((rc = remember_anchor(&b, ev.data.scalar.anchor, n)) < 0 ||
                (rc = attach(&b, n)) < 0)
                break;
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (b.depth >= WW_YAML_MAX_DEPTH) {
                ww_diag_set(diag, NULL, (uint32_t)ev.start_mark.line + 1,
                            (uint32_t)ev.start_mark.column + 1,
                            "YAML nesting deeper than %d levels", WW_YAML_MAX_DEPTH);
                rc = WW_ELIMIT;
                break;
            }
            n = new_node(&b, t == YAML_SEQUENCE_START_EVENT ? WW_YN_SEQ : WW_YN_MAP, &ev);
            if (!n) {
                rc = WW_ENOMEM;
                break;
            }
            if ((rc = remember_anchor(&b,
                                      t == YAML_SEQUENCE_START_EVENT ? ev.data.sequence_start.anchor
                                                                     : ev.data.mapping_start.anchor,
                                      n)) < 0 ||
                (rc = attach(&b, n)) < 0)
                break;
            b.stack[b.depth++] = n;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (b.depth > 0)
                b.depth--;
            break;
        case YAML_ALIAS_EVENT: {
            ww_yn_t *target = NULL;
            if (flags & WW_YAML_NO_ALIASES) {
                ww_diag_set(diag, NULL, (uint32_t)ev.start_mark.line + 1,
                            (uint32_t)ev.start_mark.column + 1,
                            "YAML aliases (*%s) are not allowed here",
                            (const char *)ev.data.alias.anchor);
                rc = WW_EPARSE;
                break;
            }
            for (uint32_t i = b.nanchors; i-- > 0;)
                if (strcmp(b.anchors[i].name, (const char *)ev.data.alias.anchor) == 0) {
                    target = b.anchors[i].node;
                    break;
                }
            if (!target) {
                ww_diag_set(diag, NULL, (uint32_t)ev.start_mark.line + 1,
                            (uint32_t)ev.start_mark.column + 1, "unknown YAML alias *%s",
                            (const char *)ev.data.alias.anchor);
                rc = WW_EPARSE;
                break;
            }
            /* Aliases share the anchored node: the tree is read-only. */
            rc = attach(&b, target);
            break;
        }
        default: break;
        }
        yaml_event_delete(&ev);
        if (rc < 0) {
            if (rc == WW_ENOMEM && b.nodes > WW_YAML_MAX_NODES) {
                ww_diag_set(diag, NULL, 0, 0, "document has more than %d YAML nodes",
                            WW_YAML_MAX_NODES);
                rc = WW_ELIMIT;
            } else if (rc == WW_ENOMEM && diag) {
                ww_diag_set(diag, NULL, 0, 0, "out of memory (document too large)");
            }
            goto out;
        }
        if (t == YAML_STREAM_END_EVENT)
            break;
    }
out:
    yaml_parser_delete(&p);
    return rc;
}

ww_yn_t *ww_yn_get(const ww_yn_t *n, const char *key)
{
    if (!n || n->type != WW_YN_MAP)
        return NULL;
    size_t kl = strlen(key);
    for (uint32_t i = 0; i + 1 < n->nkids; i += 2) {
        const ww_yn_t *k = n->kids[i];
        if (k->type == WW_YN_SCALAR && k->n == kl && memcmp(k->s, key, kl) == 0)
            return n->kids[i + 1];
    }
    return NULL;
}

static bool is_one_of(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

static bool all_in(const char *s, size_t n, const char *set)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!strchr(set, s[i]) || s[i] == 0)
            return false;
    return true;
}

/* The integer and float forms pyyaml's resolver accepts (YAML 1.1), minus the
 * sexagesimal ones nobody writes in a rule. */
int ww_yn_resolve(const ww_yn_t *n, double *num, bool *b)
{
    static const char *const nulls[] = {"~", "null", "Null", "NULL", NULL};
    static const char *const trues[] = {"yes",  "Yes", "YES", "true", "True",
                                        "TRUE", "on",  "On",  "ON",   NULL};
    static const char *const falses[] = {"no",    "No",  "NO",  "false", "False",
                                         "FALSE", "off", "Off", "OFF",   NULL};
    if (!n || n->type != WW_YN_SCALAR)
        return WW_YS_STR;
    if (!n->plain || n->tagged)
        return WW_YS_STR;
    const char *s = n->s;
    size_t len = n->n;
    if (len == 0 || is_one_of(s, nulls))
        return WW_YS_NULL;
    if (is_one_of(s, trues)) {
        *b = true;
        return WW_YS_BOOL;
    }
    if (is_one_of(s, falses)) {
        *b = false;
        return WW_YS_BOOL;
    }
    if (len > 64 || strlen(s) != len)
        return WW_YS_STR;
    char tmp[72];
    size_t k = 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] != '_')
            tmp[k++] = s[i];
    tmp[k] = 0;
    const char *d = tmp;
    bool neg = false;
    if (*d == '-' || *d == '+') {
        neg = *d == '-';
        d++;
    }
    size_t dl = strlen(d);
    if (dl > 2 && d[0] == '0' && (d[1] == 'x' || d[1] == 'b') && s[0] != '_') {
        const char *set = d[1] == 'x' ? "0123456789abcdefABCDEF" : "01";
        if (all_in(d + 2, dl - 2, set)) {
            unsigned long long v = strtoull(d + 2, NULL, d[1] == 'x' ? 16 : 2);
            *num = neg ? -(double)v : (double)v;
            return WW_YS_INT;
        }
        return WW_YS_STR;
    }
    if (all_in(d, dl, "0123456789") && s[0] != '_') {
        double v;
        if (dl > 1 && d[0] == '0') {
            /* pyyaml: 0[0-7]+ is octal; 08 or 09x match no int form and stay text. */
            if (!all_in(d, dl, "01234567"))
                return WW_YS_STR;
            v = (double)strtoull(d, NULL, 8);
        } else if (ww_parse_double(d, dl, &v) < 0) {
            return WW_YS_STR;
        }
        *num = neg ? -v : v;
        return WW_YS_INT;
    }
    /* [0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)? or \.[0-9_]+(...)? */
    {
        size_t i = 0;
        size_t ip = 0, fp = 0;
        while (i < dl && d[i] >= '0' && d[i] <= '9')
            i++, ip++;
        if (i < dl && d[i] == '.') {
            i++;
            while (i < dl && d[i] >= '0' && d[i] <= '9')
                i++, fp++;
            if ((ip > 0 || fp > 0) && i < dl && (d[i] == 'e' || d[i] == 'E')) {
                if (i + 2 <= dl && (d[i + 1] == '-' || d[i + 1] == '+') && i + 2 < dl &&
                    all_in(d + i + 2, dl - i - 2, "0123456789"))
                    i = dl;
                else
                    return WW_YS_STR;
            }
            if (i == dl && (ip > 0 || fp > 0)) {
                double v;
                if (ww_parse_double(d, dl, &v) < 0) {
                    /* "1." style: parse the integer part. */
                    if (ip == 0 || ww_parse_double(d, ip, &v) < 0)
                        return WW_YS_STR;
                }
                *num = neg ? -v : v;
                return WW_YS_FLOAT;
            }
        }
    }
    return WW_YS_STR;
}
