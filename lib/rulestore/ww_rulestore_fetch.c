/* Downloading a rule release over HTTPS, into memory and capped, for `wardwatch rules
 * update --fetch` (the download itself is ww_https_get). */
#include <stdlib.h>

#include "rulestore/ww_rulestore.h"
#include "util/ww_https.h"

int ww_rulestore_fetch(const char *url, const char *cacert, char **out, size_t *outlen,
                       char *final_url, size_t final_len, ww_diag_t *diag)
{
    ww_buf_t b;
    ww_buf_init(&b, WW_RULESTORE_MAX_ARCHIVE);
    int rc = ww_https_get(url, cacert, &b, final_url, final_len, diag);
    if (rc == 0) {
        *out = b.p;
        *outlen = b.n;
        return 0;
    }
    ww_buf_release(&b);
    return rc;
}
