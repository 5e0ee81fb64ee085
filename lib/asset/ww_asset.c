/* The register's vocabularies: names and loose parsers for asset types, yes/no/na,
 * criticality and severity, the field names (with the synonyms CSV headers and JSON
 * keys may use), ISO dates, and the medical-device hint for observed devices. */
#include "asset/ww_asset.h"

#include <stdio.h>

/* Lowercases and drops the separators people vary ("IP Address", "ip_address",
 * "IP-Address" all become "ipaddress").  Returns the length written (<= cap-1). */
static size_t squash(const char *p, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < cap; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == ' ' || c == '-' || c == '_' || c == '.' || c == '/' || c == '\t' || c == '(' ||
            c == ')')
            continue;
        out[k++] = (char)ww_lower(c);
    }
    out[k] = 0;
    return k;
}

/* Trims ASCII blanks on both ends. */
static void trim(const char **p, size_t *n)
{
    while (*n && (**p == ' ' || **p == '\t' || **p == '\r' || **p == '\n')) {
        (*p)++;
        (*n)--;
    }
    while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t' || (*p)[*n - 1] == '\r' ||
                  (*p)[*n - 1] == '\n'))
        (*n)--;
}

struct word {
    const char *w; /* squashed */
    int v;
};

static int lookup_word(const struct word *tab, size_t ntab, const char *p, size_t n, int *out)
{
    trim(&p, &n);
    char key[64];
    if (n >= sizeof key)
        return WW_EPARSE;
    squash(p, n, key, sizeof key);
    for (size_t i = 0; i < ntab; i++)
        if (strcmp(tab[i].w, key) == 0) {
            *out = tab[i].v;
            return 0;
        }
    return WW_EPARSE;
}

static const char *const type_names[WW_AT__COUNT] = {
    "",       "desktop", "laptop",   "server",         "vm",  "thin_client",
    "mobile", "network", "firewall", "medical_device", "iot", "cloud_service",
};

static const struct word type_words[] = {
    {"", WW_AT_UNKNOWN},
    {"desktop", WW_AT_DESKTOP},
    {"workstation", WW_AT_DESKTOP},
    {"pc", WW_AT_DESKTOP},
    {"laptop", WW_AT_LAPTOP},
    {"notebook", WW_AT_LAPTOP},
    {"server", WW_AT_SERVER},
    {"vm", WW_AT_VM},
    {"virtualmachine", WW_AT_VM},
    {"thinclient", WW_AT_THIN_CLIENT},
    {"mobile", WW_AT_MOBILE},
    {"mobiledevice", WW_AT_MOBILE},
    {"phone", WW_AT_MOBILE},
    {"tablet", WW_AT_MOBILE},
    {"network", WW_AT_NETWORK},
    {"networkdevice", WW_AT_NETWORK},
    {"switch", WW_AT_NETWORK},
    {"router", WW_AT_NETWORK},
    {"firewall", WW_AT_FIREWALL},
    {"medicaldevice", WW_AT_MEDICAL_DEVICE},
    {"medical", WW_AT_MEDICAL_DEVICE},
    {"iot", WW_AT_IOT},
    {"cloudservice", WW_AT_CLOUD_SERVICE},
    {"cloud", WW_AT_CLOUD_SERVICE},
    {"saas", WW_AT_CLOUD_SERVICE},
};

const char *ww_asset_type_name(ww_asset_type_t t)
{
    return (unsigned)t < WW_AT__COUNT ? type_names[t] : "";
}

int ww_asset_type_parse(const char *p, size_t n, ww_asset_type_t *out)
{
    int v;
    if (lookup_word(type_words, WW_ARRAY_LEN(type_words), p, n, &v) != 0)
        return WW_EPARSE;
    *out = (ww_asset_type_t)v;
    return 0;
}

static const struct word tri_words[] = {
    {"", WW_TRI_UNKNOWN}, {"unknown", WW_TRI_UNKNOWN},
    {"yes", WW_TRI_YES},  {"y", WW_TRI_YES},
    {"true", WW_TRI_YES}, {"1", WW_TRI_YES},
    {"on", WW_TRI_YES},   {"enabled", WW_TRI_YES},
    {"no", WW_TRI_NO},    {"n", WW_TRI_NO},
    {"false", WW_TRI_NO}, {"0", WW_TRI_NO},
    {"off", WW_TRI_NO},   {"disabled", WW_TRI_NO},
    {"na", WW_TRI_NA},    {"notapplicable", WW_TRI_NA},
};

const char *ww_tri_name(ww_tri_t t)
{
    switch (t) {
    case WW_TRI_YES: return "yes";
    case WW_TRI_NO: return "no";
    case WW_TRI_NA: return "na";
    default: return "";
    }
}

int ww_tri_parse(const char *p, size_t n, ww_tri_t *out)
{
    int v;
    if (lookup_word(tri_words, WW_ARRAY_LEN(tri_words), p, n, &v) != 0)
        return WW_EPARSE;
    *out = (ww_tri_t)v;
    return 0;
}

static const struct word crit_words[] = {
    {"", WW_CRIT_UNKNOWN},          {"none", WW_CRIT_NONE},       {"low", WW_CRIT_LOW},
    {"medium", WW_CRIT_MEDIUM},     {"moderate", WW_CRIT_MEDIUM}, {"high", WW_CRIT_HIGH},
    {"critical", WW_CRIT_CRITICAL},
};

const char *ww_crit_name(ww_crit_t c)
{
    static const char *const n[] = {"", "none", "low", "medium", "high", "critical"};
    return (unsigned)c < WW_ARRAY_LEN(n) ? n[c] : "";
}

int ww_crit_parse(const char *p, size_t n, ww_crit_t *out)
{
    int v;
    if (lookup_word(crit_words, WW_ARRAY_LEN(crit_words), p, n, &v) != 0)
        return WW_EPARSE;
    *out = (ww_crit_t)v;
    return 0;
}

static const struct word sev_words[] = {
    {"", WW_SEV_NONE},     {"none", WW_SEV_NONE},      {"unknown", WW_SEV_NONE},
    {"low", WW_SEV_LOW},   {"medium", WW_SEV_MEDIUM},  {"moderate", WW_SEV_MEDIUM},
    {"high", WW_SEV_HIGH}, {"important", WW_SEV_HIGH}, {"critical", WW_SEV_CRITICAL},
};

const char *ww_sev_name(ww_sev_t s)
{
    static const char *const n[] = {"", "low", "medium", "high", "critical"};
    return (unsigned)s < WW_ARRAY_LEN(n) ? n[s] : "";
}

int ww_sev_parse(const char *p, size_t n, ww_sev_t *out)
{
    int v;
    if (lookup_word(sev_words, WW_ARRAY_LEN(sev_words), p, n, &v) != 0)
        return WW_EPARSE;
    *out = (ww_sev_t)v;
    return 0;
}

const char *ww_asset_source_name(ww_asset_source_t s)
{
    static const char *const n[] = {"", "csv", "json", "nmap", "log"};
    return (unsigned)s < WW_ARRAY_LEN(n) ? n[s] : "";
}

static bool is_leap(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int ww_asset_time_parse(const char *p, size_t n, int64_t *out)
{
    trim(&p, &n);
    if (n < 10)
        return WW_EPARSE;
    /* ww_time_parse_iso allows day 31 in every month; a register date must exist. */
    unsigned y = 0, m = 0, d = 0;
    for (int i = 0; i < 10; i++) {
        char c = p[i];
        if (i == 4 || i == 7) {
            if (c != '-')
                return WW_EPARSE;
            continue;
        }
        if (c < '0' || c > '9')
            return WW_EPARSE;
        unsigned dig = (unsigned)(c - '0');
        if (i < 4)
            y = y * 10 + dig;
        else if (i < 7)
            m = m * 10 + dig;
        else
            d = d * 10 + dig;
    }
    static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && is_leap(y)))
        return WW_EPARSE;
    int64_t ns;
    if (ww_time_parse_iso(p, n, &ns) != 0)
        return WW_EPARSE;
    /* Floor division keeps pre-1970 times on the right day. */
    int64_t s = ns / 1000000000LL;
    if (ns % 1000000000LL < 0)
        s--;
    *out = s;
    return 0;
}

const char *ww_date_order_name(ww_date_order_t o)
{
    return o == WW_DATE_MDY ? "mdy" : o == WW_DATE_ISO ? "iso" : "dmy";
}

int ww_date_order_parse(const char *s, ww_date_order_t *out)
{
    if (!strcmp(s, "dmy"))
        *out = WW_DATE_DMY;
    else if (!strcmp(s, "mdy"))
        *out = WW_DATE_MDY;
    else if (!strcmp(s, "iso"))
        *out = WW_DATE_ISO;
    else
        return WW_EINVAL;
    return 0;
}

/* Reads 1-2 digits; returns how many (0 when none). */
static size_t small_num(const char *p, size_t n, unsigned *v)
{
    size_t i = 0;
    *v = 0;
    while (i < n && i < 2 && p[i] >= '0' && p[i] <= '9')
        *v = *v * 10 + (unsigned)(p[i++] - '0');
    return i;
}

int ww_asset_date_parse(const char *p, size_t n, ww_date_order_t order, int64_t *out)
{
    trim(&p, &n);
    if (ww_asset_time_parse(p, n, out) == 0)
        return 0;
    if (order == WW_DATE_ISO)
        return WW_EPARSE;
    /* D/M/YYYY or M/D/YYYY with '/', '.' or '-' (the same one twice), then optionally
       a time as ISO writes it.  Two-digit years are refused: which century is a guess. */
    unsigned a, b;
    size_t i = small_num(p, n, &a);
    if (!i || i >= n || (p[i] != '/' && p[i] != '.' && p[i] != '-'))
        return WW_EPARSE;
    char sep = p[i++];
    size_t k = small_num(p + i, n - i, &b);
    if (!k || i + k >= n || p[i + k] != sep)
        return WW_EPARSE;
    i += k + 1;
    if (n - i < 4)
        return WW_EPARSE;
    for (size_t j = 0; j < 4; j++)
        if (p[i + j] < '0' || p[i + j] > '9')
            return WW_EPARSE;
    if (n - i > 4 && p[i + 4] >= '0' && p[i + 4] <= '9')
        return WW_EPARSE; /* a five-digit year */
    unsigned day = order == WW_DATE_MDY ? b : a, mon = order == WW_DATE_MDY ? a : b;
    char iso[64];
    size_t rest = n - i - 4;
    if (rest > 40)
        return WW_EPARSE;
    int len =
        snprintf(iso, sizeof iso, "%.4s-%02u-%02u%.*s", p + i, mon, day, (int)rest, p + i + 4);
    if (len < 0 || (size_t)len >= sizeof iso)
        return WW_EPARSE;
    return ww_asset_time_parse(iso, (size_t)len, out);
}

/* ---- field names ----------------------------------------------------------------- */

static const char *const field_names[WW_AF__COUNT] = {
    "asset_id",
    "hostname",
    "ip",
    "mac",
    "type",
    "owner",
    "location",
    "segment",
    "os",
    "os_version",
    "build",
    "firmware",
    "software",
    "missing_updates",
    "last_patched",
    "last_boot",
    "av_enabled",
    "firewall_enabled",
    "autorun_disabled",
    "default_password_changed",
    "mfa",
    "internet_exposed",
    "clinical_criticality",
    "admin_accounts",
    "manufacturer",
    "model",
    "patch_by",
    "remote_service",
    "stores_patient_data",
    "encryption",
    "esu",
    "isolated",
    "notes",
    "ports",
    "os_guess",
};

/* Squashed synonyms; the canonical names (squashed) are matched first. */
static const struct word field_words[] = {
    {"id", WW_AF_ASSET_ID},
    {"assettag", WW_AF_ASSET_ID},
    {"assetnumber", WW_AF_ASSET_ID},
    {"assetno", WW_AF_ASSET_ID},
    {"asset", WW_AF_ASSET_ID},
    {"host", WW_AF_HOSTNAME},
    {"name", WW_AF_HOSTNAME},
    {"computername", WW_AF_HOSTNAME},
    {"devicename", WW_AF_HOSTNAME},
    {"fqdn", WW_AF_HOSTNAME},
    {"ipaddress", WW_AF_IP},
    {"ipaddresses", WW_AF_IP},
    {"ips", WW_AF_IP},
    {"ipv4", WW_AF_IP},
    {"ipv4address", WW_AF_IP},
    {"address", WW_AF_IP},
    {"macaddress", WW_AF_MAC},
    {"assettype", WW_AF_TYPE},
    {"devicetype", WW_AF_TYPE},
    {"category", WW_AF_TYPE},
    {"kind", WW_AF_TYPE},
    {"assetowner", WW_AF_OWNER},
    {"responsible", WW_AF_OWNER},
    {"site", WW_AF_LOCATION},
    {"ward", WW_AF_LOCATION},
    {"department", WW_AF_LOCATION},
    {"networksegment", WW_AF_SEGMENT},
    {"vlan", WW_AF_SEGMENT},
    {"subnet", WW_AF_SEGMENT},
    {"zone", WW_AF_SEGMENT},
    {"operatingsystem", WW_AF_OS},
    {"osname", WW_AF_OS},
    {"operatingsystemversion", WW_AF_OS_VERSION},
    {"version", WW_AF_OS_VERSION},
    {"osbuild", WW_AF_BUILD},
    {"buildnumber", WW_AF_BUILD},
    {"firmwareversion", WW_AF_FIRMWARE},
    {"installedsoftware", WW_AF_SOFTWARE},
    {"applications", WW_AF_SOFTWARE},
    {"missingupdate", WW_AF_MISSING_UPDATES},
    {"missingpatches", WW_AF_MISSING_UPDATES},
    {"updates", WW_AF_MISSING_UPDATES},
    {"pendingupdates", WW_AF_MISSING_UPDATES},
    {"lastpatch", WW_AF_LAST_PATCHED},
    {"lastpatchdate", WW_AF_LAST_PATCHED},
    {"lastupdated", WW_AF_LAST_PATCHED},
    {"lastreboot", WW_AF_LAST_BOOT},
    {"lastbootup", WW_AF_LAST_BOOT},
    {"lastboottime", WW_AF_LAST_BOOT},
    {"lastrestart", WW_AF_LAST_BOOT},
    {"av", WW_AF_AV_ENABLED},
    {"antivirus", WW_AF_AV_ENABLED},
    {"antimalware", WW_AF_AV_ENABLED},
    {"antimalwareenabled", WW_AF_AV_ENABLED},
    {"antivirusenabled", WW_AF_AV_ENABLED},
    {"firewall", WW_AF_FIREWALL_ENABLED},
    {"hostfirewall", WW_AF_FIREWALL_ENABLED},
    {"hostfirewallenabled", WW_AF_FIREWALL_ENABLED},
    {"autorundisabled", WW_AF_AUTORUN_DISABLED},
    {"autoplaydisabled", WW_AF_AUTORUN_DISABLED},
    {"defaultpasswordchanged", WW_AF_DEFAULT_PASSWORD_CHANGED},
    {"defaultcredentialschanged", WW_AF_DEFAULT_PASSWORD_CHANGED},
    {"defaultpwchanged", WW_AF_DEFAULT_PASSWORD_CHANGED},
    {"mfaenabled", WW_AF_MFA},
    {"2fa", WW_AF_MFA},
    {"multifactor", WW_AF_MFA},
    {"multifactorauthentication", WW_AF_MFA},
    {"internetfacing", WW_AF_INTERNET_EXPOSED},
    {"exposed", WW_AF_INTERNET_EXPOSED},
    {"internetexposure", WW_AF_INTERNET_EXPOSED},
    {"criticality", WW_AF_CLINICAL_CRITICALITY},
    {"clinicalrisk", WW_AF_CLINICAL_CRITICALITY},
    {"admins", WW_AF_ADMIN_ACCOUNTS},
    {"administrators", WW_AF_ADMIN_ACCOUNTS},
    {"localadmins", WW_AF_ADMIN_ACCOUNTS},
    {"adminaccount", WW_AF_ADMIN_ACCOUNTS},
    {"vendor", WW_AF_MANUFACTURER},
    {"make", WW_AF_MANUFACTURER},
    {"modelnumber", WW_AF_MODEL},
    {"whopatches", WW_AF_PATCH_BY},
    {"patchedby", WW_AF_PATCH_BY},
    {"patchresponsibility", WW_AF_PATCH_BY},
    {"remoteaccess", WW_AF_REMOTE_SERVICE},
    {"remoteserviceaccess", WW_AF_REMOTE_SERVICE},
    {"remotesupport", WW_AF_REMOTE_SERVICE},
    {"patientdata", WW_AF_STORES_PATIENT_DATA},
    {"storespatientdata", WW_AF_STORES_PATIENT_DATA},
    {"phi", WW_AF_STORES_PATIENT_DATA},
    {"encrypted", WW_AF_ENCRYPTION},
    {"encryptionatrest", WW_AF_ENCRYPTION},
    {"esuenrolled", WW_AF_ESU},
    {"extendedsupport", WW_AF_ESU},
    {"extendedsecurityupdates", WW_AF_ESU},
    {"segmentisolated", WW_AF_ISOLATED},
    {"isolatedsegment", WW_AF_ISOLATED},
    {"networkisolated", WW_AF_ISOLATED},
    {"comments", WW_AF_NOTES},
    {"note", WW_AF_NOTES},
    {"openports", WW_AF_PORTS},
    {"osguess", WW_AF_OS_GUESS},
};

const char *ww_asset_field_name(ww_asset_field_t f)
{
    return (unsigned)f < WW_AF__COUNT ? field_names[f] : "";
}

int ww_asset_field_lookup(const char *p, size_t n)
{
    trim(&p, &n);
    char key[64], canon[64];
    if (n == 0 || n >= sizeof key)
        return -1;
    squash(p, n, key, sizeof key);
    for (int f = 0; f < WW_AF__COUNT; f++) {
        squash(field_names[f], strlen(field_names[f]), canon, sizeof canon);
        if (strcmp(canon, key) == 0)
            return f;
    }
    for (size_t i = 0; i < WW_ARRAY_LEN(field_words); i++)
        if (strcmp(field_words[i].w, key) == 0)
            return field_words[i].v;
    return -1;
}

/* ---- medical-device hint ------------------------------------------------------- */

/* Manufacturers whose network-attached kit in a hospital is almost always clinical.
 * Matched as case-insensitive substrings of nmap's MAC vendor or OS text. */
static const char *const medical_vendors[] = {
    "ge healthcare",
    "philips medical",
    "philips healthcare",
    "siemens healthineers",
    "siemens medical",
    "baxter",
    "b. braun",
    "b.braun",
    "draeger",
    "drager",
    "dräger",
    "mindray",
    "medtronic",
    "carefusion",
    "becton",
    "hospira",
    "icu medical",
    "fresenius",
    "nihon kohden",
    "spacelabs",
    "welch allyn",
    "hillrom",
    "hill-rom",
    "masimo",
    "olympus",
    "canon medical",
    "toshiba medical",
    "fujifilm medical",
    "carestream",
    "agfa healthcare",
    "varian",
    "elekta",
    "stryker",
    "zoll",
    "natus",
    "getinge",
    "maquet",
    "smiths medical",
    "alaris",
    "omnicell",
    "roche diagnostics",
    "abbott",
    "sysmex",
    "beckman coulter",
    "hologic",
    "intuitive surgical",
    "resmed",
};

/* Ports that speak clinical protocols. */
static const struct {
    uint16_t port;
    const char *why;
} medical_ports[] = {
    {104, "DICOM port 104 open"},       {11112, "DICOM port 11112 open"},
    {2575, "HL7 port 2575 open"},       {2761, "DICOM-TLS port 2761 open"},
    {2762, "DICOM-TLS port 2762 open"},
};

static bool icontains(const char *hay, const char *needle)
{
    size_t n = strlen(needle), h = strlen(hay);
    for (size_t i = 0; i + n <= h; i++)
        if (ww_str_ieq((ww_str_t){hay + i, n}, (ww_str_t){needle, n}))
            return true;
    return false;
}

const char *ww_asset_medical_hint(const char *vendor, const char *os_guess, const ww_port_t *ports,
                                  size_t nports, ww_arena_t *arena)
{
    char buf[256];
    for (size_t i = 0; i < WW_ARRAY_LEN(medical_vendors); i++) {
        const char *v = medical_vendors[i];
        if (vendor && icontains(vendor, v)) {
            snprintf(buf, sizeof buf, "MAC vendor %s makes medical devices", vendor);
            char *s = arena ? ww_arena_strdup(arena, buf) : NULL;
            return s ? s : "MAC vendor makes medical devices";
        }
        if (os_guess && icontains(os_guess, v)) {
            snprintf(buf, sizeof buf, "nmap OS match \"%s\" names a medical manufacturer",
                     os_guess);
            char *s = arena ? ww_arena_strdup(arena, buf) : NULL;
            return s ? s : "nmap OS match names a medical manufacturer";
        }
    }
    for (size_t i = 0; i < nports; i++) {
        for (size_t j = 0; j < WW_ARRAY_LEN(medical_ports); j++)
            if (ports[i].port == medical_ports[j].port && strcmp(ports[i].proto, "tcp") == 0)
                return medical_ports[j].why;
        const char *svc = ports[i].service ? ports[i].service : "";
        if (icontains(svc, "dicom"))
            return "DICOM service detected";
        if (icontains(svc, "hl7"))
            return "HL7 service detected";
    }
    if (os_guess && (icontains(os_guess, "medical") || icontains(os_guess, "infusion") ||
                     icontains(os_guess, "patient monitor")))
        return "nmap OS match suggests a medical device";
    return "";
}
