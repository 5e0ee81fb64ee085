/* Unit tests for EVTX ranges (ww_reader_open_range at chunk boundaries, what hunt's
 * worker threads decode) and for the lifetime of EVTX events.  A many-chunk input is
 * assembled from the chunks of the committed fuzz corpus -- many small records, clean
 * and damaged chunks, bad templates, a zeroed and a garbage chunk, a cut last chunk --
 * and, when $WW_SHARED is there, from real regression samples.  Ranges of 1 to 5
 * chunks, decoded separately and renumbered, give exactly the records, events and
 * diagnostics of one reader over the whole input; a reader resumed at any chunk
 * boundary gives exactly the whole reader's rest; a streamed input's windows give
 * exactly the whole reader's records and diagnostics; events kept after their reader
 * went on to other chunks, or was freed, are unchanged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

#include "event/ww_reader_int.h"

#define FHDR 4096u
#define CHUNK 65536u

/* Chunks of these corpus files, in this order; "@zero" is a preallocated (zeroed)
 * chunk, "@garbage" a chunk without a signature.  A file's chunks are padded to 64 KiB
 * (the trimmed corpus files end early).  The input ends with multi_cut_mid.evtx's chunk
 * as it is: cut inside a record. */
static const char *const PIECES[] = {
    "many_small_records.evtx",
    "typed_value_tokens.evtx",
    "@zero",
    "failed_template_isolated.evtx",
    "multi_trimmed.evtx",
    "@garbage",
    "chunk_crc_bad.evtx",
    "no_dependency_id.evtx",
    "records_damaged.evtx",
    "userdata_trimmed.evtx",
    "synthetic_types_nested.evtx",
    "small_trimmed.evtx",
    "many_small_records.evtx",
};
#define LAST_PIECE "multi_cut_mid.evtx"

typedef struct input {
    uint8_t *p;
    size_t n, cap;
    size_t nchunks;
} input_t;

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 20, n = 0;
    uint8_t *b = malloc(cap);
    assert_non_null(b);
    size_t got;
    while ((got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            b = realloc(b, cap *= 2);
            assert_non_null(b);
        }
    }
    fclose(f);
    *len = n;
    return b;
}

static void put(input_t *in, const void *p, size_t n, size_t pad_to)
{
    size_t total = n > pad_to ? n : pad_to;
    while (in->n + total > in->cap) {
        in->cap = in->cap ? in->cap * 2 : 1 << 20;
        in->p = realloc(in->p, in->cap);
        assert_non_null(in->p);
    }
    if (n)
        memcpy(in->p + in->n, p, n);
    memset(in->p + in->n + n, 0, total - n);
    in->n += total;
}

/* Appends the chunks of the EVTX file at `path` (each padded to 64 KiB unless `cut`);
 * with `header`, its file header first. */
static bool add_file(input_t *in, const char *path, bool header, bool cut)
{
    size_t len;
    uint8_t *b = slurp(path, &len);
    if (!b || len < FHDR + 512 || memcmp(b, "ElfFile", 7) != 0) {
        free(b);
        return false;
    }
    if (header)
        put(in, b, FHDR, FHDR);
    for (size_t at = FHDR; at < len; at += CHUNK) {
        size_t n = len - at < CHUNK ? len - at : CHUNK;
        put(in, b + at, n, cut ? 0 : CHUNK);
        in->nchunks++;
    }
    free(b);
    return true;
}

static bool build_input(input_t *in)
{
    const char *src = getenv("WW_SRC");
    char path[4096];
    if (!src)
        return false;
    memset(in, 0, sizeof *in);
    for (size_t i = 0; i < WW_ARRAY_LEN(PIECES); i++) {
        if (PIECES[i][0] == '@') {
            uint8_t chunk[512];
            memset(chunk, strcmp(PIECES[i], "@zero") == 0 ? 0 : 0x41, sizeof chunk);
            put(in, chunk, sizeof chunk, CHUNK);
            if (chunk[0])
                memset(in->p + in->n - CHUNK, 0x41, CHUNK);
            in->nchunks++;
            continue;
        }
        snprintf(path, sizeof path, "%s/tests/fuzz/corpus/fuzz_evtx/%s", src, PIECES[i]);
        if (!add_file(in, path, i == 0, false))
            fail_msg("cannot read %s", path);
    }
    /* Real records, when the shared folder is there: a few regression samples. */
    const char *shared = getenv("WW_SHARED");
    static const char *const REAL[] = {
        "rules/windows/file/file_event/file_event_win_hktl_netexec_file_indicators/"
        "efc21479-9e83-41da-8cf1-122e06ba8db3.evtx",
        "rules/windows/builtin/wmi/win_wmi_activity_nteventlogfile_cleareventlog/"
        "d4f1a2b3-7c8e-4d5f-b6a9-1e0c2d3f4e5b.evtx",
    };
    for (size_t i = 0; shared && i < WW_ARRAY_LEN(REAL); i++) {
        snprintf(path, sizeof path, "%s/sigma/regression/%s", shared, REAL[i]);
        add_file(in, path, false, false);
    }
    snprintf(path, sizeof path, "%s/tests/fuzz/corpus/fuzz_evtx/%s", src, LAST_PIECE);
    if (!add_file(in, path, false, true))
        fail_msg("cannot read %s", path);
    return true;
}

/* One line per record of reader r, numbered from `base`: "E index json ts" for an
 * event, "D index code file: message" for a record that could not be decoded.
 * Returns the number of records. */
static uint64_t dump(ww_reader_t *r, uint64_t base, ww_buf_t *out)
{
    ww_event_t ev;
    ww_event_init(&ev);
    ww_diag_t d;
    uint64_t n = 0;
    int rc;
    char line[600];
    while ((rc = ww_reader_next(r, &ev, &d)) != 0) {
        assert_int_equal(ww_reader_index(r), n);
        int k;
        if (rc > 0) {
            k = snprintf(line, sizeof line, "E %llu ", (unsigned long long)(base + n));
            assert_int_equal(ww_buf_append(out, line, (size_t)k), 0);
            assert_int_equal(ww_event_to_json(&ev, out), 0);
            k = snprintf(line, sizeof line, " %lld\n", (long long)ev.ts);
        } else {
            k = snprintf(line, sizeof line, "D %llu %d %s: %s\n", (unsigned long long)(base + n),
                         rc, d.file, d.msg);
        }
        assert_int_equal(ww_buf_append(out, line, (size_t)k), 0);
        n++;
    }
    ww_event_release(&ev);
    return n;
}

static void expect_same(const ww_buf_t *want, const ww_buf_t *got, const char *what)
{
    if (want->n == got->n && memcmp(want->p, got->p, want->n) == 0)
        return;
    size_t i = 0;
    while (i < want->n && i < got->n && want->p[i] == got->p[i])
        i++;
    size_t from = i > 120 ? i - 120 : 0;
    fail_msg("%s: differs at byte %zu of %zu/%zu:\nwant ...%.240s\ngot  ...%.240s", what, i,
             want->n, got->n, want->p + from, got->p + from);
}

static void test_ranges_equal_whole(void **state)
{
    (void)state;
    input_t in;
    if (!build_input(&in)) {
        skip();
        return;
    }
    ww_reader_t *whole = NULL, *r = NULL;
    ww_diag_t d;
    assert_int_equal(ww_reader_open_mem("many.evtx", in.p, in.n, WW_FMT_AUTO, &whole, &d), 0);
    assert_int_equal(ww_reader_format(whole), WW_FMT_EVTX);
    assert_true(ww_reader_splittable(whole));
    ww_buf_t want;
    ww_buf_init(&want, 0);
    uint64_t total = dump(whole, 0, &want);
    /* The input has what the test is about: many records, damage, a cut end. */
    assert_true(total > 900);
    assert_non_null(strstr(want.p, "D 440 "));
    assert_non_null(strstr(want.p, "records checksum mismatch"));
    assert_non_null(strstr(want.p, "no \"ElfChnk\" signature"));
    assert_non_null(strstr(want.p, "file ends inside chunk"));

    /* Per-chunk outputs, for the resumed readers below. */
    char **one = calloc(in.nchunks + 1, sizeof *one);
    uint64_t *first = calloc(in.nchunks + 1, sizeof *first);
    assert_non_null(one);
    assert_non_null(first);
    for (uint32_t per = 1; per <= 5; per++) {
        ww_buf_t got;
        ww_buf_init(&got, 0);
        uint64_t base = 0, pos = 0;
        size_t k = 0;
        while (pos < in.n) {
            uint64_t end = ww_reader_cut(whole, pos, per);
            assert_true(end > pos);
            assert_int_equal(ww_reader_open_range(whole, pos, end, &r, &d), 0);
            size_t before = got.n;
            if (per == 1)
                first[k] = base;
            base += dump(r, base, &got);
            if (per == 1) {
                one[k] = malloc(got.n - before + 1);
                assert_non_null(one[k]);
                memcpy(one[k], got.p + before, got.n - before);
                one[k][got.n - before] = 0;
            }
            ww_reader_free(r);
            pos = end;
            k++;
        }
        assert_int_equal(k, (in.nchunks + per - 1) / per);
        assert_int_equal(base, total);
        char what[64];
        snprintf(what, sizeof what, "ranges of %u chunk(s)", per);
        expect_same(&want, &got, what);
        ww_buf_release(&got);
    }

    /* A reader from any chunk boundary to the end, numbered after the records before
       it, gives the whole reader's rest (hunt resumes there after a bad range). */
    for (size_t k = 0; k < in.nchunks; k++) {
        uint64_t start = k ? FHDR + (uint64_t)k * CHUNK : 0;
        assert_int_equal(ww_reader_open_range(whole, start, in.n, &r, &d), 0);
        ww_buf_t got, rest;
        ww_buf_init(&got, 0);
        ww_buf_init(&rest, 0);
        dump(r, first[k], &got);
        for (size_t j = k; j < in.nchunks; j++)
            assert_int_equal(ww_buf_append(&rest, one[j], strlen(one[j])), 0);
        char what[64];
        snprintf(what, sizeof what, "resumed at chunk %zu", k);
        expect_same(&rest, &got, what);
        ww_buf_release(&got);
        ww_buf_release(&rest);
        ww_reader_free(r);
    }
    for (size_t k = 0; k < in.nchunks; k++)
        free(one[k]);
    free(one);
    free(first);
    ww_buf_release(&want);
    ww_reader_free(whole);
    free(in.p);
}

/* A streamed input (standard input, a .gz) is decoded in windows of whole chunks, each
 * a reader of its own: record numbers and diagnostics, chunk numbers and offsets
 * included, are those of a reader of the whole file. */
static void test_stream_windows_equal_whole(void **state)
{
    (void)state;
    input_t in;
    if (!build_input(&in)) {
        skip();
        return;
    }
    ww_reader_t *whole = NULL;
    ww_diag_t d;
    assert_int_equal(ww_reader_open_mem("many.evtx", in.p, in.n, WW_FMT_EVTX, &whole, &d), 0);
    ww_buf_t want;
    ww_buf_init(&want, 0);
    dump(whole, 0, &want);
    ww_reader_free(whole);
    for (size_t win = 1; win <= 4; win++) {
        ww__stream_opts_t o = {.block = 10000, .window = win * CHUNK, .mem = in.p, .mem_len = in.n};
        ww_reader_t *r = NULL;
        assert_int_equal(ww__reader_open_stream("many.evtx", -1, &o, WW_FMT_AUTO, &r, &d), 0);
        assert_true(ww_reader_streamed(r));
        ww_buf_t got;
        ww_buf_init(&got, 0);
        dump(r, 0, &got);
        char what[64];
        snprintf(what, sizeof what, "windows of %zu chunk(s)", win);
        expect_same(&want, &got, what);
        ww_buf_release(&got);
        ww_reader_free(r);
    }
    ww_buf_release(&want);
    free(in.p);
}

/* Events kept while their reader goes on through other chunks (whose names and
 * template text differ), and after it is freed, still read as they did at once. */
static void test_events_outlive_chunks(void **state)
{
    (void)state;
    input_t in;
    if (!build_input(&in)) {
        skip();
        return;
    }
    ww_reader_t *whole = NULL;
    ww_diag_t d;
    assert_int_equal(ww_reader_open_mem("many.evtx", in.p, in.n, WW_FMT_EVTX, &whole, &d), 0);
    ww_buf_t want;
    ww_buf_init(&want, 0);
    dump(whole, 0, &want);
    ww_reader_free(whole);

    for (int ranged = 0; ranged < 2; ranged++) {
        assert_int_equal(ww_reader_open_mem("many.evtx", in.p, in.n, WW_FMT_EVTX, &whole, &d), 0);
        size_t cap = 4096, nev = 0;
        ww_event_t *kept = calloc(cap, sizeof *kept);
        char(*lines)[48] = calloc(cap, sizeof *lines); /* "E index " or a whole D line */
        char **diags = calloc(cap, sizeof *diags);
        assert_non_null(kept);
        assert_non_null(lines);
        assert_non_null(diags);
        uint64_t pos = 0, base = 0;
        while (pos < in.n) {
            ww_reader_t *r = whole;
            uint64_t end = in.n;
            if (ranged) {
                end = ww_reader_cut(whole, pos, 1);
                assert_int_equal(ww_reader_open_range(whole, pos, end, &r, &d), 0);
            }
            int rc;
            uint64_t n = 0;
            for (;;) {
                assert_true(nev < cap);
                ww_event_init(&kept[nev]);
                if ((rc = ww_reader_next(r, &kept[nev], &d)) == 0)
                    break;
                if (rc > 0) {
                    snprintf(lines[nev], sizeof lines[0], "E %llu ",
                             (unsigned long long)(base + n));
                } else {
                    char tmp[600];
                    snprintf(tmp, sizeof tmp, "D %llu %d %s: %s\n", (unsigned long long)(base + n),
                             rc, d.file, d.msg);
                    diags[nev] = strdup(tmp);
                }
                n++;
                nev++;
            }
            ww_event_release(&kept[nev]);
            base += n;
            if (ranged)
                ww_reader_free(r); /* its chunk caches go with it */
            pos = end;
        }
        ww_reader_free(whole);
        /* Only now look at the events. */
        ww_buf_t got;
        ww_buf_init(&got, 0);
        for (size_t i = 0; i < nev; i++) {
            if (diags[i]) {
                assert_int_equal(ww_buf_append(&got, diags[i], strlen(diags[i])), 0);
                free(diags[i]);
                ww_event_release(&kept[i]); /* what the bad record left in it */
                continue;
            }
            assert_int_equal(ww_buf_append(&got, lines[i], strlen(lines[i])), 0);
            assert_int_equal(ww_event_to_json(&kept[i], &got), 0);
            char ts[32];
            int k = snprintf(ts, sizeof ts, " %lld\n", (long long)kept[i].ts);
            assert_int_equal(ww_buf_append(&got, ts, (size_t)k), 0);
            ww_event_release(&kept[i]);
        }
        expect_same(&want, &got, ranged ? "events of freed range readers" : "events kept");
        ww_buf_release(&got);
        free(kept);
        free(lines);
        free(diags);
    }
    ww_buf_release(&want);
    free(in.p);
}

/* Ranges of one parent hand their chunk caches on (ww__spool_t): a closed range's state
 * waits in the parent's pool and the next range takes it, and what that range decodes
 * is what a range with fresh caches decodes (test_events_outlive_chunks checks that
 * events of the earlier range survive it). */
static void test_ranges_pass_caches_on(void **state)
{
    (void)state;
    input_t in;
    if (!build_input(&in)) {
        skip();
        return;
    }
    ww_reader_t *whole = NULL, *fresh = NULL, *r = NULL;
    ww_diag_t d;
    assert_int_equal(ww_reader_open_mem("many.evtx", in.p, in.n, WW_FMT_EVTX, &whole, &d), 0);
    assert_non_null(whole->spool);
    assert_int_equal(whole->spool->n, 0);
    uint64_t pos = 4096, end = ww_reader_cut(whole, pos, 1), end2 = ww_reader_cut(whole, end, 1);
    assert_true(end2 > end);
    assert_int_equal(ww_reader_open_range(whole, pos, end, &r, &d), 0);
    ww_buf_t a, b;
    ww_buf_init(&a, 0);
    ww_buf_init(&b, 0);
    dump(r, 0, &a);
    ww_reader_free(r);
    assert_int_equal(whole->spool->n, 1);
    /* The second chunk through the handed-on caches, and through fresh ones. */
    assert_int_equal(ww_reader_open_range(whole, end, end2, &r, &d), 0);
    assert_int_equal(whole->spool->n, 0);
    ww_buf_release(&a);
    ww_buf_init(&a, 0);
    dump(r, 0, &a);
    ww_reader_free(r);
    assert_int_equal(ww_reader_open_mem("many.evtx", in.p, in.n, WW_FMT_EVTX, &fresh, &d), 0);
    assert_int_equal(ww_reader_open_range(fresh, end, end2, &r, &d), 0);
    dump(r, 0, &b);
    ww_reader_free(r);
    assert_true(a.n > 0);
    expect_same(&b, &a, "a range with handed-on caches");
    ww_buf_release(&a);
    ww_buf_release(&b);
    ww_reader_free(fresh);
    ww_reader_free(whole); /* frees the pooled state too */
    free(in.p);
}

static void test_cuts_and_bad_ranges(void **state)
{
    (void)state;
    input_t in;
    if (!build_input(&in)) {
        skip();
        return;
    }
    ww_reader_t *whole = NULL, *r = NULL;
    ww_diag_t d;
    assert_int_equal(ww_reader_open_mem("many.evtx", in.p, in.n, WW_FMT_EVTX, &whole, &d), 0);
    /* The first range holds the file header and the first chunk. */
    assert_int_equal(ww_reader_cut(whole, 0, 1), FHDR + CHUNK);
    assert_int_equal(ww_reader_cut(whole, FHDR, 1), FHDR + CHUNK);
    assert_int_equal(ww_reader_cut(whole, 0, 3), FHDR + 3 * CHUNK);
    /* From inside a chunk: the end of that chunk. */
    assert_int_equal(ww_reader_cut(whole, FHDR + CHUNK + 7, 1), FHDR + 2 * CHUNK);
    /* Past the last chunk, or from the end: the end (the last chunk is cut short). */
    assert_int_equal(ww_reader_cut(whole, 0, 100000), in.n);
    assert_int_equal(ww_reader_cut(whole, in.n, 1), in.n);
    assert_true(in.n % CHUNK != FHDR % CHUNK);
    assert_int_equal(ww_reader_cut(whole, in.n - 10, 1), in.n);

    /* Ranges must start and end at chunk boundaries (or the input's ends). */
    assert_int_equal(ww_reader_open_range(whole, 1, FHDR + CHUNK, &r, &d), WW_EINVAL);
    assert_int_equal(ww_reader_open_range(whole, FHDR, FHDR + CHUNK + 1, &r, &d), WW_EINVAL);
    assert_int_equal(ww_reader_open_range(whole, FHDR + CHUNK, FHDR, &r, &d), WW_EINVAL);
    assert_int_equal(ww_reader_open_range(whole, 0, in.n + 1, &r, &d), WW_EINVAL);
    assert_null(r);
    assert_non_null(strstr(d.msg, "invalid range"));
    /* An empty range at a boundary has nothing. */
    assert_int_equal(ww_reader_open_range(whole, FHDR + CHUNK, FHDR + CHUNK, &r, &d), 0);
    ww_buf_t out;
    ww_buf_init(&out, 0);
    assert_int_equal(dump(r, 0, &out), 0);
    ww_buf_release(&out);
    ww_reader_free(r);
    ww_reader_free(whole);

    /* An input shorter than the file header is one range, which says so. */
    assert_int_equal(ww_reader_open_mem("short.evtx", in.p, 1000, WW_FMT_EVTX, &whole, &d), 0);
    assert_int_equal(ww_reader_cut(whole, 0, 1), 1000);
    assert_int_equal(ww_reader_open_range(whole, 0, 1000, &r, &d), 0);
    ww_buf_init(&out, 0);
    assert_int_equal(dump(r, 0, &out), 1);
    assert_non_null(strstr(out.p, "file header"));
    ww_buf_release(&out);
    ww_reader_free(r);
    ww_reader_free(whole);
    free(in.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ranges_equal_whole),
        cmocka_unit_test(test_stream_windows_equal_whole),
        cmocka_unit_test(test_events_outlive_chunks),
        cmocka_unit_test(test_ranges_pass_caches_on),
        cmocka_unit_test(test_cuts_and_bad_ranges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
