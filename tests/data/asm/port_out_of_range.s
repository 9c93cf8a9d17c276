; expect: 4:14: input port i1 does not exist: core 'rx' has .inputs 1 (line 3)
.core rx 8
.inputs 1
    in   r0, i1
    j    0
