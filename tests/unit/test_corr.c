/* Unit tests for the correlation engine (lib/detect/ww_corr*.c): every correlation
 * type firing and not firing, window boundaries, late and out-of-order events, re-arm,
 * group keys, aliases, chains, caps and bounded memory.  Most rules are built by hand in
 * rule arenas (so the engine is tested independently of the YAML loader); the spec's
 * eight example files (and its complete brute-force example) are loaded with
 * ww_sigma_load_buffer and run end to end through the detection engine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "detect/ww_corr_int.h"

#define S (1000000000LL) /* one second in ns */

/* ---- hand-made rulesets ---------------------------------------------------------- */

typedef struct fx {
    ww_sigma_rule_t r[16];
    const ww_sigma_rule_t *p[16];
    uint32_t n;
} fx_t;

static fx_t *fx_new(void)
{
    fx_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    return f;
}

static void fx_free(fx_t *f)
{
    for (uint32_t i = 0; i < f->n; i++)
        ww_arena_release(&f->r[i].arena);
    free(f);
}

static ww_sigma_rule_t *fx_rule(fx_t *f, const char *name)
{
    assert_true(f->n < 16);
    ww_sigma_rule_t *r = &f->r[f->n];
    ww_arena_init(&r->arena, 4096, 0);
    r->name = ww_arena_strdup(&r->arena, name);
    r->title = r->name;
    r->index = f->n;
    r->alert = true;
    f->p[f->n] = r;
    f->n++;
    return r;
}

static ww_sigma_rule_t *fx_find(fx_t *f, const char *name)
{
    for (uint32_t i = 0; i < f->n; i++)
        if (strcmp(f->r[i].name, name) == 0)
            return &f->r[i];
    fail_msg("no rule %s", name);
    return NULL;
}

/* Splits a space-separated list into an arena array. */
static char **split(ww_arena_t *a, const char *list, uint32_t *n)
{
    *n = 0;
    char **v = ww_arena_calloc(a, 16 * sizeof *v);
    const char *p = list;
    while (p && *p) {
        while (*p == ' ')
            p++;
        const char *e = p;
        while (*e && *e != ' ')
            e++;
        if (e > p)
            v[(*n)++] = ww_arena_strndup(a, p, (size_t)(e - p));
        p = e;
    }
    return v;
}

/* A correlation rule: rules and group-by are space-separated lists; conditions are
 * given as op/value pairs (op < 0 ends the list). */
static ww_sigma_rule_t *fx_corr(fx_t *f, const char *name, int type, const char *rules,
                                const char *groupby, int64_t span_s, const char *field, int op1,
                                double v1, int op2, double v2)
{
    ww_sigma_rule_t *r = fx_rule(f, name);
    ww_sigma_corr_t *k = ww_arena_calloc(&r->arena, sizeof *k);
    r->corr = k;
    k->type = (uint8_t)type;
    k->rule_refs = split(&r->arena, rules, &k->nrules);
    k->rules = ww_arena_calloc(&r->arena, 16 * sizeof *k->rules);
    for (uint32_t i = 0; i < k->nrules; i++)
        k->rules[i] = fx_find(f, k->rule_refs[i]);
    k->group_by = split(&r->arena, groupby, &k->ngroup);
    k->timespan_ns = span_s * S;
    k->field = field ? ww_arena_strdup(&r->arena, field) : NULL;
    k->percentile = -1;
    if (op1 >= 0) {
        k->cond[k->ncond].op = (uint8_t)op1;
        k->cond[k->ncond++].value = v1;
    }
    if (op2 >= 0) {
        k->cond[k->ncond].op = (uint8_t)op2;
        k->cond[k->ncond++].value = v2;
    }
    return r;
}

static void fx_alias(ww_sigma_rule_t *cr, const char *alias, const char *rule, const char *field,
                     fx_t *f)
{
    ww_sigma_corr_t *k = cr->corr;
    if (!k->aliases)
        k->aliases = ww_arena_calloc(&cr->arena, 8 * sizeof *k->aliases);
    ww_sigma_alias_t *a = NULL;
    for (uint32_t i = 0; i < k->naliases; i++)
        if (strcmp(k->aliases[i].name, alias) == 0)
            a = &k->aliases[i];
    if (!a) {
        a = &k->aliases[k->naliases++];
        a->name = ww_arena_strdup(&cr->arena, alias);
        a->maps = ww_arena_calloc(&cr->arena, 8 * sizeof *a->maps);
    }
    ww_sigma_alias_map_t *m = &a->maps[a->nmaps++];
    m->rule_ref = ww_arena_strdup(&cr->arena, rule);
    m->rule = fx_find(f, rule);
    m->field = ww_arena_strdup(&cr->arena, field);
}

static ww_corr_t *fx_engine(fx_t *f, uint32_t max_groups, uint32_t max_events)
{
    ww_corr_limits_t lim = {max_groups, max_events};
    ww_corr_t *c = NULL;
    assert_int_equal(ww__corr_new_rules(f->p, f->n, &lim, &c), 0);
    assert_non_null(c);
    return c;
}

/* ---- events and alerts ----------------------------------------------------------- */

/* Sets ev to the fields given as name, value pairs (NULL-terminated), at ts_s seconds
 * (or WW_TIME_NONE when ts_s == -1). */
static void mkev(ww_event_t *ev, int64_t ts_s, ...)
{
    ww_event_reset(ev);
    ev->ts = ts_s == -1 ? WW_TIME_NONE : ts_s * S;
    va_list ap;
    va_start(ap, ts_s);
    for (;;) {
        const char *n = va_arg(ap, const char *);
        if (!n)
            break;
        const char *v = va_arg(ap, const char *);
        assert_int_equal(ww_event_add_copy(ev, WW_STRZ(n), WW_STRZ(v), WW_F_STR), 0);
    }
    va_end(ap);
}

#define MAXA 64
typedef struct col {
    int n;
    const ww_sigma_rule_t *rule[MAXA];
    char group[MAXA][256]; /* values joined with ',' */
    double value[MAXA];
    uint32_t nrefs[MAXA];
    uint64_t refs[MAXA][8];
    int64_t first[MAXA], last[MAXA];
} col_t;

static void collect(void *ud, const ww_corr_alert_t *a)
{
    col_t *c = ud;
    if (c->n >= MAXA)
        return;
    int i = c->n++;
    c->rule[i] = a->rule;
    size_t o = 0;
    for (uint32_t j = 0; j < a->ngroup; j++)
        o += (size_t)snprintf(c->group[i] + o, sizeof c->group[i] - o, "%s%.*s", j ? "," : "",
                              (int)a->group_values[j].n, a->group_values[j].p);
    c->value[i] = a->value;
    c->nrefs[i] = a->nrefs;
    for (uint32_t j = 0; j < a->nrefs && j < 8; j++)
        c->refs[i][j] = a->refs[j];
    c->first[i] = a->first_ts;
    c->last[i] = a->last_ts;
}

static uint64_t g_ref;

static void feed(ww_corr_t *c, const ww_sigma_rule_t *r, ww_event_t *ev, col_t *col)
{
    assert_true(ww_corr_wants(c, r));
    assert_int_equal(ww_corr_feed(c, r, ev, ++g_ref, collect, col), 0);
}

static ww_corr_stats_t stats(const ww_corr_t *c)
{
    ww_corr_stats_t s;
    ww_corr_get_stats(c, &s);
    return s;
}

/* ---- event_count ----------------------------------------------------------------- */

static void test_event_count_fires_and_rearms(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ww_sigma_rule_t *fail = fx_rule(f, "failed_login");
    fx_corr(f, "many", WW_CORR_EVENT_COUNT, "failed_login", "User", 60, NULL, WW_CMP_GTE, 3, -1, 0);
    ww_corr_t *c = fx_engine(f, 0, 0);
    assert_false(ww_corr_wants(c, fx_find(f, "many")));
    ww_event_t ev;
    ww_event_init(&ev);
    col_t col = {0};
    g_ref = 0;

    mkev(&ev, 100, "User", "bob", NULL);
    feed(c, fail, &ev, &col);
    mkev(&ev, 101, "User", "alice", NULL);
    feed(c, fail, &ev, &col);
    mkev(&ev, 102, "User", "bob", NULL);
    feed(c, fail, &ev, &col);
    assert_int_equal(col.n, 0); /* bob 2, alice 1: below gte 3 */
    mkev(&ev, 103, "User", "bob", NULL);
    feed(c, fail, &ev, &col);
    assert_int_equal(col.n, 1);
    assert_string_equal(col.group[0], "bob");
    assert_true(col.value[0] == 3);
    assert_int_equal(col.nrefs[0], 3);
    assert_int_equal(col.refs[0][0], 1); /* oldest first */
    assert_int_equal(col.refs[0][1], 3);
    assert_int_equal(col.refs[0][2], 4);
    assert_true(col.first[0] == 100 * S && col.last[0] == 103 * S);

    /* re-armed: two more do not fire, the third does */
    mkev(&ev, 104, "User", "bob", NULL);
    feed(c, fail, &ev, &col);
    mkev(&ev, 105, "User", "bob", NULL);
    feed(c, fail, &ev, &col);
    assert_int_equal(col.n, 1);
    mkev(&ev, 106, "User", "bob", NULL);
    feed(c, fail, &ev, &col);
    assert_int_equal(col.n, 2);
    assert_int_equal(col.nrefs[1], 3);
    assert_int_equal(col.refs[1][0], 5);
    assert_int_equal(stats(c).alerts, 2);
    assert_int_equal(stats(c).groups_open, 2);

    assert_int_equal(ww_corr_flush(c, collect, &col), 0);
    assert_int_equal(col.n, 2); /* gte is decided per event: nothing at flush */
    assert_int_equal(stats(c).groups_open, 0);
    ww_event_release(&ev);
    ww_corr_free(c);
    fx_free(f);
}

static void test_window_boundary(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ww_sigma_rule_t *b = fx_rule(f, "b");
    fx_corr(f, "two", WW_CORR_EVENT_COUNT, "b", "Host", 10, NULL, WW_CMP_GTE, 2, -1, 0);
    ww_corr_t *c = fx_engine(f, 0, 0);
    ww_event_t ev;
    ww_event_init(&ev);
    col_t col = {0};

    /* exactly timespan apart: the same window */
    mkev(&ev, 0, "Host", "h1", NULL);
    feed(c, b, &ev, &col);
    mkev(&ev, 10, "Host", "h1", NULL);
    feed(c, b, &ev, &col);
    assert_int_equal(col.n, 1);

    /* one nanosecond more: not */
    mkev(&ev, 100, "Host", "h2", NULL);
    feed(c, b, &ev, &col);
    mkev(&ev, 0, "Host", "h2", NULL);
    ev.ts = 110 * S + 1;
    feed(c, b, &ev, &col);
    assert_int_equal(col.n, 1);
    /* but the second one still counts with a third inside its own window */
    mkev(&ev, 111, "Host", "h2", NULL);
    feed(c, b, &ev, &col);
    assert_int_equal(col.n, 2);
    assert_string_equal(col.group[1], "h2");
    assert_int_equal(col.nrefs[1], 2);
    ww_event_release(&ev);
    ww_corr_free(c);
    fx_free(f);
}

static void test_out_of_order_and_late(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ww_sigma_rule_t *b = fx_rule(f, "b");
    fx_corr(f, "three", WW_CORR_EVENT_COUNT, "b", "Host", 60, NULL, WW_CMP_GTE, 3, -1, 0);
    ww_corr_t *c = fx_engine(f, 0, 0);
    ww_event_t ev;
    ww_event_init(&ev);
    col_t col = {0};
    g_ref = 0;

    mkev(&ev, 1000, "Host", "h", NULL);
    feed(c, b, &ev, &col);
    mkev(&ev, 930, "Host", "h", NULL); /* 70 s older than the newest: late */
    feed(c, b, &ev, &col);
    assert_int_equal(stats(c).late_events, 1);
    mkev(&ev, 950, "Host", "h", NULL); /* older but inside the window: counts */
    feed(c, b, &ev, &col);
    assert_int_equal(col.n, 0);
    mkev(&ev, 990, "Host", "h", NULL);
    feed(c, b, &ev, &col);
    assert_int_equal(col.n, 1);
    assert_true(col.value[0] == 3);
    /* refs are in event-time order, not arrival order */
    assert_int_equal(col.refs[0][0], 3);
    assert_int_equal(col.refs[0][1], 4);
    assert_int_equal(col.refs[0][2], 1);
    assert_true(col.first[0] == 950 * S && col.last[0] == 1000 * S);

    /* after the alert, events older than the one that fired belong to the burst
       already reported: late */
    mkev(&ev, 995, "Host", "h", NULL);
    feed(c, b, &ev, &col);
    assert_int_equal(stats(c).late_events, 2);
    ww_event_release(&ev);
    ww_corr_free(c);
    fx_free(f);
}

static void test_time_none_uses_previous(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ww_sigma_rule_t *b = fx_rule(f, "b");
    fx_corr(f, "two", WW_CORR_EVENT_COUNT, "b", "", 10, NULL, WW_CMP_GTE, 2, -1, 0);
    ww_corr_t *c = fx_engine(f, 0, 0);
    ww_event_t ev;
    ww_event_init(&ev);
    col_t col = {0};
    mkev(&ev, 500, NULL);
    feed(c, b, &ev, &col);
    mkev(&ev, -1, NULL); /* no time: taken as 500 s */
    feed(c, b, &ev, &col);
    assert_int_equal(col.n, 1);
    assert_true(col.last[0] == 500 * S);
    assert_int_equal(col.group[0][0], 0); /* no group-by: one group, no values */
    ww_event_release(&ev);
    ww_corr_free(c);
    fx_free(f);
}

/* ---- value_count ----------------------------------------------------------------- */

static void test_value_count(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ww_sigma_rule_t *b = fx_rule(f, "fail");
    fx_corr(f, "spray", WW_CORR_VALUE_COUNT, "fail", "Computer", 60, "User", WW_CMP_GTE, 3, -1, 0);
    ww_corr_t *c = fx_engine(f, 0, 0);
    ww_event_t ev;
    ww_event_init(&ev);
    col_t col = {0};
    const char *users[] = {"a", "b", "a", "b", "a"};
    for (int i = 0; i < 5; i++) {
        mkev(&ev, 10 + i, "Computer", "pc", "User", users[i], NULL);
        feed(c, b, &ev, &col);
    }
    mkev(&ev, 16, "Computer", "pc", NULL); /* no User: ignored */
    feed(c, b, &ev, &col);
    assert_int_equal(col.n, 0);
    /* a third value, but "a" and "b" from t=10,11 are out of the window at 75 */
    mkev(&ev, 75, "Computer", "pc", "User", "c", NULL);
    feed(c, b, &ev, &col);
    assert_int_equal(col.n, 0);
    mkev(&ev, 76, "Computer", "pc", "User", "d", NULL);
    feed(c, b, &ev, &col);
    assert_int_equal(col.n, 0); /* c, d: a (14) and b (13) left the window at 75 */
    mkev(&ev, 77, "Computer", "pc", "User", "e", NULL);
    feed(c, b, &ev, &col);
    assert_int_equal(col.n, 1);
    assert_true(col.value[0] == 3);
    assert_string_equal(col.group[0], "pc");
    /* values are compared exactly (case-sensitive) */
    mkev(&ev, 80, "Computer", "pc2", "User", "x", NULL);
    feed(c, b, &ev, &col);
    mkev(&ev, 81, "Computer", "pc2", "User", "X", NULL);
    feed(c, b, &ev, &col);
    mkev(&ev, 82, "Computer", "pc2", "User", "x", NULL);
    feed(c, b, &ev, &col);
    assert_int_equal(col.n, 1);
    mkev(&ev, 83, "Computer", "pc2", "User", "y", NULL);
    feed(c, b, &ev, &col);
    assert_int_equal(col.n, 2);
    ww_event_release(&ev);
    ww_corr_free(c);
    fx_free(f);
}

/* ---- temporal -------------------------------------------------------------------- */

static void test_temporal(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ww_sigma_rule_t *a = fx_rule(f, "recon_a"), *b = fx_rule(f, "recon_b"),
                    *cc = fx_rule(f, "recon_c");
    fx_corr(f, "recon", WW_CORR_TEMPORAL, "recon_a recon_b recon_c", "ComputerName User", 300, NULL,
            -1, 0, -1, 0);
    ww_corr_t *c = fx_engine(f, 0, 0);
    ww_event_t ev;
    ww_event_init(&ev);
    col_t col = {0};
    /* c, a, b in any order on one host by one user */
    mkev(&ev, 0, "ComputerName", "pc", "User", "bob", NULL);
    feed(c, cc, &ev, &col);
    mkev(&ev, 100, "ComputerName", "pc", "User", "bob", NULL);
    feed(c, a, &ev, &col);
    mkev(&ev, 150, "ComputerName", "pc", "User", "eve", NULL); /* other user */
    feed(c, b, &ev, &col);
    assert_int_equal(col.n, 0);
    mkev(&ev, 200, "ComputerName", "pc", "User", "bob", NULL);
    feed(c, b, &ev, &col);
    assert_int_equal(col.n, 1);
    assert_string_equal(col.group[0], "pc,bob");
    assert_true(col.value[0] == 3);
    assert_int_equal(col.nrefs[0], 3);

    /* too far apart: a at 1000, b at 1100, c at 1400 (a left the window) */
    mkev(&ev, 1000, "ComputerName", "pc", "User", "bob", NULL);
    feed(c, a, &ev, &col);
    mkev(&ev, 1100, "ComputerName", "pc", "User", "bob", NULL);
    feed(c, b, &ev, &col);
    mkev(&ev, 1301, "ComputerName", "pc", "User", "bob", NULL);
    feed(c, cc, &ev, &col);
    assert_int_equal(col.n, 1);
    /* a again inside the window of b and c */
    mkev(&ev, 1302, "ComputerName", "pc", "User", "bob", NULL);
    feed(c, a, &ev, &col);
    assert_int_equal(col.n, 2);
    ww_event_release(&ev);
    ww_corr_free(c);
    fx_free(f);
}

static void test_temporal_ordered(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ww_sigma_rule_t *a = fx_rule(f, "a"), *b = fx_rule(f, "b"), *cc = fx_rule(f, "c");
    fx_corr(f, "ord", WW_CORR_TEMPORAL_ORDERED, "a b c", "User", 300, NULL, -1, 0, -1, 0);
    ww_corr_t *c = fx_engine(f, 0, 0);
    ww_event_t ev;
    ww_event_init(&ev);
    col_t col = {0};
    /* wrong order: c b a */
    mkev(&ev, 0, "User", "u1", NULL);
    feed(c, cc, &ev, &col);
    mkev(&ev, 1, "User", "u1", NULL);
    feed(c, b, &ev, &col);
    mkev(&ev, 2, "User", "u1", NULL);
    feed(c, a, &ev, &col);
    assert_int_equal(col.n, 0);
    /* b, c after a: now a(2) b(3) c(4) in order */
    mkev(&ev, 3, "User", "u1", NULL);
    feed(c, b, &ev, &col);
    assert_int_equal(col.n, 0);
    mkev(&ev, 4, "User", "u1", NULL);
    feed(c, cc, &ev, &col);
    assert_int_equal(col.n, 1);
    assert_true(col.value[0] == 3);
    /* order is event time, not arrival: a(12) arrives after b(13) and c(14) */
    mkev(&ev, 13, "User", "u2", NULL);
    feed(c, b, &ev, &col);
    mkev(&ev, 14, "User", "u2", NULL);
    feed(c, cc, &ev, &col);
    mkev(&ev, 12, "User", "u2", NULL);
    feed(c, a, &ev, &col);
    assert_int_equal(col.n, 2);
    assert_string_equal(col.group[1], "u2");
    ww_event_release(&ev);
    ww_corr_free(c);
    fx_free(f);
}

/* ---- value_sum, value_avg, value_percentile --------------------------------------- */

static void test_value_sum(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ww_sigma_rule_t *w = fx_rule(f, "website_access");
    fx_corr(f, "exfil", WW_CORR_VALUE_SUM, "website_access", "SourceIP User", 3600, "bytes_sent",
            WW_CMP_GT, 1000000, -1, 0);
    ww_corr_t *c = fx_engine(f, 0, 0);
    ww_event_t ev;
    ww_event_init(&ev);
    col_t col = {0};
    mkev(&ev, 0, "SourceIP", "10.0.0.1", "User", "bob", "bytes_sent", "600000", NULL);
    feed(c, w, &ev, &col);
    mkev(&ev, 10, "SourceIP", "10.0.0.1", "User", "bob", "bytes_sent", "garbage", NULL);
    feed(c, w, &ev, &col);
    mkev(&ev, 20, "SourceIP", "10.0.0.1", "User", "bob", "bytes_sent", "400000", NULL);
    feed(c, w, &ev, &col);
    assert_int_equal(col.n, 0); /* exactly 1000000 is not > 1000000 */
    mkev(&ev, 30, "SourceIP", "10.0.0.1", "User", "bob", NULL);
    assert_int_equal(ww_event_add_copy(&ev, WW_STR("bytes_sent"), WW_STR("1"), WW_F_INT), 0);
    feed(c, w, &ev, &col);
    assert_int_equal(col.n, 1);
    assert_true(col.value[0] == 1000001);
    assert_int_equal(col.nrefs[0], 3); /* the unparsable value was not used */
    /* sliding: the first 600000 leaves the window */
    mkev(&ev, 3700, "SourceIP", "10.0.0.2", "User", "x", "bytes_sent", "999999", NULL);
    feed(c, w, &ev, &col);
    mkev(&ev, 7301, "SourceIP", "10.0.0.2", "User", "x", "bytes_sent", "2", NULL);
    feed(c, w, &ev, &col);
    assert_int_equal(col.n, 1);
    ww_event_release(&ev);
    ww_corr_free(c);
    fx_free(f);
}

static void test_value_avg_decided_at_close(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ww_sigma_rule_t *r = fx_rule(f, "rule_a_id");
    fx_corr(f, "avg", WW_CORR_VALUE_AVG, "rule_a_id", "SourceIP User", 86400, "BytesOut", WW_CMP_GT,
            500, -1, 0);
    ww_corr_t *c = fx_engine(f, 0, 0);
    ww_event_t ev;
    ww_event_init(&ev);
    col_t col = {0};
    /* group A: 1000, 100 -> avg 550 > 500; group B: 900, 10, 20 -> 310 */
    mkev(&ev, 0, "SourceIP", "1.1.1.1", "User", "a", "BytesOut", "1000", NULL);
    feed(c, r, &ev, &col);
    mkev(&ev, 1, "SourceIP", "2.2.2.2", "User", "b", "BytesOut", "900", NULL);
    feed(c, r, &ev, &col);
    assert_int_equal(col.n, 0); /* a single event's average does not decide */
    mkev(&ev, 2, "SourceIP", "1.1.1.1", "User", "a", "BytesOut", "100", NULL);
    feed(c, r, &ev, &col);
    mkev(&ev, 3, "SourceIP", "2.2.2.2", "User", "b", "BytesOut", "10", NULL);
    feed(c, r, &ev, &col);
    mkev(&ev, 4, "SourceIP", "2.2.2.2", "User", "b", "BytesOut", "20", NULL);
    feed(c, r, &ev, &col);
    assert_int_equal(col.n, 0);
    /* time moves past group A's window (0 + 86400): it is decided */
    mkev(&ev, 86401, "SourceIP", "3.3.3.3", "User", "c", "BytesOut", "1", NULL);
    feed(c, r, &ev, &col);
    assert_int_equal(col.n, 1);
    assert_string_equal(col.group[0], "1.1.1.1,a");
    assert_true(col.value[0] == 550);
    assert_int_equal(col.nrefs[0], 2);
    assert_int_equal(stats(c).groups_open, 2); /* B (window ends 86401) and C */
    assert_int_equal(ww_corr_flush(c, collect, &col), 0);
    assert_int_equal(col.n, 1);
    ww_event_release(&ev);
    ww_corr_free(c);
    fx_free(f);
}

static void test_value_percentile_share(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ww_sigma_rule_t *p = fx_rule(f, "process_creation");
    fx_corr(f, "rare", WW_CORR_VALUE_PERCENTILE, "process_creation", "ComputerName", 86400, "Image",
            WW_CMP_LTE, 1, -1, 0);
    ww_corr_t *c = fx_engine(f, 0, 0);
    ww_event_t ev;
    ww_event_init(&ev);
    col_t col = {0};
    char img[32];
    for (int i = 0; i < 150; i++) {
        snprintf(img, sizeof img, "C:\\common%d.exe", i % 3);
        mkev(&ev, i, "ComputerName", "pc", "Image", img, NULL);
        feed(c, p, &ev, &col);
    }
    assert_int_equal(col.n, 0); /* each common image is a third of the processes */
    mkev(&ev, 200, "ComputerName", "pc", "Image", "C:\\evil.exe", NULL);
    feed(c, p, &ev, &col);
    assert_int_equal(col.n, 1);
    assert_true(col.value[0] > 0.6 && col.value[0] < 0.7); /* 1 of 151 */
    /* no re-arm in share mode: the baseline stays, a second rare one fires too */
    mkev(&ev, 201, "ComputerName", "pc", "Image", "C:\\evil2.exe", NULL);
    feed(c, p, &ev, &col);
    assert_int_equal(col.n, 2);
    /* a fresh computer: its first process is 100% of its processes */
    mkev(&ev, 202, "ComputerName", "pc2", "Image", "C:\\evil.exe", NULL);
    feed(c, p, &ev, &col);
    assert_int_equal(col.n, 2);
    ww_event_release(&ev);
    ww_corr_free(c);
    fx_free(f);
}

static void test_value_percentile_numeric(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ww_sigma_rule_t *r = fx_rule(f, "conn");
    ww_sigma_rule_t *cr = fx_corr(f, "p90", WW_CORR_VALUE_PERCENTILE, "conn", "Host", 60, "Bytes",
                                  WW_CMP_GTE, 90, -1, 0);
    cr->corr->percentile = 90;
    ww_corr_t *c = fx_engine(f, 0, 0);
    ww_event_t ev;
    ww_event_init(&ev);
    col_t col = {0};
    char v[16];
    for (int i = 1; i <= 11; i++) { /* 0..100 step 10: the 90th percentile is 90 */
        snprintf(v, sizeof v, "%d", (i - 1) * 10);
        mkev(&ev, i, "Host", "h", "Bytes", v, NULL);
        feed(c, r, &ev, &col);
    }
    for (int i = 1; i <= 11; i++) { /* 0..50 step 5: 45 */
        snprintf(v, sizeof v, "%d", (i - 1) * 5);
        mkev(&ev, i, "Host", "g", "Bytes", v, NULL);
        feed(c, r, &ev, &col);
    }
    assert_int_equal(col.n, 0);
    assert_int_equal(ww_corr_flush(c, collect, &col), 0);
    assert_int_equal(col.n, 1);
    assert_string_equal(col.group[0], "h");
    assert_true(col.value[0] > 89.999 && col.value[0] < 90.001);
    ww_event_release(&ev);
    ww_corr_free(c);
    fx_free(f);
}

/* ---- close-decided conditions ---------------------------------------------------- */

static void test_lt_decided_at_close(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ww_sigma_rule_t *b = fx_rule(f, "heartbeat");
    fx_corr(f, "quiet", WW_CORR_EVENT_COUNT, "heartbeat", "Host", 60, NULL, WW_CMP_LT, 3, -1, 0);
    fx_corr(f, "range", WW_CORR_EVENT_COUNT, "heartbeat", "Host", 60, NULL, WW_CMP_GT, 1,
            WW_CMP_LTE, 3);
    ww_corr_t *c = fx_engine(f, 0, 0);
    ww_event_t ev;
    ww_event_init(&ev);
    col_t col = {0};
    const ww_sigma_rule_t *quiet = fx_find(f, "quiet"), *range = fx_find(f, "range");
    /* h1: 2 events, h2: 4 events, h3: 3 events, all in [0, 60] */
    const char *hosts[] = {"h1", "h2", "h2", "h1", "h2", "h3", "h2", "h3", "h3"};
    for (int i = 0; i < 9; i++) {
        mkev(&ev, i, "Host", hosts[i], NULL);
        feed(c, b, &ev, &col);
    }
    assert_int_equal(col.n, 0); /* nothing can be decided before the window closes */
    /* time passes the windows of h1 and h2 (they started at 0 and 1; end 60, 61) */
    mkev(&ev, 61, "Host", "h9", NULL);
    feed(c, b, &ev, &col);
    assert_int_equal(col.n, 2); /* h1 (2 events): lt 3, and 1 < 2 <= 3 */
    assert_ptr_equal(col.rule[0], quiet);
    assert_string_equal(col.group[0], "h1");
    assert_true(col.value[0] == 2);
    assert_ptr_equal(col.rule[1], range);
    assert_string_equal(col.group[1], "h1");
    /* h2's window (1 .. 61) closes: 4 events, neither */
    mkev(&ev, 62, "Host", "h9", NULL);
    feed(c, b, &ev, &col);
    assert_int_equal(col.n, 2);
    int nrange = 0, nquiet = 0;
    for (int i = 0; i < col.n; i++) {
        nrange += col.rule[i] == range;
        nquiet += col.rule[i] == quiet;
    }
    assert_int_equal(nquiet, 1);
    assert_int_equal(nrange, 1); /* h1 yes (2); h2 no (4) */
    /* flush decides h3 (3 events: range yes, quiet no) and h9 (2 events: both) */
    assert_int_equal(ww_corr_flush(c, collect, &col), 0);
    nrange = nquiet = 0;
    for (int i = 0; i < col.n; i++) {
        nrange += col.rule[i] == range;
        nquiet += col.rule[i] == quiet;
    }
    assert_int_equal(nquiet, 2);
    assert_int_equal(nrange, 3);
    ww_event_release(&ev);
    ww_corr_free(c);
    fx_free(f);
}

/* ---- group keys and aliases ------------------------------------------------------ */

static void test_group_keys(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ww_sigma_rule_t *b = fx_rule(f, "b");
    fx_corr(f, "pair", WW_CORR_EVENT_COUNT, "b", "A B", 60, NULL, WW_CMP_GTE, 2, -1, 0);
    ww_corr_t *c = fx_engine(f, 0, 0);
    ww_event_t ev;
    ww_event_init(&ev);
    col_t col = {0};
    /* ("a|b","c") and ("a","b|c") must not share a group, nor ("ab","") and ("a","b") */
    mkev(&ev, 1, "A", "a|b", "B", "c", NULL);
    feed(c, b, &ev, &col);
    mkev(&ev, 2, "A", "a", "B", "b|c", NULL);
    feed(c, b, &ev, &col);
    mkev(&ev, 3, "A", "ab", "B", "", NULL);
    feed(c, b, &ev, &col);
    mkev(&ev, 4, "A", "a", "B", "b", NULL);
    feed(c, b, &ev, &col);
    assert_int_equal(col.n, 0);
    assert_int_equal(stats(c).groups_open, 4);
    /* a missing field is the empty value: ("ab", missing) joins ("ab", "") */
    mkev(&ev, 5, "a", "ab", NULL); /* field names are case-insensitive */
    feed(c, b, &ev, &col);
    assert_int_equal(col.n, 1);
    assert_string_equal(col.group[0], "ab,");
    /* (missing, missing) */
    mkev(&ev, 6, "Other", "x", NULL);
    feed(c, b, &ev, &col);
    mkev(&ev, 7, NULL);
    feed(c, b, &ev, &col);
    assert_int_equal(col.n, 2);
    assert_string_equal(col.group[1], ",");
    ww_event_release(&ev);
    ww_corr_free(c);
    fx_free(f);
}

static void test_aliases(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ww_sigma_rule_t *ie = fx_rule(f, "internal_error"), *nc = fx_rule(f, "new_network_connection");
    ww_sigma_rule_t *cr =
        fx_corr(f, "joined", WW_CORR_TEMPORAL, "internal_error new_network_connection",
                "internal_ip remote_ip", 10, NULL, -1, 0, -1, 0);
    fx_alias(cr, "internal_ip", "internal_error", "destination.ip", f);
    fx_alias(cr, "internal_ip", "new_network_connection", "source.ip", f);
    fx_alias(cr, "remote_ip", "internal_error", "source.ip", f);
    fx_alias(cr, "remote_ip", "new_network_connection", "destination.ip", f);
    ww_corr_t *c = fx_engine(f, 0, 0);
    ww_event_t ev;
    ww_event_init(&ev);
    col_t col = {0};
    mkev(&ev, 100, "source.ip", "203.0.113.5", "destination.ip", "10.1.1.1",
         "http.response.status_code", "500", NULL);
    feed(c, ie, &ev, &col);
    /* same addresses the same way round: no join */
    mkev(&ev, 101, "source.ip", "203.0.113.5", "destination.ip", "10.1.1.1", NULL);
    feed(c, nc, &ev, &col);
    assert_int_equal(col.n, 0);
    /* swapped, as the aliases say */
    mkev(&ev, 102, "source.ip", "10.1.1.1", "destination.ip", "203.0.113.5", NULL);
    feed(c, nc, &ev, &col);
    assert_int_equal(col.n, 1);
    assert_string_equal(col.group[0], "10.1.1.1,203.0.113.5");
    ww_event_release(&ev);
    ww_corr_free(c);
    fx_free(f);
}

/* ---- chains and non-alerting rules ----------------------------------------------- */

static void test_chain_failed_then_success(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ww_sigma_rule_t *fl = fx_rule(f, "failed_login"), *ok = fx_rule(f, "successful_login");
    fl->alert = ok->alert = false; /* generate: false, set by the loader */
    ww_sigma_rule_t *many = fx_corr(f, "multiple_failed_login", WW_CORR_EVENT_COUNT, "failed_login",
                                    "User", 600, NULL, WW_CMP_GTE, 10, -1, 0);
    many->alert = false;
    fx_corr(f, "brute", WW_CORR_TEMPORAL_ORDERED, "multiple_failed_login successful_login", "User",
            600, NULL, -1, 0, -1, 0);
    ww_corr_t *c = fx_engine(f, 0, 0);
    const ww_sigma_rule_t *brute = fx_find(f, "brute");
    ww_event_t ev;
    ww_event_init(&ev);
    col_t col = {0};
    g_ref = 0;
    /* success before the failures does not count */
    mkev(&ev, 0, "User", "admin", "EventID", "4624", NULL);
    feed(c, ok, &ev, &col);
    for (int i = 1; i <= 10; i++) {
        mkev(&ev, i * 10, "User", "admin", "EventID", "4625", "Computer", "pc1", NULL);
        feed(c, fl, &ev, &col);
    }
    assert_int_equal(col.n, 1); /* the inner event_count */
    assert_ptr_equal(col.rule[0], many);
    mkev(&ev, 200, "User", "other", "EventID", "4624", NULL);
    feed(c, ok, &ev, &col);
    assert_int_equal(col.n, 1);
    mkev(&ev, 210, "User", "admin", "EventID", "4624", NULL);
    feed(c, ok, &ev, &col);
    assert_int_equal(col.n, 2);
    assert_ptr_equal(col.rule[1], brute);
    assert_string_equal(col.group[1], "admin");
    assert_int_equal(col.nrefs[1], 2);
    assert_int_equal(col.refs[1][0], 11); /* the failure that completed the inner one */
    assert_int_equal(col.refs[1][1], 13);
    assert_true(col.first[1] == 100 * S && col.last[1] == 210 * S);
    ww_event_release(&ev);
    ww_corr_free(c);
    fx_free(f);
}

static void test_cycle_ignored(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    fx_rule(f, "base");
    ww_sigma_rule_t *x =
        fx_corr(f, "x", WW_CORR_EVENT_COUNT, "base", "", 60, NULL, WW_CMP_GTE, 1, -1, 0);
    ww_sigma_rule_t *y =
        fx_corr(f, "y", WW_CORR_EVENT_COUNT, "x", "", 60, NULL, WW_CMP_GTE, 1, -1, 0);
    /* x references base and y: a cycle x -> y -> x */
    x->corr->rules[1] = y;
    x->corr->nrules = 2;
    ww_corr_t *c = fx_engine(f, 0, 0);
    ww_event_t ev;
    ww_event_init(&ev);
    col_t col = {0};
    mkev(&ev, 1, NULL);
    assert_false(ww_corr_wants(c, fx_find(f, "base")));
    assert_int_equal(ww_corr_feed(c, fx_find(f, "base"), &ev, 1, collect, &col), 0);
    assert_int_equal(col.n, 0);
    ww_event_release(&ev);
    ww_corr_free(c);
    fx_free(f);
}

static void test_two_rules_one_event(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ww_sigma_rule_t *a = fx_rule(f, "a"), *b = fx_rule(f, "b");
    fx_corr(f, "either", WW_CORR_EVENT_COUNT, "a b", "", 60, NULL, WW_CMP_GTE, 2, -1, 0);
    ww_corr_t *c = fx_engine(f, 0, 0);
    ww_event_t ev;
    ww_event_init(&ev);
    col_t col = {0};
    mkev(&ev, 1, NULL);
    /* one event matched by both referenced rules counts once */
    assert_int_equal(ww_corr_feed(c, a, &ev, 7, collect, &col), 0);
    assert_int_equal(ww_corr_feed(c, b, &ev, 7, collect, &col), 0);
    assert_int_equal(col.n, 0);
    mkev(&ev, 2, NULL);
    assert_int_equal(ww_corr_feed(c, b, &ev, 8, collect, &col), 0);
    assert_int_equal(col.n, 1);
    ww_event_release(&ev);
    ww_corr_free(c);
    fx_free(f);
}

/* ---- caps ------------------------------------------------------------------------ */

static void test_caps(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ww_sigma_rule_t *b = fx_rule(f, "b");
    fx_corr(f, "cnt", WW_CORR_EVENT_COUNT, "b", "Host", 3600, NULL, WW_CMP_GTE, 8, -1, 0);
    fx_corr(f, "vc", WW_CORR_VALUE_COUNT, "b", "Host", 3600, "User", WW_CMP_GTE, 100, -1, 0);
    ww_corr_t *c = fx_engine(f, 2, 3);
    ww_event_t ev;
    ww_event_init(&ev);
    col_t col = {0};
    g_ref = 0;
    /* max_groups 2: a third host evicts the least recently updated (h1) */
    mkev(&ev, 1, "Host", "h1", "User", "u", NULL);
    feed(c, b, &ev, &col);
    mkev(&ev, 2, "Host", "h2", "User", "u", NULL);
    feed(c, b, &ev, &col);
    mkev(&ev, 3, "Host", "h1", "User", "u", NULL);
    feed(c, b, &ev, &col);
    mkev(&ev, 4, "Host", "h3", "User", "u", NULL);
    feed(c, b, &ev, &col);
    ww_corr_stats_t st = stats(c);
    assert_int_equal(st.groups_evicted, 2); /* h2, once per correlation */
    assert_int_equal(st.groups_open, 4);
    /* h1 kept its 2 events; 6 more make 8: counts stay exact past the 3 kept refs */
    char u[8];
    for (int i = 0; i < 6; i++) {
        snprintf(u, sizeof u, "u%d", i);
        mkev(&ev, 10 + i, "Host", "h1", "User", u, NULL);
        feed(c, b, &ev, &col);
    }
    assert_int_equal(col.n, 1);
    assert_true(col.value[0] == 8);
    assert_int_equal(col.nrefs[0], 3);
    assert_int_equal(col.refs[0][0], 8); /* the newest three, oldest first */
    assert_int_equal(col.refs[0][2], 10);
    assert_true(col.first[0] == 1 * S);
    st = stats(c);
    /* 5 of h1's 8 events not kept, in each of the two correlations */
    assert_int_equal(st.events_dropped, 10);
    /* vc: h1 holds u, u0, u1 (cap 3): u2..u5 were not tracked */
    assert_int_equal(st.values_dropped, 4);
    ww_event_release(&ev);
    ww_corr_free(c);
    fx_free(f);
}

/* ---- stream mode: watermark and lateness ------------------------------------------ */

static int64_t g_wall; /* the wall clock the stream tests give the engine */

static int64_t fixed_wall(void *ud)
{
    (void)ud;
    return g_wall;
}

static ww_corr_t *stream_engine(fx_t *f, int64_t lateness_s, int64_t future_s)
{
    ww_corr_t *c = fx_engine(f, 0, 0);
    ww_corr_stream_t so = {lateness_s * S, future_s * S, fixed_wall, NULL};
    assert_int_equal(ww_corr_set_stream(c, &so), 0);
    return c;
}

/* What serve does per event: its matches fed, then its time observed.  Returns what
 * ww_corr_observe said (1: late). */
static int stream_ev(ww_corr_t *c, const ww_sigma_rule_t *r, ww_event_t *ev, col_t *col)
{
    if (r)
        assert_int_equal(ww_corr_feed(c, r, ev, ++g_ref, collect, col), 0);
    int late = ww_corr_observe(c, ev->ts, collect, col);
    assert_true(late == 0 || late == 1);
    return late;
}

static void test_stream_in_order(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ww_sigma_rule_t *fail = fx_rule(f, "failed_login");
    fx_corr(f, "many", WW_CORR_EVENT_COUNT, "failed_login", "User", 60, NULL, WW_CMP_GTE, 3, -1, 0);
    g_wall = 10000 * S;
    ww_corr_t *c = stream_engine(f, 30, 10);
    assert_true(ww_corr_watermark(c) == WW_TIME_NONE);
    assert_true(ww_corr_max_span(c) == 60 * S);
    ww_event_t ev;
    ww_event_init(&ev);
    col_t col = {0};
    g_ref = 0;
    for (int i = 0; i < 3; i++) {
        mkev(&ev, 1000 + i * 10, "User", "bob", NULL);
        assert_int_equal(stream_ev(c, fail, &ev, &col), 0);
    }
    assert_int_equal(col.n, 1);
    assert_true(ww_corr_watermark(c) == (1020 - 30) * S);
    ww_corr_stats_t st = stats(c);
    assert_int_equal(st.events_behind, 0);
    assert_int_equal(st.matches_behind, 0);
    assert_int_equal(st.events_future, 0);
    ww_event_release(&ev);
    ww_corr_free(c);
    fx_free(f);
}

static void test_stream_out_of_order_within_lateness(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ww_sigma_rule_t *fail = fx_rule(f, "failed_login");
    fx_corr(f, "many", WW_CORR_EVENT_COUNT, "failed_login", "User", 60, NULL, WW_CMP_GTE, 3, -1, 0);
    g_wall = 10000 * S;
    ww_corr_t *c = stream_engine(f, 300, 30);
    ww_event_t ev;
    ww_event_init(&ev);
    col_t col = {0};
    g_ref = 0;
    /* bob at 1000 and 1010; then alice's events move time to 1200 (bob's window left
       behind in sliding terms); then bob's delayed third event at 1020 arrives. */
    mkev(&ev, 1000, "User", "bob", NULL);
    stream_ev(c, fail, &ev, &col);
    mkev(&ev, 1010, "User", "bob", NULL);
    stream_ev(c, fail, &ev, &col);
    mkev(&ev, 1200, "User", "alice", NULL);
    stream_ev(c, fail, &ev, &col);
    mkev(&ev, 1250, "Other", "x", NULL);
    assert_int_equal(stream_ev(c, NULL, &ev, &col), 0); /* an event no rule matched */
    assert_true(ww_corr_watermark(c) == 950 * S);
    mkev(&ev, 1020, "User", "bob", NULL);
    assert_int_equal(stream_ev(c, fail, &ev, &col), 0); /* 230 s late: within 300 s */
    assert_int_equal(col.n, 1);                         /* still correlated with the two */
    assert_string_equal(col.group[0], "bob");
    assert_int_equal(col.nrefs[0], 3);
    assert_true(col.first[0] == 1000 * S && col.last[0] == 1020 * S);
    assert_int_equal(stats(c).events_behind, 0);

    /* The same input without stream mode: alice's event at 1200 made bob's group
       idle and forgotten, so the delayed event starts a new count. */
    ww_corr_t *h = fx_engine(f, 0, 0);
    col_t hc = {0};
    mkev(&ev, 1000, "User", "bob", NULL);
    feed(h, fail, &ev, &hc);
    mkev(&ev, 1010, "User", "bob", NULL);
    feed(h, fail, &ev, &hc);
    mkev(&ev, 1200, "User", "alice", NULL);
    feed(h, fail, &ev, &hc);
    mkev(&ev, 1020, "User", "bob", NULL);
    feed(h, fail, &ev, &hc);
    assert_int_equal(hc.n, 0);
    ww_corr_free(h);
    ww_event_release(&ev);
    ww_corr_free(c);
    fx_free(f);
}

static void test_stream_beyond_lateness(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ww_sigma_rule_t *fail = fx_rule(f, "failed_login");
    fx_corr(f, "many", WW_CORR_EVENT_COUNT, "failed_login", "User", 600, NULL, WW_CMP_GTE, 3, -1,
            0);
    g_wall = 10000 * S;
    ww_corr_t *c = stream_engine(f, 60, 30);
    ww_event_t ev;
    ww_event_init(&ev);
    col_t col = {0};
    g_ref = 0;
    mkev(&ev, 1000, "User", "bob", NULL);
    stream_ev(c, fail, &ev, &col);
    mkev(&ev, 1010, "User", "bob", NULL);
    stream_ev(c, fail, &ev, &col);
    mkev(&ev, 1100, "User", "carol", NULL);
    stream_ev(c, fail, &ev, &col); /* watermark 1040 */
    /* bob's third, inside bob's 600 s window but 90 s behind the newest event: late */
    mkev(&ev, 1015, "User", "bob", NULL);
    assert_int_equal(stream_ev(c, fail, &ev, &col), 1);
    assert_int_equal(col.n, 0);
    ww_corr_stats_t st = stats(c);
    assert_int_equal(st.events_behind, 1);
    assert_int_equal(st.matches_behind, 1);
    /* exactly at the watermark is not late */
    mkev(&ev, 1040, "User", "bob", NULL);
    assert_int_equal(stream_ev(c, fail, &ev, &col), 0);
    assert_int_equal(col.n, 1);
    assert_int_equal(col.nrefs[0], 3);
    assert_int_equal(stats(c).events_behind, 1);
    ww_event_release(&ev);
    ww_corr_free(c);
    fx_free(f);
}

static void test_stream_future_dated(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ww_sigma_rule_t *fail = fx_rule(f, "failed_login");
    fx_corr(f, "many", WW_CORR_EVENT_COUNT, "failed_login", "User", 60, NULL, WW_CMP_GTE, 3, -1, 0);
    g_wall = 1000 * S;
    ww_corr_t *c = stream_engine(f, 60, 30);
    ww_event_t ev;
    ww_event_init(&ev);
    col_t col = {0};
    g_ref = 0;
    mkev(&ev, 990, "User", "bob", NULL);
    stream_ev(c, fail, &ev, &col);
    /* a sender whose clock says 2030: taken as wall clock + 30 s */
    mkev(&ev, 1900000000, "User", "mallory", NULL);
    assert_int_equal(stream_ev(c, fail, &ev, &col), 0);
    assert_int_equal(stats(c).events_future, 1);
    assert_true(ww_corr_watermark(c) == (1030 - 60) * S);
    /* events of the real present are not late, and still correlate */
    mkev(&ev, 995, "User", "bob", NULL);
    assert_int_equal(stream_ev(c, fail, &ev, &col), 0);
    mkev(&ev, 1000, "User", "bob", NULL);
    assert_int_equal(stream_ev(c, fail, &ev, &col), 0);
    assert_int_equal(col.n, 1);
    assert_string_equal(col.group[0], "bob");
    assert_int_equal(stats(c).events_behind, 0);
    /* the broken sender's own events still correlate among themselves, at the bound */
    for (int i = 1; i < 3; i++) {
        mkev(&ev, 1900000000 + i, "User", "mallory", NULL);
        stream_ev(c, fail, &ev, &col);
    }
    assert_int_equal(col.n, 2);
    assert_string_equal(col.group[1], "mallory");
    assert_true(col.last[1] == 1030 * S);
    assert_int_equal(stats(c).events_future, 3);
    ww_event_release(&ev);
    ww_corr_free(c);
    fx_free(f);
}

/* Windows end on the watermark even for a correlation no event reaches any more: its
 * groups are freed (sliding) or decided and freed (close mode) by other events' time. */
static void test_stream_closes_idle_windows(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ww_sigma_rule_t *fail = fx_rule(f, "failed_login");
    ww_sigma_rule_t *beat = fx_rule(f, "heartbeat");
    fx_corr(f, "many", WW_CORR_EVENT_COUNT, "failed_login", "User", 60, NULL, WW_CMP_GTE, 1000, -1,
            0);
    fx_corr(f, "quiet", WW_CORR_EVENT_COUNT, "heartbeat", "Host", 60, NULL, WW_CMP_LT, 3, -1, 0);
    g_wall = 100000 * S;
    ww_corr_t *c = stream_engine(f, 30, 10);
    ww_event_t ev;
    ww_event_init(&ev);
    col_t col = {0};
    g_ref = 0;
    char name[32];
    for (int i = 0; i < 500; i++) {
        snprintf(name, sizeof name, "user%d", i);
        mkev(&ev, 1000, "User", name, NULL);
        stream_ev(c, fail, &ev, &col);
    }
    mkev(&ev, 1001, "Host", "h1", NULL);
    stream_ev(c, beat, &ev, &col);
    assert_int_equal(stats(c).groups_open, 501);
    size_t held = ww__corr_mem(c);
    /* Other events only: time passes both windows plus the lateness. */
    mkev(&ev, 1060, NULL);
    stream_ev(c, NULL, &ev, &col);
    assert_int_equal(stats(c).groups_open, 501); /* watermark 1030: nothing ended yet */
    assert_int_equal(col.n, 0);
    mkev(&ev, 1093, NULL);
    stream_ev(c, NULL, &ev, &col); /* watermark 1063: both windows ended */
    assert_int_equal(stats(c).groups_open, 0);
    assert_int_equal(stats(c).groups_closed, 501);
    assert_true(ww__corr_mem(c) <= held);
    assert_int_equal(col.n, 1); /* h1's quiet window decided without another heartbeat */
    assert_string_equal(col.group[0], "h1");
    ww_event_release(&ev);
    ww_corr_free(c);
    fx_free(f);
}

static void test_memory_bounded(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ww_sigma_rule_t *b = fx_rule(f, "b");
    fx_corr(f, "cnt", WW_CORR_EVENT_COUNT, "b", "User", 86400, NULL, WW_CMP_GTE, 5, -1, 0);
    ww_corr_t *c = fx_engine(f, 1000, 0);
    ww_event_t ev;
    ww_event_init(&ev);
    char u[32];
    size_t peak = 0, at1000 = 0;
    for (uint32_t i = 0; i < 1000000; i++) {
        snprintf(u, sizeof u, "user%u", i);
        ww_event_reset(&ev);
        ev.ts = (int64_t)i * 1000; /* all inside one window */
        assert_int_equal(ww_event_add(&ev, WW_STR("User"), WW_STRZ(u), WW_F_STR), 0);
        assert_int_equal(ww_corr_feed(c, b, &ev, i, NULL, NULL), 0);
        size_t m = ww__corr_mem(c);
        if (m > peak)
            peak = m;
        if (i == 999)
            at1000 = m;
    }
    ww_corr_stats_t st = stats(c);
    assert_int_equal(st.groups_open, 1000);
    assert_int_equal(st.groups_evicted, 1000000 - 1000);
    /* once the cap is reached, memory stops growing */
    assert_true(peak <= at1000 + 4096);
    assert_true(peak < 1000 * 256);
    print_message("event_count: %zu bytes of group state for 1000 open groups "
                  "(%.1f per group, before malloc overhead)\n",
                  peak, (double)peak / 1000);
    ww_event_release(&ev);
    ww_corr_free(c);
    fx_free(f);
}

/* ---- the spec's examples, loaded as YAML and run through the detection engine ---- */

typedef struct e2e {
    ww_sigma_ruleset_t *rs;
    ww_detect_t *d;
    ww_detect_ctx_t *ctx;
    ww_corr_t *c;
    ww_event_t ev;
    col_t col;
    uint64_t ref;
    int base_matches;
} e2e_t;

static char *read_example(const char *name)
{
    const char *shared = getenv("WW_SHARED");
    char path[1024];
    snprintf(path, sizeof path, "%s/sigma/spec/examples/correlation/%s",
             shared ? shared : "/nonexistent", name);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *buf = calloc(1, 65536);
    assert_non_null(buf);
    size_t n = fread(buf, 1, 65535, fp);
    fclose(fp);
    buf[n] = 0;
    return buf;
}

/* Loads `first` (a correlation document) followed by `base` rules, and builds the
 * detection and correlation engines. */
static void e2e_init(e2e_t *e, const char *first, const char *base)
{
    memset(e, 0, sizeof *e);
    size_t n = strlen(first) + strlen(base) + 16;
    char *doc = malloc(n);
    assert_non_null(doc);
    snprintf(doc, n, "%s\n---\n%s", first, base);
    e->rs = ww_sigma_ruleset_new();
    assert_non_null(e->rs);
    assert_true(ww_sigma_load_buffer(e->rs, "test.yml", doc, strlen(doc)) > 0);
    free(doc);
    assert_int_equal(ww_sigma_finish(e->rs), 0);
    for (uint32_t i = 0; i < ww_sigma_error_count(e->rs); i++)
        print_error("rule error: %s\n", ww_sigma_error(e->rs, i)->msg);
    assert_int_equal(ww_sigma_error_count(e->rs), 0);
    assert_int_equal(ww_detect_compile(e->rs, NULL, &e->d), 0);
    assert_int_equal(ww_detect_ctx_new(e->d, &e->ctx), 0);
    assert_int_equal(ww_corr_new(e->rs, NULL, &e->c), 0);
    ww_event_init(&e->ev);
}

static void on_match(void *ud, const ww_sigma_rule_t *rule)
{
    e2e_t *e = ud;
    e->base_matches++;
    if (ww_corr_wants(e->c, rule))
        assert_int_equal(ww_corr_feed(e->c, rule, &e->ev, ++e->ref, collect, &e->col), 0);
}

/* Runs the event built in e->ev (product "test") through detection. */
static void e2e_run(e2e_t *e)
{
    e->ev.product = WW_STR("test");
    ww_detect_event(e->ctx, &e->ev, on_match, e);
}

static void e2e_ev(e2e_t *e, int64_t ts_s, ...)
{
    ww_event_reset(&e->ev);
    e->ev.ts = ts_s * S;
    va_list ap;
    va_start(ap, ts_s);
    for (;;) {
        const char *n = va_arg(ap, const char *);
        if (!n)
            break;
        const char *v = va_arg(ap, const char *);
        int type = v[0] >= '0' && v[0] <= '9' && strspn(v, "0123456789") == strlen(v) ? WW_F_INT
                                                                                      : WW_F_STR;
        assert_int_equal(ww_event_add_copy(&e->ev, WW_STRZ(n), WW_STRZ(v), type), 0);
    }
    va_end(ap);
    e2e_run(e);
}

static void e2e_free(e2e_t *e)
{
    ww_event_release(&e->ev);
    ww_corr_free(e->c);
    ww_detect_ctx_free(e->ctx);
    ww_detect_unref(e->d);
    ww_sigma_ruleset_free(e->rs);
}

#define LOAD_EXAMPLE(var, name)     \
    char *var = read_example(name); \
    if (!var)                       \
        skip();

static const char failed_login_by_id[] =
    "title: Failed logon\n"
    "id: 5638f7c0-ac70-491d-8465-2a65075e0d86\n"
    "logsource: {product: test}\n"
    "detection:\n  sel:\n    EventID: 4625\n  condition: sel\n";

static void test_spec_event_count(void **state)
{
    (void)state;
    LOAD_EXAMPLE(y, "event_count.yml");
    e2e_t e;
    e2e_init(&e, y, failed_login_by_id);
    free(y);
    for (int i = 0; i < 150; i++) /* successful logons do not count */
        e2e_ev(&e, i, "EventID", "4624", "ComputerName", "srv1", NULL);
    for (int i = 0; i < 99; i++)
        e2e_ev(&e, 200 + i * 30, "EventID", "4625", "ComputerName", "srv1", NULL);
    for (int i = 0; i < 99; i++) /* another host, too slowly: 99 per hour at most */
        e2e_ev(&e, 200 + i * 37, "EventID", "4625", "ComputerName", "srv2", NULL);
    assert_int_equal(e.col.n, 0);
    e2e_ev(&e, 200 + 99 * 30, "EventID", "4625", "ComputerName", "srv1", NULL);
    assert_int_equal(e.col.n, 1);
    assert_string_equal(e.col.rule[0]->title, "Many failed logins");
    assert_string_equal(e.col.group[0], "srv1");
    assert_true(e.col.value[0] == 100);
    e2e_ev(&e, 200 + 100 * 37, "EventID", "4625", "ComputerName", "srv2", NULL);
    assert_int_equal(e.col.n, 1);
    e2e_free(&e);
}

static void test_spec_event_count_ecs(void **state)
{
    (void)state;
    LOAD_EXAMPLE(y, "event_count_ecs.yml");
    e2e_t e;
    e2e_init(&e, y,
             "title: TXT lookups\nid: 5638f7c0-ac70-491d-8465-2a65075e0d86\n"
             "logsource: {product: test}\n"
             "detection:\n  sel:\n    dns.question.type: TXT\n  condition: sel\n");
    free(y);
    for (int i = 0; i < 100; i++) {
        e2e_ev(&e, i * 10, "dns.question.type", "TXT", "dns.question.name",
               i % 2 ? "tunnel.example" : "a.example", NULL);
        e2e_ev(&e, i * 10 + 1, "dns.question.type", "TXT", "dns.question.name", "tunnel.example",
               NULL);
    }
    assert_int_equal(e.col.n, 1); /* tunnel: 150 in 1000 s, fires at the 100th */
    assert_string_equal(e.col.group[0], "tunnel.example");
    assert_true(e.col.value[0] == 100);
    e2e_free(&e);
}

static const char recon_rules[] =
    "title: whoami\nname: recon_cmd_a\nlogsource: {product: test}\n"
    "detection:\n  sel:\n    CommandLine|contains: whoami\n  condition: sel\n"
    "---\n"
    "title: net user\nname: recon_cmd_b\nlogsource: {product: test}\n"
    "detection:\n  sel:\n    CommandLine|contains: 'net user'\n  condition: sel\n"
    "---\n"
    "title: ipconfig\nname: recon_cmd_c\nlogsource: {product: test}\n"
    "detection:\n  sel:\n    CommandLine|contains: ipconfig\n  condition: sel\n";

static void test_spec_temporal(void **state)
{
    (void)state;
    LOAD_EXAMPLE(y, "temporal.yml");
    e2e_t e;
    e2e_init(&e, y, recon_rules);
    free(y);
    /* c, a, b inside 5 minutes */
    e2e_ev(&e, 0, "CommandLine", "ipconfig /all", "ComputerName", "ws1", "User", "bob", NULL);
    e2e_ev(&e, 60, "CommandLine", "whoami /priv", "ComputerName", "ws1", "User", "bob", NULL);
    e2e_ev(&e, 61, "CommandLine", "net user x", "ComputerName", "ws1", "User", "eve", NULL);
    assert_int_equal(e.col.n, 0);
    e2e_ev(&e, 120, "CommandLine", "net user /domain", "ComputerName", "ws1", "User", "bob", NULL);
    assert_int_equal(e.col.n, 1);
    assert_string_equal(e.col.group[0], "ws1,bob");
    assert_true(e.col.value[0] == 3);
    /* spread over 6 minutes: no */
    e2e_ev(&e, 1000, "CommandLine", "whoami", "ComputerName", "ws2", "User", "bob", NULL);
    e2e_ev(&e, 1200, "CommandLine", "net user", "ComputerName", "ws2", "User", "bob", NULL);
    e2e_ev(&e, 1360, "CommandLine", "ipconfig", "ComputerName", "ws2", "User", "bob", NULL);
    assert_int_equal(e.col.n, 1);
    e2e_free(&e);
}

static void test_spec_temporal_ordered(void **state)
{
    (void)state;
    LOAD_EXAMPLE(y, "temporal_ordered.yml");
    e2e_t e;
    e2e_init(&e, y, recon_rules);
    free(y);
    /* reversed order: no */
    e2e_ev(&e, 0, "CommandLine", "ipconfig", "ComputerName", "ws1", "User", "bob", NULL);
    e2e_ev(&e, 10, "CommandLine", "net user", "ComputerName", "ws1", "User", "bob", NULL);
    e2e_ev(&e, 20, "CommandLine", "whoami", "ComputerName", "ws1", "User", "bob", NULL);
    assert_int_equal(e.col.n, 0);
    e2e_ev(&e, 30, "CommandLine", "net user", "ComputerName", "ws1", "User", "bob", NULL);
    assert_int_equal(e.col.n, 0);
    e2e_ev(&e, 40, "CommandLine", "ipconfig", "ComputerName", "ws1", "User", "bob", NULL);
    assert_int_equal(e.col.n, 1);
    assert_string_equal(e.col.rule[0]->title, "Recon ordered");
    assert_int_equal(e.col.nrefs[0], 3);
    assert_true(e.col.first[0] == 20 * S && e.col.last[0] == 40 * S);
    e2e_free(&e);
}

static void test_spec_value_count(void **state)
{
    (void)state;
    LOAD_EXAMPLE(y, "value_count.yml");
    e2e_t e;
    e2e_init(&e, y, failed_login_by_id);
    free(y);
    char u[32];
    for (int i = 0; i < 99; i++) {
        snprintf(u, sizeof u, "user%d", i);
        e2e_ev(&e, i * 60, "EventID", "4625", "ComputerName", "dc1", "WorkstationName", "ws9",
               "User", u, NULL);
        e2e_ev(&e, i * 60 + 1, "EventID", "4625", "ComputerName", "dc1", "WorkstationName", "ws9",
               "User", "user0", NULL);
    }
    assert_int_equal(e.col.n, 0);
    e2e_ev(&e, 99 * 60, "EventID", "4625", "ComputerName", "dc1", "WorkstationName", "ws8", "User",
           "new", NULL); /* another workstation: another group */
    assert_int_equal(e.col.n, 0);
    e2e_ev(&e, 99 * 60, "EventID", "4625", "ComputerName", "dc1", "WorkstationName", "ws9", "User",
           "new", NULL);
    assert_int_equal(e.col.n, 1);
    assert_string_equal(e.col.group[0], "dc1,ws9");
    assert_true(e.col.value[0] == 100);
    e2e_free(&e);
}

static void test_spec_value_sum(void **state)
{
    (void)state;
    LOAD_EXAMPLE(y, "value_sum.yml");
    e2e_t e;
    e2e_init(&e, y,
             "title: Web access\nname: website_access\nlogsource: {product: test}\n"
             "detection:\n  sel:\n    http.method: POST\n  condition: sel\n");
    free(y);
    for (int i = 0; i < 10; i++)
        e2e_ev(&e, i * 60, "http.method", "POST", "SourceIP", "10.0.0.5", "User", "bob",
               "bytes_sent", "100000", NULL);
    assert_int_equal(e.col.n, 0); /* exactly 1000000 */
    e2e_ev(&e, 700, "http.method", "GET", "SourceIP", "10.0.0.5", "User", "bob", "bytes_sent",
           "999999", NULL); /* not matched by the base rule */
    assert_int_equal(e.col.n, 0);
    e2e_ev(&e, 701, "http.method", "POST", "SourceIP", "10.0.0.5", "User", "bob", "bytes_sent", "1",
           NULL);
    assert_int_equal(e.col.n, 1);
    assert_true(e.col.value[0] == 1000001);
    e2e_free(&e);
}

static void test_spec_value_avg(void **state)
{
    (void)state;
    LOAD_EXAMPLE(y, "value_avg.yml");
    e2e_t e;
    e2e_init(&e, y,
             "title: Outbound\nname: rule_a_id\nlogsource: {product: test}\n"
             "detection:\n  sel:\n    event.type: connection\n  condition: sel\n");
    free(y);
    e2e_ev(&e, 0, "event.type", "connection", "SourceIP", "10.0.0.5", "User", "bob", "BytesOut",
           "400", NULL);
    e2e_ev(&e, 5, "event.type", "connection", "SourceIP", "10.0.0.5", "User", "bob", "BytesOut",
           "700", NULL);
    e2e_ev(&e, 6, "event.type", "connection", "SourceIP", "10.0.0.6", "User", "amy", "BytesOut",
           "400", NULL);
    e2e_ev(&e, 7, "event.type", "connection", "SourceIP", "10.0.0.6", "User", "amy", "BytesOut",
           "600", NULL);
    assert_int_equal(e.col.n, 0);
    assert_int_equal(ww_corr_flush(e.c, collect, &e.col), 0);
    assert_int_equal(e.col.n, 1); /* bob 550 > 500; amy 500 is not */
    assert_string_equal(e.col.group[0], "10.0.0.5,bob");
    assert_true(e.col.value[0] == 550);
    e2e_free(&e);
}

static void test_spec_value_percentile(void **state)
{
    (void)state;
    LOAD_EXAMPLE(y, "value_percentile.yml");
    e2e_t e;
    e2e_init(&e, y,
             "title: Process creation\nname: process_creation\nlogsource: {product: test}\n"
             "detection:\n  sel:\n    EventID: 1\n  condition: sel\n");
    free(y);
    const char *common[] = {"C:\\Windows\\explorer.exe", "C:\\Windows\\System32\\svchost.exe",
                            "C:\\Program Files\\Edge\\msedge.exe"};
    for (int i = 0; i < 300; i++)
        e2e_ev(&e, i * 60, "EventID", "1", "ComputerName", "ws1", "Image", common[i % 3], NULL);
    assert_int_equal(e.col.n, 0);
    e2e_ev(&e, 300 * 60, "EventID", "1", "ComputerName", "ws1", "Image",
           "C:\\Users\\bob\\AppData\\x.exe", NULL);
    assert_int_equal(e.col.n, 1);
    assert_string_equal(e.col.group[0], "ws1");
    assert_true(e.col.value[0] < 1);
    assert_int_equal(e.col.nrefs[0], 301);
    e2e_free(&e);
}

/* The spec's complete example: a chain with generate: false base rules. */
static const char brute_force[] =
    "title: Correlation - Multiple Failed Logins Followed by Successful Login\n"
    "id: b180ead8-d58f-40b2-ae54-c8940995b9b6\n"
    "correlation:\n  type: temporal_ordered\n  rules:\n    - multiple_failed_login\n"
    "    - successful_login\n  group-by:\n    - User\n  timespan: 10m\n"
    "level: high\n"
    "---\n"
    "title: Multiple failed logons\nid: a8418a5a-5fc4-46b5-b23b-6c73beb19d41\n"
    "name: multiple_failed_login\n"
    "correlation:\n  type: event_count\n  rules:\n    - failed_login\n"
    "  group-by:\n    - User\n  timespan: 10m\n  condition:\n    gte: 10\n";
static const char brute_base[] =
    "title: Single failed login\nid: 53ba33fd-3a50-4468-a5ef-c583635cfa92\n"
    "name: failed_login\nlogsource: {product: test}\n"
    "detection:\n  selection:\n    EventID:\n      - 529\n      - 4625\n"
    "  condition: selection\n"
    "---\n"
    "title: Successful login\nid: 4d0a2c83-c62c-4ed4-b475-c7e23a9269b8\n"
    "name: successful_login\nlogsource: {product: test}\n"
    "detection:\n  selection:\n    EventID:\n      - 528\n      - 4624\n"
    "  condition: selection\n";

static void test_spec_chain_yaml(void **state)
{
    (void)state;
    e2e_t e;
    e2e_init(&e, brute_force, brute_base);
    const ww_sigma_rule_t *fl = ww_sigma_find(e.rs, "failed_login");
    assert_non_null(fl);
    assert_false(fl->alert); /* generate defaults to false: fed, not alerted */
    assert_true(ww_corr_wants(e.c, fl));
    for (int i = 0; i < 12; i++)
        e2e_ev(&e, i * 20, "EventID", "4625", "User", "admin", NULL);
    assert_int_equal(e.base_matches, 12);
    assert_int_equal(e.col.n, 1);
    assert_string_equal(e.col.rule[0]->name, "multiple_failed_login");
    e2e_ev(&e, 300, "EventID", "4624", "User", "admin", NULL);
    assert_int_equal(e.col.n, 2);
    assert_string_equal(e.col.rule[1]->id, "b180ead8-d58f-40b2-ae54-c8940995b9b6");
    assert_string_equal(e.col.group[1], "admin");
    assert_true(e.col.rule[1]->alert);
    /* 11 minutes later: the failures are out of the window */
    for (int i = 0; i < 10; i++)
        e2e_ev(&e, 1000 + i, "EventID", "4625", "User", "root", NULL);
    e2e_ev(&e, 1000 + 661, "EventID", "4624", "User", "root", NULL);
    assert_int_equal(e.col.n, 3); /* only the inner event_count */
    e2e_free(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_count_fires_and_rearms),
        cmocka_unit_test(test_window_boundary),
        cmocka_unit_test(test_out_of_order_and_late),
        cmocka_unit_test(test_time_none_uses_previous),
        cmocka_unit_test(test_value_count),
        cmocka_unit_test(test_temporal),
        cmocka_unit_test(test_temporal_ordered),
        cmocka_unit_test(test_value_sum),
        cmocka_unit_test(test_value_avg_decided_at_close),
        cmocka_unit_test(test_value_percentile_share),
        cmocka_unit_test(test_value_percentile_numeric),
        cmocka_unit_test(test_lt_decided_at_close),
        cmocka_unit_test(test_group_keys),
        cmocka_unit_test(test_aliases),
        cmocka_unit_test(test_chain_failed_then_success),
        cmocka_unit_test(test_cycle_ignored),
        cmocka_unit_test(test_two_rules_one_event),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_memory_bounded),
        cmocka_unit_test(test_stream_in_order),
        cmocka_unit_test(test_stream_out_of_order_within_lateness),
        cmocka_unit_test(test_stream_beyond_lateness),
        cmocka_unit_test(test_stream_future_dated),
        cmocka_unit_test(test_stream_closes_idle_windows),
        cmocka_unit_test(test_spec_event_count),
        cmocka_unit_test(test_spec_event_count_ecs),
        cmocka_unit_test(test_spec_temporal),
        cmocka_unit_test(test_spec_temporal_ordered),
        cmocka_unit_test(test_spec_value_count),
        cmocka_unit_test(test_spec_value_sum),
        cmocka_unit_test(test_spec_value_avg),
        cmocka_unit_test(test_spec_value_percentile),
        cmocka_unit_test(test_spec_chain_yaml),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
