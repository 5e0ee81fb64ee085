/* Reading rule release archives (zip, tar, tar.gz, ...) with libarchive: safe paths
 * only, the files a rule set needs only, every size capped (see ww_rulestore.h). */
#include "rulestore/ww_rulestore.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int ends_with(const char *s, size_t n, const char *suffix)
{
    size_t m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

int ww_rulestore_wanted(const char *name)
{
    size_t n = strlen(name);
    if (ends_with(name, n, ".yml") || ends_with(name, n, ".yaml"))
        return 1;
    /* LICENSE, LICENSE.md, LICENSE.txt, LICENCE: the terms the rules come under. */
    return !strncmp(name, "LICENSE", 7) || !strncmp(name, "LICENCE", 7);
}

/* Rewrites an archive path into out as safe, relative components joined by '/':
 * "./", empty and "." components dropped.  Returns 0, or a reason it is refused. */
static const char *clean_path(const char *p, char *out, size_t outlen)
{
    size_t w = 0;
    int depth = 0;
    if (p[0] == '/')
        return "an absolute path";
    while (*p) {
        const char *e = p;
        while (*e && *e != '/')
            e++;
        size_t n = (size_t)(e - p);
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return "a path with '..'";
        if (n && !(n == 1 && p[0] == '.')) {
            for (size_t i = 0; i < n; i++)
                /* Backslashes are folder separators to Windows tools that made the zip;
                   control characters would reach a terminal in messages. */
                if ((unsigned char)p[i] < 0x20 || p[i] == 0x7F || p[i] == '\\')
                    return "a path with a backslash or a control character";
            if (++depth > WW_RULESTORE_MAX_DEPTH)
                return "a path nested too deep";
            if (w + n + 2 > outlen)
                return "a path too long";
            if (w)
                out[w++] = '/';
            memcpy(out + w, p, n);
            w += n;
        }
        p = *e ? e + 1 : e;
    }
    out[w] = 0;
    return w ? NULL : "an empty path";
}

/* Reads the current entry's data whole into *buf (grown as needed, capped). */
static int read_entry(struct archive *a, const char *name, const char *path, char **buf,
                      size_t *cap, size_t *len, ww_diag_t *diag)
{
    *len = 0;
    for (;;) {
        if (*len == *cap) {
            if (*cap > WW_RULESTORE_MAX_FILE) {
                ww_diag_set(diag, name, 0, 0, "%s: larger than %zu MiB: not a rule file", path,
                            WW_RULESTORE_MAX_FILE >> 20);
                return WW_ELIMIT;
            }
            size_t ncap = *cap ? *cap * 2 : 16384;
            char *nb = realloc(*buf, ncap);
            if (!nb)
                return WW_ENOMEM;
            *buf = nb;
            *cap = ncap;
        }
        la_ssize_t n = archive_read_data(a, *buf + *len, *cap - *len);
        if (n == 0)
            break;
        if (n < 0) {
            ww_diag_set(diag, name, 0, 0, "%s: %s", path,
                        archive_error_string(a) ? archive_error_string(a) : "damaged data");
            return WW_EPARSE;
        }
        *len += (size_t)n;
    }
    if (*len > WW_RULESTORE_MAX_FILE) {
        ww_diag_set(diag, name, 0, 0, "%s: larger than %zu MiB: not a rule file", path,
                    WW_RULESTORE_MAX_FILE >> 20);
        return WW_ELIMIT;
    }
    return 0;
}

int ww_rulestore_read(const char *name, const void *buf, size_t len, ww_rulestore_file_fn fn,
                      void *ud, ww_rulestore_stats_t *st, ww_diag_t *diag)
{
    ww_rulestore_stats_t s = {0};
    char *data = NULL;
    size_t cap = 0;
    int rc = 0;
    if (len == 0) {
        ww_diag_set(diag, name, 0, 0, "empty file: not an archive");
        return WW_EPARSE;
    }
    if (len > WW_RULESTORE_MAX_ARCHIVE) {
        ww_diag_set(diag, name, 0, 0, "larger than %zu MiB", WW_RULESTORE_MAX_ARCHIVE >> 20);
        return WW_ELIMIT;
    }
    struct archive *a = archive_read_new();
    if (!a)
        return WW_ENOMEM;
    /* Only what rule releases come as: fewer formats, less parser to trust. */
    archive_read_support_format_zip(a);
    archive_read_support_format_tar(a);
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_xz(a);
    archive_read_support_filter_bzip2(a);
    archive_read_support_filter_zstd(a);
    if (archive_read_open_memory(a, buf, len) != ARCHIVE_OK) {
        ww_diag_set(diag, name, 0, 0, "not a zip or tar archive (%s)",
                    archive_error_string(a) ? archive_error_string(a) : "unrecognised");
        rc = WW_EPARSE;
        goto out;
    }
    for (;;) {
        struct archive_entry *e;
        int r = archive_read_next_header(a, &e);
        if (r == ARCHIVE_EOF)
            break;
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
            ww_diag_set(diag, name, 0, 0, "%s after %u entries: %s",
                        s.entries ? "damaged archive" : "not a zip or tar archive", s.entries,
                        archive_error_string(a) ? archive_error_string(a) : "read error");
            rc = WW_EPARSE;
            goto out;
        }
        if (++s.entries > WW_RULESTORE_MAX_ENTRIES) {
            ww_diag_set(diag, name, 0, 0, "more than %u entries", WW_RULESTORE_MAX_ENTRIES);
            rc = WW_ELIMIT;
            goto out;
        }
        const char *raw = archive_entry_pathname(e);
        char path[WW_RULESTORE_MAX_PATH];
        mode_t type = archive_entry_filetype(e);
        if (type == AE_IFDIR)
            continue;
        if (!raw || type != AE_IFREG || archive_entry_hardlink(e) ||
            clean_path(raw, path, sizeof path)) {
            /* Links, devices and paths that could leave the folder are never written;
               a release has none, so they are only counted. */
            s.refused++;
            continue;
        }
        const char *base = strrchr(path, '/');
        if (!ww_rulestore_wanted(base ? base + 1 : path)) {
            s.skipped++;
            continue;
        }
        size_t n;
        if ((rc = read_entry(a, name, path, &data, &cap, &n, diag)) != 0)
            goto out;
        if (s.bytes + n > WW_RULESTORE_MAX_TOTAL) {
            ww_diag_set(diag, name, 0, 0, "more than %llu MiB of rules",
                        (unsigned long long)(WW_RULESTORE_MAX_TOTAL >> 20));
            rc = WW_ELIMIT;
            goto out;
        }
        s.bytes += n;
        s.kept++;
        if ((rc = fn(ud, path, data, n)) != 0)
            goto out;
    }
    if (st)
        *st = s;
out:
    archive_read_free(a);
    free(data);
    return rc;
}

/* ---- writing under a folder ------------------------------------------------------ */

typedef struct xctx {
    int root;
    const char *name;
    ww_diag_t *diag;
} xctx_t;

static int io_fail(xctx_t *x, const char *path, const char *what)
{
    ww_diag_set(x->diag, x->name, 0, 0, "%s: cannot %s (%s)", path, what, strerror(errno));
    return errno == EEXIST ? WW_EPARSE : WW_EIO;
}

static int write_file(void *ud, const char *path, const void *data, size_t n)
{
    xctx_t *x = ud;
    char comp[WW_RULESTORE_MAX_PATH];
    int dfd = dup(x->root), rc = 0;
    if (dfd < 0)
        return io_fail(x, path, "open the folder");
    /* Folder by folder from the root, never following a link. */
    const char *p = path, *slash;
    while ((slash = strchr(p, '/')) != NULL) {
        size_t len = (size_t)(slash - p);
        memcpy(comp, p, len);
        comp[len] = 0;
        if (mkdirat(dfd, comp, 0755) != 0 && errno != EEXIST) {
            rc = io_fail(x, path, "create its folder");
            goto out;
        }
        int nfd = openat(dfd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (nfd < 0) {
            rc = io_fail(x, path, "open its folder");
            goto out;
        }
        close(dfd);
        dfd = nfd;
        p = slash + 1;
    }
    int fd = openat(dfd, p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        rc = errno == EEXIST ? (ww_diag_set(x->diag, x->name, 0, 0,
                                            "%s: the archive holds this file twice", path),
                                WW_EPARSE)
                             : io_fail(x, path, "create it");
        goto out;
    }
    const char *d = data;
    while (n) {
        ssize_t w = write(fd, d, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            rc = io_fail(x, path, "write it");
            break;
        }
        d += w;
        n -= (size_t)w;
    }
    if (close(fd) != 0 && rc == 0)
        rc = io_fail(x, path, "write it");
out:
    close(dfd);
    return rc;
}

int ww_rulestore_extract(const char *name, const void *buf, size_t len, const char *dir,
                         ww_rulestore_stats_t *st, ww_diag_t *diag)
{
    xctx_t x = {-1, name, diag};
    x.root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (x.root < 0) {
        ww_diag_set(diag, dir, 0, 0, "cannot open (%s)", strerror(errno));
        return WW_EIO;
    }
    int rc = ww_rulestore_read(name, buf, len, write_file, &x, st, diag);
    close(x.root);
    return rc;
}
