/* wardwatch audit: loads the asset register and the reference data from the store,
 * runs every check as of a given day and writes the ranked findings as a table, NDJSON
 * or a self-contained HTML report.  Exit status: 0 no findings, 1 findings, 2 error. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "asset/ww_asset.h"
#include "audit/ww_audit.h"
#include "audit/ww_audit_feeds.h"
#include "cyberalert/ww_cyberalert_audit.h"
#include "feeds/ww_feeds.h"
#include "firebreak/ww_firebreak.h"
#include "store/ww_store.h"
#include "wardwatch.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: wardwatch audit [--db PATH] [--as-of DATE] [--format table|ndjson|html]\n"
                 "                       [--out FILE] [--data DIR] [--no-history]\n"
                 "Checks the asset register against Cyber Essentials and NHS DSPT rules and lists\n"
                 "what to fix, most urgent first.\n"
                 "  --db PATH       the register (default $WARDWATCH_DB, else ./wardwatch.db)\n"
                 "  --as-of DATE    judge dates as on this day (YYYY-MM-DD; default today, UTC)\n"
                 "  --format F      table (default), ndjson (one finding per line) or html\n"
                 "  --out FILE      write the report to FILE instead of standard output\n"
                 "  --data DIR      bundled reference data (default $WARDWATCH_DATA, else data/)\n"
                 "  --no-history    do not keep this run in the database (the trend still shows\n"
                 "                  the runs kept before)\n"
                 "Each run is kept in the database; the report charts findings over the runs.\n"
                 "Exit status: 0 no findings, 1 findings, 2 an error.\n");
}

/* Parses YYYY-MM-DD (or a full ISO 8601 time) into seconds since the epoch; rejects
 * impossible days such as 2026-02-30. */
static int parse_day(const char *s, int64_t *out)
{
    int64_t ns;
    size_t n = strlen(s);
    if (ww_time_parse_iso(s, n, &ns) != 0)
        return WW_EPARSE;
    int64_t secs = ns / 1000000000LL;
    if (n >= 10) {
        char back[16];
        ww_audit_day_format(ww_audit_day(secs), back, sizeof back);
        if (n == 10 && strcmp(back, s))
            return WW_EPARSE;
    }
    *out = secs;
    return 0;
}

/* The newest stored network map, or NULL when there is none (or it no longer parses:
 * then said on stderr, and the audit goes on with the register alone). */
static ww_fb_map_t *load_map(ww_store_t *st)
{
    char *yaml = NULL, *path = NULL;
    int64_t id = 0;
    ww_fb_map_t *m = NULL;
    /* No map table yet (firebreak never used) reads as no map. */
    if (ww_fb_map_load(st, 0, &id, &yaml, &path) == 0) {
        ww_diag_t d;
        memset(&d, 0, sizeof d);
        if (ww_fb_map_parse(yaml, strlen(yaml), path ? path : "network map", &m, &d) != 0) {
            ww_cli_error("audit: the stored network map %lld cannot be used (%s:%u: %s); "
                         "isolation is taken from the register alone",
                         (long long)id, d.file, d.line, d.msg);
            m = NULL;
        }
    }
    free(yaml);
    free(path);
    return m;
}

int cmd_audit(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},     {"as-of", required_argument, NULL, 'a'},
        {"format", required_argument, NULL, 'f'}, {"out", required_argument, NULL, 'o'},
        {"data", required_argument, NULL, 'D'},   {"no-history", no_argument, NULL, 'H'},
        {"help", no_argument, NULL, 'h'},         {0},
    };
    const char *db = NULL, *out_path = NULL, *data_dir = NULL;
    ww_audit_format_t fmt = WW_AUDIT_TABLE;
    int64_t as_of = (int64_t)time(NULL);
    int status = WW_EXIT_ERROR, c, rc;
    ww_store_t *st = NULL;
    ww_feeds_t *feeds = NULL;
    ww_fb_map_t *map = NULL;
    ww_cli_atomic_t file;
    memset(&file, 0, sizeof file);
    file.fd = -1;
    ww_audit_report_t *r = NULL;
    ww_asset_set_t set;
    memset(&set, 0, sizeof set);
    bool set_loaded = false, keep = true;
    FILE *out = stdout;
    ww_diag_t diag;
    memset(&diag, 0, sizeof diag);

    optind = 1;
    while ((c = getopt_long(argc, argv, "d:a:f:o:D:Hh", opts, NULL)) != -1) {
        switch (c) {
        case 'H': keep = false; break;
        case 'd': db = optarg; break;
        case 'o': out_path = optarg; break;
        case 'D': data_dir = optarg; break;
        case 'a':
            if (parse_day(optarg, &as_of) != 0) {
                ww_cli_error("audit: --as-of '%s' is not a date (YYYY-MM-DD)", optarg);
                goto out;
            }
            break;
        case 'f':
            if (!strcmp(optarg, "table"))
                fmt = WW_AUDIT_TABLE;
            else if (!strcmp(optarg, "ndjson"))
                fmt = WW_AUDIT_NDJSON;
            else if (!strcmp(optarg, "html"))
                fmt = WW_AUDIT_HTML;
            else {
                ww_cli_error("audit: unknown format '%s' (table, ndjson or html)", optarg);
                goto out;
            }
            break;
        case 'h':
            usage(stdout);
            status = WW_EXIT_OK;
            goto out;
        default: usage(stderr); goto out;
        }
    }
    if (optind < argc) {
        ww_cli_error("audit: unexpected argument '%s'", argv[optind]);
        usage(stderr);
        goto out;
    }

    const char *path = ww_store_default_path(db);
    if ((rc = ww_store_open(path, &st, &diag)) != 0) {
        ww_cli_error("audit: %s: %s", path, diag.msg[0] ? diag.msg : ww_strerror(rc));
        goto out;
    }
    if ((rc = ww_asset_load(st, &set, &diag)) != 0) {
        set_loaded = true;
        ww_cli_error("audit: reading the register in %s: %s", path,
                     diag.msg[0] ? diag.msg : ww_strerror(rc));
        goto out;
    }
    set_loaded = true;
    if ((rc = ww_feeds_load(st, data_dir, &feeds, &diag)) != 0) {
        ww_cli_error("audit: loading reference data: %s%s%s", diag.file, diag.file[0] ? ": " : "",
                     diag.msg[0] ? diag.msg : ww_strerror(rc));
        goto out;
    }
    ww_audit_ref_t ref;
    ww_audit_ref_from_feeds(feeds, &ref);
    if ((map = load_map(st))) {
        ref.segment_isolated = ww_audit_map_isolated;
        ref.map_ud = map;
    }
    /* NHS cyber alerts' overdue steps are findings too (DSPT B4.d). */
    ww_ca_audit_t cyber = {.st = st, .feeds = feeds, .now = as_of};
    ref.extra = ww_cyberalert_audit;
    ref.extra_ud = &cyber;
    if ((rc = ww_audit_run(&set, &ref, as_of, &r)) != 0) {
        ww_cli_error("audit: %s", ww_strerror(rc));
        goto out;
    }
    if (cyber.rc != 0)
        ww_cli_error("audit: NHS cyber alerts are left out of this report: %s", cyber.diag.msg);
    if (set.n == 0 && set.nobserved == 0)
        ww_cli_error("audit: the register in %s is empty (wardwatch assets import FILE)", path);
    /* Keep this run and read the earlier ones for the trend.  A store that cannot take
       it (read-only) costs the trend, not the report. */
    if ((rc = ww_audit_history(st, r, keep, &diag)) != 0)
        ww_cli_error("audit: %s; the report shows no trend",
                     diag.msg[0] ? diag.msg : ww_strerror(rc));

    /* --out: a new file renamed over the old one only once it is complete, so a full
       disk or a crash never leaves half a report, and a symlink planted at FILE is
       replaced rather than followed. */
    if (out_path) {
        if (ww_cli_atomic_open(&file, out_path) != 0) {
            ww_cli_error("audit: cannot write %s: %s", out_path, strerror(errno));
            goto out;
        }
        out = file.f;
    }
    rc = ww_audit_write(r, fmt, out);
    if (out_path) {
        out = stdout;
        if (rc != 0) {
            ww_cli_error("audit: writing %s: %s; the old file is left as it was", out_path,
                         ww_strerror(rc));
            goto out;
        }
        if (ww_cli_atomic_commit(&file) != 0) {
            ww_cli_error("audit: writing %s: %s; the old file is left as it was", out_path,
                         strerror(errno));
            goto out;
        }
    } else if (rc == 0 && fflush(stdout) != 0)
        rc = WW_EIO;
    if (rc != 0) {
        ww_cli_error("audit: writing the report: %s", ww_strerror(rc));
        goto out;
    }
    status = r->n ? WW_EXIT_MATCH : WW_EXIT_OK;
out:
    ww_cli_atomic_abort(&file);
    ww_fb_map_free(map);
    ww_audit_report_free(r);
    ww_feeds_free(feeds);
    if (set_loaded)
        ww_asset_set_release(&set);
    ww_store_close(st);
    return status;
}
