/* The console's server: libmicrohttpd over GnuTLS with a thread pool.  libmicrohttpd
 * frames requests; everything else goes through the pure parser (ww_web_req.c) and
 * the router (ww_web_route.c).  A request is refused before its body is read when
 * its headers already say no (route, session, role, origin, declared size), so an
 * anonymous client cannot make the server store an upload.  Also here: the static
 * assets, loaded into memory at start with their ETags. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "web/ww_web_int.h"

#define DEFAULT_THREADS 4
#define MAX_PEM ((size_t)1 << 20)
/* TLS 1.2 and 1.3 only; GnuTLS's "SECURE" levels leave out what is broken. */
#define TLS_PRIORITIES "SECURE192:+SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%SERVER_PRECEDENCE"
#define ASSET_DEPTH 6

/* ---- assets ------------------------------------------------------------------------ */

const char *ww__web_mime(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"},
        {".webmanifest", "application/manifest+json"},
    };
    const char *dot = strrchr(name, '.');
    if (!dot)
        return NULL;
    for (size_t i = 0; i < WW_ARRAY_LEN(types); i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return NULL;
}

typedef struct walk {
    ww_web_asset_t *v;
    uint32_t n;
    size_t total;
    ww_diag_t *diag;
} walk_t;

static int load_one(walk_t *wk, const char *full, const char *rel, const char *type)
{
    if (wk->n >= WW_WEB_MAX_ASSETS) {
        ww_diag_set(wk->diag, full, 0, 0, "more than %d asset files", WW_WEB_MAX_ASSETS);
        return WW_ELIMIT;
    }
    char *data = NULL;
    size_t n = 0;
    int rc = ww_read_file(full, WW_WEB_MAX_ASSET_BYTES, &data, &n);
    if (rc) {
        ww_diag_set(wk->diag, full, 0, 0, "cannot read the asset: %s", ww_strerror(rc));
        return rc;
    }
    if ((wk->total += n) > WW_WEB_MAX_ASSETS_TOTAL) {
        free(data);
        ww_diag_set(wk->diag, full, 0, 0, "the assets are larger than %zu bytes in all",
                    WW_WEB_MAX_ASSETS_TOTAL);
        return WW_ELIMIT;
    }
    ww_web_asset_t *a = &wk->v[wk->n];
    size_t pl = strlen(rel) + 9;
    if (!(a->path = malloc(pl))) {
        free(data);
        return WW_ENOMEM;
    }
    snprintf(a->path, pl, "/assets/%s", rel);
    a->data = data;
    a->n = n;
    a->type = type;
    unsigned char d[32];
    gnutls_hash_fast(GNUTLS_DIG_SHA256, data, n, d);
    a->etag[0] = '"';
    for (int i = 0; i < 16; i++)
        snprintf(a->etag + 1 + 2 * i, 3, "%02x", d[i]);
    a->etag[33] = '"';
    a->etag[34] = 0;
    wk->n++;
    return 0;
}

static int walk_dir(walk_t *wk, const char *dir, const char *rel, int depth)
{
    if (depth > ASSET_DEPTH)
        return 0;
    DIR *d = opendir(dir);
    if (!d) {
        ww_diag_set(wk->diag, dir, 0, 0, "cannot open the assets folder: %s", strerror(errno));
        return WW_EIO;
    }
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue; /* ".", "..", and hidden files are never served */
        char full[4096], sub[2048];
        int a = snprintf(full, sizeof full, "%s/%s", dir, de->d_name);
        int b = snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
        if (a < 0 || b < 0 || (size_t)a >= sizeof full || (size_t)b >= sizeof sub)
            continue;
        struct stat st;
        if (lstat(full, &st) != 0)
            continue;
        /* No symlinks: what is served is what lies in the folder. */
        if (S_ISDIR(st.st_mode))
            rc = walk_dir(wk, full, sub, depth + 1);
        else if (S_ISREG(st.st_mode)) {
            const char *type = ww__web_mime(de->d_name);
            if (type)
                rc = load_one(wk, full, sub, type);
        }
    }
    closedir(d);
    return rc;
}

int ww__web_assets_load(const char *dir, ww_web_asset_t **out, uint32_t *n, ww_diag_t *diag)
{
    walk_t wk = {.diag = diag};
    if (!(wk.v = calloc(WW_WEB_MAX_ASSETS, sizeof *wk.v)))
        return WW_ENOMEM;
    int rc = walk_dir(&wk, dir, "", 0);
    if (rc) {
        ww__web_assets_free(wk.v, wk.n);
        return rc;
    }
    *out = wk.v;
    *n = wk.n;
    return 0;
}

void ww__web_assets_free(ww_web_asset_t *a, uint32_t n)
{
    if (!a)
        return;
    for (uint32_t i = 0; i < n; i++) {
        free(a[i].path);
        free(a[i].data);
    }
    free(a);
}

const ww_web_asset_t *ww__web_asset(const ww_web_t *w, const char *path)
{
    for (uint32_t i = 0; i < w->nassets; i++)
        if (strcmp(w->assets[i].path, path) == 0)
            return &w->assets[i];
    return NULL;
}

/* ---- lifecycle ------------------------------------------------------------------ */

int ww_web_new(const ww_web_config_t *cfg, ww_web_t **out, ww_diag_t *diag)
{
    *out = NULL;
    ww_web_t *w = calloc(1, sizeof *w);
    if (!w)
        return WW_ENOMEM;
    w->cfg = *cfg;
    ww_web_limits_default(&w->cfg.limits);
    int rc = ww__web_routes_build(w, diag);
    if (rc)
        goto fail;
    char buf[4096];
    const char *dir = cfg->assets_dir;
    if (!dir) {
        const char *inst = ww_installed_dir("web", buf, sizeof buf - 8);
        if (inst) {
            size_t l = strlen(buf);
            snprintf(buf + l, sizeof buf - l, "/assets");
        } else
            snprintf(buf, sizeof buf, "%s/web/assets", WW_SOURCE_DIR);
        dir = buf;
    }
    if ((rc = ww__web_assets_load(dir, &w->assets, &w->nassets, diag)) != 0)
        goto fail;
    *out = w;
    return 0;
fail:
    ww_web_free(w);
    return rc;
}

void ww_web_free(ww_web_t *w)
{
    if (!w)
        return;
    if (w->d)
        MHD_stop_daemon(w->d);
    ww__web_routes_free(w);
    ww__web_assets_free(w->assets, w->nassets);
    if (w->key_pem) {
        gnutls_memset(w->key_pem, 0, strlen(w->key_pem));
        free(w->key_pem);
    }
    free(w->cert_pem);
    free(w);
}

int ww_web_port(const ww_web_t *w)
{
    return w->port;
}

const char *ww_web_fingerprint(const ww_web_t *w)
{
    return w->fingerprint;
}

bool ww_web_cert_generated(const ww_web_t *w)
{
    return w->generated;
}

/* ---- one connection's request --------------------------------------------------- */

typedef struct conn {
    ww_web_t *w;
    char *uri; /* the raw request-target, from the URI log callback */
    struct timespec start;
    ww_web_req_t req;
    ww_web_resp_t resp;
    int phase; /* 0 headers not seen, 1 reading the body, 2 answered */
    bool body_error;
} conn_t;

static uint64_t elapsed_ms(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)(now.tv_sec - since->tv_sec) * 1000 +
           (uint64_t)((now.tv_nsec - since->tv_nsec) / 1000000);
}

static void *uri_log(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)c;
    conn_t *k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    k->w = cls;
    k->uri = strdup(uri ? uri : "");
    clock_gettime(CLOCK_MONOTONIC, &k->start);
    return k;
}

static enum MHD_Result each_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    conn_t *k = cls;
    return ww_web_req_header(&k->req, key ? key : "", value ? value : "") == 0 ? MHD_YES : MHD_NO;
}

typedef struct hdrs {
    struct MHD_Response *r;
} hdrs_t;

static void add_header(void *ud, const char *name, const char *value)
{
    MHD_add_response_header(((hdrs_t *)ud)->r, name, value);
}

static enum MHD_Result send_resp(struct MHD_Connection *c, conn_t *k, bool unread_body)
{
    ww_web_resp_t *rs = &k->resp;
    if (rs->body.err) {
        ww_web_resp_error(&k->req, rs, 503, "The page was too large to build.");
    }
    k->phase = 2;
    size_t n = rs->status == 304 ? 0 : rs->body.n;
    struct MHD_Response *r =
        MHD_create_response_from_buffer(n, n ? rs->body.p : (void *)"", MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    hdrs_t h = {r};
    ww_web_each_security_header(rs->cacheable, add_header, &h);
    if (rs->status != 304)
        MHD_add_response_header(r, "Content-Type", rs->content_type);
    if (rs->cacheable && rs->etag)
        MHD_add_response_header(r, "ETag", rs->etag);
    for (uint32_t i = 0; i < rs->nheaders; i++)
        MHD_add_response_header(r, rs->hname[i], rs->hvalue[i]);
    /* A refusal before the body was read leaves that body unread on the connection:
       close it rather than parse the rest as the next request. */
    if (k->body_error || unread_body)
        MHD_add_response_header(r, "Connection", "close");
    enum MHD_Result ret = MHD_queue_response(c, rs->status, r);
    MHD_destroy_response(r);
    return ret;
}

static void peer_of(struct MHD_Connection *c, conn_t *k)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char peer[INET6_ADDRSTRLEN] = "";
    if (ci)
        ww_sockaddr_text(ci->client_addr, peer, sizeof peer);
    const char *p = ww_arena_strdup(&k->req.arena, peer);
    k->req.peer = p ? p : "";
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *size, void **con_cls)
{
    ww_web_t *w = cls;
    (void)url; /* already unescaped by libmicrohttpd: the raw target is k->uri */
    (void)version;
    conn_t *k = *con_cls;
    if (!k)
        return MHD_NO; /* the URI log callback ran out of memory */
    const ww_web_limits_t *lim = &w->cfg.limits;
    if (k->phase == 0) {
        ww_web_req_init(&k->req, lim, w->cfg.tmp_dir);
        ww_web_resp_init(&k->resp, &k->req.arena);
        peer_of(c, k);
        k->phase = 1;
        if (!k->uri)
            ww__web_fail(&k->req, WW_ENOMEM, 503, "out of memory");
        else if (ww_web_req_start(&k->req, method, k->uri) == 0 &&
                 MHD_get_connection_values(c, MHD_HEADER_KIND, each_header, k) >= 0)
            ww_web_req_headers_done(&k->req);
        if (!k->req.status && elapsed_ms(&k->start) > (uint64_t)lim->request_timeout_s * 1000)
            ww__web_fail(&k->req, WW_ELIMIT, 408, "the request headers took too long");
        if (ww_web_route_early(w, &k->req, &k->resp))
            return send_resp(c, k, k->req.chunked || k->req.content_length > 0);
        return MHD_YES;
    }
    if (k->phase == 2) {
        *size = 0; /* answered already: the rest is discarded */
        return MHD_YES;
    }
    if (*size) {
        if (!k->req.status) {
            if (elapsed_ms(&k->start) > (uint64_t)lim->request_timeout_s * 1000)
                ww__web_fail(&k->req, WW_ELIMIT, 408, "the request body took too long");
            else
                ww_web_req_body(&k->req, data, *size);
            if (k->req.status)
                k->body_error = true;
        }
        *size = 0;
        /* After an error the body is read and dropped only up to the request
           deadline; a client that keeps sending is cut off without an answer. */
        if (k->body_error && elapsed_ms(&k->start) > (uint64_t)lim->request_timeout_s * 1000)
            return MHD_NO;
        return MHD_YES;
    }
    if (!k->req.status)
        ww_web_req_finish(&k->req);
    ww_web_route_finish(w, &k->req, &k->resp);
    return send_resp(c, k, false);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    conn_t *k = *con_cls;
    if (k) {
        ww_web_resp_release(&k->resp);
        ww_web_req_release(&k->req);
        free(k->uri);
        free(k);
    }
    *con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    if (WW_LOG_DEBUG > ww__log_level)
        return;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = 0;
    WW_LOG(WW_LOG_DEBUG, "web: %s", msg);
}

static char *slurp(const char *path, ww_diag_t *diag)
{
    char *buf = NULL;
    size_t len;
    int rc = ww_read_file(path, MAX_PEM, &buf, &len);
    if (rc)
        ww_diag_set(diag, path, 0, 0, "cannot read (or larger than 1 MiB): %s",
                    rc == WW_EIO || rc == WW_ENOENT ? strerror(errno) : ww_strerror(rc));
    return buf;
}

/* The configured certificate, else the self-signed one in the state folder (made on
 * first start). */
static int load_cert(ww_web_t *w, ww_diag_t *diag)
{
    const ww_web_config_t *cfg = &w->cfg;
    char cert[4096], key[4096];
    const char *cp = cfg->cert, *kp = cfg->key;
    if ((cp == NULL) != (kp == NULL)) {
        ww_diag_set(diag, "", 0, 0, "a certificate needs its key, and a key its certificate");
        return WW_EINVAL;
    }
    if (!cp) {
        if (!cfg->state_dir) {
            ww_diag_set(diag, "", 0, 0,
                        "no certificate configured and no state folder to keep a self-signed one");
            return WW_EINVAL;
        }
        snprintf(cert, sizeof cert, "%s/console-cert.pem", cfg->state_dir);
        snprintf(key, sizeof key, "%s/console-key.pem", cfg->state_dir);
        cp = cert;
        kp = key;
        if (access(cert, F_OK) != 0 || access(key, F_OK) != 0) {
            int rc = ww_web_selfsigned(cert, key, cfg->names, cfg->nnames, w->fingerprint, diag);
            if (rc)
                return rc;
            w->generated = true;
            WW_LOG(WW_LOG_INFO, "web: made a self-signed certificate %s, SHA-256 %s", cert,
                   w->fingerprint);
        }
    }
    if (!(w->cert_pem = slurp(cp, diag)) || !(w->key_pem = slurp(kp, diag)))
        return WW_EIO;
    if (ww_web_cert_fingerprint(w->cert_pem, strlen(w->cert_pem), w->fingerprint) != 0) {
        ww_diag_set(diag, cp, 0, 0, "not a PEM certificate");
        return WW_EINVAL;
    }
    return 0;
}

static bool loopback(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
    if (ss->ss_family == AF_INET6)
        return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)ss)->sin6_addr);
    return false;
}

int ww_web_start(ww_web_t *w, ww_diag_t *diag)
{
    const ww_web_config_t *cfg = &w->cfg;
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    const char *addr = cfg->listen ? cfg->listen : "127.0.0.1";
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons(cfg->port);
    } else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(cfg->port);
    } else {
        ww_diag_set(diag, "", 0, 0, "'%.100s' is not an IP address to listen on", addr);
        return WW_EINVAL;
    }
    if (cfg->plain_http && !loopback(&ss)) {
        ww_diag_set(diag, "", 0, 0,
                    "plain HTTP is only allowed on a loopback address (tests); use TLS");
        return WW_EINVAL;
    }
    w->tls = !cfg->plain_http;
    if (w->tls) {
        int rc = load_cert(w, diag);
        if (rc)
            return rc;
    }
    const ww_web_limits_t *lim = &cfg->limits;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (w->tls)
        flags |= MHD_USE_TLS;
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_SOCK_ADDR, 0, &ss},
        {MHD_OPTION_CONNECTION_LIMIT, lim->max_connections, NULL},
        {MHD_OPTION_PER_IP_CONNECTION_LIMIT, lim->max_per_ip, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, lim->conn_memory, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, lim->idle_timeout_s, NULL},
        {MHD_OPTION_THREAD_POOL_SIZE, cfg->threads ? cfg->threads : DEFAULT_THREADS, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)completed, w},
        {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)uri_log, w},
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, w},
        {w->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, w->cert_pem},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, w->key_pem},
        {MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)TLS_PRIORITIES},
        {MHD_OPTION_END, 0, NULL},
    };
    w->d =
        MHD_start_daemon(flags, 0, NULL, NULL, handle, w, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    if (!w->d) {
        ww_diag_set(diag, "", 0, 0,
                    "cannot listen on %s port %u (in use, or the certificate or key is not "
                    "usable PEM)",
                    addr, cfg->port);
        return WW_EIO;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(w->d, MHD_DAEMON_INFO_BIND_PORT);
    w->port = di ? di->port : 0;
    return 0;
}
