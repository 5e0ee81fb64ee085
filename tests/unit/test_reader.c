/* Unit tests for the reader: format detection by content, files (mapped), empty
 * files, BOM, standard input through a pipe, errors, and the directory walk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "event/ww_event.h"

static char tmpdir[256];

static int setup(void **state)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ww_test_reader.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *rel, const char *content, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(content, 1, n, f), n);
    fclose(f);
}

static void path_of(char *out, size_t n, const char *rel)
{
    snprintf(out, n, "%s/%s", tmpdir, rel);
}

static int count_events(ww_reader_t *r, int *bad)
{
    ww_event_t ev;
    ww_diag_t d;
    int n = 0, rc;
    ww_event_init(&ev);
    *bad = 0;
    while ((rc = ww_reader_next(r, &ev, &d)) != 0) {
        if (rc > 0)
            n++;
        else
            (*bad)++;
    }
    ww_event_release(&ev);
    return n;
}

static void test_detect_mem(void **state)
{
    ww_reader_t *r;
    ww_diag_t d;
    struct {
        const char *text;
        int fmt;
    } cases[] = {
        {"{\"a\":1}", WW_FMT_JSON},
        {"\n\t  [ {\"a\":1} ]", WW_FMT_JSON},
        {"\xEF\xBB\xBF{\"a\":1}", WW_FMT_JSON},
        {"<13>Mar  3 07:01:02 h p: m", WW_FMT_SYSLOG},
        {"just text", WW_FMT_SYSLOG},
        {"", WW_FMT_SYSLOG},
        {"[]", WW_FMT_JSON},
        {"[\n  {\"a\":1}\n]", WW_FMT_JSON},
        /* dmesg and dmesg -T start with a bracket but are text lines. */
        {"[    0.000000] Linux version 6.1.0", WW_FMT_SYSLOG},
        {"[Thu Dec  3 10:00:00 2026] usb 1-1: new device", WW_FMT_SYSLOG},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(
            ww_reader_open_mem("m", cases[i].text, strlen(cases[i].text), WW_FMT_AUTO, &r, &d), 0);
        assert_int_equal(ww_reader_format(r), cases[i].fmt);
        ww_reader_free(r);
    }
    /* EVTX magic goes to the EVTX decoder, which may reject this fake file; it must
       not be taken for JSON or syslog. */
    static const char fake[64] = "ElfFile";
    int rc = ww_reader_open_mem("f.evtx", fake, sizeof fake, WW_FMT_AUTO, &r, &d);
    if (rc == 0) {
        assert_int_equal(ww_reader_format(r), WW_FMT_EVTX);
        ww_reader_free(r);
    } else {
        assert_true(d.msg[0] != 0);
    }
    /* A forced format wins over the content. */
    assert_int_equal(ww_reader_open_mem("m", "{\"a\":1}", 7, WW_FMT_TEXT, &r, &d), 0);
    assert_int_equal(ww_reader_format(r), WW_FMT_TEXT);
    ww_reader_free(r);
    assert_string_equal(ww_format_name(WW_FMT_JSON), "json");
}

static void test_file_mapped(void **state)
{
    const char *text = "\xEF\xBB\xBF{\"EventID\":4624,\"Channel\":\"Security\"}\n{\"x\":2}\n";
    write_file("a.json", text, strlen(text));
    char path[512];
    path_of(path, sizeof path, "a.json");
    ww_reader_t *r;
    ww_diag_t d;
    assert_int_equal(ww_reader_open(path, WW_FMT_AUTO, &r, &d), 0);
    assert_int_equal(ww_reader_format(r), WW_FMT_JSON);
    assert_int_equal(ww_reader_size(r), strlen(text));
    int bad;
    assert_int_equal(count_events(r, &bad), 2);
    assert_int_equal(bad, 0);
    assert_int_equal(ww_reader_offset(r), strlen(text));
    assert_int_equal(ww_reader_index(r), 1);
    ww_reader_free(r);
}

static void test_empty_file(void **state)
{
    write_file("empty.log", "", 0);
    char path[512];
    path_of(path, sizeof path, "empty.log");
    ww_reader_t *r;
    ww_diag_t d;
    assert_int_equal(ww_reader_open(path, WW_FMT_AUTO, &r, &d), 0);
    assert_int_equal(ww_reader_size(r), 0);
    int bad;
    assert_int_equal(count_events(r, &bad), 0);
    assert_int_equal(bad, 0);
    ww_reader_free(r);
    /* Forced JSON on an empty file is also fine. */
    assert_int_equal(ww_reader_open(path, WW_FMT_JSON, &r, &d), 0);
    assert_int_equal(count_events(r, &bad), 0);
    ww_reader_free(r);
}

static void test_open_errors(void **state)
{
    ww_reader_t *r = NULL;
    ww_diag_t d;
    char path[512];
    path_of(path, sizeof path, "does-not-exist.json");
    assert_int_equal(ww_reader_open(path, WW_FMT_AUTO, &r, &d), WW_ENOENT);
    assert_null(r);
    assert_string_equal(d.file, path);
    assert_non_null(strstr(d.msg, "cannot open"));
    assert_int_equal(ww_reader_open(tmpdir, WW_FMT_AUTO, &r, &d), WW_EINVAL);
    assert_non_null(strstr(d.msg, "directory"));
    ww_reader_free(NULL);
}

static void test_stdin_pipe(void **state)
{
    const char *text = "<38>Mar  3 07:01:02 web01 sshd[1234]: one\n"
                       "Mar  3 07:01:03 web01 sshd[1234]: two\n"
                       "plain three\n";
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        /* Written in pieces so the reader sees several reads. */
        for (size_t off = 0, len = strlen(text); off < len; off += 7) {
            size_t n = len - off < 7 ? len - off : 7;
            if (write(fds[1], text + off, n) != (ssize_t)n)
                _exit(1);
        }
        _exit(0);
    }
    close(fds[1]);
    int saved = dup(0);
    assert_true(saved >= 0);
    assert_int_equal(dup2(fds[0], 0), 0);
    close(fds[0]);

    ww_reader_t *r;
    ww_diag_t d;
    int rc = ww_reader_open("-", WW_FMT_AUTO, &r, &d);
    dup2(saved, 0);
    close(saved);
    int status;
    waitpid(pid, &status, 0);
    assert_int_equal(rc, 0);
    assert_int_equal(ww_reader_format(r), WW_FMT_SYSLOG);
    ww_event_t ev;
    ww_event_init(&ev);
    assert_int_equal(ww_reader_next(r, &ev, &d), 1);
    assert_int_equal(ev.kind, WW_EV_SYSLOG);
    assert_int_equal(ww_reader_next(r, &ev, &d), 1);
    assert_int_equal(ww_reader_next(r, &ev, &d), 1);
    assert_int_equal(ev.kind, WW_EV_TEXT);
    assert_int_equal(ww_reader_next(r, &ev, &d), 0);
    assert_int_equal(ww_reader_offset(r), strlen(text));
    ww_event_release(&ev);
    ww_reader_free(r);
}

typedef struct walk_log {
    char seen[16][512];
    int n;
    int stop_after;
} walk_log_t;

static int on_file(void *ud, const char *file)
{
    walk_log_t *w = ud;
    if (w->n < 16)
        snprintf(w->seen[w->n], sizeof w->seen[0], "%s", file + strlen(tmpdir) + 1);
    w->n++;
    return w->stop_after && w->n >= w->stop_after ? 42 : 0;
}

static void test_path_walk(void **state)
{
    char p[512];
    path_of(p, sizeof p, "tree");
    assert_int_equal(mkdir(p, 0755), 0);
    path_of(p, sizeof p, "tree/sub");
    assert_int_equal(mkdir(p, 0755), 0);
    path_of(p, sizeof p, "tree/.hiddendir");
    assert_int_equal(mkdir(p, 0755), 0);
    write_file("tree/b.log", "x\n", 2);
    write_file("tree/A.json", "{}", 2);
    write_file("tree/a.json", "{}", 2);
    write_file("tree/.hidden.log", "x\n", 2);
    write_file("tree/.hiddendir/x.log", "x\n", 2);
    write_file("tree/sub/c.txt", "x\n", 2);
    /* A symlink back to the top would loop forever. */
    char target[512];
    path_of(target, sizeof target, "tree");
    path_of(p, sizeof p, "tree/sub/loop");
    assert_int_equal(symlink(target, p), 0);

    walk_log_t w = {0};
    path_of(p, sizeof p, "tree");
    assert_int_equal(ww_path_walk(p, on_file, &w), 0);
    assert_int_equal(w.n, 4);
    assert_string_equal(w.seen[0], "tree/A.json");
    assert_string_equal(w.seen[1], "tree/a.json");
    assert_string_equal(w.seen[2], "tree/b.log");
    assert_string_equal(w.seen[3], "tree/sub/c.txt");

    /* The callback's non-zero value stops the walk. */
    walk_log_t w2 = {.stop_after = 2};
    assert_int_equal(ww_path_walk(p, on_file, &w2), 42);
    assert_int_equal(w2.n, 2);

    /* A file is visited once; "-" is passed through; a missing path is an error. */
    walk_log_t w3 = {0};
    path_of(p, sizeof p, "tree/b.log");
    assert_int_equal(ww_path_walk(p, on_file, &w3), 0);
    assert_int_equal(w3.n, 1);
    assert_string_equal(w3.seen[0], "tree/b.log");
    path_of(p, sizeof p, "tree/nope");
    assert_int_equal(ww_path_walk(p, on_file, &w3), WW_ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detect_mem), cmocka_unit_test(test_file_mapped),
        cmocka_unit_test(test_empty_file), cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_stdin_pipe), cmocka_unit_test(test_path_walk),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
