/*
 * json_scan: finds byte ranges in JSON text without building a document.
 *
 * An OFFERS event from a large cluster is megabytes of JSON; parsing it whole into a jansson
 * document costs a hundred megabytes for 10,000 offers. With these ranges the event parser loads
 * the event without its offers array, then each offer on its own, so the memory held at once is one
 * offer's document. The scanner only locates; jansson still parses (and validates) every byte of
 * the pieces, and any text the scanner cannot place makes the caller fall back to a whole parse.
 */
#ifndef MK_JSON_SCAN_H
#define MK_JSON_SCAN_H

#include <stddef.h>

typedef struct {
    size_t begin, end; /* [begin, end) */
} json_span;

/* The span of the array at `outer_key`.`inner_key` of the top-level object (keys written plainly,
 * without escapes), brackets included. Returns -1 if there is none or the text is not well formed
 * enough to tell. */
int json_scan_nested_array(const char *text, size_t len, const char *outer_key,
                           const char *inner_key, json_span *out);

/* Calls `each` with the span of every element of the array at `array` (its brackets included in
 * the span given). Returns the number of elements, or -1 if the array is malformed (nothing is
 * promised about the calls made before). `each` returning non-zero stops the walk with -1. */
long json_scan_elements(const char *text, json_span array,
                        int (*each)(const char *text, json_span element, void *ud), void *ud);

#endif
