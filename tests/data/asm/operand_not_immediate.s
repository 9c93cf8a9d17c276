; expect: 2:14: operand 2 of 'li' must be an immediate value, not a register
    li   r0, r1
    j    0
