; expect: 3:5: unknown mnemonic 'ad'
loop:
    ad   r0, r1
    j    loop
