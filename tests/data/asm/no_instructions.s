; expect: 1:1: the file has no instructions
.const A = 1
