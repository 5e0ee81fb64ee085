/* Unit tests for lib/spool: append, commit and replay; checkpoints; group commit;
 * segment rotation and deletion; torn tails; damaged records and quarantine; the size
 * cap and a full disk (a small tmpfs, when we may mount one); concurrent appenders; and
 * the stable alert ids.  `test_spool crash` runs the crash test instead: a child
 * appends and commits until it is killed with SIGKILL, again and again, and every
 * record it reported durable must replay exactly once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spool/ww_spool_int.h"

/* ---- helpers ---- */

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void rm_rf(const char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static char *tmp_dir(void)
{
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    size_t n = strlen(base) + 32;
    char *d = malloc(n);
    snprintf(d, n, "%s/ww-spool-XXXXXX", base);
    if (!mkdtemp(d)) {
        free(d);
        return NULL;
    }
    return d;
}

/* The payload of record number k in these tests: its number, then filler whose length
 * and letter depend on k, so a record swapped, cut or shifted is noticed. */
static size_t payload_for(uint64_t k, char *out, size_t cap)
{
    int n = snprintf(out, cap, "event %llu ", (unsigned long long)k);
    size_t fill = (size_t)(k * 7 % 230);
    if ((size_t)n + fill > cap)
        fill = cap - (size_t)n;
    memset(out + n, 'a' + (int)(k % 26), fill);
    return (size_t)n + fill;
}

static int append_k(ww_spool_t *sp, const char *src, uint64_t k, uint64_t *seq)
{
    char buf[300];
    size_t n = payload_for(k, buf, sizeof buf);
    ww_spool_in_t in = {src, strlen(src), buf, n, (int64_t)k * 1000};
    return ww_spool_append(sp, &in, seq);
}

static void check_payload(const ww_spool_rec_t *r, uint64_t k)
{
    char buf[300];
    size_t n = payload_for(k, buf, sizeof buf);
    assert_int_equal(r->payload.n, n);
    assert_memory_equal(r->payload.p, buf, n);
    assert_int_equal(r->arrival_ns, (int64_t)k * 1000);
}

static ww_spool_t *open_cfg(const char *dir, uint64_t seg, uint64_t max, uint32_t interval_us)
{
    ww_spool_config_t cfg = {.dir = dir,
                             .segment_bytes = seg,
                             .max_bytes = max,
                             .max_record = 512,
                             .commit_interval_us = interval_us,
                             .commit_records = 64};
    ww_spool_t *sp = NULL;
    ww_diag_t d;
    int rc = ww_spool_open(&cfg, &sp, &d);
    if (rc != 0)
        fprintf(stderr, "open %s: %s\n", dir, d.msg);
    assert_int_equal(rc, 0);
    return sp;
}

static ww_spool_t *open_dir(const char *dir)
{
    return open_cfg(dir, 1 << 20, 64 << 20, 0);
}

static unsigned count_files(const char *dir, const char *suffix)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    unsigned n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name), sl = strlen(suffix);
        if (l >= sl && strcmp(de->d_name + l - sl, suffix) == 0)
            n++;
    }
    closedir(d);
    return n;
}

/* Path of the only (or the first by name) segment file in dir. */
static void first_segment(const char *dir, char *out, size_t cap)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    char best[256] = "";
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l > 4 && strcmp(de->d_name + l - 4, ".seg") == 0 &&
            (!best[0] || strcmp(de->d_name, best) < 0))
            snprintf(best, sizeof best, "%s", de->d_name);
    }
    closedir(d);
    assert_true(best[0] != 0);
    snprintf(out, cap, "%s/%s", dir, best);
}

/* Reads everything replayable; returns the count and checks order and contents
 * (record k carries payload_for(k) in these tests). */
static uint64_t drain_check(ww_spool_t *sp, uint64_t *first, uint64_t *last)
{
    ww_spool_rec_t r;
    uint64_t n = 0, prev = 0;
    int rc;
    while ((rc = ww_spool_next(sp, &r)) == 1) {
        assert_true(r.seq > prev);
        check_payload(&r, r.seq);
        if (!n && first)
            *first = r.seq;
        prev = r.seq;
        n++;
    }
    assert_int_equal(rc, 0);
    if (last)
        *last = prev;
    return n;
}

/* ---- format pieces ---- */

static void test_crc32c(void **state)
{
    /* The check value of CRC-32C (RFC 3720, appendix B.4 lists the same polynomial). */
    assert_int_equal(ww__spool_crc32c(0, "123456789", 9), 0xE3069283u);
    assert_int_equal(ww__spool_crc32c_sw(0, "123456789", 9), 0xE3069283u);
    /* 32 zero bytes: the iSCSI test vector from RFC 3720 B.4. */
    uint8_t z[32] = {0};
    assert_int_equal(ww__spool_crc32c(0, z, 32), 0x8A9136AAu);
    /* Chaining equals one pass, and the instruction path equals the tables, for every
     * length and alignment around the 8-byte steps. */
    uint8_t buf[300];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 131 + 7);
    for (size_t off = 0; off < 9; off++)
        for (size_t n = 0; n + off <= sizeof buf; n += 13) {
            uint32_t whole = ww__spool_crc32c(0, buf + off, n);
            assert_int_equal(whole, ww__spool_crc32c_sw(0, buf + off, n));
            assert_int_equal(whole, ww__spool_crc32c(ww__spool_crc32c(0, buf + off, n / 2),
                                                     buf + off + n / 2, n - n / 2));
        }
}

static void hex(const uint8_t *d, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]); /* out holds 2n+1 */
}

static void test_sha256_and_alert_id(void **state)
{
    uint8_t d[32];
    char h[65];
    ww__spool_sha256("abc", 3, d);
    hex(d, 32, h);
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    ww__spool_sha256("", 0, d);
    hex(d, 32, h);
    assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"; /* 56 bytes */
    ww__spool_sha256(two, strlen(two), d);
    hex(d, 32, h);
    assert_string_equal(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");

    char a[WW_ALERT_ID_LEN + 1], b[WW_ALERT_ID_LEN + 1];
    uint8_t pos[16] = {1, 2, 3};
    ww_spool_alert_id("rule-1", 6, "syslog-tcp 10.0.0.5", 19, pos, 16, a);
    ww_spool_alert_id("rule-1", 6, "syslog-tcp 10.0.0.5", 19, pos, 16, b);
    assert_int_equal(strlen(a), WW_ALERT_ID_LEN);
    assert_string_equal(a, b); /* stable */
    for (size_t i = 0; i < WW_ALERT_ID_LEN; i++)
        assert_non_null(strchr("0123456789abcdef", a[i]));
    pos[15] = 1;
    ww_spool_alert_id("rule-1", 6, "syslog-tcp 10.0.0.5", 19, pos, 16, b);
    assert_string_not_equal(a, b); /* another position */
    /* Field boundaries count: ("ab", "c") is not ("a", "bc"). */
    ww_spool_alert_id("ab", 2, "c", 1, "", 0, a);
    ww_spool_alert_id("a", 1, "bc", 2, "", 0, b);
    assert_string_not_equal(a, b);
}

/* ---- append, commit, replay ---- */

static void test_append_commit_replay(void **state)
{
    char *dir = tmp_dir();
    ww_spool_t *sp = open_dir(dir);
    for (uint64_t k = 1; k <= 100; k++) {
        uint64_t seq;
        assert_int_equal(append_k(sp, k % 2 ? "syslog-tcp 10.0.0.5" : "http 10.0.0.9", k, &seq), 0);
        assert_int_equal(seq, k);
    }
    /* Appended is not durable: the consumer sees nothing yet. */
    ww_spool_rec_t r;
    assert_int_equal(ww_spool_durable_seq(sp), 0);
    assert_int_equal(ww_spool_next(sp, &r), 0);
    uint64_t dur = 0;
    assert_int_equal(ww_spool_commit(sp, &dur), 0);
    assert_int_equal(dur, 100);
    for (uint64_t k = 1; k <= 100; k++) {
        assert_int_equal(ww_spool_next(sp, &r), 1);
        assert_int_equal(r.seq, k);
        check_payload(&r, k);
        const char *src = k % 2 ? "syslog-tcp 10.0.0.5" : "http 10.0.0.9";
        assert_int_equal(r.source.n, strlen(src));
        assert_memory_equal(r.source.p, src, r.source.n);
    }
    assert_int_equal(ww_spool_next(sp, &r), 0);
    /* A checkpoint past what was handed out is refused. */
    assert_int_equal(ww_spool_checkpoint(sp, 101), WW_EINVAL);
    assert_int_equal(ww_spool_checkpoint(sp, 40), 0);
    uint64_t id = ww_spool_id(sp);
    ww_spool_free(sp);

    /* Reopened: the same spool, replay after the checkpoint, numbering goes on. */
    sp = open_dir(dir);
    assert_int_equal(ww_spool_id(sp), id);
    uint64_t first = 0, last = 0;
    assert_int_equal(drain_check(sp, &first, &last), 60);
    assert_int_equal(first, 41);
    assert_int_equal(last, 100);
    uint64_t seq;
    assert_int_equal(append_k(sp, "x", 101, &seq), 0);
    assert_int_equal(seq, 101);
    assert_int_equal(ww_spool_wait_durable(sp, seq, -1), 1); /* commits itself */
    assert_int_equal(ww_spool_next(sp, &r), 1);
    assert_int_equal(r.seq, 101);
    ww_spool_stats_t st;
    ww_spool_stats(sp, &st);
    assert_int_equal(st.processed_seq, 40);
    assert_int_equal(st.records_replayed, 61);
    ww_spool_free(sp);

    /* Too large, or bad arguments: refused, nothing written. */
    sp = open_dir(dir);
    char big[600] = {0};
    ww_spool_in_t in = {"x", 1, big, sizeof big, 0};
    assert_int_equal(ww_spool_append(sp, &in, &seq), WW_EINVAL);
    char longsrc[WW_SPOOL_MAX_SOURCE + 1];
    memset(longsrc, 's', sizeof longsrc);
    ww_spool_in_t in2 = {longsrc, sizeof longsrc, "p", 1, 0};
    assert_int_equal(ww_spool_append(sp, &in2, &seq), WW_EINVAL);
    ww_spool_stats(sp, &st);
    assert_int_equal(st.appended_seq, 101);
    /* Empty source and payload are fine. */
    ww_spool_in_t in3 = {NULL, 0, NULL, 0, 5};
    assert_int_equal(ww_spool_append(sp, &in3, &seq), 0);
    assert_int_equal(seq, 102);
    ww_spool_free(sp);

    /* A second process (or handle) cannot open the same spool. */
    sp = open_dir(dir);
    ww_spool_config_t cfg = {.dir = dir};
    ww_spool_t *other = NULL;
    ww_diag_t d;
    assert_int_equal(ww_spool_open(&cfg, &other, &d), WW_EIO);
    assert_non_null(strstr(d.msg, "another process"));
    assert_null(other);
    ww_spool_free(sp);
    rm_rf(dir);
    free(dir);
}

static void test_bad_config(void **state)
{
    char *dir = tmp_dir();
    ww_spool_t *sp = NULL;
    ww_diag_t d;
    ww_spool_config_t c1 = {
        .dir = dir, .segment_bytes = 1 << 20, .max_bytes = 1 << 20, .max_record = 512};
    assert_int_equal(ww_spool_open(&c1, &sp, &d), WW_EINVAL);
    assert_non_null(strstr(d.msg, "two"));
    ww_spool_config_t c2 = {
        .dir = dir, .segment_bytes = 8192, .max_bytes = 1 << 20, .max_record = 8192};
    assert_int_equal(ww_spool_open(&c2, &sp, &d), WW_EINVAL);
    assert_non_null(strstr(d.msg, "would not fit"));
    /* Without max_record, small segments get a smaller default that fits them. */
    ww_spool_config_t c4 = {.dir = dir, .segment_bytes = 16384, .max_bytes = 65536};
    assert_int_equal(ww_spool_open(&c4, &sp, &d), 0);
    static char big[16384];
    ww_spool_in_t in = {"s", 1, big, 16384 - 64 - 32 - WW_SPOOL_MAX_SOURCE - 8, 0};
    assert_int_equal(ww_spool_append(sp, &in, NULL), 0);
    in.payload_n++;
    assert_int_equal(ww_spool_append(sp, &in, NULL), WW_EINVAL);
    ww_spool_free(sp);
    sp = NULL;
    ww_spool_config_t c3 = {.dir = NULL};
    assert_int_equal(ww_spool_open(&c3, &sp, &d), WW_EINVAL);
    assert_null(sp);
    rm_rf(dir);
    free(dir);
}

/* ---- group commit ---- */

static uint64_t cb_last;
static unsigned cb_calls;
static void on_durable(void *ud, uint64_t seq)
{
    (void)ud;
    assert_true(seq > cb_last); /* in order, never twice */
    cb_last = seq;
    cb_calls++;
}

static void test_group_commit(void **state)
{
    char *dir = tmp_dir();
    ww_spool_config_t cfg = {.dir = dir,
                             .segment_bytes = 1 << 20,
                             .max_bytes = 8 << 20,
                             .max_record = 512,
                             .on_durable = on_durable};
    ww_spool_t *sp;
    ww_diag_t d;
    assert_int_equal(ww_spool_open(&cfg, &sp, &d), 0);
    ww_spool_stats_t st0, st;
    ww_spool_stats(sp, &st0);
    for (uint64_t k = 1; k <= 1000; k++)
        assert_int_equal(append_k(sp, "g", k, NULL), 0);
    assert_int_equal(ww_spool_commit(sp, NULL), 0);
    ww_spool_stats(sp, &st);
    /* One commit made 1000 records durable: one fdatasync for the segment, one fsync
     * for the directory that got a new segment file. */
    assert_int_equal(st.commits, 1);
    assert_int_equal(st.fsyncs - st0.fsyncs, 2);
    assert_int_equal(st.records_durable, 1000);
    assert_int_equal(st.durable_seq, 1000);
    assert_int_equal(cb_last, 1000);
    assert_int_equal(cb_calls, 1);
    /* Nothing new: a commit costs nothing. */
    assert_int_equal(ww_spool_commit(sp, NULL), 0);
    ww_spool_stats(sp, &st);
    assert_int_equal(st.fsyncs - st0.fsyncs, 2);
    /* A batch is one write and all-or-nothing. */
    char p[3][300];
    ww_spool_in_t in[3];
    for (int i = 0; i < 3; i++) {
        size_t n = payload_for(1001 + (uint64_t)i, p[i], sizeof p[i]);
        in[i] = (ww_spool_in_t){"b", 1, p[i], n, (int64_t)(1001 + i) * 1000};
    }
    uint64_t last;
    assert_int_equal(ww_spool_append_batch(sp, in, 3, &last), 0);
    assert_int_equal(last, 1003);
    assert_int_equal(ww_spool_commit(sp, NULL), 0);
    ww_spool_stats(sp, &st);
    assert_int_equal(st.fsyncs - st0.fsyncs, 3); /* the segment only */
    assert_int_equal(cb_last, 1003);
    assert_int_equal(drain_check(sp, NULL, NULL), 1003);
    ww_spool_free(sp);
    rm_rf(dir);
    free(dir);
}

/* ---- rotation and deletion ---- */

static void test_rotation_and_deletion(void **state)
{
    char *dir = tmp_dir();
    ww_spool_t *sp = open_cfg(dir, 4096, 1 << 20, 0);
    for (uint64_t k = 1; k <= 300; k++)
        assert_int_equal(append_k(sp, "r", k, NULL), 0);
    assert_int_equal(ww_spool_commit(sp, NULL), 0);
    ww_spool_stats_t st;
    ww_spool_stats(sp, &st);
    unsigned segs = st.segments;
    assert_true(segs > 10);
    assert_int_equal(count_files(dir, ".seg"), segs);
    /* Every segment stays within its size. */
    struct stat fs;
    char path[512];
    first_segment(dir, path, sizeof path);
    assert_int_equal(stat(path, &fs), 0);
    assert_true(fs.st_size <= 4096);

    /* Processing half deletes the segments wholly before the checkpoint. */
    ww_spool_rec_t r;
    for (int i = 0; i < 150; i++)
        assert_int_equal(ww_spool_next(sp, &r), 1);
    assert_int_equal(ww_spool_checkpoint(sp, 150), 0);
    ww_spool_stats(sp, &st);
    assert_true(st.segments_deleted > 0);
    assert_true(st.segments < segs);
    assert_int_equal(count_files(dir, ".seg"), st.segments);
    ww_spool_free(sp);

    sp = open_cfg(dir, 4096, 1 << 20, 0);
    uint64_t first;
    assert_int_equal(drain_check(sp, &first, NULL), 150);
    assert_int_equal(first, 151);
    assert_int_equal(ww_spool_checkpoint(sp, 300), 0);
    /* The reader still sits in the last segment; the next read moves nothing, and
     * only the active segment is left. */
    ww_spool_stats(sp, &st);
    assert_int_equal(st.segments, 1);
    assert_int_equal(count_files(dir, ".seg"), 1);
    ww_spool_free(sp);

    /* A spool whose every record is processed opens empty and numbers on. */
    sp = open_cfg(dir, 4096, 1 << 20, 0);
    assert_int_equal(drain_check(sp, NULL, NULL), 0);
    uint64_t seq;
    assert_int_equal(append_k(sp, "r", 301, &seq), 0);
    assert_int_equal(seq, 301);
    ww_spool_free(sp);
    rm_rf(dir);
    free(dir);
}

/* ---- history (retain_bytes) ---- */

static ww_spool_t *open_history(const char *dir, uint64_t retain)
{
    ww_spool_config_t cfg = {.dir = dir,
                             .segment_bytes = 4096,
                             .max_bytes = 1 << 20,
                             .max_record = 512,
                             .retain_bytes = retain};
    ww_spool_t *sp = NULL;
    ww_diag_t d;
    assert_int_equal(ww_spool_open(&cfg, &sp, &d), 0);
    return sp;
}

typedef struct hist {
    uint64_t n, first, last;
} hist_t;

static int on_hist(void *ud, const ww_spool_rec_t *r)
{
    hist_t *h = ud;
    assert_true(r->seq > h->last);
    check_payload(r, r->seq);
    if (!h->n)
        h->first = r->seq;
    h->last = r->seq;
    h->n++;
    return 0;
}

static hist_t history(ww_spool_t *sp, uint64_t from)
{
    hist_t h = {0};
    assert_int_equal(ww_spool_history(sp, from, on_hist, &h), 0);
    return h;
}

static void test_history(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    ww_spool_t *sp = open_history(dir, 64 << 10);
    for (uint64_t k = 1; k <= 300; k++)
        assert_int_equal(append_k(sp, "r", k, NULL), 0);
    assert_int_equal(ww_spool_commit(sp, NULL), 0);
    assert_int_equal(history(sp, 0).n, 0); /* nothing processed yet */
    ww_spool_rec_t r;
    for (int i = 0; i < 200; i++)
        assert_int_equal(ww_spool_next(sp, &r), 1);
    assert_int_equal(ww_spool_checkpoint(sp, 200), 0);
    ww_spool_stats_t st;
    ww_spool_stats(sp, &st);
    assert_int_equal(st.segments_deleted, 0); /* kept as history */
    assert_true(st.retained_bytes > 0 && st.retained_bytes <= 64 << 10);
    /* Processed records, from 1 through the checkpoint; not beyond it. */
    hist_t h = history(sp, 0);
    assert_int_equal(h.n, 200);
    assert_int_equal(h.first, 1);
    assert_int_equal(h.last, 200);
    h = history(sp, 150);
    assert_int_equal(h.n, 51);
    assert_int_equal(h.first, 150);
    ww_spool_free(sp);

    /* After a restart: the history is still there and the reader starts after it. */
    sp = open_history(dir, 64 << 10);
    assert_int_equal(history(sp, 0).n, 200);
    uint64_t first = 0;
    assert_int_equal(drain_check(sp, &first, NULL), 100);
    assert_int_equal(first, 201);
    assert_int_equal(ww_spool_checkpoint(sp, 300), 0);
    assert_int_equal(history(sp, 0).last, 300);

    /* Records before 250 are no longer wanted: their segments go at the checkpoint. */
    ww_spool_retain(sp, 250);
    for (uint64_t k = 301; k <= 320; k++)
        assert_int_equal(append_k(sp, "r", k, NULL), 0);
    assert_int_equal(ww_spool_commit(sp, NULL), 0);
    assert_int_equal(drain_check(sp, NULL, NULL), 20);
    assert_int_equal(ww_spool_checkpoint(sp, 320), 0);
    h = history(sp, 0);
    assert_true(h.first <= 250 && h.first > 200); /* the segment holding 250 stays */
    assert_int_equal(h.last, 320);
    ww_spool_stats(sp, &st);
    assert_true(st.segments_deleted > 0);
    assert_int_equal(count_files(dir, ".seg"), st.segments);
    ww_spool_free(sp);

    /* A smaller history on reopen: only the newest segments within it stay. */
    sp = open_history(dir, 8192);
    ww_spool_stats(sp, &st);
    assert_true(st.retained_bytes <= 8192);
    h = history(sp, 0);
    assert_true(h.n > 0 && h.first > 250);
    assert_int_equal(h.last, 320);
    ww_spool_free(sp);

    /* History over half the cap is refused. */
    ww_spool_config_t bad = {.dir = dir, .max_bytes = 1 << 20, .retain_bytes = 600 << 10};
    ww_diag_t d;
    assert_int_equal(ww_spool_open(&bad, &sp, &d), WW_EINVAL);
    assert_non_null(strstr(d.msg, "history"));
    /* Without history, a reopen deletes what was processed (but the newest segment,
       which appends continue). */
    sp = open_cfg(dir, 4096, 1 << 20, 0);
    assert_int_equal(count_files(dir, ".seg"), 1);
    assert_true(history(sp, 0).n < 30);
    ww_spool_free(sp);
    rm_rf(dir);
    free(dir);
}

/* ---- torn tail ---- */

static void test_torn_tail(void **state)
{
    char *dir = tmp_dir();
    char path[512];
    ww_spool_t *sp = open_dir(dir);
    for (uint64_t k = 1; k <= 10; k++)
        assert_int_equal(append_k(sp, "t", k, NULL), 0);
    ww_spool_free(sp); /* commits */
    first_segment(dir, path, sizeof path);
    struct stat fs;
    assert_int_equal(stat(path, &fs), 0);

    /* (1) Half a record at the end: a write cut short. */
    int fd = open(path, O_WRONLY | O_APPEND);
    uint8_t half[40];
    ww__spool_rec_header(half, 0x1234, 11, 0, 0, 100);
    memset(half + 32, 'z', 8);
    assert_int_equal(write(fd, half, sizeof half), (ssize_t)sizeof half);
    close(fd);
    sp = open_dir(dir);
    ww_spool_stats_t st;
    ww_spool_stats(sp, &st);
    assert_int_equal(st.torn_tails, 1);
    assert_int_equal(st.torn_bytes, 40);
    assert_int_equal(st.quarantined_segments, 0);
    assert_int_equal(drain_check(sp, NULL, NULL), 10);
    struct stat fs2;
    assert_int_equal(stat(path, &fs2), 0);
    assert_int_equal(fs2.st_size, fs.st_size); /* cut back to the last whole record */
    uint64_t seq;
    assert_int_equal(append_k(sp, "t", 11, &seq), 0);
    assert_int_equal(seq, 11);
    ww_spool_free(sp);

    /* (2) The last record itself cut short: it is lost, the ones before are not, and
     * numbering continues from the last whole record. */
    assert_int_equal(stat(path, &fs), 0);
    assert_int_equal(truncate(path, fs.st_size - 5), 0);
    /* (3) Zeros after it, as a file system may show after a crash. */
    fd = open(path, O_WRONLY | O_APPEND);
    uint8_t zeros[4096] = {0};
    assert_int_equal(write(fd, zeros, sizeof zeros), (ssize_t)sizeof zeros);
    close(fd);
    sp = open_dir(dir);
    ww_spool_stats(sp, &st);
    assert_int_equal(st.torn_tails, 1);
    assert_int_equal(st.quarantined_segments, 0);
    uint64_t last;
    assert_int_equal(drain_check(sp, NULL, &last), 10);
    assert_int_equal(last, 10);
    assert_int_equal(append_k(sp, "t", 11, &seq), 0);
    assert_int_equal(seq, 11);
    ww_spool_free(sp);
    sp = open_dir(dir);
    ww_spool_stats(sp, &st);
    assert_int_equal(st.torn_tails, 0);
    assert_int_equal(drain_check(sp, NULL, &last), 11);
    ww_spool_free(sp);

    /* (4) A segment file cut before its header was whole is removed. */
    char p2[600];
    snprintf(p2, sizeof p2, "%s/%020llu.seg", dir, 12ull);
    fd = open(p2, O_CREAT | O_WRONLY, 0600);
    assert_int_equal(write(fd, "WWSP", 4), 4);
    close(fd);
    sp = open_dir(dir);
    assert_int_equal(access(p2, F_OK), -1);
    assert_int_equal(drain_check(sp, NULL, &last), 11);
    ww_spool_free(sp);
    /* (5) So is a newest file whose header is zeros (never written), while a zeroed
     * header in an older segment is damage: quarantined. */
    fd = open(p2, O_CREAT | O_WRONLY, 0600);
    assert_int_equal(write(fd, zeros, 200), 200);
    close(fd);
    sp = open_dir(dir);
    assert_int_equal(access(p2, F_OK), -1);
    ww_spool_stats(sp, &st);
    assert_int_equal(st.quarantined_segments, 0);
    assert_int_equal(drain_check(sp, NULL, &last), 11);
    ww_spool_free(sp);
    char p1[512];
    first_segment(dir, p1, sizeof p1);
    fd = open(p1, O_WRONLY);
    assert_int_equal(pwrite(fd, zeros, 64, 0), 64);
    close(fd);
    fd = open(p2, O_CREAT | O_WRONLY, 0600);
    uint8_t h[SPOOL_SEG_HDR];
    ww__spool_seg_header(h, 7, 12, 0); /* a valid header, if of another spool */
    assert_int_equal(write(fd, h, sizeof h), (ssize_t)sizeof h);
    close(fd);
    sp = open_dir(dir);
    ww_spool_stats(sp, &st);
    assert_int_equal(st.quarantined_segments, 2);
    assert_int_equal(drain_check(sp, NULL, &last), 0);
    ww_spool_free(sp);
    rm_rf(dir);
    free(dir);
}

/* ---- damage in the middle: quarantine, the rest replays ---- */

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = calloc(1, 1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

/* Offset of record `seq` in a segment file. */
static long record_offset(const char *path, uint64_t seq)
{
    FILE *f = fopen(path, "rb");
    uint8_t buf[65536];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    for (size_t off = SPOOL_SEG_HDR; off + SPOOL_REC_HDR <= n;) {
        if (ww__get64(buf + off + 8) == seq)
            return (long)off;
        off += ww__spool_pad(ww__get32(buf + off + 4));
    }
    return -1;
}

static void flip(const char *path, long off)
{
    int fd = open(path, O_RDWR);
    uint8_t b;
    assert_int_equal(pread(fd, &b, 1, off), 1);
    b ^= 0x5a;
    assert_int_equal(pwrite(fd, &b, 1, off), 1);
    close(fd);
}

static void test_corrupt_middle_quarantine(void **state)
{
    char *dir = tmp_dir();
    char path[512], qdir[600];
    snprintf(qdir, sizeof qdir, "%s/quarantine", dir);
    ww_spool_t *sp = open_cfg(dir, 8192, 1 << 20, 0);
    for (uint64_t k = 1; k <= 20; k++)
        assert_int_equal(append_k(sp, "c", k, NULL), 0);
    ww_spool_free(sp);
    first_segment(dir, path, sizeof path);
    long off7 = record_offset(path, 7), off12 = record_offset(path, 12);
    assert_true(off7 > 0 && off12 > 0);
    flip(path, off7 + 40); /* a payload byte of record 7: checksum */
    flip(path, off12 + 4); /* the length of record 12: header */

    sp = open_cfg(dir, 8192, 1 << 20, 0);
    ww_spool_stats_t st;
    ww_spool_stats(sp, &st);
    assert_int_equal(st.quarantined_segments, 1);
    assert_int_equal(st.damaged_regions, 2);
    assert_int_equal(st.torn_tails, 0);
    assert_int_equal(count_files(dir, ".seg"), 0);
    assert_int_equal(count_files(qdir, ".seg"), 1);
    assert_int_equal(count_files(qdir, ".report"), 1);
    char rpath[700];
    snprintf(rpath, sizeof rpath, "%s/00000000000000000001.seg.report", qdir);
    char *rep = read_file(rpath);
    assert_non_null(rep);
    char want[128];
    snprintf(want, sizeof want, "offset %ld, ", off7);
    assert_non_null(strstr(rep, want));
    assert_non_null(strstr(rep, "checksum mismatch"));
    snprintf(want, sizeof want, "offset %ld, ", off12);
    assert_non_null(strstr(rep, want));
    assert_non_null(strstr(rep, "00000000000000000001.seg"));
    assert_non_null(strstr(rep, "18 valid records"));
    free(rep);

    /* Everything but the two damaged records replays, in order. */
    ww_spool_rec_t r;
    uint64_t want_seq = 1;
    for (;;) {
        if (want_seq == 7 || want_seq == 12)
            want_seq++;
        if (want_seq > 20)
            break;
        assert_int_equal(ww_spool_next(sp, &r), 1);
        assert_int_equal(r.seq, want_seq);
        check_payload(&r, want_seq);
        want_seq++;
    }
    assert_int_equal(ww_spool_next(sp, &r), 0);
    /* New records go to a fresh segment, numbered on. */
    uint64_t seq;
    assert_int_equal(append_k(sp, "c", 21, &seq), 0);
    assert_int_equal(seq, 21);
    assert_int_equal(ww_spool_commit(sp, NULL), 0);
    assert_int_equal(ww_spool_next(sp, &r), 1);
    assert_int_equal(r.seq, 21);
    assert_int_equal(ww_spool_checkpoint(sp, 21), 0);
    ww_spool_free(sp);
    /* Processed: the quarantined file stays for the operator, and is not read again. */
    assert_int_equal(count_files(qdir, ".seg"), 1);
    sp = open_cfg(dir, 8192, 1 << 20, 0);
    assert_int_equal(drain_check(sp, NULL, NULL), 0);
    ww_spool_stats(sp, &st);
    assert_int_equal(st.quarantined_segments, 0);
    ww_spool_free(sp);
    rm_rf(dir);
    free(dir);
}

/* Damage in an older segment: it is quarantined, later segments replay untouched;
 * damage at the end of an older segment is damage, not a torn write. */
static void test_corrupt_older_segments(void **state)
{
    char *dir = tmp_dir();
    ww_spool_t *sp = open_cfg(dir, 4096, 1 << 20, 0);
    for (uint64_t k = 1; k <= 100; k++)
        assert_int_equal(append_k(sp, "o", k, NULL), 0);
    ww_spool_free(sp);
    char path[512];
    first_segment(dir, path, sizeof path);
    /* The first segment's last record: find it by walking. */
    struct stat fs;
    assert_int_equal(stat(path, &fs), 0);
    uint64_t k = 1;
    long off, lastoff = -1;
    while ((off = record_offset(path, k)) >= 0) {
        lastoff = off;
        k++;
    }
    uint64_t last_in_first = k - 1;
    assert_true(last_in_first > 2 && last_in_first < 100);
    flip(path, lastoff + 10); /* its sequence number */

    sp = open_cfg(dir, 4096, 1 << 20, 0);
    ww_spool_stats_t st;
    ww_spool_stats(sp, &st);
    assert_int_equal(st.quarantined_segments, 1);
    assert_int_equal(st.torn_tails, 0);
    ww_spool_rec_t r;
    uint64_t n = 0, prev = 0;
    while (ww_spool_next(sp, &r) == 1) {
        assert_true(r.seq != last_in_first);
        assert_true(r.seq > prev);
        check_payload(&r, r.seq);
        prev = r.seq;
        n++;
    }
    assert_int_equal(n, 99);
    assert_int_equal(prev, 100);
    ww_spool_free(sp);

    /* A segment from another spool (another id) is not read: quarantined. */
    char *other = tmp_dir();
    sp = open_cfg(other, 4096, 1 << 20, 0);
    assert_int_equal(append_k(sp, "x", 1, NULL), 0);
    ww_spool_free(sp);
    char src[512], dst[700];
    first_segment(other, src, sizeof src);
    snprintf(dst, sizeof dst, "%s/%020llu.seg", dir, 5000ull);
    assert_int_equal(rename(src, dst), 0);
    sp = open_cfg(dir, 4096, 1 << 20, 0);
    ww_spool_stats(sp, &st);
    assert_int_equal(st.quarantined_segments, 1);
    assert_int_equal(access(dst, F_OK), -1);
    ww_spool_free(sp);
    rm_rf(other);
    free(other);
    rm_rf(dir);
    free(dir);
}

/* Damage that appears while running is skipped by the reader and the segment is
 * quarantined when it is retired. */
static void test_corrupt_at_runtime(void **state)
{
    char *dir = tmp_dir();
    ww_spool_t *sp = open_cfg(dir, 4096, 1 << 20, 0);
    for (uint64_t k = 1; k <= 60; k++)
        assert_int_equal(append_k(sp, "d", k, NULL), 0);
    assert_int_equal(ww_spool_commit(sp, NULL), 0);
    char path[512];
    first_segment(dir, path, sizeof path);
    flip(path, record_offset(path, 3) + 36);
    ww_spool_rec_t r;
    uint64_t n = 0;
    while (ww_spool_next(sp, &r) == 1) {
        assert_true(r.seq != 3);
        n++;
    }
    assert_int_equal(n, 59);
    assert_int_equal(ww_spool_checkpoint(sp, 60), 0);
    ww_spool_stats_t st;
    ww_spool_stats(sp, &st);
    assert_int_equal(st.damaged_regions, 1);
    assert_int_equal(st.quarantined_segments, 1);
    char q[700];
    snprintf(q, sizeof q, "%s/quarantine", dir);
    assert_int_equal(count_files(q, ".report"), 1);
    ww_spool_free(sp);
    rm_rf(dir);
    free(dir);
}

/* ---- checkpoint file ---- */

static void test_checkpoint_slots(void **state)
{
    char *dir = tmp_dir();
    ww_spool_t *sp = open_dir(dir);
    for (uint64_t k = 1; k <= 30; k++)
        assert_int_equal(append_k(sp, "k", k, NULL), 0);
    assert_int_equal(ww_spool_commit(sp, NULL), 0);
    ww_spool_rec_t r;
    for (int i = 0; i < 30; i++)
        assert_int_equal(ww_spool_next(sp, &r), 1);
    assert_int_equal(ww_spool_checkpoint(sp, 10), 0);
    assert_int_equal(ww_spool_checkpoint(sp, 20), 0);
    assert_int_equal(ww_spool_checkpoint(sp, 15), 0); /* going back is a no-op */
    ww_spool_free(sp);
    char path[600];
    snprintf(path, sizeof path, "%s/checkpoint", dir);
    struct stat fs;
    assert_int_equal(stat(path, &fs), 0);
    assert_int_equal(fs.st_size, 2 * SPOOL_CKPT_SLOT);

    sp = open_dir(dir);
    uint64_t first;
    assert_int_equal(drain_check(sp, &first, NULL), 10);
    assert_int_equal(first, 21);
    ww_spool_free(sp);

    /* The slot holding 20 is torn: the one holding 10 takes over (more replay, nothing
     * lost). */
    int fd = open(path, O_RDWR);
    uint8_t slot[SPOOL_CKPT_SLOT];
    uint64_t id, seq;
    unsigned torn = 2;
    for (unsigned s = 0; s < 2; s++) {
        assert_int_equal(pread(fd, slot, sizeof slot, s * SPOOL_CKPT_SLOT), (ssize_t)sizeof slot);
        if (ww__spool_ckpt_decode(slot, SPOOL_CKPT_LEN, &id, &seq) == 0 && seq == 20)
            torn = s;
    }
    assert_true(torn < 2);
    assert_int_equal(pwrite(fd, "xx", 2, torn * SPOOL_CKPT_SLOT + 17), 2);
    close(fd);
    sp = open_dir(dir);
    assert_int_equal(drain_check(sp, &first, NULL), 20);
    assert_int_equal(first, 11);
    ww_spool_free(sp);
    rm_rf(dir);
    free(dir);
}

/* A checkpoint beyond every record left (the newest records were lost to damage, or
 * segments removed by hand): numbering goes on after the checkpoint in a new segment,
 * so no segment ever holds a jump in its numbering that a later open would take for
 * damage and cut off. */
static void test_checkpoint_beyond_records(void **state)
{
    char *dir = tmp_dir();
    ww_spool_t *sp = open_dir(dir);
    for (uint64_t k = 1; k <= 10; k++)
        assert_int_equal(append_k(sp, "b", k, NULL), 0);
    uint64_t id = ww_spool_id(sp);
    ww_spool_free(sp);
    char path[600];
    snprintf(path, sizeof path, "%s/checkpoint", dir);
    uint8_t slots[2 * SPOOL_CKPT_SLOT] = {0};
    ww__spool_ckpt_encode(slots, id, 50);
    int fd = open(path, O_WRONLY | O_TRUNC);
    assert_int_equal(write(fd, slots, sizeof slots), (ssize_t)sizeof slots);
    close(fd);

    sp = open_dir(dir);
    assert_int_equal(drain_check(sp, NULL, NULL), 0);
    uint64_t seq;
    assert_int_equal(append_k(sp, "b", 51, &seq), 0);
    assert_int_equal(seq, 51);
    ww_spool_free(sp);
    assert_int_equal(count_files(dir, ".seg"), 2);
    sp = open_dir(dir);
    ww_spool_stats_t st;
    ww_spool_stats(sp, &st);
    assert_int_equal(st.torn_tails, 0);
    assert_int_equal(st.quarantined_segments, 0);
    uint64_t first, last;
    assert_int_equal(drain_check(sp, &first, &last), 1);
    assert_int_equal(first, 51);
    ww_spool_free(sp);
    rm_rf(dir);
    free(dir);
}

/* ---- the cap ---- */

static void test_cap_full(void **state)
{
    char *dir = tmp_dir();
    ww_spool_t *sp = open_cfg(dir, 4096, 8192, 0);
    uint64_t k = 1;
    int rc;
    while ((rc = append_k(sp, "f", k, NULL)) == 0)
        k++;
    assert_int_equal(rc, WW_SPOOL_EFULL);
    ww_spool_stats_t st;
    ww_spool_stats(sp, &st);
    assert_true(st.full);
    assert_int_equal(st.full_refusals, 1);
    assert_int_equal(st.enospc_refusals, 0);
    assert_true(st.bytes <= 8192);
    assert_int_equal(st.appended_seq, k - 1);
    /* Refused again while full, and counted again. */
    assert_int_equal(append_k(sp, "f", k, NULL), WW_SPOOL_EFULL);
    ww_spool_stats(sp, &st);
    assert_int_equal(st.full_refusals, 2);
    /* Processing frees whole segments; then acceptance resumes. */
    assert_int_equal(ww_spool_commit(sp, NULL), 0);
    ww_spool_stats(sp, &st);
    assert_true(st.segments >= 2);
    uint64_t last;
    assert_int_equal(drain_check(sp, NULL, &last), k - 1);
    assert_int_equal(ww_spool_checkpoint(sp, last), 0);
    ww_spool_stats_t st2;
    ww_spool_stats(sp, &st2);
    assert_int_equal(st2.segments, 1); /* only the active segment is left */
    assert_int_equal(st2.segments_deleted, st.segments - 1);
    assert_int_equal(append_k(sp, "f", k, NULL), 0);
    ww_spool_stats(sp, &st);
    assert_false(st.full);
    ww_spool_free(sp);
    rm_rf(dir);
    free(dir);
}

/* ---- batches built in place (ww_spool_batch_*) ---- */

static const char *built_src(uint64_t k, char *longsrc)
{
    return k % 3 == 0 ? "syslog-tcp\t10.0.0.1:514" : k % 3 == 1 ? "b" : longsrc;
}

/* Reads what is replayable, checking payload_for(seq) and the source each record was
 * given (built_src); returns the count. */
static uint64_t drain_built(ww_spool_t *sp, char *longsrc, uint64_t *last)
{
    ww_spool_rec_t r;
    uint64_t n = 0;
    while (ww_spool_next(sp, &r) == 1) {
        char buf[300];
        size_t len = payload_for(r.seq, buf, sizeof buf);
        assert_int_equal(r.payload.n, len);
        assert_memory_equal(r.payload.p, buf, len);
        const char *src = built_src(r.seq, longsrc);
        assert_int_equal(r.source.n, strlen(src));
        assert_memory_equal(r.source.p, src, r.source.n);
        assert_true(r.arrival_ns > 0);
        *last = r.seq;
        n++;
    }
    return n;
}

/* Records built in place replay like appended ones, with sources that change from
 * record to record (and one too long for the remembered checksum state); a batch the
 * full spool refused is appended whole once room returns, its checksums right; reopened,
 * nothing is damaged. */
static void test_built_batch(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    char longsrc[201];
    memset(longsrc, 's', 200);
    longsrc[200] = 0;
    ww_spool_t *sp = open_cfg(dir, 4096, 16384, 0);
    ww_spool_batch_t b;
    ww_spool_batch_init(&b);
    char big[600];
    memset(big, 'x', sizeof big);
    assert_int_equal(ww_spool_batch_add(&b, sp, "a", 1, big, 513), WW_EINVAL); /* > max_record */
    assert_int_equal(b.n, 0);
    uint64_t k = 1, last = 0;
    int rc = 0;
    for (;;) {
        ww_spool_batch_clear(&b);
        for (int i = 0; i < 5; i++, k++) {
            char buf[300];
            size_t n = payload_for(k, buf, sizeof buf);
            const char *src = built_src(k, longsrc);
            assert_int_equal(ww_spool_batch_add(&b, sp, src, strlen(src), buf, n), 0);
        }
        if ((rc = ww_spool_append_built(sp, &b, &last)) != 0)
            break;
        assert_int_equal(last, k - 1);
    }
    assert_int_equal(rc, WW_SPOOL_EFULL);
    assert_int_equal(ww_spool_commit(sp, NULL), 0);
    uint64_t seen = 0;
    assert_int_equal(drain_built(sp, longsrc, &seen), k - 6);
    assert_int_equal(ww_spool_checkpoint(sp, seen), 0);
    /* Room again: the refused batch goes as it is, numbered after the others. */
    assert_int_equal(ww_spool_append_built(sp, &b, &last), 0);
    assert_int_equal(last, k - 1);
    assert_int_equal(ww_spool_commit(sp, NULL), 0);
    assert_int_equal(drain_built(sp, longsrc, &seen), 5);
    assert_int_equal(seen, k - 1);
    ww_spool_free(sp);
    /* Every checksum holds when the segments are checked from the disk. */
    ww_spool_config_t cfg = {.dir = dir,
                             .segment_bytes = 4096,
                             .max_bytes = 16384,
                             .max_record = 512,
                             .retain_bytes = 0};
    ww_diag_t d;
    assert_int_equal(ww_spool_open(&cfg, &sp, &d), 0);
    ww_spool_stats_t st;
    ww_spool_stats(sp, &st);
    assert_int_equal(st.damaged_regions, 0);
    assert_int_equal(st.quarantined_segments, 0);
    assert_int_equal(st.torn_tails, 0);
    ww_spool_free(sp);
    ww_spool_batch_release(&b);
    rm_rf(dir);
    free(dir);
}

/* ---- a full disk: a 64 KiB tmpfs in a mount namespace of a child process ---- */

#define CHECK(c)                                                                  \
    do {                                                                          \
        if (!(c)) {                                                               \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); \
            _exit(1);                                                             \
        }                                                                         \
    } while (0)

static int enospc_child(void)
{
    if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
        return 77;
    char *mnt = tmp_dir();
    if (!mnt)
        return 77;
    if (mount("tmpfs", mnt, "tmpfs", 0, "size=64k") != 0)
        return 77;
    char dir[600], ballast[600];
    snprintf(dir, sizeof dir, "%s/spool", mnt);
    snprintf(ballast, sizeof ballast, "%s/ballast", mnt);
    /* The cap (1 MiB) is far above the disk (64 KiB): the disk fills first. */
    ww_spool_config_t cfg = {
        .dir = dir, .segment_bytes = 8192, .max_bytes = 1 << 20, .max_record = 512};
    ww_spool_t *sp;
    ww_diag_t d;
    CHECK(ww_spool_open(&cfg, &sp, &d) == 0);
    int fd = open(ballast, O_CREAT | O_WRONLY, 0600);
    char blk[8192] = {0};
    for (int i = 0; i < 2; i++)
        CHECK(write(fd, blk, sizeof blk) == (ssize_t)sizeof blk);
    close(fd);
    uint64_t k = 1;
    int rc;
    while ((rc = append_k(sp, "n", k, NULL)) == 0 && k < 100000)
        k++;
    CHECK(rc == WW_SPOOL_EFULL);
    ww_spool_stats_t st;
    ww_spool_stats(sp, &st);
    CHECK(st.enospc_refusals >= 1);
    CHECK(st.full_refusals == 0);
    CHECK(st.full);
    CHECK(st.appended_seq == k - 1);
    CHECK(append_k(sp, "n", k, NULL) == WW_SPOOL_EFULL);
    /* Everything accepted before is whole and durable. */
    uint64_t dur;
    CHECK(ww_spool_commit(sp, &dur) == 0 && dur == k - 1);
    /* Space comes back: acceptance resumes where it stopped. */
    CHECK(unlink(ballast) == 0);
    uint64_t seq;
    CHECK(append_k(sp, "n", k, &seq) == 0 && seq == k);
    CHECK(ww_spool_commit(sp, NULL) == 0);
    ww_spool_rec_t r;
    uint64_t n = 0;
    while (ww_spool_next(sp, &r) == 1) {
        char buf[300];
        size_t len = payload_for(r.seq, buf, sizeof buf);
        CHECK(r.seq == n + 1 && r.payload.n == len && memcmp(r.payload.p, buf, len) == 0);
        n++;
    }
    CHECK(n == k);
    ww_spool_free(sp);
    /* Reopened on the full disk, nothing is lost or damaged. */
    CHECK(ww_spool_open(&cfg, &sp, &d) == 0);
    ww_spool_stats(sp, &st);
    CHECK(st.quarantined_segments == 0 && st.torn_tails == 0);
    n = 0;
    while (ww_spool_next(sp, &r) == 1)
        n++;
    CHECK(n == k);
    ww_spool_free(sp);
    umount2(mnt, MNT_DETACH);
    rmdir(mnt);
    free(mnt);
    return 0;
}

static void test_enospc(void **state)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(enospc_child());
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 77)
        skip(); /* not allowed to mount a tmpfs here */
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- concurrent appenders, one consumer ---- */

#define NTHREADS 4
#define PER_THREAD 3000

typedef struct app_arg {
    ww_spool_t *sp;
    int id;
    int fail;
} app_arg_t;

static void *appender(void *p)
{
    app_arg_t *a = p;
    char src[16], pay[64];
    snprintf(src, sizeof src, "t%d", a->id);
    for (int i = 0; i < PER_THREAD; i++) {
        int n = snprintf(pay, sizeof pay, "%d:%d", a->id, i);
        ww_spool_in_t in = {src, strlen(src), pay, (size_t)n, 0};
        uint64_t seq;
        int rc;
        while ((rc = ww_spool_append(a->sp, &in, &seq)) == WW_SPOOL_EFULL)
            sched_yield(); /* back-pressure: the consumer frees room */
        if (rc != 0) {
            a->fail = rc;
            return NULL;
        }
        if (i % 500 == 0 && ww_spool_wait_durable(a->sp, seq, -1) != 1) {
            a->fail = -100;
            return NULL;
        }
    }
    return NULL;
}

static void test_concurrent_appenders(void **state)
{
    char *dir = tmp_dir();
    /* Small segments and a small cap: rotation, deletion and back-pressure all happen
     * while the threads run. */
    ww_spool_t *sp = open_cfg(dir, 16384, 65536, 500);
    pthread_t th[NTHREADS];
    app_arg_t args[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        args[i] = (app_arg_t){sp, i, 0};
        assert_int_equal(pthread_create(&th[i], NULL, appender, &args[i]), 0);
    }
    /* The consumer: every (thread, i) exactly once, each thread's in its order. */
    int next_i[NTHREADS] = {0};
    uint64_t seen = 0, prev = 0;
    ww_spool_rec_t r;
    while (seen < (uint64_t)NTHREADS * PER_THREAD) {
        int rc = ww_spool_next(sp, &r);
        assert_true(rc >= 0);
        if (rc == 0) {
            /* Caught up: record it, so full segments can go and the appenders,
             * held back by the cap, can go on. */
            if (prev)
                assert_int_equal(ww_spool_checkpoint(sp, prev), 0);
            ww_spool_wait_readable(sp, 50);
            continue;
        }
        assert_true(r.seq > prev);
        prev = r.seq;
        int t, i;
        char buf[64];
        assert_true(r.payload.n < sizeof buf);
        memcpy(buf, r.payload.p, r.payload.n);
        buf[r.payload.n] = 0;
        assert_int_equal(sscanf(buf, "%d:%d", &t, &i), 2);
        assert_true(t >= 0 && t < NTHREADS);
        assert_int_equal(i, next_i[t]);
        char src[16];
        snprintf(src, sizeof src, "t%d", t);
        assert_int_equal(r.source.n, strlen(src));
        assert_memory_equal(r.source.p, src, r.source.n);
        next_i[t]++;
        seen++;
        if (seen % 200 == 0)
            assert_int_equal(ww_spool_checkpoint(sp, r.seq), 0);
    }
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].fail, 0);
        assert_int_equal(next_i[i], PER_THREAD);
    }
    assert_int_equal(ww_spool_next(sp, &r), 0);
    ww_spool_stats_t st;
    ww_spool_stats(sp, &st);
    assert_int_equal(st.records_appended, (uint64_t)NTHREADS * PER_THREAD);
    assert_int_equal(st.records_durable, (uint64_t)NTHREADS * PER_THREAD);
    assert_true(st.segments_deleted > 0);
    assert_true(st.commits <= st.records_appended);
    ww_spool_free(sp);
    rm_rf(dir);
    free(dir);
}

/* ---- the crash test ---- */

typedef struct msg {
    char type; /* 'D': durable through v; 'C': checkpoint at v written */
    uint64_t v;
} msg_t;

static void crash_child(const char *dir, int wfd, unsigned seed)
{
    srand(seed);
    ww_spool_config_t cfg = {
        .dir = dir, .segment_bytes = 16384, .max_bytes = 4 << 20, .max_record = 512};
    ww_spool_t *sp;
    ww_diag_t d;
    CHECK(ww_spool_open(&cfg, &sp, &d) == 0);
    ww_spool_stats_t st;
    ww_spool_stats(sp, &st);
    uint64_t next = st.appended_seq + 1;
    for (;;) {
        int n = 1 + rand() % 40;
        for (int i = 0; i < n; i++) {
            char buf[300];
            uint64_t seq;
            if (rand() % 4 == 0) {
                /* A batch of three. */
                char b2[3][300];
                ww_spool_in_t in[3];
                for (int j = 0; j < 3; j++) {
                    size_t len = payload_for(next + (uint64_t)j, b2[j], sizeof b2[j]);
                    in[j] = (ww_spool_in_t){"crash", 5, b2[j], len, (int64_t)(next + j) * 1000};
                }
                CHECK(ww_spool_append_batch(sp, in, 3, &seq) == 0 && seq == next + 2);
                next += 3;
            } else {
                size_t len = payload_for(next, buf, sizeof buf);
                ww_spool_in_t in = {"crash", 5, buf, len, (int64_t)next * 1000};
                CHECK(ww_spool_append(sp, &in, &seq) == 0 && seq == next);
                next++;
            }
        }
        uint64_t dur;
        CHECK(ww_spool_commit(sp, &dur) == 0);
        msg_t m = {'D', dur};
        CHECK(write(wfd, &m, sizeof m) == (ssize_t)sizeof m);
        /* Consume some and checkpoint. */
        ww_spool_rec_t r;
        int take = rand() % 60, rc = 0;
        uint64_t last = 0;
        while (take-- > 0 && (rc = ww_spool_next(sp, &r)) == 1) {
            char buf[300];
            size_t len = payload_for(r.seq, buf, sizeof buf);
            CHECK(r.payload.n == len && memcmp(r.payload.p, buf, len) == 0);
            last = r.seq;
        }
        CHECK(rc >= 0);
        if (last && rand() % 2) {
            CHECK(ww_spool_checkpoint(sp, last) == 0);
            msg_t c = {'C', last};
            CHECK(write(wfd, &c, sizeof c) == (ssize_t)sizeof c);
        }
    }
}

static void test_crash_kill9(void **state)
{
    char *dir = tmp_dir();
    uint64_t max_durable = 0, max_ckpt = 0;
    unsigned kills = 0;
    srand(12345);
    for (int iter = 0; iter < 12; iter++) {
        int p[2];
        assert_int_equal(pipe(p), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(p[0]);
            crash_child(dir, p[1], 1000u + (unsigned)iter);
            _exit(0);
        }
        close(p[1]);
        /* Wait for a few reports, so that the kill lands in the middle of work, then
         * a little more at random.  No time is asserted: timing only moves the kill. */
        msg_t m;
        int want = 1 + rand() % 8;
        uint64_t it_durable = 0;
        while (want > 0 && read(p[0], &m, sizeof m) == (ssize_t)sizeof m) {
            if (m.type == 'D') {
                want--;
                it_durable = m.v;
            } else if (m.v > max_ckpt) {
                max_ckpt = m.v;
            }
            if (it_durable > max_durable)
                max_durable = it_durable;
        }
        usleep((useconds_t)(rand() % 3000));
        assert_int_equal(kill(pid, SIGKILL), 0);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        kills++;
        while (read(p[0], &m, sizeof m) == (ssize_t)sizeof m) {
            if (m.type == 'D' && m.v > max_durable)
                max_durable = m.v;
            if (m.type == 'C' && m.v > max_ckpt)
                max_ckpt = m.v;
        }
        close(p[0]);

        /* Every record reported durable and not yet processed replays exactly once,
         * whole, in order; the reported checkpoint held. */
        ww_spool_config_t cfg = {
            .dir = dir, .segment_bytes = 16384, .max_bytes = 4 << 20, .max_record = 512};
        ww_spool_t *sp;
        ww_diag_t d;
        assert_int_equal(ww_spool_open(&cfg, &sp, &d), 0);
        ww_spool_stats_t st;
        ww_spool_stats(sp, &st);
        assert_true(st.processed_seq >= max_ckpt);
        assert_true(st.appended_seq >= max_durable);
        assert_int_equal(st.quarantined_segments, 0);
        assert_int_equal(st.damaged_regions, 0);
        ww_spool_rec_t r;
        uint64_t expect = st.processed_seq + 1;
        while (ww_spool_next(sp, &r) == 1) {
            assert_int_equal(r.seq, expect); /* no gap, no repeat */
            check_payload(&r, r.seq);
            assert_int_equal(r.source.n, 5);
            expect++;
        }
        assert_true(expect - 1 >= max_durable);
        ww_spool_free(sp);
    }
    assert_true(kills >= 10);
    assert_true(max_durable > 0);
    rm_rf(dir);
    free(dir);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest unit[] = {
        cmocka_unit_test(test_crc32c),
        cmocka_unit_test(test_sha256_and_alert_id),
        cmocka_unit_test(test_append_commit_replay),
        cmocka_unit_test(test_bad_config),
        cmocka_unit_test(test_group_commit),
        cmocka_unit_test(test_rotation_and_deletion),
        cmocka_unit_test(test_history),
        cmocka_unit_test(test_torn_tail),
        cmocka_unit_test(test_corrupt_middle_quarantine),
        cmocka_unit_test(test_corrupt_older_segments),
        cmocka_unit_test(test_corrupt_at_runtime),
        cmocka_unit_test(test_checkpoint_slots),
        cmocka_unit_test(test_checkpoint_beyond_records),
        cmocka_unit_test(test_cap_full),
        cmocka_unit_test(test_built_batch),
        cmocka_unit_test(test_enospc),
        cmocka_unit_test(test_concurrent_appenders),
    };
    const struct CMUnitTest crash[] = {
        cmocka_unit_test(test_crash_kill9),
    };
    if (argc > 1 && strcmp(argv[1], "crash") == 0)
        return cmocka_run_group_tests_name("spool crash", crash, NULL, NULL);
    return cmocka_run_group_tests_name("spool", unit, NULL, NULL);
}
