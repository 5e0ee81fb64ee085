/* STIX 2.1 bundles: indicator objects whose pattern is one or more simple equality
 * comparisons joined by OR ("[ipv4-addr:value = '198.51.100.7'] OR [domain-name:value
 * = 'evil.example']"), their TLP from object_marking_refs (the well-known TLP 1.0 and
 * 2.0 marking definitions, or marking-definition objects in the bundle), their source
 * from created_by_ref's identity.  Whatever cannot be evaluated (AND, FOLLOWEDBY,
 * qualifiers, other operators or object paths) is reported with the indicator's index,
 * id and name; the OR'ed comparisons that can be are kept, since any one of them
 * matching satisfies the pattern. */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "intel/ww_intel_int.h"

static const struct {
    const char *id;
    int tlp;
} known_tlp[] = {
    /* TLP 1.0, defined in STIX 2.1 itself */
    {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", WW_TLP_CLEAR},
    {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", WW_TLP_GREEN},
    {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", WW_TLP_AMBER},
    {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", WW_TLP_RED},
    /* TLP 2.0 (the OASIS extension) */
    {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", WW_TLP_CLEAR},
    {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", WW_TLP_GREEN},
    {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", WW_TLP_AMBER},
    {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", WW_TLP_AMBER_STRICT},
    {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", WW_TLP_RED},
};

typedef struct mark {
    const char *id;
    int tlp;
} mark_t;

typedef struct ctx {
    const char *name;
    ww_json_t js;
    ww_arena_t ar;
    mark_t *marks;
    size_t nmarks;
    struct ident {
        const char *id, *name;
    } * idents;
    size_t nidents;
} ctx_t;

static int tlp_of_ref(const ctx_t *c, const char *ref)
{
    for (size_t i = 0; i < WW_ARRAY_LEN(known_tlp); i++)
        if (!strcmp(ref, known_tlp[i].id))
            return known_tlp[i].tlp;
    for (size_t i = 0; i < c->nmarks; i++)
        if (!strcmp(ref, c->marks[i].id))
            return c->marks[i].tlp;
    return -1;
}

/* ---- patterns ---- */

typedef struct term {
    int type;
    const char *v; /* unescaped, in the context's arena */
    size_t n;
} term_t;

typedef struct pat {
    const char *p, *e;
    term_t *t;
    size_t nt;
    char why[200];   /* set when the whole pattern is unusable */
    char other[200]; /* the first OR'ed comparison left out, and why */
    size_t nother;
} pat_t;

static void ws(pat_t *x)
{
    while (x->p < x->e && (*x->p == ' ' || *x->p == '\t' || *x->p == '\r' || *x->p == '\n'))
        x->p++;
}

static bool word(pat_t *x, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(x->e - x->p) < n || strncasecmp(x->p, w, n))
        return false;
    if (x->p + n < x->e && ((x->p[n] | 32) >= 'a' && (x->p[n] | 32) <= 'z'))
        return false;
    x->p += n;
    return true;
}

static int path_type(const char *p, size_t n)
{
    char b[64];
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < sizeof b; i++)
        if (p[i] != '\'' && p[i] != '"')
            b[o++] = (char)ww_lower((unsigned char)p[i]);
    b[o] = 0;
    static const struct {
        const char *path;
        int type;
    } paths[] = {
        {"ipv4-addr:value", WW_IND_IPV4},
        {"ipv6-addr:value", WW_IND_IPV6},
        {"domain-name:value", WW_IND_DOMAIN},
        {"url:value", WW_IND_URL},
        {"email-addr:value", WW_IND_EMAIL},
        {"email-message:from_ref.value", WW_IND_EMAIL},
        {"email-message:sender_ref.value", WW_IND_EMAIL},
        {"file:hashes.md5", WW_IND_MD5},
        {"file:hashes.sha-1", WW_IND_SHA1},
        {"file:hashes.sha1", WW_IND_SHA1},
        {"file:hashes.sha-256", WW_IND_SHA256},
        {"file:hashes.sha256", WW_IND_SHA256},
    };
    for (size_t i = 0; i < WW_ARRAY_LEN(paths); i++)
        if (!strcmp(b, paths[i].path))
            return paths[i].type;
    return 0;
}

/* One comparison: path op value.  1 kept, 0 left out (x->other says why), -1 the
 * pattern cannot be read (x->why). */
static int comparison(pat_t *x, ww_arena_t *ar)
{
    ws(x);
    const char *ps = x->p;
    bool neg = false;
    while (x->p < x->e && !strchr(" \t\r\n=!<>]", *x->p)) {
        if (*x->p == '\'') { /* a quoted path component: hashes.'SHA-256' */
            x->p++;
            while (x->p < x->e && *x->p != '\'')
                x->p++;
        }
        if (x->p < x->e)
            x->p++;
    }
    size_t pn = (size_t)(x->p - ps);
    if (!pn) {
        snprintf(x->why, sizeof x->why, "pattern: expected an object path");
        return -1;
    }
    ws(x);
    if (word(x, "NOT")) {
        neg = true;
        ws(x);
    }
    const char *os = x->p;
    while (x->p < x->e && strchr("=!<>", *x->p))
        x->p++;
    if (x->p == os)
        while (x->p < x->e && (*x->p | 32) >= 'a' && (*x->p | 32) <= 'z')
            x->p++;
    size_t on = (size_t)(x->p - os);
    ws(x);
    /* The value: a quoted string, or something else we only skip over. */
    const char *vs = x->p;
    char *v = NULL;
    size_t vn = 0;
    bool quoted = x->p < x->e && *x->p == '\'';
    if (quoted) {
        v = ww_arena_alloc(ar, (size_t)(x->e - x->p) + 1);
        if (!v) {
            snprintf(x->why, sizeof x->why, "out of memory");
            return -1;
        }
        x->p++;
        while (x->p < x->e && *x->p != '\'') {
            if (*x->p == '\\' && x->p + 1 < x->e)
                x->p++;
            v[vn++] = *x->p++;
        }
        if (x->p >= x->e) {
            snprintf(x->why, sizeof x->why, "pattern: unterminated string");
            return -1;
        }
        x->p++;
    } else {
        int depth = 0;
        while (x->p < x->e && (depth || (*x->p != ']' && !(*x->p == ' ' && x->p > vs)))) {
            if (*x->p == '(')
                depth++;
            else if (*x->p == ')')
                depth--;
            else if (*x->p == '\'') {
                x->p++;
                while (x->p < x->e && *x->p != '\'')
                    x->p += *x->p == '\\' ? 2 : 1;
            }
            if (x->p < x->e)
                x->p++;
        }
    }
    int type = path_type(ps, pn);
    const char *why = NULL;
    if (!type)
        why = "object path not supported";
    else if (neg || on != 1 || *os != '=')
        why = "only '=' comparisons are supported";
    else if (!quoted)
        why = "value is not a string";
    if (why) {
        if (!x->nother++)
            snprintf(x->other, sizeof x->other, "comparison '%.*s %.*s%s' left out: %s",
                     (int)(pn > 60 ? 60 : pn), ps, (int)(on > 10 ? 10 : on), os,
                     neg ? " (NOT)" : "", why);
        return 0;
    }
    if (x->nt >= WW_INTEL_MAX_TERMS) {
        snprintf(x->why, sizeof x->why, "pattern has more than %u comparisons", WW_INTEL_MAX_TERMS);
        return -1;
    }
    x->t[x->nt++] = (term_t){type, v, vn};
    return 1;
}

/* pattern := obs (OR obs)*;  obs := '[' cmp (OR cmp)* ']' | '(' pattern ')'.  Anything
 * with AND, FOLLOWEDBY or a qualifier cannot be evaluated one value at a time. */
static int observations(pat_t *x, ww_arena_t *ar, int depth)
{
    if (depth > 32) {
        snprintf(x->why, sizeof x->why, "pattern nested too deeply");
        return -1;
    }
    for (;;) {
        ws(x);
        if (x->p < x->e && *x->p == '(') {
            x->p++;
            if (observations(x, ar, depth + 1) < 0)
                return -1;
            ws(x);
            if (x->p >= x->e || *x->p != ')') {
                snprintf(x->why, sizeof x->why, "pattern: expected ')'");
                return -1;
            }
            x->p++;
        } else if (x->p < x->e && *x->p == '[') {
            x->p++;
            for (;;) {
                if (comparison(x, ar) < 0)
                    return -1;
                ws(x);
                if (x->p < x->e && *x->p == ']') {
                    x->p++;
                    break;
                }
                if (word(x, "OR"))
                    continue;
                if (word(x, "AND")) {
                    snprintf(x->why, sizeof x->why,
                             "pattern joins comparisons with AND: not evaluated (only OR is)");
                    return -1;
                }
                snprintf(x->why, sizeof x->why, "pattern: expected ']', OR or AND");
                return -1;
            }
        } else {
            snprintf(x->why, sizeof x->why, "pattern: expected '[' or '('");
            return -1;
        }
        ws(x);
        if (x->p >= x->e || *x->p == ')')
            return 0;
        if (word(x, "OR"))
            continue;
        static const char *const unsup[] = {"AND", "FOLLOWEDBY", "WITHIN", "REPEATS", "START"};
        for (size_t i = 0; i < WW_ARRAY_LEN(unsup); i++)
            if (word(x, unsup[i])) {
                snprintf(x->why, sizeof x->why,
                         "pattern uses %s: not evaluated (only OR of comparisons is)", unsup[i]);
                return -1;
            }
        snprintf(x->why, sizeof x->why, "pattern: unexpected text after ']'");
        return -1;
    }
}

/* ---- objects ---- */

static const char *mstr(ctx_t *c, uint32_t obj, const char *key)
{
    return ww__intel_str(&c->js, &c->ar, ww__intel_member(&c->js, obj, key));
}

static int64_t mint(ctx_t *c, uint32_t obj, const char *key, int64_t dflt)
{
    uint32_t v = ww__intel_member(&c->js, obj, key);
    int64_t x;
    if (!v || c->js.tok[v].type != WW_JT_INT ||
        ww_parse_i64(c->js.tok[v].p, c->js.tok[v].n, &x) != 0)
        return dflt;
    return x;
}

/* The marking definitions and identities of the bundle, first. */
static int collect(ctx_t *c, uint32_t objs)
{
    const ww_jtok_t *t = c->js.tok;
    size_t cnt = t[objs].count;
    c->marks = ww_arena_calloc(&c->ar, (cnt + 1) * sizeof *c->marks);
    c->idents = ww_arena_calloc(&c->ar, (cnt + 1) * sizeof *c->idents);
    if (!c->marks || !c->idents)
        return WW_ENOMEM;
    uint32_t o = objs + 1;
    for (size_t i = 0; i < cnt; i++, o = t[o].next) {
        const char *type = mstr(c, o, "type"), *id = mstr(c, o, "id");
        if (!type || !id)
            continue;
        if (!strcmp(type, "identity")) {
            const char *nm = mstr(c, o, "name");
            c->idents[c->nidents++] = (struct ident){id, nm ? nm : id};
        } else if (!strcmp(type, "marking-definition")) {
            int tlp = -1;
            uint32_t def = ww__intel_member(&c->js, o, "definition");
            const char *dt = mstr(c, o, "definition_type");
            const char *v = def ? mstr(c, def, "tlp") : NULL;
            if (dt && !strcmp(dt, "tlp") && v)
                tlp = ww_tlp_parse(v, strlen(v));
            const char *nm = mstr(c, o, "name");
            if (tlp < 0 && nm && !strncasecmp(nm, "TLP:", 4))
                tlp = ww_tlp_parse(nm, strlen(nm));
            if (tlp >= 0)
                c->marks[c->nmarks++] = (mark_t){id, tlp};
        }
    }
    return 0;
}

static int indicator(ctx_t *c, uint32_t o, size_t index, const ww_intel_opts_t *opt,
                     ww_intel_set_t *set)
{
    const char *id = mstr(c, o, "id"), *nm = mstr(c, o, "name");
    char where[300];
    snprintf(where, sizeof where, "%s: objects[%zu] %.80s%s%.80s%s", c->name, index,
             id ? id : "(no id)", nm ? " (" : "", nm ? nm : "", nm ? ")" : "");
    if (!id || strncmp(id, "indicator--", 11)) {
        ww__intel_skip(set, where, "indicator without a valid \"id\"");
        return 0;
    }
    uint32_t rv = ww__intel_member(&c->js, o, "revoked");
    if (rv && c->js.tok[rv].type == WW_JT_TRUE) {
        ww__intel_skip(set, where, "revoked");
        return 0;
    }
    const char *pt = mstr(c, o, "pattern_type");
    if (pt && strcmp(pt, "stix")) {
        ww__intel_skip(set, where, "pattern_type \"%.40s\" not supported (only stix)", pt);
        return 0;
    }
    uint32_t pv = ww__intel_member(&c->js, o, "pattern");
    const char *pattern = ww__intel_str(&c->js, &c->ar, pv);
    if (!pattern) {
        ww__intel_skip(set, where, "no \"pattern\" string");
        return 0;
    }
    size_t plen = strlen(pattern);
    if (plen > WW_INTEL_MAX_PATTERN) {
        ww__intel_skip(set, where, "pattern longer than %u bytes", WW_INTEL_MAX_PATTERN);
        return 0;
    }
    pat_t x = {.p = pattern, .e = pattern + plen};
    x.t = ww_arena_alloc(&c->ar, WW_INTEL_MAX_TERMS * sizeof *x.t);
    if (!x.t)
        return WW_ENOMEM;
    if (observations(&x, &c->ar, 0) < 0 || (x.p < x.e && (ws(&x), x.p < x.e))) {
        if (!x.why[0])
            snprintf(x.why, sizeof x.why, "pattern: unbalanced ')'");
        ww__intel_skip(set, where, "%s", x.why);
        return 0;
    }
    if (x.nother)
        ww__intel_skip(set, where, "%s%s", x.other, x.nother > 1 ? " (and more)" : "");
    if (!x.nt)
        return 0;
    ww_indicator_t ind = {0};
    ind.id = ww__intel_text(set, id);
    ind.name = ww__intel_text(set, nm);
    const char *src = opt->source;
    const char *by = mstr(c, o, "created_by_ref");
    for (size_t i = 0; !src && by && i < c->nidents; i++)
        if (!strcmp(c->idents[i].id, by))
            src = c->idents[i].name;
    ind.source = ww__intel_text(set, src ? src : by ? by : c->name);
    ind.tlp = -1;
    uint32_t refs = ww__intel_member(&c->js, o, "object_marking_refs");
    if (refs && c->js.tok[refs].type == WW_JT_ARR) {
        uint32_t r = refs + 1;
        for (uint32_t i = 0; i < c->js.tok[refs].count; i++, r = c->js.tok[r].next) {
            const char *ref = ww__intel_str(&c->js, &c->ar, r);
            int tl = ref ? tlp_of_ref(c, ref) : -1;
            if (tl > ind.tlp) /* the most restrictive of several */
                ind.tlp = tl;
        }
    }
    if (opt->tlp >= 0 && opt->tlp > ind.tlp)
        ind.tlp = opt->tlp; /* --tlp can only restrict further */
    if (ind.tlp < 0)
        ind.tlp = WW_TLP_DEFAULT;
    int64_t conf = mint(c, o, "confidence", -1);
    ind.confidence = conf >= 0 && conf <= 100 ? (int)conf : -1;
    ind.valid_from = ww__intel_time(mstr(c, o, "valid_from"));
    ind.valid_until = opt->valid_until != WW_TIME_NONE ? opt->valid_until
                                                       : ww__intel_time(mstr(c, o, "valid_until"));
    if (!ind.id || !ind.name || !ind.source)
        return WW_ENOMEM;
    for (size_t i = 0; i < x.nt; i++) {
        ind.type = x.t[i].type;
        int rc = ww__intel_add(set, &ind, x.t[i].v, x.t[i].n, where);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int ww_intel_parse_stix(const char *name, const char *data, size_t len, const ww_intel_opts_t *o,
                        ww_intel_set_t *set, ww_diag_t *diag)
{
    ctx_t c = {.name = name};
    ww_arena_init(&c.ar, 64 * 1024, 0);
    size_t n0 = set->n, s0 = set->nskip;
    uint64_t k0 = set->skipped;
    int rc = ww__intel_json(name, data, len, &c.js, diag);
    if (rc)
        goto out;
    const ww_jtok_t *t = c.js.tok;
    uint32_t objs = 0;
    const char *type = mstr(&c, 0, "type");
    if (t[0].type != WW_JT_OBJ || !type) {
        ww_diag_set(diag, name, 1, 1, "not a STIX bundle: expected an object with \"type\"");
        rc = WW_EPARSE;
        goto out;
    }
    if (!strcmp(type, "bundle")) {
        objs = ww__intel_member(&c.js, 0, "objects");
        if (!objs || t[objs].type != WW_JT_ARR) {
            uint32_t line, col;
            ww__intel_pos(data, t[objs ? objs : 0].p, &line, &col);
            ww_diag_set(diag, name, line, col, "STIX bundle without an \"objects\" array");
            rc = WW_EPARSE;
            goto out;
        }
        if ((rc = collect(&c, objs)) != 0)
            goto out;
        uint32_t e = objs + 1;
        for (size_t i = 0; i < t[objs].count; i++, e = t[e].next) {
            if (t[e].type != WW_JT_OBJ) {
                char where[300];
                snprintf(where, sizeof where, "%s: objects[%zu]", name, i);
                ww__intel_skip(set, where, "not an object");
                continue;
            }
            const char *ot = mstr(&c, e, "type");
            if (ot && !strcmp(ot, "indicator") && (rc = indicator(&c, e, i, o, set)) != 0)
                goto out;
        }
    } else if (!strcmp(type, "indicator")) {
        if ((rc = indicator(&c, 0, 0, o, set)) != 0)
            goto out;
    } else {
        ww_diag_set(diag, name, 1, 1, "not a STIX bundle or indicator (\"type\": \"%.40s\")", type);
        rc = WW_EPARSE;
    }
out:
    if (rc == WW_ELIMIT && !diag->msg[0])
        ww_diag_set(diag, name, 0, 0, "more than %u indicators", WW_INTEL_MAX_INDICATORS);
    if (rc == WW_ENOMEM && !diag->msg[0])
        ww_diag_set(diag, name, 0, 0, "out of memory");
    if (rc)
        ww__intel_truncate(set, n0, s0, k0);
    free(c.js.tok);
    ww_arena_release(&c.ar);
    return rc;
}
