/* auditd (stub). */
#include "event/ww_syslog_int.h"
int ww__auditd_record(ww_event_t *ev, ww_str_t msg) { (void)ev; (void)msg; return 0; }
