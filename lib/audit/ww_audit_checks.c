/* The per-asset checks.  Each reads one asset, the reference data and the as-of day,
 * records whether its control applied (for the readiness tally) and adds at most one
 * finding per asset: the evidence lists every item (update, product) that failed.
 * Rules are conservative: a value the register does not give (UNKNOWN) or marks "na"
 * produces no finding.  docs/audit.md states each rule exactly. */
#include "audit/ww_audit_int.h"

#include <ctype.h>
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
    int rc = ww__audit_add(c->r, c->id, check, control, sev, auto_fail, title, evidence, remedy,
                           kev, ransomware, internet(c), c->a->clinical_criticality);
    if (rc < 0)
        return rc;
    ww__audit_name_last(c->r, c->a->hostname, c->a->manufacturer, c->a->model);
    int i = ww__audit_control_index(control);
    if (auto_fail && i >= 0)
        c->fail_auto_mask |= UINT64_C(1) << i;
    return 0;
}

/* ---- remedies by kind of device ------------------------------------------------- */

/* Case-insensitive whole-word search (patch_by is free text). */
static bool mentions(const char *s, const char *word)
{
    size_t wn = strlen(word);
    for (const char *p = s ? s : ""; *p; p++)
        if (!strncasecmp(p, word, wn) && (p == s || !isalnum((unsigned char)p[-1])) &&
            !isalnum((unsigned char)p[wn]))
            return true;
    return false;
}

ww_audit_kind_t ww__audit_kind(const ww_asset_t *a)
{
    switch (a->type) {
    case WW_AT_NETWORK:
    case WW_AT_FIREWALL: return WW_KIND_NETWORK;
    case WW_AT_CLOUD_SERVICE: return WW_KIND_CLOUD;
    case WW_AT_IOT: return WW_KIND_IOT;
    case WW_AT_MEDICAL_DEVICE:
        /* Patching or reconfiguring a medical device is the manufacturer's job unless
           the register says the trust may do it: an unrecorded change can void the
           device's certification. */
        return mentions(a->patch_by, "trust") || mentions(a->patch_by, "either")
                   ? WW_KIND_IOT
                   : WW_KIND_MEDICAL_MFR;
    default: return WW_KIND_COMPUTER;
    }
}

/* Every remedy, by check and kind of device: one row per check, one text per kind
 * (NULL = the computer text fits).  Rules the texts keep (test_audit checks them):
 * a manufacturer-maintained medical device is told to ask the manufacturer for the
 * fix or a mitigation and record it; a firewall, router or switch is never told to
 * move to a segment without internet access (it joins the segments). */
static const struct remedy_row {
    const char *check;
    int variant;
    const char *text[WW_KIND__COUNT];
} remedies[] = {
    {"patch_overdue",
     0,
     {"Install the missing security updates now and restart the device; critical and "
      "high-risk fixes must go on within 14 days of release.",
      "Install the vendor's firmware or software update now, in a maintenance window; critical "
      "and high-risk fixes must go on within 14 days of release.",
      "Ask the manufacturer for the fix or a mitigation, and record it: they must approve "
      "updates for this device, and critical and high-risk fixes are due within 14 days of "
      "release.",
      "Install the vendor's update now; critical and high-risk fixes must go on within 14 days "
      "of release.",
      "Confirm with the provider that the listed updates are applied to this service, and record "
      "it; critical and high-risk fixes are due within 14 days of release."}},
    {"kev",
     0,
     {"Patch this vulnerability first: attackers are already using it; if a fix cannot go on "
      "today, disconnect or firewall the device until it does.",
      "Patch this vulnerability first: attackers are already using it; if the update cannot go "
      "on today, apply the vendor's mitigation now (turn off the affected feature, allow its "
      "management interface only from the management network) until it does.",
      "Ask the manufacturer for the fix or a mitigation today, and record it: attackers are "
      "already using this vulnerability; until it is fixed, let the device reach only the "
      "systems it needs.",
      "Patch this vulnerability first: attackers are already using it; if a fix cannot go on "
      "today, disconnect or firewall the device until it does.",
      "Confirm with the provider today that this vulnerability is fixed in the service, and "
      "record it: attackers are already using it."}},
    {"unsupported_os",
     0,
     {"Upgrade or replace it with a supported version; until then keep it in its own segment "
      "with no internet access.",
      "Upgrade it to supported firmware or replace the device: a firewall, router or switch "
      "joins networks, so it cannot be set apart in an isolated segment.",
      "Ask the manufacturer for a supported version or a mitigation, and record it; until then "
      "keep the device in its own segment with no internet access.",
      "Upgrade or replace it with a supported version; until then keep it in its own segment "
      "with no internet access.",
      "Move to a supported version of the service, as the provider offers."}},
    {"unsupported_os",
     1,
     {"Enrol it in the vendor's extended security updates now, and plan its upgrade before "
      "that support ends.",
      "Buy the vendor's extended support for this firmware now, and plan its upgrade or "
      "replacement before that support ends.",
      "Ask the manufacturer for the fix or a mitigation, and record it: extended security "
      "updates are still sold for this version, so ask whether they provide or allow them.",
      "Enrol it in the vendor's extended security updates now, and plan its upgrade before "
      "that support ends.",
      "Move to a supported version of the service, as the provider offers."}},
    {"support_unknown",
     0,
     {"Confirm with the vendor that this version still gets security updates and record its "
      "end-of-support date.",
      NULL,
      "Ask the manufacturer whether this version still gets security updates (the MDS2 form "
      "says), and record the answer and its end-of-support date.",
      NULL, NULL}},
    {"unsupported_software",
     0,
     {"Remove the unsupported software or upgrade it to a supported version.", NULL,
      "Ask the manufacturer for the fix or a mitigation (a supported version, or removing the "
      "software), and record it.",
      NULL, NULL}},
    {"unsupported_not_isolated",
     0,
     {"Move it to its own firewalled segment (VLAN) with no internet access, or upgrade it to a "
      "supported version.",
      "Upgrade it to supported firmware or replace the device: a firewall, router or switch "
      "joins networks, so it cannot be moved into an isolated segment.",
      "Ask the manufacturer for the fix or a mitigation, and record it; meanwhile move the "
      "device to its own firewalled medical-device segment (VLAN) with no internet access, "
      "allowing only the connections the manufacturer lists.",
      "Move it to its own firewalled segment (VLAN) with no internet access, or upgrade it to a "
      "supported version.",
      "Move to a supported version of the service, as the provider offers."}},
    {"firewall_off",
     0,
     {"Turn the host firewall on and keep it on, even behind the boundary firewall.",
      "Turn its packet filtering on and keep it on; allow only the traffic it must pass.",
      "Ask the manufacturer whether the device's own firewall can be turned on (or for a "
      "mitigation, such as filtering its traffic at the network firewall), and record it.",
      "Turn the device's firewall on, or filter its traffic at the network firewall.", NULL}},
    {"antimalware_off",
     0,
     {"Turn anti-malware protection on (or enforce application allow-listing) and check it "
      "updates itself.",
      "Turn on the device's threat protection, or record anti-malware as not applicable (na) "
      "for it.",
      "Ask the manufacturer which anti-malware or allow-listing they support for this device (or "
      "for a mitigation), and record it.",
      "Turn anti-malware protection on if the device supports it, or record it as not "
      "applicable (na).",
      NULL}},
    {"autorun_on",
     0,
     {"Disable auto-run so that files from USB sticks and downloads never run without the user "
      "choosing to.",
      NULL,
      "Ask the manufacturer to disable auto-run (or for a mitigation, such as blocking USB "
      "storage), and record it.",
      NULL, NULL}},
    {"default_credentials",
     0,
     {"Change the default password to a strong, unique one (at least 12 characters, or three "
      "random words).",
      "Change the default administrator password to a strong, unique one, or turn off remote "
      "administration.",
      "Ask the manufacturer how to change the default password (service accounts too), change "
      "it, and record it.",
      "Change the default password to a strong, unique one (at least 12 characters, or three "
      "random words).",
      "Change the default administrator password to a strong, unique one."}},
    {"mfa_missing",
     0,
     {"Require multi-factor authentication for everyone who signs in from the internet.", NULL,
      "Ask the manufacturer how to require multi-factor authentication for remote access (or "
      "for a mitigation, such as reaching it only through the trust's VPN), and record it.",
      NULL,
      "Turn on multi-factor authentication for every user and administrator of this cloud "
      "service."}},
    {"reboot_overdue",
     0,
     {"Restart the device so that installed updates take effect, and schedule restarts at least "
      "weekly.",
      "Restart the device in a maintenance window so that installed updates take effect.",
      "Ask the manufacturer when and how the device may be restarted (installed updates wait "
      "for it), agree it with the clinical team, and record it.",
      "Restart the device so that installed updates take effect, and schedule restarts "
      "regularly.",
      NULL}},
    {"unregistered_medical_device",
     0,
     {"Identify the device, add it to the medical device register with its manufacturer's MDS2 "
      "details, and move it to the medical device segment.",
      NULL, NULL, NULL, NULL}},
};

const char *ww__audit_remedy(const char *check, ww_audit_kind_t kind, int variant)
{
    if ((unsigned)kind >= WW_KIND__COUNT)
        kind = WW_KIND_COMPUTER;
    for (size_t i = 0; i < WW_ARRAY_LEN(remedies); i++) {
        if (strcmp(remedies[i].check, check) || remedies[i].variant != variant)
            continue;
        return remedies[i].text[kind] ? remedies[i].text[kind] : remedies[i].text[WW_KIND_COMPUTER];
    }
    return "";
}

static const char *remedy(const ww_audit_ctx_t *c, const char *check, int variant)
{
    return ww__audit_remedy(check, ww__audit_kind(c->a), variant);
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

static bool is_cve(const char *id)
{
    return id && !strncasecmp(id, "CVE-", 4);
}

/* The KEV entry for an update, 1 when it is in the catalogue. */
static int kev_of(const ww_audit_ctx_t *c, const ww_update_t *u, ww_audit_kev_t *k)
{
    memset(k, 0, sizeof *k);
    if (!c->ref || !c->ref->kev || !is_cve(u->id))
        return 0;
    return c->ref->kev(c->ref->ud, u->id, k) == 1;
}

/* " (critical, CVSS 9.8, released 2017-03-14, 3335 days ago)" */
static void overdue_words(const ww_audit_ctx_t *c, const ww_update_t *u, ww_buf_t *b)
{
    char rel[16];
    ww_audit_day_format(ww_audit_day(u->released), rel, sizeof rel);
    ww_buf_printf(b, "%s", sev_word(u));
    if (u->cvss >= 0)
        ww_buf_printf(b, ", CVSS %.1f", u->cvss);
    ww_buf_printf(b, ", released %s, %lld days ago", rel, (long long)update_age(c, u));
}

/* Overdue fixes that are not in KEV.  A CVE that is both known-exploited and overdue is
 * one problem: check_kev reports it once, with both reasons. */
static int check_patches(ww_audit_ctx_t *c)
{
    const ww_asset_t *a = c->a;
    /* A cloud service is patched by its provider unless the register lists updates. */
    if (a->type == WW_AT_CLOUD_SERVICE && !a->nupdates)
        return 0;
    ww_buf_t ev;
    ww_buf_init(&ev, 4096);
    size_t late = 0, late_kev = 0;
    bool critical = false;
    for (size_t i = 0; i < a->nupdates; i++) {
        const ww_update_t *u = &a->updates[i];
        if (!overdue(c, u))
            continue;
        ww_audit_kev_t k;
        if (kev_of(c, u, &k)) {
            late_kev++;
            continue;
        }
        if (u->severity == WW_SEV_CRITICAL || u->cvss >= 9.0)
            critical = true;
        if (late++ >= EVIDENCE_ITEMS)
            continue;
        ww_buf_printf(&ev, "%s%s (", late > 1 ? "; " : "", u->id);
        overdue_words(c, u, &ev);
        ww_buf_putc(&ev, ')');
    }
    if (late > EVIDENCE_ITEMS)
        ww_buf_printf(&ev, "; and %zu more", late - EVIDENCE_ITEMS);
    ww__audit_mark(c, "A6.4", late + late_kev > 0);
    int rc = 0;
    if (late) {
        char title[128];
        snprintf(title, sizeof title, "%zu critical/high-risk fix%s not installed within 14 days",
                 late, late == 1 ? "" : "es");
        rc = add(c, "patch_overdue", "A6.4", critical ? WW_SEV_CRITICAL : WW_SEV_HIGH, true, title,
                 ev.p ? ev.p : "", remedy(c, "patch_overdue", 0), false, false);
    }
    ww_buf_release(&ev);
    return rc;
}

/* ---- known-exploited vulnerabilities (KEV) --------------------------------------- */

/* Every missing CVE in the KEV catalogue, in one finding.  When one of them is also past
 * the 14-day deadline, that is said beside it and the finding is an automatic fail
 * (A6.4): one finding with both reasons, at the higher severity (critical). */
static int check_kev(ww_audit_ctx_t *c)
{
    const ww_asset_t *a = c->a;
    if (!c->ref || !c->ref->kev)
        return 0;
    ww_buf_t ev, lev;
    ww_buf_init(&ev, 4096);
    ww_buf_init(&lev, 4096);
    size_t hits = 0, late = 0;
    bool ransom = false;
    for (size_t i = 0; i < a->nupdates; i++) {
        const ww_update_t *u = &a->updates[i];
        ww_audit_kev_t k;
        if (!kev_of(c, u, &k))
            continue;
        bool is_late = overdue(c, u);
        ransom |= k.ransomware;
        if (is_late && late++ < EVIDENCE_ITEMS) {
            ww_buf_printf(&lev, "%s%s (", late > 1 ? "; " : "", u->id);
            overdue_words(c, u, &lev);
            ww_buf_putc(&lev, ')');
        }
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
        if (late) {
            ww_buf_printf(&ev, "; and not installed within 14 days of release: %s",
                          lev.p ? lev.p : "");
            if (late > EVIDENCE_ITEMS)
                ww_buf_printf(&ev, "; and %zu more", late - EVIDENCE_ITEMS);
        }
        char title[160];
        snprintf(title, sizeof title, "%s%s",
                 ransom ? "Vulnerability used by ransomware is not patched"
                        : "Vulnerability known to be exploited is not patched",
                 late ? ", and the 14-day deadline has passed" : "");
        rc = add(c, "kev", "A6.4", WW_SEV_CRITICAL, late > 0, title, ev.p ? ev.p : "",
                 remedy(c, "kev", 0), true, ransom);
    }
    ww_buf_release(&lev);
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
                   remedy(c, "support_unknown", 0), false, false);
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
               ev, remedy(c, "unsupported_os", esu_open ? 1 : 0), false, false);
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
                 remedy(c, "unsupported_software", 0), false, false);
    ww_buf_release(&ev);
    return rc;
}

/* ---- configuration flags --------------------------------------------------------- */

/* A yes/no control: `bad` is the value that fails.  UNKNOWN and NA give nothing. */
static int flag_check(ww_audit_ctx_t *c, ww_tri_t v, ww_tri_t bad, const char *check,
                      const char *control, ww_sev_t sev, const char *title, const char *evidence)
{
    if (v != WW_TRI_YES && v != WW_TRI_NO)
        return 0;
    ww__audit_mark(c, control, v == bad);
    if (v != bad)
        return 0;
    return add(c, check, control, sev, false, title, evidence, remedy(c, check, 0), false, false);
}

static int check_firewall(ww_audit_ctx_t *c)
{
    return flag_check(c, c->a->firewall_enabled, WW_TRI_NO, "firewall_off", "A4.1.1", WW_SEV_HIGH,
                      "Host firewall is turned off", "firewall_enabled = no");
}

static int check_antimalware(ww_audit_ctx_t *c)
{
    return flag_check(c, c->a->av_enabled, WW_TRI_NO, "antimalware_off", "A8.1", WW_SEV_HIGH,
                      "Anti-malware protection is turned off", "av_enabled = no");
}

static int check_autorun(ww_audit_ctx_t *c)
{
    return flag_check(c, c->a->autorun_disabled, WW_TRI_NO, "autorun_on", "A5.8", WW_SEV_MEDIUM,
                      "Auto-run of removable media and downloads is on", "autorun_disabled = no");
}

static int check_default_credentials(ww_audit_ctx_t *c)
{
    bool boundary = c->a->type == WW_AT_NETWORK || c->a->type == WW_AT_FIREWALL;
    return flag_check(c, c->a->default_password_changed, WW_TRI_NO, "default_credentials",
                      boundary ? "A4.2" : "A5.3", WW_SEV_HIGH,
                      "Default password has not been changed", "default_password_changed = no");
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
               remedy(c, "mfa_missing", 0), false, false);
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
               "Not restarted for more than 7 days", ev, remedy(c, "reboot_overdue", 0), false,
               false);
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
