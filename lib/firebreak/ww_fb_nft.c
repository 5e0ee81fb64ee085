/* Talking to nftables: `nft` is run with fork/exec and an argument vector (never a
 * shell), its output captured with a cap; rulesets are loaded from a private temporary
 * file with `nft -f`, which applies the whole file as one transaction or nothing.
 * Also the router lock that serialises every change to wardwatch's table in one
 * network namespace, and the chain listings `status` compares. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "firebreak/ww_fb_int.h"

#define NFT_OUTPUT_CAP (4u << 20)

int ww_fb_nft_run(const char *const *args, ww_buf_t *out)
{
    const char *nft = getenv("WARDWATCH_NFT");
    if (!nft || !*nft)
        nft = "nft";
    const char *argv[16];
    size_t n = 0;
    argv[n++] = nft;
    for (size_t i = 0; args[i] && n + 1 < WW_ARRAY_LEN(argv); i++)
        argv[n++] = args[i];
    argv[n] = NULL;

    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) != 0)
        return WW_EIO;
    pid_t pid = fork();
    if (pid < 0) {
        close(pfd[0]);
        close(pfd[1]);
        return WW_EIO;
    }
    if (pid == 0) {
        dup2(pfd[1], 1);
        dup2(pfd[1], 2);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        execvp(nft, (char *const *)argv);
        dprintf(2, "cannot run %s: %s\n", nft, strerror(errno));
        _exit(127);
    }
    close(pfd[1]);
    char buf[4096];
    size_t total = 0;
    for (;;) {
        ssize_t r = read(pfd[0], buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        /* Keep reading past the cap so nft never blocks on a full pipe. */
        if (out && total < NFT_OUTPUT_CAP)
            ww_buf_append(out, buf, (size_t)r);
        total += (size_t)r;
    }
    close(pfd[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return WW_EIO;
    if (!WIFEXITED(st))
        return WW_EIO;
    if (WEXITSTATUS(st) == 127)
        return WW_EIO;
    return WEXITSTATUS(st);
}

int ww_fb_nft_current(ww_buf_t *out)
{
    ww_buf_t msg;
    ww_buf_init(&msg, 0);
    const char *list[] = {"list", "tables", NULL};
    int rc = ww_fb_nft_run(list, &msg);
    if (rc != 0) {
        ww_buf_release(&msg);
        return WW_EIO;
    }
    bool exists = msg.p && strstr(msg.p, "table inet " WW_FB_TABLE "\n") != NULL;
    ww_buf_release(&msg);
    if (!exists)
        return 0;
    const char *show[] = {"list", "table", "inet", WW_FB_TABLE, NULL};
    rc = ww_fb_nft_run(show, out);
    return rc == 0 ? 1 : WW_EIO;
}

int ww_fb_nft_load(const char *ruleset, bool check_only, ww_buf_t *msgs)
{
    const char *tmp = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/wardwatch-firebreak-XXXXXX.nft", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemps(path, 4);
    if (fd < 0)
        return WW_EIO;
    size_t len = strlen(ruleset), off = 0;
    while (off < len) {
        ssize_t w = write(fd, ruleset + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            unlink(path);
            return WW_EIO;
        }
        off += (size_t)w;
    }
    /* A file that did not reach the disk whole must not be loaded in part. */
    if (close(fd) != 0) {
        unlink(path);
        return WW_EIO;
    }
    const char *check[] = {"-c", "-f", path, NULL};
    const char *load[] = {"-f", path, NULL};
    int rc = ww_fb_nft_run(check_only ? check : load, msgs);
    unlink(path);
    return rc;
}

/* ---- the router lock ---- */

#define LOCK_WAIT_MS 60000

int ww_fb_router_lock(int *fd_out, char *why, size_t whylen)
{
    /* The router is the network namespace whose forwarding the table filters: two
     * processes in it share the lock, two namespaces (two routers on one host) do
     * not.  /proc/self/ns/net names it by device and inode. */
    struct stat ns;
    if (stat("/proc/self/ns/net", &ns) != 0) {
        snprintf(why, whylen, "cannot identify the network namespace: %s", strerror(errno));
        return WW_EIO;
    }
    const char *dir = getenv("WARDWATCH_LOCK_DIR");
    if (!dir || !*dir)
        dir = "/run/wardwatch";
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(why, whylen, "cannot create the lock directory %s: %s", dir, strerror(errno));
        return WW_EIO;
    }
    char path[600];
    snprintf(path, sizeof path, "%s/firebreak-net-%llx-%llx.lock", dir,
             (unsigned long long)ns.st_dev, (unsigned long long)ns.st_ino);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        snprintf(why, whylen, "cannot open the lock file %s: %s", path, strerror(errno));
        return WW_EIO;
    }
    /* Wait for another apply, lift or rollback to finish, but not for ever: a stuck
     * process must not silently hold up the next change. */
    for (int waited = 0;; waited += 50) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            break;
        if (errno != EWOULDBLOCK && errno != EINTR) {
            snprintf(why, whylen, "cannot lock %s: %s", path, strerror(errno));
            close(fd);
            return WW_EIO;
        }
        if (waited >= LOCK_WAIT_MS) {
            snprintf(why, whylen,
                     "another wardwatch has been changing the fire-breaks on this router for "
                     "%d s (lock %s held)",
                     LOCK_WAIT_MS / 1000, path);
            close(fd);
            return WW_EIO;
        }
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    *fd_out = fd;
    return 0;
}

void ww_fb_router_unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* closing the only descriptor releases the flock */
}

/* ---- listings ---- */

int ww_fb_nft_normalise(const char *in, size_t n, ww_buf_t *out)
{
    /* Counters move with traffic; everything else in a listing is what was loaded.
     * "counter packets 12 bytes 720" becomes "counter", trailing blanks go. */
    const char *p = in, *e = in + n;
    while (p < e) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        const char *le = nl ? nl : e;
        while (le > p && (le[-1] == ' ' || le[-1] == '\t' || le[-1] == '\r'))
            le--;
        const char *q = p;
        while (q < le) {
            const char *c = NULL;
            for (const char *x = q; x + 16 <= le; x++)
                if (!memcmp(x, "counter packets ", 16)) {
                    c = x;
                    break;
                }
            if (!c) {
                ww_buf_append(out, q, (size_t)(le - q));
                break;
            }
            ww_buf_append(out, q, (size_t)(c - q) + 7);
            /* skip " packets N bytes M" */
            const char *r = c + 7;
            for (int w = 0; w < 4 && r < le; w++) {
                while (r < le && *r == ' ')
                    r++;
                while (r < le && *r != ' ')
                    r++;
            }
            q = r;
        }
        ww_buf_putc(out, '\n');
        p = nl ? nl + 1 : e;
    }
    return out->err;
}

int ww_fb_nft_chain_of(const char *table, int64_t id, ww_buf_t *out)
{
    char head[64];
    snprintf(head, sizeof head, "\tchain plan_%lld {\n", (long long)id);
    const char *c = table ? strstr(table, head) : NULL;
    if (!c)
        return 0;
    const char *end = strstr(c, "\n\t}\n");
    if (!end)
        return WW_EPARSE;
    end += 4;
    int rc = ww_fb_nft_normalise(c, (size_t)(end - c), out);
    return rc ? rc : 1;
}

int ww_fb_nft_chains(const char *table, int64_t *ids, size_t cap, size_t *n, size_t *others)
{
    *n = 0;
    *others = 0;
    for (const char *p = table; p && (p = strstr(p, "\n\tchain ")); p++) {
        const char *name = p + 8;
        long long id;
        char tail;
        if (sscanf(name, "plan_%lld %c", &id, &tail) == 2 && tail == '{' && id > 0) {
            if (*n < cap)
                ids[(*n)++] = id;
        } else {
            (*others)++;
        }
    }
    return 0;
}
