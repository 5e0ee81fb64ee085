/* Unit tests for the event time of JSON records: a time that names its zone (or an
 * epoch number) wins; Sysmon's UtcTime is UTC; Microsoft cloud times are UTC; any
 * other zone-less time (NXLog's EventTime and EventReceivedTime, a TimeCreated
 * without Z) is local time in the zone set with ww_time_set_zone(), never UTC.  The
 * zone is set explicitly, as POSIX rules (no time zone database needed), so the
 * tests pass on any machine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "event/ww_event.h"

/* The time of the one record in text, formatted as UTC. */
static void expect_ts(const char *text, const char *want)
{
    ww_reader_t *r = NULL;
    ww_diag_t d;
    assert_int_equal(ww_reader_open_mem("t.json", text, strlen(text), WW_FMT_JSON, &r, &d), 0);
    ww_event_t ev;
    ww_event_init(&ev);
    int rc = ww_reader_next(r, &ev, &d);
    if (rc != 1)
        fail_msg("rc %d: %s", rc, d.msg);
    int64_t w;
    assert_int_equal(ww_time_parse_iso(want, strlen(want), &w), 0);
    if (ev.ts != w) {
        char got[64];
        ww_time_format(ev.ts, got, sizeof got);
        fail_msg("time %s, expected %s, for %s", got, want, text);
    }
    ww_event_release(&ev);
    ww_reader_free(r);
}

#define NX(extra)                                                                       \
    "{\"Hostname\":\"WS01\",\"EventID\":3,\"SourceName\":\"Microsoft-Windows-Sysmon\"," \
    "\"Channel\":\"Microsoft-Windows-Sysmon/Operational\"" extra "}\n"

static void test_nxlog(void **state)
{
    (void)state;
    assert_int_equal(ww_time_set_zone("EST5EDT,M3.2.0,M11.1.0"), 0);
    /* @timestamp (UTC) beats the local EventTime. */
    expect_ts(NX(",\"EventTime\":\"2020-10-09 17:33:16\",\"@timestamp\":"
                 "\"2020-10-09T21:33:19.425Z\",\"UtcTime\":\"2020-10-09 21:33:04.627\""),
              "2020-10-09T21:33:19.425Z");
    /* No UTC field but Sysmon's UtcTime: that. */
    expect_ts(NX(",\"EventTime\":\"2020-10-09 17:33:16\",\"UtcTime\":\"2020-10-09 21:33:04.627\""),
              "2020-10-09T21:33:04.627Z");
    /* Only local times: EventTime read in New York (EDT in October, UTC-4). */
    expect_ts(NX(",\"EventTime\":\"2020-10-09 17:33:16\",\"EventReceivedTime\":"
                 "\"2020-10-09 17:33:19\""),
              "2020-10-09T21:33:16Z");
    expect_ts(NX(",\"EventReceivedTime\":\"2020-01-09 17:33:19\""), "2020-01-09T22:33:19Z");
    /* A zone in the text is exact, wherever it is in the list. */
    expect_ts(NX(",\"EventTime\":\"2020-10-09 17:33:16\",\"EventReceivedTime\":"
                 "\"2020-10-09T17:33:19+02:00\""),
              "2020-10-09T15:33:19Z");
    assert_int_equal(ww_time_set_zone("UTC"), 0);
    expect_ts(NX(",\"EventTime\":\"2020-10-09 17:33:16\""), "2020-10-09T17:33:16Z");
    assert_int_equal(ww_time_set_zone("GMT0BST,M3.5.0/1,M10.5.0"), 0);
    expect_ts(NX(",\"EventTime\":\"2024-07-01 12:00:00\""), "2024-07-01T11:00:00Z");
}

#define EVTX_DUMP(systime, data)                                                           \
    "{\"Event\":{\"System\":{\"Provider\":{\"#attributes\":{\"Name\":\"Microsoft-Windows-" \
    "Sysmon\"}},\"EventID\":1,\"TimeCreated\":{\"#attributes\":{\"SystemTime\":\"" systime \
    "\"}},\"Channel\":\"Microsoft-Windows-Sysmon/Operational\"},\"EventData\":{" data "}}}\n"

static void test_evtx_dump_and_winlogbeat(void **state)
{
    (void)state;
    assert_int_equal(ww_time_set_zone("EST5EDT,M3.2.0,M11.1.0"), 0);
    expect_ts(EVTX_DUMP("2024-03-05T10:00:00.000000Z", "\"Image\":\"x\""), "2024-03-05T10:00:00Z");
    /* A TimeCreated without Z is local (EST in March 5th, UTC-5)... */
    expect_ts(EVTX_DUMP("2024-03-05 10:00:00.000", "\"Image\":\"x\""), "2024-03-05T15:00:00Z");
    /* ... unless the event carries Sysmon's UtcTime. */
    expect_ts(EVTX_DUMP("2024-03-05 10:00:00.000", "\"UtcTime\":\"2024-03-05 14:59:59.500\""),
              "2024-03-05T14:59:59.500Z");
    /* Winlogbeat: @timestamp. */
    expect_ts("{\"@timestamp\":\"2024-03-05T10:01:00.000Z\",\"winlog\":{\"channel\":\"Security\","
              "\"event_id\":\"4624\",\"provider_name\":\"Microsoft-Windows-Security-Auditing\","
              "\"event_data\":{\"TargetUserName\":\"jdoe\"}}}\n",
              "2024-03-05T10:01:00Z");
}

static void test_other_json(void **state)
{
    (void)state;
    assert_int_equal(ww_time_set_zone("IST-5:30"), 0); /* UTC+5:30, no DST */
    /* Generic JSON: a zone-less time is local. */
    expect_ts("{\"time\":\"2024-01-01 05:30:00\",\"msg\":\"x\"}\n", "2024-01-01T00:00:00Z");
    expect_ts("{\"time\":\"2024-01-01T05:30:00+05:30\",\"msg\":\"x\"}\n", "2024-01-01T00:00:00Z");
    /* M365 writes UTC without a Z. */
    expect_ts("{\"CreationTime\":\"2024-03-05T10:30:12\",\"Id\":\"1\",\"Operation\":"
              "\"UserLoggedIn\",\"RecordType\":15,\"Workload\":\"AzureActiveDirectory\","
              "\"UserId\":\"jane@trust.nhs.uk\"}\n",
              "2024-03-05T10:30:12Z");
    /* Zeek: epoch seconds, and ISO with its Z. */
    expect_ts(
        "{\"_path\":\"conn\",\"ts\":1709632801.5,\"uid\":\"C1\",\"id.orig_h\":\"10.0.0.1\"}\n",
        "2024-03-05T10:00:01.5Z");
    expect_ts("{\"_path\":\"conn\",\"ts\":\"2024-03-05T10:00:01.5Z\",\"uid\":\"C1\"}\n",
              "2024-03-05T10:00:01.5Z");
    assert_int_equal(ww_time_set_zone("UTC"), 0);
}

static void test_zoned(void **state)
{
    (void)state;
    assert_true(ww_event_time_zoned(WW_STR("2024-03-05T10:00:00Z")));
    assert_true(ww_event_time_zoned(WW_STR("2024-03-05T10:00:00.123+0000")));
    assert_true(ww_event_time_zoned(WW_STR("2024-03-05 10:00:00-05:00")));
    assert_false(ww_event_time_zoned(WW_STR("2024-03-05 10:00:00")));
    assert_false(ww_event_time_zoned(WW_STR("2024-03-05T10:00:00.1234567")));
    assert_false(ww_event_time_zoned(WW_STR("2024-03-05")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nxlog),
        cmocka_unit_test(test_evtx_dump_and_winlogbeat),
        cmocka_unit_test(test_other_json),
        cmocka_unit_test(test_zoned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
