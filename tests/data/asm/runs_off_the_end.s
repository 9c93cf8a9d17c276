; expect: 3:5: core 'runs_off_the_end': the program can run past its last instruction ('nop'); end it with 'j' or 'halt'
    nop
    nop
