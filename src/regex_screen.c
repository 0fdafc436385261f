/*
 * regex_screen: the checks a regex passes before glibc's regcomp sees it.
 *
 * The walk follows the POSIX ERE grammar far enough to know groups, bracket expressions, escapes
 * and repetitions, and over-estimates what glibc copies out, so it may refuse a harmless pattern
 * but never lets through one that breaks the anchoring ^(<regex>)$. Errors of the grammar itself
 * (an unclosed bracket, a dangling backslash) are left to regcomp.
 */
#include "regex_screen.h"

#include <stdbool.h>
#include <stddef.h>

#define MAX_REPEAT 32  /* largest repetition count in a regex */
#define MAX_ATOMS  128 /* largest expanded size of a regex */
#define MAX_REPS   24  /* most repetitions of a regex, copies counted */
#define MAX_DEPTH  32  /* deepest group nesting of a regex */
#define TOO_BIG    "it expands to more than 128 atoms once its repetitions are multiplied out"

/* Skips the bracket expression at `p`; returns its end, or NULL when it is not closed. */
static const char *screen_bracket(const char *p)
{
    p++; /* '[' */
    if (*p == '^')
        p++;
    if (*p == ']')
        p++;
    while (*p && *p != ']') {
        if (p[0] == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
            const char *close = p + 2;
            while (*close && !(close[0] == p[1] && close[1] == ']'))
                close++;
            if (!*close)
                return NULL;
            p = close + 2;
        } else {
            p++;
        }
    }
    return *p ? p + 1 : NULL;
}

/* Reads "{m}", "{m,}", "{m,n}" or "{,n}" at `p`; returns the count it multiplies by (the largest
 * of m and n, at least 1), or 0 when `p` is no valid bound (glibc then refuses or takes '{'
 * literally; either way nothing is repeated). `*end` is set past the '}'. */
static long read_bound(const char *p, const char **end)
{
    long m = -1, n = -1, *cur = &m;
    for (p++;; p++) {
        if (*p >= '0' && *p <= '9') {
            *cur = (*cur < 0 ? 0 : *cur) * 10 + (*p - '0');
            if (*cur > 100000)
                *cur = 100000;
        } else if (*p == ',' && cur == &m) {
            cur = &n;
        } else if (*p == '}') {
            break;
        } else {
            return 0;
        }
    }
    if (m < 0 && n < 0)
        return 0;
    *end = p + 1;
    long big = m > n ? m : n;
    return big < 1 ? 1 : big;
}

/* What a regex costs glibc once its repetitions are copied out: atoms, and repetitions (*, ?,
 * +, {m,n}, and those inside a group a count copies). glibc's time grows exponentially with
 * nested repetitions of something that may be empty: "(a*)*" twenty times over takes 2 s. */
typedef struct {
    long atoms, reps;
} regex_cost;

/* Adds `n` times `c` to `to`; refuses when over the limits. */
static int add_cost(regex_cost *to, regex_cost c, long n, const char **why)
{
    to->atoms += c.atoms * n;
    to->reps += c.reps * n;
    if (to->atoms > MAX_ATOMS)
        return *why = TOO_BIG, -1;
    if (to->reps > MAX_REPS)
        return *why = "it has more than 24 repetitions once its counts are multiplied out", -1;
    return 0;
}

/* Refuses a regex glibc would be slow on or that escapes the anchoring (see regex_screen.h).
 * Errors of the grammar itself (an unclosed bracket, a dangling backslash) are left to regcomp,
 * whose message says it better. */
int regex_screen(const char *re, const char **why)
{
    regex_cost total[MAX_DEPTH + 1] = {{0, 0}}; /* per open group */
    regex_cost last = {1, 0}; /* the atom just read, for a repetition that follows */
    int depth = 0;
    bool repeated = false; /* the last thing read was a repetition */
    for (const char *p = re; *p;) {
        const char *next = p + 1;
        long count = *p == '{' ? read_bound(p, &next) : 0;
        bool repetition = *p == '*' || *p == '+' || *p == '?' || count > 0;
        if (repetition && repeated) /* glibc nests a***: 84 stars took 27 s */
            return *why = "it repeats a repetition (as in a** or a+{2}; group the inner one)", -1;
        repeated = repetition;
        regex_cost atom = {1, 0};
        if (count > MAX_REPEAT)
            return *why = "it repeats something more than 32 times", -1;
        if (repetition) {
            /* x+ is xx*, x{m,n} is n copies of x, the extra ones optional */
            long copies = *p == '+' ? 1 : count > 0 ? count - 1 : 0;
            if (add_cost(&total[depth], last, copies, why) != 0 ||
                add_cost(&total[depth], (regex_cost){0, 1}, 1, why) != 0)
                return -1;
            p = next;
            continue;
        }
        switch (*p) {
        case '\\':
            if (p[1] >= '1' && p[1] <= '9')
                return *why = "it uses a back-reference (\\1 to \\9)", -1;
            if (!p[1])
                return 0;
            next = p + 2;
            break;
        case '[':
            next = screen_bracket(p);
            if (!next)
                return 0;
            break;
        case '(':
            if (depth == MAX_DEPTH)
                return *why = "its groups nest more than 32 deep", -1;
            total[++depth] = (regex_cost){0, 0};
            last = (regex_cost){1, 0};
            p = next;
            continue;
        case ')':
            if (depth == 0)
                return *why = "it has a ')' without its '(' (write \\) for a literal one)", -1;
            atom = total[depth--];
            if (atom.atoms < 1)
                atom.atoms = 1;
            break;
        case '|':
        case '^':
        case '$':
            last = (regex_cost){1, 0}; /* over-estimates a repetition glibc would refuse anyway */
            p = next;
            continue;
        default:
            break;
        }
        if (add_cost(&total[depth], atom, 1, why) != 0)
            return -1;
        last = atom;
        p = next;
    }
    return 0;
}
