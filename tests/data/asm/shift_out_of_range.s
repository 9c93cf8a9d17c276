; expect: 2:14: shift amount 8 is out of range (0 .. 7 for 8-bit words)
    shli r0, 8
    j    0
