/* libFuzzer target for the CSV reader and CSV importer: imports the input into an
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

static int count_row(void *ud, uint32_t line, const ww__csv_field_t *f, size_t nf)
{
    (void)line;
    for (size_t i = 0; i < nf; i++)
        *(size_t *)ud += f[i].n;
    return 0;
}

static void count_err(void *ud, uint32_t line, uint32_t col, const char *msg)
{
    (void)line;
    (void)col;
    if (!msg)
        abort();
    (*(size_t *)ud)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ww_diag_t d;
    if (!st) {
        if (ww_store_open(":memory:", &st, &d) != 0 || ww_asset_migrate(st, &d) != 0)
            abort();
    }
    ww_store_exec(st, "DELETE FROM asset; DELETE FROM asset_observed;", &d);
    size_t bytes = 0;
    if (ww__csv_parse((const char *)data, size, count_row, count_err, &bytes) >= 0 && bytes > size)
        abort(); /* unquoting never makes text longer */
    ww_import_opts_t o = {.format = WW_IMPORT_CSV, .on_error = ignore, .now = 1772323200};
    ww_import_stats_t s = {0};
    (void)ww_asset_import_mem(st, "fuzz", (const char *)data, size, &o, &s, &d);
    ww_asset_set_t set;
    if (ww_asset_load(st, &set, &d) == 0 && set.n > s.imported)
        abort(); /* more assets than were imported */
    ww_asset_set_release(&set);
    return 0;
}
