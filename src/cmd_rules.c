/* wardwatch rules: `rules check` loads rules and lists every one that cannot be used,
 * with file, line and reason, and totals at the end. */
#include <getopt.h>
#include <string.h>

#include "detect/ww_detect.h"
#include "wardwatch.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: wardwatch rules check [--placeholders FILE] PATH...\n"
            "\n"
            "Loads Sigma rules (files or directories, recursively) and lists every rule\n"
            "that cannot be used, with file, line, column and the reason.\n"
            "  --placeholders FILE  values for %%placeholders%% used with the expand modifier\n"
            "Exit status: 0 all rules usable, 1 some rejected, 2 a path could not be read.\n");
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
    for (uint32_t i = 0; i < ncomp; i++) {
        const ww_sigma_error_t *e = ww_detect_error(prog, i);
        printf("%s:%u:%u: %s%s%s\n", e->file, e->line, e->col, e->title, e->title[0] ? ": " : "",
               e->msg);
    }
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

int cmd_rules(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? WW_EXIT_ERROR : WW_EXIT_OK;
    }
    if (!strcmp(argv[1], "check"))
        return rules_check(argc - 1, argv + 1);
    ww_cli_error("rules: unknown subcommand '%s' (try: rules check)", argv[1]);
    return WW_EXIT_ERROR;
}
