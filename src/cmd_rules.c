/* wardwatch rules: `rules check` loads rules and lists every one that cannot be used,
 * with file, line and reason; `rules test` runs each rule's own sample logs through the
 * whole engine (decoders, routing, correlations, placeholders) and compares how often
 * each rule matched with what the test cases expect.  The test-case format
 * (`x.tests/tests.yml` beside `x.yml`) is described in docs/rule-pack.md. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "detect/ww_detect.h"
#include "rulestore/ww_rulestore.h"
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
            "       wardwatch rules update [--force] FILE|DIR | --fetch [--url URL] | --rollback\n"
            "       wardwatch rules status\n"
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
            "2 an error (unreadable rules, manifest or sample).\n"
            "\n"
            "update: installs a newer SigmaHQ release for hunt (`rules update --help`).\n"
            "status: which SigmaHQ release hunt uses, and what --rollback would restore.\n");
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

/* Finds every `*.tests/` folder under dir (as the rules loader skips them), outside
 * the rule sets inside it (the SigmaHQ release in rules/sigmahq/ is not the pack's). */
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
            else if (depth < MAX_WALK_DEPTH && !ww_cli_is_rule_set(path))
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

/* ---- rules update, rules status ---------------------------------------------------- */

/* Installed SigmaHQ sets live in <home>/sigmahq/ (ww_cli_home_dir):
 *   set-XXXXXX/     one installed release: its folders, LICENSE, RELEASE (written last)
 *   current         a symlink to the set hunt uses
 *   previous        a symlink to the set `rules update --rollback` goes back to
 *   .lock           held while an update or a rollback runs
 * No `current` means the release shipped beside the pack is in use; `previous` missing
 * after an update from it means rolling back returns to the shipped one.  A new set is
 * complete before `current` is switched to it by one rename(), so a failed or
 * interrupted update never leaves hunt without rules. */
#define SIGMAHQ_DEFAULT_URL \
    "https://github.com/SigmaHQ/sigma/releases/latest/download/sigma_all_rules.zip"
#define UPDATE_MAX_FILES 100000u /* files copied from a checkout folder */
#define UPDATE_MAX_DEPTH 24      /* folders deep in a checkout */
#define ROOT_SEARCH_DEPTH 3      /* folders above the rule folders in an archive */
#define FAR_FEWER_PERCENT 90     /* a new set with fewer usable rules than this is refused */

/* One rule of a set, as the comparison sees it. */
typedef struct rinfo {
    const char *key; /* id, else title */
    const char *id, *title;
    const char *rel; /* file, relative to the set's folder */
    const char *date;
    bool usable;
} rinfo_t;

/* A rule that could not be used, with its file relative to the set. */
typedef struct rerr {
    const ww_sigma_error_t *e;
    const char *rel;
    bool waiting; /* for a placeholder value */
} rerr_t;

/* A set loaded and compiled as `rules check` would, summarised for the comparison. */
typedef struct view {
    char dir[PATH_MAX];
    ww_sigma_ruleset_t *rs;
    ww_detect_t *prog;
    ww_arena_t arena;
    rinfo_t *r;
    size_t n;
    rerr_t *err;
    size_t nerr;
    uint32_t usable, rejected, waiting;
    char newest[16]; /* latest `modified` or `date` of its rules */
} view_t;

static const char *rel_to(const char *file, const char *dir)
{
    size_t n = strlen(dir);
    if (!strncmp(file, dir, n) && file[n] == '/')
        return file + n + 1;
    return file;
}

static int rinfo_cmp(const void *a, const void *b)
{
    return strcmp(((const rinfo_t *)a)->key, ((const rinfo_t *)b)->key);
}

static void view_release(view_t *v)
{
    ww_detect_unref(v->prog);
    ww_sigma_ruleset_free(v->rs);
    ww_arena_release(&v->arena);
    free(v->r);
    free(v->err);
    memset(v, 0, sizeof *v);
}

/* Loads the SigmaHQ folders of the set in dir and compiles them.  0, or WW_ENOMEM;
   a folder that cannot be read is counted in *unreadable. */
static int view_load(view_t *v, const char *dir, size_t *unreadable)
{
    const char *paths[8];
    char bufs[8][PATH_MAX];
    size_t np = 0;
    snprintf(v->dir, sizeof v->dir, "%s", dir);
    ww_arena_init(&v->arena, 64 << 10, 256u << 20);
    for (size_t i = 0; i < ww_cli_sigmahq_nfolders && np < 8; i++) {
        struct stat st;
        int len = snprintf(bufs[np], PATH_MAX, "%s/%s", dir, ww_cli_sigmahq_folders[i]);
        if (len > 0 && len < PATH_MAX && stat(bufs[np], &st) == 0 && S_ISDIR(st.st_mode)) {
            paths[np] = bufs[np];
            np++;
        }
    }
    v->rs = ww_cli_load_rules(paths, np, NULL, unreadable);
    if (!v->rs || ww_detect_compile(v->rs, NULL, &v->prog) != 0)
        return WW_ENOMEM;
    uint32_t nr = ww_sigma_count(v->rs), nl = ww_sigma_error_count(v->rs);
    uint32_t nc = ww_detect_error_count(v->prog);
    v->r = calloc(nr + 1, sizeof *v->r);
    v->err = calloc((size_t)nl + nc + 1, sizeof *v->err);
    if (!v->r || !v->err)
        return WW_ENOMEM;
    char name[96];
    for (uint32_t i = 0; i < nl + nc; i++) {
        const ww_sigma_error_t *e =
            i < nl ? ww_sigma_error(v->rs, i) : ww_detect_error(v->prog, i - nl);
        rerr_t *x = &v->err[v->nerr++];
        x->e = e;
        x->rel = rel_to(e->file, dir);
        x->waiting = ww_cli_placeholder_error(e, name, sizeof name);
        x->waiting ? v->waiting++ : v->rejected++;
    }
    for (uint32_t i = 0; i < nr; i++) {
        const ww_sigma_rule_t *rule = ww_sigma_rule(v->rs, i);
        rinfo_t *r = &v->r[v->n++];
        r->id = rule->id;
        r->title = rule->title;
        r->key = rule->id ? rule->id : rule->title;
        r->rel = rel_to(rule->file, dir);
        r->date = rule->modified ? rule->modified : rule->date;
        r->usable = true;
        /* A rule the engine refused (a regex PCRE2 rejects) is in the list but not usable. */
        for (uint32_t k = 0; k < nc; k++) {
            const ww_sigma_error_t *e = ww_detect_error(v->prog, k);
            if (!strcmp(e->file, rule->file) && !strcmp(e->title, rule->title))
                r->usable = false;
        }
        v->usable += r->usable;
        /* Dates are YYYY-MM-DD or YYYY/MM/DD: compared as text once normalised. */
        if (r->date && strlen(r->date) == 10) {
            char d[16];
            snprintf(d, sizeof d, "%s", r->date);
            d[4] = d[7] = '-';
            if (strcmp(d, v->newest) > 0)
                snprintf(v->newest, sizeof v->newest, "%s", d);
        }
    }
    qsort(v->r, v->n, sizeof *v->r, rinfo_cmp);
    return 0;
}

static const rinfo_t *view_find(const view_t *v, const char *key)
{
    rinfo_t k = {.key = key};
    return bsearch(&k, v->r, v->n, sizeof *v->r, rinfo_cmp);
}

/* The usable rule of v that a rejected rule of another set was: same file, else same
   title. */
static const rinfo_t *view_was(const view_t *v, const rerr_t *x)
{
    for (size_t i = 0; i < v->n; i++)
        if (v->r[i].usable && !strcmp(v->r[i].rel, x->rel))
            return &v->r[i];
    for (size_t i = 0; i < v->n; i++)
        if (v->r[i].usable && x->e->title[0] && !strcmp(v->r[i].title, x->e->title))
            return &v->r[i];
    return NULL;
}

static bool view_rejects(const view_t *v, const rinfo_t *r)
{
    for (size_t i = 0; i < v->nerr; i++)
        if (!strcmp(v->err[i].rel, r->rel) || (r->title && !strcmp(v->err[i].e->title, r->title)))
            return true;
    return false;
}

static void put_rule(const char *mark, const char *id, const char *title)
{
    fputs(mark, stdout);
    ww_cli_puts_safe(stdout, id ? id : "(no id)");
    fputs("  ", stdout);
    ww_cli_puts_safe(stdout, title ? title : "");
    putchar('\n');
}

/* Prints what changes from cur to nxt; returns the number of rules now rejected. */
static uint32_t print_changes(const view_t *cur, const view_t *nxt)
{
    uint32_t added = 0, removed = 0, updated = 0, now_rejected = 0;
    for (size_t i = 0; i < nxt->n; i++) {
        const rinfo_t *o = view_find(cur, nxt->r[i].key);
        if (!o)
            added++;
        else if (o->date && nxt->r[i].date && strcmp(o->date, nxt->r[i].date) != 0)
            updated++;
    }
    for (size_t i = 0; i < cur->n; i++)
        if (cur->r[i].usable && !view_find(nxt, cur->r[i].key) && !view_rejects(nxt, &cur->r[i]))
            removed++;
    for (size_t i = 0; i < nxt->nerr; i++)
        if (!nxt->err[i].waiting && view_was(cur, &nxt->err[i]))
            now_rejected++;
    printf("changes: %u added, %u removed, %u updated (a new modified date), %u now rejected\n",
           added, removed, updated, now_rejected);
    for (size_t i = 0; i < nxt->n && !ww_cli_output_failed(stdout); i++)
        if (!view_find(cur, nxt->r[i].key))
            put_rule("  + added    ", nxt->r[i].id, nxt->r[i].title);
    for (size_t i = 0; i < cur->n && !ww_cli_output_failed(stdout); i++)
        if (cur->r[i].usable && !view_find(nxt, cur->r[i].key) && !view_rejects(nxt, &cur->r[i]))
            put_rule("  - removed  ", cur->r[i].id, cur->r[i].title);
    for (size_t i = 0; i < nxt->nerr && !ww_cli_output_failed(stdout); i++) {
        const rinfo_t *was = nxt->err[i].waiting ? NULL : view_was(cur, &nxt->err[i]);
        if (!was)
            continue;
        put_rule("  ! rejected ", was->id, was->title);
    }
    return now_rejected;
}

/* ---- files and folders ---- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return (flag == FTW_DP ? rmdir(path) : unlink(path)) == 0 || errno == ENOENT ? 0 : -1;
}

/* Removes a folder wardwatch made (never following links out of it). */
static void rm_tree(const char *path)
{
    if (path && path[0])
        nftw(path, rm_entry, 32, FTW_DEPTH | FTW_PHYS);
}

/* Copies the wanted files (ww_rulestore_wanted) under src into dst, skipping links,
   hidden folders (.git) and anything past the caps. */
typedef struct copyctx {
    size_t files;
    uint64_t bytes;
    bool failed;
} copyctx_t;

static int copy_file(const char *src, const char *dst, copyctx_t *cc)
{
    int in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), out = -1, rc = -1;
    char buf[65536];
    if (in < 0)
        goto out;
    out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (out < 0)
        goto out;
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            goto out;
        if (n == 0)
            break;
        cc->bytes += (uint64_t)n;
        if (cc->bytes > WW_RULESTORE_MAX_TOTAL) {
            errno = EFBIG;
            goto out;
        }
        if (write(out, buf, (size_t)n) != n)
            goto out;
    }
    rc = 0;
out:
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) != 0)
        rc = -1;
    return rc;
}

static void copy_tree(const char *src, const char *dst, int depth, copyctx_t *cc)
{
    struct dirent **ents = NULL;
    int n = scandir(src, &ents, NULL, alphasort);
    if (n < 0) {
        ww_cli_error("%s: cannot read (%s)", src, strerror(errno));
        cc->failed = true;
        return;
    }
    for (int i = 0; i < n; i++) {
        const char *nm = ents[i]->d_name;
        char s[PATH_MAX], d[PATH_MAX];
        struct stat st;
        int l1 = snprintf(s, sizeof s, "%s/%s", src, nm),
            l2 = snprintf(d, sizeof d, "%s/%s", dst, nm);
        if (!cc->failed && nm[0] != '.' && l1 > 0 && (size_t)l1 < sizeof s && l2 > 0 &&
            (size_t)l2 < sizeof d && lstat(s, &st) == 0) {
            if (S_ISDIR(st.st_mode) && depth < UPDATE_MAX_DEPTH) {
                if (mkdir(d, 0755) != 0 && errno != EEXIST) {
                    ww_cli_error("%s: cannot create (%s)", d, strerror(errno));
                    cc->failed = true;
                } else
                    copy_tree(s, d, depth + 1, cc);
            } else if (S_ISREG(st.st_mode) && ww_rulestore_wanted(nm)) {
                if (++cc->files > UPDATE_MAX_FILES) {
                    ww_cli_error("%s: more than %u rule files", src, UPDATE_MAX_FILES);
                    cc->failed = true;
                } else if (copy_file(s, d, cc) != 0) {
                    ww_cli_error("%s: cannot copy (%s)", s, strerror(errno));
                    cc->failed = true;
                }
            }
        }
        free(ents[i]);
    }
    free(ents);
}

static bool has_rule_folder(const char *dir)
{
    char p[PATH_MAX];
    struct stat st;
    for (size_t i = 0; i < ww_cli_sigmahq_nfolders; i++) {
        int len = snprintf(p, sizeof p, "%s/%s", dir, ww_cli_sigmahq_folders[i]);
        if (len > 0 && (size_t)len < sizeof p && stat(p, &st) == 0 && S_ISDIR(st.st_mode))
            return true;
    }
    return false;
}

/* The folder holding SigmaHQ's rule folders: dir itself, or the first one found up to
   ROOT_SEARCH_DEPTH below it (a repository tarball puts everything under
   sigma-<tag>/).  Writes it to out; false when there is none. */
static bool find_set_root(const char *dir, int depth, char *out, size_t outlen)
{
    if (has_rule_folder(dir)) {
        snprintf(out, outlen, "%s", dir);
        return true;
    }
    if (depth >= ROOT_SEARCH_DEPTH)
        return false;
    struct dirent **ents = NULL;
    int n = scandir(dir, &ents, NULL, alphasort);
    bool found = false;
    for (int i = 0; i < n; i++) {
        char p[PATH_MAX];
        struct stat st;
        int len = snprintf(p, sizeof p, "%s/%s", dir, ents[i]->d_name);
        if (!found && ents[i]->d_name[0] != '.' && len > 0 && (size_t)len < sizeof p &&
            lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            found = find_set_root(p, depth + 1, out, outlen);
        free(ents[i]);
    }
    free(ents);
    return found;
}

/* A release tag (rYYYY-MM-DD) anywhere in s, copied to out. */
static bool find_tag(const char *s, char *out, size_t outlen)
{
    for (const char *p = s; *p; p++) {
        if (p[0] != 'r' || strlen(p) < 11)
            continue;
        bool ok = true;
        for (int i = 1; i <= 10 && ok; i++)
            ok = (i == 5 || i == 8) ? p[i] == '-' : (p[i] >= '0' && p[i] <= '9');
        if (ok && (p[11] < '0' || p[11] > '9')) {
            snprintf(out, outlen, "%.11s", p);
            return true;
        }
    }
    return false;
}

/* The commit a git checkout is at (HEAD, a loose ref or packed-refs); "" if unknown. */
static void git_commit(const char *dir, char *out, size_t outlen)
{
    char p[PATH_MAX], line[512], ref[512] = "";
    out[0] = 0;
    snprintf(p, sizeof p, "%s/.git/HEAD", dir);
    FILE *f = fopen(p, "r");
    if (!f)
        return;
    if (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!strncmp(line, "ref: ", 5))
            snprintf(ref, sizeof ref, "%s", line + 5);
        else if (strlen(line) == 40)
            snprintf(out, outlen, "%s", line);
    }
    fclose(f);
    if (!ref[0] || strstr(ref, ".."))
        return;
    snprintf(p, sizeof p, "%s/.git/%s", dir, ref);
    if ((f = fopen(p, "r"))) {
        if (fgets(line, sizeof line, f) && strlen(line) >= 40)
            snprintf(out, outlen, "%.40s", line);
        fclose(f);
        return;
    }
    snprintf(p, sizeof p, "%s/.git/packed-refs", dir);
    if ((f = fopen(p, "r"))) {
        size_t rl = strlen(ref);
        for (int i = 0; i < 100000 && fgets(line, sizeof line, f); i++) {
            line[strcspn(line, "\r\n")] = 0;
            if (strlen(line) == 41 + rl && line[40] == ' ' && !strcmp(line + 41, ref)) {
                snprintf(out, outlen, "%.40s", line);
                break;
            }
        }
        fclose(f);
    }
}

/* Points the symlink <base>/<name> at target ("" removes it), atomically. */
static int set_link(const char *base, const char *name, const char *target)
{
    char link[PATH_MAX], tmp[PATH_MAX];
    snprintf(link, sizeof link, "%s/%s", base, name);
    if (!target || !target[0])
        return unlink(link) == 0 || errno == ENOENT ? 0 : -1;
    snprintf(tmp, sizeof tmp, "%s/.%s.new", base, name);
    unlink(tmp);
    if (symlink(target, tmp) != 0)
        return -1;
    if (rename(tmp, link) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* The set a link points at (a name inside base), or "". */
static void get_link(const char *base, const char *name, char *out, size_t outlen)
{
    char link[PATH_MAX];
    out[0] = 0;
    if ((size_t)snprintf(link, sizeof link, "%s/%s", base, name) >= sizeof link)
        return; /* a path that long cannot be ours */
    ssize_t n = readlink(link, out, outlen - 1);
    out[n > 0 ? n : 0] = 0;
    /* Only our own names: "set-XXXXXX", never a path elsewhere. */
    if (strncmp(out, "set-", 4) != 0 || strchr(out, '/'))
        out[0] = 0;
}

/* Removes the sets neither link points at (earlier releases, interrupted updates). */
static void prune_sets(const char *base)
{
    char cur[64], prev[64];
    get_link(base, "current", cur, sizeof cur);
    get_link(base, "previous", prev, sizeof prev);
    struct dirent **ents = NULL;
    int n = scandir(base, &ents, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        const char *nm = ents[i]->d_name;
        if ((!strncmp(nm, "set-", 4) && strcmp(nm, cur) && strcmp(nm, prev)) ||
            !strncmp(nm, ".stage-", 7)) {
            char p[PATH_MAX];
            snprintf(p, sizeof p, "%s/%s", base, nm);
            rm_tree(p);
        }
        free(ents[i]);
    }
    free(ents);
}

/* Creates <home>/sigmahq and takes its lock; returns the lock's fd or -1 (reported). */
static int lock_store(char *base, size_t baselen)
{
    char home[PATH_MAX - 64], lock[PATH_MAX + 16];
    if (!ww_cli_home_dir(home, sizeof home)) {
        ww_cli_error("rules update: no folder for installed rules (set WARDWATCH_HOME or HOME)");
        return -1;
    }
    snprintf(base, baselen, "%s/sigmahq", home);
    /* mkdir -p home, then base. */
    for (char *p = home + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            mkdir(home, 0755);
            *p = '/';
        }
    mkdir(home, 0755);
    if (mkdir(base, 0755) != 0 && errno != EEXIST) {
        ww_cli_error("rules update: cannot create %s (%s)", base, strerror(errno));
        return -1;
    }
    snprintf(lock, sizeof lock, "%s/.lock", base);
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ww_cli_error("rules update: %s: %s", lock,
                     fd < 0 ? strerror(errno) : "another rules update is running");
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* Reads a whole file (an archive) into memory, capped. */
static int slurp(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f)
        return WW_EIO;
    /* Sized from the file, one byte over to see it grew past the cap. */
    size_t want = fstat(fileno(f), &st) == 0 && st.st_size >= 0 &&
                          (uint64_t)st.st_size < WW_RULESTORE_MAX_ARCHIVE
                      ? (size_t)st.st_size + 1
                      : WW_RULESTORE_MAX_ARCHIVE + 1;
    char *buf = malloc(want);
    size_t n = buf ? fread(buf, 1, want, f) : 0;
    bool err = ferror(f);
    fclose(f);
    if (!buf)
        return WW_ENOMEM;
    /* More than stat said: the file is being written; read it once it is done. */
    bool grew = n == want && want <= WW_RULESTORE_MAX_ARCHIVE;
    if (err || grew || n > WW_RULESTORE_MAX_ARCHIVE) {
        free(buf);
        return err || grew ? WW_EIO : WW_ELIMIT;
    }
    *out = buf;
    *len = n;
    return 0;
}

static void describe_set(const char *label, const char *dir, int installed, const view_t *v)
{
    char rel[64], commit[64];
    ww_cli_set_info(dir, "release", rel, sizeof rel);
    ww_cli_set_info(dir, "commit", commit, sizeof commit);
    printf("%s SigmaHQ ", label);
    ww_cli_puts_safe(stdout, rel[0] ? rel : "(release unknown)");
    printf(" (%s", installed == 1 ? "installed" : installed == 0 ? "shipped" : "new");
    if (commit[0]) {
        fputs(", commit ", stdout);
        ww_cli_put_safe(stdout, commit, strlen(commit) > 12 ? 12 : strlen(commit));
    }
    printf("): %u rules usable, %u rejected, %u waiting for placeholder values; newest rule %s\n",
           v->usable, v->rejected, v->waiting, v->newest[0] ? v->newest : "-");
}

static void update_usage(FILE *out)
{
    fprintf(out,
            "usage: wardwatch rules update [--force] [--release NAME] FILE|DIR\n"
            "       wardwatch rules update --fetch [--url URL] [--cacert FILE] [--force]\n"
            "       wardwatch rules update --rollback\n"
            "       wardwatch rules status\n"
            "\n"
            "Installs a SigmaHQ rule release for hunt: a release archive (sigma_all_rules.zip,\n"
            "sigma_core.zip, a .tar.gz of the repository), a checkout or unpacked folder, or\n"
            "(--fetch) the latest release downloaded over HTTPS.  The new rules are loaded\n"
            "and compiled as `rules check` does and compared with the rules in use; a set\n"
            "with more rejected rules, or under %d%% of the usable rules, is refused unless\n"
            "--force.  The previous set is kept: --rollback goes back to it.\n"
            "  --fetch          download (default URL: " SIGMAHQ_DEFAULT_URL ")\n"
            "  --url URL        download from URL instead (https only)\n"
            "  --cacert FILE    trust only the CA certificates in FILE (PEM)\n"
            "  --release NAME   the release's name, when the source does not say it\n"
            "  --force          install even when the new set loads worse\n"
            "Sets are kept in $WARDWATCH_HOME/sigmahq (default ~/.local/share/wardwatch).\n"
            "Exit status: 0 installed (or rolled back), 1 refused, 2 an error (the rules in\n"
            "use are then unchanged).\n",
            FAR_FEWER_PERCENT);
}

static int rules_rollback(void)
{
    char base[PATH_MAX], cur[64], prev[64];
    int lock = lock_store(base, sizeof base), status = WW_EXIT_ERROR;
    if (lock < 0)
        return WW_EXIT_ERROR;
    get_link(base, "current", cur, sizeof cur);
    get_link(base, "previous", prev, sizeof prev);
    if (!cur[0] && !prev[0]) {
        ww_cli_error("rules update --rollback: nothing to roll back to: the shipped release is "
                     "in use and no other was installed");
        goto out;
    }
    /* Swap: the set in use becomes the one to roll back to, so a second rollback
       undoes the first.  No link means the shipped release. */
    if (set_link(base, "previous", cur) != 0 || set_link(base, "current", prev) != 0) {
        ww_cli_error("rules update --rollback: %s: %s", base, strerror(errno));
        goto out;
    }
    char dir[PATH_MAX], rel[64];
    int which = ww_cli_sigmahq_dir(dir, sizeof dir);
    ww_cli_set_info(dir, "release", rel, sizeof rel);
    printf("rolled back: SigmaHQ ");
    ww_cli_puts_safe(stdout, rel[0] ? rel : "(release unknown)");
    printf(" (%s) is in use again, in ", which == 1 ? "installed" : "shipped");
    ww_cli_puts_safe(stdout, dir);
    printf("\n`wardwatch rules update --rollback` again returns to the set just left.\n");
    status = WW_EXIT_OK;
out:
    close(lock);
    return status;
}

static int rules_status(void)
{
    char dir[PATH_MAX], base[PATH_MAX], home[PATH_MAX - 64], prev[64];
    int which = ww_cli_sigmahq_dir(dir, sizeof dir);
    if (which < 0) {
        printf("SigmaHQ rules: none (nothing installed, nothing shipped in %s/sigmahq)\n",
               ww_cli_default_rules());
        return 1;
    }
    static const char *const keys[] = {"release",     "commit", "date",
                                       "newest-rule", "source", "installed"};
    printf("SigmaHQ rules in use: %s\n  folder     ",
           which == 1 ? "installed by rules update" : "shipped with wardwatch");
    ww_cli_puts_safe(stdout, dir);
    putchar('\n');
    for (size_t i = 0; i < WW_ARRAY_LEN(keys); i++) {
        char v[512];
        ww_cli_set_info(dir, keys[i], v, sizeof v);
        if (!v[0])
            continue;
        printf("  %-10s ", keys[i]);
        ww_cli_puts_safe(stdout, v);
        putchar('\n');
    }
    if (ww_cli_home_dir(home, sizeof home)) {
        snprintf(base, sizeof base, "%s/sigmahq", home);
        get_link(base, "previous", prev, sizeof prev);
        char pdir[PATH_MAX + 80], rel[64] = "";
        if (prev[0]) {
            snprintf(pdir, sizeof pdir, "%s/%s", base, prev);
            ww_cli_set_info(pdir, "release", rel, sizeof rel);
        }
        printf("  rollback   %s", prev[0]      ? "to SigmaHQ "
                                  : which == 1 ? "to the shipped release"
                                               : "none");
        if (prev[0]) {
            char from[512];
            ww_cli_set_info(pdir, "source", from, sizeof from);
            ww_cli_puts_safe(stdout, rel[0] ? rel : prev);
            fputs(" from ", stdout);
            ww_cli_puts_safe(stdout, from[0] ? from : "?");
        }
        putchar('\n');
    }
    char site[PATH_MAX + 32];
    printf("  placeholders %s\n",
           ww_cli_site_placeholders(site, sizeof site) ? site : "(no site file)");
    return WW_EXIT_OK;
}

static int rules_update(int argc, char **argv)
{
    static const struct option opts[] = {
        {"fetch", no_argument, NULL, 'F'},        {"url", required_argument, NULL, 'u'},
        {"cacert", required_argument, NULL, 'c'}, {"force", no_argument, NULL, 'f'},
        {"rollback", no_argument, NULL, 'b'},     {"release", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},         {0},
    };
    bool fetch = false, force = false, rollback = false;
    const char *url = NULL, *cacert = NULL, *release = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
        switch (c) {
        case 'F': fetch = true; break;
        case 'u':
            url = optarg;
            fetch = true;
            break;
        case 'c': cacert = optarg; break;
        case 'f': force = true; break;
        case 'b': rollback = true; break;
        case 'n': release = optarg; break;
        case 'h': update_usage(stdout); return WW_EXIT_OK;
        default: update_usage(stderr); return WW_EXIT_ERROR;
        }
    }
    int nsrc = argc - optind;
    if (rollback) {
        if (nsrc || fetch || force) {
            ww_cli_error("rules update: --rollback takes no source and no other option");
            return WW_EXIT_ERROR;
        }
        return rules_rollback();
    }
    if ((fetch && nsrc != 0) || (!fetch && nsrc != 1)) {
        update_usage(stderr);
        return WW_EXIT_ERROR;
    }
    const char *src = fetch ? (url ? url : SIGMAHQ_DEFAULT_URL) : argv[optind];

    char base[PATH_MAX], stage[PATH_MAX + 32], raw[PATH_MAX + 64], root[PATH_MAX + 64];
    char setname[64] = "", setdir[PATH_MAX + 80] = "", source_note[PATH_MAX + 64] = "";
    char tag[64] = "", commit[64] = "";
    char *buf = NULL;
    size_t len = 0;
    view_t cur = {0}, nxt = {0};
    int status = WW_EXIT_ERROR, rc;
    stage[0] = 0;
    int lock = lock_store(base, sizeof base);
    if (lock < 0)
        return WW_EXIT_ERROR;
    prune_sets(base); /* leftovers of an interrupted update */
    snprintf(stage, sizeof stage, "%s/.stage-XXXXXX", base);
    if (!mkdtemp(stage)) {
        ww_cli_error("rules update: cannot create a folder in %s (%s)", base, strerror(errno));
        stage[0] = 0;
        goto out;
    }
    snprintf(raw, sizeof raw, "%s/in", stage);
    if (mkdir(raw, 0755) != 0) {
        ww_cli_error("rules update: cannot create %s (%s)", raw, strerror(errno));
        goto out;
    }

    /* 1. The new rules, into the stage. */
    struct stat st;
    ww_diag_t d = {0};
    if (fetch) {
        char final_url[2048] = "";
        printf("downloading %s\n", src);
        fflush(stdout);
        if ((rc = ww_rulestore_fetch(src, cacert, &buf, &len, final_url, sizeof final_url, &d)) !=
            0) {
            ww_cli_error("rules update: %s: %s; the rules in use are unchanged",
                         d.file[0] ? d.file : src, d.msg[0] ? d.msg : ww_strerror(rc));
            goto out;
        }
        find_tag(final_url, tag, sizeof tag);
        snprintf(source_note, sizeof source_note, "%s", final_url);
    } else if (stat(src, &st) != 0) {
        ww_cli_error("rules update: %s: %s", src, strerror(errno));
        goto out;
    } else if (S_ISREG(st.st_mode)) {
        if ((rc = slurp(src, &buf, &len)) != 0) {
            ww_cli_error("rules update: %s: cannot read (%s)", src,
                         rc == WW_ELIMIT ? "larger than 256 MiB" : ww_strerror(rc));
            goto out;
        }
        char abs[PATH_MAX];
        snprintf(source_note, sizeof source_note, "%s", realpath(src, abs) ? abs : src);
    }
    if (buf) {
        ww_rulestore_stats_t rst;
        if ((rc = ww_rulestore_extract(src, buf, len, raw, &rst, &d)) != 0) {
            ww_cli_error("rules update: %s: %s; the rules in use are unchanged",
                         d.file[0] ? d.file : src, d.msg[0] ? d.msg : ww_strerror(rc));
            goto out;
        }
        if (rst.refused)
            ww_cli_error("rules update: %s: %u entries not extracted (links, devices, or paths "
                         "outside the archive)",
                         src, rst.refused);
    } else if (S_ISDIR(st.st_mode)) {
        copyctx_t cc = {0};
        copy_tree(src, raw, 0, &cc);
        if (cc.failed) {
            ww_cli_error("rules update: %s: could not be copied; the rules in use are unchanged",
                         src);
            goto out;
        }
        char abs[PATH_MAX];
        snprintf(source_note, sizeof source_note, "%s", realpath(src, abs) ? abs : src);
        git_commit(src, commit, sizeof commit);
    } else {
        ww_cli_error("rules update: %s: not a file or a folder", src);
        goto out;
    }
    if (!find_set_root(raw, 0, root, sizeof root)) {
        ww_cli_error("rules update: %s: no SigmaHQ rule folders in it (rules/, "
                     "rules-emerging-threats/, rules-threat-hunting/, rules-placeholder/); the "
                     "rules in use are unchanged",
                     src);
        goto out;
    }
    if (!tag[0] && !find_tag(rel_to(root, raw), tag, sizeof tag))
        find_tag(src, tag, sizeof tag);

    /* 2. The new set: its rule folders and licence, beside the others. */
    snprintf(setdir, sizeof setdir, "%s/set-XXXXXX", base);
    if (!mkdtemp(setdir)) {
        ww_cli_error("rules update: cannot create a folder in %s (%s)", base, strerror(errno));
        setdir[0] = 0;
        goto out;
    }
    /* mkdtemp makes it 0700; hunt may run as another user (a service account). */
    chmod(setdir, 0755);
    snprintf(setname, sizeof setname, "%s", strrchr(setdir, '/') + 1);
    for (size_t i = 0; i < ww_cli_sigmahq_nfolders; i++) {
        char from[PATH_MAX * 2], to[PATH_MAX * 2];
        snprintf(from, sizeof from, "%s/%s", root, ww_cli_sigmahq_folders[i]);
        snprintf(to, sizeof to, "%s/%s", setdir, ww_cli_sigmahq_folders[i]);
        if (stat(from, &st) == 0 && S_ISDIR(st.st_mode) && rename(from, to) != 0) {
            ww_cli_error("rules update: cannot move %s (%s)", from, strerror(errno));
            goto out;
        }
    }
    char curdir[PATH_MAX];
    int which = ww_cli_sigmahq_dir(curdir, sizeof curdir);
    bool own_licence = true;
    {
        char from[PATH_MAX * 2], to[PATH_MAX * 2];
        snprintf(from, sizeof from, "%s/LICENSE", root);
        snprintf(to, sizeof to, "%s/LICENSE", setdir);
        if (rename(from, to) != 0) {
            /* Release zips may leave the licence out; the rules are still SigmaHQ's
               under the DRL, whose text the set in use carries. */
            own_licence = false;
            snprintf(from, sizeof from, "%s/LICENSE", which >= 0 ? curdir : ".");
            copyctx_t cc = {0};
            if (which < 0 || copy_file(from, to, &cc) != 0)
                ww_cli_error("rules update: no LICENSE in %s, and none to copy: keep the "
                             "Detection Rule License text with these rules",
                             src);
        }
    }

    /* 3. Check both as `rules check` does, and compare. */
    size_t unreadable = 0;
    if (view_load(&nxt, setdir, &unreadable) != 0 ||
        (which >= 0 && view_load(&cur, curdir, &unreadable) != 0)) {
        ww_cli_error("rules update: out of memory");
        goto out;
    }
    if (which >= 0)
        describe_set("in use:", curdir, which, &cur);
    else
        printf("in use: no SigmaHQ rules\n");
    {
        /* The new set has no RELEASE yet: say what it will be called. */
        printf("new:    SigmaHQ %s (from ", release ? release : tag[0] ? tag : "(release unknown)");
        ww_cli_puts_safe(stdout, source_note[0] ? source_note : src);
        printf(
            "): %u rules usable, %u rejected, %u waiting for placeholder values; newest rule %s\n",
            nxt.usable, nxt.rejected, nxt.waiting, nxt.newest[0] ? nxt.newest : "-");
    }
    print_changes(&cur, &nxt);
    const char *refuse = NULL;
    char why[256];
    if (nxt.usable == 0) {
        ww_cli_error("rules update: %s holds no usable rule; the rules in use are unchanged", src);
        goto out;
    }
    if (nxt.rejected > cur.rejected) {
        snprintf(why, sizeof why, "it has %u rejected rules, the rules in use %u", nxt.rejected,
                 cur.rejected);
        refuse = why;
    } else if ((uint64_t)nxt.usable * 100 < (uint64_t)cur.usable * FAR_FEWER_PERCENT) {
        snprintf(why, sizeof why, "it has %u usable rules, under %d%% of the %u in use", nxt.usable,
                 FAR_FEWER_PERCENT, cur.usable);
        refuse = why;
    }
    if (nxt.rejected) {
        printf("\nrejected in the new set:\n");
        for (size_t i = 0; i < nxt.nerr && !ww_cli_output_failed(stdout); i++)
            if (!nxt.err[i].waiting) {
                /* Named inside the set: the folder it was checked in is temporary. */
                ww_sigma_error_t e = *nxt.err[i].e;
                snprintf(e.file, sizeof e.file, "%s", nxt.err[i].rel);
                ww_cli_print_sigma_error(stdout, "  ", &e);
            }
    }
    if (refuse && !force) {
        printf("\nrefused: %s (--force installs it anyway); the rules in use are unchanged\n", why);
        status = 1;
        goto out;
    }

    /* 4. Record what it is (last: a set without RELEASE is never used), then switch. */
    {
        char rp[PATH_MAX * 2], now[32];
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
        snprintf(rp, sizeof rp, "%s/" WW_CLI_SET_MARKER, setdir);
        ww_cli_atomic_t a;
        if (ww_cli_atomic_open(&a, rp) != 0) {
            ww_cli_error("rules update: cannot write %s (%s)", rp, strerror(errno));
            goto out;
        }
        fprintf(a.f, "# A SigmaHQ rule set installed by `wardwatch rules update`.\n");
        fprintf(a.f, "release: %s\n", release ? release : tag[0] ? tag : "unknown");
        if (commit[0])
            fprintf(a.f, "commit: %s\n", commit);
        if (nxt.newest[0])
            fprintf(a.f, "newest-rule: %s\n", nxt.newest);
        fprintf(a.f, "source: %s\n", source_note[0] ? source_note : src);
        fprintf(a.f, "installed: %s\n", now);
        fprintf(a.f, "licence: Detection Rule License (DRL) 1.1, see LICENSE%s\n",
                own_licence ? "" : " (copied: the source had none)");
        fprintf(a.f, "rules: %u usable, %u rejected, %u waiting for placeholder values\n",
                nxt.usable, nxt.rejected, nxt.waiting);
        if (ww_cli_atomic_commit(&a) != 0) {
            ww_cli_error("rules update: cannot write %s (%s)", rp, strerror(errno));
            goto out;
        }
    }
    char oldcur[64];
    get_link(base, "current", oldcur, sizeof oldcur);
    if (set_link(base, "previous", oldcur) != 0 || set_link(base, "current", setname) != 0) {
        ww_cli_error("rules update: cannot switch %s/current (%s)", base, strerror(errno));
        goto out;
    }
    setdir[0] = 0; /* installed: no longer ours to remove */
    printf("\ninstalled%s in %s/current; `wardwatch rules update --rollback` goes back to the "
           "%s set\n",
           refuse ? " (--force)" : "", base, oldcur[0] ? "previous" : "shipped");
    status = WW_EXIT_OK;
out:
    view_release(&cur);
    view_release(&nxt);
    free(buf);
    rm_tree(stage);
    rm_tree(setdir);
    if (status == WW_EXIT_OK)
        prune_sets(base);
    close(lock);
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
    if (!strcmp(argv[1], "update"))
        return rules_update(argc - 1, argv + 1);
    if (!strcmp(argv[1], "status"))
        return rules_status();
    ww_cli_error("rules: unknown subcommand '%s' (try: rules check, test, update, status)",
                 argv[1]);
    return WW_EXIT_ERROR;
}
