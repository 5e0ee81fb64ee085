/* wardwatch evidence: writes the DSPT / CAF evidence pack (lib/cyberalert/ww_evidence.h)
 * as of a given date, as JSON or as one self-contained HTML file to attach to the
 * toolkit.  The date is required, so that a pack can always be made again exactly. */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "cyberalert/ww_evidence.h"
#include "wardwatch.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: wardwatch evidence [--db PATH] --as-of DATE [--format html|json]\n"
                 "                          [--out FILE] [--organisation NAME]\n"
                 "The DSPT / CAF evidence pack: monitoring coverage (C1.a), vulnerability\n"
                 "management (B4.d: audits, NHS cyber alerts), response (D1: incidents,\n"
                 "fire-breaks), each fact with its date and source.\n"
                 "  --as-of DATE    facts recorded up to the end of this day (YYYY-MM-DD), or up\n"
                 "                  to this moment (ISO 8601 time); required\n"
                 "  --format F      json (default) or html (self-contained, nothing loaded)\n"
                 "  --out FILE      write to FILE (replaced whole) instead of standard output\n"
                 "  --organisation  the trust's name for the heading\n"
                 "Exit status: 0 written, 2 error.  See docs/evidence.md.\n");
}

int cmd_evidence(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"as-of", required_argument, NULL, 'a'},
        {"format", required_argument, NULL, 'f'},
        {"out", required_argument, NULL, 'o'},
        {"organisation", required_argument, NULL, 'O'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    const char *db = NULL, *out_path = NULL, *org = NULL;
    int64_t as_of = 0;
    ww_evidence_format_t fmt = WW_EVIDENCE_JSON;
    int status = WW_EXIT_ERROR, c;
    ww_store_t *st = NULL;
    ww_buf_t b;
    ww_buf_init(&b, 0);
    ww_cli_atomic_t file;
    memset(&file, 0, sizeof file);
    file.fd = -1;
    ww_diag_t d;
    memset(&d, 0, sizeof d);
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'o': out_path = optarg; break;
        case 'O': org = optarg; break;
        case 'a':
            if (ww_ca_time_parse(optarg, &as_of) != 0) {
                ww_cli_error("evidence: --as-of '%s' is not a date (YYYY-MM-DD)", optarg);
                goto out;
            }
            if (strlen(optarg) == 10)
                as_of += 86399; /* the whole day */
            break;
        case 'f':
            if (!strcmp(optarg, "html"))
                fmt = WW_EVIDENCE_HTML;
            else if (!strcmp(optarg, "json"))
                fmt = WW_EVIDENCE_JSON;
            else {
                ww_cli_error("evidence: unknown format '%s' (html or json)", optarg);
                goto out;
            }
            break;
        case 'h':
            usage(stdout);
            status = WW_EXIT_OK;
            goto out;
        default: usage(stderr); goto out;
        }
    }
    if (optind < argc) {
        ww_cli_error("evidence: unexpected argument '%s'", argv[optind]);
        goto out;
    }
    if (!as_of) {
        ww_cli_error("evidence: --as-of DATE is required (the pack is made as of a date)");
        usage(stderr);
        goto out;
    }
    const char *path = ww_store_default_path(db);
    if (ww_store_open(path, &st, &d) != 0 || ww_evidence_write(st, as_of, org, fmt, &b, &d) != 0) {
        ww_cli_error("evidence: %s: %s", path, d.msg);
        goto out;
    }
    if (out_path) {
        if (ww_cli_atomic_open(&file, out_path) != 0) {
            ww_cli_error("evidence: cannot write %s: %s", out_path, strerror(errno));
            goto out;
        }
        if (fwrite(b.p, 1, b.n, file.f) != b.n || ww_cli_atomic_commit(&file) != 0) {
            ww_cli_error("evidence: writing %s: %s", out_path, strerror(errno));
            goto out;
        }
    } else
        fwrite(b.p, 1, b.n, stdout);
    status = WW_EXIT_OK;
out:
    ww_cli_atomic_abort(&file);
    ww_buf_release(&b);
    ww_store_close(st);
    return status;
}
