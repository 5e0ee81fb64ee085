/* Syslog over TCP framing (RFC 6587) and over UDP: turns the bytes of a connection,
 * fed in whatever pieces they arrive, into syslog messages.  No sockets here: the
 * network code reads, feeds, and receives each message through a callback, so the
 * same parser serves any I/O loop, TLS included.  docs/ingest.md has the rules. */
#ifndef WW_SYSFRAME_H
#define WW_SYSFRAME_H

#include "util/ww_util.h"

/* Which framings a connection may use. */
enum ww_sysframe_mode {
    WW_SYSFRAME_AUTO = 0, /* decided per frame from its first byte (as rsyslog does) */
    WW_SYSFRAME_OCTET,    /* octet counting only: anything else closes the connection */
    WW_SYSFRAME_LF,       /* non-transparent only: LF (or NUL) ends a message */
};

#define WW_SYSFRAME_DEFAULT_MAX ((size_t)64 << 10) /* bytes per message */
#define WW_SYSFRAME_MIN_MAX ((size_t)16)           /* the smallest limit accepted */
#define WW_SYSFRAME_MAX_MAX ((size_t)64 << 20)     /* the largest limit accepted */

/* Flags of a delivered message. */
enum {
    WW_SYSFRAME_F_OCTET = 1u << 0,      /* it came octet-counted (else LF/NUL-terminated) */
    WW_SYSFRAME_F_TRUNCATED = 1u << 1,  /* longer than the limit (or its count), cut off */
    WW_SYSFRAME_F_NO_TRAILER = 1u << 2, /* the connection ended before its LF */
};

/* A callback returns this to stop ww_sysframe_feed() right after the message (the
 * caller cannot take more now: back-pressure); feed the rest of the bytes later. */
#define WW_SYSFRAME_PAUSE 1

typedef struct ww_sysframe_info {
    uint64_t offset;   /* stream offset of the frame's first byte (its count, if any) */
    uint64_t declared; /* octet counting: the count the sender gave; else 0 */
    unsigned flags;    /* WW_SYSFRAME_F_* */
    const char *note;  /* why a message was cut, or NULL; valid during the call */
} ww_sysframe_info_t;

/* Receives one message: msg[0..n) without its trailer, borrowed for the call only.
 * Returns 0 to go on, WW_SYSFRAME_PAUSE to stop after this message, or a negative
 * WW_E* to fail the connection (ww_sysframe_feed returns it). */
typedef int (*ww_sysframe_cb)(void *ud, const char *msg, size_t n, const ww_sysframe_info_t *info);

/* What a connection has sent so far. */
typedef struct ww_sysframe_stats {
    uint64_t bytes;     /* bytes consumed */
    uint64_t frames;    /* messages delivered */
    uint64_t octet;     /* ... of which octet-counted */
    uint64_t truncated; /* ... of which cut off (over the limit, or short at the end) */
    uint64_t empty;     /* empty frames skipped (a lone LF, CRLF or NUL) */
    uint64_t fallback;  /* digits not followed by a space: read as a LF-terminated message */
    uint64_t skipped;   /* bytes thrown away past the limit */
} ww_sysframe_stats_t;

typedef struct ww_sysframe ww_sysframe_t;

/* A parser for one connection.  mode: enum ww_sysframe_mode; max_frame: the longest
 * message kept (0 = WW_SYSFRAME_DEFAULT_MAX; WW_SYSFRAME_MIN_MAX..WW_SYSFRAME_MAX_MAX).
 * The parser never holds more than max_frame + 16 bytes.  0, WW_EINVAL or WW_ENOMEM;
 * the caller frees *out with ww_sysframe_free(). */
int ww_sysframe_new(int mode, size_t max_frame, ww_sysframe_t **out);
void ww_sysframe_free(ww_sysframe_t *f);

/* Feeds the next n bytes of the stream.  Every complete message in them is passed to
 * cb, in order; a partial one is kept for the next call.  Returns the number of bytes
 * consumed: n, or fewer when cb paused (feed the rest again later), or a negative
 * WW_E* with diag set ("byte N: why") when the connection must be closed; then every
 * later call fails the same way.  A message over the limit is not an error: it is
 * delivered cut off, flagged and counted, and the stream resynchronises. */
int64_t ww_sysframe_feed(ww_sysframe_t *f, const void *buf, size_t n, ww_sysframe_cb cb, void *ud,
                         ww_diag_t *diag);

/* The connection has ended: delivers a last message that had no trailer, or the part
 * received of an octet-counted one (flagged truncated).  0 or the callback's error. */
int ww_sysframe_finish(ww_sysframe_t *f, ww_sysframe_cb cb, void *ud, ww_diag_t *diag);

/* The counters so far; and the framing of the connection's first message
 * (WW_SYSFRAME_OCTET or WW_SYSFRAME_LF; WW_SYSFRAME_AUTO before any). */
const ww_sysframe_stats_t *ww_sysframe_stats(const ww_sysframe_t *f);
int ww_sysframe_first(const ww_sysframe_t *f);

/* One UDP datagram is one message: strips the trailing LF, CRLF or NUL bytes that
 * senders append, and an octet count before the PRI that counts exactly the rest (as
 * loggen --syslog-proto sends), and cuts it to max (0 = WW_SYSFRAME_DEFAULT_MAX).
 * *out borrows buf.
 * Returns 0, or WW_SYSFRAME_F_TRUNCATED when cut; an empty result (out->n == 0) is
 * for the caller to count and skip. */
int ww_sysframe_datagram(const void *buf, size_t n, size_t max, ww_str_t *out);

#endif
