/*
 * broker_expr: what a parsed broker id expression selects, and its canonical text (see
 * broker_expr.h; the parser is in broker_expr_parse.c).
 */
#include "broker_expr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_expr_internal.h"

int broker_expr_filter_cmp(const expr_filter *a, const expr_filter *b)
{
    int c = strcmp(a->name, b->name);
    return c ? c : strcmp(a->value, b->value);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

void broker_expr_free(broker_expr *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->n_filters; i++) {
        free(e->filters[i].name);
        free(e->filters[i].value);
    }
    free(e->filters);
    free(e->ids);
    free(e);
}

bool broker_expr_is_any(const broker_expr *e)
{
    return e->any;
}

bool broker_expr_has_filter(const broker_expr *e)
{
    return e->n_filters > 0;
}

size_t broker_expr_ids(const broker_expr *e, const int **ids)
{
    *ids = e->ids;
    return e->n_ids;
}

bool broker_expr_glob(const char *pattern, const char *s)
{
    /* On a mismatch, the last '*' takes one more character and matching resumes after it: an
     * earlier '*' never needs to take more, since the last one can absorb any run. */
    const char *star = NULL, *resume = NULL;
    while (*s) {
        if (*pattern == '*') {
            star = pattern++;
            resume = s;
        } else if (*pattern == *s) {
            pattern++;
            s++;
        } else if (star) {
            pattern = star + 1;
            s = ++resume;
        } else {
            return false;
        }
    }
    while (*pattern == '*')
        pattern++;
    return *pattern == '\0';
}

bool broker_expr_matches(const broker_expr *e, int id, broker_expr_attr_fn attr, void *ud)
{
    if (!e->any && !bsearch(&id, e->ids, e->n_ids, sizeof(*e->ids), cmp_int))
        return false;
    for (size_t i = 0; i < e->n_filters; i++) {
        const char *v = attr ? attr(ud, e->filters[i].name) : NULL;
        if (!v || !broker_expr_glob(e->filters[i].value, v))
            return false;
    }
    return true;
}

typedef struct {
    broker_expr_id_attr_fn attr;
    void *ud;
    int id;
} id_lookup;

static const char *lookup_for_id(void *ud, const char *name)
{
    const id_lookup *l = ud;
    return l->attr(l->ud, l->id, name);
}

int *broker_expr_select(const broker_expr *e, const int *known, size_t n,
                        broker_expr_id_attr_fn attr, void *ud, size_t *n_out)
{
    int *out = mk_xcalloc(n, sizeof(*out));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        id_lookup l = {attr, ud, known[i]};
        if (broker_expr_matches(e, known[i], attr ? lookup_for_id : NULL, &l))
            out[k++] = known[i];
    }
    qsort(out, k, sizeof(*out), cmp_int);
    size_t kept = 0;
    for (size_t i = 0; i < k; i++)
        if (kept == 0 || out[i] != out[kept - 1])
            out[kept++] = out[i];
    *n_out = kept;
    return out;
}

typedef struct {
    char *s;
    size_t len, cap;
} text_buf;

static void put(text_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        while (b->len + n + 1 > b->cap)
            b->cap = b->cap ? 2 * b->cap : 64;
        b->s = mk_xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void put_str(text_buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static void put_id(text_buf *b, int id)
{
    char num[16];
    int n = snprintf(num, sizeof(num), "%d", id);
    put(b, num, (size_t)n);
}

char *broker_expr_text(const broker_expr *e)
{
    text_buf b = {0};
    if (e->any)
        put_str(&b, "*");
    for (size_t i = 0; i < e->n_ids;) {
        size_t j = i; /* the run of consecutive ids from i to j */
        while (j + 1 < e->n_ids && e->ids[j + 1] == e->ids[j] + 1)
            j++;
        if (i > 0)
            put_str(&b, ",");
        put_id(&b, e->ids[i]);
        if (j - i >= 2) {
            put_str(&b, "..");
            put_id(&b, e->ids[j]);
            i = j + 1;
        } else {
            i++; /* one or two ids: written one by one */
        }
    }
    for (size_t i = 0; i < e->n_filters; i++) {
        put_str(&b, i == 0 ? "[" : ",");
        put_str(&b, e->filters[i].name);
        put_str(&b, "=");
        put_str(&b, e->filters[i].value);
    }
    if (e->n_filters > 0)
        put_str(&b, "]");
    return b.s;
}

bool broker_expr_equal(const broker_expr *a, const broker_expr *b)
{
    if (a->any != b->any || a->n_ids != b->n_ids || a->n_filters != b->n_filters)
        return false;
    if (a->n_ids && memcmp(a->ids, b->ids, a->n_ids * sizeof(*a->ids)) != 0)
        return false;
    for (size_t i = 0; i < a->n_filters; i++)
        if (broker_expr_filter_cmp(&a->filters[i], &b->filters[i]) != 0)
            return false;
    return true;
}
