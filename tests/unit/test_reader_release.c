/* Unit tests for ww_reader_release_before: reading a large mapped file releases the
 * pages behind the reader (the file-backed resident set stays small), and bytes
 * before the released point are still readable, with the same content. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "event/ww_event.h"

/* RssFile from /proc/self/status in KiB, or -1 when the kernel does not say. */
static long rss_file_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "RssFile: %ld kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb;
}

static void test_pages_released_and_still_readable(void **state)
{
    (void)state;
    char path[] = "/tmp/ww_test_release_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    /* 64 MiB of syslog lines, numbered so each event can be checked. */
    const uint32_t nlines = 500000;
    for (uint32_t i = 0; i < nlines; i++)
        fprintf(f,
                "Mar  1 10:00:00 host%06u app[1]: line %06u "
                "padding padding padding padding padding padding padding padding\n",
                i, i);
    fclose(f);

    long before = rss_file_kb();
    ww_reader_t *r = NULL;
    ww_diag_t d;
    assert_int_equal(ww_reader_open(path, WW_FMT_AUTO, &r, &d), 0);
    ww_event_t ev;
    ww_event_init(&ev);
    ww_str_t first_raw = {0};
    uint32_t n = 0;
    int rc;
    while ((rc = ww_reader_next(r, &ev, &d)) > 0) {
        if (n == 0)
            first_raw = ev.raw; /* a slice into the mapping, kept past the release */
        n++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(n, nlines);
    long after = rss_file_kb();
    if (before >= 0 && after >= 0) {
        /* Without releasing, the whole 64 MiB file would be resident. */
        assert_true(after - before < 24 * 1024);
    }
    /* The first line's bytes were released but read back from the file. */
    assert_true(first_raw.n > 30);
    assert_memory_equal(first_raw.p, "Mar  1 10:00:00 host000000 app[1]: line 000000", 46);
    ww_event_release(&ev);
    ww_reader_free(r);
    unlink(path);
}

/* A malformed record late in a big JSON file is reported with its line, counted
 * without reading the released pages back in. */
static void test_late_error_line_without_refault(void **state)
{
    (void)state;
    char path[] = "/tmp/ww_test_release_json_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    const uint32_t nlines = 600000; /* about 110 MiB */
    for (uint32_t i = 0; i < nlines; i++) {
        if (i == nlines - 10)
            fputs("{\"EventID\": 4625, \"broken\n", f);
        else
            fprintf(f,
                    "{\"EventID\":4624,\"Computer\":\"ward%06u\",\"padding\":\"padding padding "
                    "padding padding padding padding padding padding padding padding padding "
                    "pad\"}\n",
                    i);
    }
    fclose(f);

    long before = rss_file_kb();
    ww_reader_t *r = NULL;
    ww_diag_t d;
    assert_int_equal(ww_reader_open(path, WW_FMT_AUTO, &r, &d), 0);
    ww_event_t ev;
    ww_event_init(&ev);
    uint32_t errors = 0, line = 0;
    int rc;
    while ((rc = ww_reader_next(r, &ev, &d)) != 0)
        if (rc < 0) {
            errors++;
            line = d.line;
        }
    assert_int_equal(errors, 1);
    assert_int_equal(line, nlines - 9);
    long after = rss_file_kb();
    if (before >= 0 && after >= 0) {
        /* Counting lines from the start would make all 110 MiB resident. */
        assert_true(after - before < 56 * 1024);
    }
    ww_event_release(&ev);
    ww_reader_free(r);
    unlink(path);
}

/* Going back (hunt decodes a file again from its start after a bad range): pages
 * released, then faulted in again, are released again. */
static void test_release_after_going_back(void **state)
{
    (void)state;
    char path[] = "/tmp/ww_test_release_back_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    for (uint32_t i = 0; i < 800000; i++) /* about 75 MiB */
        fprintf(f,
                "Mar  1 10:00:00 host app[1]: line %06u padding padding padding padding "
                "padding padding padding padding\n",
                i);
    fclose(f);
    ww_reader_t *r = NULL;
    ww_diag_t d;
    assert_int_equal(ww_reader_open(path, WW_FMT_AUTO, &r, &d), 0);
    long before = rss_file_kb();
    /* As hunt's ranges do: release behind the ranges, up to the end. */
    ww_reader_release_before(r, ww_reader_size(r));
    ww_event_t ev;
    ww_event_init(&ev);
    uint32_t n = 0;
    while (ww_reader_next(r, &ev, &d) > 0)
        n++;
    assert_int_equal(n, 800000);
    long after = rss_file_kb();
    if (before >= 0 && after >= 0)
        assert_true(after - before < 48 * 1024);
    ww_event_release(&ev);
    ww_reader_free(r);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pages_released_and_still_readable),
        cmocka_unit_test(test_late_error_line_without_refault),
        cmocka_unit_test(test_release_after_going_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
