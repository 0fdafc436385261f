/*
 * broker_expr_parse: the text of a broker id expression into a broker_expr (see broker_expr.h).
 *
 * The ids are parsed as ranges, merged, and only then expanded, so the bound on distinct ids is
 * checked before anything large is allocated and `0..9999,0..9999` is 10000 ids, not 20000.
 */
#include "broker_expr.h"

#include <stdlib.h>
#include <string.h>

#include "broker_expr_internal.h"

typedef struct {
    int first, last;
} id_range;

typedef struct {
    const char *text;
    size_t pos;
    id_range *ranges;
    size_t n_ranges, cap_ranges;
} parser;

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_name_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '.' ||
           c == '_' || c == '-';
}

/* What was found where something else was expected, quoted for the message. */
static const char *found(char c, char buf[8])
{
    if (c == '\0')
        return "the end";
    buf[0] = '\'';
    buf[1] = c;
    buf[2] = '\'';
    buf[3] = '\0';
    return buf;
}

/* An id at p->pos: digits, no leading zero, at most BROKER_EXPR_MAX_ID. */
static int parse_id(parser *p, int *out, mk_err *err)
{
    const char *s = p->text + p->pos;
    size_t n = 0;
    long v = 0;
    while (is_digit(s[n])) {
        if (n < 8) /* more digits than that is too large anyway; stop before overflow */
            v = v * 10 + (s[n] - '0');
        n++;
    }
    if (n > 1 && s[0] == '0')
        return mk_err_set(err, "position %zu: the id \"%.*s\" has a leading zero", p->pos + 1,
                          n > 16 ? 16 : (int)n, s);
    if (n > 8 || v > BROKER_EXPR_MAX_ID)
        return mk_err_set(err, "position %zu: the id \"%.*s%s\" is above %d", p->pos + 1,
                          n > 16 ? 16 : (int)n, s, n > 16 ? "..." : "", BROKER_EXPR_MAX_ID);
    *out = (int)v;
    p->pos += n;
    return 0;
}

static void add_range(parser *p, int first, int last)
{
    if (p->n_ranges == p->cap_ranges) {
        p->cap_ranges = p->cap_ranges ? 2 * p->cap_ranges : 8;
        p->ranges = mk_xrealloc(p->ranges, p->cap_ranges * sizeof(*p->ranges));
    }
    p->ranges[p->n_ranges++] = (id_range){first, last};
}

/* One item: `id` or `id..id`. */
static int parse_item(parser *p, bool first_item, mk_err *err)
{
    char b[8];
    size_t start = p->pos;
    char c = p->text[start];
    if (c == '*')
        return mk_err_set(err, "position %zu: * stands alone (it already means every broker)",
                          start + 1);
    if (c == '[' && first_item)
        return mk_err_set(err, "position 1: a filter needs ids before it (write *[...] for "
                               "every broker)");
    if (c == '.' && p->text[start + 1] == '.')
        return mk_err_set(err, "position %zu: the range has no start id", start + 1);
    if (!is_digit(c))
        return mk_err_set(err, "position %zu: expected a broker id, found %s", start + 1,
                          found(c, b));
    int first = 0, last = 0; /* set by parse_id; the analyzer cannot tell mk_err_set returns -1 */
    if (parse_id(p, &first, err) < 0)
        return -1;
    last = first;
    if (p->text[p->pos] == '.') {
        if (p->text[p->pos + 1] != '.')
            return mk_err_set(err, "position %zu: a single '.' (a range is written 0..2)",
                              p->pos + 1);
        p->pos += 2;
        c = p->text[p->pos];
        if (c == '\0' || c == ',' || c == '[')
            return mk_err_set(err, "position %zu: the range \"%.*s\" has no end id", start + 1,
                              (int)(p->pos - start), p->text + start);
        if (!is_digit(c))
            return mk_err_set(err, "position %zu: expected the range's end id, found %s",
                              p->pos + 1, found(c, b));
        if (parse_id(p, &last, err) < 0)
            return -1;
        int len = (int)(p->pos - start);
        if (last < first)
            return mk_err_set(err, "position %zu: the range \"%.*s\" ends before it starts",
                              start + 1, len, p->text + start);
        if (last - first + 1 > BROKER_EXPR_MAX_IDS)
            return mk_err_set(err, "position %zu: the range \"%.*s\" holds %d ids, more than %d",
                              start + 1, len, p->text + start, last - first + 1,
                              BROKER_EXPR_MAX_IDS);
    }
    add_range(p, first, last);
    return 0;
}

/* The id part: `*` or items separated by commas; stops at '[' or the end. */
static int parse_ids(parser *p, broker_expr *e, mk_err *err)
{
    char b[8];
    if (p->text[0] == '*') {
        e->any = true;
        p->pos = 1;
        char c = p->text[1];
        if (c == ',' || is_digit(c))
            return mk_err_set(err, "position 1: * stands alone (it already means every broker)");
        if (c != '\0' && c != '[')
            return mk_err_set(err, "position 2: expected '[' or the end after *, found %s",
                              found(c, b));
        return 0;
    }
    for (bool first_item = true;; first_item = false) {
        if (parse_item(p, first_item, err) < 0)
            return -1;
        char c = p->text[p->pos];
        if (c == '\0' || c == '[')
            return 0;
        if (c != ',')
            return mk_err_set(err,
                              "position %zu: expected ',', '..', '[' or the end after an id, "
                              "found %s",
                              p->pos + 1, found(c, b));
        p->pos++;
        if (p->text[p->pos] == '\0')
            return mk_err_set(err, "position %zu: the expression ends with a comma", p->pos);
        if (p->text[p->pos] == '[')
            return mk_err_set(err, "position %zu: a comma before the filter", p->pos);
    }
}

/* One `name=value` at p->pos, appended to e->filters. */
static int parse_filter(parser *p, broker_expr *e, mk_err *err)
{
    const char *s = p->text;
    size_t start = p->pos, at = start;
    if (s[at] == ',' || s[at] == ']')
        return mk_err_set(err, "position %zu: an empty filter (write name=value)", at + 1);
    while (is_name_char(s[at]))
        at++;
    size_t name_len = at - start;
    if (s[at] == ',' || s[at] == ']')
        return mk_err_set(err, "position %zu: the filter \"%.*s\" has no '=' (write name=value)",
                          start + 1, (int)(name_len > 40 ? 40 : name_len), s + start);
    if (s[at] != '=') {
        char b[8];
        return mk_err_set(err, "position %zu: the attribute name has %s, outside A-Z a-z 0-9 . _ -",
                          at + 1, found(s[at], b));
    }
    if (name_len == 0)
        return mk_err_set(err, "position %zu: the filter has no attribute name before '='",
                          start + 1);
    if (name_len > BROKER_EXPR_MAX_NAME)
        return mk_err_set(err,
                          "position %zu: the attribute name \"%.20s...\" is longer than %d "
                          "characters",
                          start + 1, s + start, BROKER_EXPR_MAX_NAME);
    size_t vstart = ++at;
    while (s[at] != ',' && s[at] != ']' && s[at] != '[' && s[at] != '=')
        at++; /* the closing ']' is known to exist, so this stops */
    if (s[at] == '[' || s[at] == '=')
        return mk_err_set(err, "position %zu: '%c' is not allowed in the value of \"%.*s\"", at + 1,
                          s[at], (int)(name_len > 40 ? 40 : name_len), s + start);
    if (at == vstart)
        return mk_err_set(err,
                          "position %zu: the filter \"%.*s=\" has no value (write %.*s=* for "
                          "any value)",
                          start + 1, (int)(name_len > 40 ? 40 : name_len), s + start,
                          (int)(name_len > 40 ? 40 : name_len), s + start);
    e->filters = mk_xrealloc(e->filters, (e->n_filters + 1) * sizeof(*e->filters));
    e->filters[e->n_filters++] =
        (expr_filter){mk_xstrndup(s + start, name_len), mk_xstrndup(s + vstart, at - vstart)};
    p->pos = at;
    return 0;
}

/* The filter part: '[' filter {',' filter} ']', then the end. */
static int parse_filters(parser *p, broker_expr *e, mk_err *err)
{
    size_t open = p->pos;
    const char *close = strchr(p->text + open, ']');
    if (!close)
        return mk_err_set(err, "position %zu: the filter \"%.40s\" has no closing ']'", open + 1,
                          p->text + open);
    p->pos++;
    if (p->text[p->pos] == ']')
        return mk_err_set(err, "position %zu: the filter [] is empty", open + 1);
    for (;;) {
        if (parse_filter(p, e, err) < 0)
            return -1;
        if (p->text[p->pos++] == ']')
            break;
    }
    if (p->text[p->pos] != '\0')
        return mk_err_set(err, "position %zu: text after the filter's closing ']': \"%.40s\"",
                          p->pos + 1, p->text + p->pos);
    return 0;
}

static int cmp_range(const void *a, const void *b)
{
    const id_range *x = a, *y = b;
    return (x->first > y->first) - (x->first < y->first);
}

static int cmp_filter(const void *a, const void *b)
{
    return broker_expr_filter_cmp(a, b);
}

/* Merges the ranges, checks the number of distinct ids, expands them into e->ids. */
static int expand_ids(parser *p, broker_expr *e, mk_err *err)
{
    if (p->n_ranges == 0)
        return 0;
    qsort(p->ranges, p->n_ranges, sizeof(*p->ranges), cmp_range);
    size_t runs = 0;
    long total = 0;
    for (size_t i = 0; i < p->n_ranges; i++) {
        id_range r = p->ranges[i];
        if (runs > 0 && r.first <= p->ranges[runs - 1].last + 1) {
            id_range *prev = &p->ranges[runs - 1];
            if (r.last > prev->last) {
                total += r.last - prev->last;
                prev->last = r.last;
            }
        } else {
            p->ranges[runs++] = r;
            total += r.last - r.first + 1;
        }
    }
    if (total > BROKER_EXPR_MAX_IDS)
        return mk_err_set(err, "the expression names %ld distinct ids, more than %d", total,
                          BROKER_EXPR_MAX_IDS);
    e->ids = mk_xcalloc((size_t)total, sizeof(*e->ids));
    for (size_t i = 0; i < runs; i++)
        for (int id = p->ranges[i].first; id <= p->ranges[i].last; id++)
            e->ids[e->n_ids++] = id;
    return 0;
}

/* Sorts the filters and drops exact duplicates, so equal expressions print the same. */
static void canonical_filters(broker_expr *e)
{
    if (e->n_filters == 0)
        return;
    qsort(e->filters, e->n_filters, sizeof(*e->filters), cmp_filter);
    size_t kept = 1;
    for (size_t i = 1; i < e->n_filters; i++) {
        if (broker_expr_filter_cmp(&e->filters[i], &e->filters[kept - 1]) == 0) {
            free(e->filters[i].name);
            free(e->filters[i].value);
        } else {
            e->filters[kept++] = e->filters[i];
        }
    }
    e->n_filters = kept;
}

/* Only printable ASCII, no whitespace, bounded length: checked before anything else, so the
 * messages below can quote the text as it is. */
static int check_text(const char *text, mk_err *err)
{
    size_t len = strnlen(text, BROKER_EXPR_MAX_TEXT + 1);
    if (len == 0)
        return mk_err_set(err, "the broker id expression is empty");
    if (len > BROKER_EXPR_MAX_TEXT)
        return mk_err_set(err, "the broker id expression is longer than %d bytes",
                          BROKER_EXPR_MAX_TEXT);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == ' ')
            return mk_err_set(err,
                              "position %zu: a space is not allowed (write 0,1..2[rack=r1] "
                              "without spaces)",
                              i + 1);
        if (c < 0x21 || c > 0x7e)
            return mk_err_set(err, "position %zu: byte 0x%02x is not a printable character", i + 1,
                              c);
    }
    return 0;
}

int broker_expr_parse(const char *text, broker_expr **out, mk_err *err)
{
    *out = NULL;
    if (check_text(text, err) < 0)
        return -1;
    broker_expr *e = mk_xcalloc(1, sizeof(*e));
    parser p = {.text = text};
    int rc = parse_ids(&p, e, err);
    if (rc == 0 && text[p.pos] == '[')
        rc = parse_filters(&p, e, err);
    if (rc == 0)
        rc = expand_ids(&p, e, err);
    free(p.ranges);
    if (rc < 0) {
        broker_expr_free(e);
        return -1;
    }
    canonical_filters(e);
    *out = e;
    return 0;
}
