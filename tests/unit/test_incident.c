/* Unit tests for lib/incident: the ICO clock at its boundaries (an injected clock: every
 * call takes `now`), references numbered per year, what people may type and what is
 * refused, edits and their history, links to alerts and fire-break plans, notes,
 * evidence kept by SHA-256 (against known digests), and the shape of both exports
 * (valid JSON, stable STIX ids, hostile values escaped). */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "alerts/ww_alerts.h"
#include "firebreak/ww_firebreak.h"
#include "incident/ww_incident.h"
#include "sigma/ww_sigma.h"

/* 2026-12-03T10:00:00Z and 2027-01-01T00:00:00Z */
#define T0 INT64_C(1796292000)
#define T2027 INT64_C(1798761600)
#define ABC_SHA "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static char g_dir[256];

static ww_store_t *open_store(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/ww-incident-%d", (int)getpid());
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(mkdir(g_dir, 0700), 0);
    char path[300];
    snprintf(path, sizeof path, "%s/wardwatch.db", g_dir);
    ww_store_t *st = NULL;
    ww_diag_t d = {0};
    assert_int_equal(ww_store_open(path, &st, &d), 0);
    return st;
}

static void close_store(ww_store_t *st)
{
    ww_store_close(st);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    assert_int_equal(system(cmd), 0);
}

static ww_incident_t *mk(ww_store_t *st, const char *title, int64_t now)
{
    static ww_incident_t inc;
    ww_incident_new_t in = {.title = title};
    ww_diag_t d = {0};
    assert_int_equal(ww_incident_create(st, &in, "alice", now, &inc, &d), 0);
    return &inc;
}

/* True when s is one JSON value, as lib/web's request parser reads a JSON body. */
static bool json_ok(const char *s, size_t n)
{
    ww_buf_t msg;
    ww_buf_init(&msg, 0);
    ww_buf_printf(&msg,
                  "POST /x HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                  "Content-Length: %zu\r\n\r\n",
                  n);
    ww_buf_append(&msg, s, n);
    ww_web_limits_t lim;
    ww_web_limits_default(&lim);
    lim.max_body = 16u << 20;
    ww_web_req_t r;
    ww_web_req_init(&r, &lim, NULL);
    int rc = ww_web_req_parse_raw(&r, msg.p, msg.n, 0);
    bool ok = rc == 0 && ww_web_json_type(&r, 0) == 'o';
    if (!ok)
        fprintf(stderr, "not JSON (%d %s): %.300s\n", rc, r.diag.msg, s);
    ww_web_req_release(&r);
    ww_buf_release(&msg);
    return ok;
}

static void test_ico_clock(void **state)
{
    (void)state;
    ww_incident_t inc = {0};
    inc.aware = T0;
    inc.personal_data = true;
    ww_inc_ico_t ico;
    ww_buf_t b;
    ww_buf_init(&b, 0);

    ww_incident_ico(&inc, T0 + 72 * 3600 - 1, &ico);
    assert_true(ico.applies);
    assert_int_equal(ico.deadline, T0 + 72 * 3600);
    assert_int_equal(ico.left, 1);
    assert_false(ico.overdue);
    /* Exactly at the deadline: still in time. */
    ww_incident_ico(&inc, T0 + 72 * 3600, &ico);
    assert_int_equal(ico.left, 0);
    assert_false(ico.overdue);
    ww_incident_ico_text(&ico, &b);
    assert_string_equal(b.p, "0 h 0 min left");
    /* One second later: overdue. */
    ww_incident_ico(&inc, T0 + 72 * 3600 + 1, &ico);
    assert_int_equal(ico.left, -1);
    assert_true(ico.overdue);
    ww_incident_ico(&inc, T0 + 75 * 3600 + 5 * 60 + 59, &ico);
    ww_buf_clear(&b);
    ww_incident_ico_text(&ico, &b);
    assert_string_equal(b.p, "overdue by 3 h 5 min");
    ww_incident_ico(&inc, T0 + 30 * 60, &ico);
    ww_buf_clear(&b);
    ww_incident_ico_text(&ico, &b);
    assert_string_equal(b.p, "71 h 30 min left");
    /* Without personal data the clock does not apply, however late. */
    inc.personal_data = false;
    ww_incident_ico(&inc, T0 + 1000 * 3600, &ico);
    assert_false(ico.applies);
    assert_false(ico.overdue);
    ww_buf_clear(&b);
    ww_incident_ico_text(&ico, &b);
    assert_non_null(strstr(b.p, "not applicable"));
    ww_buf_release(&b);
}

static void test_create_and_numbering(void **state)
{
    (void)state;
    ww_store_t *st = open_store();
    ww_diag_t d = {0};
    ww_incident_t got;
    assert_string_equal(mk(st, "one", T0)->ref, "INC-2026-0001");
    ww_incident_t *two = mk(st, "two", T0 + 10);
    assert_string_equal(two->ref, "INC-2026-0002");
    assert_int_equal(two->status, WW_INC_OPEN);
    assert_int_equal(two->severity, WW_INC_MEDIUM);
    assert_int_equal(two->aware, T0 + 10); /* awareness defaults to the opening */
    assert_int_equal(two->created, T0 + 10);
    assert_string_equal(two->created_by, "alice");
    assert_int_equal(strlen(two->uuid), 36);
    assert_int_equal(two->uuid[14], '4');
    /* A new year starts again at 1. */
    assert_string_equal(mk(st, "three", T2027)->ref, "INC-2027-0001");

    assert_int_equal(ww_incident_get(st, "inc-2026-0002", &got, &d), 0);
    assert_string_equal(got.title, "two");
    assert_int_equal(ww_incident_get(st, "1", &got, &d), 0);
    assert_string_equal(got.ref, "INC-2026-0001");
    assert_int_equal(ww_incident_get(st, "INC-2026-0099", &got, &d), WW_ENOENT);
    assert_int_equal(ww_incident_get(st, "99", &got, &d), WW_ENOENT);

    ww_incident_new_t in = {.title = "x",
                            .severity = "critical",
                            .owner = "bob",
                            .aware = T0 - 3600,
                            .personal_data = true};
    assert_int_equal(ww_incident_create(st, &in, "alice", T0, &got, &d), 0);
    assert_int_equal(got.severity, WW_INC_CRITICAL);
    assert_int_equal(got.aware, T0 - 3600);
    assert_true(got.personal_data);
    assert_string_equal(got.owner, "bob");
    close_store(st);
}

static void refused(ww_store_t *st, ww_incident_new_t in, const char *why)
{
    ww_diag_t d = {0};
    ww_incident_t got;
    assert_int_equal(ww_incident_create(st, &in, "alice", T0, &got, &d), WW_EINVAL);
    if (!strstr(d.msg, why))
        fail_msg("expected '%s' in '%s'", why, d.msg);
}

static void test_refused_input(void **state)
{
    (void)state;
    ww_store_t *st = open_store();
    char longt[WW_INC_MAX_TITLE + 2];
    memset(longt, 'a', sizeof longt - 1);
    longt[sizeof longt - 1] = 0;
    refused(st, (ww_incident_new_t){.title = ""}, "title: must not be empty");
    refused(st, (ww_incident_new_t){.title = "   "}, "title: must not be empty");
    refused(st, (ww_incident_new_t){.title = longt}, "title: 201 bytes");
    refused(st, (ww_incident_new_t){.title = "a\x1b[2Jb"}, "title: control character 0x1b");
    refused(st, (ww_incident_new_t){.title = "a\nb"}, "title: control character 0x0a");
    refused(st, (ww_incident_new_t){.title = "caf\xe9"}, "title: not UTF-8");
    refused(st, (ww_incident_new_t){.title = "\xed\xa0\x80"}, "title: not UTF-8"); /* surrogate */
    refused(st, (ww_incident_new_t){.title = "\xc0\xaf"}, "title: not UTF-8");     /* overlong */
    refused(st, (ww_incident_new_t){.title = "x", .severity = "urgent"}, "severity");
    refused(st, (ww_incident_new_t){.title = "x", .aware = T0 + 3600}, "aware: in the future");
    /* Text that is hostile in a page but valid text is kept as typed. */
    ww_incident_t *ok = mk(st, "<script>alert(1)</script> \"quoted\" é", T0);
    assert_string_equal(ok->title, "<script>alert(1)</script> \"quoted\" é");
    /* Nothing refused was stored. */
    ww_diag_t d = {0};
    ww_incident_t got;
    assert_int_equal(ww_incident_get(st, "INC-2026-0002", &got, &d), WW_ENOENT);
    close_store(st);
}

static int count_cb(void *ud, const ww_incident_t *inc)
{
    (void)inc;
    (*(int *)ud)++;
    return 0;
}

static int count_hist(ww_store_t *st, const ww_incident_t *inc, const char *text)
{
    ww_inc_timeline_t tl;
    ww_diag_t d = {0};
    assert_int_equal(ww_incident_timeline(st, inc, &tl, &d), 0);
    int n = 0;
    for (size_t i = 0; i < tl.n; i++)
        n += tl.items[i].kind == WW_INC_ITEM_HISTORY && strstr(tl.items[i].text, text);
    ww_inc_timeline_release(&tl);
    return n;
}

static void test_update_and_lists(void **state)
{
    (void)state;
    ww_store_t *st = open_store();
    ww_diag_t d = {0};
    ww_incident_t got;
    int64_t id = mk(st, "first", T0)->id;
    mk(st, "second", T0 + 1);

    ww_incident_edit_t e = WW_INCIDENT_EDIT_NONE;
    int changed = -1;
    e.status = "contained";
    e.owner = "bob";
    e.aware = "2026-12-03T08:30Z";
    e.personal_data = 1;
    assert_int_equal(ww_incident_update(st, id, &e, "carol", T0 + 100, &changed, &d), 0);
    assert_int_equal(changed, 4);
    assert_int_equal(ww_incident_get(st, "1", &got, &d), 0);
    assert_int_equal(got.status, WW_INC_CONTAINED);
    assert_string_equal(got.owner, "bob");
    assert_int_equal(got.aware, T0 - 90 * 60);
    assert_true(got.personal_data);
    assert_int_equal(got.updated, T0 + 100);
    assert_int_equal(count_hist(st, &got, "status: open -> contained"), 1);
    assert_int_equal(count_hist(st, &got, "aware: 2026-12-03T10:00:00Z -> 2026-12-03T08:30:00Z"),
                     1);
    /* The same values again change nothing and record nothing. */
    assert_int_equal(ww_incident_update(st, id, &e, "carol", T0 + 200, &changed, &d), 0);
    assert_int_equal(changed, 0);
    assert_int_equal(count_hist(st, &got, "status:"), 1);

    /* A bad field refuses the whole edit: the good one beside it is not applied. */
    ww_incident_edit_t bad = WW_INCIDENT_EDIT_NONE;
    bad.title = "renamed";
    bad.status = "finished";
    assert_int_equal(ww_incident_update(st, id, &bad, "carol", T0 + 300, NULL, &d), WW_EINVAL);
    assert_non_null(strstr(d.msg, "status"));
    bad.status = NULL;
    bad.aware = "2030-01-01T00:00Z";
    assert_int_equal(ww_incident_update(st, id, &bad, "carol", T0 + 300, NULL, &d), WW_EINVAL);
    assert_non_null(strstr(d.msg, "aware: in the future"));
    bad.aware = "yesterday";
    assert_int_equal(ww_incident_update(st, id, &bad, "carol", T0 + 300, NULL, &d), WW_EINVAL);
    assert_int_equal(ww_incident_get(st, "1", &got, &d), 0);
    assert_string_equal(got.title, "first");

    /* A long title is quoted in the history cut at a character boundary, never inside
       a character. */
    char t80[100];
    memset(t80, 'a', 79);
    memcpy(t80 + 79, "\xc3\xa9xyz", 6); /* "é" is bytes 80 and 81 */
    ww_incident_edit_t longer = WW_INCIDENT_EDIT_NONE;
    longer.title = t80;
    assert_int_equal(ww_incident_update(st, id, &longer, "carol", T0 + 350, NULL, &d), 0);
    char want[200];
    memset(want, 'a', 79);
    snprintf(want + 79, sizeof want - 79, "…");
    assert_int_equal(count_hist(st, &got, want), 1);
    assert_int_equal(count_hist(st, &got, "title: first -> aaaa"), 1);

    /* Reported to the DSPT tool: the time is kept when said again. */
    ww_incident_edit_t rep = WW_INCIDENT_EDIT_NONE;
    rep.dspt_reportable = 1;
    rep.dspt_reported = 1;
    rep.dspt_ref = "DSPT-12345";
    assert_int_equal(ww_incident_update(st, id, &rep, "carol", T0 + 400, NULL, &d), 0);
    assert_int_equal(ww_incident_update(st, id, &rep, "carol", T0 + 500, NULL, &d), 0);
    assert_int_equal(ww_incident_get(st, "1", &got, &d), 0);
    assert_int_equal(got.dspt_reported, T0 + 400);
    assert_true(got.dspt_reportable);
    assert_string_equal(got.dspt_ref, "DSPT-12345");
    assert_int_equal(ww_incident_update(st, 99, &rep, "carol", T0, NULL, &d), WW_ENOENT);

    /* Lists: open and contained are "active"; resolved and closed are not. */
    int n = 0;
    assert_int_equal(ww_incident_each_open(st, count_cb, &n, &d), 0);
    assert_int_equal(n, 2);
    ww_incident_edit_t close = WW_INCIDENT_EDIT_NONE;
    close.status = "closed";
    assert_int_equal(ww_incident_update(st, 2, &close, "carol", T0 + 600, NULL, &d), 0);
    n = 0;
    assert_int_equal(ww_incident_each_open(st, count_cb, &n, &d), 0);
    assert_int_equal(n, 1);
    n = 0;
    assert_int_equal(ww_incident_each(st, "closed", 0, count_cb, &n, &d), 0);
    assert_int_equal(n, 1);
    n = 0;
    assert_int_equal(ww_incident_each(st, NULL, 1, count_cb, &n, &d), 0);
    assert_int_equal(n, 1);
    assert_int_equal(ww_incident_each(st, "bogus", 0, count_cb, &n, &d), WW_EINVAL);
    close_store(st);
}

static ww_alert_t alert(const char *id, const char *title, int64_t ts, const char *ip)
{
    ww_alert_t a = {0};
    snprintf(a.id, sizeof a.id, "%s", id);
    a.rule_id = "r1";
    a.rule_title = title;
    a.level = WW_LEVEL_HIGH;
    a.priority = 2;
    a.why = "test";
    a.ts = ts;
    a.received = (T0 + 50) * INT64_C(1000000000);
    a.host = "pacs01";
    a.user = "bob";
    a.src_ip = ip;
    a.source = a.position = a.techniques = "";
    a.event_json = "{}";
    a.asset_id = a.segment = a.owner = "";
    return a;
}

static const char MAP[] = "hospital: Test\n"
                          "segments:\n"
                          "  - name: imaging\n"
                          "    cidrs: [10.20.0.0/24]\n"
                          "    kind: medical-device\n"
                          "  - name: mgmt\n"
                          "    cidrs: [10.90.0.0/24]\n"
                          "    kind: management\n";

static void test_links(void **state)
{
    (void)state;
    ww_store_t *st = open_store();
    ww_diag_t d = {0};
    ww_incident_t got;
    int64_t id = mk(st, "linked", T0)->id;
    assert_int_equal(ww_alerts_migrate(st, &d), 0);
    ww_alert_t a1 = alert("00000000000000000000000000000001", "SSH guessing",
                          (T0 - 600) * INT64_C(1000000000), "10.20.0.7");
    ww_alert_t a2 = alert("00000000000000000000000000000002", "No time", WW_TIME_NONE, "");
    assert_int_equal(ww_alerts_put(st, &a1, NULL, &d), 0);
    assert_int_equal(ww_alerts_put(st, &a2, NULL, &d), 0);
    assert_int_equal(ww_incident_link_alert(st, id, a1.id, "bob", T0 + 60, &d), 0);
    assert_int_equal(ww_incident_link_alert(st, id, a1.id, "bob", T0 + 61, &d), 1);
    assert_int_equal(ww_incident_link_alert(st, id, a2.id, "bob", T0 + 62, &d), 0);
    assert_int_equal(ww_incident_link_alert(st, id, "nope", "bob", T0, &d), WW_ENOENT);
    assert_non_null(strstr(d.msg, "no alert"));
    assert_int_equal(ww_incident_link_alert(st, 42, a1.id, "bob", T0, &d), WW_ENOENT);

    /* The plan: one host quarantined, with its records in the hazard log. */
    int64_t mid;
    assert_int_equal(ww_fb_store_migrate(st, &d), 0);
    assert_int_equal(ww_fb_map_save(st, "h.yml", MAP, "carol", &mid), 0);
    ww_fb_plan_row_t row = {0};
    row.created = "2026-12-03T10:05:00Z";
    row.by = "carol";
    row.reason = "ransomware";
    row.map_id = mid;
    row.segment = "imaging";
    row.hosts = "10.20.0.7";
    assert_int_equal(ww_fb_plan_insert(st, &row), 0);
    assert_int_equal(ww_fb_record(st, "plan", row.id, "imaging", "carol", "ransomware", "", ""), 0);
    assert_int_equal(ww_fb_record(st, "apply", row.id, "imaging", "dave", "confirmed", "", ""), 0);
    assert_int_equal(ww_fb_record(st, "plan", 999, "other", "x", "", "", ""), 0);
    size_t n = 9;
    assert_int_equal(ww_incident_link_host_plans(st, id, "10.20.0.8", "bob", T0, &n, &d), 0);
    assert_int_equal(n, 0);
    assert_int_equal(ww_incident_link_host_plans(st, id, "10.20.0.7", "bob", T0 + 70, &n, &d), 0);
    assert_int_equal(n, 1);
    assert_int_equal(ww_incident_link_plan(st, id, row.id, "bob", T0 + 71, &d), 1);
    assert_int_equal(ww_incident_link_plan(st, id, 777, "bob", T0, &d), WW_ENOENT);

    /* The alert stays in the timeline when it is pruned from the alert table. */
    assert_int_equal(ww_store_exec(st, "DELETE FROM alert", &d), 0);
    assert_int_equal(ww_incident_get(st, "1", &got, &d), 0);
    assert_int_equal(got.nalerts, 2);
    assert_int_equal(got.nplans, 1);
    assert_int_equal(got.updated, T0 + 70);
    ww_inc_timeline_t tl;
    assert_int_equal(ww_incident_timeline(st, &got, &tl, &d), 0);
    int alerts = 0, fb = 0;
    int64_t last = INT64_MIN;
    for (size_t i = 0; i < tl.n; i++) {
        const ww_inc_item_t *it = &tl.items[i];
        assert_true(it->at >= last); /* oldest first */
        last = it->at;
        if (it->kind == WW_INC_ITEM_ALERT) {
            alerts++;
            if (!strcmp(it->alert_id, a1.id)) {
                assert_int_equal(it->at, T0 - 600); /* the event's time */
                assert_string_equal(it->text, "SSH guessing");
                assert_string_equal(it->src_ip, "10.20.0.7");
                assert_string_equal(it->level, "high");
                assert_int_equal(it->linked, T0 + 60);
            } else
                assert_int_equal(it->at, T0 + 50); /* no event time: its arrival */
        }
        if (it->kind == WW_INC_ITEM_FIREBREAK) {
            fb++;
            assert_int_equal(it->plan_id, row.id); /* not plan 999's record */
        }
    }
    assert_int_equal(alerts, 2);
    assert_int_equal(fb, 2);
    assert_int_equal(tl.nplans, 1);
    assert_string_equal(tl.plan_state[0], "planned");
    ww_inc_timeline_release(&tl);
    ww_fb_plan_row_release(&(ww_fb_plan_row_t){0});
    close_store(st);
}

static void test_notes(void **state)
{
    (void)state;
    ww_store_t *st = open_store();
    ww_diag_t d = {0};
    int64_t id = mk(st, "notes", T0)->id;
    assert_int_equal(ww_incident_note(st, id, "bob", "", T0, &d), WW_EINVAL);
    assert_int_equal(ww_incident_note(st, id, "bob", " \n\t", T0, &d), WW_EINVAL);
    assert_int_equal(ww_incident_note(st, id, "bob", "a\x07", T0, &d), WW_EINVAL);
    char *big = malloc(WW_INC_MAX_NOTE + 2);
    memset(big, 'n', WW_INC_MAX_NOTE + 1);
    big[WW_INC_MAX_NOTE + 1] = 0;
    assert_int_equal(ww_incident_note(st, id, "bob", big, T0, &d), WW_EINVAL);
    big[WW_INC_MAX_NOTE] = 0; /* exactly the cap */
    assert_int_equal(ww_incident_note(st, id, "bob", big, T0, &d), 0);
    free(big);
    assert_int_equal(ww_incident_note(st, id, "bob", "line one\nline two", T0 + 5, &d), 0);
    assert_int_equal(ww_incident_note(st, 99, "bob", "x", T0, &d), WW_ENOENT);
    ww_incident_t got;
    assert_int_equal(ww_incident_get(st, "1", &got, &d), 0);
    assert_int_equal(got.nnotes, 2);
    assert_int_equal(got.updated, T0 + 5);
    close_store(st);
}

static void write_file(const char *path, const char *s, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(s, 1, n, f), n);
    fclose(f);
}

static void test_evidence(void **state)
{
    (void)state;
    ww_store_t *st = open_store();
    ww_diag_t d = {0};
    ww_incident_t *inc = mk(st, "evidence", T0);
    int64_t id = inc->id;
    char src[400], kept[600];
    snprintf(src, sizeof src, "%s/phish.eml", g_dir);
    write_file(src, "abc", 3);
    ww_inc_evidence_t ev;
    assert_int_equal(
        ww_incident_evidence_add_path(st, id, g_dir, src, 1 << 20, "bob", T0 + 9, &ev, &d), 0);
    assert_string_equal(ev.sha256, ABC_SHA); /* FIPS 180-2's "abc" */
    assert_int_equal(ev.size, 3);
    assert_string_equal(ev.name, "phish.eml");
    assert_string_equal(ev.by, "bob");
    assert_int_equal(ev.at, T0 + 9);
    snprintf(kept, sizeof kept, "%s/evidence/INC-2026-0001/" ABC_SHA, g_dir);
    struct stat sb;
    assert_int_equal(stat(kept, &sb), 0);
    assert_int_equal(sb.st_size, 3);
    assert_int_equal(sb.st_mode & 0777, 0600);
    /* The same content again is kept once. */
    assert_int_equal(
        ww_incident_evidence_add_path(st, id, g_dir, src, 1 << 20, "eve", T0 + 10, &ev, &d), 1);
    assert_string_equal(ev.by, "bob");
    /* Empty, too large, missing. */
    write_file(src, "", 0);
    assert_int_equal(ww_incident_evidence_add_path(st, id, g_dir, src, 1 << 20, "bob", T0, &ev, &d),
                     WW_EINVAL);
    write_file(src, "0123456789", 10);
    assert_int_equal(ww_incident_evidence_add_path(st, id, g_dir, src, 9, "bob", T0, &ev, &d),
                     WW_ELIMIT);
    assert_int_equal(
        ww_incident_evidence_add_path(st, id, g_dir, "/nonexistent/x", 9, "bob", T0, &ev, &d),
        WW_ENOENT);

    /* An upload as lib/web hands it over: moved, not copied; a hostile name is cleaned. */
    char up[400];
    snprintf(up, sizeof up, "%s/upload-tmp", g_dir);
    write_file(up, "hello\n", 6);
    ww_web_file_t f = {0};
    f.field = "file";
    f.filename = "a\x1b[31mb.txt";
    f.content_type = "text/plain";
    snprintf(f.path, sizeof f.path, "%s", up);
    f.fd = open(up, O_RDONLY);
    f.size = 6;
    snprintf(f.sha256_hex, sizeof f.sha256_hex, "%s",
             "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
    assert_int_equal(ww_incident_evidence_add(st, id, g_dir, &f, "bob", T0 + 20, &ev, &d), 0);
    close(f.fd);
    assert_true(f.kept);
    assert_string_equal(ev.name, "a_[31mb.txt");
    assert_string_equal(ev.content_type, "text/plain");
    assert_int_not_equal(access(up, F_OK), 0);
    char path[1024];
    ww_incident_t got;
    assert_int_equal(ww_incident_get(st, "1", &got, &d), 0);
    assert_int_equal(got.nevidence, 2);
    assert_int_equal(
        ww_incident_evidence_get(st, &got, g_dir, f.sha256_hex, &ev, path, sizeof path, &d), 0);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_size, 6);
    assert_int_equal(
        ww_incident_evidence_get(st, &got, g_dir, "../../etc/passwd", &ev, path, sizeof path, &d),
        WW_ENOENT);
    close_store(st);
}

/* The bundle with its random id removed, for comparing two exports. */
static char *without_bundle_id(const char *s)
{
    char *c = strdup(s);
    char *p = strstr(c, "\"id\":\"bundle--");
    assert_non_null(p);
    memset(p, 'x', strlen("\"id\":\"bundle--") + 36 + 1);
    return c;
}

static void test_exports(void **state)
{
    (void)state;
    ww_store_t *st = open_store();
    ww_diag_t d = {0};
    ww_incident_new_t in = {.title = "Hostile \"</script><b>\" title",
                            .description = "line\nbreak",
                            .severity = "high",
                            .aware = T0 - 3600,
                            .personal_data = true};
    ww_incident_t inc;
    assert_int_equal(ww_incident_create(st, &in, "alice", T0, &inc, &d), 0);
    assert_int_equal(ww_alerts_migrate(st, &d), 0);
    ww_alert_t a = alert("00000000000000000000000000000003", "Evil \x01 rule \"x\"",
                         (T0 - 60) * INT64_C(1000000000), "::ffff:10.20.0.9");
    assert_int_equal(ww_alerts_put(st, &a, NULL, &d), 0);
    assert_int_equal(ww_incident_link_alert(st, inc.id, a.id, "bob", T0 + 1, &d), 0);
    assert_int_equal(ww_incident_note(st, inc.id, "bob", "note \"one\"\nmore", T0 + 2, &d), 0);
    char src[400];
    snprintf(src, sizeof src, "%s/abc.bin", g_dir);
    write_file(src, "abc", 3);
    assert_int_equal(
        ww_incident_evidence_add_path(st, inc.id, g_dir, src, 100, "bob", T0 + 3, NULL, &d), 0);
    assert_int_equal(ww_incident_get(st, "1", &inc, &d), 0);

    ww_buf_t j;
    ww_buf_init(&j, 0);
    assert_int_equal(ww_incident_export_json(st, &inc, T0 + 3600, &j, &d), 0);
    assert_true(json_ok(j.p, j.n));
    assert_non_null(strstr(j.p, "\"reference\":\"INC-2026-0001\""));
    assert_non_null(strstr(j.p, "\"title\":\"Hostile \\\"</script><b>\\\" title\""));
    assert_non_null(strstr(j.p, "\"severity\":\"high\""));
    assert_non_null(strstr(j.p, "\"aware\":\"2026-12-03T09:00:00Z\""));
    /* aware T0 - 1 h, now T0 + 1 h: 70 h left. */
    assert_non_null(strstr(j.p, "\"ico\":{\"applies\":true,\"deadline\":\"2026-12-06T09:00:00Z\","
                                "\"seconds_left\":252000,\"overdue\":false}"));
    assert_non_null(strstr(j.p, "\"sha256\":\"" ABC_SHA "\""));
    assert_non_null(strstr(j.p, "\"rule\":\"Evil \\u0001 rule \\\"x\\\"\""));
    assert_non_null(strstr(j.p, "\"text\":\"note \\\"one\\\"\\nmore\""));
    assert_null(memchr(j.p, '\x01', j.n));

    ww_inc_stix_opts_t so = {"Northshire Hospitals NHS FT", "https://console.example"};
    ww_buf_t s1, s2;
    ww_buf_init(&s1, 0);
    ww_buf_init(&s2, 0);
    assert_int_equal(ww_incident_export_stix(st, &inc, T0 + 3600, &so, &s1, &d), 0);
    assert_int_equal(ww_incident_export_stix(st, &inc, T0 + 7200, &so, &s2, &d), 0);
    assert_true(json_ok(s1.p, s1.n));
    assert_non_null(strstr(s1.p, "\"type\":\"bundle\""));
    char want[120];
    snprintf(want, sizeof want, "\"id\":\"incident--%s\"", inc.uuid);
    assert_non_null(strstr(s1.p, want));
    assert_non_null(strstr(s1.p, "\"type\":\"note\""));
    assert_non_null(strstr(s1.p, "\"type\":\"grouping\""));
    assert_non_null(strstr(s1.p, "\"type\":\"sighting\""));
    assert_non_null(strstr(s1.p, "\"hashes\":{\"SHA-256\":\"" ABC_SHA "\"}"));
    assert_non_null(strstr(s1.p, "\"x_wardwatch_severity\":\"high\""));
    assert_non_null(strstr(s1.p, "\"x_wardwatch_ico_deadline\":\"2026-12-06T09:00:00.000Z\""));
    assert_non_null(strstr(s1.p, "\"url\":\"https://console.example/incidents/INC-2026-0001\""));
    /* The mapped address is exported as the IPv4 address STIX's pattern accepts. */
    assert_non_null(strstr(s1.p, "\"type\":\"ipv4-addr\""));
    assert_non_null(strstr(s1.p, "\"value\":\"10.20.0.9\""));
    /* STIX forbids a top-level "severity" property (core.json). */
    assert_null(strstr(s1.p, "\"severity\":"));
    /* Every id but the bundle's is the same in a second export. */
    char *c1 = without_bundle_id(s1.p), *c2 = without_bundle_id(s2.p);
    assert_string_equal(c1, c2);
    free(c1);
    free(c2);
    assert_string_not_equal(s1.p, s2.p);
    ww_buf_release(&j);
    ww_buf_release(&s1);
    ww_buf_release(&s2);
    close_store(st);
}

/* The two lib/web accessors the incidents API reads its bodies with. */
static void test_web_json_for_api(void **state)
{
    (void)state;
    static const char body[] = "{\"alerts\":[\"a1\",\"a2\",{\"x\":[1]},\"a4\"],\"yes\":true,"
                               "\"no\":false,\"s\":\"true\",\"e\":[]}";
    ww_buf_t msg;
    ww_buf_init(&msg, 0);
    ww_buf_printf(&msg,
                  "POST /x HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                  "Content-Length: %zu\r\n\r\n%s",
                  strlen(body), body);
    ww_web_limits_t lim;
    ww_web_limits_default(&lim);
    ww_web_req_t r;
    ww_web_req_init(&r, &lim, NULL);
    assert_int_equal(ww_web_req_parse_raw(&r, msg.p, msg.n, 0), 0);
    uint32_t arr = ww_web_json_member(&r, 0, "alerts");
    assert_int_equal(ww_web_json_type(&r, arr), 'a');
    assert_string_equal(ww_web_json_str(&r, ww_web_json_elem(&r, arr, 0), NULL), "a1");
    assert_string_equal(ww_web_json_str(&r, ww_web_json_elem(&r, arr, 1), NULL), "a2");
    assert_int_equal(ww_web_json_type(&r, ww_web_json_elem(&r, arr, 2)), 'o');
    /* The element after a nested value is found past the whole subtree. */
    assert_string_equal(ww_web_json_str(&r, ww_web_json_elem(&r, arr, 3), NULL), "a4");
    assert_int_equal(ww_web_json_elem(&r, arr, 4), 0);
    assert_int_equal(ww_web_json_elem(&r, ww_web_json_member(&r, 0, "e"), 0), 0);
    assert_int_equal(ww_web_json_elem(&r, ww_web_json_member(&r, 0, "yes"), 0), 0);
    bool v = false;
    assert_int_equal(ww_web_json_bool(&r, ww_web_json_member(&r, 0, "yes"), &v), 0);
    assert_true(v);
    assert_int_equal(ww_web_json_bool(&r, ww_web_json_member(&r, 0, "no"), &v), 0);
    assert_false(v);
    assert_int_equal(ww_web_json_bool(&r, ww_web_json_member(&r, 0, "s"), &v), WW_EINVAL);
    ww_web_req_release(&r);
    ww_buf_release(&msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ico_clock),
        cmocka_unit_test(test_create_and_numbering),
        cmocka_unit_test(test_refused_input),
        cmocka_unit_test(test_update_and_lists),
        cmocka_unit_test(test_links),
        cmocka_unit_test(test_notes),
        cmocka_unit_test(test_evidence),
        cmocka_unit_test(test_exports),
        cmocka_unit_test(test_web_json_for_api),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
