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

#endif
