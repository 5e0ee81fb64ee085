/* libFuzzer target for the `serve` config: any bytes as a config file.  Every
 * rejection must say where (line and column) and why; an accepted config must be
 * describable, and every input in it must have a name and, for network inputs, a
 * socket address of the family it was written in. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "serve/ww_serve_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ww_serve_config_t *c = NULL;
    ww_diag_t d = {0};
    /* A file name in a folder that does not exist: relative paths named by the config
       resolve there and cannot be read, so the target never opens real files. */
    if (ww_serve_config_parse((const char *)data, size, "/nonexistent-ww/serve.yml", &c, &d) !=
        0) {
        if (!d.msg[0] || !d.line || !d.col)
            abort();
        return 0;
    }
    ww_buf_t out;
    ww_buf_init(&out, 0);
    ww_serve_config_describe(c, &out);
    for (uint32_t i = 0; i < c->ninputs; i++) {
        const ww_sc_input_t *in = &c->inputs[i];
        if (!in->name || !in->name[0])
            abort();
        if (in->type != WW_IN_TAIL && in->addr.ss_family != AF_INET &&
            in->addr.ss_family != AF_INET6)
            abort();
        if (in->type == WW_IN_HTTP && !in->ntokens)
            abort(); /* an open ingest endpoint is never accepted */
    }
    ww_buf_release(&out);
    ww_serve_config_free(c);
    return 0;
}
