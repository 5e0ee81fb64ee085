/* wardwatch status: what a running `serve` is doing, in a terminal.  It reads the
 * server's own /metrics (the listener named by the config's metrics: section) and
 * shows inputs, spool, backlog, events and alerts.  Exit 0 when the server answered,
 * 2 when it did not (not running, or no metrics listener configured). */
#include <curl/curl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "serve/ww_serve_config.h"
#include "wardwatch.h"

#define MAX_INPUTS 64

typedef struct row {
    char name[128];
    double v[8]; /* received, accepted, rejected, connections, refused, idle, tls, protocol */
} row_t;

static const char *const per_input[] = {"input_received_total",
                                        "input_accepted_total",
                                        "input_rejected_total",
                                        "input_connections_total",
                                        "input_connections_refused_total",
                                        "input_idle_closed_total",
                                        "input_tls_failed_total",
                                        "input_protocol_errors_total"};

static void usage(FILE *out)
{
    fprintf(out, "usage: wardwatch status --config FILE\n"
                 "\n"
                 "Shows what the server run with this config is doing: inputs, spool,\n"
                 "backlog, events and alerts, from its /metrics listener (the config's\n"
                 "metrics: listen).  Exit status: 0 it answered, 2 it did not.\n");
}

static size_t gather(char *p, size_t size, size_t n, void *ud)
{
    ww_buf_t *b = ud;
    return ww_buf_append(b, p, size * n) == 0 ? size * n : 0;
}

/* Parses `name{input="x"} value` or `name value`. */
static void take(const char *line, row_t *rows, size_t *nrows, double *single, const char **names,
                 size_t nnames)
{
    if (strncmp(line, "wardwatch_", 10) != 0)
        return;
    line += 10;
    for (size_t m = 0; m < WW_ARRAY_LEN(per_input); m++) {
        size_t k = strlen(per_input[m]);
        if (strncmp(line, per_input[m], k) != 0 || strncmp(line + k, "{input=\"", 8) != 0)
            continue;
        const char *v = line + k + 8;
        char name[128];
        size_t n = 0;
        while (*v && *v != '"' && n < sizeof name - 1) {
            if (*v == '\\' && v[1])
                v++;
            name[n++] = *v++;
        }
        name[n] = 0;
        const char *sp = strrchr(line, ' ');
        double val = sp ? strtod(sp + 1, NULL) : 0;
        size_t r = 0;
        while (r < *nrows && strcmp(rows[r].name, name) != 0)
            r++;
        if (r == *nrows && *nrows < MAX_INPUTS)
            snprintf(rows[(*nrows)++].name, sizeof rows[0].name, "%s", name);
        if (r < *nrows)
            rows[r].v[m] = val;
        return;
    }
    for (size_t i = 0; i < nnames; i++) {
        size_t k = strlen(names[i]);
        if (strncmp(line, names[i], k) == 0 && line[k] == ' ')
            single[i] = strtod(line + k + 1, NULL);
    }
}

int cmd_serve_status(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        if (c == 'c')
            config = optarg;
        else if (c == 'h') {
            usage(stdout);
            return WW_EXIT_OK;
        } else {
            usage(stderr);
            return WW_EXIT_ERROR;
        }
    }
    if (!config || optind < argc) {
        usage(stderr);
        return WW_EXIT_ERROR;
    }
    ww_serve_config_t *cfg = NULL;
    ww_diag_t d = {0};
    if (ww_serve_config_load(config, &cfg, &d) != 0) {
        ww_cli_error("%s:%u:%u: %s", d.file[0] ? d.file : config, d.line, d.col, d.msg);
        return WW_EXIT_ERROR;
    }
    int ec = WW_EXIT_ERROR;
    ww_buf_t body;
    ww_buf_init(&body, 16u << 20);
    if (!cfg->metrics_listen) {
        ww_cli_error("status: %s has no metrics: listen, so the server cannot be asked", config);
        goto out;
    }
    /* A wildcard listener is asked on loopback. */
    char url[200], host[128];
    snprintf(host, sizeof host, "%s", cfg->metrics_listen);
    char *colon = strrchr(host, ':');
    const char *port = colon ? colon + 1 : "";
    if (colon)
        *colon = 0;
    const char *h = host;
    if (!*h || !strcmp(h, "0.0.0.0"))
        h = "127.0.0.1";
    else if (!strcmp(h, "[::]"))
        h = "[::1]";
    snprintf(url, sizeof url, "http://%s:%s/metrics", h, port);
    CURL *cu = curl_easy_init();
    if (!cu)
        goto out;
    curl_easy_setopt(cu, CURLOPT_URL, url);
    curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, gather);
    curl_easy_setopt(cu, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(cu, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(cu, CURLOPT_NOPROXY, "*");
    CURLcode cr = curl_easy_perform(cu);
    long code = 0;
    curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(cu);
    if (cr != CURLE_OK || code != 200) {
        ww_cli_error("status: no answer from %s (%s): is `wardwatch serve --config %s` running?",
                     url, cr != CURLE_OK ? curl_easy_strerror(cr) : "not 200", config);
        goto out;
    }
    static row_t rows[MAX_INPUTS];
    size_t nrows = 0;
    static const char *names[] = {
        "spool_bytes",           "spool_max_bytes",        "spool_backlog",
        "events_total",          "events_undecoded_total", "alerts_total",
        "alerts_repeated_total", "detection_lag_seconds",  "events_late_total",
        "correlation_groups"};
    double single[WW_ARRAY_LEN(names)] = {0};
    for (char *line = body.p; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        take(line, rows, &nrows, single, names, WW_ARRAY_LEN(names));
        line = nl ? nl + 1 : NULL;
    }
    printf("wardwatch serve (%s), %s\n\n", config, url);
    printf("%-32s %10s %10s %10s %7s %7s\n", "INPUT", "RECEIVED", "ACCEPTED", "REJECTED", "CONNS",
           "ERRORS");
    for (size_t i = 0; i < nrows; i++) {
        char name[64];
        ww_cli_safe(rows[i].name, strlen(rows[i].name), name, sizeof name);
        printf("%-32.32s %10.0f %10.0f %10.0f %7.0f %7.0f\n", name, rows[i].v[0], rows[i].v[1],
               rows[i].v[2], rows[i].v[3],
               rows[i].v[4] + rows[i].v[5] + rows[i].v[6] + rows[i].v[7]);
    }
    double pct = single[1] > 0 ? 100.0 * single[0] / single[1] : 0;
    printf("\nspool:   %.1f MiB of %.0f MiB (%.0f%%), backlog %.0f event%s\n", single[0] / 1048576,
           single[1] / 1048576, pct, single[2], single[2] == 1 ? "" : "s");
    printf("events:  %.0f evaluated, %.0f not decoded, %.0f late (alerted on, not correlated)\n",
           single[3], single[4], single[8]);
    printf("correlation windows open: %.0f\n", single[9]);
    printf("alerts:  %.0f stored (%.0f repeats from replays refused), detection lag %.2f s\n",
           single[5], single[6], single[7]);
    if (pct >= 90)
        printf("\nwarning: the spool is nearly full: inputs will push back (TCP) or drop (UDP)\n");
    ec = WW_EXIT_OK;
out:
    ww_buf_release(&body);
    ww_serve_config_free(cfg);
    return ec;
}
