/* The pipeline (see ww_pipeline.h): a ring of batches, worker threads that decode and
 * evaluate them, and an in-order replay on the owner's thread.
 *
 * A batch is of one kind.  A batch of messages is decoded as one in-memory input: the
 * messages joined by LF, each made a single line first (ww_pipe_add_message), so the
 * reader's record k is message k; should a decoder ever give a different count (a
 * message the format's reader splits or merges), the batch is decoded again message
 * by message, each on its own reader: slower, never wrong.  A syslog batch starts with
 * the last LOOKBACK bytes of the syslog messages before it (the pipeline's history) and
 * is decoded as a range after them: the decoder gives an sshd line without an address
 * its session's address from an earlier line (ww_syslog.c), and must see the earlier
 * messages to do so exactly as it does in the file rsyslog writes of the same stream
 * (the range's lookback).  A batch of events holds
 * what the owner decoded.  A range batch is decoded by its worker from the owner's
 * reader; its records are numbered from 0 and its lines from 1 until the replay, which
 * runs in input order and so knows how many records and lines came before.
 *
 * Batches sit side by side in the ring, each written by its own worker: each starts on
 * a cache line of its own (the arrays are elsewhere). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/ww_pipeline.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* A range may hold more records than WW_PIPE_BATCH: an EVTX chunk holds up to
 * (65536 - 512) / 28 = 2322 of the smallest records possible, a JSON line several
 * objects.  Its batch grows for them up to this; a range with more still fails the
 * run, and the owner decodes it. */
#define RANGE_MAX_EVENTS 4096

/* The syslog history a batch of messages carries: the reader's own lookback
 * (WW_READER_LOOKBACK in lib/event), the farthest back a session is looked for. */
#define LOOKBACK ((size_t)64 << 10)
/* Messages per syslog batch.  Each batch carries LOOKBACK bytes of history and its
 * reader starts without sessions (looking one up scans the history once): at 128 lines
 * of ~150 bytes that was four times the batch's own text, copied and scanned.  512
 * makes it under one; the batch's arrays grow to it on first use (syslog only). */
#define SYSLOG_BATCH 512

enum { K_MSG, K_EVENTS, K_RANGE };

typedef struct bad {
    uint32_t k; /* the message */
    ww_diag_t d;
} bad_t;

typedef struct batch {
    _Alignas(64) int kind;
    int fmt;
    uint32_t n, cap;
    ww_event_t *ev; /* cap */
    uint32_t *src;  /* cap */
    uint64_t *idx;  /* cap */
    uint64_t *line; /* cap: 1-based, 0 none (relative to a range until replayed) */
    bool *ok;       /* cap: decoded (else see bad[]) */
    uint32_t *moff; /* cap + 1: matches of event k are m[moff[k]..moff[k+1]) */
    uint32_t *off;  /* cap + 1: messages: message k is text[off[k], off[k+1] - 1) */
    ww_buf_t text;  /* [history] messages, each ending in LF */
    uint32_t hist;  /* bytes of history before the first message */
    uint64_t mark;  /* messages: for the sink's done() */
    /* A range: bytes [rstart,rend) of `parent`, records of `rsrc`. */
    const ww_reader_t *parent;
    uint64_t rstart, rend;
    uint32_t rsrc;
    bool range_bad;
    void (*after)(void *); /* ww_pipe_defer */
    void *after_arg;
    /* Results, filled by a worker. */
    bad_t *bad;
    uint32_t nbad, badcap;
    const ww_sigma_rule_t **m;
    uint32_t nm, mcap;
    uint32_t *xoff; /* cap + 1: the matcher's hits of event k are x[xoff[k]..xoff[k+1]) */
    uint32_t *x;
    uint32_t nx, xcap;
    bool nomem;
    bool done;
} batch_t;

typedef struct worker_arg {
    ww_pipe_t *p;
    int id;
} worker_arg_t;

/* The run of ranges being handed out (ww_pipe_ranges_begin). */
typedef struct range_run {
    ww_reader_t *r;
    uint32_t source;
    uint64_t base, next; /* the run's first record, the next one to number */
    bool failed;
    uint64_t fail_at;
} range_run_t;

struct ww_pipe {
    ww_detect_t *prog;
    ww_corr_t *corr;
    ww_pipe_sink_t sink;
    ww_pipe_stats_t st;
    /* The ring: batches [emitted, filled) are submitted, [taken, filled) not yet
       picked by a worker; cur is being filled by the owner. */
    batch_t *ring;
    uint32_t nring;
    uint64_t filled, taken, emitted;
    batch_t *cur;
    range_run_t run;
    int nthreads, started;
    pthread_t *tids;
    worker_arg_t *args;
    ww_detect_ctx_t **ctxs; /* one per worker; ctxs[0] also serves the owner without workers */
    ww_buf_t hist;          /* the last LOOKBACK bytes of syslog messages handed in */
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    bool stop;
    ww_event_t spare;     /* decoding without workers */
    ww_pipe_matcher_t mt; /* read by the workers: changed only when none is busy */
};

/* Gives a batch room for `cap` events, on the thread that holds it.  0, or WW_ENOMEM
 * with the batch as it was (arrays that did grow are merely larger). */
static int batch_grow(batch_t *b, uint32_t cap)
{
    if (cap <= b->cap)
        return 0;
#define GROW(a, n)                                            \
    do {                                                      \
        void *na = realloc(b->a, (size_t)(n) * sizeof *b->a); \
        if (!na)                                              \
            return WW_ENOMEM;                                 \
        b->a = na;                                            \
    } while (0)
    GROW(src, cap);
    GROW(idx, cap);
    GROW(line, cap);
    GROW(ok, cap);
    GROW(moff, cap + 1);
    GROW(off, cap + 1);
    GROW(xoff, cap + 1);
    /* Events may move: an event's arena and fields live outside the struct. */
    GROW(ev, cap);
#undef GROW
    for (uint32_t k = b->cap; k < cap; k++)
        ww_event_init(&b->ev[k]);
    b->cap = cap;
    return 0;
}

static void batch_release(batch_t *b)
{
    for (uint32_t k = 0; k < b->cap; k++)
        ww_event_release(&b->ev[k]);
    free(b->ev);
    free(b->src);
    free(b->idx);
    free(b->line);
    free(b->ok);
    free(b->moff);
    free(b->off);
    free(b->m);
    free(b->x);
    free(b->xoff);
    free(b->bad);
    ww_buf_release(&b->text);
}

static void record_match(void *ud, const ww_sigma_rule_t *rule)
{
    batch_t *b = ud;
    if (b->nm == b->mcap) {
        uint32_t nc = b->mcap ? b->mcap * 2 : 64;
        const ww_sigma_rule_t **nm = realloc(b->m, nc * sizeof *nm);
        if (!nm) {
            b->nomem = true;
            return;
        }
        b->m = nm;
        b->mcap = nc;
    }
    b->m[b->nm++] = rule;
}

static void record_extra(void *ud, uint32_t what)
{
    batch_t *b = ud;
    if (b->nx == b->xcap) {
        uint32_t nc = b->xcap ? b->xcap * 2 : 64;
        uint32_t *nx = realloc(b->x, nc * sizeof *nx);
        if (!nx) {
            b->nomem = true;
            return;
        }
        b->x = nx;
        b->xcap = nc;
    }
    b->x[b->nx++] = what;
}

/* ---- decoding, on a worker (or the owner without workers) ---- */

static void note_bad(batch_t *b, uint32_t k, const ww_diag_t *d)
{
    b->ok[k] = false;
    if (b->nbad == b->badcap) {
        uint32_t nc = b->badcap ? b->badcap * 2 : 8;
        bad_t *nb = realloc(b->bad, nc * sizeof *nb);
        if (!nb) {
            b->nomem = true;
            return;
        }
        b->bad = nb;
        b->badcap = nc;
    }
    b->bad[b->nbad].k = k;
    b->bad[b->nbad].d = *d;
    b->nbad++;
}

/* Decodes message k alone. */
static void decode_one(batch_t *b, uint32_t k)
{
    ww_reader_t *r = NULL;
    ww_diag_t d = {0};
    const char *p = b->text.p + b->off[k];
    size_t n = b->off[k + 1] - b->off[k];
    int rc = ww_reader_open_mem("message", p, n, b->fmt, &r, &d);
    if (rc == 0) {
        rc = ww_reader_next(r, &b->ev[k], &d);
        if (rc == 0) {
            rc = WW_EPARSE;
            ww_diag_set(&d, "message", 1, 1, "the message holds no event");
        }
    }
    if (rc > 0)
        b->ok[k] = true;
    else
        note_bad(b, k, &d);
    ww_reader_free(r);
}

static void decode_messages(batch_t *b, ww_event_t *spare)
{
    ww_reader_t *all = NULL, *r = NULL;
    ww_diag_t d = {0};
    b->nbad = 0;
    bool whole = ww_reader_open_mem("messages", b->text.p, b->text.n, b->fmt, &all, &d) == 0;
    if (whole && b->hist)
        whole = ww_reader_open_range(all, b->hist, b->text.n, &r, &d) == 0;
    else if (whole) {
        r = all;
        all = NULL;
    }
    uint32_t k = 0;
    while (whole) {
        ww_event_t *ev = k < b->n ? &b->ev[k] : spare;
        int rc = ww_reader_next(r, ev, &d);
        if (rc == 0)
            break;
        if (k >= b->n || ww_reader_index(r) != k) {
            whole = false; /* records and messages disagree */
            break;
        }
        if (rc > 0)
            b->ok[k] = true;
        else
            note_bad(b, k, &d);
        k++;
    }
    ww_reader_free(r);
    ww_reader_free(all);
    if (whole && k == b->n)
        return;
    b->nbad = 0;
    for (k = 0; k < b->n; k++) {
        b->ok[k] = false;
        decode_one(b, k);
    }
}

/* Decodes a range, growing the batch for a range of many records up to
 * RANGE_MAX_EVENTS.  A bad record, more records than that, or no memory to grow marks
 * the batch bad and empty.  The range reader is freed here: its events own what they
 * need of its caches (ww_event.h) and point otherwise into the parent's input. */
static void decode_range(batch_t *b, ww_event_t *spare)
{
    ww_reader_t *r = NULL;
    ww_diag_t d;
    b->n = 0;
    b->range_bad = ww_reader_open_range(b->parent, b->rstart, b->rend, &r, &d) != 0;
    while (!b->range_bad) {
        if (b->n == b->cap && b->cap < RANGE_MAX_EVENTS) {
            uint32_t cap = b->cap * 2 < RANGE_MAX_EVENTS ? b->cap * 2 : RANGE_MAX_EVENTS;
            if (batch_grow(b, cap) != 0) {
                b->range_bad = true;
                break;
            }
        }
        /* A batch at its limit decodes into `spare`: only to learn whether more
           follows. */
        ww_event_t *ev = b->n < b->cap ? &b->ev[b->n] : spare;
        int rc = ww_reader_next(r, ev, &d);
        if (rc == 0)
            break;
        if (rc < 0 || b->n == b->cap) {
            b->range_bad = true;
            break;
        }
        b->src[b->n] = b->rsrc;
        b->ok[b->n] = true;
        b->line[b->n] = ww_reader_line(r, ev);
        b->idx[b->n++] = ww_reader_index(r);
    }
    if (b->range_bad)
        b->n = 0;
    ww_reader_free(r);
}

static void evaluate(ww_detect_ctx_t *ctx, const ww_pipe_matcher_t *mt, batch_t *b,
                     ww_event_t *spare)
{
    b->nm = 0;
    b->nx = 0;
    b->nomem = false;
    if (b->kind == K_MSG)
        decode_messages(b, spare);
    else if (b->kind == K_RANGE)
        decode_range(b, spare);
    for (uint32_t k = 0; k < b->n; k++) {
        b->moff[k] = b->nm;
        b->xoff[k] = b->nx;
        if (b->ok[k] && ctx)
            ww_detect_event(ctx, &b->ev[k], record_match, b);
        if (b->ok[k] && mt->match)
            mt->match(mt->m, &b->ev[k], record_extra, b);
    }
    b->moff[b->n] = b->nm;
    b->xoff[b->n] = b->nx;
}

static void *worker(void *arg)
{
    ww_pipe_t *p = ((worker_arg_t *)arg)->p;
    ww_detect_ctx_t *ctx = p->ctxs[((worker_arg_t *)arg)->id];
    ww_event_t spare;
    ww_event_init(&spare);
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->taken == p->filled && !p->stop)
            pthread_cond_wait(&p->work, &p->mu);
        if (p->taken == p->filled)
            break;
        batch_t *b = &p->ring[p->taken++ % p->nring];
        pthread_mutex_unlock(&p->mu);
        evaluate(ctx, &p->mt, b, &spare);
        pthread_mutex_lock(&p->mu);
        b->done = true;
        pthread_cond_broadcast(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    ww_event_release(&spare);
    return NULL;
}

/* ---- replay, on the owner ---- */

static void on_corr(void *ud, const ww_corr_alert_t *a)
{
    ww_pipe_t *p = ud;
    if (!a->rule->alert)
        return;
    uint64_t first = a->nrefs ? a->refs[0] : 0;
    bool line = first & WW_PIPE_REF_LINE;
    ww_pipe_hit_t h = {a->rule,
                       NULL,
                       a,
                       WW_PIPE_REF_SOURCE(first),
                       line ? 0 : WW_PIPE_REF_POS(first),
                       line ? WW_PIPE_REF_POS(first) : 0,
                       -1};
    p->st.hits++;
    p->sink.hit(p->sink.ud, &h);
}

/* Before a range batch replays: numbers its records after those replayed already, or
 * drops it once a range of the run has failed. */
static void range_replay(ww_pipe_t *p, batch_t *b)
{
    range_run_t *run = &p->run;
    if (b->range_bad && !run->failed) {
        run->failed = true;
        run->fail_at = b->rstart; /* batches replay in order: the first bad one */
    }
    if (run->failed) {
        b->n = 0;
        b->nm = 0;
        b->nomem = false;
        return;
    }
    /* Lines were counted from the range's start: from the input's now. */
    uint64_t first = ww_reader_line_at(run->r, b->rstart);
    for (uint32_t k = 0; k < b->n; k++) {
        b->line[k] += b->line[k] && first ? first - 1 : 0;
        b->idx[k] += run->next;
    }
    run->next += b->n;
    ww_reader_release_before(run->r, b->rend); /* replayed in order */
}

static void replay(ww_pipe_t *p, batch_t *b)
{
    if (b->kind == K_RANGE)
        range_replay(p, b);
    if (b->nomem)
        p->st.nomem++;
    uint32_t nb = 0;
    for (uint32_t k = 0; k < b->n; k++) {
        p->st.messages++;
        if (!b->ok[k]) {
            p->st.bad++;
            while (nb < b->nbad && b->bad[nb].k < k)
                nb++;
            if (p->sink.bad && nb < b->nbad && b->bad[nb].k == k)
                p->sink.bad(p->sink.ud, b->src[k], b->idx[k], &b->bad[nb].d);
            continue;
        }
        p->st.events++;
        const ww_event_t *ev = &b->ev[k];
        for (uint32_t i = b->moff[k]; i < b->moff[k + 1]; i++) {
            const ww_sigma_rule_t *rule = b->m[i];
            if (rule->shadow_of) {
                if (p->sink.suppressed)
                    p->sink.suppressed(p->sink.ud, rule);
                continue;
            }
            if (p->corr && ww_corr_wants(p->corr, rule)) {
                uint64_t pos = b->line[k] ? WW_PIPE_REF_LINE | WW_PIPE_REF_POS(b->line[k])
                                          : WW_PIPE_REF_POS(b->idx[k]);
                uint64_t ref = ((uint64_t)b->src[k] << WW_PIPE_REF_SHIFT) | pos;
                ww_corr_feed(p->corr, rule, ev, ref, on_corr, p);
            }
            if (!rule->alert)
                continue;
            ww_pipe_hit_t h = {rule, ev, NULL, b->src[k], b->idx[k], b->line[k], b->fmt};
            p->st.hits++;
            p->sink.hit(p->sink.ud, &h);
        }
        for (uint32_t i = b->xoff[k]; i < b->xoff[k + 1] && p->mt.rule; i++) {
            const ww_sigma_rule_t *rule = p->mt.rule(p->mt.m, b->x[i]);
            if (!rule) {
                p->st.nomem++;
                continue;
            }
            ww_pipe_hit_t h = {rule, ev, NULL, b->src[k], b->idx[k], b->line[k], b->fmt};
            p->st.hits++;
            p->sink.hit(p->sink.ud, &h);
        }
        if (p->sink.event)
            p->sink.event(p->sink.ud, ev, b->src[k], b->idx[k]);
    }
    p->st.batches++;
    if (b->kind == K_MSG && p->sink.done)
        p->sink.done(p->sink.ud, b->mark);
    b->n = 0;
    b->nm = 0;
    b->nx = 0;
    b->nbad = 0;
    b->done = false;
    ww_buf_clear(&b->text);
    if (b->after) {
        void (*fn)(void *) = b->after;
        b->after = NULL;
        fn(b->after_arg);
    }
}

/* Replays finished batches in order; with `all` waits for every one submitted, with
 * `room` until a ring slot is free. */
static void drain(ww_pipe_t *p, bool all, bool room)
{
    pthread_mutex_lock(&p->mu);
    while (p->emitted < p->filled) {
        batch_t *b = &p->ring[p->emitted % p->nring];
        if (!b->done) {
            if (!(all || (room && p->filled - p->emitted >= p->nring)))
                break;
            pthread_cond_wait(&p->done, &p->mu);
            continue;
        }
        pthread_mutex_unlock(&p->mu);
        replay(p, b);
        pthread_mutex_lock(&p->mu);
        p->emitted++;
    }
    pthread_mutex_unlock(&p->mu);
}

/* The batch of `kind` and `fmt` being filled: the current one, or (after handing in a
 * current one of another kind or format) a free ring slot. */
static batch_t *slot(ww_pipe_t *p, int kind, int fmt)
{
    batch_t *b = p->cur;
    if (b && b->n && (b->kind != kind || b->fmt != fmt)) {
        ww_pipe_flush(p);
        b = NULL;
    }
    if (!b) {
        if (p->nthreads > 1)
            drain(p, false, true);
        b = p->cur = &p->ring[p->filled % p->nring];
        b->n = 0;
        b->off[0] = 0;
        ww_buf_clear(&b->text);
    }
    b->kind = kind;
    b->fmt = fmt;
    return b;
}

void ww_pipe_flush(ww_pipe_t *p)
{
    batch_t *b = p->cur;
    if (!b)
        return;
    if (b->kind != K_RANGE && b->n == 0 && !b->after)
        return; /* nothing to hand in: the slot stays the current one */
    p->cur = NULL;
    if (b->kind == K_MSG && b->fmt == WW_FMT_SYSLOG) {
        /* The next syslog batch's history: the last LOOKBACK bytes of this one. */
        size_t keep = b->text.n < LOOKBACK ? b->text.n : LOOKBACK;
        ww_buf_clear(&p->hist);
        if (ww_buf_append(&p->hist, b->text.p + b->text.n - keep, keep) != 0)
            ww_buf_clear(&p->hist); /* no memory: the next batch decodes without */
    }
    if (p->nthreads <= 1) {
        evaluate(p->ctxs[0], &p->mt, b, &p->spare);
        replay(p, b);
        return;
    }
    pthread_mutex_lock(&p->mu);
    p->filled++;
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->mu);
    drain(p, false, false);
}

/* Writes message s[0,n) as one line at o (room for 4n + 1 bytes), LF included (see
 * ww_pipe_add_message); returns the end. */
static char *put_line(char *o, const unsigned char *s, size_t n, int fmt)
{
    /* Eight bytes at a time while none is below 0x20 (the usual line): copied as they
       are; a word with a control byte (tab included) goes byte by byte. */
    size_t i = 0;
    for (;;) {
#if defined(__SSE2__)
        /* Sixteen at a time first: a byte is below 0x20 when min(byte, 0x1f) is itself. */
        const __m128i ctl = _mm_set1_epi8(0x1f);
        for (; i + 16 <= n; i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            if (_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(v, ctl), v)))
                break;
            _mm_storeu_si128((__m128i *)(void *)o, v);
            o += 16;
        }
#endif
        for (; i + 8 <= n; i += 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if ((w - 0x2020202020202020ull) & ~w & 0x8080808080808080ull)
                break;
            memcpy(o, &w, 8);
            o += 8;
        }
        size_t stop = i + 8 < n ? i + 8 : n;
        for (; i < stop; i++) {
            unsigned char c = s[i];
            if (c >= 0x20 || c == '\t')
                *o++ = (char)c;
            else if (fmt == WW_FMT_JSON)
                *o++ = ' '; /* JSON whitespace; inside a string it was invalid anyway */
            else
                o += snprintf(o, 5, "#%03o", c);
        }
        if (i >= n)
            break;
    }
    *o++ = '\n';
    return o;
}

int ww_pipe_add_message(ww_pipe_t *p, uint32_t source, int fmt, uint64_t index, uint64_t mark,
                        const void *msg, size_t n)
{
    batch_t *b = slot(p, K_MSG, fmt);
    if (b->n == b->cap && batch_grow(b, b->cap * 2) != 0)
        return WW_ENOMEM;
    if (b->n == 0) {
        b->hist = 0;
        size_t keep = p->hist.n < LOOKBACK ? p->hist.n : LOOKBACK;
        if (fmt == WW_FMT_SYSLOG && keep &&
            ww_buf_append(&b->text, p->hist.p + p->hist.n - keep, keep) == 0)
            b->hist = (uint32_t)keep;
        b->off[0] = b->hist;
    }
    /* One line per message (see the header). */
    if (b->text.n + n * 4 + 1 > UINT32_MAX)
        return WW_ELIMIT;
    if (ww_buf_reserve(&b->text, n * 4 + 1) != 0)
        return WW_ENOMEM;
    char *o = put_line(b->text.p + b->text.n, msg, n, fmt);
    b->text.n = (size_t)(o - b->text.p);
    b->src[b->n] = source;
    b->idx[b->n] = index;
    b->line[b->n] = 0;
    b->n++;
    b->off[b->n] = (uint32_t)b->text.n;
    b->mark = mark;
    if (b->n == (fmt == WW_FMT_SYSLOG ? SYSLOG_BATCH : WW_PIPE_BATCH))
        ww_pipe_flush(p);
    return 0;
}

int ww_pipe_history_add(ww_pipe_t *p, const void *msg, size_t n)
{
    if (p->hist.n > 2 * LOOKBACK) {
        /* Trimmed now and then, not for every message: the batch takes the last
           LOOKBACK bytes only. */
        memmove(p->hist.p, p->hist.p + p->hist.n - LOOKBACK, LOOKBACK);
        p->hist.n = LOOKBACK;
    }
    if (ww_buf_reserve(&p->hist, n * 4 + 1) != 0)
        return WW_ENOMEM;
    char *o = put_line(p->hist.p + p->hist.n, msg, n, WW_FMT_SYSLOG);
    p->hist.n = (size_t)(o - p->hist.p);
    return 0;
}

int ww_pipe_history_copy(ww_pipe_t *to, const ww_pipe_t *from)
{
    size_t keep = from->hist.n < LOOKBACK ? from->hist.n : LOOKBACK;
    ww_buf_clear(&to->hist);
    if (keep && ww_buf_append(&to->hist, from->hist.p + from->hist.n - keep, keep) != 0) {
        ww_buf_clear(&to->hist);
        return WW_ENOMEM;
    }
    return 0;
}

ww_event_t *ww_pipe_event_slot(ww_pipe_t *p, int fmt)
{
    batch_t *b = slot(p, K_EVENTS, fmt);
    return &b->ev[b->n];
}

void ww_pipe_event_commit(ww_pipe_t *p, uint32_t source, uint64_t index, uint64_t line)
{
    batch_t *b = p->cur;
    b->src[b->n] = source;
    b->idx[b->n] = index;
    b->line[b->n] = line;
    b->ok[b->n] = true;
    b->n++;
    /* Without workers an event is evaluated at once, so that what is said about a bad
       record comes between the alerts before and after it. */
    if (b->n == WW_PIPE_BATCH || p->nthreads <= 1)
        ww_pipe_flush(p);
}

void ww_pipe_ranges_begin(ww_pipe_t *p, uint32_t source, ww_reader_t *r, uint64_t base)
{
    ww_pipe_flush(p);
    p->run = (range_run_t){r, source, base, base, false, 0};
}

int ww_pipe_add_range(ww_pipe_t *p, uint64_t start, uint64_t end)
{
    batch_t *b = slot(p, K_RANGE, ww_reader_format(p->run.r)); /* may replay */
    if (p->run.failed) {
        b->kind = K_EVENTS; /* the slot stays the current one, empty */
        return 1;
    }
    b->parent = p->run.r;
    b->rsrc = p->run.source;
    b->rstart = start;
    b->rend = end;
    b->range_bad = false;
    ww_pipe_flush(p);
    return 0;
}

int ww_pipe_ranges_end(ww_pipe_t *p, uint64_t *done, uint64_t *fail_at)
{
    if (p->cur && p->cur->kind == K_RANGE)
        p->cur->kind = K_EVENTS; /* a slot add_range did not use: empty */
    ww_pipe_drain(p);            /* the ranges point into the reader */
    *done = p->run.next - p->run.base;
    *fail_at = p->run.fail_at;
    int failed = p->run.failed;
    p->run = (range_run_t){0};
    return failed;
}

void ww_pipe_defer(ww_pipe_t *p, void (*fn)(void *), void *arg)
{
    batch_t *b = p->cur;
    if (b && b->n && !b->after) {
        b->after = fn;
        b->after_arg = arg;
        ww_pipe_flush(p);
        return;
    }
    ww_pipe_drain(p);
    fn(arg);
}

void ww_pipe_drain(ww_pipe_t *p)
{
    ww_pipe_flush(p);
    if (p->nthreads > 1)
        drain(p, true, false);
}

void ww_pipe_finish(ww_pipe_t *p)
{
    ww_pipe_drain(p);
    if (p->corr)
        ww_corr_flush(p->corr, on_corr, p);
}

void ww_pipe_set_matcher(ww_pipe_t *p, const ww_pipe_matcher_t *mt)
{
    ww_pipe_drain(p); /* no batch in flight reads the old one any more */
    if (mt)
        p->mt = *mt;
    else
        memset(&p->mt, 0, sizeof p->mt);
}

void ww_pipe_get_stats(const ww_pipe_t *p, ww_pipe_stats_t *out)
{
    *out = p->st;
}

uint64_t ww_pipe_regex_errors(const ww_pipe_t *p, const ww_sigma_rule_t **first, char *why,
                              size_t whylen)
{
    uint64_t total = 0;
    *first = NULL;
    for (int i = 0; p->prog && i < (p->nthreads > 1 ? p->nthreads : 1); i++) {
        uint64_t c = ww_detect_ctx_regex_errors(p->ctxs[i]);
        total += c;
        if (c && !*first)
            *first = ww_detect_ctx_regex_error_rule(p->ctxs[i], why, whylen);
    }
    return total;
}

/* ---- life ---- */

void ww_pipe_free(ww_pipe_t *p)
{
    if (!p)
        return;
    if (p->ring)
        ww_pipe_drain(p);
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->started; i++)
        pthread_join(p->tids[i], NULL);
    for (int i = 0; p->ctxs && i < (p->nthreads > 1 ? p->nthreads : 1); i++)
        ww_detect_ctx_free(p->ctxs[i]);
    for (uint32_t i = 0; p->ring && i < p->nring; i++)
        batch_release(&p->ring[i]);
    free(p->ring);
    free(p->tids);
    free(p->args);
    free(p->ctxs);
    ww_event_release(&p->spare);
    ww_buf_release(&p->hist);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->done);
    free(p);
}

int ww_pipe_new(ww_detect_t *prog, ww_corr_t *corr, int nthreads, const ww_pipe_sink_t *sink,
                ww_pipe_t **out)
{
    *out = NULL;
    if (nthreads > WW_PIPE_MAX_THREADS)
        nthreads = WW_PIPE_MAX_THREADS;
    ww_pipe_t *p = calloc(1, sizeof *p);
    if (!p)
        return WW_ENOMEM;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    ww_event_init(&p->spare);
    ww_buf_init(&p->hist, 0);
    p->prog = prog;
    p->corr = corr;
    p->sink = *sink;
    p->nthreads = nthreads;
    int nctx = nthreads > 1 ? nthreads : 1;
    /* Enough batches to keep every worker busy while the owner fills one and replays
       another. */
    p->nring = nthreads > 1 ? (uint32_t)nthreads * 2 + 2 : 1;
    p->ring = aligned_alloc(64, p->nring * sizeof *p->ring);
    if (p->ring)
        memset(p->ring, 0, p->nring * sizeof *p->ring);
    p->ctxs = calloc((size_t)nctx, sizeof *p->ctxs);
    p->tids = calloc((size_t)nctx, sizeof *p->tids);
    p->args = calloc((size_t)nctx, sizeof *p->args);
    if (!p->ring || !p->ctxs || !p->tids || !p->args)
        goto fail;
    for (uint32_t i = 0; i < p->nring; i++) {
        ww_buf_init(&p->ring[i].text, 0);
        if (batch_grow(&p->ring[i], WW_PIPE_BATCH) != 0)
            goto fail;
    }
    for (int i = 0; prog && i < nctx; i++)
        if (ww_detect_ctx_new(prog, &p->ctxs[i]) != 0)
            goto fail;
    for (int i = 0; nthreads > 1 && i < nthreads; i++) {
        p->args[i] = (worker_arg_t){p, i};
        if (pthread_create(&p->tids[i], NULL, worker, &p->args[i]) != 0)
            goto fail;
        p->started++;
    }
    *out = p;
    return 0;
fail:
    ww_pipe_free(p);
    return WW_ENOMEM;
}
