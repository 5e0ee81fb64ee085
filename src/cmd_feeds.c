/* wardwatch feeds: placeholder; the command is being written (see the open issues). */
#include "wardwatch.h"

int cmd_feeds(int argc, char **argv)
{
    ww_cli_error("feeds: not available yet");
    return WW_EXIT_ERROR;
}
