/* Spool throughput: T threads append R-byte records for S seconds while the commit
 * thread group-commits (every I microseconds or N records) and one consumer replays
 * and checkpoints, so the spool never fills.  Three ways an input may use it:
 *   async  append and move on; acknowledge later from the durable point
 *   batch  append B records, then wait until they are durable (an HTTP batch, a
 *          Lumberjack window)
 *   sync   append one record and wait until it is durable (the worst case)
 * Prints appends/s, MB/s, records per fdatasync.  Not a test: numbers depend on the
 * disk.  Usage: spool_bench DIR [threads] [record-bytes] [seconds] [interval-us]
 *               [commit-records] [mode] [batch] */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "spool/ww_spool.h"

typedef struct bench {
    ww_spool_t *sp;
    size_t rec;
    int mode; /* 0 async, 1 batch, 2 sync */
    int batch;
    atomic_bool stop;
    atomic_uint_fast64_t appended;
    atomic_uint_fast64_t refused;
} bench_t;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *appender(void *p)
{
    bench_t *b = p;
    char *pay = malloc(b->rec);
    ww_spool_in_t *in = calloc((size_t)b->batch, sizeof *in);
    if (!pay || !in)
        return NULL;
    for (size_t i = 0; i < b->rec; i++)
        pay[i] = (char)('a' + i % 26);
    for (int i = 0; i < b->batch; i++)
        in[i] = (ww_spool_in_t){"bench 127.0.0.1", 15, pay, b->rec, 0};
    while (!atomic_load(&b->stop)) {
        uint64_t seq;
        int n = b->mode == 1 ? b->batch : 1;
        int rc = n == 1 ? ww_spool_append(b->sp, in, &seq)
                        : ww_spool_append_batch(b->sp, in, (size_t)n, &seq);
        if (rc == WW_SPOOL_EFULL) {
            atomic_fetch_add(&b->refused, 1);
            ww_spool_wait_durable(b->sp, ww_spool_durable_seq(b->sp) + 1, 1);
            continue;
        }
        if (rc != 0) {
            fprintf(stderr, "append: %s\n", ww_strerror(rc));
            break;
        }
        atomic_fetch_add(&b->appended, (uint64_t)n);
        if (b->mode != 0 && ww_spool_wait_durable(b->sp, seq, -1) != 1)
            break;
    }
    free(in);
    free(pay);
    return NULL;
}

static void *consumer(void *p)
{
    bench_t *b = p;
    ww_spool_rec_t r;
    uint64_t n = 0, last = 0, ckpt = 0;
    double t_ckpt = now_s();
    /* A checkpoint costs an fdatasync: write one per 50,000 records or 100 ms, as a
     * pipeline would, not one per record. */
    while (!atomic_load(&b->stop)) {
        int rc = ww_spool_next(b->sp, &r);
        if (rc == 1) {
            last = r.seq;
            n++;
        } else {
            ww_spool_wait_readable(b->sp, 10);
        }
        if (last > ckpt && (n % 50000 == 0 || now_s() - t_ckpt > 0.1)) {
            ww_spool_checkpoint(b->sp, last);
            ckpt = last;
            t_ckpt = now_s();
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr,
                "usage: %s DIR [threads 4] [record-bytes 200] [seconds 5] "
                "[interval-us 1000] [commit-records 4096] [async|batch|sync] [batch 100]\n",
                argv[0]);
        return 2;
    }
    int threads = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 4;
    bench_t b = {.rec = argc > 3 ? (size_t)strtoul(argv[3], NULL, 10) : 200, .batch = 1};
    double secs = argc > 4 ? strtod(argv[4], NULL) : 5;
    uint32_t interval = argc > 5 ? (uint32_t)strtoul(argv[5], NULL, 10) : 1000;
    uint32_t nrec = argc > 6 ? (uint32_t)strtoul(argv[6], NULL, 10) : 4096;
    const char *mode = argc > 7 ? argv[7] : "async";
    b.mode = strcmp(mode, "batch") == 0 ? 1 : strcmp(mode, "sync") == 0 ? 2 : 0;
    if (b.mode == 1)
        b.batch = argc > 8 ? (int)strtol(argv[8], NULL, 10) : 100;
    if (threads < 1 || threads > 64 || b.batch < 1 || interval == 0)
        return 2;
    ww_spool_config_t cfg = {.dir = argv[1],
                             .max_bytes = 2ull << 30,
                             .segment_bytes = 64u << 20,
                             .max_record = 65536,
                             .commit_interval_us = interval,
                             .commit_records = nrec};
    ww_diag_t d;
    int rc = ww_spool_open(&cfg, &b.sp, &d);
    if (rc != 0) {
        fprintf(stderr, "%s: %s\n", argv[1], d.msg);
        return 1;
    }
    ww_spool_stats_t st0, st;
    ww_spool_stats(b.sp, &st0);
    pthread_t th[65];
    double t0 = now_s();
    for (int i = 0; i < threads; i++)
        pthread_create(&th[i], NULL, appender, &b);
    pthread_create(&th[threads], NULL, consumer, &b);
    struct timespec ts = {(time_t)secs, (long)((secs - (double)(time_t)secs) * 1e9)};
    nanosleep(&ts, NULL);
    atomic_store(&b.stop, true);
    for (int i = 0; i < threads; i++)
        pthread_join(th[i], NULL);
    uint64_t dur;
    ww_spool_commit(b.sp, &dur);
    double el = now_s() - t0;
    pthread_join(th[threads], NULL);
    ww_spool_stats(b.sp, &st);
    uint64_t n = atomic_load(&b.appended);
    uint64_t syncs = st.fsyncs - st0.fsyncs;
    printf("mode=%s threads=%d record=%zu interval_us=%u commit_records=%u batch=%d\n", mode,
           threads, b.rec, interval, nrec, b.batch);
    printf("appended %llu in %.2f s: %.0f appends/s, %.1f MB/s of records; durable %llu\n",
           (unsigned long long)n, el, (double)n / el, (double)(st.bytes_appended) / el / 1e6,
           (unsigned long long)(st.records_durable));
    printf("commits %llu, fsyncs %llu (%.0f/s), %.0f records per commit; full refusals %llu\n",
           (unsigned long long)st.commits, (unsigned long long)syncs, (double)syncs / el,
           st.commits ? (double)st.records_durable / (double)st.commits : 0.0,
           (unsigned long long)atomic_load(&b.refused));
    ww_spool_free(b.sp);
    return 0;
}
