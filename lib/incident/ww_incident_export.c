/* An incident's exports: wardwatch's own JSON, and a STIX 2.1 bundle for the national
 * SOC (see ww_incident.h for what goes in it and docs/incidents.md for the mapping).
 *
 * STIX ids are stable, so the SOC sees a second export of the same incident as newer
 * versions of the same objects: the incident's id is its random UUID; the objects of
 * its timeline are UUIDv5 names under that UUID; cyber observables (addresses, files)
 * use the UUIDv5 the STIX 2.1 specification derives from their id-contributing
 * properties, so the same file or address has the same id in every bundle. */
#include <gnutls/crypto.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "firebreak/ww_firebreak.h"
#include "incident/ww_incident_int.h"

/* The namespace STIX 2.1 (section 2.9) gives for cyber-observable ids. */
static const char STIX_SCO_NS[] = "00abedb4-aa42-466c-9c01-fed23315a9b7";
/* wardwatch's own: its identity, the extension definition, the trust's identity. */
static const char WW_NS[] = "9c1f0c8e-5b3e-4f7a-9d52-1c4b8e2a7f60";
/* wardwatch's extension definition (fixed: it is the same in every bundle). */
static const char EXT_DEF[] = "extension-definition--3c0e4f6d-8a1b-4e2c-9f7d-5b6a1c2d3e4f";
/* Objects that describe wardwatch itself carry a fixed creation time, so every bundle
 * holds the same version of them. */
static const char FIXED_TIME[] = "2026-01-01T00:00:00.000Z";

/* ---- small writers ---------------------------------------------------------------- */

static void iso(int64_t s, bool millis, char *out, size_t n)
{
    struct tm tm;
    time_t t = (time_t)s;
    gmtime_r(&t, &tm);
    strftime(out, n, millis ? "%Y-%m-%dT%H:%M:%S.000Z" : "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void jstr(ww_buf_t *b, const char *s)
{
    ww_buf_json_str(b, s ? s : "", s ? strlen(s) : 0);
}

/* ,"key":"value" (or without the comma when first). */
static void kv(ww_buf_t *b, bool first, const char *k, const char *v)
{
    ww_buf_printf(b, "%s\"%s\":", first ? "" : ",", k);
    jstr(b, v);
}

static void kv_time(ww_buf_t *b, const char *k, int64_t s, bool millis)
{
    char t[40];
    iso(s, millis, t, sizeof t);
    ww_buf_printf(b, ",\"%s\":\"%s\"", k, t);
}

static int uuid_parse(const char *s, uint8_t out[16])
{
    size_t o = 0;
    for (size_t i = 0; s[i] && o < 16;) {
        if (s[i] == '-') {
            i++;
            continue;
        }
        int v = 0;
        for (int k = 0; k < 2; k++, i++) {
            char c = s[i];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (d < 0)
                return WW_EINVAL;
            v = v * 16 + d;
        }
        out[o++] = (uint8_t)v;
    }
    return o == 16 ? 0 : WW_EINVAL;
}

/* RFC 9562's UUIDv5: SHA-1 of the namespace's bytes and the name. */
static void uuid5(const char *ns, const char *name, size_t n, char out[37])
{
    uint8_t nsb[16] = {0}, d[20];
    uuid_parse(ns, nsb);
    gnutls_hash_hd_t h;
    if (gnutls_hash_init(&h, GNUTLS_DIG_SHA1) != 0) {
        memset(d, 0, sizeof d);
    } else {
        gnutls_hash(h, nsb, 16);
        gnutls_hash(h, name, n);
        gnutls_hash_deinit(h, d);
    }
    d[6] = (uint8_t)((d[6] & 0x0f) | 0x50);
    d[8] = (uint8_t)((d[8] & 0x3f) | 0x80);
    ww__inc_uuid_format(d, out);
}

/* "<type>--<uuid5(ns, name)>" into out (>= 96 bytes). */
static void sid(char *out, size_t n, const char *type, const char *ns, const char *name)
{
    char u[37];
    uuid5(ns, name, strlen(name), u);
    snprintf(out, n, "%s--%s", type, u);
}

/* ---- JSON -------------------------------------------------------------------------- */

static void json_item(ww_buf_t *b, const ww_inc_item_t *it)
{
    char t[40];
    iso(it->at, false, t, sizeof t);
    ww_buf_printf(b, "{\"at\":\"%s\",\"kind\":\"%s\"", t, ww_inc_item_kind_name(it->kind));
    kv(b, false, "by", it->by);
    kv(b, false, "text", it->text);
    switch (it->kind) {
    case WW_INC_ITEM_ALERT:
        kv(b, false, "alert", it->alert_id);
        kv(b, false, "host", it->host);
        break;
    case WW_INC_ITEM_EVIDENCE: kv(b, false, "sha256", it->sha256); break;
    case WW_INC_ITEM_FIREBREAK: ww_buf_printf(b, ",\"plan\":%lld", (long long)it->plan_id); break;
    default: break;
    }
    ww_buf_putc(b, '}');
}

int ww_incident_export_json(ww_store_t *st, const ww_incident_t *inc, int64_t now, ww_buf_t *out,
                            ww_diag_t *diag)
{
    ww_inc_timeline_t tl;
    int rc = ww_incident_timeline(st, inc, &tl, diag);
    if (rc)
        return rc;
    ww_inc_ico_t ico;
    ww_incident_ico(inc, now, &ico);
    ww_buf_t *b = out;
    ww_buf_putc(b, '{');
    kv(b, true, "reference", inc->ref);
    kv(b, false, "title", inc->title);
    kv(b, false, "description", inc->description);
    kv(b, false, "status", ww_inc_status_name(inc->status));
    kv(b, false, "severity", ww_inc_severity_name(inc->severity));
    kv(b, false, "owner", inc->owner);
    kv(b, false, "created_by", inc->created_by);
    kv_time(b, "created", inc->created, false);
    kv_time(b, "updated", inc->updated, false);
    kv_time(b, "aware", inc->aware, false);
    ww_buf_printf(b, ",\"personal_data\":%s", inc->personal_data ? "true" : "false");
    ww_buf_printf(b, ",\"ico\":{\"applies\":%s", ico.applies ? "true" : "false");
    kv_time(b, "deadline", ico.deadline, false);
    ww_buf_printf(b, ",\"seconds_left\":%lld,\"overdue\":%s}", (long long)ico.left,
                  ico.overdue ? "true" : "false");
    ww_buf_printf(b, ",\"dspt\":{\"reportable\":%s", inc->dspt_reportable ? "true" : "false");
    if (inc->dspt_reported)
        kv_time(b, "reported", inc->dspt_reported, false);
    else
        ww_buf_puts(b, ",\"reported\":null");
    kv(b, false, "reference", inc->dspt_ref);
    ww_buf_putc(b, '}');

    static const int kinds[] = {WW_INC_ITEM_ALERT, WW_INC_ITEM_NOTE, WW_INC_ITEM_EVIDENCE};
    static const char *const names[] = {"alerts", "notes", "evidence"};
    for (size_t k = 0; k < WW_ARRAY_LEN(kinds); k++) {
        ww_buf_printf(b, ",\"%s\":[", names[k]);
        bool first = true;
        for (size_t i = 0; i < tl.n; i++) {
            const ww_inc_item_t *it = &tl.items[i];
            if (it->kind != kinds[k])
                continue;
            ww_buf_puts(b, first ? "{" : ",{");
            first = false;
            char t[40];
            iso(it->at, false, t, sizeof t);
            if (it->kind == WW_INC_ITEM_ALERT) {
                kv(b, true, "id", it->alert_id);
                ww_buf_printf(b, ",\"time\":\"%s\"", t);
                kv_time(b, "linked", it->linked, false);
                kv(b, false, "linked_by", it->by);
                kv(b, false, "rule_id", it->rule_id);
                kv(b, false, "rule", it->text);
                kv(b, false, "level", it->level);
                ww_buf_printf(b, ",\"priority\":%d", it->priority);
                kv(b, false, "host", it->host);
                kv(b, false, "user", it->user);
                kv(b, false, "src_ip", it->src_ip);
                kv(b, false, "techniques", it->techniques);
            } else if (it->kind == WW_INC_ITEM_NOTE) {
                ww_buf_printf(b, "\"at\":\"%s\"", t);
                kv(b, false, "by", it->by);
                kv(b, false, "text", it->text);
            } else {
                kv(b, true, "name", it->text);
                ww_buf_printf(b, ",\"size\":%llu", (unsigned long long)it->size);
                kv(b, false, "sha256", it->sha256);
                kv(b, false, "content_type", it->content_type);
                ww_buf_printf(b, ",\"at\":\"%s\"", t);
                kv(b, false, "by", it->by);
            }
            ww_buf_putc(b, '}');
        }
        ww_buf_putc(b, ']');
    }
    ww_buf_puts(b, ",\"firebreaks\":[");
    for (size_t p = 0; p < tl.nplans; p++) {
        ww_buf_printf(b, "%s{\"plan\":%lld", p ? "," : "", (long long)tl.plans[p]);
        kv(b, false, "state", tl.plan_state[p]);
        ww_buf_puts(b, ",\"records\":[");
        bool first = true;
        for (size_t i = 0; i < tl.n; i++) {
            const ww_inc_item_t *it = &tl.items[i];
            if (it->kind != WW_INC_ITEM_FIREBREAK || it->plan_id != tl.plans[p])
                continue;
            char t[40];
            iso(it->at, false, t, sizeof t);
            ww_buf_printf(b, "%s{\"at\":\"%s\"", first ? "" : ",", t);
            first = false;
            kv(b, false, "action", it->text);
            kv(b, false, "by", it->by);
            kv(b, false, "segment", it->segment);
            kv(b, false, "reason", it->reason);
            kv(b, false, "detail", it->detail);
            ww_buf_putc(b, '}');
        }
        ww_buf_puts(b, "]}");
    }
    ww_buf_puts(b, "],\"timeline\":[");
    for (size_t i = 0; i < tl.n; i++) {
        if (i)
            ww_buf_putc(b, ',');
        json_item(b, &tl.items[i]);
    }
    ww_buf_printf(b, "],\"timeline_dropped\":%zu}\n", tl.dropped);
    ww_inc_timeline_release(&tl);
    if (b->err) {
        ww_diag_set(diag, "", 0, 0, "export: %s", ww_strerror(b->err));
        return b->err;
    }
    return 0;
}

/* ---- STIX 2.1 ---------------------------------------------------------------------- */

/* The top-level properties the extension definition declares (see docs/incidents.md). */
static const char *const ext_props[] = {
    "x_wardwatch_reference",      "x_wardwatch_status",          "x_wardwatch_severity",
    "x_wardwatch_owner",          "x_wardwatch_aware",           "x_wardwatch_personal_data",
    "x_wardwatch_ico_deadline",   "x_wardwatch_dspt_reportable", "x_wardwatch_dspt_reported",
    "x_wardwatch_dspt_reference", "x_wardwatch_alert",           "x_wardwatch_uploaded_by",
    "x_wardwatch_plan_id",        "x_wardwatch_plan_state",      "x_wardwatch_actions",
};

/* The object list of the grouping, gathered while writing. */
typedef struct refs {
    ww_buf_t ids; /* ,"id" ... */
    size_t n;
} refs_t;

static void ref_add(refs_t *r, const char *id)
{
    ww_buf_printf(&r->ids, "%s\"%s\"", r->n++ ? "," : "", id);
}

/* Starts an SDO: {"type":..,"spec_version":"2.1","id":..,"created":..,"modified":..
 * and created_by_ref (when given). */
static void sdo(ww_buf_t *b, const char *type, const char *id, const char *created,
                const char *modified, const char *by_ref)
{
    if (b->n && b->p[b->n - 1] != '[')
        ww_buf_putc(b, ',');
    ww_buf_printf(b,
                  "{\"type\":\"%s\",\"spec_version\":\"2.1\",\"id\":\"%s\","
                  "\"created\":\"%s\",\"modified\":\"%s\"",
                  type, id, created, modified);
    if (by_ref)
        ww_buf_printf(b, ",\"created_by_ref\":\"%s\"", by_ref);
}

static void ext_marker(ww_buf_t *b)
{
    ww_buf_printf(b,
                  ",\"extensions\":{\"%s\":{\"extension_type\":\"toplevel-property-extension\"}}",
                  EXT_DEF);
}

/* 4 or 6 and the address in the canonical text STIX's patterns accept (an
 * IPv4-mapped IPv6 address is its IPv4 address), or 0 when s is no address. */
static int ip_kind(const char *s, char *text, size_t n)
{
    int fam;
    uint8_t a[16];
    char why[64];
    if (!s || !s[0] || ww_fb_addr_parse(s, &fam, a, NULL, why, sizeof why) != 0)
        return 0;
    ww_fb_addr_format(fam, a, text, n);
    return fam;
}

int ww_incident_export_stix(ww_store_t *st, const ww_incident_t *inc, int64_t now,
                            const ww_inc_stix_opts_t *opts, ww_buf_t *out, ww_diag_t *diag)
{
    ww_inc_timeline_t tl;
    int rc = ww_incident_timeline(st, inc, &tl, diag);
    if (rc)
        return rc;
    const char *trust = opts && opts->trust_name && opts->trust_name[0] ? opts->trust_name
                                                                        : "NHS trust (wardwatch)";
    const char *base = opts && opts->base_url && opts->base_url[0] ? opts->base_url : NULL;
    refs_t refs;
    ww_buf_init(&refs.ids, 0);
    refs.n = 0;
    ww_buf_t name;
    ww_buf_init(&name, 0);
    ww_buf_t *b = out;
    char trust_id[96], ww_id[96], inc_id[96], id[96], created[40], modified[40], t[40];
    char bundle_uuid[37];
    uint8_t r16[16];
    randombytes_buf(r16, sizeof r16);
    r16[6] = (uint8_t)((r16[6] & 0x0f) | 0x40);
    r16[8] = (uint8_t)((r16[8] & 0x3f) | 0x80);
    ww__inc_uuid_format(r16, bundle_uuid);
    ww_buf_clear(&name);
    ww_buf_printf(&name, "identity:%s", trust);
    sid(trust_id, sizeof trust_id, "identity", WW_NS, name.p ? name.p : "");
    sid(ww_id, sizeof ww_id, "identity", WW_NS, "wardwatch");
    snprintf(inc_id, sizeof inc_id, "incident--%s", inc->uuid);
    iso(inc->created, true, created, sizeof created);
    iso(inc->updated, true, modified, sizeof modified);

    ww_buf_printf(b, "{\"type\":\"bundle\",\"id\":\"bundle--%s\",\"objects\":[", bundle_uuid);
    /* The trust, and wardwatch as the system that defines the extension. */
    sdo(b, "identity", trust_id, FIXED_TIME, FIXED_TIME, NULL);
    kv(b, false, "name", trust);
    ww_buf_puts(b, ",\"identity_class\":\"organization\",\"sectors\":[\"healthcare\"]}");
    sdo(b, "identity", ww_id, FIXED_TIME, FIXED_TIME, NULL);
    ww_buf_puts(b, ",\"name\":\"wardwatch\",\"identity_class\":\"system\"}");
    sdo(b, "extension-definition", EXT_DEF, FIXED_TIME, FIXED_TIME, ww_id);
    ww_buf_puts(b, ",\"name\":\"wardwatch incident properties\","
                   "\"description\":\"What wardwatch knows about an incident that STIX 2.1 "
                   "has no property for: its reference, status, severity, owner, when the "
                   "trust became aware, the ICO 72-hour clock, the DSPT incident reporting "
                   "tool, and the alerts, evidence and fire-break actions of its timeline.\","
                   "\"schema\":\"wardwatch docs/incidents.md, section 'STIX 2.1 export'\","
                   "\"version\":\"1.0.0\","
                   "\"extension_types\":[\"toplevel-property-extension\"],"
                   "\"extension_properties\":[");
    for (size_t i = 0; i < WW_ARRAY_LEN(ext_props); i++)
        ww_buf_printf(b, "%s\"%s\"", i ? "," : "", ext_props[i]);
    ww_buf_puts(b, "]}");

    /* The incident. */
    sdo(b, "incident", inc_id, created, modified, trust_id);
    ref_add(&refs, inc_id);
    kv(b, false, "name", inc->title);
    if (inc->description[0])
        kv(b, false, "description", inc->description);
    ww_buf_puts(b, ",\"external_references\":[{\"source_name\":\"wardwatch\"");
    kv(b, false, "external_id", inc->ref);
    if (base) {
        ww_buf_clear(&name);
        ww_buf_printf(&name, "%s/incidents/%s", base, inc->ref);
        kv(b, false, "url", name.p);
    }
    ww_buf_puts(b, "}");
    if (inc->dspt_ref[0]) {
        ww_buf_puts(b, ",{\"source_name\":\"DSPT incident reporting tool\"");
        kv(b, false, "external_id", inc->dspt_ref);
        ww_buf_puts(b, "}");
    }
    ww_buf_puts(b, "]");
    ext_marker(b);
    kv(b, false, "x_wardwatch_reference", inc->ref);
    kv(b, false, "x_wardwatch_status", ww_inc_status_name(inc->status));
    kv(b, false, "x_wardwatch_severity", ww_inc_severity_name(inc->severity));
    if (inc->owner[0])
        kv(b, false, "x_wardwatch_owner", inc->owner);
    kv_time(b, "x_wardwatch_aware", inc->aware, true);
    ww_buf_printf(b, ",\"x_wardwatch_personal_data\":%s", inc->personal_data ? "true" : "false");
    if (inc->personal_data)
        kv_time(b, "x_wardwatch_ico_deadline", inc->aware + WW_INC_ICO_SECONDS, true);
    ww_buf_printf(b, ",\"x_wardwatch_dspt_reportable\":%s",
                  inc->dspt_reportable ? "true" : "false");
    if (inc->dspt_reported)
        kv_time(b, "x_wardwatch_dspt_reported", inc->dspt_reported, true);
    if (inc->dspt_ref[0])
        kv(b, false, "x_wardwatch_dspt_reference", inc->dspt_ref);
    ww_buf_putc(b, '}');

    /* Notes. */
    size_t nnote = 0, nalert = 0, nev = 0;
    for (size_t i = 0; i < tl.n; i++) {
        const ww_inc_item_t *it = &tl.items[i];
        if (it->kind != WW_INC_ITEM_NOTE)
            continue;
        ww_buf_clear(&name);
        ww_buf_printf(&name, "note:%zu", nnote++);
        sid(id, sizeof id, "note", inc->uuid, name.p);
        iso(it->at, true, t, sizeof t);
        sdo(b, "note", id, t, t, trust_id);
        ref_add(&refs, id);
        kv(b, false, "content", it->text);
        if (it->by[0]) {
            ww_buf_puts(b, ",\"authors\":[");
            jstr(b, it->by);
            ww_buf_putc(b, ']');
        }
        ww_buf_printf(b, ",\"object_refs\":[\"%s\"]}", inc_id);
    }

    /* Alerts: the observables, an observed-data each, one sighting of the incident. */
    ww_buf_t od;
    ww_buf_init(&od, 0);
    int64_t first = 0, last = 0;
    for (size_t i = 0; i < tl.n; i++) {
        const ww_inc_item_t *it = &tl.items[i];
        if (it->kind != WW_INC_ITEM_ALERT)
            continue;
        char alert_sco[96], ip_sco[96] = "";
        ww_buf_clear(&name);
        ww_buf_puts(&name, "{\"alert_id\":");
        jstr(&name, it->alert_id);
        ww_buf_putc(&name, '}');
        sid(alert_sco, sizeof alert_sco, "x-wardwatch-alert", STIX_SCO_NS, name.p);
        ww_buf_printf(b, ",{\"type\":\"x-wardwatch-alert\",\"spec_version\":\"2.1\",\"id\":\"%s\"",
                      alert_sco);
        kv(b, false, "alert_id", it->alert_id);
        kv(b, false, "rule_id", it->rule_id);
        kv(b, false, "rule_title", it->text);
        kv(b, false, "level", it->level);
        ww_buf_printf(b, ",\"priority\":%d", it->priority);
        if (it->host[0])
            kv(b, false, "host", it->host);
        if (it->user[0])
            kv(b, false, "user_name", it->user);
        if (it->techniques[0])
            kv(b, false, "techniques", it->techniques);
        iso(it->at, true, t, sizeof t);
        ww_buf_printf(b, ",\"observed\":\"%s\"}", t);
        char ip[64];
        int fam = ip_kind(it->src_ip, ip, sizeof ip);
        if (fam) {
            const char *type = fam == 4 ? "ipv4-addr" : "ipv6-addr";
            ww_buf_clear(&name);
            ww_buf_puts(&name, "{\"value\":");
            jstr(&name, ip);
            ww_buf_putc(&name, '}');
            sid(ip_sco, sizeof ip_sco, type, STIX_SCO_NS, name.p);
            ww_buf_printf(b, ",{\"type\":\"%s\",\"spec_version\":\"2.1\",\"id\":\"%s\"", type,
                          ip_sco);
            kv(b, false, "value", ip);
            ww_buf_putc(b, '}');
        }
        ww_buf_clear(&name);
        ww_buf_printf(&name, "observed-data:alert:%s", it->alert_id);
        sid(id, sizeof id, "observed-data", inc->uuid, name.p);
        char linked[40];
        iso(it->linked, true, linked, sizeof linked);
        sdo(b, "observed-data", id, linked, linked, trust_id);
        ww_buf_printf(b,
                      ",\"first_observed\":\"%s\",\"last_observed\":\"%s\","
                      "\"number_observed\":1,\"object_refs\":[\"%s\"",
                      t, t, alert_sco);
        if (ip_sco[0])
            ww_buf_printf(b, ",\"%s\"", ip_sco);
        ww_buf_puts(b, "]");
        ext_marker(b);
        kv(b, false, "x_wardwatch_alert", it->alert_id);
        ww_buf_putc(b, '}');
        ref_add(&refs, id);
        ww_buf_printf(&od, "%s\"%s\"", nalert ? "," : "", id);
        if (!nalert || it->at < first)
            first = it->at;
        if (!nalert || it->at > last)
            last = it->at;
        nalert++;
    }
    if (nalert) {
        sid(id, sizeof id, "sighting", inc->uuid, "sighting:alerts");
        sdo(b, "sighting", id, created, modified, trust_id);
        kv_time(b, "first_seen", first, true);
        kv_time(b, "last_seen", last, true);
        ww_buf_printf(b,
                      ",\"count\":%zu,\"sighting_of_ref\":\"%s\",\"observed_data_refs\":[%s],"
                      "\"where_sighted_refs\":[\"%s\"]}",
                      nalert, inc_id, od.p ? od.p : "", trust_id);
        ref_add(&refs, id);
    }
    ww_buf_release(&od);

    /* Evidence: a file object each, inside an observed-data. */
    for (size_t i = 0; i < tl.n; i++) {
        const ww_inc_item_t *it = &tl.items[i];
        if (it->kind != WW_INC_ITEM_EVIDENCE)
            continue;
        char file_sco[96];
        ww_buf_clear(&name);
        ww_buf_printf(&name, "{\"hashes\":{\"SHA-256\":\"%s\"},\"name\":", it->sha256);
        jstr(&name, it->text);
        ww_buf_putc(&name, '}');
        sid(file_sco, sizeof file_sco, "file", STIX_SCO_NS, name.p);
        ww_buf_printf(b,
                      ",{\"type\":\"file\",\"spec_version\":\"2.1\",\"id\":\"%s\","
                      "\"hashes\":{\"SHA-256\":\"%s\"},\"size\":%llu",
                      file_sco, it->sha256, (unsigned long long)it->size);
        kv(b, false, "name", it->text);
        if (it->content_type[0])
            kv(b, false, "mime_type", it->content_type);
        ww_buf_putc(b, '}');
        ww_buf_clear(&name);
        ww_buf_printf(&name, "observed-data:evidence:%s", it->sha256);
        sid(id, sizeof id, "observed-data", inc->uuid, name.p);
        iso(it->at, true, t, sizeof t);
        sdo(b, "observed-data", id, t, t, trust_id);
        ww_buf_printf(b,
                      ",\"first_observed\":\"%s\",\"last_observed\":\"%s\","
                      "\"number_observed\":1,\"object_refs\":[\"%s\"]",
                      t, t, file_sco);
        ext_marker(b);
        kv(b, false, "x_wardwatch_uploaded_by", it->by);
        ww_buf_putc(b, '}');
        ref_add(&refs, id);
        nev++;
    }

    /* Fire-break plans: what was done, as courses of action related to the incident. */
    for (size_t p = 0; p < tl.nplans; p++) {
        ww_buf_clear(&name);
        ww_buf_printf(&name, "plan:%lld", (long long)tl.plans[p]);
        sid(id, sizeof id, "course-of-action", inc->uuid, name.p);
        sdo(b, "course-of-action", id, created, modified, trust_id);
        ww_buf_clear(&name);
        ww_buf_printf(&name, "Fire-break plan %lld (%s)", (long long)tl.plans[p],
                      tl.plan_state[p] && tl.plan_state[p][0] ? tl.plan_state[p] : "unknown");
        kv(b, false, "name", name.p);
        ww_buf_puts(b, ",\"description\":\"Network isolation by wardwatch fire-break: every "
                       "recorded action is in x_wardwatch_actions.\"");
        ext_marker(b);
        ww_buf_printf(b, ",\"x_wardwatch_plan_id\":%lld", (long long)tl.plans[p]);
        kv(b, false, "x_wardwatch_plan_state", tl.plan_state[p]);
        ww_buf_puts(b, ",\"x_wardwatch_actions\":[");
        bool firstrec = true;
        for (size_t i = 0; i < tl.n; i++) {
            const ww_inc_item_t *it = &tl.items[i];
            if (it->kind != WW_INC_ITEM_FIREBREAK || it->plan_id != tl.plans[p])
                continue;
            iso(it->at, true, t, sizeof t);
            ww_buf_printf(b, "%s{\"at\":\"%s\"", firstrec ? "" : ",", t);
            firstrec = false;
            kv(b, false, "action", it->text);
            kv(b, false, "by", it->by);
            kv(b, false, "segment", it->segment);
            kv(b, false, "reason", it->reason);
            ww_buf_putc(b, '}');
        }
        ww_buf_puts(b, "]}");
        ref_add(&refs, id);
        char rel[96];
        ww_buf_clear(&name);
        ww_buf_printf(&name, "relationship:plan:%lld", (long long)tl.plans[p]);
        sid(rel, sizeof rel, "relationship", inc->uuid, name.p);
        sdo(b, "relationship", rel, created, modified, trust_id);
        ww_buf_printf(b,
                      ",\"relationship_type\":\"related-to\",\"source_ref\":\"%s\","
                      "\"target_ref\":\"%s\"}",
                      id, inc_id);
        ref_add(&refs, rel);
    }

    /* The grouping that holds the incident's objects together. */
    sid(id, sizeof id, "grouping", inc->uuid, "grouping");
    sdo(b, "grouping", id, created, modified, trust_id);
    ww_buf_clear(&name);
    ww_buf_printf(&name, "%s: %s", inc->ref, inc->title);
    kv(b, false, "name", name.p);
    ww_buf_printf(b, ",\"context\":\"suspicious-activity\",\"object_refs\":[%s]}]}\n",
                  refs.ids.p ? refs.ids.p : "");
    (void)nev;
    (void)now;
    rc = b->err ? b->err : refs.ids.err ? refs.ids.err : name.err;
    if (rc)
        ww_diag_set(diag, "", 0, 0, "STIX export: %s", ww_strerror(rc));
    ww_buf_release(&refs.ids);
    ww_buf_release(&name);
    ww_inc_timeline_release(&tl);
    return rc;
}
