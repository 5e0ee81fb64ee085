/* Unit tests for lib/firebreak: map parsing and every rejection with its line,
 * CIDR helpers, reachability, plan rendering (nft and change request against golden
 * files in tests/data/firebreak/golden, regenerated with WW_GOLDEN_UPDATE=1), the plain
 * statement, JSON, and the store records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "firebreak/ww_firebreak.h"

static const char *MAP =
    "hospital: Test General\n"                                    /* 1 */
    "segments:\n"                                                 /* 2 */
    "  - {name: mgmt, cidrs: [10.90.0.0/24], kind: management}\n" /* 3 */
    "  - {name: imaging, cidrs: [10.20.0.0/24, 'fd00:20::/64'], vlan: 20, kind: medical-device}\n"
    "  - {name: pacs, cidrs: [10.30.0.0/28, 'fd00:30::/64'], kind: servers, clinical: true}\n"
    "  - {name: corp, cidrs: 10.40.0.0/16, kind: corporate}\n" /* 6 */
    "  - {name: robots, cidrs: [10.51.0.0/24], kind: medical-device, monitor_only: yes}\n"
    "flows:\n" /* 8 */
    "  - {from: imaging, to: pacs, proto: tcp, ports: [104, 11112], clinical: true, reason: "
    "\"DICOM to PACS\"}\n" /* 9 */
    "  - {from: pacs, to: imaging, proto: tcp, ports: ['4000-4002'], direction: both, "
    "clinical: true, reason: commitment}\n"                                       /* 10 */
    "  - {from: corp, to: imaging, proto: tcp, ports: [445], reason: reports}\n"  /* 11 */
    "  - {from: imaging, to: corp, proto: icmp, clinical: true, reason: ping}\n"; /* 12 */

static ww_fb_map_t *parse_ok(const char *text)
{
    ww_fb_map_t *m = NULL;
    ww_diag_t d = {0};
    int rc = ww_fb_map_parse(text, strlen(text), "t.yml", &m, &d);
    if (rc != 0)
        fprintf(stderr, "unexpected rejection: %u:%u: %s\n", d.line, d.col, d.msg);
    assert_int_equal(rc, 0);
    return m;
}

static void test_map_parses(void **state)
{
    ww_fb_map_t *m = parse_ok(MAP);
    assert_string_equal(m->name, "Test General");
    assert_int_equal(m->nsegs, 5);
    assert_int_equal(m->nflows, 4);
    assert_false(m->has_links);
    assert_int_equal(m->mgmt, WW_FB_MGMT_INBOUND);
    const ww_fb_segment_t *im = &m->segs[1];
    assert_string_equal(im->name, "imaging");
    assert_int_equal(im->vlan, 20);
    assert_int_equal(im->kind, WW_FB_KIND_MEDICAL_DEVICE);
    assert_true(im->clinical); /* medical devices are clinical unless said otherwise */
    assert_int_equal(im->ncidrs, 2);
    assert_int_equal(im->cidrs[1].family, 6);
    assert_false(m->segs[3].clinical);
    assert_int_equal(m->segs[3].ncidrs, 1);
    assert_true(m->segs[4].monitor_only);
    assert_int_equal(m->flows[1].nports, 1);
    assert_int_equal(m->flows[1].ports[0].lo, 4000);
    assert_int_equal(m->flows[1].ports[0].hi, 4002);
    assert_true(m->flows[1].both_ways);
    assert_false(m->flows[2].clinical);
    assert_int_equal(m->flows[0].line, 9);
    assert_int_equal(ww_fb_map_find_ip(m, "10.20.0.99"), 1);
    assert_int_equal(ww_fb_map_find_ip(m, "fd00:30::5"), 2);
    assert_int_equal(ww_fb_map_find_ip(m, "10.40.200.1"), 3);
    assert_int_equal(ww_fb_map_find_ip(m, "192.168.1.1"), -1);
    assert_int_equal(ww_fb_map_find_ip(m, "not-an-ip"), -1);
    assert_int_equal(ww_fb_map_find_segment(m, "pacs"), 2);
    assert_int_equal(ww_fb_map_find_segment(m, "nope"), -1);
    /* Flow checks: direction, protocol and port ranges. */
    assert_true(ww_fb_flow_allowed(m, 1, 2, WW_FB_TCP, 104));
    assert_false(ww_fb_flow_allowed(m, 2, 1, WW_FB_TCP, 104));
    assert_false(ww_fb_flow_allowed(m, 1, 2, WW_FB_UDP, 104));
    assert_true(ww_fb_flow_allowed(m, 1, 2, WW_FB_TCP, 4001));
    assert_true(ww_fb_flow_allowed(m, 2, 1, WW_FB_TCP, 4002));
    assert_false(ww_fb_flow_allowed(m, 2, 1, WW_FB_TCP, 4003));
    assert_true(ww_fb_flow_allowed(m, 3, 1, WW_FB_TCP, 445));
    ww_fb_map_free(m);
    ww_fb_map_free(NULL);
}

/* Each bad map is rejected with the line (and a reason containing `want`). */
static void expect_reject(const char *text, uint32_t line, const char *want)
{
    ww_fb_map_t *m = NULL;
    ww_diag_t d = {0};
    int rc = ww_fb_map_parse(text, strlen(text), "bad.yml", &m, &d);
    if (rc == 0 || d.line != line || !strstr(d.msg, want) || d.col == 0)
        fprintf(stderr, "expected line %u '%s', got rc %d line %u col %u '%s'\n", line, want, rc,
                d.line, d.col, d.msg);
    assert_true(rc < 0);
    assert_null(m);
    assert_string_equal(d.file, "bad.yml");
    assert_int_equal(d.line, line);
    /* Every map error says where on the line, too. */
    assert_true(d.col > 0);
    assert_non_null(strstr(d.msg, want));
}

#define SEG2                                                \
    "segments:\n"                                           \
    "  - {name: a, cidrs: [10.1.0.0/24], kind: clinical}\n" \
    "  - {name: b, cidrs: [10.2.0.0/24], kind: servers}\n"

static void test_map_rejections(void **state)
{
    expect_reject("segments:\n"
                  "  - {name: a, cidrs: [10.1.0.0/16], kind: clinical}\n"
                  "  - {name: b, cidrs: [10.2.0.0/24,\n"
                  "                      10.1.4.0/24], kind: servers}\n",
                  4, "overlaps 10.1.0.0/16 of segment 'a' (line 2)");
    expect_reject(SEG2 "flows:\n  - {from: a, to: c, proto: tcp, ports: [1]}\n", 5,
                  "unknown segment 'c'");
    expect_reject(SEG2 "flows:\n  - {from: a, to: b, proto: tcp,\n      ports: [80, 65536]}\n", 6,
                  "out of range");
    expect_reject(SEG2 "flows:\n  - {from: a, to: b, proto: tcp, ports: [0]}\n", 5, "out of range");
    expect_reject(SEG2 "flows:\n  - {from: a, to: b, proto: tcp, ports: ['90-80']}\n", 5,
                  "backwards");
    expect_reject(SEG2 "flows:\n  - {from: a, to: b, proto: tcp, ports: [http]}\n", 5,
                  "not a number");
    expect_reject(SEG2 "  - {name: a, cidrs: [10.3.0.0/24], kind: guest}\n", 4,
                  "defined twice (first on line 2)");
    expect_reject("segments:\n  - {name: a, cidrs: [10.1.0.1/24], kind: clinical}\n", 2,
                  "host bits set (the network is 10.1.0.0/24)");
    expect_reject("segments:\n  - {name: a, cidrs: [10.1.0.0/33], kind: clinical}\n", 2,
                  "prefix length");
    expect_reject("segments:\n  - {name: a, cidrs: [10.1.300.0/24], kind: clinical}\n", 2,
                  "not an IPv4 or IPv6 address");
    expect_reject("segments:\n  - {name: a, cidrs: [10.1.0.0/24], kind: hospital}\n", 2,
                  "unknown kind");
    expect_reject("segments:\n  - {name: a, cidrs: [10.1.0.0/24], kind: clinical,\n"
                  "     clincal: true}\n",
                  3, "unknown key 'clincal'");
    expect_reject("segments:\n  - {name: 'a b', cidrs: [10.1.0.0/24], kind: clinical}\n", 2,
                  "may hold only");
    expect_reject("segments:\n  - {name: a, kind: clinical}\n", 2, "has no cidrs");
    expect_reject(SEG2 "flows:\n  - {from: a, to: b, proto: tcp, clinical: true}\n", 5,
                  "needs a reason");
    expect_reject(SEG2 "flows:\n  - {from: a, to: b, proto: icmp, ports: [1]}\n", 5,
                  "only for tcp or udp");
    expect_reject(SEG2 "flows:\n  - {from: a, to: b, proto: sctp}\n", 5, "unknown proto");
    expect_reject(SEG2 "flows:\n  - {from: a, to: a, proto: tcp}\n", 5, "to itself");
    expect_reject(SEG2 "flows:\n  - {from: a, to: b, proto: tcp, direction: sideways}\n", 5,
                  "direction must be");
    expect_reject(SEG2 "links:\n  - {from: a, to: z}\n", 5, "unknown segment 'z'");
    expect_reject(SEG2 "  - {name: c, cidrs: [10.4.0.0/24], kind: dmz, vlan: 5000}\n", 4,
                  "vlan 5000 is out of range");
    expect_reject("segments:\n  - {name: a, cidrs: [10.1.0.0/24], kind: clinical\n", 3,
                  "YAML syntax error");
    expect_reject("x: &a 1\nsegments: *a\n", 2, "aliases");
    expect_reject("- 1\n", 1, "must be a mapping");
    expect_reject("hospital: x\n", 1, "no segments");
    expect_reject("", 1, "empty");
    expect_reject("segments: []\n", 1, "non-empty list");
    expect_reject("segments:\n  - {name: a, cidrs: ['fd00::/8', 'fd12::/16'], kind: dmz}\n", 2,
                  "overlaps fd00::/8");
    expect_reject("segments:\n  - {name: a, cidrs: [010.1.0.0/24], kind: clinical}\n", 2,
                  "leading zero");
    expect_reject("segments:\n  - {name: a, cidrs: ['::ffff:10.1.0.0/64'], kind: clinical}\n", 2,
                  "shorter than /96");
    /* An IPv4-mapped prefix is the IPv4 network it maps, so it overlaps that network. */
    expect_reject("segments:\n  - {name: a, cidrs: [10.1.0.0/16], kind: clinical}\n"
                  "  - {name: b, cidrs: ['::ffff:10.1.2.0/120'], kind: guest}\n",
                  3, "CIDR 10.1.2.0/24 overlaps 10.1.0.0/16");
}

/* Where exactly: the column of the offending value, not only its line. */
static void expect_at(const char *text, uint32_t line, uint32_t col, const char *want)
{
    ww_fb_map_t *m = NULL;
    ww_diag_t d = {0};
    assert_true(ww_fb_map_parse(text, strlen(text), "bad.yml", &m, &d) < 0);
    if (d.line != line || d.col != col || !strstr(d.msg, want))
        fprintf(stderr, "expected %u:%u '%s', got %u:%u '%s'\n", line, col, want, d.line, d.col,
                d.msg);
    assert_int_equal(d.line, line);
    assert_int_equal(d.col, col);
    assert_non_null(strstr(d.msg, want));
}

static void test_map_error_columns(void **state)
{
    /* The second CIDR of the list, column 36; the overlap names the later one. */
    expect_at("segments:\n"
              "  - {name: a, cidrs: [10.1.0.0/24, 10.1.0.0/25], kind: clinical}\n",
              2, 36, "overlaps");
    expect_at("segments:\n  - {name: a, cidrs: [10.1.0.0/24], kind: clinical}\n"
              "flows:\n  - {from: a, to: zz, proto: tcp}\n",
              4, 19, "unknown segment 'zz'");
    expect_at("segments:\n  - {name: a, cidrs: [10.01.0.0/24], kind: clinical}\n", 2, 23,
              "octet '01' has a leading zero");
    expect_at("", 1, 1, "empty");
    /* A map over the size cap points at the first byte past it. */
    size_t big = WW_FB_MAX_MAP_BYTES + 10;
    char *buf = malloc(big);
    assert_non_null(buf);
    memset(buf, '#', big);
    for (size_t i = 99; i < big; i += 100)
        buf[i] = '\n';
    ww_fb_map_t *m = NULL;
    ww_diag_t d = {0};
    assert_int_equal(ww_fb_map_parse(buf, big, "big.yml", &m, &d), WW_ELIMIT);
    assert_int_equal(d.line, WW_FB_MAX_MAP_BYTES / 100 + 1);
    assert_int_equal(d.col, WW_FB_MAX_MAP_BYTES % 100 + 1);
    free(buf);
}

static void test_addresses(void **state)
{
    uint8_t a[16];
    int fam = 0;
    bool mapped = false;
    char why[200], txt[64];
    assert_int_equal(ww_fb_addr_parse("::ffff:10.20.0.7", &fam, a, &mapped, why, sizeof why), 0);
    assert_int_equal(fam, 4);
    assert_true(mapped);
    ww_fb_addr_format(fam, a, txt, sizeof txt);
    assert_string_equal(txt, "10.20.0.7");
    /* The hexadecimal spelling of the same mapped address. */
    assert_int_equal(ww_fb_addr_parse("::FFFF:0a14:0007", &fam, a, NULL, why, sizeof why), 0);
    assert_int_equal(fam, 4);
    ww_fb_addr_format(fam, a, txt, sizeof txt);
    assert_string_equal(txt, "10.20.0.7");
    assert_int_equal(ww_fb_addr_parse("10.20.0.7", &fam, a, &mapped, why, sizeof why), 0);
    assert_false(mapped);
    assert_int_equal(ww_fb_addr_parse("fd00::7", &fam, a, &mapped, why, sizeof why), 0);
    assert_int_equal(fam, 6);
    assert_false(mapped);
    /* Leading zeros are ambiguous (octal to inet_aton): refused, with the octet named. */
    const char *bad0[] = {"010.20.0.7", "10.020.0.7", "10.20.00.7", "::ffff:010.20.0.7"};
    for (size_t i = 0; i < sizeof bad0 / sizeof *bad0; i++) {
        why[0] = 0;
        assert_int_equal(ww_fb_addr_parse(bad0[i], &fam, a, NULL, why, sizeof why), WW_EPARSE);
        assert_non_null(strstr(why, "leading zero"));
    }
    const char *bad[] = {"",           "10.20.0",    "10.20.0.7.1", "10.20.0.256",  "1e.2.3.4",
                         "10.20.0.7 ", " 10.20.0.7", "+1.2.3.4",    "::ffff:1.2.3", "fd00:::1",
                         "10..0.7",    "0x0a.1.2.3"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        why[0] = 0;
        assert_int_equal(ww_fb_addr_parse(bad[i], &fam, a, NULL, why, sizeof why), WW_EPARSE);
        assert_true(why[0] != 0);
    }
    assert_int_equal(ww_fb_addr_parse("0.0.0.0", &fam, a, NULL, why, sizeof why), 0);
    /* Lookups go through the same rules. */
    ww_fb_map_t *m = parse_ok(MAP);
    int seg = ww_fb_map_find_ip(m, "10.20.0.15");
    assert_true(seg >= 0);
    assert_int_equal(ww_fb_map_find_ip(m, "::ffff:10.20.0.15"), seg);
    assert_int_equal(ww_fb_map_find_ip(m, "010.20.0.15"), -1);
    ww_fb_map_free(m);
    ww_fb_cidr_t c;
    assert_int_equal(ww_fb_cidr_parse("::ffff:10.20.0.0/120", &c, why, sizeof why), 0);
    assert_int_equal(c.family, 4);
    assert_int_equal(c.prefix, 24);
    assert_int_equal(ww_fb_cidr_parse("10.20.0.0/024", &c, why, sizeof why), WW_EPARSE);
}

static void test_nft_listing_helpers(void **state)
{
    const char *table = "table inet wardwatch_firebreak {\n"
                        "\tchain plan_2 {\n"
                        "\t\ttype filter hook forward priority filter - 10; policy accept;\n"
                        "\t\tip saddr 10.1.0.0/24 counter packets 12 bytes 720 drop   \n"
                        "\t}\n"
                        "\tchain plan_12 {\n"
                        "\t\tip daddr 10.1.0.0/24 counter packets 0 bytes 0 drop\n"
                        "\t}\n"
                        "\tchain sneaky {\n"
                        "\t}\n"
                        "}\n";
    ww_buf_t c;
    ww_buf_init(&c, 0);
    assert_int_equal(ww_fb_nft_chain_of(table, 2, &c), 1);
    assert_string_equal(c.p, "\tchain plan_2 {\n"
                             "\t\ttype filter hook forward priority filter - 10; policy accept;\n"
                             "\t\tip saddr 10.1.0.0/24 counter drop\n"
                             "\t}\n");
    ww_buf_clear(&c);
    /* plan_1 is not plan_12. */
    assert_int_equal(ww_fb_nft_chain_of(table, 1, &c), 0);
    assert_int_equal(ww_fb_nft_chain_of(table, 12, &c), 1);
    ww_buf_release(&c);
    int64_t ids[4];
    size_t n, others;
    ww_fb_nft_chains(table, ids, 4, &n, &others);
    assert_int_equal(n, 2);
    assert_int_equal(ids[0], 2);
    assert_int_equal(ids[1], 12);
    assert_int_equal(others, 1);
}

static void test_cidr_helpers(void **state)
{
    ww_fb_cidr_t a, b;
    char why[200], t[64];
    assert_int_equal(ww_fb_cidr_parse("10.0.0.0/8", &a, why, sizeof why), 0);
    assert_int_equal(ww_fb_cidr_parse("10.255.3.0/24", &b, why, sizeof why), 0);
    assert_true(ww_fb_cidr_overlap(&a, &b));
    assert_true(ww_fb_cidr_overlap(&b, &a));
    assert_int_equal(ww_fb_cidr_parse("11.0.0.0/8", &b, why, sizeof why), 0);
    assert_false(ww_fb_cidr_overlap(&a, &b));
    assert_int_equal(ww_fb_cidr_parse("10.1.2.3", &b, why, sizeof why), 0);
    assert_int_equal(b.prefix, 32);
    ww_fb_cidr_format(&b, t, sizeof t);
    assert_string_equal(t, "10.1.2.3/32");
    assert_int_equal(ww_fb_cidr_parse("0.0.0.0/0", &b, why, sizeof why), 0);
    assert_true(ww_fb_cidr_overlap(&a, &b));
    assert_int_equal(ww_fb_cidr_parse("2001:db8::/32", &b, why, sizeof why), 0);
    assert_false(ww_fb_cidr_overlap(&a, &b)); /* families never overlap */
    ww_fb_cidr_format(&b, t, sizeof t);
    assert_string_equal(t, "2001:db8::/32");
    assert_int_equal(ww_fb_cidr_parse("2001:db8::1/32", &b, why, sizeof why), WW_EPARSE);
    assert_int_equal(ww_fb_cidr_parse("/24", &b, why, sizeof why), WW_EPARSE);
    assert_int_equal(ww_fb_cidr_parse("10.0.0.0/", &b, why, sizeof why), WW_EPARSE);
    assert_int_equal(ww_fb_cidr_parse("10.0.0.0/-1", &b, why, sizeof why), WW_EPARSE);
}

static void test_reachability(void **state)
{
    /* Core: every segment one hop away. */
    ww_fb_map_t *m = parse_ok(MAP);
    int hops[8], via[8];
    ww_fb_reach(m, 1, hops, via);
    assert_int_equal(hops[1], 0);
    for (int i = 0; i < 5; i++)
        if (i != 1) {
            assert_int_equal(hops[i], 1);
            assert_int_equal(via[i], -1);
        }
    ww_fb_map_free(m);
    /* Links: a -> b (one-way), b <-> c, c <-> d; e alone. */
    m = parse_ok("segments:\n"
                 "  - {name: a, cidrs: [10.1.0.0/24], kind: clinical}\n"
                 "  - {name: b, cidrs: [10.2.0.0/24], kind: servers}\n"
                 "  - {name: c, cidrs: [10.3.0.0/24], kind: corporate}\n"
                 "  - {name: d, cidrs: [10.4.0.0/24], kind: guest}\n"
                 "  - {name: e, cidrs: [10.5.0.0/24], kind: dmz}\n"
                 "links:\n"
                 "  - {from: a, to: b, direction: one-way}\n"
                 "  - {from: c, to: b}\n"
                 "  - {from: c, to: d}\n");
    assert_true(m->has_links);
    ww_fb_reach(m, 0, hops, via);
    assert_int_equal(hops[1], 1);
    assert_int_equal(hops[2], 2);
    assert_int_equal(via[2], 1);
    assert_int_equal(hops[3], 3);
    assert_int_equal(via[3], 2);
    assert_int_equal(hops[4], -1);
    ww_fb_reach(m, 1, hops, via); /* b cannot reach a: the link is one-way */
    assert_int_equal(hops[0], -1);
    assert_int_equal(hops[3], 2);
    ww_fb_map_free(m);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return strdup(buf);
}

static void golden(const char *name, const ww_buf_t *got)
{
    const char *src = getenv("WW_SRC");
    if (!src)
        skip();
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/firebreak/golden/%s", src, name);
    if (getenv("WW_GOLDEN_UPDATE")) {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fwrite(got->p, 1, got->n, f);
        fclose(f);
    }
    char *want = slurp(path);
    assert_non_null(want);
    if (strcmp(want, got->p) != 0)
        fprintf(stderr, "--- %s differs; got:\n%s\n", path, got->p);
    assert_string_equal(got->p, want);
    free(want);
}

static const ww_fb_plan_info_t INFO = {7,
                                       1,
                                       "10.20.0.15",
                                       "WannaCry alert on CT-2\nsecond line",
                                       "alice",
                                       "2026-01-02T03:04:05.000000Z",
                                       NULL,
                                       0,
                                       NULL,
                                       0};

static void test_plan_marks(void **state)
{
    /* Sixteen plans in a row hold sixteen different bits, all inside wardwatch's half. */
    uint32_t seen = 0;
    for (int64_t id = 1; id <= WW_FB_CT_MARK_SLOTS; id++) {
        uint32_t mk = ww_fb_plan_mark(id);
        assert_int_equal(mk & (mk - 1), 0); /* one bit */
        assert_int_equal(mk & ~WW_FB_CT_MARK_MASK, 0);
        assert_int_equal(seen & mk, 0);
        seen |= mk;
    }
    assert_int_equal(seen, WW_FB_CT_MARK_MASK);
    /* Each chain sets and accepts only its own mark. */
    ww_fb_map_t *m = parse_ok(MAP);
    ww_buf_t a, b;
    ww_buf_init(&a, 0);
    ww_buf_init(&b, 0);
    ww_fb_plan_info_t pa = INFO, pb = INFO;
    pa.id = 3;
    pb.id = 4;
    assert_int_equal(ww_fb_render_chain(m, &pa, &a), 0);
    assert_int_equal(ww_fb_render_chain(m, &pb, &b), 0);
    assert_non_null(strstr(a.p, "ct mark and 0x00040000 == 0x00040000 accept"));
    assert_non_null(strstr(a.p, "ct mark set ct mark or 0x00040000 accept"));
    assert_null(strstr(a.p, "0x00080000"));
    assert_non_null(strstr(b.p, "ct mark and 0x00080000 == 0x00080000 accept"));
    assert_null(strstr(b.p, "0x00040000"));
    ww_buf_release(&a);
    ww_buf_release(&b);
    ww_fb_map_free(m);
}

static void test_render_nft_golden(void **state)
{
    ww_fb_map_t *m = parse_ok(MAP);
    ww_buf_t chain, table;
    ww_buf_init(&chain, 0);
    ww_buf_init(&table, 0);
    assert_int_equal(ww_fb_render_chain(m, &INFO, &chain), 0);
    const char *c = chain.p;
    assert_int_equal(ww_fb_render_table(&c, 1, &table), 0);
    golden("plan_imaging.nft", &table);
    /* The reason's newline must not escape the comment into a rule. */
    assert_non_null(strstr(table.p, "# reason: WannaCry alert on CT-2 second line\n"));
    /* Non-clinical flows are not let through; IPv6 gets ip6 rules. */
    assert_null(strstr(table.p, "445"));
    assert_non_null(strstr(table.p, "ip6 saddr { fd00:20::/64 } ip6 daddr { fd00:30::/64 } tcp "
                                    "dport { 104, 11112 }"));
    /* An empty table file deletes wardwatch's table and nothing else. */
    ww_buf_clear(&table);
    assert_int_equal(ww_fb_render_table(NULL, 0, &table), 0);
    assert_string_equal(table.p, "# wardwatch fire-breaks: replaces table inet "
                                 "wardwatch_firebreak and nothing else, in one transaction.\n"
                                 "table inet wardwatch_firebreak {}\n"
                                 "delete table inet wardwatch_firebreak\n");
    ww_buf_release(&chain);
    ww_buf_release(&table);
    ww_fb_map_free(m);
}

static void test_render_change_request_golden(void **state)
{
    ww_fb_map_t *m = parse_ok(MAP);
    ww_buf_t out;
    ww_buf_init(&out, 0);
    assert_int_equal(ww_fb_render_change_request(m, &INFO, &out), 0);
    golden("plan_imaging.cr.txt", &out);
    ww_buf_release(&out);
    ww_fb_map_free(m);
}

static void test_render_text_and_json(void **state)
{
    ww_fb_map_t *m = parse_ok(MAP);
    ww_buf_t out;
    ww_buf_init(&out, 0);
    ww_fb_asset_t assets[] = {{"ct-2", "10.20.0.15", "modality", true}};
    ww_fb_plan_info_t info = INFO;
    info.assets = assets;
    info.nassets = 1;
    assert_int_equal(ww_fb_render_text(m, &info, &out), 0);
    assert_non_null(strstr(out.p, "  hop 1  pacs "));
    assert_non_null(strstr(out.p, "4 segments, 2 of them clinical"));
    assert_non_null(strstr(out.p, "  - imaging -> pacs, TCP ports 104, 11112: DICOM to PACS "
                                  "[clinical]\n"));
    assert_non_null(strstr(out.p, "  - pacs -> imaging, TCP ports 4000-4002: commitment"));
    assert_non_null(strstr(out.p, "  - imaging -> pacs, TCP ports 4000-4002: commitment"));
    assert_non_null(strstr(out.p, "  - mgmt can open connections to imaging"));
    assert_non_null(strstr(out.p, "documented flow corp -> imaging, TCP port 445: reports"));
    assert_non_null(strstr(out.p, "lose all contact with imaging: robots"));
    assert_non_null(strstr(out.p, "ct-2"));
    ww_buf_clear(&out);
    assert_int_equal(ww_fb_render_json(m, &info, &out), 0);
    assert_non_null(strstr(out.p, "{\"plan\":7,\"segment\":{\"name\":\"imaging\""));
    assert_non_null(strstr(out.p, "\"reason\":\"WannaCry alert on CT-2\\nsecond line\""));
    assert_non_null(strstr(out.p, "\"ports\":[\"4000-4002\"],\"why\":\"clinical\""));
    assert_non_null(strstr(out.p, "\"stops\":[{\"from\":\"corp\",\"to\":\"imaging\""));
    assert_non_null(strstr(out.p, "\"ruleset\":\"# wardwatch fire-breaks"));
    ww_buf_release(&out);
    ww_fb_map_free(m);
}

static void test_management_both_and_isolating_management(void **state)
{
    ww_fb_map_t *m = parse_ok("management: both\n" SEG2
                              "  - {name: it, cidrs: [10.9.0.0/24], kind: management}\n");
    ww_fb_plan_info_t p = {1, 0, NULL, NULL, NULL, NULL, NULL, 0, NULL, 0};
    ww_buf_t out;
    ww_buf_init(&out, 0);
    assert_int_equal(ww_fb_render_chain(m, &p, &out), 0);
    assert_non_null(strstr(out.p, "ip saddr { 10.9.0.0/24 } ip daddr { 10.1.0.0/24 } ct mark"));
    assert_non_null(strstr(out.p, "ip saddr { 10.1.0.0/24 } ip daddr { 10.9.0.0/24 } ct mark"));
    /* Isolating management itself keeps no management exception. */
    p.seg = 2;
    ww_buf_clear(&out);
    assert_int_equal(ww_fb_render_chain(m, &p, &out), 0);
    assert_null(strstr(out.p, "accept\n\t\tip saddr { 10.9.0.0/24 } ip daddr"));
    assert_null(strstr(out.p, "# management:"));
    assert_non_null(strstr(out.p, "ip saddr { 10.9.0.0/24 } counter drop"));
    ww_buf_release(&out);
    ww_fb_map_free(m);
}

static void test_store_records(void **state)
{
    char path[] = "/tmp/ww_fb_testXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    ww_store_t *st = NULL;
    ww_diag_t d = {0};
    assert_int_equal(ww_store_open(path, &st, &d), 0);
    assert_int_equal(ww_fb_store_migrate(st, &d), 0);
    assert_int_equal(ww_fb_store_migrate(st, &d), 0);
    int64_t mid = 0, mid2 = 0;
    assert_int_equal(ww_fb_map_save(st, "h.yml", MAP, "bob", &mid), 0);
    char *yaml = NULL, *mpath = NULL;
    assert_int_equal(ww_fb_map_load(st, 0, &mid2, &yaml, &mpath), 0);
    assert_int_equal(mid, mid2);
    assert_string_equal(yaml, MAP);
    assert_string_equal(mpath, "h.yml");
    free(yaml);
    free(mpath);
    ww_fb_plan_row_t row = {0};
    row.created = "2026-01-01T00:00:00Z";
    row.by = "bob";
    row.reason = "test";
    row.map_id = mid;
    row.segment = "imaging";
    assert_int_equal(ww_fb_plan_insert(st, &row), 0);
    assert_true(row.id > 0);
    assert_int_equal(ww_fb_plan_set_rules(st, row.id, "chain", "ruleset"), 0);
    assert_int_equal(ww_fb_plan_set_state(st, row.id, "pending", "t", 123, "", 0), 0);
    /* Only one of confirm and rollback can win. */
    assert_int_equal(ww_fb_plan_transition(st, row.id, "pending", "active"), 1);
    assert_int_equal(ww_fb_plan_transition(st, row.id, "pending", "rolling-back"), 0);
    ww_fb_plan_row_t got;
    assert_int_equal(ww_fb_plan_get(st, row.id, &got), 0);
    assert_string_equal(got.state, "active");
    assert_string_equal(got.chain, "chain");
    assert_int_equal(got.deadline, 123);
    assert_null(got.hosts); /* a segment plan */
    ww_fb_plan_row_release(&got);
    /* A host plan keeps its hosts. */
    ww_fb_plan_row_t hrow = row;
    hrow.segment = "imaging,mgmt";
    hrow.hosts = "10.20.0.15,10.90.0.5";
    assert_int_equal(ww_fb_plan_insert(st, &hrow), 0);
    assert_int_equal(ww_fb_plan_get(st, hrow.id, &got), 0);
    assert_string_equal(got.hosts, "10.20.0.15,10.90.0.5");
    assert_string_equal(got.segment, "imaging,mgmt");
    assert_string_equal(got.state, "planned");
    ww_fb_plan_row_release(&got);
    assert_int_equal(ww_fb_plan_get(st, 999, &got), WW_ENOENT);
    ww_fb_plan_row_t *rows = NULL;
    size_t n = 0;
    assert_int_equal(ww_fb_plan_list(st, true, &rows, &n), 0);
    assert_int_equal(n, 1);
    ww_fb_plan_rows_free(rows, n);
    assert_int_equal(ww_fb_record(st, "apply", row.id, "imaging", "bob", "why \"quoted\"",
                                  "table x\n", "detail"),
                     0);
    ww_buf_t out;
    ww_buf_init(&out, 0);
    assert_int_equal(ww_fb_log_export(st, true, &out), 0);
    assert_non_null(strstr(out.p, "\"action\":\"apply\",\"plan\":1,\"segment\":\"imaging\","
                                  "\"by\":\"bob\",\"reason\":\"why \\\"quoted\\\"\","
                                  "\"ruleset\":\"table x\\n\""));
    ww_buf_clear(&out);
    assert_int_equal(ww_fb_log_export(st, false, &out), 0);
    assert_non_null(strstr(out.p, "apply  plan 1  segment imaging  by bob"));
    assert_non_null(strstr(out.p, "      | table x\n"));
    ww_buf_release(&out);
    ww_store_close(st);
    unlink(path);
    char extra[64];
    snprintf(extra, sizeof extra, "%s-wal", path);
    unlink(extra);
    snprintf(extra, sizeof extra, "%s-shm", path);
    unlink(extra);
}

static void unlink_db(const char *path)
{
    char extra[300];
    unlink(path);
    snprintf(extra, sizeof extra, "%s-wal", path);
    unlink(extra);
    snprintf(extra, sizeof extra, "%s-shm", path);
    unlink(extra);
}

static int count_rec(void *ud, const ww_fb_log_rec_t *r)
{
    int *n = ud;
    if (!strcmp(r->action, "apply"))
        assert_string_equal(r->reason, "line\n2026-01-01T00:00:00Z forged\x1b[2J");
    (*n)++;
    return 0;
}

static void test_store_apply_steps(void **state)
{
    char path[] = "/tmp/ww_fb_stepsXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    ww_store_t *st = NULL, *other = NULL;
    ww_diag_t d = {0};
    assert_int_equal(ww_store_open(path, &st, &d), 0);
    assert_int_equal(ww_fb_store_migrate(st, &d), 0);
    int64_t mid = 0;
    assert_int_equal(ww_fb_map_save(st, "h.yml", MAP, "bob", &mid), 0);
    ww_fb_plan_row_t row = {0};
    row.created = "2026-01-01T00:00:00Z";
    row.map_id = mid;
    row.segment = "imaging";
    assert_int_equal(ww_fb_plan_insert(st, &row), 0);
    const char *forged = "line\n2026-01-01T00:00:00Z forged\x1b[2J";
    /* The apply is recorded as one step: state and record. */
    assert_int_equal(ww_fb_plan_begin_apply(st, row.id, "pending", "t0", 5000, "", "imaging", "bob",
                                            forged, "rules", "loading"),
                     1);
    /* A second apply of a live plan changes nothing. */
    assert_int_equal(ww_fb_plan_begin_apply(st, row.id, "pending", "t1", 9000, "", "imaging", "eve",
                                            NULL, "rules", "again"),
                     0);
    ww_fb_plan_row_t got;
    assert_int_equal(ww_fb_plan_get(st, row.id, &got), 0);
    assert_string_equal(got.state, "pending");
    assert_string_equal(got.applied_at, "t0");
    assert_int_equal(got.deadline, 5000);
    assert_null(got.live_chain);
    ww_fb_plan_row_release(&got);
    assert_int_equal(ww_fb_plan_set_live(st, row.id, "\tchain plan_1 {\n\t}\n"), 0);
    /* Past the deadline the plan belongs to its watchdog: confirm is refused. */
    assert_int_equal(ww_fb_plan_confirm(st, row.id, 5000, "imaging", "bob", NULL, "kept"), 0);
    assert_int_equal(ww_fb_plan_confirm(st, row.id, 4999, "imaging", "bob", NULL, "kept"), 1);
    assert_int_equal(ww_fb_plan_confirm(st, row.id, 1, "imaging", "bob", NULL, "kept"), 0);
    assert_int_equal(ww_fb_plan_get(st, row.id, &got), 0);
    assert_string_equal(got.state, "active");
    assert_int_equal(got.deadline, 0);
    assert_string_equal(got.live_chain, "\tchain plan_1 {\n\t}\n");
    ww_fb_plan_row_release(&got);

    /* Another process holding the write lock: the step fails, and says so. */
    assert_int_equal(ww_store_open(path, &other, &d), 0);
    assert_int_equal(ww_store_exec(other, "BEGIN EXCLUSIVE", &d), 0);
    assert_int_equal(
        ww_fb_plan_finish(st, row.id, "lifted", "lift", "imaging", "bob", NULL, NULL, "x"), WW_EIO);
    assert_true(ww_store_busy(st));
    assert_non_null(strstr(ww_store_errmsg(st), "locked"));
    assert_int_equal(ww_store_exec(other, "ROLLBACK", &d), 0);
    ww_store_close(other);
    /* Nothing of the failed step landed. */
    assert_int_equal(ww_fb_plan_get(st, row.id, &got), 0);
    assert_string_equal(got.state, "active");
    ww_fb_plan_row_release(&got);
    assert_int_equal(
        ww_fb_plan_finish(st, row.id, "lifted", "lift", "imaging", "bob", NULL, NULL, "x"), 0);
    int n = 0;
    assert_int_equal(ww_fb_log_each(st, count_rec, &n), 0);
    assert_int_equal(n, 3); /* apply, confirm, lift */
    /* The readable export escapes what could forge a line or drive a terminal. */
    ww_buf_t out;
    ww_buf_init(&out, 0);
    assert_int_equal(ww_fb_log_export(st, false, &out), 0);
    assert_non_null(strstr(out.p, "    why: line\\n2026-01-01T00:00:00Z forged\\e[2J\n"));
    assert_null(strchr(out.p, 0x1b));
    for (const char *l = out.p; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        assert_true(*l == '#' || *l == ' ');
    ww_buf_release(&out);
    ww_store_close(st);
    unlink_db(path);
}

/* Whether another process could take the lock file at `path` right now. */
static bool other_can_lock(const char *path)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(path, O_RDWR);
        _exit(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0 ? 0 : 1);
    }
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void test_router_lock(void **state)
{
    char dir[] = "/tmp/ww_fb_lockXXXXXX";
    assert_non_null(mkdtemp(dir));
    char locks[64];
    snprintf(locks, sizeof locks, "%s/locks", dir);
    setenv("WARDWATCH_LOCK_DIR", locks, 1);
    int fd = -1;
    char why[512] = "";
    assert_int_equal(ww_fb_router_lock(&fd, why, sizeof why), 0);
    assert_true(fd >= 0);
    /* One private file, named after this network namespace. */
    struct stat ns, sb;
    assert_int_equal(stat("/proc/self/ns/net", &ns), 0);
    char path[256];
    snprintf(path, sizeof path, "%s/firebreak-net-%llx-%llx.lock", locks,
             (unsigned long long)ns.st_dev, (unsigned long long)ns.st_ino);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(stat(locks, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    /* Held: nobody else gets it; released: they do. */
    assert_false(other_can_lock(path));
    ww_fb_router_unlock(fd);
    assert_true(other_can_lock(path));
    ww_fb_router_unlock(-1); /* no-op */
    /* A lock directory that cannot be made is an error that says where. */
    setenv("WARDWATCH_LOCK_DIR", "/proc/no-such-dir/locks", 1);
    assert_int_equal(ww_fb_router_lock(&fd, why, sizeof why), WW_EIO);
    assert_non_null(strstr(why, "/proc/no-such-dir/locks"));
    unsetenv("WARDWATCH_LOCK_DIR");
    unlink(path);
    rmdir(locks);
    rmdir(dir);
}

/* ---- host plans ---- */

static void test_hosts_parse(void **state)
{
    ww_fb_map_t *m = parse_ok(MAP);
    ww_fb_host_t h[4];
    size_t n = 0;
    char why[400];
    /* Blanks allowed, mapped IPv4 is the IPv4 host, a repeat is kept once. */
    assert_int_equal(ww_fb_hosts_parse(m, "10.20.0.15, ::ffff:10.30.0.2,FD00:20::9,10.20.0.15", h,
                                       4, &n, why, sizeof why),
                     0);
    assert_int_equal(n, 3);
    assert_string_equal(h[0].text, "10.20.0.15");
    assert_int_equal(h[0].seg, 1);
    assert_int_equal(h[0].family, 4);
    assert_string_equal(h[1].text, "10.30.0.2");
    assert_int_equal(h[1].seg, 2);
    assert_string_equal(h[2].text, "fd00:20::9");
    assert_int_equal(h[2].family, 6);
    assert_int_equal(h[2].seg, 1);
    /* Refusals name the address and say why. */
    static const struct {
        const char *in, *want;
        int rc;
    } bad[] = {
        {"10.20.0.15,192.168.1.1", "host 192.168.1.1 is in no segment", WW_EPARSE},
        {"10.20.0.015", "octet '015' has a leading zero", WW_EPARSE},
        {"10.20.0.999", "'10.20.0.999' is not an IPv4 or IPv6 address", WW_EPARSE},
        {"", "an empty host address", WW_EPARSE},
        {"10.20.0.1,,10.20.0.2", "an empty host address", WW_EPARSE},
        {"10.20.0.1/32", "not an IPv4 or IPv6 address", WW_EPARSE},
        {"10.20.0.1,10.20.0.2,10.20.0.3,10.20.0.4,10.20.0.5", "more than 4 hosts", WW_ELIMIT},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why[0] = 0;
        n = 99;
        int rc = ww_fb_hosts_parse(m, bad[i].in, h, 4, &n, why, sizeof why);
        if (rc != bad[i].rc || !strstr(why, bad[i].want))
            fprintf(stderr, "'%s': rc %d why '%s'\n", bad[i].in, rc, why);
        assert_int_equal(rc, bad[i].rc);
        assert_non_null(strstr(why, bad[i].want));
        assert_int_equal(n, 99); /* untouched on failure */
    }
    ww_fb_map_free(m);
    /* A host outside the hospital cannot be quarantined. */
    m = parse_ok(SEG2 "  - {name: m365, cidrs: [192.0.2.0/24], kind: external}\n");
    assert_int_equal(ww_fb_hosts_parse(m, "192.0.2.9", h, 4, &n, why, sizeof why), WW_EPARSE);
    assert_non_null(strstr(why, "host 192.0.2.9 is in external segment 'm365'"));
    ww_fb_map_free(m);
}

/* Quarantines 10.20.0.15 and fd00:20::15 (imaging) and 10.90.0.5 (a management host). */
static void host_info(const ww_fb_map_t *m, ww_fb_host_t *h, size_t *n, ww_fb_plan_info_t *info)
{
    char why[400];
    assert_int_equal(
        ww_fb_hosts_parse(m, "10.20.0.15,fd00:20::15,10.90.0.5", h, 8, n, why, sizeof why), 0);
    *info = INFO;
    info->id = 8;
    info->infected_ip = NULL;
    info->hosts = h;
    info->nhosts = *n;
}

static void test_host_plan_rules(void **state)
{
    ww_fb_map_t *m = parse_ok(MAP);
    ww_fb_host_t h[8];
    size_t n;
    ww_fb_plan_info_t info;
    host_info(m, h, &n, &info);
    ww_buf_t chain, table;
    ww_buf_init(&chain, 0);
    ww_buf_init(&table, 0);
    assert_int_equal(ww_fb_render_chain(m, &info, &chain), 0);
    const char *c = chain.p;
    assert_int_equal(ww_fb_render_table(&c, 1, &table), 0);
    golden("plan_hosts.nft", &table);
    /* Only the hosts: the rest of imaging is never matched. */
    assert_null(strstr(chain.p, "10.20.0.0/24"));
    assert_null(strstr(chain.p, "fd00:20::/64"));
    /* The hosts keep imaging's clinical flows, per family. */
    assert_non_null(strstr(chain.p, "ip saddr { 10.20.0.15 } ip daddr { 10.30.0.0/28 } tcp dport "
                                    "{ 104, 11112 } ct mark set"));
    assert_non_null(strstr(chain.p, "ip6 saddr { fd00:20::15 } ip6 daddr { fd00:30::/64 } tcp "
                                    "dport { 104, 11112 } ct mark set"));
    assert_non_null(strstr(chain.p, "ip saddr { 10.30.0.0/28 } ip daddr { 10.20.0.15 } tcp dport "
                                    "{ 4000-4002 }"));
    /* Management reaches them, but not through the quarantined management host. */
    assert_non_null(strstr(chain.p, "ip saddr { 10.90.0.0/24 } ip saddr != { 10.90.0.5 } ip daddr "
                                    "{ 10.20.0.15 } ct mark set"));
    assert_null(strstr(chain.p, "ip daddr { 10.90.0.5 } ct mark set"));
    /* The management host has no clinical flow: it only drops. */
    assert_non_null(strstr(chain.p, "\t\tip saddr { 10.20.0.15, 10.90.0.5 } counter drop\n"
                                    "\t\tip6 saddr { fd00:20::15 } counter drop\n"
                                    "\t\tip daddr { 10.20.0.15, 10.90.0.5 } counter drop\n"
                                    "\t\tip6 daddr { fd00:20::15 } counter drop\n\t}\n"));
    /* Non-clinical flows are not kept. */
    assert_null(strstr(chain.p, "445"));
    ww_buf_release(&chain);
    ww_buf_release(&table);
    ww_fb_map_free(m);
}

/* Two quarantined hosts at the two ends of a clinical flow: each end gets its own rule,
 * so a host may use the flow with every host of the other segment, quarantined or not. */
static void test_host_plan_both_ends(void **state)
{
    ww_fb_map_t *m = parse_ok(MAP);
    ww_fb_host_t h[4];
    size_t n;
    char why[200];
    assert_int_equal(ww_fb_hosts_parse(m, "10.20.0.15,10.30.0.2", h, 4, &n, why, sizeof why), 0);
    ww_fb_plan_info_t info = INFO;
    info.hosts = h;
    info.nhosts = n;
    ww_buf_t out;
    ww_buf_init(&out, 0);
    assert_int_equal(ww_fb_render_chain(m, &info, &out), 0);
    assert_non_null(strstr(out.p, "ip saddr { 10.20.0.15 } ip daddr { 10.30.0.0/28 } tcp dport { "
                                  "104, 11112 }"));
    assert_non_null(strstr(out.p, "ip saddr { 10.20.0.0/24 } ip daddr { 10.30.0.2 } tcp dport { "
                                  "104, 11112 }"));
    assert_non_null(strstr(out.p, "ip saddr { 10.20.0.15, 10.30.0.2 } counter drop"));
    ww_buf_release(&out);
    ww_fb_map_free(m);
}

static void test_host_plan_words(void **state)
{
    ww_fb_map_t *m = parse_ok(MAP);
    ww_fb_host_t h[8];
    size_t n;
    ww_fb_plan_info_t info;
    host_info(m, h, &n, &info);
    ww_buf_t out;
    ww_buf_init(&out, 0);
    assert_int_equal(ww_fb_render_change_request(m, &info, &out), 0);
    golden("plan_hosts.cr.txt", &out);
    assert_non_null(strstr(out.p, "CHANGE REQUEST: emergency fire-break, quarantine hosts "
                                  "10.90.0.5 (mgmt), 10.20.0.15, fd00:20::15 (imaging)\n"));
    assert_non_null(strstr(out.p, "DENY   everything from 10.20.0.15, fd00:20::15, 10.90.0.5 to "
                                  "any destination"));
    ww_buf_clear(&out);
    assert_int_equal(ww_fb_render_text(m, &info, &out), 0);
    assert_non_null(strstr(out.p, "Fire-break plan 8: quarantine hosts 10.90.0.5 (mgmt), "
                                  "10.20.0.15, fd00:20::15 (imaging)\n"));
    assert_non_null(strstr(out.p, "  cuts: every connection of these hosts through the router"));
    assert_non_null(strstr(out.p, "  does not cut: the other hosts of mgmt, imaging"));
    assert_non_null(strstr(out.p, "  hop 0  imaging "));
    assert_non_null(strstr(out.p, "  - 10.20.0.15, fd00:20::15 (imaging) -> pacs, TCP ports 104, "
                                  "11112: DICOM to PACS [clinical]\n"));
    assert_non_null(strstr(out.p, "  - mgmt except 10.90.0.5 can open connections to 10.20.0.15, "
                                  "fd00:20::15 (imaging)"));
    assert_non_null(strstr(out.p, "documented flow corp -> imaging, TCP port 445: reports (not "
                                  "clinical), for the quarantined hosts\n"));
    assert_non_null(strstr(out.p, "Not cut, because it does not pass the router:\n"
                                  "  - traffic between 10.90.0.5 and the other hosts of mgmt"));
    ww_buf_clear(&out);
    assert_int_equal(ww_fb_render_json(m, &info, &out), 0);
    assert_non_null(strstr(out.p, "{\"plan\":8,\"segment\":null,\"scope\":\"hosts\",\"hosts\":["
                                  "{\"ip\":\"10.20.0.15\",\"segment\":\"imaging\"},"));
    assert_non_null(strstr(out.p, "\"from\":\"mgmt\",\"to\":\"imaging\",\"from_except\":["
                                  "\"10.90.0.5\"],\"to_hosts\":[\"10.20.0.15\",\"fd00:20::15\"]"));
    /* Segment plans say so, with no hosts. */
    ww_buf_clear(&out);
    assert_int_equal(ww_fb_render_json(m, &INFO, &out), 0);
    assert_non_null(strstr(out.p, "\"scope\":\"segment\",\"hosts\":[],\"infected_ip\""));
    ww_buf_release(&out);
    ww_fb_map_free(m);
}

/* ---- external segments and warnings ---- */

static void test_external_segments(void **state)
{
    const char *ext = "segments:\n"                                                     /* 1 */
                      "  - {name: wards, cidrs: [10.1.0.0/24], kind: clinical}\n"       /* 2 */
                      "  - {name: mail, cidrs: [198.51.100.0/24, '2001:db8:5::/48'],\n" /* 3 */
                      "     kind: external, description: secure email}\n"               /* 4 */
                      "flows:\n"                                                        /* 5 */
                      "  - {from: wards, to: mail, proto: tcp, ports: [587], clinical: true,"
                      " reason: letters}\n"; /* 6 */
    ww_fb_map_t *m = parse_ok(ext);
    assert_int_equal(m->segs[1].kind, WW_FB_KIND_EXTERNAL);
    assert_string_equal(ww_fb_kind_name(WW_FB_KIND_EXTERNAL), "external");
    assert_false(m->segs[1].clinical);
    assert_int_equal(m->nwarnings, 0); /* a routed core carries every flow */
    assert_int_equal(ww_fb_map_find_ip(m, "198.51.100.7"), 1);
    /* Isolating wards keeps the flow to the external destination. */
    ww_fb_plan_info_t p = {1, 0, NULL, NULL, NULL, NULL, NULL, 0, NULL, 0};
    ww_buf_t out;
    ww_buf_init(&out, 0);
    assert_int_equal(ww_fb_render_chain(m, &p, &out), 0);
    assert_non_null(strstr(out.p, "ip saddr { 10.1.0.0/24 } ip daddr { 198.51.100.0/24 } tcp dport "
                                  "{ 587 } ct mark set"));
    ww_buf_release(&out);
    ww_fb_map_free(m);
    /* What an external segment cannot have, with the place. */
    expect_at("segments:\n  - {name: m, cidrs: [192.0.2.0/24], kind: external, vlan: 5}\n", 2, 60,
              "segment 'm' is external (outside the hospital): it has no vlan");
    expect_at("segments:\n  - {name: m, cidrs: [192.0.2.0/24], kind: external,\n"
              "     monitor_only: true}\n",
              3, 20, "monitor_only does not apply");
    expect_at("segments:\n  - {name: m, cidrs: [192.0.2.0/24], kind: external}\n"
              "  - {name: n, cidrs: [198.51.100.0/24], kind: external}\n"
              "flows:\n  - {from: m, to: n, proto: tcp}\n",
              5, 19, "both are external, so the flow never enters the hospital");
    expect_at("segments:\n  - {name: m, cidrs: [192.0.2.0/24], kind: external}\n"
              "  - {name: n, cidrs: [198.51.100.0/24], kind: external}\n"
              "links:\n  - {from: m, to: n}\n",
              5, 19, "both are external");
    expect_at("segments:\n  - {name: m, cidrs: [192.0.2.0/24], kind: externl}\n", 2, 44,
              "dmz, management or external");
    /* An external range may not overlap the hospital's own. */
    expect_at("segments:\n  - {name: a, cidrs: [10.0.0.0/8], kind: clinical}\n"
              "  - {name: m, cidrs: [10.9.0.0/16], kind: external}\n",
              3, 23, "overlaps 10.0.0.0/8");
}

static void test_flow_warnings(void **state)
{
    const char *text = "segments:\n"                                            /* 1 */
                       "  - {name: a, cidrs: [10.1.0.0/24], kind: clinical}\n"  /* 2 */
                       "  - {name: b, cidrs: [10.2.0.0/24], kind: servers}\n"   /* 3 */
                       "  - {name: c, cidrs: [10.3.0.0/24], kind: corporate}\n" /* 4 */
                       "links:\n"                                               /* 5 */
                       "  - {from: a, to: b, direction: one-way}\n"             /* 6 */
                       "flows:\n"                                               /* 7 */
                       "  - {from: a, to: b, proto: tcp, ports: [443]}\n"       /* 8 ok */
                       "  - {from: b, to: a, proto: tcp, ports: [22]}\n"        /* 9 */
                       "  - {from: a, to: c, proto: udp}\n"                     /* 10 */
                       "  - {from: a, to: b, proto: tcp, direction: both}\n";   /* 11 */
    ww_fb_map_t *m = parse_ok(text);
    assert_int_equal(m->nwarnings, 3);
    assert_int_equal(m->warnings_dropped, 0);
    assert_int_equal(m->warnings[0].line, 9);
    assert_int_equal(m->warnings[0].col, 5);
    assert_non_null(strstr(m->warnings[0].msg, "flow b -> a (line 9) crosses no link of the map "
                                               "(the link on line 6 is one-way a -> b)"));
    assert_non_null(strstr(m->warnings[0].msg, "a fire-break can neither cut nor keep it"));
    assert_int_equal(m->warnings[1].line, 10);
    assert_non_null(strstr(m->warnings[1].msg, "flow a -> c (line 10) crosses no link of the map "
                                               "(no link joins a and c)"));
    assert_int_equal(m->warnings[2].line, 11);
    assert_non_null(strstr(m->warnings[2].msg, "flow a <-> b (line 11), in its direction b -> a, "
                                               "crosses no link"));
    ww_fb_map_free(m);
    /* Many: the first WW_FB_MAX_WARNINGS are kept, the rest counted. */
    ww_buf_t big;
    ww_buf_init(&big, 0);
    ww_buf_puts(&big, SEG2 "links: []\nflows:\n");
    for (int i = 0; i < WW_FB_MAX_WARNINGS + 5; i++)
        ww_buf_printf(&big, "  - {from: a, to: b, proto: tcp, ports: [%d]}\n", i + 1);
    m = parse_ok(big.p);
    assert_int_equal(m->nwarnings, WW_FB_MAX_WARNINGS);
    assert_int_equal(m->warnings_dropped, 5);
    ww_fb_map_free(m);
    ww_buf_release(&big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_map_parses),
        cmocka_unit_test(test_hosts_parse),
        cmocka_unit_test(test_host_plan_rules),
        cmocka_unit_test(test_host_plan_both_ends),
        cmocka_unit_test(test_host_plan_words),
        cmocka_unit_test(test_external_segments),
        cmocka_unit_test(test_flow_warnings),
        cmocka_unit_test(test_map_rejections),
        cmocka_unit_test(test_map_error_columns),
        cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_plan_marks),
        cmocka_unit_test(test_nft_listing_helpers),
        cmocka_unit_test(test_store_apply_steps),
        cmocka_unit_test(test_router_lock),
        cmocka_unit_test(test_cidr_helpers),
        cmocka_unit_test(test_reachability),
        cmocka_unit_test(test_render_nft_golden),
        cmocka_unit_test(test_render_change_request_golden),
        cmocka_unit_test(test_render_text_and_json),
        cmocka_unit_test(test_management_both_and_isolating_management),
        cmocka_unit_test(test_store_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
