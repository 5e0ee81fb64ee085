/* EVTX BinXML: compiles token streams (template definitions, record fragments, nested
 * BinXML values) into flat op lists and runs them against a record's substitution
 * values, feeding a streaming flattener that emits Sigma field names directly
 * (Provider_Name, EventID, the EventData Data names, UserData leaves, ...).
 *
 * Template definitions are compiled once per chunk and cached by their chunk offset,
 * so a record costs one pass over its values plus one run of the template's ops.
 * Hostile input is bounded by: bounds checks on every read, a nesting limit on
 * template instances and nested BinXML, an element depth limit, and a per-record work
 * budget that stops exponential expansion (one value substituted many times, each
 * holding BinXML that substitutes it again). */
#include "event/ww_evtx_int.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- failure reporting ---------------------------------------------------------- */

static int fail(evtx_state_t *st, uint32_t off, const char *why, int rc)
{
    /* The first reason wins; offset 0 means "somewhere in this record", for which
       err_off already holds the record's start. */
    if (!st->err) {
        st->err = why;
        if (off)
            st->err_off = off;
    }
    return rc;
}

/* ---- op vectors ---------------------------------------------------------------- */

static int vec_push(evtx_opvec_t *v, evtx_op_t op)
{
    if (v->n == v->cap) {
        if (v->cap >= EVTX_MAX_OPS)
            return WW_ELIMIT;
        uint32_t ncap = v->cap ? v->cap * 2 : 256;
        evtx_op_t *nv = realloc(v->v, ncap * sizeof *nv);
        if (!nv)
            return WW_ENOMEM;
        v->v = nv;
        v->cap = ncap;
    }
    v->v[v->n++] = op;
    return 0;
}

/* ---- names --------------------------------------------------------------------- */

/* The UTF-8 form of the name structure at chunk offset `off` (next-offset u32, hash
 * u16, character count u16, UTF-16 characters), cached for the chunk. */
static int get_name(evtx_state_t *st, uint32_t off, ww_str_t *out)
{
    uint32_t mask = EVTX_NAME_SLOTS - 1, h = (off * 2654435761u) >> 21;
    evtx_name_slot_t *free_slot = NULL;
    for (uint32_t i = 0; i < 16; i++) {
        evtx_name_slot_t *s = &st->names[(h + i) & mask];
        if (s->gen != st->gen) {
            free_slot = s;
            break;
        }
        if (s->off == off) {
            *out = s->s;
            return 0;
        }
    }
    if (off > st->chunk_avail || st->chunk_avail - off < 8)
        return fail(st, off, "name offset outside the chunk", WW_EPARSE);
    uint32_t n = evtx_u16(st->chunk + off + 6);
    if ((st->chunk_avail - off - 8) / 2 < n)
        return fail(st, off, "name runs past the end of the chunk", WW_EPARSE);
    ww_str_t s;
    if (ww__evtx_utf16(&st->carena, st->chunk + off + 8, n, &s) != 0)
        return fail(st, off, "chunk memory limit reached decoding names", WW_ENOMEM);
    if (free_slot)
        *free_slot = (evtx_name_slot_t){st->gen, off, s};
    *out = s;
    return 0;
}

/* ---- compiling ----------------------------------------------------------------- */

typedef struct cctx {
    evtx_state_t *st;
    ww_event_t *ev;
    uint32_t pos, end;
    bool in_tmpl;
    ww_arena_t *dst; /* where literal text goes */
    evtx_opvec_t *vec;
    int depth; /* BinXML nested inside value tokens */
} cctx_t;

#define NEED(cx, k)                                                                              \
    do {                                                                                         \
        if ((cx)->end - (cx)->pos < (uint32_t)(k))                                               \
            return fail((cx)->st, (cx)->pos, "BinXML runs past the end of its data", WW_EPARSE); \
    } while (0)

/* Reads a name reference at cx->pos; a name defined inline right there is skipped. */
static int read_name_ref(cctx_t *cx, ww_str_t *out)
{
    NEED(cx, 4);
    uint32_t off = evtx_u32(cx->st->chunk + cx->pos);
    cx->pos += 4;
    if (off == cx->pos) {
        NEED(cx, 8);
        uint32_t n = evtx_u16(cx->st->chunk + cx->pos + 6);
        NEED(cx, 8 + 2 * n + 2);
        cx->pos += 8 + 2 * n + 2;
    }
    return get_name(cx->st, off, out);
}

static int compile_at(evtx_state_t *st, ww_event_t *ev, uint32_t start, uint32_t end, bool in_tmpl,
                      ww_arena_t *dst, evtx_opvec_t *vec, int depth, evtx_frag_t *out,
                      uint32_t *stop);

static int compile(evtx_state_t *st, ww_event_t *ev, uint32_t start, uint32_t end, bool in_tmpl,
                   ww_arena_t *dst, evtx_opvec_t *vec, evtx_frag_t *out)
{
    return compile_at(st, ev, start, end, in_tmpl, dst, vec, 0, out, NULL);
}

/* A name offset read at chunk offset `at` in an element start that began at
 * `tok_off` is plausible when it points just past itself (the name is defined right
 * there) or back to a name defined earlier in the chunk, past the chunk header. */
static bool name_ref_plausible(const evtx_state_t *st, uint32_t at, uint32_t tok_off)
{
    uint32_t off = evtx_u32(st->chunk + at);
    return off == at + 4 || (off >= EVTX_CHUNK_HEADER_SIZE && off < tok_off);
}

/* Whether the element start at cx->pos (just past its token at tok_off) carries the
 * 2-byte dependency id before its data size.  Template definitions and most records
 * do; some writers leave it out (records of forwarded or re-exported logs, nested
 * BinXML values per [MS-EVEN6]), and reading it anyway misaligns every later token
 * of the record.  The name offset decides: a real one points just past itself or
 * back into the chunk, while the misaligned reading gives a tiny or huge number. */
static bool has_dependency_id(const cctx_t *cx, uint32_t tok_off)
{
    uint32_t avail = cx->end - cx->pos;
    if (avail >= 10 && name_ref_plausible(cx->st, cx->pos + 6, tok_off))
        return true;
    if (avail >= 8 && name_ref_plausible(cx->st, cx->pos + 4, tok_off))
        return false;
    return true;
}

/* The compiled template whose definition is at chunk offset `off`. */
static int get_template(evtx_state_t *st, uint32_t off, const evtx_frag_t **out)
{
    uint32_t mask = EVTX_TMPL_SLOTS - 1, h = (off * 2654435761u) >> 23;
    evtx_tmpl_slot_t *slot = NULL;
    for (uint32_t i = 0; i < EVTX_TMPL_SLOTS; i++) {
        evtx_tmpl_slot_t *s = &st->tmpls[(h + i) & mask];
        if (s->gen != st->gen) {
            slot = s;
            break;
        }
        if (s->off == off) {
            if (s->err)
                return fail(st, off, s->why ? s->why : "broken template definition", s->err);
            *out = &s->frag;
            return 0;
        }
    }
    if (!slot || st->ntmpls >= EVTX_TMPL_MAX)
        return fail(st, off, "too many template definitions in one chunk", WW_ELIMIT);
    /* Definition: next-offset u32, GUID, data size u32, then the BinXML. */
    int rc;
    *slot = (evtx_tmpl_slot_t){.gen = st->gen, .off = off};
    st->ntmpls++;
    if (off > st->chunk_avail || st->chunk_avail - off < 24) {
        rc = fail(st, off, "template definition offset outside the chunk", WW_EPARSE);
        goto out;
    }
    uint32_t size = evtx_u32(st->chunk + off + 20);
    if (size > st->chunk_avail - off - 24) {
        rc = fail(st, off, "template definition runs past the end of the chunk", WW_EPARSE);
        goto out;
    }
    st->tmp[1].n = 0;
    rc = compile(st, NULL, off + 24, off + 24 + size, true, &st->carena, &st->tmp[1], &slot->frag);
out:
    slot->err = rc;
    slot->why = st->err;
    if (rc == 0)
        *out = &slot->frag;
    return rc;
}

/* A template instance in a record fragment: header, optional inline definition, then
 * the value descriptors and the values. */
static int compile_instance(cctx_t *cx, uint32_t tok_off)
{
    evtx_state_t *st = cx->st;
    NEED(cx, 9);
    uint32_t def = evtx_u32(st->chunk + cx->pos + 5);
    cx->pos += 9;
    if (def == cx->pos) {
        NEED(cx, 24);
        uint32_t size = evtx_u32(st->chunk + cx->pos + 20);
        if (size > cx->end - cx->pos - 24)
            return fail(st, cx->pos, "inline template definition runs past the record", WW_EPARSE);
        cx->pos += 24 + size;
    }
    const evtx_frag_t *tmpl;
    int rc = get_template(st, def, &tmpl);
    if (rc)
        return rc;
    NEED(cx, 4);
    uint32_t n = evtx_u32(st->chunk + cx->pos);
    cx->pos += 4;
    if (n > 0xFFFF || n > (cx->end - cx->pos) / 4)
        return fail(st, tok_off, "template instance value count is impossible", WW_EPARSE);
    evtx_inst_t *inst = ww_arena_alloc(&cx->ev->arena, sizeof *inst);
    evtx_val_t *vals = n ? ww_arena_alloc(&cx->ev->arena, n * sizeof *vals) : NULL;
    if (!inst || (n && !vals))
        return fail(st, tok_off, "out of memory", WW_ENOMEM);
    const uint8_t *desc = st->chunk + cx->pos;
    cx->pos += 4 * n;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t size = evtx_u16(desc + 4 * i);
        NEED(cx, size);
        vals[i] = (evtx_val_t){st->chunk + cx->pos, size, desc[4 * i + 2]};
        cx->pos += size;
    }
    *inst = (evtx_inst_t){tmpl, vals, n};
    return vec_push(cx->vec, (evtx_op_t){.kind = EVTX_OP_INSTANCE, .ptr = inst});
}

static int push_text(cctx_t *cx, const char *p, size_t n)
{
    char *t = ww_arena_strndup(cx->dst, p, n);
    if (!t)
        return fail(cx->st, cx->pos, "out of memory", WW_ENOMEM);
    return vec_push(cx->vec, (evtx_op_t){.kind = EVTX_OP_TEXT, .s = {t, n}});
}

static int compile_utf16_text(cctx_t *cx)
{
    NEED(cx, 2);
    uint32_t n = evtx_u16(cx->st->chunk + cx->pos);
    cx->pos += 2;
    NEED(cx, 2 * n);
    ww_str_t s;
    if (ww__evtx_utf16(cx->dst, cx->st->chunk + cx->pos, n, &s) != 0)
        return fail(cx->st, cx->pos, "out of memory", WW_ENOMEM);
    cx->pos += 2 * n;
    return vec_push(cx->vec, (evtx_op_t){.kind = EVTX_OP_TEXT, .s = s});
}

/* The five XML entities become their characters; others are kept as written. */
static int compile_entity(cctx_t *cx, ww_str_t name)
{
    static const struct {
        const char *n, *v;
    } ents[] = {{"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}};
    for (size_t i = 0; i < WW_ARRAY_LEN(ents); i++)
        if (ww_str_eq(name, WW_STRZ(ents[i].n)))
            return push_text(cx, ents[i].v, 1);
    char buf[300];
    int n = snprintf(buf, sizeof buf, "&%.*s;", (int)(name.n > 256 ? 256 : name.n), name.p);
    return push_text(cx, buf, (size_t)n);
}

static int compile_charref(cctx_t *cx, uint32_t c)
{
    char b[4];
    size_t n;
    if (c >= 0xD800 && c <= 0xDFFF)
        c = 0xFFFD;
    if (c < 0x80) {
        b[0] = (char)c;
        n = 1;
    } else if (c < 0x800) {
        b[0] = (char)(0xC0 | c >> 6);
        b[1] = (char)(0x80 | (c & 0x3F));
        n = 2;
    } else {
        b[0] = (char)(0xE0 | c >> 12);
        b[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        b[2] = (char)(0x80 | (c & 0x3F));
        n = 3;
    }
    return push_text(cx, b, n);
}

/* Compiles chunk bytes [start,end) up to the end-of-fragment token.  Template
 * definitions (in_tmpl) may hold substitutions but no template instances; record
 * fragments and nested BinXML values may hold instances.  The ops are copied into dst
 * (the chunk arena for templates, the event arena otherwise). */
/* A value token of a type other than a string: the value is stored in the token
 * itself, at its type's own size (Windows Defender's and other providers' templates
 * hold such constants).  Fixed-size scalars and SIDs become literal text formatted
 * as their substitutions would be, keeping the field type (an integer stays an
 * integer); nested BinXML is compiled in place up to its end token.  A type whose
 * size the token does not say (binary, arrays) cannot be read past, so the fragment
 * fails with a reason. */
__attribute__((noinline, cold)) static int compile_typed_value(cctx_t *cx, uint8_t vt,
                                                               uint32_t tok_off)
{
    evtx_state_t *st = cx->st;
    const uint8_t *p = st->chunk + cx->pos;
    uint32_t avail = cx->end - cx->pos;
    if (vt == EVTX_T_BINXML) {
        if (cx->depth + 1 >= EVTX_MAX_NESTING)
            return fail(st, tok_off, "BinXML values nested too deeply", WW_ELIMIT);
        evtx_frag_t *frag = ww_arena_alloc(cx->dst, sizeof *frag);
        evtx_inst_t *inst = ww_arena_alloc(cx->dst, sizeof *inst);
        if (!frag || !inst)
            return fail(st, tok_off, "out of memory", WW_ENOMEM);
        uint32_t stop = cx->pos;
        int rc = compile_at(st, cx->ev, cx->pos, cx->end, cx->in_tmpl, cx->dst, cx->vec,
                            cx->depth + 1, frag, &stop);
        if (rc)
            return rc;
        cx->pos = stop;
        *inst = (evtx_inst_t){frag, NULL, 0};
        return vec_push(cx->vec, (evtx_op_t){.kind = EVTX_OP_INSTANCE, .ptr = inst});
    }
    size_t n = ww__evtx_type_size(vt);
    if (vt == EVTX_T_SID)
        n = ww__evtx_sid_len(p, avail);
    if (n == 0 || (vt & EVTX_T_ARRAY))
        return fail(st, tok_off, "value token of a type without a fixed size", WW_EUNSUP);
    if (avail < n)
        return fail(st, tok_off, "BinXML runs past the end of its data", WW_EPARSE);
    ww_str_t s;
    uint8_t ftype = WW_F_STR;
    int rc = ww__evtx_scalar(cx->dst, vt, p, n, &s, &ftype);
    if (rc)
        return fail(st, tok_off, rc == WW_ENOMEM ? "out of memory" : "unreadable value token", rc);
    cx->pos += (uint32_t)n;
    return vec_push(cx->vec, (evtx_op_t){.kind = EVTX_OP_TEXT, .opt = ftype, .s = s});
}

static int compile_at(evtx_state_t *st, ww_event_t *ev, uint32_t start, uint32_t end, bool in_tmpl,
                      ww_arena_t *dst, evtx_opvec_t *vec, int depth, evtx_frag_t *out,
                      uint32_t *stop)
{
    cctx_t cx = {st, ev, start, end, in_tmpl, dst, vec, depth};
    uint32_t first = vec->n;
    int rc = 0;
    while (cx.pos < cx.end && rc == 0) {
        uint32_t tok_off = cx.pos;
        uint8_t tok = st->chunk[cx.pos++];
        ww_str_t name;
        if (tok == 0x00)
            break;
        switch (tok & 0xBF) {
        case 0x01: /* open start element: [dependency id], data size, name[, attr size] */
            NEED(&cx, 6);
            cx.pos += has_dependency_id(&cx, tok_off) ? 6 : 4;
            if ((rc = read_name_ref(&cx, &name)) != 0)
                break;
            if (tok & 0x40) {
                if (cx.end - cx.pos < 4) {
                    rc = fail(st, cx.pos, "BinXML runs past the end of its data", WW_EPARSE);
                    break;
                }
                cx.pos += 4;
            }
            rc = vec_push(vec, (evtx_op_t){.kind = EVTX_OP_OPEN, .s = name});
            break;
        case 0x02: rc = vec_push(vec, (evtx_op_t){.kind = EVTX_OP_CLOSE_START}); break;
        case 0x03: rc = vec_push(vec, (evtx_op_t){.kind = EVTX_OP_CLOSE_EMPTY}); break;
        case 0x04: rc = vec_push(vec, (evtx_op_t){.kind = EVTX_OP_END}); break;
        case 0x05: { /* value text: type byte, then (strings) counted UTF-16 or the value */
            NEED(&cx, 1);
            uint8_t vt = st->chunk[cx.pos++];
            rc = vt == EVTX_T_STRING ? compile_utf16_text(&cx)
                                     : compile_typed_value(&cx, vt, tok_off);
            break;
        }
        case 0x06: /* attribute: name; its value is the next token(s) */
            if ((rc = read_name_ref(&cx, &name)) == 0)
                rc = vec_push(vec, (evtx_op_t){.kind = EVTX_OP_ATTR, .s = name});
            break;
        case 0x07: /* CDATA */ rc = compile_utf16_text(&cx); break;
        case 0x08: /* character reference */
            NEED(&cx, 2);
            rc = compile_charref(&cx, evtx_u16(st->chunk + cx.pos));
            cx.pos += 2;
            break;
        case 0x09: /* entity reference */
            if ((rc = read_name_ref(&cx, &name)) == 0)
                rc = compile_entity(&cx, name);
            break;
        case 0x0A: /* processing instruction target: no field comes from it */
            rc = read_name_ref(&cx, &name);
            break;
        case 0x0B: { /* processing instruction data */
            NEED(&cx, 2);
            uint32_t n = evtx_u16(st->chunk + cx.pos);
            cx.pos += 2;
            NEED(&cx, 2 * n);
            cx.pos += 2 * n;
            break;
        }
        case 0x0C:
            if (in_tmpl) {
                rc = fail(st, tok_off, "template instance inside a template definition", WW_EPARSE);
                break;
            }
            rc = compile_instance(&cx, tok_off);
            break;
        case 0x0D: /* substitutions: id, declared type */
        case 0x0E:
            NEED(&cx, 3);
            rc = vec_push(vec, (evtx_op_t){.kind = EVTX_OP_SUBST,
                                           .opt = tok == 0x0E,
                                           .id = evtx_u16(st->chunk + cx.pos)});
            cx.pos += 3;
            break;
        case 0x0F: /* fragment header: major, minor, flags */
            NEED(&cx, 3);
            cx.pos += 3;
            break;
        default: rc = fail(st, tok_off, "unknown BinXML token", WW_EPARSE); break;
        }
        if (rc == WW_ELIMIT || rc == WW_ENOMEM)
            rc = fail(st, tok_off, "BinXML fragment too large", rc);
    }
    if (rc) {
        vec->n = first;
        return rc;
    }
    if (stop)
        *stop = cx.pos;
    uint32_t n = vec->n - first;
    evtx_op_t *ops = n ? ww_arena_alloc(dst, n * sizeof *ops) : NULL;
    if (n && !ops) {
        vec->n = first;
        return fail(st, start, "memory limit reached compiling BinXML", WW_ENOMEM);
    }
    if (n)
        memcpy(ops, vec->v + first, n * sizeof *ops);
    vec->n = first;
    *out = (evtx_frag_t){ops, n};
    return 0;
}

/* ---- flattening ---------------------------------------------------------------- */

/* Makes room for one more piece.  False when the array is at its limit or cannot
 * grow; no error is recorded (push_piece reports it). */
static bool piece_room(evtx_state_t *st)
{
    if (st->npieces < st->pieces_cap)
        return true;
    if (st->pieces_cap >= EVTX_MAX_PIECES)
        return false;
    uint32_t ncap = st->pieces_cap ? st->pieces_cap * 2 : 256;
    evtx_piece_t *np = realloc(st->pieces, ncap * sizeof *np);
    if (!np)
        return false;
    st->pieces = np;
    st->pieces_cap = ncap;
    return true;
}

/* Appends a piece.  The fields are stored one by one into the array: building the
 * struct on the stack and copying it made the CPU reload bytes it had just written
 * in smaller parts (a store-forwarding stall on every value). */
static int push_piece(evtx_state_t *st, ww_str_t s, uint8_t type, uint8_t vt, uint8_t sep,
                      uint64_t raw)
{
    if (!piece_room(st)) {
        if (st->pieces_cap >= EVTX_MAX_PIECES)
            return fail(st, 0, "too many values in one record", WW_ELIMIT);
        return fail(st, 0, "out of memory", WW_ENOMEM);
    }
    evtx_piece_t *pc = &st->pieces[st->npieces++];
    pc->s.p = s.p;
    pc->s.n = s.n;
    pc->raw = raw;
    pc->type = type;
    pc->vt = vt;
    pc->sep = sep;
    return 0;
}

/* Element names and a template's literal text live in the chunk's caches, which the
 * next chunk reuses (and a range reader frees with itself): what of them becomes part
 * of a field is copied into the event's arena, so that an event stays whole for its own
 * life whatever its reader does next (the contract of ww_event.h).  Values of
 * substitutions are formatted into the event's arena already. */
static int own(evtx_state_t *st, ww_event_t *ev, ww_str_t *s)
{
    if (!s->n)
        return 0;
    /* The copies share blocks of the event's arena: with an arena call per copy,
       decoding took 6% more instructions than with no copies, this way 3%. */
    if (s->n > st->own_left) {
        size_t n = s->n > EVTX_OWN_BLOCK ? s->n : EVTX_OWN_BLOCK;
        char *p = ww_arena_alloc(&ev->arena, n);
        if (!p)
            return fail(st, 0, "event memory limit reached", WW_ENOMEM);
        st->own_p = p;
        st->own_left = (uint32_t)n;
    }
    memcpy(st->own_p, s->p, s->n);
    s->p = st->own_p;
    st->own_p += s->n;
    st->own_left -= (uint32_t)s->n;
    return 0;
}

/* The text of pieces [from,to) as one value (literal text and references join). */
static int join(evtx_state_t *st, ww_event_t *ev, uint32_t from, uint32_t to, ww_str_t *out,
                uint8_t *type)
{
    if (to - from == 1) {
        *out = st->pieces[from].s;
        *type = st->pieces[from].type;
        /* Literal text (vt 0) may be a template's, in the chunk cache. */
        return st->pieces[from].vt ? 0 : own(st, ev, out);
    }
    size_t n = 0;
    for (uint32_t i = from; i < to; i++)
        n += st->pieces[i].s.n;
    char *p = ww_arena_alloc(&ev->arena, n + 1);
    if (!p)
        return fail(st, 0, "event memory limit reached", WW_ENOMEM);
    size_t k = 0;
    for (uint32_t i = from; i < to; i++) {
        if (st->pieces[i].s.n)
            memcpy(p + k, st->pieces[i].s.p, st->pieces[i].s.n);
        k += st->pieces[i].s.n;
    }
    p[k] = 0;
    *out = (ww_str_t){p, k};
    *type = WW_F_STR;
    return 0;
}

/* Adds one field per value in pieces [from,to): array elements are separate values,
 * everything else between them joins. */
static int emit(evtx_state_t *st, ww_event_t *ev, ww_str_t name, uint32_t from, uint32_t to)
{
    for (uint32_t i = from; i < to;) {
        uint32_t j = i + 1;
        if (!st->pieces[i].sep)
            while (j < to && !st->pieces[j].sep)
                j++;
        ww_str_t v;
        uint8_t type;
        int rc = join(st, ev, i, j, &v, &type);
        if (rc == 0 && (rc = ww_event_add(ev, name, v, type)) != 0)
            return fail(st, 0, rc == WW_ELIMIT ? "too many fields in one record" : "out of memory",
                        rc);
        if (rc)
            return rc;
        i = j;
    }
    return 0;
}

/* Under UserData a leaf whose name is already a field of the event (in any case) is
 * skipped: first writer wins, as in the JSON flattening (ww_event.h). */
static bool seen_in_userdata(const ww_event_t *ev, ww_str_t name)
{
    return ww_event_get(ev, name, NULL) != NULL;
}

static int end_attr(evtx_state_t *st, ww_event_t *ev)
{
    evtx_frame_t *f = &st->stack[st->depth - 1];
    uint32_t from = st->attr_start, to = st->npieces;
    ww_str_t an = st->attr_name;
    int rc = 0;
    st->in_attr = false;
    /* Attributes with no value (an optional substitution left empty) do not exist. */
    if (to == from || f->section == EVTX_SEC_NONE || st->depth < 3)
        goto out;
    if (an.n >= 5 && memcmp(an.p, "xmlns", 5) == 0 && (an.n == 5 || an.p[5] == ':'))
        goto out;
    /* evtx_dump keeps no attributes under UserData (xmlns and the like) and none of a
       <Data> element but its Name. */
    if (f->section == EVTX_SEC_USERDATA)
        goto out;
    bool is_data = ww_str_eq(f->name, WW_STR("Data"));
    if (is_data && !ww_str_eq(an, WW_STR("Name")))
        goto out;
    if (is_data) {
        ww_str_t v;
        uint8_t type;
        if ((rc = join(st, ev, from, to, &v, &type)) != 0)
            goto out;
        if (memchr(v.p, ' ', v.n)) {
            char *p = ww_arena_alloc(&ev->arena, v.n + 1);
            if (!p) {
                rc = fail(st, 0, "event memory limit reached", WW_ENOMEM);
                goto out;
            }
            size_t k = 0;
            for (size_t i = 0; i < v.n; i++)
                if (v.p[i] != ' ')
                    p[k++] = v.p[i];
            v = (ww_str_t){p, k};
        }
        f->data_name = v;
        goto out;
    }
    char *nm = ww_arena_alloc(&ev->arena, f->name.n + an.n + 2);
    if (!nm) {
        rc = fail(st, 0, "event memory limit reached", WW_ENOMEM);
        goto out;
    }
    memcpy(nm, f->name.p, f->name.n);
    nm[f->name.n] = '_';
    memcpy(nm + f->name.n + 1, an.p, an.n);
    nm[f->name.n + 1 + an.n] = 0;
    ww_str_t full = {nm, f->name.n + 1 + an.n};
    if (f->section == EVTX_SEC_SYSTEM && to - from == 1 && st->pieces[from].vt == EVTX_T_FILETIME &&
        ww_str_eq(f->name, WW_STR("TimeCreated")) && ww_str_eq(an, WW_STR("SystemTime")))
        st->ts_filetime = st->pieces[from].raw;
    f->nattrs++;
    rc = emit(st, ev, full, from, to);
out:
    st->npieces = from;
    return rc;
}

static int open_elem(evtx_state_t *st, ww_str_t name, uint32_t off)
{
    if (st->depth >= EVTX_MAX_ELEM_DEPTH)
        return fail(st, off, "XML elements nested too deeply", WW_ELIMIT);
    evtx_frame_t *f = &st->stack[st->depth++];
    *f = (evtx_frame_t){.name = name, .piece_start = st->npieces};
    if (st->depth == 2) {
        if (ww_str_eq(name, WW_STR("System")))
            f->section = EVTX_SEC_SYSTEM;
        else if (ww_str_eq(name, WW_STR("EventData")))
            f->section = EVTX_SEC_EVENTDATA;
        else if (ww_str_eq(name, WW_STR("UserData")))
            f->section = EVTX_SEC_USERDATA;
        /* Other sections (RenderingInfo, ProcessingErrorData, ...) repeat or describe
           System fields and are not part of the event's fields. */
    } else if (st->depth > 2) {
        f->section = st->stack[st->depth - 2].section;
    }
    return 0;
}

static int end_elem(evtx_state_t *st, ww_event_t *ev)
{
    evtx_frame_t *f = &st->stack[st->depth - 1];
    int rc = 0;
    if (f->section != EVTX_SEC_NONE && st->depth >= 3 && f->nchildren == 0) {
        ww_str_t name = f->data_name.n ? f->data_name : f->name;
        if (f->section == EVTX_SEC_USERDATA && seen_in_userdata(ev, name)) {
            /* first writer wins */
        } else if (!f->data_name.n && (rc = own(st, ev, &name)) != 0) {
            /* the element's name is the chunk's: out of event memory */
        } else if (st->npieces > f->piece_start) {
            rc = emit(st, ev, name, f->piece_start, st->npieces);
        } else if (f->nattrs == 0) {
            if ((rc = ww_event_add(ev, name, (ww_str_t){"", 0}, WW_F_NULL)) != 0)
                rc = fail(st, 0, "too many fields in one record", rc);
        }
    }
    st->npieces = f->piece_start;
    st->depth--;
    if (st->depth && st->stack[st->depth - 1].nchildren < UINT16_MAX)
        st->stack[st->depth - 1].nchildren++;
    return rc;
}

static int run(evtx_state_t *st, ww_event_t *ev, const evtx_frag_t *frag, const evtx_val_t *vals,
               uint32_t nvals, int nest);

/* Turns one substitution value into pieces (or, for nested BinXML, runs it). */
static int put_value(evtx_state_t *st, ww_event_t *ev, const evtx_val_t *v, int nest)
{
    uint8_t base = v->type & 0x7F;
    bool arr = (v->type & EVTX_T_ARRAY) != 0;
    const uint8_t *p = v->p;
    uint32_t size = v->size;
    uint32_t off = (uint32_t)(p - st->chunk);
    ww_str_t s;
    int rc;

    if (base == EVTX_T_NULL || base == EVTX_T_EVTHANDLE || base == EVTX_T_EVTXML)
        return 0;
    if (size == 0 && base != EVTX_T_STRING && base != EVTX_T_ANSI)
        return 0; /* no bytes: no value, like NULL */
    if (base == EVTX_T_BINXML && !arr) {
        if (st->in_attr)
            return fail(st, off, "BinXML value inside an attribute", WW_EPARSE);
        evtx_frag_t frag;
        st->tmp[0].n = 0;
        rc = compile(st, ev, off, off + size, false, &ev->arena, &st->tmp[0], &frag);
        return rc ? rc : run(st, ev, &frag, NULL, 0, nest + 1);
    }
    if (base == EVTX_T_STRING || base == EVTX_T_ANSI) {
        uint32_t unit = base == EVTX_T_STRING ? 2 : 1, nunits = size / unit;
        if (!arr) {
            /* Converted straight into the next piece's slot when there is room (no
               struct copy); without room the conversion still comes first, so its
               error is the one reported, as it always was. */
            bool room = piece_room(st);
            ww_str_t *dst = room ? &st->pieces[st->npieces].s : &s;
            rc = unit == 2 ? ww__evtx_utf16(&ev->arena, p, nunits, dst)
                           : ww__evtx_ansi(&ev->arena, p, nunits, dst);
            if (rc)
                return fail(st, off, "event memory limit reached", rc);
            /* evtx_dump drops trailing whitespace from string values (Sysmon's command
               lines often end in a space); do the same so rules see the same text. */
            const char *sp = dst->p;
            size_t sn = dst->n;
            while (sn && (sp[sn - 1] == ' ' || (sp[sn - 1] >= '\t' && sp[sn - 1] <= '\r')))
                sn--;
            if (!room)
                return push_piece(st, (ww_str_t){sp, sn}, WW_F_STR, base, 0, 0);
            evtx_piece_t *pc = &st->pieces[st->npieces++];
            pc->s.n = sn;
            pc->raw = 0;
            pc->type = WW_F_STR;
            pc->vt = base;
            pc->sep = 0;
            return 0;
        }
        /* A string array is NUL-separated; a final terminator ends it. */
        uint32_t i = 0;
        while (i < nunits) {
            uint32_t j = i;
            while (j < nunits && (unit == 2 ? evtx_u16(p + 2 * j) : p[j]) != 0)
                j++;
            rc = unit == 2 ? ww__evtx_utf16(&ev->arena, p + 2 * i, j - i, &s)
                           : ww__evtx_ansi(&ev->arena, p + i, j - i, &s);
            if (rc)
                return fail(st, off, "event memory limit reached", rc);
            if ((rc = push_piece(st, s, WW_F_STR, base, 1, 0)) != 0)
                return rc;
            i = j + 1;
        }
        return 0;
    }
    /* Fixed-size scalars, SIDs and binary. */
    size_t elem = ww__evtx_type_size(base);
    if (base == EVTX_T_SIZET)
        elem = arr ? (size % 8 == 0 ? 8 : 4) : size;
    if (base == EVTX_T_BINARY || (!arr && base != EVTX_T_SID))
        elem = size;
    uint32_t i = 0;
    do {
        size_t n = elem;
        if (base == EVTX_T_SID)
            n = ww__evtx_sid_len(p + i, size - i);
        /* Formatted straight into the next piece when there is room, as above. */
        bool room = piece_room(st);
        uint8_t type_local = WW_F_STR;
        ww_str_t *dst = room ? &st->pieces[st->npieces].s : &s;
        uint8_t *type = room ? &st->pieces[st->npieces].type : &type_local;
        *type = WW_F_STR;
        rc = n ? ww__evtx_scalar(&ev->arena, base, p + i, n, dst, type) : WW_EPARSE;
        if (rc == WW_EPARSE) {
            /* A size that does not fit the type, or an unknown type: keep the bytes as
               hex rather than lose the record. */
            n = size - i;
            rc = ww__evtx_scalar(&ev->arena, EVTX_T_BINARY, p + i, n, dst, type);
            if (n == 0) {
                *dst = (ww_str_t){"", 0};
                rc = 0;
            }
        }
        if (rc)
            return fail(st, off, "event memory limit reached", rc);
        uint64_t raw = base == EVTX_T_FILETIME && n == 8 ? evtx_u64(p + i) : 0;
        if (!room) {
            if ((rc = push_piece(st, s, type_local, base, arr, raw)) != 0)
                return rc;
        } else {
            evtx_piece_t *pc = &st->pieces[st->npieces++];
            pc->raw = raw;
            pc->vt = base;
            pc->sep = arr;
        }
        i += (uint32_t)n;
    } while (arr && i < size);
    return 0;
}

static int run(evtx_state_t *st, ww_event_t *ev, const evtx_frag_t *frag, const evtx_val_t *vals,
               uint32_t nvals, int nest)
{
    if (nest > EVTX_MAX_NESTING)
        return fail(st, 0, "template instances or BinXML values nested too deeply", WW_ELIMIT);
    int rc = 0;
    for (uint32_t i = 0; i < frag->nops && rc == 0; i++) {
        const evtx_op_t *op = &frag->ops[i];
        if (++st->work > EVTX_MAX_WORK)
            return fail(st, 0, "record expands to too much XML", WW_ELIMIT);
        switch (op->kind) {
        case EVTX_OP_OPEN:
            if (st->in_attr && (rc = end_attr(st, ev)) != 0)
                break;
            rc = open_elem(st, op->s, 0);
            break;
        case EVTX_OP_ATTR:
            if (st->depth == 0)
                return fail(st, 0, "attribute outside an element", WW_EPARSE);
            if (st->in_attr && (rc = end_attr(st, ev)) != 0)
                break;
            st->in_attr = true;
            st->attr_name = op->s;
            st->attr_start = st->npieces;
            break;
        case EVTX_OP_CLOSE_START:
        case EVTX_OP_CLOSE_EMPTY:
        case EVTX_OP_END:
            if (st->depth == 0)
                return fail(st, 0, "element end without a start", WW_EPARSE);
            if (st->in_attr && (rc = end_attr(st, ev)) != 0)
                break;
            if (op->kind != EVTX_OP_CLOSE_START)
                rc = end_elem(st, ev);
            break;
        case EVTX_OP_TEXT: rc = push_piece(st, op->s, op->opt, 0, 0, 0); break;
        case EVTX_OP_SUBST:
            if (op->id < nvals)
                rc = put_value(st, ev, &vals[op->id], nest);
            break;
        case EVTX_OP_INSTANCE: {
            const evtx_inst_t *in = op->ptr;
            rc = run(st, ev, in->tmpl, in->vals, in->nvals, nest + 1);
            break;
        }
        default: rc = fail(st, 0, "corrupt compiled BinXML", WW_EPARSE); break;
        }
    }
    return rc;
}

void ww__evtx_chunk_reset(evtx_state_t *st)
{
    /* Bumping the generation empties both caches without touching their memory. */
    if (++st->gen == 0) {
        memset(st->names, 0, EVTX_NAME_SLOTS * sizeof *st->names);
        memset(st->tmpls, 0, EVTX_TMPL_SLOTS * sizeof *st->tmpls);
        st->gen = 1;
    }
    st->ntmpls = 0;
    ww_arena_reset(&st->carena);
}

int ww__evtx_record(evtx_state_t *st, ww_event_t *ev, uint32_t start, uint32_t end)
{
    st->err = NULL;
    st->err_off = start;
    st->work = 0;
    st->depth = 0;
    st->in_attr = false;
    st->npieces = 0;
    st->ts_filetime = 0;
    st->own_left = 0; /* a new event: its arena has none of the last one's room */
    evtx_frag_t frag;
    st->tmp[0].n = 0;
    int rc = compile(st, ev, start, end, false, &ev->arena, &st->tmp[0], &frag);
    if (rc == 0)
        rc = run(st, ev, &frag, NULL, 0, 0);
    /* Close what a sloppy writer left open so the fields it has still count. */
    while (rc == 0 && st->depth) {
        if (st->in_attr)
            rc = end_attr(st, ev);
        if (rc == 0)
            rc = end_elem(st, ev);
    }
    return rc;
}
