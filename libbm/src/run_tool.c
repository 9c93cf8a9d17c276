/* Running an external tool (Verilator, the harness it built) and waiting
 * for it.  The library's only process spawning; used by the co-simulation. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

extern char **environ;

/* The environment tools get: only what locates programs and files and
 * chooses compilers.  A tool run from a program that `make` started (the
 * tests under `make sanitize`) must not inherit that make's variables:
 * Verilator's build runs make again, which reads OPT, CXXFLAGS, LDFLAGS,
 * MAKEFLAGS and the like from the environment. */
static int keep_variable(const char *entry)
{
    static const char *const keep[] = {"PATH=", "HOME=", "TMPDIR=", "LANG=", "LC_", "TZ=",
                                       "CC=", "CXX=", "VERILATOR_ROOT=", "SYSTEMC"};
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
        if (strncmp(entry, keep[i], strlen(keep[i])) == 0)
            return 1;
    return 0;
}

static char **tool_environment(bm_ctx *ctx)
{
    size_t n = 0;
    while (environ && environ[n])
        n++;
    char **env = bm_calloc(ctx, n + 1, sizeof *env);
    if (!env)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (keep_variable(environ[i]))
            env[k++] = environ[i];
    env[k] = NULL;
    return env;
}

int bm_run_tool(bm_ctx *ctx, char *const argv[], const char *cwd, const char *stdin_path,
                const char *stdout_path, const char *stderr_path, int *status)
{
    *status = -1;
    char **env = tool_environment(ctx);
    if (!env)
        return bm_oom(ctx);
    pid_t pid = fork();
    if (pid < 0) {
        bm_free(ctx, env);
        bm_error(ctx, bm_loc_make(NULL, 0, 0), "cannot start %s: %s", argv[0], strerror(errno));
        return BM_ETOOL;
    }
    if (pid == 0) {
        /* In the child only async-signal-safe calls until exec.  The
         * redirections come first: their paths are relative to the caller's
         * folder, not to cwd. */
        if (stdin_path) {
            int fd = open(stdin_path, O_RDONLY);
            if (fd < 0 || dup2(fd, 0) < 0)
                _exit(126);
            close(fd);
        }
        if (stdout_path) {
            int fd = open(stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd < 0 || dup2(fd, 1) < 0)
                _exit(126);
            close(fd);
        }
        if (stderr_path) {
            int fd = open(stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd < 0 || dup2(fd, 2) < 0)
                _exit(126);
            close(fd);
        }
        if (cwd && chdir(cwd) != 0)
            _exit(126);
        environ = env;
        execvp(argv[0], argv);
        _exit(127);
    }
    bm_free(ctx, env);
    int st;
    while (waitpid(pid, &st, 0) < 0) {
        if (errno != EINTR) {
            bm_error(ctx, bm_loc_make(NULL, 0, 0), "waiting for %s: %s", argv[0], strerror(errno));
            return BM_ETOOL;
        }
    }
    if (WIFEXITED(st)) {
        *status = WEXITSTATUS(st);
        if (*status == 127) {
            bm_error(ctx, bm_loc_make(NULL, 0, 0), "cannot run '%s': not found", argv[0]);
            return BM_ETOOL;
        }
        return BM_OK;
    }
    bm_error(ctx, bm_loc_make(NULL, 0, 0), "%s was killed by signal %d", argv[0],
             WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    return BM_ETOOL;
}
