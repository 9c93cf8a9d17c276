; expect: 2:14: '1.5' is not an integer; write a fixed-point constant as fx(1.5)
    li   r0, 1.5
    j    0
