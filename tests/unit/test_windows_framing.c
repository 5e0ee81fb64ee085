/* Framing attempts: events in which a client-chosen name (NTLM's workstation name, a
 * Kerberos caller, a cloud field the user types) looks like an address.  Each row is
 * an event and the address it truly came from, or none; the decoders must never give
 * any other src_ip.  Every Windows row is decoded in the three JSON shapes (evtx_dump,
 * Winlogbeat, NXLog), which all reach ww_event_finish_windows(); Zeek and cloud rows
 * check the same rule in their decoders. */
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

/* Checks that field `name` is `want` (NULL: absent) and occurs at most once. */
static void check(const ww_event_t *ev, const char *row, const char *name, const char *want)
{
    const ww_field_t *f = get(ev, name);
    if (!want) {
        if (f)
            fail_msg("%s: %s = '%.*s', expected none", row, name, (int)f->value.n, f->value.p);
        return;
    }
    if (!f)
        fail_msg("%s: %s missing, expected '%s'", row, name, want);
    if (f->value.n != strlen(want) || memcmp(f->value.p, want, f->value.n) != 0)
        fail_msg("%s: %s = '%.*s', expected '%s'", row, name, (int)f->value.n, f->value.p, want);
    if (ww_event_get(ev, WW_STRZ(name), f))
        fail_msg("%s: %s occurs twice", row, name);
}

/* Decodes the one record of `text` (which must outlive ev's use). */
static void decode(const char *text, ww_event_t *ev)
{
    ww_reader_t *r = NULL;
    ww_diag_t d;
    assert_int_equal(ww_reader_open_mem("t.json", text, strlen(text), WW_FMT_AUTO, &r, &d), 0);
    int rc = ww_reader_next(r, ev, &d);
    if (rc != 1)
        fail_msg("rc %d: %s: %s", rc, d.msg, text);
    ww_reader_free(r);
}

typedef struct row {
    int id;
    const char *data; /* EventData members, JSON */
    const char *src_ip, *src_host, *dst_ip;
} row_t;

static const row_t rows[] = {
    /* The client names itself after another machine's address. */
    {4625, "\"IpAddress\":\"-\",\"WorkstationName\":\"10.20.1.99\"", NULL, "10.20.1.99", NULL},
    {4625, "\"IpAddress\":\"\",\"WorkstationName\":\"192.168.1.5\"", NULL, "192.168.1.5", NULL},
    {4625, "\"IpPort\":\"-\",\"WorkstationName\":\"10.0.0.3\"", NULL, "10.0.0.3", NULL},
    {4625, "\"IpAddress\":\"127.0.0.1\",\"IpPort\":\"51000\",\"WorkstationName\":\"10.0.0.7\"",
     NULL, "10.0.0.7", NULL},
    {4625, "\"IpAddress\":\"::1\",\"WorkstationName\":\"fe80::1\"", NULL, "fe80::1", NULL},
    {4624, "\"IpAddress\":\"::ffff:127.0.0.1\",\"WorkstationName\":\"10.0.0.8\"", NULL, "10.0.0.8",
     NULL},
    {4624, "\"IpAddress\":\"127.10.20.30\",\"WorkstationName\":\"\\\\\\\\10.0.0.9\"", NULL,
     "10.0.0.9", NULL},
    {4625, "\"IpAddress\":\"0.0.0.0\",\"WorkstationName\":\"10.0.0.10\"", NULL, "10.0.0.10", NULL},
    {4625, "\"IpAddress\":\"::\",\"WorkstationName\":\"10.0.0.11\"", NULL, "10.0.0.11", NULL},
    {4625, "\"IpAddress\":\"-\",\"WorkstationName\":\"-\"", NULL, NULL, NULL},
    /* A name or junk in the address field is not an address either. */
    {4625, "\"IpAddress\":\"WS0142\",\"WorkstationName\":\"WS0142\"", NULL, "WS0142", NULL},
    {4625, "\"IpAddress\":\"10.1.1.1:445\"", NULL, NULL, NULL},
    {4625, "\"IpAddress\":\"10.1.1.1 evil\"", NULL, NULL, NULL},
    /* 4776 has no address field at all: the workstation is only a name. */
    {4776, "\"Workstation\":\"10.20.1.15\",\"Status\":\"0xc000006a\"", NULL, "10.20.1.15", NULL},
    {4776, "\"Workstation\":\"\\\\\\\\10.20.1.16\",\"Status\":\"0x0\"", NULL, "10.20.1.16", NULL},
    {4776, "\"Workstation\":\"203.0.113.77\"", NULL, "203.0.113.77", NULL},
    /* 4740's caller computer is a name. */
    {4740, "\"TargetDomainName\":\"10.1.1.1\"", NULL, "10.1.1.1", NULL},
    /* 4648's address is the server the credentials were used on. */
    {4648, "\"IpAddress\":\"10.5.5.5\",\"IpPort\":\"445\",\"TargetServerName\":\"10.6.6.6\"", NULL,
     NULL, "10.5.5.5"},
    /* Kerberos: only IpAddress. */
    {4768, "\"IpAddress\":\"::ffff:10.20.1.16\",\"IpPort\":\"49668\"", "10.20.1.16", NULL, NULL},
    {4771, "\"IpAddress\":\"-\"", NULL, NULL, NULL},
    {4771, "\"IpAddress\":\"::ffff:127.0.0.1\"", NULL, NULL, NULL},
    /* Real remote addresses stay, whatever the workstation claims. */
    {4625, "\"IpAddress\":\"203.0.113.9\",\"IpPort\":\"51234\",\"WorkstationName\":\"10.20.1.15\"",
     "203.0.113.9", "10.20.1.15", NULL},
    {4625, "\"IpAddress\":\"::ffff:203.0.113.10\",\"WorkstationName\":\"KALI\"", "203.0.113.10",
     "KALI", NULL},
    {4624, "\"IpAddress\":\"2001:db8::5\",\"WorkstationName\":\"-\"", "2001:db8::5", NULL, NULL},
};

enum { SHAPE_EVTX_DUMP, SHAPE_WINLOGBEAT, SHAPE_NXLOG, NSHAPES };
static const char *shape_name[] = {"evtx_dump", "winlogbeat", "nxlog"};

static int render(int shape, const row_t *r, char *out, size_t cap)
{
    switch (shape) {
    case SHAPE_EVTX_DUMP:
        return snprintf(out, cap,
                        "{\"Event\":{\"System\":{\"Provider\":{\"#attributes\":{\"Name\":"
                        "\"Microsoft-Windows-Security-Auditing\"}},\"EventID\":%d,\"Channel\":"
                        "\"Security\",\"Computer\":\"DC01.trust.nhs.uk\"},\"EventData\":{"
                        "\"TargetUserName\":\"jdoe\",%s}}}\n",
                        r->id, r->data);
    case SHAPE_WINLOGBEAT:
        return snprintf(out, cap,
                        "{\"@timestamp\":\"2024-03-05T10:01:00.000Z\",\"winlog\":{\"channel\":"
                        "\"Security\",\"event_id\":\"%d\",\"provider_name\":"
                        "\"Microsoft-Windows-Security-Auditing\",\"computer_name\":"
                        "\"DC01.trust.nhs.uk\",\"event_data\":{\"TargetUserName\":\"jdoe\",%s}}}\n",
                        r->id, r->data);
    default:
        return snprintf(out, cap,
                        "{\"EventTime\":\"2024-03-05 10:02:00\",\"Hostname\":\"DC01.trust.nhs.uk\","
                        "\"EventID\":%d,\"SourceName\":\"Microsoft-Windows-Security-Auditing\","
                        "\"Channel\":\"Security\",\"TargetUserName\":\"jdoe\",%s}\n",
                        r->id, r->data);
    }
}

static void test_windows_rows(void **state)
{
    (void)state;
    ww_event_t ev;
    ww_event_init(&ev);
    char text[2048], label[64];
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        for (int s = 0; s < NSHAPES; s++) {
            int n = render(s, &rows[i], text, sizeof text);
            assert_true(n > 0 && (size_t)n < sizeof text);
            snprintf(label, sizeof label, "row %zu (%d, %s)", i, rows[i].id, shape_name[s]);
            decode(text, &ev);
            assert_int_equal(ev.event_id, rows[i].id);
            check(&ev, label, "auth_service", "windows");
            check(&ev, label, "src_ip", rows[i].src_ip);
            check(&ev, label, "src_host", rows[i].src_host);
            check(&ev, label, "dst_ip", rows[i].dst_ip);
            if (!rows[i].src_ip)
                check(&ev, label, "src_port", NULL);
        }
    }
    ww_event_release(&ev);
}

/* Zeek sees the connection: src_ip is the address it came from; the NTLM hostname
 * the client sent is a name. */
static void test_zeek_ntlm(void **state)
{
    (void)state;
    static const char tsv[] =
        "#separator \\x09\n#path\tntlm\n"
        "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tusername\thostname\t"
        "domainname\tsuccess\n"
        "#types\ttime\tstring\taddr\tport\taddr\tport\tstring\tstring\tstring\tbool\n"
        "1709632801.1\tC1\t10.20.1.15\t49812\t10.20.5.23\t445\tadmin\t10.20.1.99\tTRUST\tF\n";
    static const char json[] =
        "{\"_path\":\"ntlm\",\"ts\":1709632801.1,\"uid\":\"C1\",\"id.orig_h\":\"10.20.1.15\","
        "\"id.orig_p\":49812,\"id.resp_h\":\"10.20.5.23\",\"id.resp_p\":445,\"username\":"
        "\"admin\",\"hostname\":\"10.20.1.99\",\"domainname\":\"TRUST\",\"success\":false}\n";
    const char *texts[] = {tsv, json};
    ww_event_t ev;
    ww_event_init(&ev);
    for (int i = 0; i < 2; i++) {
        decode(texts[i], &ev);
        check(&ev, i ? "zeek json" : "zeek tsv", "src_ip", "10.20.1.15");
        check(&ev, i ? "zeek json" : "zeek tsv", "src_host", "10.20.1.99");
        check(&ev, i ? "zeek json" : "zeek tsv", "user", "admin");
    }
    ww_event_release(&ev);
}

/* Cloud sign-ins: an address comes only from the service's own address fields, and
 * only when it is an address. */
static void test_cloud(void **state)
{
    (void)state;
    /* No ClientIP of its own; a modified property (user-typed values) is named like one. */
    static const char m365_typed[] =
        "{\"CreationTime\":\"2024-03-05T10:30:12\",\"Id\":\"1\",\"Operation\":\"Update user.\","
        "\"RecordType\":8,\"ResultStatus\":\"Success\",\"Workload\":\"AzureActiveDirectory\","
        "\"UserId\":\"jane@trust.nhs.uk\",\"ModifiedProperties\":[{\"Name\":\"ClientIP\","
        "\"NewValue\":\"10.20.1.99\",\"OldValue\":\"\"},{\"Name\":\"ActorIpAddress\","
        "\"NewValue\":\"10.20.1.98\",\"OldValue\":\"\"}],\"ExtendedProperties\":[{\"Name\":"
        "\"ClientIPAddress\",\"Value\":\"10.20.1.97\"}]}\n";
    /* A sign-in whose address field holds no address. */
    static const char graph_name[] =
        "{\"createdDateTime\":\"2024-03-05T10:03:40Z\",\"userPrincipalName\":\"jane@trust.nhs.uk\","
        "\"ipAddress\":\"WS0142\",\"status\":{\"errorCode\":50126}}\n";
    static const char m365_ok[] =
        "{\"CreationTime\":\"2024-03-05T10:30:12\",\"Id\":\"2\",\"Operation\":\"UserLoginFailed\","
        "\"RecordType\":15,\"ResultStatus\":\"Failed\",\"Workload\":\"AzureActiveDirectory\","
        "\"UserId\":\"10.20.1.99\",\"ClientIP\":\"[2001:db8::5]:443\"}\n";
    /* An audit initiated by an application (no initiatedBy.user) whose modified
       property is named like the initiator's address field. */
    static const char entra_audit_app[] =
        "{\"activityDisplayName\":\"Update application\",\"activityDateTime\":"
        "\"2024-03-05T10:04:00Z\",\"initiatedBy\":{\"app\":{\"displayName\":\"sync\"}},"
        "\"targetResources\":[{\"modifiedProperties\":[{\"displayName\":"
        "\"initiatedBy.user.ipAddress\",\"oldValue\":null,\"newValue\":\"\\\"10.20.1.99\\\"\"},"
        "{\"displayName\":\"initiatedBy.user.userPrincipalName\",\"oldValue\":null,"
        "\"newValue\":\"\\\"admin@trust.nhs.uk\\\"\"}]}],\"result\":\"success\"}\n";
    static const char entra_audit_user[] =
        "{\"activityDisplayName\":\"Update user\",\"activityDateTime\":\"2024-03-05T10:04:00Z\","
        "\"initiatedBy\":{\"user\":{\"userPrincipalName\":\"jane@trust.nhs.uk\",\"ipAddress\":"
        "\"203.0.113.8\"}},\"targetResources\":[{\"modifiedProperties\":[{\"displayName\":"
        "\"initiatedBy.user.ipAddress\",\"oldValue\":null,\"newValue\":\"\\\"10.20.1.99\\\"\"}]}],"
        "\"result\":\"success\"}\n";
    ww_event_t ev;
    ww_event_init(&ev);
    decode(entra_audit_app, &ev);
    check(&ev, "entra audit app", "src_ip", NULL);
    check(&ev, "entra audit app", "user", NULL);
    decode(entra_audit_user, &ev);
    check(&ev, "entra audit user", "user", "jane@trust.nhs.uk");
    {
        /* the property is still a field of its own, but src_ip is the initiator's */
        const ww_field_t *f = ww_event_get(&ev, WW_STR("src_ip"), NULL);
        assert_non_null(f);
        assert_true(f->value.n == 11 && !memcmp(f->value.p, "203.0.113.8", 11));
    }
    decode(m365_typed, &ev);
    check(&ev, "m365 typed", "src_ip", NULL);
    decode(graph_name, &ev);
    check(&ev, "graph name", "src_ip", NULL);
    check(&ev, "graph name", "outcome", "failure");
    decode(m365_ok, &ev);
    check(&ev, "m365 ok", "src_ip", "2001:db8::5");
    check(&ev, "m365 ok", "src_port", "443");
    check(&ev, "m365 ok", "user", "10.20.1.99"); /* typed by the user: a user, not an address */
    ww_event_release(&ev);
}

static void test_ip_literal(void **state)
{
    (void)state;
    bool local;
    assert_true(ww_event_ip_literal(WW_STR("10.1.2.3"), &local) && !local);
    assert_true(ww_event_ip_literal(WW_STR("127.0.0.2"), &local) && local);
    assert_true(ww_event_ip_literal(WW_STR("::1"), &local) && local);
    assert_true(ww_event_ip_literal(WW_STR("::ffff:127.0.0.1"), &local) && local);
    assert_true(ww_event_ip_literal(WW_STR("0.0.0.0"), &local) && local);
    assert_true(ww_event_ip_literal(WW_STR("2001:db8::1"), &local) && !local);
    assert_false(ww_event_ip_literal(WW_STR("WS0142"), NULL));
    assert_false(ww_event_ip_literal(WW_STR("10.1.2.3:80"), NULL));
    assert_false(ww_event_ip_literal(WW_STR(""), NULL));
    assert_false(ww_event_ip_literal(WW_STR("1.2.3"), NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_windows_rows),
        cmocka_unit_test(test_zeek_ntlm),
        cmocka_unit_test(test_cloud),
        cmocka_unit_test(test_ip_literal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
