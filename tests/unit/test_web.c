/* Unit tests for lib/web without sockets: the request parser (paths, queries, cookies,
 * forms, multipart at every split, JSON, limits and their statuses), the HTML writer
 * (text, attribute and URL escaping), the response helpers (cookies, redirects,
 * header injection), the router's guards driven with a stub ww_web_auth_ops_t, and the
 * self-signed certificate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "web/ww_web_int.h"

static ww_web_limits_t lim;

static void setup_limits(void)
{
    memset(&lim, 0, sizeof lim);
    ww_web_limits_default(&lim);
}

/* Parses msg; returns the rc, leaves r filled (the caller releases). */
static int parse(ww_web_req_t *r, const char *msg, size_t n, size_t split)
{
    ww_web_req_init(r, &lim, NULL);
    return ww_web_req_parse_raw(r, msg, n, split);
}

static int status_of(const char *msg)
{
    ww_web_req_t r;
    parse(&r, msg, strlen(msg), 0);
    int s = r.status;
    ww_web_req_release(&r);
    return s;
}

static void test_paths(void **state)
{
    (void)state;
    setup_limits();
    static const struct {
        const char *target, *path; /* path NULL: refused with 400 */
    } cases[] = {
        {"/", "/"},
        {"/alerts", "/alerts"},
        {"//alerts///groups/", "/alerts/groups"},
        {"/a%20b/%E2%9C%93", "/a b/\xE2\x9C\x93"},
        {"/a/../b", NULL},
        {"/a/./b", NULL},
        {"/..", NULL},
        {"/a/%2e%2E/b", NULL},
        {"/a/%2e/b", NULL},
        {"/a%2fb", NULL},
        {"/a%5cb", NULL},
        {"/a%00", NULL},
        {"/a/%c0%ae%c0%ae/", NULL}, /* overlong '.' */
        {"/a/%e0%80%af", NULL},     /* overlong '/' */
        {"/a/%ed%a0%80", NULL},     /* a surrogate */
        {"/a/%f4%90%80%80", NULL},  /* past U+10FFFF */
        {"/a/%ff", NULL},           /* not UTF-8 */
        {"/a/%0a", NULL},           /* control byte */
        {"/a%", NULL},              /* cut escape */
        {"/a%4", NULL},
        {"/a%g1", NULL},
        {"/a...b/...", "/a...b/..."}, /* dots that are not a dot segment */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char msg[512];
        snprintf(msg, sizeof msg, "GET %s HTTP/1.1\r\nHost: h\r\n\r\n", cases[i].target);
        ww_web_req_t r;
        int rc = parse(&r, msg, strlen(msg), 0);
        if (cases[i].path) {
            if (rc != 0)
                fail_msg("%s: refused (%s)", cases[i].target, r.diag.msg);
            assert_string_equal(r.path, cases[i].path);
        } else {
            if (rc == 0)
                fail_msg("%s: accepted as %s", cases[i].target, r.path);
            assert_int_equal(r.status, 400);
        }
        ww_web_req_release(&r);
    }
    /* Absolute-form and raw bytes that must be encoded. */
    assert_int_equal(status_of("GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
    assert_int_equal(status_of("GET /a\\b HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
    assert_int_equal(status_of("GET /a\x80 HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
    assert_int_equal(status_of("BREW / HTTP/1.1\r\nHost: h\r\n\r\n"), 501);
    assert_int_equal(status_of("GET / HTTP/1.1\r\n\r\n"), 400); /* no Host */
}

static void test_query_cookies_headers(void **state)
{
    (void)state;
    setup_limits();
    const char *msg = "GET /x?a=1&b=two+words&c=%3Cb%3E&d&&e=&a=2 HTTP/1.1\r\n"
                      "Host: console\r\n"
                      "Cookie: __Host-ww_session=abc; q=\"quoted\"; bad name=1; novalue; "
                      "__Host-ww_session=second\r\n"
                      "Cookie: late=1\r\n"
                      "Origin: https://console\r\nSec-Fetch-Site: same-origin\r\n"
                      "X-CSRF-Token:   tok  \r\nAccept: text/html\r\n\r\n";
    ww_web_req_t r;
    assert_int_equal(parse(&r, msg, strlen(msg), 0), 0);
    assert_string_equal(ww_web_query(&r, "a"), "1"); /* the first wins */
    assert_string_equal(ww_web_query(&r, "b"), "two words");
    assert_string_equal(ww_web_query(&r, "c"), "<b>");
    assert_string_equal(ww_web_query(&r, "d"), "");
    assert_string_equal(ww_web_query(&r, "e"), "");
    assert_int_equal(r.nquery, 6);
    assert_string_equal(r.query_raw, "a=1&b=two+words&c=%3Cb%3E&d&&e=&a=2");
    assert_string_equal(ww_web_cookie(&r, WW_WEB_SESSION_COOKIE), "abc");
    assert_string_equal(ww_web_cookie(&r, "q"), "quoted");
    assert_null(ww_web_cookie(&r, "bad name"));
    assert_null(ww_web_cookie(&r, "novalue"));
    assert_string_equal(ww_web_cookie(&r, "late"), "1");
    assert_string_equal(r.csrf_header, "tok");
    assert_string_equal(r.sec_fetch_site, "same-origin");
    assert_string_equal(r.origin, "https://console");
    ww_web_req_release(&r);

    assert_int_equal(status_of("GET /?a=%00 HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
    assert_int_equal(status_of("GET /?a=%zz HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: h\r\nHost: i\r\n\r\n"), 400);
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: h\r\nOrigin: a\r\nOrigin: b\r\n\r\n"), 400);
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: h\r\nX: 1\r\n folded\r\n\r\n"), 400);
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: h\r\nBad Name: 1\r\n\r\n"), 400);
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: h\r\nX: a\x01\r\n\r\n"), 400);
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nab"), 400);
    assert_int_equal(status_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n"
                               "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "2\r\n{}\r\n0\r\n\r\n"),
                     400);

    /* Limits, each with its status. */
    lim.max_target = 10;
    assert_int_equal(status_of("GET /0123456789 HTTP/1.1\r\nHost: h\r\n\r\n"), 414);
    setup_limits();
    lim.max_headers = 2;
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n"), 431);
    setup_limits();
    lim.max_header_bytes = 40;
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: h\r\nA: 0123456789012345678901234567890"
                               "\r\n\r\n"),
                     431);
    setup_limits();
    lim.max_cookies = 2;
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: h\r\nCookie: a=1; b=2; c=3\r\n\r\n"), 431);
    setup_limits();
    lim.max_params = 2;
    assert_int_equal(status_of("GET /?a=1&b=2&c=3 HTTP/1.1\r\nHost: h\r\n\r\n"), 413);
    setup_limits();
}

static void test_forms_and_json(void **state)
{
    (void)state;
    setup_limits();
    const char *form = "POST /x HTTP/1.1\r\nHost: h\r\n"
                       "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
                       "Content-Length: 33\r\n\r\n"
                       "csrf_token=t&note=a%26b+c&flag&z=";
    ww_web_req_t r;
    assert_int_equal(parse(&r, form, strlen(form), 5), 0);
    assert_int_equal(r.body_kind, WW_WEB_BODY_FORM);
    assert_string_equal(ww_web_form(&r, "csrf_token"), "t");
    assert_string_equal(ww_web_form(&r, "note"), "a&b c");
    assert_string_equal(ww_web_form(&r, "flag"), "");
    ww_web_req_release(&r);

    const char *chunked = "POST /x HTTP/1.1\r\nHost: h\r\n"
                          "Content-Type: application/x-www-form-urlencoded\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n"
                          "4\r\na=1&\r\n3;x=y\r\nb=2\r\n0\r\n\r\n";
    assert_int_equal(parse(&r, chunked, strlen(chunked), 0), 0);
    assert_string_equal(ww_web_form(&r, "b"), "2");
    ww_web_req_release(&r);

    const char *jb = "{\"name\":\"w\\u00e9 \\\"q\\\"\",\"n\":-42,\"f\":1.5,\"o\":{\"k\":[1,2]}}  ";
    char json[512];
    snprintf(json, sizeof json,
             "POST /api/v1/x HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n"
             "Content-Length: %zu\r\n\r\n%s",
             strlen(jb), jb);
    if (parse(&r, json, strlen(json), 0) != 0)
        fail_msg("%s", r.diag.msg);
    assert_int_equal(ww_web_json_type(&r, 0), 'o');
    size_t n = 0;
    const char *name = ww_web_json_str(&r, ww_web_json_member(&r, 0, "name"), &n);
    assert_non_null(name);
    assert_string_equal(name, "w\xC3\xA9 \"q\"");
    int64_t v = 0;
    assert_int_equal(ww_web_json_int(&r, ww_web_json_member(&r, 0, "n"), &v), 0);
    assert_int_equal(v, -42);
    assert_int_equal(ww_web_json_int(&r, ww_web_json_member(&r, 0, "f"), &v), WW_EINVAL);
    assert_int_equal(ww_web_json_type(&r, ww_web_json_member(&r, 0, "o")), 'o');
    assert_int_equal(ww_web_json_member(&r, 0, "missing"), 0);
    assert_null(ww_web_json_str(&r, ww_web_json_member(&r, 0, "n"), &n));
    ww_web_req_release(&r);

    assert_int_equal(status_of("POST /x HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n"
                               "Content-Length: 9\r\n\r\n{\"a\":1} x"),
                     400);
    assert_int_equal(status_of("POST /x HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n"
                               "Content-Length: 2\r\n\r\n  "),
                     400);
    assert_int_equal(status_of("POST /x HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\n"
                               "Content-Length: 2\r\n\r\nab"),
                     415);
    assert_int_equal(status_of("POST /x HTTP/1.1\r\nHost: h\r\n"
                               "Content-Length: 2\r\n\r\nab"),
                     415);
    assert_int_equal(status_of("POST /x HTTP/1.1\r\nHost: h\r\nContent-Type: application/json; "
                               "charset=latin1\r\nContent-Length: 2\r\n\r\n{}"),
                     415);
    assert_int_equal(status_of("POST /x HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n"
                               "Transfer-Encoding: gzip\r\n\r\n"),
                     501);
    lim.max_body = 10;
    assert_int_equal(status_of("POST /x HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n"
                               "Content-Length: 11\r\n\r\n[1,2,3,4,5]"),
                     413);
    assert_int_equal(status_of("POST /x HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n"
                               "Transfer-Encoding: chunked\r\n\r\n6\r\n[1,2,3\r\n6\r\n,4,5,6\r\n"
                               "1\r\n]\r\n0\r\n\r\n"),
                     413);
    setup_limits();
}

static const char MP_BODY[] =
    "ignored preamble\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
    "tok\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"note\"\r\n\r\n"
    "two\r\nlines --XyZ not at a line start\r\n"
    "--XyZ   \r\n"
    "content-disposition: form-data; name=\"file\"; filename=\"C:\\\\tmp\\\\a\\\"b.eml\"\r\n"
    "Content-Type: message/rfc822\r\n\r\n"
    "From: x\r\n\r\n\r\n-XyZ still data\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"none\"; filename=\"\"\r\n\r\n"
    "\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"zero\"; filename=\"empty.bin\"\r\n\r\n"
    "\r\n"
    "--XyZ--\r\n"
    "epilogue --XyZ\r\n";

static void test_multipart_every_split(void **state)
{
    (void)state;
    setup_limits();
    char msg[2048];
    int n = snprintf(msg, sizeof msg,
                     "POST /upload HTTP/1.1\r\nHost: h\r\n"
                     "Content-Type: multipart/form-data; boundary=\"XyZ\"\r\n"
                     "Content-Length: %zu\r\n\r\n%s",
                     sizeof MP_BODY - 1, MP_BODY);
    const char *data = "From: x\r\n\r\n\r\n-XyZ still data";
    uint8_t want[32];
    gnutls_hash_fast(GNUTLS_DIG_SHA256, data, strlen(data), want);
    /* Every piece size, so a delimiter cut anywhere is still found. */
    for (size_t split = 0; split <= sizeof MP_BODY; split++) {
        ww_web_req_t r;
        int rc = parse(&r, msg, (size_t)n, split);
        if (rc != 0)
            fail_msg("split %zu: %s", split, r.diag.msg);
        assert_int_equal(r.nform, 2);
        assert_string_equal(ww_web_form(&r, "csrf_token"), "tok");
        assert_string_equal(ww_web_form(&r, "note"), "two\r\nlines --XyZ not at a line start");
        assert_int_equal(r.nfiles, 2); /* the empty file input is skipped */
        ww_web_file_t *f = &r.files[0];
        assert_string_equal(f->field, "file");
        assert_string_equal(f->filename, "a\"b.eml");
        assert_string_equal(f->content_type, "message/rfc822");
        assert_int_equal(f->size, strlen(data));
        assert_memory_equal(f->sha256, want, 32);
        char back[64] = {0};
        assert_int_equal(read(f->fd, back, sizeof back), (ssize_t)strlen(data));
        assert_string_equal(back, data);
        assert_int_equal(r.files[1].size, 0);
        char path[512];
        snprintf(path, sizeof path, "%s", f->path);
        assert_int_equal(access(path, F_OK), 0);
        ww_web_req_release(&r);
        assert_int_not_equal(access(path, F_OK), 0); /* deleted at release */
    }
}

static void test_multipart_errors(void **state)
{
    (void)state;
    setup_limits();
#define CASE(s, status)         \
    {                           \
        s, sizeof s - 1, status \
    }
    static const struct {
        const char *body;
        size_t len;
        int status;
    } cases[] = {
        CASE("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--b",
             400),                                                      /* no close */
        CASE("--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--", 400), /* no disposition */
        CASE("--b\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n--b--", 400),
        CASE("--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--", 400), /* no name */
        CASE("--b\r\n\r\nx\r\n--b--", 400),                                   /* no headers */
        CASE("--bjunk\r\n", 400),
        CASE("no boundary at all", 400),
        CASE("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\0y\r\n--b--", 400),
    };
#undef CASE
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t bl = cases[i].len;
        char msg[1024];
        int hn = snprintf(msg, sizeof msg,
                          "POST /u HTTP/1.1\r\nHost: h\r\nContent-Type: multipart/form-data; "
                          "boundary=b\r\nContent-Length: %zu\r\n\r\n",
                          bl);
        memcpy(msg + hn, cases[i].body, bl);
        ww_web_req_t r;
        int rc = parse(&r, msg, (size_t)hn + bl, 3);
        if (rc == 0)
            fail_msg("case %zu accepted", i);
        assert_int_equal(r.status, cases[i].status);
        ww_web_req_release(&r);
    }
    /* A part's header block past 8 KiB: 431, whether or not its end has arrived. */
    for (int closed = 0; closed < 2; closed++) {
        static char hb[12000], hm[13000];
        int k = snprintf(hb, sizeof hb, "--b\r\nContent-Disposition: form-data; name=a\r\nX: ");
        memset(hb + k, 'a', 9000);
        k += 9000;
        k += snprintf(hb + k, sizeof hb - k, "%s", closed ? "\r\n\r\nx\r\n--b--" : "");
        int m = snprintf(hm, sizeof hm,
                         "POST /u HTTP/1.1\r\nHost: h\r\nContent-Type: multipart/form-data; "
                         "boundary=b\r\nContent-Length: %d\r\n\r\n%s",
                         k, hb);
        ww_web_req_t r;
        assert_int_not_equal(parse(&r, hm, (size_t)m, closed ? 0 : 1000), 0);
        assert_int_equal(r.status, 431);
        ww_web_req_release(&r);
    }
    assert_int_equal(status_of("POST /u HTTP/1.1\r\nHost: h\r\nContent-Type: multipart/form-data"
                               "\r\nContent-Length: 1\r\n\r\nx"),
                     400); /* no boundary parameter */

    /* Caps: a file over max_file, more files than max_files, a field over max_field. */
    lim.max_file = 4;
    char big[512];
    const char *bb = "--b\r\nContent-Disposition: form-data; name=f; filename=x\r\n\r\n"
                     "12345\r\n--b--";
    snprintf(big, sizeof big,
             "POST /u HTTP/1.1\r\nHost: h\r\nContent-Type: multipart/form-data; "
             "boundary=b\r\nContent-Length: %zu\r\n\r\n%s",
             strlen(bb), bb);
    ww_web_req_t r;
    assert_int_not_equal(parse(&r, big, strlen(big), 2), 0);
    assert_int_equal(r.status, 413);
    ww_web_req_release(&r);
    setup_limits();
    lim.max_field = 3;
    char fld[512];
    const char *fb = "--b\r\nContent-Disposition: form-data; name=f\r\n\r\n1234\r\n--b--";
    snprintf(fld, sizeof fld,
             "POST /u HTTP/1.1\r\nHost: h\r\nContent-Type: multipart/form-data; "
             "boundary=b\r\nContent-Length: %zu\r\n\r\n%s",
             strlen(fb), fb);
    assert_int_not_equal(parse(&r, fld, strlen(fld), 0), 0);
    assert_int_equal(r.status, 413);
    ww_web_req_release(&r);
    setup_limits();
}

static void test_html(void **state)
{
    (void)state;
    ww_buf_t b;
    ww_buf_init(&b, 0);
    ww_html_textz(&b, "<script>alert('x')</script> & \"q\" `t`");
    assert_string_equal(b.p, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot; "
                             "&#96;t&#96;");
    ww_buf_clear(&b);
    /* Invalid UTF-8 (a lone byte, an overlong form, a surrogate, a cut sequence) and
       control bytes each show as U+FFFD; valid UTF-8 passes. */
    const char bad[] = "a\xff"
                       "b\xc0\xaf"
                       "c\xed\xa0\x80"
                       "d\x01\x1b\x7f"
                       "e\xe2\x9c\x93"
                       "f\xe2\x9c";
    ww_html_text(&b, bad, sizeof bad - 1, 0);
    assert_string_equal(b.p, "a\xEF\xBF\xBD"
                             "b\xEF\xBF\xBD\xEF\xBF\xBD"
                             "c\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
                             "d\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
                             "e\xe2\x9c\x93"
                             "f\xEF\xBF\xBD\xEF\xBF\xBD");
    ww_buf_clear(&b);
    /* A long value is cut at a character boundary with an ellipsis. */
    ww_html_text(&b, "\xe2\x9c\x93\xe2\x9c\x93\xe2\x9c\x93", 9, 4);
    assert_string_equal(b.p, "\xe2\x9c\x93\xe2\x9c\x93\xE2\x80\xA6");
    ww_buf_clear(&b);
    ww_html_attr(&b, "\" onmouseover=\"x", 16);
    assert_string_equal(b.p, "&quot; onmouseover=&quot;x");

    static const struct {
        const char *in, *out;
    } urls[] = {
        {"/alerts?a=1&b=2", "/alerts?a=1&amp;b=2"},
        {"https://example.nhs.uk/x y", "https://example.nhs.uk/x%20y"},
        {"java script:x", "#"},
        {"/x\n", "#"},
        {"HTTP://x/\"'<>`", "HTTP://x/%22%27%3C%3E%60"},
        {"mailto:soc@example.nhs.uk", "mailto:soc@example.nhs.uk"},
        {"relative/page", "relative/page"},
        {"javascript:alert(1)", "#"},
        {"JaVaScRiPt:alert(1)", "#"},
        {"java\tscript:alert(1)", "#"},
        {" javascript:alert(1)", "#"},
        {"data:text/html,<script>", "#"},
        {"vbscript:x", "#"},
        {"//evil.example/", "#"},
        {"/\\evil.example/", "#"},
        {"", "#"},
        {"/caf\xc3\xa9", "/caf%C3%A9"},
    };
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        ww_buf_clear(&b);
        ww_html_url(&b, urls[i].in, strlen(urls[i].in));
        assert_string_equal(b.p, urls[i].out);
    }
    ww_buf_release(&b);
}

/* ---- the router, with a stub lib/auth ---- */

static int stub_session(void *ud, const char *cookie, ww_web_session_t *out)
{
    (void)ud;
    memset(out, 0, sizeof *out);
    if (strcmp(cookie, "viewer") == 0 || strcmp(cookie, "admin") == 0 ||
        strcmp(cookie, "old") == 0) {
        snprintf(out->user, sizeof out->user, "%s", cookie);
        snprintf(out->csrf, sizeof out->csrf, "csrf-%s", cookie);
        out->role = cookie[0] == 'v' ? WW_WEB_VIEWER : WW_WEB_ADMIN;
        out->expired = cookie[0] == 'o';
        return 0;
    }
    if (strcmp(cookie, "broken") == 0)
        return WW_EIO;
    return WW_ENOENT;
}

static int stub_token(void *ud, const char *token, ww_web_session_t *out)
{
    (void)ud;
    memset(out, 0, sizeof *out);
    if (strcmp(token, "machine") != 0)
        return WW_ENOENT;
    snprintf(out->user, sizeof out->user, "robot");
    out->role = WW_WEB_ANALYST;
    return 0;
}

static int handled;
static int h_ok(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    (void)ud;
    handled++;
    resp->content_type = "text/plain";
    ww_buf_printf(&resp->body, "id=%s", ww_web_param(req, "id") ? ww_web_param(req, "id") : "-");
    return 0;
}

static int h_fail(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    (void)req;
    (void)ud;
    ww_web_resp_header(resp, "X-Leak", "should not be sent");
    return WW_EIO;
}

static const ww_web_route_t routes[] = {
    {"GET", "/", WW_WEB_VIEWER, false, h_ok, NULL},
    {"GET", "/incidents/{id}", WW_WEB_VIEWER, false, h_ok, NULL},
    {"POST", "/incidents/{id}/notes", WW_WEB_ANALYST, true, h_ok, NULL},
    {"POST", "/users", WW_WEB_ADMIN, true, h_ok, NULL},
    {"GET", "/report", WW_WEB_ANON, false, h_ok, NULL},
    {"POST", "/report", WW_WEB_ANON, true, h_ok, NULL},
    {"GET", "/api/v1/alerts", WW_WEB_VIEWER, false, h_ok, NULL},
    {"GET", "/boom", WW_WEB_ANON, false, h_fail, NULL},
};

/* Runs one request through both router stages; returns the status. */
static unsigned route(ww_web_t *w, const char *msg, ww_web_resp_t *out_copy, char *hdrs, size_t hn)
{
    ww_web_req_t r;
    ww_web_req_init(&r, &lim, NULL);
    ww_web_resp_t resp;
    ww_web_resp_init(&resp, &r.arena);
    /* A parse error is left in r.status: the router answers it. */
    (void)ww_web_req_parse_raw(&r, msg, strlen(msg), 0);
    if (!ww_web_route_early(w, &r, &resp))
        ww_web_route_finish(w, &r, &resp);
    unsigned s = resp.status;
    if (hdrs) {
        hdrs[0] = 0;
        for (uint32_t i = 0; i < resp.nheaders; i++) {
            size_t l = strlen(hdrs);
            snprintf(hdrs + l, hn - l, "%s: %s\n", resp.hname[i], resp.hvalue[i]);
        }
    }
    if (out_copy) {
        ww_buf_init(&out_copy->body, 0);
        ww_buf_append(&out_copy->body, resp.body.p ? resp.body.p : "", resp.body.n);
        out_copy->content_type = resp.content_type;
    }
    ww_web_resp_release(&resp);
    ww_web_req_release(&r);
    return s;
}

static void test_router(void **state)
{
    (void)state;
    setup_limits();
    ww_web_config_t cfg = {.routes = routes, .nroutes = sizeof routes / sizeof routes[0]};
    cfg.auth = (ww_web_auth_ops_t){NULL, stub_session, stub_token};
    ww_web_t *w = NULL;
    ww_diag_t d = {0};
    assert_int_equal(ww_web_new(&cfg, &w, &d), 0);
    char h[2048];
    ww_web_resp_t body;

#define GET(path, cookie) \
    "GET " path " HTTP/1.1\r\nHost: c\r\nCookie: __Host-ww_session=" cookie "\r\n\r\n"
#define POST(path, cookie, extra, form)                                                   \
    "POST " path " HTTP/1.1\r\nHost: c\r\nCookie: __Host-ww_session=" cookie "\r\n" extra \
    "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %zu\r\n\r\n" form

    assert_int_equal(route(w, GET("/", "viewer"), NULL, NULL, 0), 200);
    assert_int_equal(route(w, GET("/", "nobody"), &body, NULL, 0), 401);
    assert_non_null(strstr(body.body.p, "href=\"/login?next=/\""));
    ww_buf_release(&body.body);
    assert_int_equal(route(w, GET("/", "old"), NULL, h, sizeof h), 401);
    assert_non_null(strstr(h, "Set-Cookie: __Host-ww_session=; Path=/; Secure; HttpOnly; "
                              "SameSite=Strict; Max-Age=0"));
    assert_int_equal(route(w, GET("/", "broken"), NULL, NULL, 0), 503);
    assert_int_equal(route(w, GET("/incidents/42", "viewer"), &body, NULL, 0), 200);
    assert_string_equal(body.body.p, "id=42");
    ww_buf_release(&body.body);
    assert_int_equal(route(w, GET("/incidents/42/x", "viewer"), NULL, NULL, 0), 404);
    assert_int_equal(route(w, GET("/incidents", "viewer"), NULL, NULL, 0), 404);
    assert_int_equal(route(w, GET("/incidents/1/notes", "viewer"), NULL, h, sizeof h), 405);
    assert_non_null(strstr(h, "Allow: POST"));
    assert_int_equal(route(w, GET("/api/v1/alerts", "nobody"), &body, h, sizeof h), 401);
    assert_string_equal(body.content_type, "application/json");
    assert_non_null(strstr(h, "WWW-Authenticate: Bearer"));
    ww_buf_release(&body.body);
    assert_int_equal(route(w,
                           "GET /api/v1/alerts HTTP/1.1\r\nHost: c\r\n"
                           "Authorization: Bearer machine\r\n\r\n",
                           NULL, NULL, 0),
                     200);
    assert_int_equal(route(w,
                           "GET /api/v1/alerts HTTP/1.1\r\nHost: c\r\n"
                           "Authorization: Basic eDp5\r\n\r\n",
                           NULL, NULL, 0),
                     401);
    assert_int_equal(route(w, GET("/boom", "x"), NULL, h, sizeof h), 500);
    assert_null(strstr(h, "X-Leak")); /* a failed handler's headers are dropped */

    char msg[1024];
#define RUN(fmt, form) (snprintf(msg, sizeof msg, fmt, strlen(form)), route(w, msg, NULL, NULL, 0))
    handled = 0;
    /* A viewer cannot write; an admin with the right token, same-origin, can. */
    assert_int_equal(RUN(POST("/incidents/7/notes", "viewer", "Sec-Fetch-Site: same-origin\r\n",
                              "csrf_token=csrf-viewer"),
                         "csrf_token=csrf-viewer"),
                     403);
    assert_int_equal(RUN(POST("/incidents/7/notes", "admin", "Sec-Fetch-Site: same-origin\r\n",
                              "csrf_token=csrf-admin"),
                         "csrf_token=csrf-admin"),
                     200);
    assert_int_equal(handled, 1);
    assert_int_equal(
        RUN(POST("/users", "admin", "Sec-Fetch-Site: same-origin\r\n", "csrf_token=csrf-admiN"),
            "csrf_token=csrf-admiN"),
        403);
    assert_int_equal(RUN(POST("/users", "admin", "Sec-Fetch-Site: same-origin\r\n", "a=1"), "a=1"),
                     403);
    assert_int_equal(
        RUN(POST("/users", "admin", "Sec-Fetch-Site: cross-site\r\n", "csrf_token=csrf-admin"),
            "csrf_token=csrf-admin"),
        403);
    assert_int_equal(
        RUN(POST("/users", "admin", "", "csrf_token=csrf-admin"), "csrf_token=csrf-admin"),
        403); /* neither Sec-Fetch-Site nor Origin */
    assert_int_equal(RUN(POST("/users", "admin", "Origin: https://c\r\n", "csrf_token=csrf-admin"),
                         "csrf_token=csrf-admin"),
                     200);
    assert_int_equal(
        RUN(POST("/users", "admin", "Origin: https://c.evil\r\n", "csrf_token=csrf-admin"),
            "csrf_token=csrf-admin"),
        403);
    assert_int_equal(RUN(POST("/users", "admin", "Origin: http://c\r\n", "csrf_token=csrf-admin"),
                         "csrf_token=csrf-admin"),
                     403); /* the scheme counts */
    /* "Origin: null" is what a browser sends with a form under Referrer-Policy:
       no-referrer, to its own origin too: Sec-Fetch-Site decides, and alone it is
       not enough. */
    assert_int_equal(RUN(POST("/users", "admin", "Origin: null\r\nSec-Fetch-Site: same-origin\r\n",
                              "csrf_token=csrf-admin"),
                         "csrf_token=csrf-admin"),
                     200);
    assert_int_equal(RUN(POST("/users", "admin", "Origin: null\r\nSec-Fetch-Site: cross-site\r\n",
                              "csrf_token=csrf-admin"),
                         "csrf_token=csrf-admin"),
                     403);
    assert_int_equal(RUN(POST("/users", "admin", "Origin: null\r\n", "csrf_token=csrf-admin"),
                         "csrf_token=csrf-admin"),
                     403);
    assert_int_equal(handled, 3);

    /* Anonymous forms: the double-submit cookie, 64 hex digits. */
    const char *pre = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    snprintf(msg, sizeof msg,
             "POST /report HTTP/1.1\r\nHost: c\r\nCookie: __Host-ww_pre=%s\r\n"
             "Sec-Fetch-Site: same-origin\r\nContent-Type: application/x-www-form-urlencoded\r\n"
             "Content-Length: 75\r\n\r\ncsrf_token=%s",
             pre, pre);
    assert_int_equal(route(w, msg, NULL, NULL, 0), 200);
    snprintf(msg, sizeof msg,
             "POST /report HTTP/1.1\r\nHost: c\r\nCookie: __Host-ww_pre=short\r\n"
             "Sec-Fetch-Site: same-origin\r\nContent-Type: application/x-www-form-urlencoded\r\n"
             "Content-Length: 16\r\n\r\ncsrf_token=short");
    assert_int_equal(route(w, msg, NULL, NULL, 0), 403);
    assert_int_equal(route(w,
                           "POST /report HTTP/1.1\r\nHost: c\r\nSec-Fetch-Site: same-origin\r\n"
                           "Content-Type: application/x-www-form-urlencoded\r\n"
                           "Content-Length: 12\r\n\r\ncsrf_token=x",
                           NULL, NULL, 0),
                     403);
    /* Parse errors are answered by the router with their status. */
    assert_int_equal(route(w, "GET /a/../b HTTP/1.1\r\nHost: c\r\n\r\n", NULL, NULL, 0), 400);
    /* Assets: by exact path, typed, with an ETag; nothing else under /assets/. */
    assert_int_equal(
        route(w, "GET /assets/wardwatch.css HTTP/1.1\r\nHost: c\r\n\r\n", &body, NULL, 0), 200);
    assert_string_equal(body.content_type, "text/css; charset=utf-8");
    assert_non_null(strstr(body.body.p, "Arial"));
    ww_buf_release(&body.body);
    assert_int_equal(
        route(w, "GET /assets/nhsuk-frontend/LICENSE HTTP/1.1\r\nHost: c\r\n\r\n", NULL, NULL, 0),
        404);
    ww_web_free(w);

    /* Bad route tables are refused. */
    static const ww_web_route_t bad[] = {{"GET", "/a/{id", WW_WEB_ANON, false, h_ok, NULL}};
    cfg.routes = bad;
    cfg.nroutes = 1;
    assert_int_equal(ww_web_new(&cfg, &w, &d), WW_EINVAL);
    static const ww_web_route_t bad2[] = {{"FETCH", "/a", WW_WEB_ANON, false, h_ok, NULL}};
    cfg.routes = bad2;
    assert_int_equal(ww_web_new(&cfg, &w, &d), WW_EINVAL);
}

static void test_resp_helpers(void **state)
{
    (void)state;
    ww_arena_t a;
    ww_arena_init(&a, 4096, 0);
    ww_web_resp_t r;
    ww_web_resp_init(&r, &a);
    assert_int_equal(ww_web_resp_header(&r, "X-A", "ok"), 0);
    assert_int_equal(ww_web_resp_header(&r, "X-B", "bad\r\nSet-Cookie: x=1"), WW_EINVAL);
    assert_int_equal(ww_web_resp_header(&r, "X B", "v"), WW_EINVAL);
    assert_int_equal(ww_web_set_session_cookie(&r, "a;b", 0), WW_EINVAL);
    assert_int_equal(ww_web_set_session_cookie(&r, "a b", 0), WW_EINVAL);
    assert_int_equal(ww_web_set_session_cookie(&r, "", 0), WW_EINVAL);
    assert_int_equal(ww_web_set_session_cookie(&r, "s3cr3t", 600), 0);
    assert_string_equal(r.hvalue[r.nheaders - 1],
                        "__Host-ww_session=s3cr3t; Path=/; Secure; HttpOnly; SameSite=Strict; "
                        "Max-Age=600");
    static const struct {
        const char *in, *out;
    } redirs[] = {{"/alerts?x=1", "/alerts?x=1"}, {"//evil.example", "/"}, {"/\\evil.example", "/"},
                  {"https://evil.example", "/"},  {"/a\r\nX: y", "/"},     {"javascript:x", "/"}};
    for (size_t i = 0; i < sizeof redirs / sizeof redirs[0]; i++) {
        ww_web_resp_redirect(&r, redirs[i].in);
        assert_int_equal(r.status, 303);
        assert_string_equal(r.hvalue[r.nheaders - 1], redirs[i].out);
    }
    ww_web_resp_release(&r);
    ww_arena_release(&a);
    assert_true(ww_web_same("abc", "abc"));
    assert_false(ww_web_same("abc", "abd"));
    assert_false(ww_web_same("abc", "abcd"));
    assert_false(ww_web_same("", "a"));
    assert_true(ww_web_same("", ""));
}

static void test_selfsigned(void **state)
{
    (void)state;
    char dir[] = "/tmp/ww-web-cert-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char cert[256], key[256], fp[96], fp2[96];
    snprintf(cert, sizeof cert, "%s/c.pem", dir);
    snprintf(key, sizeof key, "%s/k.pem", dir);
    ww_diag_t d = {0};
    const char *names[] = {"ward.example.nhs.uk", "fe80::1"};
    assert_int_equal(ww_web_selfsigned(cert, key, names, 2, fp, &d), 0);
    struct stat st;
    assert_int_equal(stat(key, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char *pem = NULL;
    size_t n = 0;
    assert_int_equal(ww_read_file(cert, 1 << 20, &pem, &n), 0);
    assert_int_equal(ww_web_cert_fingerprint(pem, n, fp2), 0);
    assert_string_equal(fp, fp2);
    assert_int_equal(strlen(fp), 95); /* 32 bytes as XX:...:XX */
    free(pem);
    const char *bad[] = {"not a name!"};
    assert_int_equal(ww_web_selfsigned(cert, key, bad, 1, fp, &d), WW_EINVAL);
    assert_non_null(strstr(d.msg, "neither an IP address nor a DNS name"));
    assert_int_equal(ww_web_cert_fingerprint("junk", 4, fp), WW_EINVAL);
    unlink(cert);
    unlink(key);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_query_cookies_headers),
        cmocka_unit_test(test_forms_and_json),
        cmocka_unit_test(test_multipart_every_split),
        cmocka_unit_test(test_multipart_errors),
        cmocka_unit_test(test_html),
        cmocka_unit_test(test_router),
        cmocka_unit_test(test_resp_helpers),
        cmocka_unit_test(test_selfsigned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
