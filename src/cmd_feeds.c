/* wardwatch feeds: `fetch` downloads the current KEV catalog and end-of-life data over
 * HTTPS and stores what validates; `import FILE...` stores a newer CISA KEV catalog (JSON) or
 * endoflife.date product files (<product>.md) in the shared database, where they
 * replace the bundled defaults in data/; `status` shows what is loaded and from
 * where; `reset` drops the imported files so the bundled ones apply again;
 * `lookup NAME [VERSION]` and `kev CVE` answer the questions the audit asks. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "feeds/ww_feeds.h"
#include "wardwatch.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: wardwatch feeds [--db PATH] fetch [--kev URL] [--eol URL] [--cacert FILE]\n"
            "                                      [--only kev|eol] [--product SLUG]...\n"
            "       wardwatch feeds [--db PATH] import FILE...\n"
            "       wardwatch feeds [--db PATH] status\n"
            "       wardwatch feeds [--db PATH] reset\n"
            "       wardwatch feeds [--db PATH] lookup NAME [VERSION]\n"
            "       wardwatch feeds [--db PATH] kev CVE-ID\n"
            "\n"
            "import: a CISA KEV catalog (known_exploited_vulnerabilities.json) or\n"
            "endoflife.date product files (e.g. windows.md, ubuntu.md); they replace the\n"
            "bundled data (KEV as a whole, end-of-life data product by product).\n"
            "fetch: downloads CISA's KEV catalog and the endoflife.date data of every\n"
            "product in use (https only); each is stored only if it validates, so a\n"
            "broken download keeps the current data.  --eol URL: {product} is replaced by\n"
            "the product (else appended); --cacert FILE: CA bundle to trust.\n"
            "Exit status of fetch: 0 all stored, 1 some failed (their data kept), 2 error.\n"
            "Bundled data: $WARDWATCH_DATA, else data/ in the source tree.\n");
}

static void print_diag(const ww_diag_t *d)
{
    ww_cli_puts_safe(stderr, d->file[0] ? d->file : "wardwatch");
    if (d->line)
        fprintf(stderr, ":%u:%u", d->line, d->col);
    fputs(": ", stderr);
    ww_cli_puts_safe(stderr, d->msg);
    fputc('\n', stderr);
}

/* Feed text (names, notes, sources) in a table cell, control characters escaped. */
#define SAFE(s, buf) ww_cli_safe((s) ? (s) : "", (s) ? strlen(s) : 0, (buf), sizeof(buf))

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
    if (ww_cli_output_failed(stdout))
        return; /* main() reports the failed write */
    char s1[64], s2[128], s3[64], s4[64], s5[1024], s6[256], dated[32];
    fmt_date(i->data_date, dated, sizeof dated);
    printf("%-10s %-18s %-9s %6zu  %-20s %-10s %s%s%s\n", SAFE(i->kind, s1), SAFE(i->name, s2),
           SAFE(i->origin, s3), i->entries, i->loaded_at[0] ? SAFE(i->loaded_at, s4) : "-", dated,
           SAFE(i->source, s5), i->version[0] ? "  version " : "", SAFE(i->version, s6));
}

static void print_fetch(void *ud, const char *what, const char *url, int rc, const ww_diag_t *d,
                        size_t entries)
{
    (void)ud;
    if (rc == 0) {
        ww_cli_puts_safe(stdout, what);
        printf(": fetched %zu %s from ", entries, strcmp(what, "kev") ? "releases" : "entries");
        ww_cli_puts_safe(stdout, url);
        fputc('\n', stdout);
        return;
    }
    ww_cli_puts_safe(stderr, what);
    fputs(": not updated, the current data is kept: ", stderr);
    ww_cli_puts_safe(stderr, d->msg[0] ? d->msg : ww_strerror(rc));
    fputc('\n', stderr);
}

/* feeds fetch [--kev URL] [--eol URL] [--cacert FILE] [--only kev|eol] [--product S]... */
static int do_fetch(ww_store_t *st, int argc, char **argv)
{
    static const struct option opts[] = {
        {"kev", required_argument, NULL, 'k'},
        {"eol", required_argument, NULL, 'e'},
        {"cacert", required_argument, NULL, 'c'},
        {"only", required_argument, NULL, 'o'},
        {"product", required_argument, NULL, 'p'},
        {"data", required_argument, NULL, 'D'},
        {0},
    };
    ww_feeds_fetch_opts_t o = {.kev = true, .eol = true, .report = print_fetch};
    const char *products[128];
    size_t np = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'k': o.kev_url = optarg; break;
        case 'e': o.eol_url = optarg; break;
        case 'c': o.cacert = optarg; break;
        case 'D': o.data_dir = optarg; break;
        case 'o':
            if (strcmp(optarg, "kev") && strcmp(optarg, "eol")) {
                ww_cli_error("feeds fetch: --only takes kev or eol");
                return WW_EXIT_ERROR;
            }
            o.kev = !strcmp(optarg, "kev");
            o.eol = !o.kev;
            break;
        case 'p':
            if (np == sizeof products / sizeof products[0]) {
                ww_cli_error("feeds fetch: more than 128 --product options");
                return WW_EXIT_ERROR;
            }
            products[np++] = optarg;
            break;
        default: usage(stderr); return WW_EXIT_ERROR;
        }
    }
    if (optind < argc) {
        ww_cli_error("feeds fetch: unexpected argument '%s'", argv[optind]);
        return WW_EXIT_ERROR;
    }
    o.products = products;
    o.nproducts = np;
    size_t failed = 0;
    ww_diag_t d = {0};
    int rc = ww_feeds_fetch(st, &o, &failed, &d);
    if (rc != 0 && !failed) {
        print_diag(&d);
        return WW_EXIT_ERROR;
    }
    return failed ? WW_EXIT_MATCH : WW_EXIT_OK;
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
    if (!strcmp(sub, "fetch")) {
        code = do_fetch(st, argc - (i - 1), argv + (i - 1));
    } else if (!strcmp(sub, "import")) {
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
            ww_cli_puts_safe(stdout, argv[i]);
            printf(": imported (%s)\n", what);
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
            printf("%-10s %-18s %-9s %6s  %-20s %-10s %s\n", "KIND", "NAME", "ORIGIN", "ITEMS",
                   "IMPORTED", "DATED", "SOURCE");
            ww_feeds_each_info(f, print_info, NULL);
        } else if (!strcmp(sub, "kev") && i < argc) {
            const ww_kev_t *k = ww_feeds_kev(f, argv[i]);
            if (!k) {
                ww_cli_puts_safe(stdout, argv[i]);
                printf(": not in the KEV catalog\n");
                code = WW_EXIT_MATCH;
            } else {
                char a[32], due[32];
                fmt_date(k->date_added, a, sizeof a);
                fmt_date(k->due_date, due, sizeof due);
                char s1[64], s2[256], s3[256], s4[1024];
                printf("%s: %s %s: %s; added %s, due %s; ransomware use: %s\n", SAFE(k->cve, s1),
                       SAFE(k->vendor, s2), SAFE(k->product, s3), SAFE(k->name, s4), a, due,
                       k->ransomware ? "known" : "unknown");
            }
        } else if (!strcmp(sub, "lookup") && i < argc) {
            ww_eol_t e;
            ww_eol_status_t s = ww_feeds_eol(f, argv[i], i + 1 < argc ? argv[i + 1] : "", &e);
            if (s != WW_EOL_FOUND) {
                char s1[1024];
                printf("%s: support status unknown (%s)\n",
                       s == WW_EOL_UNKNOWN_PRODUCT ? "unknown product" : "unknown version",
                       SAFE(e.note, s1));
                code = WW_EXIT_MATCH;
            } else {
                char r[32], eol[32], eoes[32];
                fmt_date(e.release, r, sizeof r);
                fmt_date(e.eol, eol, sizeof eol);
                fmt_date(e.eoes, eoes, sizeof eoes);
                char s1[256], s2[256], s3[256], s4[1024];
                printf("%s %s (%s): released %s, security support ends %s, extended support "
                       "ends %s%s%s\n",
                       SAFE(e.product, s1), SAFE(e.cycle, s2), SAFE(e.label, s3), r, eol, eoes,
                       e.assumed ? "; note: " : "", e.assumed ? SAFE(e.note, s4) : "");
            }
        } else {
            usage(stderr);
            code = WW_EXIT_ERROR;
        }
        ww_feeds_free(f);
    } else {
        ww_cli_error("feeds: unknown subcommand '%s' (fetch, import, status, reset, lookup, kev)",
                     sub);
        code = WW_EXIT_ERROR;
    }
    ww_store_close(st);
    return code;
}
