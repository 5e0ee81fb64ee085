/* libFuzzer target for the XML scanner and nmap importer: imports the input into an
 * in-memory register (emptied before each input) and reads the register back, so
 * every stored field is touched.  Bad input must only ever be rejected. */
#include <stdlib.h>

#include "asset/ww_asset_int.h"

static ww_store_t *st;

static void ignore(void *ud, const ww_diag_t *d)
{
    (void)ud;
    (void)d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ww_diag_t d;
    if (!st) {
        if (ww_store_open(":memory:", &st, &d) != 0 || ww_asset_migrate(st, &d) != 0)
            abort();
    }
    ww_store_exec(st, "DELETE FROM asset; DELETE FROM asset_observed;", &d);
    ww_import_opts_t o = {.format = WW_IMPORT_NMAP, .on_error = ignore, .now = 1772323200};
    ww_import_stats_t s = {0};
    (void)ww_asset_import_mem(st, "fuzz", (const char *)data, size, &o, &s, &d);
    ww_asset_set_t set;
    if (ww_asset_load(st, &set, &d) == 0 && set.n > s.imported)
        abort(); /* more assets than were imported */
    ww_asset_set_release(&set);
    return 0;
}
