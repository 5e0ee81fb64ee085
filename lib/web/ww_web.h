/* The console's HTTP layer: an HTTPS server (libmicrohttpd over GnuTLS), one pure
 * request parser (bytes in, a ww_web_req_t or an error with its status out), a route
 * table with guards (session, role, CSRF token, Sec-Fetch-Site/Origin), responses that
 * always carry the security headers, an HTML writer that escapes by context, the base
 * page layout on the NHS design system, and the static assets.
 *
 * Users, sessions and TOTP live in lib/auth; this module reaches them only through
 * ww_web_auth_ops_t, so either side can change without the other. */
#ifndef WW_WEB_H
#define WW_WEB_H

#include <stdbool.h>
#include <stdint.h>

#include "util/ww_util.h"

/* ---- limits ------------------------------------------------------------------- */

/* Every resource a client controls has a cap; docs/console.md lists them.  A zero
 * field takes the default from ww_web_limits_default(). */
typedef struct ww_web_limits {
    uint32_t max_connections;   /* open connections in total (default 256) */
    uint32_t max_per_ip;        /* open connections from one address (default 32) */
    uint32_t conn_memory;       /* libmicrohttpd buffer per connection (default 64 KiB) */
    uint32_t max_target;        /* request-target bytes: path + query (414; default 4096) */
    uint32_t max_header_bytes;  /* all header names + values (431; default 16 KiB) */
    uint32_t max_headers;       /* header lines (431; default 100) */
    uint32_t max_cookies;       /* cookie pairs (431; default 50) */
    uint32_t max_params;        /* query + form fields (413; default 256) */
    uint64_t max_body;          /* urlencoded and JSON bodies (413; default 1 MiB) */
    uint64_t max_upload;        /* a whole multipart body (413; default 32 MiB) */
    uint64_t max_file;          /* one uploaded file (413; default 25 MiB) */
    uint32_t max_files;         /* files per request (413; default 8) */
    uint32_t max_field;         /* one non-file multipart field (413; default 64 KiB) */
    uint32_t idle_timeout_s;    /* no byte for this long: the connection is closed (30) */
    uint32_t request_timeout_s; /* request line to last body byte (408; default 60) */
} ww_web_limits_t;

/* The defaults, documented in docs/console.md. */
void ww_web_limits_default(ww_web_limits_t *l);

/* ---- sessions, as lib/auth sees them ---------------------------------------------- */

enum ww_web_role {
    WW_WEB_ANON = 0, /* no session needed */
    WW_WEB_VIEWER,
    WW_WEB_ANALYST,
    WW_WEB_RESPONDER,
    WW_WEB_ADMIN,
};

/* Returns "anonymous", "viewer", ... for a role. */
const char *ww_web_role_name(int role);

#define WW_WEB_CSRF_MAX 128
typedef struct ww_web_session {
    char user[128];
    int role;                   /* enum ww_web_role */
    char csrf[WW_WEB_CSRF_MAX]; /* the session's CSRF token (printable ASCII) */
    bool expired;               /* idle or absolute timeout passed */
    bool token;                 /* authenticated by an API token, not a cookie */
    bool must_change;           /* only a password change may follow (lib/auth) */
    int64_t reauth_at;          /* s: the last password+TOTP re-check, 0: none */
} ww_web_session_t;

/* How the HTTP layer asks lib/auth about a request.  Both functions may be called from
 * several server threads at once.  Each returns 0 with *out filled, WW_ENOENT when
 * there is no such session or token, or another WW_E* code (answered 503). */
typedef struct ww_web_auth_ops {
    void *ud;
    /* The session whose __Host-ww_session cookie holds `cookie` (any bytes). */
    int (*session)(void *ud, const char *cookie, ww_web_session_t *out);
    /* The API token in "Authorization: Bearer <token>" (NULL: tokens not accepted). */
    int (*token)(void *ud, const char *token, ww_web_session_t *out);
} ww_web_auth_ops_t;

#define WW_WEB_SESSION_COOKIE "__Host-ww_session"
/* The anonymous forms' double-submit token (login, /report): no session exists yet. */
#define WW_WEB_PRE_COOKIE "__Host-ww_pre"
#define WW_WEB_CSRF_FIELD "csrf_token"
#define WW_WEB_CSRF_HEADER "X-CSRF-Token"

/* ---- the request --------------------------------------------------------------- */

enum ww_web_method {
    WW_WEB_GET = 1,
    WW_WEB_HEAD,
    WW_WEB_POST,
    WW_WEB_PUT,
    WW_WEB_PATCH,
    WW_WEB_DELETE,
    WW_WEB_OPTIONS,
};

enum ww_web_body {
    WW_WEB_BODY_NONE = 0,
    WW_WEB_BODY_FORM,      /* application/x-www-form-urlencoded */
    WW_WEB_BODY_MULTIPART, /* multipart/form-data */
    WW_WEB_BODY_JSON,      /* application/json, application/<x>+json */
};

/* A decoded name/value pair; both NUL-terminated (neither contains NUL: a request
 * that encodes one is refused), value_n is the value's length. */
typedef struct ww_web_kv {
    const char *name;
    const char *value;
    size_t value_n;
} ww_web_kv_t;

/* An uploaded file: streamed to a private temporary file while its SHA-256 is
 * computed.  The file is deleted when the request is released unless the handler
 * moved it with ww_web_file_keep(). */
typedef struct ww_web_file {
    const char *field;        /* the form field's name */
    const char *filename;     /* the client's name, path removed (display only) */
    const char *content_type; /* as the client declared it ("" when absent) */
    char path[512];           /* the temporary file */
    int fd;                   /* open for reading, at offset 0, until release */
    uint64_t size;
    uint8_t sha256[32];
    char sha256_hex[65];
    bool kept;
} ww_web_file_t;

#define WW_WEB_MAX_ROUTE_PARAMS 8

typedef struct ww_web_parse ww_web_parse_t; /* private parsing state */
typedef struct ww_web_route ww_web_route_t;

/* One request, parsed.  Every string points into the request's arena and lives until
 * ww_web_req_release(). */
typedef struct ww_web_req {
    int method;              /* enum ww_web_method */
    const char *method_name; /* as sent */
    const char *path;        /* decoded and normalised: "/a/b", never "..", no "//" */
    const char *query_raw;   /* after '?', undecoded ("" when none) */
    ww_web_kv_t *query;
    uint32_t nquery;
    ww_web_kv_t *cookies;
    uint32_t ncookies;
    ww_web_kv_t *form; /* urlencoded body or multipart's non-file fields */
    uint32_t nform;
    ww_web_file_t *files;
    uint32_t nfiles;
    int body_kind; /* enum ww_web_body */

    /* The headers the console needs (NULL when absent), lowercase names elsewhere. */
    const char *host, *origin, *sec_fetch_site, *content_type, *accept, *authorization,
        *csrf_header, *user_agent, *if_none_match;
    uint64_t content_length;
    bool has_content_length;
    bool chunked;

    /* Set by routing: {name} segments of the matched pattern, and the session. */
    const char *param_names[WW_WEB_MAX_ROUTE_PARAMS];
    const char *params[WW_WEB_MAX_ROUTE_PARAMS];
    uint32_t nparams;
    const ww_web_route_t *route; /* the route matched (NULL before routing) */
    ww_web_session_t session;
    bool has_session;
    const char *peer; /* the client's address ("" when unknown) */

    /* The first error: the status to answer (400, 408, 411, 413, 414, 415, 431, 501)
       and why, in words that may quote the client's bytes (escape them). */
    int status;
    ww_diag_t diag;

    ww_arena_t arena;
    const ww_web_limits_t *lim;
    const char *tmp_dir;
    ww_web_parse_t *ps;
} ww_web_req_t;

/* Prepares r for one request with limits lim (kept by pointer) and uploads in tmp_dir
 * (NULL: $TMPDIR or /tmp). */
void ww_web_req_init(ww_web_req_t *r, const ww_web_limits_t *lim, const char *tmp_dir);
/* Frees everything; closes and deletes the uploads not kept.  Accepts a zeroed r. */
void ww_web_req_release(ww_web_req_t *r);

/* The request in steps, as a server receives it.  Each returns 0, or a negative WW_E*
 * code with r->status and r->diag set; after an error every later step returns the
 * same error.  `target` is the raw request-target (path and query, still encoded). */
int ww_web_req_start(ww_web_req_t *r, const char *method, const char *target);
int ww_web_req_header(ww_web_req_t *r, const char *name, const char *value);
/* All headers are in: checks them and decides how the body is read. */
int ww_web_req_headers_done(ww_web_req_t *r);
/* A piece of the body (any size, any split). */
int ww_web_req_body(ww_web_req_t *r, const void *p, size_t n);
/* The body is complete: parses what was buffered, finishes the uploads. */
int ww_web_req_finish(ww_web_req_t *r);

/* All of the above from one HTTP/1.1 request message (request line, headers, blank
 * line, body of Content-Length bytes or chunked), for the fuzz target and the tests.
 * The body is fed in pieces of `split` bytes (0: at once). */
int ww_web_req_parse_raw(ww_web_req_t *r, const void *msg, size_t n, size_t split);

/* Lookups: the first value of a name, or NULL. */
const char *ww_web_query(const ww_web_req_t *r, const char *name);
const char *ww_web_form(const ww_web_req_t *r, const char *name);
const char *ww_web_cookie(const ww_web_req_t *r, const char *name);
const char *ww_web_param(const ww_web_req_t *r, const char *name);

/* A JSON body (WW_WEB_BODY_JSON), parsed by the event decoder's tokenizer.  Values are
 * numbered; 0 is the root.  ww_web_json_type returns 0 when there is no JSON or i is
 * out of range, else 'o' object, 'a' array, 's' string, 'n' number, 'b' boolean,
 * 'z' null. */
int ww_web_json_type(const ww_web_req_t *r, uint32_t i);
/* The value of member `key` of object i, or 0 when absent or i is not an object. */
uint32_t ww_web_json_member(const ww_web_req_t *r, uint32_t obj, const char *key);
/* A string value, unescaped into the request's arena (NUL-terminated; *n its length).
 * NULL when i is not a string or memory ran out. */
const char *ww_web_json_str(ww_web_req_t *r, uint32_t i, size_t *n);
/* A number value as an integer.  0, or WW_EINVAL when i is not an integer. */
int ww_web_json_int(const ww_web_req_t *r, uint32_t i, int64_t *out);
/* A true/false value.  0, or WW_EINVAL when i is not a boolean. */
int ww_web_json_bool(const ww_web_req_t *r, uint32_t i, bool *out);
/* Element k (0-based) of array arr, or 0 when arr is not an array or has fewer. */
uint32_t ww_web_json_elem(const ww_web_req_t *r, uint32_t arr, uint32_t k);

/* The elements of array arr in order, each in one step: the first with after 0, then
 * the one after `after`; 0 when there are no more (or arr is not an array). */
uint32_t ww_web_json_next(const ww_web_req_t *r, uint32_t arr, uint32_t after);

/* Moves an upload to dest (same file system as tmp_dir, else copied) so release does
 * not delete it.  0, WW_EIO (errno) or WW_EINVAL when already kept. */
int ww_web_file_keep(ww_web_file_t *f, const char *dest);

/* ---- the response -------------------------------------------------------------- */

#define WW_WEB_MAX_RESP_HEADERS 16

typedef struct ww_web_resp {
    unsigned status; /* 200 when the handler does not say */
    const char *content_type;
    ww_buf_t body;
    const char *hname[WW_WEB_MAX_RESP_HEADERS];
    const char *hvalue[WW_WEB_MAX_RESP_HEADERS];
    uint32_t nheaders;
    bool cacheable;    /* a static asset: no "no-store" */
    const char *etag;  /* with cacheable */
    ww_arena_t *arena; /* the request's: header strings are copied there */
} ww_web_resp_t;

/* Adds a header (both copied).  WW_EINVAL for a name that is not a token or a value
 * with CR, LF or NUL (header injection), WW_ELIMIT past WW_WEB_MAX_RESP_HEADERS. */
int ww_web_resp_header(ww_web_resp_t *resp, const char *name, const char *value);
/* 303 See Other to a local path (must start with one '/'; anything else: "/"). */
int ww_web_resp_redirect(ww_web_resp_t *resp, const char *local_path);
/* An error page (HTML layout) or, under /api/, {"error": msg}, with status. */
int ww_web_resp_error(const ww_web_req_t *req, ww_web_resp_t *resp, unsigned status,
                      const char *msg);

/* Set-Cookie for the session: __Host-ww_session=<value>; Path=/; Secure; HttpOnly;
 * SameSite=Strict (plus Max-Age when max_age_s > 0).  value must be cookie-octets
 * (RFC 6265: no space, quote, comma, semicolon, backslash or control byte): else
 * WW_EINVAL. */
int ww_web_set_session_cookie(ww_web_resp_t *resp, const char *value, uint32_t max_age_s);
/* Set-Cookie that removes the session cookie. */
int ww_web_clear_session_cookie(ww_web_resp_t *resp);
/* The token an anonymous form must send back as csrf_token: the request's
 * __Host-ww_pre cookie, or a new random one set on resp.  NULL on failure. */
const char *ww_web_pre_token(ww_web_req_t *req, ww_web_resp_t *resp);

/* The headers every response carries; ww_web_each_security_header calls fn for each
 * (dynamic pages get Cache-Control: no-store, assets a revalidating cache). */
#define WW_WEB_CSP                                                                    \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " \
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
void ww_web_each_security_header(bool cacheable,
                                 void (*fn)(void *ud, const char *name, const char *value),
                                 void *ud);

/* ---- HTML ---------------------------------------------------------------------- */

/* Appends p[0..n) escaped for HTML text (& < > " ' escaped).  Invalid UTF-8 bytes
 * become U+FFFD and control bytes other than tab/newline become U+FFFD too, so
 * hostile values show as text.  When max > 0 and the text is longer than max bytes it
 * is cut (at a character boundary) and "…" appended. */
int ww_html_text(ww_buf_t *b, const char *p, size_t n, size_t max);
static inline int ww_html_textz(ww_buf_t *b, const char *z)
{
    return ww_html_text(b, z ? z : "", z ? strlen(z) : 0, 0);
}
/* The same escaping, for a quoted attribute value (the caller writes the quotes). */
int ww_html_attr(ww_buf_t *b, const char *p, size_t n);
/* A URL for href/src: relative ("/x", "x?y") or http(s)/mailto absolute URLs pass,
 * anything else (javascript:, data:, "//host", other schemes, control bytes) becomes
 * "#"; then percent-encodes what is not URL-safe and attribute-escapes. */
int ww_html_url(ww_buf_t *b, const char *p, size_t n);

typedef struct ww_web_page {
    const char *title;   /* <title> and nothing else: the caller writes the h1 */
    const char *user;    /* signed-in user, shown in the header (NULL: none) */
    const char *role;    /* their role's name */
    const char *csrf;    /* the session's CSRF token for the sign-out form */
    const char *current; /* path of the current section, for aria-current */
} ww_web_page_t;

/* The layout: <!doctype>, head with the design system's CSS and our own, the header
 * ("wardwatch"), skip link, navigation, then <main id="maincontent">; ...page_end
 * closes main and adds the footer and the scripts.  Works without JavaScript. */
int ww_web_page_begin(ww_buf_t *b, const ww_web_page_t *pg);
int ww_web_page_end(ww_buf_t *b);

/* ---- routes and the server ---------------------------------------------------------- */

/* A handler fills resp (status, content type, body, headers).  It returns 0, or a
 * negative WW_E* code: the client then gets a plain 500 and resp is discarded. */
typedef int (*ww_web_handler_fn)(ww_web_req_t *req, ww_web_resp_t *resp, void *ud);

struct ww_web_route {
    const char *method;  /* "GET", "POST", ... (a GET route also answers HEAD) */
    const char *pattern; /* "/incidents/{id}/notes": {name} matches one segment */
    int min_role;        /* enum ww_web_role: WW_WEB_ANON for public pages */
    bool changes_state;  /* CSRF + Sec-Fetch-Site checks (always for non-GET/HEAD) */
    ww_web_handler_fn fn;
    void *ud;
};

typedef struct ww_web_config {
    const char *listen;       /* address to listen on: "127.0.0.1", "::", "0.0.0.0" */
    uint16_t port;            /* 0: any free port (ww_web_port says which) */
    const char *cert;         /* PEM certificate chain file; NULL: self-signed in state_dir */
    const char *key;          /* PEM private key file */
    const char *state_dir;    /* where the self-signed certificate is kept */
    const char *const *names; /* extra names (DNS or IP) for the self-signed certificate */
    uint32_t nnames;
    bool plain_http;            /* no TLS: refused unless listen is a loopback address */
    const char *assets_dir;     /* NULL: <prefix>/share/wardwatch/web, else the source tree's */
    const char *tmp_dir;        /* uploads (NULL: $TMPDIR or /tmp) */
    const char *login_path;     /* where a 401 page points (NULL: "/login") */
    const char *const *origins; /* extra accepted Origin values ("https://console.trust") */
    uint32_t norigins;
    uint32_t threads; /* server threads (0: 4) */
    ww_web_limits_t limits;
    const ww_web_route_t *routes; /* kept by pointer: must outlive the server */
    uint32_t nroutes;
    ww_web_auth_ops_t auth;
} ww_web_config_t;

typedef struct ww_web ww_web_t;

/* Builds the route table and loads the assets; does not listen.  cfg is copied
 * (its strings and routes are kept by pointer).  0, or WW_EINVAL / WW_EIO / WW_ENOMEM
 * with diag. */
int ww_web_new(const ww_web_config_t *cfg, ww_web_t **out, ww_diag_t *diag);
/* Loads or creates the certificate and listens.  0, or WW_EIO / WW_EINVAL with diag. */
int ww_web_start(ww_web_t *w, ww_diag_t *diag);
/* Stops listening (waits for running handlers) and frees w.  NULL is a no-op. */
void ww_web_free(ww_web_t *w);
int ww_web_port(const ww_web_t *w);
/* The SHA-256 fingerprint of the certificate served ("AB:CD:..."), "" before start. */
const char *ww_web_fingerprint(const ww_web_t *w);
/* True when ww_web_start generated a new self-signed certificate. */
bool ww_web_cert_generated(const ww_web_t *w);

/* Routing and guards for a request whose headers are parsed (no body yet): matches
 * the route, looks the session up, checks role and Sec-Fetch-Site/Origin.  Returns 1
 * with resp filled when the request is refused (404, 405, 401, 403, 503), 0 to go on.
 * The server calls it before reading a body, so nobody unauthorised uploads. */
int ww_web_route_early(ww_web_t *w, ww_web_req_t *req, ww_web_resp_t *resp);
/* After the body: checks the CSRF token, then runs the handler.  Fills resp always. */
void ww_web_route_finish(ww_web_t *w, ww_web_req_t *req, ww_web_resp_t *resp);

void ww_web_resp_init(ww_web_resp_t *resp, ww_arena_t *arena);
void ww_web_resp_release(ww_web_resp_t *resp);

/* ---- self-signed certificates ---------------------------------------------------- */

/* Writes a new ECDSA P-256 key (mode 0600) and a self-signed certificate valid for
 * 825 days with SANs localhost, 127.0.0.1, ::1 and names[] to cert_path/key_path.
 * fp receives the SHA-256 fingerprint ("AB:CD:..", 96 bytes).  0 or WW_EIO/WW_EINVAL
 * with diag. */
int ww_web_selfsigned(const char *cert_path, const char *key_path, const char *const *names,
                      uint32_t nnames, char fp[96], ww_diag_t *diag);
/* The SHA-256 fingerprint of the first certificate in a PEM text.  0 or WW_EINVAL. */
int ww_web_cert_fingerprint(const char *pem, size_t n, char fp[96]);

/* Compares two NUL-terminated strings in time that depends only on their lengths. */
bool ww_web_same(const char *a, const char *b);

#endif
