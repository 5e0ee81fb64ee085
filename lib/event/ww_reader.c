/* The reader: gets a whole input into memory (a regular file is mapped, standard input
 * and pipes are read with a cap), detects its format from the first bytes, and hands
 * the bytes to the matching decoder.  Also the directory walk that feeds it files. */
#include "event/ww_reader_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Standard input and pipes are read into memory; past this they are refused rather
 * than exhausting memory. */
#define READ_CAP ((uint64_t)4 << 30)
/* Directory recursion deeper than this is refused (loops are caught earlier). */
#define WALK_MAX_DEPTH 64

static int read_fd(ww_reader_t *r, int fd, ww_diag_t *diag)
{
    size_t cap = 0, n = 0;
    uint8_t *buf = NULL;
    int rc = 0;
    for (;;) {
        if (n == cap) {
            if ((uint64_t)cap >= READ_CAP) {
                ww_diag_set(diag, r->name, 0, 0,
                            "input is larger than the 4 GiB limit for standard input and "
                            "pipes; write it to a file first");
                rc = WW_ELIMIT;
                goto out;
            }
            size_t ncap = cap ? cap * 2 : 1 << 20;
            if ((uint64_t)ncap > READ_CAP)
                ncap = (size_t)READ_CAP;
            uint8_t *nb = realloc(buf, ncap);
            if (!nb) {
                ww_diag_set(diag, r->name, 0, 0, "out of memory reading input");
                rc = WW_ENOMEM;
                goto out;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            ww_diag_set(diag, r->name, 0, 0, "read failed: %s", strerror(errno));
            rc = WW_EIO;
            goto out;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    r->owned = buf;
    r->buf = buf;
    r->len = n;
    buf = NULL;
out:
    free(buf);
    return rc;
}

/* Picks the decoder from the content: EVTX magic, Zeek's TSV header (always its first
 * line), then JSON's first byte, and everything else is treated as syslog/text lines. */
static int detect(const uint8_t *p, size_t n, size_t start)
{
    if (n >= 8 && memcmp(p, "ElfFile\0", 8) == 0)
        return WW_FMT_EVTX;
    if (n - start >= 11 && memcmp(p + start, "#separator ", 11) == 0)
        return WW_FMT_ZEEK;
    for (size_t i = start; i < n; i++) {
        uint8_t c = p[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        return (c == '{' || c == '[') ? WW_FMT_JSON : WW_FMT_SYSLOG;
    }
    return WW_FMT_SYSLOG;
}

static int start(ww_reader_t *r, int fmt, ww_diag_t *diag)
{
    /* A UTF-8 byte order mark is not content; decoders start at r->off. */
    if (r->len >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0)
        r->off = 3;
    if (fmt == WW_FMT_AUTO)
        fmt = detect(r->buf, r->len, (size_t)r->off);
    r->fmt = fmt;
    switch (fmt) {
    case WW_FMT_EVTX: r->ops = &ww_evtx_ops; break;
    case WW_FMT_JSON: r->ops = &ww_json_ops; break;
    case WW_FMT_SYSLOG:
    case WW_FMT_TEXT: r->ops = &ww_syslog_ops; break;
    case WW_FMT_ZEEK: r->ops = &ww_zeek_ops; break;
    default: ww_diag_set(diag, r->name, 0, 0, "unknown input format %d", fmt); return WW_EINVAL;
    }
    return r->ops->open(r, diag);
}

static ww_reader_t *reader_new(const char *name)
{
    ww_reader_t *r = calloc(1, sizeof *r);
    if (r)
        snprintf(r->name, sizeof r->name, "%s", name ? name : "");
    return r;
}

int ww_reader_open(const char *path, int fmt, ww_reader_t **out, ww_diag_t *diag)
{
    int fd = -1, rc;
    bool is_stdin = strcmp(path, "-") == 0;
    ww_reader_t *r = reader_new(is_stdin ? "<stdin>" : path);
    if (!r) {
        ww_diag_set(diag, path, 0, 0, "out of memory");
        return WW_ENOMEM;
    }
    if (is_stdin) {
        rc = read_fd(r, 0, diag);
        if (rc)
            goto out;
    } else {
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            rc = errno == ENOENT ? WW_ENOENT : WW_EIO;
            ww_diag_set(diag, path, 0, 0, "cannot open: %s", strerror(errno));
            goto out;
        }
        struct stat st;
        if (fstat(fd, &st) != 0) {
            rc = WW_EIO;
            ww_diag_set(diag, path, 0, 0, "cannot stat: %s", strerror(errno));
            goto out;
        }
        if (S_ISDIR(st.st_mode)) {
            rc = WW_EINVAL;
            ww_diag_set(diag, path, 0, 0, "is a directory");
            goto out;
        }
        if (S_ISREG(st.st_mode) && st.st_size > 0) {
            void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
            if (m == MAP_FAILED) {
                rc = WW_EIO;
                ww_diag_set(diag, path, 0, 0, "cannot map: %s", strerror(errno));
                goto out;
            }
            (void)madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
            r->mapped = m;
            r->mapped_len = (size_t)st.st_size;
            r->buf = m;
            r->len = (size_t)st.st_size;
        } else if (!S_ISREG(st.st_mode)) {
            /* Pipes, FIFOs, process substitution: read it all. */
            rc = read_fd(r, fd, diag);
            if (rc)
                goto out;
        }
        /* An empty regular file leaves buf NULL and len 0: no events. */
    }
    rc = start(r, fmt, diag);
out:
    if (fd >= 0)
        close(fd);
    if (rc) {
        ww_reader_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int ww_reader_open_mem(const char *name, const void *buf, size_t len, int fmt, ww_reader_t **out,
                       ww_diag_t *diag)
{
    ww_reader_t *r = reader_new(name);
    if (!r) {
        ww_diag_set(diag, name, 0, 0, "out of memory");
        return WW_ENOMEM;
    }
    r->buf = buf;
    r->len = buf ? len : 0;
    int rc = start(r, fmt, diag);
    if (rc) {
        ww_reader_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

/* A mapped file's pages stay in the process's resident set once read, so hunting a
 * 1 GB file showed 1 GB of RSS although the bytes behind the reader are never needed
 * again.  Releasing them is always safe: the mapping is private and read-only, so a
 * later access (a slice an event or a correlation group still holds) faults the same
 * bytes back in from the file. */
#define DROP_STEP ((uint64_t)32 << 20) /* release in steps of 32 MiB... */
#define DROP_KEEP ((uint64_t)8 << 20)  /* ...keeping the last 8 MiB mapped */

void ww_reader_release_before(ww_reader_t *r, uint64_t off)
{
    if (!r->mapped || off > r->mapped_len || off < r->dropped + DROP_STEP + DROP_KEEP)
        return;
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    uint64_t to = (off - DROP_KEEP) / page * page;
    if (to > r->dropped &&
        madvise((char *)r->mapped + r->dropped, (size_t)(to - r->dropped), MADV_DONTNEED) == 0)
        r->dropped = to;
}

int ww_reader_next(ww_reader_t *r, ww_event_t *ev, ww_diag_t *diag)
{
    ww_event_reset(ev);
    if (r->done)
        return 0;
    int rc = r->ops->next(r, ev, diag);
    if (rc == WW_EIO || rc == WW_ETRUNC)
        r->done = true;
    ww_reader_release_before(r, r->off);
    return rc;
}

uint64_t ww_reader_index(const ww_reader_t *r)
{
    return r->index ? r->index - 1 : 0;
}

int ww_reader_format(const ww_reader_t *r)
{
    return r->fmt;
}

uint64_t ww_reader_offset(const ww_reader_t *r)
{
    return r->off;
}

uint64_t ww_reader_size(const ww_reader_t *r)
{
    return r->len;
}

/* ---- ranges, for decoding one input on several threads -------------------------- */

bool ww_reader_splittable(const ww_reader_t *r)
{
    return r->fmt == WW_FMT_SYSLOG || r->fmt == WW_FMT_TEXT || r->fmt == WW_FMT_JSON;
}

uint64_t ww_reader_cut(const ww_reader_t *r, uint64_t from, uint32_t nlines)
{
    const char *b = (const char *)r->buf, *e = b + r->len;
    const char *p = from < r->len ? b + from : e;
    while (nlines-- && p < e) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        p = nl ? nl + 1 : e;
    }
    return (uint64_t)(p - b);
}

int ww_reader_open_range(const ww_reader_t *parent, uint64_t start, uint64_t end, ww_reader_t **out,
                         ww_diag_t *diag)
{
    if (!ww_reader_splittable(parent) || start > end || end > parent->len) {
        ww_diag_set(diag, parent->name, 0, 0, "invalid range [%llu, %llu) of a %s input",
                    (unsigned long long)start, (unsigned long long)end,
                    ww_format_name(parent->fmt));
        return WW_EINVAL;
    }
    ww_reader_t *r = reader_new(parent->name);
    if (!r) {
        ww_diag_set(diag, parent->name, 0, 0, "out of memory");
        return WW_ENOMEM;
    }
    r->buf = parent->buf + start;
    r->len = (size_t)(end - start);
    r->lookback = (size_t)(start < WW_READER_LOOKBACK ? start : WW_READER_LOOKBACK);
    r->fmt = parent->fmt;
    r->ops = parent->ops;
    int rc = r->ops->open(r, diag);
    if (rc == 0 && r->ops == &ww_syslog_ops)
        ww__syslog_inherit(r, parent);
    if (rc) {
        ww_reader_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

void ww_reader_free(ww_reader_t *r)
{
    if (!r)
        return;
    if (r->ops && r->ops->close)
        r->ops->close(r);
    if (r->mapped)
        munmap(r->mapped, r->mapped_len);
    free(r->owned);
    free(r);
}

/* ---- directory walk ------------------------------------------------------------ */

struct walk_dir {
    dev_t dev;
    ino_t ino;
};

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
    /* Byte order, not the locale's: the same tree is always walked the same way. */
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int skip_hidden(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

static int walk_dir(const char *path, struct walk_dir *stack, int depth,
                    int (*fn)(void *ud, const char *file), void *ud)
{
    struct dirent **names = NULL;
    int n = scandir(path, &names, skip_hidden, name_cmp);
    if (n < 0)
        return 0; /* unreadable directory: nothing to walk */
    int rc = 0, i;
    size_t plen = strlen(path);
    for (i = 0; i < n && rc == 0; i++) {
        const char *nm = names[i]->d_name;
        size_t nlen = strlen(nm);
        char *sub = malloc(plen + nlen + 2);
        if (!sub) {
            rc = WW_ENOMEM;
            break;
        }
        memcpy(sub, path, plen);
        size_t k = plen;
        if (k == 0 || sub[k - 1] != '/')
            sub[k++] = '/';
        memcpy(sub + k, nm, nlen + 1);
        struct stat st;
        /* stat follows symlinks: a link to a file is walked like the file. */
        if (stat(sub, &st) == 0) {
            if (S_ISREG(st.st_mode)) {
                rc = fn(ud, sub);
            } else if (S_ISDIR(st.st_mode) && depth + 1 < WALK_MAX_DEPTH) {
                /* A symlink back to an ancestor would loop forever: skip it. */
                bool loop = false;
                for (int j = 0; j <= depth; j++)
                    if (stack[j].dev == st.st_dev && stack[j].ino == st.st_ino)
                        loop = true;
                if (!loop) {
                    stack[depth + 1] = (struct walk_dir){st.st_dev, st.st_ino};
                    rc = walk_dir(sub, stack, depth + 1, fn, ud);
                }
            }
        }
        free(sub);
    }
    for (int j = 0; j < n; j++)
        free(names[j]);
    free(names);
    return rc;
}

int ww_path_walk(const char *path, int (*fn)(void *ud, const char *file), void *ud)
{
    struct stat st;
    if (strcmp(path, "-") == 0)
        return fn(ud, path);
    if (stat(path, &st) != 0)
        return WW_ENOENT;
    if (!S_ISDIR(st.st_mode))
        return fn(ud, path);
    struct walk_dir stack[WALK_MAX_DEPTH];
    stack[0] = (struct walk_dir){st.st_dev, st.st_ino};
    return walk_dir(path, stack, 0, fn, ud);
}
