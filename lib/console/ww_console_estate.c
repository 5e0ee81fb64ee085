/* The console's the estate: register, audit findings, fire-break map and plans.
 * (Routes arrive with the module's pages; until then it adds none.) */
#include "console/ww_console.h"

uint32_t ww_console_estate_routes(const ww_web_route_t **out)
{
    *out = NULL;
    return 0;
}
