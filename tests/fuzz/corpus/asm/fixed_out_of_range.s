; expect: 3:17: constant 32 does not fit fixed<16,6> (range -32 .. 31.9990234375)
.width 16
    li   r0, fx(32)
    j    0
