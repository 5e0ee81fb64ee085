/* The pipeline (see ww_pipeline.h): a ring of batches, worker threads that decode and
 * evaluate them, and an in-order replay on the owner's thread.
 *
 * A batch of messages is decoded as one in-memory input: the messages joined by LF,
 * each made a single line first (ww_pipe_add_message), so the reader's record k is
 * message k.  Should a decoder ever give a different count (a message the format's
 * reader splits or merges), the batch is decoded again message by message, each on
 * its own reader: slower, never wrong. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/ww_pipeline.h"

typedef struct bad {
    uint32_t k; /* the message */
    ww_diag_t d;
} bad_t;

typedef struct batch {
    int fmt;
    ww_buf_t text;                   /* the messages, each ending in LF */
    uint32_t off[WW_PIPE_BATCH + 1]; /* message k is text[off[k], off[k+1] - 1) */
    uint32_t src[WW_PIPE_BATCH];
    uint64_t idx[WW_PIPE_BATCH];
    uint32_t n;
    uint64_t mark;
    /* Results, filled by a worker. */
    ww_event_t ev[WW_PIPE_BATCH];
    bool ok[WW_PIPE_BATCH];
    bad_t *bad;
    uint32_t nbad, badcap;
    uint32_t moff[WW_PIPE_BATCH + 1]; /* matches of message k: m[moff[k]..moff[k+1]) */
    const ww_sigma_rule_t **m;
    uint32_t nm, mcap;
    bool nomem;
    bool done;
} batch_t;

typedef struct worker_arg {
    ww_pipe_t *p;
    int id;
} worker_arg_t;

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
    int nthreads, started;
    pthread_t *tids;
    worker_arg_t *args;
    ww_detect_ctx_t **ctxs; /* one per worker; ctxs[0] also serves the owner without workers */
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    bool stop;
    ww_event_t spare; /* decoding without workers */
};

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

static void decode(batch_t *b, ww_event_t *spare)
{
    ww_reader_t *r = NULL;
    ww_diag_t d = {0};
    b->nbad = 0;
    bool whole = ww_reader_open_mem("messages", b->text.p, b->text.n, b->fmt, &r, &d) == 0;
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
    if (whole && k == b->n)
        return;
    b->nbad = 0;
    for (k = 0; k < b->n; k++) {
        b->ok[k] = false;
        decode_one(b, k);
    }
}

static void evaluate(ww_detect_ctx_t *ctx, batch_t *b, ww_event_t *spare)
{
    b->nm = 0;
    b->nomem = false;
    decode(b, spare);
    for (uint32_t k = 0; k < b->n; k++) {
        b->moff[k] = b->nm;
        if (b->ok[k])
            ww_detect_event(ctx, &b->ev[k], record_match, b);
    }
    b->moff[b->n] = b->nm;
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
        evaluate(ctx, b, &spare);
        pthread_mutex_lock(&p->mu);
        b->done = true;
        pthread_cond_broadcast(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    ww_event_release(&spare);
    return NULL;
}

/* ---- replay ---- */

static void on_corr(void *ud, const ww_corr_alert_t *a)
{
    ww_pipe_t *p = ud;
    if (!a->rule->alert)
        return;
    uint64_t first = a->nrefs ? a->refs[0] : 0;
    ww_pipe_hit_t h = {a->rule, NULL, a, WW_PIPE_REF_SOURCE(first), WW_PIPE_REF_INDEX(first)};
    p->st.hits++;
    p->sink.hit(p->sink.ud, &h);
}

static void replay(ww_pipe_t *p, batch_t *b)
{
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
            if (p->corr && ww_corr_wants(p->corr, rule)) {
                uint64_t ref =
                    ((uint64_t)b->src[k] << WW_PIPE_REF_SHIFT) | WW_PIPE_REF_INDEX(b->idx[k]);
                ww_corr_feed(p->corr, rule, ev, ref, on_corr, p);
            }
            if (!rule->alert)
                continue;
            ww_pipe_hit_t h = {rule, ev, NULL, b->src[k], b->idx[k]};
            p->st.hits++;
            p->sink.hit(p->sink.ud, &h);
        }
        if (p->sink.event)
            p->sink.event(p->sink.ud, ev, b->src[k], b->idx[k]);
    }
    p->st.batches++;
    if (p->sink.done)
        p->sink.done(p->sink.ud, b->mark);
    b->n = 0;
    b->nm = 0;
    b->nbad = 0;
    b->done = false;
    ww_buf_clear(&b->text);
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

static batch_t *slot(ww_pipe_t *p)
{
    if (!p->cur) {
        if (p->nthreads > 1)
            drain(p, false, true);
        p->cur = &p->ring[p->filled % p->nring];
        p->cur->n = 0;
        p->cur->off[0] = 0;
        ww_buf_clear(&p->cur->text);
    }
    return p->cur;
}

void ww_pipe_flush(ww_pipe_t *p)
{
    batch_t *b = p->cur;
    if (!b)
        return;
    p->cur = NULL;
    if (p->nthreads <= 1) {
        evaluate(p->ctxs[0], b, &p->spare);
        replay(p, b);
        return;
    }
    pthread_mutex_lock(&p->mu);
    p->filled++;
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->mu);
    drain(p, false, false);
}

int ww_pipe_add_message(ww_pipe_t *p, uint32_t source, int fmt, uint64_t index, uint64_t mark,
                        const void *msg, size_t n)
{
    batch_t *b = slot(p);
    if (b->n && b->fmt != fmt) {
        ww_pipe_flush(p); /* one format per batch: one reader decodes it */
        b = slot(p);
    }
    b->fmt = fmt;
    /* One line per message (see the header). */
    const unsigned char *s = msg;
    size_t need = b->text.n + n * 4 + 1;
    if (need > UINT32_MAX)
        return WW_ELIMIT;
    if (ww_buf_reserve(&b->text, n * 4 + 1) != 0)
        return WW_ENOMEM;
    char *o = b->text.p + b->text.n;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c >= 0x20 || c == '\t')
            *o++ = (char)c;
        else if (fmt == WW_FMT_JSON)
            *o++ = ' '; /* JSON whitespace; inside a string it was invalid anyway */
        else
            o += snprintf(o, 5, "#%03o", c);
    }
    *o++ = '\n';
    b->text.n = (size_t)(o - b->text.p);
    b->src[b->n] = source;
    b->idx[b->n] = index;
    b->n++;
    b->off[b->n] = (uint32_t)b->text.n;
    b->mark = mark;
    if (b->n == WW_PIPE_BATCH)
        ww_pipe_flush(p);
    return 0;
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

void ww_pipe_get_stats(const ww_pipe_t *p, ww_pipe_stats_t *out)
{
    *out = p->st;
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
    for (uint32_t i = 0; p->ring && i < p->nring; i++) {
        for (int k = 0; k < WW_PIPE_BATCH; k++)
            ww_event_release(&p->ring[i].ev[k]);
        ww_buf_release(&p->ring[i].text);
        free(p->ring[i].m);
        free(p->ring[i].bad);
    }
    free(p->ring);
    free(p->tids);
    free(p->args);
    free(p->ctxs);
    ww_event_release(&p->spare);
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
    p->prog = prog;
    p->corr = corr;
    p->sink = *sink;
    p->nthreads = nthreads;
    int nctx = nthreads > 1 ? nthreads : 1;
    /* Enough batches to keep every worker busy while the owner fills one and replays
       another. */
    p->nring = nthreads > 1 ? (uint32_t)nthreads * 2 + 2 : 1;
    p->ring = calloc(p->nring, sizeof *p->ring);
    p->ctxs = calloc((size_t)nctx, sizeof *p->ctxs);
    p->tids = calloc((size_t)nctx, sizeof *p->tids);
    p->args = calloc((size_t)nctx, sizeof *p->args);
    if (!p->ring || !p->ctxs || !p->tids || !p->args)
        goto fail;
    for (uint32_t i = 0; i < p->nring; i++) {
        ww_buf_init(&p->ring[i].text, 0);
        for (int k = 0; k < WW_PIPE_BATCH; k++)
            ww_event_init(&p->ring[i].ev[k]);
    }
    for (int i = 0; i < nctx; i++)
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
