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

/* ---- sshd sessions ---------------------------------------------------------------
 * Many sshd lines name no address ("Disconnecting: Too many authentication failures",
 * "kex_exchange_identification: ...", "pam_unix(sshd:session): session opened ...").
 * They get the address of their session: the latest earlier line from the same host,
 * program and pid that named one, provided that line starts less than
 * WW_READER_LOOKBACK bytes before this one.  The rule depends only on the input's
 * bytes, so a range of a file (hunt --threads) decodes a line exactly as one reader of
 * the whole file does: a range reader looks for a missing session in the bytes before
 * its start (r->lookback) the first time it needs it.
 *
 * Bounds: only lines of at least SESS_MIN_LINE bytes are remembered, so at most
 * WW_READER_LOOKBACK / SESS_MIN_LINE sessions can be live at once; the table holds
 * twice that (SESS_MAX_SLOTS) and forgets sessions whose line left the window.  A key
 * longer than SESS_KEY_MAX or an address longer than SESS_ADDR_MAX is not remembered. */
#define SESS_MIN_LINE 16
#define SESS_MAX_SLOTS 8192u
#define SESS_MIN_SLOTS 64u
#define SESS_KEY_MAX 80
#define SESS_ADDR_MAX 56
#define SESS_PID_BITS 8192u
#define SESS_NONE INT64_MIN /* pos of a key known to have no session in the lookback */

typedef struct sess {
    int64_t pos; /* start of the line that named the address, relative to r->buf */
    uint32_t hash;
    uint8_t klen, alen, plen;
    char key[SESS_KEY_MAX]; /* host NUL program NUL pid */
    char addr[SESS_ADDR_MAX];
    char port[6];
} sess_t;

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
    /* The header of the line being decoded, for the session key. */
    ww_str_t cur_host, cur_prog, cur_pid;
    sess_t *sess; /* open-addressed table, NULL until the first session */
    uint32_t sess_cap, sess_used;
    sess_t *sess_spare; /* the previous table, reused by the next rebuild */
    uint32_t sess_spare_cap;
    ww_event_t scratch; /* for decoding lookback lines */
    bool scratch_init;
    /* Pids that occur in the lookback ("[1234]" anywhere, numeric tokens of RFC 5424
       lines), hashed into bits: a session whose pid is absent needs no search there. */
    bool lb_indexed;
    uint64_t lb_pids[SESS_PID_BITS / 64];
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

/* ww_time_local_to_utc for a BSD timestamp; the wall time is in the --tz zone. */
static int64_t local_ns(int64_t wall)
{
    return ww_time_local_to_utc(wall);
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
    syslog_state_t *st = r->state;
    if (st) {
        free(st->sess);
        free(st->sess_spare);
        if (st->scratch_init)
            ww_event_release(&st->scratch);
    }
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
        *ts =
            local_ns((days_of(st, y, (unsigned)mon, d) * 86400 + (int64_t)h * 3600 + mi * 60 + s) *
                     1000000000LL);
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
    int64_t t =
        local_ns((days_of(st, st->year, (unsigned)mon, d) * 86400 + sod) * 1000000000LL) + frac;
    if (t > st->now_ns + 86400LL * 1000000000LL)
        t = local_ns((days_of(st, st->year - 1, (unsigned)mon, d) * 86400 + sod) * 1000000000LL) +
            frac;
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
    st->cur_host = host;
    st->cur_prog = prog;
    st->cur_pid = f[3].n == 1 && f[3].p[0] == '-' ? (ww_str_t){0} : f[3];
    if (rc == 0)
        rc = set_facts(ev, host, prog);
    ev->ts = ts;
    if (rc == 0)
        rc = ww__syslog_decode_msg(ev, prog, (ww_str_t){msg, (size_t)(e - msg)},
                                   (ww_str_t){ln.p, (size_t)(e - ln.p)});
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
        if (ww_time_parse_iso_local(p, (size_t)(te - p), &ts) != 0)
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
    st->cur_host = host;
    st->cur_prog = prog;
    st->cur_pid = pid;
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
    st->cur_prog = (ww_str_t){0};
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

/* ---- sshd sessions (see the top of the file) ------------------------------------- */

/* The program part of a session key: sshd's own programs, with the old
 * "sshd(pam_unix)" tag counted as sshd; empty for every other program. */
static ww_str_t sess_prog(ww_str_t prog)
{
    const char *lp = prog.n ? memchr(prog.p, '(', prog.n) : NULL;
    ww_str_t b = lp ? ww__s(prog.p, lp) : prog;
    if (b.n < 4 || ww_lower((unsigned char)b.p[0]) != 's')
        return (ww_str_t){0};
    if (WW__IEQ(b, "sshd") || WW__IEQ(b, "sshd-session") || WW__IEQ(b, "sshd-auth"))
        return b;
    return (ww_str_t){0};
}

/* host NUL program NUL pid into key; its length, or 0 when there is no key. */
static size_t sess_key(const syslog_state_t *st, char *key)
{
    ww_str_t prog = sess_prog(st->cur_prog), h = st->cur_host, pid = st->cur_pid;
    if (!prog.n || !pid.n || h.n + prog.n + pid.n + 2 > SESS_KEY_MAX)
        return 0;
    size_t n = 0;
    if (h.n)
        memcpy(key + n, h.p, h.n), n += h.n;
    key[n++] = 0;
    for (size_t i = 0; i < prog.n; i++)
        key[n++] = (char)ww_lower((unsigned char)prog.p[i]);
    key[n++] = 0;
    memcpy(key + n, pid.p, pid.n), n += pid.n;
    return n;
}

/* Eight bytes a step (a byte-wise hash of every line's key was half of the session
   bookkeeping); the key is a local buffer of SESS_KEY_MAX bytes, so the last partial
   word is copied into a zeroed one. */
static uint32_t sess_hash(const char *k, size_t n)
{
    uint64_t h = n * 0x9E3779B97F4A7C15ULL, w;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        memcpy(&w, k + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 29;
    }
    if (i < n) {
        w = 0;
        memcpy(&w, k + i, n - i);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
    }
    h ^= h >> 32;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 29;
    return (uint32_t)h;
}

/* Each table is one block: cap entries, then cap tags (hash | 1; 0 = empty slot).
 * Probing reads only the tags, 4 bytes a slot, so a lookup touches one entry. */
static uint32_t *sess_tags(sess_t *t, uint32_t cap)
{
    return (uint32_t *)(void *)(t + cap);
}

static sess_t *sess_find(syslog_state_t *st, const char *key, size_t n, uint32_t h)
{
    if (!st->sess)
        return NULL;
    const uint32_t *tag = sess_tags(st->sess, st->sess_cap), want = h | 1;
    for (uint32_t i = h & (st->sess_cap - 1);; i = (i + 1) & (st->sess_cap - 1)) {
        if (!tag[i])
            return NULL;
        sess_t *e = &st->sess[i];
        if (tag[i] == want && e->hash == h && e->klen == n && memcmp(e->key, key, n) == 0)
            return e;
    }
}

/* Room for one more key: the table stays at most half full.  It doubles (leaving out
 * sessions that have left the window of a line at `at`) up to SESS_MAX_SLOTS, and at
 * that size is rebuilt without them into the spare table, so a rebuild costs a pass
 * over the table only every few thousand new sessions.  Fails (the session is not
 * remembered) only on allocation failure: live sessions never exceed SESS_MAX_SLOTS /
 * 2 (see the bounds above). */
static bool sess_room(syslog_state_t *st, int64_t at)
{
    if (st->sess && (st->sess_used + 1) * 2 <= st->sess_cap)
        return true;
    uint32_t cap = st->sess ? st->sess_cap : SESS_MIN_SLOTS / 2;
    if (cap < SESS_MAX_SLOTS)
        cap *= 2;
    sess_t *t;
    if (st->sess_spare && st->sess_spare_cap == cap) {
        t = st->sess_spare;
        st->sess_spare = NULL;
        memset(sess_tags(t, cap), 0, cap * sizeof(uint32_t));
    } else if (!(t = calloc(cap, sizeof *t + sizeof(uint32_t)))) {
        return false;
    }
    uint32_t *tt = sess_tags(t, cap), live = 0;
    const uint32_t *ot = st->sess ? sess_tags(st->sess, st->sess_cap) : NULL;
    for (uint32_t i = 0; st->sess && i < st->sess_cap; i++) {
        sess_t *e = &st->sess[i];
        if (!ot[i] || e->pos == SESS_NONE || at - e->pos >= (int64_t)WW_READER_LOOKBACK)
            continue;
        uint32_t j = e->hash & (cap - 1);
        while (tt[j])
            j = (j + 1) & (cap - 1);
        t[j] = *e;
        tt[j] = ot[i];
        live++;
    }
    free(st->sess_spare);
    st->sess_spare = st->sess;
    st->sess_spare_cap = st->sess_cap;
    st->sess = t;
    st->sess_cap = cap;
    st->sess_used = live;
    return (live + 1) * 2 <= cap;
}

static void sess_put(syslog_state_t *st, const char *key, size_t n, uint32_t h, int64_t pos,
                     ww_str_t addr, ww_str_t port)
{
    sess_t *e = sess_find(st, key, n, h);
    if (!e) {
        if (!sess_room(st, pos < 0 ? 0 : pos))
            return;
        uint32_t *tag = sess_tags(st->sess, st->sess_cap);
        uint32_t i = h & (st->sess_cap - 1);
        while (tag[i])
            i = (i + 1) & (st->sess_cap - 1);
        tag[i] = h | 1;
        e = &st->sess[i];
        e->hash = h;
        e->klen = (uint8_t)n;
        memcpy(e->key, key, n);
        st->sess_used++;
    }
    e->pos = pos;
    e->alen = (uint8_t)addr.n;
    if (addr.n)
        memcpy(e->addr, addr.p, addr.n);
    e->plen = port.n <= sizeof e->port ? (uint8_t)port.n : 0;
    if (e->plen)
        memcpy(e->port, port.p, e->plen);
}

/* The address and port a decoded sshd line carries (as ww__add_auth noted them), and
 * whether that address is the session's peer (the listener's MaxStartups and penalty
 * lines name others). */
static bool sess_fields(const ww_event_t *ev, ww_str_t *ip, ww_str_t *port, bool *peer)
{
    const ww__auth_note_t *n = &ww__auth_note;
    if (n->ev != ev || !n->ip.n) {
        *ip = *port = (ww_str_t){0};
        *peer = true;
        return false;
    }
    *ip = n->ip;
    *port = n->port;
    *peer = n->peer;
    return true;
}

static uint32_t pid_bit(const char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 16777619u;
    return (h ^ (h >> 15)) & (SESS_PID_BITS - 1);
}

static bool all_digits(const char *p, const char *e)
{
    if (p == e)
        return false;
    for (; p < e; p++)
        if (!ww__isdig(*p))
            return false;
    return true;
}

static void pid_set(syslog_state_t *st, const char *p, const char *e)
{
    uint32_t bit = pid_bit(p, (size_t)(e - p));
    st->lb_pids[bit / 64] |= 1ull << (bit % 64);
}

/* One pass over the lookback [lo, b): every "[digits]" and, in lines that start like
 * RFC 5424 ("<PRI>1 "), every all-digit token, into st->lb_pids.  A superset of the
 * numeric pids the lookback's lines can be keyed by. */
static void lb_index(syslog_state_t *st, const char *lo, const char *b)
{
    st->lb_indexed = true;
    for (const char *p = lo; p < b && (p = memchr(p, '[', (size_t)(b - p))) != NULL;) {
        const char *q = ++p;
        while (q < b && ww__isdig(*q))
            q++;
        if (q < b && *q == ']' && q > p)
            pid_set(st, p, q);
    }
    for (const char *p = lo; p < b;) {
        const char *le = memchr(p, '\n', (size_t)(b - p));
        if (!le)
            le = b;
        size_t head = (size_t)(le - p) < 6 ? (size_t)(le - p) : 6;
        const char *gt = p < le && *p == '<' ? memchr(p, '>', head) : NULL;
        if (gt && le - gt > 3 && gt[1] == '1' && gt[2] == ' ') {
            for (const char *t = gt + 3; t < le;) {
                const char *te = memchr(t, ' ', (size_t)(le - t));
                if (!te)
                    te = le;
                if (all_digits(t, te))
                    pid_set(st, t, te);
                t = te + 1;
            }
        }
        p = le + 1;
    }
}

/* The latest line in the bytes before r->buf, starting after `floor`, whose key is
 * `key` and that names a peer address: decoded exactly as the reader that read those
 * bytes decoded it.  Lines start after a newline; the first readable byte starts one
 * only when the lookback reaches the start of the input (lookback < the window). */
static bool sess_scan_back(ww_reader_t *r, syslog_state_t *st, const char *key, size_t n,
                           int64_t floor, int64_t *pos, ww_str_t *ip, ww_str_t *port)
{
    size_t lb = r->lookback < WW_READER_LOOKBACK ? r->lookback : WW_READER_LOOKBACK;
    const char *b = (const char *)r->buf, *lo = b - lb;
    bool lo_starts = r->lookback < WW_READER_LOOKBACK;
    if (!lb || b[-1] != '\n')
        return false;
    if (!st->scratch_init) {
        ww_event_init(&st->scratch);
        st->scratch_init = true;
    }
    /* Lines that may be the session's hold its pid as a tag ("[1234]") or as an RFC
       5424 PROCID (" 1234 "): memmem finds those over the whole lookback at once, and
       only their lines are decoded. */
    const char *pid = key + strlen(key) + 1;
    pid += strlen(pid) + 1;
    size_t pn = n - (size_t)(pid - key);
    char nd[2][24];
    if (pn > sizeof nd[0] - 2)
        return false; /* no pid is this long: such a key is never a session */
    if (all_digits(pid, pid + pn)) {
        if (!st->lb_indexed)
            lb_index(st, lo, b);
        uint32_t bit = pid_bit(pid, pn);
        if (!(st->lb_pids[bit / 64] & (1ull << (bit % 64))))
            return false;
    }
    nd[0][0] = '[', nd[1][0] = ' ';
    memcpy(nd[0] + 1, pid, pn), memcpy(nd[1] + 1, pid, pn);
    nd[0][pn + 1] = ']', nd[1][pn + 1] = ' ';
    bool found = false;
    int64_t best = 0;
    ww_str_t save_h = st->cur_host, save_p = st->cur_prog, save_pid = st->cur_pid;
    const char *from = floor + (int64_t)lb > 0 ? b + floor : lo;
    for (int k = 0; k < 2; k++) {
        const char *q = from;
        while (q < b && (q = memmem(q, (size_t)(b - q), nd[k], pn + 2)) != NULL) {
            const char *nl = memrchr(lo, '\n', (size_t)(q - lo));
            const char *ls = nl ? nl + 1 : lo, *le = memchr(q, '\n', (size_t)(b - q));
            q = le + 1; /* b[-1] is a newline: le is found */
            if ((!nl && !lo_starts) || ls - b <= floor || (found && ls - b <= best))
                continue;
            if (le > ls && le[-1] == '\r')
                le--;
            if (le - ls < SESS_MIN_LINE || le - ls > 8192)
                continue;
            ww_event_reset(&st->scratch);
            ww__auth_note.ev = NULL;
            char k2[SESS_KEY_MAX];
            bool peer;
            ww_str_t lip, lport;
            if (parse_line(st, &st->scratch, (line_t){ls, le}) > 0 && sess_key(st, k2) == n &&
                memcmp(k2, key, n) == 0 && sess_fields(&st->scratch, &lip, &lport, &peer) && peer &&
                lip.n <= SESS_ADDR_MAX) {
                best = ls - b;
                *ip = lip;
                *port = lport;
                found = true;
            }
        }
    }
    st->cur_host = save_h, st->cur_prog = save_p, st->cur_pid = save_pid;
    if (found)
        *pos = best;
    return found;
}

/* After decoding the line at `at`: remember its address for the session, or give it
 * the session's.  0 or WW_ENOMEM. */
static int sess_apply(ww_reader_t *r, syslog_state_t *st, ww_event_t *ev, int64_t at, size_t len)
{
    char key[SESS_KEY_MAX];
    size_t n = sess_key(st, key);
    if (!n)
        return 0;
    uint32_t h = sess_hash(key, n);
    ww_str_t ip, port;
    bool peer;
    if (sess_fields(ev, &ip, &port, &peer)) {
        if (peer && len >= SESS_MIN_LINE && ip.n <= SESS_ADDR_MAX)
            sess_put(st, key, n, h, at, ip, port);
        return 0;
    }
    sess_t *e = sess_find(st, key, n, h);
    if (!e && at < (int64_t)WW_READER_LOOKBACK && r->lookback) {
        int64_t pos;
        ww_str_t bip, bport;
        if (sess_scan_back(r, st, key, n, at - (int64_t)WW_READER_LOOKBACK, &pos, &bip, &bport))
            sess_put(st, key, n, h, pos, bip, bport);
        else
            sess_put(st, key, n, h, SESS_NONE, (ww_str_t){0}, (ww_str_t){0});
        e = sess_find(st, key, n, h);
    }
    if (!e || e->pos == SESS_NONE || !e->alen || at - e->pos >= (int64_t)WW_READER_LOOKBACK)
        return 0;
    char *o = ww_arena_alloc(&ev->arena, (size_t)e->alen + e->plen + 1);
    if (!o)
        return WW_ENOMEM;
    memcpy(o, e->addr, e->alen);
    memcpy(o + e->alen, e->port, e->plen);
    int rc = ww__add(ev, "src_ip", ww__s(o, o + e->alen));
    if (rc == 0 && e->plen && !port.n)
        rc = ww__add_int(ev, "src_port", ww__s(o + e->alen, o + e->alen + e->plen));
    return rc;
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
        ww__auth_note.ev = NULL;
        int rc = parse_line(st, ev, (line_t){p, le});
        if (rc > 0 && st->cur_prog.n)
            rc = sess_apply(r, st, ev, p - b, (size_t)(le - p)) ? WW_ENOMEM : 1;
        ev->raw = (ww_str_t){p, (size_t)(le - p)};
        if (rc < 0) {
            ww_diag_set(diag, r->name, st->line_no, 1, "cannot decode line: %s", ww_strerror(rc));
            return rc;
        }
        return 1;
    }
}

const ww_decoder_ops_t ww_syslog_ops = {"syslog", sl_open, sl_next, sl_close};
