/* The compiled matcher: every indicator's value reduced to a binary key (an address's
 * bytes, a range's prefix length and masked bytes, or the type and normalised text),
 * all in one open-addressing hash table; ranges are found by looking the event's
 * address up once per prefix length present.  An event's fields are picked by name
 * through a small bitmap on (length, first and last letter) before any hashing, so
 * the fields that can carry no indicator cost almost nothing. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "intel/ww_intel_int.h"
#include "pipeline/ww_pipeline.h"

/* What a field carries. */
enum { K_IP = 1, K_DOMAIN = 2, K_URL = 4, K_HASH = 8, K_EMAIL = 16, K_URLPATH = 32 };

/* The fields each decoder puts addresses, names, URLs, hashes and senders in (any
 * case).  Normalised names first (lib/event adds them for every source that has them),
 * then the native names of Sysmon, Windows Security, Zeek, Suricata EVE, cloud and
 * proxy logs. */
static const struct {
    const char *name;
    int kinds;
} fields[] = {
    {"src_ip", K_IP},
    {"dst_ip", K_IP},
    {"dest_ip", K_IP},
    {"SourceIp", K_IP},
    {"DestinationIp", K_IP},
    {"SourceAddress", K_IP},
    {"DestAddress", K_IP},
    {"DestinationAddress", K_IP},
    {"IpAddress", K_IP},
    {"ClientIP", K_IP},
    {"ClientIPAddress", K_IP},
    {"ipAddress", K_IP},
    {"callerIpAddress", K_IP},
    {"ActorIpAddress", K_IP},
    {"id.orig_h", K_IP},
    {"id.resp_h", K_IP},
    {"source.ip", K_IP},
    {"destination.ip", K_IP},
    {"client.ip", K_IP},
    {"server.ip", K_IP},
    {"srcip", K_IP},
    {"dstip", K_IP},
    {"src", K_IP},
    {"dst", K_IP},
    {"remip", K_IP},
    {"c-ip", K_IP},
    {"RemoteIP", K_IP},
    {"RemoteAddress", K_IP},
    {"answers", K_IP | K_DOMAIN},
    {"QueryName", K_DOMAIN},
    {"QueryResults", K_IP},
    {"query", K_DOMAIN},
    {"dns.rrname", K_DOMAIN},
    {"dns.question.name", K_DOMAIN},
    {"DestinationHostname", K_DOMAIN},
    {"server_name", K_DOMAIN},
    {"tls.sni", K_DOMAIN},
    {"http.hostname", K_DOMAIN},
    {"host", K_DOMAIN},
    {"url.domain", K_DOMAIN},
    {"destination.domain", K_DOMAIN},
    {"cs-host", K_DOMAIN},
    {"dst_host", K_DOMAIN},
    {"url", K_URL},
    {"url.full", K_URL},
    {"url.original", K_URL},
    {"cs-uri", K_URL},
    {"request_url", K_URL},
    {"RequestUrl", K_URL},
    {"TargetUrl", K_URL},
    {"http.url", K_URLPATH},
    {"uri", K_URLPATH},
    {"Hashes", K_HASH},
    {"Hash", K_HASH},
    {"md5", K_HASH},
    {"sha1", K_HASH},
    {"sha256", K_HASH},
    {"fileinfo.md5", K_HASH},
    {"fileinfo.sha1", K_HASH},
    {"fileinfo.sha256", K_HASH},
    {"file.hash.md5", K_HASH},
    {"file.hash.sha1", K_HASH},
    {"file.hash.sha256", K_HASH},
    {"process.hash.md5", K_HASH},
    {"process.hash.sha1", K_HASH},
    {"process.hash.sha256", K_HASH},
    {"hash.md5", K_HASH},
    {"hash.sha1", K_HASH},
    {"hash.sha256", K_HASH},
    {"sender", K_EMAIL},
    {"from", K_EMAIL},
    {"mailfrom", K_EMAIL},
    {"SenderAddress", K_EMAIL},
    {"SenderFromAddress", K_EMAIL},
    {"P1Sender", K_EMAIL},
    {"P2Sender", K_EMAIL},
    {"email.from.address", K_EMAIL},
    {"smtp.mail_from", K_EMAIL},
};

#define NAME_SLOTS 256 /* a power of two above 2 * WW_ARRAY_LEN(fields) */

struct ww_intel {
    ww_arena_t ar;
    ww_indicator_t *v;
    const uint8_t **key;
    uint16_t *klen;
    uint64_t *h;
    uint32_t *next; /* the next indicator with the same key, +1; 0 ends */
    size_t n, cap;
    /* indicator + 1 in the low half (0: empty), the top of its hash in the high half:
       a miss is decided on the slot alone, one cache line, not two. */
    uint64_t *slot;
    uint64_t mask;
    uint64_t v4_lens; /* bit L: some IPv4 range of prefix length L (0..31) */
    uint8_t v6_lens[128];
    uint32_t type_mask; /* bit T: some indicator of type T */
    int64_t last_row;
    ww_sigma_rule_t **rules; /* made on first hit */
    /* field names */
    uint8_t filt[64 * 32 * 32 / 8];
    struct {
        uint64_t h;
        const char *name;
        uint8_t len, kinds;
    } names[NAME_SLOTS];
    /* interning of sources and names: the previous one */
    const char *last_source, *last_name;
};

static uint64_t hash(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h ^ (h >> 29);
}

static uint32_t filt_bit(size_t len, unsigned char c0, unsigned char cl)
{
    return (uint32_t)((len & 63) << 10 | (ww_lower(c0) & 31) << 5 | (ww_lower(cl) & 31));
}

static void names_init(ww_intel_t *m)
{
    for (size_t i = 0; i < WW_ARRAY_LEN(fields); i++) {
        const char *nm = fields[i].name;
        size_t n = strlen(nm);
        uint32_t b = filt_bit(n, (unsigned char)nm[0], (unsigned char)nm[n - 1]);
        m->filt[b >> 3] |= (uint8_t)(1u << (b & 7));
        uint64_t h = ww_hash_ci(nm, n);
        uint32_t s = (uint32_t)h & (NAME_SLOTS - 1);
        while (m->names[s].name) {
            if (m->names[s].h == h && ww_str_ieq_z(WW_STRZ(m->names[s].name), nm))
                break;
            s = (s + 1) & (NAME_SLOTS - 1);
        }
        m->names[s].h = h;
        m->names[s].name = nm;
        m->names[s].len = (uint8_t)n;
        m->names[s].kinds |= (uint8_t)fields[i].kinds;
    }
}

static int kinds_of(const ww_intel_t *m, ww_str_t name)
{
    if (!name.n || name.n > 63)
        return 0;
    uint32_t b = filt_bit(name.n, (unsigned char)name.p[0], (unsigned char)name.p[name.n - 1]);
    if (!(m->filt[b >> 3] & (1u << (b & 7))))
        return 0;
    uint64_t h = ww_hash_ci(name.p, name.n);
    for (uint32_t s = (uint32_t)h & (NAME_SLOTS - 1); m->names[s].name;
         s = (s + 1) & (NAME_SLOTS - 1))
        if (m->names[s].h == h && m->names[s].len == name.n &&
            ww_str_ieq(name, (ww_str_t){m->names[s].name, name.n}))
            return m->names[s].kinds;
    return 0;
}

/* ---- keys ---- */

#define KEY_MAX WW_INTEL_KEY_MAX

/* Parses an address (optionally /len) into its key: 'a'+4 / 'b'+16 bytes, or for a
 * range 'A'/'B', the length, and the masked bytes.  0, or -1 when not an address. */
static int ip_key(const char *s, size_t n, uint8_t *k, size_t *kn)
{
    char buf[64];
    if (n >= sizeof buf)
        return -1;
    memcpy(buf, s, n);
    buf[n] = 0;
    char *slash = strchr(buf, '/');
    int plen = -1;
    if (slash) {
        *slash = 0;
        plen = atoi(slash + 1); /* written by ww_intel_normalise: digits only */
    }
    if (inet_pton(AF_INET, buf, k + 1) == 1) {
        if (plen < 0) {
            k[0] = 'a';
            *kn = 5;
        } else {
            memmove(k + 2, k + 1, 4);
            k[0] = 'A';
            k[1] = (uint8_t)plen;
            *kn = 6;
        }
        return 0;
    }
    if (inet_pton(AF_INET6, buf, k + 1) == 1) {
        if (plen < 0) {
            k[0] = 'b';
            *kn = 17;
        } else {
            memmove(k + 2, k + 1, 16);
            k[0] = 'B';
            k[1] = (uint8_t)plen;
            *kn = 18;
        }
        return 0;
    }
    return -1;
}

int ww__intel_key(int type, const char *value, uint8_t *k, size_t *kn)
{
    if (type == WW_IND_IPV4 || type == WW_IND_IPV6)
        return ip_key(value, strlen(value), k, kn);
    if (type <= 0 || type >= WW_IND_NTYPES)
        return -1;
    size_t n = strlen(value);
    if (n + 1 > KEY_MAX)
        return -1;
    k[0] = (uint8_t)('0' + type);
    memcpy(k + 1, value, n);
    *kn = n + 1;
    return 0;
}

/* ---- building ---- */

static int grow(ww_intel_t *m)
{
    size_t nc = m->cap ? m->cap * 2 : 1024;
#define G(a)                                         \
    do {                                             \
        void *na = realloc(m->a, nc * sizeof *m->a); \
        if (!na)                                     \
            return WW_ENOMEM;                        \
        m->a = na;                                   \
    } while (0)
    G(v);
    G(key);
    G(klen);
    G(h);
    G(next);
#undef G
    m->cap = nc;
    return 0;
}

static const char *intern(ww_intel_t *m, const char **last, const char *s)
{
    if (*last && !strcmp(*last, s))
        return *last;
    *last = ww_arena_strdup(&m->ar, s);
    return *last;
}

/* Adds x (its strings copied) under key k (computed when NULL). */
static int add(ww_intel_t *m, const ww_indicator_t *x, const uint8_t *key, size_t kn, int64_t row)
{
    uint8_t kb[KEY_MAX];
    if (x->type <= 0 || x->type >= WW_IND_NTYPES)
        return 0; /* a row not written by this version: left out */
    if (!key) {
        if (ww__intel_key(x->type, x->value, kb, &kn) != 0)
            return 0;
        key = kb;
    }
    if (m->n >= WW_INTEL_MAX_INDICATORS)
        return WW_ELIMIT;
    if (m->n == m->cap && grow(m) != 0)
        return WW_ENOMEM;
    ww_indicator_t *y = &m->v[m->n];
    *y = *x;
    /* One piece of the arena for the key, the id and the value. */
    size_t il = strlen(x->id), vl = strlen(x->value);
    char *mem = ww_arena_alloc(&m->ar, kn + il + vl + 2);
    y->source = intern(m, &m->last_source, x->source ? x->source : "");
    y->name = intern(m, &m->last_name, x->name ? x->name : "");
    if (!mem || !y->source || !y->name)
        return WW_ENOMEM;
    memcpy(mem, key, kn);
    memcpy(mem + kn, x->id, il + 1);
    memcpy(mem + kn + il + 1, x->value, vl + 1);
    y->id = mem + kn;
    y->value = mem + kn + il + 1;
    const uint8_t *k = (const uint8_t *)mem;
    m->key[m->n] = k;
    m->klen[m->n] = (uint16_t)kn;
    m->h[m->n] = hash(k, kn);
    m->next[m->n] = 0;
    if (k[0] == 'A')
        m->v4_lens |= 1ULL << k[1];
    else if (k[0] == 'B')
        m->v6_lens[k[1]] = 1;
    m->type_mask |= 1u << y->type;
    if (row > m->last_row)
        m->last_row = row;
    m->n++;
    return 0;
}

static int index_all(ww_intel_t *m)
{
    size_t ns = 1024;
    while (ns < m->n * 2)
        ns <<= 1;
    m->slot = calloc(ns, sizeof *m->slot);
    if (!m->slot)
        return WW_ENOMEM;
    m->mask = ns - 1;
    for (uint32_t i = 0; i < m->n; i++) {
        uint64_t s = m->h[i] & m->mask;
        for (;; s = (s + 1) & m->mask) {
            uint32_t j = (uint32_t)m->slot[s];
            if (!j) {
                m->slot[s] = (m->h[i] >> 32) << 32 | (uint64_t)(i + 1);
                break;
            }
            j--;
            if (m->h[j] == m->h[i] && m->klen[j] == m->klen[i] &&
                !memcmp(m->key[j], m->key[i], m->klen[i])) {
                /* Same value, another indicator (another source): chained. */
                while (m->next[j])
                    j = m->next[j] - 1;
                m->next[j] = i + 1;
                break;
            }
        }
    }
    return 0;
}

static ww_intel_t *alloc(void)
{
    ww_intel_t *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    ww_arena_init(&m->ar, 64u << 10, 0);
    names_init(m);
    return m;
}

static bool valid_at(const ww_indicator_t *x, int64_t now)
{
    return (x->valid_until == WW_TIME_NONE || x->valid_until > now) &&
           (x->valid_from == WW_TIME_NONE || x->valid_from <= now);
}

int ww_intel_from_set(const ww_intel_set_t *set, int64_t now, ww_intel_t **out)
{
    ww_intel_t *m = alloc();
    if (!m)
        return WW_ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < set->n && !rc; i++)
        if (valid_at(&set->v[i], now))
            rc = add(m, &set->v[i], NULL, 0, 0);
    if (!rc)
        rc = index_all(m);
    if (rc) {
        ww_intel_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

static int load_one(void *ud, const ww_indicator_t *x, const uint8_t *key, size_t kn, int64_t row)
{
    return add(ud, x, key, kn, row);
}

int ww_intel_load(ww_store_t *st, int64_t now, int64_t after_row, ww_intel_t **out, ww_diag_t *diag)
{
    ww_intel_t *m = alloc();
    if (!m)
        return WW_ENOMEM;
    m->last_row = after_row;
    int rc = ww__intel_store_each(st, now, after_row, load_one, m, diag);
    if (rc == WW_ENOMEM || rc == WW_ELIMIT)
        ww_diag_set(diag, st->path, 0, 0, "intel: %s loading the indicators",
                    rc == WW_ENOMEM ? "out of memory" : "too many indicators");
    if (!rc)
        rc = index_all(m);
    if (rc) {
        ww_intel_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

void ww_intel_free(ww_intel_t *m)
{
    if (!m)
        return;
    for (size_t i = 0; m->rules && i < m->n; i++)
        if (m->rules[i]) {
            ww_arena_release(&m->rules[i]->arena);
            free(m->rules[i]);
        }
    free(m->rules);
    free(m->v);
    free(m->key);
    free(m->klen);
    free(m->h);
    free(m->next);
    free(m->slot);
    ww_arena_release(&m->ar);
    free(m);
}

size_t ww_intel_count(const ww_intel_t *m)
{
    return m ? m->n : 0;
}

int64_t ww_intel_last_row(const ww_intel_t *m)
{
    return m ? m->last_row : 0;
}

const ww_indicator_t *ww_intel_get(const ww_intel_t *m, uint32_t k)
{
    return m && k < m->n ? &m->v[k] : NULL;
}

/* ---- matching ---- */

typedef struct emitter {
    void (*fn)(void *, uint32_t);
    void *ud;
    uint32_t seen[64];
    uint32_t nseen;
} emitter_t;

static void found(const ww_intel_t *m, const uint8_t *k, size_t kn, emitter_t *e)
{
    uint64_t h = hash(k, kn);
    for (uint64_t s = h & m->mask;; s = (s + 1) & m->mask) {
        uint64_t v = m->slot[s];
        if (!v)
            return;
        if (v >> 32 != h >> 32)
            continue;
        uint32_t j = (uint32_t)v - 1;
        if (m->h[j] != h || m->klen[j] != kn || memcmp(m->key[j], k, kn))
            continue;
        for (;;) {
            bool dup = false;
            for (uint32_t i = 0; i < e->nseen; i++)
                dup |= e->seen[i] == j;
            if (!dup) {
                if (e->nseen < WW_ARRAY_LEN(e->seen))
                    e->seen[e->nseen++] = j;
                e->fn(e->ud, j);
            }
            if (!m->next[j])
                return;
            j = m->next[j] - 1;
        }
    }
}

/* An address in an event: "1.2.3.4", "::ffff:1.2.3.4", "[2001:db8::1]:443",
 * "1.2.3.4:5678". */
static void match_ip(const ww_intel_t *m, const char *p, size_t n, emitter_t *e)
{
    if (n < 2 || n > 60)
        return;
    char buf[64];
    memcpy(buf, p, n);
    buf[n] = 0;
    char *s = buf;
    if (*s == '[') {
        char *b = strchr(s, ']');
        if (!b)
            return;
        *b = 0;
        s++;
    } else {
        char *c1 = strchr(s, ':');
        if (c1 && !strchr(c1 + 1, ':')) /* one colon: IPv4 with a port */
            *c1 = 0;
    }
    char *pct = strchr(s, '%');
    if (pct)
        *pct = 0;
    uint8_t a[16];
    int fam;
    if (inet_pton(AF_INET, s, a) == 1)
        fam = 4;
    else if (inet_pton(AF_INET6, s, a) == 1) {
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        fam = 6;
        if (!memcmp(a, mapped, 12)) {
            memmove(a, a + 12, 4);
            fam = 4;
        }
    } else
        return;
    uint8_t k[20];
    if (fam == 4) {
        if (!(m->type_mask & (1u << WW_IND_IPV4)))
            return;
        k[0] = 'a';
        memcpy(k + 1, a, 4);
        found(m, k, 5, e);
        uint64_t lens = m->v4_lens;
        uint32_t x = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
        while (lens) {
            int l = __builtin_ctzll(lens);
            lens &= lens - 1;
            uint32_t y = l ? x & ~((1u << (32 - l)) - 1) : 0;
            k[0] = 'A';
            k[1] = (uint8_t)l;
            k[2] = (uint8_t)(y >> 24);
            k[3] = (uint8_t)(y >> 16);
            k[4] = (uint8_t)(y >> 8);
            k[5] = (uint8_t)y;
            found(m, k, 6, e);
        }
    } else {
        if (!(m->type_mask & (1u << WW_IND_IPV6)))
            return;
        k[0] = 'b';
        memcpy(k + 1, a, 16);
        found(m, k, 17, e);
        for (int l = 0; l < 128; l++) {
            if (!m->v6_lens[l])
                continue;
            k[0] = 'B';
            k[1] = (uint8_t)l;
            for (int i = 0; i < 16; i++) {
                int keep = l - i * 8;
                k[2 + i] = keep <= 0   ? 0
                           : keep >= 8 ? a[i]
                                       : (uint8_t)(a[i] & (0xff << (8 - keep)));
            }
            found(m, k, 18, e);
        }
    }
}

/* A domain and each domain above it ("a.b.evil.example", "b.evil.example", ...). */
static void match_domain(const ww_intel_t *m, const char *p, size_t n, emitter_t *e)
{
    if (!(m->type_mask & (1u << WW_IND_DOMAIN)))
        return;
    while (n && p[n - 1] == '.')
        n--;
    if (!n || n > 253)
        return;
    uint8_t k[260];
    k[0] = (uint8_t)('0' + WW_IND_DOMAIN);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c <= ' ' || c == '/' || c == ':' || c == '@')
            return; /* not a name: a list of them, a URL, an address with a port */
        k[1 + i] = ww_lower(c);
    }
    /* k holds the tag and the name; a parent is found by moving the tag onto the
       dot before it. */
    size_t ks = 0;
    for (;;) {
        found(m, k + ks, n + 1 - ks, e);
        uint8_t *dot = memchr(k + ks + 1, '.', n - ks);
        if (!dot)
            break;
        ks = (size_t)(dot - k);
        k[ks] = (uint8_t)('0' + WW_IND_DOMAIN);
    }
}

static void match_url(const ww_intel_t *m, const char *p, size_t n, emitter_t *e)
{
    if (n > WW_INTEL_MAX_VALUE)
        return;
    char v[WW_INTEL_MAX_VALUE + 16];
    const char *why;
    int type = WW_IND_URL;
    if (ww_intel_normalise(&type, p, n, v, sizeof v, &why) != 0)
        return;
    size_t vn = strlen(v);
    if (m->type_mask & (1u << WW_IND_URL)) {
        uint8_t k[WW_INTEL_MAX_VALUE + 20];
        k[0] = (uint8_t)('0' + WW_IND_URL);
        memcpy(k + 1, v, vn);
        found(m, k, vn + 1, e);
    }
    /* The URL's host, as a name or an address. */
    size_t hn = strcspn(v, "/?");
    const char *host = v;
    if (hn && host[0] == '[') {
        const char *rb = memchr(host, ']', hn);
        if (rb)
            match_ip(m, host + 1, (size_t)(rb - host - 1), e);
        return;
    }
    const char *colon = memchr(host, ':', hn);
    if (colon)
        hn = (size_t)(colon - host);
    uint8_t a[16];
    char hb[256];
    if (hn && hn < sizeof hb) {
        memcpy(hb, host, hn);
        hb[hn] = 0;
        if (inet_pton(AF_INET, hb, a) == 1)
            match_ip(m, host, hn, e);
        else
            match_domain(m, host, hn, e);
    }
}

static void match_hash_one(const ww_intel_t *m, const char *p, size_t n, emitter_t *e)
{
    int type = n == 32 ? WW_IND_MD5 : n == 40 ? WW_IND_SHA1 : n == 64 ? WW_IND_SHA256 : 0;
    if (!type || !(m->type_mask & (1u << type)))
        return;
    uint8_t k[72];
    k[0] = (uint8_t)('0' + type);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = ww_lower((unsigned char)p[i]);
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return;
        k[1 + i] = c;
    }
    found(m, k, n + 1, e);
}

/* A bare hash, or Sysmon's "SHA1=..,MD5=..,SHA256=..,IMPHASH=..": each labelled hash
 * of a known algorithm (IMPHASH is no file hash and is not compared). */
static void match_hash(const ww_intel_t *m, const char *p, size_t n, emitter_t *e)
{
    if (!memchr(p, '=', n)) {
        match_hash_one(m, p, n, e);
        return;
    }
    const char *end = p + n;
    while (p < end) {
        const char *c = memchr(p, ',', (size_t)(end - p));
        const char *ie = c ? c : end;
        const char *eq = memchr(p, '=', (size_t)(ie - p));
        if (eq) {
            ww_str_t label = {p, (size_t)(eq - p)};
            while (label.n && *label.p == ' ') {
                label.p++;
                label.n--;
            }
            if (ww_str_ieq_z(label, "MD5") || ww_str_ieq_z(label, "SHA1") ||
                ww_str_ieq_z(label, "SHA256"))
                match_hash_one(m, eq + 1, (size_t)(ie - eq - 1), e);
        }
        p = c ? c + 1 : end;
    }
}

static void match_email(const ww_intel_t *m, const char *p, size_t n, emitter_t *e)
{
    if (!(m->type_mask & (1u << WW_IND_EMAIL)) || n > 400)
        return;
    char v[WW_INTEL_MAX_VALUE + 16];
    const char *why;
    int type = WW_IND_EMAIL;
    if (ww_intel_normalise(&type, p, n, v, sizeof v, &why) != 0)
        return;
    uint8_t k[420];
    size_t vn = strlen(v);
    k[0] = (uint8_t)('0' + WW_IND_EMAIL);
    memcpy(k + 1, v, vn);
    found(m, k, vn + 1, e);
}

void ww_intel_match(const ww_intel_t *m, const ww_event_t *ev, void (*emit)(void *, uint32_t),
                    void *ud)
{
    if (!m || !m->n)
        return;
    emitter_t e = {.fn = emit, .ud = ud};
    const ww_field_t *path = NULL, *host = NULL;
    /* An address or hash an event repeats (IpAddress and its normalised src_ip) is
       looked up once: each lookup of a range table is a few cache misses. */
    ww_str_t done[8];
    uint32_t ndone = 0;
    for (uint32_t i = 0; i < ev->nfields; i++) {
        const ww_field_t *f = &ev->fields[i];
        int k = kinds_of(m, f->name);
        if (!k || !f->value.n || f->type != WW_F_STR)
            continue;
        const char *p = f->value.p;
        size_t n = f->value.n;
        if (k == K_IP || k == K_HASH) {
            bool again = false;
            for (uint32_t d = 0; d < ndone && !again; d++)
                again = ww_str_eq(done[d], f->value);
            if (again)
                continue;
            if (ndone < WW_ARRAY_LEN(done))
                done[ndone++] = f->value;
        }
        if (k & K_IP)
            match_ip(m, p, n, &e);
        if (k & K_DOMAIN) {
            match_domain(m, p, n, &e);
            if (!(k & K_IP) && n && p[0] >= '0' && p[0] <= '9')
                match_ip(m, p, n, &e);
            host = f;
        }
        if (k & K_URL)
            match_url(m, p, n, &e);
        if (k & K_URLPATH) {
            if (n && p[0] != '/')
                match_url(m, p, n, &e); /* a whole URL (a proxy's request) */
            else
                path = f;
        }
        if (k & K_HASH)
            match_hash(m, p, n, &e);
        if (k & K_EMAIL)
            match_email(m, p, n, &e);
    }
    /* Zeek's http.log and Suricata's http records split the URL into host and path. */
    if (path && host && (m->type_mask & (1u << WW_IND_URL)) &&
        host->value.n + path->value.n < WW_INTEL_MAX_VALUE) {
        char u[WW_INTEL_MAX_VALUE + 8];
        memcpy(u, host->value.p, host->value.n);
        memcpy(u + host->value.n, path->value.p, path->value.n);
        match_url(m, u, host->value.n + path->value.n, &e);
    }
}

/* ---- the rules hits are raised under ---- */

const ww_sigma_rule_t *ww_intel_rule(ww_intel_t *m, uint32_t k)
{
    if (!m || k >= m->n)
        return NULL;
    if (!m->rules && !(m->rules = calloc(m->n, sizeof *m->rules)))
        return NULL;
    if (m->rules[k])
        return m->rules[k];
    const ww_indicator_t *x = &m->v[k];
    ww_sigma_rule_t *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    ww_arena_init(&r->arena, 1024, 0);
    char buf[WW_INTEL_MAX_VALUE + 1200];
    snprintf(buf, sizeof buf, "intel:%s", x->id);
    r->id = ww_arena_strdup(&r->arena, buf);
    snprintf(buf, sizeof buf, "Indicator match: %s (%s, %s)", x->value, x->source,
             ww_tlp_name(x->tlp));
    r->title = ww_arena_strdup(&r->arena, buf);
    snprintf(buf, sizeof buf, "%s %s from %s%s%s", ww_ind_type_name(x->type), x->value, x->source,
             x->name[0] ? ": " : "", x->name);
    r->description = ww_arena_strdup(&r->arena, buf);
    r->status = "intel";
    /* Confidence (when given) below 50 is a medium alert; every other hit is high. */
    r->level = x->confidence >= 0 && x->confidence < 50 ? WW_LEVEL_MEDIUM : WW_LEVEL_HIGH;
    r->tags = ww_arena_calloc(&r->arena, 2 * sizeof *r->tags);
    char tlp[32];
    snprintf(tlp, sizeof tlp, "tlp:%s", ww_tlp_name(x->tlp) + 4);
    for (char *q = tlp; *q; q++)
        *q = (char)ww_lower((unsigned char)*q);
    if (r->tags) {
        r->tags[0] = ww_arena_strdup(&r->arena, "intel");
        r->tags[1] = ww_arena_strdup(&r->arena, tlp);
        r->ntags = r->tags[0] && r->tags[1] ? 2 : 0;
    }
    r->alert = true;
    r->index = UINT32_MAX;
    if (!r->id || !r->title || !r->description) {
        ww_arena_release(&r->arena);
        free(r);
        return NULL;
    }
    m->rules[k] = r;
    return r;
}

int ww_intel_rule_tlp(const ww_sigma_rule_t *rule)
{
    if (!rule || !rule->id || strncmp(rule->id, "intel:", 6))
        return -1;
    for (uint32_t i = 0; i < rule->ntags; i++)
        if (!strncmp(rule->tags[i], "tlp:", 4))
            return ww_tlp_parse(rule->tags[i], strlen(rule->tags[i]));
    return WW_TLP_RED; /* unknown: the most careful */
}

static void pipe_match(const void *m, const ww_event_t *ev, void (*emit)(void *, uint32_t),
                       void *ud)
{
    ww_intel_match(m, ev, emit, ud);
}

static const ww_sigma_rule_t *pipe_rule(void *m, uint32_t k)
{
    return ww_intel_rule(m, k);
}

void ww_intel_as_matcher(ww_intel_t *m, ww_pipe_matcher_t *out)
{
    *out = (ww_pipe_matcher_t){pipe_match, pipe_rule, m};
}
