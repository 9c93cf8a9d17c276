; expect: 7:15: bond endpoint 'b.i0': there is no core named 'b'
.output y 8
.core a 8
    out  o0, r0
    j    0

.bond a.o0 -> b.i0
.bond a.o0 -> y
