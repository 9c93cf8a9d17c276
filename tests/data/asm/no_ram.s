; expect: 2:5: 'ld' needs a RAM: give core 'no_ram' one with .ram N or .data
    ld   r0, r1
    j    0
