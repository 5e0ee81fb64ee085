/* libFuzzer target for the rule-release reader behind `wardwatch rules update`: any
 * bytes as a zip or tar(.gz) archive.  Every file handed over must have a safe path
 * (relative, no empty, `.` or `..` component, no backslash or control character) and
 * respect the size caps; anything else is a bug. */
#include <stdlib.h>
#include <string.h>

#include "rulestore/ww_rulestore.h"

static int on_file(void *ud, const char *path, const void *data, size_t n)
{
    (void)ud;
    (void)data;
    size_t len = strlen(path);
    if (len == 0 || len >= WW_RULESTORE_MAX_PATH || path[0] == '/' || n > WW_RULESTORE_MAX_FILE)
        abort();
    const char *base = strrchr(path, '/');
    if (!ww_rulestore_wanted(base ? base + 1 : path))
        abort();
    for (const char *p = path;; p++) {
        const char *e = strchr(p, '/');
        size_t c = e ? (size_t)(e - p) : strlen(p);
        if (c == 0 || (c == 1 && p[0] == '.') || (c == 2 && p[0] == '.' && p[1] == '.'))
            abort();
        for (size_t i = 0; i < c; i++)
            if ((unsigned char)p[i] < 0x20 || p[i] == '\\' || p[i] == 0x7F)
                abort();
        if (!e)
            break;
        p = e;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ww_rulestore_stats_t st;
    ww_diag_t d;
    memset(&d, 0, sizeof d);
    if (ww_rulestore_read("fuzz.zip", data, size, on_file, NULL, &st, &d) == 0 &&
        st.kept + st.skipped + st.refused > st.entries)
        abort();
    return 0;
}
