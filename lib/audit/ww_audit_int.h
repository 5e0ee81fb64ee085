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
    uint64_t fail_auto_mask;       /* failed through an automatic-fail finding */
    ww_audit_support_t os_support; /* set by the OS check, read by later checks */
    ww_audit_eol_t os_eol;
} ww_audit_ctx_t;

/* The kind of device a remedy is written for (ww_audit_remedy). */
typedef enum ww_audit_kind {
    WW_KIND_COMPUTER = 0, /* desktops, laptops, servers, VMs, thin clients, phones, unknown */
    WW_KIND_NETWORK,      /* firewalls, routers, switches: they join segments */
    WW_KIND_MEDICAL_MFR,  /* a medical device the manufacturer maintains */
    WW_KIND_IOT,          /* other embedded devices (and medical ones the trust patches) */
    WW_KIND_CLOUD,        /* a cloud service */
    WW_KIND__COUNT
} ww_audit_kind_t;

/* What kind of device `a` is, for remedies.  A medical device is manufacturer-
 * maintained unless patch_by names the trust ("trust", "either"). */
ww_audit_kind_t ww__audit_kind(const ww_asset_t *a);
/* The remedy for `check` on a device of `kind` (static text).  `variant` picks the
 * alternative some checks have (1: ESU can still be bought; for mfa_missing: cloud). */
const char *ww__audit_remedy(const char *check, ww_audit_kind_t kind, int variant);

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
/* Names the asset of the finding just added: hostname, manufacturer and model. */
void ww__audit_name_last(ww_audit_report_t *r, const char *hostname, const char *maker,
                         const char *model);

/* The name an asset goes by in findings: asset_id, else hostname, else IP, else MAC. */
const char *ww__audit_asset_name(const ww_asset_t *a);

/* True when the register's esu column says the asset is enrolled in extended support.
 * Free text never counts: "ESU NOT purchased" in the notes is not an enrolment. */
bool ww__audit_has_esu(const ww_asset_t *a);
/* True when os_version, build or notes mention extended support (ESU, ESM, Ubuntu Pro)
 * while the esu column is empty: evidence then says the column decides. */
bool ww__audit_esu_mentioned(const ww_asset_t *a);

#endif
