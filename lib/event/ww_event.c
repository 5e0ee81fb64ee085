/* The event table: adding, finding and printing fields. */
#include "event/ww_event.h"

#include <stdio.h>
#include <stdlib.h>

void ww_event_init(ww_event_t *ev)
{
    memset(ev, 0, sizeof *ev);
    ww_arena_init(&ev->arena, 64 * 1024, 64 * 1024 * 1024);
    ev->ts = WW_TIME_NONE;
    ev->event_id = -1;
}

void ww_event_reset(ww_event_t *ev)
{
    ww_arena_reset(&ev->arena);
    ev->fields = NULL;
    ev->nfields = ev->cap = 0;
    ev->kind = 0;
    ev->raw = (ww_str_t){0};
    ev->ts = WW_TIME_NONE;
    ev->event_id = -1;
    ev->channel = ev->provider = ev->host = (ww_str_t){0};
    ev->product = ev->service = ev->category = (ww_str_t){0};
}

void ww_event_release(ww_event_t *ev)
{
    if (!ev)
        return;
    ww_arena_release(&ev->arena);
    memset(ev, 0, sizeof *ev);
}

int ww_event_add(ww_event_t *ev, ww_str_t name, ww_str_t value, int type)
{
    if (ev->nfields == ev->cap) {
        if (ev->cap >= WW_EVENT_MAX_FIELDS)
            return WW_ELIMIT;
        uint32_t ncap = ev->cap ? ev->cap * 2 : 64;
        /* The table lives in the arena; growing abandons the old copy until reset. */
        ww_field_t *nf = ww_arena_alloc(&ev->arena, ncap * sizeof *nf);
        if (!nf)
            return WW_ENOMEM;
        if (ev->nfields)
            memcpy(nf, ev->fields, ev->nfields * sizeof *nf);
        ev->fields = nf;
        ev->cap = ncap;
    }
    ww_field_t *f = &ev->fields[ev->nfields];
    f->name = name;
    f->value = value;
    f->type = (uint8_t)type;
    f->num = 0;
    if (type == WW_F_INT && value.n > 0 && value.n <= 15) {
        /* Most numbers are short integers: no need for strtod. */
        int64_t v = 0;
        size_t i = value.p[0] == '-';
        bool ok = i < value.n;
        for (; i < value.n && ok; i++) {
            ok = value.p[i] >= '0' && value.p[i] <= '9';
            v = v * 10 + (value.p[i] - '0');
        }
        if (ok) {
            f->num = (double)(value.p[0] == '-' ? -v : v);
            ev->nfields++;
            return 0;
        }
    }
    if (type == WW_F_INT || type == WW_F_FLOAT) {
        if (ww_parse_double(value.p, value.n, &f->num) != 0)
            f->type = WW_F_STR; /* keep it, as text */
    }
    ev->nfields++;
    return 0;
}

int ww_event_add_copy(ww_event_t *ev, ww_str_t name, ww_str_t value, int type)
{
    char *n = ww_arena_strndup(&ev->arena, name.p, name.n);
    char *v = ww_arena_strndup(&ev->arena, value.p, value.n);
    if (!n || !v)
        return WW_ENOMEM;
    return ww_event_add(ev, (ww_str_t){n, name.n}, (ww_str_t){v, value.n}, type);
}

const ww_field_t *ww_event_get(const ww_event_t *ev, ww_str_t name, const ww_field_t *after)
{
    uint32_t i = after ? (uint32_t)(after - ev->fields) + 1 : 0;
    for (; i < ev->nfields; i++)
        if (ww_str_ieq(ev->fields[i].name, name))
            return &ev->fields[i];
    return NULL;
}

void ww_event_finish_windows(ww_event_t *ev)
{
    const ww_field_t *f;
    ev->kind = WW_EV_WINDOWS;
    if (!ev->product.n)
        ev->product = WW_STR("windows");
    if (ev->event_id < 0 && (f = ww_event_get(ev, WW_STR("EventID"), NULL)) != NULL) {
        int64_t v;
        if (ww_parse_i64(f->value.p, f->value.n, &v) == 0 && v >= 0 && v <= INT32_MAX)
            ev->event_id = (int32_t)v;
    }
    if (!ev->channel.n && (f = ww_event_get(ev, WW_STR("Channel"), NULL)) != NULL)
        ev->channel = f->value;
    if (!ev->provider.n && (f = ww_event_get(ev, WW_STR("Provider_Name"), NULL)) != NULL)
        ev->provider = f->value;
    if (!ev->host.n && (f = ww_event_get(ev, WW_STR("Computer"), NULL)) != NULL)
        ev->host = f->value;
    if (ev->ts == WW_TIME_NONE &&
        (f = ww_event_get(ev, WW_STR("TimeCreated_SystemTime"), NULL)) != NULL) {
        int64_t t;
        if (ww_time_parse_iso(f->value.p, f->value.n, &t) == 0)
            ev->ts = t;
    }
}

static int put_value(ww_buf_t *out, const ww_field_t *f)
{
    switch (f->type) {
    case WW_F_INT:
    case WW_F_FLOAT:
    case WW_F_BOOL: return ww_buf_append(out, f->value.p, f->value.n);
    case WW_F_NULL: return ww_buf_puts(out, "null");
    default: return ww_buf_json_str(out, f->value.p, f->value.n);
    }
}

int ww_event_to_json(const ww_event_t *ev, ww_buf_t *out)
{
    int rc = ww_buf_putc(out, '{');
    bool first = true;
    for (uint32_t i = 0; i < ev->nfields && rc == 0; i++) {
        const ww_field_t *f = &ev->fields[i];
        /* A repeated name is printed once, as an array, where it first occurs. */
        if (ww_event_get(ev, f->name, NULL) != f)
            continue;
        const ww_field_t *next = ww_event_get(ev, f->name, f);
        if (!first)
            rc = ww_buf_putc(out, ',');
        first = false;
        if (rc == 0)
            rc = ww_buf_json_str(out, f->name.p, f->name.n);
        if (rc == 0)
            rc = ww_buf_putc(out, ':');
        if (rc)
            break;
        if (!next) {
            rc = put_value(out, f);
            continue;
        }
        rc = ww_buf_putc(out, '[');
        for (const ww_field_t *g = f; g && rc == 0; g = ww_event_get(ev, f->name, g)) {
            if (g != f)
                rc = ww_buf_putc(out, ',');
            if (rc == 0)
                rc = put_value(out, g);
        }
        if (rc == 0)
            rc = ww_buf_putc(out, ']');
    }
    if (rc == 0)
        rc = ww_buf_putc(out, '}');
    return rc;
}

const char *ww_format_name(int fmt)
{
    switch (fmt) {
    case WW_FMT_EVTX: return "evtx";
    case WW_FMT_JSON: return "json";
    case WW_FMT_SYSLOG: return "syslog";
    case WW_FMT_TEXT: return "text";
    default: return "auto";
    }
}
