; expect: 3:14: immediate 256 does not fit in 8 bits (-128 .. 255)
; 8-bit core: immediates run from -128 to 255
    li   r0, 256
    j    0
