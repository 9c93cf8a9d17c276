; expect: 2:14: number '99999999999999999999' is too large (the limit is 2^64 - 1)
    li   r0, 99999999999999999999
    j    0
