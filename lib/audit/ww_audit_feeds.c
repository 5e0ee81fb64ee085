/* Connects the audit's reference-data interface (ww_audit_ref_t) to the loaded feeds
 * (lib/feeds): KEV lookups by CVE and end-of-life lookups by product and version; and
 * what the network map says of an asset's isolation. */
#include "audit/ww_audit_feeds.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "firebreak/ww_firebreak.h"

/* Converts a feeds date field to audit days.  `none` is what "not given" becomes. */
static int64_t feed_day(int64_t t, int64_t none)
{
    if (t == WW_FEEDS_NODATE)
        return none;
    if (t == WW_FEEDS_NOT_ENDED)
        return WW_AUDIT_NEVER;
    if (t == WW_FEEDS_ENDED)
        return WW_AUDIT_ENDED;
    return ww_audit_day(t);
}

static int kev_lookup(void *ud, const char *cve, ww_audit_kev_t *out)
{
    const ww_kev_t *k = ww_feeds_kev(ud, cve);
    if (!k)
        return 0;
    out->ransomware = k->ransomware;
    out->name = k->name ? k->name : "";
    while (*out->name == ' ') /* some catalog names start with a space */
        out->name++;
    return 1;
}

static int eol_lookup(void *ud, const char *product, const char *version, ww_audit_eol_t *out)
{
    ww_eol_t e;
    if (ww_feeds_eol(ud, product, version, &e) != WW_EOL_FOUND)
        return 0;
    /* A release with no end-of-support field at all says nothing: unknown. */
    if (e.eol == WW_FEEDS_NODATE)
        return 0;
    memset(out, 0, sizeof *out);
    const char *title = e.title && *e.title ? e.title : (e.product ? e.product : "");
    const char *label = e.label && *e.label ? e.label : (e.cycle ? e.cycle : "");
    /* "Microsoft Windows" + "7 SP1", but "Windows Server 2008 R2 SP1" alone when the
     * label already names the product. */
    size_t w = strcspn(label, " ");
    bool named = w > 0 && !isdigit((unsigned char)label[0]) &&
                 memmem(title, strlen(title), label, w) != NULL;
    if (named)
        snprintf(out->product, sizeof out->product, "%s", label);
    else
        snprintf(out->product, sizeof out->product, "%s%s%s", title, *label ? " " : "", label);
    snprintf(out->release, sizeof out->release, "%s", label);
    out->eol_day = feed_day(e.eol, WW_AUDIT_ENDED);
    out->eoes_day = feed_day(e.eoes, WW_AUDIT_ENDED);
    /* Debian LTS comes through the ordinary security archive: no subscription. */
    out->extended_free = e.product && !strcmp(e.product, "debian");
    return 1;
}

void ww_audit_ref_from_feeds(const ww_feeds_t *f, ww_audit_ref_t *ref)
{
    memset(ref, 0, sizeof *ref);
    ref->kev_day = ref->eol_day = WW_AUDIT_NODAY;
    if (!f)
        return;
    ref->ud = (void *)f;
    ref->kev = kev_lookup;
    ref->eol = eol_lookup;
    /* How old the data is: the report warns when it is stale. */
    int64_t k = ww_feeds_kev_date(f), e = ww_feeds_eol_date(f, NULL);
    if (k != WW_FEEDS_NODATE && k != WW_FEEDS_ENDED && k != WW_FEEDS_NOT_ENDED)
        ref->kev_day = ww_audit_day(k);
    if (e != WW_FEEDS_NODATE && e != WW_FEEDS_ENDED && e != WW_FEEDS_NOT_ENDED)
        ref->eol_day = ww_audit_day(e);
    ref->kev_version = ww_feeds_kev_version(f);
}

int ww_audit_map_isolated(void *map, const ww_asset_t *a, char *where, size_t wherelen)
{
    const ww_fb_map_t *m = map;
    int si = -1;
    for (size_t i = 0; i < a->nips && si < 0; i++)
        si = ww_fb_map_find_ip(m, a->ips[i]);
    for (uint32_t i = 0; si < 0 && a->segment && *a->segment && i < m->nsegs; i++)
        if (!strcasecmp(m->segs[i].name, a->segment))
            si = (int)i;
    if (si < 0)
        return -1;
    snprintf(where, wherelen, "%s", m->segs[si].name);
    if (!m->has_links || m->segs[si].kind == WW_FB_KIND_DMZ)
        return 0;
    for (uint32_t i = 0; i < m->nlinks; i++)
        if (m->links[i].a == (uint32_t)si || m->links[i].b == (uint32_t)si)
            return 0;
    return 1;
}
