/* Unit tests for the network-sensor decoders: Zeek TSV (detection, header block, types,
 * sets and vectors, unset/empty markers, escapes, concatenated headers, malformed
 * lines), Zeek JSON (flat and nested id, _path / file name / field-implied paths, the
 * same fields as TSV), the normalised names (src_ip, dst_port, user/outcome for ntlm)
 * and Suricata EVE (alert, flow, dns, smb). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "event/ww_event.h"

#define MAXEV 16

/* Every result of a reader over a buffer; events are rendered as JSON so they
 * survive the next call. */
typedef struct run {
    int rc[MAXEV];
    ww_diag_t diag[MAXEV];
    char *json[MAXEV];
    char product[MAXEV][32], service[MAXEV][32], category[MAXEV][32];
    int64_t ts[MAXEV];
    int n, fmt;
} run_t;

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

static void fact(char *dst, ww_str_t s)
{
    snprintf(dst, 32, "%.*s", (int)s.n, s.p);
}

static void run_all(const char *name, const char *text, run_t *out)
{
    ww_reader_t *r = NULL;
    ww_diag_t d;
    memset(out, 0, sizeof *out);
    assert_int_equal(ww_reader_open_mem(name, text, strlen(text), WW_FMT_AUTO, &r, &d), 0);
    out->fmt = ww_reader_format(r);
    ww_event_t ev;
    ww_event_init(&ev);
    for (;;) {
        assert_true(out->n < MAXEV);
        int rc = ww_reader_next(r, &ev, &out->diag[out->n]);
        if (rc == 0)
            break;
        out->rc[out->n] = rc;
        if (rc > 0) {
            ww_buf_t b;
            ww_buf_init(&b, 0);
            assert_int_equal(ww_event_to_json(&ev, &b), 0);
            out->json[out->n] = b.p;
            fact(out->product[out->n], ev.product);
            fact(out->service[out->n], ev.service);
            fact(out->category[out->n], ev.category);
            out->ts[out->n] = ev.ts;
        }
        out->n++;
    }
    ww_event_release(&ev);
    ww_reader_free(r);
}

static void run_free(run_t *r)
{
    for (int i = 0; i < r->n; i++)
        free(r->json[i]);
}

/* Decodes the first event of text into ev (caller releases the reader via the
 * returned pointer). */
static ww_reader_t *first(const char *name, const char *text, ww_event_t *ev)
{
    ww_reader_t *r = NULL;
    ww_diag_t d;
    assert_int_equal(ww_reader_open_mem(name, text, strlen(text), WW_FMT_AUTO, &r, &d), 0);
    int rc = ww_reader_next(r, ev, &d);
    if (rc != 1)
        fail_msg("first record: rc %d (%s at %u:%u)", rc, d.msg, d.line, d.col);
    return r;
}

static char *slurp(const char *rel)
{
    const char *src = getenv("WW_SRC");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", src ? src : ".", rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = calloc(1, 1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

#define HDR "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"

static const char conn_tsv[] =
    HDR "#path\tconn\n#open\t2024-03-05-10-00-00\n"
        "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\t"
        "orig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\t"
        "orig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n"
        "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\t"
        "string\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n"
        "1709632801.123456\tCHhAvVGS1DHFjwGM9\t10.20.1.15\t49812\t10.20.5.23\t445\ttcp\t-\t"
        "0.000512\t0\t0\tS0\tT\tF\t0\tS\t2\t104\t0\t0\t(empty)\n"
        "#close\t2024-03-05-11-00-00\n";

static void test_conn_tsv(void **state)
{
    (void)state;
    ww_event_t ev;
    ww_event_init(&ev);
    ww_reader_t *r = first("conn.log", conn_tsv, &ev);
    assert_int_equal(ww_reader_format(r), WW_FMT_ZEEK);
    assert_string_equal(ww_format_name(WW_FMT_ZEEK), "zeek");
    expect(&ev, "ts", "1709632801.123456", WW_F_FLOAT);
    expect(&ev, "uid", "CHhAvVGS1DHFjwGM9", WW_F_STR);
    expect(&ev, "id.orig_h", "10.20.1.15", WW_F_STR);
    expect(&ev, "id.resp_p", "445", WW_F_INT);
    expect(&ev, "proto", "tcp", WW_F_STR);
    expect(&ev, "conn_state", "S0", WW_F_STR);
    expect(&ev, "local_orig", "true", WW_F_BOOL);
    expect(&ev, "local_resp", "false", WW_F_BOOL);
    expect(&ev, "duration", "0.000512", WW_F_FLOAT);
    /* Normalised names. */
    expect(&ev, "src_ip", "10.20.1.15", WW_F_STR);
    expect(&ev, "src_port", "49812", WW_F_INT);
    expect(&ev, "dst_ip", "10.20.5.23", WW_F_STR);
    expect(&ev, "dst_port", "445", WW_F_INT);
    assert_true(get(&ev, "dst_port")->num == 445);
    /* Unset "-" and an empty set give no field. */
    assert_null(get(&ev, "service"));
    assert_null(get(&ev, "tunnel_parents"));
    assert_true(ww_str_eq(ev.product, WW_STR("zeek")));
    assert_true(ww_str_eq(ev.service, WW_STR("conn")));
    assert_int_equal(ev.kind, WW_EV_ZEEK);
    assert_true(ev.ts == INT64_C(1709632801123456000));
    assert_int_equal(ww_reader_next(r, &ev, NULL), 0); /* #close is not a record */
    ww_reader_free(r);
    ww_event_release(&ev);
}

static void test_dns_tsv_sets_and_escapes(void **state)
{
    (void)state;
    static const char dns[] = HDR
        "#path\tdns\n"
        "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\tquery\t"
        "qtype_name\trcode_name\tZ\tanswers\tTTLs\trejected\n"
        "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tcount\tstring\tstring\tstring\t"
        "count\tvector[string]\tvector[interval]\tbool\n"
        "1709632805.000001\tC4J4Th3PJpwUYZZ6gc\t10.20.1.40\t52311\t10.20.0.10\t53\tudp\t41233\t"
        "pool.supportxmr.com\tA\tNOERROR\t0\t94.130.12.27,94.130.12.30\t300.000000,60.000000\tF\n"
        "1709632806.5\tCwBBbq1XkKzXWg9Ne\t10.20.1.41\t60001\t10.20.0.10\t53\tudp\t1\t"
        "odd\\x09na\\x2cme\\\\x\tAAAA\tNXDOMAIN\t0\t(empty)\t(empty)\tT\n";
    run_t r;
    run_all("dns.log", dns, &r);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.rc[0], 1);
    assert_int_equal(r.rc[1], 1);
    assert_string_equal(r.service[0], "dns");
    assert_non_null(strstr(r.json[0], "\"answers\":[\"94.130.12.27\",\"94.130.12.30\"]"));
    assert_non_null(strstr(r.json[0], "\"TTLs\":[300.000000,60.000000]"));
    assert_non_null(strstr(r.json[0], "\"rejected\":false"));
    assert_non_null(strstr(r.json[0], "\"Z\":0"));
    /* \x09 and \x2c decode; a backslash not starting \xHH stays literal. */
    assert_non_null(strstr(r.json[1], "\"query\":\"odd\\tna,me\\\\\\\\x\""));
    assert_null(strstr(r.json[1], "answers"));
    assert_non_null(strstr(r.json[1], "\"rejected\":true"));
    assert_true(r.ts[1] == INT64_C(1709632806500000000));
    run_free(&r);
}

static void test_ntlm_auth_fields(void **state)
{
    (void)state;
    static const char ntlm[] =
        HDR "#path\tntlm\n"
            "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tusername\thostname\t"
            "domainname\tserver_nb_computer_name\tsuccess\n"
            "#types\ttime\tstring\taddr\tport\taddr\tport\tstring\tstring\tstring\tstring\tbool\n"
            "1709633000.25\tCZ1\t10.20.1.15\t49900\t10.20.5.23\t445\tadministrator\tWS0142\t"
            "TRUST\tFS01\tF\n"
            "1709633001.25\tCZ2\t10.20.1.15\t49901\t10.20.5.23\t445\tsvc_backup\tWS0142\t"
            "TRUST\tFS01\tT\n"
            "1709633002.25\tCZ3\t10.20.1.16\t49902\t10.20.5.23\t445\t-\t-\t-\tFS01\t-\n";
    ww_event_t ev;
    ww_event_init(&ev);
    ww_reader_t *r = first("x.log", ntlm, &ev);
    expect(&ev, "username", "administrator", WW_F_STR);
    expect(&ev, "user", "administrator", WW_F_STR);
    expect(&ev, "src_ip", "10.20.1.15", WW_F_STR);
    assert_int_equal(count(&ev, "user"), 1);
    expect(&ev, "outcome", "failure", WW_F_STR);
    expect(&ev, "auth_method", "ntlm", WW_F_STR);
    expect(&ev, "auth_service", "windows", WW_F_STR);
    assert_true(ww_str_eq(ev.category, WW_STR("authentication")));
    assert_true(ww_str_eq(ev.service, WW_STR("ntlm")));
    ww_diag_t d;
    assert_int_equal(ww_reader_next(r, &ev, &d), 1);
    expect(&ev, "outcome", "success", WW_F_STR);
    assert_int_equal(ww_reader_next(r, &ev, &d), 1);
    /* No user and no result on the wire: none made up. */
    assert_null(get(&ev, "user"));
    assert_null(get(&ev, "outcome"));
    ww_reader_free(r);
    ww_event_release(&ev);
}

static void test_smb_paths(void **state)
{
    (void)state;
    char *text = slurp("tests/fuzz/corpus/fuzz_zeek/smb_mapping.log");
    if (!text)
        skip();
    ww_event_t ev;
    ww_event_init(&ev);
    ww_reader_t *r = first("smb_mapping.log", text, &ev);
    expect(&ev, "path", "\\\\FS01\\IPC$", WW_F_STR);
    expect(&ev, "share_type", "PIPE", WW_F_STR);
    assert_null(get(&ev, "native_file_system"));
    assert_true(ww_str_eq(ev.service, WW_STR("smb_mapping")));
    ww_reader_free(r);
    free(text);
    text = slurp("tests/fuzz/corpus/fuzz_zeek/smb_files.log");
    assert_non_null(text);
    r = first("smb_files.log", text, &ev);
    expect(&ev, "name", "PSEXESVC.exe", WW_F_STR);
    expect(&ev, "action", "SMB::FILE_OPEN", WW_F_STR);
    expect(&ev, "size", "145568", WW_F_INT);
    assert_true(ww_str_eq(ev.service, WW_STR("smb_files")));
    ww_reader_free(r);
    free(text);
    ww_event_release(&ev);
}

static void test_malformed_lines(void **state)
{
    (void)state;
    static const char bad[] = "#separator \\x09\n"              /* 1 */
                              "1709633000.0\tfoo\n"             /* 2: before #fields */
                              "#fields\tts\tuid\tid.orig_h\n"   /* 3 */
                              "#types\ttime\tstring\taddr\n"    /* 4 */
                              "1709633000.0\tC1\n"              /* 5: short */
                              "1709633000.0\tC1\t10.0.0.1\tx\n" /* 6: long */
                              "\n"                              /* 7 */
                              "1709633000.0\tC1\t10.0.0.1\r\n"  /* 8: good (CRLF) */
                              "#separator \\x2c\n"              /* 9 */
                              "#fields,ts,uid\n"                /* 10 */
                              "1.5,C9\n";                       /* 11: good */
    run_t r;
    run_all("bad.log", bad, &r);
    assert_int_equal(r.n, 5);
    assert_int_equal(r.rc[0], WW_EPARSE);
    assert_int_equal(r.diag[0].line, 2);
    assert_int_equal(r.diag[0].col, 1);
    assert_non_null(strstr(r.diag[0].msg, "#fields"));
    assert_int_equal(r.rc[1], WW_EPARSE);
    assert_int_equal(r.diag[1].line, 5);
    assert_non_null(strstr(r.diag[1].msg, "2 values"));
    assert_int_equal(r.rc[2], WW_EPARSE);
    assert_int_equal(r.diag[2].line, 6);
    assert_int_equal(r.diag[2].col, 26); /* the extra value */
    assert_int_equal(r.rc[3], 1);
    assert_non_null(strstr(r.json[3], "\"id.orig_h\":\"10.0.0.1\""));
    assert_int_equal(r.rc[4], 1);
    assert_non_null(strstr(r.json[4], "\"uid\":\"C9\""));
    assert_string_equal(r.service[4], ""); /* no #path: unknown log */
    assert_string_equal(r.product[4], "zeek");
    run_free(&r);
}

/* A byte order mark before the header still detects Zeek; a #fields line past the
 * column cap is refused and the data after it is malformed, not a crash. */
static void test_bom_and_column_cap(void **state)
{
    (void)state;
    char buf[8192];
    int n = snprintf(buf, sizeof buf, "\xEF\xBB\xBF%s", conn_tsv);
    assert_true(n > 0);
    run_t r;
    run_all("bom.log", buf, &r);
    assert_int_equal(r.fmt, WW_FMT_ZEEK);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.rc[0], 1);
    run_free(&r);

    size_t k = (size_t)snprintf(buf, sizeof buf, "#separator \\x09\n#fields");
    for (int i = 0; i < 600 && k + 8 < sizeof buf; i++)
        k += (size_t)snprintf(buf + k, sizeof buf - k, "\tc%d", i);
    snprintf(buf + k, sizeof buf - k, "\n1\t2\n");
    run_all("wide.log", buf, &r);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.rc[0], WW_EPARSE);
    assert_int_equal(r.diag[0].line, 2);
    assert_non_null(strstr(r.diag[0].msg, "512"));
    assert_int_equal(r.rc[1], WW_EPARSE);
    assert_int_equal(r.diag[1].line, 3);
    run_free(&r);
}

/* A header line inside the data: logs concatenated with cat. */
static void test_concatenated_logs(void **state)
{
    (void)state;
    char buf[4096];
    snprintf(buf, sizeof buf, "%s%s", conn_tsv, conn_tsv);
    run_t r;
    run_all("cat.log", buf, &r);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.rc[1], 1);
    assert_string_equal(r.json[0], r.json[1]);
    run_free(&r);
}

/* The same conn record as Zeek's JSON writer prints it, flat and nested. */
static const char conn_json[] =
    "{\"ts\":1709632801.123456,\"uid\":\"CHhAvVGS1DHFjwGM9\",\"id.orig_h\":\"10.20.1.15\","
    "\"id.orig_p\":49812,\"id.resp_h\":\"10.20.5.23\",\"id.resp_p\":445,\"proto\":\"tcp\","
    "\"duration\":0.000512,\"orig_bytes\":0,\"resp_bytes\":0,\"conn_state\":\"S0\","
    "\"local_orig\":true,\"local_resp\":false,\"missed_bytes\":0,\"history\":\"S\","
    "\"orig_pkts\":2,\"orig_ip_bytes\":104,\"resp_pkts\":0,\"resp_ip_bytes\":0,"
    "\"tunnel_parents\":[]}\n";

static void test_zeek_json_same_as_tsv(void **state)
{
    (void)state;
    run_t a, b;
    run_all("conn.log", conn_tsv, &a);
    run_all("conn.log", conn_json, &b); /* the file name says the path */
    assert_int_equal(b.fmt, WW_FMT_JSON);
    assert_int_equal(b.n, 1);
    assert_string_equal(a.json[0], b.json[0]);
    assert_string_equal(b.service[0], "conn");
    assert_string_equal(b.product[0], "zeek");
    assert_true(b.ts[0] == a.ts[0]);
    run_free(&a);
    run_free(&b);
}

static void test_zeek_json_paths(void **state)
{
    (void)state;
    static const char recs[] =
        /* nested id, _path */
        "{\"_path\":\"dns\",\"ts\":\"2024-03-05T10:00:05.000001Z\",\"uid\":\"C4\","
        "\"id\":{\"orig_h\":\"10.20.1.40\",\"orig_p\":52311,\"resp_h\":\"10.20.0.10\","
        "\"resp_p\":53},\"proto\":\"udp\",\"query\":\"seed.nkn.org\"}\n"
        /* no _path, generic file name: implied by fields */
        "{\"ts\":1709633000.25,\"uid\":\"CZ1\",\"id.orig_h\":\"10.20.1.15\",\"id.orig_p\":49900,"
        "\"id.resp_h\":\"10.20.5.23\",\"id.resp_p\":445,\"username\":\"jdoe\",\"domainname\":"
        "\"TRUST\",\"server_nb_computer_name\":\"FS01\",\"success\":true}\n"
        "{\"ts\":1709633004.0,\"uid\":\"Cm4\",\"id.orig_h\":\"10.20.1.15\",\"id.orig_p\":49903,"
        "\"id.resp_h\":\"10.20.5.23\",\"id.resp_p\":445,\"action\":\"SMB::FILE_OPEN\","
        "\"path\":\"\\\\\\\\FS01\\\\IPC$\",\"name\":\"spoolss\"}\n"
        "{\"ts\":1709633004.0,\"uid\":\"Ck1\",\"id.orig_h\":\"10.20.1.15\",\"id.orig_p\":49200,"
        "\"id.resp_h\":\"10.20.0.5\",\"id.resp_p\":88,\"request_type\":\"AS\","
        "\"client\":\"jdoe/TRUST.NHS.UK\",\"service\":\"krbtgt/TRUST.NHS.UK\",\"success\":false}\n";
    run_t r;
    run_all("sensor-export.json", recs, &r);
    assert_int_equal(r.n, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(r.rc[i], 1);
    assert_string_equal(r.service[0], "dns");
    assert_non_null(strstr(r.json[0], "\"id.orig_h\":\"10.20.1.40\""));
    assert_non_null(strstr(r.json[0], "\"src_ip\":\"10.20.1.40\""));
    assert_non_null(strstr(r.json[0], "\"dst_port\":53"));
    assert_true(r.ts[0] == INT64_C(1709632805000001000));
    assert_string_equal(r.service[1], "ntlm");
    assert_non_null(strstr(r.json[1], "\"user\":\"jdoe\""));
    assert_non_null(strstr(r.json[1], "\"outcome\":\"success\""));
    assert_string_equal(r.category[1], "authentication");
    assert_string_equal(r.service[2], "smb_files");
    assert_string_equal(r.service[3], "kerberos");
    assert_non_null(strstr(r.json[3], "\"user\":\"jdoe\""));
    assert_non_null(strstr(r.json[3], "\"outcome\":\"failure\""));
    assert_non_null(strstr(r.json[3], "\"auth_method\":\"kerberos\""));
    run_free(&r);
}

/* ---- Suricata EVE ---------------------------------------------------------- */

static const char eve[] =
    "{\"timestamp\":\"2024-03-05T10:12:01.123456+0000\",\"flow_id\":1375629310371018,"
    "\"in_iface\":\"ens192\",\"event_type\":\"alert\",\"src_ip\":\"10.20.1.15\",\"src_port\":49812,"
    "\"dest_ip\":\"10.20.5.23\",\"dest_port\":445,\"proto\":\"TCP\",\"alert\":{\"action\":"
    "\"allowed\",\"gid\":1,\"signature_id\":2024218,\"rev\":3,\"signature\":\"ET EXPLOIT "
    "Possible ETERNALBLUE Exploit M2 MS17-010\",\"category\":\"Attempted Administrator Privilege "
    "Gain\",\"severity\":1},\"app_proto\":\"smb\"}\n"
    "{\"timestamp\":\"2024-03-05T10:12:02.000000+0000\",\"flow_id\":1375629310371019,"
    "\"event_type\":\"flow\",\"src_ip\":\"10.20.1.15\",\"src_port\":49813,\"dest_ip\":"
    "\"10.20.5.24\",\"dest_port\":445,\"proto\":\"TCP\",\"flow\":{\"pkts_toserver\":2,"
    "\"pkts_toclient\":0,\"bytes_toserver\":120,\"bytes_toclient\":0,\"start\":"
    "\"2024-03-05T10:11:59.000000+0000\",\"end\":\"2024-03-05T10:12:00.000000+0000\",\"age\":1,"
    "\"state\":\"new\",\"reason\":\"timeout\",\"alerted\":false}}\n"
    "{\"timestamp\":\"2024-03-05T10:12:03.5+0000\",\"flow_id\":3,\"event_type\":\"dns\","
    "\"src_ip\":\"10.20.1.40\",\"src_port\":52311,\"dest_ip\":\"10.20.0.10\",\"dest_port\":53,"
    "\"proto\":\"UDP\",\"dns\":{\"type\":\"query\",\"id\":41233,\"rrname\":\"pool.supportxmr.com\","
    "\"rrtype\":\"A\",\"tx_id\":0}}\n"
    "{\"timestamp\":\"2024-03-05T10:12:04+0000\",\"flow_id\":4,\"event_type\":\"smb\","
    "\"src_ip\":\"10.20.1.15\",\"src_port\":49814,\"dest_ip\":\"10.20.5.25\",\"dest_port\":445,"
    "\"proto\":\"TCP\",\"smb\":{\"id\":1,\"dialect\":\"NT LM 0.12\",\"command\":"
    "\"SMB1_COMMAND_NEGOTIATE_PROTOCOL\",\"status\":\"STATUS_SUCCESS\",\"status_code\":\"0x0\","
    "\"session_id\":0,\"tree_id\":0,\"client_dialects\":[\"PC NETWORK PROGRAM 1.0\",\"NT LM "
    "0.12\"]}}\n";

static void test_suricata(void **state)
{
    (void)state;
    run_t r;
    run_all("eve.json", eve, &r);
    assert_int_equal(r.n, 4);
    const char *svc[] = {"alert", "flow", "dns", "smb"};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(r.rc[i], 1);
        assert_string_equal(r.product[i], "suricata");
        assert_string_equal(r.service[i], svc[i]);
        assert_non_null(strstr(r.json[i], "\"dst_ip\":"));
        assert_non_null(strstr(r.json[i], "\"dest_ip\":"));
    }
    assert_non_null(strstr(r.json[0], "\"alert.signature_id\":2024218"));
    assert_non_null(strstr(r.json[0], "\"alert.signature\":\"ET EXPLOIT Possible ETERNALBLUE"));
    assert_non_null(strstr(r.json[0], "\"alert.category\":\"Attempted Administrator"));
    assert_non_null(strstr(r.json[0], "\"proto\":\"tcp\""));
    assert_non_null(strstr(r.json[0], "\"dst_port\":445"));
    assert_non_null(strstr(r.json[0], "\"src_port\":49812"));
    assert_true(r.ts[0] == INT64_C(1709633521123456000));
    assert_non_null(strstr(r.json[1], "\"flow.state\":\"new\""));
    assert_non_null(strstr(r.json[2], "\"dns.rrname\":\"pool.supportxmr.com\""));
    assert_non_null(strstr(r.json[2], "\"proto\":\"udp\""));
    assert_non_null(strstr(r.json[3], "\"smb.command\":\"SMB1_COMMAND_NEGOTIATE_PROTOCOL\""));
    assert_non_null(strstr(r.json[3], "\"smb.client_dialects\":[\"PC NETWORK PROGRAM 1.0\""));
    run_free(&r);
}

/* Records that only look a bit like a sensor's stay generic JSON. */
static void test_not_a_sensor(void **state)
{
    (void)state;
    run_t r;
    run_all("x.json", "{\"ts\":5,\"msg\":\"hello\"}\n{\"event_type\":7,\"src_ip\":\"1.2.3.4\"}\n",
            &r);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.product[0], "");
    assert_string_equal(r.product[1], "");
    assert_null(strstr(r.json[1], "dst_ip"));
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conn_tsv),           cmocka_unit_test(test_dns_tsv_sets_and_escapes),
        cmocka_unit_test(test_ntlm_auth_fields),   cmocka_unit_test(test_smb_paths),
        cmocka_unit_test(test_malformed_lines),    cmocka_unit_test(test_concatenated_logs),
        cmocka_unit_test(test_bom_and_column_cap), cmocka_unit_test(test_zeek_json_same_as_tsv),
        cmocka_unit_test(test_zeek_json_paths),    cmocka_unit_test(test_suricata),
        cmocka_unit_test(test_not_a_sensor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
