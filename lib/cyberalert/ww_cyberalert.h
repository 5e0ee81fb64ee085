/* NHS cyber alerts (module "cyberalert" in the shared store): an alert's reference
 * ("CC-4567"), title, severity, publication time, affected products with version
 * ranges, CVEs and free text; the assets of the register it applies to, worked out
 * with the audit's own product matching (lib/feeds: ww_feeds_eol and its word rules)
 * and the register's missing updates; the clocks of NHS England's "respond to an NHS
 * cyber alert" process (acknowledge a high-severity alert within 48 hours, first
 * update within 3 days, mitigate within 14 days); and each applicable asset's
 * progress to patched, mitigated or not applicable, with who, when and a note.
 * Every change is also kept in the module's own event table (who, when, what).
 *
 * Times are seconds since the epoch, UTC.  Memory: everything a function hands out
 * lives in the caller's arena; nothing is freed piecemeal. */
#ifndef WW_CYBERALERT_H
#define WW_CYBERALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "feeds/ww_feeds.h"
#include "store/ww_store.h"
#include "util/ww_util.h"

/* Caps on what one alert may hold (import files are outside input). */
#define WW_CA_MAX_ALERTS 10000    /* alerts per import file */
#define WW_CA_MAX_PRODUCTS 256    /* affected products per alert */
#define WW_CA_MAX_RANGES 64       /* version ranges per product */
#define WW_CA_MAX_CVES 1024       /* CVEs per alert */
#define WW_CA_MAX_TEXT 65536      /* bytes of summary or a note */
#define WW_CA_MAX_FIELD 512       /* bytes of a reference, title, product, range, URL */
#define WW_CA_MAX_FILE (16 << 20) /* bytes of an import file */

/* The clocks, in seconds after publication (docs/cyber-alerts.md cites the process). */
#define WW_CA_ACK_SECS (48 * 3600)       /* acknowledge a high-severity alert */
#define WW_CA_UPDATE_SECS (3 * 86400)    /* first update */
#define WW_CA_MITIGATE_SECS (14 * 86400) /* patch or mitigate the applicable assets */

/* NHS England's severities.  "critical" is accepted because some alerts are headed so;
 * it runs the same clocks as high. */
typedef enum ww_ca_sev {
    WW_CA_SEV_LOW = 1,
    WW_CA_SEV_MEDIUM,
    WW_CA_SEV_HIGH,
    WW_CA_SEV_CRITICAL,
} ww_ca_sev_t;
const char *ww_ca_sev_name(ww_ca_sev_t s);
/* Case-insensitive "low", "medium", "high", "critical".  0 or WW_EPARSE. */
int ww_ca_sev_parse(const char *s, ww_ca_sev_t *out);

/* An applicable asset's progress. */
typedef enum ww_ca_state {
    WW_CA_OPEN = 0, /* applies, nothing recorded yet */
    WW_CA_PATCHED,
    WW_CA_MITIGATED,
    WW_CA_NOT_APPLICABLE, /* someone checked: it does not apply after all */
} ww_ca_state_t;
const char *ww_ca_state_name(ww_ca_state_t s);
/* "open", "patched", "mitigated", "not_applicable" (also "not-applicable", "na").
 * 0 or WW_EPARSE. */
int ww_ca_state_parse(const char *s, ww_ca_state_t *out);

typedef struct ww_ca_product {
    const char *product; /* "FortiOS", "Windows Server 2012 R2", "Baxter Sigma Spectrum" */
    const char **ranges; /* "7.4.0 - 7.4.2", ">= 7.2.0, < 7.2.7", "7.0.x"; none = all */
    size_t nranges;
} ww_ca_product_t;

typedef struct ww_cyberalert {
    int64_t id; /* the store's key; 0 before it is stored */
    const char *ref, *title, *summary, *url;
    ww_ca_sev_t severity;
    int64_t published; /* the clocks start here */
    int64_t patch_by;  /* the alert's own mitigation deadline, or 0: published + 14 days */
    ww_ca_product_t *products;
    size_t nproducts;
    const char **cves;
    size_t ncves;
    /* Handling (read from the store; ignored by add/import). */
    int64_t created_at, acked_at, first_update_at, closed_at; /* 0 = not yet */
    const char *created_by, *acked_by, *closed_by, *close_note;
} ww_cyberalert_t;

/* ---- checking what people write --------------------------------------------------- */

/* Checks one version range; 0, or WW_EPARSE with a reason and the 1-based column in
 * diag (diag->file untouched).  Forms: "*" / "all"; "A - B" (inclusive); comparators
 * ">= A", "> A", "<= A", "< A", "= A" joined by ',' or spaces (all must hold); a bare
 * version or "7.4.x" / "7.4.*": that release line (7.4, 7.4.0, 7.4.12 ...). */
int ww_ca_range_check(const char *range, ww_diag_t *diag);
/* Does `version` fall in `range` (checked)?  1 yes, 0 no. */
int ww_ca_range_match(const char *range, const char *version);
/* Compares two versions segment by segment (numbers as numbers, "1.1.1w" after
 * "1.1.1", "7.4.0-rc1" before "7.4.0").  <0, 0, >0. */
int ww_ca_version_cmp(const char *a, const char *b);

/* Checks an alert before it is stored: reference ("CC-4567": letters, digits, '-'),
 * title, severity, published, every product and range, CVE ids ("CVE-YYYY-N").
 * 0 or WW_EINVAL with diag saying which field and why. */
int ww_cyberalert_check(const ww_cyberalert_t *a, ww_diag_t *diag);

/* ---- import files ----------------------------------------------------------------- */

/* Parses an import file (JSON or YAML: the format is in docs/cyber-alerts.md): a map
 * with `alerts:` (a list), a list of alerts, or one alert.  Unknown keys, wrong types
 * and bad values are errors naming the file, line and column.  Returns 0 and *out /
 * *n (in arena), or WW_EPARSE / WW_ELIMIT with diag. */
int ww_cyberalert_parse(const char *name, const char *data, size_t len, ww_arena_t *arena,
                        ww_cyberalert_t **out, size_t *n, ww_diag_t *diag);

/* ---- the store -------------------------------------------------------------------- */

int ww_cyberalert_migrate(ww_store_t *st, ww_diag_t *diag);

/* Who acts and when: every change is recorded with them. */
typedef struct ww_ca_who {
    const char *by; /* "cli:alice", "alice" (console) */
    int64_t at;     /* the injected clock */
} ww_ca_who_t;

/* Stores a new alert (checked first).  With `replace`, an alert of the same reference
 * has its definition (title, severity, dates, products, CVEs, text) replaced and its
 * handling kept; without it, an existing reference is WW_EINVAL.  *created (may be
 * NULL) says whether it was new.  0 or WW_E* with diag. */
int ww_cyberalert_put(ww_store_t *st, const ww_cyberalert_t *a, bool replace,
                      const ww_ca_who_t *who, bool *created, ww_diag_t *diag);

/* Reads the alert with this reference (case-insensitive).  1 and *out (strings in
 * arena), 0 when there is none, or WW_E*. */
int ww_cyberalert_get(ww_store_t *st, const char *ref, ww_arena_t *arena, ww_cyberalert_t *out,
                      ww_diag_t *diag);

/* Every alert, newest publication first; *out in arena.  0 or WW_E*. */
int ww_cyberalert_list(ww_store_t *st, ww_arena_t *arena, ww_cyberalert_t **out, size_t *n,
                       ww_diag_t *diag);

/* Handling.  Each returns 0, WW_ENOENT (no such alert / asset), WW_EINVAL with diag
 * (already acknowledged, closed, a bad state), or WW_EIO.  A closed alert takes no
 * more changes. */
int ww_cyberalert_ack(ww_store_t *st, const char *ref, const ww_ca_who_t *who, const char *note,
                      ww_diag_t *diag);
int ww_cyberalert_update(ww_store_t *st, const char *ref, const ww_ca_who_t *who, const char *note,
                         ww_diag_t *diag);
int ww_cyberalert_close(ww_store_t *st, const char *ref, const ww_ca_who_t *who, const char *note,
                        ww_diag_t *diag);
/* Records an applicable (or possibly applicable) asset's state; `asset` is its name
 * as listed (asset_id, else hostname, else IP). */
int ww_cyberalert_set_asset(ww_store_t *st, const char *ref, const char *asset, ww_ca_state_t state,
                            const ww_ca_who_t *who, const char *note, ww_diag_t *diag);

/* One update note. */
typedef struct ww_ca_note {
    int64_t at;
    const char *by, *action, *detail; /* action: "add", "ack", "update", "asset", "close" */
} ww_ca_note_t;
/* The alert's history, oldest first. */
int ww_cyberalert_history(ww_store_t *st, int64_t alert_id, ww_arena_t *arena, ww_ca_note_t **out,
                          size_t *n, ww_diag_t *diag);

/* ---- applicability ---------------------------------------------------------------- */

typedef struct ww_ca_asset {
    int64_t asset_rowid;  /* the register row, 0 when the asset has since gone */
    const char *asset;    /* the name it goes by: asset_id, hostname or IP */
    const char *hostname; /* or "" */
    bool possible;        /* the product matches but its version is not recorded */
    const char *basis;    /* why it applies: "os FortiOS 7.4.3 (fortios 7.4.0 - 7.4.2)" */
    ww_ca_state_t state;
    int64_t state_at; /* 0 while open */
    const char *state_by, *note;
} ww_ca_asset_t;

/* Works out which assets of the register `a` applies to: an asset applies when its
 * OS (os + os_version/build/firmware), firmware, a piece of installed software or
 * (manufacturer + model) is the product named by one of the alert's products, in one
 * of its ranges, or when its missing updates list one of the alert's CVEs.  The
 * product is the one ww_feeds_eol() finds (the audit's end-of-life matching, so
 * "FortiGate" is FortiOS and "Windows Server 2012" is not 2012 R2); a product the
 * data does not know is matched by its words.  Fills *out (in arena).  `f` may be NULL
 * (words only).  0 or WW_E*. */
int ww_cyberalert_applicable(ww_store_t *st, const ww_feeds_t *f, const ww_cyberalert_t *a,
                             ww_arena_t *arena, ww_ca_asset_t **out, size_t *n, ww_diag_t *diag);
/* Brings the stored applicable assets of every open alert (or only `ref`, when not
 * NULL) up to date with the register: new matches are added (open), matches that no
 * longer hold and have no state recorded are dropped, recorded states are kept.
 * 0 or WW_E*. */
int ww_cyberalert_refresh(ww_store_t *st, const ww_feeds_t *f, const char *ref,
                          const ww_ca_who_t *who, ww_diag_t *diag);
/* The stored applicable assets of an alert, ordered by name; *out in arena. */
int ww_cyberalert_assets(ww_store_t *st, int64_t alert_id, ww_arena_t *arena, ww_ca_asset_t **out,
                         size_t *n, ww_diag_t *diag);

/* ---- the clocks ------------------------------------------------------------------- */

typedef enum ww_ca_clock_state {
    WW_CLOCK_NONE = 0, /* no deadline at this severity */
    WW_CLOCK_PENDING,  /* not done, not yet due */
    WW_CLOCK_MET,      /* done by the deadline */
    WW_CLOCK_LATE,     /* done, after the deadline */
    WW_CLOCK_OVERDUE,  /* not done and the deadline has passed */
} ww_ca_clock_state_t;
const char *ww_ca_clock_name(ww_ca_clock_state_t s);

typedef struct ww_ca_clock {
    ww_ca_clock_state_t state;
    int64_t due;  /* 0 with WW_CLOCK_NONE */
    int64_t done; /* when it was done, 0 = not */
} ww_ca_clock_t;

typedef struct ww_ca_clocks {
    ww_ca_clock_t ack, update, mitigate;
} ww_ca_clocks_t;

/* The deadline of each step of `a` as seen at `now`: due exactly at the deadline is on
 * time, one second after is late or overdue.  Acknowledgement and first update have
 * deadlines for high and critical alerts only; mitigation for those too, at patch_by
 * when the alert gives one.  A closed alert's clocks stop at its closing (not done by
 * then stays overdue if it was due).  `nassets_open` = applicable assets still open
 * (the mitigation clock is done when it is 0; done = the latest state change, given as
 * `last_state_at`). */
void ww_cyberalert_clocks(const ww_cyberalert_t *a, int64_t now, size_t nassets_open,
                          int64_t last_state_at, ww_ca_clocks_t *out);
/* The mitigation deadline of an alert (patch_by, else published + 14 days). */
int64_t ww_cyberalert_mitigate_due(const ww_cyberalert_t *a);

/* ---- JSON ------------------------------------------------------------------------- */

/* Appends one alert as a JSON object (with its clocks at `now` and, when assets is not
 * NULL, its applicable assets). */
int ww_cyberalert_json(ww_buf_t *b, const ww_cyberalert_t *a, int64_t now,
                       const ww_ca_asset_t *assets, size_t nassets);
/* Formats a time as "2026-05-01T09:00:00Z" (>= 21 bytes); "" for 0. */
void ww_ca_time_format(int64_t t, char *out, size_t outlen);
/* Parses "2026-05-01" (midnight UTC) or an ISO 8601 date-time.  0 or WW_EPARSE. */
int ww_ca_time_parse(const char *s, int64_t *out);

#endif
