/* Unit tests for triage (lib/alerts/ww_alerts_triage.c): groups of one rule on one host
 * with their counts, first/last seen and most urgent priority; every filter; paging;
 * bulk actions (what each applies to, reasons, history, unknown ids); the summary
 * table the triggers keep, checked against a count of the alerts themselves after
 * random actions; an old store upgraded with its alerts; suppressions: their checks,
 * their scope (rule and host, user, field value), their expiry at the exact second,
 * hits and the generation number serve polls. */
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
#include "event/ww_event.h"
#include "sigma/ww_sigma.h"

#define S 1000000000LL /* ns per second */

static char g_path[200];

static ww_store_t *open_raw(void)
{
    snprintf(g_path, sizeof g_path, "/tmp/ww-triage-%d.db", (int)getpid());
    unlink(g_path);
    ww_store_t *st = NULL;
    ww_diag_t d = {0};
    assert_int_equal(ww_store_open(g_path, &st, &d), 0);
    return st;
}

static ww_store_t *open_store(void)
{
    ww_store_t *st = open_raw();
    ww_diag_t d = {0};
    assert_int_equal(ww_alerts_migrate(st, &d), 0);
    return st;
}

static void close_store(ww_store_t *st)
{
    ww_store_close(st);
    char p[300];
    unlink(g_path);
    snprintf(p, sizeof p, "%s-wal", g_path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", g_path);
    unlink(p);
}

typedef struct spec {
    const char *id, *rule, *host;
    int level, priority;
    int64_t ts; /* s */
    const char *segment;
    int crit;
    const char *techniques, *user, *src;
} spec_t;

static void put(ww_store_t *st, const spec_t *s)
{
    ww_alert_t a = {0};
    snprintf(a.id, sizeof a.id, "%s", s->id);
    a.rule_id = s->rule;
    a.rule_title = strcmp(s->rule, "r-ssh") == 0     ? "SSH password guessing"
                   : strcmp(s->rule, "r-lsass") == 0 ? "LSASS memory access"
                                                     : "Other rule";
    a.level = s->level;
    a.priority = s->priority;
    a.why = "test";
    a.ts = s->ts == 0 ? WW_TIME_NONE : s->ts * S;
    a.received = 5 * S;
    a.host = s->host;
    a.user = s->user ? s->user : "";
    a.src_ip = s->src ? s->src : "";
    a.source = a.position = "";
    a.techniques = s->techniques ? s->techniques : "";
    a.event_json = "{}";
    a.asset_id = a.owner = "";
    a.segment = s->segment ? s->segment : "";
    a.criticality = s->crit;
    ww_diag_t d = {0};
    bool ins = false;
    assert_int_equal(ww_alerts_put(st, &a, &ins, &d), 0);
    assert_true(ins);
}

/* A fixed estate: two rules on three hosts. */
static const spec_t FIXTURE[] = {
    {"s1", "r-ssh", "web01", WW_LEVEL_MEDIUM, 3, 100, "dmz", WW_CRIT_LOW, "T1110.001", "root",
     "203.0.113.9"},
    {"s2", "r-ssh", "web01", WW_LEVEL_MEDIUM, 3, 300, "dmz", WW_CRIT_LOW, "T1110.001", "admin",
     "203.0.113.9"},
    {"s3", "r-ssh", "web01", WW_LEVEL_MEDIUM, 3, 200, "dmz", WW_CRIT_LOW, "T1110.001", "root",
     "203.0.113.7"},
    {"s4", "r-ssh", "pacs01", WW_LEVEL_MEDIUM, 2, 150, "imaging", WW_CRIT_CRITICAL, "T1110.001",
     "root", "10.0.0.5"},
    {"l1", "r-lsass", "pacs01", WW_LEVEL_HIGH, 1, 400, "imaging", WW_CRIT_CRITICAL,
     "T1003.001,T1055", "svc", ""},
    {"l2", "r-lsass", "pacs01", WW_LEVEL_HIGH, 1, 500, "imaging", WW_CRIT_CRITICAL,
     "T1003.001,T1055", "svc", ""},
    {"l3", "r-lsass", "LAPTOP-7", WW_LEVEL_HIGH, 4, 0, "corporate", WW_CRIT_NONE, "T1003.001,T1055",
     "", ""},
};

static ww_store_t *fixture(void)
{
    ww_store_t *st = open_store();
    for (size_t i = 0; i < WW_ARRAY_LEN(FIXTURE); i++)
        put(st, &FIXTURE[i]);
    return st;
}

typedef struct grp {
    char rule[32], host[32];
    uint64_t count, by_status[WW_ALERT_NSTATUS];
    int64_t first, last;
    int priority, level;
} grp_t;

typedef struct groups {
    grp_t g[64];
    int n;
} groups_t;

static int keep_group(void *ud, const ww_alert_group_t *g)
{
    groups_t *gs = ud;
    assert_true(gs->n < 64);
    grp_t *o = &gs->g[gs->n++];
    snprintf(o->rule, sizeof o->rule, "%s", g->rule_id);
    snprintf(o->host, sizeof o->host, "%s", g->host);
    o->count = g->count;
    memcpy(o->by_status, g->by_status, sizeof o->by_status);
    o->first = g->first_seen;
    o->last = g->last_seen;
    o->priority = g->priority;
    o->level = g->level;
    return 0;
}

static ww_triage_filter_t nofilter(void)
{
    return (ww_triage_filter_t){.since = WW_TIME_NONE, .until = WW_TIME_NONE};
}

static groups_t groups(ww_store_t *st, ww_triage_filter_t f, ww_triage_totals_t *t)
{
    groups_t gs = {0};
    ww_diag_t d = {0};
    int rc = ww_triage_groups(st, &f, keep_group, &gs, t, &d);
    if (rc)
        fail_msg("ww_triage_groups: %s", d.msg);
    return gs;
}

static int ngroups(ww_store_t *st, ww_triage_filter_t f)
{
    return groups(st, f, NULL).n;
}

static void test_groups(void **state)
{
    (void)state;
    ww_store_t *st = fixture();
    ww_triage_totals_t t = {0};
    groups_t gs = groups(st, nofilter(), &t);
    assert_int_equal(gs.n, 4);
    assert_int_equal(t.groups, 4);
    assert_int_equal(t.alerts, 7);
    /* Most urgent first, then the most recently seen. */
    assert_string_equal(gs.g[0].rule, "r-lsass");
    assert_string_equal(gs.g[0].host, "pacs01");
    assert_int_equal(gs.g[0].count, 2);
    assert_int_equal(gs.g[0].first, 400 * S);
    assert_int_equal(gs.g[0].last, 500 * S);
    assert_int_equal(gs.g[0].priority, 1);
    assert_string_equal(gs.g[1].host, "pacs01"); /* r-ssh P2 */
    assert_string_equal(gs.g[2].rule, "r-ssh");
    assert_string_equal(gs.g[2].host, "web01");
    assert_int_equal(gs.g[2].count, 3);
    assert_int_equal(gs.g[2].first, 100 * S);
    assert_int_equal(gs.g[2].last, 300 * S);
    assert_int_equal(gs.g[2].by_status[WW_ALERT_NEW], 3);
    /* No event time: seen when it arrived. */
    assert_string_equal(gs.g[3].host, "LAPTOP-7");
    assert_int_equal(gs.g[3].first, 5 * S);

    /* Paging: the totals are the whole list's. */
    ww_triage_filter_t f = nofilter();
    f.limit = 2;
    f.offset = 2;
    gs = groups(st, f, &t);
    assert_int_equal(gs.n, 2);
    assert_string_equal(gs.g[0].host, "web01");
    assert_int_equal(t.groups, 4);
    f.offset = 10; /* past the end: no rows, still the totals */
    gs = groups(st, f, &t);
    assert_int_equal(gs.n, 0);
    assert_int_equal(t.groups, 4);
    assert_int_equal(t.alerts, 7);
    close_store(st);
}

static void test_filters(void **state)
{
    (void)state;
    ww_store_t *st = fixture();
    ww_triage_filter_t f = nofilter();
    f.max_priority = 2;
    assert_int_equal(ngroups(st, f), 2);
    f = nofilter();
    f.min_level = WW_LEVEL_HIGH;
    assert_int_equal(ngroups(st, f), 2);
    f = nofilter();
    f.host = "PACS*"; /* a pattern, any case */
    assert_int_equal(ngroups(st, f), 2);
    f.host = "pacs0?";
    assert_int_equal(ngroups(st, f), 2);
    f.host = "pacs";
    assert_int_equal(ngroups(st, f), 0); /* a pattern is whole, not a substring */
    f.host = "laptop_7";                 /* LIKE's wildcard is a plain character here */
    assert_int_equal(ngroups(st, f), 0);
    f = nofilter();
    f.rule = "R-SSH";
    assert_int_equal(ngroups(st, f), 2);
    f.rule = "memory";
    assert_int_equal(ngroups(st, f), 2);
    f = nofilter();
    f.technique = "T1110"; /* a technique keeps its sub-techniques */
    assert_int_equal(ngroups(st, f), 2);
    f.technique = "t1055";
    assert_int_equal(ngroups(st, f), 2);
    f.technique = "T111"; /* not a prefix match */
    assert_int_equal(ngroups(st, f), 0);
    f.technique = "T1003.001";
    assert_int_equal(ngroups(st, f), 2);
    f = nofilter();
    f.segment = "IMAGING";
    assert_int_equal(ngroups(st, f), 2);
    f = nofilter();
    f.min_criticality = WW_CRIT_HIGH;
    assert_int_equal(ngroups(st, f), 2);
    f.min_criticality = WW_CRIT_LOW;
    assert_int_equal(ngroups(st, f), 3);
    /* Time: alerts in [150 s, 300 s]; the one with no event time is left out. */
    f = nofilter();
    f.since = 150 * S;
    f.until = 300 * S;
    ww_triage_totals_t t;
    groups_t gs = groups(st, f, &t);
    assert_int_equal(gs.n, 2);
    assert_int_equal(t.alerts, 3);
    assert_string_equal(gs.g[0].host, "pacs01");
    assert_string_equal(gs.g[1].host, "web01");
    assert_int_equal(gs.g[1].count, 2);
    assert_int_equal(gs.g[1].first, 200 * S);
    assert_int_equal(gs.g[1].last, 300 * S);
    /* Combined. */
    f = nofilter();
    f.rule = "r-ssh";
    f.segment = "dmz";
    f.statuses = WW_ALERT_OPEN;
    assert_int_equal(ngroups(st, f), 1);

    /* Bad filters: a clear error, no query. */
    ww_diag_t d = {0};
    groups_t gs2 = {0};
    f = nofilter();
    f.technique = "T1110%";
    assert_int_equal(ww_triage_groups(st, &f, keep_group, &gs2, NULL, &d), WW_EINVAL);
    assert_non_null(strstr(d.msg, "technique"));
    f = nofilter();
    f.host = "web\n01";
    assert_int_equal(ww_triage_groups(st, &f, keep_group, &gs2, NULL, &d), WW_EINVAL);
    char longp[WW_TRIAGE_PATTERN_MAX + 2];
    memset(longp, 'a', sizeof longp - 1);
    longp[sizeof longp - 1] = 0;
    f = nofilter();
    f.segment = longp;
    assert_int_equal(ww_triage_groups(st, &f, keep_group, &gs2, NULL, &d), WW_EINVAL);
    f = nofilter();
    f.max_priority = 9;
    assert_int_equal(ww_triage_groups(st, &f, keep_group, &gs2, NULL, &d), WW_EINVAL);
    assert_int_equal(gs2.n, 0);
    close_store(st);
}

typedef struct ids {
    char id[16][WW_ALERT_ID_LEN + 1];
    int status[16];
    int n;
} ids_t;

static int keep_id(void *ud, const ww_alert_t *a)
{
    ids_t *v = ud;
    if (v->n < 16) {
        snprintf(v->id[v->n], sizeof v->id[0], "%s", a->id);
        v->status[v->n] = a->status;
    }
    v->n++;
    return 0;
}

static void test_alert_list(void **state)
{
    (void)state;
    ww_store_t *st = fixture();
    ww_diag_t d = {0};
    ids_t v = {0};
    ww_triage_totals_t t;
    ww_triage_filter_t f = nofilter();
    f.limit = 3;
    assert_int_equal(ww_triage_alerts(st, &f, keep_id, &v, &t, &d), 0);
    assert_int_equal(v.n, 3);
    assert_int_equal(t.alerts, 7);
    assert_string_equal(v.id[0], "l2"); /* newest first */
    assert_string_equal(v.id[1], "l1");
    memset(&v, 0, sizeof v);
    f = nofilter();
    f.group_rule = "r-ssh";
    f.group_host = "web01";
    assert_int_equal(ww_triage_alerts(st, &f, keep_id, &v, &t, &d), 0);
    assert_int_equal(v.n, 3);
    assert_int_equal(t.alerts, 3);
    assert_string_equal(v.id[0], "s2");
    assert_string_equal(v.id[2], "s1");
    f.group_host = NULL; /* half a group key */
    assert_int_equal(ww_triage_alerts(st, &f, keep_id, &v, &t, &d), WW_EINVAL);

    /* One alert, and those that share its host, user or address. */
    memset(&v, 0, sizeof v);
    assert_int_equal(ww_triage_alert(st, "nope", keep_id, &v, &d), WW_ENOENT);
    assert_int_equal(ww_triage_alert(st, "s4", keep_id, &v, &d), 0);
    assert_int_equal(v.n, 1);
    ww_alert_t s4 = {0};
    snprintf(s4.id, sizeof s4.id, "s4");
    s4.host = "pacs01";
    s4.user = "root";
    s4.src_ip = "10.0.0.5";
    memset(&v, 0, sizeof v);
    assert_int_equal(ww_triage_related(st, &s4, 10, keep_id, &v, &d), 0);
    /* pacs01: l1 l2; root: s1 s3 (s4 itself never) */
    assert_int_equal(v.n, 4);
    for (int i = 0; i < v.n; i++)
        assert_string_not_equal(v.id[i], "s4");
    close_store(st);
}

typedef struct hist {
    int n;
    char action[8][32], actor[8][32], reason[8][64];
    int old_status[8], new_status[8];
} hist_t;

static int keep_change(void *ud, const ww_alert_change_t *c)
{
    hist_t *h = ud;
    if (h->n < 8) {
        snprintf(h->action[h->n], 32, "%s", c->action);
        snprintf(h->actor[h->n], 32, "%s", c->actor);
        snprintf(h->reason[h->n], 64, "%s", c->reason);
        h->old_status[h->n] = c->old_status;
        h->new_status[h->n] = c->new_status;
    }
    h->n++;
    return 0;
}

static ww_triage_result_t act(ww_store_t *st, int action, const char *reason, const char *assignee,
                              const ww_alert_sel_t *sel, int expect)
{
    ww_triage_request_t rq = {action, "alice", reason, assignee, 1000};
    ww_triage_result_t r = {0};
    ww_diag_t d = {0};
    int rc = ww_triage_act(st, &rq, sel, &r, &d);
    if (rc != expect)
        fail_msg("ww_triage_act(%s) = %d, expected %d: %s", ww_triage_action_name(action), rc,
                 expect, d.msg);
    return r;
}

static void test_actions(void **state)
{
    (void)state;
    ww_store_t *st = fixture();
    ww_diag_t d = {0};
    const char *ids[] = {"s1", "s2", "missing", "s1"};
    ww_alert_sel_t sel = {ids, 4, NULL, 0};
    /* Acknowledge and close-as-false-positive need a reason; assign needs a name. */
    act(st, WW_TRIAGE_ACK, "", NULL, &sel, WW_EINVAL);
    act(st, WW_TRIAGE_ACK, "   ", NULL, &sel, WW_EINVAL);
    act(st, WW_TRIAGE_CLOSE_FP, NULL, NULL, &sel, WW_EINVAL);
    act(st, WW_TRIAGE_ASSIGN, NULL, "", &sel, WW_EINVAL);
    ww_alert_sel_t none = {NULL, 0, NULL, 0};
    act(st, WW_TRIAGE_CLOSE, NULL, NULL, &none, WW_EINVAL);

    ww_triage_result_t r = act(st, WW_TRIAGE_ACK, "looking at it", NULL, &sel, 0);
    assert_int_equal(r.selected, 2);
    assert_int_equal(r.changed, 2);
    assert_int_equal(r.unknown, 1);
    /* Again: acknowledged already, nothing changes and nothing is recorded. */
    r = act(st, WW_TRIAGE_ACK, "again", NULL, &sel, 0);
    assert_int_equal(r.changed, 0);
    assert_int_equal(r.skipped, 2);

    /* The group list follows: web01/r-ssh has 1 new and 2 acknowledged. */
    ww_triage_filter_t f = nofilter();
    f.host = "web01";
    groups_t gs = groups(st, f, NULL);
    assert_int_equal(gs.n, 1);
    assert_int_equal(gs.g[0].by_status[WW_ALERT_NEW], 1);
    assert_int_equal(gs.g[0].by_status[WW_ALERT_ACKNOWLEDGED], 2);
    f.statuses = 1u << WW_ALERT_NEW;
    gs = groups(st, f, NULL);
    assert_int_equal(gs.g[0].count, 1);
    assert_int_equal(gs.g[0].first, 200 * S); /* s3 only: recounted, not stale */
    assert_int_equal(gs.g[0].last, 200 * S);

    /* Assign keeps the status; a whole group closes as a false positive. */
    r = act(st, WW_TRIAGE_ASSIGN, NULL, "bob", &sel, 0);
    assert_int_equal(r.changed, 2);
    ww_alert_group_key_t key = {"r-ssh", "web01"};
    ww_alert_sel_t grp = {NULL, 0, &key, 1};
    r = act(st, WW_TRIAGE_CLOSE_FP, "backup agent", NULL, &grp, 0);
    assert_int_equal(r.selected, 3);
    assert_int_equal(r.changed, 3);
    f = nofilter();
    f.statuses = WW_ALERT_OPEN;
    assert_int_equal(ngroups(st, f), 3); /* web01/r-ssh left the open list */
    f.statuses = 1u << WW_ALERT_CLOSED_FP;
    gs = groups(st, f, NULL);
    assert_int_equal(gs.n, 1);
    assert_int_equal(gs.g[0].count, 3);
    /* Escalate does not apply to closed alerts; reopen brings them back. */
    r = act(st, WW_TRIAGE_ESCALATE, NULL, NULL, &grp, 0);
    assert_int_equal(r.changed, 0);
    assert_int_equal(r.skipped, 3);
    r = act(st, WW_TRIAGE_REOPEN, "wrong group", NULL, &grp, 0);
    assert_int_equal(r.changed, 3);

    /* s1's history, oldest first: acknowledged, assigned, closed, reopened. */
    hist_t h = {0};
    assert_int_equal(ww_triage_history(st, "s1", keep_change, &h, &d), 0);
    assert_int_equal(h.n, 4);
    assert_string_equal(h.action[0], "acknowledge");
    assert_string_equal(h.actor[0], "alice");
    assert_string_equal(h.reason[0], "looking at it");
    assert_int_equal(h.old_status[0], WW_ALERT_NEW);
    assert_int_equal(h.new_status[0], WW_ALERT_ACKNOWLEDGED);
    assert_string_equal(h.action[1], "assign");
    assert_int_equal(h.new_status[1], WW_ALERT_ACKNOWLEDGED);
    assert_string_equal(h.action[2], "close-false-positive");
    assert_string_equal(h.reason[2], "backup agent");
    assert_string_equal(h.action[3], "reopen");
    assert_int_equal(h.new_status[3], WW_ALERT_NEW);
    ids_t v = {0};
    assert_int_equal(ww_triage_alert(st, "s1", keep_id, &v, &d), 0);
    assert_int_equal(v.status[0], WW_ALERT_NEW);

    /* Too many ids at once: refused, with the cap in the message. */
    static const char *many[WW_TRIAGE_MAX_IDS + 1];
    for (size_t i = 0; i < WW_ARRAY_LEN(many); i++)
        many[i] = "s1";
    ww_alert_sel_t big = {many, WW_TRIAGE_MAX_IDS + 1, NULL, 0};
    ww_triage_request_t rq = {WW_TRIAGE_CLOSE, "alice", "", NULL, 1};
    assert_int_equal(ww_triage_act(st, &rq, &big, NULL, &d), WW_EINVAL);
    assert_non_null(strstr(d.msg, "at most"));
    close_store(st);
}

/* The summary the triggers keep against a count of the alerts themselves, after many
 * random actions on single alerts and whole groups. */
static void test_summary_consistent(void **state)
{
    (void)state;
    ww_store_t *st = open_store();
    ww_diag_t d = {0};
    srand(7);
    const char *rules[] = {"r-ssh", "r-lsass", "r-other"};
    const char *hosts[] = {"a", "b", "c", "d", "e"};
    char idbuf[400][16];
    assert_int_equal(ww_store_exec(st, "BEGIN", &d), 0);
    for (int i = 0; i < 400; i++) {
        snprintf(idbuf[i], sizeof idbuf[i], "x%d", i);
        spec_t s = {idbuf[i],
                    rules[rand() % 3],
                    hosts[rand() % 5],
                    rand() % 5,
                    1 + rand() % 5,
                    1 + rand() % 1000,
                    "seg",
                    WW_CRIT_LOW,
                    "",
                    "",
                    ""};
        put(st, &s);
    }
    assert_int_equal(ww_store_exec(st, "COMMIT", &d), 0);
    for (int round = 0; round < 60; round++) {
        int action = rand() % WW_TRIAGE_NACTIONS;
        const char *ids[20];
        for (int k = 0; k < 20; k++)
            ids[k] = idbuf[rand() % 400];
        ww_alert_group_key_t key = {rules[rand() % 3], hosts[rand() % 5]};
        ww_alert_sel_t sel =
            round % 3 ? (ww_alert_sel_t){ids, 20, NULL, 0} : (ww_alert_sel_t){NULL, 0, &key, 1};
        act(st, action, "r", "bob", &sel, 0);
    }
    /* The same list from the summary (no time filter) and from the alerts (a time
       filter that keeps them all), for every status. */
    for (unsigned stmask = 0; stmask < (1u << WW_ALERT_NSTATUS); stmask += 3) {
        ww_triage_filter_t f = nofilter();
        f.statuses = stmask;
        ww_triage_totals_t t1, t2;
        groups_t a = groups(st, f, &t1);
        f.since = 0;
        f.until = 2000 * S;
        groups_t b = groups(st, f, &t2);
        assert_int_equal(t1.groups, t2.groups);
        assert_int_equal(t1.alerts, t2.alerts);
        assert_int_equal(a.n, b.n);
        for (int i = 0; i < a.n; i++) {
            assert_string_equal(a.g[i].rule, b.g[i].rule);
            assert_string_equal(a.g[i].host, b.g[i].host);
            assert_int_equal(a.g[i].count, b.g[i].count);
            assert_int_equal(a.g[i].first, b.g[i].first);
            assert_int_equal(a.g[i].last, b.g[i].last);
            assert_int_equal(a.g[i].priority, b.g[i].priority);
            assert_memory_equal(a.g[i].by_status, b.g[i].by_status, sizeof a.g[i].by_status);
        }
    }
    /* The open list's totals, whole and by priority, come from alert_open (five rows
       its triggers keep): the same as counting the alerts themselves. */
    for (int p = 1; p <= 5; p++) {
        ww_triage_filter_t f = nofilter();
        f.statuses = WW_ALERT_OPEN;
        f.max_priority = p;
        ww_triage_totals_t t1, t2;
        groups(st, f, &t1);
        f.since = 0;
        f.until = 2000 * S;
        groups(st, f, &t2);
        assert_int_equal(t1.groups, t2.groups);
        assert_int_equal(t1.alerts, t2.alerts);
    }
    close_store(st);
}

/* A store made before triage (schema version 1) with alerts in it: upgraded, its
 * alerts are new and grouped. */
static void test_upgrade(void **state)
{
    (void)state;
    ww_store_t *st = open_raw();
    ww_diag_t d = {0};
    static const char *const v1[] = {
        "CREATE TABLE alert(id TEXT NOT NULL UNIQUE, rule_id TEXT NOT NULL,"
        " rule_title TEXT NOT NULL, level INTEGER NOT NULL, priority INTEGER NOT NULL,"
        " why TEXT NOT NULL, ts INTEGER, received INTEGER NOT NULL, host TEXT NOT NULL,"
        " user TEXT NOT NULL, src_ip TEXT NOT NULL, source TEXT NOT NULL,"
        " position TEXT NOT NULL, techniques TEXT NOT NULL, event TEXT NOT NULL,"
        " asset_id TEXT NOT NULL, segment TEXT NOT NULL, owner TEXT NOT NULL,"
        " criticality INTEGER NOT NULL, exposed INTEGER NOT NULL);"
        "CREATE INDEX alert_by_ts ON alert(ts, received);"
        "CREATE INDEX alert_by_host ON alert(host);"
        "CREATE INDEX alert_by_rule ON alert(rule_id);"};
    assert_int_equal(ww_store_migrate(st, "alerts", v1, 1, &d), 0);
    assert_int_equal(ww_store_exec(st,
                                   "INSERT INTO alert VALUES('o1','r','R',3,2,'',10,1,'h','','','',"
                                   "'','','{}','','','',0,0),('o2','r','R',3,2,'',20,1,'h','','',"
                                   "'','','','{}','','','',0,0)",
                                   &d),
                     0);
    assert_int_equal(ww_alerts_migrate(st, &d), 0);
    groups_t gs = groups(st, nofilter(), NULL);
    assert_int_equal(gs.n, 1);
    assert_int_equal(gs.g[0].count, 2);
    assert_int_equal(gs.g[0].by_status[WW_ALERT_NEW], 2);
    assert_int_equal(gs.g[0].first, 10);
    assert_int_equal(gs.g[0].last, 20);
    close_store(st);
}

/* ---- suppressions ---- */

static int64_t add_supp(ww_store_t *st, ww_suppression_t s, int64_t now, int expect)
{
    ww_diag_t d = {0};
    int64_t id = 0;
    int rc = ww_suppress_add(st, &s, now, &id, &d);
    if (rc != expect)
        fail_msg("ww_suppress_add = %d, expected %d: %s", rc, expect, d.msg);
    return id;
}

static ww_suppression_t supp(const char *rule, const char *host, const char *user,
                             const char *field, const char *value, int64_t expires)
{
    return (ww_suppression_t){.rule_id = rule,
                              .host = host,
                              .user = user,
                              .field = field,
                              .value = value,
                              .reason = "known backup agent",
                              .created_by = "alice",
                              .expires = expires};
}

static void test_suppress_checks(void **state)
{
    (void)state;
    ww_store_t *st = open_store();
    const int64_t now = 1000;
    add_supp(st, supp("", "h", "", "", "", 2000), now, WW_EINVAL);       /* no rule */
    add_supp(st, supp("r", "", "", "", "", 2000), now, WW_EINVAL);       /* no scope */
    add_supp(st, supp("r", "", "", "Image", "", 2000), now, WW_EINVAL);  /* no value */
    add_supp(st, supp("r", "", "", "", "x", 2000), now, WW_EINVAL);      /* no field */
    add_supp(st, supp("r", "", "", "a b", "x", 2000), now, WW_EINVAL);   /* bad field */
    add_supp(st, supp("r", "h\r\nx", "", "", "", 2000), now, WW_EINVAL); /* control */
    add_supp(st, supp("r", "h", "", "", "", now), now, WW_EINVAL);       /* not future */
    add_supp(st, supp("r", "h", "", "", "", now + 367 * 86400), now, WW_EINVAL);
    ww_suppression_t s = supp("r", "h", "", "", "", 2000);
    s.reason = " ";
    add_supp(st, s, now, WW_EINVAL);
    s = supp("r", "h", "", "", "", 2000);
    s.created_by = NULL;
    add_supp(st, s, now, WW_EINVAL);
    assert_true(add_supp(st, supp("r", "h", "", "", "", now + 366 * 86400), now, 0) > 0);
    close_store(st);
}

static ww_alert_t alert_of(const char *rule, const char *host, const char *user)
{
    ww_alert_t a = {0};
    a.rule_id = rule;
    a.host = host;
    a.user = user;
    a.src_ip = "";
    return a;
}

typedef struct supps {
    int n;
    int64_t id[8], hits[8], last_hit[8];
} supps_t;

static int keep_supp(void *ud, const ww_suppression_t *s)
{
    supps_t *v = ud;
    if (v->n < 8) {
        v->id[v->n] = s->id;
        v->hits[v->n] = (int64_t)s->hits;
        v->last_hit[v->n] = s->last_hit;
    }
    v->n++;
    return 0;
}

static void test_suppress_scope(void **state)
{
    (void)state;
    ww_store_t *st = open_store();
    ww_diag_t d = {0};
    const int64_t now = 1000;
    int64_t g0 = -1, g1 = -1, g2 = -1;
    assert_int_equal(ww_suppress_generation(st, &g0, &d), 0);
    int64_t by_host = add_supp(st, supp("r-lsass", "BK01", "", "", "", 2000), now, 0);
    int64_t by_user = add_supp(st, supp("r-ssh", "", "nagios", "", "", 3000), now, 0);
    int64_t by_field =
        add_supp(st, supp("r-lsass", "", "", "SourceImage", "C:\\Backup\\agent.exe", 4000), now, 0);
    assert_int_equal(ww_suppress_generation(st, &g1, &d), 0);
    assert_true(g1 > g0);
    ww_suppress_set_t *set = NULL;
    assert_int_equal(ww_suppress_load(st, now, &set, &d), 0);
    assert_int_equal(ww_suppress_count(set), 3);

    ww_alert_t a = alert_of("r-lsass", "bk01", "");
    assert_int_equal(ww_suppress_match(set, &a, NULL, now), by_host); /* any case */
    a = alert_of("R-LSASS", "BK01", "");
    assert_int_equal(ww_suppress_match(set, &a, NULL, now), by_host);
    a = alert_of("r-lsass", "bk01.trust.local", ""); /* exact host, not a prefix */
    assert_int_equal(ww_suppress_match(set, &a, NULL, now), 0);
    a = alert_of("r-ssh", "BK01", ""); /* another rule on the host */
    assert_int_equal(ww_suppress_match(set, &a, NULL, now), 0);
    a = alert_of("r-ssh", "web01", "Nagios");
    assert_int_equal(ww_suppress_match(set, &a, NULL, now), by_user);
    a = alert_of("r-ssh", "web01", "root");
    assert_int_equal(ww_suppress_match(set, &a, NULL, now), 0);

    /* A field value, from the event. */
    ww_event_t ev;
    ww_event_init(&ev);
    assert_int_equal(
        ww_event_add(&ev, WW_STR("TargetImage"), WW_STR("C:\\Windows\\lsass.exe"), WW_F_STR), 0);
    assert_int_equal(
        ww_event_add(&ev, WW_STR("SourceImage"), WW_STR("c:\\backup\\AGENT.exe"), WW_F_STR), 0);
    a = alert_of("r-lsass", "ws9", "");
    assert_int_equal(ww_suppress_match(set, &a, &ev, now), by_field);
    ww_event_reset(&ev);
    assert_int_equal(
        ww_event_add(&ev, WW_STR("SourceImage"), WW_STR("C:\\Tools\\mimikatz.exe"), WW_F_STR), 0);
    assert_int_equal(ww_suppress_match(set, &a, &ev, now), 0);
    ww_event_reset(&ev);
    /* The value in another field does not count. */
    assert_int_equal(
        ww_event_add(&ev, WW_STR("ParentImage"), WW_STR("C:\\Backup\\agent.exe"), WW_F_STR), 0);
    assert_int_equal(ww_suppress_match(set, &a, &ev, now), 0);
    ww_event_release(&ev);

    /* Expiry at the boundary: applies until the second before, not at it. */
    a = alert_of("r-lsass", "BK01", "");
    assert_int_equal(ww_suppress_match(set, &a, NULL, 1999), by_host);
    assert_int_equal(ww_suppress_match(set, &a, NULL, 2000), 0);
    ww_suppress_set_free(set);
    /* Loaded after it expired: not in the set at all. */
    assert_int_equal(ww_suppress_load(st, 2000, &set, &d), 0);
    assert_int_equal(ww_suppress_count(set), 2);
    ww_suppress_set_free(set);

    /* Hits count without moving the generation; removing moves it. */
    assert_int_equal(ww_suppress_hit(st, by_user, 1500, &d), 0);
    assert_int_equal(ww_suppress_hit(st, by_user, 1600, &d), 0);
    assert_int_equal(ww_suppress_generation(st, &g2, &d), 0);
    assert_int_equal(g2, g1);
    supps_t seen = {0};
    assert_int_equal(ww_suppress_get(st, by_user, keep_supp, &seen, &d), 0);
    assert_int_equal(seen.n, 1);
    assert_int_equal(seen.hits[0], 2);
    assert_int_equal(seen.last_hit[0], 1600);
    assert_int_equal(ww_suppress_get(st, 999, keep_supp, &seen, &d), WW_ENOENT);
    /* The list for review: live ones by expiry, then the expired one. */
    memset(&seen, 0, sizeof seen);
    assert_int_equal(ww_suppress_list(st, 2500, true, keep_supp, &seen, &d), 0);
    assert_int_equal(seen.n, 3);
    assert_int_equal(seen.id[0], by_user);
    assert_int_equal(seen.id[1], by_field);
    assert_int_equal(seen.id[2], by_host);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(ww_suppress_list(st, 2500, false, keep_supp, &seen, &d), 0);
    assert_int_equal(seen.n, 2);
    assert_int_equal(ww_suppress_remove(st, by_host, &d), 1);
    assert_int_equal(ww_suppress_remove(st, by_host, &d), 0);
    assert_int_equal(ww_suppress_generation(st, &g2, &d), 0);
    assert_true(g2 > g1);
    close_store(st);
}

/* A scope of several parts needs all of them; a field name matches in any case; a
 * live-only list at the very second of expiry leaves it out. */
static void test_suppress_combined(void **state)
{
    (void)state;
    ww_store_t *st = open_store();
    ww_diag_t d = {0};
    int64_t both = add_supp(st, supp("r", "h1", "svc", "", "", 2000), 1000, 0);
    int64_t field =
        add_supp(st, supp("r2", "", "", "CommandLine", "backup.exe /full", 2000), 1000, 0);
    ww_suppress_set_t *set = NULL;
    assert_int_equal(ww_suppress_load(st, 1000, &set, &d), 0);
    ww_alert_t a = alert_of("r", "h1", "svc");
    assert_int_equal(ww_suppress_match(set, &a, NULL, 1000), both);
    a = alert_of("r", "h1", "bob");
    assert_int_equal(ww_suppress_match(set, &a, NULL, 1000), 0);
    a = alert_of("r", "h2", "svc");
    assert_int_equal(ww_suppress_match(set, &a, NULL, 1000), 0);
    ww_event_t ev;
    ww_event_init(&ev);
    assert_int_equal(ww_event_add(&ev, WW_STR("commandline"), WW_STR("BACKUP.EXE /FULL"), WW_F_STR),
                     0);
    a = alert_of("r2", "any", "");
    assert_int_equal(ww_suppress_match(set, &a, &ev, 1999), field);
    ww_event_reset(&ev);
    /* Part of the value is not the value. */
    assert_int_equal(
        ww_event_add(&ev, WW_STR("CommandLine"), WW_STR("backup.exe /full /x"), WW_F_STR), 0);
    assert_int_equal(ww_suppress_match(set, &a, &ev, 1999), 0);
    ww_event_release(&ev);
    ww_suppress_set_free(set);
    supps_t seen = {0};
    assert_int_equal(ww_suppress_list(st, 2000, false, keep_supp, &seen, &d), 0);
    assert_int_equal(seen.n, 0);
    close_store(st);
}

/* An action inside the caller's transaction is part of it: rolled back with it. */
static void test_action_in_caller_tx(void **state)
{
    (void)state;
    ww_store_t *st = fixture();
    ww_diag_t d = {0};
    const char *ids[] = {"l3"};
    ww_alert_sel_t sel = {ids, 1, NULL, 0};
    assert_int_equal(ww_store_exec(st, "BEGIN", &d), 0);
    ww_triage_result_t r = act(st, WW_TRIAGE_CLOSE, NULL, NULL, &sel, 0);
    assert_int_equal(r.changed, 1);
    assert_int_equal(ww_store_exec(st, "ROLLBACK", &d), 0);
    ids_t v = {0};
    assert_int_equal(ww_triage_alert(st, "l3", keep_id, &v, &d), 0);
    assert_int_equal(v.status[0], WW_ALERT_NEW);
    hist_t h = {0};
    assert_int_equal(ww_triage_history(st, "l3", keep_change, &h, &d), 0);
    assert_int_equal(h.n, 0);
    /* Assigning a closed alert changes nothing. */
    act(st, WW_TRIAGE_CLOSE, NULL, NULL, &sel, 0);
    r = act(st, WW_TRIAGE_ASSIGN, NULL, "bob", &sel, 0);
    assert_int_equal(r.changed, 0);
    assert_int_equal(r.skipped, 1);
    close_store(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_alert_list),
        cmocka_unit_test(test_actions),
        cmocka_unit_test(test_summary_consistent),
        cmocka_unit_test(test_upgrade),
        cmocka_unit_test(test_suppress_checks),
        cmocka_unit_test(test_suppress_scope),
        cmocka_unit_test(test_suppress_combined),
        cmocka_unit_test(test_action_in_caller_tx),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
