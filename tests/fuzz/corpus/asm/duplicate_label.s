; expect: 4:1: duplicate label 'loop' (first defined on line 2)
loop:
    nop
loop:
    j    loop
