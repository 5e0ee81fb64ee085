/* Isolation plans: from the map and what to cut off (one segment, or single hosts
 * quarantined with their own segment's clinical flows), the nftables chain that does
 * it, the file that loads it into wardwatch's own table, and the three readable forms
 * (the plain statement of what keeps working and what stops, the change request for
 * non-Linux firewalls, JSON).  Every form is derived from the same list of allowed
 * paths (scope_paths) so they cannot disagree. */
#include <stdio.h>
#include <stdlib.h>

#include "firebreak/ww_fb_int.h"

/* One end of an allowed path: a whole segment, only the quarantined hosts in it, or
 * the segment without its quarantined hosts (a management segment one of whose hosts
 * is quarantined must not let that host in through the management exception). */
enum { SIDE_ALL, SIDE_HOSTS, SIDE_ALL_BUT_HOSTS };
typedef struct side {
    uint32_t seg;
    int mode;
} side_t;

/* One allowed path through the fire-break. */
typedef struct path {
    side_t a, z;              /* from, to */
    const ww_fb_flow_t *flow; /* NULL: the management exception */
    bool reverse;             /* a both-ways flow, taken from its `to` side */
} path_t;

/* What a plan cuts off and the paths it keeps, computed once for every form. */
typedef struct scope {
    const ww_fb_map_t *m;
    const ww_fb_plan_info_t *p;
    bool hostplan;
    bool *target; /* per segment: isolated, or holding a quarantined host */
    path_t *paths;
    size_t npaths;
} scope_t;

static bool is_target(const scope_t *s, uint32_t i)
{
    return s->target[i];
}

/* The paths a plan keeps open, in rule order: management first, then the clinical
 * flows that touch a target, each direction a flow allows.  For a segment plan this
 * is the segment's management and clinical flows; for a host plan the same for each
 * host's segment, with the host alone as that end.  A flow between two segments that
 * both hold quarantined hosts gives one path per end: a quarantined host on one end
 * may use it with every host of the other end (quarantined or not), because the flow
 * is an exception of both. */
static void scope_paths(scope_t *s, size_t cap)
{
    const ww_fb_map_t *m = s->m;
    int tmode = s->hostplan ? SIDE_HOSTS : SIDE_ALL;
    size_t n = 0;
    for (uint32_t i = 0; i < m->nsegs; i++) {
        if (m->segs[i].kind != WW_FB_KIND_MANAGEMENT)
            continue;
        int mmode = is_target(s, i) ? SIDE_ALL_BUT_HOSTS : SIDE_ALL;
        for (uint32_t t = 0; t < m->nsegs && n + 2 <= cap; t++) {
            if (t == i || !is_target(s, t))
                continue;
            s->paths[n++] = (path_t){{i, mmode}, {t, tmode}, NULL, false};
            if (m->mgmt == WW_FB_MGMT_BOTH)
                s->paths[n++] = (path_t){{t, tmode}, {i, mmode}, NULL, false};
        }
    }
    for (uint32_t i = 0; i < m->nflows && n + 4 <= cap; i++) {
        const ww_fb_flow_t *f = &m->flows[i];
        if (!f->clinical)
            continue;
        if (is_target(s, f->from)) {
            s->paths[n++] = (path_t){{f->from, tmode}, {f->to, SIDE_ALL}, f, false};
            if (f->both_ways)
                s->paths[n++] = (path_t){{f->to, SIDE_ALL}, {f->from, tmode}, f, true};
        }
        if (is_target(s, f->to) && (s->hostplan || !is_target(s, f->from))) {
            s->paths[n++] = (path_t){{f->from, SIDE_ALL}, {f->to, tmode}, f, false};
            if (f->both_ways)
                s->paths[n++] = (path_t){{f->to, tmode}, {f->from, SIDE_ALL}, f, true};
        }
    }
    s->npaths = n;
}

static void scope_release(scope_t *s)
{
    free(s->target);
    free(s->paths);
    memset(s, 0, sizeof *s);
}

static int scope_init(scope_t *s, const ww_fb_map_t *m, const ww_fb_plan_info_t *p)
{
    memset(s, 0, sizeof *s);
    s->m = m;
    s->p = p;
    s->hostplan = p->nhosts > 0;
    s->target = calloc(m->nsegs ? m->nsegs : 1, sizeof(bool));
    size_t ntargets = 0;
    if (!s->target)
        return WW_ENOMEM;
    if (s->hostplan) {
        for (size_t i = 0; i < p->nhosts; i++)
            if (p->hosts[i].seg < m->nsegs && !s->target[p->hosts[i].seg]) {
                s->target[p->hosts[i].seg] = true;
                ntargets++;
            }
    } else if (p->seg < m->nsegs) {
        s->target[p->seg] = true;
        ntargets = 1;
    }
    size_t cap = 2 * (size_t)m->nsegs * ntargets + 4 * (size_t)m->nflows + 2;
    s->paths = calloc(cap, sizeof(path_t));
    if (!s->paths) {
        scope_release(s);
        return WW_ENOMEM;
    }
    scope_paths(s, cap);
    return 0;
}

/* Makes outside text safe for an nft comment or one line of a report. */
static void put_clean(ww_buf_t *b, const char *s, size_t max)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; p && *p && n < max; p++, n++)
        ww_buf_putc(b, (*p < 0x20 || *p == 0x7f || *p == '"') ? ' ' : (char)*p);
}

static void put_cidrs(ww_buf_t *b, const ww_fb_segment_t *s, int family, const char *sep)
{
    bool first = true;
    for (uint32_t k = 0; k < s->ncidrs; k++) {
        if (family && s->cidrs[k].family != family)
            continue;
        char t[64];
        ww_fb_cidr_format(&s->cidrs[k], t, sizeof t);
        if (!first)
            ww_buf_puts(b, sep);
        ww_buf_puts(b, t);
        first = false;
    }
}

static bool has_family(const ww_fb_segment_t *s, int family)
{
    for (uint32_t k = 0; k < s->ncidrs; k++)
        if (s->cidrs[k].family == family)
            return true;
    return false;
}

static void put_ports(ww_buf_t *b, const ww_fb_flow_t *f, const char *sep)
{
    for (uint32_t k = 0; k < f->nports; k++) {
        if (k)
            ww_buf_puts(b, sep);
        if (f->ports[k].lo == f->ports[k].hi)
            ww_buf_printf(b, "%u", f->ports[k].lo);
        else
            ww_buf_printf(b, "%u-%u", f->ports[k].lo, f->ports[k].hi);
    }
}

/* "tcp ports 104, 11112", "udp (every port)", "icmp", "any protocol" */
static void put_service(ww_buf_t *b, const ww_fb_flow_t *f)
{
    if (!f) {
        ww_buf_puts(b, "any protocol, any port");
        return;
    }
    if (f->proto == WW_FB_ANY) {
        ww_buf_puts(b, "any protocol, any port");
        return;
    }
    if (f->proto == WW_FB_ICMP) {
        ww_buf_puts(b, "ICMP (ping)");
        return;
    }
    ww_buf_puts(b, f->proto == WW_FB_TCP ? "TCP" : "UDP");
    if (f->nports == 0) {
        ww_buf_puts(b, " any port");
        return;
    }
    ww_buf_puts(b, f->nports == 1 && f->ports[0].lo == f->ports[0].hi ? " port " : " ports ");
    put_ports(b, f, ", ");
}

/* The protocol and port match of an nft rule for one family. */
/* The protocol and port match for one family; `reply` matches the answers of such a
 * connection (the ports as source ports). */
static void put_nft_service_dir(ww_buf_t *b, const ww_fb_flow_t *f, int family, bool reply)
{
    if (!f || f->proto == WW_FB_ANY)
        return;
    if (f->proto == WW_FB_ICMP) {
        ww_buf_puts(b, family == 4 ? " meta l4proto icmp" : " meta l4proto ipv6-icmp");
        return;
    }
    const char *p = f->proto == WW_FB_TCP ? "tcp" : "udp";
    if (f->nports == 0) {
        ww_buf_printf(b, " meta l4proto %s", p);
        return;
    }
    ww_buf_printf(b, " %s %s { ", p, reply ? "sport" : "dport");
    put_ports(b, f, ", ");
    ww_buf_puts(b, " }");
}

static void put_nft_service(ww_buf_t *b, const ww_fb_flow_t *f, int family)
{
    put_nft_service_dir(b, f, family, false);
}

static void put_flow_words(ww_buf_t *b, const ww_fb_map_t *m, const ww_fb_flow_t *f)
{
    ww_buf_printf(b, "%s %s %s, ", m->segs[f->from].name, f->both_ways ? "<->" : "->",
                  m->segs[f->to].name);
    put_service(b, f);
}

uint32_t ww_fb_plan_mark(int64_t id)
{
    uint64_t slot = (uint64_t)(id > 0 ? id - 1 : 0) % WW_FB_CT_MARK_SLOTS;
    return (uint32_t)1 << (WW_FB_CT_MARK_SHIFT + slot);
}

/* The quarantined hosts of segment `seg` (UINT32_MAX: every segment) and family
 * `family` (0: both), joined by sep.  False when there are none. */
static bool put_hosts(ww_buf_t *b, const scope_t *s, uint32_t seg, int family, const char *sep)
{
    bool first = true;
    for (size_t i = 0; i < s->p->nhosts; i++) {
        const ww_fb_host_t *h = &s->p->hosts[i];
        if ((seg != UINT32_MAX && h->seg != seg) || (family && h->family != family))
            continue;
        if (!first)
            ww_buf_puts(b, sep);
        ww_buf_puts(b, h->text);
        first = false;
    }
    return !first;
}

static bool hosts_have(const scope_t *s, uint32_t seg, int family)
{
    for (size_t i = 0; i < s->p->nhosts; i++)
        if ((seg == UINT32_MAX || s->p->hosts[i].seg == seg) && s->p->hosts[i].family == family)
            return true;
    return false;
}

static bool side_has(const scope_t *s, side_t d, int family)
{
    return d.mode == SIDE_HOSTS ? hosts_have(s, d.seg, family)
                                : has_family(&s->m->segs[d.seg], family);
}

/* One end of a rule: "ip saddr { ... }", with the quarantined hosts left out of a
 * segment where they must not ride on its exception. */
static void put_nft_side(ww_buf_t *b, const scope_t *s, side_t d, int family, const char *dir)
{
    const char *kw = family == 4 ? "ip" : "ip6";
    ww_buf_printf(b, "%s %s { ", kw, dir);
    if (d.mode == SIDE_HOSTS)
        put_hosts(b, s, d.seg, family, ", ");
    else
        put_cidrs(b, &s->m->segs[d.seg], family, ", ");
    ww_buf_puts(b, " }");
    if (d.mode == SIDE_ALL_BUT_HOSTS && hosts_have(s, d.seg, family)) {
        ww_buf_printf(b, " %s %s != { ", kw, dir);
        put_hosts(b, s, d.seg, family, ", ");
        ww_buf_puts(b, " }");
    }
}

/* One end in words: "wards", "10.10.0.7 (wards)", "management except 10.90.0.5". */
static void put_side_name(ww_buf_t *b, const scope_t *s, side_t d)
{
    const char *name = s->m->segs[d.seg].name;
    if (d.mode == SIDE_HOSTS) {
        put_hosts(b, s, d.seg, 0, ", ");
        ww_buf_printf(b, " (%s)", name);
        return;
    }
    ww_buf_puts(b, name);
    if (d.mode == SIDE_ALL_BUT_HOSTS) {
        ww_buf_puts(b, " except ");
        put_hosts(b, s, d.seg, 0, ", ");
    }
}

/* One end with its addresses, for a change request. */
static void put_side_addrs(ww_buf_t *b, const scope_t *s, side_t d)
{
    const ww_fb_segment_t *g = &s->m->segs[d.seg];
    if (d.mode == SIDE_HOSTS) {
        ww_buf_printf(b, "%s host%s ", g->name, s->p->nhosts > 1 ? "(s)" : "");
        put_hosts(b, s, d.seg, 0, ", ");
        return;
    }
    ww_buf_printf(b, "%s (", g->name);
    put_cidrs(b, g, 0, ", ");
    ww_buf_putc(b, ')');
    if (d.mode == SIDE_ALL_BUT_HOSTS) {
        ww_buf_puts(b, " except ");
        put_hosts(b, s, d.seg, 0, ", ");
    }
}

/* What the plan cuts off: "segment imaging", "host 10.10.0.7 (wards)",
 * "hosts 10.10.0.7 (wards), 10.20.0.9 (imaging)". */
static void put_targets(ww_buf_t *b, const scope_t *s)
{
    if (!s->hostplan) {
        ww_buf_printf(b, "segment %s", s->m->segs[s->p->seg].name);
        return;
    }
    ww_buf_puts(b, s->p->nhosts == 1 ? "host " : "hosts ");
    bool first = true;
    for (uint32_t i = 0; i < s->m->nsegs; i++) {
        if (!is_target(s, i))
            continue;
        if (!first)
            ww_buf_puts(b, ", ");
        put_hosts(b, s, i, 0, ", ");
        ww_buf_printf(b, " (%s)", s->m->segs[i].name);
        first = false;
    }
}

/* The names of the segments that hold quarantined hosts, joined by ", ". */
static void put_target_segs(ww_buf_t *b, const scope_t *s)
{
    bool first = true;
    for (uint32_t i = 0; i < s->m->nsegs; i++)
        if (is_target(s, i)) {
            ww_buf_printf(b, "%s%s", first ? "" : ", ", s->m->segs[i].name);
            first = false;
        }
}

/* Hops from the nearest target to every segment (targets 0), and via. */
static void scope_reach(const scope_t *s, int *hops, int *via, int *tmp_h, int *tmp_v)
{
    const ww_fb_map_t *m = s->m;
    for (uint32_t i = 0; i < m->nsegs; i++) {
        hops[i] = -1;
        via[i] = -1;
    }
    for (uint32_t t = 0; t < m->nsegs; t++) {
        if (!is_target(s, t))
            continue;
        ww_fb_reach(m, t, tmp_h, tmp_v);
        for (uint32_t i = 0; i < m->nsegs; i++)
            if (tmp_h[i] >= 0 && (hops[i] < 0 || tmp_h[i] < hops[i])) {
                hops[i] = tmp_h[i];
                via[i] = tmp_v[i];
            }
    }
}

int ww_fb_render_chain(const ww_fb_map_t *m, const ww_fb_plan_info_t *p, ww_buf_t *out)
{
    scope_t s;
    if (scope_init(&s, m, p) != 0)
        return WW_ENOMEM;
    ww_buf_printf(out, "\tchain plan_%lld {\n", (long long)p->id);
    if (!s.hostplan) {
        const ww_fb_segment_t *iso = &m->segs[p->seg];
        ww_buf_printf(out, "\t\t# fire-break plan %lld: isolate segment %s (%s%s)\n",
                      (long long)p->id, iso->name, ww_fb_kind_name(iso->kind),
                      iso->clinical ? ", clinical" : "");
    } else {
        ww_buf_printf(out, "\t\t# fire-break plan %lld: quarantine ", (long long)p->id);
        put_targets(out, &s);
        ww_buf_putc(out, '\n');
    }
    if (p->reason && *p->reason) {
        ww_buf_puts(out, "\t\t# reason: ");
        put_clean(out, p->reason, 200);
        ww_buf_putc(out, '\n');
    }
    ww_buf_puts(out, "\t\ttype filter hook forward priority -10; policy accept;\n");
    /* The mark is this plan's own bit: another live plan's bit (or the bit of a plan
     * this one replaces) never lets a connection past this chain. */
    uint32_t mark = ww_fb_plan_mark(p->id);
    ww_buf_printf(out,
                  "\t\t# replies to connections this fire-break lets through (its own conntrack "
                  "mark)\n"
                  "\t\tct state established,related ct mark and 0x%08x == 0x%08x accept\n",
                  mark, mark);
    for (size_t i = 0; i < s.npaths; i++) {
        const path_t *q = &s.paths[i];
        if (!q->flow) {
            ww_buf_puts(out, "\t\t# management: ");
            put_side_name(out, &s, q->a);
            ww_buf_puts(out, " may open connections to ");
            put_side_name(out, &s, q->z);
            ww_buf_putc(out, '\n');
        } else {
            ww_buf_printf(out, "\t\t# clinical flow (map line %u): ", q->flow->line);
            put_side_name(out, &s, q->a);
            ww_buf_puts(out, " -> ");
            put_side_name(out, &s, q->z);
            ww_buf_puts(out, ": ");
            put_clean(out, q->flow->reason, 120);
            ww_buf_putc(out, '\n');
        }
        for (int fam = 4; fam <= 6; fam += 2) {
            if (!side_has(&s, q->a, fam) || !side_has(&s, q->z, fam))
                continue;
            ww_buf_puts(out, "\t\t");
            put_nft_side(out, &s, q->a, fam, "saddr");
            ww_buf_putc(out, ' ');
            put_nft_side(out, &s, q->z, fam, "daddr");
            put_nft_service(out, q->flow, fam);
            ww_buf_printf(out, " ct mark set ct mark or 0x%08x accept\n", mark);
            /* The answers of a connection this path allows, recognised by conntrack
             * (reply direction, addresses and ports reversed) and marked: so a
             * session that was open before this plan and that it allows keeps
             * working even when the far side speaks first. */
            ww_buf_puts(out, "\t\tct state established ct direction reply ");
            put_nft_side(out, &s, q->z, fam, "saddr");
            ww_buf_putc(out, ' ');
            put_nft_side(out, &s, q->a, fam, "daddr");
            put_nft_service_dir(out, q->flow, fam, true);
            ww_buf_printf(out, " ct mark set ct mark or 0x%08x accept\n", mark);
        }
    }
    if (!s.hostplan) {
        const ww_fb_segment_t *iso = &m->segs[p->seg];
        ww_buf_printf(out, "\t\t# everything else to or from %s stops\n", iso->name);
        for (int dir = 0; dir < 2; dir++)
            for (int fam = 4; fam <= 6; fam += 2) {
                if (!has_family(iso, fam))
                    continue;
                ww_buf_printf(out, "\t\t%s %s { ", fam == 4 ? "ip" : "ip6",
                              dir ? "daddr" : "saddr");
                put_cidrs(out, iso, fam, ", ");
                ww_buf_puts(out, " } counter drop\n");
            }
    } else {
        ww_buf_puts(out, "\t\t# everything else to or from the quarantined hosts stops\n");
        for (int dir = 0; dir < 2; dir++)
            for (int fam = 4; fam <= 6; fam += 2) {
                if (!hosts_have(&s, UINT32_MAX, fam))
                    continue;
                ww_buf_printf(out, "\t\t%s %s { ", fam == 4 ? "ip" : "ip6",
                              dir ? "daddr" : "saddr");
                put_hosts(out, &s, UINT32_MAX, fam, ", ");
                ww_buf_puts(out, " } counter drop\n");
            }
    }
    ww_buf_puts(out, "\t}\n");
    scope_release(&s);
    return out->err;
}

int ww_fb_render_table(const char *const *chains, size_t n, ww_buf_t *out)
{
    ww_buf_puts(out, "# wardwatch fire-breaks: replaces table inet " WW_FB_TABLE
                     " and nothing else, in one transaction.\n");
    /* Declaring the table first makes the delete succeed when it does not exist yet. */
    ww_buf_puts(out, "table inet " WW_FB_TABLE " {}\ndelete table inet " WW_FB_TABLE "\n");
    if (n) {
        ww_buf_puts(out, "table inet " WW_FB_TABLE " {\n");
        for (size_t i = 0; i < n; i++)
            ww_buf_puts(out, chains[i]);
        ww_buf_puts(out, "}\n");
    }
    return out->err;
}

static void put_seg_line(ww_buf_t *b, const ww_fb_segment_t *s)
{
    ww_buf_printf(b, "%-16s %-15s ", s->name, ww_fb_kind_name(s->kind));
    put_cidrs(b, s, 0, ", ");
    if (s->vlan >= 0)
        ww_buf_printf(b, "  VLAN %d", s->vlan);
    if (s->clinical)
        ww_buf_puts(b, "  CLINICAL");
    if (s->monitor_only)
        ww_buf_puts(b, "  monitor-only");
}

int ww_fb_render_text(const ww_fb_map_t *m, const ww_fb_plan_info_t *p, ww_buf_t *out)
{
    scope_t s;
    if (scope_init(&s, m, p) != 0)
        return WW_ENOMEM;
    size_t ns = m->nsegs ? m->nsegs : 1;
    int *hops = calloc(ns, sizeof(int)), *via = calloc(ns, sizeof(int));
    int *th = calloc(ns, sizeof(int)), *tv = calloc(ns, sizeof(int));
    if (!hops || !via || !th || !tv) {
        free(hops);
        free(via);
        free(th);
        free(tv);
        scope_release(&s);
        return WW_ENOMEM;
    }
    const size_t n = s.npaths;
    const path_t *paths = s.paths;
    scope_reach(&s, hops, via, th, tv);
    const ww_fb_segment_t *iso = s.hostplan ? NULL : &m->segs[p->seg];

    if (!s.hostplan) {
        ww_buf_printf(out, "Fire-break plan %lld: isolate segment %s\n", (long long)p->id,
                      iso->name);
        ww_buf_puts(out, "  segment: ");
        put_seg_line(out, iso);
        ww_buf_putc(out, '\n');
    } else {
        ww_buf_printf(out, "Fire-break plan %lld: quarantine ", (long long)p->id);
        put_targets(out, &s);
        ww_buf_putc(out, '\n');
        for (size_t i = 0; i < p->nhosts; i++) {
            ww_buf_printf(out, "  host: %-15s in ", p->hosts[i].text);
            put_seg_line(out, &m->segs[p->hosts[i].seg]);
            ww_buf_putc(out, '\n');
        }
    }
    if (p->infected_ip)
        ww_buf_printf(out, "  infected host: %s\n", p->infected_ip);
    if (p->reason && *p->reason) {
        ww_buf_puts(out, "  reason: ");
        put_clean(out, p->reason, WW_FB_MAX_TEXT);
        ww_buf_putc(out, '\n');
    }
    if (p->by || p->created) {
        ww_buf_puts(out, "  planned by ");
        put_clean(out, p->by ? p->by : "?", WW_FB_MAX_TEXT);
        ww_buf_printf(out, " at %s\n", p->created ? p->created : "?");
    }
    if (iso && iso->monitor_only)
        ww_buf_puts(out, "  NOTE: this segment is monitor-only: apply needs "
                         "--override-monitor-only\n");
    for (uint32_t i = 0; s.hostplan && i < m->nsegs; i++)
        if (is_target(&s, i) && m->segs[i].monitor_only)
            ww_buf_printf(out,
                          "  NOTE: segment %s is monitor-only: apply needs "
                          "--override-monitor-only\n",
                          m->segs[i].name);
    if (s.hostplan) {
        /* The summary first: a host plan is easy to mistake for a segment plan. */
        size_t nflows = 0;
        for (size_t i = 0; i < n; i++)
            nflows += paths[i].flow != NULL;
        ww_buf_printf(out,
                      "  cuts: every connection of %s through the router, to other segments "
                      "and the internet, except management and %zu clinical path%s "
                      "(\"What keeps working\")\n",
                      p->nhosts == 1 ? "this host" : "these hosts", nflows, nflows == 1 ? "" : "s");
        ww_buf_puts(out, "  does not cut: the other hosts of ");
        put_target_segs(out, &s);
        ww_buf_printf(out,
                      ", and traffic between %s and its own segment (it does not pass "
                      "the router)\n",
                      p->nhosts == 1 ? "the host" : "each host");
    }

    ww_buf_puts(out, "\nBlast radius today (what ");
    if (p->infected_ip)
        ww_buf_puts(out, p->infected_ip);
    else if (iso)
        ww_buf_puts(out, iso->name);
    else
        put_hosts(out, &s, UINT32_MAX, 0, ", ");
    ww_buf_puts(out, " can reach before the fire-break):\n");
    for (uint32_t i = 0; s.hostplan && i < m->nsegs; i++)
        if (is_target(&s, i)) {
            ww_buf_puts(out, "  hop 0  ");
            put_seg_line(out, &m->segs[i]);
            ww_buf_puts(out, "  (own segment: not through the router, NOT cut)\n");
        }
    size_t reach = 0, creach = 0;
    for (int h = 1; h <= (int)m->nsegs; h++)
        for (uint32_t i = 0; i < m->nsegs; i++) {
            if (hops[i] != h)
                continue;
            reach++;
            creach += m->segs[i].clinical;
            ww_buf_printf(out, "  hop %d  ", h);
            put_seg_line(out, &m->segs[i]);
            if (via[i] >= 0)
                ww_buf_printf(out, "  (via %s)", m->segs[via[i]].name);
            ww_buf_putc(out, '\n');
        }
    if (!reach)
        ww_buf_puts(out, "  nothing: no link leaves this segment\n");
    else
        ww_buf_printf(out, "  %zu segments, %zu of them clinical\n", reach, creach);
    if (p->nassets) {
        ww_buf_printf(out, "  registered assets in reach: %zu\n", p->nassets);
        size_t shown = p->nassets < 200 ? p->nassets : 200;
        for (size_t i = 0; i < shown; i++) {
            const ww_fb_asset_t *a = &p->assets[i];
            int sg = ww_fb_map_find_ip(m, a->ip ? a->ip : "");
            ww_buf_printf(out, "    %-20s %-15s %-14s %s%s\n", a->name ? a->name : "?",
                          a->ip ? a->ip : "?", sg >= 0 ? m->segs[sg].name : "?",
                          a->kind ? a->kind : "", a->clinical ? "  CLINICAL" : "");
        }
        if (shown < p->nassets)
            ww_buf_printf(out, "    ... and %zu more (--format json lists them all)\n",
                          p->nassets - shown);
    }

    ww_buf_puts(out, "\nWhat keeps working:\n");
    for (size_t i = 0; i < n; i++) {
        const path_t *q = &paths[i];
        ww_buf_puts(out, "  - ");
        put_side_name(out, &s, q->a);
        if (!q->flow) {
            ww_buf_puts(out, " can open connections to ");
            put_side_name(out, &s, q->z);
            ww_buf_puts(out, " (support and clean-up), any protocol\n");
            continue;
        }
        ww_buf_puts(out, " -> ");
        put_side_name(out, &s, q->z);
        ww_buf_puts(out, ", ");
        put_service(out, q->flow);
        ww_buf_puts(out, ": ");
        put_clean(out, q->flow->reason, WW_FB_MAX_TEXT);
        ww_buf_puts(out, " [clinical]\n");
    }
    ww_buf_puts(out, "  - replies to the connections above\n");
    if (!s.hostplan) {
        ww_buf_printf(out, "  - traffic inside %s, and between other segments, is not touched\n",
                      iso->name);
    } else {
        ww_buf_puts(out, "  - every other host of ");
        put_target_segs(out, &s);
        ww_buf_puts(out, ", and traffic between other segments, is not touched\n");
    }

    ww_buf_puts(out, "\nWhat stops:\n");
    if (!s.hostplan) {
        ww_buf_printf(out,
                      "  - every other connection from %s to any other segment or the internet\n",
                      iso->name);
        ww_buf_printf(out, "  - every other connection into %s, from any segment\n", iso->name);
    } else {
        ww_buf_puts(out, "  - every other connection from ");
        put_targets(out, &s);
        ww_buf_puts(out, " to any other segment or the internet\n  - every other connection into ");
        put_targets(out, &s);
        ww_buf_puts(out, ", from any other segment\n");
    }
    ww_buf_puts(out, "  - connections already open that are not listed above are cut\n");
    for (uint32_t i = 0; i < m->nflows; i++) {
        const ww_fb_flow_t *f = &m->flows[i];
        if (f->clinical || (!is_target(&s, f->from) && !is_target(&s, f->to)))
            continue;
        ww_buf_puts(out, "  - documented flow ");
        put_flow_words(out, m, f);
        if (f->reason) {
            ww_buf_puts(out, ": ");
            put_clean(out, f->reason, WW_FB_MAX_TEXT);
        }
        ww_buf_puts(out, s.hostplan ? " (not clinical), for the quarantined hosts\n"
                                    : " (not clinical)\n");
    }
    bool any = false;
    for (uint32_t i = 0; i < m->nsegs; i++) {
        if (is_target(&s, i) || !m->segs[i].clinical || hops[i] < 0)
            continue;
        bool kept = false;
        for (size_t k = 0; k < n; k++)
            if (paths[k].flow && (paths[k].a.seg == i || paths[k].z.seg == i))
                kept = true;
        if (kept)
            continue;
        if (!any) {
            if (iso)
                ww_buf_printf(out,
                              "  - clinical segments that lose all contact with %s: ", iso->name);
            else
                ww_buf_puts(out, "  - clinical segments that lose all contact with the "
                                 "quarantined hosts: ");
        } else {
            ww_buf_puts(out, ", ");
        }
        ww_buf_puts(out, m->segs[i].name);
        any = true;
    }
    if (any)
        ww_buf_putc(out, '\n');
    if (s.hostplan) {
        ww_buf_puts(out, "\nNot cut, because it does not pass the router:\n");
        for (uint32_t i = 0; i < m->nsegs; i++)
            if (is_target(&s, i)) {
                ww_buf_puts(out, "  - traffic between ");
                put_hosts(out, &s, i, 0, ", ");
                ww_buf_printf(out,
                              " and the other hosts of %s: isolate the switch port (or use "
                              "NAC or the host firewall) to stop it\n",
                              m->segs[i].name);
            }
    }
    free(hops);
    free(via);
    free(th);
    free(tv);
    scope_release(&s);
    return out->err;
}

int ww_fb_render_change_request(const ww_fb_map_t *m, const ww_fb_plan_info_t *p, ww_buf_t *out)
{
    scope_t s;
    if (scope_init(&s, m, p) != 0)
        return WW_ENOMEM;
    const size_t n = s.npaths;
    const path_t *paths = s.paths;
    const ww_fb_segment_t *iso = s.hostplan ? NULL : &m->segs[p->seg];
    if (iso)
        ww_buf_printf(out, "CHANGE REQUEST: emergency fire-break, isolate network segment %s\n",
                      iso->name);
    else {
        ww_buf_puts(out, "CHANGE REQUEST: emergency fire-break, quarantine ");
        put_targets(out, &s);
        ww_buf_putc(out, '\n');
    }
    ww_buf_printf(out, "Plan: wardwatch fire-break plan %lld\n", (long long)p->id);
    if (m->name) {
        ww_buf_puts(out, "Site: ");
        put_clean(out, m->name, WW_FB_MAX_TEXT);
        ww_buf_putc(out, '\n');
    }
    ww_buf_puts(out, "Requested by: ");
    put_clean(out, p->by ? p->by : "?", WW_FB_MAX_TEXT);
    ww_buf_putc(out, '\n');
    if (p->created)
        ww_buf_printf(out, "Raised: %s\n", p->created);
    ww_buf_puts(out, "Reason: ");
    put_clean(out, p->reason && *p->reason ? p->reason : "(none given)", WW_FB_MAX_TEXT);
    ww_buf_putc(out, '\n');
    if (p->infected_ip)
        ww_buf_printf(out, "Infected host: %s\n", p->infected_ip);
    if (iso) {
        ww_buf_printf(out, "Segment: %s (%s%s), addresses ", iso->name, ww_fb_kind_name(iso->kind),
                      iso->clinical ? ", CLINICAL" : "");
        put_cidrs(out, iso, 0, ", ");
        if (iso->vlan >= 0)
            ww_buf_printf(out, ", VLAN %d", iso->vlan);
        ww_buf_putc(out, '\n');
        ww_buf_puts(out, "\nWhere: on every firewall or layer-3 switch that routes traffic to or "
                         "from this segment.\n"
                         "Place these rules above all existing rules; they are evaluated in "
                         "order, the first match wins.\n"
                         "Traffic that does not involve this segment is not affected.\n\nRules:\n");
    } else {
        for (size_t i = 0; i < p->nhosts; i++) {
            const ww_fb_segment_t *g = &m->segs[p->hosts[i].seg];
            ww_buf_printf(out, "Host: %s in segment %s (%s%s, ", p->hosts[i].text, g->name,
                          ww_fb_kind_name(g->kind), g->clinical ? ", CLINICAL" : "");
            put_cidrs(out, g, 0, ", ");
            if (g->vlan >= 0)
                ww_buf_printf(out, ", VLAN %d", g->vlan);
            ww_buf_puts(out, ")\n");
        }
        ww_buf_puts(out, "\nWhere: on every firewall or layer-3 switch that routes traffic to or "
                         "from the segments of these hosts (");
        put_target_segs(out, &s);
        ww_buf_puts(out, ").\n"
                         "Place these rules above all existing rules; they are evaluated in "
                         "order, the first match wins.\n"
                         "Only traffic to or from these hosts is affected; the other hosts of "
                         "their segments are not.\n"
                         "Traffic between these hosts and their own segment does not pass a "
                         "router: to stop it too, isolate the switch port (or use NAC or the "
                         "host firewall).\n\nRules:\n");
    }
    int r = 1;
    ww_buf_printf(out,
                  "  %2d. ALLOW  return traffic of connections allowed by rules %d-%zu "
                  "(stateful: established/related)\n",
                  r++, 2, n + 1);
    for (size_t i = 0; i < n; i++) {
        const path_t *q = &paths[i];
        ww_buf_printf(out, "  %2d. ALLOW  new connections from ", r++);
        put_side_addrs(out, &s, q->a);
        ww_buf_puts(out, " to ");
        put_side_addrs(out, &s, q->z);
        ww_buf_puts(out, ", ");
        put_service(out, q->flow);
        if (q->flow) {
            ww_buf_puts(out, " -- clinical: ");
            put_clean(out, q->flow->reason, WW_FB_MAX_TEXT);
        } else {
            ww_buf_puts(out, " -- management access for support and clean-up");
        }
        ww_buf_putc(out, '\n');
    }
    if (iso) {
        ww_buf_printf(out, "  %2d. DENY   everything from %s (", r++, iso->name);
        put_cidrs(out, iso, 0, ", ");
        ww_buf_puts(out, ") to any destination, and log it\n");
        ww_buf_printf(out, "  %2d. DENY   everything from any source to %s (", r++, iso->name);
        put_cidrs(out, iso, 0, ", ");
        ww_buf_puts(out, "), and log it\n");
    } else {
        ww_buf_printf(out, "  %2d. DENY   everything from ", r++);
        put_hosts(out, &s, UINT32_MAX, 0, ", ");
        ww_buf_puts(out, " to any destination, and log it\n");
        ww_buf_printf(out, "  %2d. DENY   everything from any source to ", r++);
        put_hosts(out, &s, UINT32_MAX, 0, ", ");
        ww_buf_puts(out, ", and log it\n");
    }
    ww_buf_puts(out, "\nExisting connections that rules 2-");
    ww_buf_printf(out, "%zu do not allow must be cleared (session/state table) after the change.\n",
                  n + 1);
    if (iso)
        ww_buf_printf(out,
                      "\nTest after the change:\n"
                      "  - from %s, a connection to any other segment fails\n",
                      iso->name);
    else {
        ww_buf_puts(out, "\nTest after the change:\n  - from ");
        put_hosts(out, &s, UINT32_MAX, 0, ", ");
        ww_buf_puts(out, ", a connection to any other segment fails\n"
                         "  - from another host of the same segment, it still works\n");
    }
    for (size_t i = 0; i < n; i++)
        if (paths[i].flow) {
            ww_buf_puts(out, "  - ");
            put_side_name(out, &s, paths[i].a);
            ww_buf_puts(out, " -> ");
            put_side_name(out, &s, paths[i].z);
            ww_buf_putc(out, ' ');
            put_service(out, paths[i].flow);
            ww_buf_puts(out, " still works\n");
        }
    ww_buf_printf(out,
                  "\nBack-out: remove rules 1-%d. Record the change and its removal in the "
                  "clinical-safety hazard log (DCB0160).\n",
                  r - 1);
    scope_release(&s);
    return out->err;
}

static void json_seg(ww_buf_t *b, const ww_fb_segment_t *s)
{
    ww_buf_puts(b, "{\"name\":");
    ww_buf_json_str(b, s->name, strlen(s->name));
    ww_buf_printf(b, ",\"kind\":\"%s\",\"clinical\":%s,\"monitor_only\":%s,\"vlan\":",
                  ww_fb_kind_name(s->kind), s->clinical ? "true" : "false",
                  s->monitor_only ? "true" : "false");
    if (s->vlan >= 0)
        ww_buf_printf(b, "%d", s->vlan);
    else
        ww_buf_puts(b, "null");
    ww_buf_puts(b, ",\"cidrs\":[\"");
    put_cidrs(b, s, 0, "\",\"");
    ww_buf_puts(b, "\"]");
}

static void json_str_or_null(ww_buf_t *b, const char *s)
{
    if (s)
        ww_buf_json_str(b, s, strlen(s));
    else
        ww_buf_puts(b, "null");
}

/* ,"from_hosts":[...] (only these hosts of the segment) or ,"from_except":[...]. */
static void json_side_hosts(ww_buf_t *b, const scope_t *s, side_t d, const char *end)
{
    if (d.mode == SIDE_ALL)
        return;
    ww_buf_printf(b, ",\"%s_%s\":[\"", end, d.mode == SIDE_HOSTS ? "hosts" : "except");
    put_hosts(b, s, d.seg, 0, "\",\"");
    ww_buf_puts(b, "\"]");
}

int ww_fb_render_json(const ww_fb_map_t *m, const ww_fb_plan_info_t *p, ww_buf_t *out)
{
    scope_t s;
    size_t ns = m->nsegs ? m->nsegs : 1;
    int *hops = calloc(ns, sizeof(int)), *via = calloc(ns, sizeof(int));
    int *th = calloc(ns, sizeof(int)), *tv = calloc(ns, sizeof(int));
    ww_buf_t chain, table;
    ww_buf_init(&chain, 0);
    ww_buf_init(&table, 0);
    int rc = WW_ENOMEM;
    bool have_scope = false;
    if (!hops || !via || !th || !tv || scope_init(&s, m, p) != 0)
        goto out;
    have_scope = true;
    const size_t n = s.npaths;
    const path_t *paths = s.paths;
    scope_reach(&s, hops, via, th, tv);
    if ((rc = ww_fb_render_chain(m, p, &chain)) < 0)
        goto out;
    const char *c1 = chain.p;
    if ((rc = ww_fb_render_table(&c1, 1, &table)) < 0)
        goto out;
    ww_buf_printf(out, "{\"plan\":%lld,\"segment\":", (long long)p->id);
    if (s.hostplan) {
        ww_buf_puts(out, "null");
    } else {
        json_seg(out, &m->segs[p->seg]);
        ww_buf_putc(out, '}');
    }
    ww_buf_printf(out, ",\"scope\":\"%s\",\"hosts\":[", s.hostplan ? "hosts" : "segment");
    for (size_t i = 0; i < p->nhosts; i++) {
        ww_buf_printf(out, "%s{\"ip\":\"%s\",\"segment\":", i ? "," : "", p->hosts[i].text);
        const char *sn = m->segs[p->hosts[i].seg].name;
        ww_buf_json_str(out, sn, strlen(sn));
        ww_buf_putc(out, '}');
    }
    ww_buf_puts(out, "],\"infected_ip\":");
    json_str_or_null(out, p->infected_ip);
    ww_buf_puts(out, ",\"reason\":");
    json_str_or_null(out, p->reason);
    ww_buf_puts(out, ",\"by\":");
    json_str_or_null(out, p->by);
    ww_buf_puts(out, ",\"created\":");
    json_str_or_null(out, p->created);
    ww_buf_puts(out, ",\"blast_radius\":[");
    bool first = true;
    for (uint32_t i = 0; i < m->nsegs; i++) {
        if (is_target(&s, i) || hops[i] < 0)
            continue;
        ww_buf_puts(out, first ? "" : ",");
        first = false;
        json_seg(out, &m->segs[i]);
        ww_buf_printf(out, ",\"hops\":%d,\"via\":", hops[i]);
        json_str_or_null(out, via[i] >= 0 ? m->segs[via[i]].name : NULL);
        ww_buf_putc(out, '}');
    }
    ww_buf_puts(out, "],\"assets\":[");
    for (size_t i = 0; i < p->nassets; i++) {
        const ww_fb_asset_t *a = &p->assets[i];
        ww_buf_puts(out, i ? ",{\"name\":" : "{\"name\":");
        json_str_or_null(out, a->name);
        ww_buf_puts(out, ",\"ip\":");
        json_str_or_null(out, a->ip);
        ww_buf_puts(out, ",\"kind\":");
        json_str_or_null(out, a->kind);
        ww_buf_printf(out, ",\"clinical\":%s}", a->clinical ? "true" : "false");
    }
    ww_buf_puts(out, "],\"keeps\":[");
    for (size_t i = 0; i < n; i++) {
        const path_t *q = &paths[i];
        const char *fn = m->segs[q->a.seg].name, *tn = m->segs[q->z.seg].name;
        ww_buf_puts(out, i ? ",{\"from\":" : "{\"from\":");
        ww_buf_json_str(out, fn, strlen(fn));
        ww_buf_puts(out, ",\"to\":");
        ww_buf_json_str(out, tn, strlen(tn));
        json_side_hosts(out, &s, q->a, "from");
        json_side_hosts(out, &s, q->z, "to");
        if (!q->flow) {
            ww_buf_puts(out, ",\"proto\":\"any\",\"ports\":[],\"why\":\"management\"}");
            continue;
        }
        ww_buf_printf(out, ",\"proto\":\"%s\",\"ports\":[", ww_fb_proto_name(q->flow->proto));
        for (uint32_t k = 0; k < q->flow->nports; k++) {
            if (q->flow->ports[k].lo == q->flow->ports[k].hi)
                ww_buf_printf(out, "%s%u", k ? "," : "", q->flow->ports[k].lo);
            else
                ww_buf_printf(out, "%s\"%u-%u\"", k ? "," : "", q->flow->ports[k].lo,
                              q->flow->ports[k].hi);
        }
        ww_buf_printf(out, "],\"why\":\"clinical\",\"map_line\":%u,\"reason\":", q->flow->line);
        json_str_or_null(out, q->flow->reason);
        ww_buf_putc(out, '}');
    }
    ww_buf_puts(out, "],\"stops\":[");
    first = true;
    for (uint32_t i = 0; i < m->nflows; i++) {
        const ww_fb_flow_t *f = &m->flows[i];
        if (f->clinical || (!is_target(&s, f->from) && !is_target(&s, f->to)))
            continue;
        ww_buf_puts(out, first ? "{\"from\":" : ",{\"from\":");
        first = false;
        ww_buf_json_str(out, m->segs[f->from].name, strlen(m->segs[f->from].name));
        ww_buf_puts(out, ",\"to\":");
        ww_buf_json_str(out, m->segs[f->to].name, strlen(m->segs[f->to].name));
        ww_buf_printf(out,
                      ",\"proto\":\"%s\",\"map_line\":%u,\"reason\":", ww_fb_proto_name(f->proto),
                      f->line);
        json_str_or_null(out, f->reason);
        ww_buf_putc(out, '}');
    }
    ww_buf_puts(out, "],\"ruleset\":");
    ww_buf_json_str(out, table.p, table.n);
    ww_buf_puts(out, "}\n");
    rc = out->err;
out:
    ww_buf_release(&chain);
    ww_buf_release(&table);
    if (have_scope)
        scope_release(&s);
    free(hops);
    free(via);
    free(th);
    free(tv);
    return rc;
}
