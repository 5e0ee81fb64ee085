/* The console: the security team's pages and JSON API (/api/v1), and the front door
 * for every member of staff (/report, /help), served by `wardwatch serve` on lib/web.
 *
 * ww_console.c owns the server, people (lib/auth: sign-in with TOTP, sign-out, the
 * session cookie, API tokens, the audit log), the overview and the helpers below.
 * Each area of the console is a module in its own file that hands over its routes:
 *
 *     ww_console_triage.c     alerts: groups, filters, bulk actions, suppressions
 *     ww_console_incidents.c  incidents: timeline, notes, evidence, ICO clock, export
 *     ww_console_estate.c     the register and audit, the fire-break map and plans
 *     ww_console_report.c     /report, /help (no sign-in)
 *     ww_console_intel.c      indicators and NHS cyber alerts
 *
 * A route's ud is NULL in the module's table; the console sets it to the ww_console_t
 * before the server starts, so every handler starts with `ww_console_t *c = ud;`.
 * Handlers run on several server threads at once: they reach the store only through
 * ww_console_db(), which gives each thread its own connection. */
#ifndef WW_CONSOLE_H
#define WW_CONSOLE_H

#include "auth/ww_auth.h"
#include "store/ww_store.h"
#include "web/ww_web.h"

/* What staff are told to do on /report, in the trust's own words where it has them. */
typedef struct ww_console_contacts {
    const char *service_desk;     /* "the IT service desk on 01632 960000 (24 hours)" */
    const char *phishing_address; /* where suspicious email is forwarded as an attachment */
    const char *csoc_phone;       /* the national CSOC, for out of hours */
} ww_console_contacts_t;

/* Ingest health for the overview, filled by serve (zeroes outside serve). */
typedef struct ww_console_health {
    uint64_t events_in, events_accepted, events_rejected, events_dropped;
    uint64_t alerts;
    uint64_t spool_bytes, spool_limit;
    uint32_t inputs;
    int64_t started;    /* s since the epoch */
    int64_t last_event; /* s since the epoch, 0: none yet */
    bool spool_full;
} ww_console_health_t;

/* Facts about a rule, for an alert's detail page (serve answers from its rules). */
typedef struct ww_console_rule {
    const char *id, *title, *description, *author, *status, *level;
    const char *references;     /* newline-separated */
    const char *tags;           /* comma-separated ("attack.t1110.001,...") */
    const char *falsepositives; /* newline-separated */
    const char *path;           /* the rule's file */
} ww_console_rule_t;

typedef struct ww_console_config {
    ww_web_config_t web;       /* listen, port, TLS, limits ...; routes and auth are set here */
    ww_auth_config_t auth;     /* sessions and passwords (ww_auth_config_default) */
    const char *store_path;    /* the store serve writes (alerts, auth, incidents, ...) */
    const char *register_path; /* the asset register's store, NULL: store_path */
    const char *state_dir;     /* the certificate, and files kept (evidence/, reports/) */
    const char *base_url;      /* the console's URL as people reach it (links, STIX), or NULL */
    const char *trust_name;    /* "Northshire Hospitals NHS Foundation Trust", or NULL */
    const char *fbmap_path;    /* the fire-break map file, NULL: the one stored */
    ww_console_contacts_t contacts;
    /* serve's live state; each may be NULL. */
    void (*health)(void *ud, ww_console_health_t *out);
    /* The rule with this id: 1 and *out (valid until the next call on this thread),
       0 when unknown. */
    int (*rule)(void *ud, const char *id, ww_console_rule_t *out);
    /* Tells serve that suppressions or indicators changed, so the engine re-reads them. */
    void (*changed)(void *ud, const char *what);
    /* A line for serve's log. */
    void (*log)(void *ud, const char *msg);
    void *ud;
} ww_console_config_t;

/* Fills c with defaults: loopback only, port 8443, self-signed certificate, the
 * auth defaults, the contacts' national defaults. */
void ww_console_config_default(ww_console_config_t *c);

typedef struct ww_console ww_console_t;

/* Builds the console (routes of every module, the auth tables migrated) and starts
 * listening.  cfg is copied; its strings are kept by pointer.  0, or WW_E* with diag. */
int ww_console_start(const ww_console_config_t *cfg, ww_console_t **out, ww_diag_t *diag);
/* Stops the server (waits for running handlers) and frees everything.  NULL: no-op. */
void ww_console_stop(ww_console_t *c);
int ww_console_port(const ww_console_t *c);
const ww_web_t *ww_console_web(const ww_console_t *c);
const ww_console_config_t *ww_console_cfg(const ww_console_t *c);

/* ---- for the modules' handlers ---------------------------------------------------- */

/* This thread's store connection and auth handle (opened on first use, closed when the
 * thread ends).  0, or WW_EIO/WW_ENOMEM with diag. */
typedef struct ww_console_db {
    ww_store_t *st;  /* the store: alerts, people, incidents, fire-break records ... */
    ww_store_t *reg; /* the asset register (== st when it lives in the same store) */
    ww_auth_t *auth;
} ww_console_db_t;
int ww_console_db(ww_console_t *c, ww_console_db_t **out, ww_diag_t *diag);

/* Who is asking: the session's user ("token:NAME" for an API token) and the address,
 * for ww_auth_audit_append and for records that say who did what. */
void ww_console_actor(const ww_web_req_t *req, ww_auth_actor_t *out);
/* True when the request's session may do actions of class act (lib/auth's matrix). */
bool ww_console_may(const ww_web_req_t *req, ww_action_t act);
/* True when the session re-authenticated with password and TOTP recently enough for
 * an action that needs it (fire-break apply); the page /reauth?next=PATH does it. */
bool ww_console_reauth_fresh(ww_console_t *c, const ww_web_req_t *req);
/* Appends to the audit log: who (from req), action ("alert.ack"), target, detail. */
int ww_console_audit(ww_console_t *c, const ww_web_req_t *req, const char *action,
                     const char *target, const char *detail);

/* An HTML page: sets the content type and writes the layout's head into resp->body
 * (title; current: the section's path for the navigation, e.g. "/alerts"). */
int ww_console_page_begin(ww_console_t *c, const ww_web_req_t *req, ww_web_resp_t *resp,
                          const char *title, const char *current);
int ww_console_page_end(ww_web_resp_t *resp);
/* A hidden csrf_token field for a form on a signed-in page. */
int ww_console_csrf_field(ww_buf_t *b, const ww_web_req_t *req);
/* A JSON answer: sets status and content type; the caller writes resp->body. */
void ww_console_json(ww_web_resp_t *resp, unsigned status);
/* Logs diag (with the request's path) to serve's log and fills resp with a plain 500
 * page or {"error":"internal error"}.  Returns 0 so a handler can `return` it. */
int ww_console_fail(ww_console_t *c, const ww_web_req_t *req, ww_web_resp_t *resp,
                    const ww_diag_t *diag);
/* ---- forms (ww_console_form.c): the NHS design system's markup, values escaped ---- */

/* The error summary at the top of a form or page: "There is a problem" as a heading of
 * level (2 above a form, 1 when the summary is the page's only heading) and msg, as a
 * link to the field #field_id, or as a paragraph when field_id is NULL. */
void ww_console_error_summary(ww_buf_t *b, int level, const char *msg, const char *field_id);
/* A form row up to its control: the group (marked when error is given), the label for
 * id, the hint (id "ID-hint") and the error message (id "ID-error") when given.  The
 * control goes next, with ww_console_described_by, then ww_console_field_end. */
void ww_console_field_begin(ww_buf_t *b, const char *id, const char *label, const char *hint,
                            const char *error);
/* The hint (id "ID-hint") and the error message (id "ID-error") of a row or fieldset. */
void ww_console_hint(ww_buf_t *b, const char *id, const char *hint);
void ww_console_error_message(ww_buf_t *b, const char *id, const char *error);
/* ` aria-describedby="ID-hint ID-error"` naming whichever of the two the row has;
 * nothing when neither. */
void ww_console_described_by(ww_buf_t *b, const char *id, bool hint, bool error);
void ww_console_field_end(ww_buf_t *b);

/* A labelled input in its form row.  Strings may be NULL unless said; they are kept
 * by the caller. */
typedef struct ww_console_input {
    const char *id;           /* required; also the name unless name is given */
    const char *name;         /* the form field's name when it differs from id */
    const char *label;        /* required */
    const char *hint;         /* under the label */
    const char *error;        /* marks the row and the input, says why */
    const char *value;        /* NULL: no value attribute */
    const char *type;         /* NULL: "text" */
    const char *autocomplete; /* "off", "username" ... */
    const char *width;        /* "4", "20": the design system's fixed widths */
    const char *extra;        /* more attributes as literal HTML, " inputmode=\"numeric\"" */
    int maxlength;            /* 0: none */
} ww_console_input_t;
void ww_console_input(ww_buf_t *b, const ww_console_input_t *in);

/* This thread's store for a handler, or NULL after resp was filled with the 500 page
 * (the failure logged): `if (!(db = ww_console_db_or_fail(c, req, resp))) return 0;` */
ww_console_db_t *ww_console_db_or_fail(ww_console_t *c, const ww_web_req_t *req,
                                       ww_web_resp_t *resp);

/* A time (s since the epoch) as "2026-12-03 17:40 UTC" into b. */
int ww_console_time(ww_buf_t *b, int64_t t);

/* The open alerts (new or acknowledged) and their groups (a rule on a host), counted
 * by the group's most urgent open priority.  Read from alert_open, five rows that
 * lib/alerts' triggers keep as alerts arrive and change status, so it answers at once
 * with millions of alerts; the overview and the board both show it. */
typedef struct ww_console_open {
    int64_t groups[6], alerts[6]; /* [1..5] */
    int64_t total;                /* open alerts over every row */
} ww_console_open_t;
/* 0 and *out, or WW_EIO/WW_ENOMEM with diag. */
int ww_console_open_alerts(ww_console_t *c, ww_console_open_t *out, ww_diag_t *diag);

/* Every route the console serves (its own and every module's), in the order they are
 * registered, without starting anything: for `wardwatch serve --routes` and the
 * authorization tests.  fn's route is valid during the call. */
void ww_console_each_route(void (*fn)(void *ud, const ww_web_route_t *r), void *ud);

/* ---- the modules ------------------------------------------------------------------ */

/* Each returns its routes (static storage) and their number. */
uint32_t ww_console_triage_routes(const ww_web_route_t **out);
uint32_t ww_console_incidents_routes(const ww_web_route_t **out);
uint32_t ww_console_estate_routes(const ww_web_route_t **out);
uint32_t ww_console_report_routes(const ww_web_route_t **out);
uint32_t ww_console_intel_routes(const ww_web_route_t **out);
uint32_t ww_console_admin_routes(const ww_web_route_t **out); /* people and tokens */

#endif
