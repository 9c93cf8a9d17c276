; expect: 2:1: unknown directive '.regs'
.regs 4
    j    0
