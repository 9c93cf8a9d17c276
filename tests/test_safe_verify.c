/* bmc verify with hostile work folders (issue 9): shell and make syntax in
 * --work and in $TMPDIR must never be run or expanded, and a path GNU make
 * cannot build in is refused before anything is created. */
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bmc_runner.h"

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/bm_test_safe_verify_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(safe_verify, .init = setup, .fini = teardown, .timeout = 600);

/* 1 when a file named `name` exists anywhere under `root`. */
static int found_under(const char *root, const char *name)
{
    DIR *d = opendir(root);
    if (!d)
        return 0;
    int found = 0;
    struct dirent *e;
    while (!found && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (!strcmp(e->d_name, name))
            found = 1;
        char sub[1024];
        struct stat st;
        snprintf(sub, sizeof sub, "%s/%s", root, e->d_name);
        if (!found && lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
            found = found_under(sub, name);
    }
    closedir(d);
    return found;
}

static const char agree[] = "verify: acc8: RTL and simulator agree on all 3 output transfers "
                            "(29 cycles; simulator stopped: end of input)\n";

/* The attack of issue 9, with make's $(HOME) and both quotes added: the
 * build must succeed in exactly that folder and run nothing. */
Test(safe_verify, shell_and_make_syntax_in_work_is_inert)
{
    char work[256], binary[300];
    snprintf(work, sizeof work, "%s/w`id>PWNED`x$(HOME)\"q'", dir);
    bmc_result r = bmc_run(dir, "verify", "examples/acc8.xml", "--in", "a=1,2,3", "--work", work,
                           NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_str_eq(r.out, agree);
    bmc_result_free(&r);
    cr_expect(!found_under(dir, "PWNED"), "a command in the work folder's name was run");
    snprintf(binary, sizeof binary, "%s/obj/tb", work);
    cr_expect_eq(access(binary, X_OK), 0, "the harness was not built in the folder named");
}

Test(safe_verify, shell_and_make_syntax_in_tmpdir_is_inert)
{
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s/t`id>PWNED`$(HOME)", dir);
    cr_assert_eq(mkdir(tmp, 0700), 0);
    cr_assert_eq(setenv("TMPDIR", tmp, 1), 0);
    bmc_result r = bmc_run(dir, "verify", "examples/acc8.xml", "--in", "a=1,2,3", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_str_eq(r.out, agree);
    bmc_result_free(&r);
    cr_expect(!found_under(dir, "PWNED"), "a command in $TMPDIR was run");
}

/* GNU make cannot build under white space: a clear refusal, and nothing
 * created or run. */
Test(safe_verify, white_space_in_work_is_refused_before_anything_is_made)
{
    char work[256], err[512];
    snprintf(work, sizeof work, "%s/with space", dir);
    bmc_result r = bmc_run(dir, "verify", "examples/acc8.xml", "--in", "a=1,2,3", "--work", work,
                           NULL);
    cr_expect_eq(r.status, 1);
    snprintf(err, sizeof err,
             "%s: error: the work folder's path holds white space, where GNU make (Verilator's "
             "build) cannot work; choose another work folder\n",
             work);
    cr_expect_str_eq(r.err, err);
    bmc_result_free(&r);
    cr_expect_neq(access(work, F_OK), 0, "the refused folder was created");
}

Test(safe_verify, a_missing_parent_folder_is_named_as_the_reason)
{
    char work[256], err[512];
    snprintf(work, sizeof work, "%s/no/such", dir);
    bmc_result r = bmc_run(dir, "verify", "examples/acc8.xml", "--in", "a=1", "--work", work,
                           NULL);
    cr_expect_eq(r.status, 1);
    snprintf(err, sizeof err,
             "%s: error: cannot create the folder: its parent folder does not exist\n", work);
    cr_expect_str_eq(r.err, err);
    bmc_result_free(&r);
}
