/* Downloading a rule release over HTTPS with libcurl, into memory and capped, for
 * `wardwatch rules update --fetch`. */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "rulestore/ww_rulestore.h"

typedef struct sink {
    char *p;
    size_t n, cap;
    int too_big, nomem;
} sink_t;

static size_t on_data(char *data, size_t size, size_t nmemb, void *ud)
{
    sink_t *s = ud;
    size_t n = size * nmemb;
    if (s->n + n > WW_RULESTORE_MAX_ARCHIVE) {
        s->too_big = 1;
        return 0; /* makes curl stop with CURLE_WRITE_ERROR */
    }
    if (s->n + n > s->cap) {
        size_t ncap = s->cap ? s->cap : 1 << 20;
        while (ncap < s->n + n)
            ncap *= 2;
        char *np = realloc(s->p, ncap);
        if (!np) {
            s->nomem = 1;
            return 0;
        }
        s->p = np;
        s->cap = ncap;
    }
    memcpy(s->p + s->n, data, n);
    s->n += n;
    return n;
}

int ww_rulestore_fetch(const char *url, const char *cacert, char **out, size_t *outlen,
                       char *final_url, size_t final_len, ww_diag_t *diag)
{
    sink_t s = {0};
    char err[CURL_ERROR_SIZE] = "";
    int rc = 0;
    if (strncmp(url, "https://", 8) != 0) {
        ww_diag_set(diag, url, 0, 0, "only https:// URLs are fetched");
        return WW_EINVAL;
    }
    /* Idempotent after the first call; the program is single-threaded here. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        ww_diag_set(diag, url, 0, 0, "cannot start libcurl");
        return WW_EIO;
    }
    CURL *c = curl_easy_init();
    if (!c) {
        curl_global_cleanup();
        return WW_ENOMEM;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    /* GitHub answers a release download with a redirect to its storage. */
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, (long)WW_RULESTORE_MAX_REDIRECTS);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)WW_RULESTORE_FETCH_TIMEOUT);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)WW_RULESTORE_MAX_ARCHIVE);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "wardwatch/" WW_VERSION);
    if (cacert)
        curl_easy_setopt(c, CURLOPT_CAINFO, cacert);
    CURLcode cr = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (s.too_big || cr == CURLE_FILESIZE_EXCEEDED) {
        ww_diag_set(diag, url, 0, 0, "larger than %zu MiB: refused",
                    WW_RULESTORE_MAX_ARCHIVE >> 20);
        rc = WW_ELIMIT;
    } else if (s.nomem) {
        rc = WW_ENOMEM;
    } else if (cr != CURLE_OK) {
        ww_diag_set(diag, url, 0, 0, "download failed: %s", err[0] ? err : curl_easy_strerror(cr));
        rc = WW_EIO;
    } else if (status != 200) {
        ww_diag_set(diag, url, 0, 0, "download failed: the server answered HTTP %ld", status);
        rc = WW_EIO;
    }
    if (rc == 0) {
        char *eff = NULL;
        curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &eff);
        snprintf(final_url, final_len, "%s", eff ? eff : url);
        *out = s.p;
        *outlen = s.n;
        s.p = NULL;
    }
    free(s.p);
    curl_easy_cleanup(c);
    curl_global_cleanup();
    return rc;
}
