; expect: 2:8: 'r1' is reserved and cannot name a constant
.const r1 = 4
    j    0
