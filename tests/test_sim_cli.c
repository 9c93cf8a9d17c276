/* `bmc sim` run as a program (BMC holds its path): the text and JSON
 * formats, stderr summary, exit codes, stimulus files, ready patterns and
 * the VCD file. */
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim_helpers.h"

extern char **environ;

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/bm_test_sim_cli_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(sim_cli, .init = setup, .fini = teardown);

typedef struct result {
    int status;
    char out[8192], err[8192];
} result;

static void slurp_into(const char *path, char *buf, size_t size)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
}

static char *path_in_dir(const char *name)
{
    static char buf[4][160];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, 160, "%s/%s", dir, name);
    return p;
}

static void write_file(const char *name, const char *text)
{
    FILE *f = fopen(path_in_dir(name), "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

/* Runs "bmc sim ARGS..." (NULL-terminated). */
static void bmc_sim(result *r, const char *arg, ...)
{
    const char *bmc = getenv("BMC");
    cr_assert_not_null(bmc, "set BMC to the path of bmc (make test does)");
    const char *argv[40] = {"bmc", "sim"};
    int n = 2;
    va_list ap;
    va_start(ap, arg);
    for (const char *a = arg; a && n < 39; a = va_arg(ap, const char *))
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    char out[160], err[160];
    snprintf(out, sizeof out, "%s/.out", dir);
    snprintf(err, sizeof err, "%s/.err", dir);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    int rc = posix_spawn(&pid, bmc, &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    cr_assert_eq(rc, 0);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    r->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    slurp_into(out, r->out, sizeof r->out);
    slurp_into(err, r->err, sizeof r->err);
}

static const char halting[] =
    "<machine format=\"1\" name=\"h\">\n"
    "<input name=\"a\" width=\"8\"/><output name=\"y\" width=\"8\"/>\n"
    "<core name=\"c\" width=\"8\" registers=\"1\" rom=\"4\" ram=\"0\" inputs=\"1\" outputs=\"1\">"
    "<opcodes>addi in out halt</opcodes><program>"
    "<i>in r0, i0</i><i>addi r0, 1</i><i>out o0, r0</i><i>halt</i></program></core>\n"
    "<bond from=\"a\" to=\"c.i0\"/><bond from=\"c.o0\" to=\"y\"/>\n"
    "</machine>\n";

Test(sim_cli, text_output_and_end_of_input)
{
    result r;
    bmc_sim(&r, "examples/acc8.xml", "--in", "a=1,2", "--in", "a = 3", NULL);
    cr_expect_eq(r.status, 5);
    cr_expect_str_eq(r.out, "2 sum 1\n6 sum 3\n10 sum 6\n");
    cr_expect_str_eq(r.err, "stopped: end of input at cycle 12: every stimulus value was taken "
                            "and the machine waits for more\n"
                            "core acc: pc 0 'in r1, i0' waits for valid on i0 (bond from 'a': "
                            "no stimulus left)\n");
}

/* A consumer that is never ready: values are left that nothing takes, a
 * real deadlock, not the end of the input. */
Test(sim_cli, a_real_deadlock_is_not_the_end_of_input)
{
    result r;
    bmc_sim(&r, "examples/acc8.xml", "--in", "a=1,2,3", "--ready", "sum=0", NULL);
    cr_expect_eq(r.status, 4, "%s", r.err);
    cr_expect(strncmp(r.err, "stopped: deadlock at cycle ", 27) == 0, "%s", r.err);
    bmc_sim(&r, "examples/acc8.xml", "--json", "--in", "a=1,2,3", "--ready", "sum=0", NULL);
    cr_expect_eq(r.status, 4);
    cr_expect(strstr(r.out, "\"stop\":\"deadlock\"") != NULL, "%s", r.out);
}

Test(sim_cli, output_count_and_cycle_limit)
{
    result r;
    bmc_sim(&r, "--outputs", "2", "examples/acc8.xml", "--in", "a=1,2,3", NULL);
    cr_expect_eq(r.status, 0);
    cr_expect_str_eq(r.out, "2 sum 1\n6 sum 3\n");
    cr_expect_str_eq(r.err, "stopped: output count reached after 7 cycles\n"
                            "input a: 1 value not taken\n");
    bmc_sim(&r, "--cycles", "5", "examples/acc8.xml", "--in", "a=1,2,3", NULL);
    cr_expect_eq(r.status, 3);
    cr_expect_str_eq(r.out, "2 sum 1\n");
    cr_expect_str_eq(r.err, "stopped: cycle limit reached after 5 cycles\n"
                            "core acc: pc 1 'add r0, r1' runs\n"
                            "input a: 1 value not taken\n");
    bmc_sim(&r, "-q", "--cycles", "5", "examples/acc8.xml", "--in", "a=1,2,3", NULL);
    cr_expect_eq(r.status, 3);
    cr_expect_str_eq(r.err, "");
}

Test(sim_cli, halted)
{
    write_file("h.xml", halting);
    result r;
    bmc_sim(&r, path_in_dir("h.xml"), "--in", "a=0xff", NULL);
    cr_expect_eq(r.status, 0);
    cr_expect_str_eq(r.out, "2 y 0\n");
    cr_expect_str_eq(r.err, "stopped: all cores halted after 4 cycles\n");
}

Test(sim_cli, json)
{
    result r;
    bmc_sim(&r, "examples/acc8.xml", "--json", "--in", "a=1,2", NULL);
    cr_expect_eq(r.status, 5);
    cr_expect_str_eq(r.out,
                     "{\"outputs\":[{\"cycle\":2,\"output\":\"sum\",\"value\":1,\"raw\":1},"
                     "{\"cycle\":6,\"output\":\"sum\",\"value\":3,\"raw\":3}],"
                     "\"stop\":\"input_end\",\"cycles\":9,\"deadlock_cycle\":8,"
                     "\"cores\":[{\"name\":\"acc\",\"pc\":0,\"halted\":false,\"retired\":8,"
                     "\"state\":\"pc 0 'in r1, i0' waits for valid on i0 (bond from 'a': no "
                     "stimulus left)\"}]}\n");
    write_file("h.xml", halting);
    bmc_sim(&r, path_in_dir("h.xml"), "--json", "--in", "a=7", NULL);
    cr_expect_eq(r.status, 0);
    cr_expect_str_eq(r.out, "{\"outputs\":[{\"cycle\":2,\"output\":\"y\",\"value\":8,\"raw\":8}],"
                            "\"stop\":\"halted\",\"cycles\":4,"
                            "\"cores\":[{\"name\":\"c\",\"pc\":3,\"halted\":true,\"retired\":4,"
                            "\"state\":\"halted at pc 3 'halt'\"}]}\n");
}

/* Values are printed signed (the word 0xc8 of the 8-bit sum is -56, not
 * 200), as the unsigned word with --raw, and decoded with --type; inputs
 * of a --type take decimal values, rounded to nearest, ties to even. */
Test(sim_cli, signed_raw_and_fixed_point_values)
{
    result r;
    bmc_sim(&r, "-q", "examples/acc8.xml", "--in", "a=100,100,-56,111", NULL);
    cr_expect_eq(r.status, 5, "%s", r.err);
    cr_expect_str_eq(r.out, "2 sum 100\n6 sum -56\n10 sum -112\n14 sum -1\n");
    bmc_sim(&r, "-q", "--raw", "examples/acc8.xml", "--in", "a=100,100,-56,111", NULL);
    cr_expect_str_eq(r.out, "2 sum 100\n6 sum 200\n10 sum 144\n14 sum 255\n");
    /* fixed<8,4>: 1.5 is 24, -2.25 is -36; 0.09375 is 1.5 steps of 1/16,
     * which rounds to the even 2 (0.125), and 0.03125 (half a step) to 0 */
    bmc_sim(&r, "-q", "--type", "fixed<8,4>", "examples/acc8.xml", "--in",
            "a=1.5,-2.25,0.09375,0.03125", NULL);
    cr_expect_eq(r.status, 5, "%s", r.err);
    cr_expect_str_eq(r.out, "2 sum 1.5\n6 sum -0.75\n10 sum -0.625\n14 sum -0.625\n");
    bmc_sim(&r, "-q", "--type", "sum=fixed<8,4>", "--type", "a=fixed<8,4>", "--json",
            "examples/acc8.xml", "--in", "a=1.5,-2.25", NULL);
    cr_expect(strncmp(r.out, "{\"outputs\":[{\"cycle\":2,\"output\":\"sum\",\"value\":1.5,"
                             "\"raw\":24},{\"cycle\":6,\"output\":\"sum\",\"value\":-0.75,"
                             "\"raw\":244}],",
                      90) == 0,
              "%s", r.out);
    /* a later --type wins: the output back to a plain integer */
    bmc_sim(&r, "-q", "--type", "fixed<8,4>", "--type", "sum=int<8>", "examples/acc8.xml",
            "--in", "a=1.5,-2.25", NULL);
    cr_expect_str_eq(r.out, "2 sum 24\n6 sum -12\n");
    /* --type decimals in a stimulus file too */
    write_file("fx.stim", "a = 0.5, -1 # comment\n");
    bmc_sim(&r, "-q", "--type", "a=fixed<8,4>", "--type", "sum=fixed<8,4>", "examples/acc8.xml",
            "--in-file", path_in_dir("fx.stim"), NULL);
    cr_expect_str_eq(r.out, "2 sum 0.5\n6 sum -0.5\n");

    /* errors: out of range, a width that is not the port's, no such port,
     * not a type; nothing on stdout */
    bmc_sim(&r, "--type", "fixed<8,4>", "examples/acc8.xml", "--in", "a=8", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_str_eq(r.out, "");
    cr_expect_str_eq(r.err, "--in:1:3: error: constant 8 does not fit fixed<8,4> (range -8 .. "
                            "7.9375)\n");
    bmc_sim(&r, "--type", "fixed<16,6>", "examples/acc8.xml", "--in", "a=1", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_str_eq(r.err, "bmc sim: --type fixed<16,6>: input 'a' is 8 bits wide\n");
    bmc_sim(&r, "--type", "b=fixed<8,4>", "examples/acc8.xml", "--in", "a=1", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_str_eq(r.err, "bmc sim: --type b=fixed<8,4>: machine 'acc8' has no external port "
                            "'b'\n");
    bmc_sim(&r, "--type", "a=float", "examples/acc8.xml", "--in", "a=1", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_str_eq(r.out, "");
    cr_expect(strstr(r.err, "expected fixed<TOTAL,INTEGER> or int<TOTAL>") != NULL, "%s", r.err);
    /* without --type a decimal is not a value */
    bmc_sim(&r, "examples/acc8.xml", "--in", "a=1.5", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect(strstr(r.err, "--in:1:3: error: expected a number") != NULL, "%s", r.err);
}

Test(sim_cli, stimulus_file_and_ready_pattern)
{
    write_file("s.txt", "# three values\na = 1, 2\na = 3\n");
    result r;
    bmc_sim(&r, "examples/acc8.xml", "--in-file", path_in_dir("s.txt"), "--ready", "sum=0,0,1",
            NULL);
    cr_expect_eq(r.status, 5);
    cr_expect_str_eq(r.out, "2 sum 1\n8 sum 3\n14 sum 6\n");
}

Test(sim_cli, bad_input)
{
    result r;
    bmc_sim(&r, "examples/acc8.xml", "--in", "a=1,256", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_str_eq(r.out, "");
    cr_expect_str_eq(r.err, "--in:1:5: error: value 256 does not fit input 'a' (8 bits: -128..255)\n");
    bmc_sim(&r, "examples/acc8.xml", "--in", "b=1", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_str_eq(r.err, "--in:1:1: error: machine 'acc8' has no external input named 'b'\n");
    write_file("bad.txt", "a = 1\n\na = x\n");
    bmc_sim(&r, "examples/acc8.xml", "--in-file", path_in_dir("bad.txt"), NULL);
    cr_expect_eq(r.status, 1);
    cr_expect(strstr(r.err, "bad.txt:3:5: error: expected a number") != NULL, "%s", r.err);
    bmc_sim(&r, "examples/acc8.xml", "--ready", "sum=2", NULL);
    cr_expect_eq(r.status, 1);
    bmc_sim(&r, path_in_dir("missing.xml"), NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_str_eq(r.out, "");
}

Test(sim_cli, usage)
{
    result r;
    bmc_sim(&r, NULL);
    cr_expect_eq(r.status, 2);
    bmc_sim(&r, "--bogus", "examples/acc8.xml", NULL);
    cr_expect_eq(r.status, 2);
    bmc_sim(&r, "--cycles", "ten", "examples/acc8.xml", NULL);
    cr_expect_eq(r.status, 2);
    bmc_sim(&r, "--cycles", "-1", "examples/acc8.xml", NULL);
    cr_expect_eq(r.status, 2);
    bmc_sim(&r, "examples/acc8.xml", "--in", NULL);
    cr_expect_eq(r.status, 2);
    cr_expect(strstr(r.err, "needs a value") != NULL, "%s", r.err);
    bmc_sim(&r, "--help", NULL);
    cr_expect_eq(r.status, 0);
    cr_expect(strstr(r.out, "CYCLE OUTPUT VALUE") && strstr(r.out, "4  deadlock") &&
                  strstr(r.out, "5  end of input"),
              "%s", r.out);
}

Test(sim_cli, vcd)
{
    result r;
    const char *vcd = path_in_dir("w.vcd");
    bmc_sim(&r, "examples/acc8.xml", "--in", "a=1,2", "--vcd", vcd, NULL);
    cr_expect_eq(r.status, 5);
    static char text[16384];
    slurp_into(vcd, text, sizeof text);
    static const char *const must[] = {
        "$timescale 1ns $end",
        "$scope module acc8 $end",
        "$var wire 1 ! clk $end",
        "$scope module core_acc $end",
        "$var wire 2 \" pc $end",
        "$scope module bond0_a $end",
        "$var wire 8 $ data $end",
        "$scope module bond1_acc_o0 $end",
        "$enddefinitions $end",
        "#0\n$dumpvars\n1!\nb0 \"\n0#\nb1 $\n1%\n1&\n",
        "#5\n0!\n",
        "$var wire 2 * state $end",
        "$var wire 1 + wait_port $end",
        "$var wire 8 , r0 $end",
        "$var wire 8 - r1 $end",
        /* registers at the start of the cycle, then the cycle's state, with
         * the port x while the core runs */
        "b0 ,\nb0 -\nb0 .\nb0 /\nb0 *\nx+\n$end\n", /* r0..r3, state, wait_port */
        "#10\n1!\nb1 \"\nb10 $\n0&\nb1 -\n#15\n",   /* a offers 2; acc is at its add */
        "#20\n1!\nb10 \"\nb1 '\n1(\nb1 ,\n#25\n", /* acc's out offers 1 */
        "#80\n1!\nb0 \"\n1&\nb1 *\n0+\n#85\n",     /* waits for input on i0 */
        "#50\n1!\nb1 \"\nbx $\n0%\n0&\n",   /* stimulus exhausted */
        "#90\n",
    };
    for (size_t i = 0; i < sizeof must / sizeof must[0]; i++)
        cr_expect(strstr(text, must[i]) != NULL, "VCD lacks '%s':\n%s", must[i], text);
    /* a VCD that cannot be written: error, nothing left behind */
    bmc_sim(&r, "examples/acc8.xml", "--in", "a=1", "--vcd", path_in_dir("no/such/dir/w.vcd"),
            NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_str_eq(r.out, "");
}
