/* wardwatch incidents: the incidents of the console from a terminal -- list, show, open
 * (new), edit (set), add a note, link alerts or fire-break plans, keep an evidence
 * file, and export as JSON or as a STIX 2.1 bundle for the national SOC.  Everything
 * is in lib/incident; this file reads arguments and prints. */
#include <getopt.h>
#include <libgen.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "incident/ww_incident.h"
#include "wardwatch.h"

#define MAX_EVIDENCE_FILE (1ull << 30) /* the CLI's own cap on one evidence file */

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: wardwatch incidents [--db PATH] list [--status S] [--format table|json]\n"
        "       wardwatch incidents [--db PATH] show REF [--format text|json]\n"
        "       wardwatch incidents [--db PATH] new --title TEXT [--severity S] [--owner NAME]\n"
        "                 [--aware TIME] [--personal-data yes|no] [--dspt yes|no]\n"
        "                 [--description TEXT]\n"
        "       wardwatch incidents [--db PATH] set REF [--status S] [--severity S]\n"
        "                 [--owner NAME] [--title TEXT] [--description TEXT] [--aware TIME]\n"
        "                 [--personal-data yes|no] [--dspt yes|no] [--dspt-reported yes|no]\n"
        "                 [--dspt-ref REF]\n"
        "       wardwatch incidents [--db PATH] note REF TEXT\n"
        "       wardwatch incidents [--db PATH] link REF [--alert ID]... [--plan N]...\n"
        "                 [--host ADDRESS]...\n"
        "       wardwatch incidents [--db PATH] evidence REF FILE [--state-dir DIR]\n"
        "       wardwatch incidents [--db PATH] export REF --format json|stix\n"
        "                 [--trust NAME] [--base-url URL]\n"
        "\n"
        "REF is an incident's reference (INC-2026-0001) or number.  Status: open,\n"
        "contained, resolved, closed (list also takes active: open or contained).\n"
        "Severity: low, medium, high, critical.  TIME: ISO 8601, UTC unless a zone is\n"
        "given.  --by NAME says who acts (default: the login name).  Evidence is kept\n"
        "under DIR/evidence/REF/<sha256> (default DIR: the store's folder, as serve).\n"
        "Exit status: 0 done, 1 list found nothing, 2 error.\n");
}

typedef struct opts {
    const char *db, *by, *status, *severity, *owner, *title, *description, *aware, *format;
    const char *dspt_ref, *state_dir, *trust, *base_url;
    int personal, dspt, dspt_reported; /* -1 unchanged */
    const char *alerts[256];
    size_t nalerts;
    const char *plans[64];
    size_t nplans;
    const char *hosts[64];
    size_t nhosts;
} opts_t;

static const char *who(const opts_t *o)
{
    if (o->by && *o->by)
        return o->by;
    const char *s = getenv("SUDO_USER");
    if (s && *s)
        return s;
    s = getenv("USER");
    if (s && *s)
        return s;
    struct passwd *pw = getpwuid(getuid());
    return pw ? pw->pw_name : "unknown";
}

static int yes_no(const char *opt, const char *v)
{
    if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
        return 1;
    if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
        return 0;
    ww_cli_error("incidents: --%s wants yes or no", opt);
    return -2;
}

static void print_diag(const char *what, int rc, const ww_diag_t *d)
{
    char msg[600];
    ww_cli_safe(d->msg, strlen(d->msg), msg, sizeof msg);
    ww_cli_error("incidents: %s: %s", what, msg[0] ? msg : ww_strerror(rc));
}

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

static void put_time(int64_t s, char *out, size_t n)
{
    struct tm tm;
    time_t t = (time_t)s;
    gmtime_r(&t, &tm);
    strftime(out, n, "%Y-%m-%d %H:%M UTC", &tm);
}

/* ---- list ---- */

typedef struct lister {
    bool json;
    uint64_t n;
} lister_t;

static int list_one(void *ud, const ww_incident_t *inc)
{
    lister_t *l = ud;
    if (l->json) {
        ww_buf_t b;
        ww_buf_init(&b, 0);
        ww_buf_printf(&b, "{\"reference\":\"%s\",\"title\":", inc->ref);
        ww_buf_json_str(&b, inc->title, strlen(inc->title));
        ww_buf_printf(&b, ",\"status\":\"%s\",\"severity\":\"%s\",\"owner\":",
                      ww_inc_status_name(inc->status), ww_inc_severity_name(inc->severity));
        ww_buf_json_str(&b, inc->owner, strlen(inc->owner));
        ww_buf_printf(&b, ",\"created\":%lld,\"updated\":%lld,\"alerts\":%u}\n",
                      (long long)inc->created, (long long)inc->updated, inc->nalerts);
        if (b.p)
            fputs(b.p, stdout);
        ww_buf_release(&b);
    } else {
        if (!l->n)
            printf("%-15s %-9s %-8s %-20s %-16s %6s  %s\n", "REFERENCE", "STATUS", "SEVERITY",
                   "UPDATED", "OWNER", "ALERTS", "TITLE");
        char t[40], owner[64], title[400];
        put_time(inc->updated, t, sizeof t);
        ww_cli_safe(inc->owner[0] ? inc->owner : "-", inc->owner[0] ? strlen(inc->owner) : 1, owner,
                    sizeof owner);
        ww_cli_safe(inc->title, strlen(inc->title), title, sizeof title);
        printf("%-15s %-9s %-8s %-20s %-16.16s %6u  %s\n", inc->ref,
               ww_inc_status_name(inc->status), ww_inc_severity_name(inc->severity), t, owner,
               inc->nalerts, title);
    }
    l->n++;
    return ww_cli_output_failed(stdout) ? 1 : 0;
}

/* ---- show ---- */

static void show_text(ww_store_t *st, const ww_incident_t *inc)
{
    char t[40], a[40];
    ww_buf_t b;
    ww_buf_init(&b, 0);
    printf("%s  ", inc->ref);
    ww_cli_puts_safe(stdout, inc->title);
    put_time(inc->created, t, sizeof t);
    printf("\n  status:    %s\n  severity:  %s\n  owner:     ", ww_inc_status_name(inc->status),
           ww_inc_severity_name(inc->severity));
    ww_cli_puts_safe(stdout, inc->owner[0] ? inc->owner : "-");
    printf("\n  opened:    %s by ", t);
    ww_cli_puts_safe(stdout, inc->created_by);
    put_time(inc->aware, a, sizeof a);
    printf("\n  aware:     %s\n", a);
    ww_inc_ico_t ico;
    ww_incident_ico(inc, now_s(), &ico);
    ww_incident_ico_text(&ico, &b);
    if (ico.applies) {
        put_time(ico.deadline, t, sizeof t);
        printf("  ICO:       report by %s (%s)\n", t, b.p ? b.p : "");
    } else
        printf("  ICO:       %s\n", b.p ? b.p : "");
    printf("  DSPT:      %s", inc->dspt_reportable ? "reportable" : "not marked reportable");
    if (inc->dspt_reported) {
        put_time(inc->dspt_reported, t, sizeof t);
        printf(", reported %s", t);
    }
    if (inc->dspt_ref[0]) {
        printf(", reference ");
        ww_cli_puts_safe(stdout, inc->dspt_ref);
    }
    printf("\n");
    if (inc->description[0]) {
        printf("  description: ");
        ww_cli_puts_safe(stdout, inc->description);
        printf("\n");
    }
    ww_buf_release(&b);
    ww_inc_timeline_t tl;
    ww_diag_t d = {0};
    if (ww_incident_timeline(st, inc, &tl, &d) != 0) {
        print_diag("timeline", WW_EIO, &d);
        return;
    }
    printf("\ntimeline (%zu):\n", tl.n);
    for (size_t i = 0; i < tl.n; i++) {
        const ww_inc_item_t *it = &tl.items[i];
        put_time(it->at, t, sizeof t);
        printf("  %s  %-9s ", t, ww_inc_item_kind_name(it->kind));
        switch (it->kind) {
        case WW_INC_ITEM_ALERT:
            printf("%s P%d ", it->alert_id, it->priority);
            ww_cli_puts_safe(stdout, it->text);
            printf(" on ");
            ww_cli_puts_safe(stdout, it->host[0] ? it->host : "-");
            break;
        case WW_INC_ITEM_EVIDENCE:
            ww_cli_puts_safe(stdout, it->text);
            printf(" (%llu bytes, sha256 %s) by ", (unsigned long long)it->size, it->sha256);
            ww_cli_puts_safe(stdout, it->by);
            break;
        case WW_INC_ITEM_FIREBREAK:
            printf("plan %lld: ", (long long)it->plan_id);
            ww_cli_puts_safe(stdout, it->text);
            printf(" by ");
            ww_cli_puts_safe(stdout, it->by);
            if (it->reason && it->reason[0]) {
                printf(" (");
                ww_cli_puts_safe(stdout, it->reason);
                printf(")");
            }
            break;
        default:
            ww_cli_puts_safe(stdout, it->by);
            printf(": ");
            ww_cli_puts_safe(stdout, it->text);
        }
        printf("\n");
    }
    if (tl.dropped)
        printf("  (%zu more not shown)\n", tl.dropped);
    ww_inc_timeline_release(&tl);
}

int cmd_incidents(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"by", required_argument, NULL, 'b'},
        {"status", required_argument, NULL, 's'},
        {"severity", required_argument, NULL, 'S'},
        {"owner", required_argument, NULL, 'o'},
        {"title", required_argument, NULL, 't'},
        {"description", required_argument, NULL, 'D'},
        {"aware", required_argument, NULL, 'a'},
        {"format", required_argument, NULL, 'f'},
        {"personal-data", required_argument, NULL, 'p'},
        {"dspt", required_argument, NULL, 'r'},
        {"dspt-reported", required_argument, NULL, 'R'},
        {"dspt-ref", required_argument, NULL, 'F'},
        {"alert", required_argument, NULL, 'A'},
        {"plan", required_argument, NULL, 'P'},
        {"host", required_argument, NULL, 'H'},
        {"state-dir", required_argument, NULL, 'z'},
        {"trust", required_argument, NULL, 'T'},
        {"base-url", required_argument, NULL, 'u'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    opts_t o = {.personal = -1, .dspt = -1, .dspt_reported = -1};
    int c;
    optind = 1;
    /* Options may come before or after the verb and its operands. */
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': o.db = optarg; break;
        case 'b': o.by = optarg; break;
        case 's': o.status = optarg; break;
        case 'S': o.severity = optarg; break;
        case 'o': o.owner = optarg; break;
        case 't': o.title = optarg; break;
        case 'D': o.description = optarg; break;
        case 'a': o.aware = optarg; break;
        case 'f': o.format = optarg; break;
        case 'p':
            if ((o.personal = yes_no("personal-data", optarg)) < -1)
                return WW_EXIT_ERROR;
            break;
        case 'r':
            if ((o.dspt = yes_no("dspt", optarg)) < -1)
                return WW_EXIT_ERROR;
            break;
        case 'R':
            if ((o.dspt_reported = yes_no("dspt-reported", optarg)) < -1)
                return WW_EXIT_ERROR;
            break;
        case 'F': o.dspt_ref = optarg; break;
        case 'A':
            if (o.nalerts == WW_ARRAY_LEN(o.alerts)) {
                ww_cli_error("incidents: at most %zu --alert at once", WW_ARRAY_LEN(o.alerts));
                return WW_EXIT_ERROR;
            }
            o.alerts[o.nalerts++] = optarg;
            break;
        case 'P':
            if (o.nplans == WW_ARRAY_LEN(o.plans)) {
                ww_cli_error("incidents: at most %zu --plan at once", WW_ARRAY_LEN(o.plans));
                return WW_EXIT_ERROR;
            }
            o.plans[o.nplans++] = optarg;
            break;
        case 'H':
            if (o.nhosts == WW_ARRAY_LEN(o.hosts)) {
                ww_cli_error("incidents: at most %zu --host at once", WW_ARRAY_LEN(o.hosts));
                return WW_EXIT_ERROR;
            }
            o.hosts[o.nhosts++] = optarg;
            break;
        case 'z': o.state_dir = optarg; break;
        case 'T': o.trust = optarg; break;
        case 'u': o.base_url = optarg; break;
        case 'h': usage(stdout); return WW_EXIT_OK;
        default: usage(stderr); return WW_EXIT_ERROR;
        }
    }
    char **rest = argv + optind;
    int nrest = argc - optind;
    if (nrest < 1) {
        usage(stderr);
        return WW_EXIT_ERROR;
    }
    const char *verb = rest[0];
    static const struct {
        const char *name;
        int operands;
    } verbs[] = {{"list", 0}, {"show", 1}, {"new", 0},      {"set", 1},
                 {"note", 2}, {"link", 1}, {"evidence", 2}, {"export", 1}};
    int want = -1;
    for (size_t i = 0; i < WW_ARRAY_LEN(verbs); i++)
        if (!strcmp(verb, verbs[i].name))
            want = verbs[i].operands;
    if (want < 0) {
        ww_cli_error("incidents: unknown command '%s' (list, show, new, set, note, link, "
                     "evidence, export)",
                     verb);
        return WW_EXIT_ERROR;
    }
    if (nrest - 1 != want) {
        ww_cli_error("incidents %s: wants %d operand%s (see --help)", verb, want,
                     want == 1 ? "" : "s");
        return WW_EXIT_ERROR;
    }

    ww_store_t *st = NULL;
    ww_diag_t d = {0};
    ww_incident_t *inc = calloc(1, sizeof *inc);
    ww_buf_t out;
    ww_buf_init(&out, 0);
    int ec = WW_EXIT_ERROR, rc;
    const char *path = ww_store_default_path(o.db);
    if (!inc)
        goto out;
    if ((rc = ww_store_open(path, &st, &d)) != 0 || (rc = ww_incident_migrate(st, &d)) != 0) {
        print_diag("store", rc, &d);
        goto out;
    }
    if (want >= 1 && strcmp(verb, "new") != 0 &&
        (rc = ww_incident_get(st, rest[1], inc, &d)) != 0) {
        print_diag(rest[1], rc, &d);
        goto out;
    }
    const char *by = who(&o);

    if (!strcmp(verb, "list")) {
        lister_t l = {o.format && !strcmp(o.format, "json"), 0};
        if (o.format && strcmp(o.format, "json") && strcmp(o.format, "table")) {
            ww_cli_error("incidents list: --format is table or json");
            goto out;
        }
        if ((rc = ww_incident_each(st, o.status, 0, list_one, &l, &d)) < 0) {
            print_diag("list", rc, &d);
            goto out;
        }
        ec = l.n ? WW_EXIT_OK : WW_EXIT_MATCH;
    } else if (!strcmp(verb, "show")) {
        if (o.format && !strcmp(o.format, "json")) {
            if ((rc = ww_incident_export_json(st, inc, now_s(), &out, &d)) != 0) {
                print_diag("show", rc, &d);
                goto out;
            }
            fputs(out.p, stdout);
        } else if (o.format && strcmp(o.format, "text")) {
            ww_cli_error("incidents show: --format is text or json");
            goto out;
        } else
            show_text(st, inc);
        ec = WW_EXIT_OK;
    } else if (!strcmp(verb, "new")) {
        if (!o.title) {
            ww_cli_error("incidents new: --title is required");
            goto out;
        }
        ww_incident_new_t in = {.title = o.title,
                                .description = o.description,
                                .severity = o.severity,
                                .owner = o.owner,
                                .personal_data = o.personal == 1,
                                .dspt_reportable = o.dspt == 1};
        int64_t now = now_s();
        if (o.aware) {
            int64_t ns;
            if (ww_time_parse_iso(o.aware, strlen(o.aware), &ns) != 0) {
                ww_cli_error("incidents new: --aware: not an ISO 8601 time");
                goto out;
            }
            in.aware = ns / 1000000000;
        }
        if ((rc = ww_incident_create(st, &in, by, now, inc, &d)) != 0) {
            print_diag("new", rc, &d);
            goto out;
        }
        printf("%s\n", inc->ref);
        ec = WW_EXIT_OK;
    } else if (!strcmp(verb, "set")) {
        ww_incident_edit_t e = WW_INCIDENT_EDIT_NONE;
        e.title = o.title;
        e.description = o.description;
        e.status = o.status;
        e.severity = o.severity;
        e.owner = o.owner;
        e.aware = o.aware;
        e.dspt_ref = o.dspt_ref;
        e.personal_data = o.personal;
        e.dspt_reportable = o.dspt;
        e.dspt_reported = o.dspt_reported;
        int changed = 0;
        if ((rc = ww_incident_update(st, inc->id, &e, by, now_s(), &changed, &d)) != 0) {
            print_diag(inc->ref, rc, &d);
            goto out;
        }
        printf("%s: %d change%s\n", inc->ref, changed, changed == 1 ? "" : "s");
        ec = WW_EXIT_OK;
    } else if (!strcmp(verb, "note")) {
        if ((rc = ww_incident_note(st, inc->id, by, rest[2], now_s(), &d)) != 0) {
            print_diag(inc->ref, rc, &d);
            goto out;
        }
        ec = WW_EXIT_OK;
    } else if (!strcmp(verb, "link")) {
        if (!o.nalerts && !o.nplans && !o.nhosts) {
            ww_cli_error("incidents link: give --alert ID, --plan N or --host ADDRESS");
            goto out;
        }
        ec = WW_EXIT_OK;
        for (size_t i = 0; i < o.nalerts; i++) {
            rc = ww_incident_link_alert(st, inc->id, o.alerts[i], by, now_s(), &d);
            if (rc < 0) {
                print_diag(o.alerts[i], rc, &d);
                ec = WW_EXIT_ERROR;
            } else
                printf("alert %s: %s\n", o.alerts[i], rc ? "linked already" : "linked");
        }
        for (size_t i = 0; i < o.nplans; i++) {
            int64_t plan;
            if (ww_parse_i64(o.plans[i], strlen(o.plans[i]), &plan) != 0 || plan < 1) {
                ww_cli_error("incidents link: --plan wants a plan number");
                ec = WW_EXIT_ERROR;
                continue;
            }
            rc = ww_incident_link_plan(st, inc->id, plan, by, now_s(), &d);
            if (rc < 0) {
                print_diag(o.plans[i], rc, &d);
                ec = WW_EXIT_ERROR;
            } else
                printf("plan %lld: %s\n", (long long)plan, rc ? "linked already" : "linked");
        }
        for (size_t i = 0; i < o.nhosts; i++) {
            size_t n = 0;
            rc = ww_incident_link_host_plans(st, inc->id, o.hosts[i], by, now_s(), &n, &d);
            if (rc < 0) {
                print_diag(o.hosts[i], rc, &d);
                ec = WW_EXIT_ERROR;
            } else {
                printf("host ");
                ww_cli_puts_safe(stdout, o.hosts[i]);
                printf(": %zu plan%s linked\n", n, n == 1 ? "" : "s");
            }
        }
    } else if (!strcmp(verb, "evidence")) {
        char dirbuf[4096];
        const char *dir = o.state_dir;
        if (!dir) {
            snprintf(dirbuf, sizeof dirbuf, "%s", path);
            dir = dirname(dirbuf);
        }
        ww_inc_evidence_t ev;
        rc = ww_incident_evidence_add_path(st, inc->id, dir, rest[2], MAX_EVIDENCE_FILE, by,
                                           now_s(), &ev, &d);
        if (rc < 0) {
            print_diag(rest[2], rc, &d);
            goto out;
        }
        printf("%s  %s%s\n", ev.sha256, ev.name, rc ? " (kept already)" : "");
        ec = WW_EXIT_OK;
    } else if (!strcmp(verb, "export")) {
        if (!o.format || (strcmp(o.format, "json") && strcmp(o.format, "stix"))) {
            ww_cli_error("incidents export: --format json or --format stix");
            goto out;
        }
        ww_inc_stix_opts_t so = {o.trust, o.base_url};
        rc = !strcmp(o.format, "json") ? ww_incident_export_json(st, inc, now_s(), &out, &d)
                                       : ww_incident_export_stix(st, inc, now_s(), &so, &out, &d);
        if (rc != 0) {
            print_diag("export", rc, &d);
            goto out;
        }
        fwrite(out.p, 1, out.n, stdout);
        ec = WW_EXIT_OK;
    }
out:
    ww_buf_release(&out);
    free(inc);
    ww_store_close(st);
    return ec;
}
