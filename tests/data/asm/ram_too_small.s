; expect: 3:13: RAM word 2 is beyond the RAM of core 'ram_too_small' (.ram 2, line 2)
.ram 2
.data 1, 2, 3
    j    0
