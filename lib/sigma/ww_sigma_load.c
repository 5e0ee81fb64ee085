/* The Sigma loader's front: the ruleset, files and directories, YAML documents sorted
 * into detection rules, correlations and filters, rule metadata, placeholders, error
 * records, and ww_sigma_finish() which ties rules together once everything is read. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "sigma/ww_sigma_int.h"

#define MAX_FILE_SIZE (16u << 20)
#define MAX_ERRORS 100000
#define MAX_PATH_DEPTH 32

static const char *const level_names[] = {"informational", "low", "medium", "high", "critical"};

const char *ww_level_name(int level)
{
    if (level < 0 || level >= (int)WW_ARRAY_LEN(level_names))
        return "unknown";
    return level_names[level];
}

int ww_level_parse(const char *name)
{
    for (size_t i = 0; i < WW_ARRAY_LEN(level_names); i++)
        if (name && strcmp(name, level_names[i]) == 0)
            return (int)i;
    return -1;
}

/* ---- errors ----------------------------------------------------------------------- */

static void set_msg(ww_sigma_ctx_t *c, uint32_t line, uint32_t col, const char *fmt, va_list ap)
{
    if (c->failed)
        return;
    c->failed = true;
    c->line = line;
    c->col = col;
    memcpy(c->fail_ph, c->cur_ph, sizeof c->fail_ph);
    vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
}

int ww__sigma_fail(ww_sigma_ctx_t *c, const ww_yn_t *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_msg(c, at ? at->line : 0, at ? at->col : 0, fmt, ap);
    va_end(ap);
    return WW_EPARSE;
}

int ww__sigma_fail_at(ww_sigma_ctx_t *c, uint32_t line, uint32_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_msg(c, line, col, fmt, ap);
    va_end(ap);
    return WW_EPARSE;
}

static void copy_trunc(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = 0;
}

void ww__sigma_add_error(ww_sigma_ruleset_t *rs, const char *file, uint32_t line, uint32_t col,
                         const char *title, const char *msg)
{
    ww__sigma_add_error_ph(rs, file, line, col, title, msg, "");
}

void ww__sigma_add_error_ph(ww_sigma_ruleset_t *rs, const char *file, uint32_t line, uint32_t col,
                            const char *title, const char *msg, const char *ph)
{
    if (rs->nerrors >= MAX_ERRORS)
        return;
    if (rs->nerrors == rs->caperrors) {
        uint32_t nc = rs->caperrors ? rs->caperrors * 2 : 16;
        ww_sigma_error_t *ne = realloc(rs->errors, nc * sizeof(*ne));
        if (!ne)
            return;
        rs->errors = ne;
        rs->caperrors = nc;
    }
    ww_sigma_error_t *e = &rs->errors[rs->nerrors++];
    copy_trunc(e->file, sizeof(e->file), file);
    e->line = line;
    e->col = col;
    copy_trunc(e->title, sizeof(e->title), title);
    copy_trunc(e->msg, sizeof(e->msg), msg);
    copy_trunc(e->placeholder, sizeof(e->placeholder), ph);
    if (!rs->shard)
        WW_LOG(WW_LOG_DEBUG, "sigma: %s:%u:%u: %s: %s", e->file, line, col, e->title, e->msg);
}

/* ---- ruleset ---------------------------------------------------------------------- */

ww_sigma_ruleset_t *ww_sigma_ruleset_new(void)
{
    ww_sigma_ruleset_t *rs = calloc(1, sizeof(*rs));
    if (!rs)
        return NULL;
    ww_arena_init(&rs->arena, 4096, 0);
    ww_arena_init(&rs->scratch, 65536, WW_SIGMA_SCRATCH_CAP);
    return rs;
}

void ww__sigma_rule_free(ww_sigma_rule_t *r)
{
    if (!r)
        return;
    ww_arena_release(&r->arena);
    free(r);
}

static void filter_free(ww_sigma_filter_t *f)
{
    if (!f)
        return;
    ww_arena_release(&f->arena);
    free(f);
}

void ww_sigma_ruleset_free(ww_sigma_ruleset_t *rs)
{
    if (!rs)
        return;
    for (uint32_t i = 0; i < rs->nrules; i++)
        ww__sigma_rule_free(rs->rules[i]);
    for (uint32_t i = 0; i < rs->nfilters; i++)
        filter_free(rs->filters[i]);
    free(rs->rules);
    free(rs->filters);
    free(rs->supp);
    free(rs->errors);
    if (!rs->shard)
        free(rs->ph); /* a shard's are its parent's */
    ww_arena_release(&rs->arena);
    ww_arena_release(&rs->scratch);
    free(rs);
}

void ww__sigma_remove(ww_sigma_ruleset_t *rs, uint32_t i)
{
    ww__sigma_rule_free(rs->rules[i]);
    memmove(&rs->rules[i], &rs->rules[i + 1], (rs->nrules - i - 1) * sizeof(*rs->rules));
    rs->nrules--;
}

int ww__sigma_push_rule(ww_sigma_ruleset_t *rs, ww_sigma_rule_t *r)
{
    if (rs->nrules == rs->caprules) {
        uint32_t nc = rs->caprules ? rs->caprules * 2 : 256;
        ww_sigma_rule_t **nr = realloc(rs->rules, nc * sizeof(*nr));
        if (!nr)
            return WW_ENOMEM;
        rs->rules = nr;
        rs->caprules = nc;
    }
    r->index = rs->nrules;
    rs->rules[rs->nrules++] = r;
    return 0;
}

static int push_supp(ww_sigma_ruleset_t *rs, ww_sigma_filter_t *f)
{
    if (rs->nsupp == rs->capsupp) {
        uint32_t nc = rs->capsupp ? rs->capsupp * 2 : 8;
        ww_sigma_filter_t **nf = realloc(rs->supp, nc * sizeof(*nf));
        if (!nf)
            return WW_ENOMEM;
        rs->supp = nf;
        rs->capsupp = nc;
    }
    f->suppress = true;
    f->supp_index = rs->nsupp;
    f->info = (ww_sigma_suppression_t){.file = f->file,
                                       .title = f->title,
                                       .id = f->id,
                                       .description = f->description,
                                       .expires = f->expires,
                                       .line = f->line};
    rs->supp[rs->nsupp++] = f;
    return 0;
}

static int push_filter(ww_sigma_ruleset_t *rs, ww_sigma_filter_t *f)
{
    if (rs->nfilters == rs->capfilters) {
        uint32_t nc = rs->capfilters ? rs->capfilters * 2 : 8;
        ww_sigma_filter_t **nf = realloc(rs->filters, nc * sizeof(*nf));
        if (!nf)
            return WW_ENOMEM;
        rs->filters = nf;
        rs->capfilters = nc;
    }
    if (rs->loading_suppress && push_supp(rs, f) < 0)
        return WW_ENOMEM;
    rs->filters[rs->nfilters++] = f;
    return 0;
}

/* ---- metadata --------------------------------------------------------------------- */

char *ww__sigma_dupstr(ww_sigma_ctx_t *c, const ww_yn_t *n)
{
    return ww_arena_strndup(c->a, n->s, n->n);
}

/* An optional string attribute; a list or map there is an error. */
static int opt_str(ww_sigma_ctx_t *c, const ww_yn_t *root, const char *key, char **out)
{
    const ww_yn_t *n = ww_yn_get(root, key);
    *out = NULL;
    if (!n)
        return 0;
    if (n->type != WW_YN_SCALAR)
        return ww__sigma_fail(c, n, "'%s' must be a string", key);
    double num;
    bool b;
    if (ww_yn_resolve(n, &num, &b) == WW_YS_NULL)
        return 0;
    return (*out = ww__sigma_dupstr(c, n)) ? 0 : WW_ENOMEM;
}

int ww__sigma_strlist(ww_sigma_ctx_t *c, const ww_yn_t *n, const char *what, char ***out,
                      uint32_t *nout)
{
    *out = NULL;
    *nout = 0;
    if (!n)
        return 0;
    if (n->type == WW_YN_MAP)
        return ww__sigma_fail(c, n, "'%s' must be a list of strings", what);
    uint32_t cnt = n->type == WW_YN_SEQ ? n->nkids : 1;
    if (n->type == WW_YN_SCALAR) {
        double num;
        bool b;
        if (ww_yn_resolve(n, &num, &b) == WW_YS_NULL)
            return 0;
    }
    char **l = ww_arena_calloc(c->a, (cnt + 1) * sizeof(*l));
    if (!l)
        return WW_ENOMEM;
    uint32_t k = 0;
    for (uint32_t i = 0; i < cnt; i++) {
        const ww_yn_t *e = n->type == WW_YN_SEQ ? n->kids[i] : n;
        if (e->type != WW_YN_SCALAR)
            return ww__sigma_fail(c, e, "'%s' entries must be strings", what);
        if (!(l[k++] = ww__sigma_dupstr(c, e)))
            return WW_ENOMEM;
    }
    *out = l;
    *nout = k;
    return 0;
}

static char *lower_dup(ww_sigma_ctx_t *c, const ww_yn_t *n)
{
    char *s = ww__sigma_dupstr(c, n);
    if (s)
        for (char *p = s; *p; p++)
            *p = (char)ww_lower((unsigned char)*p);
    return s;
}

int ww__sigma_logsource(ww_sigma_ctx_t *c, const ww_yn_t *ls, ww_sigma_logsource_t *out)
{
    static const char *const keys[] = {"category", "product", "service", "definition"};
    char **dst[] = {&out->category, &out->product, &out->service, &out->definition};
    memset(out, 0, sizeof(*out));
    if (!ls)
        return ww__sigma_fail(c, NULL, "missing 'logsource'");
    if (ls->type != WW_YN_MAP)
        return ww__sigma_fail(c, ls, "'logsource' must be a map");
    for (size_t i = 0; i < WW_ARRAY_LEN(keys); i++) {
        const ww_yn_t *v = ww_yn_get(ls, keys[i]);
        if (!v)
            continue;
        if (v->type != WW_YN_SCALAR)
            return ww__sigma_fail(c, v, "'logsource.%s' must be a string", keys[i]);
        double num;
        bool b;
        if (ww_yn_resolve(v, &num, &b) == WW_YS_NULL)
            continue;
        if (!(*dst[i] = lower_dup(c, v)))
            return WW_ENOMEM;
    }
    return 0;
}

static int meta(ww_sigma_ctx_t *c, const ww_yn_t *root, ww_sigma_rule_t *r)
{
    int rc;
    const ww_yn_t *t = ww_yn_get(root, "title");
    if (!t)
        return ww__sigma_fail(c, root, "missing 'title'");
    if (t->type != WW_YN_SCALAR || t->n == 0)
        return ww__sigma_fail(c, t, "'title' must be a non-empty string");
    if (!(r->title = ww__sigma_dupstr(c, t)))
        return WW_ENOMEM;
    if ((rc = opt_str(c, root, "id", &r->id)) < 0 ||
        (rc = opt_str(c, root, "name", &r->name)) < 0 ||
        (rc = opt_str(c, root, "status", &r->status)) < 0 ||
        (rc = opt_str(c, root, "description", &r->description)) < 0 ||
        (rc = opt_str(c, root, "author", &r->author)) < 0 ||
        (rc = opt_str(c, root, "date", &r->date)) < 0 ||
        (rc = opt_str(c, root, "modified", &r->modified)) < 0)
        return rc;
    r->level = WW_LEVEL_MEDIUM;
    const ww_yn_t *lv = ww_yn_get(root, "level");
    if (lv) {
        if (lv->type != WW_YN_SCALAR || (r->level = ww_level_parse(lv->s)) < 0)
            return ww__sigma_fail(c, lv,
                                  "unknown level '%.40s' (informational, low, medium, high, "
                                  "critical)",
                                  lv->type == WW_YN_SCALAR ? lv->s : "");
    }
    if ((rc = ww__sigma_strlist(c, ww_yn_get(root, "tags"), "tags", &r->tags, &r->ntags)) < 0 ||
        (rc = ww__sigma_strlist(c, ww_yn_get(root, "falsepositives"), "falsepositives",
                                &r->falsepositives, &r->nfalsepositives)) < 0 ||
        (rc = ww__sigma_strlist(c, ww_yn_get(root, "references"), "references", &r->references,
                                &r->nreferences)) < 0 ||
        (rc = ww__sigma_strlist(c, ww_yn_get(root, "fields"), "fields", &r->fields, &r->nfields)) <
            0)
        return rc;
    /* Only so many are shown to the analyst; the rest are not worth an error. */
    if (r->nfields > WW_SIGMA_MAX_FIELDS)
        r->nfields = WW_SIGMA_MAX_FIELDS;
    return 0;
}

/* ---- documents -------------------------------------------------------------------- */

typedef struct filectx {
    ww_sigma_ruleset_t *rs;
    const char *file;
    int accepted;
} filectx_t;

static void doc_title(const ww_yn_t *root, char *out, size_t cap)
{
    const ww_yn_t *t = ww_yn_get(root, "title");
    if (!t || t->type != WW_YN_SCALAR || t->n == 0)
        t = ww_yn_get(root, "id");
    out[0] = 0;
    if (t && t->type == WW_YN_SCALAR)
        copy_trunc(out, cap, t->s);
}

static void on_doc(void *ud, ww_yn_t *root, uint32_t line)
{
    filectx_t *fc = ud;
    ww_sigma_ruleset_t *rs = fc->rs;
    ww_sigma_ctx_t c = {.rs = rs, .file = fc->file};
    char title[128] = "";
    int rc;

    rs->ndocs++;
    if (root->type != WW_YN_MAP) {
        ww__sigma_add_error(rs, fc->file, root->line, root->col, "",
                            "document is not a YAML mapping (expected a Sigma rule)");
        return;
    }
    doc_title(root, title, sizeof(title));

    bool is_filter = ww_yn_get(root, "filter") && !ww_yn_get(root, "detection");
    if (rs->loading_suppress && !is_filter) {
        ww__sigma_add_error(rs, fc->file, line, 1, title,
                            "a suppression file holds Sigma filters (a 'filter:' map with "
                            "'rules:' and a condition), not rules");
        return;
    }
    if (is_filter) {
        ww_sigma_filter_t *f = calloc(1, sizeof(*f));
        if (!f) {
            ww__sigma_add_error(rs, fc->file, line, 0, title, "out of memory");
            return;
        }
        ww_arena_init(&f->arena, 4096, WW_SIGMA_RULE_ARENA_CAP);
        c.a = &f->arena;
        f->line = line;
        rc = ww__sigma_filter_parse(&c, root, f);
        if (rc >= 0) {
            f->file = ww_arena_strdup(&f->arena, fc->file);
            if (!f->file || push_filter(rs, f) < 0)
                rc = ww__sigma_fail(&c, root, "out of memory");
        }
        if (rc < 0) {
            if (!c.failed)
                ww__sigma_fail(&c, root, "%s", ww_strerror(rc));
            ww__sigma_add_error_ph(rs, fc->file, c.line ? c.line : line, c.col, title, c.msg,
                                   c.fail_ph);
            filter_free(f);
        }
        return;
    }

    ww_sigma_rule_t *r = calloc(1, sizeof(*r));
    if (!r) {
        ww__sigma_add_error(rs, fc->file, line, 0, title, "out of memory");
        return;
    }
    ww_arena_init(&r->arena, 8192, WW_SIGMA_RULE_ARENA_CAP);
    c.a = &r->arena;
    r->line = line;
    r->alert = true;
    if ((rc = meta(&c, root, r)) < 0)
        goto out;
    const ww_yn_t *corr = ww_yn_get(root, "correlation");
    if (corr) {
        rc = ww__sigma_corr_parse(&c, corr, root, &r->corr);
    } else {
        const ww_yn_t *det = ww_yn_get(root, "detection");
        if ((rc = ww__sigma_logsource(&c, ww_yn_get(root, "logsource"), &r->logsource)) < 0)
            goto out;
        if (!det) {
            rc = ww__sigma_fail(&c, root, "missing 'detection'");
            goto out;
        }
        if ((rc = ww__sigma_detection(&c, det, &r->cond)) < 0)
            goto out;
        rc = ww__sigma_collect_items(&r->arena, r->cond, &r->items, &r->nitems);
    }
    if (rc < 0)
        goto out;
    if (!(r->file = ww_arena_strdup(&r->arena, fc->file))) {
        rc = WW_ENOMEM;
        goto out;
    }
    rc = ww__sigma_push_rule(rs, r);
out:
    if (rc < 0) {
        if (!c.failed)
            ww__sigma_fail(&c, NULL, "%s",
                           rc == WW_ENOMEM ? "out of memory (rule too large)" : ww_strerror(rc));
        ww__sigma_add_error_ph(rs, fc->file, c.line ? c.line : line, c.col, title, c.msg,
                               c.fail_ph);
        ww__sigma_rule_free(r);
        return;
    }
    fc->accepted++;
}

int ww_sigma_load_buffer(ww_sigma_ruleset_t *rs, const char *name, const char *buf, size_t len)
{
    if (!rs || (!buf && len))
        return WW_EINVAL;
    filectx_t fc = {rs, name ? name : "<buffer>", 0};
    ww_diag_t diag;
    memset(&diag, 0, sizeof(diag));
    rs->nfiles++;
    int rc = ww_yaml_parse(&rs->scratch, buf ? buf : "", len, 0, on_doc, &fc, &diag);
    ww_arena_reset(&rs->scratch);
    if (rc < 0)
        ww__sigma_add_error(rs, fc.file, diag.line, diag.col, "", diag.msg);
    return fc.accepted;
}

static int read_file(const char *path, char **out, size_t *len)
{
    return ww_read_file(path, MAX_FILE_SIZE, out, len);
}

static bool is_yaml_name(const char *n)
{
    size_t l = strlen(n);
    return (l > 4 && strcmp(n + l - 4, ".yml") == 0) || (l > 5 && strcmp(n + l - 5, ".yaml") == 0);
}

static int load_file(ww_sigma_ruleset_t *rs, const char *path)
{
    char *buf = NULL;
    size_t len = 0;
    int rc = read_file(path, &buf, &len);
    if (rc < 0) {
        char msg[96];
        snprintf(msg, sizeof(msg), "cannot read file: %s", ww_strerror(rc));
        rs->nfiles++;
        ww__sigma_add_error(rs, path, 0, 0, "", msg);
        return 0;
    }
    rc = ww_sigma_load_buffer(rs, path, buf, len);
    free(buf);
    return rc;
}

static int load_dir(ww_sigma_ruleset_t *rs, const char *path, int depth)
{
    struct dirent **ents = NULL;
    int n = scandir(path, &ents, NULL, alphasort);
    int total = 0;
    if (n < 0)
        return WW_EIO;
    for (int i = 0; i < n; i++) {
        const char *nm = ents[i]->d_name;
        if (nm[0] == '.') {
            free(ents[i]);
            continue;
        }
        ww_buf_t p;
        ww_buf_init(&p, 4096);
        ww_buf_printf(&p, "%s/%s", path, nm);
        struct stat st;
        if (!p.err && stat(p.p, &st) == 0) {
            if (S_ISDIR(st.st_mode) && depth < MAX_PATH_DEPTH) {
                int r = load_dir(rs, p.p, depth + 1);
                if (r > 0)
                    total += r;
            } else if (S_ISREG(st.st_mode) && is_yaml_name(nm)) {
                total += load_file(rs, p.p);
            }
        }
        ww_buf_release(&p);
        free(ents[i]);
    }
    free(ents);
    return total;
}

int ww_sigma_load_path(ww_sigma_ruleset_t *rs, const char *path)
{
    struct stat st;
    if (!rs || !path)
        return WW_EINVAL;
    if (stat(path, &st) != 0)
        return errno == ENOENT ? WW_ENOENT : WW_EIO;
    if (S_ISDIR(st.st_mode))
        return load_dir(rs, path, 0);
    return load_file(rs, path);
}

/* ---- many files on several threads ------------------------------------------------ */

/* One file of ww_sigma_load_files: parsed into a shard of its own by whichever
   thread takes it, merged by the caller's thread in the order given. */
typedef struct lf_file {
    const char *path;
    ww_sigma_ruleset_t *shard; /* NULL: load it at merge time, as ww_sigma_load_path */
    int accepted;
} lf_file_t;

typedef struct lf_run {
    ww_sigma_ruleset_t *rs;
    lf_file_t *files;
    size_t n;
    size_t next; /* the next file to take (atomic) */
} lf_run_t;

static void lf_parse(lf_run_t *run, lf_file_t *f, ww_arena_t *scratch)
{
    struct stat st;
    if (stat(f->path, &st) != 0 || !S_ISREG(st.st_mode))
        return; /* missing, or a directory: the merge loads it in place */
    ww_sigma_ruleset_t *sh = ww_sigma_ruleset_new();
    if (!sh)
        return;
    sh->shard = true;
    sh->ph = run->rs->ph;
    sh->nph = run->rs->nph;
    memcpy(sh->today, run->rs->today, sizeof sh->today);
    /* The thread's scratch arena for the YAML trees, kept from file to file. */
    ww_arena_release(&sh->scratch);
    sh->scratch = *scratch;
    f->accepted = load_file(sh, f->path);
    *scratch = sh->scratch;
    ww_arena_init(&sh->scratch, 65536, WW_SIGMA_SCRATCH_CAP);
    f->shard = sh;
}

static void *lf_worker(void *arg)
{
    lf_run_t *run = arg;
    ww_arena_t scratch;
    ww_arena_init(&scratch, 65536, WW_SIGMA_SCRATCH_CAP);
    for (;;) {
        size_t k = __atomic_fetch_add(&run->next, 1, __ATOMIC_RELAXED);
        if (k >= run->n)
            break;
        lf_parse(run, &run->files[k], &scratch);
    }
    ww_arena_release(&scratch);
    return NULL;
}

/* Moves what a shard loaded into rs, as loading the file into rs would have left it. */
static int lf_merge(ww_sigma_ruleset_t *rs, ww_sigma_ruleset_t *sh)
{
    int rc = 0;
    rs->nfiles += sh->nfiles;
    rs->ndocs += sh->ndocs;
    /* Errors and rules were recorded in document order within the file, but into
       separate lists, as they are in rs: the merge keeps both orders. */
    for (uint32_t i = 0; i < sh->nerrors; i++) {
        const ww_sigma_error_t *e = &sh->errors[i];
        ww__sigma_add_error_ph(rs, e->file, e->line, e->col, e->title, e->msg, e->placeholder);
    }
    uint32_t i = 0;
    for (; i < sh->nrules && rc == 0; i++)
        if ((rc = ww__sigma_push_rule(rs, sh->rules[i])) == 0)
            sh->rules[i] = NULL;
    for (uint32_t j = 0; j < sh->nfilters && rc == 0; j++)
        if ((rc = push_filter(rs, sh->filters[j])) == 0)
            sh->filters[j] = NULL;
    return rc;
}

int ww_sigma_load_files(ww_sigma_ruleset_t *rs, const char *const *paths, size_t n,
                        unsigned threads, int *rcs)
{
    if (!rs || (!paths && n))
        return WW_EINVAL;
    if (threads > WW_SIGMA_LOAD_MAX_THREADS)
        threads = WW_SIGMA_LOAD_MAX_THREADS;
    if (threads > n)
        threads = (unsigned)n;
    lf_file_t *files = threads > 1 ? calloc(n, sizeof *files) : NULL;
    lf_run_t run = {rs, files, n, 0};
    pthread_t tids[WW_SIGMA_LOAD_MAX_THREADS];
    unsigned started = 0;
    if (files) {
        for (size_t k = 0; k < n; k++)
            files[k].path = paths[k];
        /* The caller's thread parses too; a thread that cannot start is not needed. */
        for (unsigned t = 1; t < threads; t++)
            if (pthread_create(&tids[started], NULL, lf_worker, &run) == 0)
                started++;
        lf_worker(&run);
        for (unsigned t = 0; t < started; t++)
            pthread_join(tids[t], NULL);
    }
    int total = 0, rc = 0;
    for (size_t k = 0; k < n; k++) {
        int r;
        if (files && files[k].shard) {
            r = files[k].accepted;
            if (rc == 0 && lf_merge(rs, files[k].shard) != 0)
                rc = WW_ENOMEM;
            ww_sigma_ruleset_free(files[k].shard); /* merged entries are NULL */
        } else {
            r = ww_sigma_load_path(rs, paths[k]); /* sequential, or not parsed above */
        }
        if (rcs)
            rcs[k] = r;
        if (r > 0)
            total += r;
    }
    free(files);
    return rc ? rc : total;
}

int ww_sigma_load_suppressions(ww_sigma_ruleset_t *rs, const char *path)
{
    if (!rs || !path || rs->finished)
        return WW_EINVAL;
    char *buf = NULL;
    size_t len = 0;
    int rc = read_file(path, &buf, &len);
    if (rc < 0)
        return rc;
    rc = ww_sigma_load_suppressions_buffer(rs, path, buf, len);
    free(buf);
    return rc;
}

int ww_sigma_load_suppressions_buffer(ww_sigma_ruleset_t *rs, const char *name, const char *buf,
                                      size_t len)
{
    if (!rs || rs->finished || (!buf && len))
        return WW_EINVAL;
    uint32_t before = rs->nsupp;
    rs->loading_suppress = true;
    ww_sigma_load_buffer(rs, name, buf, len);
    rs->loading_suppress = false;
    return (int)(rs->nsupp - before);
}

uint32_t ww_sigma_suppression_count(const ww_sigma_ruleset_t *rs)
{
    return rs ? rs->nsupp : 0;
}

const ww_sigma_suppression_t *ww_sigma_suppression(const ww_sigma_ruleset_t *rs, uint32_t i)
{
    return rs && i < rs->nsupp ? &rs->supp[i]->info : NULL;
}

void ww_sigma_set_today(ww_sigma_ruleset_t *rs, const char *date)
{
    if (rs)
        copy_trunc(rs->today, sizeof(rs->today), date);
}

/* ---- placeholders ----------------------------------------------------------------- */

int ww_sigma_placeholder_set(ww_sigma_ruleset_t *rs, const char *name, const char *const *values,
                             size_t n)
{
    if (!rs || !name || (!values && n))
        return WW_EINVAL;
    if (n > WW_SIGMA_MAX_ALTS)
        return WW_ELIMIT;
    ww_sigma_placeholder_t *ph = NULL;
    for (uint32_t i = 0; i < rs->nph; i++)
        if (strcmp(rs->ph[i].name, name) == 0)
            ph = &rs->ph[i];
    if (!ph) {
        if (rs->nph == rs->capph) {
            uint32_t nc = rs->capph ? rs->capph * 2 : 16;
            ww_sigma_placeholder_t *np = realloc(rs->ph, nc * sizeof(*np));
            if (!np)
                return WW_ENOMEM;
            rs->ph = np;
            rs->capph = nc;
        }
        ph = &rs->ph[rs->nph];
        memset(ph, 0, sizeof(*ph));
        if (!(ph->name = ww_arena_strdup(&rs->arena, name)))
            return WW_ENOMEM;
        rs->nph++;
    }
    char **vals = ww_arena_calloc(&rs->arena, (n + 1) * sizeof(*vals));
    if (!vals)
        return WW_ENOMEM;
    for (size_t i = 0; i < n; i++)
        if (!(vals[i] = ww_arena_strdup(&rs->arena, values[i])))
            return WW_ENOMEM;
    ph->vals = vals;
    ph->nvals = (uint32_t)n;
    return 0;
}

typedef struct phctx {
    ww_sigma_ruleset_t *rs;
    ww_diag_t *diag;
    const char *path;
    int rc;
    bool seen;
} phctx_t;

static void on_ph_doc(void *ud, ww_yn_t *root, uint32_t line)
{
    phctx_t *pc = ud;
    if (pc->seen || pc->rc < 0)
        return;
    pc->seen = true;
    const ww_yn_t *m = ww_yn_get(root, "placeholders");
    if (!m)
        m = root;
    if (m->type != WW_YN_MAP) {
        ww_diag_set(pc->diag, pc->path, m->line, m->col,
                    "placeholders must be a map of names to value lists");
        pc->rc = WW_EPARSE;
        return;
    }
    for (uint32_t i = 0; i + 1 < m->nkids; i += 2) {
        const ww_yn_t *k = m->kids[i], *v = m->kids[i + 1];
        if (k->type != WW_YN_SCALAR || v->type == WW_YN_MAP) {
            ww_diag_set(pc->diag, pc->path, k->line, k->col,
                        "placeholder entries must be `name: [values]`");
            pc->rc = WW_EPARSE;
            return;
        }
        uint32_t n = v->type == WW_YN_SEQ ? v->nkids : 1;
        if (n > WW_SIGMA_MAX_ALTS) {
            ww_diag_set(pc->diag, pc->path, v->line, v->col, "too many placeholder values");
            pc->rc = WW_ELIMIT;
            return;
        }
        const char **vals = calloc(n + 1, sizeof(*vals));
        if (!vals) {
            pc->rc = WW_ENOMEM;
            return;
        }
        for (uint32_t j = 0; j < n; j++) {
            const ww_yn_t *e = v->type == WW_YN_SEQ ? v->kids[j] : v;
            if (e->type != WW_YN_SCALAR) {
                ww_diag_set(pc->diag, pc->path, e->line, e->col,
                            "placeholder values must be strings");
                pc->rc = WW_EPARSE;
                free(vals);
                return;
            }
            vals[j] = e->s;
        }
        /* Strip the optional %...% around the name. */
        char name[256];
        const char *ks = k->s;
        size_t kl = k->n;
        if (kl >= 2 && ks[0] == '%' && ks[kl - 1] == '%') {
            ks++;
            kl -= 2;
        }
        if (kl >= sizeof(name))
            kl = sizeof(name) - 1;
        memcpy(name, ks, kl);
        name[kl] = 0;
        int rc = ww_sigma_placeholder_set(pc->rs, name, vals, n);
        free(vals);
        if (rc < 0) {
            ww_diag_set(pc->diag, pc->path, k->line, k->col, "cannot store placeholder: %s",
                        ww_strerror(rc));
            pc->rc = rc;
            return;
        }
    }
}

int ww_sigma_placeholders_load(ww_sigma_ruleset_t *rs, const char *path, ww_diag_t *diag)
{
    ww_diag_t local;
    if (!diag)
        diag = &local;
    if (!rs || !path)
        return WW_EINVAL;
    char *buf = NULL;
    size_t len = 0;
    int rc = read_file(path, &buf, &len);
    if (rc < 0) {
        ww_diag_set(diag, path, 0, 0, "cannot read placeholders file: %s", ww_strerror(rc));
        return rc;
    }
    phctx_t pc = {rs, diag, path, 0, false};
    rc = ww_yaml_parse(&rs->scratch, buf, len, 0, on_ph_doc, &pc, diag);
    ww_arena_reset(&rs->scratch);
    free(buf);
    if (rc < 0) {
        copy_trunc(diag->file, sizeof(diag->file), path);
        return rc;
    }
    return pc.rc;
}

/* ---- finish and accessors --------------------------------------------------------- */

bool ww__sigma_rule_is(const ww_sigma_rule_t *r, const char *ref)
{
    return (r->id && strcmp(r->id, ref) == 0) || (r->name && strcmp(r->name, ref) == 0);
}

int ww_sigma_finish(ww_sigma_ruleset_t *rs)
{
    if (!rs || rs->finished)
        return 0;
    rs->finished = true;
    ww__sigma_filter_apply(rs);
    ww__sigma_corr_finish(rs);
    for (uint32_t i = 0; i < rs->nrules; i++)
        rs->rules[i]->index = i;
    return 0;
}

uint32_t ww_sigma_count(const ww_sigma_ruleset_t *rs)
{
    return rs ? rs->nrules : 0;
}

const ww_sigma_rule_t *ww_sigma_rule(const ww_sigma_ruleset_t *rs, uint32_t i)
{
    return rs && i < rs->nrules ? rs->rules[i] : NULL;
}

const ww_sigma_rule_t *ww_sigma_find(const ww_sigma_ruleset_t *rs, const char *id_or_name)
{
    if (!rs || !id_or_name)
        return NULL;
    for (uint32_t i = 0; i < rs->nrules; i++)
        if (ww__sigma_rule_is(rs->rules[i], id_or_name))
            return rs->rules[i];
    return NULL;
}

uint32_t ww_sigma_error_count(const ww_sigma_ruleset_t *rs)
{
    return rs ? rs->nerrors : 0;
}

const ww_sigma_error_t *ww_sigma_error(const ww_sigma_ruleset_t *rs, uint32_t i)
{
    return rs && i < rs->nerrors ? &rs->errors[i] : NULL;
}

uint32_t ww_sigma_file_count(const ww_sigma_ruleset_t *rs)
{
    return rs ? rs->nfiles : 0;
}

uint32_t ww_sigma_doc_count(const ww_sigma_ruleset_t *rs)
{
    return rs ? rs->ndocs : 0;
}
