/* The reader: gets an input's bytes to the decoder of its format.  A regular file is
 * mapped whole (its pages released behind the reader); standard input, pipes and
 * compressed files (gzip, zstd) are streamed: read in blocks, decompressed, and cut
 * into windows at record boundaries that a decoder reads one after another, so
 * memory stays bounded whatever the size.  The format is detected from the first
 * bytes, and input that is no log at all is refused.  Also the directory walk that
 * feeds it files. */
/* memrchr and memmem need _GNU_SOURCE, which the build defines. */
#include "event/ww_reader_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Directory recursion deeper than this is refused (loops are caught earlier). */
#define WALK_MAX_DEPTH 64

/* Streams are read in blocks of this size... */
#define STREAM_BLOCK ((size_t)1 << 20)
/* ...into windows of about this size, cut at the last record boundary. */
#define STREAM_WINDOW ((size_t)8 << 20)
/* One record (a line, a JSON value) longer than this is skipped with an error rather
 * than letting the window grow without bound. */
#define STREAM_MAX_RECORD ((size_t)64 << 20)
/* Format detection on a stream looks at this much of its start. */
#define STREAM_DETECT ((size_t)64 << 10)
/* A Zeek log's header lines are replayed before every window; more is not kept. */
#define STREAM_ZEEK_HEADER ((size_t)64 << 10)
/* EVTX: the file header, then chunks (ww_evtx_int.h has the same numbers). */
#define EVTX_HEADER ((size_t)4096)
#define EVTX_CHUNK ((size_t)65536)
/* The binary check reads this much of the start of an input. */
#define SNIFF_BYTES ((size_t)4096)

enum { CODEC_NONE, CODEC_GZIP, CODEC_ZSTD };

/* A streamed input: where its bytes come from, and the window being assembled.
 * buf[0, keep) is context from before the window (the last bytes of the previous
 * one, for ww_reader_t.lookback), buf[keep, data) bytes replayed before every window
 * (a Zeek header, the EVTX file header), buf[data, len) new bytes of the stream. */
typedef struct ww_stream {
    int fd;
    bool own_fd;
    const uint8_t *mem; /* or a memory source (tests, fuzzing) */
    size_t mem_len, mem_pos;
    size_t block, window, max_record; /* STREAM_*, smaller in tests */
    int codec;
    z_stream z;
    bool z_live;
    ZSTD_DStream *zs;
    uint8_t *in; /* compressed bytes read, [in_pos, in_len) not yet decompressed */
    size_t in_pos, in_len;
    bool src_eof;     /* the source has no more bytes */
    bool frame_open;  /* inside a gzip member / zstd frame */
    uint64_t src_off; /* source bytes read, for error positions */
    bool end;         /* no more stream bytes (end of data or a fatal error) */
    int err;          /* the fatal error, reported after the data before it */
    char err_msg[200];
    int tail_err; /* an error at the end of well-read input (an unclosed array) */
    char tail_msg[64];

    uint8_t *buf;
    size_t cap, len, keep, data;
    uint64_t data_off;    /* stream offset of buf[data] */
    uint64_t lines;       /* newlines of the stream before buf[data] */
    int64_t prefix_lines; /* lines in buf[keep, data) */
    bool started, bom, skipping;
    /* JSON: top-level value boundaries (see scan_json). */
    size_t scan, hard;
    int depth;
    bool in_str, esc, in_arr, rec_nl;
    bool arr_seen; /* the stream is a top-level array: every byte is scanned */
    int jsonl;     /* -1 not known yet, 0 a record spans lines, 1 records are lines */
    /* Zeek: the current header block, replayed before each window. */
    char *hdr;
    size_t hdr_len;
    uint32_t hdr_lines;
    bool hdr_last; /* the last line seen was a header line */
    uint8_t evtx_hdr[EVTX_HEADER];
} ww_stream_t;

/* ---- format detection -------------------------------------------------------- */

/* Picks the decoder from the content: EVTX magic, Zeek's TSV header (always its first
 * line), then JSON's first byte, and everything else is treated as syslog/text lines. */
static int detect(const uint8_t *p, size_t n, size_t start)
{
    if (n >= 8 && memcmp(p, "ElfFile\0", 8) == 0)
        return WW_FMT_EVTX;
    if (n - start >= 11 && memcmp(p + start, "#separator ", 11) == 0)
        return WW_FMT_ZEEK;
    for (size_t i = start; i < n; i++) {
        uint8_t c = p[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        if (c == '{')
            return WW_FMT_JSON;
        if (c != '[')
            return WW_FMT_SYSLOG;
        /* An array of records starts "[{" or is "[]"; "[    0.000000] Linux version"
           (dmesg) or "[Thu Dec  3 10:00:00 2026] ..." (dmesg -T) are text lines. */
        for (size_t j = i + 1; j < n; j++) {
            uint8_t d = p[j];
            if (d == ' ' || d == '\t' || d == '\r' || d == '\n')
                continue;
            return d == '{' || d == ']' ? WW_FMT_JSON : WW_FMT_SYSLOG;
        }
        return WW_FMT_JSON; /* "[" and nothing after it: the JSON decoder says what is wrong */
    }
    return WW_FMT_SYSLOG;
}

/* Says why the start of an input is not text a decoder could read, or NULL when it
 * may be.  Log text has no NUL bytes and few control characters or bytes that are
 * not UTF-8 (a Latin-1 name now and then); images, executables, archives and random
 * bytes have many.  UTF-16 text is named: it is text, but in an encoding that would
 * decode as one unreadable record per byte pair. */
static const char *not_text(const uint8_t *p, size_t n)
{
    static const struct {
        const char *magic;
        size_t n;
        const char *what;
    } known[] = {
        {"\x89PNG", 4, "a PNG image"},
        {"\x7f"
         "ELF",
         4, "an ELF executable"},
        {"PK\x03\x04", 4, "a ZIP archive"},
        {"%PDF-", 5, "a PDF document"},
        {"\xff\xd8\xff", 3, "a JPEG image"},
        {"GIF8", 4, "a GIF image"},
        {"BZh", 3, "bzip2-compressed data (decompress it first: bunzip2)"},
        {"\xfd"
         "7zXZ",
         5, "xz-compressed data (decompress it first: unxz)"},
        {"7z\xbc\xaf", 4, "a 7-Zip archive"},
        {"SQLite format 3", 15, "an SQLite database"},
        {"\xd4\xc3\xb2\xa1", 4, "a pcap capture"},
        {"\x0a\x0d\x0d\x0a", 4, "a pcapng capture"},
    };
    for (size_t i = 0; i < WW_ARRAY_LEN(known); i++)
        if (n >= known[i].n && memcmp(p, known[i].magic, known[i].n) == 0)
            return known[i].what;
    /* A web page (a saved report, a directory listing) is text, but no log. */
    size_t at = n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    while (at < n && (p[at] == ' ' || p[at] == '\t' || p[at] == '\r' || p[at] == '\n'))
        at++;
    if ((n - at >= 14 && strncasecmp((const char *)p + at, "<!doctype html", 14) == 0) ||
        (n - at >= 5 && strncasecmp((const char *)p + at, "<html", 5) == 0))
        return "an HTML page";
    if (n >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF)))
        return "UTF-16 text (convert it to UTF-8 first: iconv -f UTF-16 -t UTF-8)";
    if (n > SNIFF_BYTES)
        n = SNIFF_BYTES;
    size_t bad = 0, zero_odd = 0, zero_even = 0;
    for (size_t i = 0; i < n;) {
        uint8_t c = p[i];
        if (c == 0) {
            if (i & 1)
                zero_odd++;
            else
                zero_even++;
            bad++;
            i++;
        } else if (c < 0x80) {
            bad += (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' &&
                    c != 0x1b) ||
                   c == 0x7f;
            i++;
        } else {
            /* A UTF-8 sequence: its length from the lead byte, then continuations.
               A sequence cut by the end of the sample is not held against it. */
            size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
            size_t k = 1;
            while (len && k < len && i + k < n && (p[i + k] & 0xC0) == 0x80)
                k++;
            if (!len || (k < len && i + k < n))
                bad++, k = 1;
            i += k;
        }
    }
    if (n >= 16 && zero_odd * 4 >= n && zero_even * 16 < n)
        return "UTF-16 text (convert it to UTF-8 first: iconv -f UTF-16LE -t UTF-8)";
    if (n >= 16 && zero_even * 4 >= n && zero_odd * 16 < n)
        return "UTF-16 text (convert it to UTF-8 first: iconv -f UTF-16BE -t UTF-8)";
    if (zero_odd + zero_even > 0 || bad * 16 > n)
        return "binary data";
    return NULL;
}

static const ww_decoder_ops_t *ops_for(int fmt)
{
    switch (fmt) {
    case WW_FMT_EVTX: return &ww_evtx_ops;
    case WW_FMT_JSON: return &ww_json_ops;
    case WW_FMT_SYSLOG:
    case WW_FMT_TEXT: return &ww_syslog_ops;
    case WW_FMT_ZEEK: return &ww_zeek_ops;
    default: return NULL;
    }
}

/* Chooses the format of an input from its first bytes (unless forced) and refuses
 * input that is no log at all: a quiet "0 events" for a PNG would hide a mistake. */
static int choose(ww_reader_t *r, int fmt, const uint8_t *p, size_t n, size_t start,
                  ww_diag_t *diag)
{
    if (fmt == WW_FMT_AUTO) {
        fmt = detect(p, n, start);
        const char *why = fmt == WW_FMT_EVTX || fmt == WW_FMT_ZEEK ? NULL : not_text(p, n);
        if (why) {
            ww_diag_set(diag, r->name, 0, 0, "not a log format wardwatch reads: %s", why);
            return WW_EUNSUP;
        }
    }
    r->fmt = fmt;
    r->ops = ops_for(fmt);
    if (!r->ops) {
        ww_diag_set(diag, r->name, 0, 0, "unknown input format %d", fmt);
        return WW_EINVAL;
    }
    return 0;
}

static int start(ww_reader_t *r, int fmt, ww_diag_t *diag)
{
    /* A UTF-8 byte order mark is not content; decoders start at r->off. */
    if (r->len >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0)
        r->off = 3;
    int rc = choose(r, fmt, r->buf, r->len, (size_t)r->off, diag);
    return rc ? rc : r->ops->open(r, diag);
}

static ww_reader_t *reader_new(const char *name)
{
    ww_reader_t *r = calloc(1, sizeof *r);
    if (r)
        snprintf(r->name, sizeof r->name, "%s", name ? name : "");
    return r;
}

/* ---- stream sources: plain, gzip, zstd ---------------------------------------- */

static int codec_of(const uint8_t *p, size_t n)
{
    if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
        return CODEC_GZIP;
    if (n >= 4 && memcmp(p, "\x28\xb5\x2f\xfd", 4) == 0)
        return CODEC_ZSTD;
    return CODEC_NONE;
}

static void stream_fail(ww_stream_t *s, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void stream_fail(ww_stream_t *s, int err, const char *fmt, ...)
{
    if (s->err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err_msg, sizeof s->err_msg, fmt, ap);
    va_end(ap);
    s->err = err;
    s->end = true;
}

/* Reads up to n source bytes; 0 at the end; -1 after stream_fail. */
static ssize_t src_raw(ww_stream_t *s, uint8_t *dst, size_t n)
{
    if (s->mem) {
        size_t k = s->mem_len - s->mem_pos < n ? s->mem_len - s->mem_pos : n;
        memcpy(dst, s->mem + s->mem_pos, k);
        s->mem_pos += k;
        s->src_off += k;
        return (ssize_t)k;
    }
    for (;;) {
        ssize_t got = read(s->fd, dst, n);
        if (got >= 0) {
            s->src_off += (uint64_t)got;
            return got;
        }
        if (errno != EINTR) {
            stream_fail(s, WW_EIO, "read failed: %s", strerror(errno));
            return -1;
        }
    }
}

/* Refills the compressed input buffer when it is empty.  0, or -1 after stream_fail. */
static int src_refill(ww_stream_t *s)
{
    if (s->in_pos < s->in_len || s->src_eof)
        return 0;
    ssize_t got = src_raw(s, s->in, s->block);
    if (got < 0)
        return -1;
    s->in_pos = 0;
    s->in_len = (size_t)got;
    s->src_eof = got == 0;
    return 0;
}

static const char *codec_name(int codec)
{
    return codec == CODEC_GZIP ? "gzip" : "zstd";
}

/* After a gzip member or zstd frame: another may follow (`cat a.gz b.gz`); trailing
 * zero bytes (a preallocated file) are ignored; anything else is damage. */
static int next_frame(ww_stream_t *s)
{
    for (;;) {
        while (s->in_pos < s->in_len && s->in[s->in_pos] == 0)
            s->in_pos++;
        if (s->in_pos < s->in_len)
            break;
        if (s->src_eof)
            return 0;
        if (src_refill(s) < 0)
            return -1;
    }
    if (codec_of(s->in + s->in_pos, s->in_len - s->in_pos) != s->codec &&
        s->in_len - s->in_pos >= 4) {
        stream_fail(s, WW_EPARSE,
                    "unexpected bytes after the end of the %s data, near byte %llu of the "
                    "compressed file",
                    codec_name(s->codec),
                    (unsigned long long)(s->src_off - (s->in_len - s->in_pos)));
        return -1;
    }
    if (s->codec == CODEC_GZIP && inflateReset(&s->z) != Z_OK) {
        stream_fail(s, WW_ENOMEM, "cannot restart the gzip decoder");
        return -1;
    }
    s->frame_open = true;
    return 1;
}

/* Reads up to n bytes of the (decompressed) stream; 0 at its end, -1 after
 * stream_fail (the bytes before the damage were all returned). */
static ssize_t src_read(ww_stream_t *s, uint8_t *dst, size_t n)
{
    if (s->end)
        return s->err ? -1 : 0;
    if (s->codec == CODEC_NONE) {
        if (s->in_pos < s->in_len) {
            size_t k = s->in_len - s->in_pos < n ? s->in_len - s->in_pos : n;
            memcpy(dst, s->in + s->in_pos, k);
            s->in_pos += k;
            return (ssize_t)k;
        }
        return src_raw(s, dst, n);
    }
    for (;;) {
        if (!s->frame_open) {
            int f = next_frame(s);
            if (f <= 0)
                return f;
        }
        if (src_refill(s) < 0)
            return -1;
        size_t avail = s->in_len - s->in_pos, produced = 0;
        uint64_t at = s->src_off - avail; /* compressed offset of the next input byte */
        if (s->codec == CODEC_GZIP) {
            s->z.next_in = s->in + s->in_pos;
            s->z.avail_in = (uInt)avail;
            s->z.next_out = dst;
            s->z.avail_out = (uInt)n;
            int zr = inflate(&s->z, Z_NO_FLUSH);
            s->in_pos = s->in_len - s->z.avail_in;
            produced = n - s->z.avail_out;
            if (zr == Z_STREAM_END) {
                s->frame_open = false;
            } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
                stream_fail(s, WW_EPARSE,
                            "corrupt gzip data near byte %llu of the compressed file (%s)",
                            (unsigned long long)at, s->z.msg ? s->z.msg : "inflate failed");
                return produced ? (ssize_t)produced : -1;
            }
        } else {
            ZSTD_inBuffer zi = {s->in + s->in_pos, avail, 0};
            ZSTD_outBuffer zo = {dst, n, 0};
            size_t zr = ZSTD_decompressStream(s->zs, &zo, &zi);
            s->in_pos += zi.pos;
            produced = zo.pos;
            if (ZSTD_isError(zr)) {
                stream_fail(s, WW_EPARSE,
                            "corrupt zstd data near byte %llu of the compressed file (%s)",
                            (unsigned long long)at, ZSTD_getErrorName(zr));
                return produced ? (ssize_t)produced : -1;
            }
            if (zr == 0)
                s->frame_open = false;
        }
        if (produced)
            return (ssize_t)produced;
        if (s->frame_open && s->in_pos == s->in_len && s->src_eof) {
            stream_fail(s, WW_ETRUNC,
                        "the %s data ends early after %llu compressed bytes: the file is "
                        "truncated",
                        codec_name(s->codec), (unsigned long long)s->src_off);
            return -1;
        }
    }
}

static void stream_free(ww_stream_t *s)
{
    if (!s)
        return;
    if (s->z_live)
        inflateEnd(&s->z);
    ZSTD_freeDStream(s->zs);
    if (s->own_fd && s->fd >= 0)
        close(s->fd);
    free(s->in);
    free(s->buf);
    free(s->hdr);
    free(s);
}

/* Sets up a stream over fd (taken over when own_fd).  The first bytes name the
 * codec.  0 or WW_E* with diag. */
static int stream_new(ww_reader_t *r, int fd, bool own_fd, const ww__stream_opts_t *o,
                      ww_diag_t *diag)
{
    ww_stream_t *s = calloc(1, sizeof *s);
    if (!s) {
        if (own_fd)
            close(fd);
        ww_diag_set(diag, r->name, 0, 0, "out of memory");
        return WW_ENOMEM;
    }
    s->fd = fd;
    s->own_fd = own_fd;
    s->jsonl = -1;
    s->block = o && o->block ? o->block : STREAM_BLOCK;
    s->window = o && o->window ? o->window : STREAM_WINDOW;
    s->max_record = o && o->max_record ? o->max_record : STREAM_MAX_RECORD;
    if (o && o->mem) {
        s->mem = o->mem;
        s->mem_len = o->mem_len;
    }
    r->stream = s;
    s->in = calloc(1, s->block);
    if (!s->in) {
        ww_diag_set(diag, r->name, 0, 0, "out of memory");
        return WW_ENOMEM;
    }
    /* Enough of the start to see a magic number. */
    while (s->in_len < 4 && !s->src_eof) {
        ssize_t got = src_raw(s, s->in + s->in_len, s->block - s->in_len);
        if (got < 0) {
            ww_diag_set(diag, r->name, 0, 0, "%s", s->err_msg);
            return WW_EIO;
        }
        s->in_len += (size_t)got;
        s->src_eof = got == 0;
    }
    s->codec = codec_of(s->in, s->in_len);
    if (s->codec == CODEC_GZIP) {
        /* 15 + 32: a zlib or gzip header, detected. */
        if (inflateInit2(&s->z, 15 + 32) != Z_OK) {
            ww_diag_set(diag, r->name, 0, 0, "out of memory");
            return WW_ENOMEM;
        }
        s->z_live = true;
        s->frame_open = true;
    } else if (s->codec == CODEC_ZSTD) {
        s->zs = ZSTD_createDStream();
        if (!s->zs || ZSTD_isError(ZSTD_initDStream(s->zs))) {
            ww_diag_set(diag, r->name, 0, 0, "out of memory");
            return WW_ENOMEM;
        }
        s->frame_open = true;
    }
    return 0;
}

/* ---- windows ------------------------------------------------------------------ */

static uint64_t count_nl(const uint8_t *p, size_t n)
{
    uint64_t k = 0;
    const uint8_t *e = p + n;
    while (p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
        k++;
        p++;
    }
    return k;
}

/* Makes room for `more` bytes after buf[len].  0, or WW_ENOMEM. */
static int reserve(ww_stream_t *s, size_t more)
{
    if (s->cap - s->len >= more)
        return 0;
    size_t ncap = s->cap ? s->cap : s->window + s->block;
    while (ncap - s->len < more)
        ncap *= 2;
    uint8_t *nb = realloc(s->buf, ncap);
    if (!nb)
        return WW_ENOMEM;
    s->buf = nb;
    s->cap = ncap;
    return 0;
}

/* Drops stream bytes buf[data, data+n) (an oversized record being skipped). */
static void discard(ww_stream_t *s, size_t n)
{
    s->lines += count_nl(s->buf + s->data, n);
    memmove(s->buf + s->data, s->buf + s->data + n, s->len - s->data - n);
    s->len -= n;
    s->data_off += n;
}

/* Reads one block into the window.  0, or -1 at the end or after an error. */
static int fill(ww_stream_t *s)
{
    if (reserve(s, s->block) != 0) {
        stream_fail(s, WW_ENOMEM, "out of memory");
        return -1;
    }
    size_t at = s->len;
    ssize_t got = src_read(s, s->buf + at, s->block);
    if (got <= 0) {
        s->end = true;
        return -1;
    }
    s->len += (size_t)got;
    if (s->skipping) {
        /* The rest of an oversized record: dropped up to its line end. */
        const uint8_t *nl = memchr(s->buf + at, '\n', (size_t)got);
        discard(s, nl ? (size_t)(nl + 1 - (s->buf + s->data)) : s->len - s->data);
        if (nl) {
            s->skipping = false;
            s->depth = 0;
            s->in_str = s->esc = false;
            s->scan = s->data;
        }
    }
    return 0;
}

/* The first '"', '\\' or line end in b[i, n), or n: the body of a JSON string is most
 * of a record's bytes, so 16 of them are looked at at once where SSE2 is there. */
static size_t string_stop(const uint8_t *b, size_t i, size_t n)
{
#if defined(__SSE2__)
    const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), nl = _mm_set1_epi8('\n');
    while (i + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(b + i));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, bs)),
                                   _mm_cmpeq_epi8(v, nl));
        unsigned m = (unsigned)_mm_movemask_epi8(hit);
        if (m)
            return i + (size_t)__builtin_ctz(m);
        i += 16;
    }
#endif
    while (i < n && b[i] != '"' && b[i] != '\\' && b[i] != '\n')
        i++;
    return i;
}

/* JSON: finds top-level value boundaries in buf[scan, len) without parsing: depth
 * of braces and brackets outside strings.  A boundary ("hard") is just after a
 * top-level value closes, or a line end at the top level.  A top-level array's own
 * brackets and commas are blanked (its elements then follow one another like
 * concatenated objects), so that a window can start in the middle of the array.
 * JSON strings hold no raw line ends, so one ends a broken string. */
static void scan_json(ww_stream_t *s)
{
    uint8_t *b = s->buf;
    size_t i = s->scan, n = s->len;
    int depth = s->depth;
    bool in_str = s->in_str, esc = s->esc;
    while (i < n) {
        if (in_str) {
            uint8_t c;
            if (esc) {
                esc = false;
                c = b[i++]; /* the escaped byte, whatever it is */
                if (c != '\n')
                    continue;
            } else {
                i = string_stop(b, i, n);
                if (i == n)
                    break;
                c = b[i++];
                if (c == '\\') {
                    esc = true;
                    continue;
                }
                if (c == '"') {
                    in_str = false;
                    continue;
                }
            }
            /* A raw line end: the string was broken. */
            in_str = false;
            if (depth == 0)
                s->hard = i;
            else
                s->rec_nl = true;
            continue;
        }
        uint8_t c = b[i++];
        switch (c) {
        case '"': in_str = true; break;
        case '[':
            if (depth == 0 && !s->in_arr) {
                s->in_arr = true;
                b[i - 1] = ' ';
                break;
            }
            /* fall through */
        case '{': depth++; break;
        case ']':
            if (depth == 0 && s->in_arr) {
                s->in_arr = false;
                b[i - 1] = ' ';
                s->hard = i;
                break;
            }
            /* fall through */
        case '}':
            if (depth == 0)
                break;
            if (--depth == 0) {
                s->hard = i;
                if (s->jsonl < 0)
                    s->jsonl = !s->rec_nl;
                s->rec_nl = false;
            }
            break;
        case ',':
            if (depth == 0 && s->in_arr) {
                b[i - 1] = ' ';
                s->hard = i;
            }
            break;
        case '\n':
            if (depth == 0)
                s->hard = i;
            else
                s->rec_nl = true;
            break;
        default: break;
        }
    }
    s->scan = i;
    s->depth = depth;
    s->in_str = in_str;
    s->esc = esc;
}

static bool json_ws(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* JSON objects one after another (lines, or pretty-printed): the last line end in
 * buf[data, len) with a '}' before it and a '{' after it, blanks aside, or 0.  In
 * valid JSON that is always between two top-level objects (inside a value a '}' and
 * the next '{' are separated by a comma, and strings hold no raw line ends), so the
 * common case needs no scan of every byte. */
static size_t object_break(ww_stream_t *s, size_t upto)
{
    const uint8_t *b = s->buf + s->data, *e = s->buf + s->len, *p = s->buf + upto;
    for (int tries = 0; tries < 256; tries++) {
        const uint8_t *nl = memrchr(b, '\n', (size_t)(p - b));
        if (!nl)
            return 0;
        p = nl;
        const uint8_t *q = nl + 1;
        while (q < e && q - nl < 256 && json_ws(*q))
            q++;
        if (q == e || *q != '{')
            continue;
        const uint8_t *k = nl;
        while (k > b && nl - k < 256 && json_ws(k[-1]))
            k--;
        if (k > b && k[-1] == '}')
            return (size_t)(nl + 1 - s->buf);
    }
    return 0;
}

/* Where the window ends: just after the last complete record in buf[data, len), or
 * 0 when there is none yet. */
static size_t boundary(ww_reader_t *r, ww_stream_t *s)
{
    size_t n = s->len - s->data;
    /* The last boundary within a window's size if there is one (a first block read
       for format detection may hold more), else the first after it. */
    size_t limit = n > s->window ? s->data + s->window : s->len;
    switch (r->fmt) {
    case WW_FMT_EVTX: return n >= EVTX_CHUNK ? s->data + n / EVTX_CHUNK * EVTX_CHUNK : 0;
    case WW_FMT_JSON: {
        size_t cut = 0;
        if (!s->arr_seen && !(cut = object_break(s, limit)) && limit < s->len)
            cut = object_break(s, s->len);
        if (cut) {
            /* The scan state (if any) is of bytes before the cut: start afresh. */
            s->depth = 0;
            s->in_str = s->esc = s->rec_nl = false;
            s->scan = cut;
            return cut;
        }
        scan_json(s);
        if (s->hard > s->data)
            return s->hard;
        /* JSON lines with a record that never closes (a stray '{'): the decoder
           resynchronises at the next line, so the window may end at a line too. */
        if (s->jsonl == 1 && n >= s->window) {
            const uint8_t *nl = memrchr(s->buf + s->data, '\n', n);
            if (nl) {
                s->depth = 0;
                s->in_str = s->esc = s->rec_nl = false;
                s->scan = (size_t)(nl + 1 - s->buf);
                return s->scan;
            }
        }
        return 0;
    }
    default: {
        const uint8_t *nl = memrchr(s->buf + s->data, '\n', limit - s->data);
        if (!nl)
            nl = memrchr(s->buf + s->data, '\n', n);
        return nl ? (size_t)(nl + 1 - s->buf) : 0;
    }
    }
}

/* Where the window ends: just after the last complete record in buf[data, len), or
 * 0 when there is none yet. */
static size_t find_cut(ww_reader_t *r, ww_stream_t *s)
{
    if (!s->end)
        return boundary(r, s);
    /* At the end, whatever is left goes in the last window (or two).  A top-level
       array's last bytes are blanked like the others, and one that never closes is
       reported. */
    if (r->fmt == WW_FMT_JSON && s->arr_seen) {
        scan_json(s);
        if (s->in_arr && !s->err && !s->tail_err) {
            s->tail_err = WW_ETRUNC;
            snprintf(s->tail_msg, sizeof s->tail_msg, "input ends inside the top-level array");
        }
        return s->len;
    }
    size_t cut = boundary(r, s);
    return cut > s->data ? cut : s->len;
}

/* Zeek: keeps the latest block of '#' header lines seen in buf[from, to), to replay
 * it before the next windows. */
static void zeek_headers(ww_stream_t *s, size_t from, size_t to)
{
    const uint8_t *b = s->buf, *p = b + from, *e = b + to;
    while (p < e) {
        const uint8_t *nl = memchr(p, '\n', (size_t)(e - p));
        const uint8_t *le = nl ? nl + 1 : e;
        if (*p == '#') {
            if (!s->hdr_last)
                s->hdr_len = s->hdr_lines = 0; /* a new block */
            size_t k = (size_t)(le - p);
            if (s->hdr_len + k <= STREAM_ZEEK_HEADER && s->hdr) {
                memcpy(s->hdr + s->hdr_len, p, k);
                s->hdr_len += k;
                if (!nl) /* the window ends inside a header line: no replay of half */
                    s->hdr_len -= k;
                else
                    s->hdr_lines++;
            }
            s->hdr_last = true;
            p = le;
            continue;
        }
        s->hdr_last = false;
        /* Skip the data lines up to the next header line. */
        const uint8_t *h = memmem(p, (size_t)(e - p), "\n#", 2);
        p = h ? h + 1 : e;
    }
}

/* Hands buf[keep, cut) out as a window reader and starts the next window with the
 * context and the rest.  0 or WW_E* with diag. */
static int make_window(ww_reader_t *r, size_t cut, ww_reader_t **out, ww_diag_t *diag)
{
    ww_stream_t *s = r->stream;
    if (r->fmt == WW_FMT_ZEEK)
        zeek_headers(s, s->data, cut);
    uint64_t nl = r->fmt == WW_FMT_EVTX ? 0 : count_nl(s->buf + s->data, cut - s->data);
    /* The next window's buffer: context, replayed prefix, then the bytes after cut. */
    size_t ctx = 0, pre = 0;
    const uint8_t *prefix = NULL;
    if (r->fmt == WW_FMT_SYSLOG || r->fmt == WW_FMT_TEXT)
        ctx = cut < WW_READER_LOOKBACK ? cut : WW_READER_LOOKBACK;
    else if (r->fmt == WW_FMT_ZEEK)
        prefix = (const uint8_t *)s->hdr, pre = s->hdr_len;
    else if (r->fmt == WW_FMT_EVTX)
        prefix = s->evtx_hdr, pre = s->data - s->keep;
    size_t rest = s->len - cut;
    size_t need = ctx + pre + rest + s->block;
    size_t ncap = s->cap > need ? s->cap : need;
    if (ncap > s->window * 2 && need <= s->window * 2)
        ncap = s->window * 2; /* shrink back after an oversized record */
    uint8_t *nb = malloc(ncap);
    ww_reader_t *w = reader_new(r->name);
    if (!nb || !w) {
        free(nb);
        free(w);
        ww_diag_set(diag, r->name, 0, 0, "out of memory");
        return WW_ENOMEM;
    }
    memcpy(nb, s->buf + cut - ctx, ctx);
    if (pre)
        memcpy(nb + ctx, prefix, pre);
    memcpy(nb + ctx + pre, s->buf + cut, rest);

    w->owned = s->buf;
    w->buf = s->buf + s->keep;
    w->len = cut - s->keep;
    w->lookback = s->keep;
    w->fmt = r->fmt;
    w->ops = r->ops;
    w->line_base = (int64_t)s->lines - s->prefix_lines;
    if (s->bom && s->data_off == 0 && s->keep == s->data)
        w->off = 3;
    w->win_off = s->data_off;
    w->win_prefix = s->data - s->keep;

    s->data_off += cut - s->data;
    s->lines += nl;
    s->buf = nb;
    s->cap = ncap;
    s->keep = ctx;
    s->data = ctx + pre;
    s->len = s->data + rest;
    s->prefix_lines = r->fmt == WW_FMT_ZEEK ? s->hdr_lines : 0;
    s->scan = s->scan >= cut ? s->data + (s->scan - cut) : s->data;
    s->hard = 0;

    int rc = w->ops->open(w, diag);
    if (rc == 0 && w->ops == &ww_syslog_ops)
        ww__syslog_inherit(w, r);
    if (rc) {
        ww_reader_free(w);
        return rc;
    }
    *out = w;
    return 1;
}

/* Reads the first block of a stream and chooses its format from it. */
static int stream_start(ww_reader_t *r, int fmt, ww_diag_t *diag)
{
    ww_stream_t *s = r->stream;
    s->started = true;
    size_t want = STREAM_DETECT;
    while (s->len < want && fill(s) == 0) {
    }
    if (s->err && s->len == 0) {
        ww_diag_set(diag, r->name, 0, 0, "%s", s->err_msg);
        return s->err;
    }
    s->bom = s->len >= 3 && memcmp(s->buf, "\xEF\xBB\xBF", 3) == 0;
    int rc = choose(r, fmt, s->buf, s->len, s->bom ? 3 : 0, diag);
    if (rc)
        return rc;
    if (r->fmt == WW_FMT_EVTX && s->len >= EVTX_HEADER) {
        /* The file header goes before every window; chunks follow it. */
        memcpy(s->evtx_hdr, s->buf, EVTX_HEADER);
        s->data = EVTX_HEADER;
        s->data_off = EVTX_HEADER;
    }
    if (r->fmt == WW_FMT_ZEEK && !(s->hdr = malloc(STREAM_ZEEK_HEADER))) {
        ww_diag_set(diag, r->name, 0, 0, "out of memory");
        return WW_ENOMEM;
    }
    s->scan = s->data;
    for (size_t i = s->data + (s->bom ? 3 : 0); i < s->len; i++)
        if (!json_ws(s->buf[i])) {
            s->arr_seen = s->buf[i] == '[';
            break;
        }
    /* The windows' syslog decoders all date year-less lines from this one's clock. */
    if (r->ops == &ww_syslog_ops)
        return r->ops->open(r, diag);
    return 0;
}

int ww_reader_next_window(ww_reader_t *r, ww_reader_t **win, ww_diag_t *diag)
{
    ww_stream_t *s = r->stream;
    if (!s || r->done)
        return 0;
    for (;;) {
        size_t pending = s->len - s->data;
        if (!s->end && pending < s->window) {
            fill(s);
            continue;
        }
        size_t cut = pending ? find_cut(r, s) : 0;
        if (cut > s->data)
            return make_window(r, cut, win, diag);
        if (s->end) {
            r->done = true;
            if (!s->err && s->tail_err) {
                uint64_t line = s->lines + 1;
                ww_diag_set(diag, r->name, line <= UINT32_MAX ? (uint32_t)line : 0, 0, "%s",
                            s->tail_msg);
                return s->tail_err;
            }
            if (!s->err)
                return 0;
            r->incomplete = true;
            ww_diag_set(diag, r->name, 0, 0, "%s", s->err_msg);
            return s->err;
        }
        if (pending >= s->max_record) {
            /* A record over the cap: reported, and skipped to its line end. */
            ww_diag_set(diag, r->name, (uint32_t)(s->lines + 1 > UINT32_MAX ? 0 : s->lines + 1), 0,
                        "a record longer than the %zu MiB limit (at byte %llu); skipped to "
                        "the next line end",
                        s->max_record >> 20, (unsigned long long)s->data_off);
            const uint8_t *nl = memchr(s->buf + s->data, '\n', pending);
            if (nl) {
                discard(s, (size_t)(nl + 1 - (s->buf + s->data)));
            } else {
                discard(s, pending);
                s->skipping = true;
            }
            s->depth = 0;
            s->in_str = s->esc = s->rec_nl = false;
            s->scan = s->data;
            s->hard = 0;
            r->index++;
            return WW_ELIMIT;
        }
        fill(s); /* a record longer than a window: read on */
    }
}

/* ww_reader_next for a streamed reader: the events of one window after another. */
static int stream_next(ww_reader_t *r, ww_event_t *ev, ww_diag_t *diag)
{
    for (;;) {
        if (r->win) {
            ww_reader_t *w = r->win;
            int rc = ww_reader_next(w, ev, diag);
            r->index = r->win_index + w->index;
            r->off = w->win_off + (w->off > w->win_prefix ? w->off - w->win_prefix : 0);
            if (rc != 0)
                return rc;
            r->win_index += w->index;
            ww_reader_free(w);
            r->win = NULL;
        }
        uint64_t before = r->index;
        int rc = ww_reader_next_window(r, &r->win, diag);
        if (rc < 0) {
            r->win_index += r->index - before;
            return rc;
        }
        if (rc == 0)
            return 0;
    }
}

static int open_stream(ww_reader_t *r, int fd, bool own_fd, int fmt, const ww__stream_opts_t *o,
                       ww_diag_t *diag)
{
    int rc = stream_new(r, fd, own_fd, o, diag);
    return rc ? rc : stream_start(r, fmt, diag);
}

int ww_reader_open(const char *path, int fmt, ww_reader_t **out, ww_diag_t *diag)
{
    int fd = -1, rc;
    bool is_stdin = strcmp(path, "-") == 0;
    ww_reader_t *r = reader_new(is_stdin ? "<stdin>" : path);
    if (!r) {
        ww_diag_set(diag, path, 0, 0, "out of memory");
        return WW_ENOMEM;
    }
    if (is_stdin) {
        /* Standard input redirected from a file at its start is mapped like the file;
           anything else is streamed. */
        struct stat st0;
        if (fstat(0, &st0) != 0 || !S_ISREG(st0.st_mode) || lseek(0, 0, SEEK_CUR) != 0) {
            rc = open_stream(r, 0, false, fmt, NULL, diag);
            goto out;
        }
        fd = dup(0);
        if (fd < 0) {
            rc = WW_EIO;
            ww_diag_set(diag, r->name, 0, 0, "cannot read: %s", strerror(errno));
            goto out;
        }
    } else {
        fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0) {
        rc = errno == ENOENT ? WW_ENOENT : WW_EIO;
        ww_diag_set(diag, path, 0, 0, "cannot open: %s", strerror(errno));
        goto out;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        rc = WW_EIO;
        ww_diag_set(diag, path, 0, 0, "cannot stat: %s", strerror(errno));
        goto out;
    }
    if (S_ISDIR(st.st_mode)) {
        rc = WW_EINVAL;
        ww_diag_set(diag, path, 0, 0, "is a directory");
        goto out;
    }
    uint8_t magic[4];
    bool compressed = S_ISREG(st.st_mode) && st.st_size >= 4 &&
                      pread(fd, magic, sizeof magic, 0) == (ssize_t)sizeof magic &&
                      codec_of(magic, sizeof magic) != CODEC_NONE;
    if (!S_ISREG(st.st_mode) || compressed) {
        /* Pipes, FIFOs, process substitution and compressed files are streamed. */
        rc = open_stream(r, fd, true, fmt, NULL, diag);
        fd = -1;
        goto out;
    }
    if (st.st_size > 0) {
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            rc = WW_EIO;
            ww_diag_set(diag, path, 0, 0, "cannot map: %s", strerror(errno));
            goto out;
        }
        (void)madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
        r->mapped = m;
        r->mapped_len = (size_t)st.st_size;
        r->buf = m;
        r->len = (size_t)st.st_size;
    }
    /* An empty regular file leaves buf NULL and len 0: no events. */
    rc = start(r, fmt, diag);
out:
    if (fd >= 0)
        close(fd);
    if (rc) {
        ww_reader_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int ww_reader_open_mem(const char *name, const void *buf, size_t len, int fmt, ww_reader_t **out,
                       ww_diag_t *diag)
{
    ww_reader_t *r = reader_new(name);
    if (!r) {
        ww_diag_set(diag, name, 0, 0, "out of memory");
        return WW_ENOMEM;
    }
    r->buf = buf;
    r->len = buf ? len : 0;
    int rc = start(r, fmt, diag);
    if (rc) {
        ww_reader_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int ww__reader_open_stream(const char *name, int fd, const ww__stream_opts_t *o, int fmt,
                           ww_reader_t **out, ww_diag_t *diag)
{
    ww_reader_t *r = reader_new(name);
    if (!r) {
        ww_diag_set(diag, name, 0, 0, "out of memory");
        return WW_ENOMEM;
    }
    int rc = open_stream(r, fd, false, fmt, o, diag);
    if (rc) {
        ww_reader_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

bool ww_reader_streamed(const ww_reader_t *r)
{
    return r->stream != NULL;
}

bool ww_reader_incomplete(const ww_reader_t *r)
{
    return r->incomplete;
}

/* A mapped file's pages stay in the process's resident set once read, so hunting a
 * 1 GB file showed 1 GB of RSS although the bytes behind the reader are never needed
 * again.  Releasing them is always safe: the mapping is private and read-only, so a
 * later access (a slice an event still holds) faults the same bytes back in from the
 * file. */
#define DROP_STEP ((uint64_t)32 << 20) /* release in steps of 32 MiB... */
#define DROP_KEEP ((uint64_t)8 << 20)  /* ...keeping the last 8 MiB mapped */

void ww_reader_release_before(ww_reader_t *r, uint64_t off)
{
    if (!r->mapped || off > r->mapped_len)
        return;
    /* Reading again from an earlier point (a caller that goes back to decode a file
       sequentially) faults pages back in from there: release them again as it goes. */
    if (off + DROP_STEP < r->dropped)
        r->dropped = 0;
    if (off < r->dropped + DROP_STEP + DROP_KEEP)
        return;
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    uint64_t to = (off - DROP_KEEP) / page * page;
    if (to > r->nl_pos && r->fmt != WW_FMT_EVTX) {
        /* Count the lines while the pages are still resident (see nl_pos). */
        const uint8_t *p = r->buf + r->nl_pos, *e = r->buf + to;
        while (p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
            r->nl_count++;
            r->nl_last = (uint64_t)(++p - r->buf);
        }
        r->nl_pos = to;
    }
    if (to > r->dropped &&
        madvise((char *)r->mapped + r->dropped, (size_t)(to - r->dropped), MADV_DONTNEED) == 0)
        r->dropped = to;
}

int ww_reader_next(ww_reader_t *r, ww_event_t *ev, ww_diag_t *diag)
{
    ww_event_reset(ev);
    if (r->stream)
        return stream_next(r, ev, diag);
    if (r->done)
        return 0;
    int rc = r->ops->next(r, ev, diag);
    if (rc == WW_EIO || rc == WW_ETRUNC)
        r->done = true;
    if (rc < 0 && r->line_base && diag->line) {
        /* A window of a stream: its decoder counts lines from the window's start. */
        int64_t line = (int64_t)diag->line + r->line_base;
        diag->line = line > 0 && line <= UINT32_MAX ? (uint32_t)line : 0;
    }
    ww_reader_release_before(r, r->off);
    return rc;
}

uint64_t ww_reader_index(const ww_reader_t *r)
{
    return r->index ? r->index - 1 : 0;
}

uint64_t ww_reader_line_at(ww_reader_t *r, uint64_t off)
{
    if (r->stream && !(r = r->win))
        return 0;
    if (r->fmt == WW_FMT_EVTX || off > r->len)
        return 0;
    /* The nl_* cursor (see its comment) moves to `off`, back or forward. */
    bool back = off < r->nl_pos;
    const uint8_t *b = r->buf, *p = b + (back ? off : r->nl_pos), *e = b + (back ? r->nl_pos : off);
    for (; p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL;
         r->nl_last = (uint64_t)(++p - b))
        r->nl_count += back ? (uint64_t)-1 : 1;
    if (back && r->nl_last > off) { /* went back over a newline: find the one before */
        const uint8_t *nl = memrchr(b, '\n', (size_t)off);
        r->nl_last = nl ? (uint64_t)(nl + 1 - b) : 0;
    }
    r->nl_pos = off;
    return (uint64_t)(r->line_base + (int64_t)r->nl_count + 1);
}

uint64_t ww_reader_line(ww_reader_t *r, const ww_event_t *ev)
{
    const ww_reader_t *w = r->stream ? r->win : r;
    const uint8_t *p = (const uint8_t *)ev->raw.p;
    if (!w || !p || p < w->buf || p > w->buf + w->len)
        return 0;
    return ww_reader_line_at(r, (uint64_t)(p - w->buf));
}

int ww_reader_format(const ww_reader_t *r)
{
    return r->fmt;
}

uint64_t ww_reader_offset(const ww_reader_t *r)
{
    return r->off;
}

uint64_t ww_reader_size(const ww_reader_t *r)
{
    return r->len;
}

/* ---- ranges, for decoding one input on several threads -------------------------- */

bool ww_reader_splittable(const ww_reader_t *r)
{
    if (r->stream)
        return false; /* its windows are */
    return r->fmt == WW_FMT_SYSLOG || r->fmt == WW_FMT_TEXT || r->fmt == WW_FMT_JSON ||
           r->fmt == WW_FMT_EVTX;
}

/* EVTX chunks start after the file header, every 64 KiB; offset 0 starts the first
 * range (the header belongs to the first chunk's range). */
static bool evtx_boundary(uint64_t off)
{
    return off == 0 || (off >= EVTX_HEADER && (off - EVTX_HEADER) % EVTX_CHUNK == 0);
}

uint64_t ww_reader_cut(const ww_reader_t *r, uint64_t from, uint32_t n)
{
    if (r->fmt == WW_FMT_EVTX) {
        if (from >= r->len)
            return r->len;
        /* The end of the chunk holding `from`, then n - 1 chunks more. */
        uint64_t k = from < EVTX_HEADER ? 0 : (from - EVTX_HEADER) / EVTX_CHUNK;
        uint64_t end = EVTX_HEADER + (k + (n ? n : 1)) * EVTX_CHUNK;
        return end < r->len ? end : r->len;
    }
    const char *b = (const char *)r->buf, *e = b + r->len;
    const char *p = from < r->len ? b + from : e;
    while (n-- && p < e) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        p = nl ? nl + 1 : e;
    }
    return (uint64_t)(p - b);
}

ww__spool_t *ww__spool_new(void (*free_state)(void *))
{
    ww__spool_t *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    if (pthread_mutex_init(&p->mu, NULL) != 0) {
        free(p);
        return NULL;
    }
    p->free_state = free_state;
    return p;
}

void ww__spool_free(ww__spool_t *p)
{
    if (!p)
        return;
    for (unsigned i = 0; i < p->n; i++)
        p->free_state(p->v[i]);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

void *ww__spool_take(ww__spool_t *p)
{
    void *st = NULL;
    pthread_mutex_lock(&p->mu);
    if (p->n)
        st = p->v[--p->n];
    pthread_mutex_unlock(&p->mu);
    return st;
}

bool ww__spool_give(ww__spool_t *p, void *st)
{
    bool kept = false;
    pthread_mutex_lock(&p->mu);
    if (p->n < WW__SPOOL_MAX) {
        p->v[p->n++] = st;
        kept = true;
    }
    pthread_mutex_unlock(&p->mu);
    return kept;
}

int ww_reader_open_range(const ww_reader_t *parent, uint64_t start, uint64_t end, ww_reader_t **out,
                         ww_diag_t *diag)
{
    bool evtx = parent->fmt == WW_FMT_EVTX;
    if (!ww_reader_splittable(parent) || start > end || end > parent->len ||
        (evtx && (!evtx_boundary(start) || (end != parent->len && !evtx_boundary(end))))) {
        ww_diag_set(diag, parent->name, 0, 0, "invalid range [%llu, %llu) of a %s input",
                    (unsigned long long)start, (unsigned long long)end,
                    ww_format_name(parent->fmt));
        return WW_EINVAL;
    }
    ww_reader_t *r = reader_new(parent->name);
    if (!r) {
        ww_diag_set(diag, parent->name, 0, 0, "out of memory");
        return WW_ENOMEM;
    }
    r->range = true;
    r->parent = parent;
    if (evtx) {
        /* Chunks are independent (each has its own string and template tables), but
           the decoder finds them, and names them in diagnostics, by their place in
           the whole input: it sees the input up to the range's end from the start. */
        r->buf = parent->buf;
        r->len = (size_t)end;
        r->off = start;
        /* A window's place in its stream, for the chunk numbers of diagnostics. */
        r->win_off = parent->win_off;
        r->win_prefix = parent->win_prefix;
    } else {
        r->buf = parent->buf + start;
        r->len = (size_t)(end - start);
        /* A window of a stream has context of its own before its first byte. */
        uint64_t before = start + parent->lookback;
        r->lookback = (size_t)(before < WW_READER_LOOKBACK ? before : WW_READER_LOOKBACK);
    }
    r->fmt = parent->fmt;
    r->ops = parent->ops;
    int rc = r->ops->open(r, diag);
    if (rc == 0 && r->ops == &ww_syslog_ops)
        ww__syslog_inherit(r, parent);
    if (rc) {
        ww_reader_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

void ww_reader_free(ww_reader_t *r)
{
    if (!r)
        return;
    ww_reader_free(r->win);
    if (r->ops && r->ops->close)
        r->ops->close(r);
    ww__spool_free(r->spool);
    stream_free(r->stream);
    if (r->mapped)
        munmap(r->mapped, r->mapped_len);
    free(r->owned);
    free(r);
}

/* ---- directory walk ------------------------------------------------------------ */

struct walk_dir {
    dev_t dev;
    ino_t ino;
};

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
    /* Byte order, not the locale's: the same tree is always walked the same way. */
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int skip_hidden(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

static int walk_dir(const char *path, struct walk_dir *stack, int depth,
                    int (*fn)(void *ud, const char *file), void *ud)
{
    struct dirent **names = NULL;
    int n = scandir(path, &names, skip_hidden, name_cmp);
    if (n < 0)
        return 0; /* unreadable directory: nothing to walk */
    int rc = 0, i;
    size_t plen = strlen(path);
    for (i = 0; i < n && rc == 0; i++) {
        const char *nm = names[i]->d_name;
        size_t nlen = strlen(nm);
        char *sub = malloc(plen + nlen + 2);
        if (!sub) {
            rc = WW_ENOMEM;
            break;
        }
        memcpy(sub, path, plen);
        size_t k = plen;
        if (k == 0 || sub[k - 1] != '/')
            sub[k++] = '/';
        memcpy(sub + k, nm, nlen + 1);
        struct stat st;
        /* stat follows symlinks: a link to a file is walked like the file. */
        if (stat(sub, &st) == 0) {
            if (S_ISREG(st.st_mode)) {
                rc = fn(ud, sub);
            } else if (S_ISDIR(st.st_mode) && depth + 1 < WALK_MAX_DEPTH) {
                /* A symlink back to an ancestor would loop forever: skip it. */
                bool loop = false;
                for (int j = 0; j <= depth; j++)
                    if (stack[j].dev == st.st_dev && stack[j].ino == st.st_ino)
                        loop = true;
                if (!loop) {
                    stack[depth + 1] = (struct walk_dir){st.st_dev, st.st_ino};
                    rc = walk_dir(sub, stack, depth + 1, fn, ud);
                }
            }
        }
        free(sub);
    }
    for (int j = 0; j < n; j++)
        free(names[j]);
    free(names);
    return rc;
}

int ww_path_walk(const char *path, int (*fn)(void *ud, const char *file), void *ud)
{
    struct stat st;
    if (strcmp(path, "-") == 0)
        return fn(ud, path);
    if (stat(path, &st) != 0)
        return WW_ENOENT;
    if (!S_ISDIR(st.st_mode))
        return fn(ud, path);
    struct walk_dir stack[WALK_MAX_DEPTH];
    stack[0] = (struct walk_dir){st.st_dev, st.st_ino};
    return walk_dir(path, stack, 0, fn, ud);
}
