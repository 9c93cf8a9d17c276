; expect: 4:14: register r2 does not exist: core 'alu' has .registers 2 (line 3)
.core alu 8
.registers 2
    add  r0, r2
    j    0
