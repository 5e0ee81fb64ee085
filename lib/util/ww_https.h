/* One HTTPS download into memory, for everything wardwatch fetches (reference data,
 * rule releases).  libcurl stays behind this header. */
#ifndef WW_HTTPS_H
#define WW_HTTPS_H

#include "util/ww_util.h"

#define WW_HTTPS_MAX_REDIRECTS 5
#define WW_HTTPS_CONNECT_TIMEOUT 30 /* seconds */
#define WW_HTTPS_STALL_TIMEOUT 60   /* seconds without a byte: a slow server is waited for */

/* Downloads url into b (appended; b's cap bounds the size).  Only https:// is
 * fetched, also after a redirect (up to WW_HTTPS_MAX_REDIRECTS), checked against the
 * system's CA store, or only `cacert` (a PEM file) when it is not NULL.  final_url
 * (may be NULL) receives the URL finally reached.  Returns 0, or with diag: WW_EINVAL
 * (not https), WW_ELIMIT (larger than b allows), WW_EIO (no connection, TLS failure,
 * an HTTP status other than 2xx), WW_ENOMEM.  On failure b may hold part of the body. */
int ww_https_get(const char *url, const char *cacert, ww_buf_t *b, char *final_url,
                 size_t final_len, ww_diag_t *diag);

#endif
