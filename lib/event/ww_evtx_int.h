/* Private declarations shared by the EVTX decoder's files: the container walk
 * (ww_evtx.c: file header, 64 KiB chunks, event records), the BinXML compiler and
 * flattener (ww_evtx_binxml.c) and the value formatters (ww_evtx_value.c).
 *
 * Design: a chunk's template definitions are compiled once into a flat list of ops
 * (names and literal text already converted to UTF-8) cached by their chunk offset;
 * each record then only parses its substitution values and runs the template's ops,
 * which feed a small streaming flattener that emits the Sigma field names directly. */
#ifndef WW_EVTX_INT_H
#define WW_EVTX_INT_H

#include "event/ww_reader_int.h"

#define EVTX_FILE_HEADER_SIZE 4096u
#define EVTX_CHUNK_SIZE 65536u
#define EVTX_CHUNK_HEADER_SIZE 512u
#define EVTX_RECORD_HEADER_SIZE 24u
#define EVTX_RECORD_MAGIC 0x00002a2au

/* Limits against hostile input. */
#define EVTX_MAX_NESTING 16      /* template instances / nested BinXML values */
#define EVTX_MAX_ELEM_DEPTH 64   /* open XML elements at once */
#define EVTX_MAX_WORK (1u << 22) /* ops executed for one record ("billion laughs") */
#define EVTX_MAX_OPS 65536u      /* ops in one compiled fragment or template */
#define EVTX_MAX_PIECES 65536u   /* pending text pieces in one record */
#define EVTX_NAME_SLOTS 2048u    /* per-chunk name cache (power of two) */
#define EVTX_TMPL_SLOTS 512u     /* per-chunk template cache (power of two) */
#define EVTX_TMPL_MAX                                     \
    384u /* templates per chunk; more are refused (a real \
            chunk holds a few dozen) */
#define EVTX_CHUNK_ARENA_CAP (48u << 20)
/* Chunk memory a range's state keeps when it is passed on to a later range. */
#define EVTX_POOL_ARENA_KEEP (256u << 10)
#define EVTX_OWN_BLOCK 512u /* event arena taken at a time for copied names */

/* BinXML value types. */
enum {
    EVTX_T_NULL = 0x00,
    EVTX_T_STRING = 0x01,
    EVTX_T_ANSI = 0x02,
    EVTX_T_INT8 = 0x03,
    EVTX_T_UINT8 = 0x04,
    EVTX_T_INT16 = 0x05,
    EVTX_T_UINT16 = 0x06,
    EVTX_T_INT32 = 0x07,
    EVTX_T_UINT32 = 0x08,
    EVTX_T_INT64 = 0x09,
    EVTX_T_UINT64 = 0x0a,
    EVTX_T_REAL32 = 0x0b,
    EVTX_T_REAL64 = 0x0c,
    EVTX_T_BOOL = 0x0d,
    EVTX_T_BINARY = 0x0e,
    EVTX_T_GUID = 0x0f,
    EVTX_T_SIZET = 0x10,
    EVTX_T_FILETIME = 0x11,
    EVTX_T_SYSTIME = 0x12,
    EVTX_T_SID = 0x13,
    EVTX_T_HEX32 = 0x14,
    EVTX_T_HEX64 = 0x15,
    EVTX_T_EVTHANDLE = 0x20,
    EVTX_T_BINXML = 0x21,
    EVTX_T_EVTXML = 0x23,
    EVTX_T_ARRAY = 0x80,
};

/* Compiled BinXML. */
enum {
    EVTX_OP_OPEN = 1,    /* s = element name */
    EVTX_OP_ATTR,        /* s = attribute name; its value ops follow */
    EVTX_OP_CLOSE_START, /* end of the attribute list, content follows */
    EVTX_OP_CLOSE_EMPTY, /* end of the attribute list and of the element */
    EVTX_OP_END,         /* end of the element */
    EVTX_OP_TEXT,        /* s = literal text (UTF-8) */
    EVTX_OP_SUBST,       /* id = substitution index, opt = optional substitution */
    EVTX_OP_INSTANCE,    /* ptr = evtx_inst_t: a template instance with its values */
};

typedef struct evtx_op {
    uint8_t kind;
    uint8_t opt;
    uint16_t id;
    ww_str_t s;
    const void *ptr;
} evtx_op_t;

/* One substitution value of a template instance: bytes inside the chunk. */
typedef struct evtx_val {
    const uint8_t *p;
    uint32_t size;
    uint8_t type;
} evtx_val_t;

/* A compiled template (chunk-lifetime) or record fragment (event-lifetime). */
typedef struct evtx_frag {
    const evtx_op_t *ops;
    uint32_t nops;
} evtx_frag_t;

typedef struct evtx_inst {
    const evtx_frag_t *tmpl;
    const evtx_val_t *vals;
    uint32_t nvals;
} evtx_inst_t;

/* A piece of element or attribute text waiting for its element to end. */
typedef struct evtx_piece {
    ww_str_t s;
    uint64_t raw; /* FILETIME value when vt is EVTX_T_FILETIME */
    uint8_t type; /* enum ww_ftype */
    uint8_t vt;   /* BinXML value type it came from (0 for literal text) */
    uint8_t sep;  /* starts a new value (array elements are separate values) */
} evtx_piece_t;

typedef struct evtx_frame {
    ww_str_t name;
    ww_str_t data_name; /* <Data Name="...">, spaces removed; empty if none */
    uint32_t piece_start;
    uint16_t nchildren;
    uint16_t nattrs; /* attributes that produced a field */
    uint8_t section; /* enum evtx_section */
} evtx_frame_t;

enum evtx_section { EVTX_SEC_NONE = 0, EVTX_SEC_SYSTEM, EVTX_SEC_EVENTDATA, EVTX_SEC_USERDATA };

typedef struct evtx_name_slot {
    uint32_t gen, off;
    ww_str_t s;
} evtx_name_slot_t;

typedef struct evtx_tmpl_slot {
    uint32_t gen, off;
    evtx_frag_t frag;
    int err;         /* non-zero: the definition is broken; refused without reparsing */
    const char *why; /* and the reason, for every record that uses it */
} evtx_tmpl_slot_t;

typedef struct evtx_opvec {
    evtx_op_t *v;
    uint32_t n, cap;
} evtx_opvec_t;

typedef struct evtx_state {
    /* container walk */
    uint32_t chunk_no; /* chunk being read (0-based) */
    bool in_chunk;
    bool finished;
    const uint8_t *chunk; /* start of the current chunk */
    uint32_t chunk_avail; /* bytes of it present in the file (<= 64 KiB) */
    uint32_t rec_off;     /* next record, relative to the chunk */
    uint32_t rec_end;     /* records end here */
    bool rec_end_trusted; /* rec_end came from a chunk header with a good CRC */
    uint32_t chunks_seen; /* chunks with a valid magic */
    uint64_t shown_off;   /* added to offsets in diagnostics (a window of a stream) */

    /* per-chunk caches, invalidated by bumping gen */
    uint32_t gen;
    ww_arena_t carena;
    evtx_name_slot_t *names;
    evtx_tmpl_slot_t *tmpls;
    uint32_t ntmpls;
    evtx_opvec_t tmp[2]; /* compile scratch: [0] records and values, [1] templates */

    /* per-record flattening */
    const char *err;  /* reason for the last BinXML failure (static string) */
    uint32_t err_off; /* chunk offset where it happened */
    uint32_t work;
    evtx_frame_t stack[EVTX_MAX_ELEM_DEPTH];
    uint32_t depth;
    bool in_attr;
    ww_str_t attr_name;
    uint32_t attr_start;
    evtx_piece_t *pieces;
    uint32_t npieces, pieces_cap;
    uint64_t ts_filetime; /* TimeCreated/@SystemTime, 0 if none */
    /* Room in the event's arena for names and template text copied into it. */
    char *own_p;
    uint32_t own_left;
} evtx_state_t;

/* ww_evtx_binxml.c: decodes the BinXML of one record at chunk offsets [start,end)
 * into ev.  Returns 0 or a WW_E* code with st->err / st->err_off set. */
int ww__evtx_record(evtx_state_t *st, ww_event_t *ev, uint32_t start, uint32_t end);
void ww__evtx_chunk_reset(evtx_state_t *st);

/* ww_evtx_value.c: formatting of values into ev->arena.  All return 0 or WW_ENOMEM;
 * the result is in *out. */
int ww__evtx_utf16(ww_arena_t *a, const uint8_t *p, size_t nchars, ww_str_t *out);
int ww__evtx_ansi(ww_arena_t *a, const uint8_t *p, size_t n, ww_str_t *out);
/* Formats one fixed-size scalar of type t (not string, binxml or array) from
 * p[0..size).  *ftype receives the ww_ftype.  Returns 0, WW_ENOMEM, or WW_EPARSE
 * when size does not fit the type. */
int ww__evtx_scalar(ww_arena_t *a, uint8_t t, const uint8_t *p, size_t size, ww_str_t *out,
                    uint8_t *ftype);
/* Length of the SID at p[0..n), or 0 if it does not fit. */
size_t ww__evtx_sid_len(const uint8_t *p, size_t n);
/* The fixed element size of a scalar type, or 0 for variable-size types. */
size_t ww__evtx_type_size(uint8_t t);
void ww__evtx_filetime_str(uint64_t ft, char out[64]);

static inline uint16_t evtx_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
static inline uint32_t evtx_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t evtx_u64(const uint8_t *p)
{
    return (uint64_t)evtx_u32(p) | (uint64_t)evtx_u32(p + 4) << 32;
}

#endif
