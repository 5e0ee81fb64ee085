/* A tiny Lumberjack v2 server for tests/integration/lumberjack_client.sh: it listens on
 * 127.0.0.1 (a port the kernel picks, written to PORTFILE), feeds what each connection
 * sends to ww_lj_feed(), writes every event as "seq<TAB>json" to EVENTS (flushed before
 * its window is acknowledged, as the spool will be synced), acks each window with
 * ww_lj_ack(), and exits once EXPECTED events have been acknowledged.  It is how the
 * parser meets a client nobody here wrote, not a server to run.
 *
 * usage: lumberjack_server PORTFILE EVENTS EXPECTED */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ingest/ww_lumberjack.h"

typedef struct conn {
    int fd;
    ww_lj_t *lj;
    FILE *out;
    unsigned long acked;
} conn_t;

static int on_event(void *ud, uint32_t seq, const char *json, size_t n)
{
    conn_t *c = ud;
    fprintf(c->out, "%u\t%.*s\n", seq, (int)n, json);
    return 0;
}

static int on_window(void *ud, uint32_t last_seq, uint32_t count)
{
    conn_t *c = ud;
    /* Durable first, then the ack. */
    if (fflush(c->out) != 0)
        return WW_EIO;
    uint8_t ack[6];
    size_t n = ww_lj_ack(c->lj, last_seq, ack);
    if (write(c->fd, ack, n) != (ssize_t)n)
        return WW_EIO;
    c->acked += count;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s PORTFILE EVENTS EXPECTED\n", argv[0]);
        return 2;
    }
    unsigned long expected = strtoul(argv[3], NULL, 10);
    /* A safety net for a client that never sends: the test fails, it does not hang. */
    alarm(120);
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 4) != 0 ||
        getsockname(ls, (struct sockaddr *)&a, &al) != 0) {
        perror("lumberjack_server: listen");
        return 1;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
    FILE *pf = fopen(tmp, "w");
    if (!pf || fprintf(pf, "%u\n", ntohs(a.sin_port)) < 0 || fclose(pf) != 0 ||
        rename(tmp, argv[1]) != 0) {
        perror("lumberjack_server: port file");
        return 1;
    }
    FILE *out = fopen(argv[2], "w");
    if (!out) {
        perror("lumberjack_server: events file");
        return 1;
    }
    conn_t c = {.out = out};
    int status = 0;
    while (c.acked < expected) {
        c.fd = accept(ls, NULL, NULL);
        if (c.fd < 0) {
            perror("lumberjack_server: accept");
            status = 1;
            break;
        }
        if (ww_lj_new(NULL, &c.lj) != 0) {
            status = 1;
            break;
        }
        char buf[4096];
        ssize_t n;
        ww_diag_t d;
        while (c.acked < expected && (n = read(c.fd, buf, sizeof buf)) > 0) {
            if (ww_lj_feed(c.lj, buf, (size_t)n, on_event, on_window, &c, &d) != 0) {
                fprintf(stderr, "lumberjack_server: %s\n", d.msg);
                status = 1;
                break;
            }
        }
        ww_lj_free(c.lj);
        c.lj = NULL;
        close(c.fd);
        if (status)
            break;
    }
    fclose(out);
    close(ls);
    return status;
}
