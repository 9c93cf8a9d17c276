/* Signed fixed-point numbers: the one rounding and overflow rule of libbm
 * (docs/numbers.md), shared by the assembler, the graph compiler, the
 * reference evaluator, the simulator and the RTL.
 *
 * A type has `total` bits (two's complement, 2..64) of which `frac` are
 * fraction bits; it holds raw integers r meaning r / 2^frac.  The default,
 * like hls4ml's ap_fixed<16,6>, is 16 total bits with 6 integer bits
 * (sign included), so 10 fraction bits.
 *
 * - Constants (decimal text) are converted exactly with GMP rationals and
 *   rounded to the nearest representable value, ties to even.  A constant
 *   outside the type's range is an error, never wrapped.
 * - Arithmetic wraps modulo 2^total (two's complement), like the hardware.
 * - A product is the full 2*total-bit product shifted right by frac bits with
 *   floor rounding (an arithmetic shift), then wrapped.
 */
#ifndef BM_FIXED_H
#define BM_FIXED_H

#include <stddef.h>
#include <stdint.h>

#include "bm/ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bm_fixed_type {
    unsigned total; /* bits, sign included, 2..64 */
    unsigned frac;  /* fraction bits, 0..total-1  */
} bm_fixed_type;

#define BM_FIXED_DEFAULT_TOTAL 16
#define BM_FIXED_DEFAULT_FRAC 10

/* 0 if the type is usable, BM_EINVAL otherwise. */
int bm_fixed_type_check(bm_fixed_type t);

/* Parses a decimal constant ("-1.25", "3", "6.02e-3", "0x1f") and quantises
 * it to the type.  Errors (malformed text, out of range) are recorded at loc.
 * *raw receives the raw two's complement value, sign-extended to 64 bits. */
int bm_fixed_parse(bm_ctx *ctx, const char *text, bm_fixed_type t, bm_loc loc, int64_t *raw);

/* Quantises a binary floating-point value (a float or double weight read
 * from a model file) with the rule of bm_fixed_parse: the double's exact
 * value, rounded to nearest, ties to even.  BM_ERANGE when the result is
 * outside the type or v is not finite (nothing is recorded: the caller
 * knows what the value is). */
int bm_fixed_from_double(double v, bm_fixed_type t, int64_t *raw);
/* Wraps a value to the type's total bits (sign-extending the result). */
int64_t bm_fixed_wrap(int64_t v, bm_fixed_type t);
int64_t bm_fixed_add(int64_t a, int64_t b, bm_fixed_type t);
int64_t bm_fixed_sub(int64_t a, int64_t b, bm_fixed_type t);
int64_t bm_fixed_neg(int64_t a, bm_fixed_type t);
/* floor((a * b) / 2^frac), wrapped. */
int64_t bm_fixed_mul(int64_t a, int64_t b, bm_fixed_type t);

/* The raw value as a double (exact for total <= 53). */
double bm_fixed_to_double(int64_t raw, bm_fixed_type t);
/* Exact decimal text of a raw value (for example "-1.25"); like snprintf. */
int bm_fixed_format(char *buf, size_t size, int64_t raw, bm_fixed_type t);

/* The smallest and largest raw values of the type. */
int64_t bm_fixed_min(bm_fixed_type t);
int64_t bm_fixed_max(bm_fixed_type t);

#ifdef __cplusplus
}
#endif
#endif
