/* Unit tests of the Sigma loader: escapes, every modifier, the condition grammar,
 * special values, correlations, filters, v1 syntax and error reporting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "sigma/ww_sigma.h"

/* ---- helpers ---------------------------------------------------------------------- */

static ww_sigma_ruleset_t *load(const char *yaml)
{
    ww_sigma_ruleset_t *rs = ww_sigma_ruleset_new();
    assert_non_null(rs);
    ww_sigma_load_buffer(rs, "test.yml", yaml, strlen(yaml));
    ww_sigma_finish(rs);
    return rs;
}

/* A one-item rule: `detection: {sel: {<key>: <val>}, condition: sel}`. */
static ww_sigma_ruleset_t *load_item(const char *key_val)
{
    char buf[4096];
    snprintf(buf, sizeof(buf),
             "title: t\nlogsource: {product: windows}\ndetection:\n  sel:\n    %s\n"
             "  condition: sel\n",
             key_val);
    return load(buf);
}

static const ww_sigma_item_t *item0(ww_sigma_ruleset_t *rs)
{
    if (ww_sigma_count(rs) != 1) {
        for (uint32_t i = 0; i < ww_sigma_error_count(rs); i++)
            print_error("unexpected error: %u:%u %s\n", ww_sigma_error(rs, i)->line,
                        ww_sigma_error(rs, i)->col, ww_sigma_error(rs, i)->msg);
    }
    assert_int_equal(ww_sigma_count(rs), 1);
    const ww_sigma_rule_t *r = ww_sigma_rule(rs, 0);
    assert_true(r->nitems >= 1);
    return r->items[0];
}

/* Renders glob parts: literals as is, wildcards as <*> and <?>, NUL as \0. */
static const char *render(const ww_sigma_match_t *m)
{
    static char out[8192];
    size_t k = 0;
    assert_int_equal(m->kind, WW_MATCH_STR);
    for (uint32_t i = 0; i < m->nparts; i++) {
        const ww_glob_part_t *p = &m->parts[i];
        if (p->kind == WW_GLOB_STAR) {
            memcpy(out + k, "<*>", 3);
            k += 3;
        } else if (p->kind == WW_GLOB_ONE) {
            memcpy(out + k, "<?>", 3);
            k += 3;
        } else {
            for (uint32_t j = 0; j < p->n; j++) {
                if (p->lit[j] == 0) {
                    out[k++] = '\\';
                    out[k++] = '0';
                } else {
                    out[k++] = p->lit[j];
                }
            }
        }
    }
    out[k] = 0;
    return out;
}

static const char *err_msg(ww_sigma_ruleset_t *rs, uint32_t i)
{
    const ww_sigma_error_t *e = ww_sigma_error(rs, i);
    assert_non_null(e);
    return e->msg;
}

/* The rule is rejected with a message containing `needle`. */
static void expect_reject(const char *key_val, const char *needle)
{
    ww_sigma_ruleset_t *rs = load_item(key_val);
    assert_int_equal(ww_sigma_count(rs), 0);
    assert_int_equal(ww_sigma_error_count(rs), 1);
    if (!strstr(err_msg(rs, 0), needle))
        fail_msg("for `%s` expected an error containing '%s', got '%s'", key_val, needle,
                 err_msg(rs, 0));
    ww_sigma_ruleset_free(rs);
}

/* The single value of the single item renders as `want`. */
static void expect_glob(const char *key_val, const char *want)
{
    ww_sigma_ruleset_t *rs = load_item(key_val);
    const ww_sigma_item_t *it = item0(rs);
    assert_int_equal(it->nvals, 1);
    assert_int_equal(it->vals[0].nalts, 1);
    const char *got = render(&it->vals[0].alts[0]);
    if (strcmp(got, want) != 0)
        fail_msg("for `%s` expected '%s', got '%s'", key_val, want, got);
    ww_sigma_ruleset_free(rs);
}

/* ---- escapes (NOTES 1.4) ---------------------------------------------------------- */

static void test_escape_table(void **state)
{
    (void)state;
    expect_glob("F: 'C:\\Windows\\x.exe'", "C:\\Windows\\x.exe");
    expect_glob("F: 'C:\\\\Windows\\\\x.exe'", "C:\\Windows\\x.exe");
    expect_glob("F: '\\*'", "*");
    expect_glob("F: '\\?'", "?");
    expect_glob("F: '\\\\*'", "\\<*>");
    expect_glob("F: '\\\\\\*'", "\\*");
    expect_glob("F: '\\\\\\\\'", "\\\\");
    expect_glob("F: '\\\\\\'", "\\\\");
    expect_glob("F: 'abc\\'", "abc\\");
    expect_glob("F: 'a*b?c'", "a<*>b<?>c");
    expect_glob("F: ' -Filter \\*'", " -Filter *");
    /* YAML first: double quotes turn \\\\ into \\, then Sigma turns \\ into \. */
    expect_glob("F: \"C:\\\\\\\\Windows\"", "C:\\Windows");
    /* Plain YAML keeps backslashes, so `\*` here is an escaped, literal star. */
    expect_glob("F: C:\\Windows\\*", "C:\\Windows*");
    expect_glob("F: C:\\Windows\\\\*", "C:\\Windows\\<*>");
}

/* ---- string modifiers ------------------------------------------------------------- */

static void test_contains_starts_ends(void **state)
{
    (void)state;
    expect_glob("F|contains: abc", "<*>abc<*>");
    expect_glob("F|contains: '*abc*'", "<*>abc<*>");
    expect_glob("F|contains: '*abc'", "<*>abc<*>");
    expect_glob("F|startswith: abc", "abc<*>");
    expect_glob("F|startswith: 'abc*'", "abc<*>");
    expect_glob("F|endswith: '\\cmd.exe'", "<*>\\cmd.exe");
    expect_glob("F|endswith: '*x'", "<*>x");
    expect_glob("F|contains: ''", "<*>");
    /* A number under a string modifier is its text. */
    expect_glob("F|contains: 4104", "<*>4104<*>");
}

static void test_all_and_values(void **state)
{
    (void)state;
    ww_sigma_ruleset_t *rs = load_item("F|contains|all: [a, b, c]");
    const ww_sigma_item_t *it = item0(rs);
    assert_true(it->all);
    assert_false(it->negate);
    assert_int_equal(it->nvals, 3);
    assert_string_equal(render(&it->vals[2].alts[0]), "<*>c<*>");
    assert_string_equal(it->field, "F");
    ww_sigma_ruleset_free(rs);

    rs = load_item("F: [a, b]");
    it = item0(rs);
    assert_false(it->all);
    assert_int_equal(it->nvals, 2);
    ww_sigma_ruleset_free(rs);
}

static void test_re(void **state)
{
    (void)state;
    ww_sigma_ruleset_t *rs = load_item("F|re: 'a\\d+*'");
    /* `a\d+*` is not valid PCRE ("quantifier does not follow a repeatable item"). */
    assert_int_equal(ww_sigma_count(rs), 0);
    assert_non_null(strstr(err_msg(rs, 0), "invalid regular expression at offset 4"));
    ww_sigma_ruleset_free(rs);

    rs = load_item("F|re: '\\s+-enc\\w*'");
    const ww_sigma_match_t *m = &item0(rs)->vals[0].alts[0];
    assert_int_equal(m->kind, WW_MATCH_RE);
    assert_string_equal(m->re, "\\s+-enc\\w*"); /* raw: no escape processing */
    assert_int_equal(m->re_flags, 0);
    ww_sigma_ruleset_free(rs);

    rs = load_item("F|re|i|m|s: 'abc'");
    m = &item0(rs)->vals[0].alts[0];
    assert_int_equal(m->re_flags, WW_RE_ICASE | WW_RE_MULTILINE | WW_RE_DOTALL);
    ww_sigma_ruleset_free(rs);
    rs = load_item("F|re|ignorecase|dotall: 'abc'");
    m = &item0(rs)->vals[0].alts[0];
    assert_int_equal(m->re_flags, WW_RE_ICASE | WW_RE_DOTALL);
    ww_sigma_ruleset_free(rs);

    rs = load_item("F|re|contains: 'abc'");
    assert_string_equal(item0(rs)->vals[0].alts[0].re, ".*abc.*");
    ww_sigma_ruleset_free(rs);
    rs = load_item("F|re|contains: '^abc$'");
    assert_string_equal(item0(rs)->vals[0].alts[0].re, "^abc$");
    ww_sigma_ruleset_free(rs);

    expect_reject("F|contains|re: abc", "'re' must be the first modifier");
    expect_reject("F|i: abc", "only applies after 're'");
    expect_reject("F|re|base64: abc", "cannot apply to a regular expression");
}

static void test_windash(void **state)
{
    (void)state;
    ww_sigma_ruleset_t *rs = load_item("F|windash|contains: '-a -b'");
    const ww_sigma_item_t *it = item0(rs);
    assert_int_equal(it->nvals, 1);
    assert_int_equal(it->vals[0].nalts, 25);
    /* Every variant: first and second position each one of the five dashes. */
    static const char *const d[] = {"-", "/", "\xE2\x80\x93", "\xE2\x80\x94", "\xE2\x80\x95"};
    int seen[5][5] = {{0}};
    for (uint32_t i = 0; i < 25; i++) {
        const char *s = render(&it->vals[0].alts[i]);
        int hit = 0;
        for (int x = 0; x < 5; x++)
            for (int y = 0; y < 5; y++) {
                char want[64];
                snprintf(want, sizeof(want), "<*>%sa %sb<*>", d[x], d[y]);
                if (strcmp(s, want) == 0) {
                    seen[x][y]++;
                    hit = 1;
                }
            }
        if (!hit)
            fail_msg("unexpected windash variant '%s'", s);
    }
    for (int x = 0; x < 5; x++)
        for (int y = 0; y < 5; y++)
            assert_int_equal(seen[x][y], 1);
    ww_sigma_ruleset_free(rs);

    /* Only a dash at a word start: the inner dash of -param-name stays. */
    rs = load_item("F|windash: '-param-name'");
    it = item0(rs);
    assert_int_equal(it->vals[0].nalts, 5);
    assert_string_equal(render(&it->vals[0].alts[1]), "/param-name");
    assert_string_equal(render(&it->vals[0].alts[2]), "\xE2\x80\x93param-name");
    ww_sigma_ruleset_free(rs);

    rs = load_item("F|windash: 'a-b'");
    assert_int_equal(item0(rs)->vals[0].nalts, 1);
    ww_sigma_ruleset_free(rs);

    rs = load_item("F|windash: ' /x --y'");
    /* `/x` varies; in `--y` only the second dash does (the first is not followed by
     * a word character). */
    assert_int_equal(item0(rs)->vals[0].nalts, 25);
    ww_sigma_ruleset_free(rs);

    /* Variants stay ORed under `all`: the item ANDs two values of 5 alternatives. */
    rs = load_item("F|windash|contains|all: ['-a', '-b']");
    it = item0(rs);
    assert_true(it->all);
    assert_int_equal(it->nvals, 2);
    assert_int_equal(it->vals[0].nalts, 5);
    assert_int_equal(it->vals[1].nalts, 5);
    ww_sigma_ruleset_free(rs);
}

static void test_base64(void **state)
{
    (void)state;
    expect_glob("F|base64: foobar", "Zm9vYmFy");
    expect_glob("F|base64: 'C:\\\\x'", "QzpceA==");
    expect_glob("F|base64|contains: foo", "<*>Zm9v<*>");

    ww_sigma_ruleset_t *rs = load_item("F|base64offset|contains: foobar");
    const ww_sigma_item_t *it = item0(rs);
    assert_int_equal(it->vals[0].nalts, 3);
    assert_string_equal(render(&it->vals[0].alts[0]), "<*>Zm9vYmFy<*>");
    assert_string_equal(render(&it->vals[0].alts[1]), "<*>Zvb2Jhc<*>");
    assert_string_equal(render(&it->vals[0].alts[2]), "<*>mb29iYX<*>");
    ww_sigma_ruleset_free(rs);

    expect_reject("F|base64: 'foo*'", "cannot encode wildcards");
    expect_reject("F|base64offset: 'fo?'", "cannot encode wildcards");
}

static void expect_bytes(const char *key_val, const char *want, size_t wn)
{
    ww_sigma_ruleset_t *rs = load_item(key_val);
    const ww_sigma_match_t *m = &item0(rs)->vals[0].alts[0];
    assert_int_equal(m->kind, WW_MATCH_STR);
    assert_int_equal(m->nparts, 1);
    assert_int_equal(m->parts[0].kind, WW_GLOB_LIT);
    assert_int_equal(m->parts[0].n, wn);
    assert_memory_equal(m->parts[0].lit, want, wn);
    ww_sigma_ruleset_free(rs);
}

static void test_wide_utf16(void **state)
{
    (void)state;
    expect_bytes("F|wide: ab", "a\0b\0", 4);
    expect_bytes("F|utf16le: ab", "a\0b\0", 4);
    expect_bytes("F|utf16be: ab", "\0a\0b", 4);
    expect_bytes("F|utf16: ab",
                 "\xFF\xFE"
                 "a\0b\0",
                 6);
    expect_bytes("F|utf16le: \"\\u00e9\"", "\xE9\0", 2);
    expect_bytes("F|utf16be: \"\\U0001F600\"", "\xD8\x3D\xDE\x00", 4);
    expect_reject("F|wide: \"\\u00e9\"", "ASCII");
    expect_glob("F|wide|contains: ab", "<*>a\\0b\\0<*>");
    /* wide then base64offset, as SigmaHQ writes it. */
    ww_sigma_ruleset_t *rs = load_item("F|wide|base64offset|contains: 'ping'");
    const ww_sigma_item_t *it = item0(rs);
    assert_int_equal(it->vals[0].nalts, 3);
    assert_string_equal(render(&it->vals[0].alts[0]), "<*>cABpAG4AZw<*>");
    ww_sigma_ruleset_free(rs);
}

static void test_cidr(void **state)
{
    (void)state;
    ww_sigma_ruleset_t *rs = load_item("F|cidr: ['10.0.0.0/8', '2001:db8::/32', '192.168.1.1']");
    const ww_sigma_item_t *it = item0(rs);
    assert_int_equal(it->nvals, 3);
    const ww_sigma_match_t *m = &it->vals[0].alts[0];
    assert_int_equal(m->kind, WW_MATCH_CIDR);
    assert_int_equal(m->cidr_family, 4);
    assert_int_equal(m->cidr_prefix, 8);
    assert_int_equal(m->cidr_addr[0], 10);
    m = &it->vals[1].alts[0];
    assert_int_equal(m->cidr_family, 6);
    assert_int_equal(m->cidr_prefix, 32);
    assert_int_equal(m->cidr_addr[0], 0x20);
    assert_int_equal(m->cidr_addr[3], 0xb8);
    assert_int_equal(it->vals[2].alts[0].cidr_prefix, 32);
    ww_sigma_ruleset_free(rs);

    expect_reject("F|cidr: '10.0.0.1/8'", "host bits set");
    expect_reject("F|cidr: '2001:db8::1/32'", "host bits set");
    expect_reject("F|cidr: '10.0.0.0/33'", "prefix");
    expect_reject("F|cidr: 'nonsense'", "not an IPv4 or IPv6 network");
    expect_reject("F|contains|cidr: '10.0.0.0/8'", "'cidr' must be the first modifier");
}

static void test_exists_cased_neq_fieldref(void **state)
{
    (void)state;
    ww_sigma_ruleset_t *rs = load_item("F|exists: false");
    const ww_sigma_match_t *m = &item0(rs)->vals[0].alts[0];
    assert_int_equal(m->kind, WW_MATCH_EXISTS);
    assert_false(m->b);
    ww_sigma_ruleset_free(rs);
    expect_reject("F|exists|contains: true", "must be the only modifier");
    expect_reject("F|exists: maybe", "true or false");
    expect_reject("'|exists': true", "needs a field");

    rs = load_item("F|cased: AbC");
    m = &item0(rs)->vals[0].alts[0];
    assert_true(m->cased);
    assert_string_equal(render(m), "AbC");
    ww_sigma_ruleset_free(rs);

    rs = load_item("F|neq: [a, b]");
    const ww_sigma_item_t *it = item0(rs);
    assert_true(it->negate);
    assert_int_equal(it->nvals, 2);
    ww_sigma_ruleset_free(rs);

    rs = load_item("F|fieldref: Other");
    m = &item0(rs)->vals[0].alts[0];
    assert_int_equal(m->kind, WW_MATCH_FIELDREF);
    assert_string_equal(m->ref, "Other");
    assert_int_equal(m->ref_mode, WW_REF_EQ);
    ww_sigma_ruleset_free(rs);
    static const struct {
        const char *kv;
        int mode;
    } modes[] = {{"F|fieldref|startswith: O", WW_REF_STARTS},
                 {"F|fieldref|endswith: O", WW_REF_ENDS},
                 {"F|fieldref|contains: O", WW_REF_CONTAINS},
                 {"F|fieldref|startswith|endswith: O", WW_REF_CONTAINS}};
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        rs = load_item(modes[i].kv);
        assert_int_equal(item0(rs)->vals[0].alts[0].ref_mode, modes[i].mode);
        ww_sigma_ruleset_free(rs);
    }
    rs = load_item("F|fieldref|neq: Other");
    assert_true(item0(rs)->negate);
    assert_int_equal(item0(rs)->vals[0].alts[0].kind, WW_MATCH_FIELDREF);
    ww_sigma_ruleset_free(rs);
    expect_reject("F|fieldref: 'Oth*'", "field name");
}

static void test_numeric_and_time(void **state)
{
    (void)state;
    static const struct {
        const char *kv;
        int cmp;
    } cmps[] = {{"F|gt: 5", WW_CMP_GT},
                {"F|gte: 5", WW_CMP_GTE},
                {"F|lt: 5", WW_CMP_LT},
                {"F|lte: 5.5", WW_CMP_LTE}};
    for (size_t i = 0; i < sizeof(cmps) / sizeof(cmps[0]); i++) {
        ww_sigma_ruleset_t *rs = load_item(cmps[i].kv);
        const ww_sigma_match_t *m = &item0(rs)->vals[0].alts[0];
        assert_int_equal(m->kind, WW_MATCH_NUM);
        assert_int_equal(m->cmp, cmps[i].cmp);
        assert_true(m->num == (i == 3 ? 5.5 : 5.0));
        ww_sigma_ruleset_free(rs);
    }
    expect_reject("F|gt: '5'", "needs a number");
    expect_reject("F|lte: abc", "needs a number");

    static const char *const parts[] = {"minute", "hour", "day", "week", "month", "year"};
    for (int i = 0; i < 6; i++) {
        char kv[64];
        snprintf(kv, sizeof(kv), "F|%s: 3", parts[i]);
        ww_sigma_ruleset_t *rs = load_item(kv);
        const ww_sigma_match_t *m = &item0(rs)->vals[0].alts[0];
        assert_int_equal(m->kind, WW_MATCH_TIME);
        assert_int_equal(m->timepart, WW_TP_MINUTE + i);
        assert_int_equal(m->cmp, WW_CMP_EQ);
        assert_true(m->num == 3.0);
        ww_sigma_ruleset_free(rs);
    }
    ww_sigma_ruleset_t *rs = load_item("F|hour|gte: 22");
    const ww_sigma_match_t *m = &item0(rs)->vals[0].alts[0];
    assert_int_equal(m->kind, WW_MATCH_TIME);
    assert_int_equal(m->timepart, WW_TP_HOUR);
    assert_int_equal(m->cmp, WW_CMP_GTE);
    ww_sigma_ruleset_free(rs);
    expect_reject("F|hour: 'x'", "needs a number");
}

static void test_expand(void **state)
{
    (void)state;
    const char *rule = "title: t\nlogsource: {product: windows}\ndetection:\n"
                       "  sel:\n    F|expand: '%Admins%\\%x'\n"
                       "  sel2:\n    G|contains|expand: '%Admins%-%Hosts%'\n"
                       "  condition: sel and sel2\n";
    ww_sigma_ruleset_t *rs = ww_sigma_ruleset_new();
    const char *admins[] = {"root", "adm_*"};
    const char *hosts[] = {"h1", "h2", "h3"};
    assert_int_equal(ww_sigma_placeholder_set(rs, "Admins", admins, 2), 0);
    assert_int_equal(ww_sigma_placeholder_set(rs, "Hosts", hosts, 3), 0);
    ww_sigma_load_buffer(rs, "t.yml", rule, strlen(rule));
    ww_sigma_finish(rs);
    const ww_sigma_rule_t *r = ww_sigma_rule(rs, 0);
    assert_non_null(r);
    assert_int_equal(r->nitems, 2);
    const ww_sigma_value_t *v = &r->items[0]->vals[0];
    assert_int_equal(v->nalts, 2);
    assert_string_equal(render(&v->alts[0]), "root%x");
    assert_string_equal(render(&v->alts[1]), "adm_<*>%x");
    v = &r->items[1]->vals[0];
    assert_int_equal(v->nalts, 6);
    assert_string_equal(render(&v->alts[0]), "<*>root-h1<*>");
    assert_string_equal(render(&v->alts[5]), "<*>adm_<*>-h3<*>");
    ww_sigma_ruleset_free(rs);

    expect_reject("F|expand: '%Nobody%'",
                  "placeholder %Nobody% has no values: define it in the placeholders file");
    /* Without expand, %x% is literal text. */
    expect_glob("F: '%Nobody%'", "%Nobody%");
}

/* expand with cidr (either order): a placeholder whose values are networks. */
static void test_expand_cidr(void **state)
{
    (void)state;
    const char *rule = "title: t\nlogsource: {product: windows}\ndetection:\n"
                       "  sel:\n    F|expand|cidr: '%Nets%'\n"
                       "  sel2:\n    G|cidr|expand: ['%Nets%', '192.168.0.0/16']\n"
                       "  condition: sel and sel2\n";
    ww_sigma_ruleset_t *rs = ww_sigma_ruleset_new();
    const char *nets[] = {"10.40.0.0/16", "2001:db8::/32", "172.16.5.7"};
    assert_int_equal(ww_sigma_placeholder_set(rs, "Nets", nets, 3), 0);
    ww_sigma_load_buffer(rs, "t.yml", rule, strlen(rule));
    ww_sigma_finish(rs);
    assert_int_equal(ww_sigma_error_count(rs), 0);
    const ww_sigma_rule_t *r = ww_sigma_rule(rs, 0);
    assert_non_null(r);
    const ww_sigma_value_t *v = &r->items[0]->vals[0];
    assert_int_equal(v->nalts, 3);
    for (uint32_t i = 0; i < 3; i++)
        assert_int_equal(v->alts[i].kind, WW_MATCH_CIDR);
    assert_int_equal(v->alts[0].cidr_family, 4);
    assert_int_equal(v->alts[0].cidr_prefix, 16);
    assert_int_equal(v->alts[0].cidr_addr[1], 40);
    assert_int_equal(v->alts[1].cidr_family, 6);
    assert_int_equal(v->alts[2].cidr_prefix, 32); /* a bare address is a /32 */
    assert_int_equal(r->items[1]->nvals, 2);
    assert_int_equal(r->items[1]->vals[0].nalts, 3);
    assert_int_equal(r->items[1]->vals[1].nalts, 1);
    assert_int_equal(r->items[1]->vals[1].alts[0].cidr_addr[0], 192);
    ww_sigma_ruleset_free(rs);

    /* A value that is not a network, host bits, a missing placeholder, a wildcard,
       and a third modifier are refused with the reason. */
    /* The third column: the placeholder the error blames (a site value to set), or ""
       for a rule that is broken whatever the site sets. */
    const char *bad[][3] = {
        {"F|expand|cidr: '%Bad%'", "not an IPv4 or IPv6 network", "Bad"},
        {"F|expand|cidr: '%Host%'", "host bits set", "Host"},
        {"F|expand|cidr: '%Nobody%'", "placeholder %Nobody% has no values", "Nobody"},
        {"F|cidr|expand: '%Wild%'", "cannot contain wildcards", "Wild"},
        {"F|cidr|expand|contains: '%Host%'", "takes no other modifier", ""},
        {"F|contains|expand|cidr: '%Host%'", "'cidr' must be the first modifier", ""},
        {"F|expand|cidr: 5", "needs a network", ""},
    };
    for (size_t i = 0; i < WW_ARRAY_LEN(bad); i++) {
        char doc[256];
        snprintf(doc, sizeof doc,
                 "title: t\nlogsource: {product: windows}\ndetection:\n  sel:\n    %s\n"
                 "  condition: sel\n",
                 bad[i][0]);
        rs = ww_sigma_ruleset_new();
        const char *badv[] = {"not-a-net"}, *hostv[] = {"10.0.0.1/8"}, *wildv[] = {"10.*"};
        ww_sigma_placeholder_set(rs, "Bad", badv, 1);
        ww_sigma_placeholder_set(rs, "Host", hostv, 1);
        ww_sigma_placeholder_set(rs, "Wild", wildv, 1);
        ww_sigma_load_buffer(rs, "t.yml", doc, strlen(doc));
        ww_sigma_finish(rs);
        assert_int_equal(ww_sigma_count(rs), 0);
        assert_int_equal(ww_sigma_error_count(rs), 1);
        if (!strstr(err_msg(rs, 0), bad[i][1]))
            fail_msg("for `%s` expected an error containing '%s', got '%s'", bad[i][0], bad[i][1],
                     err_msg(rs, 0));
        if (strcmp(ww_sigma_error(rs, 0)->placeholder, bad[i][2]) != 0)
            fail_msg("for `%s` expected placeholder '%s', got '%s'", bad[i][0], bad[i][2],
                     ww_sigma_error(rs, 0)->placeholder);
        ww_sigma_ruleset_free(rs);
    }
    /* A rule that expands a placeholder fine but is broken elsewhere blames none. */
    rs = ww_sigma_ruleset_new();
    const char *hv[] = {"10.0.0.0/8"};
    ww_sigma_placeholder_set(rs, "Net", hv, 1);
    const char *later = "title: t\nlogsource: {product: windows}\ndetection:\n  sel:\n"
                        "    F|expand|cidr: '%Net%'\n  condition: sel and nothere\n";
    ww_sigma_load_buffer(rs, "t.yml", later, strlen(later));
    ww_sigma_finish(rs);
    assert_int_equal(ww_sigma_error_count(rs), 1);
    assert_string_equal(ww_sigma_error(rs, 0)->placeholder, "");
    ww_sigma_ruleset_free(rs);
}

static void test_placeholders_file(void **state)
{
    (void)state;
    const char *src = getenv("WW_SRC");
    char path[1024];
    snprintf(path, sizeof(path), "%s/tests/data/placeholders.yml", src ? src : WW_SOURCE_DIR);
    ww_sigma_ruleset_t *rs = ww_sigma_ruleset_new();
    ww_diag_t d;
    assert_int_equal(ww_sigma_placeholders_load(rs, path, &d), 0);
    const char *rule = "title: t\nlogsource: {product: windows}\ndetection:\n"
                       "  sel:\n    F|expand: '%DomainControllers%'\n  condition: sel\n";
    ww_sigma_load_buffer(rs, "t.yml", rule, strlen(rule));
    assert_int_equal(ww_sigma_count(rs), 1);
    assert_int_equal(ww_sigma_rule(rs, 0)->items[0]->vals[0].nalts, 2);
    ww_sigma_ruleset_free(rs);

    rs = ww_sigma_ruleset_new();
    assert_true(ww_sigma_placeholders_load(rs, "/nonexistent/ph.yml", &d) < 0);
    ww_sigma_ruleset_free(rs);

    /* A bare top-level mapping works too; a broken file reports where. */
    char tmp[] = "/tmp/ww_ph_XXXXXX";
    int fd = mkstemp(tmp);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("Hosts: [a, b, c]\nSingle: x\n", f);
    fclose(f);
    rs = ww_sigma_ruleset_new();
    assert_int_equal(ww_sigma_placeholders_load(rs, tmp, &d), 0);
    rule = "title: t\nlogsource: {product: windows}\ndetection:\n"
           "  sel:\n    F|expand: ['%Hosts%', '%Single%']\n  condition: sel\n";
    ww_sigma_load_buffer(rs, "t.yml", rule, strlen(rule));
    assert_int_equal(ww_sigma_count(rs), 1);
    assert_int_equal(ww_sigma_rule(rs, 0)->items[0]->vals[0].nalts, 3);
    assert_int_equal(ww_sigma_rule(rs, 0)->items[0]->vals[1].nalts, 1);
    ww_sigma_ruleset_free(rs);
    f = fopen(tmp, "w");
    fputs("Hosts: [a, b\nOther: {x: 1}\n", f);
    fclose(f);
    rs = ww_sigma_ruleset_new();
    assert_int_equal(ww_sigma_placeholders_load(rs, tmp, &d), WW_EPARSE);
    assert_true(d.line >= 1);
    assert_non_null(strstr(d.msg, "YAML syntax error"));
    ww_sigma_ruleset_free(rs);
    unlink(tmp);
}

static void test_unknown_modifier(void **state)
{
    (void)state;
    expect_reject("F|contain: x", "unknown modifier 'contain'");
    expect_reject("F||contains: x", "empty modifier");
    expect_reject("F|base64|contains: 'a*'", "cannot encode wildcards");
}

/* ---- special values --------------------------------------------------------------- */

static void test_special_values(void **state)
{
    (void)state;
    ww_sigma_ruleset_t *rs = load_item("F: null");
    assert_int_equal(item0(rs)->vals[0].alts[0].kind, WW_MATCH_NULL);
    ww_sigma_ruleset_free(rs);
    rs = load_item("F:");
    assert_int_equal(item0(rs)->vals[0].alts[0].kind, WW_MATCH_NULL);
    ww_sigma_ruleset_free(rs);
    rs = load_item("F: ~");
    assert_int_equal(item0(rs)->vals[0].alts[0].kind, WW_MATCH_NULL);
    ww_sigma_ruleset_free(rs);
    rs = load_item("F: []");
    assert_int_equal(item0(rs)->nvals, 1);
    assert_int_equal(item0(rs)->vals[0].alts[0].kind, WW_MATCH_NULL);
    ww_sigma_ruleset_free(rs);

    /* '' is the empty string: a STR with no parts. */
    rs = load_item("F: ''");
    const ww_sigma_match_t *m = &item0(rs)->vals[0].alts[0];
    assert_int_equal(m->kind, WW_MATCH_STR);
    assert_int_equal(m->nparts, 0);
    ww_sigma_ruleset_free(rs);

    rs = load_item("F: 4688");
    m = &item0(rs)->vals[0].alts[0];
    assert_int_equal(m->kind, WW_MATCH_NUM);
    assert_int_equal(m->cmp, WW_CMP_EQ);
    assert_true(m->num == 4688.0);
    assert_string_equal(m->numtext, "4688");
    ww_sigma_ruleset_free(rs);
    rs = load_item("F: -1.5");
    m = &item0(rs)->vals[0].alts[0];
    assert_int_equal(m->kind, WW_MATCH_NUM);
    assert_true(m->num == -1.5);
    assert_string_equal(m->numtext, "-1.5");
    ww_sigma_ruleset_free(rs);
    /* Quoted numbers and hex strings are strings. */
    expect_glob("F: '4688'", "4688");
    expect_glob("F: '0x17'", "0x17");
    expect_glob("F: 08", "08"); /* not an int to pyyaml */
    rs = load_item("F: 0x17");
    m = &item0(rs)->vals[0].alts[0];
    assert_int_equal(m->kind, WW_MATCH_NUM);
    assert_true(m->num == 23.0);
    assert_string_equal(m->numtext, "0x17");
    ww_sigma_ruleset_free(rs);
    rs = load_item("F: 10.0.1");
    assert_int_equal(item0(rs)->vals[0].alts[0].kind, WW_MATCH_STR);
    ww_sigma_ruleset_free(rs);
    rs = load_item("F: yes");
    assert_int_equal(item0(rs)->vals[0].alts[0].kind, WW_MATCH_BOOL);
    ww_sigma_ruleset_free(rs);

    rs = load_item("F: true");
    m = &item0(rs)->vals[0].alts[0];
    assert_int_equal(m->kind, WW_MATCH_BOOL);
    assert_true(m->b);
    ww_sigma_ruleset_free(rs);
    rs = load_item("F: false");
    assert_false(item0(rs)->vals[0].alts[0].b);
    ww_sigma_ruleset_free(rs);
}

static void test_keywords(void **state)
{
    (void)state;
    ww_sigma_ruleset_t *rs =
        load("title: t\nlogsource: {product: windows}\ndetection:\n"
             "  keywords:\n    - 'evil'\n    - 'a*b'\n    - 42\n  condition: keywords\n");
    const ww_sigma_item_t *it = item0(rs);
    assert_null(it->field);
    assert_false(it->all);
    assert_int_equal(it->nvals, 3);
    assert_string_equal(render(&it->vals[0].alts[0]), "<*>evil<*>");
    assert_string_equal(render(&it->vals[1].alts[0]), "<*>a<*>b<*>");
    assert_string_equal(render(&it->vals[2].alts[0]), "<*>42<*>");
    ww_sigma_ruleset_free(rs);

    rs = load("title: t\nlogsource: {product: windows}\ndetection:\n"
              "  keywords:\n    '|all':\n      - 'one'\n      - 'two'\n  condition: keywords\n");
    it = item0(rs);
    assert_null(it->field);
    assert_true(it->all);
    assert_int_equal(it->nvals, 2);
    ww_sigma_ruleset_free(rs);

    /* A list of maps is an OR of ANDs. */
    rs = load("title: t\nlogsource: {product: windows}\ndetection:\n"
              "  sel:\n    - {A: 1, B: 2}\n    - C: 3\n  condition: sel\n");
    const ww_sigma_rule_t *r = ww_sigma_rule(rs, 0);
    assert_int_equal(r->cond->op, WW_NODE_OR);
    assert_int_equal(r->cond->nkids, 2);
    assert_int_equal(r->cond->kids[0]->op, WW_NODE_AND);
    assert_int_equal(r->cond->kids[0]->nkids, 2);
    assert_int_equal(r->cond->kids[1]->op, WW_NODE_ITEM);
    assert_int_equal(r->nitems, 3);
    ww_sigma_ruleset_free(rs);
}

/* ---- conditions ------------------------------------------------------------------- */

static ww_sigma_ruleset_t *load_cond(const char *cond)
{
    char buf[2048];
    snprintf(buf, sizeof(buf),
             "title: t\nlogsource: {product: windows}\ndetection:\n"
             "  a: {A: 1}\n  b: {B: 1}\n  c: {C: 1}\n  sel_x: {X: 1}\n  sel_y: {Y: 1}\n"
             "  _hidden: {H: 1}\n  condition: %s\n",
             cond);
    return load(buf);
}

static const char *field_of(const ww_sigma_node_t *n)
{
    assert_int_equal(n->op, WW_NODE_ITEM);
    return n->item->field;
}

static void test_cond_precedence(void **state)
{
    (void)state;
    ww_sigma_ruleset_t *rs = load_cond("a or b and not c");
    assert_int_equal(ww_sigma_count(rs), 1);
    const ww_sigma_node_t *n = ww_sigma_rule(rs, 0)->cond;
    assert_int_equal(n->op, WW_NODE_OR);
    assert_int_equal(n->nkids, 2);
    assert_string_equal(field_of(n->kids[0]), "A");
    assert_int_equal(n->kids[1]->op, WW_NODE_AND);
    assert_string_equal(field_of(n->kids[1]->kids[0]), "B");
    assert_int_equal(n->kids[1]->kids[1]->op, WW_NODE_NOT);
    assert_string_equal(field_of(n->kids[1]->kids[1]->kids[0]), "C");
    assert_int_equal(ww_sigma_rule(rs, 0)->nitems, 3);
    ww_sigma_ruleset_free(rs);

    rs = load_cond("(a or b) and c");
    n = ww_sigma_rule(rs, 0)->cond;
    assert_int_equal(n->op, WW_NODE_AND);
    assert_int_equal(n->kids[0]->op, WW_NODE_OR);
    assert_string_equal(field_of(n->kids[1]), "C");
    ww_sigma_ruleset_free(rs);

    rs = load_cond("not not a");
    n = ww_sigma_rule(rs, 0)->cond;
    assert_int_equal(n->op, WW_NODE_NOT);
    assert_int_equal(n->kids[0]->op, WW_NODE_NOT);
    assert_string_equal(field_of(n->kids[0]->kids[0]), "A");
    ww_sigma_ruleset_free(rs);

    /* `not` binds tighter than `1 of`'s neighbours, but `not 1 of` negates the OR. */
    rs = load_cond("a and not 1 of sel_*");
    n = ww_sigma_rule(rs, 0)->cond;
    assert_int_equal(n->op, WW_NODE_AND);
    assert_int_equal(n->kids[1]->op, WW_NODE_NOT);
    assert_int_equal(n->kids[1]->kids[0]->op, WW_NODE_OR);
    assert_int_equal(n->kids[1]->kids[0]->nkids, 2);
    ww_sigma_ruleset_free(rs);

    rs = load_cond("((a) and ((b or (c))))");
    n = ww_sigma_rule(rs, 0)->cond;
    assert_int_equal(n->op, WW_NODE_AND);
    assert_int_equal(n->kids[1]->op, WW_NODE_OR);
    ww_sigma_ruleset_free(rs);

    /* Keywords are case-insensitive. */
    rs = load_cond("a AND NOT b OR c");
    n = ww_sigma_rule(rs, 0)->cond;
    assert_int_equal(n->op, WW_NODE_OR);
    assert_int_equal(n->kids[0]->op, WW_NODE_AND);
    assert_int_equal(n->kids[0]->kids[1]->op, WW_NODE_NOT);
    ww_sigma_ruleset_free(rs);
    rs = load_cond("ALL OF sel_* Or a");
    assert_int_equal(ww_sigma_count(rs), 1);
    ww_sigma_ruleset_free(rs);
}

static void test_cond_selectors(void **state)
{
    (void)state;
    ww_sigma_ruleset_t *rs = load_cond("1 of sel_*");
    const ww_sigma_node_t *n = ww_sigma_rule(rs, 0)->cond;
    assert_int_equal(n->op, WW_NODE_OR);
    assert_int_equal(n->nkids, 2);
    assert_string_equal(field_of(n->kids[0]), "X");
    assert_string_equal(field_of(n->kids[1]), "Y");
    ww_sigma_ruleset_free(rs);

    rs = load_cond("all of sel_*");
    n = ww_sigma_rule(rs, 0)->cond;
    assert_int_equal(n->op, WW_NODE_AND);
    assert_int_equal(n->nkids, 2);
    ww_sigma_ruleset_free(rs);

    rs = load_cond("any of sel_x");
    n = ww_sigma_rule(rs, 0)->cond;
    assert_string_equal(field_of(n), "X"); /* a single match is the identifier itself */
    ww_sigma_ruleset_free(rs);

    /* `them` skips identifiers starting with `_`. */
    rs = load_cond("all of them");
    n = ww_sigma_rule(rs, 0)->cond;
    assert_int_equal(n->op, WW_NODE_AND);
    assert_int_equal(n->nkids, 5);
    for (uint32_t i = 0; i < n->nkids; i++)
        assert_string_not_equal(field_of(n->kids[i]), "H");
    ww_sigma_ruleset_free(rs);
    rs = load_cond("1 of them");
    assert_int_equal(ww_sigma_rule(rs, 0)->cond->nkids, 5);
    ww_sigma_ruleset_free(rs);
    /* A pattern starting with `_` reaches them. */
    rs = load_cond("1 of _h*");
    assert_string_equal(field_of(ww_sigma_rule(rs, 0)->cond), "H");
    ww_sigma_ruleset_free(rs);
    rs = load_cond("_hidden");
    assert_string_equal(field_of(ww_sigma_rule(rs, 0)->cond), "H");
    ww_sigma_ruleset_free(rs);

    /* Condition as a list: ORed. */
    rs = load("title: t\nlogsource: {product: windows}\ndetection:\n"
              "  a: {A: 1}\n  b: {B: 1}\n  condition:\n    - a\n    - b\n");
    n = ww_sigma_rule(rs, 0)->cond;
    assert_int_equal(n->op, WW_NODE_OR);
    assert_int_equal(n->nkids, 2);
    ww_sigma_ruleset_free(rs);

    /* Identifiers with dots or an odd `|` are reachable through patterns. */
    rs = load("title: t\nlogsource: {product: windows}\ndetection:\n"
              "  sel: {A: 1}\n  filter_main_mdadm.conf: {B: 1}\n"
              "  filter_x|endswith: {C: 1}\n  condition: sel and not 1 of filter_*\n");
    assert_int_equal(ww_sigma_count(rs), 1);
    assert_int_equal(ww_sigma_rule(rs, 0)->nitems, 3);
    ww_sigma_ruleset_free(rs);
}

static void expect_cond_error(const char *cond, const char *needle, uint32_t col)
{
    ww_sigma_ruleset_t *rs = load_cond(cond);
    assert_int_equal(ww_sigma_count(rs), 0);
    assert_int_equal(ww_sigma_error_count(rs), 1);
    const ww_sigma_error_t *e = ww_sigma_error(rs, 0);
    if (!strstr(e->msg, needle))
        fail_msg("condition `%s`: expected '%s' in '%s'", cond, needle, e->msg);
    assert_int_equal(e->line, 10);
    if (col)
        assert_int_equal(e->col, col);
    assert_string_equal(e->title, "t");
    ww_sigma_ruleset_free(rs);
}

static void test_cond_errors(void **state)
{
    (void)state;
    /* `  condition: ` is 13 characters: the condition text starts at column 14. */
    expect_cond_error("a and", "unexpected end of condition", 19);
    expect_cond_error("a b", "unexpected 'b'", 16);
    expect_cond_error("(a or b", "missing ')'", 14);
    expect_cond_error("a or b)", "unbalanced ')'", 20);
    expect_cond_error("a and nope", "unknown search identifier 'nope'", 20);
    expect_cond_error("1 of zz*", "'zz*' matches no search identifier", 14);
    expect_cond_error("1 sel_x", "expected 'of'", 16);
    expect_cond_error("all of", "expected an identifier pattern or 'them'", 20);
    expect_cond_error("a and or b", "unexpected 'or'", 20);
    expect_cond_error("android and notepad", "unknown search identifier 'android'", 14);
    expect_cond_error("''", "empty condition", 0);
}

static void test_v1_syntax(void **state)
{
    (void)state;
    expect_cond_error("a | count() by b > 5",
                      "deprecated Sigma v1 aggregation `| count() by ...`: write a correlation "
                      "rule (type: event_count / value_count) instead",
                      16);
    expect_cond_error("a and near b",
                      "`near` was removed in Sigma 2: write a temporal correlation rule", 20);
    expect_cond_error("a | near b", "`near` was removed in Sigma 2", 0);
}

/* ---- documents and errors --------------------------------------------------------- */

static void test_broken_between_good(void **state)
{
    (void)state;
    const char *y = "title: one\nid: r1\nlogsource: {product: windows}\n"
                    "detection: {sel: {A: 1}, condition: sel}\n"
                    "---\n"
                    "title: broken\nlogsource: {product: windows}\n"
                    "detection:\n  sel:\n    A|nosuch: 1\n  condition: sel\n"
                    "---\n"
                    "title: three\nlogsource: {product: windows}\n"
                    "detection: {sel: {A: 1}, condition: sel}\nlevel: high\n";
    ww_sigma_ruleset_t *rs = load(y);
    assert_int_equal(ww_sigma_count(rs), 2);
    assert_int_equal(ww_sigma_doc_count(rs), 3);
    assert_int_equal(ww_sigma_file_count(rs), 1);
    assert_string_equal(ww_sigma_rule(rs, 0)->title, "one");
    assert_int_equal(ww_sigma_rule(rs, 0)->level, WW_LEVEL_MEDIUM);
    assert_string_equal(ww_sigma_rule(rs, 1)->title, "three");
    assert_int_equal(ww_sigma_rule(rs, 1)->level, WW_LEVEL_HIGH);
    assert_int_equal(ww_sigma_rule(rs, 1)->index, 1);
    assert_int_equal(ww_sigma_rule(rs, 1)->line, 13);
    assert_int_equal(ww_sigma_error_count(rs), 1);
    const ww_sigma_error_t *e = ww_sigma_error(rs, 0);
    assert_string_equal(e->file, "test.yml");
    assert_string_equal(e->title, "broken");
    assert_int_equal(e->line, 10);
    assert_int_equal(e->col, 5);
    assert_string_equal(e->msg, "unknown modifier 'nosuch'");
    assert_ptr_equal(ww_sigma_find(rs, "r1"), ww_sigma_rule(rs, 0));
    assert_null(ww_sigma_find(rs, "nope"));
    ww_sigma_ruleset_free(rs);
}

static void test_yaml_syntax_error(void **state)
{
    (void)state;
    const char *y = "title: one\nlogsource: {product: windows}\n"
                    "detection: {sel: {A: 1}, condition: sel}\n"
                    "---\n"
                    "title: two\nlogsource: [unclosed\n"
                    "---\n"
                    "title: three\nlogsource: {product: windows}\n"
                    "detection: {sel: {A: 1}, condition: sel}\n";
    ww_sigma_ruleset_t *rs = load(y);
    /* The first document survives; the rest of the file is lost. */
    assert_int_equal(ww_sigma_count(rs), 1);
    assert_int_equal(ww_sigma_error_count(rs), 1);
    const ww_sigma_error_t *e = ww_sigma_error(rs, 0);
    assert_non_null(strstr(e->msg, "YAML syntax error"));
    assert_int_equal(e->line, 7);
    ww_sigma_ruleset_free(rs);

    rs = load("title: x\n  bad: indentation\n: :\n");
    assert_int_equal(ww_sigma_count(rs), 0);
    assert_int_equal(ww_sigma_error_count(rs), 1);
    assert_int_equal(ww_sigma_error(rs, 0)->line, 2);
    ww_sigma_ruleset_free(rs);
}

static void test_missing_parts(void **state)
{
    (void)state;
    static const struct {
        const char *yaml, *needle;
    } cases[] = {
        {"logsource: {product: w}\ndetection: {s: {A: 1}, condition: s}\n", "missing 'title'"},
        {"title: t\ndetection: {s: {A: 1}, condition: s}\n", "missing 'logsource'"},
        {"title: t\nlogsource: {product: w}\n", "missing 'detection'"},
        {"title: t\nlogsource: {product: w}\ndetection: {s: {A: 1}}\n", "missing 'condition'"},
        {"title: t\nlevel: urgent\nlogsource: {product: w}\ndetection: {s: {A: 1}, condition: s}\n",
         "unknown level 'urgent'"},
        {"- just\n- a list\n", "not a YAML mapping"},
        {"title: t\nlogsource: {product: w}\ndetection: {s: {}, condition: s}\n",
         "empty search identifier"},
        {"title: t\nlogsource: {product: w}\ndetection: {s: {A: {x: 1}}, condition: s}\n",
         "not a map"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ww_sigma_ruleset_t *rs = load(cases[i].yaml);
        assert_int_equal(ww_sigma_count(rs), 0);
        assert_int_equal(ww_sigma_error_count(rs), 1);
        if (!strstr(err_msg(rs, 0), cases[i].needle))
            fail_msg("case %zu: expected '%s' in '%s'", i, cases[i].needle, err_msg(rs, 0));
        ww_sigma_ruleset_free(rs);
    }
}

static void test_metadata(void **state)
{
    (void)state;
    ww_sigma_ruleset_t *rs = load(
        "title: Meta\nid: 11111111-2222-3333-4444-555555555555\nname: meta_rule\n"
        "status: test\ndescription: d\nauthor: me, you\ndate: 2024-01-02\n"
        "modified: 2024-02-03\nlevel: critical\ntags:\n  - attack.t1059\n  - attack.execution\n"
        "falsepositives:\n  - none\nreferences:\n  - https://example.org\n"
        "logsource:\n  category: Process_Creation\n  product: Windows\n"
        "detection: {sel: {A: 1}, condition: sel}\n");
    assert_int_equal(ww_sigma_count(rs), 1);
    const ww_sigma_rule_t *r = ww_sigma_rule(rs, 0);
    assert_string_equal(r->title, "Meta");
    assert_string_equal(r->id, "11111111-2222-3333-4444-555555555555");
    assert_string_equal(r->name, "meta_rule");
    assert_string_equal(r->status, "test");
    assert_string_equal(r->author, "me, you");
    assert_string_equal(r->date, "2024-01-02");
    assert_string_equal(r->modified, "2024-02-03");
    assert_int_equal(r->level, WW_LEVEL_CRITICAL);
    assert_int_equal(r->ntags, 2);
    assert_string_equal(r->tags[1], "attack.execution");
    assert_int_equal(r->nfalsepositives, 1);
    assert_int_equal(r->nreferences, 1);
    assert_string_equal(r->logsource.category, "process_creation");
    assert_string_equal(r->logsource.product, "windows");
    assert_null(r->logsource.service);
    assert_true(r->alert);
    assert_null(r->corr);
    assert_string_equal(ww_level_name(WW_LEVEL_HIGH), "high");
    assert_int_equal(ww_level_parse("low"), WW_LEVEL_LOW);
    assert_int_equal(ww_level_parse("nope"), -1);
    ww_sigma_ruleset_free(rs);
}

/* ---- correlations and filters ----------------------------------------------------- */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

/* Base rules for the spec examples: every id and name they reference. */
static const char base_rules[] =
    "title: failed logon\nid: 5638f7c0-ac70-491d-8465-2a65075e0d86\n"
    "logsource: {product: windows, service: security}\n"
    "detection: {sel: {EventID: 4625}, condition: sel}\n---\n"
    "title: a\nname: recon_cmd_a\nlogsource: {category: process_creation, product: windows}\n"
    "detection: {sel: {Image|endswith: '\\whoami.exe'}, condition: sel}\n---\n"
    "title: b\nname: recon_cmd_b\nlogsource: {category: process_creation, product: windows}\n"
    "detection: {sel: {Image|endswith: '\\net.exe'}, condition: sel}\n---\n"
    "title: c\nname: recon_cmd_c\nlogsource: {category: process_creation, product: windows}\n"
    "detection: {sel: {Image|endswith: '\\ipconfig.exe'}, condition: sel}\n---\n"
    "title: d\nid: rule_a_id\nlogsource: {category: firewall}\n"
    "detection: {sel: {Action: allow}, condition: sel}\n---\n"
    "title: e\nname: process_creation\nlogsource: {category: process_creation}\n"
    "detection: {sel: {Image: '*'}, condition: sel}\n---\n"
    "title: f\nname: website_access\nlogsource: {category: proxy}\n"
    "detection: {sel: {method: POST}, condition: sel}\n---\n"
    "title: rar\nid: 6f3e2987-db24-4c78-a860-b4f4095a7095\n"
    "logsource: {category: process_creation, product: windows}\n"
    "detection: {sel: {Image|endswith: '\\rar.exe'}, condition: sel}\n---\n"
    "title: other\nid: 00000000-0000-0000-0000-000000000001\n"
    "logsource: {category: process_creation, product: windows}\n"
    "detection: {sel: {Image|endswith: '\\x.exe'}, condition: sel}\n---\n"
    "title: dns\nid: df0841c0-9846-4e9f-ad8a-7df91571771b\n"
    "logsource: {category: network, service: dns}\n"
    "detection: {sel: {query: x}, condition: sel}\n";

static const ww_sigma_rule_t *load_example(ww_sigma_ruleset_t **out, const char *rel)
{
    const char *shared = getenv("WW_SHARED");
    char path[1024];
    snprintf(path, sizeof(path), "%s/sigma/spec/examples/%s", shared, rel);
    char *y = slurp(path);
    if (!y)
        fail_msg("cannot read %s", path);
    ww_sigma_ruleset_t *rs = ww_sigma_ruleset_new();
    ww_sigma_load_buffer(rs, "base.yml", base_rules, strlen(base_rules));
    ww_sigma_load_buffer(rs, path, y, strlen(y));
    free(y);
    ww_sigma_finish(rs);
    if (ww_sigma_error_count(rs))
        fail_msg("%s: %s", rel, ww_sigma_error(rs, 0)->msg);
    *out = rs;
    for (uint32_t i = 0; i < ww_sigma_count(rs); i++)
        if (ww_sigma_rule(rs, i)->corr)
            return ww_sigma_rule(rs, i);
    return NULL;
}

static void test_correlation_examples(void **state)
{
    (void)state;
    if (!getenv("WW_SHARED")) {
        print_message("skipped: needs the Sigma specification's examples in ../shared\n");
        skip();
        return;
    }
    static const struct {
        const char *file;
        int type;
        uint32_t nrules, ngroup;
        int64_t span_s;
        int op;
        double value;
        const char *field;
    } ex[] = {
        {"correlation/event_count.yml", WW_CORR_EVENT_COUNT, 1, 1, 3600, WW_CMP_GTE, 100, NULL},
        {"correlation/event_count_ecs.yml", WW_CORR_EVENT_COUNT, 1, 1, 3600, WW_CMP_GTE, 100, NULL},
        {"correlation/temporal.yml", WW_CORR_TEMPORAL, 3, 2, 300, -1, 0, NULL},
        {"correlation/temporal_ordered.yml", WW_CORR_TEMPORAL_ORDERED, 3, 2, 300, -1, 0, NULL},
        {"correlation/value_avg.yml", WW_CORR_VALUE_AVG, 1, 2, 86400, WW_CMP_GT, 500, "BytesOut"},
        {"correlation/value_count.yml", WW_CORR_VALUE_COUNT, 1, 2, 86400, WW_CMP_GTE, 100, "User"},
        {"correlation/value_percentile.yml", WW_CORR_VALUE_PERCENTILE, 1, 1, 86400, WW_CMP_LTE, 1,
         "Image"},
        {"correlation/value_sum.yml", WW_CORR_VALUE_SUM, 1, 2, 3600, WW_CMP_GT, 1000000,
         "bytes_sent"},
    };
    for (size_t i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
        ww_sigma_ruleset_t *rs;
        const ww_sigma_rule_t *r = load_example(&rs, ex[i].file);
        assert_non_null(r);
        const ww_sigma_corr_t *k = r->corr;
        assert_null(r->cond);
        assert_int_equal(k->type, ex[i].type);
        assert_int_equal(k->nrules, ex[i].nrules);
        for (uint32_t j = 0; j < k->nrules; j++) {
            assert_non_null(k->rules[j]);
            assert_true(ww_sigma_find(rs, k->rule_refs[j]) == k->rules[j]);
            /* generate defaults to false: the base rule no longer alerts alone. */
            assert_false(k->rules[j]->alert);
        }
        assert_int_equal(k->ngroup, ex[i].ngroup);
        assert_true(k->timespan_ns == ex[i].span_s * 1000000000LL);
        if (ex[i].op < 0) {
            assert_int_equal(k->ncond, 0);
        } else {
            assert_int_equal(k->ncond, 1);
            assert_int_equal(k->cond[0].op, ex[i].op);
            assert_true(k->cond[0].value == ex[i].value);
        }
        if (ex[i].field)
            assert_string_equal(k->field, ex[i].field);
        else
            assert_null(k->field);
        assert_true(k->percentile == -1);
        assert_false(k->generate);
        assert_true(r->alert);
        ww_sigma_ruleset_free(rs);
    }
}

static void test_correlation_details(void **state)
{
    (void)state;
    const char *y =
        "title: base1\nname: login\nlogsource: {product: windows}\n"
        "detection: {sel: {EventID: 4624}, condition: sel}\n---\n"
        "title: base2\nname: fail\nlogsource: {product: windows}\n"
        "detection: {sel: {EventID: 4625}, condition: sel}\n---\n"
        "title: standalone\nlogsource: {product: windows}\n"
        "detection: {sel: {EventID: 1}, condition: sel}\n---\n"
        "title: range\nname: range_corr\ncorrelation:\n  type: event_count\n  rules: fail\n"
        "  group-by: [User]\n  timespan: 2w\n  generate: true\n"
        "  condition: {gt: 10, lte: 20}\n---\n"
        "title: joined\ncorrelation:\n  type: temporal\n  rules: [login, range_corr]\n"
        "  group-by: [ip]\n  timespan: 10m\n"
        "  aliases:\n    ip:\n      login: IpAddress\n      range_corr: SourceIp\n---\n"
        "title: pct\ncorrelation:\n  type: value_percentile\n  rules: [login]\n"
        "  timespan: 1M\n  condition: {field: x, percentile: 95, gte: 3}\n---\n"
        "title: dangling\ncorrelation:\n  type: event_count\n  rules: [nosuch]\n"
        "  timespan: 1h\n  condition: {gte: 1}\n---\n"
        "title: badspan\ncorrelation:\n  type: event_count\n  rules: [login]\n"
        "  timespan: 5 minutes\n  condition: {gte: 1}\n---\n"
        "title: badtype\ncorrelation:\n  type: value_median\n  rules: [login]\n"
        "  timespan: 5m\n  condition: {gte: 1}\n";
    ww_sigma_ruleset_t *rs = load(y);
    assert_int_equal(ww_sigma_count(rs), 6);
    assert_int_equal(ww_sigma_error_count(rs), 3);
    int found = 0;
    for (uint32_t i = 0; i < 3; i++) {
        const char *m = err_msg(rs, i);
        found += strstr(m, "unknown rule 'nosuch'") != NULL;
        found += strstr(m, "bad timespan '5 minutes'") != NULL;
        found += strstr(m, "unknown type 'value_median'") != NULL;
    }
    assert_int_equal(found, 3);

    const ww_sigma_rule_t *range = ww_sigma_find(rs, "range_corr");
    assert_non_null(range);
    const ww_sigma_corr_t *k = range->corr;
    assert_true(k->generate);
    assert_true(k->timespan_ns == 14LL * 86400 * 1000000000LL);
    assert_int_equal(k->ncond, 2);
    assert_int_equal(k->cond[0].op, WW_CMP_GT);
    assert_int_equal(k->cond[1].op, WW_CMP_LTE);
    assert_true(k->cond[1].value == 20);
    /* fail is used only by a generating correlation: still alerts.  login is used by
     * the non-generating temporal and percentile correlations: silenced.  range_corr
     * is used by `joined` (generate false): silenced too. */
    assert_true(ww_sigma_find(rs, "fail")->alert);
    assert_false(ww_sigma_find(rs, "login")->alert);
    assert_false(range->alert);
    for (uint32_t i = 0; i < ww_sigma_count(rs); i++) {
        const ww_sigma_rule_t *r = ww_sigma_rule(rs, i);
        assert_int_equal(r->index, i);
        if (strcmp(r->title, "standalone") == 0)
            assert_true(r->alert);
        if (strcmp(r->title, "joined") == 0) {
            assert_int_equal(r->corr->naliases, 1);
            const ww_sigma_alias_t *al = &r->corr->aliases[0];
            assert_string_equal(al->name, "ip");
            assert_int_equal(al->nmaps, 2);
            assert_ptr_equal(al->maps[0].rule, ww_sigma_find(rs, "login"));
            assert_string_equal(al->maps[1].field, "SourceIp");
            assert_ptr_equal(al->maps[1].rule, range);
            assert_ptr_equal(r->corr->rules[1], range);
        }
        if (strcmp(r->title, "pct") == 0) {
            assert_true(r->corr->percentile == 95);
            assert_true(r->corr->timespan_ns == 2629746LL * 1000000000LL);
        }
    }
    ww_sigma_ruleset_free(rs);
}

static void test_correlation_cycles(void **state)
{
    (void)state;
    const char *y = "title: base\nname: base\nlogsource: {product: windows}\n"
                    "detection: {sel: {EventID: 1}, condition: sel}\n---\n"
                    "title: A\nname: ca\ncorrelation: {type: event_count, rules: [cb], "
                    "timespan: 1m, condition: {gte: 1}}\n---\n"
                    "title: B\nname: cb\ncorrelation: {type: event_count, rules: [ca, base], "
                    "timespan: 1m, condition: {gte: 1}}\n---\n"
                    "title: self\nname: cs\ncorrelation: {type: event_count, rules: [cs], "
                    "timespan: 1m, condition: {gte: 1}}\n---\n"
                    "title: alias\ncorrelation: {type: temporal, rules: [base], timespan: 1m, "
                    "aliases: {ip: {elsewhere: Ip}}}\n";
    ww_sigma_ruleset_t *rs = load(y);
    /* Only `base` survives: A and B form a cycle (one is removed for it, the other then
     * points at nothing), self refers to itself, alias names a rule outside `rules`. */
    assert_int_equal(ww_sigma_count(rs), 1);
    assert_string_equal(ww_sigma_rule(rs, 0)->title, "base");
    assert_true(ww_sigma_rule(rs, 0)->alert);
    assert_int_equal(ww_sigma_error_count(rs), 4);
    int cycle = 0, self = 0, alias = 0, unknown = 0;
    for (uint32_t i = 0; i < 4; i++) {
        const char *m = err_msg(rs, i);
        cycle += strstr(m, "form a cycle") != NULL;
        self += strstr(m, "refers to itself ('cs')") != NULL;
        alias += strstr(m, "alias 'ip' names rule 'elsewhere'") != NULL;
        unknown += strstr(m, "unknown rule") != NULL;
    }
    assert_int_equal(cycle, 1);
    assert_int_equal(self, 1);
    assert_int_equal(alias, 1);
    assert_int_equal(unknown, 1);
    ww_sigma_ruleset_free(rs);
}

static void test_filter_examples(void **state)
{
    (void)state;
    if (!getenv("WW_SHARED")) {
        print_message("skipped: needs the Sigma specification's examples in ../shared\n");
        skip();
        return;
    }
    ww_sigma_ruleset_t *rs;
    load_example(&rs, "filter/filter_1.yml");
    const ww_sigma_rule_t *rar = ww_sigma_find(rs, "6f3e2987-db24-4c78-a860-b4f4095a7095");
    assert_non_null(rar);
    /* AND(rule, filter): the filter's selection (User startswith adm_) is ANDed. */
    assert_int_equal(rar->cond->op, WW_NODE_AND);
    assert_int_equal(rar->cond->nkids, 2);
    assert_string_equal(field_of(rar->cond->kids[0]), "Image");
    assert_string_equal(field_of(rar->cond->kids[1]), "User");
    assert_string_equal(render(&rar->cond->kids[1]->item->vals[0].alts[0]), "adm_<*>");
    assert_int_equal(rar->nitems, 2);
    /* Listed but in another logsource: untouched.  Not listed: untouched. */
    const ww_sigma_rule_t *dns = ww_sigma_find(rs, "df0841c0-9846-4e9f-ad8a-7df91571771b");
    assert_int_equal(dns->cond->op, WW_NODE_ITEM);
    const ww_sigma_rule_t *other = ww_sigma_find(rs, "00000000-0000-0000-0000-000000000001");
    assert_int_equal(other->cond->op, WW_NODE_ITEM);
    ww_sigma_ruleset_free(rs);

    load_example(&rs, "filter/filter_ecs.yml");
    dns = ww_sigma_find(rs, "df0841c0-9846-4e9f-ad8a-7df91571771b");
    assert_int_equal(dns->cond->op, WW_NODE_AND);
    assert_string_equal(field_of(dns->cond->kids[1]), "dns.question.name");
    rar = ww_sigma_find(rs, "6f3e2987-db24-4c78-a860-b4f4095a7095");
    assert_int_equal(rar->cond->op, WW_NODE_ITEM);
    ww_sigma_ruleset_free(rs);
}

static void test_filter_any_and_not(void **state)
{
    (void)state;
    const char *y = "title: r1\nid: r1\nlogsource: {category: process_creation, product: windows}\n"
                    "detection: {sel: {A: 1}, condition: sel}\n---\n"
                    "title: r2\nid: r2\nlogsource: {category: process_creation}\n"
                    "detection: {sel: {A: 2}, condition: sel}\n---\n"
                    "title: f\nlogsource: {product: windows}\nfilter:\n  rules: any\n"
                    "  selection: {User: admin}\n  condition: not selection\n";
    ww_sigma_ruleset_t *rs = load(y);
    assert_int_equal(ww_sigma_count(rs), 2);
    assert_int_equal(ww_sigma_error_count(rs), 0);
    assert_int_equal(ww_sigma_doc_count(rs), 3);
    const ww_sigma_rule_t *r1 = ww_sigma_find(rs, "r1");
    assert_int_equal(r1->cond->op, WW_NODE_AND);
    assert_int_equal(r1->cond->kids[1]->op, WW_NODE_NOT);
    assert_string_equal(field_of(r1->cond->kids[1]->kids[0]), "User");
    /* r2 has no product: the filter's logsource does not contain it. */
    assert_int_equal(ww_sigma_find(rs, "r2")->cond->op, WW_NODE_ITEM);
    ww_sigma_ruleset_free(rs);

    rs = load("title: f\nlogsource: {product: windows}\nfilter:\n  rules: [x]\n"
              "  selection: {User: admin}\n  condition: not nothing\n");
    assert_int_equal(ww_sigma_error_count(rs), 1);
    assert_non_null(strstr(err_msg(rs, 0), "unknown search identifier 'nothing'"));
    ww_sigma_ruleset_free(rs);
}

/* ---- fields: and suppressions ----------------------------------------------------- */

static void test_fields(void **state)
{
    (void)state;
    ww_sigma_ruleset_t *rs =
        load("title: f\nlogsource: {product: windows}\ndetection:\n  sel: {A: 1}\n"
             "  condition: sel\nfields:\n  - SourceImage\n  - GrantedAccess\n");
    assert_int_equal(ww_sigma_count(rs), 1);
    const ww_sigma_rule_t *r = ww_sigma_rule(rs, 0);
    assert_int_equal(r->nfields, 2);
    assert_string_equal(r->fields[0], "SourceImage");
    assert_string_equal(r->fields[1], "GrantedAccess");
    ww_sigma_ruleset_free(rs);

    /* Past the cap the list is cut, not refused; a map is an error with its place. */
    char big[8192];
    int n = snprintf(big, sizeof big,
                     "title: f\nlogsource: {product: windows}\ndetection:\n  sel: {A: 1}\n"
                     "  condition: sel\nfields:\n");
    for (int i = 0; i < WW_SIGMA_MAX_FIELDS + 5; i++)
        n += snprintf(big + n, sizeof big - (size_t)n, "  - F%d\n", i);
    rs = load(big);
    assert_int_equal(ww_sigma_count(rs), 1);
    assert_int_equal(ww_sigma_rule(rs, 0)->nfields, WW_SIGMA_MAX_FIELDS);
    assert_string_equal(ww_sigma_rule(rs, 0)->fields[WW_SIGMA_MAX_FIELDS - 1], "F31");
    ww_sigma_ruleset_free(rs);
    rs = load("title: f\nlogsource: {product: windows}\ndetection:\n  sel: {A: 1}\n"
              "  condition: sel\nfields: {a: b}\n");
    assert_int_equal(ww_sigma_count(rs), 0);
    assert_int_equal(ww_sigma_error(rs, 0)->line, 6);
    assert_non_null(strstr(ww_sigma_error(rs, 0)->msg, "'fields' must be a list"));
    ww_sigma_ruleset_free(rs);
}

static const char supp_rules[] =
    "title: Reads LSASS\nid: r-lsass\nlogsource: {product: windows, category: process_access}\n"
    "detection:\n  sel: {TargetImage|endswith: '\\lsass.exe'}\n  condition: sel\n"
    "---\n"
    "title: Other\nid: r-other\nlogsource: {product: linux}\n"
    "detection:\n  sel: {A: 1}\n  condition: sel\n"
    "---\n"
    "title: Many\nid: r-corr\ncorrelation:\n  type: event_count\n  rules: [r-lsass]\n"
    "  group-by: [Computer]\n  timespan: 5m\n  condition: {gte: 3}\n";

static ww_sigma_ruleset_t *load_supp(const char *supp, const char *today)
{
    char path[] = "/tmp/ww_supp_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, supp, strlen(supp)), (ssize_t)strlen(supp));
    close(fd);
    ww_sigma_ruleset_t *rs = ww_sigma_ruleset_new();
    ww_sigma_load_buffer(rs, "rules.yml", supp_rules, strlen(supp_rules));
    assert_int_equal(ww_sigma_count(rs), 3);
    ww_sigma_load_suppressions(rs, path);
    unlink(path);
    if (today)
        ww_sigma_set_today(rs, today);
    ww_sigma_finish(rs);
    return rs;
}

static void test_suppressions(void **state)
{
    (void)state;
    /* Named by title, with a reason and an expiry: applied to the rule, and a shadow
       AND(rule, NOT filter) added that never alerts.  The second names a rule whose
       logsource (linux) is outside its own (windows). */
    ww_sigma_ruleset_t *rs =
        load_supp("title: Backup agent\ndescription: the nightly backup\nexpires: 2027-01-31\n"
                  "logsource: {product: windows}\n"
                  "filter:\n  rules: [Reads LSASS, nosuch-rule, r-corr]\n"
                  "  selection: {SourceImage|endswith: '\\agent.exe'}\n"
                  "  condition: not selection\n"
                  "---\n"
                  "title: Wrong place\nlogsource: {product: windows}\n"
                  "filter:\n  rules: r-other\n  sel: {A: 2}\n  condition: not sel\n",
                  "2027-01-31");
    assert_int_equal(ww_sigma_error_count(rs), 0);
    assert_int_equal(ww_sigma_suppression_count(rs), 2);
    const ww_sigma_suppression_t *s = ww_sigma_suppression(rs, 0);
    assert_string_equal(s->title, "Backup agent");
    assert_string_equal(s->description, "the nightly backup");
    assert_string_equal(s->expires, "2027-01-31");
    assert_int_equal(s->line, 1);
    assert_false(s->expired); /* its last day */
    assert_int_equal(s->napplied, 1);
    assert_int_equal(s->nmiss, 2);
    assert_string_equal(s->miss[0].ref, "nosuch-rule");
    assert_int_equal(s->miss[0].why, WW_SUPP_UNKNOWN);
    assert_string_equal(s->miss[1].ref, "r-corr");
    assert_int_equal(s->miss[1].why, WW_SUPP_CORRELATION);
    s = ww_sigma_suppression(rs, 1);
    assert_int_equal(s->line, 10);
    assert_int_equal(s->napplied, 0);
    assert_int_equal(s->nmiss, 1);
    assert_int_equal(s->miss[0].why, WW_SUPP_LOGSOURCE);
    /* Three rules and one shadow. */
    assert_int_equal(ww_sigma_count(rs), 4);
    const ww_sigma_rule_t *r = ww_sigma_find(rs, "r-lsass"), *sh = ww_sigma_rule(rs, 3);
    assert_non_null(r);
    assert_ptr_equal(sh->shadow_of, r);
    assert_int_equal(sh->suppression, 0);
    assert_false(sh->alert);
    assert_null(sh->id);
    assert_string_equal(sh->title, "Reads LSASS");
    assert_string_equal(sh->logsource.category, "process_access");
    assert_int_equal(r->cond->op, WW_NODE_AND); /* rule AND (not selection) */
    assert_int_equal(r->cond->kids[1]->op, WW_NODE_NOT);
    assert_int_equal(sh->cond->op, WW_NODE_AND); /* rule AND NOT (not selection) */
    assert_int_equal(sh->cond->kids[0]->op, WW_NODE_ITEM);
    assert_int_equal(sh->cond->kids[1]->op, WW_NODE_NOT);
    assert_int_equal(sh->cond->kids[1]->kids[0]->op, WW_NODE_NOT);
    assert_int_equal(sh->nitems, 2);
    assert_true(ww_sigma_find(rs, "r-corr")->corr->rules[0] == r); /* not the shadow */
    ww_sigma_ruleset_free(rs);

    /* The day after: expired, not applied, no shadow. */
    rs = load_supp("title: Backup agent\nexpires: 2027-01-31\nfilter:\n  rules: [r-lsass]\n"
                   "  selection: {SourceImage: x}\n  condition: not selection\n",
                   "2027-02-01");
    assert_int_equal(ww_sigma_suppression_count(rs), 1);
    assert_true(ww_sigma_suppression(rs, 0)->expired);
    assert_int_equal(ww_sigma_suppression(rs, 0)->napplied, 0);
    assert_int_equal(ww_sigma_count(rs), 3);
    assert_int_equal(ww_sigma_find(rs, "r-lsass")->cond->op, WW_NODE_ITEM);
    ww_sigma_ruleset_free(rs);

    /* Errors with their place: a date that does not exist, a rule where filters
       belong, a condition naming nothing; the good one between them still loads. */
    rs = load_supp("title: Bad date\nfilter:\n  rules: [r-lsass]\n  sel: {A: 1}\n"
                   "  condition: not sel\nexpires: 2027-02-30\n"
                   "---\n"
                   "title: A rule\nlogsource: {product: windows}\ndetection:\n  sel: {A: 1}\n"
                   "  condition: sel\n"
                   "---\n"
                   "title: Good\nfilter:\n  rules: [r-lsass]\n  sel: {A: 1}\n"
                   "  condition: not sel\n"
                   "---\n"
                   "title: Bad cond\nfilter:\n  rules: [r-lsass]\n  sel: {A: 1}\n"
                   "  condition: not nothing\n",
                   NULL);
    assert_int_equal(ww_sigma_suppression_count(rs), 1);
    assert_string_equal(ww_sigma_suppression(rs, 0)->title, "Good");
    assert_int_equal(ww_sigma_error_count(rs), 3);
    assert_int_equal(ww_sigma_error(rs, 0)->line, 6);
    assert_int_equal(ww_sigma_error(rs, 0)->col, 10);
    assert_non_null(strstr(ww_sigma_error(rs, 0)->msg, "YYYY-MM-DD"));
    assert_int_equal(ww_sigma_error(rs, 1)->line, 8); /* the document's first line */
    assert_non_null(strstr(ww_sigma_error(rs, 1)->msg, "holds Sigma filters"));
    assert_int_equal(ww_sigma_error(rs, 2)->line, 24); /* its condition */
    assert_non_null(strstr(ww_sigma_error(rs, 2)->msg, "nothing"));
    ww_sigma_ruleset_free(rs);

    rs = ww_sigma_ruleset_new();
    assert_int_equal(ww_sigma_load_suppressions(rs, "/nonexistent/suppress.yml"), WW_ENOENT);
    ww_sigma_ruleset_free(rs);
}

static void test_load_path_errors(void **state)
{
    (void)state;
    ww_sigma_ruleset_t *rs = ww_sigma_ruleset_new();
    assert_int_equal(ww_sigma_load_path(rs, "/nonexistent/dir"), WW_ENOENT);
    assert_int_equal(ww_sigma_load_buffer(rs, "empty.yml", "", 0), 0);
    assert_int_equal(ww_sigma_load_buffer(rs, "empty.yml", "---\n---\n", 8), 0);
    assert_int_equal(ww_sigma_error_count(rs), 0);
    ww_sigma_ruleset_free(rs);
    ww_sigma_ruleset_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_table),
        cmocka_unit_test(test_contains_starts_ends),
        cmocka_unit_test(test_all_and_values),
        cmocka_unit_test(test_re),
        cmocka_unit_test(test_windash),
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_wide_utf16),
        cmocka_unit_test(test_cidr),
        cmocka_unit_test(test_exists_cased_neq_fieldref),
        cmocka_unit_test(test_numeric_and_time),
        cmocka_unit_test(test_expand),
        cmocka_unit_test(test_expand_cidr),
        cmocka_unit_test(test_placeholders_file),
        cmocka_unit_test(test_unknown_modifier),
        cmocka_unit_test(test_special_values),
        cmocka_unit_test(test_keywords),
        cmocka_unit_test(test_cond_precedence),
        cmocka_unit_test(test_cond_selectors),
        cmocka_unit_test(test_cond_errors),
        cmocka_unit_test(test_v1_syntax),
        cmocka_unit_test(test_broken_between_good),
        cmocka_unit_test(test_yaml_syntax_error),
        cmocka_unit_test(test_missing_parts),
        cmocka_unit_test(test_metadata),
        cmocka_unit_test(test_correlation_examples),
        cmocka_unit_test(test_correlation_details),
        cmocka_unit_test(test_correlation_cycles),
        cmocka_unit_test(test_filter_examples),
        cmocka_unit_test(test_filter_any_and_not),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_suppressions),
        cmocka_unit_test(test_load_path_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
