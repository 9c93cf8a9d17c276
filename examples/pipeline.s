; pipeline.s: two cores in a chain, y = 3 * x + 10 (mod 256).
;
; Each core derives its own opcode set: "scale" holds in, muli, out, j and
; "offset" holds in, addi, out, j, so each has its own encoding.

.machine pipeline
.input  x 8
.output y 8

.const SCALE  = 3
.const OFFSET = 10

.core scale 8
top:    in   r0, i0
        muli r0, SCALE
        out  o0, r0
        j    top

.core offset 8
top:    in   r0, i0         ; labels belong to their core: "top" again
        addi r0, OFFSET
        out  o0, r0
        j    top

.bond x        -> scale.i0
.bond scale.o0 -> offset.i0
.bond offset.o0 -> y
