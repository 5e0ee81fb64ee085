/* Sightings back to the community: the intel alerts the store holds, joined with the
 * indicator each was raised for, written as a STIX 2.1 bundle (the trust's identity,
 * an indicator object for indicators that did not come as STIX, and one sighting per
 * indicator value with its count and first and last time) or as MISP sightings (one
 * per alert).  Nothing above the TLP allowed leaves, and TLP:RED never does. */
#include <stdio.h>
#include <stdlib.h>

#include "intel/ww_intel_int.h"
#include "spool/ww_spool.h"

/* A STIX identifier's uuid part, derived from text (so exports are repeatable): SHA-256
 * based, shaped as a version-5 style uuid. */
static void uuid_of(const char *kind, const char *a, const char *b, char out[37])
{
    char h[WW_ALERT_ID_LEN + 1];
    ww_spool_alert_id(kind, strlen(kind), a, strlen(a), b, strlen(b), h);
    h[12] = '5';
    static const char var[] = "89ab";
    h[16] = var[(h[16] >= 'a' ? h[16] - 'a' + 10 : h[16] - '0') & 3];
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
}

static const char *marking_ref(int tlp)
{
    switch (tlp) {
    case WW_TLP_CLEAR: return "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9";
    case WW_TLP_GREEN: return "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da";
    case WW_TLP_AMBER: return "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82";
    case WW_TLP_AMBER_STRICT: return "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003";
    default: return "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed";
    }
}

static void put_time(ww_buf_t *b, int64_t ns)
{
    char t[40];
    ww_time_format(ns, t, sizeof t);
    ww_buf_json_str(b, t, strlen(t));
}

static const char *pattern_path(int type)
{
    switch (type) {
    case WW_IND_IPV4: return "ipv4-addr:value";
    case WW_IND_IPV6: return "ipv6-addr:value";
    case WW_IND_DOMAIN: return "domain-name:value";
    case WW_IND_URL: return "url:value";
    case WW_IND_MD5: return "file:hashes.MD5";
    case WW_IND_SHA1: return "file:hashes.'SHA-1'";
    case WW_IND_SHA256: return "file:hashes.'SHA-256'";
    default: return "email-addr:value";
    }
}

static bool uuid_like(const char *s)
{
    if (strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        char c = s[i];
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? c != '-' : !((c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'f')))
            return false;
    }
    return true;
}

static void stix_head(ww_buf_t *b, const char *type, const char *id, int64_t now)
{
    ww_buf_printf(b, "{\"type\":\"%s\",\"spec_version\":\"2.1\",\"id\":", type);
    ww_buf_json_str(b, id, strlen(id));
    ww_buf_puts(b, ",\"created\":");
    put_time(b, now);
    ww_buf_puts(b, ",\"modified\":");
    put_time(b, now);
}

int ww_intel_sightings(ww_store_t *st, const ww_intel_sight_opts_t *o, ww_buf_t *out,
                       uint64_t *nout, uint64_t *withheld, ww_diag_t *diag)
{
    int rc = ww_intel_migrate(st, diag);
    if (rc)
        return rc;
    int max_tlp = o->max_tlp > WW_TLP_AMBER_STRICT ? WW_TLP_AMBER_STRICT : o->max_tlp;
    /* The value starts after "Indicator match: " (17 bytes) in the alert's title: it
       tells which of an indicator id's values (an OR'ed STIX pattern) was seen. */
    const char *grouped =
        "SELECT i.id, i.type, i.value, i.source, i.tlp, COUNT(*), MIN(COALESCE(a.ts, a.received)),"
        " MAX(COALESCE(a.ts, a.received)), i.name"
        " FROM alert a LEFT JOIN intel_indicator i ON i.id = substr(a.rule_id, 7)"
        " AND substr(a.rule_title, 18, length(i.value)) = i.value"
        " WHERE a.rule_id LIKE 'intel:%' AND (?1 IS NULL OR a.received >= ?1)"
        " GROUP BY i.id, i.type, i.value ORDER BY MIN(a.received)";
    const char *each =
        "SELECT i.id, i.type, i.value, i.source, i.tlp, 1, COALESCE(a.ts, a.received),"
        " COALESCE(a.ts, a.received), i.name"
        " FROM alert a LEFT JOIN intel_indicator i ON i.id = substr(a.rule_id, 7)"
        " AND substr(a.rule_title, 18, length(i.value)) = i.value"
        " WHERE a.rule_id LIKE 'intel:%' AND (?1 IS NULL OR a.received >= ?1)"
        " ORDER BY a.received";
    sqlite3_stmt *q = NULL;
    /* The alert table is the alert module's: a store serve never ran on has none. */
    if (sqlite3_prepare_v2(st->db, o->format == WW_SIGHT_STIX ? grouped : each, -1, &q, NULL) !=
        SQLITE_OK) {
        if (sqlite3_strglob("*no such table*", sqlite3_errmsg(st->db)) != 0) {
            ww_diag_set(diag, st->path, 0, 0, "intel: sightings: %s", sqlite3_errmsg(st->db));
            return WW_EIO;
        }
    }
    if (q && o->since != WW_TIME_NONE)
        sqlite3_bind_int64(q, 1, o->since);
    const char *org = o->org && *o->org ? o->org : "wardwatch";
    char uid[37], ident[64];
    uuid_of("identity", org, "", uid);
    snprintf(ident, sizeof ident, "identity--%s", uid);
    uint64_t n = 0, held = 0;
    if (o->format == WW_SIGHT_STIX) {
        uuid_of("bundle", org, "", uid);
        char bt[40];
        ww_time_format(o->now, bt, sizeof bt);
        uuid_of("bundle", org, bt, uid);
        ww_buf_printf(out, "{\"type\":\"bundle\",\"id\":\"bundle--%s\",\"objects\":[", uid);
        stix_head(out, "identity", ident, o->now);
        ww_buf_puts(out, ",\"name\":");
        ww_buf_json_str(out, org, strlen(org));
        ww_buf_puts(out, ",\"identity_class\":\"organization\"}");
    } else {
        ww_buf_puts(out, "[");
    }
    int s = SQLITE_DONE;
    while (q && (s = sqlite3_step(q)) == SQLITE_ROW) {
        if (sqlite3_column_type(q, 0) == SQLITE_NULL || sqlite3_column_int(q, 4) > max_tlp) {
            held += (uint64_t)sqlite3_column_int64(q, 5); /* gone from the store, or above */
            continue;
        }
        const char *id = (const char *)sqlite3_column_text(q, 0);
        int type = sqlite3_column_int(q, 1);
        const char *value = (const char *)sqlite3_column_text(q, 2);
        int tlp = sqlite3_column_int(q, 4);
        int64_t count = sqlite3_column_int64(q, 5);
        int64_t first = sqlite3_column_int64(q, 6), last = sqlite3_column_int64(q, 7);
        if (o->format == WW_SIGHT_STIX) {
            char ind[128];
            if (!strncmp(id, "indicator--", 11) && strlen(id) < sizeof ind) {
                snprintf(ind, sizeof ind, "%s", id);
            } else {
                /* Not from STIX: the indicator object the sighting points at. */
                char tb[8];
                snprintf(tb, sizeof tb, "%d", type);
                uuid_of(tb, id, value, uid);
                snprintf(ind, sizeof ind, "indicator--%s", uid);
                ww_buf_putc(out, ',');
                stix_head(out, "indicator", ind, o->now);
                ww_buf_puts(out, ",\"created_by_ref\":");
                ww_buf_json_str(out, ident, strlen(ident));
                ww_buf_puts(out, ",\"name\":");
                ww_buf_json_str(out, value, strlen(value));
                ww_buf_t pat;
                ww_buf_init(&pat, 0);
                ww_buf_printf(&pat, "[%s = '", pattern_path(type));
                for (const char *v = value; *v; v++) {
                    if (*v == '\'' || *v == '\\')
                        ww_buf_putc(&pat, '\\');
                    ww_buf_putc(&pat, *v);
                }
                ww_buf_puts(&pat, "']");
                ww_buf_puts(out, ",\"pattern\":");
                ww_buf_json_str(out, pat.p ? pat.p : "", pat.n);
                ww_buf_release(&pat);
                ww_buf_puts(out, ",\"pattern_type\":\"stix\",\"valid_from\":");
                put_time(out, first);
                ww_buf_printf(out, ",\"object_marking_refs\":[\"%s\"]}", marking_ref(tlp));
            }
            char key[64];
            snprintf(key, sizeof key, "%lld", (long long)o->now);
            uuid_of("sighting", ind, value, uid);
            char sid[64];
            snprintf(sid, sizeof sid, "sighting--%s", uid);
            ww_buf_putc(out, ',');
            stix_head(out, "sighting", sid, o->now);
            ww_buf_puts(out, ",\"created_by_ref\":");
            ww_buf_json_str(out, ident, strlen(ident));
            ww_buf_puts(out, ",\"sighting_of_ref\":");
            ww_buf_json_str(out, ind, strlen(ind));
            ww_buf_printf(out, ",\"count\":%lld,\"first_seen\":", (long long)count);
            put_time(out, first);
            ww_buf_puts(out, ",\"last_seen\":");
            put_time(out, last > first ? last : first);
            ww_buf_puts(out, ",\"where_sighted_refs\":[");
            ww_buf_json_str(out, ident, strlen(ident));
            ww_buf_printf(out, "],\"object_marking_refs\":[\"%s\"]}", marking_ref(tlp));
        } else {
            ww_buf_puts(out, n ? ",\n" : "\n");
            ww_buf_puts(out, "{\"Sighting\":{");
            if (uuid_like(id)) {
                ww_buf_puts(out, "\"attribute_uuid\":");
                ww_buf_json_str(out, id, strlen(id));
                ww_buf_putc(out, ',');
            }
            ww_buf_puts(out, "\"value\":");
            ww_buf_json_str(out, value, strlen(value));
            ww_buf_printf(out, ",\"type\":\"0\",\"date_sighting\":\"%lld\",\"source\":",
                          (long long)(last / 1000000000));
            ww_buf_json_str(out, org, strlen(org));
            ww_buf_puts(out, ",\"Tag\":[{\"name\":");
            char tl[32];
            snprintf(tl, sizeof tl, "tlp:%s", ww_tlp_name(tlp) + 4);
            for (char *c = tl; *c; c++)
                *c = (char)ww_lower((unsigned char)*c);
            ww_buf_json_str(out, tl, strlen(tl));
            ww_buf_puts(out, "}]}}");
        }
        n++;
    }
    if (q && s != SQLITE_DONE) {
        ww_diag_set(diag, st->path, 0, 0, "intel: sightings: %s", sqlite3_errmsg(st->db));
        sqlite3_finalize(q);
        return WW_EIO;
    }
    sqlite3_finalize(q);
    ww_buf_puts(out, o->format == WW_SIGHT_STIX ? "]}\n" : (n ? "\n]\n" : "]\n"));
    if (out->err) {
        ww_diag_set(diag, st->path, 0, 0, "intel: sightings: %s", ww_strerror(out->err));
        return out->err;
    }
    if (nout)
        *nout = n;
    if (withheld)
        *withheld = held;
    return 0;
}
