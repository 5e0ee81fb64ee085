/* The DSPT / CAF evidence pack: the facts wardwatch's store holds for the CAF-aligned
 * DSPT outcomes it can speak to -- C1.a security monitoring coverage (log sources and
 * register assets seen by serve, and the gaps), B4.d vulnerability management (audit
 * runs, NHS cyber alert handling), D1 response and recovery planning (incidents and
 * fire-break records) -- each with its date and where it comes from, as of a given
 * moment, as JSON or as one self-contained HTML page.  Records dated after the as-of
 * moment are left out, so the same store and moment give the same pack. */
#ifndef WW_EVIDENCE_H
#define WW_EVIDENCE_H

#include "cyberalert/ww_cyberalert.h"

typedef enum ww_evidence_format {
    WW_EVIDENCE_JSON = 0,
    WW_EVIDENCE_HTML,
} ww_evidence_format_t;

/* Writes the pack as of `as_of` (seconds) into out.  `trust` names the organisation
 * (may be NULL).  Tables that do not exist (no incidents module, serve never run) are
 * reported as "none recorded", not as errors.  0 or WW_E* with diag. */
int ww_evidence_write(ww_store_t *st, int64_t as_of, const char *trust, ww_evidence_format_t fmt,
                      ww_buf_t *out, ww_diag_t *diag);

#endif
