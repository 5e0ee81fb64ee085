/* EVTX decoder: placeholder so the reader links while the native decoder is written. */
#include "event/ww_reader_int.h"

static int evtx_open(ww_reader_t *r, ww_diag_t *diag)
{
    ww_diag_set(diag, r->name, 0, 0, "EVTX decoding is not built yet");
    return WW_EUNSUP;
}

static int evtx_next(ww_reader_t *r, ww_event_t *ev, ww_diag_t *diag)
{
    return 0;
}

static void evtx_close(ww_reader_t *r)
{
}

const ww_decoder_ops_t ww_evtx_ops = {"evtx", evtx_open, evtx_next, evtx_close};
