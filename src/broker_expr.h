/*
 * broker_expr: the broker id expressions operators write to name brokers (`0`, `0,1`, `0..2`,
 * `0,1..2`, `*`), with an optional attribute filter on the agent a broker runs on:
 * `*[rack=r1]`, `0..5[hostname=node-2*]`, `*[rack=r1,zone=z*]` (every filter must match).
 *
 * Syntax, strict so a typo is refused rather than guessed at:
 *   expr   := ids [ '[' filter { ',' filter } ']' ]
 *   ids    := '*' | item { ',' item }        item := id | id '..' id   (start <= end)
 *   id     := 0..1000000, decimal digits, no sign, no leading zero
 *   filter := name '=' value
 *   name   := 1..128 of [A-Za-z0-9._-] (an agent attribute, or `hostname`)
 *   value  := 1 or more printable characters but ',' '[' ']' '='; '*' matches any run of
 *             characters (possibly empty), nothing else is special; matching is case-sensitive
 * No whitespace anywhere (not even around commas), only printable ASCII, at most
 * BROKER_EXPR_MAX_TEXT bytes, at most BROKER_EXPR_MAX_IDS distinct ids (per range and in all).
 * Duplicate ids collapse; the filters' order does not matter.
 *
 * Errors are one sentence naming the 1-based position and the part ("position 3: the range
 * \"5..2\" ends before it starts"); they do not say where the text came from, so callers add that
 * with mk_err_prefix(). The module is pure: no global state, no I/O.
 */
#ifndef MK_BROKER_EXPR_H
#define MK_BROKER_EXPR_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define BROKER_EXPR_MAX_ID   1000000
#define BROKER_EXPR_MAX_IDS  10000
#define BROKER_EXPR_MAX_TEXT 4096
#define BROKER_EXPR_MAX_NAME 128

typedef struct broker_expr broker_expr;

/* Parses `text` into a new *out (the caller frees it with broker_expr_free). Returns 0, or -1
 * with *out NULL and the reason in `err`. */
int broker_expr_parse(const char *text, broker_expr **out, mk_err *err);
void broker_expr_free(broker_expr *e);

/* `*`, with or without a filter. */
bool broker_expr_is_any(const broker_expr *e);
/* Whether there is an attribute filter. A broker not yet placed never matches one, so a caller
 * creating brokers (`add`) should refuse it. */
bool broker_expr_has_filter(const broker_expr *e);
/* The explicit ids, ascending and distinct, in *ids (owned by `e`); their number is returned.
 * `*` has none (0). */
size_t broker_expr_ids(const broker_expr *e, const int **ids);

/* Looks up an attribute of the agent a broker runs on ("hostname" included); NULL when unknown
 * (the broker is not placed, or its agent has no such attribute). */
typedef const char *(*broker_expr_attr_fn)(void *ud, const char *name);
typedef const char *(*broker_expr_id_attr_fn)(void *ud, int id, const char *name);

/* Whether broker `id` is selected: in the id set (or `*`) and, when there is a filter, every
 * filter matches the attribute `attr` gives. An unknown attribute, or `attr` NULL, does not
 * match. */
bool broker_expr_matches(const broker_expr *e, int id, broker_expr_attr_fn attr, void *ud);
/* The ids of `known` (n of them, any order, duplicates allowed) the expression selects, ascending
 * and distinct, in a new array the caller frees (never NULL, even when *n_out is 0). */
int *broker_expr_select(const broker_expr *e, const int *known, size_t n,
                        broker_expr_id_attr_fn attr, void *ud, size_t *n_out);

/* The canonical text, for logs and replies: runs of three or more ids as `a..b`, filters sorted,
 * e.g. "0..2,5[rack=r1]". Parsing it gives an equal expression. The caller frees it. */
char *broker_expr_text(const broker_expr *e);
/* Same ids (or both `*`) and the same filters. */
bool broker_expr_equal(const broker_expr *a, const broker_expr *b);

/* The filter values' glob: '*' matches any run of characters, every other character itself.
 * Iterative, O(len(pattern) * len(s)) at worst. Exposed for the tests. */
bool broker_expr_glob(const char *pattern, const char *s);

#endif
