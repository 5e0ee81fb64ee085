/* The RELP input of `serve` (type: relp): what rsyslog's omrelp sends, received with
 * librelp.  RELP numbers every message and the sender keeps each one until the server
 * answers "rsp 200" for it, resending whatever was unanswered after a reconnect.
 *
 * The promise: a message is answered 200 only once it is durable in the spool.
 * librelp calls the receive callback on its own thread and sends the 200 as soon as
 * the callback returns, whatever it returns, so the callback appends the message and
 * waits for the group commit before returning.  When the spool is full the callback
 * waits for room (every session of the input waits with it: back-pressure).  A message
 * that cannot be stored at all -- the input is stopping while the spool is full, or the
 * spool failed a sync -- is never answered: the engine's thread is parked for good and
 * the sessions close with the process, so the sender sends the message again to the
 * next server.  TLS is not offered (the config refuses it). */
#ifndef WW_RELP_H
#define WW_RELP_H

#include "serve/ww_serve.h"
#include "serve/ww_serve_config.h"
#include "spool/ww_spool.h"

typedef struct ww_relp ww_relp_t;

/* Starts listening for cfg (a relp input) on a thread of its own.  Port 0 takes a free
 * port (ww_relp_port says which).  cfg, sp and st must outlive the input; st receives
 * the counters (atomically).  0, or WW_EIO / WW_ENOMEM with diag. */
int ww_relp_start(const ww_sc_input_t *cfg, ww_spool_t *sp, ww_serve_input_stats_t *st,
                  ww_relp_t **out, ww_diag_t *diag);
int ww_relp_port(const ww_relp_t *r);
/* Stops taking messages and frees; a message being stored finishes first.  Should a
 * message be waiting for room in a full (or failed) spool, it is not answered: the
 * engine and its thread are left parked (and the input's memory kept) until the process
 * exits, which closes the sessions without the 200.  NULL is a no-op. */
void ww_relp_stop(ww_relp_t *r);

#endif
