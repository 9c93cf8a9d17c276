/* bmc: the libbm command-line tool.  Dispatches to one command per file
 * (bmc/cmd_*.c, listed in bmc/commands.c). */
#include <errno.h>
#include <string.h>

#include "bmc.h"

static void print_help(FILE *out)
{
    fprintf(out,
            "Usage: bmc COMMAND [OPTIONS] [ARGS]\n"
            "       bmc --help | --version\n"
            "\n"
            "Generate, check and simulate BondMachine-style multi-core processors.\n"
            "\n"
            "Commands:\n");
    for (unsigned i = 0; i < bmc_command_count; i++)
        fprintf(out, "  %-10s %s\n", bmc_commands[i]->name, bmc_commands[i]->summary);
    fprintf(out,
            "\n"
            "'bmc COMMAND --help' describes a command.\n"
            "Exit status: 0 success, 1 bad input or a failed check, 2 usage error.\n"
            "Diagnostics are printed to stderr as FILE:LINE:COL: error: MESSAGE; past\n"
            "100 errors only a count is printed.\n"
            "\n"
            "Environment:\n"
            "  BMC_INPUT_LIMIT   the largest input file read, in bytes, with an optional\n"
            "                    K, M or G suffix (default 256M; 0: no limit)\n");
}

/* Output that could not be written (a full disk, a closed pipe, /dev/full)
 * fails the command, even when the failure shows only at the final flush.
 * A command that failed already has said why (its own "cannot write the
 * output", or the error that stopped it): one message, not two. */
static int finish(int status)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (status != BMC_EXIT_OK)
            return status;
        fprintf(stderr, "bmc: cannot write to standard output: %s\n", strerror(errno));
        return BMC_EXIT_FAIL;
    }
    return status;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        print_help(stderr);
        return BMC_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        if (argc > 2 && strcmp(cmd, "help") == 0) {
            const bmc_command *c = bmc_find_command(argv[2]);
            if (!c)
                return bmc_usage_error(NULL, "unknown command '%s'", argv[2]);
            c->help(stdout);
            return BMC_EXIT_OK;
        }
        print_help(stdout);
        return BMC_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("bmc (libbm) %s\n", bm_version());
        return BMC_EXIT_OK;
    }
    if (cmd[0] == '-')
        return bmc_usage_error(NULL, "unknown option '%s'", cmd);
    const bmc_command *c = bmc_find_command(cmd);
    if (!c)
        return bmc_usage_error(NULL, "unknown command '%s'", cmd);
    if (bmc_wants_help(argc - 1, argv + 1, c))
        return BMC_EXIT_OK;
    bmc_command_name = c->name;
    return c->run(argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
    return finish(dispatch(argc, argv));
}
