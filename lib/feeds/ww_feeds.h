/* Reference data the audit judges the register against: the CISA Known Exploited
 * Vulnerabilities catalog and endoflife.date product lifecycles.  Bundled defaults
 * live in data/ (data/kev/known_exploited_vulnerabilities.json, data/endoflife/PRODUCT.md);
 * `wardwatch feeds import` stores newer files in the shared database (module
 * "feeds"), and those replace the bundled ones (KEV as a whole, end-of-life data
 * product by product). */
#ifndef WW_FEEDS_H
#define WW_FEEDS_H

#include <stdbool.h>
#include <stdint.h>

#include "store/ww_store.h"
#include "util/ww_util.h"

/* Dates are seconds since the epoch (midnight UTC).  An end-of-life field is either a
 * date or one of these: */
#define WW_FEEDS_NODATE INT64_MIN      /* not given for this release */
#define WW_FEEDS_NOT_ENDED INT64_MAX   /* "false": no end announced (still supported) */
#define WW_FEEDS_ENDED (INT64_MIN + 1) /* "true": ended, date not given */

#define WW_FEEDS_MAX_FILE ((size_t)64 << 20) /* bytes per feed file */

typedef struct ww_feeds ww_feeds_t;

/* Where the bundled defaults are: $WARDWATCH_DATA if set, else data/ in the source
 * tree wardwatch was built from. */
const char *ww_feeds_default_dir(void);

/* Loads the reference data: the bundled files under `data_dir` (NULL = the default),
 * overridden by whatever `feeds import` stored in `st` (st may be NULL).  Returns 0
 * and *out (free with ww_feeds_free), or WW_E* with diag.  Missing bundled files are
 * not an error: the lookups then answer "unknown". */
int ww_feeds_load(ww_store_t *st, const char *data_dir, ww_feeds_t **out, ww_diag_t *diag);
void ww_feeds_free(ww_feeds_t *f);

/* ---- KEV ------------------------------------------------------------------------ */

typedef struct ww_kev {
    const char *cve; /* "CVE-2017-0144" */
    const char *vendor, *product, *name;
    int64_t date_added, due_date;
    bool ransomware; /* knownRansomwareCampaignUse == "Known" */
} ww_kev_t;

/* The catalog entry for a CVE ID (case-insensitive, surrounding spaces ignored), or
 * NULL.  Owned by f. */
const ww_kev_t *ww_feeds_kev(const ww_feeds_t *f, const char *cve);
/* Number of entries and the catalog's own version/date strings ("" when absent). */
size_t ww_feeds_kev_count(const ww_feeds_t *f);
const char *ww_feeds_kev_version(const ww_feeds_t *f);

/* The date of the KEV data in use (ww_feed_info_t.data_date), or WW_FEEDS_NODATE. */
int64_t ww_feeds_kev_date(const ww_feeds_t *f);
/* The date of the oldest end-of-life product data in use, or WW_FEEDS_NODATE; *slug
 * (may be NULL) names that product. */
int64_t ww_feeds_eol_date(const ww_feeds_t *f, const char **slug);

/* ---- end of life ---------------------------------------------------------------- */

typedef enum ww_eol_status {
    WW_EOL_UNKNOWN_PRODUCT = 0, /* the data has no such product: support status unknown */
    WW_EOL_UNKNOWN_VERSION,     /* product known, version not found or not given */
    WW_EOL_FOUND,               /* a release cycle matched */
} ww_eol_status_t;

typedef struct ww_eol {
    ww_eol_status_t status;
    const char *product; /* endoflife.date slug ("windows-server"), or "" */
    const char *title;   /* "Microsoft Windows Server", or "" */
    const char *cycle;   /* releaseCycle ("2008-r2-sp1"), or "" */
    const char *label;   /* human label ("Windows Server 2008 R2 SP1"), or "" */
    int64_t release;     /* releaseDate */
    int64_t eoas;        /* end of active support (informational) */
    int64_t eol;         /* end of security support: the date that matters */
    int64_t eoes;        /* end of extended support (ESU, ELS, LTSS), if any */
    bool assumed;        /* an edition/channel was assumed (see note) */
    char note[160];      /* why this cycle, or why unknown; plain English */
} ww_eol_t;

/* Matches an OS, firmware or software name plus version as people write them
 * ("Windows 11" + "24H2", "Windows Server 2008 R2" + "SP1", "Ubuntu" + "22.04.4 LTS",
 * "FortiOS" + "7.4.3", "Windows 10 Enterprise LTSC 2019" + "") against the
 * end-of-life data.  Always fills *out (strings owned by f) and returns its status;
 * it never guesses a release the data does not contain: an unknown product or
 * version is reported as such, not as unsupported.  When only the edition is
 * missing (Windows 10/11 feature updates come in Home/Pro and Enterprise/Education
 * flavours with different dates), the longer-supported Enterprise/Education channel
 * is used and `assumed` is set; "Home"/"Pro", "Enterprise", "Education",
 * "LTSC"/"LTSB" and "IoT" in the name select those channels. */
ww_eol_status_t ww_feeds_eol(const ww_feeds_t *f, const char *name, const char *version,
                             ww_eol_t *out);

/* The word rules ww_feeds_eol() matches with, for NHS cyber alerts (lib/cyberalert),
 * which must decide "is this the product the alert names" exactly as the audit does.
 * ww_feeds_name_has: the words of `phrase` appear consecutively among the words of
 * `name` (case, spaces and punctuation ignored: "Sigma Spectrum" is in "Baxter
 * sigma-spectrum").  ww_feeds_version_words: every word of `need` holding a digit
 * ("10", "2012", "22h2", "sp1") is among the words of `name` + `version`, a release
 * word matching a longer version as a cycle does ("22.04" is in "22.04.4"). */
bool ww_feeds_name_has(const char *name, const char *phrase);
bool ww_feeds_version_words(const char *need, const char *name, const char *version);

/* ---- importing and status (feeds module in the store) ---------------------------- */

/* Validates a KEV JSON file or an endoflife.date product file (Markdown with YAML
 * front matter, named <product>.md) and stores it in st, replacing what was there
 * for that feed.  Returns 0 and sets *what to a static description ("kev",
 * "endoflife"), or WW_E* with diag (file untouched in the store). */
int ww_feeds_import_file(ww_store_t *st, const char *path, const char **what, ww_diag_t *diag);

typedef struct ww_feed_info {
    char kind[16];   /* "kev" or "endoflife" */
    char name[64];   /* "kev" or the product slug */
    char origin[16]; /* "bundled" or "imported" */
    char source[256];
    char loaded_at[32]; /* ISO time of the import ("" for bundled) */
    char version[64];   /* KEV catalogVersion / endoflife SNAPSHOT-less: "" */
    size_t entries;     /* KEV entries or release cycles */
    /* How current the data is (seconds, WW_FEEDS_NODATE when unknown): the KEV
     * catalog's dateReleased; for end-of-life data the SNAPSHOT date of the bundled
     * copy, or when it was imported / fetched (a product file carries no date). */
    int64_t data_date;
} ww_feed_info_t;

/* What is loaded: calls fn once per feed (KEV first, then products by name). */
typedef void (*ww_feeds_info_fn)(void *ud, const ww_feed_info_t *info);
void ww_feeds_each_info(const ww_feeds_t *f, ww_feeds_info_fn fn, void *ud);

/* Removes imported feeds from the store so the bundled defaults apply again.
 * 0 or WW_E*. */
int ww_feeds_reset(ww_store_t *st, ww_diag_t *diag);

int ww_feeds_migrate(ww_store_t *st, ww_diag_t *diag);

/* ---- fetching over HTTPS ---------------------------------------------------------- */

#define WW_FEEDS_KEV_URL \
    "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"
#define WW_FEEDS_EOL_URL "https://endoflife.date/api/v1/products/{product}"

/* Called once per feed fetched: `what` is "kev" or the product slug, rc 0 when it was
 * stored (entries = KEV entries or release cycles), else WW_E* and d says why (the
 * data in use for it is unchanged). */
typedef void (*ww_feeds_fetch_fn)(void *ud, const char *what, const char *url, int rc,
                                  const ww_diag_t *d, size_t entries);

typedef struct ww_feeds_fetch_opts {
    bool kev, eol;       /* which data sets to fetch */
    const char *kev_url; /* NULL = WW_FEEDS_KEV_URL */
    /* The end-of-life URL of a product: "{product}" is replaced by its slug, or the
     * slug is appended after a '/'.  NULL = WW_FEEDS_EOL_URL. */
    const char *eol_url;
    const char *cacert;   /* CA bundle (PEM) to trust instead of the system's; NULL */
    const char *data_dir; /* bundled data (lists the products); NULL = the default */
    /* Only these product slugs (NULL/0 = every product the data in use covers). */
    const char *const *products;
    size_t nproducts;
    ww_feeds_fetch_fn report;
    void *ud;
} ww_feeds_fetch_opts_t;

/* Downloads the KEV catalog and/or the end-of-life data of each product over HTTPS
 * (https:// URLs only, redirects too), validates each with the parsers `feeds import`
 * uses and stores those that pass; a failed or invalid download leaves that feed's
 * data as it was.  Returns 0 when everything was stored, WW_EIO when some feeds failed
 * (*failed counts them; each was reported), or another WW_E* with diag. */
int ww_feeds_fetch(ww_store_t *st, const ww_feeds_fetch_opts_t *o, size_t *failed, ww_diag_t *diag);

#endif
