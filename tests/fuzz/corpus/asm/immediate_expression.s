; expect: 3:14: immediate 65536 does not fit in 16 bits (-32768 .. 65535)
.width 16
    li   r0, 256 * 256
    j    0
