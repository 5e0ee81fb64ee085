/* wardwatch cyberalerts: records NHS cyber alerts (add with flags, import a JSON/YAML
 * file), shows which assets of the register each applies to and how its clocks stand
 * (list, show), and records the response (ack, update with asset states, close).
 * Every change is kept with who and when in the alert's history, and in the console's
 * audit log when the store has one (lib/auth). */
#include <getopt.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "auth/ww_auth.h"
#include "cyberalert/ww_cyberalert.h"
#include "feeds/ww_feeds.h"
#include "wardwatch.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: wardwatch cyberalerts [--db PATH] COMMAND [options]\n"
            "\n"
            "NHS cyber alerts: which assets each applies to, the response clocks, the record.\n"
            "  add --ref REF --title T --severity high|medium|low --published DATE\n"
            "      [--patch-by DATE] [--url URL] [--summary TEXT]\n"
            "      [--product NAME [--versions 'R1; R2']]... [--cve CVE-YYYY-N]...\n"
            "  import FILE...         alerts from JSON or YAML files (docs/cyber-alerts.md);\n"
            "                         a reference already recorded has its text replaced and\n"
            "                         its handling kept\n"
            "  list [--format table|json]        every alert, its clocks and assets\n"
            "  show REF [--format text|json]     one alert, its assets and history\n"
            "  ack REF [--note TEXT]             acknowledged (once)\n"
            "  update REF [--note TEXT] [--asset NAME --state S [--asset-note TEXT]]...\n"
            "                         an update; S: patched, mitigated, not_applicable, open\n"
            "  close REF [--note TEXT]\n"
            "\n"
            "Options every command takes:\n"
            "  --db PATH      the store (default $WARDWATCH_DB, else ./wardwatch.db)\n"
            "  --data DIR     bundled end-of-life data (default $WARDWATCH_DATA, else data/)\n"
            "  --at TIME      when the change happened (default now), e.g. an acknowledgement\n"
            "                 made by phone and recorded later; list/show judge clocks at it\n"
            "  --by NAME      who made it (default cli:<login name>)\n"
            "Exit status: 0 done (list: nothing overdue), 1 list/show: something overdue,\n"
            "2 error.  See docs/cyber-alerts.md.\n");
}

typedef struct ctx {
    const char *db, *data_dir;
    ww_store_t *st;
    ww_feeds_t *feeds;
    ww_auth_t *auth; /* NULL when the store has no console tables */
    char actor[WW_AUTH_NAME_MAX + 8];
    ww_ca_who_t who;
    ww_arena_t ar;
} ctx_t;

/* Whether the console's tables are in this store: only then is the change also written
 * to its audit log (a store used only from the command line does not grow them). */
static bool has_auth(ww_store_t *st)
{
    sqlite3_stmt *q = NULL;
    bool yes = false;
    if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM ww_schema WHERE module='auth'", -1, &q, NULL) ==
        SQLITE_OK)
        yes = sqlite3_step(q) == SQLITE_ROW;
    sqlite3_finalize(q);
    return yes;
}

static int ctx_open(ctx_t *c, bool feeds)
{
    ww_diag_t d;
    memset(&d, 0, sizeof d);
    const char *path = ww_store_default_path(c->db);
    if (ww_store_open(path, &c->st, &d) != 0 || ww_cyberalert_migrate(c->st, &d) != 0) {
        ww_cli_error("cyberalerts: %s: %s", path, d.msg);
        return -1;
    }
    if (feeds && ww_feeds_load(c->st, c->data_dir, &c->feeds, &d) != 0) {
        ww_cli_error("cyberalerts: loading reference data: %s%s%s", d.file, d.file[0] ? ": " : "",
                     d.msg);
        return -1;
    }
    if (has_auth(c->st) && ww_auth_open(c->st, NULL, &c->auth, &d) != 0) {
        ww_cli_error("cyberalerts: the console's audit log in %s: %s", path, d.msg);
        return -1;
    }
    return 0;
}

static void ctx_close(ctx_t *c)
{
    ww_auth_free(c->auth);
    ww_feeds_free(c->feeds);
    ww_store_close(c->st);
    ww_arena_release(&c->ar);
}

/* Writes the change to the console's audit log too, when there is one. */
static void audit_log(ctx_t *c, const char *action, const char *target, const char *detail)
{
    if (!c->auth)
        return;
    ww_diag_t d;
    memset(&d, 0, sizeof d);
    ww_auth_actor_t by = {c->who.by, "local"};
    if (ww_auth_audit_append(c->auth, &by, action, target, detail, &d) != 0)
        ww_cli_error("cyberalerts: the change is recorded, but not in the audit log: %s", d.msg);
}

static void fmt_time(int64_t t, char *out, size_t n)
{
    if (!t) {
        snprintf(out, n, "-");
        return;
    }
    ww_ca_time_format(t, out, n);
}

/* "due 2026-05-03T09:00Z" / "met" ... for the table. */
static void clock_cell(const ww_ca_clock_t *k, char *out, size_t n)
{
    char t[32];
    fmt_time(k->state == WW_CLOCK_MET || k->state == WW_CLOCK_LATE ? k->done : k->due, t, sizeof t);
    if (k->state == WW_CLOCK_NONE)
        snprintf(out, n, "-");
    else
        snprintf(out, n, "%s %.16s", ww_ca_clock_name(k->state), t);
}

static void counts(const ww_ca_asset_t *x, size_t n, size_t *affected, size_t *open,
                   size_t *possible, int64_t *last)
{
    *affected = *open = *possible = 0;
    *last = 0;
    for (size_t i = 0; i < n; i++) {
        if (x[i].possible) {
            (*possible)++;
            continue;
        }
        (*affected)++;
        *open += x[i].state == WW_CA_OPEN;
        if (x[i].state_at > *last)
            *last = x[i].state_at;
    }
}

/* Brings the applicable assets up to date with the register before showing them; a
 * store that cannot be written (read-only, locked) shows what was last worked out. */
static void refresh(ctx_t *c, const char *ref)
{
    ww_diag_t d;
    memset(&d, 0, sizeof d);
    if (ww_cyberalert_refresh(c->st, c->feeds, ref, &c->who, &d) != 0)
        ww_cli_error("cyberalerts: the applicable assets shown are those last worked out, "
                     "not checked against the register now: %s",
                     d.msg);
}

static bool overdue(const ww_ca_clocks_t *k)
{
    return k->ack.state == WW_CLOCK_OVERDUE || k->update.state == WW_CLOCK_OVERDUE ||
           k->mitigate.state == WW_CLOCK_OVERDUE;
}

static int do_list(ctx_t *c, bool json)
{
    ww_diag_t d;
    memset(&d, 0, sizeof d);
    ww_cyberalert_t *v = NULL;
    size_t n = 0;
    refresh(c, NULL);
    if (ww_cyberalert_list(c->st, &c->ar, &v, &n, &d) != 0) {
        ww_cli_error("cyberalerts: %s", d.msg);
        return WW_EXIT_ERROR;
    }
    bool late = false;
    if (!json)
        printf("%-12s %-8s %-6s %-10s %-26s %-26s %-26s %s\n", "REFERENCE", "SEVERITY", "STATUS",
               "PUBLISHED", "ACKNOWLEDGE", "FIRST UPDATE", "MITIGATE", "ASSETS (open/applicable)");
    ww_buf_t b;
    ww_buf_init(&b, 0);
    for (size_t i = 0; i < n && !ww_cli_output_failed(stdout); i++) {
        ww_ca_asset_t *x = NULL;
        size_t nx = 0, affected, open, possible;
        int64_t last;
        if (ww_cyberalert_assets(c->st, v[i].id, &c->ar, &x, &nx, &d) != 0) {
            ww_cli_error("cyberalerts: %s", d.msg);
            ww_buf_release(&b);
            return WW_EXIT_ERROR;
        }
        counts(x, nx, &affected, &open, &possible, &last);
        ww_ca_clocks_t k;
        ww_cyberalert_clocks(&v[i], c->who.at, open, last, &k);
        late |= !v[i].closed_at && overdue(&k);
        if (json) {
            ww_buf_clear(&b);
            ww_cyberalert_json(&b, &v[i], c->who.at, x, nx);
            ww_buf_putc(&b, '\n');
            fwrite(b.p, 1, b.n, stdout);
            continue;
        }
        char pub[32], ca[48], cu[48], cm[48], ref[80];
        fmt_time(v[i].published, pub, sizeof pub);
        clock_cell(&k.ack, ca, sizeof ca);
        clock_cell(&k.update, cu, sizeof cu);
        clock_cell(&k.mitigate, cm, sizeof cm);
        printf("%-12s %-8s %-6s %-10.10s %-26s %-26s %-26s %zu/%zu%s\n",
               ww_cli_safe(v[i].ref, strlen(v[i].ref), ref, sizeof ref),
               ww_ca_sev_name(v[i].severity), v[i].closed_at ? "closed" : "open", pub, ca, cu, cm,
               open, affected, possible ? " (+possible)" : "");
    }
    ww_buf_release(&b);
    return late ? WW_EXIT_MATCH : WW_EXIT_OK;
}

static int do_show(ctx_t *c, const char *ref, bool json)
{
    ww_diag_t d;
    memset(&d, 0, sizeof d);
    ww_cyberalert_t a;
    int rc = ww_cyberalert_get(c->st, ref, &c->ar, &a, &d);
    if (rc == 0) {
        ww_cli_error("cyberalerts: no cyber alert %s", ref);
        return WW_EXIT_ERROR;
    }
    ww_ca_asset_t *x = NULL;
    ww_ca_note_t *h = NULL;
    size_t nx = 0, nh = 0, affected, open, possible;
    int64_t last;
    if (rc > 0)
        refresh(c, a.ref);
    if (rc < 0 || ww_cyberalert_assets(c->st, a.id, &c->ar, &x, &nx, &d) != 0 ||
        ww_cyberalert_history(c->st, a.id, &c->ar, &h, &nh, &d) != 0) {
        ww_cli_error("cyberalerts: %s", d.msg);
        return WW_EXIT_ERROR;
    }
    counts(x, nx, &affected, &open, &possible, &last);
    ww_ca_clocks_t k;
    ww_cyberalert_clocks(&a, c->who.at, open, last, &k);
    if (json) {
        ww_buf_t b;
        ww_buf_init(&b, 0);
        ww_cyberalert_json(&b, &a, c->who.at, x, nx);
        ww_buf_putc(&b, '\n');
        fwrite(b.p, 1, b.n, stdout);
        ww_buf_release(&b);
        return !a.closed_at && overdue(&k) ? WW_EXIT_MATCH : WW_EXIT_OK;
    }
    char t[32];
    printf("reference:  ");
    ww_cli_puts_safe(stdout, a.ref);
    printf("\ntitle:      ");
    ww_cli_puts_safe(stdout, a.title);
    fmt_time(a.published, t, sizeof t);
    printf("\nseverity:   %s\npublished:  %s\nstatus:     %s\n", ww_ca_sev_name(a.severity), t,
           a.closed_at ? "closed" : "open");
    if (*a.url) {
        printf("url:        ");
        ww_cli_puts_safe(stdout, a.url);
        putchar('\n');
    }
    for (size_t i = 0; i < a.nproducts; i++) {
        printf("product:    ");
        ww_cli_puts_safe(stdout, a.products[i].product);
        for (size_t r = 0; r < a.products[i].nranges; r++) {
            fputs(r ? "; " : " (", stdout);
            ww_cli_puts_safe(stdout, a.products[i].ranges[r]);
        }
        puts(a.products[i].nranges ? ")" : " (all versions)");
    }
    for (size_t i = 0; i < a.ncves; i++)
        printf("cve:        %s\n", a.cves[i]);
    const struct {
        const char *name;
        const ww_ca_clock_t *k;
    } cl[] = {{"acknowledge", &k.ack}, {"first update", &k.update}, {"mitigate", &k.mitigate}};
    for (size_t i = 0; i < WW_ARRAY_LEN(cl); i++) {
        char due[32], done[32];
        fmt_time(cl[i].k->due, due, sizeof due);
        fmt_time(cl[i].k->done, done, sizeof done);
        if (cl[i].k->state == WW_CLOCK_NONE)
            printf("%-12s no deadline at this severity\n", cl[i].name);
        else
            printf("%-12s %s (due %s, done %s)\n", cl[i].name, ww_ca_clock_name(cl[i].k->state),
                   due, done);
    }
    if (*a.summary) {
        printf("\n");
        ww_cli_puts_safe(stdout, a.summary);
        printf("\n");
    }
    printf("\napplicable assets: %zu (%zu open)%s\n", affected, open,
           possible ? "; possibly applicable (version not recorded) marked ?" : "");
    for (size_t i = 0; i < nx; i++) {
        char name[160], when[32];
        fmt_time(x[i].state_at, when, sizeof when);
        printf("  %s %-20s %-14s %s ", x[i].possible ? "?" : "-",
               ww_cli_safe(x[i].asset, strlen(x[i].asset), name, sizeof name),
               ww_ca_state_name(x[i].state), x[i].state_at ? when : "");
        ww_cli_puts_safe(stdout, x[i].basis);
        if (*x[i].note) {
            fputs(" -- ", stdout);
            ww_cli_puts_safe(stdout, x[i].state_by);
            fputs(": ", stdout);
            ww_cli_puts_safe(stdout, x[i].note);
        }
        putchar('\n');
    }
    printf("\nhistory:\n");
    for (size_t i = 0; i < nh; i++) {
        fmt_time(h[i].at, t, sizeof t);
        printf("  %s %-8s ", t, h[i].action);
        ww_cli_puts_safe(stdout, h[i].by);
        if (*h[i].detail) {
            fputs(": ", stdout);
            ww_cli_puts_safe(stdout, h[i].detail);
        }
        putchar('\n');
    }
    return !a.closed_at && overdue(&k) ? WW_EXIT_MATCH : WW_EXIT_OK;
}

static int grow_ptrs(const char ***v, size_t *n, size_t *cap, const char *s)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        const char **nv = realloc(*v, nc * sizeof *nv);
        if (!nv)
            return -1;
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = s;
    return 0;
}

/* --versions "7.4.0 - 7.4.2; >= 7.2.0 < 7.2.7": ranges split at ';' into the arena. */
static int split_ranges(ww_arena_t *ar, const char *s, ww_ca_product_t *p)
{
    char *copy = ww_arena_strdup(ar, s);
    if (!copy)
        return -1;
    size_t n = 1;
    for (const char *c = copy; *c; c++)
        n += *c == ';';
    p->ranges = ww_arena_alloc(ar, n * sizeof *p->ranges);
    if (!p->ranges)
        return -1;
    p->nranges = 0;
    for (char *c = copy; c;) {
        char *e = strchr(c, ';');
        if (e)
            *e++ = 0;
        while (*c == ' ')
            c++;
        size_t l = strlen(c);
        while (l && c[l - 1] == ' ')
            c[--l] = 0;
        if (*c)
            p->ranges[p->nranges++] = c;
        c = e;
    }
    return 0;
}

static int do_add(ctx_t *c, ww_cyberalert_t *a, const char **pv, const char **vv, size_t np)
{
    a->products = ww_arena_calloc(&c->ar, (np + 1) * sizeof *a->products);
    if (!a->products)
        return WW_EXIT_ERROR;
    for (size_t i = 0; i < np; i++) {
        a->products[i].product = pv[i];
        if (vv[i] && split_ranges(&c->ar, vv[i], &a->products[i]) != 0)
            return WW_EXIT_ERROR;
    }
    a->nproducts = np;
    ww_diag_t d;
    memset(&d, 0, sizeof d);
    if (ww_cyberalert_put(c->st, a, false, &c->who, NULL, &d) != 0 ||
        ww_cyberalert_refresh(c->st, c->feeds, a->ref, &c->who, &d) != 0) {
        ww_cli_error("cyberalerts: add: %s", d.msg);
        return WW_EXIT_ERROR;
    }
    audit_log(c, "cyberalert.add", a->ref, a->title);
    ww_cyberalert_t got;
    ww_ca_asset_t *x = NULL;
    size_t nx = 0, affected, open, possible;
    int64_t last;
    if (ww_cyberalert_get(c->st, a->ref, &c->ar, &got, &d) == 1 &&
        ww_cyberalert_assets(c->st, got.id, &c->ar, &x, &nx, &d) == 0) {
        counts(x, nx, &affected, &open, &possible, &last);
        printf("%s recorded: applies to %zu asset(s)", a->ref, affected);
        if (possible)
            printf(", possibly %zu more (version not recorded)", possible);
        printf("\n");
    }
    return WW_EXIT_OK;
}

static int do_import(ctx_t *c, char **files, int nfiles)
{
    int status = WW_EXIT_OK;
    for (int i = 0; i < nfiles; i++) {
        char *data = NULL;
        size_t len = 0;
        int rc = ww_read_file(files[i], WW_CA_MAX_FILE, &data, &len);
        if (rc != 0) {
            ww_cli_error("cyberalerts: %s: %s", files[i],
                         rc == WW_ELIMIT ? "larger than 16 MiB" : ww_strerror(rc));
            status = WW_EXIT_ERROR;
            continue;
        }
        ww_diag_t d;
        memset(&d, 0, sizeof d);
        ww_cyberalert_t *v = NULL;
        size_t n = 0, added = 0, replaced = 0;
        ww_arena_t ar;
        ww_arena_init(&ar, 64 * 1024, 0);
        rc = ww_cyberalert_parse(files[i], data, len, &ar, &v, &n, &d);
        if (rc != 0) {
            char msg[600];
            ww_cli_error("cyberalerts: %s:%u:%u: %s", files[i], d.line, d.col,
                         ww_cli_safe(d.msg, strlen(d.msg), msg, sizeof msg));
            status = WW_EXIT_ERROR;
        }
        for (size_t k = 0; rc == 0 && k < n; k++) {
            bool created = false;
            if (ww_cyberalert_put(c->st, &v[k], true, &c->who, &created, &d) != 0 ||
                ww_cyberalert_refresh(c->st, c->feeds, v[k].ref, &c->who, &d) != 0) {
                ww_cli_error("cyberalerts: %s: %s: %s", files[i], v[k].ref, d.msg);
                status = WW_EXIT_ERROR;
                continue;
            }
            created ? added++ : replaced++;
            audit_log(c, created ? "cyberalert.add" : "cyberalert.replace", v[k].ref, files[i]);
        }
        if (rc == 0)
            printf("%s: %zu alert(s) added, %zu updated\n", files[i], added, replaced);
        ww_arena_release(&ar);
        free(data);
    }
    return status;
}

int cmd_cyberalerts(int argc, char **argv)
{
    int status = WW_EXIT_ERROR, start;
    /* --db may come before or after the command: a leading one is taken here, the
       rest of the line is the command's. */
    const char *db = NULL;
    if ((start = ww_cli_db_options(argc, argv, &db, usage, &status)) < 0)
        return status;
    const char *cmd = argv[start];
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"data", required_argument, NULL, 'D'},
        {"at", required_argument, NULL, 'a'},
        {"by", required_argument, NULL, 'b'},
        {"format", required_argument, NULL, 'f'},
        {"note", required_argument, NULL, 'n'},
        {"ref", required_argument, NULL, 'r'},
        {"title", required_argument, NULL, 't'},
        {"severity", required_argument, NULL, 's'},
        {"published", required_argument, NULL, 'p'},
        {"patch-by", required_argument, NULL, 'P'},
        {"url", required_argument, NULL, 'u'},
        {"summary", required_argument, NULL, 'S'},
        {"product", required_argument, NULL, 'R'},
        {"versions", required_argument, NULL, 'V'},
        {"cve", required_argument, NULL, 'c'},
        {"asset", required_argument, NULL, 'A'},
        {"state", required_argument, NULL, 'T'},
        {"asset-note", required_argument, NULL, 'N'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    ctx_t c;
    memset(&c, 0, sizeof c);
    c.db = db;
    ww_arena_init(&c.ar, 64 * 1024, 0);
    ww_cyberalert_t a;
    memset(&a, 0, sizeof a);
    a.url = a.summary = "";
    const char *format = NULL, *note = NULL;
    const char **pv = NULL, **vv = NULL, **cves = NULL, **assets = NULL, **states = NULL,
               **anotes = NULL;
    size_t np = 0, pcap = 0, nv = 0, vcap = 0, nc = 0, ccap = 0, na = 0, acap = 0, ns = 0, scap = 0,
           nn = 0, ncap = 0;
    bool at_given = false;
    const struct passwd *pw = getpwuid(geteuid());
    snprintf(c.actor, sizeof c.actor, "cli:%s", pw && pw->pw_name ? pw->pw_name : "unknown");
    c.who.by = c.actor;
    c.who.at = (int64_t)time(NULL);
    int o;
    optind = start + 1;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (o) {
        case 'd': c.db = optarg; break;
        case 'D': c.data_dir = optarg; break;
        case 'a':
            if (ww_ca_time_parse(optarg, &c.who.at) != 0) {
                ww_cli_error("cyberalerts: --at '%s' is not a date or ISO 8601 time", optarg);
                goto out;
            }
            at_given = true;
            break;
        case 'b':
            if (!*optarg || strlen(optarg) > WW_AUTH_NAME_MAX) {
                ww_cli_error("cyberalerts: --by needs a name of at most %d bytes",
                             WW_AUTH_NAME_MAX);
                goto out;
            }
            c.who.by = optarg;
            break;
        case 'f': format = optarg; break;
        case 'n': note = optarg; break;
        case 'r': a.ref = optarg; break;
        case 't': a.title = optarg; break;
        case 's':
            if (ww_ca_sev_parse(optarg, &a.severity) != 0) {
                ww_cli_error("cyberalerts: severity '%s' is not high, medium or low (or "
                             "critical)",
                             optarg);
                goto out;
            }
            break;
        case 'p':
        case 'P':
            if (ww_ca_time_parse(optarg, o == 'p' ? &a.published : &a.patch_by) != 0) {
                ww_cli_error("cyberalerts: --%s '%s' is not a date or ISO 8601 time",
                             o == 'p' ? "published" : "patch-by", optarg);
                goto out;
            }
            break;
        case 'u': a.url = optarg; break;
        case 'S': a.summary = optarg; break;
        case 'R':
            if (grow_ptrs(&pv, &np, &pcap, optarg) || grow_ptrs(&vv, &nv, &vcap, NULL))
                goto out;
            break;
        case 'V':
            if (!np || vv[np - 1]) {
                ww_cli_error("cyberalerts: --versions follows the --product it belongs to");
                goto out;
            }
            vv[np - 1] = optarg;
            break;
        case 'c':
            if (grow_ptrs(&cves, &nc, &ccap, optarg))
                goto out;
            break;
        case 'A':
            if (grow_ptrs(&assets, &na, &acap, optarg) || grow_ptrs(&anotes, &nn, &ncap, NULL))
                goto out;
            break;
        case 'T':
            if (ns + 1 != na) {
                ww_cli_error("cyberalerts: each --state follows its --asset");
                goto out;
            }
            if (grow_ptrs(&states, &ns, &scap, optarg))
                goto out;
            break;
        case 'N':
            if (!na || anotes[na - 1]) {
                ww_cli_error("cyberalerts: --asset-note follows its --asset");
                goto out;
            }
            anotes[na - 1] = optarg;
            break;
        case 'h':
            usage(stdout);
            status = WW_EXIT_OK;
            goto out;
        default: usage(stderr); goto out;
        }
    }
    (void)at_given;
    bool json = false;
    if (format) {
        if (!strcmp(format, "json"))
            json = true;
        else if (strcmp(format, "table") && strcmp(format, "text")) {
            ww_cli_error("cyberalerts: unknown format '%s' (table or json)", format);
            goto out;
        }
    }
    bool needs_ref = !strcmp(cmd, "show") || !strcmp(cmd, "ack") || !strcmp(cmd, "update") ||
                     !strcmp(cmd, "close");
    if (needs_ref && optind + 1 != argc) {
        ww_cli_error("cyberalerts: %s takes one alert reference", cmd);
        goto out;
    }
    if ((!strcmp(cmd, "add") || !strcmp(cmd, "list")) && optind != argc) {
        ww_cli_error("cyberalerts: unexpected argument '%s'", argv[optind]);
        goto out;
    }
    if (!strcmp(cmd, "import") && optind == argc) {
        ww_cli_error("cyberalerts: import needs at least one file");
        goto out;
    }
    if (na != ns) {
        ww_cli_error("cyberalerts: --asset '%s' has no --state", assets[na - 1]);
        goto out;
    }
    bool matching = !strcmp(cmd, "add") || !strcmp(cmd, "import") || !strcmp(cmd, "list") ||
                    !strcmp(cmd, "show");
    if (!matching && !needs_ref) {
        ww_cli_error("cyberalerts: unknown command '%s'", cmd);
        usage(stderr);
        goto out;
    }
    if (ctx_open(&c, matching) != 0)
        goto out;
    ww_diag_t d;
    memset(&d, 0, sizeof d);
    const char *ref = needs_ref ? argv[optind] : NULL;
    if (!strcmp(cmd, "list"))
        status = do_list(&c, json);
    else if (!strcmp(cmd, "show"))
        status = do_show(&c, ref, json);
    else if (!strcmp(cmd, "import"))
        status = do_import(&c, argv + optind, argc - optind);
    else if (!strcmp(cmd, "add")) {
        a.cves = cves;
        a.ncves = nc;
        status = do_add(&c, &a, pv, vv, np);
    } else if (!strcmp(cmd, "ack")) {
        if (ww_cyberalert_ack(c.st, ref, &c.who, note, &d) != 0) {
            ww_cli_error("cyberalerts: ack: %s", d.msg);
            goto out;
        }
        audit_log(&c, "cyberalert.ack", ref, note ? note : "");
        printf("%s acknowledged\n", ref);
        status = WW_EXIT_OK;
    } else if (!strcmp(cmd, "update")) {
        if (!note && !na) {
            ww_cli_error("cyberalerts: update needs --note or --asset NAME --state S");
            goto out;
        }
        for (size_t i = 0; i < na; i++) {
            ww_ca_state_t s;
            if (ww_ca_state_parse(states[i], &s) != 0) {
                ww_cli_error("cyberalerts: state '%s' is not patched, mitigated, not_applicable "
                             "or open",
                             states[i]);
                goto out;
            }
            if (ww_cyberalert_set_asset(c.st, ref, assets[i], s, &c.who, anotes[i], &d) != 0) {
                ww_cli_error("cyberalerts: update: %s", d.msg);
                goto out;
            }
            char detail[600];
            snprintf(detail, sizeof detail, "%.200s: %s%s%.300s", assets[i], ww_ca_state_name(s),
                     anotes[i] ? ": " : "", anotes[i] ? anotes[i] : "");
            audit_log(&c, "cyberalert.asset", ref, detail);
        }
        char auto_note[64];
        if (!note) {
            snprintf(auto_note, sizeof auto_note, "%zu asset(s) updated", na);
            note = auto_note;
        }
        if (ww_cyberalert_update(c.st, ref, &c.who, note, &d) != 0) {
            ww_cli_error("cyberalerts: update: %s", d.msg);
            goto out;
        }
        audit_log(&c, "cyberalert.update", ref, note);
        printf("%s updated\n", ref);
        status = WW_EXIT_OK;
    } else if (!strcmp(cmd, "close")) {
        if (ww_cyberalert_close(c.st, ref, &c.who, note, &d) != 0) {
            ww_cli_error("cyberalerts: close: %s", d.msg);
            goto out;
        }
        audit_log(&c, "cyberalert.close", ref, note ? note : "");
        printf("%s closed\n", ref);
        status = WW_EXIT_OK;
    }
out:
    free(pv);
    free(vv);
    free(cves);
    free(assets);
    free(states);
    free(anotes);
    ctx_close(&c);
    return status;
}
