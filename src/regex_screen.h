/*
 * regex_screen: whether a POSIX extended regex is safe to hand to glibc's regcomp and to anchor
 * as ^(<regex>)$ (placement constraints, src/constraint.h, are its user).
 *
 * glibc takes seconds to compile and to match small patterns that copy or nest repetitions: the
 * 11 bytes "(a?){0,255}" take two seconds to compile, "(a*)*" twenty times over two seconds,
 * "a" with 84 stars 27 seconds. Refused, with the reason as a sentence fragment ("it uses a
 * back-reference (\1 to \9)") in *why:
 *   - a repetition count above 32 ({m,n} with m or n > 32);
 *   - more than 128 atoms, or more than 24 repetitions (*, ?, +, {m,n}), once every count is
 *     multiplied out (x+ counts as xx*, x{m,n} as n copies of x);
 *   - a repetition of a repetition (a**, a+{2}): group the inner one;
 *   - a back-reference (\1..\9), which glibc matches by backtracking;
 *   - a ')' without its '(' (glibc takes it literally, but inside ^(...)$ it would close the
 *     anchoring group): write \) for a literal one;
 *   - groups nested more than 32 deep.
 * Within these limits the worst compiles measured take about 50 ms. The length (at most 256
 * bytes in constraints) is the caller's to check.
 */
#ifndef MK_REGEX_SCREEN_H
#define MK_REGEX_SCREEN_H

/* 0 if `re` may be compiled; -1 with the reason in *why (a static string). */
int regex_screen(const char *re, const char **why);

#endif
