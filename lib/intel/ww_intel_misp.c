/* MISP: single event files ({"Event":{...}}, lists of them, or a REST answer
 * {"response":[...]}) and feed directories (manifest.json naming <uuid>.json event
 * files).  Attributes marked for detection (to_ids) of the types wardwatch matches are
 * kept; the rest are counted and reported per event and type, not dropped in silence.
 * TLP comes from a tlp: tag on the attribute, else on the event (or, for a feed, its
 * manifest entry). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>

#include "intel/ww_intel_int.h"

/* MISP attribute types and what their value (or its part after '|') is. */
static const struct {
    const char *misp;
    int type;
    int part; /* 0 whole value, 1 before '|', 2 after '|' */
} types[] = {
    {"ip-src", WW_IND_IPV4, 0},
    {"ip-dst", WW_IND_IPV4, 0},
    {"ip-src|port", WW_IND_IPV4, 1},
    {"ip-dst|port", WW_IND_IPV4, 1},
    {"domain", WW_IND_DOMAIN, 0},
    {"hostname", WW_IND_DOMAIN, 0},
    {"domain|ip", WW_IND_DOMAIN, 1},
    {"domain|ip", WW_IND_IPV4, 2},
    {"hostname|port", WW_IND_DOMAIN, 1},
    {"url", WW_IND_URL, 0},
    {"md5", WW_IND_MD5, 0},
    {"sha1", WW_IND_SHA1, 0},
    {"sha256", WW_IND_SHA256, 0},
    {"filename|md5", WW_IND_MD5, 2},
    {"filename|sha1", WW_IND_SHA1, 2},
    {"filename|sha256", WW_IND_SHA256, 2},
    {"malware-sample", WW_IND_MD5, 2},
    {"email-src", WW_IND_EMAIL, 0},
    {"email", WW_IND_EMAIL, 0},
};

typedef struct ctx {
    const char *name;
    ww_json_t js;
    ww_arena_t ar;
    const ww_intel_opts_t *o;
    ww_intel_set_t *set;
    /* the event being read */
    const char *source, *info, *euuid;
    int etlp;
    uint64_t not_ids, unsupported;
    char first_unsupported[64];
} ctx_t;

static const char *mstr(ctx_t *c, uint32_t obj, const char *key)
{
    return ww__intel_str(&c->js, &c->ar, ww__intel_member(&c->js, obj, key));
}

/* The most restrictive tlp: tag of a "Tag" array, or -1. */
static int tags_tlp(ctx_t *c, uint32_t obj)
{
    uint32_t tags = ww__intel_member(&c->js, obj, "Tag");
    int tlp = -1;
    if (!tags || c->js.tok[tags].type != WW_JT_ARR)
        return -1;
    uint32_t e = tags + 1;
    for (uint32_t i = 0; i < c->js.tok[tags].count; i++, e = c->js.tok[e].next) {
        const char *nm = mstr(c, e, "name");
        if (nm && !strncasecmp(nm, "tlp:", 4)) {
            int t = ww_tlp_parse(nm, strlen(nm));
            if (t > tlp)
                tlp = t;
        }
    }
    return tlp;
}

static bool truthy(ctx_t *c, uint32_t v)
{
    if (!v)
        return false;
    const ww_jtok_t *t = &c->js.tok[v];
    if (t->type == WW_JT_TRUE)
        return true;
    if ((t->type == WW_JT_INT || t->type == WW_JT_STR) && t->n == 1 && t->p[0] == '1')
        return true;
    return t->type == WW_JT_STR && t->n == 4 && !strncasecmp(t->p, "true", 4);
}

static int attribute(ctx_t *c, uint32_t a, const char *where0, size_t index)
{
    const char *type = mstr(c, a, "type"), *value = mstr(c, a, "value");
    if (!type || !value) {
        char where[300];
        snprintf(where, sizeof where, "%s Attribute[%zu]", where0, index);
        ww__intel_skip(c->set, where, "attribute without a \"type\" and \"value\"");
        return 0;
    }
    if (!c->o->misp_all && !truthy(c, ww__intel_member(&c->js, a, "to_ids"))) {
        c->not_ids++;
        return 0;
    }
    const char *uuid = mstr(c, a, "uuid");
    char where[300];
    snprintf(where, sizeof where, "%s Attribute[%zu] %.60s", where0, index, uuid ? uuid : "");
    bool known = false;
    for (size_t i = 0; i < WW_ARRAY_LEN(types); i++) {
        if (strcmp(type, types[i].misp))
            continue;
        known = true;
        const char *v = value, *bar = strchr(value, '|');
        size_t n = strlen(value);
        if (types[i].part) {
            if (!bar) {
                ww__intel_skip(c->set, where, "%s value without '|'", type);
                break;
            }
            if (types[i].part == 1)
                n = (size_t)(bar - value);
            else {
                v = bar + 1;
                n = strlen(v);
            }
        }
        ww_indicator_t ind = {0};
        char idbuf[200];
        if (!uuid)
            snprintf(idbuf, sizeof idbuf, "misp:%s:%zu", c->euuid ? c->euuid : c->name, index);
        ind.id = ww__intel_text(c->set, uuid ? uuid : idbuf);
        ind.name = c->info;
        ind.source = c->source;
        ind.type = types[i].type;
        int tlp = tags_tlp(c, a);
        if (tlp < 0)
            tlp = c->etlp;
        if (c->o->tlp > tlp)
            tlp = c->o->tlp;
        ind.tlp = tlp < 0 ? WW_TLP_DEFAULT : tlp;
        ind.confidence = -1;
        ind.valid_from = WW_TIME_NONE;
        ind.valid_until = c->o->valid_until;
        if (!ind.id)
            return WW_ENOMEM;
        int rc = ww__intel_add(c->set, &ind, v, n, where);
        if (rc < 0)
            return rc;
    }
    if (!known && !c->unsupported++)
        snprintf(c->first_unsupported, sizeof c->first_unsupported, "%s", type);
    return 0;
}

static int attributes(ctx_t *c, uint32_t holder, const char *where)
{
    uint32_t arr = ww__intel_member(&c->js, holder, "Attribute");
    if (!arr || c->js.tok[arr].type != WW_JT_ARR)
        return 0;
    uint32_t e = arr + 1;
    for (uint32_t i = 0; i < c->js.tok[arr].count; i++, e = c->js.tok[e].next) {
        if (c->js.tok[e].type != WW_JT_OBJ)
            continue;
        int rc = attribute(c, e, where, i);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* One {"Event":{...}} (or the event object itself).  manifest_tlp: the feed's. */
static int event(ctx_t *c, uint32_t ev, size_t index, int manifest_tlp)
{
    uint32_t inner = ww__intel_member(&c->js, ev, "Event");
    if (inner)
        ev = inner;
    char where[300];
    if (c->js.tok[ev].type != WW_JT_OBJ) {
        snprintf(where, sizeof where, "%s: event %zu", c->name, index);
        ww__intel_skip(c->set, where, "not an object");
        return 0;
    }
    c->euuid = mstr(c, ev, "uuid");
    c->info = ww__intel_text(c->set, mstr(c, ev, "info"));
    const char *src = c->o->source;
    uint32_t orgc = ww__intel_member(&c->js, ev, "Orgc");
    if (!orgc)
        orgc = ww__intel_member(&c->js, ev, "Org");
    if (!src && orgc)
        src = mstr(c, orgc, "name");
    c->source = ww__intel_text(c->set, src ? src : c->name);
    c->etlp = tags_tlp(c, ev);
    if (c->etlp < 0)
        c->etlp = manifest_tlp;
    if (!c->info || !c->source)
        return WW_ENOMEM;
    c->not_ids = c->unsupported = 0;
    snprintf(where, sizeof where, "%s: event %zu %.60s", c->name, index, c->euuid ? c->euuid : "");
    int rc = attributes(c, ev, where);
    uint32_t objs = ww__intel_member(&c->js, ev, "Object");
    if (!rc && objs && c->js.tok[objs].type == WW_JT_ARR) {
        uint32_t e = objs + 1;
        for (uint32_t i = 0; i < c->js.tok[objs].count && !rc; i++, e = c->js.tok[e].next) {
            char w2[300];
            snprintf(w2, sizeof w2, "%.250s Object[%u]", where, i);
            rc = attributes(c, e, w2);
        }
    }
    if (rc)
        return rc;
    if (c->unsupported)
        ww__intel_skip(c->set, where, "%llu attribute%s of types not matched (first: %s) left out",
                       (unsigned long long)c->unsupported, c->unsupported == 1 ? "" : "s",
                       c->first_unsupported);
    if (c->not_ids)
        ww__intel_skip(c->set, where,
                       "%llu attribute%s not marked to_ids left out (--misp-all takes them)",
                       (unsigned long long)c->not_ids, c->not_ids == 1 ? "" : "s");
    return 0;
}

static int parse(const char *name, const char *data, size_t len, const ww_intel_opts_t *o,
                 ww_intel_set_t *set, int manifest_tlp, ww_diag_t *diag)
{
    ctx_t c = {.name = name, .o = o, .set = set};
    ww_arena_init(&c.ar, 64 * 1024, 0);
    size_t n0 = set->n, s0 = set->nskip;
    uint64_t k0 = set->skipped;
    int rc = ww__intel_json(name, data, len, &c.js, diag);
    if (rc)
        goto out;
    const ww_jtok_t *t = c.js.tok;
    uint32_t list = 0;
    if (t[0].type == WW_JT_ARR)
        list = 0;
    else if (t[0].type == WW_JT_OBJ && (list = ww__intel_member(&c.js, 0, "response")) &&
             t[list].type == WW_JT_ARR)
        ;
    else if (t[0].type == WW_JT_OBJ && ww__intel_member(&c.js, 0, "Event")) {
        rc = event(&c, 0, 0, manifest_tlp);
        goto out;
    } else {
        ww_diag_set(diag, name, 1, 1,
                    "not a MISP event: expected {\"Event\": {...}}, a list of events or "
                    "{\"response\": [...]}");
        rc = WW_EPARSE;
        goto out;
    }
    uint32_t e = list + 1;
    for (uint32_t i = 0; i < t[list].count && !rc; i++, e = t[e].next)
        rc = event(&c, e, i, manifest_tlp);
out:
    if (rc == WW_ELIMIT && !diag->msg[0])
        ww_diag_set(diag, name, 0, 0, "more than %u indicators", WW_INTEL_MAX_INDICATORS);
    if (rc == WW_ENOMEM && !diag->msg[0])
        ww_diag_set(diag, name, 0, 0, "out of memory");
    if (rc)
        ww__intel_truncate(set, n0, s0, k0);
    free(c.js.tok);
    ww_arena_release(&c.ar);
    return rc;
}

int ww_intel_parse_misp(const char *name, const char *data, size_t len, const ww_intel_opts_t *o,
                        ww_intel_set_t *set, ww_diag_t *diag)
{
    return parse(name, data, len, o, set, -1, diag);
}

/* ---- feeds ---- */

static bool uuid_like(const char *s, size_t n)
{
    if (n != 36)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? ch != '-'
                 : !((ch >= '0' && ch <= '9') || ((ch | 32) >= 'a' && (ch | 32) <= 'f')))
            return false;
    }
    return true;
}

int ww__intel_misp_feed(const char *dir, const ww_intel_opts_t *o, ww_intel_set_t *set,
                        ww_diag_t *diag);
int ww__intel_misp_feed(const char *dir, const ww_intel_opts_t *o, ww_intel_set_t *set,
                        ww_diag_t *diag)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    char *data = NULL;
    size_t len = 0;
    int rc = ww_read_file(path, WW_JSON_MAX_RECORD, &data, &len);
    if (rc) {
        ww_diag_set(diag, path, 0, 0, "cannot read the feed's manifest: %s",
                    rc == WW_ELIMIT ? "too large" : ww_strerror(rc));
        return rc;
    }
    ctx_t m = {.name = path, .o = o, .set = set};
    ww_arena_init(&m.ar, 64 * 1024, 0);
    size_t n0 = set->n, s0 = set->nskip;
    uint64_t k0 = set->skipped;
    if ((rc = ww__intel_json(path, data, len, &m.js, diag)) != 0)
        goto out;
    const ww_jtok_t *t = m.js.tok;
    if (t[0].type != WW_JT_OBJ) {
        ww_diag_set(diag, path, 1, 1, "a MISP feed manifest is an object of event uuids");
        rc = WW_EPARSE;
        goto out;
    }
    if (t[0].count > WW_INTEL_MAX_FEED_FILES) {
        ww_diag_set(diag, path, 1, 1, "manifest names more than %u events",
                    WW_INTEL_MAX_FEED_FILES);
        rc = WW_ELIMIT;
        goto out;
    }
    uint32_t k = 1;
    for (uint32_t i = 0; i < t[0].count && !rc; i++, k = t[k + 1].next) {
        const ww_jtok_t *key = &t[k];
        char where[300];
        snprintf(where, sizeof where, "%.250s: entry %u", path, i);
        /* The key names a file: only a uuid may, so "../x" can never be read. */
        if (key->esc || !uuid_like(key->p, key->n)) {
            ww__intel_skip(set, where, "key is not an event uuid");
            continue;
        }
        int mtlp = tags_tlp(&m, k + 1);
        char ev[4300];
        snprintf(ev, sizeof ev, "%s/%.36s.json", dir, key->p);
        char *ed = NULL;
        size_t el = 0;
        int r2 = ww_read_file(ev, WW_JSON_MAX_RECORD, &ed, &el);
        if (r2) {
            ww__intel_skip(set, ev, "event file named by the manifest cannot be read: %s",
                           r2 == WW_ELIMIT ? "too large" : ww_strerror(r2));
            continue;
        }
        ww_diag_t d = {0};
        r2 = parse(ev, ed, el, o, set, mtlp, &d);
        free(ed);
        if (r2 == WW_ENOMEM || (r2 == WW_ELIMIT && set->n >= WW_INTEL_MAX_INDICATORS)) {
            *diag = d;
            rc = r2;
        } else if (r2) {
            char w[300];
            if (d.line)
                snprintf(w, sizeof w, "%.250s:%u:%u", d.file, d.line, d.col);
            else
                snprintf(w, sizeof w, "%.250s", d.file[0] ? d.file : ev);
            ww__intel_skip(set, w, "%s", d.msg);
        }
    }
out:
    if (rc)
        ww__intel_truncate(set, n0, s0, k0);
    free(m.js.tok);
    ww_arena_release(&m.ar);
    free(data);
    return rc;
}
