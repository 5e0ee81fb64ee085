/* wardwatch firebreak: the network map (import, check, show), observed flows against it,
 * isolation plans (blast radius, nftables ruleset, plain statement, change request),
 * and their life on the router: apply (dry-run unless --confirm), the watchdog that
 * rolls an unconfirmed apply back, confirm, lift, status, and the hazard-log export.
 * The library (lib/firebreak) does the work; this file sequences it and prints. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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

/* Options every firebreak subcommand accepts. */
typedef struct opts {
    const char *db, *by, *reason, *format, *infected, *segment;
    bool confirm, override_monitor_only;
    long rollback_after;
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
            "  plan --infected IP | --segment NAME [--reason TEXT]\n"
            "                             blast radius and isolation plan\n"
            "                             (--format text|nft|change-request|json)\n"
            "  show PLAN_ID               a stored plan again (same formats)\n"
            "  apply PLAN_ID [--confirm] [--rollback-after SECONDS] [--override-monitor-only]\n"
            "                             dry-run (nft -c) unless --confirm; rolls back\n"
            "                             unless confirmed in time (default %d s)\n"
            "  confirm PLAN_ID            keep an applied fire-break\n"
            "  lift PLAN_ID               remove a fire-break, restore what was before\n"
            "  status                     active and pending fire-breaks\n"
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
        {"confirm", no_argument, NULL, 'c'},
        {"override-monitor-only", no_argument, NULL, 'o'},
        {"rollback-after", required_argument, NULL, 'a'},
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
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) {
        ww_cli_error("firebreak: %s: %s", path, strerror(errno));
        return -1;
    }
    ww_buf_t b;
    ww_buf_init(&b, WW_FB_MAX_MAP_BYTES + 1);
    char tmp[8192];
    size_t r;
    while ((r = fread(tmp, 1, sizeof tmp, f)) > 0)
        if (ww_buf_append(&b, tmp, r) != 0)
            break;
    bool bad = ferror(f);
    if (f != stdin)
        fclose(f);
    if (b.err || bad) {
        ww_cli_error("firebreak: %s: %s", path,
                     bad ? "read error" : "larger than 1 MiB, not a network map");
        ww_buf_release(&b);
        return -1;
    }
    if (!b.p) {
        b.p = strdup("");
        if (!b.p)
            return -1;
    }
    *out = b.p;
    *len = b.n;
    return 0;
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

/* The stored map (latest, or `id`), parsed.  NULL after printing why. */
static ww_fb_map_t *load_map(ww_store_t *st, int64_t id, int64_t *id_out)
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
    else if (id_out)
        *id_out = mid;
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
        ww_buf_printf(&b, "%s: %u segments, %u flows, %s\n", m->name ? m->name : "network map",
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
            ww_buf_printf(&b, "%s%s%s\n", f->clinical ? "  CLINICAL" : "", f->reason ? "  " : "",
                          f->reason ? f->reason : "");
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
        ww_fb_map_t *m = load_map(st, 0, NULL);
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
    int status = WW_EXIT_OK;
    if (!strcmp(sub, "import")) {
        ww_store_t *st = open_store(o);
        int64_t id = 0;
        if (!st || ww_fb_map_save(st, path, buf, who(o), &id) != 0) {
            ww_cli_error("firebreak: cannot store the map");
            status = WW_EXIT_ERROR;
        } else {
            char detail[128];
            snprintf(detail, sizeof detail, "map %lld: %u segments, %u flows", (long long)id,
                     m->nsegs, m->nflows);
            ww_fb_record(st, "map-import", 0, NULL, who(o), o->reason, NULL, detail);
            printf("stored map %lld from %s: %u segments, %u flows\n", (long long)id, path,
                   m->nsegs, m->nflows);
        }
        ww_store_close(st);
    } else {
        printf("%s: a valid map: %u segments, %u flows\n", path, m->nsegs, m->nflows);
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
    ww_fb_map_t *m = load_map(st, 0, NULL);
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
            printf("  (%llu times, e.g. %s -> %s)\n", (unsigned long long)x->count, x->src, x->dst);
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

/* The registered assets the infected segment reaches today (its own segment too:
 * hosts there need no router).  Empty when the register is empty. */
static void collect_assets(ww_store_t *st, const ww_fb_map_t *m, uint32_t seg, assets_t *x)
{
    memset(x, 0, sizeof *x);
    ww_arena_init(&x->arena, 16384, 64u << 20);
    int *hops = calloc(m->nsegs, sizeof(int)), *via = calloc(m->nsegs, sizeof(int));
    if (hops && via) {
        ww_fb_reach(m, seg, hops, via);
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

static int cmd_plan(int argc, char **argv, const opts_t *o)
{
    if ((!o->infected) == (!o->segment) || argc != 1) {
        ww_cli_error("firebreak plan: give exactly one of --infected IP or --segment NAME");
        return WW_EXIT_ERROR;
    }
    if (o->format && strcmp(o->format, "text") && strcmp(o->format, "nft") &&
        strcmp(o->format, "change-request") && strcmp(o->format, "json")) {
        ww_cli_error("firebreak: unknown format '%s' (text, nft, change-request, json)", o->format);
        return WW_EXIT_ERROR;
    }
    ww_store_t *st = open_store(o);
    if (!st)
        return WW_EXIT_ERROR;
    int status = WW_EXIT_ERROR;
    int64_t map_id = 0;
    ww_fb_map_t *m = load_map(st, 0, &map_id);
    ww_buf_t chain, table, out;
    assets_t assets;
    memset(&assets, 0, sizeof assets);
    ww_buf_init(&chain, 0);
    ww_buf_init(&table, 0);
    ww_buf_init(&out, 0);
    if (!m)
        goto out;
    int seg =
        o->infected ? ww_fb_map_find_ip(m, o->infected) : ww_fb_map_find_segment(m, o->segment);
    if (seg < 0) {
        if (o->infected)
            ww_cli_error("firebreak plan: %s is in no segment of the map", o->infected);
        else
            ww_cli_error("firebreak plan: no segment named '%s' in the map", o->segment);
        goto out;
    }
    char now[40];
    ww_fb_now(now, sizeof now);
    ww_fb_plan_row_t row = {0};
    row.created = now;
    row.by = (char *)who(o);
    row.reason = (char *)o->reason;
    row.map_id = map_id;
    row.segment = m->segs[seg].name;
    row.infected_ip = (char *)o->infected;
    if (ww_fb_plan_insert(st, &row) != 0) {
        ww_cli_error("firebreak plan: cannot store the plan");
        goto out;
    }
    collect_assets(st, m, (uint32_t)seg, &assets);
    ww_fb_plan_info_t info = {row.id, (uint32_t)seg, o->infected, o->reason,
                              row.by, now,           assets.v,    assets.n};
    if (ww_fb_render_chain(m, &info, &chain) != 0)
        goto out;
    const char *c1 = chain.p;
    if (ww_fb_render_table(&c1, 1, &table) != 0)
        goto out;
    char detail[200];
    snprintf(detail, sizeof detail, "plan to isolate segment %s%s%s", m->segs[seg].name,
             o->infected ? ", infected host " : "", o->infected ? o->infected : "");
    if (ww_fb_plan_set_rules(st, row.id, chain.p, table.p) != 0 ||
        ww_fb_record(st, "plan", row.id, m->segs[seg].name, row.by, o->reason, table.p, detail)) {
        ww_cli_error("firebreak plan: cannot store the plan");
        goto out;
    }
    if (render(m, &info, table.p, o->format, &out) != 0 || out.err)
        goto out;
    fwrite(out.p, 1, out.n, stdout);
    if (o->format && strcmp(o->format, "text"))
        fprintf(stderr, "wardwatch: firebreak: stored as plan %lld\n", (long long)row.id);
    status = WW_EXIT_OK;
out:
    ww_buf_release(&chain);
    ww_buf_release(&table);
    ww_buf_release(&out);
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

/* Loads a plan and the map it was made from; prints why not. */
static int load_plan(ww_store_t *st, const char *arg, ww_fb_plan_row_t *row, ww_fb_map_t **m,
                     int *seg)
{
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
    *m = load_map(st, row->map_id, NULL);
    if (!*m) {
        ww_fb_plan_row_release(row);
        return -1;
    }
    *seg = ww_fb_map_find_segment(*m, row->segment);
    if (*seg < 0) {
        ww_cli_error("firebreak: plan %lld: segment %s is not in its map", (long long)id,
                     row->segment);
        ww_fb_map_free(*m);
        ww_fb_plan_row_release(row);
        return -1;
    }
    return 0;
}

static int cmd_show(int argc, char **argv, const opts_t *o)
{
    ww_store_t *st = open_store(o);
    if (!st)
        return WW_EXIT_ERROR;
    ww_fb_plan_row_t row;
    ww_fb_map_t *m = NULL;
    int seg, status = WW_EXIT_ERROR;
    if (load_plan(st, argc > 1 ? argv[1] : NULL, &row, &m, &seg) != 0) {
        ww_store_close(st);
        return WW_EXIT_ERROR;
    }
    assets_t assets;
    collect_assets(st, m, (uint32_t)seg, &assets);
    ww_fb_plan_info_t info = {row.id, (uint32_t)seg, row.infected_ip, row.reason,
                              row.by, row.created,   assets.v,        assets.n};
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
static int spawn_watchdog(const opts_t *o, int64_t id)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = 0;
    char ids[32], dbabs[4096];
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    const char *db = ww_store_default_path(o->db);
    /* The watchdog changes directory to /, so a relative database path is resolved now. */
    if (db[0] != '/') {
        char cwd[2048];
        if (!getcwd(cwd, sizeof cwd))
            return -1;
        snprintf(dbabs, sizeof dbabs, "%s/%s", cwd, db);
    } else {
        snprintf(dbabs, sizeof dbabs, "%s", db);
    }
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
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
        char *args[] = {exe, "firebreak", "watchdog", ids, "--db", dbabs, NULL};
        execv(exe, args);
        _exit(127);
    }
    int stt;
    while (waitpid(pid, &stt, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(stt) && WEXITSTATUS(stt) == 0 ? 0 : -1;
}

static int cmd_apply(int argc, char **argv, const opts_t *o)
{
    ww_store_t *st = open_store(o);
    if (!st)
        return WW_EXIT_ERROR;
    ww_fb_plan_row_t row;
    ww_fb_map_t *m = NULL;
    int seg, status = WW_EXIT_ERROR;
    if (load_plan(st, argc > 1 ? argv[1] : NULL, &row, &m, &seg) != 0) {
        ww_store_close(st);
        return WW_EXIT_ERROR;
    }
    const char *by = who(o);
    const char *reason = o->reason ? o->reason : row.reason;
    ww_buf_t file, msgs, prev;
    ww_buf_init(&file, 0);
    ww_buf_init(&msgs, 64 * 1024);
    ww_buf_init(&prev, 4u << 20);
    char detail[512];
    if (!strcmp(row.state, "pending") || !strcmp(row.state, "active")) {
        ww_cli_error("firebreak apply: plan %lld is already %s", (long long)row.id, row.state);
        goto out;
    }
    if (m->segs[seg].monitor_only && !o->override_monitor_only) {
        ww_cli_error("firebreak apply: segment %s is marked monitor_only in the map: no apply "
                     "without --override-monitor-only",
                     m->segs[seg].name);
        ww_fb_record(st, "apply-refused", row.id, row.segment, by, reason, NULL,
                     "segment is monitor_only and no override was given");
        goto out;
    }
    if (compose(st, row.id, row.chain, &file) != 0) {
        ww_cli_error("firebreak apply: cannot build the ruleset");
        goto out;
    }
    int chk = ww_fb_nft_load(file.p, true, &msgs);
    if (!o->confirm) {
        printf("Dry run for plan %lld (isolate %s). The file nft would load:\n\n%s\n",
               (long long)row.id, row.segment, file.p);
        if (chk == 0)
            printf("nft -c: the ruleset is valid here.\n");
        else
            printf("nft -c: the check FAILED%s:\n%s\n",
                   chk == WW_EIO ? " (nft could not be run)" : "", msgs.p ? msgs.p : "");
        printf("Nothing was changed. To load it: wardwatch firebreak apply %lld --confirm "
               "[--rollback-after SECONDS]\n",
               (long long)row.id);
        snprintf(detail, sizeof detail, "dry run; nft -c %s", chk == 0 ? "passed" : "failed");
        ww_fb_record(st, "dry-run", row.id, row.segment, by, reason, file.p, detail);
        status = chk == 0 ? WW_EXIT_OK : WW_EXIT_ERROR;
        goto out;
    }
    if (chk != 0) {
        ww_cli_error("firebreak apply: nft -c rejects the ruleset, nothing loaded:\n%s",
                     msgs.p ? msgs.p : "(nft could not be run)");
        ww_fb_record(st, "apply-failed", row.id, row.segment, by, reason, file.p,
                     "nft -c rejected the ruleset; nothing loaded");
        goto out;
    }
    int had = ww_fb_nft_current(&prev);
    if (had < 0) {
        ww_cli_error("firebreak apply: cannot read the current nftables state");
        goto out;
    }
    ww_buf_clear(&msgs);
    int rc = ww_fb_nft_load(file.p, false, &msgs);
    if (rc != 0) {
        ww_cli_error("firebreak apply: nft -f failed, nothing loaded:\n%s", msgs.p ? msgs.p : "");
        ww_fb_record(st, "apply-failed", row.id, row.segment, by, reason, file.p,
                     "nft -f failed; nftables is unchanged (one transaction)");
        goto out;
    }
    long secs = o->rollback_after >= 0 ? o->rollback_after : DEFAULT_ROLLBACK_S;
    char now[40];
    ww_fb_now(now, sizeof now);
    int64_t deadline = secs ? now_ms() + (int64_t)secs * 1000 : 0;
    ww_fb_plan_set_state(st, row.id, secs ? "pending" : "active", now, deadline, had ? prev.p : "",
                         0);
    snprintf(detail, sizeof detail, "loaded into table inet " WW_FB_TABLE "%s; %s%s",
             o->override_monitor_only ? " (monitor_only overridden)" : "",
             secs ? "automatic rollback unless confirmed within " : "no automatic rollback",
             secs ? "the stated time" : "");
    if (secs)
        snprintf(detail, sizeof detail,
                 "loaded into table inet " WW_FB_TABLE "%s; rolls back in %ld s unless "
                 "confirmed; the table %s before",
                 o->override_monitor_only ? " (monitor_only overridden)" : "", secs,
                 had ? "existed" : "did not exist");
    ww_fb_record(st, "apply", row.id, row.segment, by, reason, file.p, detail);
    printf("fire-break plan %lld is loaded: segment %s is isolated.\n", (long long)row.id,
           row.segment);
    if (secs) {
        if (spawn_watchdog(o, row.id) != 0) {
            /* Without a watchdog nothing would roll back: take the change out again
             * rather than leave an unguarded fire-break. */
            ww_buf_t undo, um;
            ww_buf_init(&undo, 0);
            ww_buf_init(&um, 64 * 1024);
            compose(st, row.id, NULL, &undo);
            ww_fb_nft_load(undo.p, false, &um);
            ww_fb_plan_set_state(st, row.id, "rolled-back", NULL, 0, NULL, 0);
            ww_fb_record(st, "rollback", row.id, row.segment, "wardwatch", reason, undo.p,
                         "the watchdog could not be started; the apply was undone");
            ww_buf_release(&undo);
            ww_buf_release(&um);
            ww_cli_error("firebreak apply: cannot start the rollback watchdog; undone");
            goto out;
        }
        printf("It rolls back automatically in %ld s unless you run:\n"
               "  wardwatch firebreak confirm %lld\n",
               secs, (long long)row.id);
    }
    status = WW_EXIT_OK;
out:
    ww_buf_release(&file);
    ww_buf_release(&msgs);
    ww_buf_release(&prev);
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
    if (ww_fb_plan_transition(st, id, "pending", "active") == 1) {
        ww_fb_plan_set_state(st, id, "active", NULL, 0, NULL, row.watchdog_pid);
        ww_fb_record(st, "confirm", id, row.segment, who(o), o->reason ? o->reason : row.reason,
                     NULL, "kept: the automatic rollback is cancelled");
        printf("fire-break plan %lld confirmed: it stays until `wardwatch firebreak lift %lld`\n",
               (long long)id, (long long)id);
        status = WW_EXIT_OK;
    } else {
        ww_cli_error("firebreak confirm: plan %lld is %s, not waiting for confirmation%s",
                     (long long)id, row.state,
                     !strcmp(row.state, "rolled-back") ? " (the rollback time had passed)" : "");
    }
    ww_fb_plan_row_release(&row);
    ww_store_close(st);
    return status;
}

/* Takes plan `id` out of wardwatch's table, recording `action`.  from_state: the state
 * it must be in (NULL: pending or active). */
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
        ww_fb_record(st, "error", row->id, row->segment, by, reason, file.p, d);
        ww_cli_error("firebreak %s: nft failed: %s", action, msgs.p ? msgs.p : ww_strerror(rc));
        rc = -1;
    } else {
        ww_fb_plan_set_state(st, row->id, new_state, NULL, 0, NULL, 0);
        ww_fb_record(st, action, row->id, row->segment, by, reason, file.p, detail);
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
    int status = WW_EXIT_ERROR;
    const char *was = row.state;
    if ((ww_fb_plan_transition(st, id, "pending", "lifting") == 1) ||
        (ww_fb_plan_transition(st, id, "active", "lifting") == 1)) {
        if (take_out(st, &row, "lift", "lifted", who(o), o->reason ? o->reason : row.reason,
                     "fire-break removed; wardwatch's table holds the other live fire-breaks, "
                     "or is gone") == 0) {
            printf("fire-break plan %lld lifted: segment %s is reachable as before\n",
                   (long long)id, row.segment);
            status = WW_EXIT_OK;
        } else {
            ww_fb_plan_transition(st, id, "lifting", was);
        }
    } else {
        ww_cli_error("firebreak lift: plan %lld is %s, not applied", (long long)id, row.state);
    }
    ww_fb_plan_row_release(&row);
    ww_store_close(st);
    return status;
}

/* The watchdog: waits for the deadline, then rolls the plan back unless it was
 * confirmed or lifted meanwhile.  Runs detached; its only output is the record. */
static int cmd_watchdog(int argc, char **argv, const opts_t *o)
{
    int64_t id = parse_id(argc > 1 ? argv[1] : NULL);
    if (id < 0)
        return WW_EXIT_ERROR;
    signal(SIGHUP, SIG_IGN);
    ww_store_t *st = open_store(o);
    if (!st)
        return WW_EXIT_ERROR;
    int status = WW_EXIT_OK;
    ww_fb_plan_row_t row;
    if (ww_fb_plan_get(st, id, &row) != 0) {
        ww_store_close(st);
        return WW_EXIT_ERROR;
    }
    ww_fb_plan_set_state(st, id, row.state, NULL, row.deadline, NULL, (int64_t)getpid());
    int failures = 0;
    for (;;) {
        ww_fb_plan_row_release(&row);
        if (ww_fb_plan_get(st, id, &row) != 0 || strcmp(row.state, "pending") != 0)
            break; /* confirmed, lifted, or gone: nothing to do */
        if (now_ms() < row.deadline) {
            struct timespec ts = {0, 200 * 1000000L};
            nanosleep(&ts, NULL);
            continue;
        }
        if (ww_fb_plan_transition(st, id, "pending", "rolling-back") != 1)
            continue;
        if (take_out(st, &row, "rollback", "rolled-back", "wardwatch watchdog",
                     "not confirmed in time",
                     "automatic rollback: the apply was not confirmed before the deadline") == 0)
            break;
        /* nft failed: stay pending and try again shortly; give up after a minute. */
        ww_fb_plan_transition(st, id, "rolling-back", "pending");
        if (++failures >= 60) {
            status = WW_EXIT_ERROR;
            break;
        }
        sleep(1);
    }
    ww_fb_plan_row_release(&row);
    ww_store_close(st);
    return status;
}

static int cmd_status(int argc, char **argv, const opts_t *o)
{
    ww_store_t *st = open_store(o);
    if (!st)
        return WW_EXIT_ERROR;
    ww_fb_plan_row_t *rows = NULL;
    size_t n = 0;
    if (ww_fb_plan_list(st, true, &rows, &n) != 0) {
        ww_store_close(st);
        return WW_EXIT_ERROR;
    }
    ww_buf_t cur;
    ww_buf_init(&cur, 4u << 20);
    int have = ww_fb_nft_current(&cur);
    bool json = o->format && !strcmp(o->format, "json");
    if (!json && n == 0)
        printf("no active fire-breaks\n");
    for (size_t i = 0; i < n; i++) {
        const ww_fb_plan_row_t *r = &rows[i];
        char needle[64];
        snprintf(needle, sizeof needle, "chain plan_%lld {", (long long)r->id);
        const char *loaded = have < 0 ? "unknown (nft unavailable)"
                             : (have == 1 && cur.p && strstr(cur.p, needle)) ? "yes"
                                                                             : "NO (table changed "
                                                                               "outside wardwatch)";
        long left = r->deadline ? (long)((r->deadline - now_ms() + 999) / 1000) : 0;
        if (json) {
            /* `by` is free text from the command line: escape it. */
            ww_buf_t j;
            ww_buf_init(&j, 0);
            ww_buf_printf(&j, "{\"plan\":%lld,\"segment\":\"%s\",\"state\":\"%s\",\"applied_at\":",
                          (long long)r->id, r->segment, r->state);
            ww_buf_json_str(&j, r->applied_at ? r->applied_at : "",
                            r->applied_at ? strlen(r->applied_at) : 0);
            ww_buf_puts(&j, ",\"by\":");
            ww_buf_json_str(&j, r->by ? r->by : "", r->by ? strlen(r->by) : 0);
            ww_buf_printf(&j, ",\"rollback_in_s\":%ld,\"loaded\":%s}\n",
                          !strcmp(r->state, "pending") ? left : -1,
                          !strcmp(loaded, "yes") ? "true" : "false");
            if (j.p)
                fputs(j.p, stdout);
            ww_buf_release(&j);
            continue;
        }
        printf("plan %lld  segment %s  %s", (long long)r->id, r->segment, r->state);
        if (!strcmp(r->state, "pending"))
            printf(" (rolls back in %ld s unless confirmed)", left > 0 ? left : 0);
        printf("  applied %s  planned by %s  loaded: %s\n", r->applied_at ? r->applied_at : "?",
               r->by ? r->by : "?", loaded);
    }
    if (!json && have == 1 && n == 0)
        printf("note: table inet " WW_FB_TABLE " exists but no fire-break is recorded as live\n");
    ww_buf_release(&cur);
    ww_fb_plan_rows_free(rows, n);
    ww_store_close(st);
    return WW_EXIT_OK;
}

static int cmd_log(int argc, char **argv, const opts_t *o)
{
    ww_store_t *st = open_store(o);
    if (!st)
        return WW_EXIT_ERROR;
    ww_buf_t out;
    ww_buf_init(&out, 0);
    bool json = o->format && !strcmp(o->format, "json");
    if (o->format && !json && strcmp(o->format, "text")) {
        ww_cli_error("firebreak log: --format text or json");
        ww_store_close(st);
        return WW_EXIT_ERROR;
    }
    int rc = ww_fb_log_export(st, json, &out);
    if (rc == 0)
        fwrite(out.p ? out.p : "", 1, out.n, stdout);
    else
        ww_cli_error("firebreak log: %s", ww_strerror(rc));
    ww_buf_release(&out);
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
