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

#include "bm/export.h"

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
BM_API int bm_fixed_type_check(bm_fixed_type t);

/* Parses a decimal constant ("-1.25", "3", "6.02e-3", "0x1f") and quantises
 * it to the type.  Errors are recorded at loc: BM_EPARSE for malformed text
 * (an exponent beyond +-4000 included), BM_ERANGE for a value outside the
 * type ("1e9" in fixed<16,6>), BM_EINVAL for a bad type.  *raw receives the
 * raw two's complement value, sign-extended to 64 bits. */
BM_API int bm_fixed_parse(bm_ctx *ctx, const char *text, bm_fixed_type t, bm_loc loc, int64_t *raw);

/* The low `width` bits of `value` (1 <= width <= 64) read as a two's
 * complement number: a transfer's value (bm_sim_transfer, unsigned and
 * masked to its port's width) as the signed value it stands for, e.g.
 * bm_sign_extend(0xff, 8) == -1.  A width outside 1..64 gives 0. */
BM_API int64_t bm_sign_extend(uint64_t value, unsigned width);

/* Wraps a value to the type's total bits (sign-extending the result). */
BM_API int64_t bm_fixed_wrap(int64_t v, bm_fixed_type t);
BM_API int64_t bm_fixed_add(int64_t a, int64_t b, bm_fixed_type t);
BM_API int64_t bm_fixed_sub(int64_t a, int64_t b, bm_fixed_type t);
BM_API int64_t bm_fixed_neg(int64_t a, bm_fixed_type t);
/* floor((a * b) / 2^frac), wrapped. */
BM_API int64_t bm_fixed_mul(int64_t a, int64_t b, bm_fixed_type t);

/* The double `value`, exactly, rounded to the type like bm_fixed_parse
 * (half to even, docs/numbers.md): the raw value in *raw.  BM_ERANGE
 * (recorded on ctx, which may be NULL) when it does not fit or is not a
 * number (NaN, infinity), BM_EINVAL for a bad type. */
BM_API int bm_fixed_from_double(bm_ctx *ctx, double value, bm_fixed_type t, int64_t *raw);
/* The raw value as a double (exact for total <= 53). */
BM_API double bm_fixed_to_double(int64_t raw, bm_fixed_type t);
/* Exact decimal text of a raw value (for example "-1.25"); like snprintf. */
BM_API int bm_fixed_format(char *buf, size_t size, int64_t raw, bm_fixed_type t);

/* The smallest and largest raw values of the type. */
BM_API int64_t bm_fixed_min(bm_fixed_type t);
BM_API int64_t bm_fixed_max(bm_fixed_type t);

#ifdef __cplusplus
}
#endif
#endif
