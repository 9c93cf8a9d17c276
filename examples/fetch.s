# fetch.s: the two fetch kinds side by side (docs/timing.md, "Fetch kinds").
#
# Both cores run the same loop: take a value, send it three times.  The
# direct core's taken jumps cost nothing; the staged core spends one more
# cycle (a refetch, in which it does nothing) after each taken jump, so its
# outputs come 4 cycles apart inside the loop instead of 3, and a value
# takes 15 cycles instead of 12 (three taken jumps: jnz twice, then j).  A
# not-taken jnz costs the same in both.  Worked by hand, staged:
#   0 in  1 li  2 out  3 dec  4 jnz (taken)  5 refetch  6 out  7 dec
#   8 jnz (taken)  9 refetch  10 out  11 dec  12 jnz (falls through)
#   13 j  14 refetch  15 in  16 li  17 out ...

.machine fetch
.input  a 8
.input  b 8
.output direct 8
.output staged 8

.core d 8
start:
    in   r0, i0         # a
    li   r1, 3
again:
    out  o0, r0
    dec  r1
    jnz  r1, again      # taken twice, then falls through
    j    start

.core s 8
.fetch staged
start:
    in   r0, i0         # b
    li   r1, 3
again:
    out  o0, r0
    dec  r1
    jnz  r1, again
    j    start

.bond a    -> d.i0
.bond b    -> s.i0
.bond d.o0 -> direct
.bond s.o0 -> staged
