/* Unit tests for the memory budget of serve's inputs (ww_membudget_t in
 * lib/serve/ww_net.c) and how the network loop keeps to it, on loopback: the budget
 * refuses what does not fit (with the reserve kept back), counts pressure and notes an
 * episode once at its start and once at its end; a connection whose handler holds
 * what it reads is not read past the cap, and resumes with nothing lost when the
 * memory is given back; a connection holding a large unfinished message is closed
 * when such holdings fill half the cap; a new connection is refused at the cap.
 * Waits have generous deadlines for failure only: no assertion is about speed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "serve/ww_net.h"

static int notes_on, notes_off;

static void note(void *ud, bool at_cap, uint64_t used, uint64_t cap)
{
    (void)ud;
    (void)used;
    (void)cap;
    if (at_cap)
        notes_on++;
    else
        notes_off++;
}

static void test_budget(void **state)
{
    (void)state;
    ww_membudget_t m = {.cap = 1000, .reserve = 100, .note = note};
    notes_on = notes_off = 0;
    assert_true(ww_mem_take(&m, 900)); /* exactly cap - reserve */
    assert_false(ww_mem_take(&m, 1));  /* the reserve is kept back */
    assert_false(ww_mem_room(&m, 1));
    assert_true(ww_mem_room_all(&m, 100)); /* but the consumer may use it */
    assert_false(ww_mem_room_all(&m, 101));
    assert_int_equal(m.used, 900);
    assert_int_equal(m.pressure, 1);
    assert_int_equal(notes_on, 1);
    assert_false(ww_mem_take(&m, 50));
    assert_int_equal(notes_on, 1); /* one note per episode */
    assert_int_equal(m.pressure, 2);
    ww_mem_force(&m, 100);
    assert_int_equal(m.peak, 1000);
    ww_mem_give(&m, 100);
    assert_int_equal(notes_off, 0); /* 900 is not below 7/8 of the cap */
    ww_mem_give(&m, 100);
    assert_int_equal(notes_off, 1);
    ww_mem_give(&m, 800);
    assert_int_equal(notes_off, 1);
    assert_int_equal(m.used, 0);
    assert_true(ww_mem_take(NULL, UINT64_MAX)); /* no budget: no cap */
    ww_membudget_t nocap = {0};
    assert_true(ww_mem_take(&nocap, 1ull << 60));
}

/* A handler that keeps everything it is given (as a framer with an endless message
 * would) until told to let go. */
typedef struct hog {
    pthread_mutex_t mu;
    size_t got, held;
    bool unfinished; /* report what it holds as an unfinished message */
    int closes;
    char why[256];
} hog_t;

static void *h_open(void *ud, ww_net_conn_t *c)
{
    (void)c;
    return ud;
}

static int64_t h_data(void *st, const uint8_t *p, size_t n, ww_diag_t *d)
{
    (void)p;
    (void)d;
    hog_t *h = st;
    pthread_mutex_lock(&h->mu);
    h->got += n;
    h->held += n;
    pthread_mutex_unlock(&h->mu);
    return (int64_t)n;
}

static void h_close(void *st, const char *why)
{
    hog_t *h = st;
    pthread_mutex_lock(&h->mu);
    h->closes++;
    snprintf(h->why, sizeof h->why, "%s", why);
    pthread_mutex_unlock(&h->mu);
}

static size_t h_held(void *st, size_t *unfinished)
{
    hog_t *h = st;
    pthread_mutex_lock(&h->mu);
    size_t k = h->held;
    *unfinished = h->unfinished ? k : 0;
    pthread_mutex_unlock(&h->mu);
    return k;
}

static const ww_net_handler_t H = {h_open, h_data, h_close, NULL, h_held};

typedef struct loop {
    ww_net_t *net;
    pthread_t tid;
    int port;
    ww_net_listener_t *l;
} loop_t;

static void *run(void *arg)
{
    ww_net_run(arg);
    return NULL;
}

static void start(loop_t *lp, ww_membudget_t *m, hog_t *h)
{
    ww_diag_t d = {0};
    assert_int_equal(ww_net_new(&lp->net, &d), 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ww_net_opts_t o = {.mem = m};
    assert_int_equal(
        ww_net_listen_tcp(lp->net, (struct sockaddr *)&a, sizeof a, &o, &H, h, &lp->l, &d), 0);
    lp->port = ww_net_port(lp->l);
    assert_int_equal(pthread_create(&lp->tid, NULL, run, lp->net), 0);
}

static void stop(loop_t *lp)
{
    ww_net_stop(lp->net);
    pthread_join(lp->tid, NULL);
    ww_net_free(lp->net);
}

static int dial(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

typedef struct sender {
    int fd;
    size_t n, sent;
} sender_t;

static void *send_all(void *arg)
{
    sender_t *s = arg;
    static char buf[65536];
    memset(buf, 'x', sizeof buf);
    while (s->sent < s->n) {
        size_t k = s->n - s->sent < sizeof buf ? s->n - s->sent : sizeof buf;
        ssize_t w = send(s->fd, buf, k, MSG_NOSIGNAL);
        if (w <= 0)
            break;
        s->sent += (size_t)w;
    }
    return NULL;
}

static void nap(void)
{
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

/* Waits (a deadline for failure, not a speed test) until cond holds under the lock. */
#define WAIT_FOR(h, cond)                           \
    do {                                            \
        bool ok_ = false;                           \
        for (int i_ = 0; i_ < 1500 && !ok_; i_++) { \
            pthread_mutex_lock(&(h)->mu);           \
            ok_ = (cond);                           \
            pthread_mutex_unlock(&(h)->mu);         \
            if (!ok_)                               \
                nap();                              \
        }                                           \
        assert_true(ok_);                           \
    } while (0)

static void test_pause_and_resume(void **state)
{
    (void)state;
    hog_t h = {.mu = PTHREAD_MUTEX_INITIALIZER};
    ww_membudget_t m = {.cap = 1u << 20};
    loop_t lp = {0};
    start(&lp, &m, &h);
    sender_t s = {.fd = dial(lp.port), .n = 8u << 20};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, send_all, &s), 0);
    /* The loop stops reading near the cap: a read happens only with room for it. */
    WAIT_FOR(&h, m.pressure > 0);
    pthread_mutex_lock(&h.mu);
    size_t at_cap = h.got;
    pthread_mutex_unlock(&h.mu);
    assert_true(at_cap <= m.cap);
    assert_true(m.peak <= m.cap);
    /* The handler lets go of what it held (as when messages reach the spool): reading
       resumes, and every byte arrives. */
    bool all = false;
    for (int i = 0; i < 3000 && !all; i++) {
        pthread_mutex_lock(&h.mu);
        h.held = 0;
        all = h.got == s.n;
        pthread_mutex_unlock(&h.mu);
        ww_net_wake(lp.net);
        if (!all)
            nap();
    }
    assert_true(all);
    pthread_join(t, NULL);
    assert_int_equal(s.sent, s.n);
    assert_int_equal(h.closes, 0);
    assert_true(m.peak <= m.cap);
    close(s.fd);
    WAIT_FOR(&h, h.closes == 1);
    stop(&lp);
    assert_int_equal(m.used, 0); /* everything charged was given back */
}

static void test_unfinished_cut_and_refused(void **state)
{
    (void)state;
    hog_t h = {.mu = PTHREAD_MUTEX_INITIALIZER, .unfinished = true};
    ww_membudget_t m = {.cap = 1u << 20};
    loop_t lp = {0};
    start(&lp, &m, &h);
    sender_t s = {.fd = dial(lp.port), .n = 4u << 20};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, send_all, &s), 0);
    /* It holds an ever longer unfinished message: closed, not left to wedge the loop. */
    WAIT_FOR(&h, h.closes == 1);
    assert_non_null(strstr(h.why, "memory cap"));
    pthread_join(t, NULL);
    close(s.fd);
    ww_net_stats_t st;
    ww_net_listener_stats(lp.l, &st);
    assert_int_equal(st.memory_refused, 1);
    /* Full: a new connection is accepted and closed at once, counted. */
    ww_mem_force(&m, m.cap);
    int fd = dial(lp.port);
    char c;
    assert_true(recv(fd, &c, 1, 0) <= 0);
    close(fd);
    ww_net_listener_stats(lp.l, &st);
    assert_int_equal(st.refused, 1);
    assert_int_equal(st.memory_refused, 2);
    ww_mem_give(&m, m.cap);
    stop(&lp);
    assert_int_equal(m.used, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_budget),
        cmocka_unit_test(test_pause_and_resume),
        cmocka_unit_test(test_unfinished_cut_and_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
