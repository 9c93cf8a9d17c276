; table.s: a lookup table in RAM that counts its own use.
;
; For each index k it reads, the core sends table[k] and then adds one to
; table[k], so asking twice for the same entry gives two answers.  The RAM
; starts with the squares 0..49; .data words are placed from address 0
; on, a second .data goes on where the first stopped.  .ram pins the RAM
; larger than the data.

.machine table
.input  k 8
.output v 8

.core lut 8
.ram 16
.data 0, 1, 4, 9            ; squares of 0..3
.data 16, 25, 36, 0x31      ; squares of 4..7 (0x31 = 49)

loop:   in   r0, i0         ; k
        ld   r1, r0         ; r1 <- table[k] (2 cycles)
        out  o0, r1
        inc  r1
        st   r0, r1         ; table[k] <- table[k] + 1
        j    loop

.bond k     -> lut.i0
.bond lut.o0 -> v
