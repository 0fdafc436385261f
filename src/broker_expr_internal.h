/*
 * broker_expr_internal: the representation of a broker_expr, shared by broker_expr_parse.c (which
 * builds it) and broker_expr.c (which reads it). Not for other modules: they see broker_expr.h.
 */
#ifndef MK_BROKER_EXPR_INTERNAL_H
#define MK_BROKER_EXPR_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *name, *value;
} expr_filter;

struct broker_expr {
    bool any;
    int *ids; /* ascending, distinct; none when `any` */
    size_t n_ids;
    expr_filter *filters; /* sorted by broker_expr_filter_cmp, distinct */
    size_t n_filters;
};

/* By name, then value: the filters' canonical order. */
int broker_expr_filter_cmp(const expr_filter *a, const expr_filter *b);

#endif
