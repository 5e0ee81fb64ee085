/* Private to lib/firebreak: the YAML tree the map parser walks. */
#ifndef WW_FB_INT_H
#define WW_FB_INT_H

#include "firebreak/ww_firebreak.h"
#include "util/ww_yaml.h"

/* The map is read with the shared YAML reader (util/ww_yaml.h): one document, no
 * aliases, nodes with their line and column. */

#endif
