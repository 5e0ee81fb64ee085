/* Sigma rules as data: the loader (YAML -> this AST) and the normalised rule form the
 * detection engine compiles.  All Sigma semantics that do not depend on an event are
 * resolved here, at load time: escapes and wildcards, every value modifier (contains,
 * windash, base64offset, wide, expand, ...), the `all`/`neq` linking, placeholders,
 * the condition grammar (`1 of sel*`, `them`, precedence), filters (merged into the
 * rules they apply to) and correlation references.  What remains for the engine is a
 * boolean tree whose leaves are items: "field F, values V1..Vn (ORed or ANDed), each
 * value a set of alternative matchers (ORed)".
 *
 * Memory: each rule owns an arena holding everything it points to; the ruleset owns
 * its rules.  Nothing here is modified after ww_sigma_finish(). */
#ifndef WW_SIGMA_H
#define WW_SIGMA_H

#include "util/ww_util.h"

enum ww_level {
    WW_LEVEL_INFORMATIONAL = 0,
    WW_LEVEL_LOW = 1,
    WW_LEVEL_MEDIUM = 2,
    WW_LEVEL_HIGH = 3,
    WW_LEVEL_CRITICAL = 4,
};
const char *ww_level_name(int level);
/* Parses a level name; returns the level or -1. */
int ww_level_parse(const char *name);

enum ww_cmp { WW_CMP_EQ, WW_CMP_NEQ, WW_CMP_GT, WW_CMP_GTE, WW_CMP_LT, WW_CMP_LTE };

/* ---- values ---------------------------------------------------------------------- */

/* A string pattern after Sigma's escape rules: literal runs and wildcards. */
enum ww_glob_kind { WW_GLOB_LIT, WW_GLOB_STAR /* `*` */, WW_GLOB_ONE /* `?` */ };
typedef struct ww_glob_part {
    uint8_t kind;
    uint32_t n; /* WW_GLOB_LIT: length of lit (may contain NUL bytes, e.g. `wide`) */
    char *lit;
} ww_glob_part_t;

enum ww_match_kind {
    WW_MATCH_STR,      /* the whole value matches the glob; ASCII case-insensitive
                          unless `cased` */
    WW_MATCH_RE,       /* PCRE2 pattern, unanchored search */
    WW_MATCH_CIDR,     /* value is an IP address inside the network */
    WW_MATCH_NUM,      /* numeric compare `cmp` against `num`; for WW_CMP_EQ a string
                          value equal to `numtext` also matches ("4688" vs 4688) */
    WW_MATCH_BOOL,     /* value is boolean `b` (or the string "true"/"false") */
    WW_MATCH_NULL,     /* field absent or null */
    WW_MATCH_EXISTS,   /* field present (any value, null included) == `b` */
    WW_MATCH_FIELDREF, /* value compared with another field of the same event */
    WW_MATCH_TIME,     /* a part of a date value compared numerically */
};

enum { WW_RE_ICASE = 1, WW_RE_MULTILINE = 2, WW_RE_DOTALL = 4 };
enum { WW_REF_EQ, WW_REF_STARTS, WW_REF_ENDS, WW_REF_CONTAINS };
enum { WW_TP_MINUTE, WW_TP_HOUR, WW_TP_DAY, WW_TP_WEEK, WW_TP_MONTH, WW_TP_YEAR };

typedef struct ww_sigma_match {
    uint8_t kind; /* enum ww_match_kind */
    bool cased;   /* WW_MATCH_STR, WW_MATCH_FIELDREF: case-sensitive */
    /* WW_MATCH_STR */
    ww_glob_part_t *parts;
    uint32_t nparts;
    /* WW_MATCH_RE: NUL-terminated pattern, WW_RE_* flags */
    char *re;
    uint32_t re_flags;
    /* WW_MATCH_CIDR: family 4 or 6, network address (host bits zero), prefix length */
    uint8_t cidr_family, cidr_prefix;
    uint8_t cidr_addr[16];
    /* WW_MATCH_NUM, WW_MATCH_TIME */
    uint8_t cmp; /* enum ww_cmp */
    double num;
    char *numtext; /* canonical text of num as written in the rule */
    /* WW_MATCH_BOOL, WW_MATCH_EXISTS */
    bool b;
    /* WW_MATCH_FIELDREF */
    char *ref;
    uint8_t ref_mode; /* WW_REF_* */
    /* WW_MATCH_TIME */
    uint8_t timepart; /* WW_TP_* */
} ww_sigma_match_t;

/* One value of an item after modifiers: alternatives, ORed (windash and base64offset
 * variants, placeholder values, or just one matcher). */
typedef struct ww_sigma_value {
    ww_sigma_match_t *alts;
    uint32_t nalts;
} ww_sigma_value_t;

/* A leaf of the detection: `field|modifiers: values`. */
typedef struct ww_sigma_item {
    char *field; /* NULL: a keyword, searched in every string value (or the raw
                    line of a text event) */
    bool all;    /* values ANDed (`all` modifier); otherwise ORed */
    bool negate; /* `neq`: the item is NOT(values) (absent field matches) */
    ww_sigma_value_t *vals;
    uint32_t nvals;
    uint32_t line, col; /* where it was written */
} ww_sigma_item_t;

/* ---- conditions ------------------------------------------------------------------ */

enum ww_node_op { WW_NODE_AND, WW_NODE_OR, WW_NODE_NOT, WW_NODE_ITEM };

/* The rule's whole condition with identifiers replaced by their definitions.  AND/OR
 * have nkids >= 1, NOT exactly 1, ITEM none. */
typedef struct ww_sigma_node {
    uint8_t op;
    uint32_t nkids;
    struct ww_sigma_node **kids;
    ww_sigma_item_t *item; /* WW_NODE_ITEM */
} ww_sigma_node_t;

/* ---- rules ----------------------------------------------------------------------- */

typedef struct ww_sigma_logsource {
    char *category, *product, *service, *definition; /* NULL when absent; lowercase */
} ww_sigma_logsource_t;

enum ww_corr_type {
    WW_CORR_EVENT_COUNT,
    WW_CORR_VALUE_COUNT,
    WW_CORR_TEMPORAL,
    WW_CORR_TEMPORAL_ORDERED,
    WW_CORR_VALUE_SUM,
    WW_CORR_VALUE_AVG,
    WW_CORR_VALUE_PERCENTILE,
};
const char *ww_corr_type_name(int type);

struct ww_sigma_rule;

/* `aliases: {alias: {rule: field, ...}}`: the group-by name `alias` reads `field` from
 * events of `rule`. */
typedef struct ww_sigma_alias_map {
    char *rule_ref;             /* as written */
    struct ww_sigma_rule *rule; /* resolved by ww_sigma_finish() */
    char *field;
} ww_sigma_alias_map_t;
typedef struct ww_sigma_alias {
    char *name;
    ww_sigma_alias_map_t *maps;
    uint32_t nmaps;
} ww_sigma_alias_t;

typedef struct ww_sigma_corr {
    uint8_t type;                 /* enum ww_corr_type */
    char **rule_refs;             /* ids or names, as written */
    struct ww_sigma_rule **rules; /* resolved by ww_sigma_finish(), same order */
    uint32_t nrules;
    char **group_by;
    uint32_t ngroup;
    int64_t timespan_ns;
    struct {
        uint8_t op; /* enum ww_cmp */
        double value;
    } cond[3];         /* ANDed (a range is two entries) */
    uint32_t ncond;    /* 0 for temporal: means "all rules seen" */
    char *field;       /* value_count, value_sum/avg/percentile */
    double percentile; /* value_percentile: `percentile:` key, or -1 */
    ww_sigma_alias_t *aliases;
    uint32_t naliases;
    bool generate;
} ww_sigma_corr_t;

typedef struct ww_sigma_rule {
    ww_arena_t arena; /* owns every pointer below */
    char *file;       /* where it was loaded from */
    uint32_t line;    /* first line of its YAML document */
    char *title, *id, *name, *status, *description, *author, *date, *modified;
    int level; /* enum ww_level; WW_LEVEL_MEDIUM when absent */
    char **tags;
    uint32_t ntags;
    char **falsepositives;
    uint32_t nfalsepositives;
    char **references;
    uint32_t nreferences;
    ww_sigma_logsource_t logsource;
    ww_sigma_node_t *cond;   /* detection rules; NULL for correlations */
    ww_sigma_item_t **items; /* every item in cond, for iteration */
    uint32_t nitems;
    ww_sigma_corr_t *corr; /* correlation rules; NULL otherwise */
    bool alert;            /* raise alerts of its own (false for a rule used
                              only by correlations with generate: false) */
    uint32_t index;        /* position in the ruleset */
    /* `fields:`: what an analyst should look at in a matching event, as written (at
       most WW_SIGMA_MAX_FIELDS; the rest are left out). */
    char **fields;
    uint32_t nfields;
    /* A suppression's shadow (see ww_sigma_load_suppressions): matches the events that
       rule `shadow_of` would have alerted on but suppression `suppression` removed.
       It never alerts (alert is false), has no id or name, and is not fed to
       correlations.  NULL for every other rule. */
    const struct ww_sigma_rule *shadow_of;
    uint32_t suppression;
} ww_sigma_rule_t;

#define WW_SIGMA_MAX_FIELDS 32

/* A rule that could not be used, and why. */
typedef struct ww_sigma_error {
    char file[256];
    uint32_t line, col;
    char title[128]; /* the rule's title or id when known */
    char msg[256];
    /* When the rule cannot be used because of a placeholder (it has no values, too
       many, or a value the modifier cannot use, e.g. not a network for `cidr`): the
       placeholder's name without the percent signs; else "".  The rule waits for a
       site value rather than being broken. */
    char placeholder[64];
} ww_sigma_error_t;

typedef struct ww_sigma_ruleset ww_sigma_ruleset_t;

ww_sigma_ruleset_t *ww_sigma_ruleset_new(void);
void ww_sigma_ruleset_free(ww_sigma_ruleset_t *rs);

/* Placeholder values for the `expand` modifier, from a YAML file mapping names to
 * value lists (`placeholders: {Administrators: [admin, root]}` or a bare mapping).
 * Load before rules that use them.  0 or WW_E* with diag. */
int ww_sigma_placeholders_load(ww_sigma_ruleset_t *rs, const char *path, ww_diag_t *diag);
int ww_sigma_placeholder_set(ww_sigma_ruleset_t *rs, const char *name, const char *const *values,
                             size_t n);

/* Loads every .yml/.yaml file under path (file or directory, recursive).  Rules that
 * cannot be used are recorded as errors and do not stop the others.  Returns the
 * number of rules accepted, or WW_E* if path cannot be read at all. */
int ww_sigma_load_path(ww_sigma_ruleset_t *rs, const char *path);
/* Loads the files paths[0..n) on up to `threads` threads (at most
 * WW_SIGMA_LOAD_MAX_THREADS; 0 or 1: on the caller's alone): each file is read and
 * parsed on its own, then everything is merged into rs on the caller's thread in the
 * order given, so the ruleset (rules and their indexes, filters, errors, counts) is
 * exactly what ww_sigma_load_path on each path in turn would leave.  A path that is
 * not a regular file is loaded as ww_sigma_load_path does, in its place.  rcs (may be
 * NULL) receives what ww_sigma_load_path would have returned for each path.  Returns
 * the number of rules accepted, or WW_ENOMEM when a merge ran out of memory (the rules
 * merged before it stay loaded).  Placeholders must be loaded before (they are read
 * by all threads); nothing else may use rs meanwhile. */
#define WW_SIGMA_LOAD_MAX_THREADS 64
int ww_sigma_load_files(ww_sigma_ruleset_t *rs, const char *const *paths, size_t n,
                        unsigned threads, int *rcs);
/* Loads one YAML file's content (possibly several `---` documents). */
int ww_sigma_load_buffer(ww_sigma_ruleset_t *rs, const char *name, const char *buf, size_t len);
/* After all loads: applies filters, resolves correlation references and aliases, sets
 * rule->alert, rejects correlations with unknown references.  Returns 0. */
int ww_sigma_finish(ww_sigma_ruleset_t *rs);

/* ---- suppressions ----------------------------------------------------------------
 * A suppression file holds Sigma filter documents (`filter:` with `rules:` naming rule
 * ids, names or titles, search identifiers and a `condition` that is true for the
 * events to keep, e.g. `not selection`), each with an optional `description` (the
 * reason) and `expires: YYYY-MM-DD` (the last day it applies).  ww_sigma_finish()
 * applies each one that has not expired like a filter, and adds for every rule it
 * applies to a shadow rule matching what it removed, so that a program can count the
 * alerts each suppression took away. */

/* Loads a suppression file (its documents must all be filters) before
 * ww_sigma_finish().  Problems are recorded as errors (ww_sigma_error) with file,
 * line and column.  Returns the number of suppressions accepted, or WW_E* when the
 * file cannot be read. */
int ww_sigma_load_suppressions(ww_sigma_ruleset_t *rs, const char *path);
/* The same for a file's content already in memory (name is for diagnostics). */
int ww_sigma_load_suppressions_buffer(ww_sigma_ruleset_t *rs, const char *name, const char *buf,
                                      size_t len);

/* Why a rule named by a suppression gets nothing from it. */
enum ww_supp_miss {
    WW_SUPP_UNKNOWN,     /* no loaded rule has that id, name or title */
    WW_SUPP_CORRELATION, /* a correlation rule: suppressions apply to detection rules */
    WW_SUPP_LOGSOURCE,   /* the rule's logsource is not inside the suppression's */
};
typedef struct ww_sigma_supp_miss {
    const char *ref; /* as written */
    uint8_t why;     /* enum ww_supp_miss */
} ww_sigma_supp_miss_t;

typedef struct ww_sigma_suppression {
    const char *file, *title, *id;    /* id may be NULL */
    const char *description;          /* the reason; NULL when none */
    const char *expires;              /* YYYY-MM-DD as written; NULL when none */
    uint32_t line;                    /* first line of its document */
    bool expired;                     /* past `expires`: not applied */
    uint32_t napplied;                /* rules it was applied to */
    const ww_sigma_supp_miss_t *miss; /* rules named that it cannot apply to */
    uint32_t nmiss;
} ww_sigma_suppression_t;

/* The suppressions loaded, in load order; the details above are complete once
 * ww_sigma_finish() has run.  `today` for expiry is the UTC date when finish ran. */
uint32_t ww_sigma_suppression_count(const ww_sigma_ruleset_t *rs);
const ww_sigma_suppression_t *ww_sigma_suppression(const ww_sigma_ruleset_t *rs, uint32_t i);
/* Sets the date (YYYY-MM-DD) expiry is judged against instead of today (tests). */
void ww_sigma_set_today(ww_sigma_ruleset_t *rs, const char *date);

uint32_t ww_sigma_count(const ww_sigma_ruleset_t *rs);
const ww_sigma_rule_t *ww_sigma_rule(const ww_sigma_ruleset_t *rs, uint32_t i);
/* Finds a rule by id or name; NULL if none. */
const ww_sigma_rule_t *ww_sigma_find(const ww_sigma_ruleset_t *rs, const char *id_or_name);
uint32_t ww_sigma_error_count(const ww_sigma_ruleset_t *rs);
const ww_sigma_error_t *ww_sigma_error(const ww_sigma_ruleset_t *rs, uint32_t i);
/* Files read and YAML documents seen (rules + correlations + filters + rejected). */
uint32_t ww_sigma_file_count(const ww_sigma_ruleset_t *rs);
uint32_t ww_sigma_doc_count(const ww_sigma_ruleset_t *rs);

#endif
