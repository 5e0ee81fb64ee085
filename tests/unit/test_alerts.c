/* Unit tests for lib/alerts: an alert is stored once whatever the number of puts (the
 * replay promise), the query filters, the priority table of ww_alerts.c, and the asset
 * index (full names, short names, addresses, asset ids, first key wins). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "alerts/ww_alerts.h"
#include "sigma/ww_sigma.h"

static const char *REGISTER =
    "asset_id,hostname,ip,type,segment,owner,internet_exposed,clinical_criticality\n"
    "A-1,pacs01.trust.nhs.uk,10.1.2.10,server,imaging,Radiology IT,no,critical\n"
    "A-2,web01,10.9.0.5,server,dmz,Web team,yes,low\n"
    "A-3,LAPTOP-7,10.3.3.3,laptop,corporate,IT,no,none\n"
    "A-4,pacs01,10.1.2.11,server,imaging,Radiology IT,no,high\n";

static ww_store_t *open_store(char *path, size_t n)
{
    snprintf(path, n, "/tmp/ww-alerts-%d.db", (int)getpid());
    unlink(path);
    ww_store_t *st = NULL;
    ww_diag_t d = {0};
    assert_int_equal(ww_store_open(path, &st, &d), 0);
    assert_int_equal(ww_alerts_migrate(st, &d), 0);
    return st;
}

static void close_store(ww_store_t *st, const char *path)
{
    ww_store_close(st);
    char p[300];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

static ww_alert_t mk(const char *id, const char *rule, int level, const char *host, int64_t ts)
{
    ww_alert_t a = {0};
    snprintf(a.id, sizeof a.id, "%s", id);
    a.rule_id = rule;
    a.rule_title = strcmp(rule, "r1") == 0 ? "SSH password guessing" : "LSASS memory access";
    a.level = level;
    a.priority = 5 - level > 0 ? 5 - level : 1;
    a.why = "test";
    a.ts = ts;
    a.received = 1;
    a.host = host;
    a.user = a.src_ip = a.source = a.position = a.techniques = "";
    a.event_json = "{\"EventID\":4625}";
    a.asset_id = a.segment = a.owner = "";
    return a;
}

static int count(void *ud, const ww_alert_t *a)
{
    (void)a;
    (*(int *)ud)++;
    return 0;
}

static int query(ww_store_t *st, ww_alert_query_t q)
{
    int n = 0;
    ww_diag_t d = {0};
    assert_int_equal(ww_alerts_query(st, &q, count, &n, &d), 0);
    return n;
}

static void test_once(void **state)
{
    (void)state;
    char path[200];
    ww_store_t *st = open_store(path, sizeof path);
    ww_diag_t d = {0};
    ww_alert_t a = mk("00000000000000000000000000000001", "r1", WW_LEVEL_HIGH, "pacs01", 100);
    bool ins = false;
    assert_int_equal(ww_alerts_put(st, &a, &ins, &d), 0);
    assert_true(ins);
    /* The same alert again (a replay after a crash): kept once, and the caller knows
       not to notify it again. */
    a.received = 2;
    assert_int_equal(ww_alerts_put(st, &a, &ins, &d), 0);
    assert_false(ins);
    ww_alert_query_t all = {.since = WW_TIME_NONE, .until = WW_TIME_NONE};
    assert_int_equal(query(st, all), 1);
    close_store(st, path);
}

static void test_query(void **state)
{
    (void)state;
    char path[200];
    ww_store_t *st = open_store(path, sizeof path);
    ww_diag_t d = {0};
    ww_alert_t v[] = {
        mk("a1", "r1", WW_LEVEL_MEDIUM, "pacs01", 100),
        mk("a2", "r1", WW_LEVEL_HIGH, "web01", 200),
        mk("a3", "r2", WW_LEVEL_CRITICAL, "PACS01", 300),
        mk("a4", "r2", WW_LEVEL_LOW, "", WW_TIME_NONE),
    };
    for (size_t i = 0; i < WW_ARRAY_LEN(v); i++)
        assert_int_equal(ww_alerts_put(st, &v[i], NULL, &d), 0);
    ww_alert_query_t q = {.since = WW_TIME_NONE, .until = WW_TIME_NONE};
    assert_int_equal(query(st, q), 4);
    q.min_level = WW_LEVEL_HIGH;
    assert_int_equal(query(st, q), 2);
    q.min_level = 0;
    q.since = 150;
    assert_int_equal(query(st, q), 2); /* no time: cannot be placed, left out */
    q.until = 250;
    assert_int_equal(query(st, q), 1);
    q.since = q.until = WW_TIME_NONE;
    q.host = "pacs*";
    assert_int_equal(query(st, q), 2); /* any case */
    q.host = NULL;
    q.rule = "lsass";
    assert_int_equal(query(st, q), 2);
    q.rule = "r1";
    assert_int_equal(query(st, q), 2);
    q.rule = NULL;
    q.max_priority = 2; /* mk: priority 5 - level, at least 1 */
    assert_int_equal(query(st, q), 2);
    q.max_priority = 0;
    q.limit = 3;
    assert_int_equal(query(st, q), 3);
    close_store(st, path);
}

static void test_priority_and_index(void **state)
{
    (void)state;
    char path[200];
    ww_store_t *st = open_store(path, sizeof path);
    ww_diag_t d = {0};
    ww_import_stats_t stats;
    ww_import_opts_t o = {.format = WW_IMPORT_CSV};
    assert_int_equal(ww_asset_import_mem(st, "r.csv", REGISTER, strlen(REGISTER), &o, &stats, &d),
                     0);
    ww_asset_set_t set;
    assert_int_equal(ww_asset_load(st, &set, &d), 0);
    ww_asset_index_t *ix = NULL;
    assert_int_equal(ww_asset_index_new(&set, &ix), 0);
    const ww_asset_t *pacs = ww_asset_index_find(ix, "PACS01.TRUST.NHS.UK", NULL);
    assert_non_null(pacs);
    assert_string_equal(pacs->asset_id, "A-1");
    /* "pacs01" is A-4's full name: it beats the short form of A-1's. */
    assert_string_equal(ww_asset_index_find(ix, "pacs01", NULL)->asset_id, "A-4");
    /* A short name in the log finds the register's full one, and the other way. */
    assert_string_equal(ww_asset_index_find(ix, "laptop-7.corp.local", NULL)->asset_id, "A-3");
    assert_string_equal(ww_asset_index_find(ix, "nohost", "10.9.0.5")->asset_id, "A-2");
    assert_string_equal(ww_asset_index_find(ix, "", "10.1.2.10")->asset_id, "A-1");
    assert_string_equal(ww_asset_index_find(ix, "A-2", NULL)->asset_id, "A-2");
    assert_null(ww_asset_index_find(ix, "10.1.2", NULL));
    assert_null(ww_asset_index_find(ix, "other", "10.0.0.1"));
    assert_null(ww_asset_index_find(NULL, "pacs01", NULL));

    /* The table in ww_alerts.c, row by row. */
    const struct {
        int level;
        const char *host;
        int want;
        const char *words;
    } cases[] = {
        {WW_LEVEL_CRITICAL, "pacs01.trust.nhs.uk", 1, "clinical criticality critical"},
        {WW_LEVEL_HIGH, "pacs01.trust.nhs.uk", 1, "high rule on A-1"},
        {WW_LEVEL_MEDIUM, "pacs01.trust.nhs.uk", 2, "medium"},
        {WW_LEVEL_CRITICAL, "unknown", 2, "not in the register"},
        {WW_LEVEL_HIGH, "unknown", 3, "high rule"},
        {WW_LEVEL_HIGH, "web01", 2, "internet exposed"},
        {WW_LEVEL_CRITICAL, "laptop-7", 2, "criticality none"},
        {WW_LEVEL_MEDIUM, "unknown", 4, ""},
        {WW_LEVEL_LOW, "unknown", 5, ""},
        {WW_LEVEL_INFORMATIONAL, "pacs01.trust.nhs.uk", 4, ""},
    };
    for (size_t i = 0; i < WW_ARRAY_LEN(cases); i++) {
        ww_alert_t a = {.level = cases[i].level};
        char why[200];
        ww_alert_prioritise(&a, ww_asset_index_find(ix, cases[i].host, NULL), why, sizeof why);
        if (a.priority != cases[i].want || !strstr(a.why, cases[i].words))
            fail_msg("case %zu: P%d '%s', want P%d '...%s...'", i, a.priority, a.why, cases[i].want,
                     cases[i].words);
    }
    ww_alert_t a = {.level = WW_LEVEL_HIGH};
    char why[200];
    ww_alert_prioritise(&a, ww_asset_index_find(ix, "web01", NULL), why, sizeof why);
    assert_string_equal(a.segment, "dmz");
    assert_string_equal(a.owner, "Web team");
    assert_true(a.exposed);
    ww_asset_index_free(ix);
    ww_asset_set_release(&set);
    close_store(st, path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_once),
        cmocka_unit_test(test_query),
        cmocka_unit_test(test_priority_and_index),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
