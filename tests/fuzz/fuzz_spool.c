/* libFuzzer target for the spool's open and replay path: the input is written as the
 * only segment file of a fresh spool directory (optionally preceded by a checkpoint
 * file: an input starting with "WWCKPT1" gives its first 1024 bytes to "checkpoint"),
 * which is then opened (header and record checks, torn-tail cut, quarantine) and
 * replayed to the end.  Whatever the bytes, opening either fails cleanly or yields a
 * spool whose records come in increasing order, which takes a new record and hands it
 * back, and which opens again with nothing left to repair.  Seeds: tests/fuzz/corpus/fuzz_spool/
 * (whole, damaged and torn segments). */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool/ww_spool.h"

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int put(const char *dir, const char *name, const uint8_t *p, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    if (fd < 0)
        return -1;
    ssize_t w = n ? write(fd, p, n) : 0;
    close(fd);
    return w == (ssize_t)n ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char dir[256];
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(dir, sizeof dir, "%s/ww-fuzz-spool-XXXXXX", base);
    if (!mkdtemp(dir))
        return 0;
    if (size >= 8 && memcmp(data, "WWCKPT1", 8) == 0) {
        size_t c = size < 1024 ? size : 1024;
        if (put(dir, "checkpoint", data, c) != 0)
            goto out;
        data += c;
        size -= c;
    }
    if (put(dir, "00000000000000000001.seg", data, size) != 0)
        goto out;
    ww_spool_config_t cfg = {
        .dir = dir, .segment_bytes = 1 << 20, .max_bytes = 4 << 20, .max_record = 4096};
    ww_spool_t *sp;
    ww_diag_t d;
    if (ww_spool_open(&cfg, &sp, &d) != 0)
        goto out;
    ww_spool_rec_t r;
    uint64_t prev = 0;
    int rc;
    while ((rc = ww_spool_next(sp, &r)) == 1) {
        if (r.seq <= prev || r.source.n > WW_SPOOL_MAX_SOURCE || r.payload.n > WW_SPOOL_MAX_RECORD)
            abort();
        /* Touch every byte handed out. */
        volatile uint8_t sink = 0;
        for (size_t i = 0; i < r.source.n; i++)
            sink ^= (uint8_t)r.source.p[i];
        for (size_t i = 0; i < r.payload.n; i++)
            sink ^= (uint8_t)r.payload.p[i];
        (void)sink;
        prev = r.seq;
    }
    if (rc < 0)
        abort();
    /* After whatever open had to repair, the spool takes a record and hands it back. */
    ww_spool_in_t in = {"fuzz", 4, "after", 5, 1};
    uint64_t seq;
    if (ww_spool_append(sp, &in, &seq) != 0 || seq <= prev)
        abort();
    if (ww_spool_commit(sp, NULL) != 0 || ww_spool_next(sp, &r) != 1 || r.seq != seq ||
        r.payload.n != 5 || memcmp(r.payload.p, "after", 5) != 0)
        abort();
    if (ww_spool_checkpoint(sp, seq) != 0)
        abort();
    ww_spool_free(sp);
    /* Whatever open repaired stays repaired: a second open finds nothing to cut or
     * quarantine, nothing left to replay, and numbers on. */
    if (ww_spool_open(&cfg, &sp, &d) != 0)
        abort();
    ww_spool_stats_t st;
    ww_spool_stats(sp, &st);
    if (st.torn_tails || st.quarantined_segments || st.damaged_regions || st.processed_seq != seq ||
        ww_spool_next(sp, &r) != 0)
        abort();
    uint64_t seq2;
    if (ww_spool_append(sp, &in, &seq2) != 0 || seq2 != seq + 1)
        abort();
    ww_spool_free(sp);
out:
    nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    return 0;
}
