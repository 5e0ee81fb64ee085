/* The console's incidents: timeline, notes, evidence, the ICO clock, JSON and STIX export.
 * (Routes arrive with the module's pages; until then it adds none.) */
#include "console/ww_console.h"

uint32_t ww_console_incidents_routes(const ww_web_route_t **out)
{
    *out = NULL;
    return 0;
}
