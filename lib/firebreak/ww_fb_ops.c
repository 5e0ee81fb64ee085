/* A fire-break's life on the router, for every program that drives one (the CLI and
 * the console): making a plan from a host, hosts or a segment; opening a stored plan
 * with its map; the dry run and the apply (record first, watchdog second, load third,
 * verify last); confirm; lift; and the watchdog's rollback.  Nothing here prints: each
 * step says what went wrong in `why` (the words after "firebreak <command>: ") and
 * leaves nft's own messages in a buffer the caller shows.  The order of the steps and
 * why each is there is in docs/firebreaks.md ("Applying safely"). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "asset/ww_asset.h"
#include "firebreak/ww_firebreak.h"

/* How long apply waits for the watchdog to say it is running (it opens the store,
 * which may wait out the store's busy timeout first). */
#define WATCHDOG_START_MS 30000

int64_t ww_fb_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the asset register in the blast radius ---- */

typedef struct collect {
    ww_fb_assets_t *x;
    const ww_fb_map_t *m;
    const int *hops;
} collect_t;

static int asset_cb(void *ud, const ww_asset_t *a)
{
    collect_t *c = ud;
    ww_fb_assets_t *x = c->x;
    for (size_t i = 0; i < a->nips; i++) {
        int seg = ww_fb_map_find_ip(c->m, a->ips[i]);
        if (seg < 0 || c->hops[seg] < 0)
            continue;
        if (x->n == WW_FB_MAX_PLAN_ASSETS) {
            x->truncated = true;
            return 0;
        }
        if (x->n == x->cap) {
            size_t nc = x->cap ? x->cap * 2 : 64;
            ww_fb_asset_t *nv = realloc(x->v, nc * sizeof(*nv));
            if (!nv)
                return WW_ENOMEM;
            x->v = nv;
            x->cap = nc;
        }
        const char *name = a->hostname && *a->hostname ? a->hostname : a->asset_id;
        ww_fb_asset_t *o = &x->v[x->n];
        o->name = ww_arena_strdup(&x->arena, name ? name : "");
        o->ip = ww_arena_strdup(&x->arena, a->ips[i]);
        o->kind = ww_arena_strdup(&x->arena, ww_asset_type_name(a->type));
        o->clinical = a->type == WW_AT_MEDICAL_DEVICE || a->clinical_criticality >= WW_CRIT_HIGH;
        if (!o->name || !o->ip || !o->kind)
            return WW_ENOMEM;
        x->n++;
        break; /* one line per asset: its first address in reach */
    }
    return 0;
}

void ww_fb_assets_collect(ww_store_t *st, const ww_fb_map_t *m, const uint32_t *segs, size_t nsegs,
                          ww_fb_assets_t *x)
{
    memset(x, 0, sizeof *x);
    ww_arena_init(&x->arena, 16384, 64u << 20);
    size_t ns = m->nsegs ? m->nsegs : 1;
    int *hops = calloc(ns, sizeof(int)), *via = calloc(ns, sizeof(int));
    int *h1 = calloc(ns, sizeof(int));
    if (hops && via && h1) {
        for (uint32_t i = 0; i < m->nsegs; i++)
            hops[i] = -1;
        for (size_t k = 0; k < nsegs; k++) {
            ww_fb_reach(m, segs[k], h1, via);
            for (uint32_t i = 0; i < m->nsegs; i++)
                if (h1[i] >= 0 && (hops[i] < 0 || h1[i] < hops[i]))
                    hops[i] = h1[i];
        }
        collect_t c = {x, m, hops};
        ww_diag_t d = {0};
        if (ww_asset_each(st, asset_cb, &c, &d) < 0)
            snprintf(x->unreadable, sizeof x->unreadable, "%s", d.msg[0] ? d.msg : "error");
    }
    free(hops);
    free(via);
    free(h1);
}

void ww_fb_assets_release(ww_fb_assets_t *x)
{
    if (!x)
        return;
    free(x->v);
    x->v = NULL;
    x->n = x->cap = 0;
    ww_arena_release(&x->arena);
}

/* ---- plans ---- */

size_t ww_fb_host_segments(const ww_fb_map_t *m, const ww_fb_host_t *h, size_t nh, uint32_t *segs,
                           ww_buf_t *names)
{
    size_t n = 0;
    for (uint32_t i = 0; i < m->nsegs; i++) {
        bool has = false;
        for (size_t k = 0; k < nh; k++)
            has |= h[k].seg == i;
        if (!has)
            continue;
        if (names)
            ww_buf_printf(names, "%s%s", n ? "," : "", m->segs[i].name);
        segs[n++] = i;
    }
    return n;
}

void ww_fb_describe(const ww_fb_plan_row_t *r, char *out, size_t outlen)
{
    if (r->hosts && *r->hosts)
        snprintf(out, outlen, "%s %.3000s (segment%s %s)", strchr(r->hosts, ',') ? "hosts" : "host",
                 r->hosts, strchr(r->segment, ',') ? "s" : "", r->segment);
    else
        snprintf(out, outlen, "segment %s", r->segment);
}

int ww_fb_map_open(ww_store_t *st, int64_t id, int64_t *id_out, ww_fb_map_t **out, char *path_out,
                   size_t pathlen, char *why, size_t whylen)
{
    char *yaml = NULL, *path = NULL;
    int64_t mid = 0;
    int rc = ww_fb_map_load(st, id, &mid, &yaml, &path);
    if (rc == WW_ENOENT) {
        snprintf(why, whylen,
                 "no network map stored yet: run `wardwatch firebreak map import FILE` first");
        return rc;
    }
    if (rc) {
        snprintf(why, whylen, "cannot read the stored map: %s", ww_strerror(rc));
        return rc;
    }
    ww_fb_map_t *m = NULL;
    ww_diag_t d = {0};
    const char *name = path ? path : "stored map";
    rc = ww_fb_map_parse(yaml, strlen(yaml), name, &m, &d);
    if (rc != 0) {
        if (d.line)
            snprintf(why, whylen, "%s:%u:%u: %s", name, d.line, d.col, d.msg);
        else
            snprintf(why, whylen, "%s: %s", name, d.msg);
    } else {
        if (id_out)
            *id_out = mid;
        if (path_out)
            snprintf(path_out, pathlen, "%s", name);
        *out = m;
    }
    free(yaml);
    free(path);
    return rc;
}

void ww_fb_loaded_release(ww_fb_loaded_t *p)
{
    if (!p)
        return;
    ww_fb_plan_row_release(&p->row);
    ww_fb_map_free(p->m);
    p->m = NULL;
    ww_fb_assets_release(&p->assets);
}

/* Fills p->info from the row and what was loaded. */
static void fill_info(ww_fb_loaded_t *p)
{
    ww_fb_plan_info_t info = {p->row.id,     (uint32_t)p->seg, p->row.infected_ip,
                              p->row.reason, p->row.by,        p->row.created,
                              p->assets.v,   p->assets.n,      p->nhosts ? p->hosts : NULL,
                              p->nhosts};
    p->info = info;
}

int ww_fb_plan_open(ww_store_t *st, int64_t id, bool with_assets, ww_fb_loaded_t *p, char *why,
                    size_t whylen)
{
    memset(p, 0, sizeof *p);
    int rc = ww_fb_plan_get(st, id, &p->row);
    if (rc) {
        snprintf(why, whylen, "plan %lld: %s", (long long)id,
                 rc == WW_ENOENT ? "no such plan" : ww_strerror(rc));
        memset(&p->row, 0, sizeof p->row);
        return rc;
    }
    rc = ww_fb_map_open(st, p->row.map_id, NULL, &p->m, p->map_path, sizeof p->map_path, why,
                        whylen);
    if (rc)
        goto fail;
    if (p->row.hosts && *p->row.hosts) {
        char w[400];
        if (ww_fb_hosts_parse(p->m, p->row.hosts, p->hosts, WW_FB_MAX_HOSTS, &p->nhosts, w,
                              sizeof w) != 0) {
            snprintf(why, whylen, "plan %lld: its hosts do not fit its map: %s", (long long)id, w);
            rc = WW_EPARSE;
            goto fail;
        }
        p->nsegs = ww_fb_host_segments(p->m, p->hosts, p->nhosts, p->segs, NULL);
        p->seg = (int)p->hosts[0].seg;
    } else {
        p->seg = ww_fb_map_find_segment(p->m, p->row.segment);
        if (p->seg < 0) {
            snprintf(why, whylen, "plan %lld: segment %s is not in its map", (long long)id,
                     p->row.segment);
            rc = WW_EPARSE;
            goto fail;
        }
        p->segs[0] = (uint32_t)p->seg;
        p->nsegs = 1;
    }
    if (with_assets)
        ww_fb_assets_collect(st, p->m, p->segs, p->nsegs, &p->assets);
    fill_info(p);
    return 0;
fail:
    ww_fb_loaded_release(p);
    memset(p, 0, sizeof *p);
    return rc;
}

int ww_fb_plan_make(ww_store_t *st, const ww_fb_plan_req_t *req, ww_fb_loaded_t *p, char *why,
                    size_t whylen)
{
    memset(p, 0, sizeof *p);
    int given = !!req->infected + !!req->segment + !!req->hosts;
    if (given != 1) {
        snprintf(why, whylen,
                 "give exactly one of --infected IP, --segment NAME or --host IP[,IP...]");
        return WW_EINVAL;
    }
    /* The infected host, read strictly and written the one way the records keep it
     * ("::ffff:10.20.0.7" is 10.20.0.7; "010.20.0.7" is refused, not guessed). */
    char infected[64] = "", w[400];
    const char *inf = NULL;
    if (req->infected) {
        uint8_t addr[16];
        int fam;
        if (ww_fb_addr_parse(req->infected, &fam, addr, NULL, w, sizeof w) != 0) {
            snprintf(why, whylen, "--infected %s", w);
            return WW_EPARSE;
        }
        ww_fb_addr_format(fam, addr, infected, sizeof infected);
        inf = infected;
    }
    int rc = WW_EIO;
    int64_t map_id = 0;
    ww_buf_t chain, table, segnames, hostlist;
    ww_buf_init(&chain, 0);
    ww_buf_init(&table, 0);
    ww_buf_init(&segnames, 0);
    ww_buf_init(&hostlist, 0);
    bool in_tx = false;
    rc = ww_fb_map_open(st, 0, &map_id, &p->m, NULL, 0, why, whylen);
    if (rc)
        goto out;
    int seg = -1;
    if (req->hosts) {
        if (ww_fb_hosts_parse(p->m, req->hosts, p->hosts, WW_FB_MAX_HOSTS, &p->nhosts, w,
                              sizeof w) != 0) {
            snprintf(why, whylen, "--host: %s; nothing stored", w);
            rc = WW_EPARSE;
            goto out;
        }
        p->nsegs = ww_fb_host_segments(p->m, p->hosts, p->nhosts, p->segs, &segnames);
        for (size_t i = 0; i < p->nhosts; i++)
            ww_buf_printf(&hostlist, "%s%s", i ? "," : "", p->hosts[i].text);
        if (segnames.err || hostlist.err) {
            snprintf(why, whylen, "out of memory");
            rc = WW_ENOMEM;
            goto out;
        }
        seg = (int)p->hosts[0].seg;
    } else {
        seg = inf ? ww_fb_map_find_ip(p->m, inf) : ww_fb_map_find_segment(p->m, req->segment);
        if (seg < 0) {
            if (inf)
                snprintf(why, whylen, "%s is in no segment of the map", inf);
            else
                snprintf(why, whylen, "no segment named '%s' in the map", req->segment);
            rc = WW_ENOENT;
            goto out;
        }
        if (p->m->segs[seg].kind == WW_FB_KIND_EXTERNAL) {
            if (inf)
                snprintf(why, whylen,
                         "%s is in external segment %s, outside the hospital: wardwatch isolates "
                         "the hospital's own segments",
                         inf, p->m->segs[seg].name);
            else
                snprintf(why, whylen,
                         "segment %s is external, outside the hospital: wardwatch isolates the "
                         "hospital's own segments",
                         p->m->segs[seg].name);
            rc = WW_EINVAL;
            goto out;
        }
        p->segs[0] = (uint32_t)seg;
        p->nsegs = 1;
    }
    p->seg = seg;
    /* The register is read before the plan's transaction: reading it may create its
     * tables, which cannot happen inside another transaction. */
    ww_fb_assets_collect(st, p->m, p->segs, p->nsegs, &p->assets);
    char now[40];
    ww_fb_now(now, sizeof now);
    ww_fb_plan_row_t row = {0};
    row.created = now;
    row.by = (char *)req->by;
    row.reason = (char *)req->reason;
    row.map_id = map_id;
    row.segment = p->nhosts ? segnames.p : p->m->segs[seg].name;
    row.infected_ip = (char *)inf;
    row.hosts = p->nhosts ? hostlist.p : NULL;
    /* The plan, its rules and its record land together or not at all. */
    ww_diag_t td = {0};
    rc = WW_EIO;
    if (ww_store_exec(st, "BEGIN IMMEDIATE", &td) != 0)
        goto store_fail;
    in_tx = true;
    if (ww_fb_plan_insert(st, &row) != 0)
        goto store_fail;
    ww_fb_plan_info_t info = {row.id,      (uint32_t)seg, inf,
                              req->reason, row.by,        now,
                              p->assets.v, p->assets.n,   p->nhosts ? p->hosts : NULL,
                              p->nhosts};
    const char *c1;
    if (ww_fb_render_chain(p->m, &info, &chain) != 0 || chain.err ||
        (c1 = chain.p, ww_fb_render_table(&c1, 1, &table)) != 0 || table.err) {
        snprintf(why, whylen, "cannot render the plan");
        goto out;
    }
    char detail[4400];
    if (p->nhosts)
        snprintf(detail, sizeof detail, "plan to quarantine %s %s (segment%s %s)",
                 p->nhosts == 1 ? "host" : "hosts", hostlist.p, p->nsegs == 1 ? "" : "s",
                 segnames.p);
    else
        snprintf(detail, sizeof detail, "plan to isolate segment %s%s%s", p->m->segs[seg].name,
                 inf ? ", infected host " : "", inf ? inf : "");
    if (ww_fb_plan_set_rules(st, row.id, chain.p, table.p) != 0 ||
        ww_fb_record(st, "plan", row.id, row.segment, row.by, req->reason, table.p, detail) ||
        ww_store_exec(st, "COMMIT", &td) != 0)
        goto store_fail;
    in_tx = false;
    /* Read back as stored, so the caller sees exactly what apply will load. */
    int64_t id = row.id;
    ww_fb_loaded_release(p);
    rc = ww_fb_plan_open(st, id, true, p, why, whylen);
    goto out;
store_fail:
    snprintf(why, whylen, "cannot store the plan: %s%s", ww_store_errmsg(st),
             ww_store_busy(st) ? " (another process holds the database lock)" : "");
    rc = WW_EIO;
out:
    if (in_tx)
        ww_store_rollback(st);
    if (rc) {
        ww_fb_loaded_release(p);
        memset(p, 0, sizeof *p);
    }
    ww_buf_release(&chain);
    ww_buf_release(&table);
    ww_buf_release(&segnames);
    ww_buf_release(&hostlist);
    return rc;
}

/* ---- the router ---- */

int ww_fb_compose(ww_store_t *st, int64_t except, const char *extra, ww_buf_t *out)
{
    ww_fb_plan_row_t *rows = NULL;
    size_t n = 0;
    int rc = ww_fb_plan_list(st, true, &rows, &n);
    if (rc)
        return rc;
    const char **chains = calloc(n + 1, sizeof(*chains));
    if (!chains) {
        ww_fb_plan_rows_free(rows, n);
        return WW_ENOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (rows[i].id != except)
            chains[k++] = rows[i].chain;
    if (extra)
        chains[k++] = extra;
    rc = ww_fb_render_table(chains, k, out);
    free(chains);
    ww_fb_plan_rows_free(rows, n);
    return rc;
}

/* Appends "what could not be recorded" to res->unrecorded (the caller says it). */
static void unrecorded(ww_store_t *st, ww_fb_result_t *res, const char *what)
{
    size_t have = strlen(res->unrecorded);
    snprintf(res->unrecorded + have, sizeof res->unrecorded - have,
             "%s%s could not be recorded in the hazard log either (%s%s); write it down by hand",
             have ? "\n" : "", what, ww_store_errmsg(st),
             ww_store_busy(st) ? ": another process holds the database lock" : "");
}

/* Records a failed or refused step (plan state unchanged). */
static void record_failure(ww_store_t *st, ww_fb_result_t *res, const char *action,
                           const ww_fb_plan_row_t *row, const char *by, const char *reason,
                           const char *ruleset, const char *detail)
{
    if (ww_fb_record(st, action, row->id, row->segment, by, reason, ruleset, detail) != 0)
        unrecorded(st, res, action);
}

int ww_fb_watchdog_spawn(const char *exe, const char *db, int64_t id, char *why, size_t whylen)
{
    char ids[32], dbabs[4096], fds[16], prog[4096];
    snprintf(prog, sizeof prog, "%s", exe);
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    /* The watchdog changes directory to /, so a relative database path is resolved now. */
    if (db[0] != '/') {
        char cwd[2048];
        if (!getcwd(cwd, sizeof cwd)) {
            snprintf(why, whylen, "cannot resolve the database path: %s", strerror(errno));
            return -1;
        }
        snprintf(dbabs, sizeof dbabs, "%s/%s", cwd, db);
    } else {
        snprintf(dbabs, sizeof dbabs, "%s", db);
    }
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) != 0) {
        snprintf(why, whylen, "pipe: %s", strerror(errno));
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, whylen, "fork: %s", strerror(errno));
        close(pfd[0]);
        close(pfd[1]);
        return -1;
    }
    if (pid == 0) {
        /* Only async-signal-safe calls from here: the parent may be a threaded server. */
        close(pfd[0]);
        setsid();
        pid_t p2 = fork();
        if (p2 != 0)
            _exit(p2 < 0 ? 1 : 0);
        if (chdir("/") != 0)
            _exit(1);
        int fd = open("/dev/null", O_RDWR);
        if (fd >= 0) {
            dup2(fd, 0);
            dup2(fd, 1);
            dup2(fd, 2);
            if (fd > 2)
                close(fd);
        }
        /* The write end survives exec (and only it): the watchdog answers on it. */
        int wfd = fcntl(pfd[1], F_DUPFD, 3);
        if (wfd < 0)
            _exit(1);
        /* Digits by hand: snprintf is not async-signal-safe. */
        char *e = fds + sizeof fds - 1;
        *e = 0;
        int v = wfd;
        do {
            *--e = (char)('0' + v % 10);
            v /= 10;
        } while (v && e > fds);
        char *args[] = {prog, "firebreak", "watchdog", ids, "--db", dbabs, "--ready-fd", e, NULL};
        execv(prog, args);
        _exit(127);
    }
    close(pfd[1]);
    int stt = 0;
    while (waitpid(pid, &stt, 0) < 0 && errno == EINTR)
        ;
    int rc = -1;
    if (!WIFEXITED(stt) || WEXITSTATUS(stt) != 0) {
        snprintf(why, whylen, "the watchdog process could not be created");
        goto out;
    }
    /* Wait for its word: EOF (it died, or exec failed) means no watchdog. */
    struct pollfd p = {pfd[0], POLLIN, 0};
    int pr;
    while ((pr = poll(&p, 1, WATCHDOG_START_MS)) < 0 && errno == EINTR)
        ;
    char c = 0;
    ssize_t r = 0;
    if (pr > 0) {
        while ((r = read(pfd[0], &c, 1)) < 0 && errno == EINTR)
            ;
    }
    if (pr == 0)
        snprintf(why, whylen, "the watchdog did not report ready within %d s",
                 WATCHDOG_START_MS / 1000);
    else if (r != 1 || c != 'R')
        snprintf(why, whylen, "the watchdog (%.200s) exited before it was ready", prog);
    else
        rc = 0;
out:
    close(pfd[0]);
    return rc;
}

/* Plan `id`'s chain as the kernel lists it now, normalised: 1 and out, 0 when the
 * router does not hold it, WW_EIO when nft cannot be asked. */
static int live_chain(int64_t id, ww_buf_t *out)
{
    ww_buf_t cur;
    ww_buf_init(&cur, 4u << 20);
    int have = ww_fb_nft_current(&cur);
    int rc = have < 0 ? WW_EIO : have == 0 ? 0 : ww_fb_nft_chain_of(cur.p, id, out);
    ww_buf_release(&cur);
    return rc < 0 ? WW_EIO : rc;
}

void ww_fb_result_init(ww_fb_result_t *res)
{
    memset(res, 0, sizeof *res);
    ww_buf_init(&res->file, 0);
    ww_buf_init(&res->msgs, 64 * 1024);
    res->check = WW_EIO;
}

void ww_fb_result_release(ww_fb_result_t *res)
{
    if (!res)
        return;
    ww_buf_release(&res->file);
    ww_buf_release(&res->msgs);
}

int ww_fb_apply(ww_store_t *st, ww_fb_loaded_t *p, const ww_fb_apply_opts_t *o, ww_fb_result_t *res,
                char *why, size_t whylen)
{
    ww_fb_plan_row_t *row = &p->row;
    const ww_fb_map_t *m = p->m;
    ww_fb_describe(row, res->subject, sizeof res->subject);
    res->quarantine = p->nhosts > 0;
    /* A host plan touches each host's segment: one of them monitor-only is enough. */
    int monitor_seg = -1;
    for (size_t i = 0; i < p->nsegs && monitor_seg < 0; i++)
        if (m->segs[p->segs[i]].monitor_only)
            monitor_seg = (int)p->segs[i];
    const char *by = o->by;
    const char *reason = o->reason ? o->reason : row->reason;
    int rc = -1, lockfd = -1;
    ww_buf_t undo, prev, listing;
    ww_buf_init(&undo, 0);
    ww_buf_init(&prev, 4u << 20);
    ww_buf_init(&listing, 4u << 20);
    ww_fb_plan_row_t *live = NULL;
    size_t nlive = 0;
    char detail[768], w[512];
    if (!strcmp(row->state, "pending") || !strcmp(row->state, "active")) {
        snprintf(why, whylen, "plan %lld is already %s", (long long)row->id, row->state);
        goto out;
    }
    if (monitor_seg >= 0 && !o->override_monitor_only) {
        snprintf(why, whylen,
                 "segment %s is marked monitor_only in the map: no apply without "
                 "--override-monitor-only",
                 m->segs[monitor_seg].name);
        record_failure(st, res, "apply-refused", row, by, reason, NULL,
                       "segment is monitor_only and no override was given");
        goto out;
    }
    /* Everything that reads the live plans and changes the router happens under the
     * router lock, so a second apply sees the first one's record and keeps its chain. */
    if (o->load && ww_fb_router_lock(&lockfd, w, sizeof w) != 0) {
        snprintf(why, whylen, "%s; nothing loaded", w);
        snprintf(detail, sizeof detail, "router lock: %s; nothing loaded", w);
        record_failure(st, res, "apply-failed", row, by, reason, NULL, detail);
        goto out;
    }
    if (ww_fb_plan_list(st, true, &live, &nlive) != 0) {
        snprintf(why, whylen, "cannot read the live fire-breaks: %s", ww_store_errmsg(st));
        goto out;
    }
    for (size_t i = 0; i < nlive; i++)
        if (live[i].id != row->id && ww_fb_plan_mark(live[i].id) == ww_fb_plan_mark(row->id)) {
            snprintf(why, whylen,
                     "plan %lld would share conntrack mark 0x%08x with live plan %lld (at most "
                     "%d plans live at once, by number): lift plan %lld, or make this plan "
                     "again for a new number",
                     (long long)row->id, ww_fb_plan_mark(row->id), (long long)live[i].id,
                     WW_FB_CT_MARK_SLOTS, (long long)live[i].id);
            snprintf(detail, sizeof detail, "conntrack mark 0x%08x is held by live plan %lld",
                     ww_fb_plan_mark(row->id), (long long)live[i].id);
            record_failure(st, res, "apply-refused", row, by, reason, NULL, detail);
            goto out;
        }
    if (ww_fb_compose(st, row->id, row->chain, &res->file) != 0 ||
        ww_fb_compose(st, row->id, NULL, &undo) != 0) {
        snprintf(why, whylen, "cannot build the ruleset");
        goto out;
    }
    res->check = ww_fb_nft_load(res->file.p, true, &res->msgs);
    if (!o->load) {
        snprintf(detail, sizeof detail, "dry run; nft -c %s",
                 res->check == 0 ? "passed" : "failed");
        if (ww_fb_record(st, "dry-run", row->id, row->segment, by, reason, res->file.p, detail) !=
            0) {
            unrecorded(st, res, "the dry run");
            why[0] = 0; /* the record is what failed: res->unrecorded says so */
            goto out;
        }
        rc = 0;
        goto out;
    }
    if (res->check != 0) {
        snprintf(why, whylen, "nft -c rejects the ruleset, nothing loaded:");
        res->show_msgs = true;
        record_failure(st, res, "apply-failed", row, by, reason, res->file.p,
                       "nft -c rejected the ruleset; nothing loaded");
        goto out;
    }
    int had = ww_fb_nft_current(&prev);
    if (had < 0) {
        snprintf(why, whylen, "cannot read the current nftables state; nothing loaded");
        record_failure(st, res, "apply-failed", row, by, reason, res->file.p,
                       "nft could not list the current table; nothing loaded");
        goto out;
    }
    long secs = o->rollback_s >= 0 ? o->rollback_s : WW_FB_DEFAULT_ROLLBACK_S;
    res->secs = secs;
    char now[40];
    ww_fb_now(now, sizeof now);
    int64_t deadline = secs ? ww_fb_now_ms() + (int64_t)secs * 1000 : 0;
    if (secs)
        snprintf(detail, sizeof detail,
                 "loading into table inet " WW_FB_TABLE "%s; rolls back in %ld s unless "
                 "confirmed; the table %s before; conntrack mark 0x%08x",
                 o->override_monitor_only ? " (monitor_only overridden)" : "", secs,
                 had ? "existed" : "did not exist", ww_fb_plan_mark(row->id));
    else
        snprintf(detail, sizeof detail,
                 "loading into table inet " WW_FB_TABLE "%s; no automatic rollback; the table "
                 "%s before; conntrack mark 0x%08x",
                 o->override_monitor_only ? " (monitor_only overridden)" : "",
                 had ? "existed" : "did not exist", ww_fb_plan_mark(row->id));
    /* 1. The record first: a fire-break the hazard log does not know about must never
     *    be on the router. */
    int r =
        ww_fb_plan_begin_apply(st, row->id, secs ? "pending" : "active", now, deadline,
                               had ? prev.p : "", row->segment, by, reason, res->file.p, detail);
    if (r <= 0) {
        if (r == 0)
            snprintf(why, whylen, "plan %lld was applied meanwhile by someone else",
                     (long long)row->id);
        else
            snprintf(why, whylen, "cannot record the apply (%s%s); nothing was loaded",
                     ww_store_errmsg(st),
                     ww_store_busy(st) ? ": another process holds the database lock" : "");
        if (r < 0)
            record_failure(st, res, "apply-failed", row, by, reason, res->file.p,
                           "the apply could not be recorded; nothing loaded");
        goto out;
    }
    /* 2. The watchdog, before the load: once the rules are in, something must be
     *    able to take them out. */
    if (secs && (!o->watchdog || o->watchdog(o->watchdog_ud, row->id, w, sizeof w) != 0)) {
        if (!o->watchdog)
            snprintf(w, sizeof w, "no watchdog program");
        snprintf(why, whylen, "cannot start the rollback watchdog (%s); nothing was loaded", w);
        snprintf(detail, sizeof detail,
                 "the rollback watchdog could not be started (%s); nothing loaded", w);
        if (ww_fb_plan_finish(st, row->id, "planned", "apply-failed", row->segment, by, reason,
                              NULL, detail) != 0)
            unrecorded(st, res, "the failed apply");
        goto out;
    }
    /* 3. The load: one nft transaction. */
    ww_buf_clear(&res->msgs);
    r = ww_fb_nft_load(res->file.p, false, &res->msgs);
    if (r != 0) {
        snprintf(why, whylen, "nft -f failed, nothing loaded:");
        res->show_msgs = true;
        snprintf(detail, sizeof detail,
                 "nft -f failed; nftables is unchanged (one transaction): %.300s",
                 res->msgs.p ? res->msgs.p : "");
        if (ww_fb_plan_finish(st, row->id, "planned", "apply-failed", row->segment, by, reason,
                              res->file.p, detail) != 0)
            unrecorded(st, res, "the failed apply");
        goto out;
    }
    /* 4. What the kernel now holds, for `status` to compare against.  Any failure
     *    here undoes the load at once. */
    r = live_chain(row->id, &listing);
    const char *fail = NULL;
    if (r != 1)
        fail = r == 0 ? "the chain is not in the kernel's listing after the load"
                      : "nft could not list the table after the load";
    else if (ww_fb_plan_set_live(st, row->id, listing.p) != 0) {
        snprintf(w, sizeof w, "the loaded ruleset could not be recorded (%s%s)",
                 ww_store_errmsg(st),
                 ww_store_busy(st) ? ": another process holds the database lock" : "");
        fail = w;
    }
    if (fail) {
        ww_buf_t um;
        ww_buf_init(&um, 64 * 1024);
        int u = ww_fb_nft_load(undo.p, false, &um);
        ww_buf_release(&um);
        snprintf(why, whylen, "%s; %s", fail,
                 u == 0 ? "the load was undone" : "UNDOING THE LOAD FAILED");
        snprintf(detail, sizeof detail, "%s; %s", fail,
                 u == 0 ? "the load was undone at once"
                        : "undoing the load failed: the watchdog will roll it back");
        if (u == 0 && ww_fb_plan_finish(st, row->id, "planned", "apply-failed", row->segment, by,
                                        reason, undo.p, detail) != 0)
            unrecorded(st, res, "the undone apply");
        if (u != 0)
            record_failure(st, res, "error", row, by, reason, undo.p, detail);
        goto out;
    }
    rc = 0;
out:
    ww_fb_router_unlock(lockfd);
    ww_fb_plan_rows_free(live, nlive);
    ww_buf_release(&undo);
    ww_buf_release(&prev);
    ww_buf_release(&listing);
    return rc;
}

int ww_fb_confirm(ww_store_t *st, const ww_fb_plan_row_t *row, const char *by, const char *reason,
                  char *why, size_t whylen)
{
    int rc = ww_fb_plan_confirm(st, row->id, ww_fb_now_ms(), row->segment, by,
                                reason ? reason : row->reason,
                                "kept: the automatic rollback is cancelled");
    if (rc == 1)
        return 0;
    if (rc < 0) {
        snprintf(why, whylen,
                 "cannot record the confirmation (%s%s); plan %lld is NOT confirmed and rolls "
                 "back at its deadline",
                 ww_store_errmsg(st),
                 ww_store_busy(st) ? ": another process holds the database lock" : "",
                 (long long)row->id);
        return WW_EIO;
    }
    bool late = !strcmp(row->state, "pending") || !strcmp(row->state, "rolling-back") ||
                !strcmp(row->state, "rolled-back");
    snprintf(why, whylen, "plan %lld is %s, not waiting for confirmation%s", (long long)row->id,
             row->state, late ? " (the rollback time had passed)" : "");
    return WW_EINVAL;
}

int ww_fb_take_out(ww_store_t *st, const ww_fb_plan_row_t *row, const char *action,
                   const char *new_state, const char *by, const char *reason, const char *detail,
                   ww_fb_result_t *res, char *why, size_t whylen)
{
    ww_buf_clear(&res->file);
    ww_buf_clear(&res->msgs);
    int rc = ww_fb_compose(st, row->id, NULL, &res->file);
    if (rc == 0)
        rc = ww_fb_nft_load(res->file.p, false, &res->msgs);
    if (rc != 0) {
        char d[400];
        snprintf(d, sizeof d, "%s failed: %.300s", action,
                 res->msgs.p ? res->msgs.p : ww_strerror(rc));
        if (ww_fb_record(st, "error", row->id, row->segment, by, reason, res->file.p, d) != 0)
            unrecorded(st, res, "the failure");
        if (!res->msgs.p)
            ww_buf_puts(&res->msgs, ww_strerror(rc));
        snprintf(why, whylen, "nft failed:");
        res->show_msgs = true;
        return -1;
    }
    if (ww_fb_plan_finish(st, row->id, new_state, action, row->segment, by, reason, res->file.p,
                          detail) != 0) {
        snprintf(why, whylen, "plan %lld is off the router, but this could not be recorded (%s)",
                 (long long)row->id, ww_store_errmsg(st));
        return -2;
    }
    return 0;
}

int ww_fb_lift(ww_store_t *st, const ww_fb_plan_row_t *row, const char *by, const char *reason,
               ww_fb_result_t *res, char *why, size_t whylen)
{
    int status = -1, lockfd = -1;
    char w[512];
    ww_fb_describe(row, res->subject, sizeof res->subject);
    if (ww_fb_router_lock(&lockfd, w, sizeof w) != 0) {
        snprintf(why, whylen, "%s; nothing changed", w);
        goto out;
    }
    const char *was = NULL;
    int rc = ww_fb_plan_transition(st, row->id, "pending", "lifting");
    if (rc == 1)
        was = "pending";
    else if (rc == 0 && (rc = ww_fb_plan_transition(st, row->id, "active", "lifting")) == 1)
        was = "active";
    if (rc < 0) {
        snprintf(why, whylen, "cannot record the lift (%s%s); nothing changed", ww_store_errmsg(st),
                 ww_store_busy(st) ? ": another process holds the database lock" : "");
        goto out;
    }
    if (!was) {
        snprintf(why, whylen, "plan %lld is %s, not applied", (long long)row->id, row->state);
        goto out;
    }
    rc = ww_fb_take_out(st, row, "lift", "lifted", by, reason ? reason : row->reason,
                        "fire-break removed; wardwatch's table holds the other live fire-breaks, "
                        "or is gone",
                        res, why, whylen);
    if (rc == 0)
        status = 0;
    else if (rc == -1)
        ww_fb_plan_transition(st, row->id, "lifting", was);
out:
    ww_fb_router_unlock(lockfd);
    return status;
}
