/* The console's alerts: groups by rule and host, filters, bulk actions, alert detail, suppressions.
 * (Routes arrive with the module's pages; until then it adds none.) */
#include "console/ww_console.h"

uint32_t ww_console_triage_routes(const ww_web_route_t **out)
{
    *out = NULL;
    return 0;
}
