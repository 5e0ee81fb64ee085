/* Tests for lib/cyberalert: version ranges, the clocks at their exact boundaries, the
 * import format and its errors, which assets of a register an alert applies to (with
 * the bundled end-of-life data, so products are named as the audit names them), the
 * handling record, and the audit's findings on each side of each deadline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "asset/ww_asset.h"
#include "audit/ww_audit.h"
#include "cyberalert/ww_cyberalert.h"
#include "cyberalert/ww_cyberalert_audit.h"

/* 2026-05-01T09:00:00Z */
#define PUB 1777626000LL
#define HOUR 3600LL
#define DAY 86400LL

/* ---- versions and ranges ---------------------------------------------------------- */

static void test_version_cmp(void **state)
{
    (void)state;
    assert_true(ww_ca_version_cmp("7.4.10", "7.4.9") > 0);
    assert_true(ww_ca_version_cmp("7.4.3", "7.4.3") == 0);
    assert_true(ww_ca_version_cmp("7.4", "7.4.0") < 0);
    assert_true(ww_ca_version_cmp("1.1.1w", "1.1.1") > 0);
    assert_true(ww_ca_version_cmp("7.4.0-rc1", "7.4.0") < 0);
    assert_true(ww_ca_version_cmp("22H2", "21H2") > 0);
    assert_true(ww_ca_version_cmp("007.4", "7.4") == 0);
    /* Numbers longer than any integer type compare by their digits. */
    assert_true(ww_ca_version_cmp("1.123456789012345678901234567890", "1.99") > 0);
}

static void test_ranges(void **state)
{
    (void)state;
    assert_int_equal(ww_ca_range_match("7.4.0 - 7.4.3", "7.4.0"), 1);
    assert_int_equal(ww_ca_range_match("7.4.0 - 7.4.3", "7.4.3"), 1);
    assert_int_equal(ww_ca_range_match("7.4.0 - 7.4.3", "7.4.4"), 0);
    assert_int_equal(ww_ca_range_match("7.4.0 - 7.4.3", "7.3.9"), 0);
    assert_int_equal(ww_ca_range_match("7.4.0-7.4.3", "7.4.2"), 1);
    assert_int_equal(ww_ca_range_match("7.4.0 to 7.4.3", "7.4.1"), 1);
    assert_int_equal(ww_ca_range_match(">= 7.2.0, < 7.2.7", "7.2.6"), 1);
    assert_int_equal(ww_ca_range_match(">= 7.2.0, < 7.2.7", "7.2.7"), 0);
    assert_int_equal(ww_ca_range_match(">=7.2.0 <7.2.7", "7.1.9"), 0);
    assert_int_equal(ww_ca_range_match("<= 3.0.13", "3.0.13"), 1);
    assert_int_equal(ww_ca_range_match("> 3.0.13", "3.0.13"), 0);
    assert_int_equal(ww_ca_range_match("= 3.0.13", "3.0.13"), 1);
    assert_int_equal(ww_ca_range_match("7.0.x", "7.0.12"), 1);
    assert_int_equal(ww_ca_range_match("7.0.*", "7.0"), 1);
    assert_int_equal(ww_ca_range_match("7.0", "7.1.0"), 0);
    assert_int_equal(ww_ca_range_match("7.0", "7.0.5"), 1);
    assert_int_equal(ww_ca_range_match("*", "anything"), 1);
    assert_int_equal(ww_ca_range_match("all", "1"), 1);
}

static void expect_range_error(const char *r, unsigned col, const char *words)
{
    ww_diag_t d;
    memset(&d, 0, sizeof d);
    assert_int_equal(ww_ca_range_check(r, &d), WW_EPARSE);
    if (d.col != col || !strstr(d.msg, words))
        fail_msg("range '%s': expected column %u and '%s', got column %u: %s", r, col, words,
                 d.col, d.msg);
}

static void test_range_errors(void **state)
{
    (void)state;
    expect_range_error("", 1, "empty");
    expect_range_error(">= ", 4, "expected a version");
    expect_range_error("7.4.3 - 7.4.0", 9, "ends");
    expect_range_error("7.4.0 -", 8, "last version");
    expect_range_error("7.4.0 ! 7.5", 7, "unexpected '!'");
    expect_range_error(">= 7.*", 6, "'*'");
    expect_range_error("<< 7", 2, "expected a version");
}

/* ---- the clocks ------------------------------------------------------------------- */

static ww_cyberalert_t alert(ww_ca_sev_t sev)
{
    ww_cyberalert_t a;
    memset(&a, 0, sizeof a);
    a.ref = "CC-4567";
    a.title = "t";
    a.severity = sev;
    a.published = PUB;
    return a;
}

static void test_clock_boundaries(void **state)
{
    (void)state;
    ww_cyberalert_t a = alert(WW_CA_SEV_HIGH);
    ww_ca_clocks_t k;
    /* 48 hours to acknowledge: due exactly then is on time, a second later is not. */
    ww_cyberalert_clocks(&a, PUB + 48 * HOUR, 1, 0, &k);
    assert_int_equal(k.ack.state, WW_CLOCK_PENDING);
    assert_int_equal(k.ack.due, PUB + 48 * HOUR);
    ww_cyberalert_clocks(&a, PUB + 48 * HOUR + 1, 1, 0, &k);
    assert_int_equal(k.ack.state, WW_CLOCK_OVERDUE);
    assert_int_equal(k.update.state, WW_CLOCK_PENDING);
    /* First update within 3 days. */
    ww_cyberalert_clocks(&a, PUB + 3 * DAY, 1, 0, &k);
    assert_int_equal(k.update.state, WW_CLOCK_PENDING);
    ww_cyberalert_clocks(&a, PUB + 3 * DAY + 1, 1, 0, &k);
    assert_int_equal(k.update.state, WW_CLOCK_OVERDUE);
    /* Mitigation within 14 days. */
    ww_cyberalert_clocks(&a, PUB + 14 * DAY, 1, 0, &k);
    assert_int_equal(k.mitigate.state, WW_CLOCK_PENDING);
    ww_cyberalert_clocks(&a, PUB + 14 * DAY + 1, 1, 0, &k);
    assert_int_equal(k.mitigate.state, WW_CLOCK_OVERDUE);
    /* Done at the deadline: met; a second after: late, whenever it is asked. */
    a.acked_at = PUB + 48 * HOUR;
    a.first_update_at = PUB + 3 * DAY + 1;
    ww_cyberalert_clocks(&a, PUB + 30 * DAY, 0, PUB + 14 * DAY, &k);
    assert_int_equal(k.ack.state, WW_CLOCK_MET);
    assert_int_equal(k.update.state, WW_CLOCK_LATE);
    assert_int_equal(k.mitigate.state, WW_CLOCK_MET);
    ww_cyberalert_clocks(&a, PUB + 30 * DAY, 0, PUB + 14 * DAY + 1, &k);
    assert_int_equal(k.mitigate.state, WW_CLOCK_LATE);
    /* The alert's own deadline replaces the 14 days. */
    a.patch_by = PUB + 7 * DAY;
    ww_cyberalert_clocks(&a, PUB + 7 * DAY + 1, 2, 0, &k);
    assert_int_equal(k.mitigate.state, WW_CLOCK_OVERDUE);
    assert_int_equal(k.mitigate.due, PUB + 7 * DAY);
    /* Critical runs the same clocks; medium and low have none. */
    a = alert(WW_CA_SEV_CRITICAL);
    ww_cyberalert_clocks(&a, PUB + 48 * HOUR + 1, 1, 0, &k);
    assert_int_equal(k.ack.state, WW_CLOCK_OVERDUE);
    a = alert(WW_CA_SEV_MEDIUM);
    ww_cyberalert_clocks(&a, PUB + 365 * DAY, 1, 0, &k);
    assert_int_equal(k.ack.state, WW_CLOCK_NONE);
    assert_int_equal(k.update.state, WW_CLOCK_NONE);
    assert_int_equal(k.mitigate.state, WW_CLOCK_NONE);
    /* A closed alert is judged as it stood when closed. */
    a = alert(WW_CA_SEV_HIGH);
    a.closed_at = PUB + HOUR;
    ww_cyberalert_clocks(&a, PUB + 30 * DAY, 1, 0, &k);
    assert_int_equal(k.ack.state, WW_CLOCK_PENDING);
}

/* ---- import files ----------------------------------------------------------------- */

static void test_parse_yaml_and_json(void **state)
{
    (void)state;
    const char *y = "alerts:\n"
                    "  - reference: CC-4567\n"
                    "    title: FortiOS out-of-bounds write\n"
                    "    severity: High\n"
                    "    published: 2026-05-01T09:00:00Z\n"
                    "    patch_by: 2026-05-08\n"
                    "    products:\n"
                    "      - product: FortiOS\n"
                    "        versions: [\"7.4.0 - 7.4.2\", \">= 7.2.0, < 7.2.7\"]\n"
                    "      - Windows Server 2012 R2\n"
                    "    cves: [CVE-2024-21762]\n";
    ww_arena_t ar;
    ww_arena_init(&ar, 4096, 0);
    ww_cyberalert_t *v = NULL;
    size_t n = 0;
    ww_diag_t d;
    memset(&d, 0, sizeof d);
    assert_int_equal(ww_cyberalert_parse("a.yaml", y, strlen(y), &ar, &v, &n, &d), 0);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].ref, "CC-4567");
    assert_int_equal(v[0].severity, WW_CA_SEV_HIGH);
    assert_int_equal(v[0].published, PUB);
    assert_int_equal(v[0].patch_by, 1778198400LL);
    assert_int_equal(v[0].nproducts, 2);
    assert_int_equal(v[0].products[0].nranges, 2);
    assert_string_equal(v[0].products[1].product, "Windows Server 2012 R2");
    assert_int_equal(v[0].products[1].nranges, 0);
    assert_int_equal(v[0].ncves, 1);

    const char *j = "[{\"reference\": \"CC-1\", \"title\": \"x\", \"severity\": \"low\",\n"
                    "\t\"published\": \"2026-01-02\", \"cves\": [\"CVE-2026-12345\"]},\n"
                    " {\"reference\": \"CC-2\", \"title\": \"y\", \"severity\": \"medium\",\n"
                    "  \"published\": \"2026-01-03\", \"products\": [{\"product\": \"OpenSSL\","
                    " \"versions\": \"< 3.0.14\"}]}]";
    assert_int_equal(ww_cyberalert_parse("a.json", j, strlen(j), &ar, &v, &n, &d), 0);
    assert_int_equal(n, 2);
    assert_string_equal(v[1].products[0].ranges[0], "< 3.0.14");
    ww_arena_release(&ar);
}

static void expect_parse_error(const char *text, unsigned line, unsigned col, const char *words)
{
    ww_arena_t ar;
    ww_arena_init(&ar, 4096, 0);
    ww_cyberalert_t *v = NULL;
    size_t n = 0;
    ww_diag_t d;
    memset(&d, 0, sizeof d);
    int rc = ww_cyberalert_parse("bad.yaml", text, strlen(text), &ar, &v, &n, &d);
    if (rc >= 0 || d.line != line || (col && d.col != col) || !strstr(d.msg, words) ||
        strcmp(d.file, "bad.yaml"))
        fail_msg("expected %u:%u '%s', got rc %d %s:%u:%u: %s", line, col, words, rc, d.file,
                 d.line, d.col, d.msg);
    ww_arena_release(&ar);
}

static void test_parse_errors(void **state)
{
    (void)state;
    const char *head = "- reference: CC-1\n  title: t\n  published: 2026-05-01\n";
    char buf[512];
    snprintf(buf, sizeof buf, "%s  severity: urgent\n  cves: [CVE-2026-1111]\n", head);
    expect_parse_error(buf, 4, 13, "severity 'urgent'");
    snprintf(buf, sizeof buf, "%s  severity: high\n  cves: [CVE-2026-1111]\n  colour: red\n",
             head);
    expect_parse_error(buf, 6, 3, "colour");
    snprintf(buf, sizeof buf,
             "%s  severity: high\n  products:\n    - product: X\n      versions: ['9 - 1']\n",
             head);
    expect_parse_error(buf, 7, 18, "ends");
    snprintf(buf, sizeof buf, "%s  severity: high\n  cves: [CVE-26-1]\n", head);
    expect_parse_error(buf, 5, 10, "not a CVE");
    snprintf(buf, sizeof buf, "%s  severity: high\n", head);
    expect_parse_error(buf, 1, 3, "at least one affected product or CVE");
    expect_parse_error("- reference: CC-1\n  title: t\n  severity: high\n"
                       "  published: 2026-02-30\n  cves: [CVE-2026-1111]\n",
                       4, 14, "not a date");
    expect_parse_error("- reference: 'CC 1; drop'\n  title: t\n  severity: high\n"
                       "  published: 2026-02-03\n  cves: [CVE-2026-1111]\n",
                       1, 14, "not like CC-4567");
    expect_parse_error("- reference: CC-1\n  title: \"a\\x1b[2Jb\"\n  severity: high\n"
                       "  published: 2026-02-03\n  cves: [CVE-2026-1111]\n",
                       1, 3, "control character");
    expect_parse_error("[{\"reference\": \"CC-1\", \"title\": \"t\",", 2, 1, "YAML syntax error");
    expect_parse_error("alerts: 3\n", 1, 9, "must be a list");
    expect_parse_error("- reference: CC-1\n  title: t\n  severity: high\n  published: "
                       "2026-02-03\n  cves: [CVE-2026-1111]\n- reference: cc-1\n  title: t\n"
                       "  severity: high\n  published: 2026-02-03\n  cves: [CVE-2026-1111]\n",
                       6, 3, "twice");
}

/* ---- the store, applicability and the audit --------------------------------------- */

typedef struct fx {
    char dir[64], path[96];
    ww_store_t *st;
    ww_feeds_t *feeds;
} fx_t;

static const char register_csv[] =
    "asset_id,hostname,ip,type,os,os_version,firmware,manufacturer,model,software,"
    "missing_updates\n"
    "FW-A,fw-a,10.0.0.1,firewall,FortiOS,7.4,7.4.2,Fortinet,FortiGate 100F,,\n"
    "FW-B,fw-b,10.0.0.2,firewall,FortiOS,7.4.4,,Fortinet,FortiGate 100F,,\n"
    "FW-C,fw-c,10.0.0.3,firewall,,,v7.2.5,Fortinet,FortiGate 60F,,\n"
    "FW-D,fw-d,10.0.0.4,firewall,FortiOS,6.4.9,,Fortinet,FortiGate 60E,,\n"
    "FW-E,fw-e,10.0.0.5,firewall,FortiOS,7.4,,Fortinet,FortiGate 40F,,\n"
    "SRV-A,srv-a,10.1.0.1,server,Windows Server 2012 R2,,,,,,\n"
    "SRV-B,srv-b,10.1.0.2,server,Windows Server 2012,,,,,,\n"
    "PC-A,pc-a,10.2.0.1,desktop,Windows 10 Enterprise,22H2,,,,,\n"
    "PC-B,pc-b,10.2.0.2,desktop,Windows 11,24H2,,,,,\n"
    "APP-A,app-a,10.3.0.1,server,Ubuntu,22.04,,,,OpenSSL:3.0.13,\n"
    "APP-B,app-b,10.3.0.2,server,Ubuntu,24.04,,,,OpenSSL:3.0.14,\n"
    "MED-A,pump-a,10.4.0.1,medical_device,,,8.01.01,Baxter,Sigma Spectrum,,\n"
    "MED-B,pump-b,10.4.0.2,medical_device,,,8.01.02,Baxter,Sigma Spectrum,,\n"
    "CVE-A,cve-a,10.5.0.1,server,Debian,12,,,,,CVE-2024-99999:critical:2024-01-01\n";

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/ww-cyberalert-XXXXXX");
    if (!f || !mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
    ww_diag_t d;
    memset(&d, 0, sizeof d);
    if (ww_store_open(f->path, &f->st, &d) != 0)
        return -1;
    ww_import_opts_t o;
    memset(&o, 0, sizeof o);
    ww_import_stats_t s;
    memset(&s, 0, sizeof s);
    if (ww_asset_import_mem(f->st, "reg.csv", register_csv, strlen(register_csv), &o, &s, &d) !=
            0 ||
        s.rejected) {
        fprintf(stderr, "import: %s\n", d.msg);
        return -1;
    }
    if (ww_feeds_load(f->st, NULL, &f->feeds, &d) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    ww_feeds_free(f->feeds);
    ww_store_close(f->st);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

/* The applicable assets of an alert as "NAME" / "?NAME" (possible), comma-separated. */
static void applicable(fx_t *f, ww_ca_product_t *p, size_t np, const char **cves, size_t nc,
                       char *out, size_t outlen)
{
    ww_cyberalert_t a = alert(WW_CA_SEV_HIGH);
    a.products = p;
    a.nproducts = np;
    a.cves = cves;
    a.ncves = nc;
    ww_arena_t ar;
    ww_arena_init(&ar, 4096, 0);
    ww_ca_asset_t *x = NULL;
    size_t n = 0;
    ww_diag_t d;
    memset(&d, 0, sizeof d);
    assert_int_equal(ww_cyberalert_applicable(f->st, f->feeds, &a, &ar, &x, &n, &d), 0);
    out[0] = 0;
    for (size_t i = 0; i < n; i++)
        snprintf(out + strlen(out), outlen - strlen(out), "%s%s%s", i ? "," : "",
                 x[i].possible ? "?" : "", x[i].asset);
    ww_arena_release(&ar);
}

#define EXPECT_APPLIES(want, ...)                                                            \
    do {                                                                                     \
        ww_ca_product_t p_[] = {__VA_ARGS__};                                                \
        char got_[512];                                                                      \
        applicable(f, p_, sizeof p_ / sizeof p_[0], NULL, 0, got_, sizeof got_);             \
        if (strcmp(got_, want))                                                              \
            fail_msg("%s:%d: expected [%s], got [%s]", __FILE__, __LINE__, want, got_);      \
    } while (0)

static void test_applicable(void **state)
{
    fx_t *f = *state;
    const char *r74[] = {"7.4.0 - 7.4.3", "7.2.0 - 7.2.6"};
    /* FW-A: firmware 7.4.2 refines os_version 7.4.  FW-C: only a model and firmware.
       FW-E: "7.4" is only the line, in part covered.  FW-B 7.4.4 and FW-D 6.4.9: out. */
    EXPECT_APPLIES("FW-A,FW-C,?FW-E", {"FortiOS", r74, 2});
    /* The same product however the alert names it. */
    EXPECT_APPLIES("FW-A,FW-C,?FW-E", {"Fortinet FortiGate", r74, 2});
    /* A release the data knows exactly: 2012 R2 is not 2012. */
    EXPECT_APPLIES("SRV-A", {"Microsoft Windows Server 2012 R2", NULL, 0});
    EXPECT_APPLIES("SRV-B", {"Windows Server 2012", NULL, 0});
    /* "Windows 10" names the major release: Windows 11 is not it. */
    EXPECT_APPLIES("PC-A", {"Windows 10", NULL, 0});
    const char *ssl[] = {"< 3.0.14"};
    EXPECT_APPLIES("APP-A", {"OpenSSL", ssl, 1});
    /* A product the data does not know: its words, then its versions. */
    const char *pump[] = {"< 8.01.02"};
    EXPECT_APPLIES("MED-A", {"Sigma Spectrum", pump, 1});
    EXPECT_APPLIES("MED-A,MED-B", {"Baxter Sigma Spectrum", NULL, 0});
    EXPECT_APPLIES("", {"Spectrum Sigma", NULL, 0});
    /* Several products: the union. */
    EXPECT_APPLIES("APP-A,SRV-A", {"OpenSSL", ssl, 1}, {"Windows Server 2012 R2", NULL, 0});
    /* A CVE the register lists as a missing update. */
    const char *cves[] = {"cve-2024-99999"};
    char got[256];
    applicable(f, NULL, 0, cves, 1, got, sizeof got);
    assert_string_equal(got, "CVE-A");
}

static ww_ca_who_t who(const char *by, int64_t at)
{
    return (ww_ca_who_t){by, at};
}

static void test_store_and_handling(void **state)
{
    fx_t *f = *state;
    ww_diag_t d;
    memset(&d, 0, sizeof d);
    const char *r[] = {"7.4.0 - 7.4.3", "7.2.0 - 7.2.6"};
    ww_ca_product_t p[] = {{"FortiOS", r, 2}};
    ww_cyberalert_t a = alert(WW_CA_SEV_HIGH);
    a.products = p;
    a.nproducts = 1;
    ww_ca_who_t w = who("alice", PUB + HOUR);
    bool created = false;
    assert_int_equal(ww_cyberalert_put(f->st, &a, false, &w, &created, &d), 0);
    assert_true(created);
    /* The same reference again: refused without replace, any case. */
    a.ref = "cc-4567";
    assert_int_equal(ww_cyberalert_put(f->st, &a, false, &w, NULL, &d), WW_EINVAL);
    assert_non_null(strstr(d.msg, "already recorded"));
    assert_int_equal(ww_cyberalert_refresh(f->st, f->feeds, NULL, &w, &d), 0);

    ww_arena_t ar;
    ww_arena_init(&ar, 4096, 0);
    ww_cyberalert_t got;
    assert_int_equal(ww_cyberalert_get(f->st, "CC-4567", &ar, &got, &d), 1);
    ww_ca_asset_t *x = NULL;
    size_t n = 0;
    assert_int_equal(ww_cyberalert_assets(f->st, got.id, &ar, &x, &n, &d), 0);
    assert_int_equal(n, 3); /* FW-A, FW-C, then FW-E (possible) */
    assert_string_equal(x[0].asset, "FW-A");
    assert_false(x[0].possible);
    assert_true(x[2].possible);

    w = who("bob", PUB + 47 * HOUR);
    assert_int_equal(ww_cyberalert_ack(f->st, "CC-4567", &w, "seen", &d), 0);
    assert_int_equal(ww_cyberalert_ack(f->st, "CC-4567", &w, "again", &d), WW_EINVAL);
    assert_int_equal(ww_cyberalert_set_asset(f->st, "CC-4567", "FW-A", WW_CA_PATCHED, &w,
                                             "upgraded to 7.4.4", &d),
                     0);
    assert_int_equal(
        ww_cyberalert_set_asset(f->st, "CC-4567", "SRV-A", WW_CA_PATCHED, &w, NULL, &d),
        WW_ENOENT);
    assert_int_equal(ww_cyberalert_update(f->st, "CC-4567", &w, "1 of 2 patched", &d), 0);
    assert_int_equal(ww_cyberalert_set_asset(f->st, "nope", "FW-A", WW_CA_PATCHED, &w, NULL, &d),
                     WW_ENOENT);

    /* A recorded state survives a refresh even when the register no longer matches. */
    assert_int_equal(ww_cyberalert_refresh(f->st, f->feeds, "CC-4567", &w, &d), 0);
    ww_arena_reset(&ar);
    assert_int_equal(ww_cyberalert_get(f->st, "CC-4567", &ar, &got, &d), 1);
    assert_int_equal(got.acked_at, PUB + 47 * HOUR);
    assert_string_equal(got.acked_by, "bob");
    assert_int_equal(got.first_update_at, PUB + 47 * HOUR);
    assert_int_equal(ww_cyberalert_assets(f->st, got.id, &ar, &x, &n, &d), 0);
    assert_int_equal(x[0].state, WW_CA_PATCHED);
    assert_string_equal(x[0].state_by, "bob");
    assert_string_equal(x[0].note, "upgraded to 7.4.4");

    ww_ca_note_t *h = NULL;
    size_t nh = 0;
    assert_int_equal(ww_cyberalert_history(f->st, got.id, &ar, &h, &nh, &d), 0);
    assert_int_equal(nh, 4);
    assert_string_equal(h[0].action, "add");
    assert_string_equal(h[0].by, "alice");
    assert_string_equal(h[1].action, "ack");
    assert_string_equal(h[2].action, "asset");
    assert_string_equal(h[3].action, "update");

    /* JSON carries the clocks and the assets. */
    ww_buf_t b;
    ww_buf_init(&b, 0);
    assert_int_equal(ww_cyberalert_json(&b, &got, PUB + 15 * DAY, x, n), 0);
    assert_non_null(strstr(b.p, "\"acknowledge\":{\"state\":\"met\""));
    assert_non_null(strstr(b.p, "\"mitigate\":{\"state\":\"overdue\""));
    assert_non_null(strstr(b.p, "\"asset\":\"FW-C\""));
    ww_buf_release(&b);

    assert_int_equal(ww_cyberalert_close(f->st, "CC-4567", &w, "done", &d), 0);
    assert_int_equal(ww_cyberalert_update(f->st, "CC-4567", &w, "late", &d), WW_EINVAL);
    assert_non_null(strstr(d.msg, "closed"));
    ww_arena_release(&ar);
}

/* The audit's findings for one alert at `now`: counts by check. */
static void audit_at(fx_t *f, int64_t now, size_t *ack, size_t *upd, size_t *unmit)
{
    ww_asset_set_t set;
    ww_diag_t d;
    memset(&d, 0, sizeof d);
    assert_int_equal(ww_asset_load(f->st, &set, &d), 0);
    ww_audit_ref_t ref;
    memset(&ref, 0, sizeof ref);
    ww_ca_audit_t c = {.st = f->st, .feeds = f->feeds, .now = now};
    ref.extra = ww_cyberalert_audit;
    ref.extra_ud = &c;
    ww_audit_report_t *r = NULL;
    assert_int_equal(ww_audit_run(&set, &ref, now, &r), 0);
    assert_int_equal(c.rc, 0);
    *ack = *upd = *unmit = 0;
    for (size_t i = 0; i < r->n; i++) {
        const ww_audit_finding_t *x = &r->findings[i];
        if (!strcmp(x->check, "cyberalert_ack_overdue"))
            (*ack)++;
        else if (!strcmp(x->check, "cyberalert_update_overdue"))
            (*upd)++;
        else if (!strcmp(x->check, "cyberalert_unmitigated")) {
            (*unmit)++;
            assert_string_equal(x->control, "DSPT B4.d");
            assert_non_null(strstr(x->evidence, "CC-9"));
        }
    }
    ww_audit_report_free(r);
    ww_asset_set_release(&set);
}

static void test_audit_findings(void **state)
{
    fx_t *f = *state;
    ww_diag_t d;
    memset(&d, 0, sizeof d);
    const char *r[] = {"7.4.0 - 7.4.3", "7.2.0 - 7.2.6"};
    ww_ca_product_t p[] = {{"FortiOS", r, 2}};
    ww_cyberalert_t a = alert(WW_CA_SEV_HIGH);
    a.ref = "CC-9";
    a.products = p;
    a.nproducts = 1;
    ww_ca_who_t w = who("alice", PUB);
    assert_int_equal(ww_cyberalert_put(f->st, &a, false, &w, NULL, &d), 0);
    size_t ack, upd, unmit;
    audit_at(f, PUB + 48 * HOUR, &ack, &upd, &unmit);
    assert_int_equal(ack + upd + unmit, 0);
    audit_at(f, PUB + 48 * HOUR + 1, &ack, &upd, &unmit);
    assert_int_equal(ack, 1);
    assert_int_equal(upd, 0);
    audit_at(f, PUB + 3 * DAY + 1, &ack, &upd, &unmit);
    assert_int_equal(upd, 1);
    assert_int_equal(unmit, 0);
    audit_at(f, PUB + 14 * DAY, &ack, &upd, &unmit);
    assert_int_equal(unmit, 0);
    /* Past the deadline: every applicable asset still open (FW-A, FW-C; FW-E is only
       possible), one finding each. */
    audit_at(f, PUB + 14 * DAY + 1, &ack, &upd, &unmit);
    assert_int_equal(unmit, 2);
    /* Acknowledged late is history, not an overdue finding; a patched asset drops out. */
    w = who("bob", PUB + 50 * HOUR);
    assert_int_equal(ww_cyberalert_ack(f->st, "CC-9", &w, NULL, &d), 0);
    assert_int_equal(ww_cyberalert_update(f->st, "CC-9", &w, "working on it", &d), 0);
    assert_int_equal(ww_cyberalert_set_asset(f->st, "CC-9", "FW-C", WW_CA_MITIGATED, &w,
                                             "port closed", &d),
                     0);
    audit_at(f, PUB + 14 * DAY + 1, &ack, &upd, &unmit);
    assert_int_equal(ack, 0);
    assert_int_equal(upd, 0);
    assert_int_equal(unmit, 1);
    /* A closed alert adds nothing. */
    assert_int_equal(ww_cyberalert_close(f->st, "CC-9", &w, "accepted risk", &d), 0);
    audit_at(f, PUB + 20 * DAY, &ack, &upd, &unmit);
    assert_int_equal(ack + upd + unmit, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_cmp),
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_range_errors),
        cmocka_unit_test(test_clock_boundaries),
        cmocka_unit_test(test_parse_yaml_and_json),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test_setup_teardown(test_applicable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_and_handling, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_findings, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
