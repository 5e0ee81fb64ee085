/* Lumberjack v2 (the Beats protocol), server side.  A client sends frames of a
 * version byte ('2'; '1' for the older protocol), a type byte and a big-endian body:
 *   'W' u32 window size            how many events come before the client waits for an ack
 *   'J' u32 seq, u32 len, JSON     one event
 *   'D' u32 seq, u32 pairs, then per pair u32 len + key, u32 len + value   (version 1 event)
 *   'C' u32 len, zlib data         the inflated data is itself a stream of W/J/D frames
 * and the server answers 'A' u32 seq to acknowledge every event up to seq.
 *
 * One state machine reads both the connection and the inflated contents of a compressed
 * frame (a second instance of it, fed as the inflater produces output), so a frame
 * split anywhere -- across reads or across inflater output -- parses the same.  A frame
 * body split across feeds is gathered in a buffer no larger than the payload limit; the
 * inflater's output goes through a fixed buffer and is capped per compressed frame, so
 * a decompression bomb costs the sender its connection, not the server its memory. */
#include "ingest/ww_lumberjack.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

#define ZOUT_SIZE ((size_t)64 << 10)

enum {
    ST_HDR,   /* version and type bytes */
    ST_W,     /* window: u32 */
    ST_J,     /* JSON: u32 seq, u32 len */
    ST_JBODY, /* JSON payload */
    ST_D,     /* data: u32 seq, u32 pairs */
    ST_DKLEN, /* u32 key length */
    ST_DKEY,  /* key bytes */
    ST_DVLEN, /* u32 value length */
    ST_DVAL,  /* value bytes */
    ST_C,     /* compressed: u32 len */
    ST_CBODY, /* zlib data */
};

/* The reading state of one frame stream: the connection or a compressed frame's
 * inflated data. */
typedef struct lj_fsm {
    int st;
    bool inner;         /* reads inflated data */
    uint8_t hdr[8];     /* fixed-size frame fields gathered so far */
    unsigned hn;        /* bytes in hdr */
    uint8_t ver;        /* version byte of the current frame */
    uint64_t off;       /* offset of the next byte in this stream */
    uint64_t frame_off; /* where the current frame began */
    uint32_t seq;
    uint32_t npairs, pair;
    uint64_t left;  /* bytes still to come of the current variable-size part */
    uint64_t dsize; /* bytes of the current data frame so far */
    ww_buf_t body;  /* a JSON payload, key or value split across feeds */
    ww_buf_t json;  /* a data frame turned into a JSON object */
} lj_fsm_t;

struct ww_lj {
    ww_lj_limits_t lim;
    lj_fsm_t outer, inner;
    z_stream z;
    bool zinit, zdone;
    uint64_t zin_total;  /* compressed bytes of the current frame given to the inflater */
    uint64_t zout_total; /* bytes it inflated to */
    uint8_t *zout;
    /* the window, shared by both streams */
    bool win_open;
    bool win_pending; /* filled inside a compressed frame: reported once it checks out */
    uint32_t win_size, win_count, last_seq;
    uint8_t ack_ver;
    int err;
    ww_diag_t fail;
    ww_lj_stats_t stats;
    ww_lj_event_fn on_event;
    ww_lj_window_fn on_window;
    void *ud;
};

static void fsm_init(lj_fsm_t *f, bool inner, size_t max_payload)
{
    memset(f, 0, sizeof *f);
    f->inner = inner;
    ww_buf_init(&f->body, max_payload);
    /* Escaping can make a byte six ("\u00XX"); plus quotes, colons and commas. */
    ww_buf_init(&f->json, 6 * max_payload + 64);
}

static void fsm_reset(lj_fsm_t *f)
{
    f->st = ST_HDR;
    f->hn = 0;
    f->off = 0;
    f->frame_off = 0;
    ww_buf_clear(&f->body);
    ww_buf_clear(&f->json);
}

int ww_lj_new(const ww_lj_limits_t *lim, ww_lj_t **out)
{
    ww_lj_limits_t l = lim ? *lim : (ww_lj_limits_t){0};
    if (!l.max_window)
        l.max_window = WW_LJ_DEFAULT_WINDOW;
    if (!l.max_payload)
        l.max_payload = WW_LJ_DEFAULT_PAYLOAD;
    if (!l.max_decompressed)
        l.max_decompressed = WW_LJ_DEFAULT_DECOMPRESSED;
    if (!l.max_pairs)
        l.max_pairs = WW_LJ_DEFAULT_PAIRS;
    /* Lengths on the wire are u32; a limit past that means nothing, and a payload
       limit past 1 GiB would let the JSON buffer's cap overflow on small machines. */
    if (l.max_payload > ((size_t)1 << 30) || l.max_decompressed > UINT32_MAX)
        return WW_EINVAL;
    ww_lj_t *p = calloc(1, sizeof *p);
    if (!p)
        return WW_ENOMEM;
    p->zout = malloc(ZOUT_SIZE);
    if (!p->zout) {
        free(p);
        return WW_ENOMEM;
    }
    p->lim = l;
    p->ack_ver = '2';
    fsm_init(&p->outer, false, l.max_payload);
    fsm_init(&p->inner, true, l.max_payload);
    *out = p;
    return 0;
}

/* The inflater's own state: zlib's inflate_state (about 7 KiB) and its 32 KiB window,
   rounded up. */
#define ZSTATE_COST ((size_t)48 << 10)

size_t ww_lj_memory(const ww_lj_t *p)
{
    if (!p)
        return 0;
    return sizeof *p + ZOUT_SIZE + (p->zinit ? ZSTATE_COST : 0) + p->outer.body.alloc +
           p->outer.json.alloc + p->inner.body.alloc + p->inner.json.alloc;
}

void ww_lj_free(ww_lj_t *p)
{
    if (!p)
        return;
    if (p->zinit)
        inflateEnd(&p->z);
    ww_buf_release(&p->outer.body);
    ww_buf_release(&p->outer.json);
    ww_buf_release(&p->inner.body);
    ww_buf_release(&p->inner.json);
    free(p->zout);
    free(p);
}

const ww_lj_stats_t *ww_lj_stats(const ww_lj_t *p)
{
    return &p->stats;
}

size_t ww_lj_ack(const ww_lj_t *p, uint32_t seq, uint8_t out[6])
{
    out[0] = p->ack_ver;
    out[1] = 'A';
    out[2] = (uint8_t)(seq >> 24);
    out[3] = (uint8_t)(seq >> 16);
    out[4] = (uint8_t)(seq >> 8);
    out[5] = (uint8_t)seq;
    return 6;
}

static uint32_t be32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Fails the connection: the message says where, in the connection and, inside a
 * compressed frame, in its inflated data. */
static int __attribute__((format(printf, 4, 5)))
fail(ww_lj_t *p, const lj_fsm_t *f, int code, const char *fmt, ...)
{
    char why[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (f && f->inner)
        ww_diag_set(&p->fail, "", 0, 0,
                    "frame at byte %" PRIu64 " (compressed), its inflated byte %" PRIu64 ": %s",
                    p->outer.frame_off, f->frame_off, why);
    else
        ww_diag_set(&p->fail, "", 0, 0, "frame at byte %" PRIu64 ": %s", f ? f->frame_off : 0, why);
    p->err = code;
    return code;
}

/* ---- windows and events (shared by both streams) --------------------------------- */

static int end_window(ww_lj_t *p)
{
    p->win_open = false;
    p->stats.windows++;
    int rc = p->on_window ? p->on_window(p->ud, p->last_seq, p->win_count) : 0;
    return rc < 0 ? rc : 0;
}

static int window_frame(ww_lj_t *p, lj_fsm_t *f, uint32_t size)
{
    if (size > p->lim.max_window)
        return fail(p, f, WW_ELIMIT, "window of %" PRIu32 " events is over the limit of %" PRIu32,
                    size, p->lim.max_window);
    int rc = 0;
    /* A new window before the last one filled up: Logstash hands on what came and
       acks it; so do we, so that those events are not sent twice. */
    if (p->win_open && p->win_count > 0) {
        p->stats.partial++;
        if ((rc = end_window(p)) != 0)
            return rc;
    }
    p->win_open = false;
    p->ack_ver = f->ver;
    p->win_count = 0;
    p->last_seq = 0;
    if (size == 0)
        return end_window(p);
    p->win_open = true;
    p->win_size = size;
    return 0;
}

/* Before an event's body is read: is there room for it in a window, and does its
 * sequence number follow the last one?  Numbers must increase within a window, with
 * 32-bit wrap-around (the protocol's "roll-over"); each window may start afresh, as
 * Beats clients number every window from 1. */
static int event_check(ww_lj_t *p, lj_fsm_t *f, uint32_t seq)
{
    if (!p->win_open)
        return fail(p, f, WW_EPARSE,
                    p->stats.windows || p->win_pending
                        ? "event beyond the window the client announced"
                        : "event before any window frame");
    if (p->win_count > 0 && (int32_t)(seq - p->last_seq) <= 0)
        return fail(p, f, WW_EPARSE,
                    "sequence number %" PRIu32 " does not follow %" PRIu32
                    " (it must increase within a window)",
                    seq, p->last_seq);
    return 0;
}

static int emit(ww_lj_t *p, uint32_t seq, const char *json, size_t n)
{
    int rc = p->on_event ? p->on_event(p->ud, seq, json, n) : 0;
    if (rc < 0)
        return rc;
    p->stats.events++;
    p->win_count++;
    p->last_seq = seq;
    if (p->win_count < p->win_size)
        return 0;
    if (p->outer.st == ST_CBODY) {
        /* Not acknowledged before the compressed frame's checksum has been seen. */
        p->win_open = false;
        p->win_pending = true;
        return 0;
    }
    return end_window(p);
}

/* ---- one frame stream ------------------------------------------------------------ */

static int fsm_feed(ww_lj_t *p, lj_fsm_t *f, const uint8_t *s, size_t n);

/* Gathers `want` header bytes; true when they are all there. */
static bool take(lj_fsm_t *f, const uint8_t **s, const uint8_t *e, unsigned want)
{
    size_t k = want - f->hn;
    if ((size_t)(e - *s) < k)
        k = (size_t)(e - *s);
    memcpy(f->hdr + f->hn, *s, k);
    f->hn += (unsigned)k;
    *s += k;
    f->off += k;
    if (f->hn < want)
        return false;
    f->hn = 0;
    return true;
}

/* A key or value of a data frame is complete (in f->body): into the JSON object. */
static int pair_part_done(ww_lj_t *p, lj_fsm_t *f)
{
    int rc = 0;
    if (f->st == ST_DKEY) {
        if (f->pair > 0)
            rc = ww_buf_putc(&f->json, ',');
        if (!rc)
            rc = ww_buf_json_str(&f->json, f->body.p ? f->body.p : "", f->body.n);
        if (!rc)
            rc = ww_buf_putc(&f->json, ':');
        f->st = ST_DVLEN;
    } else {
        rc = ww_buf_json_str(&f->json, f->body.p ? f->body.p : "", f->body.n);
        f->pair++;
        f->st = ST_DKLEN;
        if (!rc && f->pair == f->npairs) {
            if ((rc = ww_buf_putc(&f->json, '}')) == 0) {
                f->st = ST_HDR;
                rc = emit(p, f->seq, f->json.p, f->json.n);
            }
        }
    }
    ww_buf_clear(&f->body);
    return rc;
}

/* The length of the next key or value of a data frame has been read. */
static int pair_len(ww_lj_t *p, lj_fsm_t *f, uint32_t len, int next)
{
    f->dsize += 4 + (uint64_t)len;
    if (f->dsize > p->lim.max_payload)
        return fail(p, f, WW_ELIMIT,
                    "data frame (sequence %" PRIu32 ") larger than the limit of %zu bytes", f->seq,
                    p->lim.max_payload);
    f->left = len;
    f->st = next;
    ww_buf_clear(&f->body);
    return len == 0 ? pair_part_done(p, f) : 0;
}

/* Passes what the inflater produced to the inner stream, up to the cap.  The inner
 * stream sees the same bytes however the compressed data was split, so the same error
 * comes first whatever the split (the inner one, or the cap's). */
static int inflated(ww_lj_t *p, size_t got)
{
    size_t room = p->lim.max_decompressed - p->zout_total;
    size_t k = got < room ? got : room;
    p->zout_total += k;
    p->stats.decompressed += k;
    int rc = k ? fsm_feed(p, &p->inner, p->zout, k) : 0;
    if (rc)
        return rc;
    if (got > k)
        return fail(p, &p->outer, WW_ELIMIT,
                    "compressed frame inflates to more than the limit of %zu bytes",
                    p->lim.max_decompressed);
    return 0;
}

/* One inflate call on what is in p->z; its output goes to the inner stream first, then
 * its status is judged (what came before corrupt data is parsed, whatever the split).
 * Sets *progress when it consumed or produced anything. */
static int inflate_step(ww_lj_t *p, bool *progress)
{
    uInt in_before = p->z.avail_in;
    p->z.next_out = p->zout;
    p->z.avail_out = (uInt)ZOUT_SIZE;
    int zr = inflate(&p->z, Z_NO_FLUSH);
    size_t got = ZOUT_SIZE - p->z.avail_out;
    *progress = got > 0 || p->z.avail_in != in_before;
    int rc = inflated(p, got);
    if (rc)
        return rc;
    if (zr == Z_STREAM_END)
        p->zdone = true;
    else if (zr != Z_OK && zr != Z_BUF_ERROR)
        return fail(p, &p->outer, zr == Z_MEM_ERROR ? WW_ENOMEM : WW_EPARSE,
                    "corrupt zlib data in compressed frame: %s",
                    p->z.msg ? p->z.msg : "inflate failed");
    return 0;
}

/* Inflates a piece of a compressed frame's body and parses what comes out. */
static int inflate_piece(ww_lj_t *p, const uint8_t *s, size_t n)
{
    lj_fsm_t *f = &p->outer;
    p->z.next_in = (Bytef *)s;
    p->z.avail_in = (uInt)n;
    while (p->z.avail_in > 0) {
        if (p->zdone)
            return fail(p, f, WW_EPARSE,
                        "compressed frame has %" PRIu64 " bytes after the end of its zlib data",
                        f->left + p->z.avail_in);
        bool progress;
        int rc = inflate_step(p, &progress);
        if (rc)
            return rc;
        if (!progress)
            return fail(p, f, WW_EPARSE, "zlib data in compressed frame makes no progress");
    }
    return 0;
}

static int start_compressed(ww_lj_t *p, lj_fsm_t *f, uint32_t len)
{
    if (len == 0)
        return fail(p, f, WW_EPARSE, "compressed frame of 0 bytes");
    if (len > p->lim.max_decompressed)
        return fail(p, f, WW_ELIMIT, "compressed frame of %" PRIu32 " bytes over the limit of %zu",
                    len, p->lim.max_decompressed);
    int zr = p->zinit ? inflateReset2(&p->z, 15 + 32) : inflateInit2(&p->z, 15 + 32);
    if (zr != Z_OK)
        return fail(p, f, zr == Z_MEM_ERROR ? WW_ENOMEM : WW_EIO, "cannot start the inflater");
    p->zinit = true;
    p->zdone = false;
    p->zout_total = 0;
    p->stats.compressed++;
    fsm_reset(&p->inner);
    f->left = len;
    f->st = ST_CBODY;
    return 0;
}

static int end_compressed(ww_lj_t *p, lj_fsm_t *f)
{
    /* All the compressed bytes are in: any output zlib still holds comes out now. */
    p->z.next_in = NULL;
    p->z.avail_in = 0;
    while (!p->zdone) {
        bool progress;
        int rc = inflate_step(p, &progress);
        if (rc)
            return rc;
        if (!progress && !p->zdone)
            return fail(p, f, WW_EPARSE, "compressed frame ends before its zlib data does");
    }
    lj_fsm_t *in = &p->inner;
    if (in->st != ST_HDR || in->hn != 0)
        return fail(p, in, WW_EPARSE, "compressed frame's data ends inside a frame");
    f->st = ST_HDR;
    if (p->win_pending) {
        p->win_pending = false;
        return end_window(p);
    }
    return 0;
}

static int fsm_feed(ww_lj_t *p, lj_fsm_t *f, const uint8_t *s, size_t n)
{
    const uint8_t *e = s + n;
    int rc = 0;
    while (s < e && rc == 0) {
        switch (f->st) {
        case ST_HDR:
            if (f->hn == 0)
                f->frame_off = f->off;
            if (!take(f, &s, e, 2))
                break;
            f->ver = f->hdr[0];
            if (f->ver != '2' && f->ver != '1')
                return fail(p, f, WW_EPARSE,
                            "version byte 0x%02x: not a Lumberjack frame (expected '2')", f->ver);
            switch (f->hdr[1]) {
            case 'W':
                /* go-lumber refuses this too; Beats never send it. */
                if (f->inner)
                    return fail(p, f, WW_EPARSE, "window frame inside a compressed frame");
                f->st = ST_W;
                break;
            case 'J':
                if (f->ver != '2')
                    return fail(p, f, WW_EPARSE, "JSON frame in protocol version 1");
                f->st = ST_J;
                break;
            case 'D': f->st = ST_D; break;
            case 'C':
                if (f->inner)
                    return fail(p, f, WW_EPARSE, "compressed frame inside a compressed frame");
                f->st = ST_C;
                break;
            case 'A': return fail(p, f, WW_EPARSE, "ack frame sent by the client");
            default: return fail(p, f, WW_EPARSE, "unknown frame type 0x%02x", f->hdr[1]);
            }
            break;
        case ST_W:
            if (!take(f, &s, e, 4))
                break;
            f->st = ST_HDR;
            rc = window_frame(p, f, be32(f->hdr));
            break;
        case ST_J: {
            if (!take(f, &s, e, 8))
                break;
            f->seq = be32(f->hdr);
            uint32_t len = be32(f->hdr + 4);
            if ((rc = event_check(p, f, f->seq)) != 0)
                break;
            if (len == 0)
                return fail(p, f, WW_EPARSE, "JSON frame (sequence %" PRIu32 ") with no payload",
                            f->seq);
            if (len > p->lim.max_payload)
                return fail(p, f, WW_ELIMIT,
                            "JSON frame (sequence %" PRIu32 ") of %" PRIu32
                            " bytes over the limit of %zu",
                            f->seq, len, p->lim.max_payload);
            f->left = len;
            f->st = ST_JBODY;
            ww_buf_clear(&f->body);
            break;
        }
        case ST_JBODY: {
            size_t avail = (size_t)(e - s);
            if (f->body.n == 0 && avail >= f->left) {
                /* The whole payload is here: no copy. */
                size_t k = (size_t)f->left;
                const uint8_t *json = s;
                s += k;
                f->off += k;
                f->st = ST_HDR;
                rc = emit(p, f->seq, (const char *)json, k);
                break;
            }
            size_t k = avail < f->left ? avail : (size_t)f->left;
            if ((rc = ww_buf_append(&f->body, s, k)) != 0)
                break;
            s += k;
            f->off += k;
            f->left -= k;
            if (f->left == 0) {
                f->st = ST_HDR;
                rc = emit(p, f->seq, f->body.p, f->body.n);
            }
            break;
        }
        case ST_D: {
            if (!take(f, &s, e, 8))
                break;
            f->seq = be32(f->hdr);
            f->npairs = be32(f->hdr + 4);
            if ((rc = event_check(p, f, f->seq)) != 0)
                break;
            if (f->npairs == 0)
                return fail(p, f, WW_EPARSE, "data frame (sequence %" PRIu32 ") with no pairs",
                            f->seq);
            if (f->npairs > p->lim.max_pairs)
                return fail(p, f, WW_ELIMIT,
                            "data frame (sequence %" PRIu32 ") of %" PRIu32
                            " pairs over the limit of %" PRIu32,
                            f->seq, f->npairs, p->lim.max_pairs);
            f->pair = 0;
            f->dsize = 8;
            ww_buf_clear(&f->json);
            rc = ww_buf_putc(&f->json, '{');
            f->st = ST_DKLEN;
            break;
        }
        case ST_DKLEN:
            if (take(f, &s, e, 4))
                rc = pair_len(p, f, be32(f->hdr), ST_DKEY);
            break;
        case ST_DVLEN:
            if (take(f, &s, e, 4))
                rc = pair_len(p, f, be32(f->hdr), ST_DVAL);
            break;
        case ST_DKEY:
        case ST_DVAL: {
            size_t avail = (size_t)(e - s);
            size_t k = avail < f->left ? avail : (size_t)f->left;
            if ((rc = ww_buf_append(&f->body, s, k)) != 0)
                break;
            s += k;
            f->off += k;
            f->left -= k;
            if (f->left == 0)
                rc = pair_part_done(p, f);
            break;
        }
        case ST_C:
            if (take(f, &s, e, 4))
                rc = start_compressed(p, f, be32(f->hdr));
            break;
        case ST_CBODY: {
            size_t avail = (size_t)(e - s);
            size_t k = avail < f->left ? avail : (size_t)f->left;
            f->left -= k;
            if ((rc = inflate_piece(p, s, k)) != 0)
                break;
            s += k;
            f->off += k;
            if (f->left == 0)
                rc = end_compressed(p, f);
            break;
        }
        }
    }
    if (rc < 0 && !p->err)
        fail(p, f, rc, "%s", rc == WW_ELIMIT ? "a frame is over a limit" : ww_strerror(rc));
    return rc;
}

int ww_lj_feed(ww_lj_t *p, const void *buf, size_t n, ww_lj_event_fn on_event,
               ww_lj_window_fn on_window, void *ud, ww_diag_t *diag)
{
    if (!p->err) {
        p->on_event = on_event;
        p->on_window = on_window;
        p->ud = ud;
        int rc = fsm_feed(p, &p->outer, buf, n);
        p->stats.bytes = p->outer.off;
        if (rc < 0 && !p->err)
            fail(p, &p->outer, rc, "%s", ww_strerror(rc));
    }
    if (p->err && diag)
        *diag = p->fail;
    return p->err;
}

int ww_lj_finish(ww_lj_t *p, ww_diag_t *diag)
{
    if (!p->err && (p->outer.st != ST_HDR || p->outer.hn != 0))
        fail(p, &p->outer, WW_ETRUNC, "connection closed inside a frame (at byte %" PRIu64 ")",
             p->outer.off);
    if (p->err && diag)
        *diag = p->fail;
    return p->err;
}
