/* Helpers shared by the subcommands: collecting input files, loading rules, progress. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "event/ww_event.h"
#include "wardwatch.h"

static int add_file(void *ud, const char *file)
{
    ww_cli_files_t *f = ud;
    if (f->n == f->cap) {
        size_t ncap = f->cap ? f->cap * 2 : 16;
        char **np = realloc(f->paths, ncap * sizeof *np);
        if (!np)
            return WW_ENOMEM;
        f->paths = np;
        bool *nw = realloc(f->walked, ncap * sizeof *nw);
        if (!nw)
            return WW_ENOMEM;
        f->walked = nw;
        f->cap = ncap;
    }
    f->paths[f->n] = strdup(file);
    if (!f->paths[f->n])
        return WW_ENOMEM;
    f->walked[f->n] = f->walking;
    f->n++;
    return 0;
}

int ww_cli_files_collect(ww_cli_files_t *f, char **paths, size_t npaths)
{
    for (size_t i = 0; i < npaths; i++) {
        struct stat st;
        if (strcmp(paths[i], "-") != 0 && stat(paths[i], &st) != 0) {
            ww_cli_error("%s: no such file or directory", paths[i]);
            f->missing++;
            continue;
        }
        f->walking = strcmp(paths[i], "-") != 0 && S_ISDIR(st.st_mode);
        int rc = ww_path_walk(paths[i], add_file, f);
        if (rc == WW_ENOMEM)
            return rc;
        if (rc < 0) {
            ww_cli_error("%s: cannot read (%s)", paths[i], ww_strerror(rc));
            f->missing++;
        }
    }
    return 0;
}

void ww_cli_files_release(ww_cli_files_t *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->paths[i]);
    free(f->paths);
    free(f->walked);
    memset(f, 0, sizeof *f);
}

const char *ww_cli_default_rules(void)
{
    static char path[PATH_MAX + 32];
    const char *env = getenv("WARDWATCH_RULES");
    if (env && *env)
        return env;
    /* An installed layout first, then the source tree the binary was built from. */
    if (ww_installed_dir("rules", path, sizeof path))
        return path;
    return WW_SOURCE_DIR "/rules";
}

/* A rule directory may hold, beside its rules, the pack's placeholder defaults
 * (placeholders.yml) and the rules' test cases (x.tests/ folders, see
 * docs/rule-pack.md).  Neither is a rule, so directories are walked here and those
 * entries skipped rather than handed whole to ww_sigma_load_path. */
#define RULES_MAX_DEPTH 16
#define PLACEHOLDERS_FILE "placeholders.yml"
#define PLACEHOLDERS_UP 3 /* parent folders searched above a rules path */

static bool name_ends(const char *name, const char *suffix)
{
    size_t n = strlen(name), m = strlen(suffix);
    return n >= m && strcmp(name + n - m, suffix) == 0;
}

static bool is_rule_file(const char *name)
{
    return (name_ends(name, ".yml") || name_ends(name, ".yaml")) &&
           strcmp(name, PLACEHOLDERS_FILE) != 0;
}

static unsigned rule_threads = 1;

void ww_cli_set_rule_threads(unsigned n)
{
    rule_threads = n ? n : 1;
}

/* The rule files of a directory walk, in walk order, for ww_sigma_load_files. */
typedef struct rule_files {
    char **v;
    size_t n, cap;
    bool nomem;
} rule_files_t;

static int rule_file(ww_sigma_ruleset_t *rs, rule_files_t *fl, const char *path)
{
    if (!fl)
        return ww_sigma_load_path(rs, path);
    if (fl->n == fl->cap) {
        size_t nc = fl->cap ? fl->cap * 2 : 256;
        char **nv = realloc(fl->v, nc * sizeof *nv);
        if (!nv)
            return WW_ENOMEM;
        fl->v = nv;
        fl->cap = nc;
    }
    if (!(fl->v[fl->n] = strdup(path)))
        return WW_ENOMEM;
    fl->n++;
    return 0;
}

/* Loads the rules under a directory (skipping the rule sets inside it, see
 * WW_CLI_SET_MARKER); returns 0 or a WW_E* code for an unreadable
 * directory (the rules read before it stay loaded).  With fl, the rule files are
 * only listed, for the caller to load. */
static int load_rules_dir(ww_sigma_ruleset_t *rs, rule_files_t *fl, const char *dir, int depth)
{
    struct dirent **ents = NULL;
    int n = scandir(dir, &ents, NULL, alphasort);
    if (n < 0)
        return WW_EIO;
    int rc = 0;
    for (int i = 0; i < n; i++) {
        const char *nm = ents[i]->d_name;
        char path[PATH_MAX];
        struct stat st;
        int len = snprintf(path, sizeof path, "%s/%s", dir, nm);
        if (nm[0] != '.' && len > 0 && (size_t)len < sizeof path && stat(path, &st) == 0) {
            if (S_ISDIR(st.st_mode) && !name_ends(nm, ".tests") && depth < RULES_MAX_DEPTH &&
                !ww_cli_is_rule_set(path)) {
                int r = load_rules_dir(rs, fl, path, depth + 1);
                if (r == WW_ENOMEM)
                    rc = r;
            } else if (S_ISREG(st.st_mode) && is_rule_file(nm)) {
                int r = rule_file(rs, fl, path);
                if (r == WW_ENOMEM)
                    rc = r;
            }
        }
        free(ents[i]);
    }
    free(ents);
    return rc;
}

/* The placeholders.yml that goes with a rules path: in the directory itself (or the
 * file's directory), else in one of its PLACEHOLDERS_UP parents.  Writes it to out
 * and returns true when one exists. */
static bool find_placeholders(const char *path, char *out, size_t outlen)
{
    char dir[PATH_MAX];
    struct stat st;
    if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir || stat(dir, &st) != 0)
        return false;
    if (!S_ISDIR(st.st_mode)) {
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = 0;
        else
            snprintf(dir, sizeof dir, ".");
    }
    for (int up = 0; up <= PLACEHOLDERS_UP; up++) {
        int len = snprintf(out, outlen, "%s/" PLACEHOLDERS_FILE, dir);
        if (len > 0 && (size_t)len < outlen && stat(out, &st) == 0 && S_ISREG(st.st_mode))
            return true;
        size_t dl = strlen(dir);
        if (dl + sizeof "/.." >= sizeof dir)
            return false;
        memcpy(dir + dl, "/..", sizeof "/..");
    }
    return false;
}

static bool load_placeholders(ww_sigma_ruleset_t *rs, const char *file)
{
    ww_diag_t d = {0};
    if (ww_sigma_placeholders_load(rs, file, &d) == 0)
        return true;
    ww_cli_error("%s:%u:%u: %s", d.file[0] ? d.file : file, d.line, d.col, d.msg);
    return false;
}

ww_sigma_ruleset_t *ww_cli_load_rules(const char *const *paths, size_t npaths,
                                      const char *placeholders, size_t *unreadable)
{
    return ww_cli_load_rules_suppress(paths, npaths, placeholders, NULL, 0, unreadable);
}

ww_sigma_ruleset_t *ww_cli_load_rules_suppress(const char *const *paths, size_t npaths,
                                               const char *placeholders,
                                               const char *const *suppress, size_t nsuppress,
                                               size_t *unreadable)
{
    ww_sigma_ruleset_t *rs = ww_sigma_ruleset_new();
    if (!rs)
        return NULL;
    *unreadable = 0;
    /* Pack defaults first, so that a site's own file (--placeholders) overrides them
       name by name; all before any rule, since expand is resolved at load time. */
    for (size_t i = 0; i < npaths; i++) {
        char ph[PATH_MAX + 32];
        if (find_placeholders(paths[i], ph, sizeof ph) && !load_placeholders(rs, ph))
            (*unreadable)++;
    }
    char site[PATH_MAX + 32];
    if (ww_cli_site_placeholders(site, sizeof site) && !load_placeholders(rs, site))
        (*unreadable)++;
    if (placeholders && !load_placeholders(rs, placeholders))
        (*unreadable)++;
    for (size_t i = 0; i < npaths; i++) {
        struct stat st;
        int rc;
        if (stat(paths[i], &st) != 0)
            rc = WW_ENOENT;
        else if (S_ISDIR(st.st_mode) && rule_threads > 1) {
            /* Walked first, then parsed on several threads and merged in walk order:
               the same ruleset as loading file by file. */
            rule_files_t fl = {0};
            rc = load_rules_dir(rs, &fl, paths[i], 0);
            if (rc != WW_ENOMEM && ww_sigma_load_files(rs, (const char *const *)fl.v, fl.n,
                                                       rule_threads, NULL) == WW_ENOMEM)
                rc = WW_ENOMEM;
            for (size_t k = 0; k < fl.n; k++)
                free(fl.v[k]);
            free(fl.v);
        } else if (S_ISDIR(st.st_mode))
            rc = load_rules_dir(rs, NULL, paths[i], 0);
        else
            rc = ww_sigma_load_path(rs, paths[i]);
        if (rc == WW_ENOMEM) {
            ww_sigma_ruleset_free(rs);
            return NULL;
        }
        if (rc < 0) {
            ww_cli_error("%s: cannot read rules (%s)", paths[i], ww_strerror(rc));
            (*unreadable)++;
        }
    }
    /* After the rules, before finish: suppressions are applied to what is loaded. */
    for (size_t i = 0; i < nsuppress; i++) {
        int rc = ww_sigma_load_suppressions(rs, suppress[i]);
        if (rc < 0) {
            ww_cli_error("%s: cannot read suppression file (%s)", suppress[i], ww_strerror(rc));
            (*unreadable)++;
        }
    }
    ww_sigma_finish(rs);
    return rs;
}

void ww_cli_print_sigma_error(FILE *out, const char *prefix, const ww_sigma_error_t *e)
{
    /* File names, titles and messages come from the rule files: escaped, so that a
       hostile rule cannot drive the terminal of whoever checks it. */
    fputs(prefix ? prefix : "", out);
    ww_cli_puts_safe(out, e->file);
    fprintf(out, ":%u:%u: ", e->line, e->col);
    ww_cli_puts_safe(out, e->title);
    fputs(e->title[0] ? ": " : "", out);
    ww_cli_puts_safe(out, e->msg);
    fputc('\n', out);
}

void ww_cli_print_rule_errors(FILE *out, const ww_sigma_ruleset_t *rs, size_t max)
{
    uint32_t n = ww_sigma_error_count(rs);
    uint32_t i = 0;
    /* A failed write (full disk, closed pipe) ends the list: main() reports it. */
    for (; i < n && i < max && !ww_cli_output_failed(out); i++)
        ww_cli_print_sigma_error(out, NULL, ww_sigma_error(rs, i));
    if (n > max && !ww_cli_output_failed(out))
        fprintf(out, "... and %u more\n", (unsigned)(n - max));
}

/* ---- the SigmaHQ rule set ------------------------------------------------------- */

/* rules-placeholder last: its rules wait for site values, and the ones without them
   are named by hunt rather than hidden (docs/rules.md). */
const char *const ww_cli_sigmahq_folders[] = {
    "rules",
    "rules-emerging-threats",
    "rules-threat-hunting",
    "rules-placeholder",
};
const size_t ww_cli_sigmahq_nfolders = WW_ARRAY_LEN(ww_cli_sigmahq_folders);

bool ww_cli_is_rule_set(const char *dir)
{
    char p[PATH_MAX];
    struct stat st;
    int len = snprintf(p, sizeof p, "%s/" WW_CLI_SET_MARKER, dir);
    return len > 0 && (size_t)len < sizeof p && stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

bool ww_cli_home_dir(char *out, size_t outlen)
{
    const char *env = getenv("WARDWATCH_HOME");
    int len;
    if (env && *env)
        len = snprintf(out, outlen, "%s", env);
    else if ((env = getenv("XDG_DATA_HOME")) && env[0] == '/')
        len = snprintf(out, outlen, "%s/wardwatch", env);
    else if ((env = getenv("HOME")) && *env)
        len = snprintf(out, outlen, "%s/.local/share/wardwatch", env);
    else
        return false;
    return len > 0 && (size_t)len < outlen;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int ww_cli_sigmahq_dir(char *out, size_t outlen)
{
    char home[PATH_MAX];
    int len;
    if (ww_cli_home_dir(home, sizeof home)) {
        len = snprintf(out, outlen, "%s/sigmahq/current", home);
        /* Only a complete set counts: `rules update` writes the marker last. */
        if (len > 0 && (size_t)len < outlen && is_dir(out) && ww_cli_is_rule_set(out))
            return 1;
    }
    len = snprintf(out, outlen, "%s/sigmahq", ww_cli_default_rules());
    if (len > 0 && (size_t)len < outlen && is_dir(out))
        return 0;
    return WW_ENOENT;
}

bool ww_cli_site_placeholders(char *out, size_t outlen)
{
    char home[PATH_MAX];
    struct stat st;
    if (!ww_cli_home_dir(home, sizeof home))
        return false;
    int len = snprintf(out, outlen, "%s/" PLACEHOLDERS_FILE, home);
    return len > 0 && (size_t)len < outlen && stat(out, &st) == 0 && S_ISREG(st.st_mode);
}

bool ww_cli_placeholder_error(const ww_sigma_error_t *e, char *name, size_t namelen)
{
    if (!e->placeholder[0])
        return false;
    snprintf(name, namelen, "%s", e->placeholder);
    return true;
}

void ww_cli_set_info(const char *dir, const char *field, char *out, size_t outlen)
{
    char p[PATH_MAX], line[512];
    size_t fl = strlen(field);
    if (outlen)
        out[0] = 0;
    int len = snprintf(p, sizeof p, "%s/" WW_CLI_SET_MARKER, dir);
    FILE *f = len > 0 && (size_t)len < sizeof p ? fopen(p, "r") : NULL;
    if (!f)
        return;
    /* "key: value" lines; the file is ours, written by `rules update` or by hand for
       the shipped release, but still read with bounded lines. */
    for (int n = 0; n < 64 && fgets(line, sizeof line, f); n++) {
        if (strncmp(line, field, fl) != 0 || line[fl] != ':')
            continue;
        char *v = line + fl + 1;
        v += strspn(v, " \t");
        v[strcspn(v, "\r\n")] = 0;
        snprintf(out, outlen, "%s", v);
        break;
    }
    fclose(f);
}

void ww_cli_bad_record(const char *path, const ww_diag_t *d, uint64_t index)
{
    /* A text input says where by its line (and column): the record's number would be
       one more thing to count by hand.  A binary one (EVTX) by the record's 1-based
       number, as alerts do. */
    const char *file = d->file[0] ? d->file : path;
    if (d->line && d->col)
        ww_cli_error("%s:%u:%u: skipped record: %s", file, d->line, d->col, d->msg);
    else if (d->line)
        ww_cli_error("%s:%u: skipped record: %s", file, d->line, d->msg);
    else
        ww_cli_error("%s#%llu: skipped record: %s", file, (unsigned long long)index + 1, d->msg);
}

bool ww_cli_progress_wanted(void)
{
    return isatty(STDERR_FILENO) && !getenv("WARDWATCH_NO_PROGRESS");
}

double ww_cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int ww_cli_db_options(int argc, char **argv, const char **db, void (*usage)(FILE *), int *ec)
{
    int i = 1;
    *db = NULL;
    while (i < argc && argv[i][0] == '-') {
        if (!strcmp(argv[i], "--db") && i + 1 < argc) {
            *db = argv[i + 1];
            i += 2;
        } else if (!strncmp(argv[i], "--db=", 5)) {
            *db = argv[i] + 5;
            i++;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            *ec = WW_EXIT_OK;
            return -1;
        } else {
            usage(stderr);
            *ec = WW_EXIT_ERROR;
            return -1;
        }
    }
    if (i >= argc) {
        usage(stderr);
        *ec = WW_EXIT_ERROR;
        return -1;
    }
    return i;
}

/* ---- output ---------------------------------------------------------------------- */

int ww_cli_output_failed(FILE *f)
{
    return ferror(f) != 0;
}

int ww_cli_output_check(int ec)
{
    /* stdio keeps only a flag for an earlier failed write, not its errno. */
    bool earlier = ferror(stdout) != 0;
    errno = 0;
    if (fflush(stdout) == 0 && !earlier)
        return ec;
    if (!earlier && errno)
        ww_cli_error("writing standard output failed: %s%s", strerror(errno),
                     errno == EPIPE ? " (the reader closed the pipe)" : "");
    else
        ww_cli_error("writing standard output failed (disk full, or the reader closed the "
                     "pipe): the output is incomplete");
    return WW_EXIT_ERROR;
}

/* Length of the valid UTF-8 sequence at s (2..4 bytes), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t k;
    uint32_t min;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        k = 2, min = 0x80;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        k = 3, min = 0x800;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        k = 4, min = 0x10000;
    else
        return 0;
    if (k > n)
        return 0;
    uint32_t cp = s[0] & (0x3F >> (k - 1));
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    /* C1 controls (U+0080..U+009F) act as escapes on some terminals. */
    if (cp >= 0x80 && cp <= 0x9F)
        return 0;
    return k;
}

/* Escapes one unit of s into o (>= 5 bytes); returns how much of s it took. */
static size_t escape_one(const unsigned char *s, size_t n, char *o, size_t *olen)
{
    unsigned char c = s[0];
    if (c >= 0x20 && c < 0x7F && c != '\\') {
        o[0] = (char)c;
        *olen = 1;
        return 1;
    }
    if (c >= 0x80) {
        size_t k = utf8_len(s, n);
        if (k) {
            memcpy(o, s, k);
            *olen = k;
            return k;
        }
    }
    const char *e = c == '\\'   ? "\\\\"
                    : c == '\n' ? "\\n"
                    : c == '\t' ? "\\t"
                    : c == '\r' ? "\\r"
                    : c == 0x1B ? "\\e"
                                : NULL;
    if (e) {
        *olen = strlen(e);
        memcpy(o, e, *olen);
    } else
        *olen = (size_t)snprintf(o, 5, "\\x%02X", c);
    return 1;
}

void ww_cli_put_safe(FILE *f, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *e = p + n;
    while (p < e) {
        const unsigned char *q = p;
        while (q < e && *q >= 0x20 && *q < 0x7F && *q != '\\')
            q++;
        if (q > p)
            fwrite(p, 1, (size_t)(q - p), f);
        if (q == e)
            break;
        char o[5];
        size_t olen;
        p = q + escape_one(q, (size_t)(e - q), o, &olen);
        fwrite(o, 1, olen, f);
    }
}

void ww_cli_puts_safe(FILE *f, const char *s)
{
    if (s)
        ww_cli_put_safe(f, s, strlen(s));
}

char *ww_cli_safe(const char *s, size_t n, char *out, size_t outlen)
{
    size_t w = 0;
    const unsigned char *p = (const unsigned char *)s, *e = p + (s ? n : 0);
    while (p < e && outlen) {
        char o[5];
        size_t olen;
        size_t took = escape_one(p, (size_t)(e - p), o, &olen);
        if (w + olen >= outlen)
            break;
        memcpy(out + w, o, olen);
        w += olen;
        p += took;
    }
    if (outlen)
        out[w] = '\0';
    return out;
}

/* ---- replacing a file atomically ------------------------------------------------- */

int ww_cli_atomic_open(ww_cli_atomic_t *a, const char *path)
{
    memset(a, 0, sizeof *a);
    a->fd = -1;
    size_t n = strlen(path);
    if (n == 0 || path[n - 1] == '/') {
        errno = EISDIR;
        return -1;
    }
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    /* ".<name>.XXXXXX" beside the target, so that rename() stays in one file system. */
    a->tmp = malloc(n + 16);
    a->target = strdup(path);
    if (!a->tmp || !a->target) {
        ww_cli_atomic_abort(a);
        errno = ENOMEM;
        return -1;
    }
    snprintf(a->tmp, n + 16, "%.*s.%s.XXXXXX", (int)dirlen, path, path + dirlen);
    /* mkstemp: O_CREAT|O_EXCL, mode 0600: the report lists what is vulnerable.  A
       regular file being replaced keeps its permission bits. */
    a->fd = mkstemp(a->tmp);
    if (a->fd < 0) {
        int e = errno;
        ww_cli_atomic_abort(a);
        errno = e;
        return -1;
    }
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
        (void)fchmod(a->fd, st.st_mode & 07777);
    a->f = fdopen(a->fd, "w");
    if (!a->f) {
        int e = errno;
        ww_cli_atomic_abort(a);
        errno = e;
        return -1;
    }
    return 0;
}

int ww_cli_atomic_commit(ww_cli_atomic_t *a)
{
    int rc = 0, e = 0;
    errno = 0;
    if (fflush(a->f) != 0 || ferror(a->f))
        rc = -1, e = errno ? errno : EIO;
    if (rc == 0 && fsync(a->fd) != 0)
        rc = -1, e = errno;
    if (fclose(a->f) != 0 && rc == 0)
        rc = -1, e = errno;
    a->f = NULL;
    a->fd = -1;
    /* rename() replaces a symlink at the target with the file itself: the link's
       destination is never written. */
    if (rc == 0 && rename(a->tmp, a->target) != 0)
        rc = -1, e = errno;
    if (rc == 0) {
        /* Make the rename itself durable. */
        char *slash = strrchr(a->target, '/');
        int dfd;
        if (slash) {
            *slash = 0;
            dfd = open(*a->target ? a->target : "/", O_RDONLY | O_DIRECTORY);
            *slash = '/';
        } else
            dfd = open(".", O_RDONLY | O_DIRECTORY);
        if (dfd >= 0) {
            (void)fsync(dfd);
            close(dfd);
        }
        free(a->tmp);
        a->tmp = NULL;
    }
    ww_cli_atomic_abort(a);
    errno = e;
    return rc;
}

void ww_cli_atomic_abort(ww_cli_atomic_t *a)
{
    if (a->f)
        fclose(a->f);
    else if (a->fd >= 0)
        close(a->fd);
    if (a->tmp && a->tmp[0])
        unlink(a->tmp);
    free(a->tmp);
    free(a->target);
    memset(a, 0, sizeof *a);
    a->fd = -1;
}

/* ---- filter arguments shared by hunt and alerts ---------------------------------- */

int ww_cli_level_arg(const char *cmd, const char *arg)
{
    char lower[16];
    size_t i = 0;
    for (; arg[i] && i + 1 < sizeof lower; i++)
        lower[i] = (char)tolower((unsigned char)arg[i]);
    lower[i] = 0;
    int level = arg[i] ? -1 : ww_level_parse(lower);
    if (level < 0) {
        char safe[64];
        ww_cli_error("%s: unknown level '%s' (informational, low, medium, high or critical, in "
                     "any case)",
                     cmd, ww_cli_safe(arg, strlen(arg), safe, sizeof safe));
    }
    return level;
}

int ww_cli_time_arg(const char *cmd, const char *opt, const char *arg, bool until, int64_t *out)
{
    size_t n = strlen(arg);
    if (ww_time_parse_iso(arg, n, out) != 0) {
        char safe[64];
        ww_cli_error("%s: --%s wants an ISO 8601 date or date-time such as 2026-04-08 or "
                     "2026-04-08T10:58:04Z, not '%s'",
                     cmd, opt, ww_cli_safe(arg, n, safe, sizeof safe));
        return WW_EPARSE;
    }
    if (until && n == 10) /* a date alone: to the end of that day */
        *out += 86400LL * 1000000000LL - 1;
    return 0;
}

/* ---- the rules of a default run ---------------------------------------------------- */

int ww_cli_rule_paths(bool pack, bool sigmahq, const char *const *extra, size_t nextra,
                      ww_cli_rule_paths_t *out)
{
    memset(out, 0, sizeof *out);
    out->sigmahq_installed = -1;
    if (nextra > WW_CLI_MAX_RULE_PATHS - 8)
        return WW_ELIMIT;
    if (pack)
        out->v[out->n++] = ww_cli_default_rules();
    if (pack && sigmahq) {
        int which = ww_cli_sigmahq_dir(out->sigmahq, sizeof out->sigmahq);
        if (which < 0) {
            out->sigmahq[0] = 0;
        } else {
            out->sigmahq_installed = which;
            for (size_t i = 0; i < ww_cli_sigmahq_nfolders && i < WW_ARRAY_LEN(out->folders); i++) {
                int len = snprintf(out->folders[i], PATH_MAX, "%s/%s", out->sigmahq,
                                   ww_cli_sigmahq_folders[i]);
                struct stat st;
                if (len > 0 && len < PATH_MAX && stat(out->folders[i], &st) == 0 &&
                    S_ISDIR(st.st_mode))
                    out->v[out->n++] = out->folders[i];
            }
        }
    }
    for (size_t i = 0; i < nextra; i++)
        out->v[out->n++] = extra[i];
    return 0;
}
