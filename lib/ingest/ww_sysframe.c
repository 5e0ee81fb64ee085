/* Syslog over TCP framing (RFC 6587): octet counting ("LEN SP MSG") and
 * non-transparent framing (a message ends at LF; NUL and CRLF are accepted too, as
 * real senders use them), chosen per frame from its first byte the way rsyslog does:
 * a digit 1-9 starts an octet count, anything else a LF-terminated message.  The
 * parser is a byte-driven state machine, so any split of the stream gives the same
 * messages; a message that fits in the bytes fed is passed without a copy, a split one
 * is gathered in a buffer capped at the message limit.  Messages over the limit are
 * delivered cut off and flagged, the rest of them skipped up to where the next frame
 * starts (the end of the count, or the next LF/NUL), so memory never grows with the
 * input and one bad frame does not cost the connection. */
#include "ingest/ww_sysframe.h"

#include <inttypes.h>
#include <stdio.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdlib.h>

enum {
    S_START,   /* at a frame boundary */
    S_LEN,     /* reading the digits of an octet count */
    S_MSG,     /* reading an octet-counted message */
    S_SKIP,    /* throwing away the rest of an oversized octet-counted message */
    S_LF,      /* reading a LF/NUL-terminated message */
    S_DISCARD, /* throwing away the rest of an oversized LF-terminated message */
};

#define MAX_DIGITS 10 /* "9999999999": more is no octet count */

struct ww_sysframe {
    int mode;
    int first; /* framing of the first message */
    int st;
    size_t max;
    uint64_t off;       /* stream offset of the next byte fed */
    uint64_t frame_off; /* stream offset where the current frame began */
    uint64_t declared;  /* octet count of the current frame */
    uint64_t remaining; /* bytes of it still to come */
    char digits[MAX_DIGITS];
    unsigned ndig;
    unsigned flags; /* WW_SYSFRAME_F_* of the current frame */
    ww_buf_t buf;   /* a message split across feeds (at most max bytes) */
    int err;        /* sticky: the connection failed */
    ww_diag_t fail;
    char note[160];
    ww_sysframe_stats_t stats;
};

int ww_sysframe_new(int mode, size_t max_frame, ww_sysframe_t **out)
{
    if (mode < WW_SYSFRAME_AUTO || mode > WW_SYSFRAME_LF)
        return WW_EINVAL;
    if (max_frame == 0)
        max_frame = WW_SYSFRAME_DEFAULT_MAX;
    if (max_frame < WW_SYSFRAME_MIN_MAX || max_frame > WW_SYSFRAME_MAX_MAX)
        return WW_EINVAL;
    ww_sysframe_t *f = calloc(1, sizeof *f);
    if (!f)
        return WW_ENOMEM;
    f->mode = mode;
    f->max = max_frame;
    f->st = S_START;
    f->first = WW_SYSFRAME_AUTO;
    ww_buf_init(&f->buf, max_frame);
    *out = f;
    return 0;
}

void ww_sysframe_free(ww_sysframe_t *f)
{
    if (!f)
        return;
    ww_buf_release(&f->buf);
    free(f);
}

const ww_sysframe_stats_t *ww_sysframe_stats(const ww_sysframe_t *f)
{
    return &f->stats;
}

int ww_sysframe_first(const ww_sysframe_t *f)
{
    return f->first;
}

static bool is_trailer(char c)
{
    return c == '\n' || c == '\0';
}

/* The first LF or NUL in [p, e), or NULL.  One pass looking for both, 16 bytes a
 * step: two memchr calls cost twice the scan and two calls' set-up a line. */
static const char *find_trailer(const char *p, const char *e)
{
#if defined(__SSE2__)
    const __m128i lf = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
    for (; e - p >= 16; p += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, zero)));
        if (m)
            return p + __builtin_ctz(m);
    }
#endif
    for (; p < e; p++)
        if (*p == '\n' || *p == '\0')
            return p;
    return NULL;
}

/* Hands one message to the callback after the bookkeeping; strips what senders put
 * after a message: a CR before the LF, and for octet-counted messages any trailing
 * LF, CR or NUL inside the count.  An empty message is counted, not delivered. */
static int deliver(ww_sysframe_t *f, const char *msg, size_t n, ww_sysframe_cb cb, void *ud)
{
    unsigned flags = f->flags;
    if (flags & WW_SYSFRAME_F_OCTET) {
        while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r' || msg[n - 1] == '\0'))
            n--;
    } else if (n && msg[n - 1] == '\r') {
        n--;
    }
    if (n == 0 && !(flags & WW_SYSFRAME_F_TRUNCATED)) {
        f->stats.empty++;
        return 0;
    }
    if (f->first == WW_SYSFRAME_AUTO)
        f->first = (flags & WW_SYSFRAME_F_OCTET) ? WW_SYSFRAME_OCTET : WW_SYSFRAME_LF;
    f->stats.frames++;
    if (flags & WW_SYSFRAME_F_OCTET)
        f->stats.octet++;
    if (flags & WW_SYSFRAME_F_TRUNCATED)
        f->stats.truncated++;
    ww_sysframe_info_t info = {
        .offset = f->frame_off,
        .declared = (flags & WW_SYSFRAME_F_OCTET) ? f->declared : 0,
        .flags = flags,
        .note = f->note[0] ? f->note : NULL,
    };
    int rc = cb(ud, msg, n, &info);
    f->note[0] = 0;
    return rc;
}

static int fatal(ww_sysframe_t *f, ww_diag_t *diag, int code, uint64_t at, const char *why)
{
    f->err = code;
    ww_diag_set(&f->fail, "", 0, 0, "byte %" PRIu64 ": %s", at, why);
    if (diag)
        *diag = f->fail;
    return code;
}

/* Gives up on digits that are no octet count: they begin a LF-terminated message. */
static int fall_back(ww_sysframe_t *f)
{
    f->stats.fallback++;
    f->st = S_LF;
    return ww_buf_append(&f->buf, f->digits, f->ndig);
}

int64_t ww_sysframe_feed(ww_sysframe_t *f, const void *data, size_t n, ww_sysframe_cb cb, void *ud,
                         ww_diag_t *diag)
{
    if (f->err) {
        if (diag)
            *diag = f->fail;
        return f->err;
    }
    const char *base = data, *p = base, *e = base + n;
    int rc = 0;
#define AT(q) (f->off + (uint64_t)((q)-base))
    while (p < e && rc == 0) {
        switch (f->st) {
        case S_START: {
            char c = *p;
            f->frame_off = AT(p);
            f->flags = 0;
            f->note[0] = 0;
            ww_buf_clear(&f->buf);
            if (f->mode != WW_SYSFRAME_LF && c >= '1' && c <= '9') {
                f->digits[0] = c;
                f->ndig = 1;
                f->st = S_LEN;
                p++;
                break;
            }
            if (f->mode == WW_SYSFRAME_OCTET) {
                /* Some senders end an octet-counted message with a LF as well. */
                if (is_trailer(c) || c == '\r' || c == ' ') {
                    p++;
                    break;
                }
                char why[96];
                snprintf(why, sizeof why,
                         "expected an octet count (RFC 6587 MSG-LEN), found byte 0x%02x",
                         (unsigned char)c);
                rc = fatal(f, diag, WW_EPARSE, AT(p), why);
                goto out;
            }
            f->st = S_LF;
            /* The common case: the whole message is in this piece. */
            const char *q = find_trailer(p, e);
            if (q && (size_t)(q - p) <= f->max) {
                const char *msg = p;
                p = q + 1;
                f->st = S_START;
                rc = deliver(f, msg, (size_t)(q - msg), cb, ud);
            }
            break;
        }
        case S_LEN: {
            char c = *p;
            if (c >= '0' && c <= '9') {
                if (f->ndig == MAX_DIGITS) {
                    if (f->mode == WW_SYSFRAME_OCTET) {
                        rc = fatal(f, diag, WW_EPARSE, AT(p), "octet count longer than 10 digits");
                        goto out;
                    }
                    rc = fall_back(f);
                    break;
                }
                f->digits[f->ndig++] = c;
                p++;
                break;
            }
            if (c != ' ') {
                if (f->mode == WW_SYSFRAME_OCTET) {
                    rc = fatal(f, diag, WW_EPARSE, AT(p),
                               "octet count not followed by a space (RFC 6587 MSG-LEN SP)");
                    goto out;
                }
                rc = fall_back(f);
                break;
            }
            p++;
            uint64_t v = 0;
            for (unsigned i = 0; i < f->ndig; i++)
                v = v * 10 + (uint64_t)(f->digits[i] - '0');
            f->declared = f->remaining = v;
            f->flags = WW_SYSFRAME_F_OCTET;
            f->st = S_MSG;
            break;
        }
        case S_MSG: {
            size_t avail = (size_t)(e - p);
            uint64_t want = f->remaining;
            size_t room = f->max - f->buf.n;
            size_t k = want < avail ? (size_t)want : avail;
            if (k > room)
                k = room;
            if (f->buf.n == 0 && (uint64_t)k == (want < f->max ? want : f->max)) {
                /* All that will be kept of it is here: no copy. */
                const char *msg = p;
                p += k;
                f->remaining -= k;
                if (f->remaining == 0) {
                    f->st = S_START;
                } else {
                    f->flags |= WW_SYSFRAME_F_TRUNCATED;
                    snprintf(f->note, sizeof f->note,
                             "octet-counted message of %" PRIu64
                             " bytes cut to the limit of %zu; the rest is skipped",
                             f->declared, f->max);
                    f->st = S_SKIP;
                }
                rc = deliver(f, msg, k, cb, ud);
                break;
            }
            if ((rc = ww_buf_append(&f->buf, p, k)) != 0)
                break;
            p += k;
            f->remaining -= k;
            if (f->remaining == 0) {
                f->st = S_START;
                rc = deliver(f, f->buf.p, f->buf.n, cb, ud);
            } else if (f->buf.n == f->max) {
                f->flags |= WW_SYSFRAME_F_TRUNCATED;
                snprintf(f->note, sizeof f->note,
                         "octet-counted message of %" PRIu64
                         " bytes cut to the limit of %zu; the rest is skipped",
                         f->declared, f->max);
                f->st = S_SKIP;
                rc = deliver(f, f->buf.p, f->buf.n, cb, ud);
            }
            break;
        }
        case S_SKIP: {
            size_t avail = (size_t)(e - p);
            size_t k = f->remaining < avail ? (size_t)f->remaining : avail;
            p += k;
            f->remaining -= k;
            f->stats.skipped += k;
            if (f->remaining == 0)
                f->st = S_START;
            break;
        }
        case S_LF: {
            const char *q = find_trailer(p, e);
            size_t seg = (size_t)((q ? q : e) - p);
            size_t room = f->max - f->buf.n;
            if (seg > room) {
                if ((rc = ww_buf_append(&f->buf, p, room)) != 0)
                    break;
                p += room;
                f->flags |= WW_SYSFRAME_F_TRUNCATED;
                snprintf(f->note, sizeof f->note,
                         "message longer than the limit of %zu bytes cut off; the rest, up to "
                         "the next LF, is skipped",
                         f->max);
                f->st = S_DISCARD;
                rc = deliver(f, f->buf.p, f->buf.n, cb, ud);
                break;
            }
            if ((rc = ww_buf_append(&f->buf, p, seg)) != 0)
                break;
            p += seg;
            if (q) {
                p++;
                f->st = S_START;
                rc = deliver(f, f->buf.p, f->buf.n, cb, ud);
            }
            break;
        }
        case S_DISCARD: {
            const char *q = find_trailer(p, e);
            const char *to = q ? q : e;
            f->stats.skipped += (uint64_t)(to - p);
            p = q ? q + 1 : e;
            if (q)
                f->st = S_START;
            break;
        }
        }
    }
out:
#undef AT
    f->off += (uint64_t)(p - base);
    f->stats.bytes = f->off;
    if (rc < 0) {
        if (!f->err) {
            char why[96];
            snprintf(why, sizeof why, "%s", ww_strerror(rc));
            fatal(f, diag, rc, f->off, why);
        }
        return rc;
    }
    return (int64_t)(p - base);
}

int ww_sysframe_finish(ww_sysframe_t *f, ww_sysframe_cb cb, void *ud, ww_diag_t *diag)
{
    if (f->err) {
        if (diag)
            *diag = f->fail;
        return f->err;
    }
    int rc = 0;
    switch (f->st) {
    case S_LEN:
        /* Digits and then the end: a short message that happens to be a number. */
        if ((rc = fall_back(f)) != 0)
            break;
        /* fall through */
    case S_LF:
        f->flags |= WW_SYSFRAME_F_NO_TRAILER;
        if (f->buf.n)
            rc = deliver(f, f->buf.p, f->buf.n, cb, ud);
        break;
    case S_MSG:
        f->flags |= WW_SYSFRAME_F_TRUNCATED;
        snprintf(f->note, sizeof f->note,
                 "connection closed %" PRIu64 " bytes short of the octet count %" PRIu64,
                 f->remaining, f->declared);
        if (f->buf.n) {
            rc = deliver(f, f->buf.p, f->buf.n, cb, ud);
        } else {
            f->stats.truncated++;
            f->note[0] = 0;
        }
        break;
    default: break;
    }
    f->st = S_START;
    ww_buf_clear(&f->buf);
    if (rc < 0) {
        fatal(f, diag, rc, f->off, ww_strerror(rc));
        return rc;
    }
    return 0;
}

int ww_sysframe_datagram(const void *buf, size_t n, size_t max, ww_str_t *out)
{
    const char *p = buf;
    if (max == 0)
        max = WW_SYSFRAME_DEFAULT_MAX;
    /* An RFC 6587 octet count in a datagram ("256 <38>1 ..."; syslog-ng's loggen does
       this with --syslog-proto) is framing, not message: taken off when it is exactly
       the length of what follows (with or without the trailer) and a PRI follows. */
    size_t d = 0, count = 0;
    while (d < n && d < 9 && p[d] >= '0' && p[d] <= '9')
        count = count * 10 + (size_t)(p[d++] - '0');
    if (d && p[0] != '0' && d + 1 < n && p[d] == ' ' && p[d + 1] == '<') {
        size_t rest = n - d - 1, trimmed = rest;
        while (trimmed &&
               (p[d + trimmed] == '\n' || p[d + trimmed] == '\0' || p[d + trimmed] == '\r'))
            trimmed--;
        if (count == rest || count == trimmed) {
            p += d + 1;
            n = rest;
        }
    }
    while (n && (p[n - 1] == '\n' || p[n - 1] == '\0' || (p[n - 1] == '\r')))
        n--;
    int rc = 0;
    if (n > max) {
        n = max;
        rc = WW_SYSFRAME_F_TRUNCATED;
    }
    *out = (ww_str_t){p, n};
    return rc;
}
