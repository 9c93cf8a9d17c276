; expect: 2:11: 'add' takes 2 operands (rd, rs)
    add r0
    j 0
