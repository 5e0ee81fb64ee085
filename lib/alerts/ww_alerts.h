/* The alert store (module "alerts" in the shared store) and what an alert is worth:
 *
 *  - every alert is kept once: its id is stable (derived by the caller from the rule,
 *    the source and the record's position), and a second put of the same id is a
 *    no-op that says so, so a replay after a crash never stores -- or notifies --
 *    an alert twice;
 *  - its priority (P1 most urgent .. P5) combines the rule's level with the asset it
 *    fired on, from the register: clinical criticality and internet exposure (a
 *    "high" on the PACS server outranks a "critical" on a test laptop), with the
 *    reason in words;
 *  - `wardwatch alerts` lists them with the same filters as hunt.
 *
 * The asset index answers "which registered asset is this host or address" without a
 * query per alert: built once from the register, rebuilt when the register changes. */
#ifndef WW_ALERTS_H
#define WW_ALERTS_H

#include "asset/ww_asset.h"
#include "store/ww_store.h"

#define WW_ALERT_ID_LEN 32              /* hex characters */
#define WW_ALERT_MAX_EVENT (256u << 10) /* event JSON kept per alert; longer is cut */

typedef struct ww_alert {
    char id[WW_ALERT_ID_LEN + 1];
    const char *rule_id, *rule_title;
    int level;                        /* WW_LEVEL_* */
    int priority;                     /* 1..5, from ww_alert_prioritise */
    const char *why;                  /* the priority in words */
    int64_t ts;                       /* the event's time (ns), WW_TIME_NONE when it had none */
    int64_t received;                 /* when wardwatch saw it (ns) */
    const char *host, *user, *src_ip; /* "" when not known */
    const char *source;               /* the input ("syslog-tcp 0.0.0.0:601") or file */
    const char *position;             /* where in the source ("seq 1234", "line 12") */
    const char *techniques;           /* ATT&CK technique ids, comma-separated, "" when none */
    const char *event_json;           /* the event as decoded */
    /* The asset, when the register knows it ("" and WW_CRIT_UNKNOWN otherwise). */
    const char *asset_id, *segment, *owner;
    int criticality; /* ww_crit_t */
    bool exposed;    /* internet exposed */
    /* Triage (ww_alerts_triage.c): set when read from the store, ignored by a put
       (a new alert is always "new" and unassigned). */
    int status;           /* ww_alert_status_t */
    const char *assignee; /* "" when nobody */
} ww_alert_t;

/* Creates or updates the alert tables.  Every function below calls it once per store. */
int ww_alerts_migrate(ww_store_t *st, ww_diag_t *diag);

/* Stores an alert unless one with its id is stored already.  *inserted (may be NULL)
 * says which.  Several puts inside one BEGIN/COMMIT (ww_store_exec) are one write. */
int ww_alerts_put(ww_store_t *st, const ww_alert_t *a, bool *inserted, ww_diag_t *diag);
/* The same with the prepared statement kept in *stmt (NULL the first time) for the
 * next call: a writer of many alerts finalizes it (sqlite3_finalize) when done. */
int ww_alerts_put_cached(ww_store_t *st, sqlite3_stmt **stmt, const ww_alert_t *a, bool *inserted,
                         ww_diag_t *diag);

typedef struct ww_alert_query {
    int64_t since, until; /* event time bounds (ns), WW_TIME_NONE for none */
    int min_level;        /* WW_LEVEL_*, 0 for all */
    int max_priority;     /* 1..5; 0 for all */
    const char *host;     /* fnmatch pattern on host, case-insensitive; NULL for all */
    const char *rule;     /* rule id, or a case-insensitive substring of the title */
    uint32_t limit;       /* 0: no limit */
} ww_alert_query_t;

/* Calls fn for each stored alert the query keeps, oldest event first (alerts with no
 * event time by arrival).  fn's alert is valid during the call; a non-zero return
 * stops the walk and is returned. */
typedef int (*ww_alert_fn)(void *ud, const ww_alert_t *a);
int ww_alerts_query(ww_store_t *st, const ww_alert_query_t *q, ww_alert_fn fn, void *ud,
                    ww_diag_t *diag);

/* ---- asset context ---- */

typedef struct ww_asset_index ww_asset_index_t;

/* Indexes a loaded register by hostname (case-insensitive, also its first label, so
 * "pacs01" finds "pacs01.trust.nhs.uk" and the other way round), address and asset id.
 * The set must outlive the index. */
int ww_asset_index_new(const ww_asset_set_t *set, ww_asset_index_t **out);
void ww_asset_index_free(ww_asset_index_t *ix);
/* The asset for a host name or address (tried in that order), or NULL. */
const ww_asset_t *ww_asset_index_find(const ww_asset_index_t *ix, const char *host, const char *ip);

/* Sets a->priority and a->why (into why, whylen bytes) from a->level and the asset
 * (NULL when the register does not know it), and copies the asset's context into a. */
void ww_alert_prioritise(ww_alert_t *a, const ww_asset_t *asset, char *why, size_t whylen);

/* ---- triage (ww_alerts_triage.c) -------------------------------------------------
 *
 * Every alert has a status and an assignee, and every change of either is kept in its
 * history (who, when, what, why).  Alerts are listed in groups of one rule on one host,
 * kept in a summary table (a trigger as alerts arrive; ww_triage_act when their status
 * changes: change status only through it) so that the list stays fast with millions
 * of alerts (a time window reads the alerts themselves, through the time index).  Times of people's
 * actions are seconds since the epoch; alert times stay nanoseconds, as above. */

typedef enum ww_alert_status {
    WW_ALERT_NEW = 0,
    WW_ALERT_ACKNOWLEDGED,
    WW_ALERT_CLOSED_FP, /* closed as a false positive */
    WW_ALERT_CLOSED,
    WW_ALERT_ESCALATED, /* handed to an incident */
    WW_ALERT_NSTATUS
} ww_alert_status_t;

/* "new", "acknowledged", "closed-false-positive", "closed", "escalated" ("?" else). */
const char *ww_alert_status_name(int status);
/* Parses one of those names (any case).  0 and *out, or WW_EINVAL. */
int ww_alert_status_parse(const char *s, int *out);
/* The statuses still waiting for someone: new and acknowledged (a bit per status). */
#define WW_ALERT_OPEN ((1u << WW_ALERT_NEW) | (1u << WW_ALERT_ACKNOWLEDGED))

/* Caps on what a request may ask of the store. */
#define WW_TRIAGE_MAX_PAGE 1000   /* groups or alerts per page */
#define WW_TRIAGE_MAX_IDS 5000    /* alert ids in one selection */
#define WW_TRIAGE_MAX_GROUPS 500  /* group keys in one selection */
#define WW_TRIAGE_REASON_MAX 1000 /* bytes of a reason */
#define WW_TRIAGE_NAME_MAX 128    /* bytes of an actor or an assignee */
#define WW_TRIAGE_PATTERN_MAX 256 /* bytes of a filter's host, rule, segment, technique */

/* What the group and alert lists keep.  Unset members (0, NULL, WW_TIME_NONE) do not
 * filter. */
typedef struct ww_triage_filter {
    int64_t since, until;   /* event time (ns), inclusive; alerts with none are left out */
    int min_level;          /* WW_LEVEL_*, 0: all */
    int max_priority;       /* 1..5: P1..Pn; 0: all */
    const char *host;       /* pattern: * and ?, any case */
    const char *rule;       /* a rule id, or part of its title (any case) */
    const char *technique;  /* ATT&CK id: "T1110" also keeps "T1110.001" */
    const char *segment;    /* exact, any case */
    int min_criticality;    /* ww_crit_t: this clinical criticality or higher; 0: all */
    unsigned statuses;      /* a bit per ww_alert_status_t; 0: all */
    const char *group_rule; /* with group_host: the alerts of one group (exact) */
    const char *group_host;
    uint32_t limit, offset; /* paging; limit 0 or above WW_TRIAGE_MAX_PAGE: the cap */
} ww_triage_filter_t;

/* Checks a filter's values (pattern lengths and characters, ranges).  0, or WW_EINVAL
 * with diag naming the field and why. */
int ww_triage_filter_check(const ww_triage_filter_t *f, ww_diag_t *diag);

typedef struct ww_alert_group {
    const char *rule_id, *rule_title, *host;
    uint64_t count; /* alerts of the group the filter keeps */
    uint64_t by_status[WW_ALERT_NSTATUS];
    int64_t first_seen, last_seen; /* ns: event time, else arrival */
    int priority;                  /* the most urgent */
    int level;                     /* the highest */
    const char *segment, *techniques;
    int criticality;
} ww_alert_group_t;

typedef struct ww_triage_totals {
    uint64_t groups, alerts; /* in the whole filtered list, not just the page */
} ww_triage_totals_t;

/* Calls fn for each group of the page, most urgent first (then most recently seen);
 * fn's group is valid during the call, a non-zero return stops and is returned.
 * *totals (may be NULL) gets the whole list's size. */
typedef int (*ww_alert_group_fn)(void *ud, const ww_alert_group_t *g);
int ww_triage_groups(ww_store_t *st, const ww_triage_filter_t *f, ww_alert_group_fn fn, void *ud,
                     ww_triage_totals_t *totals, ww_diag_t *diag);
/* The alerts themselves, newest first, with the same filter and paging; totals->alerts
 * is the number of alerts the filter keeps (groups is 0). */
int ww_triage_alerts(ww_store_t *st, const ww_triage_filter_t *f, ww_alert_fn fn, void *ud,
                     ww_triage_totals_t *totals, ww_diag_t *diag);
/* One alert by id: fn is called once and its result returned; WW_ENOENT when there
 * is no such alert (diag says so). */
int ww_triage_alert(ww_store_t *st, const char *id, ww_alert_fn fn, void *ud, ww_diag_t *diag);
/* Up to limit (<= 100) other alerts sharing the alert's host, user or source address,
 * newest first. */
int ww_triage_related(ww_store_t *st, const ww_alert_t *a, uint32_t limit, ww_alert_fn fn, void *ud,
                      ww_diag_t *diag);

typedef struct ww_alert_change {
    const char *alert_id;
    int64_t at; /* s */
    const char *actor, *action;
    int old_status, new_status;
    const char *assignee, *reason;
} ww_alert_change_t;
/* The history of one alert, oldest first. */
typedef int (*ww_alert_change_fn)(void *ud, const ww_alert_change_t *c);
int ww_triage_history(ww_store_t *st, const char *alert_id, ww_alert_change_fn fn, void *ud,
                      ww_diag_t *diag);

typedef enum ww_triage_action {
    WW_TRIAGE_ACK = 0,  /* new -> acknowledged; reason required */
    WW_TRIAGE_ASSIGN,   /* new or acknowledged: sets the assignee (status kept) */
    WW_TRIAGE_CLOSE_FP, /* new or acknowledged -> closed-false-positive; reason required */
    WW_TRIAGE_CLOSE,    /* new or acknowledged -> closed */
    WW_TRIAGE_ESCALATE, /* new or acknowledged -> escalated (the incident says which) */
    WW_TRIAGE_REOPEN,   /* closed or closed-false-positive -> new */
    WW_TRIAGE_NACTIONS
} ww_triage_action_t;

/* "acknowledge", "assign", "close-false-positive", "close", "escalate", "reopen". */
const char *ww_triage_action_name(int act);
int ww_triage_action_parse(const char *s, int *out);

typedef struct ww_alert_group_key {
    const char *rule_id, *host;
} ww_alert_group_key_t;

/* The alerts an action applies to: by id and/or whole groups (all their alerts). */
typedef struct ww_alert_sel {
    const char *const *ids;
    uint32_t nids;
    const ww_alert_group_key_t *groups;
    uint32_t ngroups;
} ww_alert_sel_t;

typedef struct ww_triage_request {
    int action;           /* ww_triage_action_t */
    const char *actor;    /* who (required) */
    const char *reason;   /* why ("" allowed where not required) */
    const char *assignee; /* WW_TRIAGE_ASSIGN: who gets them */
    int64_t now;          /* s */
} ww_triage_request_t;

typedef struct ww_triage_result {
    uint64_t selected; /* alerts the selection named (found) */
    uint64_t changed;  /* of those, changed and recorded in their history */
    uint64_t skipped;  /* of those, in a status the action does not apply to */
    uint32_t unknown;  /* ids with no alert */
} ww_triage_result_t;

/* Applies an action to a selection in one transaction (or inside the caller's).
 * 0 and *res, WW_EINVAL (diag: a missing reason or assignee, an empty or too large
 * selection, ...) or WW_EIO. */
int ww_triage_act(ww_store_t *st, const ww_triage_request_t *rq, const ww_alert_sel_t *sel,
                  ww_triage_result_t *res, ww_diag_t *diag);

/* Counts every group again from its alerts: after statuses were changed other than
 * by ww_triage_act (a repair, a bulk import).  0 or WW_EIO. */
int ww_triage_recount(ww_store_t *st, ww_diag_t *diag);

/* ---- suppressions ----
 *
 * A suppression is a scoped exception: one rule on one host, one user, one field value
 * or a combination (never a rule alone: that is turning the rule off), with a reason,
 * an expiry, and who made it.  serve does not store or notify an alert a live
 * suppression covers and counts it on the suppression instead (hits, last hit).  A
 * suppression applies while now < expires. */

#define WW_SUPPRESS_MAX_LIVE 10000 /* live suppressions (each is checked per alert) */
#define WW_SUPPRESS_VALUE_MAX 512  /* bytes of a host, user, field name or value */
#define WW_SUPPRESS_MAX_DAYS 366   /* longest expiry, from its creation */

typedef struct ww_suppression {
    int64_t id;
    const char *rule_id;
    const char *host, *user;   /* "" when not part of the scope */
    const char *field, *value; /* field "" when not part of the scope */
    const char *reason, *created_by;
    int64_t created, expires; /* s */
    uint64_t hits;
    int64_t last_hit; /* s, 0: never */
} ww_suppression_t;

/* Adds a suppression (s->id, hits, last_hit ignored; created = now).  0 and *id, or
 * WW_EINVAL with diag (no rule, no scope, no reason, an expiry not after now or more
 * than WW_SUPPRESS_MAX_DAYS ahead, a value too long or with control characters, too
 * many live ones), or WW_EIO. */
int ww_suppress_add(ww_store_t *st, const ww_suppression_t *s, int64_t now, int64_t *id,
                    ww_diag_t *diag);
/* Removes one.  1 when it was there, 0 when not, or WW_EIO. */
int ww_suppress_remove(ww_store_t *st, int64_t id, ww_diag_t *diag);
/* Calls fn for each suppression, live ones first (soonest expiry first), then expired
 * ones when with_expired. */
typedef int (*ww_suppression_fn)(void *ud, const ww_suppression_t *s);
int ww_suppress_list(ww_store_t *st, int64_t now, bool with_expired, ww_suppression_fn fn, void *ud,
                     ww_diag_t *diag);
int ww_suppress_get(ww_store_t *st, int64_t id, ww_suppression_fn fn, void *ud, ww_diag_t *diag);
/* A number that changes whenever a suppression is added, removed or changed (not on
 * hits): the engine re-reads them when it moves. */
int ww_suppress_generation(ww_store_t *st, int64_t *out, ww_diag_t *diag);

/* The engine's copy of the suppressions live at load time. */
typedef struct ww_suppress_set ww_suppress_set_t;
int ww_suppress_load(ww_store_t *st, int64_t now, ww_suppress_set_t **out, ww_diag_t *diag);
void ww_suppress_set_free(ww_suppress_set_t *set);
uint32_t ww_suppress_count(const ww_suppress_set_t *set);
struct ww_event;
/* The id of the first suppression that covers alert a (its rule, host, user) with the
 * event it fired on (field values; NULL for a correlation: then only the fields host,
 * user and src_ip can match, from a) and is live at now (s), else 0.  Host, user and
 * values compare case-insensitively and exactly. */
int64_t ww_suppress_match(const ww_suppress_set_t *set, const ww_alert_t *a,
                          const struct ww_event *ev, int64_t now);
/* Counts a hit on suppression id at now.  0 or WW_EIO. */
int ww_suppress_hit(ww_store_t *st, int64_t id, int64_t now, ww_diag_t *diag);

#endif
