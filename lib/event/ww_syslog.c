/* Syslog and plain-text line decoder: one event per line (LF or CRLF).  A line is
 * tried as RFC 5424 (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG`), then as
 * RFC 3164 (`<PRI>Mmm dd hh:mm:ss host prog[pid]: msg`, the <PRI> optional and the
 * timestamp possibly RFC 3339); anything else is a plain text line.  Values are
 * slices of the input; only SD parameter values with escapes and lowercased program
 * names are copied into the event's arena.  The message then goes to the program and
 * content decoders of ww_syslog_dispatch.c (sshd, PAM, sudo, netfilter, auditd, ...),
 * which add named fields; a text line can still be a raw auditd or firewall record. */
#include "event/ww_syslog_int.h"

#include <stdlib.h>
#include <time.h>

/* Longer lines are reported and skipped: a syslog message this long is either not
 * syslog or an attempt to exhaust memory downstream. */
#define SYSLOG_MAX_LINE (64 * 1024)
#define MAX_PROGRAM 64

typedef struct syslog_state {
    bool text_only;   /* WW_FMT_TEXT: don't try syslog */
    uint32_t line_no; /* lines consumed, for diagnostics */
    int64_t now_ns;   /* reference time for year-less RFC 3164 timestamps */
    int year;
    /* The last date converted to days: consecutive lines are nearly always from the
       same day.  dc_mon 0 = nothing cached. */
    int64_t dc_y, dc_days;
    unsigned dc_mon, dc_day;
} syslog_state_t;

typedef struct line {
    const char *p, *e;
} line_t;

static int sl_open(ww_reader_t *r, ww_diag_t *diag)
{
    syslog_state_t *st = calloc(1, sizeof *st);
    if (!st) {
        ww_diag_set(diag, r->name, 0, 0, "out of memory");
        return WW_ENOMEM;
    }
    st->text_only = r->fmt == WW_FMT_TEXT;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    st->now_ns = (int64_t)now * 1000000000LL;
    st->year = tm.tm_year + 1900;
    r->state = st;
    return 0;
}

void ww__syslog_inherit(ww_reader_t *dst, const ww_reader_t *src)
{
    syslog_state_t *d = dst->state;
    const syslog_state_t *s = src->state;
    if (d && s) {
        d->now_ns = s->now_ns;
        d->year = s->year;
    }
}

static void sl_close(ww_reader_t *r)
{
    free(r->state);
    r->state = NULL;
}

static inline bool isdig(char c)
{
    return c >= '0' && c <= '9';
}

static int add(ww_event_t *ev, const char *name, const char *p, const char *e, int type)
{
    if (type == WW_F_STR)
        return ww__add_str(ev, WW_STRZ(name), (ww_str_t){p, (size_t)(e - p)});
    return ww_event_add(ev, WW_STRZ(name), (ww_str_t){p, (size_t)(e - p)}, type);
}

/* "<PRI>": 1-3 digits, at most 191.  Returns the byte after '>' or NULL. */
static const char *parse_pri(const char *p, const char *e, int *pri)
{
    if (p >= e || *p != '<')
        return NULL;
    const char *q = p + 1;
    int v = 0, nd = 0;
    while (q < e && isdig(*q) && nd < 3) {
        v = v * 10 + (*q - '0');
        q++;
        nd++;
    }
    if (nd == 0 || q >= e || *q != '>' || v > 191)
        return NULL;
    *pri = v;
    return q + 1;
}

static int month_of(const char *p)
{
    static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    for (int m = 0; m < 12; m++)
        if (memcmp(p, names + 3 * m, 3) == 0)
            return m + 1;
    return 0;
}

static bool two(const char *p, unsigned *v)
{
    if (!isdig(p[0]) || !isdig(p[1]))
        return false;
    *v = (unsigned)((p[0] - '0') * 10 + (p[1] - '0'));
    return true;
}

static int64_t days_of(syslog_state_t *st, int64_t y, unsigned m, unsigned d)
{
    if (m != st->dc_mon || d != st->dc_day || y != st->dc_y) {
        st->dc_days = ww_days_from_civil(y, m, d);
        st->dc_y = y;
        st->dc_mon = m;
        st->dc_day = d;
    }
    return st->dc_days;
}

/* "Mmm dd hh:mm:ss" (day space-padded), optionally ".frac".  Sets *ts (no year in
 * the text: the current year, or the previous one if that would put the event more
 * than a day in the future).  Returns the end or NULL. */
static const char *parse_bsd_time(syslog_state_t *st, const char *p, const char *e, int64_t *ts)
{
    /* Cisco devices write "Mmm dd yyyy hh:mm:ss": the year is given, not guessed. */
    if (e - p >= 20 && p[3] == ' ' && p[6] == ' ' && isdig(p[7]) && isdig(p[8]) && isdig(p[9]) &&
        isdig(p[10]) && p[11] == ' ' && p[14] == ':' && p[17] == ':') {
        int mon = month_of(p);
        unsigned d, h, mi, s,
            y = (unsigned)((p[7] - '0') * 1000 + (p[8] - '0') * 100 + (p[9] - '0') * 10 +
                           (p[10] - '0'));
        if (!mon || (p[4] == ' ' ? !isdig(p[5]) : !two(p + 4, &d)))
            return NULL;
        if (p[4] == ' ')
            d = (unsigned)(p[5] - '0');
        if (!two(p + 12, &h) || !two(p + 15, &mi) || !two(p + 18, &s) || d < 1 || d > 31 ||
            h > 23 || mi > 59 || s > 60 || y < 1970 || y > 2262)
            return NULL; /* past 2262 the time does not fit in int64 nanoseconds */
        *ts = (days_of(st, y, (unsigned)mon, d) * 86400 + (int64_t)h * 3600 + mi * 60 + s) *
              1000000000LL;
        return p + 20;
    }
    if (e - p < 15 || p[3] != ' ' || p[6] != ' ' || p[9] != ':' || p[12] != ':')
        return NULL;
    int mon = month_of(p);
    unsigned d, h, mi, s;
    if (!mon)
        return NULL;
    if (p[4] == ' ' && isdig(p[5]))
        d = (unsigned)(p[5] - '0');
    else if (!two(p + 4, &d))
        return NULL;
    if (!two(p + 7, &h) || !two(p + 10, &mi) || !two(p + 13, &s) || d < 1 || d > 31 || h > 23 ||
        mi > 59 || s > 60)
        return NULL;
    const char *q = p + 15;
    int64_t frac = 0;
    if (q < e && *q == '.' && q + 1 < e && isdig(q[1])) {
        int64_t scale = 100000000;
        for (q++; q < e && isdig(*q); q++) {
            frac += (*q - '0') * scale;
            scale /= 10;
        }
    }
    int64_t sod = (int64_t)h * 3600 + mi * 60 + s;
    int64_t t = (days_of(st, st->year, (unsigned)mon, d) * 86400 + sod) * 1000000000LL + frac;
    if (t > st->now_ns + 86400LL * 1000000000LL)
        t = (days_of(st, st->year - 1, (unsigned)mon, d) * 86400 + sod) * 1000000000LL + frac;
    *ts = t;
    return q;
}

static const char *token_end(const char *p, const char *e)
{
    if (p >= e)
        return e;
    const char *sp = memchr(p, ' ', (size_t)(e - p));
    return sp ? sp : e;
}

/* Sets the routing facts shared by both syslog flavours. */
static int set_facts(ww_event_t *ev, ww_str_t host, ww_str_t prog)
{
    ev->kind = WW_EV_SYSLOG;
    ev->host = host;
    ev->product = WW_STR("linux");
    if (!prog.n)
        return 0;
    bool upper = false;
    for (size_t i = 0; i < prog.n; i++)
        if (prog.p[i] >= 'A' && prog.p[i] <= 'Z')
            upper = true;
    if (!upper) {
        ev->service = prog;
        return 0;
    }
    char *o = ww_arena_alloc(&ev->arena, prog.n + 1);
    if (!o)
        return WW_ENOMEM;
    for (size_t i = 0; i < prog.n; i++)
        o[i] = (char)ww_lower((unsigned char)prog.p[i]);
    o[prog.n] = 0;
    ev->service = (ww_str_t){o, prog.n};
    return 0;
}

static int add_pri(ww_event_t *ev, int pri)
{
    /* Small numbers: the text lives in a static table, no formatting per event. */
    static const char digits[] = "0001020304050607080910111213141516171819202122232425";
    int fac = pri / 8, sev = pri % 8;
    const char *fp = digits + 2 * fac + (fac < 10 ? 1 : 0);
    int rc = ww_event_add(ev, WW_STR("facility"), (ww_str_t){fp, fac < 10 ? 1u : 2u}, WW_F_INT);
    if (rc == 0)
        rc = ww_event_add(ev, WW_STR("severity"), (ww_str_t){digits + 2 * sev + 1, 1}, WW_F_INT);
    return rc;
}

static int add_pid(ww_event_t *ev, const char *p, const char *e)
{
    int64_t v;
    if (ww__small_uint(ww__s(p, e), &v))
        return ww__add_uint(ev, WW_STR("pid"), ww__s(p, e), v);
    int type = ww_parse_i64(p, (size_t)(e - p), &v) == 0 ? WW_F_INT : WW_F_STR;
    return add(ev, "pid", p, e, type);
}

/* RFC 5424 structured data: one or more [SD-ID name="value" ...].  Each parameter
 * becomes the field sd.<SD-ID>.<name>.  Returns the end, or NULL if malformed. */
static const char *parse_sd(ww_event_t *ev, const char *p, const char *e, int *rc)
{
    while (p < e && *p == '[') {
        const char *id = p + 1, *q = id;
        while (q < e && *q != ' ' && *q != ']' && *q != '=' && *q != '"')
            q++;
        if (q == id || q >= e)
            return NULL;
        ww_str_t sdid = {id, (size_t)(q - id)};
        while (q < e && *q == ' ') {
            const char *nm = ++q;
            while (q < e && *q != '=' && *q != ' ' && *q != ']' && *q != '"')
                q++;
            if (q == nm || q + 1 >= e || q[0] != '=' || q[1] != '"')
                return NULL;
            ww_str_t name = {nm, (size_t)(q - nm)};
            const char *v = q + 2;
            bool esc = false;
            for (q = v; q < e && *q != '"'; q++) {
                if (*q == '\\' && q + 1 < e) {
                    esc = true;
                    q++;
                }
            }
            if (q >= e)
                return NULL;
            ww_str_t val = {v, (size_t)(q - v)};
            q++;
            char *fn = ww_arena_alloc(&ev->arena, 3 + sdid.n + 1 + name.n + 1);
            if (!fn) {
                *rc = WW_ENOMEM;
                return NULL;
            }
            memcpy(fn, "sd.", 3);
            memcpy(fn + 3, sdid.p, sdid.n);
            fn[3 + sdid.n] = '.';
            memcpy(fn + 4 + sdid.n, name.p, name.n);
            fn[4 + sdid.n + name.n] = 0;
            if (esc) {
                /* Only \" \\ and \] are escapes; a backslash before anything else stays. */
                char *o = ww_arena_alloc(&ev->arena, val.n + 1);
                if (!o) {
                    *rc = WW_ENOMEM;
                    return NULL;
                }
                size_t k = 0;
                for (size_t i = 0; i < val.n; i++) {
                    if (val.p[i] == '\\' && i + 1 < val.n &&
                        (val.p[i + 1] == '"' || val.p[i + 1] == '\\' || val.p[i + 1] == ']'))
                        i++;
                    o[k++] = val.p[i];
                }
                o[k] = 0;
                val = (ww_str_t){o, k};
            }
            *rc = ww_event_add(ev, (ww_str_t){fn, 4 + sdid.n + name.n}, val, WW_F_STR);
            if (*rc)
                return NULL;
        }
        if (q >= e || *q != ']')
            return NULL;
        p = q + 1;
    }
    return p;
}

/* RFC 5424.  Returns 1 if the line was syslog, 0 to fall back to text, <0 on error. */
static int parse_5424(syslog_state_t *st, ww_event_t *ev, line_t ln, const char *p, int pri)
{
    const char *e = ln.e;
    ww_str_t f[5]; /* TIMESTAMP HOST APP PROCID MSGID */
    for (int i = 0; i < 5; i++) {
        if (p >= e)
            return 0;
        const char *t = token_end(p, e);
        if (t == p || t >= e)
            return 0;
        f[i] = (ww_str_t){p, (size_t)(t - p)};
        p = t + 1;
    }
    int64_t ts = WW_TIME_NONE;
    bool nil_ts = f[0].n == 1 && f[0].p[0] == '-';
    if (!nil_ts && ww_time_parse_iso(f[0].p, f[0].n, &ts) != 0)
        return 0;
    int rc = 0;
    if (p >= e || (*p != '-' && *p != '['))
        return 0;
    const char *sd_end;
    if (*p == '-') {
        sd_end = p + 1;
    } else {
        sd_end = parse_sd(ev, p, e, &rc);
        if (rc)
            return rc;
        if (!sd_end) {
            /* Not well-formed after all: forget any SD fields added so far. */
            ww_event_reset(ev);
            return 0;
        }
    }
    if (sd_end < e && *sd_end != ' ') {
        ww_event_reset(ev);
        return 0;
    }
    const char *msg = sd_end < e ? sd_end + 1 : e;
    if (e - msg >= 3 && memcmp(msg, "\xEF\xBB\xBF", 3) == 0)
        msg += 3;
    static const char *const names[5] = {"timestamp", "host", "program", "pid", "msgid"};
    rc = add_pri(ev, pri);
    for (int i = 0; i < 5 && rc == 0; i++) {
        if (f[i].n == 1 && f[i].p[0] == '-')
            continue; /* NILVALUE */
        if (i == 3)
            rc = add_pid(ev, f[i].p, f[i].p + f[i].n);
        else
            rc = ww_event_add(ev, WW_STRZ(names[i]), f[i], WW_F_STR);
    }
    if (rc == 0)
        rc = add(ev, "message", msg, e, WW_F_STR);
    ww_str_t host = f[1].n == 1 && f[1].p[0] == '-' ? (ww_str_t){0} : f[1];
    ww_str_t prog = f[2].n == 1 && f[2].p[0] == '-' ? (ww_str_t){0} : f[2];
    if (rc == 0)
        rc = set_facts(ev, host, prog);
    ev->ts = ts;
    if (rc == 0)
        rc = ww__syslog_decode_msg(ev, prog, (ww_str_t){msg, (size_t)(e - msg)},
                                   (ww_str_t){ln.p, (size_t)(e - ln.p)});
    (void)st;
    return rc < 0 ? rc : 1;
}

/* "prog[pid]:" or "prog:" at p (a space or the end after it).  Returns the byte after
 * the colon or NULL. */
static const char *parse_tag(const char *p, const char *e, ww_str_t *prog, ww_str_t *pid)
{
    const char *q = p;
    while (q < e && *q != ' ' && *q != '[' && *q != ':' && q - p < MAX_PROGRAM)
        q++;
    if (q == p || q >= e)
        return NULL;
    *prog = (ww_str_t){p, (size_t)(q - p)};
    *pid = (ww_str_t){0};
    if (*q == '[') {
        const char *d = ++q;
        while (q < e && *q != ']' && *q != ' ')
            q++;
        if (q >= e || *q != ']' || q == d)
            return NULL;
        *pid = (ww_str_t){d, (size_t)(q - d)};
        q++;
    }
    if (q >= e || *q != ':' || (q + 1 < e && q[1] != ' '))
        return NULL;
    return q + 1;
}

/* RFC 3164, with or without <PRI>.  1 if syslog, 0 for text, <0 on error. */
static int parse_3164(syslog_state_t *st, ww_event_t *ev, line_t ln, const char *p, int pri)
{
    const char *e = ln.e, *te;
    int64_t ts = WW_TIME_NONE;
    if (p < e && isdig(*p)) {
        /* RFC 3339 timestamp (rsyslog's high-precision format). */
        te = token_end(p, e);
        if (ww_time_parse_iso(p, (size_t)(te - p), &ts) != 0)
            return 0;
    } else {
        te = parse_bsd_time(st, p, e, &ts);
        if (!te)
            return 0;
    }
    ww_str_t stamp = {p, (size_t)(te - p)};
    if (te >= e || *te != ' ')
        return 0;
    p = te + 1;
    while (p < e && *p == ' ')
        p++;
    ww_str_t host = {0}, prog = {0}, pid = {0};
    const char *t1 = token_end(p, e);
    /* A tag is a whole word ending in ':', so a first word that does not end so is
       the host: no need to scan it as a tag. */
    const char *msg = t1 > p && t1[-1] == ':' ? parse_tag(p, e, &prog, &pid) : NULL;
    if (!msg) {
        /* The first word is the host unless it is already the tag. */
        host = (ww_str_t){p, (size_t)(t1 - p)};
        p = t1 < e ? t1 + 1 : e;
        msg = parse_tag(p, e, &prog, &pid);
        if (!msg) {
            prog = (ww_str_t){0};
            msg = p;
        }
    }
    if (msg < e && *msg == ' ')
        msg++;
    int rc = pri >= 0 ? add_pri(ev, pri) : 0;
    if (rc == 0)
        rc = ww__add_str(ev, WW_STR("timestamp"), stamp);
    if (rc == 0 && host.n)
        rc = ww__add_str(ev, WW_STR("host"), host);
    if (rc == 0 && prog.n)
        rc = ww__add_str(ev, WW_STR("program"), prog);
    if (rc == 0 && pid.n)
        rc = add_pid(ev, pid.p, pid.p + pid.n);
    if (rc == 0)
        rc = add(ev, "message", msg, e, WW_F_STR);
    if (rc == 0)
        rc = set_facts(ev, host, prog);
    ev->ts = ts;
    if (rc == 0)
        rc = ww__syslog_decode_msg(ev, prog, (ww_str_t){msg, (size_t)(e - msg)},
                                   (ww_str_t){ln.p, (size_t)(e - ln.p)});
    return rc < 0 ? rc : 1;
}

static int parse_line(syslog_state_t *st, ww_event_t *ev, line_t ln)
{
    int pri = -1;
    const char *p = ln.p;
    if (!st->text_only) {
        const char *q = parse_pri(p, ln.e, &pri);
        int rc = 0;
        if (q && ln.e - q >= 2 && q[0] == '1' && q[1] == ' ')
            rc = parse_5424(st, ev, ln, q + 2, pri);
        if (rc == 0)
            rc = parse_3164(st, ev, ln, q ? q : p, q ? pri : -1);
        if (rc != 0)
            return rc;
    }
    ev->kind = WW_EV_TEXT;
    if (add(ev, "message", ln.p, ln.e, WW_F_STR))
        return WW_ENOMEM;
    int rc = ww__text_decode_line(ev, (ww_str_t){ln.p, (size_t)(ln.e - ln.p)});
    return rc < 0 ? rc : 1;
}

static int sl_next(ww_reader_t *r, ww_event_t *ev, ww_diag_t *diag)
{
    syslog_state_t *st = r->state;
    const char *b = (const char *)r->buf, *e = b + r->len;
    for (;;) {
        const char *p = b + r->off;
        if (p >= e)
            return 0;
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        const char *le = nl ? nl : e;
        r->off = (uint64_t)((nl ? nl + 1 : e) - b);
        st->line_no++;
        if (le > p && le[-1] == '\r')
            le--;
        if (le == p)
            continue; /* blank lines are not events */
        r->index++;
        if (le - p > SYSLOG_MAX_LINE) {
            ww_diag_set(diag, r->name, st->line_no, 1,
                        "line is longer than the limit of %d bytes; skipped", SYSLOG_MAX_LINE);
            return WW_ELIMIT;
        }
        int rc = parse_line(st, ev, (line_t){p, le});
        ev->raw = (ww_str_t){p, (size_t)(le - p)};
        if (rc < 0) {
            ww_diag_set(diag, r->name, st->line_no, 1, "cannot decode line: %s", ww_strerror(rc));
            return rc;
        }
        return 1;
    }
}

const ww_decoder_ops_t ww_syslog_ops = {"syslog", sl_open, sl_next, sl_close};
