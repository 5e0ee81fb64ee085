/* wardwatch feeds: `import FILE...` stores a newer CISA KEV catalog (JSON) or
 * endoflife.date product files (<product>.md) in the shared database, where they
 * replace the bundled defaults in data/; `status` shows what is loaded and from
 * where; `reset` drops the imported files so the bundled ones apply again;
 * `lookup NAME [VERSION]` and `kev CVE` answer the questions the audit asks. */
#include <getopt.h>
#include <string.h>
#include <time.h>

#include "feeds/ww_feeds.h"
#include "wardwatch.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: wardwatch feeds [--db PATH] import FILE...\n"
                 "       wardwatch feeds [--db PATH] status\n"
                 "       wardwatch feeds [--db PATH] reset\n"
                 "       wardwatch feeds [--db PATH] lookup NAME [VERSION]\n"
                 "       wardwatch feeds [--db PATH] kev CVE-ID\n"
                 "\n"
                 "import: a CISA KEV catalog (known_exploited_vulnerabilities.json) or\n"
                 "endoflife.date product files (e.g. windows.md, ubuntu.md); they replace the\n"
                 "bundled data (KEV as a whole, end-of-life data product by product).\n"
                 "Bundled data: $WARDWATCH_DATA, else data/ in the source tree.\n");
}

static void print_diag(const ww_diag_t *d)
{
    if (d->line)
        fprintf(stderr, "%s:%u:%u: %s\n", d->file, d->line, d->col, d->msg);
    else
        fprintf(stderr, "%s: %s\n", d->file[0] ? d->file : "wardwatch", d->msg);
}

static void fmt_date(int64_t t, char *out, size_t n)
{
    if (t == WW_FEEDS_NODATE)
        snprintf(out, n, "-");
    else if (t == WW_FEEDS_NOT_ENDED)
        snprintf(out, n, "not announced");
    else if (t == WW_FEEDS_ENDED)
        snprintf(out, n, "ended (date not given)");
    else {
        time_t tt = (time_t)t;
        struct tm tm;
        gmtime_r(&tt, &tm);
        strftime(out, n, "%Y-%m-%d", &tm);
    }
}

static void print_info(void *ud, const ww_feed_info_t *i)
{
    (void)ud;
    printf("%-10s %-18s %-9s %6zu  %-20s %s%s%s\n", i->kind, i->name, i->origin, i->entries,
           i->loaded_at[0] ? i->loaded_at : "-", i->source, i->version[0] ? "  version " : "",
           i->version);
}

int cmd_feeds(int argc, char **argv)
{
    const char *db;
    int ec, i = ww_cli_db_options(argc, argv, &db, usage, &ec);
    if (i < 0)
        return ec;
    const char *sub = argv[i++];
    if (!strcmp(sub, "--help") || !strcmp(sub, "help")) {
        usage(stdout);
        return WW_EXIT_OK;
    }
    ww_store_t *st = NULL;
    ww_diag_t d = {0};
    if (ww_store_open(ww_store_default_path(db), &st, &d) != 0 || ww_feeds_migrate(st, &d) != 0) {
        print_diag(&d);
        ww_store_close(st);
        return WW_EXIT_ERROR;
    }
    int code = WW_EXIT_OK;
    if (!strcmp(sub, "import")) {
        if (i >= argc) {
            usage(stderr);
            code = WW_EXIT_ERROR;
        }
        for (; i < argc; i++) {
            const char *what = "";
            memset(&d, 0, sizeof d);
            if (ww_feeds_import_file(st, argv[i], &what, &d) != 0) {
                print_diag(&d);
                code = WW_EXIT_ERROR;
                continue;
            }
            printf("%s: imported (%s)\n", argv[i], what);
        }
    } else if (!strcmp(sub, "reset")) {
        if (ww_feeds_reset(st, &d) != 0) {
            print_diag(&d);
            code = WW_EXIT_ERROR;
        } else {
            printf("imported feeds removed; the bundled data applies\n");
        }
    } else if (!strcmp(sub, "status") || !strcmp(sub, "lookup") || !strcmp(sub, "kev")) {
        ww_feeds_t *f = NULL;
        if (ww_feeds_load(st, NULL, &f, &d) != 0) {
            print_diag(&d);
            ww_store_close(st);
            return WW_EXIT_ERROR;
        }
        if (!strcmp(sub, "status")) {
            printf("%-10s %-18s %-9s %6s  %-20s %s\n", "KIND", "NAME", "ORIGIN", "ITEMS",
                   "IMPORTED", "SOURCE");
            ww_feeds_each_info(f, print_info, NULL);
        } else if (!strcmp(sub, "kev") && i < argc) {
            const ww_kev_t *k = ww_feeds_kev(f, argv[i]);
            if (!k) {
                printf("%s: not in the KEV catalog\n", argv[i]);
                code = WW_EXIT_MATCH;
            } else {
                char a[32], due[32];
                fmt_date(k->date_added, a, sizeof a);
                fmt_date(k->due_date, due, sizeof due);
                printf("%s: %s %s: %s; added %s, due %s; ransomware use: %s\n", k->cve, k->vendor,
                       k->product, k->name, a, due, k->ransomware ? "known" : "unknown");
            }
        } else if (!strcmp(sub, "lookup") && i < argc) {
            ww_eol_t e;
            ww_eol_status_t s = ww_feeds_eol(f, argv[i], i + 1 < argc ? argv[i + 1] : "", &e);
            if (s != WW_EOL_FOUND) {
                printf("%s: support status unknown (%s)\n",
                       s == WW_EOL_UNKNOWN_PRODUCT ? "unknown product" : "unknown version", e.note);
                code = WW_EXIT_MATCH;
            } else {
                char r[32], eol[32], eoes[32];
                fmt_date(e.release, r, sizeof r);
                fmt_date(e.eol, eol, sizeof eol);
                fmt_date(e.eoes, eoes, sizeof eoes);
                printf("%s %s (%s): released %s, security support ends %s, extended support "
                       "ends %s%s%s\n",
                       e.product, e.cycle, e.label, r, eol, eoes, e.assumed ? "; note: " : "",
                       e.assumed ? e.note : "");
            }
        } else {
            usage(stderr);
            code = WW_EXIT_ERROR;
        }
        ww_feeds_free(f);
    } else {
        ww_cli_error("feeds: unknown subcommand '%s' (import, status, reset, lookup, kev)", sub);
        code = WW_EXIT_ERROR;
    }
    ww_store_close(st);
    return code;
}
