/* The per-asset checks.  Each reads one asset, the reference data and the as-of day,
 * records whether its control applied (for the readiness tally) and adds at most one
 * finding per asset: the evidence lists every item (update, product) that failed.
 * Rules are conservative: a value the register does not give (UNKNOWN) or marks "na"
 * produces no finding.  docs/audit.md states each rule exactly. */
#include "audit/ww_audit_int.h"

#include <strings.h>

/* At most this many items (updates, products) are spelled out in one evidence text. */
#define EVIDENCE_ITEMS 8

static bool internet(const ww_audit_ctx_t *c)
{
    return c->a->internet_exposed == WW_TRI_YES;
}

static int add(ww_audit_ctx_t *c, const char *check, const char *control, ww_sev_t sev,
               bool auto_fail, const char *title, const char *evidence, const char *remedy,
               bool kev, bool ransomware)
{
    return ww__audit_add(c->r, c->id, check, control, sev, auto_fail, title, evidence, remedy, kev,
                         ransomware, internet(c), c->a->clinical_criticality);
}

static const char *sev_word(const ww_update_t *u)
{
    return u->severity == WW_SEV_NONE ? "no severity given" : ww_sev_name(u->severity);
}

/* "OS version" as the register wrote it. */
static void os_text(const ww_asset_t *a, char *out, size_t cap)
{
    snprintf(out, cap, "%s%s%s", a->os ? a->os : "", a->os_version && *a->os_version ? " " : "",
             a->os_version ? a->os_version : "");
}

static bool is_na_text(const char *s)
{
    return s && (!strcasecmp(s, "na") || !strcasecmp(s, "n/a") || !strcasecmp(s, "none") ||
                 !strcmp(s, "-"));
}

/* ---- overdue critical/high fixes (A6.4) ------------------------------------------ */

/* Days an in-scope update has been available on the as-of day; < 0 when it cannot be
 * overdue (out of scope, no release date, released later). */
static int64_t update_age(const ww_audit_ctx_t *c, const ww_update_t *u)
{
    if (!ww_audit_update_in_scope(u) || u->released == WW_ASSET_NOTIME)
        return -1;
    return c->day - ww_audit_day(u->released);
}

static bool overdue(const ww_audit_ctx_t *c, const ww_update_t *u)
{
    return update_age(c, u) > WW_AUDIT_PATCH_DAYS;
}

static int check_patches(ww_audit_ctx_t *c)
{
    const ww_asset_t *a = c->a;
    /* A cloud service is patched by its provider unless the register lists updates. */
    if (a->type == WW_AT_CLOUD_SERVICE && !a->nupdates)
        return 0;
    ww_buf_t ev;
    ww_buf_init(&ev, 4096);
    size_t late = 0;
    bool critical = false;
    for (size_t i = 0; i < a->nupdates; i++) {
        const ww_update_t *u = &a->updates[i];
        if (!overdue(c, u))
            continue;
        if (u->severity == WW_SEV_CRITICAL || u->cvss >= 9.0)
            critical = true;
        if (late++ >= EVIDENCE_ITEMS)
            continue;
        char rel[16];
        ww_audit_day_format(ww_audit_day(u->released), rel, sizeof rel);
        ww_buf_printf(&ev, "%s%s (%s", late > 1 ? "; " : "", u->id, sev_word(u));
        if (u->cvss >= 0)
            ww_buf_printf(&ev, ", CVSS %.1f", u->cvss);
        ww_buf_printf(&ev, ", released %s, %lld days ago)", rel, (long long)update_age(c, u));
    }
    if (late > EVIDENCE_ITEMS)
        ww_buf_printf(&ev, "; and %zu more", late - EVIDENCE_ITEMS);
    ww__audit_mark(c, "A6.4", late > 0);
    int rc = 0;
    if (late) {
        char title[128];
        snprintf(title, sizeof title, "%zu critical/high-risk fix%s not installed within 14 days",
                 late, late == 1 ? "" : "es");
        rc = add(c, "patch_overdue", "A6.4", critical ? WW_SEV_CRITICAL : WW_SEV_HIGH, true, title,
                 ev.p ? ev.p : "",
                 "Install the missing security updates now and restart the device; critical "
                 "and high-risk fixes must go on within 14 days of release.",
                 false, false);
    }
    ww_buf_release(&ev);
    return rc;
}

/* ---- known-exploited vulnerabilities (KEV) --------------------------------------- */

static bool is_cve(const char *id)
{
    return id && !strncasecmp(id, "CVE-", 4);
}

static int check_kev(ww_audit_ctx_t *c)
{
    const ww_asset_t *a = c->a;
    if (!c->ref || !c->ref->kev)
        return 0;
    ww_buf_t ev;
    ww_buf_init(&ev, 4096);
    size_t hits = 0;
    bool ransom = false, late = false;
    for (size_t i = 0; i < a->nupdates; i++) {
        const ww_update_t *u = &a->updates[i];
        ww_audit_kev_t k = {0};
        if (!is_cve(u->id) || c->ref->kev(c->ref->ud, u->id, &k) != 1)
            continue;
        ransom |= k.ransomware;
        late |= overdue(c, u);
        if (hits++ >= EVIDENCE_ITEMS)
            continue;
        ww_buf_printf(&ev, "%s%s%s%s%s", hits > 1 ? "; " : "", u->id, k.name && *k.name ? " (" : "",
                      k.name ? k.name : "", k.name && *k.name ? ")" : "");
        if (k.ransomware)
            ww_buf_puts(&ev, ", used in ransomware campaigns");
    }
    if (hits > EVIDENCE_ITEMS)
        ww_buf_printf(&ev, "; and %zu more", hits - EVIDENCE_ITEMS);
    int rc = 0;
    if (hits) {
        ww_buf_puts(&ev, ": on CISA's Known Exploited Vulnerabilities list");
        rc = add(c, "kev", "A6.4", WW_SEV_CRITICAL, late,
                 ransom ? "Vulnerability used by ransomware is not patched"
                        : "Vulnerability known to be exploited is not patched",
                 ev.p ? ev.p : "",
                 "Patch this vulnerability first: attackers are already using it; if a fix "
                 "cannot go on today, disconnect or firewall the device until it does.",
                 true, ransom);
    }
    ww_buf_release(&ev);
    return rc;
}

/* ---- unsupported or unknown OS / firmware (A6.1) --------------------------------- */

/* Copies a version without the words that only say "enrolled in extended support"
 * ("22H2 ESU" -> "22H2"), so that the end-of-life lookup sees the release. */
static void strip_esu(const char *in, char *out, size_t cap)
{
    static const char *const words[] = {"esu", "esm", "(esu)", "(esm)", "+esu", "+esm"};
    size_t o = 0;
    const char *p = in ? in : "";
    while (*p) {
        while (*p == ' ')
            p++;
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        size_t n = (size_t)(p - w);
        bool drop = n == 0;
        for (size_t i = 0; i < WW_ARRAY_LEN(words) && !drop; i++)
            drop = strlen(words[i]) == n && !strncasecmp(w, words[i], n);
        if (drop || o + n + 2 > cap)
            continue;
        if (o)
            out[o++] = ' ';
        memcpy(out + o, w, n);
        o += n;
    }
    out[o] = 0;
}

static int check_os(ww_audit_ctx_t *c)
{
    const ww_asset_t *a = c->a;
    const char *product = a->os, *version = a->os_version;
    bool firmware = false;
    if (!product || !*product || is_na_text(product)) {
        /* Firmware alone is checked only when it names a product the data knows
         * ("FortiOS 7.0.12"): a bare version number names nothing. */
        if (!a->firmware || !*a->firmware || is_na_text(a->firmware))
            return 0;
        ww_audit_eol_t probe;
        if (ww_audit_support_status(c->ref, a->firmware, "", false, c->day, &probe) ==
            WW_SUPPORT_UNKNOWN)
            return 0;
        product = a->firmware;
        version = "";
        firmware = true;
    }
    bool esu = ww__audit_has_esu(a);
    char ver[256];
    strip_esu(version, ver, sizeof ver);
    ww_audit_eol_t e;
    memset(&e, 0, sizeof e);
    ww_audit_support_t st = ww_audit_support_status(c->ref, product, ver, esu, c->day, &e);
    c->os_support = st;
    c->os_eol = e;
    char what[300], ev[768], eol[16] = "", eoes[16] = "";
    if (firmware)
        snprintf(what, sizeof what, "firmware %s", product);
    else
        os_text(a, what, sizeof what);
    if (st == WW_SUPPORT_UNKNOWN) {
        snprintf(ev, sizeof ev,
                 "'%s' is not in the end-of-life data, so its support status cannot be checked",
                 what);
        return add(c, "support_unknown", "A6.1", WW_SEV_LOW, false, "Support status unknown", ev,
                   "Confirm with the vendor that this version still gets security updates and "
                   "record its end-of-support date.",
                   false, false);
    }
    if (st != WW_SUPPORT_UNSUPPORTED) {
        ww__audit_mark(c, "A6.1", false);
        return 0;
    }
    ww__audit_mark(c, "A6.1", true);
    if (e.eol_day != WW_AUDIT_ENDED)
        ww_audit_day_format(e.eol_day, eol, sizeof eol);
    if (e.eoes_day != WW_AUDIT_ENDED)
        ww_audit_day_format(e.eoes_day, eoes, sizeof eoes);
    int n = snprintf(ev, sizeof ev, "%s (%s): security support ended%s%s", what, e.product,
                     *eol ? " " : "", eol);
    bool esu_open = *eoes && c->day <= e.eoes_day;
    if (n > 0 && (size_t)n < sizeof ev) {
        if (esu_open)
            snprintf(ev + n, sizeof ev - n,
                     "; extended support runs to %s but the register records no enrolment%s", eoes,
                     ww__audit_esu_mentioned(a)
                         ? " (ESU is mentioned in its text, but only the esu column counts)"
                     : a->esu == WW_TRI_NO ? " (esu = no)"
                                           : "");
        else if (*eoes)
            snprintf(ev + n, sizeof ev - n, "; extended support ended %s", eoes);
    }
    bool fw = firmware || a->type == WW_AT_NETWORK || a->type == WW_AT_FIREWALL;
    return add(c, "unsupported_os", "A6.1", WW_SEV_HIGH, false,
               fw ? "Firmware no longer supported by its vendor"
                  : "Operating system no longer supported by its vendor",
               ev,
               esu_open ? "Enrol it in the vendor's extended security updates now, and plan its "
                          "upgrade before that support ends."
                        : "Upgrade or replace it with a supported version; until then keep it in "
                          "its own segment with no internet access.",
               false, false);
}

/* ---- unsupported software (A6.6) ------------------------------------------------- */

static int check_software(ww_audit_ctx_t *c)
{
    const ww_asset_t *a = c->a;
    bool esu = ww__audit_has_esu(a), known = false;
    ww_buf_t ev;
    ww_buf_init(&ev, 4096);
    size_t bad = 0;
    for (size_t i = 0; i < a->nsoftware; i++) {
        const ww_software_t *s = &a->software[i];
        ww_audit_eol_t e;
        memset(&e, 0, sizeof e);
        ww_audit_support_t st =
            ww_audit_support_status(c->ref, s->name, s->version, esu, c->day, &e);
        /* Products the data does not know are not reported: an installed-software
         * list is mostly such products, and the report must not cry wolf. */
        if (st == WW_SUPPORT_UNKNOWN || st == WW_SUPPORT_NOT_EVALUATED)
            continue;
        known = true;
        if (st != WW_SUPPORT_UNSUPPORTED)
            continue;
        if (bad++ >= EVIDENCE_ITEMS)
            continue;
        char eol[16] = "";
        if (e.eol_day != WW_AUDIT_ENDED)
            ww_audit_day_format(e.eol_day, eol, sizeof eol);
        ww_buf_printf(&ev, "%s%s%s%s (support ended%s%s)", bad > 1 ? "; " : "", s->name,
                      s->version && *s->version ? " " : "", s->version ? s->version : "",
                      *eol ? " " : "", eol);
    }
    if (bad > EVIDENCE_ITEMS)
        ww_buf_printf(&ev, "; and %zu more", bad - EVIDENCE_ITEMS);
    if (known)
        ww__audit_mark(c, "A6.6", bad > 0);
    int rc = 0;
    if (bad)
        rc = add(c, "unsupported_software", "A6.6", WW_SEV_HIGH, false,
                 "Software no longer supported by its vendor", ev.p ? ev.p : "",
                 "Remove the unsupported software or upgrade it to a supported version.", false,
                 false);
    ww_buf_release(&ev);
    return rc;
}

/* ---- configuration flags --------------------------------------------------------- */

/* A yes/no control: `bad` is the value that fails.  UNKNOWN and NA give nothing. */
static int flag_check(ww_audit_ctx_t *c, ww_tri_t v, ww_tri_t bad, const char *check,
                      const char *control, ww_sev_t sev, const char *title, const char *evidence,
                      const char *remedy)
{
    if (v != WW_TRI_YES && v != WW_TRI_NO)
        return 0;
    ww__audit_mark(c, control, v == bad);
    if (v != bad)
        return 0;
    return add(c, check, control, sev, false, title, evidence, remedy, false, false);
}

static int check_firewall(ww_audit_ctx_t *c)
{
    return flag_check(c, c->a->firewall_enabled, WW_TRI_NO, "firewall_off", "A4.1.1", WW_SEV_HIGH,
                      "Host firewall is turned off", "firewall_enabled = no",
                      "Turn the host firewall on and keep it on, even behind the boundary "
                      "firewall.");
}

static int check_antimalware(ww_audit_ctx_t *c)
{
    return flag_check(c, c->a->av_enabled, WW_TRI_NO, "antimalware_off", "A8.1", WW_SEV_HIGH,
                      "Anti-malware protection is turned off", "av_enabled = no",
                      "Turn anti-malware protection on (or enforce application allow-listing) "
                      "and check it updates itself.");
}

static int check_autorun(ww_audit_ctx_t *c)
{
    return flag_check(c, c->a->autorun_disabled, WW_TRI_NO, "autorun_on", "A5.8", WW_SEV_MEDIUM,
                      "Auto-run of removable media and downloads is on", "autorun_disabled = no",
                      "Disable auto-run so that files from USB sticks and downloads never run "
                      "without the user choosing to.");
}

static int check_default_credentials(ww_audit_ctx_t *c)
{
    bool boundary = c->a->type == WW_AT_NETWORK || c->a->type == WW_AT_FIREWALL;
    return flag_check(c, c->a->default_password_changed, WW_TRI_NO, "default_credentials",
                      boundary ? "A4.2" : "A5.3", WW_SEV_HIGH,
                      "Default password has not been changed", "default_password_changed = no",
                      boundary ? "Change the default administrator password to a strong, unique "
                                 "one, or turn off remote administration."
                               : "Change the default password to a strong, unique one (at least "
                                 "12 characters, or three random words).");
}

static int check_mfa(ww_audit_ctx_t *c)
{
    const ww_asset_t *a = c->a;
    bool cloud = a->type == WW_AT_CLOUD_SERVICE;
    if (!cloud && a->internet_exposed != WW_TRI_YES)
        return 0;
    if (a->mfa != WW_TRI_YES && a->mfa != WW_TRI_NO)
        return 0;
    const char *control = cloud ? "A7.17" : "A5.5";
    ww__audit_mark(c, control, a->mfa == WW_TRI_NO);
    if (a->mfa != WW_TRI_NO)
        return 0;
    return add(c, "mfa_missing", control, WW_SEV_HIGH, cloud,
               cloud ? "Cloud service without multi-factor authentication"
                     : "Internet-facing service without multi-factor authentication",
               cloud ? "mfa = no on a cloud service" : "mfa = no and internet_exposed = yes",
               cloud ? "Turn on multi-factor authentication for every user and administrator of "
                       "this cloud service."
                     : "Require multi-factor authentication for everyone who signs in from the "
                       "internet.",
               false, false);
}

static int check_reboot(ww_audit_ctx_t *c)
{
    const ww_asset_t *a = c->a;
    if (a->type == WW_AT_CLOUD_SERVICE || a->last_boot == WW_ASSET_NOTIME)
        return 0;
    int64_t boot = ww_audit_day(a->last_boot);
    int64_t up = c->day - boot;
    bool late = up > WW_AUDIT_REBOOT_DAYS;
    ww__audit_mark(c, "A6.4", late);
    if (!late)
        return 0;
    char ev[256], bd[16], pd[16];
    ww_audit_day_format(boot, bd, sizeof bd);
    int n = snprintf(ev, sizeof ev, "last restarted %s, %lld days ago", bd, (long long)up);
    if (a->last_patched != WW_ASSET_NOTIME && a->last_patched > a->last_boot && n > 0 &&
        (size_t)n < sizeof ev) {
        ww_audit_day_format(ww_audit_day(a->last_patched), pd, sizeof pd);
        snprintf(ev + n, sizeof ev - n, "; updates installed %s wait for a restart", pd);
    }
    return add(c, "reboot_overdue", "A6.4", WW_SEV_MEDIUM, false,
               "Not restarted for more than 7 days", ev,
               "Restart the device so that installed updates take effect, and schedule "
               "restarts at least weekly.",
               false, false);
}

const struct ww_audit_check_def ww__audit_checks[] = {
    {"patch_overdue", check_patches},
    {"kev", check_kev},
    {"unsupported_os", check_os}, /* also support_unknown; must run before isolation */
    {"unsupported_software", check_software},
    {"firewall_off", check_firewall},
    {"antimalware_off", check_antimalware},
    {"autorun_on", check_autorun},
    {"default_credentials", check_default_credentials},
    {"mfa_missing", check_mfa},
    {"reboot_overdue", check_reboot},
};
const size_t ww__audit_ncheck = WW_ARRAY_LEN(ww__audit_checks);
