/* Small shared building blocks: string slices, arenas, capped buffers, diagnostics,
 * logging, time parsing and JSON string escaping.  Everything else builds on these. */
#ifndef WW_UTIL_H
#define WW_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wardwatch/wardwatch.h"

/* ---- string slices ------------------------------------------------------------- */

/* A borrowed byte range; not NUL-terminated unless stated. */
typedef struct ww_str {
    const char *p;
    size_t n;
} ww_str_t;

#define WW_STR(lit) ((ww_str_t){(lit), sizeof(lit) - 1})
#define WW_STRZ(s) ((ww_str_t){(s), strlen(s)})
#define WW_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static inline bool ww_str_eq(ww_str_t a, ww_str_t b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

static inline unsigned char ww_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* ASCII case-insensitive equality. */
bool ww_str_ieq(ww_str_t a, ww_str_t b);
bool ww_str_ieq_z(ww_str_t a, const char *z);

/* FNV-1a over the ASCII-lowercased bytes; stable across runs. */
uint64_t ww_hash_ci(const char *p, size_t n);

/* ---- arena --------------------------------------------------------------------- */

/* A bump allocator for per-event, per-rule and per-request memory.  Blocks are kept
 * across ww_arena_reset() so a steady state does no malloc at all. */
typedef struct ww_arena_block ww_arena_block_t;
typedef struct ww_arena {
    ww_arena_block_t *head;  /* current block */
    ww_arena_block_t *spare; /* blocks kept by reset */
    size_t block_size;
    size_t cap;  /* total bytes allowed (0 = unlimited) */
    size_t used; /* bytes handed out since the last reset */
    /* The current block's size and fill, and the blocks in use, kept here: an arena
       of one block (most events') is reset without touching the block, whose memory
       is usually cold by then. */
    size_t head_size, head_used;
    uint32_t nlive;
} ww_arena_t;

void ww_arena_init(ww_arena_t *a, size_t block_size, size_t cap);
/* Resets the arena and frees its blocks beyond the first `keep` bytes' worth: for an
 * arena kept for later use, whose one large use should not stay resident. */
void ww_arena_trim(ww_arena_t *a, size_t keep);
/* Returns 8-byte aligned memory owned by the arena, or NULL when out of memory or
 * past the cap. */
void *ww_arena_alloc(ww_arena_t *a, size_t n);
void *ww_arena_calloc(ww_arena_t *a, size_t n);
/* Copies p[0..n) and appends a NUL.  NULL on failure. */
char *ww_arena_strndup(ww_arena_t *a, const char *p, size_t n);
static inline char *ww_arena_strdup(ww_arena_t *a, const char *z)
{
    return ww_arena_strndup(a, z, strlen(z));
}
/* Forgets everything allocated; keeps the memory for reuse. */
void ww_arena_reset(ww_arena_t *a);
/* Frees all memory; the arena can be initialised again. */
void ww_arena_release(ww_arena_t *a);

/* ---- growable buffer ----------------------------------------------------------- */

/* A byte buffer that grows up to `cap` bytes (0 = unlimited) and stays
 * NUL-terminated.  On failure the buffer keeps its old content and `err` is set. */
typedef struct ww_buf {
    char *p;
    size_t n, alloc, cap;
    int err; /* first error seen: WW_ENOMEM or WW_ELIMIT */
} ww_buf_t;

void ww_buf_init(ww_buf_t *b, size_t cap);
void ww_buf_release(ww_buf_t *b);
static inline void ww_buf_clear(ww_buf_t *b)
{
    b->n = 0;
    if (b->p)
        b->p[0] = 0;
}
int ww_buf_append(ww_buf_t *b, const void *p, size_t n);
/* Reads a whole file ("-": standard input) of at most max bytes into *out (malloc'd,
 * NUL-terminated, never NULL on success) and *len.  0, WW_ENOENT, WW_EIO (errno says
 * why), WW_ELIMIT (larger than max) or WW_ENOMEM. */
int ww_read_file(const char *path, size_t max, char **out, size_t *len);

/* Writes an IPv4 or IPv6 socket address's address (no port) as text into out (at
 * least 46 bytes); false, out untouched, for another family or none. */
struct sockaddr;
bool ww_sockaddr_text(const struct sockaddr *sa, char *out, size_t n);
/* Makes room for `extra` more bytes (and the NUL) at p + n, for a caller that writes
 * there itself and then advances n.  0, WW_ENOMEM or WW_ELIMIT. */
int ww_buf_reserve(ww_buf_t *b, size_t extra);
static inline int ww_buf_puts(ww_buf_t *b, const char *z)
{
    return ww_buf_append(b, z, strlen(z));
}
int ww_buf_putc(ww_buf_t *b, char c);
int ww_buf_printf(ww_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends p[0..n) as a JSON string literal, quotes included.  Invalid UTF-8 bytes
 * are written as \u00XX so the output is always valid JSON. */
int ww_buf_json_str(ww_buf_t *b, const char *p, size_t n);

/* ---- diagnostics --------------------------------------------------------------- */

/* Where and why something in outside input was rejected. */
typedef struct ww_diag {
    char file[256]; /* may be empty */
    uint32_t line;  /* 1-based; 0 = unknown */
    uint32_t col;   /* 1-based; 0 = unknown */
    char msg[256];
} ww_diag_t;

void ww_diag_set(ww_diag_t *d, const char *file, uint32_t line, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* ---- logging ------------------------------------------------------------------- */

extern int ww__log_level;
void ww__log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The level is checked before the arguments are evaluated. */
#define WW_LOG(level, ...)                 \
    do {                                   \
        if ((level) <= ww__log_level)      \
            ww__log((level), __VA_ARGS__); \
    } while (0)

/* ---- time ---------------------------------------------------------------------- */

#define WW_TIME_NONE INT64_MIN /* an event with no usable timestamp */

/* Parses an ISO 8601 / RFC 3339 timestamp ("2026-04-08T10:58:04.850672Z",
 * "2026-04-08 10:58:04.846", "+01:00" offsets, missing zone = UTC) into nanoseconds
 * since the Unix epoch.  Returns 0 or WW_EPARSE; *out untouched on failure. */
int ww_time_parse_iso(const char *p, size_t n, int64_t *out);
/* The same, but a timestamp without a zone is local time in the zone set by
 * ww_time_set_zone() (default: the machine's), as NXLog's EventTime and RFC 3164
 * write it. */
int ww_time_parse_iso_local(const char *p, size_t n, int64_t *out);
/* Sets the zone that zone-less local timestamps are read in, for the whole process
 * ("Europe/London", "UTC", a POSIX rule such as "GMT0BST,M3.5.0/1,M10.5.0"); call
 * before decoding starts.  0, or WW_EINVAL for a zone that does not exist. */
int ww_time_set_zone(const char *zone);
/* Converts a wall-clock time in that zone (ns since the epoch, as if it were UTC) to
 * UTC ns.  A wall time that falls in a DST gap or overlap is resolved as mktime does. */
int64_t ww_time_local_to_utc(int64_t local_ns);
/* Days since 1970-01-01 for a proleptic Gregorian date. */
int64_t ww_days_from_civil(int64_t y, unsigned m, unsigned d);
/* Formats ns-since-epoch as "YYYY-MM-DDTHH:MM:SS.mmmmmmZ" into out (>= 32 bytes). */
void ww_time_format(int64_t ns, char *out, size_t outlen);

/* ---- installed layout ------------------------------------------------------------ */

/* Where `make install` put wardwatch's own files: <prefix>/share/wardwatch/<sub>, found
 * from the running binary's path (<prefix>/bin/wardwatch).  Writes the path to out and
 * returns out when that folder exists, else NULL (a binary run from its build tree). */
const char *ww_installed_dir(const char *sub, char *out, size_t outlen);

/* ---- numbers ------------------------------------------------------------------- */

/* Parses a whole decimal integer (optional sign).  0 or WW_EPARSE. */
int ww_parse_i64(const char *p, size_t n, int64_t *out);
/* Parses a decimal number (integer or float, no hex).  0 or WW_EPARSE. */
int ww_parse_double(const char *p, size_t n, double *out);

/* ---- text ------------------------------------------------------------------------ */

/* Writes code point cp (<= 0x10FFFF) as UTF-8 to o (4 bytes of room); returns the
   number of bytes written. */
size_t ww_utf8_put(char *o, uint32_t cp);

#endif
