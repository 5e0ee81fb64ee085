/* The event: a flat table of (field, value) slices that every decoder produces and the
 * detection engine reads, plus the reader that turns a file or stdin into events.
 *
 * Field names are the names Sigma rules use, after the field-name profile: for a
 * Windows event `EventID`, `Channel`, `Provider_Name`, `Computer`, the EventData names
 * with spaces removed, and `Data` (repeated) for unnamed data; for generic JSON the
 * dotted path (`a.b.c`).  A name may occur more than once (a list): rules match if any
 * occurrence matches.  Names and values are slices into the input buffer, into the
 * event's arena, or static text.
 *
 * Lifetime: an event's names, values and facts stay valid until the event is reset or
 * released, for as long as the input bytes it was decoded from live (the reader's,
 * or for a range reader its parent's; see ww_reader_next for streamed readers).
 * Decoding further events, on this reader or another, never invalidates them: a
 * decoder that keeps caches of its own (EVTX's per-chunk names and template text)
 * copies what an event uses into the event's arena.  So a caller may hold many
 * events of one input at once (a batch for a worker thread) without copying them. */
#ifndef WW_EVENT_H
#define WW_EVENT_H

#include "util/ww_util.h"

/* The type a value had in its source.  Numbers keep their text in `value`. */
enum ww_ftype {
    WW_F_STR = 0,
    WW_F_INT = 1,   /* `value` is a decimal integer; `num` holds it */
    WW_F_FLOAT = 2, /* `value` is a decimal number; `num` holds it */
    WW_F_BOOL = 3,  /* `value` is "true" or "false" */
    WW_F_NULL = 4,  /* JSON null / empty XML element; `value` is empty */
};

typedef struct ww_field {
    ww_str_t name;
    ww_str_t value;
    double num;   /* valid for WW_F_INT and WW_F_FLOAT */
    uint8_t type; /* enum ww_ftype */
} ww_field_t;

/* What kind of record an event came from. */
enum ww_evkind {
    WW_EV_WINDOWS = 1, /* a Windows event (EVTX, evtx_dump, Winlogbeat, NXLog) */
    WW_EV_JSON = 2,    /* generic JSON */
    WW_EV_SYSLOG = 3,  /* a syslog line (RFC 3164 or 5424) */
    WW_EV_TEXT = 4,    /* a plain text line */
    WW_EV_ZEEK = 5,    /* a Zeek TSV log line (Zeek JSON lines are WW_EV_JSON) */
};

#define WW_EVENT_MAX_FIELDS 4096

typedef struct ww_event {
    ww_field_t *fields;
    uint32_t nfields, cap;
    ww_arena_t arena; /* per-event memory: unescaped strings, the field table */

    uint8_t kind; /* enum ww_evkind */
    ww_str_t raw; /* the record as read (JSON text, syslog line); may be empty
                     for binary records (EVTX) */
    int64_t ts;   /* event time, ns since the epoch, or WW_TIME_NONE */

    /* Facts used to route the event to the rules whose logsource can apply.  Set by
       the decoder/profile; slices like the fields.  Empty when unknown. */
    int32_t event_id;  /* Windows EventID, or -1 */
    ww_str_t channel;  /* Windows Channel */
    ww_str_t provider; /* Windows Provider_Name */
    ww_str_t host;     /* Computer / hostname */
    ww_str_t product;  /* Sigma logsource product ("windows", "linux", ...) */
    ww_str_t service;  /* Sigma logsource service ("sshd", "auth", "syslog", ...) */
    ww_str_t category; /* Sigma logsource category, when the source implies one */
} ww_event_t;

void ww_event_init(ww_event_t *ev);
/* Forgets all fields and facts; keeps memory for the next event. */
void ww_event_reset(ww_event_t *ev);
void ww_event_release(ww_event_t *ev);

/* Appends a field.  `name` and `value` must stay valid until the next reset (point into
 * the input buffer, ev->arena or static text: never into a decoder's own caches).  For
 * WW_F_INT/WW_F_FLOAT the number is parsed from `value`.  Returns 0, WW_ENOMEM, or WW_ELIMIT past
 * WW_EVENT_MAX_FIELDS. */
int ww_event_add(ww_event_t *ev, ww_str_t name, ww_str_t value, int type);
/* Like ww_event_add, but copies name and value into the event's arena first. */
int ww_event_add_copy(ww_event_t *ev, ww_str_t name, ww_str_t value, int type);

/* Returns the first field with this name (ASCII case-insensitive), or NULL.  Pass the
 * previous result as `after` to get the next occurrence of the same name. */
const ww_field_t *ww_event_get(const ww_event_t *ev, ww_str_t name, const ww_field_t *after);

/* Windows event flattening (evtx_dump JSON and the native EVTX decoder must give the
 * same field multiset for the same event):
 *  - Event.System, in document order: a scalar child K -> field K (numbers WW_F_INT /
 *    WW_F_FLOAT with their text, strings WW_F_STR); an empty element (null) -> K as
 *    WW_F_NULL with an empty value; an element with attributes -> K_<Attr> for each
 *    attribute (Provider_Name, Provider_Guid, TimeCreated_SystemTime,
 *    Execution_ProcessID, Security_UserID, Correlation_ActivityID,
 *    EventID_Qualifiers, ...); its text content -> K (EventID from "#text").  Attribute
 *    lists of Event itself (xmlns) are dropped.  Child elements of System children
 *    other than text and attributes are not flattened.
 *  - Event.EventData: each named <Data Name="X"> (evtx_dump: key X) -> field X with
 *    spaces removed; unnamed <Data> (evtx_dump: key "Data", a list when repeated) ->
 *    repeated field "Data"; other child elements K -> K; attributes of EventData are
 *    dropped; a child's attributes become X_<Attr> as in System.
 *  - Event.UserData.<Root>.<Leaf> -> field Leaf (its text; repeated elements repeat),
 *    deeper elements are leaves by their own names; attributes (xmlns) are dropped;
 *    first writer wins: a Leaf whose name (case-insensitive) is already a field of the
 *    event is skipped.
 *  - System is flattened first, then EventData, then UserData; nothing else of Event
 *    (RenderingInfo, ...) becomes a field. */

/* Sets routing facts (product etc.) from the fields once a profile has run: fills
 * event_id/channel/provider/host from `EventID`, `Channel`, `Provider_Name`,
 * `Computer` when they are not set yet.
 *
 * For Security logon/account events (4624 4625 4648 4740 4768 4771 4776 from the
 * Security channel or the Microsoft-Windows-Security-Auditing provider) it also adds
 * the normalised authentication fields of docs/decoders/network-cloud.md: `user`,
 * `src_ip` and `src_port` (only from the address field IpAddress, and only a remote
 * address), `src_host` (the client's workstation name: never an address), `dst_ip`,
 * `dst_port`, `dst_host` (4648: the server the credentials were used on),
 * `outcome`, `logon_type`, `auth_method`, `auth_service` ("windows"), `lockout`
 * (4740) and sets ev->category "authentication".  Every
 * Windows path (EVTX, evtx_dump, Winlogbeat, NXLog) goes through here, so all of them
 * add the same fields. */
void ww_event_finish_windows(ww_event_t *ev);

/* True when an ISO 8601 timestamp names its zone: "Z" or a "+hh:mm"/"-hhmm" offset
 * after the date.  A timestamp without one is local time, not UTC. */
bool ww_event_time_zoned(ww_str_t s);

/* True when s is an IPv4 or IPv6 address literal (no brackets, no port): what a
 * decoder checks before it calls a value `src_ip`.  When `local` is given it is set
 * for loopback (127/8, ::1) and unspecified (0.0.0.0, ::) addresses, IPv4-mapped
 * forms included. */
bool ww_event_ip_literal(ww_str_t s, bool *local);

/* Appends the event's fields as one JSON object (`{"name":value,...}`, a repeated name
 * becomes an array), numbers and booleans unquoted, null as null. */
int ww_event_to_json(const ww_event_t *ev, ww_buf_t *out);

/* ---- readers ------------------------------------------------------------------- */

/* Input formats a reader can detect by content. */
enum ww_format {
    WW_FMT_AUTO = 0,
    WW_FMT_EVTX,   /* Windows EVTX ("ElfFile\0") */
    WW_FMT_JSON,   /* JSON lines, concatenated objects, or an array of objects */
    WW_FMT_SYSLOG, /* RFC 3164 / RFC 5424 lines; lines that are neither become text */
    WW_FMT_TEXT,   /* plain text lines */
    WW_FMT_ZEEK,   /* Zeek TSV logs (first line "#separator ...", then #fields/#types) */
};
const char *ww_format_name(int fmt);

typedef struct ww_reader ww_reader_t;

/* Opens a file (or "-" for standard input) and detects its format from the first
 * bytes unless `fmt` forces one.  Returns 0 and *out, or a WW_E* code with `diag`
 * saying why. */
int ww_reader_open(const char *path, int fmt, ww_reader_t **out, ww_diag_t *diag);
/* Opens an in-memory buffer (borrowed: it must outlive the reader).  `name` labels
 * diagnostics. */
int ww_reader_open_mem(const char *name, const void *buf, size_t len, int fmt, ww_reader_t **out,
                       ww_diag_t *diag);

/* Decodes the next event into `ev` (which it resets first).
 * Returns 1 when an event was produced, 0 at the end of input, or a negative WW_E*
 * code for a record that could not be decoded: `diag` says where and why, and the
 * next call continues with the following record (WW_EIO and WW_ETRUNC on a truncated
 * file end the input: the next call returns 0).  For a streamed reader the event's
 * slices point into the current window, which the next call may free: a caller that
 * keeps events longer reads windows itself (ww_reader_next_window). */
int ww_reader_next(ww_reader_t *r, ww_event_t *ev, ww_diag_t *diag);

/* ---- streamed input ---------------------------------------------------------------
 * Standard input, pipes and compressed files (gzip, zstd: detected by their magic
 * bytes) are not held whole: they are read in blocks into windows cut at record
 * boundaries, so memory stays bounded whatever the input's size. */

/* True for a reader that streams its input in windows. */
bool ww_reader_streamed(const ww_reader_t *r);
/* For a streamed reader: the next window, as a reader of its own (*win, owning its
 * bytes: free it with ww_reader_free once nothing points into it any more), in the
 * stream's format.  A window of a line-based format is splittable into ranges.  Its
 * records are numbered from 0 and its offsets start at 0; its diagnostics carry the
 * lines of the whole stream.  Returns 1 with *win, 0 at the end, or a negative WW_E*
 * with diag: a record over the size cap was skipped (call again), or the input could
 * not be read further (ww_reader_incomplete() is then true and the next call returns
 * 0).  Do not mix with ww_reader_next on the same reader. */
int ww_reader_next_window(ww_reader_t *r, ww_reader_t **win, ww_diag_t *diag);
/* True once the input could not be read to its end (a read error, corrupt or
 * truncated compressed data); the events before the damage were delivered. */
bool ww_reader_incomplete(const ww_reader_t *r);

/* Tells a reader of a mapped file that its bytes before `off` are not needed soon, so
 * their pages can leave the resident set (ww_reader_next does this as it goes; a
 * caller decoding ranges calls it with the end of the ranges it has finished).  Bytes
 * still referenced stay readable: they are read back from the file on access. */
void ww_reader_release_before(ww_reader_t *r, uint64_t off);

/* The 0-based position of the last record returned (events and bad records both
 * count), i.e. `source.index` in alerts. */
uint64_t ww_reader_index(const ww_reader_t *r);
/* The 1-based line of the input (a stream's earlier windows counted) on which byte
 * `off` of the current input lies, and on which the record `ev` was just decoded from
 * starts (its raw text); 0 for EVTX and when unknown.  Counts newlines forward from the
 * last place asked, so asking in input order reads the input once. */
uint64_t ww_reader_line_at(ww_reader_t *r, uint64_t off);
uint64_t ww_reader_line(ww_reader_t *r, const ww_event_t *ev);
int ww_reader_format(const ww_reader_t *r);
/* Bytes consumed so far and the total size (0 when unknown, e.g. a pipe): progress. */
uint64_t ww_reader_offset(const ww_reader_t *r);
uint64_t ww_reader_size(const ww_reader_t *r);
void ww_reader_free(ww_reader_t *r);

/* ---- decoding one input on several threads --------------------------------------
 * A line-based input (syslog/text lines, JSON) can be cut at line ends, and an EVTX
 * file (or a window of a streamed one) at chunk boundaries, into byte ranges that
 * separate readers decode at the same time.  A range reader numbers its records from
 * 0: the caller adds the counts of the ranges before it.  A line range numbers its
 * lines from 1 and its offsets are relative to the range; an EVTX range keeps the
 * whole input's offsets and chunk numbers (its chunks are independent of the ones
 * before, so its diagnostics are exactly those of a reader of the whole input).  A
 * cut inside a record (a pretty-printed JSON object, a top-level array) makes the
 * ranges on both sides report an error; a range decoded without any error gives
 * exactly the events a reader of the whole input gives for those bytes, so a caller
 * that falls back to one reader at the first range with an error gets identical
 * results.  For EVTX that reader may be a range reader from the failed range's start
 * to the end of the input, with its records numbered after those before it. */

/* True for the inputs that can be cut into ranges (syslog, text, JSON, EVTX; for a
 * streamed input, its windows). */
bool ww_reader_splittable(const ww_reader_t *r);
/* The end of a range that starts at `from` and holds `n` units: the offset just past
 * the n-th line end at or after `from` for a line format, the end of the n-th chunk
 * from the one holding `from` for EVTX (a range starting at 0 holds the file header
 * too).  The input's end if there are fewer. */
uint64_t ww_reader_cut(const ww_reader_t *r, uint64_t from, uint32_t n);
/* Opens a reader over bytes [start,end) of `parent`'s input, with its format and
 * name; the bytes are borrowed: parent must outlive it, and so must the events it
 * decodes (their slices point into parent's input).  For EVTX, start and end must be
 * chunk boundaries (values of ww_reader_cut, or 0 and the input's size).  Free it
 * with ww_reader_free().  0, or WW_EINVAL (not splittable, bad range) / WW_ENOMEM. */
int ww_reader_open_range(const ww_reader_t *parent, uint64_t start, uint64_t end, ww_reader_t **out,
                         ww_diag_t *diag);

/* Calls fn for every regular file under `path` (recursively, sorted by name, hidden
 * entries skipped), or once for `path` itself if it is a file or "-".  Stops and
 * returns fn's value if it is non-zero. */
int ww_path_walk(const char *path, int (*fn)(void *ud, const char *file), void *ud);

#endif
