/* wardwatch firebreak: the network map (import, check, show), observed flows against it,
 * isolation plans for a segment or quarantine plans for single hosts (blast radius,
 * nftables ruleset, plain statement, change request),
 * and their life on the router: apply (dry-run unless --confirm), the watchdog that
 * rolls an unconfirmed apply back, confirm, lift, status, and the hazard-log export.
 * The library (lib/firebreak) does the work; this file sequences it and prints. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "asset/ww_asset.h"
#include "event/ww_event.h"
#include "firebreak/ww_firebreak.h"
#include "wardwatch.h"

#define DEFAULT_ROLLBACK_S 120
#define MAX_ROLLBACK_S 86400
/* How long apply waits for the watchdog to say it is running (it opens the store,
 * which may wait out the store's busy timeout first). */
#define WATCHDOG_START_MS 30000

/* Options every firebreak subcommand accepts. */
typedef struct opts {
    const char *db, *by, *reason, *format, *infected, *segment;
    char hosts[4096]; /* every --host, joined by commas */
    bool host_given, hosts_too_long;
    bool confirm, override_monitor_only;
    long rollback_after;
    int ready_fd; /* watchdog only: where to say it is running (-1: nowhere) */
} opts_t;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: wardwatch firebreak <command> [options]\n"
            "\n"
            "  map import FILE            check a network map and store it\n"
            "  map check FILE             check a network map, store nothing\n"
            "  map show                   the stored map (--format text|json)\n"
            "  flows check LOGFILE...     observed flows the map does not allow\n"
            "  plan --infected IP | --segment NAME | --host IP[,IP...] [--reason TEXT]\n"
            "                             blast radius and isolation plan (--host:\n"
            "                             quarantine single hosts, not their segment)\n"
            "                             (--format text|nft|change-request|json;\n"
            "                             change-request needs --reason)\n"
            "  show PLAN_ID               a stored plan again (same formats; the change\n"
            "                             request for a CAB: --format change-request)\n"
            "  apply PLAN_ID [--confirm] [--rollback-after SECONDS] [--override-monitor-only]\n"
            "                             dry-run (nft -c) unless --confirm; rolls back\n"
            "                             unless confirmed in time (default %d s)\n"
            "  confirm PLAN_ID            keep an applied fire-break\n"
            "  lift PLAN_ID               remove a fire-break, restore what was before\n"
            "  status                     active and pending fire-breaks, checked against\n"
            "                             the router (exit 1 when it differs)\n"
            "  log [--format text|json]   every plan/apply/confirm/rollback/lift (hazard log)\n"
            "\n"
            "common options: --db PATH (else $WARDWATCH_DB, else ./wardwatch.db),\n"
            "  --by NAME (else $SUDO_USER, else $USER), --reason TEXT\n",
            DEFAULT_ROLLBACK_S);
}

static int parse_opts(int argc, char **argv, opts_t *o)
{
    static const struct option lo[] = {
        {"db", required_argument, NULL, 'd'},
        {"by", required_argument, NULL, 'b'},
        {"reason", required_argument, NULL, 'r'},
        {"format", required_argument, NULL, 'f'},
        {"infected", required_argument, NULL, 'i'},
        {"segment", required_argument, NULL, 's'},
        {"host", required_argument, NULL, 'H'},
        {"confirm", no_argument, NULL, 'c'},
        {"override-monitor-only", no_argument, NULL, 'o'},
        {"rollback-after", required_argument, NULL, 'a'},
        {"ready-fd", required_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:b:r:f:i:s:ca:h", lo, NULL)) != -1) {
        switch (c) {
        case 'd': o->db = optarg; break;
        case 'b': o->by = optarg; break;
        case 'r': o->reason = optarg; break;
        case 'f': o->format = optarg; break;
        case 'i': o->infected = optarg; break;
        case 's': o->segment = optarg; break;
        case 'H': {
            o->host_given = true;
            size_t have = strlen(o->hosts), add = strlen(optarg);
            if (have + add + 2 > sizeof o->hosts) {
                o->hosts_too_long = true;
                break;
            }
            if (have)
                o->hosts[have++] = ',';
            memcpy(o->hosts + have, optarg, add + 1);
            break;
        }
        case 'c': o->confirm = true; break;
        case 'o': o->override_monitor_only = true; break;
        case 'a': {
            int64_t v;
            if (ww_parse_i64(optarg, strlen(optarg), &v) != 0 || v < 0 || v > MAX_ROLLBACK_S) {
                ww_cli_error("firebreak: --rollback-after wants seconds 0..%d", MAX_ROLLBACK_S);
                return -1;
            }
            o->rollback_after = (long)v;
            break;
        }
        case 'R': {
            int64_t v;
            if (ww_parse_i64(optarg, strlen(optarg), &v) != 0 || v < 3 || v > 65535) {
                ww_cli_error("firebreak: --ready-fd wants a descriptor number");
                return -1;
            }
            o->ready_fd = (int)v;
            break;
        }
        case 'h': usage(stdout); return 1;
        default: usage(stderr); return -1;
        }
    }
    return 0;
}

/* Who is acting: --by, else the person behind sudo, else the login. */
static const char *who(const opts_t *o)
{
    if (o->by && *o->by)
        return o->by;
    const char *s = getenv("SUDO_USER");
    if (s && *s)
        return s;
    s = getenv("USER");
    if (s && *s)
        return s;
    struct passwd *pw = getpwuid(getuid());
    return pw ? pw->pw_name : "unknown";
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static ww_store_t *open_store(const opts_t *o)
{
    ww_store_t *st = NULL;
    ww_diag_t d = {0};
    const char *path = ww_store_default_path(o->db);
    if (ww_store_open(path, &st, &d) != 0 || ww_fb_store_migrate(st, &d) != 0) {
        ww_cli_error("firebreak: %s: %s", path, d.msg);
        ww_store_close(st);
        return NULL;
    }
    return st;
}

static int read_file(const char *path, char **out, size_t *len)
{
    int rc = ww_read_file(path, WW_FB_MAX_MAP_BYTES, out, len);
    if (rc == WW_ELIMIT)
        ww_cli_error("firebreak: %s: larger than 1 MiB, not a network map", path);
    else if (rc)
        ww_cli_error("firebreak: %s: %s", path,
                     rc == WW_ENOMEM ? "out of memory" : strerror(errno));
    return rc ? -1 : 0;
}

static void print_diag(const char *path, const ww_diag_t *d)
{
    if (d->line && d->col)
        fprintf(stderr, "%s:%u:%u: %s\n", path, d->line, d->col, d->msg);
    else if (d->line)
        fprintf(stderr, "%s:%u: %s\n", path, d->line, d->msg);
    else
        fprintf(stderr, "%s: %s\n", path, d->msg);
}

/* The map's warnings on stderr, "file:line:col: warning: ...", like its errors. */
static void print_warnings(const char *path, const ww_fb_map_t *m)
{
    for (uint32_t i = 0; i < m->nwarnings; i++)
        fprintf(stderr, "%s:%u:%u: warning: %s\n", path, m->warnings[i].line, m->warnings[i].col,
                m->warnings[i].msg);
    if (m->warnings_dropped)
        fprintf(stderr, "%s: warning: %u more warnings not shown\n", path, m->warnings_dropped);
}

/* The stored map (latest, or `id`), parsed; its warnings on stderr when `warnings`.
 * NULL after printing why. */
static ww_fb_map_t *load_map(ww_store_t *st, int64_t id, int64_t *id_out, bool warnings)
{
    char *yaml = NULL, *path = NULL;
    int64_t mid = 0;
    int rc = ww_fb_map_load(st, id, &mid, &yaml, &path);
    if (rc == WW_ENOENT) {
        ww_cli_error("firebreak: no network map stored yet: run `wardwatch firebreak map "
                     "import FILE` first");
        return NULL;
    }
    if (rc) {
        ww_cli_error("firebreak: cannot read the stored map: %s", ww_strerror(rc));
        return NULL;
    }
    ww_fb_map_t *m = NULL;
    ww_diag_t d = {0};
    if (ww_fb_map_parse(yaml, strlen(yaml), path ? path : "stored map", &m, &d) != 0)
        print_diag(path ? path : "stored map", &d);
    else {
        if (id_out)
            *id_out = mid;
        if (warnings)
            print_warnings(path ? path : "stored map", m);
    }
    free(yaml);
    free(path);
    return m;
}

/* ---- map ---- */

static void print_map(const ww_fb_map_t *m, bool json)
{
    ww_buf_t b;
    ww_buf_init(&b, 0);
    if (json) {
        ww_buf_puts(&b, "{\"hospital\":");
        if (m->name)
            ww_buf_json_str(&b, m->name, strlen(m->name));
        else
            ww_buf_puts(&b, "null");
        ww_buf_printf(&b, ",\"management\":\"%s\",\"routing\":\"%s\",\"segments\":[",
                      m->mgmt == WW_FB_MGMT_BOTH ? "both" : "inbound",
                      m->has_links ? "links" : "core");
        for (uint32_t i = 0; i < m->nsegs; i++) {
            const ww_fb_segment_t *s = &m->segs[i];
            ww_buf_puts(&b, i ? ",{\"name\":" : "{\"name\":");
            ww_buf_json_str(&b, s->name, strlen(s->name));
            ww_buf_printf(&b, ",\"kind\":\"%s\",\"clinical\":%s,\"monitor_only\":%s,\"vlan\":",
                          ww_fb_kind_name(s->kind), s->clinical ? "true" : "false",
                          s->monitor_only ? "true" : "false");
            if (s->vlan >= 0)
                ww_buf_printf(&b, "%d", s->vlan);
            else
                ww_buf_puts(&b, "null");
            ww_buf_puts(&b, ",\"cidrs\":[");
            for (uint32_t k = 0; k < s->ncidrs; k++) {
                char t[64];
                ww_fb_cidr_format(&s->cidrs[k], t, sizeof t);
                ww_buf_printf(&b, "%s\"%s\"", k ? "," : "", t);
            }
            ww_buf_puts(&b, "]}");
        }
        ww_buf_puts(&b, "],\"links\":[");
        for (uint32_t i = 0; i < m->nlinks; i++) {
            const ww_fb_link_t *l = &m->links[i];
            ww_buf_printf(&b, "%s{\"from\":\"%s\",\"to\":\"%s\",\"direction\":\"%s\"}",
                          i ? "," : "", m->segs[l->a].name, m->segs[l->b].name,
                          l->both_ways ? "both" : "one-way");
        }
        ww_buf_puts(&b, "],\"flows\":[");
        for (uint32_t i = 0; i < m->nflows; i++) {
            const ww_fb_flow_t *f = &m->flows[i];
            ww_buf_printf(&b, "%s{\"from\":\"%s\",\"to\":\"%s\",\"proto\":\"%s\",\"ports\":[",
                          i ? "," : "", m->segs[f->from].name, m->segs[f->to].name,
                          ww_fb_proto_name(f->proto));
            for (uint32_t k = 0; k < f->nports; k++)
                ww_buf_printf(&b, "%s\"%u-%u\"", k ? "," : "", f->ports[k].lo, f->ports[k].hi);
            ww_buf_printf(&b, "],\"direction\":\"%s\",\"clinical\":%s,\"reason\":",
                          f->both_ways ? "both" : "one-way", f->clinical ? "true" : "false");
            if (f->reason)
                ww_buf_json_str(&b, f->reason, strlen(f->reason));
            else
                ww_buf_puts(&b, "null");
            ww_buf_putc(&b, '}');
        }
        ww_buf_puts(&b, "]}\n");
    } else {
        char hname[4 * WW_FB_MAX_TEXT + 1];
        ww_buf_printf(&b, "%s: %u segments, %u flows, %s\n",
                      m->name ? ww_cli_safe(m->name, strlen(m->name), hname, sizeof hname)
                              : "network map",
                      m->nsegs, m->nflows,
                      m->has_links ? "routing as listed under links"
                                   : "routed core (every "
                                     "segment reaches every "
                                     "other)");
        for (uint32_t i = 0; i < m->nsegs; i++) {
            const ww_fb_segment_t *s = &m->segs[i];
            ww_buf_printf(&b, "  segment %-16s %-15s", s->name, ww_fb_kind_name(s->kind));
            for (uint32_t k = 0; k < s->ncidrs; k++) {
                char t[64];
                ww_fb_cidr_format(&s->cidrs[k], t, sizeof t);
                ww_buf_printf(&b, " %s", t);
            }
            if (s->vlan >= 0)
                ww_buf_printf(&b, "  VLAN %d", s->vlan);
            ww_buf_printf(&b, "%s%s\n", s->clinical ? "  CLINICAL" : "",
                          s->monitor_only ? "  monitor-only" : "");
        }
        for (uint32_t i = 0; i < m->nflows; i++) {
            const ww_fb_flow_t *f = &m->flows[i];
            ww_buf_printf(&b, "  flow    %s %s %s %s", m->segs[f->from].name,
                          f->both_ways ? "<->" : "->", m->segs[f->to].name,
                          ww_fb_proto_name(f->proto));
            for (uint32_t k = 0; k < f->nports; k++)
                if (f->ports[k].lo == f->ports[k].hi)
                    ww_buf_printf(&b, "%s%u", k ? "," : " ", f->ports[k].lo);
                else
                    ww_buf_printf(&b, "%s%u-%u", k ? "," : " ", f->ports[k].lo, f->ports[k].hi);
            ww_buf_printf(&b, "%s%s", f->clinical ? "  CLINICAL" : "", f->reason ? "  " : "");
            if (f->reason) {
                /* The reason is free text from the map: no control characters. */
                char safe[4 * WW_FB_MAX_TEXT + 1];
                ww_buf_puts(&b, ww_cli_safe(f->reason, strlen(f->reason), safe, sizeof safe));
            }
            ww_buf_putc(&b, '\n');
        }
    }
    fwrite(b.p, 1, b.n, stdout);
    ww_buf_release(&b);
}

static int cmd_map(int argc, char **argv, const opts_t *o)
{
    if (argc < 2) {
        usage(stderr);
        return WW_EXIT_ERROR;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "show")) {
        ww_store_t *st = open_store(o);
        if (!st)
            return WW_EXIT_ERROR;
        ww_fb_map_t *m = load_map(st, 0, NULL, false);
        ww_store_close(st);
        if (!m)
            return WW_EXIT_ERROR;
        print_map(m, o->format && !strcmp(o->format, "json"));
        ww_fb_map_free(m);
        return WW_EXIT_OK;
    }
    if ((strcmp(sub, "import") && strcmp(sub, "check")) || argc != 3) {
        usage(stderr);
        return WW_EXIT_ERROR;
    }
    const char *path = argv[2];
    char *buf = NULL;
    size_t len = 0;
    if (read_file(path, &buf, &len) != 0)
        return WW_EXIT_ERROR;
    ww_fb_map_t *m = NULL;
    ww_diag_t d = {0};
    int rc = ww_fb_map_parse(buf, len, path, &m, &d);
    if (rc != 0) {
        print_diag(path, &d);
        fprintf(stderr, "wardwatch: firebreak: %s rejected, nothing stored\n", path);
        free(buf);
        return WW_EXIT_ERROR;
    }
    print_warnings(path, m);
    int status = WW_EXIT_OK;
    if (!strcmp(sub, "import")) {
        ww_store_t *st = open_store(o);
        int64_t id = 0;
        char detail[128];
        if (st) {
            /* The map and its record land together or not at all. */
            ww_diag_t td = {0};
            snprintf(detail, sizeof detail, "%u segments, %u flows", m->nsegs, m->nflows);
            bool ok =
                ww_store_exec(st, "BEGIN IMMEDIATE", &td) == 0 &&
                ww_fb_map_save(st, path, buf, who(o), &id) == 0 &&
                ww_fb_record(st, "map-import", 0, NULL, who(o), o->reason, NULL, detail) == 0 &&
                ww_store_exec(st, "COMMIT", &td) == 0;
            if (!ok) {
                ww_store_rollback(st);
                ww_cli_error("firebreak: cannot store the map: %s%s", ww_store_errmsg(st),
                             ww_store_busy(st) ? " (another process holds the database lock)" : "");
                status = WW_EXIT_ERROR;
            }
        } else {
            status = WW_EXIT_ERROR;
        }
        if (status == WW_EXIT_OK) {
            printf("stored map %lld from %s: %u segments, %u flows\n", (long long)id, path,
                   m->nsegs, m->nflows);
        }
        ww_store_close(st);
    } else {
        printf("%s: a valid map: %u segments, %u flows", path, m->nsegs, m->nflows);
        if (m->nwarnings)
            printf(", %u warning%s", m->nwarnings + m->warnings_dropped,
                   m->nwarnings + m->warnings_dropped == 1 ? "" : "s");
        putchar('\n');
    }
    ww_fb_map_free(m);
    free(buf);
    return status;
}

/* ---- flows check ---- */

typedef struct seen {
    int from, to; /* segments, -1 outside the map */
    int proto, port;
    uint64_t count;
    char src[64], dst[64];
} seen_t;

static const ww_field_t *field(const ww_event_t *ev, const char *name)
{
    return ww_event_get(ev, WW_STRZ(name), NULL);
}

static int parse_proto(const ww_field_t *f)
{
    if (!f)
        return -1;
    if (ww_str_ieq_z(f->value, "tcp") || ww_str_ieq_z(f->value, "6"))
        return WW_FB_TCP;
    if (ww_str_ieq_z(f->value, "udp") || ww_str_ieq_z(f->value, "17"))
        return WW_FB_UDP;
    if (ww_str_ieq_z(f->value, "icmp") || ww_str_ieq_z(f->value, "1") ||
        ww_str_ieq_z(f->value, "icmpv6") || ww_str_ieq_z(f->value, "ipv6-icmp"))
        return WW_FB_ICMP;
    return WW_FB_ANY; /* another protocol: only an `any` flow allows it */
}

static void copy_val(char *dst, size_t cap, const ww_field_t *f)
{
    size_t n = f->value.n < cap - 1 ? f->value.n : cap - 1;
    memcpy(dst, f->value.p, n);
    dst[n] = 0;
}

#define MAX_SEEN 100000

static int cmd_flows(int argc, char **argv, const opts_t *o)
{
    if (argc < 3 || strcmp(argv[1], "check")) {
        usage(stderr);
        return WW_EXIT_ERROR;
    }
    bool json = o->format && !strcmp(o->format, "json");
    ww_store_t *st = open_store(o);
    if (!st)
        return WW_EXIT_ERROR;
    ww_fb_map_t *m = load_map(st, 0, NULL, false);
    ww_store_close(st);
    if (!m)
        return WW_EXIT_ERROR;
    ww_cli_files_t files = {0};
    if (ww_cli_files_collect(&files, argv + 2, (size_t)(argc - 2)) != 0) {
        ww_fb_map_free(m);
        return WW_EXIT_ERROR;
    }
    int status = files.missing ? WW_EXIT_ERROR : WW_EXIT_OK;
    seen_t *seen = NULL;
    size_t nseen = 0, capseen = 0;
    uint64_t flows = 0, allowed = 0, intra = 0, denied = 0, outside = 0, dropped = 0;
    ww_event_t ev;
    ww_event_init(&ev);
    for (size_t i = 0; i < files.n; i++) {
        ww_reader_t *r = NULL;
        ww_diag_t d = {0};
        int rc = ww_reader_open(files.paths[i], WW_FMT_AUTO, &r, &d);
        if (rc != 0) {
            ww_cli_error("%s: %s", files.paths[i], d.msg[0] ? d.msg : ww_strerror(rc));
            status = WW_EXIT_ERROR;
            continue;
        }
        while ((rc = ww_reader_next(r, &ev, &d)) != 0) {
            if (rc < 0) {
                ww_cli_bad_record(files.paths[i], &d, ww_reader_index(r));
                continue;
            }
            const ww_field_t *s = field(&ev, "src_ip"), *t = field(&ev, "dst_ip");
            if (!s || !t)
                continue;
            flows++;
            const ww_field_t *act = field(&ev, "action");
            if (act && ww_str_ieq_z(act->value, "deny")) {
                denied++; /* blocked already: not traffic that flowed */
                continue;
            }
            char src[64], dst[64];
            copy_val(src, sizeof src, s);
            copy_val(dst, sizeof dst, t);
            int a = ww_fb_map_find_ip(m, src), z = ww_fb_map_find_ip(m, dst);
            int proto = parse_proto(field(&ev, "proto"));
            const ww_field_t *pf = field(&ev, "dst_port");
            int port =
                pf && pf->type == WW_F_INT && pf->num >= 0 && pf->num <= 65535 ? (int)pf->num : 0;
            if (pf && pf->type != WW_F_INT) {
                int64_t v;
                if (ww_parse_i64(pf->value.p, pf->value.n, &v) == 0 && v >= 0 && v <= 65535)
                    port = (int)v;
            }
            if (a >= 0 && a == z) {
                intra++;
                continue;
            }
            if (a < 0 && z < 0) {
                outside++;
                continue;
            }
            if (a >= 0 && z >= 0 && ww_fb_flow_allowed(m, (uint32_t)a, (uint32_t)z, proto, port)) {
                allowed++;
                continue;
            }
            size_t k;
            for (k = 0; k < nseen; k++)
                if (seen[k].from == a && seen[k].to == z && seen[k].proto == proto &&
                    seen[k].port == port)
                    break;
            if (k == nseen) {
                if (nseen == MAX_SEEN) {
                    dropped++;
                    continue;
                }
                if (nseen == capseen) {
                    size_t nc = capseen ? capseen * 2 : 64;
                    seen_t *ns = realloc(seen, nc * sizeof(*ns));
                    if (!ns) {
                        dropped++;
                        continue;
                    }
                    seen = ns;
                    capseen = nc;
                }
                seen[k] = (seen_t){a, z, proto, port, 0, {0}, {0}};
                snprintf(seen[k].src, sizeof seen[k].src, "%s", src);
                snprintf(seen[k].dst, sizeof seen[k].dst, "%s", dst);
                nseen++;
            }
            seen[k].count++;
        }
        ww_reader_free(r);
    }
    for (size_t k = 0; k < nseen; k++) {
        const seen_t *x = &seen[k];
        const char *fn = x->from >= 0 ? m->segs[x->from].name : "(outside the map)";
        const char *tn = x->to >= 0 ? m->segs[x->to].name : "(outside the map)";
        if (json) {
            /* The example addresses come from the logs: escape them. */
            ww_buf_t jb;
            ww_buf_init(&jb, 0);
            ww_buf_printf(&jb,
                          "{\"from\":\"%s\",\"to\":\"%s\",\"proto\":\"%s\",\"port\":%d,"
                          "\"count\":%llu,\"example_src\":",
                          fn, tn, x->proto >= 0 ? ww_fb_proto_name(x->proto) : "unknown", x->port,
                          (unsigned long long)x->count);
            ww_buf_json_str(&jb, x->src, strlen(x->src));
            ww_buf_puts(&jb, ",\"example_dst\":");
            ww_buf_json_str(&jb, x->dst, strlen(x->dst));
            ww_buf_puts(&jb, "}\n");
            if (jb.p)
                fputs(jb.p, stdout);
            ww_buf_release(&jb);
        } else {
            printf("not in the map: %s -> %s %s", fn, tn,
                   x->proto >= 0 ? ww_fb_proto_name(x->proto) : "unknown");
            if (x->port)
                printf("/%d", x->port);
            /* The example addresses come from the logs: escaped. */
            char es[256], ed[256];
            printf("  (%llu times, e.g. %s -> %s)\n", (unsigned long long)x->count,
                   ww_cli_safe(x->src, strlen(x->src), es, sizeof es),
                   ww_cli_safe(x->dst, strlen(x->dst), ed, sizeof ed));
        }
    }
    fprintf(stderr,
            "wardwatch: firebreak: %llu flows read: %llu allowed by the map, %llu inside one "
            "segment, %llu denied by the firewall, %llu outside every segment, %zu kinds not "
            "in the map%s\n",
            (unsigned long long)flows, (unsigned long long)allowed, (unsigned long long)intra,
            (unsigned long long)denied, (unsigned long long)outside, nseen,
            dropped ? " (more were not kept: cap reached)" : "");
    if (status == WW_EXIT_OK && nseen)
        status = WW_EXIT_MATCH;
    free(seen);
    ww_event_release(&ev);
    ww_cli_files_release(&files);
    ww_fb_map_free(m);
    return status;
}

/* ---- the asset register in the blast radius ---- */

#define MAX_PLAN_ASSETS 20000

typedef struct assets {
    const ww_fb_map_t *m;
    const int *hops;
    ww_arena_t arena; /* the copied strings */
    ww_fb_asset_t *v;
    size_t n, cap;
    bool truncated;
} assets_t;

static int asset_cb(void *ud, const ww_asset_t *a)
{
    assets_t *x = ud;
    for (size_t i = 0; i < a->nips; i++) {
        int seg = ww_fb_map_find_ip(x->m, a->ips[i]);
        if (seg < 0 || x->hops[seg] < 0)
            continue;
        if (x->n == MAX_PLAN_ASSETS) {
            x->truncated = true;
            return 0;
        }
        if (x->n == x->cap) {
            size_t nc = x->cap ? x->cap * 2 : 64;
            ww_fb_asset_t *nv = realloc(x->v, nc * sizeof(*nv));
            if (!nv)
                return WW_ENOMEM;
            x->v = nv;
            x->cap = nc;
        }
        const char *name = a->hostname && *a->hostname ? a->hostname : a->asset_id;
        ww_fb_asset_t *o = &x->v[x->n];
        o->name = ww_arena_strdup(&x->arena, name ? name : "");
        o->ip = ww_arena_strdup(&x->arena, a->ips[i]);
        o->kind = ww_arena_strdup(&x->arena, ww_asset_type_name(a->type));
        o->clinical = a->type == WW_AT_MEDICAL_DEVICE || a->clinical_criticality >= WW_CRIT_HIGH;
        if (!o->name || !o->ip || !o->kind)
            return WW_ENOMEM;
        x->n++;
        break; /* one line per asset: its first address in reach */
    }
    return 0;
}

/* The registered assets the plan's segments (the isolated one, or those holding the
 * quarantined hosts) reach today, their own segments too: hosts there need no router.
 * Empty when the register is empty.  Called outside any transaction: the register
 * may need its tables created first. */
static void collect_assets(ww_store_t *st, const ww_fb_map_t *m, const uint32_t *segs, size_t nsegs,
                           assets_t *x)
{
    memset(x, 0, sizeof *x);
    ww_arena_init(&x->arena, 16384, 64u << 20);
    size_t ns = m->nsegs ? m->nsegs : 1;
    int *hops = calloc(ns, sizeof(int)), *via = calloc(ns, sizeof(int));
    int *h1 = calloc(ns, sizeof(int));
    if (hops && via && h1) {
        for (uint32_t i = 0; i < m->nsegs; i++)
            hops[i] = -1;
        for (size_t k = 0; k < nsegs; k++) {
            ww_fb_reach(m, segs[k], h1, via);
            for (uint32_t i = 0; i < m->nsegs; i++)
                if (h1[i] >= 0 && (hops[i] < 0 || h1[i] < hops[i]))
                    hops[i] = h1[i];
        }
        x->m = m;
        x->hops = hops;
        ww_diag_t d = {0};
        if (ww_asset_each(st, asset_cb, x, &d) < 0)
            ww_cli_error("firebreak: the asset register could not be read (%s); segments only",
                         d.msg[0] ? d.msg : "error");
        if (x->truncated)
            ww_cli_error("firebreak: more than %d registered assets in reach; the first are "
                         "listed",
                         MAX_PLAN_ASSETS);
    }
    x->hops = NULL;
    free(hops);
    free(via);
    free(h1);
}

static void release_assets(assets_t *x)
{
    free(x->v);
    ww_arena_release(&x->arena);
}

/* ---- plans ---- */

static int64_t parse_id(const char *s)
{
    int64_t v;
    if (!s || ww_parse_i64(s, strlen(s), &v) != 0 || v <= 0)
        return -1;
    return v;
}

static int render(const ww_fb_map_t *m, const ww_fb_plan_info_t *info, const char *ruleset,
                  const char *format, ww_buf_t *out)
{
    if (!format || !strcmp(format, "text")) {
        int rc = ww_fb_render_text(m, info, out);
        ww_buf_puts(out, "\nThe ruleset (`--format nft`), for the router that forwards between "
                         "segments:\n\n");
        ww_buf_puts(out, ruleset);
        ww_buf_printf(out,
                      "\nNext: wardwatch firebreak apply %lld (a dry run; add --confirm "
                      "to load it)\n",
                      (long long)info->id);
        return rc;
    }
    if (!strcmp(format, "nft"))
        return ww_buf_puts(out, ruleset);
    if (!strcmp(format, "change-request"))
        return ww_fb_render_change_request(m, info, out);
    if (!strcmp(format, "json"))
        return ww_fb_render_json(m, info, out);
    ww_cli_error("firebreak: unknown format '%s' (text, nft, change-request, json)", format);
    return WW_EINVAL;
}

/* The distinct segments of the hosts, in map order, into segs; their names joined by
 * commas into names (the record's `segment` of a host plan). */
static size_t host_segments(const ww_fb_map_t *m, const ww_fb_host_t *h, size_t nh, uint32_t *segs,
                            ww_buf_t *names)
{
    size_t n = 0;
    for (uint32_t i = 0; i < m->nsegs; i++) {
        bool has = false;
        for (size_t k = 0; k < nh; k++)
            has |= h[k].seg == i;
        if (!has)
            continue;
        if (names)
            ww_buf_printf(names, "%s%s", n ? "," : "", m->segs[i].name);
        segs[n++] = i;
    }
    return n;
}

/* A plan's subject in words: "segment imaging", "host 10.10.0.7 (segment wards)". */
static void describe_row(const ww_fb_plan_row_t *r, char *out, size_t outlen)
{
    if (r->hosts && *r->hosts)
        snprintf(out, outlen, "%s %.3000s (segment%s %s)", strchr(r->hosts, ',') ? "hosts" : "host",
                 r->hosts, strchr(r->segment, ',') ? "s" : "", r->segment);
    else
        snprintf(out, outlen, "segment %s", r->segment);
}

static int cmd_plan(int argc, char **argv, const opts_t *o)
{
    if ((!!o->infected + !!o->segment + !!o->host_given) != 1 || argc != 1) {
        ww_cli_error("firebreak plan: give exactly one of --infected IP, --segment NAME or "
                     "--host IP[,IP...]");
        return WW_EXIT_ERROR;
    }
    if (o->hosts_too_long) {
        ww_cli_error("firebreak plan: --host: the list is longer than %zu characters",
                     sizeof o->hosts - 2);
        return WW_EXIT_ERROR;
    }
    if (o->format && strcmp(o->format, "text") && strcmp(o->format, "nft") &&
        strcmp(o->format, "change-request") && strcmp(o->format, "json")) {
        ww_cli_error("firebreak: unknown format '%s' (text, nft, change-request, json)", o->format);
        return WW_EXIT_ERROR;
    }
    /* A change request goes to a change board with the plan's reason on it, and the
     * plan it names is the one that is applied: so it is never made without a reason.
     * The change request of a plan already made: `show PLAN --format change-request`. */
    if (o->format && !strcmp(o->format, "change-request") && (!o->reason || !*o->reason)) {
        ww_cli_error("firebreak plan: --format change-request needs --reason (the change board "
                     "reads it); for a plan already made, run `wardwatch firebreak show PLAN_ID "
                     "--format change-request`. Nothing stored.");
        return WW_EXIT_ERROR;
    }
    /* The infected host, read strictly and written the one way the records keep it
     * ("::ffff:10.20.0.7" is 10.20.0.7; "010.20.0.7" is refused, not guessed). */
    char infected[64] = "", why[400];
    const char *inf = NULL;
    if (o->infected) {
        uint8_t addr[16];
        int fam;
        if (ww_fb_addr_parse(o->infected, &fam, addr, NULL, why, sizeof why) != 0) {
            char safe[1600];
            ww_cli_error("firebreak plan: --infected %s",
                         ww_cli_safe(why, strlen(why), safe, sizeof safe));
            return WW_EXIT_ERROR;
        }
        ww_fb_addr_format(fam, addr, infected, sizeof infected);
        inf = infected;
    }
    ww_store_t *st = open_store(o);
    if (!st)
        return WW_EXIT_ERROR;
    int status = WW_EXIT_ERROR;
    int64_t map_id = 0;
    ww_fb_map_t *m = load_map(st, 0, &map_id, true);
    ww_buf_t chain, table, out, segnames, hostlist;
    assets_t assets;
    memset(&assets, 0, sizeof assets);
    ww_buf_init(&chain, 0);
    ww_buf_init(&table, 0);
    ww_buf_init(&out, 0);
    ww_buf_init(&segnames, 0);
    ww_buf_init(&hostlist, 0);
    ww_fb_host_t hosts[WW_FB_MAX_HOSTS];
    size_t nhosts = 0;
    uint32_t tsegs[WW_FB_MAX_HOSTS];
    size_t ntsegs = 0;
    int seg = -1;
    if (!m)
        goto out;
    if (o->host_given) {
        if (ww_fb_hosts_parse(m, o->hosts, hosts, WW_ARRAY_LEN(hosts), &nhosts, why, sizeof why) !=
            0) {
            char safe[1600];
            ww_cli_error("firebreak plan: --host: %s; nothing stored",
                         ww_cli_safe(why, strlen(why), safe, sizeof safe));
            goto out;
        }
        ntsegs = host_segments(m, hosts, nhosts, tsegs, &segnames);
        for (size_t i = 0; i < nhosts; i++)
            ww_buf_printf(&hostlist, "%s%s", i ? "," : "", hosts[i].text);
        if (segnames.err || hostlist.err)
            goto out;
        seg = (int)hosts[0].seg;
    } else {
        seg = inf ? ww_fb_map_find_ip(m, inf) : ww_fb_map_find_segment(m, o->segment);
        if (seg < 0) {
            char safe[256];
            if (inf)
                ww_cli_error("firebreak plan: %s is in no segment of the map", inf);
            else
                ww_cli_error("firebreak plan: no segment named '%s' in the map",
                             ww_cli_safe(o->segment, strlen(o->segment), safe, sizeof safe));
            goto out;
        }
        if (m->segs[seg].kind == WW_FB_KIND_EXTERNAL) {
            if (inf)
                ww_cli_error("firebreak plan: %s is in external segment %s, outside the "
                             "hospital: wardwatch isolates the hospital's own segments",
                             inf, m->segs[seg].name);
            else
                ww_cli_error("firebreak plan: segment %s is external, outside the hospital: "
                             "wardwatch isolates the hospital's own segments",
                             m->segs[seg].name);
            goto out;
        }
        tsegs[0] = (uint32_t)seg;
        ntsegs = 1;
    }
    /* The register is read before the plan's transaction: reading it may create its
     * tables, which cannot happen inside another transaction. */
    collect_assets(st, m, tsegs, ntsegs, &assets);
    char now[40];
    ww_fb_now(now, sizeof now);
    ww_fb_plan_row_t row = {0};
    row.created = now;
    row.by = (char *)who(o);
    row.reason = (char *)o->reason;
    row.map_id = map_id;
    row.segment = nhosts ? segnames.p : m->segs[seg].name;
    row.infected_ip = (char *)inf;
    row.hosts = nhosts ? hostlist.p : NULL;
    /* The plan, its rules and its record land together or not at all. */
    ww_diag_t td = {0};
    if (ww_store_exec(st, "BEGIN IMMEDIATE", &td) != 0 || ww_fb_plan_insert(st, &row) != 0) {
        ww_cli_error("firebreak plan: cannot store the plan: %s%s", ww_store_errmsg(st),
                     ww_store_busy(st) ? " (another process holds the database lock)" : "");
        goto out;
    }
    ww_fb_plan_info_t info = {
        row.id,   (uint32_t)seg,         inf,   o->reason, row.by, now, assets.v,
        assets.n, nhosts ? hosts : NULL, nhosts};
    if (ww_fb_render_chain(m, &info, &chain) != 0)
        goto out;
    const char *c1 = chain.p;
    if (ww_fb_render_table(&c1, 1, &table) != 0)
        goto out;
    char detail[4400];
    if (nhosts)
        snprintf(detail, sizeof detail, "plan to quarantine %s %s (segment%s %s)",
                 nhosts == 1 ? "host" : "hosts", hostlist.p, ntsegs == 1 ? "" : "s", segnames.p);
    else
        snprintf(detail, sizeof detail, "plan to isolate segment %s%s%s", m->segs[seg].name,
                 inf ? ", infected host " : "", inf ? inf : "");
    if (ww_fb_plan_set_rules(st, row.id, chain.p, table.p) != 0 ||
        ww_fb_record(st, "plan", row.id, row.segment, row.by, o->reason, table.p, detail) ||
        ww_store_exec(st, "COMMIT", &td) != 0) {
        ww_cli_error("firebreak plan: cannot store the plan: %s%s", ww_store_errmsg(st),
                     ww_store_busy(st) ? " (another process holds the database lock)" : "");
        goto out;
    }
    if (render(m, &info, table.p, o->format, &out) != 0 || out.err)
        goto out;
    fwrite(out.p, 1, out.n, stdout);
    if (o->format && strcmp(o->format, "text"))
        fprintf(stderr, "wardwatch: firebreak: stored as plan %lld\n", (long long)row.id);
    status = WW_EXIT_OK;
out:
    if (st)
        ww_store_rollback(st); /* a no-op once committed */
    ww_buf_release(&chain);
    ww_buf_release(&table);
    ww_buf_release(&out);
    ww_buf_release(&segnames);
    ww_buf_release(&hostlist);
    release_assets(&assets);
    ww_fb_map_free(m);
    ww_store_close(st);
    return status;
}

/* Parses a plan number, opens the store and loads the plan; prints why not.  Returns
 * the plan id with *stp and *row set (the caller closes and releases), or -1. */
static int64_t open_plan(const char *cmd, const char *arg, const opts_t *o, ww_store_t **stp,
                         ww_fb_plan_row_t *row)
{
    int64_t id = parse_id(arg);
    if (id < 0) {
        ww_cli_error("firebreak %s: give a plan number%s%s%s", cmd, arg ? " (not '" : "",
                     arg ? arg : "", arg ? "')" : "");
        return -1;
    }
    ww_store_t *st = open_store(o);
    if (!st)
        return -1;
    int rc = ww_fb_plan_get(st, id, row);
    if (rc) {
        ww_cli_error("firebreak %s: plan %lld: %s", cmd, (long long)id,
                     rc == WW_ENOENT ? "no such plan" : ww_strerror(rc));
        ww_store_close(st);
        return -1;
    }
    *stp = st;
    return id;
}

/* A plan's hosts (host plans) read back against its own map. */
typedef struct plan_hosts {
    ww_fb_host_t v[WW_FB_MAX_HOSTS];
    size_t n;
    uint32_t segs[WW_FB_MAX_HOSTS];
    size_t nsegs;
} plan_hosts_t;

/* Loads a plan and the map it was made from, and for a host plan its hosts; prints
 * why not.  *seg is the isolated segment, or the first host's. */
static int load_plan(ww_store_t *st, const char *arg, ww_fb_plan_row_t *row, ww_fb_map_t **m,
                     int *seg, plan_hosts_t *ph)
{
    memset(ph, 0, sizeof *ph);
    int64_t id = parse_id(arg);
    if (id < 0) {
        ww_cli_error("firebreak: '%s' is not a plan number", arg ? arg : "");
        return -1;
    }
    int rc = ww_fb_plan_get(st, id, row);
    if (rc) {
        ww_cli_error("firebreak: plan %lld: %s", (long long)id,
                     rc == WW_ENOENT ? "no such plan" : ww_strerror(rc));
        return -1;
    }
    *m = load_map(st, row->map_id, NULL, false);
    if (!*m) {
        ww_fb_plan_row_release(row);
        return -1;
    }
    if (row->hosts && *row->hosts) {
        char why[400];
        if (ww_fb_hosts_parse(*m, row->hosts, ph->v, WW_ARRAY_LEN(ph->v), &ph->n, why,
                              sizeof why) != 0) {
            ww_cli_error("firebreak: plan %lld: its hosts do not fit its map: %s", (long long)id,
                         why);
            goto fail;
        }
        ph->nsegs = host_segments(*m, ph->v, ph->n, ph->segs, NULL);
        *seg = (int)ph->v[0].seg;
        return 0;
    }
    *seg = ww_fb_map_find_segment(*m, row->segment);
    if (*seg < 0) {
        ww_cli_error("firebreak: plan %lld: segment %s is not in its map", (long long)id,
                     row->segment);
        goto fail;
    }
    ph->segs[0] = (uint32_t)*seg;
    ph->nsegs = 1;
    return 0;
fail:
    ww_fb_map_free(*m);
    *m = NULL;
    ww_fb_plan_row_release(row);
    return -1;
}

static int cmd_show(int argc, char **argv, const opts_t *o)
{
    if (o->format && strcmp(o->format, "text") && strcmp(o->format, "nft") &&
        strcmp(o->format, "change-request") && strcmp(o->format, "json")) {
        ww_cli_error("firebreak: unknown format '%s' (text, nft, change-request, json)", o->format);
        return WW_EXIT_ERROR;
    }
    ww_store_t *st = open_store(o);
    if (!st)
        return WW_EXIT_ERROR;
    ww_fb_plan_row_t row;
    ww_fb_map_t *m = NULL;
    plan_hosts_t ph;
    int seg, status = WW_EXIT_ERROR;
    if (load_plan(st, argc > 1 ? argv[1] : NULL, &row, &m, &seg, &ph) != 0) {
        ww_store_close(st);
        return WW_EXIT_ERROR;
    }
    assets_t assets;
    collect_assets(st, m, ph.segs, ph.nsegs, &assets);
    /* The same plan as `plan` printed: its own id, reason, author and time, so a
     * change request made now is the one the plan would have given. */
    ww_fb_plan_info_t info = {
        row.id,      (uint32_t)seg, row.infected_ip, row.reason,         row.by,
        row.created, assets.v,      assets.n,        ph.n ? ph.v : NULL, ph.n};
    ww_buf_t out;
    ww_buf_init(&out, 0);
    if (render(m, &info, row.ruleset, o->format, &out) == 0 && !out.err) {
        if (!o->format || !strcmp(o->format, "text"))
            printf("state: %s\n\n", row.state);
        fwrite(out.p, 1, out.n, stdout);
        status = WW_EXIT_OK;
    }
    ww_buf_release(&out);
    release_assets(&assets);
    ww_fb_plan_row_release(&row);
    ww_fb_map_free(m);
    ww_store_close(st);
    return status;
}

/* The file that makes wardwatch's table hold the live plans, less `except`, plus
 * `extra` (a chain) when given. */
static int compose(ww_store_t *st, int64_t except, const char *extra, ww_buf_t *out)
{
    ww_fb_plan_row_t *rows = NULL;
    size_t n = 0;
    int rc = ww_fb_plan_list(st, true, &rows, &n);
    if (rc)
        return rc;
    const char **chains = calloc(n + 1, sizeof(*chains));
    if (!chains) {
        ww_fb_plan_rows_free(rows, n);
        return WW_ENOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (rows[i].id != except)
            chains[k++] = rows[i].chain;
    if (extra)
        chains[k++] = extra;
    rc = ww_fb_render_table(chains, k, out);
    free(chains);
    ww_fb_plan_rows_free(rows, n);
    return rc;
}

/* Starts the watchdog: a detached process (its own session, no terminal) running
 * `wardwatch firebreak watchdog ID --db PATH`, in the same network namespace. */
/* Says on stderr that a failure could not be recorded either, and why. */
static void unrecorded(ww_store_t *st, const char *what)
{
    ww_cli_error("firebreak: %s could not be recorded in the hazard log either (%s%s); write "
                 "it down by hand",
                 what, ww_store_errmsg(st),
                 ww_store_busy(st) ? ": another process holds the database lock" : "");
}

/* Records a failed or refused step (plan state unchanged); on failure says so. */
static void record_failure(ww_store_t *st, const char *action, const ww_fb_plan_row_t *row,
                           const char *by, const char *reason, const char *ruleset,
                           const char *detail)
{
    if (ww_fb_record(st, action, row->id, row->segment, by, reason, ruleset, detail) != 0)
        unrecorded(st, action);
}

/* Starts the watchdog: a detached process (its own session, no terminal) running
 * `wardwatch firebreak watchdog ID --db PATH --ready-fd N`, in the same network
 * namespace.  It counts as started only once it has opened the store, found the plan
 * waiting for confirmation and said so on the pipe: a watchdog that cannot run (no
 * executable, no processes left, no database) is seen here, before anything is
 * loaded.  $WARDWATCH_FIREBREAK_WATCHDOG names another program to run in its place
 * (tests use it to prove that a watchdog that does not start stops the apply).
 * 0, or -1 with why. */
static int spawn_watchdog(const opts_t *o, int64_t id, char *why, size_t whylen)
{
    /* This very program, through /proc/self/exe: it names the running binary even
     * when a package upgrade has replaced or removed the file meanwhile. */
    char exe[4096] = "/proc/self/exe";
    const char *alt = getenv("WARDWATCH_FIREBREAK_WATCHDOG");
    if (alt && *alt)
        snprintf(exe, sizeof exe, "%s", alt);
    char ids[32], dbabs[4096], fds[16];
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    const char *db = ww_store_default_path(o->db);
    /* The watchdog changes directory to /, so a relative database path is resolved now. */
    if (db[0] != '/') {
        char cwd[2048];
        if (!getcwd(cwd, sizeof cwd)) {
            snprintf(why, whylen, "cannot resolve the database path: %s", strerror(errno));
            return -1;
        }
        snprintf(dbabs, sizeof dbabs, "%s/%s", cwd, db);
    } else {
        snprintf(dbabs, sizeof dbabs, "%s", db);
    }
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) != 0) {
        snprintf(why, whylen, "pipe: %s", strerror(errno));
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, whylen, "fork: %s", strerror(errno));
        close(pfd[0]);
        close(pfd[1]);
        return -1;
    }
    if (pid == 0) {
        close(pfd[0]);
        setsid();
        pid_t p2 = fork();
        if (p2 != 0)
            _exit(p2 < 0 ? 1 : 0);
        if (chdir("/") != 0)
            _exit(1);
        int fd = open("/dev/null", O_RDWR);
        if (fd >= 0) {
            dup2(fd, 0);
            dup2(fd, 1);
            dup2(fd, 2);
            if (fd > 2)
                close(fd);
        }
        /* The write end survives exec (and only it): the watchdog answers on it. */
        int wfd = fcntl(pfd[1], F_DUPFD, 3);
        if (wfd < 0)
            _exit(1);
        snprintf(fds, sizeof fds, "%d", wfd);
        char *args[] = {exe, "firebreak", "watchdog", ids, "--db", dbabs, "--ready-fd", fds, NULL};
        execv(exe, args);
        _exit(127);
    }
    close(pfd[1]);
    int stt = 0;
    while (waitpid(pid, &stt, 0) < 0 && errno == EINTR)
        ;
    int rc = -1;
    if (!WIFEXITED(stt) || WEXITSTATUS(stt) != 0) {
        snprintf(why, whylen, "the watchdog process could not be created");
        goto out;
    }
    /* Wait for its word: EOF (it died, or exec failed) means no watchdog. */
    struct pollfd p = {pfd[0], POLLIN, 0};
    int pr;
    while ((pr = poll(&p, 1, WATCHDOG_START_MS)) < 0 && errno == EINTR)
        ;
    char c = 0;
    ssize_t r = 0;
    if (pr > 0) {
        while ((r = read(pfd[0], &c, 1)) < 0 && errno == EINTR)
            ;
    }
    if (pr == 0)
        snprintf(why, whylen, "the watchdog did not report ready within %d s",
                 WATCHDOG_START_MS / 1000);
    else if (r != 1 || c != 'R')
        snprintf(why, whylen, "the watchdog (%.200s) exited before it was ready", exe);
    else
        rc = 0;
out:
    close(pfd[0]);
    return rc;
}

/* Plan `id`'s chain as the kernel lists it now, normalised: 1 and out, 0 when the
 * router does not hold it, WW_EIO when nft cannot be asked. */
static int live_chain(int64_t id, ww_buf_t *out)
{
    ww_buf_t cur;
    ww_buf_init(&cur, 4u << 20);
    int have = ww_fb_nft_current(&cur);
    int rc = have < 0 ? WW_EIO : have == 0 ? 0 : ww_fb_nft_chain_of(cur.p, id, out);
    ww_buf_release(&cur);
    return rc < 0 ? WW_EIO : rc;
}

static int cmd_apply(int argc, char **argv, const opts_t *o)
{
    ww_store_t *st = open_store(o);
    if (!st)
        return WW_EXIT_ERROR;
    ww_fb_plan_row_t row;
    ww_fb_map_t *m = NULL;
    int seg, status = WW_EXIT_ERROR, lockfd = -1;
    plan_hosts_t ph;
    if (load_plan(st, argc > 1 ? argv[1] : NULL, &row, &m, &seg, &ph) != 0) {
        ww_store_close(st);
        return WW_EXIT_ERROR;
    }
    char subject[3200];
    describe_row(&row, subject, sizeof subject);
    /* A host plan touches each host's segment: one of them monitor-only is enough. */
    int monitor_seg = -1;
    for (size_t i = 0; i < ph.nsegs && monitor_seg < 0; i++)
        if (m->segs[ph.segs[i]].monitor_only)
            monitor_seg = (int)ph.segs[i];
    const char *by = who(o);
    const char *reason = o->reason ? o->reason : row.reason;
    ww_buf_t file, undo, msgs, prev, listing;
    ww_buf_init(&file, 0);
    ww_buf_init(&undo, 0);
    ww_buf_init(&msgs, 64 * 1024);
    ww_buf_init(&prev, 4u << 20);
    ww_buf_init(&listing, 4u << 20);
    ww_fb_plan_row_t *live = NULL;
    size_t nlive = 0;
    char detail[768], why[512];
    if (!strcmp(row.state, "pending") || !strcmp(row.state, "active")) {
        ww_cli_error("firebreak apply: plan %lld is already %s", (long long)row.id, row.state);
        goto out;
    }
    if (monitor_seg >= 0 && !o->override_monitor_only) {
        ww_cli_error("firebreak apply: segment %s is marked monitor_only in the map: no apply "
                     "without --override-monitor-only",
                     m->segs[monitor_seg].name);
        record_failure(st, "apply-refused", &row, by, reason, NULL,
                       "segment is monitor_only and no override was given");
        goto out;
    }
    /* Everything that reads the live plans and changes the router happens under the
     * router lock, so a second apply sees the first one's record and keeps its chain. */
    if (o->confirm && ww_fb_router_lock(&lockfd, why, sizeof why) != 0) {
        ww_cli_error("firebreak apply: %s; nothing loaded", why);
        snprintf(detail, sizeof detail, "router lock: %s; nothing loaded", why);
        record_failure(st, "apply-failed", &row, by, reason, NULL, detail);
        goto out;
    }
    if (ww_fb_plan_list(st, true, &live, &nlive) != 0) {
        ww_cli_error("firebreak apply: cannot read the live fire-breaks: %s", ww_store_errmsg(st));
        goto out;
    }
    for (size_t i = 0; i < nlive; i++)
        if (live[i].id != row.id && ww_fb_plan_mark(live[i].id) == ww_fb_plan_mark(row.id)) {
            ww_cli_error("firebreak apply: plan %lld would share conntrack mark 0x%08x with live "
                         "plan %lld (at most %d plans live at once, by number): lift plan %lld, "
                         "or make this plan again for a new number",
                         (long long)row.id, ww_fb_plan_mark(row.id), (long long)live[i].id,
                         WW_FB_CT_MARK_SLOTS, (long long)live[i].id);
            snprintf(detail, sizeof detail, "conntrack mark 0x%08x is held by live plan %lld",
                     ww_fb_plan_mark(row.id), (long long)live[i].id);
            record_failure(st, "apply-refused", &row, by, reason, NULL, detail);
            goto out;
        }
    if (compose(st, row.id, row.chain, &file) != 0 || compose(st, row.id, NULL, &undo) != 0) {
        ww_cli_error("firebreak apply: cannot build the ruleset");
        goto out;
    }
    int chk = ww_fb_nft_load(file.p, true, &msgs);
    if (!o->confirm) {
        printf("Dry run for plan %lld (%s %s). The file nft would load:\n\n%s\n", (long long)row.id,
               ph.n ? "quarantine" : "isolate", subject, file.p);
        if (chk == 0)
            printf("nft -c: the ruleset is valid here.\n");
        else {
            printf("nft -c: the check FAILED%s:\n", chk == WW_EIO ? " (nft could not be run)" : "");
            ww_cli_puts_safe(stdout, msgs.p);
            putchar('\n');
        }
        printf("Nothing was changed. To load it: wardwatch firebreak apply %lld --confirm "
               "[--rollback-after SECONDS]\n",
               (long long)row.id);
        snprintf(detail, sizeof detail, "dry run; nft -c %s", chk == 0 ? "passed" : "failed");
        if (ww_fb_record(st, "dry-run", row.id, row.segment, by, reason, file.p, detail) != 0) {
            unrecorded(st, "the dry run");
            goto out;
        }
        status = chk == 0 ? WW_EXIT_OK : WW_EXIT_ERROR;
        goto out;
    }
    if (chk != 0) {
        ww_cli_error("firebreak apply: nft -c rejects the ruleset, nothing loaded:");
        ww_cli_puts_safe(stderr, msgs.p ? msgs.p : "(nft could not be run)");
        fputc('\n', stderr);
        record_failure(st, "apply-failed", &row, by, reason, file.p,
                       "nft -c rejected the ruleset; nothing loaded");
        goto out;
    }
    int had = ww_fb_nft_current(&prev);
    if (had < 0) {
        ww_cli_error("firebreak apply: cannot read the current nftables state; nothing loaded");
        record_failure(st, "apply-failed", &row, by, reason, file.p,
                       "nft could not list the current table; nothing loaded");
        goto out;
    }
    long secs = o->rollback_after >= 0 ? o->rollback_after : DEFAULT_ROLLBACK_S;
    char now[40];
    ww_fb_now(now, sizeof now);
    int64_t deadline = secs ? now_ms() + (int64_t)secs * 1000 : 0;
    if (secs)
        snprintf(detail, sizeof detail,
                 "loading into table inet " WW_FB_TABLE "%s; rolls back in %ld s unless "
                 "confirmed; the table %s before; conntrack mark 0x%08x",
                 o->override_monitor_only ? " (monitor_only overridden)" : "", secs,
                 had ? "existed" : "did not exist", ww_fb_plan_mark(row.id));
    else
        snprintf(detail, sizeof detail,
                 "loading into table inet " WW_FB_TABLE "%s; no automatic rollback; the table "
                 "%s before; conntrack mark 0x%08x",
                 o->override_monitor_only ? " (monitor_only overridden)" : "",
                 had ? "existed" : "did not exist", ww_fb_plan_mark(row.id));
    /* 1. The record first: a fire-break the hazard log does not know about must never
     *    be on the router. */
    int rc = ww_fb_plan_begin_apply(st, row.id, secs ? "pending" : "active", now, deadline,
                                    had ? prev.p : "", row.segment, by, reason, file.p, detail);
    if (rc <= 0) {
        if (rc == 0)
            ww_cli_error("firebreak apply: plan %lld was applied meanwhile by someone else",
                         (long long)row.id);
        else
            ww_cli_error("firebreak apply: cannot record the apply (%s%s); nothing was loaded",
                         ww_store_errmsg(st),
                         ww_store_busy(st) ? ": another process holds the database lock" : "");
        if (rc < 0)
            record_failure(st, "apply-failed", &row, by, reason, file.p,
                           "the apply could not be recorded; nothing loaded");
        goto out;
    }
    /* 2. The watchdog, before the load: once the rules are in, something must be
     *    able to take them out. */
    if (secs && spawn_watchdog(o, row.id, why, sizeof why) != 0) {
        ww_cli_error("firebreak apply: cannot start the rollback watchdog (%s); nothing was "
                     "loaded",
                     why);
        snprintf(detail, sizeof detail,
                 "the rollback watchdog could not be started (%s); nothing "
                 "loaded",
                 why);
        if (ww_fb_plan_finish(st, row.id, "planned", "apply-failed", row.segment, by, reason, NULL,
                              detail) != 0)
            unrecorded(st, "the failed apply");
        goto out;
    }
    /* 3. The load: one nft transaction. */
    ww_buf_clear(&msgs);
    rc = ww_fb_nft_load(file.p, false, &msgs);
    if (rc != 0) {
        ww_cli_error("firebreak apply: nft -f failed, nothing loaded:");
        ww_cli_puts_safe(stderr, msgs.p ? msgs.p : "");
        fputc('\n', stderr);
        snprintf(detail, sizeof detail,
                 "nft -f failed; nftables is unchanged (one transaction): "
                 "%.300s",
                 msgs.p ? msgs.p : "");
        if (ww_fb_plan_finish(st, row.id, "planned", "apply-failed", row.segment, by, reason,
                              file.p, detail) != 0)
            unrecorded(st, "the failed apply");
        goto out;
    }
    /* 4. What the kernel now holds, for `status` to compare against.  Any failure
     *    here undoes the load at once. */
    rc = live_chain(row.id, &listing);
    const char *fail = NULL;
    if (rc != 1)
        fail = rc == 0 ? "the chain is not in the kernel's listing after the load"
                       : "nft could not list the table after the load";
    else if (ww_fb_plan_set_live(st, row.id, listing.p) != 0) {
        snprintf(why, sizeof why, "the loaded ruleset could not be recorded (%s%s)",
                 ww_store_errmsg(st),
                 ww_store_busy(st) ? ": another process holds the database lock" : "");
        fail = why;
    }
    if (fail) {
        ww_buf_clear(&msgs);
        int u = ww_fb_nft_load(undo.p, false, &msgs);
        ww_cli_error("firebreak apply: %s; %s", fail,
                     u == 0 ? "the load was undone" : "UNDOING THE LOAD FAILED");
        snprintf(detail, sizeof detail, "%s; %s", fail,
                 u == 0 ? "the load was undone at once"
                        : "undoing the load failed: the watchdog will roll it back");
        if (u == 0 && ww_fb_plan_finish(st, row.id, "planned", "apply-failed", row.segment, by,
                                        reason, undo.p, detail) != 0)
            unrecorded(st, "the undone apply");
        if (u != 0)
            record_failure(st, "error", &row, by, reason, undo.p, detail);
        goto out;
    }
    printf("fire-break plan %lld is loaded: %s %s.\n", (long long)row.id, subject,
           ph.n ? (ph.n == 1 ? "is quarantined" : "are quarantined") : "is isolated");
    if (secs)
        printf("It rolls back automatically in %ld s unless you run:\n"
               "  wardwatch firebreak confirm %lld\n",
               secs, (long long)row.id);
    status = WW_EXIT_OK;
out:
    ww_fb_router_unlock(lockfd);
    ww_fb_plan_rows_free(live, nlive);
    ww_buf_release(&file);
    ww_buf_release(&undo);
    ww_buf_release(&msgs);
    ww_buf_release(&prev);
    ww_buf_release(&listing);
    ww_fb_plan_row_release(&row);
    ww_fb_map_free(m);
    ww_store_close(st);
    return status;
}

static int cmd_confirm(int argc, char **argv, const opts_t *o)
{
    ww_store_t *st;
    ww_fb_plan_row_t row;
    int64_t id = open_plan("confirm", argc > 1 ? argv[1] : NULL, o, &st, &row);
    if (id < 0)
        return WW_EXIT_ERROR;
    int status = WW_EXIT_ERROR;
    int rc = ww_fb_plan_confirm(st, id, now_ms(), row.segment, who(o),
                                o->reason ? o->reason : row.reason,
                                "kept: the automatic rollback is cancelled");
    if (rc == 1) {
        printf("fire-break plan %lld confirmed: it stays until `wardwatch firebreak lift %lld`\n",
               (long long)id, (long long)id);
        status = WW_EXIT_OK;
    } else if (rc < 0) {
        ww_cli_error("firebreak confirm: cannot record the confirmation (%s%s); plan %lld is "
                     "NOT confirmed and rolls back at its deadline",
                     ww_store_errmsg(st),
                     ww_store_busy(st) ? ": another process holds the database lock" : "",
                     (long long)id);
    } else {
        bool late = !strcmp(row.state, "pending") || !strcmp(row.state, "rolling-back") ||
                    !strcmp(row.state, "rolled-back");
        ww_cli_error("firebreak confirm: plan %lld is %s, not waiting for confirmation%s",
                     (long long)id, row.state, late ? " (the rollback time had passed)" : "");
    }
    ww_fb_plan_row_release(&row);
    ww_store_close(st);
    return status;
}

/* Takes plan `row` out of wardwatch's table and records `action` with the new state;
 * the caller holds the router lock.  0; -1 when nft failed (nothing changed, recorded
 * as an error); -2 when the router changed but the record could not be written (said
 * on stderr). */
static int take_out(ww_store_t *st, const ww_fb_plan_row_t *row, const char *action,
                    const char *new_state, const char *by, const char *reason, const char *detail)
{
    ww_buf_t file, msgs;
    ww_buf_init(&file, 0);
    ww_buf_init(&msgs, 64 * 1024);
    int rc = compose(st, row->id, NULL, &file);
    if (rc == 0)
        rc = ww_fb_nft_load(file.p, false, &msgs);
    if (rc != 0) {
        char d[400];
        snprintf(d, sizeof d, "%s failed: %.300s", action, msgs.p ? msgs.p : ww_strerror(rc));
        if (ww_fb_record(st, "error", row->id, row->segment, by, reason, file.p, d) != 0)
            unrecorded(st, "the failure");
        ww_cli_error("firebreak %s: nft failed:", action);
        ww_cli_puts_safe(stderr, msgs.p ? msgs.p : ww_strerror(rc));
        fputc('\n', stderr);
        rc = -1;
    } else if (ww_fb_plan_finish(st, row->id, new_state, action, row->segment, by, reason, file.p,
                                 detail) != 0) {
        ww_cli_error("firebreak %s: plan %lld is off the router, but this could not be recorded "
                     "(%s)",
                     action, (long long)row->id, ww_store_errmsg(st));
        rc = -2;
    }
    ww_buf_release(&file);
    ww_buf_release(&msgs);
    return rc;
}

static int cmd_lift(int argc, char **argv, const opts_t *o)
{
    ww_store_t *st;
    ww_fb_plan_row_t row;
    int64_t id = open_plan("lift", argc > 1 ? argv[1] : NULL, o, &st, &row);
    if (id < 0)
        return WW_EXIT_ERROR;
    int status = WW_EXIT_ERROR, lockfd = -1;
    char why[512];
    if (ww_fb_router_lock(&lockfd, why, sizeof why) != 0) {
        ww_cli_error("firebreak lift: %s; nothing changed", why);
        goto out;
    }
    const char *was = NULL;
    int rc = ww_fb_plan_transition(st, id, "pending", "lifting");
    if (rc == 1)
        was = "pending";
    else if (rc == 0 && (rc = ww_fb_plan_transition(st, id, "active", "lifting")) == 1)
        was = "active";
    if (rc < 0) {
        ww_cli_error("firebreak lift: cannot record the lift (%s%s); nothing changed",
                     ww_store_errmsg(st),
                     ww_store_busy(st) ? ": another process holds the database lock" : "");
        goto out;
    }
    if (!was) {
        ww_cli_error("firebreak lift: plan %lld is %s, not applied", (long long)id, row.state);
        goto out;
    }
    rc = take_out(st, &row, "lift", "lifted", who(o), o->reason ? o->reason : row.reason,
                  "fire-break removed; wardwatch's table holds the other live fire-breaks, "
                  "or is gone");
    if (rc == 0) {
        char subject[3200];
        describe_row(&row, subject, sizeof subject);
        printf("fire-break plan %lld lifted: %s %s reachable as before\n", (long long)id, subject,
               row.hosts && strchr(row.hosts, ',') ? "are" : "is");
        status = WW_EXIT_OK;
    } else if (rc == -1) {
        ww_fb_plan_transition(st, id, "lifting", was);
    }
out:
    ww_fb_router_unlock(lockfd);
    ww_fb_plan_row_release(&row);
    ww_store_close(st);
    return status;
}

/* The watchdog's rollback at the deadline, under the router lock.  Returns 1 when
 * the plan no longer needs the watchdog (rolled back, confirmed, lifted), 0 to try
 * again shortly. */
static int watchdog_fire(ww_store_t *st, int64_t id, bool *off_router)
{
    static const char *by = "wardwatch watchdog", *why = "not confirmed in time";
    char lwhy[512];
    int lockfd = -1, done = 0;
    if (ww_fb_router_lock(&lockfd, lwhy, sizeof lwhy) != 0)
        return 0;
    ww_fb_plan_row_t row;
    memset(&row, 0, sizeof row);
    if (ww_fb_plan_get(st, id, &row) != 0)
        goto out;
    if (*off_router) {
        /* Taken out earlier while the store was locked: only the record is missing,
         * unless someone (a lift) has recorded the plan's end meanwhile. */
        if (strcmp(row.state, "pending") != 0 && strcmp(row.state, "rolling-back") != 0) {
            done = 1;
            goto out;
        }
        done = ww_fb_plan_finish(st, id, "rolled-back", "rollback", row.segment, by, why, NULL,
                                 "automatic rollback at the deadline; the store was busy then, "
                                 "so this record was written late") == 0;
        goto out;
    }
    if (strcmp(row.state, "pending") != 0) {
        done = 1;
        goto out;
    }
    int rc = ww_fb_plan_transition(st, id, "pending", "rolling-back");
    if (rc == 0)
        goto out; /* confirmed or lifted meanwhile: look again */
    if (rc < 0) {
        /* The store is locked.  No confirm can succeed past the deadline, so the
         * router comes first: take the chain out now, record it when the store
         * lets us. */
        ww_buf_t file, msgs;
        ww_buf_init(&file, 0);
        ww_buf_init(&msgs, 64 * 1024);
        if (compose(st, id, NULL, &file) == 0 && ww_fb_nft_load(file.p, false, &msgs) == 0)
            *off_router = true;
        ww_buf_release(&file);
        ww_buf_release(&msgs);
        goto out;
    }
    rc = take_out(st, &row, "rollback", "rolled-back", by, why,
                  "automatic rollback: the apply was not confirmed before the deadline");
    if (rc == 0)
        done = 1;
    else if (rc == -1)
        ww_fb_plan_transition(st, id, "rolling-back", "pending"); /* nft failed: again */
    else
        done = 1; /* off the router, state not live; the failure is in the log as best it can */
out:
    ww_fb_plan_row_release(&row);
    ww_fb_router_unlock(lockfd);
    return done;
}

/* The watchdog: waits for the deadline, then rolls the plan back unless it was
 * confirmed or lifted meanwhile.  Runs detached; its only output is the record. */
static int cmd_watchdog(int argc, char **argv, const opts_t *o)
{
    int64_t id = parse_id(argc > 1 ? argv[1] : NULL);
    if (id < 0)
        return WW_EXIT_ERROR;
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    ww_store_t *st = open_store(o);
    if (!st)
        return WW_EXIT_ERROR;
    int status = WW_EXIT_OK;
    ww_fb_plan_row_t row;
    if (ww_fb_plan_get(st, id, &row) != 0) {
        ww_store_close(st);
        return WW_EXIT_ERROR;
    }
    if (strcmp(row.state, "pending") != 0 && strcmp(row.state, "active") != 0) {
        ww_fb_plan_row_release(&row);
        ww_store_close(st);
        return WW_EXIT_ERROR; /* nothing to guard: the apply must not count on us */
    }
    if (o->ready_fd >= 0) {
        char r = 'R';
        ssize_t w;
        while ((w = write(o->ready_fd, &r, 1)) < 0 && errno == EINTR)
            ;
        close(o->ready_fd);
        if (w != 1) {
            ww_fb_plan_row_release(&row);
            ww_store_close(st);
            return WW_EXIT_ERROR;
        }
    }
    /* Informational only (status shows it); a busy store must not stop the guard. */
    ww_fb_plan_set_pid(st, id, (int64_t)getpid());
    bool off_router = false;
    int tries = 0;
    for (;;) {
        ww_fb_plan_row_release(&row);
        if (!off_router) {
            int rc = ww_fb_plan_get(st, id, &row);
            if (rc == WW_ENOENT)
                break;
            if (rc == 0 && strcmp(row.state, "pending") != 0)
                break; /* confirmed, lifted, or failed: nothing to do */
            if (rc == 0 && now_ms() < row.deadline) {
                struct timespec ts = {0, 200 * 1000000L};
                nanosleep(&ts, NULL);
                continue;
            }
            if (rc != 0) { /* store unreadable: try again */
                sleep(1);
                continue;
            }
        }
        if (watchdog_fire(st, id, &off_router))
            break;
        /* Keep trying, but do not spin: an hour of retries covers any sane lock. */
        if (++tries >= 3600) {
            status = WW_EXIT_ERROR;
            break;
        }
        sleep(1);
    }
    ww_fb_plan_row_release(&row);
    ww_store_close(st);
    return status;
}

/* How the router compares with a live plan's record. */
enum { LIVE_YES, LIVE_ABSENT, LIVE_CHANGED, LIVE_UNVERIFIED, LIVE_UNKNOWN };
static const char *const live_words[] = {
    "yes", "NO: not on the router", "NO: changed outside wardwatch",
    ("on the router, NOT VERIFIED (applied before wardwatch recorded what it loaded: lift and "
     "apply again)"),
    "unknown (nft unavailable)"};
static const char *const live_json[] = {"yes", "absent", "changed", "unverified", "unknown"};

static int cmd_status(int argc, char **argv, const opts_t *o)
{
    ww_store_t *st = open_store(o);
    if (!st)
        return WW_EXIT_ERROR;
    ww_fb_plan_row_t *rows = NULL;
    size_t n = 0;
    if (ww_fb_plan_list(st, true, &rows, &n) != 0) {
        ww_cli_error("firebreak status: cannot read the records: %s", ww_store_errmsg(st));
        ww_store_close(st);
        return WW_EXIT_ERROR;
    }
    ww_buf_t cur, chain;
    ww_buf_init(&cur, 4u << 20);
    ww_buf_init(&chain, 4u << 20);
    int have = ww_fb_nft_current(&cur);
    bool json = o->format && !strcmp(o->format, "json");
    bool differs = false;
    if (!json && n == 0)
        printf("no active fire-breaks\n");
    for (size_t i = 0; i < n; i++) {
        const ww_fb_plan_row_t *r = &rows[i];
        int lv = LIVE_UNKNOWN;
        if (have >= 0) {
            ww_buf_clear(&chain);
            int c = have == 1 ? ww_fb_nft_chain_of(cur.p, r->id, &chain) : 0;
            if (c == 0)
                lv = LIVE_ABSENT;
            else if (!r->live_chain)
                /* Applied by an older wardwatch: there is nothing to compare with, so
                 * it cannot be vouched for. */
                lv = LIVE_UNVERIFIED;
            else if (c < 0 || !chain.p || strcmp(chain.p, r->live_chain) != 0)
                lv = LIVE_CHANGED;
            else
                lv = LIVE_YES;
        }
        if (lv != LIVE_YES)
            differs = true;
        long left = r->deadline ? (long)((r->deadline - now_ms() + 999) / 1000) : 0;
        if (json) {
            ww_buf_t j;
            ww_buf_init(&j, 0);
            ww_buf_printf(&j, "{\"plan\":%lld,\"segment\":", (long long)r->id);
            ww_buf_json_str(&j, r->segment, strlen(r->segment));
            /* A host plan's quarantined addresses (wardwatch wrote them: plain). */
            ww_buf_puts(&j, ",\"hosts\":");
            if (r->hosts && *r->hosts) {
                ww_buf_puts(&j, "[\"");
                for (const char *h = r->hosts; *h; h++)
                    if (*h == ',')
                        ww_buf_puts(&j, "\",\"");
                    else
                        ww_buf_putc(&j, *h);
                ww_buf_puts(&j, "\"]");
            } else {
                ww_buf_puts(&j, "null");
            }
            ww_buf_printf(&j, ",\"state\":\"%s\",\"applied_at\":", r->state);
            ww_buf_json_str(&j, r->applied_at ? r->applied_at : "",
                            r->applied_at ? strlen(r->applied_at) : 0);
            ww_buf_puts(&j, ",\"by\":");
            ww_buf_json_str(&j, r->by ? r->by : "", r->by ? strlen(r->by) : 0);
            ww_buf_printf(&j,
                          ",\"rollback_in_s\":%ld,\"loaded\":%s,\"router\":\"%s\","
                          "\"ct_mark\":\"0x%08x\"}\n",
                          !strcmp(r->state, "pending") ? (left > 0 ? left : 0) : -1,
                          lv == LIVE_YES ? "true" : "false", live_json[lv], ww_fb_plan_mark(r->id));
            if (j.p)
                fputs(j.p, stdout);
            ww_buf_release(&j);
            continue;
        }
        char subject[3200];
        describe_row(r, subject, sizeof subject);
        printf("plan %lld  %s  %s", (long long)r->id, subject, r->state);
        if (!strcmp(r->state, "pending"))
            printf(" (rolls back in %ld s unless confirmed)", left > 0 ? left : 0);
        printf("  applied %s  planned by ", r->applied_at ? r->applied_at : "?");
        ww_cli_puts_safe(stdout, r->by ? r->by : "?");
        printf("  loaded: %s\n", live_words[lv]);
    }
    /* Chains in wardwatch's table that no live record accounts for. */
    if (have == 1) {
        int64_t ids[256];
        size_t nids = 0, others = 0;
        ww_fb_nft_chains(cur.p, ids, WW_ARRAY_LEN(ids), &nids, &others);
        size_t stray = others;
        for (size_t k = 0; k < nids; k++) {
            bool known = false;
            for (size_t i = 0; i < n; i++)
                known |= rows[i].id == ids[k];
            stray += !known;
        }
        if (stray || n == 0) {
            differs = true;
            if (!json)
                printf("table inet " WW_FB_TABLE ": changed outside wardwatch: %zu chain%s no "
                       "live fire-break accounts for%s\n",
                       stray, stray == 1 ? "" : "s",
                       n == 0 ? " (no fire-break is recorded as live)" : "");
            else
                printf("{\"table\":\"" WW_FB_TABLE "\",\"router\":\"changed\",\"stray_chains\":"
                       "%zu}\n",
                       stray);
        }
    }
    if (!json && differs)
        fprintf(stderr, "wardwatch: firebreak status: the router does not hold what the records "
                        "say (exit 1)\n");
    ww_buf_release(&cur);
    ww_buf_release(&chain);
    ww_fb_plan_rows_free(rows, n);
    ww_store_close(st);
    if (have < 0 && n > 0)
        return WW_EXIT_ERROR;
    return differs ? WW_EXIT_MATCH : WW_EXIT_OK;
}

/* Prints one labelled value of a record with control characters escaped, so a
 * reason or name can neither forge a record line nor drive the terminal. */
static void put_field(const char *label, const char *v)
{
    fputs(label, stdout);
    ww_cli_puts_safe(stdout, v && *v ? v : "-");
}

static int log_text(void *ud, const ww_fb_log_rec_t *r)
{
    (void)ud;
    printf("#%lld  ", (long long)r->id);
    ww_cli_puts_safe(stdout, r->at);
    fputs("  ", stdout);
    ww_cli_puts_safe(stdout, r->action);
    if (r->plan > 0)
        printf("  plan %lld", (long long)r->plan);
    else
        fputs("  plan -", stdout);
    put_field("  segment ", r->segment);
    put_field("  by ", r->by && *r->by ? r->by : "?");
    putchar('\n');
    if (r->reason && *r->reason) {
        put_field("    why: ", r->reason);
        putchar('\n');
    }
    if (r->detail && *r->detail) {
        put_field("    ", r->detail);
        putchar('\n');
    }
    if (r->ruleset && *r->ruleset) {
        fputs("    ruleset:\n", stdout);
        for (const char *l = r->ruleset; *l;) {
            const char *e = strchr(l, '\n');
            size_t len = e ? (size_t)(e - l) : strlen(l);
            fputs("      | ", stdout);
            ww_cli_put_safe(stdout, l, len);
            putchar('\n');
            l += len + (e ? 1 : 0);
        }
    }
    /* Stop early on a full disk or closed pipe; main() reports it. */
    return ww_cli_output_failed(stdout) ? WW_EIO : 0;
}

static int cmd_log(int argc, char **argv, const opts_t *o)
{
    bool json = o->format && !strcmp(o->format, "json");
    if (o->format && !json && strcmp(o->format, "text")) {
        ww_cli_error("firebreak log: --format text or json");
        return WW_EXIT_ERROR;
    }
    ww_store_t *st = open_store(o);
    if (!st)
        return WW_EXIT_ERROR;
    int rc;
    if (json) {
        ww_buf_t out;
        ww_buf_init(&out, 0);
        rc = ww_fb_log_export(st, true, &out);
        if (rc == 0 && out.n)
            fwrite(out.p, 1, out.n, stdout);
        ww_buf_release(&out);
    } else {
        rc = ww_fb_log_each(st, log_text, NULL);
    }
    if (rc != 0 && !ww_cli_output_failed(stdout))
        ww_cli_error("firebreak log: cannot read the records: %s", ww_store_errmsg(st));
    ww_store_close(st);
    return rc == 0 ? WW_EXIT_OK : WW_EXIT_ERROR;
}

int cmd_firebreak(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
        !strcmp(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? WW_EXIT_ERROR : WW_EXIT_OK;
    }
    static const struct {
        const char *name;
        int (*fn)(int, char **, const opts_t *);
    } subs[] = {
        {"map", cmd_map},           {"flows", cmd_flows},   {"plan", cmd_plan},
        {"show", cmd_show},         {"apply", cmd_apply},   {"confirm", cmd_confirm},
        {"lift", cmd_lift},         {"status", cmd_status}, {"log", cmd_log},
        {"watchdog", cmd_watchdog},
    };
    opts_t o = {0};
    o.rollback_after = -1;
    o.ready_fd = -1;
    /* Options may come anywhere; getopt moves the operands to the end, so ops[0] is
     * the subcommand and the rest are its operands. */
    int rc = parse_opts(argc, argv, &o);
    if (rc)
        return rc > 0 ? WW_EXIT_OK : WW_EXIT_ERROR;
    char **ops = argv + optind;
    int nops = argc - optind;
    if (nops < 1) {
        usage(stderr);
        return WW_EXIT_ERROR;
    }
    for (size_t i = 0; i < WW_ARRAY_LEN(subs); i++)
        if (!strcmp(ops[0], subs[i].name))
            return subs[i].fn(nops, ops, &o);
    ww_cli_error("firebreak: unknown command '%s'", ops[0]);
    usage(stderr);
    return WW_EXIT_ERROR;
}
