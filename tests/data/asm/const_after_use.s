; expect: 2:12: undefined constant 'B' (a directive can use only constants defined above it)
.const A = B + 1
.const B = 2
    j    0
