; expect: 2:6: unknown multiplier variant 'fast' (comb, pipe or serial)
.mul fast
    mul  r0, r1
    j    0
