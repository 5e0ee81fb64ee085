/* wardwatch rules: placeholder until the command lands (being written in this change). */
#include "wardwatch.h"

int cmd_rules(int argc, char **argv)
{
    ww_cli_error("rules: not built yet");
    return WW_EXIT_ERROR;
}
