/* sd_notify over a datagram socket (see ww_sdnotify.h).  The socket path comes from
 * the environment systemd set; an abstract socket starts with '@'. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "serve/ww_sdnotify.h"

int ww_sd_notify(const char *state)
{
    const char *path = getenv("NOTIFY_SOCKET");
    if (!path || !path[0])
        return 1;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t n = strlen(path);
    if (n >= sizeof sa.sun_path || (path[0] != '/' && path[0] != '@'))
        return -1;
    memcpy(sa.sun_path, path, n);
    if (path[0] == '@')
        sa.sun_path[0] = 0;
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    ssize_t w = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa,
                       (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n));
    close(fd);
    return w == (ssize_t)strlen(state) ? 0 : -1;
}

uint64_t ww_sd_watchdog_usec(void)
{
    const char *v = getenv("WATCHDOG_USEC");
    const char *pid = getenv("WATCHDOG_PID");
    if (!v)
        return 0;
    /* The variable may be meant for another process (inherited). */
    if (pid && (pid_t)strtol(pid, NULL, 10) != getpid())
        return 0;
    uint64_t us = strtoull(v, NULL, 10);
    return us / 2;
}
