/* Unit tests for the JSON decoder: input shapes, profiles (evtx_dump, Winlogbeat,
 * NXLog, generic), escapes, malformed records and caps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "event/ww_event.h"

/* Up to 16 results of ww_reader_next over a buffer: rc per call, diag per call. */
typedef struct run {
    int rc[16];
    ww_diag_t diag[16];
    uint64_t index[16];
    int n;
} run_t;

static ww_reader_t *open_json(const char *text)
{
    ww_reader_t *r = NULL;
    ww_diag_t d;
    assert_int_equal(ww_reader_open_mem("t.json", text, strlen(text), WW_FMT_AUTO, &r, &d), 0);
    assert_int_equal(ww_reader_format(r), WW_FMT_JSON);
    return r;
}

static void run_all(const char *text, run_t *out)
{
    ww_reader_t *r = open_json(text);
    ww_event_t ev;
    ww_event_init(&ev);
    memset(out, 0, sizeof *out);
    for (;;) {
        assert_true(out->n < 16);
        int rc = ww_reader_next(r, &ev, &out->diag[out->n]);
        if (rc == 0)
            break;
        out->index[out->n] = ww_reader_index(r);
        out->rc[out->n++] = rc;
    }
    assert_int_equal(ww_reader_next(r, &ev, NULL), 0); /* stays at the end */
    ww_event_release(&ev);
    ww_reader_free(r);
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
    assert_int_equal(f->type, type);
}

static int count(const ww_event_t *ev, const char *name)
{
    int n = 0;
    for (const ww_field_t *f = get(ev, name); f; f = ww_event_get(ev, WW_STRZ(name), f))
        n++;
    return n;
}

/* An evtx_dump record (System 7045 with Qualifiers) and a Security 1102 with UserData,
 * concatenated and pretty-printed as evtx_dump writes them. */
static const char evtx_dump_sample[] =
    "{\n"
    "  \"Event\": {\n"
    "    \"#attributes\": {\n"
    "      \"xmlns\": \"http://schemas.microsoft.com/win/2004/08/events/event\"\n"
    "    },\n"
    "    \"System\": {\n"
    "      \"Provider\": {\n"
    "        \"#attributes\": {\n"
    "          \"Name\": \"Service Control Manager\",\n"
    "          \"Guid\": \"{555908d1-a6d7-4695-8e1e-26931d2012f4}\",\n"
    "          \"EventSourceName\": \"Service Control Manager\"\n"
    "        }\n"
    "      },\n"
    "      \"EventID\": {\n"
    "        \"#attributes\": {\n"
    "          \"Qualifiers\": 16384\n"
    "        },\n"
    "        \"#text\": 7045\n"
    "      },\n"
    "      \"Version\": 0,\n"
    "      \"Level\": 4,\n"
    "      \"Keywords\": \"0x8080000000000000\",\n"
    "      \"TimeCreated\": {\n"
    "        \"#attributes\": {\n"
    "          \"SystemTime\": \"2024-03-05T10:11:12.345678Z\"\n"
    "        }\n"
    "      },\n"
    "      \"EventRecordID\": 1234,\n"
    "      \"Correlation\": null,\n"
    "      \"Execution\": {\n"
    "        \"#attributes\": {\n"
    "          \"ProcessID\": 680,\n"
    "          \"ThreadID\": 7420\n"
    "        }\n"
    "      },\n"
    "      \"Channel\": \"System\",\n"
    "      \"Computer\": \"WARD-PC01.trust.nhs.uk\",\n"
    "      \"Security\": {\n"
    "        \"#attributes\": {\n"
    "          \"UserID\": \"S-1-5-21-1-2-3-500\"\n"
    "        }\n"
    "      }\n"
    "    },\n"
    "    \"EventData\": {\n"
    "      \"Service Name\": \"PSEXESVC\",\n"
    "      \"ImagePath\": \"%SystemRoot%\\\\PSEXESVC.exe\",\n"
    "      \"ServiceType\": \"user mode service\",\n"
    "      \"StartType\": \"demand start\",\n"
    "      \"AccountName\": \"LocalSystem\"\n"
    "    }\n"
    "  }\n"
    "}\n"
    "{\n"
    "  \"Event\": {\n"
    "    \"#attributes\": {\n"
    "      \"xmlns\": \"http://schemas.microsoft.com/win/2004/08/events/event\"\n"
    "    },\n"
    "    \"System\": {\n"
    "      \"Provider\": {\n"
    "        \"#attributes\": {\n"
    "          \"Name\": \"Microsoft-Windows-Eventlog\",\n"
    "          \"Guid\": \"{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}\"\n"
    "        }\n"
    "      },\n"
    "      \"EventID\": 1102,\n"
    "      \"TimeCreated\": {\n"
    "        \"#attributes\": {\n"
    "          \"SystemTime\": \"2024-03-05T10:20:00.000000Z\"\n"
    "        }\n"
    "      },\n"
    "      \"Channel\": \"Security\",\n"
    "      \"Computer\": \"WARD-PC01.trust.nhs.uk\",\n"
    "      \"Security\": null\n"
    "    },\n"
    "    \"UserData\": {\n"
    "      \"LogFileCleared\": {\n"
    "        \"#attributes\": {\n"
    "          \"xmlns\": \"http://manifests.microsoft.com/win/2004/08/windows/eventlog\"\n"
    "        },\n"
    "        \"SubjectUserSid\": \"S-1-5-21-1-2-3-500\",\n"
    "        \"SubjectUserName\": \"admin.jones\",\n"
    "        \"SubjectDomainName\": \"TRUST\",\n"
    "        \"SubjectLogonId\": \"0x3e7\",\n"
    "        \"Channel\": \"ignored: System wrote Channel first\"\n"
    "      }\n"
    "    }\n"
    "  }\n"
    "}\n";

static void test_evtx_dump_profile(void **state)
{
    ww_reader_t *r = open_json(evtx_dump_sample);
    ww_event_t ev;
    ww_diag_t d;
    ww_event_init(&ev);

    assert_int_equal(ww_reader_next(r, &ev, &d), 1);
    assert_int_equal(ev.kind, WW_EV_WINDOWS);
    assert_int_equal(ev.event_id, 7045);
    expect(&ev, "EventID", "7045", WW_F_INT);
    expect(&ev, "EventID_Qualifiers", "16384", WW_F_INT);
    expect(&ev, "Provider_Name", "Service Control Manager", WW_F_STR);
    expect(&ev, "Provider_Guid", "{555908d1-a6d7-4695-8e1e-26931d2012f4}", WW_F_STR);
    expect(&ev, "Provider_EventSourceName", "Service Control Manager", WW_F_STR);
    expect(&ev, "Correlation", "", WW_F_NULL);
    expect(&ev, "Execution_ProcessID", "680", WW_F_INT);
    expect(&ev, "Execution_ThreadID", "7420", WW_F_INT);
    expect(&ev, "Security_UserID", "S-1-5-21-1-2-3-500", WW_F_STR);
    expect(&ev, "TimeCreated_SystemTime", "2024-03-05T10:11:12.345678Z", WW_F_STR);
    expect(&ev, "Channel", "System", WW_F_STR);
    expect(&ev, "ServiceName", "PSEXESVC", WW_F_STR); /* space removed */
    expect(&ev, "ImagePath", "%SystemRoot%\\PSEXESVC.exe", WW_F_STR);
    assert_null(get(&ev, "xmlns"));
    assert_null(get(&ev, "Event_xmlns"));
    assert_null(get(&ev, "Service Name"));
    assert_int_equal(ev.nfields, 21);
    assert_true(ww_str_eq(ev.channel, WW_STR("System")));
    assert_true(ww_str_eq(ev.provider, WW_STR("Service Control Manager")));
    assert_true(ww_str_eq(ev.host, WW_STR("WARD-PC01.trust.nhs.uk")));
    assert_true(ww_str_eq(ev.product, WW_STR("windows")));
    int64_t want;
    assert_int_equal(ww_time_parse_iso("2024-03-05T10:11:12.345678Z", 27, &want), 0);
    assert_int_equal(ev.ts, want);
    /* raw is exactly the first object */
    assert_int_equal(ev.raw.p[0], '{');
    assert_int_equal(ev.raw.p[ev.raw.n - 1], '}');
    assert_ptr_equal(ev.raw.p, evtx_dump_sample);
    assert_int_equal(ww_reader_index(r), 0);

    assert_int_equal(ww_reader_next(r, &ev, &d), 1);
    assert_int_equal(ww_reader_index(r), 1);
    assert_int_equal(ev.event_id, 1102);
    expect(&ev, "Security", "", WW_F_NULL);
    expect(&ev, "SubjectUserName", "admin.jones", WW_F_STR);
    expect(&ev, "SubjectLogonId", "0x3e7", WW_F_STR);
    expect(&ev, "Channel", "Security", WW_F_STR);
    assert_int_equal(count(&ev, "Channel"), 1); /* first writer wins */
    assert_null(get(&ev, "LogFileCleared"));
    assert_null(get(&ev, "xmlns"));
    assert_int_equal(ww_reader_next(r, &ev, &d), 0);
    assert_int_equal(ww_reader_offset(r), strlen(evtx_dump_sample));
    ww_event_release(&ev);
    ww_reader_free(r);
}

static void test_evtx_dump_unnamed_data(void **state)
{
    const char *text = "{\"Event\":{\"System\":{\"EventID\":104,\"Channel\":\"System\"},"
                       "\"EventData\":{\"Data\":[\"one\",{\"#text\":\"two\"},null],"
                       "\"Binary\":\"00AA\"}}}";
    ww_reader_t *r = open_json(text);
    ww_event_t ev;
    ww_diag_t d;
    ww_event_init(&ev);
    assert_int_equal(ww_reader_next(r, &ev, &d), 1);
    assert_int_equal(count(&ev, "Data"), 3);
    const ww_field_t *f = get(&ev, "Data");
    assert_true(ww_str_eq(f->value, WW_STR("one")));
    f = ww_event_get(&ev, WW_STR("Data"), f);
    assert_true(ww_str_eq(f->value, WW_STR("two")));
    f = ww_event_get(&ev, WW_STR("Data"), f);
    assert_int_equal(f->type, WW_F_NULL);
    expect(&ev, "Binary", "00AA", WW_F_STR);
    ww_event_release(&ev);
    ww_reader_free(r);
}

/* Winlogbeat 8.x, Sysmon process creation (abridged), one line. */
static const char winlogbeat_sample[] =
    "{\"@timestamp\":\"2024-03-05T10:11:12.345Z\",\"agent\":{\"type\":\"winlogbeat\",\"version\":"
    "\"8.12.0\"},\"event\":{\"code\":\"1\",\"kind\":\"event\",\"provider\":\"Microsoft-Windows-"
    "Sysmon\",\"category\":[\"process\"],\"type\":[\"start\"]},\"host\":{\"name\":\"ward-pc01\"},"
    "\"process\":{\"pid\":4242,\"command_line\":\"\\\"C:\\\\Windows\\\\System32\\\\cmd.exe\\\" /c "
    "whoami\",\"executable\":\"C:\\\\Windows\\\\System32\\\\cmd.exe\"},\"winlog\":{\"channel\":"
    "\"Microsoft-Windows-Sysmon/Operational\",\"computer_name\":\"WARD-PC01.trust.nhs.uk\","
    "\"event_id\":\"1\",\"provider_name\":\"Microsoft-Windows-Sysmon\",\"record_id\":98765,"
    "\"process\":{\"pid\":3000,\"thread\":{\"id\":4000}},\"event_data\":{\"RuleName\":\"-\","
    "\"UtcTime\":\"2024-03-05 10:11:12.345\",\"Image\":\"C:\\\\Windows\\\\System32\\\\cmd.exe\","
    "\"CommandLine\":\"\\\"C:\\\\Windows\\\\System32\\\\cmd.exe\\\" /c whoami\",\"User\":"
    "\"TRUST\\\\nurse\",\"Parent Image\":\"C:\\\\Windows\\\\explorer.exe\"}}}\n";

static void test_winlogbeat_profile(void **state)
{
    ww_reader_t *r = open_json(winlogbeat_sample);
    ww_event_t ev;
    ww_diag_t d;
    ww_event_init(&ev);
    assert_int_equal(ww_reader_next(r, &ev, &d), 1);
    assert_int_equal(ev.kind, WW_EV_WINDOWS);
    assert_int_equal(ev.event_id, 1);
    expect(&ev, "EventID", "1", WW_F_INT);
    expect(&ev, "Channel", "Microsoft-Windows-Sysmon/Operational", WW_F_STR);
    expect(&ev, "Provider_Name", "Microsoft-Windows-Sysmon", WW_F_STR);
    expect(&ev, "Computer", "WARD-PC01.trust.nhs.uk", WW_F_STR);
    expect(&ev, "Image", "C:\\Windows\\System32\\cmd.exe", WW_F_STR);
    expect(&ev, "CommandLine", "\"C:\\Windows\\System32\\cmd.exe\" /c whoami", WW_F_STR);
    expect(&ev, "ParentImage", "C:\\Windows\\explorer.exe", WW_F_STR);
    expect(&ev, "winlog.event_data.Image", "C:\\Windows\\System32\\cmd.exe", WW_F_STR);
    expect(&ev, "process.command_line", "\"C:\\Windows\\System32\\cmd.exe\" /c whoami", WW_F_STR);
    expect(&ev, "winlog.process.thread.id", "4000", WW_F_INT);
    expect(&ev, "event.category", "process", WW_F_STR);
    expect(&ev, "host.name", "ward-pc01", WW_F_STR);
    assert_true(ww_str_eq(ev.channel, WW_STR("Microsoft-Windows-Sysmon/Operational")));
    int64_t want;
    assert_int_equal(ww_time_parse_iso("2024-03-05T10:11:12.345Z", 24, &want), 0);
    assert_int_equal(ev.ts, want);
    ww_event_release(&ev);
    ww_reader_free(r);
}

/* A line of the OTRF security-datasets (NXLog). */
static const char nxlog_sample[] =
    "{\"SourceName\":\"Microsoft-Windows-Sysmon\",\"Level\":\"4\",\"Keywords\":"
    "\"0x8000000000000000\","
    "\"Channel\":\"Microsoft-Windows-Sysmon/"
    "Operational\",\"Hostname\":\"WORKSTATION5.theshire.local\","
    "\"TimeCreated\":\"2020-10-19T03:38:36.918Z\",\"@timestamp\":\"2020-10-19T03:38:36.918Z\","
    "\"EventID\":1,\"Message\":\"Process Create:\",\"Task\":\"1\",\"RuleName\":\"-\",\"UtcTime\":"
    "\"2020-10-19 03:38:36.917\",\"ProcessGuid\":\"{39e4a257-0a0c-5f8d-d600-000000000800}\","
    "\"ProcessId\":\"7596\",\"Image\":\"C:\\\\Windows\\\\System32\\\\vssadmin.exe\","
    "\"CommandLine\":"
    "\"vssadmin  create shadow /for=C:\",\"User\":\"THESHIRE\\\\pgustavo\"}\n";

static void test_nxlog_profile(void **state)
{
    ww_reader_t *r = open_json(nxlog_sample);
    ww_event_t ev;
    ww_diag_t d;
    ww_event_init(&ev);
    assert_int_equal(ww_reader_next(r, &ev, &d), 1);
    assert_int_equal(ev.kind, WW_EV_WINDOWS);
    assert_int_equal(ev.event_id, 1);
    expect(&ev, "Provider_Name", "Microsoft-Windows-Sysmon", WW_F_STR);
    expect(&ev, "Computer", "WORKSTATION5.theshire.local", WW_F_STR);
    expect(&ev, "SourceName", "Microsoft-Windows-Sysmon", WW_F_STR);
    expect(&ev, "CommandLine", "vssadmin  create shadow /for=C:", WW_F_STR);
    expect(&ev, "Image", "C:\\Windows\\System32\\vssadmin.exe", WW_F_STR);
    assert_true(ww_str_eq(ev.host, WW_STR("WORKSTATION5.theshire.local")));
    assert_true(ev.ts != WW_TIME_NONE);
    ww_event_release(&ev);
    ww_reader_free(r);
}

static void test_generic_profile(void **state)
{
    const char *text = "{\"a\":{\"b\":{\"c\":\"deep\"}},\"list\":[1,2.5,{\"x\":true}],"
                       "\"n\":null,\"f\":false,\"time\":1700000000}";
    ww_reader_t *r = open_json(text);
    ww_event_t ev;
    ww_diag_t d;
    ww_event_init(&ev);
    assert_int_equal(ww_reader_next(r, &ev, &d), 1);
    assert_int_equal(ev.kind, WW_EV_JSON);
    expect(&ev, "a.b.c", "deep", WW_F_STR);
    assert_int_equal(count(&ev, "list"), 2);
    expect(&ev, "list", "1", WW_F_INT);
    assert_true(ww_event_get(&ev, WW_STR("list"), get(&ev, "list"))->num == 2.5);
    expect(&ev, "list.x", "true", WW_F_BOOL);
    expect(&ev, "n", "", WW_F_NULL);
    expect(&ev, "f", "false", WW_F_BOOL);
    assert_int_equal(ev.ts, 1700000000LL * 1000000000LL);
    assert_int_equal(ev.event_id, -1);
    ww_event_release(&ev);
    ww_reader_free(r);
}

static void test_shapes(void **state)
{
    run_t res;
    /* JSONL, concatenated on one line, pretty array, array of one line, empty array. */
    run_all("{\"a\":1}\n{\"a\":2}\r\n\n{\"a\":3}", &res);
    assert_int_equal(res.n, 3);
    run_all("{\"a\":1}{\"a\":2} {\"a\":3}", &res);
    assert_int_equal(res.n, 3);
    run_all("[\n  {\n    \"a\": 1\n  },\n  {\n    \"a\": 2\n  }\n]\n", &res);
    assert_int_equal(res.n, 2);
    assert_int_equal(res.rc[1], 1);
    run_all("[{\"a\":1},{\"a\":2},{\"a\":3}]", &res);
    assert_int_equal(res.n, 3);
    assert_int_equal(res.index[2], 2);
    run_all("[]", &res);
    assert_int_equal(res.n, 0);
}

static void test_escapes(void **state)
{
    const char *text =
        "{\"plain\":\"abc\",\"e\":\"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\" a\\/b\\n\\t\","
        "\"k\\u0065y\":\"v\"}";
    ww_reader_t *r = open_json(text);
    ww_event_t ev;
    ww_diag_t d;
    ww_event_init(&ev);
    assert_int_equal(ww_reader_next(r, &ev, &d), 1);
    const ww_field_t *f = get(&ev, "plain");
    assert_non_null(f);
    /* zero-copy: an escape-free string points into the input */
    assert_true(f->value.p > text && f->value.p < text + strlen(text));
    expect(&ev, "e", "caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\" a/b\n\t", WW_F_STR);
    f = get(&ev, "e");
    assert_false(f->value.p > text && f->value.p < text + strlen(text));
    expect(&ev, "key", "v", WW_F_STR);
    ww_event_release(&ev);
    ww_reader_free(r);
}

static void test_invalid_records(void **state)
{
    run_t res;
    const char *bad[] = {
        "{\"a\":01}",       /* leading zero */
        "{\"a\":1.}",       /* no fraction digits */
        "{\"a\":tru}",      /* bad literal */
        "{\"a\":1,}",       /* trailing comma */
        "{a:1}",            /* unquoted key */
        "{\"a\":\"x\ty\"}", /* raw control character */
        "{\"a\":1",         /* truncated */
        "{\"a\" 1}",        /* missing colon */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        run_all(bad[i], &res);
        if (res.n != 1 || res.rc[0] != WW_EPARSE)
            fail_msg("input %zu (%s): n=%d rc=%d", i, bad[i], res.n, res.rc[0]);
        assert_int_equal(res.diag[0].line, 1);
        assert_true(res.diag[0].col >= 1);
        assert_string_equal(res.diag[0].file, "t.json");
    }
    run_all("{\"a\":\"x\ty\"}", &res);
    assert_int_equal(res.diag[0].col, 8);
    assert_non_null(strstr(res.diag[0].msg, "control character"));
}

static void test_malformed_middle_jsonl(void **state)
{
    run_t res;
    run_all("{\"a\":1}\n{\"a\":2,,}\nnot json\n{\"a\":4}\n", &res);
    assert_int_equal(res.n, 4);
    assert_int_equal(res.rc[0], 1);
    assert_int_equal(res.rc[1], WW_EPARSE);
    assert_int_equal(res.diag[1].line, 2);
    assert_int_equal(res.diag[1].col, 8);
    assert_int_equal(res.rc[2], WW_EPARSE);
    assert_int_equal(res.diag[2].line, 3);
    assert_int_equal(res.diag[2].col, 1);
    assert_int_equal(res.rc[3], 1);
    assert_int_equal(res.index[3], 3); /* bad records count */
}

static void test_malformed_middle_pretty(void **state)
{
    run_t res;
    run_all("{\n  \"a\": 1\n}\n{\n  \"a\": {\n    \"b\": [1, 2,]\n  }\n}\n{\n  \"a\": 3\n}\n",
            &res);
    assert_int_equal(res.n, 3);
    assert_int_equal(res.rc[0], 1);
    assert_int_equal(res.rc[1], WW_EPARSE);
    assert_int_equal(res.diag[1].line, 6);
    assert_int_equal(res.diag[1].col, 16);
    assert_int_equal(res.rc[2], 1);
    assert_int_equal(res.index[2], 2);

    /* Inside a pretty-printed array the elements are indented. */
    run_all("[\n  {\n    \"a\": 1\n  },\n  {\n    \"a\": x\n  },\n  {\n    \"a\": 3\n  }\n]", &res);
    assert_int_equal(res.n, 3);
    assert_int_equal(res.rc[1], WW_EPARSE);
    assert_int_equal(res.diag[1].line, 6);
    assert_int_equal(res.rc[2], 1);

    /* A non-object element is a bad record; the rest still decodes. */
    run_all("[{\"a\":1}, 5, {\"a\":2}]", &res);
    assert_int_equal(res.n, 3);
    assert_int_equal(res.rc[1], WW_EPARSE);
    assert_int_equal(res.rc[2], 1);

    /* An array cut short: the good element, then a truncation that ends the input. */
    run_all("[{\"a\":1},", &res);
    assert_int_equal(res.n, 2);
    assert_int_equal(res.rc[0], 1);
    assert_int_equal(res.rc[1], WW_ETRUNC);
}

static void test_depth_cap(void **state)
{
    char text[400];
    size_t k = 0;
    text[k++] = '{';
    memcpy(text + k, "\"a\":", 4);
    k += 4;
    for (int i = 0; i < 100; i++)
        text[k++] = '[';
    for (int i = 0; i < 100; i++)
        text[k++] = ']';
    text[k++] = '}';
    text[k++] = '\n';
    memcpy(text + k, "{\"ok\":1}", 9);
    run_t res;
    run_all(text, &res);
    assert_int_equal(res.n, 2);
    assert_int_equal(res.rc[0], WW_ELIMIT);
    assert_non_null(strstr(res.diag[0].msg, "nesting"));
    assert_int_equal(res.rc[1], 1);

    /* 60 levels are fine */
    k = 0;
    text[k++] = '{';
    memcpy(text + k, "\"a\":", 4);
    k += 4;
    for (int i = 0; i < 60; i++)
        text[k++] = '[';
    for (int i = 0; i < 60; i++)
        text[k++] = ']';
    text[k++] = '}';
    text[k] = 0;
    run_all(text, &res);
    assert_int_equal(res.n, 1);
    assert_int_equal(res.rc[0], 1);
}

static void test_bom_and_forced(void **state)
{
    run_t res;
    run_all("\xEF\xBB\xBF{\"a\":1}\n", &res);
    assert_int_equal(res.n, 1);
    assert_int_equal(res.rc[0], 1);

    /* Forced JSON over non-JSON: a bad record, then decoding resumes at the next line
       that starts an object. */
    ww_reader_t *r;
    ww_diag_t d;
    ww_event_t ev;
    ww_event_init(&ev);
    const char *text = "hello\nworld\n{\"a\":1}\n";
    assert_int_equal(ww_reader_open_mem("x", text, strlen(text), WW_FMT_JSON, &r, &d), 0);
    assert_int_equal(ww_reader_next(r, &ev, &d), WW_EPARSE);
    assert_int_equal(d.line, 1);
    assert_int_equal(d.col, 1);
    assert_int_equal(ww_reader_next(r, &ev, &d), 1);
    expect(&ev, "a", "1", WW_F_INT);
    assert_int_equal(ww_reader_index(r), 1);
    assert_int_equal(ww_reader_next(r, &ev, &d), 0);
    ww_reader_free(r);
    ww_event_release(&ev);
}

/* Every regression sample decodes with no error, as a Windows event with an EventID
 * and a Channel. */
static int regression_visit(const char *dir, int *events)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *de;
    int files = 0;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            int sub = regression_visit(path, events);
            files += sub > 0 ? sub : 0;
            continue;
        }
        size_t n = strlen(de->d_name);
        if (n < 5 || strcmp(de->d_name + n - 5, ".json") != 0)
            continue;
        ww_reader_t *r;
        ww_diag_t dg;
        ww_event_t ev;
        assert_int_equal(ww_reader_open(path, WW_FMT_AUTO, &r, &dg), 0);
        assert_int_equal(ww_reader_format(r), WW_FMT_JSON);
        ww_event_init(&ev);
        int rc;
        while ((rc = ww_reader_next(r, &ev, &dg)) != 0) {
            if (rc < 0)
                fail_msg("%s:%u:%u: %s", dg.file, dg.line, dg.col, dg.msg);
            assert_int_equal(ev.kind, WW_EV_WINDOWS);
            assert_true(ev.event_id >= 0);
            assert_true(ev.channel.n > 0);
            assert_true(ev.ts != WW_TIME_NONE);
            (*events)++;
        }
        ww_event_release(&ev);
        ww_reader_free(r);
        files++;
    }
    closedir(d);
    return files;
}

static void test_regression_samples(void **state)
{
    const char *shared = getenv("WW_SHARED");
    if (!shared)
        skip();
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/sigma/regression", shared);
    int events = 0;
    int files = regression_visit(dir, &events);
    if (files < 0)
        skip();
    assert_true(files > 0);
    assert_true(events >= files);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evtx_dump_profile),
        cmocka_unit_test(test_evtx_dump_unnamed_data),
        cmocka_unit_test(test_winlogbeat_profile),
        cmocka_unit_test(test_nxlog_profile),
        cmocka_unit_test(test_generic_profile),
        cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_invalid_records),
        cmocka_unit_test(test_malformed_middle_jsonl),
        cmocka_unit_test(test_malformed_middle_pretty),
        cmocka_unit_test(test_depth_cap),
        cmocka_unit_test(test_bom_and_forced),
        cmocka_unit_test(test_regression_samples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
