/* Native EVTX decoder: walks the file header, every 64 KiB chunk that carries the
 * "ElfChnk" signature (also past the header's chunk count: dirty files and carved
 * data have more), and the event records inside each chunk, handing each record's
 * BinXML to ww_evtx_binxml.c.  Damage is reported one problem at a time with the
 * chunk, record id and file offset, and reading goes on with the next record or chunk;
 * a file that ends early returns the complete records first, then WW_ETRUNC. */
#include "event/ww_evtx_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define EVTX_CRC_CLMUL 1 /* a carry-less multiply path, used when the CPU has one */
#endif

/* 100 ns ticks between 1601-01-01 and 1970-01-01. */
#define FILETIME_UNIX_EPOCH 116444736000000000ull

/* ---- CRC-32 (IEEE 802.3, as the chunk and file headers use) ----------------------- */

/* Slice-by-8 tables, built once per process. */
static uint32_t crc_tab[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;
#ifdef EVTX_CRC_CLMUL
static bool crc_have_clmul;
#endif

static void crc_init(void)
{
    uint32_t(*t)[256] = crc_tab;
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        t[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int k = 1; k < 8; k++)
            t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFF];
#ifdef EVTX_CRC_CLMUL
    __builtin_cpu_init();
    crc_have_clmul = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
#endif
}

/* Continues a CRC over p[0..n) with the tables; start with 0xFFFFFFFF and invert at
 * the end. */
static uint32_t crc_table(uint32_t c, const uint8_t *p, size_t n)
{
    const uint32_t(*t)[256] = crc_tab;
    while (n >= 8) {
        c ^= evtx_u32(p);
        uint32_t hi = evtx_u32(p + 4);
        c = t[7][c & 0xFF] ^ t[6][(c >> 8) & 0xFF] ^ t[5][(c >> 16) & 0xFF] ^ t[4][c >> 24] ^
            t[3][hi & 0xFF] ^ t[2][(hi >> 8) & 0xFF] ^ t[1][(hi >> 16) & 0xFF] ^ t[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    while (n--)
        c = t[0][(c ^ *p++) & 0xFF] ^ (c >> 8);
    return c;
}

#ifdef EVTX_CRC_CLMUL
/* The same CRC by carry-less multiplication (PCLMULQDQ), about ten times the table
 * speed: the data CRC covers every chunk's records (a third of a GB for 200,000
 * records) and the table loop was a tenth of the EVTX decode time.  This is the
 * folding method of Intel's white paper "Fast CRC Computation for Generic
 * Polynomials Using PCLMULQDQ Instruction" for the bit-reflected polynomial
 * 0x104C11DB7: four 128-bit lanes are folded forward 64 bytes at a time, then into
 * one lane, then reduced to 32 bits (Barrett).  The constants are x^k mod P for the
 * fold distances (k = 4*128+32 and 4*128-32 for 64-byte folds, 128+32 and 128-32
 * for 16-byte folds, 64 for the last 64 bits), bit-reflected; the last pair is P and
 * the Barrett quotient floor(x^64 / P).  n must be a multiple of 16, at least 64. */
__attribute__((target("pclmul,sse4.1"))) static uint32_t crc_clmul(uint32_t c, const uint8_t *p,
                                                                   size_t n)
{
    const __m128i k_fold4 = _mm_set_epi64x(0x01c6e41596LL, 0x0154442bd4LL);
    const __m128i k_fold1 = _mm_set_epi64x(0x00ccaa009eLL, 0x01751997d0LL);
    const __m128i k_last = _mm_set_epi64x(0, 0x0163cd6124LL);
    const __m128i k_poly = _mm_set_epi64x(0x01f7011641LL, 0x01db710641LL);
    const __m128i low32 = _mm_set_epi32(0, -1, 0, -1);
    __m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
    __m128i d = _mm_loadu_si128((const __m128i *)(const void *)(p + 32));
    __m128i f = _mm_loadu_si128((const __m128i *)(const void *)(p + 48));
    a = _mm_xor_si128(a, _mm_cvtsi32_si128((int)c));
    p += 64;
    n -= 64;
#define CRC_FOLD(x, k, next) \
    x = _mm_xor_si128(       \
        _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11)), (next))
    while (n >= 64) {
        CRC_FOLD(a, k_fold4, _mm_loadu_si128((const __m128i *)(const void *)p));
        CRC_FOLD(b, k_fold4, _mm_loadu_si128((const __m128i *)(const void *)(p + 16)));
        CRC_FOLD(d, k_fold4, _mm_loadu_si128((const __m128i *)(const void *)(p + 32)));
        CRC_FOLD(f, k_fold4, _mm_loadu_si128((const __m128i *)(const void *)(p + 48)));
        p += 64;
        n -= 64;
    }
    CRC_FOLD(a, k_fold1, b);
    CRC_FOLD(a, k_fold1, d);
    CRC_FOLD(a, k_fold1, f);
    while (n >= 16) {
        CRC_FOLD(a, k_fold1, _mm_loadu_si128((const __m128i *)(const void *)p));
        p += 16;
        n -= 16;
    }
#undef CRC_FOLD
    /* 128 bits -> 64 -> 32. */
    __m128i t = _mm_clmulepi64_si128(a, k_fold1, 0x10);
    a = _mm_xor_si128(_mm_srli_si128(a, 8), t);
    t = _mm_srli_si128(a, 4);
    a = _mm_xor_si128(_mm_clmulepi64_si128(_mm_and_si128(a, low32), k_last, 0x00), t);
    t = _mm_clmulepi64_si128(_mm_and_si128(a, low32), k_poly, 0x10);
    t = _mm_clmulepi64_si128(_mm_and_si128(t, low32), k_poly, 0x00);
    a = _mm_xor_si128(a, t);
    return (uint32_t)_mm_extract_epi32(a, 1);
}
#endif

/* Continues a CRC over p[0..n); start with 0xFFFFFFFF and invert at the end. */
static uint32_t crc_update(uint32_t c, const uint8_t *p, size_t n)
{
#ifdef EVTX_CRC_CLMUL
    if (crc_have_clmul && n >= 64) {
        size_t m = n & ~(size_t)15;
        c = crc_clmul(c, p, m);
        p += m;
        n -= m;
    }
#endif
    return crc_table(c, p, n);
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* ---- open / close -------------------------------------------------------------- */

static void state_free(void *p)
{
    evtx_state_t *st = p;
    if (!st)
        return;
    ww_arena_release(&st->carena);
    free(st->names);
    free(st->tmpls);
    free(st->tmp[0].v);
    free(st->tmp[1].v);
    free(st->pieces);
    free(st);
}

static void evtx_close(ww_reader_t *r)
{
    evtx_state_t *st = r->state;
    r->state = NULL;
    /* A range's caches go to the next range of its parent (ww__spool_t), with no
       more chunk memory than a usual chunk needs: a chunk that took much more (up to
       EVTX_CHUNK_ARENA_CAP) must not leave it held in the pool. */
    if (st && st->names && st->tmpls && r->parent && r->parent->spool) {
        ww_arena_trim(&st->carena, EVTX_POOL_ARENA_KEEP);
        if (ww__spool_give(r->parent->spool, st))
            return;
    }
    state_free(st);
}

/* A state handed on by an earlier range, as a new one: its caches emptied by a new
   generation (what zeroing them would do), everything else zeroed. */
static evtx_state_t *state_reuse(evtx_state_t *old)
{
    evtx_state_t keep = *old;
    memset(old, 0, sizeof *old);
    old->names = keep.names;
    old->tmpls = keep.tmpls;
    old->carena = keep.carena;
    old->tmp[0] = (evtx_opvec_t){keep.tmp[0].v, 0, keep.tmp[0].cap};
    old->tmp[1] = (evtx_opvec_t){keep.tmp[1].v, 0, keep.tmp[1].cap};
    old->pieces = keep.pieces;
    old->pieces_cap = keep.pieces_cap;
    old->gen = keep.gen;
    ww__evtx_chunk_reset(old); /* a new generation; the arena reset */
    return old;
}

static int evtx_open(ww_reader_t *r, ww_diag_t *diag)
{
    if (r->len < 8 || memcmp(r->buf, "ElfFile\0", 8) != 0) {
        ww_diag_set(diag, r->name, 0, 0, "not an EVTX file: no \"ElfFile\" signature");
        return WW_EPARSE;
    }
    evtx_state_t *st = r->parent && r->parent->spool ? ww__spool_take(r->parent->spool) : NULL;
    if (st) {
        r->state = state_reuse(st);
    } else {
        if (!(st = calloc(1, sizeof *st)))
            goto nomem;
        r->state = st;
        st->names = calloc(EVTX_NAME_SLOTS, sizeof *st->names);
        st->tmpls = calloc(EVTX_TMPL_SLOTS, sizeof *st->tmpls);
        if (!st->names || !st->tmpls)
            goto nomem;
        ww_arena_init(&st->carena, 32 * 1024, EVTX_CHUNK_ARENA_CAP);
        st->gen = 1; /* zeroed slots carry generation 0: empty */
    }
    pthread_once(&crc_once, crc_init);
    /* A reader whose ranges may be opened: the pool they pass their states on in (none
       if it cannot be made: each range then has its own). */
    if (!r->range && !r->spool)
        r->spool = ww__spool_new(state_free);
    /* A range starts at a chunk boundary (ww_reader_open_range checked it). */
    if (r->off > EVTX_FILE_HEADER_SIZE)
        st->chunk_no = (uint32_t)((r->off - EVTX_FILE_HEADER_SIZE) / EVTX_CHUNK_SIZE);
    /* A window of a stream, or a range of one: its chunks start win_off - 4096 bytes
       into the stream (ww_reader.c). */
    if (r->win_prefix == EVTX_FILE_HEADER_SIZE && r->win_off > EVTX_FILE_HEADER_SIZE)
        st->shown_off = r->win_off - EVTX_FILE_HEADER_SIZE;
    /* The whole input's header is checked once: by its own reader (or a stream's first
       window), not by each range or window. */
    if (r->len >= 128 && !r->range && st->shown_off == 0) {
        uint32_t c = ~crc_update(0xFFFFFFFFu, r->buf, 120);
        if (c != evtx_u32(r->buf + 124))
            WW_LOG(WW_LOG_WARN,
                   "%s: EVTX file header checksum mismatch; reading the chunks "
                   "anyway",
                   r->name);
    }
    return 0;
nomem:
    evtx_close(r);
    ww_diag_set(diag, r->name, 0, 0, "out of memory");
    return WW_ENOMEM;
}

/* ---- chunks -------------------------------------------------------------------- */

/* The chunk number and file offset a diagnostic names.  A window of a streamed input
 * (standard input, a .gz) holds the file header and then chunks from further on in the
 * stream: its own numbers are shifted by where it starts, so that a damaged chunk is
 * named as a reader of the whole file names it. */
static unsigned long long shown_chunk(const evtx_state_t *st, uint64_t k)
{
    return (unsigned long long)(k + st->shown_off / EVTX_CHUNK_SIZE);
}

static unsigned long long shown_off(const evtx_state_t *st, uint64_t off)
{
    return (unsigned long long)(off + st->shown_off);
}

static uint64_t chunk_pos(const evtx_state_t *st)
{
    return EVTX_FILE_HEADER_SIZE + (uint64_t)st->chunk_no * EVTX_CHUNK_SIZE;
}

/* Finds the next chunk with a signature.  Returns 1 when one is entered, 0 at the end
 * of the file, or an error to report (the walk goes on at the next call unless it is
 * WW_ETRUNC). */
static int enter_chunk(ww_reader_t *r, evtx_state_t *st, ww_diag_t *diag)
{
    for (;; st->chunk_no++) {
        uint64_t pos = chunk_pos(st);
        if (pos >= r->len)
            return 0;
        uint32_t avail =
            (uint32_t)(r->len - pos < EVTX_CHUNK_SIZE ? r->len - pos : EVTX_CHUNK_SIZE);
        const uint8_t *c = r->buf + pos;
        r->off = pos;
        if (avail < 8 || memcmp(c, "ElfChnk\0", 8) != 0) {
            /* Preallocated, never used chunks are zero: nothing to say. */
            if (all_zero(c, avail))
                continue;
            st->chunk_no++;
            r->off = pos + avail;
            if (avail < EVTX_CHUNK_SIZE) {
                ww_diag_set(diag, r->name, 0, 0,
                            "file ends %u bytes into chunk %llu (offset 0x%llx), which has no "
                            "\"ElfChnk\" signature",
                            avail, shown_chunk(st, st->chunk_no - 1), shown_off(st, pos));
                return WW_ETRUNC;
            }
            ww_diag_set(diag, r->name, 0, 0,
                        "chunk %llu (offset 0x%llx): no \"ElfChnk\" signature; chunk skipped",
                        shown_chunk(st, st->chunk_no - 1), shown_off(st, pos));
            return WW_EPARSE;
        }
        st->chunks_seen++;
        ww__evtx_chunk_reset(st);
        st->chunk = c;
        st->chunk_avail = avail;
        if (avail < EVTX_CHUNK_HEADER_SIZE) {
            st->chunk_no++;
            ww_diag_set(diag, r->name, 0, 0,
                        "file ends inside the header of chunk %llu (offset 0x%llx)",
                        shown_chunk(st, st->chunk_no - 1), shown_off(st, pos));
            return WW_ETRUNC;
        }
        st->in_chunk = true;
        st->rec_off = EVTX_CHUNK_HEADER_SIZE;
        uint32_t hc = crc_update(0xFFFFFFFFu, c, 120);
        hc = ~crc_update(hc, c + 128, EVTX_CHUNK_HEADER_SIZE - 128);
        uint32_t free_off = evtx_u32(c + 48);
        bool hdr_ok = hc == evtx_u32(c + 124);
        if (hdr_ok && free_off >= EVTX_CHUNK_HEADER_SIZE && free_off <= EVTX_CHUNK_SIZE) {
            st->rec_end = free_off;
            st->rec_end_trusted = true;
        } else {
            st->rec_end = EVTX_CHUNK_SIZE;
            st->rec_end_trusted = false;
        }
        if (!hdr_ok) {
            ww_diag_set(diag, r->name, 0, 0,
                        "chunk %llu (offset 0x%llx): header checksum mismatch (stored 0x%08x, "
                        "computed 0x%08x); reading its records anyway",
                        shown_chunk(st, st->chunk_no), shown_off(st, pos), evtx_u32(c + 124), hc);
            return WW_EPARSE;
        }
        if (st->rec_end <= avail) {
            uint32_t dc = ~crc_update(0xFFFFFFFFu, c + EVTX_CHUNK_HEADER_SIZE,
                                      st->rec_end - EVTX_CHUNK_HEADER_SIZE);
            if (dc != evtx_u32(c + 52)) {
                ww_diag_set(diag, r->name, 0, 0,
                            "chunk %llu (offset 0x%llx): event records checksum mismatch "
                            "(stored 0x%08x, computed 0x%08x); reading them anyway",
                            shown_chunk(st, st->chunk_no), shown_off(st, pos), evtx_u32(c + 52),
                            dc);
                return WW_EPARSE;
            }
        }
        return 1;
    }
}

static void leave_chunk(evtx_state_t *st)
{
    st->in_chunk = false;
    st->chunk_no++;
}

/* A record header at `off` that looks real: signature, a size that fits the chunk,
 * and (when present in the file) the trailing copy of the size. */
static bool plausible_record(const evtx_state_t *st, uint32_t off)
{
    if (st->chunk_avail - off < EVTX_RECORD_HEADER_SIZE ||
        evtx_u32(st->chunk + off) != EVTX_RECORD_MAGIC)
        return false;
    uint32_t size = evtx_u32(st->chunk + off + 4);
    if (size < EVTX_RECORD_HEADER_SIZE + 4 || size > EVTX_CHUNK_SIZE - off)
        return false;
    if (size <= st->chunk_avail - off && evtx_u32(st->chunk + off + size - 4) != size)
        return false;
    return true;
}

/* After damage: the next plausible record in this chunk, or 0. */
static uint32_t resync(const evtx_state_t *st, uint32_t from)
{
    uint32_t end = st->rec_end_trusted ? st->rec_end : EVTX_CHUNK_SIZE;
    if (end > st->chunk_avail)
        end = st->chunk_avail;
    for (uint32_t off = from; off + EVTX_RECORD_HEADER_SIZE <= end; off++)
        if (st->chunk[off] == 0x2a && plausible_record(st, off))
            return off;
    return 0;
}

static int64_t filetime_ns(uint64_t ft)
{
    if (ft == 0 || ft > (uint64_t)INT64_MAX)
        return WW_TIME_NONE;
    int64_t d = (int64_t)ft - (int64_t)FILETIME_UNIX_EPOCH;
    if (d > INT64_MAX / 100 || d < INT64_MIN / 100)
        return WW_TIME_NONE;
    return d * 100;
}

/* Reads the record at st->rec_off.  1 event, 0 end of chunk, or an error. */
static int next_record(ww_reader_t *r, evtx_state_t *st, ww_event_t *ev, ww_diag_t *diag)
{
    uint32_t off = st->rec_off;
    uint64_t base = chunk_pos(st);
    uint32_t limit = st->rec_end < st->chunk_avail ? st->rec_end : st->chunk_avail;
    bool cut = st->chunk_avail < EVTX_CHUNK_SIZE; /* the file ends inside this chunk */

    if (off >= st->rec_end || st->rec_end - off < EVTX_RECORD_HEADER_SIZE) {
        leave_chunk(st);
        return 0;
    }
    if (off >= limit || limit - off < EVTX_RECORD_HEADER_SIZE) {
        /* The chunk goes on, but the file does not. */
        if (cut) {
            st->finished = true;
            r->off = base + st->chunk_avail;
            ww_diag_set(diag, r->name, 0, 0,
                        "file ends inside chunk %llu at offset 0x%llx (next record expected at "
                        "0x%llx)",
                        shown_chunk(st, st->chunk_no), shown_off(st, base + st->chunk_avail),
                        shown_off(st, base + off));
            return WW_ETRUNC;
        }
        leave_chunk(st);
        return 0;
    }

    const uint8_t *rec = st->chunk + off;
    uint32_t magic = evtx_u32(rec), size = evtx_u32(rec + 4);
    if (magic != EVTX_RECORD_MAGIC || size < EVTX_RECORD_HEADER_SIZE + 4 ||
        size > EVTX_CHUNK_SIZE - off) {
        /* Without a trusted end, zeros after the last record are just free space. */
        if (!st->rec_end_trusted && all_zero(rec, limit - off)) {
            leave_chunk(st);
            return 0;
        }
        uint32_t next = resync(st, off + 1);
        r->off = base + (next ? next : limit);
        if (next)
            st->rec_off = next;
        else
            leave_chunk(st);
        ww_diag_set(diag, r->name, 0, 0, "chunk %llu, record at offset 0x%llx: %s; %s",
                    shown_chunk(st, st->chunk_no - (next ? 0 : 1)), shown_off(st, base + off),
                    magic != EVTX_RECORD_MAGIC ? "no record signature" : "impossible record size",
                    next ? "skipped to the next record" : "rest of the chunk skipped");
        return WW_EPARSE;
    }
    uint64_t rid = evtx_u64(rec + 8);
    if (size > st->chunk_avail - off) {
        st->finished = true;
        r->off = base + st->chunk_avail;
        ww_diag_set(diag, r->name, 0, 0,
                    "file ends inside chunk %llu, record %llu (offset 0x%llx, %u bytes, %u "
                    "present)",
                    shown_chunk(st, st->chunk_no), (unsigned long long)rid,
                    shown_off(st, base + off), size, st->chunk_avail - off);
        return WW_ETRUNC;
    }
    st->rec_off = off + size;
    r->off = base + off + size;
    if (evtx_u32(rec + size - 4) != size) {
        ww_diag_set(diag, r->name, 0, 0,
                    "chunk %llu, record %llu (offset 0x%llx): size %u does not match its "
                    "trailing copy %u; record skipped",
                    shown_chunk(st, st->chunk_no), (unsigned long long)rid,
                    shown_off(st, base + off), size, evtx_u32(rec + size - 4));
        return WW_EPARSE;
    }
    int rc = ww__evtx_record(st, ev, off + EVTX_RECORD_HEADER_SIZE, off + size - 4);
    if (rc) {
        ww_diag_set(
            diag, r->name, 0, 0, "chunk %llu, record %llu (offset 0x%llx): %s (at offset 0x%llx)",
            shown_chunk(st, st->chunk_no), (unsigned long long)rid, shown_off(st, base + off),
            st->err ? st->err : ww_strerror(rc), shown_off(st, base + st->err_off));
        /* Only the reader's end-of-input codes stop it; a bad record never does. */
        return rc == WW_ETRUNC || rc == WW_EIO ? WW_EPARSE : rc;
    }
    ev->ts = filetime_ns(st->ts_filetime);
    if (ev->ts == WW_TIME_NONE)
        ev->ts = filetime_ns(evtx_u64(rec + 16));
    ww_event_finish_windows(ev);
    return 1;
}

static int evtx_next(ww_reader_t *r, ww_event_t *ev, ww_diag_t *diag)
{
    evtx_state_t *st = r->state;
    if (!st || st->finished)
        return 0;
    for (;;) {
        int rc;
        if (!st->in_chunk) {
            if (r->len < EVTX_FILE_HEADER_SIZE) {
                st->finished = true;
                r->index++;
                r->off = r->len;
                ww_diag_set(diag, r->name, 0, 0,
                            "file ends inside the 4 KiB file header (%zu bytes)", r->len);
                return WW_ETRUNC;
            }
            rc = enter_chunk(r, st, diag);
            if (rc == 0) {
                st->finished = true;
                r->off = r->len;
                return 0;
            }
            if (rc < 0) {
                if (rc == WW_ETRUNC)
                    st->finished = true;
                r->index++;
                return rc;
            }
        }
        rc = next_record(r, st, ev, diag);
        if (rc != 0) {
            r->index++;
            return rc;
        }
    }
}

const ww_decoder_ops_t ww_evtx_ops = {"evtx", evtx_open, evtx_next, evtx_close};
