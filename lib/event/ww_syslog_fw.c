/* Firewall messages (stub). */
#include "event/ww_syslog_int.h"
int ww__fw_netfilter(ww_event_t *ev, ww_str_t msg) { (void)ev; (void)msg; return 0; }
int ww__fw_fortigate(ww_event_t *ev, ww_str_t msg) { (void)ev; (void)msg; return 0; }
int ww__fw_asa(ww_event_t *ev, ww_str_t msg) { (void)ev; (void)msg; return 0; }
