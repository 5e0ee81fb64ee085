/* The spool at run time: opening and checking the directory, appending, group commit,
 * the replaying reader, checkpoints, segment deletion and quarantine.  The byte
 * format lives in ww_spool_fmt.c; the locking rules are in ww_spool.h. */
#include "spool/ww_spool_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define SEG_NAME_LEN 32 /* "%020llu.seg" and room */
#define MAX_BATCH 65536u

typedef struct seg {
    uint64_t first_seq;
    uint64_t last_seq;    /* first_seq - 1 while empty */
    uint64_t size;        /* bytes written (the read bound of a quarantined segment) */
    uint64_t durable_end; /* bytes known to be on disk */
    int fd;               /* for writing and syncing; -1 once sealed and synced */
    bool active;          /* the segment appends go to (always the last one) */
    bool quarantined;     /* lives in quarantine/ (under qname), read-only */
    bool damaged;         /* the reader met damage: quarantine instead of delete */
    uint32_t ndamage;
    ww__spool_damage_t damage; /* the first damage the reader met */
    char name[SEG_NAME_LEN];
    char qname[SEG_NAME_LEN + 24];
} seg_t;

struct ww_spool {
    ww_spool_config_t cfg;
    char *dir;
    int dirfd, qdirfd, lockfd;
    uint64_t id;

    pthread_mutex_t mu;
    pthread_cond_t durable_cv; /* durable point moved, a commit ended, or the spool failed */
    pthread_cond_t sync_cv;    /* wakes the commit thread */

    /* Guarded by mu. */
    seg_t *segs;
    size_t nsegs, segs_cap;
    uint64_t next_seq, durable_seq, ckpt_seq;
    uint64_t bytes;
    unsigned ckpt_slot; /* the slot the last checkpoint went to */
    bool dir_dirty;     /* a segment was created since the last commit */
    bool committing;
    bool failed; /* a sync failed: appends refused until reopened */
    bool full;
    bool thr_on, stop;
    pthread_t thr;
    ww_spool_stats_t st;
    uint64_t retain_from; /* ww_spool_retain */

    /* The reader: consumer thread only (r_seen is read under mu by wait_readable). */
    uint64_t r_from;   /* read the first segment whose first_seq >= this */
    uint64_t r_cur;    /* first_seq of the mapped segment, 0 = none */
    uint64_t r_off;    /* next offset in it */
    uint64_t r_fast;   /* durable end of it when last looked at: read up to it unlocked */
    uint64_t replayed; /* __atomic: records handed to the consumer */
    uint64_t r_prev;   /* last valid sequence number seen in it */
    bool r_strict;     /* the next record must be r_prev + 1 (not right after damage) */
    uint64_t r_last;   /* last sequence number handed out (or the checkpoint) */
    uint64_t r_seen;   /* durable_seq when the reader last ran dry */
    const uint8_t *r_map;
    size_t r_maplen;
};

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void seg_name(char out[SEG_NAME_LEN], uint64_t first_seq)
{
    snprintf(out, SEG_NAME_LEN, "%020llu.seg", (unsigned long long)first_seq);
}

static bool is_seg_name(const char *n)
{
    size_t i = 0;
    for (; i < 20; i++)
        if (n[i] < '0' || n[i] > '9')
            return false;
    return strcmp(n + 20, ".seg") == 0;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Index of the first segment whose first_seq >= s (nsegs when none).  Under mu. */
static size_t seg_find(const ww_spool_t *sp, uint64_t s)
{
    size_t lo = 0, hi = sp->nsegs;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (sp->segs[mid].first_seq < s)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static seg_t *seg_push(ww_spool_t *sp)
{
    if (sp->nsegs == sp->segs_cap) {
        size_t cap = sp->segs_cap ? sp->segs_cap * 2 : 16;
        seg_t *n = realloc(sp->segs, cap * sizeof *n);
        if (!n)
            return NULL;
        sp->segs = n;
        sp->segs_cap = cap;
    }
    seg_t *s = &sp->segs[sp->nsegs++];
    memset(s, 0, sizeof *s);
    s->fd = -1;
    return s;
}

static int fsync_counted(ww_spool_t *sp, int fd, bool data_only)
{
    int rc = data_only ? fdatasync(fd) : fsync(fd);
    pthread_mutex_lock(&sp->mu);
    sp->st.fsyncs++;
    pthread_mutex_unlock(&sp->mu);
    return rc;
}

/* ---- quarantine ---- */

/* Moves segment `name` into quarantine/ (under a name not taken yet, written to qname)
 * and writes <qname>.report beside it: which file, where the damage is and why, and
 * which records are still read from it.  Returns 0 or WW_EIO. */
static int quarantine(ww_spool_t *sp, const char *name, char qname[SEG_NAME_LEN + 24],
                      const ww__spool_damage_t *dmg, uint32_t ndmg, uint32_t ndmg_total,
                      const ww__spool_damage_t *tail, const char *whole_why, uint64_t nrecords,
                      uint64_t first_seq, uint64_t last_seq)
{
    snprintf(qname, SEG_NAME_LEN + 24, "%s", name);
    for (unsigned i = 1; faccessat(sp->qdirfd, qname, F_OK, 0) == 0 && i < 1000; i++)
        snprintf(qname, SEG_NAME_LEN + 24, "%s.%u", name, i);
    if (renameat(sp->dirfd, name, sp->qdirfd, qname) != 0) {
        WW_LOG(WW_LOG_ERROR, "spool: cannot move %s/%s to quarantine: %s", sp->dir, name,
               strerror(errno));
        return WW_EIO;
    }
    ww_buf_t b;
    ww_buf_init(&b, 64 * 1024);
    char when[40];
    ww_time_format(now_ns(), when, sizeof when);
    ww_buf_printf(&b, "segment: %s/%s\nquarantined: %s/quarantine/%s\ntime: %s\n", sp->dir, name,
                  sp->dir, qname, when);
    if (whole_why)
        ww_buf_printf(&b, "damage: offset 0: %s; no record is read from this file\n", whole_why);
    for (uint32_t i = 0; i < ndmg; i++)
        ww_buf_printf(&b, "damage: offset %llu, %llu bytes skipped: %s\n",
                      (unsigned long long)dmg[i].off, (unsigned long long)dmg[i].len, dmg[i].why);
    if (ndmg_total > ndmg)
        ww_buf_printf(&b, "damage: %u more damaged ranges not listed\n", ndmg_total - ndmg);
    if (tail)
        ww_buf_printf(&b, "damage: offset %llu to the end (%llu bytes) holds no valid record: %s\n",
                      (unsigned long long)tail->off, (unsigned long long)tail->len, tail->why);
    if (!whole_why)
        ww_buf_printf(&b,
                      "kept: %llu valid records (sequence %llu to %llu, less the damaged ones) "
                      "are still replayed from the quarantined file; records overlapping a "
                      "damaged range are lost\n",
                      (unsigned long long)nrecords, (unsigned long long)first_seq,
                      (unsigned long long)last_seq);
    char rname[SEG_NAME_LEN + 32];
    snprintf(rname, sizeof rname, "%s.report", qname);
    int fd = openat(sp->qdirfd, rname, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, b.p, b.n) != (ssize_t)b.n)
        WW_LOG(WW_LOG_ERROR, "spool: cannot write %s/quarantine/%s: %s", sp->dir, rname,
               strerror(errno));
    if (fd >= 0) {
        fsync_counted(sp, fd, true);
        close(fd);
    }
    fsync_counted(sp, sp->qdirfd, false);
    fsync_counted(sp, sp->dirfd, false);
    /* The first damage line tells the operator enough to look; the report has all. */
    const char *first = whole_why ? whole_why : ndmg ? dmg[0].why : tail ? tail->why : "";
    WW_LOG(WW_LOG_WARN, "spool: segment %s/%s quarantined (%s); report in %s/quarantine/%s",
           sp->dir, name, first, sp->dir, rname);
    ww_buf_release(&b);
    pthread_mutex_lock(&sp->mu);
    sp->st.quarantined_segments++;
    pthread_mutex_unlock(&sp->mu);
    return 0;
}

/* ---- checkpoint file ---- */

static int ckpt_read(ww_spool_t *sp, bool *have, uint64_t *id, uint64_t *seq)
{
    *have = false;
    int fd = openat(sp->dirfd, "checkpoint", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : WW_EIO;
    uint8_t buf[2 * SPOOL_CKPT_SLOT];
    ssize_t n = pread(fd, buf, sizeof buf, 0);
    close(fd);
    if (n < 0)
        return WW_EIO;
    for (unsigned slot = 0; slot < 2; slot++) {
        uint64_t i, s;
        if ((size_t)n < (slot + 1) * SPOOL_CKPT_SLOT ||
            ww__spool_ckpt_decode(buf + slot * SPOOL_CKPT_SLOT, SPOOL_CKPT_LEN, &i, &s) != 0)
            continue;
        if (!*have || s > *seq) {
            *have = true;
            *id = i;
            *seq = s;
            sp->ckpt_slot = slot;
        }
    }
    if (!*have && n > 0)
        WW_LOG(WW_LOG_WARN, "spool: %s/checkpoint is damaged; replaying every segment", sp->dir);
    return 0;
}

/* Writes seq to the slot after ckpt_slot and syncs.  Only the consumer (or open)
 * calls this, so ckpt_slot needs no lock. */
static int ckpt_write(ww_spool_t *sp, uint64_t seq)
{
    uint8_t slot[SPOOL_CKPT_SLOT] = {0};
    ww__spool_ckpt_encode(slot, sp->id, seq);
    unsigned to = sp->ckpt_slot ^ 1;
    int fd = openat(sp->dirfd, "checkpoint", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return WW_EIO;
    int rc = 0;
    if (pwrite(fd, slot, sizeof slot, (off_t)to * SPOOL_CKPT_SLOT) != (ssize_t)sizeof slot ||
        fsync_counted(sp, fd, true) != 0)
        rc = WW_EIO;
    close(fd);
    if (rc == 0)
        sp->ckpt_slot = to;
    return rc;
}

/* A new checkpoint file, both slots allocated (written), so later checkpoints never
 * need a free block. */
static int ckpt_create(ww_spool_t *sp, uint64_t seq)
{
    uint8_t buf[2 * SPOOL_CKPT_SLOT] = {0};
    ww__spool_ckpt_encode(buf, sp->id, seq);
    int fd = openat(sp->dirfd, "checkpoint.tmp", O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0)
        return WW_EIO;
    int rc = 0;
    if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf || fsync_counted(sp, fd, true) != 0)
        rc = WW_EIO;
    close(fd);
    if (rc == 0 && renameat(sp->dirfd, "checkpoint.tmp", sp->dirfd, "checkpoint") != 0)
        rc = WW_EIO;
    if (rc == 0 && fsync_counted(sp, sp->dirfd, false) != 0)
        rc = WW_EIO;
    sp->ckpt_slot = 0;
    return rc;
}

/* ---- open ---- */

static int check_config(ww_spool_config_t *c, ww_diag_t *diag)
{
    if (!c->dir || !*c->dir) {
        ww_diag_set(diag, "", 0, 0, "spool: no directory given");
        return WW_EINVAL;
    }
    if (!c->max_bytes)
        c->max_bytes = 1ull << 30;
    if (!c->segment_bytes)
        c->segment_bytes = c->max_bytes / 4 < (64u << 20) ? c->max_bytes / 4 : (64u << 20);
    if (!c->max_record) {
        /* 1 MiB, or what fits a small segment. */
        uint64_t fit =
            c->segment_bytes > SPOOL_SEG_HDR + SPOOL_REC_HDR + WW_SPOOL_MAX_SOURCE + 8
                ? c->segment_bytes - SPOOL_SEG_HDR - SPOOL_REC_HDR - WW_SPOOL_MAX_SOURCE - 8
                : 0;
        c->max_record = fit < (1u << 20) ? (uint32_t)fit : 1u << 20;
    }
    if (!c->commit_records)
        c->commit_records = 1024;
    if (c->segment_bytes < 4096 || c->segment_bytes > (1ull << 32)) {
        ww_diag_set(diag, c->dir, 0, 0, "spool: segment size %llu outside 4 KiB..4 GiB",
                    (unsigned long long)c->segment_bytes);
        return WW_EINVAL;
    }
    if (c->max_record > WW_SPOOL_MAX_RECORD ||
        SPOOL_SEG_HDR +
                ww__spool_pad(SPOOL_REC_HDR + WW_SPOOL_MAX_SOURCE + (uint64_t)c->max_record) >
            c->segment_bytes) {
        ww_diag_set(diag, c->dir, 0, 0,
                    "spool: a record of %u bytes would not fit a %llu-byte segment", c->max_record,
                    (unsigned long long)c->segment_bytes);
        return WW_EINVAL;
    }
    if (c->retain_bytes > c->max_bytes / 2) {
        ww_diag_set(diag, c->dir, 0, 0, "spool: history of %llu bytes over half the cap %llu",
                    (unsigned long long)c->retain_bytes, (unsigned long long)c->max_bytes);
        return WW_EINVAL;
    }
    if (c->max_bytes < 2 * c->segment_bytes) {
        ww_diag_set(diag, c->dir, 0, 0,
                    "spool: size cap %llu leaves no room for two %llu-byte segments",
                    (unsigned long long)c->max_bytes, (unsigned long long)c->segment_bytes);
        return WW_EINVAL;
    }
    return 0;
}

static bool is_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* Checks one segment file found at open and decides: keep, cut its torn tail,
 * quarantine, or remove.  `last` says it is the newest file. */
static int open_segment(ww_spool_t *sp, const char *name, bool last, uint64_t *prev_last,
                        ww_diag_t *diag)
{
    int rc = 0;
    uint8_t *map = NULL;
    struct stat st;
    int fd = openat(sp->dirfd, name, O_RDWR | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
        ww_diag_set(diag, name, 0, 0, "spool: cannot open segment: %s", strerror(errno));
        rc = WW_EIO;
        goto out;
    }
    uint64_t n = (uint64_t)st.st_size;
    if (n < SPOOL_SEG_HDR) {
        /* Creation was interrupted before the header was whole: nothing was ever
         * written to it. */
        WW_LOG(WW_LOG_WARN, "spool: removing %s/%s, cut short before its header", sp->dir, name);
        unlinkat(sp->dirfd, name, 0);
        goto out;
    }
    map = mmap(NULL, n, PROT_READ, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) {
        map = NULL;
        ww_diag_set(diag, name, 0, 0, "spool: cannot map segment: %s", strerror(errno));
        rc = WW_EIO;
        goto out;
    }
    const char *why = NULL;
    char whybuf[112];
    uint64_t hid = 0, first = 0;
    if (ww__spool_seg_header_check(map, n, &hid, &first, &why) == 0) {
        if (!sp->id)
            sp->id = hid;
        if (hid != sp->id) {
            snprintf(whybuf, sizeof whybuf, "belongs to another spool (id %016llx, not %016llx)",
                     (unsigned long long)hid, (unsigned long long)sp->id);
            why = whybuf;
        } else if (strtoull(name, NULL, 10) != first) {
            snprintf(whybuf, sizeof whybuf, "file name disagrees with header (first sequence %llu)",
                     (unsigned long long)first);
            why = whybuf;
        } else if (first <= *prev_last) {
            snprintf(whybuf, sizeof whybuf, "first sequence %llu overlaps the previous segment",
                     (unsigned long long)first);
            why = whybuf;
        }
    }
    char qname[SEG_NAME_LEN + 24];
    if (why && last && is_zero(map, SPOOL_SEG_HDR)) {
        /* The newest file with a header never written (a crash right after creating
         * it; file systems show unwritten blocks as zeros): none of its records can
         * have been synced, since a commit syncs the header with them. */
        WW_LOG(WW_LOG_WARN, "spool: removing %s/%s, its header was never written", sp->dir, name);
        unlinkat(sp->dirfd, name, 0);
        goto out;
    }
    if (why) {
        quarantine(sp, name, qname, NULL, 0, 0, NULL, why, 0, 0, 0);
        goto out;
    }
    ww__spool_scan_t scan;
    ww__spool_scan(map, n, sp->id, first, &scan);
    pthread_mutex_lock(&sp->mu);
    sp->st.damaged_regions += scan.ndamage;
    pthread_mutex_unlock(&sp->mu);
    bool quar = scan.ndamage > 0 || (scan.tail_damage && !last);
    if (scan.tail_damage && !quar) {
        /* A write that kill -9 or a crash interrupted: never synced, so never
         * acknowledged.  Cut it off so appends continue after the last whole record. */
        WW_LOG(WW_LOG_WARN, "spool: %s/%s: cutting %llu bytes at offset %llu (%s)", sp->dir, name,
               (unsigned long long)(n - scan.valid_end), (unsigned long long)scan.valid_end,
               scan.tail.why);
        if (ftruncate(fd, (off_t)scan.valid_end) != 0 || fsync_counted(sp, fd, true) != 0) {
            ww_diag_set(diag, name, 0, 0, "spool: cannot cut torn tail: %s", strerror(errno));
            rc = WW_EIO;
            goto out;
        }
        pthread_mutex_lock(&sp->mu);
        sp->st.torn_tails++;
        sp->st.torn_bytes += n - scan.valid_end;
        pthread_mutex_unlock(&sp->mu);
        n = scan.valid_end;
    }
    if (scan.last_seq > *prev_last)
        *prev_last = scan.last_seq;
    if (quar) {
        uint32_t nd = scan.ndamage < SPOOL_MAX_DAMAGE ? scan.ndamage : SPOOL_MAX_DAMAGE;
        if (quarantine(sp, name, qname, scan.damage, nd, scan.ndamage,
                       scan.tail_damage ? &scan.tail : NULL, NULL, scan.nrecords, first,
                       scan.last_seq) != 0) {
            ww_diag_set(diag, name, 0, 0, "spool: cannot quarantine damaged segment");
            rc = WW_EIO;
            goto out;
        }
        if (scan.nrecords == 0 || scan.last_seq <= sp->ckpt_seq)
            goto out; /* nothing left to replay from it */
    } else if (!last &&
               (scan.nrecords == 0 || (scan.last_seq <= sp->ckpt_seq && !sp->cfg.retain_bytes))) {
        /* Empty, or processed before a crash stopped its deletion (and no history is
           kept: else retire() decides once every segment is known). */
        unlinkat(sp->dirfd, name, 0);
        goto out;
    }
    pthread_mutex_lock(&sp->mu);
    seg_t *s = seg_push(sp);
    if (!s) {
        pthread_mutex_unlock(&sp->mu);
        rc = WW_ENOMEM;
        goto out;
    }
    s->first_seq = first;
    s->last_seq = scan.last_seq;
    s->size = s->durable_end = quar ? n : scan.valid_end;
    snprintf(s->name, sizeof s->name, "%s", name);
    if (quar) {
        s->quarantined = true;
        snprintf(s->qname, sizeof s->qname, "%s", qname);
    } else {
        sp->bytes += s->size;
        if (last) {
            s->active = true;
            s->fd = fd;
            fd = -1;
        }
    }
    pthread_mutex_unlock(&sp->mu);
out:
    if (map)
        munmap(map, (size_t)st.st_size);
    if (fd >= 0)
        close(fd);
    return rc;
}

static void *sync_main(void *arg);
static seg_t *active_seg(ww_spool_t *sp);
static size_t retire_count(const ww_spool_t *sp, size_t k);

int ww_spool_open(const ww_spool_config_t *cfg_in, ww_spool_t **out, ww_diag_t *diag)
{
    int rc = 0;
    char **names = NULL;
    size_t nnames = 0, names_cap = 0;
    DIR *d = NULL;
    ww_spool_config_t cfg = *cfg_in;
    if ((rc = check_config(&cfg, diag)) != 0)
        return rc;
    ww_spool_t *sp = calloc(1, sizeof *sp);
    if (!sp)
        return WW_ENOMEM;
    sp->cfg = cfg;
    sp->dirfd = sp->qdirfd = sp->lockfd = -1;
    pthread_mutex_init(&sp->mu, NULL);
    pthread_cond_init(&sp->durable_cv, NULL);
    pthread_cond_init(&sp->sync_cv, NULL);
    sp->dir = strdup(cfg.dir);
    if (!sp->dir) {
        rc = WW_ENOMEM;
        goto out;
    }
    sp->cfg.dir = sp->dir;
    if (mkdir(sp->dir, 0700) != 0 && errno != EEXIST) {
        ww_diag_set(diag, sp->dir, 0, 0, "spool: cannot create directory: %s", strerror(errno));
        rc = WW_EIO;
        goto out;
    }
    sp->dirfd = open(sp->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (sp->dirfd < 0) {
        ww_diag_set(diag, sp->dir, 0, 0, "spool: cannot open directory: %s", strerror(errno));
        rc = WW_EIO;
        goto out;
    }
    sp->lockfd = openat(sp->dirfd, "lock", O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    if (sp->lockfd < 0 || flock(sp->lockfd, LOCK_EX | LOCK_NB) != 0) {
        ww_diag_set(diag, sp->dir, 0, 0, "spool: cannot lock the directory: %s",
                    errno == EWOULDBLOCK ? "another process is using it" : strerror(errno));
        rc = WW_EIO;
        goto out;
    }
    if ((mkdirat(sp->dirfd, "quarantine", 0700) != 0 && errno != EEXIST) ||
        (sp->qdirfd = openat(sp->dirfd, "quarantine", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        ww_diag_set(diag, sp->dir, 0, 0, "spool: cannot use quarantine/: %s", strerror(errno));
        rc = WW_EIO;
        goto out;
    }
    unlinkat(sp->dirfd, "checkpoint.tmp", 0);
    bool have_ckpt;
    uint64_t ckpt_id = 0, ckpt = 0;
    if (ckpt_read(sp, &have_ckpt, &ckpt_id, &ckpt) != 0) {
        ww_diag_set(diag, sp->dir, 0, 0, "spool: cannot read checkpoint: %s", strerror(errno));
        rc = WW_EIO;
        goto out;
    }
    if (have_ckpt) {
        sp->id = ckpt_id;
        sp->ckpt_seq = ckpt;
    }

    d = fdopendir(dup(sp->dirfd));
    if (!d) {
        rc = WW_EIO;
        goto out;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!is_seg_name(de->d_name))
            continue;
        if (nnames == names_cap) {
            size_t cap = names_cap ? names_cap * 2 : 16;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) {
                rc = WW_ENOMEM;
                goto out;
            }
            names = nn;
            names_cap = cap;
        }
        if (!(names[nnames] = strdup(de->d_name))) {
            rc = WW_ENOMEM;
            goto out;
        }
        nnames++;
    }
    if (nnames)
        qsort(names, nnames, sizeof *names, cmp_name);
    uint64_t prev_last = 0;
    for (size_t i = 0; i < nnames; i++)
        if ((rc = open_segment(sp, names[i], i + 1 == nnames, &prev_last, diag)) != 0)
            goto out;

    if (!sp->id) {
        if (getrandom(&sp->id, sizeof sp->id, 0) != sizeof sp->id)
            sp->id = (uint64_t)now_ns() ^ ((uint64_t)getpid() << 32);
        if (!sp->id)
            sp->id = 1;
    }
    uint64_t top = prev_last > sp->ckpt_seq ? prev_last : sp->ckpt_seq;
    sp->next_seq = top + 1;
    /* Appends continue in the newest segment only where its numbering does: after a
     * checkpoint beyond every record left (segments lost or cut), a new one starts. */
    seg_t *act = active_seg(sp);
    if (act && act->last_seq + 1 != sp->next_seq) {
        act->active = false;
        close(act->fd);
        act->fd = -1;
    }
    sp->durable_seq = top;
    sp->r_last = sp->ckpt_seq;
    if (sp->cfg.retain_bytes) {
        /* Processed segments were kept above: the newest within retain_bytes stay as
           history, the older go; the reader starts after them. */
        size_t k = 0;
        while (k < sp->nsegs && !sp->segs[k].active && sp->segs[k].last_seq <= sp->ckpt_seq)
            k++;
        size_t gone = retire_count(sp, k);
        for (size_t i = 0; i < gone; i++) {
            if (!sp->segs[i].quarantined) {
                unlinkat(sp->dirfd, sp->segs[i].name, 0);
                sp->bytes -= sp->segs[i].size;
            }
            if (sp->segs[i].fd >= 0)
                close(sp->segs[i].fd);
        }
        if (gone) {
            memmove(sp->segs, sp->segs + gone, (sp->nsegs - gone) * sizeof *sp->segs);
            sp->nsegs -= gone;
        }
        sp->r_from = k - gone < sp->nsegs ? sp->segs[k - gone].first_seq : sp->ckpt_seq + 1;
    }
    if (!have_ckpt && (rc = ckpt_create(sp, sp->ckpt_seq)) != 0) {
        ww_diag_set(diag, sp->dir, 0, 0, "spool: cannot write checkpoint: %s", strerror(errno));
        goto out;
    }
    fsync_counted(sp, sp->dirfd, false); /* removals and renames made above */
    if (cfg.commit_interval_us) {
        if (pthread_create(&sp->thr, NULL, sync_main, sp) != 0) {
            rc = WW_ENOMEM;
            goto out;
        }
        sp->thr_on = true;
    }
out:
    if (d)
        closedir(d);
    for (size_t i = 0; i < nnames; i++)
        free(names[i]);
    free(names);
    if (rc != 0) {
        ww_spool_free(sp);
        return rc;
    }
    *out = sp;
    return 0;
}

/* ---- append ---- */

static seg_t *active_seg(ww_spool_t *sp)
{
    if (sp->nsegs && sp->segs[sp->nsegs - 1].active)
        return &sp->segs[sp->nsegs - 1];
    return NULL;
}

static bool is_enospc(int e)
{
    return e == ENOSPC || e == EDQUOT;
}

/* Starts a new segment for next_seq.  Under mu.  0, WW_SPOOL_EFULL or WW_EIO. */
static int rotate(ww_spool_t *sp)
{
    char name[SEG_NAME_LEN];
    seg_name(name, sp->next_seq);
    uint8_t hdr[SPOOL_SEG_HDR];
    ww__spool_seg_header(hdr, sp->id, sp->next_seq, now_ns());
    int fd = openat(sp->dirfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0)
        return is_enospc(errno) ? WW_SPOOL_EFULL : WW_EIO;
    if (pwrite(fd, hdr, sizeof hdr, 0) != (ssize_t)sizeof hdr) {
        int e = errno;
        close(fd);
        unlinkat(sp->dirfd, name, 0);
        return is_enospc(e) ? WW_SPOOL_EFULL : WW_EIO;
    }
    seg_t *old = active_seg(sp);
    size_t old_i = old ? (size_t)(old - sp->segs) : 0;
    seg_t *s = seg_push(sp); /* may move the array */
    if (!s) {
        close(fd);
        unlinkat(sp->dirfd, name, 0);
        return WW_ENOMEM;
    }
    if (old) {
        old = &sp->segs[old_i];
        old->active = false;
        if (old->durable_end == old->size) {
            close(old->fd);
            old->fd = -1;
        }
    }
    s->first_seq = sp->next_seq;
    s->last_seq = sp->next_seq - 1;
    s->size = SPOOL_SEG_HDR;
    s->fd = fd;
    s->active = true;
    memcpy(s->name, name, sizeof name);
    sp->bytes += SPOOL_SEG_HDR;
    sp->dir_dirty = true;
    return 0;
}

/* Writes all of iov at off, continuing after short writes.  0 or errno. */
static int write_all(int fd, struct iovec *iov, int cnt, uint64_t off)
{
    while (cnt > 0) {
        int chunk = cnt < 1024 ? cnt : 1024; /* IOV_MAX */
        ssize_t w = pwritev(fd, iov, chunk, (off_t)off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        if (w == 0)
            return EIO;
        off += (uint64_t)w;
        while (cnt > 0 && (size_t)w >= iov->iov_len) {
            w -= (ssize_t)iov->iov_len;
            iov++;
            cnt--;
        }
        if (cnt > 0) {
            iov->iov_base = (char *)iov->iov_base + w;
            iov->iov_len -= (size_t)w;
        }
    }
    return 0;
}

/* The part of an append that needs the lock: room (rotating to a new segment when
 * this one would pass its size), the sequence numbers, stamp(ctx, seq0, now) to put
 * them into the headers, one positioned write of iov, the bookkeeping.  total is the
 * padded size of the n records; all or none of them land. */
static int append_locked(ww_spool_t *sp, uint64_t total, size_t n, struct iovec *iov, int cnt,
                         void (*stamp)(void *ctx, uint64_t seq0, int64_t now), void *ctx,
                         uint64_t *last_seq_out)
{
    int64_t now = now_ns();
    int rc = 0;
    pthread_mutex_lock(&sp->mu);
    if (sp->failed) {
        rc = WW_EIO;
        goto unlock;
    }
    seg_t *s = active_seg(sp);
    bool rot = !s || (s->size + total > sp->cfg.segment_bytes && s->last_seq >= s->first_seq);
    if (sp->bytes + total + (rot ? SPOOL_SEG_HDR : 0) > sp->cfg.max_bytes) {
        sp->st.full_refusals++;
        sp->full = true;
        rc = WW_SPOOL_EFULL;
        goto unlock;
    }
    if (rot && (rc = rotate(sp)) != 0) {
        if (rc == WW_SPOOL_EFULL) {
            sp->st.enospc_refusals++;
            sp->full = true;
        }
        goto unlock;
    }
    s = active_seg(sp);
    uint64_t seq0 = sp->next_seq;
    stamp(ctx, seq0, now);
    int e = write_all(s->fd, iov, cnt, s->size);
    if (e) {
        /* Take back whatever part reached the file, so the segment ends on a whole
         * record and the next append lands where the reader expects it. */
        if (ftruncate(s->fd, (off_t)s->size) != 0) {
            sp->failed = true;
            pthread_cond_broadcast(&sp->durable_cv);
            rc = WW_EIO;
        } else if (is_enospc(e)) {
            sp->st.enospc_refusals++;
            sp->full = true;
            rc = WW_SPOOL_EFULL;
        } else {
            rc = WW_EIO;
        }
        WW_LOG(WW_LOG_WARN, "spool: append to %s/%s refused: %s", sp->dir, s->name, strerror(e));
        goto unlock;
    }
    s->size += total;
    s->last_seq = seq0 + n - 1;
    sp->next_seq += n;
    sp->bytes += total;
    sp->full = false;
    sp->st.records_appended += n;
    sp->st.bytes_appended += total;
    if (sp->thr_on) {
        uint64_t pending = sp->next_seq - 1 - sp->durable_seq;
        if (pending == n || pending >= sp->cfg.commit_records)
            pthread_cond_signal(&sp->sync_cv);
    }
    if (last_seq_out)
        *last_seq_out = seq0 + n - 1;
unlock:
    pthread_mutex_unlock(&sp->mu);
    return rc;
}

typedef struct in_stamp {
    const ww_spool_in_t *recs;
    size_t n;
    uint8_t *hdrs;
    const uint32_t *crcs;
} in_stamp_t;

static void stamp_in(void *ctx, uint64_t seq0, int64_t now)
{
    in_stamp_t *t = ctx;
    for (size_t i = 0; i < t->n; i++)
        ww__spool_rec_header(t->hdrs + i * SPOOL_REC_HDR, t->crcs[i], seq0 + i,
                             t->recs[i].arrival_ns ? t->recs[i].arrival_ns : now,
                             (uint16_t)t->recs[i].source_n, (uint32_t)t->recs[i].payload_n);
}

int ww_spool_append_batch(ww_spool_t *sp, const ww_spool_in_t *recs, size_t n,
                          uint64_t *last_seq_out)
{
    static const uint8_t zeros[SPOOL_ALIGN];
    if (!sp || !recs || n == 0 || n > MAX_BATCH)
        return WW_EINVAL;
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (recs[i].source_n > WW_SPOOL_MAX_SOURCE || recs[i].payload_n > sp->cfg.max_record ||
            (recs[i].source_n && !recs[i].source) || (recs[i].payload_n && !recs[i].payload))
            return WW_EINVAL;
        total += ww__spool_pad(SPOOL_REC_HDR + recs[i].source_n + recs[i].payload_n);
    }
    if (SPOOL_SEG_HDR + total > sp->cfg.segment_bytes)
        return WW_EINVAL; /* a batch must fit one segment */

    /* Everything that does not need the sequence number is done before the lock:
     * memory and the checksums of the bodies. */
    uint8_t hdr1[SPOOL_REC_HDR];
    struct iovec iov1[4];
    uint32_t crc1;
    uint8_t *hdrs = n == 1 ? hdr1 : malloc(n * SPOOL_REC_HDR);
    struct iovec *iov = n == 1 ? iov1 : malloc(n * 4 * sizeof *iov);
    uint32_t *crcs = n == 1 ? &crc1 : malloc(n * sizeof *crcs);
    int rc = 0, cnt = 0;
    if (!hdrs || !iov || !crcs) {
        rc = WW_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const ww_spool_in_t *r = &recs[i];
        crcs[i] = ww__spool_body_crc(sp->id, r->source, r->source_n, r->payload, r->payload_n);
        iov[cnt++] = (struct iovec){hdrs + i * SPOOL_REC_HDR, SPOOL_REC_HDR};
        if (r->source_n)
            iov[cnt++] = (struct iovec){(void *)r->source, r->source_n};
        if (r->payload_n)
            iov[cnt++] = (struct iovec){(void *)r->payload, r->payload_n};
        size_t len = SPOOL_REC_HDR + r->source_n + r->payload_n;
        if (ww__spool_pad(len) != len)
            iov[cnt++] = (struct iovec){(void *)zeros, ww__spool_pad(len) - len};
    }
    in_stamp_t t = {recs, n, hdrs, crcs};
    rc = append_locked(sp, total, n, iov, cnt, stamp_in, &t, last_seq_out);
out:
    if (n != 1) {
        free(hdrs);
        free(iov);
        free(crcs);
    }
    return rc;
}

/* ---- batches built in place ---- */

void ww_spool_batch_init(ww_spool_batch_t *b)
{
    memset(b, 0, sizeof *b);
    ww_buf_init(&b->buf, 0);
    ww_buf_init(&b->crcs, 0);
}

void ww_spool_batch_clear(ww_spool_batch_t *b)
{
    ww_buf_clear(&b->buf);
    ww_buf_clear(&b->crcs);
    b->n = 0;
}

void ww_spool_batch_release(ww_spool_batch_t *b)
{
    ww_buf_release(&b->buf);
    ww_buf_release(&b->crcs);
    b->n = 0;
}

int ww_spool_batch_add(ww_spool_batch_t *b, const ww_spool_t *sp, const char *source,
                       size_t source_n, const void *payload, size_t payload_n)
{
    if (source_n > WW_SPOOL_MAX_SOURCE || payload_n > sp->cfg.max_record || (source_n && !source) ||
        (payload_n && !payload) || b->n == MAX_BATCH)
        return WW_EINVAL;
    size_t len = SPOOL_REC_HDR + source_n + payload_n, padded = (size_t)ww__spool_pad(len);
    if (SPOOL_SEG_HDR + b->buf.n + padded > sp->cfg.segment_bytes)
        return WW_EINVAL; /* the batch must fit one segment */
    if (ww_buf_reserve(&b->buf, padded) != 0 || ww_buf_reserve(&b->crcs, sizeof(uint32_t)) != 0)
        return WW_ENOMEM;
    /* The checksum runs over the spool id, the source, then the payload: the state
     * after the first two is the same for every record of one sender. */
    if (b->crc_id != sp->id || b->crc_src_n != source_n ||
        (source_n && memcmp(b->crc_src, source, source_n) != 0)) {
        bool keep = source_n <= sizeof b->crc_src; /* else computed each time */
        b->crc_state = ww__spool_body_crc(sp->id, source, source_n, NULL, 0);
        b->crc_id = sp->id;
        b->crc_src_n = keep ? source_n : SIZE_MAX;
        if (keep && source_n)
            memcpy(b->crc_src, source, source_n);
    }
    /* The body's checksum waits beside the records: stamping finishes it with the
       header (and may do so again after a refused append). */
    uint32_t body = ww__spool_crc32c(b->crc_state, payload, payload_n);
    memcpy(b->crcs.p + b->crcs.n, &body, sizeof body);
    b->crcs.n += sizeof body;
    uint8_t *h = (uint8_t *)b->buf.p + b->buf.n;
    ww__put32(h, 0);
    ww__put32(h + 4, (uint32_t)len);
    memset(h + 8, 0, 16); /* sequence number, arrival, checksum: stamped */
    ww__put16(h + 24, (uint16_t)source_n);
    ww__put16(h + 26, 0);
    ww__put32(h + 28, (uint32_t)payload_n);
    if (source_n)
        memcpy(h + SPOOL_REC_HDR, source, source_n);
    if (payload_n)
        memcpy(h + SPOOL_REC_HDR + source_n, payload, payload_n);
    memset(h + len, 0, padded - len);
    b->buf.n += padded;
    b->n++;
    return 0;
}

static void stamp_built(void *ctx, uint64_t seq0, int64_t now)
{
    ww_spool_batch_t *b = ctx;
    uint8_t *h = (uint8_t *)b->buf.p;
    const uint8_t *crc = (const uint8_t *)b->crcs.p;
    for (uint32_t i = 0; i < b->n; i++) {
        uint32_t len = ww__get32(h + 4), body;
        memcpy(&body, crc + i * sizeof body, sizeof body);
        ww__put64(h + 8, seq0 + i);
        ww__put64(h + 16, (uint64_t)now);
        ww__put32(h, ww__spool_crc32c(body, h + 4, SPOOL_REC_HDR - 4));
        h += ww__spool_pad(len);
    }
}

int ww_spool_append_built(ww_spool_t *sp, ww_spool_batch_t *b, uint64_t *last_seq_out)
{
    if (!sp || !b || b->n == 0)
        return WW_EINVAL;
    struct iovec iov = {b->buf.p, b->buf.n};
    return append_locked(sp, b->buf.n, b->n, &iov, 1, stamp_built, b, last_seq_out);
}

int ww_spool_append(ww_spool_t *sp, const ww_spool_in_t *rec, uint64_t *seq_out)
{
    return ww_spool_append_batch(sp, rec, 1, seq_out);
}

/* ---- commit ---- */

typedef struct snap {
    uint64_t first_seq, size;
    int fd;
} snap_t;

int ww_spool_commit(ww_spool_t *sp, uint64_t *durable_out)
{
    int rc = 0;
    snap_t *snaps = NULL;
    size_t nsnap = 0;
    pthread_mutex_lock(&sp->mu);
    uint64_t want = sp->next_seq - 1;
    /* Concurrent callers: wait for the commit in progress; it may cover us. */
    while (sp->committing && !sp->failed && sp->durable_seq < want)
        pthread_cond_wait(&sp->durable_cv, &sp->mu);
    if (sp->failed) {
        rc = WW_EIO;
        goto unlock;
    }
    if (sp->durable_seq >= want && !sp->dir_dirty)
        goto unlock;
    while (sp->committing) /* covered us only partly: ours is the next one */
        pthread_cond_wait(&sp->durable_cv, &sp->mu);
    if (sp->failed) {
        rc = WW_EIO;
        goto unlock;
    }
    sp->committing = true;
    uint64_t target = sp->next_seq - 1;
    bool dir = sp->dir_dirty;
    sp->dir_dirty = false;
    snaps = malloc((sp->nsegs ? sp->nsegs : 1) * sizeof *snaps);
    if (!snaps) {
        sp->committing = false;
        sp->dir_dirty |= dir;
        pthread_cond_broadcast(&sp->durable_cv);
        rc = WW_ENOMEM;
        goto unlock;
    }
    for (size_t i = 0; i < sp->nsegs; i++) {
        seg_t *s = &sp->segs[i];
        if (s->fd >= 0 && s->durable_end < s->size)
            snaps[nsnap++] = (snap_t){s->first_seq, s->size, s->fd};
    }
    pthread_mutex_unlock(&sp->mu);

    /* The group commit: appends go on while the disk works. */
    int err = 0;
    uint64_t nsync = 0;
    for (size_t i = 0; i < nsnap; i++, nsync++)
        if (fdatasync(snaps[i].fd) != 0 && !err)
            err = errno;
    /* A new segment's name must be on disk too, or its records vanish with it. */
    if (dir && !err) {
        nsync++;
        if (fsync(sp->dirfd) != 0)
            err = errno;
    }

    pthread_mutex_lock(&sp->mu);
    sp->st.fsyncs += nsync;
    bool advanced = false;
    if (err) {
        /* Linux reports a writeback error once and then forgets it: retrying would
         * "succeed" with the data gone.  Refuse everything until reopened. */
        sp->failed = true;
        rc = WW_EIO;
        WW_LOG(WW_LOG_ERROR, "spool: sync failed in %s: %s; appends refused until restart", sp->dir,
               strerror(err));
    } else {
        for (size_t i = 0; i < nsnap; i++) {
            size_t k = seg_find(sp, snaps[i].first_seq);
            if (k == sp->nsegs || sp->segs[k].first_seq != snaps[i].first_seq)
                continue;
            seg_t *s = &sp->segs[k];
            if (s->durable_end < snaps[i].size)
                s->durable_end = snaps[i].size;
            if (!s->active && s->durable_end == s->size && s->fd >= 0) {
                close(s->fd);
                s->fd = -1;
            }
        }
        if (target > sp->durable_seq) {
            sp->st.records_durable += target - sp->durable_seq;
            sp->durable_seq = target;
            advanced = true;
        }
        sp->st.commits++;
    }
    pthread_cond_broadcast(&sp->durable_cv);
    pthread_mutex_unlock(&sp->mu);
    /* Still "committing": callbacks come in order and never overlap. */
    if (advanced && sp->cfg.on_durable)
        sp->cfg.on_durable(sp->cfg.ud, target);
    pthread_mutex_lock(&sp->mu);
    sp->committing = false;
    pthread_cond_broadcast(&sp->durable_cv);
unlock:
    if (rc == 0 && durable_out)
        *durable_out = sp->durable_seq;
    pthread_mutex_unlock(&sp->mu);
    free(snaps);
    return rc;
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The commit thread.  A commit starts at once when records wait and the last one
 * started at least commit_interval_us ago (so a lone record waits only for its own
 * sync), or when commit_records have piled up; otherwise it waits out the interval, and
 * everything appended meanwhile shares the next fdatasync. */
static void *sync_main(void *arg)
{
    ww_spool_t *sp = arg;
    int64_t last_start = 0;
    pthread_mutex_lock(&sp->mu);
    while (!sp->stop) {
        uint64_t pending = sp->next_seq - 1 - sp->durable_seq;
        if (sp->failed || pending == 0) {
            pthread_cond_wait(&sp->sync_cv, &sp->mu);
            continue;
        }
        int64_t wait = last_start + (int64_t)sp->cfg.commit_interval_us * 1000 - mono_ns();
        if (pending < sp->cfg.commit_records && wait > 0) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            int64_t ns = (int64_t)ts.tv_nsec + wait;
            ts.tv_sec += (time_t)(ns / 1000000000);
            ts.tv_nsec = (long)(ns % 1000000000);
            pthread_cond_timedwait(&sp->sync_cv, &sp->mu, &ts);
            continue;
        }
        last_start = mono_ns();
        pthread_mutex_unlock(&sp->mu);
        ww_spool_commit(sp, NULL);
        pthread_mutex_lock(&sp->mu);
    }
    pthread_mutex_unlock(&sp->mu);
    return NULL;
}

uint64_t ww_spool_durable_seq(ww_spool_t *sp)
{
    pthread_mutex_lock(&sp->mu);
    uint64_t d = sp->durable_seq;
    pthread_mutex_unlock(&sp->mu);
    return d;
}

static void deadline(struct timespec *ts, int timeout_ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += timeout_ms / 1000;
    ts->tv_nsec += (long)(timeout_ms % 1000) * 1000000;
    if (ts->tv_nsec >= 1000000000) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000;
    }
}

int ww_spool_wait_durable(ww_spool_t *sp, uint64_t seq, int timeout_ms)
{
    struct timespec ts;
    if (timeout_ms >= 0)
        deadline(&ts, timeout_ms);
    pthread_mutex_lock(&sp->mu);
    int rc;
    for (;;) {
        if (sp->durable_seq >= seq) {
            rc = 1;
            break;
        }
        if (sp->failed) {
            rc = WW_EIO;
            break;
        }
        if (seq >= sp->next_seq) {
            rc = WW_EINVAL; /* never handed out: it would wait forever */
            break;
        }
        if (!sp->thr_on) {
            pthread_mutex_unlock(&sp->mu);
            int c = ww_spool_commit(sp, NULL);
            pthread_mutex_lock(&sp->mu);
            if (c < 0 && !sp->failed) {
                rc = c;
                break;
            }
            continue;
        }
        if (timeout_ms < 0) {
            pthread_cond_wait(&sp->durable_cv, &sp->mu);
        } else if (pthread_cond_timedwait(&sp->durable_cv, &sp->mu, &ts) == ETIMEDOUT) {
            rc = sp->durable_seq >= seq ? 1 : 0;
            break;
        }
    }
    pthread_mutex_unlock(&sp->mu);
    return rc;
}

/* ---- the reader ---- */

static void reader_unmap(ww_spool_t *sp)
{
    if (sp->r_map)
        munmap((void *)sp->r_map, sp->r_maplen);
    sp->r_map = NULL;
    sp->r_maplen = 0;
    sp->r_cur = 0;
    sp->r_fast = 0;
}

/* Maps a segment read-only, large enough for all it may grow to. */
static int reader_map(ww_spool_t *sp, const seg_t *s)
{
    int fd = openat(s->quarantined ? sp->qdirfd : sp->dirfd, s->quarantined ? s->qname : s->name,
                    O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        WW_LOG(WW_LOG_ERROR, "spool: cannot read %s/%s: %s", sp->dir, s->name, strerror(errno));
        if (fd >= 0)
            close(fd);
        return WW_EIO;
    }
    uint64_t len = (uint64_t)st.st_size;
    if (s->active && len < sp->cfg.segment_bytes)
        len = sp->cfg.segment_bytes;
    if (len < s->size)
        len = s->size;
    void *m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED)
        return WW_ENOMEM;
    sp->r_map = m;
    sp->r_maplen = len;
    sp->r_cur = s->first_seq;
    sp->r_off = SPOOL_SEG_HDR;
    sp->r_fast = 0;
    sp->r_prev = s->first_seq - 1;
    sp->r_strict = true;
    return 0;
}

int ww_spool_next(ww_spool_t *sp, ww_spool_rec_t *rec)
{
    /* The quick way, for the common case: the next record of the segment mapped,
     * before the durable end seen last time, whole and in sequence.  No lock: taking
     * the spool's lock for each record would contend with every input's appends.
     * Anything else (the end, damage, a sequence gap) goes the full way below. */
    while (sp->r_cur && sp->r_off < sp->r_fast) {
        char why[112];
        uint64_t len =
            ww__spool_rec_check(sp->r_map, sp->r_fast, sp->r_off, sp->id, rec, why, sizeof why);
        if (!len || (sp->r_strict ? rec->seq != sp->r_prev + 1 : rec->seq <= sp->r_prev))
            break;
        sp->r_off += len;
        sp->r_prev = rec->seq;
        sp->r_strict = true;
        if (rec->seq <= sp->r_last)
            continue;
        sp->r_last = rec->seq;
        __atomic_add_fetch(&sp->replayed, 1, __ATOMIC_RELAXED);
        return 1;
    }
    for (;;) {
        pthread_mutex_lock(&sp->mu);
        uint64_t durable = sp->durable_seq;
        size_t k = seg_find(sp, sp->r_cur ? sp->r_cur : sp->r_from);
        if (k == sp->nsegs) {
            sp->r_seen = durable;
            pthread_mutex_unlock(&sp->mu);
            return 0;
        }
        seg_t s = sp->segs[k]; /* a copy: the array may move once unlocked */
        pthread_mutex_unlock(&sp->mu);

        if (sp->r_cur != s.first_seq) {
            reader_unmap(sp);
            int rc = reader_map(sp, &s);
            if (rc != 0)
                return rc;
        }
        uint64_t bound = s.quarantined ? s.size : s.durable_end;
        sp->r_fast = s.quarantined ? 0 : bound;
        while (sp->r_off < bound) {
            char why[112];
            uint64_t len =
                ww__spool_rec_check(sp->r_map, bound, sp->r_off, sp->id, rec, why, sizeof why);
            /* The same rule as the check at open (ww__spool_scan), so the reader never
             * hands out a record that open counted as damage. */
            if (len && (sp->r_strict ? rec->seq != sp->r_prev + 1 : rec->seq <= sp->r_prev)) {
                snprintf(why, sizeof why, "sequence %llu where %llu was due",
                         (unsigned long long)rec->seq, (unsigned long long)(sp->r_prev + 1));
                len = 0;
            }
            if (len) {
                sp->r_off += len;
                sp->r_prev = rec->seq;
                sp->r_strict = true;
                if (rec->seq <= sp->r_last)
                    continue; /* processed before the checkpoint */
                sp->r_last = rec->seq;
                __atomic_add_fetch(&sp->replayed, 1, __ATOMIC_RELAXED);
                return 1;
            }
            uint64_t next = ww__spool_resync(sp->r_map, bound, sp->r_off, sp->id, sp->r_prev);
            if (!s.quarantined) {
                /* Damage that appeared after open (the disk, or someone else): skip it
                 * now, quarantine the file when it is retired. */
                WW_LOG(WW_LOG_ERROR, "spool: %s/%s offset %llu: %s; %llu bytes skipped", sp->dir,
                       s.name, (unsigned long long)sp->r_off, why,
                       (unsigned long long)(next - sp->r_off));
                pthread_mutex_lock(&sp->mu);
                size_t j = seg_find(sp, s.first_seq);
                if (j < sp->nsegs && sp->segs[j].first_seq == s.first_seq) {
                    seg_t *t = &sp->segs[j];
                    if (!t->damaged) {
                        t->damage.off = sp->r_off;
                        t->damage.len = next - sp->r_off;
                        snprintf(t->damage.why, sizeof t->damage.why, "%s", why);
                    }
                    t->damaged = true;
                    t->ndamage++;
                }
                sp->st.damaged_regions++;
                pthread_mutex_unlock(&sp->mu);
            }
            sp->r_off = next;
            sp->r_strict = false;
        }
        bool sealed = !s.active && (s.quarantined || s.durable_end == s.size);
        if (!sealed) {
            pthread_mutex_lock(&sp->mu);
            sp->r_seen = durable;
            pthread_mutex_unlock(&sp->mu);
            return 0;
        }
        /* Done with this segment: on to the next one. */
        sp->r_from = s.first_seq + 1;
        reader_unmap(sp);
    }
}

int ww_spool_wait_readable(ww_spool_t *sp, int timeout_ms)
{
    struct timespec ts;
    if (timeout_ms >= 0)
        deadline(&ts, timeout_ms);
    pthread_mutex_lock(&sp->mu);
    int rc = 1;
    while (sp->durable_seq <= sp->r_seen && !sp->failed) {
        if (timeout_ms < 0) {
            pthread_cond_wait(&sp->durable_cv, &sp->mu);
        } else if (pthread_cond_timedwait(&sp->durable_cv, &sp->mu, &ts) == ETIMEDOUT) {
            rc = sp->durable_seq > sp->r_seen;
            break;
        }
    }
    pthread_mutex_unlock(&sp->mu);
    return rc;
}

/* ---- checkpoint and retirement ---- */

/* How many of the first k segments (processed, left behind by the reader) go: all of
 * them without history; else those before the newest run that fits retain_bytes and
 * holds records at or after retain_from.  Under mu. */
static size_t retire_count(const ww_spool_t *sp, size_t k)
{
    if (!sp->cfg.retain_bytes)
        return k;
    uint64_t kept = 0;
    size_t d = k;
    while (d > 0) {
        const seg_t *s = &sp->segs[d - 1];
        uint64_t sz = s->quarantined ? 0 : s->size;
        if (s->last_seq < sp->retain_from || kept + sz > sp->cfg.retain_bytes)
            break;
        kept += sz;
        d--;
    }
    return d;
}

/* Processed bytes kept for history.  Under mu. */
static uint64_t retained(const ww_spool_t *sp)
{
    uint64_t n = 0;
    for (size_t i = 0; i < sp->nsegs && !sp->segs[i].active && sp->segs[i].last_seq <= sp->ckpt_seq;
         i++)
        n += sp->segs[i].quarantined ? 0 : sp->segs[i].size;
    return n;
}

int ww_spool_checkpoint(ww_spool_t *sp, uint64_t seq)
{
    if (seq > sp->r_last)
        return WW_EINVAL;
    pthread_mutex_lock(&sp->mu);
    uint64_t old = sp->ckpt_seq;
    pthread_mutex_unlock(&sp->mu);
    if (seq <= old)
        return 0;
    if (ckpt_write(sp, seq) != 0) {
        WW_LOG(WW_LOG_ERROR, "spool: cannot write %s/checkpoint: %s", sp->dir, strerror(errno));
        return WW_EIO;
    }

    /* Retire segments wholly processed and already left behind by the reader. */
    seg_t *gone = NULL;
    size_t ngone = 0;
    pthread_mutex_lock(&sp->mu);
    sp->ckpt_seq = seq;
    sp->st.checkpoints++;
    sp->st.records_processed += seq - old;
    size_t limit = sp->r_cur ? seg_find(sp, sp->r_cur) : seg_find(sp, sp->r_from);
    size_t k = 0;
    while (k < limit && !sp->segs[k].active && sp->segs[k].last_seq <= seq)
        k++;
    k = retire_count(sp, k);
    if (k) {
        gone = malloc(k * sizeof *gone);
        if (gone) {
            memcpy(gone, sp->segs, k * sizeof *gone);
            ngone = k;
            for (size_t i = 0; i < k; i++)
                if (!gone[i].quarantined)
                    sp->bytes -= gone[i].size;
            memmove(sp->segs, sp->segs + k, (sp->nsegs - k) * sizeof *sp->segs);
            sp->nsegs -= k;
        }
    }
    pthread_mutex_unlock(&sp->mu);

    uint64_t deleted = 0;
    for (size_t i = 0; i < ngone; i++) {
        seg_t *s = &gone[i];
        if (s->fd >= 0)
            close(s->fd);
        if (s->quarantined)
            continue; /* stays in quarantine/ for the operator */
        if (s->damaged) {
            char qname[SEG_NAME_LEN + 24];
            quarantine(sp, s->name, qname, &s->damage, 1, s->ndamage, NULL, NULL, 0, s->first_seq,
                       s->last_seq);
            continue;
        }
        if (unlinkat(sp->dirfd, s->name, 0) != 0)
            WW_LOG(WW_LOG_WARN, "spool: cannot delete %s/%s: %s", sp->dir, s->name,
                   strerror(errno));
        else
            deleted++;
    }
    free(gone);
    pthread_mutex_lock(&sp->mu);
    sp->st.segments_deleted += deleted;
    pthread_mutex_unlock(&sp->mu);
    return 0;
}

/* ---- the rest ---- */

void ww_spool_retain(ww_spool_t *sp, uint64_t seq)
{
    pthread_mutex_lock(&sp->mu);
    sp->retain_from = seq;
    pthread_mutex_unlock(&sp->mu);
}

int ww_spool_history(ww_spool_t *sp, uint64_t from_seq, ww_spool_history_fn fn, void *ud)
{
    pthread_mutex_lock(&sp->mu);
    uint64_t ckpt = sp->ckpt_seq;
    size_t n = 0;
    seg_t *v = malloc((sp->nsegs ? sp->nsegs : 1) * sizeof *v);
    for (size_t i = 0; v && i < sp->nsegs && sp->segs[i].first_seq <= ckpt; i++)
        if (sp->segs[i].last_seq >= from_seq)
            v[n++] = sp->segs[i]; /* copies: the array may move once unlocked */
    pthread_mutex_unlock(&sp->mu);
    if (!v)
        return WW_ENOMEM;
    int rc = 0;
    /* The segments named here are not deleted meanwhile: only the consumer (this
       thread) retires segments, in ww_spool_checkpoint. */
    for (size_t i = 0; i < n && rc == 0; i++) {
        const seg_t *s = &v[i];
        uint64_t bound = s->quarantined ? s->size : s->durable_end;
        if (bound <= SPOOL_SEG_HDR)
            continue;
        int fd = openat(s->quarantined ? sp->qdirfd : sp->dirfd,
                        s->quarantined ? s->qname : s->name, O_RDONLY | O_CLOEXEC);
        void *m = fd < 0 ? MAP_FAILED : mmap(NULL, bound, PROT_READ, MAP_SHARED, fd, 0);
        if (fd >= 0)
            close(fd);
        if (m == MAP_FAILED) {
            WW_LOG(WW_LOG_ERROR, "spool: cannot read %s/%s: %s", sp->dir, s->name, strerror(errno));
            rc = WW_EIO;
            break;
        }
        uint64_t off = SPOOL_SEG_HDR, prev = s->first_seq - 1;
        while (off < bound && rc == 0) {
            ww_spool_rec_t rec;
            char why[112];
            uint64_t len = ww__spool_rec_check(m, bound, off, sp->id, &rec, why, sizeof why);
            if (len && rec.seq <= prev)
                len = 0; /* not where the sequence goes on: as the reader treats it */
            if (!len) {
                off = ww__spool_resync(m, bound, off, sp->id, prev);
                continue;
            }
            off += len;
            prev = rec.seq;
            if (rec.seq > ckpt)
                break;
            if (rec.seq >= from_seq)
                rc = fn(ud, &rec);
        }
        munmap(m, bound);
    }
    free(v);
    return rc;
}

void ww_spool_stats(ww_spool_t *sp, ww_spool_stats_t *out)
{
    pthread_mutex_lock(&sp->mu);
    *out = sp->st;
    out->records_replayed = __atomic_load_n(&sp->replayed, __ATOMIC_RELAXED);
    out->retained_bytes = retained(sp);
    out->bytes = sp->bytes;
    out->max_bytes = sp->cfg.max_bytes;
    out->segments = 0;
    for (size_t i = 0; i < sp->nsegs; i++)
        out->segments += !sp->segs[i].quarantined;
    out->full = sp->full;
    out->appended_seq = sp->next_seq - 1;
    out->durable_seq = sp->durable_seq;
    out->processed_seq = sp->ckpt_seq;
    pthread_mutex_unlock(&sp->mu);
}

uint64_t ww_spool_id(const ww_spool_t *sp)
{
    return sp->id;
}

void ww_spool_position(const ww_spool_t *sp, uint64_t seq, uint8_t out[16])
{
    for (int i = 0; i < 8; i++) {
        out[i] = (uint8_t)(sp->id >> (56 - 8 * i));
        out[8 + i] = (uint8_t)(seq >> (56 - 8 * i));
    }
}

void ww_spool_free(ww_spool_t *sp)
{
    if (!sp)
        return;
    if (sp->thr_on) {
        pthread_mutex_lock(&sp->mu);
        sp->stop = true;
        pthread_cond_broadcast(&sp->sync_cv);
        pthread_mutex_unlock(&sp->mu);
        pthread_join(sp->thr, NULL);
        sp->thr_on = false;
    }
    if (sp->dirfd >= 0 && sp->next_seq && !sp->failed)
        ww_spool_commit(sp, NULL);
    reader_unmap(sp);
    for (size_t i = 0; i < sp->nsegs; i++)
        if (sp->segs[i].fd >= 0)
            close(sp->segs[i].fd);
    free(sp->segs);
    if (sp->qdirfd >= 0)
        close(sp->qdirfd);
    if (sp->lockfd >= 0)
        close(sp->lockfd); /* releases the lock */
    if (sp->dirfd >= 0)
        close(sp->dirfd);
    pthread_mutex_destroy(&sp->mu);
    pthread_cond_destroy(&sp->durable_cv);
    pthread_cond_destroy(&sp->sync_cv);
    free(sp->dir);
    free(sp);
}
