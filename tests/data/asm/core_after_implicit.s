; expect: 4:1: '.core' after statements outside any core: in a file with .core sections, every instruction belongs to one
    nop
    j    0
.core x 8
    j    0
