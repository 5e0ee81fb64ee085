/* wardwatch assets: `import FILE...` loads CSV, JSON or nmap -oX XML into the asset
 * register (re-importing updates, never duplicates; a bad cell is reported with
 * file:line:column and reason and left out while the rest of its row imports, a row
 * that cannot be used at all is rejected); `list` prints the register as a
 * table or NDJSON (with --observed: devices seen on the network but not registered);
 * `show KEY` prints one asset in full.  The register lives in the shared database:
 * --db PATH, else $WARDWATCH_DB, else ./wardwatch.db.  docs/assets.md has the
 * formats. */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "asset/ww_asset.h"
#include "wardwatch.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: wardwatch assets [--db PATH] import [--format csv|json|nmap]\n"
            "                        [--date-format dmy|mdy|iso] FILE...\n"
            "       wardwatch assets [--db PATH] list [--format table|ndjson] [--observed]\n"
            "       wardwatch assets [--db PATH] show ID|HOSTNAME|IP|MAC\n"
            "\n"
            "import: CSV (loose header names), JSON (array, {\"assets\":[...]} or JSON lines)\n"
            "or nmap -oX XML; the format is taken from the extension, else the content.\n"
            "An asset is matched by asset_id, else hostname, else IP/MAC, and updated.\n"
            "nmap hosts that match no asset are recorded as observed (unregistered).\n"
            "CSV: comma, semicolon or tab delimited (found from the header line).\n"
            "--date-format: how DD/MM/YYYY-style dates are read: dmy (default, the UK\n"
            "way), mdy (US) or iso (only YYYY-MM-DD); ISO dates are always accepted.\n"
            "A cell that cannot be used is reported (file:line:column) and left out; the\n"
            "rest of its row is imported.\n"
            "Exit status: 0 everything imported, 1 some records rejected or cells ignored,\n"
            "2 a file unusable.\n"
            "\n"
            "--db PATH  the database (default $WARDWATCH_DB, else ./wardwatch.db)\n"
            "See docs/assets.md for the columns and value syntax.\n");
}

/* Diagnostics quote the records they reject: escaped like every other text from them. */
static void print_diag_as(const ww_diag_t *d, const char *kind)
{
    ww_cli_puts_safe(stderr, d->file[0] ? d->file : "wardwatch");
    if (d->line)
        fprintf(stderr, ":%u", d->line);
    if (d->line && d->col)
        fprintf(stderr, ":%u", d->col);
    fprintf(stderr, ": %s", kind);
    ww_cli_puts_safe(stderr, d->msg);
    fputc('\n', stderr);
}

static void print_diag(void *ud, const ww_diag_t *d)
{
    (void)ud;
    print_diag_as(d, "");
}

/* A cell left out of a record that was otherwise imported. */
static void print_warning(void *ud, const ww_diag_t *d)
{
    (void)ud;
    print_diag_as(d, "warning: ");
}

/* A record's text for a table cell, control characters escaped (cut at the buffer). */
#define SAFE(s, buf) ww_cli_safe((s) ? (s) : "", (s) ? strlen(s) : 0, (buf), sizeof(buf))

static int open_store(const char *db, ww_store_t **st)
{
    ww_diag_t d = {0};
    const char *path = ww_store_default_path(db);
    if (ww_store_open(path, st, &d) != 0 || ww_asset_migrate(*st, &d) != 0) {
        print_diag(NULL, &d);
        ww_store_close(*st);
        *st = NULL;
        return -1;
    }
    return 0;
}

static int do_import(const char *db, int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"date-format", required_argument, NULL, 'D'},
        {"db", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    ww_import_opts_t io = {
        .now = WW_ASSET_NOTIME, .on_error = print_diag, .on_warning = print_warning};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:d:D:h", opts, NULL)) != -1) {
        switch (c) {
        case 'D':
            if (ww_date_order_parse(optarg, &io.date_order) != 0) {
                ww_cli_error("assets import: --date-format must be dmy, mdy or iso");
                return WW_EXIT_ERROR;
            }
            break;
        case 'f':
            if (!strcmp(optarg, "csv"))
                io.format = WW_IMPORT_CSV;
            else if (!strcmp(optarg, "json"))
                io.format = WW_IMPORT_JSON;
            else if (!strcmp(optarg, "nmap") || !strcmp(optarg, "xml"))
                io.format = WW_IMPORT_NMAP;
            else {
                ww_cli_error("assets import: --format must be csv, json or nmap");
                return WW_EXIT_ERROR;
            }
            break;
        case 'd': db = optarg; break;
        case 'h': usage(stdout); return WW_EXIT_OK;
        default: usage(stderr); return WW_EXIT_ERROR;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return WW_EXIT_ERROR;
    }
    ww_store_t *st = NULL;
    if (open_store(db, &st) != 0)
        return WW_EXIT_ERROR;
    int exit_code = WW_EXIT_OK;
    ww_import_stats_t total = {0};
    for (int i = optind; i < argc; i++) {
        ww_import_stats_t s = {0};
        ww_diag_t d = {0};
        int rc = ww_asset_import_file(st, argv[i], &io, &s, &d);
        if (rc < 0) {
            print_diag(NULL, &d);
            exit_code = WW_EXIT_ERROR;
        }
        /* The counts are what the store committed (ww_import_stats_t). */
        ww_cli_puts_safe(stdout, argv[i]);
        printf(": %zu imported, %zu updated, %zu rejected", s.imported, s.updated, s.rejected);
        if (s.cells_ignored)
            printf(", %zu cell%s ignored", s.cells_ignored, s.cells_ignored == 1 ? "" : "s");
        if (s.observed)
            printf(", %zu observed (not in the register)", s.observed);
        if (s.not_stored)
            printf(", %zu not stored (the database refused the file; nothing from it was kept)",
                   s.not_stored);
        printf("%s\n", rc < 0 && !s.not_stored ? " (file not fully read)" : "");
        if ((s.rejected || s.cells_ignored) && exit_code == WW_EXIT_OK)
            exit_code = WW_EXIT_MATCH;
        total.imported += s.imported;
        total.updated += s.updated;
        total.rejected += s.rejected;
        total.observed += s.observed;
        total.not_stored += s.not_stored;
    }
    if (argc - optind > 1)
        printf("total: %zu imported, %zu updated, %zu rejected, %zu observed%s\n", total.imported,
               total.updated, total.rejected, total.observed,
               total.not_stored ? ", some files not stored" : "");
    ww_store_close(st);
    return exit_code;
}

static void fmt_time(int64_t t, char *out, size_t n)
{
    if (t == WW_ASSET_NOTIME) {
        snprintf(out, n, "%s", "");
        return;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    if (tm.tm_hour == 0 && tm.tm_min == 0 && tm.tm_sec == 0)
        strftime(out, n, "%Y-%m-%d", &tm);
    else
        strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void json_kv(ww_buf_t *b, const char *k, const char *v, bool *first)
{
    ww_buf_printf(b, "%s\"%s\":", *first ? "" : ",", k);
    ww_buf_json_str(b, v ? v : "", strlen(v ? v : ""));
    *first = false;
}

static void json_time(ww_buf_t *b, const char *k, int64_t t, bool *first)
{
    char tb[40];
    fmt_time(t, tb, sizeof tb);
    if (!tb[0]) {
        ww_buf_printf(b, "%s\"%s\":null", *first ? "" : ",", k);
        *first = false;
        return;
    }
    json_kv(b, k, tb, first);
}

static void json_ports(ww_buf_t *b, const ww_port_t *p, size_t n)
{
    ww_buf_puts(b, "[");
    for (size_t i = 0; i < n; i++) {
        ww_buf_printf(b, "%s{\"port\":%u,\"proto\":", i ? "," : "", p[i].port);
        ww_buf_json_str(b, p[i].proto, strlen(p[i].proto));
        ww_buf_puts(b, ",\"service\":");
        ww_buf_json_str(b, p[i].service, strlen(p[i].service));
        ww_buf_puts(b, ",\"product\":");
        ww_buf_json_str(b, p[i].product, strlen(p[i].product));
        ww_buf_puts(b, "}");
    }
    ww_buf_puts(b, "]");
}

static void asset_json(ww_buf_t *b, const ww_asset_t *a)
{
    bool f = true;
    ww_buf_puts(b, "{");
    json_kv(b, "asset_id", a->asset_id, &f);
    json_kv(b, "hostname", a->hostname, &f);
    ww_buf_puts(b, ",\"ip\":[");
    for (size_t i = 0; i < a->nips; i++) {
        if (i)
            ww_buf_putc(b, ',');
        ww_buf_json_str(b, a->ips[i], strlen(a->ips[i]));
    }
    ww_buf_puts(b, "]");
    json_kv(b, "mac", a->mac, &f);
    json_kv(b, "type", ww_asset_type_name(a->type), &f);
    json_kv(b, "owner", a->owner, &f);
    json_kv(b, "location", a->location, &f);
    json_kv(b, "segment", a->segment, &f);
    json_kv(b, "os", a->os, &f);
    json_kv(b, "os_version", a->os_version, &f);
    json_kv(b, "build", a->build, &f);
    json_kv(b, "firmware", a->firmware, &f);
    ww_buf_puts(b, ",\"software\":[");
    for (size_t i = 0; i < a->nsoftware; i++) {
        ww_buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
        ww_buf_json_str(b, a->software[i].name, strlen(a->software[i].name));
        ww_buf_puts(b, ",\"version\":");
        ww_buf_json_str(b, a->software[i].version, strlen(a->software[i].version));
        ww_buf_puts(b, "}");
    }
    ww_buf_puts(b, "],\"missing_updates\":[");
    for (size_t i = 0; i < a->nupdates; i++) {
        const ww_update_t *u = &a->updates[i];
        bool g = true;
        ww_buf_puts(b, i ? ",{" : "{");
        json_kv(b, "id", u->id, &g);
        json_kv(b, "severity", ww_sev_name(u->severity), &g);
        if (u->cvss >= 0)
            ww_buf_printf(b, ",\"cvss\":%.1f", u->cvss);
        else
            ww_buf_puts(b, ",\"cvss\":null");
        json_time(b, "release_date", u->released, &g);
        ww_buf_puts(b, "}");
    }
    ww_buf_puts(b, "]");
    json_time(b, "last_patched", a->last_patched, &f);
    json_time(b, "last_boot", a->last_boot, &f);
    json_kv(b, "av_enabled", ww_tri_name(a->av_enabled), &f);
    json_kv(b, "firewall_enabled", ww_tri_name(a->firewall_enabled), &f);
    json_kv(b, "autorun_disabled", ww_tri_name(a->autorun_disabled), &f);
    json_kv(b, "default_password_changed", ww_tri_name(a->default_password_changed), &f);
    json_kv(b, "mfa", ww_tri_name(a->mfa), &f);
    json_kv(b, "internet_exposed", ww_tri_name(a->internet_exposed), &f);
    json_kv(b, "clinical_criticality", ww_crit_name(a->clinical_criticality), &f);
    ww_buf_puts(b, ",\"admin_accounts\":[");
    for (size_t i = 0; i < a->nadmins; i++) {
        if (i)
            ww_buf_putc(b, ',');
        ww_buf_json_str(b, a->admin_accounts[i], strlen(a->admin_accounts[i]));
    }
    ww_buf_puts(b, "]");
    json_kv(b, "manufacturer", a->manufacturer, &f);
    json_kv(b, "model", a->model, &f);
    json_kv(b, "patch_by", a->patch_by, &f);
    json_kv(b, "remote_service", ww_tri_name(a->remote_service), &f);
    json_kv(b, "stores_patient_data", ww_tri_name(a->stores_patient_data), &f);
    json_kv(b, "encryption", ww_tri_name(a->encryption), &f);
    json_kv(b, "esu", ww_tri_name(a->esu), &f);
    json_kv(b, "isolated", ww_tri_name(a->isolated), &f);
    json_kv(b, "source", ww_asset_source_name(a->source), &f);
    json_time(b, "first_seen", a->first_seen, &f);
    json_time(b, "last_seen", a->last_seen, &f);
    ww_buf_puts(b, ",\"ports\":");
    json_ports(b, a->ports, a->nports);
    json_kv(b, "os_guess", a->os_guess, &f);
    json_kv(b, "notes", a->notes, &f);
    ww_buf_puts(b, "}");
}

static void observed_json(ww_buf_t *b, const ww_observed_t *o)
{
    bool f = true;
    ww_buf_puts(b, "{");
    json_kv(b, "observed_ip", o->ip, &f);
    json_kv(b, "mac", o->mac, &f);
    json_kv(b, "hostname", o->hostname, &f);
    json_kv(b, "vendor", o->vendor, &f);
    json_kv(b, "os_guess", o->os_guess, &f);
    json_kv(b, "source", ww_asset_source_name(o->source), &f);
    json_time(b, "first_seen", o->first_seen, &f);
    json_time(b, "last_seen", o->last_seen, &f);
    json_kv(b, "medical_hint", o->medical_hint, &f);
    ww_buf_puts(b, ",\"ports\":");
    json_ports(b, o->ports, o->nports);
    ww_buf_puts(b, "}");
}

static int do_list(const char *db, int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"observed", no_argument, NULL, 'o'},
        {"db", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    bool ndjson = false, observed = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:od:h", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (!strcmp(optarg, "ndjson"))
                ndjson = true;
            else if (strcmp(optarg, "table") != 0) {
                ww_cli_error("assets list: --format must be table or ndjson");
                return WW_EXIT_ERROR;
            }
            break;
        case 'o': observed = true; break;
        case 'd': db = optarg; break;
        case 'h': usage(stdout); return WW_EXIT_OK;
        default: usage(stderr); return WW_EXIT_ERROR;
        }
    }
    ww_store_t *st = NULL;
    if (open_store(db, &st) != 0)
        return WW_EXIT_ERROR;
    ww_asset_set_t set;
    ww_diag_t d = {0};
    if (ww_asset_load(st, &set, &d) != 0) {
        print_diag(NULL, &d);
        ww_asset_set_release(&set);
        ww_store_close(st);
        return WW_EXIT_ERROR;
    }
    ww_buf_t b;
    ww_buf_init(&b, 0);
    if (observed) {
        if (!ndjson)
            printf("%-39s %-17s %-24s %-28s %s\n", "IP", "MAC", "VENDOR", "OS GUESS",
                   "MEDICAL HINT");
        /* A failed write (full disk, closed pipe) ends the listing: main() reports it. */
        for (size_t i = 0; i < set.nobserved && !ww_cli_output_failed(stdout); i++) {
            const ww_observed_t *o = &set.observed[i];
            if (ndjson) {
                ww_buf_clear(&b);
                observed_json(&b, o);
                printf("%s\n", b.p);
            } else {
                char s1[64], s2[64], s3[64], s4[64], s5[256];
                printf("%-39s %-17s %-24.24s %-28.28s %s\n", SAFE(o->ip, s1), SAFE(o->mac, s2),
                       SAFE(o->vendor, s3), SAFE(o->os_guess, s4), SAFE(o->medical_hint, s5));
            }
        }
    } else {
        if (!ndjson)
            printf("%-14s %-20s %-15s %-14s %-24s %-10s %-14s %s\n", "ASSET_ID", "HOSTNAME", "IP",
                   "TYPE", "OS", "VERSION", "SEGMENT", "CRITICALITY");
        for (size_t i = 0; i < set.n && !ww_cli_output_failed(stdout); i++) {
            const ww_asset_t *a = &set.assets[i];
            if (ndjson) {
                ww_buf_clear(&b);
                asset_json(&b, a);
                printf("%s\n", b.p);
            } else {
                char s1[64], s2[64], s3[64], s4[64], s5[64], s6[64];
                printf("%-14.14s %-20.20s %-15.15s %-14s %-24.24s %-10.10s %-14.14s %s\n",
                       SAFE(a->asset_id, s1), SAFE(a->hostname, s2),
                       SAFE(a->nips ? a->ips[0] : "", s3), ww_asset_type_name(a->type),
                       SAFE(a->os, s4), SAFE(a->os_version, s5), SAFE(a->segment, s6),
                       ww_crit_name(a->clinical_criticality));
            }
        }
        if (!ndjson)
            printf("%zu assets; %zu devices seen on the network but not registered%s\n", set.n,
                   set.nobserved, set.nobserved ? " (assets list --observed)" : "");
    }
    ww_buf_release(&b);
    ww_asset_set_release(&set);
    ww_store_close(st);
    return WW_EXIT_OK;
}

static int do_show(const char *db, int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'h': usage(stdout); return WW_EXIT_OK;
        default: usage(stderr); return WW_EXIT_ERROR;
        }
    }
    if (optind + 1 != argc) {
        usage(stderr);
        return WW_EXIT_ERROR;
    }
    ww_store_t *st = NULL;
    if (open_store(db, &st) != 0)
        return WW_EXIT_ERROR;
    ww_arena_t ar;
    ww_arena_init(&ar, 16384, 0);
    ww_asset_t a;
    ww_diag_t d = {0};
    int rc = ww_asset_find(st, argv[optind], &ar, &a, &d), code = WW_EXIT_OK;
    if (rc < 0) {
        print_diag(NULL, &d);
        code = WW_EXIT_ERROR;
    } else if (rc == 0) {
        char key[256];
        ww_cli_error("assets show: no asset with ID, hostname, IP or MAC \"%s\"",
                     ww_cli_safe(argv[optind], strlen(argv[optind]), key, sizeof key));
        code = WW_EXIT_MATCH;
    } else {
        ww_buf_t b;
        ww_buf_init(&b, 0);
        asset_json(&b, &a);
        printf("%s\n", b.p);
        ww_buf_release(&b);
    }
    ww_arena_release(&ar);
    ww_store_close(st);
    return code;
}

int cmd_assets(int argc, char **argv)
{
    const char *db;
    int ec, i = ww_cli_db_options(argc, argv, &db, usage, &ec);
    if (i < 0)
        return ec;
    const char *sub = argv[i];
    int sargc = argc - i;
    char **sargv = argv + i;
    if (!strcmp(sub, "import"))
        return do_import(db, sargc, sargv);
    if (!strcmp(sub, "list"))
        return do_list(db, sargc, sargv);
    if (!strcmp(sub, "show"))
        return do_show(db, sargc, sargv);
    ww_cli_error("assets: unknown subcommand '%s' (import, list, show)", sub);
    return WW_EXIT_ERROR;
}
