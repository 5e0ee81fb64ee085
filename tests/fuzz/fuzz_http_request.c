/* libFuzzer target for the HTTP input's decision before the body
 * (ww_http_in_decide in lib/serve/ww_http_in.c).  The first byte picks max_body; the
 * rest is a request head as a client sends it -- "METHOD URL VERSION", then
 * "Name: value" lines up to an empty one -- parsed here as loosely as a server would
 * (the first of a repeated header wins, as libmicrohttpd's lookup does).  Checked:
 * the status is one the input documents; a request let through is a POST to .../ingest
 * with exactly one configured token and a length within max_body (or chunked); a token
 * is only ever one the Authorization header names exactly; 413 only over max_body; and
 * the same request always gets the same answer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "serve/ww_http_in.h"

#define HEAD_MAX 4096

static const char *header(char *const *names, char *const *values, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcasecmp(names[i], name) == 0)
            return values[i];
    return NULL;
}

/* The next space-separated word of *s (cut in place), or NULL. */
static char *word(char **s)
{
    char *p = *s;
    while (*p == ' ' || *p == '\r')
        p++;
    if (!*p)
        return NULL;
    char *w = p;
    while (*p && *p != ' ' && *p != '\r')
        p++;
    if (*p)
        *p++ = 0;
    *s = p;
    return w;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint64_t bodies[] = {0, 1, 1024, 16u << 20, UINT64_MAX};
    if (size < 1)
        return 0;
    ww_sc_token_t tokens[2] = {{"a", "0123456789abcdef0123"}, {"b", "fedcba9876543210fedc"}};
    ww_sc_input_t cfg = {.type = WW_IN_HTTP, .name = "http", .tokens = tokens, .ntokens = 2};
    cfg.max_body = bodies[data[0] % 5];
    data++, size--;
    char head[HEAD_MAX + 1];
    size_t n = size < HEAD_MAX ? size : HEAD_MAX;
    memcpy(head, data, n);
    head[n] = 0;
    /* The request line. */
    char *line = head, *next = strchr(line, '\n');
    if (next)
        *next++ = 0;
    ww_http_req_t rq = {0};
    rq.method = word(&line);
    rq.url = rq.method ? word(&line) : NULL;
    rq.version = rq.url ? word(&line) : NULL;
    /* Headers. */
    char *names[64], *values[64];
    int nh = 0;
    for (line = next; line && *line && *line != '\r' && nh < 64; line = next) {
        if ((next = strchr(line, '\n')))
            *next++ = 0;
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = 0;
        char *v = colon + 1;
        while (*v == ' ')
            v++;
        size_t vl = strlen(v);
        while (vl && (v[vl - 1] == '\r' || v[vl - 1] == ' '))
            v[--vl] = 0;
        names[nh] = line;
        values[nh++] = v;
    }
    rq.authorization = header(names, values, nh, "Authorization");
    rq.content_length = header(names, values, nh, "Content-Length");
    rq.transfer_encoding = header(names, values, nh, "Transfer-Encoding");

    ww_http_decision_t d, again;
    ww_http_in_decide(&cfg, &rq, &d);
    ww_http_in_decide(&cfg, &rq, &again);
    if (memcmp(&d, &again, sizeof d) != 0)
        abort();
    static const int ok[] = {0, 400, 401, 404, 405, 411, 413, 501};
    bool known = false;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        known |= d.status == ok[i];
    if (!known || (d.status != 0) != (d.reason != NULL))
        abort();
    if (d.token >= 0) {
        const char *a = rq.authorization;
        if (d.token > 1 || !a || strncasecmp(a, "Bearer ", 7) != 0)
            abort();
        a += 7;
        while (*a == ' ')
            a++;
        if (strcmp(a, tokens[d.token].value) != 0)
            abort();
    }
    if (d.status == 0) {
        size_t ul = strlen(rq.url);
        if (strcmp(rq.method, "POST") != 0 || ul < 7 || strcmp(rq.url + ul - 7, "/ingest") != 0 ||
            d.token < 0)
            abort();
        if (d.chunked ? rq.content_length != NULL : d.length > cfg.max_body)
            abort();
    }
    if (d.status == 413 && (d.chunked || d.length <= cfg.max_body))
        abort();
    if (d.status == 411 && (rq.content_length || rq.transfer_encoding))
        abort();
    return 0;
}
