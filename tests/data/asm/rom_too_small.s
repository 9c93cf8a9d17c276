; expect: 2:1: .rom 1 is too small: core 'rom_too_small' has 2 instructions
.rom 1
    nop
    j    0
