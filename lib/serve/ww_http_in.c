/* The HTTP input (see ww_http_in.h) on libmicrohttpd: a small thread pool; each request
 * is checked before its body is read (ww_http_in_decide: method, path, token, declared
 * length), its body gathered under the limit, split into events (ingest/ww_httpbody),
 * appended to the spool as one batch and answered once the batch is durable.
 *
 * Hostile clients.  libmicrohttpd bounds a connection's headers (CONN_MEMORY: a
 * longer header block is answered 431 and closed) and closes a connection idle for
 * idle_timeout; a watcher thread here also closes one whose request line and headers
 * have not all arrived within HEADER_DEADLINE_MS (or idle_timeout when shorter), which
 * a sender dribbling a byte at a time (slowloris) would otherwise keep open forever.
 * Memory: each connection, each body being received (its declared length up front,
 * a chunked one as it grows) and the decoding of a body are charged to the memory
 * budget; a request that does not fit is answered 503 with Retry-After. */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ingest/ww_httpbody.h"
#include "serve/ww_http_in.h"

#define POOL_THREADS 4
#define CONN_MEMORY ((size_t)32 << 10) /* libmicrohttpd's buffer per connection: headers */
#define CONN_COST (CONN_MEMORY + 4096) /* and its connection struct, roughly */
#define HEADER_DEADLINE_MS 30000
#define CHUNK_STEP ((size_t)64 << 10) /* a chunked body's charge grows by this much */
#define DURABLE_WAIT_MS 10000         /* a spool that cannot sync in this long answers 503 */
#define RETRY_AFTER "5"

/* A connection, for the header deadline: from NOTIFY_CONNECTION started to closed. */
typedef struct hconn {
    int fd;
    uint64_t since_ms; /* when it connected, or its last request ended */
    bool in_request;   /* the headers of a request are in */
    bool cut;          /* shut down by the watcher */
    struct hconn *prev, *next;
} hconn_t;

struct ww_http_in {
    const ww_sc_input_t *cfg;
    ww_spool_t *sp;
    ww_serve_input_stats_t *st;
    ww_membudget_t *mem;
    struct MHD_Daemon *d;
    char *cert, *key; /* PEM text for GnuTLS */
    int port;
    uint64_t header_ms;
    pthread_mutex_t mu; /* guards conns */
    pthread_cond_t cv;
    hconn_t *conns;
    pthread_t watcher;
    bool watching, stop;
};

typedef struct req {
    int status;         /* decided before the body: answer this and ignore the body */
    const char *reason; /* for that answer */
    const char *token_name;
    char *body;
    size_t n, cap;
    uint64_t charged; /* bytes charged to the memory budget for this request */
    size_t declared;  /* Content-Length, 0 when chunked */
} req_t;

static void count(uint64_t *c, uint64_t n)
{
    __atomic_add_fetch(c, n, __ATOMIC_RELAXED);
}

/* A request answered without its body being split: its events are not known one by
   one, so the body counts as one message received and rejected. */
static void refused(ww_http_in_t *h)
{
    count(&h->st->received, 1);
    count(&h->st->rejected, 1);
}

static int reply_body(struct MHD_Connection *c, unsigned status, const ww_buf_t *b)
{
    if (b->err)
        return MHD_NO;
    struct MHD_Response *r = MHD_create_response_from_buffer(b->n, b->p, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json");
    if (status == 503 || status == 429)
        MHD_add_response_header(r, "Retry-After", RETRY_AFTER);
    if (status == 401)
        MHD_add_response_header(r, "WWW-Authenticate", "Bearer");
    int rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

/* {"error": why}: why may quote the sender's bytes, so it is a JSON string. */
static int reply(struct MHD_Connection *c, unsigned status, const char *why)
{
    ww_buf_t b;
    ww_buf_init(&b, 4096);
    ww_buf_puts(&b, "{\"error\":");
    ww_buf_json_str(&b, why, strlen(why));
    ww_buf_puts(&b, "}\n");
    int rc = reply_body(c, status, &b);
    ww_buf_release(&b);
    return rc;
}

/* Constant time in the token's content: a timing difference must not tell an attacker
 * how much of a guess was right. */
static bool same(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    unsigned char diff = (unsigned char)(na != nb);
    for (size_t i = 0; i < na; i++)
        diff |= (unsigned char)(a[i] ^ b[i % (nb ? nb : 1)]);
    return diff == 0;
}

static int token_of(const ww_sc_input_t *cfg, const char *auth)
{
    if (!auth || strncasecmp(auth, "Bearer ", 7) != 0)
        return -1;
    const char *t = auth + 7;
    int found = -1;
    while (*t == ' ')
        t++;
    for (uint32_t i = 0; i < cfg->ntokens; i++)
        if (same(t, cfg->tokens[i].value) && found < 0)
            found = (int)i;
    return found;
}

static bool path_ok(const char *url)
{
    size_t n = strlen(url);
    return n >= 7 && strcmp(url + n - 7, "/ingest") == 0;
}

/* Content-Length: digits only (optional surrounding blanks), no sign, no overflow. */
static bool parse_length(const char *s, uint64_t *out)
{
    while (*s == ' ' || *s == '\t')
        s++;
    if (!(*s >= '0' && *s <= '9'))
        return false;
    uint64_t v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s)
        return false;
    *out = v;
    return true;
}

void ww_http_in_decide(const ww_sc_input_t *cfg, const ww_http_req_t *rq, ww_http_decision_t *out)
{
    *out = (ww_http_decision_t){.token = -1};
    const char *te = rq->transfer_encoding, *cl = rq->content_length;
    if (!rq->method || strcmp(rq->method, "POST") != 0) {
        out->status = 405, out->reason = "only POST is accepted";
        return;
    }
    if (!rq->url || !path_ok(rq->url)) {
        out->status = 404, out->reason = "POST events to /ingest";
        return;
    }
    if ((out->token = token_of(cfg, rq->authorization)) < 0) {
        out->status = 401, out->reason = "a valid bearer token is required";
        return;
    }
    if (te) {
        if (strcasecmp(te, "chunked") != 0) {
            out->status = 501, out->reason = "only the chunked transfer encoding is accepted";
            return;
        }
        if (cl) {
            out->status = 400, out->reason = "both Content-Length and chunked: send one";
            return;
        }
        out->chunked = true;
        return;
    }
    if (!cl) {
        out->status = 411, out->reason = "a Content-Length (or a chunked body) is required";
        return;
    }
    if (!parse_length(cl, &out->length)) {
        out->status = 400, out->reason = "Content-Length is not a number";
        return;
    }
    if (out->length > cfg->max_body)
        out->status = 413, out->reason = "the body is larger than max_body";
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The bytes decoding a body may take beside it: the decoded copy (at most the
 * httpbody limit, less under a small memory cap) and the events' copies. */
static size_t decoded_limit(const ww_http_in_t *h)
{
    uint64_t most = WW_HTTPBODY_DEFAULT_DECODED;
    if (h->mem && h->mem->cap && h->mem->cap / 8 < most)
        most = h->mem->cap / 8;
    return (size_t)(most > h->cfg->max_body ? most : h->cfg->max_body);
}

/* ---- a body into the spool ---- */

typedef struct batch {
    ww_spool_in_t *v;
    size_t n, cap;
    ww_arena_t arena;
    const char *source;
    size_t source_n;
    int rc;
} batch_t;

static int take_event(void *ud, const char *json, size_t n, uint32_t index)
{
    batch_t *b = ud;
    (void)index;
    if (b->n == b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 256;
        ww_spool_in_t *nv = realloc(b->v, nc * sizeof *nv);
        if (!nv)
            return WW_ENOMEM;
        b->v = nv;
        b->cap = nc;
    }
    char *copy = ww_arena_strndup(&b->arena, json, n);
    if (!copy)
        return WW_ENOMEM;
    b->v[b->n++] = (ww_spool_in_t){b->source, b->source_n, copy, n, 0};
    return 0;
}

static int finish(ww_http_in_t *h, struct MHD_Connection *c, req_t *r)
{
    const char *ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    const char *cenc = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Encoding");
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char peer[INET6_ADDRSTRLEN] = "?";
    if (ci)
        ww_sockaddr_text(ci->client_addr, peer, sizeof peer);
    char source[WW_SPOOL_MAX_SOURCE];
    int sl = snprintf(source, sizeof source, "%s\t%s %s", h->cfg->name, r->token_name, peer);
    batch_t b = {.source = source, .source_n = sl < 0 ? 0 : (size_t)sl};
    ww_arena_init(&b.arena, 64 * 1024, 0);
    ww_httpbody_limits_t lim = {.max_body = h->cfg->max_body,
                                .max_decoded = decoded_limit(h),
                                .max_event = h->cfg->max_frame};
    ww_httpbody_result_t res;
    ww_diag_t d = {0};
    int ret;
    /* Decoding: a decompressed copy when encoded, the events' copies, their list. */
    bool encoded = cenc && strcasecmp(cenc, "identity") != 0;
    uint64_t need =
        (encoded ? lim.max_decoded : 0) + 2 * (uint64_t)(encoded ? lim.max_decoded : r->n);
    if (!ww_mem_take(h->mem, need)) {
        refused(h);
        ret = reply(c, 503,
                    "the server is at its memory limit: nothing of this body was kept; "
                    "send it again later");
        ww_arena_release(&b.arena);
        return ret;
    }
    r->charged += need;
    int rc = ww_httpbody_split(ctype, cenc, r->body ? r->body : "", r->n, &lim, take_event, NULL,
                               &b, &res, &d);
    count(&h->st->received, res.events + res.errors);
    count(&h->st->rejected, res.errors);
    if (rc != 0 && rc != WW_EPARSE) {
        unsigned status = rc == WW_EUNSUP   ? 415
                          : rc == WW_ELIMIT ? 413
                          : rc == WW_ENOMEM ? 503
                                            : 400;
        count(&h->st->rejected, b.n);
        ret = reply(c, status, d.msg);
        goto out;
    }
    /* A body the spool could never hold at once would be refused as "full" forever:
       too large, not "later". */
    ww_spool_stats_t ss;
    ww_spool_stats(h->sp, &ss);
    size_t bytes = 0;
    for (size_t i = 0; i < b.n; i++)
        bytes += b.v[i].payload_n + b.v[i].source_n + 64;
    if (bytes > ss.max_bytes / 4) {
        count(&h->st->rejected, b.n);
        ret = reply(c, 413, "the body is larger than a quarter of the spool: send smaller bodies");
        goto out;
    }
    uint64_t last = 0;
    int arc = b.n ? ww_spool_append_batch(h->sp, b.v, b.n, &last) : 0;
    if (arc == WW_SPOOL_EFULL || arc == WW_ENOMEM) {
        count(&h->st->rejected, b.n);
        ret =
            reply(c, 503, "the spool is full: nothing of this body was kept; send it again later");
        goto out;
    }
    if (arc < 0) {
        count(&h->st->rejected, b.n);
        ret = reply(c, arc == WW_EINVAL ? 413 : 503,
                    arc == WW_EINVAL ? "an event is larger than the spool accepts"
                                     : "the spool failed; nothing of this body was kept");
        goto out;
    }
    if (b.n && ww_spool_wait_durable(h->sp, last, DURABLE_WAIT_MS) != 1) {
        /* Appended but not known durable: the sender must not count on it.  It may
           arrive twice if sent again; that is the price of never losing it. */
        ret = reply(c, 503, "the events could not be made durable in time; send them again");
        goto out;
    }
    count(&h->st->accepted, b.n);
    ww_buf_t out;
    ww_buf_init(&out, 4096);
    ww_buf_printf(&out, "{\"accepted\":%zu", b.n);
    if (rc == WW_EPARSE) {
        ww_buf_printf(&out, ",\"malformed\":%u,\"first_malformed\":%u,\"error\":", res.errors,
                      res.first_error_index);
        ww_buf_json_str(&out, res.first_error.msg, strlen(res.first_error.msg));
    }
    ww_buf_puts(&out, "}\n");
    ret = reply_body(c, rc == WW_EPARSE ? 400 : 200, &out);
    ww_buf_release(&out);
out:
    free(b.v);
    ww_arena_release(&b.arena);
    ww_mem_give(h->mem, need);
    r->charged -= need;
    return ret;
}

static hconn_t *hconn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* Charges a body's growth to n bytes (a chunked one in steps).  false: no room. */
static bool body_charge(ww_http_in_t *h, req_t *r, uint64_t n)
{
    if (n <= r->charged)
        return true;
    uint64_t want = n - r->charged;
    if (want < CHUNK_STEP)
        want = CHUNK_STEP;
    if (!ww_mem_take(h->mem, want))
        return false;
    r->charged += want;
    return true;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *size, void **con_cls)
{
    ww_http_in_t *h = cls;
    req_t *r = *con_cls;
    if (!r) {
        /* The headers are in: decide what can be decided before reading the body. */
        if (!(r = calloc(1, sizeof *r)))
            return MHD_NO;
        *con_cls = r;
        hconn_t *hc = hconn_of(c);
        if (hc) {
            pthread_mutex_lock(&h->mu);
            hc->in_request = true;
            pthread_mutex_unlock(&h->mu);
        }
        ww_http_req_t rq = {
            .method = method,
            .url = url,
            .version = version,
            .authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"),
            .content_length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length"),
            .transfer_encoding =
                MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Transfer-Encoding"),
        };
        ww_http_decision_t dec;
        ww_http_in_decide(h->cfg, &rq, &dec);
        r->status = dec.status;
        r->reason = dec.reason;
        if (dec.token >= 0)
            r->token_name = h->cfg->tokens[dec.token].name;
        /* The declared body is charged whole before a byte of it is read. */
        r->declared = dec.chunked ? 0 : (size_t)dec.length;
        if (!r->status && !body_charge(h, r, dec.chunked ? 0 : dec.length)) {
            r->status = 503;
            r->reason = "the server is at its memory limit: send the body again later";
        }
        if (r->status)
            refused(h);
        return MHD_YES;
    }
    if (*size) {
        if (!r->status) {
            if (r->n + *size > h->cfg->max_body) {
                r->status = 413;
                r->reason = "the body is larger than max_body";
                refused(h);
            } else {
                /* The allocation is what is charged: the declared length at once, a
                   chunked body's buffer as it doubles. */
                size_t need = r->n + *size, nc = r->cap;
                if (need > nc) {
                    if (r->cap)
                        nc = r->cap;
                    else
                        nc = r->declared ? r->declared : 64 * 1024;
                    while (nc < need)
                        nc *= 2;
                    if (nc > h->cfg->max_body)
                        nc = (size_t)h->cfg->max_body;
                }
                if (!body_charge(h, r, nc)) {
                    r->status = 503;
                    r->reason = "the server is at its memory limit: send the body again later";
                    refused(h);
                } else if (nc != r->cap) {
                    char *nb = realloc(r->body, nc);
                    if (!nb) {
                        r->status = 503;
                        r->reason = "out of memory";
                        refused(h);
                    } else {
                        r->body = nb;
                        r->cap = nc;
                    }
                }
                if (!r->status) {
                    memcpy(r->body + r->n, data, *size);
                    r->n += *size;
                }
            }
            if (r->status) {
                /* What was gathered goes now: the answer is decided. */
                ww_mem_give(h->mem, r->charged);
                r->charged = 0;
                free(r->body);
                r->body = NULL;
                r->n = r->cap = 0;
            }
        }
        *size = 0; /* consumed (or thrown away once the answer is decided) */
        return MHD_YES;
    }
    if (r->status)
        return reply(c, (unsigned)r->status, r->reason);
    return finish(h, c, r);
}

static void done(void *cls, struct MHD_Connection *c, void **con_cls,
                 enum MHD_RequestTerminationCode toe)
{
    ww_http_in_t *h = cls;
    req_t *r = *con_cls;
    if (toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED)
        count(&h->st->idle_closed, 1); /* a body slower than idle_timeout */
    if (r) {
        ww_mem_give(h->mem, r->charged);
        free(r->body);
        free(r);
    }
    *con_cls = NULL;
    hconn_t *hc = hconn_of(c);
    if (hc) {
        /* The next request on this connection has its own header deadline. */
        pthread_mutex_lock(&h->mu);
        hc->in_request = false;
        hc->since_ms = now_ms();
        pthread_mutex_unlock(&h->mu);
    }
}

/* Connections come and go: charged to the budget, and watched for the header
 * deadline.  libmicrohttpd calls "closed" before it closes the socket, so the watcher
 * (which holds h->mu while it shuts one down) never touches a reused descriptor. */
static void notify_conn(void *cls, struct MHD_Connection *c, void **socket_context,
                        enum MHD_ConnectionNotificationCode toe)
{
    ww_http_in_t *h = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        hconn_t *hc = calloc(1, sizeof *hc);
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = hc;
        ww_mem_force(h->mem, CONN_COST);
        count(&h->st->connections, 1);
        if (!hc)
            return;
        hc->fd = ci ? ci->connect_fd : -1;
        hc->since_ms = now_ms();
        pthread_mutex_lock(&h->mu);
        hc->next = h->conns;
        if (h->conns)
            h->conns->prev = hc;
        h->conns = hc;
        pthread_mutex_unlock(&h->mu);
        return;
    }
    ww_mem_give(h->mem, CONN_COST);
    hconn_t *hc = *socket_context;
    if (!hc)
        return;
    pthread_mutex_lock(&h->mu);
    if (hc->prev)
        hc->prev->next = hc->next;
    else
        h->conns = hc->next;
    if (hc->next)
        hc->next->prev = hc->prev;
    pthread_mutex_unlock(&h->mu);
    free(hc);
    *socket_context = NULL;
}

/* At the memory cap, new connections are refused (counted); a sender keeps its
   connection while at the cap only to be told 503. */
static enum MHD_Result accept_policy(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
    ww_http_in_t *h = cls;
    (void)addr;
    (void)addrlen;
    if (ww_mem_room(h->mem, CONN_COST))
        return MHD_YES;
    ww_mem_pressure(h->mem);
    count(&h->st->refused_connections, 1);
    return MHD_NO;
}

/* The header deadline: once a second, a connection whose request line and headers
 * have not all come within h->header_ms is shut down (libmicrohttpd then closes it). */
static void *watch_headers(void *arg)
{
    ww_http_in_t *h = arg;
    pthread_mutex_lock(&h->mu);
    while (!h->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        pthread_cond_timedwait(&h->cv, &h->mu, &ts);
        uint64_t t = now_ms();
        for (hconn_t *hc = h->conns; hc; hc = hc->next) {
            if (hc->in_request || hc->cut || hc->fd < 0 || t - hc->since_ms <= h->header_ms)
                continue;
            hc->cut = true;
            shutdown(hc->fd, SHUT_RDWR);
            count(&h->st->idle_closed, 1);
        }
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

static char *slurp(const char *path, ww_diag_t *diag)
{
    char *buf = NULL;
    size_t len;
    if (ww_read_file(path, 1u << 20, &buf, &len) != 0)
        ww_diag_set(diag, path, 0, 0, "cannot read (or larger than 1 MiB): %s", strerror(errno));
    return buf;
}

int ww_http_in_start(const ww_sc_input_t *cfg, ww_spool_t *sp, ww_serve_input_stats_t *st,
                     ww_membudget_t *mem, ww_http_in_t **out, ww_diag_t *diag)
{
    *out = NULL;
    ww_http_in_t *h = calloc(1, sizeof *h);
    if (!h)
        return WW_ENOMEM;
    h->cfg = cfg;
    h->sp = sp;
    h->st = st;
    h->mem = mem;
    h->header_ms = cfg->idle_timeout_ms && cfg->idle_timeout_ms < HEADER_DEADLINE_MS
                       ? cfg->idle_timeout_ms
                       : HEADER_DEADLINE_MS;
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    if (cfg->addr.ss_family == AF_INET6)
        flags |= MHD_USE_DUAL_STACK;
    if (cfg->has_tls) {
        if (cfg->tls.client_ca) {
            ww_diag_set(diag, "", 0, 0,
                        "client certificates (client_ca) are not supported on http inputs yet");
            ww_http_in_stop(h);
            return WW_EINVAL;
        }
        if (!(h->cert = slurp(cfg->tls.cert, diag)) || !(h->key = slurp(cfg->tls.key, diag))) {
            ww_http_in_stop(h);
            return WW_EIO;
        }
        flags |= MHD_USE_TLS;
    }
    unsigned timeout = (unsigned)(cfg->idle_timeout_ms / 1000);
    /* The options list ends early without TLS: MHD_OPTION_END is 0. */
    h->d = MHD_start_daemon(
        flags, 0, accept_policy, h, handle, h, MHD_OPTION_SOCK_ADDR,
        (const struct sockaddr *)&cfg->addr, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)cfg->max_connections, MHD_OPTION_CONNECTION_TIMEOUT, timeout ? timeout : 1,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, CONN_MEMORY, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)POOL_THREADS, MHD_OPTION_NOTIFY_COMPLETED, done, h, MHD_OPTION_NOTIFY_CONNECTION,
        notify_conn, h, cfg->has_tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, h->cert,
        MHD_OPTION_HTTPS_MEM_KEY, h->key, MHD_OPTION_END);
    if (!h->d) {
        ww_diag_set(diag, "", 0, 0, "cannot listen on %s (in use, or the TLS files are not PEM)",
                    cfg->listen);
        ww_http_in_stop(h);
        return WW_EIO;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    h->port = di ? di->port : 0;
    if (pthread_create(&h->watcher, NULL, watch_headers, h) != 0) {
        ww_http_in_stop(h);
        return WW_ENOMEM;
    }
    h->watching = true;
    *out = h;
    return 0;
}

int ww_http_in_port(const ww_http_in_t *h)
{
    return h->port;
}

void ww_http_in_stop(ww_http_in_t *h)
{
    if (!h)
        return;
    if (h->watching) {
        pthread_mutex_lock(&h->mu);
        h->stop = true;
        pthread_cond_signal(&h->cv);
        pthread_mutex_unlock(&h->mu);
        pthread_join(h->watcher, NULL);
    }
    if (h->d)
        MHD_stop_daemon(h->d);
    free(h->cert);
    free(h->key);
    pthread_mutex_destroy(&h->mu);
    pthread_cond_destroy(&h->cv);
    free(h);
}
