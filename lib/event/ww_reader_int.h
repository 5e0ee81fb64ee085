/* Private contract between the reader (ww_reader.c) and the format decoders
 * (ww_evtx.c, ww_json.c, ww_syslog.c, ww_zeek.c).  The reader owns the input bytes a
 * decoder sees: a whole file mapped, or one window of a stream (standard input, a
 * pipe, a decompressed file), so decoders can hand out zero-copy slices. */
#ifndef WW_READER_INT_H
#define WW_READER_INT_H

#include <pthread.h>

#include "event/ww_event.h"

typedef struct ww_decoder_ops {
    const char *name;
    /* Sets up r->state for the input r->buf[0..r->len).  0 or WW_E* with diag. */
    int (*open)(ww_reader_t *r, ww_diag_t *diag);
    /* Same contract as ww_reader_next(): 1 event, 0 end, <0 bad record.  The decoder
       advances r->index for every record it consumes (good or bad) and r->off. */
    int (*next)(ww_reader_t *r, ww_event_t *ev, ww_diag_t *diag);
    /* Frees r->state; must accept a half-opened reader. */
    void (*close)(ww_reader_t *r);
} ww_decoder_ops_t;

struct ww_reader {
    char name[256];     /* path or label, for diagnostics */
    const uint8_t *buf; /* the whole input */
    size_t len;
    void *owned;  /* malloc'd copy to free, or NULL */
    void *mapped; /* mmap'd region to unmap, or NULL */
    size_t mapped_len;
    int fmt;          /* enum ww_format */
    uint64_t index;   /* records consumed so far; the last one is index - 1 */
    uint64_t off;     /* bytes consumed so far */
    bool done;        /* set after a fatal error: next returns 0 */
    uint64_t dropped; /* mapped bytes [0,dropped) released (page-aligned) */
    /* Bytes before buf that precede this input in the same stream and may be read
       (buf - lookback .. buf): a range of a file, or a window of a stream, sets it so
       that a decoder can recover context (an sshd session's address) from the lines
       just before its start.  Decoders that use it look back at most
       WW_READER_LOOKBACK bytes, whatever lookback says. */
    size_t lookback;
    const ww_decoder_ops_t *ops;
    void *state; /* the decoder's own */
    /* Lines of the whole input before buf[0] (a window of a stream), added by
       ww_reader_next to the line of every diagnostic the decoder reports. */
    int64_t line_base;
    /* Newlines of a mapped file counted as its pages are released (they are still
       resident then): [0, nl_pos) holds nl_count of them and the last one ends at
       nl_last.  A decoder that numbers lines lazily starts from (nl_last, nl_count+1)
       instead of the start of the buffer, so a late error does not read back every
       released page. */
    uint64_t nl_pos, nl_count, nl_last;
    /* Streamed input (standard input, pipes, compressed files): the source and the
       window being assembled (ww_reader.c), the window being decoded by
       ww_reader_next, and the records of the windows before it. */
    struct ww_stream *stream;
    struct ww_reader *win;
    uint64_t win_index;
    /* A window: the stream offset of its first new byte, and how many bytes replayed
       from before (a Zeek header, the EVTX file header) precede it in buf. */
    uint64_t win_off;
    size_t win_prefix;
    bool incomplete; /* the input could not be read to its end (see ww_reader_incomplete) */
    /* A range reader (ww_reader_open_range).  An EVTX range sees its parent's whole
       input up to the range's end and starts at r->off, a chunk boundary, so that its
       diagnostics name the chunks and offsets of the whole input. */
    bool range;
    /* A range reader's parent (borrowed), and the parent's pool of decoder states
       that its ranges hand on to each other (see ww__spool_t). */
    const struct ww_reader *parent;
    struct ww__spool *spool;
};

/* Decoder states that range readers of one parent pass on: a range opened per EVTX
 * chunk takes over the caches (~70 KiB of zeroed tables, its arena, its scratch
 * vectors) of a range closed before, instead of allocating and zeroing its own.  Locked:
 * ranges of one parent are opened and closed on several threads.  Created by the
 * decoder's open of the parent; freed with the parent, which outlives its ranges. */
#define WW__SPOOL_MAX 16
typedef struct ww__spool {
    pthread_mutex_t mu;
    void *v[WW__SPOOL_MAX];
    unsigned n;
    void (*free_state)(void *state);
} ww__spool_t;

ww__spool_t *ww__spool_new(void (*free_state)(void *));
void ww__spool_free(ww__spool_t *p);
/* A state put back by an earlier range, or NULL. */
void *ww__spool_take(ww__spool_t *p);
/* Keeps st for a later range; false when the pool is full (the caller frees st). */
bool ww__spool_give(ww__spool_t *p, void *st);

#define WW_READER_LOOKBACK ((size_t)64 << 10)

extern const ww_decoder_ops_t ww_evtx_ops;
extern const ww_decoder_ops_t ww_json_ops;
extern const ww_decoder_ops_t ww_syslog_ops; /* also used for WW_FMT_TEXT */
extern const ww_decoder_ops_t ww_zeek_ops;   /* Zeek TSV (ww_zeek.c) */

/* Sizes of a stream's reads, windows and largest record (0: the defaults) and, for
 * tests and fuzzing, a memory source instead of a file descriptor. */
typedef struct ww__stream_opts {
    size_t block, window, max_record;
    const void *mem;
    size_t mem_len;
} ww__stream_opts_t;
/* Opens a streamed reader over fd (borrowed: not closed), or over o->mem when set;
 * as ww_reader_open otherwise. */
int ww__reader_open_stream(const char *name, int fd, const ww__stream_opts_t *o, int fmt,
                           ww_reader_t **out, ww_diag_t *diag);

/* Gives a range reader (ww_reader_open_range) its parent's reference time for
 * year-less timestamps, so every range dates lines as the whole file would. */
void ww__syslog_inherit(ww_reader_t *dst, const ww_reader_t *src);

/* Normalised fields for network-sensor records, shared by the Zeek TSV decoder and the
 * JSON profiles (ww_zeek.c).  `path` is the Zeek log name ("conn", "dns", ...; may be
 * empty when unknown) and must stay valid until the next reset.  Sets ev->product,
 * ev->service and ev->ts (from `ts`, unless already set) and adds src_ip, src_port,
 * dst_ip, dst_port and, for ntlm/kerberos, the authentication fields.  0 or WW_E*. */
int ww__zeek_finish(ww_event_t *ev, ww_str_t path);
/* The same for a Suricata EVE record whose fields are already added: product
 * suricata, service = event_type, dst_ip/dst_port, proto lowercased.  0 or WW_E*. */
int ww__suricata_finish(ww_event_t *ev);

#endif
