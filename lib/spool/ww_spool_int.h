/* The spool's on-disk format and its internal state, shared by ww_spool.c (the
 * runtime), ww_spool_fmt.c (encoding, checking and scanning records) and the tests.
 *
 * A segment file, named after its first sequence number (%020llu.seg):
 *
 *   segment header, 64 bytes, little-endian
 *     0  "WWSPOOL\0"   magic
 *     8  u32 version   1
 *    12  u32 hdr_len   64
 *    16  u64 spool_id  the spool's identity (also salts every record checksum)
 *    24  u64 first_seq sequence number of the segment's first record
 *    32  i64 created   ns since the epoch
 *    40  20 bytes      zero
 *    60  u32 crc       CRC32C of bytes 0..60
 *   then records, each starting on an 8-byte boundary:
 *     0  u32 crc       CRC32C over spool_id (8 bytes, LE), then the source and
 *                      payload bytes, then header bytes 4..32 (this order lets the
 *                      payload be summed before the sequence number is known)
 *     4  u32 len       32 + source_n + payload_n (padding not included)
 *     8  u64 seq
 *    16  i64 arrival   ns since the epoch
 *    24  u16 source_n
 *    26  u16 flags     0
 *    28  u32 payload_n
 *    32  source bytes, payload bytes, zero padding to the next multiple of 8
 *
 * The checkpoint file ("checkpoint"): two 512-byte slots, written in turn, each
 *     0  "WWCKPT1\0"   8  u64 spool_id   16  u64 processed_seq   24 u32 0   28 u32 crc
 * (crc: CRC32C of bytes 0..28; the rest of the slot is zero).  A checkpoint overwrites
 * the older slot and syncs; opening takes the valid slot with the higher number.  A
 * torn write spoils only the slot being written, so the previous checkpoint survives;
 * and the file never needs a new block, so checkpoints (and so segment deletion) work
 * on a full disk.
 *
 * Within a segment, sequence numbers are consecutive; between segments they only
 * increase (a torn tail cut off at open leaves a gap).  The salt means a record found
 * by resynchronisation after damage is one this spool wrote, not bytes inside some
 * payload that happen to look like a record. */
#ifndef WW_SPOOL_INT_H
#define WW_SPOOL_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "spool/ww_spool.h"

#define SPOOL_SEG_MAGIC "WWSPOOL"
#define SPOOL_CKPT_MAGIC "WWCKPT1"
#define SPOOL_VERSION 1u
#define SPOOL_SEG_HDR 64u
#define SPOOL_REC_HDR 32u
#define SPOOL_CKPT_LEN 32u
#define SPOOL_CKPT_SLOT 512u
#define SPOOL_ALIGN 8u
#define SPOOL_MAX_DAMAGE 16u /* damaged ranges a segment report lists one by one */

static inline uint64_t ww__spool_pad(uint64_t n)
{
    return (n + SPOOL_ALIGN - 1) & ~(uint64_t)(SPOOL_ALIGN - 1);
}

/* ---- CRC32C (Castagnoli), with the SSE4.2 instruction when the CPU has it ---- */

/* Continues a CRC32C over p[0..n): start with 0 (the pre- and post-inversion are done
 * inside, so calls chain: crc(crc(0, a), b) == crc(0, a || b)). */
uint32_t ww__spool_crc32c(uint32_t crc, const void *p, size_t n);
/* The same without the instruction, so tests can compare the two. */
uint32_t ww__spool_crc32c_sw(uint32_t crc, const void *p, size_t n);

/* ---- little-endian fields ---- */

static inline void ww__put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void ww__put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static inline void ww__put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint16_t ww__get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t ww__get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t ww__get64(const uint8_t *p)
{
    return (uint64_t)ww__get32(p) | (uint64_t)ww__get32(p + 4) << 32;
}

/* ---- encoding and checking ---- */

void ww__spool_seg_header(uint8_t out[SPOOL_SEG_HDR], uint64_t spool_id, uint64_t first_seq,
                          int64_t created_ns);
/* Checks a segment header; 0 and the two numbers, or WW_EPARSE with *why set. */
int ww__spool_seg_header_check(const uint8_t *p, size_t n, uint64_t *spool_id, uint64_t *first_seq,
                               const char **why);

/* The checksum of a record's source and payload, computable before its sequence number
 * is known (outside the spool's lock). */
uint32_t ww__spool_body_crc(uint64_t spool_id, const char *src, size_t src_n, const void *payload,
                            size_t payload_n);
/* Fills the 32-byte header of a record, finishing body_crc. */
void ww__spool_rec_header(uint8_t out[SPOOL_REC_HDR], uint32_t body_crc, uint64_t seq,
                          int64_t arrival_ns, uint16_t src_n, uint32_t payload_n);

void ww__spool_ckpt_encode(uint8_t out[SPOOL_CKPT_LEN], uint64_t spool_id, uint64_t seq);
int ww__spool_ckpt_decode(const uint8_t *p, size_t n, uint64_t *spool_id, uint64_t *seq);

/* Checks the record at p[off..end): whole, sane, checksum right.  Returns its padded
 * length and fills *rec (slices into p), or 0 with *why saying what is wrong. */
uint64_t ww__spool_rec_check(const uint8_t *p, uint64_t end, uint64_t off, uint64_t spool_id,
                             ww_spool_rec_t *rec, char *why, size_t why_n);

/* After damage at `from`: the first 8-aligned offset in (from, end) holding a valid
 * record whose seq is above after_seq and could follow it (at most one more than the
 * number of records the skipped bytes could hold).  Returns end when there is none. */
uint64_t ww__spool_resync(const uint8_t *p, uint64_t end, uint64_t from, uint64_t spool_id,
                          uint64_t after_seq);

/* What checking a whole segment found. */
typedef struct ww__spool_damage {
    uint64_t off, len;
    char why[112];
} ww__spool_damage_t;

typedef struct ww__spool_scan {
    uint64_t nrecords;  /* valid records */
    uint64_t last_seq;  /* of the last valid record; first_seq - 1 when none */
    uint64_t valid_end; /* end (padded) of the last valid record */
    uint32_t ndamage;   /* damaged ranges between valid records */
    ww__spool_damage_t damage[SPOOL_MAX_DAMAGE];
    bool tail_damage; /* bytes after the last valid record that are no record */
    ww__spool_damage_t tail;
} ww__spool_scan_t;

/* Checks every record of a segment image p[0..n) whose header was already checked. */
void ww__spool_scan(const uint8_t *p, uint64_t n, uint64_t spool_id, uint64_t first_seq,
                    ww__spool_scan_t *out);

/* ---- SHA-256 (for stable alert ids) ---- */

void ww__spool_sha256(const void *p, size_t n, uint8_t out[32]);

#endif
