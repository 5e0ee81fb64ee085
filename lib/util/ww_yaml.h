/* A small YAML reader shared by everything that reads YAML (Sigma rules, rule test
 * manifests, placeholders, the fire-break network map): libyaml events turned into a
 * tree whose nodes remember their line and column, one document at a time, plus the
 * YAML 1.1 scalar resolution pyyaml applies (so `4688` is a number, `yes` a bool and
 * `'4688'` a string). */
#ifndef WW_YAML_H
#define WW_YAML_H

#include "util/ww_util.h"

#define WW_YAML_MAX_DEPTH 64      /* nesting */
#define WW_YAML_MAX_NODES 1000000 /* nodes per document */

enum { WW_YN_SCALAR, WW_YN_SEQ, WW_YN_MAP };

typedef struct ww_yn {
    uint8_t type;
    bool plain;  /* scalar written without quotes or block style */
    bool tagged; /* scalar carries an explicit tag: never resolved as number/bool */
    uint32_t line, col;
    char *s; /* scalar text, NUL-terminated (may contain NULs from escapes) */
    size_t n;
    struct ww_yn **kids; /* SEQ: items; MAP: key0, val0, key1, val1, ... */
    uint32_t nkids;
    uint32_t cap;
} ww_yn_t;

/* What a plain scalar means under YAML 1.1 (pyyaml) resolution. */
enum { WW_YS_STR, WW_YS_INT, WW_YS_FLOAT, WW_YS_BOOL, WW_YS_NULL };
int ww_yn_resolve(const ww_yn_t *n, double *num, bool *b);
/* Map lookup by key; NULL when absent or n is not a map. */
ww_yn_t *ww_yn_get(const ww_yn_t *n, const char *key);

static inline bool ww_yn_is_str(const ww_yn_t *n)
{
    return n && n->type == WW_YN_SCALAR;
}

enum {
    WW_YAML_ONE_DOC = 1,    /* a second document is an error; the arena is not reset, so
                               the tree outlives the call */
    WW_YAML_NO_ALIASES = 2, /* `*alias` is an error */
};

/* Parses buf document by document; calls fn(ud, root, doc_line) for each non-empty
 * document.  Nodes are allocated in `arena`, which is reset at the start of each
 * document unless WW_YAML_ONE_DOC.  On a YAML syntax error or a limit fills diag
 * (line, column, reason; diag->file is left empty for the caller) and returns WW_EPARSE
 * or WW_ELIMIT (documents already handed to fn stay handed). */
typedef void (*ww_yn_doc_fn)(void *ud, ww_yn_t *root, uint32_t line);
int ww_yaml_parse(ww_arena_t *arena, const char *buf, size_t len, unsigned flags, ww_yn_doc_fn fn,
                  void *ud, ww_diag_t *diag);

#endif
