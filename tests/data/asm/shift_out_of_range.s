; expect: 2:14: shift amount 8 is out of range for a 8-bit word (0 .. 7)
    shli r0, 8
    j    0
