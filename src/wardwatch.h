/* Shared declarations for the wardwatch executable: one function per subcommand. */
#ifndef WARDWATCH_CLI_H
#define WARDWATCH_CLI_H

#include <limits.h>
#include <stdio.h>

/* Exit codes shared by every command. */
enum { WW_EXIT_OK = 0, WW_EXIT_MATCH = 1, WW_EXIT_ERROR = 2 };

typedef int (*ww_cmd_fn)(int argc, char **argv);

int cmd_hunt(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_decode(int argc, char **argv);
int cmd_assets(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_feeds(int argc, char **argv);
int cmd_firebreak(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_alerts(int argc, char **argv);
int cmd_serve_status(int argc, char **argv);
int cmd_users(int argc, char **argv);
int cmd_cyberalerts(int argc, char **argv);
int cmd_evidence(int argc, char **argv);
int cmd_intel(int argc, char **argv);
int cmd_incidents(int argc, char **argv);

/* Prints "wardwatch: <msg>" on stderr. */
void ww_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Called by main() after every command: flushes standard output and, when any write
 * to it failed (full disk, closed pipe), says so on stderr and returns
 * WW_EXIT_ERROR; otherwise returns ec.  A command that writes a lot should also stop
 * early once ww_cli_output_failed() is true. */
int ww_cli_output_check(int ec);
/* True once a write to f has failed (its error flag is set). */
int ww_cli_output_failed(FILE *f);
/* Writes n bytes of s to f with control characters (C0, DEL, C1 as UTF-8) escaped as
 * \n, \t, \r, \e or \xHH and backslashes doubled, so that text taken from events
 * or records can never move the cursor, recolour the terminal or forge a line.
 * Valid UTF-8 is kept as it is; bytes that are not valid UTF-8 are written as \xHH. */
void ww_cli_put_safe(FILE *f, const char *s, size_t n);
/* The same for a NUL-terminated string (NULL writes nothing). */
void ww_cli_puts_safe(FILE *f, const char *s);
/* ww_cli_put_safe into a caller's buffer (always NUL-terminated, cut at a whole
 * escape); returns out.  For printf-style tables: "%-20s" of the result. */
char *ww_cli_safe(const char *s, size_t n, char *out, size_t outlen);
/* Installs a stderr log callback at the given verbosity. */
void ww_cli_log_init(int verbose);

#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sigma/ww_sigma.h"

/* ---- inputs (cli_common.c) ---- */

/* The files named by a list of paths: directories are walked recursively, "-" is
 * standard input.  A path that does not exist is reported and counted in `missing`.
 * walked[i] is true when paths[i] was found inside a directory rather than named: a
 * file there that is no log (an image, a web page) is skipped and counted, while a
 * file named on the command line that is no log is an error. */
typedef struct ww_cli_files {
    char **paths;
    bool *walked;
    size_t n, cap;
    size_t missing;
    bool walking; /* while collecting: the current path is a directory */
} ww_cli_files_t;

int ww_cli_files_collect(ww_cli_files_t *f, char **paths, size_t npaths);
void ww_cli_files_release(ww_cli_files_t *f);

/* ---- rules (cli_common.c) ---- */

/* Where wardwatch's own rule pack lives: $WARDWATCH_RULES, else rules/ beside the
 * executable's source tree. */
const char *ww_cli_default_rules(void);

/* Loads rule paths into a new, finished ruleset, with placeholder values from: the
 * placeholders.yml beside or above each path, then the site's own file
 * (ww_cli_site_placeholders), then `placeholders` when given, each overriding the
 * ones before name by name.
 * Returns NULL only when out of memory; unreadable paths are reported on stderr and
 * counted in *unreadable. */
ww_sigma_ruleset_t *ww_cli_load_rules(const char *const *paths, size_t npaths,
                                      const char *placeholders, size_t *unreadable);
/* The same, with the suppression files (ww_sigma_load_suppressions) loaded after the
 * rules; a file that cannot be read is reported and counted in *unreadable. */
ww_sigma_ruleset_t *ww_cli_load_rules_suppress(const char *const *paths, size_t npaths,
                                               const char *placeholders,
                                               const char *const *suppress, size_t nsuppress,
                                               size_t *unreadable);

/* Threads the rule loaders above parse rule files on (ww_sigma_load_files; the result
 * is the same whatever the number).  Default 1; a command that was given --threads N
 * sets N before loading. */
void ww_cli_set_rule_threads(unsigned n);

/* Prints prefix (may be NULL) and "file:line:col: title: reason" for one rule error,
 * with control characters escaped (ww_cli_put_safe). */
void ww_cli_print_sigma_error(FILE *out, const char *prefix, const ww_sigma_error_t *e);
/* Prints "file:line:col: title: reason" for every rule that could not be used (escaped;
 * stops once a write to out has failed). */
void ww_cli_print_rule_errors(FILE *out, const ww_sigma_ruleset_t *rs, size_t max);

/* --min-level ARG in any case: the level, or -1 after printing "CMD: unknown level"
 * with the levels there are. */
int ww_cli_level_arg(const char *cmd, const char *arg);
/* --since/--until ARG (ISO 8601 date or date-time; a date alone as --until means the
 * end of that day): 0 and *out, or WW_EPARSE after printing why. */
int ww_cli_time_arg(const char *cmd, const char *opt, const char *arg, bool until, int64_t *out);

/* The rule paths of a run: wardwatch's pack (when `pack`), the SigmaHQ release in use
 * (when `sigmahq` too: the one installed by `rules update`, else the shipped one;
 * sigmahq[] is "" when there is none), then `extra`. */
#define WW_CLI_MAX_RULE_PATHS 1024
typedef struct ww_cli_rule_paths {
    const char *v[WW_CLI_MAX_RULE_PATHS];
    size_t n;
    char sigmahq[PATH_MAX];
    int sigmahq_installed; /* 1 installed, 0 shipped, -1 none */
    char folders[8][PATH_MAX];
} ww_cli_rule_paths_t;
int ww_cli_rule_paths(bool pack, bool sigmahq, const char *const *extra, size_t nextra,
                      ww_cli_rule_paths_t *out);

/* ---- the SigmaHQ rule set (cli_common.c) ---- */

/* A folder holding this file is a rule set of its own (a SigmaHQ release: its
 * licence, release name and commit), not part of the folder above it: loading
 * rules/ loads wardwatch's pack without the release shipped in rules/sigmahq/. */
#define WW_CLI_SET_MARKER "RELEASE"
/* True when dir holds WW_CLI_SET_MARKER. */
bool ww_cli_is_rule_set(const char *dir);

/* The folders of a SigmaHQ release that hunt loads, in load order. */
extern const char *const ww_cli_sigmahq_folders[];
extern const size_t ww_cli_sigmahq_nfolders;

/* wardwatch's own folder for what it installs and what a site configures: installed
 * SigmaHQ sets (sigmahq/), the site's placeholders.yml.  $WARDWATCH_HOME, else
 * $XDG_DATA_HOME/wardwatch, else $HOME/.local/share/wardwatch.  Writes it to out;
 * false when none can be named (no HOME) or it does not fit. */
bool ww_cli_home_dir(char *out, size_t outlen);

/* The SigmaHQ set hunt uses: the one `rules update` installed (<home>/sigmahq/current),
 * else the release shipped beside the pack (<pack>/sigmahq).  Writes its folder to out;
 * returns 1 for an installed set, 0 for the shipped one, WW_ENOENT when neither exists. */
int ww_cli_sigmahq_dir(char *out, size_t outlen);

/* The site's placeholder values, <home>/placeholders.yml: writes its path and returns
 * true when it exists. */
bool ww_cli_site_placeholders(char *out, size_t outlen);

/* When a rule was refused because of a placeholder -- one without values, or a value
 * the modifier cannot take (a network that is not one) -- writes the placeholder's
 * name (without %) to name and returns true. */
bool ww_cli_placeholder_error(const ww_sigma_error_t *e, char *name, size_t namelen);

/* A set's release name from its WW_CLI_SET_MARKER file ("release: NAME"), or "" when
 * it has none; field may be "release", "commit", "date" or any other key. */
void ww_cli_set_info(const char *dir, const char *field, char *out, size_t outlen);

/* Reports a skipped record: "file:line[:col]: skipped record: why" when the diagnostic
 * has a line, else "file#N: skipped record: why" with N = index + 1 (1-based). */
void ww_cli_bad_record(const char *path, const ww_diag_t *d, uint64_t index);

/* Reads the options a store command takes before its subcommand (--db PATH,
   --db=PATH, -h/--help; usage() prints the command's help).  Returns the index of
   the subcommand in argv, or -1 with the exit code in *ec: help was asked for, or the options
   were wrong or no subcommand followed. */
int ww_cli_db_options(int argc, char **argv, const char **db, void (*usage)(FILE *), int *ec);

/* The indicators hunt --intel matches (cmd_intel.c): the store's (db, when `stored`)
 * and those in files, compiled; NULL after saying why on stderr. */
struct ww_intel;
struct ww_intel *ww_cli_intel_load(const char *db, bool stored, const char **files, size_t nfiles);

/* Writing a report to a named file without ever truncating it in place or following a
 * symlink: the text goes to a new temporary file beside it (O_EXCL, mode 0600, or the
 * mode of the regular file it replaces), which commit flushes, fsyncs and renames
 * over the target.  A symlink at the target is replaced by the file (its destination
 * is untouched).  On any failure the old file stays as it was. */
typedef struct ww_cli_atomic {
    FILE *f; /* write the output here */
    int fd;
    char *tmp, *target;
} ww_cli_atomic_t;
/* 0, or -1 with errno (the target's directory cannot take a new file). */
int ww_cli_atomic_open(ww_cli_atomic_t *a, const char *path);
/* Flushes, syncs and renames over the target; 0, or -1 with errno (the temporary file
 * is then removed and the target left alone).  Releases a either way. */
int ww_cli_atomic_commit(ww_cli_atomic_t *a);
/* Removes the temporary file and releases a (safe after commit, or twice). */
void ww_cli_atomic_abort(ww_cli_atomic_t *a);

/* True when progress lines should be drawn (stderr is a terminal). */
bool ww_cli_progress_wanted(void);
/* Monotonic seconds. */
double ww_cli_now(void);
