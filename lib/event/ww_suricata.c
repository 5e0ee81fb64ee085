/* Suricata EVE JSON: the normalised names added to a record the JSON profile has
 * already flattened under its native dotted paths (src_ip, dest_ip, alert.signature,
 * dns.rrname, smb.command, ...).  EVE calls the responder `dest_*`; the Sigma taxonomy
 * and the other network decoders say `dst_*`, so both are present.  Suricata writes
 * the protocol in upper case ("TCP"); the contract wants lower case, and since string
 * matching is case-insensitive the native field is lowercased in place rather than
 * repeated. */
#include "event/ww_reader_int.h"

static int lower_in_place(ww_event_t *ev, ww_field_t *f)
{
    bool upper = false;
    for (size_t i = 0; i < f->value.n && !upper; i++)
        upper = f->value.p[i] >= 'A' && f->value.p[i] <= 'Z';
    if (!upper)
        return 0;
    char *o = ww_arena_alloc(&ev->arena, f->value.n + 1);
    if (!o)
        return WW_ENOMEM;
    for (size_t i = 0; i < f->value.n; i++)
        o[i] = (char)ww_lower((unsigned char)f->value.p[i]);
    o[f->value.n] = 0;
    f->value = (ww_str_t){o, f->value.n};
    return 0;
}

int ww__suricata_finish(ww_event_t *ev)
{
    int rc = 0;
    const ww_field_t *f;
    ev->product = WW_STR("suricata");
    if ((f = ww_event_get(ev, WW_STR("event_type"), NULL)) != NULL && f->type == WW_F_STR)
        ev->service = f->value;
    if ((f = ww_event_get(ev, WW_STR("proto"), NULL)) != NULL && f->type == WW_F_STR)
        rc = lower_in_place(ev, (ww_field_t *)f);
    if (rc == 0 && (f = ww_event_get(ev, WW_STR("dest_ip"), NULL)) != NULL && f->value.n) {
        ww_str_t v = f->value;
        rc = ww_event_add(ev, WW_STR("dst_ip"), v, WW_F_STR);
    }
    if (rc == 0 && (f = ww_event_get(ev, WW_STR("dest_port"), NULL)) != NULL && f->value.n) {
        ww_str_t v = f->value;
        rc = ww_event_add(ev, WW_STR("dst_port"), v, WW_F_INT);
    }
    return rc;
}
