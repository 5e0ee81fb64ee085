/* The console's the front door for staff: /report and /help, no sign-in.
 * (Routes arrive with the module's pages; until then it adds none.) */
#include "console/ww_console.h"

uint32_t ww_console_report_routes(const ww_web_route_t **out)
{
    *out = NULL;
    return 0;
}
