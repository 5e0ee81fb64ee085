/* JSON decoder: a strict, zero-copy tokenizer over the reader's buffer and the
 * field-name profiles that turn one JSON record into an event (evtx_dump, Winlogbeat,
 * NXLog, generic dotted paths).  Input may be JSON lines, concatenated (possibly
 * pretty-printed) objects or one top-level array of objects; a malformed record is
 * reported with its line and column and decoding resumes at the next record.
 *
 * A record is tokenized into a flat array (reused across records, so the steady
 * state does no malloc); the profile then walks the tokens.  Strings are slices of the
 * input unless they contain escapes, in which case they are unescaped into the
 * event's arena. */
#include "event/ww_json_int.h"

#include <stdlib.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

enum { ST_TOP = 0, ST_ARR_FIRST, ST_ARR_ELEM, ST_ARR_SEP };

/* Bytes that end the fast scan inside a string: the quote, the backslash and the
 * control characters JSON forbids unescaped. */
static const uint8_t str_stop[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, ['\\'] = 1,
};

static inline const char *skip_ws(const char *p, const char *e)
{
    while (p < e && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) {
        p++;
        /* Pretty-printed input indents with runs of spaces: skip them 8 at a time. */
        while (e - p >= 8) {
            uint64_t v;
            memcpy(&v, p, 8);
            if (v != 0x2020202020202020ULL)
                break;
            p += 8;
        }
    }
    return p;
}

static int fail(ww_json_t *js, const char *at, int code, const char *msg)
{
    if (!js->err_msg) {
        js->err_at = at;
        js->err_msg = msg;
        js->err_code = code;
    }
    return -1;
}

/* Doubles the token array; -1 with the error set when it cannot. */
static __attribute__((noinline)) int grow(ww_json_t *js, const char *p)
{
    if (js->tcap >= WW_JSON_MAX_TOKENS)
        return fail(js, p, WW_ELIMIT, "record has too many values");
    uint32_t ncap = js->tcap ? js->tcap * 2 : 1024;
    ww_jtok_t *nt = realloc(js->tok, ncap * sizeof *nt);
    if (!nt)
        return fail(js, p, WW_ENOMEM, "out of memory");
    js->tok = nt;
    js->tcap = ncap;
    return 0;
}

/* Appends a token (one per value and key: kept inline, the growth out of line). */
static inline int push(ww_json_t *js, int type, const char *p)
{
    if (js->ntok == js->tcap && grow(js, p) < 0)
        return -1;
    ww_jtok_t *t = &js->tok[js->ntok];
    *t = (ww_jtok_t){.p = p, .type = (uint8_t)type, .next = js->ntok + 1};
    return (int)js->ntok++;
}

static inline int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Reads 4 hex digits at p (bounds checked by the caller).  -1 if not hex. */
static int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(p[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

static bool too_big(ww_json_t *js, const char *q)
{
    return (size_t)(q - js->rec_start) > WW_JSON_MAX_RECORD;
}

/* What a simple escape "\c" stands for, by c; 0 for 'u' and for invalid escapes. */
static const char esc_char[256] = {
    ['"'] = '"',  ['\\'] = '\\', ['/'] = '/',  ['b'] = '\b',
    ['f'] = '\f', ['n'] = '\n',  ['r'] = '\r', ['t'] = '\t',
};

/* The escape at s (a backslash, s + 1 < e): how many input bytes it takes and, in
 * *cp, the code point it stands for.  Invalid escapes stand for U+FFFD and take: a
 * "\\u" with fewer than four hex digits, those digits; an unpaired surrogate, its
 * six bytes; a backslash before another printable ASCII byte, both; before a control
 * or non-ASCII byte, the backslash alone (the byte is then read as it is, so a
 * control byte is still an error and UTF-8 stays whole).  A simple escape
 * ("\\n") gives its character. */
static size_t esc_len(const char *s, const char *e, uint32_t *cp)
{
    uint8_t c = (uint8_t)s[1];
    if (esc_char[c]) {
        *cp = (uint8_t)esc_char[c];
        return 2;
    }
    *cp = 0xFFFD;
    if (c != 'u')
        return c >= 0x20 && c < 0x80 ? 2 : 1;
    size_t h = 0;
    while (h < 4 && s + 2 + h < e && hexval(s[2 + h]) >= 0)
        h++;
    if (h < 4)
        return 2 + h;
    uint32_t u = (uint32_t)hex4(s + 2);
    if (u >= 0xDC00 && u <= 0xDFFF)
        return 6;
    if (u < 0xD800 || u > 0xDBFF) {
        *cp = u;
        return 6;
    }
    int lo = (e - s >= 12 && s[6] == '\\' && s[7] == 'u') ? hex4(s + 8) : -1;
    if (lo < 0xDC00 || lo > 0xDFFF)
        return 6; /* the next escape, if any, is read on its own */
    *cp = 0x10000 + ((u - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
    return 12;
}

#if defined(__SSE2__)
/* Bit i set when byte i of the 16 at p is a quote, a backslash, or below 0x20. */
static inline void masks16(const char *p, uint32_t *quote, uint32_t *bs, uint32_t *ctl)
{
    const __m128i vq = _mm_set1_epi8('"'), vb = _mm_set1_epi8('\\'), v1f = _mm_set1_epi8(0x1f);
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    *quote = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vq));
    *bs = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vb));
    *ctl = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(v, v1f), v));
}

/* The same for the 64 bytes at p. */
static inline void masks64(const char *p, uint64_t *quote, uint64_t *bs, uint64_t *ctl)
{
    uint64_t mq = 0, mb = 0, mc = 0;
    for (int i = 0; i < 4; i++) {
        uint32_t a, b, c;
        masks16(p + 16 * i, &a, &b, &c);
        mq |= (uint64_t)a << (16 * i);
        mb |= (uint64_t)b << (16 * i);
        mc |= (uint64_t)c << (16 * i);
    }
    *quote = mq;
    *bs = mb;
    *ctl = mc;
}
#endif

/* p points at the opening quote.  Validates escapes (including surrogate pairing) so
 * unescaping later cannot fail. */
static int parse_string(ww_json_t *js, const char *p)
{
    const char *q = p + 1, *e = js->end;
    uint8_t esc = 0;
    uint32_t first_esc = 0;
#if defined(__SSE2__)
    /* Fast path, most of the JSON decode time (Windows records are mostly string
       bytes, and messages are full of "\r\n\t"): the quotes, backslashes and
       control bytes of a whole block are found at once as bit masks, and which bytes
       are escaped follows from the backslash mask, so escapes cost no rescan.
       Anything unusual -- a \u escape, an invalid escape, a control byte -- falls
       back to the byte-exact loop below from the start of the block, so errors are
       reported exactly as that loop does. */
    {
        uint32_t qm, bm, cm;
        if (e - q >= 32) {
            /* Short strings (most keys and values) end in their first 32 bytes. */
            uint32_t q2, b2, c2;
            masks16(q, &qm, &bm, &cm);
            masks16(q + 16, &q2, &b2, &c2);
            qm |= q2 << 16;
            bm |= b2 << 16;
            cm |= c2 << 16;
            uint32_t before = (qm - 1) & ~qm; /* bits below the first quote */
            if (qm && !((bm | cm) & before)) {
                q += __builtin_ctz(qm);
                goto found;
            }
        }
        /* Long strings, 64 bytes a block.  Which bytes are escaped is worked out
           from the backslash mask without a loop: a run of backslashes escapes the
           byte after it when the run is odd-length, which shows as the parity of
           the position just past the run given that of its first backslash. */
        const uint64_t even = 0x5555555555555555ULL, odd = ~even;
        uint64_t carry = 0; /* the block's first byte is escaped from the block before */
        while (e - q >= 64) {
            uint64_t quote, bs, ctl;
            masks64(q, &quote, &bs, &ctl);
            bs &= ~carry; /* an escaped backslash starts nothing */
            uint64_t starts = bs & ~(bs << 1);
            uint64_t from_even = bs + (starts & even);
            uint64_t from_odd;
            uint64_t carry_out = __builtin_add_overflow(bs, starts & odd, &from_odd);
            /* The bytes escaped by a backslash, other than backslashes. */
            uint64_t escaped = ((from_even & odd) | (from_odd & even)) & ~bs;
            escaped |= carry;
            uint64_t real_quote = quote & ~escaped;
            uint64_t upto = real_quote ? (real_quote - 1) & ~real_quote : ~0ULL;
            uint64_t esc_in = escaped & upto;
            if (ctl & upto)
                goto slow;
            if (esc_in) {
                /* Every escaped byte must be a simple escape; \u takes the slow path
                   (its four hex digits and surrogate pairing are checked there). */
                uint64_t simple = 0;
                for (int i = 0; i < 4; i++) {
                    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(q + 16 * i));
                    __m128i m = _mm_or_si128(
                        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                                  _mm_cmpeq_epi8(v, _mm_set1_epi8('/'))),
                                     _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('b')),
                                                  _mm_cmpeq_epi8(v, _mm_set1_epi8('f')))),
                        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('n')),
                                                  _mm_cmpeq_epi8(v, _mm_set1_epi8('r'))),
                                     _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('t')),
                                                  _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')))));
                    simple |= (uint64_t)(uint32_t)_mm_movemask_epi8(m) << (16 * i);
                }
                if (esc_in & ~simple)
                    goto slow;
            }
            if (!esc && (esc_in | (bs & upto))) {
                /* The string's first escape (an escaped backslash leaves esc_in
                   empty): a backslash here, or with a carry the one just before. */
                esc = 1;
                first_esc = carry ? (uint32_t)(q - 1 - (p + 1))
                                  : (uint32_t)(q + __builtin_ctzll(bs) - (p + 1));
            }
            if (real_quote) {
                q += __builtin_ctzll(real_quote);
                goto found;
            }
            /* No end in this block: a backslash escaping the next block's first byte
               leaves a carry; back up to it if the string ends before a full block. */
            q += 64;
            carry = carry_out;
            continue;
        slow:
            q -= carry; /* at the backslash, when it escapes this block's first byte */
            goto scalar;
        }
        q -= carry;
    }
scalar:
#endif
    for (;;) {
        bool hit = false; /* q is at a byte that ends the scan */
#if defined(__SSE2__)
        /* Sixteen bytes at a time: the first quote, backslash or byte below 0x20
           ends the scan. */
        while (e - q >= 16) {
            uint32_t qm, bm, cm;
            masks16(q, &qm, &bm, &cm);
            uint32_t bits = qm | bm | cm;
            if (bits) {
                q += __builtin_ctz(bits);
                hit = true;
                break;
            }
            q += 16;
        }
#endif
        /* Eight bytes at a time while none of them can end the scan: flags a quote,
           a backslash or a byte below 0x20 (exact for the first flagged byte). */
        while (!hit && e - q >= 8) {
            uint64_t v;
            memcpy(&v, q, 8);
            uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
            uint64_t xq = v ^ (ones * '"'), xb = v ^ (ones * '\\');
            uint64_t m = ((xq - ones) & ~xq) | ((xb - ones) & ~xb) | ((v - ones * 0x20) & ~v);
            if (m & high)
                break;
            q += 8;
        }
        while (!hit && q < e && !str_stop[(uint8_t)*q])
            q++;
        if (q >= e)
            return fail(js, p, WW_EPARSE, "unterminated string");
        if (*q == '"')
            break;
        if (*q != '\\')
            return fail(js, q, WW_EPARSE, "control character in string (must be escaped)");
        if (!esc)
            first_esc = (uint32_t)(q - (p + 1));
        esc |= 1;
        if (q + 1 >= e)
            return fail(js, q, WW_EPARSE, "unterminated string");
        if (esc_char[(uint8_t)q[1]]) {
            q += 2;
            continue;
        }
        /* Anything else is kept: an invalid escape (unknown letter, short \\u, an
           unpaired surrogate) becomes U+FFFD when the string is unescaped, as the EVTX
           decoder does with bad UTF-16, so one bad byte does not lose the event. */
        uint32_t cp;
        size_t len = esc_len(q, e, &cp);
        if (cp == 0xFFFD)
            esc = 3;
        q += len;
    }
#if defined(__SSE2__)
found:
#endif
    if (too_big(js, q))
        return fail(js, p, WW_ELIMIT, "record is larger than the size limit");
    int i = push(js, WW_JT_STR, p + 1);
    if (i < 0)
        return -1;
    js->tok[i].n = (uint32_t)(q - (p + 1));
    js->tok[i].esc = esc;
    js->tok[i].count = first_esc; /* strings have no members: where unescaping starts */
    js->pos = q + 1;
    return 0;
}

static inline bool isdig(char c)
{
    return c >= '0' && c <= '9';
}

static int parse_number(ww_json_t *js, const char *p)
{
    const char *q = p, *e = js->end;
    int type = WW_JT_INT;
    if (q < e && *q == '-')
        q++;
    if (q < e && *q == '0') {
        q++;
    } else if (q < e && isdig(*q)) {
        while (q < e && isdig(*q))
            q++;
    } else {
        return fail(js, p, WW_EPARSE, "invalid number");
    }
    if (q < e && *q == '.') {
        q++;
        if (q >= e || !isdig(*q))
            return fail(js, q, WW_EPARSE, "invalid number: digit expected after '.'");
        while (q < e && isdig(*q))
            q++;
        type = WW_JT_FLOAT;
    }
    if (q < e && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < e && (*q == '+' || *q == '-'))
            q++;
        if (q >= e || !isdig(*q))
            return fail(js, q, WW_EPARSE, "invalid number: digit expected in exponent");
        while (q < e && isdig(*q))
            q++;
        type = WW_JT_FLOAT;
    }
    if (too_big(js, q))
        return fail(js, p, WW_ELIMIT, "record is larger than the size limit");
    int i = push(js, type, p);
    if (i < 0)
        return -1;
    js->tok[i].n = (uint32_t)(q - p);
    js->pos = q;
    return 0;
}

static int parse_literal(ww_json_t *js, const char *p, const char *word, size_t n, int type)
{
    if ((size_t)(js->end - p) < n || memcmp(p, word, n) != 0)
        return fail(js, p, WW_EPARSE, "invalid literal (expected a value)");
    int i = push(js, type, p);
    if (i < 0)
        return -1;
    js->tok[i].n = (uint32_t)n;
    js->pos = p + n;
    return 0;
}

static int parse_value(ww_json_t *js, int depth);

static int parse_container(ww_json_t *js, const char *p, int depth, bool obj)
{
    if (depth >= WW_JSON_MAX_DEPTH)
        return fail(js, p, WW_ELIMIT, "nesting is deeper than the limit of 64");
    int idx = push(js, obj ? WW_JT_OBJ : WW_JT_ARR, p);
    if (idx < 0)
        return -1;
    const char *e = js->end;
    char close = obj ? '}' : ']';
    uint32_t count = 0;
    const char *q = skip_ws(p + 1, e);
    if (q < e && *q == close)
        goto done;
    for (;;) {
        if (obj) {
            q = skip_ws(q, e);
            if (q >= e)
                return fail(js, q, WW_EPARSE, "unexpected end of input in object");
            if (*q != '"')
                return fail(js, q, WW_EPARSE, "expected a member name in double quotes");
            if (parse_string(js, q) < 0)
                return -1;
            q = skip_ws(js->pos, e);
            if (q >= e || *q != ':')
                return fail(js, q, WW_EPARSE, "expected ':' after member name");
            js->pos = q + 1;
            /* Most member values are strings: skip parse_value's dispatch. */
            q = skip_ws(q + 1, e);
            if (q < e && *q == '"') {
                if (parse_string(js, q) < 0)
                    return -1;
                goto next;
            }
        } else {
            js->pos = q;
        }
        if (parse_value(js, depth + 1) < 0)
            return -1;
    next:
        count++;
        q = skip_ws(js->pos, e);
        if (q >= e)
            return fail(js, q, WW_EPARSE,
                        obj ? "unexpected end of input in object"
                            : "unexpected end of input in array");
        if (*q == ',') {
            q++;
            continue;
        }
        if (*q == close)
            break;
        return fail(js, q, WW_EPARSE, obj ? "expected ',' or '}'" : "expected ',' or ']'");
    }
done:
    if (too_big(js, q))
        return fail(js, p, WW_ELIMIT, "record is larger than the size limit");
    js->tok[idx].count = count;
    js->tok[idx].n = (uint32_t)(q + 1 - p);
    js->tok[idx].next = js->ntok;
    js->pos = q + 1;
    return 0;
}

static int parse_value(ww_json_t *js, int depth)
{
    const char *p = skip_ws(js->pos, js->end);
    if (p >= js->end)
        return fail(js, p, WW_EPARSE, "unexpected end of input (expected a value)");
    switch (*p) {
    case '{': return parse_container(js, p, depth, true);
    case '[': return parse_container(js, p, depth, false);
    case '"': return parse_string(js, p);
    case 't': return parse_literal(js, p, "true", 4, WW_JT_TRUE);
    case 'f': return parse_literal(js, p, "false", 5, WW_JT_FALSE);
    case 'n': return parse_literal(js, p, "null", 4, WW_JT_NULL);
    default:
        if (*p == '-' || isdig(*p))
            return parse_number(js, p);
        return fail(js, p, WW_EPARSE, "unexpected character (expected a value)");
    }
}

int ww__json_parse(ww_json_t *js, const char *p)
{
    js->ntok = 0;
    js->err_msg = NULL;
    js->err_at = NULL;
    js->err_code = 0;
    js->rec_start = p;
    js->pos = p;
    return parse_value(js, 0);
}

/* ---- unescaping ---------------------------------------------------------------- */

/* Unescapes a string with invalid escapes (rare): one escape at a time, each invalid
 * one as U+FFFD, which can be longer than its source (three bytes for one). */
static int unescape_lenient(ww_event_t *ev, const ww_jtok_t *t, ww_str_t *out)
{
    if (t->n > WW_JSON_MAX_RECORD)
        return WW_ELIMIT;
    char *o = ww_arena_alloc(&ev->arena, 3 * (size_t)t->n + 1);
    if (!o)
        return WW_ENOMEM;
    const char *s = t->p, *e = t->p + t->n;
    size_t k = 0;
    while (s < e) {
        const char *bs = memchr(s, '\\', (size_t)(e - s));
        size_t run = bs ? (size_t)(bs - s) : (size_t)(e - s);
        memcpy(o + k, s, run);
        k += run;
        s += run;
        if (!bs)
            break;
        uint32_t cp;
        /* The tokenizer saw the whole string: a backslash never ends it. */
        s += esc_len(s, e, &cp);
        k += ww_utf8_put(o + k, cp);
    }
    o[k] = 0;
    *out = (ww_str_t){o, k};
    return 0;
}

int ww__json_str(ww_event_t *ev, const ww_jtok_t *t, ww_str_t *out)
{
    if (!t->esc) {
        *out = (ww_str_t){t->p, t->n};
        return 0;
    }
    if (t->esc & 2)
        return unescape_lenient(ev, t, out);
    /* Unescaped text is never longer than the escaped source. */
    char *o = ww_arena_alloc(&ev->arena, t->n + 1);
    if (!o)
        return WW_ENOMEM;
    const char *s = t->p, *e = t->p + t->n;
    /* The tokenizer noted where the first escape is: copy the plain prefix at once. */
    size_t k = t->count < t->n ? t->count : 0;
    memcpy(o, s, k);
    s += k;
#if defined(__SSE2__)
    /* Long escaped strings (messages: an escape every dozen bytes), 64 input bytes a
       block: the escaping backslashes are found for the whole block at once and the
       plain runs between them are copied sixteen bytes at a time, so no escape waits
       for the scan that found the one before it.  Bounds: a block needs 80 input
       bytes (copies read up to 16 past a run that may end at byte 63), and the
       output never overtakes the input (k <= s - t->p), so every 16-byte store ends
       within the t->n bytes allocated. */
    const uint64_t even = 0x5555555555555555ULL;
    while (e - s >= 80) {
        const __m128i vb = _mm_set1_epi8('\\');
        uint64_t bs = 0;
        for (int i = 0; i < 4; i++) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + 16 * i));
            bs |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vb)) << (16 * i);
        }
        if (!bs) {
            for (int i = 0; i < 64; i += 16)
                _mm_storeu_si128((__m128i *)(void *)(o + k + i),
                                 _mm_loadu_si128((const __m128i *)(const void *)(s + i)));
            s += 64;
            k += 64;
            continue;
        }
        /* A run of backslashes pairs up from its first: the escaping ones are at an
           even distance from the run's start.  s is never inside an escape. */
        uint64_t starts = bs & ~(bs << 1);
        uint64_t even_runs = bs & ~(bs + (starts & even)); /* runs starting at even bits */
        uint64_t lead = (even_runs & even) | ((bs ^ even_runs) & ~even);
        unsigned a = 0; /* next input byte of the block to copy */
        while (lead) {
            unsigned j = (unsigned)__builtin_ctzll(lead);
            for (unsigned x = a; x < j; x += 16)
                _mm_storeu_si128((__m128i *)(void *)(o + k + (x - a)),
                                 _mm_loadu_si128((const __m128i *)(const void *)(s + x)));
            k += j - a;
            char c = s[j + 1];
            if (c != 'u') {
                o[k++] = esc_char[(uint8_t)c];
                a = j + 2;
            } else {
                uint32_t cp = (uint32_t)hex4(s + j + 2);
                a = j + 6;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    uint32_t lo = (uint32_t)hex4(s + j + 8);
                    a = j + 12;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                }
                k += ww_utf8_put(o + k, cp);
            }
            lead = a < 64 ? lead & (~0ULL << a) : 0;
        }
        for (unsigned x = a; x < 64; x += 16)
            _mm_storeu_si128((__m128i *)(void *)(o + k + (x - a)),
                             _mm_loadu_si128((const __m128i *)(const void *)(s + x)));
        if (a < 64) {
            k += 64 - a;
            a = 64;
        }
        s += a;
    }
#endif
    while (s < e) {
#if defined(__SSE2__)
        /* Copy sixteen bytes at a time, whatever they are, and keep only those before
           the first backslash: escapes come every few bytes in messages ("\r\n\t")
           and paths, so this beats finding each run's end and then copying it.  The
           output stays within the t->n bytes allocated because unescaping never
           lengthens: k <= s - t->p, so k + 16 <= t->n while e - s >= 16. */
        if (e - s >= 16) {
            const __m128i vb = _mm_set1_epi8('\\');
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
            _mm_storeu_si128((__m128i *)(void *)(o + k), v);
            unsigned bits = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vb));
            if (!bits) {
                s += 16;
                k += 16;
                continue;
            }
            unsigned j = (unsigned)__builtin_ctz(bits);
            s += j;
            k += j;
        } else
#endif
            if (*s != '\\') {
            o[k++] = *s++;
            continue;
        }
        /* s is at a backslash; the tokenizer validated every escape. */
        char c = s[1];
        s += 2;
        if (c != 'u') {
            o[k++] = esc_char[(uint8_t)c];
            continue;
        }
        /* Pairs are complete. */
        uint32_t cp = (uint32_t)hex4(s);
        s += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo = (uint32_t)hex4(s + 2);
            s += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        k += ww_utf8_put(o + k, cp);
    }
    o[k] = 0;
    *out = (ww_str_t){o, k};
    return 0;
}

/* ---- the decoder --------------------------------------------------------------- */

static void line_col(ww_json_t *js, const char *at, uint32_t *line, uint32_t *col)
{
    /* Lines are counted lazily, only when an error needs them; errors usually move
       forward, so the count resumes where it stopped.  The reader counts the lines of
       a mapped file's pages as it releases them (ww_reader_t.nl_last): counting
       resumes from its mark, since counting from the start would read every
       released page back in. */
    const ww_reader_t *r = js->reader;
    const char *mark = r && r->nl_last ? js->base + r->nl_last : NULL;
    if (mark && mark > at)
        mark = NULL; /* the error is before the mark: count from the start */
    if (at < js->line_pos || (mark && js->line_pos < mark)) {
        js->line_pos = mark ? mark : js->base;
        js->line_start = js->line_pos;
        js->line_no = mark ? (uint32_t)(r->nl_count + 1) : 1;
    }
    const char *p = js->line_pos;
    while (p < at) {
        const char *nl = memchr(p, '\n', (size_t)(at - p));
        if (!nl)
            break;
        js->line_no++;
        p = nl + 1;
        js->line_start = p;
    }
    js->line_pos = at;
    *line = js->line_no;
    *col = (uint32_t)(at - js->line_start) + 1;
}

/* Where decoding resumes after a bad record that started at `from`: the next line
 * for JSON lines; otherwise the next line that starts like the first record did
 * (same indentation, then '{'), so the inside of a pretty-printed record is skipped. */
static const char *resync(ww_json_t *js, const char *from)
{
    const char *p = from, *e = js->end;
    for (;;) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        if (!nl)
            return e;
        p = nl + 1;
        if (js->jsonl)
            return p;
        const char *q = p;
        while (q < e && (*q == ' ' || *q == '\t'))
            q++;
        if (q < e && *q == '{' && (js->indent < 0 || q - p == js->indent))
            return p;
    }
}

/* The end of the object or array that opens at p, found by brackets and quotes
 * alone (no validation), if it ends before lim; else NULL. */
static const char *skip_balanced(const char *p, const char *lim)
{
    uint32_t depth = 0;
    bool in_str = false;
    for (const char *q = p; q < lim; q++) {
        char c = *q;
        if (in_str) {
            if (c == '\\')
                q++;
            else if (c == '"')
                in_str = false;
        } else if (c == '"') {
            in_str = true;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if ((c == '}' || c == ']') && --depth == 0) {
            return q + 1;
        }
    }
    return NULL;
}

/* Where decoding resumes after the bad record at rec.  The record's own end, when
 * its brackets balance and what follows can go on (',' or ']' inside the top-level
 * array, the next record or the end outside it): so one bad element of an array, or
 * one bad object among several on a line, loses nothing after it.  Otherwise the
 * line-based resync.  The bracket scan stops where the resync would resume, so
 * recovery stays linear in the input (`at`, the error, is at or after rec).  *in_sep
 * is set when the position is at the
 * separator after an array element. */
static const char *recover(ww_json_t *js, const char *rec, const char *at, bool *in_sep)
{
    /* JSON lines: the bad record reached at least the line of its error (a record
       in another layout mixed in); other layouts resync from the record's start, as
       an unclosed record can run into the next good one. */
    const char *b = resync(js, js->jsonl && at > rec ? at : rec), *e = js->end;
    *in_sep = false;
    if (rec >= e || (*rec != '{' && *rec != '['))
        return b;
    const char *a = skip_balanced(rec, b);
    if (!a)
        return b;
    const char *q = skip_ws(a, e);
    if (js->state != ST_TOP) {
        if (q < e && (*q == ',' || *q == ']')) {
            *in_sep = true;
            return q;
        }
        return b;
    }
    return (q >= e || *q == '{' || *q == '[') ? q : b;
}

static int bad_record(ww_reader_t *r, ww_json_t *js, ww_diag_t *diag, const char *rec,
                      const char *at, int code, const char *msg)
{
    uint32_t line, col;
    bool in_sep;
    line_col(js, at, &line, &col);
    ww_diag_set(diag, r->name, line, col, "%s", msg);
    js->pos = recover(js, rec, at, &in_sep);
    if (js->state != ST_TOP)
        js->state = in_sep ? ST_ARR_SEP : js->pos < js->end ? ST_ARR_ELEM : ST_TOP;
    r->index++;
    r->off = (uint64_t)(js->pos - js->base);
    return code ? code : WW_EPARSE;
}

static int json_open(ww_reader_t *r, ww_diag_t *diag)
{
    ww_json_t *js = calloc(1, sizeof *js);
    if (!js) {
        ww_diag_set(diag, r->name, 0, 0, "out of memory");
        return WW_ENOMEM;
    }
    js->base = (const char *)r->buf;
    js->end = js->base + r->len;
    js->pos = js->base + r->off;
    js->line_pos = js->line_start = js->base;
    js->line_no = 1;
    js->indent = -2; /* not known until the first record */
    js->src_name = r->name;
    js->reader = r;
    r->state = js;
    return 0;
}

static void json_close(ww_reader_t *r)
{
    ww_json_t *js = r->state;
    if (!js)
        return;
    free(js->tok);
    free(js);
    r->state = NULL;
}

/* Remembers the shape of the first good record, for resynchronising later. */
static void learn_shape(ww_json_t *js, const char *rec, const char *end)
{
    const char *ls = rec;
    while (ls > js->base && ls[-1] != '\n')
        ls--;
    bool only_ws = true;
    for (const char *q = ls; q < rec; q++)
        if (*q != ' ' && *q != '\t')
            only_ws = false;
    js->indent = only_ws ? (int)(rec - ls) : -1;
    js->jsonl = js->state == ST_TOP && memchr(rec, '\n', (size_t)(end - rec)) == NULL;
}

static int json_next(ww_reader_t *r, ww_event_t *ev, ww_diag_t *diag)
{
    ww_json_t *js = r->state;
    const char *e = js->end;
    for (;;) {
        const char *p = skip_ws(js->pos, e);
        js->pos = p;
        r->off = (uint64_t)(p - js->base);
        if (p >= e) {
            if (js->state == ST_TOP)
                return 0;
            uint32_t line, col;
            line_col(js, p, &line, &col);
            ww_diag_set(diag, r->name, line, col, "input ends inside the top-level array");
            js->state = ST_TOP;
            return WW_ETRUNC;
        }
        if (js->state == ST_TOP) {
            if (*p == '[') {
                js->pos = p + 1;
                js->state = ST_ARR_FIRST;
                continue;
            }
            if (*p != '{')
                return bad_record(r, js, diag, p, p, WW_EPARSE,
                                  "expected a JSON object ('{') or array ('[')");
        } else if (js->state == ST_ARR_FIRST || js->state == ST_ARR_SEP) {
            if (*p == ']') {
                js->pos = p + 1;
                js->state = ST_TOP;
                continue;
            }
            if (js->state == ST_ARR_SEP) {
                if (*p == '{') {
                    /* A missing comma between two objects: warned about with its
                       place, and the element is read (returning an error here would
                       consume nothing). */
                    uint32_t line, col;
                    line_col(js, p, &line, &col);
                    WW_LOG(WW_LOG_WARN, "%s:%u:%u: missing ',' before this array element", r->name,
                           line, col);
                    js->state = ST_ARR_ELEM;
                    break;
                }
                if (*p != ',')
                    return bad_record(r, js, diag, p, p, WW_EPARSE,
                                      "expected ',' or ']' after an array element");
                js->pos = p + 1;
                js->state = ST_ARR_ELEM;
                continue;
            }
        }
        break;
    }
    /* p is at a record: an object at the top level, or any array element. */
    const char *rec = js->pos;
    if (ww__json_parse(js, rec) < 0)
        return bad_record(r, js, diag, rec, js->err_at, js->err_code, js->err_msg);
    const char *end = js->pos;
    if (js->indent == -2)
        learn_shape(js, rec, end);
    if (js->state != ST_TOP)
        js->state = ST_ARR_SEP;
    r->index++;
    r->off = (uint64_t)(end - js->base);
    if (js->tok[0].type != WW_JT_OBJ) {
        uint32_t line, col;
        line_col(js, rec, &line, &col);
        ww_diag_set(diag, r->name, line, col, "array element is not an object");
        return WW_EPARSE;
    }
    ev->raw = (ww_str_t){rec, (size_t)(end - rec)};
    int rc = ww__json_profile(js, ev);
    if (rc < 0) {
        uint32_t line, col;
        line_col(js, rec, &line, &col);
        ww_diag_set(diag, r->name, line, col, "%s",
                    rc == WW_ELIMIT ? "record has more fields than the limit"
                                    : "out of memory decoding record");
        return rc;
    }
    return 1;
}

const ww_decoder_ops_t ww_json_ops = {"json", json_open, json_next, json_close};
