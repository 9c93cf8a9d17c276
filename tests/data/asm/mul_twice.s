; expect: 3:1: '.mul' is already given on line 2
.mul pipe
.mul serial
    mul  r0, r1
    j    0
