/* Importing files into the register: picking the format, one transaction per file,
 * and the CSV importer (header names matched loosely to register fields; each row
 * becomes one record; a bad cell is reported with file, line, column and reason and
 * left out, while the rest of its row still imports).  Spreadsheet files that are not
 * text (.xlsx, .xls, .ods) are refused up front with what to do instead. */
#include "asset/ww_asset_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define MAX_FILE ((size_t)512 << 20)

static bool has_ext(const char *name, const char *ext)
{
    size_t n = strlen(name), e = strlen(ext);
    return n > e && ww_str_ieq((ww_str_t){name + n - e, e}, (ww_str_t){ext, e});
}

static ww_import_format_t sniff(const char *name, const char *data, size_t len)
{
    if (name && (has_ext(name, ".csv") || has_ext(name, ".tsv")))
        return WW_IMPORT_CSV;
    if (name && (has_ext(name, ".json") || has_ext(name, ".jsonl") || has_ext(name, ".ndjson")))
        return WW_IMPORT_JSON;
    if (name && has_ext(name, ".xml"))
        return WW_IMPORT_NMAP;
    size_t i = 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    if (i < len && (data[i] == '{' || data[i] == '['))
        return WW_IMPORT_JSON;
    if (i < len && data[i] == '<')
        return WW_IMPORT_NMAP;
    return WW_IMPORT_CSV;
}

/* After a rollback nothing of this file is in the register: what the parsers counted
 * as imported, updated or observed moves to not_stored, so that no summary ever
 * reports records the store does not hold. */
static void rolled_back(ww_import_stats_t *s, const ww_import_stats_t *before)
{
    s->not_stored += (s->imported - before->imported) + (s->updated - before->updated) +
                     (s->observed - before->observed);
    s->imported = before->imported;
    s->updated = before->updated;
    s->observed = before->observed;
}

/* A spreadsheet workbook rather than text: .xlsx and .ods are zip files ("PK\3\4"),
 * old .xls is an OLE compound file.  Names the kind, or NULL. */
static const char *workbook_kind(const char *name, const char *data, size_t len)
{
    if (len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0) {
        if (name && has_ext(name, ".ods"))
            return "an OpenDocument spreadsheet (.ods)";
        return "an Excel workbook (.xlsx), a zip file";
    }
    if (len >= 8 && memcmp(data, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0)
        return "an old Excel workbook (.xls)";
    if (name && (has_ext(name, ".xlsx") || has_ext(name, ".xlsm") || has_ext(name, ".xls") ||
                 has_ext(name, ".ods")))
        return "named as a spreadsheet workbook";
    return NULL;
}

int ww_asset_import_mem(ww_store_t *st, const char *name, const char *data, size_t len,
                        const ww_import_opts_t *opts, ww_import_stats_t *stats, ww_diag_t *diag)
{
    ww_import_opts_t o = {0};
    if (opts)
        o = *opts;
    ww_import_stats_t local = {0};
    if (!stats)
        stats = &local;
    if (!name)
        name = "";
    int64_t now = o.now != WW_ASSET_NOTIME && o.now != 0 ? o.now : (int64_t)time(NULL);
    int rc = ww_asset_migrate(st, diag);
    if (rc)
        return rc;
    ww_import_format_t fmt = o.format ? o.format : sniff(name, data, len);
    const char *wb = fmt == WW_IMPORT_CSV || !o.format ? workbook_kind(name, data, len) : NULL;
    if (wb) {
        ww_diag_set(diag, name, 0, 0,
                    "this is %s, not CSV: open it in Excel (or LibreOffice) and save it as CSV "
                    "(File > Save As > \"CSV UTF-8 (Comma delimited)\"), then import the .csv",
                    wb);
        return WW_EPARSE;
    }
    if ((rc = ww_store_exec(st, "BEGIN IMMEDIATE", diag)) != 0)
        return rc;
    ww_import_stats_t before = *stats;
    switch (fmt) {
    case WW_IMPORT_JSON: rc = ww__import_json(st, name, data, len, &o, now, stats, diag); break;
    case WW_IMPORT_NMAP: rc = ww__import_nmap(st, name, data, len, &o, now, stats, diag); break;
    default: rc = ww__import_csv(st, name, data, len, &o, now, stats, diag); break;
    }
    /* Whatever was good is kept, even when the file stopped early. */
    if (rc == WW_EIO || rc == WW_ENOMEM) {
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        rolled_back(stats, &before);
        return rc;
    }
    ww_diag_t cd;
    if (ww_store_exec(st, "COMMIT", &cd) != 0) {
        *diag = cd;
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        rolled_back(stats, &before);
        return WW_EIO;
    }
    return rc;
}

int ww_asset_import_file(ww_store_t *st, const char *path, const ww_import_opts_t *opts,
                         ww_import_stats_t *stats, ww_diag_t *diag)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        ww_diag_set(diag, path, 0, 0, "cannot open: %s", strerror(errno));
        return WW_EIO;
    }
    ww_buf_t b;
    ww_buf_init(&b, MAX_FILE);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (ww_buf_append(&b, chunk, n) != 0)
            break;
    int rerr = ferror(f);
    if (f != stdin)
        fclose(f);
    int rc;
    if (b.err) {
        ww_diag_set(diag, path, 0, 0,
                    b.err == WW_ELIMIT ? "file larger than 512 MiB"
                                       : "out of memory reading the file");
        rc = b.err;
    } else if (rerr) {
        ww_diag_set(diag, path, 0, 0, "read error");
        rc = WW_EIO;
    } else {
        rc = ww_asset_import_mem(st, path, b.p ? b.p : "", b.n, opts, stats, diag);
    }
    ww_buf_release(&b);
    return rc;
}

/* ---- CSV ----------------------------------------------------------------------- */

typedef struct csv_imp {
    ww_store_t *st;
    const char *name;
    const ww_import_opts_t *o;
    ww_import_stats_t *stats;
    ww_diag_t *diag;
    int64_t now;
    int colfield[WW_CSV_MAX_FIELDS]; /* field per column, -1 = ignored */
    size_t ncols;
    bool have_header;
    int fatal;
    ww_arena_t ar;
} csv_imp_t;

static void notice(const ww_import_opts_t *o, const char *file, uint32_t line, uint32_t col,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void notice(const ww_import_opts_t *o, const char *file, uint32_t line, uint32_t col,
                   const char *fmt, ...)
{
    if (!o->on_error)
        return;
    ww_diag_t d;
    memset(&d, 0, sizeof d);
    snprintf(d.file, sizeof d.file, "%s", file);
    d.line = line;
    d.col = col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d.msg, sizeof d.msg, fmt, ap);
    va_end(ap);
    o->on_error(o->ud, &d);
}

static int csv_header(csv_imp_t *c, uint32_t line, const ww__csv_field_t *f, size_t nf)
{
    bool seen[WW_AF__COUNT] = {0};
    bool any_key = false;
    c->ncols = nf;
    for (size_t i = 0; i < nf; i++) {
        int fld = ww_asset_field_lookup(f[i].p, f[i].n);
        c->colfield[i] = -1;
        if (fld < 0) {
            if (f[i].n)
                notice(c->o, c->name, line, (uint32_t)i + 1,
                       "column %zu \"%.*s\" is not a register field; ignored", i + 1,
                       (int)(f[i].n > 60 ? 60 : f[i].n), f[i].p);
            continue;
        }
        if (seen[fld]) {
            notice(c->o, c->name, line, (uint32_t)i + 1,
                   "column %zu \"%.*s\" repeats field %s; ignored", i + 1,
                   (int)(f[i].n > 60 ? 60 : f[i].n), f[i].p, ww_asset_field_name(fld));
            continue;
        }
        seen[fld] = true;
        c->colfield[i] = fld;
        if (fld == WW_AF_ASSET_ID || fld == WW_AF_HOSTNAME || fld == WW_AF_IP || fld == WW_AF_MAC)
            any_key = true;
    }
    if (!any_key) {
        ww_diag_set(c->diag, c->name, line, 0,
                    "the header names no asset_id, hostname, ip or mac column (is the first "
                    "line a header?)");
        return WW_EPARSE;
    }
    c->have_header = true;
    return 0;
}

/* A refused cell: file:line:column, the column's number and field, and why. */
static void warn_cell(csv_imp_t *c, uint32_t line, uint32_t col, int field, const char *why)
{
    c->stats->cells_ignored++;
    ww_import_err_fn fn = c->o->on_warning ? c->o->on_warning : c->o->on_error;
    if (!fn)
        return;
    ww_diag_t d;
    memset(&d, 0, sizeof d);
    snprintf(d.file, sizeof d.file, "%s", c->name);
    d.line = line;
    d.col = col;
    snprintf(d.msg, sizeof d.msg, "column %u (%s): %s; cell ignored, rest of the row imported", col,
             ww_asset_field_name(field), why);
    fn(c->o->ud, &d);
}

static int csv_row(void *ud, uint32_t line, const ww__csv_field_t *f, size_t nf)
{
    csv_imp_t *c = ud;
    if (!c->have_header) {
        int rc = csv_header(c, line, f, nf);
        if (rc)
            c->fatal = rc;
        return rc;
    }
    if (nf == 1 && f[0].n == 0)
        return 0;
    if (nf != c->ncols) {
        ww__import_reject(c->o, c->stats, c->name, line,
                          (uint32_t)(nf < c->ncols ? nf + 1 : c->ncols + 1),
                          "row has %zu fields but the header has %zu", nf, c->ncols);
        return 0;
    }
    ww_arena_reset(&c->ar);
    ww__rec_t r;
    ww__rec_init(&r);
    r.a.source = WW_SRC_CSV;
    r.date_order = c->o->date_order;
    char why[320];
    size_t bad = 0;
    for (size_t i = 0; i < nf; i++) {
        if (c->colfield[i] < 0)
            continue;
        why[0] = 0;
        int rc = ww__rec_set(&r, c->colfield[i], f[i].p, f[i].n, &c->ar, why, sizeof why);
        if (rc == WW_ENOMEM)
            return rc;
        if (rc < 0) {
            /* One bad cell must not lose the asset: the field is left out (the stored
               value, if any, stays) and the cell is named so someone can fix it. */
            ww__rec_unset(&r, c->colfield[i]);
            warn_cell(c, line, (uint32_t)i + 1, c->colfield[i], why);
            bad++;
        }
    }
    if (ww__rec_check(&r, why, sizeof why) != 0) {
        ww__import_reject(c->o, c->stats, c->name, line, 0, "%s%s", why,
                          bad ? " that could be used (see the cells above)" : "");
        return 0;
    }
    int updated = 0;
    int rc = ww__asset_put(c->st, &r, c->now, &updated, c->diag);
    if (rc)
        return rc;
    if (updated)
        c->stats->updated++;
    else
        c->stats->imported++;
    return 0;
}

static void csv_err(void *ud, uint32_t line, uint32_t col, const char *msg)
{
    csv_imp_t *c = ud;
    ww__import_reject(c->o, c->stats, c->name, line, col, "%s", msg);
}

int ww__import_csv(ww_store_t *st, const char *name, const char *data, size_t len,
                   const ww_import_opts_t *o, int64_t now, ww_import_stats_t *stats,
                   ww_diag_t *diag)
{
    csv_imp_t c;
    memset(&c, 0, sizeof c);
    c.st = st;
    c.name = name;
    c.o = o;
    c.stats = stats;
    c.diag = diag;
    c.now = now;
    ww_arena_init(&c.ar, 16384, 64u << 20);
    int rc = ww__csv_parse(data, len, csv_row, csv_err, &c);
    if (rc >= 0 && !c.have_header) {
        ww_diag_set(diag, name, 0, 0, "empty file: no header line");
        rc = WW_EPARSE;
    } else if (rc == WW_ELIMIT) {
        ww_diag_set(diag, name, 0, 0, "more than %u records; the rest is ignored",
                    WW_ASSET_MAX_ROWS);
    } else if (rc == WW_ENOMEM) {
        ww_diag_set(diag, name, 0, 0, "out of memory");
    }
    ww_arena_release(&c.ar);
    return rc < 0 ? rc : 0;
}
