/* Hosts seen by serve (see ww_seen.h): open addressing over a fixed table keyed by a
 * case-insensitive hash of the host and the input, emptied at every flush, so the
 * per-event cost is one hash and one probe and memory never grows with the estate. */
#include "serve/ww_seen.h"

#include <stdlib.h>
#include <strings.h>

/* Slots are small so that probing stays in cache; the names are kept apart and read
 * only to confirm a hit. */
typedef struct slot {
    uint64_t hash; /* 0 = empty */
    uint32_t input;
    uint32_t len;
    uint64_t events;
} slot_t;

struct ww_seen {
    slot_t slot[WW_SEEN_SLOTS];
    char host[WW_SEEN_SLOTS][WW_SEEN_HOST_MAX + 1];
    size_t used;
    uint64_t dropped;
};

static const char *const migrations[] = {
    "CREATE TABLE serve_seen(host TEXT NOT NULL COLLATE NOCASE, source TEXT NOT NULL,"
    " first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, events INTEGER NOT NULL,"
    " PRIMARY KEY(host, source));",
};

int ww_seen_migrate(ww_store_t *st, ww_diag_t *diag)
{
    return ww_store_migrate(st, "seen", migrations, WW_ARRAY_LEN(migrations), diag);
}

int ww_seen_new(ww_seen_t **out)
{
    ww_seen_t *s = calloc(1, sizeof *s);
    if (!s)
        return WW_ENOMEM;
    *out = s;
    return 0;
}

void ww_seen_free(ww_seen_t *s)
{
    free(s);
}

void ww_seen_note(ww_seen_t *s, uint32_t input, const char *host, size_t n)
{
    if (!s || !n)
        return;
    if (n > WW_SEEN_HOST_MAX)
        n = WW_SEEN_HOST_MAX;
    /* FNV's low bits cluster for names that differ in one character ("ward1-pc01",
       "ward1-pc02"): a 64-bit finaliser spreads them before the slot is taken. */
    uint64_t h = ww_hash_ci(host, n) ^ ((uint64_t)input * 0x9E3779B97F4A7C15ull);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    if (!h)
        h = 1;
    /* Most events come from a host already in the table: a few probes at most while
       it stays under three quarters full. */
    for (size_t i = 0, k = h % WW_SEEN_SLOTS; i < WW_SEEN_SLOTS; i++, k = (k + 1) % WW_SEEN_SLOTS) {
        slot_t *e = &s->slot[k];
        if (!e->hash) {
            if (s->used >= WW_SEEN_SLOTS * 3 / 4) {
                s->dropped++;
                return;
            }
            e->hash = h;
            e->input = input;
            e->len = (uint32_t)n;
            memcpy(s->host[k], host, n);
            s->host[k][n] = 0;
            e->events = 1;
            s->used++;
            return;
        }
        if (e->hash == h && e->input == input && e->len == n && !strncasecmp(s->host[k], host, n)) {
            e->events++;
            return;
        }
    }
    s->dropped++;
}

uint64_t ww_seen_dropped(const ww_seen_t *s)
{
    return s ? s->dropped : 0;
}

bool ww_seen_pending(const ww_seen_t *s)
{
    return s && s->used > 0;
}

int ww_seen_flush(ww_seen_t *s, ww_store_t *st, const char *(*name)(void *ud, uint32_t input),
                  void *ud, int64_t now, ww_diag_t *diag)
{
    if (!s || !s->used)
        return 0;
    sqlite3_stmt *q = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO serve_seen(host, source, first_seen, last_seen, events)"
                           " VALUES(?1,?2,?3,?3,?4) ON CONFLICT(host, source) DO UPDATE SET"
                           " last_seen=excluded.last_seen, events=events+excluded.events",
                           -1, &q, NULL) != SQLITE_OK) {
        ww_diag_set(diag, st->path, 0, 0, "hosts seen: %s", sqlite3_errmsg(st->db));
        return WW_EIO;
    }
    for (size_t k = 0; k < WW_SEEN_SLOTS; k++) {
        slot_t *e = &s->slot[k];
        if (!e->hash)
            continue;
        if (rc == 0) {
            sqlite3_bind_text(q, 1, s->host[k], (int)e->len, SQLITE_STATIC);
            sqlite3_bind_text(q, 2, name(ud, e->input), -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(q, 3, now);
            sqlite3_bind_int64(q, 4, (int64_t)e->events);
            if (sqlite3_step(q) != SQLITE_DONE) {
                ww_diag_set(diag, st->path, 0, 0, "hosts seen: %s", sqlite3_errmsg(st->db));
                rc = WW_EIO;
            }
            sqlite3_reset(q);
        }
        e->hash = 0;
    }
    s->used = 0;
    sqlite3_finalize(q);
    return rc;
}
