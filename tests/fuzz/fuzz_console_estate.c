/* libFuzzer target for what the console's estate pages read from a request (lib/console/
 * ww_console_estate.c): the register's filters and paging, the query string they make
 * for the next page, the rollback time, the JSON body of a plan or an action, the host
 * list a plan quarantines (read against a fixed map), and the plan form that shows
 * those values back.  The input is one HTTP/1.1 message (lib/web's parser, fuzzed on
 * its own by fuzz_web_request).  Promises checked: the filters keep only values they
 * understand; the next-page query is percent-encoded (no byte outside [A-Za-z0-9-_.~%=&]);
 * the form echoes values as text (no '<' and no quote from the input); a host list is
 * either refused with a reason or gives hosts inside the map's segments. */
#include <stdlib.h>

#include "../../lib/console/ww_console_estate.c"

static const char map_yaml[] = "hospital: fuzz\n"
                               "segments:\n"
                               "  - {name: management, cidrs: [10.90.0.0/24], kind: management}\n"
                               "  - {name: wards, cidrs: [10.10.0.0/24, 'fd00:10::/64'], kind: "
                               "clinical}\n"
                               "  - {name: pacs, cidrs: [10.20.0.0/24], kind: servers}\n"
                               "  - {name: nhsmail, cidrs: [52.0.0.0/8], kind: external}\n"
                               "flows:\n"
                               "  - {from: wards, to: pacs, proto: tcp, ports: [443], clinical: "
                               "true, reason: viewer}\n";

static ww_fb_map_t *map;

/* A register of three assets for filt_keep. */
static const char *ips0[] = {"10.10.0.7"}, *ips1[] = {"10.20.0.5", "fd00:10::5"};
static ww_asset_t assets[3];
static size_t nfind[3] = {2, 0, 1};
static estate_t est;

static void setup(void)
{
    ww_diag_t d = {0};
    if (ww_fb_map_parse(map_yaml, sizeof map_yaml - 1, "fuzz", &map, &d) != 0)
        abort();
    assets[0] = (ww_asset_t){.asset_id = "A-1",
                             .hostname = "ward-pc07",
                             .ips = ips0,
                             .nips = 1,
                             .segment = "wards",
                             .owner = "Ward 7",
                             .clinical_criticality = WW_CRIT_HIGH};
    assets[1] = (ww_asset_t){.asset_id = "A-2",
                             .hostname = "pacs01",
                             .ips = ips1,
                             .nips = 2,
                             .segment = "pacs",
                             .clinical_criticality = WW_CRIT_CRITICAL};
    assets[2] = (ww_asset_t){.asset_id = "",
                             .hostname = "",
                             .ips = NULL,
                             .nips = 0,
                             .segment = "",
                             .type = WW_AT_MEDICAL_DEVICE};
    est.set.assets = assets;
    est.set.n = 3;
    est.nfind = nfind;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!map)
        setup();
    ww_web_limits_t lim;
    ww_web_limits_default(&lim);
    ww_web_req_t r;
    ww_web_req_init(&r, &lim, NULL);
    if (ww_web_req_parse_raw(&r, data, size, 0) != 0)
        goto out;

    filt_t f;
    filt_read(&r, &f);
    if (f.crit && (f.min_crit < 0 || f.min_crit > WW_CRIT_CRITICAL))
        abort();
    if (f.medical && strcmp(f.medical, "yes") && strcmp(f.medical, "no"))
        abort();
    if (f.page < 1)
        abort();
    size_t kept = 0;
    for (size_t i = 0; i < est.set.n; i++)
        kept += filt_keep(&f, &est, i);
    if (!f.q && !f.segment && !f.crit && !f.medical && !f.findings && kept != est.set.n)
        abort(); /* no filter keeps everything */
    ww_buf_t q;
    ww_buf_init(&q, 0);
    filt_query(&q, &f);
    for (size_t i = 0; i < q.n; i++) {
        char c = q.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("-_.~%=&", c)))
            abort();
    }
    ww_buf_release(&q);

    long rb;
    if (parse_rollback(ww_web_form(&r, "rollback_after"), &rb) && (rb < -1 || rb > 86400))
        abort();

    bool bad = false;
    const char *host = ww_web_form(&r, "host"), *seg = ww_web_form(&r, "segment");
    if (ww_web_json_type(&r, 0) == 'o') {
        const char *jh = jstr(&r, "host", &bad), *js2 = jstr(&r, "segment", &bad);
        jstr(&r, "reason", &bad);
        if (jh)
            host = jh;
        if (js2)
            seg = js2;
    }
    if (host && strlen(host) <= 4000) {
        ww_fb_host_t hosts[WW_FB_MAX_HOSTS];
        size_t nh = 0;
        char why[400];
        if (ww_fb_hosts_parse(map, host, hosts, WW_FB_MAX_HOSTS, &nh, why, sizeof why) == 0) {
            if (!nh || nh > WW_FB_MAX_HOSTS)
                abort();
            for (size_t i = 0; i < nh; i++)
                if (hosts[i].seg >= map->nsegs ||
                    map->segs[hosts[i].seg].kind == WW_FB_KIND_EXTERNAL)
                    abort();
        } else if (!why[0]) {
            abort(); /* a refusal says why */
        }
    }
    /* The form shows the values back, and an error about them. */
    ww_buf_t b;
    ww_buf_init(&b, 0);
    plan_form(&b, &r, host, seg, ww_web_form(&r, "reason"), "host", host ? host : "bad");
    /* Outside the markup the form writes itself, no '<' or quote from the input. */
    for (const char *p = b.p; p && (p = strstr(p, "value=\"")) != NULL;) {
        p += 7;
        const char *e = strchr(p, '"');
        if (!e)
            abort();
        if (memchr(p, '<', (size_t)(e - p)))
            abort();
        p = e + 1;
    }
    ww_buf_release(&b);
out:
    ww_web_req_release(&r);
    return 0;
}
