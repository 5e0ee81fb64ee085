/* Reads and validates the `wardwatch serve` config (see ww_serve_config.h for the
 * promise, docs/serve.md for the keys).  The YAML tree is read section by section with
 * the typed checks of ww_yconf.h, so every error has its line and column; the checks
 * that span sections (unique names and addresses) run last, pointing at the second
 * of the two. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event/ww_event.h"
#include "serve/ww_serve_config.h"
#include "sigma/ww_sigma.h"
#include "util/ww_yconf.h"

#define SECRET_MAX 4096 /* a token or password file */

static const char *const input_types[] = {"syslog-udp", "syslog-tcp", "syslog-tls", "http",
                                          "beats",      "tail",       "relp"};
static const char *const notify_types[] = {"webhook", "email", "syslog"};

const char *ww_sc_input_type_name(int type)
{
    return type >= 0 && type < (int)WW_ARRAY_LEN(input_types) ? input_types[type] : "?";
}

const char *ww_sc_notify_type_name(int type)
{
    return type >= 0 && type < (int)WW_ARRAY_LEN(notify_types) ? notify_types[type] : "?";
}

typedef struct rd {
    ww_yc_t yc;
    ww_serve_config_t *c;
    const char *dir; /* the config's folder, for relative paths */
} rd_t;

/* ---- small pieces ---- */

int ww_sc_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len, char *why,
                       size_t whylen)
{
    char host[64];
    const char *colon;
    memset(ss, 0, sizeof *ss);
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof host) {
            snprintf(why, whylen, "'%.80s': an IPv6 address is written [address]:port", s);
            return WW_EPARSE;
        }
        memcpy(host, s + 1, (size_t)(close - s - 1));
        host[close - s - 1] = 0;
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (colon && memchr(s, ':', (size_t)(colon - s))) {
            snprintf(why, whylen, "'%.80s': an IPv6 address is written [address]:port", s);
            return WW_EPARSE;
        }
        if (!colon || (size_t)(colon - s) >= sizeof host || memchr(s, ':', (size_t)(colon - s))) {
            snprintf(why, whylen,
                     "'%.80s' is not host:port (e.g. 0.0.0.0:514, [::]:514 or :514 for every "
                     "address)",
                     s);
            return WW_EPARSE;
        }
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = 0;
    }
    const char *p = colon + 1;
    unsigned port = 0;
    size_t nd = 0;
    while (p[nd] >= '0' && p[nd] <= '9' && nd < 6)
        port = port * 10 + (unsigned)(p[nd++] - '0');
    if (nd == 0 || p[nd] || port > 65535 || (nd > 1 && p[0] == '0')) {
        snprintf(why, whylen, "'%.80s': the port must be a number from 0 to 65535", s);
        return WW_EPARSE;
    }
    /* Names are refused: a daemon must not depend on DNS to know where it listens. */
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    if (!host[0] && s[0] != '[') {
        v6->sin6_family = AF_INET6;
        v6->sin6_addr = in6addr_any;
        v6->sin6_port = htons((uint16_t)port);
        *len = sizeof *v6;
    } else if (s[0] != '[' && inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        *len = sizeof *v4;
    } else if (s[0] == '[' && inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        *len = sizeof *v6;
    } else {
        snprintf(why, whylen, "'%.80s': '%.60s' is not an IP address (names are not resolved)", s,
                 host);
        return WW_EPARSE;
    }
    return 0;
}

/* A path as written, made absolute against the config's folder. */
static int path_of(rd_t *r, const ww_yn_t *n, const char *what, const char **out)
{
    const char *s;
    int rc = ww_yc_str(&r->yc, n, what, 4000, &s);
    if (rc)
        return rc;
    if (s[0] == '/' || !r->dir) {
        *out = s;
        return 0;
    }
    size_t len = strlen(r->dir) + 1 + strlen(s) + 1;
    char *p = ww_arena_alloc(&r->c->arena, len);
    if (!p)
        return WW_ENOMEM;
    snprintf(p, len, "%s/%s", r->dir, s);
    *out = p;
    return 0;
}

static int readable(rd_t *r, const ww_yn_t *n, const char *what, const char *path)
{
    if (access(path, R_OK) != 0)
        return ww_yc_fail(&r->yc, n, "%s '%.120s' cannot be read: %s", what, path, strerror(errno));
    return 0;
}

/* Reads a secret (token, password) file: one line, trailing newline dropped. */
static int read_secret(rd_t *r, const ww_yn_t *n, const char *what, const char *path,
                       const char **out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ww_yc_fail(&r->yc, n, "%s '%.120s' cannot be read: %s", what, path, strerror(errno));
    char buf[SECRET_MAX + 1];
    ssize_t got = read(fd, buf, sizeof buf);
    close(fd);
    if (got < 0)
        return ww_yc_fail(&r->yc, n, "%s '%.120s' cannot be read: %s", what, path, strerror(errno));
    if (got > SECRET_MAX)
        return ww_yc_fail(&r->yc, n, "%s '%.120s' is longer than %d bytes", what, path, SECRET_MAX);
    size_t len = (size_t)got;
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
        len--;
    if (!len || memchr(buf, '\n', len) || memchr(buf, 0, len))
        return ww_yc_fail(&r->yc, n, "%s '%.120s' must hold one line", what, path);
    char *s = ww_arena_strndup(&r->c->arena, buf, len);
    if (!s)
        return WW_ENOMEM;
    *out = s;
    return 0;
}

static int pick(rd_t *r, const ww_yn_t *n, const char *what, const char *const *names, size_t count,
                int *out)
{
    const char *s;
    int rc = ww_yc_str(&r->yc, n, what, 64, &s);
    if (rc)
        return rc;
    for (size_t i = 0; i < count; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (int)i;
            return 0;
        }
    char list[200] = "";
    size_t used = 0;
    for (size_t i = 0; i < count && used < sizeof list - 1; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", names[i]);
    return ww_yc_fail(&r->yc, n, "%s '%.60s' is not one of: %s", what, s, list);
}

/* ---- sections ---- */

static int read_tls(rd_t *r, const ww_yn_t *n, const char *what, ww_sc_tls_t *t)
{
    static const char *const keys[] = {"cert", "key", "client_ca"};
    int rc = ww_yc_keys(&r->yc, n, what, keys, WW_ARRAY_LEN(keys));
    if (rc)
        return rc;
    const ww_yn_t *cert = ww_yn_get(n, "cert"), *key = ww_yn_get(n, "key"),
                  *ca = ww_yn_get(n, "client_ca");
    if (!cert || !key)
        return ww_yc_fail(&r->yc, n, "%s needs both cert: and key: (PEM files)", what);
    if ((rc = path_of(r, cert, "cert", &t->cert)) || (rc = readable(r, cert, "cert", t->cert)) ||
        (rc = path_of(r, key, "key", &t->key)) || (rc = readable(r, key, "key", t->key)))
        return rc;
    if (ca && ((rc = path_of(r, ca, "client_ca", &t->client_ca)) ||
               (rc = readable(r, ca, "client_ca", t->client_ca))))
        return rc;
    return 0;
}

static int read_tokens(rd_t *r, const ww_yn_t *n, ww_sc_input_t *in)
{
    if (!n || n->type != WW_YN_SEQ || n->nkids == 0)
        return ww_yc_fail(&r->yc, n,
                          "tokens must be a list of {name, token_file} (or {name, token})");
    if (n->nkids > WW_SC_MAX_TOKENS)
        return ww_yc_fail(&r->yc, n, "more than %d tokens", WW_SC_MAX_TOKENS);
    in->tokens = ww_arena_calloc(&r->c->arena, n->nkids * sizeof *in->tokens);
    if (!in->tokens)
        return WW_ENOMEM;
    for (uint32_t i = 0; i < n->nkids; i++) {
        static const char *const keys[] = {"name", "token", "token_file"};
        const ww_yn_t *t = n->kids[i];
        ww_sc_token_t *tk = &in->tokens[i];
        int rc = ww_yc_keys(&r->yc, t, "token", keys, WW_ARRAY_LEN(keys));
        if (rc)
            return rc;
        const ww_yn_t *name = ww_yn_get(t, "name"), *val = ww_yn_get(t, "token"),
                      *file = ww_yn_get(t, "token_file");
        if (!name)
            return ww_yc_fail(&r->yc, t, "a token needs a name: (the sender it is for)");
        if ((rc = ww_yc_str(&r->yc, name, "token name", 64, &tk->name)))
            return rc;
        if (!val == !file)
            return ww_yc_fail(&r->yc, t,
                              "token '%s': give exactly one of token: or token_file:", tk->name);
        if (val && (rc = ww_yc_str(&r->yc, val, "token", SECRET_MAX, &tk->value)))
            return rc;
        if (file) {
            const char *path;
            if ((rc = path_of(r, file, "token_file", &path)) ||
                (rc = read_secret(r, file, "token_file", path, &tk->value)))
                return rc;
        }
        const ww_yn_t *at = val ? val : file;
        if (strlen(tk->value) < WW_SC_MIN_TOKEN)
            return ww_yc_fail(&r->yc, at,
                              "token '%s' is shorter than %d characters: make a long random one, "
                              "e.g. `openssl rand -hex 32`",
                              tk->name, WW_SC_MIN_TOKEN);
        for (const char *p = tk->value; *p; p++)
            if (*p <= ' ' || *p == 0x7f)
                return ww_yc_fail(&r->yc, at, "token '%s' contains a space or control character",
                                  tk->name);
        for (uint32_t j = 0; j < i; j++) {
            if (strcmp(in->tokens[j].name, tk->name) == 0)
                return ww_yc_fail(&r->yc, name, "token name '%s' given twice", tk->name);
            if (strcmp(in->tokens[j].value, tk->value) == 0)
                return ww_yc_fail(&r->yc, at,
                                  "tokens '%s' and '%s' are the same: each sender needs its own",
                                  in->tokens[j].name, tk->name);
        }
    }
    in->ntokens = n->nkids;
    return 0;
}

static int read_input(rd_t *r, const ww_yn_t *n, uint32_t idx, ww_sc_input_t *in)
{
    char what[48];
    snprintf(what, sizeof what, "input %u", idx + 1);
    static const char *const keys[] = {"type",        "name",     "listen",       "tls",
                                       "max_frame",   "max_body", "idle_timeout", "max_connections",
                                       "recv_buffer", "tokens",   "paths",        "from_start",
                                       "format"};
    int rc = ww_yc_keys(&r->yc, n, what, keys, WW_ARRAY_LEN(keys));
    if (rc)
        return rc;
    in->line = n->line;
    in->col = n->col;
    const ww_yn_t *type = ww_yn_get(n, "type");
    if (!type)
        return ww_yc_fail(&r->yc, n,
                          "%s needs a type: (syslog-udp, syslog-tcp, syslog-tls, http, "
                          "beats, tail or relp)",
                          what);
    if ((rc = pick(r, type, "input type", input_types, WW_ARRAY_LEN(input_types), &in->type)))
        return rc;
    snprintf(what, sizeof what, "%s input", input_types[in->type]);
    bool net = in->type != WW_IN_TAIL;
    /* Which keys apply to which type: a key that does not apply is an error, because
       it would be silently ignored otherwise.  RELP (librelp) has no idle timeout or
       session limit to set. */
    static const struct {
        const char *key;
        unsigned types; /* bit per WW_IN_* */
    } applies[] = {
        {"listen", 0x1fu | (1u << WW_IN_RELP)},
        {"tls", (1u << WW_IN_SYSLOG_TLS) | (1u << WW_IN_HTTP) | (1u << WW_IN_BEATS)},
        {"max_frame", 0x1fu | (1u << WW_IN_RELP)},
        {"max_body", 1u << WW_IN_HTTP},
        {"idle_timeout", 0x1e},
        {"max_connections", 0x1e},
        {"recv_buffer", 1u << WW_IN_SYSLOG_UDP},
        {"tokens", 1u << WW_IN_HTTP},
        {"paths", 1u << WW_IN_TAIL},
        {"from_start", 1u << WW_IN_TAIL},
        {"format", 1u << WW_IN_TAIL},
    };
    for (size_t i = 0; i < WW_ARRAY_LEN(applies); i++) {
        const ww_yn_t *v = ww_yn_get(n, applies[i].key);
        if (v && !(applies[i].types & (1u << in->type))) {
            /* Point at the key, not its value. */
            const ww_yn_t *k = v;
            for (uint32_t j = 0; j + 1 < n->nkids; j += 2)
                if (n->kids[j + 1] == v)
                    k = n->kids[j];
            /* RELP over TLS would be librelp's own TLS stack, not wired here: said
               so, with what to use instead. */
            if (in->type == WW_IN_RELP && strcmp(applies[i].key, "tls") == 0)
                return ww_yc_fail(&r->yc, k,
                                  "%s: tls is not supported for RELP yet; use syslog-tls (RFC "
                                  "5425) for encrypted transport, or RELP on a trusted network",
                                  what);
            return ww_yc_fail(&r->yc, k, "%s: '%s' does not apply to this type", what,
                              applies[i].key);
        }
    }
    /* Defaults. */
    in->max_frame = 64 * 1024;
    in->max_body = 16u << 20;
    in->idle_timeout_ms = 300 * 1000;
    in->max_connections = 1024;
    in->format = WW_FMT_AUTO;
    const ww_yn_t *v;
    if ((v = ww_yn_get(n, "name")) && (rc = ww_yc_str(&r->yc, v, "name", 64, &in->name)))
        return rc;
    if (net) {
        if (!(v = ww_yn_get(n, "listen")))
            return ww_yc_fail(&r->yc, n, "%s needs listen: (e.g. 0.0.0.0:514)", what);
        if ((rc = ww_yc_str(&r->yc, v, "listen", 128, &in->listen)))
            return rc;
        char why[200];
        if (ww_sc_parse_listen(in->listen, &in->addr, &in->addrlen, why, sizeof why) != 0)
            return ww_yc_fail(&r->yc, v, "listen: %s", why);
        if ((v = ww_yn_get(n, "tls"))) {
            if ((rc = read_tls(r, v, "tls", &in->tls)))
                return rc;
            in->has_tls = true;
        } else if (in->type == WW_IN_SYSLOG_TLS) {
            return ww_yc_fail(&r->yc, n, "%s needs tls: {cert: FILE, key: FILE}", what);
        }
        if ((v = ww_yn_get(n, "max_frame")) &&
            (rc = ww_yc_size(&r->yc, v, "max_frame", 1024, 64u << 20, &in->max_frame)))
            return rc;
        if ((v = ww_yn_get(n, "idle_timeout")) &&
            (rc = ww_yc_duration(&r->yc, v, "idle_timeout", 1000, 86400000, &in->idle_timeout_ms)))
            return rc;
        uint64_t u;
        if ((v = ww_yn_get(n, "max_connections"))) {
            if ((rc = ww_yc_uint(&r->yc, v, "max_connections", 1, 65536, &u)))
                return rc;
            in->max_connections = (uint32_t)u;
        }
        if ((v = ww_yn_get(n, "recv_buffer")) &&
            (rc = ww_yc_size(&r->yc, v, "recv_buffer", 4096, 1u << 30, &in->recv_buffer)))
            return rc;
        if ((v = ww_yn_get(n, "max_body")) &&
            (rc = ww_yc_size(&r->yc, v, "max_body", 1024, 1u << 30, &in->max_body)))
            return rc;
        if (in->type == WW_IN_HTTP) {
            if (!(v = ww_yn_get(n, "tokens")))
                return ww_yc_fail(&r->yc, n,
                                  "%s needs tokens: (one bearer token per sender); an open "
                                  "ingest endpoint lets anyone write alerts",
                                  what);
            if ((rc = read_tokens(r, v, in)))
                return rc;
        }
    } else {
        if (!(v = ww_yn_get(n, "paths")))
            return ww_yc_fail(&r->yc, n, "%s needs paths: (files or globs)", what);
        if ((rc = ww_yc_strlist(&r->yc, &r->c->arena, v, "paths", WW_SC_MAX_PATHS, 4000, &in->paths,
                                &in->npaths)))
            return rc;
        for (uint32_t i = 0; i < in->npaths; i++)
            if (in->paths[i][0] != '/')
                return ww_yc_fail(&r->yc, v->type == WW_YN_SEQ ? v->kids[i] : v,
                                  "paths: '%.100s' must be absolute", in->paths[i]);
        if ((v = ww_yn_get(n, "from_start")) &&
            (rc = ww_yc_bool(&r->yc, v, "from_start", &in->from_start)))
            return rc;
        if ((v = ww_yn_get(n, "format"))) {
            static const char *const fmts[] = {"auto", "evtx", "json", "syslog", "text", "zeek"};
            int f = 0;
            if ((rc = pick(r, v, "format", fmts, WW_ARRAY_LEN(fmts), &f)))
                return rc;
            in->format = f; /* the table is in enum ww_format's order */
        }
    }
    if (!in->name) {
        char buf[200];
        snprintf(buf, sizeof buf, "%s %s", input_types[in->type], net ? in->listen : in->paths[0]);
        if (!(in->name = ww_arena_strndup(&r->c->arena, buf, strlen(buf))))
            return WW_ENOMEM;
    }
    return 0;
}

static int read_notifier(rd_t *r, const ww_yn_t *n, uint32_t idx, ww_sc_notifier_t *no)
{
    char what[48];
    snprintf(what, sizeof what, "notifier %u", idx + 1);
    static const char *const keys[] = {"type",   "name",    "url",    "min_level",
                                       "from",   "to",      "user",   "password_file",
                                       "format", "retries", "timeout"};
    int rc = ww_yc_keys(&r->yc, n, what, keys, WW_ARRAY_LEN(keys));
    if (rc)
        return rc;
    no->line = n->line;
    no->col = n->col;
    const ww_yn_t *v = ww_yn_get(n, "type");
    if (!v)
        return ww_yc_fail(&r->yc, n, "%s needs a type: (webhook, email or syslog)", what);
    if ((rc = pick(r, v, "notifier type", notify_types, WW_ARRAY_LEN(notify_types), &no->type)))
        return rc;
    snprintf(what, sizeof what, "%s notifier", notify_types[no->type]);
    no->min_level = WW_LEVEL_HIGH;
    no->retries = 5;
    no->timeout_ms = 10000;
    if ((v = ww_yn_get(n, "name")) && (rc = ww_yc_str(&r->yc, v, "name", 64, &no->name)))
        return rc;
    if (!(v = ww_yn_get(n, "url")))
        return ww_yc_fail(&r->yc, n, "%s needs url:", what);
    if ((rc = ww_yc_str(&r->yc, v, "url", 2000, &no->url)))
        return rc;
    static const char *const schemes[][3] = {
        {"https://", NULL, NULL}, {"smtp://", "smtps://", NULL}, {"tcp://", "udp://", NULL}};
    bool ok = false;
    for (int i = 0; i < 3; i++)
        if (schemes[no->type][i] &&
            strncmp(no->url, schemes[no->type][i], strlen(schemes[no->type][i])) == 0)
            ok = true;
    if (!ok)
        return ww_yc_fail(&r->yc, v,
                          no->type == WW_NOTIFY_WEBHOOK ? "a webhook url must start with https://"
                          : no->type == WW_NOTIFY_EMAIL
                              ? "an email url must start with smtp:// (STARTTLS is required) or "
                                "smtps://"
                              : "a syslog url must start with tcp:// or udp://");
    if ((v = ww_yn_get(n, "min_level"))) {
        const char *s;
        if ((rc = ww_yc_str(&r->yc, v, "min_level", 32, &s)))
            return rc;
        char low[32];
        size_t i = 0;
        for (; s[i] && i < sizeof low - 1; i++)
            low[i] = (char)tolower((unsigned char)s[i]);
        low[i] = 0;
        if ((no->min_level = ww_level_parse(low)) < 0)
            return ww_yc_fail(&r->yc, v,
                              "min_level '%.32s' is not one of: informational, low, medium, high, "
                              "critical",
                              s);
    }
    bool email = no->type == WW_NOTIFY_EMAIL;
    const char *only_email[] = {"from", "to", "user", "password_file"};
    for (size_t i = 0; i < WW_ARRAY_LEN(only_email); i++)
        if (!email && (v = ww_yn_get(n, only_email[i])))
            return ww_yc_fail(&r->yc, v, "%s: '%s' is for email notifiers", what, only_email[i]);
    if (email) {
        if (!(v = ww_yn_get(n, "from")) || (rc = ww_yc_str(&r->yc, v, "from", 320, &no->from)))
            return v ? rc : ww_yc_fail(&r->yc, n, "%s needs from: (the sender address)", what);
        if (!(v = ww_yn_get(n, "to")))
            return ww_yc_fail(&r->yc, n, "%s needs to: (one address or a list)", what);
        if ((rc = ww_yc_strlist(&r->yc, &r->c->arena, v, "to", 100, 320, &no->to, &no->nto)))
            return rc;
        for (uint32_t i = 0; i < no->nto; i++)
            if (!strchr(no->to[i], '@') || strpbrk(no->to[i], "\r\n<>,; "))
                return ww_yc_fail(&r->yc, v->type == WW_YN_SEQ ? v->kids[i] : v,
                                  "to: '%.100s' is not one email address", no->to[i]);
        if ((v = ww_yn_get(n, "user")) && (rc = ww_yc_str(&r->yc, v, "user", 256, &no->user)))
            return rc;
        if ((v = ww_yn_get(n, "password_file"))) {
            const char *path;
            if ((rc = path_of(r, v, "password_file", &path)) ||
                (rc = read_secret(r, v, "password_file", path, &no->password)))
                return rc;
        }
    }
    if ((v = ww_yn_get(n, "format"))) {
        static const char *const fmts[] = {"rfc5424", "cef"};
        int f = 0;
        if (no->type != WW_NOTIFY_SYSLOG)
            return ww_yc_fail(&r->yc, v, "%s: 'format' is for syslog notifiers", what);
        if ((rc = pick(r, v, "format", fmts, 2, &f)))
            return rc;
        no->cef = f == 1;
    }
    uint64_t u;
    if ((v = ww_yn_get(n, "retries"))) {
        if ((rc = ww_yc_uint(&r->yc, v, "retries", 0, 100, &u)))
            return rc;
        no->retries = (uint32_t)u;
    }
    if ((v = ww_yn_get(n, "timeout")) &&
        (rc = ww_yc_duration(&r->yc, v, "timeout", 100, 600000, &no->timeout_ms)))
        return rc;
    if (!no->name)
        no->name = notify_types[no->type];
    return 0;
}

static int read_rules(rd_t *r, const ww_yn_t *n)
{
    static const char *const keys[] = {"sigmahq", "pack", "paths", "placeholders", "suppress"};
    int rc = ww_yc_keys(&r->yc, n, "rules", keys, WW_ARRAY_LEN(keys));
    if (rc)
        return rc;
    const ww_yn_t *v;
    ww_serve_config_t *c = r->c;
    if ((v = ww_yn_get(n, "sigmahq")) && (rc = ww_yc_bool(&r->yc, v, "sigmahq", &c->sigmahq)))
        return rc;
    if ((v = ww_yn_get(n, "pack")) && (rc = ww_yc_bool(&r->yc, v, "pack", &c->pack)))
        return rc;
    if ((v = ww_yn_get(n, "paths"))) {
        if ((rc = ww_yc_strlist(&r->yc, &c->arena, v, "rules paths", WW_SC_MAX_PATHS, 4000,
                                &c->rule_paths, &c->nrule_paths)))
            return rc;
        for (uint32_t i = 0; i < c->nrule_paths; i++) {
            const ww_yn_t *item = v->type == WW_YN_SEQ ? v->kids[i] : v;
            if ((rc = path_of(r, item, "rules path", &c->rule_paths[i])) ||
                (rc = readable(r, item, "rules path", c->rule_paths[i])))
                return rc;
        }
    }
    if ((v = ww_yn_get(n, "placeholders")) &&
        ((rc = path_of(r, v, "placeholders", &c->placeholders)) ||
         (rc = readable(r, v, "placeholders", c->placeholders))))
        return rc;
    if ((v = ww_yn_get(n, "suppress")) && ((rc = path_of(r, v, "suppress", &c->suppress)) ||
                                           (rc = readable(r, v, "suppress", c->suppress))))
        return rc;
    return 0;
}

static int read_seq(rd_t *r, const ww_yn_t *n, const char *what, uint32_t max, size_t size,
                    void **out)
{
    if (n->type != WW_YN_SEQ)
        return ww_yc_fail(&r->yc, n, "%s must be a list (lines starting with '- ')", what);
    if (n->nkids > max)
        return ww_yc_fail(&r->yc, n, "more than %u %s", max, what);
    if (!(*out = ww_arena_calloc(&r->c->arena, (n->nkids ? n->nkids : 1) * size)))
        return WW_ENOMEM;
    return 0;
}

static bool same_addr(const ww_sc_input_t *a, const ww_sc_input_t *b)
{
    bool udp_a = a->type == WW_IN_SYSLOG_UDP, udp_b = b->type == WW_IN_SYSLOG_UDP;
    if (udp_a != udp_b || a->addr.ss_family != b->addr.ss_family)
        return false; /* UDP and TCP ports are separate */
    if (a->addr.ss_family == AF_INET) {
        const struct sockaddr_in *x = (const void *)&a->addr, *y = (const void *)&b->addr;
        return x->sin_port == y->sin_port && x->sin_port &&
               x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    const struct sockaddr_in6 *x = (const void *)&a->addr, *y = (const void *)&b->addr;
    return x->sin6_port == y->sin6_port && x->sin6_port &&
           memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
}

/* console: the web console's listener and what it tells people (docs/console.md). */
static int read_console(rd_t *r, const ww_yn_t *sec)
{
    static const char *const k[] = {"listen",        "cert",         "key",         "names",
                                    "plain_http",    "threads",      "base_url",    "trust_name",
                                    "firebreak_map", "idle_timeout", "max_session", "contacts"};
    ww_serve_config_t *c = r->c;
    const ww_yn_t *v;
    char why[200];
    int rc = ww_yc_keys(&r->yc, sec, "console", k, WW_ARRAY_LEN(k));
    if (rc)
        return rc;
    c->console.line = sec->line;
    if (!(v = ww_yn_get(sec, "listen")))
        return ww_yc_fail(&r->yc, sec, "console needs listen: (e.g. \"127.0.0.1:8443\")");
    if ((rc = ww_yc_str(&r->yc, v, "console listen", 128, &c->console.listen)))
        return rc;
    struct sockaddr_storage ss;
    socklen_t sl;
    if (ww_sc_parse_listen(c->console.listen, &ss, &sl, why, sizeof why) != 0)
        return ww_yc_fail(&r->yc, v, "console listen: %s", why);
    char host[INET6_ADDRSTRLEN];
    if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const void *)&ss;
        inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
        c->console.port = ntohs(a->sin6_port);
    } else {
        const struct sockaddr_in *a = (const void *)&ss;
        inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
        c->console.port = ntohs(a->sin_port);
    }
    if (!(c->console.host = ww_arena_strdup(&c->arena, host)))
        return WW_ENOMEM;
    const ww_yn_t *cert = ww_yn_get(sec, "cert"), *key = ww_yn_get(sec, "key");
    if (!cert != !key)
        return ww_yc_fail(&r->yc, cert ? cert : key,
                          "console: cert and key go together (or neither: a self-signed "
                          "certificate is made in state_dir)");
    if (cert && ((rc = path_of(r, cert, "console cert", &c->console.cert)) ||
                 (rc = readable(r, cert, "console cert", c->console.cert)) ||
                 (rc = path_of(r, key, "console key", &c->console.key)) ||
                 (rc = readable(r, key, "console key", c->console.key))))
        return rc;
    if ((v = ww_yn_get(sec, "names")) &&
        (rc = ww_yc_strlist(&r->yc, &c->arena, v, "console names", 32, 253, &c->console.names,
                            &c->console.nnames)))
        return rc;
    if ((v = ww_yn_get(sec, "plain_http"))) {
        if ((rc = ww_yc_bool(&r->yc, v, "console plain_http", &c->console.plain_http)))
            return rc;
        bool loop =
            ss.ss_family == AF_INET
                ? (ntohl(((const struct sockaddr_in *)(const void *)&ss)->sin_addr.s_addr) >> 24) ==
                      127
                : IN6_IS_ADDR_LOOPBACK(
                      &((const struct sockaddr_in6 *)(const void *)&ss)->sin6_addr);
        if (c->console.plain_http && !loop)
            return ww_yc_fail(&r->yc, v,
                              "console plain_http is for tests on a loopback address only; "
                              "people's passwords cross this connection");
    }
    uint64_t u;
    if ((v = ww_yn_get(sec, "threads"))) {
        if ((rc = ww_yc_uint(&r->yc, v, "console threads", 1, 64, &u)))
            return rc;
        c->console.threads = (uint32_t)u;
    }
    static const struct {
        const char *key;
        size_t off;
    } strs[] = {
        {"base_url", offsetof(ww_serve_config_t, console.base_url)},
        {"trust_name", offsetof(ww_serve_config_t, console.trust_name)},
    };
    for (size_t i = 0; i < WW_ARRAY_LEN(strs); i++)
        if ((v = ww_yn_get(sec, strs[i].key)) &&
            (rc = ww_yc_str(&r->yc, v, strs[i].key, 300, (const char **)((char *)c + strs[i].off))))
            return rc;
    if ((v = ww_yn_get(sec, "firebreak_map")) &&
        ((rc = path_of(r, v, "console firebreak_map", &c->console.firebreak_map)) ||
         (rc = readable(r, v, "console firebreak_map", c->console.firebreak_map))))
        return rc;
    if ((v = ww_yn_get(sec, "idle_timeout"))) {
        if ((rc = ww_yc_duration(&r->yc, v, "console idle_timeout", 60000, 86400000, &u)))
            return rc;
        c->console.idle_timeout_s = u / 1000;
    }
    if ((v = ww_yn_get(sec, "max_session"))) {
        if ((rc = ww_yc_duration(&r->yc, v, "console max_session", 60000, 7 * 86400000ull, &u)))
            return rc;
        c->console.absolute_timeout_s = u / 1000;
    }
    const ww_yn_t *ct = ww_yn_get(sec, "contacts");
    if (ct) {
        static const char *const ck[] = {"service_desk", "phishing_address", "csoc_phone"};
        if ((rc = ww_yc_keys(&r->yc, ct, "console contacts", ck, WW_ARRAY_LEN(ck))))
            return rc;
        if ((v = ww_yn_get(ct, "service_desk")) &&
            (rc = ww_yc_str(&r->yc, v, "service_desk", 300, &c->console.service_desk)))
            return rc;
        if ((v = ww_yn_get(ct, "phishing_address")) &&
            (rc = ww_yc_str(&r->yc, v, "phishing_address", 300, &c->console.phishing_address)))
            return rc;
        if ((v = ww_yn_get(ct, "csoc_phone")) &&
            (rc = ww_yc_str(&r->yc, v, "csoc_phone", 100, &c->console.csoc_phone)))
            return rc;
    }
    return 0;
}

static int read_root(rd_t *r, const ww_yn_t *root)
{
    static const char *const keys[] = {"state_dir", "rules",  "spool",  "detection", "alerts",
                                       "metrics",   "inputs", "notify", "limits",    "console"};
    int rc = ww_yc_keys(&r->yc, root, "the config", keys, WW_ARRAY_LEN(keys));
    if (rc)
        return rc;
    ww_serve_config_t *c = r->c;
    const ww_yn_t *v, *sec;
    if (!(v = ww_yn_get(root, "state_dir")))
        return ww_yc_fail(&r->yc, root,
                          "the config needs state_dir: (where the spool and alert store live)");
    if ((rc = path_of(r, v, "state_dir", &c->state_dir)))
        return rc;
    if ((sec = ww_yn_get(root, "rules")) && (rc = read_rules(r, sec)))
        return rc;
    if ((sec = ww_yn_get(root, "spool"))) {
        static const char *const k[] = {"max_bytes", "segment_bytes", "commit_interval", "dir"};
        if ((rc = ww_yc_keys(&r->yc, sec, "spool", k, WW_ARRAY_LEN(k))))
            return rc;
        if ((v = ww_yn_get(sec, "dir")) && (rc = path_of(r, v, "spool dir", &c->spool_dir)))
            return rc;
        if ((v = ww_yn_get(sec, "max_bytes")) &&
            (rc = ww_yc_size(&r->yc, v, "spool max_bytes", 1u << 20, 1ull << 44,
                             &c->spool_max_bytes)))
            return rc;
        if ((v = ww_yn_get(sec, "segment_bytes")) &&
            (rc = ww_yc_size(&r->yc, v, "spool segment_bytes", 64u << 10, 1ull << 32,
                             &c->spool_segment_bytes)))
            return rc;
        if ((v = ww_yn_get(sec, "commit_interval")) &&
            (rc = ww_yc_duration(&r->yc, v, "spool commit_interval", 1, 10000,
                                 &c->commit_interval_ms)))
            return rc;
        if (c->spool_segment_bytes > c->spool_max_bytes / 4)
            return ww_yc_fail(&r->yc, sec,
                              "spool: segment_bytes must be at most a quarter of max_bytes, so "
                              "the spool can turn over");
    }
    if ((sec = ww_yn_get(root, "limits"))) {
        /* What senders can make the server hold (docs/serve.md, "Memory"). */
        static const char *const k[] = {"memory"};
        if ((rc = ww_yc_keys(&r->yc, sec, "limits", k, WW_ARRAY_LEN(k))))
            return rc;
        if ((v = ww_yn_get(sec, "memory")) &&
            (rc = ww_yc_size(&r->yc, v, "limits memory", WW_SC_MIN_MEMORY, 1ull << 40,
                             &c->memory_bytes)))
            return rc;
    }
    if ((sec = ww_yn_get(root, "detection"))) {
        static const char *const k[] = {"threads", "lateness"};
        uint64_t u;
        if ((rc = ww_yc_keys(&r->yc, sec, "detection", k, WW_ARRAY_LEN(k))))
            return rc;
        if ((v = ww_yn_get(sec, "threads"))) {
            if ((rc = ww_yc_uint(&r->yc, v, "threads", 0, 256, &u)))
                return rc;
            c->threads = (uint32_t)u;
        }
        /* Up to a day: the spool keeps the events of the longest correlation window
           plus this for the warm-up after a restart, so a larger value would mostly
           cost disk. */
        if ((v = ww_yn_get(sec, "lateness")) &&
            (rc = ww_yc_duration(&r->yc, v, "lateness", 0, 86400000, &c->lateness_ms)))
            return rc;
    }
    if ((sec = ww_yn_get(root, "alerts"))) {
        static const char *const k[] = {"register", "link_base"};
        if ((rc = ww_yc_keys(&r->yc, sec, "alerts", k, WW_ARRAY_LEN(k))))
            return rc;
        if ((v = ww_yn_get(sec, "register")) &&
            ((rc = path_of(r, v, "register", &c->register_db)) ||
             (rc = readable(r, v, "register", c->register_db))))
            return rc;
        if ((v = ww_yn_get(sec, "link_base")) &&
            (rc = ww_yc_str(&r->yc, v, "link_base", 1000, &c->link_base)))
            return rc;
    }
    if ((sec = ww_yn_get(root, "metrics"))) {
        static const char *const k[] = {"listen"};
        char why[200];
        if ((rc = ww_yc_keys(&r->yc, sec, "metrics", k, WW_ARRAY_LEN(k))))
            return rc;
        if ((v = ww_yn_get(sec, "listen"))) {
            if ((rc = ww_yc_str(&r->yc, v, "metrics listen", 128, &c->metrics_listen)))
                return rc;
            if (ww_sc_parse_listen(c->metrics_listen, &c->metrics_addr, &c->metrics_addrlen, why,
                                   sizeof why) != 0)
                return ww_yc_fail(&r->yc, v, "metrics listen: %s", why);
        }
    }
    if ((sec = ww_yn_get(root, "console")) && (rc = read_console(r, sec)))
        return rc;
    if (!(sec = ww_yn_get(root, "inputs")))
        return ww_yc_fail(&r->yc, root, "the config needs inputs: (at least one)");
    if ((rc = read_seq(r, sec, "inputs", WW_SC_MAX_INPUTS, sizeof *c->inputs, (void **)&c->inputs)))
        return rc;
    if (sec->nkids == 0)
        return ww_yc_fail(&r->yc, sec,
                          "inputs: the list is empty; a server with no input "
                          "receives nothing");
    for (uint32_t i = 0; i < sec->nkids; i++) {
        if ((rc = read_input(r, sec->kids[i], i, &c->inputs[i])))
            return rc;
        c->ninputs++;
        for (uint32_t j = 0; j < i; j++) {
            if (strcmp(c->inputs[j].name, c->inputs[i].name) == 0)
                return ww_yc_fail(&r->yc, sec->kids[i], "input name '%s' is used twice",
                                  c->inputs[i].name);
            if (c->inputs[i].type != WW_IN_TAIL && c->inputs[j].type != WW_IN_TAIL &&
                same_addr(&c->inputs[i], &c->inputs[j]))
                return ww_yc_fail(&r->yc, sec->kids[i],
                                  "input %u listens on %s, as input %u (line %u) does", i + 1,
                                  c->inputs[i].listen, j + 1, c->inputs[j].line);
        }
    }
    if ((sec = ww_yn_get(root, "notify"))) {
        if ((rc = read_seq(r, sec, "notifiers", WW_SC_MAX_NOTIFIERS, sizeof *c->notifiers,
                           (void **)&c->notifiers)))
            return rc;
        for (uint32_t i = 0; i < sec->nkids; i++) {
            if ((rc = read_notifier(r, sec->kids[i], i, &c->notifiers[i])))
                return rc;
            c->nnotifiers++;
            for (uint32_t j = 0; j < i; j++)
                if (!strcmp(c->notifiers[j].name, c->notifiers[i].name))
                    return ww_yc_fail(&r->yc, sec->kids[i],
                                      "notifier name '%s' is used twice: give each a name:",
                                      c->notifiers[i].name);
        }
    }
    return 0;
}

static void take_root(void *ud, ww_yn_t *root, uint32_t line)
{
    (void)line;
    *(ww_yn_t **)ud = root;
}

int ww_serve_config_parse(const char *buf, size_t len, const char *file, ww_serve_config_t **out,
                          ww_diag_t *diag)
{
    *out = NULL;
    if (len > WW_SC_MAX_BYTES) {
        ww_diag_set(diag, file, 1, 1, "the config is larger than %u bytes", WW_SC_MAX_BYTES);
        return WW_ELIMIT;
    }
    ww_serve_config_t *c = calloc(1, sizeof *c);
    if (!c)
        return WW_ENOMEM;
    ww_arena_init(&c->arena, 16 * 1024, 64u * WW_SC_MAX_BYTES);
    c->sigmahq = c->pack = true;
    c->spool_max_bytes = 4ull << 30;
    c->spool_segment_bytes = 64u << 20;
    c->commit_interval_ms = 5;
    c->memory_bytes = WW_SC_DEFAULT_MEMORY;
    c->lateness_ms = WW_SC_DEF_LATENESS_MS;
    rd_t r = {{file, diag}, c, NULL};
    char *dir = NULL;
    if (file) {
        const char *slash = strrchr(file, '/');
        dir = slash ? ww_arena_strndup(&c->arena, file, (size_t)(slash > file ? slash - file : 1))
                    : ww_arena_strndup(&c->arena, ".", 1);
        c->file = ww_arena_strndup(&c->arena, file, strlen(file));
    }
    r.dir = dir;
    ww_yn_t *root = NULL;
    int rc = ww_yaml_parse(&c->arena, buf, len, WW_YAML_ONE_DOC | WW_YAML_NO_ALIASES, take_root,
                           &root, diag);
    if (rc < 0)
        snprintf(diag->file, sizeof diag->file, "%s", file ? file : "");
    if (rc == 0 && !root) {
        ww_diag_set(diag, file, 1, 1, "the config is empty");
        rc = WW_EPARSE;
    }
    if (rc == 0)
        rc = read_root(&r, root);
    if (rc == WW_ENOMEM)
        ww_diag_set(diag, file, 1, 1, "out of memory reading the config");
    if (rc && !diag->line) {
        diag->line = 1;
        diag->col = 1;
    }
    if (rc) {
        ww_serve_config_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

int ww_serve_config_load(const char *path, ww_serve_config_t **out, ww_diag_t *diag)
{
    *out = NULL;
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        ww_diag_set(diag, path, 0, 0, "not a regular file");
        return WW_EIO;
    }
    char *buf = NULL;
    size_t len = 0;
    int rc = ww_read_file(path, WW_SC_MAX_BYTES, &buf, &len);
    if (rc == WW_ELIMIT)
        ww_diag_set(diag, path, 1, 1, "the config is larger than %u bytes", WW_SC_MAX_BYTES);
    else if (rc == WW_ENOMEM)
        ww_diag_set(diag, path, 0, 0, "out of memory");
    else if (rc)
        ww_diag_set(diag, path, 0, 0, "cannot open: %s", strerror(errno));
    if (rc == 0)
        rc = ww_serve_config_parse(buf, len, path, out, diag);
    free(buf);
    return rc;
}

void ww_serve_config_free(ww_serve_config_t *c)
{
    if (!c)
        return;
    ww_arena_release(&c->arena);
    free(c);
}

static void human(uint64_t v, char *out, size_t n)
{
    static const char *const u[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int i = 0;
    while (v >= 1024 && v % 1024 == 0 && i < 4) {
        v /= 1024;
        i++;
    }
    snprintf(out, n, "%llu %s", (unsigned long long)v, u[i]);
}

void ww_sc_duration_str(uint64_t ms, char *out, size_t n)
{
    static const struct {
        uint64_t ms;
        const char *unit;
    } u[] = {{86400000, "d"}, {3600000, "h"}, {60000, "m"}, {1000, "s"}};
    for (size_t i = 0; i < WW_ARRAY_LEN(u); i++)
        if (ms && ms % u[i].ms == 0) {
            snprintf(out, n, "%llu%s", (unsigned long long)(ms / u[i].ms), u[i].unit);
            return;
        }
    snprintf(out, n, "%llums", (unsigned long long)ms);
}

void ww_serve_config_describe(const ww_serve_config_t *c, ww_buf_t *out)
{
    char a[32], b[32];
    ww_buf_printf(out, "state:     %s\n", c->state_dir);
    human(c->spool_max_bytes, a, sizeof a);
    human(c->spool_segment_bytes, b, sizeof b);
    ww_buf_printf(out, "spool:     at most %s on disk, %s segments, commit every %llu ms\n", a, b,
                  (unsigned long long)c->commit_interval_ms);
    ww_buf_printf(out, "rules:     %s%s%s, %u more path%s\n", c->pack ? "wardwatch pack" : "",
                  c->pack && c->sigmahq ? " + " : "", c->sigmahq ? "SigmaHQ" : "", c->nrule_paths,
                  c->nrule_paths == 1 ? "" : "s");
    char late[32];
    ww_sc_duration_str(c->lateness_ms, late, sizeof late);
    if (c->threads)
        ww_buf_printf(out, "detection: %u thread%s, lateness %s\n", c->threads,
                      c->threads == 1 ? "" : "s", late);
    else
        ww_buf_printf(out, "detection: one thread per core, lateness %s\n", late);
    human(c->memory_bytes, a, sizeof a);
    ww_buf_printf(out, "memory:    at most %s held for senders (buffers, bodies, backlog)\n", a);
    ww_buf_printf(out, "inputs:    %u\n", c->ninputs);
    for (uint32_t i = 0; i < c->ninputs; i++) {
        const ww_sc_input_t *in = &c->inputs[i];
        const char *where = in->type == WW_IN_TAIL ? in->paths[0] : in->listen;
        ww_buf_printf(out, "  %-12s %s", ww_sc_input_type_name(in->type), where);
        /* A name of its own is worth showing; the default only repeats the line. */
        size_t tl = strlen(ww_sc_input_type_name(in->type));
        if (strncmp(in->name, ww_sc_input_type_name(in->type), tl) != 0 || in->name[tl] != ' ' ||
            strcmp(in->name + tl + 1, where) != 0)
            ww_buf_printf(out, " \"%s\"", in->name);
        if (in->has_tls)
            ww_buf_printf(out, " (TLS%s)", in->tls.client_ca ? ", client certificates" : "");
        if (in->ntokens)
            ww_buf_printf(out, " (%u token%s)", in->ntokens, in->ntokens == 1 ? "" : "s");
        if (in->type == WW_IN_TAIL)
            ww_buf_printf(out, " (%u path%s, format %s)", in->npaths, in->npaths == 1 ? "" : "s",
                          ww_format_name(in->format));
        ww_buf_putc(out, '\n');
    }
    ww_buf_printf(out, "notify:    %u\n", c->nnotifiers);
    for (uint32_t i = 0; i < c->nnotifiers; i++) {
        const ww_sc_notifier_t *no = &c->notifiers[i];
        ww_buf_printf(out, "  %-12s %s and above", ww_sc_notify_type_name(no->type),
                      ww_level_name(no->min_level));
        if (strcmp(no->name, ww_sc_notify_type_name(no->type)) != 0)
            ww_buf_printf(out, " \"%s\"", no->name);
        ww_buf_putc(out, '\n');
    }
    if (c->metrics_listen)
        ww_buf_printf(out, "metrics:   http://%s/metrics\n", c->metrics_listen);
    if (c->console.listen)
        ww_buf_printf(out, "console:   %s://%s/%s\n", c->console.plain_http ? "http" : "https",
                      c->console.listen,
                      c->console.cert ? "" : " (self-signed certificate in state_dir)");
}
