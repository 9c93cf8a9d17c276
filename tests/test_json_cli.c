/* The --json outputs of bmc check, isa, disasm and eval, read back by
 * Python's json module (a real parser, not a substring match), field by
 * field; and what --json does on bad input and bad usage: nothing on
 * stdout, the message on stderr, a non-zero exit.  bmc verify --json is in
 * test_verify_cli.c (it needs Verilator builds), bmc sim --json in
 * test_sim_cli.c. */
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>

#include "bmc_runner.h"

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/bm_test_json_cli_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(json_cli, .init = setup, .fini = teardown);

/* Parses `json` with /usr/bin/python3 and runs `checks` (Python statements,
 * `d` the parsed object); 1 when the text is one JSON object ending in a
 * newline and every assert held. */
static int python_checks(const char *json, const char *checks)
{
    char path[128];
    snprintf(path, sizeof path, "%s/out.json", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(json, f);
    fclose(f);
    char code[8192];
    snprintf(code, sizeof code,
             "import json, sys\n"
             "text = open(sys.argv[1]).read()\n"
             "assert text.endswith('}\\n') and text.count('\\n') == 1, repr(text[-40:])\n"
             "d = json.loads(text)\n"
             "assert isinstance(d, dict)\n"
             "%s\n",
             checks);
    const char *argv[] = {"/usr/bin/python3", "-c", code, path, NULL};
    pid_t pid;
    cr_assert_eq(posix_spawn(&pid, argv[0], NULL, NULL, (char *const *)argv, environ), 0);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

Test(json_cli, check)
{
    bmc_result r = bmc_run(dir, "check", "--json", "examples/pipeline.xml", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(python_checks(r.out,
                            "assert list(d) == ['machine', 'inputs', 'outputs', 'cores', 'bonds']\n"
                            "assert d['machine'] == 'pipeline'\n"
                            "assert d['inputs'] == [{'name': 'x', 'width': 16}]\n"
                            "assert d['outputs'] == [{'name': 'y', 'width': 16}]\n"
                            "a = d['cores'][0]\n"
                            "assert list(a) == ['name', 'width', 'registers', 'rom', 'insn_width',"
                            " 'program_length', 'ram', 'inputs', 'outputs', 'frac', 'opcodes']\n"
                            "assert (a['name'], a['width'], a['insn_width'], a['program_length'])"
                            " == ('a', 16, 18, 4)\n"
                            "assert a['opcodes'] == ['addi', 'j', 'in', 'out']\n"
                            "assert d['bonds'][0] == {'from': 'x', 'to': ['a.i0']}\n"),
              "%s", r.out);
    bmc_result_free(&r);
    /* The text summary says the same. */
    r = bmc_run(dir, "check", "examples/pipeline.xml", NULL);
    cr_expect_not_null(strstr(r.out, "core a: 16-bit word, 1 register, ROM 4 x 18 bits (4 used)"),
                       "%s", r.out);
    bmc_result_free(&r);
}

Test(json_cli, isa_of_a_machine_and_the_catalogue)
{
    bmc_result r = bmc_run(dir, "isa", "--json", "examples/pipeline.xml", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(python_checks(r.out,
                            "assert list(d) == ['machine', 'cores']\n"
                            "a = d['cores'][0]\n"
                            "assert list(a) == ['name', 'opcode_bits', 'insn_width',"
                            " 'field_widths', 'multiplier', 'encoding']\n"
                            "assert a['opcode_bits'] == 2 and a['insn_width'] == 18\n"
                            "assert a['field_widths'] == {'r': 0, 'imm': 16, 'k': 4, 'addr': 2,"
                            " 'in': 0, 'out': 0}\n"
                            "assert a['multiplier'] is None\n"
                            /* "1  j  op[17:16] addr[15:14] pad[13:0]" in the text */
                            "j = a['encoding'][1]\n"
                            "assert j == {'code': 1, 'mnemonic': 'j', 'fields': ["
                            "{'kind': 'op', 'lsb': 16, 'width': 2},"
                            "{'kind': 'addr', 'lsb': 14, 'width': 2},"
                            "{'kind': 'pad', 'lsb': 0, 'width': 14}]}, j\n"),
              "%s", r.out);
    bmc_result_free(&r);

    r = bmc_run(dir, "isa", "--json", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(python_checks(r.out,
                            "assert list(d) == ['opcodes', 'mul_variants', 'fetch_kinds']\n"
                            "ops = d['opcodes']\n"
                            "assert [o['id'] for o in ops] == list(range(len(ops)))\n"
                            "add = [o for o in ops if o['name'] == 'add'][0]\n"
                            "assert add['operands'] == ['r', 'r'] and add['cycles'] == 1, add\n"
                            "assert [v['name'] for v in d['mul_variants']][:2] == ['comb', 'pipe']\n"
                            "assert [k['taken_jump_cycles'] for k in d['fetch_kinds']] == [1, 2]\n"),
              "%s", r.out);
    bmc_result_free(&r);

    /* --markdown and --json are two forms of one listing. */
    r = bmc_run(dir, "isa", "--json", "--markdown", NULL);
    cr_expect_eq(r.status, 2);
    cr_expect_str_eq(r.out, "");
    bmc_result_free(&r);
}

/* A machine with a multiplier shows its variant. */
Test(json_cli, isa_multiplier)
{
    char xml[128];
    snprintf(xml, sizeof xml, "%s/iris.xml", dir);
    bmc_result r = bmc_run(dir, "compile", "examples/networks/iris.xml", "--fold", "4", "--mul",
                           "pipe", "-o", xml, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    bmc_result_free(&r);
    r = bmc_run(dir, "isa", "--json", xml, NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(python_checks(r.out, "m = d['cores'][0]['multiplier']\n"
                                   "assert m == {'variant': 'pipe', 'cycles': 1,"
                                   " 'written': 'next_cycle'}, m\n"),
              "%s", r.out);
    bmc_result_free(&r);
}

Test(json_cli, disasm)
{
    bmc_result r = bmc_run(dir, "disasm", "--json", "examples/pipeline.xml", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    bmc_result t = bmc_run(dir, "disasm", "examples/pipeline.xml", NULL);
    cr_assert_eq(t.status, 0);
    /* "text" is the plain output, whole. */
    char checks[4096];
    snprintf(checks, sizeof checks,
             "assert list(d) == ['machine', 'text', 'cores']\n"
             "assert d['text'] == open(sys.argv[1].replace('out.json', 'plain.s')).read()\n"
             "p = d['cores'][0]['program']\n"
             "assert p == [{'address': 0, 'word': '20000', 'insn': 'in r0, i0'},"
             " {'address': 1, 'word': '00005', 'insn': 'addi r0, 5'},"
             " {'address': 2, 'word': '30000', 'insn': 'out o0, r0'},"
             " {'address': 3, 'word': '10000', 'insn': 'j 0'}], p\n");
    char plain[128];
    snprintf(plain, sizeof plain, "%s/plain.s", dir);
    FILE *f = fopen(plain, "w");
    cr_assert_not_null(f);
    fputs(t.out, f);
    fclose(f);
    cr_expect(python_checks(r.out, checks), "%s", r.out);
    /* the words agree with `disasm --words` */
    bmc_result w = bmc_run(dir, "disasm", "--words", "examples/pipeline.xml", NULL);
    cr_expect_not_null(strstr(w.out, "addi r0, 5              ; 1: 0x00005"), "%s", w.out);
    bmc_result_free(&w);
    bmc_result_free(&t);
    bmc_result_free(&r);
}

Test(json_cli, eval_vectors_and_one_vector)
{
    bmc_result r = bmc_run(dir, "eval", "examples/networks/iris.xml", "--vectors",
                           "examples/networks/iris-test.csv", "--labels", "--json", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(python_checks(r.out,
                            "assert list(d) == ['type', 'vectors', 'wrapped', 'accuracy']\n"
                            "assert d['type'] == {'total': 16, 'frac': 10}\n"
                            "v = d['vectors']\n"
                            "assert len(v) == 50 and [x['index'] for x in v] == list(range(1, 51))\n"
                            "assert list(v[0]) == ['index', 'outputs', 'predicted', 'label',"
                            " 'correct']\n"
                            "o = v[0]['outputs'][0]\n"
                            "assert o['name'] == 'class' and o['argmax'] is True\n"
                            "assert o['value'] == o['raw'] == v[0]['predicted']\n"
                            "assert sum(x['correct'] for x in v) == d['accuracy']['right']\n"
                            "assert d['accuracy'] == {'right': 48, 'total': 50,"
                            " 'percent': 96.0}, d['accuracy']\n"
                            "assert d['wrapped'] == 0\n"),
              "%s", r.out);
    bmc_result_free(&r);

    /* -q: the accuracy without the vectors */
    r = bmc_run(dir, "eval", "examples/networks/iris.xml", "--vectors",
                "examples/networks/iris-test.csv", "--labels", "--json", "-q", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(python_checks(r.out, "assert list(d) == ['type', 'wrapped', 'accuracy']\n"), "%s",
              r.out);
    bmc_result_free(&r);

    /* One vector of a graph whose output is a fixed-point value: the exact
     * decimal (a JSON number) and its raw integer. */
    r = bmc_run(dir, "eval", "tests/data/profile/wrap.xml", "--in", "x0=1.5,x1=-0.25", "--json",
                NULL);
    bmc_result t = bmc_run(dir, "eval", "tests/data/profile/wrap.xml", "--in", "x0=1.5,x1=-0.25",
                           NULL);
    cr_expect_eq(r.status, t.status, "%s", r.err);
    /* the text form "y0=V (raw R)" gives the expected numbers */
    char name[32], value[32];
    long long raw;
    cr_assert_eq(sscanf(t.out, "%31[^=]=%31s (raw %lld)", name, value, &raw), 3, "%s", t.out);
    char checks[1024];
    snprintf(checks, sizeof checks,
             "from decimal import Decimal\n"
             "v = d['vectors']\n"
             "assert len(v) == 1 and list(v[0]) == ['index', 'outputs']\n"
             "o = v[0]['outputs'][0]\n"
             "assert o['name'] == '%s' and o['raw'] == %lld and not o['argmax']\n"
             "assert Decimal(repr(o['value'])) == Decimal('%s'), o\n"
             "assert o['value'] * 2 ** d['type']['frac'] == o['raw']\n",
             name, raw, value);
    cr_expect(python_checks(r.out, checks), "%s", r.out);
    bmc_result_free(&t);
    bmc_result_free(&r);
}

/* --min-accuracy and --Werror-overflow are verdicts on a whole evaluation:
 * the object is printed, the exit is 1.  A bad input value is an error:
 * nothing on stdout. */
Test(json_cli, eval_failures)
{
    bmc_result r = bmc_run(dir, "eval", "examples/networks/iris.xml", "--vectors",
                           "examples/networks/iris-test.csv", "--labels", "--json",
                           "--min-accuracy", "99", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect(python_checks(r.out, "assert d['accuracy']['right'] == 48\n"), "%s", r.out);
    cr_expect_not_null(strstr(r.err, "below --min-accuracy"), "%s", r.err);
    bmc_result_free(&r);

    r = bmc_run(dir, "eval", "tests/data/profile/wrap.xml", "--vectors", "tests/data/profile/wrap.csv",
                "--json", "--Werror-overflow", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect(python_checks(r.out, "assert d['wrapped'] == 5 and len(d['vectors']) == 4\n"), "%s",
              r.out);
    bmc_result_free(&r);

    r = bmc_run(dir, "eval", "examples/networks/iris.xml", "--in", "x0=1,x1=2,x2=1e9,x3=0",
                "--json", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_str_eq(r.out, "");
    cr_expect_not_null(strstr(r.err, "1e9 does not fit"), "%s", r.err);
    bmc_result_free(&r);
}

Test(json_cli, errors_print_no_json)
{
    bmc_result r = bmc_run(dir, "check", "--json", "tests/data/bad/duplicate_core.xml", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_str_eq(r.out, "");
    cr_expect_not_null(strstr(r.err, "error:"), "%s", r.err);
    bmc_result_free(&r);
    r = bmc_run(dir, "isa", "--json", "tests/data/bad/duplicate_core.xml", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_str_eq(r.out, "");
    bmc_result_free(&r);
    r = bmc_run(dir, "disasm", "--json", "tests/data/bad/duplicate_core.xml", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_str_eq(r.out, "");
    bmc_result_free(&r);
    r = bmc_run(dir, "check", "--json", "-q", "examples/pipeline.xml", NULL);
    cr_expect_eq(r.status, 2);
    cr_expect_str_eq(r.out, "");
    bmc_result_free(&r);
}
