/*
 * fuzz_check: what every fuzz target shares. CHECK(cond) traps when an invariant does not hold,
 * which libFuzzer records as a crash with the input that broke it.
 */
#ifndef MK_FUZZ_CHECK_H
#define MK_FUZZ_CHECK_H

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

#endif
