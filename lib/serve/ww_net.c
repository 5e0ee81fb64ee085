/* The network loop (see ww_net.h): level-triggered epoll over listeners, connections,
 * an eventfd for work posted by other threads and a timerfd for the idle sweep.
 *
 * A connection's life: accepted (or refused at the cap) -> TLS handshake when the
 * listener has TLS -> open() -> data() as bytes come, paused when data() takes fewer
 * than offered (EPOLLIN off, the rest kept in c->in) until ww_net_resume -> close().
 * Reads are bounded per wake-up (READS_PER_WAKE) so one fast sender cannot starve the
 * others; a TLS connection with decrypted bytes still buffered inside OpenSSL (which
 * epoll cannot see) goes on a ready list served before the loop sleeps again.
 *
 * Memory.  Reads go into one buffer of the loop; a connection keeps only what its
 * handler did not take (c->in, sized to fit), so ten thousand quiet connections cost
 * their structs, not ten thousand read buffers.  Everything a connection holds is
 * charged to the budget (c->charged); a read happens only when the budget has room for
 * it, else the connection waits (mem_wait) until memory is given back.  What cannot
 * drain by itself -- unfinished messages, which only their sender can finish -- is
 * kept under half the cap: a connection that would wait while holding a large one
 * when they fill that half is closed instead (its handler delivers or counts what it
 * had), so senders dribbling huge frames cannot wedge the server. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "serve/ww_net.h"

#define READS_PER_WAKE 16
#define UDP_MAX 65536
#define ID_SLOTS 4096 /* hash buckets of connections by id */
/* What a connection costs before it sends anything: our struct and the handler's
   (estimated), and with TLS OpenSSL's session and record buffers (measured at about
   40 KiB; rounded up). */
#define CONN_COST (sizeof(ww_net_conn_t) + 1024)
#define TLS_COST ((size_t)64 << 10)
/* A connection that must wait for memory while holding at least this much of an
   unfinished message is closed instead, when such holdings pass half the cap. */
#define HOLD_CUT ((size_t)256 << 10)

enum { K_LISTEN_TCP, K_LISTEN_UDP, K_CONN, K_WAKE, K_TIMER };

struct ww_net_listener {
    int kind;
    int fd;
    ww_net_t *net;
    ww_net_handler_t h;
    void *ud;
    ww_net_opts_t o;
    SSL_CTX *ssl;
    ww_net_stats_t st;
    int port;
    uint8_t *udp_buf;
    struct ww_net_listener *next;
};

struct ww_net_conn {
    int kind;
    int fd;
    uint64_t id;
    ww_net_listener_t *l;
    void *st;
    bool opened; /* open() said yes: close() is owed */
    SSL *ssl;
    bool handshaking;
    bool paused;
    bool read_wants_write; /* TLS: SSL_read asked for the socket to be writable */
    bool closing;          /* close once the output is out */
    bool ready;            /* on the ready list */
    bool dead;             /* closed; freed at the end of the loop's turn */
    bool mem_wait;         /* not read until the memory budget has room */
    uint32_t events;       /* what epoll watches now */
    uint8_t *in;           /* bytes read and not yet taken by data(), or NULL */
    size_t in_n, in_cap;
    size_t held;       /* the handler's last ww_net_handler_t.held */
    size_t unfinished; /* and the unfinished part of it */
    uint64_t charged;  /* bytes charged to the budget for this connection */
    ww_buf_t out;
    size_t out_off;
    uint64_t last_ms;
    char peer[64];
    char subject[256];
    struct ww_net_conn *prev, *next; /* all connections */
    struct ww_net_conn *hnext;       /* bucket by id */
    struct ww_net_conn *rnext;       /* ready list */
};

typedef struct post {
    int op; /* 0 send, 1 resume, 2 close */
    uint64_t id;
    uint8_t *p;
    size_t n;
} post_t;

struct ww_net {
    int ep;
    int wake_fd, timer_fd;
    int wake_kind, timer_kind; /* epoll tags */
    volatile int stop;
    uint64_t next_id;
    ww_net_listener_t *listeners;
    ww_net_conn_t *conns;
    ww_net_conn_t *buckets[ID_SLOTS];
    ww_net_conn_t *ready;
    ww_net_conn_t *dead; /* closed this turn, linked by rnext: events may still name them */
    uint8_t *rbuf;       /* every read lands here first */
    size_t rbuf_n;
    uint32_t nmem_wait; /* connections waiting for memory */
    int mem_kick;       /* look at them again: memory may have come back */
    uint64_t held;      /* unfinished input held by connections (handlers and c->in) */
    pthread_mutex_t mu; /* guards posts */
    post_t *posts;
    size_t nposts, cap;
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void set_errno_diag(ww_diag_t *d, const char *what)
{
    ww_diag_set(d, "", 0, 0, "%s: %s", what, strerror(errno));
}

/* ---- the memory budget ---- */

static void mem_note(ww_membudget_t *m, bool at_cap, uint64_t used)
{
    int want = at_cap ? 0 : 1;
    if (__atomic_compare_exchange_n(&m->episode, &want, at_cap ? 1 : 0, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_RELAXED) &&
        m->note)
        m->note(m->ud, at_cap, used, m->cap);
}

static void mem_peak(ww_membudget_t *m, uint64_t used)
{
    uint64_t p = __atomic_load_n(&m->peak, __ATOMIC_RELAXED);
    while (used > p && !__atomic_compare_exchange_n(&m->peak, &p, used, true, __ATOMIC_RELAXED,
                                                    __ATOMIC_RELAXED)) {
    }
}

bool ww_mem_take(ww_membudget_t *m, uint64_t n)
{
    if (!m)
        return true;
    uint64_t u = __atomic_load_n(&m->used, __ATOMIC_RELAXED);
    do {
        if (m->cap && u + n + m->reserve > m->cap) {
            ww_mem_pressure(m);
            return false;
        }
    } while (!__atomic_compare_exchange_n(&m->used, &u, u + n, true, __ATOMIC_ACQ_REL,
                                          __ATOMIC_RELAXED));
    mem_peak(m, u + n);
    return true;
}

void ww_mem_force(ww_membudget_t *m, uint64_t n)
{
    if (m && n)
        mem_peak(m, __atomic_add_fetch(&m->used, n, __ATOMIC_ACQ_REL));
}

void ww_mem_give(ww_membudget_t *m, uint64_t n)
{
    if (!m || !n)
        return;
    uint64_t u = __atomic_sub_fetch(&m->used, n, __ATOMIC_ACQ_REL);
    if (m->cap && u < m->cap / 8 * 7 && __atomic_load_n(&m->episode, __ATOMIC_RELAXED))
        mem_note(m, false, u);
}

bool ww_mem_room(const ww_membudget_t *m, uint64_t n)
{
    return !m || !m->cap || __atomic_load_n(&m->used, __ATOMIC_RELAXED) + n + m->reserve <= m->cap;
}

bool ww_mem_room_all(const ww_membudget_t *m, uint64_t n)
{
    return !m || !m->cap || __atomic_load_n(&m->used, __ATOMIC_RELAXED) + n <= m->cap;
}

void ww_mem_pressure(ww_membudget_t *m)
{
    if (!m)
        return;
    __atomic_add_fetch(&m->pressure, 1, __ATOMIC_RELAXED);
    if (m->cap && !__atomic_load_n(&m->episode, __ATOMIC_RELAXED))
        mem_note(m, true, __atomic_load_n(&m->used, __ATOMIC_RELAXED));
}

int ww_net_new(ww_net_t **out, ww_diag_t *diag)
{
    *out = NULL;
    ww_net_t *n = calloc(1, sizeof *n);
    if (!n)
        return WW_ENOMEM;
    pthread_mutex_init(&n->mu, NULL);
    n->ep = n->wake_fd = n->timer_fd = -1;
    n->wake_kind = K_WAKE;
    n->timer_kind = K_TIMER;
    n->ep = epoll_create1(EPOLL_CLOEXEC);
    n->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    n->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (n->ep < 0 || n->wake_fd < 0 || n->timer_fd < 0) {
        set_errno_diag(diag, "network loop");
        ww_net_free(n);
        return WW_EIO;
    }
    struct itimerspec its = {{1, 0}, {1, 0}}; /* the idle sweep, once a second */
    timerfd_settime(n->timer_fd, 0, &its, NULL);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &n->wake_kind};
    epoll_ctl(n->ep, EPOLL_CTL_ADD, n->wake_fd, &ev);
    ev.data.ptr = &n->timer_kind;
    epoll_ctl(n->ep, EPOLL_CTL_ADD, n->timer_fd, &ev);
    n->next_id = 1;
    *out = n;
    return 0;
}

/* ---- connections ---- */

static void watch(ww_net_t *n, ww_net_conn_t *c)
{
    uint32_t want = 0;
    bool out_pending = c->out.n > c->out_off;
    if (c->handshaking) {
        want = c->events ? c->events : EPOLLIN; /* set by the handshake step */
    } else {
        if (!c->paused && !c->mem_wait && !c->closing)
            want |= EPOLLIN;
        if (out_pending || c->read_wants_write)
            want |= EPOLLOUT;
    }
    if (want == c->events && c->events)
        return;
    struct epoll_event ev = {.events = want, .data.ptr = c};
    epoll_ctl(n->ep, EPOLL_CTL_MOD, c->fd, &ev);
    c->events = want;
}

static ww_net_conn_t *find(ww_net_t *n, uint64_t id)
{
    for (ww_net_conn_t *c = n->buckets[id % ID_SLOTS]; c; c = c->hnext)
        if (c->id == id)
            return c;
    return NULL;
}

/* Closes a connection: the handler hears of it now, the memory goes at the end of the
 * loop's turn (conn_reap), since events gathered in the same turn may still name it. */
static void conn_free(ww_net_t *n, ww_net_conn_t *c, const char *why)
{
    if (c->dead)
        return;
    if (c->opened && c->l->h.close)
        c->l->h.close(c->st, why);
    if (c->ssl) {
        if (!c->handshaking)
            SSL_shutdown(c->ssl); /* best effort: a close_notify, never waited for */
        SSL_free(c->ssl);
        c->ssl = NULL;
    }
    epoll_ctl(n->ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->l->st.open--;
    if (c->mem_wait)
        n->nmem_wait--;
    n->held -= c->unfinished + c->in_cap;
    ww_mem_give(c->l->o.mem, c->charged);
    c->charged = 0;
    if (c->prev)
        c->prev->next = c->next;
    else
        n->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    ww_net_conn_t **pp = &n->buckets[c->id % ID_SLOTS];
    while (*pp != c)
        pp = &(*pp)->hnext;
    *pp = c->hnext;
    if (c->ready) {
        ww_net_conn_t **rp = &n->ready;
        while (*rp != c)
            rp = &(*rp)->rnext;
        *rp = c->rnext;
    }
    c->dead = true;
    c->rnext = n->dead;
    n->dead = c;
}

static void conn_reap(ww_net_t *n)
{
    while (n->dead) {
        ww_net_conn_t *c = n->dead;
        n->dead = c->rnext;
        free(c->in);
        ww_buf_release(&c->out);
        free(c);
    }
}

static void peer_text(const struct sockaddr_storage *ss, char *out, size_t n)
{
    char a[INET6_ADDRSTRLEN] = "?";
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *v4 = (const void *)ss;
        inet_ntop(AF_INET, &v4->sin_addr, a, sizeof a);
        snprintf(out, n, "%s:%u", a, ntohs(v4->sin_port));
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const void *)ss;
        if (IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr)) {
            inet_ntop(AF_INET, &v6->sin6_addr.s6_addr[12], a, sizeof a);
            snprintf(out, n, "%s:%u", a, ntohs(v6->sin6_port));
        } else {
            inet_ntop(AF_INET6, &v6->sin6_addr, a, sizeof a);
            snprintf(out, n, "[%s]:%u", a, ntohs(v6->sin6_port));
        }
    } else {
        snprintf(out, n, "?");
    }
}

/* Writes queued output.  Returns 0, or -1 when the connection failed. */
static int flush_out(ww_net_conn_t *c)
{
    while (c->out_off < c->out.n) {
        size_t left = c->out.n - c->out_off;
        ssize_t w;
        if (c->ssl) {
            ERR_clear_error();
            int r =
                SSL_write(c->ssl, c->out.p + c->out_off, left > INT32_MAX ? INT32_MAX : (int)left);
            if (r <= 0) {
                int e = SSL_get_error(c->ssl, r);
                if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ)
                    return 0;
                return -1;
            }
            w = r;
        } else {
            w = send(c->fd, c->out.p + c->out_off, left, MSG_NOSIGNAL);
            if (w < 0)
                return errno == EAGAIN || errno == EINTR ? 0 : -1;
        }
        c->out_off += (size_t)w;
    }
    ww_buf_clear(&c->out);
    c->out_off = 0;
    return 0;
}

/* Charges (or gives back) the change in what the handler holds for c. */
static void recharge(ww_net_t *n, ww_net_conn_t *c)
{
    if (!c->l->h.held)
        return;
    size_t u = 0, h = c->l->h.held(c->st, &u);
    if (h > c->held) {
        ww_mem_force(c->l->o.mem, h - c->held);
        c->charged += h - c->held;
    } else if (h < c->held) {
        ww_mem_give(c->l->o.mem, c->held - h);
        c->charged -= c->held - h;
    }
    n->held = n->held - c->unfinished + u;
    c->held = h;
    c->unfinished = u;
}

/* Offers p[0..len) to the handler.  Returns the bytes it took (len: all; fewer: it
 * paused), or -1 when it failed the connection (why in d). */
static int64_t offer(ww_net_t *n, ww_net_conn_t *c, const uint8_t *p, size_t len, ww_diag_t *d)
{
    int64_t k = c->l->h.data(c->st, p, len, d);
    recharge(n, c);
    if (k < 0)
        return -1;
    if ((size_t)k > len)
        k = (int64_t)len;
    if ((size_t)k < len)
        c->paused = true;
    return k;
}

/* Drops c's leftover buffer and its charge. */
static void in_release(ww_net_t *n, ww_net_conn_t *c)
{
    ww_mem_give(c->l->o.mem, c->in_cap);
    c->charged -= c->in_cap;
    n->held -= c->in_cap;
    free(c->in);
    c->in = NULL;
    c->in_n = c->in_cap = 0;
}

/* Keeps what the handler did not take of a read, in a buffer of its own size (the
 * read was within the budget, so the charge is forced).  0, or -1 out of memory. */
static int in_keep(ww_net_t *n, ww_net_conn_t *c, const uint8_t *p, size_t len)
{
    if (!(c->in = malloc(len)))
        return -1;
    memcpy(c->in, p, len);
    c->in_n = c->in_cap = len;
    ww_mem_force(c->l->o.mem, len);
    c->charged += len;
    n->held += len;
    return 0;
}

/* Offers the leftovers of an earlier read.  Returns 1 when all were taken, 0 when the
 * handler paused again, -1 when it failed the connection. */
static int offer_kept(ww_net_t *n, ww_net_conn_t *c, ww_diag_t *d)
{
    if (!c->in_n)
        return 1;
    int64_t k = offer(n, c, c->in, c->in_n, d);
    if (k < 0)
        return -1;
    memmove(c->in, c->in + k, c->in_n - (size_t)k);
    c->in_n -= (size_t)k;
    if (c->in_n)
        return 0;
    in_release(n, c);
    return 1;
}

/* No room in the budget for another read: the connection waits for memory, or, when it
 * holds a large unfinished message and such holdings fill half the cap, is closed
 * (they would never drain by themselves).  Returns a reason to close, or NULL. */
/* A zero-byte data(): the handler may move on what it holds (messages gathered for a
 * spool that has room again), and what it holds is asked again.  Returns a reason to
 * close, or NULL. */
static const char *nudge(ww_net_t *n, ww_net_conn_t *c, char *why, size_t whylen)
{
    ww_diag_t d = {0};
    if (!c->paused && c->l->h.data(c->st, n->rbuf, 0, &d) < 0) {
        snprintf(why, whylen, "%.199s", d.msg[0] ? d.msg : "the protocol handler failed");
        return why;
    }
    recharge(n, c);
    return NULL;
}

static const char *mem_wait(ww_net_t *n, ww_net_conn_t *c, char *why, size_t whylen)
{
    ww_membudget_t *m = c->l->o.mem;
    ww_mem_pressure(m);
    size_t mine = c->unfinished + c->in_cap;
    if (mine >= HOLD_CUT && n->held > m->cap / 2) {
        c->l->st.memory_refused++;
        snprintf(why, whylen,
                 "memory cap: %zu bytes of an unfinished message held while unfinished messages "
                 "fill half of limits: memory",
                 mine);
        return why;
    }
    c->mem_wait = true;
    n->nmem_wait++;
    return NULL;
}

/* Reads and offers, at most READS_PER_WAKE times.  Returns a reason to close the
 * connection, or NULL. */
static const char *conn_read(ww_net_t *n, ww_net_conn_t *c, char *why, size_t whylen)
{
    ww_diag_t d = {0};
    int o = offer_kept(n, c, &d);
    if (o < 0)
        goto fail;
    if (o == 0)
        return NULL;
    size_t want = c->l->o.read_buf;
    for (int i = 0; i < READS_PER_WAKE && !c->paused; i++) {
        ssize_t r;
        c->read_wants_write = false;
        /* Room for a whole read, which the handler may keep all of. */
        if (!ww_mem_room(c->l->o.mem, want)) {
            const char *bye = nudge(n, c, why, whylen);
            if (bye)
                return bye;
            if (!ww_mem_room(c->l->o.mem, want))
                return mem_wait(n, c, why, whylen);
        }
        if (c->ssl) {
            ERR_clear_error();
            int k = SSL_read(c->ssl, n->rbuf, (int)want);
            if (k <= 0) {
                int e = SSL_get_error(c->ssl, k);
                if (e == SSL_ERROR_WANT_READ)
                    return NULL;
                if (e == SSL_ERROR_WANT_WRITE) {
                    c->read_wants_write = true;
                    return NULL;
                }
                if (e == SSL_ERROR_ZERO_RETURN)
                    return "";
                snprintf(why, whylen, "TLS read failed");
                return why;
            }
            r = k;
        } else {
            r = recv(c->fd, n->rbuf, want, 0);
            if (r < 0) {
                if (errno == EAGAIN || errno == EINTR)
                    return NULL;
                snprintf(why, whylen, "read failed: %s", strerror(errno));
                return why;
            }
            if (r == 0)
                return "";
        }
        c->l->st.bytes += (uint64_t)r;
        c->last_ms = now_ms();
        int64_t k = offer(n, c, n->rbuf, (size_t)r, &d);
        if (k < 0)
            goto fail;
        if ((size_t)k < (size_t)r && in_keep(n, c, n->rbuf + k, (size_t)r - (size_t)k) != 0) {
            snprintf(why, whylen, "out of memory");
            return why;
        }
    }
    /* Bytes decrypted inside OpenSSL are invisible to epoll: come back for them. */
    if (c->ssl && !c->paused && SSL_pending(c->ssl) > 0 && !c->ready) {
        c->ready = true;
        c->rnext = n->ready;
        n->ready = c;
    }
    return NULL;
fail:
    snprintf(why, whylen, "%.199s", d.msg[0] ? d.msg : "the protocol handler refused the data");
    return why;
}

/* Connections that waited for memory read again while the budget has room. */
static void mem_resume(ww_net_t *n)
{
    for (ww_net_conn_t *c = n->conns, *next; c && n->nmem_wait; c = next) {
        next = c->next;
        if (!c->mem_wait)
            continue;
        char why[260];
        const char *bye = nudge(n, c, why, sizeof why);
        if (bye) {
            conn_free(n, c, bye);
            continue;
        }
        if (!ww_mem_room(c->l->o.mem, c->l->o.read_buf))
            continue; /* still full: nudge the others, they may free some */
        c->mem_wait = false;
        n->nmem_wait--;
        c->last_ms = now_ms();
        if (!c->paused && !c->closing) {
            bye = conn_read(n, c, why, sizeof why);
            if (bye) {
                conn_free(n, c, bye);
                continue;
            }
        }
        watch(n, c);
    }
}
static void handshake(ww_net_t *n, ww_net_conn_t *c)
{
    ERR_clear_error();
    int r = SSL_accept(c->ssl);
    if (r == 1) {
        c->handshaking = false;
        c->events = 0;
        X509 *cert = SSL_get_peer_certificate(c->ssl);
        if (cert) {
            X509_NAME_oneline(X509_get_subject_name(cert), c->subject, sizeof c->subject);
            X509_free(cert);
        }
        c->st = c->l->h.open(c->l->ud, c);
        if (!c->st) {
            conn_free(n, c, "refused by the handler");
            return;
        }
        c->opened = true;
        watch(n, c);
        char why[260];
        const char *bye = conn_read(n, c, why, sizeof why);
        if (bye)
            conn_free(n, c, bye);
        else
            watch(n, c);
        return;
    }
    int e = SSL_get_error(c->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        c->events = e == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT;
        struct epoll_event ev = {.events = c->events, .data.ptr = c};
        epoll_ctl(n->ep, EPOLL_CTL_MOD, c->fd, &ev);
        return;
    }
    c->l->st.tls_failed++;
    char why[256];
    unsigned long err = ERR_peek_error();
    snprintf(why, sizeof why, "TLS handshake failed: %s",
             err ? ERR_reason_error_string(err) ? ERR_reason_error_string(err) : "error"
                 : "peer closed");
    conn_free(n, c, why);
}

static void conn_event(ww_net_t *n, ww_net_conn_t *c, uint32_t events)
{
    char why[260];
    if (c->handshaking) {
        handshake(n, c);
        return;
    }
    if (events & (EPOLLOUT)) {
        if (flush_out(c) < 0) {
            conn_free(n, c, "write failed");
            return;
        }
        if (c->closing && c->out.n == 0) {
            conn_free(n, c, "closed by the server");
            return;
        }
    }
    if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) ||
        (c->read_wants_write && (events & EPOLLOUT))) {
        if (!c->paused && !c->mem_wait && !c->closing) {
            const char *bye = conn_read(n, c, why, sizeof why);
            if (bye) {
                conn_free(n, c, bye);
                return;
            }
        } else if (events & (EPOLLHUP | EPOLLERR)) {
            conn_free(n, c, "connection lost");
            return;
        }
    }
    if (c->out.n && flush_out(c) < 0) {
        conn_free(n, c, "write failed");
        return;
    }
    watch(n, c);
}

static void accept_all(ww_net_t *n, ww_net_listener_t *l)
{
    for (int i = 0; i < 64; i++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int fd = accept4(l->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return; /* EAGAIN, or a transient error (EMFILE): epoll brings us back */
        if (l->st.open >= l->o.max_conns) {
            l->st.refused++;
            close(fd);
            continue;
        }
        /* At the memory cap a new connection is refused like one over max_conns (the
           sender retries); those already open wait for room. */
        size_t cost = CONN_COST + (l->ssl ? TLS_COST : 0);
        if (!ww_mem_take(l->o.mem, cost)) {
            l->st.refused++;
            l->st.memory_refused++;
            close(fd);
            continue;
        }
        ww_net_conn_t *c = calloc(1, sizeof *c);
        if (!c) {
            ww_mem_give(l->o.mem, cost);
            close(fd);
            l->st.errors++;
            continue;
        }
        c->charged = cost;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c->kind = K_CONN;
        c->fd = fd;
        c->id = n->next_id++;
        c->l = l;
        c->last_ms = now_ms();
        ww_buf_init(&c->out, 0);
        peer_text(&ss, c->peer, sizeof c->peer);
        c->next = n->conns;
        if (n->conns)
            n->conns->prev = c;
        n->conns = c;
        c->hnext = n->buckets[c->id % ID_SLOTS];
        n->buckets[c->id % ID_SLOTS] = c;
        l->st.open++;
        l->st.accepted++;
        c->events = EPOLLIN;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(n->ep, EPOLL_CTL_ADD, fd, &ev);
        if (l->ssl) {
            c->ssl = SSL_new(l->ssl);
            if (!c->ssl || SSL_set_fd(c->ssl, fd) != 1) {
                conn_free(n, c, "out of memory");
                continue;
            }
            SSL_set_mode(c->ssl,
                         SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
            c->handshaking = true;
            handshake(n, c);
            continue;
        }
        c->st = l->h.open(l->ud, c);
        if (!c->st) {
            conn_free(n, c, "refused by the handler");
            continue;
        }
        c->opened = true;
    }
}

static void udp_read(ww_net_listener_t *l)
{
    for (int i = 0; i < 256; i++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        ssize_t r = recvfrom(l->fd, l->udp_buf, UDP_MAX, MSG_TRUNC, (struct sockaddr *)&ss, &sl);
        if (r < 0)
            return;
        l->st.datagrams++;
        l->st.bytes += (uint64_t)r;
        size_t got = (size_t)r > UDP_MAX ? UDP_MAX : (size_t)r;
        l->h.datagram(l->ud, l->udp_buf, got, (struct sockaddr *)&ss, sl);
    }
}

static void idle_sweep(ww_net_t *n)
{
    uint64_t t = now_ms();
    for (ww_net_conn_t *c = n->conns, *next; c; c = next) {
        next = c->next;
        /* A paused connection waits for us, not for its sender. */
        if (!c->paused && !c->mem_wait && t - c->last_ms > c->l->o.idle_ms) {
            c->l->st.idle_closed++;
            char why[80];
            snprintf(why, sizeof why, "%s for %llu s", c->handshaking ? "no TLS handshake" : "idle",
                     (unsigned long long)(c->l->o.idle_ms / 1000));
            conn_free(n, c, why);
        }
    }
}

static void run_posts(ww_net_t *n)
{
    uint64_t v;
    while (read(n->wake_fd, &v, sizeof v) > 0) {
    }
    pthread_mutex_lock(&n->mu);
    post_t *p = n->posts;
    size_t np = n->nposts;
    n->posts = NULL;
    n->nposts = n->cap = 0;
    pthread_mutex_unlock(&n->mu);
    for (size_t i = 0; i < np; i++) {
        ww_net_conn_t *c = find(n, p[i].id);
        if (c && !c->handshaking) {
            if (p[i].op == 0) {
                if (ww_buf_append(&c->out, p[i].p, p[i].n) != 0) {
                    conn_free(n, c, "out of memory");
                    c = NULL;
                } else if (flush_out(c) < 0) {
                    conn_free(n, c, "write failed");
                    c = NULL;
                }
            } else if (p[i].op == 1 && c->paused) {
                c->paused = false;
                c->last_ms = now_ms();
                char why[260];
                const char *bye = conn_read(n, c, why, sizeof why);
                if (bye) {
                    conn_free(n, c, bye);
                    c = NULL;
                }
            } else if (p[i].op == 2) {
                c->closing = true;
                if (c->out.n == 0) {
                    conn_free(n, c, "closed by the server");
                    c = NULL;
                }
            }
            if (c)
                watch(n, c);
        }
        free(p[i].p);
    }
    free(p);
}

int ww_net_run(ww_net_t *n)
{
    struct epoll_event evs[64];
    while (!n->stop) {
        int k = epoll_wait(n->ep, evs, 64, n->ready ? 0 : 1000);
        if (k < 0 && errno != EINTR)
            return WW_EIO;
        for (int i = 0; i < k; i++) {
            int kind = *(int *)evs[i].data.ptr;
            if (kind == K_WAKE)
                run_posts(n);
            else if (kind == K_TIMER) {
                uint64_t v;
                while (read(n->timer_fd, &v, sizeof v) > 0) {
                }
                idle_sweep(n);
                n->mem_kick = 1;
            } else if (kind == K_LISTEN_TCP)
                accept_all(n, evs[i].data.ptr);
            else if (kind == K_LISTEN_UDP)
                udp_read(evs[i].data.ptr);
            else if (!((ww_net_conn_t *)evs[i].data.ptr)->dead)
                conn_event(n, evs[i].data.ptr, evs[i].events);
        }
        ww_net_conn_t *r = n->ready;
        n->ready = NULL;
        while (r) {
            ww_net_conn_t *next = r->rnext;
            r->ready = false;
            conn_event(n, r, EPOLLIN);
            r = next;
        }
        /* Waiting connections are looked at when memory may have come back: a second
           has passed, or another thread said so (ww_net_wake). */
        if (n->nmem_wait && __atomic_exchange_n(&n->mem_kick, 0, __ATOMIC_ACQ_REL))
            mem_resume(n);
        conn_reap(n);
    }
    return 0;
}

void ww_net_wake(ww_net_t *n)
{
    __atomic_store_n(&n->mem_kick, 1, __ATOMIC_RELEASE);
    uint64_t one = 1;
    if (write(n->wake_fd, &one, sizeof one) < 0) {
        /* the counter is full: the loop is awake anyway */
    }
}

void ww_net_stop(ww_net_t *n)
{
    n->stop = 1;
    uint64_t one = 1;
    if (write(n->wake_fd, &one, sizeof one) < 0) {
        /* the counter is full: the loop is awake anyway */
    }
}

static int post(ww_net_t *n, int op, uint64_t id, const void *p, size_t len)
{
    uint8_t *copy = NULL;
    if (len) {
        copy = malloc(len);
        if (!copy)
            return WW_ENOMEM;
        memcpy(copy, p, len);
    }
    pthread_mutex_lock(&n->mu);
    if (n->nposts == n->cap) {
        size_t cap = n->cap ? n->cap * 2 : 64;
        post_t *np = realloc(n->posts, cap * sizeof *np);
        if (!np) {
            pthread_mutex_unlock(&n->mu);
            free(copy);
            return WW_ENOMEM;
        }
        n->posts = np;
        n->cap = cap;
    }
    n->posts[n->nposts++] = (post_t){op, id, copy, len};
    pthread_mutex_unlock(&n->mu);
    uint64_t one = 1;
    if (write(n->wake_fd, &one, sizeof one) < 0) {
        /* the counter is full: the loop is awake anyway */
    }
    return 0;
}

int ww_net_send(ww_net_t *n, uint64_t id, const void *p, size_t len)
{
    return post(n, 0, id, p, len);
}

int ww_net_resume(ww_net_t *n, uint64_t id)
{
    return post(n, 1, id, NULL, 0);
}

int ww_net_close(ww_net_t *n, uint64_t id)
{
    return post(n, 2, id, NULL, 0);
}

uint64_t ww_net_conn_id(const ww_net_conn_t *c)
{
    return c->id;
}

const char *ww_net_conn_peer(const ww_net_conn_t *c)
{
    return c->peer;
}

const char *ww_net_conn_subject(const ww_net_conn_t *c)
{
    return c->subject;
}

/* ---- listeners ---- */

static int tls_ctx(const ww_net_opts_t *o, SSL_CTX **out, ww_diag_t *diag)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx)
        return WW_ENOMEM;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    /* No TLS 1.3 session tickets: log senders only write, and one that closes its
       socket with the unread tickets in its receive buffer makes its kernel reset the
       connection, which throws away what it sent that this side had not read yet
       (syslog-ng's loggen lost a third of its messages so). */
    SSL_CTX_set_num_tickets(ctx, 0);
    if (SSL_CTX_use_certificate_chain_file(ctx, o->cert) != 1) {
        ww_diag_set(diag, o->cert, 0, 0, "cannot use the certificate (PEM)");
        goto fail;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, o->key, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
        ww_diag_set(diag, o->key, 0, 0, "cannot use the key, or it does not match the certificate");
        goto fail;
    }
    if (o->client_ca) {
        if (SSL_CTX_load_verify_locations(ctx, o->client_ca, NULL) != 1) {
            ww_diag_set(diag, o->client_ca, 0, 0, "cannot read the client CA bundle (PEM)");
            goto fail;
        }
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    }
    *out = ctx;
    return 0;
fail:
    SSL_CTX_free(ctx);
    return WW_EINVAL;
}

static int listen_common(ww_net_t *n, int type, const struct sockaddr *addr, socklen_t len,
                         const ww_net_opts_t *o, const ww_net_handler_t *h, void *ud,
                         ww_net_listener_t **out, ww_diag_t *diag)
{
    ww_net_listener_t *l = calloc(1, sizeof *l);
    if (!l)
        return WW_ENOMEM;
    l->kind = type == SOCK_STREAM ? K_LISTEN_TCP : K_LISTEN_UDP;
    l->net = n;
    l->h = *h;
    l->ud = ud;
    l->o = o ? *o : (ww_net_opts_t){0};
    if (!l->o.max_conns)
        l->o.max_conns = 1024;
    if (!l->o.idle_ms)
        l->o.idle_ms = 300 * 1000;
    if (!l->o.read_buf)
        l->o.read_buf = 64 * 1024;
    int rc = 0;
    if (type == SOCK_STREAM && l->o.read_buf > n->rbuf_n) {
        uint8_t *nb = realloc(n->rbuf, l->o.read_buf);
        if (!nb) {
            free(l);
            return WW_ENOMEM;
        }
        n->rbuf = nb;
        n->rbuf_n = l->o.read_buf;
    }
    if (type == SOCK_STREAM && l->o.cert && l->o.key && (rc = tls_ctx(&l->o, &l->ssl, diag)))
        goto fail;
    l->fd = socket(addr->sa_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (l->fd < 0) {
        set_errno_diag(diag, "socket");
        rc = WW_EIO;
        goto fail;
    }
    int one = 1, zero = 0;
    setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (addr->sa_family == AF_INET6)
        setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    if (type == SOCK_DGRAM && l->o.rcvbuf) {
        int sz = l->o.rcvbuf > INT32_MAX ? INT32_MAX : (int)l->o.rcvbuf;
        setsockopt(l->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
    }
    if (bind(l->fd, addr, len) != 0 || (type == SOCK_STREAM && listen(l->fd, 512) != 0)) {
        char a[80];
        struct sockaddr_storage ss;
        memcpy(&ss, addr, len < sizeof ss ? len : sizeof ss);
        peer_text(&ss, a, sizeof a);
        ww_diag_set(diag, "", 0, 0, "cannot listen on %s: %s", a, strerror(errno));
        rc = WW_EIO;
        goto fail;
    }
    struct sockaddr_storage bound;
    socklen_t bl = sizeof bound;
    getsockname(l->fd, (struct sockaddr *)&bound, &bl);
    l->port = ntohs(bound.ss_family == AF_INET ? ((struct sockaddr_in *)&bound)->sin_port
                                               : ((struct sockaddr_in6 *)&bound)->sin6_port);
    if (type == SOCK_DGRAM && !(l->udp_buf = malloc(UDP_MAX))) {
        rc = WW_ENOMEM;
        goto fail;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = l};
    if (epoll_ctl(n->ep, EPOLL_CTL_ADD, l->fd, &ev) != 0) {
        set_errno_diag(diag, "epoll");
        rc = WW_EIO;
        goto fail;
    }
    l->next = n->listeners;
    n->listeners = l;
    if (out)
        *out = l;
    return 0;
fail:
    if (l->fd > 0)
        close(l->fd);
    SSL_CTX_free(l->ssl);
    free(l->udp_buf);
    free(l);
    return rc;
}

int ww_net_listen_tcp(ww_net_t *n, const struct sockaddr *addr, socklen_t len,
                      const ww_net_opts_t *o, const ww_net_handler_t *h, void *ud,
                      ww_net_listener_t **out, ww_diag_t *diag)
{
    return listen_common(n, SOCK_STREAM, addr, len, o, h, ud, out, diag);
}

int ww_net_listen_udp(ww_net_t *n, const struct sockaddr *addr, socklen_t len,
                      const ww_net_opts_t *o, const ww_net_handler_t *h, void *ud,
                      ww_net_listener_t **out, ww_diag_t *diag)
{
    return listen_common(n, SOCK_DGRAM, addr, len, o, h, ud, out, diag);
}

int ww_net_port(const ww_net_listener_t *l)
{
    return l->port;
}

void ww_net_listener_stats(const ww_net_listener_t *l, ww_net_stats_t *out)
{
    *out = l->st;
}

void ww_net_free(ww_net_t *n)
{
    if (!n)
        return;
    while (n->conns)
        conn_free(n, n->conns, "shutting down");
    conn_reap(n);
    for (ww_net_listener_t *l = n->listeners, *next; l; l = next) {
        next = l->next;
        close(l->fd);
        SSL_CTX_free(l->ssl);
        free(l->udp_buf);
        free(l);
    }
    for (size_t i = 0; i < n->nposts; i++)
        free(n->posts[i].p);
    free(n->posts);
    free(n->rbuf);
    if (n->ep >= 0)
        close(n->ep);
    if (n->wake_fd >= 0)
        close(n->wake_fd);
    if (n->timer_fd >= 0)
        close(n->timer_fd);
    pthread_mutex_destroy(&n->mu);
    free(n);
}
