/* Fire-breaks: the hospital's network map (segments, links, the flows that must keep
 * working), what an infected host can reach (blast radius), and the isolation plan that
 * cuts one segment off except its clinical flows and the management segment, rendered as
 * an nftables table of wardwatch's own, as plain text and as a change request.  Applying
 * plans, rolling them back and recording every step lives in ww_fb_store.c and
 * ww_fb_nft.c; this header is the whole contract.  See docs/firebreaks.md. */
#ifndef WW_FIREBREAK_H
#define WW_FIREBREAK_H

#include <stdbool.h>
#include <stdint.h>

#include "store/ww_store.h"
#include "util/ww_util.h"

/* Caps on what a map may hold: a map is written by people, these are far above any
 * hospital, and they bound memory and the size of the rendered ruleset. */
#define WW_FB_MAX_MAP_BYTES (1u << 20)
#define WW_FB_MAX_SEGMENTS 512
#define WW_FB_MAX_CIDRS 64 /* per segment */
#define WW_FB_MAX_FLOWS 2048
#define WW_FB_MAX_PORTS 64 /* per flow */
#define WW_FB_MAX_LINKS 4096
#define WW_FB_MAX_NAME 64
#define WW_FB_MAX_TEXT 512     /* reason, description */
#define WW_FB_MAX_HOSTS 64     /* hosts one plan may quarantine */
#define WW_FB_MAX_WARNINGS 100 /* warnings kept per map; the rest are counted */

/* The nftables table wardwatch owns; nothing else is ever touched. */
#define WW_FB_TABLE "wardwatch_firebreak"
/* Conntrack marks: each plan owns one bit of the upper half of the connection mark
 * (WW_FB_CT_MARK_MASK), bit 16 + (id - 1) % 16.  A plan's allow rules set its bit on
 * the connections it lets through, and its chain passes replies only of connections
 * that carry its own bit; so replacing a plan with a tighter one cuts the sessions the
 * new one does not allow, and one plan's marks never open another.  Two live plans
 * never share a bit: apply refuses a plan whose bit a live plan holds (plan again for
 * a new number).  The lower 16 bits are left to the site's own rules. */
#define WW_FB_CT_MARK_MASK 0xffff0000u
#define WW_FB_CT_MARK_SHIFT 16
#define WW_FB_CT_MARK_SLOTS 16
/* Plan `id`'s conntrack mark bit. */
uint32_t ww_fb_plan_mark(int64_t id);

enum ww_fb_kind {
    WW_FB_KIND_CLINICAL = 0,
    WW_FB_KIND_MEDICAL_DEVICE,
    WW_FB_KIND_CORPORATE,
    WW_FB_KIND_SERVERS,
    WW_FB_KIND_GUEST,
    WW_FB_KIND_DMZ,
    WW_FB_KIND_MANAGEMENT,
    /* Addresses outside the hospital (NHSmail, Microsoft 365, a supplier's remote
     * support): they can be named in flows, so a fire-break can keep a flow to them,
     * but they are never isolated and never quarantined. */
    WW_FB_KIND_EXTERNAL,
};
const char *ww_fb_kind_name(int kind);

enum ww_fb_proto { WW_FB_TCP = 0, WW_FB_UDP, WW_FB_ICMP, WW_FB_ANY };
const char *ww_fb_proto_name(int proto);

/* Who may open connections when management meets an isolated segment. */
enum ww_fb_mgmt { WW_FB_MGMT_INBOUND = 0 /* management -> isolated only */, WW_FB_MGMT_BOTH };

typedef struct ww_fb_cidr {
    uint8_t family; /* 4 or 6 */
    uint8_t prefix;
    uint8_t addr[16];   /* network address, host bits zero; IPv4 in the first 4 bytes */
    uint32_t line, col; /* where the map wrote it */
} ww_fb_cidr_t;

typedef struct ww_fb_segment {
    char *name;
    char *description; /* may be NULL */
    ww_fb_cidr_t *cidrs;
    uint32_t ncidrs;
    int vlan; /* -1 when not given */
    int kind; /* enum ww_fb_kind */
    bool clinical;
    bool monitor_only;
    uint32_t line;
} ww_fb_segment_t;

typedef struct ww_fb_ports {
    uint16_t lo, hi; /* inclusive */
} ww_fb_ports_t;

typedef struct ww_fb_flow {
    uint32_t from, to; /* segment indexes */
    int proto;         /* enum ww_fb_proto */
    ww_fb_ports_t *ports;
    uint32_t nports; /* 0 = every port (or no ports: icmp, any) */
    bool both_ways;  /* direction: both -- either side may open the connection */
    bool clinical;
    char *reason;
    uint32_t line;
} ww_fb_flow_t;

/* A routed path between two segments today (used only when the map lists links). */
typedef struct ww_fb_link {
    uint32_t a, b;
    bool both_ways;
    uint32_t line;
} ww_fb_link_t;

/* Something the map allows but that is probably a mistake (the map is still
 * accepted).  msg lives in the map's arena. */
typedef struct ww_fb_warning {
    uint32_t line, col;
    const char *msg;
} ww_fb_warning_t;

typedef struct ww_fb_map {
    ww_arena_t arena; /* owns everything below */
    char *name;       /* `hospital:`; may be NULL */
    ww_fb_segment_t *segs;
    uint32_t nsegs;
    ww_fb_flow_t *flows;
    uint32_t nflows;
    ww_fb_link_t *links;
    uint32_t nlinks;
    bool has_links;            /* false: a routed core, every segment reaches every other */
    int mgmt;                  /* enum ww_fb_mgmt */
    ww_fb_warning_t *warnings; /* in map order; at most WW_FB_MAX_WARNINGS */
    uint32_t nwarnings;
    uint32_t warnings_dropped; /* warnings past the cap, counted only */
} ww_fb_map_t;

/* Parses and validates a map (YAML text, `file` labels diagnostics).  Rejects, with the
 * line and the reason in diag: YAML errors, unknown keys, missing or duplicate names,
 * bad or overlapping CIDRs, unknown kinds, flows or links naming unknown segments,
 * ports outside 1..65535, ports on a protocol without ports, a VLAN or monitor_only on
 * an external segment, flows or links between two external segments, and caps.  An
 * accepted map may carry warnings (m->warnings): a flow that no link carries.
 * Returns 0 and *out (free with ww_fb_map_free), or WW_EPARSE/WW_ELIMIT/WW_ENOMEM. */
int ww_fb_map_parse(const char *buf, size_t len, const char *file, ww_fb_map_t **out,
                    ww_diag_t *diag);
void ww_fb_map_free(ww_fb_map_t *m);

/* Parses one address: dotted-quad IPv4 (four decimal octets, no leading zeros:
 * "010.20.0.7" is refused as ambiguous, octal to some tools) or IPv6.  An IPv4-mapped
 * IPv6 address (::ffff:10.20.0.7) is returned as the IPv4 address, *family 4, with
 * *mapped true (mapped may be NULL).  0 and *family (4 or 6) and addr (IPv4 in the
 * first 4 bytes, the rest zero), or WW_EPARSE with a short reason in why. */
int ww_fb_addr_parse(const char *s, int *family, uint8_t addr[16], bool *mapped, char *why,
                     size_t whylen);
/* The address as text (out >= 46 bytes). */
void ww_fb_addr_format(int family, const uint8_t addr[16], char *out, size_t outlen);
/* Parses "a.b.c.d/n" or an IPv6 prefix (a bare address is a host prefix), with the
 * address rules of ww_fb_addr_parse; an IPv4-mapped prefix of /96 or longer is the
 * IPv4 network it maps.  Host bits must be zero.  0 or WW_EPARSE with a short reason
 * in why[0..whylen). */
int ww_fb_cidr_parse(const char *s, ww_fb_cidr_t *out, char *why, size_t whylen);
/* Writes the prefix as text ("10.20.0.0/24"); out >= 64 bytes. */
void ww_fb_cidr_format(const ww_fb_cidr_t *c, char *out, size_t outlen);
bool ww_fb_cidr_overlap(const ww_fb_cidr_t *a, const ww_fb_cidr_t *b);
/* The segment whose CIDRs contain the address (IPv4 or IPv6 text), or -1. */
int ww_fb_map_find_ip(const ww_fb_map_t *m, const char *ip);
/* The segment with this name, or -1. */
int ww_fb_map_find_segment(const ww_fb_map_t *m, const char *name);

/* One host a plan quarantines: its address (canonical text, as records keep it) and
 * the segment that holds it. */
typedef struct ww_fb_host {
    uint8_t family; /* 4 or 6 */
    uint8_t addr[16];
    uint32_t seg;
    char text[48];
} ww_fb_host_t;

/* Reads a comma-separated list of host addresses (the rules of ww_fb_addr_parse; an
 * IPv4-mapped address is the IPv4 host) and finds each one's segment in the map.
 * Refuses, with the address named in why: a bad address, an address in no segment, an
 * address in an external segment, an empty list or entry, more than `cap` hosts.  A
 * host given twice is kept once.  0 with out[0..*n), or WW_EPARSE/WW_ELIMIT. */
int ww_fb_hosts_parse(const ww_fb_map_t *m, const char *list, ww_fb_host_t *out, size_t cap,
                      size_t *n, char *why, size_t whylen);

/* ---- reachability ---------------------------------------------------------------- */

/* Hops from segment `from` to every segment today (hops[from] = 0; -1 = unreachable)
 * and the segment each is reached through (via[i], -1 for the start and direct ones).
 * Without links every other segment is one hop away (a routed core).  `hops` and `via`
 * have m->nsegs entries, owned by the caller. */
void ww_fb_reach(const ww_fb_map_t *m, uint32_t from, int *hops, int *via);

/* One registered asset for the blast radius (from the asset register, when present). */
typedef struct ww_fb_asset {
    const char *name, *ip, *kind; /* borrowed */
    bool clinical;
} ww_fb_asset_t;

/* ---- plans ----------------------------------------------------------------------- */

/* What a plan is about; the strings are borrowed.  A segment plan isolates `seg`; a
 * host plan (nhosts > 0) quarantines only the hosts, each with the clinical flows of
 * its own segment, and `seg` is ignored. */
typedef struct ww_fb_plan_info {
    int64_t id;
    uint32_t seg;            /* the segment to isolate (segment plans) */
    const char *infected_ip; /* may be NULL (planned by segment) */
    const char *reason;      /* may be NULL */
    const char *by;          /* may be NULL */
    const char *created;     /* ISO time text; may be NULL */
    const ww_fb_asset_t *assets;
    size_t nassets;
    const ww_fb_host_t *hosts; /* host plans: the hosts to quarantine; NULL otherwise */
    size_t nhosts;
} ww_fb_plan_info_t;

/* The plan's chain, alone ("chain plan_N { ... }" indented for a table body). */
int ww_fb_render_chain(const ww_fb_map_t *m, const ww_fb_plan_info_t *p, ww_buf_t *out);
/* A complete nft -f file that replaces wardwatch's table with the given chain bodies
 * (each as from ww_fb_render_chain), or deletes the table when n == 0.  The file
 * flushes and redefines only table inet wardwatch_firebreak, atomically. */
int ww_fb_render_table(const char *const *chains, size_t n, ww_buf_t *out);
/* Blast radius and the plain statement of what keeps working and what stops. */
int ww_fb_render_text(const ww_fb_map_t *m, const ww_fb_plan_info_t *p, ww_buf_t *out);
/* A change request in plain terms for firewalls that are not Linux. */
int ww_fb_render_change_request(const ww_fb_map_t *m, const ww_fb_plan_info_t *p, ww_buf_t *out);
/* The plan as one JSON object (blast radius, keeps, stops, the ruleset). */
int ww_fb_render_json(const ww_fb_map_t *m, const ww_fb_plan_info_t *p, ww_buf_t *out);

/* Whether the map lets a flow through (a documented flow, either direction when the
 * flow says both).  `proto` as enum ww_fb_proto, port 0 = unknown. */
bool ww_fb_flow_allowed(const ww_fb_map_t *m, uint32_t from, uint32_t to, int proto, int port);

/* ---- nft ------------------------------------------------------------------------- */

/* Runs `nft` (or $WARDWATCH_NFT) with the arguments, no shell; captures stdout+stderr
 * (capped) into out.  Returns nft's exit status (>= 0), or WW_EIO when it cannot run. */
int ww_fb_nft_run(const char *const *args, ww_buf_t *out);
/* The current text of wardwatch's table into out; returns 1 when the table exists, 0
 * when it does not, WW_EIO when nft cannot be asked. */
int ww_fb_nft_current(ww_buf_t *out);
/* Writes the ruleset to a temporary file and runs `nft -c -f` (check_only) or
 * `nft -f`.  Returns nft's exit status or WW_EIO; nft's messages in msgs. */
int ww_fb_nft_load(const char *ruleset, bool check_only, ww_buf_t *msgs);

/* The router lock: an exclusive flock on $WARDWATCH_LOCK_DIR (default /run/wardwatch)
 * /firebreak-net-<dev>-<inode>.lock, one per network namespace, held by apply, lift
 * and the watchdog's rollback from reading the records to loading the table, so two
 * changes on one router never interleave.  Waits up to 60 s for another holder.
 * 0 and *fd (pass to ww_fb_router_unlock), or WW_EIO with why. */
int ww_fb_router_lock(int *fd, char *why, size_t whylen);
void ww_fb_router_unlock(int fd);

/* A listing without what traffic changes (counter values) and trailing blanks, so
 * two listings of the same rules compare equal. */
int ww_fb_nft_normalise(const char *in, size_t n, ww_buf_t *out);
/* Plan `id`'s chain out of a table listing (ww_fb_nft_current), normalised.  1 when
 * present, 0 when the table has no such chain, WW_EPARSE for a cut listing. */
int ww_fb_nft_chain_of(const char *table, int64_t id, ww_buf_t *out);
/* The plan ids of the chains in a table listing (up to cap) and the number of chains
 * that are not wardwatch plans. */
int ww_fb_nft_chains(const char *table, int64_t *ids, size_t cap, size_t *n, size_t *others);

/* ---- records (the store) --------------------------------------------------------- */

/* Brings the firebreak tables up to date (module "firebreak"). */
int ww_fb_store_migrate(ww_store_t *st, ww_diag_t *diag);

/* The current time as ISO text (out >= 32 bytes). */
void ww_fb_now(char *out, size_t outlen);

/* Stores an accepted map's text; *id is its row.  0 or WW_EIO. */
int ww_fb_map_save(ww_store_t *st, const char *path, const char *yaml, const char *by, int64_t *id);
/* Loads map `id` (0 = the latest import).  *yaml and *path are malloc'd, the caller
 * frees them.  0, WW_ENOENT when there is none, WW_EIO, WW_ENOMEM. */
int ww_fb_map_load(ww_store_t *st, int64_t id, int64_t *id_out, char **yaml, char **path);

/* A plan as stored.  Strings are malloc'd (ww_fb_plan_row_release frees them).
 * state: planned | pending (applied, waiting for confirm) | active (confirmed) |
 * rolled-back | lifted. */
typedef struct ww_fb_plan_row {
    int64_t id, map_id, deadline, watchdog_pid;
    char *created, *by, *reason, *segment, *infected_ip;
    char *chain;   /* this plan's chain (a table body fragment) */
    char *ruleset; /* the nft file for this plan alone, as reviewed */
    char *state, *applied_at;
    char *prev_ruleset; /* wardwatch's table before the apply ("" = absent) */
    char *live_chain;   /* the kernel's listing of the chain after the load (normalised);
                           NULL when never loaded or applied by an older wardwatch */
    char *hosts;        /* host plans: the quarantined addresses, comma-separated (`segment`
                           then names their segments, comma-separated); NULL for segment plans */
} ww_fb_plan_row_t;

/* Inserts created/by/reason/map_id/segment/infected_ip/hosts (borrowed) and sets
 * p->id. */
int ww_fb_plan_insert(ww_store_t *st, ww_fb_plan_row_t *p);
int ww_fb_plan_set_rules(ww_store_t *st, int64_t id, const char *chain, const char *ruleset);
/* 0 and *out, WW_ENOENT, WW_EIO. */
int ww_fb_plan_get(ww_store_t *st, int64_t id, ww_fb_plan_row_t *out);
/* All plans, or only pending/active ones, by id; free with ww_fb_plan_rows_free. */
int ww_fb_plan_list(ww_store_t *st, bool live_only, ww_fb_plan_row_t **out, size_t *n);
void ww_fb_plan_row_release(ww_fb_plan_row_t *p);
void ww_fb_plan_rows_free(ww_fb_plan_row_t *rows, size_t n);
/* Sets the state; applied_at / prev_ruleset are kept when NULL. */
int ww_fb_plan_set_state(ww_store_t *st, int64_t id, const char *state, const char *applied_at,
                         int64_t deadline, const char *prev_ruleset, int64_t pid);

/* Moves a plan from state `from` to `to` only if it is still in `from` (so a confirm
 * and the watchdog's rollback cannot both win).  1 when moved, 0 when not, WW_EIO. */
int ww_fb_plan_transition(ww_store_t *st, int64_t id, const char *from, const char *to);

/* The apply, recorded before anything is loaded: in one transaction, moves a plan that
 * is not live into `state` (pending or active) with its apply time, rollback deadline
 * (ms since the epoch, 0 = none) and the table as it was, and appends the `apply`
 * record.  1 when done, 0 when the plan is already live (nothing written), WW_EIO
 * when the store refused (ww_store_busy/ww_store_errmsg say why). */
int ww_fb_plan_begin_apply(ww_store_t *st, int64_t id, const char *state, const char *applied_at,
                           int64_t deadline, const char *prev_ruleset, const char *segment,
                           const char *by, const char *reason, const char *ruleset,
                           const char *detail);
/* Sets the state (clearing the deadline) and appends the record `action`, in one
 * transaction.  0 or WW_EIO. */
int ww_fb_plan_finish(ww_store_t *st, int64_t id, const char *state, const char *action,
                      const char *segment, const char *by, const char *reason, const char *ruleset,
                      const char *detail);
/* Confirms a pending plan whose deadline (ms) is still after now_ms, and records it,
 * in one transaction: once the deadline has passed the plan belongs to its watchdog.
 * 1 when confirmed, 0 when not pending or too late, WW_EIO. */
int ww_fb_plan_confirm(ww_store_t *st, int64_t id, int64_t now_ms, const char *segment,
                       const char *by, const char *reason, const char *detail);
/* Stores the kernel's listing of the plan's chain (see live_chain).  0 or WW_EIO. */
int ww_fb_plan_set_live(ww_store_t *st, int64_t id, const char *listing);
/* Stores the watchdog's process id.  0 or WW_EIO. */
int ww_fb_plan_set_pid(ww_store_t *st, int64_t id, int64_t pid);

/* Appends one record to the hazard-log trail (action: plan, dry-run, apply, confirm,
 * rollback, lift, apply-failed, map-import).  Strings borrowed, may be NULL. */
int ww_fb_record(ww_store_t *st, const char *action, int64_t plan_id, const char *segment,
                 const char *by, const char *reason, const char *ruleset, const char *detail);
/* Every record, oldest first, as NDJSON or readable text.  The readable form is for
 * files; a terminal should get ww_fb_log_each's fields with control characters
 * escaped. */
int ww_fb_log_export(ww_store_t *st, bool json, ww_buf_t *out);

/* One hazard-log record; strings borrowed for the callback only, may be NULL. */
typedef struct ww_fb_log_rec {
    int64_t id, plan; /* plan 0: none */
    const char *at, *action, *segment, *by, *reason, *ruleset, *detail;
} ww_fb_log_rec_t;
/* Calls cb for every record, oldest first; a non-zero return from cb stops and is
 * returned.  0 or WW_EIO. */
int ww_fb_log_each(ww_store_t *st, int (*cb)(void *ud, const ww_fb_log_rec_t *r), void *ud);

/* ---- a plan's life on the router (ww_fb_ops.c), for the CLI and the console ---------- */

/* Registered assets listed in one plan's blast radius, at most. */
#define WW_FB_MAX_PLAN_ASSETS 20000
/* Seconds an apply waits for confirm before its watchdog rolls it back (default). */
#define WW_FB_DEFAULT_ROLLBACK_S 120

/* The current time in ms since the epoch (rollback deadlines). */
int64_t ww_fb_now_ms(void);

/* The registered assets a plan's segments reach today (their own segments too). */
typedef struct ww_fb_assets {
    ww_arena_t arena; /* the copied strings */
    ww_fb_asset_t *v;
    size_t n, cap;
    bool truncated;       /* more than WW_FB_MAX_PLAN_ASSETS in reach: the first are kept */
    char unreadable[256]; /* non-empty: the register could not be read, and why */
} ww_fb_assets_t;
/* Fills *x (release with ww_fb_assets_release, also after a failure) from the register
 * in st: empty when it is empty or unreadable.  Call outside any transaction (reading
 * the register may create its tables). */
void ww_fb_assets_collect(ww_store_t *st, const ww_fb_map_t *m, const uint32_t *segs, size_t nsegs,
                          ww_fb_assets_t *x);
void ww_fb_assets_release(ww_fb_assets_t *x);

/* The distinct segments of the hosts, in map order, into segs; their names joined by
 * commas onto names (may be NULL): a host plan's record `segment`. */
size_t ww_fb_host_segments(const ww_fb_map_t *m, const ww_fb_host_t *h, size_t nh, uint32_t *segs,
                           ww_buf_t *names);
/* A plan's subject in words: "segment imaging", "host 10.10.0.7 (segment wards)". */
void ww_fb_describe(const ww_fb_plan_row_t *r, char *out, size_t outlen);

/* The stored map `id` (0: the latest), parsed; the file it was imported from into
 * path_out (may be NULL).  0 and *out (ww_fb_map_free), or WW_ENOENT (no map stored),
 * WW_EIO, WW_EPARSE with why ("file:line:col: ..."). */
int ww_fb_map_open(ww_store_t *st, int64_t id, int64_t *id_out, ww_fb_map_t **out, char *path_out,
                   size_t pathlen, char *why, size_t whylen);

/* A stored plan opened with the map it was made from, its hosts (host plans), the
 * segments it touches and (when asked) the assets in its blast radius.  info is ready
 * for the ww_fb_render_* functions.  The whole struct is owned by the caller:
 * ww_fb_loaded_release frees what it holds. */
typedef struct ww_fb_loaded {
    ww_fb_plan_row_t row;
    ww_fb_map_t *m;
    char map_path[512]; /* the file the map was imported from */
    int seg;            /* the isolated segment, or the first host's */
    ww_fb_host_t hosts[WW_FB_MAX_HOSTS];
    size_t nhosts;
    uint32_t segs[WW_FB_MAX_HOSTS];
    size_t nsegs;
    ww_fb_assets_t assets;
    ww_fb_plan_info_t info;
} ww_fb_loaded_t;
/* 0 and *p, or WW_ENOENT / WW_EIO / WW_EPARSE with why ("plan 7: no such plan"). */
int ww_fb_plan_open(ww_store_t *st, int64_t id, bool with_assets, ww_fb_loaded_t *p, char *why,
                    size_t whylen);
void ww_fb_loaded_release(ww_fb_loaded_t *p);

/* What to plan: exactly one of infected (an address: isolate its segment), segment (a
 * name) or hosts (comma-separated addresses: quarantine them alone).  Borrowed. */
typedef struct ww_fb_plan_req {
    const char *infected, *segment, *hosts;
    const char *reason, *by; /* may be NULL */
} ww_fb_plan_req_t;
/* Makes the plan against the latest stored map, and stores it with its rules and its
 * `plan` record in one transaction; then opens it as ww_fb_plan_open does (assets
 * included).  0 and *p, or WW_EINVAL / WW_EPARSE / WW_ENOENT / WW_EIO with why; nothing
 * is stored on failure. */
int ww_fb_plan_make(ww_store_t *st, const ww_fb_plan_req_t *req, ww_fb_loaded_t *p, char *why,
                    size_t whylen);

/* The nft file that makes wardwatch's table hold the live plans less `except`, plus
 * `extra` (a chain) when given.  0 or WW_E*. */
int ww_fb_compose(ww_store_t *st, int64_t except, const char *extra, ww_buf_t *out);

/* What an apply, lift or rollback did besides succeeding or not. */
typedef struct ww_fb_result {
    ww_buf_t file;         /* the nft file checked or loaded */
    ww_buf_t msgs;         /* nft's messages (show them when show_msgs) */
    int check;             /* nft -c's exit status (>= 0) or WW_EIO */
    bool show_msgs;        /* the failure is nft's: msgs says why */
    bool quarantine;       /* a host plan */
    long secs;             /* the rollback time given to a load (0: none) */
    char subject[3200];    /* ww_fb_describe */
    char unrecorded[1024]; /* non-empty: records that could not be written (say so) */
} ww_fb_result_t;
void ww_fb_result_init(ww_fb_result_t *res);
void ww_fb_result_release(ww_fb_result_t *res);

typedef struct ww_fb_apply_opts {
    const char *by, *reason; /* reason NULL: the plan's */
    bool load;               /* false: the dry run (nft -c), recorded as `dry-run` */
    long rollback_s;         /* < 0: WW_FB_DEFAULT_ROLLBACK_S; 0: no automatic rollback */
    bool override_monitor_only;
    /* Starts the rollback watchdog for plan `id` and returns once it runs: 0, or -1
     * with why (nothing is loaded then).  NULL with a rollback time: refused. */
    int (*watchdog)(void *ud, int64_t id, char *why, size_t whylen);
    void *watchdog_ud;
} ww_fb_apply_opts_t;
/* The dry run or the apply of an opened plan, every step recorded in the hazard log
 * (docs/firebreaks.md, "Applying safely").  0: done (a dry run: res->check says whether
 * nft -c passed); -1 with why (may be "" when only a record failed: res->unrecorded). */
int ww_fb_apply(ww_store_t *st, ww_fb_loaded_t *p, const ww_fb_apply_opts_t *o, ww_fb_result_t *res,
                char *why, size_t whylen);
/* Keeps a pending plan (before its deadline).  0, or WW_EINVAL (not pending, or too
 * late) / WW_EIO with why. */
int ww_fb_confirm(ww_store_t *st, const ww_fb_plan_row_t *row, const char *by, const char *reason,
                  char *why, size_t whylen);
/* Takes a live plan off the router under the router lock and records `lift`.  0, or -1
 * with why (nothing changed, or nft failed: res->show_msgs). */
int ww_fb_lift(ww_store_t *st, const ww_fb_plan_row_t *row, const char *by, const char *reason,
               ww_fb_result_t *res, char *why, size_t whylen);
/* Takes plan `row` out of wardwatch's table and records `action` with the new state;
 * the caller holds the router lock.  0; -1 when nft failed (nothing changed, recorded
 * as an error); -2 when the router changed but the record could not be written. */
int ww_fb_take_out(ww_store_t *st, const ww_fb_plan_row_t *row, const char *action,
                   const char *new_state, const char *by, const char *reason, const char *detail,
                   ww_fb_result_t *res, char *why, size_t whylen);
/* Starts the watchdog: a detached process (its own session, no terminal) running
 * `EXE firebreak watchdog ID --db DB --ready-fd N`, in the same network namespace, and
 * waits until it says it is running (it has opened the store and found the plan
 * waiting).  EXE is wardwatch itself ("/proc/self/exe" from wardwatch or serve).  0, or
 * -1 with why. */
int ww_fb_watchdog_spawn(const char *exe, const char *db, int64_t id, char *why, size_t whylen);

#endif
