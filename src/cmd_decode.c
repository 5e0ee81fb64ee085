/* wardwatch decode: prints every event as the rules see it -- flattened field names
 * after the field-name profile -- as NDJSON.  What people use to write and debug rules.
 * With --count it only decodes and counts: the decode-only floor the benchmark
 * compares detection with. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "event/ww_event.h"
#include "wardwatch.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: wardwatch decode [--format auto|evtx|json|syslog|text|zeek] [--meta] [--count] "
            "[--tz ZONE] PATH...\n"
            "\n"
            "Prints each event of the files (directories are read recursively, - is\n"
            "standard input) as one JSON object per line, with the field names rules use.\n"
            "  --format F   force the input format (default: detected from the content)\n"
            "  --meta       wrap each event: {\"source\":{path,index,format},\"event\":{...}}\n"
            "  --count      decode only; print counts of events, fields, bytes and the time\n"
            "  --tz ZONE    read time stamps without a zone (RFC 3164 syslog, NXLog\n"
            "               EventTime) in ZONE, e.g. Europe/London (default: the machine's)\n"
            "Compressed files (.gz, .zst) and standard input are streamed.  Exit status 2\n"
            "when an input cannot be read (or not to its end) or output cannot be written.\n");
}

static int parse_format(const char *s)
{
    static const char *names[] = {"auto", "evtx", "json", "syslog", "text", "zeek"};
    for (int i = 0; i < (int)WW_ARRAY_LEN(names); i++)
        if (!strcmp(s, names[i]))
            return i;
    return -1;
}

int cmd_decode(int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'}, {"meta", no_argument, NULL, 'm'},
        {"count", no_argument, NULL, 'c'},        {"tz", required_argument, NULL, 'z'},
        {"help", no_argument, NULL, 'h'},         {0},
    };
    int fmt = WW_FMT_AUTO, c;
    bool meta = false, count = false;
    while ((c = getopt_long(argc, argv, "f:mcz:h", opts, NULL)) != -1) {
        switch (c) {
        case 'z':
            if (ww_time_set_zone(optarg) != 0) {
                ww_cli_error("decode: unknown time zone '%s' (a name such as Europe/London or "
                             "UTC)",
                             optarg);
                return WW_EXIT_ERROR;
            }
            break;
        case 'f':
            fmt = parse_format(optarg);
            if (fmt < 0) {
                ww_cli_error("decode: unknown format '%s'", optarg);
                return WW_EXIT_ERROR;
            }
            break;
        case 'm': meta = true; break;
        case 'c': count = true; break;
        case 'h': usage(stdout); return WW_EXIT_OK;
        default: usage(stderr); return WW_EXIT_ERROR;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return WW_EXIT_ERROR;
    }

    ww_cli_files_t files = {0};
    if (ww_cli_files_collect(&files, argv + optind, (size_t)(argc - optind)) != 0) {
        ww_cli_error("decode: out of memory");
        return WW_EXIT_ERROR;
    }
    int status = files.missing ? WW_EXIT_ERROR : WW_EXIT_OK;
    ww_event_t ev;
    ww_event_init(&ev);
    ww_buf_t out;
    ww_buf_init(&out, 0);
    uint64_t events = 0, bad = 0, nfields = 0, bytes = 0;
    double t0 = ww_cli_now();

    for (size_t i = 0; i < files.n; i++) {
        ww_reader_t *r = NULL;
        ww_diag_t d = {0};
        int rc = ww_reader_open(files.paths[i], fmt, &r, &d);
        if (rc != 0) {
            ww_cli_error("%s: %s", files.paths[i], d.msg[0] ? d.msg : ww_strerror(rc));
            status = WW_EXIT_ERROR;
            continue;
        }
        while ((rc = ww_reader_next(r, &ev, &d)) != 0) {
            if (rc < 0 && ww_reader_incomplete(r)) {
                /* The rest of the input could not be read (damaged compressed data). */
                ww_cli_error("%s: %s", files.paths[i], d.msg);
                status = WW_EXIT_ERROR;
                continue;
            }
            if (rc < 0) {
                bad++;
                ww_cli_bad_record(files.paths[i], &d, ww_reader_index(r));
                continue;
            }
            events++;
            if (count) {
                /* Touch the result so the decode cannot be skipped or deferred. */
                nfields += ev.nfields;
                continue;
            }
            ww_buf_clear(&out);
            if (meta) {
                ww_buf_puts(&out, "{\"source\":{\"path\":");
                ww_buf_json_str(&out, files.paths[i], strlen(files.paths[i]));
                ww_buf_printf(&out, ",\"index\":%llu,\"format\":\"%s\"},\"event\":",
                              (unsigned long long)ww_reader_index(r),
                              ww_format_name(ww_reader_format(r)));
            }
            ww_event_to_json(&ev, &out);
            if (meta)
                ww_buf_putc(&out, '}');
            ww_buf_putc(&out, '\n');
            if (out.err) {
                ww_cli_error("decode: out of memory");
                status = WW_EXIT_ERROR;
                break;
            }
            /* Nobody reads the rest once a write failed (a full disk, a closed pipe):
               stop, and main() reports it. */
            if (fwrite(out.p, 1, out.n, stdout) != out.n || ww_cli_output_failed(stdout))
                break;
        }
        bytes += ww_reader_offset(r);
        ww_reader_free(r);
        if (ww_cli_output_failed(stdout))
            break;
    }
    if (count)
        printf("%llu events, %llu malformed, %llu fields, %llu bytes, %.3f s\n",
               (unsigned long long)events, (unsigned long long)bad, (unsigned long long)nfields,
               (unsigned long long)bytes, ww_cli_now() - t0);
    fflush(stdout);
    if (bad)
        fprintf(stderr, "wardwatch: decode: %llu events, %llu malformed records skipped\n",
                (unsigned long long)events, (unsigned long long)bad);
    ww_buf_release(&out);
    ww_event_release(&ev);
    ww_cli_files_release(&files);
    return status;
}
