/* Logsource routing tables: how a rule's `logsource` (product/service/category) maps
 * to the events it can apply to.  Windows logsources become Channel (or Provider) +
 * EventID routes, taken from the Sigma taxonomy appendix
 * (spec/specification/sigma-appendix-taxonomy.md, "Windows Folder": the Category and
 * Service tables) and SigmaHQ's CI mapping (reference/thor-logsources.yml, which adds
 * the registry EventType conditions, the Security 4688 variant of process_creation and
 * the antivirus -> Windows Defender mapping).  The extra Security 4688 renames come from
 * NOTES.md 1.10 (Hayabusa's converter).  Everything else is matched against the facts
 * the decoders set on the event (product/service/category); the rules for that are at
 * ww__generic_route_match() below. */
#include "detect/ww_detect_int.h"

#define SYSMON "Microsoft-Windows-Sysmon/Operational"

static const char *const ch_sysmon[] = {SYSMON, NULL};
static const char *const ch_security[] = {"Security", NULL};
/* taxonomy: service powershell / category ps_module, ps_script */
static const char *const ch_powershell[] = {"Microsoft-Windows-PowerShell/Operational",
                                            "PowerShellCore/Operational", NULL};
/* taxonomy: service powershell-classic / ps_classic_* */
static const char *const ch_ps_classic[] = {"Windows PowerShell", NULL};
static const char *const ch_defender[] = {"Microsoft-Windows-Windows Defender/Operational", NULL};
/* taxonomy: file_access, file_rename -> ETW provider */
static const char *const pv_kernel_file[] = {"Microsoft-Windows-Kernel-File", NULL};

#define EIDS(...) ((const int32_t[]){__VA_ARGS__, -1})
#define SYSMON_ROUTE(...)                                    \
    {                                                        \
        ch_sysmon, NULL, EIDS(__VA_ARGS__), NULL, NULL, NULL \
    }

/* thor.yml process_creation_2 (Image, ParentImage) + NOTES 1.10 (Hayabusa's converter). */
static const ww__rename_t rn_4688[] = {
    {"Image", "NewProcessName"},   {"ParentImage", "ParentProcessName"},
    {"ProcessId", "NewProcessId"}, {"ParentProcessId", "ProcessId"},
    {"LogonId", "SubjectLogonId"}, {"IntegrityLevel", "MandatoryLabel"},
    {"User", "SubjectUserName"},   {NULL, NULL},
};
/* thor.yml windows-defender-antivirus-mapping */
static const ww__rename_t rn_antivirus[] = {
    {"Signature", "ThreatName"}, {"Filename", "Path"}, {NULL, NULL}};

static const char *const ev_create_key[] = {"CreateKey", NULL};
static const char *const ev_delete[] = {"DeleteKey", "DeleteValue", NULL};

typedef struct catmap {
    const char *category;
    ww__winroute_t routes[2]; /* a second variant when routes[1].channels */
} catmap_t;

/* taxonomy "Windows Folder / Category"; EventType conditions from thor.yml. */
static const catmap_t win_categories[] = {
    {"process_creation", {SYSMON_ROUTE(1), {ch_security, NULL, EIDS(4688), NULL, NULL, rn_4688}}},
    {"file_change", {SYSMON_ROUTE(2)}},
    {"network_connection", {SYSMON_ROUTE(3)}},
    {"sysmon_status", {SYSMON_ROUTE(4, 16)}},
    {"process_termination", {SYSMON_ROUTE(5)}},
    {"driver_load", {SYSMON_ROUTE(6)}},
    {"image_load", {SYSMON_ROUTE(7)}},
    {"create_remote_thread", {SYSMON_ROUTE(8)}},
    {"raw_access_thread", {SYSMON_ROUTE(9)}},
    {"process_access", {SYSMON_ROUTE(10)}},
    {"file_event", {SYSMON_ROUTE(11)}},
    {"registry_event", {SYSMON_ROUTE(12, 13, 14)}},
    {"registry_add", {{ch_sysmon, NULL, EIDS(12), "EventType", ev_create_key, NULL}}},
    {"registry_delete", {{ch_sysmon, NULL, EIDS(12), "EventType", ev_delete, NULL}}},
    {"registry_set", {SYSMON_ROUTE(13)}},
    {"registry_rename", {SYSMON_ROUTE(14)}},
    {"create_stream_hash", {SYSMON_ROUTE(15)}},
    {"pipe_created", {SYSMON_ROUTE(17, 18)}},
    {"wmi_event", {SYSMON_ROUTE(19, 20, 21)}},
    {"dns_query", {SYSMON_ROUTE(22)}},
    {"file_delete", {SYSMON_ROUTE(23)}},
    {"clipboard_capture", {SYSMON_ROUTE(24)}},
    {"clipboard_change", {SYSMON_ROUTE(24)}}, /* thor.yml's spelling */
    {"process_tampering", {SYSMON_ROUTE(25)}},
    {"file_delete_detected", {SYSMON_ROUTE(26)}},
    {"file_block_executable", {SYSMON_ROUTE(27)}},
    {"file_block_shredding", {SYSMON_ROUTE(28)}},
    {"file_executable_detected", {SYSMON_ROUTE(29)}},
    {"sysmon_error", {SYSMON_ROUTE(255)}},
    {"ps_module", {{ch_powershell, NULL, EIDS(4103), NULL, NULL, NULL}}},
    {"ps_script", {{ch_powershell, NULL, EIDS(4104), NULL, NULL, NULL}}},
    {"ps_classic_start", {{ch_ps_classic, NULL, EIDS(400), NULL, NULL, NULL}}},
    {"ps_classic_provider_start", {{ch_ps_classic, NULL, EIDS(600), NULL, NULL, NULL}}},
    {"ps_classic_script", {{ch_ps_classic, NULL, EIDS(800), NULL, NULL, NULL}}},
    {"file_access", {{NULL, pv_kernel_file, NULL, NULL, NULL, NULL}}},
    {"file_rename", {{NULL, pv_kernel_file, NULL, NULL, NULL, NULL}}},
};

/* thor.yml windows-defender-antivirus-mapping: a category without a product. */
static const ww__winroute_t antivirus_route = {
    ch_defender, NULL, EIDS(1006, 1007, 1008, 1009, 1010, 1011, 1012, 1017, 1018, 1019, 1115, 1116),
    NULL,        NULL, rn_antivirus};

typedef struct svcmap {
    const char *service;
    ww__winroute_t route;
} svcmap_t;

#define CH(...) ((const char *const[]){__VA_ARGS__, NULL})
#define SVC(name, ...)                                    \
    {                                                     \
        name,                                             \
        {                                                 \
            CH(__VA_ARGS__), NULL, NULL, NULL, NULL, NULL \
        }                                                 \
    }

/* taxonomy "Windows Folder / Service" (and thor.yml for the same names). */
static const svcmap_t win_services[] = {
    SVC("application", "Application"),
    SVC("application-experience", "Microsoft-Windows-Application-Experience/Program-Telemetry",
        "Microsoft-Windows-Application-Experience/Program-Compatibility-Assistant"),
    SVC("applocker", "Microsoft-Windows-AppLocker/MSI and Script",
        "Microsoft-Windows-AppLocker/EXE and DLL",
        "Microsoft-Windows-AppLocker/Packaged app-Deployment",
        "Microsoft-Windows-AppLocker/Packaged app-Execution"),
    SVC("appmodel-runtime", "Microsoft-Windows-AppModel-Runtime/Admin"),
    SVC("appxdeployment-server", "Microsoft-Windows-AppXDeploymentServer/Operational"),
    SVC("appxpackaging-om", "Microsoft-Windows-AppxPackaging/Operational"),
    SVC("bitlocker", "Microsoft-Windows-BitLocker/BitLocker Management"),
    SVC("bits-client", "Microsoft-Windows-Bits-Client/Operational"),
    SVC("capi2", "Microsoft-Windows-CAPI2/Operational"),
    SVC("certificateservicesclient-lifecycle-system",
        "Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational"),
    SVC("codeintegrity-operational", "Microsoft-Windows-CodeIntegrity/Operational"),
    SVC("dhcp", "Microsoft-Windows-DHCP-Server/Operational"),
    SVC("diagnosis-scripted", "Microsoft-Windows-Diagnosis-Scripted/Operational"),
    SVC("dns-client", "Microsoft-Windows-DNS Client Events/Operational"),
    SVC("dns-server", "DNS Server"),
    SVC("dns-server-analytic", "Microsoft-Windows-DNS-Server/Analytical"),
    SVC("dns-server-audit", "Microsoft-Windows-DNS-Server/Audit"),
    SVC("driver-framework", "Microsoft-Windows-DriverFrameworks-UserMode/Operational"),
    SVC("firewall-as", "Microsoft-Windows-Windows Firewall With Advanced Security/Firewall"),
    SVC("hyper-v-worker", "Microsoft-Windows-Hyper-V-Worker"),
    SVC("iis-configuration", "Microsoft-IIS-Configuration/Operational"),
    SVC("kernel-event-tracing", "Microsoft-Windows-Kernel-EventTracing"),
    SVC("kernel-shimengine", "Microsoft-Windows-Kernel-ShimEngine/Operational",
        "Microsoft-Windows-Kernel-ShimEngine/Diagnostic"),
    SVC("ldap", "Microsoft-Windows-LDAP-Client/Debug"),
    SVC("lsa-server", "Microsoft-Windows-LSA/Operational"),
    SVC("msexchange-management", "MSExchange Management"),
    SVC("ntfs", "Microsoft-Windows-Ntfs/Operational"),
    SVC("ntlm", "Microsoft-Windows-NTLM/Operational"),
    SVC("openssh", "OpenSSH/Operational"),
    SVC("powershell", "Microsoft-Windows-PowerShell/Operational", "PowerShellCore/Operational"),
    SVC("powershell-classic", "Windows PowerShell"),
    SVC("printservice-admin", "Microsoft-Windows-PrintService/Admin"),
    SVC("printservice-operational", "Microsoft-Windows-PrintService/Operational"),
    SVC("security", "Security"),
    SVC("security-mitigations", "Microsoft-Windows-Security-Mitigations/Kernel Mode",
        "Microsoft-Windows-Security-Mitigations/User Mode"),
    SVC("sense", "Microsoft-Windows-SENSE/Operational"),
    SVC("servicebus-client", "Microsoft-ServiceBus-Client/Operational",
        "Microsoft-ServiceBus-Client/Admin"),
    /* SigmaHQ also spells it this way (one rule). */
    SVC("microsoft-servicebus-client", "Microsoft-ServiceBus-Client/Operational",
        "Microsoft-ServiceBus-Client/Admin"),
    SVC("shell-core", "Microsoft-Windows-Shell-Core/Operational"),
    SVC("smbclient-security", "Microsoft-Windows-SmbClient/Security"),
    /* thor.yml only */
    SVC("smbclient-connectivity", "Microsoft-Windows-SmbClient/Connectivity"),
    SVC("smbserver-connectivity", "Microsoft-Windows-SMBServer/Connectivity"),
    SVC("sysmon", SYSMON),
    SVC("system", "System"),
    SVC("taskscheduler", "Microsoft-Windows-TaskScheduler/Operational"),
    SVC("terminalservices-localsessionmanager",
        "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational"),
    SVC("vhdmp", "Microsoft-Windows-VHDMP/Operational"),
    SVC("windefend", "Microsoft-Windows-Windows Defender/Operational"),
    SVC("wmi", "Microsoft-Windows-WMI-Activity/Operational"),
};

static const catmap_t *find_category(const char *c)
{
    if (!c)
        return NULL;
    for (size_t i = 0; i < WW_ARRAY_LEN(win_categories); i++)
        if (strcmp(win_categories[i].category, c) == 0)
            return &win_categories[i];
    return NULL;
}

static const svcmap_t *find_service(const char *s)
{
    if (!s)
        return NULL;
    for (size_t i = 0; i < WW_ARRAY_LEN(win_services); i++)
        if (strcmp(win_services[i].service, s) == 0)
            return &win_services[i];
    return NULL;
}

static bool route_in_channels(const ww__winroute_t *w, const char *const *chans)
{
    if (!w->channels)
        return false;
    for (const char *const *a = w->channels; *a; a++)
        for (const char *const *b = chans; *b; b++)
            if (strcmp(*a, *b) == 0)
                return true;
    return false;
}

int ww__logsource_routes(const ww_sigma_logsource_t *ls, ww__route_t *out, int max)
{
    int n = 0;
    const char *prod = ls->product, *svc = ls->service, *cat = ls->category;
    bool prod_win = prod && strcmp(prod, "windows") == 0;
    const catmap_t *cm = find_category(cat);
    const svcmap_t *sm = find_service(svc);

    if (max < 3)
        return 0;
    memset(out, 0, sizeof *out * (size_t)max);
    if (cat && strcmp(cat, "antivirus") == 0 && (!prod || prod_win) && !svc) {
        /* Defender detections, plus AV logs whose decoder says category antivirus. */
        out[n].windows = true;
        out[n++].win = &antivirus_route;
        out[n].product = prod;
        out[n++].category = cat;
        return n;
    }
    if ((prod_win || !prod) && cm) {
        /* A Windows category; a service, when also given, keeps only the variants on
           its channels (e.g. service security + process_creation -> 4688). */
        for (int i = 0; i < 2 && (cm->routes[i].channels || cm->routes[i].providers); i++) {
            if (sm && !route_in_channels(&cm->routes[i], sm->route.channels))
                continue;
            out[n].windows = true;
            out[n++].win = &cm->routes[i];
        }
        if (prod_win)
            return n;
    } else if ((prod_win || !prod) && sm && !cat) {
        out[n].windows = true;
        out[n++].win = &sm->route;
        if (prod_win)
            return n;
    }
    if (prod_win && !svc && !cat) {
        out[n].windows = true;
        out[n++].win_any = true;
        return n;
    }
    /* Everything else, including Windows services/categories this table does not
       know, and a category/service without a product besides its Windows route: the
       event's own facts decide. */
    out[n].product = prod;
    out[n].service = svc;
    out[n++].category = cat;
    return n;
}

/* Linux programs that write to the auth log (auth.log / secure), for `service: auth`. */
static const char *const auth_programs[] = {
    "auth",     "authpriv", "sshd",           "sudo",    "su",      "login",       "passwd",
    "chpasswd", "chage",    "useradd",        "userdel", "usermod", "groupadd",    "groupdel",
    "groupmod", "gpasswd",  "systemd-logind", "polkitd", "pkexec",  "unix_chkpwd", "sshd-session",
    "cron",     "crond",    "gdm-password",   "lightdm", "doas",    NULL};

static bool str_ieq_z(ww_str_t a, const char *z)
{
    return ww_str_ieq(a, WW_STRZ(z));
}

/* Generic (non-Windows-table) routing, applied to every kind of event:
 * - product: equal to ev->product (case-insensitive) when the rule names one;
 * - service: equal to ev->service; `auth` also matches the auth-log programs above
 *   and any program starting with "pam"; `syslog` matches every WW_EV_SYSLOG event;
 * - category: equal to ev->category (so a category no decoder sets never matches);
 * - an empty logsource matches every event. */
bool ww__generic_route_match(const ww__route_t *r, const ww_event_t *ev)
{
    if (r->product && !str_ieq_z(ev->product, r->product))
        return false;
    if (r->category && !str_ieq_z(ev->category, r->category))
        return false;
    if (r->service && !str_ieq_z(ev->service, r->service)) {
        if (strcmp(r->service, "syslog") == 0) {
            if (ev->kind != WW_EV_SYSLOG)
                return false;
        } else if (strcmp(r->service, "auth") == 0) {
            bool ok = ev->service.n >= 3 && ww_str_ieq((ww_str_t){ev->service.p, 3}, WW_STR("pam"));
            for (const char *const *p = auth_programs; !ok && *p; p++)
                ok = str_ieq_z(ev->service, *p);
            if (!ok)
                return false;
        } else {
            return false;
        }
    }
    return true;
}
