/* Incidents (module "incident" in the shared store): what the security team opens when
 * alerts turn out to be something, and keeps until it is closed.
 *
 *  - an incident has a reference ("INC-2026-0001": the year it was opened and its
 *    number in that year), a title, a status (open, contained, resolved, closed), a
 *    severity, an owner, the time the trust became aware of it (editable; the ICO's
 *    72 hours run from there when personal data may be involved) and the DSPT
 *    incident reporting tool's flag and reference;
 *  - its timeline gathers the alerts linked to it (from lib/alerts' table), notes,
 *    evidence files (kept under <state_dir>/evidence/<reference>/<sha256>), the
 *    fire-break plans linked to it with every record lib/firebreak kept of them, and
 *    its own history (opened, status changed, ...);
 *  - it exports as JSON (wardwatch's own shape) and as a STIX 2.1 bundle for the
 *    national SOC.
 *
 * Times are seconds since the epoch.  Every function that writes takes `now`, so the
 * clock is the caller's (the tests inject theirs).  Every function migrates the
 * tables it touches on first use, so a fresh store needs no setup. */
#ifndef WW_INCIDENT_H
#define WW_INCIDENT_H

#include <stdbool.h>
#include <stdint.h>

#include "store/ww_store.h"
#include "util/ww_util.h"
#include "web/ww_web.h"

/* Caps on what people and clients may put in an incident: far above real use, they
 * bound the store, the pages and the exports. */
#define WW_INC_MAX_TITLE 200      /* bytes */
#define WW_INC_MAX_DESC 8192      /* bytes */
#define WW_INC_MAX_NAME 128       /* owner, who, a file's name (bytes) */
#define WW_INC_MAX_DSPT_REF 64    /* the DSPT tool's reference (bytes) */
#define WW_INC_MAX_NOTE 16384     /* one note (bytes) */
#define WW_INC_MAX_ALERTS 10000   /* alerts linked to one incident */
#define WW_INC_MAX_NOTES 5000     /* notes on one incident */
#define WW_INC_MAX_EVIDENCE 1000  /* evidence files of one incident */
#define WW_INC_MAX_PLANS 256      /* fire-break plans linked to one incident */
#define WW_INC_MAX_TIMELINE 50000 /* timeline entries exported or shown */
#define WW_INC_ICO_SECONDS (72 * 3600)
#define WW_INC_REF_LEN 24

enum ww_inc_status { WW_INC_OPEN = 0, WW_INC_CONTAINED, WW_INC_RESOLVED, WW_INC_CLOSED };
enum ww_inc_severity { WW_INC_LOW = 0, WW_INC_MEDIUM, WW_INC_HIGH, WW_INC_CRITICAL };

/* "open", "contained", ...; NULL for a value out of range. */
const char *ww_inc_status_name(int status);
const char *ww_inc_severity_name(int severity);
/* The value for a name (exact, lowercase), or -1. */
int ww_inc_status_parse(const char *s);
int ww_inc_severity_parse(const char *s);

typedef struct ww_incident {
    int64_t id; /* the row; the reference is what people use */
    char ref[WW_INC_REF_LEN];
    char uuid[37]; /* random, for the STIX ids */
    char title[WW_INC_MAX_TITLE + 1];
    char description[WW_INC_MAX_DESC + 1];
    char owner[WW_INC_MAX_NAME + 1]; /* "" when nobody has it */
    char created_by[WW_INC_MAX_NAME + 1];
    int status;   /* enum ww_inc_status */
    int severity; /* enum ww_inc_severity */
    int64_t created, updated;
    int64_t aware;      /* when the trust became aware (defaults to created) */
    bool personal_data; /* personal data may be involved: the ICO clock applies */
    bool dspt_reportable;
    int64_t dspt_reported; /* when it was reported to the DSPT tool, 0: not yet */
    char dspt_ref[WW_INC_MAX_DSPT_REF + 1];
    uint32_t nalerts, nnotes, nevidence, nplans; /* what is linked */
} ww_incident_t;

/* The ICO clock at `now`: it applies when personal data may be involved; the
 * deadline is aware + 72 h; left is deadline - now (negative: overdue by -left).
 * A deadline reached exactly (left == 0) is not yet overdue. */
typedef struct ww_inc_ico {
    bool applies;
    int64_t deadline;
    int64_t left;
    bool overdue;
} ww_inc_ico_t;
void ww_incident_ico(const ww_incident_t *inc, int64_t now, ww_inc_ico_t *out);
/* The clock in words into b: "41 h 12 min left", "overdue by 3 h 5 min", or "not
 * applicable (no personal data)". */
int ww_incident_ico_text(const ww_inc_ico_t *ico, ww_buf_t *b);

/* Creates or updates the incident tables (and the alert and fire-break tables they
 * link to).  0 or WW_EIO/WW_EUNSUP with diag. */
int ww_incident_migrate(ww_store_t *st, ww_diag_t *diag);

/* What a new incident starts with; strings borrowed.  severity NULL: "medium";
 * aware 0: now. */
typedef struct ww_incident_new {
    const char *title, *description, *severity, *owner;
    int64_t aware;
    bool personal_data, dspt_reportable;
} ww_incident_new_t;

/* Opens an incident (status open) numbered in now's year.  0 and *out, WW_EINVAL
 * with diag naming the field and why (empty or too long title, control characters,
 * unknown severity, awareness in the future), or WW_EIO. */
int ww_incident_create(ww_store_t *st, const ww_incident_new_t *in, const char *by, int64_t now,
                       ww_incident_t *out, ww_diag_t *diag);

/* The incident by reference ("INC-2026-0001", any case) or by row number.  0 and *out,
 * WW_ENOENT, WW_EIO. */
int ww_incident_get(ww_store_t *st, const char *key, ww_incident_t *out, ww_diag_t *diag);

/* A change: NULL strings and negative ints leave the field as it is. */
typedef struct ww_incident_edit {
    const char *title, *description, *status, *severity, *owner, *dspt_ref;
    const char *aware;   /* ISO 8601 ("2026-12-03T09:30Z", "2026-12-03 09:30"; no zone: UTC) */
    int personal_data;   /* -1 unchanged, 0, 1 */
    int dspt_reportable; /* -1, 0, 1 */
    int dspt_reported;   /* -1 unchanged; 1: reported now (kept when already); 0: not */
} ww_incident_edit_t;
#define WW_INCIDENT_EDIT_NONE                                           \
    {                                                                   \
        .personal_data = -1, .dspt_reportable = -1, .dspt_reported = -1 \
    }

/* Applies an edit in one transaction, recording each field that changed in the
 * incident's history ("status: open -> contained").  *changed (may be NULL) gets the
 * number of fields changed.  0, WW_EINVAL with diag (field and why), WW_ENOENT, WW_EIO. */
int ww_incident_update(ww_store_t *st, int64_t id, const ww_incident_edit_t *e, const char *by,
                       int64_t now, int *changed, ww_diag_t *diag);

/* Calls fn for each incident (status NULL: all; else "open", ...; "active": open or
 * contained), most recently updated first, at most limit (0: all).  A non-zero
 * return from fn stops the walk and is returned. */
typedef int (*ww_incident_fn)(void *ud, const ww_incident_t *inc);
int ww_incident_each(ww_store_t *st, const char *status, uint32_t limit, ww_incident_fn fn,
                     void *ud, ww_diag_t *diag);
/* The open and contained incidents, for the triage page's escalate form and the
 * overview. */
int ww_incident_each_open(ww_store_t *st, ww_incident_fn fn, void *ud, ww_diag_t *diag);

/* ---- links and the timeline ------------------------------------------------------- */

/* Links a stored alert (lib/alerts' id).  0 linked, 1 already linked, WW_ENOENT (no
 * such incident or alert, diag says which), WW_ELIMIT past WW_INC_MAX_ALERTS, WW_EIO. */
int ww_incident_link_alert(ww_store_t *st, int64_t id, const char *alert_id, const char *by,
                           int64_t now, ww_diag_t *diag);
/* A title for an incident opened from an alert: "<rule title> on <host>" (or the rule
 * title alone), cut to WW_INC_MAX_TITLE at a character boundary, with control
 * characters and bytes that are not UTF-8 replaced, so it is always a valid title.
 * out >= WW_INC_MAX_TITLE + 1 bytes.  0, WW_ENOENT (no such alert), WW_EIO. */
int ww_incident_title_from_alert(ww_store_t *st, const char *alert_id, char *out, size_t n,
                                 ww_diag_t *diag);

/* Links a fire-break plan (lib/firebreak's plan id): its records join the timeline.
 * 0, 1 already linked, WW_ENOENT, WW_ELIMIT, WW_EIO. */
int ww_incident_link_plan(ww_store_t *st, int64_t id, int64_t plan_id, const char *by, int64_t now,
                          ww_diag_t *diag);
/* Links every plan that quarantines or was planned for this address.  *n (may be
 * NULL) gets the number newly linked.  0 or WW_E* as above. */
int ww_incident_link_host_plans(ww_store_t *st, int64_t id, const char *ip, const char *by,
                                int64_t now, size_t *n, ww_diag_t *diag);

/* Adds a note (text: 1..WW_INC_MAX_NOTE bytes, not only blanks).  0, WW_EINVAL,
 * WW_ELIMIT, WW_ENOENT, WW_EIO. */
int ww_incident_note(ww_store_t *st, int64_t id, const char *by, const char *text, int64_t now,
                     ww_diag_t *diag);

typedef struct ww_inc_evidence {
    int64_t id;
    char name[WW_INC_MAX_NAME + 1]; /* as uploaded, for display */
    char content_type[WW_INC_MAX_NAME + 1];
    uint64_t size;
    char sha256[65];
    char by[WW_INC_MAX_NAME + 1];
    int64_t at;
} ww_inc_evidence_t;

/* Keeps an upload (hashed by lib/web) as evidence: moved to
 * <state_dir>/evidence/<reference>/<sha256> (directories mode 0700) and recorded with
 * its name, size, SHA-256, who and when.  The same content twice is kept once:
 * returns 1 and the first record.  0 or 1 with *out (may be NULL), WW_EINVAL (empty
 * file), WW_ELIMIT, WW_ENOENT, WW_EIO. */
int ww_incident_evidence_add(ww_store_t *st, int64_t id, const char *state_dir, ww_web_file_t *f,
                             const char *by, int64_t now, ww_inc_evidence_t *out, ww_diag_t *diag);
/* The same for a file on disk (the CLI): hashed while copied, at most max bytes. */
int ww_incident_evidence_add_path(ww_store_t *st, int64_t id, const char *state_dir,
                                  const char *path, uint64_t max, const char *by, int64_t now,
                                  ww_inc_evidence_t *out, ww_diag_t *diag);
/* The evidence record with this SHA-256 (hex) and its file's path (out_path >= 1024
 * bytes).  0, WW_ENOENT, WW_EIO. */
int ww_incident_evidence_get(ww_store_t *st, const ww_incident_t *inc, const char *state_dir,
                             const char *sha256, ww_inc_evidence_t *out, char *out_path,
                             size_t pathlen, ww_diag_t *diag);

enum ww_inc_item_kind {
    WW_INC_ITEM_HISTORY = 0, /* opened, a field changed, a link made */
    WW_INC_ITEM_ALERT,
    WW_INC_ITEM_NOTE,
    WW_INC_ITEM_EVIDENCE,
    WW_INC_ITEM_FIREBREAK, /* one hazard-log record of a linked plan */
};
const char *ww_inc_item_kind_name(int kind);

/* One entry of the timeline.  Strings are owned by the timeline. */
typedef struct ww_inc_item {
    int kind;
    int64_t at;       /* when it happened (an alert: its event's time, else arrival) */
    const char *by;   /* who ("" for alerts) */
    const char *text; /* history: what changed; note: the text; alert: the rule's title;
                         evidence: the file's name; fire-break: the action */
    /* alert */
    const char *alert_id, *rule_id, *host, *user, *src_ip, *techniques, *level;
    int priority;
    int64_t linked; /* when the alert or plan was linked */
    /* evidence */
    const char *sha256, *content_type;
    uint64_t size;
    /* fire-break */
    int64_t plan_id;
    const char *segment, *reason, *detail;
    uint32_t seq; /* the order it was read in, so equal times keep it */
} ww_inc_item_t;

typedef struct ww_inc_timeline {
    ww_inc_item_t *items; /* oldest first; ties in kind order */
    size_t n;
    size_t dropped; /* entries past WW_INC_MAX_TIMELINE, counted only */
    int64_t *plans; /* the linked plan ids, and each one's state ("" when gone) */
    char **plan_state;
    size_t nplans;
    ww_arena_t arena;
} ww_inc_timeline_t;

/* Gathers the incident's timeline.  0 and *out (release with ww_inc_timeline_release),
 * WW_ENOMEM, WW_EIO. */
int ww_incident_timeline(ww_store_t *st, const ww_incident_t *inc, ww_inc_timeline_t *out,
                         ww_diag_t *diag);
void ww_inc_timeline_release(ww_inc_timeline_t *t);

/* ---- exports ---------------------------------------------------------------------- */

/* The incident, its ICO clock at `now` and its timeline as one JSON object (the
 * shape is in docs/incidents.md).  Appends to out. */
int ww_incident_export_json(ww_store_t *st, const ww_incident_t *inc, int64_t now, ww_buf_t *out,
                            ww_diag_t *diag);

/* Who the STIX bundle says made it. */
typedef struct ww_inc_stix_opts {
    const char *trust_name; /* NULL: "NHS trust (wardwatch)" */
    const char *base_url;   /* the console's URL, for the incident's external reference;
                               NULL: none */
} ww_inc_stix_opts_t;

/* The incident as a STIX 2.1 bundle: the trust's identity, the incident (with
 * wardwatch's properties as x_wardwatch_* top-level properties, declared by an
 * extension-definition), a note per note, an observed-data per alert (its addresses
 * and an x-wardwatch-alert object) with a sighting tying them to the incident, an
 * observed-data per evidence file (a file object with its SHA-256), a
 * course-of-action per fire-break plan, and a grouping of all of them.  Ids are
 * stable: exporting twice gives the same ids.  Appends to out. */
int ww_incident_export_stix(ww_store_t *st, const ww_incident_t *inc, int64_t now,
                            const ww_inc_stix_opts_t *opts, ww_buf_t *out, ww_diag_t *diag);

#endif
