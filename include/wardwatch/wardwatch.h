/* wardwatch public API: error codes, the logging hook and version.  The library never
 * prints; programs install a log callback.  Module APIs live in lib/<module>/ww_*.h. */
#ifndef WARDWATCH_H
#define WARDWATCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Functions return 0 (or a positive count) on success and one of these on failure. */
enum {
    WW_OK = 0,
    WW_ENOMEM = -1, /* out of memory */
    WW_EINVAL = -2, /* invalid argument or input */
    WW_EIO = -3,    /* read or write failed */
    WW_EPARSE = -4, /* malformed input; details in the diagnostic */
    WW_ETRUNC = -5, /* input ends early */
    WW_ELIMIT = -6, /* a configured cap was reached */
    WW_ENOENT = -7, /* no such file, field or rule */
    WW_EUNSUP = -8, /* valid but not supported */
};

/* Returns a static, human-readable name for a WW_E* code. */
const char *ww_strerror(int err);

/* Log levels, most severe first. */
enum { WW_LOG_ERROR = 0, WW_LOG_WARN = 1, WW_LOG_INFO = 2, WW_LOG_DEBUG = 3 };

typedef void (*ww_log_fn)(void *ud, int level, const char *msg);

/* Installs the log callback (NULL silences the library) and the most verbose level
 * that reaches it.  Not thread-safe: call once at start-up. */
void ww_log_set(ww_log_fn fn, void *ud, int max_level);

const char *ww_version(void);

#ifdef __cplusplus
}
#endif
#endif
