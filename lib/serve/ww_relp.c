/* The RELP input (see ww_relp.h) on librelp: one engine and one thread per input.
 * librelp answers "rsp 200" when the receive callback returns and ignores what the
 * callback returns (src/scsyslog.c in librelp 1.11), so the only way to hold an answer
 * back is not to return: the callback appends, then waits for the group commit; when
 * the spool is full it waits for room; when nothing can be stored any more it parks. */
#include <arpa/inet.h>
#include <errno.h>
#include <librelp.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "serve/ww_relp.h"
#include "serve/ww_serve.h"

#define FULL_RETRY_MS 20     /* a full spool is tried again this often */
#define DURABLE_WAIT_MS 1000 /* per wait; a slow disk only makes the sender wait longer */
#define STOP_POKE_MS 100     /* the engine is woken this often until its thread ends */

struct ww_relp {
    const ww_sc_input_t *cfg;
    ww_spool_t *sp;
    ww_serve_input_stats_t *st;
    relpEngine_t *eng;
    int port;
    int stopping; /* read by librelp through relpEngineSetShutdownImmdtPtr */
    pthread_t tid;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;   /* the engine's thread has ended */
    bool parked; /* the callback holds a message it cannot store: never answered */
    bool warned_full;
};

static void count(uint64_t *c, uint64_t n)
{
    __atomic_add_fetch(c, n, __ATOMIC_RELAXED);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The message in hand can never be stored: the engine's thread stays here until the
 * process ends, so librelp never sends its 200 (nor any later one of this input). */
static void park(ww_relp_t *r, const char *why)
{
    ww_serve_log("error",
                 "%s: %s; this input answers no more messages (their senders keep them and send "
                 "them again after a restart)",
                 r->cfg->name, why);
    pthread_mutex_lock(&r->mu);
    r->parked = true;
    pthread_cond_broadcast(&r->cv);
    for (;;)
        pthread_cond_wait(&r->cv, &r->mu);
}

static bool stopping(ww_relp_t *r)
{
    return __atomic_load_n(&r->stopping, __ATOMIC_ACQUIRE) != 0;
}

/* librelp's receive callback, on the engine's thread: returns once the message is
 * durable (or can be dropped for good), and librelp then answers 200. */
static relpRetVal on_syslog(void *ud, unsigned char *host, unsigned char *ip, unsigned char *msg,
                            size_t n)
{
    ww_relp_t *r = ud;
    (void)host;
    count(&r->st->received, 1);
    /* omrelp sends the message without a trailer; some senders keep their LF. */
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r' || msg[n - 1] == 0))
        n--;
    if (!n) {
        count(&r->st->rejected, 1); /* nothing to keep; answered, or it comes forever */
        return RELP_RET_OK;
    }
    char source[WW_SPOOL_MAX_SOURCE];
    int sl = snprintf(source, sizeof source, "%s\t%s", r->cfg->name, ip ? (char *)ip : "?");
    size_t source_n = sl < 0 ? 0 : (size_t)sl >= sizeof source ? sizeof source - 1 : (size_t)sl;
    ww_spool_in_t rec = {source, source_n, msg, n, 0};
    uint64_t seq = 0;
    for (;;) {
        int rc = ww_spool_append(r->sp, &rec, &seq);
        if (rc == 0)
            break;
        if (rc == WW_EIO)
            park(r, "the spool failed a sync");
        if (rc != WW_SPOOL_EFULL && rc != WW_ENOMEM) {
            /* Larger than the spool takes (librelp truncates at max_frame, so only a
               max_frame above half a segment gets here): it could never be stored, and
               holding it would stop the input for good. */
            count(&r->st->rejected, 1);
            ww_serve_log("warning", "%s: a %zu-byte message from %s was refused by the spool: %s",
                         r->cfg->name, n, ip ? (char *)ip : "?", ww_strerror(rc));
            return RELP_RET_OK;
        }
        if (stopping(r))
            park(r, "stopping while the spool is full");
        if (!r->warned_full) {
            r->warned_full = true;
            ww_serve_log("warning", "%s: the spool is full: waiting for room (senders wait)",
                         r->cfg->name);
        }
        sleep_ms(FULL_RETRY_MS);
    }
    r->warned_full = false;
    count(&r->st->accepted, 1);
    for (;;) {
        int rc = ww_spool_wait_durable(r->sp, seq, DURABLE_WAIT_MS);
        if (rc == 1)
            return RELP_RET_OK;
        if (rc < 0)
            park(r, "the spool failed a sync");
    }
}

/* librelp's error reports (a session that broke, a frame over max_frame). */
static void on_err(void *ud, char *obj, char *msg, relpRetVal code)
{
    ww_relp_t *r = ud;
    if (r)
        count(&r->st->protocol_errors, 1);
    ww_serve_log("warning", "%s: %s: %s (librelp %d)", r ? r->cfg->name : "relp", obj ? obj : "",
                 msg ? msg : "", (int)code);
}

static void on_generic_err(char *obj, char *msg, relpRetVal code)
{
    on_err(NULL, obj, msg, code);
}

static void *engine_main(void *arg)
{
    ww_relp_t *r = arg;
    /* Signals are the main thread's business (SIGTERM, SIGHUP). */
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    relpRetVal rc = relpEngineRun(r->eng);
    if (rc != RELP_RET_OK && !stopping(r))
        ww_serve_log("error", "%s: the RELP engine stopped (librelp %d)", r->cfg->name, (int)rc);
    pthread_mutex_lock(&r->mu);
    r->done = true;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

/* The listening address to connect to: the configured one, or loopback for a wildcard. */
static socklen_t own_addr(const ww_relp_t *r, struct sockaddr_storage *ss)
{
    *ss = r->cfg->addr;
    if (ss->ss_family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)ss;
        a->sin_port = htons((uint16_t)r->port);
        if (a->sin_addr.s_addr == htonl(INADDR_ANY))
            a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return sizeof *a;
    }
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
    a->sin6_port = htons((uint16_t)r->port);
    if (IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr))
        a->sin6_addr = in6addr_loopback;
    return sizeof *a;
}

/* librelp's loop sleeps in epoll_wait without a timeout: a connection to its own
 * listener wakes it, and it then sees the stop flag before accepting anything. */
static void poke(const ww_relp_t *r)
{
    struct sockaddr_storage ss;
    socklen_t len = own_addr(r, &ss);
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    (void)connect(fd, (struct sockaddr *)&ss, len);
    close(fd);
}

/* Port 0: librelp binds by name and does not say which port it got, so a free one is
 * found here first (bound, read, released) and handed to librelp. */
static int free_port(const ww_sc_input_t *cfg, ww_diag_t *diag)
{
    struct sockaddr_storage ss = cfg->addr;
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    socklen_t len = sizeof ss;
    int port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&ss, cfg->addrlen) == 0 &&
        getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
        port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                             : ((struct sockaddr_in6 *)&ss)->sin6_port);
    else
        ww_diag_set(diag, "", 0, 0, "cannot find a free port on %s: %s", cfg->listen,
                    strerror(errno));
    if (fd >= 0)
        close(fd);
    return port;
}

int ww_relp_start(const ww_sc_input_t *cfg, ww_spool_t *sp, ww_serve_input_stats_t *st,
                  ww_relp_t **out, ww_diag_t *diag)
{
    *out = NULL;
    ww_relp_t *r = calloc(1, sizeof *r);
    if (!r)
        return WW_ENOMEM;
    r->cfg = cfg;
    r->sp = sp;
    r->st = st;
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    int rc = WW_EIO;
    bool any = false;
    const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)&cfg->addr;
    const struct sockaddr_in *v4 = (const struct sockaddr_in *)&cfg->addr;
    if (cfg->addr.ss_family == AF_INET6)
        r->port = ntohs(v6->sin6_port);
    else
        r->port = ntohs(v4->sin_port);
    /* ":port" is parsed as [::] by the config: every address, IPv4 and IPv6. */
    if (cfg->addr.ss_family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(&v6->sin6_addr) &&
        cfg->listen[0] == ':')
        any = true;
    if (!r->port && (r->port = free_port(cfg, diag)) < 0)
        goto fail;
    char host[INET6_ADDRSTRLEN] = "", port[8];
    if (cfg->addr.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof host);
    else
        inet_ntop(AF_INET, &v4->sin_addr, host, sizeof host);
    snprintf(port, sizeof port, "%d", r->port);
    relpSrv_t *srv = NULL;
    relpRetVal lr;
    if ((lr = relpEngineConstruct(&r->eng)) != RELP_RET_OK) {
        ww_diag_set(diag, "", 0, 0, "librelp: cannot make an engine (%d)", (int)lr);
        rc = WW_ENOMEM;
        goto fail;
    }
    /* librelp calls its debug printer unconditionally: NULL sets its no-op one. */
    relpEngineSetDbgprint(r->eng, NULL);
    relpEngineSetShutdownImmdtPtr(r->eng, &r->stopping);
    /* Peers are named by address: no reverse DNS on the receiving thread. */
    relpEngineSetDnsLookupMode(r->eng, 0);
    relpEngineSetFamily(r->eng, any ? AF_UNSPEC : cfg->addr.ss_family);
    relpEngineSetOnErr(r->eng, on_err);
    relpEngineSetOnGenericErr(r->eng, on_generic_err);
    if ((lr = relpEngineSetSyslogRcv2(r->eng, on_syslog)) != RELP_RET_OK ||
        (lr = relpEngineSetEnableCmd(r->eng, (unsigned char *)"syslog", eRelpCmdState_Required)) !=
            RELP_RET_OK ||
        (lr = relpEngineListnerConstruct(r->eng, &srv)) != RELP_RET_OK ||
        (lr = relpSrvSetLstnPort(srv, (unsigned char *)port)) != RELP_RET_OK ||
        (!any && (lr = relpSrvSetLstnAddr(srv, (unsigned char *)host)) != RELP_RET_OK) ||
        (lr = relpSrvSetUsrPtr(srv, r)) != RELP_RET_OK ||
        (lr = relpSrvSetMaxDataSize(srv, (size_t)cfg->max_frame)) != RELP_RET_OK ||
        (lr = relpSrvSetOversizeMode(srv, RELP_OVERSIZE_TRUNCATE)) != RELP_RET_OK) {
        ww_diag_set(diag, "", 0, 0, "librelp: cannot set up the listener (%d)", (int)lr);
        goto fail;
    }
    /* Finalize binds the sockets (and takes srv over, also when it fails). */
    if ((lr = relpEngineListnerConstructFinalize(r->eng, srv)) != RELP_RET_OK) {
        ww_diag_set(diag, "", 0, 0, "cannot listen on %s (port %d): in use? (librelp %d)",
                    cfg->listen, r->port, (int)lr);
        goto fail;
    }
    if (pthread_create(&r->tid, NULL, engine_main, r) != 0) {
        rc = WW_ENOMEM;
        goto fail;
    }
    r->started = true;
    *out = r;
    return 0;
fail:
    ww_relp_stop(r);
    return rc;
}

int ww_relp_port(const ww_relp_t *r)
{
    return r->port;
}

void ww_relp_stop(ww_relp_t *r)
{
    if (!r)
        return;
    if (r->started) {
        __atomic_store_n(&r->stopping, 1, __ATOMIC_RELEASE);
        pthread_mutex_lock(&r->mu);
        while (!r->done && !r->parked) {
            pthread_mutex_unlock(&r->mu);
            relpEngineSetStop(r->eng);
            poke(r);
            pthread_mutex_lock(&r->mu);
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += STOP_POKE_MS * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            if (!r->done && !r->parked)
                pthread_cond_timedwait(&r->cv, &r->mu, &ts);
        }
        bool parked = r->parked && !r->done;
        pthread_mutex_unlock(&r->mu);
        if (parked)
            return; /* kept on purpose: the parked thread still uses it */
        pthread_join(r->tid, NULL);
    }
    if (r->eng)
        relpEngineDestruct(&r->eng);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    free(r);
}
