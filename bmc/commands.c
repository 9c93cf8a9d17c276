/* The table of bmc commands, in the order `bmc --help` lists them.
 * A command lives in bmc/cmd_NAME.c and is added here. */
#include "bmc.h"

extern const bmc_command bmc_cmd_check;
extern const bmc_command bmc_cmd_fmt;
extern const bmc_command bmc_cmd_isa;
extern const bmc_command bmc_cmd_verilog;

const bmc_command *const bmc_commands[] = {
    &bmc_cmd_check,
    &bmc_cmd_fmt,
    &bmc_cmd_isa,
    &bmc_cmd_verilog,
};

const unsigned bmc_command_count = sizeof bmc_commands / sizeof bmc_commands[0];
