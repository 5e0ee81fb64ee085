/* Unit tests for the native EVTX decoder: field values of a real sample, every value
 * type and BinXML construct through a hand-built chunk (nested BinXML, arrays,
 * entity and character references, optional substitutions), and damage: truncation,
 * bad checksums, broken record headers, bogus template offsets, exponential and deep
 * nesting, stray and empty chunks.  Samples come from $WW_SHARED; the tests that need
 * them skip when it is missing, the hand-built ones always run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "event/ww_event.h"

#define CHUNK 65536u
#define FHDR 4096u

/* The 7-event Sysmon sample and the WMI-Activity one (UserData). */
#define MULTI                                                                    \
    "rules/windows/file/file_event/file_event_win_hktl_netexec_file_indicators/" \
    "efc21479-9e83-41da-8cf1-122e06ba8db3.evtx"
#define WMI                                                                    \
    "rules/windows/builtin/wmi/win_wmi_activity_nteventlogfile_cleareventlog/" \
    "d4f1a2b3-7c8e-4d5f-b6a9-1e0c2d3f4e5b.evtx"

/* ---- helpers ------------------------------------------------------------------- */

static uint8_t *load_sample(const char *rel, size_t *len)
{
    const char *shared = getenv("WW_SHARED");
    char path[4096];
    if (!shared)
        return NULL;
    snprintf(path, sizeof path, "%s/sigma/regression/%s", shared, rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *b = malloc(4 * CHUNK + FHDR);
    assert_non_null(b);
    *len = fread(b, 1, 4 * CHUNK + FHDR, f);
    fclose(f);
    return b;
}

#define NEED_SAMPLE(var, rel, len)         \
    uint8_t *var = load_sample(rel, &len); \
    if (!var) {                            \
        skip();                            \
        return;                            \
    }

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t crc32_bytes(uint32_t c, const uint8_t *p, size_t n)
{
    c = ~c;
    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
    return ~c;
}

/* Recomputes a chunk's records and header checksums after an edit. */
static void fix_chunk(uint8_t *c)
{
    uint32_t free_off = rd32(c + 48);
    wr32(c + 52, crc32_bytes(0, c + 512, free_off - 512));
    uint32_t h = crc32_bytes(0, c, 120);
    /* CRC over two ranges: continue from the first. */
    uint32_t cc = ~h;
    const uint8_t *p = c + 128;
    for (size_t n = 384; n--;) {
        cc ^= *p++;
        for (int k = 0; k < 8; k++)
            cc = (cc & 1) ? 0xEDB88320u ^ (cc >> 1) : cc >> 1;
    }
    wr32(c + 124, ~cc);
}

/* Offsets (chunk-relative) of the records of the chunk at c. */
static int record_offsets(const uint8_t *c, uint32_t *offs, int max)
{
    uint32_t off = 512, end = rd32(c + 48);
    int n = 0;
    while (off + 24 <= end && n < max && rd32(c + off) == 0x2a2a) {
        offs[n++] = off;
        off += rd32(c + off + 4);
    }
    return n;
}

typedef struct outcome {
    int events, errors, last_rc;
    int codes[64];
    char msgs[8][256];
} outcome_t;

/* Drains a reader over buf; records every result. */
static outcome_t drain(const uint8_t *buf, size_t len)
{
    outcome_t o = {0};
    ww_reader_t *r = NULL;
    ww_diag_t d = {0};
    assert_int_equal(ww_reader_open_mem("t.evtx", buf, len, WW_FMT_EVTX, &r, &d), 0);
    ww_event_t ev;
    ww_event_init(&ev);
    int rc, calls = 0;
    while ((rc = ww_reader_next(r, &ev, &d)) != 0) {
        assert_true(++calls < 10000);
        if (calls <= 64)
            o.codes[calls - 1] = rc;
        if (rc > 0) {
            o.events++;
            continue;
        }
        if (o.errors < 8)
            snprintf(o.msgs[o.errors], sizeof o.msgs[0], "%s", d.msg);
        o.errors++;
        o.last_rc = rc;
        /* Every diagnostic names the file. */
        assert_string_equal(d.file, "t.evtx");
    }
    /* After the end the reader stays at the end. */
    assert_int_equal(ww_reader_next(r, &ev, &d), 0);
    if (o.events + o.errors)
        assert_int_equal(ww_reader_index(r) + 1, (uint64_t)(o.events + o.errors));
    ww_event_release(&ev);
    ww_reader_free(r);
    return o;
}

static const ww_field_t *field(const ww_event_t *ev, const char *name)
{
    return ww_event_get(ev, WW_STRZ(name), NULL);
}

static void assert_field(const ww_event_t *ev, const char *name, const char *value, int type)
{
    const ww_field_t *f = field(ev, name);
    if (!f)
        fail_msg("field %s missing", name);
    if (f->value.n != strlen(value) || memcmp(f->value.p, value, f->value.n) != 0)
        fail_msg("field %s = '%.*s', expected '%s'", name, (int)f->value.n, f->value.p, value);
    if (f->type != type)
        fail_msg("field %s has type %d, expected %d", name, f->type, type);
}

static int count_field(const ww_event_t *ev, const char *name)
{
    int n = 0;
    for (const ww_field_t *f = field(ev, name); f; f = ww_event_get(ev, WW_STRZ(name), f))
        n++;
    return n;
}

/* ---- real samples -------------------------------------------------------------- */

static void test_sample_fields(void **state)
{
    (void)state;
    size_t len;
    NEED_SAMPLE(buf, WMI, len);
    ww_reader_t *r;
    ww_diag_t d = {0};
    assert_int_equal(ww_reader_open_mem("wmi", buf, len, WW_FMT_AUTO, &r, &d), 0);
    assert_int_equal(ww_reader_format(r), WW_FMT_EVTX);
    ww_event_t ev;
    ww_event_init(&ev);
    assert_int_equal(ww_reader_next(r, &ev, &d), 1);
    assert_field(&ev, "EventID", "5858", WW_F_INT);
    assert_field(&ev, "Provider_Name", "Microsoft-Windows-WMI-Activity", WW_F_STR);
    assert_field(&ev, "Provider_Guid", "1418EF04-B0B4-4623-BF7E-D74AB47BBDAA", WW_F_STR);
    assert_field(&ev, "Keywords", "0x4000000000000000", WW_F_STR);
    assert_field(&ev, "TimeCreated_SystemTime", "2026-07-02T02:05:27.438557Z", WW_F_STR);
    assert_field(&ev, "Correlation_ActivityID", "8E521E2B-7C26-0001-417F-9C8E267CDB01", WW_F_STR);
    assert_field(&ev, "Execution_ProcessID", "3092", WW_F_INT);
    assert_field(&ev, "Security_UserID", "S-1-5-18", WW_F_STR);
    assert_field(&ev, "Channel", "Microsoft-Windows-WMI-Activity/Operational", WW_F_STR);
    /* UserData leaves, the root's xmlns dropped. */
    assert_field(&ev, "ClientProcessId", "25920", WW_F_INT);
    assert_field(&ev, "ResultCode", "0x80041003", WW_F_STR);
    assert_field(&ev, "User", "swachchhanda\\xodih", WW_F_STR);
    assert_null(field(&ev, "xmlns"));
    assert_null(field(&ev, "Operation_ClientFailure_xmlns"));
    /* Routing facts and time. */
    assert_int_equal(ev.kind, WW_EV_WINDOWS);
    assert_int_equal(ev.event_id, 5858);
    assert_true(ww_str_eq(ev.channel, WW_STR("Microsoft-Windows-WMI-Activity/Operational")));
    char ts[64];
    ww_time_format(ev.ts, ts, sizeof ts);
    assert_string_equal(ts, "2026-07-02T02:05:27.438557Z");
    assert_int_equal(ww_reader_index(r), 0);
    assert_int_equal(ww_reader_next(r, &ev, &d), 0);
    assert_int_equal(ww_reader_offset(r), len);
    ww_event_release(&ev);
    ww_reader_free(r);
    free(buf);
}

static void test_sample_count_and_nulls(void **state)
{
    (void)state;
    size_t len;
    NEED_SAMPLE(buf, MULTI, len);
    outcome_t o = drain(buf, len);
    assert_int_equal(o.errors, 0);
    /* The chunk header's record numbers say how many records there are. */
    uint64_t first = rd32(buf + FHDR + 8), last = rd32(buf + FHDR + 16);
    assert_int_equal(o.events, (int)(last - first + 1));
    assert_int_equal(o.events, 7);

    ww_reader_t *r;
    ww_diag_t d;
    ww_event_t ev;
    ww_event_init(&ev);
    assert_int_equal(ww_reader_open_mem("m", buf, len, WW_FMT_EVTX, &r, &d), 0);
    assert_int_equal(ww_reader_next(r, &ev, &d), 1);
    const ww_field_t *c = field(&ev, "Correlation");
    assert_non_null(c);
    assert_int_equal(c->type, WW_F_NULL);
    assert_int_equal(c->value.n, 0);
    ww_event_release(&ev);
    ww_reader_free(r);
    free(buf);
}

/* ---- damage on real samples ---------------------------------------------------- */

static void test_truncated(void **state)
{
    (void)state;
    size_t len;
    NEED_SAMPLE(buf, MULTI, len);
    uint32_t offs[16];
    int n = record_offsets(buf + FHDR, offs, 16);
    assert_int_equal(n, 7);
    /* Cut inside the fourth record: three events, then the truncation. */
    outcome_t o = drain(buf, FHDR + offs[3] + 40);
    assert_int_equal(o.events, 3);
    assert_int_equal(o.errors, 1);
    assert_int_equal(o.last_rc, WW_ETRUNC);
    assert_non_null(strstr(o.msgs[0], "file ends inside chunk 0"));

    /* Cut exactly between records: still truncated, the chunk says more follow. */
    o = drain(buf, FHDR + offs[5]);
    assert_int_equal(o.events, 5);
    assert_int_equal(o.last_rc, WW_ETRUNC);

    /* Inside the chunk header, inside the file header. */
    o = drain(buf, FHDR + 300);
    assert_int_equal(o.events, 0);
    assert_int_equal(o.last_rc, WW_ETRUNC);
    assert_non_null(strstr(o.msgs[0], "header of chunk 0"));
    o = drain(buf, 100);
    assert_int_equal(o.last_rc, WW_ETRUNC);
    assert_non_null(strstr(o.msgs[0], "file header"));

    /* Every cut length returns the complete records before it and never crashes. */
    for (size_t cut = 8; cut < FHDR + offs[6] + 600; cut += 97) {
        o = drain(buf, cut);
        int complete = 0;
        for (int i = 0; i < n; i++)
            if (FHDR + offs[i] + rd32(buf + FHDR + offs[i] + 4) <= cut)
                complete++;
        assert_int_equal(o.events, complete);
    }
    free(buf);
}

static void test_checksums(void **state)
{
    (void)state;
    size_t len;
    NEED_SAMPLE(buf, MULTI, len);
    /* A flipped bit in the chunk header's unused area: reported, records still read. */
    buf[FHDR + 80] ^= 1;
    outcome_t o = drain(buf, len);
    assert_int_equal(o.codes[0], WW_EPARSE);
    assert_non_null(strstr(o.msgs[0], "chunk 0"));
    assert_non_null(strstr(o.msgs[0], "header checksum mismatch"));
    assert_int_equal(o.events, 7);
    buf[FHDR + 80] ^= 1;

    /* A changed character in a record: the records checksum says so. */
    uint32_t offs[16];
    record_offsets(buf + FHDR, offs, 16);
    buf[FHDR + offs[2] + 200] ^= 0x01;
    o = drain(buf, len);
    assert_int_equal(o.codes[0], WW_EPARSE);
    assert_non_null(strstr(o.msgs[0], "records checksum mismatch"));
    assert_int_equal(o.errors + o.events >= 7, true);
    free(buf);
}

static void test_bad_records(void **state)
{
    (void)state;
    size_t len;
    NEED_SAMPLE(buf, MULTI, len);
    uint8_t *c = buf + FHDR;
    uint32_t offs[16];
    record_offsets(c, offs, 16);

    /* A destroyed record signature: that record is lost, the rest are read. */
    uint8_t *work = malloc(len);
    assert_non_null(work);
    memcpy(work, buf, len);
    wr32(work + FHDR + offs[2], 0xdeadbeef);
    fix_chunk(work + FHDR);
    outcome_t o = drain(work, len);
    assert_int_equal(o.events, 6);
    assert_int_equal(o.errors, 1);
    assert_non_null(strstr(o.msgs[0], "no record signature"));

    /* An impossible size. */
    memcpy(work, buf, len);
    wr32(work + FHDR + offs[4] + 4, 0x7fffffff);
    fix_chunk(work + FHDR);
    o = drain(work, len);
    assert_int_equal(o.events, 6);
    assert_non_null(strstr(o.msgs[0], "impossible record size"));

    /* The trailing size copy disagrees. */
    memcpy(work, buf, len);
    uint32_t sz = rd32(c + offs[1] + 4);
    wr32(work + FHDR + offs[1] + sz - 4, 12345);
    fix_chunk(work + FHDR);
    o = drain(work, len);
    assert_int_equal(o.events, 6);
    assert_non_null(strstr(o.msgs[0], "trailing copy"));

    /* A template instance pointing outside the chunk (the first record defines its
       template inline; point the fourth record's instance far away). */
    memcpy(work, buf, len);
    uint32_t inst = offs[3] + 24 + 4; /* after the fragment header */
    assert_int_equal(work[FHDR + inst], 0x0c);
    wr32(work + FHDR + inst + 6, 0xfffffff0u);
    fix_chunk(work + FHDR);
    o = drain(work, len);
    assert_int_equal(o.events, 6);
    assert_int_equal(o.errors, 1);
    assert_non_null(strstr(o.msgs[0], "record "));
    assert_non_null(strstr(o.msgs[0], "outside the chunk"));

    /* Random byte damage anywhere in the records never crashes or hangs. */
    srand(1234);
    for (int round = 0; round < 300; round++) {
        memcpy(work, buf, len);
        int hits = 1 + rand() % 8;
        for (int h = 0; h < hits; h++)
            work[FHDR + 512 + (size_t)rand() % (rd32(c + 48) - 512)] = (uint8_t)rand();
        if (round % 2)
            fix_chunk(work + FHDR);
        o = drain(work, len);
        assert_true(o.events <= 7);
    }
    free(work);
    free(buf);
}

static void test_extra_chunks(void **state)
{
    (void)state;
    size_t len;
    NEED_SAMPLE(buf, MULTI, len);
    assert_int_equal(len, FHDR + CHUNK);
    /* A second copy of the chunk beyond the header's chunk count, then a zeroed
       (preallocated) chunk, then garbage. */
    uint8_t *big = calloc(1, FHDR + 4 * CHUNK);
    assert_non_null(big);
    memcpy(big, buf, len);
    memcpy(big + FHDR + CHUNK, buf + FHDR, CHUNK);
    memset(big + FHDR + 3 * CHUNK, 0x41, CHUNK);
    outcome_t o = drain(big, FHDR + 4 * CHUNK);
    assert_int_equal(o.events, 14);
    assert_int_equal(o.errors, 1);
    assert_non_null(strstr(o.msgs[0], "chunk 3"));
    assert_non_null(strstr(o.msgs[0], "no \"ElfChnk\" signature"));

    /* Not EVTX at all. */
    ww_reader_t *r = NULL;
    ww_diag_t d = {0};
    assert_int_equal(ww_reader_open_mem("x", "ElfFilX", 7, WW_FMT_EVTX, &r, &d), WW_EPARSE);
    assert_null(r);
    free(big);
    free(buf);
}

/* ---- a hand-built chunk -------------------------------------------------------- */

typedef struct bld {
    uint8_t *c; /* the chunk */
    uint32_t n; /* write position, chunk-relative */
} bld_t;

static void p8(bld_t *w, uint32_t v)
{
    w->c[w->n++] = (uint8_t)v;
}
static void p16(bld_t *w, uint32_t v)
{
    p8(w, v & 0xff);
    p8(w, v >> 8);
}
static void p32(bld_t *w, uint32_t v)
{
    p16(w, v & 0xffff);
    p16(w, v >> 16);
}
static void p64(bld_t *w, uint64_t v)
{
    p32(w, (uint32_t)v);
    p32(w, (uint32_t)(v >> 32));
}
static void pbytes(bld_t *w, const void *p, size_t n)
{
    memcpy(w->c + w->n, p, n);
    w->n += (uint32_t)n;
}

/* A name reference with the name defined inline. */
static void pname(bld_t *w, const char *s)
{
    p32(w, w->n + 4);
    p32(w, 0);
    p16(w, 0);
    p16(w, (uint32_t)strlen(s));
    for (const char *q = s; *q; q++)
        p16(w, (uint8_t)*q);
    p16(w, 0);
}
static void frag(bld_t *w)
{
    p8(w, 0x0f);
    p8(w, 1);
    p8(w, 1);
    p8(w, 0);
}
static void el(bld_t *w, const char *name, int attrs)
{
    p8(w, attrs ? 0x41 : 0x01);
    p16(w, 0xffff);
    p32(w, 0);
    pname(w, name);
    if (attrs)
        p32(w, 0);
}
static void attr(bld_t *w, const char *name)
{
    p8(w, 0x06);
    pname(w, name);
}
static void text(bld_t *w, const char *s)
{
    p8(w, 0x05);
    p8(w, 0x01);
    p16(w, (uint32_t)strlen(s));
    for (const char *q = s; *q; q++)
        p16(w, (uint8_t)*q);
}
static void sub(bld_t *w, int id, int type)
{
    p8(w, 0x0d);
    p16(w, (uint32_t)id);
    p8(w, (uint32_t)type);
}
static void osub(bld_t *w, int id, int type)
{
    p8(w, 0x0e);
    p16(w, (uint32_t)id);
    p8(w, (uint32_t)type);
}
static void cs(bld_t *w)
{
    p8(w, 0x02);
}
static void ce(bld_t *w)
{
    p8(w, 0x03);
}
static void end(bld_t *w)
{
    p8(w, 0x04);
}

/* Starts a template instance; returns the offset of the definition.  With inline
 * set the definition follows (call tmpl_end after writing its body). */
static uint32_t inst(bld_t *w, uint32_t def, bool inline_def, uint32_t *size_at)
{
    p8(w, 0x0c);
    p8(w, 1);
    p32(w, 7);
    if (inline_def)
        def = w->n + 4;
    p32(w, def);
    if (inline_def) {
        p32(w, 0);
        for (int i = 0; i < 16; i++)
            p8(w, (uint32_t)i);
        *size_at = w->n;
        p32(w, 0);
    }
    return def;
}
static void tmpl_end(bld_t *w, uint32_t size_at)
{
    p8(w, 0x00);
    wr32(w->c + size_at, w->n - (size_at + 4));
}

typedef struct val {
    int type;
    const void *p;
    uint32_t n;
} val_t;

static void values(bld_t *w, const val_t *v, int n)
{
    p32(w, (uint32_t)n);
    for (int i = 0; i < n; i++) {
        p16(w, v[i].n);
        p8(w, (uint32_t)v[i].type);
        p8(w, 0);
    }
    for (int i = 0; i < n; i++)
        pbytes(w, v[i].p, v[i].n);
}

static uint32_t rec_start(bld_t *w, uint64_t id)
{
    uint32_t at = w->n;
    p32(w, 0x2a2a);
    p32(w, 0);
    p64(w, id);
    p64(w, 134201194848506723ull);
    return at;
}
static void rec_end(bld_t *w, uint32_t at)
{
    p8(w, 0x00);
    while ((w->n + 4 - at) % 8)
        p8(w, 0);
    uint32_t size = w->n + 4 - at;
    p32(w, size);
    wr32(w->c + at + 4, size);
}

static uint8_t *file_new(void)
{
    uint8_t *f = calloc(1, FHDR + CHUNK);
    assert_non_null(f);
    memcpy(f, "ElfFile\0", 8);
    wr32(f + 32, 128);
    f[36] = 1;
    f[38] = 3;
    f[40] = 0x00;
    f[41] = 0x10;
    f[42] = 1;
    wr32(f + 124, crc32_bytes(0, f, 120));
    memcpy(f + FHDR, "ElfChnk\0", 8);
    wr32(f + FHDR + 40, 128);
    return f;
}

static void chunk_done(bld_t *w, uint64_t nrec)
{
    wr32(w->c + 8, 1);
    wr32(w->c + 16, (uint32_t)nrec);
    wr32(w->c + 24, 1);
    wr32(w->c + 32, (uint32_t)nrec);
    wr32(w->c + 48, w->n);
    fix_chunk(w->c);
}

static void u16s(uint8_t *out, const char *s, uint32_t *n)
{
    for (const char *q = s; *q; q++) {
        out[(*n)++] = (uint8_t)*q;
        out[(*n)++] = 0;
    }
}

static void test_synthetic_types(void **state)
{
    (void)state;
    uint8_t *f = file_new();
    bld_t w = {f + FHDR, 512};
    uint32_t r1 = rec_start(&w, 1), size_at;
    frag(&w);
    inst(&w, 0, true, &size_at);
    frag(&w);
    el(&w, "Event", 1);
    attr(&w, "xmlns");
    text(&w, "http://x");
    cs(&w);
    el(&w, "System", 0);
    cs(&w);
    el(&w, "Provider", 1);
    attr(&w, "Name");
    text(&w, "Prov");
    attr(&w, "Guid");
    sub(&w, 0, 0x0f);
    ce(&w);
    el(&w, "EventID", 1);
    attr(&w, "Qualifiers");
    sub(&w, 16, 0x06);
    cs(&w);
    sub(&w, 1, 0x06);
    end(&w);
    el(&w, "TimeCreated", 1);
    attr(&w, "SystemTime");
    sub(&w, 2, 0x11);
    ce(&w);
    el(&w, "Correlation", 1);
    attr(&w, "ActivityID");
    osub(&w, 3, 0x0f);
    ce(&w);
    el(&w, "Computer", 0);
    cs(&w);
    sub(&w, 4, 0x01);
    end(&w);
    el(&w, "Channel", 0);
    cs(&w);
    text(&w, "Chan");
    end(&w);
    end(&w);
    el(&w, "EventData", 0);
    cs(&w);
    static const char *names[] = {"A B",  "Neg", "Sid", "Hex", "Bin",  "Real", "Flag",
                                  "Ansi", "St",  "U8s", "Sz",  "H32s", "I8",   "F32"};
    static const int types[] = {0x81, 0x09, 0x13, 0x15, 0x0e, 0x0c, 0x0d,
                                0x02, 0x12, 0x84, 0x10, 0x94, 0x03, 0x0b};
    for (int i = 0; i < 14; i++) {
        el(&w, "Data", 1);
        attr(&w, "Name");
        text(&w, names[i]);
        cs(&w);
        /* ids 5..15, then 18..20 (16 and 17 are taken) */
        sub(&w, i < 11 ? 5 + i : 7 + i, types[i]);
        end(&w);
    }
    el(&w, "Data", 1);
    attr(&w, "Name");
    text(&w, "Ent");
    cs(&w);
    text(&w, "a");
    p8(&w, 0x09);
    pname(&w, "amp");
    p8(&w, 0x08);
    p16(&w, 0x42);
    text(&w, "c");
    end(&w);
    el(&w, "Data", 0);
    cs(&w);
    text(&w, "u1");
    end(&w);
    el(&w, "Data", 0);
    cs(&w);
    text(&w, "u2");
    end(&w);
    el(&w, "Data", 1);
    attr(&w, "Name");
    text(&w, "Empty");
    ce(&w);
    end(&w);
    sub(&w, 17, 0x21);
    end(&w);
    tmpl_end(&w, size_at);

    /* The values (ids 0..20). */
    static const uint8_t guid[16] = {0x5f, 0x38, 0x70, 0x57, 0x2a, 0xc2, 0xe0, 0x43,
                                     0xbf, 0x4c, 0x06, 0xf5, 0x69, 0x8f, 0xfb, 0xd9};
    uint16_t eid = 4625, qual = 16384;
    uint64_t ft = 134201194848506723ull;
    uint8_t comp[64], arr[64], ansi[] = {'a', 'n', 's', 'i', 0xe9, 0};
    uint32_t compn = 0, arrn = 0;
    u16s(comp, "HOST  ", &compn);
    u16s(arr, "x", &arrn);
    arr[arrn++] = 0;
    arr[arrn++] = 0;
    u16s(arr, "y z", &arrn);
    arr[arrn++] = 0;
    arr[arrn++] = 0;
    int64_t neg = -42;
    static const uint8_t sid[] = {1,    5,    0,    0,    0,    0,    0,    5,    21,   0,
                                  0,    0,    0x3f, 0x1b, 0x55, 0x98, 0x3b, 0xc9, 0xd7, 0x47,
                                  0xe1, 0x1e, 0x0a, 0xe8, 0xe9, 0x03, 0,    0};
    uint64_t hex = 0x529ae3, u8s = 0x030201;
    static const uint8_t bin[] = {0xde, 0xad, 0x01};
    double real = 1.5;
    uint32_t flag = 1;
    static const uint16_t systime[8] = {2024, 2, 0, 29, 23, 59, 58, 7};
    uint64_t sz = 4096;
    uint32_t h32s[2] = {0xff, 0x10};
    int8_t i8 = -5;
    float f32 = 0.25f;

    val_t v[18] = {
        {0x0f, guid, 16},          {0x06, &eid, 2},     {0x11, &ft, 8},   {0x00, NULL, 0},
        {0x01, comp, compn},       {0x81, arr, arrn},   {0x09, &neg, 8},  {0x13, sid, sizeof sid},
        {0x15, &hex, 8},           {0x0e, bin, 3},      {0x0c, &real, 8}, {0x0d, &flag, 4},
        {0x02, ansi, sizeof ansi}, {0x12, systime, 16}, {0x84, &u8s, 3},  {0x10, &sz, 8},
        {0x06, &qual, 2},          {0x21, NULL, 0},
    };
    /* Id 17 is nested BinXML (UserData) whose names are chunk offsets, so it is built
       in place; ids 18..20 follow it. */
    p32(&w, 21);
    val_t extra[3] = {{0x94, h32s, 8}, {0x03, &i8, 1}, {0x0b, &f32, 4}};
    uint32_t desc = w.n;
    for (int i = 0; i < 21; i++)
        p32(&w, 0);
    for (int i = 0; i < 17; i++) {
        wr32(w.c + desc + 4 * i, v[i].n | (uint32_t)v[i].type << 16);
        if (v[i].n)
            pbytes(&w, v[i].p, v[i].n);
    }
    uint32_t bx = w.n;
    frag(&w);
    el(&w, "UserData", 0);
    cs(&w);
    el(&w, "Root", 1);
    attr(&w, "xmlns");
    text(&w, "urn:x");
    cs(&w);
    el(&w, "Leaf", 1);
    attr(&w, "Kind");
    text(&w, "k");
    cs(&w);
    text(&w, "v");
    end(&w);
    el(&w, "channel", 0);
    cs(&w);
    text(&w, "dup");
    end(&w);
    el(&w, "Deep", 0);
    cs(&w);
    el(&w, "Inner", 0);
    cs(&w);
    text(&w, "w");
    end(&w);
    end(&w);
    el(&w, "Nothing", 0);
    ce(&w);
    end(&w);
    end(&w);
    p8(&w, 0x00);
    wr32(w.c + desc + 4 * 17, (w.n - bx) | 0x21u << 16);
    for (int i = 0; i < 3; i++) {
        wr32(w.c + desc + 4 * (18 + i), extra[i].n | (uint32_t)extra[i].type << 16);
        pbytes(&w, extra[i].p, extra[i].n);
    }
    rec_end(&w, r1);
    chunk_done(&w, 1);

    ww_reader_t *r;
    ww_diag_t d = {0};
    ww_event_t ev;
    ww_event_init(&ev);
    assert_int_equal(ww_reader_open_mem("syn", f, FHDR + CHUNK, WW_FMT_EVTX, &r, &d), 0);
    int rc = ww_reader_next(r, &ev, &d);
    if (rc != 1)
        fail_msg("rc %d: %s", rc, d.msg);
    assert_field(&ev, "Provider_Name", "Prov", WW_F_STR);
    assert_field(&ev, "Provider_Guid", "5770385F-C22A-43E0-BF4C-06F5698FFBD9", WW_F_STR);
    assert_field(&ev, "EventID", "4625", WW_F_INT);
    assert_field(&ev, "EventID_Qualifiers", "16384", WW_F_INT);
    assert_field(&ev, "TimeCreated_SystemTime", "2026-04-08T10:58:04.850672Z", WW_F_STR);
    assert_field(&ev, "Correlation", "", WW_F_NULL);
    assert_null(field(&ev, "Correlation_ActivityID"));
    assert_field(&ev, "Computer", "HOST", WW_F_STR);
    assert_field(&ev, "Channel", "Chan", WW_F_STR);
    assert_int_equal(count_field(&ev, "AB"), 2);
    assert_field(&ev, "AB", "x", WW_F_STR);
    assert_string_equal(ww_event_get(&ev, WW_STR("AB"), field(&ev, "AB"))->value.p, "y z");
    assert_field(&ev, "Neg", "-42", WW_F_INT);
    assert_field(&ev, "Sid", "S-1-5-21-2555714367-1205324091-3892977377-1001", WW_F_STR);
    assert_field(&ev, "Hex", "0x529ae3", WW_F_STR);
    assert_field(&ev, "Bin", "DEAD01", WW_F_STR);
    assert_field(&ev, "Real", "1.5", WW_F_FLOAT);
    assert_field(&ev, "Flag", "true", WW_F_BOOL);
    assert_field(&ev, "Ansi", "ansi\xc3\xa9", WW_F_STR);
    assert_field(&ev, "St", "2024-02-29T23:59:58.007000Z", WW_F_STR);
    assert_int_equal(count_field(&ev, "U8s"), 3);
    assert_field(&ev, "U8s", "1", WW_F_INT);
    assert_field(&ev, "Sz", "4096", WW_F_INT);
    assert_int_equal(count_field(&ev, "H32s"), 2);
    assert_field(&ev, "H32s", "0xff", WW_F_STR);
    assert_field(&ev, "I8", "-5", WW_F_INT);
    assert_field(&ev, "F32", "0.25", WW_F_FLOAT);
    assert_field(&ev, "Ent", "a&Bc", WW_F_STR);
    assert_int_equal(count_field(&ev, "Data"), 2);
    assert_field(&ev, "Empty", "", WW_F_NULL);
    /* UserData: leaves by name, attributes dropped, first writer wins. */
    assert_field(&ev, "Leaf", "v", WW_F_STR);
    assert_null(field(&ev, "Leaf_Kind"));
    assert_null(field(&ev, "Root_xmlns"));
    assert_int_equal(count_field(&ev, "Channel"), 1);
    assert_field(&ev, "Inner", "w", WW_F_STR);
    assert_field(&ev, "Nothing", "", WW_F_NULL);
    assert_null(field(&ev, "xmlns"));
    assert_null(field(&ev, "Event_xmlns"));
    assert_int_equal(ev.event_id, 4625);
    assert_int_equal(ww_reader_next(r, &ev, &d), 0);
    ww_event_release(&ev);
    ww_reader_free(r);
    free(f);
}

/* A value of type BinXML holding an instance of template T, whose values hold the
 * next level: `levels` deep, each level substituting its value `fanout` times. */
static void test_synthetic_bombs(void **state)
{
    (void)state;
    for (int mode = 0; mode < 2; mode++) {
        /* Descent is depth first, so the exponential case stays within the nesting
           limit (2 per level) and only the work budget can stop it. */
        int fanout = mode == 0 ? 64 : 1, levels = mode == 0 ? 6 : 40;
        uint8_t *f = file_new();
        bld_t w = {f + FHDR, 512};
        /* Record 1 defines T inline and is itself fine. */
        uint32_t r1 = rec_start(&w, 1), size_at;
        frag(&w);
        uint32_t def = inst(&w, 0, true, &size_at);
        frag(&w);
        /* Under a section that yields no fields, so the field cap cannot stop it. */
        el(&w, "Event", 0);
        cs(&w);
        el(&w, "Other", 0);
        cs(&w);
        for (int i = 0; i < fanout; i++)
            sub(&w, 0, 0x21);
        end(&w);
        end(&w);
        tmpl_end(&w, size_at);
        values(&w, NULL, 0);
        rec_end(&w, r1);

        /* Record 2: levels of nesting, built inside out in a scratch chunk image so the
           offsets are final: each level is [frag][instance of T][1 value: level-1]. */
        uint32_t r2 = rec_start(&w, 2);
        frag(&w);
        /* Outer instance whose single value is the nested chain. */
        uint32_t lens[64];
        /* Sizes: innermost = frag(4) + inst(10) + count(4) = 18; each outer adds
           4 + 10 + 4 + 4 (descriptor). */
        lens[0] = 18;
        for (int k = 1; k < levels; k++)
            lens[k] = lens[k - 1] + 22;
        inst(&w, def, false, NULL);
        p32(&w, 1);
        p16(&w, lens[levels - 1]);
        p8(&w, 0x21);
        p8(&w, 0);
        for (int k = levels - 1; k >= 0; k--) {
            frag(&w);
            inst(&w, def, false, NULL);
            if (k == 0) {
                p32(&w, 0);
            } else {
                p32(&w, 1);
                p16(&w, lens[k - 1]);
                p8(&w, 0x21);
                p8(&w, 0);
            }
        }
        rec_end(&w, r2);
        /* Record 3: fine again. */
        uint32_t r3 = rec_start(&w, 3);
        frag(&w);
        inst(&w, def, false, NULL);
        values(&w, NULL, 0);
        rec_end(&w, r3);
        chunk_done(&w, 3);

        clock_t t0 = clock();
        outcome_t o = drain(f, FHDR + CHUNK);
        double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
        assert_int_equal(o.events, 2);
        assert_int_equal(o.errors, 1);
        assert_int_equal(o.codes[1], WW_ELIMIT);
        assert_non_null(strstr(o.msgs[0], "record 2"));
        if (!strstr(o.msgs[0], mode == 0 ? "too much XML" : "nested too deeply"))
            fail_msg("mode %d: %s", mode, o.msgs[0]);
        assert_true(secs < 5.0);
        free(f);
    }
}

static void test_synthetic_bad_templates(void **state)
{
    (void)state;
    uint8_t *f = file_new();
    bld_t w = {f + FHDR, 512};
    /* A template definition holding a template instance. */
    uint32_t r1 = rec_start(&w, 1), size_at;
    frag(&w);
    inst(&w, 0, true, &size_at);
    el(&w, "Event", 0);
    cs(&w);
    inst(&w, 600, false, NULL);
    end(&w);
    tmpl_end(&w, size_at);
    values(&w, NULL, 0);
    rec_end(&w, r1);
    /* An impossible value count. */
    uint32_t r2 = rec_start(&w, 2);
    frag(&w);
    inst(&w, 0, true, &size_at);
    el(&w, "Event", 0);
    ce(&w);
    tmpl_end(&w, size_at);
    p32(&w, 0xffffffffu);
    rec_end(&w, r2);
    /* 100 nested elements. */
    uint32_t r3 = rec_start(&w, 3);
    frag(&w);
    for (int i = 0; i < 100; i++) {
        el(&w, "E", 0);
        cs(&w);
    }
    rec_end(&w, r3);
    /* An unknown token. */
    uint32_t r4 = rec_start(&w, 4);
    frag(&w);
    p8(&w, 0x1f);
    rec_end(&w, r4);
    /* A fine raw-XML record (no template). */
    uint32_t r5 = rec_start(&w, 5);
    frag(&w);
    el(&w, "Event", 0);
    cs(&w);
    el(&w, "System", 0);
    cs(&w);
    el(&w, "EventID", 0);
    cs(&w);
    text(&w, "4688");
    end(&w);
    end(&w);
    end(&w);
    rec_end(&w, r5);
    chunk_done(&w, 5);

    ww_reader_t *r;
    ww_diag_t d = {0};
    ww_event_t ev;
    ww_event_init(&ev);
    assert_int_equal(ww_reader_open_mem("bad", f, FHDR + CHUNK, WW_FMT_EVTX, &r, &d), 0);
    static const char *why[] = {"template instance inside a template definition",
                                "value count is impossible", "nested too deeply",
                                "unknown BinXML token"};
    for (int i = 0; i < 4; i++) {
        int rc = ww_reader_next(r, &ev, &d);
        assert_true(rc < 0 && rc != WW_ETRUNC);
        if (!strstr(d.msg, why[i]))
            fail_msg("record %d: '%s', expected '%s'", i + 1, d.msg, why[i]);
        char rid[32];
        snprintf(rid, sizeof rid, "record %d ", i + 1);
        assert_non_null(strstr(d.msg, rid));
        assert_int_equal(ww_reader_index(r), (uint64_t)i);
    }
    assert_int_equal(ww_reader_next(r, &ev, &d), 1);
    assert_field(&ev, "EventID", "4688", WW_F_STR);
    assert_int_equal(ev.event_id, 4688);
    /* No TimeCreated: the record header's time. */
    char ts[64];
    ww_time_format(ev.ts, ts, sizeof ts);
    assert_string_equal(ts, "2026-04-08T10:58:04.850672Z");
    assert_int_equal(ww_reader_next(r, &ev, &d), 0);
    ww_event_release(&ev);
    ww_reader_free(r);
    free(f);
}

/* ---- element starts without a dependency id; typed value tokens; failed templates */

/* An element start as some writers store it: no 2-byte dependency id before the data
 * size.  Returns the chunk offset of the name structure (for later references). */
static uint32_t el_nodep(bld_t *w, const char *name, int attrs)
{
    p8(w, attrs ? 0x41 : 0x01);
    p32(w, 0);
    uint32_t at = w->n + 4;
    pname(w, name);
    if (attrs)
        p32(w, 0);
    return at;
}
/* The same with a reference to a name defined earlier in the chunk. */
static void el_nodep_ref(bld_t *w, uint32_t name_at, int attrs)
{
    p8(w, attrs ? 0x41 : 0x01);
    p32(w, 0);
    p32(w, name_at);
    if (attrs)
        p32(w, 0);
}

static ww_reader_t *open_chunk(uint8_t *f, const char *name)
{
    ww_reader_t *r = NULL;
    ww_diag_t d = {0};
    assert_int_equal(ww_reader_open_mem(name, f, FHDR + CHUNK, WW_FMT_EVTX, &r, &d), 0);
    return r;
}

static void test_synthetic_no_dependency_id(void **state)
{
    (void)state;
    uint8_t *f = file_new();
    bld_t w = {f + FHDR, 512};
    /* Record 1 defines its names inline; record 2 refers back to them; record 3 mixes
       both forms of element start (with and without the dependency id). */
    uint32_t n_event, n_system, n_eid, n_evd, n_data;
    uint32_t r1 = rec_start(&w, 1);
    frag(&w);
    n_event = el_nodep(&w, "Event", 0);
    cs(&w);
    n_system = el_nodep(&w, "System", 0);
    cs(&w);
    n_eid = el_nodep(&w, "EventID", 0);
    cs(&w);
    text(&w, "1116");
    end(&w);
    el_nodep(&w, "Channel", 0);
    cs(&w);
    text(&w, "Microsoft-Windows-Windows Defender/Operational");
    end(&w);
    end(&w);
    n_evd = el_nodep(&w, "EventData", 0);
    cs(&w);
    n_data = el_nodep(&w, "Data", 1);
    attr(&w, "Name");
    text(&w, "Threat Name");
    cs(&w);
    text(&w, "HackTool:Win64/Mikatz!dha");
    end(&w);
    end(&w);
    end(&w);
    rec_end(&w, r1);
    uint32_t r2 = rec_start(&w, 2);
    frag(&w);
    el_nodep_ref(&w, n_event, 0);
    cs(&w);
    el_nodep_ref(&w, n_system, 0);
    cs(&w);
    el_nodep_ref(&w, n_eid, 0);
    cs(&w);
    text(&w, "1117");
    end(&w);
    end(&w);
    el_nodep_ref(&w, n_evd, 0);
    cs(&w);
    el_nodep_ref(&w, n_data, 0);
    cs(&w);
    text(&w, "unnamed");
    end(&w);
    end(&w);
    end(&w);
    rec_end(&w, r2);
    uint32_t r3 = rec_start(&w, 3);
    frag(&w);
    el(&w, "Event", 0);
    cs(&w);
    el_nodep(&w, "System", 0);
    cs(&w);
    el(&w, "EventID", 0);
    cs(&w);
    text(&w, "5001");
    end(&w);
    end(&w);
    end(&w);
    rec_end(&w, r3);
    chunk_done(&w, 3);

    outcome_t o = drain(f, FHDR + CHUNK);
    assert_int_equal(o.events, 3);
    assert_int_equal(o.errors, 0);
    ww_reader_t *r = open_chunk(f, "nodep");
    ww_diag_t d = {0};
    ww_event_t ev;
    ww_event_init(&ev);
    assert_int_equal(ww_reader_next(r, &ev, &d), 1);
    assert_field(&ev, "EventID", "1116", WW_F_STR);
    assert_field(&ev, "Channel", "Microsoft-Windows-Windows Defender/Operational", WW_F_STR);
    assert_field(&ev, "ThreatName", "HackTool:Win64/Mikatz!dha", WW_F_STR);
    assert_int_equal(ww_reader_next(r, &ev, &d), 1);
    assert_int_equal(ev.event_id, 1117);
    assert_field(&ev, "Data", "unnamed", WW_F_STR);
    assert_int_equal(ww_reader_next(r, &ev, &d), 1);
    assert_int_equal(ev.event_id, 5001);
    assert_int_equal(ww_reader_next(r, &ev, &d), 0);
    ww_event_release(&ev);
    ww_reader_free(r);
    free(f);
}

/* A value token holding a value of type t (not a string). */
static void tval(bld_t *w, int t, const void *p, size_t n)
{
    p8(w, 0x05);
    p8(w, (uint32_t)t);
    pbytes(w, p, n);
}

/* Writes the body of a template whose EventData holds one value token of each type
 * below, and one substitution (id 0, a string). */
static void typed_template_body(bld_t *w)
{
    static const uint8_t u8 = 7, sid[] = {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0};
    uint32_t u32 = 1116, u16 = 3;
    uint64_t u64 = 18446744073709551615ull, ft = 134201194848506723ull;
    int32_t i32 = -5;
    frag(w);
    el(w, "Event", 0);
    cs(w);
    el(w, "System", 0);
    cs(w);
    el(w, "EventID", 0);
    cs(w);
    tval(w, 0x08, &u32, 4);
    end(w);
    el(w, "Level", 0);
    cs(w);
    tval(w, 0x04, &u8, 1);
    end(w);
    el(w, "Channel", 0);
    cs(w);
    text(w, "Microsoft-Windows-Windows Defender/Operational");
    end(w);
    end(w);
    el(w, "EventData", 0);
    cs(w);
    static const char *names[] = {"U64", "When", "Who", "Neg", "Mixed"};
    for (int i = 0; i < 5; i++) {
        el(w, "Data", 1);
        attr(w, "Name");
        text(w, names[i]);
        cs(w);
        switch (i) {
        case 0: tval(w, 0x0a, &u64, 8); break;
        case 1: tval(w, 0x11, &ft, 8); break;
        case 2: tval(w, 0x13, sid, sizeof sid); break;
        case 3: tval(w, 0x07, &i32, 4); break;
        default:
            text(w, "v");
            tval(w, 0x06, &u16, 2);
            break;
        }
        end(w);
    }
    el(w, "Data", 1);
    attr(w, "Name");
    text(w, "Path");
    cs(w);
    sub(w, 0, 0x01);
    end(w);
    end(w);
    /* Nested BinXML in a value token: its own fragment, up to its end token. */
    p8(w, 0x05);
    p8(w, 0x21);
    frag(w);
    el(w, "UserData", 0);
    cs(w);
    el(w, "Root", 0);
    cs(w);
    el(w, "Leaf", 0);
    cs(w);
    text(w, "inner");
    end(w);
    end(w);
    end(w);
    p8(w, 0x00);
    end(w);
}

static void test_synthetic_typed_value_tokens(void **state)
{
    (void)state;
    uint8_t *f = file_new();
    bld_t w = {f + FHDR, 512};
    uint8_t path[64];
    uint32_t pathn = 0, size_at;
    u16s(path, "C:\\x.exe", &pathn);
    val_t v[] = {{0x01, path, pathn}};
    uint32_t r1 = rec_start(&w, 1);
    frag(&w);
    uint32_t def = inst(&w, 0, true, &size_at);
    typed_template_body(&w);
    tmpl_end(&w, size_at);
    values(&w, v, 1);
    rec_end(&w, r1);
    /* The later records of the chunk use it by reference. */
    for (int i = 2; i <= 3; i++) {
        uint32_t ri = rec_start(&w, (uint64_t)i);
        frag(&w);
        inst(&w, def, false, NULL);
        values(&w, v, 1);
        rec_end(&w, ri);
    }
    chunk_done(&w, 3);

    ww_reader_t *r = open_chunk(f, "typed");
    ww_diag_t d = {0};
    ww_event_t ev;
    ww_event_init(&ev);
    for (int i = 0; i < 3; i++) {
        int rc = ww_reader_next(r, &ev, &d);
        if (rc != 1)
            fail_msg("record %d: rc %d: %s", i + 1, rc, d.msg);
        assert_field(&ev, "EventID", "1116", WW_F_INT);
        assert_int_equal(ev.event_id, 1116);
        assert_field(&ev, "Level", "7", WW_F_INT);
        assert_field(&ev, "U64", "18446744073709551615", WW_F_INT);
        assert_field(&ev, "When", "2026-04-08T10:58:04.850672Z", WW_F_STR);
        assert_field(&ev, "Who", "S-1-5-18", WW_F_STR);
        assert_field(&ev, "Neg", "-5", WW_F_INT);
        assert_field(&ev, "Mixed", "v3", WW_F_STR);
        assert_field(&ev, "Path", "C:\\x.exe", WW_F_STR);
        assert_field(&ev, "Leaf", "inner", WW_F_STR);
    }
    assert_int_equal(ww_reader_next(r, &ev, &d), 0);
    ww_event_release(&ev);
    ww_reader_free(r);
    free(f);
}

/* A template that cannot be read fails its own records, each reported, while the
 * other templates and records of the chunk still decode. */
static void test_synthetic_failed_template_isolated(void **state)
{
    (void)state;
    uint8_t *f = file_new();
    bld_t w = {f + FHDR, 512};
    uint32_t size_at, good = 0, bad = 0;
    static const uint8_t blob[4] = {1, 2, 3, 4};
    uint32_t id = 1;
    for (int round = 0; round < 3; round++) {
        uint32_t ra = rec_start(&w, id++);
        frag(&w);
        if (!good) {
            good = inst(&w, 0, true, &size_at);
            frag(&w);
            el(&w, "Event", 0);
            cs(&w);
            el(&w, "System", 0);
            cs(&w);
            el(&w, "EventID", 0);
            cs(&w);
            sub(&w, 0, 0x06);
            end(&w);
            end(&w);
            end(&w);
            tmpl_end(&w, size_at);
        } else {
            inst(&w, good, false, NULL);
        }
        uint16_t eid = (uint16_t)(4000 + round);
        val_t v[] = {{0x06, &eid, 2}};
        values(&w, v, 1);
        rec_end(&w, ra);

        uint32_t rb = rec_start(&w, id++);
        frag(&w);
        if (!bad) {
            bad = inst(&w, 0, true, &size_at);
            frag(&w);
            el(&w, "Event", 0);
            cs(&w);
            tval(&w, 0x0e, blob, sizeof blob); /* binary: its size is not stored */
            end(&w);
            tmpl_end(&w, size_at);
        } else {
            inst(&w, bad, false, NULL);
        }
        values(&w, NULL, 0);
        rec_end(&w, rb);
    }
    chunk_done(&w, id - 1);

    ww_reader_t *r = open_chunk(f, "isolated");
    ww_diag_t d = {0};
    ww_event_t ev;
    ww_event_init(&ev);
    for (int round = 0; round < 3; round++) {
        assert_int_equal(ww_reader_next(r, &ev, &d), 1);
        assert_int_equal(ev.event_id, 4000 + round);
        int rc = ww_reader_next(r, &ev, &d);
        assert_true(rc < 0 && rc != WW_ETRUNC);
        char rid[32];
        snprintf(rid, sizeof rid, "record %d ", 2 * round + 2);
        if (!strstr(d.msg, rid) || !strstr(d.msg, "value token of a type without a fixed size"))
            fail_msg("round %d: '%s'", round, d.msg);
    }
    assert_int_equal(ww_reader_next(r, &ev, &d), 0);
    ww_event_release(&ev);
    ww_reader_free(r);
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_fields),
        cmocka_unit_test(test_sample_count_and_nulls),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_checksums),
        cmocka_unit_test(test_bad_records),
        cmocka_unit_test(test_extra_chunks),
        cmocka_unit_test(test_synthetic_types),
        cmocka_unit_test(test_synthetic_bombs),
        cmocka_unit_test(test_synthetic_bad_templates),
        cmocka_unit_test(test_synthetic_no_dependency_id),
        cmocka_unit_test(test_synthetic_typed_value_tokens),
        cmocka_unit_test(test_synthetic_failed_template_isolated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
