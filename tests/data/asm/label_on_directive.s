; expect: 2:8: a label names a ROM address and cannot stand before '.data'
table: .data 1, 2
    j    0
