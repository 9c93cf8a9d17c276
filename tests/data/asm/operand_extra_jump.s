; expect: 2:9: unexpected '1' after operand 1: 'j' takes 1 operand (addr)
    j 0 1
