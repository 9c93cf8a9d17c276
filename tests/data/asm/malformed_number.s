; expect: 2:14: malformed number '0b102'
    li   r0, 0b102
    j    0
