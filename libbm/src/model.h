/* Private layout of the machine model (libbm/src/model.c owns it). */
#ifndef BM_MODEL_PRIV_H
#define BM_MODEL_PRIV_H

#include "bm/machine.h"

typedef struct bm_extport {
    char *name;
    unsigned width;
    bm_loc loc;
    int bond; /* resolved by validation, -1 when unconnected */
} bm_extport;

typedef struct bm_bond_end {
    char *text;        /* as written: "name" or "core.iN" */
    bm_loc loc;
    bm_endpoint ep;    /* resolved by validation */
} bm_bond_end;

typedef struct bm_bond {
    bm_bond_end source;
    bm_bond_end *sinks;
    size_t n_sinks, cap_sinks;
    bm_loc loc;
} bm_bond;

struct bm_core {
    bm_machine *machine;
    unsigned index;
    char *name;
    bm_core_params params;
    bm_opcode_set opcodes;
    bm_insn *program;
    size_t n_program, cap_program;
    uint64_t *ram_init;
    unsigned n_ram_init;
    bm_loc ram_init_loc;
    bm_loc loc;
    int *in_bond;  /* per input port, resolved by validation (-1: none)  */
    int *out_bond; /* per output port                                     */
};

struct bm_machine {
    bm_ctx *ctx;
    char *name;
    bm_loc loc;
    bm_extport *inputs, *outputs;
    size_t n_inputs, cap_inputs, n_outputs, cap_outputs;
    bm_core **cores;
    size_t n_cores, cap_cores;
    bm_bond *bonds;
    size_t n_bonds, cap_bonds;
    int valid;
};

#endif
