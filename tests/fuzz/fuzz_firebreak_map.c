/* libFuzzer target for the fire-break network map: any bytes as a map; when one is
 * accepted, every segment is planned and rendered in every form, and the lookups and
 * reachability run over it, so what the parser lets through is what the renderers
 * can take.  The first line of the input is also read as an address (--infected and
 * flow logs) and as a CIDR, and an accepted address must read back the same; a
 * leading "# " is skipped, so one seed can be both a YAML map and an address. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "firebreak/ww_firebreak.h"

static void fuzz_address(const uint8_t *data, size_t size)
{
    char line[80], why[200], txt[64], again[64];
    size_t n = 0;
    if (size >= 2 && data[0] == '#' && data[1] == ' ') {
        data += 2;
        size -= 2;
    }
    while (n < size && n < sizeof line - 1 && data[n] != '\n' && data[n] != 0)
        n++;
    memcpy(line, data, n);
    line[n] = 0;
    uint8_t a[16], b[16];
    int fam, fam2;
    if (ww_fb_addr_parse(line, &fam, a, NULL, why, sizeof why) == 0) {
        if (fam != 4 && fam != 6)
            abort();
        ww_fb_addr_format(fam, a, txt, sizeof txt);
        /* The canonical text parses to the same address. */
        if (ww_fb_addr_parse(txt, &fam2, b, NULL, why, sizeof why) != 0 || fam2 != fam ||
            memcmp(a, b, 16) != 0)
            abort();
        ww_fb_addr_format(fam2, b, again, sizeof again);
        if (strcmp(txt, again) != 0)
            abort();
    } else if (!why[0]) {
        abort(); /* every refusal says why */
    }
    ww_fb_cidr_t c;
    why[0] = 0;
    if (ww_fb_cidr_parse(line, &c, why, sizeof why) == 0) {
        if ((c.family == 4 && c.prefix > 32) || c.prefix > 128)
            abort();
    } else if (!why[0]) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_address(data, size);
    ww_fb_map_t *m = NULL;
    ww_diag_t d = {0};
    if (ww_fb_map_parse((const char *)data, size, "fuzz.yml", &m, &d) != 0) {
        if (!d.msg[0] || !d.line || !d.col)
            abort(); /* every rejection says why, and where: line and column */
        return 0;
    }
    int *hops = calloc(m->nsegs, sizeof(int)), *via = calloc(m->nsegs, sizeof(int));
    ww_buf_t out;
    ww_buf_init(&out, 0);
    for (uint32_t s = 0; s < m->nsegs && s < 8 && hops && via; s++) {
        ww_fb_plan_info_t p = {1, s, "10.0.0.1", "fuzz", "fuzz", "now", NULL, 0, NULL, 0};
        ww_fb_reach(m, s, hops, via);
        if (hops[s] != 0)
            abort();
        ww_buf_clear(&out);
        ww_fb_render_chain(m, &p, &out);
        const char *c = out.p;
        ww_buf_t t;
        ww_buf_init(&t, 0);
        ww_fb_render_table(&c, 1, &t);
        ww_buf_release(&t);
        ww_buf_clear(&out);
        ww_fb_render_text(m, &p, &out);
        ww_buf_clear(&out);
        ww_fb_render_change_request(m, &p, &out);
        ww_buf_clear(&out);
        ww_fb_render_json(m, &p, &out);
        if (ww_fb_map_find_segment(m, m->segs[s].name) != (int)s)
            abort();
    }
    /* A host plan: the first address of the first segment, quarantined alone. */
    if (m->nsegs && m->segs[0].ncidrs) {
        char host[64], why[200];
        ww_fb_host_t h[2];
        size_t nh = 0;
        ww_fb_addr_format(m->segs[0].cidrs[0].family, m->segs[0].cidrs[0].addr, host, sizeof host);
        if (ww_fb_hosts_parse(m, host, h, 2, &nh, why, sizeof why) == 0) {
            ww_fb_plan_info_t p = {2, 0, NULL, "fuzz", "fuzz", "now", NULL, 0, h, nh};
            if (nh != 1 || h[0].seg != 0)
                abort();
            ww_buf_clear(&out);
            ww_fb_render_chain(m, &p, &out);
            ww_buf_clear(&out);
            ww_fb_render_text(m, &p, &out);
            ww_buf_clear(&out);
            ww_fb_render_change_request(m, &p, &out);
            ww_buf_clear(&out);
            ww_fb_render_json(m, &p, &out);
        } else if (m->segs[0].kind != WW_FB_KIND_EXTERNAL) {
            abort(); /* an address of a hospital segment can always be quarantined */
        }
    }
    ww_fb_map_find_ip(m, "10.20.0.1");
    ww_fb_map_find_ip(m, "fd00::1");
    if (ww_fb_map_find_ip(m, "::ffff:10.20.0.1") != ww_fb_map_find_ip(m, "10.20.0.1"))
        abort(); /* an IPv4-mapped address is the IPv4 host */
    for (uint32_t i = 0; i < m->nsegs && i < 4; i++)
        ww_fb_flow_allowed(m, i, (i + 1) % m->nsegs, WW_FB_TCP, 443);
    ww_buf_release(&out);
    free(hops);
    free(via);
    ww_fb_map_free(m);
    return 0;
}
