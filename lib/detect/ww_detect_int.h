/* Internal structures of the single-event detection engine: the compiled program
 * (interned field names, compiled matchers, condition trees, route variants and the
 * routing index), the per-thread context, and the logsource mapping tables shared by
 * ww_detect.c, ww_detect_match.c and ww_detect_logsource.c. */
#ifndef WW_DETECT_INT_H
#define WW_DETECT_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "detect/ww_detect.h"

#define WW__NOFID UINT32_MAX
#define WW__NFILTER_BITS 4096
#define WW__GBLOOM_BITS (1u << 18)
#define WW__GATE4_SHIFT 14 /* 32 - log2(WW__GATE4_BITS): small enough for L2 */
#define WW__GATE4_BITS (1u << (32 - WW__GATE4_SHIFT))
/* Prefilter field bits: fid % WW__ANYBIT for a field, WW__ANYBIT for "any value"
   (keywords).  WW__ANYFID stands for the latter in (gram, field) pairs. */
#define WW__ANYBIT 63
#define WW__ANYFID (UINT32_MAX - 1)

/* ---- logsource mapping (ww_detect_logsource.c) ----------------------------------- */

typedef struct ww__rename {
    const char *from, *to; /* rule field name -> event field name */
} ww__rename_t;

/* One Windows route: events of kind WW_EV_WINDOWS whose Channel is one of `channels`
 * (or whose Provider_Name is one of `providers`), whose EventID is in `eids` (when
 * given), and whose field `eq_field` equals one of `eq_values` (when given).  Arrays are
 * NULL-terminated (eids: terminated by -1); NULL means "no constraint". */
typedef struct ww__winroute {
    const char *const *channels;
    const char *const *providers;
    const int32_t *eids;
    const char *eq_field;
    const char *const *eq_values;
    const ww__rename_t *renames; /* terminated by {NULL, NULL} */
} ww__winroute_t;

/* A route variant of a rule's logsource: either a Windows route or a generic one that
 * compares the rule's product/service/category with the event's facts. */
typedef struct ww__route {
    bool windows;
    bool win_any;                    /* product windows alone: every Windows event */
    const ww__winroute_t *win;       /* windows && !win_any */
    const char *const *svc_channels; /* category route restricted by a service */
    /* generic: the rule's own strings (NULL = any) */
    const char *product, *service, *category;
} ww__route_t;

#define WW__MAX_ROUTES 4
/* Gram sets per variant: each must have a pair seen (AND-ed selections). */
#define WW__MAXSETS 4

/* Fills out[] with the route variants of a logsource; returns how many (0..max). */
int ww__logsource_routes(const ww_sigma_logsource_t *ls, ww__route_t *out, int max);
/* True when a generic route applies to the event (see ww_detect_logsource.c). */
bool ww__generic_route_match(const ww__route_t *r, const ww_event_t *ev);

/* ---- compiled matchers (ww_detect_match.c) --------------------------------------- */

enum ww__dm_kind {
    DM_EXACT,
    DM_PREFIX,
    DM_SUFFIX,
    DM_CONTAINS,
    DM_ANY,
    DM_GLOB,
    DM_RE,
    DM_CIDR,
    DM_NUM,
    DM_BOOL,
    DM_NULL,
    DM_EXISTS,
    DM_FIELDREF,
    DM_TIME,
};

typedef struct ww__dmatch {
    uint8_t kind;    /* enum ww__dm_kind */
    bool cased;      /* string kinds: compare raw bytes (else lowered) */
    bool keyword;    /* searches every value (and the raw line), not one field */
    const char *lit; /* DM_EXACT/PREFIX/SUFFIX/CONTAINS needle (lowered
                        unless cased) */
    uint32_t n;
    ww_glob_part_t *parts; /* DM_GLOB (literals lowered unless cased) */
    uint32_t nparts;
    pcre2_code *re;              /* DM_RE (owned by the program) */
    const ww_sigma_rule_t *rule; /* DM_RE: the rule it belongs to, for error reports */
    const ww_sigma_match_t *src; /* the rule's matcher: numbers, cidr, fieldref... */
    uint32_t gram;               /* prefilter gram the value must contain, or UINT32_MAX */
    int gscore;                  /* its selectivity (best_gram) */
} ww__dmatch_t;

typedef struct ww__dvalue {
    ww__dmatch_t *alts;
    uint32_t nalts;
} ww__dvalue_t;

typedef struct ww__ditem {
    const ww_sigma_item_t *src;
    bool keyword; /* field NULL */
    bool all, negate;
    bool has_fieldref;
    bool needs_lower; /* some matcher compares lowered text */
    ww__dvalue_t *vals;
    uint32_t nvals;
    uint32_t nalts_total; /* flat count of alternatives (fieldref fid table) */
} ww__ditem_t;

typedef struct ww__dnode {
    uint8_t op; /* enum ww_node_op */
    uint32_t nkids;
    struct ww__dnode *kids; /* array */
    uint32_t item;          /* WW_NODE_ITEM: index into the rule's items */
} ww__dnode_t;

typedef struct ww__drule {
    const ww_sigma_rule_t *rule;
    uint32_t index; /* position among compiled rules (= ruleset order) */
    ww__dnode_t *root;
    ww__ditem_t *items;
    uint32_t nitems;
} ww__drule_t;

/* A rule item as seen by one route variant: field names after the variant's renames. */
typedef struct ww__vitem {
    uint32_t fid;       /* WW__NOFID for keywords */
    uint32_t *ref_fids; /* per flat alternative, for fieldref items */
} ww__vitem_t;

typedef struct ww__variant {
    ww__drule_t *r;
    uint32_t ri; /* index of r in the program's rules */
    ww__route_t route;
    ww__vitem_t *vitems; /* one per rule item */
    uint64_t reqmask;    /* prefilter: fields (hashed to bits) that must exist */
    uint32_t *grams;     /* prefilter: one of these literal grams must occur in a
                            scanned value (lowered); NULL = no literal needed */
    uint32_t *gfids;     /* ... in a value of this field (parallel to grams) */
    uint8_t *gset;       /* ... for each of the nsets sets (parallel to grams) */
    uint32_t ngrams;
    uint8_t nsets;
    bool kw2;        /* a set after the first has a keyword pair */
    uint32_t *sfid2; /* the fields of the sets after the first */
    uint32_t nsfid2;
    uint32_t eq_fid; /* extra route condition field, or WW__NOFID */
    int32_t *ceids;  /* EventIDs the condition requires (sorted), when it does */
    uint32_t nceids;
    bool has_ceids; /* ceids apply (nceids 0: no EventID can satisfy it) */
} ww__variant_t;

/* ---- small-set multi-literal matcher (ww_detect_simd.c) --------------------------- */

#define WW__TD_MAX 128   /* literals per matcher */
#define WW__TD_LITMAX 16 /* bytes per literal */
#define WW__TD_FP 4      /* fingerprint bytes at most */
enum { WW__TD_SCALAR, WW__TD_SSSE3, WW__TD_AVX2 };

typedef struct ww__tlit {
    unsigned char b[WW__TD_LITMAX]; /* compared case-insensitively (ASCII) */
    uint32_t n;
    uint32_t id; /* caller's payload, reported on a match */
} ww__tlit_t;

typedef struct ww__teddy {
    uint8_t lo[WW__TD_FP][16], hi[WW__TD_FP][16]; /* per fingerprint byte: nibble ->
                                                     bucket bits */
    uint8_t m;        /* fingerprint bytes: min(WW__TD_FP, shortest literal) */
    ww__tlit_t *lits; /* sorted, lowered; bucket b is [bstart, bend) */
    uint32_t n;
    uint32_t bstart[8], bend[8];
} ww__teddy_t;

/* Called for every occurrence: literal id and start offset (any order per offset). */
typedef void (*ww__td_fn)(void *ud, uint32_t id, size_t at);

/* Builds a matcher of 1..WW__TD_MAX literals of 1..WW__TD_LITMAX bytes. */
int ww__td_build(ww__teddy_t *t, const ww__tlit_t *lits, uint32_t n);
void ww__td_free(ww__teddy_t *t);
/* Reports every occurrence of every literal in p[0..n), case-insensitively. */
void ww__td_scan(const ww__teddy_t *t, const unsigned char *p, size_t n, ww__td_fn fn, void *ud);
/* The same on a given path (tests); a path the CPU lacks must not be passed. */
void ww__td_scan_with(const ww__teddy_t *t, int path, const unsigned char *p, size_t n,
                      ww__td_fn fn, void *ud);
/* The best path this CPU supports (WW__TD_*). */
int ww__td_path(void);

/* A list of variant indexes (ascending). */
typedef struct ww__vlist {
    uint32_t *v;
    uint32_t n, cap;
    uint32_t kw; /* 1 + index in ww_detect.kwsets: its keyword grams' matcher; 0 none */
    /* Split by ww__pf_list: variants without a literal requirement (evaluated on
       their other gates) and those with one (evaluated only when the gram index
       marked them); the fields whose values the latter's grams are looked for in,
       and whether any looks in every value (keywords). */
    uint32_t *ung, *gat, *sfid;
    uint32_t nung, ngat, nsfid;
    bool kwneed;
    /* For a list of many gated variants: gat as a bitmap over variant indexes, words
       [gw0, gw1) (bit v%64 of word v/64 - gw0), walked against the event's candidates
       (ww_detect_ctx.cbits) instead of testing every variant of gat. */
    uint64_t *gbits;
    uint32_t gw0, gw1;
} ww__vlist_t;

/* Gated variants from which a list gets its bitmap. */
#define WW__GBITS_MIN 48

typedef struct ww__strmap { /* open addressing, lowercase keys -> index */
    char **keys;
    uint32_t *vals;
    uint32_t *lens; /* key lengths: probes compare them before the bytes */
    uint32_t cap, n;
} ww__strmap_t;

/* A list per key (category or service name). */
typedef struct ww__keyed {
    ww__strmap_t map;
    ww__vlist_t *lists;
    uint32_t n, cap;
} ww__keyed_t;

/* Generic routes of one product (or of none): by category when they name one, else by
   service when it is an exact one, else in `any` -- an event runs `any` and the lists
   of its own category and service. */
typedef struct ww__gen {
    ww__vlist_t any;
    ww__keyed_t cats, svcs;
} ww__gen_t;

/* Each list comes twice: `full` holds every variant the route admits (merged:
   every-windows + source-any + this eid); `list` only those whose condition can hold
   for an event with this EventID (a rule saying "EventID: 16" is not in the list of
   EventID 1).  The refined lists serve events whose EventID field is "regular"
   (ww_detect.c: eid_regular), the full ones any other. */
typedef struct ww__eidlist {
    int32_t eid;
    ww__vlist_t list, full;
} ww__eidlist_t;

/* Variants routed by one Channel or Provider name. */
typedef struct ww__source {
    ww__vlist_t any;     /* no EventID constraint, from route or condition */
    ww__vlist_t fany;    /* no EventID constraint from the route (merged with
                            every-windows for a channel) */
    ww__eidlist_t *eids; /* sorted by eid */
    uint32_t neids;
} ww__source_t;

struct ww_detect {
    int refs; /* atomic */
    const ww_sigma_ruleset_t *rs;
    ww_arena_t arena;
    bool no_prefilter;

    ww__strmap_t fields; /* interned field names -> fid */
    /* A filter of the interned names by (length, first and last byte lowered): most
       fields of an event are named by no rule, and this tells so in a few
       instructions, before any cache or hash lookup (ww__name_maybe). */
    uint64_t nfilter[WW__NFILTER_BITS / 64];
    uint32_t nfids;
    uint32_t eid_fid; /* fid of "EventID", or WW__NOFID */

    ww__drule_t *rules;
    uint32_t nrules, rules_cap;
    ww__variant_t *vars;
    uint32_t nvars, vars_cap;

    ww__strmap_t chan_map, prov_map;
    ww__source_t *chans, *provs;
    uint32_t nchans, nprovs, chans_cap, provs_cap;
    ww__vlist_t win_all; /* Windows routes with no channel constraint */

    ww__strmap_t prod_map; /* generic routes by product */
    ww__gen_t *prods;
    uint32_t nprods, prods_cap;
    ww__gen_t gen_any; /* generic routes without a product */

    /* Literal prefilter: grams of 3, 4 or 8 lowered bytes taken from the literals
       rules require, in one hash table (key -> gram id + 1) behind a bloom filter. */
    uint64_t *gkeys;
    uint32_t *gids;
    uint8_t *glens;
    uint32_t gcap, ngrams;
    uint64_t *gbloom; /* WW__GBLOOM_BITS bits */
    /* The keyword gate (scan_all, for candidate lists with too many keyword grams
       for a small-set matcher), hashed bitmaps of WW__GATE4_BITS bits: g3 a 3-byte
       keyword gram, g4 the last 4 bytes of a 4- or 8-byte one. */
    struct ww__gate {
        uint64_t *pair; /* 65536 bits: the last two bytes of a gram (a cheap first
                           gate: one L1 load per byte, no hashing) */
        uint64_t *g3, *g4;
        uint8_t lens; /* bit 0: 3-byte grams exist, 1: 4-byte, 2: 8-byte */
    } kwgate;

    uint32_t nfsets;  /* entries of fsets */
    uint64_t *gkeyid; /* per gram id: its key */
    uint8_t *glenid;  /* per gram id: its length */
    uint32_t gid_cap;
    /* Keyword grams of one candidate list, when few: scanned with a small-set SIMD
       matcher (ww_detect_simd.c) instead of the per-byte gram gate. */
    struct ww__kwset {
        ww__teddy_t td;
        uint32_t *grams;
        uint32_t n;
    } * kwsets;
    uint32_t nkwsets, kwsets_cap;
    /* The gram index: for gram g, the variants with a (g, field) pair, as
       gpvid[gpoff[g] .. gpoff[g + 1]) and the field's gmask bit in gpbit. */
    uint32_t *gpoff, *gpvid;
    uint8_t *gpbit, *gpset; /* the pair's field bit and set (ww__variant_t.gset) */
    uint8_t *vfull;         /* per variant: the bits of all its sets */
    /* Per fid (nfsets entries, NULL when it has no grams): its own grams while they
       are few, then a small-set matcher for on-demand field scans; `big` past that. */
    struct ww__fset {
        uint32_t ids[64];
        uint32_t n;
        bool big, built;
        ww__teddy_t td;
        /* big: every gram of the field (while compiling), then its own hashed
           window bitmaps -- 3-byte grams in b3, 4- and 8-byte ones by their last
           four bytes in b4 -- of 2^(32 - sh) bits each (window_bitmap). */
        uint32_t *all, nall, capall;
        uint64_t *b3, *b4;
        uint8_t sh3, sh4, lens;
    } * *fsets;

    /* While compiling: how many literals hold each gram-sized window (lowered). */
    struct ww__wcount {
        uint64_t *keys;
        uint32_t *cnt;
        uint8_t *lens; /* 0: empty slot */
        uint32_t cap, n;
    } wc;

    pcre2_code **res; /* every compiled regex, freed with the program */
    uint32_t nres, res_cap;

    ww_sigma_error_t *errs;
    uint32_t nerrs, errs_cap;
};

/* The name lookups of the field at one index in recent events: events of one source
   repeat their field names in the same order, and a syslog stream interleaves a few
   shapes (sshd, the kernel's packets, PAM...), so each index keeps the names of the
   last WW__NCWAYS shapes, most recent first. */
#define WW__NCACHE 128
#define WW__NCWAYS 4
#define WW__NCNAME 40
typedef struct ww__ncache {
    uint32_t fid;
    uint16_t len; /* UINT16_MAX: empty */
    char name[WW__NCNAME];
} ww__ncache_t;

/* The last lookup of one routing fact (product, category, service): consecutive
   events of a stream mostly repeat them. */
enum { WW__MEMO_PROD, WW__MEMO_CAT, WW__MEMO_SVC, WW__MEMO_CAT_ANY, WW__MEMO_SVC_ANY, WW__NMEMO };
typedef struct ww__memo {
    const ww__strmap_t *map;
    uint32_t idx;
    bool found;
    uint16_t len; /* UINT16_MAX: empty */
    char name[WW__NCNAME];
} ww__memo_t;

struct ww_detect_ctx {
    ww_detect_t *d;
    ww__ncache_t *nc; /* WW__NCACHE x WW__NCWAYS entries */
    ww__memo_t memo[WW__NMEMO];
    const ww_event_t *ev;
    uint32_t gen;     /* event generation: stamps below are valid when == gen */
    uint32_t *fstamp; /* per fid */
    uint32_t *ffirst; /* per fid: first field index */
    uint32_t *flast;  /* per fid: last field index (while building) */
    uint32_t *fnext;  /* per field index: next field with the same fid */
    uint64_t present; /* bits of fids present */
    /* lowered copies of field values, made on first use */
    uint32_t *lstamp; /* per field index (+1 for ev->raw) */
    size_t *loff;
    char *lbuf;
    size_t llen, lcap;
    uint32_t *known; /* field indexes whose names rules use */
    uint32_t nknown;
    uint32_t *gstamp; /* per gram: seen in this event */
    uint64_t *gmask;  /* per gram: bits (fid % 64) of the fields it was seen in */
    uint32_t *ifid;   /* per field index: its fid, or WW__NOFID */
    uint32_t any_gen; /* == gen once every value was scanned for keyword grams */
    uint32_t *kscan;  /* per gram: == gen once every value was scanned for it */
    uint32_t *fscan;  /* per fid: == gen once its values were scanned for field grams */
    uint32_t *seen;   /* gram ids seen in this event, in order (nseen) */
    uint32_t nseen;
    uint64_t *pmask; /* per gram: gmask bits already applied to the gram index */
    uint32_t *vmark; /* per variant: == gen when a pair of each of its sets was seen */
    uint32_t *vsgen; /* per variant: vsets valid when == gen */
    uint8_t *vsets;  /* per variant: its sets with a pair seen */
    uint32_t *vpart; /* per variant: == gen when its first set (only) was seen */
    /* The variants with a set seen in this event (vsgen == gen), as a list (to clear
       the bitmap) and as bits of cbits (nvars bits). */
    uint32_t *cand, ncand;
    uint64_t *cbits;
    bool dirty;        /* grams seen since the last apply_seen */
    uint32_t *ksgen;   /* per keyword set: == gen once every value was scanned for it */
    uint32_t *rstamp;  /* per rule: matched in this event */
    uint32_t *matches; /* rule indexes matched in this event */
    uint32_t nmatches;
    /* The address of the value CIDR items tested last (ww_detect_match.c). */
    uint32_t ipgen, ipidx;
    int ipfam;
    uint8_t ipaddr[16];
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jstack;
    /* Regex matches that ended in an error (a limit below, or any other PCRE2 error)
       instead of a yes or no; they count as "no match" but are never silent. */
    uint64_t re_errors;
    const ww_sigma_rule_t *re_err_rule; /* the first rule that hit one */
    int re_err_code;                    /* and its PCRE2 error code */
};

/* Limits on one regex match, so that one hostile value against a backtracking-prone
   pattern cannot stall a worker: PCRE2's match limit (calls of its internal match
   function, also enforced by the JIT), its depth limit (backtracking depth, the
   interpreter only), its heap limit for backtracking frames (KiB) and the JIT stack.
   A match that hits one is counted in the context (ww_detect_ctx_regex_errors). */
#define WW_DETECT_RE_MATCH_LIMIT 1000000u
#define WW_DETECT_RE_DEPTH_LIMIT 10000u
#define WW_DETECT_RE_HEAP_LIMIT_KIB 65536u
#define WW_DETECT_RE_JIT_STACK_MIN (32u * 1024u)
#define WW_DETECT_RE_JIT_STACK_MAX (1024u * 1024u)

/* A field occurrence as a matcher sees it. */
typedef struct ww__fval {
    const ww_field_t *f; /* NULL for the raw line */
    const char *raw;     /* value bytes */
    size_t n;
    uint32_t idx; /* field index (nfields for the raw line) */
    uint8_t type;
} ww__fval_t;

/* Eight bytes with A-Z lowered (SWAR: bit 7 of each byte flags "in A..Z"). */
static inline uint64_t ww__lower8(uint64_t x)
{
    const uint64_t h = 0x8080808080808080ULL;
    uint64_t b = x & ~h;
    uint64_t ge_a = b + 0x3F3F3F3F3F3F3F3FULL; /* bit 7: byte >= 'A' */
    uint64_t gt_z = b + 0x2525252525252525ULL; /* bit 7: byte > 'Z' */
    return x | (((ge_a ^ gt_z) & ~x & h) >> 2);
}

/* The bit of a field name in ww_detect.nfilter. */
static inline uint32_t ww__name_bit(const char *p, size_t n)
{
    uint32_t a = n ? (unsigned char)p[0] : 0, b = n ? (unsigned char)p[n - 1] : 0;
    a |= (uint32_t)(a - 'A' < 26u) << 5; /* ASCII lowered, as the map compares */
    b |= (uint32_t)(b - 'A' < 26u) << 5;
    uint32_t h = ((uint32_t)n << 16 | a << 8 | b) * 0x9E3779B1u;
    return h >> (32 - 12); /* log2(WW__NFILTER_BITS) */
}

/* Compiles one sigma matcher; a regex that PCRE2 refuses returns WW_EPARSE with msg. */
int ww__dmatch_compile(ww_detect_t *d, const ww_sigma_match_t *m, bool keyword, ww__dmatch_t *out,
                       char *msg, size_t msglen);
/* Does one occurrence match?  `ref_fid` is the fieldref's resolved field. */
bool ww__dmatch_eval(ww_detect_ctx_t *ctx, const ww__dmatch_t *m, const ww__fval_t *v,
                     uint32_t ref_fid);
/* The lowered bytes of an occurrence (cached per event). */
const char *ww__lowered(ww_detect_ctx_t *ctx, const ww__fval_t *v);
/* First field index of fid in the current event, or UINT32_MAX. */
static inline uint32_t ww__ffirst(const ww_detect_ctx_t *ctx, uint32_t fid)
{
    if (fid == WW__NOFID || ctx->fstamp[fid] != ctx->gen)
        return UINT32_MAX;
    return ctx->ffirst[fid];
}

/* The literal prefilter (ww_detect_prefilter.c). */
int ww__pf_variant(ww_detect_t *d, ww__variant_t *v);
/* Counts, over every literal of the ruleset, the windows gram choice weighs. */
int ww__pf_count(ww_detect_t *d);
/* Gives each string matcher of a field item its gram (skips impossible searches). */
int ww__pf_rule(ww_detect_t *d, ww__drule_t *dr);
/* Scans the values of one field for field grams, once per event. */
void ww__pf_scan_fid(ww_detect_ctx_t *ctx, uint32_t fid);
/* Scans the scopes the grams of list l's gated variants name (once per event) and
   marks (ctx->vmark) each variant one of whose pairs was seen. */
void ww__pf_prepare(ww_detect_ctx_t *ctx, const ww__vlist_t *l);
/* For a variant of l that ww__pf_prepare left partial (vpart): scans the scopes of its
   other sets and says whether it is now marked. */
bool ww__pf_second(ww_detect_ctx_t *ctx, const ww__vlist_t *l, uint32_t vi);
/* Builds the combined gate and the gram index once every gram is known. */
int ww__pf_finish(ww_detect_t *d);
/* Splits a candidate list for ww__pf_prepare (after ww__pf_finish). */
int ww__pf_list(ww_detect_t *d, ww__vlist_t *l, uint32_t *stamp, uint32_t st);
void ww__pf_free(ww_detect_t *d);

bool ww__glob_match(const ww_glob_part_t *p, uint32_t np, const char *s, size_t n);

#endif
