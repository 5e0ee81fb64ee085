/* Private to lib/web: what the parser, the HTML writer, the router and the server
 * share, and the state of a request being parsed. */
#ifndef WW_WEB_INT_H
#define WW_WEB_INT_H

#include "web/ww_web.h"

/* The length of the valid UTF-8 sequence at p (1..4), or 0 when the bytes there are
 * not one: overlong forms, surrogates, code points past U+10FFFF and cut sequences
 * are all invalid. */
size_t ww__web_utf8_len(const unsigned char *p, size_t n);

/* Sets the request's sticky error: status, message; returns code. */
int ww__web_fail(ww_web_req_t *r, int code, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* True for an RFC 9110 token character. */
bool ww__web_tchar(unsigned char c);

/* Fills buf with n random bytes written as 2n hex digits (buf has 2n + 1 bytes).
 * 0 or WW_EIO. */
int ww__web_random_hex(char *buf, size_t n);

/* The server's static assets: path ("/assets/x.css") to bytes, type and ETag. */
typedef struct ww_web_asset {
    char *path;
    char *data;
    size_t n;
    const char *type;
    char etag[72];
} ww_web_asset_t;

#define WW_WEB_MAX_ASSETS 512
#define WW_WEB_MAX_ASSET_BYTES ((size_t)4 << 20)
#define WW_WEB_MAX_ASSETS_TOTAL ((size_t)64 << 20)

/* Loads every file of a known type under dir (recursively, no symlinks followed out
 * of it) into *out.  0, or WW_EIO / WW_ELIMIT with diag. */
int ww__web_assets_load(const char *dir, ww_web_asset_t **out, uint32_t *n, ww_diag_t *diag);
void ww__web_assets_free(ww_web_asset_t *a, uint32_t n);
/* The content type for a file name by its extension, or NULL when not served. */
const char *ww__web_mime(const char *name);

/* A route, split once into segments. */
typedef struct ww_web_croute {
    const ww_web_route_t *r;
    int method;
    char **seg;   /* literal segments; NULL where a {param} goes */
    char **pname; /* parameter names by segment (NULL for literals) */
    uint32_t nseg;
} ww_web_croute_t;

struct ww_web {
    ww_web_config_t cfg;
    ww_web_croute_t *routes;
    uint32_t nroutes;
    ww_web_asset_t *assets;
    uint32_t nassets;
    struct MHD_Daemon *d;
    char *cert_pem, *key_pem;
    char fingerprint[96];
    bool generated;
    bool tls;
    int port;
};

/* Splits cfg.routes into w->routes.  0, or WW_EINVAL with diag / WW_ENOMEM. */
int ww__web_routes_build(ww_web_t *w, ww_diag_t *diag);
void ww__web_routes_free(ww_web_t *w);

/* The asset at path, or NULL. */
const ww_web_asset_t *ww__web_asset(const ww_web_t *w, const char *path);

#endif
