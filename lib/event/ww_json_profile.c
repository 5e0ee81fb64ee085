/* Field-name profiles for JSON records: which names a record's values get, so that
 * Sigma rules written for Windows events match evtx_dump, Winlogbeat and NXLog output
 * alike, and any other JSON gets its dotted paths.  The profile is chosen per record
 * from its top-level keys.  The evtx_dump flattening must stay identical to the native
 * EVTX decoder's (see the rules in ww_event.h). */
#include "event/ww_json_int.h"

#include <math.h>
#include <pthread.h>

/* Top-level keys the profiles look at, found in one pass over the root object. */
enum {
    RK_EVENT,
    RK_WINLOG,
    RK_EVENTID,
    RK_CHANNEL,
    RK_SOURCENAME,
    RK_PROVIDERNAME,
    RK_PROVIDER_NAME,
    RK_COMPUTER,
    RK_HOSTNAME,
    /* network sensors and cloud logs */
    RK_UID,
    RK_ID_ORIG_H,
    RK_ID,
    RK_PATH,
    RK_EVENT_TYPE,
    RK_SRC_IP,
    RK_FLOW_ID,
    RK_CATEGORY,
    RK_PROPERTIES,
    RK_OPERATIONNAME,
    RK_USERPRINCIPALNAME,
    RK_ACTIVITYDISPLAYNAME,
    RK_RISKEVENTTYPE,
    RK_OPERATION,
    RK_WORKLOAD,
    RK_RECORDTYPE,
    RK_CATEGORY_LA,
    RK_UTCTIME, /* Sysmon's UtcTime (NXLog puts EventData at the top) */
    RK_TS,      /* timestamps, most trusted first */
    RK_CREATEDDATETIME = RK_TS + 8,
    RK_ACTIVITYDATETIME,
    RK_CREATIONTIME,
    RK_DETECTEDDATETIME,
    RK_TIMEGENERATED,
    RK_COUNT
};
#define RK(s)            \
    {                    \
        s, sizeof(s) - 1 \
    }
static const struct {
    const char *name;
    size_t len;
} root_names[RK_COUNT] = {
    RK("Event"),
    RK("winlog"),
    RK("EventID"),
    RK("Channel"),
    RK("SourceName"),
    RK("ProviderName"),
    RK("Provider_Name"),
    RK("Computer"),
    RK("Hostname"),
    RK("uid"),
    RK("id.orig_h"),
    RK("id"),
    RK("_path"),
    RK("event_type"),
    RK("src_ip"),
    RK("flow_id"),
    RK("category"),
    RK("properties"),
    RK("operationName"),
    RK("userPrincipalName"),
    RK("activityDisplayName"),
    RK("riskEventType"),
    RK("Operation"),
    RK("Workload"),
    RK("RecordType"),
    RK("Category"),
    RK("UtcTime"),
    RK("@timestamp"),
    RK("EventTime"),
    RK("TimeCreated"),
    RK("timestamp"),
    RK("time"),
    RK("Timestamp"),
    RK("EventReceivedTime"),
    RK("ts"),
    RK("createdDateTime"),
    RK("activityDateTime"),
    RK("CreationTime"),
    RK("detectedDateTime"),
    RK("TimeGenerated"),
};

#define RK_TIMESTAMP (RK_TS + 3)
#define RK_TIME (RK_TS + 4)
#define RK_ZEEK_TS (RK_TS + 7)
_Static_assert(sizeof root_names / sizeof root_names[0] == RK_COUNT, "root_names matches RK_*");

typedef struct prof {
    ww_json_t *js;
    ww_event_t *ev;
    uint32_t root[RK_COUNT]; /* value index of each, or 0 */
} prof_t;

static inline const ww_jtok_t *tk(const prof_t *x, uint32_t i)
{
    return &x->js->tok[i];
}

static bool key_is(const ww_jtok_t *k, const char *z, size_t n)
{
    return !k->esc && k->n == n && memcmp(k->p, z, n) == 0;
}
#define KEY_IS(k, lit) key_is((k), (lit), sizeof(lit) - 1)

/* The value index of member `key` in object token `obj`, or 0 (the root is never a
 * member, so 0 means absent). */
static uint32_t scan(const prof_t *x, uint32_t obj, const char *key)
{
    const ww_jtok_t *o = tk(x, obj);
    if (o->type != WW_JT_OBJ)
        return 0;
    size_t n = strlen(key);
    uint32_t k = obj + 1;
    for (uint32_t c = 0; c < o->count; c++) {
        if (key_is(tk(x, k), key, n))
            return k + 1;
        k = tk(x, k + 1)->next;
    }
    return 0;
}

/* Like scan() in a member value; obj 0 means "absent", so lookups chain. */
static uint32_t find(const prof_t *x, uint32_t obj, const char *key)
{
    return obj ? scan(x, obj, key) : 0;
}

static uint32_t find_root(const prof_t *x, const char *key)
{
    return scan(x, 0, key);
}

/* Which root names could match a key, by its length and by its first byte: a key
 * is compared only with the names in both sets (usually none or one), instead of
 * with all of them.  Built once per process. */
#define RK_MAXLEN 32
_Static_assert(RK_COUNT <= 64, "root name sets fit a uint64_t");
static uint64_t rk_by_len[RK_MAXLEN], rk_by_first[256];
static pthread_once_t rk_once = PTHREAD_ONCE_INIT;

static void rk_init(void)
{
    for (int i = 0; i < RK_COUNT; i++) {
        if (root_names[i].len < RK_MAXLEN)
            rk_by_len[root_names[i].len] |= 1ull << i;
        rk_by_first[(uint8_t)root_names[i].name[0]] |= 1ull << i;
    }
}

static void scan_root(prof_t *x)
{
    const ww_jtok_t *o = tk(x, 0);
    uint32_t k = 1;
    pthread_once(&rk_once, rk_init);
    for (uint32_t c = 0; c < o->count; c++) {
        const ww_jtok_t *key = tk(x, k);
        uint64_t m = key->n && key->n < RK_MAXLEN && !key->esc
                         ? rk_by_len[key->n] & rk_by_first[(uint8_t)key->p[0]]
                         : 0;
        while (m) {
            int i = __builtin_ctzll(m);
            m &= m - 1;
            if (!x->root[i] && memcmp(key->p, root_names[i].name, key->n) == 0)
                x->root[i] = k + 1;
        }
        k = tk(x, k + 1)->next;
    }
}

static bool is_scalar(const ww_jtok_t *t)
{
    return t->type != WW_JT_OBJ && t->type != WW_JT_ARR;
}

/* Adds one scalar; containers are ignored by the callers' rules. */
static int emit(prof_t *x, ww_str_t name, const ww_jtok_t *t)
{
    ww_str_t v = {"", 0};
    int type;
    switch (t->type) {
    case WW_JT_STR: {
        int rc = ww__json_text(x->ev, t, &v);
        if (rc)
            return rc;
        type = WW_F_STR;
        break;
    }
    case WW_JT_INT:
        v = (ww_str_t){t->p, t->n};
        type = WW_F_INT;
        break;
    case WW_JT_FLOAT:
        v = (ww_str_t){t->p, t->n};
        type = WW_F_FLOAT;
        break;
    case WW_JT_TRUE:
        v = WW_STR("true");
        type = WW_F_BOOL;
        break;
    case WW_JT_FALSE:
        v = WW_STR("false");
        type = WW_F_BOOL;
        break;
    case WW_JT_NULL: type = WW_F_NULL; break;
    default: return 0;
    }
    return ww_event_add(x->ev, name, v, type);
}

static int join(prof_t *x, ww_str_t a, char sep, ww_str_t b, ww_str_t *out)
{
    char *o = ww_arena_alloc(&x->ev->arena, a.n + b.n + 2);
    if (!o)
        return WW_ENOMEM;
    memcpy(o, a.p, a.n);
    o[a.n] = sep;
    memcpy(o + a.n + 1, b.p, b.n);
    o[a.n + 1 + b.n] = 0;
    *out = (ww_str_t){o, a.n + 1 + b.n};
    return 0;
}

static int key_text(prof_t *x, uint32_t k, ww_str_t *out)
{
    return ww__json_text(x->ev, tk(x, k), out);
}

/* EventData names lose their spaces ("Logon Type" -> "LogonType"), as Sigma expects. */
static int key_nospace(prof_t *x, uint32_t k, ww_str_t *out)
{
    ww_str_t s;
    int rc = key_text(x, k, &s);
    if (rc || !memchr(s.p, ' ', s.n)) {
        *out = s;
        return rc;
    }
    char *o = ww_arena_alloc(&x->ev->arena, s.n + 1);
    if (!o)
        return WW_ENOMEM;
    size_t j = 0;
    for (size_t i = 0; i < s.n; i++)
        if (s.p[i] != ' ')
            o[j++] = s.p[i];
    o[j] = 0;
    *out = (ww_str_t){o, j};
    return 0;
}

/* ---- generic: every leaf under its dotted path --------------------------------- */

static int flat(prof_t *x, uint32_t i, ww_str_t path, bool root)
{
    const ww_jtok_t *t = tk(x, i);
    int rc = 0;
    if (t->type == WW_JT_OBJ) {
        uint32_t k = i + 1, count = t->count;
        for (uint32_t c = 0; c < count && rc == 0; c++) {
            ww_str_t key, name;
            rc = key_text(x, k, &key);
            if (rc == 0 && root)
                name = key;
            else if (rc == 0)
                rc = join(x, path, '.', key, &name);
            if (rc == 0)
                rc = flat(x, k + 1, name, false);
            k = tk(x, k + 1)->next;
        }
    } else if (t->type == WW_JT_ARR) {
        /* Array elements become repeated fields under the same name. */
        uint32_t k = i + 1, count = t->count;
        for (uint32_t c = 0; c < count && rc == 0; c++) {
            rc = flat(x, k, path, root);
            k = tk(x, k)->next;
        }
    } else if (!root) {
        rc = emit(x, path, t);
    }
    return rc;
}

uint32_t ww__json_member(const ww_json_t *js, uint32_t obj, const char *key)
{
    prof_t x = {(ww_json_t *)js, NULL, {0}};
    return scan(&x, obj, key);
}

int ww__json_flat(ww_json_t *js, ww_event_t *ev, uint32_t i, ww_str_t prefix)
{
    prof_t x = {js, ev, {0}};
    return flat(&x, i, prefix, prefix.n == 0);
}

int ww__json_emit(ww_event_t *ev, ww_str_t name, const ww_jtok_t *t)
{
    prof_t x = {NULL, ev, {0}};
    return emit(&x, name, t);
}

/* ---- evtx_dump -------------------------------------------------------------- */

/* One XML element rendered by evtx_dump, named `name`: a scalar is the value, null an
 * empty element, an object carries "#attributes" (-> name_Attr) and "#text" (-> name),
 * an array is a repeated element.  Other children are not flattened. */
static int win_elem(prof_t *x, ww_str_t name, uint32_t i)
{
    const ww_jtok_t *t = tk(x, i);
    int rc = 0;
    if (is_scalar(t))
        return emit(x, name, t);
    uint32_t k = i + 1, count = t->count;
    for (uint32_t c = 0; c < count && rc == 0; c++) {
        if (t->type == WW_JT_ARR) {
            rc = win_elem(x, name, k);
            k = tk(x, k)->next;
            continue;
        }
        const ww_jtok_t *key = tk(x, k);
        uint32_t v = k + 1;
        if (KEY_IS(key, "#text")) {
            rc = win_elem(x, name, v);
        } else if (KEY_IS(key, "#attributes") && tk(x, v)->type == WW_JT_OBJ) {
            uint32_t a = v + 1, na = tk(x, v)->count;
            for (uint32_t j = 0; j < na && rc == 0; j++) {
                if (is_scalar(tk(x, a + 1))) {
                    ww_str_t an, full;
                    rc = key_text(x, a, &an);
                    if (rc == 0)
                        rc = join(x, name, '_', an, &full);
                    if (rc == 0)
                        rc = emit(x, full, tk(x, a + 1));
                }
                a = tk(x, a + 1)->next;
            }
        }
        k = tk(x, v)->next;
    }
    return rc;
}

static int ud_leaf(prof_t *x, ww_str_t name, uint32_t i);

/* The values of one UserData leaf: scalars, repeated elements, "#text"; deeper
 * elements are leaves in their own right. */
static int ud_values(prof_t *x, ww_str_t name, uint32_t i)
{
    const ww_jtok_t *t = tk(x, i);
    int rc = 0;
    if (is_scalar(t))
        return emit(x, name, t);
    uint32_t k = i + 1, count = t->count;
    for (uint32_t c = 0; c < count && rc == 0; c++) {
        if (t->type == WW_JT_ARR) {
            rc = ud_values(x, name, k);
            k = tk(x, k)->next;
            continue;
        }
        const ww_jtok_t *key = tk(x, k);
        if (KEY_IS(key, "#text")) {
            rc = ud_values(x, name, k + 1);
        } else if (!(key->n && key->p[0] == '#')) {
            ww_str_t sub;
            rc = key_text(x, k, &sub);
            if (rc == 0)
                rc = ud_leaf(x, sub, k + 1);
        }
        k = tk(x, k + 1)->next;
    }
    return rc;
}

/* First writer wins: a leaf name already present is not added again. */
static int ud_leaf(prof_t *x, ww_str_t name, uint32_t i)
{
    if (ww_event_get(x->ev, name, NULL))
        return 0;
    return ud_values(x, name, i);
}

static int profile_evtx(prof_t *x, uint32_t event)
{
    int rc = 0;
    uint32_t sys = find(x, event, "System"), ed = find(x, event, "EventData"),
             ud = find(x, event, "UserData");
    /* Fixed order whatever the key order: System, EventData, UserData. */
    const ww_jtok_t *s = tk(x, sys);
    uint32_t k = sys + 1;
    for (uint32_t c = 0; c < s->count && rc == 0; c++) {
        ww_str_t name;
        if (!(tk(x, k)->n && tk(x, k)->p[0] == '#')) {
            rc = key_text(x, k, &name);
            if (rc == 0)
                rc = win_elem(x, name, k + 1);
        }
        k = tk(x, k + 1)->next;
    }
    if (ed && tk(x, ed)->type == WW_JT_OBJ) {
        k = ed + 1;
        for (uint32_t c = 0, n = tk(x, ed)->count; c < n && rc == 0; c++) {
            ww_str_t name;
            if (!(tk(x, k)->n && tk(x, k)->p[0] == '#')) {
                rc = key_nospace(x, k, &name);
                if (rc == 0)
                    rc = win_elem(x, name, k + 1);
            }
            k = tk(x, k + 1)->next;
        }
    }
    if (ud && tk(x, ud)->type == WW_JT_OBJ) {
        k = ud + 1;
        for (uint32_t c = 0, n = tk(x, ud)->count; c < n && rc == 0; c++) {
            const ww_jtok_t *key = tk(x, k);
            uint32_t v = k + 1;
            if (!(key->n && key->p[0] == '#')) {
                if (tk(x, v)->type == WW_JT_OBJ) {
                    /* <Root>: its children are the leaves. */
                    uint32_t l = v + 1;
                    for (uint32_t j = 0, nl = tk(x, v)->count; j < nl && rc == 0; j++) {
                        if (!(tk(x, l)->n && tk(x, l)->p[0] == '#')) {
                            ww_str_t name;
                            rc = key_text(x, l, &name);
                            if (rc == 0)
                                rc = ud_leaf(x, name, l + 1);
                        }
                        l = tk(x, l + 1)->next;
                    }
                } else {
                    ww_str_t name;
                    rc = key_text(x, k, &name);
                    if (rc == 0)
                        rc = ud_leaf(x, name, v);
                }
            }
            k = tk(x, v)->next;
        }
    }
    return rc;
}

/* ---- Winlogbeat / NXLog ----------------------------------------------------- */

/* Adds `name` = the scalar at i; a numeric string is typed as an integer so that
 * EventID compares as a number whatever the shipper wrote. */
static int emit_as(prof_t *x, const char *name, uint32_t i)
{
    const ww_jtok_t *t = tk(x, i);
    if (!i || !is_scalar(t))
        return 0;
    if (t->type == WW_JT_STR && !t->esc) {
        int64_t v;
        if (ww_parse_i64(t->p, t->n, &v) == 0)
            return ww_event_add(x->ev, WW_STRZ(name), (ww_str_t){t->p, t->n}, WW_F_INT);
    }
    return emit(x, WW_STRZ(name), t);
}

/* winlog.event_data.X -> X (spaces removed), for scalars and lists of scalars. */
static int short_names(prof_t *x, uint32_t obj)
{
    int rc = 0;
    if (!obj || tk(x, obj)->type != WW_JT_OBJ)
        return 0;
    uint32_t k = obj + 1;
    for (uint32_t c = 0, n = tk(x, obj)->count; c < n && rc == 0; c++) {
        uint32_t v = k + 1;
        const ww_jtok_t *t = tk(x, v);
        if (t->type != WW_JT_OBJ) {
            ww_str_t name;
            rc = key_nospace(x, k, &name);
            if (rc == 0 && is_scalar(t)) {
                rc = emit(x, name, t);
            } else if (rc == 0) {
                uint32_t e = v + 1;
                for (uint32_t j = 0; j < t->count && rc == 0; j++) {
                    if (is_scalar(tk(x, e)))
                        rc = emit(x, name, tk(x, e));
                    e = tk(x, e)->next;
                }
            }
        }
        k = tk(x, v)->next;
    }
    return rc;
}

static int profile_winlogbeat(prof_t *x, uint32_t wl)
{
    int rc = flat(x, 0, (ww_str_t){"", 0}, true);
    if (rc == 0)
        rc = short_names(x, find(x, wl, "event_data"));
    if (rc == 0)
        rc = short_names(x, find(x, wl, "user_data"));
    uint32_t id = find(x, wl, "event_id");
    if (!id)
        id = find(x, find_root(x, "event"), "code");
    uint32_t host = find(x, wl, "computer_name");
    if (!host)
        host = find(x, find_root(x, "host"), "name");
    if (rc == 0)
        rc = emit_as(x, "EventID", id);
    if (rc == 0)
        rc = emit_as(x, "Channel", find(x, wl, "channel"));
    if (rc == 0)
        rc = emit_as(x, "Provider_Name", find(x, wl, "provider_name"));
    if (rc == 0)
        rc = emit_as(x, "Computer", host);
    return rc;
}

static int profile_nxlog(prof_t *x)
{
    int rc = flat(x, 0, (ww_str_t){"", 0}, true);
    if (rc == 0 && !x->root[RK_PROVIDER_NAME]) {
        uint32_t pn = x->root[RK_PROVIDERNAME];
        rc = emit_as(x, "Provider_Name", pn ? pn : x->root[RK_SOURCENAME]);
    }
    if (rc == 0 && !x->root[RK_COMPUTER])
        rc = emit_as(x, "Computer", x->root[RK_HOSTNAME]);
    return rc;
}

/* ---- timestamps ------------------------------------------------------------- */

static bool epoch_ns(const ww_jtok_t *t, int64_t *out)
{
    double d;
    if (ww_parse_double(t->p, t->n, &d) != 0 || !(d > 0) || d > 9.2e18)
        return false;
    /* Seconds, milliseconds, microseconds or nanoseconds, judged by magnitude. */
    double scale = d < 1e11 ? 1e9 : d < 1e14 ? 1e6 : d < 1e17 ? 1e3 : 1;
    double ns = d * scale;
    if (!(ns < 9.2e18))
        return false;
    *out = (int64_t)llround(ns);
    return true;
}

/* Microsoft's cloud logs write UTC, with or without the Z (M365's CreationTime has
 * none); other zone-less times are local. */
static bool utc_by_definition(int i)
{
    return i >= RK_CREATEDDATETIME && i <= RK_TIMEGENERATED;
}

/* The event time.  A time that says its zone (Z, an offset) or an epoch number is
 * exact and wins, most trusted name first; then Sysmon's UtcTime (UTC by
 * definition, written without a zone); only then a zone-less time, read as local
 * time in the zone ww_time_set_zone() chose (NXLog's EventTime and
 * EventReceivedTime are local), never silently as UTC. */
static void set_time(prof_t *x)
{
    int64_t ns;
    for (int i = RK_TS; i < RK_COUNT; i++) {
        uint32_t v = x->root[i];
        if (!v)
            continue;
        const ww_jtok_t *t = tk(x, v);
        if (t->type == WW_JT_STR && !t->esc && ww_event_time_zoned((ww_str_t){t->p, t->n}) &&
            ww_time_parse_iso(t->p, t->n, &ns) == 0) {
            x->ev->ts = ns;
            return;
        }
        if ((t->type == WW_JT_INT || t->type == WW_JT_FLOAT) && epoch_ns(t, &ns)) {
            x->ev->ts = ns;
            return;
        }
    }
    uint32_t u = x->root[RK_UTCTIME];
    if (u && tk(x, u)->type == WW_JT_STR && !tk(x, u)->esc &&
        ww_time_parse_iso(tk(x, u)->p, tk(x, u)->n, &ns) == 0) {
        x->ev->ts = ns;
        return;
    }
    for (int i = RK_TS; i < RK_COUNT; i++) {
        uint32_t v = x->root[i];
        if (!v || tk(x, v)->type != WW_JT_STR || tk(x, v)->esc)
            continue;
        const ww_jtok_t *t = tk(x, v);
        int rc = utc_by_definition(i) ? ww_time_parse_iso(t->p, t->n, &ns)
                                      : ww_time_parse_iso_local(t->p, t->n, &ns);
        if (rc == 0) {
            x->ev->ts = ns;
            return;
        }
    }
}

/* ---- network sensors ------------------------------------------------------- */

static bool is_str(const prof_t *x, uint32_t i)
{
    return i && tk(x, i)->type == WW_JT_STR;
}

/* Zeek log names a file name may start with ("conn.log", "dns.09:00:00-10:00:00.log"). */
static const char *const zeek_logs[] = {
    "conn",     "dns",         "http",      "ssl",         "x509",
    "files",    "smb_mapping", "smb_files", "ntlm",        "kerberos",
    "dce_rpc",  "rdp",         "ssh",       "smtp",        "weird",
    "notice",   "dhcp",        "ftp",       "sip",         "snmp",
    "software", "tunnel",      "pe",        "known_hosts", "known_services",
    "dpd",      "radius",      "modbus",    "dnp3",        "mysql",
    "socks",    "irc",         "ntp",       "quic",        NULL};

/* The log a Zeek JSON record belongs to: its `_path` (json-streaming-logs and most
 * shippers add it), else the file name, else what its fields imply.  The result
 * stays valid until the next reset. */
static int zeek_path(prof_t *x, ww_str_t *out)
{
    uint32_t p = x->root[RK_PATH];
    *out = (ww_str_t){"", 0};
    if (is_str(x, p))
        return ww__json_str(x->ev, tk(x, p), out);
    const char *name = x->js->src_name ? x->js->src_name : "";
    const char *slash = strrchr(name, '/');
    const char *base = slash ? slash + 1 : name;
    for (const char *const *l = zeek_logs; *l; l++) {
        size_t n = strlen(*l);
        char next = base[n];
        if (strncmp(base, *l, n) == 0 && !(next == '_' || (next >= 'a' && next <= 'z'))) {
            *out = (ww_str_t){*l, n};
            return 0;
        }
    }
    static const struct {
        const char *key, *path;
    } hints[] = {
        {"conn_state", "conn"},
        {"qtype_name", "dns"},
        {"query", "dns"},
        {"share_type", "smb_mapping"},
        {"server_nb_computer_name", "ntlm"},
        {"domainname", "ntlm"},
        {"request_type", "kerberos"},
        {"endpoint", "dce_rpc"},
        {"method", "http"},
        {"cookie", "rdp"},
        {"auth_success", "ssh"},
        {"server_name", "ssl"},
        {"certificate.serial", "x509"},
    };
    for (size_t i = 0; i < WW_ARRAY_LEN(hints); i++)
        if (find_root(x, hints[i].key)) {
            *out = WW_STRZ(hints[i].path);
            return 0;
        }
    /* smb_files: an SMB::FILE_* action. */
    uint32_t a = find_root(x, "action");
    if (is_str(x, a) && tk(x, a)->n > 10 && memcmp(tk(x, a)->p, "SMB::FILE_", 10) == 0)
        *out = WW_STR("smb_files");
    return 0;
}

static bool is_zeek(const prof_t *x)
{
    if (!x->root[RK_ZEEK_TS])
        return false;
    uint32_t id = x->root[RK_ID];
    return x->root[RK_UID] || x->root[RK_ID_ORIG_H] || x->root[RK_PATH] ||
           (id && tk(x, id)->type == WW_JT_OBJ);
}

static bool is_suricata(const prof_t *x)
{
    return is_str(x, x->root[RK_EVENT_TYPE]) &&
           (x->root[RK_FLOW_ID] || x->root[RK_SRC_IP] || x->root[RK_TIMESTAMP]);
}

/* The cloud record shape, or 0.  Key checks only; the values are read later. */
static int cloud_shape(const prof_t *x)
{
    if (is_str(x, x->root[RK_CATEGORY]) && x->root[RK_PROPERTIES] &&
        tk(x, x->root[RK_PROPERTIES])->type == WW_JT_OBJ &&
        (x->root[RK_OPERATIONNAME] || x->root[RK_TIME]))
        return WW_CLOUD_ENTRA_DIAG;
    if (x->root[RK_CREATIONTIME] && x->root[RK_OPERATION] &&
        (x->root[RK_WORKLOAD] || x->root[RK_RECORDTYPE]))
        return WW_CLOUD_M365;
    if (x->root[RK_ACTIVITYDISPLAYNAME] && x->root[RK_ACTIVITYDATETIME])
        return WW_CLOUD_GRAPH_AUDIT;
    if (x->root[RK_CREATEDDATETIME] && x->root[RK_USERPRINCIPALNAME])
        return WW_CLOUD_GRAPH_SIGNIN;
    if (x->root[RK_RISKEVENTTYPE] && x->root[RK_DETECTEDDATETIME])
        return WW_CLOUD_GRAPH_RISK;
    if (is_str(x, x->root[RK_CATEGORY_LA]) && x->root[RK_TIMEGENERATED])
        return WW_CLOUD_ENTRA_LA;
    return 0;
}

int ww__json_profile(ww_json_t *js, ww_event_t *ev)
{
    prof_t x = {js, ev, {0}};
    int rc;
    scan_root(&x);
    uint32_t event = x.root[RK_EVENT], sys = find(&x, event, "System");
    uint32_t wl = x.root[RK_WINLOG];
    if (sys && tk(&x, sys)->type == WW_JT_OBJ) {
        rc = profile_evtx(&x, event);
    } else if (wl && tk(&x, wl)->type == WW_JT_OBJ) {
        rc = profile_winlogbeat(&x, wl);
        set_time(&x);
    } else if (x.root[RK_EVENTID] &&
               (x.root[RK_CHANNEL] || x.root[RK_SOURCENAME] || x.root[RK_PROVIDERNAME])) {
        rc = profile_nxlog(&x);
        set_time(&x);
    } else {
        ev->kind = WW_EV_JSON;
        int shape = 0;
        if (is_suricata(&x)) {
            rc = flat(&x, 0, (ww_str_t){"", 0}, true);
            if (rc == 0)
                rc = ww__suricata_finish(ev);
        } else if (is_zeek(&x)) {
            ww_str_t path;
            rc = flat(&x, 0, (ww_str_t){"", 0}, true);
            if (rc == 0)
                rc = zeek_path(&x, &path);
            if (rc == 0)
                rc = ww__zeek_finish(ev, path);
        } else if ((shape = cloud_shape(&x)) != 0) {
            rc = ww__json_cloud(js, ev, shape);
        } else {
            rc = flat(&x, 0, (ww_str_t){"", 0}, true);
        }
        set_time(&x);
        return rc;
    }
    if (rc == 0)
        ww_event_finish_windows(ev);
    return rc;
}
