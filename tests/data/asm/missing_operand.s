; expect: 2:12: operand 2 of 'add' is missing
    add r0,, r1
    j 0
