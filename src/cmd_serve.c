/* wardwatch serve: the always-on monitor.  `serve --config FILE --check` reads and
 * validates a config (every error with file:line:col), loads the rules it names and
 * says what the server would run; exit 0 when it is valid, 2 when not.  Without
 * --check the server runs until SIGTERM or SIGINT, then drains (lib/serve/ww_serve.h)
 * and exits 0. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "console/ww_console.h"
#include "detect/ww_detect.h"
#include "serve/ww_serve.h"
#include "serve/ww_serve_config.h"
#include "wardwatch.h"

static ww_serve_t *g_server;

static void on_signal(int sig)
{
    if (!g_server)
        return;
    if (sig == SIGHUP)
        ww_serve_reload(g_server); /* sets a flag: async-signal-safe */
    else
        ww_serve_stop(g_server);
}

/* Loads the rules the config names, as hunt would with the same choices.  Returns the
 * compiled program (and *rs), or NULL after saying why. */
static ww_detect_t *load_rules(const ww_serve_config_t *cfg, ww_sigma_ruleset_t **rs, bool verbose)
{
    ww_cli_rule_paths_t *paths = malloc(sizeof *paths);
    ww_detect_t *prog = NULL;
    *rs = NULL;
    if (!paths ||
        ww_cli_rule_paths(cfg->pack, cfg->sigmahq, cfg->rule_paths, cfg->nrule_paths, paths)) {
        ww_cli_error("serve: out of memory");
        goto out;
    }
    if (!paths->n) {
        ww_cli_error("serve: no rules: the config turns off the pack and names no rules paths");
        goto out;
    }
    if (cfg->pack && cfg->sigmahq && !paths->sigmahq[0])
        ww_cli_error("serve: no SigmaHQ rules (none installed by `rules update`, none shipped): "
                     "running without them");
    size_t unreadable = 0;
    double t0 = ww_cli_now();
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    /* Rule files are parsed on as many threads as detection will use. */
    ww_cli_set_rule_threads(cfg->threads ? cfg->threads : ncpu > 0 ? (unsigned)ncpu : 1);
    *rs = ww_cli_load_rules(paths->v, paths->n, cfg->placeholders, &unreadable);
    if (!*rs || ww_detect_compile(*rs, NULL, &prog) != 0) {
        ww_cli_error("serve: out of memory loading the rules");
        goto out;
    }
    if (unreadable) {
        ww_cli_error("serve: %zu rule path%s could not be read", unreadable,
                     unreadable == 1 ? "" : "s");
        ww_detect_unref(prog);
        prog = NULL;
        goto out;
    }
    uint32_t rejected = ww_sigma_error_count(*rs) + ww_detect_error_count(prog);
    if (verbose || rejected)
        fprintf(stderr, "rules:     %u loaded in %.1f s, %u could not be used%s\n",
                ww_detect_rule_count(prog), ww_cli_now() - t0, rejected,
                rejected ? " (details: wardwatch rules check)" : "");
out:
    free(paths);
    return prog;
}

/* --routes: the console's pages and API, with the least role each needs. */
static void print_route(void *ud, const ww_web_route_t *r)
{
    (void)ud;
    printf("%-6s %-44s %s%s\n", r->method, r->pattern, ww_web_role_name(r->min_role),
           r->changes_state || strcmp(r->method, "GET") ? " csrf" : "");
}

static void usage(FILE *out)
{
    fprintf(out, "usage: wardwatch serve --config FILE [--check]\n"
                 "       wardwatch serve --routes\n"
                 "\n"
                 "  --config FILE   the server's configuration (YAML; see docs/serve.md)\n"
                 "  --check         validate the config and its rules, print what would run,\n"
                 "                  then exit: 0 valid, 2 invalid (errors name file:line:col)\n"
                 "  --routes        list the console's pages and API: method, path, the least\n"
                 "                  role that may use it, and csrf where it changes state\n"
                 "Without --check the server runs until SIGTERM or SIGINT, then stops taking\n"
                 "input, processes everything it accepted and exits 0.  SIGHUP reads the\n"
                 "config again and applies rules, detection, notifiers and the register.\n");
}

/* The rules in use and the ones they replaced (kept one reload longer, since the server
 * swaps only after the callback returns). */
typedef struct rules_state {
    ww_sigma_ruleset_t *rs, *old_rs;
    ww_detect_t *prog, *old_prog;
} rules_state_t;

/* The rules of a config read again on SIGHUP (see ww_serve_reload). */
static int reload(void *ud, const ww_serve_config_t *cfg, const ww_sigma_ruleset_t **rs,
                  ww_detect_t **prog, char *why, size_t whylen)
{
    rules_state_t *st = ud;
    ww_sigma_ruleset_t *nrs = NULL;
    ww_detect_t *np = load_rules(cfg, &nrs, true);
    if (!np || !ww_detect_rule_count(np)) {
        snprintf(why, whylen, "%s", np ? "no rule could be used" : "the rules could not be read");
        ww_detect_unref(np);
        ww_sigma_ruleset_free(nrs);
        return -1;
    }
    ww_detect_unref(st->old_prog);
    ww_sigma_ruleset_free(st->old_rs);
    st->old_rs = st->rs;
    st->old_prog = st->prog;
    st->rs = nrs;
    st->prog = np;
    *rs = nrs;
    *prog = np;
    return 0;
}

int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"check", no_argument, NULL, 'k'},
        {"routes", no_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL;
    bool check = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'k': check = true; break;
        case 'r': ww_console_each_route(print_route, NULL); return 0;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        ww_cli_error("serve: unexpected argument '%s'", argv[optind]);
        return 2;
    }
    if (!config) {
        ww_cli_error("serve: --config FILE is required");
        usage(stderr);
        return 2;
    }
    ww_serve_config_t *cfg = NULL;
    ww_diag_t d = {0};
    if (ww_serve_config_load(config, &cfg, &d) != 0) {
        ww_cli_puts_safe(stderr, d.file[0] ? d.file : config);
        if (d.line)
            fprintf(stderr, ":%u:%u", d.line, d.col);
        fputs(": ", stderr);
        ww_cli_puts_safe(stderr, d.msg);
        fputc('\n', stderr);
        return 2;
    }
    int ec = WW_EXIT_ERROR;
    ww_sigma_ruleset_t *rs = NULL;
    ww_detect_t *prog = NULL;
    if (check) {
        ww_buf_t out;
        ww_buf_init(&out, 0);
        ww_buf_printf(&out, "%s: valid\n", config);
        ww_serve_config_describe(cfg, &out);
        /* Names and paths come from the config: escaped, line by line. */
        for (size_t i = 0; i < out.n;) {
            const char *nl = memchr(out.p + i, '\n', out.n - i);
            size_t len = nl ? (size_t)(nl - (out.p + i)) : out.n - i;
            ww_cli_put_safe(stdout, out.p + i, len);
            fputc('\n', stdout);
            i += len + 1;
        }
        ww_buf_release(&out);
        fflush(stdout);
        if ((prog = load_rules(cfg, &rs, true)))
            ec = WW_EXIT_OK;
        goto done;
    }
    if (!(prog = load_rules(cfg, &rs, true)))
        goto done;
    ww_serve_t *s = NULL;
    if (ww_serve_start(cfg, rs, prog, &s, &d) != 0) {
        ww_cli_puts_safe(stderr, d.file[0] ? d.file : "serve");
        if (d.line)
            fprintf(stderr, ":%u:%u", d.line, d.col);
        fputs(": ", stderr);
        ww_cli_puts_safe(stderr, d.msg);
        fputc('\n', stderr);
        goto done;
    }
    ww_serve_stats_t st;
    ww_serve_get_stats(s, &st);
    for (uint32_t i = 0; i < st.ninputs; i++)
        fprintf(stderr, "wardwatch serve: listening: %s (port %d)\n", st.inputs[i].name,
                st.inputs[i].port);
    if (ww_serve_metrics_port(s))
        fprintf(stderr, "wardwatch serve: metrics: %s (port %d)\n", cfg->metrics_listen,
                ww_serve_metrics_port(s));
    rules_state_t rstate = {rs, NULL, prog, NULL};
    ww_serve_on_reload(s, reload, &rstate);
    g_server = s;
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    fprintf(stderr, "wardwatch serve: ready\n");
    int rc = ww_serve_run(s);
    ww_serve_get_stats(s, &st);
    fprintf(stderr,
            "wardwatch serve: stopped: %llu events, %llu not decoded, %llu alerts stored "
            "(%llu repeats of stored ones refused)\n",
            (unsigned long long)st.events, (unsigned long long)st.bad_events,
            (unsigned long long)st.alerts_stored, (unsigned long long)st.alerts_repeated);
    g_server = NULL;
    ww_serve_free(s);
    /* The rules the server ended with are rstate's; the first ones too unless replaced. */
    rs = rstate.rs;
    prog = rstate.prog;
    ww_detect_unref(rstate.old_prog);
    ww_sigma_ruleset_free(rstate.old_rs);
    ec = rc == 0 ? WW_EXIT_OK : WW_EXIT_ERROR;
done:
    ww_detect_unref(prog);
    ww_sigma_ruleset_free(rs);
    ww_serve_config_free(cfg);
    return ec;
}
