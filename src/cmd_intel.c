/* wardwatch intel: threat-intelligence indicators -- import (STIX 2.1 bundles, MISP
 * events and feeds, plain lists) into the store, list and remove them, and export
 * the hits serve raised as sightings (STIX 2.1 or MISP), filtered by TLP.  Also the
 * loader hunt --intel uses (ww_cli_intel_load). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "intel/ww_intel.h"
#include "wardwatch.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: wardwatch intel [--db PATH] import [options] FILE|DIR...\n"
            "       wardwatch intel [--db PATH] list [--source S] [--expired] [--format F]\n"
            "       wardwatch intel [--db PATH] remove --source S\n"
            "       wardwatch intel [--db PATH] sightings --format stix|misp [--since TIME]\n"
            "                                      [--max-tlp T] [--org NAME]\n"
            "\n"
            "Threat-intelligence indicators in the store (--db PATH, else $WARDWATCH_DB,\n"
            "else wardwatch.db), matched by `hunt --intel` and by `serve`.\n"
            "import: STIX 2.1 bundles, MISP event files, MISP feed directories (with\n"
            "manifest.json), and plain lists (one value a line: --type and --source needed).\n"
            "  --type T          a list's type: ip, ipv6, domain, url, md5, sha1, sha256, email\n"
            "  --source S        who published it (lists: required; others: overrides theirs)\n"
            "  --tlp T           clear, green, amber, amber+strict or red (lists: default\n"
            "                    amber; others: only ever raises what the data says)\n"
            "  --valid-until D   stop matching after D (ISO 8601 date or date-time)\n"
            "  --misp-all        MISP: also attributes not marked to_ids\n"
            "list: the indicators valid now (--expired: those past valid_until).\n"
            "sightings: the intel alerts serve stored, as a STIX 2.1 bundle of sightings or\n"
            "MISP sightings, on standard output.  --max-tlp (default amber) leaves out\n"
            "indicators marked above it; TLP:RED is never exported.\n"
            "Exit status: 0 done, 1 (list, sightings) nothing to show, 2 an error.\n");
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static ww_store_t *open_store(const char *db)
{
    ww_store_t *st = NULL;
    ww_diag_t d = {0};
    const char *path = ww_store_default_path(db);
    if (ww_store_open(path, &st, &d) != 0 || ww_intel_migrate(st, &d) != 0) {
        ww_cli_error("%s: %s", d.file[0] ? d.file : path, d.msg);
        ww_store_close(st);
        return NULL;
    }
    return st;
}

static void print_diag(const ww_diag_t *d)
{
    char f[300], m[300];
    ww_cli_safe(d->file, strlen(d->file), f, sizeof f);
    ww_cli_safe(d->msg, strlen(d->msg), m, sizeof m);
    if (d->line && d->col)
        ww_cli_error("%s:%u:%u: %s", f, d->line, d->col, m);
    else if (d->line)
        ww_cli_error("%s:%u: %s", f, d->line, m);
    else
        ww_cli_error("%s: %s", f, m);
}

static void print_skips(const ww_intel_set_t *set)
{
    for (size_t i = 0; i < set->nskip; i++) {
        char w[320], y[320];
        ww_cli_safe(set->skip[i].where, strlen(set->skip[i].where), w, sizeof w);
        ww_cli_safe(set->skip[i].why, strlen(set->skip[i].why), y, sizeof y);
        fprintf(stderr, "wardwatch: %s: left out: %s\n", w, y);
    }
    if (set->skipped > set->nskip)
        fprintf(stderr, "wardwatch: ... and %llu more left out\n",
                (unsigned long long)(set->skipped - set->nskip));
}

static int parse_tlp_arg(const char *arg)
{
    int t = ww_tlp_parse(arg, strlen(arg));
    if (t < 0) {
        char s[64];
        ww_cli_error("intel: unknown TLP '%s' (clear, green, amber, amber+strict or red)",
                     ww_cli_safe(arg, strlen(arg), s, sizeof s));
    }
    return t;
}

/* Parses every path into one set: 0, or WW_EXIT_ERROR after saying why. */
static int import_paths(char **paths, size_t n, const ww_intel_opts_t *o, ww_intel_set_t *set)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        ww_diag_t d = {0};
        if (ww_intel_import_path(paths[i], o, set, &d) != 0) {
            print_diag(&d);
            bad = 1;
        }
    }
    print_skips(set);
    return bad ? WW_EXIT_ERROR : 0;
}

static int cmd_import(const char *db, int argc, char **argv)
{
    static const struct option opts[] = {
        {"type", required_argument, NULL, 't'}, {"source", required_argument, NULL, 's'},
        {"tlp", required_argument, NULL, 'T'},  {"valid-until", required_argument, NULL, 'u'},
        {"misp-all", no_argument, NULL, 'a'},   {"db", required_argument, NULL, 'D'},
        {"help", no_argument, NULL, 'h'},       {0},
    };
    ww_intel_opts_t o = WW_INTEL_OPTS_INIT;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 't':
            if ((o.type = ww_ind_type_parse(optarg)) < 0) {
                ww_cli_error("intel import: unknown --type '%s' (ip, ipv6, domain, url, md5, "
                             "sha1, sha256 or email)",
                             optarg);
                return WW_EXIT_ERROR;
            }
            break;
        case 's': o.source = optarg; break;
        case 'T':
            if ((o.tlp = parse_tlp_arg(optarg)) < 0)
                return WW_EXIT_ERROR;
            break;
        case 'u':
            if (ww_cli_time_arg("intel import", "valid-until", optarg, true, &o.valid_until) != 0)
                return WW_EXIT_ERROR;
            break;
        case 'a': o.misp_all = true; break;
        case 'D': db = optarg; break;
        case 'h': usage(stdout); return WW_EXIT_OK;
        default: usage(stderr); return WW_EXIT_ERROR;
        }
    }
    if (optind >= argc) {
        ww_cli_error("intel import: name the files or feed directories to import");
        return WW_EXIT_ERROR;
    }
    if (o.type && (!o.source || !*o.source)) {
        ww_cli_error("intel import: a plain list needs --source (who published it)");
        return WW_EXIT_ERROR;
    }
    ww_intel_set_t set;
    ww_intel_set_init(&set);
    int ec = import_paths(argv + optind, (size_t)(argc - optind), &o, &set);
    ww_store_t *st = NULL;
    if (ec) {
        ww_cli_error("intel import: nothing stored (fix the files above, or leave them out)");
        goto out;
    }
    if (!(st = open_store(db))) {
        ec = WW_EXIT_ERROR;
        goto out;
    }
    uint64_t added = 0, updated = 0;
    ww_diag_t d = {0};
    if (ww_intel_store_put(st, &set, &added, &updated, &d) != 0) {
        print_diag(&d);
        ec = WW_EXIT_ERROR;
        goto out;
    }
    printf("%zu indicator%s imported (%llu new, %llu updated), %llu left out\n", set.n,
           set.n == 1 ? "" : "s", (unsigned long long)added, (unsigned long long)updated,
           (unsigned long long)set.skipped);
    ec = WW_EXIT_OK;
out:
    ww_store_close(st);
    ww_intel_set_release(&set);
    return ec;
}

typedef struct lister {
    bool json;
    uint64_t n;
} lister_t;

static int show(void *ud, const ww_indicator_t *x)
{
    lister_t *l = ud;
    char until[40] = "-";
    if (x->valid_until != WW_TIME_NONE)
        ww_time_format(x->valid_until, until, sizeof until);
    l->n++;
    if (l->json) {
        ww_buf_t b;
        ww_buf_init(&b, 0);
        ww_buf_puts(&b, "{\"id\":");
        ww_buf_json_str(&b, x->id, strlen(x->id));
        ww_buf_printf(&b, ",\"type\":\"%s\",\"value\":", ww_ind_type_name(x->type));
        ww_buf_json_str(&b, x->value, strlen(x->value));
        ww_buf_puts(&b, ",\"source\":");
        ww_buf_json_str(&b, x->source, strlen(x->source));
        ww_buf_puts(&b, ",\"name\":");
        ww_buf_json_str(&b, x->name, strlen(x->name));
        ww_buf_printf(&b, ",\"tlp\":\"%s\",\"confidence\":", ww_tlp_name(x->tlp));
        if (x->confidence >= 0)
            ww_buf_printf(&b, "%d", x->confidence);
        else
            ww_buf_puts(&b, "null");
        ww_buf_puts(&b, ",\"valid_until\":");
        if (x->valid_until != WW_TIME_NONE)
            ww_buf_json_str(&b, until, strlen(until));
        else
            ww_buf_puts(&b, "null");
        ww_buf_puts(&b, "}\n");
        fwrite(b.p, 1, b.n, stdout);
        ww_buf_release(&b);
    } else {
        char v[120], s[60];
        printf("%-12s %-60s %-24s %-17s %s\n", ww_ind_type_name(x->type),
               ww_cli_safe(x->value, strlen(x->value), v, sizeof v),
               ww_cli_safe(x->source, strlen(x->source), s, sizeof s), ww_tlp_name(x->tlp), until);
    }
    return ww_cli_output_failed(stdout) ? 1 : 0;
}

static int cmd_list(const char *db, int argc, char **argv)
{
    static const struct option opts[] = {
        {"source", required_argument, NULL, 's'}, {"expired", no_argument, NULL, 'e'},
        {"format", required_argument, NULL, 'f'}, {"db", required_argument, NULL, 'D'},
        {"help", no_argument, NULL, 'h'},         {0},
    };
    const char *source = NULL;
    bool expired = false;
    lister_t l = {0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 's': source = optarg; break;
        case 'e': expired = true; break;
        case 'f':
            if (!strcmp(optarg, "ndjson"))
                l.json = true;
            else if (strcmp(optarg, "table")) {
                ww_cli_error("intel list: --format table or ndjson");
                return WW_EXIT_ERROR;
            }
            break;
        case 'D': db = optarg; break;
        case 'h': usage(stdout); return WW_EXIT_OK;
        default: usage(stderr); return WW_EXIT_ERROR;
        }
    }
    ww_store_t *st = open_store(db);
    if (!st)
        return WW_EXIT_ERROR;
    ww_diag_t d = {0};
    if (!l.json)
        printf("%-12s %-60s %-24s %-17s %s\n", "TYPE", "VALUE", "SOURCE", "TLP", "VALID UNTIL");
    int rc = ww_intel_store_list(st, source, expired, now_ns(), show, &l, &d);
    ww_store_close(st);
    if (rc < 0) {
        print_diag(&d);
        return WW_EXIT_ERROR;
    }
    return l.n ? WW_EXIT_MATCH : WW_EXIT_OK;
}

static int cmd_remove(const char *db, int argc, char **argv)
{
    static const struct option opts[] = {
        {"source", required_argument, NULL, 's'},
        {"db", required_argument, NULL, 'D'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    const char *source = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 's': source = optarg; break;
        case 'D': db = optarg; break;
        case 'h': usage(stdout); return WW_EXIT_OK;
        default: usage(stderr); return WW_EXIT_ERROR;
        }
    }
    if (!source || !*source) {
        ww_cli_error("intel remove: --source S names whose indicators to remove");
        return WW_EXIT_ERROR;
    }
    ww_store_t *st = open_store(db);
    if (!st)
        return WW_EXIT_ERROR;
    uint64_t n = 0;
    ww_diag_t d = {0};
    int rc = ww_intel_store_remove(st, source, &n, &d);
    ww_store_close(st);
    if (rc) {
        print_diag(&d);
        return WW_EXIT_ERROR;
    }
    printf("%llu indicator%s removed\n", (unsigned long long)n, n == 1 ? "" : "s");
    return WW_EXIT_OK;
}

static int cmd_sightings(const char *db, int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"since", required_argument, NULL, 's'},
        {"max-tlp", required_argument, NULL, 'T'},
        {"org", required_argument, NULL, 'o'},
        {"db", required_argument, NULL, 'D'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    ww_intel_sight_opts_t o = {.format = WW_SIGHT_STIX,
                               .since = WW_TIME_NONE,
                               .max_tlp = WW_TLP_AMBER,
                               .org = "wardwatch",
                               .now = now_ns()};
    const char *org_env = getenv("WARDWATCH_ORG");
    if (org_env && *org_env)
        o.org = org_env;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (!strcmp(optarg, "stix"))
                o.format = WW_SIGHT_STIX;
            else if (!strcmp(optarg, "misp"))
                o.format = WW_SIGHT_MISP;
            else {
                ww_cli_error("intel sightings: --format stix or misp");
                return WW_EXIT_ERROR;
            }
            break;
        case 's':
            if (ww_cli_time_arg("intel sightings", "since", optarg, false, &o.since) != 0)
                return WW_EXIT_ERROR;
            break;
        case 'T':
            if ((o.max_tlp = parse_tlp_arg(optarg)) < 0)
                return WW_EXIT_ERROR;
            if (o.max_tlp == WW_TLP_RED) {
                ww_cli_error("intel sightings: TLP:RED is never exported (--max-tlp at most "
                             "amber+strict)");
                return WW_EXIT_ERROR;
            }
            break;
        case 'o': o.org = optarg; break;
        case 'D': db = optarg; break;
        case 'h': usage(stdout); return WW_EXIT_OK;
        default: usage(stderr); return WW_EXIT_ERROR;
        }
    }
    ww_store_t *st = open_store(db);
    if (!st)
        return WW_EXIT_ERROR;
    ww_buf_t out;
    ww_buf_init(&out, 0);
    uint64_t n = 0, held = 0;
    ww_diag_t d = {0};
    int rc = ww_intel_sightings(st, &o, &out, &n, &held, &d);
    ww_store_close(st);
    if (rc) {
        print_diag(&d);
        ww_buf_release(&out);
        return WW_EXIT_ERROR;
    }
    fwrite(out.p, 1, out.n, stdout);
    ww_buf_release(&out);
    fprintf(stderr, "wardwatch: %llu sighting%s exported, %llu hit%s withheld by TLP\n",
            (unsigned long long)n, n == 1 ? "" : "s", (unsigned long long)held,
            held == 1 ? "" : "s");
    return n ? WW_EXIT_OK : WW_EXIT_MATCH;
}

int cmd_intel(int argc, char **argv)
{
    const char *db = NULL;
    int ec = WW_EXIT_ERROR;
    int i = ww_cli_db_options(argc, argv, &db, usage, &ec);
    if (i < 0)
        return ec;
    const char *sub = argv[i];
    if (!strcmp(sub, "import"))
        return cmd_import(db, argc - i, argv + i);
    if (!strcmp(sub, "list"))
        return cmd_list(db, argc - i, argv + i);
    if (!strcmp(sub, "remove"))
        return cmd_remove(db, argc - i, argv + i);
    if (!strcmp(sub, "sightings"))
        return cmd_sightings(db, argc - i, argv + i);
    char s[64];
    ww_cli_error("intel: unknown subcommand '%s' (import, list, remove or sightings)",
                 ww_cli_safe(sub, strlen(sub), s, sizeof s));
    return WW_EXIT_ERROR;
}

/* ---- for hunt --intel ---- */

static int add_stored(void *ud, const ww_indicator_t *x)
{
    ww_intel_set_t *set = ud;
    ww_indicator_t y = *x;
    if (!(y.id = ww_arena_strdup(&set->arena, x->id)) ||
        !(y.value = ww_arena_strdup(&set->arena, x->value)) ||
        !(y.name = ww_arena_strdup(&set->arena, x->name)) ||
        !(y.source = ww_arena_strdup(&set->arena, x->source)))
        return WW_ENOMEM;
    if (set->n == set->cap) {
        size_t nc = set->cap ? set->cap * 2 : 256;
        ww_indicator_t *nv = realloc(set->v, nc * sizeof *nv);
        if (!nv)
            return WW_ENOMEM;
        set->v = nv;
        set->cap = nc;
    }
    set->v[set->n++] = y;
    return 0;
}

ww_intel_t *ww_cli_intel_load(const char *db, bool stored, const char **files, size_t nfiles)
{
    ww_intel_t *m = NULL;
    ww_diag_t d = {0};
    int64_t now = now_ns();
    ww_store_t *st = stored ? open_store(db) : NULL;
    if (stored && !st)
        return NULL;
    if (!nfiles) {
        int rc = ww_intel_load(st, now, 0, &m, &d);
        ww_store_close(st);
        if (rc) {
            print_diag(&d);
            return NULL;
        }
        if (!ww_intel_count(m))
            ww_cli_error("hunt: --intel: no indicators valid now in %s (see wardwatch intel "
                         "import)",
                         ww_store_default_path(db));
        return m;
    }
    ww_intel_set_t set;
    ww_intel_set_init(&set);
    ww_intel_opts_t o = WW_INTEL_OPTS_INIT;
    int ec = import_paths((char **)files, nfiles, &o, &set);
    if (!ec && st && ww_intel_store_list(st, NULL, false, now, add_stored, &set, &d) != 0) {
        print_diag(&d);
        ec = WW_EXIT_ERROR;
    }
    ww_store_close(st);
    if (!ec && ww_intel_from_set(&set, now, &m) != 0) {
        ww_cli_error("hunt: out of memory compiling the indicators");
        ec = WW_EXIT_ERROR;
    }
    ww_intel_set_release(&set);
    return ec ? NULL : m;
}
