/* libFuzzer target for the .eml parser (lib/mail/ww_eml.c) that reads the suspicious
 * emails staff upload on /report.  The first byte picks small or default limits; the
 * rest is the message.  A parse must either refuse the bytes with a message and line,
 * or give a result that keeps every promise of ww_eml_t: no NULL where a string is
 * promised, counts within their caps, problem lines inside the message, hashes of
 * the right length, attachment sizes no larger than the input; and its JSON summary
 * must be one well-formed object (checked by a small validator here). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/ww_eml.h"

/* A minimal JSON validator: returns the end of the value at p, or NULL. */
static const char *jv(const char *p, const char *e, int depth);

static const char *ws(const char *p, const char *e)
{
    while (p < e && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
        p++;
    return p;
}

static const char *jstr(const char *p, const char *e)
{
    if (p >= e || *p != '"')
        return NULL;
    for (p++; p < e; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '"')
            return p + 1;
        if (ch < 0x20)
            return NULL;
        if (ch == '\\') {
            p++;
            if (p >= e || !strchr("\"\\/bfnrtu", *p))
                return NULL;
        }
    }
    return NULL;
}

static const char *jv(const char *p, const char *e, int depth)
{
    p = ws(p, e);
    if (p >= e || depth > 16)
        return NULL;
    if (*p == '"')
        return jstr(p, e);
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        bool obj = *p == '{';
        p = ws(p + 1, e);
        if (p < e && *p == close)
            return p + 1;
        for (;;) {
            if (obj) {
                p = jstr(ws(p, e), e);
                if (!p)
                    return NULL;
                p = ws(p, e);
                if (p >= e || *p != ':')
                    return NULL;
                p++;
            }
            p = jv(p, e, depth + 1);
            if (!p)
                return NULL;
            p = ws(p, e);
            if (p < e && *p == ',') {
                p++;
                continue;
            }
            return p < e && *p == close ? p + 1 : NULL;
        }
    }
    const char *s = p;
    while (p < e && strchr("-0123456789.eE+truefalsn", *p))
        p++;
    return p > s ? p : NULL;
}

static void str_ok(const char *s)
{
    if (!s)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    ww_eml_limits_t lim = {0};
    if (data[0] & 1) {
        lim.max_headers = 8;
        lim.max_header_bytes = 64;
        lim.max_depth = 2;
        lim.max_parts = 6;
        lim.max_links = 4;
        lim.max_attachments = 2;
        lim.max_received = 2;
        lim.max_problems = 3;
        lim.max_scan = 256;
        lim.max_excerpt = 32;
    }
    ww_eml_limits_t eff = lim;
    ww_eml_limits_default(&eff);
    data++;
    size--;
    uint32_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    ww_eml_t *m = NULL;
    ww_diag_t d = {0};
    int rc = ww_eml_parse(data, size, &lim, &m, &d);
    if (rc < 0) {
        if (m || !d.msg[0] || (rc != WW_EPARSE && rc != WW_ENOMEM))
            abort();
        return 0;
    }
    if (!m || m->nheaders == 0 || m->nheaders > eff.max_headers || m->nparts > eff.max_parts ||
        m->nlinks > eff.max_links || m->nattachments > eff.max_attachments ||
        m->nreceived > eff.max_received || m->nproblems > eff.max_problems ||
        (uint32_t)rc != m->nproblems + m->dropped_problems || (rc > 0 && !d.msg[0]))
        abort();
    const char *fields[] = {m->subject,
                            m->from,
                            m->from_name,
                            m->from_addr,
                            m->from_domain,
                            m->sender,
                            m->to,
                            m->cc,
                            m->date,
                            m->message_id,
                            m->return_path,
                            m->reply_to,
                            m->reply_to_addr,
                            m->reply_to_domain,
                            m->auth_results,
                            m->spf,
                            m->dkim,
                            m->dmarc,
                            m->dkim_domain,
                            m->text};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        str_ok(fields[i]);
    if (strlen(m->text) > eff.max_excerpt)
        abort();
    for (uint32_t i = 0; i < m->nheaders; i++) {
        str_ok(m->headers[i].name);
        str_ok(m->headers[i].value);
        if (strlen(m->headers[i].value) > eff.max_header_bytes || m->headers[i].line > lines)
            abort();
    }
    for (uint32_t i = 0; i < m->nparts; i++)
        if (m->parts[i].depth > eff.max_depth || m->parts[i].size > size ||
            m->parts[i].line > lines || !strchr(m->parts[i].content_type, '/'))
            abort();
    for (uint32_t i = 0; i < m->nlinks; i++) {
        const ww_eml_link_t *l = &m->links[i];
        str_ok(l->url);
        str_ok(l->host);
        if (!*l->url || l->part >= m->nparts || l->count == 0 ||
            (l->mismatch && (!l->shown_host || !*l->host)))
            abort();
    }
    for (uint32_t i = 0; i < m->nattachments; i++) {
        const ww_eml_attachment_t *a = &m->attachments[i];
        str_ok(a->filename);
        if (strlen(a->sha256) != 64 || strlen(a->sha1) != 40 || a->size > size ||
            a->part >= m->nparts)
            abort();
    }
    for (uint32_t i = 0; i < m->nproblems; i++)
        if (!m->problems[i].msg || !*m->problems[i].msg || m->problems[i].line > lines)
            abort();
    ww_buf_t b;
    ww_buf_init(&b, 0);
    if (ww_eml_json(m, &b) == 0) {
        const char *e = jv(b.p, b.p + b.n, 0);
        if (!e || e != b.p + b.n)
            abort(); /* not exactly one JSON value */
    }
    ww_buf_release(&b);
    ww_eml_free(m);
    return 0;
}
