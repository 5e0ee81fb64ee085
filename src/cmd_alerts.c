/* wardwatch alerts: lists the alerts `serve` has stored, newest last, with the filters
 * hunt has (--since, --until, --min-level, --host, --rule) plus --priority, as a table
 * for people or NDJSON for machines (each record carries the event it fired on); and
 * the console's triage from a terminal: ack, assign, close, close-fp and reopen alerts
 * by id, suppress, suppressions and unsuppress (lib/alerts' ww_alerts_triage.c), each
 * written to the audit log as "cli:<login name>". */
#include <getopt.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth/ww_auth.h"

#include "alerts/ww_alerts.h"
#include "serve/ww_notify.h"
#include "wardwatch.h"

enum { FMT_TABLE, FMT_NDJSON };

static void usage(FILE *out)
{
    fprintf(out,
            "usage: wardwatch alerts [--db PATH] [--since TIME] [--until TIME] [--min-level L]\n"
            "                        [--priority N] [--host PATTERN] [--rule PATTERN]\n"
            "                        [--limit N] [--format table|ndjson]\n"
            "       wardwatch alerts [--db PATH] --dead-letters\n"
            "\n"
            "Lists the alerts kept in the store (--db PATH, else $WARDWATCH_DB, else\n"
            "wardwatch.db), oldest event first.\n"
            "  --since/--until TIME  event time bounds (ISO 8601 date or date-time)\n"
            "  --min-level L         informational, low, medium, high or critical\n"
            "  --priority N          only P1..PN (P1 is the most urgent)\n"
            "  --host PATTERN        host name pattern (* and ?, any case)\n"
            "  --rule PATTERN        a rule id, or part of its title (any case)\n"
            "  --limit N             at most N alerts\n"
            "  --dead-letters        the notifications given up after their retries, with\n"
            "                        the notifier and the last error, instead of alerts\n"
            "Exit status: 0 none listed, 1 some listed, 2 error.\n"
            "\n"
            "       wardwatch alerts ack|assign|close|close-fp|reopen [--db PATH]\n"
            "                        [--reason TEXT] [--to NAME] ID...\n"
            "       wardwatch alerts suppress [--db PATH] --rule ID [--host H] [--user U]\n"
            "                        [--field NAME=VALUE] --reason TEXT [--days N]\n"
            "       wardwatch alerts suppressions [--db PATH] [--all]\n"
            "       wardwatch alerts unsuppress [--db PATH] ID\n"
            "\n"
            "Triage from the terminal, as in the console: acknowledge (a reason is\n"
            "required), assign (--to), close, close as a false positive (close-fp, a reason\n"
            "is required) or reopen alerts by id; make a suppression (a rule and a host,\n"
            "a user and/or a field value, a reason, 1 to 366 days, default 30), list them\n"
            "(live ones; --all also expired) or remove one.  Exit status: 0 done, 2 error.\n");
}

/* ---- triage subcommands ---- */

typedef struct tcli {
    ww_store_t *st;
    ww_auth_t *auth;
    char actor[WW_AUTH_NAME_MAX + 1];
    ww_auth_actor_t by;
} tcli_t;

static void tcli_close(tcli_t *t)
{
    ww_auth_free(t->auth);
    ww_store_close(t->st);
}

static int tcli_open(const char *db, tcli_t *t)
{
    memset(t, 0, sizeof *t);
    ww_diag_t d = {0};
    if (ww_store_open(ww_store_default_path(db), &t->st, &d) != 0 ||
        ww_alerts_migrate(t->st, &d) != 0 || ww_auth_open(t->st, NULL, &t->auth, &d) != 0) {
        ww_cli_error("alerts: %s%s%s", d.file[0] ? d.file : "", d.file[0] ? ": " : "", d.msg);
        tcli_close(t);
        return -1;
    }
    const struct passwd *pw = getpwuid(geteuid());
    snprintf(t->actor, sizeof t->actor, "cli:%s", pw && pw->pw_name ? pw->pw_name : "unknown");
    t->by = (ww_auth_actor_t){t->actor, "local"};
    return 0;
}

static int show_supp(void *ud, const ww_suppression_t *s)
{
    uint64_t *n = ud;
    char rule[80], scope[300], reason[200], who[80], exp[40];
    if (!(*n)++)
        printf("%-6s %-38s %-40s %-20s %6s  %-16s %s\n", "ID", "RULE", "SCOPE", "EXPIRES", "HITS",
               "BY", "REASON");
    char sc[1200];
    snprintf(sc, sizeof sc, "%s%s%s%s%s%s%s%s", s->host[0] ? "host=" : "", s->host,
             s->host[0] && (s->user[0] || s->field[0]) ? " " : "", s->user[0] ? "user=" : "",
             s->user, s->user[0] && s->field[0] ? " " : "", s->field, s->field[0] ? "=" : "");
    size_t l = strlen(sc);
    snprintf(sc + l, sizeof sc - l, "%s", s->field[0] ? s->value : "");
    ww_time_format(s->expires * 1000000000, exp, sizeof exp);
    printf("%-6lld %-38s %-40s %-20.19s %6llu  %-16s %s\n", (long long)s->id,
           ww_cli_safe(s->rule_id, strlen(s->rule_id), rule, sizeof rule),
           ww_cli_safe(sc, strlen(sc), scope, sizeof scope), exp, (unsigned long long)s->hits,
           ww_cli_safe(s->created_by, strlen(s->created_by), who, sizeof who),
           ww_cli_safe(s->reason, strlen(s->reason), reason, sizeof reason));
    return ww_cli_output_failed(stdout) ? 1 : 0;
}

static int cmd_triage(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"reason", required_argument, NULL, 'r'},
        {"to", required_argument, NULL, 't'},
        {"rule", required_argument, NULL, 'R'},
        {"host", required_argument, NULL, 'H'},
        {"user", required_argument, NULL, 'u'},
        {"field", required_argument, NULL, 'f'},
        {"days", required_argument, NULL, 'n'},
        {"all", no_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *sub = argv[0], *db = NULL, *reason = NULL, *to = NULL, *rule = NULL;
    const char *host = NULL, *user = NULL, *field = NULL;
    long days = 30;
    bool all = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'd': db = optarg; break;
        case 'r': reason = optarg; break;
        case 't': to = optarg; break;
        case 'R': rule = optarg; break;
        case 'H': host = optarg; break;
        case 'u': user = optarg; break;
        case 'f': field = optarg; break;
        case 'a': all = true; break;
        case 'n':
            days = strtol(optarg, &end, 10);
            if (*end || days < 1 || days > WW_SUPPRESS_MAX_DAYS) {
                ww_cli_error("alerts %s: --days wants 1 to %d", sub, WW_SUPPRESS_MAX_DAYS);
                return WW_EXIT_ERROR;
            }
            break;
        case 'h': usage(stdout); return WW_EXIT_OK;
        default: usage(stderr); return WW_EXIT_ERROR;
        }
    }
    static const struct {
        const char *name;
        int action;
    } acts[] = {{"ack", WW_TRIAGE_ACK},
                {"assign", WW_TRIAGE_ASSIGN},
                {"close", WW_TRIAGE_CLOSE},
                {"close-fp", WW_TRIAGE_CLOSE_FP},
                {"reopen", WW_TRIAGE_REOPEN}};
    tcli_t t;
    ww_diag_t d = {0};
    int ec = WW_EXIT_ERROR;
    for (size_t i = 0; i < WW_ARRAY_LEN(acts); i++) {
        if (strcmp(sub, acts[i].name) != 0)
            continue;
        if (optind >= argc) {
            ww_cli_error("alerts %s: name the alerts (their ids)", sub);
            return WW_EXIT_ERROR;
        }
        if (tcli_open(db, &t) != 0)
            return WW_EXIT_ERROR;
        ww_triage_request_t rq = {acts[i].action, t.actor, reason, to, (int64_t)time(NULL)};
        ww_alert_sel_t sel = {(const char *const *)argv + optind, (uint32_t)(argc - optind), NULL,
                              0};
        ww_triage_result_t res;
        if (ww_triage_act(t.st, &rq, &sel, &res, &d) != 0) {
            ww_cli_error("alerts %s: %s", sub, d.msg);
            goto out;
        }
        char detail[WW_TRIAGE_REASON_MAX + 100];
        snprintf(detail, sizeof detail, "%llu changed, %llu skipped, %u unknown%s%s",
                 (unsigned long long)res.changed, (unsigned long long)res.skipped, res.unknown,
                 reason ? "; " : "", reason ? reason : "");
        char what[64];
        snprintf(what, sizeof what, "alert.%s", ww_triage_action_name(acts[i].action));
        ww_auth_audit_append(t.auth, &t.by, what, argv[optind], detail, &d);
        printf("%s: %llu changed, %llu skipped (status), %u unknown\n", sub,
               (unsigned long long)res.changed, (unsigned long long)res.skipped, res.unknown);
        ec = res.unknown ? WW_EXIT_ERROR : WW_EXIT_OK;
        goto out;
    }
    if (strcmp(sub, "suppress") == 0) {
        if (optind < argc) {
            usage(stderr);
            return WW_EXIT_ERROR;
        }
        char *value = NULL;
        if (field) {
            char *eq = strchr(field, '=');
            if (!eq) {
                ww_cli_error("alerts suppress: --field wants NAME=VALUE");
                return WW_EXIT_ERROR;
            }
            *eq = 0;
            value = eq + 1;
        }
        if (tcli_open(db, &t) != 0)
            return WW_EXIT_ERROR;
        int64_t now = (int64_t)time(NULL), id = 0;
        ww_suppression_t s = {.rule_id = rule,
                              .host = host,
                              .user = user,
                              .field = field,
                              .value = value,
                              .reason = reason,
                              .created_by = t.actor,
                              .expires = now + days * 86400};
        if (ww_suppress_add(t.st, &s, now, &id, &d) != 0) {
            ww_cli_error("alerts suppress: %s", d.msg);
            goto out;
        }
        char target[64], detail[WW_TRIAGE_REASON_MAX + 100];
        snprintf(target, sizeof target, "suppression %lld", (long long)id);
        snprintf(detail, sizeof detail, "rule %s; for %ld days; %s", rule, days, reason);
        ww_auth_audit_append(t.auth, &t.by, "suppression.add", target, detail, &d);
        printf("suppression %lld: serve applies it from the next alert\n", (long long)id);
        ec = WW_EXIT_OK;
        goto out;
    }
    if (strcmp(sub, "suppressions") == 0) {
        if (optind < argc) {
            usage(stderr);
            return WW_EXIT_ERROR;
        }
        if (tcli_open(db, &t) != 0)
            return WW_EXIT_ERROR;
        uint64_t n = 0;
        if (ww_suppress_list(t.st, (int64_t)time(NULL), all, show_supp, &n, &d) < 0) {
            ww_cli_error("alerts suppressions: %s", d.msg);
            goto out;
        }
        if (!n)
            fprintf(stderr, "alerts: no %ssuppressions\n", all ? "" : "live ");
        ec = WW_EXIT_OK;
        goto out;
    }
    /* unsuppress ID */
    char *end;
    long long id = optind + 1 == argc ? strtoll(argv[optind], &end, 10) : 0;
    if (optind + 1 != argc || *end || id < 1) {
        ww_cli_error("alerts unsuppress: name one suppression by its number");
        return WW_EXIT_ERROR;
    }
    if (tcli_open(db, &t) != 0)
        return WW_EXIT_ERROR;
    int rc = ww_suppress_remove(t.st, id, &d);
    if (rc < 0) {
        ww_cli_error("alerts unsuppress: %s", d.msg);
    } else if (rc == 0) {
        ww_cli_error("alerts unsuppress: no suppression %lld", id);
    } else {
        char target[64];
        snprintf(target, sizeof target, "suppression %lld", id);
        ww_auth_audit_append(t.auth, &t.by, "suppression.remove", target, "", &d);
        ec = WW_EXIT_OK;
    }
out:
    tcli_close(&t);
    return ec;
}

typedef struct lister {
    int format;
    uint64_t n;
    ww_buf_t out;
} lister_t;

static void flush(lister_t *l)
{
    if (l->out.n)
        fwrite(l->out.p, 1, l->out.n, stdout);
    ww_buf_clear(&l->out);
}

static void put_json_field(ww_buf_t *b, const char *name, const char *v)
{
    ww_buf_printf(b, ",\"%s\":", name);
    ww_buf_json_str(b, v ? v : "", v ? strlen(v) : 0);
}

static int show(void *ud, const ww_alert_t *a)
{
    lister_t *l = ud;
    char when[40] = "-", cell[200];
    if (a->ts != WW_TIME_NONE)
        ww_time_format(a->ts, when, sizeof when);
    l->n++;
    char shown[24] = "-"; /* the table: to the second, a space for the T */
    if (a->ts != WW_TIME_NONE) {
        snprintf(shown, sizeof shown, "%.19s", when);
        if (shown[10] == 'T')
            shown[10] = ' ';
    }
    if (l->format == FMT_NDJSON) {
        ww_buf_t *b = &l->out;
        ww_buf_printf(b, "{\"id\":\"%s\"", a->id);
        put_json_field(b, "rule_id", a->rule_id);
        put_json_field(b, "rule", a->rule_title);
        put_json_field(b, "level", ww_level_name(a->level));
        ww_buf_printf(b, ",\"priority\":%d", a->priority);
        put_json_field(b, "why", a->why);
        if (a->ts != WW_TIME_NONE)
            put_json_field(b, "time", when);
        put_json_field(b, "host", a->host);
        put_json_field(b, "user", a->user);
        put_json_field(b, "src_ip", a->src_ip);
        put_json_field(b, "source", a->source);
        put_json_field(b, "position", a->position);
        put_json_field(b, "techniques", a->techniques);
        put_json_field(b, "asset", a->asset_id);
        put_json_field(b, "segment", a->segment);
        put_json_field(b, "owner", a->owner);
        /* The event was stored as JSON by wardwatch itself: embedded as it is. */
        ww_buf_printf(b, ",\"event\":%s}\n",
                      a->event_json && a->event_json[0] ? a->event_json : "null");
    } else {
        if (l->n == 1)
            ww_buf_printf(&l->out, "%-20s %-4s %-8s %-20s %-16s %s\n", "TIME", "PRIO", "LEVEL",
                          "HOST", "SEGMENT", "RULE");
        char host[64], seg[64];
        ww_cli_safe(a->host && a->host[0] ? a->host : "-", a->host ? strlen(a->host) : 1, host,
                    sizeof host);
        ww_cli_safe(a->segment && a->segment[0] ? a->segment : "-",
                    a->segment && a->segment[0] ? strlen(a->segment) : 1, seg, sizeof seg);
        ww_cli_safe(a->rule_title, strlen(a->rule_title), cell, sizeof cell);
        ww_buf_printf(&l->out, "%-20.20s P%-3d %-8s %-20.20s %-16.16s %s\n", shown, a->priority,
                      ww_level_name(a->level), host, seg, cell);
    }
    if (l->out.n > 1 << 16)
        flush(l);
    return ww_cli_output_failed(stdout) ? 1 : 0;
}

static int show_dead(void *ud, const char *id, const char *title, const char *notifier,
                     int attempts, const char *error)
{
    uint64_t *n = ud;
    char t[160], e[256], no[80];
    if (!(*n)++)
        printf("%-32s %-16s %8s  %-40s %s\n", "ALERT", "NOTIFIER", "ATTEMPTS", "RULE",
               "LAST ERROR");
    printf("%-32s %-16s %8d  %-40.40s %s\n", id,
           ww_cli_safe(notifier, strlen(notifier), no, sizeof no), attempts,
           ww_cli_safe(title, strlen(title), t, sizeof t),
           ww_cli_safe(error, strlen(error), e, sizeof e));
    return ww_cli_output_failed(stdout) ? 1 : 0;
}

int cmd_alerts(int argc, char **argv)
{
    static const char *const subs[] = {"ack",    "assign",   "close",        "close-fp",
                                       "reopen", "suppress", "suppressions", "unsuppress"};
    for (size_t i = 0; argc > 1 && i < WW_ARRAY_LEN(subs); i++)
        if (strcmp(argv[1], subs[i]) == 0)
            return cmd_triage(argc - 1, argv + 1);
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},       {"since", required_argument, NULL, 's'},
        {"until", required_argument, NULL, 't'},    {"min-level", required_argument, NULL, 'l'},
        {"priority", required_argument, NULL, 'p'}, {"host", required_argument, NULL, 'H'},
        {"rule", required_argument, NULL, 'r'},     {"limit", required_argument, NULL, 'n'},
        {"format", required_argument, NULL, 'f'},   {"help", no_argument, NULL, 'h'},
        {"dead-letters", no_argument, NULL, 'D'},   {NULL, 0, NULL, 0},
    };
    const char *db = NULL;
    bool dead = false;
    ww_alert_query_t q = {.since = WW_TIME_NONE, .until = WW_TIME_NONE};
    lister_t l = {FMT_TABLE, 0, {0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        char *end;
        long v;
        switch (c) {
        case 'd': db = optarg; break;
        case 's':
        case 't':
            if (ww_cli_time_arg("alerts", c == 's' ? "since" : "until", optarg, c == 't',
                                c == 's' ? &q.since : &q.until) != 0)
                return WW_EXIT_ERROR;
            break;
        case 'l':
            if ((q.min_level = ww_cli_level_arg("alerts", optarg)) < 0)
                return WW_EXIT_ERROR;
            break;
        case 'p':
            v = strtol(optarg, &end, 10);
            if (*optarg == 'P' || *optarg == 'p')
                v = strtol(optarg + 1, &end, 10);
            if (*end || v < 1 || v > 5) {
                ww_cli_error("alerts: --priority wants 1 to 5 (P1 is the most urgent)");
                return WW_EXIT_ERROR;
            }
            q.max_priority = (int)v;
            break;
        case 'H': q.host = optarg; break;
        case 'r': q.rule = optarg; break;
        case 'n':
            v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 100000000) {
                ww_cli_error("alerts: --limit wants a positive number");
                return WW_EXIT_ERROR;
            }
            q.limit = (uint32_t)v;
            break;
        case 'f':
            if (!strcmp(optarg, "table"))
                l.format = FMT_TABLE;
            else if (!strcmp(optarg, "ndjson"))
                l.format = FMT_NDJSON;
            else {
                ww_cli_error("alerts: unknown format (table or ndjson)");
                return WW_EXIT_ERROR;
            }
            break;
        case 'D': dead = true; break;
        case 'h': usage(stdout); return WW_EXIT_OK;
        default: usage(stderr); return WW_EXIT_ERROR;
        }
    }
    if (optind < argc) {
        usage(stderr);
        return WW_EXIT_ERROR;
    }
    ww_store_t *st = NULL;
    ww_diag_t d = {0};
    int ec = WW_EXIT_ERROR;
    ww_buf_init(&l.out, 0); /* no cap: flushed every 64 KiB */
    if (dead) {
        uint64_t n = 0;
        if (ww_store_open(ww_store_default_path(db), &st, &d) != 0 ||
            ww_alerts_migrate(st, &d) != 0 || ww_notify_migrate(st, &d) != 0 ||
            ww_notify_dead_each(st, show_dead, &n, &d) < 0) {
            ww_cli_error("alerts: %s", d.msg);
            goto out;
        }
        if (!n)
            fprintf(stderr, "alerts: no dead-lettered notifications\n");
        ec = n ? 1 : 0;
        goto out;
    }
    if (ww_store_open(ww_store_default_path(db), &st, &d) != 0 || ww_alerts_migrate(st, &d) != 0 ||
        ww_alerts_query(st, &q, show, &l, &d) < 0) {
        ww_cli_error("alerts: %s%s%s", d.file[0] ? d.file : "", d.file[0] ? ": " : "", d.msg);
        goto out;
    }
    flush(&l);
    if (l.format == FMT_TABLE && !l.n)
        fprintf(stderr, "alerts: none stored%s\n",
                q.since != WW_TIME_NONE || q.until != WW_TIME_NONE || q.min_level || q.host ||
                        q.rule || q.max_priority
                    ? " that pass the filters"
                    : "");
    ec = l.n ? 1 : 0;
out:
    ww_buf_release(&l.out);
    ww_store_close(st);
    return ec;
}
