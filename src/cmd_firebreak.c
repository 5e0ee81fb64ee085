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

#define DEFAULT_ROLLBACK_S WW_FB_DEFAULT_ROLLBACK_S
#define MAX_ROLLBACK_S 86400

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

/* ---- plans ---- */

static int64_t parse_id(const char *s)
{
    int64_t v;
    if (!s || ww_parse_i64(s, strlen(s), &v) != 0 || v <= 0)
        return -1;
    return v;
}

/* Says on stderr what lib/firebreak could not say for itself: the register that could
 * not be read (the plan lists segments only), the assets past the cap. */
static void assets_words(const ww_fb_assets_t *x)
{
    if (x->unreadable[0])
        ww_cli_error("firebreak: the asset register could not be read (%s); segments only",
                     x->unreadable);
    if (x->truncated)
        ww_cli_error("firebreak: more than %d registered assets in reach; the first are listed",
                     WW_FB_MAX_PLAN_ASSETS);
}

/* A lib/firebreak message on stderr with control characters escaped (it may quote a
 * name or an address as given). */
static void lib_error(const char *prefix, const char *why)
{
    char safe[4096];
    if (why && *why)
        ww_cli_error("%s%s", prefix, ww_cli_safe(why, strlen(why), safe, sizeof safe));
}

/* Records that could not be written, said as the CLI always did. */
static void unrecorded_words(const ww_fb_result_t *res)
{
    for (const char *l = res->unrecorded; *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) : strlen(l);
        ww_cli_error("firebreak: %.*s", (int)n, l);
        l += n + (e ? 1 : 0);
    }
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
    ww_store_t *st = open_store(o);
    if (!st)
        return WW_EXIT_ERROR;
    ww_fb_plan_req_t req = {o->infected, o->segment, o->host_given ? o->hosts : NULL, o->reason,
                            who(o)};
    ww_fb_loaded_t p;
    char why[4400];
    int rc = ww_fb_plan_make(st, &req, &p, why, sizeof why);
    if (rc != 0) {
        /* A missing or broken map is the store's, not the plan's: said as every command
         * says it. */
        lib_error(rc == WW_ENOENT && strstr(why, "no network map") ? "firebreak: "
                                                                   : "firebreak plan: ",
                  why);
        ww_store_close(st);
        return WW_EXIT_ERROR;
    }
    print_warnings(p.map_path[0] ? p.map_path : "stored map", p.m);
    assets_words(&p.assets);
    int status = WW_EXIT_ERROR;
    ww_buf_t out;
    ww_buf_init(&out, 0);
    if (render(p.m, &p.info, p.row.ruleset, o->format, &out) == 0 && !out.err) {
        fwrite(out.p, 1, out.n, stdout);
        if (o->format && strcmp(o->format, "text"))
            fprintf(stderr, "wardwatch: firebreak: stored as plan %lld\n", (long long)p.row.id);
        status = WW_EXIT_OK;
    }
    ww_buf_release(&out);
    ww_fb_loaded_release(&p);
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

/* Loads a plan and the map it was made from (lib/firebreak); prints why not. */
static int load_plan(ww_store_t *st, const char *arg, bool with_assets, ww_fb_loaded_t *p)
{
    int64_t id = parse_id(arg);
    if (id < 0) {
        ww_cli_error("firebreak: '%s' is not a plan number", arg ? arg : "");
        return -1;
    }
    char why[1024];
    if (ww_fb_plan_open(st, id, with_assets, p, why, sizeof why) != 0) {
        lib_error("firebreak: ", why);
        return -1;
    }
    if (with_assets)
        assets_words(&p->assets);
    return 0;
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
    ww_fb_loaded_t p;
    int status = WW_EXIT_ERROR;
    if (load_plan(st, argc > 1 ? argv[1] : NULL, true, &p) != 0) {
        ww_store_close(st);
        return WW_EXIT_ERROR;
    }
    /* The same plan as `plan` printed: its own id, reason, author and time, so a
     * change request made now is the one the plan would have given. */
    ww_buf_t out;
    ww_buf_init(&out, 0);
    if (render(p.m, &p.info, p.row.ruleset, o->format, &out) == 0 && !out.err) {
        if (!o->format || !strcmp(o->format, "text"))
            printf("state: %s\n\n", p.row.state);
        fwrite(out.p, 1, out.n, stdout);
        status = WW_EXIT_OK;
    }
    ww_buf_release(&out);
    ww_fb_loaded_release(&p);
    ww_store_close(st);
    return status;
}

/* The watchdog for the CLI: this very program, through /proc/self/exe (it names the
 * running binary even when a package upgrade has replaced or removed the file
 * meanwhile), or $WARDWATCH_FIREBREAK_WATCHDOG (tests use it to prove that a watchdog
 * that does not start stops the apply). */
static int cli_watchdog(void *ud, int64_t id, char *why, size_t whylen)
{
    const opts_t *o = ud;
    const char *alt = getenv("WARDWATCH_FIREBREAK_WATCHDOG");
    return ww_fb_watchdog_spawn(alt && *alt ? alt : "/proc/self/exe", ww_store_default_path(o->db),
                                id, why, whylen);
}

static int cmd_apply(int argc, char **argv, const opts_t *o)
{
    ww_store_t *st = open_store(o);
    if (!st)
        return WW_EXIT_ERROR;
    ww_fb_loaded_t p;
    if (load_plan(st, argc > 1 ? argv[1] : NULL, false, &p) != 0) {
        ww_store_close(st);
        return WW_EXIT_ERROR;
    }
    ww_fb_apply_opts_t ao = {
        who(o),       o->reason, o->confirm, o->rollback_after, o->override_monitor_only,
        cli_watchdog, (void *)o};
    ww_fb_result_t res;
    ww_fb_result_init(&res);
    char why[4096];
    int status = WW_EXIT_ERROR;
    int rc = ww_fb_apply(st, &p, &ao, &res, why, sizeof why);
    if (rc != 0) {
        lib_error("firebreak apply: ", why);
        if (res.show_msgs) {
            ww_cli_puts_safe(stderr, res.msgs.p && res.msgs.n
                                         ? res.msgs.p
                                         : (res.check == WW_EIO ? "(nft could not be run)" : ""));
            fputc('\n', stderr);
        }
        unrecorded_words(&res);
        goto out;
    }
    unrecorded_words(&res);
    if (!o->confirm) {
        printf("Dry run for plan %lld (%s %s). The file nft would load:\n\n%s\n",
               (long long)p.row.id, res.quarantine ? "quarantine" : "isolate", res.subject,
               res.file.p);
        if (res.check == 0)
            printf("nft -c: the ruleset is valid here.\n");
        else {
            printf("nft -c: the check FAILED%s:\n",
                   res.check == WW_EIO ? " (nft could not be run)" : "");
            ww_cli_puts_safe(stdout, res.msgs.p ? res.msgs.p : "");
            putchar('\n');
        }
        printf("Nothing was changed. To load it: wardwatch firebreak apply %lld --confirm "
               "[--rollback-after SECONDS]\n",
               (long long)p.row.id);
        status = res.check == 0 ? WW_EXIT_OK : WW_EXIT_ERROR;
        goto out;
    }
    printf("fire-break plan %lld is loaded: %s %s.\n", (long long)p.row.id, res.subject,
           p.nhosts ? (p.nhosts == 1 ? "is quarantined" : "are quarantined") : "is isolated");
    if (res.secs)
        printf("It rolls back automatically in %ld s unless you run:\n"
               "  wardwatch firebreak confirm %lld\n",
               res.secs, (long long)p.row.id);
    status = WW_EXIT_OK;
out:
    ww_fb_result_release(&res);
    ww_fb_loaded_release(&p);
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
    char why[1024];
    if (ww_fb_confirm(st, &row, who(o), o->reason, why, sizeof why) == 0) {
        printf("fire-break plan %lld confirmed: it stays until `wardwatch firebreak lift %lld`\n",
               (long long)id, (long long)id);
        status = WW_EXIT_OK;
    } else {
        lib_error("firebreak confirm: ", why);
    }
    ww_fb_plan_row_release(&row);
    ww_store_close(st);
    return status;
}

static int cmd_lift(int argc, char **argv, const opts_t *o)
{
    ww_store_t *st;
    ww_fb_plan_row_t row;
    int64_t id = open_plan("lift", argc > 1 ? argv[1] : NULL, o, &st, &row);
    if (id < 0)
        return WW_EXIT_ERROR;
    int status = WW_EXIT_ERROR;
    ww_fb_result_t res;
    ww_fb_result_init(&res);
    char why[1024];
    if (ww_fb_lift(st, &row, who(o), o->reason, &res, why, sizeof why) == 0) {
        printf("fire-break plan %lld lifted: %s %s reachable as before\n", (long long)id,
               res.subject, row.hosts && strchr(row.hosts, ',') ? "are" : "is");
        status = WW_EXIT_OK;
    } else {
        unrecorded_words(&res);
        lib_error("firebreak lift: ", why);
        if (res.show_msgs) {
            ww_cli_puts_safe(stderr, res.msgs.p ? res.msgs.p : "");
            fputc('\n', stderr);
        }
    }
    ww_fb_result_release(&res);
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
        if (ww_fb_compose(st, id, NULL, &file) == 0 && ww_fb_nft_load(file.p, false, &msgs) == 0)
            *off_router = true;
        ww_buf_release(&file);
        ww_buf_release(&msgs);
        goto out;
    }
    ww_fb_result_t res;
    ww_fb_result_init(&res);
    rc = ww_fb_take_out(st, &row, "rollback", "rolled-back", by, why,
                        "automatic rollback: the apply was not confirmed before the deadline", &res,
                        lwhy, sizeof lwhy);
    ww_fb_result_release(&res);
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
            if (rc == 0 && ww_fb_now_ms() < row.deadline) {
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
        long left = r->deadline ? (long)((r->deadline - ww_fb_now_ms() + 999) / 1000) : 0;
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
        ww_fb_describe(r, subject, sizeof subject);
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
