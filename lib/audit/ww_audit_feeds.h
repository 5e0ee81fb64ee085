/* The audit's reference data taken from loaded feeds (KEV, end-of-life dates). */
#ifndef WW_AUDIT_FEEDS_H
#define WW_AUDIT_FEEDS_H

#include "audit/ww_audit.h"
#include "feeds/ww_feeds.h"

/* Fills *ref so that checks look things up in `f` (borrowed: keep f alive while ref is
 * used).  f == NULL gives a ref with no data (everything "unknown"). */
void ww_audit_ref_from_feeds(const ww_feeds_t *f, ww_audit_ref_t *ref);

#endif
