/* Cloud identity logs as JSON records: Microsoft Entra ID sign-in and audit logs (the
 * Azure Monitor diagnostic export and the Microsoft Graph API shapes) and Microsoft 365
 * unified audit log records.  Every leaf keeps its dotted path (what SigmaHQ's azure
 * and m365 rules name); on top of that:
 *  - an Azure Monitor record's `properties` children are also added without the
 *    `properties.` prefix, so both shapes share names (`status.errorCode`,
 *    `userPrincipalName`, `location.countryOrRegion`, ...);
 *  - the Sentinel-style names SigmaHQ rules use where the export has none
 *    (`ResultType`, `ResultDescription`, `Status`, `properties.message`, `OperationName`);
 *  - M365 Name/Value lists flattened: `Parameters.<Name>`, `ExtendedProperties.<Name>`
 *    (and bare `<Name>`), `ModifiedProperties.<Name>` (and bare, the NewValue),
 *    `DeviceProperties.<Name>`;
 *  - the normalised authentication fields (user, src_ip, src_port, outcome,
 *    auth_method, mfa_method, mfa_result, auth_service "entra", country).
 * docs/decoders/network-cloud.md lists them with examples. */
#include "event/ww_json_int.h"

#include <stdlib.h>

static const ww_field_t *get(const ww_event_t *ev, const char *name)
{
    return ww_event_get(ev, WW_STRZ(name), NULL);
}

/* The first non-empty value of a field, or an empty slice. */
static ww_str_t val(const ww_event_t *ev, const char *name)
{
    const ww_field_t *f = get(ev, name);
    return (f && f->type != WW_F_NULL) ? f->value : (ww_str_t){"", 0};
}

static int add(ww_event_t *ev, const char *name, ww_str_t v, int type)
{
    if (!v.n)
        return 0;
    return ww_event_add(ev, WW_STRZ(name), v, type);
}

/* src_ip only from an address field, and only when it holds an address literal: a
 * name or junk there is not made into an address. */
static int add_ip(ww_event_t *ev, const char *name, ww_str_t v)
{
    if (!v.n || !ww_event_ip_literal(v, NULL))
        return 0;
    return ww_event_add(ev, WW_STRZ(name), v, WW_F_STR);
}

static int add_lit(ww_event_t *ev, const char *name, const char *lit)
{
    return ww_event_add(ev, WW_STRZ(name), WW_STRZ(lit), WW_F_STR);
}

static bool contains_ci(ww_str_t s, const char *z)
{
    size_t n = strlen(z);
    for (size_t i = 0; i + n <= s.n; i++)
        if (ww_str_ieq((ww_str_t){s.p + i, n}, (ww_str_t){z, n}))
            return true;
    return false;
}

static int lower_copy(ww_event_t *ev, ww_str_t s, ww_str_t *out)
{
    char *o = ww_arena_alloc(&ev->arena, s.n + 1);
    if (!o)
        return WW_ENOMEM;
    for (size_t i = 0; i < s.n; i++)
        o[i] = (char)ww_lower((unsigned char)s.p[i]);
    o[s.n] = 0;
    *out = (ww_str_t){o, s.n};
    return 0;
}

/* ---- Entra ID sign-ins ---------------------------------------------------------- */

/* Second factors as Entra names them in authenticationDetails / mfaDetail. */
static bool is_second_factor(ww_str_t m)
{
    return m.n && !ww_str_ieq(m, WW_STR("Password")) &&
           !ww_str_ieq(m, WW_STR("Previously satisfied")) &&
           !ww_str_ieq(m, WW_STR("Password Hash Sync")) &&
           !ww_str_ieq(m, WW_STR("Pass-through Authentication")) &&
           !ww_str_ieq(m, WW_STR("Federated"));
}

static int signin(ww_event_t *ev)
{
    int rc = 0;
    ww_str_t user = val(ev, "userPrincipalName");
    if (!user.n)
        user = val(ev, "identity");
    ww_str_t ip = val(ev, "ipAddress");
    if (!ip.n)
        ip = val(ev, "callerIpAddress");

    /* The result: status.errorCode (both shapes after hoisting), else resultType. */
    const ww_field_t *ec = get(ev, "status.errorCode");
    ww_str_t ec_v = ec ? ec->value : (ww_str_t){"", 0};
    bool have_rt = get(ev, "ResultType") != NULL;
    ww_str_t code = ec ? ec_v : val(ev, "ResultType");
    int64_t err = -1;
    if (code.n && ww_parse_i64(code.p, code.n, &err) != 0)
        err = -1;

    ww_str_t details = val(ev, "status.additionalDetails");
    ww_str_t method = val(ev, "mfaDetail.authMethod");
    bool mfa = method.n != 0;
    for (const ww_field_t *f = get(ev, "authenticationDetails.authenticationMethod"); f;
         f = ww_event_get(ev, f->name, f)) {
        if (is_second_factor(f->value)) {
            mfa = true;
            if (!method.n)
                method = f->value;
        }
    }
    bool denied =
        err == 500121 || contains_ci(details, "denied") || contains_ci(details, "declined");
    for (const ww_field_t *f = get(ev, "authenticationDetails.authenticationStepResultDetail");
         f && !denied; f = ww_event_get(ev, f->name, f))
        denied = contains_ci(f->value, "MFA denied") || contains_ci(f->value, "declined");
    bool required = err == 50074 || err == 50076 || err == 50079;
    if (denied || required)
        mfa = true;
    bool password = false;
    for (const ww_field_t *f = get(ev, "authenticationDetails.authenticationMethod"); f;
         f = ww_event_get(ev, f->name, f))
        password = password || ww_str_ieq(f->value, WW_STR("Password"));

    rc = add(ev, "user", user, WW_F_STR);
    if (rc == 0)
        rc = add_ip(ev, "src_ip", ip);
    if (rc == 0 && err >= 0)
        rc = add_lit(ev, "outcome", err == 0 ? "success" : "failure");
    if (rc == 0 && (mfa || password))
        rc = add_lit(ev, "auth_method", mfa ? "mfa" : "password");
    if (rc == 0)
        rc = add(ev, "mfa_method", method, WW_F_STR);
    if (rc == 0 && (denied || required || (mfa && err == 0)))
        rc = add_lit(ev, "mfa_result", denied ? "denied" : required ? "required" : "approved");
    if (rc == 0)
        rc = add_lit(ev, "auth_service", "entra");
    ww_str_t country = val(ev, "location.countryOrRegion");
    if (!country.n) {
        /* The export's top-level `location` is the country code itself. */
        const ww_field_t *l = get(ev, "location");
        if (l && l->type == WW_F_STR)
            country = l->value;
    }
    if (rc == 0)
        rc = add(ev, "country", country, WW_F_STR);
    /* Sentinel-style names SigmaHQ's signinlogs rules use. */
    if (rc == 0 && !have_rt)
        rc = add(ev, "ResultType", ec_v, WW_F_INT);
    if (rc == 0 && !get(ev, "ResultDescription"))
        rc = add(ev, "ResultDescription", val(ev, "status.failureReason"), WW_F_STR);
    if (rc == 0 && err >= 0)
        rc = add_lit(ev, "Status", err == 0 ? "Success" : "Failure");
    if (rc == 0)
        rc = add(ev, "Status", details, WW_F_STR);
    ev->category = WW_STR("authentication");
    return rc;
}

/* ---- Entra ID audit ------------------------------------------------------------- */

/* targetResources[].modifiedProperties[] {displayName, newValue} pairs -> a field
 * named displayName with the new value (its JSON quotes removed), as SigmaHQ's
 * auditlogs rules name them (`ConsentContext.IsAdminConsent: 'false'`).  Every element
 * has both keys (null when empty), so the two repeated fields run in step. */
static int modified_props(ww_event_t *ev)
{
    static const ww_str_t dn = WW_STR("targetResources.modifiedProperties.displayName");
    static const ww_str_t nv = WW_STR("targetResources.modifiedProperties.newValue");
    const ww_field_t *d = ww_event_get(ev, dn, NULL), *v = ww_event_get(ev, nv, NULL);
    int rc = 0, guard = 0;
    while (d && v && rc == 0 && guard++ < 256) {
        ww_str_t name = d->value, value = v->value;
        int type = v->type;
        if (value.n >= 2 && value.p[0] == '"' && value.p[value.n - 1] == '"')
            value = (ww_str_t){value.p + 1, value.n - 2};
        /* Look the next pair up before adding: the table may move. */
        uint32_t di = (uint32_t)(d - ev->fields), vi = (uint32_t)(v - ev->fields);
        if (name.n && type != WW_F_NULL)
            rc = ww_event_add(ev, name, value, WW_F_STR);
        d = ww_event_get(ev, dn, &ev->fields[di]);
        v = ww_event_get(ev, nv, &ev->fields[vi]);
    }
    return rc;
}

static int audit(ww_event_t *ev)
{
    /* The initiator is read before modified_props() adds fields named by
       modifiedProperties' displayName: an administrator (or an application's own
       extension attribute) may name a property "initiatedBy.user.ipAddress", and a
       record initiated by an application has no such field of its own. */
    ww_str_t user = val(ev, "initiatedBy.user.userPrincipalName");
    ww_str_t ip = val(ev, "initiatedBy.user.ipAddress");
    int rc = modified_props(ev);
    if (rc == 0)
        rc = add(ev, "user", user, WW_F_STR);
    if (rc == 0)
        rc = add_ip(ev, "src_ip", ip);
    ww_str_t result = val(ev, "result");
    if (rc == 0 && result.n)
        rc = add_lit(ev, "outcome", ww_str_ieq(result, WW_STR("success")) ? "success" : "failure");
    if (rc == 0)
        rc = add(ev, "Status", result, WW_F_STR);
    ww_str_t act = val(ev, "activityDisplayName");
    if (rc == 0 && !get(ev, "properties.message"))
        rc = add(ev, "properties.message", act, WW_F_STR);
    if (rc == 0 && !get(ev, "operationName"))
        rc = add(ev, "operationName", act, WW_F_STR);
    return rc;
}

static ww_str_t entra_service(ww_str_t cat)
{
    static const struct {
        const char *cat, *svc;
    } map[] = {
        {"SignInLogs", "signinlogs"},
        {"NonInteractiveUserSignInLogs", "signinlogs"},
        {"ServicePrincipalSignInLogs", "signinlogs"},
        {"ManagedIdentitySignInLogs", "signinlogs"},
        {"ADFSSignInLogs", "signinlogs"},
        {"AuditLogs", "auditlogs"},
        {"UserRiskEvents", "riskdetection"},
        {"ServicePrincipalRiskEvents", "riskdetection"},
        {"RiskyUsers", "riskdetection"},
        {"ProvisioningLogs", "provisioninglogs"},
    };
    for (size_t i = 0; i < WW_ARRAY_LEN(map); i++)
        if (ww_str_ieq_z(cat, map[i].cat))
            return WW_STRZ(map[i].svc);
    return (ww_str_t){"", 0};
}

/* ---- Microsoft 365 unified audit log ------------------------------------------- */

/* [{"Name":N,"Value":V},...] -> prefix.N = V (and N = V when bare). */
static int name_values(ww_json_t *js, ww_event_t *ev, const char *list, const char *vkey, bool bare)
{
    uint32_t a = ww__json_member(js, 0, list);
    if (!a || js->tok[a].type != WW_JT_ARR)
        return 0;
    int rc = 0;
    size_t plen = strlen(list);
    uint32_t e = a + 1;
    for (uint32_t c = 0, n = js->tok[a].count; c < n && rc == 0; c++, e = js->tok[e].next) {
        if (js->tok[e].type != WW_JT_OBJ)
            continue;
        uint32_t k = ww__json_member(js, e, "Name"), v = ww__json_member(js, e, vkey);
        if (!k || !v || js->tok[k].type != WW_JT_STR)
            continue;
        ww_str_t name;
        rc = ww__json_str(ev, &js->tok[k], &name);
        if (rc || !name.n)
            continue;
        char *full = ww_arena_alloc(&ev->arena, plen + 1 + name.n + 1);
        if (!full)
            return WW_ENOMEM;
        memcpy(full, list, plen);
        full[plen] = '.';
        memcpy(full + plen + 1, name.p, name.n);
        full[plen + 1 + name.n] = 0;
        rc = ww__json_emit(ev, (ww_str_t){full, plen + 1 + name.n}, &js->tok[v]);
        if (rc == 0 && bare)
            rc = ww__json_emit(ev, name, &js->tok[v]);
    }
    return rc;
}

/* ClientIP is "203.0.113.7", "203.0.113.7:52044", "[2001:db8::5]:443" or a bare
 * IPv6 address; the port, when there is one, becomes src_port. */
static int client_ip(ww_event_t *ev, ww_str_t ip)
{
    ww_str_t port = {"", 0};
    if (ip.n && ip.p[0] == '[') {
        const char *rb = memchr(ip.p, ']', ip.n);
        if (rb) {
            if ((size_t)(rb - ip.p) + 2 < ip.n && rb[1] == ':')
                port = (ww_str_t){rb + 2, (size_t)(ip.p + ip.n - rb - 2)};
            ip = (ww_str_t){ip.p + 1, (size_t)(rb - ip.p - 1)};
        }
    } else {
        const char *colon = memchr(ip.p, ':', ip.n);
        if (colon && !memchr(colon + 1, ':', (size_t)(ip.p + ip.n - colon - 1))) {
            port = (ww_str_t){colon + 1, (size_t)(ip.p + ip.n - colon - 1)};
            ip.n = (size_t)(colon - ip.p);
        }
    }
    if (!ww_event_ip_literal(ip, NULL))
        return 0;
    int rc = add(ev, "src_ip", ip, WW_F_STR);
    int64_t pv;
    if (rc == 0 && port.n && ww_parse_i64(port.p, port.n, &pv) == 0 && pv > 0 && pv < 65536)
        rc = add(ev, "src_port", port, WW_F_INT);
    return rc;
}

static int m365(ww_json_t *js, ww_event_t *ev)
{
    /* The record's own address fields, read before the Name/Value lists below add
       bare names: those hold values people type (ModifiedProperties' new values,
       cmdlet parameters), which must never become the source address. */
    ww_str_t ip = val(ev, "ClientIP");
    if (!ip.n)
        ip = val(ev, "ClientIPAddress");
    if (!ip.n)
        ip = val(ev, "ActorIpAddress");
    int rc = name_values(js, ev, "Parameters", "Value", false);
    if (rc == 0)
        rc = name_values(js, ev, "ExtendedProperties", "Value", true);
    if (rc == 0)
        rc = name_values(js, ev, "ModifiedProperties", "NewValue", true);
    if (rc == 0)
        rc = name_values(js, ev, "DeviceProperties", "Value", false);
    if (rc)
        return rc;

    ev->product = WW_STR("m365");
    ww_str_t wl = val(ev, "Workload");
    if (wl.n && (rc = lower_copy(ev, wl, &ev->service)) != 0)
        return rc;

    ww_str_t op = val(ev, "Operation");
    bool login_ok = ww_str_eq(op, WW_STR("UserLoggedIn"));
    bool login_bad = ww_str_eq(op, WW_STR("UserLoginFailed"));
    rc = add(ev, "user", val(ev, "UserId"), WW_F_STR);
    if (rc == 0 && ip.n)
        rc = client_ip(ev, ip);
    ww_str_t rs = val(ev, "ResultStatus");
    const char *outcome = NULL;
    if (login_ok)
        outcome = "success";
    else if (login_bad)
        outcome = "failure";
    else if (ww_str_ieq(rs, WW_STR("Success")) || ww_str_ieq(rs, WW_STR("Succeeded")) ||
             ww_str_ieq(rs, WW_STR("True")) || ww_str_ieq(rs, WW_STR("PartiallySucceeded")))
        outcome = "success";
    else if (ww_str_ieq(rs, WW_STR("Failed")) || ww_str_ieq(rs, WW_STR("Failure")) ||
             ww_str_ieq(rs, WW_STR("False")))
        outcome = "failure";
    if (rc == 0 && outcome)
        rc = add_lit(ev, "outcome", outcome);
    if (rc == 0 && (login_ok || login_bad)) {
        /* LogonError names the MFA interrupts: UserStrongAuthClientAuthNRequired(Interrupt),
           UserStrongAuthEnrollmentRequiredInterrupt, ... */
        ww_str_t le = val(ev, "LogonError");
        bool mfa = contains_ci(le, "StrongAuth") || contains_ci(le, "Mfa");
        if (mfa)
            rc = add_lit(ev, "auth_method", "mfa");
        if (rc == 0 && mfa)
            rc = add_lit(ev, "mfa_result",
                         contains_ci(le, "Required") || contains_ci(le, "Interrupt") ? "required"
                                                                                     : "denied");
        if (rc == 0)
            rc = add_lit(ev, "auth_service", "entra");
        ev->category = WW_STR("authentication");
    }
    return rc;
}

int ww__json_cloud(ww_json_t *js, ww_event_t *ev, int shape)
{
    int rc = ww__json_flat(js, ev, 0, (ww_str_t){"", 0});
    if (rc)
        return rc;
    switch (shape) {
    case WW_CLOUD_ENTRA_DIAG:
    case WW_CLOUD_ENTRA_LA: {
        /* The Log Analytics row has the same names in PascalCase and no `properties`;
           lookups are case-insensitive, so the same steps apply. */
        ev->product = WW_STR("azure");
        uint32_t props = ww__json_member(js, 0, "properties");
        if (props && shape == WW_CLOUD_ENTRA_DIAG)
            rc = ww__json_flat(js, ev, props, (ww_str_t){"", 0});
        const ww_field_t *cat = get(ev, "category");
        ww_str_t c = cat ? cat->value : (ww_str_t){"", 0};
        ev->service = entra_service(c);
        if (rc == 0 && !ev->service.n && c.n)
            rc = lower_copy(ev, c, &ev->service);
        if (rc == 0 && ww_str_eq(ev->service, WW_STR("signinlogs")))
            rc = signin(ev);
        else if (rc == 0 && ww_str_eq(ev->service, WW_STR("auditlogs")))
            rc = audit(ev);
        break;
    }
    case WW_CLOUD_GRAPH_SIGNIN:
        ev->product = WW_STR("azure");
        ev->service = WW_STR("signinlogs");
        rc = signin(ev);
        break;
    case WW_CLOUD_GRAPH_AUDIT:
        ev->product = WW_STR("azure");
        ev->service = WW_STR("auditlogs");
        rc = audit(ev);
        break;
    case WW_CLOUD_GRAPH_RISK:
        ev->product = WW_STR("azure");
        ev->service = WW_STR("riskdetection");
        rc = add(ev, "user", val(ev, "userPrincipalName"), WW_F_STR);
        if (rc == 0)
            rc = add_ip(ev, "src_ip", val(ev, "ipAddress"));
        if (rc == 0)
            rc = add(ev, "country", val(ev, "location.countryOrRegion"), WW_F_STR);
        break;
    case WW_CLOUD_M365: rc = m365(js, ev); break;
    default: break;
    }
    return rc;
}
