/* Private to the JSON decoder: the token array the tokenizer (ww_json.c) fills and
 * the field-name profiles (ww_json_profile.c) walk. */
#ifndef WW_JSON_INT_H
#define WW_JSON_INT_H

#include "event/ww_reader_int.h"

#define WW_JSON_MAX_DEPTH 64                  /* nested objects/arrays per record */
#define WW_JSON_MAX_RECORD ((size_t)64 << 20) /* bytes per record */
#define WW_JSON_MAX_TOKENS (1u << 21)         /* values per record */

enum ww_jtype {
    WW_JT_OBJ = 1,
    WW_JT_ARR,
    WW_JT_STR,
    WW_JT_INT,
    WW_JT_FLOAT,
    WW_JT_TRUE,
    WW_JT_FALSE,
    WW_JT_NULL,
};

/* One value.  An object's members follow it as key, value, key, value...; `next` is
 * the index just past a value's whole subtree, so siblings are reached without
 * walking children. */
typedef struct ww_jtok {
    const char *p;  /* string: the bytes between the quotes; others: the first byte */
    uint32_t n;     /* length of that text (containers: the whole value) */
    uint32_t next;  /* index of the token after this subtree */
    uint32_t count; /* objects: members; arrays: elements */
    uint8_t type;   /* enum ww_jtype */
    uint8_t esc;    /* string contains backslash escapes */
} ww_jtok_t;

typedef struct ww_json {
    const char *base, *end, *pos;
    ww_jtok_t *tok;
    uint32_t ntok, tcap;
    int state;  /* top level / inside the top-level array */
    int indent; /* indentation of the first record; -1 mid-line; -2 unknown */
    bool jsonl; /* the first record fit on one line */
    const char *rec_start;
    const char *err_at; /* first error of the current record */
    const char *err_msg;
    int err_code;
    /* lazy line counting for diagnostics */
    const char *line_pos, *line_start;
    uint32_t line_no;
    const char *src_name; /* the reader's name: a Zeek log's file name says its path */
    /* The reader being decoded (NULL for a buffer parsed on its own): where its
       released pages' newlines were counted, for line numbers. */
    const struct ww_reader *reader;
} ww_json_t;

/* Tokenizes one value at p into js->tok (token 0 is the value).  0, or -1 with
 * js->err_at/err_msg/err_code set. */
int ww__json_parse(ww_json_t *js, const char *p);
/* The text of a string token: a slice of the input, or unescaped into ev->arena. */
int ww__json_str(ww_event_t *ev, const ww_jtok_t *t, ww_str_t *out);
/* ww__json_str inlined for the common case, a string without escapes (a slice of the
 * input); the profiles call it for every key and value. */
static inline int ww__json_text(ww_event_t *ev, const ww_jtok_t *t, ww_str_t *out)
{
    if (!t->esc) {
        *out = (ww_str_t){t->p, t->n};
        return 0;
    }
    return ww__json_str(ev, t, out);
}
/* Picks the profile for the record in js->tok and fills ev.  0 or WW_E*. */
int ww__json_profile(ww_json_t *js, ww_event_t *ev);

/* ---- shared with the cloud profiles (ww_json_cloud.c) ---- */

/* The value index of member `key` of object token `obj`, or 0 when absent (obj 0 is
 * the root; pass a previous result to chain lookups: 0 stays 0 except for the root). */
uint32_t ww__json_member(const ww_json_t *js, uint32_t obj, const char *key);
/* Adds every scalar leaf under value i by its dotted path below `prefix` (no prefix
 * when prefix is empty); array elements repeat the name.  0 or WW_E*. */
int ww__json_flat(ww_json_t *js, ww_event_t *ev, uint32_t i, ww_str_t prefix);
/* Adds one scalar token as field `name` (containers are ignored).  0 or WW_E*. */
int ww__json_emit(ww_event_t *ev, ww_str_t name, const ww_jtok_t *t);

/* Record shapes of the cloud profile, chosen from root keys by ww__json_profile. */
enum ww_cloud_shape {
    WW_CLOUD_ENTRA_DIAG = 1, /* Azure Monitor export: {time, category, properties{...}} */
    WW_CLOUD_GRAPH_SIGNIN,   /* Graph signIns: {createdDateTime, userPrincipalName, ...} */
    WW_CLOUD_GRAPH_AUDIT,    /* Graph directoryAudits: {activityDisplayName, ...} */
    WW_CLOUD_GRAPH_RISK,     /* Graph riskDetections: {riskEventType, detectedDateTime} */
    WW_CLOUD_M365,           /* Microsoft 365 unified audit log record */
    WW_CLOUD_ENTRA_LA,       /* Log Analytics / Sentinel table row: {TimeGenerated, Category} */
};
/* Fills ev for a cloud record of that shape: native dotted paths plus the normalised
 * fields; sets product/service/category.  0 or WW_E*. */
int ww__json_cloud(ww_json_t *js, ww_event_t *ev, int shape);

#endif
