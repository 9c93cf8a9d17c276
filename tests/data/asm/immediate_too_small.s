; expect: 3:14: immediate -129 does not fit in 8 bits (-128 .. 255)
.core c 8
    li   r0, -129
    j    0
