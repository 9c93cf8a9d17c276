# deadlock.s: a takes x and sends it on, then waits for b, which halts
# without sending: a real deadlock once x is taken (not an end of input:
# a waits on a core, not on the stimulus).
.machine deadlock
.input  x 8
.output y 8
.core a 8
    in   r0, i0
    out  o0, r0
    in   r1, i1
    j    0
.core b 8
    halt
    out  o0, r0
    halt
.bond x    -> a.i0
.bond a.o0 -> y
.bond b.o0 -> a.i1
