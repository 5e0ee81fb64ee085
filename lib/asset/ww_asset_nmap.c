/* The nmap importer (nmap -oX): each <host> that is up becomes a sighting with its
 * addresses, PTR name, open ports (with service names) and best OS match.  A host
 * whose IP or MAC belongs to a registered asset updates that asset's ports, OS guess
 * and last-seen time; any other host is recorded as an observed, unregistered
 * device, with a hint when the evidence points to a medical device. */
#include "asset/ww_asset_int.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct host {
    ww__rec_t r;
    const char *vendor;
    bool up, in_port, port_open, have_os;
    ww_port_t port;
    int os_accuracy;
    int64_t when;
    uint32_t line, col;
    bool bad;
    char why[200];
} host_t;

static int64_t attr_time(const ww__xml_tag_t *t, const char *name)
{
    const char *v = ww__xml_attr(t, name);
    int64_t s;
    if (v && *v && ww_parse_i64(v, strlen(v), &s) == 0 && s > 0)
        return s;
    return WW_ASSET_NOTIME;
}

static void host_tag(host_t *h, const ww__xml_tag_t *t, ww_arena_t *ar)
{
    ww_str_t n = t->name;
    if (h->bad)
        return;
    if (ww_str_eq(n, WW_STR("status"))) {
        const char *st = ww__xml_attr(t, "state");
        h->up = st && strcmp(st, "up") == 0;
    } else if (ww_str_eq(n, WW_STR("address"))) {
        const char *addr = ww__xml_attr(t, "addr"), *type = ww__xml_attr(t, "addrtype");
        if (!addr || !type)
            return;
        int rc = 0;
        if (strcmp(type, "mac") == 0) {
            rc = ww__rec_set(&h->r, WW_AF_MAC, addr, strlen(addr), ar, h->why, sizeof h->why);
            const char *v = ww__xml_attr(t, "vendor");
            if (v)
                h->vendor = v;
        } else if (strcmp(type, "ipv4") == 0 || strcmp(type, "ipv6") == 0) {
            rc = ww__rec_add(&h->r, WW_AF_IP, addr, strlen(addr), ar, h->why, sizeof h->why);
        }
        if (rc < 0) {
            h->bad = true;
            h->line = t->line;
            h->col = t->col;
        }
    } else if (ww_str_eq(n, WW_STR("hostname"))) {
        const char *nm = ww__xml_attr(t, "name"), *type = ww__xml_attr(t, "type");
        /* The user-supplied name beats the PTR record. */
        if (nm && *nm && (!*h->r.a.hostname || (type && strcmp(type, "user") == 0)))
            ww__rec_set(&h->r, WW_AF_HOSTNAME, nm, strlen(nm), ar, h->why, sizeof h->why);
    } else if (ww_str_eq(n, WW_STR("port")) && !t->close) {
        const char *id = ww__xml_attr(t, "portid"), *proto = ww__xml_attr(t, "protocol");
        int64_t v;
        memset(&h->port, 0, sizeof h->port);
        h->port.service = h->port.product = "";
        h->in_port = !t->self_close;
        h->port_open = false;
        if (!id || ww_parse_i64(id, strlen(id), &v) != 0 || v < 1 || v > 65535) {
            snprintf(h->why, sizeof h->why, "port element with a bad portid \"%s\"", id ? id : "");
            h->bad = true;
            h->line = t->line;
            h->col = t->col;
            return;
        }
        h->port.port = (uint16_t)v;
        snprintf(h->port.proto, sizeof h->port.proto, "%s", proto ? proto : "tcp");
    } else if (ww_str_eq(n, WW_STR("state")) && h->in_port) {
        const char *st = ww__xml_attr(t, "state");
        h->port_open = st && strcmp(st, "open") == 0;
    } else if (ww_str_eq(n, WW_STR("service")) && h->in_port) {
        const char *sn = ww__xml_attr(t, "name"), *pr = ww__xml_attr(t, "product"),
                   *ver = ww__xml_attr(t, "version");
        h->port.service = sn ? sn : "";
        if (pr && ver) {
            size_t len = strlen(pr) + strlen(ver) + 2;
            char *s = ww_arena_alloc(ar, len);
            if (s) {
                snprintf(s, len, "%s %s", pr, ver);
                h->port.product = s;
            }
        } else if (pr) {
            h->port.product = pr;
        }
    } else if (ww_str_eq(n, WW_STR("port")) && t->close) {
        if (h->in_port && h->port_open && ww__rec_add_port(&h->r, &h->port, ar) != 0) {
            snprintf(h->why, sizeof h->why, "more than %d open ports", WW_ASSET_MAX_LIST);
            h->bad = true;
        }
        h->in_port = false;
    } else if (ww_str_eq(n, WW_STR("ports"))) {
        /* A <ports> element means the ports were scanned: none open is news too. */
        h->r.mask |= WW_AF_BIT(WW_AF_PORTS);
    } else if (ww_str_eq(n, WW_STR("osmatch")) && !t->close) {
        const char *nm = ww__xml_attr(t, "name"), *acc = ww__xml_attr(t, "accuracy");
        int64_t a = 0;
        if (acc)
            ww_parse_i64(acc, strlen(acc), &a);
        if (nm && (!h->have_os || a > h->os_accuracy)) {
            ww__rec_set(&h->r, WW_AF_OS_GUESS, nm, strlen(nm), ar, h->why, sizeof h->why);
            h->os_accuracy = (int)a;
            h->have_os = true;
        }
    }
}

int ww__import_nmap(ww_store_t *st, const char *name, const char *data, size_t len,
                    const ww_import_opts_t *o, int64_t now, ww_import_stats_t *stats,
                    ww_diag_t *diag)
{
    ww_arena_t ar, hostar;
    ww_arena_init(&ar, 65536, 256u << 20);
    ww_arena_init(&hostar, 16384, 64u << 20);
    ww__xml_t x;
    ww__xml_init(&x, data, len, &ar);
    ww__xml_tag_t t;
    host_t h;
    bool in_host = false, root = false;
    int64_t scan_time = WW_ASSET_NOTIME;
    size_t attr_resets = 0;
    int rc = 0, r;
    size_t hosts_up = 0;
    while ((r = ww__xml_next(&x, &t)) == 1) {
        if (!root) {
            if (t.close || !ww_str_eq(t.name, WW_STR("nmaprun"))) {
                ww_diag_set(diag, name, t.line, t.col,
                            "not nmap XML output: the root element is <%.*s>, not <nmaprun> "
                            "(use nmap -oX)",
                            (int)(t.name.n > 40 ? 40 : t.name.n), t.name.p);
                rc = WW_EPARSE;
                goto out;
            }
            root = true;
            scan_time = attr_time(&t, "start");
            continue;
        }
        if (ww_str_eq(t.name, WW_STR("host"))) {
            if (!t.close) {
                ww_arena_reset(&hostar);
                memset(&h, 0, sizeof h);
                ww__rec_init(&h.r);
                h.r.a.source = WW_SRC_NMAP;
                h.vendor = "";
                h.line = t.line;
                h.col = t.col;
                h.when = attr_time(&t, "endtime");
                if (h.when == WW_ASSET_NOTIME)
                    h.when = attr_time(&t, "starttime");
                in_host = !t.self_close;
                continue;
            }
            in_host = false;
            if (h.bad) {
                ww__import_reject(o, stats, name, h.line, h.col, "host: %s", h.why);
                continue;
            }
            if (!h.up)
                continue;
            if (!h.r.a.nips && !*h.r.a.mac) {
                ww__import_reject(o, stats, name, h.line, h.col, "host has no IP or MAC address");
                continue;
            }
            int64_t when = h.when != WW_ASSET_NOTIME      ? h.when
                           : scan_time != WW_ASSET_NOTIME ? scan_time
                                                          : now;
            if (o->now && o->now != WW_ASSET_NOTIME)
                when = o->now;
            int matched = 0;
            if ((rc = ww__asset_put_host(st, &h.r, h.vendor, when, &matched, &hostar, diag)))
                goto out;
            if (matched)
                stats->updated++;
            else
                stats->observed++;
            hosts_up++;
            continue;
        }
        /* Decoded attributes live in the scan arena, which is only reset between
           hosts, so a host may keep pointers to them until it is written. */
        if (in_host)
            host_tag(&h, &t, &hostar);
        if (!in_host && ++attr_resets % 1024 == 0)
            ww_arena_reset(&ar);
    }
    if (r < 0) {
        if (!root) {
            ww_diag_set(diag, name, x.err_line, x.err_col, "not nmap XML output: %s", x.err);
            rc = WW_EPARSE;
            goto out;
        }
        /* Hosts before the damage are kept; the rest of the file is unusable. */
        ww__import_reject(o, stats, name, x.err_line, x.err_col, "%s%s", x.err,
                          in_host ? " (this host and anything after it are skipped)"
                                  : " (anything after this is skipped)");
    } else if (!root) {
        ww_diag_set(diag, name, 0, 0, "not nmap XML output: no <nmaprun> element");
        rc = WW_EPARSE;
    }
    /* The scan itself is a fact the audit needs (the network was looked at). */
    if (rc == 0 && root)
        rc = ww__asset_scan_record(st, name, scan_time, now, hosts_up, diag);
out:
    ww_arena_release(&ar);
    ww_arena_release(&hostar);
    return rc;
}
