; expect: 5:7: core 'x' is already defined on line 2
.core x 8
    j    0

.core x 8
    j    0
