# countdown.s: for each number n it reads, sends n, n-1, ..., 1.
#
# One core in a .core section, with its external ports and bonds written
# out.  jnz tests the register before the jump: the loop stops after 1.

.machine countdown
.input  n     8
.output count 8

.core cd 8
start:
    in   r0, i0         # n
next:
    out  o0, r0
    dec  r0
    jnz  r0, next
    j    start

.bond n     -> cd.i0
.bond cd.o0 -> count
