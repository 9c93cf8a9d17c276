; ema.s: an exponential moving average on 16-bit fixed point.
;
;     s <- s + (x - s) / 2        y = s + 1.5
;
; Numbers are fixed<16,10> (16 bits, 10 of them fraction bits, like
; ap_fixed<16,6>): fx(1.5) is the raw word 1.5 * 2^10 = 1536.  The
; division by two is an arithmetic shift, which rounds toward minus
; infinity (docs/numbers.md).

.machine ema
.input  x 16
.output y 16

.fixed 16 10
.const BIAS = fx(1.5)

.core avg 16
        li   r0, fx(-0.25)  ; s starts at -0.25
loop:   in   r1, i0         ; x
        sub  r1, r0         ; x - s
        sari r1, 1          ; (x - s) / 2, floor
        add  r0, r1         ; s
        mov  r2, r0
        addi r2, BIAS
        out  o0, r2         ; y = s + 1.5
        j    loop

.bond x      -> avg.i0
.bond avg.o0 -> y
