/* The spool's bytes: CRC32C, segment and record headers, the checkpoint file, and the
 * checks that tell a valid record from a torn or damaged one.  Pure functions over
 * memory, so the open path, the reader and the fuzz target share them. */
#include "spool/ww_spool_int.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#if defined(__x86_64__)
#include <nmmintrin.h>
#define SPOOL_CRC_HW 1
#endif

/* ---- CRC32C ---- */

static uint32_t crc_tab[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;
#ifdef SPOOL_CRC_HW
static bool crc_have_hw;
#endif

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        crc_tab[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            crc_tab[t][i] = (crc_tab[t - 1][i] >> 8) ^ crc_tab[0][crc_tab[t - 1][i] & 0xff];
#ifdef SPOOL_CRC_HW
    crc_have_hw = __builtin_cpu_supports("sse4.2");
#endif
}

/* Eight bytes a step with eight tables, for CPUs without the instruction. */
static uint32_t crc_sw(uint32_t c, const uint8_t *p, size_t n)
{
    while (n >= 8) {
        uint32_t lo = c ^ ww__get32(p), hi = ww__get32(p + 4);
        c = crc_tab[7][lo & 0xff] ^ crc_tab[6][(lo >> 8) & 0xff] ^ crc_tab[5][(lo >> 16) & 0xff] ^
            crc_tab[4][lo >> 24] ^ crc_tab[3][hi & 0xff] ^ crc_tab[2][(hi >> 8) & 0xff] ^
            crc_tab[1][(hi >> 16) & 0xff] ^ crc_tab[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    while (n--)
        c = (c >> 8) ^ crc_tab[0][(c ^ *p++) & 0xff];
    return c;
}

#ifdef SPOOL_CRC_HW
/* SSE4.2's crc32 instruction computes exactly this polynomial, 8 bytes an instruction. */
__attribute__((target("sse4.2"))) static uint32_t crc_hw(uint32_t c, const uint8_t *p, size_t n)
{
    uint64_t c64 = c;
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        c64 = _mm_crc32_u64(c64, v);
        p += 8;
        n -= 8;
    }
    c = (uint32_t)c64;
    if (n >= 4) {
        uint32_t v;
        memcpy(&v, p, 4);
        c = _mm_crc32_u32(c, v);
        p += 4;
        n -= 4;
    }
    while (n--)
        c = _mm_crc32_u8(c, *p++);
    return c;
}
#endif

static int crc_ready; /* __atomic: crc_init has run (pthread_once costs a call a record) */

uint32_t ww__spool_crc32c(uint32_t crc, const void *p, size_t n)
{
    if (!__atomic_load_n(&crc_ready, __ATOMIC_ACQUIRE)) {
        pthread_once(&crc_once, crc_init);
        __atomic_store_n(&crc_ready, 1, __ATOMIC_RELEASE);
    }
    uint32_t c = ~crc;
#ifdef SPOOL_CRC_HW
    if (crc_have_hw)
        return ~crc_hw(c, p, n);
#endif
    return ~crc_sw(c, p, n);
}

/* ---- segment header ---- */

void ww__spool_seg_header(uint8_t out[SPOOL_SEG_HDR], uint64_t spool_id, uint64_t first_seq,
                          int64_t created_ns)
{
    memset(out, 0, SPOOL_SEG_HDR);
    memcpy(out, SPOOL_SEG_MAGIC, 8);
    ww__put32(out + 8, SPOOL_VERSION);
    ww__put32(out + 12, SPOOL_SEG_HDR);
    ww__put64(out + 16, spool_id);
    ww__put64(out + 24, first_seq);
    ww__put64(out + 32, (uint64_t)created_ns);
    ww__put32(out + 60, ww__spool_crc32c(0, out, 60));
}

int ww__spool_seg_header_check(const uint8_t *p, size_t n, uint64_t *spool_id, uint64_t *first_seq,
                               const char **why)
{
    if (n < SPOOL_SEG_HDR) {
        *why = "shorter than a segment header";
        return WW_EPARSE;
    }
    if (memcmp(p, SPOOL_SEG_MAGIC, 8) != 0) {
        *why = "not a spool segment (bad magic)";
        return WW_EPARSE;
    }
    if (ww__get32(p + 60) != ww__spool_crc32c(0, p, 60)) {
        *why = "segment header checksum mismatch";
        return WW_EPARSE;
    }
    if (ww__get32(p + 8) != SPOOL_VERSION || ww__get32(p + 12) != SPOOL_SEG_HDR) {
        *why = "unsupported segment version";
        return WW_EPARSE;
    }
    uint64_t first = ww__get64(p + 24);
    if (first == 0 || first > UINT64_MAX / 2) {
        *why = "impossible first sequence number";
        return WW_EPARSE;
    }
    *spool_id = ww__get64(p + 16);
    *first_seq = first;
    return 0;
}

/* ---- records ---- */

uint32_t ww__spool_crc32c_sw(uint32_t crc, const void *p, size_t n)
{
    pthread_once(&crc_once, crc_init);
    return ~crc_sw(~crc, p, n);
}

/* The record checksum is seeded with the spool id: bytes that merely look like a
 * record (a log line quoting one) do not pass unless they were written by this spool. */

/* The checksum of the salt alone, remembered per thread for the last spool id. */
static uint32_t salt_crc(uint64_t spool_id)
{
    static _Thread_local uint64_t id;
    static _Thread_local uint32_t crc;
    static _Thread_local bool have;
    if (!have || id != spool_id) {
        uint8_t salt[8];
        ww__put64(salt, spool_id);
        crc = ww__spool_crc32c(0, salt, 8);
        id = spool_id;
        have = true;
    }
    return crc;
}

uint32_t ww__spool_body_crc(uint64_t spool_id, const char *src, size_t src_n, const void *payload,
                            size_t payload_n)
{
    uint32_t c = salt_crc(spool_id);
    c = ww__spool_crc32c(c, src, src_n);
    return ww__spool_crc32c(c, payload, payload_n);
}

void ww__spool_rec_header(uint8_t out[SPOOL_REC_HDR], uint32_t body_crc, uint64_t seq,
                          int64_t arrival_ns, uint16_t src_n, uint32_t payload_n)
{
    ww__put32(out + 4, SPOOL_REC_HDR + (uint32_t)src_n + payload_n);
    ww__put64(out + 8, seq);
    ww__put64(out + 16, (uint64_t)arrival_ns);
    ww__put16(out + 24, src_n);
    ww__put16(out + 26, 0);
    ww__put32(out + 28, payload_n);
    ww__put32(out, ww__spool_crc32c(body_crc, out + 4, SPOOL_REC_HDR - 4));
}

uint64_t ww__spool_rec_check(const uint8_t *p, uint64_t end, uint64_t off, uint64_t spool_id,
                             ww_spool_rec_t *rec, char *why, size_t why_n)
{
    if (off > end || end - off < SPOOL_REC_HDR) {
        snprintf(why, why_n, "record header cut short (%llu of %u bytes)",
                 (unsigned long long)(off > end ? 0 : end - off), SPOOL_REC_HDR);
        return 0;
    }
    const uint8_t *h = p + off;
    uint32_t len = ww__get32(h + 4);
    uint16_t src_n = ww__get16(h + 24);
    uint32_t pay_n = ww__get32(h + 28);
    if (len == 0 && ww__get32(h) == 0) {
        snprintf(why, why_n, "zero bytes where a record should start");
        return 0;
    }
    if (src_n > WW_SPOOL_MAX_SOURCE || pay_n > WW_SPOOL_MAX_RECORD || ww__get16(h + 26) != 0 ||
        len != SPOOL_REC_HDR + (uint64_t)src_n + pay_n) {
        snprintf(why, why_n, "impossible record header (length %u, source %u, payload %u)", len,
                 src_n, pay_n);
        return 0;
    }
    uint64_t padded = ww__spool_pad(len);
    if (padded > end - off) {
        snprintf(why, why_n, "record cut short (%llu of %llu bytes)",
                 (unsigned long long)(end - off), (unsigned long long)padded);
        return 0;
    }
    uint32_t want = ww__get32(h);
    /* The source and the payload lie side by side: one pass over both. */
    uint32_t got = ww__spool_crc32c(salt_crc(spool_id), h + SPOOL_REC_HDR, src_n + (size_t)pay_n);
    got = ww__spool_crc32c(got, h + 4, SPOOL_REC_HDR - 4);
    if (want != got) {
        snprintf(why, why_n, "record checksum mismatch (stored %08x, computed %08x)", want, got);
        return 0;
    }
    uint64_t seq = ww__get64(h + 8);
    if (seq == 0 || seq > UINT64_MAX / 2) {
        snprintf(why, why_n, "impossible sequence number %llu", (unsigned long long)seq);
        return 0;
    }
    rec->seq = seq;
    rec->arrival_ns = (int64_t)ww__get64(h + 16);
    rec->source = (ww_str_t){(const char *)h + SPOOL_REC_HDR, src_n};
    rec->payload = (ww_str_t){(const char *)h + SPOOL_REC_HDR + src_n, pay_n};
    return padded;
}

uint64_t ww__spool_resync(const uint8_t *p, uint64_t end, uint64_t from, uint64_t spool_id,
                          uint64_t after_seq)
{
    char why[96]; /* not used: a candidate either checks out or not */
    for (uint64_t off = ww__spool_pad(from + 1); off + SPOOL_REC_HDR <= end; off += SPOOL_ALIGN) {
        /* Cheap tests first: sequence range and length, before the checksum. */
        uint64_t seq = ww__get64(p + off + 8);
        uint64_t most = after_seq + (off - from) / SPOOL_REC_HDR + 1;
        if (seq <= after_seq || seq > most)
            continue;
        ww_spool_rec_t rec;
        if (ww__spool_rec_check(p, end, off, spool_id, &rec, why, sizeof why) != 0)
            return off;
    }
    return end;
}

void ww__spool_scan(const uint8_t *p, uint64_t n, uint64_t spool_id, uint64_t first_seq,
                    ww__spool_scan_t *out)
{
    memset(out, 0, sizeof *out);
    out->last_seq = first_seq - 1;
    out->valid_end = SPOOL_SEG_HDR;
    uint64_t off = SPOOL_SEG_HDR;
    bool strict = true; /* consecutive sequence numbers, except right after damage */
    while (off < n) {
        ww_spool_rec_t rec;
        char why[112];
        uint64_t len = ww__spool_rec_check(p, n, off, spool_id, &rec, why, sizeof why);
        if (len && (strict ? rec.seq != out->last_seq + 1 : rec.seq <= out->last_seq)) {
            snprintf(why, sizeof why, "sequence %llu where %llu was due",
                     (unsigned long long)rec.seq, (unsigned long long)(out->last_seq + 1));
            len = 0;
        }
        if (len) {
            out->nrecords++;
            out->last_seq = rec.seq;
            off += len;
            out->valid_end = off;
            strict = true;
            continue;
        }
        uint64_t next = ww__spool_resync(p, n, off, spool_id, out->last_seq);
        ww__spool_damage_t *d = &out->tail;
        if (next < n) {
            /* Valid records follow: damage in the middle.  Count every range; the
             * report lists the first few. */
            d = out->ndamage < SPOOL_MAX_DAMAGE ? &out->damage[out->ndamage] : NULL;
            out->ndamage++;
        } else {
            out->tail_damage = true;
        }
        if (d) {
            d->off = off;
            d->len = next - off;
            snprintf(d->why, sizeof d->why, "%s", why);
        }
        off = next;
        strict = false;
    }
}

/* ---- checkpoint ---- */

void ww__spool_ckpt_encode(uint8_t out[SPOOL_CKPT_LEN], uint64_t spool_id, uint64_t seq)
{
    memset(out, 0, SPOOL_CKPT_LEN);
    memcpy(out, SPOOL_CKPT_MAGIC, 8);
    ww__put64(out + 8, spool_id);
    ww__put64(out + 16, seq);
    ww__put32(out + 28, ww__spool_crc32c(0, out, 28));
}

int ww__spool_ckpt_decode(const uint8_t *p, size_t n, uint64_t *spool_id, uint64_t *seq)
{
    if (n != SPOOL_CKPT_LEN || memcmp(p, SPOOL_CKPT_MAGIC, 8) != 0 ||
        ww__get32(p + 28) != ww__spool_crc32c(0, p, 28) || ww__get32(p + 24) != 0 ||
        ww__get64(p + 16) > UINT64_MAX / 2)
        return WW_EPARSE;
    *spool_id = ww__get64(p + 8);
    *seq = ww__get64(p + 16);
    return 0;
}
