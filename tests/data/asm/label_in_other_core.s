; expect: 7:10: undefined label or constant 'here'
.core a 8
here:
    j    here
.core b 8
    nop
    j    here
