/* The HTTP input (see ww_http_in.h) on libmicrohttpd: a small thread pool; each request
 * is checked before its body is read (method, path, token, declared length), its body
 * gathered under the limit, split into events (ingest/ww_httpbody), appended to the
 * spool as one batch and answered once the batch is durable. */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ingest/ww_httpbody.h"
#include "serve/ww_http_in.h"

#define POOL_THREADS 4
#define DURABLE_WAIT_MS 10000 /* a spool that cannot sync in this long answers 503 */
#define RETRY_AFTER "5"

struct ww_http_in {
    const ww_sc_input_t *cfg;
    ww_spool_t *sp;
    ww_serve_input_stats_t *st;
    struct MHD_Daemon *d;
    char *cert, *key; /* PEM text for GnuTLS */
    int port;
};

typedef struct req {
    int status;         /* decided before the body: answer this and ignore the body */
    const char *reason; /* for that answer */
    const char *token_name;
    char *body;
    size_t n, cap;
} req_t;

static void count(uint64_t *c, uint64_t n)
{
    __atomic_add_fetch(c, n, __ATOMIC_RELAXED);
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

static const char *token_of(ww_http_in_t *h, const char *auth)
{
    if (!auth || strncasecmp(auth, "Bearer ", 7) != 0)
        return NULL;
    const char *t = auth + 7, *found = NULL;
    while (*t == ' ')
        t++;
    for (uint32_t i = 0; i < h->cfg->ntokens; i++)
        if (same(t, h->cfg->tokens[i].value) && !found)
            found = h->cfg->tokens[i].name;
    return found;
}

static bool path_ok(const char *url)
{
    size_t n = strlen(url);
    return n >= 7 && strcmp(url + n - 7, "/ingest") == 0;
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
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, peer, sizeof peer);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, peer, sizeof peer);
    }
    char source[WW_SPOOL_MAX_SOURCE];
    int sl = snprintf(source, sizeof source, "%s\t%s %s", h->cfg->name, r->token_name, peer);
    batch_t b = {.source = source, .source_n = sl < 0 ? 0 : (size_t)sl};
    ww_arena_init(&b.arena, 64 * 1024, 0);
    ww_httpbody_limits_t lim = {.max_body = h->cfg->max_body, .max_event = h->cfg->max_frame};
    ww_httpbody_result_t res;
    ww_diag_t d = {0};
    int rc = ww_httpbody_split(ctype, cenc, r->body ? r->body : "", r->n, &lim, take_event, NULL,
                               &b, &res, &d);
    int ret;
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
        ret = reply(c, 503,
                    "{\"error\":\"the spool is full: nothing of this body was kept; "
                    "send it again later\"}\n");
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
        ret = reply(c, 503,
                    "{\"error\":\"the events could not be made durable in time; send "
                    "them again\"}\n");
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
    return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *size, void **con_cls)
{
    ww_http_in_t *h = cls;
    (void)version;
    req_t *r = *con_cls;
    if (!r) {
        /* The headers are in: decide what can be decided before reading the body. */
        if (!(r = calloc(1, sizeof *r)))
            return MHD_NO;
        *con_cls = r;
        const char *len = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (strcmp(method, "POST") != 0)
            r->status = 405, r->reason = "only POST is accepted";
        else if (!path_ok(url))
            r->status = 404, r->reason = "POST events to /ingest";
        else if (!(r->token_name = token_of(
                       h, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"))))
            r->status = 401, r->reason = "a valid bearer token is required";
        else if (len && strtoull(len, NULL, 10) > h->cfg->max_body)
            r->status = 413, r->reason = "the body is larger than max_body";
        return MHD_YES;
    }
    if (*size) {
        if (!r->status) {
            if (r->n + *size > h->cfg->max_body) {
                r->status = 413;
                r->reason = "the body is larger than max_body";
            } else {
                if (r->n + *size > r->cap) {
                    size_t nc = r->cap ? r->cap : 64 * 1024;
                    while (nc < r->n + *size)
                        nc *= 2;
                    char *nb = realloc(r->body, nc);
                    if (!nb) {
                        r->status = 503;
                        r->reason = "out of memory";
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
    (void)cls;
    (void)c;
    (void)toe;
    req_t *r = *con_cls;
    if (r) {
        free(r->body);
        free(r);
    }
    *con_cls = NULL;
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
                     ww_http_in_t **out, ww_diag_t *diag)
{
    *out = NULL;
    ww_http_in_t *h = calloc(1, sizeof *h);
    if (!h)
        return WW_ENOMEM;
    h->cfg = cfg;
    h->sp = sp;
    h->st = st;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    if (cfg->addr.ss_family == AF_INET6)
        flags |= MHD_USE_DUAL_STACK;
    if (cfg->has_tls) {
        if (cfg->tls.client_ca) {
            ww_diag_set(diag, "", 0, 0,
                        "client certificates (client_ca) are not supported on http inputs yet");
            free(h);
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
    h->d = MHD_start_daemon(flags, 0, NULL, NULL, handle, h, MHD_OPTION_SOCK_ADDR,
                            (const struct sockaddr *)&cfg->addr, MHD_OPTION_CONNECTION_LIMIT,
                            (unsigned)cfg->max_connections, MHD_OPTION_CONNECTION_TIMEOUT,
                            timeout ? timeout : 1, MHD_OPTION_THREAD_POOL_SIZE,
                            (unsigned)POOL_THREADS, MHD_OPTION_NOTIFY_COMPLETED, done, h,
                            cfg->has_tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, h->cert,
                            MHD_OPTION_HTTPS_MEM_KEY, h->key, MHD_OPTION_END);
    if (!h->d) {
        ww_diag_set(diag, "", 0, 0, "cannot listen on %s (in use, or the TLS files are not PEM)",
                    cfg->listen);
        ww_http_in_stop(h);
        return WW_EIO;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    h->port = di ? di->port : 0;
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
    if (h->d)
        MHD_stop_daemon(h->d);
    free(h->cert);
    free(h->key);
    free(h);
}
