/* The audit's view of NHS cyber alerts: the hook `wardwatch audit` installs in its
 * ww_audit_ref_t so that overdue acknowledgements and updates, and applicable assets
 * still open past the mitigation deadline, are findings of control DSPT B4.d. */
#ifndef WW_CYBERALERT_AUDIT_H
#define WW_CYBERALERT_AUDIT_H

#include "audit/ww_audit.h"
#include "cyberalert/ww_cyberalert.h"

typedef struct ww_ca_audit {
    ww_store_t *st;
    const ww_feeds_t *feeds; /* may be NULL */
    int64_t now;             /* the audit's moment (--as-of), seconds */
    /* Set when the alerts could not be read or matched: the audit goes on without
       them and the program says why. */
    int rc;
    ww_diag_t diag;
} ww_ca_audit_t;

/* ww_audit_ref_t.extra: ud is a ww_ca_audit_t.  Brings the applicable assets up to
 * date with the register (ww_cyberalert_refresh), then adds the findings.  Returns 0
 * (a store without alerts adds nothing) or WW_ENOMEM / WW_ELIMIT from the report. */
int ww_cyberalert_audit(void *ud, ww_audit_report_t *r);

#endif
