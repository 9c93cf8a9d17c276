; expect: 2:12: missing ',' before 'r1': 'add' takes 2 operands (rd, rs)
    add r0 r1
    j 0
