/* wardwatch alerts: lists the alerts `serve` has stored, newest last, with the filters
 * hunt has (--since, --until, --min-level, --host, --rule) plus --priority, as a table
 * for people or NDJSON for machines (each record carries the event it fired on). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

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
            "Exit status: 0 none listed, 1 some listed, 2 error.\n");
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
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"since", required_argument, NULL, 's'},
        {"until", required_argument, NULL, 't'},
        {"min-level", required_argument, NULL, 'l'},
        {"priority", required_argument, NULL, 'p'},
        {"host", required_argument, NULL, 'H'},
        {"rule", required_argument, NULL, 'r'},
        {"limit", required_argument, NULL, 'n'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {"dead-letters", no_argument, NULL, 'D'},
        {NULL, 0, NULL, 0},
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
