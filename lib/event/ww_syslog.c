/* Syslog and plain-text line decoder (first cut: every line is a text event). */
#include "event/ww_reader_int.h"

static int sl_open(ww_reader_t *r, ww_diag_t *diag)
{
    return 0;
}

static int sl_next(ww_reader_t *r, ww_event_t *ev, ww_diag_t *diag)
{
    const char *b = (const char *)r->buf, *p = b + r->off, *e = b + r->len;
    while (p < e && (*p == '\n' || *p == '\r'))
        p++;
    if (p >= e)
        return 0;
    const char *nl = memchr(p, '\n', (size_t)(e - p));
    const char *le = nl ? nl : e;
    r->off = (uint64_t)((nl ? nl + 1 : e) - b);
    if (le > p && le[-1] == '\r')
        le--;
    r->index++;
    ev->kind = WW_EV_TEXT;
    ev->raw = (ww_str_t){p, (size_t)(le - p)};
    return ww_event_add(ev, WW_STR("message"), ev->raw, WW_F_STR) == 0 ? 1 : WW_ENOMEM;
}

static void sl_close(ww_reader_t *r)
{
}

const ww_decoder_ops_t ww_syslog_ops = {"syslog", sl_open, sl_next, sl_close};
