; expect: 4:5: core 'mul_serial_input': 'inmacfx' multiplies an input port's data, which a serial multiplier cannot hold for its 17 cycles (use 'in' then a register form, or mul="comb" or "pipe")
.width 16
.mul serial
    inmacfx r0, i0, fx(0.5)
    j    0
