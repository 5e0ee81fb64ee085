/* Unit tests for the `serve` config (lib/serve/ww_serve_config.c) and the typed YAML
 * checks under it (lib/util/ww_yconf.c): a full config read back field by field, the
 * defaults, and a table of broken configs each refused at its line and column with a
 * reason that names the fix. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>
#include <cmocka.h>

#include "event/ww_event.h"
#include "serve/ww_serve_config.h"
#include "sigma/ww_sigma.h"

static char dir[] = "/tmp/ww-sc-XXXXXX";

static void put(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    put("c.pem", "-----BEGIN CERTIFICATE-----\n");
    put("k.pem", "-----BEGIN PRIVATE KEY-----\n");
    put("fb.token", "0123456789abcdef0123456789abcdef\n");
    put("short.token", "abc\n");
    put("two.token", "0123456789abcdef0123\nsecond line\n");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static ww_serve_config_t *parse(const char *text, ww_diag_t *d)
{
    char file[256];
    snprintf(file, sizeof file, "%s/serve.yml", dir);
    ww_serve_config_t *c = NULL;
    memset(d, 0, sizeof *d);
    int rc = ww_serve_config_parse(text, strlen(text), file, &c, d);
    if (rc == 0)
        assert_non_null(c);
    else
        assert_null(c);
    return c;
}

static void test_full(void **state)
{
    (void)state;
    const char *text =
        "state_dir: state\n"
        "rules: {sigmahq: false, placeholders: fb.token}\n"
        "spool: {max_bytes: 1 GiB, segment_bytes: 8MiB, commit_interval: 2ms}\n"
        "detection: {threads: 2, lateness: 90s}\n"
        "metrics: {listen: '127.0.0.1:9120'}\n"
        "inputs:\n"
        "  - {type: syslog-udp, listen: ':514', recv_buffer: 8 MiB}\n"
        "  - {type: syslog-tcp, listen: ':514', max_frame: 128KiB, idle_timeout: 1m}\n"
        "  - type: syslog-tls\n"
        "    name: tls-in\n"
        "    listen: '[::1]:6514'\n"
        "    tls: {cert: c.pem, key: k.pem, client_ca: c.pem}\n"
        "  - type: http\n"
        "    listen: 127.0.0.1:8088\n"
        "    max_body: 4 MiB\n"
        "    tokens:\n"
        "      - {name: fluent-bit, token_file: fb.token}\n"
        "      - {name: vector, token: 'ffffffffffffffffffff'}\n"
        "  - {type: tail, paths: /var/log/auth.log, format: syslog, from_start: yes}\n"
        "notify:\n"
        "  - {type: webhook, url: 'https://teams.invalid/x', min_level: Critical}\n"
        "  - {type: email, url: 'smtps://m.invalid', from: a@b.nhs.uk, to: s@b.nhs.uk,"
        " password_file: fb.token, retries: 3, timeout: 5s}\n"
        "  - {type: syslog, url: 'udp://10.0.0.1:514', format: cef}\n";
    ww_diag_t d;
    ww_serve_config_t *c = parse(text, &d);
    if (!c)
        fail_msg("%u:%u %s", d.line, d.col, d.msg);
    char want[300];
    snprintf(want, sizeof want, "%s/state", dir);
    assert_string_equal(c->state_dir, want); /* relative to the config's folder */
    assert_false(c->sigmahq);
    assert_true(c->pack);
    assert_int_equal(c->spool_max_bytes, 1ull << 30);
    assert_int_equal(c->spool_segment_bytes, 8u << 20);
    assert_int_equal(c->commit_interval_ms, 2);
    assert_int_equal(c->threads, 2);
    assert_int_equal(c->lateness_ms, 90000);
    ww_buf_t desc;
    ww_buf_init(&desc, 0);
    ww_serve_config_describe(c, &desc);
    assert_non_null(strstr(desc.p, "detection: 2 threads, lateness 90s\n"));
    ww_buf_release(&desc);
    assert_int_equal(c->ninputs, 5);
    assert_int_equal(c->inputs[0].type, WW_IN_SYSLOG_UDP);
    assert_int_equal(c->inputs[0].addr.ss_family, AF_INET6); /* ':514' is every address */
    assert_int_equal(c->inputs[0].recv_buffer, 8u << 20);
    /* UDP and TCP on one port are two sockets, not a clash. */
    assert_int_equal(c->inputs[1].type, WW_IN_SYSLOG_TCP);
    assert_int_equal(c->inputs[1].max_frame, 128u << 10);
    assert_int_equal(c->inputs[1].idle_timeout_ms, 60000);
    assert_string_equal(c->inputs[2].name, "tls-in");
    assert_true(c->inputs[2].has_tls);
    assert_non_null(c->inputs[2].tls.client_ca);
    const struct sockaddr_in6 *v6 = (const void *)&c->inputs[2].addr;
    assert_int_equal(ntohs(v6->sin6_port), 6514);
    assert_true(IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr));
    assert_int_equal(c->inputs[3].ntokens, 2);
    assert_string_equal(c->inputs[3].tokens[0].value, "0123456789abcdef0123456789abcdef");
    assert_string_equal(c->inputs[3].tokens[1].name, "vector");
    assert_int_equal(c->inputs[3].max_body, 4u << 20);
    assert_string_equal(c->inputs[3].name, "http 127.0.0.1:8088");
    assert_int_equal(c->inputs[4].npaths, 1);
    assert_int_equal(c->inputs[4].format, WW_FMT_SYSLOG);
    assert_true(c->inputs[4].from_start);
    assert_int_equal(c->nnotifiers, 3);
    assert_int_equal(c->notifiers[0].min_level, WW_LEVEL_CRITICAL);
    assert_int_equal(c->notifiers[1].nto, 1);
    assert_string_equal(c->notifiers[1].password, "0123456789abcdef0123456789abcdef");
    assert_int_equal(c->notifiers[1].retries, 3);
    assert_int_equal(c->notifiers[1].timeout_ms, 5000);
    assert_true(c->notifiers[2].cef);
    ww_buf_t out;
    ww_buf_init(&out, 0);
    ww_serve_config_describe(c, &out);
    assert_non_null(strstr(out.p, "[::1]:6514 \"tls-in\" (TLS, client certificates)"));
    assert_null(strstr(out.p, "0123456789abcdef")); /* no secret in the summary */
    ww_buf_release(&out);
    ww_serve_config_free(c);
}

static void test_defaults(void **state)
{
    (void)state;
    ww_diag_t d;
    ww_serve_config_t *c = parse("state_dir: /var/lib/ww\ninputs:\n  - {type: beats, listen: "
                                 "'0.0.0.0:5044'}\n",
                                 &d);
    assert_non_null(c);
    assert_true(c->sigmahq && c->pack);
    assert_int_equal(c->spool_max_bytes, 4ull << 30);
    assert_int_equal(c->inputs[0].max_frame, 64u << 10);
    assert_int_equal(c->inputs[0].idle_timeout_ms, 300000);
    assert_int_equal(c->nnotifiers, 0);
    assert_int_equal(c->lateness_ms, 5 * 60 * 1000);
    ww_buf_t desc;
    ww_buf_init(&desc, 0);
    ww_serve_config_describe(c, &desc);
    assert_non_null(strstr(desc.p, "detection: one thread per core, lateness 5m\n"));
    ww_buf_release(&desc);
    ww_serve_config_free(c);
}

/* A RELP input takes listen, name and max_frame (librelp truncates longer messages). */
static void test_relp(void **state)
{
    (void)state;
    ww_diag_t d;
    ww_serve_config_t *c = parse("state_dir: /s\ninputs:\n  - {type: relp, listen: "
                                 "'127.0.0.1:2514', max_frame: 128 KiB}\n  - {type: relp, "
                                 "name: relp-all, listen: ':2515'}\n",
                                 &d);
    if (!c)
        fail_msg("refused: %u:%u %s", d.line, d.col, d.msg);
    assert_int_equal(c->inputs[0].type, WW_IN_RELP);
    assert_string_equal(c->inputs[0].name, "relp 127.0.0.1:2514");
    assert_int_equal(c->inputs[0].max_frame, 128u << 10);
    assert_false(c->inputs[0].has_tls);
    assert_int_equal(c->inputs[1].addr.ss_family, AF_INET6);
    assert_int_equal(c->inputs[1].max_frame, 64u << 10);
    assert_string_equal(ww_sc_input_type_name(WW_IN_RELP), "relp");
    ww_buf_t out;
    ww_buf_init(&out, 0);
    ww_serve_config_describe(c, &out);
    assert_non_null(strstr(out.p, "  relp         :2515 \"relp-all\"\n"));
    ww_buf_release(&out);
    ww_serve_config_free(c);
}

/* Each broken config: where the error must point and words it must contain. */
static const struct {
    const char *text;
    uint32_t line, col;
    const char *words;
} bad[] = {
    {"", 1, 1, "empty"},
    {"state_dir: /s\n", 1, 1, "needs inputs"},
    {"inputs: []\nstate_dir: /s\n", 1, 9, "list is empty"},
    {"state_dir: /s\ninputs:\n  - {type: syslog-udp, listen: ':514'}\nstatedir: x\n", 4, 1,
     "unknown key 'statedir'"},
    {"state_dir: /s\ninputs:\n  - {type: syslog-xyz, listen: ':514'}\n", 3, 12,
     "not one of: syslog-udp"},
    {"state_dir: /s\ninputs:\n  - {listen: ':514'}\n", 3, 5, "needs a type"},
    {"state_dir: /s\ninputs:\n  - {type: syslog-tcp}\n", 3, 5, "needs listen"},
    {"state_dir: /s\ninputs:\n  - {type: syslog-tcp, listen: 'localhost:601'}\n", 3, 32,
     "not an IP address"},
    {"state_dir: /s\ninputs:\n  - {type: syslog-tcp, listen: '1.2.3.4:65536'}\n", 3, 32,
     "port must be"},
    {"state_dir: /s\ninputs:\n  - {type: syslog-tcp, listen: '::1:601'}\n", 3, 32,
     "[address]:port"},
    {"state_dir: /s\ninputs:\n  - {type: syslog-tls, listen: ':6514'}\n", 3, 5, "needs tls"},
    {"state_dir: /s\ninputs:\n  - {type: syslog-tls, listen: ':6514', tls: {cert: c.pem}}\n", 3, 46,
     "both cert"},
    {"state_dir: /s\ninputs:\n  - {type: syslog-tls, listen: ':6514', tls: {cert: nope.pem, key: "
     "k.pem}}\n",
     3, 53, "cannot be read"},
    {"state_dir: /s\ninputs:\n  - {type: syslog-udp, listen: ':514', tls: {cert: c.pem, key: "
     "k.pem}}\n",
     3, 40, "'tls' does not apply"},
    {"state_dir: /s\ninputs:\n  - {type: http, listen: ':80'}\n", 3, 5, "needs tokens"},
    {"state_dir: /s\ninputs:\n  - {type: http, listen: ':80', tokens: [{name: a, token_file: "
     "short.token}]}\n",
     3, 64, "shorter than 16"},
    {"state_dir: /s\ninputs:\n  - {type: http, listen: ':80', tokens: [{name: a, token_file: "
     "two.token}]}\n",
     3, 64, "one line"},
    {"state_dir: /s\ninputs:\n  - {type: http, listen: ':80', tokens: [{name: a, token: "
     "aaaaaaaaaaaaaaaaaa}, {name: b, token: aaaaaaaaaaaaaaaaaa}]}\n",
     3, 97, "are the same"},
    {"state_dir: /s\ninputs:\n  - {type: syslog-tcp, listen: ':601', max_frame: 12 parsecs}\n", 3,
     51, "not a number with a unit"},
    {"state_dir: /s\ninputs:\n  - {type: syslog-tcp, listen: ':601', max_frame: 10}\n", 3, 51,
     "between 1024 and"},
    {"state_dir: /s\ninputs:\n  - {type: syslog-tcp, listen: ':601', idle_timeout: 30}\n", 3, 54,
     "a number with a unit"},
    {"state_dir: /s\ninputs:\n  - {type: syslog-tcp, listen: ':601'}\n  - {type: beats, listen: "
     "':601'}\n",
     4, 5, "as input 1 (line 3)"},
    {"state_dir: /s\ninputs:\n  - {type: tail, paths: [var/log/x]}\n", 3, 26, "must be absolute"},
    {"state_dir: /s\ninputs:\n  - {type: tail, paths: /x, format: pdf}\n", 3, 37, "not one of"},
    {"state_dir: /s\nspool: {max_bytes: 8 MiB, segment_bytes: 4 MiB}\ninputs:\n  - {type: tail, "
     "paths: /x}\n",
     2, 8, "quarter"},
    {"state_dir: /s\ndetection: {lateness: 2d}\ninputs:\n  - {type: tail, paths: /x}\n", 2, 23,
     "lateness"},
    {"state_dir: /s\ndetection: {lateness: 300}\ninputs:\n  - {type: tail, paths: /x}\n", 2, 23,
     "a number with a unit"},
    {"state_dir: /s\ndetection: {threads: -1}\ninputs:\n  - {type: tail, paths: /x}\n", 2, 22,
     "whole number"},
    {"state_dir: /s\ninputs:\n  - {type: tail, paths: /x}\nnotify:\n  - {type: webhook, url: "
     "'http://x'}\n",
     5, 26, "https://"},
    {"state_dir: /s\ninputs:\n  - {type: tail, paths: /x}\nnotify:\n  - {type: email, url: "
     "'smtp://m', from: a@b}\n",
     5, 5, "needs to:"},
    {"state_dir: /s\ninputs:\n  - {type: tail, paths: /x}\nnotify:\n  - {type: email, url: "
     "'smtp://m', from: a@b, to: 'x@y, z@w'}\n",
     5, 51, "not one email address"},
    {"state_dir: /s\ninputs:\n  - {type: tail, paths: /x}\nnotify:\n  - {type: webhook, url: "
     "'https://x', min_level: severe}\n",
     5, 50, "min_level 'severe'"},
    {"state_dir: /s\ninputs:\n  - {type: tail, paths: /x}\nnotify:\n  - {type: webhook, url: "
     "'https://x', from: a@b}\n",
     5, 45, "for email notifiers"},
    {"state_dir: /s\ninputs:\n  - {type: relp, listen: ':2514', tls: {cert: c.pem, key: "
     "k.pem}}\n",
     3, 35, "tls is not supported for RELP"},
    {"state_dir: /s\ninputs:\n  - {type: relp, listen: ':2514', idle_timeout: 5m}\n", 3, 35,
     "'idle_timeout' does not apply"},
    {"state_dir: /s\ninputs:\n  - {type: relp, listen: ':2514', max_connections: 5}\n", 3, 35,
     "'max_connections' does not apply"},
    {"state_dir: /s\ninputs:\n  - {type: relp}\n", 3, 5, "needs listen"},
    {"state_dir: /s\ninputs:\n  - {type: syslog-tcp, listen: ':2514'}\n  - {type: relp, listen: "
     "':2514'}\n",
     4, 5, "as input 1 (line 3)"},
    {"state_dir: /s\ninputs:\n  - {type: tail, paths: /x}\nconsole:\n  listen: "
     "10.0.0.1:8443\n  plain_http: true\n",
     6, 15, "loopback address only"},
    {"state_dir: /s\ninputs:\n  - {type: tail, paths: /x}\nconsole:\n  threads: 2\n", 5, 3,
     "needs listen"},
    {"state_dir: /s\ninputs:\n  - {type: tail, paths: /x}\nconsole:\n  listen: ':8443'\n"
     "  idle_timeout: 5s\n",
     6, 17, "idle_timeout"},
    {"state_dir: &a /s\ninputs:\n  - {type: tail, paths: *a}\n", 3, 25, "aliases"},
    {"state_dir: /s\ninputs:\n  - {type: tail, paths: /x\n", 4, 1, ""},
};

static void test_console(void **state)
{
    (void)state;
    ww_diag_t d;
    ww_serve_config_t *c = parse("state_dir: /s\ninputs:\n  - {type: tail, paths: /x}\n"
                                 "console:\n  listen: '[::1]:8443'\n  plain_http: true\n"
                                 "  names: [a.example, 10.1.2.3]\n  idle_timeout: 10m\n"
                                 "  contacts: {csoc_phone: '0300'}\n",
                                 &d);
    if (!c)
        fail_msg("refused: %u:%u %s", d.line, d.col, d.msg);
    assert_string_equal(c->console.host, "::1");
    assert_int_equal(c->console.port, 8443);
    assert_true(c->console.plain_http);
    assert_int_equal(c->console.nnames, 2);
    assert_int_equal(c->console.idle_timeout_s, 600);
    assert_string_equal(c->console.csoc_phone, "0300");
    assert_null(c->console.cert);
    ww_serve_config_free(c);
}

static void test_bad(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ww_diag_t d;
        ww_serve_config_t *c = parse(bad[i].text, &d);
        if (c)
            fail_msg("config %zu was accepted", i);
        if (d.line != bad[i].line || d.col != bad[i].col || !strstr(d.msg, bad[i].words))
            fail_msg("config %zu: got %u:%u '%s', want %u:%u '...%s...'", i, d.line, d.col, d.msg,
                     bad[i].line, bad[i].col, bad[i].words);
        assert_non_null(strstr(d.file, "serve.yml"));
    }
}

static void test_listen(void **state)
{
    (void)state;
    struct sockaddr_storage ss;
    socklen_t len;
    char why[200];
    assert_int_equal(ww_sc_parse_listen("127.0.0.1:0", &ss, &len, why, sizeof why), 0);
    assert_int_equal(ss.ss_family, AF_INET);
    assert_int_equal(len, sizeof(struct sockaddr_in));
    assert_int_equal(ww_sc_parse_listen("[::]:514", &ss, &len, why, sizeof why), 0);
    assert_int_equal(ss.ss_family, AF_INET6);
    const char *refused[] = {"",           ":",     "1.2.3.4",  "1.2.3.4:",    "1.2.3.4:01",
                             "1.2.3.4:x",  "[::1]", "[::1]514", "[1.2.3.4]:5", "010.0.0.1:5",
                             "1.2.3.4:5:6"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        why[0] = 0;
        if (ww_sc_parse_listen(refused[i], &ss, &len, why, sizeof why) == 0)
            fail_msg("'%s' was accepted", refused[i]);
        assert_true(why[0] != 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full),   cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_relp),   cmocka_unit_test(test_bad),
        cmocka_unit_test(test_listen), cmocka_unit_test(test_console),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
