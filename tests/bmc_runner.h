/* Running bmc (its path in the BMC environment variable, which `make test`
 * sets) as a separate program and collecting its exit status, standard
 * output and standard error.  Header-only, for the CLI suites. */
#ifndef BM_TEST_BMC_RUNNER_H
#define BM_TEST_BMC_RUNNER_H

#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <criterion/criterion.h>

#include "helpers.h"

extern char **environ;

typedef struct bmc_result {
    int status; /* exit status, -1 when killed */
    char *out, *err;
} bmc_result;

/* Runs bmc with the NULL-terminated arguments; its output goes through
 * files in `scratch` (an existing folder). */
static inline bmc_result bmc_run(const char *scratch, const char *arg, ...)
{
    const char *argv[40];
    int n = 0;
    argv[n++] = "bmc";
    va_list ap;
    va_start(ap, arg);
    for (const char *a = arg; a && n < 39; a = va_arg(ap, const char *))
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    const char *bmc = getenv("BMC");
    cr_assert_not_null(bmc, "set BMC to the path of bmc (make test does)");
    char out_path[300], err_path[300];
    snprintf(out_path, sizeof out_path, "%s/.stdout", scratch);
    snprintf(err_path, sizeof err_path, "%s/.stderr", scratch);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    cr_assert_eq(posix_spawn(&pid, bmc, &fa, NULL, (char *const *)argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    bmc_result r;
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(out_path, NULL);
    r.err = slurp(err_path, NULL);
    cr_assert(r.out && r.err);
    return r;
}

static inline void bmc_result_free(bmc_result *r)
{
    free(r->out);
    free(r->err);
}

#endif
