; expect: 2:10: 'halt' takes no operands
    halt r0
