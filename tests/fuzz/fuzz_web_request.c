/* libFuzzer target for the console's request parser (lib/web/ww_web_req.c) and its
 * HTML writer.  The first byte picks small or default limits; the rest is one HTTP/1.1
 * message.  The message is parsed twice, whole and with its body fed a few bytes at a
 * time: both must agree (the multipart reader is streaming).  A success must keep
 * every promise of ww_web_req_t: a normalised path, decoded values without NUL,
 * counts within the limits, upload hashes equal to the files' contents; an error must
 * carry a status and a message.  Every value is then written as HTML text, attribute
 * and URL, and the output must hold no markup and be valid UTF-8. */
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "web/ww_web_int.h"

static void html_ok(const char *p, size_t n)
{
    ww_buf_t b;
    ww_buf_init(&b, 0);
    ww_html_text(&b, p, n, (n & 1) ? 0 : 40);
    ww_html_attr(&b, p, n);
    for (size_t i = 0; i < b.n; i++) {
        unsigned char c = (unsigned char)b.p[i];
        if (c == '<' || c == '>' || c == '"' || c == '\'' || c == '`' ||
            (c < 0x20 && c != '\t' && c != '\n'))
            abort();
        size_t l = ww__web_utf8_len((const unsigned char *)b.p + i, b.n - i);
        if (!l)
            abort(); /* invalid UTF-8 got through */
        i += l - 1;
    }
    ww_buf_clear(&b);
    ww_html_url(&b, p, n);
    if (b.n >= 11 && strncasecmp(b.p, "javascript:", 11) == 0)
        abort();
    if (b.n >= 2 && b.p[0] == '/' && b.p[1] == '/')
        abort();
    for (size_t i = 0; i < b.n; i++)
        if (b.p[i] == '"' || b.p[i] == '\'' || b.p[i] == '<' || b.p[i] == '>' ||
            (unsigned char)b.p[i] <= 0x20)
            abort();
    ww_buf_release(&b);
}

static void kv_ok(const ww_web_kv_t *v, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (!v[i].name || !*v[i].name || !v[i].value || strlen(v[i].value) != v[i].value_n)
            abort(); /* empty name, or a NUL inside the value */
        html_ok(v[i].value, v[i].value_n);
    }
}

static void success_ok(ww_web_req_t *r, const ww_web_limits_t *lim)
{
    const char *p = r->path;
    size_t n = strlen(p);
    if (p[0] != '/' || strstr(p, "//") || (n > 1 && p[n - 1] == '/'))
        abort();
    if (strstr(p, "/./") || strstr(p, "/../") || strcmp(p + (n >= 2 ? n - 2 : 0), "/.") == 0 ||
        strcmp(p + (n >= 3 ? n - 3 : 0), "/..") == 0 || strchr(p, '\\'))
        abort();
    for (size_t i = 0; i < n;) {
        size_t l = ww__web_utf8_len((const unsigned char *)p + i, n - i);
        if (!l || (unsigned char)p[i] < 0x20)
            abort();
        i += l;
    }
    if (r->nquery + r->nform > lim->max_params || r->ncookies > lim->max_cookies ||
        r->nfiles > lim->max_files)
        abort();
    kv_ok(r->query, r->nquery);
    kv_ok(r->form, r->nform);
    kv_ok(r->cookies, r->ncookies);
    for (uint32_t i = 0; i < r->nfiles; i++) {
        ww_web_file_t *f = &r->files[i];
        struct stat st;
        if (f->fd < 0 || fstat(f->fd, &st) != 0 || (uint64_t)st.st_size != f->size ||
            f->size > lim->max_file || strchr(f->filename, '/') || strchr(f->filename, '\\'))
            abort();
        uint8_t *buf = malloc(f->size ? f->size : 1);
        if (!buf)
            return;
        if (pread(f->fd, buf, f->size, 0) != (ssize_t)f->size)
            abort();
        uint8_t d[32];
        gnutls_hash_fast(GNUTLS_DIG_SHA256, buf, f->size, d);
        free(buf);
        if (memcmp(d, f->sha256, 32) != 0)
            abort(); /* the streamed hash is not the file's */
    }
    if (r->body_kind == WW_WEB_BODY_JSON) {
        if (!ww_web_json_type(r, 0))
            abort();
        size_t sn;
        const char *s = ww_web_json_str(r, ww_web_json_member(r, 0, "name"), &sn);
        if (s)
            html_ok(s, sn);
    }
    html_ok(r->path, n);
}

/* What two parses of one message must agree on. */
typedef struct digest {
    int rc, status;
    uint32_t nquery, nform, ncookies, nfiles;
    uint8_t sha[8][32];
    uint64_t size[8];
} digest_t;

static void parse(const uint8_t *data, size_t size, const ww_web_limits_t *lim, size_t split,
                  digest_t *dg)
{
    ww_web_req_t r;
    ww_web_req_init(&r, lim, NULL);
    int rc = ww_web_req_parse_raw(&r, data, size, split);
    memset(dg, 0, sizeof *dg);
    dg->rc = rc;
    dg->status = r.status;
    if (rc == 0) {
        if (r.status)
            abort();
        success_ok(&r, lim);
        dg->nquery = r.nquery;
        dg->nform = r.nform;
        dg->ncookies = r.ncookies;
        dg->nfiles = r.nfiles;
        for (uint32_t i = 0; i < r.nfiles && i < 8; i++) {
            memcpy(dg->sha[i], r.files[i].sha256, 32);
            dg->size[i] = r.files[i].size;
        }
    } else {
        static const int statuses[] = {400, 408, 411, 413, 414, 415, 431, 500, 501, 503};
        bool known = false;
        for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
            known |= r.status == statuses[i];
        if (rc >= 0 || !known || !r.diag.msg[0])
            abort();
        html_ok(r.diag.msg, strlen(r.diag.msg));
    }
    ww_web_req_release(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    ww_web_limits_t lim = {0};
    if (data[0] & 1) {
        lim.max_target = 64;
        lim.max_header_bytes = 256;
        lim.max_headers = 8;
        lim.max_cookies = 4;
        lim.max_params = 6;
        lim.max_body = 512;
        lim.max_upload = 1024;
        lim.max_file = 100;
        lim.max_files = 2;
        lim.max_field = 64;
    }
    ww_web_limits_default(&lim);
    static const size_t splits[] = {1, 3, 7, 64};
    size_t split = splits[(data[0] >> 1) & 3];
    data++;
    size--;
    digest_t whole, pieces;
    parse(data, size, &lim, 0, &whole);
    parse(data, size, &lim, split, &pieces);
    /* Which error is met first may depend on where the pieces end (a size limit or
       a malformed part), but whether the request is accepted, and what it holds,
       must not. */
    if ((whole.rc == 0) != (pieces.rc == 0) ||
        (whole.rc == 0 && memcmp(&whole, &pieces, sizeof whole) != 0))
        abort();
    return 0;
}
