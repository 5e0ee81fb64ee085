/* Unit tests for lib/mail (the .eml parser): header unfolding and encoded words, the
 * sender, reply-to, Received chain and authentication verdicts, nested MIME with both
 * transfer encodings, links with the text they show, attachments and their hashes
 * (checked against GnuTLS over the known bytes), damaged messages (the line of each
 * problem, and what could still be read), every cap, and the JSON summary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "mail/ww_eml.h"

static ww_eml_t *parse_ok(const char *msg, int want_problems)
{
    ww_eml_t *m = NULL;
    ww_diag_t d = {0};
    int rc = ww_eml_parse(msg, strlen(msg), NULL, &m, &d);
    if (rc != want_problems)
        fail_msg("expected %d problems, got %d (%s, line %u)", want_problems, rc, d.msg, d.line);
    assert_non_null(m);
    return m;
}

static void sha256_hex(const void *p, size_t n, char out[65])
{
    uint8_t d[32];
    gnutls_hash_fast(GNUTLS_DIG_SHA256, p, n, d);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static const ww_eml_link_t *link_to(const ww_eml_t *m, const char *url)
{
    for (uint32_t i = 0; i < m->nlinks; i++)
        if (strcmp(m->links[i].url, url) == 0)
            return &m->links[i];
    return NULL;
}

static char *read_sample(const char *name, size_t *n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/eml/%s", WW_SOURCE_DIR, name);
    char *p = NULL;
    assert_int_equal(ww_read_file(path, 1u << 20, &p, n), 0);
    return p;
}

static void test_headers(void **state)
{
    (void)state;
    ww_eml_t *m =
        parse_ok("Received: from a.example (a.example [192.0.2.1])\r\n"
                 "\tby b.example; Thu, 3 Dec 2026 09:00:00 +0000\r\n"
                 "Received: from c.example (c.example [IPv6:2001:db8::5]) by a.example\r\n"
                 "From: =?ISO-8859-1?Q?Caf=E9?= =?UTF-8?B?IOKAkyBXYXJk?= <cafe@Example.ORG>\r\n"
                 "Reply-To: other@elsewhere.example (Someone)\r\n"
                 "Return-Path: <bounce@b.example>\r\n"
                 "Message-ID: <1@a.example>\r\n"
                 "Subject: plain start =?utf-8?q?and_encoded?=   =?utf-8?q?_words?= end\r\n"
                 " folded\r\n"
                 "Authentication-Results: b.example; spf=softfail smtp.mailfrom=x;\r\n"
                 "  dkim=pass header.d=example.org; dmarc=PASS\r\n"
                 "DKIM-Signature: v=1; a=rsa-sha256; d=Example.org; s=sel;\r\n"
                 "\r\n"
                 "body\r\n",
                 0);
    assert_string_equal(m->subject, "plain start and encoded words end folded");
    /* Adjacent encoded words join; ISO-8859-1 becomes UTF-8. */
    assert_string_equal(m->from_name, "Caf\xC3\xA9 \xE2\x80\x93 Ward");
    assert_string_equal(m->from_addr, "cafe@Example.ORG");
    assert_string_equal(m->from_domain, "example.org");
    assert_string_equal(m->reply_to_addr, "other@elsewhere.example");
    assert_string_equal(m->reply_to_domain, "elsewhere.example");
    assert_string_equal(m->return_path, "<bounce@b.example>");
    assert_string_equal(m->message_id, "<1@a.example>");
    assert_int_equal(m->nreceived, 2);
    assert_string_equal(m->received[0].from, "a.example");
    assert_string_equal(m->received[0].by, "b.example");
    assert_string_equal(m->received[0].ip, "192.0.2.1");
    assert_int_equal(m->received[0].line, 1);
    assert_string_equal(m->received[1].ip, "2001:db8::5");
    assert_int_equal(m->received[1].line, 3);
    assert_string_equal(m->spf, "softfail");
    assert_string_equal(m->dkim, "pass");
    assert_string_equal(m->dmarc, "pass");
    assert_string_equal(m->dkim_domain, "example.org");
    assert_string_equal(ww_eml_header(m, "subject"),
                        "plain start =?utf-8?q?and_encoded?=   =?utf-8?q?_words?= end folded");
    assert_string_equal(m->text, "body\r\n");
    ww_eml_free(m);
}

/* An encoded word in the display name must not pose as the address. */
static void test_from_spoof(void **state)
{
    (void)state;
    ww_eml_t *m = parse_ok("From: =?utf-8?q?IT_Service_Desk_<servicedesk@nhs.net>?= "
                           "<attacker@evil.example>\n\nx\n",
                           0);
    assert_string_equal(m->from_addr, "attacker@evil.example");
    assert_string_equal(m->from_domain, "evil.example");
    assert_string_equal(m->from_name, "IT Service Desk <servicedesk@nhs.net>");
    ww_eml_free(m);
    m = parse_ok("From: \"Trust <ceo@trust.nhs.uk>, Board\" <x@y.example>, z@w.example\n\nx\n", 0);
    assert_string_equal(m->from_addr, "x@y.example");
    ww_eml_free(m);
}

static void test_sample(void **state)
{
    (void)state;
    size_t n, an;
    char *msg = read_sample("quota-phish.eml", &n);
    char *att = read_sample("invoice-attachment.bin", &an);
    ww_eml_t *m = NULL;
    ww_diag_t d = {0};
    assert_int_equal(ww_eml_parse(msg, n, NULL, &m, &d), 0);
    assert_string_equal(m->subject,
                        "Action required: mailbox quota exceeded \xE2\x80\x93 24 hours");
    assert_string_equal(m->from_name, "NHSmail Support");
    assert_string_equal(m->from_domain, "nhs-support.example.net");
    assert_string_equal(m->reply_to_domain, "freemail.example.org");
    assert_int_equal(m->nreceived, 2);
    assert_string_equal(m->received[0].ip, "198.51.100.23");
    assert_string_equal(m->received[1].ip, "203.0.113.77");
    assert_string_equal(m->spf, "fail");
    assert_string_equal(m->dkim, "none");
    assert_string_equal(m->dmarc, "fail");
    /* mixed > (alternative > plain, html), pdf */
    assert_int_equal(m->nparts, 5);
    assert_string_equal(m->parts[0].content_type, "multipart/mixed");
    assert_string_equal(m->parts[2].content_type, "text/plain");
    assert_int_equal(m->parts[2].depth, 2);
    assert_string_equal(m->parts[3].encoding, "base64");
    /* Quoted-printable decoded: soft breaks joined, =3D is '='. */
    assert_non_null(
        strstr(m->text, "log in at https://nhsmail-quota.example.net/login?u=ward7&t=1,"));
    assert_non_null(strstr(m->text, "Support \xE2\x80\x93 do not reply"));
    assert_int_equal(m->nattachments, 1);
    assert_string_equal(m->attachments[0].filename, "Invoice \xE2\x84\x96 42.pdf");
    assert_string_equal(m->attachments[0].content_type, "application/pdf");
    assert_int_equal(m->attachments[0].size, an);
    char want[65];
    sha256_hex(att, an, want);
    assert_string_equal(m->attachments[0].sha256, want);
    assert_int_equal(strlen(m->attachments[0].sha1), 40);
    /* The plain URL (comma dropped), the HTML link whose text names another host, and
       one whose text names its own site. */
    const ww_eml_link_t *l = link_to(m, "https://nhsmail-quota.example.net/login?u=ward7&t=1");
    assert_non_null(l);
    assert_null(l->text); /* the bare URL of the text part (the HTML one has its text) */
    assert_int_equal(l->count, 1);
    int html_links = 0;
    for (uint32_t i = 0; i < m->nlinks; i++) {
        const ww_eml_link_t *k = &m->links[i];
        if (!k->text)
            continue;
        html_links++;
        if (strcmp(k->host, "nhsmail-quota.example.net") == 0) {
            assert_string_equal(k->text, "https://portal.nhs.net/quota");
            assert_string_equal(k->shown_host, "portal.nhs.net");
            assert_true(k->mismatch);
        } else {
            assert_string_equal(k->host, "www.nhs.uk");
            assert_string_equal(k->text, "www.nhs.uk");
            assert_false(k->mismatch);
        }
    }
    assert_int_equal(html_links, 2);
    ww_eml_free(m);
    free(msg);
    free(att);
}

static void test_links(void **state)
{
    (void)state;
    ww_eml_t *m = parse_ok(
        "From: a@b.example\nContent-Type: text/html\n\n"
        "<A HREF=\"https://bank.example.co.uk@login.evil.example:8443/x\">bank.example.co.uk</a>\n"
        "<a class=x href=https://login.trust.nhs.uk/a?b=1&amp;c=2 >Sign in at "
        "<b>trust.nhs.uk</b></a>\n"
        "<a href=\"mailto:phish@evil.example?subject=hi\">Email us</a>\n"
        "<a href='http://198.51.100.7/p'>https://www.nhs.uk/</a>\n"
        "<a name=top>no href</a>\n"
        "<form method=post action=\"https://collect.evil.example/post\"><input name=p></form>\n"
        "<a href=\"javascript:alert(1)\">click</a>\n"
        "<p>Or paste https://bare.example/x&amp;y into your browser.</p>\n",
        0);
    const ww_eml_link_t *l = link_to(m, "https://bank.example.co.uk@login.evil.example:8443/x");
    assert_non_null(l);
    assert_string_equal(l->host, "login.evil.example"); /* userinfo is not the host */
    assert_true(l->mismatch);
    l = link_to(m, "https://login.trust.nhs.uk/a?b=1&c=2");
    assert_non_null(l);
    assert_string_equal(l->text, "Sign in at trust.nhs.uk");
    assert_null(l->shown_host); /* words, not an address */
    assert_false(l->mismatch);
    l = link_to(m, "mailto:phish@evil.example?subject=hi");
    assert_non_null(l);
    assert_string_equal(l->host, "evil.example");
    l = link_to(m, "http://198.51.100.7/p");
    assert_non_null(l);
    assert_string_equal(l->host, "198.51.100.7");
    assert_string_equal(l->shown_host, "www.nhs.uk");
    assert_true(l->mismatch);
    l = link_to(m, "https://collect.evil.example/post");
    assert_non_null(l);
    assert_true(l->form);
    l = link_to(m, "javascript:alert(1)");
    assert_non_null(l); /* listed, for the analyst; the console never makes it a link */
    assert_string_equal(l->host, "");
    /* A bare address in the text is a link too (not the text shown inside <a>). */
    l = link_to(m, "https://bare.example/x&y");
    assert_non_null(l);
    assert_null(l->text);
    assert_null(link_to(m, "https://www.nhs.uk/"));
    assert_int_equal(m->nlinks, 7);
    ww_eml_free(m);

    m = parse_ok("From: a@b.example\n\nSee https://a.example/x). And (www.b.example/y?z=1.\n"
                 "Not:xhttps://c.example nor mail@www.d.example, but HTTPS://E.example/Q!\n",
                 0);
    assert_non_null(link_to(m, "https://a.example/x"));
    assert_non_null(link_to(m, "www.b.example/y?z=1"));
    assert_non_null(link_to(m, "HTTPS://E.example/Q"));
    assert_string_equal(link_to(m, "HTTPS://E.example/Q")->host, "e.example");
    assert_int_equal(m->nlinks, 3);
    ww_eml_free(m);
}

/* "Forward as attachment" makes a message/rfc822 part: listed as an attachment and
   read for its own links and attachments. */
static void test_attached_message(void **state)
{
    (void)state;
    const char *inner = "From: x@evil.example\r\nSubject: inner\r\n"
                        "Content-Type: multipart/mixed; boundary=b2\r\n\r\n"
                        "--b2\r\nContent-Type: text/plain\r\n\r\ngo to https://evil.example/a\r\n"
                        "--b2\r\nContent-Type: application/octet-stream\r\n"
                        "Content-Disposition: attachment; filename=\"run.exe\"\r\n"
                        "Content-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA//8AALgA\r\n"
                        "--b2--\r\n";
    char msg[2048];
    snprintf(msg, sizeof msg,
             "From: nurse@nhs.net\r\nSubject: Fwd: inner\r\n"
             "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
             "--b1\r\nContent-Type: text/plain\r\n\r\nThis looked odd.\r\n"
             "--b1\r\nContent-Type: message/rfc822\r\n\r\n%s\r\n--b1--\r\n",
             inner);
    ww_eml_t *m = parse_ok(msg, 0);
    assert_string_equal(m->subject, "Fwd: inner");
    assert_string_equal(m->text, "This looked odd.");
    assert_int_equal(m->nattachments, 2);
    assert_string_equal(m->attachments[0].content_type, "message/rfc822");
    assert_int_equal(m->attachments[0].size, strlen(inner));
    char want[65];
    sha256_hex(inner, strlen(inner), want);
    assert_string_equal(m->attachments[0].sha256, want);
    assert_string_equal(m->attachments[1].filename, "run.exe");
    static const unsigned char exe[] = {0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04,
                                        0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0xb8, 0x00};
    assert_int_equal(m->attachments[1].size, sizeof exe);
    sha256_hex(exe, sizeof exe, want);
    assert_string_equal(m->attachments[1].sha256, want);
    assert_non_null(link_to(m, "https://evil.example/a"));
    ww_eml_free(m);
}

static void test_malformed(void **state)
{
    (void)state;
    ww_eml_t *m = NULL;
    ww_diag_t d = {0};
    assert_int_equal(ww_eml_parse("", 0, NULL, &m, &d), WW_EPARSE);
    assert_null(m);
    assert_int_equal(ww_eml_parse("\x7f"
                                  "ELF\x02\x01 binary\n\n",
                                  12, NULL, &m, &d),
                     WW_EPARSE);
    assert_null(m);
    assert_int_equal(d.line, 1);
    assert_non_null(strstr(d.msg, "not an email"));

    /* The closing boundary is missing and a base64 part has junk: both named with
       their lines, and everything before still read. */
    const char *msg = "From: a@b.example\n"                          /* 1 */
                      "Subject: cut short\n"                         /* 2 */
                      "Content-Type: multipart/mixed; boundary=zz\n" /* 3 */
                      "\n"                                           /* 4 */
                      "--zz\n"                                       /* 5 */
                      "Content-Type: text/plain\n"                   /* 6 */
                      "\n"                                           /* 7 */
                      "see http://x.example/1\n"                     /* 8 */
                      "--zz\n"                                       /* 9 */
                      "Content-Type: image/png; name=a.png\n"        /* 10 */
                      "Content-Transfer-Encoding: base64\n"          /* 11 */
                      "\n"                                           /* 12 */
                      "aGVs*bG8=\n";                                 /* 13 */
    int rc = ww_eml_parse(msg, strlen(msg), NULL, &m, &d);
    assert_int_equal(rc, 2);
    assert_non_null(m);
    assert_int_equal(d.line, 13);
    assert_non_null(strstr(d.msg, "base64"));
    assert_int_equal(m->problems[1].line, 14);
    assert_non_null(strstr(m->problems[1].msg, "never closed"));
    assert_string_equal(m->subject, "cut short");
    assert_non_null(link_to(m, "http://x.example/1"));
    assert_int_equal(m->nattachments, 1);
    assert_int_equal(m->attachments[0].size, 5); /* "hello" */
    assert_string_equal(m->attachments[0].filename, "a.png");
    ww_eml_free(m);

    /* A header with no blank line after it, and a multipart with no boundary. */
    m = NULL;
    msg = "From: a@b.example\nContent-Type: multipart/mixed\nthis is body\n";
    rc = ww_eml_parse(msg, strlen(msg), NULL, &m, &d);
    assert_int_equal(rc, 2);
    assert_int_equal(m->problems[0].line, 3);
    assert_non_null(strstr(m->problems[0].msg, "blank line"));
    assert_non_null(strstr(m->problems[1].msg, "boundary"));
    assert_string_equal(m->text, "this is body\n");
    ww_eml_free(m);

    /* No From at all, an encoded word that is not one, bad quoted-printable. */
    m = parse_ok("Subject: =?x?q?unterminated\nContent-Transfer-Encoding: quoted-printable\n\n"
                 "a=ZZb=\n",
                 2);
    assert_string_equal(m->subject, "=?x?q?unterminated");
    assert_string_equal(m->text, "a=ZZb");
    ww_eml_free(m);
}

static void test_limits(void **state)
{
    (void)state;
    ww_buf_t b;
    ww_buf_init(&b, 0);
    /* 300 parts, 900 links, a 40 KiB header; then nesting 12 deep. */
    ww_buf_puts(&b, "From: a@b.example\nX-Long: ");
    for (int i = 0; i < 40000; i++)
        ww_buf_putc(&b, 'x');
    ww_buf_puts(&b, "\nContent-Type: multipart/mixed; boundary=B\n\n");
    for (int i = 0; i < 300; i++)
        ww_buf_printf(&b,
                      "--B\nContent-Type: text/plain\n\nhttps://h%d.example/ https://g%d.example/ "
                      "www.f%d.example\n",
                      i, i, i);
    ww_buf_puts(&b, "--B--\n");
    ww_eml_t *m = NULL;
    ww_diag_t d;
    int rc = ww_eml_parse(b.p, b.n, NULL, &m, &d);
    assert_true(rc >= 3);
    assert_int_equal(m->nparts, 200);
    assert_true(m->dropped_parts > 0);
    assert_int_equal(m->nlinks, 500);
    assert_true(m->dropped_links > 0);
    const char *lng = ww_eml_header(m, "X-Long");
    assert_true(strlen(lng) > 32000 && strlen(lng) <= 32u << 10); /* cut, then trimmed */
    ww_eml_free(m);

    ww_buf_clear(&b);
    ww_buf_puts(&b, "From: a@b.example\n");
    for (int i = 0; i < 12; i++)
        ww_buf_printf(&b, "Content-Type: multipart/mixed; boundary=L%d\n\n--L%d\n", i, i);
    ww_buf_puts(&b, "Content-Type: text/plain\n\ndeep\n");
    ww_eml_limits_t lim = {.max_depth = 4, .max_problems = 2};
    m = NULL;
    rc = ww_eml_parse(b.p, b.n, &lim, &m, &d);
    assert_true(rc >= 1);
    assert_int_equal(m->nparts, 5); /* depths 0..4 */
    bool deep = false;
    for (uint32_t i = 0; i < m->nproblems; i++)
        deep |= strstr(m->problems[i].msg, "deeper than 4") != NULL;
    assert_true(deep);
    assert_true(m->nproblems <= 2);
    ww_eml_free(m);
    ww_buf_release(&b);
}

/* The text shown for a part without a plain alternative leaves scripts and styles
   out and decodes entities. */
static void test_html_excerpt(void **state)
{
    (void)state;
    ww_eml_t *m = parse_ok("From: a@b.example\nContent-Type: text/html; charset=iso-8859-1\n\n"
                           "<html><head><style>p {color: red}</style><SCRIPT>var x = '<p>';"
                           "</script></head><body><p>Caf\xe9 &amp; <b>tea</b>&#33;</p>\n\n"
                           "<p>Bye</p></body></html>\n",
                           0);
    assert_string_equal(m->text, "Caf\xC3\xA9 & tea! Bye");
    ww_eml_free(m);
}

static void test_json(void **state)
{
    (void)state;
    ww_eml_t *m = parse_ok("From: \"Evil \\\"quote\\\"\" <e@x.example>\n"
                           "Subject: <script>alert(1)</script>\n"
                           "Content-Type: text/html\n\n<a href=\"https://x.example/\">a</a>\n",
                           0);
    ww_buf_t b;
    ww_buf_init(&b, 0);
    assert_int_equal(ww_eml_json(m, &b), 0);
    assert_non_null(strstr(b.p, "\"subject\":\"<script>alert(1)</script>\""));
    assert_non_null(strstr(b.p, "\"from_name\":\"Evil \\\"quote\\\"\""));
    assert_non_null(strstr(b.p, "\"links\":[{\"url\":\"https://x.example/\",\"host\":\"x.example\","
                                "\"text\":\"a\",\"shown_host\":null,\"mismatch\":false"));
    assert_non_null(strstr(b.p, "\"attachments\":[]"));
    assert_true(b.p[0] == '{' && b.p[b.n - 1] == '}');
    ww_buf_release(&b);
    ww_eml_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_from_spoof),
        cmocka_unit_test(test_sample),
        cmocka_unit_test(test_links),
        cmocka_unit_test(test_attached_message),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_html_excerpt),
        cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
