/* The network loop of `serve`: one thread, one epoll set, listening sockets for TCP
 * (optionally TLS, with OpenSSL) and UDP, and their connections.  Protocols are not
 * here: a handler receives a connection's bytes and says how many it took, so syslog
 * framing, Lumberjack and anything later plug in the same way.
 *
 * The promises that make it safe to face a hospital network:
 *  - back-pressure: a handler that takes fewer bytes than offered pauses the
 *    connection (the loop stops reading it, so TCP pushes back on the sender) until
 *    ww_net_resume; nothing is dropped on the floor;
 *  - limits: at most max_conns connections per listener (the next is accepted and
 *    closed at once, counted), a connection quiet for idle_ms is closed (slowloris),
 *    a TLS handshake that does not finish within idle_ms too;
 *  - memory: with a budget (ww_membudget_t), every byte a connection makes the server
 *    hold -- its unread leftovers, what its handler keeps (ww_net_handler_t.held), a
 *    fixed cost per connection -- is accounted; at the cap no connection is read (the
 *    senders wait, as for a full spool) and new connections are refused, counted;
 *  - other threads (the spool's commit, which makes events durable) never touch a
 *    connection: they name it by its id and post work to the loop (ww_net_send,
 *    ww_net_resume), which drops the work when the connection has gone meanwhile. */
#ifndef WW_NET_H
#define WW_NET_H

#include <sys/socket.h>

#include "util/ww_util.h"

/* A memory budget shared by every input (limits: memory): a cap and the bytes
 * accounted against it, updated atomically from any thread.  Nothing is allocated by
 * it: callers charge what they are about to hold and give it back when freed. */
typedef struct ww_membudget {
    uint64_t cap;      /* bytes; 0: no cap */
    uint64_t reserve;  /* of cap, kept from ww_mem_take and ww_mem_room: only
                          ww_mem_room_all and ww_mem_force reach into it (the consumer,
                          whose memory is what frees everyone else's) */
    uint64_t used;     /* accounted now */
    uint64_t peak;     /* the most accounted at once */
    uint64_t pressure; /* refusals and pauses for want of room */
    int episode;       /* 1 from the first refusal until used falls below 7/8 of cap */
    /* Optional: called once when an episode starts (at_cap true) and once when it
     * ends, from whichever thread crossed the line. */
    void (*note)(void *ud, bool at_cap, uint64_t used, uint64_t cap);
    void *ud;
} ww_membudget_t;

/* Charges n bytes if they fit under the cap: true; else nothing is charged, the refusal
 * is counted in pressure (and may start an episode) and false is returned.  m may be
 * NULL (no budget: always true). */
bool ww_mem_take(ww_membudget_t *m, uint64_t n);
/* Charges n bytes whether or not they fit (memory already held). */
void ww_mem_force(ww_membudget_t *m, uint64_t n);
/* Gives back n bytes charged before. */
void ww_mem_give(ww_membudget_t *m, uint64_t n);
/* Whether n more bytes would fit below cap - reserve (no charge, nothing counted);
 * ww_mem_room_all: below cap itself. */
bool ww_mem_room(const ww_membudget_t *m, uint64_t n);
bool ww_mem_room_all(const ww_membudget_t *m, uint64_t n);
/* Counts one pause or refusal for want of room that did not go through ww_mem_take. */
void ww_mem_pressure(ww_membudget_t *m);

typedef struct ww_net ww_net_t;
typedef struct ww_net_conn ww_net_conn_t;
typedef struct ww_net_listener ww_net_listener_t;

typedef struct ww_net_handler {
    /* A connection was accepted (TCP, after the TLS handshake).  Returns its state,
     * or NULL to refuse it. */
    void *(*open)(void *ud, ww_net_conn_t *c);
    /* Bytes arrived.  Returns how many were taken: n to go on, fewer to pause (the
     * rest is offered again after ww_net_resume), or a negative WW_E* to close the
     * connection (diag says why, for the log).  n is 0 when the connection waits for
     * memory: a chance to move on what st holds (then held is asked again). */
    int64_t (*data)(void *st, const uint8_t *p, size_t n, ww_diag_t *diag);
    /* The connection is gone (peer closed, error, idle, refused, shutdown): the last
     * call for st.  why is "" for an orderly close by the peer. */
    void (*close)(void *st, const char *why);
    /* UDP: one datagram and its sender. */
    void (*datagram)(void *ud, const uint8_t *p, size_t n, const struct sockaddr *from,
                     socklen_t fromlen);
    /* Optional: the bytes st holds now because of what the connection sent (a partial
     * frame, messages gathered for the spool, parser buffers), asked after each data()
     * and charged to the budget; *unfinished is the part of it only the sender can
     * free (an unfinished message).  Upper bounds are fine; they must not grow without
     * the connection sending more. */
    size_t (*held)(void *st, size_t *unfinished);
} ww_net_handler_t;

typedef struct ww_net_opts {
    const char *cert, *key; /* TLS when both are set (PEM files) */
    const char *client_ca;  /* clients must present a certificate signed by these */
    uint32_t max_conns;     /* 0: 1024 */
    uint64_t idle_ms;       /* 0: 300 s */
    size_t read_buf;        /* bytes read at a time per connection, 0: 64 KiB */
    size_t rcvbuf;          /* UDP SO_RCVBUF wanted, 0: the system's */
    ww_membudget_t *mem;    /* borrowed; NULL: no memory cap */
} ww_net_opts_t;

typedef struct ww_net_stats {
    uint64_t accepted, refused, idle_closed, tls_failed, errors;
    uint64_t memory_refused; /* connections refused (of refused) or cut for the memory cap */
    uint64_t bytes, datagrams;
    uint32_t open; /* connections now */
} ww_net_stats_t;

int ww_net_new(ww_net_t **out, ww_diag_t *diag);
/* Closes every connection (handlers get close(st, "shutting down")) and listener. */
void ww_net_free(ww_net_t *n);

/* Listens on addr (SO_REUSEADDR; an IPv6 wildcard also takes IPv4).  Port 0 picks a
 * free port: ww_net_port says which.  0, or WW_EIO / WW_EINVAL (TLS files) with diag. */
int ww_net_listen_tcp(ww_net_t *n, const struct sockaddr *addr, socklen_t len,
                      const ww_net_opts_t *o, const ww_net_handler_t *h, void *ud,
                      ww_net_listener_t **out, ww_diag_t *diag);
int ww_net_listen_udp(ww_net_t *n, const struct sockaddr *addr, socklen_t len,
                      const ww_net_opts_t *o, const ww_net_handler_t *h, void *ud,
                      ww_net_listener_t **out, ww_diag_t *diag);
int ww_net_port(const ww_net_listener_t *l);
void ww_net_listener_stats(const ww_net_listener_t *l, ww_net_stats_t *out);

/* Runs the loop on the calling thread until ww_net_stop.  0 or WW_EIO. */
int ww_net_run(ww_net_t *n);
/* Any thread: makes ww_net_run return soon. */
void ww_net_stop(ww_net_t *n);
/* Any thread: memory was given back; connections paused for the memory cap are
 * resumed if there is room now.  (The loop also checks every second.) */
void ww_net_wake(ww_net_t *n);

/* ---- connections ---- */

/* A connection's id: unique for the life of the loop, never reused. */
uint64_t ww_net_conn_id(const ww_net_conn_t *c);
/* "10.0.0.5:51234" / "[fd00::5]:51234". */
const char *ww_net_conn_peer(const ww_net_conn_t *c);
/* The TLS client certificate's subject, "" when none (or no TLS). */
const char *ww_net_conn_subject(const ww_net_conn_t *c);

/* Any thread: queues bytes to write on connection id (copied), e.g. an ack once the
 * events it covers are durable; and resumes reading a paused connection.  Work for
 * a connection that has gone is dropped.  0, or WW_ENOMEM. */
int ww_net_send(ww_net_t *n, uint64_t id, const void *p, size_t len);
int ww_net_resume(ww_net_t *n, uint64_t id);
/* Any thread: closes connection id once its queued writes are out. */
int ww_net_close(ww_net_t *n, uint64_t id);

#endif
