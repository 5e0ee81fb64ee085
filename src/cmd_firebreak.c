/* wardwatch firebreak: placeholder; the command is being written (see the open issues). */
#include "wardwatch.h"

int cmd_firebreak(int argc, char **argv)
{
    ww_cli_error("firebreak: not available yet");
    return WW_EXIT_ERROR;
}
