/* wardwatch audit: placeholder; the command is being written (see the open issues). */
#include "wardwatch.h"

int cmd_audit(int argc, char **argv)
{
    ww_cli_error("audit: not available yet");
    return WW_EXIT_ERROR;
}
