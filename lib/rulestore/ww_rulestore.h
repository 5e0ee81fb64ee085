/* Reading a downloaded rule release: SigmaHQ publishes its rules as zip archives
 * (sigma_all_rules.zip, sigma_core.zip, ...) and GitHub serves every tag as a tar.gz
 * of the repository.  This module reads such an archive from memory with libarchive
 * and hands over the files in it that a rule set needs (Sigma rules and the licence),
 * refusing whatever could escape the folder they are written to (absolute paths,
 * `..`, links, devices) and capping what the archive controls: entries, file sizes,
 * total size, path length and depth. */
#ifndef WW_RULESTORE_H
#define WW_RULESTORE_H

#include <stddef.h>
#include <stdint.h>

#include "util/ww_util.h"

#define WW_RULESTORE_MAX_ARCHIVE ((size_t)256 << 20) /* bytes of the archive itself */
#define WW_RULESTORE_MAX_ENTRIES 200000u             /* entries of any kind */
#define WW_RULESTORE_MAX_FILE ((size_t)4 << 20)      /* bytes of one kept file */
#define WW_RULESTORE_MAX_TOTAL ((uint64_t)1 << 30)   /* bytes of all kept files */
#define WW_RULESTORE_MAX_PATH 1024                   /* bytes of one entry's path */
#define WW_RULESTORE_MAX_DEPTH 32                    /* folders in one entry's path */

/* What reading an archive saw. */
typedef struct ww_rulestore_stats {
    uint32_t entries; /* every entry */
    uint32_t kept;    /* files handed to the callback */
    uint32_t skipped; /* files not needed (not .yml/.yaml, not a licence) */
    uint32_t refused; /* unsafe entries: links, devices, absolute or `..` paths */
    uint64_t bytes;   /* of the kept files */
} ww_rulestore_stats_t;

/* Called for each kept file: `path` is relative, '/'-separated, with no empty, `.` or
 * `..` component; data[0..n) is the whole file (valid during the call).  Return 0 to go
 * on, or a negative WW_E* code to stop (ww_rulestore_read returns it). */
typedef int (*ww_rulestore_file_fn)(void *ud, const char *path, const void *data, size_t n);

/* True for the files a rule set keeps: Sigma rules (.yml, .yaml) and licence texts
 * (a file named LICENSE, LICENSE.md, LICENSE.txt, ...).  `name` is the last path
 * component. */
int ww_rulestore_wanted(const char *name);

/* Reads an archive (zip, tar, tar.gz, tar.xz, ... whatever libarchive recognises)
 * held in buf[0..len), calling fn for each kept file in archive order.  `name` labels
 * diagnostics.  Returns 0 (st filled), or WW_EPARSE for data that is not an archive or
 * is damaged (truncated, a bad checksum), WW_ELIMIT when a cap is reached, WW_ENOMEM,
 * or fn's own code; diag says where and why.  The callback may already have been
 * called for earlier files when it fails: write them somewhere disposable. */
int ww_rulestore_read(const char *name, const void *buf, size_t len, ww_rulestore_file_fn fn,
                      void *ud, ww_rulestore_stats_t *st, ww_diag_t *diag);

/* Reads an archive and writes its kept files under `dir` (which must exist and should
 * be new and empty): folders are created as needed (mode 0755), files with O_EXCL and
 * O_NOFOLLOW (mode 0644), so nothing outside dir is ever written.  Returns as
 * ww_rulestore_read, or WW_EIO when a file cannot be written. */
int ww_rulestore_extract(const char *name, const void *buf, size_t len, const char *dir,
                         ww_rulestore_stats_t *st, ww_diag_t *diag);

/* ---- downloading (ww_rulestore_fetch.c) ---------------------------------------- */

/* Downloads url over HTTPS (ww_https_get: plain http:// is refused, also after a
 * redirect; the system's CA store, or only `cacert` (a PEM file) when given); at most
 * WW_RULESTORE_MAX_ARCHIVE bytes.  On success returns 0 with *out (malloc'd, the
 * caller frees it) and *outlen, and writes the URL finally reached (after redirects)
 * to final_url.  Otherwise returns WW_EIO (no connection, TLS failure, an HTTP status
 * other than 2xx), WW_ELIMIT (too large) or WW_ENOMEM, with diag; *out untouched. */
int ww_rulestore_fetch(const char *url, const char *cacert, char **out, size_t *outlen,
                       char *final_url, size_t final_len, ww_diag_t *diag);

#endif
