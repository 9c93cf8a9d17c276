; expect: 3:10: jump target 2 is outside the program of core 'jump_out_of_range' (0 .. 1)
    nop
    j    2
