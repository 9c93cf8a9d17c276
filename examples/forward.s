# forward.s: a chain of three cores that each see every value
# (docs/timing.md "Forwarding").
#
# h takes a then b, on two ports, and sends a + b.  Its forward (.forward
# o1, 1: port o1, a queue of one word instead of the default two) passes
# both values on, in the order taken, to m; m's forward passes them to t.  m sends a - b (posted); t, which spends two cycles between
# its two values, sends a ^ b.  m and t have one input port each, and
# nobody sends them anything with an instruction.
#
# A forward queues the taken value at the end of the cycle it is taken, so
# the next core can take it one cycle later at the earliest.  A core takes
# a value only while its forward's queue has room at the start of the
# cycle (here each forward holds one word): h cannot take b in cycle 1
# because 3 is still waiting for m, and m cannot take 1 in cycle 9 because
# 9 is still waiting for t.  Worked by hand (cycle: h | m | t):
#    0 in a=3 (forwarded)   | in waits                | in waits
#    1 in b waits: 3 in o1  | in 3 (forwarded)        | in waits
#    2 in b=5 (forwarded)   | in waits                | in 3
#    3 add                  | in 5 (forwarded)        | nop
#    4 out sum 8            | sub                     | nop
#    5 j                    | outn dif -2 (254)       | in 5
#    6 in a=9 (forwarded)   | j                       | xor
#    7 in b waits: 9 in o1  | in 9 (forwarded)        | out xr 6
#    8 in b=1 (forwarded)   | in waits                | j
#    9 add                  | in 1 waits: 9 in o1     | in 9
#   10 out sum 10           | in 1 (forwarded)        | nop
#   11 j                    | sub                     | nop
#   12 in a waits (no more) | outn dif 8              | in 1
#   13                      | j                       | xor
#   14                      | in waits                | out xr 8

.machine forward
.input  a 8
.input  b 8
.output sum 8
.output dif 8
.output xr 8

.core h 8
.forward o1, 1
start:
    in   r0, i0
    in   r1, i1
    add  r0, r1
    out  o0, r0
    j    start

.core m 8
.forward o1, 1
start:
    in   r0, i0
    in   r1, i0
    sub  r0, r1
    outn o0, r0
    j    start

.core t 8
start:
    in   r0, i0
    nop
    nop
    in   r1, i0
    xor  r0, r1
    out  o0, r0
    j    start

.bond a    -> h.i0
.bond b    -> h.i1
.bond h.o0 -> sum
.bond h.o1 -> m.i0
.bond m.o0 -> dif
.bond m.o1 -> t.i0
.bond t.o0 -> xr
