/* The tail input (see ww_tail.h): one thread polling its globs every POLL_MS.
 *
 * Per file: the bytes read (`off`), a partial last line kept until its LF comes, and a
 * short queue of (spool sequence, end offset) marks; the saved position is the end of
 * the last mark the spool has made durable. */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "serve/ww_tail.h"

#define POLL_MS 250
#define READ_CHUNK (256u << 10)
#define MAX_FILES 4096
#define MARKS 64

typedef struct mark {
    uint64_t seq, off;
} mark_t;

typedef struct tfile {
    char *path;
    dev_t dev;
    ino_t ino;
    int fd;
    uint64_t off;   /* bytes consumed (complete lines, plus the partial one in `part`) */
    uint64_t saved; /* the durable position */
    char *part;     /* a line without its LF yet */
    size_t npart;
    mark_t marks[MARKS]; /* appended, not yet known durable, oldest first */
    uint32_t nmarks;
    bool seen; /* matched a glob this round */
} tfile_t;

struct ww_tail {
    const ww_sc_input_t *cfg;
    ww_spool_t *sp;
    ww_serve_input_stats_t *st;
    char pos_path[4200];
    tfile_t *files;
    size_t nfiles;
    pthread_t tid;
    bool started;
    volatile int stop;
    bool dirty;
    uint8_t *buf;
};

static void count(uint64_t *c, uint64_t n)
{
    __atomic_add_fetch(c, n, __ATOMIC_RELAXED);
}

/* ---- positions ---- */

static void save_positions(ww_tail_t *t)
{
    char tmp[4300];
    snprintf(tmp, sizeof tmp, "%s.tmp", t->pos_path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return;
    for (size_t i = 0; i < t->nfiles; i++)
        fprintf(f, "%llu %llu %llu %s\n", (unsigned long long)t->files[i].dev,
                (unsigned long long)t->files[i].ino, (unsigned long long)t->files[i].saved,
                t->files[i].path);
    bool ok = fflush(f) == 0 && fdatasync(fileno(f)) == 0;
    ok &= fclose(f) == 0;
    if (ok && rename(tmp, t->pos_path) == 0)
        t->dirty = false;
}

/* The saved position of (dev, ino), or -1. */
static int64_t saved_position(ww_tail_t *t, dev_t dev, ino_t ino)
{
    FILE *f = fopen(t->pos_path, "r");
    if (!f)
        return -1;
    unsigned long long d, i, o;
    char line[4400];
    int64_t found = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%llu %llu %llu", &d, &i, &o) == 3 && d == (unsigned long long)dev &&
            i == (unsigned long long)ino)
            found = (int64_t)o;
    fclose(f);
    return found;
}

/* Moves each file's saved position up to what the spool has made durable. */
static void advance(ww_tail_t *t)
{
    uint64_t durable = ww_spool_durable_seq(t->sp);
    for (size_t i = 0; i < t->nfiles; i++) {
        tfile_t *f = &t->files[i];
        uint32_t k = 0;
        while (k < f->nmarks && f->marks[k].seq <= durable) {
            f->saved = f->marks[k].off;
            t->dirty = true;
            k++;
        }
        memmove(f->marks, f->marks + k, (f->nmarks - k) * sizeof *f->marks);
        f->nmarks -= k;
    }
}

/* ---- reading ---- */

/* Appends one line; 0, or WW_SPOOL_EFULL (stop reading this file for now). */
static int put_line(ww_tail_t *t, tfile_t *f, const char *p, size_t n, uint64_t end)
{
    while (n && p[n - 1] == '\r')
        n--;
    if (!n)
        return 0;
    /* The source names the line's place: the file (device, inode) and the offset its
       line ends at.  A line read again after a crash (the saved position lags the
       spool) is then the same alert, not a second one (ww_serve.c, tail_key). */
    char source[WW_SPOOL_MAX_SOURCE];
    int sl = snprintf(source, sizeof source, "%s\t@%llu:%llu:%llu\t%s", t->cfg->name,
                      (unsigned long long)f->dev, (unsigned long long)f->ino,
                      (unsigned long long)end, f->path);
    ww_spool_in_t rec = {source,
                         sl < 0                        ? 0
                         : (size_t)sl >= sizeof source ? sizeof source - 1
                                                       : (size_t)sl,
                         p, n, 0};
    uint64_t seq;
    count(&t->st->received, 1);
    int rc = ww_spool_append(t->sp, &rec, &seq);
    if (rc == WW_SPOOL_EFULL) {
        count(&t->st->received, (uint64_t)-1); /* it will be read again */
        return rc;
    }
    if (rc < 0) {
        count(&t->st->rejected, 1);
        return 0;
    }
    count(&t->st->accepted, 1);
    if (f->nmarks == MARKS) { /* merge the two oldest: positions only ever move forward */
        memmove(f->marks, f->marks + 1, (MARKS - 1) * sizeof *f->marks);
        f->nmarks--;
    }
    f->marks[f->nmarks++] = (mark_t){seq, end};
    return 0;
}

/* Reads what f has after f->off (the start of the first line not yet in the spool; the
 * first f->npart bytes of it are in f->part).  At the end of a rotated file (`last`), a
 * final line without LF is taken as it is. */
static void read_file(ww_tail_t *t, tfile_t *f, bool last)
{
    for (;;) {
        uint64_t pos = f->off + f->npart; /* file offset of buf[0] */
        ssize_t r = pread(f->fd, t->buf, READ_CHUNK, (off_t)pos);
        if (r <= 0)
            break;
        size_t n = (size_t)r, start = 0;
        for (size_t i = 0; i < n; i++) {
            if (t->buf[i] != '\n')
                continue;
            const char *line = (const char *)t->buf + start;
            size_t len = i - start;
            if (f->npart) { /* the line began in an earlier read */
                char *np = realloc(f->part, f->npart + len + 1);
                if (!np)
                    return;
                memcpy(np + f->npart, line, len);
                f->part = np;
                line = np;
                len += f->npart;
            }
            if (put_line(t, f, line, len, pos + i + 1) == WW_SPOOL_EFULL) {
                f->npart = 0; /* read again from f->off next time */
                return;
            }
            f->off = pos + i + 1;
            f->npart = 0;
            start = i + 1;
        }
        size_t rest = n - start;
        if (rest && f->npart + rest > t->cfg->max_frame) {
            /* A line longer than max_frame: what was read of it is skipped and counted,
               the rest of it reads as the next line. */
            count(&t->st->rejected, 1);
            f->off = pos + n;
            f->npart = 0;
        } else if (rest) {
            char *np = realloc(f->part, f->npart + rest);
            if (!np)
                return;
            memcpy(np + f->npart, t->buf + start, rest);
            f->part = np;
            f->npart += rest;
        }
        if (n < READ_CHUNK)
            break;
    }
    if (last && f->npart && put_line(t, f, f->part, f->npart, f->off + f->npart) == 0) {
        f->off += f->npart;
        f->npart = 0;
    }
}

static tfile_t *find_path(ww_tail_t *t, const char *path)
{
    for (size_t i = 0; i < t->nfiles; i++)
        if (strcmp(t->files[i].path, path) == 0)
            return &t->files[i];
    return NULL;
}

static void open_at(ww_tail_t *t, tfile_t *f, const struct stat *st, bool first_round)
{
    f->fd = open(f->path, O_RDONLY | O_CLOEXEC); /* -1: retried at the next rotation */
    f->dev = st->st_dev;
    f->ino = st->st_ino;
    f->npart = 0;
    f->nmarks = 0;
    int64_t saved = saved_position(t, st->st_dev, st->st_ino);
    if (saved >= 0 && (uint64_t)saved <= (uint64_t)st->st_size)
        f->off = (uint64_t)saved; /* resume where the durable lines end */
    else if (first_round && !t->cfg->from_start)
        f->off = (uint64_t)st->st_size; /* a file there before we started: its new lines */
    else
        f->off = 0; /* a file that appeared while we run: all of it */
    f->saved = f->off;
    t->dirty = true;
}

static void scan(ww_tail_t *t, bool first_round)
{
    for (size_t i = 0; i < t->nfiles; i++)
        t->files[i].seen = false;
    for (uint32_t p = 0; p < t->cfg->npaths; p++) {
        glob_t g;
        if (glob(t->cfg->paths[p], GLOB_NOSORT, NULL, &g) != 0)
            continue;
        for (size_t k = 0; k < g.gl_pathc; k++) {
            const char *path = g.gl_pathv[k];
            struct stat st;
            if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
                continue;
            tfile_t *f = find_path(t, path);
            if (!f) {
                if (t->nfiles == MAX_FILES)
                    continue;
                tfile_t *nf = realloc(t->files, (t->nfiles + 1) * sizeof *nf);
                if (!nf)
                    continue;
                t->files = nf;
                f = &t->files[t->nfiles++];
                memset(f, 0, sizeof *f);
                f->path = strdup(path);
                open_at(t, f, &st, first_round);
            } else if (f->ino != st.st_ino || f->dev != st.st_dev) {
                /* Renamed away and replaced: finish the old file, then the new one. */
                if (f->fd >= 0) {
                    read_file(t, f, true);
                    close(f->fd);
                }
                advance(t);
                open_at(t, f, &st, false);
                f->off = f->saved = 0;
            } else if ((uint64_t)st.st_size < f->off) {
                f->off = f->saved = 0; /* copytruncate */
                f->npart = 0;
                f->nmarks = 0;
                t->dirty = true;
            }
            f->seen = true;
            if (f->fd >= 0)
                read_file(t, f, false);
        }
        globfree(&g);
    }
}

static void *run(void *arg)
{
    ww_tail_t *t = arg;
    bool first = true;
    time_t last_save = 0;
    while (!t->stop) {
        scan(t, first);
        first = false;
        advance(t);
        if (t->dirty && time(NULL) != last_save) {
            save_positions(t);
            last_save = time(NULL);
        }
        struct timespec ts = {0, POLL_MS * 1000000L};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

int ww_tail_start(const ww_sc_input_t *cfg, ww_spool_t *sp, ww_serve_input_stats_t *st,
                  const char *state_dir, ww_tail_t **out, ww_diag_t *diag)
{
    *out = NULL;
    ww_tail_t *t = calloc(1, sizeof *t);
    if (!t || !(t->buf = malloc(READ_CHUNK))) {
        free(t);
        return WW_ENOMEM;
    }
    t->cfg = cfg;
    t->sp = sp;
    t->st = st;
    /* One positions file per input, named by a hash of its name (names are free text). */
    uint64_t h = ww_hash_ci(cfg->name, strlen(cfg->name));
    snprintf(t->pos_path, sizeof t->pos_path, "%s/tail-%016llx.pos", state_dir,
             (unsigned long long)h);
    if (pthread_create(&t->tid, NULL, run, t) != 0) {
        ww_diag_set(diag, "", 0, 0, "cannot start the tail thread");
        ww_tail_stop(t);
        return WW_ENOMEM;
    }
    t->started = true;
    *out = t;
    return 0;
}

void ww_tail_stop(ww_tail_t *t)
{
    if (!t)
        return;
    t->stop = 1;
    if (t->started)
        pthread_join(t->tid, NULL);
    if (t->nfiles) {
        ww_spool_commit(t->sp, NULL);
        advance(t);
        save_positions(t);
    }
    for (size_t i = 0; i < t->nfiles; i++) {
        if (t->files[i].fd >= 0)
            close(t->files[i].fd);
        free(t->files[i].path);
        free(t->files[i].part);
    }
    free(t->files);
    free(t->buf);
    free(t);
}
