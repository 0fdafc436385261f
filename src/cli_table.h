/*
 * cli_table: the command-line client's aligned text tables, and the text of one JSON value in a
 * cell.
 *
 * A table is built row by row, then printed once, because a column's width is only known after
 * the last row. Columns are left-aligned and separated by two spaces; the last column is not
 * padded, so no line ends in blanks and `grep`/`awk` see clean fields. Widths count characters,
 * not bytes, so UTF-8 names line up.
 *
 * Everything a cell shows comes from the server; control characters in it are replaced by '?'
 * so a reply cannot move the cursor or change the terminal's colours.
 */
#ifndef MK_CLI_TABLE_H
#define MK_CLI_TABLE_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

typedef struct cli_table cli_table;

/* A table with these column headers (copied). */
cli_table *cli_table_new(size_t n_columns, const char *const *headers);
void cli_table_free(cli_table *t);
void cli_table_freep(cli_table **t);
#define cleanup_table __attribute__((cleanup(cli_table_freep)))

/* Appends a row of n_columns cells (copied); a NULL cell shows as "-". */
void cli_table_add(cli_table *t, const char *const *cells);
/* Appends a row whose cells are the text of JSON values (see cli_cell_text). */
void cli_table_add_json(cli_table *t, const json_t *const *values);
size_t cli_table_rows(const cli_table *t);
/* The header row, then every row. */
void cli_table_print(const cli_table *t, FILE *out);

/* A JSON value as cell text (caller frees): strings as they are (the empty one as ""), numbers as
 * numbers (a whole real without its ".0"), true/false as yes/no, null or absent as "-", arrays as
 * their items joined by ',' ("0,1,2"), objects as compact JSON. */
char *cli_cell_text(const json_t *v);

/* Two-column KEY VALUE table of an object's members in the order the server sent them; members
 * that are objects are flattened one level as "parent.key". Empty objects print nothing. */
void cli_print_object(const json_t *obj, const char *key_header, const char *value_header,
                      FILE *out);

#endif
