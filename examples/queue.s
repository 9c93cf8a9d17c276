# queue.s: an output queue against the one-word holding register
# (docs/timing.md, "Output queues").
#
# Each producer takes a value v and posts v, v+1, v+2 on one port, then
# reports the end of its pass on a second port (`out`, to an external
# output that is always ready).  Each consumer takes a value, spends two
# cycles, and sends it on: one value every 5 cycles, the bottleneck.  The
# consumers' outputs y1 and y3 are the same; what differs is when the
# producers are free again.  p1, with the holding register, stalls on its
# third outn until the consumer has taken the second value; p3, with a queue
# of 3 words, posts all three at once and finishes its passes at cycles 6
# and 14 instead of 8 and 23.  Worked by hand (cycle: p3, c3):
#   0 in 10 | in waits      1 outn 10 | in 10 (offered straight)
#   2 inc | nop             3 outn 11 (queued: 1) | nop
#   4 inc | out 10          5 outn 12 (queued: 2) | j
#   6 out 12 (p3done) | in 11 (queue: 1)          7 j | nop
#   8 in 20 | nop           9 outn 20 (queue: 2) | out 11
#  10 inc | j              11 outn 21 | in 12 (a push and a pop: 2)
#  12 inc | nop            13 outn 22 (queue: 3) | nop
#  14 out 22 (p3done) | out 12   ... c3 takes 20, 21, 22 at 16, 21, 26.

.machine queue
.input  a 8
.input  b 8
.output y1 8
.output p1done 8
.output y3 8
.output p3done 8

.core p1 8
start:
    in   r0, i0
    outn o0, r0
    inc  r0
    outn o0, r0
    inc  r0
    outn o0, r0
    out  o1, r0         # the pass is over
    j    start

.core c1 8
start:
    in   r1, i0
    nop
    nop
    out  o0, r1
    j    start

.core p3 8
.queue 3
start:
    in   r0, i0
    outn o0, r0
    inc  r0
    outn o0, r0
    inc  r0
    outn o0, r0
    out  o1, r0
    j    start

.core c3 8
start:
    in   r1, i0
    nop
    nop
    out  o0, r1
    j    start

.bond a     -> p1.i0
.bond p1.o0 -> c1.i0
.bond c1.o0 -> y1
.bond p1.o1 -> p1done
.bond b     -> p3.i0
.bond p3.o0 -> c3.i0
.bond c3.o0 -> y3
.bond p3.o1 -> p3done
