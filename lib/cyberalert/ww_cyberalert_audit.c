/* NHS cyber alerts as audit findings (control DSPT B4.d): a high-severity alert not
 * acknowledged 48 hours after publication, one with no update 3 days after, and every
 * applicable asset still open after the mitigation deadline.  Alerts that are closed,
 * or below high severity, have no deadlines and add nothing. */
#include "cyberalert/ww_cyberalert_audit.h"

#include <stdio.h>

static const char *const CONTROL = "DSPT B4.d";

static int alert_finding(ww_audit_report_t *r, const ww_cyberalert_t *a, const char *check,
                         ww_sev_t sev, const char *what, int64_t due, const char *remedy)
{
    char t[32], pub[32], ev[1024], title[160];
    ww_ca_time_format(due, t, sizeof t);
    ww_ca_time_format(a->published, pub, sizeof pub);
    snprintf(title, sizeof title, "NHS cyber alert %s: %s overdue", a->ref, what);
    snprintf(ev, sizeof ev, "%s \"%.300s\" (%s severity, published %s): %s was due by %s", a->ref,
             a->title, ww_ca_sev_name(a->severity), pub, what, t);
    ww_audit_extra_t f = {.asset_id = a->ref,
                          .hostname = "",
                          .check = check,
                          .control = CONTROL,
                          .severity = sev,
                          .title = title,
                          .evidence = ev,
                          .remedy = remedy};
    return ww_audit_add_finding(r, &f);
}

int ww_cyberalert_audit(void *ud, ww_audit_report_t *r)
{
    ww_ca_audit_t *c = ud;
    ww_arena_t ar;
    ww_arena_init(&ar, 64 * 1024, 0);
    ww_cyberalert_t *v = NULL;
    size_t n = 0;
    int rc = 0;
    ww_ca_who_t who = {"audit", c->now};
    /* The register may have changed since the alert was recorded. */
    if ((c->rc = ww_cyberalert_refresh(c->st, c->feeds, NULL, &who, &c->diag)) != 0)
        goto out;
    if ((c->rc = ww_cyberalert_list(c->st, &ar, &v, &n, &c->diag)) != 0)
        goto out;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const ww_cyberalert_t *a = &v[i];
        if (a->closed_at || a->severity < WW_CA_SEV_HIGH)
            continue;
        ww_ca_asset_t *x = NULL;
        size_t nx = 0;
        if ((c->rc = ww_cyberalert_assets(c->st, a->id, &ar, &x, &nx, &c->diag)) != 0)
            goto out;
        size_t open = 0, affected = 0;
        int64_t last = 0;
        for (size_t k = 0; k < nx; k++) {
            if (x[k].possible)
                continue;
            affected++;
            open += x[k].state == WW_CA_OPEN;
            if (x[k].state_at > last)
                last = x[k].state_at;
        }
        ww_ca_clocks_t ck;
        ww_cyberalert_clocks(a, c->now, open, last, &ck);
        if (ck.ack.state == WW_CLOCK_OVERDUE)
            rc = alert_finding(r, a, "cyberalert_ack_overdue", WW_SEV_HIGH, "acknowledgement",
                               ck.ack.due,
                               "Acknowledge the alert with NHS England as its process asks, then "
                               "record it: wardwatch cyberalerts ack REF.");
        if (rc == 0 && ck.update.state == WW_CLOCK_OVERDUE)
            rc = alert_finding(r, a, "cyberalert_update_overdue", WW_SEV_MEDIUM, "first update",
                               ck.update.due,
                               "Report where remediation stands (assets affected, patched, "
                               "planned) and record it: wardwatch cyberalerts update REF.");
        size_t failed = 0;
        bool past = ck.mitigate.state == WW_CLOCK_OVERDUE;
        for (size_t k = 0; k < nx && rc == 0 && past; k++) {
            if (x[k].possible || x[k].state != WW_CA_OPEN)
                continue;
            failed++;
            char t[32], ev[1536], title[160];
            ww_ca_time_format(ck.mitigate.due, t, sizeof t);
            snprintf(title, sizeof title, "NHS cyber alert %s not mitigated on this asset by %s",
                     a->ref, t);
            snprintf(ev, sizeof ev,
                     "%s \"%.300s\" (%s) applies: %.700s; no patch or mitigation "
                     "recorded, due by %s",
                     a->ref, a->title, ww_ca_sev_name(a->severity), x[k].basis, t);
            ww_audit_extra_t f = {
                .asset_id = x[k].asset,
                .hostname = x[k].hostname,
                .check = "cyberalert_unmitigated",
                .control = CONTROL,
                .severity = a->severity == WW_CA_SEV_CRITICAL ? WW_SEV_CRITICAL : WW_SEV_HIGH,
                .title = title,
                .evidence = ev,
                .remedy = "Apply the fix or the mitigation the alert gives, then record it: "
                          "wardwatch cyberalerts update REF --asset NAME --state patched."};
            rc = ww_audit_add_finding(r, &f);
        }
        ww_audit_count_control(r, CONTROL, affected, failed);
    }
out:
    ww_arena_release(&ar);
    return rc;
}
