/* The hosts `serve` has received events from, per input (module "seen" in the store:
 * table serve_seen), so that the evidence pack can show monitoring coverage (CAF C1.a)
 * for every host that reports, not only those that raised an alert.  The consumer
 * notes each event's host in a small table in memory and writes the turn's hosts in
 * the turn's own transaction. */
#ifndef WW_SEEN_H
#define WW_SEEN_H

#include <stdint.h>

#include "store/ww_store.h"

#define WW_SEEN_SLOTS 4096 /* distinct (host, input) pairs kept per turn */
#define WW_SEEN_HOST_MAX 255

typedef struct ww_seen ww_seen_t;

int ww_seen_migrate(ww_store_t *st, ww_diag_t *diag);
/* 0 and *out, or WW_ENOMEM.  ww_seen_free(NULL) is a no-op. */
int ww_seen_new(ww_seen_t **out);
void ww_seen_free(ww_seen_t *s);
/* Counts one event of `input` from host[0..n) (an empty host is not counted; a longer
 * one is cut at WW_SEEN_HOST_MAX).  A pair that finds the table full is counted in
 * ww_seen_dropped and seen again in a later turn. */
void ww_seen_note(ww_seen_t *s, uint32_t input, const char *host, size_t n);
uint64_t ww_seen_dropped(const ww_seen_t *s);
/* True when something was noted since the last flush. */
bool ww_seen_pending(const ww_seen_t *s);
/* Writes the noted pairs (input names from name(ud, input)) stamped `now` (seconds)
 * into the open transaction and empties the table.  0 or WW_EIO with diag. */
int ww_seen_flush(ww_seen_t *s, ww_store_t *st, const char *(*name)(void *ud, uint32_t input),
                  void *ud, int64_t now, ww_diag_t *diag);

#endif
