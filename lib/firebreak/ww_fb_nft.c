/* Talking to nftables: `nft` is run with fork/exec and an argument vector (never a
 * shell), its output captured with a cap; rulesets are loaded from a private temporary
 * file with `nft -f`, which applies the whole file as one transaction or nothing. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
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
    close(fd);
    const char *check[] = {"-c", "-f", path, NULL};
    const char *load[] = {"-f", path, NULL};
    int rc = ww_fb_nft_run(check_only ? check : load, msgs);
    unlink(path);
    return rc;
}
