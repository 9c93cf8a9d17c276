; expect: 2:14: operand 2 of 'in' must be an input port (i0, i1, ...), not an output port
    in   r0, o0
    j    0
