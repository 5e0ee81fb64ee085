/* Private state of the correlation engine (ww_corr_*.c): one ww__corr_state per
 * correlation rule, each holding its open groups in a slab addressed by an
 * open-addressing hash table of 32-bit slab indices, an LRU list for eviction and idle
 * expiry, and (for windows decided at close) a min-heap of window deadlines.  Kept
 * separate from ww_detect.h so the public contract stays small. */
#ifndef WW_CORR_INT_H
#define WW_CORR_INT_H

#include "detect/ww_detect.h"

#define WW__CORR_NONE UINT32_MAX
#define WW__CORR_VALUE_MAX 4096 /* bytes of one group-by value used for grouping */
#define WW__CORR_NBUCKETS 8     /* overflow buckets per group, see docs */
#define WW__CORR_MAX_DEPTH 32   /* correlation chain depth guard */
#define WW__CORR_DEF_GROUPS 100000
#define WW__CORR_DEF_EVENTS 1000

/* One kept event of a group, sorted by ts (ties in feed order). */
typedef struct ww__corr_ent {
    int64_t ts;
    uint64_t ref;
    union {
        double v;                    /* value_sum/avg/percentile */
        uint64_t h;                  /* percentile share mode: hash of the value */
        const ww_sigma_rule_t *rule; /* temporal_ordered: which rule matched */
    } u;
} ww__corr_ent_t;

/* Events pushed out of the kept ring: still counted, summarised by time. */
typedef struct ww__corr_bucket {
    int64_t min_ts, max_ts;
    uint64_t n;
    double sum;
} ww__corr_bucket_t;

typedef struct ww__corr_val {
    uint64_t h;   /* hash of a distinct value (0 = empty slot) */
    int64_t last; /* newest event time it was seen at */
} ww__corr_val_t;

/* Per-group data that only some types or only overflowing groups need. */
typedef struct ww__corr_ext {
    ww__corr_bucket_t *b; /* WW__CORR_NBUCKETS, allocated on first overflow */
    uint32_t nb;
    uint32_t vcap, vn; /* value_count: distinct value set */
    ww__corr_val_t *vals;
    int64_t vmin;   /* lower bound of the oldest `last` in vals */
    int64_t *rlast; /* temporal: newest ts per rule position, or WW_TIME_NONE */
} ww__corr_ext_t;

typedef struct ww__corr_grp {
    uint64_t hash;
    uint8_t *key; /* group tuple: per field a uint32 length then the bytes */
    uint32_t keylen;
    uint32_t keycap;           /* bytes allocated at key (a freed entry keeps a small key buffer) */
    uint32_t prev, next;       /* LRU (head = most recently updated); next = free list */
    uint32_t heap;             /* close mode: position in the deadline heap */
    uint32_t rstart, rn, rcap; /* kept events are ring[rstart .. rstart + rn) */
    bool used;
    int64_t t0;     /* window start (close mode) */
    int64_t newest; /* newest event time fed to this group */
    int64_t floor;  /* events older than this are late (set by a re-arm) */
    uint64_t count; /* events in the window, kept or not */
    double sum;     /* sum of their values */
    ww__corr_ent_t *ring;
    ww__corr_ext_t *ext;
} ww__corr_grp_t;

typedef struct ww__corr_state {
    const ww_sigma_rule_t *rule;
    const ww_sigma_corr_t *corr;
    bool disabled;
    bool close_mode; /* decided when a window closes, not per event */
    bool share_mode; /* value_percentile without `percentile:` */
    int64_t span;    /* timespan in ns */
    uint32_t ngroup;
    const char **gnames; /* group-by names as written */
    ww_str_t *gfield;    /* [rule position * ngroup + j]: field to read */
    ww_str_t vfield;     /* corr->field as a slice (empty when there is none) */

    ww__corr_grp_t *grp;
    uint32_t ngrp; /* slab entries in use or on the free list */
    uint32_t grpcap;
    uint32_t freelist;
    uint32_t nopen;
    uint32_t *tab;   /* slab index + 1, 0 = empty */
    uint32_t tabcap; /* power of two */
    uint32_t lru_head, lru_tail;
    uint32_t *heap;
    uint32_t nheap, heapcap;

    bool has_now;
    int64_t now; /* newest event time fed to this correlation */

    /* the previous feed, to count an event matched by two referenced rules once */
    const ww_event_t *last_ev;
    uint64_t last_ref;
    int64_t last_ts;
    bool last_valid;

    ww_buf_t kbuf;   /* scratch: the group key being built */
    ww_str_t *gvals; /* scratch for alerts */
    uint64_t *refs;
    double *vscratch;

    uint32_t *outer; /* states that reference this correlation */
    uint32_t nouter;
} ww__corr_state_t;

struct ww_corr {
    ww__corr_state_t *st;
    uint32_t nst;
    uint32_t *order; /* flush order: inner correlations first */
    uint32_t nrules;
    const ww_sigma_rule_t **rules; /* the ruleset, by position */
    uint32_t *woff, *wids;         /* rule position -> states to feed (CSR) */
    uint32_t *stid;                /* rule position -> its state, or WW__CORR_NONE */
    ww_corr_limits_t lim;
    bool have_last;
    int64_t last_ts; /* time of the previous timed event fed */
    ww_corr_stats_t stats;
    size_t mem; /* bytes currently allocated for group state */
    /* Stream mode (ww_corr_set_stream). */
    bool stream;
    ww_corr_stream_t so;
    bool have_max;
    int64_t max_ts;       /* newest event time seen, capped at wall clock + max_future */
    int64_t future_bound; /* wall clock + max_future when last read (cap_future) */
    bool future_bound_ok;
    int64_t swept; /* the watermark at the last sweep of every state */
};

/* Builds the engine from an array of finished rules (what ww_corr_new does after
 * listing the ruleset); lets tests run without the YAML loader.  The rules must
 * outlive the engine. */
int ww__corr_new_rules(const ww_sigma_rule_t *const *rules, uint32_t n, const ww_corr_limits_t *lim,
                       ww_corr_t **out);
/* Bytes currently allocated for per-group state (slabs, tables, keys, rings). */
size_t ww__corr_mem(const ww_corr_t *c);

#endif
