/* Outputs that never destroy (issue 9, docs/outputs.md): temporary files
 * that cannot be hijacked, symbolic links written through, devices and
 * FIFOs written straight, folders whose other files are kept, commands that
 * write all their outputs or none, and no temporary file left by a kill. */
/* mknod() is X/Open. */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "bmc_runner.h"
#include "internal.h"

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/bm_test_safe_outputs_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(safe_outputs, .init = setup, .fini = teardown, .timeout = 120);

static const char *at(const char *name)
{
    static char buf[4][300];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static int is_link(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* The names in folder d, sorted and joined by spaces (static buffer). */
static const char *listing(const char *d)
{
    static char out[2048];
    char names[64][256];
    int n = 0;
    DIR *h = opendir(d);
    cr_assert_not_null(h, "cannot open %s", d);
    struct dirent *e;
    while ((e = readdir(h)) != NULL && n < 64)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, ".stdout") &&
            strcmp(e->d_name, ".stderr"))
            snprintf(names[n++], sizeof names[0], "%s", e->d_name);
    closedir(h);
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char t[256];
            memcpy(t, names[j], sizeof t);
            memcpy(names[j], names[j - 1], sizeof t);
            memcpy(names[j - 1], t, sizeof t);
        }
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (i)
            strcat(out, " ");
        strncat(out, names[i], sizeof out - strlen(out) - 2);
    }
    return out;
}

static char *canonical(const char *machine)
{
    bmc_result r = bmc_run(dir, "fmt", machine, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    free(r.err);
    return r.out;
}

/* The attack of issue 9: a link planted under the name the old code used
 * for its temporary file (PATH.tmp<PID>) must neither be followed nor end
 * up as the output. */
Test(safe_outputs, a_link_planted_under_a_temporary_name_is_not_followed)
{
    char planted[400];
    spit(at("victim"), "precious\n");
    snprintf(planted, sizeof planted, "%s.tmp%ld", at("out.xml"), (long)getpid());
    cr_assert_eq(symlink(at("victim"), planted), 0);
    bm_ctx *ctx;
    bm_machine *m;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    cr_assert_eq(bm_machine_read_file(&m, ctx, "examples/acc8.xml"), 0);
    cr_expect_eq(bm_machine_write_file(m, at("out.xml")), 0);
    char *victim = slurp(at("victim"), NULL);
    cr_expect_str_eq(victim, "precious\n", "the planted link was followed");
    free(victim);
    cr_expect(!is_link(at("out.xml")), "the output became the planted link");
    char *out = slurp(at("out.xml"), NULL);
    cr_expect(out && strstr(out, "<machine"), "no machine written");
    free(out);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

/* Where O_TMPFILE is missing the temporary file has a random name in the
 * target's folder, made afresh (O_EXCL) and removed when discarded. */
Test(safe_outputs, named_temporary_files_are_random_fresh_and_removed)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_outfile a, b;
    cr_assert_eq(bm_outfile_open(ctx, &a, at("out.txt"), BM_OUTFILE_NAMED_TEMP), 0);
    cr_assert_eq(bm_outfile_open(ctx, &b, at("out.txt"), BM_OUTFILE_NAMED_TEMP), 0);
    cr_assert(a.tmp && b.tmp);
    cr_expect_str_neq(a.tmp, b.tmp);
    char prefix[400];
    snprintf(prefix, sizeof prefix, "%s/.out.txt.tmp-", dir);
    cr_expect_eq(strncmp(a.tmp, prefix, strlen(prefix)), 0, "%s", a.tmp);
    cr_expect_eq(strlen(a.tmp), strlen(prefix) + 12);
    struct stat st;
    cr_expect(lstat(a.tmp, &st) == 0 && S_ISREG(st.st_mode));
    cr_expect_eq(bm_outfile_write(ctx, &a, "new\n", 4), 0);
    char *tmp_b = strdup(b.tmp);
    bm_outfile_discard(ctx, &b);
    cr_expect(!exists(tmp_b), "a discarded temporary file stays");
    free(tmp_b);
    cr_expect_eq(bm_outfile_commit(ctx, &a), 0);
    cr_expect_str_eq(listing(dir), "out.txt");
    bm_ctx_free(ctx);
}

Test(safe_outputs, a_symbolic_link_is_written_through_and_stays_a_link)
{
    cr_assert_eq(mkdir(at("sub"), 0777), 0);
    spit(at("sub/target.xml"), "old\n");
    cr_assert_eq(symlink("sub/target.xml", at("hop.xml")), 0); /* relative */
    cr_assert_eq(symlink(at("hop.xml"), at("link.xml")), 0);   /* a chain */
    cr_assert_eq(symlink("sub/new.xml", at("dangling.xml")), 0);
    bmc_result r = bmc_run(dir, "fmt", "examples/acc8.xml", "-o", at("link.xml"), NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    bmc_result_free(&r);
    r = bmc_run(dir, "fmt", "examples/acc8.xml", "-o", at("dangling.xml"), NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    bmc_result_free(&r);
    cr_expect(is_link(at("link.xml")) && is_link(at("hop.xml")) && is_link(at("dangling.xml")));
    char *want = canonical("examples/acc8.xml");
    char *got = slurp(at("sub/target.xml"), NULL), *made = slurp(at("sub/new.xml"), NULL);
    cr_expect_str_eq(got ? got : "", want);
    cr_expect_str_eq(made ? made : "", want);
    free(got);
    free(made);
    free(want);
    cr_expect_str_eq(listing(at("sub")), "new.xml target.xml");
}

/* A character device: a private node of /dev/null's kind where mknod is
 * allowed (root), else /dev/null itself, which an unprivileged user cannot
 * replace anyway. */
Test(safe_outputs, a_device_is_written_straight_never_replaced)
{
    const char *dev = at("null");
    if (mknod(dev, S_IFCHR | 0666, makedev(1, 3)) != 0)
        dev = "/dev/null";
    struct stat before, after;
    cr_assert_eq(stat(dev, &before), 0);
    cr_assert(S_ISCHR(before.st_mode));
    bmc_result r = bmc_run(dir, "fmt", "examples/acc8.xml", "-o", dev, NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    bmc_result_free(&r);
    r = bmc_run(dir, "compile", "examples/graph/expr.bmg", "-o", dev, NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    bmc_result_free(&r);
    r = bmc_run(dir, "sim", "examples/acc8.xml", "--in", "a=1,2", "--outputs", "2", "--vcd", dev, NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    bmc_result_free(&r);
    cr_assert_eq(stat(dev, &after), 0);
    cr_expect(S_ISCHR(after.st_mode), "%s is no longer a device", dev);
    cr_expect_eq(after.st_ino, before.st_ino, "%s was replaced", dev);
    cr_expect_eq(after.st_rdev, before.st_rdev);
    cr_expect_str_eq(listing(dir), strcmp(dev, "/dev/null") ? "null" : "");
}

Test(safe_outputs, a_fifo_is_written_straight_to_its_reader)
{
    cr_assert_eq(mkfifo(at("fifo"), 0600), 0);
    pid_t reader = fork();
    cr_assert_geq(reader, 0);
    if (reader == 0) {
        alarm(60); /* never outlive a failed test */
        FILE *in = fopen(at("fifo"), "rb"), *out = fopen(at("got"), "wb");
        int c;
        while (in && out && (c = fgetc(in)) != EOF)
            fputc(c, out);
        _exit(in && out && fclose(out) == 0 ? 0 : 1);
    }
    bmc_result r = bmc_run(dir, "fmt", "examples/acc8.xml", "-o", at("fifo"), NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    bmc_result_free(&r);
    struct stat st;
    int still_fifo = lstat(at("fifo"), &st) == 0 && S_ISFIFO(st.st_mode);
    if (!still_fifo)
        kill(reader, SIGKILL); /* it would wait for a writer forever */
    int status;
    cr_assert_eq(waitpid(reader, &status, 0), reader);
    cr_assert(still_fifo, "the FIFO was replaced");
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char *want = canonical("examples/acc8.xml"), *got = slurp(at("got"), NULL);
    cr_expect_str_eq(got ? got : "", want);
    free(want);
    free(got);
}

Test(safe_outputs, a_replaced_file_keeps_its_permissions)
{
    spit(at("out.xml"), "old\n");
    cr_assert_eq(chmod(at("out.xml"), 0640), 0);
    bmc_result r = bmc_run(dir, "fmt", "examples/acc8.xml", "-o", at("out.xml"), NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    bmc_result_free(&r);
    struct stat st;
    cr_assert_eq(stat(at("out.xml"), &st), 0);
    cr_expect_eq(st.st_mode & 07777, 0640, "mode %o", (unsigned)(st.st_mode & 07777));
}

Test(safe_outputs, a_verilog_folder_keeps_the_files_libbm_did_not_write)
{
    bmc_result r = bmc_run(dir, "verilog", "examples/acc8.xml", "-o", at("V"), NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    bmc_result_free(&r);
    spit(at("V/notes.txt"), "mine\n");
    cr_assert_eq(mkdir(at("V/sub"), 0777), 0);
    spit(at("V/sub/x.sdc"), "mine too\n");
    r = bmc_run(dir, "verilog", "examples/lookup.xml", "-o", at("V"), NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_str_eq(r.err, "");
    bmc_result_free(&r);
    /* acc8's files went (its MANIFEST listed them), the user's stayed, and
     * nothing is left next to V */
    cr_expect_str_eq(listing(at("V")),
                     "MANIFEST files.f lookup.v lookup_table.v notes.txt sub");
    cr_expect_str_eq(listing(at("V/sub")), "x.sdc");
    cr_expect_str_eq(listing(dir), "V");
    char *notes = slurp(at("V/notes.txt"), NULL);
    cr_expect_str_eq(notes ? notes : "", "mine\n");
    free(notes);
}

Test(safe_outputs, a_file_the_manifest_does_not_list_is_never_replaced)
{
    bmc_result r = bmc_run(dir, "verilog", "examples/lookup.xml", "-o", at("V"), NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    bmc_result_free(&r);
    spit(at("V/acc8.v"), "my own acc8\n");
    r = bmc_run(dir, "verilog", "examples/acc8.xml", "-o", at("V"), NULL);
    cr_expect_eq(r.status, 1);
    char want[600];
    snprintf(want, sizeof want,
             "%s/acc8.v: error: refusing to replace it: the folder's MANIFEST does not list it, "
             "so libbm did not write it; move it away or choose another folder\n",
             at("V"));
    cr_expect_str_eq(r.err, want);
    bmc_result_free(&r);
    char *mine = slurp(at("V/acc8.v"), NULL);
    cr_expect_str_eq(mine ? mine : "", "my own acc8\n");
    free(mine);
    cr_expect_str_eq(listing(at("V")), "MANIFEST acc8.v files.f lookup.v lookup_table.v");
    cr_expect_str_eq(listing(dir), "V");
}

/* A MANIFEST is data from disk: names with a folder in them, and folders,
 * are never deleted on its word. */
Test(safe_outputs, a_hostile_manifest_cannot_delete_elsewhere)
{
    cr_assert_eq(mkdir(at("V"), 0777), 0);
    cr_assert_eq(mkdir(at("V/keep"), 0777), 0);
    spit(at("victim"), "precious\n");
    char manifest[600];
    snprintf(manifest, sizeof manifest, "# libbm Verilog output\n../victim\n%s\nkeep\n..\n.\n",
             at("victim"));
    spit(at("V/MANIFEST"), manifest);
    bmc_result r = bmc_run(dir, "verilog", "examples/acc8.xml", "-o", at("V"), NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    bmc_result_free(&r);
    cr_expect(exists(at("victim")), "a file outside the folder was deleted");
    cr_expect(exists(at("V/keep")), "a folder was deleted");
    cr_expect_str_eq(listing(at("V")), "MANIFEST acc8.v acc8_acc.v files.f keep");
}

Test(safe_outputs, compile_writes_every_output_or_none)
{
    bmc_result r = bmc_run(dir, "compile", "examples/networks/iris.xml", "--test",
                           "examples/networks/iris-test.csv", "--labels", "--stimulus", at("S"),
                           "--verilog", at("V"), "-o", at("missing-dir/x.xml"), NULL);
    cr_expect_eq(r.status, 1);
    char want[400];
    snprintf(want, sizeof want, "%s: error: cannot write: its folder does not exist\n",
             at("missing-dir/x.xml"));
    cr_expect(strstr(r.err, want), "%s", r.err);
    bmc_result_free(&r);
    cr_expect_str_eq(listing(dir), "", "something was written");

    r = bmc_run(dir, "compile", "examples/networks/iris.xml", "--test",
                "examples/networks/iris-test.csv", "--labels", "--stimulus", at("S"), "--verilog",
                at("V"), "-o", at("x.xml"), NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    bmc_result_free(&r);
    cr_expect_str_eq(listing(dir), "S V x.xml");
}

Test(safe_outputs, random_writes_every_output_or_none_and_says_why)
{
    bmc_result r = bmc_run(dir, "random", "--seed", "3", "-o", at("r.xml"), "--stimulus",
                           at("missing-dir/s"), NULL);
    cr_expect_eq(r.status, 1);
    char want[400];
    snprintf(want, sizeof want, "%s: error: cannot write: its folder does not exist\n",
             at("missing-dir/s"));
    cr_expect_str_eq(r.err, want);
    bmc_result_free(&r);
    cr_expect_str_eq(listing(dir), "");
}

/* Runs bmc sim on a machine that never stops and kills it mid-run. */
static void kill_sim_writing_vcd(int sig)
{
    spit(at("free.s"), "loop:\n    out o0, r0\n    inc r0\n    j loop\n");
    bmc_result r = bmc_run(dir, "asm", at("free.s"), "-o", at("free.xml"), NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    bmc_result_free(&r);
    const char *bmc = getenv("BMC");
    cr_assert_not_null(bmc);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execl(bmc, "bmc", "sim", at("free.xml"), "--cycles", "0", "--vcd", at("w.vcd"),
              (char *)NULL);
        _exit(127);
    }
    /* until the run is well under way: 300 ms */
    struct timespec t = {0, 300 * 1000 * 1000};
    nanosleep(&t, NULL);
    cr_assert_eq(kill(pid, sig), 0);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == sig, "bmc sim ended before the kill");
    cr_expect_str_eq(listing(dir), "free.s free.xml", "a killed run left files behind");
}

Test(safe_outputs, a_killed_sim_leaves_no_vcd_behind)
{
    kill_sim_writing_vcd(SIGTERM);
}

Test(safe_outputs, a_sim_killed_by_sigkill_leaves_no_vcd_behind)
{
    kill_sim_writing_vcd(SIGKILL);
}

/* A run that fails after the VCD was started (here: the GTKWave file cannot
 * be written) leaves an earlier VCD of that name as it was. */
Test(safe_outputs, a_failed_sim_keeps_an_earlier_vcd)
{
    spit(at("free.s"), "loop:\n    out o0, r0\n    inc r0\n    j loop\n");
    bmc_result r = bmc_run(dir, "asm", at("free.s"), "-o", at("free.xml"), NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    bmc_result_free(&r);
    spit(at("w.vcd"), "earlier\n");
    r = bmc_run(dir, "sim", at("free.xml"), "--cycles", "20", "--vcd", at("w.vcd"), "--gtkw",
                at("missing-dir/w.gtkw"), NULL);
    cr_expect_eq(r.status, 1, "exit %d", r.status);
    bmc_result_free(&r);
    char *text = slurp(at("w.vcd"), NULL);
    cr_expect_str_eq(text ? text : "", "earlier\n", "the failed run replaced the VCD");
    free(text);
    cr_expect_str_eq(listing(dir), "free.s free.xml w.vcd", "the failed run left files behind");
}

/* A diagnostic that is about no file names the command, like the rest. */
Test(safe_outputs, a_message_about_no_file_names_the_command)
{
    bmc_result r = bmc_run(dir, "verify", "examples/acc8.xml", "--in", "a=1", "--work", at("w"),
                           "--verilator", "/nonexistent/verilator", NULL);
    cr_expect_eq(r.status, 1, "exit %d", r.status);
    cr_expect_str_eq(r.err, "bmc verify: error: cannot run '/nonexistent/verilator': not found\n");
    bmc_result_free(&r);
}

/* A bad --name is the option's fault, not the program's first line. */
Test(safe_outputs, a_bad_asm_name_is_a_usage_error)
{
    spit(at("p.s"), "loop:\n    j loop\n");
    bmc_result r = bmc_run(dir, "asm", at("p.s"), "--name", "x;y", "-o", at("p.xml"), NULL);
    cr_expect_eq(r.status, 2, "exit %d", r.status);
    cr_expect(strstr(r.err, "bmc asm: --name needs an identifier (a letter or '_', then letters, "
                            "digits or '_', at most 64 characters)\n") == r.err,
              "%s", r.err);
    bmc_result_free(&r);
    cr_expect_str_eq(listing(dir), "p.s");
}

Test(safe_outputs, an_empty_output_name_is_a_usage_error)
{
    bmc_result r = bmc_run(dir, "verilog", "examples/acc8.xml", "-o", "", NULL);
    cr_expect_eq(r.status, 2);
    cr_expect(strstr(r.err, "bmc verilog: -o needs a folder name, not an empty string\n") == r.err,
              "%s", r.err);
    bmc_result_free(&r);
}

/* --top names files too: a bad or overlong one is a usage error up front,
 * and the message does not echo the (possibly hostile) text. */
Test(safe_outputs, a_bad_top_name_is_a_usage_error)
{
    char longest[66];
    memset(longest, 'a', 65);
    longest[65] = '\0';
    const char *bad[] = {"x;y", "9x", "a\033[31m", longest};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bmc_result r = bmc_run(dir, "verilog", "examples/acc8.xml", "-o", at("V"), "--top", bad[i],
                               NULL);
        cr_expect_eq(r.status, 2, "--top '%s': exit %d", bad[i], r.status);
        cr_expect(strstr(r.err, "bmc verilog: --top needs an identifier (letters, digits, '_', "
                                "not starting with a digit) of at most 64 characters\n") == r.err,
                  "%s", r.err);
        bmc_result_free(&r);
    }
    longest[64] = '\0';
    bmc_result r = bmc_run(dir, "verilog", "examples/acc8.xml", "-o", at("V"), "--top", longest,
                           NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    bmc_result_free(&r);
    cr_expect_str_eq(listing(dir), "V");
}
