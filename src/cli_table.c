/*
 * cli_table: aligned text tables for the command-line client (see cli_table.h).
 *
 * Cells are stored as sanitised copies in one growing array, row-major; widths are computed at
 * print time. Tables are small (a few hundred rows at most), so nothing here is clever.
 */
#include "cli_table.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct cli_table {
    size_t n_columns;
    size_t n_rows; /* not counting the header */
    char **cells;  /* (n_rows + 1) * n_columns, the header first */
    size_t cap_rows;
};

/* A copy with control characters (and DEL) replaced, so a cell is always one plain line. */
static char *sanitised_copy(const char *s)
{
    char *copy = mk_xstrdup(s ? s : "-");
    for (unsigned char *p = (unsigned char *)copy; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            *p = '?';
    return copy;
}

/* Characters, not bytes: UTF-8 continuation bytes (top bits 10) do not count. */
static size_t display_width(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xC0) != 0x80;
    return n;
}

static void append_row(cli_table *t, char **owned_cells)
{
    if (t->n_rows + 1 >= t->cap_rows) {
        t->cap_rows = t->cap_rows ? t->cap_rows * 2 : 8;
        t->cells = mk_xrealloc(t->cells, t->cap_rows * t->n_columns * sizeof(char *));
    }
    size_t row = t->n_rows + 1;
    memcpy(t->cells + row * t->n_columns, owned_cells, t->n_columns * sizeof(char *));
    t->n_rows++;
}

cli_table *cli_table_new(size_t n_columns, const char *const *headers)
{
    cli_table *t = mk_xcalloc(1, sizeof(*t));
    t->n_columns = n_columns ? n_columns : 1;
    t->cap_rows = 8;
    t->cells = mk_xcalloc(t->cap_rows * t->n_columns, sizeof(char *));
    for (size_t c = 0; c < t->n_columns; c++)
        t->cells[c] = sanitised_copy(c < n_columns ? headers[c] : "");
    return t;
}

void cli_table_free(cli_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < (t->n_rows + 1) * t->n_columns; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t);
}

void cli_table_freep(cli_table **t)
{
    cli_table_free(*t);
}

void cli_table_add(cli_table *t, const char *const *cells)
{
    char *row[t->n_columns];
    for (size_t c = 0; c < t->n_columns; c++)
        row[c] = sanitised_copy(cells[c]);
    append_row(t, row);
}

void cli_table_add_json(cli_table *t, const json_t *const *values)
{
    char *row[t->n_columns];
    for (size_t c = 0; c < t->n_columns; c++) {
        cleanup_free char *text = cli_cell_text(values[c]);
        row[c] = sanitised_copy(text);
    }
    append_row(t, row);
}

size_t cli_table_rows(const cli_table *t)
{
    return t->n_rows;
}

void cli_table_print(const cli_table *t, FILE *out)
{
    size_t width[t->n_columns];
    memset(width, 0, sizeof(width));
    for (size_t r = 0; r <= t->n_rows; r++)
        for (size_t c = 0; c < t->n_columns; c++) {
            size_t w = display_width(t->cells[r * t->n_columns + c]);
            if (w > width[c])
                width[c] = w;
        }
    for (size_t r = 0; r <= t->n_rows; r++) {
        char **row = t->cells + r * t->n_columns;
        size_t shown = t->n_columns; /* up to the last non-empty cell: no trailing blanks */
        while (shown > 1 && row[shown - 1][0] == '\0')
            shown--;
        for (size_t c = 0; c < shown; c++) {
            fputs(row[c], out);
            if (c + 1 < shown)
                fprintf(out, "%*s", (int)(width[c] - display_width(row[c]) + 2), "");
        }
        fputc('\n', out);
    }
}

/* ---- JSON values as text ------------------------------------------------------------------ */

static char *number_text(const json_t *v)
{
    if (json_is_integer(v))
        return mk_xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
    double d = json_real_value(v);
    if (isfinite(d) && d == floor(d) && fabs(d) < 1e15)
        return mk_xasprintf("%.0f", d);
    return mk_xasprintf("%g", d);
}

char *cli_cell_text(const json_t *v)
{
    if (!v || json_is_null(v))
        return mk_xstrdup("-");
    if (json_is_string(v)) /* "" shown as such, so every cell has something for awk */
        return mk_xstrdup(*json_string_value(v) ? json_string_value(v) : "\"\"");
    if (json_is_number(v))
        return number_text(v);
    if (json_is_boolean(v))
        return mk_xstrdup(json_is_true(v) ? "yes" : "no");
    if (json_is_array(v)) {
        if (json_array_size(v) == 0)
            return mk_xstrdup("-");
        char *joined = mk_xstrdup("");
        size_t i;
        const json_t *item;
        json_array_foreach(v, i, item)
        {
            cleanup_free char *part = json_is_object(item) || json_is_array(item)
                                          ? json_dumps(item, JSON_COMPACT)
                                          : cli_cell_text(item);
            char *next = mk_xasprintf("%s%s%s", joined, i ? "," : "", part ? part : "");
            free(joined);
            joined = next;
        }
        return joined;
    }
    char *compact = json_dumps(v, JSON_COMPACT);
    return compact ? compact : mk_xstrdup("?");
}

void cli_print_object(const json_t *obj, const char *key_header, const char *value_header,
                      FILE *out)
{
    const char *headers[] = {key_header, value_header};
    cleanup_table cli_table *t = cli_table_new(2, headers);
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)obj, key, value)
    {
        if (!json_is_object(value)) {
            cleanup_free char *text = cli_cell_text(value);
            cli_table_add(t, (const char *[]){key, text});
            continue;
        }
        const char *sub_key;
        const json_t *sub_value;
        json_object_foreach((json_t *)value, sub_key, sub_value)
        {
            cleanup_free char *name = mk_xasprintf("%s.%s", key, sub_key);
            cleanup_free char *text = cli_cell_text(sub_value);
            cli_table_add(t, (const char *[]){name, text});
        }
    }
    if (cli_table_rows(t) > 0)
        cli_table_print(t, out);
}
