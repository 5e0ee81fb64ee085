/* Suspicious emails that staff upload (.eml, RFC 5322 + MIME): the header fields an
 * analyst reads first (sender, reply-to, the Received chain, the authentication
 * verdicts as the receiving servers stated them), every link with its real target
 * and the text shown for it, and every attachment with its size and hashes.
 *
 * The input is hostile by definition: every count, size and depth has a cap, a
 * malformed message is read as far as it makes sense and each problem is listed with
 * its line, and nothing in the message is ever followed, fetched or executed. */
#ifndef WW_EML_H
#define WW_EML_H

#include <stdbool.h>
#include <stdint.h>

#include "util/ww_util.h"

/* Caps on what one message may make the parser do; a zero field takes the default
 * from ww_eml_limits_default().  What is past a cap is counted and named as a problem. */
typedef struct ww_eml_limits {
    uint32_t max_headers;      /* header fields kept from the message's own header (500) */
    uint32_t max_header_bytes; /* one unfolded header field; longer is cut (32 KiB) */
    uint32_t max_depth;        /* nested multiparts and attached messages (8) */
    uint32_t max_parts;        /* MIME parts in all (200) */
    uint32_t max_links;        /* distinct links (500) */
    uint32_t max_attachments;  /* attachments (100) */
    uint32_t max_received;     /* Received fields kept (50) */
    uint32_t max_problems;     /* problems listed (32) */
    uint32_t max_scan;         /* bytes of one text part searched for links (2 MiB) */
    uint32_t max_excerpt;      /* bytes of body text kept for display (4 KiB) */
} ww_eml_limits_t;

void ww_eml_limits_default(ww_eml_limits_t *l);

typedef struct ww_eml_header {
    const char *name;  /* as written */
    const char *value; /* unfolded, trimmed, not decoded */
    uint32_t line;
} ww_eml_header_t;

/* One Received field (the first is the newest hop, added by our own server). */
typedef struct ww_eml_received {
    const char *text; /* the whole field, unfolded */
    const char *from; /* the host named after "from", "" when none */
    const char *by;   /* the host named after "by", "" when none */
    const char *ip;   /* the first bracketed address ("[203.0.113.9]"), "" when none */
    uint32_t line;
} ww_eml_received_t;

typedef struct ww_eml_part {
    const char *content_type; /* lower-cased "type/subtype" */
    const char *charset;      /* "" when none */
    const char *encoding;     /* lower-cased Content-Transfer-Encoding, "" when none */
    const char *filename;     /* decoded (RFC 2047/2231), "" when none */
    bool attachment;          /* Content-Disposition: attachment */
    uint32_t depth;           /* 0: the message itself */
    uint32_t line;            /* where the part's header starts */
    uint64_t size;            /* decoded bytes (leaves only) */
} ww_eml_part_t;

typedef struct ww_eml_link {
    const char *url;        /* the target as written (HTML entities decoded) */
    const char *host;       /* its host, lower-cased ("" for a relative link) */
    const char *text;       /* the text shown for an HTML link, NULL for a bare URL */
    const char *shown_host; /* the host the text names when it looks like an address */
    bool mismatch;          /* the text names another host than the link goes to */
    bool form;              /* an HTML form's action (where typed details are sent) */
    uint32_t part;          /* index into parts */
    uint32_t count;         /* times this url with this text appears */
} ww_eml_link_t;

typedef struct ww_eml_attachment {
    const char *filename;               /* "" when the part names none */
    const char *content_type;           /* lower-cased */
    uint64_t size;                      /* decoded bytes */
    char sha256[65], sha1[41], md5[33]; /* lower-case hex ("" when unavailable) */
    uint32_t part;
} ww_eml_attachment_t;

typedef struct ww_eml_problem {
    uint32_t line; /* 1-based line in the message, 0 when it concerns the whole */
    const char *msg;
} ww_eml_problem_t;

/* A parsed message.  Every string lives in the message's arena and is NUL-terminated;
 * strings not found are "" (never NULL, except link text as stated). */
typedef struct ww_eml {
    ww_eml_header_t *headers;
    uint32_t nheaders;
    /* Decoded (RFC 2047 encoded words to UTF-8) where people read them. */
    const char *subject, *from, *from_name, *from_addr, *from_domain;
    const char *sender, *to, *cc, *date, *message_id;
    const char *return_path, *reply_to, *reply_to_addr, *reply_to_domain;
    ww_eml_received_t *received;
    uint32_t nreceived;
    /* The verdicts the topmost Authentication-Results states ("pass", "fail", ...),
       "" when it states none; Received-SPF fills spf when that field is absent.  These
       are claims of the servers the message passed through, not checked here. */
    const char *auth_results, *spf, *dkim, *dmarc;
    const char *dkim_domain; /* d= of the first DKIM-Signature */
    ww_eml_part_t *parts;
    uint32_t nparts;
    ww_eml_link_t *links;
    uint32_t nlinks;
    ww_eml_attachment_t *attachments;
    uint32_t nattachments;
    const char *text; /* the start of the body text (UTF-8), for display */
    ww_eml_problem_t *problems;
    uint32_t nproblems;
    uint32_t dropped_headers, dropped_parts, dropped_links, dropped_attachments, dropped_problems,
        dropped_received;
    ww_arena_t arena;
} ww_eml_t;

/* Parses a message of n bytes.  Returns the number of problems found (0: a clean
 * message) with *out (free with ww_eml_free) and, when there were problems, the first
 * one in diag (its line; file left empty); a damaged message gives everything that
 * could be read.  Returns WW_EPARSE with diag and *out untouched when the bytes are
 * not an email at all (no header field), WW_ENOMEM when memory ran out. */
int ww_eml_parse(const void *p, size_t n, const ww_eml_limits_t *lim, ww_eml_t **out,
                 ww_diag_t *diag);
void ww_eml_free(ww_eml_t *m);

/* The first header field called name (case-insensitive), unfolded, or NULL. */
const char *ww_eml_header(const ww_eml_t *m, const char *name);

/* Appends the message's summary as one JSON object: the header fields named above,
 * received[], auth{}, links[], attachments[] with hashes, problems[], counts of what
 * was dropped.  0, or the buffer's error. */
int ww_eml_json(const ww_eml_t *m, ww_buf_t *b);

#endif
