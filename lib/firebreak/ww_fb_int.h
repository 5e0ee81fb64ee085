/* Private to lib/firebreak: the YAML tree the map parser walks. */
#ifndef WW_FB_INT_H
#define WW_FB_INT_H

#include "firebreak/ww_firebreak.h"

enum { WW_FB_YN_SCALAR = 1, WW_FB_YN_SEQ, WW_FB_YN_MAP };

/* A YAML node; a mapping's kids alternate key, value.  Lives in the parse arena. */
typedef struct ww_fb_yn {
    uint8_t type;
    bool plain; /* an unquoted scalar */
    uint32_t line, col;
    char *s; /* scalar text, NUL-terminated */
    size_t n;
    struct ww_fb_yn **kids;
    uint32_t nkids, cap;
} ww_fb_yn_t;

/* Parses one YAML document into a tree in `a`.  0 and *out, or WW_EPARSE/WW_ELIMIT/
 * WW_ENOMEM with diag (file, line, column, reason). */
int ww__fb_yaml_parse(ww_arena_t *a, const char *buf, size_t len, const char *file,
                      ww_fb_yn_t **out, ww_diag_t *diag);

#endif
