/* A small YAML reader for the network map: libyaml events turned into a tree of
 * scalars, sequences and mappings that remember their line, so every rejection of a map
 * can say where.  Aliases are refused (a map has no use for them and they would let a
 * small file expand into a huge tree); depth and node count are capped. */
#include <yaml.h>

#include "firebreak/ww_fb_int.h"

#define FB_YAML_MAX_DEPTH 16
#define FB_YAML_MAX_NODES 200000

static int add_kid(ww_arena_t *a, ww_fb_yn_t *p, ww_fb_yn_t *k)
{
    if (p->nkids == p->cap) {
        uint32_t nc = p->cap ? p->cap * 2 : 8;
        ww_fb_yn_t **nk = ww_arena_alloc(a, nc * sizeof(*nk));
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

int ww__fb_yaml_parse(ww_arena_t *a, const char *buf, size_t len, const char *file,
                      ww_fb_yn_t **out, ww_diag_t *diag)
{
    yaml_parser_t p;
    yaml_event_t ev;
    ww_fb_yn_t *stack[FB_YAML_MAX_DEPTH];
    int depth = 0, rc = 0, docs = 0;
    uint32_t nodes = 0;
    ww_fb_yn_t *root = NULL;

    if (!yaml_parser_initialize(&p))
        return WW_ENOMEM;
    yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
    for (;;) {
        if (!yaml_parser_parse(&p, &ev)) {
            ww_diag_set(diag, file, (uint32_t)p.problem_mark.line + 1,
                        (uint32_t)p.problem_mark.column + 1, "YAML syntax error: %s%s%s",
                        p.problem ? p.problem : "invalid YAML", p.context ? " " : "",
                        p.context ? p.context : "");
            rc = WW_EPARSE;
            goto out;
        }
        int t = ev.type;
        uint32_t line = (uint32_t)ev.start_mark.line + 1, col = (uint32_t)ev.start_mark.column + 1;
        ww_fb_yn_t *n = NULL;
        switch (t) {
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1) {
                ww_diag_set(diag, file, line, col, "a map is one YAML document, found another");
                rc = WW_EPARSE;
            }
            break;
        case YAML_ALIAS_EVENT:
            ww_diag_set(diag, file, line, col, "YAML aliases are not allowed in a map");
            rc = WW_EPARSE;
            break;
        case YAML_SCALAR_EVENT:
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (++nodes > FB_YAML_MAX_NODES) {
                ww_diag_set(diag, file, line, col, "map has more than %d YAML nodes",
                            FB_YAML_MAX_NODES);
                rc = WW_ELIMIT;
                break;
            }
            n = ww_arena_calloc(a, sizeof(*n));
            if (!n) {
                rc = WW_ENOMEM;
                break;
            }
            n->line = line;
            n->col = col;
            if (t == YAML_SCALAR_EVENT) {
                n->type = WW_FB_YN_SCALAR;
                n->s =
                    ww_arena_strndup(a, (const char *)ev.data.scalar.value, ev.data.scalar.length);
                if (!n->s) {
                    rc = WW_ENOMEM;
                    break;
                }
                n->n = ev.data.scalar.length;
                n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
            } else {
                n->type = t == YAML_SEQUENCE_START_EVENT ? WW_FB_YN_SEQ : WW_FB_YN_MAP;
            }
            if (depth == 0) {
                if (!root)
                    root = n;
            } else if ((rc = add_kid(a, stack[depth - 1], n)) < 0) {
                break;
            }
            if (t != YAML_SCALAR_EVENT) {
                if (depth >= FB_YAML_MAX_DEPTH) {
                    ww_diag_set(diag, file, line, col, "YAML nested deeper than %d levels",
                                FB_YAML_MAX_DEPTH);
                    rc = WW_ELIMIT;
                    break;
                }
                stack[depth++] = n;
            }
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (depth > 0)
                depth--;
            break;
        default: break;
        }
        yaml_event_delete(&ev);
        if (rc < 0) {
            if (rc == WW_ENOMEM)
                ww_diag_set(diag, file, 0, 0, "out of memory");
            goto out;
        }
        if (t == YAML_STREAM_END_EVENT)
            break;
    }
    if (!root) {
        ww_diag_set(diag, file, 1, 0, "the map is empty");
        rc = WW_EPARSE;
        goto out;
    }
    *out = root;
out:
    yaml_parser_delete(&p);
    return rc;
}
