/* Unit tests for serve's network loop (lib/serve/ww_net.c) on loopback: bytes reach
 * the handler in order; a handler that takes less pauses the connection until
 * ww_net_resume and nothing is lost; another thread's ww_net_send reaches the client;
 * the connection cap refuses and counts; an idle connection is closed; UDP datagrams
 * arrive with their sender; TLS works, and a listener that wants client certificates
 * refuses a client without one.  Waits have generous deadlines for failure only: no
 * assertion is about speed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "serve/ww_net.h"

typedef struct sink {
    pthread_mutex_t mu;
    char got[1 << 16];
    size_t n;
    size_t take; /* at most this much per data() call, 0 = all */
    bool pause;  /* take nothing once `take` is used up (until cleared) */
    int opens, closes;
    char why[256];
    uint64_t last_id;
    char from[64];
} sink_t;

static void *h_open(void *ud, ww_net_conn_t *c)
{
    sink_t *s = ud;
    pthread_mutex_lock(&s->mu);
    s->opens++;
    s->last_id = ww_net_conn_id(c);
    pthread_mutex_unlock(&s->mu);
    return s;
}

static int64_t h_data(void *st, const uint8_t *p, size_t n, ww_diag_t *d)
{
    (void)d;
    sink_t *s = st;
    pthread_mutex_lock(&s->mu);
    size_t k = n;
    if (s->pause)
        k = 0;
    else if (s->take && k > s->take)
        k = s->take;
    if (k > sizeof s->got - s->n)
        k = sizeof s->got - s->n;
    memcpy(s->got + s->n, p, k);
    s->n += k;
    pthread_mutex_unlock(&s->mu);
    return (int64_t)k;
}

static void h_close(void *st, const char *why)
{
    sink_t *s = st;
    pthread_mutex_lock(&s->mu);
    s->closes++;
    snprintf(s->why, sizeof s->why, "%s", why);
    pthread_mutex_unlock(&s->mu);
}

static void h_dgram(void *ud, const uint8_t *p, size_t n, const struct sockaddr *from,
                    socklen_t fromlen)
{
    (void)fromlen;
    sink_t *s = ud;
    pthread_mutex_lock(&s->mu);
    memcpy(s->got + s->n, p, n);
    s->n += n;
    const struct sockaddr_in *v4 = (const void *)from;
    inet_ntop(AF_INET, &v4->sin_addr, s->from, sizeof s->from);
    pthread_mutex_unlock(&s->mu);
}

static const ww_net_handler_t H = {h_open, h_data, h_close, h_dgram, NULL};

typedef struct loop {
    ww_net_t *net;
    pthread_t tid;
    sink_t sink;
} loop_t;

static void *run(void *arg)
{
    ww_net_run(((loop_t *)arg)->net);
    return NULL;
}

static loop_t *start(void)
{
    loop_t *l = calloc(1, sizeof *l);
    pthread_mutex_init(&l->sink.mu, NULL);
    ww_diag_t d = {0};
    assert_int_equal(ww_net_new(&l->net, &d), 0);
    return l;
}

static void go(loop_t *l)
{
    assert_int_equal(pthread_create(&l->tid, NULL, run, l), 0);
}

static void finish(loop_t *l)
{
    ww_net_stop(l->net);
    pthread_join(l->tid, NULL);
    ww_net_free(l->net);
    pthread_mutex_destroy(&l->sink.mu);
    free(l);
}

static struct sockaddr_in loopback(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static int dial(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = loopback(port);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

/* Waits (a deadline for failure, not a speed test) until cond holds under the lock. */
#define WAIT_FOR(l, cond)                                \
    do {                                                 \
        bool ok_ = false;                                \
        for (int i_ = 0; i_ < 3000 && !ok_; i_++) {      \
            pthread_mutex_lock(&(l)->sink.mu);           \
            ok_ = (cond);                                \
            pthread_mutex_unlock(&(l)->sink.mu);         \
            if (!ok_)                                    \
                usleep(5000);                            \
        }                                                \
        if (!ok_)                                        \
            fail_msg("timed out waiting for %s", #cond); \
    } while (0)

static void test_tcp_order_pause_send(void **state)
{
    (void)state;
    loop_t *l = start();
    ww_net_listener_t *ls;
    ww_diag_t d = {0};
    struct sockaddr_in a = loopback(0);
    assert_int_equal(
        ww_net_listen_tcp(l->net, (struct sockaddr *)&a, sizeof a, NULL, &H, &l->sink, &ls, &d), 0);
    l->sink.take = 7;
    go(l);
    int fd = dial(ww_net_port(ls));
    char msg[20000];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (char)('a' + i % 26);
    assert_int_equal(write(fd, msg, sizeof msg), (ssize_t)sizeof msg);
    /* A handler taking 7 bytes a call pauses the connection after each call. */
    WAIT_FOR(l, l->sink.n == 7);
    usleep(50000);
    pthread_mutex_lock(&l->sink.mu);
    assert_int_equal(l->sink.n, 7); /* paused: nothing more until resumed */
    l->sink.take = 0;
    uint64_t id = l->sink.last_id;
    pthread_mutex_unlock(&l->sink.mu);
    assert_int_equal(ww_net_resume(l->net, id), 0);
    WAIT_FOR(l, l->sink.n == sizeof msg);
    assert_memory_equal(l->sink.got, msg, sizeof msg);
    /* Another thread's send reaches the client. */
    assert_int_equal(ww_net_send(l->net, id, "ack 42\n", 7), 0);
    char buf[16] = {0};
    size_t got = 0;
    while (got < 7) {
        ssize_t r = read(fd, buf + got, sizeof buf - got);
        assert_true(r > 0);
        got += (size_t)r;
    }
    assert_string_equal(buf, "ack 42\n");
    /* Work for a connection that has gone is dropped, not crashed on. */
    close(fd);
    WAIT_FOR(l, l->sink.closes == 1);
    assert_string_equal(l->sink.why, "");
    assert_int_equal(ww_net_send(l->net, id, "late", 4), 0);
    assert_int_equal(ww_net_resume(l->net, id), 0);
    usleep(20000);
    ww_net_stats_t st;
    ww_net_listener_stats(ls, &st);
    assert_int_equal(st.accepted, 1);
    assert_int_equal(st.bytes, sizeof msg);
    finish(l);
}

static void test_cap_and_idle(void **state)
{
    (void)state;
    loop_t *l = start();
    ww_net_listener_t *ls;
    ww_diag_t d = {0};
    struct sockaddr_in a = loopback(0);
    ww_net_opts_t o = {.max_conns = 2, .idle_ms = 1000};
    assert_int_equal(
        ww_net_listen_tcp(l->net, (struct sockaddr *)&a, sizeof a, &o, &H, &l->sink, &ls, &d), 0);
    go(l);
    int f1 = dial(ww_net_port(ls)), f2 = dial(ww_net_port(ls));
    WAIT_FOR(l, l->sink.opens == 2);
    int f3 = dial(ww_net_port(ls));
    char c;
    assert_int_equal(read(f3, &c, 1), 0); /* refused: closed at once */
    ww_net_stats_t st;
    ww_net_listener_stats(ls, &st);
    assert_int_equal(st.refused, 1);
    /* Quiet connections are closed by the idle sweep, with the reason. */
    WAIT_FOR(l, l->sink.closes == 2);
    assert_non_null(strstr(l->sink.why, "idle for 1 s"));
    assert_int_equal(read(f1, &c, 1), 0);
    close(f1);
    close(f2);
    close(f3);
    finish(l);
}

static void test_udp(void **state)
{
    (void)state;
    loop_t *l = start();
    ww_net_listener_t *ls;
    ww_diag_t d = {0};
    struct sockaddr_in a = loopback(0);
    assert_int_equal(
        ww_net_listen_udp(l->net, (struct sockaddr *)&a, sizeof a, NULL, &H, &l->sink, &ls, &d), 0);
    go(l);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = loopback(ww_net_port(ls));
    const char *m = "<34>Oct 11 22:14:15 host su: 'su root' failed";
    assert_int_equal(sendto(fd, m, strlen(m), 0, (struct sockaddr *)&to, sizeof to),
                     (ssize_t)strlen(m));
    WAIT_FOR(l, l->sink.n == strlen(m));
    assert_memory_equal(l->sink.got, m, strlen(m));
    assert_string_equal(l->sink.from, "127.0.0.1");
    close(fd);
    finish(l);
}

static char tmp[] = "/tmp/ww-net-XXXXXX";

static bool make_cert(void)
{
    if (!mkdtemp(tmp))
        return false;
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey rsa:2048 -nodes -keyout %s/k.pem -out %s/c.pem -days 1 "
             "-subj /CN=127.0.0.1 >/dev/null 2>&1",
             tmp, tmp);
    return system(cmd) == 0;
}

typedef struct tls_client {
    int port;
    const char *dir;
    bool with_cert;
    int result; /* 1 sent, -1 handshake failed */
} tls_client_t;

static void *tls_client(void *arg)
{
    tls_client_t *t = arg;
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    char p[300];
    if (t->with_cert) {
        snprintf(p, sizeof p, "%s/c.pem", t->dir);
        SSL_CTX_use_certificate_file(ctx, p, SSL_FILETYPE_PEM);
        snprintf(p, sizeof p, "%s/k.pem", t->dir);
        SSL_CTX_use_PrivateKey_file(ctx, p, SSL_FILETYPE_PEM);
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = loopback(t->port);
    t->result = -1;
    if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
        SSL *s = SSL_new(ctx);
        SSL_set_fd(s, fd);
        if (SSL_connect(s) == 1 && SSL_write(s, "over tls\n", 9) == 9) {
            char c;
            /* The server answers one byte; with TLS 1.3 a refused client certificate
               shows here, on the first read. */
            t->result = SSL_read(s, &c, 1) == 1 ? 1 : -1;
        }
        SSL_free(s);
    }
    close(fd);
    SSL_CTX_free(ctx);
    return NULL;
}

static void test_tls(void **state)
{
    (void)state;
    if (!make_cert())
        skip();
    char cert[300], key[300];
    snprintf(cert, sizeof cert, "%s/c.pem", tmp);
    snprintf(key, sizeof key, "%s/k.pem", tmp);
    loop_t *l = start();
    ww_net_listener_t *plain, *mutual;
    ww_diag_t d = {0};
    struct sockaddr_in a = loopback(0);
    ww_net_opts_t o = {.cert = cert, .key = key};
    assert_int_equal(
        ww_net_listen_tcp(l->net, (struct sockaddr *)&a, sizeof a, &o, &H, &l->sink, &plain, &d),
        0);
    ww_net_opts_t m = {.cert = cert, .key = key, .client_ca = cert};
    assert_int_equal(
        ww_net_listen_tcp(l->net, (struct sockaddr *)&a, sizeof a, &m, &H, &l->sink, &mutual, &d),
        0);
    ww_net_opts_t bad = {.cert = key, .key = key};
    assert_int_equal(
        ww_net_listen_tcp(l->net, (struct sockaddr *)&a, sizeof a, &bad, &H, &l->sink, NULL, &d),
        WW_EINVAL);
    go(l);
    tls_client_t t = {ww_net_port(plain), tmp, false, 0};
    pthread_t tid;
    pthread_create(&tid, NULL, tls_client, &t);
    WAIT_FOR(l, l->sink.n == 9);
    assert_memory_equal(l->sink.got, "over tls\n", 9);
    ww_net_send(l->net, l->sink.last_id, "k", 1); /* lets the client's read finish */
    pthread_join(tid, NULL);
    /* Client certificates wanted: one without is refused and counted, one with gets in. */
    tls_client_t u = {ww_net_port(mutual), tmp, false, 0};
    pthread_create(&tid, NULL, tls_client, &u);
    pthread_join(tid, NULL);
    ww_net_stats_t st;
    for (int i = 0; i < 200; i++) {
        ww_net_listener_stats(mutual, &st);
        if (st.tls_failed)
            break;
        usleep(10000);
    }
    assert_int_equal(st.tls_failed, 1);
    assert_int_equal(u.result, -1);
    tls_client_t v = {ww_net_port(mutual), tmp, true, 0};
    pthread_create(&tid, NULL, tls_client, &v);
    WAIT_FOR(l, l->sink.n == 18);
    ww_net_send(l->net, l->sink.last_id, "k", 1);
    pthread_join(tid, NULL);
    assert_int_equal(v.result, 1);
    finish(l);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcp_order_pause_send),
        cmocka_unit_test(test_cap_and_idle),
        cmocka_unit_test(test_udp),
        cmocka_unit_test(test_tls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
