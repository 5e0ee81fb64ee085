/* HTTPS downloads with libcurl: https only, redirects bounded, a size cap from the
 * caller's buffer, and an error that says what went wrong (TLS, HTTP status, size). */
#include "util/ww_https.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <strings.h>

typedef struct sink {
    ww_buf_t *b;
    bool failed;
} sink_t;

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    sink_t *s = ud;
    size_t len = size * n;
    if (ww_buf_append(s->b, p, len) != 0) {
        s->failed = true;
        return 0; /* aborts the transfer */
    }
    return len;
}

int ww_https_get(const char *url, const char *cacert, ww_buf_t *b, char *final_url,
                 size_t final_len, ww_diag_t *diag)
{
    if (strncasecmp(url, "https://", 8) != 0) {
        ww_diag_set(diag, url, 0, 0, "only https:// URLs are fetched");
        return WW_EINVAL;
    }
    /* Reference-counted by libcurl: cheap when a caller already holds it. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        ww_diag_set(diag, url, 0, 0, "cannot start libcurl");
        return WW_EIO;
    }
    CURL *c = curl_easy_init();
    if (!c) {
        curl_global_cleanup();
        return WW_ENOMEM;
    }
    char err[CURL_ERROR_SIZE] = "";
    sink_t s = {.b = b};
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
    /* GitHub answers a release download with a redirect to its storage. */
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, (long)WW_HTTPS_MAX_REDIRECTS);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)WW_HTTPS_CONNECT_TIMEOUT);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)WW_HTTPS_STALL_TIMEOUT);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_USERAGENT, "wardwatch/" WW_VERSION);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
    if (b->cap)
        curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)b->cap);
    if (cacert)
        curl_easy_setopt(c, CURLOPT_CAINFO, cacert);
    CURLcode cc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    int rc = 0;
    if ((s.failed && b->err == WW_ELIMIT) || cc == CURLE_FILESIZE_EXCEEDED) {
        ww_diag_set(diag, url, 0, 0, "larger than %zu MiB: refused", b->cap >> 20);
        rc = WW_ELIMIT;
    } else if (s.failed) {
        rc = WW_ENOMEM;
    } else if (cc != CURLE_OK) {
        ww_diag_set(diag, url, 0, 0, "download failed: %s", err[0] ? err : curl_easy_strerror(cc));
        rc = WW_EIO;
    } else if (status < 200 || status > 299) {
        ww_diag_set(diag, url, 0, 0, "download failed: the server answered HTTP %ld", status);
        rc = WW_EIO;
    }
    if (rc == 0 && final_url && final_len) {
        char *eff = NULL;
        curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &eff);
        snprintf(final_url, final_len, "%s", eff ? eff : url);
    }
    curl_easy_cleanup(c);
    curl_global_cleanup();
    return rc;
}
