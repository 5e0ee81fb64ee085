/* The on-disk spool: where `serve` puts every received event before it acknowledges
 * it.  A spool is a directory of bounded segment files holding checksummed records,
 * each with a sequence number.  Inputs append records from many threads; a group
 * commit (one fdatasync for many records) makes them durable, and only then may the
 * input acknowledge them; one consumer replays durable records in order and records
 * how far it has processed with a checkpoint that survives crashes.  Segments whose
 * records are all processed are deleted (or kept a while as history, for a consumer
 * that replays processed records after a restart: retain_bytes); damaged segments are moved to
 * quarantine/ with a report.  No sockets here: this is the durability core that inputs and the
 * pipeline build on.  docs/serve.md ("Durability") states the promise it keeps.
 *
 * Locking: one mutex guards the segment list, the sequence counters and the write
 * position; appends write their bytes while holding it (so records lie in the file in
 * sequence order and a commit can take a consistent snapshot).  A commit takes the
 * snapshot under the mutex, then calls fdatasync without it, so appends go on while
 * the disk works: that is the group commit.  Commits are serialised among themselves.
 * The consumer calls (ww_spool_next, ww_spool_checkpoint) must come from one thread
 * at a time; they read the segment files through their own read-only mappings and take
 * the mutex only to look at the list.  Everything else may be called from any thread. */
#ifndef WW_SPOOL_H
#define WW_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/ww_util.h"

/* ww_spool_append returns this when a record cannot be accepted now because the
 * spool has reached its configured size or the disk is full (ENOSPC): the input
 * should apply back-pressure and try again later.  It is the only failure that
 * means "full"; the counters say which of the two it was. */
#define WW_SPOOL_EFULL WW_ELIMIT

/* Hard limits, whatever the configuration says. */
#define WW_SPOOL_MAX_SOURCE 1024u               /* bytes of source tag per record */
#define WW_SPOOL_MAX_RECORD (64u * 1024 * 1024) /* payload bytes per record */

typedef struct ww_spool ww_spool_t;

/* What to build a spool with.  Zero fields take the default shown. */
typedef struct ww_spool_config {
    const char *dir;        /* the spool directory; created (0700) if missing */
    uint64_t max_bytes;     /* cap on live segment bytes on disk (default 1 GiB) */
    uint64_t segment_bytes; /* a segment is closed once it would pass this (64 MiB);
                               must leave room for two segments under max_bytes */
    uint32_t max_record;    /* largest payload accepted (1 MiB, or less to fit a
                               small segment; at most WW_SPOOL_MAX_RECORD) */
    /* Group commit by a background thread: commits start at most every
     * commit_interval_us (sooner once commit_records records wait), and at once for
     * a record arriving after a quiet spell; records appended while a sync runs share
     * the next one.  With commit_interval_us == 0 no thread runs and the caller
     * commits (ww_spool_commit, or ww_spool_wait_durable does it). */
    uint32_t commit_interval_us;
    uint32_t commit_records; /* default 1024 when the thread runs */
    /* Called by whoever commits, after each commit that advanced the durable point,
     * with the new "durable through" sequence number; in order, never two at once,
     * without the spool's mutex held.  It may append or read the counters, but not
     * call ww_spool_commit or ww_spool_wait_durable (they would wait for it).  Keep it
     * short: it delays the next commit. */
    void (*on_durable)(void *ud, uint64_t durable_seq);
    void *ud;
    /* History: processed segments are kept, newest first, up to this many bytes
     * (counted in max_bytes; at most half of it), for ww_spool_history.  0, the
     * default: a segment is deleted once processed. */
    uint64_t retain_bytes;
} ww_spool_config_t;

/* One record to append: borrowed by the call, copied to disk. */
typedef struct ww_spool_in {
    const char *source; /* which input and sender, e.g. "syslog-tcp 10.0.0.5" */
    size_t source_n;    /* <= WW_SPOOL_MAX_SOURCE */
    const void *payload;
    size_t payload_n;   /* <= config max_record */
    int64_t arrival_ns; /* ns since the epoch; 0 = now */
} ww_spool_in_t;

/* One replayed record.  The slices point into the spool's read-only mapping of the
 * segment and stay valid until the next ww_spool_next or ww_spool_free. */
typedef struct ww_spool_rec {
    uint64_t seq;
    int64_t arrival_ns;
    ww_str_t source;
    ww_str_t payload;
} ww_spool_rec_t;

/* Counters for /metrics and `wardwatch status`.  "since open" counters start at 0 on
 * each ww_spool_open; the others describe the spool as it is. */
typedef struct ww_spool_stats {
    uint64_t bytes;                /* live segment bytes on disk (quarantine not counted) */
    uint64_t max_bytes;            /* the cap */
    uint32_t segments;             /* live segment files */
    bool full;                     /* the last append was refused for lack of room */
    uint64_t appended_seq;         /* last sequence number handed out */
    uint64_t durable_seq;          /* every record up to here is on disk and synced */
    uint64_t processed_seq;        /* the consumer's checkpoint */
    uint64_t records_appended;     /* since open */
    uint64_t records_durable;      /* since open: records made durable by commits */
    uint64_t records_replayed;     /* since open: records handed to the consumer */
    uint64_t records_processed;    /* since open: records covered by checkpoints */
    uint64_t bytes_appended;       /* since open */
    uint64_t commits;              /* since open: commits that synced something */
    uint64_t fsyncs;               /* since open: fdatasync/fsync calls (files and dir) */
    uint64_t checkpoints;          /* since open: checkpoint files written */
    uint64_t full_refusals;        /* since open: appends refused, spool at its cap */
    uint64_t enospc_refusals;      /* since open: appends refused, disk full */
    uint64_t quarantined_segments; /* since open: segments moved to quarantine/ */
    uint64_t damaged_regions;      /* since open: unreadable byte ranges skipped */
    uint64_t torn_tails;           /* since open: incomplete tail writes cut off at open */
    uint64_t torn_bytes;           /* since open: bytes cut off with them */
    uint64_t segments_deleted;     /* since open: fully processed segments removed */
    uint64_t retained_bytes;       /* processed segments kept for ww_spool_history */
} ww_spool_stats_t;

/* Opens (or creates) the spool in cfg->dir, checks every segment, cuts off a torn
 * tail, quarantines damaged segments and positions the reader after the checkpoint.
 * Takes an exclusive lock on the directory: one process per spool.  Returns 0 and
 * *out (free with ww_spool_free), or WW_EINVAL (bad configuration), WW_EIO (the
 * directory cannot be used, or another process holds it), WW_ENOMEM; the
 * diagnostic says which file and why. */
int ww_spool_open(const ww_spool_config_t *cfg, ww_spool_t **out, ww_diag_t *diag);

/* Stops the commit thread, commits what was appended, unmaps and closes.  NULL is a
 * no-op.  Records that were never made durable by then are not acknowledged. */
void ww_spool_free(ww_spool_t *sp);

/* Appends one record; *seq_out (may be NULL) gets its sequence number.  The record is
 * accepted, not yet durable: acknowledge it once ww_spool_durable_seq() >= seq.
 * Returns 0, WW_SPOOL_EFULL (cap reached or disk full: back off and retry),
 * WW_EINVAL (too large), or WW_EIO (the spool failed a sync and must be reopened). */
int ww_spool_append(ww_spool_t *sp, const ww_spool_in_t *rec, uint64_t *seq_out);

/* Appends n records with consecutive sequence numbers in one write: all or none.
 * *last_seq_out gets the last one's; the first is last - n + 1. */
int ww_spool_append_batch(ww_spool_t *sp, const ww_spool_in_t *recs, size_t n,
                          uint64_t *last_seq_out);

/* Records built in place for one append: laid out in memory as they will lie in the
 * segment (headers, source, payload, padding), so that ww_spool_append_built writes
 * them with one write, and the checksum over a sender's source is computed once, not
 * per record.  For an input that gathers many small messages (syslog over TCP). */
typedef struct ww_spool_batch {
    ww_buf_t buf;  /* the records */
    ww_buf_t crcs; /* each record's body checksum, finished when stamped */
    uint32_t n;    /* records in buf */
    /* The checksum state after (spool id, source) of the last source seen. */
    uint64_t crc_id;
    size_t crc_src_n;
    uint32_t crc_state;
    char crc_src[128];
} ww_spool_batch_t;

void ww_spool_batch_init(ww_spool_batch_t *b);
/* Adds one record (copied) to the batch.  0, WW_EINVAL (source or payload too large
 * for sp, or the batch would no longer fit one segment: append it first), WW_ENOMEM. */
int ww_spool_batch_add(ww_spool_batch_t *b, const ww_spool_t *sp, const char *source,
                       size_t source_n, const void *payload, size_t payload_n);
/* Empties the batch, keeping its memory; release frees it. */
void ww_spool_batch_clear(ww_spool_batch_t *b);
void ww_spool_batch_release(ww_spool_batch_t *b);
/* Appends the batch's records with consecutive sequence numbers in one write, as
 * ww_spool_append_batch does (same returns; all or none).  The batch is left as it
 * is: clear it after success; after WW_SPOOL_EFULL it can be appended again. */
int ww_spool_append_built(ww_spool_t *sp, ww_spool_batch_t *b, uint64_t *last_seq_out);

/* Makes every record appended before the call durable (fdatasync of the segments
 * written since the last commit, and of the directory when a segment was created).
 * Concurrent callers share one sync.  Returns 0 and the durable point in *durable_out
 * (may be NULL), or WW_EIO: a failed sync is not retried (the kernel forgets the error
 * after reporting it once), the spool refuses appends from then on and must be
 * reopened; records not yet durable are never acknowledged. */
int ww_spool_commit(ww_spool_t *sp, uint64_t *durable_out);

/* Every record with seq <= this is durable. */
uint64_t ww_spool_durable_seq(ww_spool_t *sp);

/* Waits until record `seq` is durable (committing itself when no commit thread runs).
 * Returns 1 when durable, 0 when timeout_ms (-1 = forever) passed first, WW_EIO when
 * the spool failed. */
int ww_spool_wait_durable(ww_spool_t *sp, uint64_t seq, int timeout_ms);

/* The consumer: hands out the next durable record after the checkpoint, in sequence
 * order, skipping damaged bytes.  Returns 1 and *rec, 0 when nothing durable is left
 * to read now, or a negative WW_E* code. */
int ww_spool_next(ww_spool_t *sp, ww_spool_rec_t *rec);

/* Waits up to timeout_ms (-1 = forever) until ww_spool_next has something to return.
 * Returns 1 when it has, 0 on timeout. */
int ww_spool_wait_readable(ww_spool_t *sp, int timeout_ms);

/* The consumer has fully processed every record up to seq (it must have been handed
 * out by ww_spool_next).  Writes the checkpoint durably and atomically (temporary
 * file, fdatasync, rename, directory fsync), then deletes segments whose records are
 * all processed.  Returns 0, WW_EINVAL (seq not yet handed out), or WW_EIO. */
int ww_spool_checkpoint(ww_spool_t *sp, uint64_t seq);

/* History (config retain_bytes): processed segments whose records all precede `seq`
 * are no longer needed and go at the next checkpoint; the others stay, within
 * retain_bytes.  Until it is called every processed segment within retain_bytes
 * stays. */
void ww_spool_retain(ww_spool_t *sp, uint64_t seq);

/* The consumer's thread, like ww_spool_next: hands fn, in sequence order, every kept
 * record from from_seq through the checkpoint (records already processed), skipping
 * damaged bytes.  rec's slices are valid during the call only.  Returns 0, fn's
 * non-zero return (which stops the walk), or WW_EIO / WW_ENOMEM. */
typedef int (*ww_spool_history_fn)(void *ud, const ww_spool_rec_t *rec);
int ww_spool_history(ww_spool_t *sp, uint64_t from_seq, ww_spool_history_fn fn, void *ud);

/* A consistent copy of the counters. */
void ww_spool_stats(ww_spool_t *sp, ww_spool_stats_t *out);

/* The spool's identity: a random number chosen when the directory was first used,
 * kept in every segment and the checkpoint.  Sequence numbers are unique within it. */
uint64_t ww_spool_id(const ww_spool_t *sp);

/* ---- stable alert ids ------------------------------------------------------------ */

#define WW_ALERT_ID_LEN 32 /* hex characters, without the NUL */

/* A stable id for an alert: the first 128 bits of SHA-256 over the rule id, the source
 * and the event's position, each length-prefixed so that no two different triples
 * give the same input, rendered as 32 lowercase hex characters plus a NUL in out.
 * The same alert replayed after a crash gets the same id, so a store or notifier can
 * refuse it the second time.  For spooled events, make the position with
 * ww_spool_position (spool id and sequence number); for files, use path and offset. */
void ww_spool_alert_id(const char *rule_id, size_t rule_n, const char *source, size_t source_n,
                       const void *pos, size_t pos_n, char out[WW_ALERT_ID_LEN + 1]);

/* Writes the 16-byte position of record seq of this spool (spool id and sequence
 * number, big-endian) to out, for ww_spool_alert_id. */
void ww_spool_position(const ww_spool_t *sp, uint64_t seq, uint8_t out[16]);

#endif
