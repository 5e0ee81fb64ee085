/* Private plumbing shared by the Sigma loader's files: the ruleset's real layout, the
 * small YAML tree the loader walks (every node keeps its line and column), and the
 * per-document load context that carries the first error found. */
#ifndef WW_SIGMA_INT_H
#define WW_SIGMA_INT_H

#include "sigma/ww_sigma.h"
#include "util/ww_yaml.h"

/* Limits on what one rule may expand to; each guards a resource an input controls. */
#define WW_SIGMA_MAX_DEPTH 64    /* YAML nesting */
#define WW_SIGMA_MAX_ALTS 4096   /* alternatives of one value (windash, expand) */
#define WW_SIGMA_MAX_ITEMS 20000 /* items in one rule */
#define WW_SIGMA_RULE_ARENA_CAP (64u << 20)
#define WW_SIGMA_SCRATCH_CAP (256u << 20)
#define WW_SIGMA_MAX_COND_NODES 100000 /* condition tree nodes after expansion */

/* ---- YAML tree ------------------------------------------------------------------ */

/* The YAML tree (ww_yn_t) and reader are in util/ww_yaml.h. */

/* ---- ruleset -------------------------------------------------------------------- */

typedef struct ww_sigma_placeholder {
    char *name;
    char **vals;
    uint32_t nvals;
} ww_sigma_placeholder_t;

typedef struct ww_sigma_filter {
    ww_arena_t arena;
    char *file, *title, *id;
    uint32_t line;
    ww_sigma_logsource_t logsource;
    char **rule_refs; /* empty = any */
    uint32_t nrules;
    ww_sigma_node_t *cond;
    bool any;
    /* A suppression (loaded by ww_sigma_load_suppressions): rules may also be named by
       title, and `info` (description, expiry, what it could not apply to) is kept. */
    bool suppress;
    uint32_t supp_index; /* into the ruleset's suppressions */
    char *description, *expires;
    ww_sigma_suppression_t info;
} ww_sigma_filter_t;

struct ww_sigma_ruleset {
    ww_sigma_rule_t **rules;
    uint32_t nrules, caprules;
    ww_sigma_error_t *errors;
    uint32_t nerrors, caperrors;
    ww_sigma_filter_t **filters;
    uint32_t nfilters, capfilters;
    ww_arena_t arena; /* placeholders */
    ww_sigma_placeholder_t *ph;
    uint32_t nph, capph;
    ww_arena_t scratch; /* YAML trees, reset per document */
    uint32_t nfiles, ndocs;
    bool finished;
    bool loading_suppress;    /* documents being loaded are suppressions */
    ww_sigma_filter_t **supp; /* the suppressions among filters, in load order */
    uint32_t nsupp, capsupp;
    char today[11]; /* YYYY-MM-DD for expiry; "" = the date at finish */
    /* A shard of ww_sigma_load_files: parses one file on a worker thread, borrowing
       the placeholders of the ruleset it is merged into; it logs nothing (the merge
       logs its errors, in file order). */
    bool shard;
};

/* ---- per-document context ------------------------------------------------------- */

typedef struct ww_sigma_ctx {
    ww_sigma_ruleset_t *rs;
    ww_arena_t *a; /* the arena the result is built in */
    const char *file;
    bool failed;
    uint32_t line, col;
    char msg[256];
    uint32_t nitems; /* items built so far in this rule */
    /* The placeholder whose values are being expanded (set by the value code while a
       value with `expand` is built, "" otherwise), and the one that was at the first
       failure: ww_sigma_error_t.placeholder. */
    char cur_ph[64], fail_ph[64];
} ww_sigma_ctx_t;

/* Records the first failure (later ones are ignored) and returns WW_EPARSE. */
int ww__sigma_fail(ww_sigma_ctx_t *c, const ww_yn_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int ww__sigma_fail_at(ww_sigma_ctx_t *c, uint32_t line, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void ww__sigma_add_error(ww_sigma_ruleset_t *rs, const char *file, uint32_t line, uint32_t col,
                         const char *title, const char *msg);
/* The same for a rule that failed while a placeholder was expanded (ph may be ""). */
void ww__sigma_add_error_ph(ww_sigma_ruleset_t *rs, const char *file, uint32_t line, uint32_t col,
                            const char *title, const char *msg, const char *ph);

/* Builds the item for `key: value` of a search identifier (key NULL: a keyword list
 * entry, value is the list or scalar). */
int ww__sigma_item(ww_sigma_ctx_t *c, const ww_yn_t *key, const ww_yn_t *val,
                   ww_sigma_item_t **out);
/* Parses s[0..n) with Sigma's escape rules into glob parts in arena a.  With
 * `expand`, `\%` is a literal percent sign too. */
int ww__sigma_glob(ww_arena_t *a, const char *s, size_t n, ww_glob_part_t **parts,
                   uint32_t *nparts);

/* Builds the condition tree for a detection map (the `condition` key inside it). */
int ww__sigma_detection(ww_sigma_ctx_t *c, const ww_yn_t *det, ww_sigma_node_t **out);
/* Parses one condition string against the already-built identifiers. */
typedef struct ww_sigma_ident {
    const char *name;
    ww_sigma_node_t *node;
} ww_sigma_ident_t;
int ww__sigma_cond_parse(ww_sigma_ctx_t *c, const ww_yn_t *at, const char *s, size_t n,
                         const ww_sigma_ident_t *ids, uint32_t nids, ww_sigma_node_t **out);

/* Every ITEM leaf of a tree, deduplicated, into rule->items. */
int ww__sigma_collect_items(ww_arena_t *a, ww_sigma_node_t *root, ww_sigma_item_t ***items,
                            uint32_t *nitems);
ww_sigma_node_t *ww__sigma_node(ww_arena_t *a, int op, uint32_t nkids);

/* Metadata shared by rules, correlations and filters. */
int ww__sigma_logsource(ww_sigma_ctx_t *c, const ww_yn_t *ls, ww_sigma_logsource_t *out);
int ww__sigma_strlist(ww_sigma_ctx_t *c, const ww_yn_t *n, const char *what, char ***out,
                      uint32_t *nout);
char *ww__sigma_dupstr(ww_sigma_ctx_t *c, const ww_yn_t *n);

int ww__sigma_corr_parse(ww_sigma_ctx_t *c, const ww_yn_t *corr, const ww_yn_t *root,
                         ww_sigma_corr_t **out);
int ww__sigma_corr_finish(ww_sigma_ruleset_t *rs);
int ww__sigma_filter_parse(ww_sigma_ctx_t *c, const ww_yn_t *root, ww_sigma_filter_t *f);
int ww__sigma_filter_apply(ww_sigma_ruleset_t *rs);
void ww__sigma_rule_free(ww_sigma_rule_t *r);
/* Appends a rule to the ruleset, which then owns it.  0 or WW_ENOMEM. */
int ww__sigma_push_rule(ww_sigma_ruleset_t *rs, ww_sigma_rule_t *r);
/* Removes rule i from the ruleset (freeing it). */
void ww__sigma_remove(ww_sigma_ruleset_t *rs, uint32_t i);
bool ww__sigma_rule_is(const ww_sigma_rule_t *r, const char *ref);

#endif
