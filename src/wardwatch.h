/* Shared declarations for the wardwatch executable: one function per subcommand. */
#ifndef WARDWATCH_CLI_H
#define WARDWATCH_CLI_H

#include <stdio.h>

/* Exit codes shared by every command. */
enum { WW_EXIT_OK = 0, WW_EXIT_MATCH = 1, WW_EXIT_ERROR = 2 };

typedef int (*ww_cmd_fn)(int argc, char **argv);

int cmd_hunt(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_decode(int argc, char **argv);

/* Prints "wardwatch: <msg>" on stderr. */
void ww_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Installs a stderr log callback at the given verbosity. */
void ww_cli_log_init(int verbose);

#endif
