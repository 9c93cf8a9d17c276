/* The table of bmc commands, in the order `bmc --help` lists them.
 * A command lives in bmc/cmd_NAME.c and is added here. */
#include "bmc.h"

extern const bmc_command bmc_cmd_area;
extern const bmc_command bmc_cmd_asm;
extern const bmc_command bmc_cmd_check;
extern const bmc_command bmc_cmd_compile;
extern const bmc_command bmc_cmd_disasm;
extern const bmc_command bmc_cmd_dot;
extern const bmc_command bmc_cmd_eval;
extern const bmc_command bmc_cmd_explore;
extern const bmc_command bmc_cmd_fmt;
extern const bmc_command bmc_cmd_import;
extern const bmc_command bmc_cmd_isa;
extern const bmc_command bmc_cmd_profile;
extern const bmc_command bmc_cmd_random;
extern const bmc_command bmc_cmd_sim;
extern const bmc_command bmc_cmd_verify;
extern const bmc_command bmc_cmd_verilog;

const bmc_command *const bmc_commands[] = {
    &bmc_cmd_area,
    &bmc_cmd_asm,
    &bmc_cmd_check,
    &bmc_cmd_compile,
    &bmc_cmd_disasm,
    &bmc_cmd_dot,
    &bmc_cmd_eval,
    &bmc_cmd_explore,
    &bmc_cmd_fmt,
    &bmc_cmd_import,
    &bmc_cmd_isa,
    &bmc_cmd_profile,
    &bmc_cmd_random,
    &bmc_cmd_sim,
    &bmc_cmd_verify,
    &bmc_cmd_verilog,
};

const unsigned bmc_command_count = sizeof bmc_commands / sizeof bmc_commands[0];
