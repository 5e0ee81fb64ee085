/* The server (see ww_serve.h): input handlers on the network thread, the consumer on
 * the thread that calls ww_serve_run.
 *
 * Acknowledgements.  A Beats window's ack is queued with the spool sequence of the
 * window's last event and sent by the spool's durable callback once that sequence is
 * durable; acks of one connection leave in window order because its sequences grow.
 *
 * Back-pressure.  A syslog message the spool refuses (full) is kept by its connection,
 * which then takes no more bytes (ww_net pauses it); the consumer resumes paused
 * connections when a checkpoint frees room, and the kept message goes first. */
#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <stddef.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alerts/ww_alerts.h"
#include "console/ww_console.h"
#include "ingest/ww_lumberjack.h"
#include "intel/ww_intel.h"
#include "ingest/ww_sysframe.h"
#include "pipeline/ww_pipeline.h"
#include "serve/ww_http_in.h"
#include "serve/ww_notify.h"
#include "serve/ww_relp.h"
#include "serve/ww_sdnotify.h"
#include "serve/ww_seen.h"
#include "serve/ww_tail.h"
#include <microhttpd.h>
#include "serve/ww_net.h"
#include "serve/ww_serve.h"
#include "spool/ww_spool.h"
#include "store/ww_store.h"

#define CONSUME_MAX 32768 /* records per consumer turn, between checkpoints */
/* Event times past the server's clock by more than this (or half the lateness) are
 * taken as that bound (see corr_new). */
#define WW_SERVE_MAX_FUTURE_NS (30LL * 1000000000)

typedef struct input {
    struct ww_serve *s;
    const ww_sc_input_t *cfg;
    uint32_t idx;
    ww_net_listener_t *l;
    ww_http_in_t *http;
    ww_tail_t *tail;
    ww_relp_t *relp;
    size_t name_n;
    ww_serve_input_stats_t *st; /* in ww_serve.ist; updated with __atomic_* */
} input_t;

typedef struct conn {
    input_t *in;
    uint64_t id;
    char source[WW_SPOOL_MAX_SOURCE];
    size_t source_n;
    ww_sysframe_t *sf;
    ww_lj_t *lj;
    ww_spool_batch_t pend; /* syslog messages gathered for one append (see on_syslog) */
    uint64_t last_seq;     /* the spool sequence of the last event appended */
    /* For the memory limit: where the last message ended in the stream, the framer's
       skipped bytes then, and the largest unfinished message seen (its buffer keeps
       that size). */
    uint64_t frame_end, skipped_at, partial_peak;
} conn_t;

typedef struct ack {
    uint64_t conn, seq;
    uint8_t frame[6];
} ack_t;

/* Where event time stood when the consumer had processed through `seq`: every record
 * up to seq has an event time of at most wm + lateness (see keep_history). */
typedef struct mark {
    uint64_t seq;
    int64_t wm;
} mark_t;

#define MARKS_MAX 512

struct ww_serve {
    const ww_serve_config_t *cfg;  /* as started: inputs, spool, state, metrics */
    const ww_serve_config_t *live; /* what a reload may change: rules, detection,
                                      notifiers, register; cfg until the first reload */
    ww_serve_config_t *owned;      /* live when a reload loaded it (freed here) */
    const ww_sigma_ruleset_t *rs;
    ww_detect_t *prog;
    ww_corr_t *corr;
    ww_spool_t *sp;
    ww_net_t *net;
    pthread_t net_tid;
    bool net_started;
    ww_pipe_t *pipe;
    ww_store_t *store;
    bool in_tx;
    ww_asset_set_t assets;
    bool have_assets;
    ww_asset_index_t *aix;
    input_t *inputs;
    ww_serve_input_stats_t *ist;
    uint32_t ninputs;
    volatile int stop;
    volatile int reload; /* SIGHUP seen */
    ww_serve_reload_fn reload_fn;
    void *reload_ud;
    /* Acks waiting for durability, in spool order. */
    pthread_mutex_t ack_mu;
    ack_t *acks;
    size_t nacks, ackcap;
    /* Connections paused because the spool was full. */
    pthread_mutex_t full_mu;
    uint64_t *full;
    size_t nfull, fullcap;
    /* Consumer state. */
    uint64_t last_mark;
    int64_t oldest_arrival; /* of the batch being processed */
    ww_arena_t scratch;     /* per alert */
    /* The tailed lines of this turn: spool sequence -> the line's place in its file
       (see tail_key), for their alert ids. */
    struct tail_key {
        uint64_t seq;
        uint32_t off, n; /* in tail_text */
    } * tail_keys;
    size_t ntail, tailcap;
    ww_buf_t tail_text;
    char position[64];
    uint64_t events, bad_events, alerts_stored, alerts_repeated; /* __atomic: metrics read them */
    uint64_t events_late, corr_groups, reloads, reloads_refused; /* __atomic too */
    uint64_t events_future; /* __atomic: future_base + the running engine's count */
    uint64_t future_base;   /* counted by engines a reload replaced */
    /* Correlation warm-up (see warm_up). */
    bool warming;
    uint64_t warm_events, warm_alerts;
    mark_t marks[MARKS_MAX];
    uint32_t nmarks;
    int64_t lag_ns;
    struct MHD_Daemon *metrics;
    ww_notify_t *notify;
    bool queued;       /* notifications queued in the open transaction */
    bool store_failed; /* this turn's alerts could not all be written */
    sqlite3_stmt *put; /* the prepared insert of ww_alerts_put_cached */
    /* Suppressions (lib/alerts, made in the console): the live ones, re-read when
       their generation number in the store moves; alerts they cover are counted
       on them (hits) instead of stored. */
    ww_suppress_set_t *supp;
    int64_t supp_gen;

    /* The hosts events came from, for the evidence pack (C1.a), and when they were
       last written. */
    ww_seen_t *seen;
    int64_t seen_flushed_s;

    int metrics_port;
    pthread_mutex_t stats_mu; /* ww_serve_get_stats from the metrics thread */
    ww_console_t *console;    /* the console, when the config has one */
    pthread_mutex_t rules_mu; /* rs, as the console's threads read it */
    int64_t last_batch_s;     /* __atomic: when events were last processed */
    int64_t started_s;
    uint64_t seen_full, seen_enospc; /* spool refusals already alerted on */
    char console_store[4200];
    /* limits: memory.  The consumer's share: what it has handed the pipeline and
       not yet seen replayed, message by message in submission order. */
    ww_membudget_t mem;
    struct pipe_charge {
        uint64_t seq, cost;
    } * pc;
    size_t pc_head, pc_n;
    /* Indicators (see intel_refresh): the matcher the pipeline runs, the store's
       generation it was built from, and when the store was last looked at. */
    ww_intel_t *intel;
    ww_store_t *intel_store; /* intel: db, when it is not the server's own store */
    int64_t intel_gen, intel_checked, intel_full;
    uint64_t intel_retro_hits;
};

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void count(uint64_t *c, uint64_t n)
{
    __atomic_add_fetch(c, n, __ATOMIC_RELAXED);
}

void ww_serve_log(const char *level, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* One line per record, control characters out: sender-controlled text (a peer's
       TLS subject, a protocol error quoting bytes) cannot forge log lines. */
    for (char *p = msg; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = ' ';
    fprintf(stderr, "wardwatch serve: %s: %s\n", level, msg);
}

/* ---- appending ---- */

static int append(conn_t *c, const void *p, size_t n, uint64_t *seq)
{
    ww_spool_in_t rec = {c->source, c->source_n, p, n, 0};
    return ww_spool_append(c->in->s->sp, &rec, seq);
}

static void remember_full(ww_serve_t *s, uint64_t id)
{
    pthread_mutex_lock(&s->full_mu);
    if (s->nfull == s->fullcap) {
        size_t nc = s->fullcap ? s->fullcap * 2 : 16;
        uint64_t *nf = realloc(s->full, nc * sizeof *nf);
        if (nf) {
            s->full = nf;
            s->fullcap = nc;
        }
    }
    if (s->nfull < s->fullcap)
        s->full[s->nfull++] = id;
    pthread_mutex_unlock(&s->full_mu);
}

static void resume_full(ww_serve_t *s)
{
    pthread_mutex_lock(&s->full_mu);
    for (size_t i = 0; i < s->nfull; i++)
        ww_net_resume(s->net, s->full[i]);
    s->nfull = 0;
    pthread_mutex_unlock(&s->full_mu);
}

/* ---- syslog ---- */

/* Messages of one read are gathered (c->pend: laid out as spool records) and appended
 * to the spool in one write: one write for hundreds of lines.  A batch the spool
 * refuses (full) stays gathered and goes first when the connection resumes. */
#define PEND_MAX (1u << 20)

static int on_syslog(void *ud, const char *msg, size_t n, const ww_sysframe_info_t *info)
{
    conn_t *c = ud;
    count(&c->in->st->received, 1);
    c->frame_end = info->offset + n;
    c->skipped_at = ww_sysframe_stats(c->sf)->skipped;
    int rc = ww_spool_batch_add(&c->pend, c->in->s->sp, c->source, c->source_n, msg, n);
    if (rc == WW_ENOMEM)
        return rc;
    if (rc != 0)
        count(&c->in->st->rejected, 1); /* larger than a record may be */
    /* Enough for one write (and well inside a segment): the rest of the bytes wait in
       the network buffer. */
    uint64_t most = c->in->s->cfg->spool_segment_bytes / 4;
    return c->pend.buf.n >= (most < PEND_MAX ? most : PEND_MAX) ? WW_SYSFRAME_PAUSE : 0;
}

/* Appends the gathered messages as one batch.  0 (or nothing to do), or WW_SPOOL_EFULL
 * with them still gathered. */
static int flush_pend(conn_t *c)
{
    if (!c->pend.n)
        return 0;
    uint64_t last;
    int rc = ww_spool_append_built(c->in->s->sp, &c->pend, &last);
    if (rc == WW_SPOOL_EFULL) {
        remember_full(c->in->s, c->id);
        return rc;
    }
    count(rc == 0 ? &c->in->st->accepted : &c->in->st->rejected, c->pend.n);
    if (rc == 0)
        c->last_seq = last;
    /* A busy connection keeps its batch buffer for the next read: a fresh one each
       time cost more than the write itself (new pages, faulted in and copied from).
       One that has gone quiet gives it back: a thousand quiet connections would each
       hold a megabyte (limits: memory). */
    if (c->pend.buf.alloc > (64u << 10) && c->pend.buf.n < c->pend.buf.alloc / 4)
        ww_spool_batch_release(&c->pend);
    else
        ww_spool_batch_clear(&c->pend);
    return 0;
}

/* What a syslog connection holds (limits: memory): its state, the messages gathered
 * for the spool, and the framer's buffer, bounded from outside the framer: the bytes
 * fed since the last message ended (less those it skipped past the limit), its
 * largest such stretch so far (the buffer keeps its size; doubling growth: twice
 * that), at most max_frame. */
static size_t syslog_held(void *st, size_t *unfinished)
{
    conn_t *c = st;
    const ww_sysframe_stats_t *fs = ww_sysframe_stats(c->sf);
    uint64_t after = fs->bytes > c->frame_end ? fs->bytes - c->frame_end : 0;
    uint64_t skipped = fs->skipped - c->skipped_at;
    after = after > skipped ? after - skipped : 0;
    if (after > c->partial_peak)
        c->partial_peak = after;
    uint64_t buf = 2 * c->partial_peak, most = c->in->cfg->max_frame + 16;
    *unfinished = (size_t)(buf < most ? buf : most);
    return sizeof *c + 512 + *unfinished + c->pend.buf.alloc + c->pend.crcs.alloc;
}

static void *open_conn(void *ud, ww_net_conn_t *nc)
{
    input_t *in = ud;
    conn_t *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->in = in;
    c->id = ww_net_conn_id(nc);
    int len = snprintf(c->source, sizeof c->source, "%s\t%s", in->cfg->name, ww_net_conn_peer(nc));
    c->source_n = len < 0                           ? 0
                  : (size_t)len >= sizeof c->source ? sizeof c->source - 1
                                                    : (size_t)len;
    int rc = in->cfg->type == WW_IN_BEATS
                 ? ww_lj_new(&(ww_lj_limits_t){.max_payload = in->cfg->max_frame}, &c->lj)
                 : ww_sysframe_new(WW_SYSFRAME_AUTO, in->cfg->max_frame, &c->sf);
    if (rc) {
        free(c);
        return NULL;
    }
    return c;
}

static int64_t syslog_data(void *st, const uint8_t *p, size_t n, ww_diag_t *d)
{
    conn_t *c = st;
    if (flush_pend(c) == WW_SPOOL_EFULL)
        return 0; /* paused until a checkpoint frees room */
    int64_t k = ww_sysframe_feed(c->sf, p, n, on_syslog, c, d);
    if (k < 0) {
        count(&c->in->st->protocol_errors, 1);
        return k;
    }
    /* Refused now, the gathered batch waits; the next call (after resume) sends it. */
    flush_pend(c);
    return k;
}

static void syslog_close(void *st, const char *why)
{
    conn_t *c = st;
    ww_diag_t d = {0};
    /* A last message without its trailer still counts.  Messages still gathered
       because the spool is full cannot be delivered any more: counted as rejected.
       One cut at the memory limit is counted too, not copied once more. */
    if (why && strncmp(why, "memory cap", 10) == 0) {
        count(&c->in->st->received, 1);
        count(&c->in->st->rejected, 1);
    } else {
        ww_sysframe_finish(c->sf, on_syslog, c, &d);
    }
    if (flush_pend(c) != 0)
        count(&c->in->st->rejected, c->pend.n);
    if (why && why[0] && strncmp(why, "shutting", 8) != 0)
        ww_serve_log("info", "%s: closed %s: %s", c->in->cfg->name,
                     c->source + strlen(c->in->cfg->name) + 1, why);
    ww_sysframe_free(c->sf);
    ww_spool_batch_release(&c->pend);
    free(c);
}

static void syslog_datagram(void *ud, const uint8_t *p, size_t n, const struct sockaddr *from,
                            socklen_t fromlen)
{
    input_t *in = ud;
    (void)fromlen;
    count(&in->st->received, 1);
    ww_str_t msg;
    ww_sysframe_datagram(p, n, in->cfg->max_frame, &msg);
    if (!msg.n) {
        count(&in->st->rejected, 1);
        return;
    }
    conn_t c = {.in = in};
    char peer[INET6_ADDRSTRLEN + 8] = "?";
    ww_sockaddr_text(from, peer, sizeof peer);
    int len = snprintf(c.source, sizeof c.source, "%s\t%s", in->cfg->name, peer);
    c.source_n = len < 0 ? 0 : (size_t)len;
    uint64_t seq;
    /* A datagram cannot wait: refused by a full spool, it is dropped and counted. */
    count(append(&c, msg.p, msg.n, &seq) == 0 ? &in->st->accepted : &in->st->rejected, 1);
}

/* ---- Beats ---- */

static int lj_event(void *ud, uint32_t seq, const char *json, size_t n)
{
    conn_t *c = ud;
    (void)seq;
    count(&c->in->st->received, 1);
    uint64_t sseq;
    int rc = append(c, json, n, &sseq);
    if (rc == WW_SPOOL_EFULL) {
        /* Unacknowledged, the window comes again once the client reconnects. */
        count(&c->in->st->rejected, 1);
        return WW_ELIMIT;
    }
    if (rc < 0) {
        count(&c->in->st->rejected, 1);
        return 0;
    }
    count(&c->in->st->accepted, 1);
    c->last_seq = sseq;
    return 0;
}

static int lj_window(void *ud, uint32_t last_seq, uint32_t n)
{
    conn_t *c = ud;
    ww_serve_t *s = c->in->s;
    ack_t a = {c->id, n ? c->last_seq : 0, {0}};
    ww_lj_ack(c->lj, last_seq, a.frame);
    if (!n || ww_spool_durable_seq(s->sp) >= a.seq)
        return ww_net_send(s->net, a.conn, a.frame, sizeof a.frame);
    pthread_mutex_lock(&s->ack_mu);
    if (s->nacks == s->ackcap) {
        size_t nc = s->ackcap ? s->ackcap * 2 : 64;
        ack_t *na = realloc(s->acks, nc * sizeof *na);
        if (!na) {
            pthread_mutex_unlock(&s->ack_mu);
            return WW_ENOMEM;
        }
        s->acks = na;
        s->ackcap = nc;
    }
    s->acks[s->nacks++] = a;
    pthread_mutex_unlock(&s->ack_mu);
    /* The commit may have happened between the check and the queueing. */
    if (ww_spool_durable_seq(s->sp) >= a.seq) {
        pthread_mutex_lock(&s->ack_mu);
        size_t keep = 0;
        uint64_t d = ww_spool_durable_seq(s->sp);
        for (size_t i = 0; i < s->nacks; i++) {
            if (s->acks[i].seq <= d)
                ww_net_send(s->net, s->acks[i].conn, s->acks[i].frame, sizeof s->acks[i].frame);
            else
                s->acks[keep++] = s->acks[i];
        }
        s->nacks = keep;
        pthread_mutex_unlock(&s->ack_mu);
    }
    return 0;
}

static int64_t beats_data(void *st, const uint8_t *p, size_t n, ww_diag_t *d)
{
    conn_t *c = st;
    int rc = ww_lj_feed(c->lj, p, n, lj_event, lj_window, c, d);
    if (rc < 0) {
        count(&c->in->st->protocol_errors, 1);
        return rc;
    }
    return (int64_t)n;
}

static void beats_close(void *st, const char *why)
{
    conn_t *c = st;
    if (why && why[0] && strncmp(why, "shutting", 8) != 0)
        ww_serve_log("info", "%s: closed %s: %s", c->in->cfg->name,
                     c->source + strlen(c->in->cfg->name) + 1, why);
    ww_lj_free(c->lj);
    free(c);
}

static size_t beats_held(void *st, size_t *unfinished)
{
    conn_t *c = st;
    *unfinished = ww_lj_memory(c->lj);
    return sizeof *c + *unfinished;
}

/* The spool's commit thread: acks whose events are now durable go out. */
static void on_durable(void *ud, uint64_t durable)
{
    ww_serve_t *s = ud;
    pthread_mutex_lock(&s->ack_mu);
    size_t keep = 0;
    for (size_t i = 0; i < s->nacks; i++) {
        if (s->acks[i].seq <= durable)
            ww_net_send(s->net, s->acks[i].conn, s->acks[i].frame, sizeof s->acks[i].frame);
        else
            s->acks[keep++] = s->acks[i];
    }
    s->nacks = keep;
    pthread_mutex_unlock(&s->ack_mu);
}

/* ---- the consumer ---- */

static const ww_field_t *field(const ww_event_t *ev, const char *name)
{
    return ev ? ww_event_get(ev, (ww_str_t){name, strlen(name)}, NULL) : NULL;
}

/* A tailed line's spool source is "NAME\t@DEV:INO:END\tPATH" (ww_tail.c): the place is
 * remembered for the turn, so its alerts get an id from the line's place in its file.
 * Records spooled before sources carried it have none, and keep the spool position. */
static void note_tail_key(ww_serve_t *s, uint64_t seq, ww_str_t source)
{
    const char *e = source.p + source.n;
    const char *tab = source.n ? memchr(source.p, '\t', source.n) : NULL;
    if (!tab || tab + 1 >= e || tab[1] != '@')
        return;
    const char *end = memchr(tab + 1, '\t', (size_t)(e - tab - 1));
    size_t kn = (size_t)((end ? end : e) - tab - 1);
    if (s->ntail == s->tailcap) {
        size_t nc = s->tailcap ? s->tailcap * 2 : 256;
        struct tail_key *nk = realloc(s->tail_keys, nc * sizeof *nk);
        if (!nk)
            return; /* the spool position serves */
        s->tail_keys = nk;
        s->tailcap = nc;
    }
    size_t off = s->tail_text.n;
    if (off > UINT32_MAX - kn || ww_buf_append(&s->tail_text, tab + 1, kn) != 0)
        return;
    s->tail_keys[s->ntail++] = (struct tail_key){seq, (uint32_t)off, (uint32_t)kn};
}

/* The place noted for spool record seq this turn, or an empty string. */
static ww_str_t tail_key(const ww_serve_t *s, uint64_t seq)
{
    size_t lo = 0, hi = s->ntail; /* noted in sequence order */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->tail_keys[mid].seq < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < s->ntail && s->tail_keys[lo].seq == seq)
        return (ww_str_t){s->tail_text.p + s->tail_keys[lo].off, s->tail_keys[lo].n};
    return (ww_str_t){"", 0};
}

static const char *keep_str(ww_serve_t *s, const char *p, size_t n)
{
    const char *c = ww_arena_strndup(&s->scratch, p, n);
    return c ? c : "";
}

static const char *field_text(ww_serve_t *s, const ww_event_t *ev, const char *const *names,
                              size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const ww_field_t *f = field(ev, names[i]);
        if (f && f->value.n)
            return keep_str(s, f->value.p, f->value.n);
    }
    return "";
}

/* Opens the turn's transaction, taking the store's write lock at once: a store another
 * program holds is waited for here, a second at a time, before any alert of the turn
 * is written (so a busy store never loses one).  Any other failure marks the turn
 * failed: it is rolled back and the server stops, to replay from the checkpoint. */
static int begin(ww_serve_t *s)
{
    if (s->in_tx)
        return 0;
    if (s->store_failed)
        return WW_EIO;
    for (int tries = 0;; tries++) {
        ww_diag_t d = {0};
        if (ww_store_exec(s->store, "BEGIN IMMEDIATE", &d) == 0)
            break;
        if (!ww_store_busy(s->store) || (s->stop && tries > 10)) {
            ww_serve_log("error", "alert store: %s", d.msg);
            s->store_failed = true;
            return WW_EIO;
        }
        if (tries % 30 == 0)
            ww_serve_log("error", "alert store: %s: waiting for it (inputs push back meanwhile)",
                         d.msg);
    }
    s->in_tx = true;
    return 0;
}

/* True when a live suppression covers the alert: it is then counted on the
 * suppression (hits, last hit) in this turn's transaction, and neither stored nor
 * notified.  Reading the generation is one indexed row per alert; the suppressions
 * themselves are re-read only when it moved (the console added or removed one). */
static bool suppressed(ww_serve_t *s, const ww_alert_t *a, const ww_event_t *ev)
{
    ww_diag_t d = {0};
    int64_t gen, now = time(NULL);
    if (ww_suppress_generation(s->store, &gen, &d) == 0 && (!s->supp || gen != s->supp_gen)) {
        ww_suppress_set_t *set = NULL;
        if (ww_suppress_load(s->store, now, &set, &d) == 0) {
            ww_suppress_set_free(s->supp);
            s->supp = set;
            s->supp_gen = gen;
            ww_serve_log("info", "suppressions: %u live", ww_suppress_count(set));
        }
    }
    if (d.msg[0])
        ww_serve_log("error", "suppressions: %s", d.msg);
    int64_t id = ww_suppress_match(s->supp, a, ev, now);
    if (!id || begin(s) != 0)
        return id != 0;
    if (ww_suppress_hit(s->store, id, now, &d) != 0) {
        ww_serve_log("error", "alert store: %s", d.msg);
        s->store_failed = true;
    }
    return true;
}

static void on_hit(void *ud, const ww_pipe_hit_t *h)
{
    ww_serve_t *s = ud;
    const ww_sigma_rule_t *rule = h->rule;
    const ww_event_t *ev = h->ev;
    ww_arena_reset(&s->scratch);
    ww_alert_t a = {0};
    a.rule_id = rule->id ? rule->id : "";
    a.rule_title = rule->title ? rule->title : "";
    a.level = rule->level;
    a.received = now_ns();
    static const char *const users[] = {"user", "TargetUserName", "SubjectUserName", "User"};
    static const char *const ips[] = {"src_ip", "IpAddress", "SourceIp", "ClientIP"};
    /* A record id the source gave the event: Windows' EventRecordID (also as Winlogbeat
       and NXLog name it), an ECS event.id. */
    static const char *const record_ids[] = {"EventRecordID", "winlog.record_id", "RecordNumber",
                                             "event.id"};
    const ww_sc_input_t *in = h->source < s->ninputs ? s->inputs[h->source].cfg : NULL;
    a.source = in ? in->name : "?";
    snprintf(s->position, sizeof s->position, "seq %llu", (unsigned long long)h->index);
    a.position = s->position;
    ww_buf_t evj;
    ww_buf_init(&evj, WW_ALERT_MAX_EVENT);
    if (ev) {
        a.ts = ev->ts;
        a.host = keep_str(s, ev->host.p, ev->host.n);
        a.user = field_text(s, ev, users, WW_ARRAY_LEN(users));
        a.src_ip = field_text(s, ev, ips, WW_ARRAY_LEN(ips));
        ww_event_to_json(ev, &evj);
    } else {
        /* A correlation: its group-by values stand for the event. */
        const ww_corr_alert_t *c = h->corr;
        a.ts = c->last_ts;
        a.host = a.user = a.src_ip = "";
        ww_buf_printf(&evj, "{\"correlation\":{\"events\":%u,\"value\":%.17g,\"group\":{", c->nrefs,
                      c->value);
        for (uint32_t i = 0; i < c->ngroup; i++) {
            const char *name = c->group_names[i];
            if (i)
                ww_buf_putc(&evj, ',');
            ww_buf_json_str(&evj, name, strlen(name));
            ww_buf_putc(&evj, ':');
            ww_buf_json_str(&evj, c->group_values[i].p, c->group_values[i].n);
            const char *v = keep_str(s, c->group_values[i].p, c->group_values[i].n);
            if (!strcasecmp(name, "host") || !strcasecmp(name, "Computer"))
                a.host = v;
            else if (!strcasecmp(name, "user") || !strcasecmp(name, "TargetUserName"))
                a.user = v;
            else if (!strcasecmp(name, "src_ip") || !strcasecmp(name, "IpAddress"))
                a.src_ip = v;
        }
        ww_buf_puts(&evj, "}}}");
    }
    a.event_json = evj.err ? "{}" : evj.p;
    /* ATT&CK techniques from the rule's tags ("attack.t1110.001" -> "T1110.001"). */
    char tech[256] = "";
    size_t tn = 0;
    for (uint32_t i = 0; i < rule->ntags && tn < sizeof tech - 24; i++) {
        const char *t = rule->tags[i];
        if (strncasecmp(t, "attack.t", 8) != 0 || !(t[8] >= '0' && t[8] <= '9'))
            continue;
        if (tn)
            tech[tn++] = ',';
        for (const char *q = t + 7; *q && tn < sizeof tech - 2; q++)
            tech[tn++] = (char)(*q >= 'a' && *q <= 'z' ? *q - 32 : *q);
        tech[tn] = 0;
    }
    a.techniques = tech;
    char why[300];
    ww_alert_prioritise(&a, ww_asset_index_find(s->aix, a.host, a.src_ip), why, sizeof why);
    /* The alert's id: the rule, the input, and the event's own record id when it has
       one (so an event a sender sends again after a lost reply is the same alert),
       for RELP the message itself, else its place in the spool. */
    char rid[600];
    ww_str_t tk;
    const char *recid = ev ? field_text(s, ev, record_ids, WW_ARRAY_LEN(record_ids)) : "";
    if (recid[0]) {
        int len = snprintf(rid, sizeof rid, "record %.*s/%.*s/%s", (int)ev->host.n, ev->host.p,
                           (int)ev->channel.n, ev->channel.p, recid);
        ww_spool_alert_id(a.rule_id, strlen(a.rule_id), a.source, strlen(a.source), rid,
                          len > 0 ? (size_t)len : 0, a.id);
    } else if (in && in->type == WW_IN_TAIL && (tk = tail_key(s, h->index)).n && ev) {
        /* The line's place in its file and the line itself: the same line read again
           after a crash is the same alert; another line at that place (the file was
           truncated and written again) is another. */
        size_t kn = tk.n + 1 + ev->raw.n;
        char *k = ww_arena_alloc(&s->scratch, kn);
        if (k) {
            memcpy(k, tk.p, tk.n);
            k[tk.n] = '\n';
            memcpy(k + tk.n + 1, ev->raw.p, ev->raw.n);
        }
        ww_spool_alert_id(a.rule_id, strlen(a.rule_id), a.source, strlen(a.source), k ? k : tk.p,
                          k ? kn : tk.n, a.id);
    } else if (in && in->type == WW_IN_RELP && ev && ev->raw.n) {
        /* A RELP sender sends again every message it got no 200 for, also one that was
           stored just before a crash: the same message is the same alert. */
        ww_spool_alert_id(a.rule_id, strlen(a.rule_id), a.source, strlen(a.source), ev->raw.p,
                          ev->raw.n, a.id);
    } else {
        uint8_t pos[16];
        ww_spool_position(s->sp, h->index, pos);
        ww_spool_alert_id(a.rule_id, strlen(a.rule_id), a.source, strlen(a.source), pos, sizeof pos,
                          a.id);
    }
    if (suppressed(s, &a, ev)) {
        ww_buf_release(&evj);
        return;
    }
    bool inserted = false;
    ww_diag_t d = {0};
    if (begin(s) != 0) {
        ww_buf_release(&evj);
        return;
    }
    if (ww_alerts_put_cached(s->store, &s->put, &a, &inserted, &d) != 0) {
        ww_serve_log("error", "alert store: %s", d.msg);
        s->store_failed = true;
        ww_buf_release(&evj);
        return;
    }
    if (inserted && s->live->nnotifiers) {
        /* A notification leaves the trust: an indicator marked TLP:RED is named in
           none, nor is the event that would give its value away (docs/intel.md). */
        ww_alert_t na = a;
        if (ww_intel_rule_tlp(rule) == WW_TLP_RED) {
            na.rule_title = "Indicator match: value withheld (TLP:RED, see the alert store)";
            na.event_json = "{\"withheld\":\"TLP:RED\"}";
        }
        if (ww_notify_queue(s->store, s->live, &na, &d) != 0) {
            ww_serve_log("error", "%s", d.msg);
            s->store_failed = true;
        }
        s->queued = true;
    }
    if (inserted) {
        count(&s->alerts_stored, 1);
        ww_serve_log("alert", "P%d %s %s on %s (%s)", a.priority, ww_level_name(a.level),
                     a.rule_title, a.host[0] ? a.host : "-", a.id);
    } else {
        count(&s->alerts_repeated, 1); /* a replay after a crash: stored already */
    }
    ww_buf_release(&evj);
}

static void on_bad(void *ud, uint32_t source, uint64_t index, const ww_diag_t *d)
{
    ww_serve_t *s = ud;
    count(&s->bad_events, 1);
    if (s->bad_events <= 20 || s->bad_events % 10000 == 0)
        ww_serve_log("warning", "%s seq %llu: not decoded: %s (%llu so far)",
                     source < s->ninputs ? s->inputs[source].cfg->name : "?",
                     (unsigned long long)index, d->msg, (unsigned long long)s->bad_events);
}

/* A correlation alert the watermark decided (a window closed by time, not by one of
 * its own events): handed on as the pipeline hands on the others. */
static void on_corr_alert(void *ud, const ww_corr_alert_t *a)
{
    ww_serve_t *s = ud;
    if (!a->rule->alert)
        return;
    if (s->warming) {
        s->warm_alerts++; /* raised before the checkpoint already */
        return;
    }
    uint64_t first = a->nrefs ? a->refs[0] : 0;
    ww_pipe_hit_t h = {.rule = a->rule,
                       .corr = a,
                       .source = WW_PIPE_REF_SOURCE(first),
                       .index = WW_PIPE_REF_INDEX(first),
                       .fmt = -1};
    on_hit(s, &h);
}

static void on_event(void *ud, const ww_event_t *ev, uint32_t source, uint64_t index)
{
    ww_serve_t *s = ud;
    (void)index;
    count(&s->events, 1);
    ww_seen_note(s->seen, source, ev->host.p, ev->host.n);
    /* After its matches were fed: the event's time moves the watermark.  A late event
       was evaluated and alerted on as usual; only correlations did not take it. */
    if (ww_corr_observe(s->corr, ev->ts, on_corr_alert, s) == 1)
        count(&s->events_late, 1);
}

/* Processed through seq: remembered with the watermark, for keep_history. */
static void note_mark(ww_serve_t *s, ww_corr_t *corr, uint64_t seq)
{
    int64_t wm = ww_corr_watermark(corr);
    if (wm == WW_TIME_NONE || !seq)
        return;
    /* Marks closer than 1/128 of the horizon are merged (the later seq and the later
       watermark, which keeps at least as much), so there are few. */
    int64_t step = (ww_corr_max_span(corr) + (int64_t)s->live->lateness_ms * 1000000) / 128;
    mark_t *last = s->nmarks ? &s->marks[s->nmarks - 1] : NULL;
    if (last && (wm - last->wm < step || s->nmarks == MARKS_MAX)) {
        last->seq = seq;
        last->wm = wm;
        return;
    }
    s->marks[s->nmarks++] = (mark_t){seq, wm};
}

/* Tells the spool which processed records a warm-up would still need: those whose
 * event time may lie within the longest correlation window before the watermark.  A
 * mark whose watermark plus lateness (the newest event time up to its seq) is older
 * than that holds none of them. */
static void keep_history(ww_serve_t *s)
{
    /* A retro-hunt searches what the spool keeps (within its history cap): nothing is
       given up early for the correlations' sake then. */
    if (s->live->intel && s->live->intel_retro_ms)
        return;
    int64_t wm = ww_corr_watermark(s->corr);
    if (wm == WW_TIME_NONE)
        return;
    int64_t need = wm - ww_corr_max_span(s->corr), late = (int64_t)s->live->lateness_ms * 1000000;
    uint32_t k = 0;
    while (k < s->nmarks && s->marks[k].wm + late < need)
        k++;
    if (!k)
        return;
    ww_spool_retain(s->sp, s->marks[k - 1].seq + 1);
    memmove(s->marks, s->marks + k, (s->nmarks - k) * sizeof *s->marks);
    s->nmarks -= k;
}

static void on_done(void *ud, uint64_t mark)
{
    ww_serve_t *s = ud;
    s->last_mark = mark;
    note_mark(s, s->corr, mark);
    __atomic_store_n(&s->last_batch_s, (int64_t)time(NULL), __ATOMIC_RELAXED);
}

static int fmt_of(const ww_sc_input_t *in, ww_str_t payload)
{
    switch (in->type) {
    case WW_IN_BEATS:
    case WW_IN_HTTP: return WW_FMT_JSON;
    case WW_IN_TAIL:
        if (in->format != WW_FMT_AUTO)
            return in->format;
        return payload.n && payload.p[0] == '{' ? WW_FMT_JSON : WW_FMT_SYSLOG;
    default: return WW_FMT_SYSLOG;
    }
}

static uint32_t input_of(ww_serve_t *s, ww_str_t source)
{
    const char *tab = memchr(source.p, '\t', source.n);
    size_t n = tab ? (size_t)(tab - source.p) : source.n;
    for (uint32_t i = 0; i < s->ninputs; i++)
        if (s->inputs[i].name_n == n && memcmp(s->inputs[i].cfg->name, source.p, n) == 0)
            return i;
    return UINT32_MAX; /* an input no longer in the config */
}

/* The format of a spooled record from input `in` (UINT32_MAX: an input since removed
 * from the config, whose format is not known: syslog unless it looks like JSON). */
static int rec_fmt(const ww_serve_t *s, uint32_t in, ww_str_t payload)
{
    if (in == UINT32_MAX)
        return payload.n && payload.p[0] == '{' ? WW_FMT_JSON : WW_FMT_SYSLOG;
    return fmt_of(s->inputs[in].cfg, payload);
}

/* ---- limits: memory, the consumer's share ---- */

/* A message in the pipeline until replayed: its copy, the decoded event and its
   fields (an estimate: about twice the text again, and a fixed part). */
#define PIPE_COST(n) (3 * (uint64_t)(n) + 1024)

/* Gives back the charges of the messages replayed so far (through last_mark), or all
 * of them after a drain. */
static void pipe_release(ww_serve_t *s, bool all)
{
    uint64_t give = 0;
    while (s->pc_head < s->pc_n && (all || s->pc[s->pc_head].seq <= s->last_mark))
        give += s->pc[s->pc_head++].cost;
    if (s->pc_head == s->pc_n)
        s->pc_head = s->pc_n = 0;
    ww_mem_give(&s->mem, give);
}

/* Charges a message about to be handed to the pipeline.  The consumer never waits for
 * memory -- what it holds is what draining frees -- so at the cap it drains the
 * pipeline first, and the inputs wait meanwhile. */
static void pipe_charge(ww_serve_t *s, uint64_t seq, size_t n)
{
    uint64_t cost = PIPE_COST(n);
    if (!ww_mem_room_all(&s->mem, cost)) {
        ww_pipe_drain(s->pipe);
        pipe_release(s, true);
    }
    ww_mem_force(&s->mem, cost);
    s->pc[s->pc_n++] = (struct pipe_charge){seq, cost};
}

/* ---- the server's own alerts ---- */

/* When inputs were refused or held back because the spool was full (at its cap, or
 * the disk), the counters say so and so does an alert, stored and notified like any
 * other, so that a team that watches alerts and not metrics hears of it.  One alert
 * per kind per hour at most: its id is the kind and the hour, so a long episode, or a
 * replay after a restart, stores it once. */
static void spool_full_alert(ww_serve_t *s)
{
    ww_spool_stats_t st;
    ww_spool_stats(s->sp, &st);
    uint64_t cap = st.full_refusals, disk = st.enospc_refusals;
    bool more_cap = cap > s->seen_full, more_disk = disk > s->seen_enospc;
    s->seen_full = cap;
    s->seen_enospc = disk;
    if (!more_cap && !more_disk)
        return;
    static const char rule_id[] = "wardwatch.serve.spool-full";
    char host[256] = "", hour[40], why[200], ev[512];
    if (gethostname(host, sizeof host - 1) != 0)
        snprintf(host, sizeof host, "wardwatch");
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(hour, sizeof hour, "%Y-%m-%dT%H", &tm);
    const char *kind = more_disk ? "disk" : "cap";
    snprintf(ev, sizeof ev,
             "{\"spool_bytes\":%llu,\"max_bytes\":%llu,\"refused_at_cap\":%llu,"
             "\"refused_disk_full\":%llu,\"full\":\"%s\"}",
             (unsigned long long)st.bytes, (unsigned long long)st.max_bytes,
             (unsigned long long)cap, (unsigned long long)disk, kind);
    ww_alert_t a = {0};
    a.rule_id = rule_id;
    a.rule_title = more_disk ? "Monitoring: the spool's disk is full; inputs are held back"
                             : "Monitoring: the spool is full; inputs are held back";
    a.level = WW_LEVEL_HIGH;
    a.received = now_ns();
    a.ts = a.received;
    a.host = host;
    a.user = a.src_ip = a.techniques = "";
    a.source = "serve";
    a.position = hour;
    a.event_json = ev;
    ww_alert_prioritise(&a, ww_asset_index_find(s->aix, a.host, ""), why, sizeof why);
    a.why = why;
    char key[64];
    int len = snprintf(key, sizeof key, "%s %s", kind, hour);
    ww_spool_alert_id(rule_id, sizeof rule_id - 1, "serve", 5, key, (size_t)len, a.id);
    bool inserted = false;
    ww_diag_t d = {0};
    if (begin(s) != 0)
        return;
    if (ww_alerts_put_cached(s->store, &s->put, &a, &inserted, &d) != 0) {
        ww_serve_log("error", "alert store: %s", d.msg);
        s->store_failed = true;
        return;
    }
    if (!inserted)
        return;
    count(&s->alerts_stored, 1);
    if (s->live->nnotifiers) {
        if (ww_notify_queue(s->store, s->live, &a, &d) != 0) {
            ww_serve_log("error", "%s", d.msg);
            s->store_failed = true;
        }
        s->queued = true;
    }
    ww_serve_log("alert", "P%d %s %s on %s (%s)", a.priority, ww_level_name(a.level), a.rule_title,
                 a.host, a.id);
}

static const char *seen_input_name(void *ud, uint32_t input)
{
    ww_serve_t *s = ud;
    return input < s->ninputs ? s->inputs[input].cfg->name : "?";
}

/* Writes the hosts noted since the last write: with a turn's alerts when it has some,
 * else at most every 10 s (so a quiet server does not commit once a turn), in a
 * transaction of its own when called outside a turn (idle, stopping). */
static void seen_write(ww_serve_t *s, bool in_turn)
{
    int64_t now_s = (int64_t)time(NULL);
    if (!ww_seen_pending(s->seen) || (!s->in_tx && now_s - s->seen_flushed_s < 10 && !s->stop) ||
        s->store_failed || (!in_turn && s->in_tx) || begin(s) != 0)
        return;
    ww_diag_t d = {0};
    if (ww_seen_flush(s->seen, s->store, seen_input_name, s, now_s, &d) != 0)
        ww_serve_log("warning", "%s", d.msg);
    s->seen_flushed_s = now_s;
    if (in_turn)
        return;
    if (ww_store_exec(s->store, "COMMIT", &d) != 0) {
        ww_serve_log("warning", "hosts seen: %s", d.msg);
        ww_store_rollback(s->store);
    }
    s->in_tx = false;
}

/* One turn: up to CONSUME_MAX durable records through the pipeline, the store
 * committed, the checkpoint moved.  Returns records processed, or WW_E*. */
static int consume(ww_serve_t *s)
{
    ww_spool_rec_t rec;
    int n = 0, rc;
    s->last_mark = 0;
    s->oldest_arrival = 0;
    s->ntail = 0;
    ww_buf_clear(&s->tail_text);
    while (n < CONSUME_MAX && (rc = ww_spool_next(s->sp, &rec)) == 1) {
        uint32_t in = input_of(s, rec.source);
        if (in != UINT32_MAX && s->inputs[in].cfg->type == WW_IN_TAIL)
            note_tail_key(s, rec.seq, rec.source);
        if (!s->oldest_arrival)
            s->oldest_arrival = rec.arrival_ns;
        n++;
        pipe_charge(s, rec.seq, rec.payload.n);
        rc = ww_pipe_add_message(s->pipe, in == UINT32_MAX ? s->ninputs : in,
                                 rec_fmt(s, in, rec.payload), rec.seq, rec.seq, rec.payload.p,
                                 rec.payload.n);
        if (rc < 0)
            return rc;
        pipe_release(s, false);
    }
    if (!n)
        return 0;
    ww_pipe_drain(s->pipe);
    pipe_release(s, true);
    spool_full_alert(s);
    if (s->store_failed) {
        ww_diag_t d = {0};
        if (s->in_tx)
            ww_store_exec(s->store, "ROLLBACK", &d);
        s->in_tx = false;
        ww_serve_log("error", "alert store: this turn's alerts could not be written; stopping so "
                              "that a restart replays them from the checkpoint");
        return WW_EIO;
    }
    seen_write(s, true);
    if (s->in_tx) {
        /* A store that cannot commit (locked by another program, disk full) holds the
           checkpoint back: this turn's records stay in the spool, inputs push back once
           it fills, and the commit is tried again each second.  Should SQLite have
           rolled the transaction back itself, the alerts of this turn are gone from
           it: the server stops, and a restart replays them from the checkpoint. */
        int tries = 0;
        for (;;) {
            ww_diag_t d = {0};
            if (ww_store_exec(s->store, "COMMIT", &d) == 0)
                break;
            if (sqlite3_get_autocommit(s->store->db)) {
                ww_serve_log("error",
                             "alert store: %s: the transaction was rolled back; stopping "
                             "so that a restart replays from the checkpoint",
                             d.msg);
                s->in_tx = false;
                return WW_EIO;
            }
            if (tries++ % 30 == 0)
                ww_serve_log("error", "alert store: %s: holding the checkpoint and retrying",
                             d.msg);
            if (s->stop && tries > 10)
                return WW_EIO; /* stopping: the spool keeps the records for the next start */
            struct timespec ts = {1, 0};
            nanosleep(&ts, NULL);
        }
        s->in_tx = false;
    }
    if (s->queued) {
        s->queued = false;
        ww_notify_kick(s->notify);
    }
    keep_history(s);
    if (s->last_mark && (rc = ww_spool_checkpoint(s->sp, s->last_mark)) < 0)
        return rc;
    ww_corr_stats_t cs;
    ww_corr_get_stats(s->corr, &cs);
    __atomic_store_n(&s->corr_groups, cs.groups_open, __ATOMIC_RELAXED);
    __atomic_store_n(&s->events_future, s->future_base + cs.events_future, __ATOMIC_RELAXED);
    __atomic_store_n(&s->lag_ns, s->oldest_arrival ? now_ns() - s->oldest_arrival : 0,
                     __ATOMIC_RELAXED);
    resume_full(s);
    return n;
}

/* ---- /metrics ---- */

/* A Prometheus label value: backslash, quote and newline escaped. */
static void label(ww_buf_t *b, const char *v)
{
    for (; *v; v++) {
        if (*v == '\\' || *v == '"')
            ww_buf_putc(b, '\\');
        if (*v == '\n')
            ww_buf_puts(b, "\\n");
        else
            ww_buf_putc(b, *v);
    }
}

static void metric(ww_buf_t *b, const char *name, const char *type, const char *help)
{
    ww_buf_printf(b, "# HELP wardwatch_%s %s\n# TYPE wardwatch_%s %s\n", name, help, name, type);
}

void ww_serve_metrics(ww_serve_t *s, ww_buf_t *b)
{
    ww_serve_stats_t st;
    ww_serve_get_stats(s, &st);
    ww_notify_stats_t ns;
    pthread_mutex_lock(&s->stats_mu); /* a reload may swap the notifier */
    ww_notify_get_stats(s->notify, &ns);
    pthread_mutex_unlock(&s->stats_mu);
    static const struct {
        const char *name, *help;
        size_t off;
    } per[] = {
        {"input_received_total", "Messages (events) received by the input.",
         offsetof(ww_serve_input_stats_t, received)},
        {"input_accepted_total", "Messages made part of the spool (acknowledged once durable).",
         offsetof(ww_serve_input_stats_t, accepted)},
        {"input_rejected_total",
         "Messages refused: spool full (UDP: dropped), malformed, empty or too large.",
         offsetof(ww_serve_input_stats_t, rejected)},
        {"input_connections_total", "Connections accepted.",
         offsetof(ww_serve_input_stats_t, connections)},
        {"input_connections_refused_total", "Connections refused at max_connections.",
         offsetof(ww_serve_input_stats_t, refused_connections)},
        {"input_idle_closed_total", "Connections closed for idleness (idle_timeout).",
         offsetof(ww_serve_input_stats_t, idle_closed)},
        {"input_tls_failed_total", "TLS handshakes that failed.",
         offsetof(ww_serve_input_stats_t, tls_failed)},
        {"input_protocol_errors_total", "Connections closed for a framing or protocol error.",
         offsetof(ww_serve_input_stats_t, protocol_errors)},
    };
    for (size_t m = 0; m < WW_ARRAY_LEN(per); m++) {
        metric(b, per[m].name, "counter", per[m].help);
        for (uint32_t i = 0; i < st.ninputs; i++) {
            const ww_serve_input_stats_t *in = &st.inputs[i];
            ww_buf_printf(b, "wardwatch_%s{input=\"", per[m].name);
            label(b, in->name);
            ww_buf_printf(b, "\"} %llu\n",
                          (unsigned long long)*(const uint64_t *)((const char *)in + per[m].off));
        }
    }
    const struct {
        const char *name, *type, *help;
        double v;
    } one[] = {
        {"spool_bytes", "gauge", "Bytes of spool segments on disk.", (double)st.spool_bytes},
        {"spool_max_bytes", "gauge", "The spool's cap.", (double)st.spool_max_bytes},
        {"spool_history_bytes", "gauge",
         "Processed segments kept for the correlation warm-up (part of spool_bytes).",
         (double)st.spool_history_bytes},
        {"spool_backlog", "gauge", "Durable events not yet processed (queue depth).",
         (double)(st.durable_seq - st.processed_seq)},
        {"events_total", "counter", "Events decoded and evaluated.", (double)st.events},
        {"events_undecoded_total", "counter", "Messages that could not be decoded.",
         (double)st.bad_events},
        {"events_late_total", "counter",
         "Events older than the watermark (newest event time minus lateness): alerted on, "
         "not correlated.",
         (double)st.events_late},
        {"events_future_total", "counter",
         "Events dated ahead of this server's clock by more than the bound: correlated at "
         "the bound.",
         (double)st.events_future},
        {"correlation_groups", "gauge", "Correlation windows open.", (double)st.corr_groups},
        {"reloads_total", "counter", "SIGHUP reloads applied.", (double)st.reloads},
        {"reloads_refused_total", "counter", "SIGHUP reloads refused (the old setup ran on).",
         (double)st.reloads_refused},
        {"alerts_total", "counter", "Alerts stored.", (double)st.alerts_stored},
        {"alerts_repeated_total", "counter",
         "Alerts raised again by a replay and refused because they were stored already.",
         (double)st.alerts_repeated},
        {"notifications_sent_total", "counter", "Notifications delivered.", (double)ns.sent},
        {"notifications_failed_total", "counter", "Notification attempts that failed (retried).",
         (double)ns.failed_attempts},
        {"notifications_dead_total", "counter",
         "Notifications given up after their retries (dead-lettered).", (double)ns.dead},
        {"detection_lag_seconds", "gauge",
         "Arrival of the oldest event of the last batch to its alerts being stored.",
         (double)st.lag_ns / 1e9},
        {"memory_bytes", "gauge",
         "Memory held for senders (connections, bodies, backlog), counted against limits: memory.",
         (double)__atomic_load_n(&s->mem.used, __ATOMIC_RELAXED)},
        {"memory_peak_bytes", "gauge", "The most memory_bytes has been since start.",
         (double)__atomic_load_n(&s->mem.peak, __ATOMIC_RELAXED)},
        {"memory_limit_bytes", "gauge", "limits: memory.", (double)s->mem.cap},
        {"memory_pressure_total", "counter",
         "Reads paused, connections and requests refused (HTTP 503) at the memory limit.",
         (double)__atomic_load_n(&s->mem.pressure, __ATOMIC_RELAXED)},
    };
    for (size_t m = 0; m < WW_ARRAY_LEN(one); m++) {
        metric(b, one[m].name, one[m].type, one[m].help);
        ww_buf_printf(b, "wardwatch_%s %.17g\n", one[m].name, one[m].v);
    }
}

static enum MHD_Result metrics_page(void *cls, struct MHD_Connection *c, const char *url,
                                    const char *method, const char *version, const char *data,
                                    size_t *size, void **con_cls)
{
    (void)version;
    (void)data;
    (void)size;
    (void)con_cls;
    ww_serve_t *s = cls;
    ww_buf_t b;
    ww_buf_init(&b, 0);
    unsigned status = 200;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        status = 405;
        ww_buf_puts(&b, "only GET\n");
    } else if (strcmp(url, "/metrics") != 0) {
        status = 404;
        ww_buf_puts(&b, "see /metrics\n");
    } else {
        ww_serve_metrics(s, &b);
    }
    struct MHD_Response *r =
        MHD_create_response_from_buffer(b.n, b.p ? b.p : "", MHD_RESPMEM_MUST_COPY);
    ww_buf_release(&b);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "text/plain; version=0.0.4");
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

int ww_serve_metrics_port(const ww_serve_t *s)
{
    return s->metrics_port;
}

/* ---- correlation warm-up ---- */

static int workers(const ww_serve_config_t *cfg);

/* The stream-mode correlation engine for rules rs, with the config's lateness.  An
 * event time more than half the lateness (at most 30 s) ahead of this server's clock
 * is taken as that bound: a sender whose clock runs ahead shortens everyone else's
 * lateness by at most that much. */
static int corr_new(const ww_serve_config_t *cfg, const ww_sigma_ruleset_t *rs, ww_corr_t **out)
{
    ww_corr_t *c = NULL;
    int rc = ww_corr_new(rs, NULL, &c);
    if (rc != 0)
        return rc;
    int64_t late = (int64_t)cfg->lateness_ms * 1000000;
    int64_t future = late / 2 < WW_SERVE_MAX_FUTURE_NS ? late / 2 : WW_SERVE_MAX_FUTURE_NS;
    ww_corr_stream_t so = {late, future, NULL, NULL};
    if ((rc = ww_corr_set_stream(c, &so)) != 0) {
        ww_corr_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

typedef struct warm {
    ww_serve_t *s;
    ww_pipe_t *pipe;
    ww_corr_t *corr;
    uint64_t first, last;
    int64_t dog_ns, last_dog;
} warm_t;

static void warm_hit(void *ud, const ww_pipe_hit_t *h)
{
    warm_t *w = ud;
    if (h->corr)
        w->s->warm_alerts++; /* raised (and stored) before the checkpoint already */
}

static void warm_event(void *ud, const ww_event_t *ev, uint32_t source, uint64_t index)
{
    warm_t *w = ud;
    (void)source;
    (void)index;
    w->s->warm_events++;
    ww_corr_observe(w->corr, ev->ts, on_corr_alert, w->s); /* late ones were counted then */
}

static void warm_done(void *ud, uint64_t mark)
{
    warm_t *w = ud;
    note_mark(w->s, w->corr, mark);
    if (w->dog_ns && now_ns() - w->last_dog >= w->dog_ns) {
        ww_sd_notify("WATCHDOG=1"); /* a long warm-up is not a hang */
        w->last_dog = now_ns();
    }
}

static int warm_rec(void *ud, const ww_spool_rec_t *rec)
{
    warm_t *w = ud;
    ww_serve_t *s = w->s;
    if (!w->first)
        w->first = rec->seq;
    w->last = rec->seq;
    uint32_t in = input_of(s, rec->source);
    int fmt = rec_fmt(s, in, rec->payload);
    int rc = ww_pipe_add_message(w->pipe, in == UINT32_MAX ? s->ninputs : in, fmt, rec->seq,
                                 rec->seq, rec->payload.p, rec->payload.n);
    return rc < 0 ? rc : s->stop ? 1 : 0;
}

/* Rebuilds correlation windows after a start or a reload: the events already
 * processed (checkpointed) that the spool keeps as history are decoded and evaluated
 * again with prog, and their matches fed to corr only -- no alert is stored, since
 * everything they raise was raised before the checkpoint -- in the order they were
 * first processed, under the same spool sequence numbers, so an alert completed later
 * by new events has the same id it would have had without the restart.  The watermark
 * drops what is older than the windows. */
static int warm_up(ww_serve_t *s, ww_detect_t *prog, ww_corr_t *corr)
{
    if (!ww_corr_max_span(corr))
        return 0; /* no correlations: nothing to rebuild */
    warm_t w = {.s = s, .corr = corr, .dog_ns = (int64_t)ww_sd_watchdog_usec() * 1000 / 2};
    w.last_dog = now_ns();
    ww_pipe_sink_t sink = {.hit = warm_hit, .event = warm_event, .done = warm_done, .ud = &w};
    int rc = ww_pipe_new(prog, corr, workers(s->live), &sink, &w.pipe);
    if (rc != 0)
        return rc;
    int64_t t0 = now_ns();
    s->warming = true;
    s->warm_events = s->warm_alerts = 0;
    s->nmarks = 0;
    rc = ww_spool_history(s->sp, 0, warm_rec, &w);
    ww_pipe_free(w.pipe); /* replays what is left */
    s->warming = false;
    if (rc < 0) {
        ww_serve_log("error", "correlation warm-up: %s", ww_strerror(rc));
        return rc;
    }
    ww_corr_stats_t cs;
    ww_corr_get_stats(corr, &cs);
    __atomic_store_n(&s->corr_groups, cs.groups_open, __ATOMIC_RELAXED);
    if (w.first)
        ww_serve_log("info",
                     "correlation warm-up: %llu events (seq %llu..%llu) replayed into "
                     "correlations in %.1f s: %llu windows open, %llu alerts already raised "
                     "not raised again",
                     (unsigned long long)s->warm_events, (unsigned long long)w.first,
                     (unsigned long long)w.last, (double)(now_ns() - t0) / 1e9,
                     (unsigned long long)cs.groups_open, (unsigned long long)s->warm_alerts);
    return 0;
}

/* The pipeline's syslog history after a start: the syslog messages just before the
 * checkpoint that the spool still keeps, so that an sshd line without an address
 * whose session began before the restart finds it as it would have without one. */
#define SEED_RECORDS 8192 /* at least 64 KiB of syslog lines of 8 bytes and more */

static int seed_rec(void *ud, const ww_spool_rec_t *rec)
{
    ww_serve_t *s = ud;
    if (rec_fmt(s, input_of(s, rec->source), rec->payload) != WW_FMT_SYSLOG)
        return 0;
    return ww_pipe_history_add(s->pipe, rec->payload.p, rec->payload.n) < 0 ? 1 : 0;
}

static void seed_history(ww_serve_t *s)
{
    ww_spool_stats_t st;
    ww_spool_stats(s->sp, &st);
    if (!st.processed_seq)
        return;
    uint64_t from = st.processed_seq > SEED_RECORDS ? st.processed_seq - SEED_RECORDS + 1 : 0;
    if (ww_spool_history(s->sp, from, seed_rec, s) < 0)
        ww_serve_log("warning", "syslog history: cannot read the spool's history; sshd lines "
                                "without an address just after this start may miss their session");
}

/* ---- SIGHUP ---- */

/* detection: threads, 0 meaning one per core. */
static int workers(const ww_serve_config_t *cfg)
{
    if (cfg->threads)
        return (int)cfg->threads;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 && n < 256 ? (int)n : 2;
}

static bool same_str(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

static bool same_input(const ww_sc_input_t *a, const ww_sc_input_t *b)
{
    if (a->type != b->type || !same_str(a->name, b->name) || !same_str(a->listen, b->listen) ||
        a->has_tls != b->has_tls || !same_str(a->tls.cert, b->tls.cert) ||
        !same_str(a->tls.key, b->tls.key) || !same_str(a->tls.client_ca, b->tls.client_ca) ||
        a->max_connections != b->max_connections || a->max_frame != b->max_frame ||
        a->idle_timeout_ms != b->idle_timeout_ms || a->max_body != b->max_body ||
        a->recv_buffer != b->recv_buffer || a->ntokens != b->ntokens || a->npaths != b->npaths ||
        a->from_start != b->from_start || a->format != b->format)
        return false;
    for (uint32_t i = 0; i < a->ntokens; i++)
        if (!same_str(a->tokens[i].name, b->tokens[i].name) ||
            !same_str(a->tokens[i].value, b->tokens[i].value))
            return false;
    for (uint32_t i = 0; i < a->npaths; i++)
        if (!same_str(a->paths[i], b->paths[i]))
            return false;
    return true;
}

/* Settings a reload cannot change (the inputs' sockets, the spool and the store are
 * open): each one that differs is named in a warning, and the running value stays. */
static void warn_restart_only(const ww_serve_config_t *run, const ww_serve_config_t *n)
{
    const char *file = n->file ? n->file : "config";
    struct {
        const char *key;
        bool same;
    } k[] = {
        {"state_dir", same_str(run->state_dir, n->state_dir)},
        {"spool.dir", same_str(run->spool_dir, n->spool_dir)},
        {"spool.max_bytes", run->spool_max_bytes == n->spool_max_bytes},
        {"spool.segment_bytes", run->spool_segment_bytes == n->spool_segment_bytes},
        {"spool.commit_interval", run->commit_interval_ms == n->commit_interval_ms},
        {"metrics.listen", same_str(run->metrics_listen, n->metrics_listen)},
        {"intel.db", same_str(run->intel_db, n->intel_db)},
        {"console", same_str(run->console.listen, n->console.listen) &&
                        same_str(run->console.cert, n->console.cert) &&
                        same_str(run->console.key, n->console.key) &&
                        same_str(run->console.trust_name, n->console.trust_name) &&
                        same_str(run->console.base_url, n->console.base_url) &&
                        same_str(run->console.firebreak_map, n->console.firebreak_map) &&
                        same_str(run->console.service_desk, n->console.service_desk) &&
                        same_str(run->console.phishing_address, n->console.phishing_address) &&
                        same_str(run->console.csoc_phone, n->console.csoc_phone) &&
                        run->console.idle_timeout_s == n->console.idle_timeout_s &&
                        run->console.absolute_timeout_s == n->console.absolute_timeout_s &&
                        run->console.threads == n->console.threads &&
                        run->console.plain_http == n->console.plain_http},
    };
    for (size_t i = 0; i < WW_ARRAY_LEN(k); i++)
        if (!k[i].same)
            ww_serve_log("warning",
                         "reload: %s: %s changed; it needs a restart, the running value "
                         "stays",
                         file, k[i].key);
    for (uint32_t i = 0; i < run->ninputs || i < n->ninputs; i++) {
        const ww_sc_input_t *a = i < run->ninputs ? &run->inputs[i] : NULL;
        const ww_sc_input_t *b = i < n->ninputs ? &n->inputs[i] : NULL;
        if (a && b && same_input(a, b))
            continue;
        ww_serve_log("warning",
                     "reload: %s: inputs[%u] (%s) %s; inputs need a restart, the running ones stay",
                     file, i, b ? b->name : a->name,
                     !a   ? "added"
                     : !b ? "removed"
                          : "changed");
    }
}

/* SIGHUP, between two turns of the consumer (the pipeline is drained then, so no
 * event is evaluated twice or skipped): the config file is read again and what can
 * change live is applied together -- rules (paths, placeholders), detection (threads,
 * lateness), notifiers, the asset register -- or nothing is: a config that does not
 * check, rules that cannot be used or a register that cannot be read leave everything
 * running as it was, with the reason in the log.  The new correlation engine is
 * warmed from the spool's history before it takes over, so windows carry on. */
static void reload(ww_serve_t *s)
{
    ww_serve_config_t *nc = NULL;
    const ww_sigma_ruleset_t *rs = NULL;
    ww_detect_t *prog = NULL;
    ww_corr_t *corr = NULL;
    ww_pipe_t *pipe = NULL;
    ww_notify_t *notify = NULL;
    ww_asset_set_t assets;
    bool have_assets = false;
    ww_asset_index_t *aix = NULL;
    char why[300] = "";
    ww_diag_t d = {0};
    if (!s->reload_fn || !s->cfg->file) {
        ww_serve_log("warning", "SIGHUP: nothing to reload with");
        return;
    }
    if (ww_serve_config_load(s->cfg->file, &nc, &d) != 0) {
        ww_serve_log("error", "reload refused, everything runs on as it was: %s:%u:%u: %s",
                     d.file[0] ? d.file : s->cfg->file, d.line, d.col, d.msg);
        goto fail;
    }
    if (nc->register_db) {
        ww_store_t *reg = NULL;
        int rc = ww_store_open(nc->register_db, &reg, &d);
        if (rc == 0)
            rc = ww_asset_load(reg, &assets, &d);
        ww_store_close(reg);
        if (rc == 0) {
            have_assets = true;
            rc = ww_asset_index_new(&assets, &aix);
        }
        if (rc != 0) {
            ww_serve_log("error", "reload refused, everything runs on as it was: register %s: %s",
                         nc->register_db, d.msg[0] ? d.msg : ww_strerror(rc));
            goto fail;
        }
    }
    if (nc->nnotifiers) {
        char db[4200];
        snprintf(db, sizeof db, "%s/wardwatch.db", s->cfg->state_dir);
        if (ww_notify_start(nc, db, &notify, &d) != 0) {
            ww_serve_log("error", "reload refused, everything runs on as it was: %s", d.msg);
            goto fail;
        }
    }
    /* Last of the checks: a successful rules callback hands over the new rules (and
       may free the ones before the running ones), so only running out of memory can
       refuse the reload after it. */
    if (s->reload_fn(s->reload_ud, nc, &rs, &prog, why, sizeof why) != 0) {
        ww_serve_log("error", "reload refused, everything runs on as it was: %s", why);
        goto fail;
    }
    ww_pipe_sink_t sink = {
        .hit = on_hit, .event = on_event, .bad = on_bad, .done = on_done, .ud = s};
    const ww_serve_config_t *was = s->live;
    s->live = nc; /* for workers() and the warm-up's marks */
    int rc = corr_new(nc, rs, &corr);
    if (rc == 0 && warm_up(s, prog, corr) < 0)
        ww_serve_log("error",
                     "correlation windows of the new rules may miss events before the reload");
    if (rc == 0)
        rc = ww_pipe_new(prog, corr, workers(nc), &sink, &pipe);
    if (rc != 0) {
        s->live = was;
        ww_serve_log("error", "reload refused, everything runs on as it was: %s", ww_strerror(rc));
        goto fail;
    }
    warn_restart_only(s->cfg, nc);
    /* Everything is ready: swap.  The syslog history goes on (or starts empty, if
       there is no memory for it). */
    ww_pipe_history_copy(pipe, s->pipe);
    ww_pipe_free(s->pipe); /* drained: consume() drains every turn */
    ww_corr_stats_t cs;
    ww_corr_get_stats(s->corr, &cs);
    s->future_base += cs.events_future;
    ww_corr_free(s->corr);
    s->pipe = pipe;
    s->corr = corr;
    pthread_mutex_lock(&s->rules_mu);
    s->rs = rs;
    pthread_mutex_unlock(&s->rules_mu);
    s->prog = prog;
    if (s->intel) {
        ww_pipe_matcher_t mt;
        ww_intel_as_matcher(s->intel, &mt);
        ww_pipe_set_matcher(s->pipe, &mt);
    }
    s->intel_checked = 0;             /* and the indicators are looked at again now */
    pthread_mutex_lock(&s->stats_mu); /* the metrics thread reads the notifier's stats */
    ww_notify_t *old_notify = s->notify;
    s->notify = notify;
    pthread_mutex_unlock(&s->stats_mu);
    ww_notify_stop(old_notify);
    ww_asset_index_free(s->aix);
    if (s->have_assets)
        ww_asset_set_release(&s->assets);
    s->aix = aix;
    s->have_assets = have_assets;
    if (have_assets)
        s->assets = assets;
    ww_serve_config_free(s->owned);
    s->owned = nc;
    count(&s->reloads, 1);
    char late[32];
    ww_sc_duration_str(nc->lateness_ms, late, sizeof late);
    ww_serve_log("info", "reloaded: %u rules, lateness %s, %u notifier%s, %s",
                 ww_detect_rule_count(prog), late, nc->nnotifiers, nc->nnotifiers == 1 ? "" : "s",
                 nc->register_db ? "register read again" : "no register");
    return;
fail:
    count(&s->reloads_refused, 1);
    ww_notify_stop(notify);
    ww_asset_index_free(aix);
    if (have_assets)
        ww_asset_set_release(&assets);
    ww_corr_free(corr);
    ww_serve_config_free(nc);
}

/* ---- indicators ---- */

typedef struct retro {
    ww_serve_t *s;
    ww_pipe_t *pipe;
    int64_t since;
    uint64_t in_window, skip, searched;
} retro_t;

static int retro_count(void *ud, const ww_spool_rec_t *rec)
{
    retro_t *r = ud;
    r->in_window += rec->arrival_ns >= r->since;
    return r->s->stop ? 1 : 0;
}

static int retro_rec(void *ud, const ww_spool_rec_t *rec)
{
    retro_t *r = ud;
    ww_serve_t *s = r->s;
    if (rec->arrival_ns < r->since)
        return 0;
    if (r->skip) { /* past retro_max_events: the newest are searched */
        r->skip--;
        return 0;
    }
    r->searched++;
    uint32_t in = input_of(s, rec->source);
    int fmt = rec_fmt(s, in, rec->payload);
    int rc = ww_pipe_add_message(r->pipe, in == UINT32_MAX ? s->ninputs : in, fmt, rec->seq,
                                 rec->seq, rec->payload.p, rec->payload.n);
    return rc < 0 ? rc : s->stop ? 1 : 0;
}

static void retro_hit(void *ud, const ww_pipe_hit_t *h)
{
    retro_t *r = ud;
    r->s->intel_retro_hits++;
    on_hit(r->s, h); /* the id a live match would have had: never stored twice */
}

/* Searches the events the spool keeps from the last retro_window (the newest
 * retro_max_events of them) for the indicators of m alone -- those new since the last
 * look -- and stores what it finds as alerts, as live matches are. */
static void retro_hunt(ww_serve_t *s, ww_intel_t *m)
{
    const ww_serve_config_t *c = s->live;
    retro_t r = {.s = s, .since = now_ns() - (int64_t)c->intel_retro_ms * 1000000};
    if (ww_spool_history(s->sp, 0, retro_count, &r) < 0)
        return;
    r.skip = r.in_window > c->intel_retro_max ? r.in_window - c->intel_retro_max : 0;
    ww_pipe_sink_t sink = {.hit = retro_hit, .ud = &r};
    if (ww_pipe_new(NULL, NULL, workers(c), &sink, &r.pipe) != 0) {
        ww_serve_log("error", "intel: retro-hunt: out of memory");
        return;
    }
    ww_pipe_matcher_t mt;
    ww_intel_as_matcher(m, &mt);
    ww_pipe_set_matcher(r.pipe, &mt);
    uint64_t before = s->intel_retro_hits;
    int rc = ww_spool_history(s->sp, 0, retro_rec, &r);
    ww_pipe_free(r.pipe); /* replays what is left */
    if (s->in_tx) {
        ww_diag_t d = {0};
        if (ww_store_exec(s->store, "COMMIT", &d) != 0)
            ww_serve_log("error", "intel: retro-hunt: alert store: %s", d.msg);
        s->in_tx = false;
    }
    if (s->queued) {
        s->queued = false;
        ww_notify_kick(s->notify);
    }
    if (rc < 0)
        ww_serve_log("error", "intel: retro-hunt: reading the spool's history: %s",
                     ww_strerror(rc));
    ww_serve_log("info", "intel: retro-hunt: %zu new indicator%s over %llu event%s: %llu hit%s",
                 ww_intel_count(m), ww_intel_count(m) == 1 ? "" : "s",
                 (unsigned long long)r.searched, r.searched == 1 ? "" : "s",
                 (unsigned long long)(s->intel_retro_hits - before),
                 s->intel_retro_hits - before == 1 ? "" : "s");
}

/* Loads the indicators when the store's generation changed (an import, a removal)
 * or expiry may have retired some (each poll), and retro-hunts with the new ones.
 * Runs on the consumer's thread, between turns: the pipeline is drained. */
static void intel_refresh(ww_serve_t *s)
{
    const ww_serve_config_t *c = s->live;
    if (!c->intel) {
        if (s->intel) { /* turned off by a reload */
            ww_pipe_set_matcher(s->pipe, NULL);
            ww_intel_free(s->intel);
            s->intel = NULL;
        }
        return;
    }
    int64_t now = now_ns();
    if (s->intel_checked && now - s->intel_checked < (int64_t)c->intel_poll_ms * 1000000)
        return;
    s->intel_checked = now;
    ww_store_t *st = s->intel_store ? s->intel_store : s->store;
    ww_diag_t d = {0};
    int64_t gen = 0;
    if (ww_intel_generation(st, &gen, &d) != 0) {
        ww_serve_log("error", "intel: %s", d.msg);
        return;
    }
    bool changed = !s->intel || gen != s->intel_gen;
    /* Unchanged, the set only shrinks as indicators expire: looked at once a minute. */
    static const int64_t EXPIRY_CHECK = 60LL * 1000000000;
    if (!changed && now - s->intel_full < EXPIRY_CHECK)
        return;
    s->intel_full = now;
    ww_intel_t *m = NULL, *fresh = NULL;
    if (ww_intel_load(st, now, 0, &m, &d) != 0) {
        ww_serve_log("error", "intel: indicators not (re)loaded: %s", d.msg);
        return;
    }
    if (s->intel && ww_intel_last_row(m) > ww_intel_last_row(s->intel) && c->intel_retro_ms &&
        ww_intel_load(st, now, ww_intel_last_row(s->intel), &fresh, &d) != 0)
        ww_serve_log("error", "intel: no retro-hunt: %s", d.msg);
    ww_pipe_matcher_t mt;
    ww_intel_as_matcher(m, &mt);
    ww_pipe_set_matcher(s->pipe, &mt); /* drains: the old matcher is free to go */
    size_t was = ww_intel_count(s->intel);
    bool first = !s->intel;
    ww_intel_free(s->intel);
    s->intel = m;
    s->intel_gen = gen;
    if (changed && (!first || ww_intel_count(m)))
        ww_serve_log("info", "intel: %zu indicator%s valid (was %zu)", ww_intel_count(m),
                     ww_intel_count(m) == 1 ? "" : "s", was);
    if (fresh && ww_intel_count(fresh))
        retro_hunt(s, fresh);
    ww_intel_free(fresh);
}

void ww_serve_reload(ww_serve_t *s)
{
    s->reload = 1;
}

void ww_serve_on_reload(ww_serve_t *s, ww_serve_reload_fn fn, void *ud)
{
    s->reload_fn = fn;
    s->reload_ud = ud;
}

static void *net_main(void *arg)
{
    ww_net_run(arg);
    return NULL;
}

int ww_serve_run(ww_serve_t *s)
{
    if (pthread_create(&s->net_tid, NULL, net_main, s->net) != 0)
        return WW_ENOMEM;
    s->net_started = true;
    int rc = 0;
    uint64_t dog = ww_sd_watchdog_usec();
    int64_t last_dog = 0;
    ww_sd_notify("READY=1\nSTATUS=warming up correlations");
    /* Inputs are served meanwhile: what arrives waits in the spool. */
    if ((rc = warm_up(s, s->prog, s->corr)) < 0)
        ww_serve_log("error", "correlation windows may miss events before this start");
    seed_history(s);
    rc = 0;
    ww_sd_notify("STATUS=receiving");
    while (!s->stop) {
        /* The watchdog is fed from this loop: a consumer that hangs stops the pings
           and systemd restarts the server, which replays from the checkpoint. */
        if (dog && now_ns() - last_dog >= (int64_t)dog * 1000) {
            ww_sd_notify("WATCHDOG=1");
            last_dog = now_ns();
        }
        if (s->reload) {
            s->reload = 0;
            reload(s);
        }
        intel_refresh(s);
        if (ww_spool_wait_readable(s->sp, 200) <= 0) {
            seen_write(s, false);
            continue;
        }
        if ((rc = consume(s)) < 0)
            break;
    }
    ww_sd_notify("STOPPING=1\nSTATUS=draining");
    /* Drain: no more input; what was received is made durable and processed. */
    for (uint32_t i = 0; i < s->ninputs; i++) {
        ww_http_in_stop(s->inputs[i].http); /* requests in progress finish first */
        s->inputs[i].http = NULL;
        ww_tail_stop(s->inputs[i].tail); /* saves the durable positions */
        s->inputs[i].tail = NULL;
        ww_relp_stop(s->inputs[i].relp); /* the message in hand is stored, or never answered */
        s->inputs[i].relp = NULL;
    }
    ww_net_stop(s->net);
    pthread_join(s->net_tid, NULL);
    s->net_started = false;
    ww_spool_commit(s->sp, NULL);
    while (rc >= 0 && (rc = consume(s)) > 0) {
    }
    seen_write(s, false);
    return rc < 0 ? rc : 0;
}

void ww_serve_stop(ww_serve_t *s)
{
    s->stop = 1;
}

/* ---- start and stop ---- */

static const ww_net_handler_t syslog_handler = {open_conn, syslog_data, syslog_close,
                                                syslog_datagram, syslog_held};
static const ww_net_handler_t beats_handler = {open_conn, beats_data, beats_close, NULL,
                                               beats_held};

/* limits: memory.  An episode at the cap is logged once, and its end wakes the
 * connections that waited for room. */
static void mem_note(void *ud, bool at_cap, uint64_t used, uint64_t cap)
{
    ww_serve_t *s = ud;
    if (at_cap)
        ww_serve_log("warning",
                     "memory: at limits: memory (%llu of %llu MiB held for senders): reads paused, "
                     "new connections refused, HTTP answers 503 until processing frees room",
                     (unsigned long long)(used >> 20), (unsigned long long)(cap >> 20));
    else
        ww_serve_log("info", "memory: below limits: memory again (%llu MiB held); inputs resume",
                     (unsigned long long)(used >> 20));
    if (!at_cap && s->net)
        ww_net_wake(s->net);
}

/* The memory the process uses before any sender (the rules, the store, the threads):
 * limits: memory comes on top of it, and MemoryMax= must allow for both. */
static void log_memory(ww_serve_t *s)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    unsigned long long kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %llu kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    ww_serve_log("info",
                 "memory: %llu MiB in use before any input; senders may make it hold %llu MiB "
                 "more (limits: memory)",
                 kb >> 10, (unsigned long long)(s->mem.cap >> 20));
}

static int mkdir_p(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

/* ---- the console ---- */

static void console_health(void *ud, ww_console_health_t *h)
{
    ww_serve_t *s = ud;
    ww_serve_stats_t st;
    ww_serve_get_stats(s, &st);
    memset(h, 0, sizeof *h);
    h->inputs = st.ninputs;
    for (uint32_t i = 0; i < st.ninputs; i++) {
        h->events_in += st.inputs[i].received;
        h->events_accepted += st.inputs[i].accepted;
        h->events_rejected += st.inputs[i].rejected;
    }
    h->alerts = st.alerts_stored;
    h->spool_bytes = st.spool_bytes;
    h->spool_limit = st.spool_max_bytes;
    h->spool_full = st.spool_max_bytes && st.spool_bytes >= st.spool_max_bytes;
    h->started = s->started_s;
    h->last_event = __atomic_load_n(&s->last_batch_s, __ATOMIC_RELAXED);
}

/* A rule's facts for an alert's page, copied under rules_mu (a reload swaps the
 * ruleset) into this thread's buffer, valid until its next call. */
static int console_rule(void *ud, const char *id, ww_console_rule_t *out)
{
    ww_serve_t *s = ud;
    static __thread char buf[16384];
    size_t used = 0;
    memset(out, 0, sizeof *out);
#define KEEP(dst, src)                                                          \
    do {                                                                        \
        const char *v_ = (src) ? (src) : "";                                    \
        int n_ = snprintf(buf + used, sizeof buf - used, "%s", v_);             \
        (dst) = buf + used;                                                     \
        used += n_ >= 0 && (size_t)n_ < sizeof buf - used ? (size_t)n_ + 1 : 0; \
    } while (0)
    pthread_mutex_lock(&s->rules_mu);
    const ww_sigma_rule_t *r = s->rs ? ww_sigma_find(s->rs, id) : NULL;
    if (r) {
        KEEP(out->id, r->id);
        KEEP(out->title, r->title);
        KEEP(out->description, r->description);
        KEEP(out->author, r->author);
        KEEP(out->status, r->status);
        KEEP(out->level, ww_level_name(r->level));
        KEEP(out->path, r->file);
        ww_buf_t b;
        ww_buf_init(&b, 1024);
        for (uint32_t i = 0; i < r->nreferences; i++)
            ww_buf_printf(&b, "%s%s", i ? "\n" : "", r->references[i]);
        ww_buf_putc(&b, 0);
        KEEP(out->references, b.p);
        ww_buf_clear(&b);
        for (uint32_t i = 0; i < r->ntags; i++)
            ww_buf_printf(&b, "%s%s", i ? "," : "", r->tags[i]);
        ww_buf_putc(&b, 0);
        KEEP(out->tags, b.p);
        ww_buf_clear(&b);
        for (uint32_t i = 0; i < r->nfalsepositives; i++)
            ww_buf_printf(&b, "%s%s", i ? "\n" : "", r->falsepositives[i]);
        ww_buf_putc(&b, 0);
        KEEP(out->falsepositives, b.p);
        ww_buf_release(&b);
    }
    pthread_mutex_unlock(&s->rules_mu);
#undef KEEP
    return r ? 1 : 0;
}

static void console_log(void *ud, const char *msg)
{
    (void)ud;
    ww_serve_log("info", "%s", msg);
}

static int console_start(ww_serve_t *s, ww_diag_t *diag)
{
    const ww_serve_config_t *cfg = s->cfg;
    ww_console_config_t cc;
    ww_console_config_default(&cc);
    char store[4200];
    snprintf(store, sizeof store, "%s/wardwatch.db", cfg->state_dir);
    cc.web.listen = cfg->console.host;
    cc.web.port = cfg->console.port;
    cc.web.cert = cfg->console.cert;
    cc.web.key = cfg->console.key;
    cc.web.names = cfg->console.names;
    cc.web.nnames = cfg->console.nnames;
    cc.web.plain_http = cfg->console.plain_http;
    cc.web.threads = cfg->console.threads;
    cc.state_dir = cfg->state_dir;
    cc.store_path = store; /* copied by the console's store connections at once */
    cc.register_path = cfg->register_db;
    cc.base_url = cfg->console.base_url ? cfg->console.base_url : cfg->link_base;
    cc.trust_name = cfg->console.trust_name;
    cc.fbmap_path = cfg->console.firebreak_map;
    if (cfg->console.idle_timeout_s)
        cc.auth.idle_timeout = (int64_t)cfg->console.idle_timeout_s;
    if (cfg->console.absolute_timeout_s)
        cc.auth.absolute_timeout = (int64_t)cfg->console.absolute_timeout_s;
    if (cfg->console.service_desk)
        cc.contacts.service_desk = cfg->console.service_desk;
    if (cfg->console.phishing_address)
        cc.contacts.phishing_address = cfg->console.phishing_address;
    if (cfg->console.csoc_phone)
        cc.contacts.csoc_phone = cfg->console.csoc_phone;
    cc.health = console_health;
    cc.rule = console_rule;
    cc.log = console_log;
    cc.ud = s;
    snprintf(s->console_store, sizeof s->console_store, "%s", store);
    cc.store_path = s->console_store;
    int rc = ww_console_start(&cc, &s->console, diag);
    if (rc && cfg->file && !diag->line) {
        char msg[sizeof diag->msg];
        snprintf(msg, sizeof msg, "%s", diag->msg);
        ww_diag_set(diag, cfg->file, cfg->console.line, 0, "console: %s", msg);
    }
    return rc;
}

int ww_serve_console_port(const ww_serve_t *s)
{
    return s->console ? ww_console_port(s->console) : 0;
}

int ww_serve_start(const ww_serve_config_t *cfg, const ww_sigma_ruleset_t *rs, ww_detect_t *prog,
                   ww_serve_t **out, ww_diag_t *diag)
{
    *out = NULL;
    ww_serve_t *s = calloc(1, sizeof *s);
    if (!s)
        return WW_ENOMEM;
    s->cfg = s->live = cfg;
    s->rs = rs;
    s->prog = prog;
    pthread_mutex_init(&s->ack_mu, NULL);
    pthread_mutex_init(&s->full_mu, NULL);
    pthread_mutex_init(&s->stats_mu, NULL);
    pthread_mutex_init(&s->rules_mu, NULL);
    s->started_s = (int64_t)time(NULL);
    ww_arena_init(&s->scratch, 16 * 1024, 0);
    ww_buf_init(&s->tail_text, 0);
    s->mem = (ww_membudget_t){.cap = cfg->memory_bytes, .note = mem_note, .ud = s};
    /* Buffers of 128 KiB and more are mapped and unmapped on their own: freed, they go
       back to the system at once, instead of leaving holes in the heap that stay
       resident (glibc's default raises this threshold as large blocks are freed, and
       a flood of growing frame buffers then fragments the heap to several times what
       limits: memory accounts). */
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    int rc;
    char path[4200];
    if (!(s->pc = calloc(CONSUME_MAX, sizeof *s->pc))) {
        rc = WW_ENOMEM;
        goto fail;
    }
    if (mkdir_p(cfg->state_dir) != 0) {
        ww_diag_set(diag, cfg->state_dir, 0, 0, "cannot create the state directory: %s",
                    strerror(errno));
        rc = WW_EIO;
        goto fail;
    }
    if (cfg->spool_dir)
        snprintf(path, sizeof path, "%s", cfg->spool_dir);
    else
        snprintf(path, sizeof path, "%s/spool", cfg->state_dir);
    uint64_t max_frame = 0;
    for (uint32_t i = 0; i < cfg->ninputs; i++)
        if (cfg->inputs[i].max_frame > max_frame)
            max_frame = cfg->inputs[i].max_frame;
    ww_spool_config_t sc = {
        .dir = path,
        .max_bytes = cfg->spool_max_bytes,
        .segment_bytes = cfg->spool_segment_bytes,
        /* The largest message any input takes; a segment holds at least two. */
        .max_record =
            (uint32_t)(max_frame < cfg->spool_segment_bytes / 2 ? max_frame
                                                                : cfg->spool_segment_bytes / 2),
        .commit_interval_us = (uint32_t)(cfg->commit_interval_ms * 1000),
        .on_durable = on_durable,
        .ud = s,
        /* History for the correlation warm-up (see warm_up): a quarter of the cap at
           most, so three quarters stay for a backlog. */
        .retain_bytes = cfg->spool_max_bytes / 4,
    };
    if ((rc = ww_spool_open(&sc, &s->sp, diag)) != 0)
        goto fail;
    /* limits: memory keeps back room for the consumer's largest message: it frees
       everyone else's memory, so it must never wait for the inputs'. */
    s->mem.reserve = PIPE_COST(sc.max_record) + (1u << 20);
    if (s->mem.reserve > s->mem.cap / 4)
        s->mem.reserve = s->mem.cap / 4;
    snprintf(path, sizeof path, "%s/wardwatch.db", cfg->state_dir);
    if ((rc = ww_store_open(path, &s->store, diag)) != 0 ||
        (rc = ww_alerts_migrate(s->store, diag)) != 0 ||
        (rc = ww_notify_migrate(s->store, diag)) != 0 ||
        (rc = ww_seen_migrate(s->store, diag)) != 0 || (rc = ww_seen_new(&s->seen)) != 0)
        goto fail;
    /* The server is the store's main writer: a larger page cache (64 MiB) keeps the
       alert indexes in memory. */
    ww_store_exec(s->store, "PRAGMA cache_size=-65536", diag);
    if (cfg->nnotifiers && (rc = ww_notify_start(cfg, path, &s->notify, diag)) != 0)
        goto fail;
    if (cfg->register_db) {
        ww_store_t *reg = NULL;
        if ((rc = ww_store_open(cfg->register_db, &reg, diag)) != 0)
            goto fail;
        rc = ww_asset_load(reg, &s->assets, diag);
        ww_store_close(reg);
        if (rc)
            goto fail;
        s->have_assets = true;
        if ((rc = ww_asset_index_new(&s->assets, &s->aix)) != 0)
            goto fail;
    }
    if ((rc = corr_new(cfg, rs, &s->corr)) != 0)
        goto fail;
    ww_pipe_sink_t sink = {
        .hit = on_hit, .event = on_event, .bad = on_bad, .done = on_done, .ud = s};
    int threads = workers(cfg);
    if ((rc = ww_pipe_new(prog, s->corr, threads, &sink, &s->pipe)) != 0)
        goto fail;
    if (cfg->intel && cfg->intel_db && (rc = ww_store_open(cfg->intel_db, &s->intel_store, diag)))
        goto fail;
    if (cfg->intel && (rc = ww_intel_migrate(s->intel_store ? s->intel_store : s->store, diag)))
        goto fail;
    intel_refresh(s); /* before any input: every event meets the indicators */
    if ((rc = ww_net_new(&s->net, diag)) != 0)
        goto fail;
    s->inputs = calloc(cfg->ninputs ? cfg->ninputs : 1, sizeof *s->inputs);
    s->ist = calloc(cfg->ninputs ? cfg->ninputs : 1, sizeof *s->ist);
    if (!s->inputs || !s->ist) {
        rc = WW_ENOMEM;
        goto fail;
    }
    for (uint32_t i = 0; i < cfg->ninputs; i++) {
        const ww_sc_input_t *ic = &cfg->inputs[i];
        input_t *in = &s->inputs[i];
        in->s = s;
        in->cfg = ic;
        in->idx = i;
        in->name_n = strlen(ic->name);
        in->st = &s->ist[i];
        in->st->name = ic->name;
        s->ninputs++;
        ww_net_opts_t o = {
            .cert = ic->has_tls ? ic->tls.cert : NULL,
            .key = ic->has_tls ? ic->tls.key : NULL,
            .client_ca = ic->has_tls ? ic->tls.client_ca : NULL,
            .max_conns = ic->max_connections,
            .idle_ms = ic->idle_timeout_ms,
            .rcvbuf = ic->recv_buffer,
            .mem = &s->mem,
        };
        const struct sockaddr *addr = (const struct sockaddr *)&ic->addr;
        switch (ic->type) {
        case WW_IN_SYSLOG_UDP:
            rc =
                ww_net_listen_udp(s->net, addr, ic->addrlen, &o, &syslog_handler, in, &in->l, diag);
            break;
        case WW_IN_SYSLOG_TCP:
        case WW_IN_SYSLOG_TLS:
            rc =
                ww_net_listen_tcp(s->net, addr, ic->addrlen, &o, &syslog_handler, in, &in->l, diag);
            break;
        case WW_IN_BEATS:
            rc = ww_net_listen_tcp(s->net, addr, ic->addrlen, &o, &beats_handler, in, &in->l, diag);
            break;
        case WW_IN_HTTP: rc = ww_http_in_start(ic, s->sp, in->st, &s->mem, &in->http, diag); break;
        case WW_IN_TAIL:
            rc = ww_tail_start(ic, s->sp, in->st, cfg->state_dir, &in->tail, diag);
            break;
        case WW_IN_RELP: rc = ww_relp_start(ic, s->sp, in->st, &in->relp, diag); break;
        default:
            ww_diag_set(diag, cfg->file, ic->line, ic->col,
                        "%s inputs are not served by this build yet",
                        ww_sc_input_type_name(ic->type));
            rc = WW_EINVAL;
            break;
        }
        if (rc) {
            if (!diag->line && cfg->file) {
                char msg[sizeof diag->msg];
                snprintf(msg, sizeof msg, "%s", diag->msg);
                ww_diag_set(diag, cfg->file, ic->line, ic->col, "input %s: %s", ic->name, msg);
            }
            goto fail;
        }
        in->st->port = in->http   ? ww_http_in_port(in->http)
                       : in->relp ? ww_relp_port(in->relp)
                       : in->l    ? ww_net_port(in->l)
                                  : 0;
    }
    if (cfg->metrics_listen) {
        unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
        if (cfg->metrics_addr.ss_family == AF_INET6)
            flags |= MHD_USE_DUAL_STACK;
        s->metrics = MHD_start_daemon(flags, 0, NULL, NULL, metrics_page, s, MHD_OPTION_SOCK_ADDR,
                                      (const struct sockaddr *)&cfg->metrics_addr,
                                      MHD_OPTION_CONNECTION_LIMIT, 64u,
                                      MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
        if (!s->metrics) {
            ww_diag_set(diag, cfg->file, 0, 0, "metrics: cannot listen on %s", cfg->metrics_listen);
            rc = WW_EIO;
            goto fail;
        }
        const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->metrics, MHD_DAEMON_INFO_BIND_PORT);
        s->metrics_port = di ? di->port : 0;
    }
    if (cfg->console.listen && (rc = console_start(s, diag)) != 0)
        goto fail;
    log_memory(s);
    *out = s;
    return 0;
fail:
    ww_serve_free(s);
    return rc;
}

void ww_serve_free(ww_serve_t *s)
{
    if (!s)
        return;
    ww_console_stop(s->console); /* its handlers read the rules and the stats */
    if (s->metrics)
        MHD_stop_daemon(s->metrics);
    if (s->net_started) {
        ww_net_stop(s->net);
        pthread_join(s->net_tid, NULL);
    }
    for (uint32_t i = 0; i < s->ninputs; i++) {
        ww_http_in_stop(s->inputs[i].http);
        ww_tail_stop(s->inputs[i].tail);
        ww_relp_stop(s->inputs[i].relp);
    }
    ww_net_free(s->net); /* closes connections: their handlers run now */
    ww_pipe_free(s->pipe);
    ww_intel_free(s->intel); /* after the pipeline that used it */
    ww_store_close(s->intel_store);
    if (s->in_tx) {
        ww_diag_t d = {0};
        ww_store_exec(s->store, "COMMIT", &d);
    }
    ww_corr_free(s->corr);
    ww_spool_free(s->sp);
    ww_notify_stop(s->notify);
    ww_serve_config_free(s->owned); /* after the notifier that used it */
    sqlite3_finalize(s->put);
    ww_suppress_set_free(s->supp);
    ww_seen_free(s->seen);
    ww_store_close(s->store);
    ww_asset_index_free(s->aix);
    if (s->have_assets)
        ww_asset_set_release(&s->assets);
    free(s->inputs);
    free(s->ist);
    free(s->acks);
    free(s->full);
    free(s->pc);
    ww_arena_release(&s->scratch);
    ww_buf_release(&s->tail_text);
    free(s->tail_keys);
    pthread_mutex_destroy(&s->ack_mu);
    pthread_mutex_destroy(&s->full_mu);
    pthread_mutex_destroy(&s->stats_mu);
    pthread_mutex_destroy(&s->rules_mu);
    free(s);
}

void ww_serve_get_stats(ww_serve_t *s, ww_serve_stats_t *out)
{
    pthread_mutex_lock(&s->stats_mu);
    memset(out, 0, sizeof *out);
    for (uint32_t i = 0; i < s->ninputs; i++) {
        input_t *in = &s->inputs[i];
        if (in->l) {
            ww_net_stats_t ns;
            ww_net_listener_stats(in->l, &ns);
            in->st->connections = ns.accepted;
            in->st->refused_connections = ns.refused;
            in->st->idle_closed = ns.idle_closed;
            in->st->tls_failed = ns.tls_failed;
        }
    }
    out->inputs = s->ist;
    out->ninputs = s->ninputs;
    ww_spool_stats_t ss;
    ww_spool_stats(s->sp, &ss);
    out->spool_bytes = ss.bytes;
    out->spool_max_bytes = ss.max_bytes;
    out->spool_history_bytes = ss.retained_bytes;
    out->durable_seq = ss.durable_seq;
    out->processed_seq = ss.processed_seq;
    out->events = __atomic_load_n(&s->events, __ATOMIC_RELAXED);
    out->bad_events = __atomic_load_n(&s->bad_events, __ATOMIC_RELAXED);
    out->alerts_stored = __atomic_load_n(&s->alerts_stored, __ATOMIC_RELAXED);
    out->alerts_repeated = __atomic_load_n(&s->alerts_repeated, __ATOMIC_RELAXED);
    out->events_late = __atomic_load_n(&s->events_late, __ATOMIC_RELAXED);
    out->corr_groups = __atomic_load_n(&s->corr_groups, __ATOMIC_RELAXED);
    out->events_future = __atomic_load_n(&s->events_future, __ATOMIC_RELAXED);
    out->reloads = __atomic_load_n(&s->reloads, __ATOMIC_RELAXED);
    out->reloads_refused = __atomic_load_n(&s->reloads_refused, __ATOMIC_RELAXED);
    out->lag_ns = __atomic_load_n(&s->lag_ns, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&s->stats_mu);
}
