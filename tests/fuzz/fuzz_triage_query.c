/* libFuzzer target for what triage reads from outside: the filters of /alerts and
 * /api/v1/alerts (a query string, through lib/web's parser and the console's
 * parse_view), the filter as lib/alerts turns it into SQL (ww_triage_filter_check,
 * ww_triage_groups, ww_triage_alerts, run on a small store), and a group checkbox's
 * value (parse_group_value).  The input is a query string, a newline, then a group
 * value.  A filter the console accepts must run without a store error (every value
 * is bound, never pasted into SQL); one it refuses must say why; a group value that
 * parses must give back a rule and a host that rebuild it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The console's module itself, for its static parsers. */
#include "../../lib/console/ww_console_triage.c"

static ww_store_t *st;

static void setup(void)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/ww-fuzz-triage-%d.db", (int)getpid());
    unlink(path);
    ww_diag_t d = {0};
    if (ww_store_open(path, &st, &d) || ww_alerts_migrate(st, &d))
        abort();
    static const char *const hosts[] = {"web01", "PACS01", "ws_1%", "", "db'01"};
    for (int i = 0; i < 10; i++) {
        ww_alert_t a = {0};
        snprintf(a.id, sizeof a.id, "f%02d", i);
        a.rule_id = i % 2 ? "r-ssh" : "r-lsass";
        a.rule_title = i % 2 ? "SSH password guessing" : "LSASS memory access";
        a.level = i % 5;
        a.priority = 1 + i % 5;
        a.why = "";
        a.ts = i == 3 ? WW_TIME_NONE : (int64_t)i * 1000000000;
        a.received = 1;
        a.host = hosts[i % 5];
        a.user = a.src_ip = a.source = a.position = "";
        a.techniques = i % 2 ? "T1110.001" : "T1003.001,T1055";
        a.event_json = "{}";
        a.asset_id = a.owner = "";
        a.segment = i % 3 ? "dmz" : "imaging";
        a.criticality = i % 6;
        if (ww_alerts_put(st, &a, NULL, &d))
            abort();
    }
    unlink(path); /* the open handle keeps it */
}

static int count_group(void *ud, const ww_alert_group_t *g)
{
    (void)g;
    (*(int *)ud)++;
    return 0;
}

static int count_alert(void *ud, const ww_alert_t *a)
{
    (void)a;
    (*(int *)ud)++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!st)
        setup();
    if (size > 8192)
        return 0;
    const char *nl = memchr(data, '\n', size);
    size_t qn = nl ? (size_t)(nl - (const char *)data) : size;
    /* The query, as a request-target. */
    char *msg = malloc(qn + 64);
    if (!msg)
        return 0;
    int len = snprintf(msg, qn + 64, "GET /alerts?%.*s HTTP/1.1\r\nHost: a\r\n\r\n", (int)qn,
                       (const char *)data);
    ww_web_limits_t lim;
    ww_web_limits_default(&lim);
    ww_web_req_t req;
    ww_web_req_init(&req, &lim, NULL);
    if (len > 0 && ww_web_req_parse_raw(&req, msg, (size_t)len, 0) == 0) {
        for (int api = 0; api < 2; api++) {
            view_t v;
            ww_diag_t d = {0};
            if (parse_view(&req, api, &v, &d) != 0) {
                if (!d.msg[0])
                    abort(); /* a refusal says why */
                continue;
            }
            if (v.f.limit == 0 || v.f.limit > WW_TRIAGE_MAX_PAGE)
                abort();
            int n = 0;
            v.f.limit = 5;
            int rc = v.flat ? ww_triage_alerts(st, &v.f, count_alert, &n, NULL, &d)
                            : ww_triage_groups(st, &v.f, count_group, &n, NULL, &d);
            if (rc != 0 || n > 5)
                abort(); /* an accepted filter always runs */
            ww_buf_t b;
            ww_buf_init(&b, 0);
            view_query(&b, &v);
            ww_buf_release(&b);
        }
    }
    ww_web_req_release(&req);
    free(msg);
    /* A group checkbox value. */
    if (nl) {
        size_t gn = size - qn - 1;
        char *g = malloc(gn + 1);
        if (!g)
            return 0;
        memcpy(g, nl + 1, gn);
        g[gn] = 0;
        ww_arena_t ar;
        ww_arena_init(&ar, 1024, 0);
        ww_alert_group_key_t k;
        if (parse_group_value(g, &ar, &k) == 0) {
            char again[20000];
            snprintf(again, sizeof again, "%zu:%s%s", strlen(k.rule_id), k.rule_id, k.host);
            if (strlen(g) == gn && strtoul(g, NULL, 10) == strlen(k.rule_id) &&
                strcmp(strchr(again, ':'), strchr(g, ':')) != 0)
                abort();
        }
        ww_arena_release(&ar);
        free(g);
    }
    return 0;
}
