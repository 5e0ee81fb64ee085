/* Unit tests for what the console's estate added to the libraries: lib/firebreak's plan
 * life (ww_fb_plan_make and ww_fb_plan_open, with the reasons they give, the plan and
 * its record stored together, the dry run recorded; ww_fb_confirm and ww_fb_lift
 * refusing what is not live), and lib/audit's HTML report for a page under a strict
 * Content-Security-Policy (no inline style or script; every colour class it uses is in
 * its stylesheet). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "asset/ww_asset.h"
#include "audit/ww_audit.h"
#include "firebreak/ww_firebreak.h"

static const char *MAP = "hospital: Unit General\n"
                         "segments:\n"
                         "  - {name: mgmt, cidrs: [10.90.0.0/24], kind: management}\n"
                         "  - {name: wards, cidrs: [10.10.0.0/24], kind: clinical}\n"
                         "  - {name: pacs, cidrs: [10.20.0.0/24], kind: servers, clinical: true}\n"
                         "  - {name: nhsmail, cidrs: [52.0.0.0/8], kind: external}\n"
                         "flows:\n"
                         "  - {from: wards, to: pacs, proto: tcp, ports: [443], clinical: true, "
                         "reason: viewer}\n";

static char dbpath[256];

static ww_store_t *fresh_store(bool with_map)
{
    snprintf(dbpath, sizeof dbpath, "/tmp/ww-estate-unit-%d.db", (int)getpid());
    unlink(dbpath);
    char x[300];
    snprintf(x, sizeof x, "%s-wal", dbpath);
    unlink(x);
    snprintf(x, sizeof x, "%s-shm", dbpath);
    unlink(x);
    ww_store_t *st = NULL;
    ww_diag_t d = {0};
    assert_int_equal(ww_store_open(dbpath, &st, &d), 0);
    assert_int_equal(ww_fb_store_migrate(st, &d), 0);
    if (with_map) {
        int64_t id = 0;
        assert_int_equal(ww_fb_map_save(st, "unit.yml", MAP, "tester", &id), 0);
    }
    return st;
}

static void drop_store(ww_store_t *st)
{
    ww_store_close(st);
    unlink(dbpath);
}

static int count_records(void *ud, const ww_fb_log_rec_t *r)
{
    int *n = ud;
    if (r->action && !strcmp(r->action, "plan"))
        n[0]++;
    if (r->action && !strcmp(r->action, "dry-run"))
        n[1]++;
    return 0;
}

static void test_plan_refusals(void **state)
{
    (void)state;
    char why[1024];
    ww_fb_loaded_t p;
    ww_store_t *st = fresh_store(false);
    ww_fb_plan_req_t r = {.hosts = "10.10.0.7", .by = "t"};
    assert_int_equal(ww_fb_plan_make(st, &r, &p, why, sizeof why), WW_ENOENT);
    assert_non_null(strstr(why, "no network map stored yet"));
    drop_store(st);

    st = fresh_store(true);
    ww_fb_plan_req_t both = {.hosts = "10.10.0.7", .segment = "wards"};
    assert_int_equal(ww_fb_plan_make(st, &both, &p, why, sizeof why), WW_EINVAL);
    assert_non_null(strstr(why, "exactly one"));
    ww_fb_plan_req_t none = {0};
    assert_int_equal(ww_fb_plan_make(st, &none, &p, why, sizeof why), WW_EINVAL);
    ww_fb_plan_req_t nowhere = {.hosts = "10.99.0.1"};
    assert_int_equal(ww_fb_plan_make(st, &nowhere, &p, why, sizeof why), WW_EPARSE);
    assert_non_null(strstr(why, "10.99.0.1"));
    ww_fb_plan_req_t octal = {.hosts = "010.10.0.7"};
    assert_int_equal(ww_fb_plan_make(st, &octal, &p, why, sizeof why), WW_EPARSE);
    ww_fb_plan_req_t unknown = {.segment = "kitchen"};
    assert_int_equal(ww_fb_plan_make(st, &unknown, &p, why, sizeof why), WW_ENOENT);
    assert_string_equal(why, "no segment named 'kitchen' in the map");
    ww_fb_plan_req_t ext = {.segment = "nhsmail"};
    assert_int_equal(ww_fb_plan_make(st, &ext, &p, why, sizeof why), WW_EINVAL);
    assert_non_null(strstr(why, "external"));
    ww_fb_plan_req_t extip = {.infected = "52.1.2.3"};
    assert_int_equal(ww_fb_plan_make(st, &extip, &p, why, sizeof why), WW_EINVAL);
    /* Nothing was stored by any refusal. */
    ww_fb_plan_row_t *rows = NULL;
    size_t n = 9;
    assert_int_equal(ww_fb_plan_list(st, false, &rows, &n), 0);
    assert_int_equal(n, 0);
    ww_fb_plan_rows_free(rows, n);
    assert_int_equal(ww_fb_plan_open(st, 42, false, &p, why, sizeof why), WW_ENOENT);
    assert_string_equal(why, "plan 42: no such plan");
    drop_store(st);
}

static void test_plan_made_and_opened(void **state)
{
    (void)state;
    char why[1024];
    ww_fb_loaded_t p;
    ww_store_t *st = fresh_store(true);
    ww_fb_plan_req_t r = {
        .hosts = "10.10.0.7,::ffff:10.10.0.7,10.20.0.5", .reason = "ransomware", .by = "alice"};
    assert_int_equal(ww_fb_plan_make(st, &r, &p, why, sizeof why), 0);
    assert_int_equal(p.nhosts, 2); /* the mapped address is the same host */
    assert_int_equal(p.nsegs, 2);
    assert_string_equal(p.row.hosts, "10.10.0.7,10.20.0.5");
    assert_string_equal(p.row.segment, "wards,pacs");
    assert_string_equal(p.row.state, "planned");
    assert_string_equal(p.row.by, "alice");
    assert_string_equal(p.row.reason, "ransomware");
    assert_non_null(strstr(p.row.ruleset, "table inet " WW_FB_TABLE));
    assert_string_equal(p.map_path, "unit.yml");
    int64_t id = p.row.id;
    char subject[3300];
    ww_fb_describe(&p.row, subject, sizeof subject);
    assert_string_equal(subject, "hosts 10.10.0.7,10.20.0.5 (segments wards,pacs)");
    ww_fb_loaded_release(&p);

    ww_fb_loaded_t q;
    assert_int_equal(ww_fb_plan_open(st, id, false, &q, why, sizeof why), 0);
    assert_int_equal(q.info.id, id);
    assert_int_equal(q.info.nhosts, 2);
    /* Not live: confirm and lift say so and change nothing. */
    assert_int_equal(ww_fb_confirm(st, &q.row, "bob", "why", why, sizeof why), WW_EINVAL);
    assert_non_null(strstr(why, "is planned, not waiting for confirmation"));
    ww_fb_result_t res;
    ww_fb_result_init(&res);
    setenv("WARDWATCH_LOCK_DIR", "/tmp", 1);
    assert_int_equal(ww_fb_lift(st, &q.row, "bob", "why", &res, why, sizeof why), -1);
    assert_non_null(strstr(why, "not applied"));
    /* A dry run is recorded whether or not nft can check here. */
    ww_fb_apply_opts_t ao = {.by = "bob", .reason = "check", .load = false};
    assert_int_equal(ww_fb_apply(st, &q, &ao, &res, why, sizeof why), 0);
    assert_non_null(strstr(res.file.p, "chain plan_"));
    assert_string_equal(res.subject, "hosts 10.10.0.7,10.20.0.5 (segments wards,pacs)");
    ww_fb_result_release(&res);
    ww_fb_loaded_release(&q);
    int counts[2] = {0, 0};
    assert_int_equal(ww_fb_log_each(st, count_records, counts), 0);
    assert_int_equal(counts[0], 1);
    assert_int_equal(counts[1], 1);
    /* A segment plan by an infected address. */
    ww_fb_plan_req_t s = {.infected = "10.20.0.9", .by = "alice"};
    assert_int_equal(ww_fb_plan_make(st, &s, &p, why, sizeof why), 0);
    assert_string_equal(p.row.segment, "pacs");
    assert_null(p.row.hosts);
    assert_string_equal(p.row.infected_ip, "10.20.0.9");
    ww_fb_loaded_release(&p);
    drop_store(st);
}

/* ---- the audit report under a CSP ---- */

static void test_audit_html_csp(void **state)
{
    (void)state;
    ww_audit_report_t *r = NULL;
    ww_asset_set_t set;
    memset(&set, 0, sizeof set);
    ww_arena_init(&set.arena, 4096, 0);
    const char *ips[] = {"10.10.0.7"};
    ww_update_t up = {"CVE-2017-0144", WW_SEV_CRITICAL, 9.8, 1489449600};
    ww_asset_t a = {.asset_id = "A-1",
                    .hostname = "ward-pc07",
                    .ips = ips,
                    .nips = 1,
                    .type = WW_AT_DESKTOP,
                    .owner = "<b>x</b>",
                    .segment = "wards",
                    .os = "Windows 7",
                    .os_version = "SP1",
                    .updates = &up,
                    .nupdates = 1,
                    .clinical_criticality = WW_CRIT_HIGH,
                    .last_patched = 1489449600};
    set.assets = &a;
    set.n = 1;
    ww_audit_ref_t ref = {0};
    assert_int_equal(ww_audit_run(&set, &ref, 1764720000, &r), 0);
    assert_true(r->n > 0);
    char *plain = NULL, *csp = NULL;
    size_t np = 0, nc = 0;
    FILE *f = open_memstream(&plain, &np);
    assert_int_equal(ww_audit_write_html(r, f), 0);
    fclose(f);
    f = open_memstream(&csp, &nc);
    ww_audit_html_opts_t o = {"/estate/audit.css", "/estate", "Back"};
    assert_int_equal(ww_audit_write_html_opts(r, &o, f), 0);
    fclose(f);
    /* The CLI's report is unchanged: styles inline, its script. */
    assert_non_null(strstr(plain, "<style>"));
    assert_non_null(strstr(plain, "<script>"));
    /* The console's: nothing the CSP refuses. */
    assert_null(strstr(csp, "<style"));
    assert_null(strstr(csp, " style="));
    assert_null(strstr(csp, "<script"));
    assert_non_null(strstr(csp, "<link rel=\"stylesheet\" href=\"/estate/audit.css\">"));
    assert_non_null(strstr(csp, "<a class=\"back\" href=\"/estate\">Back</a>"));
    assert_non_null(strstr(csp, "id=\"maincontent\""));
    /* Every colour class it uses is in its stylesheet. */
    ww_buf_t css;
    ww_buf_init(&css, 0);
    assert_int_equal(ww_audit_html_css(&css), 0);
    size_t used = 0;
    for (const char *p = csp; (p = strstr(p, " c-")) != NULL; p += 3) {
        char cls[16] = {0};
        memcpy(cls, p + 1, 8);
        char sel[32];
        snprintf(sel, sizeof sel, ".%s{", cls);
        if (!strstr(css.p, sel)) {
            fprintf(stderr, "class %s is not in the stylesheet\n", cls);
            fail();
        }
        used++;
    }
    assert_true(used > 3);
    ww_buf_release(&css);
    free(plain);
    free(csp);
    ww_audit_report_free(r);
    ww_arena_release(&set.arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_refusals),
        cmocka_unit_test(test_plan_made_and_opened),
        cmocka_unit_test(test_audit_html_csp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
