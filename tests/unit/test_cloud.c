/* Unit tests for the cloud identity profiles: Entra ID sign-ins and audit records in
 * the Azure Monitor export and Graph API shapes, and Microsoft 365 unified audit
 * records (inbox rules, mailbox forwarding, consent, logins with and without MFA).
 * The samples are the fuzz_json seeds (tests/fuzz/corpus/fuzz_json/entra.jsonl and
 * m365.jsonl), one record per line, so the fuzzer starts from the same shapes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "event/ww_event.h"

#define MAXREC 8

typedef struct recs {
    char *text;
    ww_reader_t *r;
    ww_event_t ev;
} recs_t;

static char *slurp(const char *rel)
{
    const char *src = getenv("WW_SRC");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", src ? src : ".", rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s (WW_SRC not set?)", path);
    char *buf = calloc(1, 1 << 16);
    assert_non_null(buf);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static void open_recs(recs_t *x, const char *rel)
{
    ww_diag_t d;
    x->text = slurp(rel);
    ww_event_init(&x->ev);
    assert_int_equal(ww_reader_open_mem(rel, x->text, strlen(x->text), WW_FMT_AUTO, &x->r, &d), 0);
}

/* Moves to the next record, which must decode. */
static ww_event_t *next(recs_t *x)
{
    ww_diag_t d;
    int rc = ww_reader_next(x->r, &x->ev, &d);
    if (rc != 1)
        fail_msg("rc %d: %s at %u:%u", rc, d.msg, d.line, d.col);
    return &x->ev;
}

static void close_recs(recs_t *x)
{
    ww_diag_t d;
    assert_int_equal(ww_reader_next(x->r, &x->ev, &d), 0); /* every record checked */
    ww_reader_free(x->r);
    ww_event_release(&x->ev);
    free(x->text);
}

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

/* Some occurrence of a (repeated) field has this value. */
static void expect_some(const ww_event_t *ev, const char *name, const char *value)
{
    for (const ww_field_t *f = get(ev, name); f; f = ww_event_get(ev, WW_STRZ(name), f))
        if (f->value.n == strlen(value) && memcmp(f->value.p, value, f->value.n) == 0)
            return;
    fail_msg("no field %s = '%s'", name, value);
}

static void expect_facts(const ww_event_t *ev, const char *product, const char *service,
                         const char *category)
{
    if (!ww_str_eq(ev->product, WW_STRZ(product)) || !ww_str_eq(ev->service, WW_STRZ(service)) ||
        !ww_str_eq(ev->category, WW_STRZ(category)))
        fail_msg("facts %.*s/%.*s/%.*s, expected %s/%s/%s", (int)ev->product.n, ev->product.p,
                 (int)ev->service.n, ev->service.p, (int)ev->category.n, ev->category.p, product,
                 service, category);
}

static void test_entra(void **state)
{
    (void)state;
    recs_t x;
    open_recs(&x, "tests/fuzz/corpus/fuzz_json/entra.jsonl");

    /* Export shape: a wrong password from abroad. */
    ww_event_t *ev = next(&x);
    expect_facts(ev, "azure", "signinlogs", "authentication");
    expect(ev, "resultType", "50126", WW_F_STR);                  /* native */
    expect(ev, "properties.status.errorCode", "50126", WW_F_INT); /* native path */
    expect(ev, "status.errorCode", "50126", WW_F_INT);            /* hoisted */
    expect(ev, "deviceDetail.isCompliant", "false", WW_F_BOOL);   /* hoisted */
    expect(ev, "user", "jane.doe@trust.nhs.uk", WW_F_STR);
    expect(ev, "src_ip", "185.220.101.34", WW_F_STR);
    expect(ev, "outcome", "failure", WW_F_STR);
    expect(ev, "auth_method", "password", WW_F_STR);
    expect(ev, "auth_service", "entra", WW_F_STR);
    expect(ev, "country", "NL", WW_F_STR);
    expect(ev, "Status", "Failure", WW_F_STR);
    assert_null(get(ev, "mfa_result"));
    assert_true(ev->ts == INT64_C(1709632691423000000));

    /* Export shape: the MFA push denied. */
    ev = next(&x);
    expect(ev, "outcome", "failure", WW_F_STR);
    expect(ev, "auth_method", "mfa", WW_F_STR);
    expect(ev, "mfa_result", "denied", WW_F_STR);
    expect(ev, "mfa_method", "Mobile app notification", WW_F_STR);
    expect_some(ev, "Status", "MFA denied; user declined the authentication");

    /* Graph shape: approved, from an anonymising network. */
    ev = next(&x);
    expect_facts(ev, "azure", "signinlogs", "authentication");
    expect(ev, "outcome", "success", WW_F_STR);
    expect(ev, "mfa_result", "approved", WW_F_STR);
    expect(ev, "ResultType", "0", WW_F_INT);
    expect(ev, "country", "NL", WW_F_STR);
    expect_some(ev, "riskEventTypes_v2", "anonymizedIPAddress");
    expect_some(ev, "riskEventTypes_v2", "unfamiliarFeatures");
    assert_true(ev->ts == INT64_C(1709633102000000000));

    /* Export shape audit: role assignment. */
    ev = next(&x);
    expect_facts(ev, "azure", "auditlogs", "");
    expect(ev, "operationName", "Add member to role", WW_F_STR);
    expect(ev, "properties.message", "Add member to role", WW_F_STR);
    expect_some(ev, "category", "AuditLogs");
    expect_some(ev, "category", "RoleManagement");
    expect(ev, "user", "jane.doe@trust.nhs.uk", WW_F_STR);
    expect(ev, "src_ip", "185.220.101.34", WW_F_STR);
    expect(ev, "outcome", "success", WW_F_STR);
    expect(ev, "Status", "success", WW_F_STR);
    expect(ev, "Role.DisplayName", "Global Administrator", WW_F_STR);
    expect(ev, "targetResources.userPrincipalName", "backdoor@trust.nhs.uk", WW_F_STR);

    /* Graph shape audit: user consent to an app. */
    ev = next(&x);
    expect_facts(ev, "azure", "auditlogs", "");
    expect(ev, "operationName", "Consent to application", WW_F_STR);
    expect(ev, "ConsentContext.IsAdminConsent", "False", WW_F_STR);
    expect(ev, "targetResources.displayName", "Mail Sync Pro", WW_F_STR);

    /* Log Analytics (Sentinel) row: PascalCase names, no properties. */
    ev = next(&x);
    expect_facts(ev, "azure", "signinlogs", "authentication");
    expect(ev, "ResultType", "50053", WW_F_STR);
    expect(ev, "user", "jane.doe@trust.nhs.uk", WW_F_STR);
    expect(ev, "src_ip", "185.220.101.34", WW_F_STR);
    expect(ev, "outcome", "failure", WW_F_STR);
    expect(ev, "country", "NL", WW_F_STR);
    assert_true(ev->ts == INT64_C(1709636400000000000));
    close_recs(&x);
}

static void test_m365(void **state)
{
    (void)state;
    recs_t x;
    open_recs(&x, "tests/fuzz/corpus/fuzz_json/m365.jsonl");

    ww_event_t *ev = next(&x); /* New-InboxRule forwarding and deleting */
    expect_facts(ev, "m365", "exchange", "");
    expect(ev, "Operation", "New-InboxRule", WW_F_STR);
    expect(ev, "Parameters.ForwardTo", "payroll.update@proton-mail.example", WW_F_STR);
    expect(ev, "Parameters.DeleteMessage", "True", WW_F_STR);
    expect_some(ev, "Parameters.Name", "ForwardTo"); /* the native list is kept */
    expect(ev, "user", "jane.doe@trust.nhs.uk", WW_F_STR);
    expect(ev, "src_ip", "185.220.101.34", WW_F_STR);
    expect(ev, "src_port", "51324", WW_F_INT);
    expect(ev, "outcome", "success", WW_F_STR);
    assert_true(ev->ts == INT64_C(1709634612000000000)); /* no zone: UTC */

    ev = next(&x); /* Set-Mailbox forwarding, IPv6 client with port */
    expect(ev, "Parameters.ForwardingSmtpAddress", "smtp:payroll.update@proton-mail.example",
           WW_F_STR);
    expect(ev, "src_ip", "2001:db8::5", WW_F_STR);
    expect(ev, "src_port", "443", WW_F_INT);

    ev = next(&x); /* Consent to application. */
    expect_facts(ev, "m365", "azureactivedirectory", "");
    expect(ev, "Operation", "Consent to application.", WW_F_STR);
    expect(ev, "ModifiedProperties.ConsentContext.IsAdminConsent", "False", WW_F_STR);
    expect(ev, "ConsentContext.IsAdminConsent", "False", WW_F_STR);
    expect(ev, "outcome", "success", WW_F_STR);
    assert_null(get(ev, "src_ip"));

    ev = next(&x); /* UserLoginFailed: wrong password */
    expect_facts(ev, "m365", "azureactivedirectory", "authentication");
    expect(ev, "outcome", "failure", WW_F_STR);
    expect(ev, "auth_service", "entra", WW_F_STR);
    expect(ev, "RequestType", "Login:login", WW_F_STR);
    expect(ev, "ExtendedProperties.RequestType", "Login:login", WW_F_STR);
    expect(ev, "DeviceProperties.OS", "Windows 10", WW_F_STR);
    assert_null(get(ev, "auth_method"));

    ev = next(&x); /* UserLoginFailed: MFA required */
    expect(ev, "auth_method", "mfa", WW_F_STR);
    expect(ev, "mfa_result", "required", WW_F_STR);

    ev = next(&x); /* UserLoggedIn */
    expect(ev, "outcome", "success", WW_F_STR);
    expect_facts(ev, "m365", "azureactivedirectory", "authentication");
    close_recs(&x);
}

/* Broken or odd cloud records: wrong types where objects are expected, empty lists,
 * a bare IPv6 ClientIP; nothing crashes and nothing is made up. */
static void test_odd_records(void **state)
{
    (void)state;
    static const char text[] =
        "{\"time\":\"2024-03-05T10:00:00Z\",\"category\":\"SignInLogs\",\"operationName\":\"x\","
        "\"properties\":{\"status\":\"weird\",\"authenticationDetails\":[]}}\n"
        "{\"CreationTime\":\"2024-03-05T10:00:00\",\"Operation\":\"UserLoggedIn\",\"Workload\":"
        "\"AzureActiveDirectory\",\"ClientIP\":\"2001:db8::7\",\"Parameters\":[1,{\"Name\":5},"
        "{\"Value\":\"x\"},{\"Name\":\"\",\"Value\":\"y\"}],\"ExtendedProperties\":{}}\n"
        "{\"time\":\"2024\",\"category\":\"Mystery\",\"operationName\":\"y\",\"properties\":{}}\n";
    ww_reader_t *r;
    ww_diag_t d;
    ww_event_t ev;
    ww_event_init(&ev);
    assert_int_equal(ww_reader_open_mem("odd.json", text, strlen(text), WW_FMT_AUTO, &r, &d), 0);
    assert_int_equal(ww_reader_next(r, &ev, &d), 1);
    expect_facts(&ev, "azure", "signinlogs", "authentication");
    assert_null(get(&ev, "outcome"));
    assert_null(get(&ev, "user"));
    assert_int_equal(ww_reader_next(r, &ev, &d), 1);
    expect(&ev, "src_ip", "2001:db8::7", WW_F_STR);
    assert_null(get(&ev, "src_port"));
    assert_null(get(&ev, "Parameters."));
    assert_int_equal(ww_reader_next(r, &ev, &d), 1);
    expect_facts(&ev, "azure", "mystery", "");
    assert_int_equal(ww_reader_next(r, &ev, &d), 0);
    ww_reader_free(r);
    ww_event_release(&ev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entra),
        cmocka_unit_test(test_m365),
        cmocka_unit_test(test_odd_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
