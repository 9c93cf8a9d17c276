; expect: 3:10: undefined label or constant 'lop'
loop:
    j    lop
