/* systemd's readiness protocol without libsystemd: a datagram to $NOTIFY_SOCKET
 * ("READY=1", "WATCHDOG=1", "STOPPING=1", "STATUS=..."), and the watchdog interval
 * systemd asks for ($WATCHDOG_USEC).  Outside systemd both are no-ops. */
#ifndef WW_SDNOTIFY_H
#define WW_SDNOTIFY_H

#include <stdint.h>

/* Sends one state line; 0 sent, 1 not under systemd, -1 failed. */
int ww_sd_notify(const char *state);
/* Microseconds between watchdog pings systemd expects (half its WatchdogSec), 0 for
 * none. */
uint64_t ww_sd_watchdog_usec(void);

#endif
