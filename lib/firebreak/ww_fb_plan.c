/* Isolation plans: from the map and the segment to cut off, the nftables chain that
 * does it, the file that loads it into wardwatch's own table, and the three readable
 * forms (the plain statement of what keeps working and what stops, the change request
 * for non-Linux firewalls, JSON).  Every form is derived from the same list of allowed
 * paths (plan_paths) so they cannot disagree. */
#include <stdio.h>
#include <stdlib.h>

#include "firebreak/ww_fb_int.h"

/* One allowed path through the fire-break. */
typedef struct path {
    uint32_t from, to;        /* segment indexes */
    const ww_fb_flow_t *flow; /* NULL: the management exception */
    bool reverse;             /* a both-ways flow, taken from its `to` side */
} path_t;

static bool is_mgmt(const ww_fb_map_t *m, uint32_t i, uint32_t iso)
{
    return i != iso && m->segs[i].kind == WW_FB_KIND_MANAGEMENT;
}

/* The paths a plan keeps open, in rule order: management first, then the clinical
 * flows that touch the isolated segment, each direction a flow allows. */
static size_t plan_paths(const ww_fb_map_t *m, uint32_t iso, path_t *out, size_t cap)
{
    size_t n = 0;
    for (uint32_t i = 0; i < m->nsegs && n + 2 <= cap; i++) {
        if (!is_mgmt(m, i, iso))
            continue;
        out[n++] = (path_t){i, iso, NULL, false};
        if (m->mgmt == WW_FB_MGMT_BOTH)
            out[n++] = (path_t){iso, i, NULL, false};
    }
    for (uint32_t i = 0; i < m->nflows && n + 2 <= cap; i++) {
        const ww_fb_flow_t *f = &m->flows[i];
        if (!f->clinical || (f->from != iso && f->to != iso))
            continue;
        out[n++] = (path_t){f->from, f->to, f, false};
        if (f->both_ways)
            out[n++] = (path_t){f->to, f->from, f, true};
    }
    return n;
}

static path_t *alloc_paths(const ww_fb_map_t *m, size_t *cap)
{
    *cap = 2 * ((size_t)m->nsegs + m->nflows) + 2;
    return calloc(*cap, sizeof(path_t));
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

int ww_fb_render_chain(const ww_fb_map_t *m, const ww_fb_plan_info_t *p, ww_buf_t *out)
{
    const ww_fb_segment_t *iso = &m->segs[p->seg];
    size_t cap, n;
    path_t *paths = alloc_paths(m, &cap);
    if (!paths)
        return WW_ENOMEM;
    n = plan_paths(m, p->seg, paths, cap);
    ww_buf_printf(out, "\tchain plan_%lld {\n", (long long)p->id);
    ww_buf_printf(out, "\t\t# fire-break plan %lld: isolate segment %s (%s%s)\n", (long long)p->id,
                  iso->name, ww_fb_kind_name(iso->kind), iso->clinical ? ", clinical" : "");
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
    for (size_t i = 0; i < n; i++) {
        const path_t *q = &paths[i];
        const ww_fb_segment_t *a = &m->segs[q->from], *z = &m->segs[q->to];
        if (!q->flow)
            ww_buf_printf(out, "\t\t# management: %s may open connections to %s\n", a->name,
                          z->name);
        else {
            ww_buf_printf(out, "\t\t# clinical flow (map line %u): %s -> %s: ", q->flow->line,
                          a->name, z->name);
            put_clean(out, q->flow->reason, 120);
            ww_buf_putc(out, '\n');
        }
        for (int fam = 4; fam <= 6; fam += 2) {
            if (!has_family(a, fam) || !has_family(z, fam))
                continue;
            const char *kw = fam == 4 ? "ip" : "ip6";
            ww_buf_printf(out, "\t\t%s saddr { ", kw);
            put_cidrs(out, a, fam, ", ");
            ww_buf_printf(out, " } %s daddr { ", kw);
            put_cidrs(out, z, fam, ", ");
            ww_buf_puts(out, " }");
            put_nft_service(out, q->flow, fam);
            ww_buf_printf(out, " ct mark set ct mark or 0x%08x accept\n", mark);
            /* The answers of a connection this path allows, recognised by conntrack
             * (reply direction, addresses and ports reversed) and marked: so a
             * session that was open before this plan and that it allows keeps
             * working even when the far side speaks first. */
            ww_buf_printf(out, "\t\tct state established ct direction reply %s saddr { ", kw);
            put_cidrs(out, z, fam, ", ");
            ww_buf_printf(out, " } %s daddr { ", kw);
            put_cidrs(out, a, fam, ", ");
            ww_buf_puts(out, " }");
            put_nft_service_dir(out, q->flow, fam, true);
            ww_buf_printf(out, " ct mark set ct mark or 0x%08x accept\n", mark);
        }
    }
    ww_buf_printf(out, "\t\t# everything else to or from %s stops\n", iso->name);
    for (int dir = 0; dir < 2; dir++)
        for (int fam = 4; fam <= 6; fam += 2) {
            if (!has_family(iso, fam))
                continue;
            ww_buf_printf(out, "\t\t%s %s { ", fam == 4 ? "ip" : "ip6", dir ? "daddr" : "saddr");
            put_cidrs(out, iso, fam, ", ");
            ww_buf_puts(out, " } counter drop\n");
        }
    ww_buf_puts(out, "\t}\n");
    free(paths);
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
    const ww_fb_segment_t *iso = &m->segs[p->seg];
    size_t cap, n;
    path_t *paths = alloc_paths(m, &cap);
    int *hops = calloc(m->nsegs, sizeof(int)), *via = calloc(m->nsegs, sizeof(int));
    if (!paths || !hops || !via) {
        free(paths);
        free(hops);
        free(via);
        return WW_ENOMEM;
    }
    n = plan_paths(m, p->seg, paths, cap);
    ww_fb_reach(m, p->seg, hops, via);

    ww_buf_printf(out, "Fire-break plan %lld: isolate segment %s\n", (long long)p->id, iso->name);
    ww_buf_puts(out, "  segment: ");
    put_seg_line(out, iso);
    ww_buf_putc(out, '\n');
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
    if (iso->monitor_only)
        ww_buf_puts(out, "  NOTE: this segment is monitor-only: apply needs "
                         "--override-monitor-only\n");

    ww_buf_printf(out, "\nBlast radius today (what %s can reach before the fire-break):\n",
                  p->infected_ip ? p->infected_ip : iso->name);
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
            int s = ww_fb_map_find_ip(m, a->ip ? a->ip : "");
            ww_buf_printf(out, "    %-20s %-15s %-14s %s%s\n", a->name ? a->name : "?",
                          a->ip ? a->ip : "?", s >= 0 ? m->segs[s].name : "?",
                          a->kind ? a->kind : "", a->clinical ? "  CLINICAL" : "");
        }
        if (shown < p->nassets)
            ww_buf_printf(out, "    ... and %zu more (--format json lists them all)\n",
                          p->nassets - shown);
    }

    ww_buf_puts(out, "\nWhat keeps working:\n");
    for (size_t i = 0; i < n; i++) {
        const path_t *q = &paths[i];
        if (!q->flow) {
            ww_buf_printf(out,
                          "  - %s can open connections to %s (support and clean-up), "
                          "any protocol\n",
                          m->segs[q->from].name, m->segs[q->to].name);
            continue;
        }
        ww_buf_printf(out, "  - %s -> %s, ", m->segs[q->from].name, m->segs[q->to].name);
        put_service(out, q->flow);
        ww_buf_puts(out, ": ");
        put_clean(out, q->flow->reason, WW_FB_MAX_TEXT);
        ww_buf_puts(out, " [clinical]\n");
    }
    ww_buf_puts(out, "  - replies to the connections above\n");
    ww_buf_printf(out, "  - traffic inside %s, and between other segments, is not touched\n",
                  iso->name);

    ww_buf_puts(out, "\nWhat stops:\n");
    ww_buf_printf(out, "  - every other connection from %s to any other segment or the internet\n",
                  iso->name);
    ww_buf_printf(out, "  - every other connection into %s, from any segment\n", iso->name);
    ww_buf_puts(out, "  - connections already open that are not listed above are cut\n");
    for (uint32_t i = 0; i < m->nflows; i++) {
        const ww_fb_flow_t *f = &m->flows[i];
        if (f->clinical || (f->from != p->seg && f->to != p->seg))
            continue;
        ww_buf_puts(out, "  - documented flow ");
        put_flow_words(out, m, f);
        if (f->reason) {
            ww_buf_puts(out, ": ");
            put_clean(out, f->reason, WW_FB_MAX_TEXT);
        }
        ww_buf_puts(out, " (not clinical)\n");
    }
    bool any = false;
    for (uint32_t i = 0; i < m->nsegs; i++) {
        if (i == p->seg || !m->segs[i].clinical || hops[i] < 0)
            continue;
        bool kept = false;
        for (size_t k = 0; k < n; k++)
            if (paths[k].flow && (paths[k].from == i || paths[k].to == i))
                kept = true;
        if (kept)
            continue;
        if (!any)
            ww_buf_printf(out, "  - clinical segments that lose all contact with %s: ", iso->name);
        else
            ww_buf_puts(out, ", ");
        ww_buf_puts(out, m->segs[i].name);
        any = true;
    }
    if (any)
        ww_buf_putc(out, '\n');
    free(paths);
    free(hops);
    free(via);
    return out->err;
}

int ww_fb_render_change_request(const ww_fb_map_t *m, const ww_fb_plan_info_t *p, ww_buf_t *out)
{
    const ww_fb_segment_t *iso = &m->segs[p->seg];
    size_t cap, n;
    path_t *paths = alloc_paths(m, &cap);
    if (!paths)
        return WW_ENOMEM;
    n = plan_paths(m, p->seg, paths, cap);
    ww_buf_printf(out, "CHANGE REQUEST: emergency fire-break, isolate network segment %s\n",
                  iso->name);
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
    int r = 1;
    ww_buf_printf(out,
                  "  %2d. ALLOW  return traffic of connections allowed by rules %d-%zu "
                  "(stateful: established/related)\n",
                  r++, 2, n + 1);
    for (size_t i = 0; i < n; i++) {
        const path_t *q = &paths[i];
        const ww_fb_segment_t *a = &m->segs[q->from], *z = &m->segs[q->to];
        ww_buf_printf(out, "  %2d. ALLOW  new connections from %s (", r++, a->name);
        put_cidrs(out, a, 0, ", ");
        ww_buf_printf(out, ") to %s (", z->name);
        put_cidrs(out, z, 0, ", ");
        ww_buf_puts(out, "), ");
        put_service(out, q->flow);
        if (q->flow) {
            ww_buf_puts(out, " -- clinical: ");
            put_clean(out, q->flow->reason, WW_FB_MAX_TEXT);
        } else {
            ww_buf_puts(out, " -- management access for support and clean-up");
        }
        ww_buf_putc(out, '\n');
    }
    ww_buf_printf(out, "  %2d. DENY   everything from %s (", r++, iso->name);
    put_cidrs(out, iso, 0, ", ");
    ww_buf_puts(out, ") to any destination, and log it\n");
    ww_buf_printf(out, "  %2d. DENY   everything from any source to %s (", r++, iso->name);
    put_cidrs(out, iso, 0, ", ");
    ww_buf_puts(out, "), and log it\n");
    ww_buf_puts(out, "\nExisting connections that rules 2-");
    ww_buf_printf(out, "%zu do not allow must be cleared (session/state table) after the change.\n",
                  n + 1);
    ww_buf_printf(out,
                  "\nTest after the change:\n"
                  "  - from %s, a connection to any other segment fails\n",
                  iso->name);
    for (size_t i = 0; i < n; i++)
        if (paths[i].flow) {
            ww_buf_printf(out, "  - %s -> %s ", m->segs[paths[i].from].name,
                          m->segs[paths[i].to].name);
            put_service(out, paths[i].flow);
            ww_buf_puts(out, " still works\n");
        }
    ww_buf_printf(out,
                  "\nBack-out: remove rules 1-%d. Record the change and its removal in the "
                  "clinical-safety hazard log (DCB0160).\n",
                  r - 1);
    free(paths);
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

int ww_fb_render_json(const ww_fb_map_t *m, const ww_fb_plan_info_t *p, ww_buf_t *out)
{
    size_t cap, n;
    path_t *paths = alloc_paths(m, &cap);
    int *hops = calloc(m->nsegs, sizeof(int)), *via = calloc(m->nsegs, sizeof(int));
    ww_buf_t chain, table;
    ww_buf_init(&chain, 0);
    ww_buf_init(&table, 0);
    int rc = WW_ENOMEM;
    if (!paths || !hops || !via)
        goto out;
    n = plan_paths(m, p->seg, paths, cap);
    ww_fb_reach(m, p->seg, hops, via);
    if ((rc = ww_fb_render_chain(m, p, &chain)) < 0)
        goto out;
    const char *c1 = chain.p;
    if ((rc = ww_fb_render_table(&c1, 1, &table)) < 0)
        goto out;
    ww_buf_printf(out, "{\"plan\":%lld,\"segment\":", (long long)p->id);
    json_seg(out, &m->segs[p->seg]);
    ww_buf_puts(out, "},\"infected_ip\":");
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
        if (i == p->seg || hops[i] < 0)
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
        ww_buf_puts(out, i ? ",{\"from\":" : "{\"from\":");
        ww_buf_json_str(out, m->segs[q->from].name, strlen(m->segs[q->from].name));
        ww_buf_puts(out, ",\"to\":");
        ww_buf_json_str(out, m->segs[q->to].name, strlen(m->segs[q->to].name));
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
        if (f->clinical || (f->from != p->seg && f->to != p->seg))
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
    free(paths);
    free(hops);
    free(via);
    return rc;
}
