/* wardwatch: parses the subcommand and hands over to it (one file per command). */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/ww_util.h"
#include "wardwatch.h"

static const struct {
    const char *name;
    ww_cmd_fn fn;
    const char *summary;
} commands[] = {
    {"hunt", cmd_hunt, "run Sigma rules over log files and report alerts"},
    {"rules", cmd_rules, "check or test rules (`rules check|test PATH...`)"},
    {"decode", cmd_decode, "print events as the rules see them (NDJSON)"},
    {"assets", cmd_assets, "import and list the asset and medical-device register"},
    {"audit", cmd_audit, "check the register against Cyber Essentials and NHS rules"},
    {"feeds", cmd_feeds, "load newer reference data (CISA KEV, end-of-life dates)"},
    {"firebreak", cmd_firebreak, "plan, apply and lift segment isolation (fire-breaks)"},
    {"alerts", cmd_alerts, "list the alerts `serve` has stored"},
    {"serve", cmd_serve, "run the always-on monitor (`serve --config FILE [--check]`)"},
    {"status", cmd_serve_status, "what a running `serve` is doing (inputs, spool, alerts)"},
    {"intel", cmd_intel, "threat-intelligence indicators: import, list, sightings"},
    {"users", cmd_users, "people, roles, API tokens and the audit log of the console"},
    {"cyberalerts", cmd_cyberalerts, "NHS cyber alerts: applicable assets, clocks, response"},
    {"evidence", cmd_evidence, "the DSPT / CAF evidence pack (`evidence --as-of DATE`)"},
    {"incidents", cmd_incidents, "incidents: open, note, link alerts, export (JSON, STIX)"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: wardwatch <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < WW_ARRAY_LEN(commands); i++)
        fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n`wardwatch <command> --help` for a command's options.\n");
}

void ww_cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("wardwatch: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void log_stderr(void *ud, int level, const char *msg)
{
    static const char *names[] = {"error", "warning", "info", "debug"};
    fprintf(stderr, "wardwatch: %s: %s\n", names[level & 3], msg);
}

void ww_cli_log_init(int verbose)
{
    ww_log_set(log_stderr, NULL, verbose ? WW_LOG_DEBUG : WW_LOG_WARN);
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
        !strcmp(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? WW_EXIT_ERROR : WW_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("wardwatch %s\n", ww_version());
        return WW_EXIT_OK;
    }
    ww_cli_log_init(0);
    /* A closed pipe is a write error like any other (EPIPE, reported below), not a
       silent death by signal that would leave a caller unsure what was written. */
    signal(SIGPIPE, SIG_IGN);
    for (size_t i = 0; i < WW_ARRAY_LEN(commands); i++)
        if (!strcmp(argv[1], commands[i].name)) {
            int ec = commands[i].fn(argc - 1, argv + 1);
            return ww_cli_output_check(ec);
        }
    ww_cli_error("unknown command '%s'", argv[1]);
    usage(stderr);
    return WW_EXIT_ERROR;
}
