; acc.s: an 8-bit accumulator, the smallest useful program.
;
; A file without .core is one core, named after the file ("acc"), 8 bits
; wide unless .width says otherwise.  With no .input, .output or .bond the
; core's ports become external ports: i0 is fed by input "in0", o0 drives
; output "out0".  Everything else (opcode set, 2 registers, 1 input,
; 1 output, ROM of 4 words) is derived from the program.

loop:
    in   r1, i0         ; wait for the next number
    add  r0, r1         ; r0 is the running sum (0 after reset)
    out  o0, r0         ; send it, wait until it is taken
    j    loop
