/* Parity between the native EVTX decoder and the JSON decoder: every regression case
 * under $WW_SHARED/sigma/regression ships an .evtx and evtx_dump's .json of the same
 * events; both are opened through the public reader (format auto-detected) and must
 * give the same number of events and, event by event, the same multiset of
 * (name, value, type) fields.  Order is ignored (the JSON decoder emits System,
 * EventData, UserData in key order, the EVTX decoder in document order).
 *
 * No exceptions are needed: both sides drop the xmlns attributes of Event and of the
 * UserData root, and both trim trailing whitespace from strings the way evtx_dump
 * does.  Skipped (77) when the shared material is missing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "event/ww_event.h"

#define MAX_EVENTS 64

typedef struct fset {
    char **items;
    size_t n;
} fset_t;

typedef struct walk {
    int files, events, failures;
} walk_t;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void fset_free(fset_t *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->items[i]);
    free(s->items);
    s->items = NULL;
    s->n = 0;
}

/* The event as sorted "name \x1f value \x1f type" strings. */
static void fset_from_event(fset_t *s, const ww_event_t *ev)
{
    s->items = calloc(ev->nfields ? ev->nfields : 1, sizeof *s->items);
    assert_non_null(s->items);
    s->n = ev->nfields;
    for (uint32_t i = 0; i < ev->nfields; i++) {
        const ww_field_t *f = &ev->fields[i];
        size_t len = f->name.n + f->value.n + 8;
        s->items[i] = malloc(len);
        assert_non_null(s->items[i]);
        snprintf(s->items[i], len, "%.*s\x1f%.*s\x1f%d", (int)f->name.n, f->name.p, (int)f->value.n,
                 f->value.p, f->type);
    }
    qsort(s->items, s->n, sizeof *s->items, cmp_str);
}

/* Reads every event of a file; returns the count (<= MAX_EVENTS) or -1. */
static int read_all(const char *path, fset_t sets[MAX_EVENTS], int want_fmt)
{
    ww_reader_t *r = NULL;
    ww_diag_t d = {0};
    int rc = ww_reader_open(path, WW_FMT_AUTO, &r, &d);
    if (rc != 0) {
        print_error("%s: cannot open: %s\n", path, d.msg);
        return -1;
    }
    if (ww_reader_format(r) != want_fmt) {
        print_error("%s: detected as %s\n", path, ww_format_name(ww_reader_format(r)));
        ww_reader_free(r);
        return -1;
    }
    ww_event_t ev;
    ww_event_init(&ev);
    int n = 0;
    while ((rc = ww_reader_next(r, &ev, &d)) != 0) {
        if (rc < 0) {
            print_error("%s: record %llu: %s\n", path, (unsigned long long)ww_reader_index(r),
                        d.msg);
            n = -1;
            break;
        }
        if (n == MAX_EVENTS) {
            print_error("%s: more than %d events\n", path, MAX_EVENTS);
            n = -1;
            break;
        }
        fset_from_event(&sets[n++], &ev);
    }
    ww_event_release(&ev);
    ww_reader_free(r);
    return n;
}

static int check_pair(walk_t *w, const char *evtx, const char *json)
{
    fset_t a[MAX_EVENTS] = {{0}}, b[MAX_EVENTS] = {{0}};
    int na = read_all(evtx, a, WW_FMT_EVTX), nb = read_all(json, b, WW_FMT_JSON);
    bool ok = na >= 0 && nb >= 0;
    if (ok && na != nb) {
        print_error("%s: %d events from EVTX, %d from JSON\n", evtx, na, nb);
        ok = false;
    }
    for (int e = 0; ok && e < na; e++) {
        size_t i = 0, j = 0;
        while (i < a[e].n || j < b[e].n) {
            int c = i == a[e].n ? 1 : j == b[e].n ? -1 : strcmp(a[e].items[i], b[e].items[j]);
            if (c == 0) {
                i++, j++;
                continue;
            }
            const char *only = c < 0 ? a[e].items[i] : b[e].items[j];
            print_error("%s: event %d: field only in the %s: %s\n", evtx, e,
                        c < 0 ? "EVTX" : "JSON", only);
            ok = false;
            if (c < 0)
                i++;
            else
                j++;
        }
    }
    for (int e = 0; e < MAX_EVENTS; e++) {
        fset_free(&a[e]);
        fset_free(&b[e]);
    }
    w->files++;
    if (ok)
        w->events += na;
    else
        w->failures++;
    return 0;
}

static int on_file(void *ud, const char *path)
{
    size_t n = strlen(path);
    if (n < 5 || strcmp(path + n - 5, ".evtx") != 0)
        return 0;
    char *json = malloc(n + 1);
    assert_non_null(json);
    memcpy(json, path, n - 5);
    memcpy(json + n - 5, ".json", 6);
    struct stat st;
    int rc = 0;
    if (stat(json, &st) == 0)
        rc = check_pair(ud, path, json);
    free(json);
    return rc;
}

static void test_regression_parity(void **state)
{
    const char *dir = *state;
    walk_t w = {0};
    assert_int_equal(ww_path_walk(dir, on_file, &w), 0);
    print_message("parity: %d files, %d events, %d failures\n", w.files, w.events, w.failures);
    /* The regression set has 100 EVTX samples; finding none means a broken walk. */
    assert_true(w.files >= 100);
    assert_int_equal(w.failures, 0);
}

int main(void)
{
    static char dir[4096];
    const char *shared = getenv("WW_SHARED");
    struct stat st;
    if (!shared || !*shared)
        return 77;
    snprintf(dir, sizeof dir, "%s/sigma/regression", shared);
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return 77;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_prestate(test_regression_parity, dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
