/* Threat-intelligence indicators: importing them (STIX 2.1 bundles, MISP events and
 * feeds, plain lists), keeping them in the shared store (module "intel"), compiling
 * them into a matcher (hash sets for exact values, prefix tables for address ranges)
 * that the pipeline runs on every event, and exporting sightings (STIX 2.1, MISP).
 *
 * An indicator is one value of one type: a STIX indicator whose pattern ORs three
 * comparisons becomes three indicators sharing its id.  Values are kept normalised
 * (see ww_intel_normalise), so matching is a lookup, never a scan. */
#ifndef WW_INTEL_H
#define WW_INTEL_H

#include "event/ww_event.h"
#include "sigma/ww_sigma.h"
#include "store/ww_store.h"

enum ww_ind_type {
    WW_IND_IPV4 = 1, /* an address or a CIDR range ("10.0.0.0/8") */
    WW_IND_IPV6,     /* likewise */
    WW_IND_DOMAIN,   /* also matches its subdomains */
    WW_IND_URL,      /* compared without scheme, default port and fragment */
    WW_IND_MD5,
    WW_IND_SHA1,
    WW_IND_SHA256,
    WW_IND_EMAIL,
    WW_IND_NTYPES
};

/* Traffic Light Protocol 2.0, in increasing restriction (TLP:WHITE reads as CLEAR). */
enum ww_tlp {
    WW_TLP_CLEAR = 0,
    WW_TLP_GREEN,
    WW_TLP_AMBER,
    WW_TLP_AMBER_STRICT,
    WW_TLP_RED,
};
#define WW_TLP_DEFAULT WW_TLP_AMBER /* unmarked data: shared no further than AMBER */

/* Caps on what outside data controls. */
#define WW_INTEL_MAX_VALUE 2048             /* bytes of one value */
#define WW_INTEL_MAX_PATTERN (64u << 10)    /* bytes of one STIX pattern */
#define WW_INTEL_MAX_TERMS 1000             /* comparisons in one pattern */
#define WW_INTEL_MAX_FILE ((size_t)1 << 30) /* bytes of one file imported */
#define WW_INTEL_MAX_INDICATORS 20000000u   /* indicators in one import or store */
#define WW_INTEL_MAX_FEED_FILES 100000u     /* event files in one MISP feed */
#define WW_INTEL_MAX_SKIPS 1000u            /* skip reports kept (all are counted) */
#define WW_INTEL_MAX_TEXT 512               /* bytes of an id, name or source */

const char *ww_ind_type_name(int type);    /* "ipv4-addr", "domain-name", "sha256", ... */
int ww_ind_type_parse(const char *s);      /* those names and "ip", "domain", "url",
                                               "md5", "sha1", "sha256", "email"; -1 */
const char *ww_tlp_name(int tlp);          /* "TLP:AMBER+STRICT" */
int ww_tlp_parse(const char *s, size_t n); /* "amber", "TLP:AMBER", "white", ...; -1 */

/* One indicator as imported (strings owned by the set's arena). */
typedef struct ww_indicator {
    const char *id;                  /* STIX id, MISP attribute uuid, or "list:<source>:<value>" */
    const char *name;                /* the indicator's name, "" when none */
    const char *source;              /* who published it */
    const char *value;               /* normalised */
    int type;                        /* enum ww_ind_type */
    int tlp;                         /* enum ww_tlp */
    int confidence;                  /* 0..100, -1 unknown */
    int64_t valid_from, valid_until; /* ns since the epoch, WW_TIME_NONE when unset */
} ww_indicator_t;

/* What an import kept, and what it could not use (each said with where and why). */
typedef struct ww_intel_skip {
    char where[300]; /* file, and the object's index and id */
    char why[300];
} ww_intel_skip_t;

typedef struct ww_intel_set {
    ww_arena_t arena;
    ww_indicator_t *v;
    size_t n, cap;
    ww_intel_skip_t *skip; /* the first WW_INTEL_MAX_SKIPS */
    size_t nskip, skipcap;
    uint64_t skipped; /* every one */
} ww_intel_set_t;

void ww_intel_set_init(ww_intel_set_t *s);
void ww_intel_set_release(ww_intel_set_t *s);

/* Options of an import.  A field left 0/NULL takes what the data says. */
typedef struct ww_intel_opts {
    const char *source;  /* lists: required; others: overrides the data's own */
    int type;            /* lists: required (enum ww_ind_type) */
    int tlp;             /* -1: from the data (lists: WW_TLP_DEFAULT) */
    int64_t valid_until; /* WW_TIME_NONE: from the data */
    bool misp_all;       /* MISP: also attributes with to_ids false */
} ww_intel_opts_t;
#define WW_INTEL_OPTS_INIT               \
    {                                    \
        NULL, 0, -1, WW_TIME_NONE, false \
    }

/* Normalises a value of `type` into out (NUL-terminated, at most outlen bytes): IP
 * addresses in their canonical text (a CIDR's host bits cleared, /32 and /128 become
 * plain addresses, IPv4-mapped IPv6 becomes IPv4 -- and the type changes, so type is
 * in/out), domains lower-cased without a trailing dot, URLs without scheme, default
 * port, fragment and with host lower-cased, hashes lower-cased hex of the right
 * length, e-mail addresses lower-cased ("Name <a@b>" gives a@b).  0, or WW_EPARSE
 * with *why set to a static reason. */
int ww_intel_normalise(int *type, const char *p, size_t n, char *out, size_t outlen,
                       const char **why);

/* Parsers: each adds to set what it can use and reports the rest in set->skip.
 * name labels diagnostics.  0 (even with skips), or WW_EPARSE/WW_ELIMIT/WW_ENOMEM with
 * diag saying where (file:line:col for malformed JSON, the object's index and id
 * for an unusable one) -- nothing is added then. */
int ww_intel_parse_stix(const char *name, const char *data, size_t len, const ww_intel_opts_t *o,
                        ww_intel_set_t *set, ww_diag_t *diag);
/* A MISP event ({"Event":{...}}), a list of them, or {"response":[...]}. */
int ww_intel_parse_misp(const char *name, const char *data, size_t len, const ww_intel_opts_t *o,
                        ww_intel_set_t *set, ww_diag_t *diag);
/* One value a line; blank lines and lines starting with # are ignored. */
int ww_intel_parse_list(const char *name, const char *data, size_t len, const ww_intel_opts_t *o,
                        ww_intel_set_t *set, ww_diag_t *diag);
/* A file (STIX bundle, MISP event or, with o->type, a list: told apart by content) or
 * a MISP feed directory (manifest.json and <uuid>.json). */
int ww_intel_import_path(const char *path, const ww_intel_opts_t *o, ww_intel_set_t *set,
                         ww_diag_t *diag);

/* ---- the store ---- */

int ww_intel_migrate(ww_store_t *st, ww_diag_t *diag);
/* Stores set's indicators (id, type and value identify one: a second import updates
 * it in place) and bumps the generation.  *added and *updated may be NULL. */
int ww_intel_store_put(ww_store_t *st, const ww_intel_set_t *set, uint64_t *added,
                       uint64_t *updated, ww_diag_t *diag);
/* Removes every indicator of a source; *removed may be NULL. */
int ww_intel_store_remove(ww_store_t *st, const char *source, uint64_t *removed, ww_diag_t *diag);
/* Changes whenever indicators are added, updated or removed. */
int ww_intel_generation(ww_store_t *st, int64_t *gen, ww_diag_t *diag);
/* Calls fn for each stored indicator (of `source` when not NULL): only expired ones
 * (valid_until before now) when `expired`, else those valid now or later. */
typedef int (*ww_intel_fn)(void *ud, const ww_indicator_t *ind);
int ww_intel_store_list(ww_store_t *st, const char *source, bool expired, int64_t now,
                        ww_intel_fn fn, void *ud, ww_diag_t *diag);

/* ---- the matcher ---- */

typedef struct ww_intel ww_intel_t;

/* Compiles the store's indicators valid at `now` (valid_from <= now < valid_until,
 * bounds unset = open) whose row is after `after_row` (0: all; a retro-hunt passes
 * the last matcher's ww_intel_last_row to get only the new ones).  *out owns
 * everything; free with ww_intel_free. */
int ww_intel_load(ww_store_t *st, int64_t now, int64_t after_row, ww_intel_t **out,
                  ww_diag_t *diag);
/* The same from an imported set (hunt --intel-file; tests). */
int ww_intel_from_set(const ww_intel_set_t *set, int64_t now, ww_intel_t **out);
void ww_intel_free(ww_intel_t *m);
size_t ww_intel_count(const ww_intel_t *m);
int64_t ww_intel_last_row(const ww_intel_t *m);

/* Matches ev's address, domain, URL, hash and sender fields (see docs/intel.md for
 * the names) and calls emit(ud, k) for each indicator k that matches, once per
 * indicator and event.  Thread-safe: reads m only. */
void ww_intel_match(const ww_intel_t *m, const ww_event_t *ev, void (*emit)(void *, uint32_t),
                    void *ud);
const ww_indicator_t *ww_intel_get(const ww_intel_t *m, uint32_t k);
/* The rule an alert of indicator k is raised under: id "intel:<indicator id>", title
 * "Indicator match: <value> (<source>, TLP:X)", tags "intel" and "tlp:x".  Made on
 * first use and owned by m.  Not thread-safe: the pipeline's owner thread calls it. */
const ww_sigma_rule_t *ww_intel_rule(ww_intel_t *m, uint32_t k);
/* Fills *out so that the pipeline runs m beside the rules (ww_pipe_set_matcher). */
struct ww_pipe_matcher;
void ww_intel_as_matcher(ww_intel_t *m, struct ww_pipe_matcher *out);
/* The TLP of an intel rule (tag "tlp:..."), or -1 for any other rule. */
int ww_intel_rule_tlp(const ww_sigma_rule_t *rule);

/* ---- sightings ---- */

enum { WW_SIGHT_STIX = 1, WW_SIGHT_MISP = 2 };
typedef struct ww_intel_sight_opts {
    int format;      /* WW_SIGHT_* */
    int64_t since;   /* alerts received at or after (ns), WW_TIME_NONE for all */
    int max_tlp;     /* indicators above it are left out; never above AMBER+STRICT */
    const char *org; /* the reporting organisation's name (the STIX identity) */
    int64_t now;     /* the export's own timestamp (ns) */
} ww_intel_sight_opts_t;
/* Writes the stored intel alerts of st as sightings into out; *n (may be NULL) the
 * sightings written, *withheld those left out for their TLP. */
int ww_intel_sightings(ww_store_t *st, const ww_intel_sight_opts_t *o, ww_buf_t *out, uint64_t *n,
                       uint64_t *withheld, ww_diag_t *diag);

#endif
