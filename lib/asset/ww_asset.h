/* The asset and medical-device register: the asset record, its vocabularies, the
 * importers (CSV, JSON, nmap -oX XML) and the register's tables in the shared store
 * (module "asset").  Devices seen on the network (nmap, logs) but matched to no
 * registered asset are kept apart as "observed" so the audit can report medical
 * devices missing from the register.
 *
 * Memory: every string and array reachable from a ww_asset_t / ww_observed_t that
 * this module hands out is owned by the arena of the ww_asset_set_t (or the
 * importer) that produced it; nothing is freed piecemeal. */
#ifndef WW_ASSET_H
#define WW_ASSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/ww_store.h"
#include "util/ww_util.h"

/* Times are seconds since the Unix epoch, UTC.  A date without a time is midnight
 * UTC of that day.  WW_ASSET_NOTIME = not given. */
#define WW_ASSET_NOTIME INT64_MIN

/* Caps on what one record may hold (outside input). */
#define WW_ASSET_MAX_LIST 512      /* IPs, software, updates, admins, ports per asset */
#define WW_ASSET_MAX_FIELD 4096    /* bytes per field value */
#define WW_ASSET_MAX_ROWS 1000000u /* records per import file */

/* ---- vocabularies -------------------------------------------------------------- */

typedef enum ww_asset_type {
    WW_AT_UNKNOWN = 0, /* empty or not one of the words below */
    WW_AT_DESKTOP,
    WW_AT_LAPTOP,
    WW_AT_SERVER,
    WW_AT_VM,
    WW_AT_THIN_CLIENT,
    WW_AT_MOBILE,
    WW_AT_NETWORK,
    WW_AT_FIREWALL,
    WW_AT_MEDICAL_DEVICE,
    WW_AT_IOT,
    WW_AT_CLOUD_SERVICE,
    WW_AT__COUNT
} ww_asset_type_t;

/* yes / no / na ("the control does not apply to this kind of asset"); UNKNOWN when
 * the register says nothing (empty cell, column absent). */
typedef enum ww_tri {
    WW_TRI_UNKNOWN = 0,
    WW_TRI_YES,
    WW_TRI_NO,
    WW_TRI_NA,
} ww_tri_t;

typedef enum ww_crit {
    WW_CRIT_UNKNOWN = 0,
    WW_CRIT_NONE,
    WW_CRIT_LOW,
    WW_CRIT_MEDIUM,
    WW_CRIT_HIGH,
    WW_CRIT_CRITICAL,
} ww_crit_t;

/* Vendor severity of a missing update.  "important" reads as HIGH and "moderate" as
 * MEDIUM (Microsoft's words).  NONE = no severity given (Cyber Essentials treats a
 * fix with no severity as critical/high: the audit decides). */
typedef enum ww_sev {
    WW_SEV_NONE = 0,
    WW_SEV_LOW,
    WW_SEV_MEDIUM,
    WW_SEV_HIGH,
    WW_SEV_CRITICAL,
} ww_sev_t;

typedef enum ww_asset_source {
    WW_SRC_UNKNOWN = 0,
    WW_SRC_CSV,
    WW_SRC_JSON,
    WW_SRC_NMAP,
    WW_SRC_LOG,
} ww_asset_source_t;

/* Names ("desktop", "medical_device", "yes", "critical", "csv", ...) and parsers.
 * The parsers accept the documented words case-insensitively, ignoring spaces,
 * dashes and underscores (and a few synonyms: "thin client", "medical", "network
 * device", "y"/"true"/"1", "n/a", "important", "moderate"); they return 0 and set
 * *out, or WW_EPARSE for anything else (empty text gives the UNKNOWN/NONE value). */
const char *ww_asset_type_name(ww_asset_type_t t);
const char *ww_tri_name(ww_tri_t t);
const char *ww_crit_name(ww_crit_t c);
const char *ww_sev_name(ww_sev_t s);
const char *ww_asset_source_name(ww_asset_source_t s);
int ww_asset_type_parse(const char *p, size_t n, ww_asset_type_t *out);
int ww_tri_parse(const char *p, size_t n, ww_tri_t *out);
int ww_crit_parse(const char *p, size_t n, ww_crit_t *out);
int ww_sev_parse(const char *p, size_t n, ww_sev_t *out);
/* ISO 8601 date or date-time ("2026-03-14", "2026-03-14T10:00:00Z", "2026-03-14
 * 10:00").  0 or WW_EPARSE. */
int ww_asset_time_parse(const char *p, size_t n, int64_t *out);

/* How a register writes dates that are not ISO 8601 ("14/03/2026", "03/14/2026",
 * "14.03.2026"): day first (the UK way, and the default), month first, or not at
 * all (only ISO accepted). */
typedef enum ww_date_order {
    WW_DATE_DMY = 0,
    WW_DATE_MDY,
    WW_DATE_ISO,
} ww_date_order_t;
/* "dmy", "mdy", "iso". */
const char *ww_date_order_name(ww_date_order_t o);
/* 0 and *out for "dmy", "mdy" or "iso"; WW_EINVAL otherwise. */
int ww_date_order_parse(const char *s, ww_date_order_t *out);
/* An ISO 8601 date or date-time (always accepted), or, unless order is ISO, a date
 * with a four-digit year last, day and month separated by '/', '.' or '-' in the
 * given order, optionally followed by a time ("14/03/2026 10:05").  The day must
 * exist.  0 or WW_EPARSE. */
int ww_asset_date_parse(const char *p, size_t n, ww_date_order_t order, int64_t *out);

/* ---- the record ---------------------------------------------------------------- */

typedef struct ww_update {
    const char *id; /* "CVE-2017-0144", "KB5034441", "MS17-010" */
    ww_sev_t severity;
    double cvss;      /* CVSS v3 base score 0..10, or < 0 when not given */
    int64_t released; /* vendor release date, or WW_ASSET_NOTIME */
} ww_update_t;

typedef struct ww_software {
    const char *name;    /* "Google Chrome", "Java 8", "OpenSSL" */
    const char *version; /* "126.0.6478.127"; may be "" */
} ww_software_t;

typedef struct ww_port {
    uint16_t port;
    char proto[4];       /* "tcp" / "udp" / "sctp" */
    const char *service; /* nmap service name ("microsoft-ds", "dicom"); may be "" */
    const char *product; /* nmap product + version text; may be "" */
} ww_port_t;

typedef struct ww_asset {
    int64_t rowid;        /* the store's key; 0 before it is stored */
    const char *asset_id; /* the register's own ID; may be "" (then hostname/IP key) */
    const char *hostname;
    const char **ips; /* all addresses, first = primary */
    size_t nips;
    const char *mac; /* normalised "aa:bb:cc:dd:ee:ff", or "" */
    ww_asset_type_t type;
    const char *owner, *location, *segment;
    const char *os, *os_version, *build, *firmware; /* as people write them */
    ww_software_t *software;
    size_t nsoftware;
    ww_update_t *updates; /* missing updates */
    size_t nupdates;
    int64_t last_patched, last_boot;
    ww_tri_t av_enabled, firewall_enabled, autorun_disabled, default_password_changed;
    ww_tri_t esu; /* enrolled in extended security updates past end of support */
    /* The register says the asset sits in an isolated segment: its own firewalled
       segment (VLAN) that no other kind of system shares, with no internet access. */
    ww_tri_t isolated;
    ww_tri_t mfa, internet_exposed;
    ww_crit_t clinical_criticality;
    const char **admin_accounts;
    size_t nadmins;
    /* Medical devices: what the manufacturer's MDS2 form says. */
    const char *manufacturer, *model;
    const char *patch_by;          /* who may patch: "manufacturer", "trust", "either", free text */
    ww_tri_t remote_service;       /* manufacturer remote service access */
    ww_tri_t stores_patient_data;  /* stores or transmits patient data */
    ww_tri_t encryption;           /* data encrypted at rest/in transit */
    ww_asset_source_t source;      /* where the record last came from */
    int64_t first_seen, last_seen; /* first import / latest import or scan */
    ww_port_t *ports;              /* open ports from the latest nmap scan */
    size_t nports;
    const char *os_guess; /* nmap's best OS match, or "" */
    const char *notes;
} ww_asset_t;

/* Field identifiers, used for the loose header names, for JSON keys and as the
 * bit positions of a "which fields does this input give" mask (so re-importing a
 * file with fewer columns updates those and keeps the rest). */
typedef enum ww_asset_field {
    WW_AF_ASSET_ID = 0,
    WW_AF_HOSTNAME,
    WW_AF_IP,
    WW_AF_MAC,
    WW_AF_TYPE,
    WW_AF_OWNER,
    WW_AF_LOCATION,
    WW_AF_SEGMENT,
    WW_AF_OS,
    WW_AF_OS_VERSION,
    WW_AF_BUILD,
    WW_AF_FIRMWARE,
    WW_AF_SOFTWARE,
    WW_AF_MISSING_UPDATES,
    WW_AF_LAST_PATCHED,
    WW_AF_LAST_BOOT,
    WW_AF_AV_ENABLED,
    WW_AF_FIREWALL_ENABLED,
    WW_AF_AUTORUN_DISABLED,
    WW_AF_DEFAULT_PASSWORD_CHANGED,
    WW_AF_MFA,
    WW_AF_INTERNET_EXPOSED,
    WW_AF_CLINICAL_CRITICALITY,
    WW_AF_ADMIN_ACCOUNTS,
    WW_AF_MANUFACTURER,
    WW_AF_MODEL,
    WW_AF_PATCH_BY,
    WW_AF_REMOTE_SERVICE,
    WW_AF_STORES_PATIENT_DATA,
    WW_AF_ENCRYPTION,
    WW_AF_ESU,      /* enrolled in extended security updates (Windows ESU, Ubuntu ESM) */
    WW_AF_ISOLATED, /* its segment is isolated (own firewalled segment, no internet) */
    WW_AF_NOTES,
    WW_AF_PORTS,    /* nmap only */
    WW_AF_OS_GUESS, /* nmap only */
    WW_AF__COUNT
} ww_asset_field_t;

/* The canonical (documented) name of a field: "asset_id", "missing_updates", ... */
const char *ww_asset_field_name(ww_asset_field_t f);
/* Maps a header or JSON key to a field, loosely: case, spaces, dashes, underscores
 * and dots are ignored and common synonyms are accepted ("IP Address", "Host name",
 * "Operating System", "Asset Tag", ...; docs/assets.md lists them).  Returns the
 * field or -1. */
int ww_asset_field_lookup(const char *p, size_t n);

/* ---- importing ----------------------------------------------------------------- */

/* What one import did.  Rejected records are reported through the callback below
 * and counted; good records are written whatever happens to bad ones. */
typedef struct ww_import_stats {
    size_t imported; /* new assets */
    size_t updated;  /* existing assets updated (re-import, nmap match) */
    size_t rejected; /* records refused (malformed) */
    size_t observed; /* nmap hosts matching no asset, recorded as observed */
    /* Records read without fault but not kept: the store failed or refused a write,
     * so the file's transaction was rolled back.  imported, updated and observed
     * count only what was committed. */
    size_t not_stored;
    /* Cells that could not be used (a bad date, an unknown word): the record was
     * kept without them and each one was reported through on_warning. */
    size_t cells_ignored;
} ww_import_stats_t;

/* Called for every rejected record (and for file-level problems) with where and why:
 * diag->file, diag->line (CSV row = physical line of the record's start; JSON line;
 * XML line), diag->col (CSV column number, 1-based; JSON/XML column) and msg. */
typedef void (*ww_import_err_fn)(void *ud, const ww_diag_t *diag);

typedef enum ww_import_format {
    WW_IMPORT_AUTO = 0, /* by extension, then by content */
    WW_IMPORT_CSV,
    WW_IMPORT_JSON,
    WW_IMPORT_NMAP,
} ww_import_format_t;

typedef struct ww_import_opts {
    ww_import_format_t format;
    ww_import_err_fn on_error;
    void *ud;
    int64_t now; /* "seen" time stamp; 0 or WW_ASSET_NOTIME = the clock */
    /* How slashed dates are read (CSV and JSON); the default (0) is day first. */
    ww_date_order_t date_order;
    /* Called for a cell that could not be used while the rest of its record was
     * kept (the field is left as it was); NULL = on_error. */
    ww_import_err_fn on_warning;
} ww_import_opts_t;

/* Imports one file (or `len` bytes of `data` already in memory, named `name`) into
 * the register.  Matching (re-import updates, never duplicates), in order: same
 * asset_id; else same hostname (case-insensitive) when the record has no asset_id
 * or the stored one has none; else a shared IP or the same MAC.  Returns 0 when the
 * file could be read (even with rejected records: see stats), or WW_EIO / WW_EPARSE
 * (the whole file unreadable: e.g. no header, not JSON at all) with diag. */
int ww_asset_import_file(ww_store_t *st, const char *path, const ww_import_opts_t *opts,
                         ww_import_stats_t *stats, ww_diag_t *diag);
int ww_asset_import_mem(ww_store_t *st, const char *name, const char *data, size_t len,
                        const ww_import_opts_t *opts, ww_import_stats_t *stats, ww_diag_t *diag);

/* Records a device seen on the network but not necessarily registered (the log
 * readers call this with an IP seen in events).  Matched against the register: an
 * asset with that IP/MAC gets last_seen updated; otherwise an observed row is
 * added or refreshed.  Returns 1 when it matched an asset, 0 when observed, <0 on
 * error. */
int ww_asset_observe(ww_store_t *st, const char *ip, const char *mac, const char *hostname,
                     ww_asset_source_t source, int64_t when, ww_diag_t *diag);

/* ---- reading the register ------------------------------------------------------ */

/* A device seen (by nmap or in logs) that matches no registered asset. */
typedef struct ww_observed {
    int64_t rowid;
    const char *ip, *mac, *hostname;
    const char *vendor;   /* MAC vendor from nmap, or "" */
    const char *os_guess; /* nmap OS match, or "" */
    ww_port_t *ports;
    size_t nports;
    ww_asset_source_t source;
    int64_t first_seen, last_seen;
    /* Non-empty when the evidence suggests a medical device: why, in words
       ("DICOM port 104 open", "MAC vendor GE Healthcare", "nmap device type
       'specialized' ..."); "" otherwise. */
    const char *medical_hint;
} ww_observed_t;

/* Every asset and every still-unregistered observed device, in one arena. */
typedef struct ww_asset_set {
    ww_arena_t arena;
    ww_asset_t *assets;
    size_t n;
    ww_observed_t *observed;
    size_t nobserved;
    /* Network scans (nmap) imported into this register, and when the latest was made
     * (else imported); WW_ASSET_NOTIME when there was none. */
    size_t nscans;
    int64_t last_scan;
} ww_asset_set_t;

/* Brings the register's tables up to date (module "asset").  Every other function
 * here calls it; callers only need it to create an empty register. */
int ww_asset_migrate(ww_store_t *st, ww_diag_t *diag);

/* Loads the whole register (assets ordered by asset_id/hostname, then observed
 * devices ordered by IP).  Observed devices that have since been registered (same
 * IP or MAC as an asset) are left out.  0 or WW_E* with diag; release with
 * ww_asset_set_release (also after failure). */
int ww_asset_load(ww_store_t *st, ww_asset_set_t *out, ww_diag_t *diag);
void ww_asset_set_release(ww_asset_set_t *s);

/* Calls fn for each asset in the order of ww_asset_load; stops early when fn
 * returns non-zero and returns that value.  The asset is valid during the call. */
typedef int (*ww_asset_each_fn)(void *ud, const ww_asset_t *a);
int ww_asset_each(ww_store_t *st, ww_asset_each_fn fn, void *ud, ww_diag_t *diag);

/* Finds one asset by asset_id, else hostname, else IP or MAC.  Returns 1 and *out
 * (owned by `arena`), 0 when there is none, or WW_E*. */
int ww_asset_find(ww_store_t *st, const char *key, ww_arena_t *arena, ww_asset_t *out,
                  ww_diag_t *diag);

/* A short medical-device hint for observed evidence (used at import; exposed for
 * tests and for the log readers).  Returns a static or arena string, "" for none. */
const char *ww_asset_medical_hint(const char *vendor, const char *os_guess, const ww_port_t *ports,
                                  size_t nports, ww_arena_t *arena);

#endif
