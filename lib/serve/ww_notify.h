/* Telling people: the notifiers of `serve` (webhook, email, syslog/CEF).
 *
 * A new alert at or above a notifier's min_level is queued for it in the alert store,
 * in the same transaction that stores the alert, so a crash can neither lose a
 * notification nor send one for an alert that was not kept.  A notifier thread sends
 * what is due, one attempt at a time per notification, with growing pauses between
 * attempts (2 s, 4 s, 8 s ... at most 5 min); after `retries` failed attempts the
 * notification is kept as dead-lettered with its last error, for `wardwatch alerts
 * --dead-letters` and the metrics.  A notification carries the alert's id, title,
 * level, priority, host, time and a link -- never the event itself. */
#ifndef WW_NOTIFY_H
#define WW_NOTIFY_H

#include "alerts/ww_alerts.h"
#include "serve/ww_serve_config.h"
#include "store/ww_store.h"

typedef struct ww_notify ww_notify_t;

/* The notification queue's table (module "notify"). */
int ww_notify_migrate(ww_store_t *st, ww_diag_t *diag);
/* Inside the caller's transaction: queues the alert for every notifier that wants it. */
int ww_notify_queue(ww_store_t *st, const ww_serve_config_t *cfg, const ww_alert_t *a,
                    ww_diag_t *diag);

/* Starts the sender thread on its own connection to the store at db_path. */
int ww_notify_start(const ww_serve_config_t *cfg, const char *db_path, ww_notify_t **out,
                    ww_diag_t *diag);
/* Wakes the sender (something was queued). */
void ww_notify_kick(ww_notify_t *n);
void ww_notify_stop(ww_notify_t *n);

typedef struct ww_notify_stats {
    uint64_t sent, failed_attempts, dead, queued;
} ww_notify_stats_t;
void ww_notify_get_stats(ww_notify_t *n, ww_notify_stats_t *out);

/* Every dead-lettered notification, oldest first: the alert, the notifier, how many
 * attempts and the last error.  fn's strings are valid during the call; a non-zero
 * return stops the walk and is returned. */
typedef int (*ww_notify_dead_fn)(void *ud, const char *alert_id, const char *title,
                                 const char *notifier, int attempts, const char *error);
int ww_notify_dead_each(ww_store_t *st, ww_notify_dead_fn fn, void *ud, ww_diag_t *diag);

/* The texts sent, for tests: the webhook's JSON body, the CEF line, the mail. */
void ww_notify_webhook_body(const ww_alert_t *a, const char *link, ww_buf_t *out);
void ww_notify_cef_line(const ww_alert_t *a, const char *link, ww_buf_t *out);

#endif
