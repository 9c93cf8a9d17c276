; expect: 3:10: RAM word 1 is already given (line 2)
.data 1, 2
.data @1 3
    ld   r0, r0
    j    0
