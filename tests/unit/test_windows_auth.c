/* Unit tests for the normalised authentication fields of Windows Security logon and
 * account events (4624 4625 4648 4740 4768 4771 4776), added by
 * ww_event_finish_windows() for every Windows path: evtx_dump, Winlogbeat and NXLog
 * JSON here, the native EVTX decoder via a regression sample when the shared
 * material is there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "event/ww_event.h"

static const ww_field_t *get(const ww_event_t *ev, const char *name)
{
    return ww_event_get(ev, WW_STRZ(name), NULL);
}

static void expect(const ww_event_t *ev, const char *name, const char *value, int type)
{
    const ww_field_t *f = get(ev, name);
    if (!f)
        fail_msg("field %s missing", name);
    if (f->value.n != strlen(value) || memcmp(f->value.p, value, f->value.n) != 0)
        fail_msg("field %s = '%.*s', expected '%s'", name, (int)f->value.n, f->value.p, value);
    if (f->type != type)
        fail_msg("field %s has type %d, expected %d", name, f->type, type);
}

static int count(const ww_event_t *ev, const char *name)
{
    int n = 0;
    for (const ww_field_t *f = get(ev, name); f; f = ww_event_get(ev, WW_STRZ(name), f))
        n++;
    return n;
}

/* Decodes the single record of text into ev; the reader is freed, so the text must
 * outlive ev's use (it is a static string in every test). */
static void decode(const char *text, ww_event_t *ev)
{
    ww_reader_t *r = NULL;
    ww_diag_t d;
    assert_int_equal(ww_reader_open_mem("t.json", text, strlen(text), WW_FMT_AUTO, &r, &d), 0);
    int rc = ww_reader_next(r, ev, &d);
    if (rc != 1)
        fail_msg("rc %d: %s", rc, d.msg);
    ww_reader_free(r);
}

#define EVTX_DUMP(id, data)                                                           \
    "{\"Event\":{\"System\":{\"Provider\":{\"#attributes\":{\"Name\":"                \
    "\"Microsoft-Windows-Security-Auditing\"}},\"EventID\":" #id ",\"TimeCreated\":"  \
    "{\"#attributes\":{\"SystemTime\":\"2024-03-05T10:00:00.000000Z\"}},\"Channel\":" \
    "\"Security\",\"Computer\":\"DC01.trust.nhs.uk\"},\"EventData\":{" data "}}}\n"

static const char ev4625[] = EVTX_DUMP(
    4625, "\"SubjectUserSid\":\"S-1-0-0\",\"SubjectUserName\":\"-\",\"TargetUserName\":"
          "\"administrator\",\"TargetDomainName\":\"TRUST\",\"Status\":\"0xc000006d\","
          "\"FailureReason\":\"%%2313\",\"SubStatus\":\"0xc000006a\",\"LogonType\":3,"
          "\"LogonProcessName\":\"NtLmSsp \",\"AuthenticationPackageName\":\"NTLM\","
          "\"WorkstationName\":\"KALI\",\"IpAddress\":\"203.0.113.50\",\"IpPort\":\"51234\"");

static void test_4625_evtx_dump(void **state)
{
    (void)state;
    ww_event_t ev;
    ww_event_init(&ev);
    decode(ev4625, &ev);
    expect(&ev, "user", "administrator", WW_F_STR);
    expect(&ev, "src_ip", "203.0.113.50", WW_F_STR); /* the address, not the name */
    expect(&ev, "src_port", "51234", WW_F_INT);
    expect(&ev, "outcome", "failure", WW_F_STR);
    expect(&ev, "logon_type", "3", WW_F_INT);
    expect(&ev, "auth_method", "ntlm", WW_F_STR);
    expect(&ev, "auth_service", "windows", WW_F_STR);
    assert_null(get(&ev, "lockout"));
    assert_true(ww_str_eq(ev.category, WW_STR("authentication")));
    assert_true(ww_str_eq(ev.product, WW_STR("windows")));
    /* Native fields are kept. */
    expect(&ev, "IpAddress", "203.0.113.50", WW_F_STR);
    /* Running the finish step again adds nothing twice. */
    ww_event_finish_windows(&ev);
    assert_int_equal(count(&ev, "user"), 1);
    assert_int_equal(count(&ev, "outcome"), 1);
    ww_event_release(&ev);
}

/* Winlogbeat 4624 over RDP from the console of the box itself: IpAddress is loopback,
 * so there is no remote address; the workstation name is a host name, never src_ip;
 * IpPort 0 is no port. */
static const char wlb4624[] =
    "{\"@timestamp\":\"2024-03-05T10:01:00.000Z\",\"event\":{\"code\":\"4624\"},"
    "\"winlog\":{\"channel\":\"Security\",\"event_id\":\"4624\",\"provider_name\":"
    "\"Microsoft-Windows-Security-Auditing\",\"computer_name\":\"WS0142.trust.nhs.uk\","
    "\"event_data\":{\"TargetUserName\":\"jdoe\",\"TargetDomainName\":\"TRUST\","
    "\"LogonType\":\"10\",\"AuthenticationPackageName\":\"Negotiate\",\"WorkstationName\":"
    "\"WS0142\",\"IpAddress\":\"::1\",\"IpPort\":\"0\",\"Status\":\"0x0\"}}}\n";

static void test_4624_winlogbeat_loopback(void **state)
{
    (void)state;
    ww_event_t ev;
    ww_event_init(&ev);
    decode(wlb4624, &ev);
    assert_int_equal(ev.event_id, 4624);
    expect(&ev, "user", "jdoe", WW_F_STR);
    assert_null(get(&ev, "src_ip"));
    expect(&ev, "src_host", "WS0142", WW_F_STR);
    assert_null(get(&ev, "src_port"));
    expect(&ev, "outcome", "success", WW_F_STR);
    expect(&ev, "logon_type", "10", WW_F_INT); /* typed, though the shipper wrote "10" */
    expect(&ev, "auth_method", "negotiate", WW_F_STR);
    ww_event_release(&ev);
}

/* NXLog 4776 (NTLM credential validation on a DC): Workstation with backslashes. */
static const char nx4776[] =
    "{\"EventTime\":\"2024-03-05 10:02:00\",\"Hostname\":\"DC01.trust.nhs.uk\",\"EventID\":4776,"
    "\"SourceName\":\"Microsoft-Windows-Security-Auditing\",\"Channel\":\"Security\","
    "\"PackageName\":\"MICROSOFT_AUTHENTICATION_PACKAGE_V1_0\",\"TargetUserName\":\"jdoe\","
    "\"Workstation\":\"\\\\\\\\WS0099\",\"Status\":\"0xC000006A\"}\n";

static void test_4776_nxlog(void **state)
{
    (void)state;
    ww_event_t ev;
    ww_event_init(&ev);
    decode(nx4776, &ev);
    expect(&ev, "user", "jdoe", WW_F_STR);
    assert_null(get(&ev, "src_ip")); /* 4776 has no address field */
    expect(&ev, "src_host", "WS0099", WW_F_STR);
    expect(&ev, "outcome", "failure", WW_F_STR);
    expect(&ev, "auth_method", "ntlm", WW_F_STR);
    assert_null(get(&ev, "logon_type"));
    ww_event_release(&ev);
}

static void test_kerberos(void **state)
{
    (void)state;
    static const char ok4768[] = EVTX_DUMP(
        4768, "\"TargetUserName\":\"jdoe\",\"TargetDomainName\":\"TRUST.NHS.UK\","
              "\"ServiceName\":\"krbtgt\",\"TicketOptions\":\"0x40810010\",\"Status\":\"0x0\","
              "\"TicketEncryptionType\":\"0x12\",\"PreAuthType\":\"2\",\"IpAddress\":"
              "\"::ffff:10.20.1.15\",\"IpPort\":\"49667\"");
    static const char bad4768[] =
        EVTX_DUMP(4768, "\"TargetUserName\":\"nosuchuser\",\"Status\":\"0x6\",\"IpAddress\":"
                        "\"::ffff:10.20.1.16\",\"IpPort\":\"49668\"");
    static const char bad4771[] =
        EVTX_DUMP(4771, "\"TargetUserName\":\"jdoe\",\"TargetSid\":\"S-1-5-21-1-2-3-1104\","
                        "\"ServiceName\":\"krbtgt/TRUST.NHS.UK\",\"TicketOptions\":\"0x40810010\","
                        "\"Status\":\"0x18\",\"PreAuthType\":\"2\",\"IpAddress\":"
                        "\"::ffff:10.20.1.17\",\"IpPort\":\"50012\"");
    ww_event_t ev;
    ww_event_init(&ev);
    decode(ok4768, &ev);
    expect(&ev, "src_ip", "10.20.1.15", WW_F_STR);
    expect(&ev, "outcome", "success", WW_F_STR);
    expect(&ev, "auth_method", "kerberos", WW_F_STR);
    decode(bad4768, &ev);
    expect(&ev, "outcome", "failure", WW_F_STR);
    expect(&ev, "user", "nosuchuser", WW_F_STR);
    decode(bad4771, &ev);
    expect(&ev, "outcome", "failure", WW_F_STR);
    expect(&ev, "src_ip", "10.20.1.17", WW_F_STR);
    expect(&ev, "src_port", "50012", WW_F_INT);
    ww_event_release(&ev);
}

static void test_4740_lockout_and_4648(void **state)
{
    (void)state;
    static const char lock[] =
        EVTX_DUMP(4740, "\"TargetUserName\":\"jdoe\",\"TargetDomainName\":\"WS0142\","
                        "\"TargetSid\":\"S-1-5-21-1-2-3-1104\",\"SubjectUserName\":\"DC01$\"");
    static const char explicit_creds[] =
        EVTX_DUMP(4648, "\"SubjectUserName\":\"jdoe\",\"TargetUserName\":\"admin_jdoe\","
                        "\"TargetServerName\":\"FS01\",\"IpAddress\":\"-\",\"IpPort\":\"-\"");
    ww_event_t ev;
    ww_event_init(&ev);
    decode(lock, &ev);
    expect(&ev, "user", "jdoe", WW_F_STR);
    assert_null(get(&ev, "src_ip"));
    expect(&ev, "src_host", "WS0142", WW_F_STR); /* the caller computer */
    expect(&ev, "lockout", "true", WW_F_BOOL);
    expect(&ev, "outcome", "failure", WW_F_STR);
    assert_null(get(&ev, "auth_method"));
    decode(explicit_creds, &ev);
    expect(&ev, "user", "admin_jdoe", WW_F_STR);
    expect(&ev, "outcome", "success", WW_F_STR);
    assert_null(get(&ev, "src_ip")); /* 4648 names the target, never a source */
    assert_null(get(&ev, "src_port"));
    assert_null(get(&ev, "dst_ip")); /* "-" */
    expect(&ev, "dst_host", "FS01", WW_F_STR);
    ww_event_release(&ev);
}

/* Other channels and other IDs get nothing. */
static void test_not_auth(void **state)
{
    (void)state;
    static const char other[] =
        "{\"Event\":{\"System\":{\"Provider\":{\"#attributes\":{\"Name\":\"Some-Provider\"}},"
        "\"EventID\":4625,\"Channel\":\"Application\"},\"EventData\":{\"TargetUserName\":\"x\"}}}"
        "\n";
    static const char id4688[] =
        EVTX_DUMP(4688, "\"TargetUserName\":\"x\",\"NewProcessName\":\"C:\\\\x.exe\"");
    ww_event_t ev;
    ww_event_init(&ev);
    decode(other, &ev);
    assert_null(get(&ev, "user"));
    assert_int_equal(ev.category.n, 0);
    decode(id4688, &ev);
    assert_null(get(&ev, "user"));
    assert_null(get(&ev, "auth_service"));
    ww_event_release(&ev);
}

/* The native EVTX decoder goes through the same step: a regression sample's 4648. */
static void test_evtx_native(void **state)
{
    (void)state;
    const char *shared = getenv("WW_SHARED");
    if (!shared)
        skip();
    char path[4096];
    snprintf(
        path, sizeof path,
        "%s/sigma/regression/rules/windows/builtin/security/"
        "win_security_explicit_credential_local_logon/e3c6d245-7b8f-4e2a-c17f-a9d0e5b38f62.evtx",
        shared);
    ww_reader_t *r = NULL;
    ww_diag_t d;
    if (ww_reader_open(path, WW_FMT_AUTO, &r, &d) != 0)
        skip();
    ww_event_t ev;
    ww_event_init(&ev);
    int found = 0;
    while (ww_reader_next(r, &ev, &d) == 1) {
        if (ev.event_id != 4648)
            continue;
        found++;
        expect(&ev, "user", "testuser", WW_F_STR);
        expect(&ev, "outcome", "success", WW_F_STR);
        expect(&ev, "auth_service", "windows", WW_F_STR);
        assert_true(ww_str_eq(ev.category, WW_STR("authentication")));
    }
    assert_true(found > 0);
    ww_event_release(&ev);
    ww_reader_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_4625_evtx_dump),
        cmocka_unit_test(test_4624_winlogbeat_loopback),
        cmocka_unit_test(test_4776_nxlog),
        cmocka_unit_test(test_kerberos),
        cmocka_unit_test(test_4740_lockout_and_4648),
        cmocka_unit_test(test_not_auth),
        cmocka_unit_test(test_evtx_native),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
