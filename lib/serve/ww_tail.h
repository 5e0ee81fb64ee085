/* The tail input of `serve`: follows files (globs) as they grow, line by line into the
 * spool, through rotation by rename (the old file is read to its end, then the new one
 * from its start) and by copytruncate (a file shorter than the position is read again
 * from its start).  Files are known by device and inode, so a renamed file is not read
 * twice.  The position of each file is saved (STATE/tail-NAME.pos, replaced atomically)
 * only for lines the spool has made durable: after a crash reading resumes at the
 * last durable line, and lines after it are read again (at least once, never lost). */
#ifndef WW_TAIL_H
#define WW_TAIL_H

#include "serve/ww_serve.h"
#include "serve/ww_serve_config.h"
#include "spool/ww_spool.h"

typedef struct ww_tail ww_tail_t;

int ww_tail_start(const ww_sc_input_t *cfg, ww_spool_t *sp, ww_serve_input_stats_t *st,
                  const char *state_dir, ww_tail_t **out, ww_diag_t *diag);
/* Stops the thread, saves the durable positions, frees. */
void ww_tail_stop(ww_tail_t *t);

#endif
