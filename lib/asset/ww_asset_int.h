/* Private to lib/asset: building records from text fields (shared by the CSV and JSON
 * importers), writing them to the store, and the per-format parsers. */
#ifndef WW_ASSET_INT_H
#define WW_ASSET_INT_H

#include "asset/ww_asset.h"

#define WW_AF_BIT(f) ((uint64_t)1 << (f))

/* A record being built by an importer: the asset plus which fields the input gave. */
typedef struct ww__rec {
    ww_asset_t a;
    uint64_t mask;
    /* list capacities (arrays live in the importer's arena and grow by copying) */
    size_t cap_ips, cap_sw, cap_up, cap_adm, cap_ports;
    ww_date_order_t date_order; /* how the importer reads slashed dates */
} ww__rec_t;

/* Empty record: every string "", every time WW_ASSET_NOTIME. */
void ww__rec_init(ww__rec_t *r);

/* Sets field f from its text form (the CSV cell / JSON scalar), marking it present.
 * List fields are split on ';' (IPs and admin accounts also on ',').  Returns 0, or
 * WW_EPARSE with a plain-English reason in why (for "row R, column C (name): why"),
 * WW_ENOMEM/WW_ELIMIT. */
int ww__rec_set(ww__rec_t *r, int f, const char *p, size_t n, ww_arena_t *ar, char *why,
                size_t whylen);
/* Adds one item to a list field (an element of a JSON array). */
int ww__rec_add(ww__rec_t *r, int f, const char *p, size_t n, ww_arena_t *ar, char *why,
                size_t whylen);
/* Adds a structured missing update / software item (JSON objects). */
int ww__rec_add_update(ww__rec_t *r, const ww_update_t *u, ww_arena_t *ar);
int ww__rec_add_software(ww__rec_t *r, const char *name, const char *version, ww_arena_t *ar);
int ww__rec_add_port(ww__rec_t *r, const ww_port_t *pt, ww_arena_t *ar);
/* Forgets field f (after its cell was refused): not marked present, its value back to
 * empty, so the stored asset keeps whatever it had. */
void ww__rec_unset(ww__rec_t *r, int f);
/* Why a date text was refused, for messages ("\"03/14/2026\" is not a date ..."). */
void ww__date_why(const char *p, size_t n, ww_date_order_t order, char *why, size_t whylen);
/* A record must carry a key: asset_id, hostname, an IP or a MAC.  0 or WW_EPARSE. */
int ww__rec_check(const ww__rec_t *r, char *why, size_t whylen);

/* Normalises a MAC to "aa:bb:cc:dd:ee:ff" in out (>= 18 bytes).  0 or WW_EPARSE. */
int ww__mac_norm(const char *p, size_t n, char *out);
/* True for a valid IPv4 or IPv6 literal. */
bool ww__ip_valid(const char *p, size_t n);

/* ---- store ------------------------------------------------------------------------ */

/* Inserts or updates (merging by mask) one record; *updated = 1 when it matched an
 * existing asset.  `now` stamps first/last seen.  0 or WW_E* with diag. */
int ww__asset_put(ww_store_t *st, const ww__rec_t *r, int64_t now, int *updated, ww_diag_t *diag);
/* An nmap host: updates the matching asset (by IP, then MAC: ports, OS guess, last
 * seen) or records/refreshes an observed device.  *matched = 1 for an asset. */
int ww__asset_put_host(ww_store_t *st, const ww__rec_t *host, const char *vendor, int64_t now,
                       int *matched, ww_arena_t *ar, ww_diag_t *diag);

/* Records that a network scan (`name`, made at `scanned` or WW_ASSET_NOTIME, imported
 * at `imported`) was imported with `hosts` hosts up.  0 or WW_EIO with diag. */
int ww__asset_scan_record(ww_store_t *st, const char *name, int64_t scanned, int64_t imported,
                          size_t hosts, ww_diag_t *diag);

/* ---- parsers --------------------------------------------------------------------- */

/* CSV (RFC 4180): quoted fields with "" escapes and embedded newlines, CRLF or LF, a
 * UTF-8 BOM, trailing blank lines.  Calls fn for each record with its fields; line =
 * physical line where the record starts.  A quoting error rejects that record only
 * (reported through err) and parsing resumes on the next line.  Returns the number of
 * records or WW_E*. */
typedef struct ww__csv_field {
    const char *p;
    size_t n;
} ww__csv_field_t;
typedef int (*ww__csv_rec_fn)(void *ud, uint32_t line, const ww__csv_field_t *f, size_t nf);
typedef void (*ww__csv_err_fn)(void *ud, uint32_t line, uint32_t col, const char *msg);
#define WW_CSV_MAX_FIELDS 256
#define WW_CSV_MAX_RECORD ((size_t)1 << 20)
/* Reads with the delimiter ww__csv_sniff() finds in the header line. */
int ww__csv_parse(const char *data, size_t len, ww__csv_rec_fn fn, ww__csv_err_fn err, void *ud);
/* Reads with the given delimiter (',', ';' or '\t'; anything else reads as ','). */
int ww__csv_parse_delim(const char *data, size_t len, char delim, ww__csv_rec_fn fn,
                        ww__csv_err_fn err, void *ud);
/* The delimiter of a CSV text: of ',', ';' and tab, the one found most often outside
 * quotes in the first non-blank line (ties: comma, then semicolon); ',' when none. */
char ww__csv_sniff(const char *data, size_t len);

int ww__import_csv(ww_store_t *st, const char *name, const char *data, size_t len,
                   const ww_import_opts_t *o, int64_t now, ww_import_stats_t *stats,
                   ww_diag_t *diag);
int ww__import_json(ww_store_t *st, const char *name, const char *data, size_t len,
                    const ww_import_opts_t *o, int64_t now, ww_import_stats_t *stats,
                    ww_diag_t *diag);
int ww__import_nmap(ww_store_t *st, const char *name, const char *data, size_t len,
                    const ww_import_opts_t *o, int64_t now, ww_import_stats_t *stats,
                    ww_diag_t *diag);

/* Reports a rejected record through the import options. */
void ww__import_reject(const ww_import_opts_t *o, ww_import_stats_t *stats, const char *file,
                       uint32_t line, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* ---- minimal XML scanner (nmap -oX) ------------------------------------------------ */

#define WW_XML_MAX_ATTRS 32
#define WW_XML_MAX_DEPTH 64
typedef struct ww__xml_attr {
    ww_str_t name;
    const char *val; /* entity-decoded, NUL-terminated (in the scanner's arena) */
} ww__xml_attr_t;
typedef struct ww__xml_tag {
    ww_str_t name;
    ww__xml_attr_t attr[WW_XML_MAX_ATTRS];
    size_t nattr;
    bool close;      /* </name> */
    bool self_close; /* <name/> */
    uint32_t line, col;
} ww__xml_tag_t;
typedef struct ww__xml {
    const char *p, *end, *base;
    uint32_t line;
    const char *line_start;
    ww_arena_t *arena;
    int depth;
    ww_str_t stack[WW_XML_MAX_DEPTH]; /* open element names (slices of the input) */
    char err[160];
    uint32_t err_line, err_col;
} ww__xml_t;
void ww__xml_init(ww__xml_t *x, const char *data, size_t len, ww_arena_t *ar);
/* Next start or end tag (text, comments, PIs, DOCTYPE and CDATA are skipped).
 * Returns 1 with *t, 0 at the end, WW_EPARSE with x->err (and err_line/col). */
int ww__xml_next(ww__xml_t *x, ww__xml_tag_t *t);
const char *ww__xml_attr(const ww__xml_tag_t *t, const char *name);

#endif
