; expect: 2:14: operand 2 of 'add' must be a register (r0, r1, ...)
    add  r0, 5
    j    0
