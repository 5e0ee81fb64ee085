/* The server side of the Lumberjack v2 protocol (the Beats protocol: Winlogbeat's and
 * Filebeat's "Logstash" output): an incremental parser of what a client sends (window,
 * JSON, key/value data and compressed frames) and the encoding of the ack frame.  No
 * sockets: the network code feeds bytes as they arrive, receives each event and each
 * completed window through callbacks, and writes the ack once the window is durable.
 * docs/ingest.md has the wire format, the rules and the limits. */
#ifndef WW_LUMBERJACK_H
#define WW_LUMBERJACK_H

#include "util/ww_util.h"

/* Limits against what a client controls; 0 in a field means its default. */
typedef struct ww_lj_limits {
    uint32_t max_window;     /* events per window (default 65536) */
    size_t max_payload;      /* bytes of one event: JSON payload or key/value data (4 MiB) */
    size_t max_decompressed; /* bytes one compressed frame may inflate to (64 MiB); also the
                                largest compressed frame accepted */
    uint32_t max_pairs;      /* key/value pairs in one data frame (4096) */
} ww_lj_limits_t;

#define WW_LJ_DEFAULT_WINDOW 65536u
#define WW_LJ_DEFAULT_PAYLOAD ((size_t)4 << 20)
#define WW_LJ_DEFAULT_DECOMPRESSED ((size_t)64 << 20)
#define WW_LJ_DEFAULT_PAIRS 4096u

/* An event: its sequence number and its JSON text (borrowed for the call).  A 'J'
 * frame's payload is passed as sent, unchecked (the JSON decoder reports bad JSON);
 * a 'D' frame's pairs are passed as a JSON object of string members, in order.
 * Return 0, or a negative WW_E* to fail the connection. */
typedef int (*ww_lj_event_fn)(void *ud, uint32_t seq, const char *json, size_t n);
/* A window is complete: `count` events, the last with sequence number `last_seq`.
 * Once they are durable, send the ack for last_seq (ww_lj_ack()).  A window of 0
 * events is reported at once with count 0 and last_seq 0 (answer with an ack of 0,
 * as Logstash does).  A window filled inside a compressed frame is reported only once
 * that frame has inflated whole with a good checksum.  Acks must go out in window
 * order.  0, or a negative WW_E* to fail the connection. */
typedef int (*ww_lj_window_fn)(void *ud, uint32_t last_seq, uint32_t count);

typedef struct ww_lj_stats {
    uint64_t bytes;        /* bytes consumed */
    uint64_t events;       /* events delivered */
    uint64_t windows;      /* windows completed */
    uint64_t partial;      /* windows ended early by a new window frame */
    uint64_t compressed;   /* compressed frames */
    uint64_t decompressed; /* bytes they inflated to */
} ww_lj_stats_t;

typedef struct ww_lj ww_lj_t;

/* A parser for one connection; lim may be NULL (defaults).  0, WW_EINVAL (a limit out of
 * range) or WW_ENOMEM; free *out with ww_lj_free(). */
int ww_lj_new(const ww_lj_limits_t *lim, ww_lj_t **out);
void ww_lj_free(ww_lj_t *p);

/* Feeds the next n bytes of the connection; every event and window they complete is
 * passed to the callbacks, in order, and a partial frame is kept for the next call
 * (at most max_payload bytes, plus the inflater's fixed state).  Returns 0, or a
 * negative WW_E* with diag set ("byte N: why", and inside a compressed frame also the
 * offset in its inflated data): the connection must be closed (the protocol has no
 * way to resynchronise), and every later call fails the same way. */
int ww_lj_feed(ww_lj_t *p, const void *buf, size_t n, ww_lj_event_fn on_event,
               ww_lj_window_fn on_window, void *ud, ww_diag_t *diag);

/* The connection has ended.  0 when it ended between frames (an open window's events
 * are then simply not acknowledged: the client sends them again), WW_ETRUNC with diag
 * set when it ended inside a frame. */
int ww_lj_finish(ww_lj_t *p, ww_diag_t *diag);

/* Writes the 6-byte ack frame for seq ('2' 'A' seq, big-endian; '1' 'A' when the
 * window came in a version 1 frame) to out.  Returns 6. */
size_t ww_lj_ack(const ww_lj_t *p, uint32_t seq, uint8_t out[6]);

const ww_lj_stats_t *ww_lj_stats(const ww_lj_t *p);
/* The bytes the parser holds now (its buffers, the inflater's state and output
 * buffer): what a server charges against its memory limit for the connection. */
size_t ww_lj_memory(const ww_lj_t *p);

#endif
