/* Internals shared by the audit's files: the per-asset check context, adding findings
 * and the per-control tally. */
#ifndef WW_AUDIT_INT_H
#define WW_AUDIT_INT_H

#include "audit/ww_audit.h"

/* What one per-asset check sees. */
typedef struct ww_audit_ctx {
    ww_audit_report_t *r;
    const ww_asset_t *a;
    const ww_audit_ref_t *ref;
    const char *id;     /* the asset's name in findings */
    int64_t day;        /* as_of, in days */
    uint64_t eval_mask; /* bit per control (ww_audit_controls() index) */
    uint64_t fail_mask;
    ww_audit_support_t os_support; /* set by the OS check, read by later checks */
    ww_audit_eol_t os_eol;
} ww_audit_ctx_t;

typedef int (*ww_audit_check_fn)(ww_audit_ctx_t *c);

/* The per-asset checks in the order they run (ww_audit_checks.c). */
extern const struct ww_audit_check_def {
    const char *name;
    ww_audit_check_fn fn;
} ww__audit_checks[];
extern const size_t ww__audit_ncheck;

/* Index of a control in ww_audit_controls(), or -1. */
int ww__audit_control_index(const char *id);

/* Records that `control` applied to the asset and whether it failed. */
void ww__audit_mark(ww_audit_ctx_t *c, const char *control, bool failed);

/* Adds a finding.  Strings are copied into the report's arena; `check` and `control`
 * must be static.  Returns 0 or WW_ENOMEM / WW_ELIMIT (also kept in r->err). */
int ww__audit_add(ww_audit_report_t *r, const char *asset_id, const char *check,
                  const char *control, ww_sev_t sev, bool auto_fail, const char *title,
                  const char *evidence, const char *remedy, bool kev, bool ransomware,
                  bool internet, ww_crit_t clinical);

/* The name an asset goes by in findings: asset_id, else hostname, else IP, else MAC. */
const char *ww__audit_asset_name(const ww_asset_t *a);

/* True when the register's esu column says the asset is enrolled in extended support.
 * Free text never counts: "ESU NOT purchased" in the notes is not an enrolment. */
bool ww__audit_has_esu(const ww_asset_t *a);
/* True when os_version, build or notes mention extended support (ESU, ESM, Ubuntu Pro)
 * while the esu column is empty: evidence then says the column decides. */
bool ww__audit_esu_mentioned(const ww_asset_t *a);

#endif
