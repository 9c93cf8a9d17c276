; fanout.s: one producer, two consumers on the same bond.
;
; A bond with two sinks transfers only when both sinks are ready
; (docs/timing.md), so the faster consumer "twice" waits for "negate".

.machine fanout
.input  x   8
.output dbl 8
.output neg 8

.core src 8
loop:   in   r0, i0
        out  o0, r0
        j    loop

.core twice 8
loop:   in   r0, i0
        shli r0, 1          ; 2 * x
        out  o0, r0
        j    loop

.core negate 8
loop:   in   r1, i0
        not  r1             ; -x = ~x + 1
        inc  r1
        out  o0, r1
        j    loop

.bond x      -> src.i0
.bond src.o0 -> twice.i0, negate.i0
.bond twice.o0  -> dbl
.bond negate.o0 -> neg
