/* libFuzzer target for the fire-break network map: any bytes as a map; when one is
 * accepted, every segment is planned and rendered in every form, and the lookups and
 * reachability run over it, so what the parser lets through is what the renderers
 * can take. */
#include <stdint.h>
#include <stdlib.h>

#include "firebreak/ww_firebreak.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ww_fb_map_t *m = NULL;
    ww_diag_t d = {0};
    if (ww_fb_map_parse((const char *)data, size, "fuzz.yml", &m, &d) != 0) {
        if (!d.msg[0])
            abort(); /* every rejection says why */
        return 0;
    }
    int *hops = calloc(m->nsegs, sizeof(int)), *via = calloc(m->nsegs, sizeof(int));
    ww_buf_t out;
    ww_buf_init(&out, 0);
    for (uint32_t s = 0; s < m->nsegs && s < 8 && hops && via; s++) {
        ww_fb_plan_info_t p = {1, s, "10.0.0.1", "fuzz", "fuzz", "now", NULL, 0};
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
    ww_fb_map_find_ip(m, "10.20.0.1");
    ww_fb_map_find_ip(m, "fd00::1");
    for (uint32_t i = 0; i < m->nsegs && i < 4; i++)
        ww_fb_flow_allowed(m, i, (i + 1) % m->nsegs, WW_FB_TCP, 443);
    ww_buf_release(&out);
    free(hops);
    free(via);
    ww_fb_map_free(m);
    return 0;
}
