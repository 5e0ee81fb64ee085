/* wardwatch decode: placeholder until the command lands (being written in this change). */
#include "wardwatch.h"

int cmd_decode(int argc, char **argv)
{
    ww_cli_error("decode: not built yet");
    return WW_EXIT_ERROR;
}
