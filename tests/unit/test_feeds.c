/* Unit tests for lib/feeds: KEV lookups, end-of-life matching of OS and product names
 * as people write them (exact cycles, assumed service packs and editions, unknown
 * products and versions), and `feeds import` replacing the bundled data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "feeds/ww_feeds_int.h"

static char data_dir[512];

static int64_t day(const char *iso)
{
    int64_t ns;
    if (ww_time_parse_iso(iso, strlen(iso), &ns) != 0)
        return -1;
    return ns / 1000000000LL;
}

static int load(void **state)
{
    const char *src = getenv("WW_SRC");
    snprintf(data_dir, sizeof data_dir, "%s/data", src ? src : WW_SOURCE_DIR);
    ww_feeds_t *f = NULL;
    ww_diag_t d;
    if (ww_feeds_load(NULL, data_dir, &f, &d) != 0)
        return -1;
    *state = f;
    return 0;
}

static int unload(void **state)
{
    ww_feeds_free(*state);
    return 0;
}

static void test_kev(void **state)
{
    const ww_feeds_t *f = *state;
    assert_true(ww_feeds_kev_count(f) >= 1400);
    assert_string_equal(ww_feeds_kev_version(f), "2025.08.25");
    const ww_kev_t *k = ww_feeds_kev(f, "CVE-2017-0144");
    assert_non_null(k);
    assert_string_equal(k->vendor, "Microsoft");
    assert_string_equal(k->product, "SMBv1");
    assert_true(k->ransomware);
    assert_int_equal(k->date_added, day("2022-02-10"));
    assert_int_equal(k->due_date, day("2022-08-10"));
    /* As people type it. */
    assert_ptr_equal(ww_feeds_kev(f, " cve-2017-0144 "), k);
    k = ww_feeds_kev(f, "CVE-2025-48384");
    assert_non_null(k);
    assert_false(k->ransomware);
    assert_null(ww_feeds_kev(f, "CVE-1999-0001"));
    assert_null(ww_feeds_kev(f, "KB5034441"));
    assert_null(ww_feeds_kev(f, ""));
    assert_null(ww_feeds_kev(NULL, "CVE-2017-0144"));
}

static void expect(const ww_feeds_t *f, const char *name, const char *ver, const char *product,
                   const char *cycle, const char *eol, const char *eoes, bool assumed)
{
    ww_eol_t e;
    ww_eol_status_t s = ww_feeds_eol(f, name, ver, &e);
    if (s != WW_EOL_FOUND)
        fail_msg("%s + %s: expected %s %s, got status %d (%s)", name, ver, product, cycle, s,
                 e.note);
    if (strcmp(e.product, product) || strcmp(e.cycle, cycle))
        fail_msg("%s + %s: expected %s %s, got %s %s", name, ver, product, cycle, e.product,
                 e.cycle);
    if (e.eol != day(eol))
        fail_msg("%s + %s: eol %lld, expected %s", name, ver, (long long)e.eol, eol);
    if (eoes ? e.eoes != day(eoes) : e.eoes != WW_FEEDS_NODATE)
        fail_msg("%s + %s: eoes %lld, expected %s", name, ver, (long long)e.eoes,
                 eoes ? eoes : "none");
    if (e.assumed != assumed)
        fail_msg("%s + %s: assumed %d, expected %d (%s)", name, ver, e.assumed, assumed, e.note);
}

static void test_eol_as_written(void **state)
{
    const ww_feeds_t *f = *state;
    /* The examples. */
    expect(f, "Windows 11", "24H2", "windows", "11-24h2-e", "2027-10-12", NULL, true);
    expect(f, "Windows 11 Pro", "24H2", "windows", "11-24h2-w", "2026-10-13", NULL, false);
    expect(f, "Windows Server 2008 R2", "SP1", "windows-server", "2008-r2-sp1", "2020-01-14",
           "2023-01-10", false);
    expect(f, "Ubuntu", "22.04", "ubuntu", "22.04", "2027-04-01", "2032-04-09", false);
    expect(f, "FortiOS", "7.4", "fortios", "7.4", "2028-11-11", NULL, false);
    /* Editions and channels. */
    expect(f, "Windows 11 Enterprise", "24H2", "windows", "11-24h2-e", "2027-10-12", NULL, false);
    expect(f, "Windows 11 Education", "23h2", "windows", "11-23h2-e", "2026-11-10", NULL, false);
    expect(f, "Windows 11 IoT Enterprise LTSC", "24H2", "windows", "11-24h2-iot-lts", "2034-10-10",
           NULL, false);
    expect(f, "Windows 10 Enterprise LTSC 2019", "", "windows", "10-1809-e-lts", "2029-01-09", NULL,
           false);
    expect(f, "Windows 10", "22H2", "windows", "10-22h2", "2025-10-14", "2028-10-10", false);
    expect(f, "Windows 10 Pro", "10.0.19045.4291", "windows", "10-22h2", "2025-10-14", "2028-10-10",
           false);
    expect(f, "Microsoft Windows 7 Professional", "Service Pack 1", "windows", "7-sp1",
           "2020-01-14", NULL, false);
    expect(f, "Windows XP", "SP3", "windows", "5-sp3", "2014-04-08", NULL, false);
    expect(f, "Windows 8.1", "", "windows", "8.1", "2023-01-10", NULL, false);
    /* A missing service pack takes the latest one (the latest end date). */
    expect(f, "Windows 7", "", "windows", "7-sp1", "2020-01-14", NULL, true);
    expect(f, "Windows Server 2008 R2 Standard", "", "windows-server", "2008-r2-sp1", "2020-01-14",
           "2023-01-10", true);
    expect(f, "Windows Server 2008", "SP2", "windows-server", "2008-sp2", "2020-01-14",
           "2023-01-10", false);
    expect(f, "Windows Server 2012 R2 Datacenter", "", "windows-server", "2012-r2", "2023-10-10",
           "2026-10-13", false);
    expect(f, "Windows Server 2012", "", "windows-server", "2012", "2023-10-10", "2026-10-13",
           false);
    expect(f, "Windows Server 2019", "1809", "windows-server", "2019", "2029-01-09", NULL, false);
    expect(f, "Windows Server", "23H2", "windows-server", "23h2-ac", "2026-05-12", NULL, true);
    /* Dotted versions extend their cycle. */
    expect(f, "Ubuntu", "22.04.4 LTS", "ubuntu", "22.04", "2027-04-01", "2032-04-09", false);
    expect(f, "Ubuntu 20.04", "", "ubuntu", "20.04", "2025-05-31", "2030-04-02", false);
    expect(f, "FortiOS", "v7.4.3 build2573", "fortios", "7.4", "2028-11-11", NULL, false);
    expect(f, "Debian GNU/Linux", "12.5", "debian", "12", "2026-07-11", "2028-06-30", false);
    expect(f, "Red Hat Enterprise Linux", "8.6", "rhel", "8", "2029-05-31", "2033-05-31", false);
    expect(f, "VMware ESXi", "7.0 U3", "vmware-esxi", "7.0", "2025-10-02", NULL, false);
    expect(f, "Internet Explorer", "11", "internet-explorer", "11", "2022-06-14", NULL, false);
    expect(f, "Java", "1.8.0_391", "oracle-jdk", "8", "2022-03-31", "2030-12-31", false);
    expect(f, "Microsoft SQL Server 2016", "SP3", "mssqlserver", "13.0-sp3", "2026-07-14",
           "2029-07-17", false);
    expect(f, "Office", "2016", "office", "2016", "2025-10-14", NULL, false);
}

static void test_eol_still_supported(void **state)
{
    const ww_feeds_t *f = *state;
    ww_eol_t e;
    assert_int_equal(ww_feeds_eol(f, "macOS", "14.2", &e), WW_EOL_FOUND);
    assert_string_equal(e.cycle, "14");
    assert_true(e.eol == WW_FEEDS_NOT_ENDED);
}

static void test_eol_unknown(void **state)
{
    const ww_feeds_t *f = *state;
    ww_eol_t e;
    /* Unknown products and versions are reported as such, never as unsupported. */
    assert_int_equal(ww_feeds_eol(f, "AcmeOS", "1.0", &e), WW_EOL_UNKNOWN_PRODUCT);
    assert_string_equal(e.product, "");
    assert_true(e.eol == WW_FEEDS_NODATE);
    assert_non_null(strstr(e.note, "AcmeOS"));
    assert_int_equal(ww_feeds_eol(f, "VxWorks", "6.9", &e), WW_EOL_UNKNOWN_PRODUCT);
    assert_int_equal(ww_feeds_eol(f, "Cisco IOS", "15.2", &e), WW_EOL_UNKNOWN_PRODUCT);
    assert_int_equal(ww_feeds_eol(f, "", "", &e), WW_EOL_UNKNOWN_PRODUCT);
    assert_int_equal(ww_feeds_eol(f, NULL, NULL, &e), WW_EOL_UNKNOWN_PRODUCT);
    assert_int_equal(ww_feeds_eol(f, "Windows 10", "", &e), WW_EOL_UNKNOWN_VERSION);
    assert_string_equal(e.product, "windows");
    assert_true(e.eol == WW_FEEDS_NODATE);
    assert_int_equal(ww_feeds_eol(f, "Windows 11", "27H2", &e), WW_EOL_UNKNOWN_VERSION);
    assert_int_equal(ww_feeds_eol(f, "Ubuntu", "99.04", &e), WW_EOL_UNKNOWN_VERSION);
    assert_int_equal(ww_feeds_eol(f, "Ubuntu", "", &e), WW_EOL_UNKNOWN_VERSION);
    assert_int_equal(ww_feeds_eol(f, "FortiOS", "7", &e), WW_EOL_UNKNOWN_VERSION);
    /* "22" is not "22.04". */
    assert_int_equal(ww_feeds_eol(f, "Ubuntu", "22", &e), WW_EOL_UNKNOWN_VERSION);
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void test_import_replaces_bundled(void **state)
{
    (void)state;
    char db[] = "/tmp/ww_feeds_testXXXXXX";
    int fd = mkstemp(db);
    assert_true(fd >= 0);
    close(fd);
    char dir[] = "/tmp/ww_feeds_dirXXXXXX";
    assert_non_null(mkdtemp(dir));
    char kev[600], md[600], bad[600], badmd[600];
    snprintf(kev, sizeof kev, "%s/kev.json", dir);
    snprintf(md, sizeof md, "%s/fortios.md", dir);
    snprintf(bad, sizeof bad, "%s/broken.json", dir);
    snprintf(badmd, sizeof badmd, "%s/acme.md", dir);
    write_file(kev,
               "{\"catalogVersion\": \"2099.01.01\", \"vulnerabilities\": ["
               "{\"cveID\": \"CVE-2099-0001\", \"vendorProject\": \"Acme\", \"product\": \"X\","
               " \"vulnerabilityName\": \"Acme X RCE\", \"dateAdded\": \"2099-01-01\","
               " \"dueDate\": \"2099-01-22\", \"knownRansomwareCampaignUse\": \"Known\"}]}\n");
    write_file(md, "---\ntitle: FortiOS\nreleases:\n  - releaseCycle: \"7.4\"\n"
                   "    eol: 2030-01-01\n  - releaseCycle: \"9.0\"\n    eol: false\n---\n\nbody\n");
    write_file(bad, "{\"vulnerabilities\": [ {\"cveID\": ");
    write_file(badmd, "---\ntitle: Acme\nreleases: [\n---\n");
    ww_store_t *st;
    ww_diag_t d = {0};
    assert_int_equal(ww_store_open(db, &st, &d), 0);
    const char *what;
    assert_int_equal(ww_feeds_import_file(st, kev, &what, &d), 0);
    assert_string_equal(what, "kev");
    assert_int_equal(ww_feeds_import_file(st, md, &what, &d), 0);
    assert_string_equal(what, "endoflife");
    assert_int_equal(ww_feeds_import_file(st, bad, &what, &d), WW_EPARSE);
    assert_non_null(strstr(d.msg, "malformed JSON"));
    assert_int_equal(d.line, 1);
    assert_int_equal(ww_feeds_import_file(st, badmd, &what, &d), WW_EPARSE);
    assert_non_null(strstr(d.msg, "end-of-life data"));
    ww_feeds_t *f;
    assert_int_equal(ww_feeds_load(st, data_dir, &f, &d), 0);
    /* The imported KEV replaces the bundled one as a whole. */
    assert_int_equal(ww_feeds_kev_count(f), 1);
    assert_null(ww_feeds_kev(f, "CVE-2017-0144"));
    assert_true(ww_feeds_kev(f, "CVE-2099-0001")->ransomware);
    assert_string_equal(ww_feeds_kev_version(f), "2099.01.01");
    /* FortiOS is replaced; Ubuntu still comes from the bundled data. */
    ww_eol_t e;
    assert_int_equal(ww_feeds_eol(f, "FortiOS", "7.4.1", &e), WW_EOL_FOUND);
    assert_int_equal(e.eol, day("2030-01-01"));
    assert_int_equal(ww_feeds_eol(f, "FortiOS", "9.0", &e), WW_EOL_FOUND);
    assert_true(e.eol == WW_FEEDS_NOT_ENDED);
    assert_int_equal(ww_feeds_eol(f, "FortiOS", "7.2", &e), WW_EOL_UNKNOWN_VERSION);
    assert_int_equal(ww_feeds_eol(f, "Ubuntu", "22.04", &e), WW_EOL_FOUND);
    ww_feeds_free(f);
    /* Reset: the bundled data applies again. */
    assert_int_equal(ww_feeds_reset(st, &d), 0);
    assert_int_equal(ww_feeds_load(st, data_dir, &f, &d), 0);
    assert_non_null(ww_feeds_kev(f, "CVE-2017-0144"));
    assert_int_equal(ww_feeds_eol(f, "FortiOS", "7.2", &e), WW_EOL_FOUND);
    ww_feeds_free(f);
    ww_store_close(st);
    unlink(kev);
    unlink(md);
    unlink(bad);
    unlink(badmd);
    rmdir(dir);
    unlink(db);
    char p[80];
    snprintf(p, sizeof p, "%s-wal", db);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db);
    unlink(p);
}

static void test_missing_data_dir(void **state)
{
    (void)state;
    ww_feeds_t *f;
    ww_diag_t d;
    assert_int_equal(ww_feeds_load(NULL, "/nonexistent/wardwatch-data", &f, &d), 0);
    ww_eol_t e;
    assert_int_equal(ww_feeds_eol(f, "Windows 11", "24H2", &e), WW_EOL_UNKNOWN_PRODUCT);
    assert_null(ww_feeds_kev(f, "CVE-2017-0144"));
    ww_feeds_free(f);
}

/* How old the data is: the catalog's dateReleased, the bundled SNAPSHOT date. */
static void test_data_dates(void **state)
{
    const ww_feeds_t *f = *state;
    assert_int_equal(ww_feeds_kev_date(f), day("2025-08-25T17:04:19Z"));
    const char *slug = NULL;
    int64_t e = ww_feeds_eol_date(f, &slug);
    assert_int_equal(e, day("2026-08-22"));
    assert_non_null(slug);
    assert_int_equal(ww_feeds_kev_date(NULL), WW_FEEDS_NODATE);
}

static ww_eol_product_t convert(const char *json, ww_arena_t *ar, int *rc)
{
    ww_buf_t y;
    ww_buf_init(&y, 1 << 20);
    ww_diag_t d;
    ww_eol_product_t p;
    memset(&p, 0, sizeof p);
    *rc = ww__feeds_eol_from_api("api.json", json, strlen(json), "Fallback Title", &y, &d);
    if (*rc == 0)
        *rc = ww__feeds_parse_eol("api", "prod", y.p, y.n, ar, &p, &d);
    ww_buf_release(&y);
    return p;
}

static void test_eol_from_api(void **state)
{
    (void)state;
    ww_arena_t ar;
    ww_arena_init(&ar, 65536, 0);
    int rc;
    /* v1: the eolFrom date wins; isEol without a date is "ended"; no isEoes = none. */
    ww_eol_product_t p =
        convert("{\"result\":{\"label\":\"Fortinet \\\"FortiOS\\\"\",\"releases\":["
                "{\"name\":\"7.4\",\"label\":\"7.4\",\"releaseDate\":\"2023-05-11\",\"isLts\":true,"
                "\"isEol\":false,\"eolFrom\":\"2026-05-31\",\"isEoes\":false,\"latest\":{\"name\":"
                "\"7.4.8\"}},"
                "{\"name\":\"6.0\",\"isEol\":true,\"eolFrom\":null},"
                "{\"name\":\"8.0\",\"isEol\":false}]}}",
                &ar, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(p.title, "Fortinet \"FortiOS\"");
    assert_int_equal(p.nrel, 3);
    assert_string_equal(p.rel[0].cycle, "7.4");
    assert_int_equal(p.rel[0].eol, day("2026-05-31"));
    assert_int_equal(p.rel[0].release, day("2023-05-11"));
    assert_int_equal(p.rel[0].eoes, WW_FEEDS_NODATE); /* no date: no extended support */
    assert_true(p.rel[0].lts);
    assert_string_equal(p.rel[0].latest, "7.4.8");
    assert_int_equal(p.rel[1].eol, WW_FEEDS_ENDED);
    assert_int_equal(p.rel[1].eoes, WW_FEEDS_NODATE);
    assert_int_equal(p.rel[2].eol, WW_FEEDS_NOT_ENDED);
    /* The older array answer: support/eol/extendedSupport, dates or booleans. */
    p = convert("[{\"cycle\":\"22.04\",\"support\":\"2024-09-30\",\"eol\":\"2027-04-01\","
                "\"extendedSupport\":\"2032-04-09\",\"lts\":true},{\"cycle\":23.10,\"eol\":true}]",
                &ar, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(p.title, "Fallback Title");
    assert_int_equal(p.nrel, 2);
    assert_int_equal(p.rel[0].eoas, day("2024-09-30"));
    assert_int_equal(p.rel[0].eol, day("2027-04-01"));
    assert_int_equal(p.rel[0].eoes, day("2032-04-09"));
    assert_string_equal(p.rel[1].cycle, "23.10");
    assert_int_equal(p.rel[1].eol, WW_FEEDS_ENDED);
    /* Not an answer at all. */
    convert("{\"result\": {}}", &ar, &rc);
    assert_int_equal(rc, WW_EPARSE);
    convert("\"text\"", &ar, &rc);
    assert_int_equal(rc, WW_EPARSE);
    convert("[{\"cycle\": ", &ar, &rc);
    assert_int_equal(rc, WW_EPARSE);
    ww_arena_release(&ar);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kev),
        cmocka_unit_test(test_eol_as_written),
        cmocka_unit_test(test_eol_still_supported),
        cmocka_unit_test(test_eol_unknown),
        cmocka_unit_test(test_import_replaces_bundled),
        cmocka_unit_test(test_missing_data_dir),
        cmocka_unit_test_setup_teardown(test_data_dates, load, unload),
        cmocka_unit_test(test_eol_from_api),
    };
    return cmocka_run_group_tests(tests, load, unload);
}
