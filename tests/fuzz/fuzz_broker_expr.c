/*
 * Fuzz the broker id expressions (broker_expr) operators write: `0,1..2`, `*[rack=r1,zone=z*]`.
 *
 * Input: the expression text; optionally followed by NUL, a glob pattern, NUL, a string. At most
 * MAX_INPUT bytes (a little over the parser's own limit, so its refusal is reached too).
 *
 * Invariants: a refusal is one line that names a position or the whole text, and is not cut
 * short. An accepted expression has ascending, distinct ids within the limits (none for `*`); its
 * canonical text is no longer than the input, parses to an equal expression and prints the same
 * again. Selecting from a small set of brokers (some placed, one not) gives ascending, distinct
 * ids of that set, exactly those broker_expr_matches accepts; without a filter, exactly the set's
 * members in the ids. The glob agrees with a reference (dynamic programming) on the pattern and
 * string. Everything is freed. No crash, undefined behaviour or timeout (the glob is iterative).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_expr.h"

#include "fuzz_check.h"

#define MAX_INPUT (BROKER_EXPR_MAX_TEXT + 64)
#define MAX_GLOB  256 /* the reference is quadratic in memory */

static const int known[] = {9, 0, 1, 2, 3, 5, 1000000, 2, 10000};

/* Broker 9 is not placed; the others run on node-<id>, in rack r<id % 3>; broker 5's agent has
 * the fuzzer's string for every attribute. */
static const char *agent_attr(void *ud, int id, const char *name)
{
    static char buf[32];
    if (id == 9)
        return NULL;
    if (id == 5 && ud)
        return ud;
    if (strcmp(name, "hostname") == 0)
        snprintf(buf, sizeof(buf), "node-%d", id);
    else if (strcmp(name, "rack") == 0)
        snprintf(buf, sizeof(buf), "r%d", id % 3);
    else
        return NULL;
    return buf;
}

typedef struct {
    int id;
    void *ud;
} one_broker;

static const char *one_attr(void *ud, const char *name)
{
    const one_broker *b = ud;
    return agent_attr(b->ud, b->id, name);
}

static bool reference_glob(const char *p, const char *s)
{
    size_t m = strlen(p), n = strlen(s);
    /* at[i][j]: p[i..] matches s[j..] */
    bool *at = calloc((m + 1) * (n + 1), sizeof(bool));
#define AT(i, j) at[(i) * (n + 1) + (j)]
    AT(m, n) = true;
    for (size_t i = m; i-- > 0;)
        for (size_t j = n + 1; j-- > 0;)
            AT(i, j) = p[i] == '*' ? AT(i + 1, j) || (j < n && AT(i, j + 1))
                                   : j < n && p[i] == s[j] && AT(i + 1, j + 1);
    bool r = AT(0, 0);
#undef AT
    free(at);
    return r;
}

static bool in_ids(const broker_expr *e, int id)
{
    const int *ids;
    size_t n = broker_expr_ids(e, &ids);
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return true;
    return broker_expr_is_any(e);
}

static void check_accepted(const char *text, const broker_expr *e, void *ud)
{
    const int *ids;
    size_t n = broker_expr_ids(e, &ids);
    CHECK(broker_expr_is_any(e) == (text[0] == '*'));
    CHECK(broker_expr_is_any(e) ? n == 0 : n >= 1);
    CHECK(n <= BROKER_EXPR_MAX_IDS);
    for (size_t i = 0; i < n; i++) {
        CHECK(ids[i] >= 0 && ids[i] <= BROKER_EXPR_MAX_ID);
        CHECK(i == 0 || ids[i] > ids[i - 1]);
    }

    char *t = broker_expr_text(e);
    CHECK(t && strlen(t) <= strlen(text));
    broker_expr *again = NULL;
    mk_err err = {{0}};
    CHECK(broker_expr_parse(t, &again, &err) == 0);
    CHECK(broker_expr_equal(e, again));
    char *t2 = broker_expr_text(again);
    CHECK(strcmp(t, t2) == 0);
    free(t2);
    broker_expr_free(again);
    free(t);

    size_t n_sel;
    int *sel =
        broker_expr_select(e, known, sizeof(known) / sizeof(known[0]), agent_attr, ud, &n_sel);
    CHECK(sel);
    for (size_t i = 0; i < n_sel; i++)
        CHECK(i == 0 || sel[i] > sel[i - 1]);
    for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
        bool selected = false;
        for (size_t i = 0; i < n_sel; i++)
            selected |= sel[i] == known[k];
        one_broker b = {known[k], ud};
        CHECK(selected == broker_expr_matches(e, known[k], one_attr, &b));
        if (!broker_expr_has_filter(e))
            CHECK(selected == in_ids(e, known[k]));
        else if (known[k] == 9)
            CHECK(!selected); /* not placed */
    }
    for (size_t i = 0; i < n_sel; i++) {
        bool from_known = false;
        for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
            from_known |= sel[i] == known[k];
        CHECK(from_known);
    }
    free(sel);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    char *copy = malloc(size + 1);
    memcpy(copy, data, size);
    copy[size] = '\0';
    const char *text = copy;
    size_t text_len = strlen(text);
    const char *pattern = NULL, *s = NULL;
    if (text_len < size) {
        pattern = copy + text_len + 1;
        size_t pattern_len = strnlen(pattern, size - text_len - 1);
        if (text_len + 1 + pattern_len < size)
            s = pattern + pattern_len + 1;
    }

    broker_expr *e = NULL;
    mk_err err = {{0}};
    if (broker_expr_parse(text, &e, &err) == 0) {
        CHECK(e);
        check_accepted(text, e, (void *)s);
        broker_expr_free(e);
    } else {
        size_t len = strlen(err.msg);
        CHECK(!e && len > 0 && len < sizeof(err.msg) - 1);
        CHECK(!strchr(err.msg, '\n'));
        CHECK(strncmp(err.msg, "position ", 9) == 0 || strncmp(err.msg, "the ", 4) == 0);
    }

    if (pattern && s && strlen(pattern) <= MAX_GLOB && strlen(s) <= MAX_GLOB)
        CHECK(broker_expr_glob(pattern, s) == reference_glob(pattern, s));
    free(copy);
    return 0;
}
