/* wardwatch assets: placeholder; the command is being written (see the open issues). */
#include "wardwatch.h"

int cmd_assets(int argc, char **argv)
{
    ww_cli_error("assets: not available yet");
    return WW_EXIT_ERROR;
}
