; expect: 6:12: width mismatch: 'x' is 16 bits but 'a.i0' is 8 bits
.input x 16
.core a 8
    in   r0, i0
    j    0
.bond x -> a.i0
