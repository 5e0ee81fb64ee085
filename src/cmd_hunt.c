/* wardwatch hunt: placeholder until the command lands (being written in this change). */
#include "wardwatch.h"

int cmd_hunt(int argc, char **argv)
{
    ww_cli_error("hunt: not built yet");
    return WW_EXIT_ERROR;
}
