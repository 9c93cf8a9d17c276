; multipliers.s: the three multiplier variants side by side (docs/timing.md,
; "Multiplier variants").  Every core takes the same a and b (one fan-out
; bond each, so the cores take a vector together) and multiplies them on
; 8-bit words.
;
;   comb    the product in the cycle of the mul;
;   pipe    the product written at the end of the NEXT cycle: the first out
;           still sees the old r0 (a), the second the product;
;   serial  9 cycles (W + 1) for the mul, nothing else to watch;
;   dot     a pipelined multiply-accumulate chain, 1 + a*b + a*b, one step
;           per cycle; the nop gives the last step its write-back.

.machine multipliers
.input  a 8
.input  b 8
.output comb 8
.output pipe 8
.output serial 8
.output dot 8

.core comb 8
top:    in   r0, i0
        in   r1, i1
        mul  r0, r1
        out  o0, r0
        j    top

.core pipe 8
.mul pipe
top:    in   r0, i0
        in   r1, i1
        mul  r0, r1
        out  o0, r0          ; the old r0: the pipeline is exposed
        out  o0, r0          ; a * b
        j    top

.core serial 8
.mul serial
top:    in   r0, i0
        in   r1, i1
        mul  r0, r1          ; 9 cycles
        out  o0, r0
        j    top

.core dot 8
.mul pipe
.frac 0
top:    in    r1, i0
        in    r2, i1
        li    r0, 1
        macfx r0, r1, r2     ; r0 <- 1 + a*b at the end of the next cycle
        macfx r0, r1, r2     ; chained: reads r0 at its own write-back
        nop
        out   o0, r0
        j     top

.bond a -> comb.i0, pipe.i0, serial.i0, dot.i0
.bond b -> comb.i1, pipe.i1, serial.i1, dot.i1
.bond comb.o0 -> comb
.bond pipe.o0 -> pipe
.bond serial.o0 -> serial
.bond dot.o0 -> dot
