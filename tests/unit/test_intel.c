/* Unit tests for lib/intel: value normalisation (addresses and ranges, names, URLs,
 * hashes, senders), the STIX pattern reader (OR kept, AND and qualifiers reported,
 * TLP from marking references), MISP attributes and tags, plain lists, the store
 * (update in place, removal, generation, rows after a point), and the matcher: exact
 * values, range boundaries, parent domains, Sysmon hash lists, expiry, the same value
 * from two sources, and the pipeline giving the same hits with and without workers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "intel/ww_intel.h"
#include "pipeline/ww_pipeline.h"

static int64_t now_ns(void)
{
    int64_t t;
    ww_time_parse_iso("2026-06-01T00:00:00Z", 20, &t);
    return t;
}

/* ---- normalisation ---- */

static void norm_ok(int type, const char *in, const char *want, int want_type)
{
    char out[WW_INTEL_MAX_VALUE + 16];
    const char *why = NULL;
    int t = type;
    int rc = ww_intel_normalise(&t, in, strlen(in), out, sizeof out, &why);
    if (rc != 0)
        fail_msg("normalise(%s) failed: %s", in, why);
    if (strcmp(out, want) != 0)
        fail_msg("normalise(%s) gave '%s', expected '%s'", in, out, want);
    assert_int_equal(t, want_type);
}

static void norm_bad(int type, const char *in)
{
    char out[WW_INTEL_MAX_VALUE + 16];
    const char *why = NULL;
    int t = type;
    if (ww_intel_normalise(&t, in, strlen(in), out, sizeof out, &why) == 0)
        fail_msg("normalise(%s) accepted it as '%s'", in, out);
    assert_true(why && *why);
}

static void test_normalise(void **state)
{
    (void)state;
    norm_ok(WW_IND_IPV4, " 203.0.113.7 ", "203.0.113.7", WW_IND_IPV4);
    norm_ok(WW_IND_IPV4, "10.1.2.3/8", "10.0.0.0/8", WW_IND_IPV4);
    norm_ok(WW_IND_IPV4, "10.1.2.3/32", "10.1.2.3", WW_IND_IPV4);
    norm_ok(WW_IND_IPV4, "0.0.0.0/0", "0.0.0.0/0", WW_IND_IPV4);
    norm_ok(WW_IND_IPV4, "2001:DB8::1", "2001:db8::1", WW_IND_IPV6);
    norm_ok(WW_IND_IPV6, "::ffff:192.0.2.1", "192.0.2.1", WW_IND_IPV4);
    norm_ok(WW_IND_IPV6, "2001:db8:ffff::/33", "2001:db8:8000::/33", WW_IND_IPV6);
    norm_ok(WW_IND_IPV6, "[2001:db8::2]", "2001:db8::2", WW_IND_IPV6);
    norm_bad(WW_IND_IPV4, "10.1.2.3/33");
    norm_bad(WW_IND_IPV4, "10.1.2.3/-1");
    norm_bad(WW_IND_IPV4, "10.1.2");
    norm_bad(WW_IND_IPV4, "evil.example");
    norm_ok(WW_IND_DOMAIN, "Evil.EXAMPLE.", "evil.example", WW_IND_DOMAIN);
    norm_ok(WW_IND_DOMAIN, "*.evil.example", "evil.example", WW_IND_DOMAIN);
    norm_bad(WW_IND_DOMAIN, "a..b");
    norm_bad(WW_IND_DOMAIN, "evil.example/path");
    norm_bad(WW_IND_DOMAIN, "a*b.example");
    norm_ok(WW_IND_URL, "HTTP://User@Payload.Example:80/x.ps1?a=B#frag",
            "payload.example/x.ps1?a=B", WW_IND_URL);
    norm_ok(WW_IND_URL, "https://a.example:443", "a.example/", WW_IND_URL);
    norm_ok(WW_IND_URL, "http://a.example:8080/p", "a.example:8080/p", WW_IND_URL);
    norm_ok(WW_IND_URL, "https://a.example:80/p", "a.example:80/p", WW_IND_URL);
    norm_ok(WW_IND_URL, "a.example/p", "a.example/p", WW_IND_URL);
    norm_ok(WW_IND_URL, "a.example:80/p", "a.example:80/p", WW_IND_URL); /* no scheme: kept */
    norm_ok(WW_IND_URL, "http://a.example.:/p", "a.example/p", WW_IND_URL);
    norm_ok(WW_IND_URL, "http://[2001:DB8::1]:8080/p", "[2001:db8::1]:8080/p", WW_IND_URL);
    norm_bad(WW_IND_URL, "HTTP:./Payload.Example:80/x"); /* found by fuzz_stix */
    norm_bad(WW_IND_URL, "http://a:80:/p");
    norm_bad(WW_IND_URL, "http:///nohost");
    norm_bad(WW_IND_URL, "http://a.example/with space");
    norm_ok(WW_IND_SHA256, "AAE4E3B2B7C9B63A2B1B3B4F7E2E2F1A0D9C8B7A6F5E4D3C2B1A09F8E7D6C5B4",
            "aae4e3b2b7c9b63a2b1b3b4f7e2e2f1a0d9c8b7a6f5e4d3c2b1a09f8e7d6c5b4", WW_IND_SHA256);
    norm_bad(WW_IND_SHA256, "aae4e3b2");
    norm_bad(WW_IND_MD5, "0123456789abcdef0123456789abcdeg");
    norm_ok(WW_IND_SHA1, "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709",
            "da39a3ee5e6b4b0d3255bfef95601890afd80709", WW_IND_SHA1);
    norm_ok(WW_IND_EMAIL, "Invoice Desk <Billing@Phish.Example>", "billing@phish.example",
            WW_IND_EMAIL);
    norm_bad(WW_IND_EMAIL, "no-at-sign");
    norm_bad(WW_IND_EMAIL, "a@b@c");
    norm_bad(WW_IND_EMAIL, "<unterminated@x");
    norm_bad(WW_IND_IPV4, "");
    char big[WW_INTEL_MAX_VALUE + 10];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    norm_bad(WW_IND_URL, big);
}

static void test_tlp_names(void **state)
{
    (void)state;
    assert_int_equal(ww_tlp_parse("TLP:WHITE", 9), WW_TLP_CLEAR);
    assert_int_equal(ww_tlp_parse("amber+strict", 12), WW_TLP_AMBER_STRICT);
    assert_int_equal(ww_tlp_parse("Red", 3), WW_TLP_RED);
    assert_int_equal(ww_tlp_parse("purple", 6), -1);
    assert_string_equal(ww_tlp_name(WW_TLP_AMBER_STRICT), "TLP:AMBER+STRICT");
    assert_int_equal(ww_ind_type_parse("domain"), WW_IND_DOMAIN);
    assert_int_equal(ww_ind_type_parse("sha256"), WW_IND_SHA256);
    assert_int_equal(ww_ind_type_parse("regkey"), -1);
}

/* ---- STIX ---- */

#define STIX_HEAD "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":["
#define IND(id, pat, extra)                                                                        \
    "{\"type\":\"indicator\",\"id\":\"indicator--" id "\",\"name\":\"n" id "\",\"pattern\":\"" pat \
    "\",\"pattern_type\":\"stix\",\"valid_from\":\"2026-01-01T00:00:00Z\"" extra "}"

static const ww_indicator_t *find(const ww_intel_set_t *s, const char *value)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->v[i].value, value))
            return &s->v[i];
    return NULL;
}

static bool skipped(const ww_intel_set_t *s, const char *where, const char *why)
{
    for (size_t i = 0; i < s->nskip; i++)
        if (strstr(s->skip[i].where, where) && strstr(s->skip[i].why, why))
            return true;
    return false;
}

static void test_stix(void **state)
{
    (void)state;
    const char *doc =
        STIX_HEAD "{\"type\":\"identity\",\"id\":\"identity--1\",\"name\":\"CSOC\"},"
                  "{\"type\":\"marking-definition\",\"id\":\"marking-definition--own\","
                  "\"definition_type\":\"tlp\",\"definition\":{\"tlp\":\"green\"}}," IND(
                      "1",
                      "[ipv4-addr:value = '198.51.100.1'] OR [domain-name:value = 'Bad.Example']",
                      ",\"created_by_ref\":\"identity--1\",\"confidence\":80,"
                      "\"object_marking_refs\":[\"marking-definition--own\","
                      "\"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82\"]") "," IND("2",
                                                                                               "[fi"
                                                                                               "le:"
                                                                                               "has"
                                                                                               "hes"
                                                                                               ".'"
                                                                                               "SHA"
                                                                                               "-25"
                                                                                               "6' "
                                                                                               "= "
                                                                                               "'"
                                                                                               "AAA"
                                                                                               "AAA"
                                                                                               "AAA"
                                                                                               "AAA"
                                                                                               "AAA"
                                                                                               "AAA"
                                                                                               "AAA"
                                                                                               "AAA"
                                                                                               "AAA"
                                                                                               "AAA"
                                                                                               "AAA"
                                                                                               "AAA"
                                                                                               "AAA"
                                                                                               "AAA"
                                                                                               "AAA"
                                                                                               "AAA"
                                                                                               "AAA"
                                                                                               "AAA"
                                                                                               "AAA"
                                                                                               "AAA"
                                                                                               "AAA"
                                                                                               "A"
                                                                                               "' "
                                                                                               "AND"
                                                                                               " "
                                                                                               "fil"
                                                                                               "e:"
                                                                                               "nam"
                                                                                               "e "
                                                                                               "= "
                                                                                               "'x'"
                                                                                               "]",
                                                                                               "") "," IND("3",
                                                                                                           "[url:value = 'http://a.example/x' OR file:size = 10]",
                                                                                                           ",\"valid_until\":\"2026-02-01T00:00:00Z\",\"object_marking_refs\":["
                                                                                                           "\"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1\"]") "," IND("4", "[email-addr:value = 'a@b.example'] FOLLOWEDBY [ipv4-addr:value = '1.2.3.4']", "") "," IND("5",
                                                                                                                                                                                                                                                                                    "[ipv4-addr:value = 'not-an-ip']",
                                                                                                                                                                                                                                                                                    "") "," IND("6",
                                                                                                                                                                                                                                                                                                "([ipv6-addr:value = '2001:db8::/32'] OR ([email-addr:value = 'x@y.example']))", ",\"revoked\":false") "," IND("7",
                                                                                                                                                                                                                                                                                                                                                                                                               "[ipv4-addr:value = '1.1.1.1']",
                                                                                                                                                                                                                                                                                                                                                                                                               ",\"revoked\":true") "," IND("8",
                                                                                                                                                                                                                                                                                                                                                                                                                                            "[ipv4-addr:value != '1.1.1.1']", "") "," IND("9",
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                          "[ipv4-addr:value = '1.1.1.1'] WITHIN 5 SECONDS", "") "," IND("10",
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                        "[ipv4-addr:value = 'unterminated]",
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                        "") "]}";
    ww_intel_set_t s;
    ww_intel_set_init(&s);
    ww_intel_opts_t o = WW_INTEL_OPTS_INIT;
    ww_diag_t d = {0};
    assert_int_equal(ww_intel_parse_stix("b.json", doc, strlen(doc), &o, &s, &d), 0);
    const ww_indicator_t *x = find(&s, "198.51.100.1");
    assert_non_null(x);
    assert_string_equal(x->id, "indicator--1");
    assert_string_equal(x->source, "CSOC");
    assert_int_equal(x->tlp, WW_TLP_AMBER); /* the stricter of green and amber */
    assert_int_equal(x->confidence, 80);
    assert_non_null(find(&s, "bad.example"));
    assert_null(find(&s, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
    assert_true(skipped(&s, "indicator--2 (n2)", "AND"));
    x = find(&s, "a.example/x");
    assert_non_null(x);
    assert_int_equal(x->tlp, WW_TLP_RED);
    assert_true(x->valid_until != WW_TIME_NONE);
    assert_true(skipped(&s, "indicator--3", "file:size"));
    assert_true(skipped(&s, "indicator--4", "FOLLOWEDBY"));
    assert_true(skipped(&s, "indicator--5", "not an IPv4 or IPv6 address"));
    assert_non_null(find(&s, "2001:db8::/32"));
    assert_non_null(find(&s, "x@y.example"));
    assert_int_equal(find(&s, "x@y.example")->tlp, WW_TLP_DEFAULT);
    assert_true(skipped(&s, "indicator--7", "revoked"));
    assert_true(skipped(&s, "indicator--8", "only '='"));
    assert_true(skipped(&s, "indicator--9", "WITHIN"));
    assert_true(skipped(&s, "indicator--10", "unterminated"));
    assert_null(find(&s, "1.1.1.1"));
    assert_int_equal(s.n, 5);

    /* --tlp only ever restricts further; --source overrides the identity. */
    ww_intel_set_release(&s);
    ww_intel_set_init(&s);
    o.tlp = WW_TLP_GREEN;
    o.source = "Mine";
    assert_int_equal(ww_intel_parse_stix("b.json", doc, strlen(doc), &o, &s, &d), 0);
    assert_int_equal(find(&s, "198.51.100.1")->tlp, WW_TLP_AMBER);
    assert_int_equal(find(&s, "x@y.example")->tlp, WW_TLP_GREEN);
    assert_string_equal(find(&s, "198.51.100.1")->source, "Mine");
    ww_intel_set_release(&s);
}

static void test_stix_malformed(void **state)
{
    (void)state;
    ww_intel_set_t s;
    ww_intel_set_init(&s);
    ww_intel_opts_t o = WW_INTEL_OPTS_INIT;
    ww_diag_t d = {0};
    const char *bad = "{\"type\":\"bundle\",\n\"objects\": [ {\"type\": \"indicator\" \"x\"} ]}";
    assert_int_equal(ww_intel_parse_stix("bad.json", bad, strlen(bad), &o, &s, &d), WW_EPARSE);
    assert_string_equal(d.file, "bad.json");
    assert_int_equal(d.line, 2);
    assert_true(d.col > 1);
    memset(&d, 0, sizeof d);
    const char *nb = "{\"type\":\"report\"}";
    assert_int_equal(ww_intel_parse_stix("r.json", nb, strlen(nb), &o, &s, &d), WW_EPARSE);
    assert_non_null(strstr(d.msg, "report"));
    memset(&d, 0, sizeof d);
    const char *noobj = "{\"type\":\"bundle\",\"objects\":5}";
    assert_int_equal(ww_intel_parse_stix("n.json", noobj, strlen(noobj), &o, &s, &d), WW_EPARSE);
    memset(&d, 0, sizeof d);
    const char *trail = "{\"type\":\"bundle\",\"objects\":[]} {}";
    assert_int_equal(ww_intel_parse_stix("t.json", trail, strlen(trail), &o, &s, &d), WW_EPARSE);
    assert_int_equal(d.col, 32); /* the second document */
    assert_int_equal(s.n, 0);
    ww_intel_set_release(&s);
}

/* ---- MISP and lists ---- */

static void test_misp(void **state)
{
    (void)state;
    const char *ev =
        "{\"Event\":{\"uuid\":\"e1\",\"info\":\"Phish\",\"Orgc\":{\"name\":\"ISAC\"},"
        "\"Tag\":[{\"name\":\"tlp:green\"}],\"Attribute\":["
        "{\"uuid\":\"a1\",\"type\":\"domain|ip\",\"value\":\"x.example|192.0.2.5\",\"to_ids\":true}"
        ","
        "{\"uuid\":\"a2\",\"type\":\"filename|sha256\",\"value\":\"f.exe|"
        "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB\",\"to_ids\":1,"
        "\"Tag\":[{\"name\":\"tlp:red\"}]},"
        "{\"uuid\":\"a3\",\"type\":\"ip-src\",\"value\":\"192.0.2.6\",\"to_ids\":false},"
        "{\"uuid\":\"a4\",\"type\":\"mutex\",\"value\":\"m\",\"to_ids\":true},"
        "{\"uuid\":\"a5\",\"type\":\"url\",\"value\":\"http://u.example/p\",\"to_ids\":\"1\"}],"
        "\"Object\":[{\"Attribute\":[{\"uuid\":\"a6\",\"type\":\"md5\","
        "\"value\":\"cccccccccccccccccccccccccccccccc\",\"to_ids\":true}]}]}}";
    ww_intel_set_t s;
    ww_intel_set_init(&s);
    ww_intel_opts_t o = WW_INTEL_OPTS_INIT;
    ww_diag_t d = {0};
    assert_int_equal(ww_intel_parse_misp("e.json", ev, strlen(ev), &o, &s, &d), 0);
    assert_int_equal(s.n, 5);
    const ww_indicator_t *x = find(&s, "192.0.2.5");
    assert_non_null(x);
    assert_string_equal(x->id, "a1");
    assert_string_equal(x->source, "ISAC");
    assert_string_equal(x->name, "Phish");
    assert_int_equal(x->tlp, WW_TLP_GREEN);
    assert_non_null(find(&s, "x.example"));
    assert_int_equal(
        find(&s, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")->tlp,
        WW_TLP_RED);
    assert_null(find(&s, "192.0.2.6"));
    assert_non_null(find(&s, "cccccccccccccccccccccccccccccccc"));
    assert_true(skipped(&s, "event 0 e1", "not marked to_ids"));
    assert_true(skipped(&s, "event 0 e1", "mutex"));
    ww_intel_set_release(&s);
    ww_intel_set_init(&s);
    o.misp_all = true;
    assert_int_equal(ww_intel_parse_misp("e.json", ev, strlen(ev), &o, &s, &d), 0);
    assert_non_null(find(&s, "192.0.2.6"));
    ww_intel_set_release(&s);

    ww_intel_set_init(&s);
    const char *notmisp = "{\"foo\":1}";
    assert_int_equal(ww_intel_parse_misp("x.json", notmisp, strlen(notmisp), &o, &s, &d),
                     WW_EPARSE);
    ww_intel_set_release(&s);
}

static void test_list(void **state)
{
    (void)state;
    const char *txt =
        "\xef\xbb\xbf# comment\r\n\r\nevil.example  # c2\r\n  bad..name\nOK.Example.\n";
    ww_intel_set_t s;
    ww_intel_set_init(&s);
    ww_intel_opts_t o = WW_INTEL_OPTS_INIT;
    ww_diag_t d = {0};
    assert_int_equal(ww_intel_parse_list("l.txt", txt, strlen(txt), &o, &s, &d), WW_EINVAL);
    o.type = WW_IND_DOMAIN;
    o.source = "SOC";
    o.tlp = WW_TLP_GREEN;
    assert_int_equal(ww_intel_parse_list("l.txt", txt, strlen(txt), &o, &s, &d), 0);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.v[0].value, "evil.example");
    assert_string_equal(s.v[0].id, "list:SOC:evil.example");
    assert_int_equal(s.v[0].tlp, WW_TLP_GREEN);
    assert_string_equal(s.v[1].value, "ok.example");
    assert_true(skipped(&s, "l.txt:4", "empty label"));
    ww_intel_set_release(&s);
}

/* ---- the matcher ---- */

typedef struct hits {
    uint32_t k[32];
    uint32_t n;
} hits_t;

static void on_hit(void *ud, uint32_t k)
{
    hits_t *h = ud;
    if (h->n < 32)
        h->k[h->n++] = k;
}

static ww_intel_t *compile(const char *list, int type, const char *source, int64_t until)
{
    ww_intel_set_t s;
    ww_intel_set_init(&s);
    ww_intel_opts_t o = WW_INTEL_OPTS_INIT;
    o.type = type;
    o.source = source;
    o.valid_until = until;
    ww_diag_t d = {0};
    assert_int_equal(ww_intel_parse_list("l", list, strlen(list), &o, &s, &d), 0);
    ww_intel_t *m = NULL;
    assert_int_equal(ww_intel_from_set(&s, now_ns(), &m), 0);
    ww_intel_set_release(&s);
    return m;
}

/* The values of the indicators that match an event of one field. */
static void match1(ww_intel_t *m, const char *field, const char *value, char *out, size_t outlen)
{
    ww_event_t ev;
    ww_event_init(&ev);
    ww_event_add(&ev, WW_STRZ(field), WW_STRZ(value), WW_F_STR);
    hits_t h = {0};
    ww_intel_match(m, &ev, on_hit, &h);
    out[0] = 0;
    for (uint32_t i = 0; i < h.n; i++) {
        size_t n = strlen(out);
        snprintf(out + n, outlen - n, "%s%s", n ? " " : "", ww_intel_get(m, h.k[i])->value);
    }
    ww_event_release(&ev);
}

#define EXPECT(m, field, value, want)                                                \
    do {                                                                             \
        char got_[512];                                                              \
        match1(m, field, value, got_, sizeof got_);                                  \
        if (strcmp(got_, want))                                                      \
            fail_msg("%s=%s matched '%s', expected '%s'", field, value, got_, want); \
    } while (0)

static void test_match_ip(void **state)
{
    (void)state;
    ww_intel_t *m = compile("203.0.113.7\n198.51.100.0/24\n10.0.0.0/8\n2001:db8:bad::/48\n"
                            "2001:db8::9\n0.0.0.0/1\n",
                            WW_IND_IPV4, "SOC", WW_TIME_NONE);
    EXPECT(m, "DestinationIp", "203.0.113.7", "203.0.113.7");
    EXPECT(m, "destinationip", "203.0.113.8", "");
    EXPECT(m, "src_ip", "198.51.100.0", "198.51.100.0/24");
    EXPECT(m, "src_ip", "198.51.100.255", "198.51.100.0/24");
    EXPECT(m, "src_ip", "198.51.101.0", "");
    EXPECT(m, "src_ip", "198.51.99.255", "");
    EXPECT(m, "IpAddress", "::ffff:10.200.3.4", "0.0.0.0/1 10.0.0.0/8");
    EXPECT(m, "ClientIP", "10.1.1.1:5555", "0.0.0.0/1 10.0.0.0/8");
    EXPECT(m, "SourceIp", "127.255.255.255", "0.0.0.0/1");
    EXPECT(m, "SourceIp", "128.0.0.0", "");
    EXPECT(m, "dest_ip", "2001:db8:bad:ffff::1", "2001:db8:bad::/48");
    EXPECT(m, "dest_ip", "2001:db8:bae::1", "");
    EXPECT(m, "dest_ip", "[2001:DB8::9]:443", "2001:db8::9");
    EXPECT(m, "Image", "203.0.113.7", ""); /* not an address field */
    EXPECT(m, "src_ip", "203.0.113.7x", "");
    ww_intel_free(m);
}

static void test_match_names(void **state)
{
    (void)state;
    ww_intel_t *m = compile("evil.example\nc2.bad.example\n", WW_IND_DOMAIN, "SOC", WW_TIME_NONE);
    EXPECT(m, "QueryName", "evil.example", "evil.example");
    EXPECT(m, "QueryName", "A.B.Evil.Example.", "evil.example");
    EXPECT(m, "QueryName", "notevil.example", "");
    EXPECT(m, "QueryName", "evil.example.net", "");
    EXPECT(m, "QueryName", "bad.example", "");
    EXPECT(m, "dns.rrname", "x.c2.bad.example", "c2.bad.example");
    EXPECT(m, "url", "https://www.evil.example:8443/login", "evil.example");
    EXPECT(m, "url", "https://www.evil.example.attacker.net/login", "");
    ww_intel_free(m);
    m = compile("http://Payload.example/drop/x.ps1\n", WW_IND_URL, "SOC", WW_TIME_NONE);
    EXPECT(m, "url", "HTTPS://payload.EXAMPLE/drop/x.ps1#top", "payload.example/drop/x.ps1");
    EXPECT(m, "url", "http://payload.example/drop/x.ps1?y", "");
    EXPECT(m, "http.url", "payload.example/drop/x.ps1", "payload.example/drop/x.ps1");
    ww_intel_free(m);
    m = compile("Billing@Phish.example\n", WW_IND_EMAIL, "SOC", WW_TIME_NONE);
    EXPECT(m, "SenderAddress", "\"Desk\" <billing@PHISH.example>", "billing@phish.example");
    EXPECT(m, "SenderAddress", "billing@phish.example.net", "");
    EXPECT(m, "RecipientAddress", "billing@phish.example", "");
    ww_intel_free(m);
}

static void test_match_hashes(void **state)
{
    (void)state;
    ww_intel_t *m = compile("AAE4E3B2B7C9B63A2B1B3B4F7E2E2F1A0D9C8B7A6F5E4D3C2B1A09F8E7D6C5B4\n",
                            WW_IND_SHA256, "SOC", WW_TIME_NONE);
    EXPECT(m, "Hashes",
           "SHA1=0000000000000000000000000000000000000000,MD5=FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF,"
           "SHA256=AAE4E3B2B7C9B63A2B1B3B4F7E2E2F1A0D9C8B7A6F5E4D3C2B1A09F8E7D6C5B4",
           "aae4e3b2b7c9b63a2b1b3b4f7e2e2f1a0d9c8b7a6f5e4d3c2b1a09f8e7d6c5b4");
    EXPECT(m, "fileinfo.sha256", "aae4e3b2b7c9b63a2b1b3b4f7e2e2f1a0d9c8b7a6f5e4d3c2b1a09f8e7d6c5b4",
           "aae4e3b2b7c9b63a2b1b3b4f7e2e2f1a0d9c8b7a6f5e4d3c2b1a09f8e7d6c5b4");
    EXPECT(m, "CommandLine", "aae4e3b2b7c9b63a2b1b3b4f7e2e2f1a0d9c8b7a6f5e4d3c2b1a09f8e7d6c5b4",
           "");
    ww_intel_free(m);
    m = compile("0123456789abcdef0123456789abcdef\n", WW_IND_MD5, "SOC", WW_TIME_NONE);
    /* An import hash is no file hash. */
    EXPECT(m, "Hashes", "IMPHASH=0123456789ABCDEF0123456789ABCDEF", "");
    EXPECT(m, "Hashes", "MD5=0123456789ABCDEF0123456789ABCDEF,IMPHASH=00",
           "0123456789abcdef0123456789abcdef");
    ww_intel_free(m);
}

static void test_match_validity(void **state)
{
    (void)state;
    int64_t past, future;
    ww_time_parse_iso("2026-01-01T00:00:00Z", 20, &past);
    ww_time_parse_iso("2027-01-01T00:00:00Z", 20, &future);
    ww_intel_t *m = compile("192.0.2.1\n", WW_IND_IPV4, "Old", past);
    assert_int_equal(ww_intel_count(m), 0);
    EXPECT(m, "src_ip", "192.0.2.1", "");
    ww_intel_free(m);
    m = compile("192.0.2.1\n", WW_IND_IPV4, "New", future);
    assert_int_equal(ww_intel_count(m), 1);
    EXPECT(m, "src_ip", "192.0.2.1", "192.0.2.1");
    ww_intel_free(m);
    /* Not valid yet. */
    ww_intel_set_t s;
    ww_intel_set_init(&s);
    const char *doc = STIX_HEAD IND("f", "[ipv4-addr:value = '192.0.2.1']", "") "]}";
    char *later = strdup(doc);
    char *p = strstr(later, "2026-01-01");
    memcpy(p, "2099", 4);
    ww_intel_opts_t o = WW_INTEL_OPTS_INIT;
    ww_diag_t d = {0};
    assert_int_equal(ww_intel_parse_stix("f.json", later, strlen(later), &o, &s, &d), 0);
    assert_int_equal(s.n, 1);
    assert_int_equal(ww_intel_from_set(&s, now_ns(), &m), 0);
    assert_int_equal(ww_intel_count(m), 0);
    ww_intel_free(m);
    free(later);
    ww_intel_set_release(&s);
}

static void test_match_two_sources(void **state)
{
    (void)state;
    ww_intel_set_t s;
    ww_intel_set_init(&s);
    ww_intel_opts_t o = WW_INTEL_OPTS_INIT;
    ww_diag_t d = {0};
    o.type = WW_IND_IPV4;
    o.source = "A";
    assert_int_equal(ww_intel_parse_list("a", "192.0.2.1\n", 10, &o, &s, &d), 0);
    o.source = "B";
    o.tlp = WW_TLP_RED;
    assert_int_equal(ww_intel_parse_list("b", "192.0.2.1\n", 10, &o, &s, &d), 0);
    ww_intel_t *m = NULL;
    assert_int_equal(ww_intel_from_set(&s, now_ns(), &m), 0);
    /* Both alert, once each, even with the address in two fields. */
    ww_event_t ev;
    ww_event_init(&ev);
    ww_event_add(&ev, WW_STR("IpAddress"), WW_STR("192.0.2.1"), WW_F_STR);
    ww_event_add(&ev, WW_STR("src_ip"), WW_STR("192.0.2.1"), WW_F_STR);
    hits_t h = {0};
    ww_intel_match(m, &ev, on_hit, &h);
    assert_int_equal(h.n, 2);
    assert_true(h.k[0] != h.k[1]);
    const ww_sigma_rule_t *r = ww_intel_rule(m, h.k[0]);
    const ww_sigma_rule_t *r2 = ww_intel_rule(m, h.k[1]);
    assert_ptr_equal(r, ww_intel_rule(m, h.k[0])); /* made once */
    const ww_sigma_rule_t *ra = !strcmp(ww_intel_get(m, h.k[0])->source, "A") ? r : r2;
    const ww_sigma_rule_t *rb = ra == r ? r2 : r;
    assert_string_equal(ra->id, "intel:list:A:192.0.2.1");
    assert_string_equal(ra->title, "Indicator match: 192.0.2.1 (A, TLP:AMBER)");
    assert_string_equal(rb->title, "Indicator match: 192.0.2.1 (B, TLP:RED)");
    assert_int_equal(ww_intel_rule_tlp(ra), WW_TLP_AMBER);
    assert_int_equal(ww_intel_rule_tlp(rb), WW_TLP_RED);
    assert_int_equal(ra->level, WW_LEVEL_HIGH);
    assert_true(ra->alert);
    ww_event_release(&ev);
    ww_intel_free(m);
    ww_intel_set_release(&s);
}

/* ---- the store ---- */

static void test_store(void **state)
{
    (void)state;
    char path[] = "/tmp/test_intel_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    ww_store_t *st = NULL;
    ww_diag_t d = {0};
    assert_int_equal(ww_store_open(path, &st, &d), 0);
    int64_t g0 = -1, g1 = -1, g2 = -1;
    assert_int_equal(ww_intel_generation(st, &g0, &d), 0);
    assert_int_equal(g0, 0);
    ww_intel_set_t s;
    ww_intel_set_init(&s);
    ww_intel_opts_t o = WW_INTEL_OPTS_INIT;
    o.type = WW_IND_IPV4;
    o.source = "A";
    const char *l1 = "192.0.2.1\n192.0.2.2\n";
    assert_int_equal(ww_intel_parse_list("a", l1, strlen(l1), &o, &s, &d), 0);
    uint64_t added = 0, updated = 0;
    assert_int_equal(ww_intel_store_put(st, &s, &added, &updated, &d), 0);
    assert_int_equal(added, 2);
    assert_int_equal(updated, 0);
    assert_int_equal(ww_intel_generation(st, &g1, &d), 0);
    assert_true(g1 > g0);
    ww_intel_t *m = NULL;
    assert_int_equal(ww_intel_load(st, now_ns(), 0, &m, &d), 0);
    assert_int_equal(ww_intel_count(m), 2);
    int64_t last = ww_intel_last_row(m);
    ww_intel_free(m);
    /* Again with a new value: one added, two updated (TLP changed); only the new one
       comes after the last row. */
    ww_intel_set_release(&s);
    ww_intel_set_init(&s);
    o.tlp = WW_TLP_GREEN;
    const char *l2 = "192.0.2.1\n192.0.2.2\n192.0.2.3\n";
    assert_int_equal(ww_intel_parse_list("a", l2, strlen(l2), &o, &s, &d), 0);
    assert_int_equal(ww_intel_store_put(st, &s, &added, &updated, &d), 0);
    assert_int_equal(added, 1);
    assert_int_equal(updated, 2);
    assert_int_equal(ww_intel_load(st, now_ns(), last, &m, &d), 0);
    assert_int_equal(ww_intel_count(m), 1);
    assert_string_equal(ww_intel_get(m, 0)->value, "192.0.2.3");
    assert_int_equal(ww_intel_get(m, 0)->tlp, WW_TLP_GREEN);
    ww_intel_free(m);
    /* A row whose packed form is gone, and one whose packed form is damaged, still
       load from their columns. */
    assert_int_equal(ww_store_exec(st,
                                   "DELETE FROM intel_packed WHERE row = (SELECT row FROM "
                                   "intel_indicator WHERE value = '192.0.2.1');"
                                   "UPDATE intel_packed SET packed = x'01ff' WHERE row = (SELECT "
                                   "row FROM intel_indicator WHERE value = '192.0.2.2');",
                                   &d),
                     0);
    assert_int_equal(ww_intel_load(st, now_ns(), 0, &m, &d), 0);
    assert_int_equal(ww_intel_count(m), 3);
    char got[128] = "";
    match1(m, "src_ip", "192.0.2.1", got, sizeof got);
    assert_string_equal(got, "192.0.2.1");
    match1(m, "src_ip", "192.0.2.2", got, sizeof got);
    assert_string_equal(got, "192.0.2.2");
    ww_intel_free(m);
    uint64_t removed = 0;
    assert_int_equal(ww_intel_store_remove(st, "A", &removed, &d), 0);
    assert_int_equal(removed, 3);
    assert_int_equal(ww_intel_generation(st, &g2, &d), 0);
    assert_true(g2 > g1);
    assert_int_equal(ww_intel_load(st, now_ns(), 0, &m, &d), 0);
    assert_int_equal(ww_intel_count(m), 0);
    ww_intel_free(m);
    /* Removal took the packed forms with it. */
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(st->db, "SELECT count(*) FROM intel_packed", -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 0);
    sqlite3_finalize(q);
    ww_intel_set_release(&s);
    ww_store_close(st);
    unlink(path);
    char aux[64];
    snprintf(aux, sizeof aux, "%s-wal", path);
    unlink(aux);
    snprintf(aux, sizeof aux, "%s-shm", path);
    unlink(aux);
}

/* ---- through the pipeline ---- */

typedef struct sink {
    char out[16384];
    size_t n;
} sink_t;

static void pipe_hit(void *ud, const ww_pipe_hit_t *h)
{
    sink_t *s = ud;
    int n = snprintf(s->out + s->n, sizeof s->out - s->n, "%llu:%s\n", (unsigned long long)h->index,
                     h->rule->id);
    assert_true(n > 0 && (size_t)n < sizeof s->out - s->n);
    s->n += (size_t)n;
}

static void test_pipeline(void **state)
{
    (void)state;
    ww_intel_t *m = compile("192.0.2.0/24\n", WW_IND_IPV4, "SOC", WW_TIME_NONE);
    static char first[16384];
    for (int threads = 0; threads <= 4; threads += 4) {
        sink_t s = {.n = 0};
        ww_pipe_sink_t sink = {.hit = pipe_hit, .ud = &s};
        ww_pipe_t *p = NULL;
        assert_int_equal(ww_pipe_new(NULL, NULL, threads, &sink, &p), 0);
        ww_pipe_matcher_t mt;
        ww_intel_as_matcher(m, &mt);
        ww_pipe_set_matcher(p, &mt);
        for (int i = 0; i < 1000; i++) {
            char msg[128];
            int n = snprintf(msg, sizeof msg, "{\"src_ip\":\"192.0.%d.%d\"}", i % 7 == 0 ? 2 : 3,
                             i % 250);
            assert_int_equal(ww_pipe_add_message(p, 0, WW_FMT_JSON, (uint64_t)i, 0, msg, (size_t)n),
                             0);
        }
        ww_pipe_finish(p);
        ww_pipe_free(p);
        if (threads == 0) {
            memcpy(first, s.out, sizeof first);
            assert_non_null(strstr(first, "0:intel:list:SOC:192.0.2.0/24\n7:intel"));
            assert_null(strstr(first, "\n1:"));
            size_t lines = 0;
            for (const char *q = first; *q; q++)
                lines += *q == '\n';
            assert_int_equal(lines, 143); /* i % 7 == 0 for i < 1000 */
        } else {
            assert_string_equal(s.out, first);
        }
    }
    ww_intel_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalise),
        cmocka_unit_test(test_tlp_names),
        cmocka_unit_test(test_stix),
        cmocka_unit_test(test_stix_malformed),
        cmocka_unit_test(test_misp),
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_match_ip),
        cmocka_unit_test(test_match_names),
        cmocka_unit_test(test_match_hashes),
        cmocka_unit_test(test_match_validity),
        cmocka_unit_test(test_match_two_sources),
        cmocka_unit_test(test_store),
        cmocka_unit_test(test_pipeline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
