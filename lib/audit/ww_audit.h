/* The audit: checks the asset register against Cyber Essentials (Danzell v16) and NHS
 * DSPT rules and ranks what it finds.  Each check is a small function over one asset,
 * the reference data (KEV, end-of-life dates, reached through ww_audit_ref_t so tests
 * can supply their own) and the `as_of` day; two checks look across assets (unsupported
 * systems sharing a segment, medical devices seen but not registered) and run in
 * ww_audit_finish().  The exact rule of every check is in docs/audit.md.
 *
 * The audit states facts the register (or the network map) records, never facts it
 * guesses from free text: enrolment in extended support is the `esu` column, isolation
 * is the `isolated` column or the map.
 *
 * All dates are compared as whole UTC days: "day 14 passes, day 15 fails" means
 * day(as_of) - day(released) <= 14 passes.
 *
 * Memory: a ww_audit_report_t owns every finding and string in it (one arena);
 * ww_audit_report_free() releases all of it.  Assets, observed devices and reference
 * data passed in are only read during the call. */
#ifndef WW_AUDIT_H
#define WW_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "asset/ww_asset.h"
#include "util/ww_util.h"

/* Seconds per day; asset times are seconds since the epoch. */
#define WW_AUDIT_DAY 86400
/* Fixes for critical/high vulnerabilities must be installed within this many days. */
#define WW_AUDIT_PATCH_DAYS 14
/* A device should have restarted within this many days (pending updates apply). */
#define WW_AUDIT_REBOOT_DAYS 7
/* Findings kept per report (each is a few hundred bytes). */
#define WW_AUDIT_MAX_FINDINGS 2000000u

/* ---- reference data ------------------------------------------------------------ */

/* One KEV catalogue entry. */
typedef struct ww_audit_kev {
    bool ransomware;  /* knownRansomwareCampaignUse == "Known" */
    const char *name; /* vulnerabilityName, or "" */
} ww_audit_kev_t;

/* End-of-life facts for one product release.  Days are days since 1970-01-01. */
#define WW_AUDIT_NEVER INT64_MAX /* no end announced ("eol: false") */
#define WW_AUDIT_ENDED INT64_MIN /* ended, date not given ("eol: true") */
typedef struct ww_audit_eol {
    char product[64];   /* display name of the release: "Microsoft Windows 7 SP1" */
    char release[64];   /* the release matched: "2008 R2 SP1" */
    int64_t eol_day;    /* last day of security support, or NEVER / ENDED */
    int64_t eoes_day;   /* last day of extended support (ESU, ESM, LTS), or ENDED = none */
    bool extended_free; /* extended support needs no subscription (Debian LTS) */
} ww_audit_eol_t;

typedef struct ww_audit_report ww_audit_report_t;

/* How checks reach reference data.  Either function may be NULL (no data: KEV finds
 * nothing, every product is of unknown support status). */
typedef struct ww_audit_ref {
    void *ud;
    /* 1 and *out when `cve` is in the KEV catalogue, 0 when not.  Strings in *out
     * stay valid as long as the reference data does. */
    int (*kev)(void *ud, const char *cve, ww_audit_kev_t *out);
    /* 1 and *out when the data knows `product` (+ `version`, may be ""), 0 when not. */
    int (*eol)(void *ud, const char *product, const char *version, ww_audit_eol_t *out);
    /* What the network map says of the segment asset `a` is in: 1 isolated, 0 not
     * isolated, -1 the map does not place it (or there is no map).  May be NULL.
     * `where` (>= 64 bytes) receives the map segment's name when it returns 0 or 1. */
    int (*segment_isolated)(void *map_ud, const ww_asset_t *a, char *where, size_t wherelen);
    void *map_ud;
    /* How old the reference data is: the day (days since 1970-01-01) the KEV catalog
     * was released and the day the end-of-life data was taken, WW_AUDIT_NODAY (or 0)
     * when not known.  The report states them and warns when they are older than
     * WW_AUDIT_STALE_DAYS on the as-of day.  `kev_version` / `eol_source` may be NULL. */
    int64_t kev_day, eol_day;
    const char *kev_version, *eol_source;
    /* Findings kept outside the register (NHS cyber alerts, lib/cyberalert): called once
     * by ww_audit_run() after the per-asset checks and before the ranking; it adds them
     * with ww_audit_add_finding().  May be NULL.  Returns 0 or WW_E*. */
    int (*extra)(void *extra_ud, ww_audit_report_t *r);
    void *extra_ud;
} ww_audit_ref_t;

/* Reference data older than this many days (on the as-of day) is called out of date. */
#define WW_AUDIT_STALE_DAYS 30
#define WW_AUDIT_NODAY INT64_MIN

/* ---- controls ------------------------------------------------------------------ */

/* A control the audit evaluates: the Cyber Essentials question (label as in the
 * OSCAL catalog) or DSPT reference, a short plain-English statement, and whether
 * the catalog marks it as an automatic fail. */
typedef struct ww_audit_control {
    const char *id;    /* "A6.4", "DSPT A3.a" */
    const char *title; /* short statement of what must be true */
    bool auto_fail;
} ww_audit_control_t;

/* The controls in report order (static table). */
const ww_audit_control_t *ww_audit_controls(size_t *n);
/* The control with this id, or NULL. */
const ww_audit_control_t *ww_audit_control(const char *id);

/* ---- findings and the report --------------------------------------------------- */

typedef struct ww_audit_finding {
    const char *asset_id; /* register ID (or hostname/IP when it has none) */
    const char *hostname; /* the asset's hostname, or "" */
    const char *model;    /* the register's model (MDS2), or "" */
    const char *maker;    /* the register's manufacturer, or "" */
    const char *check;    /* "patch_overdue", ... (static) */
    const char *control;  /* "A6.4", ... (static) */
    ww_sev_t severity;    /* LOW..CRITICAL */
    bool auto_fail;       /* this finding alone fails an auto-fail control */
    const char *title, *evidence, *remedy;
    /* Ranking inputs and result. */
    bool kev, ransomware, internet;
    ww_crit_t clinical;
    int score;
} ww_audit_finding_t;

/* Per-control tally: assets the control applied to and assets failing it. */
typedef struct ww_audit_tally {
    size_t evaluated, failed;
    /* Of the failing assets, those with a finding that is itself an automatic fail
     * (an asset failing A6.4 only because it was not restarted is not one). */
    size_t failed_auto;
} ww_audit_tally_t;

/* One earlier audit of the same register, for the trend chart ("are we getting
 * better?"): the as-of day and the counts of that run. */
typedef struct ww_audit_point {
    int64_t day;
    size_t assets, findings, by_sev[5], auto_fail;
} ww_audit_point_t;
#define WW_AUDIT_MAX_HISTORY 366 /* points drawn: the latest run of each day */

/* What the support-status checks decided about an asset's OS/firmware. */
typedef enum ww_audit_support {
    WW_SUPPORT_NOT_EVALUATED = 0, /* no OS recorded, or "na" */
    WW_SUPPORT_SUPPORTED,
    WW_SUPPORT_ESU, /* past end of support, covered by extended support */
    WW_SUPPORT_UNSUPPORTED,
    WW_SUPPORT_UNKNOWN, /* the data does not know it */
} ww_audit_support_t;

/* One line of the unsupported-systems list in the reports. */
typedef struct ww_audit_unsupported {
    const char *asset_id, *type, *os, *segment;
    const char *hostname, *maker, *model;
    int kind; /* ww_audit_kind_t (ww_audit_int.h), for the remedy */
    int64_t eol_day;
    bool internet;
    ww_crit_t clinical;
    bool isolated;
    const char *why; /* evidence for isolated or not (static or arena) */
} ww_audit_unsupported_t;

struct ww_audit_report {
    ww_arena_t arena;
    int64_t as_of_day;
    ww_audit_finding_t *findings;
    size_t n, cap;
    bool finished; /* ww_audit_finish() ran: findings are ranked */
    /* Estate counts for the reports. */
    size_t assets;
    size_t by_type[WW_AT__COUNT];
    size_t medical_registered, medical_unregistered, medical_with_mds2;
    size_t observed;         /* devices seen but not registered (medical or not) */
    size_t support[5];       /* assets per ww_audit_support_t */
    ww_audit_tally_t *tally; /* one per control, ww_audit_controls() order */
    ww_audit_unsupported_t *unsupported;
    size_t nunsupported, capunsupported;
    int err; /* first error (WW_ENOMEM, WW_ELIMIT); later calls do nothing */
    /* Whether a network scan was imported (ww_asset_set_t.nscans): without one, nobody
     * looked for unregistered medical devices, so DSPT A3.a is "not checked". */
    size_t scans;
    int64_t last_scan_day; /* WW_AUDIT_NODAY when none */
    /* Reference data dates, copied from the ww_audit_ref_t by ww_audit_run(). */
    int64_t kev_day, eol_day;
    char kev_version[64], eol_source[128];
    /* Earlier runs (oldest first, as-of days before this one's), then this run. */
    ww_audit_point_t *history;
    size_t nhistory;
};

/* A new, empty report for the day `as_of` (seconds since the epoch; only the UTC day
 * counts).  Returns 0 and *out, or WW_ENOMEM. */
int ww_audit_report_new(int64_t as_of, ww_audit_report_t **out);
void ww_audit_report_free(ww_audit_report_t *r);

/* Runs every per-asset check on `a`.  Returns 0 or WW_ENOMEM / WW_ELIMIT. */
int ww_audit_asset(ww_audit_report_t *r, const ww_asset_t *a, const ww_audit_ref_t *ref);
/* Considers a device seen on the network but not registered.  0 or WW_E*. */
int ww_audit_observed(ww_audit_report_t *r, const ww_observed_t *o);
/* Runs the cross-asset checks and ranks the findings (most urgent first).  Call once,
 * after every asset and observed device.  0 or WW_E*. */
int ww_audit_finish(ww_audit_report_t *r);

/* A finding from another module (the ref's `extra` hook).  `check` and `control` must
 * be static strings and `control` one of ww_audit_controls(); the texts are copied.
 * The control's tally is the caller's to keep (ww_audit_count_control).  Returns 0,
 * WW_EINVAL (unknown control) or WW_ENOMEM / WW_ELIMIT. */
typedef struct ww_audit_extra {
    const char *asset_id, *hostname; /* the asset, or the alert's reference */
    const char *check, *control;
    ww_sev_t severity;
    const char *title, *evidence, *remedy;
    bool internet;
    ww_crit_t clinical;
} ww_audit_extra_t;
int ww_audit_add_finding(ww_audit_report_t *r, const ww_audit_extra_t *f);
/* Adds to a control's tally: `evaluated` assets it applied to, `failed` of them failing. */
void ww_audit_count_control(ww_audit_report_t *r, const char *control, size_t evaluated,
                            size_t failed);

/* Convenience: audits a loaded register (assets, then observed devices, then finish),
 * noting whether it holds a network scan and how old the reference data is. */
int ww_audit_run(const ww_asset_set_t *set, const ww_audit_ref_t *ref, int64_t as_of,
                 ww_audit_report_t **out);

/* The counts of a finished report as one trend point. */
void ww_audit_point(const ww_audit_report_t *r, ww_audit_point_t *out);
/* Days the reference data is older than WW_AUDIT_STALE_DAYS on the as-of day: > 0 stale,
 * <= 0 fresh; INT64_MIN when its date is not known. */
int64_t ww_audit_kev_age(const ww_audit_report_t *r);
int64_t ww_audit_eol_age(const ww_audit_report_t *r);

/* ---- history (module "audit" in the store) --------------------------------------- */

/* Keeps this finished run in `st` (table audit_run) and fills r->history with the
 * earlier runs whose as-of day is before r's (the latest run of each day, at most
 * WW_AUDIT_MAX_HISTORY, oldest first), followed by this run.  0 or WW_E* with diag;
 * `save` false only reads. */
int ww_audit_history(ww_store_t *st, ww_audit_report_t *r, bool save, ww_diag_t *diag);
int ww_audit_migrate(ww_store_t *st, ww_diag_t *diag);

/* The support status of product+version on `as_of_day` (days), with `esu` telling
 * whether the asset is enrolled in extended support (the register's esu column).  *eol (may be
 * NULL) receives the data's facts when known.  Exposed for tests. */
ww_audit_support_t ww_audit_support_status(const ww_audit_ref_t *ref, const char *product,
                                           const char *version, bool esu, int64_t as_of_day,
                                           ww_audit_eol_t *eol);

/* Whether a missing update is a critical/high-risk fix under Cyber Essentials
 * (vendor critical/high, or CVSS v3 >= 7.0, or no severity given at all). */
bool ww_audit_update_in_scope(const ww_update_t *u);

/* Risk score of a finding (higher = more urgent); the formula is in docs/audit.md. */
int ww_audit_score(const ww_audit_finding_t *f);

/* Days since 1970-01-01 of a time in seconds (floor). */
int64_t ww_audit_day(int64_t secs);
/* Formats a day number as YYYY-MM-DD into out (>= 11 bytes). */
void ww_audit_day_format(int64_t day, char *out, size_t outlen);

/* ---- output -------------------------------------------------------------------- */

typedef enum ww_audit_format {
    WW_AUDIT_TABLE = 0,
    WW_AUDIT_NDJSON,
    WW_AUDIT_HTML,
} ww_audit_format_t;

/* Writes the finished report to `out`.  0 or WW_EIO (write failed) / WW_ENOMEM. */
int ww_audit_write(const ww_audit_report_t *r, ww_audit_format_t fmt, FILE *out);
int ww_audit_write_ndjson(const ww_audit_report_t *r, FILE *out);
int ww_audit_write_table(const ww_audit_report_t *r, FILE *out);
int ww_audit_write_html(const ww_audit_report_t *r, FILE *out);

/* The HTML report for a page served under a strict Content-Security-Policy (the
 * console): no <style>, style attribute or script; the styles come from `stylesheet`
 * (an href serving ww_audit_html_css), colours from classes.  back_href/back_text: a
 * link in the header back to where the reader came from (may be NULL). */
typedef struct ww_audit_html_opts {
    const char *stylesheet;
    const char *back_href, *back_text;
} ww_audit_html_opts_t;
/* o NULL or without a stylesheet: exactly ww_audit_write_html. */
int ww_audit_write_html_opts(const ww_audit_report_t *r, const ww_audit_html_opts_t *o, FILE *out);
/* The stylesheet for ww_audit_write_html_opts, appended to b.  0 or b->err. */
int ww_audit_html_css(ww_buf_t *b);

/* What the stored network map says of the segment asset `a` is in, for
 * ww_audit_ref_t.segment_isolated with map_ud a ww_fb_map_t: found by the asset's
 * addresses in the segments' prefixes, else by the register's segment name.  With
 * `links:` the map lists every routed path, so a segment no link names is isolated;
 * without links every segment reaches every other (a routed core), and a dmz faces the
 * internet by definition. */
int ww_audit_map_isolated(void *map, const ww_asset_t *a, char *where, size_t wherelen);

#endif
