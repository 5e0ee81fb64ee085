/* Unit tests of the audit checks at their boundaries (day 14 vs 15, the end-of-support
 * day itself, ESU, "na", unknown OS), the cross-asset checks, ranking and the NDJSON
 * shape.  Reference data comes from a small table here so every date is exact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "audit/ww_audit_int.h"
#include "store/ww_store.h"

/* ---- fake reference data ---------------------------------------------------------- */

static int64_t day_of(const char *iso)
{
    unsigned y, m, d;
    if (sscanf(iso, "%u-%u-%u", &y, &m, &d) != 3)
        return 0;
    return ww_days_from_civil(y, m, d);
}

static int64_t secs(const char *iso)
{
    return day_of(iso) * WW_AUDIT_DAY;
}

static const struct {
    const char *product, *version, *eol, *eoes;
    bool free_ext;
} eol_table[] = {
    {"Windows 10", "22H2", "2025-10-14", "2028-10-10", false},
    {"Windows 7", "SP1", "2020-01-14", NULL, false},
    {"Windows XP", "SP3", "2014-04-08", NULL, false},
    {"Windows 11", "24H2", "2026-10-13", NULL, false},
    {"Ubuntu", "22.04", "2027-04-01", "2032-04-09", false},
    {"Debian", "11", "2024-08-14", "2026-08-31", true},
    {"Internet Explorer", "11", "2022-06-15", NULL, false},
    {"Google Chrome", "140", "2026-12-31", NULL, false},
    {"FortiOS 6.0", "", "2022-09-29", NULL, false},
    {"Android", "16", "never", NULL, false},
};

static int fake_eol(void *ud, const char *product, const char *version, ww_audit_eol_t *out)
{
    for (size_t i = 0; i < sizeof eol_table / sizeof eol_table[0]; i++) {
        if (strcmp(eol_table[i].product, product) || strcmp(eol_table[i].version, version))
            continue;
        memset(out, 0, sizeof *out);
        snprintf(out->product, sizeof out->product, "%s", product);
        snprintf(out->release, sizeof out->release, "%s", version);
        out->eol_day =
            !strcmp(eol_table[i].eol, "never") ? WW_AUDIT_NEVER : day_of(eol_table[i].eol);
        out->eoes_day = eol_table[i].eoes ? day_of(eol_table[i].eoes) : WW_AUDIT_ENDED;
        out->extended_free = eol_table[i].free_ext;
        return 1;
    }
    return 0;
}

static int fake_kev(void *ud, const char *cve, ww_audit_kev_t *out)
{
    if (!strcmp(cve, "CVE-2017-0144")) {
        out->ransomware = true;
        out->name = "Microsoft SMBv1 Remote Code Execution Vulnerability";
        return 1;
    }
    if (!strcmp(cve, "CVE-2021-44228")) {
        out->ransomware = false;
        out->name = "Apache Log4j2 Remote Code Execution Vulnerability";
        return 1;
    }
    return 0;
}

static const ww_audit_ref_t ref = {.kev = fake_kev, .eol = fake_eol};

/* ---- helpers ---------------------------------------------------------------------- */

static ww_asset_t asset(const char *id, ww_asset_type_t type)
{
    ww_asset_t a;
    memset(&a, 0, sizeof a);
    a.asset_id = id;
    a.hostname = "";
    a.mac = "";
    a.type = type;
    a.segment = "";
    a.os = a.os_version = a.build = a.firmware = a.notes = "";
    a.last_patched = a.last_boot = WW_ASSET_NOTIME;
    a.first_seen = a.last_seen = WW_ASSET_NOTIME;
    return a;
}

/* Audits the given assets as of `day`; the caller frees the report. */
static ww_audit_report_t *audit(const ww_asset_t *as, size_t n, const char *day)
{
    ww_audit_report_t *r = NULL;
    assert_int_equal(ww_audit_report_new(secs(day), &r), 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(ww_audit_asset(r, &as[i], &ref), 0);
    assert_int_equal(ww_audit_finish(r), 0);
    return r;
}

static const ww_audit_finding_t *find(const ww_audit_report_t *r, const char *asset_id,
                                      const char *check)
{
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->findings[i].asset_id, asset_id) && !strcmp(r->findings[i].check, check))
            return &r->findings[i];
    return NULL;
}

/* Number of findings of one check (any asset). */
static size_t count(const ww_audit_report_t *r, const char *check)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += !strcmp(r->findings[i].check, check);
    return n;
}

/* ---- 14-day fixes ----------------------------------------------------------------- */

static void test_patch_day14_passes_day15_fails(void **state)
{
    ww_update_t u = {"CVE-2026-1111", WW_SEV_CRITICAL, -1, secs("2026-04-01")};
    ww_asset_t a = asset("PC1", WW_AT_DESKTOP);
    a.updates = &u;
    a.nupdates = 1;
    ww_audit_report_t *r = audit(&a, 1, "2026-04-15"); /* day 14 */
    assert_null(find(r, "PC1", "patch_overdue"));
    ww_audit_report_free(r);
    /* A release time late in the day still counts as that day. */
    u.released = secs("2026-04-01") + 23 * 3600;
    r = audit(&a, 1, "2026-04-15");
    assert_null(find(r, "PC1", "patch_overdue"));
    ww_audit_report_free(r);
    r = audit(&a, 1, "2026-04-16"); /* day 15 */
    const ww_audit_finding_t *f = find(r, "PC1", "patch_overdue");
    assert_non_null(f);
    assert_string_equal(f->control, "A6.4");
    assert_true(f->auto_fail);
    assert_int_equal(f->severity, WW_SEV_CRITICAL);
    assert_non_null(strstr(f->evidence, "CVE-2026-1111"));
    assert_non_null(strstr(f->evidence, "15 days ago"));
    ww_audit_report_free(r);
}

static void test_patch_scope(void **state)
{
    /* Which updates are critical/high under Cyber Essentials. */
    ww_update_t crit = {"A", WW_SEV_CRITICAL, -1, 0}, high = {"B", WW_SEV_HIGH, -1, 0};
    ww_update_t med = {"C", WW_SEV_MEDIUM, -1, 0}, low = {"D", WW_SEV_LOW, -1, 0};
    ww_update_t med_cvss7 = {"E", WW_SEV_MEDIUM, 7.0, 0}, med_cvss69 = {"F", WW_SEV_MEDIUM, 6.9, 0};
    ww_update_t none = {"G", WW_SEV_NONE, -1, 0}, none_cvss5 = {"H", WW_SEV_NONE, 5.0, 0};
    ww_update_t none_cvss9 = {"I", WW_SEV_NONE, 9.8, 0};
    assert_true(ww_audit_update_in_scope(&crit));
    assert_true(ww_audit_update_in_scope(&high));
    assert_false(ww_audit_update_in_scope(&med));
    assert_false(ww_audit_update_in_scope(&low));
    assert_true(ww_audit_update_in_scope(&med_cvss7));
    assert_false(ww_audit_update_in_scope(&med_cvss69));
    assert_true(ww_audit_update_in_scope(&none));
    assert_false(ww_audit_update_in_scope(&none_cvss5));
    assert_true(ww_audit_update_in_scope(&none_cvss9));

    /* No severity given -> high; no release date or a future date -> never overdue. */
    ww_update_t ups[] = {
        {"KB1", WW_SEV_NONE, -1, secs("2026-01-01")},
        {"KB2", WW_SEV_LOW, -1, secs("2026-01-01")},
        {"KB3", WW_SEV_HIGH, -1, WW_ASSET_NOTIME},
        {"KB4", WW_SEV_CRITICAL, -1, secs("2026-06-01")},
    };
    ww_asset_t a = asset("SRV1", WW_AT_SERVER);
    a.updates = ups;
    a.nupdates = 4;
    ww_audit_report_t *r = audit(&a, 1, "2026-05-01");
    const ww_audit_finding_t *f = find(r, "SRV1", "patch_overdue");
    assert_non_null(f);
    assert_int_equal(f->severity, WW_SEV_HIGH);
    assert_non_null(strstr(f->evidence, "KB1 (no severity given"));
    assert_null(strstr(f->evidence, "KB2"));
    assert_null(strstr(f->evidence, "KB3"));
    assert_null(strstr(f->evidence, "KB4"));
    assert_string_equal(f->title, "1 critical/high-risk fix not installed within 14 days");
    assert_int_equal(r->n, 1);
    ww_audit_report_free(r);

    /* Only low/medium missing: nothing. */
    a.updates = ups + 1;
    a.nupdates = 1;
    r = audit(&a, 1, "2026-05-01");
    assert_int_equal(r->n, 0);
    ww_audit_report_free(r);
}

/* ---- KEV --------------------------------------------------------------------------- */

static void test_kev(void **state)
{
    ww_update_t ups[] = {
        {"CVE-2017-0144", WW_SEV_CRITICAL, 8.1, secs("2026-04-25")},
        {"MS17-010", WW_SEV_CRITICAL, -1, secs("2026-04-25")},
    };
    ww_asset_t a = asset("PACS1", WW_AT_SERVER);
    a.updates = ups;
    a.nupdates = 2;
    a.clinical_criticality = WW_CRIT_CRITICAL;
    ww_audit_report_t *r = audit(&a, 1, "2026-05-01"); /* 6 days: not overdue yet */
    const ww_audit_finding_t *f = find(r, "PACS1", "kev");
    assert_non_null(f);
    assert_true(f->kev);
    assert_true(f->ransomware);
    assert_false(f->auto_fail);
    assert_int_equal(f->severity, WW_SEV_CRITICAL);
    assert_string_equal(f->control, "A6.4");
    assert_string_equal(f->title, "Vulnerability used by ransomware is not patched");
    assert_null(strstr(f->evidence, "MS17-010"));
    assert_null(find(r, "PACS1", "patch_overdue"));
    ww_audit_report_free(r);

    r = audit(&a, 1, "2026-05-10"); /* 15 days: overdue as well */
    f = find(r, "PACS1", "kev");
    assert_non_null(f);
    assert_true(f->auto_fail);
    assert_int_equal(f->severity, WW_SEV_CRITICAL);
    /* Known-exploited and overdue is one finding that keeps both reasons... */
    assert_string_equal(f->title, "Vulnerability used by ransomware is not patched, and the "
                                  "14-day deadline has passed");
    assert_non_null(strstr(f->evidence, "Known Exploited Vulnerabilities"));
    assert_non_null(strstr(f->evidence, "not installed within 14 days of release: CVE-2017-0144 "
                                        "(critical, CVSS 8.1, released 2026-04-25, 15 days ago)"));
    /* ...and the overdue fix that is not in KEV (MS17-010) is still its own finding. */
    const ww_audit_finding_t *p = find(r, "PACS1", "patch_overdue");
    assert_non_null(p);
    assert_non_null(strstr(p->evidence, "MS17-010"));
    assert_null(strstr(p->evidence, "CVE-2017-0144"));
    assert_string_equal(p->title, "1 critical/high-risk fix not installed within 14 days");
    assert_int_equal(r->n, 2);
    ww_audit_report_free(r);

    /* Only the KEV CVE, overdue: exactly one finding, and A6.4 failing automatically. */
    a.nupdates = 1;
    r = audit(&a, 1, "2026-05-10");
    assert_int_equal(r->n, 1);
    assert_string_equal(r->findings[0].check, "kev");
    assert_true(r->findings[0].auto_fail);
    int a64 = -1;
    size_t nc;
    const ww_audit_control_t *cs = ww_audit_controls(&nc);
    for (size_t i = 0; i < nc; i++)
        if (!strcmp(cs[i].id, "A6.4"))
            a64 = (int)i;
    assert_int_equal(r->tally[a64].failed, 1);
    assert_int_equal(r->tally[a64].failed_auto, 1);
    ww_audit_report_free(r);
    a.nupdates = 2;

    ww_update_t log4j = {"CVE-2021-44228", WW_SEV_CRITICAL, 10.0, secs("2021-12-10")};
    a.updates = &log4j;
    a.nupdates = 1;
    r = audit(&a, 1, "2026-05-01");
    f = find(r, "PACS1", "kev");
    assert_non_null(f);
    assert_false(f->ransomware);
    assert_string_equal(f->title, "Vulnerability known to be exploited is not patched, and the "
                                  "14-day deadline has passed");
    ww_audit_report_free(r);
}

/* ---- support status --------------------------------------------------------------- */

static void test_os_end_of_support_day(void **state)
{
    ww_asset_t a = asset("PC7", WW_AT_DESKTOP);
    a.os = "Windows 7";
    a.os_version = "SP1";
    ww_audit_report_t *r = audit(&a, 1, "2020-01-14"); /* the last day of support */
    assert_int_equal(r->n, 0);
    assert_int_equal(r->support[WW_SUPPORT_SUPPORTED], 1);
    ww_audit_report_free(r);
    r = audit(&a, 1, "2020-01-15");
    const ww_audit_finding_t *f = find(r, "PC7", "unsupported_os");
    assert_non_null(f);
    assert_string_equal(f->control, "A6.1");
    assert_int_equal(f->severity, WW_SEV_HIGH);
    assert_false(f->auto_fail);
    assert_non_null(strstr(f->evidence, "2020-01-14"));
    assert_int_equal(r->nunsupported, 1);
    ww_audit_report_free(r);
}

static void test_esu(void **state)
{
    ww_asset_t a = asset("W10", WW_AT_LAPTOP);
    a.os = "Windows 10";
    a.os_version = "22H2";
    a.segment = "legacy";
    /* Past end of support without enrolment: unsupported, remedy says enrol. */
    ww_audit_report_t *r = audit(&a, 1, "2026-01-01");
    const ww_audit_finding_t *f = find(r, "W10", "unsupported_os");
    assert_non_null(f);
    assert_non_null(strstr(f->evidence, "no enrolment"));
    assert_non_null(strstr(f->remedy, "extended security updates"));
    ww_audit_report_free(r);
    /* Enrolled (the esu column): supported up to and including the ESU end day. */
    a.esu = WW_TRI_YES;
    r = audit(&a, 1, "2026-01-01");
    assert_int_equal(r->n, 0);
    assert_int_equal(r->support[WW_SUPPORT_ESU], 1);
    ww_audit_report_free(r);
    r = audit(&a, 1, "2028-10-10");
    assert_int_equal(r->n, 0);
    ww_audit_report_free(r);
    r = audit(&a, 1, "2028-10-11");
    assert_non_null(find(r, "W10", "unsupported_os"));
    ww_audit_report_free(r);
    /* Free text never enrols: not "ESU NOT purchased", not even a plain "ESU" in the
       version or the notes; the evidence then says that only the column counts. */
    static const char *const texts[][3] = {
        /* os_version, build, notes */
        {"22H2", "", "ESU NOT purchased"},
        {"22H2 ESU", "", ""},
        {"22H2", "ESU", ""},
        {"22H2", "", "Extended Security Updates year 1 purchased"},
        {"22H2", "", "no extended support; Ubuntu Pro quote pending"},
    };
    a.esu = WW_TRI_UNKNOWN;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        a.os_version = texts[i][0];
        a.build = texts[i][1];
        a.notes = texts[i][2];
        r = audit(&a, 1, "2026-01-01");
        f = find(r, "W10", "unsupported_os");
        assert_non_null(f);
        assert_int_equal(r->support[WW_SUPPORT_ESU], 0);
        assert_non_null(strstr(f->evidence, "only the esu column counts"));
        ww_audit_report_free(r);
    }
    /* The column decides, both ways, whatever the text says. */
    a.esu = WW_TRI_YES;
    a.notes = "ESU NOT purchased";
    r = audit(&a, 1, "2026-01-01");
    assert_int_equal(r->n, 0);
    ww_audit_report_free(r);
    a.esu = WW_TRI_NO;
    a.os_version = "22H2 ESU";
    a.notes = "ESU purchased";
    r = audit(&a, 1, "2026-01-01");
    f = find(r, "W10", "unsupported_os");
    assert_non_null(f);
    assert_non_null(strstr(f->evidence, "(esu = no)"));
    ww_audit_report_free(r);
    a.notes = a.build = "";
    a.os_version = "22H2";
    a.esu = WW_TRI_UNKNOWN;
    /* Debian LTS needs no subscription. */
    ww_asset_t d = asset("DEB", WW_AT_SERVER);
    d.os = "Debian";
    d.os_version = "11";
    r = audit(&d, 1, "2026-08-31");
    assert_int_equal(r->n, 0);
    ww_audit_report_free(r);
    r = audit(&d, 1, "2026-09-01");
    assert_non_null(find(r, "DEB", "unsupported_os"));
    ww_audit_report_free(r);
    /* eol: false -> supported whatever the date. */
    ww_asset_t m = asset("PHONE", WW_AT_MOBILE);
    m.os = "Android";
    m.os_version = "16";
    r = audit(&m, 1, "2099-01-01");
    assert_int_equal(r->n, 0);
    ww_audit_report_free(r);
}

static void test_unknown_and_na_os(void **state)
{
    ww_asset_t as[5] = {asset("PUMP", WW_AT_MEDICAL_DEVICE), asset("SAAS", WW_AT_CLOUD_SERVICE),
                        asset("BLANK", WW_AT_IOT), asset("FW", WW_AT_FIREWALL),
                        asset("BARE", WW_AT_MEDICAL_DEVICE)};
    as[0].os = "Proprietary RTOS";
    as[0].os_version = "4.2";
    as[1].os = "na";
    as[3].firmware = "FortiOS 6.0";
    as[4].firmware = "2.3.1"; /* a version alone names no product: not checked */
    ww_audit_report_t *r = audit(as, 5, "2026-05-01");
    const ww_audit_finding_t *f = find(r, "PUMP", "support_unknown");
    assert_non_null(f);
    assert_int_equal(f->severity, WW_SEV_LOW);
    assert_string_equal(f->control, "A6.1");
    assert_null(find(r, "PUMP", "unsupported_os"));
    assert_null(find(r, "SAAS", "support_unknown"));
    assert_null(find(r, "BLANK", "support_unknown"));
    assert_null(find(r, "BARE", "support_unknown"));
    f = find(r, "FW", "unsupported_os");
    assert_non_null(f);
    assert_string_equal(f->title, "Firmware no longer supported by its vendor");
    assert_int_equal(count(r, "support_unknown"), 1);
    assert_int_equal(r->support[WW_SUPPORT_UNKNOWN], 1);
    ww_audit_report_free(r);

    /* No end-of-life data at all: unknown, never unsupported. */
    ww_audit_ref_t none = {0};
    assert_int_equal(
        ww_audit_support_status(&none, "Windows XP", "SP3", false, day_of("2026-01-01"), NULL),
        WW_SUPPORT_UNKNOWN);
    assert_int_equal(ww_audit_support_status(&ref, "", "", false, 0, NULL),
                     WW_SUPPORT_NOT_EVALUATED);
}

static void test_unsupported_software(void **state)
{
    ww_software_t sw[] = {
        {"Internet Explorer", "11"}, {"Google Chrome", "140"}, {"Notepad++", "8.6"}};
    ww_asset_t a = asset("PC", WW_AT_DESKTOP);
    a.software = sw;
    a.nsoftware = 3;
    ww_audit_report_t *r = audit(&a, 1, "2026-05-01");
    const ww_audit_finding_t *f = find(r, "PC", "unsupported_software");
    assert_non_null(f);
    assert_string_equal(f->control, "A6.6");
    assert_non_null(strstr(f->evidence, "Internet Explorer 11"));
    assert_null(strstr(f->evidence, "Chrome"));
    assert_null(strstr(f->evidence, "Notepad"));
    assert_int_equal(r->n, 1); /* the unknown product is not reported */
    ww_audit_report_free(r);
}

/* ---- configuration flags ------------------------------------------------------------ */

static void test_flags(void **state)
{
    ww_asset_t as[4] = {asset("A", WW_AT_DESKTOP), asset("B", WW_AT_DESKTOP),
                        asset("C", WW_AT_FIREWALL), asset("D", WW_AT_MEDICAL_DEVICE)};
    as[0].firewall_enabled = WW_TRI_NO;
    as[0].av_enabled = WW_TRI_NO;
    as[0].autorun_disabled = WW_TRI_NO;
    as[0].default_password_changed = WW_TRI_NO;
    as[1].firewall_enabled = WW_TRI_YES;
    as[1].av_enabled = WW_TRI_YES;
    as[1].autorun_disabled = WW_TRI_YES;
    as[1].default_password_changed = WW_TRI_YES;
    as[2].default_password_changed = WW_TRI_NO;
    as[3].firewall_enabled = WW_TRI_NA;
    as[3].av_enabled = WW_TRI_NA;
    as[3].autorun_disabled = WW_TRI_NA;
    as[3].default_password_changed = WW_TRI_NA;
    ww_audit_report_t *r = audit(as, 4, "2026-05-01");
    const ww_audit_finding_t *f = find(r, "A", "firewall_off");
    assert_non_null(f);
    assert_string_equal(f->control, "A4.1.1");
    assert_string_equal(find(r, "A", "antimalware_off")->control, "A8.1");
    f = find(r, "A", "autorun_on");
    assert_string_equal(f->control, "A5.8");
    assert_int_equal(f->severity, WW_SEV_MEDIUM);
    assert_string_equal(find(r, "A", "default_credentials")->control, "A5.3");
    assert_string_equal(find(r, "C", "default_credentials")->control, "A4.2");
    assert_int_equal(r->n, 5);
    /* Tallies: A4.1.1 applied to A and B (not to the "na" device). */
    int i = 0;
    size_t nc;
    const ww_audit_control_t *cs = ww_audit_controls(&nc);
    while (strcmp(cs[i].id, "A4.1.1"))
        i++;
    assert_int_equal(r->tally[i].evaluated, 2);
    assert_int_equal(r->tally[i].failed, 1);
    ww_audit_report_free(r);
}

static void test_mfa(void **state)
{
    ww_asset_t as[5] = {asset("M365", WW_AT_CLOUD_SERVICE), asset("VPN", WW_AT_SERVER),
                        asset("INT", WW_AT_SERVER), asset("NA", WW_AT_CLOUD_SERVICE),
                        asset("OK", WW_AT_CLOUD_SERVICE)};
    as[0].mfa = WW_TRI_NO;
    as[1].mfa = WW_TRI_NO;
    as[1].internet_exposed = WW_TRI_YES;
    as[2].mfa = WW_TRI_NO;
    as[2].internet_exposed = WW_TRI_NO;
    as[3].mfa = WW_TRI_NA;
    as[4].mfa = WW_TRI_YES;
    ww_audit_report_t *r = audit(as, 5, "2026-05-01");
    const ww_audit_finding_t *f = find(r, "M365", "mfa_missing");
    assert_non_null(f);
    assert_string_equal(f->control, "A7.17");
    assert_true(f->auto_fail);
    f = find(r, "VPN", "mfa_missing");
    assert_non_null(f);
    assert_string_equal(f->control, "A5.5");
    assert_false(f->auto_fail);
    assert_true(f->internet);
    assert_int_equal(r->n, 2);
    ww_audit_report_free(r);
}

static void test_reboot(void **state)
{
    ww_asset_t as[3] = {asset("R7", WW_AT_SERVER), asset("R8", WW_AT_SERVER),
                        asset("CLOUD", WW_AT_CLOUD_SERVICE)};
    as[0].last_boot = secs("2026-04-24") + 3600;
    as[1].last_boot = secs("2026-04-23") + 80000;
    as[1].last_patched = secs("2026-04-28");
    as[2].last_boot = secs("2026-01-01");
    ww_audit_report_t *r = audit(as, 3, "2026-05-01");
    assert_null(find(r, "R7", "reboot_overdue")); /* 7 days: fine */
    const ww_audit_finding_t *f = find(r, "R8", "reboot_overdue");
    assert_non_null(f);
    assert_string_equal(f->control, "A6.4");
    assert_false(f->auto_fail);
    assert_int_equal(f->severity, WW_SEV_MEDIUM);
    assert_non_null(strstr(f->evidence, "8 days ago"));
    assert_non_null(strstr(f->evidence, "2026-04-28 wait for a restart"));
    assert_int_equal(r->n, 1);
    ww_audit_report_free(r);
}

/* ---- cross-asset checks ----------------------------------------------------------- */

/* A fake network map: segment "sealed" is isolated, "routed" is not, others unknown. */
static int fake_map(void *ud, const ww_asset_t *a, char *where, size_t wherelen)
{
    int *calls = ud;
    (*calls)++;
    if (!strcmp(a->segment, "sealed") || (a->nips && !strcmp(a->ips[0], "10.66.0.5"))) {
        snprintf(where, wherelen, "sealed");
        return 1;
    }
    if (!strcmp(a->segment, "routed")) {
        snprintf(where, wherelen, "routed");
        return 0;
    }
    return -1;
}

/* Isolation is what the register (column isolated) or the network map records, never
 * inferred: an unsupported machine that shares its VLAN only with other unsupported
 * machines is not isolated unless something marks the segment so. */
static void test_isolation(void **state)
{
    ww_asset_t as[9] = {
        asset("XP-MIXED", WW_AT_MEDICAL_DEVICE),  asset("W11", WW_AT_DESKTOP),
        asset("XP-ALONE", WW_AT_MEDICAL_DEVICE),  asset("SW", WW_AT_NETWORK),
        asset("XP-NET", WW_AT_DESKTOP),           asset("XP-NOSEG", WW_AT_DESKTOP),
        asset("XP-ALONE2", WW_AT_DESKTOP),        asset("UNK", WW_AT_MEDICAL_DEVICE),
        asset("XP-MARKED", WW_AT_MEDICAL_DEVICE),
    };
    for (int i = 0; i < 9; i++) {
        as[i].os = "Windows XP";
        as[i].os_version = "SP3";
    }
    as[0].segment = "Clinical";
    as[1].segment = "clinical";
    as[1].os = "Windows 11";
    as[1].os_version = "24H2";
    /* legacy-vlan holds only unsupported (or unknown) machines, unmarked. */
    as[2].segment = "legacy-vlan";
    as[3].segment = "legacy-vlan";
    as[3].os = "Cisco IOS XE";
    as[4].segment = "dmz-legacy";
    as[4].internet_exposed = WW_TRI_YES;
    as[4].isolated = WW_TRI_YES; /* internet exposure breaks isolation whatever the mark */
    as[6].segment = "legacy-vlan";
    as[7].segment = "legacy-vlan";
    as[7].os = "Proprietary";
    as[8].segment = "md-isolated";
    as[8].isolated = WW_TRI_YES;
    ww_audit_report_t *r = audit(as, 9, "2026-05-01");
    const ww_audit_finding_t *f = find(r, "XP-ALONE", "unsupported_not_isolated");
    assert_non_null(f);
    assert_string_equal(f->control, "A6.7");
    assert_non_null(strstr(f->evidence, "'legacy-vlan' is not marked as isolated"));
    assert_non_null(find(r, "XP-ALONE2", "unsupported_not_isolated"));
    assert_non_null(find(r, "XP-MIXED", "unsupported_not_isolated"));
    f = find(r, "XP-NET", "unsupported_not_isolated");
    assert_non_null(f);
    assert_non_null(strstr(f->evidence, "exposed to the internet"));
    f = find(r, "XP-NOSEG", "unsupported_not_isolated");
    assert_non_null(f);
    assert_non_null(strstr(f->evidence, "no network segment is recorded"));
    assert_null(find(r, "XP-MARKED", "unsupported_not_isolated"));
    assert_int_equal(count(r, "unsupported_not_isolated"), 5);
    assert_int_equal(count(r, "unsupported_os"), 6);
    assert_int_equal(r->nunsupported, 6);
    ww_audit_report_free(r);

    /* The network map: isolated there counts; routed there, or a register "no", does
       not; the register's "yes" stands even where the map does not place the asset. */
    int calls = 0;
    ww_audit_ref_t mref = ref;
    mref.segment_isolated = fake_map;
    mref.map_ud = &calls;
    ww_asset_t ms[4] = {asset("IN-MAP", WW_AT_DESKTOP), asset("BY-IP", WW_AT_DESKTOP),
                        asset("ROUTED", WW_AT_DESKTOP), asset("SAID-NO", WW_AT_DESKTOP)};
    static const char *ip[] = {"10.66.0.5"};
    for (int i = 0; i < 4; i++) {
        ms[i].os = "Windows XP";
        ms[i].os_version = "SP3";
    }
    ms[0].segment = "sealed";
    ms[1].segment = "elsewhere";
    ms[1].ips = ip;
    ms[1].nips = 1;
    ms[2].segment = "routed";
    ms[3].segment = "sealed";
    ms[3].isolated = WW_TRI_NO;
    assert_int_equal(ww_audit_report_new(secs("2026-05-01"), &r), 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(ww_audit_asset(r, &ms[i], &mref), 0);
    assert_int_equal(ww_audit_finish(r), 0);
    assert_int_equal(calls, 4);
    assert_null(find(r, "IN-MAP", "unsupported_not_isolated"));
    assert_null(find(r, "BY-IP", "unsupported_not_isolated"));
    f = find(r, "ROUTED", "unsupported_not_isolated");
    assert_non_null(f);
    assert_non_null(strstr(f->evidence, "routed to other segments in the network map"));
    f = find(r, "SAID-NO", "unsupported_not_isolated");
    assert_non_null(f);
    assert_non_null(strstr(f->evidence, "isolated = no"));
    size_t nc, a67 = 0;
    const ww_audit_control_t *cs = ww_audit_controls(&nc);
    while (a67 < nc && strcmp(cs[a67].id, "A6.7"))
        a67++;
    assert_true(a67 < nc);
    assert_int_equal(r->tally[a67].evaluated, 4);
    assert_int_equal(r->tally[a67].failed, 2);
    ww_audit_report_free(r);
}

static void test_observed(void **state)
{
    ww_audit_report_t *r = NULL;
    assert_int_equal(ww_audit_report_new(secs("2026-05-01"), &r), 0);
    ww_asset_t reg = asset("INF-1", WW_AT_MEDICAL_DEVICE);
    reg.manufacturer = "BD";
    reg.model = "Alaris";
    assert_int_equal(ww_audit_asset(r, &reg, &ref), 0);
    ww_observed_t med = {.ip = "10.9.0.7",
                         .mac = "00:11:22:33:44:55",
                         .hostname = "",
                         .vendor = "GE Healthcare",
                         .os_guess = "",
                         .source = WW_SRC_NMAP,
                         .first_seen = secs("2026-04-30"),
                         .last_seen = secs("2026-04-30"),
                         .medical_hint = "DICOM port 104 open"};
    ww_observed_t laptop = med;
    laptop.ip = "10.9.0.8";
    laptop.medical_hint = "";
    assert_int_equal(ww_audit_observed(r, &med), 0);
    assert_int_equal(ww_audit_observed(r, &laptop), 0);
    assert_int_equal(ww_audit_finish(r), 0);
    const ww_audit_finding_t *f = find(r, "10.9.0.7", "unregistered_medical_device");
    assert_non_null(f);
    assert_string_equal(f->control, "DSPT A3.a");
    assert_non_null(strstr(f->evidence, "DICOM port 104 open"));
    assert_non_null(strstr(f->evidence, "nmap on 2026-04-30"));
    assert_int_equal(r->n, 1);
    assert_int_equal(r->medical_registered, 1);
    assert_int_equal(r->medical_with_mds2, 1);
    assert_int_equal(r->medical_unregistered, 1);
    assert_int_equal(r->observed, 2);
    ww_audit_report_free(r);
}

/* ---- ranking and output ------------------------------------------------------------- */

static void test_ranking(void **state)
{
    ww_update_t wannacry = {"CVE-2017-0144", WW_SEV_CRITICAL, 8.1, secs("2017-03-14")};
    ww_asset_t as[4] = {asset("D-LOW", WW_AT_DESKTOP), asset("C-CLIN", WW_AT_MEDICAL_DEVICE),
                        asset("B-NET", WW_AT_SERVER), asset("A-RANSOM", WW_AT_SERVER)};
    as[0].autorun_disabled = WW_TRI_NO;
    as[1].firewall_enabled = WW_TRI_NO;
    as[1].clinical_criticality = WW_CRIT_CRITICAL;
    as[2].firewall_enabled = WW_TRI_NO;
    as[2].internet_exposed = WW_TRI_YES;
    as[3].updates = &wannacry;
    as[3].nupdates = 1;
    ww_audit_report_t *r = audit(as, 4, "2026-05-01");
    /* WannaCry is both KEV and overdue: one finding, not two. */
    assert_int_equal(r->n, 4);
    assert_string_equal(r->findings[0].asset_id, "A-RANSOM");
    assert_string_equal(r->findings[0].check, "kev");
    assert_string_equal(r->findings[1].asset_id, "B-NET");  /* internet-facing */
    assert_string_equal(r->findings[2].asset_id, "C-CLIN"); /* clinical critical */
    assert_string_equal(r->findings[3].asset_id, "D-LOW");
    /* The formula (docs/audit.md). */
    assert_int_equal(r->findings[0].score, 100 + 60 + 20 + 40);
    assert_int_equal(r->findings[1].score, 30 + 30);
    assert_int_equal(r->findings[2].score, 16 + 30);
    assert_int_equal(r->findings[3].score, 20);
    ww_audit_report_free(r);
}

static void test_ndjson_shape(void **state)
{
    ww_asset_t a = asset("Q\"1", WW_AT_CLOUD_SERVICE);
    a.mfa = WW_TRI_NO;
    ww_asset_t b = asset("PC2", WW_AT_DESKTOP);
    b.av_enabled = WW_TRI_NO;
    b.hostname = "ward2-pc07";
    b.manufacturer = "Dell";
    b.model = "OptiPlex 7010";
    ww_asset_t as[2] = {a, b};
    ww_audit_report_t *r = audit(as, 2, "2026-05-01");
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    assert_int_equal(ww_audit_write_ndjson(r, m), 0);
    fclose(m);
    const char *want0 = "{\"asset_id\":\"Q\\\"1\",\"hostname\":\"\",\"model\":\"\",\"check\":"
                        "\"mfa_missing\",\"control\":\"A7.17\",\"severity\":\"high\",\"auto_fail\":"
                        "true,\"title\":";
    assert_memory_equal(buf, want0, strlen(want0));
    const char *l2 = strchr(buf, '\n');
    assert_non_null(l2);
    l2++;
    const char *want1 = "{\"asset_id\":\"PC2\",\"hostname\":\"ward2-pc07\",\"model\":\"OptiPlex "
                        "7010\",\"check\":\"antimalware_off\",\"control\":\"A8.1\","
                        "\"severity\":\"high\",\"auto_fail\":false,\"title\":\"";
    assert_memory_equal(l2, want1, strlen(want1));
    assert_non_null(strstr(l2, "\",\"evidence\":\"av_enabled = no\",\"remedy\":\""));
    assert_string_equal(buf + len - 3, "\"}\n");
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += buf[i] == '\n';
    assert_int_equal(lines, 2);
    free(buf);

    /* Table and HTML are written too; the HTML carries its charts. */
    buf = NULL;
    m = open_memstream(&buf, &len);
    assert_int_equal(ww_audit_write_table(r, m), 0);
    fclose(m);
    assert_non_null(strstr(buf, "HIGH (2)"));
    assert_non_null(strstr(buf, "Summary: 2 findings on 2 of 2 assets"));
    assert_non_null(strstr(buf, "asset: ward2-pc07, Dell OptiPlex 7010"));
    free(buf);
    buf = NULL;
    m = open_memstream(&buf, &len);
    assert_int_equal(ww_audit_write_html(r, m), 0);
    fclose(m);
    assert_non_null(strstr(buf, "data-chart=\"controls\""));
    assert_non_null(strstr(buf, "data-chart=\"severity\""));
    assert_non_null(strstr(buf, "Q&quot;1"));
    assert_non_null(strstr(buf, "ward2-pc07, Dell OptiPlex 7010"));
    assert_null(strstr(buf, "Q\"1"));
    assert_null(strstr(buf, "http"));
    free(buf);
    ww_audit_report_free(r);
}

static void test_controls_table(void **state)
{
    size_t n;
    const ww_audit_control_t *cs = ww_audit_controls(&n);
    assert_true(n >= 10);
    assert_true(ww_audit_control("A6.4")->auto_fail);
    assert_true(ww_audit_control("A7.17")->auto_fail);
    assert_false(ww_audit_control("A6.1")->auto_fail);
    assert_null(ww_audit_control("Z9"));
    char d[16];
    ww_audit_day_format(day_of("2028-02-29"), d, sizeof d);
    assert_string_equal(d, "2028-02-29");
    assert_int_equal(ww_audit_day(-1), -1);
    assert_int_equal(ww_audit_day(WW_AUDIT_DAY - 1), 0);
    (void)cs;
}

/* ---- remedies fit the device ------------------------------------------------------- */

/* The rules every remedy keeps, whatever the check: a manufacturer-maintained medical
 * device is told to ask the manufacturer and record it; a firewall, router or switch is
 * never told to go into a segment without internet access. */
static void assert_remedy_fits(const char *check, ww_audit_kind_t kind, const char *text)
{
    if (!text || !*text || text[strlen(text) - 1] != '.')
        fail_msg("%s/%d: remedy is not a sentence: \"%s\"", check, kind, text ? text : "(null)");
    bool ask = strstr(text, "Ask the manufacturer") && strstr(text, "record");
    if (kind == WW_KIND_MEDICAL_MFR && strcmp(check, "unregistered_medical_device") && !ask)
        fail_msg("%s: medical device remedy does not ask the manufacturer: \"%s\"", check, text);
    if (kind != WW_KIND_MEDICAL_MFR && strstr(text, "Ask the manufacturer"))
        fail_msg("%s/%d: only medical devices ask the manufacturer: \"%s\"", check, kind, text);
    if (kind == WW_KIND_NETWORK && (strstr(text, "no internet access") || strstr(text, "Move it") ||
                                    strstr(text, "keep it in")))
        fail_msg("%s: a network appliance is told to move segment: \"%s\"", check, text);
}

static void test_remedy_table(void **state)
{
    static const char *const checks[] = {"patch_overdue",
                                         "kev",
                                         "unsupported_os",
                                         "support_unknown",
                                         "unsupported_software",
                                         "unsupported_not_isolated",
                                         "firewall_off",
                                         "antimalware_off",
                                         "autorun_on",
                                         "default_credentials",
                                         "mfa_missing",
                                         "reboot_overdue",
                                         "unregistered_medical_device"};
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++)
        for (int k = 0; k < WW_KIND__COUNT; k++)
            assert_remedy_fits(checks[i], (ww_audit_kind_t)k, ww__audit_remedy(checks[i], k, 0));
    for (int k = 0; k < WW_KIND__COUNT; k++)
        assert_remedy_fits("unsupported_os", (ww_audit_kind_t)k,
                           ww__audit_remedy("unsupported_os", k, 1));
    /* Who maintains a medical device. */
    ww_asset_t m = asset("M", WW_AT_MEDICAL_DEVICE);
    m.patch_by = "";
    assert_int_equal(ww__audit_kind(&m), WW_KIND_MEDICAL_MFR);
    m.patch_by = "Manufacturer (Philips)";
    assert_int_equal(ww__audit_kind(&m), WW_KIND_MEDICAL_MFR);
    m.patch_by = "Trust IT";
    assert_int_equal(ww__audit_kind(&m), WW_KIND_IOT);
    m.patch_by = "either";
    assert_int_equal(ww__audit_kind(&m), WW_KIND_IOT);
    m.patch_by = "trustee"; /* a word, not a substring */
    assert_int_equal(ww__audit_kind(&m), WW_KIND_MEDICAL_MFR);
    ww_asset_t fw = asset("F", WW_AT_FIREWALL), sw = asset("S", WW_AT_NETWORK);
    assert_int_equal(ww__audit_kind(&fw), WW_KIND_NETWORK);
    assert_int_equal(ww__audit_kind(&sw), WW_KIND_NETWORK);
}

/* Every check fired on every kind of device: each finding's remedy fits its device. */
static void test_remedies_in_findings(void **state)
{
    static ww_update_t ups[] = {
        {"KB500", WW_SEV_CRITICAL, -1, 0},
        {"CVE-2021-44228", WW_SEV_CRITICAL, 10.0, 0},
    };
    ups[0].released = ups[1].released = secs("2026-01-01");
    static ww_software_t ie = {"Internet Explorer", "11"};
    static const ww_asset_type_t types[] = {
        WW_AT_DESKTOP, WW_AT_SERVER,        WW_AT_NETWORK,        WW_AT_FIREWALL,
        WW_AT_IOT,     WW_AT_CLOUD_SERVICE, WW_AT_MEDICAL_DEVICE, WW_AT_MEDICAL_DEVICE};
    ww_asset_t as[16];
    char ids[16][8];
    size_t n = 0;
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        for (int v = 0; v < 2; v++) {
            snprintf(ids[n], sizeof ids[n], "T%zu%c", t, v ? 'b' : 'a');
            ww_asset_t a = asset(ids[n], types[t]);
            a.patch_by = t == 7 ? "trust" : "";
            a.updates = ups;
            a.nupdates = 2;
            a.software = &ie;
            a.nsoftware = 1;
            /* Two OS states: unsupported (XP) and ESU still on sale (Windows 10 22H2),
               then unknown through the second asset's firmware. */
            a.os = v ? "Windows 10" : "Windows XP";
            a.os_version = v ? "22H2" : "SP3";
            a.firewall_enabled = a.av_enabled = a.autorun_disabled = WW_TRI_NO;
            a.default_password_changed = a.mfa = WW_TRI_NO;
            a.internet_exposed = WW_TRI_YES;
            a.last_boot = secs("2026-03-01");
            as[n++] = a;
        }
    }
    ww_audit_report_t *r = audit(as, n, "2026-05-01");
    size_t checked = 0;
    for (size_t i = 0; i < r->n; i++) {
        const ww_audit_finding_t *f = &r->findings[i];
        const ww_asset_t *a = NULL;
        for (size_t j = 0; j < n; j++)
            if (!strcmp(as[j].asset_id, f->asset_id))
                a = &as[j];
        assert_non_null(a);
        assert_remedy_fits(f->check, ww__audit_kind(a), f->remedy);
        checked++;
    }
    /* Every kind got the OS, KEV, patch, flag and isolation findings. */
    assert_true(checked >= 8 * 2 * 6);
    assert_non_null(find(r, "T2a", "unsupported_not_isolated"));
    assert_non_null(find(r, "T6a", "unsupported_not_isolated"));
    ww_audit_report_free(r);
}

/* ---- automatic fails, medical coverage, reference data age -------------------------- */

static void test_autofail_only_from_autofail_findings(void **state)
{
    ww_asset_t a = asset("PC-REBOOT", WW_AT_DESKTOP);
    a.last_boot = secs("2026-04-01");
    ww_audit_report_t *r = audit(&a, 1, "2026-05-01");
    assert_int_equal(r->n, 1);
    assert_false(r->findings[0].auto_fail);
    int a64 = ww__audit_control_index("A6.4");
    assert_int_equal(r->tally[a64].failed, 1);
    assert_int_equal(r->tally[a64].failed_auto, 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_int_equal(ww_audit_write_html(r, m), 0);
    fclose(m);
    /* Red is kept for automatic fails: none here, so it appears only in the stylesheet
       and on the control labels of the auto-fail controls (class "af"). */
    assert_null(strstr(buf, "class=\"bar fail af\""));
    assert_null(strstr(buf, "including automatic-fail controls"));
    for (const char *p = strstr(buf, "#c5221f"); p; p = strstr(p + 1, "#c5221f")) {
        const char *tag = p;
        while (tag > buf && *tag != '<' && *tag != '}' && *tag != '{')
            tag--;
        if (*tag == '<' && !strstr(tag, "af\""))
            fail_msg("automatic-fail colour outside an af element: %.80s", tag);
    }
    free(buf);
    buf = NULL;
    m = open_memstream(&buf, &len);
    assert_int_equal(ww_audit_write_table(r, m), 0);
    fclose(m);
    assert_null(strstr(buf, "AUTO-FAIL"));
    assert_null(strstr(buf, "automatic-fail control is failing"));
    free(buf);
    ww_audit_report_free(r);

    /* An overdue fix is an automatic fail: its share of A6.4 is drawn red. */
    ww_update_t u = {"KB1", WW_SEV_HIGH, -1, secs("2026-04-01")};
    ww_asset_t b[2] = {a, asset("PC-LATE", WW_AT_DESKTOP)};
    b[1].updates = &u;
    b[1].nupdates = 1;
    r = audit(b, 2, "2026-05-01");
    assert_int_equal(r->tally[a64].failed, 2);
    assert_int_equal(r->tally[a64].failed_auto, 1);
    buf = NULL;
    m = open_memstream(&buf, &len);
    assert_int_equal(ww_audit_write_html(r, m), 0);
    fclose(m);
    assert_non_null(strstr(buf, "class=\"bar fail af\" data-value=\"1\""));
    assert_non_null(strstr(buf, "class=\"bar fail\" data-value=\"1\""));
    free(buf);
    ww_audit_report_free(r);
}

static void test_medical_coverage_needs_a_scan(void **state)
{
    ww_asset_t md = asset("MD-1", WW_AT_MEDICAL_DEVICE);
    ww_asset_set_t set;
    memset(&set, 0, sizeof set);
    set.assets = &md;
    set.n = 1;
    set.last_scan = WW_ASSET_NOTIME;
    ww_audit_report_t *r = NULL;
    assert_int_equal(ww_audit_run(&set, &ref, secs("2026-05-01"), &r), 0);
    int dspt = ww__audit_control_index("DSPT A3.a");
    assert_int_equal(r->tally[dspt].evaluated, 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_int_equal(ww_audit_write_html(r, m), 0);
    fclose(m);
    assert_non_null(strstr(buf, "<b>not checked</b><span>medical devices registered"));
    assert_null(strstr(buf, "<b>100%</b>"));
    free(buf);
    buf = NULL;
    m = open_memstream(&buf, &len);
    assert_int_equal(ww_audit_write_table(r, m), 0);
    fclose(m);
    assert_non_null(strstr(buf, "Medical devices registered: not checked (no network scan"));
    free(buf);
    ww_audit_report_free(r);

    set.nscans = 1;
    set.last_scan = secs("2026-04-30");
    assert_int_equal(ww_audit_run(&set, &ref, secs("2026-05-01"), &r), 0);
    assert_int_equal(r->tally[dspt].evaluated, 1);
    assert_int_equal(r->tally[dspt].failed, 0);
    buf = NULL;
    m = open_memstream(&buf, &len);
    assert_int_equal(ww_audit_write_html(r, m), 0);
    fclose(m);
    assert_non_null(strstr(buf, "<b>100%</b><span>medical devices registered</span>"));
    free(buf);
    ww_audit_report_free(r);
}

static void test_reference_data_age(void **state)
{
    ww_audit_ref_t dated = ref;
    dated.kev_day = day_of("2026-04-01");
    dated.eol_day = day_of("2026-03-31");
    dated.kev_version = "2026.04.01";
    ww_asset_set_t set;
    memset(&set, 0, sizeof set);
    set.last_scan = WW_ASSET_NOTIME;
    ww_audit_report_t *r = NULL;
    /* 2026-05-01: KEV is 30 days old (fresh), end-of-life data 31 (stale). */
    assert_int_equal(ww_audit_run(&set, &dated, secs("2026-05-01"), &r), 0);
    assert_true(ww_audit_kev_age(r) <= 0);
    assert_true(ww_audit_eol_age(r) > 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_int_equal(ww_audit_write_table(r, m), 0);
    fclose(m);
    assert_non_null(strstr(buf, "\nCISA KEV catalog dated 2026-04-01, version 2026.04.01\n"));
    assert_non_null(strstr(buf, "WARNING: End-of-life data (endoflife.date) dated 2026-03-31 is "
                                "31 days old on 2026-05-01"));
    free(buf);
    buf = NULL;
    m = open_memstream(&buf, &len);
    assert_int_equal(ww_audit_write_html(r, m), 0);
    fclose(m);
    assert_non_null(strstr(buf, "id=\"stale-data\""));
    assert_non_null(strstr(buf, "CISA KEV catalog dated 2026-04-01"));
    free(buf);
    ww_audit_report_free(r);
    /* A day earlier both are fresh: no warning at all. */
    assert_int_equal(ww_audit_run(&set, &dated, secs("2026-04-30"), &r), 0);
    buf = NULL;
    m = open_memstream(&buf, &len);
    assert_int_equal(ww_audit_write_html(r, m), 0);
    fclose(m);
    assert_null(strstr(buf, "id=\"stale-data\""));
    free(buf);
    ww_audit_report_free(r);
    /* Unknown dates are said, and warned about. */
    assert_int_equal(ww_audit_run(&set, &ref, secs("2026-04-30"), &r), 0);
    assert_int_equal(r->kev_day, WW_AUDIT_NODAY);
    ww_audit_report_free(r);
}

/* ---- history ---------------------------------------------------------------------- */

static void test_history(void **state)
{
    ww_store_t *st = NULL;
    ww_diag_t d;
    assert_int_equal(ww_store_open(":memory:", &st, &d), 0);
    ww_asset_t a = asset("PC", WW_AT_DESKTOP);
    a.av_enabled = a.firewall_enabled = WW_TRI_NO;
    /* Three audits on three days, the middle day twice (the latest run counts). */
    const char *days[] = {"2026-03-01", "2026-04-01", "2026-04-01", "2026-05-01"};
    for (size_t i = 0; i < 4; i++) {
        if (i == 2)
            a.firewall_enabled = WW_TRI_YES; /* fixed on the day, audited again */
        if (i == 3)
            a.av_enabled = WW_TRI_YES;
        ww_audit_report_t *r = audit(&a, 1, days[i]);
        assert_int_equal(ww_audit_history(st, r, true, &d), 0);
        ww_audit_report_free(r);
    }
    /* As of 2026-05-01, without keeping it: 3 points, oldest first, then this run. */
    a.av_enabled = WW_TRI_NO;
    ww_audit_report_t *r = audit(&a, 1, "2026-05-02");
    assert_int_equal(ww_audit_history(st, r, false, &d), 0);
    assert_int_equal(r->nhistory, 4);
    assert_int_equal(r->history[0].day, day_of("2026-03-01"));
    assert_int_equal(r->history[0].findings, 2);
    assert_int_equal(r->history[1].findings, 1);
    assert_int_equal(r->history[2].findings, 0);
    assert_int_equal(r->history[3].day, day_of("2026-05-02"));
    assert_int_equal(r->history[3].findings, 1);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_int_equal(ww_audit_write_html(r, m), 0);
    fclose(m);
    assert_non_null(strstr(buf, "data-chart=\"trend\" data-points=\"4\""));
    /* The legend's automatic-fail swatch is drawn (in red, through its class). */
    assert_non_null(strstr(buf, "<span class=\"sw af\"></span>automatic fails"));
    assert_non_null(strstr(buf, ".sw.af{background:#c5221f"));
    size_t circles = 0;
    for (const char *p = strstr(buf, "<circle class=\"point\""); p;
         p = strstr(p + 1, "<circle class=\"point\""))
        circles++;
    assert_int_equal(circles, 4);
    free(buf);
    buf = NULL;
    m = open_memstream(&buf, &len);
    assert_int_equal(ww_audit_write_table(r, m), 0);
    fclose(m);
    assert_non_null(strstr(buf, "Trend (findings per audit, 4 audits since 2026-03-01): "));
    assert_non_null(strstr(buf, "2 -> 1 (-1) better"));
    free(buf);
    ww_audit_report_free(r);
    /* An audit as of an earlier day never shows the runs after it. */
    r = audit(&a, 1, "2026-03-15");
    assert_int_equal(ww_audit_history(st, r, false, &d), 0);
    assert_int_equal(r->nhistory, 2);
    ww_audit_report_free(r);
    ww_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_patch_day14_passes_day15_fails),
        cmocka_unit_test(test_patch_scope),
        cmocka_unit_test(test_kev),
        cmocka_unit_test(test_os_end_of_support_day),
        cmocka_unit_test(test_esu),
        cmocka_unit_test(test_unknown_and_na_os),
        cmocka_unit_test(test_unsupported_software),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_mfa),
        cmocka_unit_test(test_reboot),
        cmocka_unit_test(test_isolation),
        cmocka_unit_test(test_observed),
        cmocka_unit_test(test_ranking),
        cmocka_unit_test(test_ndjson_shape),
        cmocka_unit_test(test_controls_table),
        cmocka_unit_test(test_remedy_table),
        cmocka_unit_test(test_remedies_in_findings),
        cmocka_unit_test(test_autofail_only_from_autofail_findings),
        cmocka_unit_test(test_medical_coverage_needs_a_scan),
        cmocka_unit_test(test_reference_data_age),
        cmocka_unit_test(test_history),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
