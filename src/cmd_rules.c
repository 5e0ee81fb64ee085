/* wardwatch rules: `rules check` loads rules and lists every one that cannot be used,
 * with file, line and reason; `rules test` runs each rule's own sample logs through the
 * whole engine (decoders, routing, correlations, placeholders) and compares how often
 * each rule matched with what the test cases expect.  The test-case format
 * (`x.tests/tests.yml` beside `x.yml`) is described in docs/rule-pack.md. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "detect/ww_detect.h"
/* The loader's YAML reader, reused for the test manifests so that they follow exactly
   the YAML rules the rules themselves do. */
#include "util/ww_yaml.h"
#include "wardwatch.h"

#define TESTS_SUFFIX ".tests"
#define MANIFEST "tests.yml"
#define MAX_MANIFEST_BYTES (4u << 20)
#define MAX_CASES 100000 /* over all manifests */
#define MAX_FILES_PER_CASE 64
#define MAX_EXPECT_PER_CASE 1024
#define MAX_WALK_DEPTH 16
#define ARENA_CAP (256u << 20)

static void usage(FILE *out)
{
    fprintf(out,
            "usage: wardwatch rules check [--placeholders FILE] PATH...\n"
            "       wardwatch rules test [options] [PATH...]\n"
            "\n"
            "check: loads Sigma rules (files or directories, recursively) and lists every\n"
            "rule that cannot be used, with file, line, column and the reason.\n"
            "Exit status: 0 all rules usable, 1 some rejected, 2 a path could not be read.\n"
            "\n"
            "test: runs every rule's test cases (the sample logs in x.tests/ beside x.yml,\n"
            "listed in x.tests/tests.yml with the expected matches per rule) through the\n"
            "engine, and reports pass or fail per rule.  Default PATH: wardwatch's own pack.\n"
            "  --placeholders FILE     values for %%placeholders%% (override the pack's\n"
            "                          placeholders.yml)\n"
            "  --corr-max-groups N     open groups kept per correlation rule (default 100000)\n"
            "  --corr-max-events N     events kept per correlation group (default 1000)\n"
            "  -q, --quiet             print only the rules that fail\n"
            "Exit status: 0 every rule passes, 1 some rule fails or has no test case,\n"
            "2 an error (unreadable rules, manifest or sample).\n");
}

static int rules_check(int argc, char **argv)
{
    static const struct option opts[] = {
        {"placeholders", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    const char *placeholders = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
        switch (c) {
        case 'p': placeholders = optarg; break;
        case 'h': usage(stdout); return WW_EXIT_OK;
        default: usage(stderr); return WW_EXIT_ERROR;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return WW_EXIT_ERROR;
    }
    double t0 = ww_cli_now();
    size_t unreadable = 0;
    ww_sigma_ruleset_t *rs = ww_cli_load_rules((const char *const *)argv + optind,
                                               (size_t)(argc - optind), placeholders, &unreadable);
    if (!rs) {
        ww_cli_error("rules: out of memory");
        return WW_EXIT_ERROR;
    }
    /* Compiling catches what only the engine can refuse (a regex PCRE2 rejects). */
    ww_detect_t *prog = NULL;
    if (ww_detect_compile(rs, NULL, &prog) != 0) {
        ww_cli_error("rules: out of memory");
        ww_sigma_ruleset_free(rs);
        return WW_EXIT_ERROR;
    }
    double secs = ww_cli_now() - t0;

    uint32_t nrules = ww_sigma_count(rs), ncorr = 0, nload = ww_sigma_error_count(rs);
    uint32_t ncomp = ww_detect_error_count(prog);
    for (uint32_t i = 0; i < nrules; i++)
        if (ww_sigma_rule(rs, i)->corr)
            ncorr++;
    ww_cli_print_rule_errors(stdout, rs, UINT32_MAX);
    for (uint32_t i = 0; i < ncomp && !ww_cli_output_failed(stdout); i++)
        ww_cli_print_sigma_error(stdout, NULL, ww_detect_error(prog, i));
    uint32_t usable = nrules - ncomp, rejected = nload + ncomp;
    printf("\n%u rules usable (%u detection, %u correlation), %u rejected; "
           "%u files, %u documents, %.2f s\n",
           usable, usable - ncorr, ncorr, rejected, ww_sigma_file_count(rs), ww_sigma_doc_count(rs),
           secs);
    ww_detect_unref(prog);
    ww_sigma_ruleset_free(rs);
    if (unreadable)
        return WW_EXIT_ERROR;
    return rejected ? 1 : WW_EXIT_OK;
}

/* ---- rules test ----------------------------------------------------------------- */

/* One expectation of a case: rule (as written in the manifest) matched `want` times. */
typedef struct expect {
    char *ref;
    const ww_sigma_rule_t *rule; /* NULL when no loaded rule has that id or name */
    uint64_t want, got;
    uint32_t line;
} expect_t;

/* One test case: sample files read in order as one input, and its expectations. */
typedef struct tcase {
    const char *manifest; /* path of its tests.yml */
    const char *label;    /* "x.tests/<file>" for messages */
    char **files;         /* resolved paths */
    uint32_t nfiles;
    expect_t *ex;
    uint32_t nex;
    uint32_t line;
    uint64_t events, malformed;
    uint64_t re_errors; /* regex matches that ended in a PCRE2 error (a limit) */
    bool ran;
} tcase_t;

typedef struct rtest {
    ww_arena_t arena; /* owns every string and array of the cases */
    tcase_t *cases;
    size_t ncases, cap;
    size_t errors; /* manifest, sample or rules-path errors: exit 2 */
    /* Engine. */
    ww_sigma_ruleset_t *rs;
    ww_detect_t *prog;
    ww_detect_ctx_t *ctx;
    ww_corr_t *corr;
    ww_corr_limits_t lim;
    uint64_t *hits; /* per rule index, for the case being run */
    const ww_event_t *ev;
    uint64_t ref;
    ww_corr_stats_t cstats; /* summed over cases */
} rtest_t;

/* Parsing context for one manifest. */
typedef struct mctx {
    rtest_t *t;
    const char *path; /* manifest */
    const char *dir;  /* its folder, where samples are */
    const char *tag;  /* the folder's own name, for labels */
    bool bad;         /* first error already reported */
} mctx_t;

static void merr(mctx_t *m, const ww_yn_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void merr(mctx_t *m, const ww_yn_t *at, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (at)
        ww_cli_error("%s:%u:%u: %s", m->path, at->line, at->col, msg);
    else
        ww_cli_error("%s: %s", m->path, msg);
    m->t->errors++;
    m->bad = true;
}

static tcase_t *case_push(rtest_t *t)
{
    if (t->ncases == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 64;
        tcase_t *nc = realloc(t->cases, ncap * sizeof *nc);
        if (!nc)
            return NULL;
        t->cases = nc;
        t->cap = ncap;
    }
    tcase_t *c = &t->cases[t->ncases++];
    memset(c, 0, sizeof *c);
    return c;
}

static char *join_path(ww_arena_t *a, const char *dir, const char *name)
{
    if (name[0] == '/')
        return ww_arena_strdup(a, name);
    size_t dl = strlen(dir), nl = strlen(name);
    char *p = ww_arena_alloc(a, dl + nl + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, dl);
    p[dl] = '/';
    memcpy(p + dl + 1, name, nl + 1);
    return p;
}

/* A sample name: a plain relative path inside the tests folder. */
static bool sample_name_ok(const ww_yn_t *y)
{
    if (!ww_yn_is_str(y) || y->n == 0 || strlen(y->s) != y->n || y->s[0] == '/')
        return false;
    return strstr(y->s, "..") == NULL;
}

static int parse_case(mctx_t *m, const ww_yn_t *c)
{
    rtest_t *t = m->t;
    if (c->type != WW_YN_MAP) {
        merr(m, c, "a case must be a mapping with 'file' and 'expect'");
        return 0;
    }
    const ww_yn_t *file = NULL, *expect = NULL;
    for (uint32_t k = 0; k + 1 < c->nkids; k += 2) {
        const ww_yn_t *key = c->kids[k];
        if (key->type != WW_YN_SCALAR) {
            merr(m, key, "keys of a case must be plain names");
            return 0;
        }
        if (!strcmp(key->s, "file") || !strcmp(key->s, "files"))
            file = c->kids[k + 1];
        else if (!strcmp(key->s, "expect"))
            expect = c->kids[k + 1];
        else if (strcmp(key->s, "description") != 0) {
            merr(m, key, "unknown key '%s' (file, expect, description)", key->s);
            return 0;
        }
    }
    if (!file || !expect) {
        merr(m, c, "a case needs 'file' and 'expect'");
        return 0;
    }
    if (t->ncases >= MAX_CASES) {
        merr(m, c, "more than %d test cases", MAX_CASES);
        return 0;
    }
    tcase_t *tc = case_push(t);
    if (!tc)
        return WW_ENOMEM;
    tc->manifest = m->path;
    tc->line = c->line;
    /* file: one name or a list, read in order as one input. */
    const ww_yn_t *const *names =
        file->type == WW_YN_SEQ ? (const ww_yn_t *const *)file->kids : &file;
    uint32_t nnames = file->type == WW_YN_SEQ ? file->nkids : 1;
    if (nnames == 0 || nnames > MAX_FILES_PER_CASE) {
        merr(m, file, "'file' must name 1 to %d samples", MAX_FILES_PER_CASE);
        t->ncases--;
        return 0;
    }
    tc->files = ww_arena_calloc(&t->arena, nnames * sizeof *tc->files);
    if (!tc->files)
        return WW_ENOMEM;
    for (uint32_t i = 0; i < nnames; i++) {
        if (!sample_name_ok(names[i])) {
            merr(m, names[i], "a sample must be a relative path inside %s", m->tag);
            t->ncases--;
            return 0;
        }
        if (!(tc->files[i] = join_path(&t->arena, m->dir, names[i]->s)))
            return WW_ENOMEM;
    }
    tc->nfiles = nnames;
    ww_buf_t lb;
    ww_buf_init(&lb, 4096);
    ww_buf_printf(&lb, "%s/%s%s", m->tag, names[0]->s, nnames > 1 ? " +..." : "");
    tc->label = ww_arena_strdup(&t->arena, lb.p ? lb.p : "?");
    ww_buf_release(&lb);
    if (!tc->label)
        return WW_ENOMEM;
    /* expect: {rule id or name: matches} */
    if (expect->type != WW_YN_MAP || expect->nkids == 0 ||
        expect->nkids / 2 > MAX_EXPECT_PER_CASE) {
        merr(m, expect, "'expect' must map rule ids or names to match counts (1 to %d)",
             MAX_EXPECT_PER_CASE);
        t->ncases--;
        return 0;
    }
    tc->ex = ww_arena_calloc(&t->arena, (expect->nkids / 2) * sizeof *tc->ex);
    if (!tc->ex)
        return WW_ENOMEM;
    for (uint32_t k = 0; k + 1 < expect->nkids; k += 2) {
        const ww_yn_t *key = expect->kids[k], *val = expect->kids[k + 1];
        double num = 0;
        bool b;
        if (key->type != WW_YN_SCALAR || key->n == 0) {
            merr(m, key, "'expect' keys must be rule ids or names");
            t->ncases--;
            return 0;
        }
        if (val->type != WW_YN_SCALAR || ww_yn_resolve(val, &num, &b) != WW_YS_INT || num < 0 ||
            num > 1e12) {
            merr(m, val, "the count for '%s' must be a whole number >= 0", key->s);
            t->ncases--;
            return 0;
        }
        expect_t *e = &tc->ex[tc->nex++];
        if (!(e->ref = ww_arena_strdup(&t->arena, key->s)))
            return WW_ENOMEM;
        e->want = (uint64_t)num;
        e->line = key->line;
    }
    return 0;
}

static void on_manifest_doc(void *ud, ww_yn_t *root, uint32_t line)
{
    mctx_t *m = ud;
    (void)line;
    if (m->bad)
        return;
    const ww_yn_t *cases = ww_yn_get(root, "cases");
    if (root->type != WW_YN_MAP || !cases || cases->type != WW_YN_SEQ) {
        merr(m, root, "expected 'cases:' with a list of test cases");
        return;
    }
    for (uint32_t i = 0; i < cases->nkids && !m->bad; i++)
        if (parse_case(m, cases->kids[i]) == WW_ENOMEM) {
            merr(m, cases->kids[i], "out of memory");
            return;
        }
}

static void load_manifest(rtest_t *t, const char *tests_dir)
{
    char *dir = ww_arena_strdup(&t->arena, tests_dir);
    char *path = dir ? join_path(&t->arena, tests_dir, MANIFEST) : NULL;
    if (!path) {
        ww_cli_error("rules test: out of memory");
        t->errors++;
        return;
    }
    const char *slash = strrchr(dir, '/');
    mctx_t m = {t, path, dir, slash ? slash + 1 : dir, false};
    FILE *f = fopen(path, "rb");
    if (!f) {
        merr(&m, NULL, "cannot read (%s)", strerror(errno));
        return;
    }
    char *buf = malloc(MAX_MANIFEST_BYTES + 1);
    size_t n = buf ? fread(buf, 1, MAX_MANIFEST_BYTES + 1, f) : 0;
    bool err = ferror(f);
    fclose(f);
    if (!buf || err || n > MAX_MANIFEST_BYTES) {
        merr(&m, NULL, "%s", !buf ? "out of memory" : err ? "read error" : "larger than 4 MiB");
        free(buf);
        return;
    }
    ww_arena_t scratch;
    ww_arena_init(&scratch, 64 << 10, 64u << 20);
    ww_diag_t d = {0};
    if (ww_yaml_parse(&scratch, buf, n, 0, on_manifest_doc, &m, &d) < 0) {
        ww_cli_error("%s:%u:%u: %s", path, d.line, d.col, d.msg);
        t->errors++;
    }
    ww_arena_release(&scratch);
    free(buf);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Finds every `*.tests/` folder under dir (as the rules loader skips them). */
static void find_manifests(rtest_t *t, const char *dir, int depth)
{
    struct dirent **ents = NULL;
    int n = scandir(dir, &ents, NULL, alphasort);
    if (n < 0) {
        ww_cli_error("%s: cannot read (%s)", dir, strerror(errno));
        t->errors++;
        return;
    }
    for (int i = 0; i < n; i++) {
        const char *nm = ents[i]->d_name;
        char path[PATH_MAX];
        struct stat st;
        int len = snprintf(path, sizeof path, "%s/%s", dir, nm);
        if (nm[0] != '.' && len > 0 && (size_t)len < sizeof path && stat(path, &st) == 0 &&
            S_ISDIR(st.st_mode)) {
            if (ends_with(nm, TESTS_SUFFIX))
                load_manifest(t, path);
            else if (depth < MAX_WALK_DEPTH)
                find_manifests(t, path, depth + 1);
        }
        free(ents[i]);
    }
    free(ents);
}

/* The manifests for one PATH: a directory is searched; a rule file x.yml has its
 * own x.tests/ (a missing one just leaves its rules without cases). */
static void collect_manifests(rtest_t *t, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return; /* already reported by the rules loader */
    if (S_ISDIR(st.st_mode)) {
        find_manifests(t, path, 0);
        return;
    }
    char dir[PATH_MAX];
    size_t n = strlen(path);
    const char *dot = strrchr(path, '.');
    if (dot && strchr(dot, '/') == NULL)
        n = (size_t)(dot - path);
    if (snprintf(dir, sizeof dir, "%.*s" TESTS_SUFFIX, (int)n, path) >= (int)sizeof dir)
        return;
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        load_manifest(t, dir);
}

static void on_corr(void *ud, const ww_corr_alert_t *a)
{
    rtest_t *t = ud;
    t->hits[a->rule->index]++;
}

/* Every match counts, also of rules that raise no alert of their own (the base rules
   of a correlation): that is what lets a base rule be tested on single events. */
static void on_match(void *ud, const ww_sigma_rule_t *rule)
{
    rtest_t *t = ud;
    t->hits[rule->index]++;
    if (ww_corr_wants(t->corr, rule))
        ww_corr_feed(t->corr, rule, t->ev, t->ref, on_corr, t);
}

/* Runs one case from a fresh correlation state.  0, or WW_E* when a sample cannot be
   read (reported; the case is then neither passed nor failed). */
static int run_case(rtest_t *t, tcase_t *tc)
{
    uint32_t nrules = ww_sigma_count(t->rs);
    memset(t->hits, 0, (nrules + 1) * sizeof *t->hits);
    int rc = ww_corr_new(t->rs, &t->lim, &t->corr);
    if (rc != 0)
        return rc;
    ww_event_t ev;
    ww_event_init(&ev);
    uint64_t re_before = ww_detect_ctx_regex_errors(t->ctx);
    for (uint32_t i = 0; i < tc->nfiles && rc == 0; i++) {
        ww_reader_t *r = NULL;
        ww_diag_t d = {0};
        if ((rc = ww_reader_open(tc->files[i], WW_FMT_AUTO, &r, &d)) != 0) {
            ww_cli_error("%s:%u: sample %s: %s", tc->manifest, tc->line, tc->files[i],
                         d.msg[0] ? d.msg : ww_strerror(rc));
            break;
        }
        int nr;
        while ((nr = ww_reader_next(r, &ev, &d)) != 0) {
            if (nr < 0) {
                tc->malformed++;
                continue;
            }
            tc->events++;
            t->ev = &ev;
            t->ref = ((uint64_t)i << 40) | (ww_reader_index(r) & ((UINT64_C(1) << 40) - 1));
            ww_detect_event(t->ctx, &ev, on_match, t);
        }
        ww_reader_free(r);
    }
    ww_event_release(&ev);
    tc->re_errors = ww_detect_ctx_regex_errors(t->ctx) - re_before;
    if (rc == 0) {
        ww_corr_flush(t->corr, on_corr, t);
        ww_corr_stats_t cs;
        ww_corr_get_stats(t->corr, &cs);
        t->cstats.groups_evicted += cs.groups_evicted;
        t->cstats.events_dropped += cs.events_dropped;
        t->cstats.late_events += cs.late_events;
        t->cstats.values_dropped += cs.values_dropped;
        for (uint32_t k = 0; k < tc->nex; k++)
            if (tc->ex[k].rule)
                tc->ex[k].got = t->hits[tc->ex[k].rule->index];
        tc->ran = true;
    }
    ww_corr_free(t->corr);
    t->corr = NULL;
    return rc;
}

static void print_expect(const tcase_t *tc, const expect_t *e)
{
    bool ok = tc->ran && e->got == e->want;
    printf("      %s ", ok ? "pass" : "FAIL");
    ww_cli_puts_safe(stdout, tc->label);
    printf(": expected %llu, got %llu", (unsigned long long)e->want, (unsigned long long)e->got);
    if (tc->malformed)
        printf(" (%llu malformed records skipped)", (unsigned long long)tc->malformed);
    if (tc->re_errors)
        printf(" (%llu regex matches hit a PCRE2 limit and counted as no match)",
               (unsigned long long)tc->re_errors);
    putchar('\n');
}

/* Parses a positive count option; false (reported) when it is not one. */
static bool parse_cap(const char *opt, const char *s, uint32_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v == 0 || v > UINT32_MAX) {
        ww_cli_error("rules test: %s needs a whole number from 1 to %u, not '%s'", opt, UINT32_MAX,
                     s);
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

static int rules_test(int argc, char **argv)
{
    static const struct option opts[] = {
        {"placeholders", required_argument, NULL, 'p'},
        {"corr-max-groups", required_argument, NULL, 'G'},
        {"corr-max-events", required_argument, NULL, 'E'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    rtest_t t = {0};
    const char *placeholders = NULL;
    bool quiet = false;
    int status = WW_EXIT_ERROR, c;
    while ((c = getopt_long(argc, argv, "p:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'p': placeholders = optarg; break;
        case 'G':
            if (!parse_cap("--corr-max-groups", optarg, &t.lim.max_groups))
                return WW_EXIT_ERROR;
            break;
        case 'E':
            if (!parse_cap("--corr-max-events", optarg, &t.lim.max_events_per_group))
                return WW_EXIT_ERROR;
            break;
        case 'q': quiet = true; break;
        case 'h': usage(stdout); return WW_EXIT_OK;
        default: usage(stderr); return WW_EXIT_ERROR;
        }
    }
    const char *def[1];
    const char *const *paths = (const char *const *)argv + optind;
    size_t npaths = (size_t)(argc - optind);
    if (npaths == 0) {
        def[0] = ww_cli_default_rules();
        paths = def;
        npaths = 1;
    }
    double t0 = ww_cli_now();
    ww_arena_init(&t.arena, 64 << 10, ARENA_CAP);
    size_t unreadable = 0;
    t.rs = ww_cli_load_rules(paths, npaths, placeholders, &unreadable);
    if (!t.rs || ww_detect_compile(t.rs, NULL, &t.prog) != 0 ||
        ww_detect_ctx_new(t.prog, &t.ctx) != 0) {
        ww_cli_error("rules test: out of memory");
        goto out;
    }
    t.errors += unreadable;
    for (size_t i = 0; i < npaths; i++)
        collect_manifests(&t, paths[i]);
    uint32_t nrules = ww_sigma_count(t.rs);
    t.hits = calloc((size_t)nrules + 1, sizeof *t.hits);
    if (!t.hits) {
        ww_cli_error("rules test: out of memory");
        goto out;
    }

    /* Resolve references, then run every case. */
    size_t unknown = 0, nexpect = 0;
    for (size_t i = 0; i < t.ncases; i++)
        for (uint32_t k = 0; k < t.cases[i].nex; k++) {
            expect_t *e = &t.cases[i].ex[k];
            e->rule = ww_sigma_find(t.rs, e->ref);
            nexpect++;
        }
    for (size_t i = 0; i < t.ncases; i++) {
        int rc = run_case(&t, &t.cases[i]);
        if (rc == WW_ENOMEM) {
            ww_cli_error("rules test: out of memory");
            goto out;
        }
        if (rc < 0)
            t.errors++;
    }

    /* Report per rule, in load order. */
    uint32_t passed = 0, failed = 0, rejected = ww_sigma_error_count(t.rs);
    for (uint32_t ri = 0; ri < nrules && !ww_cli_output_failed(stdout); ri++) {
        const ww_sigma_rule_t *rule = ww_sigma_rule(t.rs, ri);
        uint32_t ncase = 0, npos = 0, nbad = 0;
        for (size_t i = 0; i < t.ncases; i++)
            for (uint32_t k = 0; k < t.cases[i].nex; k++) {
                const expect_t *e = &t.cases[i].ex[k];
                if (e->rule != rule)
                    continue;
                ncase++;
                npos += e->want > 0;
                nbad += !t.cases[i].ran || e->got != e->want;
            }
        const char *why = ncase == 0  ? "no test cases"
                          : npos == 0 ? "no positive case (a count above 0)"
                                      : NULL;
        bool ok = !why && nbad == 0;
        ok ? passed++ : failed++;
        if (quiet && ok)
            continue;
        printf("%-4s  ", ok ? "ok" : "FAIL");
        ww_cli_puts_safe(stdout, rule->title);
        fputs("  [", stdout);
        ww_cli_puts_safe(stdout, rule->id ? rule->id : rule->name ? rule->name : "no id");
        printf("]%s%s\n", why ? ": " : "", why ? why : "");
        for (size_t i = 0; i < t.ncases; i++)
            for (uint32_t k = 0; k < t.cases[i].nex; k++)
                if (t.cases[i].ex[k].rule == rule &&
                    (!quiet || !t.cases[i].ran || t.cases[i].ex[k].got != t.cases[i].ex[k].want))
                    print_expect(&t.cases[i], &t.cases[i].ex[k]);
    }
    /* Expectations naming a rule that is not loaded: a typo, or a rule the loader
       refused (listed below). */
    for (size_t i = 0; i < t.ncases; i++)
        for (uint32_t k = 0; k < t.cases[i].nex; k++)
            if (!t.cases[i].ex[k].rule) {
                fputs("FAIL  ", stdout);
                ww_cli_puts_safe(stdout, t.cases[i].manifest);
                printf(":%u: no loaded rule has id or name '", t.cases[i].ex[k].line);
                ww_cli_puts_safe(stdout, t.cases[i].ex[k].ref);
                fputs("'\n", stdout);
                unknown++;
            }
    if (rejected) {
        printf("\nrules the loader refused (each counts as a failure):\n");
        ww_cli_print_rule_errors(stdout, t.rs, UINT32_MAX);
    }
    uint32_t ncomp = ww_detect_error_count(t.prog);
    for (uint32_t i = 0; i < ncomp && !ww_cli_output_failed(stdout); i++)
        ww_cli_print_sigma_error(stdout, "FAIL  ", ww_detect_error(t.prog, i));
    /* A regex that hit PCRE2's limit on a rule's own samples gave no answer there: the
       rule needs a cheaper pattern, so this counts as one failure. */
    uint64_t re_errors = ww_detect_ctx_regex_errors(t.ctx);
    if (re_errors) {
        char why[160];
        const ww_sigma_rule_t *rr = ww_detect_ctx_regex_error_rule(t.ctx, why, sizeof why);
        printf("FAIL  regex: %llu match%s ended in a PCRE2 error and counted as no match "
               "(first: ",
               (unsigned long long)re_errors, re_errors == 1 ? "" : "es");
        ww_cli_puts_safe(stdout, rr && rr->title ? rr->title : "?");
        fputs(" [", stdout);
        ww_cli_puts_safe(stdout, rr && rr->id ? rr->id : rr && rr->name ? rr->name : "no id");
        printf("]: %s)\n", why);
    }
    if (t.cstats.groups_evicted || t.cstats.events_dropped || t.cstats.late_events ||
        t.cstats.values_dropped)
        printf("\ncorrelation: %llu groups evicted at the cap, %llu events not kept, %llu "
               "distinct values not tracked, %llu late events ignored\n",
               (unsigned long long)t.cstats.groups_evicted,
               (unsigned long long)t.cstats.events_dropped,
               (unsigned long long)t.cstats.values_dropped,
               (unsigned long long)t.cstats.late_events);
    size_t nfail = failed + unknown + rejected + ncomp + (re_errors ? 1 : 0);
    printf("\n%u rules: %u passed, %u failed", nrules, passed, failed);
    if (nfail > failed)
        printf(" (plus %zu: rules refused, rule names no rule has, or regex errors)",
               nfail - failed);
    printf("; %zu test cases, %zu expectations, %.2f s\n", t.ncases, nexpect, ww_cli_now() - t0);
    fflush(stdout);
    if (t.errors)
        status = WW_EXIT_ERROR;
    else
        status = nfail ? 1 : WW_EXIT_OK;
out:
    free(t.hits);
    free(t.cases);
    ww_detect_ctx_free(t.ctx);
    ww_detect_unref(t.prog);
    ww_sigma_ruleset_free(t.rs);
    ww_arena_release(&t.arena);
    return status;
}

int cmd_rules(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? WW_EXIT_ERROR : WW_EXIT_OK;
    }
    if (!strcmp(argv[1], "check"))
        return rules_check(argc - 1, argv + 1);
    if (!strcmp(argv[1], "test"))
        return rules_test(argc - 1, argv + 1);
    ww_cli_error("rules: unknown subcommand '%s' (try: rules check, rules test)", argv[1]);
    return WW_EXIT_ERROR;
}
