/*
 * json_field: typed JSON field getters whose errors name the field's path (see json_field.h).
 */
#include "json_field.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "<where>.<key>", or "<where>.<key>[<index>]" when index >= 0 (cut short if huge: logs only). */
const char *jf_subpath(char out[JF_PATH_LEN], const char *where, const char *key, long index)
{
    int n = index < 0 ? snprintf(out, JF_PATH_LEN, "%s.%s", where, key)
                      : snprintf(out, JF_PATH_LEN, "%s.%s[%ld]", where, key, index);
    if (n < 0)
        out[0] = '\0';
    return out;
}

/* obj[key], with JSON null read as absent (as the master's reader does). */
const json_t *jf_field(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return v && !json_is_null(v) ? v : NULL;
}

const char *jf_kind(const json_t *v)
{
    static const char *const kinds[] = {
        [JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array", [JSON_STRING] = "a string",
        [JSON_INTEGER] = "a number", [JSON_REAL] = "a number",  [JSON_TRUE] = "a boolean",
        [JSON_FALSE] = "a boolean",  [JSON_NULL] = "null",
    };
    return kinds[json_typeof(v)];
}

int jf_wrong_kind(mk_err *err, const char *where, const char *key, const json_t *v,
                  const char *expected)
{
    return mk_err_set(err, "%s.%s is %s, not %s", where, key, jf_kind(v), expected);
}

/* For array items, whose path is already complete. */
int jf_expect_object(const json_t *v, const char *path, mk_err *err)
{
    return json_is_object(v) ? 0 : mk_err_set(err, "%s is %s, not an object", path, jf_kind(v));
}

int jf_absent(bool required, mk_err *err, const char *where, const char *key)
{
    return required ? mk_err_set(err, "%s.%s is missing", where, key) : 0;
}

/* An object or an array (want = JSON_OBJECT / JSON_ARRAY). */
int jf_get_container(const json_t *obj, const char *key, bool required, json_type want,
                     const json_t **out, const char *where, mk_err *err)
{
    const json_t *v = jf_field(obj, key);
    *out = NULL;
    if (!v)
        return jf_absent(required, err, where, key);
    if (json_typeof(v) != want)
        return jf_wrong_kind(err, where, key, v, want == JSON_OBJECT ? "an object" : "an array");
    *out = v;
    return 1;
}

/* A string borrowed from the document (valid until it is released). jansson refuses \u0000 unless
 * asked to allow it, so these strings never hide a NUL. */
int jf_get_text(const json_t *obj, const char *key, bool required, const char **out,
                const char *where, mk_err *err)
{
    const json_t *v = jf_field(obj, key);
    *out = NULL;
    if (!v)
        return jf_absent(required, err, where, key);
    if (!json_is_string(v))
        return jf_wrong_kind(err, where, key, v, "a string");
    *out = json_string_value(v);
    return 1;
}

/* A string, copied. */
int jf_get_string(const json_t *obj, const char *key, bool required, char **out, const char *where,
                  mk_err *err)
{
    const char *text;
    int got = jf_get_text(obj, key, required, &text, where, err);
    *out = got > 0 ? mk_xstrdup(text) : NULL;
    return got;
}

/* An id message such as FrameworkID, {"value": "..."}, copied. */
int jf_get_id(const json_t *obj, const char *key, bool required, char **out, const char *where,
              mk_err *err)
{
    const json_t *id;
    char path[JF_PATH_LEN];
    int got = jf_get_object(obj, key, required, &id, where, err);
    *out = NULL;
    return got > 0 ? jf_get_string(id, "value", true, out, jf_subpath(path, where, key, -1), err)
                   : got;
}

/* A JSON number or a numeric string (stout reads both), as a long double: exact for every 64-bit
 * integer where we build (x86-64 and arm64 long doubles have at least 64 mantissa bits). Strings
 * are held to the JSON number grammar's characters: no hex, "nan", "inf" or spaces. */
int jf_get_numeric(const json_t *obj, const char *key, bool required, long double *out,
                   const char *where, mk_err *err)
{
    const json_t *v = jf_field(obj, key);
    if (!v)
        return jf_absent(required, err, where, key);
    if (json_is_integer(v)) {
        *out = (long double)json_integer_value(v);
        return 1;
    }
    if (json_is_real(v)) {
        *out = json_real_value(v);
        return 1;
    }
    if (!json_is_string(v))
        return jf_wrong_kind(err, where, key, v, "a number");
    const char *s = json_string_value(v);
    char *end = NULL;
    if ((*s == '-' || (*s >= '0' && *s <= '9')) && strspn(s, "0123456789+-.eE") == strlen(s))
        *out = strtold(s, &end);
    if (!end || *end != '\0' || !isfinite(*out) || fabsl(*out) > DBL_MAX)
        return mk_err_set(err, "%s.%s is a string that is not a number", where, key);
    return 1;
}

int jf_get_number(const json_t *obj, const char *key, bool required, double *out, const char *where,
                  mk_err *err)
{
    long double x = 0;
    int got = jf_get_numeric(obj, key, required, &x, where, err);
    if (got > 0)
        *out = (double)x;
    return got;
}

/* A whole number within [lo, hi], checked before any conversion, so casting it is exact. */
int jf_get_whole(const json_t *obj, const char *key, bool required, long double lo, long double hi,
                 long double *out, const char *where, mk_err *err)
{
    int got = jf_get_numeric(obj, key, required, out, where, err);
    if (got > 0 && (*out != floorl(*out) || *out < lo || *out > hi))
        return mk_err_set(err, "%s.%s is not a whole number in [%.0Lf, %.0Lf]", where, key, lo, hi);
    return got;
}

int jf_get_uint64(const json_t *obj, const char *key, bool required, uint64_t *out,
                  const char *where, mk_err *err)
{
    long double x = 0;
    int got = jf_get_whole(obj, key, required, 0, 18446744073709551615.0L, &x, where, err);
    if (got > 0)
        *out = (uint64_t)x;
    return got;
}

/* A bool; stout also reads "true"/"false" strings. */
int jf_get_bool(const json_t *obj, const char *key, bool *out, const char *where, mk_err *err)
{
    const json_t *v = jf_field(obj, key);
    const char *s = json_string_value(v);
    if (!v)
        return 0;
    if (json_is_boolean(v) || (s && (strcmp(s, "true") == 0 || strcmp(s, "false") == 0))) {
        *out = json_is_true(v) || (s && s[0] == 't');
        return 1;
    }
    return jf_wrong_kind(err, where, key, v, "a boolean");
}
