; expect: 2:14: unexpected character '$'
    li   r0, $3
    j    0
