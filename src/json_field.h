/*
 * json_field: reading typed fields of a JSON document (jansson) with errors that name the path.
 *
 * Getters return 1 when the value is present and of the right kind, 0 when it is absent and
 * optional, and -1 with a message such as "offers.offers[3].agent_id is missing" otherwise.
 * `where` is the path of `obj` from the document's root. JSON null reads as absent, and numbers and
 * booleans may also arrive as strings, as Mesos's own JSON reader (stout) accepts.
 */
#ifndef MK_JSON_FIELD_H
#define MK_JSON_FIELD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "util.h"

#define JF_PATH_LEN 200

const char *jf_subpath(char out[JF_PATH_LEN], const char *where, const char *key, long index);
const json_t *jf_field(const json_t *obj, const char *key);
const char *jf_kind(const json_t *v);
int jf_wrong_kind(mk_err *err, const char *where, const char *key, const json_t *v,
                  const char *expected);
int jf_expect_object(const json_t *v, const char *path, mk_err *err);
int jf_absent(bool required, mk_err *err, const char *where, const char *key);
int jf_get_container(const json_t *obj, const char *key, bool required, json_type want,
                     const json_t **out, const char *where, mk_err *err);
int jf_get_text(const json_t *obj, const char *key, bool required, const char **out,
                const char *where, mk_err *err);
int jf_get_string(const json_t *obj, const char *key, bool required, char **out, const char *where,
                  mk_err *err);
int jf_get_id(const json_t *obj, const char *key, bool required, char **out, const char *where,
              mk_err *err);
int jf_get_numeric(const json_t *obj, const char *key, bool required, long double *out,
                   const char *where, mk_err *err);
int jf_get_number(const json_t *obj, const char *key, bool required, double *out, const char *where,
                  mk_err *err);
int jf_get_whole(const json_t *obj, const char *key, bool required, long double lo, long double hi,
                 long double *out, const char *where, mk_err *err);
int jf_get_uint64(const json_t *obj, const char *key, bool required, uint64_t *out,
                  const char *where, mk_err *err);
int jf_get_bool(const json_t *obj, const char *key, bool *out, const char *where, mk_err *err);

#define jf_get_object(o, k, req, out, w, e) jf_get_container(o, k, req, JSON_OBJECT, out, w, e)
#define jf_get_array(o, k, req, out, w, e)  jf_get_container(o, k, req, JSON_ARRAY, out, w, e)

#endif
