; expect: 2:16: unexpected 'r2' after operand 2: 'add' takes 2 operands (rd, rs)
    add r0, r1 r2
    j 0
