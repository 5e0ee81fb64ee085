/* The audit report: the controls it evaluates, collecting findings and per-control
 * tallies asset by asset, the cross-asset checks (unsupported systems sharing a segment,
 * medical devices seen but not registered) and the risk ranking. */
#include "audit/ww_audit_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <strings.h>

/* Labels, auto-fail flags and statements follow the Danzell v16 OSCAL catalog
 * (tests/integration/audit.sh checks them against ../shared).  The medical device
 * register is an NHS DSPT requirement (CAF-aligned DSPT outcome A3.a, asset
 * management); it has no Cyber Essentials question. */
static const ww_audit_control_t controls[] = {
    {"A4.1.1", "Software firewalls are enabled on all computers, laptops and servers", false},
    {"A4.2", "Default passwords are changed on all routers and firewalls", false},
    {"A5.3", "Default passwords are changed on all computers, servers and mobile devices", false},
    {"A5.5", "Services reachable from the internet authenticate users strongly (MFA)", false},
    {"A5.8", "Auto-run of downloaded or imported files is disabled", false},
    {"A6.1", "All operating systems and firmware are supported by their vendor", false},
    {"A6.4", "Critical and high-risk fixes are installed within 14 days of release", true},
    {"A6.6", "Software no longer supported by its vendor is removed", false},
    {"A6.7", "Unsupported systems are kept in their own segment with no internet access", false},
    {"A7.17", "All users of cloud services use multi-factor authentication", true},
    {"A8.1", "Malware protection is active on all devices", false},
    {"DSPT A3.a", "Every medical device on the network is in the medical device register", false},
    /* CAF B4.d vulnerability management: NHS England's high-severity cyber alerts are
       acknowledged in 48 hours and the assets they apply to mitigated in time. */
    {"DSPT B4.d", "High-severity NHS cyber alerts are acknowledged, updated and mitigated on time",
     false},
};

const ww_audit_control_t *ww_audit_controls(size_t *n)
{
    *n = WW_ARRAY_LEN(controls);
    return controls;
}

int ww__audit_control_index(const char *id)
{
    for (size_t i = 0; i < WW_ARRAY_LEN(controls); i++)
        if (!strcmp(controls[i].id, id))
            return (int)i;
    return -1;
}

const ww_audit_control_t *ww_audit_control(const char *id)
{
    int i = ww__audit_control_index(id);
    return i < 0 ? NULL : &controls[i];
}

/* ---- days ------------------------------------------------------------------------ */

int64_t ww_audit_day(int64_t secs)
{
    int64_t d = secs / WW_AUDIT_DAY;
    if (secs % WW_AUDIT_DAY < 0)
        d--;
    return d;
}

void ww_audit_day_format(int64_t day, char *out, size_t outlen)
{
    /* Civil date from a day count (Howard Hinnant's algorithm). */
    int64_t z = day + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2)
        y++;
    snprintf(out, outlen, "%04lld-%02lld-%02lld", (long long)y, (long long)m, (long long)d);
}

/* ---- rules shared by checks ------------------------------------------------------ */

bool ww_audit_update_in_scope(const ww_update_t *u)
{
    if (u->severity == WW_SEV_HIGH || u->severity == WW_SEV_CRITICAL)
        return true;
    if (u->cvss >= 7.0)
        return true;
    /* Cyber Essentials: an update whose vendor gives no severity counts as
     * critical/high.  A stated low/medium severity without a CVSS score does not. */
    return u->severity == WW_SEV_NONE && u->cvss < 0;
}

ww_audit_support_t ww_audit_support_status(const ww_audit_ref_t *ref, const char *product,
                                           const char *version, bool esu, int64_t as_of_day,
                                           ww_audit_eol_t *eol)
{
    ww_audit_eol_t e;
    memset(&e, 0, sizeof e);
    if (!product || !*product)
        return WW_SUPPORT_NOT_EVALUATED;
    if (!ref || !ref->eol || ref->eol(ref->ud, product, version ? version : "", &e) != 1)
        return WW_SUPPORT_UNKNOWN;
    if (eol)
        *eol = e;
    /* The eol date is the last day of security support: that day is still supported. */
    if (e.eol_day != WW_AUDIT_ENDED && as_of_day <= e.eol_day)
        return WW_SUPPORT_SUPPORTED;
    if (e.eoes_day != WW_AUDIT_ENDED && as_of_day <= e.eoes_day && (esu || e.extended_free))
        return WW_SUPPORT_ESU;
    return WW_SUPPORT_UNSUPPORTED;
}

/* ---- the report ------------------------------------------------------------------ */

int ww_audit_report_new(int64_t as_of, ww_audit_report_t **out)
{
    ww_audit_report_t *r = calloc(1, sizeof *r);
    if (!r)
        return WW_ENOMEM;
    ww_arena_init(&r->arena, 64 * 1024, 0);
    r->as_of_day = ww_audit_day(as_of);
    r->last_scan_day = r->kev_day = r->eol_day = WW_AUDIT_NODAY;
    r->tally = calloc(WW_ARRAY_LEN(controls), sizeof *r->tally);
    if (!r->tally) {
        ww_audit_report_free(r);
        return WW_ENOMEM;
    }
    *out = r;
    return 0;
}

void ww_audit_report_free(ww_audit_report_t *r)
{
    if (!r)
        return;
    ww_arena_release(&r->arena);
    free(r->findings);
    free(r->tally);
    free(r->unsupported);
    free(r->history);
    free(r);
}

/* Grows a vector to hold one more element of `size` bytes, up to `max` elements. */
static int grow(void **v, size_t *cap, size_t n, size_t size, size_t max)
{
    if (n < *cap)
        return 0;
    if (n >= max)
        return WW_ELIMIT;
    size_t nc = *cap ? *cap * 2 : 64;
    if (nc > max)
        nc = max;
    void *p = realloc(*v, nc * size);
    if (!p)
        return WW_ENOMEM;
    *v = p;
    *cap = nc;
    return 0;
}

static const char *dup(ww_audit_report_t *r, const char *s)
{
    char *p = ww_arena_strdup(&r->arena, s ? s : "");
    if (!p && !r->err)
        r->err = WW_ENOMEM;
    return p ? p : "";
}

int ww__audit_add(ww_audit_report_t *r, const char *asset_id, const char *check,
                  const char *control, ww_sev_t sev, bool auto_fail, const char *title,
                  const char *evidence, const char *remedy, bool kev, bool ransomware,
                  bool internet, ww_crit_t clinical)
{
    if (r->err)
        return r->err;
    int rc = grow((void **)&r->findings, &r->cap, r->n, sizeof *r->findings, WW_AUDIT_MAX_FINDINGS);
    if (rc < 0) {
        r->err = rc;
        return rc;
    }
    ww_audit_finding_t *f = &r->findings[r->n];
    memset(f, 0, sizeof *f);
    f->asset_id = dup(r, asset_id);
    f->hostname = f->model = f->maker = "";
    f->check = check;
    f->control = control;
    f->severity = sev;
    f->auto_fail = auto_fail;
    f->title = dup(r, title);
    f->evidence = dup(r, evidence);
    f->remedy = dup(r, remedy);
    f->kev = kev;
    f->ransomware = ransomware;
    f->internet = internet;
    f->clinical = clinical;
    f->score = ww_audit_score(f);
    if (r->err)
        return r->err;
    r->n++;
    return 0;
}

int ww_audit_add_finding(ww_audit_report_t *r, const ww_audit_extra_t *f)
{
    if (ww__audit_control_index(f->control) < 0)
        return WW_EINVAL;
    int rc = ww__audit_add(r, f->asset_id, f->check, f->control, f->severity, false, f->title,
                           f->evidence, f->remedy, false, false, f->internet, f->clinical);
    if (rc == 0)
        ww__audit_name_last(r, f->hostname, NULL, NULL);
    return rc;
}

void ww_audit_count_control(ww_audit_report_t *r, const char *control, size_t evaluated,
                            size_t failed)
{
    int i = ww__audit_control_index(control);
    if (i < 0)
        return;
    r->tally[i].evaluated += evaluated;
    r->tally[i].failed += failed;
}

void ww__audit_name_last(ww_audit_report_t *r, const char *hostname, const char *maker,
                         const char *model)
{
    if (r->err || !r->n)
        return;
    ww_audit_finding_t *f = &r->findings[r->n - 1];
    f->hostname = hostname && *hostname ? dup(r, hostname) : "";
    f->maker = maker && *maker ? dup(r, maker) : "";
    f->model = model && *model ? dup(r, model) : "";
}

void ww__audit_mark(ww_audit_ctx_t *c, const char *control, bool failed)
{
    int i = ww__audit_control_index(control);
    if (i < 0)
        return;
    c->eval_mask |= UINT64_C(1) << i;
    if (failed)
        c->fail_mask |= UINT64_C(1) << i;
}

const char *ww__audit_asset_name(const ww_asset_t *a)
{
    if (a->asset_id && *a->asset_id)
        return a->asset_id;
    if (a->hostname && *a->hostname)
        return a->hostname;
    if (a->nips && a->ips[0] && *a->ips[0])
        return a->ips[0];
    if (a->mac && *a->mac)
        return a->mac;
    return "(unnamed)";
}

/* Case-insensitive search for `word` in `s` as a whole word. */
static bool has_word(const char *s, const char *word)
{
    if (!s)
        return false;
    size_t wn = strlen(word), sn = strlen(s);
    for (size_t i = 0; i + wn <= sn; i++) {
        if (strncasecmp(s + i, word, wn))
            continue;
        bool left = i == 0 || !isalnum((unsigned char)s[i - 1]);
        bool right = i + wn == sn || !isalnum((unsigned char)s[i + wn]);
        if (left && right)
            return true;
    }
    return false;
}

bool ww__audit_has_esu(const ww_asset_t *a)
{
    /* Only the register's own column: text such as "ESU NOT purchased" or "ESU quote
       requested" mentions ESU without being an enrolment, and no word list can tell
       the two apart reliably. */
    return a->esu == WW_TRI_YES;
}

bool ww__audit_esu_mentioned(const ww_asset_t *a)
{
    if (a->esu != WW_TRI_UNKNOWN)
        return false;
    const char *fields[] = {a->os_version, a->build, a->notes};
    static const char *const words[] = {"esu", "esm", "ubuntu pro", "extended support",
                                        "extended security updates"};
    for (size_t i = 0; i < WW_ARRAY_LEN(fields); i++)
        for (size_t j = 0; j < WW_ARRAY_LEN(words); j++)
            if (has_word(fields[i], words[j]))
                return true;
    return false;
}

static bool isolation(ww_audit_report_t *r, const ww_asset_t *a, const ww_audit_ref_t *ref,
                      const char **why)
{
    char where[128] = "", ev[512];
    int map = -1;
    if (ref && ref->segment_isolated)
        map = ref->segment_isolated(ref->map_ud, a, where, sizeof where);
    const char *seg = a->segment && *a->segment ? a->segment : where;
    if (a->internet_exposed == WW_TRI_YES) {
        snprintf(ev, sizeof ev, "it is exposed to the internet (internet_exposed = yes)%s%s%s",
                 *seg ? ", segment '" : "", seg, *seg ? "'" : "");
        *why = dup(r, ev);
        return false;
    }
    if (a->isolated == WW_TRI_YES) {
        *why = "the register marks its segment as isolated (isolated = yes)";
        return true;
    }
    if (a->isolated == WW_TRI_NO) {
        snprintf(ev, sizeof ev, "the register marks it as not isolated (isolated = no)%s%s%s",
                 *seg ? ", segment '" : "", seg, *seg ? "'" : "");
        *why = dup(r, ev);
        return false;
    }
    if (map == 1) {
        snprintf(ev, sizeof ev, "the network map routes nothing to its segment '%s'", where);
        *why = dup(r, ev);
        return true;
    }
    if (map == 0)
        snprintf(ev, sizeof ev,
                 "its segment '%s' is routed to other segments in the network map, and the "
                 "register does not mark it as isolated",
                 where);
    else if (*seg)
        snprintf(ev, sizeof ev,
                 "its segment '%s' is not marked as isolated (register column isolated, or "
                 "the network map)",
                 seg);
    else
        snprintf(ev, sizeof ev, "no network segment is recorded");
    *why = dup(r, ev);
    return false;
}

int ww_audit_asset(ww_audit_report_t *r, const ww_asset_t *a, const ww_audit_ref_t *ref)
{
    if (r->err)
        return r->err;
    ww_audit_ctx_t c = {.r = r, .a = a, .ref = ref, .day = r->as_of_day};
    c.id = ww__audit_asset_name(a);
    r->assets++;
    r->by_type[a->type < WW_AT__COUNT ? a->type : WW_AT_UNKNOWN]++;
    if (a->type == WW_AT_MEDICAL_DEVICE) {
        r->medical_registered++;
        if (a->manufacturer && *a->manufacturer && a->model && *a->model)
            r->medical_with_mds2++;
        /* A registered device meets "every medical device on the network is
           registered" only if someone looked at the network. */
        if (r->scans)
            ww__audit_mark(&c, "DSPT A3.a", false);
    }
    for (size_t i = 0; i < ww__audit_ncheck; i++) {
        int rc = ww__audit_checks[i].fn(&c);
        if (rc < 0)
            return rc;
    }
    r->support[c.os_support]++;
    for (size_t i = 0; i < WW_ARRAY_LEN(controls); i++) {
        if (c.eval_mask & (UINT64_C(1) << i))
            r->tally[i].evaluated++;
        if (c.fail_mask & (UINT64_C(1) << i))
            r->tally[i].failed++;
        if (c.fail_auto_mask & (UINT64_C(1) << i))
            r->tally[i].failed_auto++;
    }
    if (c.os_support == WW_SUPPORT_UNSUPPORTED) {
        int rc = grow((void **)&r->unsupported, &r->capunsupported, r->nunsupported,
                      sizeof *r->unsupported, SIZE_MAX / 64);
        if (rc < 0)
            return r->err = rc;
        ww_audit_unsupported_t *u = &r->unsupported[r->nunsupported++];
        char os[300];
        snprintf(os, sizeof os, "%s%s%s",
                 a->os && *a->os ? a->os : (a->firmware ? a->firmware : ""),
                 a->os && *a->os && a->os_version && *a->os_version ? " " : "",
                 a->os && *a->os && a->os_version ? a->os_version : "");
        u->asset_id = dup(r, c.id);
        u->hostname = dup(r, a->hostname);
        u->maker = dup(r, a->manufacturer);
        u->model = dup(r, a->model);
        u->kind = ww__audit_kind(a);
        u->type = ww_asset_type_name(a->type);
        u->os = dup(r, os);
        u->segment = dup(r, a->segment);
        u->eol_day = c.os_eol.eol_day;
        u->internet = a->internet_exposed == WW_TRI_YES;
        u->clinical = a->clinical_criticality;
        u->isolated = isolation(r, a, ref, &u->why);
    }
    return r->err;
}

int ww_audit_observed(ww_audit_report_t *r, const ww_observed_t *o)
{
    if (r->err)
        return r->err;
    r->observed++;
    if (!o->medical_hint || !*o->medical_hint)
        return 0;
    r->medical_unregistered++;
    int i = ww__audit_control_index("DSPT A3.a");
    r->tally[i].evaluated++;
    r->tally[i].failed++;
    const char *name = o->ip && *o->ip ? o->ip : (o->mac && *o->mac ? o->mac : o->hostname);
    char seen[16] = "", ev[768];
    if (o->last_seen != WW_ASSET_NOTIME)
        ww_audit_day_format(ww_audit_day(o->last_seen), seen, sizeof seen);
    snprintf(ev, sizeof ev, "seen by %s%s%s at %s%s%s%s%s%s, not in the register: %s",
             ww_asset_source_name(o->source), *seen ? " on " : "", seen, o->ip ? o->ip : "",
             o->mac && *o->mac ? " MAC " : "", o->mac ? o->mac : "",
             o->hostname && *o->hostname ? " (" : "", o->hostname ? o->hostname : "",
             o->hostname && *o->hostname ? ")" : "", o->medical_hint);
    int rc =
        ww__audit_add(r, name ? name : "(unnamed)", "unregistered_medical_device", "DSPT A3.a",
                      WW_SEV_HIGH, false, "Medical device on the network is not in the register",
                      ev, ww__audit_remedy("unregistered_medical_device", WW_KIND_MEDICAL_MFR, 0),
                      false, false, false, WW_CRIT_UNKNOWN);
    /* What the network says of it: its name and the maker of its network card. */
    ww__audit_name_last(r, o->hostname, o->vendor, "");
    return rc;
}

/* ---- cross-asset checks and ranking ---------------------------------------------- */

int ww_audit_score(const ww_audit_finding_t *f)
{
    static const int sev_pts[] = {0, 10, 20, 30, 40};
    static const int crit_pts[] = {0, 0, 4, 8, 12, 16};
    int s = 0;
    s += f->ransomware ? 100 : 0;
    s += f->kev ? 60 : 0;
    s += f->internet ? 30 : 0;
    s += crit_pts[f->clinical <= WW_CRIT_CRITICAL ? f->clinical : 0];
    s += f->auto_fail ? 20 : 0;
    s += sev_pts[f->severity <= WW_SEV_CRITICAL ? f->severity : 0];
    return s;
}

static int finding_cmp(const void *x, const void *y)
{
    const ww_audit_finding_t *a = x, *b = y;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (a->severity != b->severity)
        return a->severity > b->severity ? -1 : 1;
    int c = strcmp(a->asset_id, b->asset_id);
    if (c)
        return c;
    return strcmp(a->check, b->check);
}

int ww_audit_finish(ww_audit_report_t *r)
{
    if (r->err)
        return r->err;
    if (r->finished)
        return 0;
    int ci = ww__audit_control_index("A6.7");
    for (size_t i = 0; i < r->nunsupported; i++) {
        ww_audit_unsupported_t *u = &r->unsupported[i];
        r->tally[ci].evaluated++;
        if (u->isolated)
            continue;
        r->tally[ci].failed++;
        char ev[768];
        snprintf(ev, sizeof ev, "%s is unsupported and not isolated: %s", u->os, u->why);
        int rc = ww__audit_add(r, u->asset_id, "unsupported_not_isolated", "A6.7", WW_SEV_HIGH,
                               false, "Unsupported system is not isolated in its own segment", ev,
                               ww__audit_remedy("unsupported_not_isolated", u->kind, 0), false,
                               false, u->internet, u->clinical);
        if (rc < 0)
            return rc;
        ww__audit_name_last(r, u->hostname, u->maker, u->model);
    }
    if (r->n)
        qsort(r->findings, r->n, sizeof *r->findings, finding_cmp);
    r->finished = true;
    return 0;
}

void ww_audit_point(const ww_audit_report_t *r, ww_audit_point_t *out)
{
    memset(out, 0, sizeof *out);
    out->day = r->as_of_day;
    out->assets = r->assets;
    out->findings = r->n;
    for (size_t i = 0; i < r->n; i++) {
        out->by_sev[r->findings[i].severity <= WW_SEV_CRITICAL ? r->findings[i].severity : 0]++;
        out->auto_fail += r->findings[i].auto_fail;
    }
}

static int64_t age(const ww_audit_report_t *r, int64_t day)
{
    if (day == WW_AUDIT_NODAY)
        return INT64_MIN;
    return r->as_of_day - day - WW_AUDIT_STALE_DAYS;
}

int64_t ww_audit_kev_age(const ww_audit_report_t *r)
{
    return age(r, r->kev_day);
}

int64_t ww_audit_eol_age(const ww_audit_report_t *r)
{
    return age(r, r->eol_day);
}

int ww_audit_run(const ww_asset_set_t *set, const ww_audit_ref_t *ref, int64_t as_of,
                 ww_audit_report_t **out)
{
    ww_audit_report_t *r = NULL;
    int rc = ww_audit_report_new(as_of, &r);
    if (rc < 0)
        return rc;
    r->scans = set->nscans;
    if (set->nscans && set->last_scan != WW_ASSET_NOTIME)
        r->last_scan_day = ww_audit_day(set->last_scan);
    if (ref) {
        /* 0 (a ref filled by hand) reads as "not known", like WW_AUDIT_NODAY. */
        r->kev_day = ref->kev_day ? ref->kev_day : WW_AUDIT_NODAY;
        r->eol_day = ref->eol_day ? ref->eol_day : WW_AUDIT_NODAY;
        snprintf(r->kev_version, sizeof r->kev_version, "%s",
                 ref->kev_version ? ref->kev_version : "");
        snprintf(r->eol_source, sizeof r->eol_source, "%s", ref->eol_source ? ref->eol_source : "");
    }
    for (size_t i = 0; i < set->n && rc >= 0; i++)
        rc = ww_audit_asset(r, &set->assets[i], ref);
    for (size_t i = 0; i < set->nobserved && rc >= 0; i++)
        rc = ww_audit_observed(r, &set->observed[i]);
    if (rc >= 0 && ref && ref->extra)
        rc = ref->extra(ref->extra_ud, r);
    if (rc >= 0)
        rc = ww_audit_finish(r);
    if (rc < 0) {
        ww_audit_report_free(r);
        return rc;
    }
    *out = r;
    return 0;
}
