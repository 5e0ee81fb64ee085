/* Triage's store at scale (bench/triage.sh runs it; not a test): fills a store with a
 * register of N assets and M alerts whose priority comes from the register as serve
 * computes it, then times the queries the console's /alerts page makes, server-side
 * (the store call, no HTTP): the group list with the default filter (open alerts),
 * with other filters, with a time window, the flat list, one group's alerts, and a
 * bulk action on a whole group.  Prints p50, p95 and max per query.
 *
 * Alerts are spread the way a trust's are: a few noisy rules fire on many hosts, most
 * rules fire rarely, and a minority of hosts raise most alerts (power laws), with
 * event times over 90 days.  Usage: triage_bench DB [alerts] [assets] [runs]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alerts/ww_alerts.h"
#include "asset/ww_asset.h"
#include "sigma/ww_sigma.h"

#define NRULES 400
#define DAY (86400LL * 1000000000LL)

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static double urand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / (double)(1ull << 53);
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* This thread's CPU time: on a machine others share, wall time also counts the time
 * the query waited for a core. */
static double cpu_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int count_group(void *ud, const ww_alert_group_t *g)
{
    (void)g;
    (*(uint64_t *)ud)++;
    return 0;
}

/* The biggest open group's key (the drill-down and the bulk action use it). */
static char top_rule[64], top_host[64];
static uint64_t top_n;
static int find_top(void *ud, const ww_alert_group_t *g)
{
    (void)ud;
    if (g->count > top_n) {
        top_n = g->count;
        snprintf(top_rule, sizeof top_rule, "%s", g->rule_id);
        snprintf(top_host, sizeof top_host, "%s", g->host);
    }
    return 0;
}

static int count_alert(void *ud, const ww_alert_t *a)
{
    (void)a;
    (*(uint64_t *)ud)++;
    return 0;
}

typedef struct qcase {
    const char *name;
    ww_triage_filter_t f;
    bool flat;
} qcase_t;

static void time_case(ww_store_t *st, const qcase_t *c, int runs)
{
    double *ms = calloc((size_t)runs, sizeof *ms), *cpu = calloc((size_t)runs, sizeof *cpu);
    uint64_t rows = 0;
    ww_triage_totals_t t = {0};
    for (int i = 0; i < runs; i++) {
        ww_diag_t d = {0};
        rows = 0;
        double t0 = now_ms(), c0 = cpu_ms();
        int rc = c->flat ? ww_triage_alerts(st, &c->f, count_alert, &rows, &t, &d)
                         : ww_triage_groups(st, &c->f, count_group, &rows, &t, &d);
        ms[i] = now_ms() - t0;
        cpu[i] = cpu_ms() - c0;
        if (rc) {
            fprintf(stderr, "%s: %s\n", c->name, d.msg);
            exit(2);
        }
    }
    qsort(ms, (size_t)runs, sizeof *ms, cmp_d);
    qsort(cpu, (size_t)runs, sizeof *cpu, cmp_d);
    int p95 = (int)((runs * 95 + 99) / 100) - 1;
    if (p95 < 0)
        p95 = 0;
    printf("%-34s p50 %7.1f  p95 %7.1f  max %7.1f ms | cpu p95 %7.1f ms | page %llu,"
           " groups %llu, alerts %llu\n",
           c->name, ms[runs / 2], ms[p95], ms[runs - 1], cpu[p95], (unsigned long long)rows,
           (unsigned long long)t.groups, (unsigned long long)t.alerts);
    free(ms);
    free(cpu);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: triage_bench DB [alerts] [assets] [runs]\n");
        return 2;
    }
    const char *path = argv[1];
    long nalerts = argc > 2 ? atol(argv[2]) : 1000000;
    long nassets = argc > 3 ? atol(argv[3]) : 60000;
    int runs = argc > 4 ? atoi(argv[4]) : 40;
    if (nalerts <= 0 || nassets <= 0 || runs <= 0)
        return 2;
    ww_store_t *st = NULL;
    ww_diag_t d = {0};
    if (ww_store_open(path, &st, &d) || ww_alerts_migrate(st, &d) || ww_asset_migrate(st, &d)) {
        fprintf(stderr, "%s\n", d.msg);
        return 2;
    }
    /* A store filled by an earlier run is timed again as it is (the fill takes minutes). */
    sqlite3_stmt *had = NULL;
    bool filled =
        sqlite3_prepare_v2(st->db, "SELECT 1 FROM alert LIMIT 1", -1, &had, NULL) == SQLITE_OK &&
        sqlite3_step(had) == SQLITE_ROW;
    sqlite3_finalize(had);
    const int64_t end = 1764806400LL * 1000000000LL; /* 2025-12-04 */
    double t0 = now_ms();
    if (filled)
        goto timed;
    static const char *const segs[] = {"clinical", "imaging", "corporate", "dmz",
                                       "iot",      "lab",     "theatres",  "guest"};
    static const char *const crits[] = {"none", "low", "medium", "high", "critical"};
    ww_buf_t csv;
    ww_buf_init(&csv, 0);
    ww_buf_puts(&csv, "asset_id,hostname,ip,type,segment,owner,internet_exposed,"
                      "clinical_criticality\n");
    for (long i = 0; i < nassets; i++)
        ww_buf_printf(&csv, "A-%ld,host%05ld,10.%ld.%ld.%ld,workstation,%s,IT,%s,%s\n", i, i,
                      (i >> 16) & 255, (i >> 8) & 255, i & 255, segs[i % 8],
                      i % 50 == 0 ? "yes" : "no", crits[(i * 7) % 5]);
    ww_import_opts_t io = {.format = WW_IMPORT_CSV};
    ww_import_stats_t is;
    if (ww_asset_import_mem(st, "bench.csv", csv.p, csv.n, &io, &is, &d)) {
        fprintf(stderr, "register: %s\n", d.msg);
        return 2;
    }
    ww_buf_release(&csv);
    ww_asset_set_t set = {0};
    ww_asset_index_t *ix = NULL;
    if (ww_asset_load(st, &set, &d) || ww_asset_index_new(&set, &ix)) {
        fprintf(stderr, "register: %s\n", d.msg);
        return 2;
    }
    printf("register: %zu assets in %.1f s\n", set.n, (now_ms() - t0) / 1e3);

    t0 = now_ms();
    sqlite3_stmt *put = NULL;
    char host[32], user[32], src[32], why[300], rule[48], title[64], tech[32], ev[128];
    ww_store_exec(st, "BEGIN", &d);
    for (long i = 0; i < nalerts; i++) {
        /* Rule: power law (rule 0 is the noisiest); host: power law too. */
        int r = (int)(NRULES * urand() * urand() * urand());
        long h = (long)(nassets * urand() * urand());
        snprintf(rule, sizeof rule, "00000000-0000-4000-8000-%012d", r);
        snprintf(title, sizeof title, "Bench rule %d", r);
        snprintf(tech, sizeof tech, "T%d.%03d", 1000 + r % 100, r % 7);
        snprintf(host, sizeof host, "host%05ld", h);
        snprintf(user, sizeof user, "user%ld", h % 5000);
        snprintf(src, sizeof src, "192.0.2.%ld", h % 250);
        snprintf(ev, sizeof ev, "{\"EventID\":4625,\"Computer\":\"%s\",\"TargetUserName\":\"%s\"}",
                 host, user);
        ww_alert_t a = {0};
        snprintf(a.id, sizeof a.id, "%016lx%016lx", i, (long)r);
        a.rule_id = rule;
        a.rule_title = title;
        a.level = r % 5;
        a.ts = end - (int64_t)(urand() * 90 * DAY);
        a.received = a.ts;
        a.host = host;
        a.user = user;
        a.src_ip = src;
        a.source = "bench";
        a.position = "";
        a.techniques = tech;
        a.event_json = ev;
        ww_alert_prioritise(&a, ww_asset_index_find(ix, host, NULL), why, sizeof why);
        if (ww_alerts_put_cached(st, &put, &a, NULL, &d)) {
            fprintf(stderr, "%s\n", d.msg);
            return 2;
        }
        if (i % 20000 == 19999) {
            ww_store_exec(st, "COMMIT", &d);
            ww_store_exec(st, "BEGIN", &d);
        }
    }
    ww_store_exec(st, "COMMIT", &d);
    sqlite3_finalize(put);
    /* A realistic desk: most old alerts dealt with, the last two weeks still open. */
    if (ww_store_exec(st,
                      "UPDATE alert SET status = CASE WHEN rowid % 3 = 0 THEN 3 ELSE 2 END"
                      " WHERE ts < (SELECT max(ts) FROM alert) - 14 * 86400000000000"
                      " AND rowid % 10 <> 0",
                      &d) ||
        ww_triage_recount(st, &d) || ww_store_exec(st, "ANALYZE", &d)) {
        fprintf(stderr, "%s\n", d.msg);
        return 2;
    }
    ww_asset_index_free(ix);
    ww_asset_set_release(&set);
timed:;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, "SELECT count(*), (SELECT count(*) FROM alert_group) FROM alert",
                           -1, &q, NULL) != SQLITE_OK)
        fprintf(stderr, "%s\n", sqlite3_errmsg(st->db));
    if (sqlite3_step(q) != SQLITE_ROW)
        fprintf(stderr, "%s\n", sqlite3_errmsg(st->db));
    printf("alerts: %lld stored in %.1f s; %lld groups\n", (long long)sqlite3_column_int64(q, 0),
           (now_ms() - t0) / 1e3, (long long)sqlite3_column_int64(q, 1));
    sqlite3_finalize(q);

    ww_triage_filter_t base = {.since = WW_TIME_NONE, .until = WW_TIME_NONE, .limit = 50};
    ww_triage_filter_t top = base;
    top.statuses = WW_ALERT_OPEN;
    top.limit = 1000;
    ww_triage_groups(st, &top, find_top, NULL, NULL, &d);
    qcase_t cases[12];
    int nc = 0;
    cases[nc] = (qcase_t){"groups, open (the default page)", base, false};
    cases[nc++].f.statuses = WW_ALERT_OPEN;
    cases[nc++] = (qcase_t){"groups, all statuses", base, false};
    cases[nc] = (qcase_t){"groups, open, page 20", base, false};
    cases[nc].f.statuses = WW_ALERT_OPEN;
    cases[nc++].f.offset = 950;
    cases[nc] = (qcase_t){"groups, open, P1-P2", base, false};
    cases[nc].f.statuses = WW_ALERT_OPEN;
    cases[nc++].f.max_priority = 2;
    cases[nc] = (qcase_t){"groups, host host001*", base, false};
    cases[nc++].f.host = "host001*";
    cases[nc] = (qcase_t){"groups, technique T1010, imaging", base, false};
    cases[nc].f.technique = "T1010";
    cases[nc++].f.segment = "imaging";
    cases[nc] = (qcase_t){"groups, critical assets, high+", base, false};
    cases[nc].f.min_criticality = WW_CRIT_CRITICAL;
    cases[nc++].f.min_level = WW_LEVEL_HIGH;
    cases[nc] = (qcase_t){"groups, last 24 hours", base, false};
    cases[nc++].f.since = end - DAY;
    cases[nc] = (qcase_t){"groups, last 7 days, open", base, false};
    cases[nc].f.since = end - 7 * DAY;
    cases[nc++].f.statuses = WW_ALERT_OPEN;
    cases[nc++] = (qcase_t){"alerts, newest 50", base, true};
    cases[nc] = (qcase_t){"alerts of one group", base, true};
    cases[nc].f.group_rule = top_rule;
    cases[nc++].f.group_host = top_host;
    for (int i = 0; i < nc; i++)
        time_case(st, &cases[i], runs);

    /* A bulk action on the biggest open group, then on 200 alerts by id. */
    ww_alert_group_key_t key = {top_rule, top_host};
    ww_alert_sel_t sel = {NULL, 0, &key, 1};
    ww_triage_request_t rq = {WW_TRIAGE_ACK, "bench", "bench", NULL, 1};
    ww_triage_result_t res;
    t0 = now_ms();
    if (ww_triage_act(st, &rq, &sel, &res, &d)) {
        fprintf(stderr, "%s\n", d.msg);
        return 2;
    }
    printf("acknowledge one group: %llu alerts in %.1f ms\n", (unsigned long long)res.changed,
           now_ms() - t0);
    ww_store_close(st);
    return 0;
}
