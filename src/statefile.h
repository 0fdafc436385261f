/*
 * statefile: the scheduler's persistent state as one JSON document, written so a crash at any
 * moment leaves either the old or the new file, never a torn one: write to a temp file in the same
 * directory, fsync it, rename over the old one, fsync the directory. Mode 0600. The document never
 * contains a secret (callers put none in it).
 */
#ifndef MK_STATEFILE_H
#define MK_STATEFILE_H

#include <jansson.h>
#include <stddef.h>

#include "util.h"

#define STATEFILE_SCHEMA_VERSION 1

/* Writes `doc` atomically to `path`. */
int statefile_write(const char *path, const json_t *doc, mk_err *err);

/* Reads `path`. A missing file gives 0 with *doc = NULL (first start). A file that cannot be read,
 * does not parse, is not an object or has an unknown schema_version is an error telling the
 * operator what to do; it is never replaced silently. */
int statefile_read(const char *path, json_t **doc, mk_err *err);
/* The checks of statefile_read on a file's contents (`len` bytes of `text`); `path` only names the
 * file in the messages. 0 with *doc (an object of the known schema_version), or -1 with *doc
 * NULL. */
int statefile_parse(const char *path, const char *text, size_t len, json_t **doc, mk_err *err);

#endif
